//! The build: reads the inputs, decides what to make again, makes it on every core, and puts it in
//! place through [`crate::output`]. `check` runs the same work and writes nothing; `new` writes a
//! translation skeleton.

mod article;
mod inputs;
mod lemmas;
mod names;
mod plan;
mod site_id;
mod state;

use std::path::{Path, PathBuf};

use crate::config::BuildOptions;
use crate::error::{Error, Location, Result, Warning};
use crate::model::ArticleSummary;
use crate::{output, render, translate};
pub use article::{render_from_text, render_with_templates};
use inputs::Inputs;
use plan::{
    Outcome, find_previous, made_entries, maybe_changed, newest_first, process_seeds, settle,
};

/// What a build did.
#[derive(Debug)]
pub struct BuildReport {
    pub pages: usize,
    /// How many of the pages have a machine translation.
    pub machine_translated: usize,
    /// How many pages were made again (all of them, unless the build was incremental).
    pub remade: usize,
    /// With glosses: how many paragraphs (original and translation) were analysed, and how many
    /// analyses were taken from the cache of earlier builds.
    pub analysed: Option<(usize, usize)>,
    /// With glosses: how many pages were made from the annotations of an earlier build (a
    /// template, CSS or option change), with nothing analysed or annotated again.
    pub annotations_reused: usize,
    /// How many times an article page was rendered through the templates: once for each page
    /// made again, and once more for each one made before the site's links were known and
    /// made again with them.
    pub pages_rendered: usize,
    /// Why every page was made again, when it was (`None`: only what changed was).
    pub full_because: Option<&'static str>,
    pub warnings: Vec<Warning>,
    /// Things the user may want to know that are not problems.
    pub notes: Vec<String>,
}

/// Builds the site: every seed becomes a page, or nothing is written.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    build_with_progress(options, &|_| {})
}

/// How far a build is: articles done out of all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

/// Above this many changed articles a rebuild builds everything afresh, which streams pages
/// to disk instead of holding the changed ones in memory until all have succeeded.
const REBUILD_LIMIT: usize = 500;

