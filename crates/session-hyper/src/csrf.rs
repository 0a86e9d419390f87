//! Flask-WTF CSRF protection for hyper services: check a request, answer a refusal.

use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode};
use session_core::{Csrf, CsrfError, SessionHandle};

/// Flask-WTF's `CSRFProtect` for one request: POST, PUT, PATCH and DELETE must carry a valid token in the
/// form field `csrf_token` (when `body` is a URL-encoded form) or in the `X-CSRFToken` / `X-CSRF-Token`
/// header; other methods pass. `body` is the request body you collected (empty if none).
///
/// ```
/// # use http::{HeaderMap, Method};
/// # use session_hyper::{SecretKey, SessionConfig, SessionHandle};
/// use session_hyper::{Csrf, CsrfError, csrf_protect};
/// # let key = SecretKey::parse("0123456789abcdef").unwrap();
/// # let config = SessionConfig::builder().secret_key(key.clone()).build().unwrap();
/// let csrf = Csrf::new(&key);
/// let session = SessionHandle::new(config, vec![], 1_700_000_000);
/// let token = csrf.token(&session); // rendered into the page's form
/// let mut headers = HeaderMap::new();
/// headers.insert("content-type", "application/x-www-form-urlencoded".parse().unwrap());
/// let body = format!("name=alice&csrf_token={token}");
/// assert_eq!(csrf_protect(&csrf, &session, &Method::POST, &headers, body.as_bytes()), Ok(()));
/// assert_eq!(csrf_protect(&csrf, &session, &Method::POST, &headers, b"name=alice"), Err(CsrfError::Missing));
/// ```
///
/// # Errors
/// The [`CsrfError`] Flask-WTF would refuse the request with; answer [`csrf_refusal`].
pub fn csrf_protect(
    csrf: &Csrf,
    session: &SessionHandle,
    method: &Method,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), CsrfError> {
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let form = if Csrf::is_form(content_type) { body } else { b"" };
    csrf.protect(session, method.as_str(), form, |name| {
        headers.get(name).and_then(|v| v.to_str().ok())
    })
}

/// The answer to a refused token: `400 Bad Request` with Flask-WTF's reason as plain text
/// (e.g. `The CSRF token is missing.`).
pub fn csrf_refusal<B: From<String>>(error: CsrfError) -> Response<B> {
    let mut response = Response::new(B::from(error.to_string()));
    *response.status_mut() = StatusCode::BAD_REQUEST;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}
