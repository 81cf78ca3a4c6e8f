//! An article's vocabulary list: a study list, not a concordance. Its content words' lemmas,
//! less the function words and the transparent cognates, each with one example: a short window
//! of its sentence around the word, and the aligned English sentence. The Anki CSV is made from
//! the same list.

use std::borrow::{Borrow, Cow};
use std::collections::hash_map::Entry;
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::OnceLock;

use rustc_hash::{FxHashMap, FxHashSet};

use super::senses::{lowercase, replace};
use super::{PartOfSpeech, WordGloss};

/// How many words the example window keeps on each side of the word.
pub const WINDOW_WORDS: usize = 5;

/// Lemmas that are content words by class but grammar in use: auxiliaries, copulas, negation
/// and the commonest adverbs of degree and time. A learner meets them in every sentence.
const FUNCTION_LEMMAS: &[&str] = &[
    "haber", "ser", "estar", "no", "sí", "más", "menos", "muy", "también", "tampoco", "ya", "así",
    "tan", "tanto", "como", "donde", "cuando", "aún", "todavía", "sólo", "solo", "luego",
];

/// A lemma of an article's vocabulary list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VocabularyEntry {
    pub lemma: String,
    pub part_of_speech: PartOfSpeech,
    /// The glosses of the example occurrence.
    pub glosses: Vec<String>,
    /// The example: a window of the sentence around the word (at most [`WINDOW_WORDS`] words
    /// each side, `…` where it was cut), without surrounding whitespace.
    pub sentence: String,
    /// The byte range of the word in `sentence`, for highlighting.
    pub word: Range<usize>,
    /// The English sentence(s) aligned with the example's sentence; empty when unknown.
    pub english: String,
    /// Where the example is: its paragraph (from 0) and its index in that paragraph's words.
    pub paragraph: usize,
    pub position: usize,
    /// How often the lemma occurs in the article.
    pub occurrences: usize,
}

/// One original paragraph as the vocabulary sees it: its text, its analysed words and its
/// sentences, each with the English it is aligned with.
pub struct VocabularyParagraph<'a, W = WordGloss> {
    pub text: &'a str,
    pub words: &'a [W],
    pub sentences: Vec<(Range<usize>, String)>,
}

/// The distinct lemmas of the content words of an article's paragraphs, without function
/// words ([`is_function_word`]) and transparent cognates ([`is_transparent_cognate`]), in order
/// of first appearance. A lemma with two classes has an entry for each. Each example is the
/// occurrence whose sentence has served the fewest entries before it, so that examples spread
/// over the article instead of repeating its lead.
pub fn vocabulary<'a>(
    paragraphs: impl IntoIterator<Item = (&'a str, &'a [WordGloss])>,
) -> Vec<VocabularyEntry> {
    let paragraphs: Vec<VocabularyParagraph<'a>> = paragraphs
        .into_iter()
        .map(|(text, words)| VocabularyParagraph {
            text,
            words,
            sentences: crate::text::sentences::split(text, "es")
                .into_iter()
                .map(|range| (range, String::new()))
                .collect(),
        })
        .collect();
    study_list(&paragraphs)
}

