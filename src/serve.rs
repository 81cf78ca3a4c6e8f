//! `paralelo serve`: builds the site, serves it on 127.0.0.1, rebuilds it when an input changes,
//! and reloads the pages open in a browser.
//!
//! Three parts share one [`Site`]: the rebuild loop (on the caller's thread) watches the inputs and
//! builds; a small HTTP server (one thread per connection, std only) serves the output folder; and
//! each open page listens on `/__paralelo/events` (server-sent events) for the next build. The
//! live-reload script is added to the HTML as it is served, never to the files on disk.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use notify::{RecursiveMode, Watcher};

use crate::config::{self, Overrides};
use crate::error::Location;
use crate::{BuildOptions, Error, Result};

/// The port `paralelo serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8000;

/// The server's own routes, matched before the site's files: the script the pages load, and the
/// stream of builds it listens to.
const SCRIPT_PATH: &str = "/__paralelo/live-reload.js";
const EVENTS_PATH: &str = "/__paralelo/events";

/// How long the inputs must be quiet before a rebuild: an editor's save, or a `git checkout`, is
/// a burst of events that should make one build.
const DEBOUNCE: Duration = Duration::from_millis(200);
/// A file that never stops changing still gets built this often.
const MAX_DELAY: Duration = Duration::from_secs(2);
/// How often the rebuild loop looks whether it was asked to stop.
const POLL: Duration = Duration::from_millis(100);
/// A client gets this long to send its request, and to take each part of the answer.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// An event stream says something this often, so that a closed page's stream is noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// The longest request head read; a GET needs far less.
const MAX_HEAD: u64 = 16 * 1024;

/// How to serve.
#[derive(Debug, Clone, Default)]
pub struct ServeSettings {
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Open the site in the default browser once it is built.
    pub open: bool,
    /// Stop on Ctrl-C (and SIGTERM). A process can have one such handler only, so the command line
    /// asks for it and tests, which stop through [`ServeSettings::stop`], do not.
    pub ctrl_c: bool,
    /// Stops the server from another thread.
    pub stop: StopHandle,
}

/// Asks a running [`serve`] to stop; clones share the request.
#[derive(Debug, Clone, Default)]
pub struct StopHandle(Arc<AtomicBool>);

