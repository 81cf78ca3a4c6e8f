//! lttoolbox's compiled transducer files (`.bin`) read into one automaton of all their sections.
//!
//! Versions read, as lttoolbox 3.x writes them: a file with an `LTTB` header whose feature flags
//! are 0, or with no header; sections with an `LTTD` header whose flags are 0 or 1 (weights), or
//! with none. Anything else is refused with the file's name and what was expected.
//!
//! The layout, as observed with `lt-print` and documented by lttoolbox's sources:
//! integers are big-endian variable-length (the top two bits of the first byte say how many
//! bytes follow, 0 to 3); strings are a length then that many code points; weights are two such
//! integers (a 30-bit mantissa scaled by 2^-30, then a binary exponent). A file is: the letters
//! that make up words; the alphabet (the tags, then the input:output symbol pairs, offset by
//! the number of tags); then each named section (`main@standard`, `final@inconditional` …) with
//! its initial state, its final states (delta-coded), and each state's transitions (a
//! delta-coded pair index, the target relative to the state, a weight when the section has
//! them).

use std::fmt;
use std::path::{Path, PathBuf};

/// Why a compiled file could not be read.
#[derive(Debug)]
pub struct FormatError {
    pub file: PathBuf,
    pub detail: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.detail)
    }
}

impl std::error::Error for FormatError {}

/// A cursor over a compiled file's bytes, reading lttoolbox's encodings.
pub(crate) struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Bytes<'a> {
        Bytes { data, at: 0 }
    }

    pub(crate) fn at_end(&self) -> bool {
        self.at >= self.data.len()
    }

    fn byte(&mut self) -> Result<u8, String> {
        let b = *self
            .data
            .get(self.at)
            .ok_or_else(|| format!("the file ends early, at byte {}", self.at))?;
        self.at += 1;
        Ok(b)
    }

    /// Four bytes if they are `tag`, consumed; else nothing consumed.
    pub(crate) fn header(&mut self, tag: &[u8; 4]) -> bool {
        if self.data.get(self.at..self.at + 4) == Some(tag) {
            self.at += 4;
            true
        } else {
            false
        }
    }

    pub(crate) fn u64_le(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for i in 0..8 {
            value |= u64::from(self.byte()?) << (8 * i);
        }
        Ok(value)
    }

    /// A double stored as eight big-endian bytes (the tagger's probabilities).
    pub(crate) fn f64_be(&mut self) -> Result<f64, String> {
        let mut bytes = [0u8; 8];
        for b in &mut bytes {
            *b = self.byte()?;
        }
        Ok(f64::from_be_bytes(bytes))
    }

    /// A variable-length integer: the first byte's top two bits count the bytes that follow.
    pub(crate) fn int(&mut self) -> Result<u32, String> {
        let first = self.byte()?;
        let mut value = u32::from(first & 0x3f);
        for _ in 0..(first >> 6) {
            value = (value << 8) | u32::from(self.byte()?);
        }
        Ok(value)
    }

    pub(crate) fn count(&mut self, what: &str) -> Result<usize, String> {
        let n = self.int()? as usize;
        // Every counted item takes at least a byte.
        if n > self.data.len() - self.at.min(self.data.len()) + 1 {
            return Err(format!("{what}: a count of {n} is larger than the file"));
        }
        Ok(n)
    }

    pub(crate) fn string(&mut self) -> Result<String, String> {
        let len = self.count("string")?;
        let mut s = String::with_capacity(len);
        for _ in 0..len {
            let c = self.int()?;
            s.push(char::from_u32(c).ok_or_else(|| format!("{c:#x} is not a character"))?);
        }
        Ok(s)
    }

    /// A weight: a mantissa (two integers when it does not fit in 26 bits) and an exponent.
    fn weight(&mut self) -> Result<f64, String> {
        let mut long = || -> Result<u32, String> {
            let up = self.int()?;
            if up < 0x0400_0000 {
                Ok(up)
            } else {
                let low = self.int()?;
                Ok(((up & 0x03ff_ffff) << 26) | low)
            }
        };
        let mantissa = long()?;
        let exponent = long()?;
        if mantissa == u32::MAX && exponent >= u32::MAX - 1 {
            return Ok(if exponent == u32::MAX {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            });
        }
        let m = f64::from(mantissa as i32) / f64::from(0x4000_0000u32);
        Ok(m * 2f64.powi(exponent as i32))
    }
}

