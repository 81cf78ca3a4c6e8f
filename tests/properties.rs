//! Property tests of paralelo's stages, and the fuzz targets' bodies run over their seed corpora.
//!
//! The helpers (HTML tokenizer, tag balance, text content, the invariant checks) live in
//! `fuzz/src/lib.rs`, shared with the cargo-fuzz targets; see `fuzz/README.md`.

#[path = "../fuzz/src/lib.rs"]
mod checks;

use std::path::Path;

use paralelo::internals::markdown::{self, FrontMatter, Mark, MarkKind};
use paralelo::internals::{quotes, seed, sentences};
use paralelo::{BuildOptions, render_from_text};
use proptest::prelude::*;

use checks::{
    check_page, check_quote_numbering, check_quote_numbering_in_groups, check_quote_spans,
    check_tag_balance, check_tiling, check_wire, decode_entities, page_paragraphs, quote_numbers,
    span_numbers, text_content, tokenize, translation_of,
};

// ---------------------------------------------------------------------------------------------
// Strategies

/// Pieces of news prose, heavy in what the parsers look at: quotation marks of every style,
/// apostrophes, sentence ends, abbreviations, and Markdown, HTML and template syntax.
fn word() -> impl Strategy<Value = String> {
    #[rustfmt::skip]
    const PIECES: &[&str] = &[
        "«", "»", "“", "”", "‘", "’", "\"", "'", "O’Donnell", "isn't", "los ’90", "students’",
        "Sr.", "EE.UU.", "EE. UU.", "p. ej.", "No. 5", "...", "…", "¿", "?", "¡", "!", ".", ",",
        ":", "—", "(", ")", "<script>", "</p>", "*x*", "_y_", "`z`", "&amp;", "&", "\\", "{{ x }}",
        "{% raw %}", "[a](javascript:x)", "# x", "1. x", "2)", "- x", "+", "=", ">", "|", "~~",
        "<!--", "&#10;",
    ];
    const MARKS: &[&str] = &["«", "»", "“", "”", "‘", "’", "\"", "'"];
    prop_oneof![
        4 => "[a-zA-ZáéíóúñÁÉÑ]{1,8}",
        1 => "[0-9]{1,4}",
        3 => prop::sample::select(PIECES).prop_map(String::from),
        2 => prop::sample::select(MARKS).prop_map(String::from),
    ]
}

/// A paragraph as `parse_wire` makes them: trimmed, non-empty, one line.
fn paragraph() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            word(),
            prop::sample::select(&[" ", " ", "", "  ", "\t"][..]),
        ),
        1..14,
    )
    .prop_map(|parts| {
        let text: String = parts.into_iter().map(|(w, s)| w + s).collect();
        text.trim().to_string()
    })
    .prop_filter("a paragraph has text", |p| !p.is_empty())
}

fn paragraphs(max: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(paragraph(), 1..=max)
}

/// A seed: maybe a caption and dateline, then the paragraphs, some broken over several lines.
fn seed_text() -> impl Strategy<Value = String> {
    (
        prop::option::of(paragraph()),
        paragraphs(4),
        prop::sample::select(&["\n\n", "\n\n\n", "\r\n\r\n", "\n  \n"][..]),
        prop::collection::vec(any::<bool>(), 4),
    )
        .prop_map(|(caption, paragraphs, gap, broken)| {
            let header = caption.map_or(String::new(), |c| {
                format!("{c} - Agencia\nPublicado: miércoles, 5 noviembre 2025 13:34{gap}")
            });
            let paragraphs: Vec<String> = paragraphs
                .iter()
                .zip(broken)
                .map(|(p, broken)| {
                    if broken {
                        p.replacen(' ', "\n", 1)
                    } else {
                        p.clone()
                    }
                })
                .collect();
            header + &paragraphs.join(gap)
        })
}

