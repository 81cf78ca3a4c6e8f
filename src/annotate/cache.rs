//! The annotated articles of earlier builds with glosses, kept in the output's state folder, so
//! that a template, CSS or option change makes every page again without choosing senses, study
//! lists or gloss tables again.
//!
//! An entry is keyed by everything annotation reads — the article as parsed and translated (its
//! texts, file paths and dates) — and by what it is made with: this program (version and the
//! executable's stamp) and the installed dictionaries. Any change of either is a different key,
//! so an entry is never used for an article it was not made from.
//!
//! Layout, under `<state>/builds/<output>/annotations/` (one output's build holds its lock, so no
//! other build writes here at the same time):
//!
//! * `pack`: a header (magic, generation), then the entries, each compressed with LZ4, appended as
//!   they are made, so that a build never holds them in memory;
//! * `index`: a header (magic, generation), then one fixed-size line per entry (key, offset,
//!   length, checksum), written whole to a temporary file and renamed into place after the
//!   pack's new entries are written.
//!
//! An index read with a pack of another generation counts as empty, as does an entry whose
//! bytes do not match its checksum or do not decode: a torn or stale file costs a miss, never a
//! wrong page. A full build keeps in the index only the entries it used; when the pack holds
//! more dead bytes than live ones, the live ones are copied into a new pack of a new generation.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use super::{AnnotatedArticle, AnnotatedSide, Glossary, ParagraphPair};
use crate::error::Warning;
use crate::gloss::{PartOfSpeech, VocabularyEntry};
use crate::model::{Article, NameKind, Named};
use crate::record::{FastHasher, StableHasher};
use crate::text::markdown::Document;

const MAGIC_PACK: &[u8; 16] = b"paralelo annot4\n";
const MAGIC_INDEX: &[u8; 16] = b"paralelo index1\n";
/// Magic and generation.
const HEADER: usize = 24;
/// Key, offset, length, checksum.
const LINE: usize = 8 + 8 + 4 + 8;

/// Where an entry's bytes are in the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Place {
    offset: u64,
    len: u32,
    checksum: u64,
}

/// The index as read.
#[derive(Default)]
struct Index {
    generation: u64,
    places: HashMap<u64, Place>,
}

/// The pack as this build appends to it.
struct Writer {
    file: File,
    generation: u64,
    end: u64,
}

/// The annotations of earlier builds and the ones this build adds.
pub struct AnnotationCache {
    dir: PathBuf,
    identity: u64,
    old: OnceLock<Index>,
    /// The pack, opened once for reading when its generation is the index's.
    reader: OnceLock<Option<File>>,
    writer: Mutex<Option<Writer>>,
    /// Entries this build made or used, by key.
    now: Mutex<HashMap<u64, Place>>,
    /// Whether a write failed: the pack is then not trusted, and nothing is saved.
    failed: Mutex<Option<std::io::Error>>,
    hits: AtomicUsize,
    /// Whether the articles' Markdown is kept: only a site that publishes it needs it.
    markdown: bool,
}

impl AnnotationCache {
    /// The cache in `dir` for annotations made by the program and dictionaries `identity`
    /// names (its version and executable's stamp, the installed data); `markdown`: whether the
    /// articles' Markdown is wanted (else it is neither kept nor given back, and the annotations
    /// are keyed apart from those that keep it).
    pub fn new(dir: &Path, identity: &str, markdown: bool) -> AnnotationCache {
        let mut hash = StableHasher::new();
        hash.write_field(identity.as_bytes());
        hash.write_field(&[u8::from(markdown)]);
        AnnotationCache {
            dir: dir.to_path_buf(),
            identity: hash.finish(),
            old: OnceLock::new(),
            reader: OnceLock::new(),
            writer: Mutex::new(None),
            now: Mutex::default(),
            failed: Mutex::new(None),
            hits: AtomicUsize::new(0),
            markdown,
        }
    }

