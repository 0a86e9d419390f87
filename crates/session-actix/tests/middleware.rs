//! The adapter's own behaviour (the session rules are covered by `conformance.rs`).
#![allow(clippy::unwrap_used, reason = "a test helper that fails should fail loudly")]

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::{HeaderValue, SET_COOKIE, VARY};
use actix_web::test::{TestRequest, call_service, init_service, read_body};
use actix_web::{App, HttpRequest, HttpResponse, web};
use session_actix::{SameSite, SecretKey, Session, SessionChange, SessionExt, SessionMiddleware};

const NOW: u64 = 1_700_000_000;

fn key() -> SecretKey {
    SecretKey::parse("0123456789abcdef").unwrap()
}

fn middleware() -> SessionMiddleware {
    SessionMiddleware::builder(key()).with_clock(|| NOW).build().unwrap()
}

/// What one request gave back: status, every `Set-Cookie`, every `Vary`, body.
struct Reply {
    status: u16,
    set_cookie: Vec<String>,
    vary: Vec<String>,
    body: String,
}

async fn reply<B: MessageBody>(res: ServiceResponse<B>) -> Reply {
    let all = |name| {
        res.headers()
            .get_all(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let (status, set_cookie, vary) = (res.status().as_u16(), all(SET_COOKIE), all(VARY));
    let body = String::from_utf8(read_body(res).await.to_vec()).unwrap();
    Reply {
        status,
        set_cookie,
        vary,
        body,
    }
}

/// Sends `req` to an app made of `cfg`, wrapped in `middleware` (or not).
async fn check(
    middleware: Option<SessionMiddleware>,
    cfg: impl FnOnce(&mut web::ServiceConfig) + 'static,
    req: TestRequest,
) -> Reply {
    let app = App::new().wrap(actix_web::middleware::Condition::new(
        middleware.is_some(),
        middleware.unwrap_or_else(self::middleware),
    ));
    let app = init_service(app.configure(cfg)).await;
    reply(app.call(req.to_request()).await.unwrap()).await
}

async fn login(session: Session) -> HttpResponse {
    session.insert("username", "alice").unwrap();
    HttpResponse::Ok().finish()
}

async fn whoami(req: HttpRequest) -> actix_web::Result<String> {
    Ok(req
        .get_session()?
        .get::<String>("username")
        .unwrap()
        .unwrap_or_default())
}

/// A cookie for `{"username": "alice"}` signed at `NOW` with `key()`.
async fn alice_cookie() -> String {
    let r = check(
        Some(middleware()),
        |c| {
            c.route("/", web::get().to(login));
        },
        TestRequest::default(),
    )
    .await;
    r.set_cookie[0].split(';').next().unwrap().to_owned()
}

#[actix_web::test]
async fn missing_middleware_is_a_500_that_says_so() {
    let r = check(
        None,
        |c| {
            c.route("/", web::get().to(login));
        },
        TestRequest::default(),
    )
    .await;
    assert_eq!(r.status, 500);
    assert_eq!(
        r.body,
        "the session middleware is missing: wrap your App with SessionMiddleware"
    );
    let r = check(
        None,
        |c| {
            c.route("/", web::get().to(whoami));
        },
        TestRequest::default(),
    )
    .await;
    assert_eq!(
        (r.status, r.body.contains("wrap your App with SessionMiddleware")),
        (500, true)
    );
}

#[actix_web::test]
async fn session_round_trips_and_other_cookies_bytes_do_not_matter() {
    let cookie = alice_cookie().await;
    assert!(cookie.starts_with("session=eyJ1c2VybmFtZSI6ImFsaWNlIn0."), "{cookie}");
    let req = TestRequest::default()
        .append_header(("cookie", HeaderValue::from_bytes(b"pref=\xff\xfe").unwrap()))
        .append_header(("cookie", cookie.as_str()));
    let r = check(
        Some(middleware()),
        |c| {
            c.route("/", web::get().to(whoami));
        },
        req,
    )
    .await;
    assert_eq!((r.status, r.body.as_str()), (200, "alice"));
    assert_eq!(r.vary, ["Cookie"]);
    assert!(
        r.set_cookie.is_empty(),
        "unchanged session is not re-sent: {:?}",
        r.set_cookie
    );
}

#[actix_web::test]
async fn untouched_route_gets_no_vary_and_no_cookie() {
    let req = TestRequest::default().append_header(("cookie", alice_cookie().await));
    let r = check(
        Some(middleware()),
        |c| {
            c.route("/", web::get().to(HttpResponse::Ok));
        },
        req,
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(
        r.vary.is_empty() && r.set_cookie.is_empty(),
        "{:?} {:?}",
        r.vary,
        r.set_cookie
    );
}

#[actix_web::test]
async fn other_set_cookie_and_vary_headers_are_kept() {
    async fn handler(session: Session) -> HttpResponse {
        session.insert("n", &1).unwrap();
        HttpResponse::Ok()
            .append_header((SET_COOKIE, "theme=dark"))
            .append_header((VARY, "Accept-Encoding"))
            .finish()
    }
    let r = check(
        Some(middleware()),
        |c| {
            c.route("/", web::get().to(handler));
        },
        TestRequest::default(),
    )
    .await;
    assert_eq!(r.set_cookie.len(), 2, "{:?}", r.set_cookie);
    assert_eq!(r.set_cookie[0], "theme=dark");
    assert!(r.set_cookie[1].starts_with("session="));
    assert_eq!(r.vary, ["Accept-Encoding", "Cookie"]);

    async fn listed(session: Session) -> HttpResponse {
        session.insert("n", &1).unwrap();
        HttpResponse::Ok()
            .append_header((VARY, "accept-encoding, cookie"))
            .finish()
    }
    let r = check(
        Some(middleware()),
        |c| {
            c.route("/", web::get().to(listed));
        },
        TestRequest::default(),
    )
    .await;
    assert_eq!(r.vary, ["accept-encoding, cookie"]);
}

#[actix_web::test]
async fn oversized_session_is_a_plain_500() {
    async fn big(session: Session) -> HttpResponse {
        // Incompressible, so it cannot fit in 4093 bytes.
        let blob = session_conformance::incompressible(6000);
        session.insert("blob", &blob).unwrap();
        HttpResponse::Found()
            .append_header(("location", "/"))
            .append_header((SET_COOKIE, "a=b"))
            .finish()
    }
    let r = check(
        Some(middleware()),
        |c| {
            c.route("/", web::get().to(big));
        },
        TestRequest::default(),
    )
    .await;
    assert_eq!((r.status, r.body.as_str()), (500, "Internal Server Error"));
    assert!(r.set_cookie.is_empty(), "{:?}", r.set_cookie);
    assert_eq!(r.vary, ["Cookie"]);
}

#[actix_web::test]
async fn builder_maps_onto_the_core_config() {
    let err = SessionMiddleware::builder(key())
        .cookie_same_site(SameSite::None)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("secure(true)"), "{err}");

    let m = SessionMiddleware::builder(key())
        .cookie_name("sid")
        .cookie_secure(true)
        .cookie_http_only(false)
        .cookie_same_site(SameSite::None)
        .cookie_path("/app")
        .cookie_domain(Some("example.com".into()))
        .session_lifetime(std::time::Duration::from_secs(3600))
        .with_clock(|| NOW)
        .build()
        .unwrap();
    assert_eq!(
        (m.config().cookie_name(), m.config().lifetime()),
        ("sid", std::time::Duration::from_secs(3600))
    );
    async fn permanent(session: Session) -> HttpResponse {
        session.set_permanent(true);
        HttpResponse::Ok().finish()
    }
    let r = check(
        Some(m),
        |c| {
            c.route("/", web::get().to(permanent));
        },
        TestRequest::default(),
    )
    .await;
    let c = &r.set_cookie[0];
    assert!(c.starts_with("sid="), "{c}");
    for attr in [
        "Secure",
        "SameSite=None",
        "Path=/app",
        "Domain=example.com",
        "Expires=Tue, 14 Nov 2023 23:13:20 GMT",
    ] {
        assert!(c.contains(attr), "{attr} missing in {c}");
    }
    assert!(!c.contains("HttpOnly"), "{c}");
}

#[actix_web::test]
async fn fallback_key_verifies_and_re_signs() {
    let old = alice_cookie().await;
    let m = SessionMiddleware::builder(SecretKey::parse("a brand new key 0123").unwrap())
        .fallback_key(key())
        .with_clock(|| NOW)
        .build()
        .unwrap();
    let req = TestRequest::default().append_header(("cookie", old.as_str()));
    let r = check(
        Some(m),
        |c| {
            c.route("/", web::get().to(whoami));
        },
        req,
    )
    .await;
    assert_eq!(r.body, "alice");
    assert_eq!(r.set_cookie.len(), 1, "re-signed with the new key");
    assert_ne!(r.set_cookie[0].split(';').next().unwrap(), old);
}

#[actix_web::test]
async fn status_follows_the_session() {
    async fn status(session: Session, path: web::Path<String>) -> String {
        match path.as_str() {
            "insert" => session.insert("k", "v").unwrap(),
            "purge" => session.purge(),
            "renew" => session.renew(),
            _ => {}
        }
        format!("{:?}", session.change())
    }
    for (path, want) in [
        ("none", SessionChange::Unchanged),
        ("insert", SessionChange::Changed),
        ("purge", SessionChange::Purged),
        ("renew", SessionChange::Renewed),
    ] {
        let req = TestRequest::with_uri(&format!("/{path}")).append_header(("cookie", alice_cookie().await));
        let r = check(
            Some(middleware()),
            |c| {
                c.route("/{p}", web::get().to(status));
            },
            req,
        )
        .await;
        assert_eq!(r.body, format!("{want:?}"), "{path}");
    }
}

#[actix_web::test]
async fn get_session_works_on_service_requests() {
    let app = App::new()
        .wrap_fn(|req, srv| {
            let seen = req.get_session().map(|s| s.contains_key("username"));
            let fut = srv.call(req);
            async move {
                let mut res = fut.await?;
                res.headers_mut().insert(
                    actix_web::http::header::HeaderName::from_static("x-seen"),
                    HeaderValue::from_static(if seen == Ok(true) { "yes" } else { "no" }),
                );
                Ok(res)
            }
        })
        .wrap(middleware())
        .route("/", web::get().to(HttpResponse::Ok));
    let app = init_service(app).await;
    let req = TestRequest::default()
        .append_header(("cookie", alice_cookie().await))
        .to_request();
    let res = call_service(&app, req).await;
    assert_eq!(res.headers().get("x-seen").unwrap(), "yes");
}

// ---------------------------------------------------------------------------------------------------------
// Request-path robustness: each of these failed before the fix.

/// A permanent session of about 4.2 KB, signed as Flask (which only warns) would write it.
fn oversized_permanent_cookie() -> String {
    let data = [
        ("_permanent".to_owned(), session_actix::Value::Bool(true)),
        ("username".to_owned(), "alice".into()),
        ("blob".to_owned(), session_conformance::incompressible(4000).into()),
    ]
    .into_iter()
    .collect::<session_core::Map>();
    format!("session={}", middleware().config().codec().encode(&data, NOW - 100))
}

#[actix_web::test]
async fn oversized_refresh_the_handler_did_not_ask_for_is_not_a_500() {
    let cookie = oversized_permanent_cookie();
    for (handler, body) in [("whoami", "alice"), ("untouched", "")] {
        let req = TestRequest::default().append_header(("cookie", cookie.as_str()));
        let r = check(
            Some(middleware()),
            move |c| {
                if handler == "whoami" {
                    c.route("/", web::get().to(whoami));
                } else {
                    c.route("/", web::get().to(HttpResponse::Ok));
                }
            },
            req,
        )
        .await;
        assert_eq!((r.status, r.body.as_str()), (200, body), "{handler}");
        assert!(r.set_cookie.is_empty(), "{handler}: {:?}", r.set_cookie);
    }
    // A change the handler made still fails loudly.
    let req = TestRequest::default().append_header(("cookie", cookie.as_str()));
    let r = check(
        Some(middleware()),
        |c| {
            c.route("/", web::get().to(login));
        },
        req,
    )
    .await;
    assert_eq!(r.status, 500);
}

#[actix_web::test]
async fn a_non_utf8_byte_elsewhere_in_the_cookie_line_does_not_hide_the_session() {
    let line = [b"pref=caf\xe9; ".as_slice(), alice_cookie().await.as_bytes()].concat();
    let req = TestRequest::default().append_header(("cookie", HeaderValue::from_bytes(&line).unwrap()));
    let r = check(
        Some(middleware()),
        |c| {
            c.route("/", web::get().to(whoami));
        },
        req,
    )
    .await;
    assert_eq!((r.status, r.body.as_str()), (200, "alice"));
    // The first `session` cookie wins even when it is not UTF-8 (refused: an empty session), as in Werkzeug.
    let line = [b"session=\xff; ".as_slice(), alice_cookie().await.as_bytes()].concat();
    let req = TestRequest::default().append_header(("cookie", HeaderValue::from_bytes(&line).unwrap()));
    let r = check(
        Some(middleware()),
        |c| {
            c.route("/", web::get().to(whoami));
        },
        req,
    )
    .await;
    assert_eq!((r.status, r.body.as_str()), (200, ""));
}

#[actix_web::test]
async fn a_domain_that_would_inject_an_attribute_is_refused_at_build() {
    for domain in ["example.com; SameSite=None", "example.com\r\nX: y"] {
        let err = SessionMiddleware::builder(key())
            .cookie_domain(Some(domain.into()))
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("cookie domain"), "{err}");
    }
}

#[actix_web::test]
async fn a_bare_session_token_first_is_an_empty_value_as_in_werkzeug() {
    let req = TestRequest::default().append_header(("cookie", format!("session; {}", alice_cookie().await)));
    let r = check(
        Some(middleware()),
        |c| {
            c.route("/", web::get().to(whoami));
        },
        req,
    )
    .await;
    assert_eq!((r.status, r.body.as_str()), (200, ""));
}

#[actix_web::test]
async fn nested_scopes_with_the_middleware_twice_share_one_session() {
    async fn set_permanent(session: Session) -> HttpResponse {
        session.set_permanent(true);
        session.insert("username", "alice").unwrap();
        HttpResponse::Ok().finish()
    }
    async fn logout(session: Session) -> HttpResponse {
        session.purge();
        HttpResponse::Ok().finish()
    }
    let r = check(
        Some(middleware()),
        |c| {
            c.route("/", web::get().to(set_permanent));
        },
        TestRequest::default(),
    )
    .await;
    let permanent = r.set_cookie[0].split(';').next().unwrap().to_owned();
    let app = App::new().wrap(middleware()).service(
        web::scope("/account")
            .wrap(middleware())
            .route("/logout", web::get().to(logout)),
    );
    let app = init_service(app).await;
    let req = TestRequest::with_uri("/account/logout").append_header(("cookie", permanent));
    let r = reply(app.call(req.to_request()).await.unwrap()).await;
    assert_eq!(
        r.set_cookie.len(),
        1,
        "one Set-Cookie, not one per layer: {:?}",
        r.set_cookie
    );
    assert!(r.set_cookie[0].starts_with("session=;"), "{:?}", r.set_cookie);
}

// ---------------------------------------------------------------------------------------------------------
// One handler API, native errors.

#[actix_web::test]
async fn question_mark_in_a_handler_gives_a_500_that_leaks_nothing() {
    async fn wrong_type(session: Session) -> Result<String, session_actix::Error> {
        let n: Option<i64> = session.get("username")?; // a string: a Value error
        Ok(format!("{n:?}"))
    }
    let req = TestRequest::default().append_header(("cookie", alice_cookie().await));
    let r = check(
        Some(middleware()),
        |c| {
            c.route("/", web::get().to(wrong_type));
        },
        req,
    )
    .await;
    assert_eq!((r.status, r.body.as_str()), (500, "Internal Server Error"));
}

#[actix_web::test]
async fn status_says_why_there_is_no_session() {
    use session_actix::{ErrorKind, LoadStatus};
    async fn status(session: Session) -> String {
        match session.status() {
            LoadStatus::New => "new".to_owned(),
            LoadStatus::Loaded { key } => format!("loaded by {key:?}"),
            LoadStatus::Refused(e) if e.kind() == ErrorKind::BadSignature => "refused: bad signature".to_owned(),
            other => format!("{other:?}"),
        }
    }
    let alice = alice_cookie().await;
    let tampered = alice.replace("eyJ1c2VybmFtZSI6ImFsaWNlIn0", "eyJ1c2VybmFtZSI6Im1hbGxvcnkifQ");
    for (cookie, want) in [
        (None, "new"),
        (Some(alice), "loaded by Current"),
        (Some(tampered), "refused: bad signature"),
    ] {
        let mut req = TestRequest::default();
        if let Some(c) = cookie {
            req = req.append_header(("cookie", c));
        }
        let r = check(
            Some(middleware()),
            |c| {
                c.route("/", web::get().to(status));
            },
            req,
        )
        .await;
        assert_eq!(r.body, want);
    }
}

#[actix_web::test]
async fn an_existing_vary_star_covers_cookie() {
    async fn handler(session: Session) -> HttpResponse {
        session.insert("n", &1).unwrap();
        HttpResponse::Ok().append_header((VARY, "*")).finish()
    }
    let r = check(
        Some(middleware()),
        |c| {
            c.route("/", web::get().to(handler));
        },
        TestRequest::default(),
    )
    .await;
    assert_eq!(r.vary, ["*"]);
    assert_eq!(r.set_cookie.len(), 1);
}
