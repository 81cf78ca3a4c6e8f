//! The in-process Apertium analysers against Apertium's own programs, record by record: the
//! stream text of each paragraph must be the same string. On the shipped seed and the
//! real-text fixtures under `cargo test`; on a larger sample (the fixtures, the seed, and every
//! word of /usr/share/dict/spanish) with
//!
//!     cargo test --release --test apertium_diff -- --ignored --nocapture
//!
//! Without Apertium's programs or `apertium-eng-spa` each test says SKIPPED and passes, unless
//! `CI` is `true` or PARALELO_REQUIRE_TOOLS is set (to anything but "" or "0"): then it fails.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use paralelo::internals::apertium::{Bilingual, Morphology, SpanishAnalyser};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn required() -> bool {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0");
    std::env::var("CI").is_ok_and(|v| v == "true") || set("PARALELO_REQUIRE_TOOLS")
}

/// The pair's folder when Apertium and its data are installed; else SKIPPED (or a failure
/// under CI).
fn pair_dir(test: &str) -> Option<PathBuf> {
    let dirs = std::env::var_os("APERTIUM_DATADIR")
        .map(PathBuf::from)
        .into_iter()
        .chain(["/usr/local/share/apertium", "/usr/share/apertium"].map(PathBuf::from));
    let found = dirs
        .map(|d| d.join("apertium-eng-spa"))
        .find(|d| d.join("spa-eng.automorf.bin").is_file());
    let runs = Command::new("lt-proc")
        .arg("-h")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    match found {
        Some(dir) if runs => Some(dir),
        _ if required() => panic!("{test}: Apertium (lt-proc, apertium-eng-spa) is required here"),
        _ => {
            eprintln!("SKIPPED {test}: Apertium or apertium-eng-spa is not installed");
            None
        }
    }
}

/// Text as a stream record's content: the stream's special characters escaped.
fn escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\^$/<>[]{}@".contains(c) {
            out.push('\\');
        }
        out.push(if c == '\0' { ' ' } else { c });
    }
    out
}

/// What a null-flushing command answers to each text, sent as `escape(text)\n\0`.
fn pipe(command: &mut Command, texts: &[String]) -> Vec<String> {
    let records: Vec<String> = texts.iter().map(|t| format!("{}\n", escape(t))).collect();
    pipe_records(command, &records)
}

/// What a null-flushing command answers to each record, sent as it is with a NUL after it.
fn pipe_records(command: &mut Command, records: &[String]) -> Vec<String> {
    let texts = records;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start Apertium");
    let mut input = String::new();
    for record in records {
        input.push_str(record);
        input.push('\0');
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let mut output = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut output)
        .unwrap();
    writer.join().unwrap().unwrap();
    child.wait().unwrap();
    let output = String::from_utf8(output).expect("UTF-8 from Apertium");
    let mut records: Vec<String> = output.split('\0').map(str::to_string).collect();
    // After its last record lt-proc answers the end of its input with one more NUL.
    while records.len() > texts.len() && records.last().is_some_and(String::is_empty) {
        records.pop();
    }
    assert_eq!(records.len(), texts.len(), "one answer per record");
    records
}

/// The lexical units of a stream record, `^…$` each, in order.
fn units(stream: &str) -> Vec<&str> {
    let mut units = Vec::new();
    let bytes = stream.as_bytes();
    let (mut i, mut start) = (0, None);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'^' if start.is_none() => start = Some(i),
            b'$' => {
                if let Some(s) = start.take() {
                    units.push(&stream[s..=i]);
                }
            }
            _ => {}
        }
        i += 1;
    }
    units
}

/// Counts, over all records, the lexical units and those that differ (by position, after the
/// longest common prefix and suffix of each record's units), printing the first differences.
struct Tally {
    name: String,
    records: usize,
    differing_records: usize,
    units: usize,
    differing_units: usize,
    shown: usize,
}

impl Tally {
    fn new(name: &str) -> Tally {
        Tally {
            name: name.to_string(),
            records: 0,
            differing_records: 0,
            units: 0,
            differing_units: 0,
            shown: 0,
        }
    }

