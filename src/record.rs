//! What the one-line records paralelo keeps on disk (the build manifest, the translation
//! cache) share: a hash that never changes, and an escaping that keeps any text on one line.

/// FNV-1a, 64 bits: unlike std's `DefaultHasher`, it gives the same value in every Rust release
/// and on every machine, so it can name and check what is written to disk.
#[derive(Debug, Clone, Copy)]
pub struct StableHasher(u64);

impl Default for StableHasher {
    fn default() -> Self {
        StableHasher::new()
    }
}

impl StableHasher {
    pub fn new() -> StableHasher {
        StableHasher(0xcbf2_9ce4_8422_2325)
    }

    pub fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// Writes `bytes` as one field of several: ("ab", "c") and ("a", "bc") hash apart. The
    /// separator, 0xFF, never occurs in UTF-8.
    pub fn write_field(&mut self, bytes: &[u8]) {
        self.write(bytes);
        self.write(&[0xff]);
    }

    pub fn finish(self) -> u64 {
        self.0
    }
}

/// A hash of large texts for what is kept only by the program that wrote it (the annotation
/// cache's keys, whose identity names the executable): eight bytes a step, several times
/// quicker than [`StableHasher`]'s byte a step, and the same however the text is split into
/// writes. Not for anything a later version must read the same (URLs, site ids, the caches
/// that outlive an upgrade): those keep [`StableHasher`].
#[derive(Debug, Clone, Copy)]
pub struct FastHasher {
    state: u64,
    /// The bytes since the last full step, little-endian, and how many.
    pending: u64,
    pending_len: u32,
    length: u64,
}

impl Default for FastHasher {
    fn default() -> Self {
        FastHasher::new()
    }
}

/// Multiplies in 128 bits and folds the halves together (wyhash's mixing step).
fn fold_multiply(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

impl FastHasher {
    const SEED: u64 = 0xa076_1d64_78bd_642f;
    const MULTIPLIER: u64 = 0xe703_7ed1_a0b4_28db;

    pub fn new() -> FastHasher {
        FastHasher {
            state: FastHasher::SEED,
            pending: 0,
            pending_len: 0,
            length: 0,
        }
    }

    fn step(&mut self, word: u64) {
        self.state = fold_multiply(self.state ^ word, FastHasher::MULTIPLIER);
    }

    pub fn write(&mut self, mut bytes: &[u8]) {
        self.length += bytes.len() as u64;
        while self.pending_len > 0 && !bytes.is_empty() {
            self.pending |= u64::from(bytes[0]) << (8 * self.pending_len);
            self.pending_len += 1;
            bytes = &bytes[1..];
            if self.pending_len == 8 {
                self.step(self.pending);
                (self.pending, self.pending_len) = (0, 0);
            }
        }
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.step(u64::from_le_bytes(word.try_into().unwrap_or_default()));
        }
        for &byte in words.remainder() {
            self.pending |= u64::from(byte) << (8 * self.pending_len);
            self.pending_len += 1;
        }
    }

    pub fn finish(mut self) -> u64 {
        self.step(self.pending ^ (0x80 << (8 * (self.pending_len % 8))));
        fold_multiply(
            self.state ^ self.length,
            FastHasher::SEED ^ FastHasher::MULTIPLIER,
        )
    }
}

/// For `#[derive(Hash)]` values: what they write goes into the hash as bytes, as
/// [`FastHasher::write`] takes them.
impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        FastHasher::write(self, bytes);
    }

    fn finish(&self) -> u64 {
        (*self).finish()
    }
}

/// Text formatted straight into the hash (`write!(hash, "{value:?}")`), never held whole.
impl std::fmt::Write for FastHasher {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.write(text.as_bytes());
        Ok(())
    }
}

/// The characters records use to separate fields and items, which text must not contain raw.
pub const UNIT_SEPARATOR: char = '\u{1f}';
pub const RECORD_SEPARATOR: char = '\u{1e}';