/// Text for the Markdown round trip: arbitrary strings, and strings of syntax and white space.
fn markdown_text() -> impl Strategy<Value = String> {
    #[rustfmt::skip]
    const SYNTAX: &[&str] = &[
        "<script>alert(1)</script>", "*x*", "**b**", "_y_", "# x", "1. x", "2) y", "- z", "+ w",
        "> q", "---", "===", "[a](javascript:x)", "![i](x.png)", "<http://x.y>", "{{ x }}",
        "{% if %}", "&amp;", "&lt;", "&#0;", "&", "\\", "\\*", "`", "~~", "|", "!", "#", " ", "  ",
        "    ", "\t", "\n", "\r\n", "\r", "\u{a0}", "\u{3000}", "\u{2028}", "\u{b}", "\u{c}", "a",
        "ñ", "1",
    ];
    prop_oneof![
        any::<String>(),
        prop::collection::vec(prop::sample::select(SYNTAX), 1..12).prop_map(|p| p.concat()),
    ]
    .prop_filter("Markdown has no empty paragraph", |s| !s.is_empty())
}

fn front(title: &str) -> FrontMatter<'_> {
    FrontMatter {
        title,
        lang: "es",
        date: None,
        caption: Some(title),
        credit: None,
        source: "seeds/x.txt",
        machine_translation: None,
    }
}

fn options() -> BuildOptions {
    BuildOptions::default()
}

/// The text of a paragraph pair on a page: the numbers of each side's quotations, per paragraph.
fn page_quote_numbers(page: &str, class: &str) -> Vec<Vec<usize>> {
    page_paragraphs(page, class)
        .unwrap()
        .iter()
        .map(|(_, inner)| quote_numbers(inner).unwrap())
        .collect()
}

/// The title and caption of an emitted document's front matter, read as a static site generator
/// reads it (TOML between the first two `+++` lines), and where its body starts.
fn read_front_matter(text: &str) -> (String, usize) {
    let rest = text
        .strip_prefix("+++\n")
        .expect("front matter opens the document");
    let end = rest.find("\n+++\n").expect("front matter is closed") + 1;
    let table: toml::Table = toml::from_str(&rest[..end])
        .unwrap_or_else(|e| panic!("front matter is not TOML: {e}\n{}", &rest[..end]));
    let title = table["title"].as_str().unwrap().to_string();
    if let Some(caption) = table.get("caption") {
        assert_eq!(caption.as_str(), Some(title.as_str()));
    }
    // `+++`, a line end, then a blank line.
    (title, 4 + end + 4 + 1)
}

/// Emits `paragraphs` as Markdown and renders them back with `marks`.
fn emit_and_render(paragraphs: &[&str], marks: &[Vec<Mark>]) -> Vec<String> {
    let doc = markdown::emit(&front("t"), paragraphs).unwrap();
    markdown::render(doc.body(), paragraphs, marks)
        .unwrap_or_else(|e| panic!("{e}: {paragraphs:?}\n{}", doc.body()))
}

// ---------------------------------------------------------------------------------------------
// The helpers themselves: each must be able to say no.

