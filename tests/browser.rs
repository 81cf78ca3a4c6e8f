//! Builds the shipped seeds and checks the pages as a reader gets them: in Debian's Chromium
//! (tests/browser/check-page.mjs) and with the W3C Nu HTML checker (vnu.jar, from npm).
//!
//! They need node, /usr/bin/chromium, java and `npm ci` in tests/browser; without them a test
//! says SKIPPED and passes, unless PARALELO_REQUIRE_TOOLS is set (as .ci/run does).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

const PACKAGE: &str = "tests/browser";
const VNU_JAR: &str = "tests/browser/node_modules/vnu-jar/build/dist/vnu.jar";
const SCREENSHOTS: &str = "target/screenshots";

mod common;

/// Whether `program --version` runs.
fn runs(program: &str) -> bool {
    common::runs(program, &["--version"])
}

/// True when every tool is here; otherwise skipped or failed, as [`common::tools_present`].
fn tools_present(test: &str, tools: &[(&str, bool)]) -> bool {
    common::tools_present(
        test,
        tools,
        &format!(
            "run .ci/run, or install Debian's chromium and default-jre-headless and run `npm ci` in {PACKAGE}"
        ),
    )
}

/// Builds `seeds/` into a temporary folder; the folder goes when the returned guard does.
fn build_site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    paralelo::build(&paralelo::BuildOptions {
        seeds: "seeds".into(),
        out: out.clone(),
        ..Default::default()
    })
    .unwrap();
    (tmp, out)
}

/// The shipped seed alone, without its translation, machine-translated by Apertium; `None`
/// (the machine checks are left out) when Apertium is not installed.
fn machine_site() -> Option<(tempfile::TempDir, PathBuf)> {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = tmp.path().join("seeds");
    std::fs::create_dir(&seeds).unwrap();
    for entry in std::fs::read_dir("seeds").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".txt") && !name.ends_with(".en.txt") {
            std::fs::copy(&path, seeds.join(&name)).unwrap();
        }
    }
    let out = tmp.path().join("public");
    let mut options = paralelo::BuildOptions {
        seeds,
        out: out.clone(),
        state: tmp.path().join(".paralelo"),
        ..Default::default()
    };
    if let Some(machine) = options.machine.as_mut() {
        machine.cache_dir = Some(tmp.path().join("cache"));
    }
    match paralelo::build(&options) {
        Ok(_) => Some((tmp, out)),
        Err(e) => {
            println!("no machine-translated site ({e}): its checks are left out");
            None
        }
    }
}

/// Prints what a tool said and fails the test unless it succeeded.
fn assert_success(what: &str, output: &Output, started: Instant) {
    println!("{}", String::from_utf8_lossy(&output.stdout));
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    println!("{what} took {:.1} s", started.elapsed().as_secs_f64());
    assert!(output.status.success(), "{what} failed ({})", output.status);
}

#[test]
fn pages_work_in_chromium() {
    let node_modules = Path::new(PACKAGE).join("node_modules");
    if !tools_present(
        "pages_work_in_chromium",
        &[
            ("node", runs("node")),
            ("/usr/bin/chromium", Path::new("/usr/bin/chromium").exists()),
            (
                "tests/browser/node_modules (playwright-core, axe-core)",
                node_modules.join("playwright-core").is_dir()
                    && node_modules.join("axe-core").is_dir(),
            ),
        ],
    ) {
        return;
    }
    let (_tmp, out) = build_site();
    let machine = machine_site();
    let started = Instant::now();
    let output = Command::new("node")
        .arg(Path::new(PACKAGE).join("check-page.mjs"))
        .arg(&out)
        .arg(SCREENSHOTS)
        .args(machine.as_ref().map(|(_, out)| out))
        .output()
        .unwrap();
    assert_success("check-page.mjs", &output, started);
}

#[test]
fn pages_are_valid_html() {
    if !tools_present(
        "pages_are_valid_html",
        &[
            ("java", runs("java")),
            (VNU_JAR, Path::new(VNU_JAR).is_file()),
        ],
    ) {
        return;
    }
    let (_tmp, out) = build_site();
    let pages: Vec<PathBuf> = walkdir::WalkDir::new(&out)
        .into_iter()
        .map(|entry| entry.unwrap().into_path())
        .filter(|path| path.extension().is_some_and(|e| e == "html"))
        .collect();
    assert!(
        pages.len() >= 2,
        "expected the index and an article: {pages:?}"
    );
    let started = Instant::now();
    let output = Command::new("java")
        .args(["-jar", VNU_JAR, "--errors-only", "--format", "text"])
        .args(&pages)
        .output()
        .unwrap();
    println!("checked {} pages", pages.len());
    assert_success("vnu.jar", &output, started);
}
