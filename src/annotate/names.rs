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
    sentence_start: bool,
    gloss: Option<&'a WordGloss>,
}

/// The words of `text` (letters and digits, with inner hyphens and apostrophes), each with its
/// sentence (of `sentences`) and the analysed word that covers it.
fn words<'a>(text: &'a str, sentences: &[Range<usize>], glosses: &'a [WordGloss]) -> Vec<Word<'a>> {
    // Analysed words one after the other, as the analyser gives them: the one that covers a
    // word is found by halving.
    let in_order = glosses.iter().all(|g| g.range.start <= g.range.end)
        && glosses
            .windows(2)
            .all(|pair| pair[0].range.end <= pair[1].range.start);
    let mut words = Vec::new();
    let mut start = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let inner = matches!(c, '-' | '\'' | '’')
            && start.is_some()
            && chars.peek().is_some_and(|(_, next)| next.is_alphanumeric());
        if c.is_alphanumeric() || inner {
            start.get_or_insert(at);
            if chars.peek().is_some() {
                continue;
            }
        }
        let Some(from) = start.take() else {
            continue;
        };
        let to = if c.is_alphanumeric() || inner {
            at + c.len_utf8()
        } else {
            at
        };
        // The sentences are in order and cover the text; the analysed words are in order.
        let sentence = Some(sentences.partition_point(|s| s.end <= from))
            .filter(|&s| sentences.get(s).is_some_and(|s| s.contains(&from)))
            .unwrap_or(0);
        let sentence_start = words
            .last()
            .is_none_or(|w: &Word<'_>| w.sentence != sentence);
        words.push(Word {
            range: from..to,
            text: &text[from..to],
            sentence,
            sentence_start,
            gloss: if in_order {
                glosses
                    .get(glosses.partition_point(|g| g.range.end <= from))
                    .filter(|g| g.range.start <= from && to <= g.range.end)
            } else {
                glosses
                    .iter()
                    .find(|g| g.range.start <= from && to <= g.range.end)
            },
        });
    }
    words
}

fn is_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// Whether `word` may be (part of) a name.
fn is_name_word(word: &Word<'_>) -> bool {
    if !is_capitalised(word.text) || word.text.chars().all(|c| c.is_numeric()) {
        return false;
    }
    match word.gloss {
        Some(gloss) => gloss.name_kind().is_some(),
        // Unknown to the analysis, or a word of a name of several words (which it leaves out).
        None => !word.sentence_start || word.text.chars().count() > 1,
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
    let english_words = words_of(english);
    let spanish_sentences = words.last().map_or(0, |w| w.sentence + 1);
    let mut names = Vec::new();
    let mut candidates: Vec<(Range<usize>, Vec<Candidate<'_>>)> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if !is_name_word(&words[i]) {
            i += 1;
            continue;
        }
        // The run: name words, side by side; an organisation's joined by `de`, `la` …
        let joins = ORGANISATION_HEADS.contains(&words[i].text.to_lowercase().as_str());
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
                && is_name_word(&words[next])
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
        while first < end && LEADING.contains(&words[first].text.to_lowercase().as_str()) {
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
        // Names of one sentence share its candidates, each folded once.
        let known = candidates
            .iter()
            .position(|(within, _)| *within == sentence);
        let at = known.unwrap_or_else(|| {
            let runs = english_runs(english, &english_words, &sentence);
            candidates.push((sentence, runs.into_iter().map(|c| (c, fold(c))).collect()));
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
    let first = run[0].text.to_lowercase();
    if run.len() > 1 && ORGANISATION_HEADS.contains(&first.as_str()) {
        return Some(NameKind::Organisation);
    }
    let tagged: Vec<NameKind> = run
        .iter()
        .filter_map(|w| w.gloss.and_then(WordGloss::name_kind))
        .collect();
    for kind in [NameKind::Person, NameKind::Organisation, NameKind::Place] {
        if tagged.contains(&kind) {
            return Some(kind);
        }
    }
    let titled = before
        .iter()
        .rev()
        .take(3)
        .filter(|w| w.sentence == run[0].sentence)
        .any(|w| TITLES.contains(&w.text.to_lowercase().as_str()));
    let letters: Vec<char> = run[0].text.chars().collect();
    if run.len() == 1 && letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase()) {
        Some(NameKind::Organisation)
    } else if titled || run.iter().filter(|w| is_capitalised(w.text)).count() >= 2 {
        Some(NameKind::Person)
    } else {
        None
    }
}

/// The words of an English text, by range.
fn words_of(text: &str) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices().chain([(text.len(), ' ')]) {
        if c.is_alphanumeric() || (matches!(c, '-' | '\'') && start.is_some()) {
            start.get_or_insert(at);
        } else if let Some(from) = start.take() {
            words.push(from..at);
        }
    }
    words
}

/// The runs of capitalised words inside `within`, and every run of fewer words inside each.
fn english_runs<'a>(text: &'a str, words: &[Range<usize>], within: &Range<usize>) -> Vec<&'a str> {
    let mut runs = Vec::new();
    let inside: Vec<&Range<usize>> = words
        .iter()
        .filter(|w| within.start <= w.start && w.end <= within.end)
        .collect();
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

/// An English spelling a name may have, with its [`fold`].
type Candidate<'a> = (&'a str, String);

/// The English spelling of `source` among `candidates` (each with its [`fold`]): the
/// dictionary's `gloss` when the text has it, else the most alike spelling that starts with the
/// same letter (Kiev ↔ Kyiv, Zelenski ↔ Zelensky), if any is alike enough.
fn english_match(
    source: &str,
    gloss: Option<&str>,
    candidates: &[(&str, String)],
) -> Option<String> {
    if let Some(gloss) = gloss {
        let folded = fold(gloss);
        if candidates.iter().any(|(_, c)| *c == folded) {
            return Some(gloss.to_string());
        }
    }
    let folded = fold(source);
    let words = folded.split(' ').count();
    candidates
        .iter()
        .filter(|(c, _)| c.split(' ').count() == words)
        .map(|(c, folded_c)| (likeness(&folded, folded_c), *c))
        .filter(|(score, _)| *score >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_string())
}

/// `text` lower-cased, without accents: what two spellings of one name are compared by.
pub fn fold(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}

/// How alike two spellings are, from 0 to 1: 1 less their edit distance over the longer's
/// length; 0 unless both start with the same letter.
fn likeness(a: &str, b: &str) -> f64 {
    // Most candidates start with another letter: ruled out before their letters are listed.
    if a.chars().next() != b.chars().next() || a.is_empty() {
        return 0.0;
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
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
    }
}
