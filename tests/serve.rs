//! `paralelo serve` end to end: a real server on a free port of 127.0.0.1, talked to over plain
//! HTTP, while the test edits the project's files. Every wait is bounded.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

mod common;

use common::Server;
use paralelo::config::Overrides;

/// Long enough for a debug build on a busy machine; a rebuild takes well under a second.
const WAIT: Duration = Duration::from_secs(10);

const SEED: &str = "Foto de archivo. - Agencia\nPublicado: lunes, 3 marzo 2025 10:00\n\nPrimer párrafo.\n\nSegundo párrafo.\n";
const TRANSLATION: &str = "Archive photo. - Agency\nPublished: Monday, 3 March 2025, 10:00\n\nFirst paragraph.\n\nSecond paragraph.\n";

/// A project in a temporary folder, with its own copies of the templates and static files so
/// that the server watches nothing outside it.
struct Project {
    dir: tempfile::TempDir,
    seeds: PathBuf,
    config: PathBuf,
}

impl Project {
    fn new(seed: &str, translation: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let seeds = root.join("seeds");
        fs::create_dir(&seeds).unwrap();
        fs::write(seeds.join("a.txt"), seed).unwrap();
        fs::write(seeds.join("a.en.txt"), translation).unwrap();
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        for folder in ["templates", "static"] {
            fs::create_dir(root.join(folder)).unwrap();
            for entry in fs::read_dir(manifest.join(folder)).unwrap() {
                let entry = entry.unwrap();
                fs::copy(entry.path(), root.join(folder).join(entry.file_name())).unwrap();
            }
        }
        let project = Project {
            config: root.join("paralelo.toml"),
            seeds,
            dir,
        };
        project.write_config("Primera portada");
        project
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Paths in the configuration are relative to the working folder, so they are written whole.
    fn write_config(&self, title: &str) {
        let config = format!(
            "title = \"{title}\"\nmarkdown_files = true\nseeds = '{}'\nout = '{}'\ntemplates = '{}'\nstatic = '{}'\n[translation]\nengine = \"none\"\n",
            self.seeds.display(),
            self.path("public").display(),
            self.path("templates").display(),
            self.path("static").display(),
        );
        fs::write(&self.config, config).unwrap();
    }

    fn overrides(&self) -> Overrides {
        Overrides {
            config: Some(self.config.clone()),
            ..Default::default()
        }
    }
}

/// A server running on its own thread (see `common::Server`), asked for pages.
trait Get {
    fn get(&self, target: &str) -> Reply;
}

impl Get for Server {
    fn get(&self, target: &str) -> Reply {
        request(self.addr, "GET", target)
    }
}

struct Reply {
    status: u16,
    head: String,
    body: String,
    bytes: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// One HTTP/1.1 request, the target sent exactly as given.
fn request(addr: SocketAddr, method: &str, target: &str) -> Reply {
    request_with(addr, method, target, "")
}

/// One HTTP/1.1 request with more header lines (each ending in `\r\n`), sent as raw bytes so
/// that no client tidies the target.
fn request_with(addr: SocketAddr, method: &str, target: &str, headers: &str) -> Reply {
    let mut stream = TcpStream::connect_timeout(&addr, WAIT).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\n{headers}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    let (head, body) = match bytes.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(end) => (&bytes[..end], &bytes[end + 4..]),
        None => (&bytes[..], &[][..]),
    };
    let head = String::from_utf8_lossy(head).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    Reply {
        status,
        body: String::from_utf8_lossy(body).into_owned(),
        bytes: body.to_vec(),
        head,
    }
}

/// Asks until `check` is satisfied; panics, with the last reply, after [`WAIT`].
fn poll(server: &Server, target: &str, check: impl Fn(&Reply) -> bool) -> Reply {
    let deadline = Instant::now() + WAIT;
    loop {
        let reply = server.get(target);
        if check(&reply) {
            return reply;
        }
        assert!(
            Instant::now() < deadline,
            "{target} never changed as expected; last reply:\n{}\n\n{}",
            reply.head,
            reply.body
        );
        thread::sleep(Duration::from_millis(50));
    }
}

/// A connection to `/__paralelo/events`, read event by event.
struct Events(BufReader<TcpStream>);

impl Events {
    fn open(server: &Server) -> Events {
        let mut stream = TcpStream::connect_timeout(&server.addr, WAIT).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        write!(
            stream,
            "GET /__paralelo/events HTTP/1.1\r\nHost: {}\r\n\r\n",
            server.addr
        )
        .unwrap();
        let mut events = Events(BufReader::new(stream));
        let status = events.line().expect("no answer");
        assert!(status.starts_with("HTTP/1.1 200"), "{status}");
        let mut headers = String::new();
        while let Some(line) = events.line().filter(|l| !l.is_empty()) {
            headers.push_str(&line);
            headers.push('\n');
        }
        assert!(headers.contains("text/event-stream"), "{headers}");
        events
    }