/// [`build`], telling `progress` after each article.
///
/// When the output holds the manifest of a build with the same tool, templates, static files
/// and options, only the articles whose seed or translation changed are made again, and only
/// files whose bytes change are written: the rest keep their modification times.
pub fn build_with_progress(
    options: &BuildOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<BuildReport> {
    // An output that is a link is built where it leads: swapping the link itself away would
    // leave the folder it points to to be emptied as the old output.
    let linked = std::fs::symlink_metadata(&options.out).is_ok_and(|m| m.file_type().is_symlink());
    let resolved;
    let options = if linked {
        resolved = BuildOptions {
            out: std::fs::canonicalize(&options.out)
                .map_err(|e| Error::io(&options.out, "follow the link", e))?,
            ..options.clone()
        };
        &resolved
    } else {
        options
    };
    // Every page names its site, for the reader's word statuses (see `site_id`).
    let identified = BuildOptions {
        site: crate::config::SiteSettings {
            id: site_id::site_id(options)?,
            ..options.site.clone()
        },
        ..options.clone()
    };
    let options = &identified;
    let _lock = output::lock(&options.out, options.wait)?;
    // A build killed while it put its files in place is finished first.
    output::clear_leftovers(&options.out)?;
    // Apertium's compiled files, once parsed, are kept as images beside the gloss cache: a
    // rebuild that analyses a changed paragraph reads them back instead of parsing them again.
    if options.glosses {
        crate::apertium::keep_images_in(&options.state.join("apertium"), inputs::program());
    }
    // Listing a large archive's seeds and reading its manifest take about as long: together.
    let state = state::StateDir::new(&options.state, &options.out);
    let (inputs, previous) = rayon::join(|| Inputs::load(options), || state.load());
    let (inputs, previous) = (inputs?, previous?);
    let fingerprint = inputs.fingerprint(options);
    let ours = options.out.join(output::OUTPUT_MARKER).is_file();
    // A folder built into with --force has no marker, but the state still says what is ours.
    let mut previous = previous.filter(|_| ours || options.force);
    let mut full_because = match &previous {
        None if !ours && options.out.exists() => "the output folder was not made by paralelo",
        None => {
            "no state of an earlier build of this output folder (a first build, the state deleted or written by another version, or the folder replaced)"
        }
        Some(_) => "the program, templates, static files, options or Apertium's data changed",
    };
    if let Some(manifest) = previous.take_if(|m| m.fingerprint == fingerprint) {
        match rebuild(options, &inputs, &state, manifest, progress)? {
            Ok(report) => return Ok(report),
            Err((manifest, because)) => {
                previous = Some(manifest);
                full_because = because;
            }
        }
    }
    let staging = output::Staging::new(&options.out, &inputs.protected(options), options.force)?;
    let write = |path: &str, bytes: &[u8]| staging.write(path, bytes);
    let outcomes = process_seeds(options, &inputs, &Vec::new(), progress, &|files| {
        staging.write_new_folder(files)
    });
    let (outcomes, skipped) = settle(outcomes, options, &inputs, None)?;
    let mut entries = made_entries(outcomes);
    lemmas::rank(&mut entries, &inputs.lemma_ids, &state)?;
    for (name, bytes) in &inputs.static_files {
        write(name, bytes)?;
    }
    let order = newest_first(&entries);
    let named = names::settle(options, &inputs, &mut entries, &order, None, Some(&write))?;
    // The caches are kept while the site's own pages are made and the output committed: they
    // depend on neither, and most of the gloss cache's keeping (its records numbered anew) runs
    // on one core while the pages leave the other idle at times.
    let (finished, cached) = rayon::join(
        || -> Result<BuildReport> {
            let write = |path: &str, bytes: &[u8]| staging.write(path, bytes);
            let (mut report, mut site_files) = finish(
                options,
                &inputs,
                &entries,
                &order,
                skipped,
                &write,
                &Listing::ALL,
                &named.made,
            )?;
            report.notes.extend(named.note);
            report.full_because = Some(full_because);
            site_files.extend(inputs.static_files.keys().cloned());
            // What the last build made may go; anything else in the folder is the user's and
            // stays. Without the last build's state (deleted, or from another version), a file
            // of a folder paralelo made is taken for paralelo's only where this build writes it
            // again: the others stay, since they may be the user's.
            let made = previous.as_ref().map(state::Manifest::made);
            let made_before = |relative: &str, again: bool| match &made {
                Some(made) => made.contains(relative),
                None => ours && again,
            };
            // Killed from here until the new state is saved, the next build is a full one.
            state.forget()?;
            staging.commit(&made_before)?;
            named.saved.save(&inputs.names_file)?;
            state.save(&mut state::Manifest {
                fingerprint,
                identity: (0, 0),
                entries,
                site_files,
            })?;
            state.clear_stale();
            Ok(report)
        },
        || inputs.save_caches(options, true),
    );
    let report = finished?;
    cached?;
    Ok(report)
}

/// Where an entry of this build comes from in the previous manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// Taken over unchanged (perhaps with new stamps).
    Kept(usize),
    /// Made again in place of that entry.
    Remade(usize),
    /// A seed the previous build did not have.
    New,
}