/// [`vocabulary`] of paragraphs whose sentences and their English are known.
pub fn study_list<W: Borrow<WordGloss>>(
    paragraphs: &[VocabularyParagraph<'_, W>],
) -> Vec<VocabularyEntry> {
    // Every occurrence of each kept lemma: (paragraph, word index, sentence index).
    type Place = (usize, usize, usize);
    let mut order: Vec<(&str, PartOfSpeech)> = Vec::new();
    let mut places: FxHashMap<(&str, PartOfSpeech), Vec<Place>> = FxHashMap::default();
    // Lemmas left out as cognates, each tested once (the test compares spellings).
    let mut cognates: FxHashSet<(&str, PartOfSpeech)> = FxHashSet::default();
    for (k, paragraph) in paragraphs.iter().enumerate() {
        for (i, word) in paragraph.words.iter().enumerate() {
            let word: &WordGloss = word.borrow();
            if !word.part_of_speech.is_content() || is_function_word(&word.lemma) {
                continue;
            }
            let key = (&*word.lemma, word.part_of_speech);
            if cognates.contains(&key) {
                continue;
            }
            let sentence = paragraph
                .sentences
                .iter()
                .position(|(r, _)| r.contains(&word.range.start))
                .unwrap_or(usize::MAX);
            match places.entry(key) {
                Entry::Occupied(mut known) => known.get_mut().push((k, i, sentence)),
                Entry::Vacant(_)
                    if is_transparent_cognate_remembered(&word.lemma, &word.glosses) =>
                {
                    cognates.insert(key);
                }
                Entry::Vacant(new) => {
                    order.push(*new.key());
                    new.insert(vec![(k, i, sentence)]);
                }
            }
        }
    }
    let mut used: FxHashMap<(usize, usize), usize> = FxHashMap::default();
    // Each example sentence's English, its words single-spaced, made once.
    let mut single_spaced: FxHashMap<(usize, usize), String> = FxHashMap::default();
    order
        .into_iter()
        .map(|key| {
            let occurrences = &places[&key];
            let &(k, i, s) = occurrences
                .iter()
                .min_by_key(|(k, _, s)| used.get(&(*k, *s)).copied().unwrap_or(0))
                .expect("a lemma has an occurrence");
            *used.entry((k, s)).or_default() += 1;
            let paragraph = &paragraphs[k];
            let word: &WordGloss = paragraph.words[i].borrow();
            let (range, english) = paragraph
                .sentences
                .get(s)
                .map_or((0..paragraph.text.len(), ""), |(r, e)| {
                    (r.clone(), e.as_str())
                });
            let (sentence, at) = window(paragraph.text, range, word.range.clone());
            VocabularyEntry {
                lemma: word.lemma.to_string(),
                part_of_speech: word.part_of_speech,
                glosses: word.glosses.to_vec(),
                sentence,
                word: at,
                english: single_spaced
                    .entry((k, s))
                    .or_insert_with(|| {
                        let mut spaced = String::with_capacity(english.len());
                        push_joined(&mut spaced, english.split_whitespace());
                        spaced
                    })
                    .clone(),
                paragraph: k,
                position: i,
                occurrences: occurrences.len(),
            }
        })
        .collect()
}

/// The part of `text[sentence]` within [`WINDOW_WORDS`] words of `text[word]`, with `…` where
/// it was cut, and the word's range in it.
fn window(text: &str, sentence: Range<usize>, word: Range<usize>) -> (String, Range<usize>) {
    let sentence = sentence.start.min(word.start)..sentence.end.max(word.end).min(text.len());
    let boundaries = [sentence.start, sentence.end, word.start, word.end];
    if !boundaries.iter().all(|&i| text.is_char_boundary(i)) {
        return (text.get(sentence).unwrap_or("").trim().to_string(), 0..0);
    }
    let before = &text[sentence.start..word.start];
    let after = &text[word.end..sentence.end];
    // The words kept, and whether there are more (a word more than the window is looked at).
    let mut kept_before = [""; WINDOW_WORDS];
    let mut before_words = before.split_whitespace().rev();
    let mut first = WINDOW_WORDS;
    for (slot, word) in kept_before.iter_mut().rev().zip(&mut before_words) {
        *slot = word;
        first -= 1;
    }
    let kept_before = &kept_before[first..];
    let cut_before = before_words.next().is_some();
    let mut after_words = after.split_whitespace();
    let mut kept_after = [""; WINDOW_WORDS];
    let mut last = 0;
    for (slot, word) in kept_after.iter_mut().zip(&mut after_words) {
        *slot = word;
        last += 1;
    }
    let kept_after = &kept_after[..last];
    let cut_after = after_words.next().is_some();
    let mut out = String::with_capacity(sentence.len() + 8);
    if cut_before {
        out.push_str("… ");
    }
    push_joined(&mut out, kept_before.iter().copied());
    if !kept_before.is_empty() && before.ends_with(char::is_whitespace) {
        out.push(' ');
    }
    let at = out.len()..out.len() + (word.end - word.start);
    out.push_str(&text[word]);
    if !kept_after.is_empty() && after.starts_with(char::is_whitespace) {
        out.push(' ');
    }
    push_joined(&mut out, kept_after.iter().copied());
    if cut_after {
        out.push_str(" …");
    }
    (out, at)
}

/// Appends `words` to `out`, a space between each two.
fn push_joined<'a>(out: &mut String, words: impl Iterator<Item = &'a str>) {
    for (n, word) in words.enumerate() {
        if n > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// Whether `lemma` is grammar rather than vocabulary ([`FUNCTION_LEMMAS`]).
pub fn is_function_word(lemma: &str) -> bool {
    FUNCTION_LEMMAS.contains(&lowercase(lemma).as_ref())
}

/// Whether a reader of English would recognise `lemma` unaided: some spelling of it differs
/// from some spelling of one of its one-word glosses in at most three letters in ten
/// (`presidente` → president, `tecnología` → technology, `proteger` → protect). The spellings
/// tried: the Spanish with its regular endings turned English (`-ción` → `-tion`, `-dad` →
/// `-ty`, `-ía` → `-y`, `-ico` → `-ic`, `-oso` → `-ous`, `-mente` → `-ly`, a verb's `-ar`,
/// `-er`, `-ir` or a final vowel dropped), the English with a final `-e` or `-ate` dropped; both
/// without accents, doubled letters, and with `ph`, `th`, `k`, `y`, `z` written `f`, `t`, `c`,
/// `i`, `s`. Comparing with the glosses, not with English at large, keeps false friends
/// (`actual`: current; `disposición`: disposal) in the list.
pub fn is_transparent_cognate(lemma: &str, glosses: &[String]) -> bool {
    let stems: Vec<Vec<char>> = spanish_stems(lemma)
        .iter()
        .map(|s| spelling(s))
        .filter(|s| s.len() >= 4)
        .collect();
    let mut row = Vec::new();
    glosses.iter().filter(|g| !g.contains(' ')).any(|gloss| {
        let gloss = fold(gloss);
        let forms = [
            Some(gloss.as_str()),
            gloss.strip_suffix('e'),
            gloss.strip_suffix("ate"),
        ];
        forms.into_iter().flatten().any(|form| {
            let form = spelling(form);
            stems.iter().any(|stem| {
                let longest = stem.len().max(form.len());
                // The distance is at least the difference in length.
                10 * stem.len().abs_diff(form.len()) <= 3 * longest
                    && 10 * levenshtein(stem, &form, &mut row) <= 3 * longest
            })
        })
    })
}

/// How many lemmas (with their glosses) [`is_transparent_cognate_remembered`] keeps.
const REMEMBERED_COGNATES: usize = 1 << 14;

/// [`is_transparent_cognate`], remembered for the process (a bounded [`Memo`] shared by the
/// build's threads): a lemma comes back article after article with the same glosses, and the
/// test compares spellings.
///
/// [`Memo`]: crate::apertium::Memo
fn is_transparent_cognate_remembered(lemma: &str, glosses: &[String]) -> bool {
    static KNOWN: OnceLock<crate::apertium::Memo<bool>> = OnceLock::new();
    // The lemma and its glosses, each after a NUL.
    let mut key =
        String::with_capacity(lemma.len() + glosses.iter().map(|g| g.len() + 1).sum::<usize>());
    key.push_str(lemma);
    for gloss in glosses {
        key.push('\0');
        key.push_str(gloss);
    }
    KNOWN
        .get_or_init(|| crate::apertium::Memo::new(REMEMBERED_COGNATES))
        .get_or_make(&key, || is_transparent_cognate(lemma, glosses))
}

fn fold(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' => 'a',
            'é' | 'è' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' | 'ü' => 'u',
            c => c,
        })
        .collect()
}

