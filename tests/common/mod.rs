//! What several integration tests share; not every test uses every piece.
#![allow(dead_code)]

use std::io::Write;

/// True when every tool is here. Otherwise the test is skipped with a line on stderr, or fails
/// when PARALELO_REQUIRE_TOOLS is set to anything but "" or "0" (as .ci/run does).
pub fn tools_present(test: &str, tools: &[(&str, bool)], hint: &str) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .filter(|(_, present)| !present)
        .map(|(name, _)| *name)
        .collect();
    if missing.is_empty() {
        return true;
    }
    let message = format!("{test}: missing {} ({hint})", missing.join(", "));
    let required = std::env::var("PARALELO_REQUIRE_TOOLS").is_ok_and(|v| !v.is_empty() && v != "0");
    assert!(!required, "{message}");
    // Straight to stderr, past the test harness's capture, so that a skip shows in `cargo test`.
    let line = format!("SKIPPED: {message}\n");
    std::io::stderr().write_all(line.as_bytes()).unwrap();
    false
}

/// Whether `command` runs here.
pub fn runs(command: &str, args: &[&str]) -> bool {
    std::process::Command::new(command)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The manifest of the one output folder `options` builds into, in the state folder.
pub fn manifest(options: &paralelo::BuildOptions) -> std::path::PathBuf {
    let builds: Vec<_> = std::fs::read_dir(options.state.join("builds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(builds.len(), 1, "{builds:?}");
    builds[0].join("manifest")
}
