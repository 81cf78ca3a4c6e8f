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
    pub warnings: Vec<Warning>,
    /// Things the user may want to know that are not problems.
    pub notes: Vec<String>,
}

/// Builds the site: every seed becomes a page, or nothing is written.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let templates_dir = existing_or_default(options.templates.as_deref(), "templates")?;
    let static_dir = existing_or_default(options.static_dir.as_deref(), "static")?;
    let tera = site::load_templates(templates_dir.as_deref())?;
    let static_files = site::static_files(static_dir.as_deref())?;

    let mut errors = Vec::new();
    let mut articles = Vec::new();
    for file in seed::find_seeds(&options.seeds)? {
        let article = seed::read_seed(
            &file.path,
            &file.stem,
            &options.source_lang,
            options.time_zone,
            options.encoding,
        )
        .and_then(|seed| translate::authored(seed, &options.target_lang, options.encoding))
        .and_then(|article| annotate::annotate(&article).map(|a| (article, a)));
        match article {
            Ok(pair) => articles.push(pair),
            Err(e) => errors.push(e),
        }
    }
    let mut pages = pages_with_unique_slugs(&articles, &mut errors);
    site::sort_newest_first(&mut pages);
    if !errors.is_empty() {
        return Err(if errors.len() == 1 {
            errors.remove(0)
        } else {
            Error::Many(errors)
        });
    }

    let mut protected: Vec<&Path> = vec![&options.seeds, Path::new(".")];
    protected.extend(templates_dir.as_deref());
    protected.extend(static_dir.as_deref());
    let staging = site::Staging::new(&options.out, &protected)?;
    for (name, bytes) in &static_files {
        if pages
            .iter()
            .any(|p| name.split('/').next() == Some(p.slug.as_str()))
        {
            return Err(Error::input(
                Location::file(Path::new(name)),
                "a static file has the same name as an article's folder; rename one of them",
            ));
        }
        staging.write(name, bytes)?;
    }
    for page in &pages {
        staging.write(
            &format!("{}/index.html", page.slug),
            site::render_article(&tera, &options.site, page)?.as_bytes(),
        )?;
        for (side, doc) in [
            (&page.article.source, &page.annotated.source.markdown),
            (&page.article.target, &page.annotated.target.markdown),
        ] {
            staging.write(
                &format!("{}/{}.md", page.slug, side.lang),
                doc.text.as_bytes(),
            )?;
        }
    }
    let index = site::render_index(&tera, &options.site, &options.source_lang, &pages)?;
    for (path, html) in &index {
        staging.write(path, html.as_bytes())?;
    }
    staging.write(
        "404.html",
        site::render_not_found(&tera, &options.site, &options.source_lang)?.as_bytes(),
    )?;
    let mut notes = Vec::new();
    let warnings: Vec<Warning> = articles
        .iter()
        .flat_map(|(_, a)| a.warnings.clone())
        .collect();
    match &options.site.base_url {
        Some(base) => {
            let index_paths: Vec<String> = index.into_iter().map(|(path, _)| path).collect();
            let feed = feed::atom(&options.site, base, &options.source_lang, &pages);
            staging.write("atom.xml", feed.as_bytes())?;
            staging.write("sitemap.xml", feed::sitemap(base, &index_paths, &pages).as_bytes())?;
            staging.write("robots.txt", feed::robots(base).as_bytes())?;
        }
        None => notes.push(
            "no base_url in paralelo.toml: atom.xml, sitemap.xml, robots.txt and canonical links need one, so they are not written".to_string(),
        ),
    }
    staging.commit()?;

    Ok(BuildReport {
        pages: pages.len(),
        warnings,
        notes,
    })
}

use error::Location;

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

/// Gives each article its slug; two articles with one slug are an error naming both.
fn pages_with_unique_slugs<'a>(
    articles: &'a [(translate::Article, annotate::AnnotatedArticle)],
    errors: &mut Vec<Error>,
) -> Vec<site::Page<'a>> {
    // `page/` holds the index's later pages.
    let reserved = Path::new("(the index pages)");
    let mut seen: BTreeMap<String, &Path> = BTreeMap::from([("page".to_string(), reserved)]);
    let mut pages = Vec::new();
    for (article, annotated) in articles {
        let slug = site::slugify(article.slug.as_deref().unwrap_or(&article.stem));
        if let Some(first) = seen.get(&slug) {
            errors.push(Error::input(
                Location::file(&article.source.file),
                format!(
                    "has the slug `{slug}`, like {}; give one of them another `slug` in its translation's front matter",
                    first.display()
                ),
            ));
            continue;
        }
        seen.insert(slug.clone(), &article.source.file);
        pages.push(site::Page {
            slug,
            article,
            annotated,
        });
    }
    pages
}

/// A folder the user named must exist; the default one is used only if it does.
fn existing_or_default(given: Option<&Path>, default: &str) -> Result<Option<PathBuf>> {
    match given {
        Some(dir) if dir.is_dir() => Ok(Some(dir.to_path_buf())),
        Some(dir) => Err(Error::input(Location::file(dir), "no such folder")),
        None => Ok(Some(PathBuf::from(default)).filter(|d| d.is_dir())),
    }
}
