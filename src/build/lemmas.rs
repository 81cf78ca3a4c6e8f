//! An article's content words for the reader's difficulty figures: its distinct lemmas, as the
//! script the index loads when it needs them (`<slug>/words.js`), and its level, the share of
//! them outside the site's commonest lemmas.

use std::fmt::Write;
use std::sync::Mutex;

use rustc_hash::FxHashMap;

use super::state::{Entry, StateDir};
use crate::annotate::Glossary;
use crate::error::{Error, Result};

/// The data script beside each glossed article's page.
const WORDS_FILE: &str = "words.js";
/// How many of the site's lemmas count as its commonest: about what a learner knows at B1.
const COMMONEST: usize = 1000;

/// An article's distinct content lemmas (nouns, verbs, adjectives, adverbs), each keyed as the
/// page's script keys a status, `lemma|class`, sorted.
#[derive(Debug, Default)]
pub(super) struct Lemmas(Vec<String>);

impl Lemmas {
    /// The lemmas of the glossed original; none without glosses.
    pub(super) fn of(glossary: Option<&Glossary>) -> Lemmas {
        Lemmas(glossary.map(|g| g.lemmas.clone()).unwrap_or_default())
    }

    /// The article's `words.js`, which hands the lemmas to the index page's script; none when
    /// there are none.
    pub(super) fn file(&self, slug: &str) -> Option<(String, Vec<u8>)> {
        if self.0.is_empty() {
            return None;
        }
        let mut text = String::from("paraleloWords([");
        for (i, key) in self.0.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            push_js_string(&mut text, key);
        }
        text.push_str("]);\n");
        Some((format!("{slug}/{WORDS_FILE}"), text.into_bytes()))
    }

    /// The keys' numbers in `ids`, as an entry holds them until the build has ranked them.
    pub(super) fn numbered(&self, ids: &LemmaIds) -> Box<[u32]> {
        ids.numbers(&self.0)
    }
}

/// The lemma keys of a build's articles, each numbered once: an entry holds its article's
/// lemmas as numbers until the build has ranked them (as strings, a 10,000-article site's lists
/// took tens of megabytes).
#[derive(Default)]
pub(super) struct LemmaIds(Mutex<Numbering>);

#[derive(Default)]
struct Numbering {
    numbers: FxHashMap<Box<str>, u32>,
    keys: Vec<Box<str>>,
}

impl LemmaIds {
    /// The numbers of `keys`, new keys numbered next.
    fn numbers(&self, keys: &[String]) -> Box<[u32]> {
        let mut numbering = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let Numbering { numbers, keys: all } = &mut *numbering;
        keys.iter()
            .map(|key| match numbers.get(key.as_str()) {
                Some(&n) => n,
                None => {
                    let n = all.len() as u32;
                    numbers.insert(key.as_str().into(), n);
                    all.push(key.as_str().into());
                    n
                }
            })
            .collect()
    }

    /// Which numbers are of `common` keys, as a flag per number.
    fn flags<'a>(&self, common: impl Iterator<Item = &'a str>) -> Vec<bool> {
        let numbering = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut flags = vec![false; numbering.keys.len()];
        for key in common {
            if let Some(&n) = numbering.numbers.get(key) {
                flags[n as usize] = true;
            }
        }
        flags
    }
}

fn push_js_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c < ' ' || matches!(c, '\u{2028}' | '\u{2029}') => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The [`COMMONEST`] lemmas found in the most articles (ties by key, for stable output).
fn commonest<'a>(lists: impl Iterator<Item = &'a [u32]>, ids: &LemmaIds) -> Vec<Box<str>> {
    let numbering = ids.0.lock().unwrap_or_else(|e| e.into_inner());
    let mut articles = vec![0u32; numbering.keys.len()];
    for list in lists {
        for &n in list {
            articles[n as usize] += 1;
        }
    }
    let mut ranked: Vec<(&str, u32)> = numbering
        .keys
        .iter()
        .zip(articles)
        .filter(|(_, count)| *count > 0)
        .map(|(key, count)| (&**key, count))
        .collect();
    ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    ranked
        .into_iter()
        .take(COMMONEST)
        .map(|(k, _)| k.into())
        .collect()
}

