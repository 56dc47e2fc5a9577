//! The options of a suite run: its groups, runs per figure, `--quick`,
//! and where the results go, parsed from the suite sub-commands' flags.

use std::path::PathBuf;

use crate::flags::Flags;
use crate::group::Group;

/// Runs per figure without `--runs`: the fewest odd count whose pairs can
/// tell a win from a tie (7 of 7 has p = 0.016; 5 of 5, 0.0625), and what
/// still fits the suite in 10 minutes.
const DEFAULT_RUNS: usize = 7;

/// Options of a suite run.
#[derive(Debug, Clone)]
pub struct Options {
    pub groups: Vec<Group>,
    pub quick: bool,
    pub runs: usize,
    pub out: PathBuf,
    /// The command line, for the results file.
    pub command: String,
}

impl Options {
    /// The options of a run of `groups` from `--quick`, `--runs N` and
    /// `--out PATH`; `command` is the command line, for the results file.
    pub fn from_flags(groups: Vec<Group>, flags: &Flags, command: String) -> Result<Options, String> {
        let quick = flags.switch("quick");
        let runs = flags.get("runs")?.unwrap_or(if quick { 3 } else { DEFAULT_RUNS });
        if runs == 0 {
            return Err("--runs must be at least 1".to_owned());
        }
        let out = flags
            .get("out")?
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("RESULTS.md"));
        Ok(Options {
            groups,
            quick,
            runs,
            out,
            command,
        })
    }
}
