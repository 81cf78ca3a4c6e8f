//! Decides what a rebuild must redo. A manifest in the output folder records, for each seed,
//! its inputs (size, modification time and a hash of the bytes) and what its page gave the
//! index, so a rebuild neither reads nor writes what has not changed.

use std::collections::HashSet;
use std::fmt::Write;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crate::error::Warning;
use crate::model::{ArticleSummary, SideSummary};
use crate::record::{RECORD_SEPARATOR, StableHasher, UNIT_SEPARATOR, escape_into, unescape};

/// The manifest's file name in the output folder.
pub const MANIFEST: &str = ".paralelo-manifest";
const HEADER: &str = "paralelo-manifest 1";
/// The last line: a manifest cut short by a killed build has none and is not trusted.
const TRAILER: &str = "end";

/// What is cheap to learn of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub size: u64,
    pub modified_ns: u128,
}

/// The stamp of the file at `path`, or `None` where there is no file.
pub fn stamp(path: &Path) -> Option<Stamp> {
    let meta = fs::metadata(path).ok()?;
    let modified_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Some(Stamp {
        size: meta.len(),
        modified_ns,
    })
}

/// What is cheap to learn of a seed's two files, learnt for every seed while the manifest is
/// read.
#[derive(Debug, Clone)]
pub struct SeedStamps {
    /// Where its translation is, or would be.
    pub translation: PathBuf,
    pub seed_stamp: Option<Stamp>,
    pub translation_stamp: Option<Stamp>,
}

impl SeedStamps {
    pub fn of(seed: &Path, translation: PathBuf) -> SeedStamps {
        SeedStamps {
            seed_stamp: stamp(seed),
            translation_stamp: stamp(&translation),
            translation,
        }
    }
}

/// A seed's bytes and its translation's, if it has one: read once, to be hashed and then, if
/// the hash is new, parsed.
pub struct SeedBytes {
    pub seed: Vec<u8>,
    pub translation: Option<Vec<u8>>,
}

impl SeedBytes {
    pub fn read(seed: &Path, translation: &Path) -> crate::Result<SeedBytes> {
        let translation = match super::inputs::read_bytes(translation) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(super::inputs::read_error(translation, e)),
        };
        Ok(SeedBytes {
            seed: super::inputs::read_bytes(seed)
                .map_err(|e| super::inputs::read_error(seed, e))?,
            translation,
        })
    }

    /// The hash of both files' bytes (a missing translation hashes as such).
    pub fn hash(&self) -> u64 {
        let mut hash = StableHasher::new();
        hash.write_field(&self.seed);
        match &self.translation {
            Some(bytes) => hash.write_field(bytes),
            None => hash.write_field(b"\0missing"),
        }
        hash.finish()
    }
}

/// One seed as the last build saw it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    pub seed: PathBuf,
    pub seed_stamp: Option<Stamp>,
    pub translation_stamp: Option<Stamp>,
    pub hash: u64,
    pub machine_translated: bool,
    /// The files its page wrote, relative to the output folder.
    pub files: Vec<String>,
    pub summary: ArticleSummary,
    pub warnings: Vec<Warning>,
    /// The manifest line this entry was read from, written back as it is: escaping a large
    /// site's manifest again on every rebuild showed in profiles. `None` once anything changes.
    pub written: Option<WrittenLine>,
}

/// A line of the manifest as read: the whole text is shared by every entry, not copied.
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenLine {
    text: std::sync::Arc<str>,
    range: std::ops::Range<usize>,
}

impl WrittenLine {
    pub fn as_str(&self) -> &str {
        &self.text[self.range.clone()]
    }
}

impl Entry {
    /// Gives the entry the stamps of its files, touched but with the same bytes.
    pub fn restamp(&mut self, seed: Option<Stamp>, translation: Option<Stamp>) {
        self.seed_stamp = seed;
        self.translation_stamp = translation;
        self.written = None;
    }

    /// Whether the seed and its translation look untouched since this entry was made.
    pub fn stamps_match(&self, seed: Option<Stamp>, translation: Option<Stamp>) -> bool {
        self.seed_stamp == seed && self.translation_stamp == translation && seed.is_some()
    }
}

/// The record of the last build: the fingerprint of everything that affects every page
/// (tool, templates, static files, options), and an entry per seed.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    pub fingerprint: u64,
    pub entries: Vec<Entry>,
    /// The files the build made besides the articles' (index pages, feeds, static files).
    pub site_files: Vec<String>,
}

impl Manifest {
    /// Reads the manifest of the output folder `out`; anything unreadable means "build all".
    pub fn load(out: &Path) -> Option<Manifest> {
        let text = fs::read_to_string(out.join(MANIFEST)).ok()?;
        Manifest::parse(text.into())
    }