    /// The key of `article`'s annotation: every field of it, with what it is annotated by.
    pub fn key(&self, article: &Article) -> u64 {
        use std::hash::Hash;
        let mut hash = FastHasher::new();
        hash.write(&self.identity.to_le_bytes());
        // Every field, so that a field added to `Article` must be added here.
        let Article {
            stem,
            slug,
            published,
            source,
            target,
            translator,
            tags,
        } = article;
        (stem, slug, source, target, translator, tags).hash(&mut hash);
        // The moment and its offset (a `DateTime`'s own hash leaves the offset out).
        published
            .map(|p| {
                (
                    p.timestamp(),
                    p.timestamp_subsec_nanos(),
                    p.offset().local_minus_utc(),
                )
            })
            .hash(&mut hash);
        hash.finish()
    }

    /// The folder it is kept in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many articles were taken from the cache.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }

    fn old(&self) -> &Index {
        self.old
            .get_or_init(|| Index::read(&self.dir).unwrap_or_default())
    }

    /// The annotation kept under `key`, if a build kept one and it reads back whole.
    pub fn get(&self, key: u64) -> Option<AnnotatedArticle> {
        let index = self.old();
        let Some(&place) = index.places.get(&key) else {
            return self.made_now(key);
        };
        let pack = self.reader.get_or_init(|| {
            let mut pack = File::open(self.dir.join("pack")).ok()?;
            (read_header(&mut pack, MAGIC_PACK)? == index.generation).then_some(pack)
        });
        let article = read_entry(pack.as_ref()?, place)?;
        self.now.lock().unwrap().insert(key, place);
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(article)
    }

    /// An annotation this build made and kept under `key`: a page made again once the site's
    /// links are known is not annotated twice.
    fn made_now(&self, key: u64) -> Option<AnnotatedArticle> {
        let place = *self.now.lock().unwrap().get(&key)?;
        let writer = self.writer.lock().unwrap();
        read_entry(&writer.as_ref()?.file, place)
    }

    /// Keeps `article` under `key` for later builds. An article that cannot be kept (a file
    /// name that is not UTF-8) is simply not kept; a write that fails is reported by
    /// [`AnnotationCache::save`].
    pub fn put(&self, key: u64, article: &AnnotatedArticle) {
        let Some(plain) = encode(article, self.markdown) else {
            return;
        };
        let Some(bytes) = compress(&plain) else {
            return;
        };
        let Ok(len) = u32::try_from(bytes.len()) else {
            return;
        };
        let mut writer = self.writer.lock().unwrap();
        let written = (|| {
            if writer.is_none() {
                *writer = Some(self.open_writer()?);
            }
            let writer = writer.as_mut().expect("opened above");
            writer.file.write_all(&bytes)?;
            let place = Place {
                offset: writer.end,
                len,
                checksum: checksum(&bytes),
            };
            writer.end += u64::from(len);
            Ok(place)
        })();
        match written {
            Ok(place) => {
                self.now.lock().unwrap().insert(key, place);
            }
            Err(e) => {
                self.failed.lock().unwrap().get_or_insert(e);
            }
        }
    }

    /// The pack to append to: the one the index was written with, or a new one.
    fn open_writer(&self) -> std::io::Result<Writer> {
        let path = self.dir.join("pack");
        let generation = self.old().generation;
        if generation != 0
            && let Ok(mut file) = fs::OpenOptions::new().read(true).append(true).open(&path)
            && read_header(&mut file, MAGIC_PACK) == Some(generation)
        {
            let end = file.seek(SeekFrom::End(0))?;
            return Ok(Writer {
                file,
                generation,
                end,
            });
        }
        fs::create_dir_all(&self.dir)?;
        new_pack(&path)
    }

