//! The `paralelo` command line: reads the configuration and the flags, and hands the work to the
//! library.

use std::io::IsTerminal;

use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use paralelo::config;

// A rebuild of a large site reads, and frees, hundreds of thousands of small strings from its
// manifest; mimalloc does that in a fraction of the system allocator's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod progress;

/// Builds bilingual reading pages from news articles and their translations.
#[derive(Parser)]
#[command(
    version,
    about,
    args_conflicts_with_subcommands = true,
    after_help = "With no command, builds the site.\n\nExit status:\n  0  success\n  1  an input, a template, the configuration or the output folder is wrong (the message names the file and line)\n  2  the command line is wrong"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    build: BuildArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Builds the site into the output folder (the default command).
    Build(BuildArgs),
    /// Reads and checks every seed, translation, template and the configuration; writes nothing.
    Check(BuildArgs),
    /// Writes the skeleton of `seeds/<STEM>.en.txt` for a translator to fill in.
    New {
        /// The seed's file name without `.txt`.
        stem: String,
        #[command(flatten)]
        args: BuildArgs,
    },
    /// Builds and serves the site on 127.0.0.1, rebuilding it and reloading the page on every change.
    Serve(ServeArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Port on 127.0.0.1; 0 picks a free one
    #[arg(long, default_value_t = paralelo::serve::DEFAULT_PORT)]
    port: u16,
    /// Open the site in the default browser
    #[arg(long)]
    open: bool,
    #[command(flatten)]
    build: BuildArgs,
}

/// Flags override `paralelo.toml`, which overrides the defaults.
#[derive(clap::Args)]
struct BuildArgs {
    #[command(flatten)]
    overrides: config::Overrides,
    /// Print only errors
    #[arg(long, short, conflicts_with = "verbose")]
    quiet: bool,
    /// Also say how many pages the build made again
    #[arg(long, short)]
    verbose: bool,
}

fn main() -> ExitCode {
    // No transparent huge pages: the allocator asks for them, and the kernel then zeroes 2 MiB
    // for each region a build touches at all. Measured at 10,000 articles: peak memory a
    // quarter lower (core build 86 → 69 MiB, 1,000 glossed articles 120 → 88 MiB), the core
    // build a little quicker, the glossed one no slower.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let cli = Cli::parse();
    let (command, args) = match cli.command {
        None => (Action::Build, cli.build),
        Some(Command::Build(args)) => (Action::Build, args),
        Some(Command::Check(args)) => (Action::Check, args),
        Some(Command::New { stem, args }) => (Action::New(stem), args),
        Some(Command::Serve(serve)) => (
            Action::Serve {
                port: serve.port,
                open: serve.open,
            },
            serve.build,
        ),
    };
    let out = Output::new(args.quiet, args.verbose);
    match run(command, args, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            for line in error.to_string().lines() {
                out.problem("error", line);
            }
            ExitCode::FAILURE
        }
    }
}

enum Action {
    Build,
    Check,
    New(String),
    Serve { port: u16, open: bool },
}

fn run(action: Action, args: BuildArgs, out: &Output) -> paralelo::Result<()> {
    let overrides = args.overrides;
    let options = config::resolve(overrides.clone())?;
    let started = Instant::now();
    match action {
        Action::Build => {
            let bar = progress::LateBar::new(out.quiet);
            let report = paralelo::build_with_progress(&options, &|p| bar.update(p))?;
            bar.finish();
            out.report(&report);
            out.summary(&format!(
                "built {} page{}{} in {:.1} s → {}",
                report.pages,
                plural(report.pages),
                machine_note(&report),
                started.elapsed().as_secs_f64(),
                options.out.join("index.html").display()
            ));
        }
        Action::Check => {
            let report = paralelo::check(&options)?;
            out.report(&report);
            out.summary(&format!(
                "checked {} article{}: no errors ({} warning{})",
                report.pages,
                plural(report.pages),
                report.warnings.len(),
                plural(report.warnings.len())
            ));
        }
        // Serve reads the configuration again at every change, so it takes the flags.
        Action::Serve { port, open } => {
            let settings = paralelo::serve::ServeSettings {
                port,
                open,
                ctrl_c: true,
                ..Default::default()
            };
            paralelo::serve::serve(overrides, settings, |_| {})?;
        }
        Action::New(stem) => {
            let path = paralelo::new_translation(&options, &stem)?;
            out.summary(&format!(
                "wrote {}: translate each line in place",
                path.display()
            ));
        }
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn machine_note(report: &paralelo::BuildReport) -> String {
    match report.machine_translated {
        0 => String::new(),
        n => format!(" ({n} machine-translated)"),
    }
}

/// Where messages go: errors always, warnings and the summary unless quiet, notes when
/// verbose; colour only on a terminal, and never with NO_COLOR set.
struct Output {
    quiet: bool,
    verbose: bool,
    colour: bool,
}

impl Output {
    fn new(quiet: bool, verbose: bool) -> Output {
        let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Output {
            quiet,
            verbose,
            colour,
        }
    }

    fn problem(&self, kind: &str, message: &str) {
        let code = if kind == "error" { "31" } else { "33" };
        if self.colour {
            eprintln!("\x1b[1;{code}m{kind}\x1b[0m: {message}");
        } else {
            eprintln!("{kind}: {message}");
        }
    }

    fn report(&self, report: &paralelo::BuildReport) {
        if self.quiet {
            return;
        }
        for warning in &report.warnings {
            self.problem("warning", &warning.to_string());
        }
        for note in &report.notes {
            eprintln!("note: {note}");
        }
        if self.verbose {
            eprintln!(
                "note: {} of {} pages made again, the rest unchanged since the last build",
                report.remade, report.pages
            );
            eprintln!(
                "note: {} article pages rendered through the templates",
                report.pages_rendered
            );
            if let Some(because) = report.full_because {
                eprintln!("note: a full build: {because}");
            }
            if let Some((analysed, cached)) = report.analysed {
                eprintln!(
                    "note: {analysed} paragraphs analysed for glosses, {cached} taken from the gloss cache"
                );
                eprintln!(
                    "note: {} pages made from the annotations of an earlier build",
                    report.annotations_reused
                );
            }
        }
    }

    fn summary(&self, line: &str) {
        if !self.quiet {
            println!("{line}");
        }
    }
}
