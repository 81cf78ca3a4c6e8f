//! The word analyses of earlier builds, kept in the state folder, so that a build analyses only
//! the paragraphs it has not seen before.
//!
//! What is kept is what Apertium says of a paragraph's text — each Spanish word's lemma, class,
//! form and candidate senses in dictionary order, each English word's lemmas and classes — keyed
//! by the paragraph's text, never what a page makes of it (the sense chosen in context depends on
//! the translation and is chosen again every build). A template, CSS or option change therefore
//! analyses nothing again, and a changed seed only its changed paragraphs.
//!
//! Layout: `<state>/glosses/<identity>/<xx>`, 256 shards by the key's low byte, so that a
//! one-seed rebuild reads a few small files and rewrites fewer. `<identity>` is a hash of this
//! program's version and the installed dictionaries ([`super::Glosser::data_identity`]): an
//! upgrade of either starts an empty cache, and a full build removes the others. Each shard is
//! written whole to a temporary file and renamed into place; one that cannot be read back (torn,
//! from another version) counts as empty. A full build keeps only the entries it used; an
//! incremental one keeps every old entry and adds its new ones, so the cache stays bounded by
//! the seeds of the last full build plus what changed since.
//!
//! A shard file: a magic line, then a table of distinct word records (interned: a lemma with its
//! senses is stored once per shard however often it occurs), then the entries, each a key and
//! its words as (gap from the previous word, length, record number). Numbers are LEB128.

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::record::StableHasher;

const MAGIC: &[u8] = b"paralelo gloss cache 1\n";
const SHARDS: usize = 256;

/// What a paragraph's text is analysed as: the two kinds never share a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Spanish,
    English,
}

/// One analysed word: where it is in its paragraph, and its record (an encoding of the rest,
/// chosen by the caller).
pub type Word = (Range<usize>, Vec<u8>);

/// The analyses of earlier builds and those this build adds.
pub struct Cache {
    dir: PathBuf,
    shards: Vec<Shard>,
}

#[derive(Default)]
struct Shard {
    /// The shard as read from disk, when first asked.
    loaded: OnceLock<Loaded>,
    /// Entries this build analysed.
    added: Mutex<HashMap<u64, Vec<Word>>>,
    /// Keys of old entries this build asked for.
    used: Mutex<HashSet<u64>>,
}

#[derive(Default)]
struct Loaded {
    bytes: Vec<u8>,
    records: Vec<Range<usize>>,
    /// Each key's words, as a range of `bytes`.
    entries: HashMap<u64, Range<usize>>,
}

/// The key of a paragraph's text.
pub fn key(kind: Kind, text: &str) -> u64 {
    let mut hash = StableHasher::new();
    hash.write_field(match kind {
        Kind::Spanish => b"es",
        Kind::English => b"en",
    });
    hash.write(text.as_bytes());
    hash.finish()
}

impl Cache {
    /// The cache under `root` (the state folder's `glosses`) for data of this `identity`.
    pub fn new(root: &Path, identity: &str) -> Cache {
        let mut hash = StableHasher::new();
        hash.write_field(env!("CARGO_PKG_VERSION").as_bytes());
        hash.write_field(identity.as_bytes());
        Cache {
            dir: root.join(format!("{:016x}", hash.finish())),
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
        }
    }

    fn shard(&self, key: u64) -> (usize, &Shard) {
        let n = (key % SHARDS as u64) as usize;
        (n, &self.shards[n])
    }

    /// The words kept for `key`, if an earlier build (or this one) analysed its text.
    pub fn get(&self, key: u64) -> Option<Vec<Word>> {
        let (n, shard) = self.shard(key);
        let loaded = shard
            .loaded
            .get_or_init(|| Loaded::read(&self.dir.join(format!("{n:02x}"))).unwrap_or_default());
        if let Some(range) = loaded.entries.get(&key) {
            let words = loaded.words(range.clone())?;
            shard.used.lock().ok()?.insert(key);
            return Some(words);
        }
        shard.added.lock().ok()?.get(&key).cloned()
    }

    /// Keeps the words of a newly analysed text.
    pub fn put(&self, key: u64, words: Vec<Word>) {
        let (_, shard) = self.shard(key);
        if let Ok(mut added) = shard.added.lock() {
            added.insert(key, words);
        }
    }

