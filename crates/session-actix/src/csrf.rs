//! Flask-WTF CSRF tokens as actix-web extractors: [`CsrfToken`] renders one, [`CsrfForm`] and [`CsrfGuard`]
//! check one.
//!
//! They need nothing beyond [`SessionMiddleware`](crate::SessionMiddleware): tokens are signed with the
//! session's secret key, as Flask-WTF signs with `SECRET_KEY`; other settings go in
//! [`SessionConfigBuilder::csrf`](crate::SessionConfigBuilder::csrf). (A [`Csrf`] in the app data,
//! `.app_data(csrf)` or `web::Data<Csrf>`, is still used first.)

use std::fmt;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::future::{LocalBoxFuture, Ready, ready};
use serde::de::DeserializeOwned;
use session_core::{Csrf, CsrfError, SessionHandle};

/// Why a CSRF extractor refused the request.
#[derive(Debug)]
#[non_exhaustive]
pub enum CsrfRejection {
    /// The token is missing, expired, invalid or for another session: `400` with Flask-WTF's reason.
    Refused(CsrfError),
    /// The body could not be read or is not the form `T` (actix-web's own error, answered as actix-web does).
    Form(actix_web::Error),
    /// The app lacks `SessionMiddleware`: a `500` (the reason is logged, not sent).
    Misconfigured(&'static str),
}

impl fmt::Display for CsrfRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(e) => write!(f, "{e}"),
            Self::Form(e) => write!(f, "{e}"),
            Self::Misconfigured(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for CsrfRejection {}

impl ResponseError for CsrfRejection {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Refused(_) => StatusCode::BAD_REQUEST,
            Self::Form(e) => e.as_response_error().status_code(),
            Self::Misconfigured(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Form(e) => e.error_response(),
            Self::Misconfigured(what) => {
                tracing::error!("{what}");
                HttpResponse::InternalServerError()
                    .content_type("text/plain; charset=utf-8")
                    .body(session_core::INTERNAL_SERVER_ERROR)
            }
            Self::Refused(_) => HttpResponse::build(self.status_code())
                .content_type("text/plain; charset=utf-8")
                .body(self.to_string()),
        }
    }
}

const NO_SESSION: &str =
    "the session middleware is missing: CSRF tokens live in the session; wrap your App with SessionMiddleware";

/// The CSRF settings (the app data's if given, else the session configuration's) and the request's session.
fn setup(req: &HttpRequest) -> Result<(Csrf, SessionHandle), CsrfRejection> {
    let session = req
        .extensions()
        .get::<SessionHandle>()
        .cloned()
        .ok_or(CsrfRejection::Misconfigured(NO_SESSION))?;
    let csrf = req
        .app_data::<Csrf>()
        .cloned()
        .or_else(|| req.app_data::<web::Data<Csrf>>().map(|d| d.get_ref().clone()))
        .unwrap_or_else(|| session.config().csrf().clone());
    Ok((csrf, session))
}

fn protect(req: &HttpRequest, csrf: &Csrf, session: &SessionHandle, body: &[u8]) -> Result<(), CsrfRejection> {
    let headers = req.headers();
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let form = if Csrf::is_form(content_type) { body } else { b"" };
    csrf.protect(session, req.method().as_str(), form, |name| {
        headers.get(name).and_then(|v| v.to_str().ok())
    })
    .map_err(CsrfRejection::Refused)
}

/// The signed token for this session (Flask-WTF's `csrf_token()`), to put in a form's hidden `csrf_token`
/// field or a `<meta>` tag. A session without a raw token gets one (the response then sets the cookie).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrfToken(pub String);

impl FromRequest for CsrfToken {
    type Error = CsrfRejection;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(setup(req).map(|(csrf, session)| Self(csrf.token(&session))))
    }
}

/// Checks the `X-CSRFToken` / `X-CSRF-Token` header on POST, PUT, PATCH and DELETE (for scripts and JSON
/// APIs; forms use [`CsrfForm`]). Refuses with `400` and Flask-WTF's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsrfGuard;

impl FromRequest for CsrfGuard {
    type Error = CsrfRejection;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(setup(req).and_then(|(csrf, session)| protect(req, &csrf, &session, b"").map(|()| Self)))
    }
}

/// A URL-encoded form whose `csrf_token` field (or CSRF header) was checked first, as Flask-WTF's
/// `CSRFProtect` does; then the token field is dropped and `T` is read from the rest with actix-web's
/// [`web::Form`]. Refuses with `400` and Flask-WTF's reason. A form that holds only the token (a logout
/// button) is `CsrfForm<()>`.
///
/// ```
/// use actix_web::{App, web};
/// use session_actix::{CsrfForm, SecretKey, Session, SessionConfig, SessionMiddleware};
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
/// async fn logout(session: Session, _: CsrfForm<()>) -> &'static str {
///     session.purge();
///     "bye"
/// }
///
/// let key = SecretKey::parse("a key of at least sixteen bytes").unwrap();
/// let config = SessionConfig::builder().secret_key(key).build().unwrap();
/// let app = App::new()
///     .wrap(SessionMiddleware::new(config)) // CSRF needs nothing more
///     .route("/login", web::post().to(login))
///     .route("/logout", web::post().to(logout));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = CsrfRejection;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let (csrf, session) = setup(&req)?;
            let bytes = body.await.map_err(CsrfRejection::Form)?;
            protect(&req, &csrf, &session, &bytes)?;
            let rest = web::Bytes::from(csrf.form_without_token(&bytes));
            let form = web::Form::<T>::from_request(&req, &mut Payload::from(rest))
                .await
                .map_err(CsrfRejection::Form)?;
            Ok(Self(form.into_inner()))
        })
    }
}
