//! What the adapter itself does: header plumbing around the core (the session rules are the vectors' job).
#![allow(clippy::unwrap_used, reason = "a test helper that fails should fail loudly")]

use std::convert::Infallible;

use http::{HeaderValue, Request, Response, StatusCode};
use hyper::service::{Service as _, service_fn};
use session_hyper::{SecretKey, SessionConfig, SessionHandle, SessionLayer, SessionService};
use tower_layer::Layer as _;

const NOW: u64 = 1_700_000_000;

fn config() -> SessionConfig {
    SessionConfig::builder()
        .secret_key(SecretKey::parse("a-demo-secret-key-1234").unwrap())
        .build()
        .unwrap()
}

/// A cookie holding `{"username": "alice"}`, as this config writes it.
fn alice_cookie() -> String {
    let handle = SessionHandle::new(config(), vec![], NOW);
    handle.insert("username", "alice").unwrap();
    let set_cookie = handle.finish().unwrap().set_cookie.unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}

/// Sends one request with `cookies` through the layer around `handler` (which gets the session).
fn check(
    cookies: &[&[u8]],
    handler: impl Fn(&SessionHandle, &mut Response<String>) + Clone + Send + 'static,
) -> Response<String> {
    let inner = service_fn(move |req: Request<String>| {
        let handler = handler.clone();
        async move {
            let mut response = Response::new("ok".to_owned());
            handler(req.extensions().get::<SessionHandle>().unwrap(), &mut response);
            Ok::<_, Infallible>(response)
        }
    });
    let service = SessionLayer::new(config()).with_clock(|| NOW).layer(inner);
    let mut request = Request::new(String::new());
    for c in cookies {
        request
            .headers_mut()
            .append("cookie", HeaderValue::from_bytes(c).unwrap());
    }
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(service.call(request)).unwrap()
}

fn values<B>(response: &Response<B>, name: &str) -> Vec<String> {
    response
        .headers()
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

#[test]
fn untouched_route_gets_no_vary_and_no_cookie() {
    let alice = alice_cookie();
    let response = check(&[alice.as_bytes()], |_, _| {});
    assert_eq!(response.status(), StatusCode::OK);
    assert!(values(&response, "vary").is_empty());
    assert!(values(&response, "set-cookie").is_empty());
}

#[test]
fn non_utf8_cookie_header_is_ignored() {
    let alice = alice_cookie();
    let response = check(&[b"session=\xff\xfe", alice.as_bytes()], |s, r| {
        *r.body_mut() = s.get::<String>("username").unwrap().unwrap_or_default();
    });
    assert_eq!(response.body(), "alice");
    assert_eq!(values(&response, "vary"), ["Cookie"]);
}

#[test]
fn other_set_cookie_headers_and_vary_are_kept() {
    let response = check(&[], |s, r| {
        s.insert("username", "bob").unwrap();
        r.headers_mut()
            .append("set-cookie", HeaderValue::from_static("theme=dark"));
        r.headers_mut()
            .append("vary", HeaderValue::from_static("Accept-Encoding, cookie"));
    });
    let set_cookie = values(&response, "set-cookie");
    assert_eq!(set_cookie.len(), 2);
    assert_eq!(set_cookie[0], "theme=dark");
    assert!(set_cookie[1].starts_with("session="));
    assert_eq!(
        values(&response, "vary"),
        ["Accept-Encoding, cookie"],
        "Cookie is listed once"
    );

    let response = check(&[], |s, r| {
        s.insert("username", "bob").unwrap();
        r.headers_mut()
            .append("vary", HeaderValue::from_static("Accept-Encoding"));
    });
    assert_eq!(values(&response, "vary"), ["Accept-Encoding", "Cookie"]);
}

#[test]
fn oversized_session_is_a_500_with_vary() {
    let response = check(&[], |s, r| {
        s.insert("blob", &session_conformance::incompressible(6000)).unwrap();
        r.headers_mut()
            .append("set-cookie", HeaderValue::from_static("theme=dark"));
    });
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.body(), "Internal Server Error");
    assert_eq!(values(&response, "vary"), ["Cookie"]);
    assert!(
        values(&response, "set-cookie").is_empty(),
        "the handler's response is replaced"
    );
}

#[test]
fn error_body_is_configurable() {
    let inner = service_fn(|req: Request<String>| async move {
        req.extensions()
            .get::<SessionHandle>()
            .unwrap()
            .insert("blob", &session_conformance::incompressible(6000))
            .unwrap();
        Ok::<_, Infallible>(Response::new(String::new()))
    });
    let service = SessionLayer::new(config()).with_error_body("too large").layer(inner);
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let response = rt.block_on(service.call(Request::new(String::new()))).unwrap();
    assert_eq!(
        (response.status(), response.body().as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, "too large")
    );
}

#[test]
fn works_as_a_tower_service() {
    use tower::ServiceExt as _;
    let inner = tower::service_fn(|req: Request<String>| async move {
        req.extensions()
            .get::<SessionHandle>()
            .unwrap()
            .insert("username", "carol")
            .unwrap();
        Ok::<_, Infallible>(Response::new(String::new()))
    });
    let service = SessionService::new(inner, config());
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let response = rt.block_on(service.oneshot(Request::new(String::new()))).unwrap();
    assert!(values(&response, "set-cookie")[0].starts_with("session=eyJ1c2VybmFtZSI6ImNhcm9sIn0."));
}

#[test]
fn plain_functions_load_and_apply() {
    let alice = alice_cookie();
    let request = Request::builder().header("cookie", &alice).body(String::new()).unwrap();
    let session = session_hyper::load(&request, &config(), NOW);
    assert_eq!(session.get::<String>("username").unwrap().as_deref(), Some("alice"));
    session.remove("username");
    let mut response = Response::new(());
    session_hyper::apply(&session, &mut response).unwrap();
    let set_cookie = values(&response, "set-cookie");
    assert!(
        set_cookie[0].starts_with("session=;") && set_cookie[0].contains("Max-Age=0"),
        "{set_cookie:?}"
    );
}