    fn parse(text: std::sync::Arc<str>) -> Option<Manifest> {
        let body = text.strip_suffix(&format!("{TRAILER}\n"))?;
        let (first, rest) = body.split_once('\n')?;
        let (header, fingerprint) = first.split_once('\t')?;
        if header != HEADER {
            return None;
        }
        let fingerprint = u64::from_str_radix(fingerprint, 16).ok()?;
        let (site, lines) = rest.split_once('\n')?;
        let site_files = list(site.strip_prefix("site\t")?)?;
        let mut start = body.len() - lines.len();
        let mut entries = Vec::new();
        for line in lines.split_terminator('\n') {
            let range = start..start + line.len();
            start = range.end + 1;
            let written = WrittenLine {
                text: std::sync::Arc::clone(&text),
                range,
            };
            entries.push(parse_entry(line, written)?);
        }
        Some(Manifest {
            fingerprint,
            entries,
            site_files,
        })
    }

    /// Every file the build that wrote this manifest made, relative to the output folder.
    pub fn made(&self) -> HashSet<&str> {
        self.entries
            .iter()
            .flat_map(|e| &e.files)
            .chain(&self.site_files)
            .map(String::as_str)
            .collect()
    }

    pub fn to_text(&self) -> String {
        let mut text = String::with_capacity(800 * (self.entries.len() + 1));
        let _ = write!(text, "{HEADER}\t{:016x}\nsite\t", self.fingerprint);
        push_list(&mut text, &self.site_files);
        text.push('\n');
        for entry in &self.entries {
            match &entry.written {
                Some(line) => text.push_str(line.as_str()),
                None => push_entry(&mut text, entry),
            }
            text.push('\n');
        }
        text.push_str(TRAILER);
        text.push('\n');
        text
    }
}

// One line per entry, tab-separated fields, list items joined by the unit separator, a
// warning's parts by the record separator; text fields are escaped so that any title or
// message survives. Written straight into one string: a large site's manifest is megabytes.
const ITEM: char = UNIT_SEPARATOR;

fn push_list(text: &mut String, items: &[String]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            text.push(ITEM);
        }
        escape_into(text, item);
    }
}

fn list(field: &str) -> Option<Vec<String>> {
    if field.is_empty() {
        return Some(Vec::new());
    }
    split_fields(field, ITEM as u8).map(unescape).collect()
}

fn push_optional(text: &mut String, value: Option<&str>) {
    match value {
        Some(value) => {
            text.push('+');
            escape_into(text, value);
        }
        None => text.push('-'),
    }
}

fn parse_optional(field: &str) -> Option<Option<String>> {
    match field {
        "-" => Some(None),
        other => Some(Some(unescape(other.strip_prefix('+')?)?)),
    }
}

fn push_stamp(text: &mut String, stamp: Option<Stamp>) {
    match stamp {
        Some(s) => {
            let _ = write!(text, "{}:{}", s.size, s.modified_ns);
        }
        None => text.push('-'),
    }
}

fn parse_stamp(field: &str) -> Option<Option<Stamp>> {
    if field == "-" {
        return Some(None);
    }
    let (size, modified) = field.split_once(':')?;
    Some(Some(Stamp {
        size: size.parse().ok()?,
        modified_ns: modified.parse().ok()?,
    }))
}

/// Text fields, each escaped and followed by a tab.
fn push_fields(text: &mut String, fields: &[&str]) {
    for field in fields {
        escape_into(text, field);
        text.push('\t');
    }
}

fn push_side(text: &mut String, side: &SideSummary) {
    push_fields(text, &[&side.lang, &side.title, &side.summary]);
    push_optional(text, side.date.as_deref());
    text.push('\t');
}

fn push_entry(text: &mut String, entry: &Entry) {
    let summary = &entry.summary;
    push_fields(text, &[&entry.seed.to_string_lossy()]);
    push_stamp(text, entry.seed_stamp);
    text.push('\t');
    push_stamp(text, entry.translation_stamp);
    let kind = if entry.machine_translated { 'm' } else { 'a' };
    let _ = write!(text, "\t{:016x}\t{kind}\t", entry.hash);
    push_list(text, &entry.files);
    text.push('\t');
    push_fields(text, &[&summary.slug]);
    push_optional(text, summary.published_iso.as_deref());
    text.push('\t');
    push_side(text, &summary.source);
    push_side(text, &summary.target);
    for (i, warning) in entry.warnings.iter().enumerate() {
        if i > 0 {
            text.push(ITEM);
        }
        escape_into(text, &warning.path.to_string_lossy());
        text.push(RECORD_SEPARATOR);
        push_optional(text, warning.place.as_deref());
        text.push(RECORD_SEPARATOR);
        escape_into(text, &warning.message);
    }
}

