//! The build's own state, kept outside the published folder: a manifest per output folder that
//! records, for each seed, its inputs (size, modification and change times, a hash of the bytes)
//! and what its page gave the index, so that a rebuild neither reads nor writes what has not
//! changed.
//!
//! The manifests live in the state folder (`.paralelo/` beside `paralelo.toml`), one per output
//! folder under `builds/<hash of the output's absolute path>/`. Each names the output folder's
//! identity (device and inode) when it was written: a manifest that does not match the folder
//! now there (deleted, replaced, moved, or built by another version) is ignored, and the build
//! is a full one. Every path read back from a manifest must lie inside the output folder, or
//! the build refuses it. Deleting the state folder costs the next build its incrementality,
//! nothing else.

use std::collections::HashSet;
use std::fmt::Write;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crate::error::{Error, Location, Result, Warning};
use crate::model::{ArticleSummary, SideSummary};
use crate::output;
use crate::record::{
    FastHasher, RECORD_SEPARATOR, StableHasher, UNIT_SEPARATOR, escape_into, unescape,
};

/// The manifest's file name in its output's folder of the state folder.
const MANIFEST: &str = "manifest";
/// Beside it, the output folder's absolute path: what the entry is for, to clear entries whose
/// output is gone.
const OUTPUT: &str = "output";
const HEADER: &str = concat!("paralelo-manifest 3 ", env!("CARGO_PKG_VERSION"));
/// The last line: a manifest cut short by a killed build has none and is not trusted.
const TRAILER: &str = "end";

/// What is cheap to learn of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub size: u64,
    pub modified_ns: u128,
    /// When the file's inode last changed (ctime), which no one can set back: an edit that
    /// keeps the size and restores the modification time still shows here.
    pub changed_ns: u128,
}

/// The stamp of the file at `path`, or `None` where there is no file.
pub fn stamp(path: &Path) -> Option<Stamp> {
    let meta = fs::metadata(path).ok()?;
    let modified_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    #[cfg(unix)]
    let changed_ns = {
        use std::os::unix::fs::MetadataExt;
        nanoseconds(meta.ctime(), meta.ctime_nsec())
    };
    #[cfg(not(unix))]
    let changed_ns = modified_ns;
    Some(Stamp {
        size: meta.len(),
        modified_ns,
        changed_ns,
    })
}

/// A time in seconds and nanoseconds as the stamps keep it (what `ctime` always gave).
#[cfg(unix)]
fn nanoseconds(seconds: i64, nanoseconds: i64) -> u128 {
    (seconds as u128) * 1_000_000_000 + nanoseconds as u128
}

/// The stamps of each seed of `seeds` and of its translation into `lang`, in parallel. On
/// Linux each file is asked for by its name in its folder, opened once: walking each file's
/// whole path showed in profiles of one-seed rebuilds of large sites.
pub fn seed_stamps(seeds: &[&Path], lang: &str) -> Vec<SeedStamps> {
    use rayon::prelude::*;
    #[cfg(target_os = "linux")]
    {
        let folders = Folders::open(seeds);
        seeds
            .par_iter()
            .enumerate()
            .map(|(i, seed)| {
                let translation = crate::translate::authored_path(seed, lang);
                match folders.of(i) {
                    Some(folder) => SeedStamps {
                        seed_stamp: stamp_in(folder, seed),
                        translation_stamp: stamp_in(folder, &translation),
                        translation,
                    },
                    None => SeedStamps::of(seed, translation),
                }
            })
            .collect()
    }
    #[cfg(not(target_os = "linux"))]
    seeds
        .par_iter()
        .map(|seed| SeedStamps::of(seed, crate::translate::authored_path(seed, lang)))
        .collect()
}

/// The folders of the seeds, each opened once, and which is each seed's.
#[cfg(target_os = "linux")]
struct Folders {
    opened: Vec<Option<rustix::fd::OwnedFd>>,
    of_seed: Vec<usize>,
}

