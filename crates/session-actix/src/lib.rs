#![doc = include_str!("../README.md")]

mod csrf;
mod middleware;
mod session;

pub use csrf::{CsrfForm, CsrfGuard, CsrfRejection, CsrfToken};
pub use middleware::{SessionMiddleware, SessionMiddlewareBuilder, SessionService};
pub use session::{Error, Session, SessionExt, SessionExtractError};

/// The core, for settings and types not re-exported here.
pub use session_core;
pub use session_core::{
    Clock, Csrf, CsrfError, ErrorKind, LoadStatus, OversizePolicy, SameSite, SecretKey, SessionChange, SessionConfig,
    SessionConfigBuilder, SessionError, SessionHandle, Value,
};
