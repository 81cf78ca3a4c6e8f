//! Word glosses: the lemma, part of speech and one to three English equivalents of each word of
//! a Spanish paragraph, from Apertium's own `apertium-eng-spa` data, for the page's word
//! popovers, the gloss data embedded in the page and the article's vocabulary list (with its
//! Anki export).
//!
//! How Apertium is used, and why:
//!
//! * In-process by default: [`crate::apertium`] reads the pair's compiled files (the analyser,
//!   the tagger's model, the bilingual dictionary) once per process, shares them read-only
//!   between threads, and answers with the same stream text as the programs below, so
//!   everything after the answer is the same code either way. Where the reader does not know a
//!   file's format, or with `PARALELO_APERTIUM=pipes`, the programs are driven as follows; they
//!   stay the reference that `tests/apertium_diff.rs` checks the reader against. One
//!   deliberate difference: `apertium-tagger` overwrites its open class (the tags it gives an
//!   unknown word) when it meets a word whose tags are no ambiguity class of its model, so a
//!   long-running tagger's answer for a paragraph depends on the paragraphs it read before; the
//!   in-process tagger answers each paragraph as a freshly started one does, so a paragraph's
//!   analysis depends on its text alone (and can be cached).
//! * Two long-lived pipelines, started directly (no shell) and fed through pipes in null-flush
//!   mode (`-z`): every record ends in `\0`, every program flushes and passes the `\0` on, so each
//!   record comes back on its own while the processes stay up for the next one.
//!   - The analyser, `lt-proc -z -w spa-eng.automorf.bin | apertium-tagger -z -g -p
//!     spa-eng.prob`: the first two programs of the `spa-eng` mode. `lt-proc` lists every
//!     analysis of a word; the tagger keeps the one the rest of Apertium's translation would use
//!     (its model weighs the neighbouring words: `este miércoles` is a determiner, not the
//!     pronoun or the noun), `-p` keeps each word's surface form so that it can be found in the
//!     paragraph, and `-w` gives lemmas in the dictionary's case (`Ha` → `haber`, `Japón`).
//!   - The bilingual dictionary, `lt-proc -z -b spa-eng.autobil.bin`, asked once per paragraph
//!     for the lexical forms not asked before (`^abordar<vblex><pp><m><sg>$`). It answers with
//!     every English equivalent, the pair's default first (the one its translations use unless
//!     a lexical-selection rule picks another): mostly, though not always, the commonest sense
//!     (`apoyar`: lean, support).
//! * Every record ends in a newline before its `\0`: `lt-proc` drops a final full stop that the
//!   `\0` follows directly, and the bilingual `lt-proc` does not answer a `$` until it has seen
//!   the character after it.
//! * The stream format's special characters in the paragraph are escaped, so that text such as
//!   `[1]` cannot be taken for a superblank. Each word's byte range comes from finding its
//!   surface form in the paragraph after the previous word, so it is exact by construction.
//! * Each pipeline is a [`crate::process::Pipeline`]: a hung process cannot block the caller,
//!   after the timeout with no answer the pipeline is killed and the call fails, as does every
//!   later call (the pipes may be out of step).
//!
//! FreeDict's Spanish–English dictionary (`dict-freedict-spa-eng`) is not used. It has 4,502
//! headwords and holds only 60 of the 124 lemmas of the shipped seed's content words (none of
//! `apoyar`, `presidente`, `mantener`, `forma`, `militar` …); its first sense is often an odd one
//! (`abordar`: land; `llamada`: appeal; `fila`: grade); and of the 13 seed words whose Apertium
//! glosses are wrong it would mend one (`filas`: rank). It would also be a second package to
//! install for little gain.

mod cache;
mod english;
mod pool;
mod senses;
mod vocabulary;

pub use english::{EnglishAnalyser, EnglishWord, english_words};
pub use pool::{Analysis, Glosses};

use crate::model::NameKind;
pub use senses::{InContext, choose_senses};
pub use vocabulary::{
    VocabularyEntry, VocabularyParagraph, anki_csv, is_function_word, is_transparent_cognate,
    proper_case, study_list, vocabulary,
};

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::process::{Pipeline, ProcessError};

/// How long [`Glosser`] waits for an answer before it gives up on Apertium. A paragraph takes
/// about a millisecond; the first answer, while the dictionaries load, a few tens.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The most English glosses a word gets.
pub const MAX_GLOSSES: usize = 3;

/// The language pair's name, which starts the name of each of its data files.
const PAIR: &str = "spa-eng";

const INSTALL_HINT: &str =
    "install Apertium's Spanish–English pair (Debian: apt-get install apertium-eng-spa)";

/// How long a pipeline whose input was closed may take to exit before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// Lowercase words that may stand between the capitalised words of a name
/// (`Coalición de Voluntarios`, `Organización de las Naciones Unidas`).
const NAME_CONNECTORS: &[&str] = &["de", "del", "la", "las", "los", "el"];

/// Why a paragraph could not be analysed.
#[derive(Debug, thiserror::Error)]
pub enum GlossError {
    /// Apertium or its Spanish–English data is not installed; `hint` says what to install.
    #[error("word glosses are not available: {hint}")]
    NotInstalled { hint: String },
    /// A pipeline sent nothing back for `timeout`; it was killed.
    #[error(
        "Apertium's {stage} sent nothing back for {} s and was stopped",
        timeout.as_secs_f32()
    )]
    TimedOut {
        stage: &'static str,
        timeout: Duration,
    },
    /// A pipeline exited, answered out of step, or was stopped by an earlier failure.
    #[error("Apertium's {stage} failed: {detail}")]
    Crashed { stage: &'static str, detail: String },
    #[error("talking to Apertium's {stage}: {source}")]
    Io {
        stage: &'static str,
        #[source]
        source: io::Error,
    },
}

/// A word class, as a learner's dictionary names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PartOfSpeech {
    Noun,
    ProperNoun,
    Verb,
    Adjective,
    Adverb,
    /// `el`, `la`, `lo`: the definite articles.
    Article,
    /// Other determiners: `este`, `su`, `un`, `ambos`, `todo`.
    Determiner,
    Pronoun,
    Preposition,
    Conjunction,
    Interjection,
    /// A class without a plain name here (abbreviations, symbols).
    Other,
}

impl PartOfSpeech {
    /// Every class, in the order above.
    pub const ALL: [PartOfSpeech; 12] = [
        PartOfSpeech::Noun,
        PartOfSpeech::ProperNoun,
        PartOfSpeech::Verb,
        PartOfSpeech::Adjective,
        PartOfSpeech::Adverb,
        PartOfSpeech::Article,
        PartOfSpeech::Determiner,
        PartOfSpeech::Pronoun,
        PartOfSpeech::Preposition,
        PartOfSpeech::Conjunction,
        PartOfSpeech::Interjection,
        PartOfSpeech::Other,
    ];

