//! Reads wire-layout text (caption, dateline, paragraphs) into plain structs.
//!
//! The layout is the news-wire one: an optional photo caption ending in ` - credit`, an optional
//! `Publicado:` dateline, then paragraphs separated by blank lines. Seeds and authored
//! translations share it, so both are parsed here.

use std::path::Path;

use chrono::{
    DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone,
};
use chrono_tz::Tz;

use crate::config::Encoding;
use crate::error::{Error, Location, Result, Warning};
use crate::lang::dates::DateWords;
use crate::model::{Caption, Dateline, Paragraph, Seed, WireText};

/// The text of the file at `path`, from its `bytes`, as [`read_text`] gives it.
pub fn decode(path: &Path, bytes: Vec<u8>, encoding: Encoding) -> Result<String> {
    let utf16 = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(encoding_rs::UTF_16LE),
        Some([0xFE, 0xFF]) => Some(encoding_rs::UTF_16BE),
        _ => None,
    };
    let text = match encoding.or(utf16) {
        // A byte-order mark, if any, still wins: the file says what it is (UTF-16 included,
        // which Windows editors write as "Unicode").
        Some(encoding) => encoding.decode(&bytes).0.into_owned(),
        None => String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
            Error::input(
                Location::line(path, line),
                format!(
                    "not UTF-8: byte 0x{:02X} at offset {offset}; save it as UTF-8, or if it is Latin-1 or Windows-1252 build with --encoding windows-1252",
                    e.as_bytes()[offset]
                ),
            )
        })?,
    };
    Ok(normalize(&text))
}

/// The text without a byte-order mark and with `\n` line ends, as the parsers expect it.
pub fn normalize(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Most files need nothing more: one scan (memchr's, many bytes at a step) instead of two
    // replacing passes.
    if memchr::memchr2(b'\r', 0x0b, text.as_bytes()).is_none() {
        return text.to_string();
    }
    // U+000B is how word processors write a manual line break into pasted copy.
    text.replace("\r\n", "\n").replace(['\r', '\u{b}'], "\n")
}

/// Refuses control characters other than tab, line feed and form feed: HTML forbids them, and a
/// browser would drop or mangle the text around them.
pub fn check_controls(path: &Path, text: &str, first_line: usize) -> Result<()> {
    // Control characters are C0 and DEL (single bytes) and C1 (0xC2 0x80–0x9F in UTF-8): a
    // scan of the bytes clears almost every file without decoding it. It looks at a block at a
    // time without stopping early, which the compiler turns into a few wide instructions per
    // block; only a block with a suspect byte (a lead byte 0xC2 is common: `¿`, `¡`, `«`) is
    // looked at closely.
    let bytes = text.as_bytes();
    // Without branches (`&` and `|` on booleans), so that a block's bytes are tested together.
    let c0_or_del = |b: u8| ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != 0x0c)) | (b == 0x7f);
    let suspect_byte = |b: u8| c0_or_del(b) | (b == 0xc2);
    let is_control = |i: usize, b: u8| {
        c0_or_del(b) || (b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
    };
    const BLOCK: usize = 64;
    let suspect = bytes.chunks(BLOCK).enumerate().any(|(k, block)| {
        block.iter().fold(false, |seen, &b| seen | suspect_byte(b))
            && block
                .iter()
                .enumerate()
                .any(|(i, &b)| is_control(k * BLOCK + i, b))
    });
    if !suspect {
        return Ok(());
    }
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\u{c}');
    for (number, line) in text.lines().enumerate() {
        if let Some(c) = line.chars().find(|&c| c.is_control() && !allowed(c)) {
            return Err(Error::input(
                Location::line(path, first_line + number),
                format!(
                    "control character U+{:04X} in the text; remove it (seeds are plain text)",
                    c as u32
                ),
            ));
        }
    }
    Ok(())
}

pub fn parse_seed(path: &Path, stem: &str, lang: &str, time_zone: Tz, text: &str) -> Result<Seed> {
    check_controls(path, text, 1)?;
    let wire = parse_wire(text, lang, 1);
    if wire.paragraphs.is_empty() {
        return Err(Error::input(
            Location::file(path),
            "has no paragraphs: after the caption and dateline lines, write the article's text",
        ));
    }
    let mut warnings = Vec::new();
    let published = match &wire.dateline {
        Some(dateline) => Some(parse_published(
            path,
            lang,
            time_zone,
            dateline,
            &mut warnings,
        )?),
        None => None,
    };
    Ok(Seed {
        path: path.to_path_buf(),
        stem: stem.to_string(),
        lang: lang.to_string(),
        text: wire,
        published,
        warnings,
    })
}

