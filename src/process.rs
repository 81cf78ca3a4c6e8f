//! Long-lived programs driven in null-flush mode (Apertium's tools), for the glosser and the
//! translator alike.
//!
//! A [`Pipeline`] is one program or several chained by pipes, started directly (no shell of its
//! own) in a process group of their own. Every request ends in `\0`; each program flushes and
//! passes the `\0` on, so every answer comes back on its own, ending in `\0`, while the programs
//! stay up for the next request. There is a thread on each end: the writer, so that a program
//! busy with an earlier request (or stuck) cannot block the caller in `write`, where no timeout
//! could fire; the reader, so that the last program never blocks on a full stdout; and one per
//! program keeping the end of what it says on stderr, which explains a failure.
//!
//! Any failure (no answer for the timeout, the output ended, an error reading it) stops the
//! pipeline: its process group is killed and its programs reaped, and every later request fails,
//! since the pipes may be out of step. Dropping it closes the programs' input, gives them a grace
//! period to exit, and kills the group if they have not.

use std::convert::Infallible;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How much of the programs' stderr is kept.
const STDERR_TAIL: usize = 2000;

/// How long programs whose output ended may take to exit, so that how they ended can be told.
const EXIT_REPORT: Duration = Duration::from_secs(1);

/// How long, once the programs are gone, to wait for the last of what they wrote to stderr.
const STDERR_WAIT: Duration = Duration::from_secs(1);

/// Why a pipeline did not answer. The messages say what happened to "it", the pipeline, for a
/// caller to put after its own name for it.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ProcessError {
    /// `program` could not be started (its `source` is `NotFound` when it is not installed).
    #[error("`{program}` could not be started: {source}")]
    Spawn {
        program: String,
        #[source]
        source: io::Error,
    },
    /// No answer came for `timeout`; the pipeline was killed.
    #[error("it sent nothing back for {} s and was stopped", timeout.as_secs_f32())]
    TimedOut { timeout: Duration },
    /// The pipeline's output ended before every answer came: it exited. `status` is how, when it
    /// did so on its own (as `bash -o pipefail` would say: the last program that failed, else
    /// the last one); `stderr` is the end of what its programs said there, trimmed.
    #[error("{}{}", ended(status), if stderr.is_empty() { String::new() } else { format!(": {stderr}") })]
    Exited {
        status: Option<ExitStatus>,
        stderr: String,
    },
    /// The pipeline was stopped by an earlier failure.
    #[error("it was stopped after an earlier error")]
    Stopped,
    /// Setting up or reading the pipes failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

fn ended(status: &Option<ExitStatus>) -> String {
    status.map_or_else(
        || "it stopped answering".to_string(),
        |status| format!("it ended ({status})"),
    )
}

/// Programs chained by pipes, answering one request at a time; see the module's documentation.
pub(crate) struct Pipeline {
    /// The programs in pipeline order, until they are reaped. The first one leads the group.
    children: Vec<Child>,
    /// Requests to write; `None` once the pipeline was stopped.
    input: Option<Sender<Vec<u8>>>,
    /// Each answer, without its `\0`.
    output: Receiver<io::Result<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    /// Disconnected once every stderr thread has read to the end.
    stderr_done: Receiver<Infallible>,
    /// How long to wait for each answer.
    timeout: Duration,
    /// How long the programs may take to exit when the pipeline is dropped.
    exit_grace: Duration,
}