/// The kind of a section, from the end of its name; it decides how the analyser treats a word
/// that ends in one of its final states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SectionKind {
    Standard = 1,
    Inconditional = 2,
    Postblank = 4,
    Preblank = 8,
}

/// One transition: on `input` (0 = none), write `output` (0 = nothing) and go to `target`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Transition {
    pub input: i32,
    pub output: i32,
    pub target: u32,
}

/// [`Transducer::flags`]: the state has transitions without input.
pub(crate) const HAS_EPSILON: u8 = 0x10;

/// A compiled file, every section's states numbered in one space.
pub(crate) struct Transducer {
    /// Letters that make up words besides Unicode's letters and digits.
    letters: Vec<u32>,
    letters_ascii: [bool; 128],
    /// Tag names with their brackets, `<n>`; symbol `-1 - i` is `tags[i]`.
    pub tags: Vec<String>,
    /// Each state's transitions, ordered by input symbol, in the file's order for one symbol.
    starts: Vec<u32>,
    transitions: Vec<Transition>,
    /// The transitions' input symbols alone, for searching.
    inputs: Vec<i32>,
    /// Each transition's weight, when the file has weights (else none: all are 0).
    weights: Vec<f64>,
    /// Per state, the range of its transitions without input.
    epsilons: Vec<(u32, u32)>,
    /// Per state: the kind of its section (bits 0–3) when it is final there, and
    /// [`HAS_EPSILON`].
    pub flags: Vec<u8>,
    pub final_weight: Vec<f64>,
    /// The sections' initial states, in the order of their names.
    pub initials: Vec<u32>,
}

/// Which ASCII characters are among `letters` (the alphabet's letters, as code points).
fn ascii_letters(letters: &[u32]) -> [bool; 128] {
    let mut ascii = [false; 128];
    for &c in letters.iter().filter(|&&c| c < 128) {
        ascii[c as usize] = true;
    }
    ascii
}

impl Transducer {
    pub(crate) fn load(path: &Path) -> Result<Transducer, FormatError> {
        let error = |detail: String| FormatError {
            file: path.to_path_buf(),
            detail,
        };
        let image = super::image::Image::of(path);
        if let Some(fst) = image.as_ref().and_then(|i| i.read(Transducer::from_image)) {
            return Ok(fst);
        }
        let data = std::fs::read(path).map_err(|e| error(format!("cannot read it: {e}")))?;
        let fst = Transducer::parse(&data).map_err(|detail| {
            error(format!(
                "not an lttoolbox 3 transducer as this reader knows it: {detail}"
            ))
        })?;
        if let Some(image) = image {
            image.write(&fst.to_image());
        }
        Ok(fst)
    }

    /// Its tables, for [`super::image`].
    fn to_image(&self) -> Vec<u8> {
        use super::image::put_table;
        let mut out = Vec::with_capacity(self.heap_bytes());
        put_table(&mut out, &self.letters);
        let lengths: Vec<u32> = self.tags.iter().map(|t| t.len() as u32).collect();
        put_table(&mut out, &lengths);
        put_table(&mut out, self.tags.concat().as_bytes());
        put_table(&mut out, &self.starts);
        let transitions: Vec<(i32, (i32, u32))> = (self.transitions.iter())
            .map(|t| (t.input, (t.output, t.target)))
            .collect();
        put_table(&mut out, &transitions);
        put_table(&mut out, &self.weights);
        put_table(&mut out, &self.epsilons);
        put_table(&mut out, &self.flags);
        put_table(&mut out, &self.final_weight);
        put_table(&mut out, &self.initials);
        out
    }

