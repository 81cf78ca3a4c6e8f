//! Lays out the site: templates render each article and the index, static files are copied, and
//! the whole output folder is swapped in only once everything is written.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::annotate::{AnnotatedArticle, AnnotatedSide, Glossary, ParagraphPair};
use crate::config::ReadingMode;
use crate::error::{Error, Location, Result};
use crate::translate::{Article, Side, Translator};

/// Site-wide settings the templates see as `site`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteSettings {
    pub title: String,
    pub description: String,
    /// The mode a page opens in until the reader picks another.
    pub default_mode: ReadingMode,
    /// Where the site is published, ending in `/`; feeds, sitemap and canonical links need it.
    pub base_url: Option<String>,
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            title: "paralelo".to_string(),
            description: "Bilingual reading: each article beside its translation.".to_string(),
            default_mode: ReadingMode::Side,
            base_url: None,
        }
    }
}

/// The vocabulary of an article, for Anki, beside its page.
pub const VOCABULARY_CSV: &str = "vocabulary.csv";

/// The file that marks a folder as paralelo's output, which a build may replace.
pub const OUTPUT_MARKER: &str = ".paralelo-output";

/// The templates shipped inside the binary, used when the project has no `templates/` folder.
const BUILTIN_TEMPLATES: [(&str, &str); 4] = [
    ("base.html", include_str!("../templates/base.html")),
    ("article.html", include_str!("../templates/article.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("404.html", include_str!("../templates/404.html")),
];

/// The static files shipped inside the binary, used when the project has no `static/` folder.
const BUILTIN_STATIC: [(&str, &str); 2] = [
    ("style.css", include_str!("../static/style.css")),
    ("paralelo.js", include_str!("../static/paralelo.js")),
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
            .filter(|(name, _)| name.ends_with(".html"))
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
    tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
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
        .filter(|(_, path)| path.is_file())
        .map(|(name, path)| {
            let bytes = fs::read(&path).map_err(|e| Error::io(&path, "read", e))?;
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
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = fold_accent(c);
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

/// The ASCII letter under a Latin accent, so `Córdoba` becomes `cordoba`, not `c-rdoba`.
fn fold_accent(c: char) -> char {
    const FROM: &str = "áàâäãåāéèêëēíìîïīóòôöõøōúùûüūñçýÿ";
    const TO: &str = "aaaaaaaeeeeeiiiiiooooooouuuuuncyy";
    FROM.chars()
        .position(|f| f == c)
        .and_then(|i| TO.chars().nth(i))
        .unwrap_or(c)
}

/// An article ready to be written: its data and its annotated paragraphs.
pub struct Page<'a> {
    pub slug: String,
    pub article: &'a Article,
    pub annotated: &'a AnnotatedArticle,
}

#[derive(Serialize)]
struct SideContext<'a> {
    lang: &'a str,
    language: &'a str,
    title: &'a str,
    summary: &'a str,
    caption: Option<&'a str>,
    credit: Option<&'a str>,
    date: Option<&'a str>,
    markdown: String,
}

#[derive(Serialize)]
struct GlossaryContext<'a> {
    /// JSON for the page's script: the analyses the words point to.
    data: &'a str,
    csv: &'static str,
    vocabulary: Vec<VocabularyRow<'a>>,
}

#[derive(Serialize)]
struct VocabularyRow<'a> {
    lemma: &'a str,
    part_of_speech: &'static str,
    glosses: String,
    /// The first sentence with the lemma, cut around the word so the template can mark it.
    before: &'a str,
    word: &'a str,
    after: &'a str,
    occurrences: usize,
}

fn glossary_context(glossary: &Glossary) -> GlossaryContext<'_> {
    let vocabulary = glossary
        .vocabulary
        .iter()
        .map(|entry| {
            let sentence = entry.sentence.as_str();
            let word = sentence.get(entry.word.clone()).unwrap_or("");
            VocabularyRow {
                lemma: &entry.lemma,
                part_of_speech: entry.part_of_speech.name(),
                glosses: entry.glosses.join("; "),
                before: sentence.get(..entry.word.start).unwrap_or(sentence),
                word,
                after: sentence.get(entry.word.end..).unwrap_or(""),
                occurrences: entry.occurrences,
            }
        })
        .collect();
    GlossaryContext {
        data: &glossary.data,
        csv: VOCABULARY_CSV,
        vocabulary,
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
}

/// What the index and the feed keep of an article: enough to list it, little enough to keep
/// for every article of a large site while the pages themselves stream to disk.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ArticleSummary {
    pub slug: String,
    #[serde(skip)]
    pub published: Option<DateTime<FixedOffset>>,
    /// `published` as ISO 8601, for templates.
    pub published_iso: Option<String>,
    pub source: SideSummary,
    pub target: SideSummary,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SideSummary {
    pub lang: String,
    pub title: String,
    /// The lead's first sentence.
    pub summary: String,
    /// The dateline as written.
    pub date: Option<String>,
}

impl ArticleSummary {
    pub fn new(page: &Page<'_>) -> ArticleSummary {
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
        }
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
        summary: &annotated.summary,
        caption: side.caption.as_ref().map(|c| c.text.as_str()),
        credit: side.caption.as_ref().and_then(|c| c.credit.as_deref()),
        date: side.dateline.as_ref().map(|d| d.value.as_str()),
        markdown: format!("{}.md", side.lang),
    }
}

