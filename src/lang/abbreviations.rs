//! Abbreviations, titles, words that start sentences and speech verbs: the language data the
//! sentence splitter ([`crate::text::sentences`]) reads to tell a full stop from the dot of an
//! abbreviation.
//!
//! Spanish and English news quote each other's names and titles (`St. Johnstone` and `Mr. Bean`
//! in Spanish, `Sra. López` in English), so the titles are one list for both.

/// When a known abbreviation keeps a following full stop from ending the sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hold {
    /// Titles and the like: never at the end of a sentence.
    Always,
    /// `No. 10` and `Oct. 5` are abbreviations, but `Dijo que no. Luego…` is the word "no" and
    /// `closed until Oct. President Widodo…` ends a sentence.
    BeforeNumber,
    /// `Santa Monica Blvd. For information…` ends a sentence, `Blvd. Oeste` does not: it holds
    /// unless the next word is one that starts sentences ([`starts_sentences`]).
    BeforeName,
}

/// An abbreviation, lowercase and without its dot, and when it holds.
pub(crate) type AbbreviationList = &'static [(&'static str, Hold)];

/// Titles before a name, with their plurals, in both languages. A title never ends a sentence.
pub(crate) const TITLES: AbbreviationList = &[
    // English
    ("mr", Hold::Always),
    ("mrs", Hold::Always),
    ("ms", Hold::Always),
    ("messrs", Hold::Always),
    ("dr", Hold::Always),
    ("drs", Hold::Always),
    ("st", Hold::Always),
    ("sts", Hold::Always),
    ("sen", Hold::Always),
    ("sens", Hold::Always),
    ("rep", Hold::Always),
    ("reps", Hold::Always),
    ("gov", Hold::Always),
    ("govs", Hold::Always),
    ("det", Hold::Always),
    ("dets", Hold::Always),
    ("sgt", Hold::Always),
    ("lt", Hold::Always),
    ("col", Hold::Always),
    ("gen", Hold::Always),
    ("gens", Hold::Always),
    ("capt", Hold::Always),
    ("cpl", Hold::Always),
    ("cmdr", Hold::Always),
    ("adm", Hold::Always),
    ("insp", Hold::Always),
    ("supt", Hold::Always),
    ("rev", Hold::Always),
    ("hon", Hold::Always),
    ("pres", Hold::Always),
    ("prof", Hold::Always),
    ("profs", Hold::Always),
    ("mt", Hold::Always),
    ("ft", Hold::Always),
    // Spanish
    ("sr", Hold::Always),
    ("sra", Hold::Always),
    ("srta", Hold::Always),
    ("sres", Hold::Always),
    ("sras", Hold::Always),
    ("dra", Hold::Always),
    ("dras", Hold::Always),
    ("dres", Hold::Always),
    ("dña", Hold::Always),
    ("profa", Hold::Always),
    ("excmo", Hold::Always),
    ("excma", Hold::Always),
    ("ilmo", Hold::Always),
    ("ilma", Hold::Always),
    ("lic", Hold::Always),
    ("ing", Hold::Always),
    ("gral", Hold::Always),
    ("sto", Hold::Always),
    ("sta", Hold::Always),
    ("mons", Hold::Always),
];

/// Abbreviations of every language.
pub(crate) const COMMON: AbbreviationList = &[
    ("dr", Hold::Always),
    ("prof", Hold::Always),
    ("vs", Hold::Always),
    ("no", Hold::BeforeNumber),
];

pub(crate) const SPANISH: AbbreviationList = &[
    ("ud", Hold::Always),
    ("uds", Hold::Always),
    ("vd", Hold::Always),
    ("vds", Hold::Always),
    ("avda", Hold::BeforeName),
    ("av", Hold::BeforeName),
    ("pág", Hold::Always),
    ("págs", Hold::Always),
    ("núm", Hold::Always),
    ("art", Hold::Always),
    ("arts", Hold::Always),
    ("cap", Hold::Always),
    ("vol", Hold::Always),
    ("tel", Hold::Always),
    ("aprox", Hold::Always),
    ("ej", Hold::Always),
    ("cía", Hold::Always),
    ("ene", Hold::BeforeNumber),
    ("sept", Hold::BeforeNumber),
    ("oct", Hold::BeforeNumber),
    ("nov", Hold::BeforeNumber),
    ("dic", Hold::BeforeNumber),
];

