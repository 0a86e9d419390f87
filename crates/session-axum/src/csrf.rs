//! Flask-WTF CSRF tokens as axum extractors: [`CsrfToken`] renders one, [`CsrfForm`] and [`CsrfGuard`] check one.
//!
//! The [`Csrf`] settings come from the request's extensions: add `.layer(Extension(csrf))` to the router,
//! inside [`SessionLayer`](crate::SessionLayer)'s reach.

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
    /// The router lacks `SessionLayer` or `Extension(csrf)`: a `500` saying which.
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
            Self::Misconfigured(what) => (StatusCode::INTERNAL_SERVER_ERROR, what).into_response(),
        }
    }
}

const NO_SESSION: &str =
    "the session layer is missing: CSRF tokens live in the session; add `SessionLayer` to your Router";
const NO_CSRF: &str = "the CSRF settings are missing: add `.layer(axum::Extension(Csrf::new(&key)))` to your Router";

fn setup(parts: &Parts) -> Result<(Csrf, SessionHandle), CsrfRejection> {
    let session = parts.extensions.get::<SessionHandle>().cloned();
    let csrf = parts.extensions.get::<Csrf>().cloned();
    Ok((
        csrf.ok_or(CsrfRejection::Misconfigured(NO_CSRF))?,
        session.ok_or(CsrfRejection::Misconfigured(NO_SESSION))?,
    ))
}

/// The signed token for this session (Flask-WTF's `csrf_token()`), to put in a form's hidden `csrf_token`
/// field or a `<meta>` tag. A session without a raw token gets one (the response then sets the cookie).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrfToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = CsrfRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let (csrf, session) = setup(parts)?;
        Ok(Self(csrf.token(&session)))
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
        csrf_protect(&csrf, &session, &parts.method, &parts.headers, b"").map_err(CsrfRejection::Refused)?;
        Ok(Self)
    }
}

/// A URL-encoded form whose `csrf_token` field (or CSRF header) was checked first, as Flask-WTF's
/// `CSRFProtect` does; then `T` is read with axum's [`Form`]. Refuses with `400` and Flask-WTF's reason.
///
/// ```
/// use axum::{Extension, Router, routing::post};
/// use session_axum::{Csrf, CsrfForm, SecretKey, SessionConfig, SessionLayer};
///
/// #[derive(serde::Deserialize)]
/// struct Login {
///     username: String,
/// }
///
/// async fn login(CsrfForm(form): CsrfForm<Login>) -> String {
///     format!("hello {}", form.username)
/// }
///
/// let key = SecretKey::parse("a key of at least sixteen bytes").unwrap();
/// let config = SessionConfig::builder().secret_key(key.clone()).build().unwrap();
/// let app: Router = Router::new()
///     .route("/login", post(login))
///     .layer(Extension(Csrf::new(&key)))
///     .layer(SessionLayer::new(config));
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
        csrf_protect(&csrf, &session, &parts.method, &parts.headers, &bytes).map_err(CsrfRejection::Refused)?;
        let Form(value) = Form::<T>::from_request(Request::from_parts(parts, Body::from(bytes)), state)
            .await
            .map_err(CsrfRejection::Form)?;
        Ok(Self(value))
    }
}