/// Escapes `\`, tab, line ends and the two separators, so `text` fits in one field of a line.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// [`escape`], appending to `out`. Text is copied in runs between the characters to escape
/// (all ASCII), since a manifest escapes megabytes of it.
pub fn escape_into(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest
        .bytes()
        .position(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r' | 0x1e | 0x1f))
    {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'\\' => "\\\\",
            b'\t' => "\\t",
            b'\n' => "\\n",
            b'\r' => "\\r",
            0x1f => "\\u",
            _ => "\\v",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

/// The inverse of [`escape`]; `None` for an escape it never writes.
pub fn unescape(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = memchr::memchr(b'\\', rest.as_bytes()) {
        out.push_str(&rest[..at]);
        out.push(match rest.as_bytes().get(at + 1)? {
            b'\\' => '\\',
            b't' => '\t',
            b'n' => '\n',
            b'r' => '\r',
            b'u' => UNIT_SEPARATOR,
            b'v' => RECORD_SEPARATOR,
            _ => return None,
        });
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_round_trips_and_stays_on_one_line() {
        let text = "a\\b\tc\nd\re\u{1f}f\u{1e}g\\n";
        let escaped = escape(text);
        assert!(!escaped.contains(['\t', '\n', '\r', UNIT_SEPARATOR, RECORD_SEPARATOR]));
        assert_eq!(unescape(&escaped).as_deref(), Some(text));
        assert_eq!(unescape("\\x"), None);
        assert_eq!(unescape("trailing\\"), None);
    }

    #[test]
    fn the_hash_never_changes() {
        // FNV-1a's published test vectors (Fowler, Noll, Vo).
        assert_eq!(StableHasher::new().finish(), 0xcbf2_9ce4_8422_2325);
        let mut hash = StableHasher::new();
        hash.write(b"a");
        assert_eq!(hash.finish(), 0xaf63_dc4c_8601_ec8c);
        let mut hash = StableHasher::new();
        hash.write(b"foobar");
        assert_eq!(hash.finish(), 0x8594_4171_f739_67e8);
        let mut a = StableHasher::new();
        a.write_field(b"ab");
        a.write_field(b"c");
        let mut b = StableHasher::new();
        b.write_field(b"a");
        b.write_field(b"bc");
        assert_ne!(a.finish(), b.finish());
    }

    #[test]
    fn the_fast_hash_is_the_same_however_the_text_is_split() {
        let text: Vec<u8> = (0..200u32).map(|i| (i * 37 % 251) as u8).collect();
        let whole = {
            let mut hash = FastHasher::new();
            hash.write(&text);
            hash.finish()
        };
        for splits in [vec![1], vec![7, 8, 9], vec![3, 3, 3, 100], vec![0, 199]] {
            let mut hash = FastHasher::new();
            let mut rest = &text[..];
            for at in splits {
                let (head, tail) = rest.split_at(at.min(rest.len()));
                hash.write(head);
                rest = tail;
            }
            hash.write(rest);
            assert_eq!(hash.finish(), whole);
        }
        // Every length and every changed byte hashes apart.
        let mut seen = std::collections::HashSet::new();
        for len in 0..=text.len() {
            let mut hash = FastHasher::new();
            hash.write(&text[..len]);
            assert!(seen.insert(hash.finish()), "length {len}");
        }
        for at in 0..text.len() {
            let mut changed = text.clone();
            changed[at] ^= 1;
            let mut hash = FastHasher::new();
            hash.write(&changed);
            assert!(seen.insert(hash.finish()), "byte {at}");
        }
        // Trailing zero bytes count.
        let of = |bytes: &[u8]| {
            let mut hash = FastHasher::new();
            hash.write(bytes);
            hash.finish()
        };
        assert_ne!(of(b"a"), of(b"a\0"));
        assert_ne!(of(b""), of(b"\0\0\0\0\0\0\0\0"));
        let mut formatted = FastHasher::new();
        std::fmt::Write::write_fmt(&mut formatted, format_args!("{:?}", ("ab", 12))).unwrap();
        assert_eq!(formatted.finish(), of(b"(\"ab\", 12)"));
    }
}