/// The name of a language in that language, for column headings.
fn language_name(lang: &str) -> &str {
    match lang {
        "es" => "Español",
        "en" => "English",
        "fr" => "Français",
        "pt" => "Português",
        "ca" => "Català",
        "de" => "Deutsch",
        "it" => "Italiano",
        other => other,
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
        glossary: annotated.glossary.as_ref().map(glossary_context),
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
    }
}

/// Renders one article page.
pub fn render_article(tera: &tera::Tera, site: &SiteSettings, page: &Page<'_>) -> Result<String> {
    let mut context = tera::Context::new();
    context.insert("site", site);
    context.insert("root", "../");
    context.insert("lang", &page.article.source.lang);
    context.insert("article", &article_context(site, page));
    tera.render("article.html", &context)
        .map_err(|e| template_error(None, "article.html", &e))
}

/// How many articles one index page lists.
pub const INDEX_PAGE_SIZE: usize = 50;

/// The order of the index and the feed: newest first, undated last, then by slug, so that it
/// never depends on the seeds' order.
pub fn newest_first(a: &ArticleSummary, b: &ArticleSummary) -> std::cmp::Ordering {
    b.published
        .cmp(&a.published)
        .then_with(|| a.slug.cmp(&b.slug))
}

#[derive(Serialize)]
struct Pagination {
    number: usize,
    total: usize,
    newer: Option<String>,
    older: Option<String>,
}

/// The path of index page `number` (1-based) inside the output, and the way back to the root.
fn index_path(number: usize) -> (String, &'static str) {
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
    let link = |from: usize, to: usize| {
        let (path, _) = index_path(to);
        format!("{}{path}", index_path(from).1)
    };
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
            let pagination = Pagination {
                number,
                total,
                newer: (number > 1).then(|| link(number, number - 1)),
                older: (number < total).then(|| link(number, number + 1)),
            };
            let mut context = tera::Context::new();
            context.insert("site", site);
            context.insert("root", root);
            context.insert("lang", lang);
            context.insert("articles", &entries);
            context.insert("pagination", &pagination);
            let html = tera
                .render("index.html", &context)
                .map_err(|e| template_error(None, "index.html", &e))?;
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
    tera.render("404.html", &context)
        .map_err(|e| template_error(None, "404.html", &e))
}

/// Writes `bytes` to `relative` inside `out` whole or not at all: into a temporary file
/// beside it, then renamed over it.
fn write_file(out: &Path, relative: &str, bytes: &[u8]) -> Result<()> {
    let path = out.join(relative);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create folder", e))?;
    }
    let temporary = path.with_file_name(format!(
        ".{}.paralelo-tmp",
        path.file_name()
            .map_or("file".into(), |n| n.to_string_lossy())
    ));
    fs::write(&temporary, bytes).map_err(|e| Error::io(&temporary, "write", e))?;
    fs::rename(&temporary, &path).map_err(|e| Error::io(&path, "replace", e))
}

