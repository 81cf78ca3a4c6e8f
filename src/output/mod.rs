//! The crash-safe output folder: a full build fills a staging folder beside it (the tree the last
//! full build swapped out, rewritten in place: see [`spare`]) and swaps it in; an incremental one
//! stages its changed files and moves them in through a journal. Either way a reader, or a build
//! killed at any moment, sees the old site or the new one once paralelo runs again, and nothing
//! paralelo did not write is ever deleted or overwritten.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result};
use crate::files::files_under;

mod spare;

/// The file that marks a folder as paralelo's output, which a build may replace.
pub const OUTPUT_MARKER: &str = ".paralelo-output";

/// Writes `bytes` to `relative` inside `out` whole or not at all: into a temporary file
/// beside it, then renamed over it.
fn write_file(out: &Path, relative: &str, bytes: &[u8]) -> Result<()> {
    let path = out.join(relative);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create folder", e))?;
    }
    let temporary = path.with_file_name(format!(
        ".{}.paralelo-tmp",
        path.file_name()
            .map_or("file".into(), |n| n.to_string_lossy())
    ));
    fs::write(&temporary, bytes).map_err(|e| Error::io(&temporary, "write", e))?;
    fs::rename(&temporary, &path).map_err(|e| Error::io(&path, "replace", e))
}

/// Writes a new file in a staging folder, making its folder when it is not there yet. An
/// article's folder is made by its first file: trying first saves the other files a `mkdir`
/// that fails and a `stat`, thousands of system calls on a large site.
fn write_making_folder(path: &Path, bytes: &[u8]) -> Result<()> {
    match fs::write(path, bytes) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create folder", e))?;
            }
            fs::write(path, bytes)
        }
        done => done,
    }
    .map_err(|e| Error::io(path, "write", e))
}

/// Makes the folder `dir`, and its parents if need be; one that is there already is fine.
fn make_folder(dir: &Path) -> Result<()> {
    match fs::create_dir(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => fs::create_dir_all(dir),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        done => done,
    }
    .map_err(|e| Error::io(dir, "create folder", e))
}

/// Removes a file paralelo made inside `out`, and its folder if that is left empty.
pub fn remove_output_file(out: &Path, relative: &str) -> Result<()> {
    let path = out.join(relative);
    match fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(&path, "remove", e)),
    }
    if let Some(parent) = path.parent().filter(|p| *p != out) {
        // Fails, harmlessly, while the folder holds anything else.
        let _ = fs::remove_dir(parent);
    }
    Ok(())
}

/// A folder being filled beside the output, swapped in by [`Staging::commit`].
pub struct Staging {
    dir: PathBuf,
    out: PathBuf,
    /// The output is a folder paralelo did not make (built into with `--force`): its folders,
    /// their modes and anything mounted in it stay as they are, so the new files go in one by
    /// one instead of in a new folder.
    foreign: bool,
    /// What this build wrote, by path inside the output.
    written: std::sync::Mutex<std::collections::BTreeSet<String>>,
    /// The journal of a file-by-file commit is written: the staging folder is the next build's
    /// to finish, not to remove.
    journaled: bool,
    /// The staging folder is the spare tree of an earlier build, written into in place.
    reused: Option<spare::Reused>,
}

