//! Fills the templates: Tera loading (the project's templates or the built-in ones), the article
//! page, the index pages and the 404 page; the feeds are in [`feeds`]. What it renders goes to
//! the build as text; writing it is [`crate::output`]'s job.

pub mod feeds;

use std::collections::BTreeMap;

use std::path::Path;

use serde::Serialize;

use crate::annotate::{AnnotatedArticle, AnnotatedSide, Glossary, ParagraphPair};
use crate::config::SiteSettings;
use crate::error::{Error, Location, Result};
use crate::files::files_under;
use crate::lang::language_name;
use crate::model::{Article, ArticleSummary, Side, SideSummary, Translator};

/// The templates shipped inside the binary, used when the project has no `templates/` folder;
/// a project's folder must have the pages' four.
const BUILTIN_TEMPLATES: [(&str, &str); 4] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("article.html", include_str!("../../templates/article.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("404.html", include_str!("../../templates/404.html")),
];

/// The feeds' templates and the pages' shared parts, built in as Zola's are: a project's
/// templates folder may override each.
const BUILTIN_FEEDS: [(&str, &str); 5] = [
    (
        "pagination.html",
        include_str!("../../templates/pagination.html"),
    ),
    (
        "article-list.html",
        include_str!("../../templates/article-list.html"),
    ),
    ("atom.xml", include_str!("../../templates/atom.xml")),
    ("sitemap.xml", include_str!("../../templates/sitemap.xml")),
    ("robots.txt", include_str!("../../templates/robots.txt")),
];

/// The static files shipped inside the binary, used when the project has no `static/` folder.
const BUILTIN_STATIC: [(&str, &str); 7] = [
    ("style.css", include_str!("../../static/style.css")),
    ("paralelo.js", include_str!("../../static/paralelo.js")),
    ("glosses.js", include_str!("../../static/glosses.js")),
    ("learner.js", include_str!("../../static/learner.js")),
    ("speech.js", include_str!("../../static/speech.js")),
    ("difficulty.js", include_str!("../../static/difficulty.js")),
    crate::find::SEARCH_JS,
];

/// The templates' names and texts: those in `dir`, or the built-in ones when `dir` is `None`.
pub fn template_sources(dir: Option<&Path>) -> Result<Vec<(String, String)>> {
    match dir {
        None => Ok(BUILTIN_TEMPLATES
            .iter()
            .map(|(name, text)| (name.to_string(), text.to_string()))
            .collect()),
        Some(dir) => read_tree(dir, "read the templates folder")?
            .into_iter()
            .filter(|(name, _)| [".html", ".xml", ".txt"].iter().any(|e| name.ends_with(e)))
            .map(|(name, bytes)| {
                let text = String::from_utf8(bytes).map_err(|_| {
                    Error::input(Location::file(&dir.join(&name)), "template is not UTF-8")
                })?;
                Ok((name, text))
            })
            .collect(),
    }
}

/// Parses the templates read from `dir` (`None`: the built-in ones).
pub fn load_templates(sources: &[(String, String)], dir: Option<&Path>) -> Result<tera::Tera> {
    let mut tera = tera::Tera::new();
    let given = |name: &str| sources.iter().any(|(n, _)| n == name);
    let feeds = BUILTIN_FEEDS.iter().chain(&crate::find::BUILTIN_TEMPLATES);
    let feeds = feeds.filter(|(name, _)| !given(name));
    let all = sources
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .chain(feeds.copied());
    tera.add_raw_templates(all)
        .map_err(|e| template_error(dir, "", &e))?;
    for (name, _) in BUILTIN_TEMPLATES {
        if !tera.contains_template(name) {
            return Err(Error::Template {
                name: name.to_string(),
                message: format!(
                    "missing from {}; every templates folder needs base.html, article.html, index.html and 404.html",
                    dir.map_or("the built-in templates".into(), |d| d.display().to_string())
                ),
            });
        }
    }
    Ok(tera)
}

fn template_error(dir: Option<&Path>, name: &str, e: &tera::Error) -> Error {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    let name = match dir {
        Some(dir) if !name.is_empty() => dir.join(name).display().to_string(),
        Some(dir) => dir.display().to_string(),
        None => name.to_string(),
    };
    Error::Template { name, message }
}

/// Reads every file under `dir`, keyed by its path relative to `dir` with `/` separators.
fn read_tree(dir: &Path, action: &'static str) -> Result<BTreeMap<String, Vec<u8>>> {
    files_under(dir, action)?
        .into_iter()
        .filter(|(_, path)| !path.is_dir())
        .map(|(name, path)| {
            let mut bytes = Vec::new();
            crate::files::open_regular(&path)
                .and_then(|(mut file, _)| std::io::Read::read_to_end(&mut file, &mut bytes))
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::InvalidInput => Error::input(
                        Location::file(&path),
                        format!("{e}; templates and static files must be files: move it away"),
                    ),
                    _ => Error::io(&path, "read", e),
                })?;
            Ok((name, bytes))
        })
        .collect()
}

