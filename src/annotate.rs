//! Annotates an article for reading: quotations and sentences on both sides, sentences aligned
//! inside each paragraph pair, every paragraph rendered from its Markdown.

use std::ops::Range;

use crate::error::{Error, Location, Result, Warning};
use crate::gloss;
use crate::model::{Article, Side, Translator};
use crate::text::markdown::{self, Document, FrontMatter, Mark, MarkKind};
use crate::text::quotes::{self, SideQuotes};
use crate::text::{align, sentences};
use crate::translate;

/// One paragraph of the original beside its translation, as HTML ready for a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParagraphPair {
    /// 1-based, the `data-p` of both paragraphs.
    pub number: usize,
    pub source_html: String,
    pub target_html: String,
}

/// One side's text as the site shows it besides its paragraphs.
#[derive(Debug, Clone)]
pub struct AnnotatedSide {
    pub title: String,
    /// The lead's first sentence, for the index and link previews.
    pub summary: String,
    pub markdown: Document,
}

/// Everything the site needs to write one article.
#[derive(Debug, Clone)]
pub struct AnnotatedArticle {
    pub source: AnnotatedSide,
    pub target: AnnotatedSide,
    pub pairs: Vec<ParagraphPair>,
    pub warnings: Vec<Warning>,
    pub glossary: Option<Glossary>,
}

/// What a learner gets besides the text: the glosses of the original's words and the
/// article's vocabulary.
#[derive(Debug, Clone)]
pub struct Glossary {
    /// The distinct analyses, as JSON for the page; words point into it by index.
    pub data: String,
    pub vocabulary: Vec<gloss::VocabularyEntry>,
    /// The vocabulary for the page's script, which lays the list out: JSON, one `[G, N, I]` an
    /// entry, G the example word's entry in `data`, N the lemma's occurrences, I which of the
    /// original's words with entry G (from 0, in reading order) is the example.
    pub vocabulary_data: String,
    /// The vocabulary as a CSV file that Anki imports.
    pub anki_csv: String,
}

fn proper_cased(word: &gloss::WordGloss) -> gloss::WordGloss {
    let mut word = word.clone();
    if matches!(
        word.part_of_speech,
        gloss::PartOfSpeech::Adjective | gloss::PartOfSpeech::Noun
    ) {
        word.glosses = word.glosses.iter().map(|g| gloss::proper_case(g)).collect();
    }
    word
}

/// [`Glossary::vocabulary_data`]: `entries[k][i]` is the gloss entry of paragraph k's word i.
fn vocabulary_data(list: &[gloss::VocabularyEntry], entries: &[Vec<usize>]) -> String {
    let rows: Vec<String> = list
        .iter()
        .map(|entry| {
            let g = entries[entry.paragraph][entry.position];
            let before: usize = entries[..entry.paragraph]
                .iter()
                .map(|p| p.iter().filter(|&&e| e == g).count())
                .sum::<usize>()
                + entries[entry.paragraph][..entry.position]
                    .iter()
                    .filter(|&&e| e == g)
                    .count();
            format!("[{g},{},{before}]", entry.occurrences)
        })
        .collect();
    format!("[{}]", rows.join(","))
}

pub fn annotate(article: &Article) -> Result<AnnotatedArticle> {
    annotate_with_glosses(article, None)
}

/// [`annotate`], with each original paragraph's analysed words when there are glosses.
pub fn annotate_with_glosses(
    article: &Article,
    glosses: Option<&[Vec<gloss::WordGloss>]>,
) -> Result<AnnotatedArticle> {
    let source = texts(&article.source);
    let target = texts(&article.target);

    let (source_quotes, target_quotes) = quotes::find_pairs(&source, &target);
    let mut warnings = quote_warnings(&article.source, &source_quotes);
    // A machine translation is made from the seed, so its problems are the seed's: say each once.
    for warning in quote_warnings(&article.target, &target_quotes) {
        if !warnings.contains(&warning) {
            warnings.push(warning);
        }
    }

    let mut source_marks = quote_marks(&source_quotes, &article.source);
    // English names of nationalities take their capital (Apertium writes `ukrainian`).
    let glosses: Option<Vec<Vec<gloss::WordGloss>>> = glosses.map(|paragraphs| {
        paragraphs
            .iter()
            .map(|words| words.iter().map(proper_cased).collect())
            .collect()
    });
    let mut table = gloss::GlossTable::default();
    let entries: Vec<Vec<usize>> = glosses
        .iter()
        .flatten()
        .map(|words| words.iter().map(|word| table.add(word)).collect())
        .collect();
    for ((marks, words), entries) in source_marks
        .iter_mut()
        .zip(glosses.iter().flatten())
        .zip(&entries)
    {
        marks.extend(words.iter().zip(entries).map(|(word, &entry)| Mark {
            range: word.range.clone(),
            kind: MarkKind::Word(entry),
        }));
    }
    let mut target_marks = quote_marks(&target_quotes, &article.target);
    // Each original sentence (or run of sentences aligned together) with its English.
    let mut aligned: Vec<Vec<(Range<usize>, String)>> = vec![Vec::new(); source.len()];
    let mut group = 0;
    for k in 0..source.len().min(target.len()) {
        let s_sentences = sentences_of(&article.source, k);
        let t_sentences = sentences_of(&article.target, k);
        let paired = article.source.sentences.is_some() && article.target.sentences.is_some();
        for link in links(paired, (source[k], &s_sentences), (target[k], &t_sentences)) {
            group += 1;
            let kind = MarkKind::Sentence(group);
            if let (Some(first), Some(last)) = (
                s_sentences.get(link.source.start),
                link.source
                    .end
                    .checked_sub(1)
                    .and_then(|i| s_sentences.get(i)),
            ) {
                let english: Vec<&str> = link
                    .target
                    .clone()
                    .filter_map(|i| t_sentences.get(i).map(|r| target[k][r.clone()].trim()))
                    .collect();
                aligned[k].push((first.start..last.end, english.join(" ")));
            }
            for i in link.source {
                source_marks[k].push(Mark {
                    range: s_sentences[i].clone(),
                    kind,
                });
            }
            for i in link.target {
                target_marks[k].push(Mark {
                    range: t_sentences[i].clone(),
                    kind,
                });
            }
        }
    }
    let glossary = glosses.as_ref().map(|paragraphs| {
        let list: Vec<gloss::VocabularyParagraph<'_>> = source
            .iter()
            .zip(paragraphs)
            .zip(&mut aligned)
            .map(|((text, words), sentences)| gloss::VocabularyParagraph {
                text,
                words,
                sentences: std::mem::take(sentences),
            })
            .collect();
        let vocabulary = gloss::study_list(&list);
        Glossary {
            data: table.to_json(),
            vocabulary_data: vocabulary_data(&vocabulary, &entries),
            anki_csv: gloss::anki_csv(&vocabulary),
            vocabulary,
        }
    });

    let machine = match &article.translator {
        Translator::Machine(engine) => Some(engine.as_str()),
        Translator::Authored(_) => None,
    };
    let source_side = annotated_side(article, &article.source, &source, None)?;
    let target_side = annotated_side(article, &article.target, &target, machine)?;
    let source_html = render(
        &article.source,
        &source_side.markdown,
        &source,
        &source_marks,
    )?;
    let target_html = render(
        &article.target,
        &target_side.markdown,
        &target,
        &target_marks,
    )?;
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
        source: source_side,
        target: target_side,
        pairs,
        warnings,
        glossary,
    })
}

