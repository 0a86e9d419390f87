#![doc = include_str!("../README.md")]

mod csrf;

use std::convert::Infallible;
use std::fmt;
use std::ops::Deref;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

pub use csrf::{CsrfForm, CsrfGuard, CsrfRejection, CsrfToken};
// Every type a handler or a configuration names, so that this one crate is enough to depend on.
pub use session_hyper::{
    Clock, Compression, Digest, ErrorKind, Flash, Format, INTERNAL_SERVER_ERROR, KeyDerivation, KeyId, Keyring,
    LoadStatus, Map, OversizePolicy, SameSite, SecretKey, SessionChange, SessionConfig, SessionConfigBuilder,
    SessionError, SessionHandle, SessionLayer, SessionService, SignerOptions, Value, session_core, system_now,
};
pub use session_hyper::{Csrf, CsrfError};

/// The session of the current request, as an axum extractor. Derefs to [`SessionHandle`]:
/// `session.get::<String>("username")`, `session.insert(..)`, `session.remove(..)`, `session.clear()`.
///
/// Extracting it does not read the cookie; the first call on it does (and only then does the response get
/// `Vary: Cookie`). Changes are written to the response by [`SessionLayer`], which must wrap the route:
/// without it, extraction fails with [`MissingSessionLayer`]. `Option<Session>` is `None` in that case instead.
#[derive(Clone, Debug)]
pub struct Session(pub SessionHandle);

impl Session {
    /// The underlying handle.
    pub fn handle(&self) -> &SessionHandle {
        &self.0
    }
}

impl Deref for Session {
    type Target = SessionHandle;

    fn deref(&self) -> &SessionHandle {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = MissingSessionLayer;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<SessionHandle>()
            .cloned()
            .map(Session)
            .ok_or(MissingSessionLayer)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Session {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<SessionHandle>().cloned().map(Session))
    }
}

/// A session error as an axum response, so that `?` works in handlers: return `Result<_, session_axum::Error>`
/// and any [`SessionError`] converts into it.
///
/// The response is the core's [`ErrorResponse`](session_core::ErrorResponse): `500 Internal Server Error`,
/// plain text, a body that says nothing about the session; the error itself is logged at error level.
///
/// ```
/// use session_axum::Session;
/// async fn whoami(session: Session) -> Result<String, session_axum::Error> {
///     let name: Option<String> = session.get("username")?;
///     session.insert("visits", &1)?;
///     Ok(name.unwrap_or_default())
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub SessionError);

impl Error {
    /// The kind of the underlying error.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind()
    }
}

impl From<SessionError> for Error {
    fn from(e: SessionError) -> Self {
        Self(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        tracing::error!(kind = self.0.kind().as_str(), error = %self.0, "session error in a handler");
        let parts = session_core::ErrorResponse::default();
        let status = StatusCode::from_u16(parts.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, parts.headers, parts.body).into_response()
    }
}

/// The rejection of [`Session`] when the route is not wrapped in [`SessionLayer`]: a 500 saying so.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MissingSessionLayer;

impl fmt::Display for MissingSessionLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the session layer is missing: add `SessionLayer` to your Router \
             (`.layer(SessionLayer::new(config))`) so that handlers can use `Session`",
        )
    }
}

impl std::error::Error for MissingSessionLayer {}

impl IntoResponse for MissingSessionLayer {
    fn into_response(self) -> Response {
        (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
    }
}
