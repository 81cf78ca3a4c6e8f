//! Gives each seed its second language: the authored `<stem>.<lang>.txt`, paired paragraph by
//! paragraph, or else a machine translation made sentence by sentence.

pub mod apertium;
pub mod cache;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Deserialize;

use crate::config::MachineSettings;
use crate::error::{Error, Location, Result};
use crate::model::{Article, Caption, Dateline, Paragraph, Seed, Side, Translator, WireText};
use crate::text::{seed, sentences};
use apertium::{Apertium, MtError, Translated};
use cache::Cache;

/// The front matter of an authored translation, between two `+++` lines.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: Option<String>,
    original_title: Option<String>,
    translator: Option<String>,
    slug: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

/// Where the authored translation of `seed` into `lang` lives.
pub fn authored_path(seed: &Path, lang: &str) -> PathBuf {
    // On the path's bytes where they are the path: `Path`'s component parsing showed in
    // rebuilds of large archives, which ask this of every seed.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        let bytes = seed.as_os_str().as_encoded_bytes();
        if let Some(stem) =
            (bytes.strip_suffix(b".txt")).filter(|s| !s.is_empty() && !s.ends_with(b"/"))
        {
            let mut path = Vec::with_capacity(bytes.len() + lang.len() + 1);
            path.extend_from_slice(stem);
            path.push(b'.');
            path.extend_from_slice(lang.as_bytes());
            path.extend_from_slice(b".txt");
            return PathBuf::from(std::ffi::OsString::from_vec(path));
        }
    }
    let stem = seed.file_stem().unwrap_or_default().to_string_lossy();
    seed.with_file_name(format!("{stem}.{lang}.txt"))
}

/// The error for a seed with neither an authored translation at `path` nor a machine to make one.
pub fn missing(seed: &Path, path: &Path) -> Error {
    Error::input(
        Location::file(seed),
        format!(
            "no translation: write {} (it mirrors the seed paragraph by paragraph)",
            path.display()
        ),
    )
}

/// Pairs `seed` with the text of its translation into `lang`, read from `path`.
pub fn authored_from_text(seed: Seed, lang: &str, path: PathBuf, text: &str) -> Result<Article> {
    let (front, body, body_line) = split_front_matter(&path, text)?;
    seed::check_controls(&path, body, body_line)?;
    let wire = seed::parse_wire(body, lang, body_line);
    pair(seed, front, wire, lang, path)
}

fn split_front_matter<'a>(path: &Path, text: &'a str) -> Result<(FrontMatter, &'a str, usize)> {
    let Some(rest) = text.strip_prefix("+++\n") else {
        return Ok((FrontMatter::default(), text, 1));
    };
    let Some(end) = rest
        .find("\n+++\n")
        .map(|i| i + 1)
        .or_else(|| rest.strip_suffix("\n+++").map(|toml| toml.len() + 1))
    else {
        return Err(Error::input(
            Location::line(path, 1),
            "front matter opened with `+++` is never closed: add a `+++` line after it",
        ));
    };
    let toml_text = &rest[..end];
    let front: FrontMatter = toml::from_str(toml_text).map_err(|e| {
        let line = e
            .span()
            .map(|span| 2 + toml_text[..span.start].matches('\n').count())
            .unwrap_or(1);
        Error::input(
            Location::line(path, line),
            format!(
                "front matter: {} (known keys: title, original_title, translator, slug, tags)",
                e.message()
            ),
        )
    })?;
    let body = rest.get(end + 4..).unwrap_or("");
    let body_line = 3 + toml_text.matches('\n').count();
    Ok((front, body, body_line))
}

