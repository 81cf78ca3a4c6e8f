//! The search files and the archive: what they hold for the shipped seed and for small
//! hand-written projects, that a one-seed rebuild rewrites only the files that change, and the
//! folders articles may not take. The search as a reader uses it, in Chromium: tests/browser.rs.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use paralelo::{BuildOptions, build};

/// What the search files say: per folded word, the article numbers that have it, per number
/// the article's slug and its line of its block (as the file spells it), per shard what
/// meta.js says of its two letters (how many articles and the newest of them, newest first),
/// and the lines meta.js holds, by number. Read the way static/search.js reads them.
struct Index {
    words: BTreeMap<String, Vec<usize>>,
    slugs: Vec<String>,
    lines: Vec<String>,
    unions: BTreeMap<String, (usize, Vec<usize>)>,
    rows: BTreeMap<usize, String>,
}

fn base36(text: &str) -> usize {
    usize::from_str_radix(text, 36).unwrap()
}

impl Index {
    fn read(out: &Path) -> Index {
        let mut words = BTreeMap::new();
        for entry in fs::read_dir(out.join("search/t")).unwrap() {
            let text = fs::read_to_string(entry.unwrap().path()).unwrap();
            let body = text.split_once(",\"").unwrap().1;
            let body = body.strip_suffix("\");\n").unwrap();
            for line in body.split("\\n") {
                let mut parts = line.split(' ');
                let word = parts.next().unwrap().to_string();
                let mut n: i64 = -1;
                let numbers = parts
                    .map(|gap| {
                        n += i64::from_str_radix(gap, 36).unwrap();
                        n as usize
                    })
                    .collect();
                words.insert(word, numbers);
            }
        }
        let mut lines: Vec<String> = Vec::new();
        let mut block = 0;
        while let Ok(text) = fs::read_to_string(out.join(format!("search/d/{block}.js"))) {
            let body = text.split_once(",\"").unwrap().1;
            lines.extend(
                body.strip_suffix("\");\n")
                    .unwrap()
                    .split("\\n")
                    .map(String::from),
            );
            block += 1;
        }
        let slugs = (lines.iter())
            .map(|line| line.split_once("\\t").unwrap().0.to_string())
            .collect();
        let meta = fs::read_to_string(out.join("search/meta.js")).unwrap();
        let shards = meta.split_once("\"shards\":\"").unwrap().1;
        let (shards, rows) = shards.split_once("\",\"rows\":\"").unwrap();
        let rows = (rows.strip_suffix("\"});\n").unwrap().split("\\n"))
            .filter(|row| !row.is_empty())
            .map(|row| {
                let (number, line) = row.split_once("\\t").unwrap();
                (base36(number), line.to_string())
            })
            .collect();
        let mut unions = BTreeMap::new();
        for line in shards.split("\\n").filter(|line| !line.is_empty()) {
            let mut parts = line.split(' ');
            let key = parts.next().unwrap().to_string();
            let count = base36(parts.next().unwrap());
            let mut newest: Vec<usize> = Vec::new();
            for gap in parts {
                let gap = base36(gap);
                newest.push(newest.last().map_or(gap, |last| last - gap));
            }
            unions.insert(key, (count, newest));
        }
        Index {
            words,
            slugs,
            lines,
            unions,
            rows,
        }
    }

    /// The index in `out`, checked as [`Index::assert_unions_hold`] checks it.
    fn checked(out: &Path) -> Index {
        let index = Index::read(out);
        index.assert_unions_hold();
        index
    }

    /// Checks that meta.js answers each shard's two letters as its words do: every shard is
    /// there, with how many articles have one of its words and the newest ten of them; and
    /// that it holds the line of each of the first three of those that is not in the three
    /// newest blocks (those the page loads on focus), as its block has it, and no other.
    fn assert_unions_hold(&self) {
        let mut from_words: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        for (word, numbers) in &self.words {
            let key: String = (word.chars().take(2))
                .map(|c| match c.is_ascii_alphanumeric() {
                    true => c.to_string(),
                    false => format!("_{:x}", c as u32),
                })
                .collect();
            from_words.entry(key).or_default().extend(numbers);
        }
        let keys: Vec<&String> = self.unions.keys().collect();
        assert_eq!(keys.len(), from_words.len(), "{keys:?}");
        let loaded = self.lines.len().div_ceil(100).saturating_sub(3) * 100;
        let mut rows = BTreeMap::new();
        for (key, all) in from_words {
            let newest: Vec<usize> = all.iter().rev().take(10).copied().collect();
            for &n in newest.iter().take(3).filter(|&&n| n < loaded) {
                rows.insert(n, self.lines[n].clone());
            }
            assert_eq!(self.unions.get(&key), Some(&(all.len(), newest)), "{key}");
        }
        assert_eq!(self.rows, rows);
    }

