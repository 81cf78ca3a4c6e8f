//! Writes one side of an article as a Markdown document, and renders its paragraphs back to HTML
//! with pulldown-cmark, weaving in the quotation and sentence elements.
//!
//! Seed text is text: every character that Markdown could read as syntax is escaped, so that
//! `*x*`, `# x` or `<script>` come out as the same visible characters, never as markup.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::Serialize;

/// The front matter of an emitted Markdown document.
#[derive(Debug, Serialize)]
pub struct FrontMatter<'a> {
    pub title: &'a str,
    pub lang: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<toml::value::Datetime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit: Option<&'a str>,
    pub source: &'a str,
    /// The engine, when a machine made this side from `source`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machine_translation: Option<&'a str>,
}

/// A Markdown document: TOML front matter between `+++` lines, then the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub text: String,
    /// Where the body starts in `text`.
    pub body_start: usize,
}

impl Document {
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }
}

/// Writes `paragraphs` as a Markdown document under `front`.
pub fn emit(front: &FrontMatter<'_>, paragraphs: &[&str]) -> Result<Document, toml::ser::Error> {
    let mut text = format!("+++\n{}+++\n\n", toml::to_string(front)?);
    let body_start = text.len();
    for (i, paragraph) in paragraphs.iter().enumerate() {
        if i > 0 {
            text.push_str("\n\n");
        }
        escape_into(paragraph, &mut text);
    }
    text.push('\n');
    Ok(Document { text, body_start })
}

/// Escapes one paragraph of plain text so that Markdown reads it back as the same text.
fn escape_into(line: &str, out: &mut String) {
    // Markdown would eat white space at the edges and read line ends as breaks: spell them as
    // character references, which it decodes back into the same text.
    let rest = line.trim_start();
    let lead = &line[..line.len() - rest.len()];
    let body = rest.trim_end();
    let trail = &rest[body.len()..];
    for c in lead.chars() {
        out.push_str(&format!("&#{};", c as u32));
    }
    escape_body(body, out);
    for c in trail.chars() {
        out.push_str(&format!("&#{};", c as u32));
    }
}

/// The bytes that may need escaping wherever they are: inline syntax (`&` would start an
/// entity, `<` a tag or autolink) and line ends. The rest are copied in runs; all of these are
/// ASCII, so a run never splits a character.
const MAY_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let bytes = b"\\`*_[]<>&~|!#\n\r+-=:.)";
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
};

fn escape_body(line: &str, out: &mut String) {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let mut run = 0;
    for (i, b) in line.bytes().enumerate() {
        if !MAY_ESCAPE[usize::from(b)] {
            continue;
        }
        // Block syntax counts only at the start of a line: lists, headings' cousins, rules,
        // and the `.` or `)` of an ordered list's number.
        let syntax = match b {
            b'+' | b'-' | b'=' | b':' => i == 0,
            b'.' | b')' => digits > 0 && i == digits,
            _ => true,
        };
        if !syntax {
            continue;
        }
        out.push_str(&line[run..i]);
        match b {
            // A line end inside a paragraph is written as its character reference.
            b'\n' | b'\r' => {
                out.push_str(if b == b'\n' { "&#10;" } else { "&#13;" });
                run = i + 1;
            }
            // A backslash before it, the character itself goes with the next run.
            _ => {
                out.push('\\');
                run = i;
            }
        }
    }
    out.push_str(&line[run..]);
}

/// One element to wrap around a stretch of a paragraph's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// Byte range in the paragraph's plain text.
    pub range: Range<usize>,
    pub kind: MarkKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// A direct quotation: `<q class="quote" data-quote="N">`.
    Quote(usize),
    /// A sentence in alignment group G: `<span class="s" data-a="G">`.
    Sentence(usize),
    /// A word the machine translation left in the original language.
    Untranslated,
    /// An original word with a gloss: `<g-w g=I>`, I its entry in the page's gloss data
    /// (an element of no meaning or style of its own, shorter than a `span` with a class: a page
    /// has hundreds).
    Word(usize),
}

/// How deep each kind of mark nests: quotations outermost, words innermost.
const LEVELS: usize = 3;

impl MarkKind {
    fn level(self) -> usize {
        match self {
            MarkKind::Quote(_) => 0,
            MarkKind::Sentence(_) => 1,
            MarkKind::Untranslated | MarkKind::Word(_) => 2,
        }
    }

