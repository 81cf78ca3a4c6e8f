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
/// A key is kept as its 128-bit hash ([`Fingerprint`]), not as its bytes: telling whether an
/// answer is the one asked for reads no key (a cache miss, and a comparison, per question when
/// the key lived in its own allocation), and a thread's front holds more answers in less
/// memory. Two keys with one fingerprint would share an answer; with xxh3's 128 bits and the
/// few hundred thousand keys of a build that chance is about 10^-28, the same bet rustc makes
/// on its 128-bit fingerprints.
///
/// Each thread of the build's pool also keeps copies of the answers it was given last, in a
/// small table of its own ([`Front`]): the commonest words (`de`, `la`, `the`) are answered
/// from memory the core has at hand, without the shared shard's lock and cache misses.
pub(crate) struct Memo<V> {
    shards: Vec<Mutex<rustc_hash::FxHashMap<Fingerprint, V>>>,
    shard_capacity: usize,
    /// One per thread of the pool the memo was made in, by [`rayon::current_thread_index`].
    fronts: Vec<Padded<Mutex<Front<V>>>>,
}

/// A key's xxh3 128-bit hash.
type Fingerprint = u128;

const MEMO_SHARDS: usize = 16;

/// How many answers a thread's [`Front`] holds (a power of two).
const FRONT_SLOTS: usize = 1024;

/// A thread's copies of answers, by the key's fingerprint: a slot holds the last key whose
/// fingerprint led there. Its slots are made on the thread's first question.
struct Front<V> {
    slots: Vec<Option<(Fingerprint, V)>>,
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

    fn fingerprint(key: &[u8]) -> Fingerprint {
        xxhash_rust::xxh3::xxh3_128(key)
    }

    fn shard(&self, key: Fingerprint) -> &Mutex<rustc_hash::FxHashMap<Fingerprint, V>> {
        &self.shards[(key >> 96) as usize % MEMO_SHARDS]
    }

    /// Keeps `value` for `key`, unless the memo is full.
    pub(crate) fn insert(&self, key: &(impl AsRef<[u8]> + ?Sized), value: V) {
        let key = Self::fingerprint(key.as_ref());
        if let Ok(mut shard) = self.shard(key).lock()
            && shard.len() < self.shard_capacity
        {
            shard.insert(key, value);
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
        let key = Self::fingerprint(key.as_ref());
        let front = rayon::current_thread_index().and_then(|i| self.fronts.get(i));
        let Some(Ok(mut front)) = front.map(|f| f.0.lock()) else {
            return match self.shard(key).lock() {
                Ok(shard) => read(shard.get(&key)),
                Err(_) => read(None),
            };
        };
        if front.slots.is_empty() {
            front.slots = (0..FRONT_SLOTS).map(|_| None).collect();
        }
        let slot = &mut front.slots[key as usize % FRONT_SLOTS];
        if let Some((_, kept)) = slot.as_ref().filter(|(kept, _)| *kept == key) {
            return read(Some(kept));
        }
        let kept = match self.shard(key).lock() {
            Ok(shard) => shard.get(&key).cloned(),
            Err(_) => None,
        };
        match kept {
            Some(value) => read(Some(&slot.insert((key, value)).1)),
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

/// Where the first of `stops` (ASCII bytes) is in the stream text `text` from `from` on, where
/// no `\` escapes it. memchr finds the next `\` or stop byte many bytes at a step; an escape
/// skips the byte after it. The offset is a char boundary (UTF-8 continuation bytes are never
/// ASCII).
pub(crate) fn find_unescaped(text: &[u8], from: usize, stops: &[u8]) -> Option<usize> {
    let next = |from: usize| match *stops {
        [one] => memchr::memchr2(b'\\', one, &text[from..]),
        [one, two] => memchr::memchr3(b'\\', one, two, &text[from..]),
        _ => text[from..]
            .iter()
            .position(|b| *b == b'\\' || stops.contains(b)),
    };
    let mut i = from;
    while i < text.len() {
        let at = i + next(i)?;
        if text[at] != b'\\' {
            return Some(at);
        }
        i = at + 2;
    }
    None
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
        // Short keys and long ones.
        let keys: Vec<String> = (0..4 * FRONT_SLOTS)
            .map(|i| format!("{}{i}", "w".repeat(i % 100)))
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

    /// A stop byte counts unless a `\` escapes it, with one, two or more stops, from any
    /// place; a `\` at the very end escapes nothing.
    #[test]
    fn unescaped_stops_are_found() {
        let text = br"^a\/b/c\\/d\$$ \";
        assert_eq!(find_unescaped(text, 0, b"/"), Some(5));
        assert_eq!(find_unescaped(text, 6, b"/"), Some(9));
        assert_eq!(find_unescaped(text, 0, b"$"), Some(13));
        assert_eq!(find_unescaped(text, 1, b"/$"), Some(5));
        assert_eq!(find_unescaped(text, 10, b"/$<"), Some(13));
        assert_eq!(find_unescaped(text, 14, b"/$"), None);
        assert_eq!(find_unescaped(text, text.len(), b"$"), None);
        assert_eq!(find_unescaped(b"", 0, b"^["), None);
        assert_eq!(find_unescaped(b"x[y", 0, b"^["), Some(1));
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
