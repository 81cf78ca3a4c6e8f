//! Machine-translates segments offline with one long-lived Apertium process, and turns what the
//! engine writes back into clean text that stays aligned 1-1 with its source.
//!
//! How the engine is driven, and why:
//!
//! * Null-flush mode. Every segment goes down the pipe terminated by `\0`; each program of the
//!   pipeline translates what it has, flushes and passes the `\0` on, so every segment comes back
//!   on its own, terminated by `\0`, while the process stays up for the next one. Alignment is 1-1
//!   by construction; a marker at the end of each segment (`[p<n>]`) proves it. The process is a
//!   [`crate::process::Pipeline`], which bounds the wait for each segment and kills the whole
//!   pipeline when it fails.
//! * The `apertium` wrapper script cannot be used for this. Its default `txt` formatter
//!   (`apertium-destxt`) swallows the NUL bytes, which is why `apertium -z spa-eng` returned no
//!   NULs; and with `-f none` its `gawk` filters split records on the regex `\0|\n`, so gawk
//!   waits for more input before it passes a segment on, and nothing comes back until stdin is
//!   closed. So the pipeline of the mode is run directly with `bash`, after
//!   `apertium-wblank-mode -z` has added `-z` to every program in it (and the word-bound blank
//!   filters), exactly as the wrapper would have.
//! * With no formatter, this module is the formatter: it escapes the stream's reserved characters
//!   (`^`, `*`, `#` and `~`, which some programs misread even escaped, travel as superblanks)
//!   and ends each segment with a superblank, because `lt-proc -z` drops a sentence's final
//!   punctuation when the NUL follows it directly.
//! * Quotation marks are not words to Apertium's analyser, so they travel as blanks, and the
//!   transfer rules reorder words across them (`el «coche» rojo` came back as `the «red» car`).
//!   Each mark therefore goes through as a superblank (which keeps its place in the stream), and
//!   the text between two marks as a run wrapped in a word-bound blank `[[q<run>]]…[[/]]`, which
//!   Apertium carries along with each word it reorders. A mark that ends up on the wrong side of a
//!   word is moved back next to the words of its quotation, as long as the marks stay in their
//!   original order, so a later step can still pair quotations 1-1.

use crate::record::StableHasher;
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::ops::{Range, RangeInclusive};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, UNIX_EPOCH};

use crate::lang::marks::{self, Role};
use crate::process::{Pipeline, ProcessError};

/// How long [`Apertium::translate`] waits for the next segment before it gives up on the engine.
#[cfg(test)]
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Part of the engine id: bump it whenever the clean-up below changes what it makes of the same
/// engine output, so that translations cached by an older clean-up are not reused.
const CLEANUP_VERSION: u32 = 2;

/// How long a process that was asked to stop (its stdin closed) may take before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(5);

/// One segment's translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    pub text: String,
    /// Byte ranges in `text` of words the engine did not know (kept in the original language).
    pub unknown: Vec<Range<usize>>,
}

/// Why no translation came back.
#[derive(Debug, thiserror::Error)]
pub enum MtError {
    /// Apertium, or the language pair for `mode`, is not installed; `hint` says what to install.
    #[error("machine translation {mode} is not available: {hint}")]
    NotInstalled { mode: String, hint: String },
    /// The engine exited, or answered out of step, in the middle of a translation.
    #[error("Apertium {mode} failed: {detail}")]
    Crashed { mode: String, detail: String },
    /// The engine sent nothing back for `timeout`; it was killed.
    #[error(
        "Apertium {mode} sent nothing back for {} s and was stopped",
        timeout.as_secs_f32()
    )]
    TimedOut { mode: String, timeout: Duration },
    #[error("talking to Apertium {mode}: {source}")]
    Io {
        mode: String,
        #[source]
        source: io::Error,
    },
}

/// A translation engine for one Apertium mode (`spa-eng`, `eng-spa`, `cat-spa` …).
///
/// [`Apertium::start`] checks the installation and identifies the engine; the process itself is
/// started by the first [`Apertium::translate`] that has something to translate (so a rebuild
/// served entirely from the cache never loads the dictionaries), and then serves every later
/// call. Dropping the value closes the process's input and waits for it (killing it if it does
/// not exit).
pub struct Apertium {
    mode: String,
    engine_id: String,
    timeout: Duration,
    /// The mode's pipeline, as `apertium-wblank-mode -z` wrote it.
    pipeline: String,
    /// `PATH` for the pipeline, with Apertium's own directory first, as the wrapper script has it.
    path: OsString,
    state: State,
    /// The number of the next segment's end marker.
    next_segment: u64,
}

enum State {
    NotStarted,
    /// Once a call fails the pipeline stops itself, and every later call fails too.
    Running(Pipeline),
    /// The process could not be started; every later call fails too.
    Stopped,
}

impl Apertium {
    /// Checks that Apertium and the language pair for `mode` are installed, where the `apertium`
    /// command found in `PATH` keeps its data (`$APERTIUM_DATADIR` if set, like the wrapper).
    /// `timeout` bounds how long a call waits for each segment's translation.
    pub fn start(mode: &str, timeout: Duration) -> Result<Apertium, MtError> {
        let wrapper = find_wrapper(mode)?;
        let data_dir = std::env::var_os("APERTIUM_DATADIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| default_data_dir(&wrapper));
        Self::start_with(&wrapper, &data_dir, mode, timeout)
    }

    /// Like [`Apertium::start`], with the modes and data in `data_dir` (which holds `modes/`).
    #[cfg(test)]
    pub fn start_in(data_dir: &Path, mode: &str, timeout: Duration) -> Result<Apertium, MtError> {
        let wrapper = find_wrapper(mode)?;
        Self::start_with(&wrapper, data_dir, mode, timeout)
    }

    fn start_with(
        wrapper: &Path,
        data_dir: &Path,
        mode: &str,
        timeout: Duration,
    ) -> Result<Apertium, MtError> {
        let not_installed = |hint: String| MtError::NotInstalled {
            mode: mode.to_string(),
            hint,
        };
        let mode_file = data_dir.join("modes").join(format!("{mode}.mode"));
        if !mode_file.is_file() {
            return Err(not_installed(format!(
                "there is no {}; install the language pair (Debian/Ubuntu: apt install {}; `apertium -l` lists the installed modes)",
                mode_file.display(),
                pair_package(mode)
            )));
        }
        let path = search_path(wrapper.parent().unwrap_or(Path::new("")));
        let Some(wblank_mode) = find_program("apertium-wblank-mode", &path) else {
            return Err(not_installed(
                "`apertium-wblank-mode` is missing: Apertium 3.8 or later is needed".to_string(),
            ));
        };
        let pipeline = run(
            &wblank_mode,
            [OsStr::new("-z"), mode_file.as_os_str()],
            &path,
        )
        .map_err(|e| {
            not_installed(format!(
                "`apertium-wblank-mode -z {}` failed ({e}); Apertium 3.8 or later is needed",
                mode_file.display()
            ))
        })?;
        // `-V` only echoes a string written into the script: it names the release for people,
        // while the fingerprint is what tells apart what was really installed.
        let version = run(wrapper, [OsStr::new("-V")], &path)
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|_| "Apertium".to_string());
        let package = package_version(&pipeline, &path)
            .map(|p| format!("{p} "))
            .unwrap_or_default();
        let engine_id = format!(
            "{version} {mode} {package}data {:016x} cleanup {CLEANUP_VERSION}",
            fingerprint(&pipeline, &path)
        );
        Ok(Apertium {
            mode: mode.to_string(),
            engine_id,
            timeout,
            pipeline: pipeline.trim().to_string(),
            path,
            state: State::NotStarted,
            next_segment: 0,
        })
    }

