//! The names one article uses (people, places, organisations), from its Spanish text and the
//! analysis of its words, each with its English spelling from the aligned sentence.
//!
//! A name is a run of capitalised words (`Volodimir Zelenski`, `Grupo de Contacto`) that the
//! analysis tags as a name or does not know; a sentence's first word counts only then, as a
//! capitalised word the analysis knows as a common word (`Gobierno` as a noun) does not. The
//! kind comes from the tags (`np.ant`/`np.cog`, `np.loc`, `np.al`, `n.acr`), else from the
//! words around it: a title before it (`el presidente ucraniano, Volodimir Zelenski`) makes a
//! person, a first word like `Ministerio` or `Banco` an organisation, capitals only (`OTAN`) an
//! organisation, and two or more unknown words a person. Others stay of no kind, for the site
//! to settle ([`crate::find::entities`]).

use std::cell::OnceCell;
use std::ops::Range;

use super::Sentences;
use crate::gloss::{Analysis, WordGloss};
use crate::model::{Article, NameKind, Named};

/// Words that may join the words of an organisation's name: `Grupo de Contacto`, `Banco de la
/// Nación`.
const CONNECTORS: [&str; 5] = ["de", "del", "la", "las", "los"];

/// Words that may open a run of capitalised words but are not part of the name: articles,
/// and abbreviated titles (which make it a person's).
const LEADING: [&str; 8] = ["el", "la", "los", "las", "sr", "sra", "dr", "dra"];

/// Words before a name that say it is a person's.
const TITLES: [&str; 48] = [
    "sr",
    "sra",
    "dr",
    "dra",
    "presidente",
    "presidenta",
    "ministro",
    "ministra",
    "canciller",
    "líder",
    "portavoz",
    "secretario",
    "secretaria",
    "rey",
    "reina",
    "papa",
    "señor",
    "señora",
    "don",
    "doña",
    "jefe",
    "jefa",
    "director",
    "directora",
    "alcalde",
    "alcaldesa",
    "candidato",
    "candidata",
    "diputado",
    "diputada",
    "senador",
    "senadora",
    "juez",
    "jueza",
    "embajador",
    "embajadora",
    "comisario",
    "comisaria",
    "gobernador",
    "gobernadora",
    "príncipe",
    "princesa",
    "primer",
    "primera",
    "mandatario",
    "mandataria",
    "dirigente",
    "enviado",
];

/// First words of organisations' names.
const ORGANISATION_HEADS: [&str; 36] = [
    "grupo",
    "ministerio",
    "consejo",
    "banco",
    "partido",
    "comisión",
    "naciones",
    "unión",
    "fondo",
    "organización",
    "gobierno",
    "tribunal",
    "agencia",
    "universidad",
    "fuerzas",
    "ejército",
    "parlamento",
    "congreso",
    "senado",
    "asamblea",
    "corte",
    "policía",
    "oficina",
    "instituto",
    "fundación",
    "compañía",
    "cámara",
    "comité",
    "alianza",
    "federación",
    "asociación",
    "departamento",
    "servicio",
    "frente",
    "movimiento",
    "coalición",
];

/// The names `article` uses, each once, from its texts (paragraphs, title and caption, in
/// [`crate::annotate::glossed_texts`]'s order) and their `analysis`.
/// `sentences`: the paragraphs' sentences of the original and of the translation, as far as
/// they are known already.
pub(crate) fn article_names(
    article: &Article,
    analysis: &Analysis,
    sentences: (&Sentences<'_>, &Sentences<'_>),
) -> Vec<Named> {
    let mut target = super::glossed_strs(&article.target);
    let mut names: Vec<Named> = Vec::new();
    for (i, text) in super::glossed_strs(&article.source).enumerate() {
        let words = analysis.words.get(i).map_or(&[][..], Vec::as_slice);
        let english = target.next().unwrap_or_default();
        let spanish_sentences = sentences.0.of_text(i, &text, "es");
        let english_sentences = sentences.1.of_text(i, &english, "en");
        names.extend(text_names(
            (&text, &spanish_sentences),
            words,
            (&english, &english_sentences),
        ));
    }
    names.sort();
    names.dedup();
    names
}