impl Staging {
    /// Checks that `out` may be replaced (with `force`, also a folder paralelo did not make),
    /// then takes the spare tree beside it (see [`spare`]) or makes an empty folder there.
    pub fn new(out: &Path, protected: &[&Path], force: bool) -> Result<Staging> {
        let foreign = check_output(out, protected, force)?;
        let dir = staging_dir(out);
        if let Some(parent) = dir.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| Error::io(parent, "create the output's parent folder", e))?;
        }
        clear_leftovers(out)?;
        let reused = spare::take(out, &dir)?;
        if reused.is_none() {
            fs::create_dir(&dir).map_err(|e| Error::io(&dir, "create the staging folder", e))?;
        }
        let staging = Staging {
            dir,
            out: out.to_path_buf(),
            foreign,
            written: Default::default(),
            journaled: false,
            reused,
        };
        staging.write(
            OUTPUT_MARKER,
            b"Made by paralelo; a build replaces this folder.\n",
        )?;
        Ok(staging)
    }

    /// Writes `bytes` at `relative` (with `/` separators) inside the staging folder.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        if let Ok(mut written) = self.written.lock() {
            written.insert(relative.to_string());
        }
        match &self.reused {
            Some(reused) => reused.write(&self.dir, relative, bytes),
            None => write_making_folder(&self.dir.join(relative), bytes),
        }
    }

    /// Writes the files of one article, which share a folder not made yet: the folder first,
    /// one `mkdir`, then each file, one `open` each (not a failed open, a `mkdir` and the open
    /// again, as a file written alone would cost).
    pub fn write_new_folder(&self, files: &[(String, Vec<u8>)]) -> Result<()> {
        if self.reused.is_some() {
            // Its folder is likely there already, and its files too.
            return files
                .iter()
                .try_for_each(|(relative, bytes)| self.write(relative, bytes));
        }
        let mut made: Option<PathBuf> = None;
        for (relative, bytes) in files {
            let path = self.dir.join(relative);
            let parent = path.parent().map(Path::to_path_buf);
            if parent.is_some() && parent != made {
                make_folder(parent.as_deref().unwrap_or(&self.dir))?;
                made = parent;
            }
            if let Ok(mut written) = self.written.lock() {
                written.insert(relative.clone());
            }
            fs::write(&path, bytes).map_err(|e| Error::io(&path, "write", e))?;
        }
        Ok(())
    }

    /// Puts the staging folder in the output's place, in one step where the system allows, so
    /// that a reader (or a build killed right now) sees the old site or the new one, never none.
    /// `made_before(path, written)` says whether the file at `path` of the old output is
    /// paralelo's, `written` telling whether this build writes that path again.
    /// Files of the old output that `made_before` does not claim are the user's (a `CNAME`, a
    /// verification file): they move into the new output, and one that the new build would
    /// overwrite stops it.
    ///
    /// A folder paralelo did not make, one with a file system mounted in it, and one the system
    /// will not swap (a mount point: EBUSY; a folder of an overlay's lower layer, as in Docker
    /// images and CI caches: EXDEV) get the new files one by one instead, journaled as an
    /// incremental build's are: still the old site or the new one once paralelo runs again.
    pub fn commit(self, made_before: &dyn Fn(&str, bool) -> bool) -> Result<()> {
        if let Some(reused) = &self.reused {
            let written = self.written.lock().map(|w| w.clone()).unwrap_or_default();
            reused.prune(&self.dir, &written)?;
        }
        if !self.out.exists() {
            return fs::rename(&self.dir, &self.out)
                .map_err(|e| Error::io(&self.out, "move the new output in place", e));
        }
        if !self.foreign && !holds_mounts(&self.out) {
            let kept = self.keep_user_files(made_before)?;
            match exchange(&self.dir, &self.out) {
                // The staging folder now holds the old output, which drop keeps as the spare:
                // without the user's files, which are the output's alone.
                Ok(()) => {
                    for relative in kept {
                        let _ = fs::remove_file(self.dir.join(relative));
                    }
                    return Ok(());
                }
                Err(e) if cannot_swap(&e) => {}
                Err(e) => return Err(Error::io(&self.out, "swap in the new output", e)),
            }
        }
        self.commit_file_by_file(made_before)
    }

    /// Moves the staged files into the output one by one, through a journal, and removes the
    /// files the last build made that this one did not: nothing else in the output is touched.
    fn commit_file_by_file(mut self, made_before: &dyn Fn(&str, bool) -> bool) -> Result<()> {
        let written = self.written.lock().map(|w| w.clone()).unwrap_or_default();
        let mut removed = Vec::new();
        for (relative, path) in files_under(&self.out, "read the output folder")? {
            let again = written.contains(&relative);
            let ours = relative == OUTPUT_MARKER || made_before(&relative, again);
            if !ours && written.contains(&relative) {
                return Err(not_ours(&path));
            }
            if ours && !written.contains(&relative) {
                removed.push(relative);
            }
        }
        // A folder built into with --force stays the user's: no marker makes it paralelo's.
        let moved: Vec<String> = written
            .into_iter()
            .filter(|f| !(self.foreign && f == OUTPUT_MARKER))
            .collect();
        write_journal(&self.dir, &moved, &removed)?;
        // From here the journal is the commit: if a move fails, it stays for the next build.
        self.journaled = true;
        finish_journal(&self.dir, &self.out)
    }

    /// Links the user's files of the output into the staging folder; which they are.
    fn keep_user_files(&self, made_before: &dyn Fn(&str, bool) -> bool) -> Result<Vec<String>> {
        let written = self.written.lock().map(|w| w.clone()).unwrap_or_default();
        let mut kept_names = Vec::new();
        for (relative, path) in files_under(&self.out, "read the output folder")? {
            let ours = relative == OUTPUT_MARKER
                || relative.ends_with(".paralelo-tmp")
                || made_before(&relative, written.contains(&relative));
            if ours {
                continue;
            }
            if written.contains(&relative) {
                return Err(not_ours(&path));
            }
            let kept = self.dir.join(&relative);
            if let Some(parent) = kept.parent() {
                fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create folder", e))?;
            }
            // A hard link keeps the very file; a copy where the file system has none.
            fs::hard_link(&path, &kept)
                .or_else(|_| fs::copy(&path, &kept).map(|_| ()))
                .map_err(|e| Error::io(&path, "keep", e))?;
            kept_names.push(relative);
        }
        Ok(kept_names)
    }
}