    /// Names the engine, its version and its data, e.g.
    /// `Apertium 3.8.3 spa-eng apertium-eng-spa 0.8.1-2 data 5f0c…e1 cleanup 2`. It changes
    /// whenever a program or data file of the pipeline changes (size or modification time), or
    /// this module's clean-up does, so it can key a cache.
    pub fn engine_id(&self) -> &str {
        &self.engine_id
    }

    /// Translates `segments` (sentences, titles …), returning one translation per segment, in
    /// order; whitespace around a segment is kept, and empty or blank segments come back as they
    /// are, without the engine. All segments go to the engine at once, so one big call is faster
    /// than many small ones. If the engine fails (exits, or sends nothing for the timeout), it
    /// is stopped: this call returns why, and every later call fails.
    pub fn translate(&mut self, segments: &[&str]) -> Result<Vec<Translated>, MtError> {
        let prepared: Vec<Prepared> = segments.iter().map(|s| Prepared::new(s)).collect();
        let mut results: Vec<Translated> = prepared.iter().map(Prepared::as_is).collect();
        let jobs: Vec<usize> = (0..prepared.len())
            .filter(|&i| !prepared[i].source.is_empty())
            .collect();
        if jobs.is_empty() {
            return Ok(results);
        }
        let first = self.next_segment;
        self.next_segment += jobs.len() as u64;
        let input: Vec<Vec<u8>> = jobs
            .iter()
            .zip(first..)
            .map(|(&i, marker)| prepared[i].encode(marker))
            .collect();
        let outputs = self
            .engine()?
            .exchange(input)
            .map_err(|e| engine_error(&self.mode, e))?;
        for ((&i, marker), raw) in jobs.iter().zip(first..).zip(outputs) {
            let parsed = parse(&String::from_utf8_lossy(&raw));
            if parsed.marker != Some(marker) {
                return Err(self.out_of_step());
            }
            results[i] = prepared[i].finish(parsed.pieces);
        }
        Ok(results)
    }

    /// The running process, started on first use.
    fn engine(&mut self) -> Result<&mut Pipeline, MtError> {
        if matches!(self.state, State::NotStarted) {
            match spawn_engine(&self.pipeline, &self.path, self.timeout) {
                Ok(engine) => self.state = State::Running(engine),
                Err(e) => {
                    self.state = State::Stopped;
                    return Err(engine_error(&self.mode, e));
                }
            }
        }
        match &mut self.state {
            State::Running(engine) => Ok(engine),
            State::NotStarted | State::Stopped => {
                Err(engine_error(&self.mode, ProcessError::Stopped))
            }
        }
    }

    /// Stops the process, whose output no longer matches the segments sent.
    fn out_of_step(&mut self) -> MtError {
        if let State::Running(engine) = &mut self.state {
            engine.stop_now();
        }
        MtError::Crashed {
            mode: self.mode.clone(),
            detail: "its output fell out of step with the segments sent".to_string(),
        }
    }
}

/// Starts the mode's pipeline with bash, as the `apertium` script runs modes, with `pipefail`
/// so that the exit status is that of the program that failed rather than of the last one.
fn spawn_engine(pipeline: &str, path: &OsStr, timeout: Duration) -> Result<Pipeline, ProcessError> {
    let mut bash = Command::new("bash");
    // `$1` and `$2` of a mode file: `-g` makes the generator mark unknown words (as `apertium`
    // does unless given `-u`); the tagger gets no extra option.
    bash.args(["-o", "pipefail", "-c", pipeline, "bash", "-g", ""])
        .env("PATH", path);
    Pipeline::spawn([bash], timeout, EXIT_GRACE)
}

/// What went wrong with the engine's process, in the translator's words.
fn engine_error(mode: &str, error: ProcessError) -> MtError {
    let mode = mode.to_string();
    match error {
        ProcessError::TimedOut { timeout } => MtError::TimedOut { mode, timeout },
        ProcessError::Spawn { source, .. } | ProcessError::Io(source) => {
            MtError::Io { mode, source }
        }
        crash @ (ProcessError::Exited { .. } | ProcessError::Stopped) => MtError::Crashed {
            mode,
            detail: crash.to_string(),
        },
    }
}

/// Finds the `apertium` wrapper script, which locates the other programs and the data.
fn find_wrapper(mode: &str) -> Result<PathBuf, MtError> {
    let valid = !mode.is_empty()
        && mode
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(MtError::NotInstalled {
            mode: mode.to_string(),
            hint: "that is not an Apertium mode name (like spa-eng)".to_string(),
        });
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    find_program("apertium", &path).ok_or_else(|| MtError::NotInstalled {
        mode: mode.to_string(),
        hint: format!(
            "the `apertium` command is not installed (Debian/Ubuntu: apt install apertium {})",
            pair_package(mode)
        ),
    })
}

fn find_program(name: &str, path: &OsStr) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Where an installation in `<prefix>/bin` keeps its data: `<prefix>/share/apertium`.
fn default_data_dir(wrapper: &Path) -> PathBuf {
    let prefix = wrapper
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("/usr"));
    prefix.join("share").join("apertium")
}

/// `PATH` with `bin_dir` first, so the pipeline runs the programs that came with the wrapper.
fn search_path(bin_dir: &Path) -> OsString {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::iter::once(bin_dir.to_path_buf()).chain(std::env::split_paths(&rest));
    std::env::join_paths(dirs).unwrap_or(rest)
}

/// The usual Debian package of a pair: both codes, alphabetically (`spa-eng` → `apertium-eng-spa`).
fn pair_package(mode: &str) -> String {
    let pair = mode.split('_').next().unwrap_or(mode);
    let mut codes: Vec<&str> = pair.split('-').take(2).collect();
    codes.sort_unstable();
    format!("apertium-{}", codes.join("-"))
}

