//! A deterministic generator of news articles in paralelo's seed layout, with authored English
//! translations, and of the same text as a Hugo site.
//!
//! Shared by `examples/gen-corpus.rs`, `examples/bench-build.rs` and `benches/stages.rs`. Article
//! `i` depends only on the corpus seed and `i`, so a corpus of 1,000 articles is the first
//! 1,000 of a corpus of 10,000 and any article can be made on its own.
//!
//! Each article has 6–9 paragraphs of 60–120 Spanish words; the translation has one paragraph per
//! paragraph with the same quotations in the same order. The text uses every quotation style the
//! parser knows (`"…"`, `«…»`, `“…”`, `‘…’` nested in `«…»` or `“…”`, a quotation running on into
//! the next paragraph), apostrophes (O’Donnell, Japan’s), abbreviations (Sr., Dra., EE.UU., etc.,
//! Mr., Dr., U.S.) and numbers written the Spanish and the English way (1.500 / 1,500, 2,3 / 2.3,
//! 13.34 horas / 13:34). Translations sometimes join two sentences into one, as real ones do.
//!
//! The sentence frames alone have ~1,560 distinct word forms, far fewer than real news (10^5 at
//! 10,000 articles), which flatters any cache or memo. With a [`Vocabulary`] (Debian's
//! `wspanish` list, `/usr/share/dict/spanish`, public domain), about half of each paragraph's
//! sentences also carry a run of words drawn from that list with Zipf's law (rank `r` drawn with
//! weight `1/r`, ranks shuffled by the corpus seed), kept as they are in the translation, as a
//! stand-in for real vocabulary: 10,000 articles then hold tens of thousands of distinct forms.

#![allow(dead_code)] // each includer uses a different part

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// The corpus seed when none is given.
pub const DEFAULT_SEED: u64 = 1;

/// SplitMix64: small, fast and good enough for made-up text.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Where [`Vocabulary::system`] looks for a word list.
pub const SYSTEM_WORDS: &str = "/usr/share/dict/spanish";

/// A real Spanish word list whose words are drawn with Zipf's law.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    words: Vec<String>,
    /// `cumulative[r]`: the summed weights of ranks `0..=r`.
    cumulative: Vec<f64>,
}

impl Vocabulary {
    /// The list at [`SYSTEM_WORDS`], ranked by `seed`.
    pub fn system(seed: u64) -> Result<Vocabulary, String> {
        Vocabulary::load(Path::new(SYSTEM_WORDS), seed)
    }

    /// One word a line; lines with anything but lowercase letters are skipped. The ranks are a
    /// shuffle of the list by `seed` (a word list is alphabetical, not by frequency).
    pub fn load(path: &Path, seed: u64) -> Result<Vocabulary, String> {
        let text = fs::read_to_string(path).map_err(|e| {
            format!(
                "cannot read the word list {}: {e} (Debian: apt-get install wspanish; or pass --vocabulary none for the frames' words alone)",
                path.display()
            )
        })?;
        let mut words: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty() && w.chars().all(char::is_lowercase))
            .map(str::to_string)
            .collect();
        if words.len() < 100 {
            return Err(format!(
                "{} has {} usable words; a vocabulary needs at least 100",
                path.display(),
                words.len()
            ));
        }
        let mut rng = Rng::new(mix(seed ^ 0x7a69_7066));
        for i in (1..words.len()).rev() {
            words.swap(i, rng.below(i + 1));
        }
        let mut total = 0.0;
        let cumulative = (1..=words.len())
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Ok(Vocabulary { words, cumulative })
    }

    /// One word, rank `r` with probability proportional to `1/r`.
    pub fn draw(&self, rng: &mut Rng) -> &str {
        let total = self.cumulative[self.cumulative.len() - 1];
        let x = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * total;
        let rank = self.cumulative.partition_point(|&c| c < x);
        &self.words[rank.min(self.words.len() - 1)]
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }
}

/// The SplitMix64 output function.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator seed of article `index` in the corpus `seed`.
fn article_seed(seed: u64, index: usize) -> u64 {
    mix(mix(seed)
        .wrapping_add(index as u64)
        .wrapping_mul(0x2545_F491_4F6C_DD1D))
}

/// The file stem of article `index`, like the shipped `000_df1e1d8b34815c19`.
pub fn stem(seed: u64, index: usize) -> String {
    format!("{index:05}_{:016x}", mix(article_seed(seed, index)))
}

/// A local date and time in Madrid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
}

impl DateTime {
    /// 0 = Monday.
    pub fn weekday(&self) -> usize {
        (days_from_civil(self.year, self.month, self.day) + 3).rem_euclid(7) as usize
    }

    /// Madrid's offset from UTC on this date (the time is never in the small hours, so the
    /// changes at 02:00/03:00 on the last Sundays of March and October need no more care).
    pub fn offset(&self) -> &'static str {
        let day = days_from_civil(self.year, self.month, self.day);
        let last_sunday = |month| {
            let last = days_from_civil(self.year, month, 31);
            last - (last + 3 + 1).rem_euclid(7)
        };
        if day >= last_sunday(3) && day < last_sunday(10) {
            "+02:00"
        } else {
            "+01:00"
        }
    }

    pub fn iso(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:00{}",
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.offset()
        )
    }

    /// `Publicado: miércoles, 5 noviembre 2025 13:34`
    pub fn spanish_dateline(&self) -> String {
        format!(
            "Publicado: {}, {} {} {} {:02}:{:02}",
            weekday("es", self.weekday()),
            self.day,
            month("es", self.month),
            self.year,
            self.hour,
            self.minute
        )
    }

    /// `Published: Wednesday, 5 November 2025, 13:34`
    pub fn english_dateline(&self) -> String {
        format!(
            "Published: {}, {} {} {}, {:02}:{:02}",
            weekday("en", self.weekday()),
            self.day,
            month("en", self.month),
            self.year,
            self.hour,
            self.minute
        )
    }
}

