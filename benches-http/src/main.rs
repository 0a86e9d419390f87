//! `bench-servers`: the HTTP servers `cargo xtask bench --http` puts under `wrk` and `cargo xtask bench
//! --instructions` under callgrind.
//!
//! ```text
//! SECRET_KEY=<64 bytes of text> bench-servers --stack NAME --port P [--threads N]
//! SECRET_KEY=<64 bytes of text> bench-servers --port-base N [--threads N]   # every stack, port N + index
//! ```
//!
//! Every stack serves the same five routes on 127.0.0.1; all but `/bare` sit behind that stack's session
//! middleware:
//!
//! - `GET /bare`: `ok`, outside the session middleware (the framework alone);
//! - `GET /plain`: `ok`, the session untouched (the middleware still runs);
//! - `GET /read`: the length of the session's `username`, or `anon`;
//! - `GET /write`: sets `counter` = counter + 1 and answers the new value (a modified session every request);
//! - `GET /login-setup`: stores `username` = `alice` and `counter` = 0; the load tool calls it once to get a
//!   cookie made by the stack itself, then sends that cookie with every request.
//! - `GET /floor` and `GET /floor-write` (our three Flask-format stacks only, outside the session middleware,
//!   like `/bare`): `/read` and `/write` done with the least a Flask-format session must do (`floor.rs`), written
//!   directly on `hmac`, `sha1`, `base64` and `serde_json`: find the `session` cookie, verify its HMAC-SHA1
//!   (Flask's derived key, pre-keyed state), decode the payload and parse it; for the write, serialize the
//!   session, decide on compression as Flask does, sign it and send `Set-Cookie`. No age check, no session
//!   object, no `Vary`.
//!
//! Stacks (`--stack`), by index for `--port-base`:
//! 0 `ours-axum` (session-axum), 1 `ours-actix` (session-actix), 2 `ours-hyper` (session-hyper on a
//! hand-written hyper service), 3 `actix-session` (actix-session 0.11, `CookieSessionStore`, signed cookies),
//! 4 `tower-sessions` (tower-sessions-core 0.14 + tower-sessions-cookie-store 0.5, signed cookies, on axum),
//! 5 `ours-actix-signed` and 6 `ours-actix-private` (session-actix in actix-session's signed and private
//! formats), 7 `actix-session-private` (actix-session with its default private cookies).
//!
//! The key is `SECRET_KEY`'s UTF-8 bytes and must be exactly 64 bytes, the length `cookie::Key` (used by
//! actix-session and tower-sessions) wants; ours and Flask take the same bytes as their secret key.
//! Each runtime gets `--threads` worker threads (default 2; the benchmark machine has 2 cores).

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};

use actix_session::config::CookieContentSecurity;
use anyhow::{Context as _, Result, bail};
use session_core::Format;

/// The stacks, in `--port-base` order.
const STACKS: [&str; 8] = [
    "ours-axum",
    "ours-actix",
    "ours-hyper",
    "actix-session",
    "tower-sessions",
    "ours-actix-signed",
    "ours-actix-private",
    "actix-session-private",
];

/// The name stored by `/login-setup`.
const USERNAME: &str = "alice";

struct Args {
    stack: Option<String>,
    port: Option<u16>,
    port_base: Option<u16>,
    threads: usize,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        stack: None,
        port: None,
        port_base: None,
        threads: 2,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--stack" => args.stack = Some(value()?),
            "--port" => args.port = Some(value()?.parse().context("--port")?),
            "--port-base" => args.port_base = Some(value()?.parse().context("--port-base")?),
            "--threads" => args.threads = value()?.parse().context("--threads")?,
            other => bail!(
                "unknown argument {other:?}; usage: bench-servers (--stack NAME --port P | --port-base N) [--threads N]; \
                 stacks: {}",
                STACKS.join(", ")
            ),
        }
    }
    if args.threads == 0 {
        bail!("--threads must be at least 1");
    }
    Ok(args)
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let key = std::env::var("SECRET_KEY").context("SECRET_KEY is not set (64 bytes of text)")?;
    if key.len() != 64 {
        bail!(
            "SECRET_KEY must be exactly 64 bytes (cookie::Key's length), got {}",
            key.len()
        );
    }
    match (&args.stack, args.port, args.port_base) {
        (Some(stack), Some(port), None) => serve(stack, port, args.threads, key.as_bytes()),
        (None, None, Some(base)) => {
            let threads: Vec<_> = STACKS
                .iter()
                .zip(0u16..)
                .map(|(stack, i)| {
                    let key = key.clone();
                    let port = base + i;
                    let n = args.threads;
                    eprintln!("bench-servers: {stack} on 127.0.0.1:{port}");
                    std::thread::spawn(move || serve(stack, port, n, key.as_bytes()))
                })
                .collect();
            for t in threads {
                t.join().map_err(|_| anyhow::anyhow!("a server thread panicked"))??;
            }
            Ok(())
        }
        _ => bail!("give either --stack NAME --port P, or --port-base N"),
    }
}

