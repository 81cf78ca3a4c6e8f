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
    while let Some(at) = rest.bytes().position(|b| b == b'\\') {
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
}
