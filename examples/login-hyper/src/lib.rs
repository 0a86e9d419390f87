//! Flask's session quickstart ("Sessions") on plain hyper 1: `GET /` says who is logged in, `GET /login`
//! serves the form, `POST /login` stores the name, `GET /logout` removes it. Exposed as a library so the demo
//! and the interop run can start it in-process; `main.rs` reads `SECRET_KEY` and `PORT` (default 3002).

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use http::header::{CONTENT_TYPE, LOCATION};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Body, Bytes, Incoming};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use login_common::demo::Site;
use login_common::{LOGIN_FORM, NOT_LOGGED_IN, TOO_LARGE, USERNAME};
use session_hyper::{SessionConfig, SessionHandle, SessionLayer, csrf_protect, csrf_refusal};
use tower_layer::Layer as _;

/// The default port of this example.
pub const DEFAULT_PORT: u16 = 3002;

/// The largest form body accepted by `POST /login`.
const MAX_FORM: usize = 64 * 1024;

/// How long [`serve`] waits for open connections to finish after `shutdown`.
const DRAIN: Duration = Duration::from_secs(10);

/// The app: [`handle`] behind a `SessionService` whose failed saves (a session too large for a cookie)
/// answer 500 with [`TOO_LARGE`]. Serve it with hyper-util (as [`serve`] does) or call it in-process.
pub fn app(
    config: SessionConfig,
) -> impl hyper::service::Service<
    Request<Incoming>,
    Response = Response<Full<Bytes>>,
    Error = Infallible,
    Future: Send + 'static,
> + Clone
+ Send
+ 'static {
    SessionLayer::new(config)
        .with_error_body(TOO_LARGE)
        .layer(hyper::service::service_fn(handle::<Incoming>))
}

/// Serves [`app`] on `listener` (HTTP/1.1 and HTTP/2) until `shutdown` completes, then lets open connections
/// finish (up to 10 s).
///
/// # Errors
/// Never in practice: accept errors (e.g. too many open files) are logged and retried.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: SessionConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    serve_service(listener, app(config), shutdown).await
}

/// [`app`] plus the demo pages (`/demo`, `/demo/login`, `/demo/logout`; see [`login_common::demo`]).
pub fn demo_app(
    site: Site,
) -> impl hyper::service::Service<
    Request<Incoming>,
    Response = Response<Full<Bytes>>,
    Error = Infallible,
    Future: Send + 'static,
> + Clone
+ Send
+ 'static {
    let config = site.config.clone();
    let site = Arc::new(site);
    SessionLayer::new(config)
        .with_error_body(TOO_LARGE)
        .layer(hyper::service::service_fn(move |request| {
            handle_site(site.clone(), request)
        }))
}

/// Serves [`demo_app`] on `listener` until `shutdown` completes, as [`serve`] does.
///
/// # Errors
/// Never in practice (see [`serve`]).
pub async fn serve_site(
    listener: tokio::net::TcpListener,
    site: Site,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    serve_service(listener, demo_app(site), shutdown).await
}

async fn serve_service<S>(
    listener: tokio::net::TcpListener,
    service: S,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()>
where
    S: hyper::service::Service<Request<Incoming>, Response = Response<Full<Bytes>>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let builder = auto::Builder::new(TokioExecutor::new());
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed; retrying");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let connection = graceful.watch(
            builder
                .serve_connection(TokioIo::new(stream), service.clone())
                .into_owned(),
        );
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection closed with an error");
            }
        });
    }
    if tokio::time::timeout(DRAIN, graceful.shutdown()).await.is_err() {
        tracing::warn!("some connections were still open after {DRAIN:?}; closing them");
    }
    Ok(())
}

