//! The search files, scripts that hand their data to `static/search.js` so that search works
//! from `file://`: per shard of words by their first two letters, each word's articles; per
//! block of articles, what a result shows; and `meta.js`, which names the shards with the
//! answer to each one's two letters, and what those answers show first that the blocks loaded
//! on focus do not hold. A rebuild patches only the shards whose words changed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::Path;

use super::words::{indexed, shard_key, words};
use crate::model::ArticleSummary;

/// The folder of the search files inside the output.
pub const FOLDER: &str = "search";
/// How many articles' results one block file holds.
const BLOCK: usize = 100;
/// How many results a page shows (`PAGE` in `static/search.js`): `meta.js` holds the first
/// page of each shard's two letters.
const PAGE: usize = 10;
/// How many of the newest blocks the page loads when the search box is focused (`meta.js`
/// tells `static/search.js`).
const PRELOAD: usize = 3;
/// How many results fill a phone's screen (two or three at 390 px): `meta.js` holds what the
/// first these many of each shard's two letters show, when their block is not one of the
/// `PRELOAD` newest, so that the first screenful of any two-letter answer loads no block.
const SCREEN: usize = 3;
/// The global object of `static/search.js` that the files call.
const GLOBAL: &str = "paraleloSearch";

/// A file to make: its path and its bytes, or `None` when it stays as the last build left it.
pub type File = (String, Option<Vec<u8>>);

/// A shard: each word, in order, with its articles' numbers, ascending.
type Shard = BTreeMap<String, Vec<u32>>;

/// What `meta.js` says of a shard: how many articles have one of its words, and the newest of
/// them, up to a page, newest first. It answers the shard's two letters typed alone, which
/// then need no shard loaded.
#[derive(Debug, Clone, PartialEq)]
struct Union {
    count: usize,
    newest: Vec<u32>,
}

impl Union {
    fn of(shard: &Shard) -> Union {
        let all: BTreeSet<u32> = shard.values().flatten().copied().collect();
        let newest = all.iter().rev().take(PAGE).copied().collect();
        Union {
            count: all.len(),
            newest,
        }
    }
}

/// The shards there are, by key, with their unions.
type Unions = BTreeMap<String, Union>;

fn meta_path() -> String {
    format!("{FOLDER}/meta.js")
}

fn shard_path(key: &str) -> String {
    format!("{FOLDER}/t/{key}.js")
}

fn block_path(block: usize) -> String {
    format!("{FOLDER}/d/{block}.js")
}

/// The words an article is found by: those of both headlines and both leads, which are what a
/// result shows, so that every match can be marked.
fn terms(article: &ArticleSummary) -> BTreeSet<String> {
    [
        &article.source.title,
        &article.target.title,
        &article.source.summary,
        &article.target.summary,
    ]
    .into_iter()
    .flat_map(|text| words(text))
    .filter(|w| indexed(w))
    .collect()
}

/// The search files for the articles `newest_first`. Articles are numbered oldest first, so a
/// new article takes the next number and the others keep theirs; when `before` (the last
/// build's articles, newest first) are numbered as now, only the files whose words or results
/// changed are made, from what the output holds. Otherwise, or when the output's files do not
/// read back, all are made.
pub fn files(
    out: &Path,
    newest_first: &[&ArticleSummary],
    before: Option<&[&ArticleSummary]>,
) -> Vec<File> {
    let now: Vec<&ArticleSummary> = newest_first.iter().rev().copied().collect();
    if let Some(before) = before {
        let old: Vec<&ArticleSummary> = before.iter().rev().copied().collect();
        let numbered_as_before =
            old.len() <= now.len() && old.iter().zip(&now).all(|(a, b)| a.slug == b.slug);
        if let Some(files) = numbered_as_before.then(|| patch(out, &old, &now)).flatten() {
            return files;
        }
    }
    all(&now)
}

/// Every search file, made from the articles `oldest_first`.
fn all(oldest_first: &[&ArticleSummary]) -> Vec<File> {
    let mut shards: BTreeMap<String, Shard> = BTreeMap::new();
    for (number, article) in oldest_first.iter().enumerate() {
        for term in terms(article) {
            let shard = shards.entry(shard_key(&term)).or_default();
            shard.entry(term).or_default().push(number as u32);
        }
    }
    let unions: Unions = (shards.iter())
        .map(|(key, shard)| (key.clone(), Union::of(shard)))
        .collect();
    let mut files = vec![(
        meta_path(),
        Some(meta_text(oldest_first, &unions).into_bytes()),
    )];
    for (key, shard) in &shards {
        files.push((shard_path(key), Some(shard_text(key, shard).into_bytes())));
    }
    for (block, articles) in oldest_first.chunks(BLOCK).enumerate() {
        files.push((
            block_path(block),
            Some(block_text(block, articles).into_bytes()),
        ));
    }
    files
}