/// One spelling for both languages' sounds: `ph` → `f`, `th` → `t`, `k` → `c`, `y` → `i`, `z` →
/// `s`, doubled letters single.
fn spelling(word: &str) -> Vec<char> {
    let mut out: Vec<char> = word.chars().collect();
    replace(&mut out, &['p', 'h'], &['f']);
    replace(&mut out, &['t', 'h'], &['t']);
    for c in &mut out {
        *c = match *c {
            'k' => 'c',
            'y' => 'i',
            'z' => 's',
            c => c,
        };
    }
    out.dedup();
    out
}

/// The lemma without accents, and with each regular ending that applies turned English.
fn spanish_stems(lemma: &str) -> Vec<String> {
    let word = fold(lemma);
    const ENDINGS: &[(&str, &str)] = &[
        ("cion", "tion"),
        ("dad", "ty"),
        ("tad", "ty"),
        ("ia", "y"),
        ("ico", "ic"),
        ("ica", "ic"),
        ("ivo", "ive"),
        ("iva", "ive"),
        ("oso", "ous"),
        ("osa", "ous"),
        ("mente", "ly"),
        ("ar", ""),
        ("er", ""),
        ("ir", ""),
        ("o", ""),
        ("a", ""),
        ("e", ""),
    ];
    let mut stems = vec![word.clone()];
    for (from, to) in ENDINGS {
        if let Some(stem) = word.strip_suffix(from)
            && stem.chars().count() >= 3
        {
            stems.push(format!("{stem}{to}"));
        }
    }
    stems
}

