//! The words of an English sentence with their possible lemmas and classes, from Apertium's
//! English analyser (`lt-proc -z -w eng-spa.automorf.bin`, from the same `apertium-eng-spa`
//! package), so that a Spanish word's dictionary senses can be looked for in its translation
//! (`supported` is `support`, `weapons` is `weapon`, `greater` is `great`).
//!
//! The analyser reads `eng-spa.automorf.bin` in-process (see [`crate::apertium`]) when it knows
//! its format, giving the same stream text as `lt-proc`; otherwise it drives `lt-proc`.
//!
//! No tagger: every analysis of a word counts (`arms` is the noun `arm` and the verb `arm`),
//! since the question is only whether a sense occurs. Each thread keeps one analyser, started
//! when it first needs one, as [`super::Glosses`] keeps one Spanish analyser per thread.

use std::cell::RefCell;
use std::ops::Range;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::apertium::{Memo, Morphology};

use super::{
    DEFAULT_TIMEOUT, GlossError, Stage, pair_dir, parse_reading, split_unescaped, unescape,
    unit_texts,
};

/// One word of an English text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnglishWord {
    /// Byte range in the text.
    pub range: Range<usize>,
    /// The word as written, lowercased (shared, as its lemmas and classes are).
    pub lower: Arc<str>,
    /// Its possible lemmas, lowercased, the word itself among them when the analyser does not
    /// know it (shared by every occurrence of the word).
    pub lemmas: Arc<[String]>,
    /// Apertium's class tags of its analyses (`n`, `vblex`, `adj`, `adv`, `det` …).
    pub classes: Arc<[String]>,
    /// Written with a capital first letter.
    pub capitalised: bool,
}

impl EnglishWord {
    /// A noun, a lexical verb, an adjective or an adverb that is not one of the few that only
    /// modify others: a word a Spanish content word may translate to.
    pub fn is_content(&self) -> bool {
        const LIGHT: &[&str] = &[
            "be", "have", "do", "will", "would", "also", "not", "as", "so", "very", "more", "most",
            "such", "then", "there", "here", "too", "just", "only", "well",
        ];
        // `on` is also an adverb, `his` also a noun (`hi`), `while` also a noun: a word that
        // may be a function word is left out.
        let function = |c: &String| {
            matches!(
                c.as_str(),
                "det"
                    | "predet"
                    | "prn"
                    | "pr"
                    | "cnjcoo"
                    | "cnjsub"
                    | "cnjadv"
                    | "vaux"
                    | "vbser"
                    | "vbhaver"
                    | "vbmod"
                    | "rel"
                    | "num"
            )
        };
        self.classes
            .iter()
            .any(|c| matches!(c.as_str(), "n" | "vblex" | "adj" | "adv"))
            && !self.classes.iter().any(function)
            && !self.lemmas.iter().any(|l| LIGHT.contains(&l.as_str()))
    }

    /// A name, and nothing else, to the analyser.
    pub fn is_name(&self) -> bool {
        self.classes.iter().all(|c| c == "np")
    }

    /// The word has `lemma` as a lemma or is written so; a unit of several words (`joint
    /// production`) has it when one of its words is it.
    pub fn is(&self, lemma: &str) -> bool {
        *self.lower == *lemma
            || self.lemmas.iter().any(|l| l == lemma)
            || (self.lower.contains(' ') && self.lower.split(' ').any(|w| w == lemma))
    }

    /// The word is of the same family as `sense`: one of its lemmas, or `sense`, of five letters
    /// or more, begins or ends the other (`develop`, `development`; `supporting`, `support`;
    /// `phone`, `telephone`).
    pub fn is_akin(&self, sense: &str) -> bool {
        let s = sense.as_bytes();
        let lemmas = self.lemmas.iter().map(String::as_str);
        lemmas.chain([&*self.lower]).any(|lemma| {
            // Both of five letters or more, the same first or last: without it, neither test
            // below can hold (and this one is quick: most words are ruled out here).
            let l = lemma.as_bytes();
            if l.len() < 5 || s.len() < 5 || (l[0] != s[0] && l[l.len() - 1] != s[s.len() - 1]) {
                return false;
            }
            let shared = lemma
                .chars()
                .zip(sense.chars())
                .take_while(|(a, b)| a == b)
                .count();
            let shorter = lemma.chars().count().min(sense.chars().count());
            let ends_alike = lemma.chars().count() >= 5
                && sense.chars().count() >= 5
                && (lemma.ends_with(sense) || sense.ends_with(lemma));
            (shared >= 5 && shared == shorter) || ends_alike
        })
    }
}

/// Where the English analyses come from: `eng-spa.automorf.bin` read in-process (loaded once
/// per process, shared by every thread), or `lt-proc` through a pipe.
enum Backend {
    InProcess(Arc<Morphology>),
    Pipe(Stage),
}