pub(crate) const ENGLISH: AbbreviationList = &[
    ("ave", Hold::BeforeName),
    ("blvd", Hold::BeforeName),
    ("approx", Hold::Always),
    ("fig", Hold::Always),
    ("vol", Hold::Always),
    ("jan", Hold::BeforeNumber),
    ("feb", Hold::BeforeNumber),
    ("mar", Hold::BeforeNumber),
    ("apr", Hold::BeforeNumber),
    ("jun", Hold::BeforeNumber),
    ("jul", Hold::BeforeNumber),
    ("aug", Hold::BeforeNumber),
    ("sep", Hold::BeforeNumber),
    ("sept", Hold::BeforeNumber),
    ("oct", Hold::BeforeNumber),
    ("nov", Hold::BeforeNumber),
    ("dec", Hold::BeforeNumber),
];

/// The abbreviation lists of a language (a BCP 47 tag such as `es-MX`). Other languages than
/// Spanish and English get only [`COMMON`]: the lists hold strings (`art`, `gen`, `col`) that are
/// ordinary words elsewhere.
pub(crate) fn lists_for(lang: &str) -> &'static [AbbreviationList] {
    if is_primary(lang, "es") {
        &[COMMON, TITLES, SPANISH]
    } else if is_primary(lang, "en") {
        &[COMMON, TITLES, ENGLISH]
    } else {
        &[COMMON]
    }
}

/// Whether the primary language subtag of `lang` is `primary` (lowercase), in any case.
pub(crate) fn is_primary(lang: &str, primary: &str) -> bool {
    lang.split(['-', '_'])
        .next()
        .unwrap_or_default()
        .eq_ignore_ascii_case(primary)
}

/// Room for the longest word of any list here, lowercased.
const LONGEST_WORD: usize = 16;

/// `word` lowercased in `buffer`, or `None` when it is longer than any word listed here, so
/// that the splitter can look up the word before nearly every full stop without allocating.
/// Unlike [`str::to_lowercase`] it makes a final `Σ` `σ` rather than `ς`: no list holds either.
fn lowercase_short<'b>(word: &str, buffer: &'b mut [u8; LONGEST_WORD]) -> Option<&'b str> {
    if word.is_ascii() {
        let lowercase = buffer.get_mut(..word.len())?;
        lowercase.copy_from_slice(word.as_bytes());
        lowercase.make_ascii_lowercase();
        return std::str::from_utf8(lowercase).ok();
    }
    let mut len = 0;
    for c in word.chars().flat_map(char::to_lowercase) {
        let end = len + c.len_utf8();
        c.encode_utf8(buffer.get_mut(len..end)?);
        len = end;
    }
    std::str::from_utf8(&buffer[..len]).ok()
}

/// When the abbreviation `word` (as written, without its dot) holds in `lists`: the strongest
/// hold of any list that has it.
pub(crate) fn hold(lists: &[AbbreviationList], word: &str) -> Option<Hold> {
    let mut buffer = [0; LONGEST_WORD];
    let lowercase = lowercase_short(word, &mut buffer)?;
    let strength = |hold: Hold| match hold {
        Hold::Always => 0,
        Hold::BeforeName => 1,
        Hold::BeforeNumber => 2,
    };
    let mut strongest = None;
    for list in lists {
        for &(abbreviation, hold) in *list {
            if abbreviation == lowercase && strongest.is_none_or(|s| strength(hold) < strength(s)) {
                strongest = Some(hold);
            }
        }
    }
    strongest
}

/// Capitalised, these words nearly always begin a sentence rather than continue a name: after
/// `p.m.`, `D.C.` or an initial they tell a full stop from an abbreviation's dot. Both languages
/// are listed for every text, since each quotes the other's names.
const SENTENCE_STARTERS: &[&str] = &[
    // English
    "a",
    "after",
    "also",
    "although",
    "an",
    "and",
    "another",
    "as",
    "at",
    "because",
    "before",
    "both",
    "but",
    "by",
    "despite",
    "during",
    "each",
    "earlier",
    "even",
    "every",
    "for",
    "from",
    "he",
    "her",
    "here",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "instead",
    "it",
    "its",
    "last",
    "later",
    "many",
    "meanwhile",
    "more",
    "most",
    "my",
    "no",
    "not",
    "now",
    "of",
    "on",
    "one",
    "only",
    "our",
    "since",
    "so",
    "some",
    "still",
    "such",
    "that",
    "the",
    "their",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "thus",
    "to",
    "today",
    "under",
    "we",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "why",
    "with",
    "yet",
    "you",
    // Spanish
    "además",
    "ahora",
    "al",
    "allí",
    "así",
    "aunque",
    "ayer",
    "cada",
    "como",
    "con",
    "cuando",
    "de",
    "del",
    "desde",
    "después",
    "durante",
    "el",
    "ella",
    "ellas",
    "ellos",
    "él",
    "en",
    "entre",
    "es",
    "esa",
    "ese",
    "eso",
    "esta",
    "este",
    "esto",
    "estos",
    "estas",
    "fue",
    "hasta",
    "hay",
    "hoy",
    "la",
    "las",
    "le",
    "les",
    "lo",
    "los",
    "mientras",
    "nosotros",
    "para",
    "pero",
    "por",
    "se",
    "según",
    "si",
    "sin",
    "sino",
    "sobre",
    "su",
    "sus",
    "también",
    "tras",
    "un",
    "una",
    "unos",
    "unas",
    "ya",
    "yo",
];

