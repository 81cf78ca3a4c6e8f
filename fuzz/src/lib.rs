//! Checks shared by the fuzz targets (`fuzz/fuzz_targets/*.rs`) and the property tests
//! (`tests/properties.rs`, which includes this file as a module).
//!
//! The first half is a small HTML tokenizer and the helpers built on it (tag balance, text
//! content, the paragraphs and quotation numbers of a page); the second half checks the
//! invariants of paralelo's stages; the last part holds the bodies of the fuzz targets, each
//! taking the raw fuzzer input and panicking when an invariant breaks.

use std::ops::Range;

use paralelo::internals::align::ParagraphAlignment;
use paralelo::internals::model::WireText;
use paralelo::internals::quotes::SideQuotes;

// ---------------------------------------------------------------------------------------------
// HTML

/// One piece of an HTML document. Attribute values are kept raw (entities not decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token<'a> {
    Text(&'a str),
    Start {
        name: String,
        attrs: Vec<(String, &'a str)>,
        self_closing: bool,
    },
    End(String),
    /// `<!DOCTYPE …>` or a comment.
    Other,
}

impl Token<'_> {
    /// The raw value of attribute `name` on a start tag.
    pub fn attr(&self, name: &str) -> Option<&str> {
        match self {
            Token::Start { attrs, .. } => attrs.iter().find(|(n, _)| n == name).map(|(_, v)| *v),
            _ => None,
        }
    }

    fn is_start(&self, tag: &str) -> bool {
        matches!(self, Token::Start { name, .. } if name == tag)
    }
}

/// Elements that have no end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Elements whose content is raw text, up to their end tag.
const RAW_TEXT: &[&str] = &["script", "style"];

/// Elements that may not stand inside a `<p>`: the parser would close the paragraph before them.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];

/// Splits `html` into tokens, strictly: a `<` that starts no tag, an unterminated tag or
/// attribute value, or a `<` inside an attribute value is an error (paralelo escapes them all).
pub fn tokenize(html: &str) -> Result<Vec<Token<'_>>, String> {
    let mut tokens = Vec::new();
    let mut rest = html;
    let at = |rest: &str| html.len() - rest.len();
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            tokens.push(Token::Text(rest));
            break;
        };
        if lt > 0 {
            tokens.push(Token::Text(&rest[..lt]));
            rest = &rest[lt..];
        }
        let doctype = rest
            .as_bytes()
            .get(..9)
            .is_some_and(|b| b.eq_ignore_ascii_case(b"<!doctype"));
        if rest.starts_with("<!--") {
            let end = rest
                .find("-->")
                .ok_or_else(|| format!("unterminated comment at byte {}", at(rest)))?;
            tokens.push(Token::Other);
            rest = &rest[end + 3..];
        } else if doctype {
            let end = rest
                .find('>')
                .ok_or_else(|| format!("unterminated doctype at byte {}", at(rest)))?;
            tokens.push(Token::Other);
            rest = &rest[end + 1..];
        } else if let Some(after) = rest.strip_prefix("</") {
            let name_len = after
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(after.len());
            let tail = after[name_len..].trim_start_matches([' ', '\t', '\n']);
            if name_len == 0 || !tail.starts_with('>') {
                return Err(format!("malformed end tag at byte {}", at(rest)));
            }
            let name = after[..name_len].to_ascii_lowercase();
            rest = &tail[1..];
            tokens.push(Token::End(name));
        } else {
            let (token, after) =
                start_tag(rest).map_err(|e| format!("{e} at byte {}", at(rest)))?;
            rest = after;
            if let Token::Start {
                name,
                self_closing: false,
                ..
            } = &token
                && RAW_TEXT.contains(&name.as_str())
            {
                let close = format!("</{name}");
                let end = rest
                    .to_ascii_lowercase()
                    .find(&close)
                    .ok_or_else(|| format!("<{name}> never closed"))?;
                tokens.push(token);
                if end > 0 {
                    tokens.push(Token::Text(&rest[..end]));
                }
                rest = &rest[end..];
                continue;
            }
            tokens.push(token);
        }
    }
    Ok(tokens)
}