/// Whether `relative` names a place inside a folder: not empty, not absolute, `/`-separated, and
/// without an empty, `.` or `..` part. Every path read back from a state file (a manifest, a
/// journal) must be one, so that no crafted state makes a build write or delete elsewhere.
pub(crate) fn is_inside(relative: &str) -> bool {
    !relative.is_empty()
        && !relative.contains('\0')
        && relative
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// The error for a file in the output that paralelo did not write and a build would overwrite.
pub fn not_ours(path: &Path) -> Error {
    Error::input(
        Location::file(path),
        "is not paralelo's, and the build would overwrite it; move it out of the output folder",
    )
}

/// Where a full build fills the next output: beside it, so the swap is a rename.
fn staging_dir(out: &Path) -> PathBuf {
    beside(out, "paralelo-new")
}

/// `.<name>.<suffix>` beside the output folder `<name>`.
fn beside(out: &Path, suffix: &str) -> PathBuf {
    let name = out
        .file_name()
        .map_or("public".into(), |n| n.to_string_lossy());
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    parent.join(format!(".{name}.{suffix}"))
}

/// The exclusive right to build into one output folder, held until dropped. Two builds into one
/// folder at once (two terminals, or a build while `serve` rebuilds) would delete each other's
/// staging folders and publish half a site; the second one waits instead, or, without `wait`,
/// fails at once.
pub struct BuildLock {
    file: fs::File,
    path: PathBuf,
}

impl Drop for BuildLock {
    /// The lock file goes first, then the lock: a build that was waiting on the removed file
    /// sees it is gone and takes the lock on a new one (see [`lock`]).
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// Takes the lock of `out`: a file beside it, `.<name>.paralelo-lock`, so that two projects that
/// build into one folder exclude each other too. The lock is the operating system's, released
/// when the build ends however it ends; a build that ends well also removes the file.
pub fn lock(out: &Path, wait: bool) -> Result<BuildLock> {
    let path = beside(out, "paralelo-lock");
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| Error::io(parent, "create the output's parent folder", e))?;
    }
    let mut waited = false;
    loop {
        let file = lock_file(&path, out, wait, &mut waited)?;
        // The holder before us may have removed the file we waited on: then lock the new one.
        if same_file(&file, &path) {
            return Ok(BuildLock { file, path });
        }
    }
}

/// Whether `path` still names the open `file`.
fn same_file(file: &fs::File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        path.exists()
    }
}

/// Opens the lock file at `path` and locks it, waiting (and saying so once) or not.
fn lock_file(path: &Path, out: &Path, wait: bool, waited: &mut bool) -> Result<fs::File> {
    let file = fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| Error::io(path, "open the build lock", e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) if wait => {
            if !std::mem::replace(waited, true) {
                eprintln!(
                    "waiting for another paralelo build of {} … (Ctrl-C stops)",
                    out.display()
                );
            }
            file.lock()
                .map_err(|e| Error::io(path, "wait for the build lock", e))?;
        }
        Err(fs::TryLockError::WouldBlock) => {
            return Err(Error::input(
                Location::file(out),
                "another paralelo build of this folder is running; let it finish, or build without --no-wait to wait for it",
            ));
        }
        Err(fs::TryLockError::Error(e)) => {
            return Err(Error::io(path, "take the build lock", e));
        }
    }
    Ok(file)
}