/// Writes a new file in a staging folder, making its folder when it is not there yet. An
/// article's folder is made by its first file: trying first saves the other files a `mkdir`
/// that fails and a `stat`, thousands of system calls on a large site.
fn write_making_folder(path: &Path, bytes: &[u8]) -> Result<()> {
    match fs::write(path, bytes) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create folder", e))?;
            }
            fs::write(path, bytes)
        }
        done => done,
    }
    .map_err(|e| Error::io(path, "write", e))
}

/// Removes a file paralelo made inside `out`, and its folder if that is left empty.
pub fn remove_output_file(out: &Path, relative: &str) -> Result<()> {
    let path = out.join(relative);
    match fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(&path, "remove", e)),
    }
    if let Some(parent) = path.parent().filter(|p| *p != out) {
        // Fails, harmlessly, while the folder holds anything else.
        let _ = fs::remove_dir(parent);
    }
    Ok(())
}

/// A folder being filled beside the output, swapped in by [`Staging::commit`].
pub struct Staging {
    dir: PathBuf,
    out: PathBuf,
    /// What this build wrote, by path inside the output.
    written: std::sync::Mutex<std::collections::BTreeSet<String>>,
}

impl Staging {
    /// Checks that `out` may be replaced (with `force`, also a folder paralelo did not make),
    /// then makes an empty folder beside it.
    pub fn new(out: &Path, protected: &[&Path], force: bool) -> Result<Staging> {
        check_output(out, protected, force)?;
        let dir = staging_dir(out);
        if let Some(parent) = dir.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| Error::io(parent, "create the output's parent folder", e))?;
        }
        clear_leftovers(out)?;
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, "create the staging folder", e))?;
        let staging = Staging {
            dir,
            out: out.to_path_buf(),
            written: Default::default(),
        };
        staging.write(
            OUTPUT_MARKER,
            b"Made by paralelo; a build replaces this folder.\n",
        )?;
        Ok(staging)
    }

    /// Writes `bytes` at `relative` (with `/` separators) inside the staging folder.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        if let Ok(mut written) = self.written.lock() {
            written.insert(relative.to_string());
        }
        write_making_folder(&self.dir.join(relative), bytes)
    }

    /// Puts the staging folder in the output's place, in one step where the system allows, so
    /// that a reader (or a build killed right now) sees the old site or the new one, never none.
    /// Files of the old output that `made_before` does not claim are the user's (a `CNAME`, a
    /// verification file): they move into the new output, and one that the new build would
    /// overwrite stops it.
    pub fn commit(self, made_before: &dyn Fn(&str) -> bool) -> Result<()> {
        if !self.out.exists() {
            return fs::rename(&self.dir, &self.out)
                .map_err(|e| Error::io(&self.out, "move the new output in place", e));
        }
        self.keep_user_files(made_before)?;
        exchange(&self.dir, &self.out)
            .map_err(|e| Error::io(&self.out, "swap in the new output", e))?;
        // The staging folder now holds the old output, which drop removes.
        Ok(())
    }

    fn keep_user_files(&self, made_before: &dyn Fn(&str) -> bool) -> Result<()> {
        let written = self.written.lock().map(|w| w.clone()).unwrap_or_default();
        for (relative, path) in files_under(&self.out, "read the output folder")? {
            let ours = relative == OUTPUT_MARKER
                || relative == crate::incremental::MANIFEST
                || relative.ends_with(".paralelo-tmp")
                || made_before(&relative);
            if ours {
                continue;
            }
            if written.contains(&relative) {
                return Err(Error::input(
                    Location::file(&path),
                    "is not paralelo's, and the build would overwrite it; move it out of the output folder",
                ));
            }
            let kept = self.dir.join(&relative);
            if let Some(parent) = kept.parent() {
                fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create folder", e))?;
            }
            // A hard link keeps the very file; a copy where the file system has none.
            fs::hard_link(&path, &kept)
                .or_else(|_| fs::copy(&path, &kept).map(|_| ()))
                .map_err(|e| Error::io(&path, "keep", e))?;
        }
        Ok(())
    }
}