/// The search files after the articles `old` became `now`, numbered alike (`now` may have more),
/// patched into the output's: `None` when the output's do not read back.
fn patch(out: &Path, old: &[&ArticleSummary], now: &[&ArticleSummary]) -> Option<Vec<File>> {
    let (count, mut unions) = parse_meta(&std::fs::read_to_string(out.join(meta_path())).ok()?)?;
    if count != old.len() {
        return None;
    }
    // A file someone deleted is made again, with all the others.
    let blocks = old.len().div_ceil(BLOCK);
    let missing = |path: String| !out.join(path).is_file();
    if unions.keys().any(|k| missing(shard_path(k))) || (0..blocks).any(|b| missing(block_path(b)))
    {
        return None;
    }
    let changed: Vec<usize> = (0..now.len())
        .filter(|&i| old.get(i).is_none_or(|was| *was != now[i]))
        .collect();
    // Per shard, the words that lose or gain an article.
    let mut edits: BTreeMap<String, Vec<(String, u32, bool)>> = BTreeMap::new();
    for &i in &changed {
        let (was, is) = (
            old.get(i).map(|a| terms(a)).unwrap_or_default(),
            terms(now[i]),
        );
        let removed = was.difference(&is).map(|t| (t, false));
        for (term, added) in removed.chain(is.difference(&was).map(|t| (t, true))) {
            let edit = (term.clone(), i as u32, added);
            edits.entry(shard_key(term)).or_default().push(edit);
        }
    }
    let mut files = Vec::new();
    let mut made = BTreeSet::new();
    for (key, edits) in edits {
        let mut shard = if unions.contains_key(&key) {
            let text = std::fs::read_to_string(out.join(shard_path(&key))).ok()?;
            parse_shard(&key, &text)?
        } else {
            Shard::new()
        };
        for (term, number, added) in edits {
            let numbers = shard.entry(term.clone()).or_default();
            match (numbers.binary_search(&number), added) {
                (Err(at), true) => numbers.insert(at, number),
                (Ok(at), false) => {
                    numbers.remove(at);
                }
                _ => {}
            }
            if numbers.is_empty() {
                shard.remove(&term);
            }
        }
        if shard.is_empty() {
            // Gone from the list, so the build removes its file.
            unions.remove(&key);
        } else {
            files.push((
                shard_path(&key),
                Some(shard_text(&key, &shard).into_bytes()),
            ));
            made.insert(key.clone());
            unions.insert(key, Union::of(&shard));
        }
    }
    files.extend(
        unions
            .keys()
            .filter(|k| !made.contains(*k))
            .map(|k| (shard_path(k), None)),
    );
    let blocks: BTreeSet<usize> = changed.iter().map(|i| i / BLOCK).collect();
    for (block, articles) in now.chunks(BLOCK).enumerate() {
        let text = blocks
            .contains(&block)
            .then(|| block_text(block, articles).into_bytes());
        files.push((block_path(block), text));
    }
    let meta = (!changed.is_empty() || now.len() != old.len())
        .then(|| meta_text(now, &unions).into_bytes());
    files.push((meta_path(), meta));
    Some(files)
}

