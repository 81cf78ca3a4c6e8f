//! Annotates an article for reading: quotations and sentences on both sides, sentences aligned
//! inside each paragraph pair, every paragraph rendered from its Markdown.

mod cache;
pub mod names;

use std::borrow::Cow;
use std::cell::OnceCell;
use std::ops::Range;

use crate::error::{Error, Location, Result, Warning};
use crate::gloss;
use crate::model::{Article, Named, Side, Translator};
use crate::text::align::{self, ParagraphAlignment};
use crate::text::markdown::{self, Document, FrontMatter, Mark, MarkKind};
use crate::text::quotes::{self, SideQuotes};
use crate::text::sentences;
use crate::translate;
pub use cache::AnnotationCache;

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
    /// The title as HTML, its words wrapped for their glosses when it has them.
    pub title_html: String,
    /// The photo caption as HTML (without its credit), words wrapped as in `title_html`.
    pub caption_html: Option<String>,
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
    /// The original's distinct content lemmas (nouns, verbs, adjectives and adverbs, headline
    /// and caption included), each as `lemma|class` as the page's script keys a reader's word
    /// statuses, sorted.
    pub lemmas: Vec<String>,
    /// The people, places and organisations it names, each once, with their English spelling
    /// where the aligned sentence gives one.
    pub names: Vec<Named>,
}

/// The word as the page shows it: the sense its translation uses first (the others in the
/// dictionary's order), English names of nationalities with their capital (Apertium writes
/// `ukrainian`). Borrowed when that changes nothing, as for most words.
fn shown<'a>(
    word: &'a gloss::WordGloss,
    choice: Option<&gloss::InContext>,
) -> Cow<'a, gloss::WordGloss> {
    let first = choice
        .map(|c| c.first)
        .filter(|&f| f > 0 && f < word.glosses.len());
    let capitals = matches!(
        word.part_of_speech,
        gloss::PartOfSpeech::Adjective | gloss::PartOfSpeech::Noun
    ) && word
        .glosses
        .iter()
        .any(|g| matches!(gloss::proper_case(g), Cow::Owned(_)));
    if first.is_none() && !capitals {
        return Cow::Borrowed(word);
    }
    let mut shown = word.clone();
    let mut glosses = shown.glosses.to_vec();
    if let Some(first) = first {
        let sense = glosses.remove(first);
        glosses.insert(0, sense);
    }
    if capitals {
        for gloss in &mut glosses {
            *gloss = gloss::proper_case(gloss).into_owned();
        }
    }
    shown.glosses = glosses.into();
    Cow::Owned(shown)
}

/// [`Glossary::lemmas`] of the analysed words.
fn content_lemmas(words: &[Vec<gloss::WordGloss>]) -> Vec<String> {
    let distinct: rustc_hash::FxHashSet<(&str, gloss::PartOfSpeech)> = words
        .iter()
        .flatten()
        .filter(|w| w.part_of_speech.is_content())
        .map(|w| (&*w.lemma, w.part_of_speech))
        .collect();
    // Sorted as the keys are written (`a b|noun` before `a|noun`), each key once: a class's
    // name has no `|`.
    fn written<'a>(
        (lemma, class): (&'a str, gloss::PartOfSpeech),
    ) -> impl Iterator<Item = u8> + 'a {
        lemma.bytes().chain([b'|']).chain(class.name().bytes())
    }
    let mut distinct: Vec<(&str, gloss::PartOfSpeech)> = distinct.into_iter().collect();
    distinct.sort_unstable_by(|&a, &b| written(a).cmp(written(b)));
    distinct
        .into_iter()
        .map(|(lemma, class)| [lemma, "|", class.name()].concat())
        .collect()
}