    /// The slugs of the articles with a word starting with each of `query`'s, as search.js
    /// finds them (the query folded by hand).
    fn find(&self, query: &[&str]) -> BTreeSet<String> {
        let mut found: Option<BTreeSet<usize>> = None;
        for prefix in query {
            let these: BTreeSet<usize> = (self.words.iter())
                .filter(|(word, _)| word.starts_with(prefix))
                .flat_map(|(_, numbers)| numbers.iter().copied())
                .collect();
            found = Some(match found {
                None => these,
                Some(found) => found.intersection(&these).copied().collect(),
            });
        }
        found
            .unwrap_or_default()
            .into_iter()
            .map(|n| self.slugs[n].clone())
            .collect()
    }
}

fn options(dir: &Path, seeds: PathBuf) -> BuildOptions {
    BuildOptions {
        seeds,
        out: dir.join("public"),
        state: dir.join(".paralelo"),
        glosses: false,
        ..Default::default()
    }
}

#[test]
fn the_shipped_article_is_found_by_its_words() {
    let dir = tempfile::tempdir().unwrap();
    let options = options(dir.path(), "seeds".into());
    build(&options).unwrap();
    let index = Index::read(&options.out);
    let slug = BTreeSet::from(["000_df1e1d8b34815c19".to_string()]);
    // Japón, accented and not; an English word; a prefix; two words, one a prefix.
    for query in [
        &["japon"][..],
        &["produccion"],
        &["prime"],
        &["zelen"],
        &["militar", "conj"],
    ] {
        assert_eq!(index.find(query), slug, "{query:?}");
    }
    assert!(index.find(&["japon", "washington"]).is_empty());
    // Folded to plain letters: no accented word is in the index.
    assert!(index.words.contains_key("japon") && !index.words.contains_key("japón"));
    // The words of grammar are left out.
    assert!(!index.words.contains_key("de") && !index.words.contains_key("the"));
    let meta = fs::read_to_string(options.out.join("search/meta.js")).unwrap();
    assert!(meta.starts_with("paraleloSearch.m({\"count\":1,"), "{meta}");
    // Every page has the search script and the archive link; the index and articles the form.
    for page in ["index.html", "000_df1e1d8b34815c19/index.html"] {
        let html = fs::read_to_string(options.out.join(page)).unwrap();
        assert!(html.contains("search.js\"></script>"), "{page}");
        assert!(html.contains("<form class=\"search\""), "{page}");
        assert!(html.contains("archive/index.html\">Archive"), "{page}");
    }
    assert!(options.out.join("search.js").is_file());
}

const TRANSLATION_FOOT: &str = "\n\nThe second paragraph.\n";

/// A seed and its translation, dated `date` (`5 noviembre 2025 13:34` / `5 November 2025,
/// 13:34`), with the given headlines.
fn write_article(seeds: &Path, stem: &str, date: (&str, &str), titles: (&str, &str)) {
    fs::write(
        seeds.join(format!("{stem}.txt")),
        format!(
            "Foto. - Agencia\nPublicado: {}\n\nEl primer párrafo.\n\nEl segundo párrafo.\n",
            date.0
        ),
    )
    .unwrap();
    fs::write(
        seeds.join(format!("{stem}.en.txt")),
        format!(
            "+++\ntitle = \"{}\"\noriginal_title = \"{}\"\n+++\nPhoto. - Agency\nPublished: {}\n\nThe first paragraph.{TRANSLATION_FOOT}",
            titles.1, titles.0, date.1
        ),
    )
    .unwrap();
}