fn pair(
    seed: Seed,
    front: FrontMatter,
    wire: WireText,
    lang: &str,
    path: PathBuf,
) -> Result<Article> {
    let (ns, nt) = (seed.text.paragraphs.len(), wire.paragraphs.len());
    if ns != nt {
        return Err(Error::input(
            Location::file(&path),
            format!(
                "{nt} paragraphs, but {} has {ns}; each paragraph of the seed needs one in the translation.\n  last in {}: \"{}\"\n  last in {}: \"{}\"",
                seed.path.display(),
                seed.path.display(),
                first_words(seed.text.paragraphs.last()),
                path.display(),
                first_words(wire.paragraphs.last()),
            ),
        ));
    }
    Ok(Article {
        stem: seed.stem,
        slug: front.slug,
        published: seed.published,
        source: Side {
            lang: seed.lang,
            title: front.original_title,
            caption: seed.text.caption,
            dateline: seed.text.dateline,
            paragraphs: seed.text.paragraphs,
            file: seed.path,
            sentences: None,
            untranslated: Vec::new(),
        },
        target: Side {
            lang: lang.to_string(),
            title: front.title,
            caption: wire.caption,
            dateline: wire.dateline,
            paragraphs: wire.paragraphs,
            file: path,
            sentences: None,
            untranslated: Vec::new(),
        },
        translator: Translator::Authored(front.translator),
        tags: front
            .tags
            .into_iter()
            .map(|tag| tag.trim().to_string())
            .filter(|tag| !tag.is_empty())
            .collect(),
    })
}

/// The skeleton of a translation of `seed` into `lang`, for a translator to fill in: front
/// matter with empty headlines, the caption's credit, the dateline, and one placeholder line per
/// paragraph that quotes the paragraph's first words.
pub fn skeleton(seed: &Seed, lang: &str) -> String {
    let mut text = String::from("+++\ntitle = \"\"\noriginal_title = \"\"\n+++\n");
    if let Some(caption) = &seed.text.caption {
        text.push_str(&format!(
            "[Translate the caption: {}]",
            first_words_of(&caption.text)
        ));
        if let Some(credit) = &caption.credit {
            text.push_str(&format!(" - {credit}"));
        }
        text.push('\n');
    }
    if seed.text.dateline.is_some() {
        let dateline = seed
            .published
            .and_then(|moment| seed::format_dateline(lang, &moment));
        text.push_str(&dateline.unwrap_or_else(|| "[Translate the dateline]".to_string()));
        text.push('\n');
    }
    for (k, paragraph) in seed.text.paragraphs.iter().enumerate() {
        text.push_str(&format!(
            "\n[Translate paragraph {}: \"{}\"]\n",
            k + 1,
            first_words_of(&paragraph.text)
        ));
    }
    text
}

/// The longest headline, in characters, made from a lead when the author gave none.
const DERIVED_TITLE_CHARS: usize = 90;

/// The side's headline as given, or else its lead's first sentence shortened at a word
/// boundary.
pub fn headline(side: &Side) -> String {
    if let Some(title) = side.title.as_deref().filter(|t| !t.trim().is_empty()) {
        // One line: a headline's line breaks would break the Markdown front matter.
        return title.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    let Some(lead) = side.paragraphs.first() else {
        return String::new();
    };
    shorten(first_sentence(&lead.text, &side.lang), DERIVED_TITLE_CHARS)
}

/// The first sentence of `text`, without the space after it.
pub fn first_sentence<'a>(text: &'a str, lang: &str) -> &'a str {
    sentences::split(text, lang)
        .first()
        .map_or(text, |r| text[r.clone()].trim())
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars).collect();
    let at_word = cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}…", at_word.trim_end_matches([',', ';', ':', ' ']))
}

/// The machine translation of one build: the engine, started at the first seed that needs it,
/// and its cache. Apertium is one process fed through pipes, so the build's threads take turns.
pub struct MachineTranslator {
    settings: MachineSettings,
    engine: Mutex<Option<std::result::Result<(Apertium, Cache), String>>>,
}

impl MachineTranslator {
    pub fn new(settings: MachineSettings) -> MachineTranslator {
        MachineTranslator {
            settings,
            engine: Mutex::new(None),
        }
    }