/// The journal of an incremental build, in its staging folder: written once every changed file
/// is staged, it says that the build is to be finished, and how.
const JOURNAL: &str = ".paralelo-journal";
const JOURNAL_END: &str = "end";

/// The files an incremental build changes in place, put in place together.
///
/// Each changed file is written into the staging folder beside the output; [`Transaction::commit`]
/// then writes a journal naming every file to move in and every file to remove, moves and
/// removes them, and deletes the staging folder. A build killed before the journal exists has
/// changed nothing (the next build clears its staging folder); one killed after it is finished
/// by the next build's [`clear_leftovers`], before that build reads the output. Either way the output
/// is the old site or the new one, never a mix, once paralelo runs again.
pub struct Transaction {
    dir: PathBuf,
    out: PathBuf,
    moved: std::sync::Mutex<Vec<String>>,
    removed: std::sync::Mutex<Vec<String>>,
    /// The journal is written: see [`Staging::journaled`].
    journaled: bool,
}

impl Transaction {
    pub fn new(out: &Path) -> Result<Transaction> {
        let dir = staging_dir(out);
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, "create the staging folder", e))?;
        let marker = dir.join(OUTPUT_MARKER);
        fs::write(&marker, b"Files of an unfinished paralelo build.\n")
            .map_err(|e| Error::io(&marker, "write", e))?;
        Ok(Transaction {
            dir,
            out: out.to_path_buf(),
            moved: Default::default(),
            removed: Default::default(),
            journaled: false,
        })
    }

    /// Stages `bytes` for `relative` inside the output, unless the file there holds exactly
    /// them: unchanged files keep their modification times.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        if fs::read(self.out.join(relative)).is_ok_and(|old| old == bytes) {
            return Ok(());
        }
        self.replace(relative, bytes)
    }

    /// Stages `bytes` for `relative` without reading what is there: for a file known to change.
    pub fn replace(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        write_making_folder(&self.dir.join(relative), bytes)?;
        if let Ok(mut moved) = self.moved.lock() {
            moved.push(relative.to_string());
        }
        Ok(())
    }

    /// Removes `relative`, a file paralelo made, from the output when the build is committed.
    pub fn remove(&self, relative: &str) {
        if let Ok(mut removed) = self.removed.lock() {
            removed.push(relative.to_string());
        }
    }

    /// Puts every staged file in place and removes the files to remove.
    pub fn commit(mut self) -> Result<()> {
        if !self.write_journal()? {
            return Ok(());
        }
        // From here the journal is the commit: if a move fails, it stays for the next build.
        self.journaled = true;
        finish_journal(&self.dir, &self.out)
    }

    /// Writes the journal, if there is anything to do.
    fn write_journal(&self) -> Result<bool> {
        let moved = self.moved.lock().map(|m| m.clone()).unwrap_or_default();
        let removed = self.removed.lock().map(|r| r.clone()).unwrap_or_default();
        if moved.is_empty() && removed.is_empty() {
            return Ok(false);
        }
        write_journal(&self.dir, &moved, &removed)?;
        Ok(true)
    }
}

/// Writes the journal of a commit into the staging folder `dir`: the files to move in from it,
/// then the files to remove from the output.
fn write_journal(dir: &Path, moved: &[String], removed: &[String]) -> Result<()> {
    let mut journal = String::new();
    for (kind, files) in [('m', moved), ('r', removed)] {
        for file in files {
            journal.push(kind);
            journal.push('\t');
            crate::record::escape_into(&mut journal, file);
            journal.push('\n');
        }
    }
    journal.push_str(JOURNAL_END);
    journal.push('\n');
    // Written whole under another name, then renamed: a journal is complete or absent.
    write_file(dir, JOURNAL, journal.as_bytes())
}

/// Whether a failed swap means "swap another way": the output is a mount point (EBUSY) or
/// a folder the file system cannot rename as a whole (EXDEV: an overlay's lower layer).
fn cannot_swap(error: &std::io::Error) -> bool {
    #[cfg(target_os = "linux")]
    {
        let code = error.raw_os_error();
        code == Some(rustix::io::Errno::BUSY.raw_os_error())
            || code == Some(rustix::io::Errno::XDEV.raw_os_error())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = error;
        false
    }
}

