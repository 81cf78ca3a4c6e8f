//! lt-proc's morphological analysis (`lt-proc -z -w`, lttoolbox 3.7), in-process.
//!
//! The text is read against the analyser's alphabet, the longest match in any section wins (an
//! `@inconditional`, `@postblank` or `@preblank` match ends a word wherever it ends, a `@standard`
//! one only before a character that is not a letter), upper-case letters also follow their
//! lower-case transitions, unknown words are `*word`, blanks inside a multiword are kept in order,
//! and the answer is the same stream text as lt-proc's, escapes included.
//!
//! Each analysis of a word depends only on the text read from the word's start until the live
//! paths end, so a [`WordMemo`] keeps it by the word and the character after it: replayed when
//! that was all that was read, else the paths' state after that character, to go on from (most
//! common words may begin a multiword: `ha sido`, `por ciento`); such a word is also kept with
//! the word after it when the pair and the character after it were all that was read (`de la`,
//! `en el`). A blank or punctuation mark that no path from the start reads is written as it is.
//! `tests/apertium_diff.rs` checks answers from the memo against fresh ones and lt-proc's.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use super::Memo;
use super::transducer::Transducer;

/// The characters the stream format escapes with `\`.
pub(crate) fn is_reserved(c: char) -> bool {
    matches!(
        c,
        '\\' | '^' | '$' | '/' | '<' | '>' | '[' | ']' | '{' | '}' | '@'
    )
}

/// lt-proc stops matching case-insensitively once a word has this many live paths.
const MAX_CASE_INSENSITIVE_PATHS: usize = 65536;

/// The soft hyphen, which lt-proc drops from its input.
const SOFT_HYPHEN: char = '\u{AD}';

/// A letter or a decimal digit in Unicode's general categories (L*, Nd), as lt-proc's
/// tokeniser asks. Rust's `is_alphanumeric` also takes other numbers and letter-like symbols;
/// the common ones are excluded here (superscripts, fractions, roman numerals, circled
/// numbers and letters).
pub(crate) fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if !c.is_alphanumeric() {
        return false;
    }
    !matches!(c,
        '\u{B2}' | '\u{B3}' | '\u{B9}' | '\u{BC}'..='\u{BE}'
        | '\u{2070}'..='\u{209F}' | '\u{2150}'..='\u{218F}'
        | '\u{2460}'..='\u{24FF}' | '\u{2776}'..='\u{2793}')
}

/// White space as lt-proc's tokeniser knows it (Unicode's spaces and the C0 separators).
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1C}'..='\u{1F}').contains(&c)
}

/// `c` continues a word: a letter or decimal digit ([`is_alphanumeric`]) or one of `fst`'s extra
/// letters, and no blank. The tokeniser asks this of nearly every character of the text: ASCII
/// letters and digits, most of them, are answered first.
#[inline]
pub(crate) fn continues_word(fst: &Transducer, c: char) -> bool {
    c.is_ascii_alphanumeric() || ((is_alphanumeric(c) || fst.is_letter(c)) && !is_space(c))
}

/// An upper-case letter's simple lower-case mapping (one character).
pub(crate) fn lower(c: char) -> char {
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(one), None) => one,
        // `İ` lowercases to `i` + a combining dot; its simple mapping is `i`.
        (Some(first), Some(_)) => first,
        _ => c,
    }
}

/// A letter's simple upper-case mapping (one character).
pub(crate) fn upper(c: char) -> char {
    let mut u = c.to_uppercase();
    match (u.next(), u.next()) {
        (Some(one), None) => one,
        _ => c,
    }
}

/// An analyser over one compiled morphological transducer.
pub(crate) struct Analyser<'t> {
    fst: &'t Transducer,
}

/// One live path: where it is, the output so far (a link in [`Run::links`]), and whether it
/// followed a lower-cased letter.
#[derive(Clone, Copy)]
struct Path {
    node: u32,
    output: u32,
    dirty: bool,
}

/// One output symbol of a path, linked to the one before it, with the transition that wrote
/// it (for its weight).
#[derive(Clone, Copy)]
struct Link {
    before: u32,
    symbol: i32,
    transition: u32,
}

const NO_LINK: u32 = u32::MAX;

/// How a word's last match ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ending {
    Plain,
    Inconditional,
    Postblank,
    Preblank,
}

