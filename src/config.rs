//! Reads `paralelo.toml`, the optional project configuration; every key has a default.

use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};

/// The configuration file's name, at the project root.
pub const FILE_NAME: &str = "paralelo.toml";

/// The state folder's name, beside the configuration file.
pub const STATE_DIR: &str = ".paralelo";

/// What `paralelo build` needs to know.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub seeds: PathBuf,
    pub out: PathBuf,
    /// The project folder: where `paralelo.toml` is, else the current folder. Links in the
    /// templates and static folders may not lead out of it.
    pub project: PathBuf,
    /// The build's own state (what the last builds made, for incremental rebuilds): never
    /// published, safe to delete. `.paralelo/` beside `paralelo.toml`.
    pub state: PathBuf,
    /// `None`: the project's `templates/` if there is one, else the built-in templates.
    pub templates: Option<PathBuf>,
    /// `None`: the project's `static/` if there is one, else the built-in files.
    pub static_dir: Option<PathBuf>,
    pub source_lang: String,
    pub target_lang: String,
    /// The time zone the datelines are written in.
    pub time_zone: Tz,
    /// The encoding of seeds and translations; `None` is UTF-8.
    pub encoding: Encoding,
    /// What the pages say about the site.
    pub site: SiteSettings,
    /// Machine translation for seeds without an authored one; `None` makes them an error.
    pub machine: Option<MachineSettings>,
    /// Build the other seeds, with a warning, when one cannot be translated.
    pub skip_untranslated: bool,
    /// Build into an output folder that paralelo did not make; its files are kept.
    pub force: bool,
    /// Wait for another build of the same output folder to end, rather than fail at once.
    pub wait: bool,
    /// Gloss the original's words (Spanish, with Apertium's data) for learners.
    pub glosses: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            seeds: PathBuf::from("seeds"),
            out: PathBuf::from("public"),
            project: PathBuf::from("."),
            state: PathBuf::from(STATE_DIR),
            templates: None,
            static_dir: None,
            source_lang: "es".to_string(),
            target_lang: "en".to_string(),
            time_zone: chrono_tz::Europe::Madrid,
            encoding: None,
            site: SiteSettings::default(),
            machine: Some(MachineSettings::apertium("es", "en", Path::new("seeds"))),
            skip_untranslated: false,
            force: false,
            wait: true,
            glosses: true,
        }
    }
}

/// The character encoding of the input files: UTF-8 unless the user names another.
pub type Encoding = Option<&'static encoding_rs::Encoding>;

/// Site-wide settings the templates see as `site`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteSettings {
    pub title: String,
    pub description: String,
    /// The mode a page opens in until the reader picks another.
    pub default_mode: ReadingMode,
    /// Where the site is published, ending in `/`; feeds, sitemap and canonical links need it.
    pub base_url: Option<String>,
    /// Publish each side's Markdown (`<slug>/es.md`, `<slug>/en.md`) beside the page. Off by
    /// default: two more files per article are most of the time a build spends creating files.
    pub markdown_files: bool,
    /// What keeps this site's word statuses apart from another's in a reader's browser; the
    /// build sets it (see `build::site_id`).
    pub id: String,
    /// How many articles must name a person, place or organisation for it to get a page.
    pub entity_min_articles: usize,
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            title: "paralelo".to_string(),
            description: "Bilingual reading: each article beside its translation.".to_string(),
            default_mode: ReadingMode::Side,
            base_url: None,
            markdown_files: false,
            id: String::new(),
            entity_min_articles: 2,
        }
    }
}

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
            mode: format!(
                "{}-{}",
                crate::lang::iso639_3(source),
                crate::lang::iso639_3(target)
            ),
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

/// The reading modes a page can open in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadingMode {
    #[default]
    Side,
    Interleaved,
    Original,
    Translation,
}

