//! The ways into a large site besides its index: search (its files, [`search`], and the words
//! they hold, [`words`]), the archive by month ([`archive`]), and the pages of the people,
//! places and organisations the articles name ([`names`], [`entities`]) and of their topics.
//! The build calls [`site_files`] and [`entities::pages`].

mod archive;
pub mod entities;
mod search;
mod words;

use crate::config::BuildOptions;
use crate::error::Result;
use crate::model::ArticleSummary;

pub use search::File;

/// Top-level folders of the output that articles may not take as slugs: the archive, the search
/// files, and those kept for pages of people, places, organisations and topics.
pub const RESERVED: [&str; 6] = [
    archive::FOLDER,
    search::FOLDER,
    entities::Kind::Person.folder(),
    entities::Kind::Place.folder(),
    entities::Kind::Organisation.folder(),
    entities::Kind::Topic.folder(),
];

/// The templates of these pages, built in; a project's templates folder may override each.
pub const BUILTIN_TEMPLATES: [(&str, &str); 6] = [
    ("archive.html", include_str!("../../templates/archive.html")),
    (
        "archive-month.html",
        include_str!("../../templates/archive-month.html"),
    ),
    ("search.html", include_str!("../../templates/search.html")),
    ("entity.html", include_str!("../../templates/entity.html")),
    (
        "entities.html",
        include_str!("../../templates/entities.html"),
    ),
    (
        "entity-links.html",
        include_str!("../../templates/entity-links.html"),
    ),
];

/// The search script, built in with the other static files.
pub const SEARCH_JS: (&str, &str) = ("search.js", include_str!("../../static/search.js"));

/// What [`site_files`] made.
pub struct Made {
    /// The files, all of them the build's; those whose bytes are `None` stay as they are.
    pub files: Vec<File>,
    /// The pages the sitemap lists, by path inside the output.
    pub pages: Vec<String>,
}

/// The search files and the archive for the articles `newest_first`. With `before`, the last
/// build's articles in its order, only what changed is made again (see each module).
pub fn site_files(
    tera: &tera::Tera,
    options: &BuildOptions,
    newest_first: &[&ArticleSummary],
    before: Option<&[&ArticleSummary]>,
) -> Result<Made> {
    let out = &options.out;
    let langs = (options.source_lang.as_str(), options.target_lang.as_str());
    let (search, archive) = rayon::join(
        || search::files(out, newest_first, before),
        || archive::files(tera, &options.site, langs, out, newest_first, before),
    );
    let archive = archive?;
    let pages = archive.iter().map(|(path, _)| path.clone()).collect();
    let mut files = search;
    files.extend(archive);
    Ok(Made { files, pages })
}
