//! The site around the pages: index pages, the 404 page, and, with a base URL, feed, sitemap,
//! robots.txt and canonical links.

use std::fs;
use std::path::PathBuf;

use paralelo::{BuildOptions, build};

const TRANSLATION: &str = "Photo. - Agency\nPublished: 3 March 2025, 10:00\n\nFirst & <second>.\n";

/// `count` seeds dated a day apart, the last the newest, built with `base_url`.
fn site(count: usize, base_url: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    fs::create_dir(&seeds).unwrap();
    for i in 0..count {
        let day = 1 + i % 28;
        let month = 1 + i / 28;
        let seed = format!(
            "Foto. - Agencia\nPublicado: {day} {} 2025 10:00\n\nPrimera frase del artículo {i}. Segunda frase.\n",
            ["enero", "febrero", "marzo", "abril", "mayo", "junio"][month - 1]
        );
        fs::write(seeds.join(format!("a{i:03}.txt")), seed).unwrap();
        fs::write(seeds.join(format!("a{i:03}.en.txt")), TRANSLATION).unwrap();
    }
    let out = dir.path().join("public");
    let mut options = BuildOptions {
        seeds,
        out: out.clone(),
        ..Default::default()
    };
    options.site.base_url = base_url.map(str::to_string);
    let report = build(&options).unwrap();
    assert_eq!(report.pages, count);
    (dir, out)
}

#[test]
fn index_pages_hold_fifty_newest_first_with_relative_links() {
    let (_dir, out) = site(120, None);
    let first = fs::read_to_string(out.join("index.html")).unwrap();
    let second = fs::read_to_string(out.join("page/2/index.html")).unwrap();
    let third = fs::read_to_string(out.join("page/3/index.html")).unwrap();
    assert!(!out.join("page/4").exists());
    let count = |html: &str| html.matches("</li>").count();
    assert_eq!((count(&first), count(&second), count(&third)), (50, 50, 20));
    assert!(first.contains(r#"href="a119/index.html""#), "newest first");
    assert!(first.contains(r#"href="page/2/index.html" rel="next""#));
    assert!(second.contains(r#"href="../../index.html" rel="prev""#));
    assert!(second.contains(r#"href="../../page/3/index.html" rel="next""#));
    assert!(second.contains(r#"href="../../a069/index.html""#));
    assert!(second.contains(r#"href="../../style.css""#));
    // Both leads, and nothing absolute without a base URL.
    assert!(
        first.contains("Primera frase del artículo 119.")
            && first.contains("First &amp; &lt;second&gt;.")
    );
    assert!(!out.join("atom.xml").exists() && !out.join("sitemap.xml").exists());
    assert!(!first.contains("http://") && !first.contains("https://"));
    assert!(out.join("404.html").is_file());
}

#[test]
fn with_a_base_url_the_feed_and_sitemap_are_valid_and_absolute() {
    let (_dir, out) = site(3, Some("https://example.org/noticias/"));
    let atom = fs::read_to_string(out.join("atom.xml")).unwrap();
    let doc = roxmltree::Document::parse(&atom).expect("atom.xml is well-formed XML");
    let feed = doc.root_element();
    let ns = "http://www.w3.org/2005/Atom";
    assert_eq!(feed.tag_name().name(), "feed");
    fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
        node.children().find(|c| {
            c.tag_name().name() == name
                && c.tag_name().namespace() == Some("http://www.w3.org/2005/Atom")
        })
    }
    assert_eq!(feed.tag_name().namespace(), Some(ns));
    for required in ["id", "title", "updated", "author"] {
        assert!(child(feed, required).is_some(), "feed lacks <{required}>");
    }
    assert_eq!(
        child(feed, "updated").and_then(|u| u.text()),
        Some("2025-01-03T10:00:00+01:00")
    );
    let entries: Vec<_> = feed
        .children()
        .filter(|c| c.tag_name().name() == "entry")
        .collect();
    assert_eq!(entries.len(), 3);
    for entry in &entries {
        for required in ["id", "title", "updated", "link"] {
            assert!(
                child(*entry, required).is_some(),
                "entry lacks <{required}>"
            );
        }
        let href = child(*entry, "link")
            .and_then(|l| l.attribute("href"))
            .unwrap();
        assert!(
            href.starts_with("https://example.org/noticias/a00"),
            "{href}"
        );
    }

    let sitemap = fs::read_to_string(out.join("sitemap.xml")).unwrap();
    let doc = roxmltree::Document::parse(&sitemap).expect("sitemap.xml is well-formed XML");
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "loc")
        .filter_map(|n| n.text())
        .collect();
    // The index, three articles, the archive and its one month.
    assert_eq!(locs.len(), 6, "{locs:?}");
    assert!(
        locs.iter()
            .all(|l| l.starts_with("https://example.org/noticias/"))
    );
    let robots = fs::read_to_string(out.join("robots.txt")).unwrap();
    assert!(robots.contains("Sitemap: https://example.org/noticias/sitemap.xml"));

    let page = fs::read_to_string(out.join("a002/index.html")).unwrap();
    assert!(page.contains(r#"<link rel="canonical" href="https://example.org/noticias/a002/">"#));
    assert!(page.contains(r#"<meta property="og:title""#));
    let not_found = fs::read_to_string(out.join("404.html")).unwrap();
    assert!(not_found.contains(r#"href="https://example.org/noticias/style.css""#));
}