impl StopHandle {
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes [`serve`] stop serving and return, within a fraction of a second.
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Builds the site, serves it on 127.0.0.1 and rebuilds it whenever a seed, a template, a static
/// file or the configuration changes, until stopped; `ready` gets the address once the first
/// build is done.
///
/// It takes the command line's [`Overrides`] rather than resolved [`BuildOptions`] so that an
/// edit to `paralelo.toml` is read again before the next build. A build that fails, or a
/// configuration that does not read, is reported in the terminal and on the open pages, and the
/// last good site stays served. Fails only when it cannot start: the configuration is wrong at
/// the start (there is nothing to serve yet), or the port or the file watcher cannot be had.
pub fn serve(
    overrides: Overrides,
    settings: ServeSettings,
    ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let options = config::resolve(overrides.clone())?;
    let (listener, addr) = bind(settings.port)?;
    if settings.ctrl_c {
        stop_on_ctrl_c(&settings.stop)?;
    }
    let (tx, events) = mpsc::channel();
    let watcher = notify::recommended_watcher(tx).map_err(watch_error)?;
    let site = Arc::new(Site::new(full_path(&options.out)));
    let mut builder = Builder::new(overrides, options, Arc::clone(&site), watcher);
    builder.rebuild(&[]);

    let server = {
        let site = Arc::clone(&site);
        let stop = settings.stop.clone();
        thread::Builder::new()
            .name("paralelo-http".into())
            .spawn(move || accept(&listener, &site, &stop))
            .map_err(|e| Error::io(&listen_path(addr.port()), "start the server thread", e))?
    };
    let url = format!("http://{addr}/");
    println!(
        "serving {} at {url} (Ctrl-C stops)",
        builder.options.out.display()
    );
    ready(addr);
    if settings.open {
        open_browser(&url);
    }

    builder.run_until(&events, &settings.stop);
    shut_down(addr, server, &site, &settings.stop);
    println!("stopped");
    Ok(())
}

/// Listens on 127.0.0.1 only: the server is for the author, not for the network.
fn bind(port: u16) -> Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(|e| {
        if e.kind() == io::ErrorKind::AddrInUse {
            Error::input(
                Location::file(&listen_path(port)),
                "the port is taken, maybe by another `paralelo serve`; pick another with --port N (0: any free port)",
            )
        } else {
            Error::io(&listen_path(port), "listen", e)
        }
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::io(&listen_path(port), "listen", e))?;
    Ok((listener, addr))
}

fn listen_path(port: u16) -> PathBuf {
    PathBuf::from(format!("127.0.0.1:{port}"))
}

/// Stops accepting, and closes the event streams, which ends their threads and tells the pages.
fn shut_down(addr: SocketAddr, server: thread::JoinHandle<()>, site: &Site, stop: &StopHandle) {
    stop.stop();
    // `accept` blocks until a connection comes: make one, so that it sees the stop. Without one,
    // the thread is left to end with the process rather than waited for in vain.
    if TcpStream::connect_timeout(&addr, IO_TIMEOUT).is_ok() && server.join().is_err() {
        eprintln!("warning: the server thread panicked");
    }
    lock(&site.listeners).clear();
}

fn watch_error(error: notify::Error) -> Error {
    Error::io(
        Path::new("."),
        "watch the files for changes",
        io::Error::other(error),
    )
}

fn stop_on_ctrl_c(stop: &StopHandle) -> Result<()> {
    let stop = stop.clone();
    ctrlc::set_handler(move || {
        if stop.is_stopped() {
            // A second Ctrl-C: the user does not want to wait for the build that is running.
            std::process::exit(130);
        }
        stop.stop();
    })
    .map_err(|e| Error::io(Path::new("Ctrl-C"), "set a handler", io::Error::other(e)))
}

/// Failing to open a browser is not a reason to stop serving.
fn open_browser(url: &str) {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let child = Command::new(program)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let warn = move |why: String| eprintln!("warning: cannot open a browser ({why}); open {url}");
    match child {
        // Waited for on its own thread, so that it does not linger as a zombie.
        Ok(mut child) => {
            let url = url.to_string();
            thread::spawn(move || match child.wait() {
                Ok(status) if !status.success() && !cfg!(windows) => eprintln!(
                    "warning: cannot open a browser ({program} exited with {status}); open {url}"
                ),
                Err(e) => eprintln!("warning: cannot open a browser ({e}); open {url}"),
                _ => {}
            });
        }
        Err(e) => warn(format!("{program}: {e}")),
    }
}

// ---------------------------------------------------------------------------------------------
// What the rebuild loop and the connections share.

/// The state of the site and the pages listening for its changes.
struct Site {
    state: Mutex<State>,
    /// One channel per open event stream.
    listeners: Mutex<Vec<Sender<Event>>>,
    /// Makes build ids unique across restarts of the server, so a page left open reloads.
    epoch: u128,
    builds: AtomicU64,
}

#[derive(Debug, Clone)]
struct State {
    /// The folder served: the output of the last good build.
    root: PathBuf,
    /// Names the last good build; a page served from an earlier one reloads.
    build: String,
    /// Why the last build failed, shown on every page until one succeeds.
    error: Option<String>,
}

/// What an event stream tells a page.
#[derive(Debug, Clone)]
enum Event {
    /// A build succeeded; its id.
    Built(String),
    /// A build failed; the message.
    Failed(String),
}

impl Site {
    fn new(root: PathBuf) -> Self {
        let epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        Site {
            state: Mutex::new(State {
                root,
                build: format!("{epoch:x}-0"),
                error: None,
            }),
            listeners: Mutex::new(Vec::new()),
            epoch,
            builds: AtomicU64::new(0),
        }
    }

    fn state(&self) -> State {
        lock(&self.state).clone()
    }

    fn succeeded(&self, root: PathBuf) {
        let number = self.builds.fetch_add(1, Ordering::SeqCst) + 1;
        let build = format!("{:x}-{number}", self.epoch);
        *lock(&self.state) = State {
            root,
            build: build.clone(),
            error: None,
        };
        self.broadcast(&Event::Built(build));
    }

    fn failed(&self, message: String) {
        lock(&self.state).error = Some(message.clone());
        self.broadcast(&Event::Failed(message));
    }

    /// Sends to every open stream, forgetting the streams that have closed.
    fn broadcast(&self, event: &Event) {
        lock(&self.listeners).retain(|listener| listener.send(event.clone()).is_ok());
    }
}

/// A panic on one connection's thread must not take the site down with it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

// ---------------------------------------------------------------------------------------------
// Watching and rebuilding.

struct Builder {
    overrides: Overrides,
    /// The file `config::resolve` reads for `overrides`.
    config_path: PathBuf,
    /// The options of the last configuration that read: they say what to watch.
    options: BuildOptions,
    plan: WatchPlan,
    site: Arc<Site>,
    watcher: notify::RecommendedWatcher,
    watching: Vec<(PathBuf, RecursiveMode)>,
    /// Whether a build has succeeded yet.
    built: bool,
}

impl Builder {
    fn new(
        overrides: Overrides,
        options: BuildOptions,
        site: Arc<Site>,
        watcher: notify::RecommendedWatcher,
    ) -> Self {
        // The file `config::resolve` reads.
        let config_path = overrides
            .config
            .clone()
            .unwrap_or_else(|| PathBuf::from(config::FILE_NAME));
        Builder {
            plan: WatchPlan::new(&options, &config_path),
            config_path,
            overrides,
            options,
            site,
            watcher,
            watching: Vec::new(),
            built: false,
        }
    }

