//! paralelo turns news articles and their translations into bilingual reading pages.
//!
//! The pipeline, one module a stage: [`seed`] reads the wire text, [`translate`] pairs it with its
//! translation, [`markdown`] writes and renders each side, [`quotes`], [`sentences`] and [`align`]
//! find what to highlight (brought together by [`annotate`]), and [`site`] writes the pages.

pub mod align;
pub mod annotate;
pub mod config;
pub mod error;
pub mod feed;
pub mod gloss;
pub mod incremental;
mod lang;
pub mod markdown;
mod process;
pub mod quotes;
pub mod record;
pub mod seed;
pub mod sentences;
pub mod serve;
pub mod site;
pub mod translate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;

use error::Location;
pub use error::{Error, Result, Warning};

/// What `paralelo build` needs to know.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub seeds: PathBuf,
    pub out: PathBuf,
    /// `None`: the project's `templates/` if there is one, else the built-in templates.
    pub templates: Option<PathBuf>,
    /// `None`: the project's `static/` if there is one, else the built-in files.
    pub static_dir: Option<PathBuf>,
    pub source_lang: String,
    pub target_lang: String,
    /// The time zone the datelines are written in.
    pub time_zone: Tz,
    /// The encoding of seeds and translations; `None` is UTF-8.
    pub encoding: seed::Encoding,
    /// What the pages say about the site.
    pub site: site::SiteSettings,
    /// Machine translation for seeds without an authored one; `None` makes them an error.
    pub machine: Option<translate::MachineSettings>,
    /// Build the other seeds, with a warning, when one cannot be translated.
    pub skip_untranslated: bool,
    /// Build into an output folder that paralelo did not make; its files are kept.
    pub force: bool,
    /// Gloss the original's words (Spanish, with Apertium's data) for learners.
    pub glosses: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            seeds: PathBuf::from("seeds"),
            out: PathBuf::from("public"),
            templates: None,
            static_dir: None,
            source_lang: "es".to_string(),
            target_lang: "en".to_string(),
            time_zone: chrono_tz::Europe::Madrid,
            encoding: None,
            site: site::SiteSettings::default(),
            machine: Some(translate::MachineSettings::apertium(
                "es",
                "en",
                Path::new("seeds"),
            )),
            skip_untranslated: false,
            force: false,
            glosses: true,
        }
    }
}

