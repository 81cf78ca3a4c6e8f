//! Seeds without a translation get one from Apertium, offline, aligned sentence by sentence.
//!
//! These run the real engine (Debian's apertium and apertium-eng-spa): without it they say
//! SKIPPED, unless PARALELO_REQUIRE_TOOLS is set (as .ci/run does).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use paralelo::config::MachineSettings;
use paralelo::{BuildOptions, build};
use scraper::{Html, Selector};

mod common;

fn engine_present(test: &str) -> bool {
    let present = common::runs("apertium", &["-l"])
        && Path::new("/usr/share/apertium/modes/spa-eng.mode").is_file();
    common::tools_present(
        test,
        &[("apertium with apertium-eng-spa", present)],
        "run .ci/run, or apt-get install apertium apertium-eng-spa",
    )
}

const SEED: &str = "Foto de archivo del Congreso. - Europa Press
Publicado: jueves, 10 julio 2025 09:05

El Gobierno aprobó ayer el plan de vivienda. La ministra dijo que «la vivienda es un derecho, no un negocio» y pidió apoyo.

¿Qué pasará ahora? El portavoz afirmó: \"Esperamos 1.500 viviendas nuevas\". Zelenski no comentó.

La oposición habló de «un plan “imposible” de cumplir» y de ‘propaganda’. Otro dijo «sin cierre.
";

fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, BuildOptions) {
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    fs::create_dir(&seeds).unwrap();
    for (name, text) in files {
        fs::write(seeds.join(name), text).unwrap();
    }
    let options = BuildOptions {
        machine: Some(MachineSettings::apertium("es", "en", &seeds)),
        seeds,
        out: dir.path().join("public"),
        site: paralelo::config::SiteSettings {
            markdown_files: true,
            ..Default::default()
        },
        ..Default::default()
    };
    (dir, options)
}

fn select<'a>(page: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    page.select(&Selector::parse(css).unwrap()).collect()
}