    /// The class in plain words: "noun", "proper noun", "verb" …
    pub fn name(self) -> &'static str {
        match self {
            PartOfSpeech::Noun => "noun",
            PartOfSpeech::ProperNoun => "proper noun",
            PartOfSpeech::Verb => "verb",
            PartOfSpeech::Adjective => "adjective",
            PartOfSpeech::Adverb => "adverb",
            PartOfSpeech::Article => "article",
            PartOfSpeech::Determiner => "determiner",
            PartOfSpeech::Pronoun => "pronoun",
            PartOfSpeech::Preposition => "preposition",
            PartOfSpeech::Conjunction => "conjunction",
            PartOfSpeech::Interjection => "interjection",
            PartOfSpeech::Other => "word",
        }
    }

    /// Nouns, verbs, adjectives and adverbs: the words a vocabulary list is for. Names are not
    /// vocabulary, and function words are too few and too frequent to need learning this way.
    pub fn is_content(self) -> bool {
        matches!(
            self,
            PartOfSpeech::Noun
                | PartOfSpeech::Verb
                | PartOfSpeech::Adjective
                | PartOfSpeech::Adverb
        )
    }

    /// The class of an Apertium analysis from its tags; `None` for numbers and punctuation,
    /// which get no gloss.
    fn from_tags(tags: &[String]) -> Option<PartOfSpeech> {
        let has = |tag: &str| tags.iter().any(|t| t == tag);
        let class = match tags.first()?.as_str() {
            "n" => PartOfSpeech::Noun,
            "np" => PartOfSpeech::ProperNoun,
            "vblex" | "vbser" | "vbhaver" | "vbmod" | "vaux" => PartOfSpeech::Verb,
            "adj" => PartOfSpeech::Adjective,
            // `muy`, `tan`: adverbs that only modify other words.
            "adv" | "preadv" => PartOfSpeech::Adverb,
            "det" if has("def") => PartOfSpeech::Article,
            // Apertium files ordinals (`primer`) under determiners; Spanish grammars call them
            // adjectives, as learners' dictionaries do.
            "det" if has("ord") => PartOfSpeech::Adjective,
            "det" | "predet" => PartOfSpeech::Determiner,
            "prn" | "rel" => PartOfSpeech::Pronoun,
            "pr" => PartOfSpeech::Preposition,
            "cnjcoo" | "cnjsub" | "cnjadv" => PartOfSpeech::Conjunction,
            "ij" => PartOfSpeech::Interjection,
            "num" | "sent" | "cm" | "lpar" | "rpar" | "lquest" | "rquest" | "guio" | "quot"
            | "apos" => return None,
            _ => PartOfSpeech::Other,
        };
        Some(class)
    }
}

/// One analysed word of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordGloss {
    /// Byte range of the word in the paragraph. A word is one of Apertium's lexical units,
    /// which is sometimes a fixed expression of several words (`a través de`, `primera
    /// ministra`, `hacer frente a`).
    pub range: Range<usize>,
    /// The dictionary form: `haber` for `ha`, `primer ministro` for `primera ministra`.
    /// Shared, as the details and glosses are, by every occurrence of the word's analysis.
    pub lemma: Arc<str>,
    pub part_of_speech: PartOfSpeech,
    /// The word's form in plain words, without the class: "present, 3rd person singular",
    /// "feminine plural"; empty when there is nothing to say (`antes`).
    pub details: Arc<str>,
    /// One to [`MAX_GLOSSES`] distinct English equivalents of the lemma, the usual one first.
    pub glosses: Arc<[String]>,
}

impl WordGloss {
    /// The kind of name the word is, read from its [`WordGloss::details`] (which name the
    /// tags: "place", "first name", "surname", "organisation", "acronym"), so the cache of
    /// analyses keeps it with no field of its own.
    pub fn name_kind(&self) -> Option<NameKind> {
        // The details read once (names are looked up word by word, page by page).
        let (mut person, mut organisation, mut place, mut acronym) = (false, false, false, false);
        for part in self.details.split(", ") {
            match part {
                "first name" | "surname" => person = true,
                "organisation" => organisation = true,
                "place" => place = true,
                "acronym" => acronym = true,
                _ => {}
            }
        }
        match self.part_of_speech {
            PartOfSpeech::ProperNoun if person => Some(NameKind::Person),
            PartOfSpeech::ProperNoun if organisation => Some(NameKind::Organisation),
            PartOfSpeech::ProperNoun if place => Some(NameKind::Place),
            _ if acronym => Some(NameKind::Organisation),
            _ => None,
        }
    }

    /// Class and details together: "verb, present, 3rd person singular".
    pub fn description(&self) -> String {
        let name = self.part_of_speech.name();
        if self.details.is_empty() {
            name.to_string()
        } else {
            format!("{name}, {}", self.details)
        }
    }
}

/// The folder of the installed `apertium-eng-spa`: under `$APERTIUM_DATADIR` when set (as the
/// `apertium` command has it), else `/usr/local/share/apertium` or `/usr/share/apertium`.
fn pair_dir() -> Result<PathBuf, GlossError> {
    let data_dirs = std::env::var_os("APERTIUM_DATADIR")
        .map(PathBuf::from)
        .into_iter()
        .chain(["/usr/local/share/apertium", "/usr/share/apertium"].map(PathBuf::from));
    let mut tried = Vec::new();
    for data_dir in data_dirs {
        let pair_dir = data_dir.join("apertium-eng-spa");
        if pair_dir.is_dir() {
            return Ok(pair_dir);
        }
        tried.push(pair_dir.display().to_string());
    }
    Err(GlossError::NotInstalled {
        hint: format!("none of {} exists: {INSTALL_HINT}", tried.join(", ")),
    })
}

/// Analyses Spanish paragraphs with Apertium, keeping its processes up between calls.
///
/// It is `Send` but not `Sync`: parallel builds need one per worker, or a lock. Dropping it
/// closes the processes' input and waits briefly for them to exit, then kills them.
pub struct Glosser {
    backend: Backend,
    /// The lexical units already met, parsed, with their English equivalents once looked up:
    /// shared by every thread's glosser of the in-process data, one per glosser through pipes.
    units: Arc<UnitMemo>,
}

/// Parsed lexical units by their analysis text.
type UnitMemo = crate::apertium::Memo<Arc<Unit>>;

/// The most lexical units a [`UnitMemo`] keeps (a word form with its analysis: a few hundred
/// bytes each); see `MEMO_WORDS` in `crate::apertium` for how the bound was chosen.
const MEMO_UNITS: usize = 32_768;

/// Where the analyses come from: Apertium's data read in-process (the default, when this
/// reader knows the files' format), or Apertium's programs through pipes (the reference, and
/// the fallback for other installations).
enum Backend {
    InProcess(Arc<InProcess>),
    Pipes(Box<Pipes>),
}

/// The two pipelines of the pipe-driven glosser.
struct Pipes {
    analyser: Stage,
    bilingual: Stage,
}

/// The pair's Spanish analyser, tagger and bilingual dictionary, loaded once per process and
/// shared read-only by every thread's [`Glosser`].
struct InProcess {
    spanish: crate::apertium::SpanishAnalyser,
    bilingual: crate::apertium::Bilingual,
    units: Arc<UnitMemo>,
}

/// Data loaded once per process for each file or folder asked for, or why it could not be.
type Loaded<T> = Mutex<HashMap<PathBuf, Result<Arc<T>, String>>>;

/// The data for `key`, loaded by `load` on first use.
fn load_once<T>(
    cell: &'static OnceLock<Loaded<T>>,
    key: &Path,
    load: impl FnOnce() -> Result<T, String>,
) -> Result<Arc<T>, String> {
    let mut loaded = cell
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    loaded
        .entry(key.to_path_buf())
        .or_insert_with(|| load().map(Arc::new))
        .clone()
}

/// The in-process data of each pair folder asked for: loaded on first use, or why not.
fn in_process(pair_dir: &Path) -> Result<Arc<InProcess>, String> {
    static LOADED: OnceLock<Loaded<InProcess>> = OnceLock::new();
    load_once(&LOADED, pair_dir, || {
        // Read side by side: a one-seed rebuild waits for both before its first new word.
        let (spanish, bilingual) = rayon::join(
            || crate::apertium::SpanishAnalyser::load(pair_dir),
            || crate::apertium::Bilingual::load(&pair_dir.join(format!("{PAIR}.autobil.bin"))),
        );
        let spanish = spanish.map_err(|e| e.to_string())?;
        let bilingual = bilingual.map_err(|e| e.to_string())?;
        Ok(InProcess {
            spanish,
            bilingual,
            units: Arc::new(UnitMemo::new(MEMO_UNITS)),
        })
    })
}

/// `PARALELO_APERTIUM=pipes` makes every analyser drive Apertium's programs, as before the
/// in-process reader.
fn pipes_wanted() -> bool {
    std::env::var_os("PARALELO_APERTIUM").is_some_and(|v| v == "pipes")
}