    /// Writes the index of this build's entries (a full build's only; an incremental build's
    /// with the earlier ones), compacting the pack when most of it is dead.
    pub fn save(&self, full: bool) -> std::io::Result<()> {
        if let Some(e) = self.failed.lock().unwrap().take() {
            // What was appended may be torn: the pack is started afresh next time.
            let _ = fs::remove_file(self.dir.join("index"));
            return Err(e);
        }
        let mut writer = self.writer.lock().unwrap();
        let now = std::mem::take(&mut *self.now.lock().unwrap());
        // Nothing added: an incremental build leaves the index as it was, and so does a full
        // build of nothing into an empty cache.
        if writer.is_none() && (!full || (now.is_empty() && self.old().places.is_empty())) {
            return Ok(());
        }
        let generation = match &*writer {
            Some(writer) => writer.generation,
            None => self.old().generation,
        };
        let mut places = if full {
            HashMap::new()
        } else {
            self.old().places.clone()
        };
        places.extend(now);
        if let Some(open) = writer.as_mut() {
            open.file.flush()?;
        }
        let end = match &*writer {
            Some(writer) => writer.end,
            None => fs::metadata(self.dir.join("pack")).map_or(0, |m| m.len()),
        };
        let live: u64 = places.values().map(|p| u64::from(p.len)).sum();
        let dead = end.saturating_sub(live + HEADER as u64);
        if dead > live && dead > 1 << 20 {
            *writer = None;
            let (generation, places) = self.compact(generation, &places)?;
            return write_index(&self.dir, generation, &places);
        }
        write_index(&self.dir, generation, &places)
    }

    /// Copies the `live` entries of the pack of `generation` into a new pack; returns its
    /// generation and their new places.
    fn compact(
        &self,
        generation: u64,
        live: &HashMap<u64, Place>,
    ) -> std::io::Result<(u64, HashMap<u64, Place>)> {
        let path = self.dir.join("pack");
        let mut old = File::open(&path)?;
        if read_header(&mut old, MAGIC_PACK) != Some(generation) {
            return Err(std::io::Error::other(
                "the pack changed while it was written",
            ));
        }
        let fresh = self.dir.join("pack.new");
        let mut writer = new_pack(&fresh)?;
        let mut ordered: Vec<(&u64, &Place)> = live.iter().collect();
        ordered.sort_by_key(|(_, place)| place.offset);
        let mut places = HashMap::with_capacity(live.len());
        let mut bytes = Vec::new();
        for (&key, place) in ordered {
            bytes.resize(place.len as usize, 0);
            old.seek(SeekFrom::Start(place.offset))?;
            old.read_exact(&mut bytes)?;
            writer.file.write_all(&bytes)?;
            places.insert(
                key,
                Place {
                    offset: writer.end,
                    ..*place
                },
            );
            writer.end += u64::from(place.len);
        }
        writer.file.flush()?;
        // The index names the new generation only after the new pack is in place; until then
        // the old index reads the new pack as another generation's: empty, never wrong.
        fs::rename(&fresh, &path)?;
        Ok((writer.generation, places))
    }
}

/// The entry at `place` of `pack`, when it reads back whole.
fn read_entry(pack: &File, place: Place) -> Option<AnnotatedArticle> {
    let mut bytes = vec![0; place.len as usize];
    read_at(pack, &mut bytes, place.offset).ok()?;
    if checksum(&bytes) != place.checksum {
        return None;
    }
    decode(&decompress(&bytes)?)
}

/// `plain` compressed as an LZ4 block after its length (4 bytes, little-endian); `None` when it
/// is 4 GiB or more. A cold glossed build compresses every entry and reads it back once. Of 1,000
/// generated articles' entries (51.6 MB), zstd at level 1 made 12.5 MB and LZ4 17.0 MB; with LZ4
/// a cold glossed build of 200 articles ran 3.9 % fewer instructions (3.98 → 3.83 G).
fn compress(plain: &[u8]) -> Option<Vec<u8>> {
    u32::try_from(plain.len()).ok()?;
    Some(lz4_flex::block::compress_prepend_size(plain))
}

