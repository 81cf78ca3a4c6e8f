//! Remembers machine translations between builds, so a rebuild asks the engine only for what it
//! has not translated yet.
//!
//! One file per engine id in the cache folder, so a new engine version or language pair starts
//! afresh and never reads another's answers. The file is loaded whole into a map at start and
//! only appended to (a corpus has tens of thousands of sentences: one file each would be far
//! slower). Format, UTF-8, one record a line:
//!
//! ```text
//! paralelo translation cache 1<TAB><engine id>
//! <checksum><TAB><source><TAB><translation><TAB><unknown ranges>
//! ```
//!
//! Source and translation are escaped (`\\`, `\t`, `\n`, `\r`), so a record is always one line;
//! the unknown ranges are byte ranges like `0-8,21-29`; the checksum is the FNV-1a hash of the
//! rest of the line, in 16 hex digits. A line that is cut short (a build killed while writing),
//! or otherwise damaged, fails its checksum and is skipped; the next save starts on a new line.

use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::apertium::{Apertium, MtError, Translated};
use crate::record::{StableHasher, escape, unescape};

/// The first line's start; change the number when the format changes.
const HEADER: &str = "paralelo translation cache 1";

/// Translations keyed by their exact source text, for one engine.
#[derive(Debug)]
pub struct Cache {
    /// `None` when disabled.
    store: Option<Store>,
}

#[derive(Debug)]
struct Store {
    file: PathBuf,
    engine_id: String,
    entries: HashMap<String, Translated>,
    /// Sources inserted since the last save, in order.
    unsaved: Vec<String>,
    on_disk: OnDisk,
}

/// What the next save must do before appending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnDisk {
    /// No file (or one written for another engine or format): write it anew, header first.
    Rewrite,
    /// A good file; `true` if its last line was cut short and needs ending first.
    Append { unfinished: bool },
}