/// Reads the start tag at the beginning of `s`; returns it and the text after it.
fn start_tag(s: &str) -> Result<(Token<'_>, &str), String> {
    let after = &s[1..];
    let name_len = after
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(after.len());
    if name_len == 0 || !after.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err("`<` that starts no tag".to_string());
    }
    let name = after[..name_len].to_ascii_lowercase();
    let mut rest = &after[name_len..];
    let mut attrs = Vec::new();
    loop {
        let trimmed = rest.trim_start_matches([' ', '\t', '\n', '\r', '\x0c']);
        let spaced = trimmed.len() < rest.len();
        rest = trimmed;
        if let Some(r) = rest.strip_prefix('>') {
            let token = Token::Start {
                name,
                attrs,
                self_closing: false,
            };
            return Ok((token, r));
        }
        if let Some(r) = rest.strip_prefix("/>") {
            let token = Token::Start {
                name,
                attrs,
                self_closing: true,
            };
            return Ok((token, r));
        }
        if !spaced {
            return Err(format!("<{name}>: attributes must be separated by spaces"));
        }
        let attr_len = rest
            .find(|c: char| c.is_whitespace() || "/>=\"'<`".contains(c))
            .unwrap_or(rest.len());
        if attr_len == 0 {
            return Err(format!("<{name}>: bad attribute name"));
        }
        let attr = rest[..attr_len].to_ascii_lowercase();
        rest = &rest[attr_len..];
        let value;
        if let Some(r) = rest.trim_start().strip_prefix('=') {
            let r = r.trim_start();
            let quote = r.chars().next().filter(|&c| c == '"' || c == '\'');
            match quote {
                Some(q) => {
                    let body = &r[1..];
                    let end = body
                        .find(q)
                        .ok_or_else(|| format!("<{name} {attr}>: unterminated value"))?;
                    value = &body[..end];
                    rest = &body[end + 1..];
                }
                None => {
                    let end = r
                        .find(|c: char| c.is_whitespace() || c == '>')
                        .unwrap_or(r.len());
                    value = &r[..end];
                    if value.is_empty() || value.contains(['"', '\'', '<', '=', '`']) {
                        return Err(format!("<{name} {attr}>: bad unquoted value"));
                    }
                    rest = &r[end..];
                }
            }
            if value.contains('<') {
                return Err(format!("<{name} {attr}>: unescaped `<` in the value"));
            }
        } else {
            value = "";
        }
        attrs.push((attr, value));
    }
}

/// Every element opened is closed, in order; void elements (and the doctype) have no end tag;
/// no block element stands inside a `<p>`; no event-handler attribute or `javascript:` URL.
pub fn check_tag_balance(html: &str) -> Result<(), String> {
    let mut open: Vec<String> = Vec::new();
    for token in tokenize(html)? {
        match token {
            Token::Start {
                name,
                attrs,
                self_closing,
            } => {
                for (attr, value) in &attrs {
                    if attr.starts_with("on") {
                        return Err(format!("<{name}> has an event handler `{attr}`"));
                    }
                    if value
                        .trim_start()
                        .to_ascii_lowercase()
                        .starts_with("javascript:")
                    {
                        return Err(format!("<{name} {attr}> is a javascript: URL"));
                    }
                }
                if CLOSES_P.contains(&name.as_str()) && open.iter().any(|o| o == "p") {
                    return Err(format!("<{name}> inside <p>"));
                }
                let void = VOID.contains(&name.as_str());
                if self_closing && !void {
                    return Err(format!("<{name}/> is not self-closing in HTML"));
                }
                if !void {
                    open.push(name);
                }
            }
            Token::End(name) => {
                if VOID.contains(&name.as_str()) {
                    return Err(format!("</{name}> closes a void element"));
                }
                match open.pop() {
                    Some(top) if top == name => {}
                    Some(top) => return Err(format!("</{name}> closes <{top}>")),
                    None => return Err(format!("</{name}> with nothing open")),
                }
            }
            Token::Text(_) | Token::Other => {}
        }
    }
    match open.last() {
        Some(name) => Err(format!("<{name}> is never closed (open: {open:?})")),
        None => Ok(()),
    }
}

