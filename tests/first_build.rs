//! A first build (no names of an earlier one to link with) renders each article page once,
//! with the links to entity pages that the whole site's names give, where it once rendered
//! most pages twice (without links, then with them); its pages are the ones a full build that
//! links through the last build's names makes. Without the analysis, pages are made as the
//! seeds are read. On the entities fixture (tests/fixtures/entities);
//! the glossed test needs Apertium's Spanish–English pair (skipped without it, failing under
//! PARALELO_REQUIRE_TOOLS as .ci/run sets it).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use paralelo::{BuildOptions, build};

mod common;

/// A build of the entities fixture, read where it is, into a new folder, with glosses as given.
fn project(glosses: bool) -> (tempfile::TempDir, BuildOptions) {
    let dir = tempfile::tempdir().unwrap();
    let options = BuildOptions {
        seeds: Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/entities"),
        out: dir.path().join("public"),
        state: dir.path().join(".paralelo"),
        machine: None,
        glosses,
        ..Default::default()
    };
    (dir, options)
}

/// Every file of the output (but the marker naming its folder) with its bytes.
fn output(out: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut folders = vec![out.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.file_name().is_some_and(|n| n != ".paralelo-output") {
                let bytes = fs::read(&path).unwrap();
                files.insert(path.strip_prefix(out).unwrap().to_path_buf(), bytes);
            }
        }
    }
    files
}

#[test]
fn a_first_build_renders_each_article_page_once_with_its_final_links() {
    let (_dir, options) = project(true);
    let first = build(&options).unwrap();
    let analysed = !first
        .notes
        .iter()
        .any(|n| n.contains("need the word analysis"));
    if !common::tools_present(
        "a_first_build_renders_each_article_page_once_with_its_final_links",
        &[("apertium-eng-spa", analysed)],
        "apt-get install apertium-eng-spa",
    ) {
        return;
    }
    assert_eq!((first.pages, first.pages_rendered), (4, 4));
    let made = output(&options.out);
    let a1 = String::from_utf8(made[Path::new("a1/index.html")].clone()).unwrap();
    assert!(
        a1.contains("href=\"../people/volodimir-zelenski/index.html\""),
        "a1 links the page of a person named in two articles"
    );
    assert!(
        made.contains_key(Path::new("a1/words.js")),
        "a1's word list"
    );

    // Without the manifest but with the names the last build kept, a full build makes each
    // page as it reads its seed, with the links those names give: the same pages. All but a1,
    // tagged `Guerra en Ucrania`: the topic shows as `guerra en Ucrania`, as the newest article
    // that has it (a2) writes it, which only the whole site tells; a1's page is made again.
    fs::remove_file(common::manifest(&options)).unwrap();
    let again = build(&options).unwrap();
    assert!(again.full_because.is_some());
    assert_eq!(again.pages_rendered, 5);
    assert_eq!(output(&options.out), made);

    // Nothing changed: nothing rendered.
    assert_eq!(build(&options).unwrap().pages_rendered, 0);
}

#[test]
fn without_the_analysis_pages_are_made_as_the_seeds_are_read() {
    // No names to wait for: each page is made with its tags' topics as its seed is read (made
    // again later, it would be annotated again). Only a1's is made again, for its topic's name
    // (see above).
    let (_dir, options) = project(false);
    let report = build(&options).unwrap();
    assert_eq!((report.pages, report.pages_rendered), (4, 5));
    let a1 = fs::read_to_string(options.out.join("a1/index.html")).unwrap();
    assert!(a1.contains(">guerra en Ucrania<") && !a1.contains(">Guerra en Ucrania<"));
}
