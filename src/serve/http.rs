//! The HTTP server: axum and tower-http's `ServeDir` over the output folder, on 127.0.0.1 only.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use percent_encoding::percent_decode_str;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::services::fs::{Backend, ServeDir, TokioBackend, TokioFile};

use super::reload::{self, Site};
use crate::error::Location;
use crate::{Error, Result};

/// At most this many connections are served at once (an open page keeps one for its event
/// stream); more wait to be accepted.
const MAX_CONNECTIONS: usize = 256;
/// A request's line and headers must arrive whole within this, or the connection is closed.
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// Listens on 127.0.0.1 only: the server is for the author, not for the network.
pub(super) fn bind(port: u16) -> Result<(TcpListener, SocketAddr)> {
    let listen_error = |e: io::Error| Error::io(&listen_path(port), "listen", e);
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(|e| {
        if e.kind() == io::ErrorKind::AddrInUse {
            Error::input(
                Location::file(&listen_path(port)),
                "the port is taken, maybe by another `paralelo serve`; pick another with --port N (0: any free port)",
            )
        } else {
            listen_error(e)
        }
    })?;
    listener.set_nonblocking(true).map_err(listen_error)?;
    let addr = listener.local_addr().map_err(listen_error)?;
    Ok((listener, addr))
}

fn listen_path(port: u16) -> PathBuf {
    PathBuf::from(format!("127.0.0.1:{port}"))
}

/// The server, running on a tokio runtime of its own beside the rebuild loop.
pub(super) struct Server(tokio::runtime::Runtime);

impl Server {
    pub(super) fn start(listener: TcpListener, site: Arc<Site>) -> Result<Server> {
        let start_error = |e| Error::io(Path::new("127.0.0.1"), "start the server", e);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("paralelo-http")
            .enable_all()
            .build()
            .map_err(start_error)?;
        let listener = {
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(listener).map_err(start_error)?
        };
        runtime.spawn(accept(listener, router(site)));
        Ok(Server(runtime))
    }

    /// Closes every connection, the event streams too, which tells the open pages.
    pub(super) fn stop(self) {
        self.0.shutdown_timeout(Duration::from_secs(1));
    }
}

/// Serves each connection on its own task, [`MAX_CONNECTIONS`] at most.
async fn accept(listener: tokio::net::TcpListener, app: Router) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    loop {
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                eprintln!("warning: cannot accept a connection: {e}");
                // Out of file descriptors, say: give the open connections time to close.
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        tokio::spawn(async move {
            // An error is a client gone or speaking no HTTP: nothing to tell anyone.
            let _ = connection.await;
            drop(slot);
        });
    }
}

fn router(site: Arc<Site>) -> Router {
    Router::new()
        .route(reload::SCRIPT_PATH, get(reload::script))
        .route(reload::EVENTS_PATH, get(reload::events))
        .fallback(site_file)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&site),
            reload::inject,
        ))
        .layer(middleware::from_fn(refuse))
        .layer(middleware::map_response(headers))
        .with_state(site)
}

/// Answers what asks for no file of the site, before anything else looks at it: another
/// method than GET or HEAD (405), a target that is no path (400), a path that climbs out of the
/// folder (403).
async fn refuse(request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        let allow = [(header::ALLOW, "GET, HEAD")];
        return (StatusCode::METHOD_NOT_ALLOWED, allow, "only GET and HEAD\n").into_response();
    }
    let uri = request.uri();
    let path = uri.path();
    // An absolute URL, `*`, or a `%` that starts no escape.
    let malformed = uri.authority().is_some()
        || !path.starts_with('/')
        || path.split('%').skip(1).any(|escape| {
            !escape
                .get(..2)
                .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
        });
    let Some(decoded) = percent_decode_str(path)
        .decode_utf8()
        .ok()
        .filter(|_| !malformed)
    else {
        return (StatusCode::BAD_REQUEST, "bad request target\n").into_response();
    };
    // `ServeDir` refuses `..` too, as a missing file; this says why.
    if decoded.split(['/', '\\']).any(|segment| segment == "..") {
        return (StatusCode::FORBIDDEN, "outside the site\n").into_response();
    }
    next.run(request).await
}

/// A file of the last good build: `ServeDir` finds it (`/slug` is sent to `/slug/`, which serves
/// `/slug/index.html`) and answers HEAD, ranges and conditional requests; else the 404 page.
async fn site_file(State(site): State<Arc<Site>>, request: Request) -> Response {
    let root = site.state().root;
    let inside = Inside(Arc::from(
        tokio::fs::canonicalize(&root).await.unwrap_or(root.clone()),
    ));
    let Ok(response) = ServeDir::with_backend(&root, inside.clone())
        .oneshot(request)
        .await;
    if response.status() != StatusCode::NOT_FOUND {
        return response.into_response();
    }
    // The site's own 404 page when it has one; a bare page otherwise, which still gets the live
    // reload, so that it shows the error of a first build that failed and reloads once fixed.
    let page = root.join("404.html");
    let page = match inside.check(&page).await {
        Ok(()) => tokio::fs::read_to_string(&page).await.ok(),
        Err(_) => None,
    };
    let bare = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Not found</title>\n</head>\n<body>\n<p>Not found.</p>\n</body>\n</html>\n";
    (StatusCode::NOT_FOUND, Html(page.unwrap_or(bare.into()))).into_response()
}

/// The file system as `ServeDir` sees it, but for the files whose links lead out of the served
/// folder (its canonical path), which are not there: `ServeDir` itself follows links anywhere.
#[derive(Clone)]
struct Inside(Arc<Path>);

impl Inside {
    async fn check(&self, path: &Path) -> io::Result<()> {
        if tokio::fs::canonicalize(path).await?.starts_with(&self.0) {
            Ok(())
        } else {
            Err(io::ErrorKind::NotFound.into())
        }
    }
}

type Io<T> = Pin<Box<dyn Future<Output = io::Result<T>> + Send>>;

impl Backend for Inside {
    type File = TokioFile;
    type Metadata = std::fs::Metadata;
    type OpenFuture = Io<TokioFile>;
    type MetadataFuture = Io<std::fs::Metadata>;

    fn open(&self, path: PathBuf) -> Self::OpenFuture {
        let inside = self.clone();
        Box::pin(async move {
            inside.check(&path).await?;
            TokioBackend.open(path).await
        })
    }

    fn metadata(&self, path: PathBuf) -> Self::MetadataFuture {
        let inside = self.clone();
        Box::pin(async move {
            inside.check(&path).await?;
            TokioBackend.metadata(path).await
        })
    }
}

/// Every answer: not cached, since a reload must show the new build (ETag and Last-Modified
/// still answer a client that asks); of its declared type only; text declared UTF-8, which is
/// what the build writes.
async fn headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let text = headers
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .filter(|t| t.starts_with("text/") && !t.contains("charset"))
        .and_then(|t| HeaderValue::from_str(&format!("{t}; charset=utf-8")).ok());
    if let Some(text) = text {
        headers.insert(header::CONTENT_TYPE, text);
    }
    response
}
