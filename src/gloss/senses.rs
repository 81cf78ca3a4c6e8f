//! Word senses in context: which of a Spanish word's dictionary senses its translation uses,
//! and, when it uses none of them, which English word it uses instead.
//!
//! The choice is made over one alignment group at a time (the Spanish sentences and the English
//! sentences that translate each other), after the analysis, which it leaves as Apertium gave
//! it. It is a per-sentence word aligner, not a trained one:
//!
//! 1. **Dictionary.** A sense occurs when an English word of the group has it as a lemma
//!    (`supported` → `support`, `greater` → `great`); a sense of several words (`deal with`)
//!    must occur word after word. Among the senses that occur, the one whose occurrence lies
//!    nearest the word's relative place wins, then the dictionary's order. Content words claim
//!    their English word, so that two Spanish words do not take the same one.
//! 2. **Here.** A content word none of whose senses occurs is given the English content word
//!    (not claimed, not a name) that scores best on its place, predicted from the nearest
//!    neighbours that step 1 placed (`producción militar conjunta` → `joint military
//!    production`: `conjunta` sits next to `militar`, which is `military`), its spelling
//!    (`agresión`, `aggression`; `energético`, `energy`) and its class; pairs are taken best
//!    first, one English word to one Spanish word, above a floor.
//!
//! On a machine-translated page the English side is Apertium's own translation of the sentence,
//! so step 1 picks the sense the engine used.

use std::borrow::{Borrow, Cow};
use std::ops::Range;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use super::english::EnglishWord;
use super::{PartOfSpeech, WordGloss};

/// The in-context choice for one word.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InContext {
    /// The index in the word's `glosses` of the sense its translation uses; 0 when none does.
    pub first: usize,
    /// The translation's own word for it, as written, when none of the dictionary's senses
    /// occurs there and one could be found.
    pub here: Option<String>,
}

/// How well a "here" pairing must score to be shown (place, spelling and class together; see
/// [`here_score`]).
const HERE_FLOOR: f64 = 1.0;

/// Spanish verbs that mostly serve others.
const AUXILIARIES: &[&str] = &["haber", "ser"];