/// Whether a file system is mounted at `dir` or anywhere under it (Linux: from
/// `/proc/self/mountinfo`). Swapping such a folder out and deleting the old one would empty
/// what is mounted there.
fn holds_mounts(dir: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        let (Ok(dir), Ok(table)) = (
            dir.canonicalize(),
            fs::read_to_string("/proc/self/mountinfo"),
        ) else {
            return false;
        };
        table.lines().any(|line| {
            line.split(' ')
                .nth(4)
                .is_some_and(|point| Path::new(&unescape_mount_point(point)).starts_with(&dir))
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        false
    }
}

/// A mount point as `/proc/self/mountinfo` writes it, with `\040`-style octal escapes undone.
#[cfg(target_os = "linux")]
fn unescape_mount_point(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match (bytes[i], octal) {
            (b'\\', Some(digits)) => {
                out.push(
                    digits
                        .iter()
                        .fold(0u8, |n, d| n.wrapping_mul(8) + (d - b'0')),
                );
                i += 4;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Drop for Transaction {
    /// A build that failed, or was committed, leaves no staging folder; one whose journal was
    /// written but not carried out to the end leaves it for the next build to finish.
    fn drop(&mut self) {
        if !self.journaled {
            let _ = remove_marked(&self.dir);
        }
    }
}

/// Does what the journal in the staging folder `dir` says: moves the staged files that are
/// still there into `out`, removes the files to remove, then deletes the staging folder.
/// Running it again after it was cut short does the rest.
fn finish_journal(dir: &Path, out: &Path) -> Result<()> {
    let path = dir.join(JOURNAL);
    let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, "read", e))?;
    let damaged = || {
        Error::input(
            Location::file(&path),
            "is damaged; delete it and build again",
        )
    };
    let body = text
        .strip_suffix(&format!("{JOURNAL_END}\n"))
        .ok_or_else(damaged)?;
    for line in body.lines() {
        let (kind, file) = line.split_once('\t').ok_or_else(damaged)?;
        let file = crate::record::unescape(file).ok_or_else(damaged)?;
        if !is_inside(&file) {
            return Err(Error::input(
                Location::file(&path),
                format!(
                    "names `{}`, which is not a file inside the output folder; this journal was not written by paralelo: delete {} and build again",
                    file.escape_debug(),
                    dir.display()
                ),
            ));
        }
        match kind {
            "m" => {
                let staged = dir.join(&file);
                if !staged.exists() {
                    continue; // moved before the build was cut short
                }
                let target = out.join(&file);
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent)
                        .map_err(|e| Error::io(parent, "create folder", e))?;
                }
                move_file(&staged, &target)?;
            }
            "r" => remove_output_file(out, &file)?,
            _ => return Err(damaged()),
        }
    }
    remove_marked(dir).map_err(|e| Error::io(dir, "remove", e))
}

/// Moves `staged` to `target`: a rename, or where they are on two file systems (the output is
/// a mount point), a copy into a temporary file beside `target` renamed over it, then the
/// staged file removed. Either way `target` is whole at every moment.
fn move_file(staged: &Path, target: &Path) -> Result<()> {
    match fs::rename(staged, target) {
        Ok(()) => Ok(()),
        Err(e) if cannot_swap(&e) => {
            let temporary = target.with_file_name(format!(
                ".{}.paralelo-tmp",
                target
                    .file_name()
                    .map_or("file".into(), |n| n.to_string_lossy())
            ));
            fs::copy(staged, &temporary).map_err(|e| Error::io(&temporary, "write", e))?;
            fs::rename(&temporary, target).map_err(|e| Error::io(target, "replace", e))?;
            fs::remove_file(staged).map_err(|e| Error::io(staged, "remove", e))
        }
        Err(e) => Err(Error::io(target, "replace", e)),
    }
}

/// Clears what a killed build left beside the output: finishes an incremental build that had
/// written its journal; any other staging folder of paralelo's becomes the spare.
pub fn clear_leftovers(out: &Path) -> Result<()> {
    let dir = staging_dir(out);
    if dir.join(JOURNAL).is_file() {
        finish_journal(&dir, out)
    } else if dir.exists() {
        check_ours(&dir)?;
        spare::keep(&dir, out).map_err(|e| Error::io(&dir, "remove", e))
    } else {
        Ok(())
    }
}

/// Swaps two folders atomically (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // Some file systems cannot exchange; fall back to two renames.
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {
            exchange_by_renames(a, b)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    exchange_by_renames(a, b)
}

