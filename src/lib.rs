//! paralelo turns news articles and their translations into bilingual reading pages.
//!
//! The pipeline, one module a stage: [`seed`] reads the wire text, [`translate`] pairs it with its
//! translation, [`markdown`] writes and renders each side, [`quotes`], [`sentences`] and [`align`]
//! find what to highlight (brought together by [`annotate`]), and [`site`] writes the pages.

pub mod align;
pub mod annotate;
pub mod config;
pub mod error;
pub mod feed;
pub mod markdown;
pub mod quotes;
pub mod seed;
pub mod sentences;
pub mod site;
pub mod translate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;

use error::Location;
pub use error::{Error, Result, Warning};

/// What `paralelo build` needs to know.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub seeds: PathBuf,
    pub out: PathBuf,
    /// `None`: the project's `templates/` if there is one, else the built-in templates.
    pub templates: Option<PathBuf>,
    /// `None`: the project's `static/` if there is one, else the built-in files.
    pub static_dir: Option<PathBuf>,
    pub source_lang: String,
    pub target_lang: String,
    /// The time zone the datelines are written in.
    pub time_zone: Tz,
    /// The encoding of seeds and translations; `None` is UTF-8.
    pub encoding: seed::Encoding,
    /// What the pages say about the site.
    pub site: site::SiteSettings,
    /// Machine translation for seeds without an authored one; `None` makes them an error.
    pub machine: Option<translate::MachineSettings>,
    /// Build the other seeds, with a warning, when one cannot be translated.
    pub skip_untranslated: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            seeds: PathBuf::from("seeds"),
            out: PathBuf::from("public"),
            templates: None,
            static_dir: None,
            source_lang: "es".to_string(),
            target_lang: "en".to_string(),
            time_zone: chrono_tz::Europe::Madrid,
            encoding: None,
            site: site::SiteSettings::default(),
            machine: Some(translate::MachineSettings::apertium(
                "es",
                "en",
                Path::new("seeds"),
            )),
            skip_untranslated: false,
        }
    }
}

/// What a build did.
#[derive(Debug)]
pub struct BuildReport {
    pub pages: usize,
    /// How many of the pages have a machine translation.
    pub machine_translated: usize,
    pub warnings: Vec<Warning>,
    /// Things the user may want to know that are not problems.
    pub notes: Vec<String>,
}

/// Builds the site: every seed becomes a page, or nothing is written.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    build_with_progress(options, &|_| {})
}

/// How far a build is: articles done out of all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

/// [`build`], telling `progress` after each article.
pub fn build_with_progress(
    options: &BuildOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<BuildReport> {
    let inputs = Inputs::load(options)?;
    let staging = site::Staging::new(&options.out, &inputs.protected(options))?;
    let report = generate(
        options,
        &inputs,
        &|path, bytes| staging.write(path, bytes),
        progress,
    )?;
    staging.commit()?;
    Ok(report)
}

/// Checks every seed, translation and template as a build would, and writes nothing. Every
/// problem is reported, not only the first.
pub fn check(options: &BuildOptions) -> Result<BuildReport> {
    let inputs = Inputs::load(options)?;
    generate(options, &inputs, &|_, _| Ok(()), &|_| {})
}

/// Writes the skeleton of the translation of `seeds/<stem>.txt` for a translator to fill in,
/// and returns its path. An existing file is never overwritten.
pub fn new_translation(options: &BuildOptions, stem: &str) -> Result<PathBuf> {
    let seed_path = options.seeds.join(format!("{stem}.txt"));
    let seed = seed::read_seed(
        &seed_path,
        stem,
        &options.source_lang,
        options.time_zone,
        options.encoding,
    )?;
    let path = translate::authored_path(&seed_path, &options.target_lang);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::input(
                Location::file(&path),
                "already exists; paralelo new never overwrites a translation",
            ),
            _ => Error::io(&path, "create", e),
        })?;
    std::io::Write::write_all(
        &mut file,
        translate::skeleton(&seed, &options.target_lang).as_bytes(),
    )
    .map_err(|e| Error::io(&path, "write", e))?;
    Ok(path)
}

