//! Heap allocations our middleware adds to a request, counted around `actix_web::test::call_service`
//! on an app with `/bare` (outside the middleware), `/plain` (inside, session untouched) and `/read`, all sent
//! the same session cookie. actix-web's own allocations are the same on every route, so the differences are
//! ours: the handle, the cookie's value, the boxed future, the extension, and decoding the cookie (a permanent
//! session would be refreshed, so an untouched cookie is verified too).
//!
//! The bounds are today's counts: a change that adds an allocation to these paths fails here and has to say
//! why (raise the bound in the same commit).

use actix_web::{App, test, web};
use session_actix::{SecretKey, Session, SessionMiddleware};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[actix_web::test]
async fn middleware_allocations_per_request() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let sessions = SessionMiddleware::builder(SecretKey::parse("a bench key of at least sixteen bytes").unwrap())
        .with_clock(|| 1_700_000_000)
        .build()
        .unwrap();
    let app = test::init_service(
        App::new().route("/bare", web::get().to(|| async { "ok" })).service(
            web::scope("")
                .wrap(sessions)
                .route("/plain", web::get().to(|| async { "ok" }))
                .route(
                    "/read",
                    web::get().to(|s: Session| async move { s.get::<String>("username").unwrap().unwrap_or_default() }),
                )
                .route(
                    "/login",
                    web::get().to(|s: Session| async move {
                        s.insert("username", "alice").unwrap();
                        s.insert("counter", &0).unwrap();
                        "ok"
                    }),
                ),
        ),
    )
    .await;
    let res = test::call_service(&app, test::TestRequest::get().uri("/login").to_request()).await;
    let set_cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap();
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let mut counts = Vec::new();
    for path in ["/bare", "/plain", "/read"] {
        let run = async || {
            let req = test::TestRequest::get()
                .uri(path)
                .insert_header(("cookie", cookie.as_str()))
                .to_request();
            let res = test::call_service(&app, req).await;
            assert!(res.status().is_success());
            drop(test::read_body(res).await);
        };
        run().await;
        let before = dhat::HeapStats::get().total_blocks;
        run().await;
        counts.push((path, dhat::HeapStats::get().total_blocks - before));
    }
    println!("allocations per request: {counts:?}");
    let [(_, bare), (_, plain), (_, read)] = counts[..] else {
        panic!("three routes measured")
    };
    // An untouched request whose session is not permanent is not verified at all (the handle and the cookie's
    // value, and the payload decoded on the stack to see that it is not permanent); a read verifies the cookie
    // and builds the one value it reads.
    assert!(
        plain - bare <= 3,
        "the middleware adds {} allocations to an untouched request",
        plain - bare
    );
    assert!(read - bare <= 6, "a read adds {} allocations", read - bare);
}
