//! The extractor and the layer inside a real `Router`.
#![allow(clippy::unwrap_used, reason = "a test helper that fails should fail loudly")]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode};
use axum::routing::get;
use session_axum::{SecretKey, Session, SessionConfig, SessionLayer};
use tower::ServiceExt as _;

const NOW: u64 = 1_700_000_000;

fn config() -> SessionConfig {
    SessionConfig::builder()
        .secret_key(SecretKey::parse("a-demo-secret-key-1234").unwrap())
        .build()
        .unwrap()
}

fn app() -> Router {
    Router::new()
        .route("/untouched", get(|| async { "ok" }))
        .route(
            "/whoami",
            get(|s: Session| async move { s.get::<String>("username").unwrap().unwrap_or_default() }),
        )
        .route(
            "/login",
            get(|s: Session| async move { s.insert("username", "alice").unwrap() }),
        )
        .route(
            "/maybe",
            get(|s: Option<Session>| async move { if s.is_some() { "session" } else { "none" } }),
        )
        .layer(SessionLayer::new(config()).with_clock(|| NOW))
}

/// Sends `GET path` with each of `cookies` as its own `Cookie` header; returns the response and its body.
fn check(app: Router, path: &str, cookies: &[&[u8]]) -> (Response<Body>, String) {
    let mut request = Request::get(path).body(Body::empty()).unwrap();
    for c in cookies {
        request
            .headers_mut()
            .append("cookie", HeaderValue::from_bytes(c).unwrap());
    }
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let (parts, body) = app.oneshot(request).await.unwrap().into_parts();
        let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        (
            Response::from_parts(parts, Body::empty()),
            String::from_utf8(body.to_vec()).unwrap(),
        )
    })
}

fn alice_cookie() -> String {
    let (response, _) = check(app(), "/login", &[]);
    let set_cookie = response.headers()["set-cookie"].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}

#[test]
fn missing_layer_is_a_500_that_says_so() {
    let app = Router::new()
        .route("/", get(|s: Session| async move { s.len().to_string() }))
        .route(
            "/maybe",
            get(|s: Option<Session>| async move { if s.is_some() { "session" } else { "none" } }),
        );
    let (response, body) = check(app.clone(), "/", &[]);
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        body.contains("the session layer is missing: add `SessionLayer` to your Router"),
        "{body}"
    );
    assert_eq!(check(app, "/maybe", &[]).1, "none");
    assert_eq!(check(self::app(), "/maybe", &[]).1, "session");
}

#[test]
fn login_then_read_back() {
    let alice = alice_cookie();
    assert!(alice.starts_with("session=eyJ1c2VybmFtZSI6ImFsaWNlIn0."));
    let (response, body) = check(app(), "/whoami", &[alice.as_bytes()]);
    assert_eq!(body, "alice");
    assert_eq!(response.headers()["vary"], "Cookie");
    assert!(
        response.headers().get("set-cookie").is_none(),
        "unchanged session: no cookie"
    );
}

#[test]
fn untouched_route_gets_no_vary_and_no_cookie() {
    let alice = alice_cookie();
    let (response, _) = check(app(), "/untouched", &[alice.as_bytes()]);
    assert!(response.headers().get("vary").is_none());
    assert!(response.headers().get("set-cookie").is_none());
}

#[test]
fn non_utf8_cookie_headers_are_read_as_werkzeug_reads_them() {
    let alice = alice_cookie();
    let (_, body) = check(app(), "/whoami", &[b"pref=\xff", alice.as_bytes()]);
    assert_eq!(body, "alice");
    // The first `session` cookie wins even when it is not UTF-8 (refused: an empty session).
    let (response, body) = check(app(), "/whoami", &[b"session=\xff", alice.as_bytes()]);
    assert_eq!((response.status(), body.as_str()), (StatusCode::OK, ""));
}

#[test]
fn tampered_cookie_is_an_empty_session() {
    let tampered = alice_cookie().replace("eyJ1c2VybmFtZSI6ImFsaWNlIn0", "eyJ1c2VybmFtZSI6Im1hbGxvcnkifQ");
    let (response, body) = check(app(), "/whoami", &[tampered.as_bytes()]);
    assert_eq!((response.status(), body.as_str()), (StatusCode::OK, ""));
}

#[test]
fn handler_set_cookie_is_kept_and_oversize_is_a_500() {
    let app = Router::new()
        .route(
            "/theme",
            get(|s: Session| async move {
                s.insert("username", "alice").unwrap();
                ([("set-cookie", "theme=dark")], "ok")
            }),
        )
        .route(
            "/big",
            get(|s: Session| async move {
                s.insert("blob", &session_conformance::incompressible(6000)).unwrap();
                "pretends it worked"
            }),
        )
        .layer(SessionLayer::new(config()).with_clock(|| NOW));
    let (response, _) = check(app.clone(), "/theme", &[]);
    let set_cookie: Vec<_> = response.headers().get_all("set-cookie").iter().collect();
    assert_eq!(set_cookie.len(), 2);
    assert_eq!(set_cookie[0], "theme=dark");
    let (response, body) = check(app, "/big", &[]);
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body, "Internal Server Error");
    assert_eq!(response.headers()["vary"], "Cookie");
    assert!(response.headers().get("set-cookie").is_none());
}