    /// What the page says made the translation.
    pub fn label(&self) -> String {
        format!("Apertium {}", self.settings.mode)
    }

    /// Translates `segments`, each separately, through the cache.
    fn translate(&self, segments: &[&str]) -> std::result::Result<Vec<Translated>, String> {
        let mut guard = self
            .engine
            .lock()
            .map_err(|_| "the translation engine failed earlier".to_string())?;
        let engine = guard.get_or_insert_with(|| {
            let apertium = Apertium::start(&self.settings.mode, self.settings.timeout)
                .map_err(|e| e.to_string())?;
            let cache = match &self.settings.cache_dir {
                Some(dir) => Cache::open(dir, apertium.engine_id()).map_err(|e| {
                    format!(
                        "cannot read the translation cache in {}: {e}",
                        dir.display()
                    )
                })?,
                None => Cache::disabled(),
            };
            Ok((apertium, cache))
        });
        let (apertium, cache) = engine.as_mut().map_err(|e| e.clone())?;
        cache
            .translate(apertium, segments)
            .map_err(|e: MtError| e.to_string())
    }

    /// Keeps this build's new translations for the next one.
    pub fn save(&self) -> Result<()> {
        let Ok(mut guard) = self.engine.lock() else {
            return Ok(());
        };
        if let Some(Ok((_, cache))) = guard.as_mut() {
            let path = self.settings.cache_dir.clone().unwrap_or_default();
            cache
                .save()
                .map_err(|e| Error::io(&path, "save the translation cache", e))?;
        }
        Ok(())
    }
}

/// Translates `seed` into `lang` by machine, sentence by sentence, so that each sentence aligns
/// with its translation by construction. `missing` is the authored translation that was not
/// found, for the message when the engine is not there either.
pub fn machine(
    seed: Seed,
    lang: &str,
    translator: &MachineTranslator,
    missing: &Path,
) -> Result<Article> {
    let source_title = Side {
        lang: seed.lang.clone(),
        title: None,
        caption: None,
        dateline: None,
        paragraphs: seed.text.paragraphs.clone(),
        file: seed.path.clone(),
        sentences: None,
        untranslated: Vec::new(),
    };
    let headline = machine_headline(&source_title, seed.text.caption.as_ref());
    let sentence_ranges: Vec<Vec<Range<usize>>> = seed
        .text
        .paragraphs
        .iter()
        .map(|p| sentences::split(&p.text, &seed.lang))
        .collect();
    // One batch per article: headline, caption, then every sentence in order.
    let mut segments: Vec<&str> = vec![headline.as_str()];
    if let Some(caption) = &seed.text.caption {
        segments.push(&caption.text);
    }
    for (paragraph, ranges) in seed.text.paragraphs.iter().zip(&sentence_ranges) {
        segments.extend(ranges.iter().map(|r| paragraph.text[r.clone()].trim_end()));
    }
    let translated = translator.translate(&segments).map_err(|why| Error::Untranslated {
        location: Location::file(&seed.path),
        message: format!(
                "no translation: {} does not exist, and {why}; write the translation (paralelo new), install the engine, or build with --skip-untranslated",
                missing.display()
            ),
    })?;
    let mut answers = translated.into_iter();
    let mut next = || {
        answers.next().unwrap_or_else(|| Translated {
            text: String::new(),
            unknown: Vec::new(),
        })
    };
    let target_title = next().text;
    let caption = seed.text.caption.as_ref().map(|c| Caption {
        text: next().text,
        credit: c.credit.clone(),
    });
    let mut paragraphs = Vec::with_capacity(seed.text.paragraphs.len());
    let mut target_sentences = Vec::with_capacity(seed.text.paragraphs.len());
    let mut untranslated = Vec::with_capacity(seed.text.paragraphs.len());
    for (paragraph, ranges) in seed.text.paragraphs.iter().zip(&sentence_ranges) {
        let (mut text, mut spans, mut unknown) = (String::new(), Vec::new(), Vec::new());
        for range in ranges {
            let sentence = &paragraph.text[range.clone()];
            // The space after a sentence is the original's, kept between the translations.
            let space = &sentence[sentence.trim_end().len()..];
            let answer = next();
            let start = text.len();
            unknown.extend(
                answer
                    .unknown
                    .iter()
                    .filter(|u| !is_name(&answer.text, u, sentence))
                    .map(|u| start + u.start..start + u.end),
            );
            text.push_str(&answer.text);
            text.push_str(space);
            spans.push(start..text.len());
        }
        paragraphs.push(Paragraph {
            text,
            line: paragraph.line,
        });
        target_sentences.push(spans);
        untranslated.push(unknown);
    }
    let dateline = seed
        .published
        .and_then(|moment| seed::format_dateline(lang, &moment))
        .and_then(|line| {
            let (label, value) = line.split_once(": ")?;
            Some(Dateline {
                label: label.to_string(),
                value: value.to_string(),
                line: 0,
            })
        });
    Ok(Article {
        stem: seed.stem,
        slug: None,
        published: seed.published,
        source: Side {
            title: Some(headline),
            caption: seed.text.caption,
            dateline: seed.text.dateline,
            sentences: Some(sentence_ranges),
            ..source_title
        },
        target: Side {
            lang: lang.to_string(),
            title: Some(target_title),
            caption,
            dateline,
            paragraphs,
            // Made from the seed: problems in it are the seed's.
            file: seed.path.clone(),
            sentences: Some(target_sentences),
            untranslated,
        },
        translator: Translator::Machine(translator.label()),
        tags: Vec::new(),
    })
}

