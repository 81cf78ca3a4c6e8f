//! Gives each seed its second language: the authored `<stem>.<lang>.txt`, paired paragraph by paragraph.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

use crate::error::{Error, Location, Result};
use crate::seed::{self, Caption, Dateline, Paragraph, Seed, WireText};

/// How to translate seeds that have no authored translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineSettings {
    /// The Apertium mode, like `spa-eng`.
    pub mode: String,
    /// Where translations are kept between builds; `None` turns the cache off.
    pub cache_dir: Option<PathBuf>,
    /// How long the engine may take over one article before it is stopped.
    pub timeout: std::time::Duration,
}

impl MachineSettings {
    /// Apertium for `source` → `target`, caching beside the seeds.
    pub fn apertium(source: &str, target: &str, seeds: &Path) -> MachineSettings {
        MachineSettings {
            mode: format!("{}-{}", iso639_3(source), iso639_3(target)),
            cache_dir: Some(
                seeds
                    .parent()
                    .unwrap_or(Path::new("."))
                    .join(".paralelo-cache"),
            ),
            timeout: std::time::Duration::from_secs(60),
        }
    }
}

/// Apertium names its modes with three-letter language codes.
fn iso639_3(lang: &str) -> &str {
    match lang {
        "es" => "spa",
        "en" => "eng",
        "ca" => "cat",
        "fr" => "fra",
        "pt" => "por",
        "it" => "ita",
        "gl" => "glg",
        "eu" => "eus",
        "de" => "deu",
        "oc" => "oci",
        "ro" => "ron",
        other => other,
    }
}

/// One language's side of an article.
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    pub lang: String,
    /// The headline, when the author gave one.
    pub title: Option<String>,
    pub caption: Option<Caption>,
    pub dateline: Option<Dateline>,
    pub paragraphs: Vec<Paragraph>,
    /// The file this side was read from.
    pub file: PathBuf,
    /// Per paragraph, the sentences as a machine translation made them, one by one: they align
    /// one to one by construction. `None`: find and align them from the text.
    pub sentences: Option<Vec<Vec<std::ops::Range<usize>>>>,
    /// Per paragraph, the words a machine translation left in the original language.
    pub untranslated: Vec<Vec<std::ops::Range<usize>>>,
}

/// Who made the translation, for the note beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Translator {
    /// A person wrote `<stem>.<lang>.txt`; their name if the front matter gives it.
    Authored(Option<String>),
}

/// An original and its translation, with the same number of paragraphs.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub stem: String,
    /// The slug the front matter asks for, if any; the site makes it URL-safe.
    pub slug: Option<String>,
    pub published: Option<DateTime<FixedOffset>>,
    pub source: Side,
    pub target: Side,
    pub translator: Translator,
}

/// The front matter of an authored translation, between two `+++` lines.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: Option<String>,
    original_title: Option<String>,
    translator: Option<String>,
    slug: Option<String>,
}

/// Where the authored translation of `seed` into `lang` lives.
pub fn authored_path(seed: &Path, lang: &str) -> PathBuf {
    let stem = seed.file_stem().unwrap_or_default().to_string_lossy();
    seed.with_file_name(format!("{stem}.{lang}.txt"))
}

/// Pairs `seed` with its authored translation into `lang`.
pub fn authored(seed: Seed, lang: &str, encoding: seed::Encoding) -> Result<Article> {
    let path = authored_path(&seed.path, lang);
    let text = seed::read_text(&path, encoding).map_err(|e| match e {
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => Error::input(
            Location::file(&seed.path),
            format!(
                "no translation: write {} (it mirrors the seed paragraph by paragraph)",
                path.display()
            ),
        ),
        other => other,
    })?;
    authored_from_text(seed, lang, path, &text)
}

/// Pairs `seed` with the text of its translation into `lang`, read from `path`.
pub fn authored_from_text(seed: Seed, lang: &str, path: PathBuf, text: &str) -> Result<Article> {
    let (front, body, body_line) = split_front_matter(&path, text)?;
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
                "front matter: {} (known keys: title, original_title, translator, slug)",
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
}