    fn compare(&mut self, text: &str, expected: &str, actual: &str) {
        self.records += 1;
        let (e, a) = (units(expected), units(actual));
        self.units += e.len();
        if expected == actual {
            return;
        }
        self.differing_records += 1;
        let prefix = e.iter().zip(&a).take_while(|(x, y)| x == y).count();
        let suffix = e[prefix..]
            .iter()
            .rev()
            .zip(a[prefix..].iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
        let differing = (e.len() - prefix - suffix)
            .max(a.len() - prefix - suffix)
            .max(1);
        self.differing_units += differing;
        if self.shown < 8 {
            self.shown += 1;
            eprintln!(
                "{}: differs in {text:?}\n  pipe:       {:?}\n  in-process: {:?}",
                self.name,
                &e[prefix..e.len() - suffix],
                &a[prefix..a.len() - suffix]
            );
            if e == a {
                eprintln!("  (blanks differ)\n  pipe: {expected:?}\n  ours: {actual:?}");
            }
        }
    }

    fn report(&self) -> f64 {
        let share = self.differing_units as f64 / self.units.max(1) as f64;
        eprintln!(
            "{}: {} records ({} differ), {} lexical units, {} differ ({:.4}%)",
            self.name,
            self.records,
            self.differing_records,
            self.units,
            self.differing_units,
            share * 100.0
        );
        share
    }
}

/// The paragraphs of the shipped seeds: every non-empty line of each `seeds/*.txt` that is not
/// a translation (`*.en.txt`).
fn seed_paragraphs() -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".txt") && !name.ends_with(".en.txt")
        })
        .collect();
    files.sort();
    let mut paragraphs = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        paragraphs.extend(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string),
        );
    }
    paragraphs
}

/// The `es:` (or `en:`) paragraphs of the fixtures in the alignment format (a paragraph's
/// sentence lines joined by spaces), and the Spanish columns of the TSV fixtures.
fn fixture_paragraphs(language: &str) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let prefix = format!("{language}: ");
    let mut files: Vec<PathBuf> = ["alignment", "real-news"]
        .iter()
        .flat_map(|dir| {
            std::fs::read_dir(Path::new(ROOT).join("tests/fixtures").join(dir)).unwrap()
        })
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        let mut current: Option<String> = None;
        for line in text.lines() {
            if let Some(sentence) = line.strip_prefix(&prefix) {
                match &mut current {
                    Some(p) => {
                        p.push(' ');
                        p.push_str(sentence);
                    }
                    None => current = Some(sentence.to_string()),
                }
            } else if let Some(p) = current.take() {
                paragraphs.push(p);
            }
        }
        paragraphs.extend(current);
    }
    if language == "es" {
        for tsv in ["glosses/seed-000.tsv", "senses/senses.tsv"] {
            let text =
                std::fs::read_to_string(Path::new(ROOT).join("tests/fixtures").join(tsv)).unwrap();
            for line in text.lines().filter(|l| !l.starts_with('#')) {
                paragraphs.extend(line.split('\t').next().map(str::to_string));
            }
        }
    }
    paragraphs
}

fn morphology(dir: &Path, file: &str) -> Morphology {
    let morphology = Morphology::load(&dir.join(file)).expect("the in-process reader loads it");
    eprintln!("{file}: loaded in {:?}", morphology.load_time);
    morphology
}

fn compare_analyser(name: &str, dir: &Path, file: &str, texts: &[String]) -> Tally {
    let expected = pipe(
        Command::new("lt-proc")
            .args(["-z", "-w"])
            .arg(dir.join(file)),
        texts,
    );
    let morphology = morphology(dir, file);
    let answers: Vec<String> = texts.iter().map(|text| morphology.analyse(text)).collect();
    let mut tally = Tally::new(name);
    for ((text, expected), answer) in texts.iter().zip(&expected).zip(&answers) {
        tally.compare(text, expected, answer);
    }
    // The analyser remembers the words it met (a word already met is replayed, or its analysis
    // goes on from where it stood after the word): a second time through, the words come
    // from that memo, and the answers must not change, nor differ from an analysis without it.
    assert!(morphology.remembered_words() > 0 || texts.iter().all(|t| t.trim().is_empty()));
    for (text, answer) in texts.iter().zip(&answers) {
        assert_eq!(&morphology.analyse(text), answer, "from the memo: {text:?}");
        assert_eq!(&morphology.analyse_afresh(text), answer, "afresh: {text:?}");
    }
    tally
}