#[test]
fn helpers_reject_what_they_should() {
    assert!(check_tag_balance("<p><q>a</q></p><br><meta charset=\"utf-8\">").is_ok());
    assert!(
        check_tag_balance("<!DOCTYPE html><html><!-- x --><script src=\"a\"></script></html>")
            .is_ok()
    );
    for bad in [
        "<p><q>a</p></q>",
        "<p>a",
        "a</span>",
        "<br></br>",
        "<div/>",
        "<p>a < b</p>",
        "<p><div>x</div></p>",
        "<a href=\"javascript:x\">a</a>",
        "<img src=x onerror=alert(1)>",
        "<p class=\"a>b</p>",
        "<p class=\"a\"title=\"b\">c</p>",
    ] {
        assert!(check_tag_balance(bad).is_err(), "{bad}");
    }
    assert_eq!(
        decode_entities("a &amp; &lt;b&gt; &quot;&#39;&#x41;&#10;").unwrap(),
        "a & <b> \"'A\n"
    );
    assert!(decode_entities("a & b").is_err());
    assert_eq!(
        text_content("<q data-quote=\"1\">&laquo</q>").unwrap_err(),
        "bare `&` before \"laquo\""
    );
    assert_eq!(
        quote_numbers("<q class=\"quote\" data-quote=\"3\">«a»</q> <q data-quote=\"4\">b</q>"),
        Ok(vec![3, 4])
    );
    assert!(tokenize("<p>a <3</p>").is_err());
    assert!(check_tiling("ab", std::slice::from_ref(&(0..1))).is_err());
    assert!(check_tiling("ñ", &[0..1, 1..2]).is_err());
    assert!(check_tiling("ab", &[0..1, 1..1, 1..2]).is_err());
    // Numbering: twins share numbers, translation-only quotations come after the original's.
    assert!(check_quote_numbering(&[vec![1, 2], vec![2, 3]], &[vec![1], vec![3, 4]]).is_ok());
    assert!(check_quote_numbering(&[vec![1]], &[vec![2]]).is_err());
    assert!(check_quote_numbering(&[vec![2]], &[]).is_err());
    assert!(check_quote_numbering(&[vec![1], vec![]], &[vec![], vec![1]]).is_err());
    // Within alignment groups: a translation that drops the first quotation keeps the others'
    // twins; numbered by order it would not.
    let groups = [vec![Some(0), Some(1), Some(2)]];
    let dropped = [vec![Some(1), Some(2)]];
    assert!(
        check_quote_numbering_in_groups(&[vec![1, 2, 3]], &[vec![2, 3]], &groups, &dropped).is_ok()
    );
    assert!(
        check_quote_numbering_in_groups(&[vec![1, 2, 3]], &[vec![1, 2]], &groups, &dropped)
            .is_err()
    );
    // As many quotations on both sides: paired in order, whatever the groups say (two
    // languages may split twin texts differently).
    let (one, other) = ([vec![Some(0)]], [vec![Some(1)]]);
    assert!(check_quote_numbering_in_groups(&[vec![1]], &[vec![1]], &one, &other).is_ok());
    assert!(check_quote_numbering_in_groups(&[vec![1]], &[vec![2]], &one, &other).is_err());

    // Spans: out of bounds, overlapping, not starting at a mark, a continuation from mid-text.
    let span = |range, number| quotes::QuoteSpan { range, number };
    let side = |spans| quotes::SideQuotes {
        spans,
        problems: Vec::new(),
    };
    let text = ["a «b» «c»", "»d» e"];
    let good = side(vec![vec![span(2..7, 1), span(8..13, 2)], vec![]]);
    assert_eq!(check_quote_spans(&text, &good), Ok(()));
    let run_on = side(vec![vec![span(2..5, 1)], vec![span(0..5, 1)]]);
    assert_eq!(check_quote_spans(&["a «b", "»d» e"], &run_on), Ok(()));
    for spans in [
        vec![vec![span(2..30, 1)], vec![]],
        vec![vec![span(2..7, 1), span(5..13, 2)], vec![]],
        vec![vec![span(0..7, 1)], vec![]],
        vec![vec![span(2..7, 1)], vec![span(0..5, 1)]],
        vec![vec![span(2..7, 1)]],
    ] {
        assert!(
            check_quote_spans(&text, &side(spans.clone())).is_err(),
            "{spans:?}"
        );
    }

    // Wire text: a lost line, a paragraph cut in two.
    let text = "Foto - A\nPublicado: 5 noviembre 2025 13:34\n\nUno\ndos.\n\nTres.";
    let mut wire = seed::parse_wire(text, "es", 1);
    assert_eq!(check_wire(text, 1, &wire), Ok(()));
    wire.paragraphs[0].text = "Uno".into();
    assert!(check_wire(text, 1, &wire).is_err());
    wire.paragraphs.remove(0);
    assert!(check_wire(text, 1, &wire).is_err());

    // A page: a paragraph's text changed, a quotation without its twin in a twin page.
    let page = "<p class=\"src\" lang=\"es\" data-p=\"1\"><q data-quote=\"1\">«a»</q></p>\
                <p class=\"tgt\" lang=\"en\" data-p=\"1\">«a»</p>\
                <script src=\"../glosses.js\"></script><script src=\"../paralelo.js\"></script>\
                <script src=\"../learner.js\"></script><script src=\"../speech.js\"></script>\
                <script src=\"../search.js\"></script>";
    assert!(check_page(page, &["«a»"], &["«a»"]).is_err());
    assert!(check_page(page, &["«a»"], &["«b»"]).is_err());
    let twin = page.replace(">«a»</p>", "><q data-quote=\"1\">«a»</q></p>");
    assert_eq!(check_page(&twin, &["«a»"], &["«a»"]), Ok(()));
}

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Sentences join back into the paragraph, for any string.
    #[test]
    fn sentences_tile_any_text(text in any::<String>(), lang in "(es|en)") {
        let ranges = sentences::split(&text, &lang);
        prop_assert!(check_tiling(&text, &ranges).is_ok(), "{:?}", check_tiling(&text, &ranges));
        let joined: String = ranges.iter().map(|r| &text[r.clone()]).collect();
        prop_assert_eq!(joined, text);
    }

    /// The same, for prose dense in terminators, closers, openers and abbreviations.
    #[test]
    fn sentences_tile_prose(text in paragraph(), lang in "(es|en)") {
        let ranges = sentences::split(&text, &lang);
        prop_assert_eq!(check_tiling(&text, &ranges), Ok(()));
    }

    /// `parse_wire` never loses text: every non-blank line is the caption, the dateline, or part
    /// of the paragraph it stands in.
    #[test]
    fn parse_wire_keeps_every_line(
        lines in prop::collection::vec(
            prop_oneof![
                3 => prop::sample::select(&[
                    "", "", "   ", "\t", "Foto de la agencia - Agencia", "Foto - ", " - x",
                    "Publicado: 5 noviembre 2025 13:34", "Published: 5 November 2025, 13:34",
                    "Actualizado:", "publicado : x", "  Texto con espacios.  ", "Uno «dos» tres.",
                    "\u{a0}nbsp\u{2028}", "+++",
                ][..]).prop_map(String::from),
                2 => paragraph(),
                1 => "[ -~]{0,12}",
            ],
            0..10,
        ),
        crlf in any::<bool>(),
        lang in "(es|en)",
        first_line in 1usize..5,
    ) {
        let text = lines.join(if crlf { "\r\n" } else { "\n" });
        let wire = seed::parse_wire(&text, &lang, first_line);
        prop_assert_eq!(check_wire(&text, first_line, &wire), Ok(()));
    }

    /// Markdown written by `emit` renders back to the same text, whatever the text, and to no
    /// element at all; the front matter, read as a front-matter reader does (up to the first
    /// `+++` line), gives back the same values.
    #[test]
    fn markdown_round_trip(
        paragraphs in prop::collection::vec(markdown_text(), 1..4),
        title in markdown_text(),
    ) {
        let plain: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
        let doc = markdown::emit(&front(&title), &plain).unwrap();
        prop_assert_eq!(read_front_matter(&doc.text), (title.clone(), doc.body_start));
        let none = vec![Vec::new(); plain.len()];
        let html = emit_and_render(&plain, &none);
        for (fragment, text) in html.iter().zip(&plain) {
            let tokens = tokenize(fragment).unwrap();
            let only_text = tokens.iter().all(|t| matches!(t, checks::Token::Text(_)));
            prop_assert!(only_text, "markup in {}", fragment);
            prop_assert_eq!(&text_content(fragment).unwrap(), text);
        }
    }

    /// Highlighting never changes the visible text: with the quotations and sentences that
    /// paralelo finds woven in, each paragraph shows the same text, its elements are balanced,
    /// and each quotation is one `<q>` with its number.
    #[test]
    fn highlighting_keeps_the_visible_text(paragraphs in paragraphs(4), lang in "(es|en)") {
        let plain: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
        let (found, _) = quotes::find_pairs(&plain, &[]);
        prop_assert_eq!(check_quote_spans(&plain, &found), Ok(()));
        let mut group = 0;
        let marks: Vec<Vec<Mark>> = plain
            .iter()
            .zip(&found.spans)
            .map(|(text, spans)| {
                let quotes = spans.iter().map(|q| Mark {
                    range: q.range.clone(),
                    kind: MarkKind::Quote(q.number),
                });
                let sentences = sentences::split(text, &lang).into_iter().map(|range| {
                    group += 1;
                    Mark { range, kind: MarkKind::Sentence(group) }
                });
                // An untranslated word over the paragraph's first word, crossing other marks.
                let first_word = text.find(' ').unwrap_or(text.len());
                let word = Mark { range: 0..first_word, kind: MarkKind::Untranslated };
                quotes.chain(sentences).chain([word]).collect()
            })
            .collect();
        let html = emit_and_render(&plain, &marks);
        for ((fragment, text), spans) in html.iter().zip(&plain).zip(&found.spans) {
            prop_assert_eq!(check_tag_balance(fragment), Ok(()));
            prop_assert_eq!(&text_content(fragment).unwrap(), text);
            let numbers: Vec<usize> = spans.iter().map(|s| s.number).collect();
            prop_assert_eq!(quote_numbers(fragment).unwrap(), numbers);
        }
    }

    /// Quotation spans are well placed and numbered by the pairing rule on both sides, the
    /// original's side does not depend on the translation, and identical texts pair exactly.
    #[test]
    fn quotations_pair_by_paragraph(source in paragraphs(5), target in paragraphs(5)) {
        let source: Vec<&str> = source.iter().map(String::as_str).collect();
        let target: Vec<&str> = target.iter().map(String::as_str).collect();
        let (s, t) = quotes::find_pairs(&source, &target);
        prop_assert_eq!(check_quote_spans(&source, &s), Ok(()));
        prop_assert_eq!(check_quote_spans(&target, &t), Ok(()));
        prop_assert_eq!(check_quote_numbering(&span_numbers(&s), &span_numbers(&t)), Ok(()));
        let (alone, twin) = quotes::find_pairs(&source, &source);
        prop_assert_eq!(&alone, &s);
        prop_assert_eq!(&twin.spans, &s.spans);
    }
}

