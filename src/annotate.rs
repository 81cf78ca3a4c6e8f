//! Annotates an article for reading: quotations and sentences on both sides, sentences aligned
//! inside each paragraph pair, every paragraph rendered from its Markdown.

use crate::align;
use crate::error::{Error, Location, Result, Warning};
use crate::markdown::{self, Document, FrontMatter, Mark, MarkKind};
use crate::quotes::{self, SideQuotes};
use crate::sentences;
use crate::translate::{Article, Side};

/// One paragraph of the original beside its translation, as HTML ready for a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParagraphPair {
    /// 1-based, the `data-p` of both paragraphs.
    pub number: usize,
    pub source_html: String,
    pub target_html: String,
}

/// Everything the site needs to write one article.
#[derive(Debug, Clone)]
pub struct AnnotatedArticle {
    pub source_title: String,
    pub target_title: String,
    pub source_markdown: Document,
    pub target_markdown: Document,
    pub pairs: Vec<ParagraphPair>,
    /// How many quotations the original has.
    pub quotations: usize,
    pub warnings: Vec<Warning>,
}

/// The longest headline, in characters, made from a lead when the author gave none.
const DERIVED_TITLE_CHARS: usize = 90;

pub fn annotate(article: &Article) -> Result<AnnotatedArticle> {
    let source: Vec<&str> = article
        .source
        .paragraphs
        .iter()
        .map(|p| p.text.as_str())
        .collect();
    let target: Vec<&str> = article
        .target
        .paragraphs
        .iter()
        .map(|p| p.text.as_str())
        .collect();

    let (source_quotes, target_quotes) = quotes::find_pairs(&source, &target);
    let mut warnings = quote_warnings(&article.source, &source_quotes);
    warnings.extend(quote_warnings(&article.target, &target_quotes));

    let mut source_marks = quote_marks(&source_quotes);
    let mut target_marks = quote_marks(&target_quotes);
    let mut group = 0;
    for (k, (s, t)) in source.iter().zip(&target).enumerate() {
        let s_sentences = sentences::split(s, &article.source.lang);
        let t_sentences = sentences::split(t, &article.target.lang);
        let chars = |text: &str, ranges: &[std::ops::Range<usize>]| -> Vec<usize> {
            ranges
                .iter()
                .map(|r| text[r.clone()].trim().chars().count())
                .collect()
        };
        for link in align::align(&chars(s, &s_sentences), &chars(t, &t_sentences)) {
            group += 1;
            for i in link.source {
                source_marks[k].push(Mark {
                    range: s_sentences[i].clone(),
                    kind: MarkKind::Sentence(group),
                });
            }
            for i in link.target {
                target_marks[k].push(Mark {
                    range: t_sentences[i].clone(),
                    kind: MarkKind::Sentence(group),
                });
            }
        }
    }

    let source_title = headline(&article.source);
    let target_title = headline(&article.target);
    let source_markdown = emit(article, &article.source, &source_title, &source)?;
    let target_markdown = emit(article, &article.target, &target_title, &target)?;
    let source_html = render(&article.source, &source_markdown, &source, &source_marks)?;
    let target_html = render(&article.target, &target_markdown, &target, &target_marks)?;
    let pairs = source_html
        .into_iter()
        .zip(target_html)
        .enumerate()
        .map(|(k, (source_html, target_html))| ParagraphPair {
            number: k + 1,
            source_html,
            target_html,
        })
        .collect();

    Ok(AnnotatedArticle {
        source_title,
        target_title,
        source_markdown,
        target_markdown,
        pairs,
        quotations: source_quotes
            .spans
            .iter()
            .flatten()
            .map(|q| q.number)
            .max()
            .unwrap_or(0),
        warnings,
    })
}

fn quote_marks(quotes: &SideQuotes) -> Vec<Vec<Mark>> {
    quotes
        .spans
        .iter()
        .map(|spans| {
            spans
                .iter()
                .map(|q| Mark {
                    range: q.range.clone(),
                    kind: MarkKind::Quote(q.number),
                })
                .collect()
        })
        .collect()
}

fn quote_warnings(side: &Side, quotes: &SideQuotes) -> Vec<Warning> {
    quotes
        .problems
        .iter()
        .map(|problem| Warning {
            path: side.file.clone(),
            place: Some(format!(
                "paragraph {}, line {}",
                problem.paragraph,
                side.paragraphs
                    .get(problem.paragraph - 1)
                    .map_or(0, |p| p.line)
            )),
            message: problem.message.clone(),
        })
        .collect()
}

/// The author's headline, or else the lead's first sentence, shortened at a word boundary.
fn headline(side: &Side) -> String {
    if let Some(title) = side.title.as_deref().filter(|t| !t.trim().is_empty()) {
        return title.trim().to_string();
    }
    let Some(lead) = side.paragraphs.first() else {
        return String::new();
    };
    let first = sentences::split(&lead.text, &side.lang)
        .first()
        .map_or(lead.text.as_str(), |r| lead.text[r.clone()].trim());
    shorten(first, DERIVED_TITLE_CHARS)
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars).collect();
    let at_word = cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}…", at_word.trim_end_matches([',', ';', ':', ' ']))
}

fn emit(article: &Article, side: &Side, title: &str, paragraphs: &[&str]) -> Result<Document> {
    let source = side.file.to_string_lossy();
    let front = FrontMatter {
        title,
        lang: &side.lang,
        date: article.published.and_then(|d| d.to_rfc3339().parse().ok()),
        caption: side.caption.as_ref().map(|c| c.text.as_str()),
        credit: side.caption.as_ref().and_then(|c| c.credit.as_deref()),
        source: &source,
    };
    markdown::emit(&front, paragraphs).map_err(|e| {
        Error::input(
            Location::file(&side.file),
            format!("cannot write its Markdown: {e}"),
        )
    })
}

fn render(side: &Side, doc: &Document, plain: &[&str], marks: &[Vec<Mark>]) -> Result<Vec<String>> {
    markdown::render(doc.body(), plain, marks).map_err(|e| {
        let line = side
            .paragraphs
            .get(e.paragraph.saturating_sub(1))
            .map_or(1, |p| p.line);
        Error::input(Location::line(&side.file, line), e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_cuts_at_a_word() {
        assert_eq!(shorten("uno dos tres", 20), "uno dos tres");
        assert_eq!(shorten("uno dos, tres cuatro", 10), "uno dos…");
    }
}
