//! Writes a generated corpus: `N` articles in the seed layout with authored translations, or the
//! same text as a Hugo site. The output depends only on `N` and the seed.
//!
//! ```text
//! cargo run --release --example gen-corpus -- [--seed S] [--hugo] [--vocabulary PATH|none] N DIR
//! ```
//!
//! `--vocabulary`: the real Spanish word list drawn from with Zipf's law (default
//! `/usr/share/dict/spanish`, Debian's `wspanish`); `none` writes the sentence frames' words
//! alone, which have far fewer distinct forms than real news.
//!
//! Without `--hugo`, DIR becomes a seeds folder (`<stem>.txt` and `<stem>.en.txt`), ready for
//! `paralelo build --seeds DIR`. With `--hugo`, DIR becomes a Hugo site (`hugo.toml`, layouts and
//! `content/<stem>.md`) of the same articles, ready for `hugo -s DIR`. DIR must be new or empty.

mod corpus;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: gen-corpus [--seed S] [--hugo] [--vocabulary PATH|none] N DIR";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("gen-corpus: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut seed = corpus::DEFAULT_SEED;
    let mut hugo = false;
    let mut vocabulary: Option<String> = None;
    let mut positional = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => {
                let value = args.next().ok_or(USAGE)?;
                seed = value
                    .parse()
                    .map_err(|_| format!("--seed wants a number, not `{value}`"))?;
            }
            "--hugo" => hugo = true,
            "--vocabulary" => vocabulary = Some(args.next().ok_or(USAGE)?),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            flag if flag.starts_with("--") => return Err(format!("unknown flag {flag}\n{USAGE}")),
            _ => positional.push(arg),
        }
    }
    let [n, dir] = positional.as_slice() else {
        return Err(USAGE.to_string());
    };
    let n: usize = n
        .parse()
        .map_err(|_| format!("N must be a number of articles, not `{n}`"))?;
    let dir = PathBuf::from(dir);
    if dir
        .read_dir()
        .is_ok_and(|mut entries| entries.next().is_some())
    {
        return Err(format!(
            "{} is not empty; give a new or empty folder",
            dir.display()
        ));
    }

    let vocabulary = match vocabulary.as_deref() {
        Some("none") => None,
        Some(path) => Some(corpus::Vocabulary::load(std::path::Path::new(path), seed)?),
        None => Some(corpus::Vocabulary::system(seed)?),
    };
    let started = Instant::now();
    let written = if hugo {
        corpus::write_hugo(&dir, n, seed, vocabulary.as_ref())
    } else {
        corpus::write_seeds(&dir, n, seed, vocabulary.as_ref())
    }
    .map_err(|e| format!("cannot write into {}: {e}", dir.display()))?;
    println!(
        "wrote {n} articles ({:.1} MB) as {} in {} in {:.1} s",
        written as f64 / 1e6,
        if hugo { "a Hugo site" } else { "seeds" },
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