proptest! {
    // Each case renders a whole page (templates included): fewer cases keep the file fast.
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A seed and a translation that repeats its paragraphs: the page is well formed, has only
    /// the site's script, shows every paragraph's text as written, and every `data-quote` on
    /// one side has its twin, in the same paragraph, on the other.
    #[test]
    fn twin_pages_are_well_formed_and_pair_every_quotation(seed in seed_text()) {
        let parsed = seed::parse_seed(
            Path::new("s.txt"), "s", "es", options().time_zone, &seed::normalize(&seed),
        ).unwrap();
        let body: Vec<&str> = parsed.text.paragraphs.iter().map(|p| p.text.as_str()).collect();
        let page = render_from_text(&seed, &translation_of(&body), &options()).unwrap();
        prop_assert_eq!(check_page(&page, &body, &body), Ok(()));
        prop_assert_eq!(page_quote_numbers(&page, "src"), page_quote_numbers(&page, "tgt"));
    }

    /// A translation with other quotations: still well formed, with the numbering rule (a
    /// quotation without a twin keeps its number on its own side only).
    #[test]
    fn pages_with_unmatched_quotations_are_well_formed(
        seed in seed_text(),
        other in paragraphs(4),
    ) {
        checks::seed_to_html(format!("{seed}\0{}", other.join("\n\n")).as_bytes());
    }
}