/// Runs a helper program to completion and returns what it printed.
fn run<'a>(
    program: &Path,
    args: impl IntoIterator<Item = &'a OsStr>,
    path: &OsStr,
) -> io::Result<String> {
    let output = Command::new(program)
        .args(args)
        .env("PATH", path)
        .stdin(Stdio::null())
        .output()?;
    if !output.status.success() {
        return Err(io::Error::other(format!(
            "{}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The pipeline's single-quoted arguments: the data files.
fn quoted_paths(pipeline: &str) -> impl Iterator<Item = &str> {
    pipeline.split('\'').skip(1).step_by(2)
}

/// Identifies everything the translations depend on: the pipeline's text, and the size and
/// modification time of each of its programs and data files. Reading the files' contents would
/// be surer but costs a few megabytes of reading per build; package managers set both.
fn fingerprint(pipeline: &str, path: &OsStr) -> u64 {
    let programs = pipeline
        .split('|')
        .filter_map(|stage| stage.split_whitespace().next())
        .filter_map(|name| find_program(name, path));
    let files = programs.chain(quoted_paths(pipeline).map(PathBuf::from));
    let mut hasher = StableHasher::new();
    hasher.write(pipeline.as_bytes());
    for file in files {
        hasher.write(file.as_os_str().as_encoded_bytes());
        match fs::metadata(&file) {
            Ok(meta) => {
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                hasher.write(&meta.len().to_le_bytes());
                hasher.write(&modified.to_le_bytes());
            }
            Err(_) => hasher.write(b"missing"),
        }
    }
    hasher.finish()
}

/// `apertium-eng-spa 0.8.1-2`: the package owning the pipeline's data directory, when dpkg knows it.
fn package_version(pipeline: &str, path: &OsStr) -> Option<String> {
    let data = Path::new(quoted_paths(pipeline).next()?);
    let package = data.parent()?.file_name()?.to_str()?;
    let dpkg = find_program("dpkg-query", path)?;
    let version = run(
        &dpkg,
        ["-W", "-f=${Version}", package].map(OsStr::new),
        path,
    )
    .ok()?;
    let version = version.trim();
    (!version.is_empty()).then(|| format!("{package} {version}"))
}

// ---------------------------------------------------------------------------------------------
// Into the engine

/// A quotation mark in a source segment.
#[derive(Debug, Clone, Copy)]
struct Mark {
    /// Byte offset in the segment.
    at: usize,
    glyph: char,
    opening: bool,
}

/// A quotation: the runs of text inside it (run `r` lies between marks `r - 1` and `r`) and its
/// two marks, or one when the segment holds only its beginning or its end.
#[derive(Debug, Clone)]
struct Span {
    runs: RangeInclusive<usize>,
    open: Option<usize>,
    close: Option<usize>,
}

/// A segment made ready for the engine, with what its translation's clean-up needs to know.
struct Prepared {
    /// Whitespace around the segment, given back as it was.
    lead: String,
    trail: String,
    /// The segment without that whitespace (nor NUL bytes, which would end it early).
    source: String,
    marks: Vec<Mark>,
    spans: Vec<Span>,
    /// The apostrophes of `source` (`'` or `’`), in order: the engine makes every one `'`.
    apostrophes: Vec<char>,
}

impl Prepared {
    fn new(segment: &str) -> Prepared {
        let trimmed = segment.trim();
        let start = segment.len() - segment.trim_start().len();
        let source = trimmed.replace('\0', "");
        let (marks, spans, apostrophes) = quotations(&source);
        Prepared {
            lead: segment[..start].to_string(),
            trail: segment[start + trimmed.len()..].to_string(),
            source,
            marks,
            spans,
            apostrophes,
        }
    }

    /// The translation of a segment with nothing to translate: itself.
    fn as_is(&self) -> Translated {
        Translated {
            text: format!("{}{}{}", self.lead, self.source, self.trail),
            unknown: Vec::new(),
        }
    }

    /// The segment in Apertium's stream format, ending with the marker `[p<marker>]` and `\0`.
    fn encode(&self, marker: u64) -> Vec<u8> {
        let mut out = String::with_capacity(self.source.len() * 5 / 4 + 32);
        // Without quotation marks there is nothing to track, and the stream stays plain.
        let tagged = !self.marks.is_empty();
        let mut start = 0;
        for (run, mark) in self.marks.iter().map(Some).chain([None]).enumerate() {
            let end = mark.map_or(self.source.len(), |m| m.at);
            push_run(&mut out, &self.source[start..end], tagged.then_some(run));
            if let Some(mark) = mark {
                out.push('[');
                out.push(mark.glyph);
                out.push(']');
                start = mark.at + mark.glyph.len_utf8();
            }
        }
        let _ = write!(out, "[p{marker}]\0");
        out.into_bytes()
    }
}

/// Finds the quotation marks of `text`, pairs them into quotations, and lists its apostrophes.
fn quotations(text: &str) -> (Vec<Mark>, Vec<Span>, Vec<char>) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut found: Vec<Mark> = Vec::new();
    let mut spans = Vec::new();
    let mut apostrophes = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for (k, &(at, glyph)) in chars.iter().enumerate() {
        let prev = k.checked_sub(1).map(|p| chars[p].1);
        let next = chars.get(k + 1).map(|&(_, c)| c);
        let Some(role) = marks::role(glyph) else {
            continue;
        };
        // `'` and `’` are apostrophes when a letter or digit is on both sides.
        if marks::may_be_apostrophe(glyph)
            && prev.is_some_and(char::is_alphanumeric)
            && next.is_some_and(char::is_alphanumeric)
        {
            apostrophes.push(glyph);
            continue;
        }
        let after_opening = found
            .last()
            .is_some_and(|m| m.opening && m.at + m.glyph.len_utf8() == at);
        let starts =
            after_opening || prev.is_none_or(|p| p.is_whitespace() || "([{—–-/¿¡".contains(p));
        let word_follows = next.is_some_and(|n| !n.is_whitespace());
        let opening = match (starts, word_follows) {
            (true, true) => true,
            (false, _) => false,
            // Spaced out (`« hola »`): the glyph decides, or for one that may do either (`"`,
            // or `“` after `„`) whether a quotation it closes is open.
            (true, false) => match role {
                Role::Opens => true,
                Role::Closes => false,
                Role::Either => !open.iter().any(|&o| marks::closes(found[o].glyph, glyph)),
            },
        };
        let index = found.len();
        found.push(Mark { at, glyph, opening });
        if opening {
            open.push(index);
        } else if let Some(pos) = open
            .iter()
            .rposition(|&o| marks::closes(found[o].glyph, glyph))
        {
            let o = open.remove(pos);
            spans.push(Span {
                runs: o + 1..=index,
                open: Some(o),
                close: Some(index),
            });
        } else {
            spans.push(Span {
                runs: 0..=index,
                open: None,
                close: Some(index),
            });
        }
    }
    let last_run = found.len();
    spans.extend(open.into_iter().map(|o| Span {
        runs: o + 1..=last_run,
        open: Some(o),
        close: None,
    }));
    (found, spans, apostrophes)
}

/// Writes one run of text between quotation marks, wrapped in its word-bound blank if `tag`.
fn push_run(out: &mut String, run: &str, tag: Option<usize>) {
    let body = run.trim();
    if body.is_empty() {
        out.push_str(run);
        return;
    }
    let lead = &run[..run.len() - run.trim_start().len()];
    let trail = &run[lead.len() + body.len()..];
    out.push_str(lead);
    if let Some(tag) = tag {
        let _ = write!(out, "[[q{tag}]]");
    }
    for c in body.chars() {
        match c {
            // Reserved in the stream format: escaped, as `apertium-destxt` does.
            '\\' | '$' | '[' | ']' | '/' | '@' | '<' | '>' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            // The engine's own marks (`*` unknown, `#` not generated) and lt-proc's `~`: an
            // escaped one still comes out bare, so they pass as superblanks instead.
            '*' | '#' | '~' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            // Reserved too, but `lrx-proc` (0.4) takes even an escaped `^` for the start of a
            // word: the segment then never ends, or runs into the next one. So it travels
            // as a superblank without a `^` in it.
            '^' => {
                let _ = write!(out, "[{CARET}]");
            }
            _ => out.push(c),
        }
    }
    if tag.is_some() {
        out.push_str("[[/]]");
    }
    out.push_str(trail);
}

// ---------------------------------------------------------------------------------------------
// Out of the engine

/// The superblank a `^` of the source travels in (see [`push_run`]).
const CARET: &str = "caret";

/// A piece of the engine's output.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(Chunk),
    /// A quotation mark's superblank.
    Mark,
}

/// Text from the engine, with the runs its word-bound blank names (empty: none, e.g. a pronoun
/// the engine added).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Chunk {
    text: String,
    runs: Vec<usize>,
    /// A word the engine did not know (marked `*`, or `@` for a transfer error), without its mark.
    unknown: bool,
}

#[derive(Debug)]
struct Parsed {
    pieces: Vec<Piece>,
    /// The number in the segment's end marker.
    marker: Option<u64>,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c)
}

/// Reads one segment of the engine's output.
fn parse(raw: &str) -> Parsed {
    let mut pieces = Vec::new();
    let mut marker = None;
    let mut text = String::new();
    let mut runs: Vec<usize> = Vec::new();
    let flush = |text: &mut String, runs: &[usize], pieces: &mut Vec<Piece>| {
        if !text.is_empty() {
            pieces.push(Piece::Text(Chunk {
                text: std::mem::take(text),
                runs: runs.to_vec(),
                unknown: false,
            }));
        }
    };
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => text.extend(chars.next()),
            '[' if chars.peek() == Some(&'[') => {
                chars.next();
                let mut tag = String::new();
                while let Some(t) = chars.next() {
                    if t == ']' && chars.peek() == Some(&']') {
                        chars.next();
                        break;
                    }
                    tag.push(t);
                }
                flush(&mut text, &runs, &mut pieces);
                runs = tag
                    .split(';')
                    .filter_map(|t| t.trim().strip_prefix('q')?.parse().ok())
                    .collect();
            }
            '[' => {
                let mut blank = String::new();
                while let Some(b) = chars.next() {
                    match b {
                        ']' => break,
                        '\\' => blank.extend(chars.next()),
                        _ => blank.push(b),
                    }
                }
                let mut glyphs = blank.chars();
                if let Some(n) = blank.strip_prefix('p').and_then(|n| n.parse().ok()) {
                    marker = Some(n);
                } else if blank == CARET {
                    text.push('^');
                } else if glyphs.next().is_some_and(marks::is_mark) && glyphs.next().is_none() {
                    flush(&mut text, &runs, &mut pieces);
                    pieces.push(Piece::Mark);
                } else {
                    text.push_str(&blank);
                }
            }
            '*' | '@' => {
                flush(&mut text, &runs, &mut pieces);
                let mut word = String::new();
                while let Some(&w) = chars.peek().filter(|&&w| is_word_char(w)) {
                    word.push(w);
                    chars.next();
                }
                if !word.is_empty() {
                    pieces.push(Piece::Text(Chunk {
                        text: word,
                        runs: runs.clone(),
                        unknown: true,
                    }));
                }
            }
            // `#`: the word after it is a lemma the generator could not inflect; it is still a
            // translation, so only the mark goes. `~`: a post-generation mark left over.
            '#' | '~' => {}
            _ => text.push(c),
        }
    }
    flush(&mut text, &runs, &mut pieces);
    Parsed { pieces, marker }
}