fn texts(side: &Side) -> Vec<&str> {
    side.paragraphs.iter().map(|p| p.text.as_str()).collect()
}

/// The sentences of paragraph `k`: as the translation made them, or found by the splitter.
fn sentences_of(side: &Side, k: usize) -> Vec<Range<usize>> {
    match side.sentences.as_ref().and_then(|s| s.get(k)) {
        Some(ranges) => ranges.clone(),
        None => sentences::split(&side.paragraphs[k].text, &side.lang),
    }
}

/// Which sentences translate which: one to one where the translation was made sentence by
/// sentence (`paired`), else by their lengths (Gale–Church).
fn links(
    paired: bool,
    (source, s): (&str, &[Range<usize>]),
    (target, t): (&str, &[Range<usize>]),
) -> Vec<align::Link> {
    if paired && s.len() == t.len() {
        return (0..s.len())
            .map(|i| align::Link {
                source: i..i + 1,
                target: i..i + 1,
            })
            .collect();
    }
    let chars = |text: &str, ranges: &[Range<usize>]| -> Vec<usize> {
        ranges
            .iter()
            .map(|r| text[r.clone()].trim().chars().count())
            .collect()
    };
    align::align(&chars(source, s), &chars(target, t))
}

/// `machine`: the engine that made this side, if one did.
fn annotated_side(
    article: &Article,
    side: &Side,
    paragraphs: &[&str],
    machine: Option<&str>,
) -> Result<AnnotatedSide> {
    let title = translate::headline(side);
    let markdown = emit(article, side, &title, paragraphs, machine)?;
    let summary = side.paragraphs.first().map_or_else(String::new, |lead| {
        translate::first_sentence(&lead.text, &side.lang).to_string()
    });
    Ok(AnnotatedSide {
        title,
        summary,
        markdown,
    })
}

/// The quotation marks of each paragraph, with the words the engine left untranslated.
fn quote_marks(quotes: &SideQuotes, side: &Side) -> Vec<Vec<Mark>> {
    (0..side.paragraphs.len())
        .map(|k| {
            let quotes = quotes.spans.get(k).into_iter().flatten().map(|q| Mark {
                range: q.range.clone(),
                kind: MarkKind::Quote(q.number),
            });
            let words = side
                .untranslated
                .get(k)
                .into_iter()
                .flatten()
                .map(|range| Mark {
                    range: range.clone(),
                    kind: MarkKind::Untranslated,
                });
            quotes.chain(words).collect()
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

fn emit(
    article: &Article,
    side: &Side,
    title: &str,
    paragraphs: &[&str],
    machine: Option<&str>,
) -> Result<Document> {
    let source = project_path(&side.file);
    let front = FrontMatter {
        title,
        lang: &side.lang,
        date: article.published.and_then(|d| d.to_rfc3339().parse().ok()),
        caption: side.caption.as_ref().map(|c| c.text.as_str()),
        credit: side.caption.as_ref().and_then(|c| c.credit.as_deref()),
        source: &source,
        machine_translation: machine,
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

/// The path of a side's file as the Markdown's front matter names it: relative to the project
/// (the current folder), or just its name, so that no path of the build machine is published.
fn project_path(file: &std::path::Path) -> String {
    let relative = if file.is_absolute() {
        std::env::current_dir()
            .ok()
            .and_then(|here| file.strip_prefix(here).ok())
            .or_else(|| file.file_name().map(std::path::Path::new))
            .unwrap_or(file)
    } else {
        file
    };
    relative.to_string_lossy().into_owned()
}