/// What [`compress`] made `bytes` of, when they are such bytes.
fn decompress(bytes: &[u8]) -> Option<Vec<u8>> {
    let (size, compressed) = bytes.split_first_chunk::<4>()?;
    let size = u32::from_le_bytes(*size) as usize;
    // An LZ4 block expands at most 255 times: a larger size is damage, not worth allocating.
    if size > compressed.len().saturating_mul(255) {
        return None;
    }
    let mut plain = vec![0; size];
    let len = lz4_flex::block::decompress_into(compressed, &mut plain).ok()?;
    (len == plain.len()).then_some(plain)
}

/// Reads `bytes.len()` bytes at `offset` without moving a cursor others share.
fn read_at(file: &File, bytes: &mut [u8], offset: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
    }
    #[cfg(not(unix))]
    {
        let mut file = file.try_clone()?;
        file.seek(SeekFrom::Start(offset))?;
        file.read_exact(bytes)
    }
}

/// A new, empty pack at `path` under a generation of its own.
fn new_pack(path: &Path) -> std::io::Result<Writer> {
    let generation = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    let mut file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    file.write_all(MAGIC_PACK)?;
    file.write_all(&generation.to_le_bytes())?;
    Ok(Writer {
        file,
        generation,
        end: HEADER as u64,
    })
}

/// The generation in a file's header, when its magic is `magic`.
fn read_header(file: &mut File, magic: &[u8; 16]) -> Option<u64> {
    let mut header = [0; HEADER];
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_exact(&mut header).ok()?;
    (&header[..16] == magic).then(|| u64::from_le_bytes(header[16..].try_into().unwrap()))
}

impl Index {
    fn read(dir: &Path) -> Option<Index> {
        let bytes = fs::read(dir.join("index")).ok()?;
        if bytes.len() < HEADER || &bytes[..16] != MAGIC_INDEX {
            return None;
        }
        let generation = u64::from_le_bytes(bytes[16..HEADER].try_into().ok()?);
        let lines = bytes[HEADER..].chunks_exact(LINE);
        if !lines.remainder().is_empty() {
            return None;
        }
        let number = |line: &[u8], at: Range<usize>| {
            let mut value = [0; 8];
            value[..at.len()].copy_from_slice(&line[at]);
            u64::from_le_bytes(value)
        };
        let places = lines
            .map(|line| {
                let place = Place {
                    offset: number(line, 8..16),
                    len: number(line, 16..20) as u32,
                    checksum: number(line, 20..28),
                };
                (number(line, 0..8), place)
            })
            .collect();
        Some(Index { generation, places })
    }
}

fn write_index(dir: &Path, generation: u64, places: &HashMap<u64, Place>) -> std::io::Result<()> {
    let mut bytes = Vec::with_capacity(HEADER + places.len() * LINE);
    bytes.extend_from_slice(MAGIC_INDEX);
    bytes.extend_from_slice(&generation.to_le_bytes());
    for (key, place) in places {
        bytes.extend_from_slice(&key.to_le_bytes());
        bytes.extend_from_slice(&place.offset.to_le_bytes());
        bytes.extend_from_slice(&place.len.to_le_bytes());
        bytes.extend_from_slice(&place.checksum.to_le_bytes());
    }
    let temporary = dir.join(format!("index.{}.tmp", std::process::id()));
    fs::write(&temporary, &bytes)?;
    fs::rename(&temporary, dir.join("index"))
}

fn checksum(bytes: &[u8]) -> u64 {
    // FNV-1a a byte at a time is slow on megabytes: hash 8-byte words, then the tail.
    let mut hash = StableHasher::new();
    let words = bytes.chunks_exact(8);
    let tail = words.remainder();
    let mut folded: u64 = 0x9e37_79b9_7f4a_7c15;
    for word in words {
        folded = (folded ^ u64::from_le_bytes(word.try_into().unwrap()))
            .rotate_left(23)
            .wrapping_mul(0x0100_0000_01b3);
    }
    hash.write(&folded.to_le_bytes());
    hash.write(tail);
    hash.write(&(bytes.len() as u64).to_le_bytes());
    hash.finish()
}