/// A word of a text: its range and what the analysis says of it.
struct Word<'a> {
    range: Range<usize>,
    text: &'a str,
    sentence: usize,
    /// Whether it may be (part of) a name: see [`name_word`].
    name: bool,
    /// The kind of name the analysis tags it with, asked of name words only (which all the
    /// words of a name are but the connectors of an organisation's, whose first word says its
    /// kind).
    tagged: Option<NameKind>,
    gloss: Option<&'a WordGloss>,
}

/// The words of `text` (letters and digits, with inner hyphens and apostrophes), each with its
/// sentence (of `sentences`) and the analysed word that covers it.
fn words<'a>(text: &'a str, sentences: &[Range<usize>], glosses: &'a [WordGloss]) -> Vec<Word<'a>> {
    // Analysed words one after the other, as the analyser gives them: the one that covers a
    // word is found by walking them along with the words.
    let in_order = glosses.iter().all(|g| g.range.start <= g.range.end)
        && glosses
            .windows(2)
            .all(|pair| pair[0].range.end <= pair[1].range.start);
    // A word and what follows it take a few bytes.
    let mut words: Vec<Word<'a>> = Vec::with_capacity(text.len() / 4);
    let (mut sentence_at, mut gloss_at) = (0, 0);
    let mut chars = text.char_indices();
    // A word: a letter or digit, then letters and digits, each hyphen or apostrophe among them
    // followed by one.
    while let Some((from, first)) = chars.find(|&(_, c)| is_letter_or_digit(c)) {
        let mut to = from + first.len_utf8();
        let mut joined = false;
        for (at, c) in chars.by_ref() {
            if is_letter_or_digit(c) {
                (to, joined) = (at + c.len_utf8(), false);
            } else if !joined && matches!(c, '-' | '\'' | '’') {
                joined = true;
            } else {
                break;
            }
        }
        // The sentences are in order and cover the text; so are the analysed words, when
        // `in_order`.
        while sentences.get(sentence_at).is_some_and(|s| s.end <= from) {
            sentence_at += 1;
        }
        let sentence = if sentences
            .get(sentence_at)
            .is_some_and(|s| s.contains(&from))
        {
            sentence_at
        } else {
            0
        };
        let gloss = if in_order {
            while glosses.get(gloss_at).is_some_and(|g| g.range.end <= from) {
                gloss_at += 1;
            }
            glosses
                .get(gloss_at)
                .filter(|g| g.range.start <= from && to <= g.range.end)
        } else {
            glosses
                .iter()
                .find(|g| g.range.start <= from && to <= g.range.end)
        };
        let sentence_start = words.last().is_none_or(|w| w.sentence != sentence);
        let (name, tagged) = name_word(&text[from..to], sentence_start, gloss);
        words.push(Word {
            range: from..to,
            text: &text[from..to],
            sentence,
            name,
            tagged,
            gloss,
        });
    }
    words
}

fn is_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// Whether `word` may be (part of) a name, and if so the kind of name its analysis tags it
/// with.
fn name_word(
    word: &str,
    sentence_start: bool,
    gloss: Option<&WordGloss>,
) -> (bool, Option<NameKind>) {
    if !is_capitalised(word) || word.chars().all(|c| c.is_numeric()) {
        return (false, None);
    }
    match gloss {
        Some(gloss) => {
            let kind = gloss.name_kind();
            (kind.is_some(), kind)
        }
        // Unknown to the analysis, or a word of a name of several words (which it leaves out).
        None => (!sentence_start || word.chars().count() > 1, None),
    }
}

/// Whether `word`, lower-cased, is one of `list` (of lower-case words, none longer than
/// [`LONGEST_LISTED`] bytes), without lower-casing it into a new string.
fn is_one_of(word: &str, list: &[&str]) -> bool {
    if word.is_ascii() {
        return list.iter().any(|item| word.eq_ignore_ascii_case(item));
    }
    let mut lower = [0; LONGEST_LISTED];
    let mut len = 0;
    // The letters' own lower case is the string's but for a final Σ, in none of the lists.
    for c in word.chars().flat_map(char::to_lowercase) {
        let Some(room) = lower.get_mut(len..len + c.len_utf8()) else {
            return false;
        };
        len += c.encode_utf8(room).len();
    }
    list.iter().any(|item| item.as_bytes() == &lower[..len])
}

/// Bytes enough for the longest word of [`LEADING`], [`TITLES`] and [`ORGANISATION_HEADS`].
const LONGEST_LISTED: usize = 16;