/// The in-context choice for each of `words`, the Spanish words of one alignment group, given
/// the English words of the group's translation, in order.
pub fn choose_senses<W: Borrow<WordGloss>, E: Borrow<EnglishWord>>(
    words: &[W],
    english: &[E],
) -> Vec<InContext> {
    let words: Vec<&WordGloss> = words.iter().map(Borrow::borrow).collect();
    let english: Vec<&EnglishWord> = english.iter().map(Borrow::borrow).collect();
    let (n, m) = (words.len(), english.len());
    let mut chosen = vec![InContext::default(); n];
    if n == 0 || m == 0 {
        return chosen;
    }
    let relative = |i: usize, len: usize| (i as f64 + 0.5) / len as f64;
    let mut claimed = vec![false; m];
    let content: Vec<bool> = english.iter().map(|w| w.is_content()).collect();
    let forms = Forms::new(&english);
    // Where each word's senses occur: (sense, English position), word i's at
    // `occurrences[starts[i]..starts[i + 1]]`.
    // A word of the same family (`develop` for `development`) counts when no sense occurs.
    let mut occurrences: Vec<(usize, usize)> = Vec::new();
    let mut starts = Vec::with_capacity(n + 1);
    let mut parts = Vec::new();
    for word in &words {
        let start = occurrences.len();
        starts.push(start);
        for (k, sense) in word.glosses.iter().enumerate() {
            forms.occurrences(&lowercase(sense), &mut parts, |j| occurrences.push((k, j)));
        }
        if occurrences.len() > start || !word.part_of_speech.is_content() {
            continue;
        }
        for (k, sense) in word.glosses.iter().enumerate() {
            let sense = lowercase(sense);
            for (j, w) in english.iter().enumerate() {
                if content[j] && w.is_akin(&sense) {
                    occurrences.push((k, j));
                }
            }
        }
    }
    starts.push(occurrences.len());
    let occurrences_of = |i: usize| &occurrences[starts[i]..starts[i + 1]];
    // Names place their neighbours as well as content words do.
    let anchoring = |word: &WordGloss| {
        word.part_of_speech.is_content() || word.part_of_speech == PartOfSpeech::ProperNoun
    };
    // Content words first, the ones with fewest choices first, so that the surest claim first.
    let mut order: Vec<usize> = (0..n).filter(|&i| !occurrences_of(i).is_empty()).collect();
    order.sort_by_key(|&i| (!anchoring(words[i]), occurrences_of(i).len(), i));
    let mut anchors: Vec<(usize, usize)> = Vec::new();
    for i in order {
        let content = anchoring(words[i]);
        let best = occurrences_of(i)
            .iter()
            .min_by(|a, b| {
                let key = |&(k, j): &(usize, usize)| {
                    let taken = content && claimed[j];
                    let distance = (relative(j, m) - relative(i, n)).abs();
                    (taken, distance, k)
                };
                let (ka, kb) = (key(a), key(b));
                ka.0.cmp(&kb.0)
                    .then(ka.1.total_cmp(&kb.1))
                    .then(ka.2.cmp(&kb.2))
            })
            .copied();
        if let Some((k, j)) = best {
            chosen[i].first = k;
            // A word of the sense's family, not the sense: the translation's word is shown.
            if !english[j].is(&lowercase(&words[i].glosses[k])) {
                chosen[i].here = Some(english[j].lower.to_string());
            }
            if content && !claimed[j] {
                claimed[j] = true;
                anchors.push((i, j));
            }
        }
    }
    // Places count only the words that may be placed, names and content words: articles and
    // prepositions come and go between the languages (`la entrega de armamento`, `supplying
    // weapons`).
    let rank = |placeable: Vec<bool>| -> (Vec<usize>, usize) {
        let mut next = 0;
        let ranks = placeable
            .into_iter()
            .map(|p| {
                next += usize::from(p);
                next.saturating_sub(1)
            })
            .collect();
        (ranks, next)
    };
    let (ci, placeable_words) = rank(words.iter().map(|w| anchoring(w)).collect());
    let (cj, placeable_english) = rank(
        english
            .iter()
            .enumerate()
            .map(|(j, w)| content[j] || w.is_name())
            .collect(),
    );
    let mut anchors: Vec<(usize, usize)> = anchors.iter().map(|&(i, j)| (ci[i], cj[j])).collect();
    anchors.sort_unstable();

    // Spellings as cognates share them, each English word's made once.
    let mut spellings = Spellings::new(m);
    let mut spanish = Vec::new();
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, word) in words.iter().enumerate() {
        // The auxiliaries (`ha dicho`, `es elegido`) have no word of their own in English.
        if !word.part_of_speech.is_content()
            || !occurrences_of(i).is_empty()
            || AUXILIARIES.contains(&&*word.lemma)
        {
            continue;
        }
        spanish.clear();
        remembered_normalise(&word.lemma, true, |letters| {
            spanish.extend_from_slice(letters)
        });
        let predicted = predicted_places(
            ci[i],
            placeable_words.max(1),
            placeable_english.max(1),
            &anchors,
        );
        for (j, token) in english.iter().enumerate() {
            // Capitalised words next to each other are a name (`the Contact Group`).
            let in_name = token.capitalised
                && [j.wrapping_sub(1), j + 1]
                    .iter()
                    .any(|&k| english.get(k).is_some_and(|w| w.capitalised));
            if claimed[j] || !content[j] || token.is_name() || in_name {
                continue;
            }
            let spelling = spellings.of(j, token);
            let score = here_score(word, token, (&spanish, spelling), cj[j], &predicted);
            if score >= HERE_FLOOR {
                pairs.push((score, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut placed = vec![false; n];
    for (_, i, j) in pairs {
        if placed[i] || claimed[j] {
            continue;
        }
        placed[i] = true;
        claimed[j] = true;
        chosen[i].here = Some(english[j].lower.to_string());
    }
    chosen
}

/// `text` lower-cased, borrowed when it has no capital (a dictionary's sense mostly has none).
pub(super) fn lowercase(text: &str) -> Cow<'_, str> {
    if text
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.to_lowercase())
    }
}

/// The English words of a group as senses are looked up in them: what each word is
/// ([`EnglishWord::is`]: as written, its lemmas, the words of a unit of several) as numbers, so
/// that a sense is looked up once and then compared as a number.
struct Forms<'a> {
    numbers: FxHashMap<&'a str, u32>,
    /// Word j's forms: `forms[starts[j]..starts[j + 1]]`.
    forms: Vec<u32>,
    starts: Vec<usize>,
}