/// Splits `text` into caption, dateline and paragraphs. `first_line` is the file line
/// `text` starts at (it follows front matter in a translation).
pub fn parse_wire(text: &str, lang: &str, first_line: usize) -> WireText {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (first_line + i, l.trim()))
        .collect();
    let mut rest = &lines[..];
    while let [(_, ""), tail @ ..] = rest {
        rest = tail;
    }

    let mut wire = WireText::default();
    match rest {
        [(line, first), ..] if dateline(first, lang, *line).is_some() => {
            wire.dateline = dateline(first, lang, *line);
            rest = &rest[1..];
        }
        [(_, first), (line, second), ..] if dateline(second, lang, *line).is_some() => {
            wire.caption = Some(caption(first));
            wire.dateline = dateline(second, lang, *line);
            rest = &rest[2..];
        }
        _ => {}
    }

    let mut current: Option<Paragraph> = None;
    for &(line, content) in rest {
        match (&mut current, content.is_empty()) {
            (Some(_), true) => wire.paragraphs.extend(current.take()),
            (None, true) => {}
            (Some(paragraph), false) => {
                paragraph.text.push(' ');
                paragraph.text.push_str(content);
            }
            (None, false) => {
                current = Some(Paragraph {
                    text: content.to_string(),
                    line,
                })
            }
        }
    }
    wire.paragraphs.extend(current);
    wire
}

fn caption(line: &str) -> Caption {
    match line.rsplit_once(" - ") {
        Some((text, credit)) if !credit.trim().is_empty() => Caption {
            text: text.trim().to_string(),
            credit: Some(credit.trim().to_string()),
        },
        _ => Caption {
            text: line.to_string(),
            credit: None,
        },
    }
}

fn dateline(line: &str, lang: &str, number: usize) -> Option<Dateline> {
    let words = DateWords::for_lang(lang)?;
    let (label, value) = line.split_once(':')?;
    let label = label.trim();
    words
        .labels
        .iter()
        .any(|l| l.eq_ignore_ascii_case(label))
        .then(|| Dateline {
            label: label.to_string(),
            value: value.trim().to_string(),
            line: number,
        })
}

/// Writes a dateline for `moment` in `lang`, like the wires do:
/// `Published: Wednesday, 5 November 2025, 13:34`. `None` for a language without date words.
pub fn format_dateline(lang: &str, moment: &DateTime<FixedOffset>) -> Option<String> {
    use chrono::{Datelike, Timelike};
    let words = DateWords::for_lang(lang)?;
    let weekday = words.weekdays[moment.weekday().num_days_from_monday() as usize];
    let month = words.months[moment.month0() as usize];
    // English capitalises day and month names; Spanish does not.
    let cap = |w: &str| -> String {
        if lang == "en" {
            let mut chars = w.chars();
            chars
                .next()
                .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
        } else {
            w.to_string()
        }
    };
    Some(format!(
        "{}: {}, {} {} {}, {:02}:{:02}",
        words.labels[0],
        cap(weekday),
        moment.day(),
        cap(month),
        moment.year(),
        moment.hour(),
        moment.minute()
    ))
}

/// Reads the dateline's date and time as local time in `time_zone`.
fn parse_published(
    path: &Path,
    lang: &str,
    time_zone: Tz,
    dateline: &Dateline,
    warnings: &mut Vec<Warning>,
) -> Result<DateTime<FixedOffset>> {
    let at = Location::line(path, dateline.line);
    let local = parse_local(lang, &dateline.value).map_err(|why| {
        Error::input(
            at.clone(),
            format!(
                "cannot read the date in `{}: {}`: {why}; write it like `Publicado: miércoles, 5 noviembre 2025 13:34`",
                dateline.label, dateline.value
            ),
        )
    })?;
    let mut warn = |message: String| {
        warnings.push(Warning {
            path: path.to_path_buf(),
            place: Some(format!("line {}", dateline.line)),
            message,
        })
    };
    // As RFC 5545 and Temporal's "compatible" disambiguation do: a time that repeats at the
    // autumn change is the earlier one; one the clocks skip in spring is moved on by the gap
    // (read with the offset before the change). A wire's slip should not stop a whole site.
    let moment = match time_zone.from_local_datetime(&local) {
        LocalResult::Single(moment) => moment,
        LocalResult::Ambiguous(earlier, _) => {
            warn(format!(
                "{local} happens twice in {time_zone} (the clocks go back that night); read as the earlier, {}",
                earlier.to_rfc3339()
            ));
            earlier
        }
        LocalResult::None => {
            let before = time_zone
                .from_local_datetime(&(local - chrono::Duration::days(1)))
                .earliest()
                .ok_or_else(|| {
                    Error::input(at.clone(), format!("{local} has no time in {time_zone}"))
                })?
                .offset()
                .fix();
            let utc = local - chrono::Duration::seconds(before.local_minus_utc().into());
            let moment = time_zone.from_utc_datetime(&utc);
            warn(format!(
                "{local} does not exist in {time_zone} (the clocks skip it at the spring change); read as {}, as calendars do",
                moment.to_rfc3339()
            ));
            moment
        }
    };
    Ok(moment.fixed_offset())
}