/// Five articles over three months and two years.
fn project() -> (tempfile::TempDir, BuildOptions) {
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    fs::create_dir(&seeds).unwrap();
    let articles = [
        (
            "a",
            (
                "miércoles, 5 noviembre 2025 13:34",
                "Wednesday, 5 November 2025, 13:34",
            ),
            ("Energía para Kiev", "Energy for Kyiv"),
        ),
        (
            "b",
            (
                "jueves, 20 noviembre 2025 09:00",
                "Thursday, 20 November 2025, 09:00",
            ),
            ("El año energético de España", "Spain's energy year"),
        ),
        // Just after midnight in Madrid: still the 1st of December there, 30 November in UTC.
        (
            "c",
            (
                "lunes, 1 diciembre 2025 00:30",
                "Monday, 1 December 2025, 00:30",
            ),
            ("Zelenski visita Japón", "Zelensky visits Japan"),
        ),
        (
            "d",
            (
                "martes, 7 enero 2025 10:00",
                "Tuesday, 7 January 2025, 10:00",
            ),
            ("La cumbre del clima", "The climate summit"),
        ),
        (
            "e",
            (
                "viernes, 10 enero 2025 10:00",
                "Friday, 10 January 2025, 10:00",
            ),
            (
                "Volodimir Zelenski en Berlín",
                "Volodymyr Zelensky in Berlin",
            ),
        ),
    ];
    for (stem, date, titles) in articles {
        write_article(&seeds, stem, date, titles);
    }
    let mut options = options(dir.path(), seeds);
    options.site.base_url = Some("https://example.org/news/".into());
    build(&options).unwrap();
    (dir, options)
}

/// Twelve articles whose English headlines all start with "Energy", one a day of November 2025
/// (article `n` on day `n + 1`), each with a word of its own: more than a page for `en`.
fn many() -> (tempfile::TempDir, BuildOptions) {
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    fs::create_dir(&seeds).unwrap();
    for n in 0..12 {
        write_many(&seeds, n, &format!("Energía y palabra{n}"));
    }
    let mut options = options(dir.path(), seeds);
    options.site.base_url = Some("https://example.org/news/".into());
    build(&options).unwrap();
    (dir, options)
}

fn write_many(seeds: &Path, n: usize, title: &str) {
    let day = n + 1;
    write_article(
        seeds,
        &format!("m{n:02}"),
        (
            &format!("lunes, {day} noviembre 2025 10:00"),
            &format!("Monday, {day} November 2025, 10:00"),
        ),
        (title, &format!("Energy and word{n}")),
    );
}

/// The headlines of article `n` of 400 (`scattered`): Zorro is in 399 (a focus block) and 0 to 3
/// (the oldest block), so that `zo`'s first screenful needs meta.js's lines of 3 and 2; Japón
/// in 150 (block 1) and 0.
fn scattered_titles(n: usize) -> (&'static str, &'static str) {
    match n {
        0 => (
            "Japón y España firman un acuerdo sobre el precio del transporte marítimo de grano",
            "Japan and Spain sign a deal on the price of shipping grain by sea, port by port",
        ),
        150 => (
            "Japón abre una nueva ruta aérea con tres ciudades de la costa del sur del país",
            "Japan opens a new air route to three cities on the country's southern coast",
        ),
        1..=3 | 399 => (
            "Un zorro cruza la autopista del norte y detiene el tráfico durante la mañana",
            "A fox crosses the northern motorway and stops the traffic for the morning",
        ),
        _ => (
            "Las lluvias de otoño llenan los embalses de la cuenca del río hasta la mitad",
            "The autumn rains fill the river basin's reservoirs to half of their capacity",
        ),
    }
}

/// Article `n` of `scattered`, with the given headlines: one an hour from 1 November 2025
/// 06:00, 16 a day (article `n` on day `n / 16 + 1`).
fn write_scattered(seeds: &Path, n: usize, titles: (&str, &str)) {
    let day = n / 16 + 1;
    let time = format!("{day} noviembre 2025 {:02}:00", n % 16 + 6);
    let english = format!("{day} November 2025, {:02}:00", n % 16 + 6);
    let stem = format!("s{n:03}");
    write_article(
        seeds,
        &stem,
        (&format!("lunes, {time}"), &format!("Monday, {english}")),
        titles,
    );
}

/// 400 articles, four blocks (the page loads the three newest on focus).
fn scattered() -> (tempfile::TempDir, BuildOptions) {
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    fs::create_dir(&seeds).unwrap();
    for n in 0..400 {
        write_scattered(&seeds, n, scattered_titles(n));
    }
    let mut options = options(dir.path(), seeds);
    // (The same site id as a fresh build's, whose pages are compared with it.)
    options.site.base_url = Some("https://example.org/news/".into());
    build(&options).unwrap();
    (dir, options)
}

