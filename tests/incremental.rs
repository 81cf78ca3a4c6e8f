//! Rebuilds redo only what changed, and leave every other file untouched.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use paralelo::{BuildOptions, build};

mod common;

const TRANSLATION: &str = "Photo. - Agency\nPublished: Monday, 3 March 2025, 10:00\n\nFirst paragraph.\n\nSecond paragraph.\n";

fn seed(n: usize) -> String {
    format!(
        "Foto. - Agencia\nPublicado: lunes, 3 marzo 2025 10:{:02}\n\nPrimer párrafo {n}.\n\nSegundo párrafo.\n",
        n % 60
    )
}

/// `dir/seeds`, made with `count` seeds and their translations, named `s` and the seed's
/// number in `digits` digits.
fn seeds_in(dir: &Path, count: usize, digits: usize) -> PathBuf {
    let seeds = dir.join("seeds");
    fs::create_dir(&seeds).unwrap();
    for n in 0..count {
        fs::write(seeds.join(format!("s{n:0digits$}.txt")), seed(n)).unwrap();
        fs::write(seeds.join(format!("s{n:0digits$}.en.txt")), TRANSLATION).unwrap();
    }
    seeds
}

/// A project of `count` seeds, built once.
fn built(count: usize) -> (tempfile::TempDir, BuildOptions) {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds_in(dir.path(), count, 2);
    let options = BuildOptions {
        seeds,
        out: dir.path().join("public"),
        state: dir.path().join(".paralelo"),
        site: paralelo::config::SiteSettings {
            markdown_files: true,
            ..Default::default()
        },
        ..Default::default()
    };
    build(&options).unwrap();
    (dir, options)
}

/// Every file of the output with its modification time.
fn mtimes(out: &Path) -> BTreeMap<PathBuf, SystemTime> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let time = e.metadata().unwrap().modified().unwrap();
            (e.path().strip_prefix(out).unwrap().to_path_buf(), time)
        })
        .collect()
}

fn changed(
    before: &BTreeMap<PathBuf, SystemTime>,
    after: &BTreeMap<PathBuf, SystemTime>,
) -> Vec<String> {
    let mut names: Vec<String> = after
        .iter()
        .filter(|(path, time)| before.get(*path) != Some(time))
        .map(|(path, _)| path.to_string_lossy().into_owned())
        .collect();
    names.extend(
        before
            .keys()
            .filter(|path| !after.contains_key(*path))
            .map(|path| format!("-{}", path.to_string_lossy())),
    );
    names
}

fn pause() {
    // Modification times must be able to differ.
    std::thread::sleep(std::time::Duration::from_millis(20));
}

#[test]
fn a_rebuild_with_nothing_changed_writes_nothing() {
    let (_dir, options) = built(3);
    let before = mtimes(&options.out);
    pause();
    let report = build(&options).unwrap();
    assert_eq!(report.pages, 3);
    assert_eq!(
        changed(&before, &mtimes(&options.out)),
        Vec::<String>::new()
    );
}

#[test]
fn one_changed_seed_rewrites_its_page_and_the_index_only() {
    let (_dir, options) = built(3);
    let before = mtimes(&options.out);
    pause();
    // Touching without changing bytes is no change.
    fs::write(options.seeds.join("s00.txt"), seed(0)).unwrap();
    fs::write(
        options.seeds.join("s01.txt"),
        seed(1).replace("Primer", "Nuevo primer"),
    )
    .unwrap();
    build(&options).unwrap();
    let after = mtimes(&options.out);
    // The lead is in the search files and the month's archive page.
    let mut expected = vec![
        "archive/2025/03/index.html",
        "index.html",
        "s01/es.md",
        "s01/index.html",
        "search/d/0.js",
        "search/meta.js",
        "search/t/nu.js",
    ];
    // With Apertium here, the page has glosses and a vocabulary file, which changes too.
    if options.out.join("s01/vocabulary.csv").exists() {
        expected.push("s01/vocabulary.csv");
    }
    // And its list of lemmas for the index (`Nuevo` is a new one).
    if options.out.join("s01/words.js").exists() {
        expected.push("s01/words.js");
    }
    expected.sort();
    assert_eq!(changed(&before, &after), expected);

    let page = fs::read_to_string(options.out.join("s01/index.html")).unwrap();
    assert!(page.contains("Nuevo primer párrafo 1."));
}

#[test]
fn a_removed_seed_takes_its_page_away() {
    let (_dir, options) = built(3);
    fs::remove_file(options.seeds.join("s02.txt")).unwrap();
    fs::remove_file(options.seeds.join("s02.en.txt")).unwrap();
    build(&options).unwrap();
    assert!(!options.out.join("s02").exists());
    let index = fs::read_to_string(options.out.join("index.html")).unwrap();
    assert!(!index.contains("s02/index.html") && index.contains("s01/index.html"));
}

