//! Images of Apertium's compiled files as this reader holds them, kept in the build's state
//! folder: a later build reads its tables back in one go instead of parsing the file again.
//!
//! An image is `MAGIC`, then a key (u32 length, bytes) naming this program and the file it was
//! made from (path, size, modification time, inode), then the tables, each a count (u64) and
//! its items, little-endian. An image whose key is not the file's as it is now, or that does not
//! read back whole, is not used: the file is parsed and its image written again. Writing is best
//! effort (temporary file, then rename); a build that cannot write one parses next time too.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Bumped whenever what an image holds changes.
const MAGIC: &[u8] = b"paralelo apertium image 1\n";

/// Where images are kept and the program's identity, once a build said so.
static STORE: Mutex<Option<(PathBuf, String)>> = Mutex::new(None);

/// Keeps the images of the files loaded from now on in `dir` (the state folder's `apertium`),
/// for the program `program` (its version and the executable's identity).
pub fn keep_in(dir: &Path, program: &str) {
    if let Ok(mut store) = STORE.lock() {
        *store = Some((dir.to_path_buf(), program.to_string()));
    }
}

/// The image of one compiled file: where it is kept and what names the file as it is now.
pub(crate) struct Image {
    path: PathBuf,
    key: Vec<u8>,
}

impl Image {
    /// The image of `source`, if images are kept and the file's identity can be read.
    pub(crate) fn of(source: &Path) -> Option<Image> {
        let (dir, program) = STORE.lock().ok()?.clone()?;
        Image::in_dir(&dir, &program, source)
    }

    fn in_dir(dir: &Path, program: &str, source: &Path) -> Option<Image> {
        let meta = std::fs::metadata(source).ok()?;
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        let key = format!(
            "{program}\n{}\n{} {modified} {inode}",
            source.display(),
            meta.len()
        );
        let name = source.file_name()?.to_string_lossy();
        Some(Image {
            path: dir.join(format!("{name}.image")),
            key: key.into_bytes(),
        })
    }

    /// What `decode` reads from the image's tables, if the image is there, was made from the
    /// file as it is now, and `decode` reads it whole. The file is read piece by piece into the
    /// tables, never whole into memory beside them.
    pub(crate) fn read<T>(&self, decode: impl FnOnce(&mut Reader) -> Option<T>) -> Option<T> {
        let file = std::fs::File::open(&self.path).ok()?;
        let len = file.metadata().ok()?.len();
        let mut file = std::io::BufReader::with_capacity(1 << 16, file);
        let mut reader = Reader::new(&mut file, len);
        if reader.take(MAGIC.len())? != MAGIC {
            return None;
        }
        let len = u32::get(&reader.take(4)?) as usize;
        if reader.take(len)? != self.key {
            return None;
        }
        let decoded = decode(&mut reader)?;
        reader.done().then_some(decoded)
    }

    /// Writes the image with the tables `tables`; nothing on failure.
    pub(crate) fn write(&self, tables: &[u8]) {
        let mut bytes = Vec::with_capacity(MAGIC.len() + 4 + self.key.len() + tables.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&(self.key.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&self.key);
        bytes.extend_from_slice(tables);
        let Some(dir) = self.path.parent() else {
            return;
        };
        // Unique to this process and call: two threads may load the same file.
        static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let temporary = self
            .path
            .with_extension(format!("new-{}-{n}", std::process::id()));
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&temporary, &bytes))
            .and_then(|()| std::fs::rename(&temporary, &self.path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
    }
}

/// A value a table holds: a fixed number of little-endian bytes.
pub(crate) trait Plain: Sized {
    const SIZE: usize;
    fn put(&self, out: &mut Vec<u8>);
    fn get(bytes: &[u8]) -> Self;
}

macro_rules! plain_number {
    ($($t:ty),*) => {$(
        impl Plain for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn put(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(bytes: &[u8]) -> Self {
                <$t>::from_le_bytes(bytes.try_into().unwrap_or_default())
            }
        }
    )*};
}

plain_number!(u8, u32, i32, u64, f64);

impl<A: Plain, B: Plain> Plain for (A, B) {
    const SIZE: usize = A::SIZE + B::SIZE;
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
        self.1.put(out);
    }
    fn get(bytes: &[u8]) -> Self {
        (A::get(&bytes[..A::SIZE]), B::get(&bytes[A::SIZE..]))
    }
}

/// Appends a table: its count, then its items.
pub(crate) fn put_table<T: Plain>(out: &mut Vec<u8>, items: &[T]) {
    out.reserve(8 + items.len() * T::SIZE);
    (items.len() as u64).put(out);
    for item in items {
        item.put(out);
    }
}