/// [`Glossary::vocabulary_data`]: `entries[k][i]` is the gloss entry of paragraph k's word i.
fn vocabulary_data(list: &[gloss::VocabularyEntry], entries: &[Vec<usize>]) -> String {
    // Each example's place in reading order, then how many words of its entry come before it.
    let mut examples: Vec<((usize, usize), usize)> = list
        .iter()
        .enumerate()
        .map(|(n, entry)| ((entry.paragraph, entry.position), n))
        .collect();
    examples.sort_unstable();
    let mut seen = vec![0usize; entries.iter().flatten().max().map_or(0, |&g| g + 1)];
    let mut before = vec![0; list.len()];
    let mut next = examples.iter().peekable();
    for (k, paragraph) in entries.iter().enumerate() {
        for (i, &g) in paragraph.iter().enumerate() {
            while let Some(&(_, n)) = next.next_if(|(at, _)| *at == (k, i)) {
                before[n] = seen[g];
            }
            seen[g] += 1;
        }
    }
    let mut data = String::from("[");
    for (n, entry) in list.iter().enumerate() {
        let g = entries[entry.paragraph][entry.position];
        if n > 0 {
            data.push(',');
        }
        let mut number = itoa::Buffer::new();
        data.push('[');
        data.push_str(number.format(g));
        data.push(',');
        data.push_str(number.format(entry.occurrences));
        data.push(',');
        data.push_str(number.format(before[n]));
        data.push(']');
    }
    data.push(']');
    data
}

pub fn annotate(article: &Article) -> Result<AnnotatedArticle> {
    annotate_with_glosses(article, None)
}

/// The texts whose words are glossed, of the original and of the translation in the same
/// order: each paragraph, then the title (as the page shows it: [`translate::headline`]) and the
/// photo caption (empty without one). [`annotate_with_glosses`] takes their analyses in this
/// order.
pub fn glossed_texts(
    article: &Article,
) -> (Vec<crate::model::Paragraph>, Vec<crate::model::Paragraph>) {
    let texts = |side: &Side| {
        let mut texts = side.paragraphs.clone();
        texts.extend(heading_texts(side).map(|text| crate::model::Paragraph {
            text: text.into_owned(),
            line: 1,
        }));
        texts
    };
    (texts(&article.source), texts(&article.target))
}

/// The texts of a side glossed after its paragraphs ([`glossed_texts`]): its title as the page
/// shows it and its photo caption (empty without one).
fn heading_texts(side: &Side) -> [Cow<'_, str>; 2] {
    let caption = side.caption.as_ref().map_or("", |c| c.text.as_str());
    [
        Cow::Owned(translate::headline(side)),
        Cow::Borrowed(caption),
    ]
}

/// Each of a side's [`glossed_texts`], borrowed where it can be.
fn glossed_strs(side: &Side) -> impl Iterator<Item = Cow<'_, str>> {
    let paragraphs = side
        .paragraphs
        .iter()
        .map(|p| Cow::Borrowed(p.text.as_str()));
    paragraphs.chain(heading_texts(side))
}

