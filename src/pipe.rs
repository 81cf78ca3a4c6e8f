//! Talking to long-lived programs in null-flush mode (Apertium's tools): each answer ends in
//! `\0`, read off the program's stdout by a thread of its own.

use std::io::{self, BufRead, BufReader};
use std::process::ChildStdout;
use std::sync::mpsc::Sender;

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