    /// A line without its end, or `None` at the end of the stream.
    fn line(&mut self) -> Option<String> {
        let mut line = String::new();
        match self.0.read_line(&mut line) {
            Ok(0) => None,
            Ok(_) => Some(line.trim_end_matches(['\r', '\n']).to_string()),
            Err(e) => panic!("no event within {WAIT:?}: {e}"),
        }
    }

    /// The next named event, its data lines joined as the browser joins them.
    fn next(&mut self) -> Option<(String, String)> {
        let (mut name, mut data) = (String::new(), Vec::new());
        loop {
            let line = self.line()?;
            if line.is_empty() {
                if !name.is_empty() {
                    return Some((name, data.join("\n")));
                }
            } else if let Some(value) = line.strip_prefix("event: ") {
                name = value.to_string();
            } else if let Some(value) = line.strip_prefix("data: ") {
                data.push(value.to_string());
            }
        }
    }

    fn expect(&mut self, name: &str) -> String {
        let (got, data) = self.next().expect("the event stream ended");
        assert_eq!(got, name, "{data}");
        data
    }
}

fn script_tag(reply: &Reply) -> bool {
    reply
        .body
        .contains(r#"<script src="/__paralelo/live-reload.js?build="#)
}

#[test]
fn serves_the_site_and_rebuilds_it_on_every_change() {
    let project = Project::new(SEED, TRANSLATION);
    let server = Server::start(project.overrides(), WAIT);

    let index = server.get("/");
    assert_eq!(index.status, 200, "{}", index.body);
    assert_eq!(
        index.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(index.body.contains("Primera portada"), "{}", index.body);
    assert!(index.body.contains(r#"href="a/index.html""#));
    assert!(script_tag(&index), "{}", index.body);
    assert!(
        index
            .body
            .contains("form-action 'none'; connect-src 'self'\">"),
        "{}",
        index.body
    );
    // Only what is served has the script; the built site does not.
    let on_disk = fs::read_to_string(project.path("public/index.html")).unwrap();
    assert!(!on_disk.contains("live-reload") && !on_disk.contains("connect-src"));

    let page = server.get("/a/index.html");
    assert!(page.body.contains("Primer párrafo."), "{}", page.body);
    assert!(script_tag(&page));
    // A folder asked for without its `/` is sent there, or the page's relative links would miss
    // (307, `ServeDir`'s choice; with `no-store`, no browser keeps it).
    let folder = server.get("/a");
    assert_eq!(
        (folder.status, folder.header("Location")),
        (307, Some("/a/"))
    );
    assert!(server.get("/a/").body.contains("Primer párrafo."));
    for (target, content_type) in [
        ("/style.css", "text/css; charset=utf-8"),
        ("/paralelo.js", "text/javascript; charset=utf-8"),
        ("/a/es.md", "text/markdown; charset=utf-8"),
        (
            "/__paralelo/live-reload.js",
            "text/javascript; charset=utf-8",
        ),
    ] {
        let reply = server.get(target);
        assert_eq!(reply.status, 200, "{target}");
        assert_eq!(reply.header("Content-Type"), Some(content_type), "{target}");
    }
    let missing = server.get("/no/such/page.html");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("This page is not here") && script_tag(&missing));

    let mut events = Events::open(&server);
    let first = events.expect("build");

    // An edited seed is rebuilt and the open pages are told, once.
    fs::write(
        project.seeds.join("a.txt"),
        SEED.replace("Primer párrafo.", "Párrafo reescrito."),
    )
    .unwrap();
    poll(&server, "/a/", |r| r.body.contains("Párrafo reescrito."));
    let second = events.expect("build");
    assert_ne!(first, second);

    // A broken translation: the error is sent, the last good page stays.
    fs::write(project.seeds.join("a.en.txt"), "First paragraph only.\n").unwrap();
    let error = events.expect("build-failed");
    assert!(error.contains("a.en.txt: 1 paragraphs, but"), "{error}");
    assert!(server.get("/a/").body.contains("Párrafo reescrito."));
    // A page opened now hears of the error at once.
    let mut late = Events::open(&server);
    assert_eq!(late.expect("build"), second);
    assert!(late.expect("build-failed").contains("a.en.txt"));

    // Fixed again: every page reloads.
    fs::write(project.seeds.join("a.en.txt"), TRANSLATION).unwrap();
    let third = events.expect("build");
    assert_eq!(late.expect("build"), third);

    // Static files and the configuration are inputs too.
    let css = project.path("static/style.css");
    let mut style = fs::read_to_string(&css).unwrap();
    style.push_str("\n/* recién cambiado */\n");
    fs::write(&css, style).unwrap();
    poll(&server, "/style.css", |r| {
        r.body.contains("recién cambiado")
    });
    events.expect("build");
    project.write_config("Segunda portada");
    poll(&server, "/", |r| r.body.contains("Segunda portada"));

    server.finish();
    // Stopping closes the open event streams.
    while let Some((name, _)) = events.next() {
        assert_eq!(name, "build");
    }
}

#[test]
fn broken_inputs_at_start_and_in_the_configuration_keep_it_serving() {
    let project = Project::new(SEED, "Only one paragraph.\n");
    let server = Server::start(project.overrides(), WAIT);

    // Nothing was ever built: a bare page, which still shows the error and waits for the fix.
    let page = server.get("/");
    assert_eq!(page.status, 404);
    assert!(script_tag(&page), "{}", page.body);
    let mut events = Events::open(&server);
    events.expect("build");
    assert!(events.expect("build-failed").contains("a.en.txt"));

    fs::write(project.seeds.join("a.en.txt"), TRANSLATION).unwrap();
    events.expect("build");
    assert!(server.get("/a/").body.contains("Primer párrafo."));

    fs::write(&project.config, "titel = \"typo\"\n").unwrap();
    let error = events.expect("build-failed");
    assert!(
        error.contains("paralelo.toml:1: unknown field `titel`"),
        "{error}"
    );
    assert_eq!(server.get("/a/").status, 200);
    project.write_config("De vuelta");
    events.expect("build");
    assert!(server.get("/").body.contains("De vuelta"));
    server.finish();
}

#[test]
fn paths_outside_the_site_are_refused() {
    let project = Project::new(SEED, TRANSLATION);
    let secret = project.path("secret.txt");
    fs::write(&secret, "not for the web").unwrap();
    let server = Server::start(project.overrides(), WAIT);

    for target in [
        "/../secret.txt",
        "/a/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/a/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
    ] {
        let reply = server.get(target);
        assert_eq!(reply.status, 403, "{target}");
        assert!(!reply.body.contains("not for the web"), "{target}");
    }
    for target in ["secret.txt", "http://127.0.0.1/../secret.txt", "*"] {
        assert_eq!(server.get(target).status, 400, "{target}");
    }
    assert_eq!(server.get("/%zz").status, 400);
    // An absolute file path is a path inside the site.
    let absolute = format!("/{}", secret.display());
    let reply = server.get(&absolute);
    assert_eq!(reply.status, 404, "{absolute}");
    assert!(!reply.body.contains("not for the web"));

    let post = request(server.addr, "POST", "/");
    assert_eq!(
        (post.status, post.header("Allow")),
        (405, Some("GET, HEAD"))
    );
    let head = request(server.addr, "HEAD", "/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    server.finish();
}

/// How long the server gives a request's line and headers (`HEADER_TIMEOUT` in
/// `src/serve/http.rs`).
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// Every file under `folder`, by path, with its bytes.
fn files(folder: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    for entry in fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push((path.clone(), fs::read(&path).unwrap()));
        }
    }
    found.sort();
    found
}

#[cfg(unix)]
#[test]
fn traversal_and_links_out_of_the_output_are_refused() {
    use std::os::unix::fs::symlink;

    let project = Project::new(SEED, TRANSLATION);
    let outside = project.path("outside");
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("secret.txt"), "not for the web").unwrap();
    let server = Server::start(project.overrides(), WAIT);
    let public = project.path("public");
    // What a static folder could bring: links out of the output, to a file and to a folder, and
    // a folder whose index page is one; and a link that stays inside.
    symlink(outside.join("secret.txt"), public.join("leak.txt")).unwrap();
    symlink(&outside, public.join("leak")).unwrap();
    fs::create_dir(public.join("linked")).unwrap();
    symlink(outside.join("secret.txt"), public.join("linked/index.html")).unwrap();
    symlink(public.join("style.css"), public.join("same.css")).unwrap();

    // Deeper than the temporary folder, so that a server that climbed would reach /etc.
    let deep = |step: &str| step.repeat(12);
    let mut targets = vec![
        "/../../etc/passwd".to_string(),
        "/%2e%2e/%2e%2e/etc/passwd".to_string(),
        "/..%2f..%2fetc/passwd".to_string(),
        format!("{}/etc/passwd", deep("/..")),
        format!("{}/etc/passwd", deep("/%2e%2e")),
        format!("/{}etc/passwd", deep("..%2f")),
        format!("/{}etc/passwd", deep("%2E%2E%2F")),
        "/../outside/secret.txt".to_string(),
        "/a/..%2f..%2foutside/secret.txt".to_string(),
    ];
    targets.extend(
        [
            "/leak.txt",
            "/leak/secret.txt",
            "/linked/",
            "/linked/index.html",
        ]
        .map(String::from),
    );
    for target in &targets {
        for method in ["GET", "HEAD"] {
            let reply = request(server.addr, method, target);
            assert!(
                matches!(reply.status, 403 | 404),
                "{method} {target}: {}",
                reply.head
            );
            assert!(
                !reply.body.contains("root:") && !reply.body.contains("not for the web"),
                "{method} {target} gave the file"
            );
        }
    }
    let inside = server.get("/same.css");
    assert_eq!(inside.status, 200, "a link inside the output is served");
    assert_eq!(inside.bytes, fs::read(public.join("style.css")).unwrap());
    server.finish();
}

#[test]
fn a_stalled_client_blocks_no_one_and_is_dropped() {
    let project = Project::new(SEED, TRANSLATION);
    let server = Server::start(project.overrides(), WAIT);

    // Half a request: the line and one header, never the blank line that ends them.
    let mut slow = TcpStream::connect_timeout(&server.addr, WAIT).unwrap();
    let connected = Instant::now();
    write!(slow, "GET / HTTP/1.1\r\nHost: {}\r\n", server.addr).unwrap();

    let addr = server.addr;
    let clients: Vec<_> = (0..100)
        .map(|i| {
            thread::spawn(move || {
                let target = ["/", "/a/", "/style.css", "/paralelo.js"][i % 4];
                (target, request(addr, "GET", target).status)
            })
        })
        .collect();
    for client in clients {
        let (target, status) = client.join().unwrap();
        assert_eq!(status, 200, "{target}");
    }
    // All were answered while the slow client was still waiting, neither answered nor dropped.
    slow.set_nonblocking(true).unwrap();
    match slow.read(&mut [0; 64]) {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!(
            "the stalled client was answered or dropped before the others were served: {other:?} after {:?}",
            connected.elapsed()
        ),
    }

    // Then it is dropped once its time for the headers is up.
    slow.set_nonblocking(false).unwrap();
    slow.set_read_timeout(Some(HEADER_TIMEOUT + WAIT)).unwrap();
    let mut rest = Vec::new();
    match slow.read_to_end(&mut rest) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!(
            "the stalled client was still connected after {:?}: {e}",
            connected.elapsed()
        ),
    }
    assert!(
        !String::from_utf8_lossy(&rest).contains(" 200 "),
        "half a request was answered"
    );
    server.finish();
}

#[test]
fn head_gives_no_body_and_ranges_give_part_of_a_file() {
    let project = Project::new(SEED, TRANSLATION);
    let server = Server::start(project.overrides(), WAIT);

    for target in ["/", "/a/", "/style.css", "/a/es.md"] {
        let get = server.get(target);
        let head = request(server.addr, "HEAD", target);
        assert_eq!(head.status, 200, "{target}");
        assert!(head.bytes.is_empty(), "HEAD {target} has a body");
        assert_eq!(head.header("Content-Type"), get.header("Content-Type"));
        // The length of what a GET gets, the live-reload script included.
        let length = get.bytes.len().to_string();
        assert_eq!(
            head.header("Content-Length"),
            Some(length.as_str()),
            "{target}"
        );
    }

    let css = fs::read(project.path("public/style.css")).unwrap();
    assert!(css.len() > 10);
    let part = request_with(server.addr, "GET", "/style.css", "Range: bytes=0-9\r\n");
    assert_eq!(part.status, 206, "{}", part.head);
    assert_eq!(part.bytes, css[..10]);
    let range = format!("bytes 0-9/{}", css.len());
    assert_eq!(part.header("Content-Range"), Some(range.as_str()));
    assert_eq!(part.header("Content-Length"), Some("10"));
    server.finish();
}

#[test]
fn text_files_are_served_as_utf8_of_their_type() {
    let project = Project::new(SEED, TRANSLATION);
    fs::write(
        project.path("static/palabras.csv"),
        "palabra,word\nsí,yes\n",
    )
    .unwrap();
    fs::write(
        project.path("static/datos.xml"),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a>sí</a>\n",
    )
    .unwrap();
    let server = Server::start(project.overrides(), WAIT);

    let mut expected = vec![
        ("/", "text/html; charset=utf-8"),
        ("/a/index.html", "text/html; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/paralelo.js", "text/javascript; charset=utf-8"),
        ("/datos.xml", "text/xml; charset=utf-8"),
        ("/palabras.csv", "text/csv; charset=utf-8"),
        ("/a/es.md", "text/markdown; charset=utf-8"),
        ("/a/en.md", "text/markdown; charset=utf-8"),
    ];
    if project.path("public/a/vocabulary.csv").is_file() {
        expected.push(("/a/vocabulary.csv", "text/csv; charset=utf-8"));
    }
    for (target, content_type) in expected {
        let reply = server.get(target);
        assert_eq!(reply.status, 200, "{target}");
        assert_eq!(reply.header("Content-Type"), Some(content_type), "{target}");
        assert_eq!(reply.header("X-Content-Type-Options"), Some("nosniff"));
    }
    server.finish();
}

#[test]
fn the_live_reload_is_in_what_is_served_never_on_disk() {
    let project = Project::new(SEED, TRANSLATION);
    let public = project.path("public");
    let server = Server::start(project.overrides(), WAIT);
    let built = files(&public);
    assert!(built.iter().any(|(path, _)| path.ends_with("a/index.html")));

    for target in ["/", "/index.html", "/a/", "/a/index.html", "/no/such/page"] {
        let reply = server.get(target);
        assert!(script_tag(&reply), "{target}: {}", reply.body);
    }
    let missing = server.get("/no/such/page");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("This page is not here"));