/// A headline for a seed that has none, that the page can show whole: the lead's first sentence
/// when it is short enough, else the photo's caption when it says something (five words or
/// more), else the first sentence shortened.
fn machine_headline(side: &Side, caption: Option<&Caption>) -> String {
    let first = side
        .paragraphs
        .first()
        .map_or("", |lead| first_sentence(&lead.text, &side.lang));
    if first.chars().count() <= DERIVED_TITLE_CHARS {
        return first.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    if let Some(caption) = caption {
        let words = caption.text.split_whitespace().count();
        if (5..=25).contains(&words) {
            return caption
                .text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
        }
    }
    headline(side)
}

/// Whether the unknown word `text[word]` is a name, which is not an untranslated word: Apertium
/// knows few names. A capitalised word is a name when it does not start the sentence, or when
/// the original has it, capitalised, after its own first word.
fn is_name(text: &str, word: &Range<usize>, original: &str) -> bool {
    let Some(found) = text.get(word.clone()) else {
        return false;
    };
    if !found.chars().next().is_some_and(char::is_uppercase) {
        return false;
    }
    let starts = |t: &str, at: usize| t[..at].chars().all(|c| !c.is_alphanumeric());
    !starts(text, word.start)
        || original
            .match_indices(found)
            .any(|(at, _)| !starts(original, at))
}

fn first_words(paragraph: Option<&Paragraph>) -> String {
    paragraph.map_or_else(
        || "(no paragraphs)".to_string(),
        |p| first_words_of(&p.text),
    )
}

fn first_words_of(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().take(8).collect();
    let ellipsis = if text.split_whitespace().count() > 8 {
        " …"
    } else {
        ""
    };
    format!("{}{ellipsis}", words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authored_translation_sits_beside_its_seed() {
        for (seed, path) in [
            ("seeds/a.txt", "seeds/a.en.txt"),
            ("/x/y.z/2024-01-02.txt", "/x/y.z/2024-01-02.en.txt"),
            ("a.b.txt", "a.b.en.txt"),
            ("seeds/ñandú.txt", "seeds/ñandú.en.txt"),
            ("seeds/plain", "seeds/plain.en.txt"),
        ] {
            assert_eq!(
                authored_path(Path::new(seed), "en"),
                Path::new(path),
                "{seed}"
            );
        }
    }

    fn seed(text: &str) -> Seed {
        seed::parse_seed(
            Path::new("seeds/a.txt"),
            "a",
            "es",
            chrono_tz::Europe::Madrid,
            text,
        )
        .unwrap()
    }

    fn translate(seed_text: &str, translation: &str) -> Result<Article> {
        authored_from_text(
            seed(seed_text),
            "en",
            PathBuf::from("seeds/a.en.txt"),
            translation,
        )
    }

    #[test]
    fn front_matter_and_mirrored_layout() {
        let article = translate(
            "Foto - Agencia\nPublicado: miércoles, 5 noviembre 2025 13:34\n\nUno.\n\nDos.",
            "+++\ntitle = \"Headline\"\noriginal_title = \"Titular\"\ntranslator = \"Ana\"\n+++\nPhoto - Agency\nPublished: Wednesday, 5 November 2025, 13:34\n\nOne.\n\nTwo.\n",
        )
        .unwrap();
        assert_eq!(article.target.title.as_deref(), Some("Headline"));
        assert_eq!(article.source.title.as_deref(), Some("Titular"));
        assert_eq!(article.translator, Translator::Authored(Some("Ana".into())));
        assert_eq!(
            article.target.caption.unwrap().credit.as_deref(),
            Some("Agency")
        );
        assert_eq!(article.target.dateline.unwrap().line, 7);
        assert_eq!(article.target.paragraphs[1].text, "Two.");
        assert_eq!(article.target.paragraphs[1].line, 11);
    }

    #[test]
    fn paragraph_count_mismatch_names_both_files() {
        let err = translate(
            "Uno dos tres.\n\nCuatro cinco seis siete ocho nueve diez once doce.",
            "One two three.",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("seeds/a.en.txt: 1 paragraphs, but seeds/a.txt has 2"),
            "{err}"
        );
        assert!(
            err.contains("last in seeds/a.txt: \"Cuatro cinco seis siete ocho nueve diez once …\""),
            "{err}"
        );
        assert!(
            err.contains("last in seeds/a.en.txt: \"One two three.\""),
            "{err}"
        );
    }

    #[test]
    fn unknown_front_matter_key_names_line() {
        let err = translate("Uno.", "+++\ntitle = \"x\"\ntitel = \"y\"\n+++\nOne.")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("seeds/a.en.txt:3: front matter:"), "{err}");
        assert!(err.contains("titel"), "{err}");
    }

    #[test]
    fn unclosed_front_matter() {
        let err = translate("Uno.", "+++\ntitle = \"x\"\nOne.")
            .unwrap_err()
            .to_string();
        assert!(err.contains("never closed"), "{err}");
    }

    #[test]
    fn skeleton_mirrors_the_seed_and_parses_back() {
        let seed = seed(include_str!("../../seeds/000_df1e1d8b34815c19.txt"));
        let text = skeleton(&seed, "en");
        assert!(text.starts_with("+++\ntitle = \"\"\noriginal_title = \"\"\n+++\n[Translate the caption: El presidente ucraniano, Volodimir Zelenski, participa en una …] - Henry Nicholls/PA Wire/dpa\nPublished: Wednesday, 5 November 2025, 13:34\n\n[Translate paragraph 1: \"El presidente de Ucrania, Volodimir Zelenski, ha abordado …\"]\n"), "{text}");
        let article = authored_from_text(seed, "en", PathBuf::from("a.en.txt"), &text).unwrap();
        assert_eq!(article.target.paragraphs.len(), 7);
        assert!(article.target.dateline.is_some());
        assert_eq!(
            article.target.caption.unwrap().credit.as_deref(),
            Some("Henry Nicholls/PA Wire/dpa")
        );
    }

    #[test]
    fn derived_headlines_stop_at_a_word() {
        assert_eq!(shorten("uno dos tres", 20), "uno dos tres");
        assert_eq!(shorten("uno dos, tres cuatro", 10), "uno dos…");
    }
}
