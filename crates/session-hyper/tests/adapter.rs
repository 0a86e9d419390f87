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
    let set_cookie = handle.finish().unwrap().set_cookies().first().cloned().unwrap();
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
fn non_utf8_cookie_headers_are_read_as_werkzeug_reads_them() {
    let alice = alice_cookie();
    let whoami = |s: &SessionHandle, r: &mut Response<String>| {
        *r.body_mut() = s.get::<String>("username").unwrap().unwrap_or_default();
    };
    // Another cookie's bytes do not matter; the first `session` cookie wins even when it is not UTF-8 (it is
    // refused: an empty session).
    let response = check(&[b"pref=\xff\xfe", alice.as_bytes()], whoami);
    assert_eq!(response.body(), "alice");
    assert_eq!(values(&response, "vary"), ["Cookie"]);
    let response = check(&[b"session=\xff\xfe", alice.as_bytes()], whoami);
    assert_eq!((response.status(), response.body().as_str()), (StatusCode::OK, ""));
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

// ---------------------------------------------------------------------------------------------------------
// Request-path robustness: each of these failed before the fix.

/// Sends one request with `cookies` through `service`; the body is the handler's.
fn send<S>(service: S, cookies: &[&[u8]]) -> Response<String>
where
    S: hyper::service::Service<Request<String>, Response = Response<String>, Error = Infallible>,
{
    let mut request = Request::new(String::new());
    for c in cookies {
        request
            .headers_mut()
            .append("cookie", HeaderValue::from_bytes(c).unwrap());
    }
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(service.call(request)).unwrap()
}

/// `session=<a permanent session of about 4.2 KB>`, signed as Flask (which only warns) would write it.
fn oversized_permanent_cookie() -> String {
    let data = [
        ("_permanent".to_owned(), session_hyper::Value::Bool(true)),
        ("username".to_owned(), "alice".into()),
        ("blob".to_owned(), session_conformance::incompressible(4000).into()),
    ]
    .into_iter()
    .collect::<session_hyper::Map>();
    format!("session={}", config().codec().encode(&data, NOW - 100))
}

#[test]
fn oversized_refresh_the_handler_did_not_ask_for_is_not_a_500() {
    let cookie = oversized_permanent_cookie();
    // A route that reads the session, and one that never touches it: the refresh does not fit, so no cookie.
    let response = check(&[cookie.as_bytes()], |s, r| {
        *r.body_mut() = s.get::<String>("username").unwrap().unwrap_or_default();
    });
    assert_eq!((response.status(), response.body().as_str()), (StatusCode::OK, "alice"));
    assert!(values(&response, "set-cookie").is_empty());
    assert_eq!(values(&response, "vary"), ["Cookie"]);
    let response = check(&[cookie.as_bytes()], |_, _| {});
    assert_eq!((response.status(), response.body().as_str()), (StatusCode::OK, "ok"));
    assert!(values(&response, "set-cookie").is_empty() && values(&response, "vary").is_empty());
    // A change the handler made still fails loudly.
    let response = check(&[cookie.as_bytes()], |s, _| s.insert("n", &1).unwrap());
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[test]
fn refresh_that_a_lower_limit_or_extra_attributes_push_over_is_not_a_500() {
    let alice = {
        let handle = SessionHandle::new(config(), vec![], NOW);
        handle.set_permanent(true);
        handle.insert("username", "alice").unwrap();
        let set_cookie = handle.finish().unwrap().set_cookies().first().cloned().unwrap();
        set_cookie.split(';').next().unwrap().to_owned()
    };
    let small = SessionConfig::builder()
        .secret_key(SecretKey::parse("a-demo-secret-key-1234").unwrap())
        .domain(Some("example.com".into()))
        .max_cookie_size(100)
        .build()
        .unwrap();
    let inner = service_fn(|req: Request<String>| async move {
        let name = req
            .extensions()
            .get::<SessionHandle>()
            .unwrap()
            .get::<String>("username");
        Ok::<_, Infallible>(Response::new(name.unwrap().unwrap_or_default()))
    });
    let response = send(
        SessionLayer::new(small).with_clock(|| NOW).layer(inner),
        &[alice.as_bytes()],
    );
    assert_eq!((response.status(), response.body().as_str()), (StatusCode::OK, "alice"));
    assert!(values(&response, "set-cookie").is_empty());
}

#[test]
fn a_non_utf8_byte_elsewhere_in_the_cookie_line_does_not_hide_the_session() {
    let line = [b"pref=caf\xe9; ".as_slice(), alice_cookie().as_bytes()].concat();
    let response = check(&[&line], |s, r| {
        *r.body_mut() = s.get::<String>("username").unwrap().unwrap_or_default();
    });
    assert_eq!(response.body(), "alice");
}

#[test]
fn a_bare_session_token_first_is_an_empty_value_as_in_werkzeug() {
    let line = format!("session; {}", alice_cookie());
    let response = check(&[line.as_bytes()], |s, r| {
        *r.body_mut() = format!("[{}]", s.get::<String>("username").unwrap().unwrap_or_default());
    });
    assert_eq!(response.body(), "[]");
    assert!(values(&response, "set-cookie").is_empty());
}

#[test]
fn stacked_layers_share_one_session() {
    let permanent = {
        let handle = SessionHandle::new(config(), vec![], NOW - 100);
        handle.set_permanent(true);
        handle.insert("username", "alice").unwrap();
        let set_cookie = handle.finish().unwrap().set_cookies().first().cloned().unwrap();
        set_cookie.split(';').next().unwrap().to_owned()
    };
    let logout = service_fn(|req: Request<String>| async move {
        req.extensions().get::<SessionHandle>().unwrap().purge();
        Ok::<_, Infallible>(Response::new(String::new()))
    });
    let layer = SessionLayer::new(config()).with_clock(|| NOW);
    let service = layer.layer(layer.layer(logout));
    let response = send(service, &[permanent.as_bytes()]);
    let set_cookie = values(&response, "set-cookie");
    assert_eq!(set_cookie.len(), 1, "one Set-Cookie, not one per layer: {set_cookie:?}");
    assert!(set_cookie[0].starts_with("session=;"), "the deletion: {set_cookie:?}");
    assert_eq!(values(&response, "vary"), ["Cookie"]);
}

// ---------------------------------------------------------------------------------------------------------
// One handler API: `request.session()`, `status()`, `Vary: *`.

#[test]
fn request_session_and_status_say_why_there_is_no_session() {
    use session_hyper::{ErrorKind, LoadStatus, SessionExt as _};
    let inner = service_fn(|req: Request<String>| async move {
        let status = match req.session().unwrap().status() {
            LoadStatus::New => "new".to_owned(),
            LoadStatus::Loaded { key } => format!("loaded by {key:?}"),
            LoadStatus::Refused(e) if e.kind() == ErrorKind::BadSignature => "refused: bad signature".to_owned(),
            other => format!("{other:?}"),
        };
        Ok::<_, Infallible>(Response::new(status))
    });
    let service = SessionLayer::new(config()).with_clock(|| NOW).layer(inner);
    let alice = alice_cookie();
    let tampered = alice.replace("eyJ1c2VybmFtZSI6ImFsaWNlIn0", "eyJ1c2VybmFtZSI6Im1hbGxvcnkifQ");
    for (cookies, want) in [
        (vec![], "new"),
        (vec![alice.as_bytes()], "loaded by Current"),
        (vec![tampered.as_bytes()], "refused: bad signature"),
    ] {
        let response = send(service.clone(), &cookies);
        assert_eq!(response.body(), want);
        assert_eq!(values(&response, "vary"), ["Cookie"], "asking touches the session");
    }
}

#[test]
fn an_existing_vary_star_covers_cookie() {
    let response = check(&[], |s, r| {
        s.insert("username", "bob").unwrap();
        r.headers_mut().append("vary", HeaderValue::from_static("*"));
    });
    assert_eq!(values(&response, "vary"), ["*"]);
    assert_eq!(values(&response, "set-cookie").len(), 1);
}

#[test]
fn the_body_types_hyper_users_use_are_accepted() {
    use http_body_util::combinators::UnsyncBoxBody;
    use http_body_util::{BodyExt as _, Empty, Full};
    use hyper::body::Bytes;
    use session_hyper::SessionExt as _;

    /// One request through the layer around a handler that stores too much; the status and body text.
    fn oversized<B>(body: fn() -> B) -> (StatusCode, String)
    where
        B: hyper::body::Body + session_hyper::ErrorBody + Send + 'static,
        B::Error: std::fmt::Debug,
    {
        let inner = service_fn(move |req: Request<String>| async move {
            let blob = session_conformance::incompressible(6000);
            req.session().unwrap().insert("blob", &blob).unwrap();
            Ok::<_, Infallible>(Response::new(body()))
        });
        let service = SessionLayer::new(config()).with_clock(|| NOW).layer(inner);
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let response = service.call(Request::new(String::new())).await.unwrap();
            let status = response.status();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            (status, String::from_utf8(bytes.to_vec()).unwrap())
        })
    }
    let error = (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error".to_owned());
    assert_eq!(oversized(|| Full::new(Bytes::from_static(b"ok"))), error);
    assert_eq!(oversized(|| Full::new(Bytes::from_static(b"ok")).boxed()), error);
    assert_eq!(
        oversized(|| -> UnsyncBoxBody<Bytes, Infallible> { Full::new(Bytes::from_static(b"ok")).boxed_unsync() }),
        error
    );
    assert_eq!(
        oversized(Empty::<Bytes>::new),
        (StatusCode::INTERNAL_SERVER_ERROR, String::new()),
        "an empty body type stays empty: the status says it"
    );
}
