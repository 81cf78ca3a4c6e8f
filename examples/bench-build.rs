//! Benchmarks whole builds of a generated corpus, alternating with Hugo on the same text.
//!
//! ```text
//! cargo run --release --example bench-build -- [--sizes 1000,10000] [--rounds 3] [--skip-hugo]
//! ```
//!
//! The rounds measure the work the performance issue names (quotations, sentences, alignment,
//! Markdown), so they build with `--no-glosses`; then, unless `--skip-glosses`, the glosses
//! issue's rounds: full builds with glosses and an empty gloss cache alternated with Hugo,
//! template-only changes (every page made again from cached analyses) and one-seed rebuilds.
//!
//! The corpus draws about half its sentences' words from a real Spanish word list with Zipf's
//! law (`--vocabulary PATH`, default `/usr/share/dict/spanish` from Debian's `wspanish`;
//! `none` for the sentence frames alone, whose ~1,560 word forms flatter any cache).
//!
//! For each size it generates the corpus once (seeds for paralelo, the same text as a Hugo site),
//! then one untimed warm-up build of each tool, then, round after round: paralelo's full build,
//! Hugo's full build and `cp -r` of paralelo's
//! output (the floor of writing that many files); then paralelo's no-op rebuild and its rebuild
//! after one seed changed, checking which output files that rewrote (by their mtimes). Each run
//! is a child process: wall time from `Instant`, peak memory (max RSS) from `/usr/bin/time`.
//! Progress goes to stderr, the result tables to stdout. Every round writes into new folders and
//! nothing is deleted until the end (see `Bench::size`), so 10,000 articles need about 2.5 GB.
//!
//! Flags: `--sizes N,N…` (default 1000,10000), `--rounds R` (default 3), `--skip-hugo`,
//! `--skip-glosses`,
//! `--seed S` (corpus seed), `--vocabulary PATH|none`, `--dir DIR` (work folder, default a new one in the temp folder),
//! `--keep` (leave the work folder), `--paralelo PATH` (binary to measure; default: build
//! `target/release/paralelo` with cargo first).

mod corpus;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime};

const USAGE: &str = "usage: bench-build [--sizes 1000,10000] [--rounds 3] [--skip-hugo] [--skip-glosses] [--seed S] [--vocabulary PATH|none] [--dir DIR] [--keep] [--paralelo PATH]";

/// The targets of the performance issue.
const TARGET_HUGO_RATIO: f64 = 0.5;
const TARGET_PEAK_MIB: f64 = 150.0;
const TARGET_NOOP_SHARE: f64 = 0.05;
const TARGET_ONE_SEED: Duration = Duration::from_millis(150);
const TARGET_CP_RATIO: f64 = 1.3;
/// No round slower than this share of Hugo's same round.
const TARGET_ROUND_RATIO: f64 = 0.75;
/// Right after a large delete, no slower than Hugo right after one.
const TARGET_STRESS_RATIO: f64 = 1.0;

const TIME: &str = "/usr/bin/time";

struct Options {
    sizes: Vec<usize>,
    rounds: usize,
    hugo: bool,
    glosses: bool,
    seed: u64,
    dir: Option<PathBuf>,
    keep: bool,
    paralelo: Option<PathBuf>,
    /// `--vocabulary`: a word list, or `none`; default the system's Spanish list.
    vocabulary: Option<String>,
}

fn main() -> ExitCode {
    match parse_args().and_then(|options| run(&options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench-build: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        sizes: vec![1_000, 10_000],
        rounds: 3,
        hugo: true,
        glosses: true,
        seed: corpus::DEFAULT_SEED,
        dir: None,
        keep: false,
        paralelo: None,
        vocabulary: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--sizes" => {
                options.sizes = value()?
                    .split(',')
                    .map(|n| n.trim().replace('_', "").parse::<usize>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| format!("--sizes wants numbers like 1000,10000\n{USAGE}"))?;
                if options.sizes.contains(&0) {
                    return Err("a size must be at least 1".to_string());
                }
            }
            "--rounds" => {
                options.rounds = value()?
                    .parse()
                    .ok()
                    .filter(|&r| r > 0)
                    .ok_or("--rounds wants a number above 0")?;
            }
            "--skip-hugo" => options.hugo = false,
            "--skip-glosses" => options.glosses = false,
            "--seed" => options.seed = value()?.parse().map_err(|_| "--seed wants a number")?,
            "--dir" => options.dir = Some(PathBuf::from(value()?)),
            "--keep" => options.keep = true,
            "--paralelo" => options.paralelo = Some(PathBuf::from(value()?)),
            "--vocabulary" => options.vocabulary = Some(value()?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => return Err(format!("unknown argument {arg}\n{USAGE}")),
        }
    }
    Ok(options)
}

