//! The archive: `archive/index.html` counts the articles by year and month, and a page per
//! month lists its articles, newest first. A month is the dateline's, in the site's time zone
//! (the offset `published` carries). A rebuild renders only the months whose list changed.

use chrono::Datelike;
use serde::Serialize;

use super::search::File;
use crate::config::SiteSettings;
use crate::error::{Error, Result};
use crate::lang::dates::month_name;
use crate::model::ArticleSummary;

/// The folder of the archive inside the output.
pub const FOLDER: &str = "archive";

/// A year and a month (1 to 12).
type Month = (i32, u32);

/// The dated articles by month, newest month first, each month's articles in the order given.
fn months<'a>(newest_first: &[&'a ArticleSummary]) -> Vec<(Month, Vec<&'a ArticleSummary>)> {
    let mut months: Vec<(Month, Vec<&ArticleSummary>)> = Vec::new();
    for article in newest_first {
        let Some(date) = article.published else {
            continue;
        };
        let month = (date.year(), date.month());
        // Newest first, so nearly always the month of the article before.
        let at = match months.last() {
            Some((m, _)) if *m == month => Some(months.len() - 1),
            _ => months.iter().position(|(m, _)| *m == month),
        };
        match at.map(|i| &mut months[i]) {
            Some((_, list)) => list.push(article),
            None => months.push((month, vec![article])),
        }
    }
    months.sort_by_key(|m| std::cmp::Reverse(m.0));
    months
}

/// The path of a month's page inside the output.
pub fn month_path((year, month): Month) -> String {
    format!("{FOLDER}/{year}/{month:02}/index.html")
}

/// The overview's path inside the output.
pub fn index_path() -> String {
    format!("{FOLDER}/index.html")
}

#[derive(Serialize)]
struct MonthName {
    year: i32,
    number: u32,
    /// In the original's language, then the translation's: `noviembre`, `November`.
    source: String,
    target: String,
}

fn month_names((year, number): Month, source_lang: &str, target_lang: &str) -> MonthName {
    let name = |lang: &str| {
        month_name(lang, number as usize - 1)
            .unwrap_or("")
            .to_string()
    };
    let capital = |name: String| {
        let mut chars = name.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    };
    MonthName {
        year,
        number,
        source: name(source_lang),
        target: capital(name(target_lang)),
    }
}

#[derive(Serialize)]
struct MonthLink {
    href: String,
    name: MonthName,
    count: usize,
}

#[derive(Serialize)]
struct Year {
    year: i32,
    count: usize,
    months: Vec<MonthLink>,
}

#[derive(Serialize)]
struct Entry<'a> {
    href: String,
    #[serde(flatten)]
    article: &'a ArticleSummary,
}

/// The archive's pages: the overview, and each month's page where `before` (the last build's
/// articles, newest first) listed that month otherwise, or had other months beside it, or its
/// file is missing from `out`. `None` before: every page.
#[allow(clippy::too_many_arguments)]
pub fn files(
    tera: &tera::Tera,
    site: &SiteSettings,
    langs: (&str, &str),
    out: &std::path::Path,
    newest_first: &[&ArticleSummary],
    before: Option<&[&ArticleSummary]>,
) -> Result<Vec<File>> {
    let now = months(newest_first);
    let old = before.map(months);
    let undated = newest_first.len() - now.iter().map(|(_, l)| l.len()).sum::<usize>();
    let render = |name: &str, context: &tera::Context| {
        tera.render(name, context)
            .map_err(|e| template_error(name, &e))
    };
    let mut years: Vec<Year> = Vec::new();
    for ((year, number), list) in &now {
        let link = MonthLink {
            href: format!("{year}/{number:02}/index.html"),
            name: month_names((*year, *number), langs.0, langs.1),
            count: list.len(),
        };
        match years.last_mut() {
            Some(y) if y.year == *year => {
                y.count += list.len();
                y.months.push(link);
            }
            _ => years.push(Year {
                year: *year,
                count: list.len(),
                months: vec![link],
            }),
        }
    }
    let mut context = tera::Context::new();
    context.insert("site", site);
    context.insert("root", "../");
    context.insert("lang", langs.0);
    context.insert("years", &years);
    context.insert("undated", &undated);
    context.insert("total", &newest_first.len());
    let mut files = vec![(
        index_path(),
        Some(render("archive.html", &context)?.into_bytes()),
    )];
    for (i, (month, list)) in now.iter().enumerate() {
        let path = month_path(*month);
        let newer = i.checked_sub(1).map(|i| now[i].0);
        let older = now.get(i + 1).map(|m| m.0);
        let same = old.as_ref().is_some_and(|old| {
            old.iter().position(|(m, _)| m == month).is_some_and(|j| {
                old[j].1 == *list
                    && j.checked_sub(1).map(|j| old[j].0) == newer
                    && old.get(j + 1).map(|m| m.0) == older
            })
        });
        if same && out.join(&path).is_file() {
            files.push((path, None));
            continue;
        }
        let link = |at: Option<usize>| {
            at.map(|at| {
                let ((year, number), list) = &now[at];
                MonthLink {
                    href: format!("../../{year}/{number:02}/index.html"),
                    name: month_names((*year, *number), langs.0, langs.1),
                    count: list.len(),
                }
            })
        };
        let entries: Vec<Entry<'_>> = list
            .iter()
            .map(|article| Entry {
                href: format!("../../../{}/index.html", article.slug),
                article,
            })
            .collect();
        let mut context = tera::Context::new();
        context.insert("site", site);
        context.insert("root", "../../../");
        context.insert("lang", langs.0);
        context.insert("month", &month_names(*month, langs.0, langs.1));
        context.insert("articles", &entries);
        context.insert("newer", &link(i.checked_sub(1)));
        context.insert("older", &link(Some(i + 1).filter(|&j| j < now.len())));
        files.push((
            path,
            Some(render("archive-month.html", &context)?.into_bytes()),
        ));
    }
    Ok(files)
}

pub(super) fn template_error(name: &str, e: &tera::Error) -> Error {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    Error::Template {
        name: name.to_string(),
        message,
    }
}