impl Glosser {
    /// Starts Apertium with the pair's data where Apertium keeps it: `$APERTIUM_DATADIR` when
    /// set (as the `apertium` command has it), else `/usr/local/share/apertium` or
    /// `/usr/share/apertium`.
    pub fn start_default() -> Result<Glosser, GlossError> {
        Glosser::start(&pair_dir()?, DEFAULT_TIMEOUT)
    }

    /// What identifies the installed data the glosses come from (the pair's folder and the
    /// size and modification time of each of its files), or why there is none: installing or
    /// upgrading `apertium-eng-spa` changes it, so a build glosses every page again.
    pub fn data_identity() -> String {
        let Ok(dir) = pair_dir() else {
            return "no apertium-eng-spa".to_string();
        };
        let mut identity = dir.display().to_string();
        let files = [
            "spa-eng.automorf.bin",
            "spa-eng.prob",
            "spa-eng.autobil.bin",
        ];
        // The English analyser (word senses in context) reads the same package.
        for suffix in files.into_iter().chain(["eng-spa.automorf.bin"]) {
            let path = dir.join(suffix);
            let stamp = std::fs::metadata(&path).ok().map(|m| {
                let modified = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
                (m.len(), modified.map(|d| d.as_nanos()))
            });
            identity.push_str(&format!(" {suffix}:{stamp:?}"));
        }
        identity
    }

    /// Starts Apertium with the data in `pair_dir`, the folder of an installed or compiled
    /// `apertium-eng-spa` (it holds `spa-eng.automorf.bin`, `spa-eng.prob` and
    /// `spa-eng.autobil.bin`). `timeout` bounds each wait for an answer.
    ///
    /// A word goes through both pipelines before this returns, so that a broken installation
    /// fails here, with its message, and the dictionaries are loaded before the first paragraph.
    ///
    /// The data is read in-process when this reader knows its format (see [`crate::apertium`]);
    /// otherwise, or with `PARALELO_APERTIUM=pipes`, Apertium's programs are started.
    pub fn start(pair_dir: &Path, timeout: Duration) -> Result<Glosser, GlossError> {
        if !pipes_wanted() {
            check_installed(pair_dir)?;
            if let Ok(data) = in_process(pair_dir) {
                return Glosser::begin(Backend::InProcess(data));
            }
        }
        Glosser::start_pipes(pair_dir, timeout)
    }

    /// Like [`Glosser::start`], reading the data in-process or failing with why not.
    pub fn start_in_process(pair_dir: &Path) -> Result<Glosser, GlossError> {
        check_installed(pair_dir)?;
        let data = in_process(pair_dir).map_err(|detail| GlossError::Crashed {
            stage: "in-process reader",
            detail,
        })?;
        Glosser::begin(Backend::InProcess(data))
    }

    /// Like [`Glosser::start`], always driving Apertium's programs through pipes.
    pub fn start_pipes(pair_dir: &Path, timeout: Duration) -> Result<Glosser, GlossError> {
        let data = |suffix: &str| {
            let path = pair_dir.join(format!("{PAIR}.{suffix}"));
            if path.is_file() {
                Ok(path)
            } else {
                Err(GlossError::NotInstalled {
                    hint: format!("{} is missing: {INSTALL_HINT}", path.display()),
                })
            }
        };
        let (morphology, tagger, dictionary) =
            (data("automorf.bin")?, data("prob")?, data("autobil.bin")?);

        let mut analyse = Command::new("lt-proc");
        analyse.args(["-z", "-w"]).arg(morphology);
        let mut disambiguate = Command::new("apertium-tagger");
        disambiguate.args(["-z", "-g", "-p"]).arg(tagger);
        let analyser = Stage::start("analyser", vec![analyse, disambiguate], timeout)?;
        let mut translate = Command::new("lt-proc");
        translate.args(["-z", "-b"]).arg(dictionary);
        let bilingual = Stage::start("bilingual dictionary", vec![translate], timeout)?;
        Glosser::begin(Backend::Pipes(Box::new(Pipes {
            analyser,
            bilingual,
        })))
    }

    /// Reads the data in-process rather than through Apertium's programs.
    pub fn is_in_process(&self) -> bool {
        matches!(self.backend, Backend::InProcess(_))
    }

    fn begin(backend: Backend) -> Result<Glosser, GlossError> {
        let units = match &backend {
            Backend::InProcess(data) => Arc::clone(&data.units),
            Backend::Pipes(_) => Arc::new(UnitMemo::new(MEMO_UNITS)),
        };
        let mut glosser = Glosser { backend, units };
        if glosser.analyse("casa")?.is_empty() {
            return Err(GlossError::Crashed {
                stage: "analyser",
                detail: "it did not know the word \"casa\"; is the data for another pair?"
                    .to_string(),
            });
        }
        Ok(glosser)
    }

    /// Analyses a paragraph: the byte ranges of its words with their analysis, in order.
    ///
    /// Only words with at least one English gloss are returned: punctuation, numbers, words the
    /// analyser does not know, the words of multi-word names (`Volodimir Zelenski`, `Grupo de
    /// Contacto`) and the few words without an English equivalent (the reflexive `se`) are left
    /// out.
    pub fn analyse(&mut self, paragraph: &str) -> Result<Vec<WordGloss>, GlossError> {
        let reply = match &mut self.backend {
            Backend::InProcess(data) => {
                has_letters(paragraph).then(|| data.spanish.analyse(paragraph))
            }
            Backend::Pipes(pipes) => pipes.analyser.analyse_text(paragraph)?,
        };
        let Some(reply) = reply else {
            return Ok(Vec::new());
        };
        let tokens = locate(paragraph, &reply, Some(&self.units));
        let in_names = multiword_names(paragraph, &tokens);

        let words: Vec<(&Token, &Glossable)> = tokens
            .iter()
            .zip(in_names)
            .filter(|(_, in_name)| !in_name)
            .filter_map(|(token, _)| Some((token, token.unit.word.as_ref()?)))
            .collect();
        self.look_up(&words)?;

        let glossed = words.into_iter().filter_map(|(token, word)| {
            let range = token.word_range(paragraph);
            let personal = (word.class == PartOfSpeech::Pronoun)
                .then(|| paragraph[range.clone()].to_lowercase())
                .and_then(|lower| Some((personal_pronoun(&lower)?, lower)));
            let (lemma, glosses) = match personal {
                Some((english, lower)) => (
                    lower.into(),
                    english.iter().map(|g| g.to_string()).collect(),
                ),
                None => {
                    let glosses = word.glosses.get().filter(|g| !g.is_empty())?;
                    (word.lemma.clone(), glosses.clone())
                }
            };
            Some(WordGloss {
                range,
                lemma,
                part_of_speech: word.class,
                details: word.details.clone(),
                glosses,
            })
        });
        Ok(glossed.collect())
    }

