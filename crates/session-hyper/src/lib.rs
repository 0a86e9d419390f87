#![doc = include_str!("../README.md")]

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::{SystemTime, UNIX_EPOCH};

mod csrf;

pub use csrf::{csrf_protect, csrf_refusal};
use http::header::{COOKIE, SET_COOKIE, VARY};
use http::{HeaderValue, Request, Response, StatusCode};
pub use session_core::{Csrf, CsrfError};

// Every type a handler or a configuration names, so that one crate is enough to depend on.
pub use session_core::{
    self, Clock, Compression, Digest, ErrorKind, Flash, Format, INTERNAL_SERVER_ERROR, KeyDerivation, KeyId, Keyring,
    LoadStatus, Map, OversizePolicy, ResponseCookie, SameSite, SecretKey, SessionChange, SessionConfig,
    SessionConfigBuilder, SessionError, SessionHandle, SignerOptions, Value,
};

/// The system clock in Unix seconds (0 if the clock is set before 1970).
pub fn system_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Starts the session of one request: a lazy [`SessionHandle`] over the request's `Cookie` headers at `now`
/// (Unix seconds). Nothing is verified until a handler touches the session.
///
/// Every `Cookie` header is read, in order, as Werkzeug reads them (bytes outside ASCII do not hide the
/// session; see [`session_core::find_cookie`]). For a hand-written service, this and [`apply`] are the whole
/// integration:
///
/// ```
/// # use http::{Request, Response};
/// # use session_hyper::{SecretKey, SessionConfig};
/// # let config = SessionConfig::builder().secret_key(SecretKey::parse("0123456789abcdef").unwrap()).build().unwrap();
/// # let request = Request::new(());
/// let session = session_hyper::load(&request, &config, session_hyper::system_now());
/// session.insert("username", "alice").unwrap();
/// let mut response = Response::new(());
/// session_hyper::apply(&session, &mut response).unwrap(); // on Err, answer 500 instead
/// assert!(response.headers().contains_key("set-cookie"));
/// ```
pub fn load<B>(request: &Request<B>, config: &SessionConfig, now: u64) -> SessionHandle {
    let cookie_headers = request.headers().get_all(COOKIE).iter().map(HeaderValue::as_bytes);
    SessionHandle::from_headers(config.clone(), cookie_headers, now)
}

/// Finishes the session of one request: appends its `Set-Cookie` headers, one a cookie (other `Set-Cookie` headers are kept) and
/// adds `Cookie` to `Vary` when the session was accessed. Call once, after the handler.
///
/// # Errors
/// [`SessionError::CookieTooLarge`] when the session does not fit in a cookie (under the default
/// [`OversizePolicy::Fail`]; already logged by the core), and [`SessionError::Config`] if the cookie is not a
/// valid header value. The response is then left unchanged: answer with [`error_response`] instead.
pub fn apply<B>(handle: &SessionHandle, response: &mut Response<B>) -> Result<(), SessionError> {
    let out = handle.finish()?;
    if !out.is_header_safe() {
        tracing::error!(cookie = %handle.config().cookie_name(), "session not saved: the Set-Cookie value is not a valid HTTP header value");
        return Err(SessionError::Config(
            "the session's Set-Cookie value is not a valid HTTP header value; check the cookie domain and path".into(),
        ));
    }
    let vary = out.vary_cookie;
    let headers = response.headers_mut();
    for set_cookie in out.into_set_cookies() {
        if let Ok(value) = HeaderValue::try_from(set_cookie) {
            headers.append(SET_COOKIE, value);
        }
    }
    if vary {
        // One lookup of `Vary`, whether it is there or not.
        match headers.entry(VARY) {
            http::header::Entry::Vacant(entry) => {
                entry.insert(HeaderValue::from_static("Cookie"));
            }
            http::header::Entry::Occupied(mut entry) => {
                if !session_core::vary_covers_cookie(entry.iter().map(HeaderValue::as_bytes)) {
                    entry.append(HeaderValue::from_static("Cookie"));
                }
            }
        }
    }
    Ok(())
}