fn parse_local(lang: &str, value: &str) -> Result<NaiveDateTime, String> {
    let words = DateWords::for_lang(lang).ok_or_else(|| format!("no date words for `{lang}`"))?;
    let (mut day, mut month, mut year, mut time) = (None, None, None, None);
    for token in value
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
    {
        let lower = token.to_lowercase();
        let lower = lower.trim_end_matches('.');
        if let Some(m) = words.months.iter().position(|&m| m == lower) {
            month = Some(m as u32 + 1);
        } else if words.weekdays.contains(&lower) || words.fillers.contains(&lower) {
            continue;
        } else if let Some((h, m)) = lower.split_once([':', '.']) {
            let parsed = (h.parse::<u32>(), m.parse::<u32>());
            let (Ok(h), Ok(m)) = parsed else {
                return Err(format!("`{token}` is not a time like 13:34"));
            };
            time = Some(NaiveTime::from_hms_opt(h, m, 0).ok_or(format!("no time {token}"))?);
        } else if let Ok(n) = lower.parse::<u32>() {
            if lower.len() == 4 {
                year = Some(n as i32);
            } else {
                day = Some(n);
            }
        } else {
            return Err(format!("unexpected word `{token}`"));
        }
    }
    let (Some(day), Some(month), Some(year)) = (day, month, year) else {
        return Err("it needs a day, a month name and a four-digit year".to_string());
    };
    let date = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| format!("there is no day {day} in month {month} of {year}"))?;
    let time = time.ok_or("it has no time like 13:34")?;
    Ok(date.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn madrid(text: &str) -> Result<Seed> {
        parse_seed(
            Path::new("t.txt"),
            "t",
            "es",
            chrono_tz::Europe::Madrid,
            text,
        )
    }

    #[test]
    fn shipped_seed_layout() {
        let text = include_str!("../../seeds/000_df1e1d8b34815c19.txt");
        let seed = madrid(text).unwrap();
        let caption = seed.text.caption.unwrap();
        assert!(caption.text.starts_with("El presidente ucraniano"));
        assert!(caption.text.contains("videoconferecnia"));
        assert_eq!(
            caption.credit.as_deref(),
            Some("Henry Nicholls/PA Wire/dpa")
        );
        assert_eq!(
            seed.published.unwrap().to_rfc3339(),
            "2025-11-05T13:34:00+01:00"
        );
        assert_eq!(seed.text.paragraphs.len(), 7);
        assert_eq!(seed.text.paragraphs[0].line, 4);
        assert!(
            seed.text.paragraphs[6]
                .text
                .starts_with("Japón forma parte")
        );
    }

    #[test]
    fn summer_dates_get_summer_offset() {
        let seed = madrid("Publicado: jueves, 10 julio 2025 09:05\n\nUno.\n").unwrap();
        assert_eq!(
            seed.published.unwrap().to_rfc3339(),
            "2025-07-10T09:05:00+02:00"
        );
        assert!(seed.text.caption.is_none());
    }

    #[test]
    fn long_form_date_with_de() {
        let seed = madrid("Publicado: 5 de noviembre de 2025, 13.34 horas\n\nUno.\n").unwrap();
        assert_eq!(
            seed.published.unwrap().to_rfc3339(),
            "2025-11-05T13:34:00+01:00"
        );
    }

    #[test]
    fn body_only_when_layout_does_not_match() {
        let seed = madrid("Primera línea - algo\nSegunda línea.\n\nTercera.").unwrap();
        assert!(seed.text.caption.is_none() && seed.text.dateline.is_none());
        assert_eq!(seed.text.paragraphs.len(), 2);
        assert_eq!(
            seed.text.paragraphs[0].text,
            "Primera línea - algo Segunda línea."
        );
    }

    #[test]
    fn crlf_bom_trailing_spaces_and_blank_runs() {
        let bytes = "\u{feff}Foto - Agencia  \r\nPublicado: miércoles, 5 noviembre 2025 13:34 \r\n\r\n\r\n\r\nUno.  \r\n\r\n\r\nDos."
            .as_bytes()
            .to_vec();
        let text = decode(Path::new("t.txt"), bytes, None).unwrap();
        let seed = madrid(&text).unwrap();
        assert_eq!(
            seed.text.caption.unwrap().credit.as_deref(),
            Some("Agencia")
        );
        let texts: Vec<_> = seed.text.paragraphs.iter().map(|p| &p.text).collect();
        assert_eq!(texts, ["Uno.", "Dos."]);
        assert_eq!(seed.text.paragraphs[1].line, 9);
    }

    #[test]
    fn bad_date_names_file_and_line() {
        let err = madrid("Foto - A\nPublicado: 31 febrero 2025 10:00\n\nUno.").unwrap_err();
        let message = err.to_string();
        assert!(message.starts_with("t.txt:2: "), "{message}");
        assert!(message.contains("no day 31"), "{message}");
    }

    #[test]
    fn skipped_and_repeated_hours_are_read_as_calendars_do_with_a_warning() {
        let seed = madrid("Publicado: 30 marzo 2025 02:30\n\nUno.").unwrap();
        assert_eq!(
            seed.published.unwrap().to_rfc3339(),
            "2025-03-30T03:30:00+02:00"
        );
        let warning = seed.warnings[0].to_string();
        assert!(
            warning.contains("does not exist") && warning.contains("line 1"),
            "{warning}"
        );
        let seed = madrid("Publicado: 26 octubre 2025 02:30\n\nUno.").unwrap();
        assert_eq!(
            seed.published.unwrap().to_rfc3339(),
            "2025-10-26T02:30:00+02:00"
        );
        assert!(
            seed.warnings[0].message.contains("twice"),
            "{:?}",
            seed.warnings
        );
        assert!(
            madrid("Publicado: 27 octubre 2025 02:30\n\nUno.")
                .unwrap()
                .warnings
                .is_empty()
        );
    }

    #[test]
    fn invalid_utf8_names_offset_and_the_way_out() {
        let latin1 = b"Hola\nca\xf1a".to_vec();
        let err = decode(Path::new("l1.txt"), latin1.clone(), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "l1.txt:2: not UTF-8: byte 0xF1 at offset 7; save it as UTF-8, or if it is Latin-1 or Windows-1252 build with --encoding windows-1252"
        );
        let windows_1252 = encoding_rs::Encoding::for_label(b"windows-1252");
        assert_eq!(
            decode(Path::new("l1.txt"), latin1, windows_1252).unwrap(),
            "Hola\ncaña"
        );
    }

    #[test]
    fn control_characters_are_refused_with_their_line() {
        let err = madrid("Uno.\n\nDos\u{1b}tres.\n").unwrap_err().to_string();
        assert_eq!(
            err,
            "t.txt:3: control character U+001B in the text; remove it (seeds are plain text)"
        );
        assert_eq!(normalize("Uno\u{b}dos"), "Uno\ndos");
        // C1 controls (two bytes in UTF-8) and DEL too; the letters beside them in the
        // Latin-1 block are fine.
        for c in ['\u{85}', '\u{9f}', '\u{7f}', '\0'] {
            let err = madrid(&format!("Uno.\n\nDos{c}.\n"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(&format!("U+{:04X}", c as u32)), "{err}");
        }
        assert!(madrid("Uno.\n\nAño, ¿qué? «Sí» — ½ ª\u{a0}fin.\n").is_ok());
    }

    /// The scan reads blocks of bytes: a control is found wherever it is, the two bytes of a C1
    /// control split between blocks too, and Spanish punctuation (lead byte 0xC2) in every
    /// position is not one.
    #[test]
    fn controls_are_found_at_every_place_in_a_block() {
        let path = Path::new("t.txt");
        for at in 0..140 {
            let before = "a".repeat(at);
            for control in ['\u{85}', '\u{7f}', '\u{1}'] {
                let text = format!("{before}{control}b");
                assert!(check_controls(path, &text, 1).is_err(), "{at} {control:?}");
            }
            let text = format!("{before}¿¡«»º\tb\n\u{c}");
            assert!(check_controls(path, &text, 1).is_ok(), "{at}");
        }
    }
}
