//! Bytes a build makes for its state and reads again only now and then, kept in a file while it
//! runs rather than in memory: the gloss cache's new paragraphs were some 65 MB at 10,000
//! articles, held from their analysis until the save at the end.
//!
//! The file is made in the folder given, unlinked at once where the system allows it (so that a
//! build that stops leaves nothing behind), else removed when the spill is dropped. Where it
//! cannot be made or written, the bytes stay in memory: slower to hold, never lost.

use std::fs::File;
use std::io::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Bytes written to the file at once.
const FLUSH_AT: usize = 1 << 20;

/// Appended bytes, each piece read back by the place [`Spill::push`] gave.
#[derive(Default)]
pub(super) struct Spill(Mutex<Inner>);

#[derive(Default)]
struct Inner {
    file: Option<SpillFile>,
    /// Whether the file was tried (made once, on the first flush).
    tried: bool,
    /// A write failed: the file keeps what it had, and nothing more goes to it.
    stopped: bool,
    /// Bytes in the file; the buffer's bytes come after them.
    written: u64,
    buffer: Vec<u8>,
}

struct SpillFile {
    file: File,
    /// Where it is, when it could not be unlinked while open.
    path: Option<PathBuf>,
}

impl Drop for SpillFile {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Spill {
    /// Appends `bytes`, giving where they are; the file is made in `dir` when the first
    /// megabyte is written.
    pub(super) fn push(&self, dir: &Path, bytes: &[u8]) -> Range<u64> {
        let mut inner = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let start = inner.written + inner.buffer.len() as u64;
        inner.buffer.extend_from_slice(bytes);
        if inner.buffer.len() >= FLUSH_AT {
            inner.flush(dir);
        }
        start..start + bytes.len() as u64
    }

    /// The bytes at `place`; `None` if the file does not give them back.
    pub(super) fn read(&self, place: Range<u64>) -> Option<Vec<u8>> {
        let inner = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if place.start >= inner.written {
            let start = usize::try_from(place.start - inner.written).ok()?;
            let end = usize::try_from(place.end - inner.written).ok()?;
            return inner.buffer.get(start..end).map(<[u8]>::to_vec);
        }
        let mut bytes = vec![0; usize::try_from(place.end - place.start).ok()?];
        read_at(&inner.file.as_ref()?.file, &mut bytes, place.start).ok()?;
        Some(bytes)
    }
}

impl Inner {
    /// Moves the buffer to the file; keeps it in memory if there is no file.
    fn flush(&mut self, dir: &Path) {
        if !self.tried {
            self.tried = true;
            self.file = create(dir).ok();
        }
        let Some(file) = self.file.as_mut().filter(|_| !self.stopped) else {
            return;
        };
        if file.file.write_all(&self.buffer).is_ok() {
            self.written += self.buffer.len() as u64;
            self.buffer.clear();
        } else {
            // What the failed write left in the file is past `written`, never read; the
            // buffer's bytes, and all that come after, stay in memory.
            self.stopped = true;
        }
    }
}

fn create(dir: &Path) -> std::io::Result<SpillFile> {
    static MADE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    std::fs::create_dir_all(dir)?;
    let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = dir.join(format!("spill-{}-{n}", std::process::id()));
    let file = File::options()
        .read(true)
        .append(true)
        .create_new(true)
        .open(&path)?;
    let path = if cfg!(unix) && std::fs::remove_file(&path).is_ok() {
        None
    } else {
        Some(path)
    };
    Ok(SpillFile { file, path })
}

#[cfg(unix)]
fn read_at(file: &File, bytes: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

/// Elsewhere by seeking (the file is opened to append, so writes still go to its end).
#[cfg(not(unix))]
fn read_at(mut file: &File, bytes: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_read_back_from_the_buffer_and_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::default();
        let small = spill.push(dir.path(), b"abc");
        assert_eq!(spill.read(small.clone()).unwrap(), b"abc");
        // Past a megabyte the buffer goes to the file, which leaves no name in the folder.
        let large: Vec<u8> = (0..FLUSH_AT + 10).map(|i| (i % 251) as u8).collect();
        let place = spill.push(dir.path(), &large);
        let after = spill.push(dir.path(), b"xyz");
        assert_eq!(spill.read(small).unwrap(), b"abc");
        assert_eq!(spill.read(place).unwrap(), large);
        assert_eq!(spill.read(after.clone()).unwrap(), b"xyz");
        assert_eq!(after.start, 3 + large.len() as u64);
        assert!(spill.0.lock().unwrap().written > 0);
        #[cfg(unix)]
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn without_a_folder_the_bytes_stay_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let blocked = dir.path().join("file");
        std::fs::write(&blocked, "not a folder").unwrap();
        let spill = Spill::default();
        let large = vec![7u8; FLUSH_AT + 1];
        let place = spill.push(&blocked.join("cache"), &large);
        assert_eq!(spill.read(place).unwrap(), large);
        assert_eq!(spill.0.lock().unwrap().written, 0);
    }
}
