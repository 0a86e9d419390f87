//! Every Flask vector through a real actix-web `App` wrapped in `SessionMiddleware`.

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
            let middleware = SessionMiddleware::new(ex.config.clone()).with_clock(move || now);
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
            let status = res.status().as_u16();
            let headers: Vec<(String, String)> = res
                .headers()
                .iter()
                .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
                .collect();
            let body = actix_test::read_body(res).await;
            Outcome::from_response(status, headers.iter().map(|(n, v)| (n.as_str(), v.as_str())), &body)
        })
    }
}

#[test]
fn conformance() {
    session_conformance::assert_conformance(&ActixTarget);
}
