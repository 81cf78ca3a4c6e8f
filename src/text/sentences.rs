//! Sentence splitting: cuts a paragraph of Spanish or English prose into sentences,
//! returned as byte ranges that tile the paragraph.

use std::ops::Range;

use crate::lang;
use crate::lang::abbreviations::{AbbreviationList, Hold};

/// Byte ranges of the sentences of `text`, in order. The ranges are contiguous and cover
/// `text` exactly (whitespace after a sentence belongs to that sentence), so joining them gives back `text`.
pub fn split(text: &str, lang: &str) -> Vec<Range<usize>> {
    split_with_doubts(text, lang).sentences
}

/// Sentences, and the places where the splitter chose not to split but the other language may
/// say otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Split {
    /// As [`split`] returns them.
    pub sentences: Vec<Range<usize>>,
    /// Byte offsets inside a sentence where another could start: after a dotted abbreviation
    /// (`U.S.`, `p.m.`) or an initial before a capitalised word, where the splitter held back.
    /// The aligner ([`crate::text::align::align_split`]) splits there when the translation
    /// has two sentences that match the two halves better than one does the whole.
    pub doubts: Vec<usize>,
}

/// [`split`], with the places where it was unsure.
pub fn split_with_doubts(text: &str, lang: &str) -> Split {
    let abbreviations = Abbreviations::for_lang(lang);
    let mut split = Split::default();
    let mut start = 0;
    let mut pos = 0;
    while let Some(found) = next_terminator(text, pos) {
        pos = found;
        // `?»`, `.”`, `...)` and the like end together, so the whole run is one terminator.
        let run_end = pos + prefix_len(&text[pos..], |c| is_terminator(c) || is_closer(c));
        let next = run_end + prefix_len(&text[run_end..], char::is_whitespace);
        let after = &text[next..];
        if next > run_end
            && starts_sentence(after)
            && !attributes_speech(&text[pos..run_end], after)
        {
            match abbreviations.verdict(&text[..pos], &text[pos..run_end], after) {
                Verdict::Split => {
                    split.sentences.push(start..next);
                    start = next;
                }
                Verdict::Doubt => split.doubts.push(next),
                Verdict::Hold => {}
            }
        }
        pos = run_end;
    }
    if start < text.len() {
        split.sentences.push(start..text.len());
    }
    split
}

fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '?' | '!' | '…')
}

/// Byte offset of the first terminator at or after `from` (a char boundary): the splitter's
/// walk through the text, by byte searches rather than char by char. `…` is the one terminator
/// outside ASCII; its first byte also starts other chars (`—`, `“`), hence the check.
fn next_terminator(text: &str, from: usize) -> Option<usize> {
    let rest = &text.as_bytes()[from..];
    let ascii = memchr::memchr3(b'.', b'?', b'!', rest);
    let ellipsis = memchr::memchr_iter(0xE2, &rest[..ascii.unwrap_or(rest.len())])
        .find(|&i| rest[i..].starts_with("…".as_bytes()));
    ellipsis.or(ascii).map(|i| from + i)
}

fn is_closer(c: char) -> bool {
    matches!(c, '»' | '”' | '"' | '’' | '\'' | ')' | ']' | '›')
}

/// Marks that may stand before the first word of a sentence (quotes, brackets,
/// Spanish inverted marks, dialogue dashes).
fn is_opener(c: char) -> bool {
    matches!(
        c,
        '¿' | '¡' | '«' | '“' | '‘' | '„' | '‹' | '"' | '\'' | '(' | '[' | '—' | '–'
    )
}

/// Byte length of the longest prefix of `s` whose chars all satisfy `pred`.
fn prefix_len(s: &str, pred: impl Fn(char) -> bool) -> usize {
    s.find(|c| !pred(c)).unwrap_or(s.len())
}