/// Builds `options` again and reads its index, checking what meta.js says.
fn rebuilt(options: &BuildOptions) -> Index {
    build(options).unwrap();
    Index::checked(&options.out)
}

#[test]
fn meta_js_holds_the_first_results_of_old_articles_right_after_an_edit_and_a_new_block() {
    let (_dir, options) = scattered();
    let out = &options.out;
    let index = Index::checked(out);
    assert_eq!(index.unions["zo"].1, [399, 3, 2, 1]);
    let rows: Vec<usize> = index.rows.keys().copied().collect();
    assert_eq!(rows, [0, 2, 3]);
    // An edit of an article whose line meta.js holds.
    write_scattered(
        &options.seeds,
        2,
        ("Un zorro en la autopista", "A fox on the motorway"),
    );
    let index = rebuilt(&options);
    assert!(
        index.rows[&2].contains("A fox on the motorway"),
        "{}",
        index.rows[&2]
    );
    assert_eq!(found_files(out), fresh(&options));
    // A 401st article starts a fifth block: focus loads blocks 2 to 4, so 150's line is wanted.
    write_scattered(&options.seeds, 400, scattered_titles(400));
    let index = rebuilt(&options);
    // (1's line came in with the edit: `cruza` now finds 399, 3 and 1 first.)
    let rows: Vec<usize> = index.rows.keys().copied().collect();
    assert_eq!(rows, [0, 1, 2, 3, 150]);
    assert_eq!(found_files(out), fresh(&options));
}

#[test]
fn each_shards_two_letters_are_answered_right_after_an_edit_an_addition_and_a_removal() {
    let (_dir, options) = many();
    let out = &options.out;
    let index = Index::checked(out);
    // `en` (energia, energy): twelve articles, the newest ten in meta.js.
    assert_eq!(
        index.unions["en"],
        (12, (2..12).rev().collect::<Vec<usize>>())
    );
    // An edit: article 11 loses `energia` but keeps `energy`; article 10 loses both.
    write_many(&options.seeds, 11, "Petróleo y palabra11");
    write_article(
        &options.seeds,
        "m10",
        (
            "lunes, 11 noviembre 2025 10:00",
            "Monday, 11 November 2025, 10:00",
        ),
        ("Petróleo", "Oil"),
    );
    let index = rebuilt(&options);
    let newest: Vec<usize> = [11].into_iter().chain((1..10).rev()).collect();
    assert_eq!(index.unions["en"], (11, newest));
    assert_eq!(index.unions["pe"].0, 2);
    assert_eq!(index.unions["wo"].0, 11);
    assert_eq!(found_files(out), fresh(&options));
    // An addition, the newest.
    write_many(&options.seeds, 12, "Energía y palabra12");
    let index = rebuilt(&options);
    assert_eq!(index.unions["en"].0, 12);
    assert_eq!(index.unions["en"].1[..2], [12, 11]);
    assert_eq!(found_files(out), fresh(&options));
    // A removal (renumbers, so all is made again).
    fs::remove_file(options.seeds.join("m05.txt")).unwrap();
    fs::remove_file(options.seeds.join("m05.en.txt")).unwrap();
    let index = rebuilt(&options);
    assert_eq!(index.unions["en"].0, 11);
    assert_eq!(found_files(out), fresh(&options));
}

