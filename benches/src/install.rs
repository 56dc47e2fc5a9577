//! The load generators that come from Debian's packages (`wrk`, `h2load`),
//! installed with apt-get when missing, so a fresh machine runs every row.

use std::process::{Command, Stdio};

use crate::proc;
use crate::suite::Suite;

/// Whether `program` can be used, installing Debian's `package` with
/// apt-get when it is missing and `CI` is unset (CI runs no benchmark,
/// and must not change the machine). A failed install leaves a note in
/// the report.
pub fn available(suite: &mut Suite, program: &str, package: &str) -> bool {
    if proc::has_program(program) {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        return false;
    }
    if suite.planning() {
        // Planned as if the install will work.
        return true;
    }
    eprintln!("http: {program} not found, trying `apt-get install -y {package}`");
    let installed = Command::new("apt-get")
        .args(["install", "-y", package])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        suite.report.note(format!(
            "http: {program} is missing and `apt-get install -y {package}` failed"
        ));
    }
    installed && proc::has_program(program)
}