#[test]
fn spanish_analyser_matches_lt_proc_on_the_seed() {
    let Some(dir) = pair_dir("spanish_analyser_matches_lt_proc_on_the_seed") else {
        return;
    };
    let tally = compare_analyser("seed", &dir, "spa-eng.automorf.bin", &seed_paragraphs());
    tally.report();
    assert_eq!(tally.differing_units, 0);
}

#[test]
fn spanish_analyser_matches_lt_proc_on_real_text() {
    let Some(dir) = pair_dir("spanish_analyser_matches_lt_proc_on_real_text") else {
        return;
    };
    let tally = compare_analyser(
        "Spanish fixtures",
        &dir,
        "spa-eng.automorf.bin",
        &fixture_paragraphs("es"),
    );
    assert!(tally.units > 5000, "the fixtures hold real text");
    assert!(tally.report() <= 0.001);
}

#[test]
fn english_analyser_matches_lt_proc_on_real_text() {
    let Some(dir) = pair_dir("english_analyser_matches_lt_proc_on_real_text") else {
        return;
    };
    let mut texts = fixture_paragraphs("en");
    let seed_en = Path::new(ROOT).join("seeds/000_df1e1d8b34815c19.en.txt");
    if let Ok(text) = std::fs::read_to_string(seed_en) {
        texts.extend(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string),
        );
    }
    let tally = compare_analyser("English fixtures", &dir, "eng-spa.automorf.bin", &texts);
    assert!(tally.units > 5000, "the fixtures hold real text");
    assert!(tally.report() <= 0.001);
}

/// Tricky input: escapes, soft hyphens, blanks of every kind, unknown words, case, digits.
#[test]
fn spanish_analyser_matches_lt_proc_on_edge_cases() {
    let Some(dir) = pair_dir("spanish_analyser_matches_lt_proc_on_edge_cases") else {
        return;
    };
    let texts: Vec<String> = [
        "",
        " ",
        "a",
        "\\ ^ $ / < > [ ] { } @",
        "[1] {x} <b>",
        "co\u{AD}rrer",
        "tab\tnueva\nlínea  dos\u{A0}espacios",
        "EL PRESIDENTE DE LA REPÚBLICA",
        "Xyzzyq plugh, ¿qué?",
        "del al dámelo díselo",
        "a través de, sin embargo, puesto que",
        "3,5 millones 1.200 20% 13:34 2025-11-05",
        "O'Brien l'Hospitalet d'Alembert",
        "e-mail https://ejemplo.es/a?b=c#d",
        "¡Hola!¿Qué?—dijo…",
        "\u{0130}stanbul İSTANBUL ß",
        "niño NIÑO Niño nIÑO",
        "ab\u{0}cd",
        "x",
        "Estados Unidos de América",
        "ha sido, ha de ir, ha; ha",
        "por ciento por por ciento por. Por ciento",
        "EE.UU. EE. UU. EE.UU EE",
        "sin embargo sin sin embargo, sin",
    ]
    .map(str::to_string)
    .to_vec();
    let tally = compare_analyser("edge cases", &dir, "spa-eng.automorf.bin", &texts);
    tally.report();
    assert_eq!(tally.differing_records, 0);
}