impl Pipeline {
    /// Starts `commands` (set up with their programs and arguments; their stdio is taken over)
    /// chained by pipes, in one new process group. `timeout` bounds the wait for each answer,
    /// `exit_grace` the wait for the programs to exit when the pipeline is dropped.
    pub(crate) fn spawn(
        commands: impl IntoIterator<Item = Command>,
        timeout: Duration,
        exit_grace: Duration,
    ) -> Result<Pipeline, ProcessError> {
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (stderr_running, stderr_done) = mpsc::channel();
        let mut children: Vec<Child> = Vec::new();
        let mut stdin = None;
        let mut upstream: Option<ChildStdout> = None;
        for mut command in commands {
            let from = upstream.take().map_or_else(Stdio::piped, Stdio::from);
            command
                .stdin(from)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            #[cfg(unix)]
            {
                use std::os::unix::process::CommandExt;
                // 0: a new group, led by the first program; the others join it.
                let leader = children.first().map_or(0, Child::id);
                command.process_group(i32::try_from(leader).unwrap_or(0));
            }
            let mut child = match command.spawn() {
                Ok(child) => child,
                Err(source) => {
                    kill_all(&mut children);
                    return Err(ProcessError::Spawn {
                        program: command.get_program().to_string_lossy().into_owned(),
                        source,
                    });
                }
            };
            stdin = stdin.or_else(|| child.stdin.take());
            upstream = child.stdout.take();
            if let Some(errors) = child.stderr.take() {
                keep_stderr_tail(errors, Arc::clone(&stderr), stderr_running.clone());
            }
            children.push(child);
        }
        let (Some(stdin), Some(stdout)) = (stdin, upstream) else {
            kill_all(&mut children);
            return Err(io::Error::other("the pipes were not set up").into());
        };
        Ok(Pipeline {
            children,
            input: Some(spawn_writer(stdin)),
            output: spawn_reader(stdout),
            stderr,
            stderr_done,
            timeout,
            exit_grace,
        })
    }

    /// Sends one request (ending in `\0`) and waits for its answer; see [`Pipeline::exchange`].
    pub(crate) fn request(&mut self, request: Vec<u8>) -> Result<Vec<u8>, ProcessError> {
        let answers = self.exchange(vec![request])?;
        Ok(answers.into_iter().next().unwrap_or_default())
    }

    /// Sends every request (each ending in `\0`), then collects one answer per request, in
    /// order, without its `\0`. The timeout bounds the wait for each answer, so a long batch is
    /// fine as long as the programs keep answering. On failure the pipeline is stopped.
    pub(crate) fn exchange(
        &mut self,
        requests: Vec<Vec<u8>>,
    ) -> Result<Vec<Vec<u8>>, ProcessError> {
        let Some(input) = &self.input else {
            return Err(ProcessError::Stopped);
        };
        let count = requests.len();
        let mut answers = Vec::with_capacity(count);
        let failure = 'exchange: {
            for request in requests {
                if input.send(request).is_err() {
                    // The writer stopped, because the programs did.
                    break 'exchange RecvTimeoutError::Disconnected;
                }
            }
            while answers.len() < count {
                match self.output.recv_timeout(self.timeout) {
                    Ok(Ok(answer)) => answers.push(answer),
                    Ok(Err(error)) => {
                        self.stop_now();
                        return Err(ProcessError::Io(error));
                    }
                    Err(failure) => break 'exchange failure,
                }
            }
            return Ok(answers);
        };
        Err(match failure {
            RecvTimeoutError::Timeout => {
                self.stop_now();
                ProcessError::TimedOut {
                    timeout: self.timeout,
                }
            }
            RecvTimeoutError::Disconnected => {
                // The programs are exiting on their own: give them a moment, to tell how.
                let status = self.shut_down(EXIT_REPORT);
                ProcessError::Exited {
                    status,
                    stderr: self.stderr_tail(),
                }
            }
        })
    }

    /// Kills the programs and reaps them; later requests fail with [`ProcessError::Stopped`].
    pub(crate) fn stop_now(&mut self) {
        self.shut_down(Duration::ZERO);
    }

    /// The process id of the first program, which is also its process group's id; `None` once
    /// the programs were reaped.
    #[cfg(test)]
    pub(crate) fn id(&self) -> Option<u32> {
        self.children.first().map(Child::id)
    }

    /// Closes the programs' input, which makes each exit in turn, and waits up to `grace` for
    /// them to; then kills the group, and reaps every program either way. Returns how the
    /// pipeline exited when it did so on its own.
    fn shut_down(&mut self, grace: Duration) -> Option<ExitStatus> {
        self.input = None;
        let deadline = Instant::now() + grace;
        let mut statuses = vec![None; self.children.len()];
        loop {
            for (child, status) in self.children.iter_mut().zip(&mut statuses) {
                if status.is_none() {
                    *status = child.try_wait().ok().flatten();
                }
            }
            if statuses.iter().all(Option::is_some) {
                break;
            }
            if Instant::now() >= deadline {
                kill_all(&mut self.children);
                return None;
            }
            thread::sleep(Duration::from_millis(5));
        }
        self.children.clear();
        let failed = statuses.iter().rev().flatten().find(|s| !s.success());
        failed.or(statuses.last()?.as_ref()).copied()
    }

    /// The end of what the programs wrote to stderr, trimmed, once they have all exited.
    fn stderr_tail(&self) -> String {
        // Only sent nothing: it returns when every stderr thread is done, or at the timeout.
        let _ = self.stderr_done.recv_timeout(STDERR_WAIT);
        self.stderr
            .lock()
            .map(|kept| String::from_utf8_lossy(&kept).trim().to_string())
            .unwrap_or_default()
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        self.shut_down(self.exit_grace);
    }
}

