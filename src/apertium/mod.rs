//! Apertium's analysers read and run in-process, giving the same stream text as its programs.

mod analyse;
mod bilingual;
mod image;
mod tagger;
mod transducer;

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub use image::keep_in as keep_images_in;
pub use transducer::FormatError;

/// The tagger's maps: short keys (a few tags, a tag name), none untrusted.
pub(crate) type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// Answers kept by a key (text or bytes), shared by the threads of a build: a few locked shards
/// so that threads seldom wait for each other. Bounded: once a shard is full it keeps what it
/// has (the common keys, which come first) and later keys are worked out each time.
///
/// Each thread of the build's pool also keeps copies of the answers it was given last, in a
/// small table of its own ([`Front`]): the commonest words (`de`, `la`, `the`) are answered
/// from memory the core has at hand, without the shared shard's lock and cache misses.
pub(crate) struct Memo<V> {
    shards: Vec<Mutex<rustc_hash::FxHashMap<Box<[u8]>, V>>>,
    shard_capacity: usize,
    /// One per thread of the pool the memo was made in, by [`rayon::current_thread_index`].
    fronts: Vec<Padded<Mutex<Front<V>>>>,
}

const MEMO_SHARDS: usize = 16;

/// How many answers a thread's [`Front`] holds (a power of two).
const FRONT_SLOTS: usize = 1024;

/// A thread's copies of answers, by the key's hash: a slot holds the last key whose hash led
/// there. Keys are kept in the slot itself (longer ones are not kept), so that telling whether
/// a slot holds the key asked for reads nothing else. Its slots are made on the thread's first
/// question.
struct Front<V> {
    slots: Vec<Option<Slot<V>>>,
}

/// The longest key a [`Front`] keeps: most words with the character after them, analyses
/// (`casa<n><f><sg>`) and lexical units (`houses/house<n><pl>/house<vblex><pri><p3><sg>`) fit.
const FRONT_KEY: usize = 62;

struct Slot<V> {
    hash: u64,
    length: u8,
    key: [u8; FRONT_KEY],
    value: V,
}

impl<V> Slot<V> {
    fn holds(&self, hash: u64, key: &[u8]) -> bool {
        self.hash == hash && &self.key[..usize::from(self.length)] == key
    }
}

/// A value on a cache line of its own, so that one thread's writes do not slow another's.
#[repr(align(128))]
struct Padded<T>(T);

impl<V> Memo<V> {
    /// A memo of at most about `capacity` keys.
    pub(crate) fn new(capacity: usize) -> Memo<V> {
        let front = || Padded(Mutex::new(Front { slots: Vec::new() }));
        Memo {
            shards: (0..MEMO_SHARDS).map(|_| Mutex::default()).collect(),
            shard_capacity: capacity.div_ceil(MEMO_SHARDS),
            fronts: (0..rayon::current_num_threads()).map(|_| front()).collect(),
        }
    }

    fn hash(key: &[u8]) -> u64 {
        use std::hash::BuildHasher;
        rustc_hash::FxBuildHasher.hash_one(key)
    }

    fn shard(&self, hash: u64) -> &Mutex<rustc_hash::FxHashMap<Box<[u8]>, V>> {
        &self.shards[(hash >> 32) as usize % MEMO_SHARDS]
    }

    /// Keeps `value` for `key`, unless the memo is full.
    pub(crate) fn insert(&self, key: &(impl AsRef<[u8]> + ?Sized), value: V) {
        let key = key.as_ref();
        if let Ok(mut shard) = self.shard(Self::hash(key)).lock()
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
    /// `read` of what is kept for `key` (`None` when nothing is).
    pub(crate) fn with<R>(
        &self,
        key: &(impl AsRef<[u8]> + ?Sized),
        read: impl FnOnce(Option<&V>) -> R,
    ) -> R {
        let key = key.as_ref();
        let hash = Self::hash(key);
        let front = (key.len() <= FRONT_KEY)
            .then(rayon::current_thread_index)
            .flatten()
            .and_then(|i| self.fronts.get(i));
        let Some(Ok(mut front)) = front.map(|f| f.0.lock()) else {
            return match self.shard(hash).lock() {
                Ok(shard) => read(shard.get(key)),
                Err(_) => read(None),
            };
        };
        if front.slots.is_empty() {
            front.slots = (0..FRONT_SLOTS).map(|_| None).collect();
        }
        let slot = &mut front.slots[hash as usize % FRONT_SLOTS];
        if let Some(kept) = slot.as_ref().filter(|kept| kept.holds(hash, key)) {
            return read(Some(&kept.value));
        }
        let kept = match self.shard(hash).lock() {
            Ok(shard) => shard.get(key).cloned(),
            Err(_) => None,
        };
        match kept {
            Some(value) => {
                let mut copy = [0; FRONT_KEY];
                copy[..key.len()].copy_from_slice(key);
                let kept = slot.insert(Slot {
                    hash,
                    length: key.len() as u8,
                    key: copy,
                    value,
                });
                read(Some(&kept.value))
            }
            None => read(None),
        }
    }

    /// What is kept for `key`, or else `make`'s answer, kept for next time.
    pub(crate) fn get_or_make(
        &self,
        key: &(impl AsRef<[u8]> + ?Sized),
        make: impl FnOnce() -> V,
    ) -> V {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys that share a thread's front slot, asked in turn from every thread of the pool (and
    /// from outside it), give each its own answer, and no answer for a key never kept.
    #[test]
    fn every_thread_gets_each_key_s_own_answer() {
        let memo: Memo<String> = Memo::new(64 * FRONT_SLOTS);
        // Short keys, and keys about as long as a front keeps and longer.
        let keys: Vec<String> = (0..4 * FRONT_SLOTS)
            .map(|i| format!("{}{i}", "w".repeat(i % (FRONT_KEY + 4))))
            .collect();
        for key in &keys {
            memo.insert(key, key.to_uppercase());
        }
        let check = || {
            for round in 0..3 {
                for key in keys.iter().skip(round) {
                    let got = memo.with(key, |v| v.cloned());
                    assert_eq!(got.as_deref(), Some(key.to_uppercase().as_str()));
                    assert_eq!(memo.with(&format!("{key}x"), |v| v.cloned()), None);
                }
            }
        };
        rayon::broadcast(|_| check());
        check();
        let made = memo.get_or_make("nuevo", || "NUEVO".to_string());
        assert_eq!(made, "NUEVO");
        assert_eq!(memo.get_or_make("nuevo", || "otro".to_string()), "NUEVO");
    }

    /// A full memo keeps no more, and answers what it kept.
    #[test]
    fn a_full_memo_keeps_what_it_has() {
        let memo: Memo<u32> = Memo::new(MEMO_SHARDS);
        for i in 0..10 * MEMO_SHARDS as u32 {
            memo.insert(&i.to_string(), i);
        }
        assert!(memo.len() <= MEMO_SHARDS);
        for i in 0..10 * MEMO_SHARDS as u32 {
            let key = i.to_string();
            assert!(memo.with(&key, |v| v.is_none_or(|&v| v == i)));
        }
    }
}