    /// The transducer [`Transducer::to_image`] wrote, if its tables hold together: every
    /// state's transitions and its transitions without input within the list, every target and
    /// initial state a state, every tag symbol a tag.
    fn from_image(reader: &mut super::image::Reader) -> Option<Transducer> {
        let letters: Vec<u32> = reader.table()?;
        let lengths: Vec<u32> = reader.table()?;
        let names = String::from_utf8(reader.table()?).ok()?;
        let mut tags = Vec::with_capacity(lengths.len());
        let mut at = 0usize;
        for len in lengths {
            let end = at.checked_add(len as usize)?;
            tags.push(names.get(at..end)?.to_string());
            at = end;
        }
        let starts: Vec<u32> = reader.table()?;
        let transitions: Vec<Transition> = (reader.table::<(i32, (i32, u32))>()?.into_iter())
            .map(|(input, (output, target))| Transition {
                input,
                output,
                target,
            })
            .collect();
        let weights: Vec<f64> = reader.table()?;
        let epsilons: Vec<(u32, u32)> = reader.table()?;
        let flags: Vec<u8> = reader.table()?;
        let final_weight: Vec<f64> = reader.table()?;
        let initials: Vec<u32> = reader.table()?;
        let nodes = flags.len();
        let lowest = -(tags.len() as i64);
        let whole = at == names.len()
            && letters.is_sorted()
            && starts.len() == nodes + 1
            && starts.first() == Some(&0)
            && starts.is_sorted()
            && starts.last() == Some(&(transitions.len() as u32))
            && transitions.iter().all(|t| {
                (t.target as usize) < nodes
                    && i64::from(t.input) >= lowest
                    && i64::from(t.output) >= lowest
            })
            && (weights.is_empty() || weights.len() == transitions.len())
            && epsilons.len() == nodes
            && final_weight.len() == nodes
            && (epsilons.iter().zip(starts.windows(2))).all(|(&(first, last), range)| {
                range[0] <= first && first <= last && last <= range[1]
            })
            && !initials.is_empty()
            && initials.iter().all(|&i| (i as usize) < nodes);
        if !whole {
            return None;
        }
        Some(Transducer {
            letters_ascii: ascii_letters(&letters),
            letters,
            tags,
            starts,
            inputs: transitions.iter().map(|t| t.input).collect(),
            transitions,
            weights,
            epsilons,
            flags,
            final_weight,
            initials,
        })
    }

