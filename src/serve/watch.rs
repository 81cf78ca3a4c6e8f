//! Watching the build's inputs (seeds, templates, static files, paralelo.toml) through notify's debouncer.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::event::{AccessKind, AccessMode};
use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use super::{StopHandle, full_path};
use crate::{BuildOptions, Error, Result};

/// How long a change waits before it is reported: an editor's save is a burst of events.
const DEBOUNCE: Duration = Duration::from_millis(200);
/// Changes reported this close together make one build: a `git checkout` is a longer burst.
const BURST_GAP: Duration = Duration::from_millis(100);
/// A file that never stops changing still gets built this often.
const MAX_DELAY: Duration = Duration::from_secs(2);
/// How often the rebuild loop looks whether it was asked to stop.
const POLL: Duration = Duration::from_millis(100);

/// The paths changed in one report of the debouncer; reads are left out.
pub(super) type Changes = Receiver<Vec<PathBuf>>;

/// Watches the folders [`Inputs`] names, and watches again those that were replaced.
pub(super) struct Watcher {
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    watching: Vec<(PathBuf, RecursiveMode)>,
}

impl Watcher {
    pub(super) fn new() -> Result<(Watcher, Changes)> {
        let (tx, changes) = mpsc::channel();
        let debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
            match result {
                Ok(events) => {
                    let paths: Vec<PathBuf> = events
                        .into_iter()
                        // The build opens every seed: counting reads would rebuild forever.
                        .filter(|e| !matches!(e.kind, EventKind::Access(kind) if kind != AccessKind::Close(AccessMode::Write)))
                        .flat_map(|e| e.event.paths)
                        .collect();
                    if !paths.is_empty() {
                        // The receiver is gone only once serving stops.
                        let _ = tx.send(paths);
                    }
                }
                Err(errors) => errors
                    .iter()
                    .for_each(|e| eprintln!("warning: watching files: {e}")),
            }
        })
        .map_err(|e| {
            Error::io(
                Path::new("."),
                "watch the files for changes",
                std::io::Error::other(e),
            )
        })?;
        let watcher = Watcher {
            debouncer,
            watching: Vec::new(),
        };
        Ok((watcher, changes))
    }

    /// Watches what `inputs` names, and watches again a folder among `changed`: it may have been
    /// replaced, and the old watch follows the old folder.
    pub(super) fn update(&mut self, inputs: &Inputs, changed: &[PathBuf]) {
        let wanted = inputs.watches();
        let (keep, drop): (Vec<_>, Vec<_>) = std::mem::take(&mut self.watching)
            .into_iter()
            .partition(|w| wanted.contains(w) && !changed.contains(&w.0));
        for (path, _) in drop {
            // It may be gone already, which is fine.
            let _ = self.debouncer.unwatch(&path);
        }
        self.watching = keep;
        for (path, mode) in wanted {
            if self.watching.iter().any(|(p, _)| *p == path) {
                continue;
            }
            match self.debouncer.watch(&path, mode) {
                Ok(()) => self.watching.push((path, mode)),
                // A missing folder is the build's to report; it is watched once it is there.
                Err(_) if !path.exists() => {}
                Err(e) => eprintln!("warning: cannot watch {}: {e}", path.display()),
            }
        }
    }
}

/// Waits for the next change to an input, and for the rest of its burst; `None` once `stop`.
pub(super) fn next(changes: &Changes, inputs: &Inputs, stop: &StopHandle) -> Option<Vec<PathBuf>> {
    let inputs_in = |paths: Vec<PathBuf>| paths.into_iter().filter(|p| inputs.is_input(p));
    let mut changed = Vec::new();
    while changed.is_empty() {
        if stop.is_stopped() {
            return None;
        }
        match changes.recv_timeout(POLL) {
            Ok(paths) => changed.extend(inputs_in(paths)),
            Err(RecvTimeoutError::Timeout) => {}
            // The watcher lives as long as the loop; if it did not, serving on without rebuilds
            // is the most useful thing left to do.
            Err(RecvTimeoutError::Disconnected) => thread::sleep(POLL),
        }
    }
    let started = Instant::now();
    while started.elapsed() < MAX_DELAY && !stop.is_stopped() {
        match changes.recv_timeout(BURST_GAP) {
            Ok(paths) => changed.extend(inputs_in(paths)),
            Err(_) => break,
        }
    }
    Some(changed)
}

/// What to watch for a build's options, and which changed paths are its inputs.
pub(super) struct Inputs {
    /// Watched with everything inside: the seeds, templates and static folders.
    trees: Vec<PathBuf>,
    /// The configuration file; its folder is watched alone, since editors often replace a file
    /// instead of writing it, which a watch on the file itself would lose.
    config: PathBuf,
    /// The default `templates/` and `static/`: their appearing changes the build.
    defaults: Vec<PathBuf>,
    /// The build's own writes: the output, its staging folders, the translation cache.
    ignored: Vec<PathBuf>,
    /// Staging folders are named `.<out>.paralelo-…` beside the output (see `site::Staging`).
    staging: (PathBuf, String),
}

impl Inputs {
    pub(super) fn new(options: &BuildOptions, config_path: &Path) -> Self {
        let folder = |given: &Option<PathBuf>, default: &str| {
            full_path(given.as_deref().unwrap_or(Path::new(default)))
        };
        let out = full_path(&options.out);
        let out_name = out
            .file_name()
            .map_or("public".into(), |n| n.to_string_lossy());
        let staging = (
            out.parent().map(Path::to_path_buf).unwrap_or_default(),
            format!(".{out_name}.paralelo-"),
        );
        let mut ignored = vec![out.clone()];
        ignored.extend(
            options
                .machine
                .as_ref()
                .and_then(|m| m.cache_dir.as_deref())
                .map(full_path),
        );
        Inputs {
            trees: vec![
                full_path(&options.seeds),
                folder(&options.templates, "templates"),
                folder(&options.static_dir, "static"),
            ],
            config: full_path(config_path),
            defaults: vec![
                full_path(Path::new("templates")),
                full_path(Path::new("static")),
            ],
            ignored,
            staging,
        }
    }

    /// Each folder once; where one is both a tree and the configuration's folder (`--seeds .`),
    /// the recursive watch, which sees everything the other would.
    fn watches(&self) -> Vec<(PathBuf, RecursiveMode)> {
        let trees = self
            .trees
            .iter()
            .map(|t| (t.as_path(), RecursiveMode::Recursive));
        let config = self
            .config
            .parent()
            .map(|folder| (folder, RecursiveMode::NonRecursive));
        let mut watches: Vec<(PathBuf, RecursiveMode)> = Vec::new();
        for (path, mode) in trees.chain(config) {
            if !watches.iter().any(|(p, _)| p == path) {
                watches.push((path.to_path_buf(), mode));
            }
        }
        watches
    }

    fn is_input(&self, path: &Path) -> bool {
        let in_staging = path.strip_prefix(&self.staging.0).is_ok_and(|rest| {
            rest.iter()
                .next()
                .is_some_and(|first| first.to_string_lossy().starts_with(&self.staging.1))
        });
        if in_staging || self.ignored.iter().any(|p| path.starts_with(p)) || is_scratch(path) {
            return false;
        }
        path == self.config
            || self.defaults.iter().any(|d| path == d)
            || self.trees.iter().any(|tree| path.starts_with(tree))
    }
}

/// Editors' swap, backup and lock files, which are no input of the build.
fn is_scratch(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.starts_with(".#")
        || name == "4913"
}