    /// Writes the shards that changed. `full`: this build analysed or asked for every paragraph
    /// of the site, so entries it did not ask for are dropped, and caches of other identities
    /// removed.
    pub fn save(&self, full: bool) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        for (n, shard) in self.shards.iter().enumerate() {
            let added = std::mem::take(&mut *shard.added.lock().map_err(poisoned)?);
            let used = std::mem::take(&mut *shard.used.lock().map_err(poisoned)?);
            let path = self.dir.join(format!("{n:02x}"));
            // A shard nobody asked for was not read: a full build drops it, other builds leave it.
            let loaded = match shard.loaded.get() {
                Some(loaded) => loaded,
                None if added.is_empty() => {
                    if full {
                        remove_if_there(&path)?;
                    }
                    continue;
                }
                None => shard
                    .loaded
                    .get_or_init(|| Loaded::read(&path).unwrap_or_default()),
            };
            let dropped = full && used.len() < loaded.entries.len();
            if added.is_empty() && !dropped {
                continue;
            }
            let mut entries: Vec<(u64, Vec<Word>)> = loaded
                .entries
                .iter()
                .filter(|(key, _)| !full || used.contains(key))
                .filter_map(|(&key, range)| Some((key, loaded.words(range.clone())?)))
                .collect();
            entries.extend(added);
            entries.sort_unstable_by_key(|(key, _)| *key);
            entries.dedup_by_key(|(key, _)| *key);
            if entries.is_empty() {
                remove_if_there(&path)?;
            } else {
                write_atomically(&path, &encode(&entries))?;
            }
        }
        if full {
            self.remove_others()?;
        }
        Ok(())
    }

    /// Removes the caches of other identities (older versions, other dictionaries).
    fn remove_others(&self) -> std::io::Result<()> {
        let Some(root) = self.dir.parent() else {
            return Ok(());
        };
        for entry in std::fs::read_dir(root)? {
            let entry = entry?;
            if entry.path() != self.dir && entry.file_type()?.is_dir() {
                std::fs::remove_dir_all(entry.path())?;
            }
        }
        Ok(())
    }
}

fn poisoned<T>(_: T) -> std::io::Error {
    std::io::Error::other("a thread panicked while it used the gloss cache")
}