    /// Writes the mark's opening tag to `html` (a page writes hundreds: no formatting machinery).
    pub(crate) fn open_tag(self, html: &mut String) {
        let (head, number, tail) = match self {
            MarkKind::Quote(n) => (r#"<q class="quote" data-quote=""#, Some(n), r#"">"#),
            MarkKind::Sentence(g) => (r#"<span class="s" data-a=""#, Some(g), r#"">"#),
            MarkKind::Untranslated => (r#"<span class="untranslated">"#, None, ""),
            MarkKind::Word(i) => ("<g-w g=", Some(i), ">"),
        };
        html.push_str(head);
        if let Some(n) = number {
            html.push_str(itoa::Buffer::new().format(n));
        }
        html.push_str(tail);
    }

    /// The mark's closing tag.
    pub(crate) fn close_tag(self) -> &'static str {
        match self {
            MarkKind::Quote(_) => "</q>",
            MarkKind::Sentence(_) | MarkKind::Untranslated => "</span>",
            MarkKind::Word(_) => "</g-w>",
        }
    }
}

/// The rendered body did not read back as the text it was made from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "paragraph {paragraph} did not render as plain text (a bug in paralelo's escaping: please report it)"
)]
pub struct RenderError {
    pub paragraph: usize,
}

/// Renders the paragraphs of a Markdown body to inline HTML, one string per paragraph, with
/// `marks[k]` woven into paragraph `k`.
///
/// Each quotation is one element. A sentence that holds whole every quotation it touches is one
/// element too, around them; a sentence that crosses a quotation's edge is split into elements
/// with the same group, inside and outside the quotation.
pub fn render(body: &str, plain: &[&str], marks: &[Vec<Mark>]) -> Result<Vec<String>, RenderError> {
    let mut paragraphs = Vec::with_capacity(plain.len());
    let mut text: Option<String> = None;
    for event in Parser::new(body) {
        match event {
            Event::Start(Tag::Paragraph) => text = Some(String::new()),
            Event::Text(t) => match &mut text {
                Some(buffer) => buffer.push_str(&t),
                None => {
                    return Err(RenderError {
                        paragraph: paragraphs.len() + 1,
                    });
                }
            },
            Event::End(TagEnd::Paragraph) => {
                let k = paragraphs.len();
                let read = text.take().unwrap_or_default();
                if plain.get(k) != Some(&read.as_str()) {
                    return Err(RenderError { paragraph: k + 1 });
                }
                paragraphs.push(weave(&read, marks.get(k).map_or(&[][..], Vec::as_slice)));
            }
            _ => {
                return Err(RenderError {
                    paragraph: paragraphs.len() + 1,
                });
            }
        }
    }
    if paragraphs.len() != plain.len() {
        return Err(RenderError {
            paragraph: paragraphs.len() + 1,
        });
    }
    Ok(paragraphs)
}

/// A sentence that holds whole every quotation it touches becomes one element with its
/// quotations inside it (they move a level in, it a level out); elsewhere quotations stay the
/// outer elements and split the sentences they cross. No two marks of a level overlap after it:
/// a quotation left outside overlaps no sentence brought out (that sentence would hold it whole),
/// and a quotation brought in lies inside one sentence, which no other sentence overlaps.
fn hold_whole_quotations(levels: &mut [Vec<(Range<usize>, MarkKind)>; LEVELS]) {
    let quote = MarkKind::Quote(0).level();
    let sentence = MarkKind::Sentence(0).level();
    let inside = |outer: &Range<usize>, inner: &Range<usize>| {
        outer.start <= inner.start && inner.end <= outer.end
    };
    let (mut kept, mut moved) = (Vec::new(), Vec::new());
    for (range, kind) in std::mem::take(&mut levels[sentence]) {
        let mut touching = levels[quote]
            .iter()
            .filter(|(q, _)| q.start < range.end && range.start < q.end);
        if touching.clone().next().is_some() && touching.all(|(q, _)| inside(&range, q)) {
            moved.push((range, kind));
        } else {
            kept.push((range, kind));
        }
    }
    let (inner, outer): (Vec<_>, Vec<_>) = std::mem::take(&mut levels[quote])
        .into_iter()
        .partition(|(q, _)| moved.iter().any(|(s, _)| inside(s, q)));
    levels[quote] = outer.into_iter().chain(moved).collect();
    levels[sentence] = kept.into_iter().chain(inner).collect();
}