    /// Rebuilds after each burst of changes until `stop`.
    fn run_until(&mut self, events: &Receiver<notify::Result<notify::Event>>, stop: &StopHandle) {
        while !stop.is_stopped() {
            let mut changed = Vec::new();
            match events.recv_timeout(POLL) {
                Ok(event) => {
                    if !self.note(event, &mut changed) {
                        continue;
                    }
                }
                Err(RecvTimeoutError::Timeout) => continue,
                // The watcher is ours and alive as long as `self`; this cannot happen, but if it
                // did, serving on without rebuilds is the most useful thing left to do.
                Err(RecvTimeoutError::Disconnected) => {
                    thread::sleep(POLL);
                    continue;
                }
            }
            if self.settle(events, stop, &mut changed) {
                self.rebuild(&changed);
            }
        }
    }

    /// Waits until the inputs have been quiet for [`DEBOUNCE`], gathering the changed paths;
    /// false when asked to stop meanwhile.
    fn settle(
        &self,
        events: &Receiver<notify::Result<notify::Event>>,
        stop: &StopHandle,
        changed: &mut Vec<PathBuf>,
    ) -> bool {
        let started = Instant::now();
        let mut last = Instant::now();
        loop {
            if stop.is_stopped() {
                return false;
            }
            let quiet = last.elapsed();
            if quiet >= DEBOUNCE || started.elapsed() >= MAX_DELAY {
                return true;
            }
            match events.recv_timeout(DEBOUNCE - quiet) {
                Ok(event) => {
                    if self.note(event, changed) {
                        last = Instant::now();
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return true,
            }
        }
    }

    /// Keeps the paths of `event` that are inputs of the build; true if there were any.
    fn note(&self, event: notify::Result<notify::Event>, changed: &mut Vec<PathBuf>) -> bool {
        let event = match event {
            Ok(event) => event,
            Err(e) => {
                eprintln!("warning: watching files: {e}");
                return false;
            }
        };
        // The build opens every seed: counting reads as changes would rebuild forever.
        if matches!(event.kind, notify::EventKind::Access(kind)
            if kind != notify::event::AccessKind::Close(notify::event::AccessMode::Write))
        {
            return false;
        }
        let before = changed.len();
        changed.extend(event.paths.into_iter().filter(|p| self.plan.is_input(p)));
        changed.len() > before
    }

    /// Builds with the configuration as it is now, and tells the pages.
    fn rebuild(&mut self, changed: &[PathBuf]) {
        let started = Instant::now();
        let resolved = config::resolve(self.overrides.clone());
        if let Ok(options) = &resolved {
            // Even if this build fails, the new configuration says what to watch for the fix.
            self.options = options.clone();
            self.plan = WatchPlan::new(&self.options, &self.config_path);
        }
        // Watching before building: an edit saved during the build makes another one.
        self.update_watches(changed);
        match resolved.and_then(|options| crate::build(&options)) {
            Ok(report) => {
                self.report_success(&report, changed, started.elapsed());
                self.site.succeeded(full_path(&self.options.out));
                self.built = true;
            }
            Err(error) => {
                let message = error.to_string();
                for line in message.lines() {
                    eprintln!("error: {line}");
                }
                eprintln!(
                    "{}",
                    if self.built {
                        "still serving the last good build"
                    } else {
                        "nothing to serve until the build succeeds"
                    }
                );
                self.site.failed(message);
            }
        }
    }

    fn report_success(&self, report: &crate::BuildReport, changed: &[PathBuf], took: Duration) {
        for warning in &report.warnings {
            eprintln!("warning: {warning}");
        }
        // The notes do not change between builds: say them once.
        if !self.built {
            for note in &report.notes {
                eprintln!("note: {note}");
            }
        }
        let cause = match changed {
            [] => String::new(),
            // One save often reports its file several times; the last path is the one saved
            // (an editor writing a temporary file and renaming it names that one first).
            [rest @ .., last] => {
                let here = full_path(Path::new("."));
                let name = last.strip_prefix(&here).unwrap_or(last).display();
                if rest.iter().all(|p| p == last) {
                    format!("{name} changed: ")
                } else {
                    format!("{name} and more changed: ")
                }
            }
        };
        println!(
            "{cause}{} {} page{} in {:.1} s",
            if self.built { "rebuilt" } else { "built" },
            report.pages,
            if report.pages == 1 { "" } else { "s" },
            took.as_secs_f64()
        );
    }

    /// Watches what the current options name, and watches again a folder that was replaced.
    fn update_watches(&mut self, changed: &[PathBuf]) {
        let wanted = self.plan.watches();
        let (keep, drop): (Vec<_>, Vec<_>) = std::mem::take(&mut self.watching)
            .into_iter()
            .partition(|w| wanted.contains(w) && !changed.contains(&w.0));
        for (path, _) in drop {
            // It may be gone already, which is fine.
            let _ = self.watcher.unwatch(&path);
        }
        self.watching = keep;
        for (path, mode) in wanted {
            if self.watching.iter().any(|(p, _)| *p == path) {
                continue;
            }
            match self.watcher.watch(&path, mode) {
                Ok(()) => self.watching.push((path, mode)),
                // A missing folder is the build's to report; it is watched once it is there.
                Err(_) if !path.exists() => {}
                Err(e) => eprintln!("warning: cannot watch {}: {e}", path.display()),
            }
        }
    }
}

/// What to watch for a build's options, and which changed paths are its inputs.
struct WatchPlan {
    /// Watched with everything inside: the seeds, templates and static folders.
    trees: Vec<PathBuf>,
    /// The configuration file; its folder is watched alone, since editors often replace a file
    /// instead of writing it, which a watch on the file itself would lose.
    config: PathBuf,
    /// The default `templates/` and `static/`: their appearing changes the build.
    defaults: Vec<PathBuf>,
    /// The build's own writes: the output, its staging folders, the translation cache.
    ignored: Vec<PathBuf>,
    /// Staging folders are named `.<out>.paralelo-…` beside the output (see `site::Staging`).
    staging: (PathBuf, String),
}

impl WatchPlan {
    fn new(options: &BuildOptions, config_path: &Path) -> Self {
        let folder = |given: &Option<PathBuf>, default: &str| {
            full_path(given.as_deref().unwrap_or(Path::new(default)))
        };
        let out = full_path(&options.out);
        let out_name = out
            .file_name()
            .map_or("public".into(), |n| n.to_string_lossy());
        let staging = (
            out.parent().map(Path::to_path_buf).unwrap_or_default(),
            format!(".{out_name}.paralelo-"),
        );
        let mut ignored = vec![out.clone()];
        ignored.extend(
            options
                .machine
                .as_ref()
                .and_then(|m| m.cache_dir.as_deref())
                .map(full_path),
        );
        WatchPlan {
            trees: vec![
                full_path(&options.seeds),
                folder(&options.templates, "templates"),
                folder(&options.static_dir, "static"),
            ],
            config: full_path(config_path),
            defaults: vec![
                full_path(Path::new("templates")),
                full_path(Path::new("static")),
            ],
            ignored,
            staging,
        }
    }

    /// Each folder once; where one is both a tree and the configuration's folder (`--seeds .`),
    /// the recursive watch, which sees everything the other would.
    fn watches(&self) -> Vec<(PathBuf, RecursiveMode)> {
        let trees = self
            .trees
            .iter()
            .map(|t| (t.as_path(), RecursiveMode::Recursive));
        let config = self
            .config
            .parent()
            .map(|folder| (folder, RecursiveMode::NonRecursive));
        let mut watches: Vec<(PathBuf, RecursiveMode)> = Vec::new();
        for (path, mode) in trees.chain(config) {
            if !watches.iter().any(|(p, _)| p == path) {
                watches.push((path.to_path_buf(), mode));
            }
        }
        watches
    }

    fn is_input(&self, path: &Path) -> bool {
        let in_staging = path.strip_prefix(&self.staging.0).is_ok_and(|rest| {
            rest.iter()
                .next()
                .is_some_and(|first| first.to_string_lossy().starts_with(&self.staging.1))
        });
        if in_staging || self.ignored.iter().any(|p| path.starts_with(p)) || is_scratch(path) {
            return false;
        }
        path == self.config
            || self.defaults.iter().any(|d| path == d)
            || self.trees.iter().any(|tree| path.starts_with(tree))
    }
}

/// Editors' swap, backup and lock files, which are no input of the build.
fn is_scratch(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.starts_with(".#")
        || name == "4913"
}

/// An absolute path with the links of its existing part resolved, so that paths compare equal
/// to those the watcher reports and to those a request resolves to.
fn full_path(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    for ancestor in absolute.ancestors() {
        if let Ok(real) = ancestor.canonicalize() {
            let rest = absolute.strip_prefix(ancestor).unwrap_or(Path::new(""));
            return real.join(rest);
        }
    }
    absolute
}

// ---------------------------------------------------------------------------------------------
// The HTTP server: GET and HEAD of the output folder's files, plus the live-reload routes.

fn accept(listener: &TcpListener, site: &Arc<Site>, stop: &StopHandle) {
    for stream in listener.incoming() {
        if stop.is_stopped() {
            return;
        }
        match stream {
            Ok(stream) => {
                let site = Arc::clone(site);
                let spawned = thread::Builder::new()
                    .name("paralelo-connection".into())
                    .spawn(move || handle(stream, &site));
                if let Err(e) = spawned {
                    eprintln!("warning: cannot answer a request: {e}");
                }
            }
            Err(e) => {
                eprintln!("warning: cannot accept a connection: {e}");
                // Out of file descriptors, say: give the open connections time to close.
                thread::sleep(POLL);
            }
        }
    }
}

/// An answer, written whole.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Response {
    fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            headers: vec![("Content-Type", content_type.to_string())],
            body: body.into(),
        }
    }

