//! What a build reads: the seeds folder's listing, each seed's bytes (bounded), the templates and
//! static files, and the fingerprint of everything that shapes every page.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::state;
use crate::annotate::AnnotationCache;
use crate::config::{BuildOptions, Encoding};
use crate::error::{Error, Location, Result};
use crate::gloss::Glosses;
use crate::model::Seed;
use crate::text::seed::{decode, parse_seed};
use crate::{record, render, translate};

/// What a build reads besides the seeds' text.
pub(super) struct Inputs {
    pub(super) tera: tera::Tera,
    /// The templates' names and texts, for the fingerprint.
    pub(super) template_sources: Vec<(String, String)>,
    pub(super) static_files: BTreeMap<String, Vec<u8>>,
    pub(super) templates_dir: Option<PathBuf>,
    pub(super) static_dir: Option<PathBuf>,
    pub(super) seeds: Vec<SeedFile>,
    /// Each seed's stamps, in the order of `seeds`.
    pub(super) stamps: Vec<state::SeedStamps>,
    /// For seeds without an authored translation.
    pub(super) translator: Option<translate::MachineTranslator>,
    /// Glosses for the original's words, when they are wanted for its language.
    pub(super) glosser: Option<Glosses>,
    /// With glosses: the annotated articles of earlier builds into this output.
    pub(super) annotations: Option<AnnotationCache>,
    /// With glosses: what identifies the installed dictionaries (see
    /// [`crate::gloss::Glosser::data_identity`]), read once.
    gloss_data: Option<String>,
    /// `seeds/entities.toml`, and its text for the fingerprint.
    pub(super) manual: (crate::find::entities::Manual, Option<String>),
    /// Where the last build's names are kept; and beside it how its spellings resolved to entity
    /// pages and each page's hash, read when first needed (a build that makes no article and
    /// changes no entity never reads them).
    pub(super) names_file: PathBuf,
    saved_site: std::sync::OnceLock<Option<super::names::SavedSite>>,
    /// The numbers of the articles' lemmas this build made (see [`super::lemmas`]).
    pub(super) lemma_ids: super::lemmas::LemmaIds,
    /// How many article pages this build rendered (see [`Inputs::pages_rendered`]).
    rendered: std::sync::atomic::AtomicUsize,
}

impl Inputs {
    /// Loads templates, static files and the list of seeds, reporting all their problems.
    pub(super) fn load(options: &BuildOptions) -> Result<Inputs> {
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
            .and_then(|dir| keep(render::template_sources(dir.as_deref()), &mut errors));
        let tera = templates.as_ref().and_then(|sources| {
            let dir = templates_dir.as_ref().and_then(Option::as_deref);
            keep(render::load_templates(sources, dir), &mut errors)
        });
        let static_files = static_dir
            .as_ref()
            .and_then(|dir| keep(render::static_files(dir.as_deref()), &mut errors));
        let seeds = keep(find_seeds(&options.seeds), &mut errors);
        let manual = keep(
            crate::find::entities::Manual::load(&options.seeds),
            &mut errors,
        );
        let folders = [
            (Some(options.seeds.as_path()), "seeds"),
            (
                templates_dir.as_ref().and_then(Option::as_deref),
                "templates",
            ),
            (static_dir.as_ref().and_then(Option::as_deref), "static"),
        ];
        for (dir, _) in &folders[1..] {
            if let Some(dir) = dir {
                keep(refuse_links_out(dir, &options.project), &mut errors);
            }
        }
        let inputs: Vec<(&Path, &str)> = folders
            .iter()
            .filter_map(|(dir, what)| dir.map(|d| (d, *what)))
            .collect();
        keep(refuse_output_inside(options, &inputs), &mut errors);
        match (tera, templates, static_files, seeds, manual) {
            (Some(tera), Some(template_sources), Some(static_files), Some(seeds), Some(manual))
                if errors.is_empty() =>
            {
                let glosses = options.glosses && options.source_lang == "es";
                let gloss_data = glosses.then(crate::gloss::Glosser::data_identity);
                Ok(Inputs {
                    stamps: state::seed_stamps(
                        &seeds.iter().map(|s| s.path.as_path()).collect::<Vec<_>>(),
                        &options.target_lang,
                    ),
                    tera,
                    template_sources,
                    static_files,
                    templates_dir: templates_dir.flatten(),
                    static_dir: static_dir.flatten(),
                    seeds,
                    glosser: gloss_data
                        .as_deref()
                        .map(|data| Glosses::with_cache(&options.state.join("glosses"), data)),
                    annotations: gloss_data.as_deref().map(|data| {
                        let dir = state::StateDir::new(&options.state, &options.out);
                        AnnotationCache::new(
                            &dir.annotations(),
                            &format!("{} {data}", program()),
                            options.site.markdown_files,
                        )
                    }),
                    gloss_data,
                    translator: options
                        .machine
                        .clone()
                        .map(translate::MachineTranslator::new),
                    manual,
                    names_file: super::names::path(&options.state, &options.out),
                    saved_site: std::sync::OnceLock::new(),
                    lemma_ids: Default::default(),
                    rendered: Default::default(),
                })
            }
            _ => Err(Error::all(errors)),
        }
    }