// ---------------------------------------------------------------------------------------------------------
// Request-path robustness: each of these failed before the fix.

/// A permanent session of about 4.2 KB, signed as Flask (which only warns) would write it.
fn oversized_permanent_cookie() -> String {
    let data = [
        ("_permanent".to_owned(), session_axum::Value::Bool(true)),
        ("username".to_owned(), "alice".into()),
        ("blob".to_owned(), session_conformance::incompressible(4000).into()),
    ]
    .into_iter()
    .collect::<session_axum::Map>();
    format!("session={}", config().codec().encode(&data, NOW - 100))
}

#[test]
fn oversized_refresh_the_handler_did_not_ask_for_is_not_a_500() {
    let cookie = oversized_permanent_cookie();
    let (response, body) = check(app(), "/whoami", &[cookie.as_bytes()]);
    assert_eq!((response.status(), body.as_str()), (StatusCode::OK, "alice"));
    assert!(response.headers().get("set-cookie").is_none());
    let (response, body) = check(app(), "/untouched", &[cookie.as_bytes()]);
    assert_eq!((response.status(), body.as_str()), (StatusCode::OK, "ok"));
    assert!(response.headers().get("set-cookie").is_none());
    // A change the handler made still fails loudly.
    let (response, _) = check(app(), "/login", &[cookie.as_bytes()]);
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[test]
fn a_non_utf8_byte_elsewhere_in_the_cookie_line_does_not_hide_the_session() {
    let line = [b"pref=caf\xe9; ".as_slice(), alice_cookie().as_bytes()].concat();
    let (_, body) = check(app(), "/whoami", &[&line]);
    assert_eq!(body, "alice");
}

#[test]
fn a_bare_session_token_first_is_an_empty_value_as_in_werkzeug() {
    let line = format!("session; {}", alice_cookie());
    let (response, body) = check(app(), "/whoami", &[line.as_bytes()]);
    assert_eq!((response.status(), body.as_str()), (StatusCode::OK, ""));
}

#[test]
fn nested_routers_with_the_layer_twice_share_one_session() {
    let permanent = {
        let handle = session_axum::SessionHandle::new(config(), vec![], NOW - 100);
        handle.set_permanent(true);
        handle.insert("username", "alice").unwrap();
        let set_cookie = handle.finish().unwrap().set_cookies().first().cloned().unwrap();
        set_cookie.split(';').next().unwrap().to_owned()
    };
    let layer = SessionLayer::new(config()).with_clock(|| NOW);
    let account = Router::new()
        .route("/logout", get(|s: Session| async move { s.purge() }))
        .layer(layer.clone());
    let app = Router::new().nest("/account", account).layer(layer);
    let (response, _) = check(app, "/account/logout", &[permanent.as_bytes()]);
    let set_cookie: Vec<_> = response.headers().get_all("set-cookie").iter().collect();
    assert_eq!(set_cookie.len(), 1, "one Set-Cookie, not one per layer: {set_cookie:?}");
    assert!(
        set_cookie[0].to_str().unwrap().starts_with("session=;"),
        "{set_cookie:?}"
    );
}

// ---------------------------------------------------------------------------------------------------------
// One handler API, native errors.

#[test]
fn question_mark_in_a_handler_gives_a_500_that_leaks_nothing() {
    async fn wrong_type(session: Session) -> Result<String, session_axum::Error> {
        let n: Option<i64> = session.get("username")?; // a string: a Value error
        Ok(format!("{n:?}"))
    }
    let app = Router::new()
        .route("/n", get(wrong_type))
        .layer(SessionLayer::new(config()).with_clock(|| NOW));
    let (response, body) = check(app, "/n", &[alice_cookie().as_bytes()]);
    assert_eq!(
        (response.status(), body.as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
    );
    assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
}

#[test]
fn status_says_why_there_is_no_session() {
    use session_axum::{ErrorKind, LoadStatus};
    async fn status(session: Session) -> String {
        match session.status() {
            LoadStatus::New => "new".to_owned(),
            LoadStatus::Loaded { key } => format!("loaded by {key:?}"),
            LoadStatus::Refused(e) if e.kind() == ErrorKind::BadSignature => "refused: bad signature".to_owned(),
            other => format!("{other:?}"),
        }
    }
    let app = Router::new()
        .route("/status", get(status))
        .layer(SessionLayer::new(config()).with_clock(|| NOW));
    let alice = alice_cookie();
    let tampered = alice.replace("eyJ1c2VybmFtZSI6ImFsaWNlIn0", "eyJ1c2VybmFtZSI6Im1hbGxvcnkifQ");
    assert_eq!(check(app.clone(), "/status", &[]).1, "new");
    assert_eq!(
        check(app.clone(), "/status", &[alice.as_bytes()]).1,
        "loaded by Current"
    );
    assert_eq!(
        check(app, "/status", &[tampered.as_bytes()]).1,
        "refused: bad signature"
    );
}
