//! The tree a full build swapped out, kept beside the output as the next full build's staging
//! folder and written into in place, so that rebuilding a large site neither makes nor frees
//! tens of thousands of inodes (ext4 makes each new one slowly after a large delete).
//!
//! The spare is never what readers see, and it is not trusted: taking it, a build removes
//! everything in it that is neither a folder nor a regular file; writing a file, it opens the
//! one there without following a link and rewrites it only if no other name shares it; and
//! before the swap it removes every file it did not write. So nothing in the spare that this
//! build did not write can end up in the output.

use std::collections::HashSet;
use std::fs;
use std::io::{ErrorKind, Seek, Write};
use std::path::{Path, PathBuf};

use super::{JOURNAL, OUTPUT_MARKER, beside, remove_marked, write_making_folder};
use crate::error::{Error, Result};

/// Where the tree a full build swapped out waits for the next full build.
pub(super) fn spare_dir(out: &Path) -> PathBuf {
    beside(out, "paralelo-spare")
}

/// What a taken spare held: its files and folders, by path inside it.
pub(super) struct Reused {
    files: HashSet<String>,
    dirs: HashSet<String>,
}

/// Takes the spare of `out`, if there is one of paralelo's, as the staging folder `dir` (which
/// is not there), and lists it. `None`: make a new staging folder.
pub(super) fn take(out: &Path, dir: &Path) -> Result<Option<Reused>> {
    if !cfg!(target_os = "linux") {
        return Ok(None);
    }
    let spare = spare_dir(out);
    let ours = fs::symlink_metadata(&spare).is_ok_and(|m| m.is_dir())
        && fs::symlink_metadata(spare.join(OUTPUT_MARKER)).is_ok_and(|m| m.is_file());
    if !ours {
        return Ok(None);
    }
    // A journal in the staging folder is finished by the next build: none may come in this way.
    match fs::remove_file(spare.join(JOURNAL)) {
        Err(e) if e.kind() != ErrorKind::NotFound => return Ok(None),
        _ => {}
    }
    if fs::rename(&spare, dir).is_err() {
        return Ok(None);
    }
    let mut reused = Reused {
        files: HashSet::new(),
        dirs: HashSet::new(),
    };
    list(dir, "", &mut reused).map_err(|e| Error::io(dir, "read the spare output", e))?;
    Ok(Some(reused))
}

