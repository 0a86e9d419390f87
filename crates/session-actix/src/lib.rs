#![doc = include_str!("../README.md")]

mod csrf;
mod middleware;
mod session;

pub use csrf::{CsrfForm, CsrfGuard, CsrfRejection, CsrfToken};
pub use middleware::{SessionMiddleware, SessionMiddlewareBuilder, SessionService};
pub use session::{Error, Session, SessionExt, SessionExtractError};

/// The core, for settings and types not re-exported here.
pub use session_core;
// Every type a handler or a configuration names, so that this one crate is enough to depend on.
pub use session_core::{
    Clock, Compression, Csrf, CsrfError, Digest, ErrorKind, Flash, Format, KeyDerivation, KeyId, Keyring, LoadStatus,
    Map, OversizePolicy, SameSite, SecretKey, SessionChange, SessionConfig, SessionConfigBuilder, SessionError,
    SessionHandle, SignerOptions, Value,
};