/// What a build did.
#[derive(Debug)]
pub struct BuildReport {
    pub pages: usize,
    /// How many of the pages have a machine translation.
    pub machine_translated: usize,
    /// How many pages were made again (all of them, unless the build was incremental).
    pub remade: usize,
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
    // A build killed while it put its files in place is finished first.
    site::clear_leftovers(&options.out)?;
    // Listing a large archive's seeds and reading its manifest take about as long: together.
    let (inputs, previous) = rayon::join(
        || Inputs::load(options),
        || incremental::Manifest::load(&options.out),
    );
    let inputs = inputs?;
    let fingerprint = inputs.fingerprint(options);
    let ours = options.out.join(site::OUTPUT_MARKER).is_file();
    let mut previous = previous.filter(|_| ours);
    if let Some(manifest) = previous.take_if(|m| m.fingerprint == fingerprint) {
        match rebuild(options, &inputs, manifest, progress)? {
            Ok(report) => return Ok(report),
            Err(manifest) => previous = Some(manifest),
        }
    }
    let staging = site::Staging::new(&options.out, &inputs.protected(options), options.force)?;
    let write = |path: &str, bytes: &[u8]| staging.write(path, bytes);
    let outcomes = process_seeds(options, &inputs, None, progress, &|files| {
        files
            .iter()
            .try_for_each(|(path, bytes)| write(path, bytes))
    });
    let (outcomes, skipped) = settle(outcomes, options, &inputs, None)?;
    let entries = made_entries(outcomes);
    for (name, bytes) in &inputs.static_files {
        write(name, bytes)?;
    }
    let order = newest_first(&entries);
    let (report, mut site_files) = finish(
        options,
        &inputs,
        &entries,
        &order,
        skipped,
        &write,
        &Listing::ALL,
    )?;
    site_files.extend(inputs.static_files.keys().cloned());
    let manifest = incremental::Manifest {
        fingerprint,
        entries,
        site_files,
    };
    write(incremental::MANIFEST, manifest.to_text().as_bytes())?;
    // What the last build made may go; anything else in the folder is the user's and stays.
    let made = previous.as_ref().map(incremental::Manifest::made);
    let made_before = |relative: &str| match &made {
        Some(made) => made.contains(relative),
        None => ours,
    };
    staging.commit(&made_before)?;
    inputs.save_translations()?;
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

/// Rebuilds what changed since `previous`, in place, or gives `previous` back when so much
/// changed that a full build is the better way. Nothing is written unless every article
/// succeeded, and the changed files go in together (see [`site::Transaction`]). The previous
/// entries of unchanged seeds are moved over, not copied, and only the index pages and feeds
/// whose articles changed are made again.
fn rebuild(
    options: &BuildOptions,
    inputs: &Inputs,
    previous: incremental::Manifest,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Result<BuildReport, incremental::Manifest>> {
    let out = &options.out;
    let outcomes = process_seeds(options, inputs, Some(&previous), progress, &|_| Ok(()));
    let (outcomes, skipped) = settle(outcomes, options, inputs, Some(&previous))?;
    let remade = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Made { .. }))
        .count();
    if remade > REBUILD_LIMIT {
        return Ok(Err(previous));
    }
    let incremental::Manifest {
        fingerprint,
        entries: mut old,
        site_files: old_site_files,
    } = previous;
    let old_order = newest_first(&old);
    let mut kept = vec![false; old.len()];
    let mut changed = remade > 0;
    let mut entries = Vec::with_capacity(outcomes.len());
    let mut origins = Vec::with_capacity(outcomes.len());
    let mut made_files = Vec::with_capacity(remade);
    for outcome in outcomes {
        match outcome {
            Outcome::Kept { previous, stamps } => {
                let mut entry = std::mem::take(&mut old[previous]);
                kept[previous] = true;
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
                entries.push(*entry);
            }
        }
    }
    let transaction = site::Transaction::new(out)?;
    let write = |path: &str, bytes: &[u8]| transaction.write(path, bytes);
    for (path, bytes) in made_files.iter().flatten() {
        write(path, bytes)?;
    }
    let order = newest_first(&entries);
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
                Origin::Remade(k) => {
                    let (was, is) = (&old[i].summary, &entries[j].summary);
                    k == i && was.slug == is.slug && was.published == is.published
                }
                Origin::New => false,
            })
    };
    let pages = |order: &[usize]| order.len().div_ceil(site::INDEX_PAGE_SIZE);
    let same_pages = pages(&order) == pages(&old_order) && order.len() == old_order.len();
    let size = site::INDEX_PAGE_SIZE;
    let listing = Listing {
        index_page: &|page, path| {
            let unchanged = same_pages && listed_as_before(page * size..(page + 1) * size, true);
            !unchanged || !out.join(path).is_file()
        },
        file: &|path| {
            let unchanged = match path {
                "atom.xml" => listed_as_before(0..feed::FEED_ENTRIES, true),
                "sitemap.xml" => same_pages && listed_as_before(0..order.len(), false),
                // The 404 page and robots.txt depend only on what the fingerprint covers.
                _ => true,
            };
            !unchanged || !out.join(path).is_file()
        },
    };
    let (mut report, mut site_files) =
        finish(options, inputs, &entries, &order, skipped, &write, &listing)?;
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
        let manifest = incremental::Manifest {
            fingerprint,
            entries,
            site_files,
        };
        transaction.replace(incremental::MANIFEST, manifest.to_text().as_bytes())?;
    }
    transaction.commit()?;
    inputs.save_translations()?;
    Ok(Ok(report))
}