/// `meta.js`: how many articles, how many a block holds, how many of the newest blocks focus
/// loads, the shards there are, and the rows of results the first screenful of some shard's
/// two letters shows that are not in those blocks (see `SCREEN`). The shards are one line a
/// shard in one JavaScript string: its key, how many articles its union has, then the newest
/// of them, the first by its number and each next by how far it is below the one before, all
/// in base 36. The rows are another string, a line an article: its number in base 36, a tab,
/// and its line of the block.
fn meta_text(oldest_first: &[&ArticleSummary], unions: &Unions) -> String {
    let count = oldest_first.len();
    let mut text = format!(
        "{GLOBAL}.m({{\"count\":{count},\"block\":{BLOCK},\"preload\":{PRELOAD},\"shards\":\""
    );
    for (i, (key, union)) in unions.iter().enumerate() {
        if i > 0 {
            text.push_str("\\n");
        }
        text.push_str(key);
        text.push(' ');
        push_base36(&mut text, union.count as u64);
        let mut last = None;
        for &number in &union.newest {
            text.push(' ');
            push_base36(
                &mut text,
                u64::from(last.map_or(number, |l: u32| l - number)),
            );
            last = Some(number);
        }
    }
    // The blocks focus loads are the PRELOAD newest: those before `loaded` are not.
    let loaded = (count.div_ceil(BLOCK)).saturating_sub(PRELOAD) * BLOCK;
    let shown_first: BTreeSet<u32> = (unions.values())
        .flat_map(|union| union.newest.iter().take(SCREEN))
        .filter(|&&number| (number as usize) < loaded)
        .copied()
        .collect();
    let mut rows = String::new();
    for number in shown_first {
        if !rows.is_empty() {
            rows.push('\n');
        }
        push_base36(&mut rows, u64::from(number));
        rows.push('\t');
        rows.push_str(&row(oldest_first[number as usize]));
    }
    text.push_str("\",\"rows\":");
    push_json_string(&mut text, &rows);
    text.push_str("});\n");
    text
}

fn parse_meta(text: &str) -> Option<(usize, Unions)> {
    let rest = text.strip_prefix(&format!("{GLOBAL}.m({{\"count\":"))?;
    let (count, rest) = rest.split_once(',')?;
    // The shards' string, up to the rows' (made again from the articles, never read back).
    let body = rest
        .strip_prefix(&format!(
            "\"block\":{BLOCK},\"preload\":{PRELOAD},\"shards\":\""
        ))?
        .split_once("\",\"rows\":\"")?
        .0;
    let mut unions = Unions::new();
    for line in body.split("\\n").filter(|l| !l.is_empty()) {
        let mut parts = line.split(' ');
        let key = parts.next()?.to_string();
        let count = usize::try_from(u64::from_str_radix(parts.next()?, 36).ok()?).ok()?;
        let mut newest: Vec<u32> = Vec::new();
        for gap in parts {
            let gap = u32::from_str_radix(gap, 36).ok()?;
            newest.push(match newest.last() {
                Some(last) => last.checked_sub(gap)?,
                None => gap,
            });
        }
        unions.insert(key, Union { count, newest });
    }
    Some((count.parse().ok()?, unions))
}

/// A shard's file: one line a word, the word then its articles' numbers as base-36 gaps from
/// the one before (the first from -1), all in one JavaScript string.
fn shard_text(key: &str, shard: &Shard) -> String {
    let mut text = format!("{GLOBAL}.t(\"{key}\",\"");
    for (i, (term, numbers)) in shard.iter().enumerate() {
        if i > 0 {
            text.push_str("\\n");
        }
        text.push_str(term);
        let mut last: i64 = -1;
        for &number in numbers {
            text.push(' ');
            push_base36(&mut text, (i64::from(number) - last) as u64);
            last = i64::from(number);
        }
    }
    text.push_str("\");\n");
    text
}

fn parse_shard(key: &str, text: &str) -> Option<Shard> {
    let body = text
        .strip_prefix(&format!("{GLOBAL}.t(\"{key}\",\""))?
        .strip_suffix("\");\n")?;
    let mut shard = Shard::new();
    for line in body.split("\\n") {
        let mut parts = line.split(' ');
        let term = parts.next()?.to_string();
        let mut last: i64 = -1;
        let mut numbers = Vec::new();
        for gap in parts {
            last += i64::from_str_radix(gap, 36).ok()?;
            numbers.push(u32::try_from(last).ok()?);
        }
        shard.insert(term, numbers);
    }
    Some(shard)
}

