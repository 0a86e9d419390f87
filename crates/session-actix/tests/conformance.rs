//! Every Flask vector through a real actix-web `App` wrapped in `SessionMiddleware`.

use std::sync::Arc;

use actix_web::test as actix_test;
use actix_web::{App, HttpResponse, web};
use session_actix::{Session, SessionMiddleware};
use session_conformance::{Exchange, Outcome, Target, apply_actions};

struct ActixTarget;

impl Target for ActixTarget {
    fn name(&self) -> &'static str {
        "actix"
    }

    fn exchange(&self, ex: &Exchange) -> Outcome {
        actix_web::rt::System::new().block_on(async {
            let now = ex.now;
            let actions = ex.actions.clone();
            let middleware = SessionMiddleware::new(ex.config.clone()).with_clock(Arc::new(move || now));
            let handler = move |session: Session| {
                let observations = apply_actions(&session, &actions);
                async move { HttpResponse::Ok().body(serde_json::to_string(&observations).unwrap_or_default()) }
            };
            let app = actix_test::init_service(App::new().wrap(middleware).route("/", web::get().to(handler))).await;
            let mut req = actix_test::TestRequest::default();
            for cookie in &ex.cookie_headers {
                req = req.append_header(("cookie", cookie.as_str()));
            }
            let res = actix_test::call_service(&app, req.to_request()).await;
            let all = |name| -> Vec<String> {
                res.headers()
                    .get_all(name)
                    .filter_map(|v| v.to_str().ok())
                    .map(str::to_owned)
                    .collect()
            };
            let (status, set_cookie, vary) = (res.status().as_u16(), all("set-cookie"), all("vary"));
            let body = actix_test::read_body(res).await;
            let observations = if status == 200 {
                serde_json::from_slice(&body).unwrap_or_default()
            } else {
                Vec::new()
            };
            Outcome {
                status,
                set_cookie,
                vary,
                observations,
            }
        })
    }
}

#[test]
fn conformance() {
    session_conformance::assert_conformance(&ActixTarget);
}