fn serve(stack: &str, port: u16, threads: usize, key: &[u8]) -> Result<()> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    match stack {
        "ours-axum" => tokio_runtime(threads)?.block_on(ours_axum::serve(addr, key)),
        "ours-hyper" => tokio_runtime(threads)?.block_on(ours_hyper::serve(addr, key)),
        "tower-sessions" => tokio_runtime(threads)?.block_on(tower_sessions::serve(addr, key)),
        "ours-actix" => actix_web::rt::System::new().block_on(ours_actix::serve(addr, threads, key, Format::Flask)),
        "ours-actix-signed" => {
            actix_web::rt::System::new().block_on(ours_actix::serve(addr, threads, key, Format::ActixSigned))
        }
        "ours-actix-private" => {
            actix_web::rt::System::new().block_on(ours_actix::serve(addr, threads, key, Format::ActixPrivate))
        }
        "actix-session" => actix_web::rt::System::new().block_on(actix_session_peer::serve(
            addr,
            threads,
            key,
            CookieContentSecurity::Signed,
        )),
        "actix-session-private" => actix_web::rt::System::new().block_on(actix_session_peer::serve(
            addr,
            threads,
            key,
            CookieContentSecurity::Private,
        )),
        other => bail!("unknown stack {other:?}; one of {}", STACKS.join(", ")),
    }
}

fn tokio_runtime(threads: usize) -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()?)
}

/// The body of `/read`: the name's length, or `anon`.
fn read_body(username: Option<String>) -> String {
    username.map_or_else(|| "anon".to_owned(), |u| u.len().to_string())
}

mod floor;

/// The Flask floor (`/floor`, `/floor-write`) for the key.
/// The process's one Flask floor, borrowed by every request: the floor routes copy nothing per request that a
/// session route does not.
static FLOOR: std::sync::OnceLock<floor::Floor> = std::sync::OnceLock::new();

/// Builds the Flask floor for `key` (before the server starts, so no request pays for it).
fn flask_floor(key: &[u8]) -> &'static floor::Floor {
    FLOOR.get_or_init(|| floor::Floor::for_format("flask", key).expect("the Flask floor exists"))
}

/// The floor [`flask_floor`] built.
fn the_floor() -> &'static floor::Floor {
    FLOOR.get().expect("the floor is built before the server starts")
}

/// The request time in Unix seconds.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

mod ours_axum {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use session_axum::{SecretKey, Session, SessionConfig, SessionLayer};

    pub(crate) async fn serve(addr: SocketAddr, key: &[u8]) -> Result<()> {
        let config = SessionConfig::builder().secret_key(SecretKey::new(key)?).build()?;
        let app = Router::new()
            .route("/plain", get(|| async { "ok" }))
            .route("/read", get(read))
            .route("/write", get(write))
            .route("/login-setup", get(login_setup))
            .layer(SessionLayer::new(config))
            .route("/bare", get(|| async { "ok" }))
            .route("/floor", get(floor))
            .route("/floor-write", get(floor_write));
        // Built before the first request, so no request pays for it.
        super::flask_floor(key);
        let listener = tokio::net::TcpListener::bind(addr).await?;
        axum::serve(listener, app).await?;
        Ok(())
    }

    // The floor borrows the request's headers (an extractor such as `HeaderMap` would copy them, which the
    // session routes do not do) and the process's one floor.
    async fn floor(request: axum::extract::Request) -> String {
        let floor = super::the_floor();
        floor.read(request.headers().get_all(axum::http::header::COOKIE).iter().map(|v| v.as_bytes()))
    }

    async fn floor_write(request: axum::extract::Request) -> ([(axum::http::HeaderName, String); 1], String) {
        let floor = super::the_floor();
        let cookies = request.headers().get_all(axum::http::header::COOKIE).iter().map(|v| v.as_bytes());
        let (body, set_cookie) = floor.write(cookies, super::unix_now());
        ([(axum::http::header::SET_COOKIE, set_cookie)], body)
    }

    async fn read(session: Session) -> String {
        read_body(session.get::<String>("username").ok().flatten())
    }

    async fn write(session: Session) -> Result<String, String> {
        let n = session.get::<u64>("counter").ok().flatten().unwrap_or(0) + 1;
        session.insert("counter", n).map_err(|e| e.to_string())?;
        Ok(n.to_string())
    }

    async fn login_setup(session: Session) -> Result<&'static str, String> {
        session.insert("username", USERNAME).map_err(|e| e.to_string())?;
        session.insert("counter", 0u64).map_err(|e| e.to_string())?;
        Ok("ok")
    }
}