fn parse_entry(line: &str, written: WrittenLine) -> Option<Entry> {
    let fields: Vec<&str> = split_fields(line, b'\t').collect();
    let [
        seed,
        seed_stamp,
        translation_stamp,
        hash,
        kind,
        files,
        slug,
        published,
        rest @ ..,
    ] = fields.as_slice()
    else {
        return None;
    };
    let [
        s_lang,
        s_title,
        s_summary,
        s_date,
        t_lang,
        t_title,
        t_summary,
        t_date,
        warnings,
    ] = rest
    else {
        return None;
    };
    let side = |lang: &str, title: &str, summary: &str, date: &str| -> Option<SideSummary> {
        Some(SideSummary {
            lang: unescape(lang)?,
            title: unescape(title)?,
            summary: unescape(summary)?,
            date: parse_optional(date)?,
        })
    };
    let published_iso = parse_optional(published)?;
    let published = match &published_iso {
        Some(iso) => Some(chrono::DateTime::parse_from_rfc3339(iso).ok()?),
        None => None,
    };
    let split = |field: &str| -> Vec<String> {
        if field.is_empty() {
            Vec::new()
        } else {
            field.split(ITEM).map(str::to_string).collect()
        }
    };
    let files = list(files)?;
    let warnings = split(warnings)
        .iter()
        .map(|w| {
            let [path, place, message] = w.split(RECORD_SEPARATOR).collect::<Vec<_>>()[..] else {
                return None;
            };
            Some(Warning {
                path: PathBuf::from(unescape(path)?),
                place: parse_optional(place)?,
                message: unescape(message)?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Entry {
        seed: PathBuf::from(unescape(seed)?),
        seed_stamp: parse_stamp(seed_stamp)?,
        translation_stamp: parse_stamp(translation_stamp)?,
        hash: u64::from_str_radix(hash, 16).ok()?,
        machine_translated: *kind == "m",
        files,
        summary: ArticleSummary {
            slug: unescape(slug)?,
            published,
            published_iso,
            source: side(s_lang, s_title, s_summary, s_date)?,
            target: side(t_lang, t_title, t_summary, t_date)?,
        },
        warnings,
        written: Some(written),
    })
}

/// `text` split at the ASCII `separator`; a plain loop over bytes beats `str::split`'s
/// searcher on fields this short.
fn split_fields(text: &str, separator: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let field = rest?;
        match field.bytes().position(|b| b == separator) {
            Some(at) => {
                rest = Some(&field[at + 1..]);
                Some(&field[..at])
            }
            None => {
                rest = None;
                Some(field)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(title: &str) -> Entry {
        let side = |lang: &str| SideSummary {
            lang: lang.to_string(),
            title: title.to_string(),
            summary: "Uno.\tDos\\n".to_string(),
            date: Some("5 noviembre".to_string()),
        };
        Entry {
            seed: PathBuf::from("seeds/a b.txt"),
            seed_stamp: Some(Stamp {
                size: 10,
                modified_ns: 1_700_000_000_123_456_789,
            }),
            translation_stamp: None,
            hash: 0xdead_beef,
            machine_translated: true,
            files: vec!["a/index.html".into(), "a/es.md".into()],
            summary: ArticleSummary {
                slug: "a".to_string(),
                published: chrono::DateTime::parse_from_rfc3339("2025-11-05T13:34:00+01:00").ok(),
                published_iso: Some("2025-11-05T13:34:00+01:00".to_string()),
                source: side("es"),
                target: side("en"),
            },
            warnings: vec![Warning {
                path: PathBuf::from("seeds/a.txt"),
                place: Some("paragraph 2".into()),
                message: "`«` is never closed\n".into(),
            }],
            written: None,
        }
    }

    #[test]
    fn manifest_round_trips_any_text() {
        let manifest = Manifest {
            fingerprint: 42,
            entries: vec![entry("Título con \t tab, \u{1f} y \\ barra"), entry("")],
            site_files: vec!["index.html".into(), "page/2/index.html".into()],
        };
        let text = manifest.to_text();
        let mut parsed = Manifest::parse(text.as_str().into()).unwrap();
        // Read back, it writes the same lines without escaping them again.
        assert!(parsed.entries.iter().all(|e| e.written.is_some()));
        assert_eq!(parsed.to_text(), text);
        for entry in &mut parsed.entries {
            entry.written = None;
        }
        assert_eq!(parsed, manifest);
        parsed.entries[0].restamp(None, None);
        assert!(parsed.to_text().contains("seeds/a b.txt\t-\t-\t"));
    }

    #[test]
    fn damaged_manifest_means_build_all() {
        let text = Manifest {
            fingerprint: 1,
            entries: vec![entry("x")],
            site_files: Vec::new(),
        }
        .to_text();
        assert!(Manifest::parse(text[..text.len() - 20].into()).is_none());
        assert!(Manifest::parse("paralelo-manifest 0\t01\nend\n".into()).is_none());
        assert!(Manifest::parse("paralelo-manifest 1\t01\nsite\t\nend\n".into()).is_some());
        assert!(Manifest::parse("".into()).is_none());
    }
}