/// Whether `after` (the text following a terminator and whitespace) can begin a sentence.
fn starts_sentence(after: &str) -> bool {
    let Some(first) = after.chars().next() else {
        return false;
    };
    if is_opener(first) {
        // A lowercase word after an opener continues the sentence: Spanish dialogue
        // tags (`¿Vienes? —preguntó`) and RAE-style question series (`¿Quién? ¿de dónde?`).
        return !after
            .chars()
            .find(|&c| !is_opener(c))
            .is_some_and(char::is_lowercase);
    }
    // `!is_lowercase` rather than `is_uppercase` so that caseless scripts still split.
    first.is_numeric() || (first.is_alphabetic() && !first.is_lowercase())
}

/// The first word of `text`, after any opening marks.
fn first_word(text: &str) -> &str {
    let text = text.trim_start_matches(is_opener);
    &text[..prefix_len(text, char::is_alphabetic)]
}

/// Whether the terminator run `run` is a quotation's `?` or `!` followed by a short clause that
/// attributes it (`"There's a shark!" Hammel added.`, `"Why?" asked the mayor.`): the clause
/// belongs to the quotation's sentence.
fn attributes_speech(run: &str, after: &str) -> bool {
    if !run.contains(['?', '!']) || !run.ends_with(|c| is_closer(c) && c != ')' && c != ']') {
        return false;
    }
    // Up to four words, the last of them ending the clause; one of them a speech verb.
    let mut words = after.split_whitespace().take(4);
    let mut verb = false;
    for word in words.by_ref() {
        let bare = word.trim_end_matches(|c: char| !c.is_alphabetic());
        verb |= lang::abbreviations::is_speech_verb(bare);
        if bare.len() < word.len() {
            // Punctuation after the word: the clause ends here.
            return verb && word.ends_with(['.', ',', ';', ':']);
        }
    }
    false
}

/// What a terminator should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Split,
    Hold,
    /// Hold, but the other language may ask for a split here.
    Doubt,
}

struct Abbreviations {
    lists: &'static [AbbreviationList],
    /// Spanish doubles the letters of an initialism to mark a plural (`EE.UU.` Estados
    /// Unidos, `FF.AA.`, `CC.OO.`): such initialisms are nouns, which end sentences
    /// (`…impuestos por EE.UU. La UE respondió…`), where English `U.S.` is mostly an adjective.
    plural_initialisms_are_nouns: bool,
}

impl Abbreviations {
    fn for_lang(lang: &str) -> Self {
        Self {
            lists: lang::abbreviations::lists_for(lang),
            plural_initialisms_are_nouns: lang::abbreviations::is_primary(lang, "es"),
        }
    }

    /// Whether the terminator run `run`, preceded by `before` and followed (after
    /// whitespace) by `after`, is a full stop or the dot of an abbreviation.
    fn verdict(&self, before: &str, run: &str, after: &str) -> Verdict {
        let Some(rest) = run.strip_prefix('.') else {
            return Verdict::Split;
        };
        // Ellipses and `.?` are real terminators whatever precedes them.
        if !rest.chars().all(is_closer) {
            return Verdict::Split;
        }
        let word_len: usize = before
            .chars()
            .rev()
            .take_while(|&c| c.is_alphabetic() || c == '.')
            .map(char::len_utf8)
            .sum();
        let preceding = before[..before.len() - word_len].chars().next_back();
        let word = before[before.len() - word_len..].trim_start_matches('.');
        if word.is_empty() {
            return Verdict::Split;
        }
        let next_word = first_word(after);
        // A capitalised word that only starts sentences (`However`, `El`) ends a dotted form;
        // any other capitalised word may be the rest of a name (`U.S. Capitol`), which the
        // other language may settle.
        let before_name = || {
            if lang::abbreviations::starts_sentences(next_word) {
                Verdict::Split
            } else if after.starts_with(|c: char| c.is_numeric()) {
                Verdict::Hold
            } else {
                Verdict::Doubt
            }
        };
        if word.contains('.') {
            // `EE.UU`, `U.S`, `a.m`, `Ph.D`: short dotted pieces. A long piece means a
            // missing space after a full stop (`fin.Luego`) or a domain name instead.
            let short_pieces = word
                .split('.')
                .all(|piece| (1..=3).contains(&piece.chars().count()));
            let plural_noun =
                self.plural_initialisms_are_nouns && word.split('.').all(is_doubled_capital);
            return if short_pieces && !plural_noun {
                before_name()
            } else {
                Verdict::Split
            };
        }
        if self.plural_initialisms_are_nouns && is_doubled_capital(word) {
            // Only the last piece of a spaced initialism (`EE. UU.`, as the RAE spells it)
            // can end a sentence.
            let spaced = after
                .char_indices()
                .nth(2)
                .is_some_and(|(i, c)| c == '.' && is_doubled_capital(&after[..i]));
            return if spaced {
                Verdict::Hold
            } else {
                Verdict::Split
            };
        }
        let mut letters = word.chars();
        if let (Some(letter), None) = (letters.next(), letters.next()) {
            // An initial (`J. R. R. Tolkien`, `George W. Bush`, `D. Juan`) or the `p.` of
            // `p. ej.` stands alone after a space or an opening mark, never after a hyphen or a
            // digit (`Super-G.`, `1930s.`), and a capital one is followed by a name rather than
            // by a word that starts sentences (`an A. This…`).
            let alone = preceding.is_none_or(|c| c.is_whitespace() || is_opener(c));
            return match (alone, letter.is_uppercase()) {
                (false, _) => Verdict::Split,
                (true, false) => Verdict::Hold,
                (true, true) => before_name(),
            };
        }
        match lang::abbreviations::hold(self.lists, word) {
            None => Verdict::Split,
            Some(Hold::Always) => Verdict::Hold,
            Some(Hold::BeforeNumber) if after.starts_with(|c: char| c.is_ascii_digit()) => {
                Verdict::Hold
            }
            Some(Hold::BeforeNumber) => Verdict::Split,
            Some(Hold::BeforeName) => before_name(),
        }
    }
}

