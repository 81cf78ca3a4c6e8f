//! Live reload: each build is told to the open pages over server-sent events, and the served HTML gets the script that listens.

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::sse::{self, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast::{self, error::RecvError};

/// The server's own routes, matched before the site's files: the script the pages load, and the
/// stream of builds it listens to.
pub(super) const SCRIPT_PATH: &str = "/__paralelo/live-reload.js";
pub(super) const EVENTS_PATH: &str = "/__paralelo/events";

/// Served at [`SCRIPT_PATH`].
const SCRIPT: &str = include_str!("reload.js");
/// An event stream says something this often, so that a closed page's stream is noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How soon a page whose stream broke (the server restarted) tries again.
const RETRY: Duration = Duration::from_secs(1);
/// The largest page the script is added to; a larger one is served as it is.
const MAX_PAGE: usize = 64 << 20;

/// The last good build, the error of the last build if it failed, and the pages listening.
pub(super) struct Site {
    state: Mutex<Built>,
    events: broadcast::Sender<Event>,
    /// Makes build ids unique across restarts of the server, so a page left open reloads.
    epoch: u128,
}

#[derive(Debug, Clone)]
pub(super) struct Built {
    /// The folder served: the output of the last good build.
    pub(super) root: PathBuf,
    /// Names the last good build; a page served from an earlier one reloads.
    build: String,
    builds: u64,
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
    pub(super) fn new(root: PathBuf) -> Self {
        let epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        Site {
            state: Mutex::new(Built {
                root,
                build: format!("{epoch:x}-0"),
                builds: 0,
                error: None,
            }),
            events: broadcast::channel(16).0,
            epoch,
        }
    }

    pub(super) fn state(&self) -> Built {
        self.lock().clone()
    }

    pub(super) fn succeeded(&self, root: PathBuf) {
        let build = {
            let mut state = self.lock();
            let builds = state.builds + 1;
            let build = format!("{:x}-{builds}", self.epoch);
            *state = Built {
                root,
                build: build.clone(),
                builds,
                error: None,
            };
            build
        };
        // No page listening is no error.
        let _ = self.events.send(Event::Built(build));
    }

    pub(super) fn failed(&self, message: String) {
        self.lock().error = Some(message.clone());
        let _ = self.events.send(Event::Failed(message));
    }

    /// A panic on a request must not take the site down with it.
    fn lock(&self) -> MutexGuard<'_, Built> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Event {
    fn to_sse(&self) -> sse::Event {
        match self {
            Event::Built(id) => sse::Event::default().event("build").data(id),
            // Each line of the message is a `data:` line, which the browser joins back.
            Event::Failed(message) => sse::Event::default().event("build-failed").data(message),
        }
    }
}

/// The script, at [`SCRIPT_PATH`].
pub(super) async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
}

/// The stream at [`EVENTS_PATH`]: the current build (and error, if the last build failed), then
/// every build, until the page closes or the server stops.
pub(super) async fn events(
    State(site): State<Arc<Site>>,
) -> Sse<impl Stream<Item = Result<sse::Event, Infallible>>> {
    // Listen before reading the state, so that a build that lands in between is sent, not lost.
    let receiver = site.events.subscribe();
    let state = site.state();
    let now = std::iter::once(Event::Built(state.build)).chain(state.error.map(Event::Failed));
    let later = stream::unfold((receiver, site), |(mut receiver, site)| async move {
        let event = match receiver.recv().await {
            Ok(event) => event,
            // Too slow to hear every build: the last one is what matters.
            Err(RecvError::Lagged(_)) => Event::Built(site.state().build),
            Err(RecvError::Closed) => return None,
        };
        Some((event, (receiver, site)))
    });
    let retry = sse::Event::default().retry(RETRY);
    let events = stream::iter(now).chain(later).map(|e| e.to_sse());
    let stream = stream::once(async { retry }).chain(events).map(Ok);
    Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// Adds the script to the HTML pages served (the site's 404 page too), as they are sent.
///
/// A HEAD is answered as the GET would be, so that its length is that of the page as served;
/// hyper sends no body to a HEAD. A page's ETag and Last-Modified go: they name the file, but the
/// page served also names the build.
pub(super) async fn inject(
    State(site): State<Arc<Site>>,
    mut request: Request,
    next: Next,
) -> Response {
    // Read before the file: if a build lands in between, the page is newer than its id says and
    // reloads once more, rather than missing the build.
    let build = site.state().build;
    if request.method() == Method::HEAD {
        *request.method_mut() = Method::GET;
    }
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    if !is_html || !matches!(response.status(), StatusCode::OK | StatusCode::NOT_FOUND) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_PAGE).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "cannot read the page\n").into_response();
    };
    let page = with_live_reload(&String::from_utf8_lossy(&bytes), &build);
    for name in [header::ETAG, header::LAST_MODIFIED, header::ACCEPT_RANGES] {
        parts.headers.remove(name);
    }
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(page.len()));
    Response::from_parts(parts, Body::from(page))
}

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
}
