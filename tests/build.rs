//! End-to-end builds of real seed folders, checked through the pages they write.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use paralelo::{BuildOptions, build};
use scraper::{Html, Selector};

const SHIPPED: &str = "000_df1e1d8b34815c19";

fn options(seeds: &Path, out: &Path) -> BuildOptions {
    BuildOptions {
        seeds: seeds.to_path_buf(),
        out: out.to_path_buf(),
        site: paralelo::config::SiteSettings {
            markdown_files: true,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn select<'a>(page: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    let selector = Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e}"));
    page.select(&selector).collect()
}

fn attr_set(elements: &[scraper::ElementRef<'_>], name: &str) -> BTreeSet<String> {
    elements
        .iter()
        .filter_map(|e| e.value().attr(name).map(str::to_string))
        .collect()
}

/// A seeds folder with the given files, in a fresh temporary folder that also holds the output.
fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    fs::create_dir(&seeds).unwrap();
    for (name, text) in files {
        fs::write(seeds.join(name), text).unwrap();
    }
    let out = dir.path().join("public");
    (dir, seeds, out)
}

#[test]
fn shipped_seed_builds_a_bilingual_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let report = build(&options(Path::new("seeds"), &out)).unwrap();
    assert_eq!(report.pages, 1);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);

    let page =
        Html::parse_document(&fs::read_to_string(out.join(SHIPPED).join("index.html")).unwrap());
    assert_eq!(
        attr_set(&select(&page, "html"), "lang"),
        BTreeSet::from(["es".to_string()])
    );
    let originals = select(&page, r#".pair > [lang="es"][data-p]"#);
    let translations = select(&page, r#".pair > [lang="en"][data-p]"#);
    let numbers: BTreeSet<String> = (1..=7).map(|k| k.to_string()).collect();
    assert_eq!(originals.len(), 7);
    assert_eq!(attr_set(&originals, "data-p"), numbers);
    assert_eq!(attr_set(&translations, "data-p"), numbers);

    let quotes_es = select(&page, r#"[lang="es"][data-p] q.quote"#);
    let quotes_en = select(&page, r#"[lang="en"][data-p] q.quote"#);
    let eight: BTreeSet<String> = (1..=8).map(|k| k.to_string()).collect();
    assert_eq!((quotes_es.len(), quotes_en.len()), (8, 8));
    assert_eq!(attr_set(&quotes_es, "data-quote"), eight);
    assert_eq!(attr_set(&quotes_en, "data-quote"), eight);
    // The marks are the author's own, inside the element.
    let first: String = quotes_es[0].text().collect();
    assert!(first.starts_with('"') && first.ends_with('"'), "{first}");

    let time = select(&page, "time[datetime]");
    assert_eq!(
        attr_set(&time, "datetime"),
        BTreeSet::from(["2025-11-05T13:34:00+01:00".to_string()])
    );
    let caption: String = select(&page, "figcaption")[0].text().collect();
    assert!(caption.contains("videoconferecnia") && caption.contains("Henry Nicholls/PA Wire/dpa"));
    let h1: String = select(&page, "h1")[0].text().collect();
    assert!(h1.trim().starts_with("Zelenski"), "{h1}");

    // Every link is relative and points at a file.
    for link in select(&page, "a[href], link[href], script[src]") {
        let url = link
            .value()
            .attr("href")
            .or(link.value().attr("src"))
            .unwrap();
        assert!(!url.contains("//") && !url.ends_with('/'), "{url}");
    }
    for lang in ["es", "en"] {
        let markdown = fs::read_to_string(out.join(SHIPPED).join(format!("{lang}.md"))).unwrap();
        assert!(markdown.starts_with("+++\n"), "{markdown}");
        assert!(markdown.contains(&format!("lang = \"{lang}\"")));
    }
    let index = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains(&format!(r#"href="{SHIPPED}/index.html""#)));
    assert!(out.join("style.css").is_file() && out.join("paralelo.js").is_file());
}

const SEED: &str = "Foto de archivo. - Agencia\nPublicado: lunes, 3 marzo 2025 10:00\n\nPrimer párrafo.\n\nSegundo párrafo.\n";
const TRANSLATION: &str = "Archive photo. - Agency\nPublished: Monday, 3 March 2025, 10:00\n\nFirst paragraph.\n\nSecond paragraph.\n";

#[test]
fn markup_in_a_seed_stays_visible_text() {
    let hostile = "<script>alert(1)</script> *x* {{ config }} [a](javascript:alert(1)) \"><img src=x onerror=alert(1)>";
    let seed = format!("{hostile}\n\n# no título\n\n1. no lista\n");
    let translation =
        "+++\ntitle = \"</title><script>alert(1)</script>\"\n+++\nOne.\n\nTwo.\n\nThree.\n";
    let (_dir, seeds, out) = project(&[("x.txt", &seed), ("x.en.txt", translation)]);
    build(&options(&seeds, &out)).unwrap();
    let html = fs::read_to_string(out.join("x/index.html")).unwrap();
    let page = Html::parse_document(&html);
    // Glosses travel as a JSON data block, which never runs and holds no `<`.
    for data in select(&page, r#"script[type="application/json"]"#) {
        assert!(!data.inner_html().contains('<'), "{}", data.inner_html());
    }
    let scripts: Vec<&str> = select(&page, r#"script:not([type="application/json"])"#)
        .iter()
        .map(|s| s.value().attr("src").unwrap_or("inline"))
        .collect();
    assert_eq!(
        scripts,
        [
            "../glosses.js",
            "../learner.js",
            "../speech.js",
            "../paralelo.js",
            "../search.js"
        ],
        "only the site's own scripts"
    );
    assert!(select(&page, "img").is_empty());
    assert!(select(&page, "a[href^=javascript]").is_empty());
    let paragraphs: Vec<String> = select(&page, r#"p[lang="es"][data-p]"#)
        .iter()
        .map(|p| p.text().collect())
        .collect();
    assert_eq!(paragraphs, [hostile, "# no título", "1. no lista"]);
    let title: String = select(&page, "title")[0].text().collect();
    assert!(
        title.contains("</title><script>alert(1)</script>"),
        "{title}"
    );
    let markdown = fs::read_to_string(out.join("x/es.md")).unwrap();
    assert!(markdown.contains("\\<script\\>"), "{markdown}");
}

#[test]
fn crlf_and_bom_seeds_build() {
    let seed = format!("\u{feff}{}", SEED.replace('\n', "\r\n"));
    let (_dir, seeds, out) = project(&[("a.txt", &seed), ("a.en.txt", TRANSLATION)]);
    build(&options(&seeds, &out)).unwrap();
    let page = Html::parse_document(&fs::read_to_string(out.join("a/index.html")).unwrap());
    assert_eq!(select(&page, "[data-p]").len(), 4);
    assert_eq!(
        attr_set(&select(&page, "time"), "datetime"),
        BTreeSet::from(["2025-03-03T10:00:00+01:00".to_string()])
    );
}

#[test]
fn failed_build_names_both_files_and_keeps_the_old_output() {
    let (_dir, seeds, out) = project(&[("a.txt", SEED), ("a.en.txt", TRANSLATION)]);
    build(&options(&seeds, &out)).unwrap();
    let before = fs::read_to_string(out.join("a/index.html")).unwrap();

    fs::write(seeds.join("a.en.txt"), "First paragraph only.\n").unwrap();
    let err = build(&options(&seeds, &out)).unwrap_err().to_string();
    assert!(err.contains("a.en.txt: 1 paragraphs, but"), "{err}");
    assert!(err.contains("a.txt has 2"), "{err}");
    assert!(err.contains("\"Segundo párrafo.\""), "{err}");
    assert!(err.contains("\"First paragraph only.\""), "{err}");
    assert_eq!(
        fs::read_to_string(out.join("a/index.html")).unwrap(),
        before
    );
}

#[test]
fn two_seeds_with_one_slug_are_an_error() {
    let other = "+++\nslug = \"A\"\n+++\nFirst paragraph.\n\nSecond paragraph.\n";
    let (_dir, seeds, out) = project(&[
        ("a.txt", SEED),
        ("a.en.txt", TRANSLATION),
        ("b.txt", SEED),
        ("b.en.txt", other),
    ]);
    let err = build(&options(&seeds, &out)).unwrap_err().to_string();
    assert!(err.contains("b.txt: has the slug `a`, like"), "{err}");
    assert!(err.contains("a.txt"), "{err}");
    assert!(!out.exists());
}

#[test]
fn index_lists_newest_first() {
    let later = SEED.replace("lunes, 3 marzo", "martes, 4 marzo");
    let (_dir, seeds, out) = project(&[
        ("a.txt", SEED),
        ("a.en.txt", TRANSLATION),
        ("b.txt", &later),
        ("b.en.txt", TRANSLATION),
    ]);
    build(&options(&seeds, &out)).unwrap();
    let index = Html::parse_document(&fs::read_to_string(out.join("index.html")).unwrap());
    let hrefs: Vec<&str> = select(&index, ".articles a")
        .iter()
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(hrefs, ["b/index.html", "a/index.html"]);
}

#[test]
fn cli_reports_bad_input_with_file_and_exit_code() {
    let (dir, seeds, _out) = project(&[("a.txt", "Publicado: 31 febrero 2025 10:00\n\nUno.\n")]);
    let output = Command::new(env!("CARGO_BIN_EXE_paralelo"))
        .current_dir(dir.path())
        .args(["build", "--seeds"])
        .arg(&seeds)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("a.txt:1: cannot read the date"), "{stderr}");
    assert!(!dir.path().join("public").exists());
}

#[test]
fn empty_seed_is_a_clear_error() {
    for text in [
        "",
        "\n\n  \n",
        "Foto - A\nPublicado: lunes, 3 marzo 2025 10:00\n",
    ] {
        let (_dir, seeds, out) = project(&[("a.txt", text)]);
        let err = build(&options(&seeds, &out)).unwrap_err().to_string();
        assert!(err.contains("a.txt: has no paragraphs"), "{err}");
    }
}

#[test]
fn latin1_seed_names_offset_and_builds_with_its_encoding() {
    let (_dir, seeds, out) = project(&[("a.en.txt", "One.\n")]);
    fs::write(seeds.join("a.txt"), b"Una ca\xf1a.\n").unwrap();
    let err = build(&options(&seeds, &out)).unwrap_err().to_string();
    assert!(
        err.contains("a.txt:1: not UTF-8: byte 0xF1 at offset 6"),
        "{err}"
    );
    assert!(err.contains("--encoding windows-1252"), "{err}");
    let latin = BuildOptions {
        encoding: encoding_rs::Encoding::for_label(b"windows-1252"),
        ..options(&seeds, &out)
    };
    build(&latin).unwrap();
    let html = fs::read_to_string(out.join("a/index.html")).unwrap();
    assert!(html.contains("Una caña."));
}

#[cfg(unix)]
#[test]
fn seed_linking_out_of_the_seeds_folder_is_refused() {
    let (dir, seeds, out) = project(&[]);
    let secret = dir.path().join("secret.txt");
    fs::write(&secret, "Secreto.\n").unwrap();
    std::os::unix::fs::symlink(&secret, seeds.join("a.txt")).unwrap();
    let err = build(&options(&seeds, &out)).unwrap_err().to_string();
    assert!(err.contains("outside the seeds folder"), "{err}");
}

#[test]
fn two_builds_are_byte_identical() {
    let (dir, seeds, out) = project(&[("a.txt", SEED), ("a.en.txt", TRANSLATION)]);
    build(&options(&seeds, &out)).unwrap();
    let first = dir.path().join("first");
    fs::rename(&out, &first).unwrap();
    build(&options(&seeds, &out)).unwrap();
    for name in ["index.html", "a/index.html", "a/es.md", "a/en.md"] {
        assert_eq!(
            fs::read(first.join(name)).unwrap(),
            fs::read(out.join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn a_build_killed_midway_leaves_a_whole_site() {
    let files: Vec<(String, String)> = (0..600)
        .flat_map(|i| {
            [
                (format!("s{i:04}.txt"), SEED.to_string()),
                (format!("s{i:04}.en.txt"), TRANSLATION.to_string()),
            ]
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let (dir, seeds, out) = project(&refs);
    build(&options(&seeds, &out)).unwrap();
    fs::write(
        seeds.join("s0000.txt"),
        SEED.replace("Primer", "Nuevo primer"),
    )
    .unwrap();

    for delay_ms in [5, 20, 60] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_paralelo"))
            .current_dir(dir.path())
            .arg("--seeds")
            .arg(&seeds)
            .arg("--out")
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL on Unix: no clean-up runs.
        child.wait().unwrap();

        // Old or new, the site is whole: every page the index pages link to is there.
        let mut articles = 0;
        let mut index_page = out.join("index.html");
        loop {
            let index = Html::parse_document(&fs::read_to_string(&index_page).unwrap());
            let here = index_page.parent().unwrap().to_path_buf();
            for link in select(&index, ".articles a") {
                let href = link.value().attr("href").unwrap();
                assert!(
                    here.join(href).is_file(),
                    "{href} missing after a kill at {delay_ms} ms"
                );
                articles += 1;
            }
            match select(&index, r#"a[rel="next"]"#).first() {
                Some(next) => index_page = here.join(next.value().attr("href").unwrap()),
                None => break,
            }
        }
        assert_eq!(articles, 600);
    }
    // The next build clears what the killed ones left behind.
    build(&options(&seeds, &out)).unwrap();
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("paralelo"))
        // The state folder (with the site's id, kept from the first build on) is no leftover,
        // nor is the spare tree that the next full build writes into.
        .filter(|e| e.file_name() != ".paralelo" && e.file_name() != ".public.paralelo-spare")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let page = fs::read_to_string(out.join("s0000/index.html")).unwrap();
    assert!(page.contains("Nuevo primer"));
}

fn paralelo(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_paralelo"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn check_lists_every_problem_and_writes_nothing() {
    let (dir, _seeds, _out) = project(&[
        ("a.txt", SEED),
        ("a.en.txt", "Only one paragraph.\n"),
        ("b.txt", "Publicado: 31 febrero 2025 10:00\n\nUno.\n"),
        ("c.txt", SEED),
        ("c.en.txt", TRANSLATION),
    ]);
    let output = paralelo(dir.path(), &["check"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("a.en.txt: 1 paragraphs"), "{stderr}");
    assert!(stderr.contains("b.txt:1: cannot read the date"), "{stderr}");
    assert!(!stderr.contains("c.txt"), "{stderr}");
    assert!(!dir.path().join("public").exists());

    fs::remove_file(dir.path().join("seeds/b.txt")).unwrap();
    fs::write(dir.path().join("seeds/a.en.txt"), TRANSLATION).unwrap();
    let output = paralelo(dir.path(), &["check"]);
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("checked 2 articles: no errors"), "{stdout}");
    assert!(!dir.path().join("public").exists());
}

#[test]
fn new_writes_a_skeleton_once() {
    let (dir, seeds, _out) = project(&[("a.txt", SEED)]);
    let output = paralelo(dir.path(), &["new", "a"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let skeleton = fs::read_to_string(seeds.join("a.en.txt")).unwrap();
    assert!(
        skeleton.contains("Published: Monday, 3 March 2025, 10:00"),
        "{skeleton}"
    );
    assert!(
        skeleton.contains("[Translate paragraph 2: \"Segundo párrafo.\"]"),
        "{skeleton}"
    );

    fs::write(seeds.join("a.en.txt"), "my work").unwrap();
    let output = paralelo(dir.path(), &["new", "a"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("never overwrites"));
    assert_eq!(
        fs::read_to_string(seeds.join("a.en.txt")).unwrap(),
        "my work"
    );
}

#[test]
fn quiet_build_prints_nothing_and_summary_counts_pages() {
    let (dir, _seeds, _out) = project(&[("a.txt", SEED), ("a.en.txt", TRANSLATION)]);
    let output = paralelo(dir.path(), &["build"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("built 1 page in "), "{stdout}");
    assert!(stdout.trim_end().ends_with("public/index.html"), "{stdout}");
    let output = paralelo(dir.path(), &["--quiet"]);
    assert!(output.status.success());
    assert!(output.stdout.is_empty() && output.stderr.is_empty());
}

#[test]
fn a_users_file_in_the_output_is_never_deleted() {
    let (dir, seeds, out) = project(&[("a.txt", SEED), ("a.en.txt", TRANSLATION)]);
    build(&options(&seeds, &out)).unwrap();
    fs::write(out.join("CNAME"), "news.example.org\n").unwrap();
    fs::create_dir(out.join("extra")).unwrap();
    fs::write(out.join("extra/verify.html"), "mine").unwrap();

    // An incremental rebuild, then a full one (new templates) keep them.
    fs::write(seeds.join("a.txt"), SEED.replace("Primer", "Otro")).unwrap();
    build(&options(&seeds, &out)).unwrap();
    let templates = dir.path().join("templates");
    fs::create_dir(&templates).unwrap();
    for name in ["base.html", "article.html", "index.html", "404.html"] {
        fs::copy(Path::new("templates").join(name), templates.join(name)).unwrap();
    }
    let full = BuildOptions {
        templates: Some(templates),
        ..options(&seeds, &out)
    };
    build(&full).unwrap();
    assert_eq!(
        fs::read_to_string(out.join("CNAME")).unwrap(),
        "news.example.org\n"
    );
    assert_eq!(
        fs::read_to_string(out.join("extra/verify.html")).unwrap(),
        "mine"
    );
    assert!(
        fs::read_to_string(out.join("a/index.html"))
            .unwrap()
            .contains("Otro párrafo")
    );
}

#[test]
fn force_builds_into_a_users_folder_and_keeps_its_files() {
    let (dir, seeds, _out) = project(&[("a.txt", SEED), ("a.en.txt", TRANSLATION)]);
    let site = dir.path().join("site");
    fs::create_dir(&site).unwrap();
    fs::write(site.join("notes.txt"), "keep me").unwrap();
    let err = build(&options(&seeds, &site)).unwrap_err().to_string();
    assert!(err.contains("--force"), "{err}");

    let forced = BuildOptions {
        force: true,
        ..options(&seeds, &site)
    };
    build(&forced).unwrap();
    assert_eq!(
        fs::read_to_string(site.join("notes.txt")).unwrap(),
        "keep me"
    );
    assert!(site.join("a/index.html").is_file());

    // A file of the user's where the build would write its own stops the build.
    let other = dir.path().join("other");
    fs::create_dir(&other).unwrap();
    fs::write(other.join("index.html"), "my home page").unwrap();
    let err = build(&BuildOptions {
        force: true,
        ..options(&seeds, &other)
    })
    .unwrap_err()
    .to_string();
    assert!(err.contains("index.html: is not paralelo's"), "{err}");
    assert_eq!(
        fs::read_to_string(other.join("index.html")).unwrap(),
        "my home page"
    );
}

#[test]
fn a_50_mb_seed_is_refused_and_the_old_output_kept() {
    let (_dir, seeds, out) = project(&[("a.txt", SEED), ("a.en.txt", TRANSLATION)]);
    build(&options(&seeds, &out)).unwrap();
    let before = fs::read_to_string(out.join("a/index.html")).unwrap();
    let paragraph = "Una frase larga de un teletipo pegado entero. ".repeat(100);
    let mut huge = String::from("Foto - A\nPublicado: lunes, 3 marzo 2025 10:00\n\n");
    while huge.len() < 50_000_000 {
        huge.push_str(&paragraph);
        huge.push_str("\n\n");
    }
    fs::write(seeds.join("b.txt"), &huge).unwrap();
    fs::write(seeds.join("b.en.txt"), TRANSLATION).unwrap();
    let err = build(&options(&seeds, &out)).unwrap_err().to_string();
    assert!(
        err.contains("b.txt: is larger than 1 MB (50.0 MB)") && err.contains("split it"),
        "{err}"
    );
    // A translation is held to the same bound.
    fs::write(seeds.join("b.txt"), SEED).unwrap();
    fs::write(seeds.join("b.en.txt"), &huge).unwrap();
    let err = build(&options(&seeds, &out)).unwrap_err().to_string();
    assert!(err.contains("b.en.txt: is larger than 1 MB"), "{err}");
    assert_eq!(
        fs::read_to_string(out.join("a/index.html")).unwrap(),
        before
    );
    assert!(!out.join("b").exists());
}

#[test]
fn a_10000_character_paragraph_makes_a_whole_page() {
    let sentences_es: Vec<String> = (1..=80)
        .map(|k| format!("La frase número {k} dice «algo breve» sobre el presupuesto de 2025, según el ministerio."))
        .collect();
    let sentences_en: Vec<String> = (1..=80)
        .map(|k| format!("Sentence number {k} says “something short” about the 2025 budget, according to the ministry."))
        .collect();
    let long_es = sentences_es.join(" ");
    let long_en = sentences_en.join(" ");
    // And one with no sentence end at all, like a pasted list.
    let run_on_es = "palabra, ".repeat(1200);
    let run_on_en = "word, ".repeat(1800);
    assert!(long_es.chars().count() > 7000 && run_on_es.chars().count() > 10_000);
    let seed = format!(
        "Foto - A\nPublicado: lunes, 3 marzo 2025 10:00\n\n{long_es}\n\n{run_on_es}\n\nÚltimo párrafo sin fin de línea."
    );
    let translation = format!(
        "Photo - A\nPublished: Monday, 3 March 2025, 10:00\n\n{long_en}\n\n{run_on_en}\n\nLast paragraph with no line end."
    );
    let (_dir, seeds, out) = project(&[("a.txt", &seed), ("a.en.txt", &translation)]);
    let started = std::time::Instant::now();
    build(&options(&seeds, &out)).unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(30));

    let page = Html::parse_document(&fs::read_to_string(out.join("a/index.html")).unwrap());
    let first_es: String = select(&page, r#".pair > [lang="es"][data-p="1"]"#)[0]
        .text()
        .collect();
    assert_eq!(
        first_es.split_whitespace().collect::<Vec<_>>().join(" "),
        long_es
    );
    // Every sentence is marked and has its twin (a sentence around a quotation comes in
    // pieces that share its number); every quotation too.
    let sentences_es = attr_set(&select(&page, r#"[lang="es"][data-p="1"] .s"#), "data-a");
    let sentences_en = attr_set(&select(&page, r#"[lang="en"][data-p="1"] .s"#), "data-a");
    assert_eq!(sentences_es.len(), 80);
    assert_eq!(sentences_es, sentences_en);
    assert_eq!(select(&page, r#".pair > [lang="es"] q.quote"#).len(), 80);
    let run_on: String = select(&page, r#".pair > [lang="es"][data-p="2"]"#)[0]
        .text()
        .collect();
    assert_eq!(run_on.trim(), run_on_es.trim());
    let last: String = select(&page, r#".pair > [lang="en"][data-p="3"]"#)[0]
        .text()
        .collect();
    assert_eq!(last.trim(), "Last paragraph with no line end.");
}

#[test]
fn odd_file_names_give_safe_slugs_inside_the_output() {
    let long = "ñ".repeat(120); // 240 bytes, near the file system's limit on a name
    let names = [
        "con espacios y Acentos Ñandú.txt".to_string(),
        "..txt".to_string(),
        "...txt".to_string(),
        "%2f..%2fetc%2fpasswd.txt".to_string(),
        "a%2F..%5C..txt".to_string(),
        "<script>alert(1)<%2fscript>.txt".to_string(),
        format!("{long}.txt"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("project/seeds");
    let out = dir.path().join("project/public");
    fs::create_dir_all(&seeds).unwrap();
    for (i, name) in names.iter().enumerate() {
        let stem = name.strip_suffix(".txt").unwrap();
        // Distinct dates keep the index order known; each seed says which file it came from.
        let seed = SEED
            .replace("10:00", &format!("10:{i:02}"))
            .replace("Primer párrafo", &format!("Seed {i}"));
        fs::write(seeds.join(name), seed).unwrap();
        fs::write(seeds.join(format!("{stem}.en.txt")), TRANSLATION).unwrap();
    }
    // A slug asked for in front matter is made safe the same way.
    fs::write(seeds.join("front.txt"), SEED.replace("10:00", "11:00")).unwrap();
    fs::write(
        seeds.join("front.en.txt"),
        format!(
            "+++\nslug = \"../../{}/%2e%2e/x\"\n+++\n{TRANSLATION}",
            "y".repeat(300)
        ),
    )
    .unwrap();
    build(&options(&seeds, &out)).unwrap();

    // Everything written is inside the output folder.
    let outside: Vec<_> = walkdir::WalkDir::new(dir.path())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| !e.path().starts_with(&out) && !e.path().starts_with(&seeds))
        .map(|e| e.path().to_path_buf())
        .collect();
    assert!(outside.is_empty(), "{outside:?}");
    let slugs: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("index.html").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "archive")
        .collect();
    assert_eq!(slugs.len(), names.len() + 1, "{slugs:?}");
    for slug in &slugs {
        assert!(
            !slug.is_empty()
                && slug.len() <= 80
                && slug.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'-'
                    || b == b'_'),
            "unsafe slug {slug:?}"
        );
    }
    assert!(slugs.contains(&"con-espacios-y-acentos-nandu".to_string()));
    // Each page is its own seed's, and the index links to every one.
    let index = fs::read_to_string(out.join("index.html")).unwrap();
    for slug in &slugs {
        assert!(
            index.contains(&format!("href=\"{slug}/index.html\"")),
            "{slug}"
        );
    }
    let page = fs::read_to_string(out.join("con-espacios-y-acentos-nandu/index.html")).unwrap();
    assert!(page.contains("Seed 0."));
}

#[test]
fn by_default_an_article_is_one_page_and_its_markdown_stays_unpublished() {
    let (_dir, seeds, out) = project(&[("a.txt", SEED), ("a.en.txt", TRANSLATION)]);
    build(&BuildOptions {
        glosses: false,
        ..BuildOptions {
            seeds: seeds.clone(),
            out: out.clone(),
            ..Default::default()
        }
    })
    .unwrap();
    let files: Vec<String> = fs::read_dir(out.join("a"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["index.html"]);
    let page = fs::read_to_string(out.join("a/index.html")).unwrap();
    assert!(!page.contains("es.md") && !page.contains("Markdown sources"));
}