/// The share, in percent, of `lemmas` outside the `common` ones; `None` without lemmas.
fn level(lemmas: &[u32], common: &[bool]) -> Option<u8> {
    let all = lemmas.len();
    let rare = lemmas
        .iter()
        .filter(|&&n| !common.get(n as usize).copied().unwrap_or(false))
        .count();
    (all > 0).then(|| ((rare * 100 + all / 2) / all) as u8)
}

/// A full build's levels: ranks the site's lemmas, gives every entry its level, frees the
/// lists and keeps the commonest lemmas for the rebuilds to come.
pub(super) fn rank(entries: &mut [Entry], ids: &LemmaIds, state: &StateDir) -> Result<()> {
    let common = commonest(entries.iter().map(|e| &*e.lemmas), ids);
    let path = state.commonest_lemmas();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create the state folder", e))?;
    }
    std::fs::write(&path, common.join("\n")).map_err(|e| Error::io(&path, "write", e))?;
    let common = ids.flags(common.iter().map(|k| &**k));
    for entry in entries {
        entry.summary.level = level(&entry.lemmas, &common);
        entry.lemmas = Box::default();
    }
    Ok(())
}

/// A rebuild's levels: the remade articles are measured against the commonest lemmas of the
/// last full build, read when the first is.
pub(super) struct Ranking<'a> {
    state: &'a StateDir,
    ids: &'a LemmaIds,
    common: std::cell::OnceCell<Vec<bool>>,
}

impl<'a> Ranking<'a> {
    pub(super) fn new(state: &'a StateDir, ids: &'a LemmaIds) -> Ranking<'a> {
        Ranking {
            state,
            ids,
            common: std::cell::OnceCell::new(),
        }
    }

    /// Gives a remade entry its level and frees its list.
    pub(super) fn rank(&self, entry: &mut Entry) {
        let common = self.common.get_or_init(|| {
            let text = std::fs::read_to_string(self.state.commonest_lemmas()).unwrap_or_default();
            self.ids.flags(text.lines())
        });
        entry.summary.level = level(&entry.lemmas, common);
        entry.lemmas = Box::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_count_lemmas_outside_the_commonest() {
        let ids = LemmaIds::default();
        let lists: Vec<Box<[u32]>> = [
            &["c|noun", "b|verb", "a|noun"][..],
            &["a|noun", "b|verb"],
            &["a|noun", "d|adverb"],
        ]
        .iter()
        .map(|keys| Lemmas(keys.iter().map(|k| k.to_string()).collect()).numbered(&ids))
        .collect();
        // Numbered in the order first met, each once.
        assert_eq!(*lists[1], [2, 1]);
        let common = commonest(lists.iter().map(|l| &**l), &ids);
        assert_eq!(
            common,
            ["a|noun", "b|verb", "c|noun", "d|adverb"].map(Box::from)
        );
        let top = ids.flags(["a|noun", "b|verb", "e|noun"].into_iter());
        assert_eq!(top, [false, true, true, false]);
        assert_eq!(level(&lists[0], &top), Some(33));
        assert_eq!(level(&lists[1], &top), Some(0));
        assert_eq!(level(&[], &top), None);
    }

    #[test]
    fn words_script_escapes_its_strings() {
        let lemmas = Lemmas(vec!["a \"b\"\\|noun".to_string()]);
        let (path, bytes) = lemmas.file("x").unwrap();
        assert_eq!(path, "x/words.js");
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "paraleloWords([\"a \\\"b\\\"\\\\|noun\"]);\n"
        );
        assert!(Lemmas::default().file("x").is_none());
    }
}