// ---------------------------------------------------------------------------------------------
// The fuzz targets over their hand-picked corpora.

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus in {}", dir.display());
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

#[test]
fn fuzz_targets_pass_their_corpora() {
    for input in corpus("seed_parser") {
        checks::seed_parser(&input);
    }
    for input in corpus("quotes") {
        checks::quotes(&input);
    }
    for input in corpus("sentences") {
        checks::sentences(&input);
    }
    for input in corpus("seed_to_html") {
        checks::seed_to_html(&input);
    }
}

#[test]
fn shipped_article_pairs_every_quotation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let seed_text = std::fs::read_to_string(root.join("000_df1e1d8b34815c19.txt")).unwrap();
    let translation = std::fs::read_to_string(root.join("000_df1e1d8b34815c19.en.txt")).unwrap();
    let page = render_from_text(&seed_text, &translation, &options()).unwrap();
    check_tag_balance(&page).unwrap();
    let (src, tgt) = (
        page_quote_numbers(&page, "src"),
        page_quote_numbers(&page, "tgt"),
    );
    assert_eq!(src.concat(), (1..=8).collect::<Vec<_>>());
    assert_eq!(src, tgt);
    check_quote_numbering(&src, &tgt).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Regression tests for bugs these properties found (all fixed).

/// Was a bug (translate::headline, markdown::emit), fixed by making headlines one line: a translation's front-matter
/// `title` may hold line breaks (`title = "a\n+++\nb"` is valid TOML). `emit` writes it as a
/// TOML multi-line string, so a `+++` line inside the title closes the emitted `.md`'s front
/// matter early: a reader (Zola, Hugo) gets broken TOML. Fix: make titles one line (collapse
/// white space in `headline`, or refuse line breaks in the title with an input error).
#[test]
fn a_title_with_a_plus_line_keeps_the_markdown_front_matter_whole() {
    let seed =
        seed::parse_seed(Path::new("s.txt"), "s", "es", options().time_zone, "Uno.").unwrap();
    let translation = "+++\ntitle = \"Part one\\n+++\\nPart two\"\n+++\nOne.\n";
    let article =
        paralelo::internals::authored_from_text(seed, "en", "s.en.txt".into(), translation)
            .unwrap();
    let annotated = paralelo::internals::annotate(&article).unwrap();
    let md = &annotated.target.markdown;
    let (title, body_start) = read_front_matter(&md.text);
    assert_eq!(
        body_start, md.body_start,
        "front matter ends early:\n{}",
        md.text
    );
    assert!(!title.contains('\n'), "{title:?}");
}