#[cfg(target_os = "linux")]
impl Folders {
    fn open(seeds: &[&Path]) -> Folders {
        use rustix::fs::{Mode, OFlags};
        let mut known: std::collections::HashMap<&Path, usize> = Default::default();
        let mut opened = Vec::new();
        let of_seed = (seeds.iter())
            .map(|seed| {
                let folder = seed.parent().unwrap_or(Path::new(""));
                *known.entry(folder).or_insert_with(|| {
                    let dir = if folder.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        folder
                    };
                    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
                    opened.push(rustix::fs::open(dir, flags, Mode::empty()).ok());
                    opened.len() - 1
                })
            })
            .collect();
        Folders { opened, of_seed }
    }

    fn of(&self, seed: usize) -> Option<&rustix::fd::OwnedFd> {
        self.opened[self.of_seed[seed]].as_ref()
    }
}

/// The stamp of the file at `path` by its name in `folder` (its parent, open), following a
/// link as [`stamp`] does, and with the same values; where the system has no `statx`, by path.
#[cfg(target_os = "linux")]
fn stamp_in(folder: &rustix::fd::OwnedFd, path: &Path) -> Option<Stamp> {
    use rustix::fs::{AtFlags, StatxFlags};
    let Some(name) = path.file_name() else {
        return stamp(path);
    };
    let wanted = StatxFlags::SIZE | StatxFlags::MTIME | StatxFlags::CTIME;
    match rustix::fs::statx(folder, name, AtFlags::empty(), wanted) {
        Ok(found) if found.stx_mask & wanted.bits() == wanted.bits() => {
            let time = |t: rustix::fs::StatxTimestamp| (t.tv_sec, i64::from(t.tv_nsec));
            let (modified, changed) = (time(found.stx_mtime), time(found.stx_ctime));
            Some(Stamp {
                size: found.stx_size,
                // As `stamp`: a modification time before 1970 counts as 0.
                modified_ns: if modified.0 >= 0 {
                    nanoseconds(modified.0, modified.1)
                } else {
                    0
                },
                changed_ns: nanoseconds(changed.0, changed.1),
            })
        }
        Err(e) if e == rustix::io::Errno::NOENT || e == rustix::io::Errno::NOTDIR => None,
        _ => stamp(path),
    }
}

/// What is cheap to learn of a seed's two files, learnt for every seed while the manifest is
/// read.
#[derive(Debug, Clone)]
pub struct SeedStamps {
    /// Where its translation is, or would be.
    pub translation: PathBuf,
    pub seed_stamp: Option<Stamp>,
    pub translation_stamp: Option<Stamp>,
}

impl SeedStamps {
    pub fn of(seed: &Path, translation: PathBuf) -> SeedStamps {
        SeedStamps {
            seed_stamp: stamp(seed),
            translation_stamp: stamp(&translation),
            translation,
        }
    }
}

/// A seed's bytes and its translation's, if it has one: read once, to be hashed and then, if
/// the hash is new, parsed.
pub struct SeedBytes {
    pub seed: Vec<u8>,
    pub translation: Option<Vec<u8>>,
}

impl SeedBytes {
    pub fn read(seed: &Path, translation: &Path) -> crate::Result<SeedBytes> {
        let translation = match super::inputs::read_bytes(translation) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(super::inputs::read_error(translation, e)),
        };
        Ok(SeedBytes {
            seed: super::inputs::read_bytes(seed)
                .map_err(|e| super::inputs::read_error(seed, e))?,
            translation,
        })
    }

    /// The hash of both files' bytes (a missing translation hashes as such). The manifest that
    /// keeps it is read only by the program that wrote it (see `Inputs::fingerprint`), so the
    /// quicker hash will do.
    pub fn hash(&self) -> u64 {
        let mut hash = FastHasher::new();
        hash.write(&(self.seed.len() as u64).to_le_bytes());
        hash.write(&self.seed);
        match &self.translation {
            Some(bytes) => hash.write(bytes),
            None => hash.write(b"\0missing"),
        }
        hash.finish()
    }
}

