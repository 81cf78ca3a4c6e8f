//! The `paralelo` command line: reads the configuration and the flags, and hands the work to the
//! library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use paralelo::config;

/// Builds bilingual reading pages from news articles and their translations.
#[derive(Parser)]
#[command(
    version,
    about,
    args_conflicts_with_subcommands = true,
    after_help = "With no command, builds the site.\n\nExit status: 0 on success, 1 when an input, a template, the configuration or the output folder is wrong, 2 for a wrong command line."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    build: BuildArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Builds the site (the default command).
    Build(BuildArgs),
}

/// Flags override `paralelo.toml`, which overrides the defaults.
#[derive(clap::Args)]
struct BuildArgs {
    /// The project configuration [default: paralelo.toml, if there is one]
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Folder of seeds: `<stem>.txt` articles and their `<stem>.<lang>.txt` translations [default: seeds]
    #[arg(long, value_name = "DIR")]
    seeds: Option<PathBuf>,
    /// Output folder, replaced whole when the build succeeds [default: public]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Tera templates to use instead of `templates/` (or the built-in ones)
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Language of the seeds [default: es]
    #[arg(long, value_name = "LANG")]
    source: Option<String>,
    /// Language of the translations [default: en]
    #[arg(long, value_name = "LANG")]
    target: Option<String>,
    /// Machine translation for seeds without a translation file: `apertium:MODE` or `none` [default: apertium:spa-eng]
    #[arg(long, value_name = "ENGINE")]
    mt: Option<String>,
    /// Translate everything again instead of reusing earlier machine translations
    #[arg(long)]
    no_cache: bool,
    /// Build the other seeds, with a warning, when one cannot be translated
    #[arg(long)]
    skip_untranslated: bool,
    /// Encoding of seeds and translations that are not UTF-8 (e.g. windows-1252)
    #[arg(long, value_name = "LABEL")]
    encoding: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Build(args)) => args,
        None => cli.build,
    };
    let started = Instant::now();
    let result = config::resolve(args.into_overrides())
        .and_then(|options| paralelo::build(&options).map(|report| (report, options.out)));
    match result {
        Ok((report, out)) => {
            for warning in &report.warnings {
                eprintln!("warning: {warning}");
            }
            for note in &report.notes {
                eprintln!("note: {note}");
            }
            println!(
                "built {} page{} in {:.1} s → {}",
                report.pages,
                if report.pages == 1 { "" } else { "s" },
                started.elapsed().as_secs_f64(),
                out.join("index.html").display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            for line in error.to_string().lines() {
                eprintln!("error: {line}");
            }
            ExitCode::FAILURE
        }
    }
}

impl BuildArgs {
    fn into_overrides(self) -> config::Overrides {
        config::Overrides {
            config: self.config,
            seeds: self.seeds,
            out: self.out,
            templates: self.templates,
            source: self.source,
            target: self.target,
            mt: self.mt,
            no_cache: self.no_cache,
            skip_untranslated: self.skip_untranslated,
            encoding: self.encoding,
        }
    }
}