fn read(out: &Path, path: &str) -> String {
    fs::read_to_string(out.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_archive_counts_and_links_each_month() {
    let (_dir, options) = project();
    let out = &options.out;
    let archive = read(out, "archive/index.html");
    for (link, count) in [
        ("2025/12/index.html", 1),
        ("2025/11/index.html", 2),
        ("2025/01/index.html", 2),
    ] {
        let at = archive
            .find(&format!("href=\"{link}\""))
            .unwrap_or_else(|| panic!("{link}"));
        let rest = &archive[at..];
        let count_at = rest.find("<span class=\"count\">").unwrap();
        assert!(
            rest[count_at..].starts_with(&format!("<span class=\"count\">{count}</span>")),
            "{link}"
        );
    }
    // Newest month first; the 00:30 article is December's, in Madrid time.
    let position = |text: &str| archive.find(text).unwrap();
    assert!(
        position("2025/12/") < position("2025/11/") && position("2025/11/") < position("2025/01/")
    );
    let december = read(out, "archive/2025/12/index.html");
    assert!(december.contains("../../../c/index.html") && !december.contains("/a/index.html"));
    let november = read(out, "archive/2025/11/index.html");
    assert!(november.find("../../../b/").unwrap() < november.find("../../../a/").unwrap());
    assert!(november.contains("energy year") && november.contains("noviembre 2025"));
    assert!(november.contains("href=\"../../2025/12/index.html\" rel=\"prev\""));
    assert!(november.contains("href=\"../../2025/01/index.html\" rel=\"next\""));
    // The month pages are in the sitemap.
    let sitemap = read(out, "sitemap.xml");
    for loc in ["archive/", "archive/2025/11/", "archive/2025/01/"] {
        assert!(
            sitemap.contains(&format!("<loc>https://example.org/news/{loc}</loc>")),
            "{loc}"
        );
    }
}

#[test]
fn search_finds_words_of_both_languages_in_a_project() {
    let (_dir, options) = project();
    let index = Index::read(&options.out);
    let set = |slugs: &[&str]| slugs.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(index.find(&["energ"]), set(&["a", "b"]));
    assert_eq!(index.find(&["energetico"]), set(&["b"]));
    assert_eq!(index.find(&["zelensk"]), set(&["c", "e"]));
    assert_eq!(index.find(&["kyiv"]), set(&["a"]));
    assert_eq!(index.find(&["berlin"]), set(&["e"]));
    // Numbered oldest first: a new article takes the next number.
    assert_eq!(index.slugs, ["d", "e", "a", "b", "c"]);
}

/// Every file of the output with its modification time.
fn mtimes(out: &Path) -> BTreeMap<String, SystemTime> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let time = e.metadata().unwrap().modified().unwrap();
            let path = e.path().strip_prefix(out).unwrap();
            (path.to_string_lossy().into_owned(), time)
        })
        .collect()
}

fn changed(
    before: &BTreeMap<String, SystemTime>,
    after: &BTreeMap<String, SystemTime>,
) -> Vec<String> {
    let mut names: Vec<String> = (after.iter())
        .filter(|(path, time)| before.get(*path) != Some(time))
        .map(|(path, _)| path.clone())
        .collect();
    names.extend(
        (before.keys())
            .filter(|path| !after.contains_key(*path))
            .map(|path| format!("-{path}")),
    );
    names
}

/// Every file under `dir` of the search files and the archive, with its bytes.
fn found_files(out: &Path) -> BTreeMap<String, Vec<u8>> {
    mtimes(out)
        .into_keys()
        .filter(|p| p.starts_with("search/") || p.starts_with("archive/"))
        .map(|p| {
            let bytes = fs::read(out.join(&p)).unwrap();
            (p, bytes)
        })
        .collect()
}

/// The search files and archive of a fresh full build of `options`' seeds.
fn fresh(options: &BuildOptions) -> BTreeMap<String, Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let fresh = BuildOptions {
        out: dir.path().join("public"),
        state: dir.path().join(".paralelo"),
        ..options.clone()
    };
    build(&fresh).unwrap();
    found_files(&fresh.out)
}

fn pause() {
    std::thread::sleep(std::time::Duration::from_millis(20));
}