/// [`annotate`], with what the analysers say of each of [`glossed_texts`] when there are
/// glosses (paragraphs only, or paragraphs, title and caption).
pub fn annotate_with_glosses(
    article: &Article,
    analysis: Option<&gloss::Analysis>,
) -> Result<AnnotatedArticle> {
    // The paragraphs' analyses, then the title's and the caption's, on both sides.
    fn split<T>(all: &[T], paragraphs: usize) -> (&[T], &[T]) {
        all.split_at(paragraphs.min(all.len()))
    }
    let (glosses, heading) = match analysis {
        Some(a) => {
            let (body, heading) = split(&a.words, article.source.paragraphs.len());
            (Some(body), heading)
        }
        None => (None, &[][..]),
    };
    let english_heading: &[Vec<gloss::EnglishWord>] = match analysis {
        Some(a) => split(&a.english, article.target.paragraphs.len()).1,
        None => &[],
    };
    let source = texts(&article.source);
    let target = texts(&article.target);

    let source_sentences = Sentences::new(&source, &article.source.lang);
    let target_sentences = Sentences::new(&target, &article.target.lang);
    let alignments: Vec<ParagraphAlignment> = (0..source.len().min(target.len()))
        .map(|k| paragraph_alignment(article, (&source_sentences, &target_sentences), k))
        .collect();
    let (source_quotes, target_quotes) = quotes::find_pairs_aligned(&source, &target, &alignments);
    let mut warnings = quote_warnings(&article.source, &source_quotes);
    // A machine translation is made from the seed, so its problems are the seed's: say each once.
    for warning in quote_warnings(&article.target, &target_quotes) {
        if !warnings.contains(&warning) {
            warnings.push(warning);
        }
    }

    let mut source_marks = quote_marks(&source_quotes, &article.source);
    // Each word with the sense its translation uses first (and, where the dictionary has none
    // of it, the word the translation uses: `here`).
    let choices = analysis.map(|a| choose_senses(&alignments, &a.words, &a.english));
    let glosses: Option<Vec<Vec<Cow<'_, gloss::WordGloss>>>> = glosses.map(|paragraphs| {
        paragraphs
            .iter()
            .enumerate()
            .map(|(k, words)| {
                let chosen = choices.iter().flat_map(|c| c.get(k)).flatten();
                let mut chosen = chosen.map(Some).chain(std::iter::repeat(None));
                words
                    .iter()
                    .map(|word| shown(word, chosen.next().flatten()))
                    .collect()
            })
            .collect()
    });
    let here = |k: usize, i: usize| {
        choices
            .as_ref()
            .and_then(|c| c.get(k)?.get(i)?.here.as_deref())
    };
    let mut table = gloss::GlossTable::default();
    let entries: Vec<Vec<usize>> = glosses
        .iter()
        .flatten()
        .enumerate()
        .map(|(k, words)| {
            let entry = |(i, word): (usize, &Cow<'_, gloss::WordGloss>)| {
                table.add_in_context(word, here(k, i))
            };
            words.iter().enumerate().map(entry).collect()
        })
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
    // The title's and the caption's words, each with the sense its English twin uses first.
    let heading_words: Vec<Vec<(Range<usize>, usize)>> = heading
        .iter()
        .zip(english_heading)
        .map(|(words, english)| {
            if words.is_empty() {
                return Vec::new();
            }
            let chosen = gloss::choose_senses(words, english);
            words
                .iter()
                .zip(&chosen)
                .map(|(word, choice)| {
                    let shown = shown(word, Some(choice));
                    let entry = table.add_in_context(&shown, choice.here.as_deref());
                    (word.range.clone(), entry)
                })
                .collect()
        })
        .collect();
    let mut target_marks = quote_marks(&target_quotes, &article.target);
    // Each original sentence (or run of sentences aligned together) with its English.
    let mut aligned: Vec<Vec<(Range<usize>, String)>> = vec![Vec::new(); source.len()];
    let mut group = 0;
    for (k, alignment) in alignments.iter().enumerate() {
        for link in &alignment.links {
            group += 1;
            let kind = MarkKind::Sentence(group);
            if let (Some(first), Some(last)) = (
                alignment.source.get(link.source.start),
                link.source
                    .end
                    .checked_sub(1)
                    .and_then(|i| alignment.source.get(i)),
            ) {
                let english: Vec<&str> = link
                    .target
                    .clone()
                    .filter_map(|i| alignment.target.get(i).map(|r| target[k][r.clone()].trim()))
                    .collect();
                aligned[k].push((first.start..last.end, english.join(" ")));
            }
            for i in link.source.clone() {
                source_marks[k].push(Mark {
                    range: alignment.source[i].clone(),
                    kind,
                });
            }
            for i in link.target.clone() {
                target_marks[k].push(Mark {
                    range: alignment.target[i].clone(),
                    kind,
                });
            }
        }
    }
    let glossary = glosses.as_ref().map(|paragraphs| {
        let list: Vec<gloss::VocabularyParagraph<'_, _>> = source
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
            vocabulary,
            lemmas: content_lemmas(analysis.map_or(&[][..], |a| &a.words)),
            names: analysis.map_or_else(Vec::new, |a| {
                names::article_names(article, a, (&source_sentences, &target_sentences))
            }),
        }
    });

    let machine = match &article.translator {
        Translator::Machine(engine) => Some(engine.as_str()),
        Translator::Authored(_) => None,
    };
    let mut source_side = annotated_side(article, &article.source, &source, None)?;
    if let Some(words) = heading_words.first() {
        source_side.title_html = wrap_words(&source_side.title, words);
    }
    if let (Some(words), Some(caption)) = (heading_words.get(1), &article.source.caption) {
        source_side.caption_html = Some(wrap_words(&caption.text, words));
    }
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

