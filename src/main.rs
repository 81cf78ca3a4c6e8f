//! The `paralelo` command line: parses arguments and hands the work to the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

/// Builds bilingual reading pages from news articles and their translations.
#[derive(Parser)]
#[command(
    version,
    about,
    args_conflicts_with_subcommands = true,
    after_help = "With no command, builds the site.\n\nExit status: 0 on success, 1 when an input, a template or the output folder is wrong, 2 for a wrong command line."
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

#[derive(clap::Args)]
struct BuildArgs {
    /// Folder of seeds: `<stem>.txt` articles and their `<stem>.<lang>.txt` translations.
    #[arg(long, default_value = "seeds")]
    seeds: PathBuf,
    /// Output folder; replaced whole when the build succeeds.
    #[arg(long, default_value = "public")]
    out: PathBuf,
    /// Tera templates to use instead of `templates/` (or the built-in ones).
    #[arg(long)]
    templates: Option<PathBuf>,
    /// Encoding of seeds and translations that are not UTF-8 (e.g. windows-1252).
    #[arg(long, value_parser = parse_encoding)]
    encoding: Option<&'static encoding_rs::Encoding>,
}

fn parse_encoding(label: &str) -> Result<&'static encoding_rs::Encoding, String> {
    encoding_rs::Encoding::for_label(label.as_bytes()).ok_or_else(|| {
        format!("unknown encoding `{label}`; try windows-1252, iso-8859-15 or utf-16le")
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Build(args)) => args,
        None => cli.build,
    };
    let options = paralelo::BuildOptions {
        seeds: args.seeds,
        out: args.out,
        templates: args.templates,
        encoding: args.encoding,
        ..Default::default()
    };
    let started = Instant::now();
    match paralelo::build(&options) {
        Ok(report) => {
            for warning in &report.warnings {
                eprintln!("warning: {warning}");
            }
            println!(
                "built {} page{} in {:.1} s → {}",
                report.pages,
                if report.pages == 1 { "" } else { "s" },
                started.elapsed().as_secs_f64(),
                options.out.join("index.html").display()
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
