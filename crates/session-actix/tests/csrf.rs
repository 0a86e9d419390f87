//! Flask-WTF's CSRF vectors through `CsrfForm` and `CsrfGuard` in a real actix-web `App`: the token as a form
//! field, in `X-CSRFToken`, and in `X-CSRF-Token`; then a token rendered by `CsrfToken` posted back.
#![allow(clippy::unwrap_used, reason = "a test that fails should fail loudly")]

use actix_web::test as actix_test;
use actix_web::{App, web};
use session_actix::{Csrf, CsrfForm, CsrfGuard, CsrfToken, SessionConfig, SessionMiddleware};
use session_conformance::csrf_requests;

#[derive(serde::Deserialize)]
struct Login {
    name: String,
}

macro_rules! app {
    ($config:expr, $csrf:expr, $now:expr) => {{
        let now: u64 = $now;
        actix_test::init_service(
            App::new()
                .app_data($csrf)
                .wrap(SessionMiddleware::new($config).with_clock(move || now))
                .route(
                    "/form",
                    web::post().to(|CsrfForm(f): CsrfForm<Login>| async move { format!("ok {}", f.name) }),
                )
                .route("/api", web::post().to(|_: CsrfGuard| async { "ok api" }))
                .route("/api", web::get().to(|_: CsrfGuard| async { "ok get" }))
                .route("/token", web::get().to(|CsrfToken(t): CsrfToken| async move { t })),
        )
        .await
    }};
}

fn post(path: &str, cookies: &[String], header: Option<(&str, &str)>, body: String) -> actix_test::TestRequest {
    let mut r = actix_test::TestRequest::post()
        .uri(path)
        .insert_header(("content-type", "application/x-www-form-urlencoded"));
    for c in cookies {
        r = r.append_header(("cookie", c.as_str()));
    }
    if let Some((name, value)) = header {
        r = r.insert_header((name.to_owned(), value.to_owned()));
    }
    r.set_payload(body)
}

#[actix_web::test]
async fn flask_wtf_vectors_through_the_guards() {
    let cases = csrf_requests();
    assert!(cases.len() >= 10, "the CSRF vectors are loaded");
    for c in cases {
        let app = app!(c.config.clone(), c.csrf.clone(), c.now);
        let token = c.token.clone().unwrap_or_default();
        let header = |name| c.token.as_ref().map(|_| (name, token.as_str()));
        let field = match &c.token {
            Some(t) => format!("name=alice&csrf_token={t}"),
            None => "name=alice".to_owned(),
        };
        let ways = [
            ("field", post("/form", &c.cookie_headers, None, field), "ok alice"),
            (
                "X-CSRFToken",
                post("/api", &c.cookie_headers, header("X-CSRFToken"), String::new()),
                "ok api",
            ),
            (
                "X-CSRF-Token",
                post("/form", &c.cookie_headers, header("X-CSRF-Token"), "name=alice".into()),
                "ok alice",
            ),
        ];
        for (way, request, ok_body) in ways {
            let res = actix_test::call_service(&app, request.to_request()).await;
            let status = res.status().as_u16();
            let body = String::from_utf8(actix_test::read_body(res).await.to_vec()).unwrap();
            match &c.refusal {
                None => assert_eq!((status, body.as_str()), (200, ok_body), "{} via {way}", c.id),
                Some(reason) => assert_eq!((status, body.as_str()), (400, reason.as_str()), "{} via {way}", c.id),
            }
        }
    }
}

#[actix_web::test]
async fn a_rendered_token_posts_back_and_safe_methods_pass() {
    let key = session_actix::SecretKey::parse("0123456789abcdef").unwrap();
    let config = SessionConfig::builder().secret_key(key.clone()).build().unwrap();
    let app = app!(config, Csrf::new(&key), 1_700_000_000);
    let res = actix_test::call_service(&app, actix_test::TestRequest::get().uri("/token").to_request()).await;
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    assert_eq!(cookies.len(), 1, "a new raw token is stored in the session");
    let token = String::from_utf8(actix_test::read_body(res).await.to_vec()).unwrap();
    let res = actix_test::call_service(
        &app,
        post("/form", &cookies, None, format!("name=bob&csrf_token={token}")).to_request(),
    )
    .await;
    assert_eq!(actix_test::read_body(res).await, "ok bob");
    let res = actix_test::call_service(
        &app,
        post("/form", &[], None, format!("name=bob&csrf_token={token}")).to_request(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 400);
    assert_eq!(actix_test::read_body(res).await, "The CSRF session token is missing.");
    let res = actix_test::call_service(&app, actix_test::TestRequest::get().uri("/api").to_request()).await;
    assert_eq!(res.status().as_u16(), 200, "GET is not checked");
}

/// A handler as actix-web users write them: `actix_web::Result`, `?` on session calls, `entries()`.
async fn count(session: session_actix::Session) -> actix_web::Result<String> {
    let n: u32 = session.get("n")?.unwrap_or(0);
    session.insert("n", n + 1)?;
    let keys: Vec<String> = session.entries().into_keys().collect();
    Ok(format!("{} {}", n + 1, keys.join(",")))
}

/// CSRF needs only the session middleware (no `Csrf` app data), a form holding nothing but the token is
/// `CsrfForm<()>`, and handlers returning `actix_web::Result` use `?` on session calls.
#[actix_web::test]
async fn the_middleware_alone_enables_csrf_and_actix_results_work() {
    let key = session_actix::SecretKey::parse("0123456789abcdef").unwrap();
    let config = SessionConfig::builder().secret_key(key).build().unwrap();
    let app = actix_test::init_service(
        App::new()
            .wrap(SessionMiddleware::new(config).with_clock(|| 1_700_000_000))
            .route("/token", web::get().to(|CsrfToken(t): CsrfToken| async move { t }))
            .route(
                "/logout",
                web::post().to(|session: session_actix::Session, _: CsrfForm<()>| async move {
                    session.purge();
                    "logged out"
                }),
            )
            .route("/count", web::get().to(count)),
    )
    .await;
    let response = actix_test::call_service(&app, actix_test::TestRequest::get().uri("/token").to_request()).await;
    let cookie = response.headers().get("set-cookie").unwrap().to_str().unwrap();
    let cookies = vec![cookie.split(';').next().unwrap().to_owned()];
    let token = String::from_utf8(actix_test::read_body(response).await.to_vec()).unwrap();
    let body = |r| async { String::from_utf8(actix_test::read_body(r).await.to_vec()).unwrap() };

    let r = actix_test::call_service(
        &app,
        post("/logout", &cookies, None, format!("csrf_token={token}")).to_request(),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await, "logged out");
    let r = actix_test::call_service(&app, post("/logout", &cookies, None, String::new()).to_request()).await;
    assert_eq!(r.status(), 400);
    assert_eq!(body(r).await, "The CSRF token is missing.");

    let r = actix_test::call_service(&app, actix_test::TestRequest::get().uri("/count").to_request()).await;
    assert_eq!(body(r).await, "1 n");
}