#[test]
fn a_template_change_rebuilds_every_page() {
    let (dir, mut options) = built(2);
    let templates = dir.path().join("templates");
    fs::create_dir(&templates).unwrap();
    for name in ["base.html", "article.html", "index.html", "404.html"] {
        fs::copy(Path::new("templates").join(name), templates.join(name)).unwrap();
    }
    options.templates = Some(templates.clone());
    build(&options).unwrap();
    let before = mtimes(&options.out);
    pause();
    let article = fs::read_to_string(templates.join("article.html")).unwrap();
    fs::write(
        templates.join("article.html"),
        article.replace("All articles", "Every article"),
    )
    .unwrap();
    build(&options).unwrap();
    let rewritten = changed(&before, &mtimes(&options.out));
    assert!(
        rewritten.contains(&"s00/index.html".to_string()),
        "{rewritten:?}"
    );
    assert!(
        rewritten.contains(&"s01/index.html".to_string()),
        "{rewritten:?}"
    );
    let page = fs::read_to_string(options.out.join("s00/index.html")).unwrap();
    assert!(page.contains("Every article"));
}

#[test]
fn a_failed_rebuild_changes_nothing() {
    let (_dir, options) = built(3);
    let before = mtimes(&options.out);
    let page = fs::read_to_string(options.out.join("s00/index.html")).unwrap();
    pause();
    fs::write(
        options.seeds.join("s00.txt"),
        seed(0).replace("Primer", "Otro"),
    )
    .unwrap();
    fs::write(options.seeds.join("s01.en.txt"), "Only one paragraph.\n").unwrap();
    let err = build(&options).unwrap_err().to_string();
    assert!(err.contains("s01.en.txt: 1 paragraphs"), "{err}");
    assert_eq!(
        changed(&before, &mtimes(&options.out)),
        Vec::<String>::new()
    );
    assert_eq!(
        fs::read_to_string(options.out.join("s00/index.html")).unwrap(),
        page
    );
}

#[test]
fn a_damaged_manifest_means_a_full_build() {
    let (_dir, options) = built(2);
    fs::write(common::manifest(&options), "garbage").unwrap();
    fs::write(
        options.seeds.join("s00.txt"),
        seed(0).replace("Primer", "Otro"),
    )
    .unwrap();
    build(&options).unwrap();
    let page = fs::read_to_string(options.out.join("s00/index.html")).unwrap();
    assert!(page.contains("Otro párrafo 0."));
    assert!(
        fs::read_to_string(common::manifest(&options))
            .unwrap()
            .ends_with("end\n")
    );
}

#[test]
fn warnings_of_unchanged_pages_are_reported_again() {
    let (_dir, options) = built(1);
    fs::write(
        options.seeds.join("s00.txt"),
        seed(0).replace("Primer", "«Primer"),
    )
    .unwrap();
    let first = build(&options).unwrap();
    assert_eq!(first.warnings.len(), 1, "{:?}", first.warnings);
    let again = build(&options).unwrap();
    assert_eq!(again.warnings, first.warnings);
}

#[test]
fn only_the_index_pages_whose_articles_changed_are_made_again() {
    // 120 articles: three index pages of 50. The newest (10:59) come first.
    let (_dir, mut options) = built(0);
    options.glosses = false;
    options.site.base_url = Some("https://example.org/".to_string());
    for n in 0..120 {
        fs::write(options.seeds.join(format!("s{n:03}.txt")), seed(n)).unwrap();
        fs::write(options.seeds.join(format!("s{n:03}.en.txt")), TRANSLATION).unwrap();
    }
    build(&options).unwrap();
    let page = |path: &str| fs::read_to_string(options.out.join(path)).unwrap();
    let on_page = |path: &str, slug: &str| page(path).contains(&format!("{slug}/index.html"));
    let last = (0..120)
        .map(|n| format!("s{n:03}"))
        .find(|slug| on_page("page/3/index.html", slug))
        .unwrap();
    let before = mtimes(&options.out);
    pause();

    // A new lead on the last page changes that page's listing, and no other.
    let n: usize = last[1..].parse().unwrap();
    fs::write(
        options.seeds.join(format!("{last}.txt")),
        seed(n).replace("Primer párrafo", "Otro primer párrafo"),
    )
    .unwrap();
    // A page the user deleted is made again, though none of its articles changed.
    fs::remove_file(options.out.join("index.html")).unwrap();
    build(&options).unwrap();
    let rewritten = changed(&before, &mtimes(&options.out));
    assert!(
        rewritten.contains(&"page/3/index.html".to_string())
            && rewritten.contains(&"index.html".to_string())
            && !rewritten.contains(&"page/2/index.html".to_string()),
        "{rewritten:?}"
    );
    assert!(page("page/3/index.html").contains(&format!("Otro primer párrafo {n}.")));
    assert!(on_page("index.html", "s059"));
    // The feed carries the newest 100, the sitemap only addresses and dates: neither changed.
    for untouched in ["atom.xml", "sitemap.xml", "404.html", "robots.txt"] {
        assert!(!rewritten.contains(&untouched.to_string()), "{rewritten:?}");
    }

    // A removed article moves every later one up a place: the pages after it change.
    let before = mtimes(&options.out);
    pause();
    let first = (0..120)
        .map(|n| format!("s{n:03}"))
        .find(|slug| on_page("index.html", slug))
        .unwrap();
    fs::remove_file(options.seeds.join(format!("{first}.txt"))).unwrap();
    fs::remove_file(options.seeds.join(format!("{first}.en.txt"))).unwrap();
    build(&options).unwrap();
    let rewritten = changed(&before, &mtimes(&options.out));
    for path in [
        "index.html",
        "page/2/index.html",
        "page/3/index.html",
        "atom.xml",
        "sitemap.xml",
    ] {
        assert!(
            rewritten.contains(&path.to_string()),
            "{path}: {rewritten:?}"
        );
    }
    assert!(!page("sitemap.xml").contains(&format!("/{first}/")));
    assert!(!page("atom.xml").contains(&format!("/{first}/")));
    assert!(!on_page("index.html", &first));
    let listed = (0..120)
        .map(|n| format!("s{n:03}"))
        .filter(|slug| {
            ["index.html", "page/2/index.html", "page/3/index.html"]
                .iter()
                .any(|p| on_page(p, slug))
        })
        .count();
    assert_eq!(listed, 119);
}