    /// Asks the bilingual dictionary, in one record, for the forms of the words whose units
    /// have no English equivalents yet.
    fn look_up(&mut self, words: &[(&Token, &Glossable)]) -> Result<(), GlossError> {
        let unknown: Vec<&Glossable> = words
            .iter()
            .map(|(_, word)| *word)
            .filter(|word| word.glosses.get().is_none())
            .collect();
        let mut missing: Vec<&str> = unknown.iter().map(|word| word.form.as_str()).collect();
        missing.sort_unstable();
        missing.dedup();
        if missing.is_empty() {
            return Ok(());
        }
        let reply = match &mut self.backend {
            Backend::InProcess(data) => {
                let mut reply = String::new();
                for form in &missing {
                    data.bilingual.look_up(form, &mut reply);
                    reply.push(' ');
                }
                reply
            }
            Backend::Pipes(pipes) => {
                let mut record = String::new();
                for form in &missing {
                    // Forms keep the analyser's escapes, so they go back as they came.
                    let _ = write!(record, "^{form}$ ");
                }
                record.push_str("\n\0");
                let reply = pipes.bilingual.ask(record)?;
                String::from_utf8_lossy(&reply).into_owned()
            }
        };
        let units = lexical_units(&reply);
        if units.len() != missing.len() {
            let stage = match &mut self.backend {
                Backend::InProcess(_) => "in-process bilingual dictionary",
                Backend::Pipes(pipes) => {
                    pipes.bilingual.pipeline.stop_now();
                    pipes.bilingual.name
                }
            };
            return Err(GlossError::Crashed {
                stage,
                detail: format!(
                    "asked for {} words, it answered {}",
                    missing.len(),
                    units.len()
                ),
            });
        }
        let answers: Vec<Arc<[String]>> = units
            .iter()
            .map(|unit| english_glosses(unit.get(1..).unwrap_or(&[])).into())
            .collect();
        for word in unknown {
            if let Ok(at) = missing.binary_search(&word.form.as_str()) {
                // Another thread may have set the same answer meanwhile.
                let _ = word.glosses.set(answers[at].clone());
            }
        }
        Ok(())
    }
}

/// The lemma Apertium gives most Spanish personal pronouns, in both languages: its English
/// generator picks the form from the tags.
const PERSONAL_PRONOUN: &str = "prpers";

/// English equivalents of the Spanish personal pronouns, which the bilingual dictionary gives
/// as [`PERSONAL_PRONOUN`]. Such a pronoun's lemma is the word itself.
const PERSONAL_PRONOUNS: &[(&str, &[&str])] = &[
    ("yo", &["I"]),
    ("mí", &["me"]),
    ("me", &["me", "myself"]),
    ("conmigo", &["with me"]),
    ("tú", &["you"]),
    ("ti", &["you"]),
    ("te", &["you", "yourself"]),
    ("contigo", &["with you"]),
    ("vos", &["you"]),
    ("usted", &["you"]),
    ("ustedes", &["you"]),
    ("él", &["he", "him", "it"]),
    ("ella", &["she", "her", "it"]),
    ("ello", &["it"]),
    ("lo", &["him", "it", "you"]),
    ("la", &["her", "it", "you"]),
    ("le", &["him", "her", "you"]),
    ("nosotros", &["we", "us"]),
    ("nosotras", &["we", "us"]),
    ("nos", &["us", "ourselves"]),
    ("vosotros", &["you"]),
    ("vosotras", &["you"]),
    ("os", &["you", "yourselves"]),
    ("ellos", &["they", "them"]),
    ("ellas", &["they", "them"]),
    ("los", &["them", "you"]),
    ("las", &["them", "you"]),
    ("les", &["them", "you"]),
];

fn personal_pronoun(word: &str) -> Option<&'static [&'static str]> {
    PERSONAL_PRONOUNS
        .iter()
        .find(|(pronoun, _)| *pronoun == word)
        .map(|(_, english)| *english)
}

/// Words whose shortened form before a noun (`primer contacto`, `gran país`) is Apertium's
/// lemma, with their class there and the full word that dictionaries list.
const APOCOPES: &[(&str, &str, &str)] = &[
    ("primer", "det", "primero"),
    ("tercer", "det", "tercero"),
    ("cualquier", "det", "cualquiera"),
    ("buen", "adj", "bueno"),
    ("mal", "adj", "malo"),
    ("gran", "adj", "grande"),
];

/// The lemma as a dictionary lists it.
fn dictionary_lemma(reading: &Reading) -> String {
    let class = reading.tags.first().map_or("", String::as_str);
    APOCOPES
        .iter()
        .find(|(short, tag, _)| *short == reading.lemma && *tag == class)
        .map_or_else(|| reading.lemma.clone(), |(_, _, full)| full.to_string())
}

/// The distinct English lemmas of a bilingual answer, at most [`MAX_GLOSSES`], in its order.
/// A target starting with `@` is the dictionary saying it has no entry; an empty one is a word
/// English leaves out (`se`).
fn english_glosses(targets: &[&str]) -> Vec<String> {
    let mut glosses: Vec<String> = Vec::new();
    for target in targets.iter().filter(|t| !t.starts_with('@')) {
        let lemma = parse_reading(target).lemma;
        if lemma != PERSONAL_PRONOUN
            && lemma.chars().any(char::is_alphanumeric)
            && !glosses.iter().any(|g| g.eq_ignore_ascii_case(&lemma))
        {
            glosses.push(lemma);
        }
    }
    glosses.truncate(MAX_GLOSSES);
    glosses
}

// ---------------------------------------------------------------------------------------------
// The analyser's answer

/// One lexical unit of the analyser's answer, located in the paragraph.
#[derive(Debug)]
struct Token {
    /// Byte range of the surface form in the paragraph.
    range: Range<usize>,
    unit: Arc<Unit>,
}

/// What the analysis of a lexical unit says, whatever its surface form: parsed once per
/// distinct analysis text and kept in a [`UnitMemo`]. The analysis is one reading, or several
/// joined by `+` for a contraction or a verb with attached pronouns (`del` = `de` + `el`); none
/// when the analyser does not know the word.
#[derive(Debug)]
struct Unit {
    /// The analyser knows the word (it has readings).
    known: bool,
    /// The first and the last reading are not words (punctuation a reading joined).
    joined_before: bool,
    joined_after: bool,
    /// The head reading (the first that is a word: `, puesto que` is the comma + `puesto
    /// que`) is a proper noun.
    proper_noun: bool,
    /// What the word is glossed by, when it is a word of a class that gets a gloss.
    word: Option<Glossable>,
}

/// The head reading of a unit that may get a gloss, with what its gloss is made of.
#[derive(Debug)]
struct Glossable {
    class: PartOfSpeech,
    /// The dictionary form of the head reading's lemma.
    lemma: Arc<str>,
    details: Arc<str>,
    /// The head reading's lexical form, as the bilingual dictionary takes it.
    form: String,
    /// Its English equivalents, once the bilingual dictionary was asked.
    glosses: OnceLock<Arc<[String]>>,
}

impl Unit {
    /// Parses the analysis field of a lexical unit (still escaped).
    fn parse(analysis: &str) -> Unit {
        let readings: Vec<Reading> = if analysis.starts_with('*') {
            Vec::new()
        } else {
            split_unescaped(analysis, b'+')
                .into_iter()
                .map(parse_reading)
                .collect()
        };
        let head = readings.iter().position(Reading::is_word);
        let word = head.and_then(|head| {
            let reading = &readings[head];
            Some(Glossable {
                class: PartOfSpeech::from_tags(&reading.tags)?,
                lemma: dictionary_lemma(reading).into(),
                details: details(&readings, head).into(),
                form: reading.form.clone(),
                glosses: OnceLock::new(),
            })
        });
        Unit {
            known: !readings.is_empty(),
            joined_before: readings.first().is_some_and(|r| !r.is_word()),
            joined_after: readings.last().is_some_and(|r| !r.is_word()),
            proper_noun: head.is_some_and(|h| readings[h].tags.first().is_some_and(|t| t == "np")),
            word,
        }
    }
}

impl Token {
    fn is_capitalised(&self, paragraph: &str) -> bool {
        paragraph[self.range.clone()]
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
    }

    fn has_letters(&self, paragraph: &str) -> bool {
        paragraph[self.range.clone()]
            .chars()
            .any(char::is_alphabetic)
    }

    /// The range without the punctuation that a joined reading brought in.
    fn word_range(&self, paragraph: &str) -> Range<usize> {
        let mut range = self.range.clone();
        let text = &paragraph[range.clone()];
        let trim = |c: char| !c.is_alphanumeric();
        if self.unit.joined_before {
            range.start += text.len() - text.trim_start_matches(trim).len();
        }
        if self.unit.joined_after {
            range.end -= text.len() - text.trim_end_matches(trim).len();
        }
        if range.start < range.end {
            range
        } else {
            self.range.clone()
        }
    }
}