/// `paralelo.toml` as written: a key left out keeps its default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub title: Option<String>,
    pub description: Option<String>,
    pub base_url: Option<String>,
    pub source: Option<String>,
    pub target: Option<String>,
    pub seeds: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub templates: Option<PathBuf>,
    #[serde(rename = "static")]
    pub static_dir: Option<PathBuf>,
    pub default_mode: Option<ReadingMode>,
    pub time_zone: Option<String>,
    pub encoding: Option<String>,
    /// Word glosses for learners; a newsroom's archive may do without them, and they are the
    /// costliest part of a build (every word goes through Apertium's analyser).
    pub glosses: Option<bool>,
    pub markdown_files: Option<bool>,
    /// How many articles must name an entity for it to get a page (2 unless set).
    pub entity_min_articles: Option<usize>,
    pub translation: Option<TranslationConfig>,
}

/// The `[translation]` table: machine translation for seeds without an authored one.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslationConfig {
    /// `apertium:spa-eng`, or `none`.
    pub engine: Option<String>,
    pub cache: Option<PathBuf>,
    pub use_cache: Option<bool>,
    pub timeout_seconds: Option<u64>,
    pub skip_untranslated: Option<bool>,
}

/// Reads `path`; a missing file is an empty configuration.
pub fn load(path: &Path) -> Result<ConfigFile> {
    let bytes = match crate::files::read_bounded(path, 1024 * 1024) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            return Err(Error::input(
                Location::file(path),
                format!("{e}; the configuration must be a text file"),
            ));
        }
        Err(e) => return Err(Error::io(path, "read", e)),
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::input(Location::file(path), "is not UTF-8; save it as UTF-8"))?;
    parse(path, &text)
}

pub fn parse(path: &Path, text: &str) -> Result<ConfigFile> {
    toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|span| 1 + text[..span.start.min(text.len())].matches('\n').count());
        let mut message = e.message().trim().to_string();
        // serde names an unknown key but not the key whose value has the wrong type.
        let key = line
            .and_then(|l| text.lines().nth(l - 1))
            .and_then(|l| l.split_once('='))
            .map(|(key, _)| key.trim());
        if let Some(key) = key.filter(|k| !message.contains(&format!("`{k}`"))) {
            message = format!("`{key}`: {message}");
        }
        let location = match line {
            Some(line) => Location::line(path, line),
            None => Location::file(path),
        };
        Error::input(location, message)
    })
}

/// Checks a base URL and gives it the trailing `/` that relative addresses are joined to.
pub fn base_url(path: &Path, url: &str) -> Result<String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    if rest.is_none_or(|r| r.is_empty() || r.starts_with('/') || r.contains(char::is_whitespace)) {
        return Err(Error::input(
            Location::file(path),
            format!(
                "`base_url = \"{url}\"` is not an absolute http(s) address like \"https://example.org/news/\""
            ),
        ));
    }
    Ok(if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    })
}

/// Reads a time-zone name like `Europe/Madrid`.
pub fn time_zone(path: &Path, name: &str) -> Result<chrono_tz::Tz> {
    name.parse().map_err(|_| {
        Error::input(
            Location::file(path),
            format!("`time_zone = \"{name}\"` is not a time zone; use an IANA name like \"Europe/Madrid\""),
        )
    })
}

/// Reads an encoding label like `windows-1252`.
pub fn encoding(path: &Path, label: &str) -> Result<&'static encoding_rs::Encoding> {
    encoding_rs::Encoding::for_label(label.as_bytes()).ok_or_else(|| {
        Error::input(
            Location::file(path),
            format!("unknown encoding `{label}`; try windows-1252, iso-8859-15 or utf-16le"),
        )
    })
}