/// Checks every seed, translation and template as a build would, and writes nothing. Every
/// problem is reported, not only the first.
pub fn check(options: &BuildOptions) -> Result<BuildReport> {
    let inputs = Inputs::load(options)?;
    let outcomes = process_seeds(options, &inputs, None, &|_| {}, &|_| Ok(()));
    let (outcomes, skipped) = settle(outcomes, options, &inputs, None)?;
    let entries = made_entries(outcomes);
    let order = newest_first(&entries);
    finish(
        options,
        &inputs,
        &entries,
        &order,
        skipped,
        &|_, _| Ok(()),
        &Listing::ALL,
    )
    .map(|(report, _)| report)
}

/// Writes the skeleton of the translation of `seeds/<stem>.txt` for a translator to fill in,
/// and returns its path. An existing file is never overwritten.
pub fn new_translation(options: &BuildOptions, stem: &str) -> Result<PathBuf> {
    let seed_path = options.seeds.join(format!("{stem}.txt"));
    let seed = seed::read_seed(
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

/// What a build reads besides the seeds' text.
struct Inputs {
    tera: tera::Tera,
    /// The templates' names and texts, for the fingerprint.
    template_sources: Vec<(String, String)>,
    static_files: BTreeMap<String, Vec<u8>>,
    templates_dir: Option<PathBuf>,
    static_dir: Option<PathBuf>,
    seeds: Vec<seed::SeedFile>,
    /// Each seed's stamps, in the order of `seeds`.
    stamps: Vec<incremental::SeedStamps>,
    /// For seeds without an authored translation.
    translator: Option<translate::MachineTranslator>,
    /// Glosses for the original's words, when they are wanted for its language.
    glosser: Option<Glosses>,
}

/// The word analysers of one build: each thread that needs one takes an idle analyser or starts
/// its own, so glossing (the costliest stage) runs on every core.
#[derive(Default)]
struct Glosses {
    idle: std::sync::Mutex<Vec<gloss::Glosser>>,
    /// Why the analyser could not start; the build says so once, in [`Glosses::unavailable`].
    failure: std::sync::OnceLock<String>,
}

impl Glosses {
    /// Each paragraph's analysed words; `None` when the analyser is not there.
    fn analyse(
        &self,
        paragraphs: &[seed::Paragraph],
        file: &Path,
    ) -> Result<Option<Vec<Vec<gloss::WordGloss>>>> {
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

    fn take(&self) -> Option<gloss::Glosser> {
        if let Some(glosser) = self.idle.lock().ok()?.pop() {
            return Some(glosser);
        }
        if self.failure.get().is_some() {
            return None;
        }
        gloss::Glosser::start_default()
            .map_err(|e| self.failure.set(e.to_string()))
            .ok()
    }

    fn unavailable(&self) -> Option<String> {
        self.failure
            .get()
            .map(|why| format!("pages built without word glosses: {why}"))
    }
}

impl Inputs {
    /// Loads templates, static files and the list of seeds, reporting all their problems.
    fn load(options: &BuildOptions) -> Result<Inputs> {
        let mut errors = Vec::new();
        let templates_dir = keep(
            existing_or_default(options.templates.as_deref(), "templates"),
            &mut errors,
        );
        let static_dir = keep(
            existing_or_default(options.static_dir.as_deref(), "static"),
            &mut errors,
        );
        let templates = templates_dir
            .as_ref()
            .and_then(|dir| keep(site::template_sources(dir.as_deref()), &mut errors));
        let tera = templates.as_ref().and_then(|sources| {
            let dir = templates_dir.as_ref().and_then(Option::as_deref);
            keep(site::load_templates(sources, dir), &mut errors)
        });
        let static_files = static_dir
            .as_ref()
            .and_then(|dir| keep(site::static_files(dir.as_deref()), &mut errors));
        let seeds = keep(seed::find_seeds(&options.seeds), &mut errors);
        match (tera, templates, static_files, seeds) {
            (Some(tera), Some(template_sources), Some(static_files), Some(seeds))
                if errors.is_empty() =>
            {
                use rayon::prelude::*;
                Ok(Inputs {
                    stamps: seeds
                        .par_iter()
                        .map(|file| {
                            let translation =
                                translate::authored_path(&file.path, &options.target_lang);
                            incremental::SeedStamps::of(&file.path, translation)
                        })
                        .collect(),
                    tera,
                    template_sources,
                    static_files,
                    templates_dir: templates_dir.flatten(),
                    static_dir: static_dir.flatten(),
                    seeds,
                    glosser: (options.glosses && options.source_lang == "es")
                        .then(Glosses::default),
                    translator: options
                        .machine
                        .clone()
                        .map(translate::MachineTranslator::new),
                })
            }
            _ => Err(Error::all(errors)),
        }
    }

    /// Keeps the machine translations of this build for the next one.
    fn save_translations(&self) -> Result<()> {
        self.translator
            .as_ref()
            .map_or(Ok(()), translate::MachineTranslator::save)
    }

    /// Folders the output may not hold: replacing it would delete them.
    fn protected<'a>(&'a self, options: &'a BuildOptions) -> Vec<&'a Path> {
        let mut protected: Vec<&Path> = vec![&options.seeds, Path::new(".")];
        protected.extend(self.templates_dir.as_deref());
        protected.extend(self.static_dir.as_deref());
        protected
    }

    /// A hash of everything that shapes every page: this program, the templates, the static
    /// files and the options. When it changes, every page is made again.
    fn fingerprint(&self, options: &BuildOptions) -> u64 {
        let mut hash = record::StableHasher::new();
        hash.write_field(env!("CARGO_PKG_VERSION").as_bytes());
        // A rebuilt paralelo may render differently under the same version number.
        if let Some(stamp) = std::env::current_exe()
            .ok()
            .and_then(|exe| incremental::stamp(&exe))
        {
            hash.write_field(format!("{stamp:?}").as_bytes());
        }
        for (name, text) in &self.template_sources {
            hash.write_field(name.as_bytes());
            hash.write_field(text.as_bytes());
        }
        for (name, bytes) in &self.static_files {
            hash.write_field(name.as_bytes());
            hash.write_field(bytes);
        }
        hash.write_field(format!("{options:?}").as_bytes());
        hash.finish()
    }
}

/// Files by path inside the output, with their bytes.
type Files = Vec<(String, Vec<u8>)>;

/// What became of one seed.
enum Outcome {
    /// Its seed and translation are as the previous manifest's entry saw them: the same bytes,
    /// and the same stamps unless new ones are given.
    Kept {
        previous: usize,
        stamps: Option<(Option<incremental::Stamp>, Option<incremental::Stamp>)>,
    },
    /// Made again: its entry, its files unless they went to disk already, and the previous
    /// entry it replaces.
    Made {
        entry: Box<incremental::Entry>,
        files: Option<Files>,
        previous: Option<usize>,
    },
}

/// The entries of a build that had no previous manifest, so made every article.
fn made_entries(outcomes: Vec<Outcome>) -> Vec<incremental::Entry> {
    outcomes
        .into_iter()
        .filter_map(|outcome| match outcome {
            Outcome::Made { entry, .. } => Some(*entry),
            Outcome::Kept { .. } => None,
        })
        .collect()
}

/// The entries' positions, newest first, as the index lists them.
fn newest_first(entries: &[incremental::Entry]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| site::newest_first(&entries[a].summary, &entries[b].summary));
    order
}

/// Processes every seed in parallel. `stream` sees each made article's files as soon as they
/// exist; what it keeps is up to it.
fn process_seeds(
    options: &BuildOptions,
    inputs: &Inputs,
    previous: Option<&incremental::Manifest>,
    progress: &(dyn Fn(Progress) + Sync),
    stream: &(dyn Fn(&Files) -> Result<()> + Sync),
) -> Vec<Result<Outcome>> {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    // Keyed by the path's bytes: comparing `Path`s component by component showed in profiles.
    let by_seed: std::collections::HashMap<&std::ffi::OsStr, (usize, &incremental::Entry)> =
        previous
            .into_iter()
            .flat_map(|m| m.entries.iter().enumerate())
            .map(|(i, e)| (e.seed.as_os_str(), (i, e)))
            .collect();
    let total = inputs.seeds.len();
    let done = AtomicUsize::new(0);
    inputs
        .seeds
        .par_iter()
        .zip(&inputs.stamps)
        .map(|(file, stamps)| {
            let result = process_seed(
                options,
                inputs,
                file,
                stamps,
                by_seed.get(file.path.as_os_str()).copied(),
            )
            .and_then(|outcome| match outcome {
                Outcome::Made {
                    entry,
                    files: Some(files),
                    previous: None,
                } if previous.is_none() => stream(&files).map(|()| Outcome::Made {
                    entry,
                    files: None,
                    previous: None,
                }),
                outcome => Ok(outcome),
            });
            let done = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(Progress { done, total });
            result
        })
        .collect()
}

/// Makes one seed's page again, unless its seed and translation are as `previous` saw them.
fn process_seed(
    options: &BuildOptions,
    inputs: &Inputs,
    file: &seed::SeedFile,
    stamps: &incremental::SeedStamps,
    previous: Option<(usize, &incremental::Entry)>,
) -> Result<Outcome> {
    let translation = &stamps.translation;
    let (seed_stamp, translation_stamp) = (stamps.seed_stamp, stamps.translation_stamp);
    if let Some((i, _)) = previous.filter(|(_, e)| e.stamps_match(seed_stamp, translation_stamp)) {
        return Ok(Outcome::Kept {
            previous: i,
            stamps: None,
        });
    }
    let bytes = incremental::SeedBytes::read(&file.path, translation)?;
    let hash = bytes.hash();
    if let Some((i, _)) = previous.filter(|(_, e)| e.hash == hash) {
        return Ok(Outcome::Kept {
            previous: i,
            stamps: Some((seed_stamp, translation_stamp)),
        });
    }
    let rendered = render_article(options, inputs, file, translation, bytes)?;
    let entry = incremental::Entry {
        seed: file.path.clone(),
        seed_stamp,
        translation_stamp,
        hash,
        machine_translated: rendered.machine_translated,
        files: rendered
            .files
            .iter()
            .map(|(path, _)| path.clone())
            .collect(),
        summary: rendered.summary,
        warnings: rendered.warnings,
        written: None,
    };
    Ok(Outcome::Made {
        entry: Box::new(entry),
        files: Some(rendered.files),
        previous: previous.map(|(i, _)| i),
    })
}

/// Every seed's outcome, or every error, including clashing slugs (a kept seed's slug is the
/// one in `previous`). Seeds left out for want of a translation (`--skip-untranslated`) come
/// back as warnings.
fn settle(
    outcomes: Vec<Result<Outcome>>,
    options: &BuildOptions,
    inputs: &Inputs,
    previous: Option<&incremental::Manifest>,
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
    check_slugs(entries, &inputs.static_files, &mut errors);
    if errors.is_empty() {
        Ok((settled, skipped))
    } else {
        Err(Error::all(errors))
    }
}

/// Which of the files that list the articles a build makes; the others are as the last build
/// left them.
struct Listing<'a> {
    /// Index pages, by number from 0 and path.
    index_page: &'a dyn Fn(usize, &str) -> bool,
    /// The other files, by path: feed, sitemap, robots.txt, 404 page.
    file: &'a dyn Fn(&str) -> bool,
}

impl Listing<'_> {
    const ALL: Listing<'static> = Listing {
        index_page: &|_, _| true,
        file: &|_| true,
    };
}