/// The live paths through a transducer, lt-proc's "state".
pub(crate) struct States<'a> {
    fst: &'a Transducer,
    paths: Vec<Path>,
    next: Vec<Path>,
    links: Vec<Link>,
    finals: Vec<(String, f64)>,
    symbols: Vec<i32>,
}

/// The working state of one analysis.
struct Run<'a> {
    fst: &'a Transducer,
    /// The input as lt-proc reads it: soft hyphens dropped, a NUL read as a space, then the
    /// record's newline; past its end every read is `\0`.
    chars: Vec<char>,
    /// `chars` as UTF-8, then a `\0`: the memo's keys are slices of it.
    text: String,
    /// Where each of `chars` and the `\0` after them start in `text`, then its length.
    offsets: Vec<u32>,
    at: usize,
    /// How far the input has been read (backtracking re-reads what is before it).
    read_to: usize,
    /// How far the current word has read.
    furthest: usize,
    /// Spaces read but not yet written (lt-proc's queue of blanks, here all plain spaces).
    blanks: usize,
    states: States<'a>,
}

impl<'a> Run<'a> {
    fn read(&mut self) -> char {
        let c = self.chars.get(self.at).copied().unwrap_or('\0');
        self.at += 1;
        self.furthest = self.furthest.max(self.at);
        self.read_through(self.at);
        c
    }

    /// Counts as read everything before `end`, each space once.
    fn read_through(&mut self, end: usize) {
        while self.read_to < end {
            if self.chars.get(self.read_to) == Some(&' ') {
                self.blanks += 1;
            }
            self.read_to += 1;
        }
    }

    fn is_word_char(&self, c: char) -> bool {
        is_alphanumeric(c) || self.fst.is_letter(c)
    }

    /// How many word characters (no blank among them) the input has from `from` on.
    fn word_length(&self, from: usize) -> usize {
        let rest = self.chars.get(from..).unwrap_or_default();
        rest.iter()
            .take_while(|&&c| continues_word(self.fst, c))
            .count()
    }

    /// Where in `text` the `length` characters from where reading is are, with the character
    /// after them (`\0` past the end): a key in a [`WordMemo`].
    fn key(&self, length: usize, key: &mut Range<usize>) {
        *key = self.offsets[self.at] as usize..self.offsets[self.at + length + 1] as usize;
    }

    /// The word that starts where reading is, and the character after it, as the key of its
    /// analysis in a [`WordMemo`] (see [`Run::key`]): `None` when no word starts there.
    fn word_key(&self, key: &mut Range<usize>) -> Option<usize> {
        let length = self.word_length(self.at);
        (length > 0).then(|| {
            self.key(length, key);
            length
        })
    }

    /// The key of the pair of words that starts where reading is, the first `length` long
    /// (as [`Run::word_key`] gave it): both words, the one character between them and the one
    /// after the second; with how many characters it covers. `None` when no word follows that
    /// one character.
    fn pair_key(&self, length: usize, key: &mut Range<usize>) -> Option<usize> {
        let second = self.word_length(self.at + length + 1);
        (second > 0).then(|| {
            self.key(length + 1 + second, key);
            length + 1 + second + 1
        })
    }
}

/// What analysing from the start of one word did, when only the word and the character after
/// it were read: the same word before the same character is analysed the same way anywhere.
#[derive(Clone)]
enum Remembered {
    /// The word was written: replayed instead of analysed.
    Done {
        out: Arc<str>,
        /// Where reading goes on, and how far it read, from the word's start.
        at: u32,
        read_to: u32,
        /// The record ended.
        end: bool,
        /// The blanks its writing took from the queue (a space inside a multiword).
        consumed: u32,
    },
    /// The live paths went on past the character after the word (a multiword such as `por
    /// ciento` may follow): where the analysis stood there, to go on from.
    Partway(Arc<Partway>),
}

/// What [`WordMemo::recall`] found: a word written (where reading goes on and how far it read,
/// from the word's start, and whether the record ended), or where its analysis stood.
enum Recalled {
    Written {
        at: u32,
        read_to: u32,
        end: bool,
        consumed: u32,
    },
    Partway(Arc<Partway>),
}

/// The state of a word's analysis after the character after the word.
struct Partway {
    paths: Vec<Path>,
    links: Vec<Link>,
    analyses: String,
    ending: Ending,
    /// `last` of [`Analyser::word`], from the word's start.
    last: usize,
    last_size: usize,
}