/// What the command line says; each given value overrides the configuration file.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct Overrides {
    /// The project configuration [default: paralelo.toml, if there is one]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Folder of seeds: `<stem>.txt` articles and their `<stem>.<lang>.txt` translations [default: seeds]
    #[arg(long, value_name = "DIR")]
    pub seeds: Option<PathBuf>,
    /// Output folder, replaced whole when the build succeeds [default: public]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Tera templates to use instead of `templates/` (or the built-in ones)
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Language of the seeds [default: es]
    #[arg(long, value_name = "LANG")]
    pub source: Option<String>,
    /// Language of the translations [default: en]
    #[arg(long, value_name = "LANG")]
    pub target: Option<String>,
    /// Machine translation for seeds without a translation file: `apertium:MODE` or `none` [default: apertium:spa-eng]
    #[arg(long, value_name = "ENGINE")]
    pub mt: Option<String>,
    /// Translate everything again instead of reusing earlier machine translations
    #[arg(long)]
    pub no_cache: bool,
    /// Build the other seeds, with a warning, when one cannot be translated
    #[arg(long)]
    pub skip_untranslated: bool,
    /// Build into an output folder paralelo did not make (its files are kept, never deleted)
    #[arg(long)]
    pub force: bool,
    /// Encoding of seeds and translations that are not UTF-8 (e.g. windows-1252)
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// Leave out the word glosses (and vocabulary lists) for learners
    #[arg(long)]
    pub no_glosses: bool,
    /// Fail at once, rather than wait, when another build of the output folder is running
    #[arg(long)]
    pub no_wait: bool,
}

/// The build's options: the defaults, then the configuration file, then the command line.
pub fn resolve(overrides: Overrides) -> Result<BuildOptions> {
    let path = overrides
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from(FILE_NAME));
    if overrides.config.is_some() && !path.exists() {
        return Err(Error::input(
            Location::file(&path),
            "no such configuration file",
        ));
    }
    let file = load(&path)?;
    let defaults = BuildOptions::default();
    let project = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .map_or(defaults.project.clone(), Path::to_path_buf);
    let translation = file.translation.unwrap_or_default();
    let mut options = BuildOptions {
        seeds: overrides.seeds.or(file.seeds).unwrap_or(defaults.seeds),
        out: overrides.out.or(file.out).unwrap_or(defaults.out),
        project: project.clone(),
        state: project.join(STATE_DIR),
        templates: overrides.templates.or(file.templates),
        static_dir: file.static_dir,
        source_lang: overrides
            .source
            .or(file.source)
            .unwrap_or(defaults.source_lang),
        target_lang: overrides
            .target
            .or(file.target)
            .unwrap_or(defaults.target_lang),
        time_zone: match &file.time_zone {
            Some(name) => time_zone(&path, name)?,
            None => defaults.time_zone,
        },
        encoding: match (&overrides.encoding, &file.encoding) {
            (Some(label), _) => Some(encoding(Path::new("--encoding"), label)?),
            (None, Some(label)) => Some(encoding(&path, label)?),
            (None, None) => None,
        },
        site: SiteSettings {
            title: file.title.unwrap_or(defaults.site.title),
            description: file.description.unwrap_or(defaults.site.description),
            default_mode: file.default_mode.unwrap_or(defaults.site.default_mode),
            markdown_files: file.markdown_files.unwrap_or(defaults.site.markdown_files),
            entity_min_articles: file
                .entity_min_articles
                .unwrap_or(defaults.site.entity_min_articles),
            base_url: file
                .base_url
                .as_deref()
                .map(|url| base_url(&path, url))
                .transpose()?,
            id: String::new(),
        },
        machine: None,
        force: overrides.force,
        wait: !overrides.no_wait,
        glosses: !overrides.no_glosses && file.glosses.unwrap_or(defaults.glosses),
        skip_untranslated: overrides.skip_untranslated
            || translation.skip_untranslated.unwrap_or(false),
    };
    let engine = overrides.mt.as_deref().or(translation.engine.as_deref());
    options.machine = machine(&options, engine, &path)?.map(|mut settings| {
        if let Some(dir) = translation.cache {
            settings.cache_dir = Some(dir);
        }
        if overrides.no_cache || translation.use_cache == Some(false) {
            settings.cache_dir = None;
        }
        if let Some(seconds) = translation.timeout_seconds {
            settings.timeout = std::time::Duration::from_secs(seconds);
        }
        settings
    });
    Ok(options)
}