#[test]
fn a_one_seed_rebuild_rewrites_only_the_shards_and_months_that_change() {
    let (_dir, options) = project();
    let out = &options.out;
    let before = mtimes(out);
    pause();
    // Article a (number 2, November): "Energía para Kiev" becomes "Energía para Odesa".
    write_article(
        &options.seeds,
        "a",
        (
            "miércoles, 5 noviembre 2025 13:34",
            "Wednesday, 5 November 2025, 13:34",
        ),
        ("Energía para Odesa", "Energy for Kyiv"),
    );
    build(&options).unwrap();
    let rewritten = changed(&before, &mtimes(out));
    assert_eq!(
        rewritten,
        [
            "a/index.html",
            "archive/2025/11/index.html",
            "atom.xml",
            "index.html",
            "search/d/0.js",
            "search/meta.js",
            "search/t/od.js",
            "-search/t/ki.js",
        ]
    );
    assert_eq!(found_files(out), fresh(&options));
    Index::checked(out);

    // A new article, the newest: its words' shards, the last block, a new month.
    let before = mtimes(out);
    pause();
    write_article(
        &options.seeds,
        "f",
        (
            "jueves, 1 enero 2026 12:00",
            "Thursday, 1 January 2026, 12:00",
        ),
        ("Nieve en Kiev", "Snow in Kyiv"),
    );
    build(&options).unwrap();
    let rewritten = changed(&before, &mtimes(out));
    for path in [
        "search/t/ni.js",
        "search/t/ki.js",
        "search/t/ky.js",
        "search/t/sn.js",
        "search/d/0.js",
        "search/meta.js",
        "archive/index.html",
        "archive/2026/01/index.html",
        // December gains a newer month to link to.
        "archive/2025/12/index.html",
        "sitemap.xml",
    ] {
        assert!(
            rewritten.contains(&path.to_string()),
            "{path}: {rewritten:?}"
        );
    }
    for path in [
        "search/t/en.js",
        "search/t/ze.js",
        "archive/2025/11/index.html",
    ] {
        assert!(
            !rewritten.contains(&path.to_string()),
            "{path}: {rewritten:?}"
        );
    }
    assert_eq!(found_files(out), fresh(&options));
    Index::checked(out);

    // A removed article renumbers the newer ones: every file is made again, as a full build.
    fs::remove_file(options.seeds.join("d.txt")).unwrap();
    fs::remove_file(options.seeds.join("d.en.txt")).unwrap();
    build(&options).unwrap();
    assert_eq!(found_files(out), fresh(&options));
    assert!(!read(out, "archive/2025/01/index.html").contains("climate"));
    Index::checked(out);

    // Nothing changed: nothing written.
    let before = mtimes(out);
    pause();
    build(&options).unwrap();
    assert_eq!(changed(&before, &mtimes(out)), Vec::<String>::new());
}

#[test]
fn an_article_may_not_take_a_reserved_folder() {
    for folder in [
        "archive",
        "search",
        "people",
        "places",
        "organisations",
        "topics",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let seeds = dir.path().join("seeds");
        fs::create_dir(&seeds).unwrap();
        write_article(
            &seeds,
            "x",
            (
                "miércoles, 5 noviembre 2025 13:34",
                "Wednesday, 5 November 2025, 13:34",
            ),
            ("Hola", "Hello"),
        );
        let translation = seeds.join("x.en.txt");
        let text = fs::read_to_string(&translation).unwrap();
        fs::write(
            &translation,
            text.replacen("+++\n", &format!("+++\nslug = \"{folder}\"\n"), 1),
        )
        .unwrap();
        let error = build(&options(dir.path(), seeds)).unwrap_err().to_string();
        assert!(
            error.contains("x.txt") && error.contains(&format!("`{folder}/`")),
            "{error}"
        );
    }
}

mod common;

/// The search in Chromium, from disk (tests/browser/search.mjs), on the shipped site, on
/// twelve articles (more than a page for two letters) and on 400 (two letters that find old
/// articles). With PARALELO_SEARCH_LARGE set
/// to a built large site, it also reports the bytes and time of queries there.
#[test]
fn search_works_from_disk_in_chromium() {
    let package = Path::new("tests/browser");
    if !common::tools_present(
        "search_works_from_disk_in_chromium",
        &[
            ("node", common::runs("node", &["--version"])),
            ("/usr/bin/chromium", Path::new("/usr/bin/chromium").exists()),
            (
                "tests/browser/node_modules (playwright-core)",
                package.join("node_modules/playwright-core").is_dir(),
            ),
        ],
        &format!(
            "run .ci/run, or install Debian's chromium and run `npm ci` in {}",
            package.display()
        ),
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let options = options(dir.path(), "seeds".into());
    build(&options).unwrap();
    let (_twelve_dir, twelve) = many();
    let (_four_hundred_dir, four_hundred) = scattered();
    let output = std::process::Command::new("node")
        .arg(package.join("search.mjs"))
        .arg(&options.out)
        .arg("target/screenshots")
        .arg(&twelve.out)
        .arg(&four_hundred.out)
        .args(std::env::var_os("PARALELO_SEARCH_LARGE"))
        .output()
        .unwrap();
    println!("{}", String::from_utf8_lossy(&output.stdout));
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "search.mjs failed ({})",
        output.status
    );
}