impl Prepared {
    /// Turns the engine's output for this segment into its translation.
    fn finish(&self, pieces: Vec<Piece>) -> Translated {
        let (mut chunks, gaps) = self.place_marks(pieces);
        restore_apostrophes(&mut chunks, &self.apostrophes);
        let mut out = Spanned::default();
        let mut marks = gaps.iter().enumerate().peekable();
        for (i, chunk) in chunks.iter().enumerate() {
            while let Some((m, _)) = marks.next_if(|&(_, &gap)| gap <= i) {
                out.push_mark(self.marks[m], &self.source);
            }
            out.push_chunk(chunk);
        }
        for (m, _) in marks {
            out.push_mark(self.marks[m], &self.source);
        }
        out.tidy_spaces(&self.source);
        out.fix_case(self);
        out.merge_unknown();
        let lead = self.lead.len();
        Translated {
            text: format!("{}{}{}", self.lead, out.text, self.trail),
            unknown: out
                .unknown
                .into_iter()
                .map(|r| r.start + lead..r.end + lead)
                .collect(),
        }
    }

    /// Separates the marks from the text and decides where each mark goes: `gaps[m]` is the
    /// index of the chunk that mark `m` precedes (`chunks.len()` for the end).
    fn place_marks(&self, pieces: Vec<Piece>) -> (Vec<Chunk>, Vec<usize>) {
        let mut chunks = Vec::with_capacity(pieces.len());
        let mut gaps = Vec::with_capacity(self.marks.len());
        for piece in pieces {
            match piece {
                Piece::Text(chunk) => chunks.push(chunk),
                Piece::Mark => gaps.push(chunks.len()),
            }
        }
        if gaps.len() != self.marks.len() {
            // The engine lost or added one: put every mark back from the runs' tags.
            gaps = gaps_from_runs(&chunks, &self.marks);
        }
        let engine_placed = gaps.clone();
        for span in &self.spans {
            repair(&chunks, span, &mut gaps);
        }
        // Moving marks must not change their order, which is what pairs quotations 1-1.
        if !gaps.is_sorted() {
            gaps = engine_placed;
        }
        (chunks, gaps)
    }
}

/// Moves the marks of `span` next to the words of its quotation when the engine reordered words
/// across a mark. Words it added (untagged) may stay on either side; a quotation whose words are
/// no longer together is left as the engine placed it.
fn repair(chunks: &[Chunk], span: &Span, gaps: &mut [usize]) {
    let sides: Vec<Option<bool>> = chunks.iter().map(|c| side(c, &span.runs)).collect();
    let (Some(first), Some(last)) = (
        sides.iter().position(|s| *s == Some(true)),
        sides.iter().rposition(|s| *s == Some(true)),
    ) else {
        return;
    };
    if sides[first..=last].contains(&Some(false)) {
        return;
    }
    let solid = |i: &usize| !chunks[*i].text.trim().is_empty();
    if let Some(open) = span.open {
        let after_outside = sides[..first]
            .iter()
            .rposition(|s| *s == Some(false))
            .map_or(0, |i| i + 1);
        if gaps[open] > first {
            gaps[open] = first;
        } else if gaps[open] < after_outside {
            gaps[open] = (after_outside..first).find(solid).unwrap_or(first);
        }
    }
    if let Some(close) = span.close {
        let outside = sides[last + 1..]
            .iter()
            .position(|s| *s == Some(false))
            .map_or(chunks.len(), |i| last + 1 + i);
        if gaps[close] <= last {
            gaps[close] = last + 1;
        } else if gaps[close] > outside {
            gaps[close] = (last + 1..outside)
                .rev()
                .find(solid)
                .map_or(last + 1, |i| i + 1);
        }
    }
}

/// Whether a chunk belongs inside the quotation made of `runs` (`Some(true)`), outside it
/// (`Some(false)`), or cannot tell: blank, untagged, or a multiword from both sides.
fn side(chunk: &Chunk, runs: &RangeInclusive<usize>) -> Option<bool> {
    if chunk.runs.is_empty() || chunk.text.trim().is_empty() {
        return None;
    }
    let inside = chunk.runs.iter().filter(|r| runs.contains(r)).count();
    if inside == chunk.runs.len() {
        Some(true)
    } else if inside == 0 {
        Some(false)
    } else {
        None
    }
}

/// Places every mark from the runs' tags alone: mark `m` lies between runs `m` and `m + 1`.
fn gaps_from_runs(chunks: &[Chunk], marks: &[Mark]) -> Vec<usize> {
    let mut gaps: Vec<usize> = Vec::with_capacity(marks.len());
    for (m, mark) in marks.iter().enumerate() {
        let mut gap = chunks
            .iter()
            .position(|c| c.runs.iter().min().is_some_and(|&r| r > m))
            .unwrap_or(chunks.len());
        if !mark.opening {
            // Against the word before it, not before the space.
            while gap > 0 && chunks[gap - 1].text.trim().is_empty() {
                gap -= 1;
            }
        }
        gaps.push(gap.max(gaps.last().copied().unwrap_or(0)));
    }
    gaps
}

/// Gives back the source's typographic apostrophes, which the engine writes `'`. When the source
/// used only `’`, every `'` becomes `’` (the engine's own too, like the English `'s`); when it
/// mixed both, they are restored in order if the count matches.
fn restore_apostrophes(chunks: &mut [Chunk], source: &[char]) {
    if !source.contains(&'’') {
        return;
    }
    let only_curly = !source.contains(&'\'');
    let found: usize = chunks.iter().map(|c| c.text.matches('\'').count()).sum();
    if !only_curly && found != source.len() {
        return;
    }
    let mut wanted = source.iter();
    for chunk in chunks.iter_mut().filter(|c| c.text.contains('\'')) {
        chunk.text = chunk
            .text
            .chars()
            .map(|c| match c {
                '\'' if only_curly => '’',
                '\'' => wanted.next().copied().unwrap_or('\''),
                _ => c,
            })
            .collect();
    }
}