/// Everything under `dir` but folders: its path relative to `dir` with `/` separators, and its
/// full path.
fn files_under(dir: &Path, action: &'static str) -> Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            Error::io(&path, action, e.into())
        })?;
        if entry.file_type().is_dir() {
            continue;
        }
        let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let name = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        files.push((name, entry.path().to_path_buf()));
    }
    Ok(files)
}

/// Where a full build fills the next output: beside it, so the swap is a rename.
fn staging_dir(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map_or("public".into(), |n| n.to_string_lossy());
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    parent.join(format!(".{name}.paralelo-new"))
}

/// The journal of an incremental build, in its staging folder: written once every changed file
/// is staged, it says that the build is to be finished, and how.
const JOURNAL: &str = ".paralelo-journal";
const JOURNAL_END: &str = "end";

/// The files an incremental build changes in place, put in place together.
///
/// Each changed file is written into the staging folder beside the output; [`Transaction::commit`]
/// then writes a journal naming every file to move in and every file to remove, moves and
/// removes them, and deletes the staging folder. A build killed before the journal exists has
/// changed nothing (the next build clears its staging folder); one killed after it is finished
/// by the next build's [`clear_leftovers`], before that build reads the output. Either way the output
/// is the old site or the new one, never a mix, once paralelo runs again.
pub struct Transaction {
    dir: PathBuf,
    out: PathBuf,
    moved: std::sync::Mutex<Vec<String>>,
    removed: std::sync::Mutex<Vec<String>>,
}

impl Transaction {
    pub fn new(out: &Path) -> Result<Transaction> {
        let dir = staging_dir(out);
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, "create the staging folder", e))?;
        let marker = dir.join(OUTPUT_MARKER);
        fs::write(&marker, b"Files of an unfinished paralelo build.\n")
            .map_err(|e| Error::io(&marker, "write", e))?;
        Ok(Transaction {
            dir,
            out: out.to_path_buf(),
            moved: Default::default(),
            removed: Default::default(),
        })
    }

    /// Stages `bytes` for `relative` inside the output, unless the file there holds exactly
    /// them: unchanged files keep their modification times.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        if fs::read(self.out.join(relative)).is_ok_and(|old| old == bytes) {
            return Ok(());
        }
        self.replace(relative, bytes)
    }

    /// Stages `bytes` for `relative` without reading what is there: for a file known to change.
    pub fn replace(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        write_making_folder(&self.dir.join(relative), bytes)?;
        if let Ok(mut moved) = self.moved.lock() {
            moved.push(relative.to_string());
        }
        Ok(())
    }

    /// Removes `relative`, a file paralelo made, from the output when the build is committed.
    pub fn remove(&self, relative: &str) {
        if let Ok(mut removed) = self.removed.lock() {
            removed.push(relative.to_string());
        }
    }

    /// Puts every staged file in place and removes the files to remove.
    pub fn commit(self) -> Result<()> {
        if self.write_journal()? {
            finish_journal(&self.dir, &self.out)?;
        }
        Ok(())
    }

    /// Writes the journal, if there is anything to do.
    fn write_journal(&self) -> Result<bool> {
        let moved = self.moved.lock().map(|m| m.clone()).unwrap_or_default();
        let removed = self.removed.lock().map(|r| r.clone()).unwrap_or_default();
        if moved.is_empty() && removed.is_empty() {
            return Ok(false);
        }
        let mut journal = String::new();
        for (kind, files) in [('m', &moved), ('r', &removed)] {
            for file in files {
                journal.push(kind);
                journal.push('\t');
                crate::record::escape_into(&mut journal, file);
                journal.push('\n');
            }
        }
        journal.push_str(JOURNAL_END);
        journal.push('\n');
        // Written whole under another name, then renamed: a journal is complete or absent.
        write_file(&self.dir, JOURNAL, journal.as_bytes())?;
        Ok(true)
    }
}