/// Rebuilds what changed since `previous`, in place, or gives `previous` back (with the reason)
/// when so much changed that a full build is the better way, or the state kept is not enough. Nothing is written unless every article
/// succeeded, and the changed files go in together (see [`output::Transaction`]). The previous
/// entries of unchanged seeds are moved over, not copied, and only the index pages and feeds
/// whose articles changed are made again.
fn rebuild(
    options: &BuildOptions,
    inputs: &Inputs,
    state: &state::StateDir,
    previous: state::Manifest,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Result<BuildReport, (state::Manifest, &'static str)>> {
    let out = &options.out;
    let found = find_previous(inputs, &previous);
    // Decided before anything is rendered: a rebuild holds its pages in memory until all have
    // succeeded, a full build streams them to disk.
    if maybe_changed(inputs, &found) > REBUILD_LIMIT {
        return Ok(Err((
            previous,
            "so many seeds changed that a full build is quicker",
        )));
    }
    let outcomes = process_seeds(options, inputs, &found, progress, &|_| Ok(()));
    drop(found);
    let (outcomes, skipped) = settle(outcomes, options, inputs, Some(&previous))?;
    let remade = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Made { .. }))
        .count();
    refuse_overwrite(out, &previous, &outcomes)?;
    // The names of the kept articles, from the names file: read only when an article's names,
    // links or listing changed, or one came or went, since only then may an entity page or
    // another article's links change.
    let mut saved_names = None;
    if !names::as_before(&outcomes, &previous.entries) {
        let articles = names::Saved::load_articles(&inputs.names_file);
        let saved = articles.zip(inputs.saved_site());
        let complete = saved.as_ref().is_some_and(|(articles, _)| {
            outcomes.iter().all(|o| match o {
                Outcome::Kept { previous: i, .. } => {
                    articles.contains_key(&previous.entries[*i].seed)
                }
                Outcome::Made { .. } => true,
            })
        });
        if !complete {
            return Ok(Err((
                previous,
                "the names the last build kept for entity pages are missing or incomplete",
            )));
        }
        saved_names = saved;
    }
    let state::Manifest {
        fingerprint,
        identity,
        entries: mut old,
        site_files: old_site_files,
    } = previous;
    let old_order = newest_first(&old);
    let mut kept = vec![false; old.len()];
    let mut changed = remade > 0;
    let mut entries = Vec::with_capacity(outcomes.len());
    let mut origins = Vec::with_capacity(outcomes.len());
    let mut made_files = Vec::with_capacity(remade);
    let ranking = lemmas::Ranking::new(state, &inputs.lemma_ids);
    for outcome in outcomes {
        match outcome {
            Outcome::Kept { previous, stamps } => {
                let mut entry = std::mem::take(&mut old[previous]);
                kept[previous] = true;
                if let Some((articles, _)) = saved_names.as_mut() {
                    entry.names = articles.remove(&entry.seed);
                }
                if let Some((seed_stamp, translation_stamp)) = stamps {
                    entry.restamp(seed_stamp, translation_stamp);
                    changed = true;
                }
                origins.push(Origin::Kept(previous));
                entries.push(entry);
            }
            Outcome::Made {
                entry,
                files,
                previous,
            } => {
                made_files.extend(files);
                origins.push(previous.map_or(Origin::New, Origin::Remade));
                let mut entry = *entry;
                ranking.rank(&mut entry);
                entries.push(entry);
            }
        }
    }
    // Where no article came, went or moved in the index, the last build's order stands.
    let in_place = entries.len() == old.len()
        && origins.iter().enumerate().all(|(j, origin)| match origin {
            Origin::Kept(k) => *k == j,
            Origin::Remade(k) => *k == j && old[*k].summary.same_place(&entries[j].summary),
            Origin::New => false,
        });
    let order = match in_place {
        true => old_order.clone(),
        false => newest_first(&entries),
    };
    let named = match &saved_names {
        Some((_, site)) => Some(names::settle(
            options,
            inputs,
            &mut entries,
            &order,
            Some(&site.pages),
            None,
        )?),
        None => None,
    };
    let transaction = output::Transaction::new(out)?;
    let write = |path: &str, bytes: &[u8]| transaction.write(path, bytes);
    for (path, bytes) in made_files.iter().flatten() {
        write(path, bytes)?;
    }
    let unchanged_entities;
    let entity_made = match &named {
        Some(named) => {
            for (path, bytes) in &named.relinked {
                write(path, bytes)?;
            }
            &named.made
        }
        None => {
            unchanged_entities = names::Made::unchanged(&old_site_files);
            &unchanged_entities
        }
    };
    let entity_pages_changed = names::pages_changed(&old_site_files, entity_made);
    // The site's own files (index pages, feeds) the last build did not make may be a user's.
    let write_site = |path: &str, bytes: &[u8]| {
        if !old_site_files.iter().any(|f| f == path) && out.join(path).exists() {
            return Err(output::not_ours(&out.join(path)));
        }
        write(path, bytes)
    };
    // Whether the articles at `positions` of the index are the ones the last build listed
    // there, with the same summaries (`whole`) or at least the same slugs and dates.
    let listed_as_before = |positions: std::ops::Range<usize>, whole: bool| {
        let clamp = |order: &[usize]| -> std::ops::Range<usize> {
            positions.start.min(order.len())..positions.end.min(order.len())
        };
        let (new, before) = (&order[clamp(&order)], &old_order[clamp(&old_order)]);
        new.len() == before.len()
            && new.iter().zip(before).all(|(&j, &i)| match origins[j] {
                Origin::Kept(k) => k == i,
                Origin::Remade(k) if whole => k == i && old[i].summary == entries[j].summary,
                Origin::Remade(k) => k == i && old[i].summary.same_place(&entries[j].summary),
                Origin::New => false,
            })
    };
    // The last build's articles in its order, for the search files and the archive.
    let mut now_at = vec![None; old.len()];
    for (j, origin) in origins.iter().enumerate() {
        if let Origin::Kept(i) = origin {
            now_at[*i] = Some(j);
        }
    }
    let before: Vec<&ArticleSummary> = (old_order.iter())
        .map(|&i| &now_at[i].map_or(&old[i], |j| &entries[j]).summary)
        .collect();
    let pages = |order: &[usize]| order.len().div_ceil(render::INDEX_PAGE_SIZE);
    let same_pages = pages(&order) == pages(&old_order) && order.len() == old_order.len();
    let size = render::INDEX_PAGE_SIZE;
    let listing = Listing {
        index_page: &|page, path| {
            let unchanged = same_pages && listed_as_before(page * size..(page + 1) * size, true);
            !unchanged || !out.join(path).is_file()
        },
        file: &|path| {
            let unchanged = match path {
                "atom.xml" => listed_as_before(0..render::feeds::FEED_ENTRIES, true),
                "sitemap.xml" => {
                    same_pages && !entity_pages_changed && listed_as_before(0..order.len(), false)
                }
                // The 404 page and robots.txt depend only on what the fingerprint covers.
                _ => true,
            };
            !unchanged || !out.join(path).is_file()
        },
        before: Some(&before),
    };
    let (mut report, mut site_files) = finish(
        options,
        inputs,
        &entries,
        &order,
        skipped,
        &write_site,
        &listing,
        entity_made,
    )?;
    report
        .notes
        .extend(named.as_ref().and_then(|n| n.note.clone()));
    report.remade = remade;
    site_files.extend(inputs.static_files.keys().cloned());
    // Stale: what the replaced and removed entries and the site made before, and made no more.
    let made: std::collections::HashSet<&str> = entries
        .iter()
        .zip(&origins)
        .filter(|(_, origin)| !matches!(origin, Origin::Kept(_)))
        .flat_map(|(entry, _)| &entry.files)
        .chain(&site_files)
        .map(String::as_str)
        .collect();
    let gone = old
        .iter()
        .zip(&kept)
        .filter(|(_, kept)| !**kept)
        .flat_map(|(entry, _)| &entry.files)
        .chain(&old_site_files);
    for file in gone {
        if !made.contains(file.as_str()) {
            transaction.remove(file);
        }
    }
    changed |= kept.contains(&false) || site_files != old_site_files;
    if changed {
        // Killed from here until the new manifest is saved, the next build is a full one.
        state.forget()?;
    }
    transaction.commit()?;
    if let Some(named) = &named {
        named.saved.save(&inputs.names_file)?;
    }
    let mut manifest = state::Manifest {
        fingerprint,
        identity,
        entries,
        site_files,
    };
    if changed {
        state.save(&mut manifest)?;
    }
    inputs.save_caches(options, false)?;
    free_later((manifest, old));
    Ok(Ok(report))
}