/// Every word of Debian's Spanish word list, capitalised and not, one record per 200 words;
/// then speed on the whole list.
#[test]
#[ignore = "large sample: run with --ignored, in release mode"]
fn spanish_analyser_matches_lt_proc_on_a_large_sample() {
    let Some(dir) = pair_dir("spanish_analyser_matches_lt_proc_on_a_large_sample") else {
        return;
    };
    let mut texts = fixture_paragraphs("es");
    texts.extend(seed_paragraphs());
    if let Ok(list) = std::fs::read_to_string("/usr/share/dict/spanish") {
        let words: Vec<&str> = list.lines().collect();
        for chunk in words.chunks(200) {
            texts.push(chunk.join(" "));
            let capitalised: Vec<String> = chunk
                .iter()
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().chain(c).collect())
                        .unwrap_or_default()
                })
                .collect();
            texts.push(capitalised.join(", "));
        }
    }
    let tally = compare_analyser("large sample", &dir, "spa-eng.automorf.bin", &texts);
    let share = tally.report();

    let rss = resident_kib();
    let started = Instant::now();
    let spanish = SpanishAnalyser::load(&dir).expect("it loads");
    let bilingual = Bilingual::load(&dir.join("spa-eng.autobil.bin")).expect("it loads");
    let english = Morphology::load(&dir.join("eng-spa.automorf.bin")).expect("it loads");
    eprintln!(
        "loaded spa-eng.automorf.bin + spa-eng.prob in {:?}, spa-eng.autobil.bin in {:?}, \
         eng-spa.automorf.bin in {:?} ({:?} in all); tables {:.1} + {:.1} + {:.1} MiB; \
         resident memory {} KiB more",
        spanish.load_time,
        bilingual.load_time,
        english.load_time,
        started.elapsed(),
        spanish.heap_bytes() as f64 / 1048576.0,
        bilingual.heap_bytes() as f64 / 1048576.0,
        english.heap_bytes() as f64 / 1048576.0,
        resident_kib().saturating_sub(rss)
    );
    let mut news = fixture_paragraphs("es");
    news.extend(seed_paragraphs());
    let word_list = texts[news.len()..].to_vec();
    for (name, sample, rounds) in [("real news", &news, 20), ("word list", &word_list, 1)] {
        let words: usize = sample
            .iter()
            .map(|t| t.split_whitespace().count())
            .sum::<usize>()
            * rounds;
        // Wall time, and this thread's CPU time (the machine may be busy).
        let time = |f: &dyn Fn(&str) -> usize| {
            let (started, cpu) = (Instant::now(), thread_cpu_seconds());
            let mut bytes = 0;
            for _ in 0..rounds {
                for text in sample.iter() {
                    bytes += f(text);
                }
            }
            let per_word = |seconds: f64| seconds * 1e6 / words as f64;
            let cpu = thread_cpu_seconds() - cpu;
            (
                per_word(started.elapsed().as_secs_f64()),
                per_word(cpu),
                bytes,
            )
        };
        let (analysis, analysis_cpu, _) = time(&|t| spanish.morphology().analyse(t).len());
        let (both, both_cpu, _) = time(&|t| spanish.analyse(t).len());
        eprintln!(
            "{name}: {words} words; analysis {analysis:.3} µs/word ({analysis_cpu:.3} CPU), \
             analysis + tagging {both:.3} µs/word ({both_cpu:.3} CPU)"
        );
    }
    assert!(share <= 0.001);
}

/// The tagger alone, fed lt-proc's own records, with the memory a long-running tagger carries
/// (`carried`), and the whole in-process chain as the glosser uses it: each record as a fresh
/// tagger would (`fresh`) against the long-running pipeline.
fn compare_tagger(name: &str, dir: &Path, texts: &[String]) -> (Tally, Tally) {
    let analysed = pipe(
        Command::new("lt-proc")
            .args(["-z", "-w"])
            .arg(dir.join("spa-eng.automorf.bin")),
        texts,
    );
    let tagged = pipe_records(
        Command::new("apertium-tagger")
            .args(["-z", "-g", "-p"])
            .arg(dir.join("spa-eng.prob")),
        &analysed,
    );
    let spanish = SpanishAnalyser::load(dir).expect("the in-process reader loads it");
    eprintln!(
        "spa-eng.automorf.bin + spa-eng.prob: loaded in {:?}",
        spanish.load_time
    );
    let mut carried = Tally::new(&format!("{name}, tagger carrying its memory"));
    let mut memory = spanish.memory();
    for ((text, analysis), expected) in texts.iter().zip(&analysed).zip(&tagged) {
        carried.compare(text, expected, &spanish.tag(analysis, &mut memory));
    }
    let mut fresh = Tally::new(&format!(
        "{name}, in-process chain, fresh tagger per paragraph"
    ));
    for (text, expected) in texts.iter().zip(&tagged) {
        fresh.compare(text, expected, &spanish.analyse(text));
    }
    (carried, fresh)
}