/// The sentences of one side's paragraphs as the splitter finds them in the side's language,
/// each paragraph's split when first asked for: the alignment and the names both read them.
pub(crate) struct Sentences<'a> {
    paragraphs: &'a [&'a str],
    lang: &'a str,
    splits: Vec<OnceCell<sentences::Split>>,
}

impl<'a> Sentences<'a> {
    fn new(paragraphs: &'a [&'a str], lang: &'a str) -> Sentences<'a> {
        Sentences {
            paragraphs,
            lang,
            splits: vec![OnceCell::new(); paragraphs.len()],
        }
    }

    /// Paragraph `k`'s split.
    fn of(&self, k: usize) -> &sentences::Split {
        self.splits[k].get_or_init(|| sentences::split_with_doubts(self.paragraphs[k], self.lang))
    }

    /// The sentences of `text` in `lang`: paragraph `k`'s when `text` is that paragraph (the
    /// same string, not a copy) and `lang` this side's, else split now.
    pub(crate) fn of_text(&self, k: usize, text: &str, lang: &str) -> Cow<'_, [Range<usize>]> {
        match self.paragraphs.get(k) {
            Some(&paragraph) if std::ptr::eq(paragraph, text) && lang == self.lang => {
                Cow::Borrowed(&self.of(k).sentences)
            }
            _ => Cow::Owned(sentences::split(text, lang)),
        }
    }
}

/// The alignment of paragraph pair `k`: one to one where the translation was made sentence by
/// sentence, else the splitter's sentences aligned by their lengths (Gale–Church).
fn paragraph_alignment(
    article: &Article,
    (source, target): (&Sentences<'_>, &Sentences<'_>),
    k: usize,
) -> ParagraphAlignment {
    let given = |side: &Side| side.sentences.as_ref().and_then(|s| s.get(k)).cloned();
    match (given(&article.source), given(&article.target)) {
        (Some(s), Some(t)) if s.len() == t.len() => ParagraphAlignment {
            links: (0..s.len())
                .map(|i| align::Link {
                    source: i..i + 1,
                    target: i..i + 1,
                })
                .collect(),
            source: s,
            target: t,
        },
        (s, t) => {
            let split = |given: Option<Vec<Range<usize>>>, side: &Sentences<'_>| match given {
                Some(sentences) => sentences::Split {
                    sentences,
                    doubts: Vec::new(),
                },
                None => side.of(k).clone(),
            };
            align::align_split(
                (source.paragraphs[k], split(s, source)),
                (target.paragraphs[k], split(t, target)),
            )
        }
    }
}

/// The alignment of a written translation's paragraphs (sentences found by the splitter in
/// `source_lang` and `target_lang`), as a page shows it.
pub fn align_paragraphs(
    source: &[&str],
    source_lang: &str,
    target: &[&str],
    target_lang: &str,
) -> Vec<ParagraphAlignment> {
    source
        .iter()
        .zip(target)
        .map(|(s_text, t_text)| {
            align::align_split(
                (s_text, sentences::split_with_doubts(s_text, source_lang)),
                (t_text, sentences::split_with_doubts(t_text, target_lang)),
            )
        })
        .collect()
}

