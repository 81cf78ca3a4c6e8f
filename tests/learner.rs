//! The learner's tools in Debian's Chromium (tests/browser/learner.mjs): a site of two articles
//! that share their words, served by `paralelo serve` so that both pages share one origin.
//!
//! Needs node, /usr/bin/chromium and `npm ci` in tests/browser; without them the test says
//! SKIPPED and passes, unless PARALELO_REQUIRE_TOOLS is set (as .ci/run does).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use paralelo::config::Overrides;

mod common;

/// The shipped seed and its translation, twice: articles `a` and `b`.
fn project(dir: &Path) -> std::path::PathBuf {
    let seeds = dir.join("seeds");
    std::fs::create_dir(&seeds).unwrap();
    for entry in std::fs::read_dir("seeds").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let suffix = if name.ends_with(".en.txt") {
            ".en.txt"
        } else {
            ".txt"
        };
        for copy in ["a", "b"] {
            std::fs::copy(&path, seeds.join(format!("{copy}{suffix}"))).unwrap();
        }
    }
    let config = dir.join("paralelo.toml");
    std::fs::write(
        &config,
        format!(
            "title = \"Learner\"\nseeds = '{}'\nout = '{}'\n",
            seeds.display(),
            dir.join("public").display()
        ),
    )
    .unwrap();
    config
}

#[test]
fn learners_tools_work_in_chromium() {
    let package = Path::new("tests/browser");
    if !common::tools_present(
        "learners_tools_work_in_chromium",
        &[
            ("node", common::runs("node", &["--version"])),
            ("/usr/bin/chromium", Path::new("/usr/bin/chromium").exists()),
            (
                "tests/browser/node_modules (playwright-core, axe-core)",
                package.join("node_modules/playwright-core").is_dir(),
            ),
            (
                "Apertium's Spanish analyser (glosses)",
                paralelo::internals::gloss::Glosser::start_default().is_ok(),
            ),
        ],
        "run .ci/run, or install Debian's chromium and apertium-eng-spa and run `npm ci` in tests/browser",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = project(dir.path());
    let overrides = Overrides {
        config: Some(config),
        ..Default::default()
    };
    let server = common::Server::start(overrides, Duration::from_secs(120));
    let output = Command::new("node")
        .arg(package.join("learner.mjs"))
        .arg(format!("http://{}/", server.addr))
        .arg("target/screenshots")
        .output()
        .unwrap();
    println!("{}", String::from_utf8_lossy(&output.stdout));
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    server.finish();
    assert!(output.status.success(), "learner.mjs failed");
}

/// The index's data survives a one-seed rebuild: the kept article keeps its `words.js` and its
/// level, the remade one gets new ones measured against the last full build's commonest lemmas.
#[test]
fn word_lists_and_levels_survive_a_one_seed_rebuild() {
    if !common::tools_present(
        "word_lists_and_levels_survive_a_one_seed_rebuild",
        &[(
            "Apertium's Spanish analyser (glosses)",
            paralelo::internals::gloss::Glosser::start_default().is_ok(),
        )],
        "install apertium-eng-spa",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let (seeds, out) = (dir.path().join("seeds"), dir.path().join("public"));
    let options = paralelo::BuildOptions {
        seeds: seeds.clone(),
        out: out.clone(),
        state: dir.path().join(".paralelo"),
        ..Default::default()
    };
    paralelo::build(&options).unwrap();
    let read = |path: &str| std::fs::read_to_string(out.join(path)).unwrap();
    let (a, b) = (read("a/words.js"), read("b/words.js"));
    assert!(
        a.starts_with("paraleloWords([\"") && a.contains("\"abordar|verb\""),
        "{a}"
    );
    assert_eq!(a, b);
    let levels = |index: &str| index.matches("data-level=\"").count();
    assert_eq!(levels(&read("index.html")), 2);
    let site = read("a/index.html");
    let id = std::fs::read_to_string(dir.path().join(".paralelo/site-id")).unwrap();
    assert!(site.contains(&format!("data-site=\"paralelo {}\"", id.trim())));

    // b loses its last paragraph, and with it some lemmas.
    let text = std::fs::read_to_string(seeds.join("b.txt")).unwrap();
    let cut = text.trim_end().rfind("\n\n").unwrap();
    std::fs::write(seeds.join("b.txt"), &text[..cut]).unwrap();
    let translation = std::fs::read_to_string(seeds.join("b.en.txt")).unwrap();
    let cut = translation.trim_end().rfind("\n\n").unwrap();
    std::fs::write(seeds.join("b.en.txt"), &translation[..cut]).unwrap();
    let report = paralelo::build(&options).unwrap();
    assert_eq!(report.remade, 1);
    assert_eq!(
        read("a/words.js"),
        a,
        "the kept article's list is untouched"
    );
    let b2 = read("b/words.js");
    assert!(b2.len() < b.len(), "the remade article's list is its own");
    assert_eq!(levels(&read("index.html")), 2, "both keep a level");
}