/// Whether `c` is a letter or digit ([`char::is_alphanumeric`]): the accented letters of
/// Latin-1, most of a Spanish text's beyond ASCII, told without Unicode's tables.
fn is_letter_or_digit(c: char) -> bool {
    match c {
        '\0'..='\x7f' => c.is_ascii_alphanumeric(),
        'À'..='ÿ' => !matches!(c, '×' | '÷'),
        _ => c.is_alphanumeric(),
    }
}

/// The names of one Spanish text, paired with the capitalised words of `english`; each text
/// with its sentences.
fn text_names(
    (text, sentences): (&str, &[Range<usize>]),
    glosses: &[WordGloss],
    (english, english_sentences): (&str, &[Range<usize>]),
) -> Vec<Named> {
    let words = words(text, sentences, glosses);
    // The English words, found when the first name is.
    let mut english_words: Option<Vec<Range<usize>>> = None;
    let spanish_sentences = words.last().map_or(0, |w| w.sentence + 1);
    let mut names = Vec::new();
    let mut candidates: Vec<(Range<usize>, Vec<Candidate<'_>>)> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if !words[i].name {
            i += 1;
            continue;
        }
        // The run: name words, side by side; an organisation's joined by `de`, `la` …
        let joins = is_one_of(words[i].text, &ORGANISATION_HEADS);
        let mut end = i + 1;
        loop {
            let mut next = end;
            while joins
                && next < words.len()
                && CONNECTORS.contains(&words[next].text)
                && adjacent(text, &words[next - 1], &words[next])
            {
                next += 1;
            }
            if next < words.len()
                && words[next].name
                && adjacent(text, &words[next - 1], &words[next])
                && words[next].sentence == words[i].sentence
            {
                end = next + 1;
            } else {
                break;
            }
        }
        // Articles and abbreviated titles before a name are not part of it (`El Sr. Rutte`).
        let mut first = i;
        while first < end && is_one_of(words[first].text, &LEADING) {
            first += 1;
        }
        if first == end {
            i = end;
            continue;
        }
        let run = &words[first..end];
        let source = &text[run[0].range.start..run[run.len() - 1].range.end];
        let kind = kind_of(run, &words[..first]);
        // English: the aligned sentence when both texts have as many, else the whole text.
        let sentence = (english_sentences.len() == spanish_sentences)
            .then(|| english_sentences.get(run[0].sentence).cloned())
            .flatten()
            .unwrap_or(0..english.len());
        // Names of one sentence share its candidates, each folded at most once.
        let known = candidates
            .iter()
            .position(|(within, _)| *within == sentence);
        let at = known.unwrap_or_else(|| {
            let english_words = english_words.get_or_insert_with(|| words_of(english));
            let runs = english_runs(english, english_words, &sentence);
            candidates.push((sentence, runs.into_iter().map(Candidate::new).collect()));
            candidates.len() - 1
        });
        let gloss = match run {
            [only] => only.gloss.and_then(|g| g.glosses.first()),
            _ => None,
        };
        names.push(Named {
            kind,
            source: source.to_string(),
            target: english_match(source, gloss.map(String::as_str), &candidates[at].1),
        });
        i = end;
    }
    names
}

/// Only spaces between two words.
fn adjacent(text: &str, before: &Word<'_>, after: &Word<'_>) -> bool {
    text[before.range.end..after.range.start]
        .chars()
        .all(|c| c == ' ')
}

/// The kind of the name `run`, with the words `before` it.
fn kind_of(run: &[Word<'_>], before: &[Word<'_>]) -> Option<NameKind> {
    if run.len() > 1 && is_one_of(run[0].text, &ORGANISATION_HEADS) {
        return Some(NameKind::Organisation);
    }
    for kind in [NameKind::Person, NameKind::Organisation, NameKind::Place] {
        if run.iter().any(|w| w.tagged == Some(kind)) {
            return Some(kind);
        }
    }
    let titled = before
        .iter()
        .rev()
        .take(3)
        .filter(|w| w.sentence == run[0].sentence)
        .any(|w| is_one_of(w.text, &TITLES));
    let letters = || run[0].text.chars();
    if run.len() == 1 && letters().count() >= 2 && letters().all(char::is_uppercase) {
        Some(NameKind::Organisation)
    } else if titled || run.iter().filter(|w| is_capitalised(w.text)).count() >= 2 {
        Some(NameKind::Person)
    } else {
        None
    }
}