    fn text(status: u16, text: &str) -> Self {
        Response::new(status, "text/plain; charset=utf-8", format!("{text}\n"))
    }

    fn write_to(&self, stream: &mut impl Write, head_only: bool) -> io::Result<()> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        // no-store: a reload must show the new build, not a cached page or style sheet.
        head.push_str(&format!(
            "Content-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
            self.body.len()
        ));
        stream.write_all(head.as_bytes())?;
        if !head_only {
            stream.write_all(&self.body)?;
        }
        stream.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Internal Server Error",
    }
}

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
struct Request {
    method: String,
    target: String,
}

fn handle(mut stream: TcpStream, site: &Site) {
    // Timeouts keep a silent or stalled client from holding a thread for ever.
    let timeouts = stream
        .set_read_timeout(Some(IO_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(IO_TIMEOUT)));
    if timeouts.is_err() {
        return;
    }
    let request = match read_request(&mut stream) {
        Ok(request) => request,
        Err(_) => {
            // The client is gone or spoke no HTTP; it may not be listening for an answer.
            let _ = Response::text(400, "bad request").write_to(&mut stream, false);
            return;
        }
    };
    let head_only = request.method == "HEAD";
    let path = request.target.split(['?', '#']).next().unwrap_or("");
    if path == EVENTS_PATH && request.method == "GET" {
        stream_events(stream, site);
        return;
    }
    // A write error means the client went away: nothing is left to tell it.
    let _ = respond(&request, site).write_to(&mut stream, head_only);
}