/// The data-a groups of one language, each with the text of its sentences.
fn groups(page: &Html, lang: &str) -> BTreeMap<String, String> {
    let mut groups = BTreeMap::new();
    for s in select(page, &format!(r#"p[lang="{lang}"][data-p] .s"#)) {
        let text: String = s.text().collect();
        groups
            .entry(s.value().attr("data-a").unwrap().to_string())
            .or_insert_with(String::new)
            .push_str(&text);
    }
    groups
}

fn quote_numbers(page: &Html, lang: &str) -> Vec<String> {
    select(page, &format!(r#"p[lang="{lang}"][data-p] q.quote"#))
        .iter()
        .map(|q| q.value().attr("data-quote").unwrap().to_string())
        .collect()
}

#[test]
fn a_seed_without_translation_is_translated_sentence_by_sentence() {
    if !engine_present("a_seed_without_translation_is_translated_sentence_by_sentence") {
        return;
    }
    let (_dir, options) = project(&[("vivienda.txt", SEED)]);
    let report = build(&options).unwrap();
    assert_eq!((report.pages, report.machine_translated), (1, 1));
    let html = fs::read_to_string(options.out.join("vivienda/index.html")).unwrap();
    let page = Html::parse_document(&html);
    assert!(html.contains("Machine translation (Apertium spa-eng)"));
    // The index says so too, from a full build and from the manifest a rebuild reads.
    let index = || fs::read_to_string(options.out.join("index.html")).unwrap();
    assert!(index().contains("(machine translation)"), "{}", index());
    fs::remove_file(options.out.join("index.html")).unwrap();
    build(&options).unwrap();
    assert!(index().contains("(machine translation)"));

    // One English sentence for each Spanish one, in the same groups.
    let (es, en) = (groups(&page, "es"), groups(&page, "en"));
    assert_eq!(es.keys().collect::<Vec<_>>(), en.keys().collect::<Vec<_>>());
    assert_eq!(es.len(), 7, "{es:?}");
    assert!(en.values().all(|s| !s.trim().is_empty()), "{en:?}");

    // Quotations keep their twins: «», "", nested “” inside «», ‘’; the unclosed one is left out
    // on both sides.
    let numbers = quote_numbers(&page, "es");
    assert_eq!(numbers, ["1", "2", "3", "4"]);
    assert_eq!(quote_numbers(&page, "en"), numbers);
    let english: String = select(&page, r#"p[lang="en"][data-p]"#)
        .iter()
        .flat_map(|p| p.text())
        .collect();
    assert!(
        english.contains('«') && english.contains('“') && english.contains('‘'),
        "{english}"
    );
    assert!(
        !english.contains('*') && !english.contains('#') && !english.contains('@'),
        "{english}"
    );
    assert!(english.starts_with("The Government"), "{english}");
    // What the engine did not know stays in Spanish, marked, never with an asterisk.
    let unknown: BTreeSet<String> = select(&page, r#"p[lang="en"] .untranslated"#)
        .iter()
        .map(|u| u.text().collect())
        .collect();
    assert!(unknown.contains("Zelenski"), "{unknown:?}");
    // The headlines: the lead's first sentence, and its machine translation.
    let h1: String = select(&page, r#"h1 [lang="es"]"#)[0].text().collect();
    assert_eq!(h1, "El Gobierno aprobó ayer el plan de vivienda.");
    let markdown = fs::read_to_string(options.out.join("vivienda/en.md")).unwrap();
    assert!(
        markdown.contains("machine_translation = \"Apertium spa-eng\""),
        "{markdown}"
    );
    assert!(markdown.contains("title = \"The Government"), "{markdown}");
}

#[test]
fn an_authored_translation_always_wins() {
    if !engine_present("an_authored_translation_always_wins") {
        return;
    }
    let translation = "+++\ntitle = \"Housing\"\n+++\nArchive photo. - Europa Press\nPublished: Thursday, 10 July 2025, 09:05\n\nOne.\n\nTwo.\n\nThree.\n";
    let (_dir, options) = project(&[("vivienda.txt", SEED), ("vivienda.en.txt", translation)]);
    let report = build(&options).unwrap();
    assert_eq!(report.machine_translated, 0);
    let html = fs::read_to_string(options.out.join("vivienda/index.html")).unwrap();
    assert!(!html.contains("Machine translation") && html.contains("Housing"));
    let index = fs::read_to_string(options.out.join("index.html")).unwrap();
    assert!(!index.contains("machine translation"));
}

#[test]
fn translations_are_cached_and_the_cache_can_be_bypassed() {
    if !engine_present("translations_are_cached_and_the_cache_can_be_bypassed") {
        return;
    }
    let (dir, options) = project(&[("vivienda.txt", SEED)]);
    build(&options).unwrap();
    let cache = dir.path().join(".paralelo-cache");
    let files: Vec<PathBuf> = fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let cached = fs::read_to_string(&files[0]).unwrap();
    assert!(
        cached.contains("El Gobierno aprobó ayer el plan de vivienda."),
        "{cached}"
    );

    // A fresh output folder: every page is made again, the same, from the cache.
    let page = fs::read(options.out.join("vivienda/index.html")).unwrap();
    let again = BuildOptions {
        out: dir.path().join("again"),
        ..options.clone()
    };
    build(&again).unwrap();
    assert_eq!(
        fs::read(again.out.join("vivienda/index.html")).unwrap(),
        page
    );
    assert_eq!(
        fs::read_to_string(&files[0]).unwrap(),
        cached,
        "nothing new to remember"
    );

    let mut uncached = BuildOptions {
        out: dir.path().join("uncached"),
        ..options.clone()
    };
    if let Some(machine) = &mut uncached.machine {
        machine.cache_dir = None;
    }
    fs::remove_dir_all(&cache).unwrap();
    build(&uncached).unwrap();
    assert!(!cache.exists(), "--no-cache writes no cache");
}

#[test]
fn a_missing_engine_names_the_seed_the_file_and_the_package() {
    // No engine is needed to see this: the mode does not exist anywhere.
    let (_dir, mut options) = project(&[
        ("a.txt", SEED),
        ("b.txt", SEED),
        (
            "b.en.txt",
            "Photo. - P\nPublished: x\n\nOne.\n\nTwo.\n\nThree.\n",
        ),
    ]);
    if let Some(machine) = &mut options.machine {
        machine.mode = "spa-xxx".to_string();
    }
    let err = build(&options).unwrap_err().to_string();
    assert!(err.contains("a.txt: no translation:"), "{err}");
    assert!(err.contains("a.en.txt does not exist"), "{err}");
    assert!(
        err.contains("install") && err.contains("apertium-spa-xxx"),
        "{err}"
    );
    assert!(!options.out.exists());

    options.skip_untranslated = true;
    let report = build(&options).unwrap();
    assert_eq!(report.pages, 1);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.message.starts_with("left out: no translation"))
    );
    assert!(options.out.join("b/index.html").is_file() && !options.out.join("a").exists());
}