fn push_base36(text: &mut String, mut n: u64) {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut digits = Vec::new();
    loop {
        digits.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    text.extend(digits.iter().rev().map(|&d| d as char));
}

/// A block's file: one JavaScript string, a line an article in number order (see `row`). One
/// string, not an array, because the page reads only the lines it shows: a string is quicker
/// to load than the array it would split into.
fn block_text(block: usize, articles: &[&ArticleSummary]) -> String {
    let rows: Vec<String> = articles.iter().map(|a| row(a)).collect();
    let mut text = format!("{GLOBAL}.d({block},");
    push_json_string(&mut text, &rows.join("\n"));
    text.push_str(");\n");
    text
}

/// What a result shows of article `a`, one line, its fields split by tabs: slug, original's
/// headline, translation's, dateline, original's lead, translation's, and `1` when
/// machine-translated (else `0`).
fn row(a: &ArticleSummary) -> String {
    let fields = [
        a.slug.as_str(),
        &a.source.title,
        &a.target.title,
        a.source.date.as_deref().unwrap_or(""),
        &a.source.summary,
        &a.target.summary,
        if a.machine { "1" } else { "0" },
    ];
    // A field is one line of text: a tab or a line break in it is a space.
    let spaced = |f: &str| f.replace(['\t', '\n', '\r'], " ");
    fields.map(spaced).join("\t")
}

/// `value` as a JSON string, safe inside a script file.
fn push_json_string(text: &mut String, value: &str) {
    text.push('"');
    for c in value.chars() {
        match c {
            '"' => text.push_str("\\\""),
            '\\' => text.push_str("\\\\"),
            '\n' => text.push_str("\\n"),
            '\t' => text.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(text, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(text, "\\u{:04x}", c as u32);
            }
            c => text.push(c),
        }
    }
    text.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SideSummary;

    fn article(slug: &str, title: &str, english: &str) -> ArticleSummary {
        ArticleSummary {
            slug: slug.into(),
            source: SideSummary {
                title: title.into(),
                ..Default::default()
            },
            target: SideSummary {
                title: english.into(),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn shards_read_back() {
        let shard = Shard::from([
            ("energia".to_string(), vec![0, 1, 40, 1000]),
            ("enero".to_string(), vec![7]),
        ]);
        let text = shard_text("en", &shard);
        assert_eq!(
            text,
            "paraleloSearch.t(\"en\",\"energia 1 1 13 qo\\nenero 8\");\n"
        );
        assert_eq!(parse_shard("en", &text).as_ref(), Some(&shard));
        let unions = Unions::from([
            ("en".to_string(), Union::of(&shard)),
            (
                "ab".to_string(),
                Union {
                    count: 1,
                    newest: vec![2],
                },
            ),
        ]);
        // 1,001 articles: focus loads blocks 8 to 10, so the rows of the first three results of
        // `ab` (2) and `en` (1000, 40, 7) that are older, 2, 7 and 40, are in meta.js.
        let articles: Vec<ArticleSummary> = (0..1001)
            .map(|n| article(&format!("s{n}"), "Año", "Year"))
            .collect();
        let articles: Vec<&ArticleSummary> = articles.iter().collect();
        let meta = meta_text(&articles, &unions);
        assert_eq!(
            meta,
            "paraleloSearch.m({\"count\":1001,\"block\":100,\"preload\":3,\"shards\":\"ab 1 2\\nen 5 rs qo x 6 1\",\
             \"rows\":\"2\\ts2\\tAño\\tYear\\t\\t\\t\\t0\\n7\\ts7\\tAño\\tYear\\t\\t\\t\\t0\\n\
             14\\ts40\\tAño\\tYear\\t\\t\\t\\t0\"});\n"
        );
        assert_eq!(parse_meta(&meta), Some((1001, unions)));
        // Three blocks or fewer: focus loads them all, and meta.js has no rows.
        let meta = meta_text(&articles[..300], &Unions::new());
        assert!(
            meta.ends_with("\"shards\":\"\",\"rows\":\"\"});\n"),
            "{meta}"
        );
        // The union keeps its newest page only.
        let many = Shard::from([("a".to_string(), (0..25).collect()), ("b".into(), vec![30])]);
        let union = Union::of(&many);
        assert_eq!(union.count, 26);
        assert_eq!(union.newest, [30, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
    }

    #[test]
    fn a_block_is_a_line_an_article() {
        let mut a = article("a", "Energía\tpara <Kiev>", "Energy for \"Kyiv\"");
        a.machine = true;
        let b = article("b", "Año", "Year");
        assert_eq!(
            block_text(3, &[&a, &b]),
            "paraleloSearch.d(3,\"a\\tEnergía para \\u003cKiev\\u003e\\tEnergy for \\\"Kyiv\\\"\\t\\t\\t\\t1\\n\
             b\\tAño\\tYear\\t\\t\\t\\t0\");\n"
        );
    }

    /// Writes the files made (those not `None`) into `out`.
    fn write(out: &Path, files: &[File]) {
        for (path, bytes) in files {
            if let Some(bytes) = bytes {
                let path = out.join(path);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, bytes).unwrap();
            }
        }
    }

    /// Checks that `out` holds the files of `full`, byte for byte, and that `patched` named
    /// each of them.
    fn assert_as_full(out: &Path, patched: &[File], full: Vec<File>) {
        for (path, bytes) in full {
            assert_eq!(
                std::fs::read_to_string(out.join(&path)).unwrap(),
                String::from_utf8(bytes.unwrap()).unwrap(),
                "{path}"
            );
            assert!(patched.iter().any(|(p, _)| *p == path), "{path}");
        }
    }

    #[test]
    fn a_patch_is_what_a_full_build_makes() {
        let dir = tempfile::tempdir().unwrap();
        let a = article("a", "Energía para Kiev", "Energy for Kyiv");
        let b = article("b", "El año energético", "The energy year");
        let b2 = article("b", "El año nuclear", "The nuclear year");
        let c = article("c", "Zelenski en Japón", "Zelensky in Japan");
        write(dir.path(), &files(dir.path(), &[&b, &a], None));
        let patched = files(dir.path(), &[&c, &b2, &a], Some(&[&b, &a]));
        let full = files(dir.path(), &[&c, &b2, &a], None);
        // The shard of `a` (Kiev, Kyiv) is not made again; `en` (energético) is.
        let made = |files: &[File], path: &str| files.iter().any(|(p, b)| p == path && b.is_some());
        assert!(!made(&patched, "search/t/ki.js"));
        assert!(made(&patched, "search/t/en.js") && made(&patched, "search/t/nu.js"));
        write(dir.path(), &patched);
        // A deleted shard is made again, though its words did not change.
        std::fs::remove_file(dir.path().join("search/t/ja.js")).unwrap();
        let again = files(dir.path(), &[&c, &b2, &a], Some(&[&c, &b2, &a]));
        assert!(made(&again, "search/t/ja.js"));
        write(dir.path(), &again);
        assert_as_full(dir.path(), &patched, full);
        // `energetico` was only in b: its shard `en` keeps `energia`.
        let en = std::fs::read_to_string(dir.path().join("search/t/en.js")).unwrap();
        assert!(!en.contains("energetico") && en.contains("energia"));
    }

    #[test]
    fn meta_keeps_the_rows_of_old_first_results_right_through_edits_and_a_new_block() {
        let dir = tempfile::tempdir().unwrap();
        // 400 articles, four blocks: focus loads blocks 1 to 3. `zo` finds 150 (block 1) and
        // 0 (block 0): only 0's row is in meta.js.
        let mut articles: Vec<ArticleSummary> = (0..400)
            .map(|n| article(&format!("s{n}"), "Noticia", "News"))
            .collect();
        articles[0] = article("s0", "Zorro en Madrid", "Fox in Madrid");
        articles[150] = article("s150", "Zona cero", "Ground zero");
        let newest_first = |articles: &[ArticleSummary]| -> Vec<ArticleSummary> {
            articles.iter().rev().cloned().collect()
        };
        let build = |now: &[ArticleSummary], before: Option<&[ArticleSummary]>| {
            let now: Vec<&ArticleSummary> = now.iter().collect();
            let before: Option<Vec<&ArticleSummary>> = before.map(|b| b.iter().collect());
            let patched = files(dir.path(), &now, before.as_deref());
            write(dir.path(), &patched);
            assert_as_full(dir.path(), &patched, files(dir.path(), &now, None));
            std::fs::read_to_string(dir.path().join("search/meta.js")).unwrap()
        };
        let first = newest_first(&articles);
        let meta = build(&first, None);
        assert!(meta.contains("\"rows\":\"0\\ts0\\tZorro en Madrid\\tFox in Madrid\\t"));
        assert!(!meta.contains("s150"), "{meta}");
        // Its English headline edited: the row in meta.js follows.
        articles[0] = article("s0", "Zorro en Madrid", "A fox in Madrid");
        let edited = newest_first(&articles);
        let meta = build(&edited, Some(&first));
        assert!(meta.contains("\\tA fox in Madrid\\t") && !meta.contains("\\tFox in"));
        // A 401st article starts block 4: focus loads blocks 2 to 4, so 150's row is in too.
        articles.push(article("s400", "Noticia", "News"));
        let added = newest_first(&articles);
        let meta = build(&added, Some(&edited));
        assert!(meta.contains("\\ts150\\tZona cero\\t"), "{meta}");
    }
}