/// Every file under `dir` with its bytes.
fn contents(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let bytes = fs::read(e.path()).unwrap();
            (e.path().strip_prefix(dir).unwrap().to_path_buf(), bytes)
        })
        .collect()
}

fn restore(files: &BTreeMap<PathBuf, Vec<u8>>, dir: &Path) {
    if dir.exists() {
        fs::remove_dir_all(dir).unwrap();
    }
    for (path, bytes) in files {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
}

#[test]
fn a_rebuild_killed_midway_is_old_or_new_once_paralelo_runs_again() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds_in(dir.path(), 300, 3);
    let out = dir.path().join("public");
    // The binary builds every state, so that its rebuilds are incremental.
    let paralelo = || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_paralelo"));
        command
            .current_dir(dir.path())
            .args(["-q", "--no-glosses"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        command
    };
    assert!(paralelo().status().unwrap().success());
    let old = contents(&out);
    // 200 changed articles: an incremental rebuild (a full one swaps folders whole).
    for n in 0..200 {
        fs::write(
            seeds.join(format!("s{n:03}.txt")),
            seed(n).replace("Segundo", "Otro segundo"),
        )
        .unwrap();
    }
    let started = std::time::Instant::now();
    assert!(paralelo().status().unwrap().success());
    let took = started.elapsed();
    let new = contents(&out);
    assert_ne!(old, new);

    let staging = dir.path().join(".public.paralelo-new");
    let mut seen = BTreeMap::new();
    // Kills spread over the time an uninterrupted rebuild takes, the last ones late in it.
    for eighth in [1, 2, 3, 4, 5, 6, 7, 8, 9] {
        restore(&old, &out);
        let delay = took * eighth / 8;
        let delay_ms = delay.as_millis();
        let mut child = paralelo().spawn().unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL: nothing of the build's own runs after it.
        child.wait().unwrap();

        let journal = staging.join(".paralelo-journal").is_file();
        let now = contents(&out);
        if !journal {
            assert!(
                now == old || now == new,
                "a mix after a kill at {delay_ms} ms"
            );
        }
        paralelo::internals::clear_leftovers(&out).unwrap();
        let after = contents(&out);
        let state = if after == old {
            "old"
        } else if after == new {
            "new"
        } else {
            panic!("neither old nor new after a kill at {delay_ms} ms (journal: {journal})")
        };
        *seen
            .entry(format!(
                "{state}{}",
                if journal { ", finished" } else { "" }
            ))
            .or_insert(0) += 1;
        assert!(!staging.exists());
    }
    eprintln!("states after the kills: {seen:?}");
}

#[test]
fn a_new_link_to_the_program_keeps_rebuilds_incremental() {
    let dir = tempfile::tempdir().unwrap();
    seeds_in(dir.path(), 2, 1);
    let paralelo = || {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_paralelo"))
            .current_dir(dir.path())
            .args(["-v", "--no-glosses"])
            .output()
            .unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stderr).unwrap()
    };
    assert!(paralelo().contains("a full build: no state"));
    // A new hard link moves the program file's change time, as `perf record` does when it
    // links the binaries it profiles into ~/.debug; the program is the same.
    let exe = Path::new(env!("CARGO_BIN_EXE_paralelo"));
    let link = exe.with_file_name(format!(".paralelo-link-{}", std::process::id()));
    fs::hard_link(exe, &link).unwrap();
    let said = paralelo();
    fs::remove_file(&link).unwrap();
    assert!(said.contains("0 of 2 pages made again"), "{said}");
    assert!(!said.contains("a full build"), "{said}");
}