/// For each analysed word of each original paragraph, the sense its aligned translation uses
/// ([`gloss::choose_senses`], one alignment group at a time). `english`: the words of the
/// translation's paragraphs, as Apertium's English analyser reads them.
pub fn choose_senses(
    alignments: &[ParagraphAlignment],
    words: &[Vec<gloss::WordGloss>],
    english: &[Vec<gloss::EnglishWord>],
) -> Vec<Vec<gloss::InContext>> {
    words
        .iter()
        .zip(alignments)
        .zip(english)
        .map(|((words, alignment), english)| {
            let mut chosen = vec![gloss::InContext::default(); words.len()];
            for link in &alignment.links {
                let span = |ranges: &[Range<usize>], link: &std::ops::Range<usize>| {
                    if link.is_empty() {
                        0..0
                    } else {
                        ranges[link.start].start..ranges[link.end - 1].end
                    }
                };
                let s_span = span(&alignment.source, &link.source);
                let t_span = span(&alignment.target, &link.target);
                let members: Vec<usize> = (0..words.len())
                    .filter(|&i| s_span.contains(&words[i].range.start))
                    .collect();
                let group_words: Vec<&gloss::WordGloss> =
                    members.iter().map(|&i| &words[i]).collect();
                let group_english: Vec<&gloss::EnglishWord> = english
                    .iter()
                    .filter(|w| t_span.contains(&w.range.start))
                    .collect();
                for (i, choice) in members
                    .into_iter()
                    .zip(gloss::choose_senses(&group_words, &group_english))
                {
                    chosen[i] = choice;
                }
            }
            chosen
        })
        .collect()
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
        title_html: escape_html(&title),
        caption_html: side.caption.as_ref().map(|c| escape_html(&c.text)),
        title,
        summary,
        markdown,
    })
}

/// `text` as HTML, `&<>"'` escaped.
fn escape_html(text: &str) -> String {
    let mut html = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            c => html.push(c),
        }
    }
    html
}