/// `request.session()`: the request's session, as [`SessionLayer`] put it in the extensions.
///
/// ```
/// use session_hyper::SessionExt as _;
/// # let request = http::Request::new(());
/// // In a service wrapped by `SessionLayer`:
/// if let Some(session) = request.session() {
///     let name: Option<String> = session.get("username")?;
/// }
/// # Ok::<(), session_hyper::SessionError>(())
/// ```
pub trait SessionExt {
    /// The session, or `None` when the service is not wrapped in [`SessionLayer`] (or [`load`] was not called).
    fn session(&self) -> Option<&SessionHandle>;
}

impl<B> SessionExt for Request<B> {
    fn session(&self) -> Option<&SessionHandle> {
        self.extensions().get::<SessionHandle>()
    }
}

impl SessionExt for http::request::Parts {
    fn session(&self) -> Option<&SessionHandle> {
        self.extensions.get::<SessionHandle>()
    }
}

/// A response body [`SessionService`] can build its error response from: the body types hyper users use.
///
/// Implemented for `String`, `Full<D>` (text bodies), `Empty<D>` (the text is left out: the status says it),
/// `BoxBody<Bytes, E>` and `UnsyncBoxBody<Bytes, E>`, and (with the `axum` feature, which session-axum turns on)
/// axum's `Body`.
pub trait ErrorBody {
    /// A body holding `text` (or an empty body when this type cannot hold one).
    fn error_body(text: &'static str) -> Self;
}

impl ErrorBody for String {
    fn error_body(text: &'static str) -> Self {
        text.to_owned()
    }
}

impl<D: hyper::body::Buf + From<&'static str>> ErrorBody for http_body_util::Full<D> {
    fn error_body(text: &'static str) -> Self {
        Self::new(D::from(text))
    }
}

impl<D: hyper::body::Buf> ErrorBody for http_body_util::Empty<D> {
    fn error_body(_text: &'static str) -> Self {
        Self::new()
    }
}

impl<E: 'static> ErrorBody for http_body_util::combinators::BoxBody<hyper::body::Bytes, E> {
    fn error_body(text: &'static str) -> Self {
        use http_body_util::BodyExt as _;
        http_body_util::Full::new(hyper::body::Bytes::from_static(text.as_bytes()))
            .map_err(|never: std::convert::Infallible| match never {})
            .boxed()
    }
}

impl<E: 'static> ErrorBody for http_body_util::combinators::UnsyncBoxBody<hyper::body::Bytes, E> {
    fn error_body(text: &'static str) -> Self {
        use http_body_util::BodyExt as _;
        http_body_util::Full::new(hyper::body::Bytes::from_static(text.as_bytes()))
            .map_err(|never: std::convert::Infallible| match never {})
            .boxed_unsync()
    }
}

#[cfg(feature = "axum")]
impl ErrorBody for axum_core::body::Body {
    fn error_body(text: &'static str) -> Self {
        Self::from(text)
    }
}

/// The response sent instead of the handler's when the session cannot be saved: the core's
/// [`ErrorResponse`](session_core::ErrorResponse) (`500`, `Vary: Cookie`, plain text) with `body`.
pub fn error_response<B: ErrorBody>(body: &'static str) -> Response<B> {
    let parts = session_core::ErrorResponse::with_body(body);
    let mut response = Response::new(B::error_body(parts.body));
    *response.status_mut() = StatusCode::from_u16(parts.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in parts.headers {
        response
            .headers_mut()
            .insert(http::HeaderName::from_static(name), HeaderValue::from_static(value));
    }
    response
}

/// A tower [`Layer`](tower_layer::Layer) that gives every request a session: it wraps services in
/// [`SessionService`]. Cheap to clone.
#[derive(Clone)]
pub struct SessionLayer {
    config: SessionConfig,
    clock: Clock,
    error_body: &'static str,
}

impl SessionLayer {
    /// A layer with `config`, the system clock, and `Internal Server Error` as the body of a failed save.
    pub fn new(config: SessionConfig) -> Self {
        Self {
            config,
            clock: Arc::new(system_now),
            error_body: INTERNAL_SERVER_ERROR,
        }
    }

    /// Uses `clock` (Unix seconds) instead of the system clock, e.g. a fixed time in tests.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Uses `body` as the text of the 500 response sent when a session cannot be saved (e.g. too large).
    #[must_use]
    pub fn with_error_body(mut self, body: &'static str) -> Self {
        self.error_body = body;
        self
    }

    /// The session configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }
}

impl fmt::Debug for SessionLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionLayer")
            .field("config", &self.config)
            .field("error_body", &self.error_body)
            .finish_non_exhaustive()
    }
}