/// The analyses of the words already met, by word and the character after it, shared by the
/// threads that use one transducer; bounded (see [`Memo`]). A word that may begin a multiword
/// (`de`, `la`, `por`) is also kept with the word after it (`de acuerdo,`), when reading that
/// pair and the character after it was enough: most text's commonest words start pairs that
/// come again and again (`de la`, `en el`).
pub(crate) struct WordMemo {
    words: Memo<Remembered>,
    /// Keyed by the first word, the one character after it, the second word and the character
    /// after that; only [`Remembered::Done`].
    pairs: Memo<Remembered>,
    /// Per ASCII character, whether it is "quiet": no letter, and no path from the start
    /// reads it, so that outside a word it is only written out (most blanks and punctuation).
    quiet: OnceLock<[bool; 128]>,
}

/// The most words a [`WordMemo`] keeps. The four memos of a glossed build (this one for each of
/// the two analysers, and the glosser's Spanish and English units) held 131,072 each at first:
/// a cold 10,000-article build (Zipf-drawn real vocabulary) peaked at 286 MiB, against 198 MiB
/// with 32,768, for 4% more CPU (the rarer words analysed each time they come).
const MEMO_WORDS: usize = 32_768;

impl WordMemo {
    pub(crate) fn new() -> WordMemo {
        WordMemo {
            words: Memo::new(MEMO_WORDS),
            pairs: Memo::new(MEMO_WORDS),
            quiet: OnceLock::new(),
        }
    }

    /// `c` is quiet in `fst` (see [`WordMemo::quiet`]).
    fn is_quiet(&self, fst: &Transducer, c: char) -> bool {
        let quiet = self.quiet.get_or_init(|| {
            let mut states = States::new(fst);
            states.restart();
            let mut quiet = [false; 128];
            if states.final_kinds() != 0 {
                return quiet;
            }
            for (code, quiet) in quiet.iter_mut().enumerate().skip(1) {
                let c = char::from(code as u8);
                let read = |symbol: char| {
                    states
                        .paths
                        .iter()
                        .any(|p| !fst.on(p.node, symbol as i32).is_empty())
                };
                *quiet = !(is_alphanumeric(c) || fst.is_letter(c) || read(c) || read(lower(c)));
            }
            quiet
        });
        c.is_ascii() && quiet[c as usize]
    }

    /// Writes to `out` what was remembered for `key` as written, or gives where its analysis
    /// stood; `None` when nothing is remembered.
    fn recall(&self, key: &str, out: &mut String) -> Option<Recalled> {
        Self::recall_in(&self.words, key, out)
    }

    /// [`WordMemo::recall`] of a pair's key (see [`Run::pair_key`]).
    fn recall_pair(&self, key: &str, out: &mut String) -> Option<Recalled> {
        Self::recall_in(&self.pairs, key, out)
    }

    fn recall_in(memo: &Memo<Remembered>, key: &str, out: &mut String) -> Option<Recalled> {
        memo.with(key, |remembered| {
            Some(match remembered? {
                Remembered::Done {
                    out: written,
                    at,
                    read_to,
                    end,
                    consumed,
                } => {
                    out.push_str(written);
                    Recalled::Written {
                        at: *at,
                        read_to: *read_to,
                        end: *end,
                        consumed: *consumed,
                    }
                }
                Remembered::Partway(partway) => Recalled::Partway(Arc::clone(partway)),
            })
        })
    }

    fn remember(&self, key: &str, remembered: Remembered) {
        self.words.insert(key, remembered);
    }

    fn remember_pair(&self, key: &str, done: Remembered) {
        self.pairs.insert(key, done);
    }

    /// How many words and pairs it holds.
    pub(crate) fn len(&self) -> usize {
        self.words.len() + self.pairs.len()
    }
}

