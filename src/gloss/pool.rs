//! The word analysers of one build, one per thread that needs one, behind the cache of earlier
//! builds' analyses.

use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::cache::{self, Cache, Kind, RecordReader};
use super::{EnglishWord, Glosser, PartOfSpeech, WordGloss, english_words};
use crate::error::{Error, Location, Result};
use crate::model::Paragraph;

/// What the analysers say of an article: each original paragraph's glossed words, and each
/// translated paragraph's words (for the sense each word takes in context).
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub words: Vec<Vec<WordGloss>>,
    pub english: Vec<Vec<EnglishWord>>,
}

/// The word analysers of one build: each thread that needs one takes an idle analyser or starts
/// its own, so glossing (the costliest stage) runs on every core. With a cache, only paragraphs
/// no earlier build analysed are analysed, and no analyser starts when there are none.
#[derive(Default)]
pub struct Glosses {
    idle: std::sync::Mutex<Vec<Glosser>>,
    /// Why the analyser could not start; the build says so once, in [`Glosses::unavailable`].
    failure: std::sync::OnceLock<String>,
    cache: Option<Cache>,
    /// Paragraphs (original and translation) analysed, and taken from the cache.
    analysed: AtomicUsize,
    cached: AtomicUsize,
}

impl Glosses {
    /// Analysers whose results are kept under `root` (the state folder's `glosses`), for the
    /// installed dictionaries `data_identity` ([`Glosser::data_identity`]).
    pub fn with_cache(root: &Path, data_identity: &str) -> Glosses {
        Glosses {
            cache: Some(Cache::new(root, data_identity)),
            ..Glosses::default()
        }
    }

    /// Each paragraph's analysed words, original and translation; `None` when the analyser is
    /// not there.
    pub fn analyse(
        &self,
        source: &[Paragraph],
        target: &[Paragraph],
        file: &Path,
    ) -> Result<Option<Analysis>> {
        let mut glosser = None;
        let mut words = Vec::with_capacity(source.len());
        for paragraph in source {
            let (key, hit) = self.cached(Kind::Spanish, &paragraph.text, decode_spanish);
            if let Some(hit) = hit {
                words.push(hit);
                continue;
            }
            if glosser.is_none() {
                glosser = Some(self.take());
            }
            let Some(Some(analyser)) = glosser.as_mut() else {
                return Ok(None);
            };
            let analysed = analyser.analyse(&paragraph.text).map_err(|e| {
                // An analyser that failed is dropped (its processes stopped), not put back.
                Error::input(
                    Location::line(file, paragraph.line),
                    format!("cannot gloss its words: {e}"),
                )
            })?;
            if let Some(cache) = &self.cache {
                cache.put(key, &encode(&analysed, |w| w.range.clone(), encode_spanish));
            }
            words.push(analysed);
        }
        if let Some(Some(analyser)) = glosser
            && let Ok(mut idle) = self.idle.lock()
        {
            idle.push(analyser);
        }
        let english = target
            .iter()
            .map(|paragraph| {
                let (key, hit) = self.cached(Kind::English, &paragraph.text, decode_english);
                if let Some(hit) = hit {
                    return hit;
                }
                let analysed = english_words(&paragraph.text);
                if let Some(cache) = &self.cache {
                    cache.put(key, &encode(&analysed, |w| w.range.clone(), encode_english));
                }
                analysed
            })
            .collect();
        Ok(Some(Analysis { words, english }))
    }

    /// The key of a paragraph's text, and its words from the cache, counted as a hit or a miss.
    fn cached<T>(
        &self,
        kind: Kind,
        text: &str,
        decode: impl Fn(Range<usize>, &mut RecordReader) -> Option<T>,
    ) -> (u64, Option<Vec<T>>) {
        let key = cache::key(kind, text);
        let words = self.cache.as_ref().and_then(|cache| {
            cache.get(key, |range, record| {
                let mut reader = RecordReader::new(record);
                decode(range, &mut reader).filter(|_| reader.done())
            })
        });
        let counter = match words {
            Some(_) => &self.cached,
            None => &self.analysed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        (key, words)
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

    /// How many paragraphs this build analysed, and how many it took from the cache.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.analysed.load(Ordering::Relaxed),
            self.cached.load(Ordering::Relaxed),
        )
    }

    pub fn unavailable(&self) -> Option<String> {
        self.failure
            .get()
            .map(|why| format!("pages built without word glosses: {why}"))
    }

    /// Keeps this build's analyses for the next (see [`Cache::save`] for `full`).
    pub fn save_cache(&self, full: bool) -> std::io::Result<()> {
        match &self.cache {
            Some(cache) => cache.save(full),
            None => Ok(()),
        }
    }
}

fn encode<T>(
    words: &[T],
    range: impl Fn(&T) -> Range<usize>,
    record: impl Fn(&T, &mut Vec<u8>),
) -> cache::Words {
    let mut encoded = cache::Words::default();
    for word in words {
        encoded.push(range(word), |out| record(word, out));
    }
    encoded
}

fn encode_spanish(word: &WordGloss, out: &mut Vec<u8>) {
    cache::push_text(out, &word.lemma);
    cache::push_text(out, word.part_of_speech.name());
    cache::push_text(out, &word.details);
    cache::push_texts(out, &word.glosses);
}

fn decode_spanish(range: Range<usize>, reader: &mut RecordReader) -> Option<WordGloss> {
    Some(WordGloss {
        range,
        lemma: reader.str()?.into(),
        part_of_speech: class_named(reader.str()?)?,
        details: reader.str()?.into(),
        glosses: reader.texts()?.into(),
    })
}

/// The class whose [`PartOfSpeech::name`] is `name`.
fn class_named(name: &str) -> Option<PartOfSpeech> {
    PartOfSpeech::ALL
        .into_iter()
        .find(|class| class.name() == name)
}

fn encode_english(word: &EnglishWord, out: &mut Vec<u8>) {
    cache::push_text(out, &word.lower);
    cache::push_texts(out, &word.lemmas);
    cache::push_texts(out, &word.classes);
    cache::push_text(out, if word.capitalised { "C" } else { "" });
}

fn decode_english(range: Range<usize>, reader: &mut RecordReader) -> Option<EnglishWord> {
    Some(EnglishWord {
        range,
        lower: reader.str()?.into(),
        lemmas: reader.texts()?.into(),
        classes: reader.texts()?.into(),
        capitalised: !reader.str()?.is_empty(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_is_read_back_from_its_name() {
        for class in PartOfSpeech::ALL {
            assert_eq!(class_named(class.name()), Some(class));
        }
        assert_eq!(class_named("verbo"), None);
    }
}