/// One seed as the last build saw it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    pub seed: PathBuf,
    pub seed_stamp: Option<Stamp>,
    pub translation_stamp: Option<Stamp>,
    pub hash: u64,
    /// The files its page wrote, relative to the output folder.
    pub files: Vec<String>,
    pub summary: ArticleSummary,
    pub warnings: Vec<Warning>,
    /// Its names and tags, when this build made it or read them from the names file (kept
    /// beside the manifest, not in it: see [`super::names`]).
    pub names: Option<crate::model::ArticleNames>,
    /// A hash of its names and tags, in the manifest: a rebuild whose remade articles name what
    /// they named before need not read the names file.
    pub names_hash: u64,
    /// The hash of the links to entity pages its page was made with; `None` while its page
    /// waits for the site's links (see [`super::article::make_article`]), which a build settles
    /// before it saves the manifest.
    pub linked: Option<u64>,
    /// The manifest line this entry was read from, written back as it is: escaping a large
    /// site's manifest again on every rebuild showed in profiles. `None` once anything changes.
    pub written: Option<WrittenLine>,
    /// The article's content lemmas, numbered by the build's `LemmaIds`, from its making until
    /// the build has ranked them (see [`super::lemmas`]); never in the manifest.
    pub lemmas: Box<[u32]>,
}

/// A line of the manifest as read: the whole text is shared by every entry, not copied.
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenLine {
    text: std::sync::Arc<String>,
    range: std::ops::Range<usize>,
}

impl Entry {
    /// Gives the entry the stamps of its files, touched but with the same bytes.
    pub fn restamp(&mut self, seed: Option<Stamp>, translation: Option<Stamp>) {
        self.seed_stamp = seed;
        self.translation_stamp = translation;
        self.written = None;
    }

    /// Whether the seed and its translation look untouched since this entry was made.
    pub fn stamps_match(&self, seed: Option<Stamp>, translation: Option<Stamp>) -> bool {
        self.seed_stamp == seed && self.translation_stamp == translation && seed.is_some()
    }
}

/// The record of the last build: the fingerprint of everything that affects every page
/// (tool, templates, static files, options), and an entry per seed.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    pub fingerprint: u64,
    /// The output folder's identity when the manifest was written (see [`StateDir::load`]).
    pub identity: (u64, u64),
    pub entries: Vec<Entry>,
    /// The files the build made besides the articles' (index pages, feeds, static files).
    pub site_files: Vec<String>,
}

/// Where the state of the builds into one output folder lives, and that folder's identity.
pub struct StateDir {
    /// `<state folder>/builds/<key>`.
    dir: PathBuf,
    out: PathBuf,
}

impl StateDir {
    /// The state of builds into `out`, in the state folder `state`.
    pub fn new(state: &Path, out: &Path) -> StateDir {
        let out = absolute(out);
        let mut hash = StableHasher::new();
        hash.write(out.as_os_str().as_encoded_bytes());
        StateDir {
            dir: state.join("builds").join(format!("{:016x}", hash.finish())),
            out,
        }
    }

    /// Where the annotated articles of glossed builds into this output are kept.
    pub fn annotations(&self) -> PathBuf {
        self.dir.join("annotations")
    }

    fn manifest(&self) -> PathBuf {
        self.dir.join(MANIFEST)
    }

    /// The site's commonest lemmas as the last full build ranked them, one a line.
    pub fn commonest_lemmas(&self) -> PathBuf {
        self.dir.join("commonest-lemmas")
    }

    /// A file of this output's state beside the manifest.
    pub fn side_file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The last build's manifest, when it was written for the output folder that is there now
    /// by this version of paralelo; `None` means "build all". A manifest that names a path
    /// outside the output folder is an error: following it could delete or write anywhere.
    pub fn load(&self) -> Result<Option<Manifest>> {
        let path = self.manifest();
        let Ok(text) = fs::read_to_string(&path) else {
            return Ok(None);
        };
        // Shared as it was read (an `Arc<str>` would copy the manifest's megabytes).
        let Some(manifest) = Manifest::parse(std::sync::Arc::new(text)) else {
            return Ok(None);
        };
        let files = manifest.entries.iter().flat_map(|e| &e.files);
        if let Some(file) = files
            .chain(&manifest.site_files)
            .find(|f| !output::is_inside(f))
        {
            return Err(Error::input(
                Location::file(&path),
                format!(
                    "names `{}`, which is not a file inside the output folder; this state was not written by paralelo: delete {} and build again",
                    file.escape_debug(),
                    self.dir.display()
                ),
            ));
        }
        Ok(Some(manifest).filter(|m| Some(m.identity) == identity(&self.out)))
    }

