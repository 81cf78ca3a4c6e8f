//! What becomes of each seed: kept as the last build made it, or made again, on every core; and
//! the checks that need every article at once (slugs that clash).

use std::collections::BTreeMap;
use std::path::Path;

use super::article::{Files, make_article, prepare};
use super::inputs::{Inputs, SeedFile};
use super::{Progress, state};
use crate::config::BuildOptions;
use crate::error::{Error, Location, Result, Warning};
use crate::find::entities::{LinkGroup, links_hash};
use crate::model::ArticleSummary;

/// What became of one seed.
pub(super) enum Outcome {
    /// Its seed and translation are as the previous manifest's entry saw them: the same bytes,
    /// and the same stamps unless new ones are given.
    Kept {
        previous: usize,
        stamps: Option<(Option<state::Stamp>, Option<state::Stamp>)>,
    },
    /// Made again: its entry, its files unless they went to disk already, and the previous
    /// entry it replaces.
    Made {
        entry: Box<state::Entry>,
        files: Option<Files>,
        previous: Option<usize>,
    },
}

/// The entries of a build that had no previous manifest, so made every article.
pub(super) fn made_entries(outcomes: Vec<Outcome>) -> Vec<state::Entry> {
    outcomes
        .into_iter()
        .filter_map(|outcome| match outcome {
            Outcome::Made { entry, .. } => Some(*entry),
            Outcome::Kept { .. } => None,
        })
        .collect()
}

/// The entries' positions, newest first, as the index lists them.
pub(super) fn newest_first(entries: &[state::Entry]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| ArticleSummary::newest_first(&entries[a].summary, &entries[b].summary));
    order
}

/// Each seed's entry in the previous manifest, with its position there, if it has one.
pub(super) type Previous<'a> = Vec<Option<(usize, &'a state::Entry)>>;

/// Finds each seed of `inputs`, in order, in the previous manifest.
pub(super) fn find_previous<'a>(inputs: &Inputs, previous: &'a state::Manifest) -> Previous<'a> {
    // Keyed by the path's bytes: comparing `Path`s component by component showed in profiles.
    let by_seed: rustc_hash::FxHashMap<&std::ffi::OsStr, (usize, &state::Entry)> = previous
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.seed.as_os_str(), (i, e)))
        .collect();
    inputs
        .seeds
        .iter()
        .map(|file| by_seed.get(file.path.as_os_str()).copied())
        .collect()
}

/// How many seeds may have changed since the previous build: those it did not have, and those
/// whose files' stamps moved. Known before anything is read or rendered.
pub(super) fn maybe_changed(inputs: &Inputs, previous: &Previous<'_>) -> usize {
    previous
        .iter()
        .zip(&inputs.stamps)
        .filter(|(entry, stamps)| {
            !entry.is_some_and(|(_, e)| e.stamps_match(stamps.seed_stamp, stamps.translation_stamp))
        })
        .count()
}

/// Processes every seed in parallel, each against its `previous` entry (none in a full build,
/// where `previous` is empty). `stream` sees each made article's files as soon as they exist;
/// what it keeps is up to it. A full build settles every article's links after (see
/// `names::settle`): there, a page whose links cannot be known yet is left to that step.
pub(super) fn process_seeds(
    options: &BuildOptions,
    inputs: &Inputs,
    previous: &Previous<'_>,
    progress: &(dyn Fn(Progress) + Sync),
    stream: &(dyn Fn(&Files) -> Result<()> + Sync),
) -> Vec<Result<Outcome>> {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let full = previous.is_empty();
    let total = inputs.seeds.len();
    let done = AtomicUsize::new(0);
    inputs
        .seeds
        .par_iter()
        .zip(&inputs.stamps)
        .enumerate()
        .map(|(i, (file, stamps))| {
            let entry = previous.get(i).copied().flatten();
            let result =
                process_seed(options, inputs, file, stamps, entry, full).and_then(|outcome| {
                    match outcome {
                        Outcome::Made {
                            entry,
                            files: Some(files),
                            previous: None,
                        } if full => stream(&files).map(|()| Outcome::Made {
                            entry,
                            files: None,
                            previous: None,
                        }),
                        outcome => Ok(outcome),
                    }
                });
            let done = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(Progress { done, total });
            result
        })
        .collect()
}

/// Makes one seed's files again, unless its seed and translation are as `previous` saw them
/// (`links_later`: see [`make_article`]).
fn process_seed(
    options: &BuildOptions,
    inputs: &Inputs,
    file: &SeedFile,
    stamps: &state::SeedStamps,
    previous: Option<(usize, &state::Entry)>,
    links_later: bool,
) -> Result<Outcome> {
    let translation = &stamps.translation;
    let (seed_stamp, translation_stamp) = (stamps.seed_stamp, stamps.translation_stamp);
    if let Some((i, _)) = previous.filter(|(_, e)| e.stamps_match(seed_stamp, translation_stamp)) {
        return Ok(Outcome::Kept {
            previous: i,
            stamps: None,
        });
    }
    let bytes = state::SeedBytes::read(&file.path, translation)?;
    let hash = bytes.hash();
    if let Some((i, _)) = previous.filter(|(_, e)| e.hash == hash) {
        return Ok(Outcome::Kept {
            previous: i,
            stamps: Some((seed_stamp, translation_stamp)),
        });
    }
    let rendered = make_article(options, inputs, file, translation, bytes, links_later)?;
    // The page first, whether it is made now or waits for its links, then the files beside it.
    let (page, html) = rendered.page;
    let paths = std::iter::once(&page)
        .chain(rendered.beside.iter().map(|(path, _)| path))
        .cloned()
        .collect();
    let files: Files = (html.map(|html| (page, html)).into_iter())
        .chain(rendered.beside)
        .collect();
    let entry = state::Entry {
        seed: file.path.clone(),
        seed_stamp,
        translation_stamp,
        hash,
        files: paths,
        summary: rendered.summary,
        warnings: rendered.warnings,
        names_hash: super::names::digest(&rendered.names),
        names: Some(rendered.names),
        linked: rendered.linked,
        written: None,
        lemmas: rendered.lemmas,
    };
    Ok(Outcome::Made {
        entry: Box::new(entry),
        files: Some(files),
        previous: previous.map(|(i, _)| i),
    })
}

