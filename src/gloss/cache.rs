//! The word analyses of earlier builds, kept in the state folder, so that a build analyses only
//! the paragraphs it has not seen before.
//!
//! What is kept is what Apertium says of a paragraph's text — each Spanish word's lemma, class,
//! form and candidate senses in dictionary order, each English word's lemmas and classes — keyed
//! by the paragraph's text, never what a page makes of it (the sense chosen in context depends on
//! the translation and is chosen again every build). A template, CSS or option change therefore
//! analyses nothing again, and a changed seed only its changed paragraphs.
//!
//! Layout, under `<state>/glosses/<identity>/`, where `<identity>` is a hash of this program's
//! version and the installed dictionaries ([`super::Glosser::data_identity`]), so that an
//! upgrade of either starts an empty cache (a full build removes the others):
//!
//! * `records`: every distinct word record (a word's analysis without its place: `haber`,
//!   verb, "present, 3rd person singular", `have`), each stored once for the whole site, in
//!   the order they were first met; a record's number is its place in this list. After the
//!   header (generation, count) come a table of where each record ends and a table of the
//!   records' hashes (sorted, each with its number), then the records: a build finds a record
//!   by number or by hash without reading the file record by record or hashing it whole.
//! * `00` … `ff`: the paragraphs, 256 shards by key, each paragraph its key and its words as
//!   (step from the last word's start, length, record number), so that a one-seed rebuild reads
//!   the records and a few small shards and rewrites fewer.
//!
//! Numbers are LEB128, except in the tables (little-endian u32 and u64). Every file is written
//! whole to a temporary file and renamed into place.
//! The records file and every shard carry a generation: a full build numbers its records anew
//! (dropping those no paragraph uses) under a new generation, an incremental build only adds
//! records at the end under the same one, so a shard is read only with the records it was
//! written for — one from an interrupted save, of another generation, counts as empty, as does
//! any file that does not read back whole. A full build keeps only the paragraphs it asked for;
//! an incremental one keeps every old paragraph and adds its new ones, so the cache is bounded by
//! the seeds of the last full build plus what changed since. Until the save, the paragraphs a
//! build adds wait in a spill file beside the cache ([`spill`]), not in memory.

use std::io::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

mod spill;

use crate::record::StableHasher;
use spill::Spill;

const MAGIC_RECORDS: &[u8] = b"paralelo gloss records 3\n";
const MAGIC_SHARD: &[u8] = b"paralelo gloss paragraphs 3\n";
const SHARDS: usize = 256;

/// What a paragraph's text is analysed as: the two kinds never share a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Spanish,
    English,
}

/// A paragraph's analysed words for [`Cache::put`]: where each is in its paragraph, and its
/// record (an encoding of the rest, chosen by the caller with [`push_text`] and
/// [`push_texts`]), the records end to end in one buffer.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Words {
    /// Each word's place, and where its record ends in `records`.
    places: Vec<(Range<usize>, usize)>,
    records: Vec<u8>,
}

impl Words {
    /// Adds the word at `range`, whose record `write` appends to the buffer it is given.
    pub fn push(&mut self, range: Range<usize>, write: impl FnOnce(&mut Vec<u8>)) {
        write(&mut self.records);
        self.places.push((range, self.records.len()));
    }

    /// Each word's place and record, in order.
    fn iter(&self) -> impl ExactSizeIterator<Item = (Range<usize>, &[u8])> {
        self.places.iter().enumerate().map(|(i, (range, end))| {
            let start = i.checked_sub(1).map_or(0, |before| self.places[before].1);
            (range.clone(), &self.records[start..*end])
        })
    }
}

/// The analyses of earlier builds and those this build adds.
pub struct Cache {
    dir: PathBuf,
    old: OnceLock<Records>,
    new: Mutex<NewRecords>,
    /// Records already numbered, by their bytes: most words come again and again, and are
    /// numbered here without the lock on [`Cache::new`]'s table.
    numbered: crate::apertium::Memo<u32>,
    shards: Vec<Shard>,
    /// The words of the paragraphs this build added, until the save.
    spill: Spill,
}

/// The records file as read: its bytes, with where its tables and records start (see
/// [`encode_records`]).
#[derive(Default)]
struct Records {
    generation: u64,
    bytes: Vec<u8>,
    count: usize,
    /// Where the table of the records' ends, the table of their hashes, and the records start.
    ends: usize,
    hashes: usize,
    data: usize,
}

/// The header of a records file: the magic, the generation (u64) and the count (u32).
const RECORDS_HEADER: usize = MAGIC_RECORDS.len() + 8 + 4;

/// The most records [`Cache::numbered`] keeps (tens of bytes each).
const NUMBERED: usize = 32_768;

/// A record's line of the hash table: the top half of its hash and its number (u32, u32).
const HASH_LINE: usize = 8;