/// One reading of a lexical unit.
#[derive(Debug, PartialEq, Eq)]
struct Reading {
    /// The lemma as a reader writes it, a multi-word one with its spaces: `hacer frente a`.
    lemma: String,
    tags: Vec<String>,
    /// The lexical form as the bilingual dictionary takes it (escaped, the tail of a multi-word
    /// lemma before the tags, as `apertium-pretransfer` writes it): `hacer# frente a<vblex><inf>`.
    form: String,
}

impl Reading {
    fn is_word(&self) -> bool {
        self.lemma.chars().any(char::is_alphabetic)
    }
}

/// Parses `lemma<tag>…`, where a multi-word lemma may have its invariable tail after the tags
/// (`hacer<vblex><inf># frente a`, from the analyser) or before them (`take# into
/// account<vblex>`, from the bilingual dictionary).
fn parse_reading(raw: &str) -> Reading {
    let tags_start = unescaped(raw, b"<").unwrap_or(raw.len());
    let (head, mut rest) = raw.split_at(tags_start);
    let mut tags = Vec::new();
    while let Some(inner) = rest.strip_prefix('<') {
        let Some(end) = inner.find('>') else { break };
        tags.push(inner[..end].to_string());
        rest = &inner[end + 1..];
    }
    let tail = rest;
    let tag_text = &raw[tags_start..raw.len() - tail.len()];
    Reading {
        lemma: unescape(&format!("{head}{tail}")).replace('#', ""),
        tags,
        form: format!("{head}{tail}{tag_text}"),
    }
}

/// Finds each lexical unit of the analyser's answer in the paragraph, in order, its analysis
/// parsed or taken from `memo`. A surface form that cannot be found (which would take a
/// character the analyser rewrites) is left out.
fn locate(paragraph: &str, stream: &str, memo: Option<&UnitMemo>) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut cursor = 0;
    for unit in unit_texts(stream) {
        let Some(at) = unescaped(unit, b"/") else {
            continue;
        };
        let surface = &unit[..at];
        let rest = &unit[at + 1..];
        let analysis = &rest[..unescaped(rest, b"/").unwrap_or(rest.len())];
        let surface = if surface.contains('\\') {
            Cow::Owned(unescape(surface))
        } else {
            Cow::Borrowed(surface)
        };
        let Some(start) = find_from(paragraph, cursor, &surface) else {
            continue;
        };
        cursor = start + surface.len();
        let unit = match memo {
            Some(memo) => memo.get_or_make(analysis, || Arc::new(Unit::parse(analysis))),
            None => Arc::new(Unit::parse(analysis)),
        };
        tokens.push(Token {
            range: start..cursor,
            unit,
        });
    }
    tokens
}

/// Where `surface` is next found in `text` from `cursor`: most often right there, or after
/// blanks. `None` when it is empty or not found.
fn find_from(text: &str, cursor: usize, surface: &str) -> Option<usize> {
    if surface.is_empty() {
        return None;
    }
    let rest = &text[cursor..];
    // An earlier match would start with a blank.
    let blanks = match surface.starts_with(char::is_whitespace) {
        true => 0,
        false => rest.len() - rest.trim_start().len(),
    };
    if rest[blanks..].starts_with(surface) {
        return Some(cursor + blanks);
    }
    Some(cursor + rest.find(surface)?)
}

/// Marks the tokens that belong to a name of several words: capitalised words in a row (with
/// `de`, `la` … between them), where a sentence's first word counts as capitalised only if the
/// analyser takes it for a name or does not know it (`El Gobierno` is not a name).
fn multiword_names(paragraph: &str, tokens: &[Token]) -> Vec<bool> {
    let sentence_starts: Vec<usize> = crate::text::sentences::split(paragraph, "es")
        .into_iter()
        .map(|sentence| sentence.start)
        .collect();
    let mut next_sentence = sentence_starts.iter().peekable();
    let mut at_sentence_start = false;
    let mut name_like = Vec::with_capacity(tokens.len());
    for token in tokens {
        while next_sentence
            .peek()
            .is_some_and(|&&start| start <= token.range.start)
        {
            next_sentence.next();
            at_sentence_start = true;
        }
        // A sentence that opens with `¿`, `(` or a number still starts at its first word.
        if !token.has_letters(paragraph) {
            name_like.push(false);
            continue;
        }
        name_like.push(
            token.is_capitalised(paragraph)
                && (!at_sentence_start || !token.unit.known || token.unit.proper_noun),
        );
        at_sentence_start = false;
    }
    let connector = |i: usize| NAME_CONNECTORS.contains(&&paragraph[tokens[i].range.clone()]);
    let adjacent = |i: usize| {
        paragraph[tokens[i - 1].range.end..tokens[i].range.start]
            .chars()
            .all(char::is_whitespace)
    };

    let mut in_name = vec![false; tokens.len()];
    let mut i = 0;
    while i < tokens.len() {
        if !name_like[i] {
            i += 1;
            continue;
        }
        let (mut last, mut words) = (i, 1);
        loop {
            let mut next = last + 1;
            while next < tokens.len() && connector(next) && adjacent(next) {
                next += 1;
            }
            if next < tokens.len() && name_like[next] && adjacent(next) {
                last = next;
                words += 1;
            } else {
                break;
            }
        }
        if words > 1 {
            in_name[i..=last].fill(true);
        }
        i = last + 1;
    }
    in_name
}

/// The word's form in plain words, from the head reading's tags, and what is joined to it.
fn details(readings: &[Reading], head: usize) -> String {
    let mut parts = describe_tags(&readings[head].tags);
    let mut pronouns = 0;
    for joined in readings[head + 1..].iter().filter(|r| r.is_word()) {
        match PartOfSpeech::from_tags(&joined.tags) {
            Some(PartOfSpeech::Article) => parts.push(format!("contracted with {}", joined.lemma)),
            // Not named: most have the placeholder lemma `prpers`.
            Some(PartOfSpeech::Pronoun) => pronouns += 1,
            _ => parts.push(format!("followed by {}", joined.lemma)),
        }
    }
    match pronouns {
        0 => {}
        1 => parts.push("with an attached pronoun".to_string()),
        _ => parts.push("with attached pronouns".to_string()),
    }
    parts.join(", ")
}

/// What a tag says, and how it joins the words before it.
enum Feature {
    Person,
    Gender,
    /// Joins a person or gender before it: "3rd person singular", "feminine plural".
    Number,
    Other,
}

