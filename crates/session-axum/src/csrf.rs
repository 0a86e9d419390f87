//! Flask-WTF CSRF tokens as axum extractors: [`CsrfToken`] renders one, [`CsrfForm`] and [`CsrfGuard`] check one.
//!
//! They need nothing beyond [`SessionLayer`](crate::SessionLayer): tokens are signed with the session's secret
//! key, as Flask-WTF signs with `SECRET_KEY`; other settings go in
//! [`SessionConfigBuilder::csrf`](crate::SessionConfigBuilder::csrf). (A [`Csrf`] in the request's extensions,
//! `.layer(Extension(csrf))`, is still used first.)

use std::fmt;

use axum::body::{Body, Bytes};
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use session_hyper::{Csrf, CsrfError, SessionHandle, csrf_protect};

/// Why a CSRF extractor refused the request.
#[derive(Debug)]
#[non_exhaustive]
pub enum CsrfRejection {
    /// The token is missing, expired, invalid or for another session: `400` with Flask-WTF's reason.
    Refused(CsrfError),
    /// The body could not be read or is not the form `T` (axum's own rejection, answered as axum does).
    Form(FormRejection),
    /// The body could not be read (too large, or the connection failed).
    Body(axum::extract::rejection::BytesRejection),
    /// The router lacks `SessionLayer`: a `500` (the reason is logged, not sent).
    Misconfigured(&'static str),
}

impl fmt::Display for CsrfRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(e) => write!(f, "{e}"),
            Self::Form(e) => write!(f, "{e}"),
            Self::Body(e) => write!(f, "{e}"),
            Self::Misconfigured(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for CsrfRejection {}

impl IntoResponse for CsrfRejection {
    fn into_response(self) -> Response {
        match self {
            Self::Refused(e) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
            Self::Form(e) => e.into_response(),
            Self::Body(e) => e.into_response(),
            Self::Misconfigured(what) => {
                tracing::error!("{what}");
                (StatusCode::INTERNAL_SERVER_ERROR, session_hyper::INTERNAL_SERVER_ERROR).into_response()
            }
        }
    }
}

const NO_SESSION: &str =
    "the session layer is missing: CSRF tokens live in the session; add `SessionLayer` to your Router";

/// The request's session, and the [`Csrf`] given in the extensions if any (else the session's own).
fn setup(parts: &Parts) -> Result<(Option<Csrf>, SessionHandle), CsrfRejection> {
    let session = parts.extensions.get::<SessionHandle>().cloned();
    Ok((
        parts.extensions.get::<Csrf>().cloned(),
        session.ok_or(CsrfRejection::Misconfigured(NO_SESSION))?,
    ))
}

/// The CSRF settings to use: those given in the extensions, else the session configuration's.
fn csrf_of<'a>(given: &'a Option<Csrf>, session: &'a SessionHandle) -> &'a Csrf {
    given.as_ref().unwrap_or_else(|| session.config().csrf())
}

/// The signed token for this session (Flask-WTF's `csrf_token()`), to put in a form's hidden `csrf_token`
/// field or a `<meta>` tag. A session without a raw token gets one (the response then sets the cookie).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrfToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = CsrfRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let (csrf, session) = setup(parts)?;
        Ok(Self(csrf_of(&csrf, &session).token(&session)))
    }
}

/// Checks the `X-CSRFToken` / `X-CSRF-Token` header on POST, PUT, PATCH and DELETE (for scripts and JSON
/// APIs; forms use [`CsrfForm`]). Refuses with `400` and Flask-WTF's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsrfGuard;

impl<S: Send + Sync> FromRequestParts<S> for CsrfGuard {
    type Rejection = CsrfRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let (csrf, session) = setup(parts)?;
        csrf_protect(csrf_of(&csrf, &session), &session, &parts.method, &parts.headers, b"")
            .map_err(CsrfRejection::Refused)?;
        Ok(Self)
    }
}

/// A URL-encoded form whose `csrf_token` field (or CSRF header) was checked first, as Flask-WTF's
/// `CSRFProtect` does; then the token field is dropped and `T` is read from the rest with axum's [`Form`].
/// Refuses with `400` and Flask-WTF's reason. A form that holds only the token (a logout button) is
/// `CsrfForm<()>`.
///
/// It reads the body, so it must be the handler's last argument (axum's rule for body extractors; another
/// order fails to compile with an error about `Handler` not being implemented).
///
/// ```
/// use axum::{Router, routing::post};
/// use session_axum::{CsrfForm, SecretKey, Session, SessionConfig, SessionLayer};
///
/// #[derive(serde::Deserialize)]
/// struct Login {
///     username: String,
/// }
///
/// async fn login(session: Session, CsrfForm(form): CsrfForm<Login>) -> String {
///     format!("hello {}", form.username)
/// }
///
/// async fn logout(session: Session, _: CsrfForm<()>) -> &'static str {
///     session.purge();
///     "bye"
/// }
///
/// let key = SecretKey::parse("a key of at least sixteen bytes").unwrap();
/// let config = SessionConfig::builder().secret_key(key).build().unwrap();
/// let app: Router = Router::new()
///     .route("/login", post(login))
///     .route("/logout", post(logout))
///     .layer(SessionLayer::new(config)); // CSRF needs nothing more
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for CsrfForm<T> {
    type Rejection = CsrfRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let (csrf, session) = setup(&parts)?;
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(CsrfRejection::Body)?;
        let csrf = csrf_of(&csrf, &session);
        csrf_protect(csrf, &session, &parts.method, &parts.headers, &bytes).map_err(CsrfRejection::Refused)?;
        let rest = csrf.form_without_token(&bytes);
        let Form(value) = Form::<T>::from_request(Request::from_parts(parts, Body::from(rest)), state)
            .await
            .map_err(CsrfRejection::Form)?;
        Ok(Self(value))
    }
}
