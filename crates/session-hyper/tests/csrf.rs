//! Flask-WTF's CSRF vectors through `csrf_protect` in a hyper `service_fn` behind `SessionService`: the token
//! as a form field, in `X-CSRFToken`, and in `X-CSRF-Token`.
#![allow(clippy::unwrap_used, reason = "a test that fails should fail loudly")]

use std::convert::Infallible;

use http::{Request, Response};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::service::{Service as _, service_fn};
use session_conformance::csrf_requests;
use session_hyper::{Csrf, SessionHandle, SessionLayer, csrf_protect, csrf_refusal};
use tower_layer::Layer as _;

async fn handler(csrf: Csrf, request: Request<Full<Bytes>>) -> Result<Response<Full<Bytes>>, Infallible> {
    let session = request.extensions().get::<SessionHandle>().cloned().unwrap();
    let (parts, body) = request.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Ok(
        match csrf_protect(&csrf, &session, &parts.method, &parts.headers, &body) {
            Ok(()) => Response::new(Full::from("ok")),
            Err(e) => csrf_refusal(e),
        },
    )
}

#[tokio::test]
async fn flask_wtf_vectors_through_csrf_protect() {
    let cases = csrf_requests();
    assert!(cases.len() >= 10, "the CSRF vectors are loaded");
    for c in cases {
        let csrf = c.csrf.clone();
        let now = c.now;
        let service = SessionLayer::new(c.config.clone())
            .with_clock(move || now)
            .layer(service_fn(move |r| handler(csrf.clone(), r)));
        let token = c.token.clone().unwrap_or_default();
        let field = match &c.token {
            Some(t) => format!("name=alice&csrf_token={t}"),
            None => "name=alice".to_owned(),
        };
        for (way, header, body) in [
            ("field", None, field),
            ("X-CSRFToken", Some("X-CSRFToken"), String::new()),
            ("X-CSRF-Token", Some("X-CSRF-Token"), "name=alice".to_owned()),
        ] {
            let mut b = Request::post("/").header("content-type", "application/x-www-form-urlencoded");
            for cookie in &c.cookie_headers {
                b = b.header("cookie", cookie);
            }
            if let (Some(name), Some(_)) = (header, &c.token) {
                b = b.header(name, &token);
            }
            let response = service.call(b.body(Full::from(body)).unwrap()).await.unwrap();
            let status = response.status().as_u16();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            let body = std::str::from_utf8(&body).unwrap();
            match &c.refusal {
                None => assert_eq!((status, body), (200, "ok"), "{} via {way}", c.id),
                Some(reason) => assert_eq!((status, body), (400, reason.as_str()), "{} via {way}", c.id),
            }
        }
    }
}