impl<'a> States<'a> {
    pub(crate) fn new(fst: &'a Transducer) -> States<'a> {
        States {
            fst,
            paths: Vec::new(),
            next: Vec::new(),
            links: Vec::new(),
            finals: Vec::new(),
            symbols: Vec::new(),
        }
    }

    pub(crate) fn restart(&mut self) {
        self.links.clear();
        self.paths.clear();
        for &initial in &self.fst.initials {
            self.paths.push(Path {
                node: initial,
                output: NO_LINK,
                dirty: false,
            });
        }
        self.close();
    }

    /// Follows the transitions without input from every path, new paths included.
    fn close(&mut self) {
        let mut i = 0;
        while i < self.paths.len() {
            let path = self.paths[i];
            for index in self.fst.epsilons(path.node) {
                let t = self.fst.transition(index);
                let output = if t.output != 0 {
                    self.links.push(Link {
                        before: path.output,
                        symbol: t.output,
                        transition: index as u32,
                    });
                    (self.links.len() - 1) as u32
                } else {
                    path.output
                };
                self.paths.push(Path {
                    node: t.target,
                    output,
                    dirty: path.dirty,
                });
            }
            i += 1;
        }
    }

    /// Moves every path on `symbol` (a character, a tag, or 0 which ends every path), and on
    /// an upper-case letter's lower case too.
    pub(crate) fn step(&mut self, symbol: i32) {
        self.next.clear();
        if symbol != 0 {
            let alternative = u32::try_from(symbol)
                .ok()
                .and_then(char::from_u32)
                .filter(|c| c.is_uppercase() && self.paths.len() < MAX_CASE_INSENSITIVE_PATHS)
                .map(|c| lower(c) as i32)
                .filter(|&l| l != symbol);
            for i in 0..self.paths.len() {
                let path = self.paths[i];
                self.follow(path, symbol, false);
                if let Some(lower) = alternative {
                    self.follow(path, lower, true);
                }
            }
        }
        std::mem::swap(&mut self.paths, &mut self.next);
        self.close();
    }

    /// Adds to `next` the paths `path` goes on to on `symbol`, `lowered` when `symbol` is a
    /// lower-cased letter.
    #[inline]
    fn follow(&mut self, path: Path, symbol: i32, lowered: bool) {
        for index in self.fst.on(path.node, symbol) {
            let t = self.fst.transition(index);
            self.links.push(Link {
                before: path.output,
                symbol: t.output,
                transition: index as u32,
            });
            self.next.push(Path {
                node: t.target,
                output: (self.links.len() - 1) as u32,
                dirty: path.dirty || lowered,
            });
        }
    }

    /// The kinds of section (bits) whose final states some path is in.
    pub(crate) fn final_kinds(&self) -> u8 {
        self.paths.iter().fold(0, |kinds, p| {
            kinds | (self.fst.flags[p.node as usize] & 0x0f)
        })
    }

    pub(crate) fn is_final(&self, kinds: u8) -> bool {
        self.paths
            .iter()
            .any(|p| (self.fst.flags[p.node as usize] & 0x0f) & kinds != 0)
    }

    /// The analyses of the final paths: `/a/b…`, cheapest first, each once. A path that
    /// followed a lower-cased letter is written all in capitals when `uppercase`, else with a
    /// capital first letter when `first_upper` (lt-proc's surface case; `-w` asks neither).
    pub(crate) fn analyses(&mut self, uppercase: bool, first_upper: bool) -> String {
        self.finals.clear();
        for i in 0..self.paths.len() {
            let path = self.paths[i];
            if self.fst.flags[path.node as usize] & 0x0f == 0 {
                continue;
            }
            self.symbols.clear();
            let mut link = path.output;
            while link != NO_LINK {
                let l = self.links[link as usize];
                self.symbols.push(link as i32);
                link = l.before;
            }
            let mut text = String::new();
            let mut cost = 0.0;
            for &link in self.symbols.iter().rev() {
                let Link {
                    symbol, transition, ..
                } = self.links[link as usize];
                let weight = self.fst.weight(transition as usize);
                if symbol > 0 && char::from_u32(symbol as u32).is_some_and(is_reserved) {
                    text.push('\\');
                }
                match char::from_u32(symbol as u32) {
                    Some(c) if symbol > 0 && path.dirty && uppercase => text.push(upper(c)),
                    _ => self.fst.push_symbol(&mut text, symbol),
                }
                cost += weight;
            }
            if path.dirty && first_upper {
                // The first letter, after a post-generation mark `~`.
                let skip = usize::from(text.starts_with('~'));
                if let Some((at, c)) = text.char_indices().nth(skip) {
                    let capital = upper(c);
                    text.replace_range(at..at + c.len_utf8(), capital.encode_utf8(&mut [0; 4]));
                }
            }
            cost += self.fst.final_weight[path.node as usize];
            self.finals.push((text, cost));
        }
        sort_by_cost(&mut self.finals);
        let mut result = String::new();
        for (i, (text, _)) in self.finals.iter().enumerate() {
            if self.finals[..i].iter().any(|(seen, _)| seen == text) {
                continue;
            }
            result.push('/');
            result.push_str(text);
        }
        result
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

/// lt-proc orders analyses by cost with an unstable sort; for the equal costs of an unweighted
/// dictionary that sort keeps the order of up to 16 analyses, as a stable sort does.
fn sort_by_cost(finals: &mut [(String, f64)]) {
    finals.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal));
}

/// The input as lt-proc reads it (see [`Run::chars`]), as characters and as UTF-8 followed by a
/// `\0`, with where each character starts in the UTF-8 (see [`Run::offsets`]). A text without
/// soft hyphens or NULs is copied whole.
fn read_input(text: &str) -> (Vec<char>, String, Vec<u32>) {
    let mut chars = Vec::with_capacity(text.len() + 1);
    let mut offsets = Vec::with_capacity(text.len() + 3);
    let mut verbatim = true;
    for (at, c) in text.char_indices() {
        match c {
            SOFT_HYPHEN => verbatim = false,
            '\0' => {
                verbatim = false;
                chars.push(' ');
            }
            c => {
                chars.push(c);
                offsets.push(at as u32);
            }
        }
    }
    let mut utf8 = String::with_capacity(text.len() + 2);
    if verbatim {
        utf8.push_str(text);
    } else {
        offsets.clear();
        for &c in &chars {
            offsets.push(utf8.len() as u32);
            utf8.push(c);
        }
    }
    for c in ['\n', '\0'] {
        offsets.push(utf8.len() as u32);
        utf8.push(c);
    }
    chars.push('\n');
    offsets.push(utf8.len() as u32);
    (chars, utf8, offsets)
}

fn push_escaped(out: &mut String, text: &[char]) {
    for &c in text {
        if is_reserved(c) {
            out.push('\\');
        }
        out.push(c);
    }
}

impl<'t> Analyser<'t> {
    pub(crate) fn new(fst: &'t Transducer) -> Analyser<'t> {
        Analyser { fst }
    }

    /// Appends to `out` what `lt-proc -z -w` writes for the record `escape(text) + "\n"`
    /// (before its NUL), replaying from `memo` the words it has seen before and keeping there
    /// the ones it has not.
    pub(crate) fn analyse(&self, text: &str, memo: Option<&WordMemo>, out: &mut String) {
        let (chars, text, offsets) = read_input(text);
        let mut run = Run {
            fst: self.fst,
            chars,
            text,
            offsets,
            at: 0,
            read_to: 0,
            furthest: 0,
            blanks: 0,
            states: States::new(self.fst),
        };
        let mut key = 0..0;
        let mut pair = 0..0;
        let mut analyses = String::new();
        let mut surface: Vec<char> = Vec::new();
        loop {
            let word_start = run.at;
            let next = run.chars.get(run.at).copied().unwrap_or('\0');
            if memo.is_some_and(|memo| memo.is_quiet(self.fst, next)) {
                // What `word` does with it: no path lives past it, so it is written as it is.
                run.furthest = word_start;
                let c = run.read();
                self.write_char(&mut run, c, out);
                continue;
            }
            let word = memo.and_then(|_| run.word_key(&mut key));
            let mut recalled = memo
                .zip(word)
                .and_then(|(memo, _)| memo.recall(&run.text[key.clone()], out));
            // A word that may begin a multiword: the pair it begins may be known.
            let mut paired = None;
            if let (Some(Recalled::Partway(_)), Some(memo), Some(length)) = (&recalled, memo, word)
            {
                paired = run.pair_key(length, &mut pair);
                if let Some(written) =
                    paired.and_then(|_| memo.recall_pair(&run.text[pair.clone()], out))
                {
                    recalled = Some(written);
                }
            }
            let resume = match recalled {
                Some(Recalled::Written {
                    at,
                    read_to,
                    end,
                    consumed,
                }) => {
                    run.read_through(word_start + read_to as usize);
                    run.blanks = run.blanks.saturating_sub(consumed as usize);
                    run.at = word_start + at as usize;
                    if end {
                        break;
                    }
                    continue;
                }
                Some(Recalled::Partway(partway)) => Some(partway),
                None => None,
            };
            let written = out.len();
            let (blanks, read_to) = (run.blanks, run.read_to);
            run.furthest = word_start;
            // Where the state is worth keeping: after the character after the word.
            let keep_at = match (&resume, word) {
                (None, Some(length)) => Some(word_start + length + 1),
                _ => None,
            };
            let (c, partway) = self.word(
                &mut run,
                &mut analyses,
                &mut surface,
                out,
                resume.as_deref(),
                keep_at,
            );
            let done = |covered: usize| {
                (run.furthest <= word_start + covered).then(|| {
                    let spaces = run.chars[read_to..run.read_to.min(run.chars.len())]
                        .iter()
                        .filter(|&&c| c == ' ')
                        .count();
                    Remembered::Done {
                        out: out[written..].into(),
                        at: (run.at - word_start) as u32,
                        read_to: (run.furthest - word_start) as u32,
                        end: c == '\0',
                        consumed: (blanks + spaces).saturating_sub(run.blanks) as u32,
                    }
                })
            };
            match (memo, word, &resume) {
                (Some(memo), Some(length), None) => {
                    if let Some(done) = done(length + 1) {
                        memo.remember(&run.text[key.clone()], done);
                    } else if let Some(partway) = partway {
                        memo.remember(
                            &run.text[key.clone()],
                            Remembered::Partway(Arc::new(partway)),
                        );
                    }
                }
                (Some(memo), Some(_), Some(_)) => {
                    if let Some(done) = paired.and_then(done) {
                        memo.remember_pair(&run.text[pair.clone()], done);
                    }
                }
                _ => {}
            }
            if c == '\0' {
                break;
            }
        }
        for _ in 0..run.blanks {
            out.push(' ');
        }
    }

    /// Reads one word (or one character outside words) from where `run` is, writes it, and
    /// leaves `run` where the next one starts; the character it stopped at, `\0` at the end.
    /// With `resume`, the word's analysis goes on from where it stood after the character after
    /// the word (at `run.at` + the length of `surface`'s word + 1); with `keep_at`, the state
    /// once the input up to there is read is returned, when the paths live on past it.
    fn word(
        &self,
        run: &mut Run,
        analyses: &mut String,
        surface: &mut Vec<char>,
        out: &mut String,
        resume: Option<&Partway>,
        keep_at: Option<usize>,
    ) -> (char, Option<Partway>) {
        const ALL: u8 = 0x0f;
        const INCONDITIONAL: u8 = 2;
        const POSTBLANK: u8 = 4;
        const PREBLANK: u8 = 8;

        analyses.clear();
        surface.clear();
        let word_start = run.at;
        let mut ending = Ending::Plain;
        let mut last = 0usize;
        let mut last_size = 0usize;
        let mut kept = None;
        match resume {
            Some(partway) => {
                // The word and the character after it, read with the paths alive throughout.
                let length = run.word_length(word_start);
                surface.extend(&run.chars[word_start..=word_start + length]);
                run.at = word_start + length + 1;
                run.furthest = run.at;
                run.read_through(run.at);
                run.states.paths.clone_from(&partway.paths);
                run.states.links.clone_from(&partway.links);
                analyses.clone_from(&partway.analyses);
                ending = partway.ending;
                last = word_start + partway.last;
                last_size = partway.last_size;
            }
            None => run.states.restart(),
        }
        loop {
            let mut c = run.read();
            let finals = run.states.final_kinds();
            if finals & ALL != 0 {
                let kind = if finals & INCONDITIONAL != 0 {
                    Some(Ending::Inconditional)
                } else if finals & POSTBLANK != 0 {
                    Some(Ending::Postblank)
                } else if finals & PREBLANK != 0 {
                    Some(Ending::Preblank)
                } else if !run.is_word_char(c) {
                    Some(Ending::Plain)
                } else {
                    None
                };
                if let Some(kind) = kind {
                    *analyses = run.states.analyses(false, false);
                    ending = kind;
                    last = run.at;
                    last_size = surface.len();
                }
            } else if surface.is_empty() && is_space(c) {
                *analyses = "/*".to_string();
                ending = Ending::Plain;
                last = run.at;
                last_size = 0;
            }

            run.states.step(c as i32);
            if !run.states.is_empty() {
                if c != '\0' {
                    surface.push(c);
                }
                if keep_at == Some(run.at) {
                    kept = Some(Partway {
                        paths: run.states.paths.clone(),
                        links: run.states.links.clone(),
                        analyses: analyses.clone(),
                        ending,
                        last: last.saturating_sub(word_start),
                        last_size,
                    });
                }
                continue;
            }

            let known_end = |run: &Run, surface: &[char]| {
                // lt-proc's `lastBlank`: the last character that is not one of the file's
                // letters, or 0.
                surface
                    .iter()
                    .rposition(|&s| !run.fst.is_letter(s))
                    .unwrap_or(0)
            };
            if !run.is_word_char(c) && surface.is_empty() {
                self.write_char(run, c, out);
            } else if ending != Ending::Plain {
                if ending == Ending::Preblank {
                    out.push(' ');
                }
                write_word(run, &surface[..last_size], analyses, out);
                if ending == Ending::Postblank {
                    out.push(' ');
                }
                run.at = last - 1;
            } else if run.is_word_char(c)
                && (last_size > known_end(run, surface) || analyses.is_empty())
            {
                loop {
                    surface.push(c);
                    c = run.read();
                    if c == '\0' || !run.is_word_char(c) {
                        break;
                    }
                }
                self.write_unknown(run, surface, word_start, out);
            } else if analyses.is_empty() {
                self.write_unknown(run, surface, word_start, out);
            } else {
                write_word(run, &surface[..last_size], analyses, out);
                run.at = last - 1;
            }
            return (c, kept);
        }
    }

    /// A character outside any word.
    fn write_char(&self, run: &mut Run, c: char, out: &mut String) {
        if is_space(c) {
            if run.blanks > 0 {
                run.blanks -= 1;
                out.push(' ');
            } else {
                out.push(c);
            }
        } else if c != '\0' {
            if is_reserved(c) {
                out.push('\\');
            }
            out.push(c);
        }
    }

    /// The word characters at the start of `surface` as an unknown word, or its first character
    /// alone when it does not start with one; reading resumes after what was written.
    fn write_unknown(&self, run: &mut Run, surface: &[char], start: usize, out: &mut String) {
        let letters = surface
            .iter()
            .position(|&c| !run.is_word_char(c))
            .unwrap_or(surface.len());
        if letters == 0 {
            run.at = start + 1;
            push_escaped(out, &surface[..1.min(surface.len())]);
        } else {
            run.at = start + letters;
            out.push('^');
            push_escaped(out, &surface[..letters]);
            out.push_str("/*");
            push_escaped(out, &surface[..letters]);
            out.push('$');
        }
    }
}

/// `^surface/analyses$`, each space of the surface taking one of the queued blanks.
fn write_word(run: &mut Run, surface: &[char], analyses: &str, out: &mut String) {
    out.push('^');
    let mut owed = 0;
    for &c in surface {
        if is_reserved(c) {
            out.push('\\');
        }
        out.push(c);
        if c == ' ' {
            if run.blanks > 0 {
                run.blanks -= 1;
            } else {
                owed += 1;
            }
        }
    }
    out.push_str(analyses);
    out.push('$');
    while owed > 0 && run.blanks > 0 {
        owed -= 1;
        run.blanks -= 1;
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The UTF-8 and the offsets name each character, with or without soft hyphens and NULs
    /// (which are dropped or read as spaces), and a key may reach the `\0` past the newline.
    #[test]
    fn the_input_s_offsets_name_each_character() {
        for text in ["año, él", "a\u{AD}ño\0él", ""] {
            let (chars, utf8, offsets) = read_input(text);
            assert_eq!(offsets.len(), chars.len() + 2);
            for (i, &c) in chars.iter().chain(&['\0']).enumerate() {
                let (from, to) = (offsets[i] as usize, offsets[i + 1] as usize);
                assert_eq!(
                    utf8[from..to].chars().collect::<Vec<_>>(),
                    [c],
                    "{text:?} {i}"
                );
            }
            assert_eq!(offsets.last(), Some(&(utf8.len() as u32)));
        }
        let (chars, ..) = read_input("a\u{AD}ño\0él");
        assert_eq!(chars.iter().collect::<String>(), "año él\n");
    }
}