fn run(options: &Options) -> Result<(), String> {
    let paralelo = paralelo_binary(options)?;
    let started = Instant::now();
    let hugo_version = if options.hugo {
        let output = Command::new("hugo").arg("version").output().map_err(|_| {
            "no `hugo` on the PATH: install it (apt-get install hugo) or pass --skip-hugo"
                .to_string()
        })?;
        Some(String::from_utf8_lossy(&output.stdout).trim().to_string())
    } else {
        None
    };
    let time = Path::new(TIME).is_file();
    if !time {
        eprintln!("note: no {TIME}, so no peak memory (apt-get install time brings it)");
    }
    let work = match &options.dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("paralelo-bench-{}", std::process::id())),
    };
    fs::create_dir_all(&work).map_err(|e| format!("cannot make {}: {e}", work.display()))?;
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());

    let mut header = String::new();
    let _ = writeln!(header, "paralelo: {}", paralelo.display());
    if let Some(version) = &hugo_version {
        let _ = writeln!(header, "hugo:     {version}");
    }
    let _ = writeln!(
        header,
        "machine:  {cpus} CPUs, load average {} at the start; work folder {}",
        load_average(),
        work.display()
    );
    eprint!("{header}");

    let bench = Bench {
        paralelo,
        time,
        work: work.clone(),
    };
    let mut reports = Vec::new();
    for &n in &options.sizes {
        let mut report = bench.size(n, options)?;
        report.load = load_average();
        eprintln!("{}", report.table());
        reports.push(report);
    }

    println!("{header}");
    for report in &reports {
        println!("{}", report.table());
    }
    println!(
        "(bench took {:.0} s; medians of {} rounds, peak memory the largest)",
        started.elapsed().as_secs_f64(),
        options.rounds
    );
    if options.keep {
        println!("kept {}", work.display());
    } else {
        let started = Instant::now();
        for &n in &options.sizes {
            let root = work.join(format!("n{n}"));
            if root.exists() {
                remove(&root)?;
            }
        }
        if options.dir.is_none() {
            let _ = fs::remove_dir_all(&work);
        }
        eprintln!(
            "deleted the corpora and outputs in {}",
            secs(started.elapsed())
        );
    }
    Ok(())
}

/// The release binary to measure: built with cargo first, next to this example's own binary.
fn paralelo_binary(options: &Options) -> Result<PathBuf, String> {
    if let Some(path) = &options.paralelo {
        return Ok(path.clone());
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("building the release binary: cargo build --release --bin paralelo");
    let status = Command::new(cargo)
        .args(["build", "--release", "--bin", "paralelo", "--manifest-path"])
        .arg(&manifest)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("cargo build --release --bin paralelo failed".to_string());
    }
    // This example is <target>/<profile>/examples/bench-build.
    let exe = std::env::current_exe().map_err(|e| format!("where am I? {e}"))?;
    let target = exe
        .parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .ok_or("cannot find the target folder")?;
    let binary = target.join("release").join("paralelo");
    if !binary.is_file() {
        return Err(format!(
            "no {} after cargo build; pass --paralelo PATH",
            binary.display()
        ));
    }
    Ok(binary)
}

/// One measured run of a child process.
#[derive(Debug, Clone, Copy, Default)]
struct Sample {
    wall: Duration,
    /// Max RSS in KiB, from `/usr/bin/time`.
    peak_kib: Option<u64>,
    /// User and kernel CPU time, from `/usr/bin/time`.
    user: Option<Duration>,
    kernel: Option<Duration>,
}

struct Bench {
    paralelo: PathBuf,
    time: bool,
    work: PathBuf,
}

