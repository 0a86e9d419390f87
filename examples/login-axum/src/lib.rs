//! Flask's session quickstart ("Sessions") in axum: `GET /` says who is logged in, `GET /login` serves the
//! form, `POST /login` stores the name, `GET /logout` removes it. Exposed as a library so the demo and the
//! interop run can start it in-process; `main.rs` reads `SECRET_KEY` and `PORT` (default 3000).

use std::future::Future;

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use login_common::{LOGIN_FORM, NOT_LOGGED_IN, TOO_LARGE, USERNAME};
use session_axum::{Session, SessionConfig, SessionLayer};

/// The default port of this example.
pub const DEFAULT_PORT: u16 = 3000;

/// The app: the four routes behind a [`SessionLayer`] whose failed saves (a session too large for a cookie)
/// answer 500 with [`TOO_LARGE`].
pub fn app(config: SessionConfig) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/login", get(login_form).post(login))
        .route("/logout", get(logout))
        .layer(SessionLayer::new(config).with_error_body(TOO_LARGE))
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

async fn login(session: Session, Form(form): Form<LoginForm>) -> Response {
    match session.insert(USERNAME, &form.username) {
        Ok(()) => redirect_home(),
        Err(e) => {
            tracing::error!(error = %e, "cannot store the username");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn logout(session: Session) -> Response {
    session.remove(USERNAME);
    redirect_home()
}

/// Flask's `redirect("/")`: a 302 (axum's `Redirect::to` is a 303).
fn redirect_home() -> Response {
    (StatusCode::FOUND, [(header::LOCATION, "/")]).into_response()
}
