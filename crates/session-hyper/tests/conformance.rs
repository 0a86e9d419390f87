//! Every shared vector through `SessionService` around a plain hyper `service_fn`, one request each.
#![allow(clippy::unwrap_used, reason = "a test helper that fails should fail loudly")]

use std::convert::Infallible;

use http::{Request, Response};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::service::{Service as _, service_fn};
use session_conformance::{Exchange, Outcome, Target, apply_actions};
use session_hyper::{SessionHandle, SessionLayer};
use tower_layer::Layer as _;

struct Hyper;

impl Target for Hyper {
    fn name(&self) -> &'static str {
        "hyper"
    }

    fn exchange(&self, ex: &Exchange) -> Outcome {
        let now = ex.now;
        let actions = ex.actions.clone();
        let handler = service_fn(move |req: Request<Full<Bytes>>| {
            let observations = req
                .extensions()
                .get::<SessionHandle>()
                .map(|s| apply_actions(s, &actions));
            async move {
                let body = serde_json::to_string(&observations.expect("the session is in the extensions")).unwrap();
                Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(body))))
            }
        });
        let service = SessionLayer::new(ex.config.clone())
            .with_clock(move || now)
            .layer(handler);
        let mut request = Request::new(Full::default());
        for c in &ex.cookie_headers {
            request.headers_mut().append("cookie", c.parse().unwrap());
        }
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let response = service.call(request).await.unwrap();
            let (parts, body) = response.into_parts();
            let body = body.collect().await.unwrap().to_bytes();
            let headers = parts.headers.iter().map(|(n, v)| (n.as_str(), v.to_str().unwrap()));
            Outcome::from_response(parts.status.as_u16(), headers, &body)
        })
    }
}

#[test]
fn conformance() {
    session_conformance::assert_conformance(&Hyper);
}
