//! Flask's quickstart "Sessions" app on actix-web, with cookies Flask can read (and the other way round).
//!
//! [`configure`] adds the routes (the app must be wrapped in [`SessionMiddleware`]); [`serve`] starts the
//! whole app on a listener, so the `login-actix` binary, the demo and the interop tests run the same code.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::{App, HttpResponse, HttpServer, web};
use login_common::demo::Site;
use login_common::{LOGIN_FORM, NOT_LOGGED_IN, USERNAME, logged_in_as};
use session_actix::{CsrfForm, Session, SessionConfig, SessionMiddleware};

/// The seed app's routes: `GET /`, `GET /login`, `POST /login` (form field `username`), `GET /logout`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(index))
        .route("/login", web::get().to(login_form))
        .route("/login", web::post().to(login))
        .route("/logout", web::get().to(logout));
}

/// Builds the app (routes + [`SessionMiddleware`] with `config`) on `listener` and returns the server,
/// not yet running: await or spawn it inside an actix-web runtime, stop it with `server.handle().stop(true)`.
///
/// The server does not listen for OS signals (the caller decides when to stop), uses two workers and gives
/// in-flight requests five seconds on a graceful stop.
///
/// # Errors
/// When the listener cannot be used (e.g. it cannot be made non-blocking).
pub async fn serve(listener: TcpListener, config: SessionConfig) -> anyhow::Result<Server> {
    let sessions = SessionMiddleware::new(config).with_error_body(login_common::TOO_LARGE);
    let server = HttpServer::new(move || App::new().wrap(sessions.clone()).configure(configure))
        .workers(2)
        .disable_signals()
        .shutdown_timeout(5)
        .listen(listener)?
        .run();
    Ok(server)
}

/// [`serve`] plus the demo pages (`/demo`, `/demo/login`, `/demo/logout`; see [`login_common::demo`]).
///
/// # Errors
/// When the listener cannot be used.
pub async fn serve_site(listener: TcpListener, site: Site) -> anyhow::Result<Server> {
    let sessions = SessionMiddleware::new(site.config.clone()).with_error_body(login_common::TOO_LARGE);
    let site = web::Data::new(site);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(site.clone())
            .app_data(site.csrf.clone())
            .wrap(sessions.clone())
            .configure(configure)
            .route("/demo", web::get().to(demo_page))
            .route("/demo/login", web::post().to(demo_login))
            .route("/demo/logout", web::post().to(demo_logout))
    })
    .workers(2)
    .disable_signals()
    .shutdown_timeout(5)
    .listen(listener)?
    .run();
    Ok(server)
}

async fn demo_page(site: web::Data<Site>, session: Session) -> HttpResponse {
    html(site.page(&session))
}

async fn demo_login(session: Session, CsrfForm(form): CsrfForm<LoginForm>) -> actix_web::Result<HttpResponse> {
    login_common::demo::log_in(&session, &form.username).map_err(actix_web::error::ErrorInternalServerError)?;
    Ok(redirect_to("/demo"))
}

/// A form with no fields but the CSRF token.
#[derive(serde::Deserialize)]
struct TokenOnly {}

async fn demo_logout(session: Session, CsrfForm(TokenOnly {}): CsrfForm<TokenOnly>) -> HttpResponse {
    login_common::demo::log_out(&session);
    redirect_to("/demo")
}

fn redirect_to(path: &'static str) -> HttpResponse {
    HttpResponse::Found().insert_header((header::LOCATION, path)).finish()
}

fn html(body: impl Into<String>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body.into())
}

/// Flask's `redirect("/")`.
fn redirect_home() -> HttpResponse {
    HttpResponse::Found().insert_header((header::LOCATION, "/")).finish()
}

async fn index(session: Session) -> HttpResponse {
    match session.get_value(USERNAME) {
        Some(name) => html(logged_in_as(name.as_str().unwrap_or_default())),
        None => html(NOT_LOGGED_IN),
    }
}

async fn login_form() -> HttpResponse {
    html(LOGIN_FORM)
}

#[derive(serde::Deserialize)]
struct LoginForm {
    username: String,
}

/// Stores the name and redirects. If the session no longer fits in a cookie, the middleware replaces this
/// redirect with a 500 and logs why, so a failed login never looks like a successful one.
async fn login(session: Session, form: web::Form<LoginForm>) -> Result<HttpResponse, session_actix::Error> {
    session.insert(USERNAME, &form.into_inner().username)?;
    Ok(redirect_home())
}

async fn logout(session: Session) -> HttpResponse {
    session.remove(USERNAME);
    redirect_home()
}