/// The static files to copy: those under `dir`, or the built-in ones when `dir` is `None`.
pub fn static_files(dir: Option<&Path>) -> Result<BTreeMap<String, Vec<u8>>> {
    match dir {
        Some(dir) => read_tree(dir, "read the static folder"),
        None => Ok(BUILTIN_STATIC
            .iter()
            .map(|(name, text)| (name.to_string(), text.as_bytes().to_vec()))
            .collect()),
    }
}

/// Makes a URL-safe slug: lowercase ASCII letters, digits, underscores and single dashes.
pub fn slugify(text: &str) -> String {
    // Transliterated first (deunicode), so `Córdoba` becomes `cordoba`, not `c-rdoba`, and
    // `Київ` becomes `kiyiv`.
    let mut slug = String::new();
    for c in deunicode::deunicode(text)
        .chars()
        .flat_map(char::to_lowercase)
    {
        if c.is_ascii_alphanumeric() || c == '_' {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let mut slug: String = slug.chars().take(80).collect();
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() {
        // Nothing to read in it (`..`, `¿?`): named by its hash, so that two such seeds still
        // get two pages.
        let mut hash = crate::record::StableHasher::new();
        hash.write(text.as_bytes());
        format!("article-{:08x}", hash.finish() >> 32)
    } else {
        slug
    }
}

/// An article ready to be written: its data and its annotated paragraphs.
pub struct Page<'a> {
    pub slug: String,
    pub article: &'a Article,
    pub annotated: &'a AnnotatedArticle,
    /// Its links to the pages of the people, places, organisations and topics it names.
    pub entities: &'a [crate::find::entities::LinkGroup],
}

#[derive(Serialize)]
struct SideContext<'a> {
    lang: &'a str,
    language: &'a str,
    title: &'a str,
    /// The title as HTML: on the original's side with its words wrapped for their glosses.
    title_html: &'a str,
    summary: &'a str,
    caption: Option<&'a str>,
    /// The caption as HTML, as `title_html`.
    caption_html: Option<&'a str>,
    credit: Option<&'a str>,
    date: Option<&'a str>,
    markdown: String,
}

#[derive(Serialize)]
struct GlossaryContext<'a> {
    /// JSON for the page's script: the analyses the words point to.
    data: &'a str,
    /// JSON for the page's script, which lays out the vocabulary list from it.
    vocabulary: &'a str,
    /// How many words the vocabulary list has.
    words: usize,
    /// The name the reader's browser saves the list's Anki CSV under: the script makes the file
    /// from the page's data, so the site holds no copy of it.
    csv: String,
}

fn glossary_context<'a>(glossary: &'a Glossary, slug: &str) -> GlossaryContext<'a> {
    GlossaryContext {
        data: &glossary.data,
        vocabulary: &glossary.vocabulary_data,
        words: glossary.vocabulary.len(),
        csv: format!("{slug}-vocabulary.csv"),
    }
}

#[derive(Serialize)]
struct PairContext<'a> {
    number: usize,
    source: &'a str,
    target: &'a str,
}

#[derive(Serialize)]
struct ArticleContext<'a> {
    slug: &'a str,
    /// The page's absolute address, when the site has a base URL.
    url: Option<String>,
    published: Option<String>,
    source: SideContext<'a>,
    target: SideContext<'a>,
    translation_note: String,
    /// Whether a machine made the translation (its unknown words are marked).
    machine: bool,
    glossary: Option<GlossaryContext<'a>>,
    pairs: Vec<PairContext<'a>>,
    entities: &'a [crate::find::entities::LinkGroup],
}