    /// Keeps the machine translations, word analyses and annotations of this build for the
    /// next one. `full`: every seed was made, so what no seed asked for is dropped — except
    /// analyses, when some pages were made from earlier annotations without asking for theirs.
    pub(super) fn save_caches(&self, options: &BuildOptions, full: bool) -> Result<()> {
        let reused = self.annotations.as_ref().map_or(0, AnnotationCache::hits);
        if let Some(glosser) = &self.glosser {
            glosser.save_cache(full && reused == 0).map_err(|e| {
                Error::io(
                    &options.state.join("glosses"),
                    "write the gloss cache in",
                    e,
                )
            })?;
        }
        if let Some(annotations) = &self.annotations {
            annotations
                .save(full)
                .map_err(|e| Error::io(annotations.dir(), "write the annotation cache in", e))?;
        }
        self.translator
            .as_ref()
            .map_or(Ok(()), translate::MachineTranslator::save)
    }

    /// What the last build kept of the site's entities (`None`: nothing usable), read once.
    pub(super) fn saved_site(&self) -> Option<&super::names::SavedSite> {
        self.saved_site
            .get_or_init(|| super::names::SavedSite::load(&self.names_file))
            .as_ref()
    }

    /// How the last build's spellings resolved to entity pages: what an article made before
    /// the whole site's names are known links to.
    pub(super) fn resolver(&self) -> Option<&crate::find::entities::Resolver> {
        self.saved_site().map(|site| &site.resolver)
    }