/// The tags in plain words, but for the class itself (which [`PartOfSpeech`] names), unless it
/// says more than the class (`rel`: relative pronoun; `cnjcoo`: coordinating conjunction).
fn describe_tags(tags: &[String]) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut joins_next = false;
    for tag in tags {
        let (feature, words) = match tag.as_str() {
            "inf" => (Feature::Other, "infinitive"),
            "ger" => (Feature::Other, "gerund"),
            "pp" => (Feature::Other, "past participle"),
            "pri" => (Feature::Other, "present"),
            "pii" => (Feature::Other, "imperfect"),
            "ifi" => (Feature::Other, "preterite"),
            "fti" => (Feature::Other, "future"),
            "cni" => (Feature::Other, "conditional"),
            "prs" => (Feature::Other, "present subjunctive"),
            "pis" => (Feature::Other, "imperfect subjunctive"),
            "fts" => (Feature::Other, "future subjunctive"),
            "imp" => (Feature::Other, "imperative"),
            "p1" => (Feature::Person, "1st person"),
            "p2" => (Feature::Person, "2nd person"),
            "p3" => (Feature::Person, "3rd person"),
            "m" => (Feature::Gender, "masculine"),
            "f" => (Feature::Gender, "feminine"),
            "nt" => (Feature::Gender, "neuter"),
            "sg" => (Feature::Number, "singular"),
            "pl" => (Feature::Number, "plural"),
            "sp" => (Feature::Number, "singular or plural"),
            "def" => (Feature::Other, "definite"),
            "ind" => (Feature::Other, "indefinite"),
            "dem" => (Feature::Other, "demonstrative"),
            "pos" => (Feature::Other, "possessive"),
            "qnt" => (Feature::Other, "quantifier"),
            "itg" => (Feature::Other, "interrogative"),
            "ord" => (Feature::Other, "ordinal"),
            "ref" => (Feature::Other, "reflexive"),
            "rel" => (Feature::Other, "relative"),
            "tn" => (Feature::Other, "stressed"),
            "pro" | "enc" => (Feature::Other, "unstressed"),
            "comp" => (Feature::Other, "comparative"),
            "sup" => (Feature::Other, "superlative"),
            "cnjcoo" => (Feature::Other, "coordinating"),
            "cnjsub" => (Feature::Other, "subordinating"),
            "loc" => (Feature::Other, "place"),
            "ant" => (Feature::Other, "first name"),
            "cog" => (Feature::Other, "surname"),
            // Apertium has no `org`: organisations are `al` (Naciones Unidas, Google).
            "org" | "al" => (Feature::Other, "organisation"),
            "acr" => (Feature::Other, "acronym"),
            // `mf` (either gender) and the rest say nothing a reader needs.
            _ => continue,
        };
        match (feature, parts.last_mut()) {
            (Feature::Number, Some(last)) if joins_next => {
                last.push(' ');
                last.push_str(words);
                joins_next = false;
            }
            (feature, _) => {
                joins_next = matches!(feature, Feature::Person | Feature::Gender);
                parts.push(words.to_string());
            }
        }
    }
    parts
}

// ---------------------------------------------------------------------------------------------
// Apertium's stream format

/// The characters the stream format reserves, which text must escape with `\`.
fn is_reserved(c: char) -> bool {
    matches!(
        c,
        '\\' | '^' | '$' | '/' | '<' | '>' | '[' | ']' | '{' | '}' | '@'
    )
}

/// The paragraph as stream text. A NUL, which would end the record, becomes a space.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        if is_reserved(c) {
            escaped.push('\\');
        }
        escaped.push(if c == '\0' { ' ' } else { c });
    }
    escaped
}

fn unescape(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => plain.extend(chars.next()),
            c => plain.push(c),
        }
    }
    plain
}

/// The byte offset of the first of `bytes` in `text` that no `\` escapes. They are ASCII, so
/// the offset is a char boundary (UTF-8 continuation bytes are never ASCII).
fn unescaped(text: &str, bytes: &[u8]) -> Option<usize> {
    crate::apertium::find_unescaped(text.as_bytes(), 0, bytes)
}

fn split_unescaped(text: &str, separator: u8) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(at) = unescaped(rest, &[separator]) {
        pieces.push(&rest[..at]);
        rest = &rest[at + 1..];
    }
    pieces.push(rest);
    pieces
}

/// The lexical units (`^…$`) of a stream, each cut into its `/`-separated fields, still
/// escaped. Blanks between them, and superblanks (`[…]`), are skipped.
fn lexical_units(stream: &str) -> Vec<Vec<&str>> {
    unit_texts(stream)
        .map(|unit| split_unescaped(unit, b'/'))
        .collect()
}

/// The text inside each lexical unit (`^…$`) of a stream, still escaped; blanks and
/// superblanks are skipped.
fn unit_texts(stream: &str) -> impl Iterator<Item = &str> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        loop {
            let at = unescaped(rest, b"^[")?;
            let opener = rest.as_bytes()[at];
            let inner = &rest[at + 1..];
            let closer = if opener == b'^' { b'$' } else { b']' };
            let end = unescaped(inner, &[closer])?;
            rest = &inner[end + 1..];
            if opener == b'^' {
                return Some(&inner[..end]);
            }
        }
    })
}

// ---------------------------------------------------------------------------------------------
// The processes

/// One of the glosser's pipelines, with the name its errors give it.
struct Stage {
    name: &'static str,
    pipeline: Pipeline,
}

impl Stage {
    fn start(
        name: &'static str,
        commands: Vec<Command>,
        timeout: Duration,
    ) -> Result<Stage, GlossError> {
        let pipeline =
            Pipeline::spawn(commands, timeout, EXIT_GRACE).map_err(|e| stage_error(name, e))?;
        Ok(Stage { name, pipeline })
    }

    /// Sends one record (ending in `\0`) and waits for its answer.
    fn ask(&mut self, record: String) -> Result<Vec<u8>, GlossError> {
        let name = self.name;
        self.pipeline
            .request(record.into_bytes())
            .map_err(|e| stage_error(name, e))
    }

    /// Asks the analyser about one text: `None` when it has no letters to analyse.
    fn analyse_text(&mut self, text: &str) -> Result<Option<String>, GlossError> {
        if !has_letters(text) {
            return Ok(None);
        }
        let mut record = escape(text);
        record.push_str("\n\0");
        let reply = self.ask(record)?;
        Ok(Some(String::from_utf8_lossy(&reply).into_owned()))
    }
}

/// A text with something to analyse.
fn has_letters(text: &str) -> bool {
    text.chars().any(char::is_alphabetic)
}

/// `pair_dir` holds the pair's data, or the error says what to install.
fn check_installed(pair_dir: &Path) -> Result<(), GlossError> {
    for suffix in ["automorf.bin", "prob", "autobil.bin"] {
        let path = pair_dir.join(format!("{PAIR}.{suffix}"));
        if !path.is_file() {
            return Err(GlossError::NotInstalled {
                hint: format!("{} is missing: {INSTALL_HINT}", path.display()),
            });
        }
    }
    Ok(())
}