/// Kills the programs' process group, then each program (in case one left the group), and reaps
/// them. The group's id cannot have been reused: a program not yet reaped still belongs to it.
fn kill_all(children: &mut Vec<Child>) {
    #[cfg(target_os = "linux")]
    if let Some(leader) = children.first() {
        use rustix::process::{Pid, Signal, kill_process_group};
        // It fails (ESRCH) only when the whole group has exited already.
        let _ = kill_process_group(Pid::from_child(leader), Signal::KILL);
    }
    for child in children.iter_mut() {
        // Both only fail when the child is already gone, which is what they are for.
        let _ = child.kill();
        let _ = child.wait();
    }
    children.clear();
}

/// Starts the thread that writes what is sent to the program's stdin. It ends when the sender is
/// dropped, which closes the program's stdin, or when the program stops reading.
fn spawn_writer(mut stdin: ChildStdin) -> Sender<Vec<u8>> {
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
fn spawn_reader(stdout: ChildStdout) -> Receiver<io::Result<Vec<u8>>> {
    let (answers, output) = mpsc::channel();
    thread::spawn(move || read_nul_separated(stdout, &answers));
    output
}

/// Starts the thread that keeps the last [`STDERR_TAIL`] bytes the program writes to stderr in
/// `kept`; it drops `running` when the program's stderr is closed.
fn keep_stderr_tail(
    mut stderr: ChildStderr,
    kept: Arc<Mutex<Vec<u8>>>,
    running: Sender<Infallible>,
) {
    thread::spawn(move || {
        let _running = running;
        let mut chunk = [0; 4096];
        while let Ok(n @ 1..) = stderr.read(&mut chunk) {
            if let Ok(mut kept) = kept.lock() {
                kept.extend_from_slice(&chunk[..n]);
                let excess = kept.len().saturating_sub(STDERR_TAIL);
                kept.drain(..excess);
            }
        }
    });
}

/// Splits a program's stdout at each `\0` and sends the pieces. It keeps reading after the
/// receiver is gone, so the program never blocks on a full pipe while it is being shut down.
fn read_nul_separated(stdout: ChildStdout, pieces: &Sender<io::Result<Vec<u8>>>) {
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Commands from their program and arguments.
    pub(crate) fn commands(lines: &[&[&str]]) -> Vec<Command> {
        lines
            .iter()
            .map(|args| {
                let mut command = Command::new(args[0]);
                command.args(&args[1..]);
                command
            })
            .collect()
    }

    fn pipeline(lines: &[&[&str]], timeout: Duration) -> Pipeline {
        match Pipeline::spawn(commands(lines), timeout, Duration::from_secs(2)) {
            Ok(pipeline) => pipeline,
            Err(e) => panic!("{e}"),
        }
    }

    /// Whether any process of the group `pgid` is still alive (Linux).
    pub(crate) fn group_alive(pgid: u32) -> bool {
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return false;
        };
        entries.flatten().any(|entry| {
            std::fs::read_to_string(entry.path().join("stat")).is_ok_and(|stat| {
                // pid (comm) state ppid pgrp …: the command may hold spaces, so count from `)`.
                let fields: Vec<&str> = stat
                    .rsplit(')')
                    .next()
                    .unwrap_or("")
                    .split_whitespace()
                    .collect();
                fields.get(2) == Some(&pgid.to_string().as_str()) && fields.first() != Some(&"Z")
            })
        })
    }

    #[test]
    fn requests_pass_through_every_program() {
        let mut echo = pipeline(&[&["cat"], &["cat"]], Duration::from_secs(10));
        for record in ["one\0", "two\0"] {
            let answer = echo.request(record.as_bytes().to_vec()).unwrap();
            assert_eq!(answer, record.trim_end_matches('\0').as_bytes());
        }
        let batch = echo
            .exchange(vec![b"a\0".to_vec(), b"\0".to_vec(), b"c\0".to_vec()])
            .unwrap();
        assert_eq!(batch, [&b"a"[..], b"", b"c"]);
    }

    #[test]
    fn a_hung_pipeline_times_out_is_killed_whole_and_stays_stopped() {
        let mut hung = pipeline(&[&["cat"], &["sleep", "60"]], Duration::from_millis(200));
        let leader = hung.id().unwrap();
        let started = Instant::now();
        let error = hung.request(b"x\0".to_vec()).unwrap_err();
        assert!(matches!(error, ProcessError::TimedOut { .. }), "{error}");
        assert_eq!(
            error.to_string(),
            "it sent nothing back for 0.2 s and was stopped"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(hung.children.is_empty(), "killed and reaped");
        if cfg!(target_os = "linux") {
            assert!(!group_alive(leader), "group {leader} still running");
        }
        let again = hung.request(b"x\0".to_vec()).unwrap_err();
        assert!(matches!(again, ProcessError::Stopped), "{again}");
    }

    #[test]
    fn an_exited_pipeline_tells_how_with_its_stderr() {
        let mut dead = pipeline(
            &[&["sh", "-c", "echo 'bad data file' >&2; exit 3"]],
            Duration::from_secs(10),
        );
        let error = dead.request(b"x\0".to_vec()).unwrap_err();
        assert!(
            matches!(&error, ProcessError::Exited { status: Some(s), stderr }
                if s.code() == Some(3) && stderr == "bad data file"),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "it ended (exit status: 3): bad data file"
        );
        // The last program that failed tells how the pipeline ended, as with `pipefail`.
        let mut chain = pipeline(
            &[&["sh", "-c", "exit 4"], &["sh", "-c", "cat; exit 0"]],
            Duration::from_secs(10),
        );
        let error = chain.request(b"x\0".to_vec()).unwrap_err();
        assert!(error.to_string().starts_with("it ended (exit status: 4)"));
    }

    #[test]
    fn dropping_a_pipeline_ends_its_programs() {
        let echo = pipeline(&[&["cat"], &["cat"]], Duration::from_secs(10));
        let leader = echo.id().unwrap();
        drop(echo);
        if cfg!(target_os = "linux") {
            assert!(!group_alive(leader));
        }
        // One that ignores the end of its input is killed after the grace period.
        let sleep = commands(&[&["sleep", "60"]]);
        let stuck =
            Pipeline::spawn(sleep, Duration::from_secs(1), Duration::from_millis(100)).unwrap();
        let leader = stuck.id().unwrap();
        let started = Instant::now();
        drop(stuck);
        assert!(started.elapsed() < Duration::from_secs(5));
        if cfg!(target_os = "linux") {
            assert!(!group_alive(leader));
        }
    }

    #[test]
    fn a_missing_program_is_a_spawn_error() {
        let commands = [
            Command::new("cat"),
            Command::new("paralelo-no-such-program"),
        ];
        let error = Pipeline::spawn(commands, Duration::from_secs(1), Duration::ZERO)
            .err()
            .unwrap();
        assert!(
            matches!(&error, ProcessError::Spawn { program, source }
                if program == "paralelo-no-such-program" && source.kind() == io::ErrorKind::NotFound),
            "{error:?}"
        );
        assert!(
            Pipeline::spawn(std::iter::empty(), Duration::from_secs(1), Duration::ZERO).is_err()
        );
    }
}