impl Bench {
    /// Runs `program args` in `cwd` after a `sync`, so that earlier writes are not paid for
    /// here; fails on a non-zero exit. Returns the sample and the child's stderr.
    fn measure(
        &self,
        program: &Path,
        args: &[&str],
        cwd: &Path,
    ) -> Result<(Sample, String), String> {
        let _ = Command::new("sync").status();
        let peak_file = self.work.join("peak.txt");
        let mut command = if self.time {
            let mut c = Command::new(TIME);
            c.args(["-f", "%M %U %S", "-o"])
                .arg(&peak_file)
                .arg(program);
            c
        } else {
            Command::new(program)
        };
        command
            .args(args)
            .current_dir(cwd)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let start = Instant::now();
        let output = command
            .output()
            .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
        let wall = start.elapsed();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        if !output.status.success() {
            return Err(format!(
                "{} {} (in {}) failed: {}\n{}{}",
                program.display(),
                args.join(" "),
                cwd.display(),
                output.status,
                String::from_utf8_lossy(&output.stdout),
                stderr
            ));
        }
        let fields: Vec<String> = if self.time {
            fs::read_to_string(&peak_file)
                .ok()
                .and_then(|text| {
                    let last = text.lines().rev().find(|l| !l.trim().is_empty())?;
                    Some(last.split_whitespace().map(str::to_string).collect())
                })
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let seconds = |i: usize| {
            let s: f64 = fields.get(i)?.parse().ok()?;
            Some(Duration::from_secs_f64(s))
        };
        let sample = Sample {
            wall,
            peak_kib: fields.first().and_then(|f| f.parse().ok()),
            user: seconds(1),
            kernel: seconds(2),
        };
        Ok((sample, stderr))
    }

    /// A build with `--no-glosses`, or with glosses when `glosses`.
    fn paralelo_build(
        &self,
        root: &Path,
        out: &str,
        glosses: bool,
    ) -> Result<(Sample, usize), String> {
        let mut args = vec!["build", "--seeds", "seeds", "--out", out];
        if !glosses {
            args.push("--no-glosses");
        }
        let (sample, stderr) = self.measure(&self.paralelo, &args, root)?;
        let warnings = stderr.lines().filter(|l| l.starts_with("warning")).count();
        Ok((sample, warnings))
    }

    /// All the measurements for a corpus of `n` articles.
    fn size(&self, n: usize, options: &Options) -> Result<SizeReport, String> {
        let root = self.work.join(format!("n{n}"));
        if root.exists() {
            remove(&root)?;
        }
        let seeds = root.join("seeds");
        let hugo_site = root.join("hugo");

        eprintln!(
            "\n== {n} articles: generating the corpus in {}",
            root.display()
        );
        let gen_start = Instant::now();
        let vocabulary = match options.vocabulary.as_deref() {
            Some("none") => None,
            Some(path) => Some(corpus::Vocabulary::load(Path::new(path), options.seed)?),
            None => Some(corpus::Vocabulary::system(options.seed)?),
        };
        let vocabulary = vocabulary.as_ref();
        let input_bytes =
            corpus::write_seeds(&seeds, n, options.seed, vocabulary).map_err(io_error(&seeds))?;
        fs::write(
            root.join("paralelo.toml"),
            "title = \"paralelo benchmark\"\nbase_url = \"https://example.org/\"\n",
        )
        .map_err(io_error(&root))?;
        if options.hugo {
            corpus::write_hugo(&hugo_site, n, options.seed, vocabulary)
                .map_err(io_error(&hugo_site))?;
        }
        let generate = gen_start.elapsed();
        eprintln!(
            "   {:.1} MB of seeds and translations in {:.1} s",
            input_bytes as f64 / 1e6,
            generate.as_secs_f64()
        );

        let cp = Path::new("cp");
        let (input_copy, _) = self.measure(cp, &["-r", "seeds", "seeds-copy"], &root)?;
        eprintln!(
            "   cp -r of the {} input files: {}",
            2 * n,
            secs(input_copy.wall)
        );

        let mut report = SizeReport {
            n,
            input_bytes,
            input_copy: Some(input_copy),
            generate,
            ..SizeReport::default()
        };
        // One build of each tool before the timed rounds, as hyperfine's --warmup: the first
        // build after the corpus and its copy were written paid several seconds of kernel time
        // more than any later one, whichever tool it was. Its times are printed, not counted.
        let (warm, _) = self.paralelo_build(&root, "warmup-paralelo", false)?;
        let mut line = format!("   warm-up (not counted): paralelo {}", describe(&warm));
        if options.hugo {
            let hugo = self.hugo_build(&hugo_site, "warmup-hugo")?;
            let _ = write!(line, ", hugo {}", describe(&hugo));
        }
        eprintln!("{line}");
        // Each round writes into new folders, and nothing is deleted before the whole run is
        // done: for minutes after tens of thousands of files are deleted, ext4 creates files
        // more slowly (it skips the recently freed inodes), which a timed run would pay for.
        // Which tool goes first alternates from round to round.
        let mut out_name = String::new();
        for round in 1..=options.rounds {
            out_name = format!("public-{round}");
            let hugo_first = options.hugo && round % 2 == 0;
            let mut line = format!("   round {round}:");
            if hugo_first {
                let hugo = self.hugo_build(&hugo_site, &out_name)?;
                report.hugo.push(hugo);
                let _ = write!(line, " hugo full {},", describe(&hugo));
            }
            let (full, warnings) = self.paralelo_build(&root, &out_name, false)?;
            report.warnings = report.warnings.max(warnings);
            report.full.push(full);
            let _ = write!(line, " paralelo full {}", describe(&full));
            if options.hugo && !hugo_first {
                let hugo = self.hugo_build(&hugo_site, &out_name)?;
                report.hugo.push(hugo);
                let _ = write!(line, ", hugo full {}", describe(&hugo));
            }
            let copy_name = format!("copy-{round}");
            let (copied, _) = self.measure(cp, &["-r", &out_name, &copy_name], &root)?;
            report.copy.push(copied);
            let _ = write!(line, ", cp -r output {}", secs(copied.wall));
            eprintln!("{line}");
        }
        let out = root.join(&out_name);
        let files = snapshot(&out)?;
        report.output_files = files.len();
        report.output_bytes = dir_bytes(&out)?;

        for round in 1..=options.rounds {
            let (noop, _) = self.paralelo_build(&root, &out_name, false)?;
            report.noop.push(noop);
            eprintln!(
                "   round {round}: paralelo no-op rebuild {}",
                secs(noop.wall)
            );
        }

        for round in 1..=options.rounds {
            let index = (n / 2 + (round - 1) * 7) % n;
            let stem = corpus::stem(options.seed, index);
            touch_seed(&seeds.join(format!("{stem}.txt")))?;
            let before = snapshot(&out)?;
            let (one, _) = self.paralelo_build(&root, &out_name, false)?;
            let after = snapshot(&out)?;
            let rewrites = Rewrites::compare(&before, &after, &stem);
            eprintln!(
                "   round {round}: paralelo one-seed rebuild {} ({stem}): {}",
                secs(one.wall),
                rewrites.describe()
            );
            report.one_seed.push(one);
            report.rewrites.push(rewrites);
        }

        if options.glosses {
            self.glossed(&root, &hugo_site, &seeds, options, &mut report)?;
        }

        // Last, as it slows every file creation on the disk for minutes: each tool builds right
        // after a 10,000-article output is deleted (copies of paralelo's output).
        if options.hugo && options.rounds >= 2 {
            remove(&root.join("copy-1"))?;
            let (full, _) = self.paralelo_build(&root, "stress", false)?;
            remove(&root.join("copy-2"))?;
            let hugo = self.hugo_build(&hugo_site, "stress")?;
            eprintln!(
                "   stress round (each right after deleting an output): paralelo {}, hugo {}",
                describe(&full),
                describe(&hugo)
            );
            report.stress = Some((full, hugo));
        }
        Ok(report)
    }

    /// The builds with glosses, as the glosses issue measures them: full builds with an empty
    /// gloss cache (each round's cache is moved aside before it, never deleted), alternated
    /// with Hugo; then template-only changes (a comment added to the project's copy of
    /// `article.html`: every page made again from the cached analyses); then one-seed rebuilds.
    fn glossed(
        &self,
        root: &Path,
        hugo_site: &Path,
        seeds: &Path,
        options: &Options,
        report: &mut SizeReport,
    ) -> Result<(), String> {
        let cache = root.join(".paralelo").join("glosses");
        let mut out = String::new();
        for round in 1..=options.rounds {
            if cache.exists() {
                let aside = root.join(format!(".glosses-before-round-{round}"));
                fs::rename(&cache, &aside).map_err(io_error(&cache))?;
            }
            out = format!("public-glosses-{round}");
            let hugo_out = format!("hugo-glosses-{round}");
            let hugo_first = options.hugo && round % 2 == 0;
            let mut line = format!("   round {round} with glosses:");
            if hugo_first {
                let hugo = self.hugo_build(hugo_site, &hugo_out)?;
                let _ = write!(line, " hugo full {},", describe(&hugo));
                report.hugo_glosses.push(hugo);
            }
            let (full, _) = self.paralelo_build(root, &out, true)?;
            let _ = write!(line, " paralelo full {}", describe(&full));
            report.full_glosses.push(full);
            if options.hugo && !hugo_first {
                let hugo = self.hugo_build(hugo_site, &hugo_out)?;
                let _ = write!(line, ", hugo full {}", describe(&hugo));
                report.hugo_glosses.push(hugo);
            }
            eprintln!("{line}");
        }
        let templates = root.join("templates");
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        copy_folder(&shipped, &templates)?;
        let article = templates.join("article.html");
        let text = fs::read_to_string(&article).map_err(io_error(&article))?;
        for round in 1..=options.rounds {
            let changed = format!("{text}{{# bench-build: template change {round} #}}\n");
            fs::write(&article, changed).map_err(io_error(&article))?;
            let (sample, _) = self.paralelo_build(root, &out, true)?;
            eprintln!(
                "   round {round}: template-only change with glosses {}",
                describe(&sample)
            );
            report.template_glosses.push(sample);
        }
        for round in 1..=options.rounds {
            let index = (report.n / 3 + (round - 1) * 11) % report.n;
            let stem = corpus::stem(options.seed, index);
            touch_seed(&seeds.join(format!("{stem}.txt")))?;
            let (one, _) = self.paralelo_build(root, &out, true)?;
            eprintln!(
                "   round {round}: one-seed rebuild with glosses {}",
                describe(&one)
            );
            report.one_seed_glosses.push(one);
        }
        report.cache_bytes = dir_bytes(&cache).unwrap_or(0);
        report.glossed_output_bytes = dir_bytes(&root.join(&out)).unwrap_or(0);
        Ok(())
    }

    /// Hugo's full build of the same articles into `out`.
    fn hugo_build(&self, site: &Path, out: &str) -> Result<Sample, String> {
        let (sample, _) =
            self.measure(Path::new("hugo"), &["--quiet", "--destination", out], site)?;
        Ok(sample)
    }
}

/// Wall time, and user + kernel CPU where measured.
fn describe(sample: &Sample) -> String {
    match (sample.user, sample.kernel) {
        (Some(user), Some(kernel)) => format!(
            "{} ({:.2} + {:.2} s CPU)",
            secs(sample.wall),
            user.as_secs_f64(),
            kernel.as_secs_f64()
        ),
        _ => secs(sample.wall),
    }
}

/// Copies the files of `from` (one level) into a new folder `to`.
fn copy_folder(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(io_error(to))?;
    for entry in fs::read_dir(from).map_err(io_error(from))? {
        let entry = entry.map_err(io_error(from))?;
        if entry.file_type().map_err(io_error(from))?.is_file() {
            fs::copy(entry.path(), to.join(entry.file_name())).map_err(io_error(to))?;
        }
    }
    Ok(())
}

/// Appends a word to the last sentence of a seed.
fn touch_seed(path: &Path) -> Result<(), String> {
    let text = fs::read_to_string(path).map_err(io_error(path))?;
    let body = text.trim_end();
    let changed = match body.strip_suffix('.') {
        Some(rest) => format!("{rest} hoy.\n"),
        None => format!("{body} hoy\n"),
    };
    fs::write(path, changed).map_err(io_error(path))
}

/// Every file under `dir` (relative path with `/`) and its modification time.
fn snapshot(dir: &Path) -> Result<BTreeMap<String, SystemTime>, String> {
    fn walk(
        dir: &Path,
        prefix: &str,
        files: &mut BTreeMap<String, SystemTime>,
    ) -> std::io::Result<()> {
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            let kind = entry.file_type()?;
            if kind.is_dir() {
                walk(&entry.path(), &format!("{name}/"), files)?;
            } else {
                files.insert(name, entry.metadata()?.modified()?);
            }
        }
        Ok(())
    }
    let mut files = BTreeMap::new();
    walk(dir, "", &mut files).map_err(io_error(dir))?;
    Ok(files)
}

