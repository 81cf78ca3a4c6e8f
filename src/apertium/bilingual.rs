//! lt-proc's bilingual look-up (`lt-proc -b`, lttoolbox 3.7), in-process.
//!
//! A lexical form (`abordar<vblex><pp><m><sg>`) is read character by character and tag by tag
//! through the bilingual transducer; the longest match gives every target, tags that follow it are
//! copied to each target, a form without a match is `@form`, an unknown word `*word` stays as it
//! is.

use super::analyse::{States, is_reserved, is_space};
use super::transducer::Transducer;

/// One symbol of a lexical form: a character, a tag the dictionary knows, or an unknown tag.
enum Symbol<'a> {
    Char(char),
    Tag(i32, &'a str),
    UnknownTag(&'a str),
}

/// Splits a lexical form as it comes in the stream (escapes resolved, `<…>` tags whole).
fn symbols<'a>(fst: &Transducer, form: &'a str) -> Vec<Symbol<'a>> {
    let mut out = Vec::new();
    let mut rest = form;
    while let Some(c) = rest.chars().next() {
        match c {
            '\\' => {
                let mut chars = rest[1..].chars();
                if let Some(escaped) = chars.next() {
                    out.push(Symbol::Char(escaped));
                }
                rest = chars.as_str();
            }
            '<' => {
                let end = rest.find('>').map_or(rest.len(), |e| e + 1);
                let tag = &rest[..end];
                out.push(match fst.tag_symbol(tag) {
                    Some(symbol) => Symbol::Tag(symbol, tag),
                    None => Symbol::UnknownTag(tag),
                });
                rest = &rest[end..];
            }
            c => {
                out.push(Symbol::Char(c));
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// Writes `^form/target…$` for one lexical form (escaped, as the analyser writes it), as
/// `lt-proc -b` writes it for `^form$`.
pub(crate) fn look_up(fst: &Transducer, form: &str, out: &mut String) {
    let mut states = States::new(fst);
    states.restart();
    // The form as lt-proc re-writes it, the targets found, the tags after the match.
    let mut source = String::new();
    let mut result = String::new();
    let mut queue = String::new();
    let mut seen_tags = false;
    let mut unknown = false;
    for symbol in symbols(fst, form) {
        let (value, text): (i32, &str) = match &symbol {
            Symbol::Char(c) => (*c as i32, ""),
            Symbol::Tag(v, t) => (*v, t),
            Symbol::UnknownTag(t) => (0, t),
        };
        if let Symbol::Char(c) = symbol {
            if source.is_empty() && is_space(c) {
                continue;
            }
            if is_reserved(c) {
                source.push('\\');
            }
            source.push(c);
            if source.starts_with('*') {
                unknown = true;
            }
        } else {
            source.push_str(text);
        }
        if unknown {
            continue;
        }
        if value <= 0 {
            seen_tags = true;
        }
        if !states.is_empty() {
            states.step(value);
        }
        if states.is_final(0x0f) {
            queue.clear();
            let (uppercase, first_upper) = case_of(&source);
            result = states.analyses(uppercase, first_upper);
        } else if !result.is_empty() {
            match symbol {
                Symbol::Tag(_, t) | Symbol::UnknownTag(t) => queue.push_str(t),
                Symbol::Char(_) if states.is_empty() => result.clear(),
                Symbol::Char(_) => {}
            }
        }
    }
    if !seen_tags && !unknown {
        let (uppercase, first_upper) = case_of(&source);
        result = states.analyses(uppercase, first_upper);
    }
    out.push('^');
    out.push_str(&source);
    if unknown {
        out.push('/');
        out.push_str(&source);
    } else if !result.is_empty() {
        compose(&result, &queue, out);
    } else {
        out.push_str("/@");
        out.push_str(&source);
    }
    out.push('$');
}

/// lt-proc's case of a form, from the first two characters of the form as re-written: all
/// capitals when the second is upper case, a capital first letter when the first is.
fn case_of(source: &str) -> (bool, bool) {
    let mut chars = source.chars();
    let first = chars.next().is_some_and(char::is_uppercase);
    let second = chars.next().is_some_and(char::is_uppercase);
    (second, first)
}

/// The targets `/a/b`, each followed by the queued tags.
fn compose(targets: &str, queue: &str, out: &mut String) {
    out.push('/');
    let mut chars = targets[1..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push('\\');
                out.extend(chars.next());
            }
            '/' => {
                out.push_str(queue);
                out.push('/');
            }
            c => out.push(c),
        }
    }
    out.push_str(queue);
}
