//! The word analysers of one build, one per thread that needs one.

use std::path::Path;

use super::{Glosser, WordGloss};
use crate::error::{Error, Location, Result};
use crate::model::Paragraph;

/// The word analysers of one build: each thread that needs one takes an idle analyser or starts
/// its own, so glossing (the costliest stage) runs on every core.
#[derive(Default)]
pub struct Glosses {
    idle: std::sync::Mutex<Vec<Glosser>>,
    /// Why the analyser could not start; the build says so once, in [`Glosses::unavailable`].
    failure: std::sync::OnceLock<String>,
}

impl Glosses {
    /// Each paragraph's analysed words; `None` when the analyser is not there.
    pub fn analyse(
        &self,
        paragraphs: &[Paragraph],
        file: &Path,
    ) -> Result<Option<Vec<Vec<WordGloss>>>> {
        let Some(mut glosser) = self.take() else {
            return Ok(None);
        };
        let analysed = paragraphs
            .iter()
            .map(|p| {
                glosser.analyse(&p.text).map_err(|e| {
                    Error::input(
                        Location::line(file, p.line),
                        format!("cannot gloss its words: {e}"),
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // An analyser that failed is dropped (its processes stopped) above, not put back.
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(glosser);
        }
        Ok(Some(analysed))
    }

    fn take(&self) -> Option<Glosser> {
        if let Some(glosser) = self.idle.lock().ok()?.pop() {
            return Some(glosser);
        }
        if self.failure.get().is_some() {
            return None;
        }
        Glosser::start_default()
            .map_err(|e| self.failure.set(e.to_string()))
            .ok()
    }

    pub fn unavailable(&self) -> Option<String> {
        self.failure
            .get()
            .map(|why| format!("pages built without word glosses: {why}"))
    }
}
