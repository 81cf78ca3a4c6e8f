//! Finds the direct quotations of each paragraph and numbers them, so that a quotation and its
//! translation share a number.
//!
//! Only outermost quotations are numbered; quotes nested in them (`“…”`, `‘…’` inside `«…»`) only
//! decide where the outer one ends. A quotation may run on into the next paragraph when that
//! paragraph opens with `»` (the Spanish convention) or with the same opening mark (the English
//! one); otherwise an unclosed mark is dropped at the paragraph's end, with a warning, so that it
//! never swallows the rest of the article.

use std::ops::Range;

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
/// of the original.
pub fn find_pairs(source: &[&str], target: &[&str]) -> (SideQuotes, SideQuotes) {
    let source_scan = scan(source);
    let target_scan = scan(target);
    let mut next = 0;
    let source_quotes = number(&source_scan, |_, _| {
        next += 1;
        next
    });
    let source_numbers: Vec<Vec<usize>> = source_quotes
        .spans
        .iter()
        .zip(&source_scan.pieces)
        .map(|(spans, pieces)| starts(spans, pieces))
        .collect();
    let mut target_problems = Vec::new();
    let target_quotes = number(&target_scan, |paragraph, index| {
        match source_numbers.get(paragraph).and_then(|n| n.get(index)) {
            Some(&twin) => twin,
            None => {
                next += 1;
                next
            }
        }
    });
    for (paragraph, pieces) in target_scan.pieces.iter().enumerate() {
        let new_in_target = pieces.iter().filter(|p| !p.continued).count();
        let new_in_source = source_numbers.get(paragraph).map_or(0, Vec::len);
        if new_in_target != new_in_source {
            target_problems.push(QuoteProblem {
                paragraph: paragraph + 1,
                message: format!(
                    "{new_in_target} quotations here but {new_in_source} in the original; twins are paired in order"
                ),
            });
        }
    }
    let mut target_quotes = target_quotes;
    target_quotes.problems.extend(target_problems);
    (source_quotes, target_quotes)
}

/// The numbers of the quotations that start (rather than continue) in a paragraph.
fn starts(spans: &[QuoteSpan], pieces: &[Piece]) -> Vec<usize> {
    spans
        .iter()
        .zip(pieces)
        .filter(|(_, piece)| !piece.continued)
        .map(|(span, _)| span.number)
        .collect()
}

/// Numbers the scanned pieces: a piece that continues the previous paragraph's quotation takes
/// its number, any other asks `new_number(paragraph, index among new quotations)`.
fn number(scan: &Scan, mut new_number: impl FnMut(usize, usize) -> usize) -> SideQuotes {
    let mut last = 0;
    let spans = scan
        .pieces
        .iter()
        .enumerate()
        .map(|(paragraph, pieces)| {
            let mut fresh = 0;
            pieces
                .iter()
                .map(|piece| {
                    if !piece.continued {
                        last = new_number(paragraph, fresh);
                        fresh += 1;
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

/// A quotation mark, by the pair it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Guillemet,
    Curly,
    CurlySingle,
    Straight,
    StraightSingle,
}

impl Mark {
    fn opening(self) -> char {
        match self {
            Mark::Guillemet => '«',
            Mark::Curly => '“',
            Mark::CurlySingle => '‘',
            Mark::Straight => '"',
            Mark::StraightSingle => '\'',
        }
    }
}

/// What a character does at its place.
enum Role {
    Open(Mark),
    Close(Mark),
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

fn scan(paragraphs: &[&str]) -> Scan {
    let mut scan = Scan::default();
    // Marks still open at the end of the previous paragraph, outermost first.
    let mut carried: Vec<Mark> = Vec::new();
    // The paragraph where the carried quotation opened.
    let mut opened_in = 0;
    for (index, text) in paragraphs.iter().enumerate() {
        let mut pieces = Vec::new();
        let mut stack: Vec<Mark> = Vec::new();
        let mut outer_start = 0;
        let mut skip_first = false;
        let mut continued = false;
        if let Some(&outer) = carried.first() {
            let first = text.chars().next();
            if first == Some('»') || first == Some(outer.opening()) {
                stack = carried.clone();
                skip_first = true;
                continued = true;
            } else {
                drop_unclosed(&mut scan, opened_in, index, outer);
            }
        }
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        for (k, &(at, c)) in chars.iter().enumerate() {
            if skip_first && k == 0 {
                continue;
            }
            let prev = k.checked_sub(1).map(|p| chars[p].1);
            let next = chars.get(k + 1).map(|&(_, n)| n);
            match role(c, prev, next, &stack) {
                Role::Open(mark) => {
                    if stack.is_empty() {
                        outer_start = at;
                    }
                    stack.push(mark);
                }
                Role::Close(mark) => {
                    while let Some(open) = stack.pop() {
                        if open == mark {
                            break;
                        }
                        if !matches!(open, Mark::CurlySingle | Mark::StraightSingle) {
                            scan.problems.push(QuoteProblem {
                                paragraph: index + 1,
                                message: format!(
                                    "`{}` is closed by `{c}` before its own closing mark",
                                    open.opening()
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
fn drop_unclosed(scan: &mut Scan, opened: usize, end: usize, outer: Mark) {
    for pieces in &mut scan.pieces[opened..end] {
        pieces.pop();
    }
    scan.problems.push(unclosed(opened, outer));
}

fn unclosed(paragraph: usize, outer: Mark) -> QuoteProblem {
    QuoteProblem {
        paragraph: paragraph + 1,
        message: format!(
            "`{}` is never closed; the quotation is not highlighted (a quotation that runs on opens the next paragraph with `»`)",
            outer.opening()
        ),
    }
}

fn role(c: char, prev: Option<char>, next: Option<char>, stack: &[Mark]) -> Role {
    let open_has = |mark| stack.contains(&mark);
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let space_or_edge = |c: Option<char>| c.is_none_or(char::is_whitespace);
    let opens_after =
        |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || "([{—–-«“‘\"'¿¡/".contains(c));
    match c {
        '«' => Role::Open(Mark::Guillemet),
        '»' if open_has(Mark::Guillemet) => Role::Close(Mark::Guillemet),
        '»' => Role::Stray,
        '“' => Role::Open(Mark::Curly),
        '”' if open_has(Mark::Curly) => Role::Close(Mark::Curly),
        '”' => Role::Stray,
        '"' if open_has(Mark::Straight) => Role::Close(Mark::Straight),
        '"' if space_or_edge(next) => Role::Stray,
        '"' => Role::Open(Mark::Straight),
        '‘' => Role::Open(Mark::CurlySingle),
        '’' | '\'' => {
            let mark = if c == '’' {
                Mark::CurlySingle
            } else {
                Mark::StraightSingle
            };
            // O’Donnell, don’t: an apostrophe inside a word.
            if word(prev) && word(next) {
                Role::Text
            } else if open_has(mark) && !space_or_edge(prev) {
                Role::Close(mark)
            } else if c == '\'' && opens_after(prev) && !space_or_edge(next) {
                Role::Open(mark)
            } else {
                // the students’ books, ’90s: apostrophes too.
                Role::Text
            }
        }
        _ => Role::Text,
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
    fn shipped_seed_has_eight_quotations_on_each_side() {
        let seed = include_str!("../seeds/000_df1e1d8b34815c19.txt");
        let translation = include_str!("../seeds/000_df1e1d8b34815c19.en.txt");
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