#[test]
fn spanish_tagger_matches_apertium_tagger_on_the_seed() {
    let Some(dir) = pair_dir("spanish_tagger_matches_apertium_tagger_on_the_seed") else {
        return;
    };
    let (carried, fresh) = compare_tagger("seed", &dir, &seed_paragraphs());
    carried.report();
    fresh.report();
    assert_eq!(carried.differing_units, 0);
    assert_eq!(fresh.differing_units, 0);
}

#[test]
fn spanish_tagger_matches_apertium_tagger_on_real_text() {
    let Some(dir) = pair_dir("spanish_tagger_matches_apertium_tagger_on_real_text") else {
        return;
    };
    let (carried, fresh) = compare_tagger("Spanish fixtures", &dir, &fixture_paragraphs("es"));
    assert!(carried.report() <= 0.001);
    assert!(fresh.report() <= 0.001);
}

/// The lexical forms of a tagged record as the glosser asks the bilingual dictionary for them:
/// each `+`-joined reading, a multiword's invariable tail (`# frente a`) before the tags.
fn forms(tagged: &str) -> Vec<String> {
    let mut forms = Vec::new();
    for unit in units(tagged) {
        let inner = &unit[1..unit.len() - 1];
        let Some(slash) = unescaped(inner, '/') else {
            continue;
        };
        let analysis = &inner[slash + 1..];
        if analysis.starts_with('*') {
            continue;
        }
        let mut rest = analysis;
        loop {
            let end = unescaped(rest, '+').unwrap_or(rest.len());
            let reading = &rest[..end];
            let tags_at = unescaped(reading, '<').unwrap_or(reading.len());
            let tags_end = reading.rfind('>').map_or(tags_at, |e| (e + 1).max(tags_at));
            forms.push(format!(
                "{}{}{}",
                &reading[..tags_at],
                &reading[tags_end..],
                &reading[tags_at..tags_end]
            ));
            if end == rest.len() {
                break;
            }
            rest = &rest[end + 1..];
        }
    }
    forms
}

fn unescaped(text: &str, c: char) -> Option<usize> {
    let mut escaped = false;
    for (i, x) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if x == '\\' {
            escaped = true;
        } else if x == c {
            return Some(i);
        }
    }
    None
}

fn compare_bilingual(name: &str, dir: &Path, texts: &[String]) -> Tally {
    let analysis = format!(
        "lt-proc -z -w '{}' | apertium-tagger -z -g -p '{}'",
        dir.join("spa-eng.automorf.bin").display(),
        dir.join("spa-eng.prob").display()
    );
    let tagged = pipe(Command::new("sh").args(["-c", &analysis]), texts);
    let mut all: Vec<String> = tagged.iter().flat_map(|t| forms(t)).collect();
    all.sort();
    all.dedup();
    // As the glosser asks: many forms a record, each `^form$ `.
    let records: Vec<String> = all
        .chunks(100)
        .map(|chunk| {
            let mut record: String = chunk.iter().map(|f| format!("^{f}$ ")).collect();
            record.push('\n');
            record
        })
        .collect();
    let expected = pipe_records(
        Command::new("lt-proc")
            .args(["-z", "-b"])
            .arg(dir.join("spa-eng.autobil.bin")),
        &records,
    );
    let bilingual = Bilingual::load(&dir.join("spa-eng.autobil.bin")).expect("it loads");
    eprintln!("spa-eng.autobil.bin: loaded in {:?}", bilingual.load_time);
    let mut tally = Tally::new(name);
    for (chunk, expected) in all.chunks(100).zip(&expected) {
        let mut actual = String::new();
        for form in chunk {
            bilingual.look_up(form, &mut actual);
            actual.push(' ');
        }
        // Only the units count: lt-proc -b also echoes the record's NUL as a blank.
        let (e, a) = (units(expected).join(" "), units(&actual).join(" "));
        tally.compare(&chunk.join(" "), &e, &a);
    }
    tally
}

#[test]
fn bilingual_look_up_matches_lt_proc() {
    let Some(dir) = pair_dir("bilingual_look_up_matches_lt_proc") else {
        return;
    };
    let mut texts = seed_paragraphs();
    texts.extend(fixture_paragraphs("es"));
    let tally = compare_bilingual("bilingual, seed and fixtures", &dir, &texts);
    assert!(tally.units > 2000);
    tally.report();
    assert_eq!(tally.differing_units, 0);
}

