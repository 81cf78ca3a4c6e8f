//! Writes what a published site offers beyond its pages: the Atom feed, the sitemap and
//! robots.txt. Each needs the site's absolute address, so without a base URL none is written.

use std::fmt::Write;

use crate::config::SiteSettings;
use crate::model::ArticleSummary;

/// How many of the newest articles the feed carries.
pub const FEED_ENTRIES: usize = 100;

/// The Atom feed (RFC 4287) of pages sorted newest first.
///
/// Atom wants an `updated` time everywhere; an undated article takes the newest date of the
/// site, never the time of the build, so that two builds of one input are the same bytes.
pub fn atom(site: &SiteSettings, base: &str, lang: &str, articles: &[&ArticleSummary]) -> String {
    let newest = articles.iter().find_map(|a| a.published).map_or_else(
        || "1970-01-01T00:00:00+00:00".to_string(),
        |d| d.to_rfc3339(),
    );
    let mut xml = String::new();
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        xml,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        escape(lang)
    );
    let _ = writeln!(xml, "  <title>{}</title>", escape(&site.title));
    if !site.description.is_empty() {
        let _ = writeln!(xml, "  <subtitle>{}</subtitle>", escape(&site.description));
    }
    let _ = writeln!(
        xml,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}atom.xml\"/>",
        escape(base)
    );
    let _ = writeln!(
        xml,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        escape(base)
    );
    let _ = writeln!(xml, "  <id>{}</id>", escape(base));
    let _ = writeln!(xml, "  <updated>{newest}</updated>");
    let _ = writeln!(
        xml,
        "  <author><name>{}</name></author>",
        escape(&site.title)
    );
    xml.push_str("  <generator>paralelo</generator>\n");
    for article in articles.iter().take(FEED_ENTRIES) {
        let url = format!("{base}{}/", article.slug);
        let (source, target) = (&article.source, &article.target);
        let updated = article
            .published
            .map_or_else(|| newest.clone(), |d| d.to_rfc3339());
        xml.push_str("  <entry>\n");
        let _ = writeln!(xml, "    <title>{}</title>", escape(&source.title));
        let _ = writeln!(
            xml,
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            escape(&url)
        );
        let _ = writeln!(xml, "    <id>{}</id>", escape(&url));
        if let Some(published) = article.published {
            let _ = writeln!(xml, "    <published>{}</published>", published.to_rfc3339());
        }
        let _ = writeln!(xml, "    <updated>{updated}</updated>");
        let _ = writeln!(
            xml,
            "    <summary>{} — {}</summary>",
            escape(&source.summary),
            escape(&target.title)
        );
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

/// The sitemap: the index pages and every article, with its date.
pub fn sitemap(base: &str, index_paths: &[String], articles: &[&ArticleSummary]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in index_paths {
        let path = path.trim_end_matches("index.html");
        let _ = writeln!(
            xml,
            "  <url><loc>{}</loc></url>",
            escape(&format!("{base}{path}"))
        );
    }
    for article in articles {
        let loc = escape(&format!("{base}{}/", article.slug));
        match article.published {
            Some(date) => {
                let _ = writeln!(
                    xml,
                    "  <url><loc>{loc}</loc><lastmod>{}</lastmod></url>",
                    date.to_rfc3339()
                );
            }
            None => {
                let _ = writeln!(xml, "  <url><loc>{loc}</loc></url>");
            }
        }
    }
    xml.push_str("</urlset>\n");
    xml
}

/// robots.txt: everything may be read, and here is the sitemap.
pub fn robots(base: &str) -> String {
    format!("User-agent: *\nAllow: /\n\nSitemap: {base}sitemap.xml\n")
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters even as references.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}