    /// Counts an article page rendered.
    pub(super) fn count_page_rendered(&self) {
        self.rendered
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// How many article pages this build rendered so far: a page made twice (before and after
    /// the site's links were known) counts twice.
    pub(super) fn pages_rendered(&self) -> usize {
        self.rendered.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Folders the output may not hold: replacing it would delete them.
    pub(super) fn protected<'a>(&'a self, options: &'a BuildOptions) -> Vec<&'a Path> {
        let mut protected: Vec<&Path> = vec![&options.seeds, Path::new(".")];
        protected.extend(self.templates_dir.as_deref());
        protected.extend(self.static_dir.as_deref());
        protected
    }

    /// A hash of everything that shapes every page: this program, the templates, the static
    /// files and the options. When it changes, every page is made again.
    pub(super) fn fingerprint(&self, options: &BuildOptions) -> u64 {
        let mut hash = record::StableHasher::new();
        hash.write_field(program().as_bytes());
        for (name, text) in &self.template_sources {
            hash.write_field(name.as_bytes());
            hash.write_field(text.as_bytes());
        }
        for (name, bytes) in &self.static_files {
            hash.write_field(name.as_bytes());
            hash.write_field(bytes);
        }
        hash.write_field(format!("{options:?}").as_bytes());
        // The names settled by hand may change any article's links.
        hash.write_field(self.manual.1.as_deref().unwrap_or("").as_bytes());
        // Installing or upgrading Apertium's data changes every glossed page.
        if let Some(data) = &self.gloss_data {
            hash.write_field(data.as_bytes());
        }
        hash.finish()
    }
}

/// This program's identity: its version, and its executable's size, modification time and
/// inode (a rebuilt binary is a new file). Not the change time, which any new hard link to the
/// file moves (`perf record` links the binaries it profiles into `~/.debug`), and which would
/// make the next build a full one for nothing.
/// Learnt once per process: the running code does not change with the file.
pub(super) fn program() -> &'static str {
    static PROGRAM: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PROGRAM.get_or_init(|| {
        let meta = std::env::current_exe().and_then(std::fs::metadata).ok();
        let size = meta.as_ref().map_or(0, std::fs::Metadata::len);
        let modified = (meta.as_ref())
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        #[cfg(unix)]
        let inode = {
            use std::os::unix::fs::MetadataExt;
            meta.as_ref().map_or(0, MetadataExt::ino)
        };
        #[cfg(not(unix))]
        let inode = 0;
        format!("{} {size} {modified} {inode}", env!("CARGO_PKG_VERSION"))
    })
}

/// The value, or `None` with the error kept for the report.
pub(super) fn keep<T>(result: Result<T>, errors: &mut Vec<Error>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// A folder the user named must exist; the default one is used only if it does.
pub(super) fn existing_or_default(
    given: Option<&Path>,
    default: &str,
) -> Result<Option<PathBuf>, Error> {
    match given {
        Some(dir) if dir.is_dir() => Ok(Some(dir.to_path_buf())),
        Some(dir) => Err(Error::input(Location::file(dir), "no such folder")),
        None => Ok(Some(PathBuf::from(default)).filter(|d| d.is_dir())),
    }
}

/// The most a seed or a translation may hold. A long feature is about 100 KB; a page is some
/// 35 times its seed in memory while it is made, so this bounds a build's memory whatever
/// lands in the seeds folder.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Reads a text file, without its byte-order mark and with `\n` line ends.
pub fn read_text(path: &Path, encoding: Encoding) -> Result<String> {
    let bytes = read_bytes(path).map_err(|e| read_error(path, e))?;
    decode(path, bytes, encoding)
}

/// Reads a regular file of at most [`MAX_FILE_BYTES`]; a larger one is an error of kind
/// `FileTooLarge`, after reading no more than that, and a FIFO or device one of kind
/// `InvalidInput`, found without blocking.
pub fn read_bytes(path: &Path) -> std::io::Result<Vec<u8>> {
    crate::files::read_bounded(path, MAX_FILE_BYTES)
}

/// The error for a file [`read_bytes`] could not read: a too large one is the user's to fix.
pub fn read_error(path: &Path, error: std::io::Error) -> Error {
    if error.kind() == std::io::ErrorKind::InvalidInput {
        return Error::input(
            Location::file(path),
            format!("{error}; an input must be a text file: move it away"),
        );
    }
    if error.kind() != std::io::ErrorKind::FileTooLarge {
        return Error::io(path, "read", error);
    }
    let size = std::fs::metadata(path).map_or(String::new(), |m| {
        format!(" ({:.1} MB)", m.len() as f64 / 1e6)
    });
    Error::input(
        Location::file(path),
        format!(
            "is larger than {} MB{size}: a seed is one article (a long feature is about 0.1 MB); split it into several seeds",
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    )
}

/// Reads and parses the seed at `path`, an article in `lang` dated in `time_zone`.
pub fn read_seed(
    path: &Path,
    stem: &str,
    lang: &str,
    time_zone: chrono_tz::Tz,
    encoding: Encoding,
) -> Result<Seed> {
    let text = read_text(path, encoding)?;
    parse_seed(path, stem, lang, time_zone, &text)
}

/// A seed file found in the seeds folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedFile {
    pub path: PathBuf,
    pub stem: String,
}

/// Finds the seeds under `dir`, in a stable order. `<stem>.<lang>.txt` beside a `<stem>.txt` is
/// a translation, not a seed.
pub fn find_seeds(dir: &Path) -> Result<Vec<SeedFile>> {
    if !dir.is_dir() {
        return Err(Error::input(
            Location::file(dir),
            "no seeds folder here: run paralelo where `seeds/` is, or pass --seeds DIR",
        ));
    }
    // The folder listing tells each entry's kind: only links cost a `stat`, which matters for
    // the rebuild of a large archive.
    let mut root = None;
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            Error::io(&path, "read the seeds folder", e.into())
        })?;
        let name = entry.file_name().as_encoded_bytes();
        if name.len() <= ".txt".len() || !name.ends_with(b".txt") {
            continue;
        }
        if entry.path_is_symlink() {
            let root = match &root {
                Some(root) => root,
                None => root.insert(
                    dir.canonicalize()
                        .map_err(|e| Error::io(dir, "read the seeds folder", e))?,
                ),
            };
            refuse_outside_link(entry.path(), &[root], "the seeds folder")?;
            if !entry.path().is_file() {
                continue;
            }
        } else if !entry.file_type().is_file() {
            continue;
        }
        files.push(entry.into_path());
    }
    // By the path's bytes: the same order on every file system. Paths are handled as bytes
    // from here on, as `Path`'s component parsing showed in profiles of large archives.
    files.sort_unstable_by(|a, b| bytes(a).cmp(bytes(b)));
    let mut present: rustc_hash::FxHashSet<&[u8]> =
        rustc_hash::FxHashSet::with_capacity_and_hasher(files.len(), Default::default());
    present.extend(files.iter().map(|p| bytes(p)));
    let mut original = Vec::new();
    let translations: Vec<bool> = files
        .iter()
        .map(|p| is_translation(bytes(p), &present, &mut original))
        .collect();
    Ok(files
        .into_iter()
        .zip(translations)
        .filter(|(_, translation)| !translation)
        .map(|(path, _)| {
            let path_bytes = bytes(&path);
            let name = &path_bytes[path_bytes
                .iter()
                .rposition(|&b| b == b'/')
                .map_or(0, |i| i + 1)..];
            SeedFile {
                stem: String::from_utf8_lossy(&name[..name.len() - ".txt".len()]).into_owned(),
                path,
            }
        })
        .collect())
}

