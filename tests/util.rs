//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Tolerance for sums of floating-point persons that are equal in exact arithmetic.
pub const EPS: f64 = 1e-9;

/// The repository's root folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file under data/.
pub fn data(path: &str) -> PathBuf {
    root().join("data").join(path)
}

/// Runs the built `deltid` binary in `dir`.
pub fn deltid(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deltid"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the deltid binary runs")
}

/// Stdout of a run, as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Stderr of a run, as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Writes files into a fresh temporary folder.
pub fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("a test file is written");
    }
    dir
}

/// Asserts two numbers of persons agree within [`EPS`] (relative to their size).
#[track_caller]
pub fn assert_close(actual: f64, expected: f64) {
    let scale = expected.abs().max(1.0);
    assert!(
        (actual - expected).abs() <= EPS * scale,
        "expected {expected}, got {actual}"
    );
}

/// Reads a scenario and its counts (`counts`, else the file the scenario names) with the
/// default reading options, and estimates and summarises them for `selection`.
pub fn run(
    scenario: &Path,
    counts: Option<&Path>,
    selection: &deltid::Selection,
) -> deltid::Result<deltid::Run> {
    deltid::Run::new(
        scenario,
        counts,
        &deltid::CountsOptions::default(),
        selection,
    )
}

/// The summary of a scenario file and its counts (as [`run`] reads them), for all areas and
/// days.
pub fn summary(scenario: &Path, counts: Option<&Path>) -> deltid::Result<deltid::Summary> {
    run(scenario, counts, &deltid::Selection::default()).map(|r| r.summary().clone())
}