    pub(crate) fn parse(data: &[u8]) -> Result<Transducer, String> {
        let mut bytes = Bytes::new(data);
        if bytes.header(b"LTTB") {
            let features = bytes.u64_le()?;
            if features != 0 {
                return Err(format!(
                    "the LTTB header has feature flags {features:#x}; only 0 is known"
                ));
            }
        }
        let mut letters = Vec::new();
        for _ in 0..bytes.count("letters")? {
            letters.push(bytes.int()?);
        }
        letters.sort_unstable();
        let letters_ascii = ascii_letters(&letters);
        let (tags, pairs) = read_alphabet(&mut bytes)?;
        let mut sections = Vec::new();
        let mut nodes = 0u32;
        // Each state's first transition; each transition as it will be kept, its weight beside
        // it once any is not 0. Each transition takes at least two bytes of the file: rarely
        // more room than this.
        let mut starts: Vec<u32> = Vec::with_capacity(data.len() / 8);
        let mut transitions: Vec<Transition> = Vec::with_capacity(data.len() / 3);
        let mut weights: Vec<f64> = Vec::new();
        let mut finals: Vec<(u32, SectionKind, f64)> = Vec::new();
        let mut order: Vec<(Transition, f64)> = Vec::new();
        for _ in 0..bytes.count("sections")? {
            let name = bytes.string()?;
            let kind = section_kind(&name)?;
            let mut weighted = false;
            if bytes.header(b"LTTD") {
                let features = bytes.u64_le()?;
                if features > 1 {
                    return Err(format!(
                        "section {name} has feature flags {features:#x}; only weights (1) are known"
                    ));
                }
                weighted = features == 1;
            }
            let base = nodes;
            let initial = bytes.int()?;
            let mut state = 0u32;
            let mut section_finals = Vec::new();
            for _ in 0..bytes.count("final states")? {
                state += bytes.int()?;
                let weight = if weighted { bytes.weight()? } else { 0.0 };
                section_finals.push((state, weight));
            }
            let states = bytes.int()?;
            if initial >= states.max(1) {
                return Err(format!(
                    "section {name}: initial state {initial} of {states}"
                ));
            }
            for (state, weight) in section_finals {
                if state >= states {
                    return Err(format!("section {name}: final state {state} of {states}"));
                }
                finals.push((base + state, kind, weight));
            }
            for current in 0..states {
                let mut pair = 0u32;
                let first = transitions.len();
                starts.push(first as u32);
                for _ in 0..bytes.count("transitions")? {
                    pair = pair.wrapping_add(bytes.int()?);
                    let target = (current as u64 + bytes.int()? as u64) % states as u64;
                    let weight = if weighted { bytes.weight()? } else { 0.0 };
                    let &(input, output) = pairs.get(pair as usize).ok_or_else(|| {
                        format!("section {name}: symbol pair {pair} of {}", pairs.len())
                    })?;
                    if weight != 0.0 && weights.len() < transitions.len() {
                        weights.resize(transitions.len(), 0.0);
                    }
                    transitions.push(Transition {
                        input,
                        output,
                        target: base + target as u32,
                    });
                    if !weights.is_empty() || weight != 0.0 {
                        weights.push(weight);
                    }
                }
                // By input symbol, stable: one state's transitions on one symbol keep the
                // file's order. States come in order, so the whole list ends sorted by state
                // and symbol without sorting it whole.
                if weights.is_empty() {
                    transitions[first..].sort_by_key(|t| t.input);
                } else {
                    order.clear();
                    order.extend(
                        transitions[first..]
                            .iter()
                            .copied()
                            .zip(&weights[first..])
                            .map(|(t, &w)| (t, w)),
                    );
                    order.sort_by_key(|(t, _)| t.input);
                    for (i, (t, w)) in order.iter().enumerate() {
                        transitions[first + i] = *t;
                        weights[first + i] = *w;
                    }
                }
            }
            nodes = base
                .checked_add(states)
                .ok_or("too many states".to_string())?;
            sections.push((name, base + initial));
        }
        if !bytes.at_end() {
            return Err("bytes left after the last section".to_string());
        }
        if sections.is_empty() {
            return Err("no sections".to_string());
        }
        // The analyser enters the sections in the order of their names.
        sections.sort_by(|a, b| a.0.cmp(&b.0));
        starts.push(transitions.len() as u32);
        debug_assert!(
            starts
                .windows(2)
                .all(|w| transitions[w[0] as usize..w[1] as usize].is_sorted_by_key(|t| t.input))
        );
        let mut flags = vec![0u8; nodes as usize];
        let mut final_weight = vec![0.0; nodes as usize];
        for (state, kind, weight) in finals {
            flags[state as usize] = kind as u8;
            final_weight[state as usize] = weight;
        }
        if !weights.is_empty() {
            weights.resize(transitions.len(), 0.0);
        }
        transitions.shrink_to_fit();
        let inputs: Vec<i32> = transitions.iter().map(|t| t.input).collect();
        let epsilons: Vec<(u32, u32)> = (0..nodes as usize)
            .map(|node| {
                let (start, end) = (starts[node] as usize, starts[node + 1] as usize);
                let first = start + inputs[start..end].partition_point(|&i| i < 0);
                let last = first + inputs[first..end].partition_point(|&i| i <= 0);
                (first as u32, last as u32)
            })
            .collect();
        for (flag, (first, last)) in flags.iter_mut().zip(&epsilons) {
            if first < last {
                *flag |= HAS_EPSILON;
            }
        }
        Ok(Transducer {
            letters,
            letters_ascii,
            tags,
            starts,
            transitions,
            inputs,
            weights,
            epsilons,
            flags,
            final_weight,
            initials: sections.into_iter().map(|(_, initial)| initial).collect(),
        })
    }