/// Writes what lists the articles (index pages, feed, sitemap) and the 404 page, as far as
/// `listing` wants them, and reports. `order` lists the entries newest first. The files it
/// returns are all the build's, written now or not.
fn finish(
    options: &BuildOptions,
    inputs: &Inputs,
    entries: &[incremental::Entry],
    order: &[usize],
    skipped: Vec<Warning>,
    write: &dyn Fn(&str, &[u8]) -> Result<()>,
    listing: &Listing<'_>,
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
    let summaries: Vec<&site::ArticleSummary> =
        order.iter().map(|&i| &entries[i].summary).collect();
    let lang = &options.source_lang;
    let index = site::render_index(
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
    make("404.html", &|| {
        site::render_not_found(&inputs.tera, &options.site, lang)
    })?;
    let mut notes: Vec<String> = inputs
        .glosser
        .as_ref()
        .and_then(Glosses::unavailable)
        .into_iter()
        .collect();
    match &options.site.base_url {
        Some(base) => {
            let index_paths: Vec<String> = index.into_iter().map(|(path, _)| path).collect();
            make("atom.xml", &|| {
                Ok(feed::atom(&options.site, base, lang, &summaries))
            })?;
            make("sitemap.xml", &|| {
                Ok(feed::sitemap(base, &index_paths, &summaries))
            })?;
            make("robots.txt", &|| Ok(feed::robots(base)))?;
        }
        None => notes.push(
            "no base_url in paralelo.toml: atom.xml, sitemap.xml, robots.txt and canonical links need one, so they are not written".to_string(),
        ),
    }
    let report = BuildReport {
        pages: summaries.len(),
        machine_translated: entries.iter().filter(|e| e.machine_translated).count(),
        remade: entries.len(),
        warnings: entries
            .iter()
            .flat_map(|e| e.warnings.clone())
            .chain(skipped)
            .collect(),
        notes,
    };
    Ok((report, made.into_inner()))
}

/// One article made: what the index keeps of it, its warnings, and its files (page and
/// Markdown sources) by path inside the output.
struct Rendered {
    summary: site::ArticleSummary,
    warnings: Vec<Warning>,
    files: Files,
    machine_translated: bool,
}

/// Translates, annotates and renders one seed, from its bytes and its translation's (at
/// `authored`, where a machine translation is kept too when there is none).
fn render_article(
    options: &BuildOptions,
    inputs: &Inputs,
    file: &seed::SeedFile,
    authored: &Path,
    bytes: incremental::SeedBytes,
) -> Result<Rendered> {
    let text = seed::decode(&file.path, bytes.seed, options.encoding)?;
    let seed = seed::parse_seed(
        &file.path,
        &file.stem,
        &options.source_lang,
        options.time_zone,
        &text,
    )?;
    let lang = &options.target_lang;
    let article = match (bytes.translation, &inputs.translator) {
        (Some(translation), _) => {
            let text = seed::decode(authored, translation, options.encoding)?;
            translate::authored_from_text(seed, lang, authored.to_path_buf(), &text)?
        }
        (None, Some(translator)) => translate::machine(seed, lang, translator, authored)?,
        (None, None) => translate::authored(seed, lang, options.encoding)?,
    };
    let glosses = match &inputs.glosser {
        Some(glosser) => glosser.analyse(&article.source.paragraphs, &article.source.file)?,
        None => None,
    };
    let annotated = annotate::annotate_with_glosses(&article, glosses.as_deref())?;
    let page = site::Page {
        slug: site::slugify(article.slug.as_deref().unwrap_or(&article.stem)),
        article: &article,
        annotated: &annotated,
    };
    let html = site::render_article(&inputs.tera, &options.site, &page)?;
    let mut files = vec![(format!("{}/index.html", page.slug), html.into_bytes())];
    for (side, doc) in [
        (&article.source, &annotated.source.markdown),
        (&article.target, &annotated.target.markdown),
    ] {
        files.push((
            format!("{}/{}.md", page.slug, side.lang),
            doc.text.clone().into_bytes(),
        ));
    }
    if let Some(glossary) = &annotated.glossary {
        files.push((
            format!("{}/{}", page.slug, site::VOCABULARY_CSV),
            glossary.anki_csv.clone().into_bytes(),
        ));
    }
    Ok(Rendered {
        summary: site::ArticleSummary::new(&page),
        warnings: annotated.warnings.clone(),
        files,
        machine_translated: matches!(article.translator, translate::Translator::Machine(_)),
    })
}

/// Two articles with one slug are an error naming both; so is a slug that a static folder or
/// the index's later pages (`page/`) already use.
fn check_slugs<'a>(
    entries: impl Iterator<Item = &'a incremental::Entry>,
    static_files: &BTreeMap<String, Vec<u8>>,
    errors: &mut Vec<Error>,
) {
    enum Owner<'a> {
        LaterPages,
        Static,
        Seed(&'a Path),
    }
    let mut taken: std::collections::HashMap<&str, Owner<'_>> =
        std::collections::HashMap::from([("page", Owner::LaterPages)]);
    for name in static_files.keys() {
        if let Some((folder, _)) = name.split_once('/') {
            taken.insert(folder, Owner::Static);
        }
    }
    for entry in entries {
        let slug = entry.summary.slug.as_str();
        let owner = match taken.get(slug) {
            None => {
                taken.insert(slug, Owner::Seed(&entry.seed));
                continue;
            }
            Some(Owner::LaterPages) => "the index's later pages".to_string(),
            Some(Owner::Static) => format!("the static folder `{slug}`"),
            Some(Owner::Seed(path)) => path.display().to_string(),
        };
        errors.push(Error::input(
            Location::file(&entry.seed),
            format!(
                "has the slug `{slug}`, like {owner}; give it another `slug` in its translation's front matter"
            ),
        ));
    }
}

