//! What several integration tests share; not every test uses every piece.
#![allow(dead_code)]

use std::io::Write;

/// True when every tool is here. Otherwise the test is skipped with a line on stderr, or fails
/// when PARALELO_REQUIRE_TOOLS is set to anything but "" or "0" (as .ci/run does).
pub fn tools_present(test: &str, tools: &[(&str, bool)], hint: &str) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .filter(|(_, present)| !present)
        .map(|(name, _)| *name)
        .collect();
    if missing.is_empty() {
        return true;
    }
    let message = format!("{test}: missing {} ({hint})", missing.join(", "));
    let required = std::env::var("PARALELO_REQUIRE_TOOLS").is_ok_and(|v| !v.is_empty() && v != "0");
    assert!(!required, "{message}");
    // Straight to stderr, past the test harness's capture, so that a skip shows in `cargo test`.
    let line = format!("SKIPPED: {message}\n");
    std::io::stderr().write_all(line.as_bytes()).unwrap();
    false
}

/// Whether `command` runs here.
pub fn runs(command: &str, args: &[&str]) -> bool {
    std::process::Command::new(command)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The manifest of the one output folder `options` builds into, in the state folder.
pub fn manifest(options: &paralelo::BuildOptions) -> std::path::PathBuf {
    let builds: Vec<_> = std::fs::read_dir(options.state.join("builds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(builds.len(), 1, "{builds:?}");
    builds[0].join("manifest")
}

/// `paralelo serve` on a free port, in a thread, once it has built the site and listens.
pub struct Server {
    pub addr: std::net::SocketAddr,
    pub stop: paralelo::serve::StopHandle,
    pub thread: std::thread::JoinHandle<paralelo::Result<()>>,
}

impl Server {
    /// Starts serving the project `overrides` name; fails the test with serve's error, or when
    /// it is not ready within `wait`.
    pub fn start(overrides: paralelo::config::Overrides, wait: std::time::Duration) -> Server {
        let stop = paralelo::serve::StopHandle::new();
        let settings = paralelo::serve::ServeSettings {
            port: 0,
            stop: stop.clone(),
            ..Default::default()
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            paralelo::serve::serve(overrides, settings, move |addr| {
                let _ = tx.send(addr);
            })
        });
        match rx.recv_timeout(wait) {
            Ok(addr) => Server { addr, stop, thread },
            Err(e) => match thread.join() {
                Ok(Err(error)) => panic!("serve failed to start: {error}"),
                _ => panic!("serve did not get ready: {e}"),
            },
        }
    }

    /// Stops the server and checks that it returned `Ok` within a minute.
    pub fn finish(self) {
        self.stop.stop();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !self.thread.is_finished() {
            assert!(std::time::Instant::now() < deadline, "serve did not stop");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        self.thread.join().unwrap().unwrap();
    }
}
