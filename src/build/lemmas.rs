//! An article's content words for the reader's difficulty figures: its distinct lemmas, as the
//! script the index loads when it needs them (`<slug>/words.js`), and its level, the share of
//! them outside the site's commonest lemmas.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

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

    /// The keys, one a line, as an entry holds them until the build has ranked them.
    pub(super) fn joined(&self) -> String {
        self.0.join("\n")
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
fn commonest<'a>(lists: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut articles: HashMap<&str, u32> = HashMap::new();
    for list in lists {
        for key in list.lines() {
            *articles.entry(key).or_default() += 1;
        }
    }
    let mut ranked: Vec<(&str, u32)> = articles.into_iter().collect();
    ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    ranked.into_iter().take(COMMONEST).map(|(k, _)| k).collect()
}

/// The share, in percent, of `lemmas` (one a line) outside `common`; `None` without lemmas.
fn level(lemmas: &str, common: &HashSet<&str>) -> Option<u8> {
    let (mut all, mut rare) = (0usize, 0usize);
    for key in lemmas.lines() {
        all += 1;
        rare += usize::from(!common.contains(key));
    }
    (all > 0).then(|| ((rare * 100 + all / 2) / all) as u8)
}

/// A full build's levels: ranks the site's lemmas, gives every entry its level, frees the
/// lists and keeps the commonest lemmas for the rebuilds to come.
pub(super) fn rank(entries: &mut [Entry], state: &StateDir) -> Result<()> {
    let common = commonest(entries.iter().map(|e| e.lemmas.as_str()));
    let path = state.commonest_lemmas();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create the state folder", e))?;
    }
    std::fs::write(&path, common.join("\n")).map_err(|e| Error::io(&path, "write", e))?;
    let common: HashSet<String> = common.into_iter().map(str::to_string).collect();
    let common: HashSet<&str> = common.iter().map(String::as_str).collect();
    for entry in entries {
        entry.summary.level = level(&entry.lemmas, &common);
        entry.lemmas = String::new();
    }
    Ok(())
}

/// A rebuild's levels: the remade articles are measured against the commonest lemmas of the
/// last full build, read when the first is.
pub(super) struct Ranking<'a> {
    state: &'a StateDir,
    common: std::cell::OnceCell<String>,
}

impl<'a> Ranking<'a> {
    pub(super) fn new(state: &'a StateDir) -> Ranking<'a> {
        Ranking {
            state,
            common: std::cell::OnceCell::new(),
        }
    }

    /// Gives a remade entry its level and frees its list.
    pub(super) fn rank(&self, entry: &mut Entry) {
        let common = self.common.get_or_init(|| {
            std::fs::read_to_string(self.state.commonest_lemmas()).unwrap_or_default()
        });
        let common: HashSet<&str> = common.lines().collect();
        entry.summary.level = level(&entry.lemmas, &common);
        entry.lemmas = String::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_count_lemmas_outside_the_commonest() {
        let lists = [
            "a|noun\nb|verb\nc|noun",
            "a|noun\nb|verb",
            "a|noun\nd|adverb",
        ];
        let common = commonest(lists.iter().copied());
        assert_eq!(common[..2], ["a|noun", "b|verb"]);
        let top: HashSet<&str> = common[..2].iter().copied().collect();
        assert_eq!(level(lists[0], &top), Some(33));
        assert_eq!(level(lists[1], &top), Some(0));
        assert_eq!(level("", &top), None);
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