/// What went wrong with a pipeline, in the glosser's words: a program that is not there means
/// that Apertium is not installed.
fn stage_error(stage: &'static str, error: ProcessError) -> GlossError {
    match error {
        ProcessError::Spawn { program, source } if source.kind() == io::ErrorKind::NotFound => {
            GlossError::NotInstalled {
                hint: format!("`{program}` is not in PATH: {INSTALL_HINT}"),
            }
        }
        ProcessError::Spawn { source, .. } | ProcessError::Io(source) => {
            GlossError::Io { stage, source }
        }
        ProcessError::TimedOut { timeout } => GlossError::TimedOut { stage, timeout },
        crash @ (ProcessError::Exited { .. } | ProcessError::Stopped) => GlossError::Crashed {
            stage,
            detail: crash.to_string(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// What the page and the vocabulary list are made of

/// The distinct analyses of a page's words, for embedding in the page as JSON. Each word's
/// element refers to its analysis by the index [`GlossTable::add`] returns, so a word that
/// recurs costs the page a few bytes, and a surface form analysed two ways (`forma`, noun and
/// verb) keeps both.
#[derive(Debug, Default)]
pub struct GlossTable {
    /// The entries' JSON arrays, one after the other, separated by commas.
    json: String,
    /// Each entry's index by its JSON.
    index: rustc_hash::FxHashMap<Box<str>, usize>,
    /// The entry being added (a word's JSON is built here, and kept only when it is new).
    scratch: String,
}

impl GlossTable {
    /// Adds the word's analysis if it is new; returns its index either way.
    pub fn add(&mut self, word: &WordGloss) -> usize {
        self.add_in_context(word, None)
    }

    /// [`GlossTable::add`], with the translation's own word for it when it uses none of the
    /// dictionary's senses (an entry's fifth item, absent otherwise).
    pub fn add_in_context(&mut self, word: &WordGloss, here: Option<&str>) -> usize {
        let entry = &mut self.scratch;
        entry.clear();
        entry.push('[');
        push_json_string(entry, &word.lemma);
        entry.push(',');
        push_json_string(entry, word.part_of_speech.name());
        entry.push(',');
        push_json_string(entry, &word.details);
        entry.push_str(",[");
        for (i, gloss) in word.glosses.iter().enumerate() {
            if i > 0 {
                entry.push(',');
            }
            push_json_string(entry, gloss);
        }
        entry.push(']');
        if let Some(here) = here {
            entry.push(',');
            push_json_string(entry, here);
        }
        entry.push(']');
        if let Some(&known) = self.index.get(entry.as_str()) {
            return known;
        }
        let new = self.index.len();
        if new > 0 {
            self.json.push(',');
        }
        self.json.push_str(entry);
        self.index.insert(entry.as_str().into(), new);
        new
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The entries as a compact JSON array of `[lemma, pos, details, [glosses…]]` arrays (and a
    /// fifth item, `here`, when there is one; arrays rather than objects, whose keys cost a page
    /// 7 KB), safe inside an HTML `<script>` element (no `<`, `>` or `&`).
    pub fn to_json(&self) -> String {
        format!("[{}]", self.json)
    }
}

/// The [`GlossTable`] JSON of `words` (index `i` is the `i`-th distinct analysis among them).
pub fn page_data<'a>(words: impl IntoIterator<Item = &'a WordGloss>) -> String {
    let mut table = GlossTable::default();
    for word in words {
        table.add(word);
    }
    table.to_json()
}

fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    // Most texts have nothing to escape: copied whole. (0xE2 starts U+2028 and U+2029.)
    // Without branches (`&` on booleans, no early exit), so that many bytes are tested at once.
    let plain = |b: u8| {
        (b >= b' ')
            & (b != b'"')
            & (b != b'\\')
            & (b != b'<')
            & (b != b'>')
            & (b != b'&')
            & (b != 0xE2)
    };
    if text.bytes().fold(true, |all, b| all & plain(b)) {
        out.push_str(text);
    } else {
        for c in text.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                // `<`, `>` and `&` could end or confuse the `<script>` element the JSON is
                // embedded in; U+2028 and U+2029 end lines in older JavaScript.
                c if c < ' ' || matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}') => {
                    let _ = write!(out, "\\u{:04x}", u32::from(c));
                }
                c => out.push(c),
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn reading(raw: &str) -> Reading {
        parse_reading(raw)
    }

    #[test]
    fn stream_units_and_escapes() {
        let stream = r"^Ha/haber<vbhaver><pri><p3><sg>$ \^x [sb\]^y$] ^a\/b/*a\/b$^./.<sent>$";
        assert_eq!(
            lexical_units(stream),
            [
                vec!["Ha", "haber<vbhaver><pri><p3><sg>"],
                vec![r"a\/b", r"*a\/b"],
                vec![".", ".<sent>"],
            ]
        );
        assert_eq!(unescape(r"a\/b\\c"), r"a/b\c");
        assert_eq!(escape("[1] a/b ^$ ü\0"), r"\[1\] a\/b \^\$ ü ");
        assert!(lexical_units("^unfinished/x").is_empty());
    }

    #[test]
    fn readings_and_multiword_lemmas() {
        let verb = reading("hacer<vblex><inf># frente a");
        assert_eq!(verb.lemma, "hacer frente a");
        assert_eq!(verb.tags, ["vblex", "inf"]);
        assert_eq!(verb.form, "hacer# frente a<vblex><inf>");
        assert_eq!(
            reading("take# into account<vblex><ger>").lemma,
            "take into account"
        );
        let noun = reading("primer ministro<n><f><sg>");
        assert_eq!(noun.lemma, "primer ministro");
        assert_eq!(noun.form, "primer ministro<n><f><sg>");
        assert_eq!(reading(r"\<<sent>").lemma, "<");
    }

    #[test]
    fn dictionary_lemmas_and_pronouns() {
        assert_eq!(
            dictionary_lemma(&reading("primer<det><ord><m><sg>")),
            "primero"
        );
        assert_eq!(dictionary_lemma(&reading("gran<adj><mf><sg>")), "grande");
        assert_eq!(dictionary_lemma(&reading("mal<adv>")), "mal");
        assert_eq!(dictionary_lemma(&reading("casa<n><f><sg>")), "casa");
        assert_eq!(personal_pronoun("los"), Some(&["them", "you"][..]));
        assert_eq!(personal_pronoun("casa"), None);
    }

    #[test]
    fn a_glosser_can_move_to_another_thread() {
        fn send<T: Send>() {}
        send::<Glosser>();
    }

    #[test]
    fn english_glosses_are_distinct_and_few() {
        assert_eq!(
            english_glosses(&[
                "accost<vblex>",
                "address<vblex>",
                "tackle<vblex>",
                "x<vblex>"
            ]),
            ["accost", "address", "tackle"]
        );
        assert_eq!(
            english_glosses(&["main<adj>", "Main<adj>", "great<adj><sint>"]),
            ["main", "great"]
        );
        assert!(english_glosses(&["@paz<n>"]).is_empty());
        assert!(english_glosses(&[""]).is_empty());
        assert!(english_glosses(&["prpers<prn><obj><p3><nt>"]).is_empty());
    }

    #[test]
    fn tags_in_plain_words() {
        let describe = |raw: &str| {
            let reading = reading(raw);
            let word = WordGloss {
                range: 0..0,
                lemma: reading.lemma.as_str().into(),
                part_of_speech: PartOfSpeech::from_tags(&reading.tags).unwrap(),
                details: details(&[reading], 0).into(),
                glosses: [].into(),
            };
            word.description()
        };
        assert_eq!(
            describe("haber<vbhaver><pri><p3><sg>"),
            "verb, present, 3rd person singular"
        );
        assert_eq!(
            describe("elegir<vblex><pp><f><sg>"),
            "verb, past participle, feminine singular"
        );
        assert_eq!(describe("capaz<adj><mf><pl>"), "adjective, plural");
        assert_eq!(
            describe("miércoles<n><m><sp>"),
            "noun, masculine singular or plural"
        );
        assert_eq!(
            describe("el<det><def><f><sg>"),
            "article, definite, feminine singular"
        );
        assert_eq!(
            describe("primer<det><ord><m><sg>"),
            "adjective, ordinal, masculine singular"
        );
        assert_eq!(
            describe("Japón<np><loc><m><sg>"),
            "proper noun, place, masculine singular"
        );
        assert_eq!(describe("antes<adv>"), "adverb");
        assert_eq!(
            describe("que<rel><an><mf><sp>"),
            "pronoun, relative, singular or plural"
        );
        assert_eq!(describe("y<cnjcoo>"), "conjunction, coordinating");
        assert!(PartOfSpeech::from_tags(&["num".to_string()]).is_none());
        assert!(PartOfSpeech::from_tags(&["cm".to_string()]).is_none());

        let del = ["de<pr>", "el<det><def><m><sg>"].map(reading);
        assert_eq!(details(&del, 0), "contracted with el");
        let verb = ["apoyar<vblex><inf>", "prpers<prn><enc><p3><f><sg>"].map(reading);
        assert_eq!(details(&verb, 0), "infinitive, with an attached pronoun");
        let verb = [
            "dar<vblex><imp><p2><sg>",
            "prpers<prn><enc><p1><mf><sg>",
            "lo<prn><enc><p3><nt>",
        ]
        .map(reading);
        assert_eq!(
            details(&verb, 0),
            "imperative, 2nd person singular, with attached pronouns"
        );
    }

    /// The tokens of a hand-written analyser answer for `paragraph`.
    fn tokens(paragraph: &str, stream: &str) -> Vec<Token> {
        let tokens = locate(paragraph, stream, None);
        for token in &tokens {
            assert!(paragraph.get(token.range.clone()).is_some());
        }
        tokens
    }

    fn names<'a>(paragraph: &'a str, tokens: &[Token]) -> Vec<&'a str> {
        tokens
            .iter()
            .zip(multiword_names(paragraph, tokens))
            .filter(|(_, in_name)| *in_name)
            .map(|(token, _)| &paragraph[token.range.clone()])
            .collect()
    }

    #[test]
    fn multiword_names_are_found() {
        let paragraph = "El Grupo de Contacto apoya a Ucrania y Japón, dijo Sanae Takaichi.";
        let stream = "^El/el<det><def><m><sg>$ ^Grupo/grupo<n><m><sg>$ ^de/de<pr>$ \
            ^Contacto/contacto<n><m><sg>$ ^apoya/apoyar<vblex><pri><p3><sg>$ ^a/a<pr>$ \
            ^Ucrania/Ucrania<np><loc><f><sg>$ ^y/y<cnjcoo>$ ^Japón/Japón<np><loc><m><sg>$^,/,<cm>$ \
            ^dijo/decir<vblex><ifi><p3><sg>$ ^Sanae/*Sanae$ ^Takaichi/*Takaichi$^./.<sent>$";
        let found = tokens(paragraph, stream);
        assert_eq!(found.len(), 14);
        assert_eq!(
            names(paragraph, &found),
            ["Grupo", "de", "Contacto", "Sanae", "Takaichi"]
        );

        // A sentence's first word is capitalised anyway: only a name there starts a name.
        let paragraph = "Volodimir Zelenski habló. Presidencia Ucraniana no.";
        let stream = "^Volodimir/*Volodimir$ ^Zelenski/*Zelenski$ ^habló/hablar<vblex><ifi><p3><sg>$^./.<sent>$ \
            ^Presidencia/presidencia<n><f><sg>$ ^Ucraniana/ucraniano<adj><f><sg>$ ^no/no<adv>$^./.<sent>$";
        assert_eq!(
            names(paragraph, &tokens(paragraph, stream)),
            ["Volodimir", "Zelenski"]
        );

        // A quotation mark or comma between two capitalised words parts them.
        let paragraph = "Dijo «Kiev» Tokio, Madrid";
        let stream = "^Dijo/decir<vblex><ifi><p3><sg>$ «^Kiev/Kiev<np><loc><m><sg>$» \
            ^Tokio/Tokio<np><loc><m><sg>$^,/,<cm>$ ^Madrid/Madrid<np><loc><m><sg>$";
        assert!(names(paragraph, &tokens(paragraph, stream)).is_empty());
    }

    #[test]
    fn a_surface_is_found_at_the_cursor_after_blanks_or_further_on() {
        let text = "de  la casa, la";
        assert_eq!(find_from(text, 0, "de"), Some(0));
        assert_eq!(find_from(text, 2, "la"), Some(4));
        assert_eq!(find_from(text, 6, "la"), Some(13), "past `casa,`");
        assert_eq!(find_from(text, 2, " la"), Some(3), "a surface with a blank");
        assert_eq!(find_from(text, 2, "perro"), None);
        assert_eq!(find_from(text, 2, ""), None);
    }

    #[test]
    fn joined_punctuation_is_trimmed_from_the_range() {
        let paragraph = "Ayuda, puesto que sí";
        let stream = "^Ayuda/ayuda<n><f><sg>$^, puesto que/,<cm>+puesto que<cnjadv>$ ^sí/sí<adv>$";
        let found = tokens(paragraph, stream);
        assert_eq!(&paragraph[found[1].range.clone()], ", puesto que");
        assert_eq!(&paragraph[found[1].word_range(paragraph)], "puesto que");
        assert!(found[1].unit.joined_before);
        assert_eq!(
            found[1].unit.word.as_ref().map(|w| &*w.lemma),
            Some("puesto que")
        );
    }

    #[test]
    fn surfaces_not_in_the_paragraph_are_skipped() {
        let found = tokens("uno dos", "^uno/uno<num>$ ^tres/tres<num>$ ^dos/dos<num>$");
        let ranges: Vec<_> = found.iter().map(|t| t.range.clone()).collect();
        assert_eq!(ranges, [0..3, 4..7]);
    }

    pub(crate) fn word(
        range: Range<usize>,
        lemma: &str,
        class: PartOfSpeech,
        glosses: &[&str],
    ) -> WordGloss {
        WordGloss {
            range,
            lemma: lemma.into(),
            part_of_speech: class,
            details: "".into(),
            glosses: glosses.iter().map(|g| g.to_string()).collect(),
        }
    }

    #[test]
    fn page_data_is_compact_deduplicated_and_script_safe() {
        let a = word(
            0..1,
            "a<b>&\"c\"",
            PartOfSpeech::Noun,
            &["x\\y", "z\u{2028}"],
        );
        let b = word(5..6, "paz", PartOfSpeech::Noun, &["peace"]);
        let mut table = GlossTable::default();
        assert_eq!(table.add(&a), 0);
        assert_eq!(table.add(&b), 1);
        assert_eq!(
            table.add(&word(9..10, "paz", PartOfSpeech::Noun, &["peace"])),
            1
        );
        assert_eq!(table.len(), 2);
        let json = table.to_json();
        assert_eq!(
            json,
            r#"[["a\u003cb\u003e\u0026\"c\"","noun","",["x\\y","z\u2028"]],["paz","noun","",["peace"]]]"#
        );
        assert_eq!(page_data([&a, &b, &b]), json);
        assert_eq!(page_data([]), "[]");
    }

    #[test]
    fn gloss_table_entries_differ_by_their_word_in_context_and_escape_only_what_they_must() {
        let mut table = GlossTable::default();
        let año = word(0..4, "año", PartOfSpeech::Noun, &["year", "€\turo"]);
        assert_eq!(table.add_in_context(&año, None), 0);
        assert_eq!(table.add_in_context(&año, Some("years")), 1);
        assert_eq!(table.add_in_context(&año, Some("years")), 1);
        assert_eq!(table.add(&año), 0);
        let tab = word(0..1, "a\tb\n", PartOfSpeech::Other, &["\u{1}"]);
        assert_eq!(table.add(&tab), 2);
        assert_eq!(
            table.to_json(),
            r#"[["año","noun","",["year","€\u0009uro"]],["año","noun","",["year","€\u0009uro"],"years"],["a\u0009b\n","word","",["\u0001"]]]"#
        );
        assert!(GlossTable::default().is_empty());
        assert_eq!(GlossTable::default().to_json(), "[]");
    }

    fn stage(lines: &[&[&str]], timeout: Duration) -> Stage {
        match Stage::start("test", crate::process::tests::commands(lines), timeout) {
            Ok(stage) => stage,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_hung_pipeline_times_out_and_stays_stopped() {
        let mut hung = stage(&[&["sleep", "60"]], Duration::from_millis(200));
        let error = hung.ask("x\0".to_string()).unwrap_err();
        assert!(matches!(error, GlossError::TimedOut { .. }), "{error}");
        assert_eq!(
            error.to_string(),
            "Apertium's test sent nothing back for 0.2 s and was stopped"
        );
        let again = hung.ask("x\0".to_string()).unwrap_err();
        assert!(matches!(again, GlossError::Crashed { .. }), "{again}");
    }

    #[test]
    fn an_exited_pipeline_reports_its_stderr() {
        let mut dead = stage(
            &[&["sh", "-c", "echo 'bad data file' >&2"]],
            Duration::from_secs(10),
        );
        let error = dead.ask("x\0".to_string()).unwrap_err();
        assert!(matches!(error, GlossError::Crashed { .. }), "{error}");
        assert!(error.to_string().contains("bad data file"), "{error}");
    }

    #[test]
    fn missing_programs_and_data_are_not_installed() {
        let commands = vec![Command::new("paralelo-no-such-program")];
        let error = Stage::start("test", commands, DEFAULT_TIMEOUT)
            .err()
            .unwrap();
        assert!(matches!(error, GlossError::NotInstalled { .. }), "{error}");
        let error = Glosser::start(Path::new("/nonexistent"), DEFAULT_TIMEOUT)
            .err()
            .unwrap();
        assert!(
            matches!(&error, GlossError::NotInstalled { hint } if hint.contains("apertium-eng-spa")),
            "{error}"
        );
    }
}
