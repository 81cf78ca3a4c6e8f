//! Finds the direct quotations of each paragraph and numbers them, so that a quotation and its
//! translation share a number.
//!
//! Marks are read by the model of [`crate::lang::marks`]: `«…»`, `“…”`, `‘…’`, `"…"`, `'…'`,
//! `„…“`, `‚…‘`, `‹…›` and their variants. Only outermost quotations are numbered; quotes nested
//! in them (`“…”`, `‘…’` inside `«…»`) only decide where the outer one ends. A quotation may run on
//! into the next paragraph when that paragraph opens with `»` (the Spanish convention) or with the
//! same opening mark (the English and German one); otherwise an unclosed mark is dropped at the
//! paragraph's end, with a warning, so that it never swallows the rest of the article.

use std::ops::Range;
use std::sync::LazyLock;

use crate::lang::marks::{self, Quote};
use crate::text::align::ParagraphAlignment;

/// A quotation (or the part of one that lies in one paragraph), marks included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteSpan {
    /// Byte range in the paragraph's text.
    pub range: Range<usize>,
    /// Shared with the quotation's twin in the other language; 1, 2, … per article.
    pub number: usize,
}

/// Something about the marks that the author should look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteProblem {
    /// 1-based paragraph number.
    pub paragraph: usize,
    pub message: String,
}

/// The quotations of one side of an article, paragraph by paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SideQuotes {
    pub spans: Vec<Vec<QuoteSpan>>,
    pub problems: Vec<QuoteProblem>,
}

/// Finds the quotations on both sides and numbers them: the `i`-th quotation that starts in a
/// paragraph of the translation is the twin of the `i`-th one that starts in the same paragraph
/// of the original. [`find_pairs_aligned`] with no alignment.
pub fn find_pairs(source: &[&str], target: &[&str]) -> (SideQuotes, SideQuotes) {
    find_pairs_aligned(source, target, &[])
}

/// Finds the quotations on both sides and numbers them, twins within alignment groups: the
/// original's quotations are 1, 2, … in order; the `i`-th quotation that starts in an alignment
/// group of a translation paragraph (`alignments[k]`, the paragraph's sentences and which
/// translate which) is the twin of the `i`-th one that starts in the same group of the original.
/// A quotation without a twin there (one the translator added, or whose twin was dropped) takes
/// a number after the original's last one and shifts no other pair. A paragraph without an
/// alignment is one group.
pub fn find_pairs_aligned(
    source: &[&str],
    target: &[&str],
    alignments: &[ParagraphAlignment],
) -> (SideQuotes, SideQuotes) {
    let source_scan = scan(source);
    let target_scan = scan(target);
    let mut next = 0;
    let source_quotes = number(&source_scan, |_, _| {
        next += 1;
        next
    });
    let group = |k: usize, at: usize, target: bool| {
        alignments.get(k).and_then(|a| {
            if target {
                a.target_group(at)
            } else {
                a.source_group(at)
            }
        })
    };
    // The quotations that start in each paragraph of the original: (group, number).
    let source_starts: Vec<Vec<(Option<usize>, usize)>> = source_quotes
        .spans
        .iter()
        .zip(&source_scan.pieces)
        .enumerate()
        .map(|(k, (spans, pieces))| {
            spans
                .iter()
                .zip(pieces)
                .filter(|(_, piece)| !piece.continued)
                .map(|(span, _)| (group(k, span.range.start, false), span.number))
                .collect()
        })
        .collect();
    // A paragraph with as many quotations on both sides pairs them in order, whatever the
    // sentences' alignment says (twin texts split differently by two languages' rules); one
    // where the translator added or dropped one pairs them within alignment groups, so that
    // the difference shifts no other pair.
    let target_starts: Vec<usize> = target_scan
        .pieces
        .iter()
        .map(|pieces| pieces.iter().filter(|p| !p.continued).count())
        .collect();
    let in_order = |paragraph: usize| {
        source_starts.get(paragraph).map_or(0, Vec::len) == target_starts[paragraph]
    };
    let mut taken: Vec<(usize, Option<usize>)> = Vec::new();
    let target_quotes = number(&target_scan, |paragraph, piece| {
        let g = if in_order(paragraph) {
            None
        } else {
            group(paragraph, piece.range.start, true)
        };
        let before = taken.iter().filter(|&&key| key == (paragraph, g)).count();
        taken.push((paragraph, g));
        let twin = source_starts
            .get(paragraph)
            .into_iter()
            .flatten()
            .filter(|(source_group, _)| in_order(paragraph) || *source_group == g)
            .nth(before);
        match twin {
            Some(&(_, twin)) => twin,
            None => {
                next += 1;
                next
            }
        }
    });
    let mut target_problems = Vec::new();
    for (paragraph, pieces) in target_scan.pieces.iter().enumerate() {
        let new_in_target = pieces.iter().filter(|p| !p.continued).count();
        let new_in_source = source_starts.get(paragraph).map_or(0, Vec::len);
        if new_in_target != new_in_source {
            target_problems.push(QuoteProblem {
                paragraph: paragraph + 1,
                message: format!(
                    "{new_in_target} quotations here but {new_in_source} in the original; twins are paired in order within aligned sentences"
                ),
            });
        }
    }
    let mut target_quotes = target_quotes;
    target_quotes.problems.extend(target_problems);
    (source_quotes, target_quotes)
}

