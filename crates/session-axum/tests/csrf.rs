//! Flask-WTF's CSRF vectors through `CsrfForm` and `CsrfGuard` in a real axum `Router`: the token as a form
//! field, in `X-CSRFToken`, and in `X-CSRF-Token`; then a token rendered by `CsrfToken` posted back.
#![allow(clippy::unwrap_used, reason = "a test that fails should fail loudly")]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use axum::{Extension, Router};
use session_axum::{Csrf, CsrfForm, CsrfGuard, CsrfToken, SessionConfig, SessionLayer};
use session_conformance::csrf_requests;
use tower::ServiceExt as _;

#[derive(serde::Deserialize)]
struct Login {
    name: String,
}

fn app(config: SessionConfig, csrf: Csrf, now: u64) -> Router {
    Router::new()
        .route(
            "/form",
            post(|CsrfForm(f): CsrfForm<Login>| async move { format!("ok {}", f.name) }),
        )
        .route(
            "/api",
            post(|_: CsrfGuard| async { "ok api" }).get(|_: CsrfGuard| async { "ok get" }),
        )
        .route("/token", get(|CsrfToken(t): CsrfToken| async move { t }))
        .layer(Extension(csrf))
        .layer(SessionLayer::new(config).with_clock(move || now))
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Vec<String>, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let cookies = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, cookies, String::from_utf8(body.to_vec()).unwrap())
}

fn post_request(path: &str, cookies: &[String], header: Option<(&str, &str)>, body: String) -> Request<Body> {
    let mut b = Request::post(path).header("content-type", "application/x-www-form-urlencoded");
    for c in cookies {
        b = b.header("cookie", c);
    }
    if let Some((name, value)) = header {
        b = b.header(name, value);
    }
    b.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn flask_wtf_vectors_through_the_guards() {
    let cases = csrf_requests();
    assert!(cases.len() >= 10, "the CSRF vectors are loaded");
    for c in cases {
        let app = app(c.config.clone(), c.csrf.clone(), c.now);
        let token = c.token.clone().unwrap_or_default();
        let field = match &c.token {
            Some(t) => format!("name=alice&csrf_token={t}"),
            None => "name=alice".to_owned(),
        };
        let ways = [
            (
                "field",
                post_request("/form", &c.cookie_headers, None, field),
                "ok alice",
            ),
            (
                "X-CSRFToken",
                post_request(
                    "/api",
                    &c.cookie_headers,
                    c.token.as_ref().map(|_| ("X-CSRFToken", token.as_str())),
                    String::new(),
                ),
                "ok api",
            ),
            (
                "X-CSRF-Token",
                post_request(
                    "/form",
                    &c.cookie_headers,
                    c.token.as_ref().map(|_| ("X-CSRF-Token", token.as_str())),
                    "name=alice".into(),
                ),
                "ok alice",
            ),
        ];
        for (way, request, ok_body) in ways {
            let (status, _, body) = send(&app, request).await;
            match &c.refusal {
                None => assert_eq!((status, body.as_str()), (StatusCode::OK, ok_body), "{} via {way}", c.id),
                Some(reason) => {
                    assert_eq!(
                        (status, body.as_str()),
                        (StatusCode::BAD_REQUEST, reason.as_str()),
                        "{} via {way}",
                        c.id
                    )
                }
            }
        }
    }
}

#[tokio::test]
async fn a_rendered_token_posts_back_and_safe_methods_pass() {
    let key = session_axum::SecretKey::parse("0123456789abcdef").unwrap();
    let config = SessionConfig::builder().secret_key(key.clone()).build().unwrap();
    let app = app(config, Csrf::new(&key), 1_700_000_000);
    let (status, cookies, token) = send(&app, Request::get("/token").body(Body::empty()).unwrap()).await;
    assert_eq!(
        (status, cookies.len()),
        (StatusCode::OK, 1),
        "a new raw token is stored in the session"
    );
    let (status, _, body) = send(
        &app,
        post_request("/form", &cookies, None, format!("name=bob&csrf_token={token}")),
    )
    .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok bob"));
    let (status, _, body) = send(
        &app,
        post_request("/form", &[], None, format!("name=bob&csrf_token={token}")),
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::BAD_REQUEST, "The CSRF session token is missing.")
    );
    let (status, _, _) = send(&app, Request::get("/api").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "GET is not checked");
}

/// CSRF needs only the session layer: tokens are signed with the session's key (no `Extension(csrf)`), and a
/// form holding nothing but the token (a logout button) is `CsrfForm<()>`.
#[tokio::test]
async fn the_session_layer_alone_enables_csrf_and_a_token_only_form_works() {
    let key = session_axum::SecretKey::parse("0123456789abcdef").unwrap();
    let config = SessionConfig::builder().secret_key(key).build().unwrap();
    let app = Router::new()
        .route("/token", get(|CsrfToken(t): CsrfToken| async move { t }))
        .route(
            "/logout",
            post(|session: session_axum::Session, _: CsrfForm<()>| async move {
                session.purge();
                "logged out"
            }),
        )
        .route(
            "/form",
            post(|CsrfForm(f): CsrfForm<Login>| async move { format!("ok {}", f.name) }),
        )
        .layer(SessionLayer::new(config).with_clock(|| 1_700_000_000));
    let (status, cookies, token) = send(&app, Request::get("/token").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = send(
        &app,
        post_request("/logout", &cookies, None, format!("csrf_token={token}")),
    )
    .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "logged out"));
    let (status, _, body) = send(&app, post_request("/logout", &cookies, None, String::new())).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::BAD_REQUEST, "The CSRF token is missing.")
    );
    let (status, _, body) = send(
        &app,
        post_request("/form", &cookies, None, format!("csrf_token={token}&name=eve")),
    )
    .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok eve"));
}

/// Without the session layer the CSRF extractors answer a bare 500; the reason goes to the log, not the client.
#[tokio::test]
async fn a_missing_session_layer_is_a_500_that_tells_the_client_nothing() {
    let app: Router = Router::new().route("/token", get(|CsrfToken(t): CsrfToken| async move { t }));
    let (status, _, body) = send(&app, Request::get("/token").body(Body::empty()).unwrap()).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
    );
}