// ---------------------------------------------------------------------------------------------
// Clean-up of the text

/// Text with byte positions that follow its edits: the unknown words, and where each opening
/// quotation mark ends (in mark order).
#[derive(Debug, Default)]
struct Spanned {
    text: String,
    unknown: Vec<Range<usize>>,
    openings: Vec<usize>,
    /// Drop the spaces before the next word: the last opening mark had none after it.
    glue: bool,
}

/// Endings of nationalities and languages (`Ukrainian`, `Japanese`, `Spanish`, `French`,
/// `Israeli`), capitalised in English though not in Spanish: such words are left alone.
const PROPER_ENDINGS: &[&str] = &["an", "ese", "ish", "ch", "i"];

/// Subjects the engine adds before a verb whose capital it then keeps (`«we Go to win»`).
const ADDED_SUBJECTS: &[&str] = &["we", "you", "he", "she", "it", "they", "there"];

impl Spanned {
    /// Adds a quotation mark, with the source's spacing on its inner side: the engine may leave a
    /// space where a word it moved or merged used to be (`'very good' ",`).
    fn push_mark(&mut self, mark: Mark, source: &str) {
        if mark.opening {
            self.text.push(mark.glyph);
            self.openings.push(self.text.len());
            let after = &source[mark.at + mark.glyph.len_utf8()..];
            self.glue = !after.starts_with(char::is_whitespace);
        } else {
            if !source[..mark.at].ends_with(char::is_whitespace) {
                let kept = self.text.trim_end_matches(' ').len();
                self.text.truncate(kept);
            }
            self.text.push(mark.glyph);
        }
    }

    fn push_chunk(&mut self, chunk: &Chunk) {
        let mut text = chunk.text.as_str();
        if self.glue {
            text = text.trim_start_matches(' ');
            self.glue = text.is_empty();
        }
        let start = self.text.len();
        self.text.push_str(text);
        if chunk.unknown {
            self.unknown.push(start..self.text.len());
        }
    }

    /// Replaces each range with its string (sorted, not overlapping) and moves the positions.
    fn apply(&mut self, mut edits: Vec<(Range<usize>, String)>) {
        if edits.is_empty() {
            return;
        }
        edits.sort_by_key(|(range, _)| range.start);
        let mut text = String::with_capacity(self.text.len());
        // (old range, new start, new length) of each edit.
        let mut moves: Vec<(Range<usize>, usize, usize)> = Vec::with_capacity(edits.len());
        let mut copied = 0;
        for (range, with) in edits {
            if range.start < copied {
                continue;
            }
            text.push_str(&self.text[copied..range.start]);
            moves.push((range.clone(), text.len(), with.len()));
            text.push_str(&with);
            copied = range.end;
        }
        text.push_str(&self.text[copied..]);
        let moved = |p: usize| {
            let (mut added, mut removed) = (0, 0);
            for (range, start, len) in &moves {
                if p >= range.end {
                    added += len;
                    removed += range.len();
                } else if p > range.start {
                    return start + (p - range.start).min(*len);
                } else {
                    break;
                }
            }
            p + added - removed
        };
        self.unknown = self
            .unknown
            .iter()
            .map(|r| moved(r.start)..moved(r.end))
            .filter(|r| !r.is_empty())
            .collect();
        self.openings = self.openings.iter().map(|&p| moved(p)).collect();
        self.text = text;
    }

    /// Undoes the spacing the engine leaves where it dropped a word (`gathered  in`, `went .`)
    /// or a leading one, unless the source was spaced that way too.
    fn tidy_spaces(&mut self, source: &str) {
        let keep_doubles = source.contains("  ");
        let mut edits = Vec::new();
        let bytes = self.text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b' ' {
                i += 1;
                continue;
            }
            let end = i + bytes[i..].iter().take_while(|&&b| b == b' ').count();
            let before_punctuation = self.text[end..]
                .chars()
                .next()
                .is_some_and(|c| ".,;:!?…)".contains(c) && !source.contains(&format!(" {c}")));
            if i == 0 || end == bytes.len() || before_punctuation {
                edits.push((i..end, String::new()));
            } else if end - i > 1 && !keep_doubles {
                edits.push((i + 1..end, String::new()));
            }
            i = end;
        }
        self.apply(edits);
    }

    /// Fixes the capitals the engine moves or adds, where the source shows what they should be.
    /// Three places are compared, each paired 1-1 with the source:
    /// * after an opening quotation mark the source follows with a capital, the first word gets
    ///   it too (`«there are three houses»`), and if it is a subject the engine added, it takes
    ///   the capital from its verb (`«we Go to win»` → `«We go to win»`);
    /// * after a `.`, `?` or `!` inside the segment that the source follows with a lower-case
    ///   word (`—You come? —It asked.`, `at 10 h. On the dot`), the word is lowered;
    /// * after an unknown word, which the engine takes for a sentence start
    ///   (`*Zelenski Spoke`), the next word is lowered when the source's is lower case.
    ///
    /// A word is never lowered if the source has it as it is (a name the engine kept), or if
    /// English capitalises it anyway (days, months, nationalities): see [`may_lower`]. Those
    /// word lists are English; for another target language they match nothing, and only the
    /// source-driven fixes apply.
    fn fix_case(&mut self, prepared: &Prepared) {
        let source = prepared.source.as_str();
        // By the word's start: the first fix found for a word wins.
        let mut edits: BTreeMap<usize, (Range<usize>, String)> = BTreeMap::new();
        let text = self.text.as_str();
        let lower = |edits: &mut BTreeMap<usize, (Range<usize>, String)>, word: Range<usize>| {
            if may_lower(&text[word.clone()], source) {
                let changed = change_first(&text[word.clone()], false);
                edits.entry(word.start).or_insert((word, changed));
            }
        };

        let source_openings = prepared
            .marks
            .iter()
            .filter(|m| m.opening)
            .map(|m| m.at + m.glyph.len_utf8());
        for (src, out) in source_openings.zip(self.openings.iter().copied()) {
            let (Some(src_word), Some(first)) = (
                next_word(source, src, |c| {
                    c.is_whitespace() || marks::is_mark(c) || "¿¡".contains(c)
                }),
                next_word(text, out, |c| c.is_whitespace() || marks::is_mark(c)),
            ) else {
                continue;
            };
            let keep = !starts_upper(&source[src_word])
                || !text[first.clone()].starts_with(char::is_lowercase)
                || self.unknown.iter().any(|u| u.start == first.start);
            if keep {
                continue;
            }
            edits
                .entry(first.start)
                .or_insert((first.clone(), change_first(&text[first.clone()], true)));
            let second = text[first.end..]
                .strip_prefix(' ')
                .and_then(|_| next_word(text, first.end + 1, |_| false));
            if let Some(verb) = second.filter(|_| ADDED_SUBJECTS.contains(&&text[first.clone()])) {
                lower(&mut edits, verb);
            }
        }

        let src_starts = sentence_starts(source);
        let out_starts = sentence_starts(&self.text);
        if src_starts.len() == out_starts.len() {
            for (src, out) in src_starts.into_iter().zip(out_starts) {
                if !starts_upper(&source[src]) {
                    lower(&mut edits, out);
                }
            }
        }

        for range in &self.unknown {
            let word = &self.text[range.clone()];
            let in_source = whole_words(source, word);
            let in_output: Vec<usize> = self
                .unknown
                .iter()
                .filter(|r| &self.text[(*r).clone()] == word)
                .map(|r| r.end)
                .collect();
            if in_source.len() != in_output.len() {
                continue;
            }
            let Some(k) = in_output.iter().position(|&end| end == range.end) else {
                continue;
            };
            let after = |text: &str, end: usize| next_word(text, end, char::is_whitespace);
            let (Some(src_next), Some(out_next)) = (
                after(source, in_source[k].end),
                after(&self.text, range.end),
            ) else {
                continue;
            };
            if !starts_upper(&source[src_next]) {
                lower(&mut edits, out_next);
            }
        }

        self.apply(edits.into_values().collect());
    }

    /// Joins unknown words the engine split at an apostrophe or a dot (`*d'*esquadra`), so the
    /// page styles them as one.
    fn merge_unknown(&mut self) {
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(self.unknown.len());
        for range in std::mem::take(&mut self.unknown) {
            if let Some(last) = merged.last_mut() {
                let between = &self.text[last.end.min(range.start)..range.start];
                let joins = between.is_empty()
                    || (between.chars().count() == 1
                        && between.chars().all(|c| "'’-·.".contains(c)));
                if last.end <= range.start && joins {
                    last.end = range.end;
                    continue;
                }
            }
            merged.push(range);
        }
        self.unknown = merged;
    }
}