/// Decodes the character references of HTML text; a `&` that starts none is an error, since
/// paralelo escapes every `&` it writes.
pub fn decode_entities(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after
            .find(';')
            .filter(|&end| end <= 10)
            .ok_or_else(|| format!("bare `&` before {:?}", after.get(..10).unwrap_or(after)))?;
        let name = &after[..end];
        let c = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => '\u{a0}',
            _ => {
                let number = if let Some(hex) = name.strip_prefix(['#']).and_then(|n| {
                    n.strip_prefix('x')
                        .or_else(|| n.strip_prefix('X'))
                        .map(|h| u32::from_str_radix(h, 16))
                }) {
                    hex.ok()
                } else {
                    name.strip_prefix('#').and_then(|d| d.parse::<u32>().ok())
                };
                number
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("unknown reference `&{name};`"))?
            }
        };
        out.push(c);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The visible text of an HTML fragment: tags dropped, references decoded.
pub fn text_content(html: &str) -> Result<String, String> {
    let raw: String = tokenize(html)?
        .into_iter()
        .filter_map(|t| match t {
            Token::Text(text) => Some(text),
            _ => None,
        })
        .collect();
    decode_entities(&raw)
}

/// The `data-quote` numbers of the `<q>` elements in `html`, in document order.
pub fn quote_numbers(html: &str) -> Result<Vec<usize>, String> {
    tokenize(html)?
        .iter()
        .filter(|t| t.is_start("q"))
        .map(|q| {
            q.attr("data-quote")
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| format!("<q> without a numeric data-quote: {q:?}"))
        })
        .collect()
}

/// The inner HTML of the page's paragraphs `<p class="{class}" data-p="N">`, in order, with N.
pub fn page_paragraphs<'a>(page: &'a str, class: &str) -> Result<Vec<(usize, &'a str)>, String> {
    let mut found = Vec::new();
    let mut search = 0;
    let opening = format!("<p class=\"{class}\" ");
    while let Some(start) = page[search..].find(&opening).map(|i| search + i) {
        let tag_end = start + page[start..].find('>').ok_or("unterminated <p>")?;
        let tag = &page[start..=tag_end];
        let (token, _) = start_tag(tag)?;
        let Some(number) = token.attr("data-p") else {
            search = tag_end;
            continue;
        };
        let number = number
            .parse()
            .map_err(|_| format!("data-p is not a number: {tag}"))?;
        // The paragraph's content is inline: it holds no other <p>.
        let inner_end = tag_end + 1 + page[tag_end + 1..].find("</p>").ok_or("unclosed <p>")?;
        found.push((number, &page[tag_end + 1..inner_end]));
        search = inner_end;
    }
    Ok(found)
}

// ---------------------------------------------------------------------------------------------
// Invariants

/// `ranges` are non-empty, contiguous, on char boundaries, and tile `text` exactly.
pub fn check_tiling(text: &str, ranges: &[Range<usize>]) -> Result<(), String> {
    let mut expected = 0;
    for range in ranges {
        if range.start != expected || range.start >= range.end {
            return Err(format!("{range:?} after {expected} in {ranges:?}"));
        }
        if !text.is_char_boundary(range.start) || !text.is_char_boundary(range.end) {
            return Err(format!("{range:?} cuts a character"));
        }
        expected = range.end;
    }
    if expected != text.len() {
        return Err(format!("ranges end at {expected}, text at {}", text.len()));
    }
    Ok(())
}

/// The opening marks a quotation (or its continuation) can start with, and the closing ones.
const QUOTE_STARTS: &[char] = &[
    '«', '“', '‘', '"', '\'', '»', '„', '‚', '‹', '‟', '‛', '”', '’', '›',
];
const QUOTE_ENDS: &[char] = &['»', '”', '’', '"', '\'', '“', '‘', '›', '«', '‹'];