fn is_doubled_capital(piece: &str) -> bool {
    let mut chars = piece.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some(first), Some(second), None) => first == second && first.is_uppercase(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The sentences of `text`, with their trailing whitespace trimmed for readable asserts.
    fn sentences<'a>(text: &'a str, lang: &str) -> Vec<&'a str> {
        split(text, lang)
            .into_iter()
            .map(|range| text[range].trim_end())
            .collect()
    }

    fn assert_unsplit(text: &str, lang: &str) {
        assert_eq!(sentences(text, lang), [text], "lang {lang}");
    }

    #[test]
    fn the_walk_stops_at_every_terminator() {
        assert_eq!(next_terminator("¿Qué — eh… sí?", 0), Some(13));
        assert_eq!(next_terminator("“Sí”… ¿no?", 0), Some(9));
        assert_eq!(next_terminator("a.b.", 2), Some(3));
        assert_eq!(next_terminator("“ab” — c", 0), None);
        for c in ['.', '?', '!', '…'] {
            let text = format!("—a“{c}");
            assert_eq!(next_terminator(&text, 0), text.find(is_terminator), "{c}");
        }
    }

    #[test]
    fn empty_and_blank_text() {
        assert!(split("", "es").is_empty());
        let blank = "   \n\t";
        assert_eq!(split(blank, "es"), vec![0..blank.len()]);
    }

    #[test]
    fn trailing_whitespace_belongs_to_the_sentence() {
        let text = "Llueve. Hace frío.\n";
        assert_eq!(split(text, "es"), [0..8, 8..text.len()]);
    }

    #[test]
    fn plain_sentences() {
        assert_eq!(
            sentences("Llueve. Hace frío. 2025 fue peor.", "es"),
            ["Llueve.", "Hace frío.", "2025 fue peor."]
        );
        assert_eq!(
            sentences("It rains. It is cold!  Is it?", "en"),
            ["It rains.", "It is cold!", "Is it?"]
        );
    }

    #[test]
    fn no_split_without_whitespace_or_before_lowercase() {
        assert_unsplit("Visite paralelo.example.com hoy.", "es");
        assert_unsplit("El resultado fue 3 vs. 2 al final.", "es");
        assert_unsplit("Era tarde. y nadie respondía.", "es");
    }

    #[test]
    fn spanish_abbreviations() {
        for text in [
            "El Sr. García llegó.",
            "La Sra. López habló.",
            "El Dr. Pérez operó.",
            "La Dra. Ruiz firmó.",
            "La embajada de EE.UU. en Madrid cerró.",
            "La embajada de EEUU. en Madrid cerró.",
            "La embajada de EE. UU. en Madrid cerró.",
            "Costó aprox. 300 euros.",
            "Visitó varias capitales, p. ej. Lima y Quito.",
            "Fue el Real Madrid vs. Barcelona.",
            "Vive en el núm. 5 de la calle.",
            "Véase la pág. 12 del informe.",
            "Vive en la Avda. Libertad.",
            "Lo firmó D. Juan Carlos.",
            "Lo firmó Dña. María.",
            "Según el art. 155 de la Constitución.",
            "Recibió al Excmo. Sr. Embajador.",
            "Para Ud. Madrid es lo primero, y para Uds. Sevilla.",
            "Lo dijo el Prof. Martín.",
            "Vive en el No. 10 de Downing Street.",
        ] {
            assert_unsplit(text, "es");
        }
    }

    #[test]
    fn english_abbreviations() {
        for text in [
            "Mr. Smith met Mrs. Jones and Dr. Brown.",
            "The U.S. Senate and the U.K. Parliament voted.",
            "He lives at No. 10 Downing Street.",
            "They met in St. Louis.",
            "It opened at 9 a.m. Monday and closed at 5 p.m. Tuesday.",
            "It was Brazil vs. Argentina.",
            "Gen. Miller spoke on Oct. 5.",
        ] {
            assert_unsplit(text, "en");
        }
    }

    #[test]
    fn spanish_plural_initialisms_end_sentences() {
        for text in [
            "Subió la demanda de EE.UU. Italia sigue primera.",
            "Subió la demanda de EEUU. Italia sigue primera.",
            "Subió la demanda de EE. UU. Italia sigue primera.",
            "Desfilaron las FF.AA. Luego hubo un concierto.",
        ] {
            assert_eq!(sentences(text, "es").len(), 2, "{text}");
        }
        // In English `U.S.` before a capital is nearly always an adjective.
        assert_unsplit(
            "He met the U.S. President and the U.K. Prime Minister.",
            "en",
        );
        assert_unsplit("Subió la demanda de EE.UU. Italia sigue primera.", "fr");
    }

    #[test]
    fn abbreviation_lookalikes_still_end_sentences() {
        assert_eq!(
            sentences("Dijo que no. Luego se fue.", "es"),
            ["Dijo que no.", "Luego se fue."]
        );
        assert_eq!(
            sentences("Trajo peras, uvas, etc. Luego se fue.", "es"),
            ["Trajo peras, uvas, etc.", "Luego se fue."]
        );
        assert_unsplit("Trajo peras, uvas, etc. y se fue.", "es");
        // `art` is a Spanish abbreviation but an English word.
        assert_eq!(
            sentences("She loves art. It moves her.", "en"),
            ["She loves art.", "It moves her."]
        );
        assert_eq!(
            sentences("Visite ejemplo.com. Es gratis.", "es"),
            ["Visite ejemplo.com.", "Es gratis."]
        );
    }

    #[test]
    fn language_tags() {
        let text = "Habló el Sr. Gómez. Nadie contestó.";
        let expected = ["Habló el Sr. Gómez.", "Nadie contestó."];
        assert_eq!(sentences(text, "es"), expected);
        assert_eq!(sentences(text, "es-MX"), expected);
        assert_eq!(sentences(text, "ES_es"), expected);
        // Generic rules do not know `Sr.`, but still know initials and `Dr.`
        assert_eq!(
            sentences(text, "pt"),
            ["Habló el Sr.", "Gómez.", "Nadie contestó."]
        );
        assert_unsplit("Falou o Dr. Gomes com J. Silva.", "pt");
        assert_unsplit("Falou o Dr. Gomes com J. Silva.", "");
    }

    #[test]
    fn numbers() {
        assert_unsplit("Asistieron 1.500 personas, un 2,3 % más.", "es");
        assert_unsplit(
            "Ocurrió a las 13.34 horas y acabó a las 10.30 del día siguiente.",
            "es",
        );
        assert_unsplit("Sales rose to 3.5 million units.", "en");
        assert_eq!(
            sentences("Nació en 1990. En 2001 se mudó. 2002 fue mejor.", "es"),
            ["Nació en 1990.", "En 2001 se mudó.", "2002 fue mejor."]
        );
    }

    #[test]
    fn initials() {
        assert_unsplit("El autor es J. R. R. Tolkien, nacido en 1892.", "es");
        assert_unsplit("President George W. Bush spoke.", "en");
    }

    #[test]
    fn a_capital_after_a_hyphen_or_digit_is_no_initial() {
        for (text, lang) in [
            (
                "He won the men's standing Super-G. Czech competitor Jan Novak was second.",
                "en",
            ),
            (
                "It was built in the 1930s. A black congregation bought it.",
                "en",
            ),
            ("The grade was an A. This demonstrates the method.", "en"),
        ] {
            assert_eq!(sentences(text, lang).len(), 2, "{text}");
        }
        assert_unsplit("Dennis M. Kelleher spoke for J. R. R. Tolkien.", "en");
    }

    #[test]
    fn abbreviations_that_end_sentences() {
        for (text, lang) in [
            (
                "The airport stays closed until Oct. President Joko Widodo spoke.",
                "en",
            ),
            (
                "He deserted after enlisting on Sept. He was arrested later.",
                "en",
            ),
            ("Polls closed by 1 p.m. However, turnout was high.", "en"),
            (
                "Llegó a Washington, D.C. El viernes se reunió con él.",
                "es",
            ),
            (
                "It is at 7414 Santa Monica Blvd. For information, call.",
                "en",
            ),
        ] {
            assert_eq!(sentences(text, lang).len(), 2, "{text}");
        }
        assert_unsplit("The gallery opens Jan. 13 with a reception.", "en");
        assert_unsplit(
            "He met U.S. Sens. Lindsey Graham and Det. Dennis McCarthy.",
            "en",
        );
    }

    #[test]
    fn titles_are_shared_by_both_languages() {
        assert_unsplit("Ganó el St. Johnstone ante el equipo de St. Louis.", "es");
        assert_unsplit("El actor de Mr. Bean habló con la Sra. López.", "es");
        assert_unsplit("She met Sra. López and Dr. Ruiz.", "en");
    }

    #[test]
    fn a_speech_verb_after_a_quoted_question_or_exclamation_continues() {
        assert_unsplit("\"There's a shark in the water!\" Hammel added.", "en");
        assert_unsplit("\"Why now?\" asked the mayor.", "en");
        assert_eq!(
            sentences("\"There's a shark!\" Hammel ran to the beach.", "en").len(),
            2
        );
    }

    #[test]
    fn doubtful_holds_are_recorded() {
        let text = "He spoke in Washington, D.C. Johnson faces a fight.";
        let split = split_with_doubts(text, "en");
        assert_eq!(split.sentences.len(), 1);
        assert_eq!(split.doubts, [text.find("Johnson").unwrap()]);
    }

    #[test]
    fn ellipses() {
        assert_eq!(
            sentences("Esperó… Luego se fue.", "es"),
            ["Esperó…", "Luego se fue."]
        );
        assert_eq!(
            sentences("He waited... Then he left.", "en"),
            ["He waited...", "Then he left."]
        );
        assert_unsplit("Esperó… y luego se fue.", "es");
        assert_unsplit("He waited... and then he left.", "en");
        assert_unsplit("Lo dijo (...) sin más.", "es");
    }

    #[test]
    fn spanish_questions_and_exclamations() {
        assert_eq!(
            sentences("¿Vienes? Sí. ¡Qué bien! ¿Cuándo?", "es"),
            ["¿Vienes?", "Sí.", "¡Qué bien!", "¿Cuándo?"]
        );
        assert_unsplit("¿Vienes?, dijo.", "es");
        assert_unsplit("¿Vienes? dijo ella.", "es");
        assert_unsplit("¡Basta! gritó el Sr. Ruiz.", "es");
        assert_unsplit("—¿Vienes? —preguntó Ana.", "es");
        assert_eq!(
            sentences("Llegó tarde. ¿Por qué? Nadie lo sabe.", "es"),
            ["Llegó tarde.", "¿Por qué?", "Nadie lo sabe."]
        );
    }

    #[test]
    fn stops_inside_and_after_closing_quotes() {
        assert_eq!(
            sentences(r#"Habló de "la vida". En este sentido, calló."#, "es"),
            [r#"Habló de "la vida"."#, "En este sentido, calló."]
        );
        assert_eq!(
            sentences("It is “for life.” In this sense, no.", "en"),
            ["It is “for life.”", "In this sense, no."]
        );
        assert_eq!(
            sentences("Pidió paz «lo antes posible». Y se fue.", "es"),
            ["Pidió paz «lo antes posible».", "Y se fue."]
        );
        assert_unsplit("Pidió paz «lo antes posible»", "es");
        assert_eq!(
            sentences("«Se acabó.» Nadie respondió.", "es"),
            ["«Se acabó.»", "Nadie respondió."]
        );
        assert_eq!(
            sentences(r#"Dijo: "Basta!" Y se fue."#, "es"),
            [r#"Dijo: "Basta!""#, "Y se fue."]
        );
    }

    #[test]
    fn sentence_ends_inside_a_quotation() {
        let text = "\"Apoyará la reconstrucción de Ucrania. Teniendo en cuenta la guerra, \
                    buscará la paz lo antes posible\", ha indicado la oficina.";
        assert_eq!(
            sentences(text, "es"),
            [
                "\"Apoyará la reconstrucción de Ucrania.",
                "Teniendo en cuenta la guerra, buscará la paz lo antes posible\", ha indicado la oficina."
            ]
        );
    }

    #[test]
    fn closing_quote_then_comma_or_lowercase_continues() {
        assert_unsplit("«No cambiará.», aseguró ella.", "es");
        assert_unsplit("\"We will win!\" he said.", "en");
        assert_unsplit("“It will not change,” the office said.", "en");
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for text in [
            ".",
            "...",
            "…",
            "?!",
            "¿?",
            "¡!",
            " . ",
            ". . .",
            "\"",
            "«»",
            ". A",
            "a. B.",
            "—",
            "¿",
            ".\u{0301} A",
            "\u{feff}. Á",
            "x.\u{2029}Y",
        ] {
            for lang in ["es", "en", "fr"] {
                assert_tiles(text, lang);
            }
        }
    }

    /// Ranges are non-empty, contiguous, start at 0 and end at `text.len()`, on char boundaries.
    fn assert_tiles(text: &str, lang: &str) {
        let ranges = split(text, lang);
        assert_eq!(ranges.is_empty(), text.is_empty());
        let mut expected_start = 0;
        let mut joined = String::new();
        for range in &ranges {
            assert_eq!(range.start, expected_start);
            assert!(range.start < range.end);
            joined.push_str(&text[range.clone()]);
            expected_start = range.end;
        }
        assert_eq!(expected_start, text.len());
        assert_eq!(joined, text);
    }

    proptest! {
        #[test]
        fn ranges_tile_any_text(text in any::<String>(), lang in "(es|en|fr)") {
            assert_tiles(&text, &lang);
        }

        // Arbitrary strings rarely contain a terminator followed by a space and a capital,
        // so also draw from an alphabet dense in the characters the splitter looks at.
        #[test]
        fn ranges_tile_punctuation_heavy_text(
            text in "[aAzZñÑ1 \n.?!…¿¡«»“”\"'()—,]{0,60}",
            lang in "(es|en|fr)",
        ) {
            assert_tiles(&text, &lang);
        }

        #[test]
        fn the_walk_finds_the_first_terminator(text in "[a .?!…—“”'¿]{0,20}", from in 0..30usize) {
            let from = text.char_indices().map(|(at, _)| at).nth(from).unwrap_or(text.len());
            prop_assert_eq!(
                next_terminator(&text, from),
                text[from..].find(is_terminator).map(|at| from + at)
            );
        }
    }
}