impl<S> tower_layer::Layer<S> for SessionLayer {
    type Service = SessionService<S>;

    fn layer(&self, inner: S) -> SessionService<S> {
        SessionService {
            inner,
            layer: self.clone(),
        }
    }
}

/// Wraps a service so that each request carries a [`SessionHandle`] in its extensions, and each response the
/// session's `Set-Cookie` / `Vary`.
///
/// It is both a tower [`Service`](tower_service::Service) (for tower stacks and axum) and a hyper
/// [`Service`](hyper::service::Service) (for hyper-util's server builders with [`hyper::service::service_fn`]).
/// A session that cannot be saved turns the response into a 500 (see [`SessionLayer::with_error_body`]).
/// The response body type must implement [`ErrorBody`] (`String`, `Full`, `Empty`, `BoxBody`,
/// `UnsyncBoxBody`, axum's `Body`).
#[derive(Clone, Debug)]
pub struct SessionService<S> {
    inner: S,
    layer: SessionLayer,
}

impl<S> SessionService<S> {
    /// Wraps `inner` with the defaults of [`SessionLayer::new`].
    pub fn new(inner: S, config: SessionConfig) -> Self {
        tower_layer::Layer::layer(&SessionLayer::new(config), inner)
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Loads the session into the request's extensions, in place (a request is a few hundred bytes to move); the
    /// handle is kept to finish the response.
    ///
    /// When an outer session layer already did (layers stacked by nested routers), its handle is used as it is
    /// and this layer leaves the response to it (`None`): two handles would each send a `Set-Cookie`, and the
    /// browser would keep the last, undoing the other's change.
    fn start<B>(&self, request: &mut Request<B>) -> Option<SessionHandle> {
        if let Some(outer) = request.extensions().get::<SessionHandle>() {
            if outer.config().cookie_name() != self.layer.config.cookie_name() {
                tracing::warn!(
                    outer = outer.config().cookie_name(),
                    inner = self.layer.config.cookie_name(),
                    "session layer stacked inside another one: the outer layer's session (and configuration) is used"
                );
            }
            return None;
        }
        let handle = load(request, &self.layer.config, (self.layer.clock)());
        request.extensions_mut().insert(handle.clone());
        Some(handle)
    }

    fn future<F>(&self, inner: F, handle: Option<SessionHandle>) -> ResponseFuture<F> {
        ResponseFuture {
            inner,
            handle,
            error_body: self.layer.error_body,
        }
    }
}

impl<S, B, ResBody> tower_service::Service<Request<B>> for SessionService<S>
where
    S: tower_service::Service<Request<B>, Response = Response<ResBody>>,
    ResBody: ErrorBody,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let handle = self.start(&mut request);
        let inner = self.inner.call(request);
        self.future(inner, handle)
    }
}

impl<S, B, ResBody> hyper::service::Service<Request<B>> for SessionService<S>
where
    S: hyper::service::Service<Request<B>, Response = Response<ResBody>>,
    ResBody: ErrorBody,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn call(&self, mut request: Request<B>) -> Self::Future {
        let handle = self.start(&mut request);
        self.future(self.inner.call(request), handle)
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`SessionService`]: the inner service's, then the session's headers.
    #[derive(Debug)]
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        // `None` when an outer session layer owns the request's session.
        handle: Option<SessionHandle>,
        error_body: &'static str,
    }
}

impl<F, ResBody, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
    ResBody: ErrorBody,
{
    type Output = Result<Response<ResBody>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        let Some(handle) = this.handle else {
            return Poll::Ready(Ok(response));
        };
        Poll::Ready(Ok(match apply(handle, &mut response) {
            Ok(()) => response,
            // The error was logged where it happened (size, limit and largest keys; never the cookie).
            Err(_) => error_response(this.error_body),
        }))
    }
}
