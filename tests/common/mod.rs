//! Helpers shared by the integration tests.

/// Runs the ignored test `name` of the current test binary in a child
/// process with `env_var=1` set, and returns its standard output. Used for
/// scenarios that would disturb tests running in parallel in this process
/// (exhausting file descriptors, lowering limits).
///
/// # Panics
///
/// If the child fails, or did not run exactly that test.
pub fn run_in_child(name: &str, env_var: &str) -> String {
    let output = std::process::Command::new(std::env::current_exe().expect("test binary path"))
        .args(["--exact", name, "--ignored", "--nocapture", "--test-threads=1"])
        .env(env_var, "1")
        .output()
        .expect("cannot run the child test");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 passed"),
        "child did not run the test:\n{stdout}"
    );
    stdout
}