/// Whether `word` (as written) is capitalised and one of the words that start sentences.
pub(crate) fn starts_sentences(word: &str) -> bool {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    // `I` and `A` as initials are one letter: the single-letter starters are taken as words
    // only when the caller asks about them.
    first.is_uppercase()
        && lowercase_short(word, &mut [0; LONGEST_WORD])
            .is_some_and(|word| SENTENCE_STARTERS.contains(&word))
}

/// Verbs that attribute speech, in the forms that follow a quotation (`…!" Hammel added.`,
/// `…?», preguntó Ana.`).
const SPEECH_VERBS: &[&str] = &[
    // English
    "added",
    "adds",
    "admitted",
    "answered",
    "argued",
    "asked",
    "asks",
    "continued",
    "cried",
    "declared",
    "exclaimed",
    "explained",
    "insisted",
    "noted",
    "recalled",
    "remarked",
    "replied",
    "said",
    "says",
    "shouted",
    "stated",
    "tells",
    "told",
    "warned",
    "whispered",
    "wondered",
    "wrote",
    "writes",
    "yelled",
    // Spanish
    "afirmó",
    "agregó",
    "añadió",
    "apuntó",
    "aseguró",
    "comentó",
    "contestó",
    "declaró",
    "dice",
    "dijo",
    "exclamó",
    "explicó",
    "gritó",
    "indicó",
    "insistió",
    "preguntó",
    "replicó",
    "respondió",
    "señaló",
    "subrayó",
];

pub(crate) fn is_speech_verb(word: &str) -> bool {
    lowercase_short(word, &mut [0; LONGEST_WORD]).is_some_and(|word| SPEECH_VERBS.contains(&word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_lowercase_without_dots() {
        let all = [TITLES, COMMON, SPANISH, ENGLISH];
        for (word, _) in all.iter().flat_map(|list| list.iter()) {
            assert_eq!(*word, word.to_lowercase());
            assert!(!word.contains('.'));
        }
        for word in SENTENCE_STARTERS.iter().chain(SPEECH_VERBS) {
            assert_eq!(*word, word.to_lowercase());
        }
        let words = all
            .iter()
            .flat_map(|list| list.iter().map(|(word, _)| word));
        for word in words.chain(SENTENCE_STARTERS).chain(SPEECH_VERBS) {
            assert!(word.len() <= LONGEST_WORD, "{word}");
        }
    }

    #[test]
    fn words_are_lowercased_as_str_does() {
        let mut buffer = [0; LONGEST_WORD];
        for word in [
            "Dña",
            "NÚM",
            "ÉTÉ",
            "İstanbul",
            "Kelvin\u{212a}",
            "x",
            "Mr",
            "SEPT",
            "",
        ] {
            assert_eq!(
                lowercase_short(word, &mut buffer),
                Some(word.to_lowercase().as_str())
            );
        }
        assert_eq!(lowercase_short("Internationalisation", &mut buffer), None);
        assert_eq!(hold(lists_for("es"), "Sr"), Some(Hold::Always));
        assert_eq!(hold(lists_for("en"), "Sept"), Some(Hold::BeforeNumber));
        assert_eq!(hold(lists_for("en"), "NÚM"), None);
        assert_eq!(hold(lists_for("es"), "NÚM"), Some(Hold::Always));
        assert_eq!(hold(lists_for("fr"), "Sr"), None);
        assert!(is_primary("ES_es", "es") && is_primary("en-GB", "en") && !is_primary("", "es"));
    }

    #[test]
    fn starters_and_speech_verbs() {
        assert!(starts_sentences("However"));
        assert!(starts_sentences("El"));
        assert!(!starts_sentences("however"));
        assert!(!starts_sentences("Capitol"));
        assert!(is_speech_verb("added") && is_speech_verb("Dijo"));
        assert_eq!(lists_for("es-MX").len(), 3);
        assert_eq!(lists_for("pt").len(), 1);
    }
}
