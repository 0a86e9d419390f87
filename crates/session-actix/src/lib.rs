#![doc = include_str!("../README.md")]

mod middleware;
mod session;

pub use middleware::{Clock, SessionMiddleware, SessionMiddlewareBuilder, SessionService};
pub use session::{Session, SessionExt, SessionExtractError, SessionStatus};

/// The core, for settings and types not re-exported here.
pub use session_core;
pub use session_core::{
    OversizePolicy, SameSite, SecretKey, SessionConfig, SessionConfigBuilder, SessionError, SessionHandle, Value,
};