    /// Forgets the last build: what an incremental build does before it changes the output, so
    /// that a build killed midway leaves no manifest that no longer describes the output.
    pub fn forget(&self) -> Result<()> {
        match fs::remove_file(self.manifest()) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(Error::io(&self.manifest(), "remove", e))
            }
            _ => Ok(()),
        }
    }

    /// Keeps `manifest` for the next build, for the output folder now in place.
    pub fn save(&self, manifest: &mut Manifest) -> Result<()> {
        let Some(identity) = identity(&self.out) else {
            return Ok(());
        };
        manifest.identity = identity;
        fs::create_dir_all(&self.dir)
            .map_err(|e| Error::io(&self.dir, "create the state folder", e))?;
        let output = self.dir.join(OUTPUT);
        let written = self.out.to_string_lossy();
        if fs::read_to_string(&output).map_or(true, |old| old != written) {
            fs::write(&output, written.as_bytes()).map_err(|e| Error::io(&output, "write", e))?;
        }
        let path = self.manifest();
        let temporary = self.dir.join(format!("{MANIFEST}.tmp"));
        let written =
            fs::File::create(&temporary).and_then(|mut file| manifest.write_to(&mut file));
        written.map_err(|e| Error::io(&temporary, "write", e))?;
        fs::rename(&temporary, &path).map_err(|e| Error::io(&path, "replace", e))
    }

    /// Removes the state of output folders that are gone, so that the state folder does not
    /// grow with every folder a project ever built into.
    pub fn clear_stale(&self) {
        let Some(builds) = self.dir.parent() else {
            return;
        };
        let Ok(entries) = fs::read_dir(builds) else {
            return;
        };
        for entry in entries.flatten() {
            let dir = entry.path();
            let gone =
                fs::read_to_string(dir.join(OUTPUT)).is_ok_and(|out| !Path::new(&out).exists());
            if gone && dir != self.dir {
                let _ = fs::remove_dir_all(&dir);
            }
        }
    }
}

/// `path` made absolute without resolving links (the output folder need not exist yet).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// What tells one folder from another that took its place: its device and inode, and (as a
/// file system reuses the inode numbers of deleted folders) when that inode was born, where the
/// system says.
fn identity(dir: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::metadata(dir).ok()?;
        let born = meta
            .created()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as u64);
        Some((meta.dev(), meta.ino() ^ born.rotate_left(32)))
    }
    #[cfg(not(unix))]
    {
        // No inode here: the marker's modification time stands in for it.
        let meta = fs::metadata(dir.join(output::OUTPUT_MARKER)).ok()?;
        let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        Some((0, modified.as_nanos() as u64))
    }
}

impl Manifest {
    fn parse(text: std::sync::Arc<String>) -> Option<Manifest> {
        let body = text.strip_suffix(&format!("{TRAILER}\n"))?;
        let (first, rest) = body.split_once('\n')?;
        let mut header = first.split('\t');
        if header.next()? != HEADER {
            return None;
        }
        let mut number = || u64::from_str_radix(header.next()?, 16).ok();
        let fingerprint = number()?;
        let identity = (number()?, number()?);
        let (site, lines) = rest.split_once('\n')?;
        let site_files = list(site.strip_prefix("site\t")?)?;
        // Each entry's place in the text, then the entries parsed in parallel: at 10,000
        // articles the parse is a large share of a one-seed rebuild.
        let mut start = body.len() - lines.len();
        let lines = match lines {
            "" => None,
            lines => Some(lines.strip_suffix('\n')?),
        };
        let ranges: Vec<std::ops::Range<usize>> = (lines.into_iter())
            .flat_map(|lines| lines.split('\n'))
            .map(|line| {
                let range = start..start + line.len();
                start = range.end + 1;
                range
            })
            .collect();
        let entries: Vec<Option<Entry>> = {
            use rayon::prelude::*;
            // Collected in order into one vector of the right size (collecting into an
            // `Option<Vec>` grows it, copying megabytes).
            (ranges.into_par_iter().with_min_len(256))
                .map(|range| {
                    let written = WrittenLine {
                        text: std::sync::Arc::clone(&text),
                        range: range.clone(),
                    };
                    parse_entry(&text[range], written)
                })
                .collect()
        };
        let entries = entries.into_iter().collect::<Option<Vec<Entry>>>()?;
        Some(Manifest {
            fingerprint,
            identity,
            entries,
            site_files,
        })
    }