/// Reads the request line and skips the headers, which this server does not need.
fn read_request(stream: &mut TcpStream) -> io::Result<Request> {
    let mut reader = BufReader::new(Read::by_ref(stream).take(MAX_HEAD));
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut words = line.split_ascii_whitespace();
    let (Some(method), Some(target), Some(version)) = (words.next(), words.next(), words.next())
    else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "no request line",
        ));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "not HTTP/1"));
    }
    let request = Request {
        method: method.to_string(),
        target: target.to_string(),
    };
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
            return Ok(request);
        }
    }
}

fn respond(request: &Request, site: &Site) -> Response {
    if request.method != "GET" && request.method != "HEAD" {
        let mut response = Response::text(405, "only GET and HEAD");
        response.headers.push(("Allow", "GET, HEAD".to_string()));
        return response;
    }
    // Only paths: an absolute URL, `*` or a Windows path is no file of the site.
    if !request.target.starts_with('/') {
        return Response::text(400, "bad request target");
    }
    let path = request.target.split(['?', '#']).next().unwrap_or("/");
    // Read before the file: if a build lands in between, the page is newer than its id says and
    // reloads once more, rather than missing the build.
    let state = site.state();
    if path == SCRIPT_PATH {
        return Response::new(200, "text/javascript; charset=utf-8", LIVE_RELOAD_JS);
    }
    match find_file(&state.root, path) {
        Found::File(file) => serve_file(&file, &state, 200),
        Found::Folder(location) => {
            // `/slug` must become `/slug/`, or the page's relative links would miss.
            let mut response = Response::text(301, &format!("see {location}"));
            response.headers.push(("Location", location));
            response
        }
        Found::Missing => not_found(&state),
        Found::Refused => Response::text(403, "outside the site"),
        Found::Malformed => Response::text(400, "bad path"),
    }
}