/// The words of an English text, by range: a letter or digit, then letters, digits, hyphens
/// and apostrophes.
fn words_of(text: &str) -> Vec<Range<usize>> {
    let mut words = Vec::with_capacity(text.len() / 4);
    let mut chars = text.char_indices();
    while let Some((from, _)) = chars.find(|&(_, c)| is_letter_or_digit(c)) {
        let to = chars
            .find(|&(_, c)| !(is_letter_or_digit(c) || matches!(c, '-' | '\'')))
            .map_or(text.len(), |(at, _)| at);
        words.push(from..to);
    }
    words
}

/// The runs of capitalised words inside `within`, and every run of fewer words inside each.
fn english_runs<'a>(text: &'a str, words: &[Range<usize>], within: &Range<usize>) -> Vec<&'a str> {
    let mut runs = Vec::new();
    // The words are in order, so those inside `within` are side by side.
    let from = words.partition_point(|w| w.start < within.start);
    let to = words.partition_point(|w| w.end <= within.end).max(from);
    let inside = &words[from..to];
    let mut i = 0;
    while i < inside.len() {
        if !is_capitalised(&text[inside[i].clone()]) {
            i += 1;
            continue;
        }
        let mut end = i + 1;
        while end < inside.len()
            && is_capitalised(&text[inside[end].clone()])
            && text[inside[end - 1].end..inside[end].start]
                .chars()
                .all(|c| c == ' ')
        {
            end += 1;
        }
        for from in i..end {
            for to in from..end {
                runs.push(&text[inside[from].start..inside[to].end]);
            }
        }
        i = end;
    }
    runs
}

/// An English spelling a name may have, with its number of words and its [`fold`].
struct Candidate<'a> {
    text: &'a str,
    words: usize,
    /// Made when first compared: a name with a gloss seldom reads every candidate's, one
    /// without only theirs of as many words.
    folded: OnceCell<String>,
}

