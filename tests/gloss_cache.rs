//! The gloss and annotation caches across builds: a template change analyses and annotates
//! nothing again and gives the same pages, a changed paragraph is the only one analysed again,
//! and a damaged cache is analysed afresh. Needs Apertium's Spanish–English pair (skipped without it, failing under
//! PARALELO_REQUIRE_TOOLS as .ci/run sets it).

use std::fs;
use std::path::Path;

use paralelo::{BuildOptions, build};

mod common;

const STEM: &str = "000_df1e1d8b34815c19";

fn apertium(test: &str) -> bool {
    common::tools_present(
        test,
        &[("apertium-eng-spa", paralelo_has_glosses())],
        "apt-get install apertium-eng-spa",
    )
}

fn paralelo_has_glosses() -> bool {
    ["/usr/share/apertium", "/usr/local/share/apertium"]
        .iter()
        .any(|d| {
            Path::new(d)
                .join("apertium-eng-spa/spa-eng.automorf.bin")
                .is_file()
        })
}

/// The shipped seed and its translation in a new project, built with glosses.
fn project() -> (tempfile::TempDir, BuildOptions) {
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    fs::create_dir(&seeds).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    for name in [format!("{STEM}.txt"), format!("{STEM}.en.txt")] {
        fs::copy(shipped.join(&name), seeds.join(&name)).unwrap();
    }
    let options = BuildOptions {
        seeds,
        out: dir.path().join("public"),
        state: dir.path().join(".paralelo"),
        glosses: true,
        ..Default::default()
    };
    (dir, options)
}

fn page(options: &BuildOptions) -> String {
    let dir = fs::read_dir(&options.out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.join("index.html").is_file() && p.file_name().unwrap() != "page")
        .unwrap();
    fs::read_to_string(dir.join("index.html")).unwrap()
}

#[test]
fn a_template_change_takes_every_annotation_from_the_cache_and_gives_the_same_page() {
    if !apertium("a_template_change_takes_every_analysis_from_the_cache") {
        return;
    }
    let (dir, options) = project();
    let first = build(&options).unwrap();
    let (analysed, cached) = first.analysed.unwrap();
    assert!(analysed > 5, "{analysed} paragraphs analysed");
    assert_eq!(cached, 0);
    assert_eq!(first.annotations_reused, 0);
    let glossed = page(&options);
    assert!(
        glossed.contains(r#"id="glosses""#),
        "the page has its gloss data"
    );

    // The built-in templates, with a comment that changes nothing on the page but the
    // fingerprint: every page is made again.
    let templates = dir.path().join("templates");
    fs::create_dir(&templates).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    for entry in fs::read_dir(&shipped).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), templates.join(entry.file_name())).unwrap();
    }
    let article = templates.join("article.html");
    let text = fs::read_to_string(&article).unwrap();
    fs::write(&article, format!("{text}{{# changed #}}\n")).unwrap();
    let options = BuildOptions {
        templates: Some(templates),
        ..options
    };
    let second = build(&options).unwrap();
    assert_eq!(second.remade, 1, "the template change makes the page again");
    assert_eq!(second.annotations_reused, 1, "from the annotation cache");
    assert_eq!(
        second.analysed,
        Some((0, 0)),
        "nothing analysed or looked up"
    );
    assert_eq!(
        page(&options),
        glossed,
        "the cached annotation gives the same page"
    );

    // The analyses stay in the gloss cache although that build did not ask for them: a build
    // into another folder (no annotations of its own) takes them all from there.
    let elsewhere = BuildOptions {
        out: options.out.with_file_name("public-elsewhere"),
        ..options.clone()
    };
    let other = build(&elsewhere).unwrap();
    assert_eq!(other.annotations_reused, 0);
    assert_eq!(other.analysed, Some((0, analysed)));
    assert_eq!(page(&elsewhere), glossed);

    // A damaged annotation is a miss, never a wrong page: its article is annotated afresh.
    let builds = options.state.join("builds");
    for folder in fs::read_dir(&builds).unwrap() {
        let pack = folder.unwrap().path().join("annotations/pack");
        if let Ok(mut bytes) = fs::read(&pack) {
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0x5a;
            fs::write(&pack, bytes).unwrap();
        }
    }
    let article = options.templates.as_ref().unwrap().join("article.html");
    let text = fs::read_to_string(&article).unwrap();
    fs::write(&article, format!("{text}{{# changed again #}}\n")).unwrap();
    let damaged = build(&options).unwrap();
    assert_eq!(damaged.annotations_reused, 0);
    assert_eq!(damaged.analysed, Some((0, analysed)));
    assert_eq!(page(&options), glossed);

    // One changed paragraph: only it is analysed again (its translation is unchanged).
    let seed = options.seeds.join(format!("{STEM}.txt"));
    let text = fs::read_to_string(&seed).unwrap();
    let body = text.trim_end();
    let changed = format!("{} hoy.\n", body.strip_suffix('.').unwrap_or(body));
    fs::write(&seed, changed).unwrap();
    let third = build(&options).unwrap();
    assert_eq!(third.remade, 1);
    assert_eq!(third.analysed, Some((1, analysed - 1)));
}

#[test]
fn a_damaged_cache_is_analysed_afresh() {
    if !apertium("a_damaged_cache_is_analysed_afresh") {
        return;
    }
    let (_dir, options) = project();
    let first = build(&options).unwrap();
    let (analysed, _) = first.analysed.unwrap();
    let glossed = page(&options);
    let mut shards = 0;
    for folder in fs::read_dir(options.state.join("glosses")).unwrap() {
        for shard in fs::read_dir(folder.unwrap().path()).unwrap() {
            let path = shard.unwrap().path();
            let bytes = fs::read(&path).unwrap();
            fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
            shards += 1;
        }
    }
    assert!(shards > 0, "the cache holds shard files");
    // A forced full build (another output folder) reads the torn shards as empty.
    let options = BuildOptions {
        out: options.out.with_file_name("public-2"),
        ..options
    };
    let second = build(&options).unwrap();
    assert_eq!(second.analysed, Some((analysed, 0)));
    assert_eq!(page(&options), glossed);
}