fn serve_file(file: &Path, state: &State, status: u16) -> Response {
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        // Swapped out by a build between finding and reading it, say.
        Err(_) => return Response::text(404, "not found"),
    };
    let content_type = content_type(file);
    if content_type.starts_with("text/html") {
        let html = String::from_utf8_lossy(&bytes);
        return Response::new(status, content_type, with_live_reload(&html, &state.build));
    }
    Response::new(status, content_type, bytes)
}

/// The site's own 404 page when it has one; a bare page otherwise, still with the live reload, so
/// that the page shows the error of a first build that failed and reloads when it is fixed.
fn not_found(state: &State) -> Response {
    let page = state.root.join("404.html");
    if page.is_file() {
        return serve_file(&page, state, 404);
    }
    let html = concat!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n",
        "<head>\n<meta charset=\"utf-8\">\n<title>Not found</title>\n</head>\n",
        "<body>\n<p>Not found.</p>\n</body>\n</html>\n",
    );
    Response::new(
        404,
        "text/html; charset=utf-8",
        with_live_reload(html, &state.build),
    )
}

/// Where a URL path leads in the served folder.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    File(PathBuf),
    /// A folder asked for without its final `/`: where to send the browser.
    Folder(String),
    Missing,
    /// The path would lead outside the folder.
    Refused,
    /// The path's `%` escapes are not UTF-8.
    Malformed,
}

fn find_file(root: &Path, url_path: &str) -> Found {
    let Some(decoded) = percent_decode(url_path) else {
        return Found::Malformed;
    };
    let Some(segments) = segments(&decoded) else {
        return Found::Refused;
    };
    let path = segments.iter().fold(root.to_path_buf(), |p, s| p.join(s));
    // The build writes no links, but a static folder could bring one that points elsewhere.
    match (path.canonicalize(), root.canonicalize()) {
        (Ok(real), Ok(root)) if !real.starts_with(&root) => return Found::Refused,
        (Ok(_), Ok(_)) => {}
        _ => return Found::Missing,
    }
    if path.is_file() {
        return Found::File(path);
    }
    if !path.is_dir() {
        return Found::Missing;
    }
    if !decoded.ends_with('/') {
        let encoded: Vec<String> = segments.iter().map(|s| percent_encode(s)).collect();
        return Found::Folder(format!("/{}/", encoded.join("/")));
    }
    let index = path.join("index.html");
    if index.is_file() {
        Found::File(index)
    } else {
        Found::Missing
    }
}

/// The path's names, or `None` if one of them could climb out of the folder or name another
/// drive: `..` (also when written `%2e%2e`), a backslash, a colon, a NUL.
fn segments(decoded: &str) -> Option<Vec<&str>> {
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            s if s.contains(['\\', ':', '\0']) => return None,
            s => segments.push(s),
        }
    }
    Some(segments)
}

