//! An article's vocabulary list: its content words' lemmas with their first sentence, and the
//! Anki CSV made from it.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt::Write as _;
use std::ops::Range;

use super::{PartOfSpeech, WordGloss};

/// A lemma of an article's vocabulary list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VocabularyEntry {
    pub lemma: String,
    pub part_of_speech: PartOfSpeech,
    /// The glosses of the lemma's first occurrence.
    pub glosses: Vec<String>,
    /// The sentence the lemma first appears in, without surrounding whitespace.
    pub sentence: String,
    /// The byte range of that occurrence in `sentence`, for highlighting.
    pub word: Range<usize>,
    /// How often the lemma occurs in the article.
    pub occurrences: usize,
}

/// The distinct lemmas of the content words ([`PartOfSpeech::is_content`]) of an article's
/// paragraphs, each with its analysed words, in order of first appearance. A lemma with two
/// classes (`forma`, noun; `formar`, verb, differ anyway) has an entry for each.
pub fn vocabulary<'a>(
    paragraphs: impl IntoIterator<Item = (&'a str, &'a [WordGloss])>,
) -> Vec<VocabularyEntry> {
    let mut entries: Vec<VocabularyEntry> = Vec::new();
    let mut seen: HashMap<(&str, PartOfSpeech), usize> = HashMap::new();
    for (paragraph, words) in paragraphs {
        let sentences = crate::text::sentences::split(paragraph, "es");
        for word in words.iter().filter(|w| w.part_of_speech.is_content()) {
            match seen.entry((word.lemma.as_str(), word.part_of_speech)) {
                Entry::Occupied(known) => entries[*known.get()].occurrences += 1,
                Entry::Vacant(new) => {
                    let sentence = sentences
                        .iter()
                        .find(|s| s.contains(&word.range.start))
                        .map_or(0..paragraph.len(), Clone::clone);
                    let text = &paragraph[sentence.clone()];
                    let start = sentence.start + (text.len() - text.trim_start().len());
                    let end = sentence.start + text.trim_end().len();
                    new.insert(entries.len());
                    entries.push(VocabularyEntry {
                        lemma: word.lemma.clone(),
                        part_of_speech: word.part_of_speech,
                        glosses: word.glosses.clone(),
                        sentence: paragraph[start..end].to_string(),
                        word: word.range.start - start..word.range.end - start,
                        occurrences: 1,
                    });
                }
            }
        }
    }
    entries
}