    /// The bytes its tables take.
    pub(crate) fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.letters.capacity() * 4
            + self
                .tags
                .iter()
                .map(|t| t.capacity() + size_of::<String>())
                .sum::<usize>()
            + self.starts.capacity() * 4
            + self.transitions.capacity() * size_of::<Transition>()
            + self.inputs.capacity() * 4
            + self.weights.capacity() * 8
            + self.epsilons.capacity() * 8
            + self.flags.capacity()
            + self.final_weight.capacity() * 8
            + self.initials.capacity() * 4
    }

    /// `c` is one of the file's extra word letters.
    pub(crate) fn is_letter(&self, c: char) -> bool {
        let c = c as u32;
        if c < 128 {
            self.letters_ascii[c as usize]
        } else {
            self.letters.binary_search(&c).is_ok()
        }
    }

    /// The indices of the transitions of `state` on `input` (not 0), in order.
    #[inline]
    pub(crate) fn on(&self, state: u32, input: i32) -> std::ops::Range<usize> {
        let (start, end) = (
            self.starts[state as usize] as usize,
            self.starts[state as usize + 1] as usize,
        );
        let inputs = &self.inputs[start..end];
        let first = inputs.partition_point(|&i| i < input);
        let count = inputs[first..].iter().take_while(|&&i| i == input).count();
        start + first..start + first + count
    }

    /// The indices of the transitions of `state` without input, in order.
    #[inline]
    pub(crate) fn epsilons(&self, state: u32) -> std::ops::Range<usize> {
        if self.flags[state as usize] & HAS_EPSILON == 0 {
            return 0..0;
        }
        let (first, last) = self.epsilons[state as usize];
        first as usize..last as usize
    }

    #[inline]
    pub(crate) fn transition(&self, index: usize) -> Transition {
        self.transitions[index]
    }

    /// The weight of transition `index`.
    pub(crate) fn weight(&self, index: usize) -> f64 {
        self.weights.get(index).copied().unwrap_or(0.0)
    }

    /// Writes symbol `symbol`'s text: a character, a tag, or nothing for 0.
    pub(crate) fn push_symbol(&self, out: &mut String, symbol: i32) {
        if symbol > 0 {
            if let Some(c) = char::from_u32(symbol as u32) {
                out.push(c);
            }
        } else if symbol < 0
            && let Some(tag) = self.tags.get((-symbol - 1) as usize)
        {
            out.push_str(tag);
        }
    }

    /// The symbol of tag `<name>` (with brackets), if the alphabet has it.
    pub(crate) fn tag_symbol(&self, tag: &str) -> Option<i32> {
        self.tags
            .iter()
            .position(|t| t == tag)
            .map(|i| -(i as i32) - 1)
    }
}

/// An alphabet: the tags (with brackets added) and the input:output symbol pairs.
pub(crate) type Alphabet = (Vec<String>, Vec<(i32, i32)>);

pub(crate) fn read_alphabet(bytes: &mut Bytes) -> Result<Alphabet, String> {
    let mut tags = Vec::new();
    for _ in 0..bytes.count("tags")? {
        tags.push(format!("<{}>", bytes.string()?));
    }
    let bias = tags.len() as i64;
    let mut pairs = Vec::new();
    for _ in 0..bytes.count("symbol pairs")? {
        let input = i64::from(bytes.int()?) - bias;
        let output = i64::from(bytes.int()?) - bias;
        for symbol in [input, output] {
            if symbol < -bias {
                return Err(format!("symbol {symbol} is not a known tag"));
            }
        }
        pairs.push((input as i32, output as i32));
    }
    Ok((tags, pairs))
}