fn exchange_by_renames(a: &Path, b: &Path) -> std::io::Result<()> {
    let aside = a.with_extension("swap");
    fs::rename(b, &aside)?;
    fs::rename(a, b)?;
    fs::rename(&aside, a)
}

impl Drop for Staging {
    /// A build that failed leaves the old output as it was, and its half-written folder as the
    /// spare, never seen (unless a file-by-file commit's journal is there to be finished). After
    /// a swap, the old output becomes the spare.
    fn drop(&mut self) {
        if !self.journaled {
            let _ = spare::keep(&self.dir, &self.out);
        }
    }
}

/// Whether a staging folder a killed build left is paralelo's: one with its marker, or an
/// empty one (killed between making it and marking it, or at the very end of removing it).
fn check_ours(dir: &Path) -> Result<()> {
    let empty = fs::read_dir(dir)
        .map_err(|e| Error::io(dir, "read", e))?
        .next()
        .is_none();
    if !empty && !dir.join(OUTPUT_MARKER).is_file() {
        return Err(Error::input(
            Location::file(dir),
            "is in the way of the build and was not made by paralelo; move it away",
        ));
    }
    Ok(())
}

/// Removes a folder paralelo made, its marker last: a removal cut short leaves a folder the
/// next build still knows as its own.
fn remove_marked(dir: &Path) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == OUTPUT_MARKER {
            continue;
        }
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())?;
        } else {
            fs::remove_file(entry.path())?;
        }
    }
    match fs::remove_file(dir.join(OUTPUT_MARKER)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    fs::remove_dir(dir)
}