/// Frees `value` on another thread: the entries of a large site take milliseconds to free,
/// which the build need not wait for (a program that exits does not wait either).
fn free_later<T: Send + 'static>(value: T) {
    rayon::spawn(move || drop(value));
}

/// Refuses a rebuild that would overwrite a file the previous build did not make: a file of a
/// new article, or a new file of a remade one, that is already in the output is the user's.
fn refuse_overwrite(out: &Path, previous: &state::Manifest, outcomes: &[Outcome]) -> Result<()> {
    // The files this rebuild makes where its seed's last entry had none, and finds there.
    let mut there = Vec::new();
    for outcome in outcomes {
        if let Outcome::Made {
            entry, previous: k, ..
        } = outcome
        {
            let before = k.map(|k| &previous.entries[k].files);
            let new = entry.files.iter();
            let new = new.filter(|f| before.is_none_or(|before| !before.contains(f)));
            there.extend(new.filter(|f| out.join(f).exists()));
        }
    }
    if there.is_empty() {
        return Ok(());
    }
    let made = previous.made();
    match there.into_iter().find(|f| !made.contains(f.as_str())) {
        Some(file) => Err(output::not_ours(&out.join(file))),
        None => Ok(()),
    }
}

/// Checks every seed, translation and template as a build would, and writes nothing. Every
/// problem is reported, not only the first.
pub fn check(options: &BuildOptions) -> Result<BuildReport> {
    let inputs = Inputs::load(options)?;
    let outcomes = process_seeds(options, &inputs, &Vec::new(), &|_| {}, &|_| Ok(()));
    let (outcomes, skipped) = settle(outcomes, options, &inputs, None)?;
    let mut entries = made_entries(outcomes);
    let order = newest_first(&entries);
    let discard = |_: &str, _: &[u8]| Ok(());
    let named = names::settle(options, &inputs, &mut entries, &order, None, Some(&discard))?;
    finish(
        options,
        &inputs,
        &entries,
        &order,
        skipped,
        &|_, _| Ok(()),
        &Listing::ALL,
        &named.made,
    )
    .map(|(mut report, _)| {
        report.notes.extend(named.note);
        report
    })
}