/// The vocabulary list as a CSV file for Anki's "Basic" note type: front the lemma, back the
/// glosses, a line break and the example sentence with the word in bold.
///
/// RFC 4180, written by the `csv` crate (fields quoted when they hold a comma, quote or line
/// break; CRLF line ends), UTF-8 without a byte-order mark, after two header lines that Anki
/// (2.1.55 and later) reads and older versions skip as comments: `#separator:comma`, so that Anki
/// does not guess the separator, and `#html:true`, so that the back's `<br>` and `<b>` render
/// instead of showing as text. The text is HTML-escaped accordingly. No `#notetype` or `#columns`
/// line: those name the note type and its fields, whose names differ in a translated Anki;
/// without them Anki uses the current note type (Basic in a new collection) and fills its fields
/// in column order.
pub fn anki_csv(entries: &[VocabularyEntry]) -> String {
    let header = b"#separator:comma\r\n#html:true\r\n".to_vec();
    let records = entries
        .iter()
        .map(|entry| [html_escape(&entry.lemma), anki_back(entry)]);
    // A `Vec` takes every byte, and every record has two fields: nothing can fail.
    let bytes = write_csv(header, records).expect("CSV written to memory");
    // Fields go out as the `str`s they were, with ASCII around them.
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The back of a card: the glosses, a line break, and the example sentence with the word in
/// bold, as HTML.
fn anki_back(entry: &VocabularyEntry) -> String {
    let sentence = &entry.sentence;
    let (before, word, after) = match sentence.get(entry.word.clone()) {
        Some(word) => (
            &sentence[..entry.word.start],
            word,
            &sentence[entry.word.end..],
        ),
        None => (sentence.as_str(), "", ""),
    };
    let mut back = html_escape(&entry.glosses.join("; "));
    back.push_str("<br>");
    back.push_str(&html_escape(before));
    if !word.is_empty() {
        let _ = write!(back, "<b>{}</b>", html_escape(word));
    }
    back.push_str(&html_escape(after));
    back
}

/// Appends `records` to `out` as CSV records with CRLF line ends.
fn write_csv<const N: usize>(
    out: Vec<u8>,
    records: impl IntoIterator<Item = [String; N]>,
) -> csv::Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    for record in records {
        writer.write_record(&record)?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gloss::tests::word;

    #[test]
    fn vocabulary_keeps_first_sentences_and_counts() {
        let paragraph = "La paz llega. Nadie dijo \"paz, paz\".";
        let words = [
            word(0..2, "el", PartOfSpeech::Article, &["the"]),
            word(3..6, "paz", PartOfSpeech::Noun, &["peace"]),
            word(7..12, "llegar", PartOfSpeech::Verb, &["arrive"]),
            word(26..29, "paz", PartOfSpeech::Noun, &["peace"]),
        ];
        let second = "Ayer llegó.";
        let more = [word(5..10, "llegar", PartOfSpeech::Verb, &["arrive"])];
        let list = vocabulary([(paragraph, &words[..]), (second, &more[..])]);
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].lemma, "paz");
        assert_eq!(list[0].occurrences, 2);
        assert_eq!(list[0].sentence, "La paz llega.");
        assert_eq!(&list[0].sentence[list[0].word.clone()], "paz");
        assert_eq!(list[1].lemma, "llegar");
        assert_eq!(list[1].occurrences, 2);
    }

    #[test]
    fn anki_csv_quotes_and_escapes() {
        let entry = VocabularyEntry {
            lemma: "decir".to_string(),
            part_of_speech: PartOfSpeech::Verb,
            glosses: vec!["say".to_string(), "tell".to_string()],
            sentence: "Dijo: \"sí, a <todo>\".".to_string(),
            word: 0..4,
            occurrences: 1,
        };
        assert_eq!(
            anki_csv(&[entry]),
            "#separator:comma\r\n#html:true\r\n\
             decir,\"say; tell<br><b>Dijo</b>: \"\"sí, a &lt;todo&gt;\"\".\"\r\n"
        );
        assert_eq!(anki_csv(&[]), "#separator:comma\r\n#html:true\r\n");
    }

    #[test]
    fn anki_csv_quotes_only_what_needs_it_and_reads_back() {
        let entry = |lemma: &str, glosses: &[&str], sentence: &str, word| VocabularyEntry {
            lemma: lemma.to_string(),
            part_of_speech: PartOfSpeech::Noun,
            glosses: glosses.iter().map(|g| g.to_string()).collect(),
            sentence: sentence.to_string(),
            word,
            occurrences: 1,
        };
        let entries = [
            entry("paz", &["peace"], "La paz llega.", 3..6),
            entry("a,b", &["x"], "Uno\r\ndos #3 ’y’ 'z' ; fin", 0..3),
            entry("casa", &["house", "home"], "Sin la palabra.", 40..44),
            entry("", &[], "", 0..0),
        ];
        let csv = anki_csv(&entries);
        assert_eq!(
            csv,
            "#separator:comma\r\n#html:true\r\n\
             paz,peace<br>La <b>paz</b> llega.\r\n\
             \"a,b\",\"x<br><b>Uno</b>\r\ndos #3 ’y’ 'z' ; fin\"\r\n\
             casa,house; home<br>Sin la palabra.\r\n\
             ,<br>\r\n"
        );
        // The `csv` crate's reader, skipping the header lines as comments, gets the fields back.
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .comment(Some(b'#'))
            .from_reader(csv.as_bytes());
        let fronts: Vec<String> = reader
            .records()
            .map(|record| record.unwrap()[0].to_string())
            .collect();
        assert_eq!(fronts, ["paz", "a,b", "casa", ""]);
    }

    /// RFC 4180's quoting, as the file was written by hand before the `csv` crate wrote it.
    fn quoted_field(field: &str) -> String {
        if field.contains([',', '"', '\r', '\n']) {
            format!("\"{}\"", field.replace('"', "\"\""))
        } else {
            field.to_string()
        }
    }

    proptest::proptest! {
        #[test]
        fn anki_csv_writes_the_bytes_it_always_wrote(
            lemma in "[a,\"\r\n #'<&é ]{0,6}",
            glosses in proptest::collection::vec("[a,\"\r\n ;<]{0,5}", 0..3),
            sentence in "[a,\"\r\n #'>&ñ ]{0,12}",
            start in 0usize..14,
            len in 0usize..6,
        ) {
            let entry = VocabularyEntry {
                lemma,
                part_of_speech: PartOfSpeech::Verb,
                glosses,
                sentence,
                word: start..start + len,
                occurrences: 1,
            };
            let expected = format!(
                "#separator:comma\r\n#html:true\r\n{},{}\r\n",
                quoted_field(&html_escape(&entry.lemma)),
                quoted_field(&anki_back(&entry)),
            );
            proptest::prop_assert_eq!(anki_csv(&[entry]), expected);
        }
    }
}