fn dir_bytes(dir: &Path) -> Result<u64, String> {
    let mut total = 0;
    for name in snapshot(dir)?.keys() {
        total += fs::metadata(dir.join(name)).map_err(io_error(dir))?.len();
    }
    Ok(total)
}

/// Which output files a one-seed rebuild wrote.
#[derive(Debug, Clone, Default)]
struct Rewrites {
    files: usize,
    /// Changed or new files of the changed page, the index pages and the feeds.
    expected: usize,
    /// Changed or new files elsewhere: the target is none.
    unexpected: usize,
    /// Changed or new hidden files at the top of the output (paralelo's own records, like a
    /// build manifest): reported, not counted against the target.
    bookkeeping: usize,
    unchanged: usize,
    removed: usize,
    first_unexpected: Option<String>,
}

impl Rewrites {
    fn compare(
        before: &BTreeMap<String, SystemTime>,
        after: &BTreeMap<String, SystemTime>,
        slug: &str,
    ) -> Rewrites {
        let page = format!("{slug}/");
        let allowed = |path: &str| {
            path.starts_with(&page)
                || path == "index.html"
                || (path.starts_with("page/") && path.ends_with("/index.html"))
                || path == "atom.xml"
                || path == "sitemap.xml"
        };
        let mut rewrites = Rewrites {
            files: after.len(),
            removed: before.keys().filter(|p| !after.contains_key(*p)).count(),
            ..Rewrites::default()
        };
        for (path, mtime) in after {
            if before.get(path) == Some(mtime) {
                rewrites.unchanged += 1;
            } else if path.starts_with('.') && !path.contains('/') {
                rewrites.bookkeeping += 1;
            } else if allowed(path) {
                rewrites.expected += 1;
            } else {
                rewrites.unexpected += 1;
                rewrites
                    .first_unexpected
                    .get_or_insert_with(|| path.clone());
            }
        }
        rewrites
    }