fn percent_decode(text: &str) -> Option<String> {
    let hex = |b: u8| char::from(b).to_digit(16);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let high = hex(*bytes.get(i + 1)?)?;
            let low = hex(*bytes.get(i + 2)?)?;
            out.push(u8::try_from(high * 16 + low).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match extension.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("xml") => "application/xml; charset=utf-8",
        Some("md") => "text/markdown; charset=utf-8",
        Some("txt") => "text/plain; charset=utf-8",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

// ---------------------------------------------------------------------------------------------
// Live reload.

/// Sends the page the current build (and error, if the last build failed), then every build,
/// until the page closes or the server stops.
fn stream_events(mut stream: TcpStream, site: &Site) {
    let (tx, rx) = mpsc::channel();
    // Listen before reading the state, so that a build that lands in between is sent, not lost.
    lock(&site.listeners).push(tx);
    let state = site.state();
    let mut start = String::from(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\nretry: 1000\n\n",
    );
    start.push_str(&Event::Built(state.build).to_sse());
    if let Some(error) = state.error {
        start.push_str(&Event::Failed(error).to_sse());
    }
    let mut chunk = start;
    loop {
        if stream
            .write_all(chunk.as_bytes())
            .and_then(|()| stream.flush())
            .is_err()
        {
            return;
        }
        chunk = match rx.recv_timeout(KEEP_ALIVE) {
            Ok(event) => event.to_sse(),
            Err(RecvTimeoutError::Timeout) => ": still here\n\n".to_string(),
            // The server is stopping.
            Err(RecvTimeoutError::Disconnected) => return,
        };
    }
}

impl Event {
    /// The event in the `text/event-stream` format; each line of a message is one `data:` line,
    /// which the browser joins back with newlines.
    fn to_sse(&self) -> String {
        let (name, data) = match self {
            Event::Built(id) => ("build", id.as_str()),
            Event::Failed(message) => ("build-failed", message.as_str()),
        };
        let mut text = format!("event: {name}\n");
        for line in data.lines() {
            // A lone carriage return would end the line early.
            text.push_str(&format!("data: {}\n", line.replace('\r', " ")));
        }
        text.push('\n');
        text
    }
}

/// Served at [`SCRIPT_PATH`]. The error is put in with `textContent`: it quotes the seed.
const LIVE_RELOAD_JS: &str = r##"// paralelo serve: reloads the page after each build, shows why a build failed.
// Added by `paralelo serve` to the pages it serves; never part of the built site.
"use strict";
(function () {
  var served = new URL(document.currentScript.src).searchParams.get("build");
  var events = new EventSource("/__paralelo/events");
  var overlay = null;

  events.addEventListener("build", function (event) {
    // A page from an earlier build (or from before the server restarted) is stale.
    if (event.data !== served) {
      window.location.reload();
    } else {
      hide();
    }
  });
  events.addEventListener("build-failed", function (event) {
    show(event.data);
  });

  function show(message) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "paralelo-build-error";
      overlay.setAttribute("role", "alert");
      overlay.lang = "en";
      // Property by property: the page's policy forbids style attributes, not the CSSOM.
      Object.assign(overlay.style, {
        position: "fixed", left: "0", right: "0", bottom: "0", zIndex: "2147483647",
        maxHeight: "60vh", overflow: "auto", margin: "0", padding: "1em",
        background: "#fff0f0", color: "#600", borderTop: "3px solid #c00",
        font: "14px/1.4 ui-monospace, monospace"
      });
      var title = document.createElement("strong");
      title.textContent = "The build failed; this page is from the last good build.";
      var text = document.createElement("pre");
      Object.assign(text.style, { whiteSpace: "pre-wrap", margin: "0.5em 0 0" });
      overlay.append(title, text);
      (document.body || document.documentElement).append(overlay);
    }
    overlay.querySelector("pre").textContent = message;
  }

  function hide() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }
})();
"##;