fn remove_if_there(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = path.with_extension(format!("new-{}", std::process::id()));
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(bytes)?;
    drop(file);
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

fn encode(entries: &[(u64, Vec<Word>)]) -> Vec<u8> {
    let mut numbers: HashMap<&[u8], usize> = HashMap::new();
    let mut records: Vec<&[u8]> = Vec::new();
    for (_, words) in entries {
        for (_, record) in words {
            numbers.entry(record).or_insert_with(|| {
                records.push(record);
                records.len() - 1
            });
        }
    }
    let mut out = MAGIC.to_vec();
    push_number(&mut out, records.len() as u64);
    for record in &records {
        push_number(&mut out, record.len() as u64);
        out.extend_from_slice(record);
    }
    push_number(&mut out, entries.len() as u64);
    for (key, words) in entries {
        out.extend_from_slice(&key.to_le_bytes());
        push_number(&mut out, words.len() as u64);
        let mut previous = 0;
        for (range, record) in words {
            // Words come in order, so the step from the last start is small and positive;
            // anything else is stored too (zigzag).
            let step = range.start as i64 - previous as i64;
            push_number(&mut out, ((step << 1) ^ (step >> 63)) as u64);
            push_number(&mut out, range.end.saturating_sub(range.start) as u64);
            push_number(&mut out, numbers[record.as_slice()] as u64);
            previous = range.start;
        }
    }
    out
}

impl Loaded {
    fn read(path: &Path) -> Option<Loaded> {
        let bytes = std::fs::read(path).ok()?;
        let mut reader = Reader {
            bytes: &bytes,
            at: MAGIC.len(),
        };
        if !bytes.starts_with(MAGIC) {
            return None;
        }
        let count = reader.number()?;
        let mut records = Vec::with_capacity(count.min(1 << 20));
        for _ in 0..count {
            let len = reader.number()?;
            records.push(reader.skip(len)?);
        }
        let count = reader.number()?;
        let mut entries = HashMap::with_capacity(count.min(1 << 20));
        for _ in 0..count {
            let key = u64::from_le_bytes(reader.take(8)?.try_into().ok()?);
            let start = reader.at;
            let words = reader.number()?;
            for _ in 0..words * 3 {
                reader.number()?;
            }
            entries.insert(key, start..reader.at);
        }
        (reader.at == bytes.len()).then_some(Loaded {
            bytes,
            records,
            entries,
        })
    }

    /// The words stored at `range`; `None` if they do not decode (never after a checked read).
    fn words(&self, range: Range<usize>) -> Option<Vec<Word>> {
        let mut reader = Reader {
            bytes: self.bytes.get(..range.end)?,
            at: range.start,
        };
        let count = reader.number()?;
        let mut words = Vec::with_capacity(count);
        let mut previous: i64 = 0;
        for _ in 0..count {
            let step = reader.number()? as i64;
            let start = previous.checked_add((step >> 1) ^ -(step & 1))?;
            let start = usize::try_from(start).ok()?;
            let end = start.checked_add(reader.number()?)?;
            let record = self.records.get(reader.number()?)?;
            words.push((start..end, self.bytes[record.clone()].to_vec()));
            previous = start as i64;
        }
        Some(words)
    }
}

/// Appends a string to a word record.
pub fn push_text(out: &mut Vec<u8>, text: &str) {
    push_number(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

/// Appends a list of strings to a word record.
pub fn push_texts(out: &mut Vec<u8>, texts: &[String]) {
    push_number(out, texts.len() as u64);
    for text in texts {
        push_text(out, text);
    }
}

/// Reads back what [`push_text`] and [`push_texts`] wrote, in order.
pub struct RecordReader<'a>(Reader<'a>);

impl<'a> RecordReader<'a> {
    pub fn new(record: &'a [u8]) -> RecordReader<'a> {
        RecordReader(Reader {
            bytes: record,
            at: 0,
        })
    }

    pub fn text(&mut self) -> Option<String> {
        let len = self.0.number()?;
        String::from_utf8(self.0.take(len)?.to_vec()).ok()
    }

    pub fn texts(&mut self) -> Option<Vec<String>> {
        let count = self.0.number()?;
        (0..count).map(|_| self.text()).collect()
    }

    /// Whether the whole record was read.
    pub fn done(&self) -> bool {
        self.0.at == self.0.bytes.len()
    }
}

fn push_number(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn number(&mut self) -> Option<usize> {
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = *self.bytes.get(self.at)?;
            self.at += 1;
            n |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return usize::try_from(n).ok();
            }
        }
        None
    }

    fn take(&mut self, len: usize) -> Option<&[u8]> {
        let range = self.skip(len)?;
        Some(&self.bytes[range])
    }

    fn skip(&mut self, len: usize) -> Option<Range<usize>> {
        let end = self
            .at
            .checked_add(len)
            .filter(|&e| e <= self.bytes.len())?;
        let range = self.at..end;
        self.at = end;
        Some(range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(spec: &[(usize, usize, &str)]) -> Vec<Word> {
        spec.iter()
            .map(|&(s, e, r)| (s..e, r.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn entries_round_trip_through_a_shard_and_records_are_stored_once() {
        let a = words(&[(0, 2, "el"), (3, 8, "perro"), (9, 11, "el")]);
        let b = words(&[(9, 14, "perro"), (5, 6, ""), (5, 5, "el")]);
        let bytes = encode(&[(1, a.clone()), (257, b.clone())]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("01");
        std::fs::write(&path, &bytes).unwrap();
        let loaded = Loaded::read(&path).unwrap();
        assert_eq!(loaded.records.len(), 3);
        assert_eq!(loaded.words(loaded.entries[&1].clone()).unwrap(), a);
        assert_eq!(loaded.words(loaded.entries[&257].clone()).unwrap(), b);
        // Torn or foreign files read as nothing.
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert!(Loaded::read(&path).is_none());
        std::fs::write(&path, b"something else").unwrap();
        assert!(Loaded::read(&path).is_none());
    }

    #[test]
    fn a_full_build_keeps_what_it_used_and_an_incremental_one_keeps_everything() {
        let dir = tempfile::tempdir().unwrap();
        let (one, two, three) = (
            key(Kind::Spanish, "uno"),
            key(Kind::Spanish, "dos"),
            key(Kind::English, "uno"),
        );
        assert_ne!(one, three, "the two kinds never share a key");
        let cache = Cache::new(dir.path(), "data");
        assert!(cache.get(one).is_none());
        cache.put(one, words(&[(0, 3, "uno")]));
        cache.put(two, words(&[(0, 3, "dos")]));
        assert_eq!(cache.get(two), Some(words(&[(0, 3, "dos")])));
        cache.save(true).unwrap();

        // An incremental build that asks for one entry and adds another keeps all three.
        let cache = Cache::new(dir.path(), "data");
        assert_eq!(cache.get(one), Some(words(&[(0, 3, "uno")])));
        cache.put(three, words(&[(0, 3, "one")]));
        cache.save(false).unwrap();
        let cache = Cache::new(dir.path(), "data");
        assert!(cache.get(two).is_some() && cache.get(three).is_some());

        // A full build that asks only for `one` drops the others.
        let cache = Cache::new(dir.path(), "data");
        cache.get(one).unwrap();
        cache.save(true).unwrap();
        let cache = Cache::new(dir.path(), "data");
        assert!(cache.get(one).is_some());
        assert!(cache.get(two).is_none() && cache.get(three).is_none());

        // Other data: another, empty cache; its full build removes the old one.
        let other = Cache::new(dir.path(), "upgraded data");
        assert!(other.get(one).is_none());
        other.put(two, words(&[(0, 3, "dos")]));
        other.save(true).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