/// Writes the skeleton of the translation of `seeds/<stem>.txt` for a translator to fill in,
/// and returns its path. An existing file is never overwritten.
pub fn new_translation(options: &BuildOptions, stem: &str) -> Result<PathBuf> {
    let stem = stem.strip_suffix(".txt").unwrap_or(stem);
    let is_name = !stem.is_empty() && !stem.starts_with('.') && !stem.contains(['/', '\\', '\0']);
    if !is_name {
        return Err(Error::input(
            Location::file(&options.seeds),
            format!(
                "`{stem}` is not the name of a seed: give a seed's file name without its folder and `.txt`, e.g. `paralelo new 000_df1e1d8b34815c19`"
            ),
        ));
    }
    let seed_path = options.seeds.join(format!("{stem}.txt"));
    let seed = inputs::read_seed(
        &seed_path,
        stem,
        &options.source_lang,
        options.time_zone,
        options.encoding,
    )?;
    let path = translate::authored_path(&seed_path, &options.target_lang);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::input(
                Location::file(&path),
                "already exists; paralelo new never overwrites a translation",
            ),
            _ => Error::io(&path, "create", e),
        })?;
    std::io::Write::write_all(
        &mut file,
        translate::skeleton(&seed, &options.target_lang).as_bytes(),
    )
    .map_err(|e| Error::io(&path, "write", e))?;
    Ok(path)
}