/// The output folder may be replaced only if paralelo made it, or it is empty, and it holds
/// none of the `protected` folders (the seeds, the project). Whether it is a folder paralelo
/// did not make, which `force` lets a build fill.
fn check_output(out: &Path, protected: &[&Path], force: bool) -> Result<bool> {
    let absolute = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let out_abs = absolute(out);
    let home = std::env::var_os("HOME").map(PathBuf::from);
    for p in protected.iter().copied().chain(home.as_deref()) {
        if absolute(p).starts_with(&out_abs) {
            return Err(Error::input(
                Location::file(out),
                format!(
                    "cannot be the output folder: it holds {}; choose another --out",
                    p.display()
                ),
            ));
        }
    }
    if !out.exists() {
        return Ok(false);
    }
    if !out.is_dir() {
        return Err(Error::input(
            Location::file(out),
            "is a file, not a folder; choose another --out",
        ));
    }
    let empty = fs::read_dir(out)
        .map_err(|e| Error::io(out, "read", e))?
        .next()
        .is_none();
    if empty || out.join(OUTPUT_MARKER).is_file() {
        Ok(false)
    } else if force {
        Ok(true)
    } else {
        Err(Error::input(
            Location::file(out),
            format!(
                "is not empty and was not made by paralelo (no {OUTPUT_MARKER} in it); choose another --out, empty it, or build with --force (which keeps its files)"
            ),
        ))
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_folder_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mine");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("notes.txt"), "keep").unwrap();
        let err = Staging::new(&out, &[], false).err().unwrap().to_string();
        assert!(err.contains("was not made by paralelo"), "{err}");
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "keep");
    }

    #[test]
    fn output_may_not_hold_the_seeds() {
        let dir = tempfile::tempdir().unwrap();
        let seeds = dir.path().join("seeds");
        fs::create_dir(&seeds).unwrap();
        let err = Staging::new(dir.path(), &[&seeds], false)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("cannot be the output folder"), "{err}");
    }

    #[test]
    fn failed_build_leaves_old_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = Staging::new(&out, &[], false).unwrap();
        first.write("index.html", b"old").unwrap();
        first.commit(&|_, _| true).unwrap();
        let second = Staging::new(&out, &[], false).unwrap();
        second.write("index.html", b"new").unwrap();
        drop(second);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
        // Its half-written folder is kept as the spare, never seen as the output.
        let mut leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        leftovers.sort();
        assert_eq!(leftovers, [".public.paralelo-spare", "public"]);
    }

    /// A full build of `files` into `out`; `CNAME` is the user's.
    fn full_build(out: &Path, files: &[(&str, &str)]) -> Result<()> {
        let staging = Staging::new(out, &[], false)?;
        for (path, text) in files {
            staging.write(path, text.as_bytes())?;
        }
        staging.commit(&|path, _| path != "CNAME")
    }

    fn tree(dir: &Path) -> Vec<(String, String)> {
        let mut files: Vec<_> = files_under(dir, "read")
            .unwrap()
            .into_iter()
            .map(|(name, path)| (name, fs::read_to_string(path).unwrap()))
            .collect();
        files.sort();
        files
    }

    #[cfg(target_os = "linux")]
    fn inode(path: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        fs::symlink_metadata(path).unwrap().ino()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_rebuild_writes_into_the_swapped_out_tree_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let spare = dir.path().join(".public.paralelo-spare");
        full_build(&out, &[("a/index.html", "a1"), ("old/index.html", "o1")]).unwrap();
        let first = inode(&out.join("a/index.html"));
        fs::write(out.join("CNAME"), "example.org").unwrap();
        full_build(&out, &[("a/index.html", "a2"), ("b/index.html", "b2")]).unwrap();
        // The old output is the spare, without the user's file, which is the output's alone.
        assert_eq!(inode(&spare.join("a/index.html")), first);
        assert!(!spare.join("CNAME").exists());
        let longer = "a3, longer than before";
        full_build(&out, &[("a/index.html", longer), ("c/index.html", "c3")]).unwrap();
        // The same file, rewritten in place: no new inode.
        assert_eq!(inode(&out.join("a/index.html")), first);
        assert_eq!(
            tree(&out),
            [
                (OUTPUT_MARKER.to_string(), tree(&spare)[0].1.clone()),
                ("CNAME".into(), "example.org".into()),
                ("a/index.html".into(), longer.into()),
                ("c/index.html".into(), "c3".into()),
            ]
        );
        // Nothing of the spare's own is left: neither `old/` nor its folder.
        assert!(!out.join("old").exists());
        full_build(&out, &[("a/index.html", "a4")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "a4");
        assert!(!out.join("b").exists() && !out.join("c").exists());
        assert_eq!(
            fs::read_to_string(out.join("CNAME")).unwrap(),
            "example.org"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_tampered_spare_never_reaches_the_output_nor_writes_outside() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let spare = dir.path().join(".public.paralelo-spare");
        let files = [
            ("index.html", "index"),
            ("a/index.html", "a"),
            ("b/index.html", "b"),
            ("c/index.html", "c"),
            ("d", "d"),
            ("e/index.html", "e"),
        ];
        full_build(&out, &files).unwrap();
        full_build(&out, &files).unwrap();
        assert!(spare.join(OUTPUT_MARKER).is_file());
        let outside = dir.path().join("outside");
        fs::create_dir(&outside).unwrap();
        let victim = outside.join("victim.html");
        let linked = outside.join("linked.html");
        fs::write(&victim, "precious").unwrap();
        fs::write(&linked, "precious too").unwrap();
        // A file paralelo did not write, links to files and a folder outside, a hard link to a
        // file outside, a file where a folder goes, a folder where a file goes, and a journal
        // that would move a file in.
        fs::write(spare.join("evil.html"), "evil").unwrap();
        fs::remove_file(spare.join("index.html")).unwrap();
        std::os::unix::fs::symlink(&victim, spare.join("index.html")).unwrap();
        fs::remove_dir_all(spare.join("a")).unwrap();
        std::os::unix::fs::symlink(&outside, spare.join("a")).unwrap();
        fs::remove_file(spare.join("b/index.html")).unwrap();
        fs::hard_link(&linked, spare.join("b/index.html")).unwrap();
        fs::remove_dir_all(spare.join("c")).unwrap();
        fs::write(spare.join("c"), "a file").unwrap();
        fs::remove_file(spare.join("d")).unwrap();
        fs::create_dir_all(spare.join("d/deep")).unwrap();
        fs::write(spare.join("e/evil.html"), "evil").unwrap();
        fs::write(spare.join(JOURNAL), "m\tevil.html\nend\n").unwrap();
        let new: Vec<(&str, &str)> = files.iter().map(|(p, _)| (*p, "new")).collect();
        full_build(&out, &new).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(fs::read_to_string(&linked).unwrap(), "precious too");
        assert_eq!(
            fs::read_dir(&outside).unwrap().count(),
            2,
            "nothing written outside"
        );
        let mut expected: Vec<(String, String)> = new
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        expected.push((OUTPUT_MARKER.into(), tree(&out)[0].1.clone()));
        expected.sort();
        assert_eq!(tree(&out), expected);
        assert!(
            fs::symlink_metadata(out.join("a")).unwrap().is_dir(),
            "a real folder, not the link"
        );
    }

    #[test]
    fn a_build_killed_while_writing_into_the_spare_leaves_the_old_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        full_build(&out, &[("a/index.html", "a1"), ("b/index.html", "b1")]).unwrap();
        full_build(&out, &[("a/index.html", "a2"), ("b/index.html", "b2")]).unwrap();
        let old = tree(&out);
        // Killed halfway: a file rewritten in the spare, the other not, no commit.
        let staging = Staging::new(&out, &[], false).unwrap();
        staging.write("a/index.html", b"a3").unwrap();
        std::mem::forget(staging);
        assert_eq!(tree(&out), old);
        clear_leftovers(&out).unwrap();
        assert_eq!(tree(&out), old);
        assert!(!staging_dir(&out).exists());
        // The next build takes the half-written tree and makes a whole site of it.
        full_build(&out, &[("a/index.html", "a4"), ("c/index.html", "c4")]).unwrap();
        let files: Vec<String> = tree(&out).into_iter().map(|(p, _)| p).collect();
        assert_eq!(files, [OUTPUT_MARKER, "a/index.html", "c/index.html"]);
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "a4");
    }

    #[test]
    fn a_user_file_the_build_would_overwrite_stops_it_even_from_the_spare() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        full_build(&out, &[("index.html", "1")]).unwrap();
        fs::write(out.join("CNAME"), "mine").unwrap();
        full_build(&out, &[("index.html", "2")]).unwrap();
        full_build(&out, &[("index.html", "3")]).unwrap();
        // The user's file is the output's alone: no link to it is left in the spare, where
        // writing in place would change it.
        let err = full_build(&out, &[("index.html", "4"), ("CNAME", "theirs")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not paralelo's"), "{err}");
        assert_eq!(fs::read_to_string(out.join("CNAME")).unwrap(), "mine");
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "3");
    }

    #[test]
    fn a_commit_cut_short_is_finished_by_the_next_build() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(out.join("a")).unwrap();
        for (file, text) in [
            ("a/index.html", "old a"),
            ("index.html", "index"),
            ("gone.html", "gone"),
        ] {
            fs::write(out.join(file), text).unwrap();
        }
        let read = |file: &str| fs::read_to_string(out.join(file)).unwrap();
        let transaction = Transaction::new(&out).unwrap();
        transaction.write("a/index.html", b"new a").unwrap();
        transaction.write("index.html", b"index").unwrap();
        transaction.write("b/index.html", b"new b").unwrap();
        transaction.remove("gone.html");
        assert_eq!(read("a/index.html"), "old a");
        assert!(!out.join("b").exists());

        // Killed after the journal and one move: the output is half new until paralelo runs.
        assert!(transaction.write_journal().unwrap());
        let staging = staging_dir(&out);
        fs::rename(staging.join("a/index.html"), out.join("a/index.html")).unwrap();
        std::mem::forget(transaction);
        clear_leftovers(&out).unwrap();
        assert_eq!(read("a/index.html"), "new a");
        assert_eq!(read("b/index.html"), "new b");
        assert_eq!(read("index.html"), "index");
        assert!(!out.join("gone.html").exists() && !staging.exists());

        // Killed before the journal: nothing changed, and the staged files go.
        let transaction = Transaction::new(&out).unwrap();
        transaction.write("index.html", b"newer").unwrap();
        std::mem::forget(transaction);
        clear_leftovers(&out).unwrap();
        assert_eq!(read("index.html"), "index");
        assert!(!staging.exists());

        // Killed before the staging folder was marked, or after its marker was removed: an
        // empty folder is cleared; one with someone's files in it is left alone.
        fs::create_dir(&staging).unwrap();
        clear_leftovers(&out).unwrap();
        assert!(!staging.exists());
        fs::create_dir(&staging).unwrap();
        fs::write(staging.join("notes.txt"), "mine").unwrap();
        let err = clear_leftovers(&out).unwrap_err().to_string();
        assert!(err.contains("was not made by paralelo"), "{err}");
        assert_eq!(
            fs::read_to_string(staging.join("notes.txt")).unwrap(),
            "mine"
        );
    }
}