/// What the index and the feeds keep of the article on `page`.
pub fn summary(page: &Page<'_>) -> ArticleSummary {
    let side = |side: &Side, annotated: &AnnotatedSide| SideSummary {
        lang: side.lang.clone(),
        title: annotated.title.clone(),
        summary: annotated.summary.clone(),
        date: side.dateline.as_ref().map(|d| d.value.clone()),
    };
    ArticleSummary {
        slug: page.slug.clone(),
        published: page.article.published,
        published_iso: page.article.published.map(|d| d.to_rfc3339()),
        source: side(&page.article.source, &page.annotated.source),
        target: side(&page.article.target, &page.annotated.target),
        machine: matches!(page.article.translator, Translator::Machine(_)),
        level: None,
    }
}

#[derive(Serialize)]
struct IndexEntry<'a> {
    href: String,
    #[serde(flatten)]
    article: &'a ArticleSummary,
}

fn side_context<'a>(side: &'a Side, annotated: &'a AnnotatedSide) -> SideContext<'a> {
    SideContext {
        lang: &side.lang,
        language: language_name(&side.lang),
        title: &annotated.title,
        title_html: &annotated.title_html,
        summary: &annotated.summary,
        caption: side.caption.as_ref().map(|c| c.text.as_str()),
        caption_html: annotated.caption_html.as_deref(),
        credit: side.caption.as_ref().and_then(|c| c.credit.as_deref()),
        date: side.dateline.as_ref().map(|d| d.value.as_str()),
        markdown: format!("{}.md", side.lang),
    }
}

fn translation_note(article: &Article) -> String {
    match &article.translator {
        Translator::Authored(Some(name)) => format!("Translated by {name}"),
        Translator::Authored(None) => "Human translation".to_string(),
        Translator::Machine(engine) => format!("Machine translation ({engine})"),
    }
}

fn article_context<'a>(site: &SiteSettings, page: &'a Page<'a>) -> ArticleContext<'a> {
    let (article, annotated) = (page.article, page.annotated);
    ArticleContext {
        slug: &page.slug,
        url: site
            .base_url
            .as_ref()
            .map(|base| format!("{base}{}/", page.slug)),
        published: article.published.map(|d| d.to_rfc3339()),
        source: side_context(&article.source, &annotated.source),
        target: side_context(&article.target, &annotated.target),
        translation_note: translation_note(article),
        machine: matches!(article.translator, Translator::Machine(_)),
        glossary: annotated
            .glossary
            .as_ref()
            .map(|glossary| glossary_context(glossary, &page.slug)),
        pairs: annotated
            .pairs
            .iter()
            .map(
                |ParagraphPair {
                     number,
                     source_html,
                     target_html,
                 }| PairContext {
                    number: *number,
                    source: source_html,
                    target: target_html,
                },
            )
            .collect(),
        entities: page.entities,
    }
}

/// Renders the template `name` with `context`.
fn render(tera: &tera::Tera, name: &str, context: &tera::Context) -> Result<String> {
    tera.render(name, context)
        .map_err(|e| template_error(None, name, &e))
}

/// What every feed template sees: the site's settings, its address and its language.
fn site_context(site: &SiteSettings, base: &str, lang: &str) -> tera::Context {
    let mut context = tera::Context::new();
    context.insert("site", site);
    context.insert("base_url", base);
    context.insert("lang", lang);
    context
}

/// Renders one article page.
pub fn render_article(tera: &tera::Tera, site: &SiteSettings, page: &Page<'_>) -> Result<String> {
    let mut context = tera::Context::new();
    context.insert("site", site);
    context.insert("root", "../");
    context.insert("lang", &page.article.source.lang);
    context.insert("article", &article_context(site, page));
    render(tera, "article.html", &context)
}

/// How many articles one index page lists.
pub const INDEX_PAGE_SIZE: usize = 50;