/// Which of the files that list the articles a build makes; the others are as the last build
/// left them.
struct Listing<'a> {
    /// Index pages, by number from 0 and path.
    index_page: &'a dyn Fn(usize, &str) -> bool,
    /// The other files, by path: feed, sitemap, robots.txt, 404 page.
    file: &'a dyn Fn(&str) -> bool,
    /// The last build's articles, newest first: the search files and the archive make only
    /// what changed since (see [`crate::find`]). `None`: all.
    before: Option<&'a [&'a ArticleSummary]>,
}

impl Listing<'_> {
    const ALL: Listing<'static> = Listing {
        index_page: &|_, _| true,
        file: &|_| true,
        before: None,
    };
}

/// Writes what lists the articles (index pages, feed, sitemap, and the `entities` pages) and
/// the 404 page, as far as `listing` wants them, and reports. `order` lists the entries newest
/// first. The files it returns are all the build's, written now or not.
#[allow(clippy::too_many_arguments)]
fn finish(
    options: &BuildOptions,
    inputs: &Inputs,
    entries: &[state::Entry],
    order: &[usize],
    skipped: Vec<Warning>,
    write: &dyn Fn(&str, &[u8]) -> Result<()>,
    listing: &Listing<'_>,
    entities: &names::Made,
) -> Result<(BuildReport, Vec<String>)> {
    let made = std::cell::RefCell::new(Vec::new());
    // Makes the file at `path` with `text` unless it is not wanted; either way it is the build's.
    let make = |path: &str, text: &dyn Fn() -> Result<String>| {
        made.borrow_mut().push(path.to_string());
        if (listing.file)(path) {
            write(path, text()?.as_bytes())?;
        }
        Ok::<(), Error>(())
    };
    let summaries: Vec<&ArticleSummary> = order.iter().map(|&i| &entries[i].summary).collect();
    let lang = &options.source_lang;
    let index = render::render_index(
        &inputs.tera,
        &options.site,
        lang,
        &summaries,
        listing.index_page,
    )?;
    for (path, html) in &index {
        made.borrow_mut().push(path.clone());
        if let Some(html) = html {
            write(path, html.as_bytes())?;
        }
    }
    let ways = crate::find::site_files(&inputs.tera, options, &summaries, listing.before)?;
    for (path, bytes) in ways.files.iter().chain(&entities.files) {
        made.borrow_mut().push(path.clone());
        if let Some(bytes) = bytes {
            write(path, bytes)?;
        }
    }
    make("404.html", &|| {
        render::render_not_found(&inputs.tera, &options.site, lang)
    })?;
    let mut notes: Vec<String> = inputs
        .glosser
        .as_ref()
        .and_then(crate::gloss::Glosses::unavailable)
        .into_iter()
        .collect();
    match &options.site.base_url {
        Some(base) => {
            let index_paths: Vec<String> = (index.into_iter().map(|(path, _)| path))
                .chain(ways.pages)
                .chain(entities.sitemap.iter().cloned())
                .collect();
            make("atom.xml", &|| {
                render::feeds::atom(&inputs.tera, &options.site, base, lang, &summaries)
            })?;
            make("sitemap.xml", &|| {
                render::feeds::sitemap(&inputs.tera, &options.site, base, &index_paths, &summaries)
            })?;
            make("robots.txt", &|| {
                render::feeds::robots(&inputs.tera, &options.site, base)
            })?;
        }
        None => notes.push(
            "no base_url in paralelo.toml: atom.xml, sitemap.xml, robots.txt and canonical links need one, so they are not written".to_string(),
        ),
    }
    let report = BuildReport {
        pages: summaries.len(),
        machine_translated: entries.iter().filter(|e| e.summary.machine).count(),
        remade: entries.len(),
        analysed: inputs.glosser.as_ref().map(crate::gloss::Glosses::counts),
        annotations_reused: inputs
            .annotations
            .as_ref()
            .map_or(0, crate::annotate::AnnotationCache::hits),
        pages_rendered: inputs.pages_rendered(),
        full_because: None,
        warnings: entries
            .iter()
            .flat_map(|e| e.warnings.clone())
            .chain(skipped)
            .collect(),
        notes,
    };
    Ok((report, made.into_inner()))
}