impl<'a> Forms<'a> {
    fn new(english: &[&'a EnglishWord]) -> Forms<'a> {
        let mut numbers =
            FxHashMap::with_capacity_and_hasher(3 * english.len(), Default::default());
        let mut forms = Vec::with_capacity(3 * english.len());
        let mut starts = Vec::with_capacity(english.len() + 1);
        for word in english {
            starts.push(forms.len());
            let several = word.lower.contains(' ');
            let written = std::iter::once(&*word.lower);
            let parts = several.then(|| word.lower.split(' ')).into_iter().flatten();
            let lemmas = word.lemmas.iter().map(String::as_str);
            for form in written.chain(lemmas).chain(parts) {
                let next = numbers.len() as u32;
                forms.push(*numbers.entry(form).or_insert(next));
            }
        }
        starts.push(forms.len());
        Forms {
            numbers,
            forms,
            starts,
        }
    }

    /// Word `j` is `form` ([`EnglishWord::is`]).
    fn is(&self, j: usize, form: u32) -> bool {
        self.forms[self.starts[j]..self.starts[j + 1]].contains(&form)
    }

    /// Calls `found` with each English position where `sense` (lower-cased) starts, in order:
    /// a word that is it, or, for a sense of several words, words that are its words in a row.
    /// `parts`: room for the words' numbers.
    fn occurrences(&self, sense: &str, parts: &mut Vec<u32>, mut found: impl FnMut(usize)) {
        let m = self.starts.len() - 1;
        let whole = self.numbers.get(sense).copied();
        parts.clear();
        let mut words = sense.split_whitespace();
        // A sense of one word occurs only as a whole; a word the group does not have never.
        let in_a_row = words.clone().nth(1).is_some()
            && words.all(|part| {
                self.numbers
                    .get(part)
                    .map(|&number| parts.push(number))
                    .is_some()
            });
        if whole.is_none() && !in_a_row {
            return;
        }
        for j in 0..m {
            let at = whole.is_some_and(|form| self.is(j, form))
                || (in_a_row
                    && j + parts.len() <= m
                    && parts
                        .iter()
                        .enumerate()
                        .all(|(t, &form)| self.is(j + t, form)));
            if at {
                found(j);
            }
        }
    }
}

/// The English words' spellings as [`here_score`] compares them (each of the word's lemmas and
/// the word itself when it is not one of them, [`normalise`]d; [`here_score`] takes the best of
/// them, so a spelling twice would change nothing), made the first time they are asked for.
struct Spellings {
    letters: Vec<char>,
    /// Each spelling's range in `letters`.
    spellings: Vec<Range<usize>>,
    /// Each word's range in `spellings`, once made.
    words: Vec<Option<Range<usize>>>,
}

impl Spellings {
    fn new(m: usize) -> Spellings {
        Spellings {
            letters: Vec::new(),
            spellings: Vec::new(),
            words: vec![None; m],
        }
    }

    /// The spellings of word `j`, `token`.
    fn of(&mut self, j: usize, token: &EnglishWord) -> SpellingList<'_> {
        let range = match &self.words[j] {
            Some(range) => range.clone(),
            None => {
                let first = self.spellings.len();
                let lower = &*token.lower;
                let written = (!token.lemmas.iter().any(|l| l == lower)).then_some(lower);
                for form in token.lemmas.iter().map(String::as_str).chain(written) {
                    let start = self.letters.len();
                    remembered_normalise(form, false, |letters| {
                        self.letters.extend_from_slice(letters);
                    });
                    self.spellings.push(start..self.letters.len());
                }
                let range = first..self.spellings.len();
                self.words[j] = Some(range.clone());
                range
            }
        };
        SpellingList {
            letters: &self.letters,
            spellings: &self.spellings[range],
        }
    }
}

/// One English word's spellings, from [`Spellings::of`].
#[derive(Clone, Copy)]
struct SpellingList<'a> {
    letters: &'a [char],
    spellings: &'a [Range<usize>],
}