impl Cache {
    /// Loads the cache of `engine_id` from `dir` (e.g. `.paralelo-cache/` beside the seeds).
    /// A missing folder or file is an empty cache; both are created by [`Cache::save`].
    pub fn open(dir: &Path, engine_id: &str) -> io::Result<Cache> {
        let file = dir.join(file_name(engine_id));
        let mut store = Store {
            file,
            engine_id: engine_id.to_string(),
            entries: HashMap::new(),
            unsaved: Vec::new(),
            on_disk: OnDisk::Rewrite,
        };
        let bytes = match fs::read(&store.file) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Cache { store: Some(store) });
            }
            Err(e) => return Err(e),
        };
        let mut lines = bytes.split(|&b| b == b'\n');
        // The piece after the last `\n`: empty, or a line whose writing was cut short.
        let unfinished = lines.next_back().is_some_and(|rest| !rest.is_empty());
        let header = format!("{HEADER}\t{}", escape(engine_id));
        if lines.next() != Some(header.as_bytes()) {
            return Ok(Cache { store: Some(store) });
        }
        store.on_disk = OnDisk::Append { unfinished };
        for line in lines {
            if let Some((source, translated)) = std::str::from_utf8(line).ok().and_then(parse_line)
            {
                store.entries.insert(source, translated);
            }
        }
        Ok(Cache { store: Some(store) })
    }

    /// A cache that remembers nothing (for `--no-cache`): every lookup misses, saving does nothing.
    pub fn disabled() -> Cache {
        Cache { store: None }
    }

    /// The file this cache is kept in, unless disabled.
    #[cfg(test)]
    pub fn path(&self) -> Option<&Path> {
        self.store.as_ref().map(|s| s.file.as_path())
    }

    /// The cached translation of exactly `source`.
    pub fn get(&self, source: &str) -> Option<&Translated> {
        self.store.as_ref()?.entries.get(source)
    }

    /// Remembers a translation; it reaches the disk with the next [`Cache::save`].
    pub fn insert(&mut self, source: &str, translated: Translated) {
        let Some(store) = &mut self.store else {
            return;
        };
        if store.entries.get(source) != Some(&translated) {
            store.entries.insert(source.to_string(), translated);
            store.unsaved.push(source.to_string());
        }
    }

    #[cfg(test)]
    /// The number of cached translations.
    pub fn len(&self) -> usize {
        self.store.as_ref().map_or(0, |s| s.entries.len())
    }

    #[cfg(test)]
    /// Whether nothing is cached (always, when disabled).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends what was inserted since the last save, in one write.
    pub fn save(&mut self) -> io::Result<()> {
        let Some(store) = &mut self.store else {
            return Ok(());
        };
        if store.unsaved.is_empty() {
            return Ok(());
        }
        let mut out = String::new();
        match store.on_disk {
            OnDisk::Rewrite => {
                out.push_str(HEADER);
                out.push('\t');
                out.push_str(&escape(&store.engine_id));
                out.push('\n');
            }
            OnDisk::Append { unfinished: true } => out.push('\n'),
            OnDisk::Append { unfinished: false } => {}
        }
        for source in &store.unsaved {
            if let Some(translated) = store.entries.get(source) {
                out.push_str(&format_line(source, translated));
            }
        }
        if let Some(dir) = store.file.parent() {
            fs::create_dir_all(dir)?;
        }
        let mut file = match store.on_disk {
            OnDisk::Rewrite => OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&store.file)?,
            OnDisk::Append { .. } => OpenOptions::new()
                .append(true)
                .create(true)
                .open(&store.file)?,
        };
        file.write_all(out.as_bytes())?;
        store.unsaved.clear();
        store.on_disk = OnDisk::Append { unfinished: false };
        Ok(())
    }

    /// Translates `segments` like [`Apertium::translate`], asking `engine` only for those not in
    /// the cache (each distinct one once), and remembers its answers (call [`Cache::save`] to
    /// keep them). The cache must have been opened with `engine`'s [`Apertium::engine_id`].
    pub fn translate(
        &mut self,
        engine: &mut Apertium,
        segments: &[&str],
    ) -> Result<Vec<Translated>, MtError> {
        // Each segment's answer: from the cache, or the engine's `n`th.
        enum Answer {
            Cached(Translated),
            Fresh(usize),
        }
        let mut missing: Vec<&str> = Vec::new();
        let mut asked: HashMap<&str, usize> = HashMap::new();
        let answers: Vec<Answer> = segments
            .iter()
            .map(|&segment| match self.get(segment) {
                Some(cached) => Answer::Cached(cached.clone()),
                None => Answer::Fresh(*asked.entry(segment).or_insert_with(|| {
                    missing.push(segment);
                    missing.len() - 1
                })),
            })
            .collect();
        let fresh = if missing.is_empty() {
            Vec::new()
        } else {
            engine.translate(&missing)?
        };
        // `Apertium::translate` answers every segment it is given, so `n` is in range.
        let out = answers
            .into_iter()
            .map(|answer| match answer {
                Answer::Cached(translated) => translated,
                Answer::Fresh(n) => fresh[n].clone(),
            })
            .collect();
        for (source, translated) in missing.into_iter().zip(fresh) {
            self.insert(source, translated);
        }
        Ok(out)
    }
}

/// A file name for `engine_id`: its letters, digits, `.` and `-`, the rest as `_`.
fn file_name(engine_id: &str) -> String {
    let safe: String = engine_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.len() <= 150 {
        return format!("{safe}.tsv");
    }
    // Too long for some file systems: keep the start, and tell ids apart by their hash.
    let mut hasher = StableHasher::new();
    hasher.write(engine_id.as_bytes());
    format!("{}-{:016x}.tsv", &safe[..120], hasher.finish())
}

fn checksum(record: &str) -> String {
    let mut hasher = StableHasher::new();
    hasher.write(record.as_bytes());
    format!("{:016x}", hasher.finish())
}

