//! Decides what a rebuild must redo. A manifest in the output folder records, for each seed,
//! its inputs (size, modification time and a hash of the bytes) and what its page gave the
//! index, so a rebuild neither reads nor writes what has not changed.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crate::error::Warning;
use crate::record::{RECORD_SEPARATOR, StableHasher, UNIT_SEPARATOR, escape, unescape};
use crate::site::{ArticleSummary, SideSummary};

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

/// The hash of a seed's and its translation's bytes (a missing translation hashes as such).
pub fn content_hash(seed: &Path, translation: &Path) -> std::io::Result<u64> {
    let mut hash = StableHasher::new();
    hash.write_field(&fs::read(seed)?);
    match fs::read(translation) {
        Ok(bytes) => hash.write_field(&bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => hash.write_field(b"\0missing"),
        Err(e) => return Err(e),
    }
    Ok(hash.finish())
}

/// One seed as the last build saw it.
#[derive(Debug, Clone, PartialEq)]
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
}

impl Entry {
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
        Manifest::parse(&text)
    }

    fn parse(text: &str) -> Option<Manifest> {
        let body = text.strip_suffix(&format!("{TRAILER}\n"))?;
        let mut lines = body.lines();
        let (header, fingerprint) = lines.next()?.split_once('\t')?;
        if header != HEADER {
            return None;
        }
        let fingerprint = u64::from_str_radix(fingerprint, 16).ok()?;
        let site_files = list(lines.next()?.strip_prefix("site\t")?)?;
        let entries = lines.map(parse_entry).collect::<Option<Vec<_>>>()?;
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
        let mut text = format!(
            "{HEADER}\t{:016x}\nsite\t{}\n",
            self.fingerprint,
            join(&self.site_files)
        );
        for entry in &self.entries {
            text.push_str(&entry_line(entry));
            text.push('\n');
        }
        text.push_str(TRAILER);
        text.push('\n');
        text
    }
}

// One line per entry, tab-separated fields, list items joined by the unit separator, a
// warning's parts by the record separator; text fields are escaped so that any title or
// message survives.
const ITEM: char = UNIT_SEPARATOR;

fn join(items: &[String]) -> String {
    items
        .iter()
        .map(|f| escape(f))
        .collect::<Vec<_>>()
        .join(&ITEM.to_string())
}

fn list(field: &str) -> Option<Vec<String>> {
    if field.is_empty() {
        return Some(Vec::new());
    }
    field.split(ITEM).map(unescape).collect()
}

fn optional(text: &Option<String>) -> String {
    text.as_deref()
        .map_or_else(|| "-".to_string(), |t| format!("+{}", escape(t)))
}

fn parse_optional(field: &str) -> Option<Option<String>> {
    match field {
        "-" => Some(None),
        other => Some(Some(unescape(other.strip_prefix('+')?)?)),
    }
}

fn stamp_field(stamp: Option<Stamp>) -> String {
    stamp.map_or_else(
        || "-".to_string(),
        |s| format!("{}:{}", s.size, s.modified_ns),
    )
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

fn side_fields(side: &SideSummary) -> [String; 4] {
    [
        escape(&side.lang),
        escape(&side.title),
        escape(&side.summary),
        optional(&side.date),
    ]
}

fn entry_line(entry: &Entry) -> String {
    let summary = &entry.summary;
    let warnings: Vec<String> = entry
        .warnings
        .iter()
        .map(|w| {
            [
                escape(&w.path.to_string_lossy()),
                optional(&w.place),
                escape(&w.message),
            ]
            .join(&RECORD_SEPARATOR.to_string())
        })
        .collect();
    let mut fields = vec![
        escape(&entry.seed.to_string_lossy()),
        stamp_field(entry.seed_stamp),
        stamp_field(entry.translation_stamp),
        format!("{:016x}", entry.hash),
        if entry.machine_translated { "m" } else { "a" }.to_string(),
        join(&entry.files),
        escape(&summary.slug),
        optional(&summary.published_iso),
    ];
    fields.extend(side_fields(&summary.source));
    fields.extend(side_fields(&summary.target));
    fields.push(warnings.join(&ITEM.to_string()));
    fields.join("\t")
}

fn parse_entry(line: &str) -> Option<Entry> {
    let fields: Vec<&str> = line.split('\t').collect();
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
        }
    }

    #[test]
    fn manifest_round_trips_any_text() {
        let manifest = Manifest {
            fingerprint: 42,
            entries: vec![entry("Título con \t tab, \u{1f} y \\ barra"), entry("")],
            site_files: vec!["index.html".into(), "page/2/index.html".into()],
        };
        assert_eq!(Manifest::parse(&manifest.to_text()), Some(manifest));
    }

    #[test]
    fn damaged_manifest_means_build_all() {
        let text = Manifest {
            fingerprint: 1,
            entries: vec![entry("x")],
            site_files: Vec::new(),
        }
        .to_text();
        assert!(Manifest::parse(&text[..text.len() - 20]).is_none());
        assert!(Manifest::parse("paralelo-manifest 0\t01\nend\n").is_none());
        assert!(Manifest::parse("paralelo-manifest 1\t01\nsite\t\nend\n").is_some());
        assert!(Manifest::parse("").is_none());
    }
}