/// The spans of one side lie in their paragraphs, on char boundaries, in order, without
/// overlapping; each starts with a quotation mark and ends with one or at the paragraph's end
/// (a quotation that runs on); a piece that continues a quotation opens its paragraph, right
/// after a piece that ran to the end of the previous one.
pub fn check_quote_spans(paragraphs: &[&str], side: &SideQuotes) -> Result<(), String> {
    if side.spans.len() != paragraphs.len() {
        return Err(format!(
            "{} span lists for {} paragraphs",
            side.spans.len(),
            paragraphs.len()
        ));
    }
    for (k, (spans, text)) in side.spans.iter().zip(paragraphs).enumerate() {
        let mut after = 0;
        for span in spans {
            let r = &span.range;
            let Some(quoted) = text.get(r.clone()).filter(|q| !q.is_empty()) else {
                return Err(format!("paragraph {k}: bad span {r:?} in {text:?}"));
            };
            if r.start < after {
                return Err(format!("paragraph {k}: {r:?} overlaps or precedes {after}"));
            }
            after = r.end;
            if !quoted.starts_with(QUOTE_STARTS) {
                return Err(format!(
                    "paragraph {k}: span {quoted:?} starts with no mark"
                ));
            }
            if !quoted.ends_with(QUOTE_ENDS) && r.end != text.len() {
                return Err(format!("paragraph {k}: span {quoted:?} ends with no mark"));
            }
        }
        let previous_last = k
            .checked_sub(1)
            .and_then(|p| side.spans[p].last().map(|s| (p, s)));
        if let (Some(first), Some((p, last))) = (spans.first(), previous_last)
            && first.number == last.number
            && (first.range.start != 0 || last.range.end != paragraphs[p].len())
        {
            return Err(format!(
                "paragraph {k}: quotation {} continues, but not from the end of paragraph {p} \
                 into the start of this one",
                first.number
            ));
        }
    }
    Ok(())
}

/// The quotations that start in each paragraph, (number, group) without the first one when it
/// continues the previous paragraph's last quotation (same number). `groups` is parallel to
/// `side` (the alignment group each quotation starts in), or empty for none.
fn new_quotations(
    side: &[Vec<usize>],
    groups: &[Vec<Option<usize>>],
) -> Vec<Vec<(usize, Option<usize>)>> {
    let mut previous_last = None;
    side.iter()
        .enumerate()
        .map(|(k, numbers)| {
            let with_groups = numbers
                .iter()
                .enumerate()
                .map(|(i, &n)| (n, groups.get(k).and_then(|g| g.get(i).copied().flatten())));
            let skip = match (numbers.first(), previous_last) {
                (Some(first), Some(last)) if *first == last => 1,
                _ => 0,
            };
            previous_last = numbers.last().copied();
            with_groups.skip(skip).collect()
        })
        .collect()
}

/// The numbering rule of `quotes::find_pairs`, from the quotation numbers of each paragraph of
/// both sides (as spans, or as `data-quote`s in the HTML): [`check_quote_numbering_in_groups`]
/// with each paragraph one group.
pub fn check_quote_numbering(source: &[Vec<usize>], target: &[Vec<usize>]) -> Result<(), String> {
    check_quote_numbering_in_groups(source, target, &[], &[])
}

/// The numbering rule of `quotes::find_pairs_aligned`, from the quotation numbers of each
/// paragraph of both sides and the alignment group each starts in (parallel to the numbers;
/// empty: one group per paragraph): the original's quotations are 1, 2, … in order; the `i`-th
/// quotation that starts in group `g` of paragraph `k` of the translation takes the number of the
/// `i`-th one that starts in group `g` of paragraph `k` of the original; translation-only
/// quotations take the numbers after the original's last one, in order. So a number on one side
/// need not be on the other, and a quotation without a twin shifts no other pair.
pub fn check_quote_numbering_in_groups(
    source: &[Vec<usize>],
    target: &[Vec<usize>],
    source_groups: &[Vec<Option<usize>>],
    target_groups: &[Vec<Option<usize>>],
) -> Result<(), String> {
    let source_new = new_quotations(source, source_groups);
    let target_new = new_quotations(target, target_groups);
    let flat: Vec<usize> = source_new.iter().flatten().map(|&(n, _)| n).collect();
    if flat != (1..=flat.len()).collect::<Vec<_>>() {
        return Err(format!(
            "the original's quotations are numbered {source:?}, not 1, 2, …"
        ));
    }
    let mut fresh = flat.len();
    for (k, quotations) in target_new.iter().enumerate() {
        // As many on both sides: in order; else within alignment groups.
        let in_order = source_new.get(k).map_or(0, Vec::len) == quotations.len();
        for (i, &(n, group)) in quotations.iter().enumerate() {
            let before = quotations[..i]
                .iter()
                .filter(|(_, g)| in_order || *g == group)
                .count();
            let twin = source_new
                .get(k)
                .into_iter()
                .flatten()
                .filter(|(_, g)| in_order || *g == group)
                .nth(before);
            let expected = match twin {
                Some(&(twin, _)) => twin,
                None => {
                    fresh += 1;
                    fresh
                }
            };
            if n != expected {
                return Err(format!(
                    "translation paragraph {k}, quotation {i}: number {n}, expected {expected} \
                     (original {source:?} in groups {source_groups:?}, translation {target:?} \
                     in groups {target_groups:?})"
                ));
            }
        }
    }
    Ok(())
}