    // Serving wrote nothing: every file, the build's own records included, is as the build left
    // it, and none knows of the live reload.
    assert_eq!(files(&public), built);
    for (path, bytes) in &built {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("__paralelo") && !text.contains("connect-src"),
            "{} has the live reload",
            path.display()
        );
    }
    server.finish();
}

/// The memory this process holds now (VmRSS), in bytes.
fn resident() -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

#[cfg(target_os = "linux")]
#[test]
fn large_files_are_streamed_not_read_whole() {
    const SIZE: usize = 48 << 20;
    let project = Project::new(SEED, TRANSLATION);
    fs::write(project.path("static/big.bin"), vec![7u8; SIZE]).unwrap();
    let server = Server::start(project.overrides(), WAIT);
    let before = resident();
    // Eight downloads at once, each of which reads a little and then waits: a server that reads
    // the file whole per request holds 8 × 48 MB now.
    let mut clients: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut stream = TcpStream::connect(server.addr).unwrap();
            stream.set_read_timeout(Some(WAIT)).unwrap();
            stream
                .write_all(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .unwrap();
            let mut first = vec![0u8; 256 * 1024];
            stream.read_exact(&mut first).unwrap();
            stream
        })
        .collect();
    thread::sleep(Duration::from_millis(500));
    let during = resident();
    let grew = during.saturating_sub(before);
    assert!(
        grew < (SIZE as u64) * 2,
        "the server holds {} MB more while 8 downloads of a 48 MB file are under way",
        grew >> 20
    );
    // And each download is whole when read to the end.
    let mut rest = vec![0u8; SIZE - 256 * 1024];
    clients[0].read_exact(&mut rest).unwrap();
    assert!(rest.iter().all(|&b| b == 7));
    drop(clients);
    server.finish();
}