/// Where a list page stands among its folder's numbered pages, for the templates.
#[derive(Serialize)]
pub(crate) struct Pagination {
    number: usize,
    total: usize,
    newer: Option<String>,
    older: Option<String>,
}

impl Pagination {
    /// Page `number` (1-based) of `total`, with links to its neighbours.
    pub(crate) fn new(number: usize, total: usize) -> Pagination {
        let link = |to: usize| format!("{}{}", index_path(number).1, index_path(to).0);
        Pagination {
            number,
            total,
            newer: (number > 1).then(|| link(number - 1)),
            older: (number < total).then(|| link(number + 1)),
        }
    }
}

/// The path of list page `number` (1-based) inside its folder (the index's: the output), and
/// the way back to that folder.
pub(crate) fn index_path(number: usize) -> (String, &'static str) {
    match number {
        1 => ("index.html".to_string(), ""),
        n => (format!("page/{n}/index.html"), "../../"),
    }
}

/// Renders the index pages, [`INDEX_PAGE_SIZE`] articles each, of articles already sorted:
/// `(path inside the output, HTML)`, the HTML only of the pages that `wanted` asks for (by
/// number from 0, and path), so that a rebuild renders only the pages whose articles changed.
pub fn render_index(
    tera: &tera::Tera,
    site: &SiteSettings,
    lang: &str,
    articles: &[&ArticleSummary],
    wanted: &dyn Fn(usize, &str) -> bool,
) -> Result<Vec<(String, Option<String>)>> {
    let chunks: Vec<&[&ArticleSummary]> = if articles.is_empty() {
        vec![&[]]
    } else {
        articles.chunks(INDEX_PAGE_SIZE).collect()
    };
    let total = chunks.len();
    chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let number = i + 1;
            let (path, root) = index_path(number);
            if !wanted(i, &path) {
                return Ok((path, None));
            }
            let entries: Vec<IndexEntry<'_>> = chunk
                .iter()
                .map(|article| IndexEntry {
                    href: format!("{root}{}/index.html", article.slug),
                    article,
                })
                .collect();
            let pagination = Pagination::new(number, total);
            let mut context = tera::Context::new();
            context.insert("site", site);
            context.insert("root", root);
            context.insert("lang", lang);
            context.insert("articles", &entries);
            context.insert("pagination", &pagination);
            let html = render(tera, "index.html", &context)?;
            Ok((path, Some(html)))
        })
        .collect()
}

/// Renders the page a host shows for a missing address. It may be served from any depth, so
/// it links to the site by its absolute address when there is one.
pub fn render_not_found(tera: &tera::Tera, site: &SiteSettings, lang: &str) -> Result<String> {
    let mut context = tera::Context::new();
    context.insert("site", site);
    context.insert("root", site.base_url.as_deref().unwrap_or(""));
    context.insert("lang", lang);
    render(tera, "404.html", &context)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_and_static_file_is_built_in() {
        // Tests build with the crate's own `templates/` as the project's folder, which would
        // hide a template or static file left out of the built-in lists.
        let tera = load_templates(&template_sources(None).unwrap(), None).unwrap();
        let built_in: Vec<&str> = tera.get_template_names().collect();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for entry in std::fs::read_dir(root.join("templates")).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                built_in.contains(&name.as_str()),
                "templates/{name} is not built in"
            );
        }
        for entry in std::fs::read_dir(root.join("static")).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                BUILTIN_STATIC.iter().any(|(n, _)| *n == name),
                "static/{name} is not built in"
            );
        }
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("000_df1e1d8b34815c19"), "000_df1e1d8b34815c19");
        assert_eq!(slugify("Córdoba: ¡Año Nuevo! "), "cordoba-ano-nuevo");
        assert_eq!(slugify("Київ, Ærø, Straße"), "kiyiv-aero-strasse");
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("%2f"), "2f");
        let unreadable = [slugify("..."), slugify(".."), slugify("¿?")];
        assert!(
            unreadable
                .iter()
                .all(|s| s.starts_with("article-") && s.len() == 16)
        );
        assert!(unreadable[0] != unreadable[1] && unreadable[1] != unreadable[2]);
        assert_eq!(slugify("..."), unreadable[0]);
        assert_eq!(slugify(&"a".repeat(300)).len(), 80);
    }
}