impl<'a> SpellingList<'a> {
    fn iter(self) -> impl Iterator<Item = &'a [char]> {
        self.spellings.iter().map(move |r| &self.letters[r.clone()])
    }
}

/// Where the `i`-th of `n` Spanish words is expected among `m` English words, each place with
/// its weight: next to the English words of its nearest placed neighbours on either side
/// (shifted by how far they are), or on the other side of them, as English puts an adjective
/// before its noun (`llamada telefónica`, `phone call`); else at the same relative place.
fn predicted_places(i: usize, n: usize, m: usize, anchors: &[(usize, usize)]) -> Vec<(f64, f64)> {
    let mut places = Vec::new();
    // Only a close neighbour is crossed: a noun and its adjective, not a clause.
    let crossed = |d: usize| if d <= 2 { 0.7 } else { 0.0 };
    if let Some(&(il, jl)) = anchors.iter().rev().find(|(a, _)| *a < i) {
        let d = i - il;
        places.push((jl as f64 + d as f64, 1.0));
        places.push((jl as f64 - d as f64, crossed(d)));
    }
    if let Some(&(ir, jr)) = anchors.iter().find(|(a, _)| *a > i) {
        let d = ir - i;
        places.push((jr as f64 - d as f64, 1.0));
        places.push((jr as f64 + d as f64, crossed(d)));
    }
    if places.is_empty() {
        places.push(((i as f64 + 0.5) * m as f64 / n as f64 - 0.5, 1.0));
    }
    places
}