fn format_line(source: &str, translated: &Translated) -> String {
    let ranges: Vec<String> = translated
        .unknown
        .iter()
        .map(|r| format!("{}-{}", r.start, r.end))
        .collect();
    let record = format!(
        "{}\t{}\t{}",
        escape(source),
        escape(&translated.text),
        ranges.join(",")
    );
    format!("{}\t{record}\n", checksum(&record))
}

/// Reads one record; `None` for anything damaged.
fn parse_line(line: &str) -> Option<(String, Translated)> {
    let (sum, record) = line.split_once('\t')?;
    if sum != checksum(record) {
        return None;
    }
    let mut fields = record.split('\t');
    let (Some(source), Some(text), Some(ranges), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return None;
    };
    let text = unescape(text)?;
    let unknown = if ranges.is_empty() {
        Vec::new()
    } else {
        ranges
            .split(',')
            .map(|r| parse_range(r, &text))
            .collect::<Option<Vec<_>>>()?
    };
    Some((unescape(source)?, Translated { text, unknown }))
}

/// `start-end`, which must fall on character boundaries of `text`.
fn parse_range(range: &str, text: &str) -> Option<Range<usize>> {
    let (start, end) = range.split_once('-')?;
    let range = start.parse().ok()?..end.parse().ok()?;
    text.get(range.clone())?;
    Some(range)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENGINE: &str =
        "Apertium 3.8.3 spa-eng apertium-eng-spa 0.8.1-2 data 0123456789abcdef cleanup 1";

    /// A translation with its unknown words' (start, end).
    fn translated(text: &str, unknown: &[(usize, usize)]) -> Translated {
        Translated {
            text: text.to_string(),
            unknown: unknown.iter().map(|&(start, end)| start..end).collect(),
        }
    }

    #[test]
    fn saved_entries_come_back_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let cache_dir = dir.path().join(".paralelo-cache");
        let mut cache = Cache::open(&cache_dir, ENGINE).unwrap();
        assert!(cache.is_empty());
        let tricky = "Tab\there, new\nline, back\\slash, \\t not a tab, «comillas» y ñ\r";
        cache.insert("Zelenski habló.", translated("Zelenski spoke.", &[(0, 8)]));
        cache.insert(tricky, translated("x\ty\\n", &[]));
        cache.save().unwrap();
        cache.insert("Hola.", translated("Hello.", &[]));
        cache.save().unwrap();

        let cache = Cache::open(&cache_dir, ENGINE).unwrap();
        assert_eq!(cache.len(), 3);
        assert_eq!(
            cache.get("Zelenski habló."),
            Some(&translated("Zelenski spoke.", &[(0, 8)]))
        );
        assert_eq!(cache.get(tricky), Some(&translated("x\ty\\n", &[])));
        assert_eq!(cache.get("Hola."), Some(&translated("Hello.", &[])));
        assert_eq!(cache.get("hola."), None);
        let text = fs::read_to_string(cache.path().unwrap()).unwrap();
        assert_eq!(text.lines().count(), 4, "{text}");
    }

    #[test]
    fn a_cut_short_or_damaged_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::open(dir.path(), ENGINE).unwrap();
        cache.insert("Uno.", translated("One.", &[]));
        cache.insert("Dos.", translated("Two.", &[]));
        cache.save().unwrap();
        let path = cache.path().unwrap().to_path_buf();
        let text = fs::read_to_string(&path).unwrap();
        // A flipped letter in the first record, and a build killed in the middle of a third.
        let damaged = text.replacen("One.", "Ono.", 1);
        let third = format_line("Tres.", &translated("Three.", &[(0, 5)]));
        fs::write(&path, format!("{damaged}{}", &third[..third.len() - 4])).unwrap();

        let mut cache = Cache::open(dir.path(), ENGINE).unwrap();
        assert_eq!(cache.get("Uno."), None);
        assert_eq!(cache.get("Dos."), Some(&translated("Two.", &[])));
        assert_eq!(cache.get("Tres."), None);
        // Saving again starts on a line of its own: the new entry survives the broken one.
        cache.insert("Cuatro.", translated("Four.", &[]));
        cache.save().unwrap();
        let cache = Cache::open(dir.path(), ENGINE).unwrap();
        assert_eq!(cache.get("Cuatro."), Some(&translated("Four.", &[])));
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn bad_ranges_and_escapes_are_rejected() {
        let good = format_line("a", &translated("ñandú", &[(0, 2)]));
        assert!(parse_line(good.trim_end()).is_some());
        for record in [
            "a\tñandú\t0-1",
            "a\tb\t0-9",
            "a\tb\\x\t",
            "a\tb\t1-",
            "a\tb",
        ] {
            let line = format!("{}\t{record}", checksum(record));
            assert_eq!(parse_line(&line), None, "{record}");
        }
        assert_eq!(parse_line("no checksum"), None);
    }

    #[test]
    fn each_engine_has_its_own_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut old = Cache::open(dir.path(), ENGINE).unwrap();
        old.insert("Hola.", translated("Hello.", &[]));
        old.save().unwrap();
        let newer = ENGINE.replace("cleanup 1", "cleanup 2");
        let new = Cache::open(dir.path(), &newer).unwrap();
        assert_eq!(new.get("Hola."), None);
        assert_ne!(new.path(), old.path());
        let name = new
            .path()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(name.starts_with("Apertium_3.8.3_spa-eng_"), "{name}");
    }

    #[test]
    fn a_file_of_another_engine_is_replaced_not_mixed() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::open(dir.path(), ENGINE).unwrap();
        cache.insert("Hola.", translated("Hello.", &[]));
        cache.save().unwrap();
        let path = cache.path().unwrap().to_path_buf();
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text.replacen("cleanup 1", "cleanup 0", 1)).unwrap();

        let mut cache = Cache::open(dir.path(), ENGINE).unwrap();
        assert!(cache.is_empty());
        cache.insert("Adiós.", translated("Goodbye.", &[]));
        cache.save().unwrap();
        let cache = Cache::open(dir.path(), ENGINE).unwrap();
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.get("Adiós."), Some(&translated("Goodbye.", &[])));
    }

    #[test]
    fn a_disabled_cache_remembers_nothing() {
        let mut cache = Cache::disabled();
        cache.insert("Hola.", translated("Hello.", &[]));
        assert_eq!(cache.get("Hola."), None);
        assert!(cache.is_empty());
        assert!(cache.path().is_none());
        cache.save().unwrap();
    }

    #[test]
    fn translate_asks_the_engine_only_for_what_is_missing() {
        let Some(mut engine) = super::super::apertium::engine_or_skip(
            "translate_asks_the_engine_only_for_what_is_missing",
        ) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::open(dir.path(), engine.engine_id()).unwrap();
        // A planted answer proves the engine was not asked for this one.
        cache.insert("Hola.", translated("Hi there.", &[]));
        let out = cache
            .translate(
                &mut engine,
                &["Hola.", "Adiós.", "Zelenski habló.", "Adiós."],
            )
            .unwrap();
        let texts: Vec<&str> = out.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            ["Hi there.", "Goodbye.", "Zelenski spoke.", "Goodbye."]
        );
        cache.save().unwrap();

        let reopened = Cache::open(dir.path(), engine.engine_id()).unwrap();
        assert_eq!(reopened.len(), 3);
        assert_eq!(reopened.get("Zelenski habló."), Some(&out[2]));
        let mut off = Cache::disabled();
        let out = off.translate(&mut engine, &["Adiós.", ""]).unwrap();
        assert_eq!(out[0].text, "Goodbye.");
        assert_eq!(out[1].text, "");
    }
}