    /// Every file the build that wrote this manifest made, relative to the output folder.
    pub fn made(&self) -> HashSet<&str> {
        self.entries
            .iter()
            .flat_map(|e| &e.files)
            .chain(&self.site_files)
            .map(String::as_str)
            .collect()
    }

    /// The manifest as text (see [`Manifest::write_to`]).
    #[cfg(test)]
    pub fn to_text(&self) -> String {
        let mut bytes = Vec::new();
        self.write_to(&mut bytes).expect("writing to memory");
        String::from_utf8(bytes).expect("the manifest is text")
    }

    /// Writes the manifest to `out`. Entries read from the last manifest and kept as they were
    /// go out as that text, consecutive lines in one write: a one-seed rebuild of a large
    /// site rewrites megabytes it neither escapes again nor copies.
    pub fn write_to(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let mut text = String::with_capacity(4096);
        let (device, inode) = self.identity;
        let _ = write!(
            text,
            "{HEADER}\t{:016x}\t{device:x}\t{inode:x}\nsite\t",
            self.fingerprint
        );
        push_list(&mut text, &self.site_files);
        text.push('\n');
        // The run of kept lines not written yet: its source text and the range in it.
        let mut run: Option<(&WrittenLine, std::ops::Range<usize>)> = None;
        for entry in &self.entries {
            if let Some(line) = &entry.written {
                match &mut run {
                    Some((first, range))
                        if std::sync::Arc::ptr_eq(&first.text, &line.text)
                            && range.end + 1 == line.range.start =>
                    {
                        range.end = line.range.end;
                    }
                    _ => {
                        flush_run(out, &mut text, run.take())?;
                        run = Some((line, line.range.clone()));
                    }
                }
                continue;
            }
            flush_run(out, &mut text, run.take())?;
            push_entry(&mut text, entry);
            text.push('\n');
            if text.len() >= 1 << 16 {
                out.write_all(text.as_bytes())?;
                text.clear();
            }
        }
        flush_run(out, &mut text, run.take())?;
        text.push_str(TRAILER);
        text.push('\n');
        out.write_all(text.as_bytes())
    }
}

/// Writes what `text` holds, then the kept lines of `run` with their line ends.
fn flush_run(
    out: &mut impl std::io::Write,
    text: &mut String,
    run: Option<(&WrittenLine, std::ops::Range<usize>)>,
) -> std::io::Result<()> {
    let Some((line, range)) = run else {
        return Ok(());
    };
    out.write_all(text.as_bytes())?;
    text.clear();
    // The source text has a line end after each of its lines.
    out.write_all(&line.text.as_bytes()[range.start..range.end + 1])
}

// One line per entry, tab-separated fields, list items joined by the unit separator, a
// warning's parts by the record separator; text fields are escaped so that any title or
// message survives. Written straight into one string: a large site's manifest is megabytes.
const ITEM: char = UNIT_SEPARATOR;

fn push_list(text: &mut String, items: &[String]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            text.push(ITEM);
        }
        escape_into(text, item);
    }
}

fn list(field: &str) -> Option<Vec<String>> {
    if field.is_empty() {
        return Some(Vec::new());
    }
    split_fields(field, ITEM as u8).map(unescape).collect()
}

pub(super) fn push_optional(text: &mut String, value: Option<&str>) {
    match value {
        Some(value) => {
            text.push('+');
            escape_into(text, value);
        }
        None => text.push('-'),
    }
}