fn section_kind(name: &str) -> Result<SectionKind, String> {
    let kinds = [
        ("@standard", SectionKind::Standard),
        ("@inconditional", SectionKind::Inconditional),
        ("@postblank", SectionKind::Postblank),
        ("@preblank", SectionKind::Preblank),
    ];
    kinds
        .iter()
        .find(|(suffix, _)| name.ends_with(suffix))
        .map(|(_, kind)| *kind)
        .ok_or_else(|| format!("section {name:?} is of no known type"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_take_one_to_four_bytes() {
        let mut b = Bytes::new(&[0x05, 0x41, 0x02, 0x81, 0x01, 0x02, 0xc1, 0x01, 0x02, 0x03]);
        assert_eq!(b.int().unwrap(), 5);
        assert_eq!(b.int().unwrap(), 0x102);
        assert_eq!(b.int().unwrap(), 0x01_0102);
        assert_eq!(b.int().unwrap(), 0x0101_0203);
        assert!(b.at_end());
        assert!(b.int().is_err());
    }

    #[test]
    fn a_transducer_read_from_its_image_answers_as_the_file_parsed() {
        let file =
            std::path::Path::new("/usr/share/apertium/apertium-eng-spa/spa-eng.automorf.bin");
        let Ok(data) = std::fs::read(file) else {
            let required = std::env::var("CI").is_ok_and(|v| v == "true")
                || std::env::var("PARALELO_REQUIRE_TOOLS").is_ok_and(|v| !v.is_empty() && v != "0");
            assert!(!required, "{} is required here", file.display());
            eprintln!(
                "SKIPPED a_transducer_read_from_its_image…: {} is not installed",
                file.display()
            );
            return;
        };
        let parsed = Transducer::parse(&data).unwrap();
        let image = parsed.to_image();
        let read = |bytes: &[u8]| {
            let mut source = bytes;
            let mut reader = crate::apertium::image::Reader::new(&mut source, bytes.len() as u64);
            Transducer::from_image(&mut reader).filter(|_| reader.done())
        };
        let again = read(&image).expect("its own image");
        assert_eq!(again.to_image(), image);
        assert_eq!(again.tags, parsed.tags);
        assert_eq!(again.letters_ascii, parsed.letters_ascii);
        // The tokeniser's ASCII shortcut answers as its rule does, with this file's letters.
        use crate::apertium::analyse::{continues_word, is_alphanumeric, is_space};
        for c in [
            'a', 'Z', '7', ' ', '\n', '-', '.', 'ñ', 'É', '\u{2003}', '²',
        ] {
            let word = (is_alphanumeric(c) || parsed.is_letter(c)) && !is_space(c);
            assert_eq!(continues_word(&parsed, c), word, "{c:?}");
        }
        assert_eq!(again.inputs, parsed.inputs);
        let text = "El perro de San Roque no tiene rabo, dijo el señor Pérez-Reverte.\n";
        let analyse = |fst: &Transducer| {
            let mut out = String::new();
            crate::apertium::analyse::Analyser::new(fst).analyse(text, None, &mut out);
            out
        };
        assert_eq!(analyse(&again), analyse(&parsed));
        assert!(analyse(&parsed).contains("<n>"));
        // Cut short, or a target past the last state: refused.
        assert!(read(&image[..image.len() - 1]).is_none());
        let mut broken = parsed.to_image();
        let transitions = 8
            + 4 * parsed.letters.len()
            + 8
            + 4 * parsed.tags.len()
            + 8
            + parsed.tags.iter().map(String::len).sum::<usize>()
            + 8
            + 4 * parsed.starts.len()
            + 8;
        broken[transitions + 8..transitions + 12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(read(&broken).is_none());
        let mut fixed = broken;
        fixed[transitions + 8..transitions + 12]
            .copy_from_slice(&parsed.transitions[0].target.to_le_bytes());
        assert!(read(&fixed).is_some(), "the place of the first target");
    }

    #[test]
    fn unknown_headers_and_garbage_are_refused() {
        let mut flagged = b"LTTB".to_vec();
        flagged.extend(2u64.to_le_bytes());
        assert!(
            Transducer::parse(&flagged)
                .err()
                .unwrap()
                .contains("feature")
        );
        assert!(Transducer::parse(b"\x01").is_err());
        assert!(Transducer::parse(b"").is_err());
    }
}