/// Lists the folders and regular files under `dir/prefix` into `reused`, removing anything
/// else (a link, a FIFO…), which no build writes. Types come from the folder listing, without
/// a `stat` a file.
fn list(dir: &Path, prefix: &str, reused: &mut Reused) -> std::io::Result<()> {
    for entry in fs::read_dir(dir.join(prefix))? {
        let entry = entry?;
        let name = entry.file_name();
        let relative = match prefix {
            "" => name.to_string_lossy().into_owned(),
            _ => format!("{prefix}/{}", name.to_string_lossy()),
        };
        let kind = entry.file_type()?;
        if name.to_str().is_none() {
            // No build writes a name that is not UTF-8.
            if kind.is_dir() {
                fs::remove_dir_all(entry.path())?;
            } else {
                fs::remove_file(entry.path())?;
            }
        } else if kind.is_dir() {
            list(dir, &relative, reused)?;
            reused.dirs.insert(relative);
        } else if kind.is_file() {
            reused.files.insert(relative);
        } else {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

impl Reused {
    /// Writes `bytes` at `relative` inside the reused folder `dir`: into the file there when it
    /// is a regular file no other name shares (same inode, no new one), else a new file.
    pub(super) fn write(&self, dir: &Path, relative: &str, bytes: &[u8]) -> Result<()> {
        let path = dir.join(relative);
        self.clear_way(dir, relative)?;
        if self.files.contains(relative) {
            match overwrite(&path, bytes) {
                Ok(true) => return Ok(()),
                Ok(false) => remove_file(&path)?,
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&path, "write", e)),
            }
        }
        write_making_folder(&path, bytes)
    }

    /// Removes what the spare holds in the way of a file at `relative`: a folder of that name,
    /// or a file where one of its folders goes.
    fn clear_way(&self, dir: &Path, relative: &str) -> Result<()> {
        if self.dirs.contains(relative) {
            let path = dir.join(relative);
            match fs::remove_dir_all(&path) {
                Err(e) if e.kind() != ErrorKind::NotFound => {
                    return Err(Error::io(&path, "remove", e));
                }
                _ => {}
            }
        }
        let mut end = 0;
        while let Some(slash) = relative[end..].find('/') {
            end += slash;
            if self.files.contains(&relative[..end]) {
                remove_file(&dir.join(&relative[..end]))?;
            }
            end += 1;
        }
        Ok(())
    }

    /// Removes from the reused folder `dir` every file this build did not write (`written`)
    /// and every folder left holding none: what is left is this build's alone.
    pub(super) fn prune(
        &self,
        dir: &Path,
        written: &std::collections::BTreeSet<String>,
    ) -> Result<()> {
        // The folders of what was written: a file of the spare's by one of those names was
        // cleared out of their way already, as was a folder by the name of a written file.
        let mut needed = HashSet::new();
        for file in written {
            let mut end = file.len();
            while let Some(slash) = file[..end].rfind('/') {
                if !needed.insert(&file[..slash]) {
                    break;
                }
                end = slash;
            }
        }
        for file in &self.files {
            let ours = file == OUTPUT_MARKER || written.contains(file);
            if !ours && !needed.contains(file.as_str()) {
                remove_file(&dir.join(file))?;
            }
        }
        let mut gone: Vec<&String> = (self.dirs.iter())
            .filter(|d| !needed.contains(d.as_str()) && !written.contains(*d))
            .collect();
        // The deepest first, so that a folder is empty when its turn comes.
        gone.sort_by_key(|d| std::cmp::Reverse(d.matches('/').count()));
        for folder in gone {
            let path = dir.join(folder);
            match fs::remove_dir_all(&path) {
                // Gone with a folder above it that a written file took the place of.
                Err(e) if ![ErrorKind::NotFound, ErrorKind::NotADirectory].contains(&e.kind()) => {
                    return Err(Error::io(&path, "remove", e));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Rewrites the file at `path` with `bytes` if it is a regular file that no other name shares
/// (a hard link to it elsewhere would change too); `false` if it is not one. A file that holds
/// these very bytes already (a page a CSS change leaves as it was) is only stamped with the
/// time: no page is dirtied, nothing written back to the disk. Linux only, as the spare is
/// (the link-refusing open flag is taken from the system's own headers there).
#[cfg(target_os = "linux")]
fn overwrite(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    use std::io::Read;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let mut file = fs::File::options()
        .read(true)
        .write(true)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() || meta.nlink() != 1 {
        return Ok(false);
    }
    if meta.len() == bytes.len() as u64 {
        let mut there = Vec::with_capacity(bytes.len() + 1);
        (&mut file)
            .take(bytes.len() as u64 + 1)
            .read_to_end(&mut there)?;
        if there == bytes {
            // A full build's files are new to a reader's cache: they all carry its time.
            file.set_modified(std::time::SystemTime::now())?;
            return Ok(true);
        }
        file.rewind()?;
    }
    file.write_all(bytes)?;
    if meta.len() > bytes.len() as u64 {
        file.set_len(bytes.len() as u64)?;
    }
    Ok(true)
}

#[cfg(not(target_os = "linux"))]
fn overwrite(_: &Path, _: &[u8]) -> std::io::Result<bool> {
    Ok(false)
}

fn remove_file(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != ErrorKind::NotFound => Err(Error::io(path, "remove", e)),
        _ => Ok(()),
    }
}

/// Keeps the folder `dir` (paralelo's: a staging folder, or the output a swap put aside) as the
/// spare of `out`, or removes it where a spare is there already.
pub(super) fn keep(dir: &Path, out: &Path) -> std::io::Result<()> {
    if !cfg!(target_os = "linux") || fs::rename(dir, spare_dir(out)).is_err() {
        return match remove_marked(dir) {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    Ok(())
}
