//! The pages of people, places, organisations and topics, on a small hand-written fixture with
//! known names (tests/fixtures/entities): each page lists exactly its articles, newest first;
//! the overviews, feeds and sitemap; topics without Apertium; a one-seed rebuild rewrites only
//! the entity pages that change. The tests of names need Apertium's Spanish–English pair
//! (skipped without it, failing under PARALELO_REQUIRE_TOOLS as .ci/run sets it).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use paralelo::{BuildOptions, build};

mod common;

fn apertium(test: &str) -> bool {
    let installed = ["/usr/share/apertium", "/usr/local/share/apertium"]
        .iter()
        .any(|d| {
            Path::new(d)
                .join("apertium-eng-spa/spa-eng.automorf.bin")
                .is_file()
        });
    common::tools_present(
        test,
        &[("apertium-eng-spa", installed)],
        "apt-get install apertium-eng-spa",
    )
}

/// The fixture in a new project, with a base URL (for feeds and sitemap) and glosses as given.
fn project(glosses: bool) -> (tempfile::TempDir, BuildOptions) {
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    fs::create_dir(&seeds).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/entities");
    for entry in fs::read_dir(fixture).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, seeds.join(path.file_name().unwrap())).unwrap();
    }
    let options = BuildOptions {
        seeds,
        out: dir.path().join("public"),
        state: dir.path().join(".paralelo"),
        machine: None,
        glosses,
        site: paralelo::config::SiteSettings {
            base_url: Some("https://example.org/news/".to_string()),
            ..Default::default()
        },
        ..Default::default()
    };
    (dir, options)
}