/// Where a full build puts files as they are made, rather than holding them.
pub(super) type Sink<'a> = &'a (dyn Fn(&str, &[u8]) -> Result<()> + Sync);

/// Makes the pages of the seeds of `entries` at `which`, each with its `links` (to entity pages
/// that came or went with other articles, or that were not known when the article was made),
/// and gives them — or, with a `sink`, puts them there as they are made (a first build makes
/// most pages here: held, they would all be in memory at once). Only the pages: the files
/// beside them do not depend on the links, and were made with the article. Every page that
/// fails is reported.
pub(super) fn relink(
    options: &BuildOptions,
    inputs: &Inputs,
    entries: &mut [state::Entry],
    which: &[(usize, Vec<LinkGroup>)],
    sink: Option<Sink<'_>>,
) -> Result<Files> {
    use rayon::prelude::*;
    let seeds: std::collections::HashMap<&Path, (&SeedFile, &state::SeedStamps)> = inputs
        .seeds
        .iter()
        .zip(&inputs.stamps)
        .map(|(file, stamps)| (file.path.as_path(), (file, stamps)))
        .collect();
    let made: Vec<Result<Files>> = which
        .par_iter()
        .map(|(i, links)| {
            let (file, stamps) = seeds[entries[*i].seed.as_path()];
            let bytes = state::SeedBytes::read(&file.path, &stamps.translation)?;
            let prepared = prepare(options, inputs, file, &stamps.translation, bytes)?;
            let (path, html) = (prepared.page_path(), prepared.page(options, inputs, links)?);
            match sink {
                Some(sink) => sink(&path, &html).map(|()| Vec::new()),
                None => Ok(vec![(path, html)]),
            }
        })
        .collect();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for ((i, links), result) in which.iter().zip(made) {
        match result {
            Ok(page) => {
                files.extend(page);
                let linked = Some(links_hash(links));
                if entries[*i].linked != linked {
                    entries[*i].linked = linked;
                    entries[*i].written = None;
                }
            }
            Err(e) => errors.push(e),
        }
    }
    match errors.is_empty() {
        true => Ok(files),
        false => Err(Error::all(errors)),
    }
}

/// Every seed's outcome, or every error, including clashing slugs (a kept seed's slug is the
/// one in `previous`). Seeds left out for want of a translation (`--skip-untranslated`) come
/// back as warnings.
pub(super) fn settle(
    outcomes: Vec<Result<Outcome>>,
    options: &BuildOptions,
    inputs: &Inputs,
    previous: Option<&state::Manifest>,
) -> Result<(Vec<Outcome>, Vec<Warning>)> {
    let mut errors = Vec::new();
    let mut skipped = Vec::new();
    let mut settled = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        match outcome {
            Ok(outcome) => settled.push(outcome),
            Err(Error::Untranslated { location, message }) if options.skip_untranslated => skipped
                .push(Warning {
                    path: location.path,
                    place: None,
                    message: format!("left out: {message}"),
                }),
            Err(e) => errors.push(e),
        }
    }
    let entries = settled.iter().filter_map(|outcome| match outcome {
        Outcome::Made { entry, .. } => Some(&**entry),
        Outcome::Kept { previous: i, .. } => previous.and_then(|m| m.entries.get(*i)),
    });
    check_slugs(entries, settled.len(), &inputs.static_files, &mut errors);
    if errors.is_empty() {
        Ok((settled, skipped))
    } else {
        Err(Error::all(errors))
    }
}

/// Two articles with one slug are an error naming both; so is a slug that a static folder or
/// the index's later pages (`page/`) already use.
fn check_slugs<'a>(
    entries: impl Iterator<Item = &'a state::Entry>,
    count: usize,
    static_files: &BTreeMap<String, Vec<u8>>,
    errors: &mut Vec<Error>,
) {
    enum Owner<'a> {
        LaterPages,
        Reserved,
        Static,
        Seed(&'a Path),
    }
    let mut taken: rustc_hash::FxHashMap<&str, Owner<'_>> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(count + 16, Default::default());
    taken.insert("page", Owner::LaterPages);
    taken.extend(crate::find::RESERVED.map(|folder| (folder, Owner::Reserved)));
    for name in static_files.keys() {
        if let Some((folder, _)) = name.split_once('/') {
            taken.insert(folder, Owner::Static);
        }
    }
    for entry in entries {
        let slug = entry.summary.slug.as_str();
        let owner = match taken.entry(slug) {
            std::collections::hash_map::Entry::Vacant(free) => {
                free.insert(Owner::Seed(&entry.seed));
                continue;
            }
            std::collections::hash_map::Entry::Occupied(owner) => match owner.get() {
                Owner::LaterPages => "the index's later pages".to_string(),
                Owner::Reserved => format!("the site's own folder `{slug}/`"),
                Owner::Static => format!("the static folder `{slug}`"),
                Owner::Seed(path) => path.display().to_string(),
            },
        };
        errors.push(Error::input(
            Location::file(&entry.seed),
            format!(
                "has the slug `{slug}`, like {owner}; give it another `slug` in its translation's front matter"
            ),
        ));
    }
}