// The encoding: numbers as LEB128, texts as their length and bytes, lists as their length and
// items, options as 0 or 1 and the value.

struct Encoder(Vec<u8>);

impl Encoder {
    fn number(&mut self, mut n: u64) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                self.0.push(byte);
                return;
            }
            self.0.push(byte | 0x80);
        }
    }

    fn text(&mut self, text: &str) {
        self.number(text.len() as u64);
        self.0.extend_from_slice(text.as_bytes());
    }

    fn optional(&mut self, text: Option<&str>) {
        self.number(u64::from(text.is_some()));
        if let Some(text) = text {
            self.text(text);
        }
    }

    fn side(&mut self, side: &AnnotatedSide, markdown: bool) {
        self.text(&side.title);
        self.text(&side.title_html);
        self.optional(side.caption_html.as_deref());
        self.text(&side.summary);
        let (text, body_start) = match markdown {
            true => (side.markdown.text.as_str(), side.markdown.body_start),
            false => ("", 0),
        };
        self.text(text);
        self.number(body_start as u64);
    }
}

/// `article` as bytes (with its Markdown when `markdown`, else an empty document in its place);
/// `None` when a warning names a file whose name is not UTF-8.
fn encode(article: &AnnotatedArticle, markdown: bool) -> Option<Vec<u8>> {
    let mut out = Encoder(Vec::with_capacity(64 * 1024));
    out.side(&article.source, markdown);
    out.side(&article.target, markdown);
    out.number(article.pairs.len() as u64);
    for pair in &article.pairs {
        out.number(pair.number as u64);
        out.text(&pair.source_html);
        out.text(&pair.target_html);
    }
    out.number(article.warnings.len() as u64);
    for warning in &article.warnings {
        out.text(warning.path.to_str()?);
        out.optional(warning.place.as_deref());
        out.text(&warning.message);
    }
    out.number(u64::from(article.glossary.is_some()));
    if let Some(glossary) = &article.glossary {
        out.text(&glossary.data);
        out.text(&glossary.vocabulary_data);
        out.number(glossary.vocabulary.len() as u64);
        for entry in &glossary.vocabulary {
            out.text(&entry.lemma);
            let class = PartOfSpeech::ALL
                .iter()
                .position(|&c| c == entry.part_of_speech);
            out.number(class? as u64);
            out.number(entry.glosses.len() as u64);
            for gloss in &entry.glosses {
                out.text(gloss);
            }
            out.text(&entry.sentence);
            out.number(entry.word.start as u64);
            out.number(entry.word.end as u64);
            out.text(&entry.english);
            out.number(entry.paragraph as u64);
            out.number(entry.position as u64);
            out.number(entry.occurrences as u64);
        }
        out.number(glossary.lemmas.len() as u64);
        for lemma in &glossary.lemmas {
            out.text(lemma);
        }
        out.number(glossary.names.len() as u64);
        for named in &glossary.names {
            out.number(match named.kind {
                None => 0,
                Some(NameKind::Person) => 1,
                Some(NameKind::Place) => 2,
                Some(NameKind::Organisation) => 3,
            });
            out.text(&named.source);
            out.optional(named.target.as_deref());
        }
    }
    Some(out.0)
}

struct Decoder<'a>(&'a [u8]);