impl Drop for Transaction {
    /// A build that failed, or was committed, leaves no staging folder.
    fn drop(&mut self) {
        let _ = remove_marked(&self.dir);
    }
}

/// Does what the journal in the staging folder `dir` says: moves the staged files that are
/// still there into `out`, removes the files to remove, then deletes the staging folder.
/// Running it again after it was cut short does the rest.
fn finish_journal(dir: &Path, out: &Path) -> Result<()> {
    let path = dir.join(JOURNAL);
    let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, "read", e))?;
    let damaged = || {
        Error::input(
            Location::file(&path),
            "is damaged; delete it and build again",
        )
    };
    let body = text
        .strip_suffix(&format!("{JOURNAL_END}\n"))
        .ok_or_else(damaged)?;
    for line in body.lines() {
        let (kind, file) = line.split_once('\t').ok_or_else(damaged)?;
        let file = crate::record::unescape(file).ok_or_else(damaged)?;
        match kind {
            "m" => {
                let staged = dir.join(&file);
                if !staged.exists() {
                    continue; // moved before the build was cut short
                }
                let target = out.join(&file);
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent)
                        .map_err(|e| Error::io(parent, "create folder", e))?;
                }
                fs::rename(&staged, &target).map_err(|e| Error::io(&target, "replace", e))?;
            }
            "r" => remove_output_file(out, &file)?,
            _ => return Err(damaged()),
        }
    }
    remove_marked(dir).map_err(|e| Error::io(dir, "remove", e))
}

/// Clears what a killed build left beside the output: finishes an incremental build that had
/// written its journal, removes any other staging folder.
pub fn clear_leftovers(out: &Path) -> Result<()> {
    let dir = staging_dir(out);
    if dir.join(JOURNAL).is_file() {
        finish_journal(&dir, out)
    } else if dir.exists() {
        remove_ours(&dir)
    } else {
        Ok(())
    }
}

/// Swaps two folders atomically (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // Some file systems cannot exchange; fall back to two renames.
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {
            exchange_by_renames(a, b)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    exchange_by_renames(a, b)
}

fn exchange_by_renames(a: &Path, b: &Path) -> std::io::Result<()> {
    let aside = a.with_extension("swap");
    fs::rename(b, &aside)?;
    fs::rename(a, b)?;
    fs::rename(&aside, a)
}

impl Drop for Staging {
    /// A build that failed leaves the old output as it was and no half-written folder.
    fn drop(&mut self) {
        let _ = remove_marked(&self.dir);
    }
}

/// Removes a staging folder a killed build left: one with paralelo's marker, or an empty one
/// (killed between making it and marking it, or at the very end of removing it).
fn remove_ours(dir: &Path) -> Result<()> {
    let empty = fs::read_dir(dir)
        .map_err(|e| Error::io(dir, "read", e))?
        .next()
        .is_none();
    if !empty && !dir.join(OUTPUT_MARKER).is_file() {
        return Err(Error::input(
            Location::file(dir),
            "is in the way of the build and was not made by paralelo; move it away",
        ));
    }
    remove_marked(dir).map_err(|e| Error::io(dir, "remove", e))
}

/// Removes a folder paralelo made, its marker last: a removal cut short leaves a folder the
/// next build still knows as its own.
fn remove_marked(dir: &Path) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == OUTPUT_MARKER {
            continue;
        }
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())?;
        } else {
            fs::remove_file(entry.path())?;
        }
    }
    match fs::remove_file(dir.join(OUTPUT_MARKER)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    fs::remove_dir(dir)
}