/// Records this build met that the file does not hold, numbered after the file's.
#[derive(Default)]
struct NewRecords {
    /// A new record's number by the hash of its bytes: the first record with that hash, the
    /// only one but for a 64-bit collision, which at worst keeps a record twice under two
    /// numbers. (The file's records are found by its hash table.)
    numbers: rustc_hash::FxHashMap<u64, u32>,
    list: Vec<Vec<u8>>,
}

#[derive(Default)]
struct Shard {
    /// The shard as read from disk, when first asked.
    loaded: OnceLock<Paragraphs>,
    /// Paragraphs this build analysed: where their words, encoded as in the file, are in the
    /// cache's [`Spill`].
    added: Mutex<rustc_hash::FxHashMap<u64, Range<u64>>>,
    /// Keys of old paragraphs this build asked for.
    used: Mutex<rustc_hash::FxHashSet<u64>>,
}

/// A shard's paragraphs as read: its bytes, found by the table at their head (see
/// [`write_shard`]) without reading the words of the others.
#[derive(Default)]
struct Paragraphs {
    bytes: Vec<u8>,
    /// Where the table starts, and how many paragraphs it has.
    table: usize,
    count: usize,
}

/// A paragraph's line of a shard's table: its key and where its words end (u64, u32).
const TABLE_LINE: usize = 12;

/// A paragraph's key and its words, encoded as in a shard.
type Paragraph = (u64, Vec<u8>);

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

/// A record's hash, to find its number among this build's (never kept: the quicker hash).
fn record_hash(record: &[u8]) -> u64 {
    let mut hash = crate::record::FastHasher::new();
    hash.write(record);
    hash.finish()
}

/// What a record holds; a change here starts a new cache, as a new version does. 2: the
/// details name organisations (`np.al`) and acronyms (`n.acr`), which the entity pages read.
const RECORDS_FORMAT: &str = "records 2";

impl Cache {
    /// The cache under `root` (the state folder's `glosses`) for data of this `identity`.
    pub fn new(root: &Path, identity: &str) -> Cache {
        let mut hash = StableHasher::new();
        hash.write_field(env!("CARGO_PKG_VERSION").as_bytes());
        hash.write_field(RECORDS_FORMAT.as_bytes());
        hash.write_field(identity.as_bytes());
        Cache {
            dir: root.join(format!("{:016x}", hash.finish())),
            old: OnceLock::new(),
            new: Mutex::default(),
            numbered: crate::apertium::Memo::new(NUMBERED),
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            spill: Spill::default(),
        }
    }

    fn old(&self) -> &Records {
        self.old
            .get_or_init(|| Records::read(&self.dir.join("records")).unwrap_or_default())
    }

    fn shard(&self, key: u64) -> (PathBuf, &Shard) {
        let n = (key % SHARDS as u64) as usize;
        (self.dir.join(format!("{n:02x}")), &self.shards[n])
    }