/// Reads `apertium:MODE` or `none`; with neither, Apertium for the build's languages.
fn machine(
    options: &BuildOptions,
    engine: Option<&str>,
    path: &Path,
) -> Result<Option<MachineSettings>> {
    let default =
        MachineSettings::apertium(&options.source_lang, &options.target_lang, &options.seeds);
    match engine {
        None => Ok(Some(default)),
        Some("none") => Ok(None),
        Some(spec) => match spec.split_once(':') {
            Some(("apertium", mode)) if !mode.is_empty() => Ok(Some(MachineSettings {
                mode: mode.to_string(),
                ..default
            })),
            _ => Err(Error::input(
                Location::file(path),
                format!(
                    "unknown engine `{spec}`; write `apertium:spa-eng` (any Apertium mode) or `none`"
                ),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_optional() {
        let config = parse(Path::new("paralelo.toml"), "").unwrap();
        assert!(config.title.is_none() && config.translation.is_none());
    }

    #[test]
    fn reads_keys_and_tables() {
        let config = parse(
            Path::new("paralelo.toml"),
            "title = \"Noticias\"\ndefault_mode = \"original\"\nstatic = \"assets\"\n[translation]\nengine = \"none\"\n",
        )
        .unwrap();
        assert_eq!(config.title.as_deref(), Some("Noticias"));
        assert_eq!(config.default_mode, Some(ReadingMode::Original));
        assert_eq!(config.static_dir, Some(PathBuf::from("assets")));
        assert_eq!(config.translation.unwrap().engine.as_deref(), Some("none"));
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let err = parse(
            Path::new("paralelo.toml"),
            "title = \"x\"\n\ntitel = \"y\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("paralelo.toml:3: unknown field `titel`"),
            "{err}"
        );
    }

    #[test]
    fn wrong_type_names_line_and_key() {
        let err = parse(
            Path::new("p.toml"),
            "[translation]\ntimeout_seconds = \"soon\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("p.toml:2: `timeout_seconds`: "), "{err}");
        assert!(err.contains("u64") || err.contains("integer"), "{err}");
    }

    #[test]
    fn flags_override_the_file_and_languages_pick_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("site.toml");
        std::fs::write(
            &path,
            "out = \"web\"\nsource = \"ca\"\ntarget = \"es\"\n[translation]\ncache = \"c\"\n",
        )
        .unwrap();
        let options = resolve(Overrides {
            config: Some(path.clone()),
            out: Some("elsewhere".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(options.out, PathBuf::from("elsewhere"));
        let machine = options.machine.unwrap();
        assert_eq!(machine.mode, "cat-spa");
        assert_eq!(machine.cache_dir, Some(PathBuf::from("c")));

        let options = resolve(Overrides {
            config: Some(path.clone()),
            mt: Some("none".into()),
            ..Default::default()
        })
        .unwrap();
        assert!(options.machine.is_none());
        let err = resolve(Overrides {
            config: Some(path),
            mt: Some("google".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("unknown engine `google`"), "{err}");
    }

    #[test]
    fn glosses_are_on_unless_the_file_or_the_flag_says_no() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("site.toml");
        let resolved = |text: &str, no_glosses: bool| {
            std::fs::write(&path, text).unwrap();
            resolve(Overrides {
                config: Some(path.clone()),
                no_glosses,
                ..Default::default()
            })
            .unwrap()
            .glosses
        };
        assert!(resolved("", false));
        assert!(!resolved("glosses = false\n", false));
        assert!(!resolved("glosses = true\n", true));
    }
}