fn bytes(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

/// A link may not make the build read (and publish) a file from elsewhere.
/// A link may not make the build read (and publish) a file from elsewhere: its target must be
/// under one of `roots` (canonical paths), which `place` names for the message.
fn refuse_outside_link(path: &Path, roots: &[&Path], place: &str) -> Result<()> {
    let target = path
        .canonicalize()
        .map_err(|e| Error::io(path, "follow the link", e))?;
    if roots.iter().any(|root| target.starts_with(root)) {
        Ok(())
    } else {
        Err(Error::input(
            Location::file(path),
            format!(
                "is a link to {}, outside {place}; copy the file in instead",
                target.display()
            ),
        ))
    }
}

/// Refuses the links under a templates or static folder `dir` that lead out of both the
/// project folder and `dir` itself: a link to `/etc/passwd` in `static/` would publish it.
fn refuse_links_out(dir: &Path, project: &Path) -> Result<()> {
    let canonical = |p: &Path| p.canonicalize().map_err(|e| Error::io(p, "read", e));
    let (dir_root, project_root) = (canonical(dir)?, canonical(project)?);
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            Error::io(&path, "read", e.into())
        })?;
        if entry.path_is_symlink() {
            refuse_outside_link(
                entry.path(),
                &[&project_root, &dir_root],
                "the project folder",
            )?;
        }
    }
    Ok(())
}

/// Refuses an output folder inside the seeds, templates or static folder: the next build would
/// read its own pages back as input.
fn refuse_output_inside(options: &BuildOptions, inputs: &[(&Path, &str)]) -> Result<()> {
    let out = resolved(&options.out);
    for (dir, what) in inputs {
        if out.starts_with(resolved(dir)) {
            return Err(Error::input(
                Location::file(&options.out),
                format!(
                    "is inside the {what} folder {}: the next build would read the site back as input; choose an --out outside it",
                    dir.display()
                ),
            ));
        }
    }
    Ok(())
}

/// `path` absolute, with the part of it that exists resolved (links, `..`): the output folder
/// need not exist yet.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while existing.canonicalize().is_err() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
    let mut resolved = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    resolved.extend(rest.iter().rev());
    resolved
}

/// Whether `<base>.<lang>.txt` has its `<base>.txt` among the `present` files (`original`: room
/// to spell that path in).
fn is_translation(
    path: &[u8],
    present: &rustc_hash::FxHashSet<&[u8]>,
    original: &mut Vec<u8>,
) -> bool {
    let Some(stem) = path.strip_suffix(b".txt") else {
        return false;
    };
    let Some(dot) = stem.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    // A `/` is not a lowercase letter: the dot must be in the file's own name.
    let lang = &stem[dot + 1..];
    if !(2..=3).contains(&lang.len()) || !lang.iter().all(u8::is_ascii_lowercase) {
        return false;
    }
    original.clear();
    original.extend_from_slice(&stem[..dot]);
    original.extend_from_slice(b".txt");
    present.contains(original.as_slice())
}
