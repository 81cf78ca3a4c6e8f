//! The contexts of what a published site offers beyond its pages: the Atom feed, the sitemap and
//! robots.txt, rendered by the built-in templates `atom.xml`, `sitemap.xml` and `robots.txt`
//! (which a project's templates folder may override). Each needs the site's absolute address,
//! so without a base URL none is written.

use serde::Serialize;

use super::{render, site_context};
use crate::config::SiteSettings;
use crate::error::Result;
use crate::model::ArticleSummary;

/// How many of the newest articles the feed carries.
pub const FEED_ENTRIES: usize = 100;

#[derive(Serialize)]
struct FeedEntry<'a> {
    url: String,
    updated: String,
    article: &'a ArticleSummary,
}

/// The Atom feed (RFC 4287) of pages sorted newest first.
///
/// Atom wants an `updated` time everywhere; an undated article takes the newest date of the
/// site, never the time of the build, so that two builds of one input are the same bytes.
pub fn atom(
    tera: &tera::Tera,
    site: &SiteSettings,
    base: &str,
    lang: &str,
    articles: &[&ArticleSummary],
) -> Result<String> {
    atom_for(tera, site, base, lang, articles, "atom.xml", &site.title)
}

/// [`atom`] for the feed at `path` inside the output (an entity's, say), titled `title`.
pub fn atom_for(
    tera: &tera::Tera,
    site: &SiteSettings,
    base: &str,
    lang: &str,
    articles: &[&ArticleSummary],
    path: &str,
    title: &str,
) -> Result<String> {
    let newest = articles
        .iter()
        .find_map(|a| a.published_iso.clone())
        .unwrap_or_else(|| "1970-01-01T00:00:00+00:00".to_string());
    let entries: Vec<FeedEntry<'_>> = articles
        .iter()
        .take(FEED_ENTRIES)
        .map(|article| FeedEntry {
            url: format!("{base}{}/", article.slug),
            updated: article.published_iso.clone().unwrap_or(newest.clone()),
            article,
        })
        .collect();
    let mut context = site_context(site, base, lang);
    context.insert("updated", &newest);
    context.insert("entries", &entries);
    context.insert("feed_path", path);
    context.insert("feed_title", title);
    // The page the feed follows: the site's index, or the folder the feed is in.
    context.insert("feed_page", path.trim_end_matches("atom.xml"));
    render(tera, "atom.xml", &context)
}

#[derive(Serialize)]
struct SitemapUrl<'a> {
    loc: String,
    lastmod: Option<&'a str>,
}

/// The sitemap: the index pages and every article, with its date.
pub fn sitemap(
    tera: &tera::Tera,
    site: &SiteSettings,
    base: &str,
    index_paths: &[String],
    articles: &[&ArticleSummary],
) -> Result<String> {
    let pages = index_paths.iter().map(|path| SitemapUrl {
        loc: format!("{base}{}", path.trim_end_matches("index.html")),
        lastmod: None,
    });
    let articles = articles.iter().map(|article| SitemapUrl {
        loc: format!("{base}{}/", article.slug),
        lastmod: article.published_iso.as_deref(),
    });
    let urls: Vec<SitemapUrl<'_>> = pages.chain(articles).collect();
    let mut context = site_context(site, base, "");
    context.insert("urls", &urls);
    render(tera, "sitemap.xml", &context)
}

/// robots.txt: everything may be read, and here is the sitemap.
pub fn robots(tera: &tera::Tera, site: &SiteSettings, base: &str) -> Result<String> {
    render(tera, "robots.txt", &site_context(site, base, ""))
}