/// Numbers the scanned pieces: a piece that continues the previous paragraph's quotation takes
/// its number, any other asks `new_number(paragraph, piece)`.
fn number(scan: &Scan, mut new_number: impl FnMut(usize, &Piece) -> usize) -> SideQuotes {
    let mut last = 0;
    let spans = scan
        .pieces
        .iter()
        .enumerate()
        .map(|(paragraph, pieces)| {
            pieces
                .iter()
                .map(|piece| {
                    if !piece.continued {
                        last = new_number(paragraph, piece);
                    }
                    QuoteSpan {
                        range: piece.range.clone(),
                        number: last,
                    }
                })
                .collect()
        })
        .collect();
    SideQuotes {
        spans,
        problems: scan.problems.clone(),
    }
}

/// A quotation that is open: its kind, and the mark that opened it.
#[derive(Debug, Clone, Copy)]
struct Open {
    kind: Quote,
    mark: char,
}

/// What a character does at its place.
enum Role {
    Open(Quote),
    Close(Quote),
    /// A closing mark with nothing open: worth a warning.
    Stray,
    Text,
}

#[derive(Debug, Clone)]
struct Piece {
    range: Range<usize>,
    continued: bool,
}

#[derive(Debug, Default)]
struct Scan {
    pieces: Vec<Vec<Piece>>,
    problems: Vec<QuoteProblem>,
}

/// Whether a char whose UTF-8 starts with this byte may be a quotation mark: only those chars
/// need reading, which spares the scan the letters of the text (among them Spanish `á`, `ñ`).
static MARK_FIRST_BYTES: LazyLock<[bool; 256]> = LazyLock::new(|| {
    let mut first = [false; 256];
    for kind in Quote::ALL {
        for &mark in kind.openings().iter().chain(kind.closings()) {
            first[usize::from(mark.encode_utf8(&mut [0; 4]).as_bytes()[0])] = true;
        }
    }
    first
});