/// Was a bug (quotes::scan), fixed by dropping every piece of an unclosed quotation: a quotation that runs on into the next
/// paragraph (opening it with `»`) and is then never closed loses only its last piece: the
/// piece in the paragraph where it opened stays highlighted as quotation 1, while the warning
/// says "the quotation is not highlighted". Fix: when dropping an unclosed quotation, pop its
/// pieces from every paragraph it ran through (or reword the warning, if partial highlighting
/// is meant).
#[test]
fn an_unclosed_run_on_quotation_is_not_highlighted_anywhere() {
    for paragraphs in [
        &["Dijo «uno", "»dos", "Tres."][..],
        &["Dijo «uno", "»dos"][..],
    ] {
        let (side, _) = quotes::find_pairs(paragraphs, &[]);
        assert!(
            side.problems[0].message.contains("not highlighted"),
            "{:?}",
            side.problems
        );
        assert!(
            side.spans.iter().all(Vec::is_empty),
            "{paragraphs:?}: the warning says not highlighted, but spans are {:?}",
            side.spans
        );
    }
}

/// Was a bug (seed::normalize), fixed by reading U+000B as a line break and refusing the rest: control characters in a seed reach the page
/// as they are. HTML forbids them (U+0000 is an "unexpected-null-character" and U+000B, U+001B,
/// U+007F "control-character-in-input-stream" parse errors; browsers drop NUL, so the page no
/// longer shows the seed's text, and the HTML validator rejects the page). U+000B is what Word
/// writes for a manual line break, so it turns up in pasted news copy. Fix: in `normalize`, read
/// U+000B as a line break, and replace (or refuse, naming the line) the other C0 and C1 control
/// characters other than tab, line feed, carriage return and form feed.
#[test]
fn control_characters_never_reach_the_html() {
    for c in ['\0', '\u{b}', '\u{1b}', '\u{7f}'] {
        let seed = format!("Uno{c}dos.\n");
        match render_from_text(&seed, &translation_of(&["One two."]), &options()) {
            Err(paralelo::Error::Input { .. }) => {}
            Err(e) => panic!("{e}"),
            Ok(page) => assert!(!page.contains(c), "U+{:04X} is in the page", c as u32),
        }
    }
}