    fn rewritten(&self) -> usize {
        self.expected + self.unexpected + self.bookkeeping
    }

    fn describe(&self) -> String {
        let mut text = format!(
            "{} of {} files rewritten, {} of them outside the page, index pages and feeds",
            self.rewritten(),
            self.files,
            self.unexpected
        );
        if self.bookkeeping > 0 {
            let _ = write!(text, " (+{} hidden bookkeeping)", self.bookkeeping);
        }
        if self.removed > 0 {
            let _ = write!(text, ", {} removed", self.removed);
        }
        if let Some(first) = &self.first_unexpected {
            let _ = write!(text, " (e.g. {first})");
        }
        text
    }
}

#[derive(Default)]
struct SizeReport {
    n: usize,
    input_bytes: u64,
    generate: Duration,
    input_copy: Option<Sample>,
    full: Vec<Sample>,
    hugo: Vec<Sample>,
    copy: Vec<Sample>,
    noop: Vec<Sample>,
    one_seed: Vec<Sample>,
    rewrites: Vec<Rewrites>,
    /// Builds with glosses (a round each, cold cache), and Hugo's alternated with them.
    full_glosses: Vec<Sample>,
    hugo_glosses: Vec<Sample>,
    /// Paralelo and Hugo, each right after a large output was deleted.
    stress: Option<(Sample, Sample)>,
    one_seed_glosses: Vec<Sample>,
    /// Every page made again after a template change, from the cached analyses.
    template_glosses: Vec<Sample>,
    /// The gloss cache, and a glossed output, in bytes.
    cache_bytes: u64,
    glossed_output_bytes: u64,
    output_files: usize,
    output_bytes: u64,
    warnings: usize,
    /// The load average when the size was done: other work on the machine skews the times.
    load: String,
}