/// The alignment group each span of `side` starts in.
pub fn span_groups(
    side: &SideQuotes,
    alignments: &[ParagraphAlignment],
    target: bool,
) -> Vec<Vec<Option<usize>>> {
    side.spans
        .iter()
        .enumerate()
        .map(|(k, spans)| {
            spans
                .iter()
                .map(|s| {
                    alignments.get(k).and_then(|a| {
                        if target {
                            a.target_group(s.range.start)
                        } else {
                            a.source_group(s.range.start)
                        }
                    })
                })
                .collect()
        })
        .collect()
}

/// The numbers of each paragraph's spans.
pub fn span_numbers(side: &SideQuotes) -> Vec<Vec<usize>> {
    side.spans
        .iter()
        .map(|spans| spans.iter().map(|s| s.number).collect())
        .collect()
}

/// `parse_wire` keeps every line of `text`: the caption line (if any) is the line before the
/// dateline and holds the caption and credit; every other non-blank line after the dateline is
/// in the paragraph that starts at or before it, paragraphs are the runs of non-blank lines
/// joined by single spaces, and their texts are trimmed and non-empty.
pub fn check_wire(text: &str, first_line: usize, wire: &WireText) -> Result<(), String> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (first_line + i, l.trim()))
        .collect();
    let header_end = wire.dateline.as_ref().map_or(0, |d| d.line);
    if let Some(dateline) = &wire.dateline {
        let line = lines
            .iter()
            .find(|(n, _)| *n == dateline.line)
            .ok_or("the dateline's line is not in the text")?
            .1;
        if !line.contains(&dateline.label) || !line.contains(&dateline.value) {
            return Err(format!("dateline {dateline:?} is not line {line:?}"));
        }
        if lines
            .iter()
            .any(|(n, l)| *n < dateline.line - wire.caption.is_some() as usize && !l.is_empty())
        {
            return Err("a non-blank line before the caption and dateline was lost".into());
        }
    }
    if let Some(caption) = &wire.caption {
        let line = lines
            .iter()
            .find(|(n, _)| *n + 1 == header_end)
            .ok_or("a caption without a dateline after it")?
            .1;
        let whole = match &caption.credit {
            Some(credit) => line.contains(&caption.text) && line.contains(credit.as_str()),
            None => line == caption.text,
        };
        if !whole {
            return Err(format!("caption {caption:?} is not line {line:?}"));
        }
    }
    // The body's paragraphs: runs of non-blank lines.
    let mut expected: Vec<(usize, String)> = Vec::new();
    let mut in_paragraph = false;
    for &(n, line) in lines.iter().filter(|(n, _)| *n > header_end) {
        match (line.is_empty(), in_paragraph) {
            (true, _) => in_paragraph = false,
            (false, true) => {
                let last = expected.last_mut().expect("in a paragraph");
                last.1.push(' ');
                last.1.push_str(line);
            }
            (false, false) => {
                expected.push((n, line.to_string()));
                in_paragraph = true;
            }
        }
    }
    let got: Vec<(usize, String)> = wire
        .paragraphs
        .iter()
        .map(|p| (p.line, p.text.clone()))
        .collect();
    if got != expected {
        return Err(format!(
            "paragraphs {got:?}, but the lines give {expected:?}"
        ));
    }
    for p in &wire.paragraphs {
        if p.text.is_empty() || p.text.trim() != p.text {
            return Err(format!("paragraph {p:?} is empty or untrimmed"));
        }
    }
    Ok(())
}