/// The day's name as a dateline writes it in `lang` (English capitalises it).
fn weekday(lang: &str, from_monday: usize) -> String {
    as_written(
        lang,
        paralelo::internals::dates::weekday_name(lang, from_monday),
    )
}

/// The name of `month` (1 is January) as a dateline writes it in `lang`.
fn month(lang: &str, month: u32) -> String {
    as_written(
        lang,
        paralelo::internals::dates::month_name(lang, month as usize - 1),
    )
}

fn as_written(lang: &str, name: Option<&str>) -> String {
    let name = name.unwrap_or_default();
    match name.chars().next() {
        Some(first) if lang == "en" => first.to_uppercase().chain(name.chars().skip(1)).collect(),
        _ => name.to_string(),
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count from [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// One generated article.
#[derive(Debug, Clone)]
pub struct Article {
    pub stem: String,
    pub date: DateTime,
    pub title_es: String,
    pub title_en: String,
    pub caption_es: String,
    pub caption_en: String,
    pub credit: String,
    pub paragraphs_es: Vec<String>,
    pub paragraphs_en: Vec<String>,
    /// The lead's first sentence in each language, for an index page.
    pub summary_es: String,
    pub summary_en: String,
    /// Break the seed's paragraphs into lines of about this many characters (a line break
    /// inside a paragraph is a space); 0 keeps each paragraph on one line.
    pub wrap: usize,
}

impl Article {
    /// The contents of `seeds/<stem>.txt`.
    pub fn seed_text(&self) -> String {
        let mut text = format!(
            "{} - {}\n{}\n",
            self.caption_es,
            self.credit,
            self.date.spanish_dateline()
        );
        for paragraph in &self.paragraphs_es {
            text.push('\n');
            push_wrapped(&mut text, paragraph, self.wrap);
            text.push('\n');
        }
        text
    }

    /// The contents of `seeds/<stem>.en.txt`.
    pub fn translation_text(&self) -> String {
        let mut text = format!(
            "+++\ntitle = {}\noriginal_title = {}\n+++\n{} - {}\n{}\n",
            toml_string(&self.title_en),
            toml_string(&self.title_es),
            self.caption_en,
            self.credit,
            self.date.english_dateline()
        );
        for paragraph in &self.paragraphs_en {
            text.push('\n');
            text.push_str(paragraph);
            text.push('\n');
        }
        text
    }

    /// The article as a Hugo content file: both texts as Markdown under TOML front matter.
    pub fn hugo_markdown(&self) -> String {
        let mut text = String::new();
        let _ = write!(
            text,
            "+++\ntitle = {}\ntitle_en = {}\ndate = {}\nslug = {}\nsummary = {}\nsummary_en = {}\ncaption = {}\ncaption_en = {}\ncredit = {}\n+++\n\n",
            toml_string(&self.title_es),
            toml_string(&self.title_en),
            self.date.iso(),
            toml_string(&self.stem),
            toml_string(&self.summary_es),
            toml_string(&self.summary_en),
            toml_string(&self.caption_es),
            toml_string(&self.caption_en),
            toml_string(&self.credit),
        );
        for paragraph in &self.paragraphs_es {
            text.push_str(paragraph);
            text.push_str("\n\n");
        }
        text.push_str("## English\n\n");
        for paragraph in &self.paragraphs_en {
            text.push_str(paragraph);
            text.push_str("\n\n");
        }
        text
    }
}

fn push_wrapped(out: &mut String, paragraph: &str, width: usize) {
    if width == 0 {
        out.push_str(paragraph);
        return;
    }
    let mut line = 0;
    for (i, word) in paragraph.split(' ').enumerate() {
        if i > 0 {
            if line + 1 + word.chars().count() > width {
                out.push('\n');
                line = 0;
            } else {
                out.push(' ');
                line += 1;
            }
        }
        out.push_str(word);
        line += word.chars().count();
    }
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes articles `0..n` of corpus `seed` into `dir` as `<stem>.txt` and `<stem>.en.txt`.
/// Returns the bytes written.
pub fn write_seeds(
    dir: &Path,
    n: usize,
    seed: u64,
    vocabulary: Option<&Vocabulary>,
) -> io::Result<u64> {
    fs::create_dir_all(dir)?;
    let mut bytes = 0;
    for index in 0..n {
        let article = article_with(seed, index, vocabulary);
        let (source, target) = (article.seed_text(), article.translation_text());
        fs::write(dir.join(format!("{}.txt", article.stem)), &source)?;
        fs::write(dir.join(format!("{}.en.txt", article.stem)), &target)?;
        bytes += (source.len() + target.len()) as u64;
    }
    Ok(bytes)
}

/// Writes articles `0..n` of corpus `seed` as a Hugo site in `dir`: `hugo.toml`, minimal
/// layouts and `content/<stem>.md`. `hugo -s DIR` builds it into `DIR/public`.
pub fn write_hugo(
    dir: &Path,
    n: usize,
    seed: u64,
    vocabulary: Option<&Vocabulary>,
) -> io::Result<u64> {
    let layouts = dir.join("layouts").join("_default");
    let content = dir.join("content");
    fs::create_dir_all(&layouts)?;
    fs::create_dir_all(&content)?;
    fs::write(dir.join("hugo.toml"), HUGO_CONFIG)?;
    fs::write(dir.join("layouts").join("index.html"), HUGO_INDEX)?;
    fs::write(layouts.join("single.html"), HUGO_SINGLE)?;
    fs::write(layouts.join("list.html"), HUGO_LIST)?;
    let mut bytes = 0;
    for index in 0..n {
        let article = article_with(seed, index, vocabulary);
        let text = article.hugo_markdown();
        fs::write(content.join(format!("{}.md", article.stem)), &text)?;
        bytes += text.len() as u64;
    }
    Ok(bytes)
}

/// Hugo's configuration: like paralelo's output, 50 articles per index page, a feed of the
/// newest 100 and a sitemap; no taxonomies (the articles have none).
pub const HUGO_CONFIG: &str = r#"baseURL = "https://example.org/"
languageCode = "es"
title = "paralelo benchmark"
disableKinds = ["taxonomy", "term"]
paginate = 50
rssLimit = 100
"#;

pub const HUGO_SINGLE: &str = r#"<!DOCTYPE html>
<html lang="es">
<head>
<meta charset="utf-8">
<title>{{ .Title }} · {{ .Site.Title }}</title>
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
</head>
<body>
<article>
<h1>{{ .Title }}</h1>
<p lang="en">{{ .Params.title_en }}</p>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2 January 2006, 15:04" }}</time>
<figure><figcaption>{{ .Params.caption }} <span class="credit">{{ .Params.credit }}</span></figcaption></figure>
{{ .Content }}
</article>
</body>
</html>
"#;

pub const HUGO_INDEX: &str = r#"<!DOCTYPE html>
<html lang="es">
<head>
<meta charset="utf-8">
<title>{{ .Site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
</head>
<body>
<main>
<h1>{{ .Site.Title }}</h1>
{{ $paginator := .Paginate .Site.RegularPages }}
<ol>
{{ range $paginator.Pages }}
<li>
<a href="{{ .RelPermalink }}">{{ .Title }}</a>
<p lang="en">{{ .Params.title_en }}</p>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2 January 2006" }}</time>
<p>{{ .Summary }}</p>
<p lang="en">{{ .Params.summary_en }}</p>
</li>
{{ end }}
</ol>
<nav>
{{ with $paginator.Prev }}<a href="{{ .URL }}" rel="prev">Newer</a>{{ end }}
<span>Page {{ $paginator.PageNumber }} of {{ $paginator.TotalPages }}</span>
{{ with $paginator.Next }}<a href="{{ .URL }}" rel="next">Older</a>{{ end }}
</nav>
</main>
</body>
</html>
"#;

pub const HUGO_LIST: &str = r#"<!DOCTYPE html>
<html lang="es">
<head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body>
<ol>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}
</ol>
</body>
</html>
"#;

// ---------------------------------------------------------------------------------------------
// The text.

/// A piece of text in both languages.
type Pair = (&'static str, &'static str);

/// Sentence subjects: institutions and people.
const SUBJECTS: &[Pair] = &[
    ("el Gobierno", "the government"),
    ("el Ejecutivo central", "the central government"),
    ("la Comisión Europea", "the European Commission"),
    ("el Ministerio de Sanidad", "the Health Ministry"),
    ("la ministra de Hacienda", "the finance minister"),
    ("el ministro de Asuntos Exteriores", "the foreign minister"),
    ("el Sr. Martínez", "Mr. Martínez"),
    ("la Sra. Ferrer", "Mrs. Ferrer"),
    ("el Dr. O’Donnell", "Dr. O’Donnell"),
    ("la Dra. Lozano", "Dr. Lozano"),
    ("el portavoz del Ejecutivo", "the government spokesman"),
    ("la alcaldesa de Valencia", "the mayor of Valencia"),
    ("el presidente de EE.UU.", "the U.S. president"),
    (
        "la embajada de EE.UU. en Madrid",
        "the U.S. embassy in Madrid",
    ),
    ("los sindicatos mayoritarios", "the main trade unions"),
    ("la patronal", "the employers’ association"),
    ("el Banco de España", "the Bank of Spain"),
    (
        "la Organización Mundial de la Salud",
        "the World Health Organization",
    ),
    ("el Tribunal Supremo", "the Supreme Court"),
    ("la oposición", "the opposition"),
    (
        "el secretario general de la OTAN",
        "the NATO secretary general",
    ),
    ("la Presidencia ucraniana", "the Ukrainian presidency"),
    ("el primer ministro de Japón", "Japan’s prime minister"),
    (
        "la Agencia Estatal de Meteorología",
        "the State Meteorological Agency",
    ),
    ("el consejero de Economía", "the regional economy minister"),
    ("la Policía Nacional", "the National Police"),
    ("el comité de empresa", "the works council"),
    ("la Universidad de Salamanca", "the University of Salamanca"),
    ("el Ayuntamiento de Sevilla", "Seville city council"),
    ("la fiscal general", "the attorney general"),
];

/// Verbs of action, in the perfect (Spanish) and the simple past (English).
const VERBS: &[Pair] = &[
    ("ha aprobado", "approved"),
    ("ha anunciado", "announced"),
    ("ha presentado", "presented"),
    ("ha defendido", "defended"),
    ("ha criticado", "criticised"),
    ("ha rechazado", "rejected"),
    ("ha propuesto", "proposed"),
    ("ha respaldado", "backed"),
    ("ha cuestionado", "questioned"),
    ("ha impulsado", "pushed for"),
    ("ha paralizado", "halted"),
    ("ha revisado", "reviewed"),
    ("ha celebrado", "welcomed"),
];

/// The same verbs for headlines, in the present.
const HEADLINE_VERBS: &[Pair] = &[
    ("aprueba", "approves"),
    ("anuncia", "announces"),
    ("presenta", "presents"),
    ("defiende", "defends"),
    ("critica", "criticises"),
    ("rechaza", "rejects"),
    ("propone", "proposes"),
    ("respalda", "backs"),
    ("cuestiona", "questions"),
    ("paraliza", "halts"),
];

/// Verbs that introduce speech.
const SPEECH: &[Pair] = &[
    ("ha afirmado", "said"),
    ("ha asegurado", "stated"),
    ("ha subrayado", "stressed"),
    ("ha advertido", "warned"),
    ("ha explicado", "explained"),
    ("ha indicado", "indicated"),
    ("ha señalado", "noted"),
    ("ha insistido", "insisted"),
    ("ha recordado", "recalled"),
];

/// Verbs that close a quotation that ran over two paragraphs.
const SPEECH_AFTER: &[Pair] = &[
    ("ha añadido", "added"),
    ("ha proseguido", "went on"),
    ("ha concluido", "concluded"),
    ("ha zanjado", "said in conclusion"),
];

/// Objects; `{M}` is an amount of money, `{N}` a count, `{P}` a percentage.
const OBJECTS: &[Pair] = &[
    (
        "un plan de inversiones de {M}",
        "an investment plan worth {M}",
    ),
    (
        "la reforma del sistema de pensiones",
        "the pension system reform",
    ),
    (
        "un acuerdo para la producción militar conjunta",
        "an agreement on joint military production",
    ),
    (
        "las nuevas sanciones contra Rusia",
        "the new sanctions against Russia",
    ),
    ("el presupuesto para el próximo año", "next year’s budget"),
    (
        "una ley de vivienda más ambiciosa",
        "a more ambitious housing law",
    ),
    (
        "la ampliación del aeropuerto",
        "the expansion of the airport",
    ),
    (
        "un paquete de ayudas para {N} familias",
        "an aid package for {N} families",
    ),
    ("el cierre de {N} oficinas", "the closure of {N} offices"),
    (
        "una subida del salario mínimo del {P}",
        "a {P} rise in the minimum wage",
    ),
    ("el calendario de vacunación", "the vaccination schedule"),
    (
        "la compra de {N} vehículos eléctricos",
        "the purchase of {N} electric vehicles",
    ),
    (
        "la contratación de {N} médicos",
        "the hiring of {N} doctors",
    ),
    ("el nuevo plan hidrológico", "the new water plan"),
    (
        "la cooperación con Japón en materia de defensa",
        "defence cooperation with Japan",
    ),
    ("la rebaja del IVA de los alimentos", "the VAT cut on food"),
];

/// Adverbials that end a sentence; `{D}` is a weekday, `{T}` a time, `{H}` a number of hours.
const ADVERBIALS: &[Pair] = &[
    ("este {D}", "on {D}"),
    ("en un comunicado", "in a statement"),
    ("en rueda de prensa", "at a press conference"),
    (
        "según fuentes del Ministerio",
        "according to ministry sources",
    ),
    ("a las {T}", "at {T}"),
    ("tras una reunión de {H} horas", "after a {H}-hour meeting"),
    (
        "durante la sesión de control",
        "during the question session",
    ),
    ("en declaraciones a los medios", "in remarks to the press"),
    ("ante el Congreso", "before Congress"),
    ("en Bruselas", "in Brussels"),
    ("por segunda vez este año", "for the second time this year"),
    ("sin dar más detalles", "without giving further details"),
];

/// Adverbials that open a sentence.
const LEADS: &[Pair] = &[
    ("En este sentido", "In this regard"),
    ("Por otra parte", "Meanwhile"),
    ("Por su parte", "For its part"),
    ("Además", "In addition"),
    ("Sin embargo", "However"),
    ("Al mismo tiempo", "At the same time"),
    (
        "De acuerdo con los datos oficiales",
        "According to official figures",
    ),
    ("En la misma línea", "Along the same lines"),
    ("Hasta ahora", "Until now"),
];

/// Reported clauses, after `que` / `that`.
const CLAUSES: &[Pair] = &[
    (
        "la inflación se ha moderado hasta el {P} en octubre",
        "inflation eased to {P} in October",
    ),
    (
        "el paro ha bajado en {N} personas",
        "unemployment fell by {N} people",
    ),
    (
        "las negociaciones continuarán la próxima semana",
        "the negotiations will continue next week",
    ),
    (
        "no habrá cambios en el calendario",
        "there will be no changes to the timetable",
    ),
    (
        "el proyecto costará unos {M}",
        "the project will cost about {M}",
    ),
    (
        "la situación sigue siendo muy grave",
        "the situation remains very serious",
    ),
    (
        "los hospitales están preparados para el invierno",
        "hospitals are ready for the winter",
    ),
    (
        "el acuerdo garantiza la seguridad de ambos países",
        "the agreement guarantees the security of both countries",
    ),
    (
        "la investigación sigue abierta",
        "the investigation remains open",
    ),
    (
        "se reforzará la vigilancia en las fronteras",
        "border surveillance will be stepped up",
    ),
    (
        "el Sr. Ortega dimitirá si se confirman los hechos",
        "Mr. Ortega will resign if the facts are confirmed",
    ),
    (
        "las relaciones con EE.UU. atraviesan un buen momento",
        "relations with the U.S. are going through a good period",
    ),
];

/// What people say, as whole sentences (capitalised where they start one).
const QUOTES: &[Pair] = &[
    (
        "es un paso decisivo para el futuro del país",
        "it is a decisive step for the country’s future",
    ),
    (
        "no vamos a dar ni un paso atrás",
        "we will not take a single step back",
    ),
    (
        "la prioridad es proteger a las familias más vulnerables",
        "the priority is to protect the most vulnerable families",
    ),
    (
        "hemos trabajado sin descanso durante meses",
        "we have worked tirelessly for months",
    ),
    (
        "esta decisión no cambiará nuestra postura",
        "this decision will not change our position",
    ),
    (
        "el diálogo es la única salida",
        "dialogue is the only way out",
    ),
    ("nadie quedará atrás", "no one will be left behind"),
    (
        "los datos hablan por sí solos",
        "the figures speak for themselves",
    ),
    (
        "se trata de una amenaza para todo el mundo",
        "it is a threat to the whole world",
    ),
    (
        "vamos a invertir {M} en los próximos años",
        "we are going to invest {M} in the coming years",
    ),
    (
        "el Sr. Ortega no ha dado ninguna explicación",
        "Mr. Ortega has not given any explanation",
    ),
    (
        "la relación con EE.UU. es excelente",
        "the relationship with the U.S. is excellent",
    ),
    (
        "hay {N} personas esperando una respuesta",
        "there are {N} people waiting for an answer",
    ),
    (
        "el crecimiento del {P} demuestra que vamos en la buena dirección",
        "growth of {P} shows that we are heading in the right direction",
    ),
];

/// Quoted fragments that finish a sentence after `para` / `to`.
const FRAGMENTS: &[Pair] = &[
    (
        "lograr una paz justa y duradera lo antes posible",
        "achieve a just and lasting peace as soon as possible",
    ),
    (
        "garantizar una mayor seguridad y desarrollo para ambos países",
        "ensure greater security and development for both countries",
    ),
    (
        "proteger a las familias más vulnerables",
        "protect the most vulnerable families",
    ),
    (
        "ampliar la cooperación en materia de reconstrucción",
        "expand cooperation on reconstruction",
    ),
    (
        "construir sólidas asociaciones",
        "build strong partnerships",
    ),
    (
        "recuperar la confianza de los ciudadanos",
        "restore the trust of citizens",
    ),
];

/// Quoted words that name something.
const EPITHETS: &[Pair] = &[
    ("inaceptable", "unacceptable"),
    ("un error histórico", "a historic mistake"),
    ("una oportunidad única", "a unique opportunity"),
    ("papel mojado", "a dead letter"),
    ("una trampa", "a trap"),
];

/// Slogans quoted inside a quotation.
const SLOGANS: &[Pair] = &[
    ("nunca más", "never again"),
    ("ni un paso atrás", "not one step back"),
    ("tolerancia cero", "zero tolerance"),
    ("paz justa", "just peace"),
    ("primero, las personas", "people first"),
    ("sí se puede", "yes, we can"),
    ("la vivienda es un derecho", "housing is a right"),
];

/// Frames around a nested slogan `{S}`: whole sentences.
const NESTED: &[Pair] = &[
    (
        "el lema {S} sigue plenamente vigente",
        "the motto {S} is still fully valid",
    ),
    (
        "lo que algunos llaman {S} no es suficiente",
        "what some call {S} is not enough",
    ),
    (
        "seguiremos defendiendo el {S} que nos une",
        "we will keep defending the {S} that unites us",
    ),
    (
        "nadie en este Gobierno ha renunciado al {S}",
        "nobody in this government has given up on {S}",
    ),
];

const CROWD_EVENTS: &[Pair] = &[
    ("la manifestación de este domingo", "Sunday’s demonstration"),
    (
        "las protestas convocadas por los sindicatos",
        "the protests called by the unions",
    ),
    ("el simulacro de emergencia", "the emergency drill"),
    ("la jornada de puertas abiertas", "the open day"),
];

const COUNT_SOURCES: &[Pair] = &[
    ("la Delegación del Gobierno", "the government delegation"),
    ("los organizadores", "the organisers"),
    ("fuentes policiales", "police sources"),
];

const CAPTION_PEOPLE: &[Pair] = &[
    (
        "El presidente ucraniano, Volodimir Zelenski,",
        "Ukrainian President Volodymyr Zelensky",
    ),
    (
        "La ministra de Hacienda, María Jesús Montero,",
        "Finance Minister María Jesús Montero",
    ),
    (
        "El secretario general de la OTAN, Mark Rutte,",
        "NATO Secretary General Mark Rutte",
    ),
    (
        "La primera ministra de Japón, Sanae Takaichi,",
        "Japanese Prime Minister Sanae Takaichi",
    ),
    (
        "El alcalde de Madrid, José Luis Martínez-Almeida,",
        "Madrid Mayor José Luis Martínez-Almeida",
    ),
    (
        "La presidenta de la Comisión Europea, Ursula von der Leyen,",
        "European Commission President Ursula von der Leyen",
    ),
];

const CAPTION_ACTIONS: &[Pair] = &[
    (
        "participa en una videoconferencia de la Coalición de Voluntarios",
        "takes part in a video conference of the Coalition of the Willing",
    ),
    (
        "interviene durante una rueda de prensa en Madrid",
        "speaks at a press conference in Madrid",
    ),
    (
        "llega a la cumbre de líderes en Bruselas",
        "arrives at the leaders’ summit in Brussels",
    ),
    (
        "comparece ante la Comisión de Presupuestos",
        "appears before the Budget Committee",
    ),
    (
        "saluda a su llegada al Palacio de la Moncloa",
        "waves on arrival at the Moncloa Palace",
    ),
];

const CREDITS: &[&str] = &[
    "Henry Nicholls/PA Wire/dpa",
    "Europa Press",
    "EFE",
    "Eduardo Parra/Europa Press",
    "Kay Nietfeld/dpa",
    "Ludovic Marin/AFP",
    "Jesús Hellín/Europa Press",
];

/// Words a sentence may start with that lose their capital when it joins the one before.
const LOWERABLE_ES: &[&str] = &["El", "La", "Los", "Las", "Un", "Una", "Según"];
const LOWERABLE_EN: &[&str] = &["The", "A", "An", "According"];

/// Text in both languages.
#[derive(Debug, Clone, Default)]
struct Bi {
    es: String,
    en: String,
}

/// Upper-cases the first letter.
fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `1500` as `1.500` or `1,500`.
fn grouped(n: u64, separator: char) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// Fills the `{M}`, `{N}`, `{P}`, `{D}`, `{T}`, `{H}` and `{S}` slots of a pair.
fn fill(rng: &mut Rng, (es, en): Pair) -> Bi {
    let mut out = Bi {
        es: es.to_string(),
        en: en.to_string(),
    };
    if es.contains("{M}") {
        let millions = rng.range(12, 9_500) as u64;
        out.es = out.es.replace(
            "{M}",
            &format!("{} millones de euros", grouped(millions, '.')),
        );
        out.en = out
            .en
            .replace("{M}", &format!("{} million euros", grouped(millions, ',')));
    }
    if es.contains("{N}") {
        let n = [rng.range(120, 990), rng.range(1_000, 99_999)][rng.below(2)] as u64;
        out.es = out.es.replace("{N}", &grouped(n, '.'));
        out.en = out.en.replace("{N}", &grouped(n, ','));
    }
    if es.contains("{P}") {
        let (units, tenths) = (rng.range(0, 12), rng.range(1, 9));
        out.es = out
            .es
            .replace("{P}", &format!("{units},{tenths} por ciento"));
        out.en = out.en.replace("{P}", &format!("{units}.{tenths} percent"));
    }
    if es.contains("{D}") {
        let day = rng.below(5);
        out.es = out.es.replace("{D}", &weekday("es", day));
        out.en = out.en.replace("{D}", &weekday("en", day));
    }
    if es.contains("{T}") {
        let (h, m) = (rng.range(8, 22), rng.range(0, 59));
        out.es = out.es.replace("{T}", &format!("{h}.{m:02} horas"));
        out.en = out.en.replace("{T}", &format!("{h}:{m:02}"));
    }
    if es.contains("{H}") {
        let hours = rng.range(2, 14).to_string();
        out.es = out.es.replace("{H}", &hours);
        out.en = out.en.replace("{H}", &hours);
    }
    out
}

/// How a Spanish quotation is marked; the translation uses `“…”` (and sometimes `"…"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Straight,
    Guillemet,
    Curly,
    /// `«… ‘…’ …»`
    NestedSingle,
    /// `«… “…” …»`
    NestedDouble,
}

const STYLES: [Style; 5] = [
    Style::Straight,
    Style::Guillemet,
    Style::Curly,
    Style::NestedSingle,
    Style::NestedDouble,
];

/// Opening and closing marks in both languages.
struct Marks {
    es: (&'static str, &'static str),
    en: (&'static str, &'static str),
}

fn marks(rng: &mut Rng, style: Style) -> Marks {
    let es = match style {
        Style::Straight => ("\"", "\""),
        Style::Curly => ("“", "”"),
        _ => ("«", "»"),
    };
    let en = if style == Style::Straight && rng.chance(30) {
        ("\"", "\"")
    } else {
        ("“", "”")
    };
    Marks { es, en }
}

/// The words of a quotation: a whole sentence, capitalised or not.
fn quote_content(rng: &mut Rng, style: Style, capital: bool) -> Bi {
    let mut content = match style {
        Style::NestedSingle | Style::NestedDouble => {
            let slogan = rng.pick(SLOGANS);
            let inner_es = if style == Style::NestedSingle {
                format!("‘{}’", slogan.0)
            } else {
                format!("“{}”", slogan.0)
            };
            let inner_en = format!("‘{}’", slogan.1);
            let frame = rng.pick(NESTED);
            Bi {
                es: frame.0.replace("{S}", &inner_es),
                en: frame.1.replace("{S}", &inner_en),
            }
        }
        _ => pick_fill(rng, QUOTES),
    };
    if capital {
        content.es = capitalize(&content.es);
        content.en = capitalize(&content.en);
    }
    content
}

/// One sentence in both languages.
#[derive(Debug, Clone)]
struct Sentence {
    text: Bi,
    /// Holds a quotation (or part of one): never joined with a neighbour.
    quoted: bool,
}

fn pick_fill(rng: &mut Rng, list: &[Pair]) -> Bi {
    let pair = rng.pick(list);
    fill(rng, pair)
}

/// Builds a sentence from its Spanish and English text.
fn sentence(es: String, en: String, quoted: bool) -> Sentence {
    Sentence {
        text: Bi { es, en },
        quoted,
    }
}

/// A sentence without quotations.
fn plain_sentence(rng: &mut Rng) -> Sentence {
    let subj = pick_fill(rng, SUBJECTS);
    let (subj_es, subj_en) = (capitalize(&subj.es), capitalize(&subj.en));
    let verb = rng.pick(VERBS);
    let obj = pick_fill(rng, OBJECTS);
    let (es, en) = match rng.below(8) {
        0 | 1 => {
            let adv = pick_fill(rng, ADVERBIALS);
            (
                format!("{subj_es} {} {} {}.", verb.0, obj.es, adv.es),
                format!("{subj_en} {} {} {}.", verb.1, obj.en, adv.en),
            )
        }
        2 => {
            let (speech, clause, adv) = (
                rng.pick(SPEECH),
                pick_fill(rng, CLAUSES),
                pick_fill(rng, ADVERBIALS),
            );
            (
                format!("{subj_es} {} que {}, {}.", speech.0, clause.es, adv.es),
                format!("{subj_en} {} that {}, {}.", speech.1, clause.en, adv.en),
            )
        }
        3 => {
            let lead = rng.pick(LEADS);
            (
                format!("{}, {} {} {}.", lead.0, subj.es, verb.0, obj.es),
                format!("{}, {} {} {}.", lead.1, subj.en, verb.1, obj.en),
            )
        }
        4 => {
            let (subj2, verb2, obj2) = (
                pick_fill(rng, SUBJECTS),
                rng.pick(VERBS),
                pick_fill(rng, OBJECTS),
            );
            (
                format!(
                    "{subj_es} {} {}, al tiempo que {} {} {}.",
                    verb.0, obj.es, subj2.es, verb2.0, obj2.es
                ),
                format!(
                    "{subj_en} {} {}, while {} {} {}.",
                    verb.1, obj.en, subj2.en, verb2.1, obj2.en
                ),
            )
        }
        5 => {
            let source = rng.pick(COUNT_SOURCES);
            (
                format!(
                    "{subj_es} {} medidas en ámbitos como la sanidad, la educación, la vivienda, etc., según {}.",
                    verb.0, source.0
                ),
                format!(
                    "{subj_en} {} measures in areas such as health, education, housing, etc., according to {}.",
                    verb.1, source.1
                ),
            )
        }
        6 => {
            let count = fill(rng, ("{N}", "{N}"));
            let (event, source) = (rng.pick(CROWD_EVENTS), rng.pick(COUNT_SOURCES));
            (
                format!(
                    "{} personas han participado en {}, según {}.",
                    count.es, event.0, source.0
                ),
                format!(
                    "{} people took part in {}, according to {}.",
                    count.en, event.1, source.1
                ),
            )
        }
        _ => {
            let growth = fill(rng, ("{P}", "{P}"));
            let before = fill(rng, ("{P}", "{P}"));
            let time = fill(rng, ("{T}", "{T}"));
            (
                format!(
                    "{subj_es} prevé un crecimiento del {} este año, frente al {} del anterior, según el informe publicado a las {}.",
                    growth.es, before.es, time.es
                ),
                format!(
                    "{subj_en} expects growth of {} this year, compared with {} last year, according to the report published at {}.",
                    growth.en, before.en, time.en
                ),
            )
        }
    };
    sentence(es, en, false)
}

/// A sentence with one quotation.
fn quote_sentence(rng: &mut Rng, style: Style) -> Sentence {
    let Marks {
        es: (eo, ec),
        en: (no, nc),
    } = marks(rng, style);
    let subj = pick_fill(rng, SUBJECTS);
    let (subj_es, subj_en) = (capitalize(&subj.es), capitalize(&subj.en));
    let nested = matches!(style, Style::NestedSingle | Style::NestedDouble);
    let (es, en) = match rng.below(if nested { 2 } else { 4 }) {
        // Mr. X said: “Words.”
        0 => {
            let speech = rng.pick(SPEECH);
            let q = quote_content(rng, style, true);
            (
                format!("{subj_es} {}: {eo}{}{ec}.", speech.0, q.es),
                format!("{subj_en} {}: {no}{}.{nc}", speech.1, q.en),
            )
        }
        // “Words,” Mr. X said.
        1 => {
            let speech = rng.pick(SPEECH);
            let q = quote_content(rng, style, true);
            (
                format!("{eo}{}{ec}, {} {}.", q.es, speech.0, subj.es),
                format!("{no}{},{nc} {} {}.", q.en, subj.en, speech.1),
            )
        }
        // X backed the plan to “achieve peace.”
        2 => {
            let (verb, obj, fragment) = (
                rng.pick(VERBS),
                pick_fill(rng, OBJECTS),
                rng.pick(FRAGMENTS),
            );
            (
                format!(
                    "{subj_es} {} {} para {eo}{}{ec}.",
                    verb.0, obj.es, fragment.0
                ),
                format!("{subj_en} {} {} to {no}{}.{nc}", verb.1, obj.en, fragment.1),
            )
        }
        // X described the plan as “a trap” on Monday.
        _ => {
            let (obj, adv, epithet) = (
                pick_fill(rng, OBJECTS),
                pick_fill(rng, ADVERBIALS),
                rng.pick(EPITHETS),
            );
            (
                format!(
                    "{subj_es} ha calificado de {eo}{}{ec} {} {}.",
                    epithet.0, obj.es, adv.es
                ),
                format!(
                    "{subj_en} described {} as {no}{}{nc} {}.",
                    obj.en, epithet.1, adv.en
                ),
            )
        }
    };
    sentence(es, en, true)
}

/// Two different quoted sentences.
fn two_quotes(rng: &mut Rng) -> (Bi, Bi) {
    let first = quote_content(rng, Style::Guillemet, true);
    loop {
        let second = quote_content(rng, Style::Guillemet, true);
        if second.es != first.es {
            return (first, second);
        }
    }
}

/// A quotation that runs on from the end of one paragraph into the next.
struct RunOn {
    speaker_en: String,
}

/// The last sentence of a paragraph that opens a quotation and leaves it open.
fn run_on_start(rng: &mut Rng) -> (Sentence, RunOn) {
    let (subj, speech) = (pick_fill(rng, SUBJECTS), rng.pick(SPEECH));
    let (first, second) = two_quotes(rng);
    (
        sentence(
            format!(
                "{} {}: «{}. {}.",
                capitalize(&subj.es),
                speech.0,
                first.es,
                second.es
            ),
            format!(
                "{} {}: “{}. {}.",
                capitalize(&subj.en),
                speech.1,
                first.en,
                second.en
            ),
            true,
        ),
        RunOn {
            speaker_en: subj.en,
        },
    )
}

/// The first sentence of the next paragraph, which goes on with the quotation and closes it.
fn run_on_end(rng: &mut Rng, run_on: &RunOn) -> Sentence {
    let speech = rng.pick(SPEECH_AFTER);
    let (first, second) = two_quotes(rng);
    sentence(
        format!("»{}. {}», {}.", first.es, second.es, speech.0),
        format!(
            "“{}. {},” {} {}.",
            first.en, second.en, run_on.speaker_en, speech.1
        ),
        true,
    )
}

/// Joins sentence `b` to sentence `a` in one language, when `b` can lose its capital.
fn join(a: &str, b: &str, conjunction: &str, lowerable: &[&str]) -> Option<String> {
    let first_word = b.split(' ').next()?;
    let joined_b = if first_word.starts_with(|c: char| c.is_ascii_digit()) {
        b.to_string()
    } else if lowerable.contains(&first_word) {
        let mut chars = b.chars();
        let first = chars.next()?;
        first.to_lowercase().chain(chars).collect()
    } else {
        return None;
    };
    Some(format!("{}{conjunction}{joined_b}", a.strip_suffix('.')?))
}

fn count_words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// One paragraph: `quotes` quotations of the given styles, perhaps closing a quotation from the
/// paragraph before and perhaps leaving one open for the next.
fn paragraph(
    rng: &mut Rng,
    vocabulary: Option<&Vocabulary>,
    styles: &[Style],
    run_on_in: Option<&RunOn>,
    run_on_out: bool,
) -> (Bi, Bi, Option<RunOn>) {
    for attempt in 0.. {
        let target = rng.range(60, 120);
        let mut opening = run_on_in.map(|r| run_on_end(rng, r));
        let mut body: Vec<Sentence> = styles.iter().map(|&s| quote_sentence(rng, s)).collect();
        let (closing, run_on) = if run_on_out {
            let (sentence, run_on) = run_on_start(rng);
            (Some(sentence), Some(run_on))
        } else {
            (None, None)
        };
        let words = |s: &Sentence| count_words(&s.text.es);
        let mut total: usize = opening.iter().chain(&body).chain(&closing).map(words).sum();
        while total < target {
            let sentence = match vocabulary {
                Some(vocabulary) if rng.chance(50) => vocabulary_sentence(rng, vocabulary),
                _ => plain_sentence(rng),
            };
            total += words(&sentence);
            let at = rng.below(body.len() + 1);
            body.insert(at, sentence);
        }
        if total > 117 && attempt < 100 {
            continue;
        }
        let sentences: Vec<Sentence> = opening
            .take()
            .into_iter()
            .chain(body)
            .chain(closing)
            .collect();
        let (text, first) = join_some(rng, sentences);
        return (text, first, run_on);
    }
    unreachable!()
}

/// Joins the sentences into a paragraph; a translation now and then makes one sentence of two
/// (and, more rarely, the original does), so that sentence counts differ as in real pairs.
/// Returns the paragraph and its first sentence.
fn join_some(rng: &mut Rng, sentences: Vec<Sentence>) -> (Bi, Bi) {
    let mut es: Vec<String> = Vec::new();
    let mut en: Vec<String> = Vec::new();
    let mut previous_plain = false;
    for sentence in sentences {
        let plain = !sentence.quoted;
        let mut joined = false;
        if plain && previous_plain {
            // Mostly the translation joins two sentences, now and then the original does.
            let english = if rng.chance(12) {
                Some(true)
            } else {
                rng.chance(5).then_some(false)
            };
            match english {
                Some(true) => {
                    let last = en.last_mut().unwrap();
                    if let Some(text) = join(last, &sentence.text.en, ", and ", LOWERABLE_EN) {
                        *last = text;
                        es.push(sentence.text.es.clone());
                        joined = true;
                    }
                }
                Some(false) => {
                    let last = es.last_mut().unwrap();
                    if let Some(text) = join(last, &sentence.text.es, ", y ", LOWERABLE_ES) {
                        *last = text;
                        en.push(sentence.text.en.clone());
                        joined = true;
                    }
                }
                None => {}
            }
        }
        if !joined {
            es.push(sentence.text.es);
            en.push(sentence.text.en);
        }
        // One join at a time: the next sentence stands alone.
        previous_plain = plain && !joined;
    }
    let first = Bi {
        es: es.first().cloned().unwrap_or_default(),
        en: en.first().cloned().unwrap_or_default(),
    };
    let paragraph = Bi {
        es: es.join(" "),
        en: en.join(" "),
    };
    (paragraph, first)
}

/// A sentence whose object is a run of 4–12 words drawn from `vocabulary`, kept as they are in
/// the translation.
fn vocabulary_sentence(rng: &mut Rng, vocabulary: &Vocabulary) -> Sentence {
    let subj = pick_fill(rng, SUBJECTS);
    let verb = rng.pick(VERBS);
    let words: Vec<&str> = (0..rng.range(4, 12))
        .map(|_| vocabulary.draw(rng))
        .collect();
    let words = words.join(" ");
    sentence(
        format!("{} {} {words}.", capitalize(&subj.es), verb.0),
        format!("{} {} {words}.", capitalize(&subj.en), verb.1),
        false,
    )
}

/// Article `index` of corpus `seed`, from the sentence frames' words alone.
pub fn article(seed: u64, index: usize) -> Article {
    article_with(seed, index, None)
}

/// Article `index` of corpus `seed`, with words drawn from `vocabulary` when there is one.
pub fn article_with(seed: u64, index: usize, vocabulary: Option<&Vocabulary>) -> Article {
    let mut rng = Rng::new(article_seed(seed, index));

    let start = days_from_civil(2016, 1, 1);
    let end = days_from_civil(2025, 12, 31);
    let (year, month, day) = civil_from_days(start + rng.below((end - start + 1) as usize) as i64);
    let date = DateTime {
        year,
        month,
        day,
        hour: rng.range(6, 23) as u32,
        minute: rng.range(0, 59) as u32,
    };

    let (person, action) = (rng.pick(CAPTION_PEOPLE), rng.pick(CAPTION_ACTIONS));
    let credit = rng.pick(CREDITS).to_string();

    let subj = pick_fill(&mut rng, SUBJECTS);
    let verb = rng.pick(HEADLINE_VERBS);
    let obj = pick_fill(&mut rng, OBJECTS);
    let title_es = capitalize(&format!("{} {} {}", subj.es, verb.0, obj.es));
    let title_en = capitalize(&format!("{} {} {}", subj.en, verb.1, obj.en));

    // Every style in turn from a random one, so that an article has most of them.
    let mut style_turn = rng.below(STYLES.len());
    let count = rng.range(6, 9);
    let run_on_at = rng.chance(40).then(|| rng.below(count - 1));
    let mut run_on: Option<RunOn> = None;
    let (mut paragraphs_es, mut paragraphs_en) = (Vec::new(), Vec::new());
    let mut summary = Bi::default();
    for k in 0..count {
        let quotes = match rng.below(20) {
            0..=6 => 0,
            7..=15 => 1,
            _ => 2,
        };
        let styles: Vec<Style> = (0..quotes)
            .map(|_| {
                style_turn += 1;
                STYLES[style_turn % STYLES.len()]
            })
            .collect();
        let (text, first, next) = paragraph(
            &mut rng,
            vocabulary,
            &styles,
            run_on.as_ref(),
            run_on_at == Some(k),
        );
        if k == 0 {
            summary = first;
        }
        run_on = next;
        paragraphs_es.push(text.es);
        paragraphs_en.push(text.en);
    }

    Article {
        stem: stem(seed, index),
        date,
        title_es,
        title_en,
        caption_es: format!("{} {}.", person.0, action.0),
        caption_en: format!("{} {}.", person.1, action.1),
        credit,
        summary_es: summary.es,
        summary_en: summary.en,
        paragraphs_es,
        paragraphs_en,
        wrap: if rng.chance(20) {
            rng.range(70, 100)
        } else {
            0
        },
    }
}