fn scan(paragraphs: &[&str]) -> Scan {
    let mark_first_bytes = &*MARK_FIRST_BYTES;
    let mut scan = Scan::default();
    // Marks still open at the end of the previous paragraph, outermost first.
    let mut carried: Vec<Open> = Vec::new();
    // The paragraph where the carried quotation opened.
    let mut opened_in = 0;
    for (index, text) in paragraphs.iter().enumerate() {
        let mut pieces = Vec::new();
        let mut stack: Vec<Open> = Vec::new();
        let mut outer_start = 0;
        let mut skip_first = false;
        let mut continued = false;
        if let Some(&outer) = carried.first() {
            let first = text.chars().next();
            if first == Some('»') || first == Some(outer.mark) {
                stack = carried.clone();
                skip_first = true;
                continued = true;
            } else {
                drop_unclosed(&mut scan, opened_in, index, outer);
            }
        }
        let mut from = 0;
        while let Some(offset) =
            (text.as_bytes()[from..].iter()).position(|&byte| mark_first_bytes[usize::from(byte)])
        {
            let at = from + offset;
            from = at + 1;
            if skip_first && at == 0 {
                continue;
            }
            // Such a byte starts a char: it is ASCII or a lead byte.
            let (before, rest) = text.split_at(at);
            let mut chars = rest.chars();
            let Some(c) = chars.next() else { break };
            match role(c, before.chars().next_back(), chars.next(), &stack) {
                Role::Open(kind) => {
                    if stack.is_empty() {
                        outer_start = at;
                    }
                    stack.push(Open { kind, mark: c });
                }
                Role::Close(kind) => {
                    while let Some(open) = stack.pop() {
                        if open.kind == kind {
                            break;
                        }
                        // A single quotation left open most likely never was one: its end was
                        // read as an apostrophe.
                        if !open.kind.closes_like_an_apostrophe() {
                            scan.problems.push(QuoteProblem {
                                paragraph: index + 1,
                                message: format!(
                                    "`{}` is closed by `{c}` before its own closing mark",
                                    open.mark
                                ),
                            });
                        }
                    }
                    if stack.is_empty() {
                        pieces.push(Piece {
                            range: outer_start..at + c.len_utf8(),
                            continued,
                        });
                        continued = false;
                    }
                }
                Role::Stray => scan.problems.push(QuoteProblem {
                    paragraph: index + 1,
                    message: format!("closing `{c}` with no opening mark before it"),
                }),
                Role::Text => {}
            }
        }
        // Inner single marks left open are most likely apostrophes; only the outer mark matters.
        stack.truncate(1);
        if let Some(&outer) = stack.first() {
            let opened = if continued { opened_in } else { index };
            if index + 1 == paragraphs.len() {
                drop_unclosed(&mut scan, opened, index, outer);
            } else {
                pieces.push(Piece {
                    range: outer_start..text.len(),
                    continued,
                });
                opened_in = opened;
            }
        }
        scan.pieces.push(pieces);
        carried = if index + 1 == paragraphs.len() {
            Vec::new()
        } else {
            stack
        };
    }
    scan
}

/// A quotation opened in paragraph `opened` is never closed: nothing of it is highlighted, in
/// any of the paragraphs before `end` that it ran on through.
fn drop_unclosed(scan: &mut Scan, opened: usize, end: usize, outer: Open) {
    for pieces in &mut scan.pieces[opened..end] {
        pieces.pop();
    }
    scan.problems.push(unclosed(opened, outer));
}

fn unclosed(paragraph: usize, outer: Open) -> QuoteProblem {
    QuoteProblem {
        paragraph: paragraph + 1,
        message: format!(
            "`{}` is never closed; the quotation is not highlighted (a quotation that runs on opens the next paragraph with `»`)",
            outer.mark
        ),
    }
}

