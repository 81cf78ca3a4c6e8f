//! Reads wire-layout text (caption, dateline, paragraphs) into plain structs.
//!
//! The layout is the news-wire one: an optional photo caption ending in ` - credit`, an optional
//! `Publicado:` dateline, then paragraphs separated by blank lines. Seeds and authored
//! translations share it, so both are parsed here.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

use crate::error::{Error, Location, Result};

/// The photo caption and who took the photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caption {
    pub text: String,
    pub credit: Option<String>,
}

/// The dateline as written, e.g. `Publicado: miércoles, 5 noviembre 2025 13:34`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dateline {
    /// The word before the colon (`Publicado`).
    pub label: String,
    /// Everything after it (`miércoles, 5 noviembre 2025 13:34`).
    pub value: String,
    pub line: usize,
}

/// One body paragraph: its lines joined by single spaces, and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub text: String,
    pub line: usize,
}

/// A text in the wire layout, in one language.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WireText {
    pub caption: Option<Caption>,
    pub dateline: Option<Dateline>,
    pub paragraphs: Vec<Paragraph>,
}

/// An original article, as read from `seeds/<stem>.txt`.
#[derive(Debug, Clone, PartialEq)]
pub struct Seed {
    pub path: PathBuf,
    pub stem: String,
    pub lang: String,
    pub text: WireText,
    /// The dateline's moment, with the offset its time zone had on that date.
    pub published: Option<DateTime<FixedOffset>>,
}

/// The character encoding of the input files: UTF-8 unless the user names another.
pub type Encoding = Option<&'static encoding_rs::Encoding>;

/// The most a seed or a translation may hold. A long feature is about 100 KB; a page is some
/// 35 times its seed in memory while it is made, so this bounds a build's memory whatever
/// lands in the seeds folder.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Reads a text file, without its byte-order mark and with `\n` line ends.
pub fn read_text(path: &Path, encoding: Encoding) -> Result<String> {
    let bytes = read_bytes(path).map_err(|e| read_error(path, e))?;
    decode(path, bytes, encoding)
}

/// Reads a file of at most [`MAX_FILE_BYTES`]; a larger one is an error of kind
/// `FileTooLarge`, after reading no more than that.
pub fn read_bytes(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::ErrorKind::FileTooLarge.into());
    }
    Ok(bytes)
}

