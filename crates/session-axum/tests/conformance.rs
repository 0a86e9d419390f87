//! Every shared vector through an axum `Router` with `SessionLayer`, the handler using the `Session` extractor.
#![allow(clippy::unwrap_used, reason = "a test helper that fails should fail loudly")]

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use session_axum::{Session, SessionLayer};
use session_conformance::{Exchange, Outcome, Target, apply_actions};
use tower::ServiceExt as _;

struct Axum;

impl Target for Axum {
    fn name(&self) -> &'static str {
        "axum"
    }

    fn exchange(&self, ex: &Exchange) -> Outcome {
        let (now, actions) = (ex.now, ex.actions.clone());
        let handler =
            move |session: Session| async move { serde_json::to_string(&apply_actions(&session, &actions)).unwrap() };
        let app = Router::new()
            .route("/", get(handler))
            .layer(SessionLayer::new(ex.config.clone()).with_clock(move || now));
        let mut request = Request::get("/").body(Body::empty()).unwrap();
        for c in &ex.cookie_headers {
            request.headers_mut().append("cookie", c.parse().unwrap());
        }
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let response = app.oneshot(request).await.unwrap();
            let (parts, body) = response.into_parts();
            let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
            let headers = parts.headers.iter().map(|(n, v)| (n.as_str(), v.to_str().unwrap()));
            Outcome::from_response(parts.status.as_u16(), headers, &body)
        })
    }
}

#[test]
fn conformance() {
    session_conformance::assert_conformance(&Axum);
}