pub(super) fn parse_optional(field: &str) -> Option<Option<String>> {
    match field {
        "-" => Some(None),
        other => Some(Some(unescape(other.strip_prefix('+')?)?)),
    }
}

fn push_stamp(text: &mut String, stamp: Option<Stamp>) {
    match stamp {
        Some(s) => {
            let _ = write!(text, "{}:{}:{}", s.size, s.modified_ns, s.changed_ns);
        }
        None => text.push('-'),
    }
}

fn parse_stamp(field: &str) -> Option<Option<Stamp>> {
    if field == "-" {
        return Some(None);
    }
    let mut parts = field.split(':');
    let mut number = || parts.next()?.parse::<u128>().ok();
    Some(Some(Stamp {
        size: number()?.try_into().ok()?,
        modified_ns: number()?,
        changed_ns: number()?,
    }))
}

/// Text fields, each escaped and followed by a tab.
fn push_fields(text: &mut String, fields: &[&str]) {
    for field in fields {
        escape_into(text, field);
        text.push('\t');
    }
}

fn push_side(text: &mut String, side: &SideSummary) {
    push_fields(text, &[&side.lang, &side.title, &side.summary]);
    push_optional(text, side.date.as_deref());
    text.push('\t');
}

fn push_entry(text: &mut String, entry: &Entry) {
    let summary = &entry.summary;
    push_fields(text, &[&entry.seed.to_string_lossy()]);
    push_stamp(text, entry.seed_stamp);
    text.push('\t');
    push_stamp(text, entry.translation_stamp);
    let kind = if entry.summary.machine { 'm' } else { 'a' };
    let _ = write!(text, "\t{:016x}\t{kind}", entry.hash);
    // The level rides with the kind: `a` or `m`, then the percentage if there is one.
    if let Some(level) = summary.level {
        let _ = write!(text, "{level}");
    }
    text.push('\t');
    push_list(text, &entry.files);
    text.push('\t');
    push_fields(text, &[&summary.slug]);
    push_optional(text, summary.published_iso.as_deref());
    text.push('\t');
    push_side(text, &summary.source);
    push_side(text, &summary.target);
    for (i, warning) in entry.warnings.iter().enumerate() {
        if i > 0 {
            text.push(ITEM);
        }
        escape_into(text, &warning.path.to_string_lossy());
        text.push(RECORD_SEPARATOR);
        push_optional(text, warning.place.as_deref());
        text.push(RECORD_SEPARATOR);
        escape_into(text, &warning.message);
    }
    let _ = write!(text, "\t{:x}.", entry.names_hash);
    // A page that waits for its links (`-`) is made before a build saves its manifest; the
    // field reads back all the same.
    match entry.linked {
        Some(linked) => {
            let _ = write!(text, "{linked:x}");
        }
        None => text.push('-'),
    }
}

