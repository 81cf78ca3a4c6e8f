//! Apertium's analysers read and run in-process, giving the same stream text as its programs.

mod analyse;
mod bilingual;
mod image;
mod tagger;
mod transducer;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub use image::keep_in as keep_images_in;
pub use transducer::FormatError;

/// FNV-1a: the tagger's and the analyser's maps have short keys (a few tags, a tag name, a word)
/// and no untrusted ones.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// Answers kept by a text key, shared by the threads of a build: a few locked shards so that
/// threads seldom wait for each other. Bounded: once a shard is full it keeps what it has (the
/// common keys, which come first) and later keys are worked out each time.
pub(crate) struct Memo<V> {
    shards: Vec<Mutex<rustc_hash::FxHashMap<Box<str>, V>>>,
    shard_capacity: usize,
}

const MEMO_SHARDS: usize = 16;

impl<V> Memo<V> {
    /// A memo of at most about `capacity` keys.
    pub(crate) fn new(capacity: usize) -> Memo<V> {
        Memo {
            shards: (0..MEMO_SHARDS).map(|_| Mutex::default()).collect(),
            shard_capacity: capacity.div_ceil(MEMO_SHARDS),
        }
    }

    fn shard(&self, key: &str) -> &Mutex<rustc_hash::FxHashMap<Box<str>, V>> {
        use std::hash::BuildHasher;
        let hash = rustc_hash::FxBuildHasher.hash_one(key);
        &self.shards[(hash >> 32) as usize % MEMO_SHARDS]
    }

    /// `read` of what is kept for `key` (`None` when nothing is), under the shard's lock.
    pub(crate) fn with<R>(&self, key: &str, read: impl FnOnce(Option<&V>) -> R) -> R {
        match self.shard(key).lock() {
            Ok(shard) => read(shard.get(key)),
            Err(_) => read(None),
        }
    }

    /// Keeps `value` for `key`, unless the memo is full.
    pub(crate) fn insert(&self, key: &str, value: V) {
        if let Ok(mut shard) = self.shard(key).lock()
            && shard.len() < self.shard_capacity
        {
            shard.insert(key.into(), value);
        }
    }

    /// How many keys it holds.
    pub(crate) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| shard.lock().map_or(0, |s| s.len()))
            .sum()
    }
}

impl<V: Clone> Memo<V> {
    /// What is kept for `key`, or else `make`'s answer, kept for next time.
    pub(crate) fn get_or_make(&self, key: &str, make: impl FnOnce() -> V) -> V {
        if let Some(kept) = self.with(key, |kept| kept.cloned()) {
            return kept;
        }
        let made = make();
        self.insert(key, made.clone());
        made
    }
}

/// A morphological analyser (`lt-proc -w` on one compiled `.automorf.bin`), loaded once and
/// shared read-only between threads.
pub struct Morphology {
    fst: transducer::Transducer,
    /// The words analysed so far, replayed when met again.
    memo: analyse::WordMemo,
    /// How long loading took.
    pub load_time: Duration,
}

impl Morphology {
    /// Reads a compiled analyser; fails, saying which file and what was expected, on a format
    /// this reader does not know.
    pub fn load(path: &Path) -> Result<Morphology, FormatError> {
        let started = Instant::now();
        let fst = transducer::Transducer::load(path)?;
        Ok(Morphology {
            fst,
            memo: analyse::WordMemo::new(),
            load_time: started.elapsed(),
        })
    }

    /// The bytes its tables take.
    pub fn heap_bytes(&self) -> usize {
        self.fst.heap_bytes()
    }

    /// What `lt-proc -z -w` answers to the record `text` (escaped) followed by a newline,
    /// without the closing NUL.
    pub fn analyse(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() * 6);
        analyse::Analyser::new(&self.fst).analyse(text, Some(&self.memo), &mut out);
        out
    }

    /// [`Morphology::analyse`] without the words remembered from earlier calls (for tests:
    /// the answers must be the same).
    pub fn analyse_afresh(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() * 6);
        analyse::Analyser::new(&self.fst).analyse(text, None, &mut out);
        out
    }

    /// How many words it remembers.
    pub fn remembered_words(&self) -> usize {
        self.memo.len()
    }
}

/// Spanish analysis and tagging (`lt-proc -w spa-eng.automorf.bin | apertium-tagger -g -p
/// spa-eng.prob`), loaded once and shared read-only between threads.
pub struct SpanishAnalyser {
    morphology: Morphology,
    tagger: tagger::Tagger,
    /// How long loading both files took.
    pub load_time: Duration,
}

/// What apertium-tagger carries from one record to the next (see [`SpanishAnalyser::tag`]).
pub struct TaggerMemory(tagger::Memory);

impl SpanishAnalyser {
    /// Reads `spa-eng.automorf.bin` and `spa-eng.prob` from the pair's folder.
    pub fn load(pair_dir: &Path) -> Result<SpanishAnalyser, FormatError> {
        let started = Instant::now();
        let (morphology, tagger) = rayon::join(
            || Morphology::load(&pair_dir.join("spa-eng.automorf.bin")),
            || tagger::Tagger::load(&pair_dir.join("spa-eng.prob")),
        );
        let (morphology, tagger) = (morphology?, tagger?);
        Ok(SpanishAnalyser {
            morphology,
            tagger,
            load_time: started.elapsed(),
        })
    }

    /// What the two programs answer to `text` as one record (escaped, with a newline), as a
    /// freshly started tagger does: the answer depends on the text alone.
    pub fn analyse(&self, text: &str) -> String {
        self.tag(&self.morphology.analyse(text), &mut self.memory())
    }

    /// The tagger's answer to one record of lt-proc's output, given and updating what it
    /// carried from earlier records: apertium-tagger overwrites its open class (the tags an
    /// unknown word may have) whenever a word's tags are no known ambiguity class, so a
    /// long-running tagger's answers depend on what it read before.
    pub fn tag(&self, stream: &str, memory: &mut TaggerMemory) -> String {
        let mut out = String::with_capacity(stream.len());
        self.tagger.tag(stream, &mut memory.0, &mut out);
        out
    }

    /// The bytes the analyser's and the tagger's tables take.
    pub fn heap_bytes(&self) -> usize {
        self.morphology.heap_bytes() + self.tagger.heap_bytes()
    }

    /// What a freshly started tagger carries.
    pub fn memory(&self) -> TaggerMemory {
        TaggerMemory(self.tagger.memory())
    }

    pub fn morphology(&self) -> &Morphology {
        &self.morphology
    }
}

/// The bilingual dictionary (`lt-proc -b` on one compiled `.autobil.bin`), loaded once and
/// shared read-only between threads.
pub struct Bilingual {
    fst: transducer::Transducer,
    /// How long loading took.
    pub load_time: Duration,
}

impl Bilingual {
    pub fn load(path: &Path) -> Result<Bilingual, FormatError> {
        let started = Instant::now();
        let fst = transducer::Transducer::load(path)?;
        Ok(Bilingual {
            fst,
            load_time: started.elapsed(),
        })
    }

    /// The bytes its tables take.
    pub fn heap_bytes(&self) -> usize {
        self.fst.heap_bytes()
    }

    /// Appends `^form/target…$`, what `lt-proc -b` answers for the unit `^form$` (the form
    /// escaped as the analyser writes it).
    pub fn look_up(&self, form: &str, out: &mut String) {
        bilingual::look_up(&self.fst, form, out);
    }
}