/// The edit distance of `a` and `b`; `row`: room for a row of the table.
fn levenshtein(a: &[char], b: &[char], row: &mut Vec<usize>) -> usize {
    row.clear();
    row.extend(0..=b.len());
    for (i, ca) in a.iter().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(here + 1);
            previous = here;
        }
    }
    row[b.len()]
}

/// English adjectives and nouns of nationality and language take a capital (`ukrainian` →
/// Ukrainian); Apertium's dictionary writes some of them in lower case. Borrowed when it takes
/// none.
pub fn proper_case(gloss: &str) -> Cow<'_, str> {
    if takes_a_capital(gloss) {
        let mut chars = gloss.chars();
        Cow::Owned(
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default(),
        )
    } else {
        Cow::Borrowed(gloss)
    }
}

/// Whether [`proper_case`] gives `gloss` a capital: one word, all letters, a nationality's or a
/// language's.
fn takes_a_capital(gloss: &str) -> bool {
    const PROPER: &[&str] = &[
        "english",
        "spanish",
        "french",
        "british",
        "irish",
        "scottish",
        "welsh",
        "polish",
        "turkish",
        "danish",
        "swedish",
        "finnish",
        "dutch",
        "german",
        "greek",
        "thai",
        "czech",
        "swiss",
        "american",
        "african",
        "european",
        "asian",
        "korean",
        "mexican",
        "cuban",
        "chilean",
        "peruvian",
        "catalan",
        "basque",
        "galician",
        "israeli",
        "iraqi",
        "pakistani",
        "kuwaiti",
        "saudi",
        "yemeni",
        "slovak",
        "arab",
        "arabic",
        "latin",
        "african",
    ];
    if gloss.contains(' ') || !gloss.chars().all(|c| c.is_alphabetic()) {
        return false;
    }
    let lower = lowercase(gloss);
    let lower = lower.as_ref();
    PROPER.contains(&lower)
        || ((lower.ends_with("ian") || lower.ends_with("ese"))
            && ![
                "civilian",
                "median",
                "guardian",
                "obese",
                "cheese",
                "these",
                "diocese",
                "historian",
                "librarian",
                "vegetarian",
                "comedian",
                "pedestrian",
                "custodian",
                "barbarian",
                "veterinarian",
                "utopian",
                "ruffian",
                "guardian",
                "theologian",
            ]
            .contains(&lower)
            && !lower.ends_with("cian"))
}