fn parse_entry(line: &str, written: WrittenLine) -> Option<Entry> {
    let fields: Vec<&str> = split_fields(line, b'\t').collect();
    let [
        seed,
        seed_stamp,
        translation_stamp,
        hash,
        kind,
        files,
        slug,
        published,
        rest @ ..,
    ] = fields.as_slice()
    else {
        return None;
    };
    let [
        s_lang,
        s_title,
        s_summary,
        s_date,
        t_lang,
        t_title,
        t_summary,
        t_date,
        warnings,
        named,
    ] = rest
    else {
        return None;
    };
    let side = |lang: &str, title: &str, summary: &str, date: &str| -> Option<SideSummary> {
        Some(SideSummary {
            lang: unescape(lang)?,
            title: unescape(title)?,
            summary: unescape(summary)?,
            date: parse_optional(date)?,
        })
    };
    let published_iso = parse_optional(published)?;
    let published = match &published_iso {
        Some(iso) => Some(chrono::DateTime::parse_from_rfc3339(iso).ok()?),
        None => None,
    };
    let split = |field: &str| -> Vec<String> {
        if field.is_empty() {
            Vec::new()
        } else {
            field.split(ITEM).map(str::to_string).collect()
        }
    };
    let files = list(files)?;
    let warnings = split(warnings)
        .iter()
        .map(|w| {
            let [path, place, message] = w.split(RECORD_SEPARATOR).collect::<Vec<_>>()[..] else {
                return None;
            };
            Some(Warning {
                path: PathBuf::from(unescape(path)?),
                place: parse_optional(place)?,
                message: unescape(message)?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let (names_hash, linked) = named.split_once('.')?;
    Some(Entry {
        seed: PathBuf::from(unescape(seed)?),
        seed_stamp: parse_stamp(seed_stamp)?,
        translation_stamp: parse_stamp(translation_stamp)?,
        hash: u64::from_str_radix(hash, 16).ok()?,
        files,
        summary: ArticleSummary {
            slug: unescape(slug)?,
            published,
            published_iso,
            source: side(s_lang, s_title, s_summary, s_date)?,
            target: side(t_lang, t_title, t_summary, t_date)?,
            machine: kind.starts_with('m'),
            level: match kind.get(1..)? {
                "" => None,
                level => Some(level.parse().ok()?),
            },
        },
        warnings,
        names: None,
        names_hash: u64::from_str_radix(names_hash, 16).ok()?,
        linked: match linked {
            "-" => None,
            linked => Some(u64::from_str_radix(linked, 16).ok()?),
        },
        written: Some(written),
        lemmas: Box::default(),
    })
}

/// `text` split at the ASCII `separator`; a plain loop over bytes beats `str::split`'s
/// searcher (and `memchr`'s set-up) on fields this short.
fn split_fields(text: &str, separator: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let field = rest?;
        match field.bytes().position(|b| b == separator) {
            Some(at) => {
                rest = Some(&field[at + 1..]);
                Some(&field[..at])
            }
            None => {
                rest = None;
                Some(field)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(title: &str) -> Entry {
        let side = |lang: &str| SideSummary {
            lang: lang.to_string(),
            title: title.to_string(),
            summary: "Uno.\tDos\\n".to_string(),
            date: Some("5 noviembre".to_string()),
        };
        Entry {
            seed: PathBuf::from("seeds/a b.txt"),
            seed_stamp: Some(Stamp {
                size: 10,
                modified_ns: 1_700_000_000_123_456_789,
                changed_ns: 1_700_000_000_987_654_321,
            }),
            translation_stamp: None,
            hash: 0xdead_beef,
            files: vec!["a/index.html".into(), "a/es.md".into()],
            summary: ArticleSummary {
                slug: "a".to_string(),
                published: chrono::DateTime::parse_from_rfc3339("2025-11-05T13:34:00+01:00").ok(),
                published_iso: Some("2025-11-05T13:34:00+01:00".to_string()),
                source: side("es"),
                target: side("en"),
                machine: true,
                level: Some(12),
            },
            warnings: vec![Warning {
                path: PathBuf::from("seeds/a.txt"),
                place: Some("paragraph 2".into()),
                message: "`«` is never closed\n".into(),
            }],
            names: None,
            names_hash: 0x1234_5678_9abc,
            linked: Some(7),
            written: None,
            lemmas: Box::default(),
        }
    }

    #[test]
    fn manifest_round_trips_any_text() {
        let manifest = Manifest {
            fingerprint: 42,
            identity: (3, 77),
            entries: vec![
                entry("Título con \t tab, \u{1f} y \\ barra"),
                Entry {
                    linked: None,
                    ..entry("")
                },
            ],
            site_files: vec!["index.html".into(), "page/2/index.html".into()],
        };
        let text = manifest.to_text();
        let mut parsed = Manifest::parse(text.clone().into()).unwrap();
        // Read back, it writes the same lines without escaping them again.
        assert!(parsed.entries.iter().all(|e| e.written.is_some()));
        assert_eq!(parsed.to_text(), text);
        for entry in &mut parsed.entries {
            entry.written = None;
        }
        assert_eq!(parsed, manifest);
        parsed.entries[0].restamp(None, None);
        assert!(parsed.to_text().contains("seeds/a b.txt\t-\t-\t"));
    }

    #[test]
    fn stamps_by_folder_are_the_stamps_by_path() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("más");
        fs::create_dir(&sub).unwrap();
        let files = [
            dir.path().join("a.txt"),
            sub.join("b.txt"),
            sub.join("c.txt"),
        ];
        fs::write(&files[0], "uno").unwrap();
        fs::write(&files[1], "dos dos").unwrap();
        fs::write(sub.join("c.en.txt"), "three").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("b.txt", &files[2]).unwrap();
        #[cfg(not(unix))]
        fs::write(&files[2], "tres").unwrap();
        let seeds: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        let stamps = seed_stamps(&seeds, "en");
        for (seed, stamps) in seeds.iter().zip(&stamps) {
            let translation = crate::translate::authored_path(seed, "en");
            assert_eq!(stamps.seed_stamp, stamp(seed), "{}", seed.display());
            assert_eq!(stamps.translation_stamp, stamp(&translation));
            assert_eq!(stamps.translation, translation);
            assert!(stamps.seed_stamp.is_some());
        }
        // The link is followed, as by path; a missing translation has no stamp.
        assert_eq!(stamps[2].seed_stamp.unwrap().size, 7);
        assert!(stamps[2].translation_stamp.is_some() && stamps[1].translation_stamp.is_none());
    }

    #[test]
    fn kept_lines_go_out_as_read_in_any_order() {
        let titles = ["uno", "dos", "tres", "cuatro", "cinco"];
        let manifest = Manifest {
            fingerprint: 42,
            identity: (3, 77),
            entries: titles.iter().map(|t| entry(t)).collect(),
            site_files: vec!["index.html".into()],
        };
        let text = manifest.to_text();
        let mut parsed = Manifest::parse(text.clone().into()).unwrap();
        // One remade in the middle, the last two swapped, one removed: runs of kept lines
        // broken in every way a rebuild breaks them.
        parsed.entries[1].hash = 0x5eed;
        parsed.entries[1].written = None;
        parsed.entries.swap(3, 4);
        parsed.entries.remove(0);
        let rewritten = parsed.to_text();
        let again = Manifest::parse(rewritten.clone().into()).unwrap();
        let titles_now: Vec<&str> = (again.entries.iter())
            .map(|e| e.summary.source.title.as_str())
            .collect();
        assert_eq!(titles_now, ["dos", "tres", "cinco", "cuatro"]);
        assert_eq!(again.entries[0].hash, 0x5eed);
        assert!(again.entries[1..].iter().all(|e| e.hash == 0xdead_beef));
        // Only the remade line differs from the text read.
        let lines = |t: &str| t.lines().map(str::to_string).collect::<Vec<_>>();
        let (old, new) = (lines(&text), lines(&rewritten));
        assert_eq!([&new[3], &new[5], &new[4]], [&old[4], &old[5], &old[6]]);
        assert_ne!(new[2], old[3]);
        // An empty manifest, and one with an entry only, read back.
        for entries in [Vec::new(), vec![entry("solo")]] {
            let one = Manifest {
                entries,
                ..manifest.clone()
            };
            let text = one.to_text();
            assert_eq!(
                Manifest::parse(text.clone().into()).unwrap().to_text(),
                text
            );
        }
    }

    #[test]
    fn damaged_manifest_means_build_all() {
        let text = Manifest {
            fingerprint: 1,
            identity: (0, 0),
            entries: vec![entry("x")],
            site_files: Vec::new(),
        }
        .to_text();
        assert!(Manifest::parse(text[..text.len() - 20].to_string().into()).is_none());
        assert!(Manifest::parse("paralelo-manifest 0\t01\nend\n".to_string().into()).is_none());
        assert!(
            Manifest::parse("paralelo-manifest 1\t01\nsite\t\nend\n".to_string().into()).is_none()
        );
        assert!(Manifest::parse(format!("{HEADER}\t01\t2\t3\nsite\t\nend\n").into()).is_some());
        assert!(Manifest::parse(format!("{HEADER}\t01\nsite\t\nend\n").into()).is_none());
        assert!(Manifest::parse(String::new().into()).is_none());
    }
}
