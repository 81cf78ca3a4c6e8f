//! Whole-page snapshots of the shipped seed, reviewed like code (`cargo insta review`).

use std::fs;
use std::path::Path;

#[test]
fn shipped_site() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    // The site's id is random once per project: pinned here.
    let state = dir.path().join(".paralelo");
    fs::create_dir(&state).unwrap();
    fs::write(state.join("site-id"), "0123456789abcdef\n").unwrap();
    paralelo::build(&paralelo::BuildOptions {
        seeds: "seeds".into(),
        out: out.clone(),
        state,
        // Glosses come from Apertium when it is installed: the snapshots must not depend on it.
        glosses: false,
        site: paralelo::config::SiteSettings {
            markdown_files: true,
            ..Default::default()
        },
        ..Default::default()
    })
    .unwrap();
    let read = |path: &str| fs::read_to_string(Path::new(&out).join(path)).unwrap();
    let slug = "000_df1e1d8b34815c19";
    insta::assert_snapshot!("article", read(&format!("{slug}/index.html")));
    insta::assert_snapshot!("index", read("index.html"));
    insta::assert_snapshot!("markdown_es", read(&format!("{slug}/es.md")));
    insta::assert_snapshot!("markdown_en", read(&format!("{slug}/en.md")));
}