    fn paragraphs<'a>(&self, path: &Path, shard: &'a Shard) -> &'a Paragraphs {
        let generation = self.old().generation;
        shard
            .loaded
            .get_or_init(|| Paragraphs::read(path, generation).unwrap_or_default())
    }

    /// The words kept for `key`, each made by `decode` from its place and record, if an earlier
    /// build (or this one) analysed the text and every record decodes.
    pub fn get<T>(
        &self,
        key: u64,
        decode: impl Fn(Range<usize>, &[u8]) -> Option<T>,
    ) -> Option<Vec<T>> {
        let (path, shard) = self.shard(key);
        let paragraphs = self.paragraphs(&path, shard);
        let old = self.old();
        if let Some(encoded) = paragraphs.get(key) {
            // A paragraph of the file names only the file's records.
            let decoded = words(encoded)?
                .into_iter()
                .map(|(range, number)| decode(range, old.record(number)?))
                .collect::<Option<Vec<T>>>()?;
            shard.used.lock().ok()?.insert(key);
            return Some(decoded);
        }
        let place = shard.added.lock().ok()?.get(&key)?.clone();
        let encoded = self.spill.read(place)?;
        let new = self.new.lock().ok()?;
        words(&encoded)?
            .into_iter()
            .map(|(range, number)| decode(range, record(old, &new.list, number)?))
            .collect()
    }

    /// Keeps the words of a newly analysed text.
    pub fn put(&self, key: u64, words: &Words) {
        let old = self.old();
        let number = |record: &[u8]| {
            if let Some(n) = self.numbered.with(record, |n| n.copied()) {
                return Some(n as usize);
            }
            let n = self.new.lock().ok()?.number(old, record);
            self.numbered.insert(record, n as u32);
            Some(n)
        };
        let Some(numbers) = words
            .iter()
            .map(|(_, record)| number(record))
            .collect::<Option<Vec<usize>>>()
        else {
            return;
        };
        let mut encoded = Vec::with_capacity(words.places.len() * 4);
        push_words(&mut encoded, words.iter().map(|(r, _)| r).zip(numbers));
        let place = self.spill.push(&self.dir, &encoded);
        let (_, shard) = self.shard(key);
        if let Ok(mut added) = shard.added.lock() {
            added.insert(key, place);
        }
    }

    /// Writes what changed. `full`: this build asked for every paragraph of the site, so
    /// paragraphs and records it did not use are dropped, and caches of other identities
    /// removed.
    pub fn save(&self, full: bool) -> std::io::Result<()> {
        let old = self.old();
        let new = std::mem::take(&mut *self.new.lock().map_err(poisoned)?);
        let added_any = self
            .shards
            .iter()
            .any(|shard| shard.added.lock().is_ok_and(|added| !added.is_empty()));
        if !full && new.list.is_empty() && !added_any {
            return Ok(());
        }
        std::fs::create_dir_all(&self.dir)?;
        // One save at a time, across builds of other output folders of the same project.
        let lock = std::fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join("lock"))?;
        lock.lock()?;
        // An incremental save numbers its new records after those this build read: if another
        // build saved since, the numbers would not match, so this build's additions are left out
        // (the next build analyses them again).
        if !full && Records::header(&self.dir.join("records")) != (old.generation, old.count) {
            return Ok(());
        }
        // Shard by shard, so that only one shard's paragraphs are copied at a time.
        if full {
            // Records numbered anew, in order of first use, under a new generation. The shards
            // go first: until the records of their generation are in place they read as empty.
            let generation = new_generation(old.generation);
            // A record's new number by its old one (`usize::MAX` until met): every old number is
            // below the count of records read and added, as the filter below makes sure.
            let mut renumbered = vec![usize::MAX; old.count + new.list.len()];
            let mut list: Vec<&[u8]> = Vec::new();
            for n in 0..SHARDS {
                let (path, entries, _) = self.take_shard(n, true)?;
                let mut out: Vec<Paragraph> = Vec::with_capacity(entries.len());
                for (key, encoded) in entries {
                    // A paragraph that does not read back, or names a record there is not, goes.
                    let Some(words) = words(&encoded)
                        .filter(|w| w.iter().all(|&(_, n)| record(old, &new.list, n).is_some()))
                    else {
                        continue;
                    };
                    let mut bytes = Vec::with_capacity(encoded.len());
                    let renumber = |(range, n): (_, usize)| {
                        if renumbered[n] == usize::MAX {
                            list.push(record(old, &new.list, n).unwrap_or_default());
                            renumbered[n] = list.len() - 1;
                        }
                        (range, renumbered[n])
                    };
                    push_words(&mut bytes, words.into_iter().map(renumber));
                    out.push((key, bytes));
                }
                write_shard(&path, generation, &out)?;
            }
            write_atomically(
                &self.dir.join("records"),
                &encode_records(generation, &Records::default(), &list)?,
            )?;
            self.remove_others()?;
        } else {
            if !new.list.is_empty() {
                let added: Vec<&[u8]> = new.list.iter().map(Vec::as_slice).collect();
                write_atomically(
                    &self.dir.join("records"),
                    &encode_records(old.generation, old, &added)?,
                )?;
            }
            for n in 0..SHARDS {
                let (path, entries, changed) = self.take_shard(n, false)?;
                if changed {
                    write_shard(&path, old.generation, &entries)?;
                }
            }
        }
        Ok(())
    }

    /// Shard `n`'s path, its paragraphs (key and encoded words: the old ones this build keeps
    /// and the ones it added, by key) and whether they changed; this build's additions are
    /// taken out of it. `full`: old paragraphs this build did not ask for are dropped. An
    /// incremental build reads only shards it added to.
    fn take_shard(&self, n: usize, full: bool) -> std::io::Result<(PathBuf, Vec<Paragraph>, bool)> {
        let shard = &self.shards[n];
        let path = self.dir.join(format!("{n:02x}"));
        let added = std::mem::take(&mut *shard.added.lock().map_err(poisoned)?);
        let used = std::mem::take(&mut *shard.used.lock().map_err(poisoned)?);
        if !full && added.is_empty() {
            return Ok((path, Vec::new(), false));
        }
        let paragraphs = self.paragraphs(&path, shard);
        let dropped = full && used.len() < paragraphs.count;
        // An old paragraph analysed again (its records did not read back) is this build's.
        let mut entries: Vec<Paragraph> = paragraphs
            .iter()
            .filter(|(key, _)| (!full || used.contains(key)) && !added.contains_key(key))
            .map(|(key, words)| (key, words.to_vec()))
            .collect();
        let changed = !added.is_empty() || dropped;
        // A paragraph that does not read back is left out: the next build analyses it again.
        let mut added: Vec<(u64, Range<u64>)> = added.into_iter().collect();
        added.sort_unstable_by_key(|(_, place)| place.start);
        entries.extend(
            added
                .into_iter()
                .filter_map(|(key, place)| Some((key, self.spill.read(place)?))),
        );
        entries.sort_unstable_by_key(|(key, _)| *key);
        Ok((path, entries, changed))
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

impl NewRecords {
    /// The number of `record`: an old one's (found by the file's hash table: hashing every old
    /// record on the first new one was a tenth of a glossed one-seed rebuild at 10,000
    /// articles), or the next after the old and new ones.
    fn number(&mut self, old: &Records, record: &[u8]) -> usize {
        let hash = record_hash(record);
        if let Some(n) = old.find(hash, record) {
            return n;
        }
        let same = (self.numbers.get(&hash))
            .map(|&n| n as usize)
            .filter(|&n| self::record(old, &self.list, n) == Some(record));
        if let Some(n) = same {
            return n;
        }
        let n = old.count + self.list.len();
        self.list.push(record.to_vec());
        self.numbers.entry(hash).or_insert(n as u32);
        n
    }
}

fn new_generation(previous: u64) -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut hash = StableHasher::new();
    hash.write(&previous.to_le_bytes());
    hash.write(&now.to_le_bytes());
    hash.write(&std::process::id().to_le_bytes());
    hash.finish()
}