fn median(samples: &[Sample]) -> Option<Duration> {
    let mut walls: Vec<Duration> = samples.iter().map(|s| s.wall).collect();
    walls.sort();
    match walls.len() {
        0 => None,
        n if n % 2 == 1 => Some(walls[n / 2]),
        n => Some((walls[n / 2 - 1] + walls[n / 2]) / 2),
    }
}

/// The median of user or kernel CPU time.
fn median_of(samples: &[Sample], pick: fn(&Sample) -> Option<Duration>) -> Option<Duration> {
    let picked: Vec<Sample> = samples
        .iter()
        .filter_map(|s| {
            pick(s).map(|wall| Sample {
                wall,
                ..Sample::default()
            })
        })
        .collect();
    median(&picked)
}

fn peak_mib(samples: &[Sample]) -> Option<f64> {
    samples
        .iter()
        .filter_map(|s| s.peak_kib)
        .max()
        .map(|kib| kib as f64 / 1024.0)
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        format!("{:.0} ms", s * 1000.0)
    } else {
        format!("{s:.2} s")
    }
}

impl SizeReport {
    fn table(&self) -> String {
        let mut t = String::new();
        let n = self.n;
        let _ = writeln!(
            t,
            "\n{n} articles: {:.1} MB of input in {} files, output {} files / {:.1} MB",
            self.input_bytes as f64 / 1e6,
            2 * n,
            self.output_files,
            self.output_bytes as f64 / 1e6
        );
        let _ = writeln!(
            t,
            "  {:<30} {:>10} {:>8} {:>8} {:>9} {:>10}  ratio",
            "step", "wall", "user", "kernel", "pages/s", "peak mem"
        );
        let full = median(&self.full);
        let hugo = median(&self.hugo);
        let copy = median(&self.copy);
        let noop = median(&self.noop);
        let one = median(&self.one_seed);
        let row = |t: &mut String, name: &str, samples: &[Sample], rate: bool, ratio: String| {
            let Some(wall) = median(samples) else { return };
            let pages = if rate {
                format!("{:.0}", n as f64 / wall.as_secs_f64())
            } else {
                "-".to_string()
            };
            let peak = peak_mib(samples).map_or("-".to_string(), |m| format!("{m:.0} MiB"));
            let cpu = |pick: fn(&Sample) -> Option<Duration>| {
                median_of(samples, pick)
                    .map_or("-".to_string(), |d| format!("{:.2} s", d.as_secs_f64()))
            };
            let (user, kernel) = (cpu(|s| s.user), cpu(|s| s.kernel));
            let _ = writeln!(
                t,
                "  {name:<30} {:>10} {user:>8} {kernel:>8} {pages:>9} {peak:>10}  {ratio}",
                secs(wall)
            );
        };
        let ratio = |a: Option<Duration>, b: Option<Duration>| match (a, b) {
            (Some(a), Some(b)) if !b.is_zero() => Some(a.as_secs_f64() / b.as_secs_f64()),
            _ => None,
        };
        let hugo_ratio = ratio(full, hugo);
        let cp_ratio = ratio(full, copy);
        let noop_share = ratio(noop, full);
        row(
            &mut t,
            "paralelo full build",
            &self.full,
            true,
            hugo_ratio.map_or(String::new(), |r| format!("{r:.2}× Hugo")),
        );
        let hugo_glossed = median(&self.hugo_glosses);
        row(
            &mut t,
            "  the same, with glosses",
            &self.full_glosses,
            true,
            ratio(median(&self.full_glosses), hugo_glossed)
                .map_or(String::new(), |r| format!("{r:.2}× Hugo (its rounds)")),
        );
        row(
            &mut t,
            "  template change, glosses",
            &self.template_glosses,
            true,
            ratio(median(&self.template_glosses), hugo_glossed)
                .map_or(String::new(), |r| format!("{r:.2}× Hugo")),
        );
        row(
            &mut t,
            "  Hugo, rounds beside glosses",
            &self.hugo_glosses,
            true,
            String::new(),
        );
        row(&mut t, "Hugo full build", &self.hugo, true, String::new());
        if let Some((paralelo, hugo)) = &self.stress {
            let r = ratio(Some(paralelo.wall), Some(hugo.wall));
            row(
                &mut t,
                "paralelo, after a large delete",
                &[*paralelo],
                true,
                r.map_or(String::new(), |r| format!("{r:.2}× Hugo")),
            );
            row(
                &mut t,
                "Hugo, after a large delete",
                &[*hugo],
                true,
                String::new(),
            );
        }
        row(
            &mut t,
            "cp -r of paralelo's output",
            &self.copy,
            false,
            cp_ratio.map_or(String::new(), |r| format!("full build = {r:.2}× cp")),
        );
        row(
            &mut t,
            "paralelo no-op rebuild",
            &self.noop,
            false,
            noop_share.map_or(String::new(), |r| format!("{:.1}% of full", r * 100.0)),
        );
        let worst = self
            .rewrites
            .iter()
            .max_by_key(|r| r.unexpected)
            .cloned()
            .unwrap_or_default();
        row(
            &mut t,
            "paralelo one-seed rebuild",
            &self.one_seed,
            false,
            format!("rewrote {} of {} files", worst.rewritten(), worst.files),
        );
        row(
            &mut t,
            "  the same, with glosses",
            &self.one_seed_glosses,
            false,
            String::new(),
        );
        if let Some(input) = &self.input_copy {
            let _ = writeln!(
                t,
                "  {:<30} {:>10}  (corpus generated in {})",
                "cp -r of the input seeds",
                secs(input.wall),
                secs(self.generate)
            );
        }
        let runs = |samples: &[Sample]| {
            samples
                .iter()
                .map(|s| format!("{:.2}", s.wall.as_secs_f64()))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let _ = writeln!(
            t,
            "  runs (s): full {} | hugo {} | cp {} | no-op {} | one-seed {}",
            runs(&self.full),
            if self.hugo.is_empty() {
                "-".to_string()
            } else {
                runs(&self.hugo)
            },
            runs(&self.copy),
            runs(&self.noop),
            runs(&self.one_seed)
        );
        if !self.full_glosses.is_empty() {
            let _ = writeln!(
                t,
                "  runs with glosses (s): full {} | hugo {} | template change {} | one-seed {}",
                runs(&self.full_glosses),
                runs(&self.hugo_glosses),
                runs(&self.template_glosses),
                runs(&self.one_seed_glosses)
            );
            let _ = writeln!(
                t,
                "  gloss cache {:.1} MB; glossed output {:.1} MB",
                self.cache_bytes as f64 / 1e6,
                self.glossed_output_bytes as f64 / 1e6
            );
        }
        let _ = writeln!(t, "  load average after this size: {}", self.load);
        if self.warnings > 0 {
            let _ = writeln!(
                t,
                "  note: paralelo printed {} warnings per build",
                self.warnings
            );
        }

        let _ = writeln!(
            t,
            "  targets (the issue states them for 10,000 articles, without glosses):"
        );
        let mut check = |ok: Option<bool>, what: &str, got: String| {
            let verdict = match ok {
                Some(true) => "met ",
                Some(false) => "MISS",
                None => "n/a ",
            };
            let _ = writeln!(t, "    [{verdict}] {what:<52} {got}");
        };
        check(
            hugo_ratio.map(|r| r <= TARGET_HUGO_RATIO),
            &format!("full build ≤ {TARGET_HUGO_RATIO}× Hugo's wall time"),
            hugo_ratio.map_or("no Hugo run".to_string(), |r| format!("{r:.2}×")),
        );
        let peak = [&self.full, &self.noop, &self.one_seed]
            .iter()
            .filter_map(|s| peak_mib(s))
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
        check(
            peak.map(|p| p <= TARGET_PEAK_MIB),
            &format!("peak memory ≤ {TARGET_PEAK_MIB} MiB"),
            peak.map_or("not measured".to_string(), |p| format!("{p:.0} MiB")),
        );
        check(
            noop_share.map(|r| r <= TARGET_NOOP_SHARE),
            &format!(
                "no-op rebuild ≤ {:.0}% of a full build",
                TARGET_NOOP_SHARE * 100.0
            ),
            noop_share.map_or(String::new(), |r| format!("{:.1}%", r * 100.0)),
        );
        check(
            one.map(|d| d < TARGET_ONE_SEED),
            &format!("one-seed rebuild < {}", secs(TARGET_ONE_SEED)),
            one.map_or(String::new(), secs),
        );
        check(
            Some(worst.unexpected == 0 && worst.removed == 0),
            "one-seed rebuild rewrites only page, index, feeds",
            format!(
                "{} other files rewritten, {} unchanged",
                worst.unexpected, worst.unchanged
            ),
        );
        // Round by round (the rounds alternate which tool goes first).
        let rounds: Vec<(f64, bool)> = self
            .full
            .iter()
            .zip(&self.hugo)
            .map(|(p, h)| {
                let kernel_ok = match (p.kernel, h.kernel) {
                    (Some(p), Some(h)) => p <= h,
                    _ => false,
                };
                (p.wall.as_secs_f64() / h.wall.as_secs_f64(), kernel_ok)
            })
            .collect();
        let worst_round = rounds
            .iter()
            .map(|(r, _)| *r)
            .fold(None, |m: Option<f64>, r| Some(m.map_or(r, |m| m.max(r))));
        check(
            worst_round.map(|r| r <= TARGET_ROUND_RATIO),
            &format!("every round ≤ {TARGET_ROUND_RATIO}× Hugo's same round"),
            rounds
                .iter()
                .map(|(r, _)| format!("{r:.2}×"))
                .collect::<Vec<_>>()
                .join(" "),
        );
        check(
            (!rounds.is_empty()).then(|| rounds.iter().all(|(_, ok)| *ok)),
            "kernel CPU ≤ Hugo's in every round",
            self.full
                .iter()
                .zip(&self.hugo)
                .map(|(p, h)| {
                    let k = |s: &Sample| {
                        s.kernel
                            .map_or("?".into(), |d| format!("{:.2}", d.as_secs_f64()))
                    };
                    format!("{} vs {}", k(p), k(h))
                })
                .collect::<Vec<_>>()
                .join(" | "),
        );
        let stress = self
            .stress
            .as_ref()
            .map(|(p, h)| p.wall.as_secs_f64() / h.wall.as_secs_f64());
        check(
            stress.map(|r| r <= TARGET_STRESS_RATIO),
            &format!("after a large delete ≤ {TARGET_STRESS_RATIO}× Hugo's"),
            stress.map_or("not run".to_string(), |r| format!("{r:.2}×")),
        );
        let glosses_ratio = ratio(median(&self.full_glosses), median(&self.hugo_glosses));
        check(
            glosses_ratio.map(|r| r <= 1.0),
            "full build with glosses ≤ 1.0× Hugo (issue: glosses)",
            glosses_ratio.map_or("not run".to_string(), |r| format!("{r:.2}×")),
        );
        let template_ratio = ratio(median(&self.template_glosses), median(&self.hugo_glosses));
        check(
            template_ratio.map(|r| r <= 0.5),
            "template-only change with glosses ≤ 0.5× Hugo",
            template_ratio.map_or("not run".to_string(), |r| format!("{r:.2}×")),
        );
        let one_glossed = median(&self.one_seed_glosses);
        check(
            one_glossed.map(|d| d <= TARGET_ONE_SEED),
            &format!("one-seed rebuild with glosses ≤ {}", secs(TARGET_ONE_SEED)),
            one_glossed.map_or("not run".to_string(), secs),
        );
        let glossed_peak = [
            &self.full_glosses,
            &self.template_glosses,
            &self.one_seed_glosses,
        ]
        .iter()
        .filter_map(|s| peak_mib(s))
        .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
        check(
            glossed_peak.map(|p| p <= 250.0),
            "peak memory with glosses ≤ 250 MiB",
            glossed_peak.map_or("not run".to_string(), |p| format!("{p:.0} MiB")),
        );
        check(
            cp_ratio.map(|r| r <= TARGET_CP_RATIO),
            &format!("full build ≤ {TARGET_CP_RATIO}× cp -r of its output"),
            cp_ratio.map_or(String::new(), |r| format!("{r:.2}×")),
        );
        t
    }
}

/// The 1-, 5- and 15-minute load averages.
fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "unknown".to_string())
}

fn remove(path: &Path) -> Result<(), String> {
    fs::remove_dir_all(path).map_err(|e| format!("cannot remove {}: {e}", path.display()))
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> String + '_ {
    move |e| format!("{}: {e}", path.display())
}