/// Reads back the tables [`put_table`] wrote, from `len` bytes of a source.
pub(crate) struct Reader<'a> {
    source: &'a mut dyn std::io::Read,
    /// The bytes not yet read.
    left: u64,
    buffer: Vec<u8>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(source: &'a mut dyn std::io::Read, len: u64) -> Reader<'a> {
        Reader {
            source,
            left: len,
            buffer: Vec::new(),
        }
    }

    /// The next `len` bytes, if there are that many.
    fn take(&mut self, len: usize) -> Option<Vec<u8>> {
        let mut bytes = vec![0; len];
        self.fill(&mut bytes)?;
        Some(bytes)
    }

    fn fill(&mut self, into: &mut [u8]) -> Option<()> {
        self.left = self.left.checked_sub(into.len() as u64)?;
        self.source.read_exact(into).ok()
    }

    pub(crate) fn table<T: Plain>(&mut self) -> Option<Vec<T>> {
        let count = u64::get(&self.take(8)?);
        if count.checked_mul(T::SIZE as u64)? > self.left {
            return None;
        }
        let count = count as usize;
        let mut items = Vec::with_capacity(count);
        let mut buffer = std::mem::take(&mut self.buffer);
        let per_piece = ((1 << 16) / T::SIZE).max(1);
        while items.len() < count {
            let n = (count - items.len()).min(per_piece);
            buffer.resize(n * T::SIZE, 0);
            self.fill(&mut buffer)?;
            items.extend(buffer.chunks_exact(T::SIZE).map(T::get));
        }
        self.buffer = buffer;
        Some(items)
    }

    /// Whether every byte was read.
    pub(crate) fn done(&self) -> bool {
        self.left == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_round_trip_and_a_table_cut_short_is_refused() {
        let mut out = Vec::new();
        put_table(&mut out, &[1u32, u32::MAX]);
        put_table(&mut out, &[(-3i32, 2.5f64)]);
        put_table::<u8>(&mut out, &[]);
        let mut source = out.as_slice();
        let mut reader = Reader::new(&mut source, out.len() as u64);
        assert_eq!(reader.table::<u32>(), Some(vec![1, u32::MAX]));
        assert_eq!(reader.table::<(i32, f64)>(), Some(vec![(-3, 2.5)]));
        assert_eq!(reader.table::<u8>(), Some(vec![]));
        assert!(reader.done());
        let mut source = &out[..out.len() - 9];
        let mut reader = Reader::new(&mut source, out.len() as u64 - 9);
        assert!(reader.table::<u32>().is_some());
        assert_eq!(reader.table::<(i32, f64)>(), None);
        // A count larger than the bytes left allocates nothing.
        let mut huge = Vec::new();
        (u64::MAX / 2).put(&mut huge);
        let mut source = huge.as_slice();
        assert_eq!(Reader::new(&mut source, 8).table::<u32>(), None);
        // Many pieces.
        let long: Vec<u64> = (0..100_000).collect();
        let mut out = Vec::new();
        put_table(&mut out, &long);
        let mut source = out.as_slice();
        assert_eq!(
            Reader::new(&mut source, out.len() as u64).table::<u64>(),
            Some(long)
        );
    }

    #[test]
    fn an_image_is_used_only_for_the_file_and_program_it_was_made_from() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("x.bin");
        std::fs::write(&source, b"compiled").unwrap();
        let images = dir.path().join("images");
        let image = Image::in_dir(&images, "v1", &source).unwrap();
        let read = |image: &Image| image.read(|r| r.table::<u8>());
        assert_eq!(read(&image), None, "none yet");
        let mut tables = Vec::new();
        put_table(&mut tables, b"tables");
        image.write(&tables);
        assert_eq!(read(&image), Some(b"tables".to_vec()));
        assert_eq!(image.read(|_| Some(())), None, "not read whole");
        let other_program = Image::in_dir(&images, "v2", &source).unwrap();
        assert_eq!(read(&other_program), None);
        std::fs::write(&source, b"compiled again").unwrap();
        let changed = Image::in_dir(&images, "v1", &source).unwrap();
        assert_eq!(read(&changed), None, "the file changed size");
        // Another version's image, or one cut within its key, is not used.
        let written = std::fs::read(&image.path).unwrap();
        let mut older = written.clone();
        older[MAGIC.len() - 2] = b'0';
        std::fs::write(&image.path, older).unwrap();
        assert_eq!(read(&image), None);
        std::fs::write(&image.path, &written[..MAGIC.len() + 6]).unwrap();
        assert_eq!(read(&image), None);
        std::fs::write(&image.path, &written[..written.len() - 1]).unwrap();
        assert_eq!(read(&image), None, "cut within its tables");
        // Nowhere to write: nothing written, no error.
        std::fs::write(dir.path().join("file"), b"").unwrap();
        let nowhere = Image::in_dir(&dir.path().join("file"), "v1", &source).unwrap();
        nowhere.write(&tables);
        assert_eq!(read(&nowhere), None);
    }
}
