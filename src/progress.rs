//! The progress bar of a long build: shown on a terminal once a build has run for a second.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use paralelo::Progress;

/// Short builds print no bar at all; a bar appears only when one is worth watching.
const SHOW_AFTER: Duration = Duration::from_secs(1);

pub struct LateBar {
    started: Instant,
    enabled: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl LateBar {
    pub fn new(quiet: bool) -> LateBar {
        LateBar {
            started: Instant::now(),
            enabled: !quiet && std::io::stderr().is_terminal(),
            bar: Mutex::new(None),
        }
    }

    pub fn update(&self, progress: Progress) {
        if !self.enabled || self.started.elapsed() < SHOW_AFTER {
            return;
        }
        let Ok(mut bar) = self.bar.lock() else {
            return;
        };
        let bar = bar.get_or_insert_with(|| {
            let bar = ProgressBar::new(progress.total as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{bar:40} {pos}/{len} articles, {eta} left")
            {
                bar.set_style(style);
            }
            bar
        });
        bar.set_position(progress.done as u64);
    }

    pub fn finish(&self) {
        if let Ok(Some(bar)) = self.bar.lock().as_deref() {
            bar.finish_and_clear();
        }
    }
}
