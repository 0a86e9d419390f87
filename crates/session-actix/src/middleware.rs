//! `SessionMiddleware`: moves headers between actix-web and the core's [`SessionHandle`], nothing more.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use actix_service::{Service, Transform, forward_ready};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::{Error, HttpMessage, HttpResponse};
use futures_util::future::{LocalBoxFuture, Ready, ready};
use session_core::{
    Clock, ResponseCookie, SameSite, SecretKey, SessionConfig, SessionConfigBuilder, SessionError, SessionHandle,
};

/// The system clock: Unix seconds from [`SystemTime`] (0 if the clock is before 1970). (The core reads no
/// clock by design, so each adapter has this one line.)
fn system_clock() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Flask-compatible cookie sessions for an actix-web `App` (an actix [`Transform`]).
///
/// For every request it hands the `Cookie` headers to a lazy [`SessionHandle`] (reachable through the
/// [`Session`](crate::Session) extractor), and after the handler appends the `Set-Cookie` and `Vary: Cookie`
/// the core asks for. Other `Set-Cookie` and `Vary` headers of the response are kept.
/// A session too large for a cookie turns the response into a plain `500 Internal Server Error`
/// (the core logs the size, the limit and the largest keys).
///
/// ```
/// use actix_web::App;
/// use session_actix::{SecretKey, SessionMiddleware};
///
/// let key = SecretKey::parse("a key of at least sixteen bytes").unwrap();
/// let sessions = SessionMiddleware::builder(key).cookie_secure(true).build().unwrap();
/// let app = App::new().wrap(sessions);
/// ```
#[derive(Clone)]
pub struct SessionMiddleware {
    config: SessionConfig,
    clock: Clock,
    error_body: &'static str,
}

impl fmt::Debug for SessionMiddleware {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionMiddleware")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl SessionMiddleware {
    /// A middleware using `config` (any format: `SessionConfig::builder().format(Format::Django)...`) and the
    /// system clock.
    pub fn new(config: SessionConfig) -> Self {
        Self {
            config,
            clock: Arc::new(system_clock),
            error_body: session_core::INTERNAL_SERVER_ERROR,
        }
    }

    /// The body of the 500 sent when the session cannot be saved (default `Internal Server Error`).
    #[must_use]
    pub fn with_error_body(mut self, body: &'static str) -> Self {
        self.error_body = body;
        self
    }

    /// A builder with Flask's defaults and the given signing key (`SECRET_KEY`), its settings named as
    /// actix-session names them. For another format (Django's, Starlette's, actix-session's own, ...) build a
    /// [`SessionConfig`] with [`SessionConfig::builder`] and pass it to [`SessionMiddleware::new`].
    pub fn builder(secret_key: SecretKey) -> SessionMiddlewareBuilder {
        SessionMiddlewareBuilder {
            config: SessionConfig::builder().secret_key(secret_key),
            clock: None,
        }
    }

    /// Replaces the clock (Unix seconds); tests use a fixed one: `.with_clock(|| 1_700_000_000)`.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The configuration this middleware uses.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }
}

/// Builds a [`SessionMiddleware`]; the names follow actix-session, the settings are the core's
/// [`SessionConfig`] (Flask's defaults: cookie `session`, path `/`, `HttpOnly`, no `Secure`, no `SameSite`,
/// 31-day lifetime).
#[must_use]
pub struct SessionMiddlewareBuilder {
    config: SessionConfigBuilder,
    clock: Option<Clock>,
}

impl fmt::Debug for SessionMiddlewareBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionMiddlewareBuilder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl SessionMiddlewareBuilder {
    /// The cookie name (`SESSION_COOKIE_NAME`, default `session`).
    pub fn cookie_name(mut self, name: impl Into<String>) -> Self {
        self.config = self.config.cookie_name(name);
        self
    }

    /// The `Secure` attribute (`SESSION_COOKIE_SECURE`, default false).
    pub fn cookie_secure(mut self, secure: bool) -> Self {
        self.config = self.config.secure(secure);
        self
    }

    /// The `HttpOnly` attribute (`SESSION_COOKIE_HTTPONLY`, default true).
    pub fn cookie_http_only(mut self, http_only: bool) -> Self {
        self.config = self.config.http_only(http_only);
        self
    }

    /// The `SameSite` attribute (`SESSION_COOKIE_SAMESITE`, default none). `SameSite::None` needs
    /// `cookie_secure(true)`.
    pub fn cookie_same_site(mut self, same_site: impl Into<Option<SameSite>>) -> Self {
        self.config = self.config.same_site(same_site.into());
        self
    }

    /// The `Path` attribute (`SESSION_COOKIE_PATH`, default `/`).
    pub fn cookie_path(mut self, path: impl Into<String>) -> Self {
        self.config = self.config.path(path);
        self
    }