/// The in-process English analyser of each file asked for: loaded on first use, or why not.
fn in_process(path: &Path) -> Result<Arc<Morphology>, String> {
    static LOADED: OnceLock<super::Loaded<Morphology>> = OnceLock::new();
    super::load_once(&LOADED, path, || {
        Morphology::load(path).map_err(|e| e.to_string())
    })
}

/// Apertium's English analyser, kept up between calls.
pub struct EnglishAnalyser {
    backend: Backend,
}

/// A lexical unit of the analyser's answer, read: what every occurrence of it shares.
struct Unit {
    /// The surface form, unescaped.
    surface: String,
    lower: Arc<str>,
    lemmas: Arc<[String]>,
    classes: Arc<[String]>,
}

impl Unit {
    /// Reads the text of a unit (`surface/analysis/…`, escaped); `None` when it has no
    /// surface form.
    fn read(text: &str) -> Option<Unit> {
        let fields = split_unescaped(text, b'/');
        let surface = unescape(fields.first()?);
        let lower = surface.to_lowercase();
        let (lemmas, classes) = readings(&lower, &fields[1..]);
        Some(Unit {
            surface,
            lower: lower.into(),
            lemmas: lemmas.into(),
            classes: classes.into(),
        })
    }
}

/// The units already read, by their text, shared by every thread: a unit's reading depends on
/// its text alone.
fn units() -> &'static Memo<Option<Arc<Unit>>> {
    static UNITS: OnceLock<Memo<Option<Arc<Unit>>>> = OnceLock::new();
    UNITS.get_or_init(|| Memo::new(MEMO_UNITS))
}

/// The most units [`units`] keeps (bounded as the Spanish units are).
const MEMO_UNITS: usize = 32_768;

impl EnglishAnalyser {
    pub fn start_default() -> Result<EnglishAnalyser, GlossError> {
        EnglishAnalyser::start(&pair_dir()?, DEFAULT_TIMEOUT)
    }

    /// Starts the analyser with `eng-spa.automorf.bin` from `pair_dir`: read in-process when
    /// this reader knows its format, else (or with `PARALELO_APERTIUM=pipes`) through `lt-proc`.
    pub fn start(pair_dir: &Path, timeout: Duration) -> Result<EnglishAnalyser, GlossError> {
        let morphology = pair_dir.join("eng-spa.automorf.bin");
        if !super::pipes_wanted()
            && morphology.is_file()
            && let Ok(data) = in_process(&morphology)
        {
            return Ok(EnglishAnalyser {
                backend: Backend::InProcess(data),
            });
        }
        EnglishAnalyser::start_pipe(pair_dir, timeout)
    }

    /// Like [`EnglishAnalyser::start`], always through `lt-proc`.
    pub fn start_pipe(pair_dir: &Path, timeout: Duration) -> Result<EnglishAnalyser, GlossError> {
        let morphology = pair_dir.join("eng-spa.automorf.bin");
        if !morphology.is_file() {
            return Err(GlossError::NotInstalled {
                hint: format!(
                    "{} is missing: {}",
                    morphology.display(),
                    super::INSTALL_HINT
                ),
            });
        }
        let mut analyse = Command::new("lt-proc");
        analyse.args(["-z", "-w"]).arg(morphology);
        let stage = Stage::start("English analyser", vec![analyse], timeout)?;
        Ok(EnglishAnalyser {
            backend: Backend::Pipe(stage),
        })
    }

    /// Reads the data in-process rather than through `lt-proc`.
    pub fn is_in_process(&self) -> bool {
        matches!(self.backend, Backend::InProcess(_))
    }

    /// The words of `text` with their analyses, in order.
    pub fn analyse(&mut self, text: &str) -> Result<Vec<EnglishWord>, GlossError> {
        let reply = match &mut self.backend {
            Backend::InProcess(morphology) => {
                super::has_letters(text).then(|| morphology.analyse(text))
            }
            Backend::Pipe(stage) => stage.analyse_text(text)?,
        };
        let Some(reply) = reply else {
            return Ok(Vec::new());
        };
        let mut words = Vec::new();
        let mut cursor = 0;
        for unit in unit_texts(&reply) {
            let Some(unit) = units().get_or_make(unit, || Unit::read(unit).map(Arc::new)) else {
                continue;
            };
            let surface = unit.surface.as_str();
            let Some(start) = super::find_from(text, cursor, surface) else {
                continue;
            };
            let range = start..start + surface.len();
            cursor = range.end;
            if !surface.chars().any(char::is_alphabetic) {
                continue;
            }
            words.push(EnglishWord {
                capitalised: surface.starts_with(char::is_uppercase),
                range,
                lower: unit.lower.clone(),
                lemmas: Arc::clone(&unit.lemmas),
                classes: Arc::clone(&unit.classes),
            });
        }
        Ok(words)
    }
}