impl<'a> Candidate<'a> {
    fn new(text: &'a str) -> Candidate<'a> {
        Candidate {
            text,
            words: words_in(text),
            folded: OnceCell::new(),
        }
    }

    fn folded(&self) -> &str {
        self.folded.get_or_init(|| fold(self.text))
    }
}

/// The number of words of `text`, a name whose words are parted by spaces.
fn words_in(text: &str) -> usize {
    text.bytes().filter(|&b| b == b' ').count() + 1
}

/// The English spelling of `source` among `candidates`: the dictionary's `gloss` when the text
/// has it, else the most alike spelling with as many words that starts with the same letter
/// (Kiev ↔ Kyiv, Zelenski ↔ Zelensky), if any is alike enough.
fn english_match(
    source: &str,
    gloss: Option<&str>,
    candidates: &[Candidate<'_>],
) -> Option<String> {
    if let Some(gloss) = gloss {
        let folded = fold(gloss);
        if candidates.iter().any(|c| c.folded() == folded) {
            return Some(gloss.to_string());
        }
    }
    let folded = fold(source);
    let words = words_in(&folded);
    candidates
        .iter()
        .filter(|c| c.words == words)
        .map(|c| (likeness(&folded, c.folded()), c.text))
        .filter(|(score, _)| *score >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_string())
}

/// `text` lower-cased, without accents: what two spellings of one name are compared by.
pub fn fold(text: &str) -> String {
    // As `deunicode::deunicode`, without copying a text that is ASCII already.
    deunicode::deunicode_with_tofu_cow(text, "[?]").to_lowercase()
}

/// How alike two spellings are, from 0 to 1: 1 less their edit distance over the longer's
/// length; 0 unless both start with the same letter.
fn likeness(a: &str, b: &str) -> f64 {
    // Most candidates start with another letter: ruled out before their letters are listed.
    if a.chars().next() != b.chars().next() || a.is_empty() {
        return 0.0;
    }
    // Folded spellings are ASCII (deunicode's), whose letters are their bytes.
    if a.is_ascii() && b.is_ascii() {
        likeness_of(a.as_bytes(), b.as_bytes())
    } else {
        likeness_of::<char>(
            &a.chars().collect::<Vec<_>>(),
            &b.chars().collect::<Vec<_>>(),
        )
    }
}

/// [`likeness`] of two lists of letters.
fn likeness_of<T: PartialEq>(a: &[T], b: &[T]) -> f64 {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    1.0 - row[b.len()] as f64 / a.len().max(b.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gloss::PartOfSpeech;

    fn gloss(text: &str, word: &str, details: &str, english: &str) -> WordGloss {
        let start = text.find(word).unwrap();
        WordGloss {
            range: start..start + word.len(),
            lemma: word.into(),
            part_of_speech: PartOfSpeech::ProperNoun,
            details: details.into(),
            glosses: [english.to_string()].into(),
        }
    }

    fn common(text: &str, word: &str) -> WordGloss {
        WordGloss {
            part_of_speech: PartOfSpeech::Noun,
            ..gloss(text, word, "masculine singular", "x")
        }
    }

    fn names(
        es: &str,
        glosses: &[WordGloss],
        en: &str,
    ) -> Vec<(Option<NameKind>, String, Option<String>)> {
        let split = crate::text::sentences::split;
        text_names((es, &split(es, "es")), glosses, (en, &split(en, "en")))
            .into_iter()
            .map(|n| (n.kind, n.source, n.target))
            .collect()
    }

    #[test]
    fn names_are_found_with_their_kind_and_english() {
        let es =
            "El presidente ucraniano, Volodimir Zelenski, viajó a Kiev. Gobierno y OTAN callan.";
        let en = "Ukrainian President Volodymyr Zelensky travelled to Kyiv. Government and NATO are silent.";
        let glosses = [
            common(es, "El"),
            gloss(es, "Kiev", "place, masculine singular", "Kiev"),
            common(es, "Gobierno"),
            gloss(es, "OTAN", "acronym", "NATO"),
        ];
        let found = names(es, &glosses, en);
        assert_eq!(
            found,
            [
                (
                    Some(NameKind::Person),
                    "Volodimir Zelenski".to_string(),
                    Some("Volodymyr Zelensky".to_string())
                ),
                (Some(NameKind::Place), "Kiev".into(), Some("Kyiv".into())),
                (
                    Some(NameKind::Organisation),
                    "OTAN".into(),
                    Some("NATO".into())
                ),
            ]
        );
    }

    #[test]
    fn organisations_and_titles_give_kinds() {
        let es = "Según el Grupo de Contacto, el canciller Merz habló.";
        let en = "According to the Contact Group, Chancellor Merz spoke.";
        let found = names(es, &[common(es, "Según")], en);
        let es = "El Sr. Rutte habló.";
        assert_eq!(
            names(es, &[], "Mr Rutte spoke."),
            [(Some(NameKind::Person), "Rutte".into(), Some("Rutte".into()))]
        );
        assert_eq!(found[0].0, Some(NameKind::Organisation));
        assert_eq!(found[0].1, "Grupo de Contacto");
        assert_eq!(
            found[1],
            (Some(NameKind::Person), "Merz".into(), Some("Merz".into()))
        );
    }

    #[test]
    fn likeness_pairs_spellings() {
        assert!(likeness("kiev", "kyiv") >= 0.5);
        assert!(likeness("zelenski", "zelensky") > 0.8);
        assert_eq!(likeness("kiev", "moscow"), 0.0);
        assert_eq!(
            likeness("münchen", "munchen"),
            likeness("mxnchen", "munchen")
        );
    }

    #[test]
    fn listed_words_are_told_in_any_case() {
        for list in [&LEADING[..], &TITLES, &ORGANISATION_HEADS] {
            for word in list {
                assert!(word.len() <= LONGEST_LISTED && *word == word.to_lowercase());
                assert!(is_one_of(word, list) && is_one_of(&word.to_uppercase(), list));
            }
        }
        assert!(is_one_of("Comisión", &ORGANISATION_HEADS) && is_one_of("LÍDER", &TITLES));
        assert!(!is_one_of("Comision", &ORGANISATION_HEADS) && !is_one_of("Presidentes", &TITLES));
        assert!(!is_one_of(
            "Ministerio de Economía y Hacienda",
            &ORGANISATION_HEADS
        ));
    }

    #[test]
    fn letters_and_digits_are_told_as_unicode_tells_them() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_letter_or_digit(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn words_keep_inner_hyphens_and_apostrophes() {
        let text = "«Ex-ministro» d’Alema, a--b c-' 3’ x";
        let found: Vec<&str> = words(text, &crate::text::sentences::split(text, "es"), &[])
            .iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(found, ["Ex-ministro", "d’Alema", "a", "b", "c", "3", "x"]);
        assert_eq!(
            words_of("rock-'n'-roll, U.S. -x"),
            [0..13, 15..16, 17..18, 21..22]
        );
    }
}