/// The translation of a seed (to give `render_from_text`) whose body is `paragraphs`: a
/// dateline line first, so that nothing in the paragraphs can be read as a caption, dateline or
/// front matter.
pub fn translation_of(paragraphs: &[&str]) -> String {
    let mut text = String::from("Published: the same day\n");
    for p in paragraphs {
        text.push('\n');
        text.push_str(p);
        text.push('\n');
    }
    text
}

/// Checks the page that `render_from_text` made from a seed whose body paragraphs are `source`
/// and a translation whose body paragraphs are `target`: well formed, with only the site's
/// scripts, no event handlers, each paragraph's visible text as written, each quotation that
/// `find_pairs_aligned` finds (with the page's sentence alignment) shown as one `<q>` with its
/// number, numbered as `check_quote_numbering_in_groups` says.
pub fn check_page(page: &str, source: &[&str], target: &[&str]) -> Result<(), String> {
    check_tag_balance(page)?;
    let lower = page.to_ascii_lowercase();
    let site_scripts = [
        "<script src=\"../glosses.js\"></script>",
        "<script src=\"../learner.js\"></script>",
        "<script src=\"../speech.js\"></script>",
        "<script src=\"../paralelo.js\"></script>",
        "<script src=\"../search.js\"></script>",
    ];
    if lower.matches("<script").count() != site_scripts.len()
        || !site_scripts.iter().all(|script| page.contains(script))
    {
        return Err("a <script> other than the site's own".into());
    }
    let mut numbers = Vec::new();
    for (class, paragraphs) in [("src", source), ("tgt", target)] {
        let found = page_paragraphs(page, class)?;
        if found.len() != paragraphs.len() {
            return Err(format!(
                "{} `{class}` paragraphs on the page, {} in the text",
                found.len(),
                paragraphs.len()
            ));
        }
        let mut side = Vec::new();
        for (k, ((number, inner), text)) in found.iter().zip(paragraphs).enumerate() {
            if *number != k + 1 {
                return Err(format!("`{class}` paragraph {k} has data-p {number}"));
            }
            let shown = text_content(inner)?;
            if shown != *text {
                return Err(format!(
                    "`{class}` paragraph {number} shows {shown:?}, not {text:?}"
                ));
            }
            side.push(quote_numbers(inner)?);
        }
        numbers.push(side);
    }
    // Each quotation `find_pairs_aligned` finds, with the page's alignment, is one `<q>` with
    // its number, and no other is.
    let alignments = paralelo::internals::align_paragraphs(source, "es", target, "en");
    let (s, t) = paralelo::internals::quotes::find_pairs_aligned(source, target, &alignments);
    if numbers[0] != span_numbers(&s) || numbers[1] != span_numbers(&t) {
        return Err(format!(
            "the page's quotations {numbers:?} are not those of find_pairs_aligned: {:?}, {:?}",
            span_numbers(&s),
            span_numbers(&t)
        ));
    }
    check_quote_numbering_in_groups(
        &numbers[0],
        &numbers[1],
        &span_groups(&s, &alignments, false),
        &span_groups(&t, &alignments, true),
    )
}

// ---------------------------------------------------------------------------------------------
// Fuzz target bodies: each panics when an invariant breaks.

fn options() -> paralelo::BuildOptions {
    paralelo::BuildOptions::default()
}

/// `parse_seed` (Spanish and English, raw and normalized text) returns, and what it returns
/// keeps every line.
pub fn seed_parser(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let tz = options().time_zone;
    let normalized = paralelo::internals::seed::normalize(text);
    for lang in ["es", "en"] {
        for text in [text, normalized.as_str()] {
            let path = std::path::Path::new("seed.txt");
            match paralelo::internals::seed::parse_seed(path, "seed", lang, tz, text) {
                Ok(seed) => {
                    assert!(
                        !seed.text.paragraphs.is_empty(),
                        "a seed without paragraphs"
                    );
                    assert_eq!(seed.published.is_some(), seed.text.dateline.is_some());
                    if let Err(e) = check_wire(text, 1, &seed.text) {
                        panic!("{e}");
                    }
                }
                Err(e) => assert!(e.to_string().starts_with("seed.txt"), "{e}"),
            }
            let wire = paralelo::internals::seed::parse_wire(text, lang, 7);
            if let Err(e) = check_wire(text, 7, &wire) {
                panic!("{e}");
            }
        }
    }
}

