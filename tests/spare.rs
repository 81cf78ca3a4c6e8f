//! Full rebuilds that write into the spare tree (the output the last full build swapped out):
//! killed at any moment, the output is the old site or the new one, never the older spare, and
//! the next build finishes the job.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const SEED: &str = "Foto de archivo. - Agencia\nPublicado: lunes, 3 marzo 2025 10:00\n\nPrimer párrafo.\n\nSegundo párrafo.\n";
const TRANSLATION: &str = "Archive photo. - Agency\nPublished: Monday, 3 March 2025, 10:00\n\nFirst paragraph.\n\nSecond paragraph.\n";
const ARTICLES: usize = 300;

/// A project of `ARTICLES` seeds with its own copy of the templates.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    fs::create_dir(&seeds).unwrap();
    for i in 0..ARTICLES {
        fs::write(seeds.join(format!("s{i:04}.txt")), SEED).unwrap();
        fs::write(seeds.join(format!("s{i:04}.en.txt")), TRANSLATION).unwrap();
    }
    let templates = dir.path().join("templates");
    fs::create_dir(&templates).unwrap();
    for entry in fs::read_dir("templates").unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), templates.join(entry.file_name())).unwrap();
    }
    dir
}

/// Marks every article page with `version`: a template-only change, so a full build.
fn set_version(dir: &Path, version: usize) {
    let shipped = fs::read_to_string("templates/article.html").unwrap();
    let marked = shipped.replace(
        "{% endblock body %}",
        &format!("<p class=\"v\">version {version}</p>{{% endblock body %}}"),
    );
    assert_ne!(marked, shipped);
    fs::write(dir.join("templates/article.html"), marked).unwrap();
}

fn paralelo(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_paralelo"));
    command
        .current_dir(dir)
        .args([
            "build",
            "--seeds",
            "seeds",
            "--out",
            "public",
            "--no-glosses",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
}

/// The versions the output's article pages show; panics if one of them is missing.
fn versions(out: &Path) -> BTreeSet<String> {
    (0..ARTICLES)
        .map(|i| {
            let page = out.join(format!("s{i:04}/index.html"));
            let html =
                fs::read_to_string(&page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
            let start = html.find("version ").expect("a marked page");
            html[start..].split('<').next().unwrap().to_string()
        })
        .collect()
}

#[test]
fn a_full_rebuild_into_the_spare_killed_anywhere_shows_the_old_site_or_the_new() {
    let dir = project();
    let out: PathBuf = dir.path().join("public");
    let spare = dir.path().join(".public.paralelo-spare");
    for version in 1..=2 {
        set_version(dir.path(), version);
        assert!(paralelo(dir.path()).status().unwrap().success());
    }
    assert!(spare.is_dir(), "the first output is kept as the spare");
    let mut version = 3;
    set_version(dir.path(), version);
    let started = std::time::Instant::now();
    assert!(paralelo(dir.path()).status().unwrap().success());
    let took = started.elapsed();
    assert_eq!(versions(&out), BTreeSet::from(["version 3".to_string()]));

    let mut seen = BTreeSet::new();
    for eighth in [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16] {
        let old = format!("version {version}");
        version += 1;
        let new = format!("version {version}");
        set_version(dir.path(), version);
        let mut child = paralelo(dir.path()).spawn().unwrap();
        std::thread::sleep(took * eighth / 8);
        child.kill().unwrap(); // SIGKILL: nothing of the build's own runs after it.
        let finished = child.wait().unwrap().success();
        // Never the older site the spare held, never a mix.
        let now = versions(&out);
        assert!(
            now == BTreeSet::from([old.clone()]) || now == BTreeSet::from([new.clone()]),
            "{now:?} after a kill at {eighth}/8 (old {old}, new {new})"
        );
        seen.insert((now.contains(&new), finished));
        if now.contains(&old) {
            // The killed build's work is the next one's to finish.
            assert!(paralelo(dir.path()).status().unwrap().success());
            assert_eq!(versions(&out), BTreeSet::from([new]));
        }
    }
    eprintln!("(new site, build finished) after kills over {took:?}: {seen:?}");
    assert!(seen.contains(&(false, false)), "no kill landed mid-build");
    // A build clears what a kill right after the swap left beside the output.
    assert!(paralelo(dir.path()).status().unwrap().success());
    let leftovers: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("paralelo-") && name != ".public.paralelo-spare")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // The spare holds nothing the output does not: the last swap's old tree, whole.
    assert_eq!(versions(&spare).len(), 1);
}