/// What the mark `c` does between `prev` and `next`, with the quotations of `stack` open.
fn role(c: char, prev: Option<char>, next: Option<char>, stack: &[Open]) -> Role {
    if marks::role(c).is_none() {
        return Role::Text;
    }
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let space_or_edge = |c: Option<char>| c.is_none_or(char::is_whitespace);
    let opens_after = |c: Option<char>| {
        c.is_none_or(|c| {
            c.is_whitespace() || "([{—–-¿¡/".contains(c) || Quote::opened_by(c).is_some()
        })
    };
    let apostrophe = marks::may_be_apostrophe(c);
    // O’Donnell, don’t, isn't: an apostrophe inside a word.
    if apostrophe && word(prev) && word(next) {
        return Role::Text;
    }
    let opens = Quote::opened_by(c);
    if let Some(kind) = stack
        .iter()
        .rev()
        .map(|open| open.kind)
        .find(|kind| kind.is_closed_by(c))
    {
        // A mark that may be an apostrophe, or open another kind (`“` opens `“…”` and closes
        // `„…“`), closes only right after the quoted text.
        let either = apostrophe || opens.is_some_and(|other| other != kind);
        if !either || !space_or_edge(prev) {
            return Role::Close(kind);
        }
    }
    match opens {
        // the students’ books, ’90s: apostrophes too.
        None if apostrophe => Role::Text,
        None => Role::Stray,
        // Its own mark: `«`, `“`, `„` …
        Some(kind) if kind.nests() => Role::Open(kind),
        // `"` and `'` open a quotation only before a word, and `'` only after a space or an
        // opening bracket or mark, as the closing mark with nothing open could not.
        Some(_) if space_or_edge(next) && apostrophe => Role::Text,
        Some(_) if space_or_edge(next) => Role::Stray,
        // After a word and before punctuation (`…del mundo". Orgulloso…`) a straight mark closes,
        // as Spanish puts the full stop after the closing mark: with nothing open it is stray.
        Some(_) if word(prev) && next.is_some_and(|n| ".,;:".contains(n)) => Role::Stray,
        Some(_) if apostrophe && !opens_after(prev) => Role::Text,
        Some(kind) => Role::Open(kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quoted texts of one side, with their numbers.
    fn quoted<'a>(paragraphs: &[&'a str], side: &SideQuotes) -> Vec<(usize, &'a str)> {
        side.spans
            .iter()
            .zip(paragraphs)
            .flat_map(|(spans, text)| spans.iter().map(|s| (s.number, &text[s.range.clone()])))
            .collect()
    }

    fn one_side(paragraphs: &[&str]) -> SideQuotes {
        find_pairs(paragraphs, &[]).0
    }

    #[test]
    fn every_mark_style() {
        let p = [
            r#"Dijo "hola" y “adiós”, luego «basta» y 'fin'."#,
            "He said ‘hello’.",
        ];
        let side = one_side(&p);
        assert_eq!(
            quoted(&p, &side),
            [
                (1, "\"hola\""),
                (2, "“adiós”"),
                (3, "«basta»"),
                (4, "'fin'"),
                (5, "‘hello’")
            ]
        );
        assert!(side.problems.is_empty());
    }

    #[test]
    fn low_high_and_single_guillemet_marks() {
        let p = [
            "Er sagte „Hallo“ und ‚tschüss‘, dann ‹genug›.",
            "Powiedział „dość” i ‚koniec’.",
        ];
        let side = one_side(&p);
        assert_eq!(
            quoted(&p, &side),
            [
                (1, "„Hallo“"),
                (2, "‚tschüss‘"),
                (3, "‹genug›"),
                (4, "„dość”"),
                (5, "‚koniec’")
            ]
        );
        assert!(side.problems.is_empty());
        // A German translation pairs with a Spanish original as any other.
        let german = ["Er sagte „ja“ und „nein“."];
        let (_, t) = find_pairs(&["Dijo «sí» y «no»."], &german);
        assert_eq!(quoted(&german, &t), [(1, "„ja“"), (2, "„nein“")]);
        assert!(t.problems.is_empty());
    }

    #[test]
    fn low_high_quotes_nest_like_the_others() {
        let p = ["„Das Motto ‚nie wieder‘ lebt“, sagte sie, und „er rief “Halt” laut“."];
        let side = one_side(&p);
        assert_eq!(
            quoted(&p, &side),
            [
                (1, "„Das Motto ‚nie wieder‘ lebt“"),
                (2, "„er rief “Halt” laut“")
            ]
        );
        assert!(side.problems.is_empty());
        let p = ["Dijo «el lema ‹nunca más› sigue» y ‚Rock’n’roll’ lebt."];
        let side = one_side(&p);
        assert_eq!(
            quoted(&p, &side),
            [(1, "«el lema ‹nunca más› sigue»"), (2, "‚Rock’n’roll’")]
        );
        assert!(side.problems.is_empty());
    }

    #[test]
    fn german_run_on_reopens_the_low_mark() {
        let p = ["Er sagte: „Erster Teil.", "„Zweiter Teil“, fuhr er fort."];
        let side = one_side(&p);
        assert_eq!(
            quoted(&p, &side),
            [(1, "„Erster Teil."), (1, "„Zweiter Teil“")]
        );
        assert!(side.problems.is_empty());
    }

    #[test]
    fn low_and_single_guillemet_problems_name_their_marks() {
        let side = one_side(&["Er sagte „nie.", "Dann › allein."]);
        assert!(side.spans.iter().all(Vec::is_empty));
        let messages: Vec<(usize, &str)> = side
            .problems
            .iter()
            .map(|p| (p.paragraph, p.message.as_str()))
            .collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert_eq!(messages[0].0, 1);
        assert!(messages[0].1.starts_with("`„` is never closed"));
        assert_eq!(
            messages[1],
            (2, "closing `›` with no opening mark before it")
        );
        let side = one_side(&["«uno „dos» tres."]);
        assert_eq!(
            side.problems[0].message,
            "`„` is closed by `»` before its own closing mark"
        );
    }

    #[test]
    fn nested_quotes_belong_to_the_outer_one() {
        let p = ["Afirmó: «el lema “nunca más” sigue vivo» y «‘ya’ es tarde»."];
        let side = one_side(&p);
        assert_eq!(
            quoted(&p, &side),
            [
                (1, "«el lema “nunca más” sigue vivo»"),
                (2, "«‘ya’ es tarde»")
            ]
        );
        let p = [r#"She said "the motto 'never again' lives" today."#];
        assert_eq!(
            quoted(&p, &one_side(&p)),
            [(1, r#""the motto 'never again' lives""#)]
        );
    }

    #[test]
    fn apostrophes_are_not_quotes() {
        let p = ["O’Donnell said the students’ ‘plan’ won’t work in the ’90s style."];
        let side = one_side(&p);
        assert_eq!(quoted(&p, &side), [(1, "‘plan’")]);
        assert!(side.problems.is_empty());
        let p = ["Rock and roll isn't 'dead', O'Neill said."];
        assert_eq!(quoted(&p, &one_side(&p)), [(1, "'dead'")]);
    }

    #[test]
    fn quotation_runs_on_with_guillemet() {
        let p = [
            "Dijo: «Primera parte del discurso.",
            "»Segunda parte» y siguió.",
            "Otro «dato».",
        ];
        let side = one_side(&p);
        assert_eq!(
            quoted(&p, &side),
            [
                (1, "«Primera parte del discurso."),
                (1, "»Segunda parte»"),
                (2, "«dato»")
            ]
        );
        assert!(side.problems.is_empty());
    }

    #[test]
    fn english_run_on_reopens_the_mark() {
        let p = ["He said: “First part.", "“Second part,” he added."];
        let side = one_side(&p);
        assert_eq!(
            quoted(&p, &side),
            [(1, "“First part."), (1, "“Second part,”")]
        );
    }

    #[test]
    fn unbalanced_mark_stays_in_its_paragraph() {
        let p = [
            "Dijo «esto no se cierra nunca.",
            "Aquí hay «otra» cita.",
            r#"Y un "resto sin cierre"#,
        ];
        let side = one_side(&p);
        assert_eq!(quoted(&p, &side), [(1, "«otra»")]);
        let where_: Vec<usize> = side.problems.iter().map(|p| p.paragraph).collect();
        assert_eq!(where_, [1, 3]);
        assert!(side.problems[0].message.contains("never closed"));
    }

    #[test]
    fn stray_closing_mark_is_reported() {
        let side = one_side(&["Texto» suelto y ” otro."]);
        assert_eq!(side.problems.len(), 2);
        assert!(side.spans[0].is_empty());
    }

    #[test]
    fn twins_share_numbers_per_paragraph() {
        let source = [r#"Dijo "uno" y "dos"."#, "Sin citas.", r#"Luego "tres"."#];
        // The translation drops one quotation in paragraph 1; paragraph 3 still pairs.
        let target = ["He said “one” and two.", "No quotes.", "Then “three.”"];
        let (s, t) = find_pairs(&source, &target);
        assert_eq!(
            quoted(&source, &s),
            [(1, "\"uno\""), (2, "\"dos\""), (3, "\"tres\"")]
        );
        assert_eq!(quoted(&target, &t), [(1, "“one”"), (3, "“three.”")]);
        assert_eq!(t.problems.len(), 1);
        assert_eq!(t.problems[0].paragraph, 1);
    }

    #[test]
    fn twins_pair_within_alignment_groups() {
        use crate::text::align::{Link, ParagraphAlignment};
        let source = [r#"Dijo "uno". Luego "dos". Y "tres"."#];
        // The translation turns the first quotation into reported speech.
        let target = ["He said one. Then “two.” And “three.”"];
        let sentences = |text: &str| -> Vec<Range<usize>> {
            let mut ranges = Vec::new();
            let mut start = 0;
            for (at, _) in text.match_indices(". ").chain(text.match_indices(".” ")) {
                ranges.push(start..at + 2);
                start = at + 2;
            }
            ranges.sort_by_key(|r| r.start);
            ranges.push(start..text.len());
            ranges
        };
        let alignment = ParagraphAlignment {
            source: sentences(source[0]),
            target: sentences(target[0]),
            links: (0..3)
                .map(|i| Link {
                    source: i..i + 1,
                    target: i..i + 1,
                })
                .collect(),
        };
        assert_eq!(alignment.target.len(), 3, "{alignment:?}");
        let (s, t) = find_pairs_aligned(&source, &target, &[alignment]);
        assert_eq!(
            quoted(&source, &s),
            [(1, "\"uno\""), (2, "\"dos\""), (3, "\"tres\"")]
        );
        assert_eq!(quoted(&target, &t), [(2, "“two.”"), (3, "“three.”")]);
        // By order alone, every later twin would be one off.
        let (_, by_order) = find_pairs(&source, &target);
        assert_eq!(quoted(&target, &by_order), [(1, "“two.”"), (2, "“three.”")]);
    }

    #[test]
    fn straight_marks_before_punctuation_never_open_and_curly_ones_close_them() {
        let p = [r#"Es el mejor del mundo". Orgulloso, dijo "sí" y se fue."#];
        let side = one_side(&p);
        assert_eq!(quoted(&p, &side), [(1, "\"sí\"")]);
        let p = ["\"Gracias al apoyo de todos”, dijo la ministra."];
        let side = one_side(&p);
        assert_eq!(quoted(&p, &side), [(1, "\"Gracias al apoyo de todos”")]);
        assert!(side.problems.is_empty(), "{:?}", side.problems);
    }

    #[test]
    fn shipped_seed_has_eight_quotations_on_each_side() {
        let seed = include_str!("../../seeds/000_df1e1d8b34815c19.txt");
        let translation = include_str!("../../seeds/000_df1e1d8b34815c19.en.txt");
        let body = |text: &'static str| -> Vec<&'static str> {
            text.split("\n\n")
                .skip(1)
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect()
        };
        let (source, target) = (body(seed), body(translation));
        assert_eq!((source.len(), target.len()), (7, 7));
        let (s, t) = find_pairs(&source, &target);
        let numbers =
            |q: &SideQuotes| -> Vec<usize> { q.spans.iter().flatten().map(|s| s.number).collect() };
        assert_eq!(numbers(&s), (1..=8).collect::<Vec<_>>());
        assert_eq!(numbers(&t), (1..=8).collect::<Vec<_>>());
        assert!(
            s.problems.is_empty() && t.problems.is_empty(),
            "{s:?} {t:?}"
        );
    }

    #[test]
    fn an_unclosed_run_on_quotation_is_dropped_everywhere() {
        for p in [
            &["Dijo «uno", "»dos", "Tres."][..],
            &["Dijo «uno", "»dos"][..],
            &["Dijo «uno", "»dos", "»tres", "Cuatro «cinco»."][..],
        ] {
            let side = one_side(p);
            let quoted = quoted(p, &side);
            assert!(quoted.iter().all(|(_, q)| *q == "«cinco»"), "{quoted:?}");
            assert_eq!(side.problems.len(), 1, "{:?}", side.problems);
            assert_eq!(side.problems[0].paragraph, 1);
        }
    }
}
