//! Talking to long-lived programs in null-flush mode (Apertium's tools): requests go to the
//! program's stdin from a thread of their own, each answer ends in `\0` and is read off its
//! stdout by another, and the end of what it says on stderr is kept to explain a failure.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{ChildStderr, ChildStdin, ChildStdout};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

/// How much of a program's stderr is kept.
pub const STDERR_TAIL: usize = 2000;

/// Starts the thread that writes what is sent to the program's stdin, so that a program busy
/// with an earlier request never blocks the caller. It ends when the sender is dropped or the
/// program stops reading.
pub fn spawn_writer(mut stdin: ChildStdin) -> Sender<Vec<u8>> {
    let (input, to_write) = mpsc::channel::<Vec<u8>>();
    thread::spawn(move || {
        for bytes in to_write {
            if stdin
                .write_all(&bytes)
                .and_then(|()| stdin.flush())
                .is_err()
            {
                break;
            }
        }
    });
    input
}

/// Starts the thread that reads the program's answers; see [`read_nul_separated`].
pub fn spawn_reader(stdout: ChildStdout) -> Receiver<io::Result<Vec<u8>>> {
    let (answers, output) = mpsc::channel();
    thread::spawn(move || read_nul_separated(stdout, &answers));
    output
}

/// Starts the thread that keeps the last [`STDERR_TAIL`] bytes the program writes to stderr
/// in `kept`.
pub fn keep_stderr_tail(mut stderr: ChildStderr, kept: Arc<Mutex<Vec<u8>>>) -> JoinHandle<()> {
    thread::spawn(move || {
        let mut chunk = [0; 4096];
        while let Ok(n @ 1..) = stderr.read(&mut chunk) {
            if let Ok(mut kept) = kept.lock() {
                kept.extend_from_slice(&chunk[..n]);
                let excess = kept.len().saturating_sub(STDERR_TAIL);
                kept.drain(..excess);
            }
        }
    })
}

/// Splits a program's stdout at each `\0` and sends the pieces. It keeps reading after the
/// receiver is gone, so the program never blocks on a full pipe while it is being shut down.
pub fn read_nul_separated(stdout: ChildStdout, pieces: &Sender<io::Result<Vec<u8>>>) {
    let mut reader = BufReader::with_capacity(64 * 1024, stdout);
    loop {
        let mut piece = Vec::new();
        match reader.read_until(0, &mut piece) {
            Ok(0) => return,
            Ok(_) => {
                // Without its `\0`, this is what was left when the program died: no answer.
                if piece.pop() != Some(0) {
                    return;
                }
                let _ = pieces.send(Ok(piece));
            }
            Err(error) => {
                let _ = pieces.send(Err(error));
                return;
            }
        }
    }
}