impl Decoder<'_> {
    fn number(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.0.split_first()?;
            self.0 = rest;
            n |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    fn size(&mut self) -> Option<usize> {
        usize::try_from(self.number()?).ok()
    }

    /// A count of items, each at least a byte: never more than the bytes left.
    fn count(&mut self) -> Option<usize> {
        self.size().filter(|&n| n <= self.0.len())
    }

    fn text(&mut self) -> Option<String> {
        let len = self.size()?;
        let bytes = self.0.get(..len)?;
        self.0 = &self.0[len..];
        String::from_utf8(bytes.to_vec()).ok()
    }

    fn optional(&mut self) -> Option<Option<String>> {
        match self.number()? {
            0 => Some(None),
            1 => Some(Some(self.text()?)),
            _ => None,
        }
    }

    fn side(&mut self) -> Option<AnnotatedSide> {
        let title = self.text()?;
        let title_html = self.text()?;
        let caption_html = self.optional()?;
        let summary = self.text()?;
        let text = self.text()?;
        let body_start = self.size().filter(|&at| text.is_char_boundary(at))?;
        Some(AnnotatedSide {
            title,
            title_html,
            caption_html,
            summary,
            markdown: Document { text, body_start },
        })
    }

    fn named(&mut self) -> Option<Named> {
        let kind = match self.number()? {
            0 => None,
            1 => Some(NameKind::Person),
            2 => Some(NameKind::Place),
            3 => Some(NameKind::Organisation),
            _ => return None,
        };
        Some(Named {
            kind,
            source: self.text()?,
            target: self.optional()?,
        })
    }

    fn vocabulary_entry(&mut self) -> Option<VocabularyEntry> {
        let lemma = self.text()?;
        let part_of_speech = *PartOfSpeech::ALL.get(self.size()?)?;
        let glosses = (0..self.count()?)
            .map(|_| self.text())
            .collect::<Option<_>>()?;
        let sentence = self.text()?;
        let word = self.size()?..self.size()?;
        Some(VocabularyEntry {
            lemma,
            part_of_speech,
            glosses,
            sentence,
            word,
            english: self.text()?,
            paragraph: self.size()?,
            position: self.size()?,
            occurrences: self.size()?,
        })
    }
}