/// What a build reads besides the seeds' text.
struct Inputs {
    tera: tera::Tera,
    static_files: BTreeMap<String, Vec<u8>>,
    templates_dir: Option<PathBuf>,
    static_dir: Option<PathBuf>,
    seeds: Vec<seed::SeedFile>,
}

impl Inputs {
    /// Loads templates, static files and the list of seeds, reporting all their problems.
    fn load(options: &BuildOptions) -> Result<Inputs> {
        let mut errors = Vec::new();
        let templates_dir = keep(
            existing_or_default(options.templates.as_deref(), "templates"),
            &mut errors,
        );
        let static_dir = keep(
            existing_or_default(options.static_dir.as_deref(), "static"),
            &mut errors,
        );
        let tera = templates_dir
            .as_ref()
            .and_then(|dir| keep(site::load_templates(dir.as_deref()), &mut errors));
        let static_files = static_dir
            .as_ref()
            .and_then(|dir| keep(site::static_files(dir.as_deref()), &mut errors));
        let seeds = keep(seed::find_seeds(&options.seeds), &mut errors);
        match (tera, static_files, seeds) {
            (Some(tera), Some(static_files), Some(seeds)) if errors.is_empty() => Ok(Inputs {
                tera,
                static_files,
                templates_dir: templates_dir.flatten(),
                static_dir: static_dir.flatten(),
                seeds,
            }),
            _ => Err(Error::all(errors)),
        }
    }

    /// Folders the output may not hold: replacing it would delete them.
    fn protected<'a>(&'a self, options: &'a BuildOptions) -> Vec<&'a Path> {
        let mut protected: Vec<&Path> = vec![&options.seeds, Path::new(".")];
        protected.extend(self.templates_dir.as_deref());
        protected.extend(self.static_dir.as_deref());
        protected
    }
}

/// One article's page, rendered, with what the index keeps of it.
struct RenderedArticle {
    summary: site::ArticleSummary,
    source_file: PathBuf,
    warnings: Vec<Warning>,
}

/// Renders the whole site into `write(path inside the output, bytes)`. Articles are rendered
/// in parallel and streamed out one by one; only their summaries stay in memory.
fn generate(
    options: &BuildOptions,
    inputs: &Inputs,
    write: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync),
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<BuildReport> {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let total = inputs.seeds.len();
    let done = AtomicUsize::new(0);
    let results: Vec<Result<RenderedArticle>> = inputs
        .seeds
        .par_iter()
        .map(|file| {
            let result = render_article(options, inputs, file, write);
            let done = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(Progress { done, total });
            result
        })
        .collect();
    let mut errors = Vec::new();
    let mut articles = Vec::new();
    for result in results {
        match result {
            Ok(article) => articles.push(article),
            Err(e) => errors.push(e),
        }
    }
    check_slugs(&articles, &inputs.static_files, &mut errors);
    if !errors.is_empty() {
        return Err(Error::all(errors));
    }

    for (name, bytes) in &inputs.static_files {
        write(name, bytes)?;
    }
    let warnings: Vec<Warning> = articles.iter().flat_map(|a| a.warnings.clone()).collect();
    let mut summaries: Vec<site::ArticleSummary> =
        articles.into_iter().map(|a| a.summary).collect();
    site::sort_newest_first(&mut summaries);
    let lang = &options.source_lang;
    let index = site::render_index(&inputs.tera, &options.site, lang, &summaries)?;
    for (path, html) in &index {
        write(path, html.as_bytes())?;
    }
    write(
        "404.html",
        site::render_not_found(&inputs.tera, &options.site, lang)?.as_bytes(),
    )?;
    let mut notes = Vec::new();
    match &options.site.base_url {
        Some(base) => {
            let index_paths: Vec<String> = index.into_iter().map(|(path, _)| path).collect();
            write("atom.xml", feed::atom(&options.site, base, lang, &summaries).as_bytes())?;
            write("sitemap.xml", feed::sitemap(base, &index_paths, &summaries).as_bytes())?;
            write("robots.txt", feed::robots(base).as_bytes())?;
        }
        None => notes.push(
            "no base_url in paralelo.toml: atom.xml, sitemap.xml, robots.txt and canonical links need one, so they are not written".to_string(),
        ),
    }
    Ok(BuildReport {
        pages: summaries.len(),
        machine_translated: 0,
        warnings,
        notes,
    })
}

