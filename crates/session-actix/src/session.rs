//! The `Session` extractor and `get_session()` on requests.

use std::ops::Deref;

use actix_web::dev::{Payload, ServiceRequest};
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use futures_util::future::{Ready, ready};
use session_core::{SessionError, SessionHandle};

/// The current request's session: a cheap clone of the [`SessionHandle`] the
/// [`SessionMiddleware`](crate::SessionMiddleware) created, and it derefs to it, so handlers use the same
/// methods as in the axum and hyper adapters (`get::<T>`, `insert(key, value)`, `remove`, `take::<T>`,
/// `entries`, `update`, `clear`, `purge`, `renew`, `permanent`/`set_permanent`, `flash`, `status`, `change`).
///
/// The fallible ones (`get`, `insert`, `take`) return [`Error`], an actix-web [`ResponseError`] (a 500 that
/// leaks nothing), as actix-session's do: `?` works in handlers returning `actix_web::Result<_>`,
/// `Result<_, session_actix::Error>` or `Result<_, SessionError>`.
///
/// ```
/// use session_actix::Session;
/// async fn count(session: Session) -> actix_web::Result<String> {
///     let visits: u32 = session.get("visits")?.unwrap_or(0);
///     session.insert("visits", visits + 1)?;
///     Ok(format!("{} visits", visits + 1))
/// }
/// ```
///
/// The cookie is verified the first time a handler touches the session; only then does the response get
/// `Vary: Cookie`. A missing, tampered or expired cookie is just an empty session ([`SessionHandle::status`]
/// says which).
///
/// Extracting it without the middleware fails with a 500 that says so ([`SessionExtractError`]).
#[derive(Debug, Clone)]
pub struct Session(SessionHandle);

impl Deref for Session {
    type Target = SessionHandle;

    fn deref(&self) -> &SessionHandle {
        &self.0
    }
}

impl Session {
    /// The underlying core handle.
    pub fn into_handle(self) -> SessionHandle {
        self.0
    }

    /// The value under `key`, converted with serde; `Ok(None)` when missing ([`SessionHandle::get`]).
    ///
    /// # Errors
    /// [`Error`] (a [`SessionError::Value`]) when the stored value has another shape than `T`.
    pub fn get<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Error> {
        Ok(self.0.get(key)?)
    }

    /// Stores any serde value under `key`, by value or by reference ([`SessionHandle::insert`]).
    ///
    /// # Errors
    /// [`Error`] (a [`SessionError::Value`]) when serde cannot represent the value.
    pub fn insert<T: serde::Serialize>(&self, key: impl Into<String>, value: T) -> Result<(), Error> {
        Ok(self.0.insert(key, value)?)
    }

    /// Removes `key` and returns its value converted with serde ([`SessionHandle::take`]).
    ///
    /// # Errors
    /// [`Error`] (a [`SessionError::Value`]) when the stored value has another shape than `T`; the key is then
    /// left in place.
    pub fn take<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Error> {
        Ok(self.0.take(key)?)
    }
}

/// A session error as an actix-web error, so that `?` works in handlers: return `Result<_, session_actix::Error>`
/// and any [`SessionError`] converts into it.
///
/// The response is the core's [`ErrorResponse`](session_core::ErrorResponse): `500 Internal Server Error`,
/// plain text, a body that says nothing about the session; the error itself is logged at error level.
///
/// ```
/// use session_actix::Session;
/// async fn whoami(session: Session) -> Result<String, session_actix::Error> {
///     let name: Option<String> = session.get("username")?;
///     session.insert("visits", 1)?;
///     Ok(name.unwrap_or_default())
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub SessionError);

impl Error {
    /// The kind of the underlying error.
    pub fn kind(&self) -> session_core::ErrorKind {
        self.0.kind()
    }
}

impl From<SessionError> for Error {
    fn from(e: SessionError) -> Self {
        Self(e)
    }
}

impl From<Error> for SessionError {
    fn from(e: Error) -> Self {
        e.0
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(session_core::ErrorResponse::default().status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        tracing::error!(kind = self.0.kind().as_str(), error = %self.0, "session error in a handler");
        crate::middleware::error_page(session_core::ErrorResponse::default())
    }
}

/// Why a [`Session`] could not be obtained. Answers `500 Internal Server Error` with the message as body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionExtractError {
    /// The request did not pass through a [`SessionMiddleware`](crate::SessionMiddleware).
    MissingMiddleware,
}

impl std::fmt::Display for SessionExtractError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MissingMiddleware => {
                f.write_str("the session middleware is missing: wrap your App with SessionMiddleware")
            }
        }
    }
}

impl std::error::Error for SessionExtractError {}

impl ResponseError for SessionExtractError {
    fn status_code(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    fn error_response(&self) -> HttpResponse {
        tracing::error!("{self}");
        HttpResponse::InternalServerError()
            .content_type("text/plain; charset=utf-8")
            .body(self.to_string())
    }
}

/// `get_session()` on actix-web requests.
pub trait SessionExt {
    /// The request's session.
    ///
    /// # Errors
    /// [`SessionExtractError::MissingMiddleware`] when the app is not wrapped in
    /// [`SessionMiddleware`](crate::SessionMiddleware) (a 500 when returned from a handler).
    fn get_session(&self) -> Result<Session, SessionExtractError>;
}

fn from_extensions(ext: &actix_web::dev::Extensions) -> Result<Session, SessionExtractError> {
    ext.get::<SessionHandle>()
        .cloned()
        .map(Session)
        .ok_or(SessionExtractError::MissingMiddleware)
}

impl SessionExt for HttpRequest {
    fn get_session(&self) -> Result<Session, SessionExtractError> {
        from_extensions(&self.extensions())
    }
}

impl SessionExt for ServiceRequest {
    fn get_session(&self) -> Result<Session, SessionExtractError> {
        from_extensions(&self.extensions())
    }
}

impl FromRequest for Session {
    type Error = SessionExtractError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(req.get_session())
    }
}