/// The error for a file [`read_bytes`] could not read: a too large one is the user's to fix.
pub fn read_error(path: &Path, error: std::io::Error) -> Error {
    if error.kind() != std::io::ErrorKind::FileTooLarge {
        return Error::io(path, "read", error);
    }
    let size = std::fs::metadata(path).map_or(String::new(), |m| {
        format!(" ({:.1} MB)", m.len() as f64 / 1e6)
    });
    Error::input(
        Location::file(path),
        format!(
            "is larger than {} MB{size}: a seed is one article (a long feature is about 0.1 MB); split it into several seeds",
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    )
}

/// The text of the file at `path`, from its `bytes`, as [`read_text`] gives it.
pub fn decode(path: &Path, bytes: Vec<u8>, encoding: Encoding) -> Result<String> {
    let text = match encoding {
        // A byte-order mark, if any, still wins: the file says what it is.
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
    // Most files need nothing more: one scan instead of two replacing passes.
    if !text.bytes().any(|b| b == b'\r' || b == 0x0b) {
        return text.to_string();
    }
    // U+000B is how word processors write a manual line break into pasted copy.
    text.replace("\r\n", "\n").replace(['\r', '\u{b}'], "\n")
}

/// Refuses control characters other than tab, line feed and form feed: HTML forbids them, and a
/// browser would drop or mangle the text around them.
pub fn check_controls(path: &Path, text: &str, first_line: usize) -> Result<()> {
    // Control characters are C0 and DEL (single bytes) and C1 (0xC2 0x80–0x9F in UTF-8): a
    // scan of the bytes clears almost every file without decoding it.
    let bytes = text.as_bytes();
    let suspect = bytes.iter().enumerate().any(|(i, &b)| {
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | 0x0c))
            || b == 0x7f
            || (b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
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

/// Reads and parses the seed at `path`, an article in `lang` dated in `time_zone`.
pub fn read_seed(
    path: &Path,
    stem: &str,
    lang: &str,
    time_zone: Tz,
    encoding: Encoding,
) -> Result<Seed> {
    let text = read_text(path, encoding)?;
    parse_seed(path, stem, lang, time_zone, &text)
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
    let published = match &wire.dateline {
        Some(dateline) => Some(parse_published(path, lang, time_zone, dateline)?),
        None => None,
    };
    Ok(Seed {
        path: path.to_path_buf(),
        stem: stem.to_string(),
        lang: lang.to_string(),
        text: wire,
        published,
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

/// The name of month `month0` (0 is January) in `lang`, in lower case.
pub fn month_name(lang: &str, month0: usize) -> Option<&'static str> {
    DateWords::for_lang(lang)?.months.get(month0).copied()
}

/// The name of day `from_monday` of the week (0 is Monday) in `lang`, in lower case.
pub fn weekday_name(lang: &str, from_monday: usize) -> Option<&'static str> {
    DateWords::for_lang(lang)?
        .weekdays
        .get(from_monday)
        .copied()
}

/// Whether `word` names a month or a day of the week in `lang`, in any case.
pub fn is_date_name(lang: &str, word: &str) -> bool {
    DateWords::for_lang(lang).is_some_and(|words| {
        words
            .months
            .iter()
            .chain(&words.weekdays)
            .any(|name| name.eq_ignore_ascii_case(word))
    })
}

/// The words of a dateline in one language.
struct DateWords {
    labels: &'static [&'static str],
    months: [&'static str; 12],
    weekdays: [&'static str; 7],
    /// Words that join the parts, like the `de` of `5 de noviembre de 2025`.
    fillers: &'static [&'static str],
}

impl DateWords {
    fn for_lang(lang: &str) -> Option<&'static DateWords> {
        match lang {
            "es" => Some(&SPANISH),
            "en" => Some(&ENGLISH),
            _ => None,
        }
    }
}

static SPANISH: DateWords = DateWords {
    labels: &["Publicado", "Actualizado"],
    months: [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    weekdays: [
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
    ],
    fillers: &["de", "del", "a", "las", "horas", "h"],
};

static ENGLISH: DateWords = DateWords {
    labels: &["Published", "Updated"],
    months: [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ],
    weekdays: [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ],
    fillers: &["of", "at", "on"],
};

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
    // At the autumn change an hour repeats: the earlier reading is the one a wire would mean.
    let moment = time_zone.from_local_datetime(&local).earliest().ok_or_else(|| {
        Error::input(
            at,
            format!(
                "{local} does not exist in {time_zone} (the clocks skip it at the spring change)"
            ),
        )
    })?;
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

/// A seed file found in the seeds folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedFile {
    pub path: PathBuf,
    pub stem: String,
}

/// Finds the seeds under `dir`, in a stable order. `<stem>.<lang>.txt` beside a `<stem>.txt` is
/// a translation, not a seed.
pub fn find_seeds(dir: &Path) -> Result<Vec<SeedFile>> {
    if !dir.is_dir() {
        return Err(Error::input(
            Location::file(dir),
            "no seeds folder here: run paralelo where `seeds/` is, or pass --seeds DIR",
        ));
    }
    // The folder listing tells each entry's kind: only links cost a `stat`, which matters for
    // the rebuild of a large archive.
    let mut root = None;
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            Error::io(&path, "read the seeds folder", e.into())
        })?;
        let name = entry.file_name().as_encoded_bytes();
        if name.len() <= ".txt".len() || !name.ends_with(b".txt") {
            continue;
        }
        if entry.path_is_symlink() {
            let root = match &root {
                Some(root) => root,
                None => root.insert(
                    dir.canonicalize()
                        .map_err(|e| Error::io(dir, "read the seeds folder", e))?,
                ),
            };
            refuse_outside_link(entry.path(), root)?;
            if !entry.path().is_file() {
                continue;
            }
        } else if !entry.file_type().is_file() {
            continue;
        }
        files.push(entry.into_path());
    }
    // By the path's bytes: the same order on every file system. Paths are handled as bytes
    // from here on, as `Path`'s component parsing showed in profiles of large archives.
    files.sort_unstable_by(|a, b| bytes(a).cmp(bytes(b)));
    let present: HashSet<&[u8]> = files.iter().map(|p| bytes(p)).collect();
    let translations: Vec<bool> = files
        .iter()
        .map(|p| is_translation(bytes(p), &present))
        .collect();
    Ok(files
        .into_iter()
        .zip(translations)
        .filter(|(_, translation)| !translation)
        .map(|(path, _)| {
            let path_bytes = bytes(&path);
            let name = &path_bytes[path_bytes
                .iter()
                .rposition(|&b| b == b'/')
                .map_or(0, |i| i + 1)..];
            SeedFile {
                stem: String::from_utf8_lossy(&name[..name.len() - ".txt".len()]).into_owned(),
                path,
            }
        })
        .collect())
}

fn bytes(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

/// A link may not make the build read (and publish) a file from elsewhere.
fn refuse_outside_link(path: &Path, root: &Path) -> Result<()> {
    let target = path
        .canonicalize()
        .map_err(|e| Error::io(path, "follow the link", e))?;
    if target.starts_with(root) {
        Ok(())
    } else {
        Err(Error::input(
            Location::file(path),
            format!(
                "is a link to {}, outside the seeds folder; copy the file in instead",
                target.display()
            ),
        ))
    }
}

/// Whether `<base>.<lang>.txt` has its `<base>.txt` among the `present` files.
fn is_translation(path: &[u8], present: &HashSet<&[u8]>) -> bool {
    let Some(stem) = path.strip_suffix(b".txt") else {
        return false;
    };
    let Some(dot) = stem.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    // A `/` is not a lowercase letter: the dot must be in the file's own name.
    let lang = &stem[dot + 1..];
    if !(2..=3).contains(&lang.len()) || !lang.iter().all(u8::is_ascii_lowercase) {
        return false;
    }
    let original = [&stem[..dot], b".txt"].concat();
    present.contains(original.as_slice())
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
        let text = include_str!("../seeds/000_df1e1d8b34815c19.txt");
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
    fn spring_gap_is_an_error() {
        let err = madrid("Publicado: 30 marzo 2025 02:30\n\nUno.").unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
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

    #[test]
    fn date_names_in_both_languages() {
        assert_eq!(month_name("es", 10), Some("noviembre"));
        assert_eq!(weekday_name("en", 2), Some("wednesday"));
        assert_eq!(month_name("en", 12), None);
        assert!(is_date_name("en", "May") && is_date_name("es", "Miércoles"));
        assert!(!is_date_name("en", "Maybe") && !is_date_name("fr", "mai"));
    }
}