mod ours_hyper {
    use super::*;
    use http_body_util::Full;
    use hyper::body::{Bytes, Incoming};
    use hyper::{Request, Response, StatusCode};
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::server::conn::auto;
    use session_hyper::{SecretKey, SessionConfig, SessionHandle, SessionLayer};
    use tower_layer::Layer as _;

    pub(crate) async fn serve(addr: SocketAddr, key: &[u8]) -> Result<()> {
        let config = SessionConfig::builder().secret_key(SecretKey::new(key)?).build()?;
        let sessions = SessionLayer::new(config).layer(hyper::service::service_fn(handle));
        let floor = super::flask_floor(key);
        // `/bare`, `/floor` and `/floor-write` skip the session layer; everything else goes through it.
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let sessions = sessions.clone();
            async move {
                if request.uri().path() == "/bare" {
                    Ok(text(StatusCode::OK, "ok".into()))
                } else if request.uri().path() == "/floor" {
                    let cookies = request.headers().get_all(hyper::header::COOKIE);
                    Ok(text(StatusCode::OK, floor.read(cookies.iter().map(|v| v.as_bytes()))))
                } else if request.uri().path() == "/floor-write" {
                    let cookies = request.headers().get_all(hyper::header::COOKIE);
                    let (body, set_cookie) = floor.write(cookies.iter().map(|v| v.as_bytes()), super::unix_now());
                    let mut response = text(StatusCode::OK, body);
                    match hyper::header::HeaderValue::try_from(set_cookie) {
                        Ok(v) => {
                            response.headers_mut().append(hyper::header::SET_COOKIE, v);
                        }
                        Err(_) => *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR,
                    }
                    Ok(response)
                } else {
                    hyper::service::Service::call(&sessions, request).await
                }
            }
        });
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let builder = auto::Builder::new(TokioExecutor::new());
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    eprintln!("bench-servers: accept failed: {e}");
                    continue;
                }
            };
            let connection = builder
                .serve_connection(TokioIo::new(stream), service.clone())
                .into_owned();
            tokio::spawn(async move {
                let _ = connection.await;
            });
        }
    }

    fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = status;
        response
    }

    async fn handle(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
        let Some(session) = request.extensions().get::<SessionHandle>().cloned() else {
            return Ok(text(StatusCode::INTERNAL_SERVER_ERROR, "no session layer".into()));
        };
        let ok = |body: String| text(StatusCode::OK, body);
        let fail = |e: session_hyper::SessionError| text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
        Ok(match request.uri().path() {
            "/plain" => ok("ok".into()),
            "/read" => ok(read_body(session.get::<String>("username").ok().flatten())),
            "/write" => {
                let n = session.get::<u64>("counter").ok().flatten().unwrap_or(0) + 1;
                match session.insert("counter", n) {
                    Ok(()) => ok(n.to_string()),
                    Err(e) => fail(e),
                }
            }
            "/login-setup" => match session
                .insert("username", USERNAME)
                .and_then(|()| session.insert("counter", 0u64))
            {
                Ok(()) => ok("ok".into()),
                Err(e) => fail(e),
            },
            _ => text(StatusCode::NOT_FOUND, "not found".into()),
        })
    }
}

mod tower_sessions {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use tower_sessions_cookie_store::{CookieSessionConfig, CookieSessionManagerLayer, Key, Session};

    pub(crate) async fn serve(addr: SocketAddr, key: &[u8]) -> Result<()> {
        let key = Key::try_from(key).context("cookie::Key needs 64 bytes")?;
        let config = CookieSessionConfig::default().with_secure(false);
        let app = Router::new()
            .route("/plain", get(|| async { "ok" }))
            .route("/read", get(read))
            .route("/write", get(write))
            .route("/login-setup", get(login_setup))
            .layer(CookieSessionManagerLayer::signed(key).with_config(config))
            .route("/bare", get(|| async { "ok" }));
        let listener = tokio::net::TcpListener::bind(addr).await?;
        axum::serve(listener, app).await?;
        Ok(())
    }

    async fn read(session: Session) -> String {
        read_body(session.get::<String>("username").await.ok().flatten())
    }

    async fn write(session: Session) -> Result<String, String> {
        let n = session.get::<u64>("counter").await.ok().flatten().unwrap_or(0) + 1;
        session.insert("counter", n).await.map_err(|e| e.to_string())?;
        Ok(n.to_string())
    }

    async fn login_setup(session: Session) -> Result<&'static str, String> {
        session.insert("username", USERNAME).await.map_err(|e| e.to_string())?;
        session.insert("counter", 0u64).await.map_err(|e| e.to_string())?;
        Ok("ok")
    }
}