/// Reads, translates, annotates and renders one seed, and writes its page and Markdown files.
fn render_article(
    options: &BuildOptions,
    inputs: &Inputs,
    file: &seed::SeedFile,
    write: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync),
) -> Result<RenderedArticle> {
    let seed = seed::read_seed(
        &file.path,
        &file.stem,
        &options.source_lang,
        options.time_zone,
        options.encoding,
    )?;
    let article = translate::authored(seed, &options.target_lang, options.encoding)?;
    let annotated = annotate::annotate(&article)?;
    let page = site::Page {
        slug: site::slugify(article.slug.as_deref().unwrap_or(&article.stem)),
        article: &article,
        annotated: &annotated,
    };
    let html = site::render_article(&inputs.tera, &options.site, &page)?;
    write(&format!("{}/index.html", page.slug), html.as_bytes())?;
    for (side, doc) in [
        (&article.source, &annotated.source.markdown),
        (&article.target, &annotated.target.markdown),
    ] {
        write(
            &format!("{}/{}.md", page.slug, side.lang),
            doc.text.as_bytes(),
        )?;
    }
    Ok(RenderedArticle {
        summary: site::ArticleSummary::new(&page),
        source_file: article.source.file.clone(),
        warnings: annotated.warnings.clone(),
    })
}

/// Two articles with one slug are an error naming both; so is a slug that a static folder or
/// the index's later pages (`page/`) already use.
fn check_slugs(
    articles: &[RenderedArticle],
    static_files: &BTreeMap<String, Vec<u8>>,
    errors: &mut Vec<Error>,
) {
    let mut taken: BTreeMap<&str, String> =
        BTreeMap::from([("page", "the index's later pages".to_string())]);
    for name in static_files.keys() {
        if let Some((folder, _)) = name.split_once('/') {
            taken.insert(folder, format!("the static folder `{folder}`"));
        }
    }
    for article in articles {
        let slug = article.summary.slug.as_str();
        match taken.get(slug) {
            Some(owner) => errors.push(Error::input(
                Location::file(&article.source_file),
                format!(
                    "has the slug `{slug}`, like {owner}; give it another `slug` in its translation's front matter"
                ),
            )),
            None => {
                taken.insert(slug, article.source_file.display().to_string());
            }
        }
    }
}

/// Renders one article page from the texts of a seed and its authored translation, as a build
/// would, with the built-in templates. Nothing is read or written: for tools, tests and fuzzing.
pub fn render_from_text(
    seed_text: &str,
    translation_text: &str,
    options: &BuildOptions,
) -> Result<String> {
    let seed = seed::parse_seed(
        Path::new("seed.txt"),
        "seed",
        &options.source_lang,
        options.time_zone,
        &seed::normalize(seed_text),
    )?;
    let translation_path = PathBuf::from(format!("seed.{}.txt", options.target_lang));
    let translation = seed::normalize(translation_text);
    let article =
        translate::authored_from_text(seed, &options.target_lang, translation_path, &translation)?;
    let annotated = annotate::annotate(&article)?;
    let page = site::Page {
        slug: "seed".to_string(),
        article: &article,
        annotated: &annotated,
    };
    site::render_article(&site::load_templates(None)?, &options.site, &page)
}

/// The value, or `None` with the error kept for the report.
fn keep<T>(result: Result<T>, errors: &mut Vec<Error>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// A folder the user named must exist; the default one is used only if it does.
fn existing_or_default(given: Option<&Path>, default: &str) -> Result<Option<PathBuf>, Error> {
    match given {
        Some(dir) if dir.is_dir() => Ok(Some(dir.to_path_buf())),
        Some(dir) => Err(Error::input(Location::file(dir), "no such folder")),
        None => Ok(Some(PathBuf::from(default)).filter(|d| d.is_dir())),
    }
}