/// Place (up to 1), spelling (up to 1.5) and class (up to 0.5) of a Spanish word and an English
/// one at position `j`. `spellings`: the Spanish lemma's and the English word's forms (its
/// lemmas and itself), [`normalise`]d.
fn here_score(
    word: &WordGloss,
    token: &EnglishWord,
    (spanish, english): (&[char], SpellingList<'_>),
    j: usize,
    predicted: &[(f64, f64)],
) -> f64 {
    // A place of no weight adds nothing to the best (the fold starts at 0): its `exp` is skipped.
    let place = predicted
        .iter()
        .filter(|(_, weight)| *weight > 0.0)
        .map(|(p, weight)| weight * (-(j as f64 - p).abs() / 2.5).exp())
        .fold(0.0, f64::max);
    let spelling = english
        .iter()
        .map(|english| similarity(spanish, english))
        .fold(0.0, f64::max);
    // Below a half, shared letters are chance (`arma`, `partnerships`).
    let spelling = if spelling >= 0.5 { spelling } else { 0.0 };
    let has = |class: &str| token.classes.iter().any(|c| c == class);
    let class = match word.part_of_speech {
        PartOfSpeech::Noun if has("n") => 1.0,
        PartOfSpeech::Verb if has("vblex") => 1.0,
        PartOfSpeech::Adjective if has("adj") => 1.0,
        // `sector energético`: energy sector.
        PartOfSpeech::Adjective if has("n") => 0.5,
        PartOfSpeech::Adverb if has("adv") => 1.0,
        _ => 0.0,
    };
    // Far from where the word is expected, only its spelling can tell.
    if place < 0.3 && spelling == 0.0 {
        return 0.0;
    }
    place + 1.5 * spelling + 0.5 * class
}

/// How many words [`remembered_normalise`] keeps, of each language.
const REMEMBERED_SPELLINGS: usize = 1 << 14;

/// Calls `found` with `word` [`normalise`]d, remembered for the process (a bounded [`Memo`] per
/// language, shared by the build's threads): the same English words and Spanish lemmas come back
/// group after group and article after article.
///
/// [`Memo`]: crate::apertium::Memo
fn remembered_normalise(word: &str, spanish: bool, found: impl FnOnce(&[char])) {
    // Shared, so that a thread copying an answer to its own front copies no letters.
    type Known = crate::apertium::Memo<std::sync::Arc<[char]>>;
    static KNOWN: OnceLock<[Known; 2]> = OnceLock::new();
    let known = &KNOWN.get_or_init(|| {
        [
            Known::new(REMEMBERED_SPELLINGS),
            Known::new(REMEMBERED_SPELLINGS),
        ]
    })[usize::from(spanish)];
    // `found` comes back when nothing is kept for the word.
    let Some(found) = known.with(word, |kept| match kept {
        Some(letters) => {
            found(letters);
            None
        }
        None => Some(found),
    }) else {
        return;
    };
    let mut letters = Vec::new();
    normalise(word, spanish, &mut letters);
    found(&letters);
    known.insert(word, letters.into());
}

/// A word's letters as cognates share them, into `out`: no accents, no doubled letters, `ph`
/// `th` `y` `k` as Spanish writes them, and a Spanish infinitive's or a gendered word's ending
/// off.
fn normalise(word: &str, spanish: bool, out: &mut Vec<char>) {
    out.clear();
    out.extend(
        lowercase(word)
            .chars()
            .map(|c| match c {
                'á' | 'à' | 'ä' => 'a',
                'é' | 'è' | 'ë' => 'e',
                'í' | 'ì' | 'ï' => 'i',
                'ó' | 'ò' | 'ö' => 'o',
                'ú' | 'ù' | 'ü' => 'u',
                'ñ' => 'n',
                'y' => 'i',
                'k' => 'c',
                c => c,
            })
            .filter(|c| c.is_alphabetic()),
    );
    if !spanish {
        replace(out, &['p', 'h'], &['f']);
        replace(out, &['t', 'h'], &['t']);
        replace(out, &['t', 'i', 'o', 'n'], &['c', 'i', 'o', 'n']);
    }
    out.dedup();
    if spanish {
        const ENDINGS: [&[char]; 6] = [
            &['a', 'r'],
            &['e', 'r'],
            &['i', 'r'],
            &['o'],
            &['a'],
            &['e'],
        ];
        if let Some(ending) = ENDINGS
            .iter()
            .find(|ending| out.ends_with(ending) && out.len() - ending.len() >= 3)
        {
            out.truncate(out.len() - ending.len());
        }
    }
}

/// Replaces each `from` in `text` by `to` (no longer than `from`), left to right, as
/// [`str::replace`] does.
pub(super) fn replace(text: &mut Vec<char>, from: &[char], to: &[char]) {
    let (mut read, mut write) = (0, 0);
    while read < text.len() {
        if text[read..].starts_with(from) {
            text[write..write + to.len()].copy_from_slice(to);
            write += to.len();
            read += from.len();
        } else {
            text[write] = text[read];
            write += 1;
            read += 1;
        }
    }
    text.truncate(write);
}

/// How alike two normalised words are, 0 to 1: a long shared beginning (`energ-etic`,
/// `energ-i`) or the Dice coefficient of their letter pairs, whichever is higher.
fn similarity(a: &[char], b: &[char]) -> f64 {
    if a.len() < 2 || b.len() < 2 {
        return if a == b && !a.is_empty() { 1.0 } else { 0.0 };
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let shorter = a.len().min(b.len());
    let by_prefix = if prefix >= 4 {
        prefix as f64 / shorter as f64
    } else {
        0.0
    };
    // Short words share letter pairs by chance (`comenzar`, `come`).
    if a.len() < 5 || b.len() < 5 {
        return by_prefix;
    }
    // Each of `b`'s letter pairs matches at most one of `a`'s.
    let total = (a.len() - 1) + (b.len() - 1);
    let mut room = [false; 64];
    let mut more = Vec::new();
    let taken: &mut [bool] = if b.len() - 1 <= room.len() {
        &mut room[..b.len() - 1]
    } else {
        more.resize(b.len() - 1, false);
        &mut more
    };
    let mut shared = 0;
    for pair in a.windows(2) {
        let free = b
            .windows(2)
            .zip(taken.iter_mut())
            .find(|(other, taken)| !**taken && *other == pair);
        if let Some((_, taken)) = free {
            *taken = true;
            shared += 1;
        }
    }
    let dice = 2.0 * shared as f64 / total as f64;
    by_prefix.max(dice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gloss::english::plain_words;
    use crate::gloss::tests::word;

    fn english(text: &str, nouns: &[&str]) -> Vec<EnglishWord> {
        let mut words = plain_words(text);
        for w in &mut words {
            w.classes = if nouns.contains(&&*w.lower) {
                ["n".to_string()].into()
            } else if ["the", "of", "a", "for", "to", "in", "and"].contains(&&*w.lower) {
                ["det".to_string()].into()
            } else {
                ["vblex".to_string(), "adj".to_string()].into()
            };
        }
        words
    }

    #[test]
    fn the_sense_the_translation_uses_comes_first() {
        let words = [
            word(0..0, "Japón", PartOfSpeech::ProperNoun, &["Japan"]),
            word(0..0, "apoyar", PartOfSpeech::Verb, &["lean", "support"]),
            word(0..0, "esfuerzo", PartOfSpeech::Noun, &["effort"]),
        ];
        let chosen = choose_senses(
            &words,
            &english("Japan supported the efforts", &["efforts"]),
        );
        assert_eq!(chosen[1].first, 1);
        assert_eq!(chosen[1].here, None);
        assert_eq!(chosen[2].first, 0);
    }

    #[test]
    fn a_word_none_of_whose_senses_occurs_gets_the_translation_s_word() {
        let words = [
            word(0..0, "producción", PartOfSpeech::Noun, &["production"]),
            word(0..0, "de", PartOfSpeech::Preposition, &["of"]),
            word(0..0, "arma", PartOfSpeech::Noun, &["arm"]),
            word(0..0, "moderno", PartOfSpeech::Adjective, &["modern"]),
        ];
        let text = "the production of modern weapons";
        let chosen = choose_senses(&words, &english(text, &["production", "weapons"]));
        assert_eq!(chosen[2].here.as_deref(), Some("weapons"));
        assert_eq!(chosen[3].here, None);
    }

    #[test]
    fn cognates_are_found_by_their_spelling() {
        let alike = |es: &str, en: &str| {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            normalise(es, true, &mut a);
            normalise(en, false, &mut b);
            similarity(&a, &b)
        };
        assert!(alike("agresión", "aggression") > 0.9);
        assert!(alike("energético", "energy") > 0.7);
        assert!(alike("conjunto", "joint") < 0.4);
        // Letter pairs as multisets: `ba an na an` of 6 + 5 pairs are shared, each once.
        let chars = |w: &str| w.chars().collect::<Vec<_>>();
        assert_eq!(similarity(&chars("xbanana"), &chars("ybanan")), 8.0 / 11.0);
    }

    #[test]
    fn spellings_are_normalised_as_cognates_share_them() {
        let spelt = |word: &str, spanish: bool| {
            let mut out = Vec::new();
            normalise(word, spanish, &mut out);
            out.into_iter().collect::<String>()
        };
        assert_eq!(spelt("Philosophy", false), "filosofi");
        assert_eq!(spelt("aggression", false), "agresion");
        assert_eq!(spelt("agresión", true), "agresion");
        // Replaced one after the other, as `str::replace` would: `th` makes a `tion`.
        assert_eq!(spelt("xthion", false), "xcion");
        assert_eq!(spelt("phph-thth", false), "ft");
        assert_eq!(spelt("conjunta", true), "conjunt");
        assert_eq!(spelt("apoyar", true), "apoi");
        assert_eq!(spelt("ser", true), "ser");
        assert_eq!(spelt("Ñandú", true), "nandu");
    }

    proptest::proptest! {
        /// The remembered spellings are [`normalise`]'s, for words met again in either language.
        #[test]
        fn remembered_spellings_are_normalise_s(
            words in proptest::collection::vec(("(Philo|ción|th|ph|ar|[aeyñkt]{0,6})+", proptest::bool::ANY), 1..12),
        ) {
            for (word, spanish) in words.iter().chain(&words) {
                let mut expected = Vec::new();
                normalise(word, *spanish, &mut expected);
                let mut remembered = Vec::new();
                remembered_normalise(word, *spanish, |letters| remembered.extend_from_slice(letters));
                proptest::prop_assert_eq!(remembered, expected, "{} {}", word, spanish);
            }
        }
    }

    fn english_word(lower: &str, lemmas: &[&str]) -> EnglishWord {
        EnglishWord {
            range: 0..0,
            lower: lower.into(),
            lemmas: lemmas.iter().map(|l| l.to_string()).collect(),
            classes: ["n".to_string()].into(),
            capitalised: false,
        }
    }

    proptest::proptest! {
        /// A sense occurs where [`EnglishWord::is`] says a word is it, or where its words follow
        /// each other.
        #[test]
        fn senses_occur_where_the_words_are_them(
            words in proptest::collection::vec(
                ("(a|b|ab|a b|b a|)", proptest::collection::vec("(a|b|c|a b)", 0..3)),
                1..7,
            ),
            sense in "(a|b|c|ab|a b|b a|a  b|a b c|b b)",
        ) {
            let english: Vec<EnglishWord> = words
                .iter()
                .map(|(lower, lemmas)| {
                    english_word(lower, &lemmas.iter().map(String::as_str).collect::<Vec<_>>())
                })
                .collect();
            let english: Vec<&EnglishWord> = english.iter().collect();
            let parts: Vec<&str> = sense.split_whitespace().collect();
            let expected: Vec<usize> = (0..english.len())
                .filter(|&j| {
                    english[j].is(&sense)
                        || (parts.len() > 1
                            && english.get(j..j + parts.len()).is_some_and(|run| {
                                run.iter().zip(&parts).all(|(word, part)| word.is(part))
                            }))
                })
                .collect();
            let mut found = Vec::new();
            Forms::new(&english).occurrences(&sense, &mut Vec::new(), |j| found.push(j));
            proptest::prop_assert_eq!(found, expected);
        }

        /// [`EnglishWord::is_akin`]'s quick test rules out no word that is akin by its
        /// definition (a shared start of five letters or more that is the whole of the shorter,
        /// or both of five letters or more and one ending the other).
        #[test]
        fn the_quick_test_keeps_every_akin_word(
            lower in "[aeé]{0,7}",
            lemmas in proptest::collection::vec("[aeé]{0,7}", 0..3),
            sense in "[aeé]{0,7}",
        ) {
            let word = english_word(&lower, &lemmas.iter().map(String::as_str).collect::<Vec<_>>());
            let akin = word.lemmas.iter().map(String::as_str).chain([&*word.lower]).any(|lemma| {
                let shared =
                    lemma.chars().zip(sense.chars()).take_while(|(a, b)| a == b).count();
                let shorter = lemma.chars().count().min(sense.chars().count());
                let ends_alike = lemma.chars().count() >= 5
                    && sense.chars().count() >= 5
                    && (lemma.ends_with(sense.as_str()) || sense.ends_with(lemma));
                (shared >= 5 && shared == shorter) || ends_alike
            });
            proptest::prop_assert_eq!(word.is_akin(&sense), akin);
        }
    }
}