/// Renders one article page from the texts of a seed and its authored translation, as a build
/// would, with the built-in templates. Nothing is read or written: for tools, tests and fuzzing.
pub fn render_from_text(
    seed_text: &str,
    translation_text: &str,
    options: &BuildOptions,
) -> Result<String> {
    let tera = site::load_templates(&site::template_sources(None)?, None)?;
    render_with_templates(&tera, seed_text, translation_text, options)
}

/// [`render_from_text`] with templates already loaded, as a build renders each page.
pub fn render_with_templates(
    tera: &tera::Tera,
    seed_text: &str,
    translation_text: &str,
    options: &BuildOptions,
) -> Result<String> {
    let seed = seed::parse_seed(
        Path::new("seed.txt"),
        "seed",
        &options.source_lang,
        options.time_zone,
        &seed::normalize(seed_text),
    )?;
    let translation_path = PathBuf::from(format!("seed.{}.txt", options.target_lang));
    let translation = seed::normalize(translation_text);
    let article =
        translate::authored_from_text(seed, &options.target_lang, translation_path, &translation)?;
    let annotated = annotate::annotate(&article)?;
    let page = site::Page {
        slug: "seed".to_string(),
        article: &article,
        annotated: &annotated,
    };
    site::render_article(tera, &options.site, &page)
}

/// The value, or `None` with the error kept for the report.
fn keep<T>(result: Result<T>, errors: &mut Vec<Error>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// A folder the user named must exist; the default one is used only if it does.
fn existing_or_default(given: Option<&Path>, default: &str) -> Result<Option<PathBuf>, Error> {
    match given {
        Some(dir) if dir.is_dir() => Ok(Some(dir.to_path_buf())),
        Some(dir) => Err(Error::input(Location::file(dir), "no such folder")),
        None => Ok(Some(PathBuf::from(default)).filter(|d| d.is_dir())),
    }
}