fn poisoned<T>(_: T) -> std::io::Error {
    std::io::Error::other("a thread panicked while it used the gloss cache")
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    // Unique to this process and call: two builds in one process (tests, `serve`) may save.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temporary = path.with_extension(format!("new-{}-{n}", std::process::id()));
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(bytes)?;
    drop(file);
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

fn write_shard(path: &Path, generation: u64, entries: &[Paragraph]) -> std::io::Result<()> {
    if entries.is_empty() {
        return match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    let mut out = MAGIC_SHARD.to_vec();
    out.extend_from_slice(&generation.to_le_bytes());
    push_number(&mut out, entries.len() as u64);
    let mut end = 0usize;
    for (key, words) in entries {
        end += words.len();
        let Ok(end) = u32::try_from(end) else {
            return Err(std::io::Error::other("a gloss cache shard over 4 GB"));
        };
        out.extend_from_slice(&key.to_le_bytes());
        out.extend_from_slice(&end.to_le_bytes());
    }
    for (_, words) in entries {
        out.extend_from_slice(words);
    }
    write_atomically(path, &out)
}

/// A records file of generation `generation`: the records of `old` (its tables copied, not
/// made again), then `added`, numbered after them. Layout: the magic, the generation (u64) and
/// the count (u32); each record's end from the start of the records (u32, in order); each
/// record's hash's top half with its number (u32, u32, sorted); the records.
fn encode_records(generation: u64, old: &Records, added: &[&[u8]]) -> std::io::Result<Vec<u8>> {
    let too_large = || std::io::Error::other("a gloss records file over 4 GB");
    let count = u32::try_from(old.count + added.len()).map_err(|_| too_large())?;
    let old_data = &old.bytes[old.data.min(old.bytes.len())..];
    let data_len = old_data.len() + added.iter().map(|r| r.len()).sum::<usize>();
    u32::try_from(data_len).map_err(|_| too_large())?;
    let mut out = Vec::with_capacity(RECORDS_HEADER + count as usize * 12 + data_len);
    out.extend_from_slice(MAGIC_RECORDS);
    out.extend_from_slice(&generation.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&old.bytes[old.ends..old.hashes]);
    let mut end = old_data.len();
    for record in added {
        end += record.len();
        out.extend_from_slice(&(end as u32).to_le_bytes());
    }
    // The old lines are in order: the added ones, sorted, are merged in.
    let mut lines: Vec<(u32, u32)> = added
        .iter()
        .enumerate()
        .map(|(i, record)| (hash_half(record_hash(record)), (old.count + i) as u32))
        .collect();
    lines.sort_unstable();
    let mut lines = lines.into_iter().peekable();
    for i in 0..old.count {
        let line = old.hash_line(i);
        while let Some(added) = lines.next_if(|added| *added < line) {
            push_hash_line(&mut out, added);
        }
        push_hash_line(&mut out, line);
    }
    lines.for_each(|added| push_hash_line(&mut out, added));
    out.extend_from_slice(old_data);
    for record in added {
        out.extend_from_slice(record);
    }
    Ok(out)
}

/// The half of a record's hash its file keeps.
fn hash_half(hash: u64) -> u32 {
    (hash >> 32) as u32
}

fn push_hash_line(out: &mut Vec<u8>, (hash, number): (u32, u32)) {
    out.extend_from_slice(&hash.to_le_bytes());
    out.extend_from_slice(&number.to_le_bytes());
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or_default())
}

/// Appends a paragraph's words: their count, then each word's step from the last start
/// (zigzag, so that any order is kept), length and record number.
fn push_words(out: &mut Vec<u8>, words: impl ExactSizeIterator<Item = (Range<usize>, usize)>) {
    push_number(out, words.len() as u64);
    let mut previous = 0;
    for (range, number) in words {
        let step = range.start as i64 - previous as i64;
        push_number(out, ((step << 1) ^ (step >> 63)) as u64);
        push_number(out, range.end.saturating_sub(range.start) as u64);
        push_number(out, number as u64);
        previous = range.start;
    }
}

/// The words [`push_words`] wrote: each one's place and record number; `None` if they do not
/// read back whole.
fn words(encoded: &[u8]) -> Option<Vec<(Range<usize>, usize)>> {
    let mut reader = Reader {
        bytes: encoded,
        at: 0,
    };
    let count = reader.number()?;
    let mut words = Vec::with_capacity(count.min(encoded.len()));
    let mut previous: i64 = 0;
    for _ in 0..count {
        let step = reader.number()? as i64;
        let start = previous.checked_add((step >> 1) ^ -(step & 1))?;
        let start = usize::try_from(start).ok()?;
        let end = start.checked_add(reader.number()?)?;
        words.push((start..end, reader.number()?));
        previous = start as i64;
    }
    (reader.at == encoded.len()).then_some(words)
}

/// Record `number`: one of the file's, or one this build added after them.
fn record<'a>(old: &'a Records, new: &'a [Vec<u8>], number: usize) -> Option<&'a [u8]> {
    match number.checked_sub(old.count) {
        None => old.record(number),
        Some(k) => new.get(k).map(Vec::as_slice),
    }
}

impl Records {
    fn record(&self, number: usize) -> Option<&[u8]> {
        if number >= self.count {
            return None;
        }
        let end = |n: usize| u32_at(&self.bytes, self.ends + 4 * n) as usize;
        let start = if number == 0 { 0 } else { end(number - 1) };
        self.bytes.get(self.data + start..self.data + end(number))
    }

    /// Line `i` of the hash table: a hash's top half and a record's number.
    fn hash_line(&self, i: usize) -> (u32, u32) {
        let at = self.hashes + i * HASH_LINE;
        (u32_at(&self.bytes, at), u32_at(&self.bytes, at + 4))
    }

    /// The number of the file's record `record`, whose hash is `hash`, if it holds it.
    fn find(&self, hash: u64, record: &[u8]) -> Option<usize> {
        let half = hash_half(hash);
        let first = partition_point(self.count, |i| self.hash_line(i).0 < half);
        (first..self.count)
            .map(|i| self.hash_line(i))
            .take_while(|&(h, _)| h == half)
            .map(|(_, n)| n as usize)
            .find(|&n| self.record(n) == Some(record))
    }

    /// The generation and the number of records of the file at `path`; those of no records when
    /// there is none or it does not read.
    fn header(path: &Path) -> (u64, usize) {
        let mut start = [0; RECORDS_HEADER];
        let read = std::fs::File::open(path).and_then(|mut file| {
            use std::io::Read;
            file.read_exact(&mut start)
        });
        if read.is_err() || !start.starts_with(MAGIC_RECORDS) {
            return (0, 0);
        }
        let at = MAGIC_RECORDS.len();
        let generation = u64::from_le_bytes(start[at..at + 8].try_into().unwrap_or_default());
        (generation, u32_at(&start, at + 8) as usize)
    }

    /// The file at `path` if it is whole: its record ends in order, the last where the file
    /// ends, its hash table in order and naming only its records.
    fn read(path: &Path) -> Option<Records> {
        let bytes = std::fs::read(path).ok()?;
        Records::parse(bytes)
    }

    fn parse(bytes: Vec<u8>) -> Option<Records> {
        if bytes.len() < RECORDS_HEADER || !bytes.starts_with(MAGIC_RECORDS) {
            return None;
        }
        let at = MAGIC_RECORDS.len();
        let generation = u64::from_le_bytes(bytes[at..at + 8].try_into().ok()?);
        let count = u32_at(&bytes, at + 8) as usize;
        let ends = RECORDS_HEADER;
        let hashes = ends.checked_add(count.checked_mul(4)?)?;
        let data = hashes.checked_add(count.checked_mul(HASH_LINE)?)?;
        if data > bytes.len() {
            return None;
        }
        let records = Records {
            generation,
            bytes,
            count,
            ends,
            hashes,
            data,
        };
        let end = |n: usize| u32_at(&records.bytes, ends + 4 * n) as usize;
        let whole = (1..count).all(|n| end(n - 1) <= end(n))
            && records.bytes.len() - data == if count == 0 { 0 } else { end(count - 1) }
            && (0..count).all(|i| {
                let (hash, number) = records.hash_line(i);
                number < count as u32 && (i == 0 || records.hash_line(i - 1) <= (hash, number))
            });
        whole.then_some(records)
    }
}

/// The first of `0..count` for which `before` is false, `before` being true up to it.
fn partition_point(count: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut low, mut high) = (0, count);
    while low < high {
        let middle = low + (high - low) / 2;
        if before(middle) {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    low
}

impl Paragraphs {
    /// The shard at `path` if it was written for records of `generation` and its table is
    /// whole: keys in order, each paragraph's words within the file.
    fn read(path: &Path, generation: u64) -> Option<Paragraphs> {
        let bytes = std::fs::read(path).ok()?;
        if !bytes.starts_with(MAGIC_SHARD) {
            return None;
        }
        let mut reader = Reader {
            bytes: &bytes,
            at: MAGIC_SHARD.len(),
        };
        if u64::from_le_bytes(reader.take(8)?.try_into().ok()?) != generation {
            return None;
        }
        let count = reader.number()?;
        let table = reader.at;
        let words_start = table.checked_add(count.checked_mul(TABLE_LINE)?)?;
        let paragraphs = Paragraphs {
            bytes,
            table,
            count,
        };
        let whole = words_start <= paragraphs.bytes.len()
            && (1..count).all(|i| {
                let ((before, from), (key, end)) = (paragraphs.line(i - 1), paragraphs.line(i));
                before < key && from <= end
            })
            && (count == 0 || words_start + paragraphs.line(count - 1).1 == paragraphs.bytes.len());
        whole.then_some(paragraphs)
    }

    /// The key of paragraph `i` and where its words end, from the start of the words.
    fn line(&self, i: usize) -> (u64, usize) {
        let at = self.table + i * TABLE_LINE;
        let key = u64::from_le_bytes(self.bytes[at..at + 8].try_into().unwrap_or_default());
        let end = u32::from_le_bytes(self.bytes[at + 8..at + 12].try_into().unwrap_or_default());
        (key, end as usize)
    }

    /// The encoded words of paragraph `i`.
    fn words(&self, i: usize) -> &[u8] {
        let start = self.table + self.count * TABLE_LINE;
        let from = if i == 0 { 0 } else { self.line(i - 1).1 };
        &self.bytes[start + from..start + self.line(i).1]
    }

    /// The encoded words of the paragraph `key`, found by halving the table.
    fn get(&self, key: u64) -> Option<&[u8]> {
        let at = partition_point(self.count, |i| self.line(i).0 < key);
        (at < self.count && self.line(at).0 == key).then(|| self.words(at))
    }

    /// Every paragraph's key and encoded words, in the order of their keys.
    fn iter(&self) -> impl Iterator<Item = (u64, &[u8])> {
        (0..self.count).map(|i| (self.line(i).0, self.words(i)))
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
        self.str().map(str::to_string)
    }

    /// The next text, borrowed from the record.
    pub fn str(&mut self) -> Option<&'a str> {
        let len = self.0.number()?;
        std::str::from_utf8(self.0.take(len)?).ok()
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

impl<'a> Reader<'a> {
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

    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let range = self.skip(len)?;
        let bytes: &'a [u8] = self.bytes;
        Some(&bytes[range])
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

    fn words(spec: &[(usize, usize, &str)]) -> Words {
        let mut words = Words::default();
        for &(s, e, r) in spec {
            words.push(s..e, |out| out.extend_from_slice(r.as_bytes()));
        }
        words
    }

    fn get(cache: &Cache, key: u64) -> Option<Words> {
        let list = cache.get(key, |range, record| Some((range, record.to_vec())))?;
        let mut words = Words::default();
        for (range, record) in list {
            words.push(range, |out| out.extend_from_slice(&record));
        }
        Some(words)
    }

    /// A cache under `root` that a full build saved with one paragraph, "uno", and its key.
    fn saved_with_uno(root: &Path) -> (Cache, u64) {
        let one = key(Kind::Spanish, "uno");
        let cache = Cache::new(root, "data");
        cache.put(one, &words(&[(0, 3, "uno")]));
        cache.save(true).unwrap();
        (cache, one)
    }

    fn file_count(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| std::fs::read_dir(e.unwrap().path()).unwrap().count())
            .sum()
    }

    #[test]
    fn a_shard_finds_each_paragraph_by_its_table_and_refuses_a_table_out_of_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("00");
        let encoded = |n: usize| {
            let mut bytes = Vec::new();
            push_words(&mut bytes, (0..n).map(|i| (i * 3..i * 3 + 2, i)));
            bytes
        };
        let entries: Vec<Paragraph> = [(3u64, 1), (7, 0), (42, 5), (u64::MAX, 2)]
            .into_iter()
            .map(|(key, n)| (key, encoded(n)))
            .collect();
        write_shard(&path, 9, &entries).unwrap();
        let read = Paragraphs::read(&path, 9).unwrap();
        for (key, bytes) in &entries {
            assert_eq!(read.get(*key), Some(bytes.as_slice()));
        }
        assert_eq!(read.get(0), None);
        assert_eq!(read.get(8), None);
        let all: Vec<(u64, Vec<u8>)> = read.iter().map(|(k, w)| (k, w.to_vec())).collect();
        assert_eq!(all, entries);
        assert!(Paragraphs::read(&path, 8).is_none(), "another generation");
        // Two keys swapped in the table: not whole, so empty.
        let mut bytes = std::fs::read(&path).unwrap();
        let table = MAGIC_SHARD.len() + 8 + 1;
        let (first, second) = bytes[table..table + 2 * TABLE_LINE].split_at_mut(TABLE_LINE);
        first[..8].swap_with_slice(&mut second[..8]);
        std::fs::write(&path, &bytes).unwrap();
        assert!(Paragraphs::read(&path, 9).is_none());
        // Cut short: the last paragraph's words end past the file.
        let whole = std::fs::read(&path).unwrap();
        write_shard(&path, 9, &entries).unwrap();
        let good = std::fs::read(&path).unwrap();
        assert_ne!(whole, good);
        std::fs::write(&path, &good[..good.len() - 1]).unwrap();
        assert!(Paragraphs::read(&path, 9).is_none());
    }

    #[test]
    fn the_records_file_finds_each_record_by_number_and_by_hash_and_refuses_a_file_cut_short_or_of_another_version()
     {
        let texts = |range: Range<usize>| -> Vec<Vec<u8>> {
            range.map(|i| format!("record {i}").into_bytes()).collect()
        };
        let mut first = texts(0..300);
        first.push(Vec::new());
        fn slices(records: &[Vec<u8>]) -> Vec<&[u8]> {
            records.iter().map(Vec::as_slice).collect()
        }
        let bytes = encode_records(7, &Records::default(), &slices(&first)).unwrap();
        let old = Records::parse(bytes.clone()).unwrap();
        assert_eq!((old.generation, old.count), (7, 301));
        let found = |records: &Records, all: &[Vec<u8>]| {
            for (n, record) in all.iter().enumerate() {
                assert_eq!(records.record(n), Some(record.as_slice()));
                assert_eq!(records.find(record_hash(record), record), Some(n));
            }
            assert_eq!(records.record(all.len()), None);
            assert_eq!(records.find(record_hash(b"absent"), b"absent"), None);
        };
        found(&old, &first);

        // An incremental save: the old tables taken over, the added records numbered after.
        let added = texts(300..400);
        let merged = Records::parse(encode_records(7, &old, &slices(&added)).unwrap()).unwrap();
        found(&merged, &[first.clone(), added].concat());
        let mut v = NewRecords::default();
        assert_eq!(
            v.number(&old, b"record 5"),
            5,
            "an old record keeps its number"
        );
        assert_eq!(v.number(&old, b"new"), 301);
        assert_eq!(v.number(&old, b"new"), 301, "a new one is numbered once");

        // Cut short anywhere, of another version, or its hash table out of order: refused.
        for len in [
            0,
            10,
            RECORDS_HEADER,
            RECORDS_HEADER + 4,
            bytes.len() / 2,
            bytes.len() - 1,
        ] {
            assert!(
                Records::parse(bytes[..len].to_vec()).is_none(),
                "cut at {len}"
            );
        }
        let mut version_2 = bytes.clone();
        version_2[MAGIC_RECORDS.len() - 2] = b'2';
        assert!(Records::parse(version_2).is_none());
        let mut swapped = bytes.clone();
        let table = RECORDS_HEADER + 301 * 4;
        let (a, b) = swapped[table..table + 2 * HASH_LINE].split_at_mut(HASH_LINE);
        a.swap_with_slice(b);
        assert!(Records::parse(swapped).is_none());
    }

    #[test]
    fn a_cache_of_the_previous_records_format_counts_as_empty_and_is_written_anew() {
        let dir = tempfile::tempdir().unwrap();
        let (cache, one) = saved_with_uno(dir.path());
        let records = cache.dir.join("records");
        // A file that says it is of version 2.
        let mut previous = b"paralelo gloss records 2\n".to_vec();
        previous.extend_from_slice(&std::fs::read(&records).unwrap()[MAGIC_RECORDS.len()..]);
        std::fs::write(&records, previous).unwrap();
        let cache = Cache::new(dir.path(), "data");
        assert!(get(&cache, one).is_none(), "analysed again");
        cache.put(one, &words(&[(0, 3, "uno")]));
        cache.save(false).unwrap();
        let cache = Cache::new(dir.path(), "data");
        assert_eq!(get(&cache, one), Some(words(&[(0, 3, "uno")])));
        assert_eq!(cache.old().count, 1);
    }

    #[test]
    fn paragraphs_round_trip_and_each_record_is_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let a = words(&[(0, 2, "el"), (3, 8, "perro"), (9, 11, "el")]);
        // Out of order, overlapping, empty: kept as they are.
        let b = words(&[(9, 14, "perro"), (5, 6, ""), (5, 5, "el")]);
        let (ka, kb) = (key(Kind::Spanish, "a"), key(Kind::Spanish, "b"));
        let cache = Cache::new(dir.path(), "data");
        cache.put(ka, &a);
        cache.put(kb, &b);
        assert_eq!(
            get(&cache, kb),
            Some(b.clone()),
            "this build's own paragraphs"
        );
        cache.save(true).unwrap();
        let cache = Cache::new(dir.path(), "data");
        assert_eq!(get(&cache, ka), Some(a));
        assert_eq!(get(&cache, kb), Some(b));
        assert_eq!(cache.old().count, 3, "el, perro and the empty record");
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
        assert!(get(&cache, one).is_none());
        cache.put(one, &words(&[(0, 3, "uno")]));
        cache.put(two, &words(&[(0, 3, "dos")]));
        cache.save(true).unwrap();

        // An incremental build that asks for one entry and adds another keeps all three, the
        // new one's record numbered after the others.
        let cache = Cache::new(dir.path(), "data");
        assert_eq!(get(&cache, one), Some(words(&[(0, 3, "uno")])));
        cache.put(three, &words(&[(0, 3, "one"), (4, 7, "uno")]));
        cache.save(false).unwrap();
        let cache = Cache::new(dir.path(), "data");
        assert_eq!(get(&cache, two), Some(words(&[(0, 3, "dos")])));
        assert_eq!(
            get(&cache, three),
            Some(words(&[(0, 3, "one"), (4, 7, "uno")]))
        );
        assert_eq!(cache.old().count, 3);

        // A full build that asks only for `three` drops the others and their records.
        let cache = Cache::new(dir.path(), "data");
        get(&cache, three).unwrap();
        cache.save(true).unwrap();
        let cache = Cache::new(dir.path(), "data");
        assert!(get(&cache, three).is_some());
        assert!(get(&cache, one).is_none() && get(&cache, two).is_none());
        assert_eq!(cache.old().count, 2, "one, uno");

        // A paragraph of the file analysed again (as when its records do not read back) is
        // kept once, as this build analysed it, by an incremental build and by a full one.
        for full in [false, true] {
            let cache = Cache::new(dir.path(), "data");
            cache.put(three, &words(&[(0, 4, "tres")]));
            cache.save(full).unwrap();
            let cache = Cache::new(dir.path(), "data");
            assert_eq!(get(&cache, three), Some(words(&[(0, 4, "tres")])));
        }

        // Other data: another, empty cache; its full build removes the old one.
        let other = Cache::new(dir.path(), "upgraded data");
        assert!(get(&other, three).is_none());
        other.put(two, &words(&[(0, 3, "dos")]));
        other.save(true).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert_eq!(file_count(dir.path()), 3, "records, one shard and the lock");
    }

    #[test]
    fn of_two_builds_that_read_the_same_cache_the_second_to_save_leaves_its_additions_out() {
        let dir = tempfile::tempdir().unwrap();
        let (one, two, three) = (
            key(Kind::Spanish, "uno"),
            key(Kind::Spanish, "dos"),
            key(Kind::Spanish, "tres"),
        );
        let cache = Cache::new(dir.path(), "data");
        cache.put(one, &words(&[(0, 3, "uno")]));
        cache.save(true).unwrap();
        let (a, b) = (
            Cache::new(dir.path(), "data"),
            Cache::new(dir.path(), "data"),
        );
        get(&a, one).unwrap();
        get(&b, one).unwrap();
        // Both number their first new record 1: saved together, one would misread the other's.
        a.put(two, &words(&[(0, 3, "dos")]));
        b.put(three, &words(&[(0, 4, "tres")]));
        a.save(false).unwrap();
        b.save(false).unwrap();
        let cache = Cache::new(dir.path(), "data");
        assert_eq!(get(&cache, two), Some(words(&[(0, 3, "dos")])));
        assert_eq!(get(&cache, three), None);
        assert_eq!(get(&cache, one), Some(words(&[(0, 3, "uno")])));
    }

    #[test]
    fn a_shard_of_another_generation_or_torn_counts_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let (cache, one) = saved_with_uno(dir.path());
        let shard = cache.shard(one).0;
        let kept = std::fs::read(&shard).unwrap();

        // A full build renumbers under a new generation; the shard it would have written
        // next, had it not been interrupted, is the old one.
        let cache = Cache::new(dir.path(), "data");
        get(&cache, one).unwrap();
        cache.save(true).unwrap();
        std::fs::write(&shard, &kept).unwrap();
        assert!(get(&Cache::new(dir.path(), "data"), one).is_none());

        let cache = Cache::new(dir.path(), "data");
        cache.put(one, &words(&[(0, 3, "uno")]));
        cache.save(true).unwrap();
        let bytes = std::fs::read(&shard).unwrap();
        std::fs::write(&shard, &bytes[..bytes.len() - 1]).unwrap();
        assert!(get(&Cache::new(dir.path(), "data"), one).is_none());
        std::fs::write(&shard, &bytes).unwrap();
        let records = dir
            .path()
            .join(cache.dir.file_name().unwrap())
            .join("records");
        let all = std::fs::read(&records).unwrap();
        std::fs::write(&records, &all[..all.len() - 2]).unwrap();
        assert!(get(&Cache::new(dir.path(), "data"), one).is_none());
    }
}