/// The lemmas and classes of a word's analyses; an unknown word (`*Takaichi`) is its own lemma.
fn readings(lower: &str, analyses: &[&str]) -> (Vec<String>, Vec<String>) {
    let (mut lemmas, mut classes) = (Vec::new(), Vec::new());
    for analysis in analyses {
        if analysis.starts_with('*') {
            continue;
        }
        // `it's` is `prpers<prn>…+be<vbser>…`: its first word decides.
        let first = analysis.split('+').next().unwrap_or_default();
        let reading = parse_reading(first);
        let lemma = reading.lemma.to_lowercase();
        if !lemma.is_empty() && !lemmas.contains(&lemma) {
            lemmas.push(lemma);
        }
        if let Some(class) = reading.tags.first()
            && !classes.contains(class)
        {
            classes.push(class.clone());
        }
    }
    if lemmas.is_empty() {
        lemmas.push(lower.to_string());
    }
    if classes.is_empty() {
        // Unknown to the analyser: a name when capitalised, else most likely a noun
        // (`readiness`).
        let class = if lower == analyses.first().map_or("", |a| a.trim_start_matches('*')) {
            "n"
        } else {
            "np"
        };
        classes.push(class.to_string());
    }
    (lemmas, classes)
}

/// The words of `text` with the guesses a plain reader can make: an `-s`, `-es`, `-ed` or
/// `-ing` taken off, every word a possible noun or verb. For when Apertium's English analyser
/// is not there.
pub fn plain_words(text: &str) -> Vec<EnglishWord> {
    let mut words = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices().chain([(text.len(), ' ')]) {
        let in_word = c.is_alphanumeric() || (start.is_some() && (c == '\'' || c == '’'));
        match (in_word, start) {
            (true, None) => start = Some(at),
            (false, Some(s)) => {
                let lower = text[s..at].to_lowercase();
                if lower.chars().any(char::is_alphabetic) {
                    let mut lemmas = vec![lower.clone()];
                    for suffix in ["ing", "ed", "es", "s"] {
                        if let Some(stem) = lower.strip_suffix(suffix)
                            && stem.chars().count() >= 3
                        {
                            lemmas.push(stem.to_string());
                            lemmas.push(format!("{stem}e"));
                        }
                    }
                    words.push(EnglishWord {
                        capitalised: text[s..at].starts_with(char::is_uppercase),
                        range: s..at,
                        lower: lower.into(),
                        lemmas: lemmas.into(),
                        classes: ["n".to_string(), "vblex".to_string()].into(),
                    });
                }
                start = None;
            }
            _ => {}
        }
    }
    words
}

thread_local! {
    /// This thread's English analyser: `None` until first asked for, then the analyser, or
    /// `Err` when it could not start or failed (and is not tried again).
    static ANALYSER: RefCell<Option<Result<EnglishAnalyser, ()>>> = const { RefCell::new(None) };
}

/// The words of an English text, analysed by this thread's [`EnglishAnalyser`] (started when
/// first needed), or by [`plain_words`] when Apertium is not there or failed.
pub fn english_words(text: &str) -> Vec<EnglishWord> {
    ANALYSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let analyser = slot.get_or_insert_with(|| EnglishAnalyser::start_default().map_err(|_| ()));
        match analyser {
            Ok(analyser) => match analyser.analyse(text) {
                Ok(words) => words,
                Err(_) => {
                    *slot = Some(Err(()));
                    plain_words(text)
                }
            },
            Err(()) => plain_words(text),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_guess_lemmas() {
        let words = plain_words("He supported the weapons' makers, didn’t he?");
        let lowers: Vec<&str> = words.iter().map(|w| &*w.lower).collect();
        assert_eq!(
            lowers,
            [
                "he",
                "supported",
                "the",
                "weapons'",
                "makers",
                "didn’t",
                "he"
            ]
        );
        assert!(words[1].is("support"));
        assert!(words[4].is("maker"));
    }

    #[test]
    fn readings_keep_every_lemma_and_class() {
        let (lemmas, classes) = readings("arms", &["arm<n><pl>", "arm<vblex><pri><p3><sg>"]);
        assert_eq!(lemmas, ["arm"]);
        assert_eq!(classes, ["n", "vblex"]);
        let (lemmas, classes) = readings("takaichi", &["*Takaichi"]);
        assert_eq!(lemmas, ["takaichi"]);
        assert_eq!(classes, ["np"]);
        assert_eq!(readings("readiness", &["*readiness"]).1, ["n"]);
    }
}