    /// The `Domain` attribute (`SESSION_COOKIE_DOMAIN`, default none: host-only): a domain or `None`.
    pub fn cookie_domain(mut self, domain: impl Into<Option<String>>) -> Self {
        self.config = self.config.domain(domain);
        self
    }

    /// `PERMANENT_SESSION_LIFETIME` (default 31 days): the maximum age of every cookie and the `Expires` of
    /// permanent sessions (whole seconds; `Duration::MAX`: no age limit).
    pub fn session_lifetime(mut self, lifetime: std::time::Duration) -> Self {
        self.config = self.config.lifetime(lifetime);
        self
    }

    /// Adds a verification-only key (`SECRET_KEY_FALLBACKS`), for key rotation.
    pub fn fallback_key(mut self, key: SecretKey) -> Self {
        self.config = self.config.fallback(key);
        self
    }

    /// Any other core setting (`max_cookie_size`, `refresh_each_request`, `oversize`, `digest`, `salt`, ...).
    pub fn config(mut self, f: impl FnOnce(SessionConfigBuilder) -> SessionConfigBuilder) -> Self {
        self.config = f(self.config);
        self
    }

    /// Replaces the clock (Unix seconds; default: the system clock).
    pub fn with_clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    /// [`SessionError::Config`] for combinations browsers reject (e.g. `SameSite=None` without `Secure`, an
    /// invalid cookie name or path); the message says how to fix it.
    pub fn build(self) -> Result<SessionMiddleware, SessionError> {
        let middleware = SessionMiddleware::new(self.config.build()?);
        Ok(match self.clock {
            Some(clock) => SessionMiddleware { clock, ..middleware },
            None => middleware,
        })
    }
}

impl<S, B> Transform<S, ServiceRequest> for SessionMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = SessionService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(SessionService {
            service,
            config: self.config.clone(),
            clock: self.clock.clone(),
            error_body: self.error_body,
        }))
    }
}

/// The service [`SessionMiddleware`] wraps around the inner service (built by actix-web, not by users).
pub struct SessionService<S> {
    service: S,
    config: SessionConfig,
    clock: Clock,
    error_body: &'static str,
}

impl<S, B> Service<ServiceRequest> for SessionService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        // Middleware stacked inside another one (nested scopes): the outer one's handle is the request's
        // session and the outer one finishes the response. Two handles would each send a `Set-Cookie`, and
        // the browser would keep the last, undoing the other's change.
        let outer = req
            .extensions()
            .get::<SessionHandle>()
            .map(|h| h.config().cookie_name().to_owned());
        if let Some(outer) = outer {
            if outer != self.config.cookie_name() {
                tracing::warn!(
                    outer,
                    inner = self.config.cookie_name(),
                    "session middleware stacked inside another one: the outer middleware's session (and \
                     configuration) is used"
                );
            }
            let response = self.service.call(req);
            return Box::pin(async move { Ok(response.await?.map_into_left_body()) });
        }
        // Every `Cookie` header, as bytes: the core reads them as Werkzeug does.
        let cookie_headers = req.headers().get_all(header::COOKIE).map(HeaderValue::as_bytes);
        let handle = SessionHandle::from_headers(self.config.clone(), cookie_headers, (self.clock)());
        req.extensions_mut().insert(handle.clone());
        let response = self.service.call(req);
        let error_body = self.error_body;
        Box::pin(async move {
            // An error from an inner service carries no response to put a cookie on; it passes through.
            let mut res = response.await?;
            match handle.finish().and_then(|out| apply(res.headers_mut(), out)) {
                Ok(()) => Ok(res.map_into_left_body()),
                Err(_) => {
                    // Already logged by the core (or by `apply`): size, limit and largest keys, never values.
                    let page = error_page(session_core::ErrorResponse::with_body(error_body));
                    Ok(res.into_response(page).map_into_right_body::<B>())
                }
            }
        })
    }
}

/// Appends what the core asked for: each `Set-Cookie` (one a cookie, deletions included), and `Cookie` in `Vary` unless already listed.
fn apply(headers: &mut HeaderMap, out: ResponseCookie) -> Result<(), SessionError> {
    if !out.is_header_safe() {
        tracing::error!("session not saved: the Set-Cookie value is not a valid header value");
        return Err(SessionError::Value(
            "the Set-Cookie value is not a valid header value".into(),
        ));
    }
    let vary = out.vary_cookie;
    for set_cookie in out.into_set_cookies() {
        if let Ok(value) = HeaderValue::try_from(set_cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    if vary && !session_core::vary_covers_cookie(headers.get_all(header::VARY).map(HeaderValue::as_bytes)) {
        headers.append(header::VARY, HeaderValue::from_static("Cookie"));
    }
    Ok(())
}

/// The core's error response as an actix-web response.
pub(crate) fn error_page(parts: session_core::ErrorResponse) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(parts.status)
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut page = HttpResponse::build(status);
    for header in parts.headers {
        page.insert_header(header);
    }
    page.body(parts.body)
}