/// Wraps the marks around `text` and lets pulldown-cmark write the HTML, escaping the text.
///
/// Marks nest by level; where an outer mark starts or ends inside an inner one, the inner one is
/// closed and opened again, so that the HTML stays well formed. One sweep over the text.
fn weave(text: &str, marks: &[Mark]) -> String {
    let mut levels: [Vec<(Range<usize>, MarkKind)>; LEVELS] = Default::default();
    for mark in marks {
        let mut range = mark.range.clone();
        if let (MarkKind::Sentence(_), Some(inside)) = (mark.kind, text.get(range.clone())) {
            // The space after a sentence stays outside it, so highlights hug the words.
            range.end = range.start + inside.trim_end().len();
        }
        if !range.is_empty() && text.get(range.clone()).is_some() {
            levels[mark.kind.level()].push((range, mark.kind));
        }
    }
    hold_whole_quotations(&mut levels);
    let mut cuts: Vec<usize> = vec![0, text.len()];
    for spans in &mut levels {
        spans.sort_by_key(|(range, _)| range.start);
        cuts.extend(spans.iter().flat_map(|(r, _)| [r.start, r.end]));
    }
    cuts.sort_unstable();
    cuts.dedup();

    // Tags written as they are, the text escaped by the function pulldown-cmark's writer calls
    // for a text event (a word's tags and a sentence's take some 24 bytes a mark).
    let mut html = String::with_capacity(text.len() + 24 * marks.len());
    let mut next = [0; LEVELS];
    let mut open: [Option<usize>; LEVELS] = [None; LEVELS];
    let close = |html: &mut String, open: &mut [Option<usize>; LEVELS], from: usize| {
        for level in (from..LEVELS).rev() {
            if let Some(i) = open[level].take() {
                html.push_str(levels[level][i].1.close_tag());
            }
        }
    };
    for window in cuts.windows(2) {
        let (start, end) = (window[0], window[1]);
        let mut active = [None; LEVELS];
        for level in 0..LEVELS {
            let spans = &levels[level];
            while next[level] < spans.len() && spans[next[level]].0.end <= start {
                next[level] += 1;
            }
            active[level] = spans
                .get(next[level])
                .filter(|(range, _)| range.start <= start)
                .map(|_| next[level]);
        }
        if let Some(first) = (0..LEVELS).find(|&l| open[l] != active[l]) {
            close(&mut html, &mut open, first);
            for level in first..LEVELS {
                if let Some(i) = active[level] {
                    levels[level][i].1.open_tag(&mut html);
                    open[level] = Some(i);
                }
            }
        }
        // Writing to a `String` cannot fail.
        let _ = pulldown_cmark_escape::escape_html_body_text(&mut html, &text[start..end]);
    }
    close(&mut html, &mut open, 0);
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(paragraphs: &[&str]) -> Vec<String> {
        let front = FrontMatter {
            title: "t",
            lang: "es",
            date: None,
            caption: None,
            credit: None,
            source: "s.txt",
            machine_translation: None,
        };
        let doc = emit(&front, paragraphs).unwrap();
        let none = vec![Vec::new(); paragraphs.len()];
        render(doc.body(), paragraphs, &none).unwrap()
    }

    #[test]
    fn markup_in_text_stays_text() {
        let hostile = [
            "<script>alert(1)</script> y *x* y _y_ y `z`",
            "# no es un título",
            "1. no es una lista",
            "2) tampoco",
            "[a](javascript:alert(1)) ![i](x.png) <http://x.y>",
            "{{ config }} {% raw %} &amp; &lt; \\*",
            "- guion",
            "+ más",
            "> cita",
            "---",
            "=== | tabla | ~~tachado~~",
            "    cuatro espacios no son código  ",
            "dos\nlíneas",
        ];
        let html = round_trip(&hostile);
        assert_eq!(
            html[0],
            "&lt;script&gt;alert(1)&lt;/script&gt; y *x* y _y_ y `z`"
        );
        assert_eq!(
            html[4],
            "[a](javascript:alert(1)) ![i](x.png) &lt;http://x.y&gt;"
        );
        assert_eq!(html[5], "{{ config }} {% raw %} &amp;amp; &amp;lt; \\*");
        assert_eq!(html[9], "---");
        assert_eq!(html[12], "dos\nlíneas");
        assert_eq!(html.len(), hostile.len());
    }

    #[test]
    fn emitted_document_has_front_matter_and_escaped_body() {
        let front = FrontMatter {
            title: "Un \"titular\"",
            lang: "es",
            date: Some("2025-11-05T13:34:00+01:00".parse().unwrap()),
            caption: Some("Foto"),
            credit: Some("Agencia"),
            source: "seeds/a.txt",
            machine_translation: None,
        };
        let doc = emit(&front, &["Uno *dos*.", "1. Tres"]).unwrap();
        assert_eq!(
            doc.text,
            "+++\ntitle = 'Un \"titular\"'\nlang = \"es\"\ndate = 2025-11-05T13:34:00+01:00\ncaption = \"Foto\"\ncredit = \"Agencia\"\nsource = \"seeds/a.txt\"\n+++\n\nUno \\*dos\\*.\n\n1\\. Tres\n"
        );
        assert_eq!(doc.body(), "Uno \\*dos\\*.\n\n1\\. Tres\n");
    }

    #[test]
    fn sentences_split_at_quotation_edges() {
        let text = r#"Dijo "A. B" hoy. Fin."#;
        let marks = vec![
            Mark {
                range: 5..11,
                kind: MarkKind::Quote(1),
            },
            Mark {
                range: 0..9,
                kind: MarkKind::Sentence(1),
            },
            Mark {
                range: 9..17,
                kind: MarkKind::Sentence(2),
            },
            Mark {
                range: 17..21,
                kind: MarkKind::Sentence(3),
            },
        ];
        assert_eq!(
            weave(text, &marks),
            r#"<span class="s" data-a="1">Dijo </span><q class="quote" data-quote="1"><span class="s" data-a="1">"A.</span> <span class="s" data-a="2">B"</span></q><span class="s" data-a="2"> hoy.</span> <span class="s" data-a="3">Fin.</span>"#
        );
    }

    #[test]
    fn untranslated_words_nest_innermost() {
        let text = "He said “Hola Zelenski” today.";
        let z = text.find("Zelenski").unwrap();
        let marks = vec![
            Mark {
                range: z..z + 8,
                kind: MarkKind::Untranslated,
            },
            Mark {
                range: 0..text.len(),
                kind: MarkKind::Sentence(4),
            },
            Mark {
                range: 8..text.find(" today").unwrap(),
                kind: MarkKind::Quote(2),
            },
        ];
        assert_eq!(
            weave(text, &marks),
            r#"<span class="s" data-a="4">He said <q class="quote" data-quote="2">“Hola <span class="untranslated">Zelenski</span>”</q> today.</span>"#
        );
    }

    #[test]
    fn a_sentence_holding_its_quotations_whole_is_one_element() {
        // Sentence 1 holds its quotation whole; quotation 2 crosses sentences 2 and 3.
        let text = r#"Dijo "sí" hoy. Luego "A. B" fin."#;
        let at = |s: &str| text.find(s).unwrap();
        let mark = |range: Range<usize>, kind| Mark { range, kind };
        let marks = vec![
            mark(0..at(" Luego") + 1, MarkKind::Sentence(1)),
            mark(at("Luego")..at(" B"), MarkKind::Sentence(2)),
            mark(at(" B") + 1..text.len(), MarkKind::Sentence(3)),
            mark(at(r#""sí""#)..at(" hoy"), MarkKind::Quote(1)),
            mark(at(r#""A"#)..at(" fin"), MarkKind::Quote(2)),
            mark(at("hoy")..at("hoy") + 3, MarkKind::Word(7)),
        ];
        assert_eq!(
            weave(text, &marks),
            r#"<span class="s" data-a="1">Dijo <q class="quote" data-quote="1">"sí"</q> <g-w g=7>hoy</g-w>.</span> <span class="s" data-a="2">Luego </span><q class="quote" data-quote="2"><span class="s" data-a="2">"A.</span> <span class="s" data-a="3">B"</span></q><span class="s" data-a="3"> fin.</span>"#
        );
    }
}
