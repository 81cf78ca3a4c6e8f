//! `paralelo serve`: builds the site, serves it on 127.0.0.1, rebuilds it when an input changes, and reloads the open pages.

// The rebuild loop runs on the caller's thread (`serve`); `http` serves the output folder on a
// tokio runtime of its own; `watch` says when an input changed; `reload` tells the open pages of
// each build, and adds its script to the HTML as it is served, never to the files on disk.
mod http;
mod reload;
mod watch;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::config::{self, Overrides};
use crate::{BuildOptions, BuildReport, Error, Result};

use reload::Site;
use watch::{Inputs, Watcher};

/// The port `paralelo serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8000;

/// How to serve.
#[derive(Debug, Clone, Default)]
pub struct ServeSettings {
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Open the site in the default browser once it is built.
    pub open: bool,
    /// Stop on Ctrl-C (and SIGTERM). A process can have one such handler only, so the command line
    /// asks for it and tests, which stop through [`ServeSettings::stop`], do not.
    pub ctrl_c: bool,
    /// Stops the server from another thread.
    pub stop: StopHandle,
}

/// Asks a running [`serve`] to stop; clones share the request.
#[derive(Debug, Clone, Default)]
pub struct StopHandle(Arc<AtomicBool>);

impl StopHandle {
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes [`serve`] stop serving and return, within a fraction of a second.
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Builds the site, serves it on 127.0.0.1 and rebuilds it whenever a seed, a template, a static
/// file or the configuration changes, until stopped; `ready` gets the address once the first
/// build is done.
///
/// It takes the command line's [`Overrides`] rather than resolved [`BuildOptions`] so that an
/// edit to `paralelo.toml` is read again before the next build. A build that fails, or a
/// configuration that does not read, is reported in the terminal and on the open pages, and the
/// last good site stays served. Fails only when it cannot start: the configuration is wrong at
/// the start (there is nothing to serve yet), or the port or the file watcher cannot be had.
pub fn serve(
    overrides: Overrides,
    settings: ServeSettings,
    ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let options = config::resolve(overrides.clone())?;
    let (listener, addr) = http::bind(settings.port)?;
    if settings.ctrl_c {
        stop_on_ctrl_c(&settings.stop)?;
    }
    let (watcher, changes) = Watcher::new()?;
    let site = Arc::new(Site::new(full_path(&options.out)));
    let mut builder = Builder::new(overrides, options, Arc::clone(&site), watcher);
    builder.rebuild(&[]);

    let server = http::Server::start(listener, site)?;
    let url = format!("http://{addr}/");
    println!(
        "serving {} at {url} (Ctrl-C stops)",
        builder.options.out.display()
    );
    ready(addr);
    if settings.open {
        open_browser(url);
    }

    while let Some(changed) = watch::next(&changes, &builder.inputs, &settings.stop) {
        builder.rebuild(&changed);
    }
    server.stop();
    println!("stopped");
    Ok(())
}

fn stop_on_ctrl_c(stop: &StopHandle) -> Result<()> {
    let stop = stop.clone();
    ctrlc::set_handler(move || {
        if stop.is_stopped() {
            // A second Ctrl-C: the user does not want to wait for the build that is running.
            std::process::exit(130);
        }
        stop.stop();
    })
    .map_err(|e| {
        Error::io(
            Path::new("Ctrl-C"),
            "set a handler",
            std::io::Error::other(e),
        )
    })
}

/// Failing to open a browser is not a reason to stop serving.
fn open_browser(url: String) {
    if let Err(e) = open::that_detached(&url) {
        eprintln!("warning: cannot open a browser ({e}); open {url}");
    }
}

/// Builds with the configuration as it is now, says how it went, and tells the pages.
struct Builder {
    overrides: Overrides,
    /// The file `config::resolve` reads for `overrides`.
    config_path: PathBuf,
    /// The options of the last configuration that read: they say what to watch.
    options: BuildOptions,
    inputs: Inputs,
    site: Arc<Site>,
    watcher: Watcher,
    /// Whether a build has succeeded yet.
    built: bool,
}

impl Builder {
    fn new(overrides: Overrides, options: BuildOptions, site: Arc<Site>, watcher: Watcher) -> Self {
        let config_path = overrides
            .config
            .clone()
            .unwrap_or_else(|| PathBuf::from(config::FILE_NAME));
        Builder {
            inputs: Inputs::new(&options, &config_path),
            config_path,
            overrides,
            options,
            site,
            watcher,
            built: false,
        }
    }

    fn rebuild(&mut self, changed: &[PathBuf]) {
        let started = Instant::now();
        let resolved = config::resolve(self.overrides.clone());
        if let Ok(options) = &resolved {
            // Even if this build fails, the new configuration says what to watch for the fix.
            self.options = options.clone();
            self.inputs = Inputs::new(&self.options, &self.config_path);
        }
        // Watching before building: an edit saved during the build makes another one.
        self.watcher.update(&self.inputs, changed);
        match resolved.and_then(|options| crate::build(&options)) {
            Ok(report) => {
                self.report_success(&report, changed, started.elapsed());
                self.site.succeeded(full_path(&self.options.out));
                self.built = true;
            }
            Err(error) => {
                let message = error.to_string();
                for line in message.lines() {
                    eprintln!("error: {line}");
                }
                eprintln!(
                    "{}",
                    if self.built {
                        "still serving the last good build"
                    } else {
                        "nothing to serve until the build succeeds"
                    }
                );
                self.site.failed(message);
            }
        }
    }

    fn report_success(&self, report: &BuildReport, changed: &[PathBuf], took: Duration) {
        for warning in &report.warnings {
            eprintln!("warning: {warning}");
        }
        // The notes do not change between builds: say them once.
        if !self.built {
            for note in &report.notes {
                eprintln!("note: {note}");
            }
        }
        let cause = match changed {
            [] => String::new(),
            // One save often reports its file several times; the last path is the one saved
            // (an editor writing a temporary file and renaming it names that one first).
            [rest @ .., last] => {
                let here = full_path(Path::new("."));
                let name = last.strip_prefix(&here).unwrap_or(last).display();
                if rest.iter().all(|p| p == last) {
                    format!("{name} changed: ")
                } else {
                    format!("{name} and more changed: ")
                }
            }
        };
        println!(
            "{cause}{} {} page{} in {:.1} s",
            if self.built { "rebuilt" } else { "built" },
            report.pages,
            if report.pages == 1 { "" } else { "s" },
            took.as_secs_f64()
        );
    }
}

/// An absolute path with the links of its existing part resolved, so that paths compare equal
/// to those the watcher reports and to those a request resolves to.
fn full_path(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    for ancestor in absolute.ancestors() {
        if let Ok(real) = ancestor.canonicalize() {
            let rest = absolute.strip_prefix(ancestor).unwrap_or(Path::new(""));
            return real.join(rest);
        }
    }
    absolute
}