/// The article [`encode`] made `bytes` of; `None` when they are not such bytes.
fn decode(bytes: &[u8]) -> Option<AnnotatedArticle> {
    let mut input = Decoder(bytes);
    let source = input.side()?;
    let target = input.side()?;
    let pairs = (0..input.count()?)
        .map(|_| {
            Some(ParagraphPair {
                number: input.size()?,
                source_html: input.text()?,
                target_html: input.text()?,
            })
        })
        .collect::<Option<_>>()?;
    let warnings = (0..input.count()?)
        .map(|_| {
            Some(Warning {
                path: PathBuf::from(input.text()?),
                place: input.optional()?,
                message: input.text()?,
            })
        })
        .collect::<Option<_>>()?;
    let glossary = match input.number()? {
        0 => None,
        1 => Some(Glossary {
            data: input.text()?,
            vocabulary_data: input.text()?,
            vocabulary: (0..input.count()?)
                .map(|_| input.vocabulary_entry())
                .collect::<Option<_>>()?,
            lemmas: (0..input.count()?)
                .map(|_| input.text())
                .collect::<Option<_>>()?,
            names: (0..input.count()?)
                .map(|_| input.named())
                .collect::<Option<_>>()?,
        }),
        _ => return None,
    };
    input.0.is_empty().then_some(AnnotatedArticle {
        source,
        target,
        pairs,
        warnings,
        glossary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(title: &str) -> AnnotatedSide {
        AnnotatedSide {
            title: title.to_string(),
            title_html: format!("<g-w g=0>{title}</g-w>"),
            caption_html: Some("Foto".to_string()),
            summary: "Uno.".to_string(),
            markdown: Document {
                text: "+++\n+++\n\nUno.".to_string(),
                body_start: 9,
            },
        }
    }

    fn article(title: &str) -> AnnotatedArticle {
        AnnotatedArticle {
            source: side(title),
            target: AnnotatedSide {
                caption_html: None,
                ..side("One")
            },
            pairs: vec![ParagraphPair {
                number: 1,
                source_html: "Uno «dos» ñ".to_string(),
                target_html: "One “two”".to_string(),
            }],
            warnings: vec![Warning {
                path: PathBuf::from("seeds/a.txt"),
                place: Some("paragraph 1".to_string()),
                message: "odd".to_string(),
            }],
            glossary: Some(Glossary {
                data: "[[\"uno\",\"numeral\",\"\",[\"one\"]]]".to_string(),
                vocabulary: vec![VocabularyEntry {
                    lemma: "dos".to_string(),
                    part_of_speech: PartOfSpeech::Noun,
                    glosses: vec!["two".to_string(), "pair".to_string()],
                    sentence: "Uno dos".to_string(),
                    word: 4..7,
                    english: "One two".to_string(),
                    paragraph: 0,
                    position: 1,
                    occurrences: 2,
                }],
                vocabulary_data: "[[0,2,0]]".to_string(),
                lemmas: vec!["dos|noun".to_string()],
                names: vec![
                    Named {
                        kind: Some(NameKind::Place),
                        source: "Kiev".to_string(),
                        target: Some("Kyiv".to_string()),
                    },
                    Named {
                        kind: None,
                        source: "Ñandú".to_string(),
                        target: None,
                    },
                ],
            }),
        }
    }

    fn same(a: &AnnotatedArticle, b: &AnnotatedArticle) -> bool {
        format!("{a:?}") == format!("{b:?}")
    }

    #[test]
    fn encoding_reads_back_and_refuses_damage() {
        let original = article("Título");
        let bytes = encode(&original, true).unwrap();
        assert!(same(&decode(&bytes).unwrap(), &original));
        // Any cut, and any byte more, is refused rather than misread.
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_none());
        // Without Markdown, everything else reads back.
        let without = decode(&encode(&original, false).unwrap()).unwrap();
        assert_eq!(without.source.markdown.text, "");
        assert_eq!(without.pairs, original.pairs);
        assert_eq!(without.source.title_html, original.source.title_html);
    }

    #[test]
    fn kept_across_builds_and_pruned_by_full_builds() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (article("A"), article("B"));
        let first = AnnotationCache::new(dir.path(), "data", true);
        assert!(first.get(1).is_none());
        first.put(1, &a);
        first.put(2, &b);
        // What this build made reads back in this build, and is not counted as an earlier one.
        assert!(same(&first.get(2).unwrap(), &b));
        assert_eq!(first.hits(), 0);
        first.save(true).unwrap();

        let second = AnnotationCache::new(dir.path(), "data", true);
        assert!(same(&second.get(1).unwrap(), &a));
        assert_eq!(second.hits(), 1);
        // A full build that used only entry 1 keeps only it.
        second.save(true).unwrap();
        let third = AnnotationCache::new(dir.path(), "data", true);
        assert!(third.get(2).is_none());
        assert!(same(&third.get(1).unwrap(), &a));
        // An incremental build adds to what is kept.
        third.put(3, &b);
        third.save(false).unwrap();
        let fourth = AnnotationCache::new(dir.path(), "data", true);
        assert!(fourth.get(1).is_some() && fourth.get(3).is_some());
    }

    #[test]
    fn a_damaged_pack_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = AnnotationCache::new(dir.path(), "data", true);
        cache.put(7, &article("A"));
        cache.save(true).unwrap();
        let pack = dir.path().join("pack");
        let mut bytes = fs::read(&pack).unwrap();
        let last = bytes.len() - 3;
        bytes[last] ^= 0x55;
        fs::write(&pack, &bytes).unwrap();
        assert!(
            AnnotationCache::new(dir.path(), "data", true)
                .get(7)
                .is_none()
        );
        // A pack of another generation (a new one that replaced it) is not read with this index.
        new_pack(&pack).unwrap();
        assert!(
            AnnotationCache::new(dir.path(), "data", true)
                .get(7)
                .is_none()
        );
    }

    #[test]
    fn dead_entries_are_compacted_away() {
        let dir = tempfile::tempdir().unwrap();
        // Entries large enough that a few dead ones pass the 1 MB floor.
        let big = |n: u64| {
            let mut a = article("A");
            // Letters a little generator draws: they do not compress below ~5 bits each.
            let mut state = n.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
            a.pairs[0].source_html = (0..1_500_000)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1);
                    char::from(b'a' + ((state >> 33) % 26) as u8)
                })
                .collect();
            a
        };
        for round in 0..4 {
            let cache = AnnotationCache::new(dir.path(), "data", true);
            cache.put(round, &big(round));
            cache.save(true).unwrap();
        }
        let pack = fs::metadata(dir.path().join("pack")).unwrap().len();
        let cache = AnnotationCache::new(dir.path(), "data", true);
        assert!(same(&cache.get(3).unwrap(), &big(3)));
        assert!(cache.get(2).is_none());
        // Four entries were written; the pack holds about two (compaction leaves one, then
        // a second is appended before the dead one outweighs it).
        let one = compress(&encode(&big(3), true).unwrap()).unwrap().len() as u64;
        assert!(pack < 3 * one, "pack {pack} bytes, an entry {one}");
    }

    #[test]
    fn another_program_or_dictionary_is_another_key() {
        let dir = tempfile::tempdir().unwrap();
        let article = crate::model::Article {
            stem: "a".to_string(),
            slug: None,
            published: None,
            source: Default::default(),
            target: Default::default(),
            translator: crate::model::Translator::Authored(None),
            tags: Vec::new(),
        };
        let one = AnnotationCache::new(dir.path(), "data 1", true);
        let other = AnnotationCache::new(dir.path(), "data 2", true);
        assert_eq!(one.key(&article), one.key(&article.clone()));
        assert_ne!(one.key(&article), other.key(&article));
        let mut changed = article.clone();
        changed.stem = "b".to_string();
        assert_ne!(one.key(&article), one.key(&changed));
    }

    #[test]
    fn any_change_to_the_article_is_another_key() {
        use chrono::TimeZone;
        let dir = tempfile::tempdir().unwrap();
        let cache = AnnotationCache::new(dir.path(), "data", true);
        let paragraph = |text: &str| crate::model::Paragraph {
            text: text.to_string(),
            line: 3,
        };
        let side = crate::model::Side {
            lang: "es".to_string(),
            paragraphs: vec![paragraph("Uno."), paragraph("Dos.")],
            ..Default::default()
        };
        let madrid = chrono::FixedOffset::east_opt(3600).unwrap();
        let article = crate::model::Article {
            stem: "a".to_string(),
            slug: None,
            published: Some(madrid.with_ymd_and_hms(2025, 11, 5, 13, 34, 0).unwrap()),
            source: side.clone(),
            target: crate::model::Side {
                lang: "en".to_string(),
                ..side.clone()
            },
            translator: crate::model::Translator::Authored(None),
            tags: vec!["x".to_string()],
        };
        let key = cache.key(&article);
        assert_eq!(key, cache.key(&article.clone()));
        let changes: Vec<fn(&mut crate::model::Article)> = vec![
            |a| a.source.paragraphs[1].text.push('!'),
            // The same words moved from one paragraph to the next.
            |a| {
                a.source.paragraphs[0].text = "Uno.Dos.".to_string();
                a.source.paragraphs[1].text.clear();
            },
            |a| a.source.paragraphs[0].line = 4,
            |a| a.target.sentences = Some(vec![vec![0..4], vec![0..4]]),
            |a| a.slug = Some("a".to_string()),
            |a| a.translator = crate::model::Translator::Machine("m".to_string()),
            |a| a.tags.clear(),
            // The same moment, another offset.
            |a| {
                let utc = chrono::FixedOffset::east_opt(0).unwrap();
                a.published = a.published.map(|p| p.with_timezone(&utc));
            },
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut changed = article.clone();
            change(&mut changed);
            assert_ne!(cache.key(&changed), key, "change {i}");
        }
    }
}