mod ours_actix {
    use super::*;
    use actix_web::{App, HttpResponse, HttpServer, web};
    use session_actix::{SecretKey, Session, SessionConfig, SessionMiddleware};
    use session_core::Format;

    pub(crate) async fn serve(addr: SocketAddr, threads: usize, key: &[u8], format: Format) -> Result<()> {
        let config = SessionConfig::builder()
            .format(format)
            .secret_key(SecretKey::new(key)?)
            .build()?;
        let sessions = SessionMiddleware::new(config);
        let floor = super::flask_floor(key);
        // Every route is a resource of the app, routed the same way; the session routes wrap the middleware
        // one by one, so the session work of a route is its count less `/bare`'s without the routing of a
        // scope in it.
        HttpServer::new(move || {
            let session = |path: &str| web::resource(path).wrap(sessions.clone());
            App::new()
                .route("/bare", web::get().to(|| async { "ok" }))
                .route(
                    "/floor",
                    web::get().to(move |request: actix_web::HttpRequest| {
                        let cookies = request.headers().get_all(actix_web::http::header::COOKIE);
                        let body = floor.read(cookies.map(|v| v.as_bytes()));
                        async move { body }
                    }),
                )
                .route(
                    "/floor-write",
                    web::get().to(move |request: actix_web::HttpRequest| {
                        let cookies = request.headers().get_all(actix_web::http::header::COOKIE);
                        let (body, set_cookie) = floor.write(cookies.map(|v| v.as_bytes()), super::unix_now());
                        async move {
                            HttpResponse::Ok()
                                .append_header((actix_web::http::header::SET_COOKIE, set_cookie))
                                .body(body)
                        }
                    }),
                )
                .service(session("/plain").route(web::get().to(|| async { "ok" })))
                .service(session("/read").route(web::get().to(read)))
                .service(session("/write").route(web::get().to(write)))
                .service(session("/login-setup").route(web::get().to(login_setup)))
        })
        .workers(threads)
        // SIGTERM ends the process (no graceful drain): the load tool stops servers that way.
        .disable_signals()
        .bind(addr)?
        .run()
        .await?;
        Ok(())
    }

    async fn read(session: Session) -> String {
        read_body(session.get::<String>("username").ok().flatten())
    }

    async fn write(session: Session) -> HttpResponse {
        let n = session.get::<u64>("counter").ok().flatten().unwrap_or(0) + 1;
        match session.insert("counter", n) {
            Ok(()) => HttpResponse::Ok().body(n.to_string()),
            Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
        }
    }

    async fn login_setup(session: Session) -> HttpResponse {
        match session
            .insert("username", USERNAME)
            .and_then(|()| session.insert("counter", 0u64))
        {
            Ok(()) => HttpResponse::Ok().body("ok"),
            Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
        }
    }
}

mod actix_session_peer {
    use super::*;
    use actix_session::storage::CookieSessionStore;
    use actix_session::{Session, SessionMiddleware};
    use actix_web::cookie::Key;
    use actix_web::{App, HttpResponse, HttpServer, web};

    pub(crate) async fn serve(
        addr: SocketAddr,
        threads: usize,
        key: &[u8],
        security: CookieContentSecurity,
    ) -> Result<()> {
        let key = Key::try_from(key).context("cookie::Key needs 64 bytes")?;
        HttpServer::new(move || {
            let sessions = || {
                SessionMiddleware::builder(CookieSessionStore::default(), key.clone())
                    .cookie_content_security(security)
                    .cookie_secure(false)
                    .build()
            };
            // Routed as ours is: resources of the app, the session ones wrapped one by one.
            let session = |path: &str| web::resource(path).wrap(sessions());
            App::new()
                .route("/bare", web::get().to(|| async { "ok" }))
                .service(session("/plain").route(web::get().to(|| async { "ok" })))
                .service(session("/read").route(web::get().to(read)))
                .service(session("/write").route(web::get().to(write)))
                .service(session("/login-setup").route(web::get().to(login_setup)))
        })
        .workers(threads)
        // SIGTERM ends the process (no graceful drain): the load tool stops servers that way.
        .disable_signals()
        .bind(addr)?
        .run()
        .await?;
        Ok(())
    }

    async fn read(session: Session) -> String {
        read_body(session.get::<String>("username").ok().flatten())
    }

    async fn write(session: Session) -> HttpResponse {
        let n = session.get::<u64>("counter").ok().flatten().unwrap_or(0) + 1;
        match session.insert("counter", n) {
            Ok(()) => HttpResponse::Ok().body(n.to_string()),
            Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
        }
    }

    async fn login_setup(session: Session) -> HttpResponse {
        match session
            .insert("username", USERNAME)
            .and_then(|()| session.insert("counter", 0u64))
        {
            Ok(()) => HttpResponse::Ok().body("ok"),
            Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
        }
    }
}