/// `find_pairs` on the paragraphs (split on blank lines) of the input's two halves, and on the
/// first half against itself.
pub fn quotes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let paragraphs: Vec<&str> = text.split("\n\n").collect();
    let (source, target) = paragraphs.split_at(paragraphs.len().div_ceil(2));
    let (s, t) = paralelo::internals::quotes::find_pairs(source, target);
    let checks = check_quote_spans(source, &s)
        .and_then(|()| check_quote_spans(target, &t))
        .and_then(|()| check_quote_numbering(&span_numbers(&s), &span_numbers(&t)));
    if let Err(e) = checks {
        panic!("{e}");
    }
    // The original's side does not depend on the translation, and a translation identical to
    // the original has the same quotations with the same numbers.
    let (alone, twin) = paralelo::internals::quotes::find_pairs(source, source);
    assert_eq!(
        alone, s,
        "the original's quotations depend on the translation"
    );
    assert_eq!(twin.spans, s.spans, "identical texts, different quotations");
}

/// `sentences::split` tiles any text, in Spanish, English and a language it has no list for.
pub fn sentences(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for lang in ["es", "en", "fr"] {
        let ranges = paralelo::internals::sentences::split(text, lang);
        if let Err(e) = check_tiling(text, &ranges) {
            panic!("{lang}: {e} in {text:?}");
        }
    }
}

/// `render_from_text` on a seed and a translation with as many paragraphs. Input: the seed's
/// text, then optionally a NUL and text whose paragraphs become the translation's (repeated or
/// cut to the seed's count); without a NUL the translation repeats the seed's paragraphs, so that
/// every quotation has its twin. A seed that parses must render, and the page must pass
/// `check_page`; a seed that does not parse must give an error, not a panic.
pub fn seed_to_html(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (seed_text, other) = match text.split_once('\0') {
        Some((seed, other)) => (seed, Some(paralelo::internals::seed::normalize(other))),
        None => (text, None),
    };
    let options = options();
    let normalized = paralelo::internals::seed::normalize(seed_text);
    let seed = paralelo::internals::seed::parse_seed(
        std::path::Path::new("seed.txt"),
        "seed",
        "es",
        options.time_zone,
        &normalized,
    );
    let source: Vec<String> = match &seed {
        Ok(seed) => seed
            .text
            .paragraphs
            .iter()
            .map(|p| p.text.clone())
            .collect(),
        Err(_) => Vec::new(),
    };
    let source: Vec<&str> = source.iter().map(String::as_str).collect();
    let target: Vec<String> = match &other {
        Some(other) => {
            // Control characters the build refuses (with a message) are left out: this target
            // is about what a translation the build accepts becomes.
            let accepted: String = other
                .chars()
                .filter(|&c| !c.is_control() || matches!(c, '\t' | '\n' | '\u{c}'))
                .collect();
            let given = paralelo::internals::seed::parse_wire(&accepted, "en", 1).paragraphs;
            (0..source.len())
                .map(|k| match given.get(k) {
                    Some(p) => p.text.clone(),
                    None => format!("Paragraph {}.", k + 1),
                })
                .collect()
        }
        None => source.iter().map(|p| p.to_string()).collect(),
    };
    let target: Vec<&str> = target.iter().map(String::as_str).collect();
    let page = paralelo::render_from_text(seed_text, &translation_of(&target), &options);
    match (seed, page) {
        (Ok(_), Ok(page)) => {
            if let Err(e) = check_page(&page, &source, &target) {
                panic!("{e}\n--- page:\n{page}");
            }
            if other.is_none() {
                // Twins: every quotation has the same number on both sides.
                let found = |class| -> Vec<Vec<usize>> {
                    page_paragraphs(&page, class)
                        .unwrap()
                        .iter()
                        .map(|(_, inner)| quote_numbers(inner).unwrap())
                        .collect()
                };
                assert_eq!(found("src"), found("tgt"), "twins numbered differently");
            }
        }
        (Ok(_), Err(e)) => panic!("the seed parses but does not render: {e}"),
        (Err(_), Ok(_)) => panic!("a seed that does not parse rendered"),
        (Err(_), Err(_)) => {}
    }
}