/// The slugs of the articles a list page links, in order.
fn listed(out: &Path, page: &str) -> Vec<String> {
    let html = fs::read_to_string(out.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
    let list = html.split("<ol class=\"articles\">").nth(1).unwrap();
    let list = list.split("</ol>").next().unwrap();
    list.split("href=\"../../")
        .skip(1)
        .map(|rest| rest.split('/').next().unwrap().to_string())
        .collect()
}

/// The entity pages of a kind's folder, by slug.
fn pages(out: &Path, folder: &str) -> Vec<String> {
    let mut found: Vec<String> = fs::read_dir(out.join(folder))
        .unwrap()
        .filter_map(|e| {
            let e = e.unwrap();
            e.file_type()
                .unwrap()
                .is_dir()
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .collect();
    found.sort();
    found
}

#[test]
fn entity_pages_list_their_articles_newest_first() {
    if !apertium("entity_pages_list_their_articles_newest_first") {
        return;
    }
    let (_dir, options) = project(true);
    build(&options).unwrap();
    let out = &options.out;
    // Named in two articles or more; Bruselas and París once only, so no page.
    assert_eq!(
        pages(out, "people"),
        ["emmanuel-macron", "friedrich-merz", "volodimir-zelenski"]
    );
    assert_eq!(pages(out, "places"), ["kiev"]);
    assert_eq!(pages(out, "organisations"), ["otan"]);
    // "Zelenski" alone is the Volodimir Zelenski of the other article.
    assert_eq!(
        listed(out, "people/volodimir-zelenski/index.html"),
        ["a2", "a1"]
    );
    assert_eq!(
        listed(out, "people/friedrich-merz/index.html"),
        ["a4", "a2"]
    );
    assert_eq!(
        listed(out, "people/emmanuel-macron/index.html"),
        ["a4", "a3"]
    );
    // Kiev in Spanish, Kyiv in English: one place, shown with both spellings.
    assert_eq!(listed(out, "places/kiev/index.html"), ["a2", "a1"]);
    let kiev = fs::read_to_string(out.join("places/kiev/index.html")).unwrap();
    assert!(kiev.contains("Kyiv"), "{kiev}");
    // entities.toml: the Alianza Atlántica is the OTAN, NATO in English.
    assert_eq!(
        listed(out, "organisations/otan/index.html"),
        ["a4", "a3", "a1"]
    );
    let otan = fs::read_to_string(out.join("organisations/otan/index.html")).unwrap();
    assert!(otan.contains("NATO"));

    // The overviews link each page, most articles first.
    let people = fs::read_to_string(out.join("people/index.html")).unwrap();
    let order: Vec<usize> = ["friedrich-merz/", "emmanuel-macron/", "volodimir-zelenski/"]
        .iter()
        .map(|href| {
            people
                .find(href)
                .unwrap_or_else(|| panic!("{href}: {people}"))
        })
        .collect();
    assert!(order.iter().all(|&at| at > 0));
    assert!(
        fs::read_to_string(out.join("organisations/index.html"))
            .unwrap()
            .contains("href=\"otan/index.html\"")
    );

    // Each article links its entities with pages, and not the others.
    let a3 = fs::read_to_string(out.join("a3/index.html")).unwrap();
    assert!(a3.contains("href=\"../organisations/otan/index.html\""));
    assert!(a3.contains("href=\"../people/emmanuel-macron/index.html\""));
    assert!(!a3.contains("bruselas"));

    // A feed per entity, valid Atom with its articles; the pages in the sitemap.
    let feed = fs::read_to_string(out.join("places/kiev/atom.xml")).unwrap();
    let doc = roxmltree::Document::parse(&feed).expect("well-formed Atom");
    let root = doc.root_element();
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    let ids: Vec<&str> = root
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .map(|e| {
            e.children()
                .find(|n| n.has_tag_name("id"))
                .unwrap()
                .text()
                .unwrap()
        })
        .collect();
    assert_eq!(
        ids,
        [
            "https://example.org/news/a2/",
            "https://example.org/news/a1/"
        ]
    );
    let link = root
        .children()
        .find(|n| n.has_tag_name("link") && n.attribute("rel") == Some("self"));
    assert_eq!(
        link.and_then(|l| l.attribute("href")),
        Some("https://example.org/news/places/kiev/atom.xml")
    );
    let sitemap = fs::read_to_string(out.join("sitemap.xml")).unwrap();
    roxmltree::Document::parse(&sitemap).expect("well-formed sitemap");
    for loc in [
        "https://example.org/news/people/volodimir-zelenski/",
        "https://example.org/news/places/",
        "https://example.org/news/organisations/otan/",
        "https://example.org/news/topics/guerra-en-ucrania/",
    ] {
        assert!(sitemap.contains(&format!("<loc>{loc}</loc>")), "{loc}");
    }
}

/// Every file under the entity folders with its modification time and bytes.
fn entity_files(out: &Path) -> BTreeMap<PathBuf, (SystemTime, Vec<u8>)> {
    let mut files = BTreeMap::new();
    for folder in ["people", "places", "organisations", "topics"] {
        for entry in walkdir(&out.join(folder)) {
            let meta = fs::metadata(&entry).unwrap();
            files.insert(
                entry.strip_prefix(out).unwrap().to_path_buf(),
                (meta.modified().unwrap(), fs::read(&entry).unwrap()),
            );
        }
    }
    files
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return found;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walkdir(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[test]
fn one_seed_rebuild_rewrites_only_the_entity_pages_that_change() {
    if !apertium("one_seed_rebuild_rewrites_only_the_entity_pages_that_change") {
        return;
    }
    let (_dir, options) = project(true);
    build(&options).unwrap();
    let before = entity_files(&options.out);
    let a3_before = fs::read_to_string(options.out.join("a3/index.html")).unwrap();
    // The files beside a3's page (its word list), which its links do not change.
    let beside = |out: &Path| -> BTreeMap<PathBuf, Vec<u8>> {
        walkdir(&out.join("a3"))
            .into_iter()
            .filter(|p| p.file_name().is_some_and(|n| n != "index.html"))
            .map(|p| (p.clone(), fs::read(&p).unwrap()))
            .collect()
    };
    let a3_beside = beside(&options.out);
    assert!(
        a3_beside.keys().any(|p| p.ends_with("words.js")),
        "a3's word list"
    );
    // Modification times are coarse on some file systems.
    std::thread::sleep(std::time::Duration::from_millis(20));
    // a4 no longer names Macron (in its second paragraph: its lead, and so its summary, stay).
    for (file, from, to) in [
        (
            "a4.txt",
            "También habló con el presidente francés, Emmanuel Macron.",
            "También habló con la prensa.",
        ),
        (
            "a4.en.txt",
            "He also spoke with French President Emmanuel Macron.",
            "He also spoke with the press.",
        ),
    ] {
        let path = options.seeds.join(file);
        let text = fs::read_to_string(&path).unwrap().replace(from, to);
        fs::write(&path, text).unwrap();
    }
    let report = build(&options).unwrap();
    assert_eq!(report.remade, 1);
    let after = entity_files(&options.out);
    let mut changed: Vec<String> = Vec::new();
    for (path, (time, bytes)) in &before {
        match after.get(path) {
            None => changed.push(format!("-{}", path.display())),
            Some((t, b)) if t != time || b != bytes => changed.push(format!("~{}", path.display())),
            Some(_) => {}
        }
    }
    changed.extend(
        (after.keys())
            .filter(|p| !before.contains_key(*p))
            .map(|p| format!("+{}", p.display())),
    );
    assert_eq!(
        changed,
        [
            "-people/emmanuel-macron/atom.xml",
            "-people/emmanuel-macron/index.html",
            "~people/index.html",
        ]
    );
    // a3's page no longer links Macron, who has no page now; the files beside it (made again
    // with the page only) are all still there, unchanged.
    let a3 = fs::read_to_string(options.out.join("a3/index.html")).unwrap();
    assert!(a3_before.contains("emmanuel-macron") && !a3.contains("emmanuel-macron"));
    assert_eq!(beside(&options.out), a3_beside);
    assert!(
        !fs::read_to_string(options.out.join("sitemap.xml"))
            .unwrap()
            .contains("emmanuel-macron")
    );

    // A rebuild with nothing changed writes none of them.
    let before = entity_files(&options.out);
    build(&options).unwrap();
    assert_eq!(before, entity_files(&options.out));

    // An edit that keeps a4's names, links and listing writes no entity page, and does not
    // read or write the names kept for the other articles.
    let state_files = |name: &str| -> Vec<(PathBuf, SystemTime)> {
        walkdir(&options.state)
            .into_iter()
            .filter(|p| p.file_name().is_some_and(|n| n == name))
            .map(|p| (p.clone(), fs::metadata(&p).unwrap().modified().unwrap()))
            .collect()
    };
    let (names, entities) = (state_files("names"), state_files("entities"));
    assert_eq!((names.len(), entities.len()), (1, 1));
    std::thread::sleep(std::time::Duration::from_millis(20));
    edit(
        &options.seeds,
        "a4",
        "con la prensa.",
        "con la prensa extranjera.",
    );
    edit(
        &options.seeds,
        "a4",
        "with the press.",
        "with the foreign press.",
    );
    let report = build(&options).unwrap();
    assert_eq!(report.remade, 1);
    assert_eq!(before, entity_files(&options.out));
    assert_eq!(
        (state_files("names"), state_files("entities")),
        (names, entities)
    );
    let a4 = fs::read_to_string(options.out.join("a4/index.html")).unwrap();
    assert!(a4.contains("extranjera") && a4.contains("friedrich-merz"));

    // A new headline for a4 changes what the pages listing it show: those alone are written.
    edit(
        &options.seeds,
        "a4",
        "title = \"Merz meets",
        "title = \"Merz sees",
    );
    let report = build(&options).unwrap();
    assert_eq!(report.remade, 1);
    let after = entity_files(&options.out);
    let rewritten: Vec<&Path> = (before.iter())
        .filter(|(path, (time, _))| after.get(*path).is_none_or(|(t, _)| t != time))
        .map(|(path, _)| path.as_path())
        .collect();
    let listing_a4: Vec<PathBuf> = (before.keys())
        .filter(|path| {
            path.ends_with("index.html")
                && path.components().count() == 3
                && listed(&options.out, &path.to_string_lossy()).contains(&"a4".to_string())
        })
        .cloned()
        .collect();
    assert!(!listing_a4.is_empty());
    for page in &listing_a4 {
        assert!(rewritten.contains(&page.as_path()), "{}", page.display());
        let html = fs::read_to_string(options.out.join(page)).unwrap();
        assert!(html.contains("Merz sees"), "{}", page.display());
    }
    // Pages (and feeds) of entities a4 does not name are as they were.
    assert!(
        rewritten
            .iter()
            .all(|p| listing_a4.iter().any(|l| l.parent() == p.parent())),
        "{rewritten:?}"
    );
}

/// Replaces `from` by `to` in the seed `stem` or its translation, whichever holds it.
fn edit(seeds: &Path, stem: &str, from: &str, to: &str) {
    for file in [format!("{stem}.txt"), format!("{stem}.en.txt")] {
        let path = seeds.join(file);
        let text = fs::read_to_string(&path).unwrap();
        if text.contains(from) {
            fs::write(&path, text.replace(from, to)).unwrap();
            return;
        }
    }
    panic!("{from} is in neither file of {stem}");
}

#[test]
fn topics_work_without_the_analysis() {
    let (_dir, options) = project(false);
    let report = build(&options).unwrap();
    let out = &options.out;
    assert_eq!(
        listed(out, "topics/guerra-en-ucrania/index.html"),
        ["a2", "a1"]
    );
    assert_eq!(listed(out, "topics/diplomacia/index.html"), ["a2"]);
    assert!(
        fs::read_to_string(out.join("topics/index.html"))
            .unwrap()
            .contains("href=\"guerra-en-ucrania/index.html\"")
    );
    assert!(
        fs::read_to_string(out.join("a1/index.html"))
            .unwrap()
            .contains("href=\"../topics/guerra-en-ucrania/index.html\"")
    );
    roxmltree::Document::parse(
        &fs::read_to_string(out.join("topics/diplomacia/atom.xml")).unwrap(),
    )
    .unwrap();
    // Without the analysis, no people, places or organisations, and the build says so once.
    assert!(!out.join("people").exists() && !out.join("places").exists());
    let notes: Vec<&String> = (report.notes.iter())
        .filter(|n| n.contains("need the word analysis"))
        .collect();
    assert_eq!(notes.len(), 1, "{:?}", report.notes);
}

#[test]
fn a_long_list_is_paged_as_the_index_is() {
    let (_dir, options) = project(false);
    // 118 more articles with a1's topic: 120 in all, on pages of 50, 50 and 20.
    for i in 0..118 {
        for (from, to) in [
            ("a1.txt", format!("b{i:03}.txt")),
            ("a1.en.txt", format!("b{i:03}.en.txt")),
        ] {
            fs::copy(options.seeds.join(from), options.seeds.join(to)).unwrap();
        }
    }
    build(&options).unwrap();
    let folder = options.out.join("topics/guerra-en-ucrania");
    let mut seen = Vec::new();
    for (number, path, count) in [
        (1, folder.join("index.html"), 50),
        (2, folder.join("page/2/index.html"), 50),
        (3, folder.join("page/3/index.html"), 20),
    ] {
        let html = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            html.contains(&format!("Page {number} of 3")),
            "{}",
            path.display()
        );
        assert!(html.contains("Named in 120 articles"));
        let here = path.parent().unwrap();
        let hrefs = |html: &str| -> Vec<String> {
            html.split("href=\"")
                .skip(1)
                .map(|rest| rest.split('"').next().unwrap().to_string())
                .collect()
        };
        let list = html.split("<ol class=\"articles\">").nth(1).unwrap();
        let list = list.split("</ol>").next().unwrap();
        let articles = hrefs(list);
        assert_eq!(articles.len(), count, "{}", path.display());
        // Every link of the page leads to a file of the site.
        for href in hrefs(&html)
            .iter()
            .filter(|h| !h.starts_with("http") && !h.starts_with('#'))
        {
            let target = here.join(href);
            assert!(target.is_file(), "{} links {href}", path.display());
        }
        seen.extend(articles.iter().map(|h| {
            let target = fs::canonicalize(here.join(h)).unwrap();
            target
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        }));
    }
    assert!(!folder.join("page/4").exists());
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (120, 120));
    // Newest first across the pages: a2 (2 March) heads page 1; a1 and its copies (1 March)
    // follow by slug.
    assert_eq!(&seen[..3], ["a2", "a1", "b000"]);
    assert_eq!(seen.last().unwrap(), "b117");
    // The feed holds the newest 100.
    let feed = fs::read_to_string(folder.join("atom.xml")).unwrap();
    assert_eq!(feed.matches("<entry>").count(), 100);
}

#[test]
fn a_bad_entities_file_is_an_error_naming_its_line() {
    let (_dir, options) = project(false);
    let path = options.seeds.join("entities.toml");
    fs::write(&path, "[[person]]\nname = \"Ana\"\nrole = \"x\"\n").unwrap();
    let error = build(&options).unwrap_err().to_string();
    assert!(error.contains("entities.toml:3"), "{error}");
    assert!(error.contains("role"), "{error}");
    assert!(!options.out.exists());
}

#[test]
fn reserved_folders_stay_reserved() {
    for folder in ["people", "places", "organisations", "topics"] {
        let (_dir, options) = project(false);
        let path = options.seeds.join("a1.en.txt");
        let text = fs::read_to_string(&path)
            .unwrap()
            .replace("+++\ntitle", &format!("+++\nslug = \"{folder}\"\ntitle"));
        fs::write(&path, text).unwrap();
        let error = build(&options).unwrap_err().to_string();
        assert!(
            error.contains(&format!("the site's own folder `{folder}/`")),
            "{error}"
        );
    }
}