/// Adds the live-reload script before `</head>` and lets the page's policy load it and open the
/// event stream.
fn with_live_reload(html: &str, build: &str) -> String {
    let html = allow_live_reload(html);
    let tag = format!(r#"<script src="{SCRIPT_PATH}?build={build}"></script>"#);
    match find_ignoring_case(&html, "</head>", 0) {
        Some(at) => format!("{}{tag}\n{}", &html[..at], &html[at..]),
        // A template without a head: the browser still runs a script at the end.
        None => format!("{html}{tag}\n"),
    }
}

/// Rewrites each `<meta http-equiv="Content-Security-Policy">` so that the page may load a
/// script from its own origin and connect back to it; a policy of `default-src 'none'` blocks
/// the event stream otherwise.
fn allow_live_reload(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = 0;
    let mut from = 0;
    while let Some(start) = find_ignoring_case(html, "<meta", from) {
        let Some(end) = html[start..].find('>').map(|e| start + e) else {
            break;
        };
        from = end;
        let tag = &html[start..end];
        let attributes = attributes(tag);
        let is_policy = attributes.iter().any(|(name, value)| {
            name.eq_ignore_ascii_case("http-equiv")
                && value.eq_ignore_ascii_case("content-security-policy")
        });
        let content = attributes
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content"));
        if let (true, Some((_, policy))) = (is_policy, content) {
            let policy = allow_self(policy);
            out.push_str(&html[rest..start]);
            out.push_str(&format!(
                r#"<meta http-equiv="Content-Security-Policy" content="{}""#,
                policy.replace('&', "&amp;").replace('"', "&quot;")
            ));
            rest = end;
        }
    }
    out.push_str(&html[rest..]);
    out
}

/// The attributes of a start tag (without its `>`), values unquoted and their few entities read.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut attributes = Vec::new();
    let mut rest = tag.trim_start_matches('<');
    // Skip the element's name.
    rest = rest.trim_start_matches(|c: char| !c.is_ascii_whitespace() && c != '/');
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        let name_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        if name_end == 0 {
            return attributes;
        }
        let name = rest[..name_end].to_string();
        rest = rest[name_end..].trim_start();
        let Some(after) = rest.strip_prefix('=') else {
            attributes.push((name, String::new()));
            continue;
        };
        let after = after.trim_start();
        let (value, remaining) = match after.chars().next() {
            Some(quote @ ('"' | '\'')) => {
                let inner = &after[1..];
                let close = inner.find(quote).unwrap_or(inner.len());
                (&inner[..close], inner.get(close + 1..).unwrap_or(""))
            }
            _ => {
                let end = after
                    .find(|c: char| c.is_ascii_whitespace())
                    .unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        attributes.push((name, decode_entities(value)));
        rest = remaining;
    }
}

/// The entities a policy may be written with.
fn decode_entities(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Lets `script-src` and `connect-src` allow `'self'`. A directive the policy leaves out falls
/// back to `default-src`, so it is added as a copy of that one plus `'self'`; without
/// `default-src` there is nothing to loosen.
fn allow_self(policy: &str) -> String {
    let mut directives: Vec<(String, Vec<String>)> = policy
        .split(';')
        .filter_map(|directive| {
            let mut words = directive.split_ascii_whitespace();
            let name = words.next()?.to_ascii_lowercase();
            Some((name, words.map(str::to_string).collect()))
        })
        .collect();
    let default = directives
        .iter()
        .find(|(name, _)| name == "default-src")
        .map(|(_, sources)| sources.clone());
    for wanted in ["script-src", "connect-src"] {
        match directives.iter_mut().find(|(name, _)| name == wanted) {
            Some((_, sources)) => add_self(sources),
            None => {
                if let Some(mut sources) = default.clone() {
                    add_self(&mut sources);
                    directives.push((wanted.to_string(), sources));
                }
            }
        }
    }
    directives
        .iter()
        .map(|(name, sources)| {
            std::iter::once(name.as_str())
                .chain(sources.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn add_self(sources: &mut Vec<String>) {
    // `'none'` beside another source is an error in the browser's eyes.
    sources.retain(|s| !s.eq_ignore_ascii_case("'none'"));
    if !sources
        .iter()
        .any(|s| s.eq_ignore_ascii_case("'self'") || s == "*")
    {
        sources.push("'self'".to_string());
    }
}

/// Where `needle` (ASCII) starts in `haystack` at or after `from`, ignoring ASCII case.
fn find_ignoring_case(haystack: &str, needle: &str, from: usize) -> Option<usize> {
    let bytes = haystack.as_bytes();
    let needle = needle.as_bytes();
    (from..=bytes.len().checked_sub(needle.len())?)
        .find(|&i| bytes[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

    #[test]
    fn policy_gains_connect_src_and_keeps_the_rest() {
        assert_eq!(
            allow_self(POLICY),
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; connect-src 'self'"
        );
        assert_eq!(
            allow_self("default-src 'none'"),
            "default-src 'none'; script-src 'self'; connect-src 'self'"
        );
        assert_eq!(
            allow_self("connect-src 'none'; img-src *"),
            "connect-src 'self'; img-src *"
        );
    }

    #[test]
    fn script_goes_before_head_end_and_policy_is_rewritten() {
        let html = format!(
            "<html><HEAD><meta http-equiv='Content-Security-Policy' content=\"{POLICY}\"><meta name=\"generator\" content=\"paralelo\"></HEAD><body>x</body></html>"
        );
        let served = with_live_reload(&html, "b-1");
        assert!(
            served.contains(r#"<script src="/__paralelo/live-reload.js?build=b-1"></script>"#),
            "{served}"
        );
        assert!(served.find("live-reload").unwrap() < served.find("</HEAD>").unwrap());
        assert!(
            served.contains("form-action 'none'; connect-src 'self'\">"),
            "{served}"
        );
        assert!(served.contains(r#"<meta name="generator" content="paralelo">"#));
        assert!(with_live_reload("<p>x</p>", "b").ends_with("</script>\n"));
    }

    #[test]
    fn paths_that_climb_out_are_refused() {
        for path in [
            "/../x",
            "/a/../../x",
            "/%2e%2e/x",
            "/%2E%2E%2Fx",
            "/a/..%5c..%5cx",
            "/C:/x",
        ] {
            let decoded = percent_decode(path).unwrap();
            assert_eq!(segments(&decoded), None, "{path}");
        }
        assert_eq!(percent_decode("/%zz"), None);
        assert_eq!(percent_decode("/%+1"), None);
        assert_eq!(percent_decode("/%C3%A1").as_deref(), Some("/á"));
        assert_eq!(segments("//a/./b/").unwrap(), ["a", "b"]);
    }

    #[test]
    fn error_events_keep_every_line() {
        let text = Event::Failed("a.txt:3: bad\nsecond\r line".into()).to_sse();
        assert_eq!(
            text,
            "event: build-failed\ndata: a.txt:3: bad\ndata: second  line\n\n"
        );
    }
}