/// The first word at or after `from`, passing over only characters that `skip` accepts.
fn next_word(text: &str, from: usize, skip: impl Fn(char) -> bool) -> Option<Range<usize>> {
    let rest = text.get(from..)?;
    let (offset, first) = rest.char_indices().find(|&(_, c)| !skip(c))?;
    if !is_word_char(first) {
        return None;
    }
    let start = from + offset;
    let mut end = start;
    let mut chars = text[start..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let inner_apostrophe =
            matches!(c, '\'' | '’') && chars.peek().is_some_and(|&(_, n)| is_word_char(n));
        if !is_word_char(c) && !inner_apostrophe {
            break;
        }
        end = start + i + c.len_utf8();
    }
    Some(start..end)
}

/// Where each sentence starts after the first: a word after `.`, `?`, `!` or `…` and a space
/// (and perhaps a dash, quotation marks or `¿`/`¡`).
fn sentence_starts(text: &str) -> Vec<Range<usize>> {
    text.char_indices()
        .filter(|&(_, c)| ".?!…".contains(c))
        .filter_map(|(i, c)| {
            let after = i + c.len_utf8();
            let gap = text[after..].find(|n: char| {
                !(n.is_whitespace() || marks::is_mark(n) || "—–-)¿¡(".contains(n))
            })?;
            let between = &text[after..after + gap];
            // A space is what makes it a sentence end (`1.000` and `n.º` have none).
            if !between.contains(char::is_whitespace)
                || between
                    .starts_with(|n: char| !n.is_whitespace() && !marks::is_mark(n) && n != ')')
            {
                return None;
            }
            next_word(text, after + gap, |_| false)
        })
        .collect()
}

/// Every occurrence of `word` in `text` as a whole word.
fn whole_words(text: &str, word: &str) -> Vec<Range<usize>> {
    text.match_indices(word)
        .map(|(i, w)| i..i + w.len())
        .filter(|r| {
            !text[..r.start]
                .chars()
                .next_back()
                .is_some_and(is_word_char)
                && !text[r.end..].chars().next().is_some_and(is_word_char)
        })
        .collect()
}

fn starts_upper(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// Whether a capitalised word may be lowered: it has one capital, at its start, is not `I`
/// (nor `I'm` …), is not one English always capitalises, and is not in the source as it is.
fn may_lower(word: &str, source: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase)
        && chars.clone().next().is_some()
        && !chars.any(char::is_uppercase)
        && !word.starts_with("I'")
        && !word.starts_with("I’")
        // English capitalises day and month names wherever they are; Spanish does not.
        && !crate::lang::dates::is_date_name("en", word)
        && !PROPER_ENDINGS.iter().any(|e| word.ends_with(e))
        && whole_words(source, word).is_empty()
}

/// `word` with its first letter in upper (`upper`) or lower case.
fn change_first(word: &str, upper: bool) -> String {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    if upper {
        first.to_uppercase().chain(chars).collect()
    } else {
        first.to_lowercase().chain(chars).collect()
    }
}