/// The vocabulary list as a CSV file for Anki's "Basic" note type: front the lemma, back the
/// glosses, a line break, the example window with the word in bold, and (when known) a line
/// break and the aligned English sentence in italics.
///
/// RFC 4180, written by the `csv` crate (fields quoted when they hold a comma, quote or line
/// break; CRLF line ends), UTF-8 without a byte-order mark, after two header lines that Anki
/// (2.1.55 and later) reads and older versions skip as comments: `#separator:comma`, so that Anki
/// does not guess the separator, and `#html:true`, so that the back's `<br>` and `<b>` render
/// instead of showing as text. The text is HTML-escaped accordingly. No `#notetype` or `#columns`
/// line: those name the note type and its fields, whose names differ in a translated Anki;
/// without them Anki uses the current note type (Basic in a new collection) and fills its fields
/// in column order.
pub fn anki_csv(entries: &[VocabularyEntry]) -> String {
    let header = b"#separator:comma\r\n#html:true\r\n".to_vec();
    let records = entries
        .iter()
        .map(|entry| [html_escape(&entry.lemma), anki_back(entry)]);
    // A `Vec` takes every byte, and every record has two fields: nothing can fail.
    let bytes = write_csv(header, records).expect("CSV written to memory");
    // Fields go out as the `str`s they were, with ASCII around them.
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The back of a card: the glosses, a line break, and the example sentence with the word in
/// bold, as HTML.
fn anki_back(entry: &VocabularyEntry) -> String {
    let sentence = &entry.sentence;
    let (before, word, after) = match sentence.get(entry.word.clone()) {
        Some(word) => (
            &sentence[..entry.word.start],
            word,
            &sentence[entry.word.end..],
        ),
        None => (sentence.as_str(), "", ""),
    };
    let mut back = html_escape(&entry.glosses.join("; "));
    back.push_str("<br>");
    back.push_str(&html_escape(before));
    if !word.is_empty() {
        let _ = write!(back, "<b>{}</b>", html_escape(word));
    }
    back.push_str(&html_escape(after));
    if !entry.english.is_empty() {
        let _ = write!(back, "<br><i>{}</i>", html_escape(&entry.english));
    }
    back
}

/// Appends `records` to `out` as CSV records with CRLF line ends.
fn write_csv<const N: usize>(
    out: Vec<u8>,
    records: impl IntoIterator<Item = [String; N]>,
) -> csv::Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    for record in records {
        writer.write_record(&record)?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gloss::tests::word;

    #[test]
    fn vocabulary_spreads_examples_and_counts() {
        let paragraph = "La paz llega. Nadie dijo \"paz, paz\".";
        let words = [
            word(0..2, "el", PartOfSpeech::Article, &["the"]),
            word(3..6, "paz", PartOfSpeech::Noun, &["peace"]),
            word(7..12, "llegar", PartOfSpeech::Verb, &["arrive"]),
            word(26..29, "paz", PartOfSpeech::Noun, &["peace"]),
        ];
        let second = "Ayer llegó.";
        let more = [word(5..11, "llegar", PartOfSpeech::Verb, &["arrive"])];
        let list = vocabulary([(paragraph, &words[..]), (second, &more[..])]);
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].lemma, "paz");
        assert_eq!(list[0].occurrences, 2);
        assert_eq!(list[0].sentence, "La paz llega.");
        assert_eq!(&list[0].sentence[list[0].word.clone()], "paz");
        assert_eq!(list[1].lemma, "llegar");
        assert_eq!(list[1].occurrences, 2);
        // "La paz llega." already serves paz: llegar's example is the other sentence.
        assert_eq!(list[1].sentence, "Ayer llegó.");
        assert_eq!((list[1].paragraph, list[1].position), (1, 0));
    }

    #[test]
    fn function_words_and_cognates_are_left_out() {
        let glosses = |g: &[&str]| g.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(is_function_word("haber") && is_function_word("No"));
        assert!(!is_function_word("mantener"));
        for (lemma, english) in [
            ("presidente", "president"),
            ("contacto", "contact"),
            ("tecnología", "technology"),
            ("invasión", "invasion"),
            ("colaboración", "collaboration"),
            ("explorar", "explore"),
            ("enfatizar", "emphasize"),
            ("militar", "military"),
            ("telefónico", "telephone"),
            ("colaborar", "collaborate"),
            ("proteger", "protect"),
        ] {
            assert!(
                is_transparent_cognate(lemma, &glosses(&[english])),
                "{lemma}"
            );
        }
        for (lemma, english) in [
            ("paz", "peace"),
            ("actual", "current"),
            ("abordar", "tackle"),
            ("desarrollo", "development"),
            ("disposición", "disposal"),
            ("mundo", "world"),
            ("garantizar", "guarantee"),
            ("tiempo", "time"),
        ] {
            assert!(
                !is_transparent_cognate(lemma, &glosses(&[english])),
                "{lemma}"
            );
        }
    }

    #[test]
    fn windows_cut_long_sentences_around_the_word() {
        let text = "Uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece.";
        let at = text.find("siete").unwrap();
        let (window, word) = window(text, 0..text.len(), at..at + 5);
        assert_eq!(
            window,
            "… dos tres cuatro cinco seis siete ocho nueve diez once doce …"
        );
        assert_eq!(&window[word], "siete");
        let (short, at) = window_of("Ayer llegó.", 5..11);
        assert_eq!(short, "Ayer llegó.");
        assert_eq!(&short[at], "llegó");
        // Five words each side are kept whole, a sixth is cut.
        let five = "a b c d e word f g h i j";
        let at = five.find("word").unwrap();
        assert_eq!(window_of(five, at..at + 4).0, five);
        let six = "z a b c d e word f g h i j k";
        let at = six.find("word").unwrap();
        assert_eq!(window_of(six, at..at + 4).0, "… a b c d e word f g h i j …");
        let (quoted, at) = window_of("Dijo \"paz\".", 6..9);
        assert_eq!((quoted.as_str(), at), ("Dijo \"paz\".", 6..9));
    }

    fn window_of(text: &str, word: Range<usize>) -> (String, Range<usize>) {
        window(text, 0..text.len(), word)
    }

    #[test]
    fn nationalities_take_a_capital() {
        assert_eq!(proper_case("ukrainian"), "Ukrainian");
        assert_eq!(proper_case("japanese"), "Japanese");
        assert_eq!(proper_case("russian"), "Russian");
        assert_eq!(proper_case("spanish"), "Spanish");
        assert_eq!(proper_case("historian"), "historian");
        assert_eq!(proper_case("peace"), "peace");
    }

    #[test]
    fn anki_csv_quotes_and_escapes() {
        let entry = VocabularyEntry {
            lemma: "decir".to_string(),
            part_of_speech: PartOfSpeech::Verb,
            glosses: vec!["say".to_string(), "tell".to_string()],
            sentence: "Dijo: \"sí, a <todo>\".".to_string(),
            word: 0..4,
            english: String::new(),
            paragraph: 0,
            position: 0,
            occurrences: 1,
        };
        assert_eq!(
            anki_csv(&[entry]),
            "#separator:comma\r\n#html:true\r\n\
             decir,\"say; tell<br><b>Dijo</b>: \"\"sí, a &lt;todo&gt;\"\".\"\r\n"
        );
        assert_eq!(anki_csv(&[]), "#separator:comma\r\n#html:true\r\n");
    }

    #[test]
    fn anki_csv_quotes_only_what_needs_it_and_reads_back() {
        let entry = |lemma: &str, glosses: &[&str], sentence: &str, word| VocabularyEntry {
            lemma: lemma.to_string(),
            part_of_speech: PartOfSpeech::Noun,
            glosses: glosses.iter().map(|g| g.to_string()).collect(),
            sentence: sentence.to_string(),
            word,
            english: String::new(),
            paragraph: 0,
            position: 0,
            occurrences: 1,
        };
        let entries = [
            entry("paz", &["peace"], "La paz llega.", 3..6),
            entry("a,b", &["x"], "Uno\r\ndos #3 ’y’ 'z' ; fin", 0..3),
            entry("casa", &["house", "home"], "Sin la palabra.", 40..44),
            entry("", &[], "", 0..0),
        ];
        let csv = anki_csv(&entries);
        assert_eq!(
            csv,
            "#separator:comma\r\n#html:true\r\n\
             paz,peace<br>La <b>paz</b> llega.\r\n\
             \"a,b\",\"x<br><b>Uno</b>\r\ndos #3 ’y’ 'z' ; fin\"\r\n\
             casa,house; home<br>Sin la palabra.\r\n\
             ,<br>\r\n"
        );
        // The `csv` crate's reader, skipping the header lines as comments, gets the fields back.
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .comment(Some(b'#'))
            .from_reader(csv.as_bytes());
        let fronts: Vec<String> = reader
            .records()
            .map(|record| record.unwrap()[0].to_string())
            .collect();
        assert_eq!(fronts, ["paz", "a,b", "casa", ""]);
    }

    /// RFC 4180's quoting, as the file was written by hand before the `csv` crate wrote it.
    fn quoted_field(field: &str) -> String {
        if field.contains([',', '"', '\r', '\n']) {
            format!("\"{}\"", field.replace('"', "\"\""))
        } else {
            field.to_string()
        }
    }

    proptest::proptest! {
        #[test]
        fn anki_csv_writes_the_bytes_it_always_wrote(
            lemma in "[a,\"\r\n #'<&é ]{0,6}",
            glosses in proptest::collection::vec("[a,\"\r\n ;<]{0,5}", 0..3),
            sentence in "[a,\"\r\n #'>&ñ ]{0,12}",
            start in 0usize..14,
            len in 0usize..6,
        ) {
            let entry = VocabularyEntry {
                lemma,
                part_of_speech: PartOfSpeech::Verb,
                glosses,
                sentence,
                word: start..start + len,
                english: String::new(),
                paragraph: 0,
                position: 0,
                occurrences: 1,
            };
            let expected = format!(
                "#separator:comma\r\n#html:true\r\n{},{}\r\n",
                quoted_field(&html_escape(&entry.lemma)),
                quoted_field(&anki_back(&entry)),
            );
            proptest::prop_assert_eq!(anki_csv(&[entry]), expected);
        }

        /// The remembered test answers as the test itself, for lemmas met again with the same
        /// glosses or with others.
        #[test]
        fn remembered_cognates_are_the_test_s_answers(
            words in proptest::collection::vec(
                (
                    "(presidente|contacto|paz|proteger|[aeiotnc]{3,7})",
                    proptest::collection::vec("(president|contact|peace|protect|a b|[aeiotnc]{3,7})", 0..3),
                ),
                1..12,
            ),
        ) {
            for (lemma, glosses) in words.iter().chain(&words) {
                proptest::prop_assert_eq!(
                    is_transparent_cognate_remembered(lemma, glosses),
                    is_transparent_cognate(lemma, glosses),
                    "{} {:?}", lemma, glosses
                );
            }
        }
    }
}