/// The analyser and the dictionary as a rebuild loads them, from the images an earlier load
/// kept (see `paralelo::internals::apertium::keep_images_in`), against lt-proc.
#[test]
fn analyser_and_dictionary_read_from_their_images_match_lt_proc_on_the_seed() {
    let test = "analyser_and_dictionary_read_from_their_images_match_lt_proc_on_the_seed";
    let Some(dir) = pair_dir(test) else {
        return;
    };
    // Every load of this process from now on keeps its images there (a folder that outlives
    // the test), for this build of the test program.
    let images = Path::new(env!("CARGO_TARGET_TMPDIR")).join("apertium-images");
    let exe = std::env::current_exe().unwrap();
    let program = format!(
        "{} {:?}",
        exe.display(),
        exe.metadata().unwrap().modified().unwrap()
    );
    paralelo::internals::apertium::keep_images_in(&images, &program);
    for file in ["spa-eng.automorf.bin", "spa-eng.autobil.bin"] {
        let image = images.join(format!("{file}.image"));
        let _ = std::fs::remove_file(&image);
        let parsed = Morphology::load(&dir.join(file)).expect("it loads");
        assert!(
            image.is_file(),
            "{file}: its image is written on the first load"
        );
        let from_image = Morphology::load(&dir.join(file)).expect("it loads from its image");
        eprintln!(
            "{file}: parsed in {:?}, read from its image in {:?}",
            parsed.load_time, from_image.load_time
        );
    }
    let texts = seed_paragraphs();
    let tally = compare_analyser("seed, from its image", &dir, "spa-eng.automorf.bin", &texts);
    tally.report();
    assert_eq!(tally.differing_units, 0);
    let tally = compare_bilingual("bilingual, seed, from its image", &dir, &texts);
    tally.report();
    assert!(tally.units > 100);
    assert_eq!(tally.differing_units, 0);
}

/// The glosser and the English analyser as the build uses them, in-process against the
/// pipe-driven reference: the same words, ranges, lemmas, classes and senses.
#[test]
fn glosser_in_process_matches_the_pipes() {
    use paralelo::internals::gloss::{DEFAULT_TIMEOUT, EnglishAnalyser, Glosser};
    let Some(dir) = pair_dir("glosser_in_process_matches_the_pipes") else {
        return;
    };
    let mut texts = seed_paragraphs();
    texts.extend(fixture_paragraphs("es"));
    let started = Instant::now();
    let mut in_process = Glosser::start_in_process(&dir).expect("in-process glosser");
    eprintln!("in-process glosser started in {:?}", started.elapsed());
    assert!(in_process.is_in_process());
    let mut pipes = Glosser::start_pipes(&dir, DEFAULT_TIMEOUT).expect("pipe glosser");
    assert!(!pipes.is_in_process());
    let mut words = 0;
    for text in &texts {
        let expected = pipes.analyse(text).unwrap();
        assert_eq!(in_process.analyse(text).unwrap(), expected, "{text}");
        words += expected.len();
    }
    assert!(words > 3000, "{words} glossed words");

    let mut english_texts = fixture_paragraphs("en");
    english_texts.truncate(100);
    let mut in_process = EnglishAnalyser::start(&dir, DEFAULT_TIMEOUT).unwrap();
    assert!(in_process.is_in_process());
    let mut pipe = EnglishAnalyser::start_pipe(&dir, DEFAULT_TIMEOUT).unwrap();
    for text in &english_texts {
        assert_eq!(
            in_process.analyse(text).unwrap(),
            pipe.analyse(text).unwrap()
        );
    }
}

/// This thread's user and system CPU time so far, from /proc (0 where there is none).
fn thread_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/thread-self/stat") else {
        return 0.0;
    };
    // The fields after the command name (which ends in the last `)`): utime and stime are the
    // 12th and 13th, in clock ticks (100 a second on Linux).
    let fields: Vec<&str> = stat[stat.rfind(')').map_or(0, |i| i + 1)..]
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// This process's resident memory, from /proc (0 where there is none).
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}