/// The demo routes, then the seed's ([`handle`]).
///
/// # Errors
/// Never: every failure is an HTTP response.
pub async fn handle_site<B>(site: Arc<Site>, request: Request<B>) -> Result<Response<Full<Bytes>>, Infallible>
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let path = request.uri().path();
    if !matches!(path, "/demo" | "/demo/login" | "/demo/logout") {
        return handle(request).await;
    }
    let Some(session) = request.extensions().get::<SessionHandle>().cloned() else {
        tracing::error!("no session in the request: wrap the service in SessionService");
        return Ok(text(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"));
    };
    let (parts, body) = request.into_parts();
    Ok(match (&parts.method, parts.uri.path()) {
        (&Method::GET, "/demo") => html(site.page(&session)),
        (&Method::POST, path) => match Limited::new(body, MAX_FORM).collect().await {
            Err(_) => text(StatusCode::BAD_REQUEST, "Bad Request: unreadable or too large form"),
            Ok(body) => {
                let body = body.to_bytes();
                match csrf_protect(&site.csrf, &session, &parts.method, &parts.headers, &body) {
                    Err(e) => csrf_refusal(e),
                    Ok(()) if path == "/demo/logout" => {
                        login_common::demo::log_out(&session);
                        redirect_to("/demo")
                    }
                    Ok(()) => match form_field(&body, USERNAME) {
                        None => text(StatusCode::BAD_REQUEST, "Bad Request: the form has no username"),
                        Some(username) => match login_common::demo::log_in(&session, &username) {
                            Ok(()) => redirect_to("/demo"),
                            Err(_) => text(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
                        },
                    },
                }
            }
        },
        _ => text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed"),
    })
}

/// The four routes. Expects a [`SessionHandle`] in the request's extensions (put there by the session
/// layer); without one it answers 500.
///
/// # Errors
/// Never: every failure is an HTTP response.
pub async fn handle<B>(request: Request<B>) -> Result<Response<Full<Bytes>>, Infallible>
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let Some(session) = request.extensions().get::<SessionHandle>().cloned() else {
        tracing::error!("no session in the request: wrap the service in SessionService");
        return Ok(text(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"));
    };
    let response = match (request.method(), request.uri().path()) {
        (&Method::GET, "/") => match session.get::<String>(USERNAME) {
            Ok(Some(username)) => html(login_common::logged_in_as(&username)),
            _ => html(NOT_LOGGED_IN.to_owned()),
        },
        (&Method::GET, "/login") => html(LOGIN_FORM.to_owned()),
        (&Method::POST, "/login") => match Limited::new(request.into_body(), MAX_FORM).collect().await {
            Err(_) => text(StatusCode::BAD_REQUEST, "Bad Request: unreadable or too large form"),
            Ok(body) => match form_field(&body.to_bytes(), USERNAME) {
                None => text(StatusCode::BAD_REQUEST, "Bad Request: the form has no username"),
                Some(username) => match session.insert(USERNAME, &username) {
                    Ok(()) => redirect_home(),
                    Err(e) => {
                        tracing::error!(error = %e, "cannot store the username");
                        text(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
                    }
                },
            },
        },
        (&Method::GET, "/logout") => {
            session.remove(USERNAME);
            redirect_home()
        }
        (_, "/" | "/login" | "/logout") => text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed"),
        _ => text(StatusCode::NOT_FOUND, "Not Found"),
    };
    Ok(response)
}

fn html(body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response
}

fn text(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

/// Flask's `redirect("/")`: a 302 to `/`.
fn redirect_home() -> Response<Full<Bytes>> {
    redirect_to("/")
}

fn redirect_to(path: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::default());
    *response.status_mut() = StatusCode::FOUND;
    response.headers_mut().insert(LOCATION, HeaderValue::from_static(path));
    response
}

/// The first value of `name` in an `application/x-www-form-urlencoded` body (`+` is a space, `%XX` a byte;
/// invalid UTF-8 is replaced, as Werkzeug does).
fn form_field(body: &[u8], name: &str) -> Option<String> {
    body.split(|&b| b == b'&').find_map(|pair| {
        let (key, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        (percent_decode(key) == name).then(|| percent_decode(value))
    })
}

fn percent_decode(text: &[u8]) -> String {
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                text.get(i + 1).and_then(|&b| hex(b)),
                text.get(i + 2).and_then(|&b| hex(b)),
            ) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_decode_like_werkzeug() {
        let check = |body: &str, want: Option<&str>| {
            assert_eq!(form_field(body.as_bytes(), "username").as_deref(), want, "{body}")
        };
        check("username=alice", Some("alice"));
        check("a=1&username=a+b%3C%26%3E&username=second", Some("a b<&>"));
        check("user%6Eame=%E2%9C%93", Some("\u{2713}"));
        check("username=100%", Some("100%"));
        check("username=%zz%4", Some("%zz%4"));
        check("username", Some(""));
        check("name=x", None);
    }
}