/// For tests: the real engine, or `None` after printing why the test is skipped. With
/// `PARALELO_REQUIRE_TOOLS` set, a missing engine fails the test instead.
#[cfg(test)]
pub(super) fn engine_or_skip(test: &str) -> Option<Apertium> {
    match Apertium::start("spa-eng", DEFAULT_TIMEOUT) {
        Ok(engine) => Some(engine),
        Err(MtError::NotInstalled { .. })
            if std::env::var_os("PARALELO_REQUIRE_TOOLS").is_none() =>
        {
            eprintln!("SKIPPED: {test}: apertium-eng-spa not installed");
            None
        }
        Err(e) => panic!("{test}: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::tests::group_alive;
    use std::time::Instant;

    fn one(engine: &mut Apertium, segment: &str) -> Translated {
        let mut out = engine.translate(&[segment]).unwrap();
        assert_eq!(out.len(), 1);
        out.remove(0)
    }

    fn unknown_words(t: &Translated) -> Vec<&str> {
        t.unknown.iter().map(|r| &t.text[r.clone()]).collect()
    }

    /// The quotation marks of `text`, in order (apostrophes left out).
    fn marks_of(text: &str) -> String {
        quotations(text).0.iter().map(|m| m.glyph).collect()
    }

    fn assert_clean(t: &Translated) {
        assert!(
            !t.text
                .contains(['*', '#', '@', '~', '\0', '[', ']', '^', '$', '\\']),
            "engine marks left in {:?}",
            t.text
        );
    }

    #[test]
    fn plain_sentences() {
        let Some(mut engine) = engine_or_skip("plain_sentences") else {
            return;
        };
        let out = engine
            .translate(&[
                "El presidente habló con los periodistas.",
                "Hay 3 casas.",
                "Sánchez llegó tarde y Feijóo se fue.",
            ])
            .unwrap();
        assert_eq!(out[0].text, "The president spoke with the journalists.");
        assert_eq!(out[1].text, "There are 3 houses.");
        // `se` dropped: no double space nor space before the full stop.
        assert_eq!(out[2].text, "Sánchez arrived late and Feijóo went.");
        assert_eq!(unknown_words(&out[2]), ["Feijóo"]);
        for t in &out {
            assert_clean(t);
        }
        assert!(
            engine.engine_id().contains("spa-eng"),
            "{}",
            engine.engine_id()
        );
    }

    #[test]
    fn inverted_marks_are_dropped_cleanly() {
        let Some(mut engine) = engine_or_skip("inverted_marks_are_dropped_cleanly") else {
            return;
        };
        let out = engine
            .translate(&[
                "¿Dónde está el presidente?",
                "¡Qué bonito día!",
                "Eso es lo que hay, ¿no?",
            ])
            .unwrap();
        assert_eq!(out[0].text, "Where it is the president?");
        assert_eq!(out[1].text, "What beautiful day!");
        assert_eq!(out[2].text, "This is what there is, no?");
    }

    #[test]
    fn typographic_apostrophes_come_back() {
        let Some(mut engine) = engine_or_skip("typographic_apostrophes_come_back") else {
            return;
        };
        let t = one(
            &mut engine,
            "Los mossos d’esquadra patrullaron en l’Hospitalet.",
        );
        assert!(!t.text.contains('\''), "{}", t.text);
        assert!(t.text.contains("d’esquadra"), "{}", t.text);
        assert!(t.text.contains("l’Hospitalet"), "{}", t.text);
        assert!(
            unknown_words(&t).contains(&"d’esquadra"),
            "{:?}",
            unknown_words(&t)
        );
        let straight = one(&mut engine, "Los mossos d'esquadra patrullaron.");
        assert!(straight.text.contains("d'esquadra"), "{}", straight.text);
    }

    #[test]
    fn quotation_marks_keep_style_order_and_words() {
        let Some(mut engine) = engine_or_skip("quotation_marks_keep_style_order_and_words") else {
            return;
        };
        let cases = [
            (
                "El presidente dijo: «Vamos a ganar».",
                "The president said: «We go to win».",
            ),
            (
                "El presidente dijo: “Vamos a ganar”.",
                "The president said: “We go to win”.",
            ),
            (
                "El presidente dijo: \"Vamos a ganar\".",
                "The president said: \"We go to win\".",
            ),
            ("Es el ‘mejor’ día.", "It is the ‘best’ day."),
            // The engine reorders noun and adjective across the marks; they follow the words.
            ("El «coche» rojo es grande.", "The red «car» is big."),
            ("El coche «rojo» es grande.", "The «red» car is big."),
            (
                "La invasión «rusa» empezó.",
                "The «Russian» invasion began.",
            ),
            ("«¿Vienes?», preguntó.", "«You come?», it asked."),
            ("Ella dijo: «sí».", "She said: «yes»."),
        ];
        let sources: Vec<&str> = cases.iter().map(|c| c.0).collect();
        let out = engine.translate(&sources).unwrap();
        for ((source, expected), t) in cases.iter().zip(&out) {
            assert_eq!(&t.text, expected, "from {source}");
        }
    }

    #[test]
    fn nested_and_unbalanced_quotations_keep_their_marks_in_order() {
        let Some(mut engine) =
            engine_or_skip("nested_and_unbalanced_quotations_keep_their_marks_in_order")
        else {
            return;
        };
        let sources = [
            "Dijo: «Ella me contó que ‘nadie sabe nada’ ayer».",
            "Dijo: “Ella me contó que ‘nadie sabe nada’ ayer”.",
            "Dijo «que ‘él’ y “ella” sabían» ayer.",
            "Dijo «“hola”» ayer.",
            "\"Es 'muy' bueno\", dijo.",
            "El texto dice «hola y nunca cierra.",
            "El texto dice hola» y cierra.",
            "\"Explicó el apoyo que Japón ha brindado a Ucrania.",
            "Japón seguirá apoyando a Ucrania\", ha indicado la oficina.",
            "Dijo « hola » y se fue.",
            "Dijo «»",
            "«",
            "La casa «blanca» de «Pedro» y el «coche» rojo.",
        ];
        let out = engine.translate(&sources).unwrap();
        for (source, t) in sources.iter().zip(&out) {
            assert_eq!(marks_of(&t.text), marks_of(source), "{source} → {}", t.text);
            assert_clean(t);
        }
        assert_eq!(
            out[0].text,
            "It said: «She counted me that ‘anybody knows at all’ yesterday»."
        );
        assert_eq!(out[5].text, "The text says «hello and never closes.");
        assert_eq!(out[6].text, "The text says hello» and closes.");
        assert_eq!(out[11].text, "«");
        // A multiword across the marks leaves no space before the closing one.
        assert_eq!(out[4].text, "\"It is 'very good'\", said.");
    }

    #[test]
    fn unknown_words_come_back_as_written_with_their_ranges() {
        let Some(mut engine) =
            engine_or_skip("unknown_words_come_back_as_written_with_their_ranges")
        else {
            return;
        };
        let out = engine
            .translate(&[
                "Zelenski habló con Takaichi en Kiev.",
                "La primera ministra Sanae Takaichi dijo que Zelenski «no sabe».",
                "Ayuso y Almeida se reunieron.",
                "Escribe con #hashtag y 5*3 y a~b en info@ejemplo.es, x^2.",
            ])
            .unwrap();
        assert_eq!(out[0].text, "Zelenski spoke with Takaichi in Kiev.");
        assert_eq!(unknown_words(&out[0]), ["Zelenski", "Takaichi"]);
        assert_eq!(unknown_words(&out[1]), ["Sanae", "Takaichi", "Zelenski"]);
        assert!(out[1].text.contains("«does not know»"), "{}", out[1].text);
        assert!(
            out[2].text.starts_with("Ayuso and Almeida"),
            "{}",
            out[2].text
        );
        // The engine's marks never survive, the source's own `#`, `*`, `~` and `@` do.
        for c in ["#", "5*3", "~", "info@ejemplo.es", "^2"] {
            assert!(out[3].text.contains(c), "{c} in {}", out[3].text);
        }
        for t in &out[..3] {
            assert_clean(t);
        }
    }

    #[test]
    fn reserved_characters_pass_through() {
        let Some(mut engine) = engine_or_skip("reserved_characters_pass_through") else {
            return;
        };
        let reserved = "a^b$c[d]e/f\\g@h<i>j{k}l*m#n+o~p";
        // A `^` last used to hang `lrx-proc`, and `[p0]` looks like an end marker.
        let out = engine
            .translate(&[reserved, "Termina en ^", "Copia [p0] y [[q1]] aquí."])
            .unwrap();
        let kept: String = out[0]
            .text
            .chars()
            .filter(|c| !c.is_alphanumeric())
            .collect();
        assert_eq!(kept, "^$[]/\\@<>{}*#+~", "{}", out[0].text);
        assert!(out[1].text.ends_with('^'), "{}", out[1].text);
        assert!(
            out[2].text.contains("[p0]") && out[2].text.contains("[[q1]]"),
            "{}",
            out[2].text
        );
    }

    #[test]
    fn capitals_follow_the_source() {
        let Some(mut engine) = engine_or_skip("capitals_follow_the_source") else {
            return;
        };
        let out = engine
            .translate(&[
                "—¿Vienes? —preguntó.",
                "Llegó a las 10 h. en punto.",
                "Él dijo: «¡Basta!».",
                "Zelenski el miércoles habló.",
                "Dijo: «Hay tres casas».",
            ])
            .unwrap();
        assert_eq!(out[0].text, "—You come? —it asked.");
        assert_eq!(out[1].text, "It arrived to the 10 h. on the dot.");
        assert_eq!(out[2].text, "He said: «It suffices!».");
        assert!(out[3].text.contains("Wednesday"), "{}", out[3].text);
        assert_eq!(out[4].text, "It said: «There are three houses».");
    }

    #[test]
    fn empty_and_blank_segments_stay_as_they_are() {
        let Some(mut engine) = engine_or_skip("empty_and_blank_segments_stay_as_they_are") else {
            return;
        };
        let out = engine.translate(&["", "  ", " Hola. ", "\0", ""]).unwrap();
        let texts: Vec<&str> = out.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["", "  ", " Hello. ", "", ""]);
        assert!(engine.translate(&[]).unwrap().is_empty());
    }

    #[test]
    fn a_ten_thousand_character_segment() {
        let Some(mut engine) = engine_or_skip("a_ten_thousand_character_segment") else {
            return;
        };
        let clause = "el presidente habló con los periodistas en Madrid, ";
        let long = format!("{}y se fue.", clause.repeat(10_000 / clause.len() + 1));
        assert!(long.len() > 10_000);
        let out = engine.translate(&[&long, "Adiós."]).unwrap();
        assert_eq!(
            out[0].text.matches("journalists").count(),
            long.matches("periodistas").count()
        );
        assert_eq!(out[1].text, "Goodbye.");
        assert_clean(&out[0]);
    }

    #[test]
    fn a_thousand_segments_in_one_call_stay_aligned() {
        let Some(mut engine) = engine_or_skip("a_thousand_segments_in_one_call_stay_aligned")
        else {
            return;
        };
        let sources: Vec<String> = (0..1000)
            .map(|i| match i % 4 {
                0 => format!("Tengo {i} casas."),
                1 => format!("«Hay {i} coches», dijo Zelenski."),
                2 => String::new(),
                _ => format!("¿Dónde están los {i} periodistas?"),
            })
            .collect();
        let refs: Vec<&str> = sources.iter().map(String::as_str).collect();
        let out = engine.translate(&refs).unwrap();
        assert_eq!(out.len(), 1000);
        for (i, t) in out.iter().enumerate() {
            if i % 4 == 2 {
                assert_eq!(t.text, "");
            } else {
                assert!(t.text.contains(&i.to_string()), "{i}: {}", t.text);
            }
        }
        // And the same engine goes on serving.
        assert_eq!(one(&mut engine, "Adiós.").text, "Goodbye.");
    }

    /// A data directory with one fake mode, `pipeline` (to which Apertium adds `-z`).
    fn fake_mode(pipeline: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("modes")).unwrap();
        fs::write(dir.path().join("modes/fake.mode"), pipeline).unwrap();
        dir
    }

    #[test]
    fn a_hung_engine_times_out_and_is_killed() {
        if engine_or_skip("a_hung_engine_times_out_and_is_killed").is_none() {
            return;
        }
        // `sed -z d` reads every segment and never answers.
        let data = fake_mode("sed d");
        let mut engine =
            Apertium::start_in(data.path(), "fake", Duration::from_millis(500)).unwrap();
        let pid = engine.engine().unwrap().id().unwrap();
        let started = Instant::now();
        let err = engine.translate(&["Hola."]).unwrap_err();
        assert!(matches!(err, MtError::TimedOut { .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(
            err.to_string().contains("sent nothing back for 0.5 s"),
            "{err}"
        );
        if cfg!(target_os = "linux") {
            assert!(
                !Path::new(&format!("/proc/{pid}")).exists(),
                "bash {pid} not reaped"
            );
            assert!(!group_alive(pid), "pipeline of {pid} still running");
        }
        let again = engine.translate(&["Hola."]).unwrap_err();
        assert!(
            again.to_string().contains("stopped after an earlier error"),
            "{again}"
        );
    }

    #[test]
    fn a_crashing_engine_is_reported() {
        if engine_or_skip("a_crashing_engine_is_reported").is_none() {
            return;
        }
        let data = fake_mode("lt-proc '/nonexistent/spa-eng.automorf.bin'");
        let mut engine = Apertium::start_in(data.path(), "fake", DEFAULT_TIMEOUT).unwrap();
        let err = engine.translate(&["Hola."]).unwrap_err();
        assert!(matches!(err, MtError::Crashed { .. }), "{err}");
        let message = err.to_string();
        assert!(
            message.starts_with("Apertium fake failed: it ended (exit status: 1)"),
            "{message}"
        );
        assert!(
            message.contains("Cannot open file '/nonexistent/spa-eng.automorf.bin'"),
            "{message}"
        );
    }

    #[test]
    fn a_missing_pair_says_what_to_install() {
        let err = match Apertium::start("xxx-spa", DEFAULT_TIMEOUT) {
            Err(e) => e,
            Ok(_) => panic!("mode xxx-spa should not exist"),
        };
        let MtError::NotInstalled { mode, hint } = &err else {
            panic!("{err}");
        };
        assert_eq!(mode, "xxx-spa");
        assert!(hint.contains("apertium-spa-xxx"), "{hint}");
        assert!(Apertium::start("../etc", DEFAULT_TIMEOUT).is_err());
    }

    #[test]
    fn dropping_the_engine_ends_its_process() {
        let Some(mut engine) = engine_or_skip("dropping_the_engine_ends_its_process") else {
            return;
        };
        assert_eq!(one(&mut engine, "Hola.").text, "Hello.");
        let pid = engine.engine().unwrap().id().unwrap();
        drop(engine);
        if cfg!(target_os = "linux") {
            assert!(!Path::new(&format!("/proc/{pid}")).exists());
            assert!(!group_alive(pid));
        }
    }

    #[test]
    fn quotations_pairs_marks_and_skips_apostrophes() {
        let (marks, spans, apostrophes) = quotations("«Dijo “que ‘no’” y O’Donnell» «abierta");
        let glyphs: String = marks.iter().map(|m| m.glyph).collect();
        assert_eq!(glyphs, "«“‘’”»«");
        assert_eq!(apostrophes, ['’']);
        let pairs: Vec<(Option<usize>, Option<usize>)> =
            spans.iter().map(|s| (s.open, s.close)).collect();
        assert_eq!(
            pairs,
            [
                (Some(2), Some(3)),
                (Some(1), Some(4)),
                (Some(0), Some(5)),
                (Some(6), None)
            ]
        );
        assert_eq!(spans[3].runs, 7..=7);
    }

    #[test]
    fn low_marks_and_single_guillemets_pair_with_their_closing_marks() {
        let (marks, spans, apostrophes) =
            quotations("„Ja“, sagte er, „ nein “ ‚so‘ ‹x› ‚Rock’n’roll’");
        assert_eq!(marks_of("„Ja“, „ nein “ ‚so‘ ‹x›"), "„“„“‚‘‹›");
        assert_eq!(apostrophes, ['’', '’']);
        let opening: Vec<bool> = marks.iter().map(|m| m.opening).collect();
        assert_eq!(
            opening,
            [
                true, false, true, false, true, false, true, false, true, false
            ]
        );
        let pairs: Vec<(Option<usize>, Option<usize>)> =
            spans.iter().map(|s| (s.open, s.close)).collect();
        assert_eq!(
            pairs,
            [
                (Some(0), Some(1)),
                (Some(2), Some(3)),
                (Some(4), Some(5)),
                (Some(6), Some(7)),
                (Some(8), Some(9))
            ]
        );
    }

    #[test]
    fn parse_reads_tags_marks_and_unknown_words() {
        let parsed = parse("[«]we [[q1]]Go[[/]] [[q1]]*Zelenski[[/]]\\/#Take[»] 5[*]3[p7]");
        assert_eq!(parsed.marker, Some(7));
        let chunk = |text: &str, runs: &[usize], unknown| {
            Piece::Text(Chunk {
                text: text.into(),
                runs: runs.to_vec(),
                unknown,
            })
        };
        assert_eq!(
            parsed.pieces,
            [
                Piece::Mark,
                chunk("we ", &[], false),
                chunk("Go", &[1], false),
                chunk(" ", &[], false),
                chunk("Zelenski", &[1], true),
                chunk("/Take", &[], false),
                Piece::Mark,
                chunk(" 5*3", &[], false),
            ]
        );
    }

    #[test]
    fn lost_marks_are_put_back_from_the_tags() {
        let prepared = Prepared::new("El «coche» rojo.");
        let parsed = parse("[[q0]]The[[/]] [[q0]]red[[/]] [[q1]]car[[/]][[q2]].[[/]][p0]");
        assert_eq!(prepared.finish(parsed.pieces).text, "The red «car».");
    }

    #[test]
    fn encode_escapes_and_tags_runs() {
        let prepared = Prepared::new("  a^b «c*d» e  ");
        assert_eq!(prepared.lead, "  ");
        let encoded = String::from_utf8(prepared.encode(3)).unwrap();
        assert_eq!(
            encoded,
            "[[q0]]a[caret]b[[/]] [«][[q1]]c[*]d[[/]][»] [[q2]]e[[/]][p3]\0"
        );
        assert_eq!(
            String::from_utf8(Prepared::new("a/b").encode(0)).unwrap(),
            "a\\/b[p0]\0"
        );
    }
}
