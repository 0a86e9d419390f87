//! Flask's session quickstart ("Sessions") in axum: `GET /` says who is logged in, `GET /login` serves the
//! form, `POST /login` stores the name, `GET /logout` removes it. Exposed as a library so the demo and the
//! interop run can start it in-process; `main.rs` reads `SECRET_KEY` and `PORT` (default 3000).

use std::future::Future;
use std::sync::Arc;

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use login_common::demo::Site;
use login_common::{LOGIN_FORM, NOT_LOGGED_IN, TOO_LARGE, USERNAME};
use session_axum::{CsrfForm, Session, SessionConfig, SessionLayer};

/// The default port of this example.
pub const DEFAULT_PORT: u16 = 3000;

/// The app: the four routes behind a [`SessionLayer`] whose failed saves (a session too large for a cookie)
/// answer 500 with [`TOO_LARGE`].
pub fn app(config: SessionConfig) -> Router {
    seed().layer(SessionLayer::new(config).with_error_body(TOO_LARGE))
}

/// [`app`] plus the demo pages (`/demo`, `/demo/login`, `/demo/logout`; see [`login_common::demo`]).
pub fn demo_app(site: Site) -> Router {
    let config = site.config.clone();
    seed()
        .route("/demo", get(demo_page))
        .route("/demo/login", post(demo_login))
        .route("/demo/logout", post(demo_logout))
        .layer(Extension(site.csrf.clone()))
        .layer(Extension(Arc::new(site)))
        .layer(SessionLayer::new(config).with_error_body(TOO_LARGE))
}

fn seed() -> Router {
    Router::new()
        .route("/", get(index))
        .route("/login", get(login_form).post(login))
        .route("/logout", get(logout))
}

/// Serves [`app`] on `listener` until `shutdown` completes, then finishes the open requests.
///
/// # Errors
/// When accepting connections fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: SessionConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(listener, app(config))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// Serves [`demo_app`] on `listener` until `shutdown` completes.
///
/// # Errors
/// When accepting connections fails.
pub async fn serve_site(
    listener: tokio::net::TcpListener,
    site: Site,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(listener, demo_app(site))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

async fn demo_page(Extension(site): Extension<Arc<Site>>, session: Session) -> Html<String> {
    Html(site.page(&session))
}

async fn demo_login(session: Session, CsrfForm(form): CsrfForm<LoginForm>) -> Response {
    match login_common::demo::log_in(&session, &form.username) {
        Ok(()) => redirect_to("/demo"),
        Err(e) => {
            tracing::error!(error = %e, "cannot store the username");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A form with no fields but the CSRF token.
#[derive(serde::Deserialize)]
struct TokenOnly {}

async fn demo_logout(session: Session, CsrfForm(TokenOnly {}): CsrfForm<TokenOnly>) -> Response {
    login_common::demo::log_out(&session);
    redirect_to("/demo")
}

async fn index(session: Session) -> Html<String> {
    match session.get::<String>(USERNAME) {
        Ok(Some(username)) => Html(login_common::logged_in_as(&username)),
        _ => Html(NOT_LOGGED_IN.to_owned()),
    }
}

async fn login_form() -> Html<&'static str> {
    Html(LOGIN_FORM)
}

/// The login form's fields.
#[derive(serde::Deserialize)]
struct LoginForm {
    username: String,
}

async fn login(session: Session, Form(form): Form<LoginForm>) -> Result<Response, session_axum::Error> {
    session.insert(USERNAME, &form.username)?;
    Ok(redirect_home())
}

async fn logout(session: Session) -> Response {
    session.remove(USERNAME);
    redirect_home()
}

/// Flask's `redirect("/")`: a 302 (axum's `Redirect::to` is a 303).
fn redirect_home() -> Response {
    redirect_to("/")
}

fn redirect_to(path: &'static str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, path)]).into_response()
}