/// `text` as HTML with each word of `words` (its byte range, its gloss entry) wrapped as the
/// paragraphs' words are (`<g-w g=I>`).
fn wrap_words(text: &str, words: &[(Range<usize>, usize)]) -> String {
    let mut words: Vec<&(Range<usize>, usize)> = words.iter().collect();
    words.sort_by_key(|(range, _)| range.start);
    let mut html = String::with_capacity(text.len() + 24 * words.len());
    let mut done = 0;
    for (range, entry) in words {
        let Some(word) = text.get(range.clone()).filter(|w| !w.is_empty()) else {
            continue;
        };
        if range.start < done {
            continue;
        }
        html.push_str(&escape_html(&text[done..range.start]));
        let mark = MarkKind::Word(*entry);
        mark.open_tag(&mut html);
        html.push_str(&escape_html(word));
        html.push_str(mark.close_tag());
        done = range.end;
    }
    html.push_str(&escape_html(&text[done..]));
    html
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gloss::PartOfSpeech;
    use crate::gloss::tests::word;

    #[test]
    fn a_word_is_shown_with_its_sense_in_context_first_and_its_capitals() {
        let apoyar = word(0..6, "apoyar", PartOfSpeech::Verb, &["lean", "support"]);
        let choice = |first| gloss::InContext { first, here: None };
        // Nothing to change: the analysis itself.
        assert!(matches!(shown(&apoyar, None), Cow::Borrowed(_)));
        assert!(matches!(shown(&apoyar, Some(&choice(0))), Cow::Borrowed(_)));
        assert!(matches!(shown(&apoyar, Some(&choice(2))), Cow::Borrowed(_)));
        assert_eq!(
            *shown(&apoyar, Some(&choice(1))).glosses,
            ["support", "lean"]
        );
        let ucraniano = word(0..9, "ucraniano", PartOfSpeech::Adjective, &["ukrainian"]);
        assert_eq!(*shown(&ucraniano, None).glosses, ["Ukrainian"]);
        // A verb's senses keep their case.
        let verb = word(0..4, "x", PartOfSpeech::Verb, &["ukrainian"]);
        assert!(matches!(shown(&verb, None), Cow::Borrowed(_)));
    }

    #[test]
    fn sentences_are_split_once_and_only_for_their_paragraph_and_language() {
        let paragraphs = ["Llegó el Sr. Rutte. Habló.", "Uno. Dos."];
        let sentences = Sentences::new(&paragraphs, "es");
        for (k, text) in paragraphs.iter().enumerate() {
            assert_eq!(*sentences.of(k), sentences::split_with_doubts(text, "es"));
            let known = sentences.of_text(k, text, "es");
            assert!(matches!(known, Cow::Borrowed(_)));
            assert_eq!(*known, sentences::split(text, "es"));
        }
        // A copy of a paragraph, another paragraph or another language is split anew.
        let copy = paragraphs[0].to_string();
        assert!(matches!(sentences.of_text(0, &copy, "es"), Cow::Owned(_)));
        assert_eq!(
            *sentences.of_text(1, paragraphs[0], "es"),
            sentences::split(paragraphs[0], "es")
        );
        let english = sentences.of_text(0, paragraphs[0], "en");
        assert_eq!(*english, sentences::split(paragraphs[0], "en"));
        assert_eq!(
            *sentences.of_text(2, "Tres.", "es"),
            sentences::split("Tres.", "es")
        );
    }

    #[test]
    fn lemma_keys_are_sorted_as_written() {
        let words = vec![vec![
            word(0..1, "a", PartOfSpeech::Noun, &["x"]),
            word(2..5, "a b", PartOfSpeech::Noun, &["y"]),
            word(6..7, "a", PartOfSpeech::Noun, &["x"]),
            word(8..9, "a", PartOfSpeech::Verb, &["z"]),
            word(10..12, "de", PartOfSpeech::Preposition, &["of"]),
        ]];
        assert_eq!(content_lemmas(&words), ["a b|noun", "a|noun", "a|verb"]);
    }

    proptest::proptest! {
        /// The keys are those of every content word, written, sorted as strings, each once.
        #[test]
        fn lemma_keys_are_the_written_keys_sorted(
            words in proptest::collection::vec(("[ab |á]{0,4}", 0usize..4), 0..24),
        ) {
            let classes = [
                PartOfSpeech::Noun,
                PartOfSpeech::Verb,
                PartOfSpeech::Adjective,
                PartOfSpeech::Preposition,
            ];
            let words: Vec<gloss::WordGloss> = words
                .iter()
                .map(|(lemma, class)| word(0..1, lemma, classes[*class], &["x"]))
                .collect();
            let mut expected: Vec<String> = words
                .iter()
                .filter(|w| w.part_of_speech.is_content())
                .map(|w| format!("{}|{}", w.lemma, w.part_of_speech.name()))
                .collect();
            expected.sort();
            expected.dedup();
            proptest::prop_assert_eq!(content_lemmas(&[words]), expected);
        }
    }

    #[test]
    fn vocabulary_data_counts_the_example_s_entry_before_it() {
        let entry = |paragraph, position, occurrences| gloss::VocabularyEntry {
            lemma: String::new(),
            part_of_speech: PartOfSpeech::Noun,
            glosses: Vec::new(),
            sentence: String::new(),
            word: 0..0,
            english: String::new(),
            paragraph,
            position,
            occurrences,
        };
        // Entry 0 three times before paragraph 1's word 2, entries 1 and 2 never before theirs.
        let entries = vec![vec![0, 1, 0], vec![2, 0, 0, 1]];
        let list = [entry(1, 2, 4), entry(0, 1, 2), entry(1, 0, 1)];
        assert_eq!(
            vocabulary_data(&list, &entries),
            "[[0,4,3],[1,2,0],[2,1,0]]"
        );
        assert_eq!(vocabulary_data(&[], &entries), "[]");
    }
}