/// The output folder may be replaced only if paralelo made it, or it is empty, and it holds
/// none of the `protected` folders (the seeds, the project).
fn check_output(out: &Path, protected: &[&Path], force: bool) -> Result<()> {
    let absolute = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let out_abs = absolute(out);
    let home = std::env::var_os("HOME").map(PathBuf::from);
    for p in protected.iter().copied().chain(home.as_deref()) {
        if absolute(p).starts_with(&out_abs) {
            return Err(Error::input(
                Location::file(out),
                format!(
                    "cannot be the output folder: it holds {}; choose another --out",
                    p.display()
                ),
            ));
        }
    }
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(Error::input(
            Location::file(out),
            "is a file, not a folder; choose another --out",
        ));
    }
    let empty = fs::read_dir(out)
        .map_err(|e| Error::io(out, "read", e))?
        .next()
        .is_none();
    if empty || force || out.join(OUTPUT_MARKER).is_file() {
        Ok(())
    } else {
        Err(Error::input(
            Location::file(out),
            format!(
                "is not empty and was not made by paralelo (no {OUTPUT_MARKER} in it); choose another --out, empty it, or build with --force (which keeps its files)"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("000_df1e1d8b34815c19"), "000_df1e1d8b34815c19");
        assert_eq!(slugify("Córdoba: ¡Año Nuevo! "), "cordoba-ano-nuevo");
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

    #[test]
    fn a_users_folder_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mine");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("notes.txt"), "keep").unwrap();
        let err = Staging::new(&out, &[], false).err().unwrap().to_string();
        assert!(err.contains("was not made by paralelo"), "{err}");
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "keep");
    }

    #[test]
    fn output_may_not_hold_the_seeds() {
        let dir = tempfile::tempdir().unwrap();
        let seeds = dir.path().join("seeds");
        fs::create_dir(&seeds).unwrap();
        let err = Staging::new(dir.path(), &[&seeds], false)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("cannot be the output folder"), "{err}");
    }

    #[test]
    fn failed_build_leaves_old_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = Staging::new(&out, &[], false).unwrap();
        first.write("index.html", b"old").unwrap();
        first.commit(&|_| true).unwrap();
        let second = Staging::new(&out, &[], false).unwrap();
        second.write("index.html", b"new").unwrap();
        drop(second);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[test]
    fn a_commit_cut_short_is_finished_by_the_next_build() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(out.join("a")).unwrap();
        for (file, text) in [
            ("a/index.html", "old a"),
            ("index.html", "index"),
            ("gone.html", "gone"),
        ] {
            fs::write(out.join(file), text).unwrap();
        }
        let read = |file: &str| fs::read_to_string(out.join(file)).unwrap();
        let transaction = Transaction::new(&out).unwrap();
        transaction.write("a/index.html", b"new a").unwrap();
        transaction.write("index.html", b"index").unwrap();
        transaction.write("b/index.html", b"new b").unwrap();
        transaction.remove("gone.html");
        assert_eq!(read("a/index.html"), "old a");
        assert!(!out.join("b").exists());

        // Killed after the journal and one move: the output is half new until paralelo runs.
        assert!(transaction.write_journal().unwrap());
        let staging = staging_dir(&out);
        fs::rename(staging.join("a/index.html"), out.join("a/index.html")).unwrap();
        std::mem::forget(transaction);
        clear_leftovers(&out).unwrap();
        assert_eq!(read("a/index.html"), "new a");
        assert_eq!(read("b/index.html"), "new b");
        assert_eq!(read("index.html"), "index");
        assert!(!out.join("gone.html").exists() && !staging.exists());

        // Killed before the journal: nothing changed, and the staged files go.
        let transaction = Transaction::new(&out).unwrap();
        transaction.write("index.html", b"newer").unwrap();
        std::mem::forget(transaction);
        clear_leftovers(&out).unwrap();
        assert_eq!(read("index.html"), "index");
        assert!(!staging.exists());

        // Killed before the staging folder was marked, or after its marker was removed: an
        // empty folder is cleared; one with someone's files in it is left alone.
        fs::create_dir(&staging).unwrap();
        clear_leftovers(&out).unwrap();
        assert!(!staging.exists());
        fs::create_dir(&staging).unwrap();
        fs::write(staging.join("notes.txt"), "mine").unwrap();
        let err = clear_leftovers(&out).unwrap_err().to_string();
        assert!(err.contains("was not made by paralelo"), "{err}");
        assert_eq!(
            fs::read_to_string(staging.join("notes.txt")).unwrap(),
            "mine"
        );
    }
}
