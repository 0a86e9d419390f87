//! The `Session` extractor and `get_session()` on requests.

use std::ops::Deref;

use actix_web::dev::{Payload, ServiceRequest};
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use futures_util::future::{Ready, ready};
use serde::Serialize;
use serde::de::DeserializeOwned;
use session_core::{SessionError, SessionHandle, Value};

/// The current request's session: a cheap clone of the [`SessionHandle`] the
/// [`SessionMiddleware`](crate::SessionMiddleware) created, and it derefs to it.
///
/// The cookie is verified the first time a handler touches the session; only then does the response get
/// `Vary: Cookie`. A missing, tampered or expired cookie is just an empty session.
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

/// What the response will do with the session cookie, as far as the handler can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStatus {
    /// Nothing changed: no new cookie (except Flask's refresh of permanent sessions).
    Unchanged,
    /// The data changed: the cookie is sent again.
    Changed,
    /// The session was emptied: the cookie is deleted.
    Purged,
    /// [`Session::renew`] was called: the cookie is re-signed with a fresh timestamp.
    Renewed,
}

impl Session {
    /// The value under `key`, deserialized; `Ok(None)` when missing.
    ///
    /// # Errors
    /// [`SessionError::Value`] when the stored value has another shape than `T`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, SessionError> {
        self.0.get(key)
    }

    /// Stores `value` under `key` (marks the session changed).
    ///
    /// # Errors
    /// [`SessionError::Value`] when serde cannot represent the value.
    pub fn insert<T: Serialize>(&self, key: impl Into<String>, value: T) -> Result<(), SessionError> {
        self.0.insert(key, &value)
    }

    /// Removes `key` and returns its value (marks the session changed only when the key was there).
    pub fn remove(&self, key: &str) -> Option<Value> {
        self.0.remove(key)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// Removes every entry; the response deletes the cookie.
    pub fn clear(&self) {
        self.0.clear();
    }

    /// Empties the session so the response deletes the cookie (logout). Same as [`Session::clear`].
    pub fn purge(&self) {
        self.0.purge();
    }

    /// Re-signs the cookie with a fresh timestamp even if nothing changed (e.g. after a login).
    ///
    /// Signed cookies carry no server-side id to rotate, so this is the whole of actix-session's `renew`.
    pub fn renew(&self) {
        self.0.renew();
    }

    /// What the response will do with the cookie (this touches the session, so the response varies on `Cookie`).
    pub fn status(&self) -> SessionStatus {
        match self.0.with(|s| (s.is_modified(), s.is_empty(), s.is_renewed())) {
            (true, true, _) => SessionStatus::Purged,
            (_, false, true) => SessionStatus::Renewed,
            (true, false, false) => SessionStatus::Changed,
            (false, _, _) => SessionStatus::Unchanged,
        }
    }

    /// The underlying core handle.
    pub fn into_handle(self) -> SessionHandle {
        self.0
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
