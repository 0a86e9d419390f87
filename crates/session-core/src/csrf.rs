//! CSRF tokens as Flask-WTF makes and checks them (`flask_wtf.csrf.generate_csrf` / `validate_csrf`).
//!
//! The session holds a raw token under `csrf_token` (40 hex digits, `sha1(os.urandom(64)).hexdigest()`); the
//! token put in forms and headers is that raw token signed by itsdangerous' `URLSafeTimedSerializer(secret_key,
//! salt="wtf-csrf-token")` (HMAC-SHA1, `django-concat` key derivation), valid for 3600 s by default. A form
//! rendered by Flask can therefore post to an axum, actix-web or hyper route sharing the key, and the other way
//! round. Forms send the token in the field `csrf_token`; scripts in the `X-CSRFToken` or `X-CSRF-Token` header.

use sha1::{Digest as _, Sha1};
use subtle::ConstantTimeEq as _;

use crate::error::SessionError;
use crate::format::CookieCodec;
use crate::json::{from_tagged_json, to_tagged_json};
use crate::key::{Keyring, SecretKey};
use crate::payload::decode_payload;
use crate::session::RequestSession;
use crate::signer::{Digest, KeyDerivation, SignerOptions, TimestampSigner};
use crate::value::Value;

/// Flask-WTF's salt for CSRF tokens.
pub const CSRF_SALT: &str = "wtf-csrf-token";
/// Flask-WTF's default form field and session key (`WTF_CSRF_FIELD_NAME`).
pub const CSRF_FIELD_NAME: &str = "csrf_token";
/// The request headers Flask-WTF reads the token from, in order (`WTF_CSRF_HEADERS`).
pub const CSRF_HEADERS: [&str; 2] = ["X-CSRFToken", "X-CSRF-Token"];
/// Flask-WTF's default token lifetime in seconds (`WTF_CSRF_TIME_LIMIT`).
pub const DEFAULT_CSRF_TIME_LIMIT: u64 = 3600;
/// The methods Flask-WTF's `CSRFProtect` checks (`WTF_CSRF_METHODS`).
pub const CSRF_METHODS: [&str; 4] = ["POST", "PUT", "PATCH", "DELETE"];

/// Why a CSRF token was refused; the message is Flask-WTF's, word for word, and safe to show the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CsrfError {
    /// The request carried no token (no form field, no header, or an empty one).
    #[error("The CSRF token is missing.")]
    Missing,
    /// The session holds no raw token: no page with a token was rendered for this session (or it was cleared).
    #[error("The CSRF session token is missing.")]
    SessionTokenMissing,
    /// The token's signature is valid but it is older than the time limit (or dated in the future).
    #[error("The CSRF token has expired.")]
    Expired,
    /// The token is not one this key signed (tampered, another key, or not a token at all).
    #[error("The CSRF token is invalid.")]
    Invalid,
    /// The token is validly signed but for another session's raw token.
    #[error("The CSRF tokens do not match.")]
    Mismatch,
}

/// Makes and checks Flask-WTF CSRF tokens for one secret key. Cheap to clone.
///
/// ```
/// use session_core::{Csrf, CsrfError, SecretKey, SessionConfig, SessionHandle};
/// let key = SecretKey::parse("0123456789abcdef").unwrap();
/// let config = SessionConfig::builder().secret_key(key.clone()).build().unwrap();
/// let csrf = Csrf::new(&key);
///
/// let page = SessionHandle::new(config.clone(), vec![], 1_700_000_000);
/// let token = csrf.token(&page); // put it in <input type="hidden" name="csrf_token">
/// let cookie = page.finish().unwrap().set_cookies().first().cloned().unwrap();
///
/// let post = SessionHandle::new(config, vec![cookie.split(';').next().unwrap().to_owned()], 1_700_000_060);
/// assert_eq!(csrf.validate(&post, Some(&token)), Ok(()));
/// assert_eq!(csrf.validate(&post, None), Err(CsrfError::Missing));
/// assert_eq!(CsrfError::Missing.to_string(), "The CSRF token is missing.");
/// ```
///
/// Flask-WTF signs with `WTF_CSRF_SECRET_KEY`, which defaults to the app's `SECRET_KEY`, and with that key only
/// (no fallbacks): pass the same key as the session configuration's unless the Flask app sets its own.
#[derive(Debug, Clone)]
pub struct Csrf {
    codec: CookieCodec,
    signer: TimestampSigner,
    field_name: String,
    time_limit: Option<u64>,
}

fn options() -> SignerOptions {
    SignerOptions {
        digest: Digest::Sha1,
        key_derivation: KeyDerivation::DjangoConcat,
        salt: CSRF_SALT.to_owned(),
    }
}

impl Csrf {
    /// Tokens signed with `secret_key` (Flask-WTF's `WTF_CSRF_SECRET_KEY`, by default the app's `SECRET_KEY`),
    /// field `csrf_token`, time limit 3600 s.
    pub fn new(secret_key: &SecretKey) -> Self {
        let ring = Keyring::new(secret_key.clone());
        Self {
            codec: CookieCodec::new(&ring, options()),
            signer: TimestampSigner::new(&ring, options()),
            field_name: CSRF_FIELD_NAME.to_owned(),
            time_limit: Some(DEFAULT_CSRF_TIME_LIMIT),
        }
    }

    /// Sets the token lifetime in seconds (`WTF_CSRF_TIME_LIMIT`; `None`: tokens never expire).
    #[must_use]
    pub fn with_time_limit(mut self, seconds: impl Into<Option<u64>>) -> Self {
        self.time_limit = seconds.into();
        self
    }

    /// Sets the form field and session key (`WTF_CSRF_FIELD_NAME`, default `csrf_token`).
    #[must_use]
    pub fn with_field_name(mut self, name: impl Into<String>) -> Self {
        self.field_name = name.into();
        self
    }

    /// The form field and session key.
    pub fn field_name(&self) -> &str {
        &self.field_name
    }

    /// The token lifetime in seconds (`None`: no limit).
    pub fn time_limit(&self) -> Option<u64> {
        self.time_limit
    }

    /// Flask-WTF's `generate_csrf()`: the signed token for this session, signed at the handle's request time.
    /// A session without a raw token (or with one that is not a string) gets a new one, which marks it
    /// modified so the response carries it.
    pub fn token(&self, session: &impl RequestSession) -> String {
        let raw = session.with_session(|s| match s.get_value(&self.field_name) {
            Some(Value::Str(raw)) => raw.clone(),
            _ => {
                let raw = new_raw_token();
                s.insert_value(self.field_name.clone(), raw.clone());
                raw
            }
        });
        self.sign(&raw, session.now())
    }

    /// The signed form of a raw token at `timestamp` (what `URLSafeTimedSerializer.dumps(raw)` returns).
    pub fn sign(&self, raw: &str, timestamp: u64) -> String {
        self.codec
            .encode_json(&to_tagged_json(&Value::Str(raw.to_owned())), timestamp)
    }

    /// Flask-WTF's `validate_csrf(token)` at the handle's request time.
    ///
    /// # Errors
    /// The [`CsrfError`] Flask-WTF would raise, in Flask-WTF's order: missing token, missing session token,
    /// expired, invalid, mismatch.
    pub fn validate(&self, session: &impl RequestSession, token: Option<&str>) -> Result<(), CsrfError> {
        let token = token.filter(|t| !t.is_empty()).ok_or(CsrfError::Missing)?;
        let raw = session
            .with_session(|s| s.get_value(&self.field_name).cloned())
            .ok_or(CsrfError::SessionTokenMissing)?;
        let signed = self.unsign(token, session.now())?;
        match raw {
            Value::Str(raw) if bool::from(raw.as_bytes().ct_eq(signed.as_bytes())) => Ok(()),
            // Flask-WTF's compare_digest raises TypeError (a 500) on a non-string session token.
            _ => Err(CsrfError::Mismatch),
        }
    }

    /// `URLSafeTimedSerializer.loads(token, max_age=time_limit)` for a string payload.
    fn unsign(&self, token: &str, now: u64) -> Result<String, CsrfError> {
        let verified = self.signer.unsign(token, now, self.time_limit).map_err(|e| match e {
            SessionError::Expired { .. } | SessionError::FromTheFuture { .. } => CsrfError::Expired,
            _ => CsrfError::Invalid,
        })?;
        // A raw token is 42 bytes of JSON; 4 KiB bounds what a signed but odd payload may inflate to.
        let json = decode_payload(verified.payload, 4096).map_err(|_| CsrfError::Invalid)?;
        match from_tagged_json(&json) {
            Ok(Value::Str(raw)) => Ok(raw),
            // Validly signed, but not a raw token: no session holds it.
            Ok(_) => Err(CsrfError::Mismatch),
            Err(_) => Err(CsrfError::Invalid),
        }
    }

    /// Whether Flask-WTF's `CSRFProtect` checks requests with this method (POST, PUT, PATCH, DELETE).
    pub fn protects(method: &str) -> bool {
        CSRF_METHODS.iter().any(|m| m.eq_ignore_ascii_case(method))
    }

    /// Whether a `Content-Type` is a URL-encoded form, the body [`Csrf::request_token`] reads fields from
    /// (`multipart/form-data` is not read: send the token in a header there).
    pub fn is_form(content_type: Option<&str>) -> bool {
        content_type
            .and_then(|ct| ct.split(';').next())
            .is_some_and(|ct| ct.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
    }

    /// The token a request carries, found as `CSRFProtect` looks for it: the form field, then a field named
    /// `<prefix>-csrf_token` (a prefixed WTForms form), then the `X-CSRFToken` and `X-CSRF-Token` headers.
    ///
    /// `form` is the `application/x-www-form-urlencoded` body (empty when there is none or it is not a form);
    /// `header` looks up a request header by name, case-insensitively.
    pub fn request_token<'h>(&self, form: &[u8], header: impl Fn(&str) -> Option<&'h str>) -> Option<String> {
        if !form.is_empty() {
            let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(form).unwrap_or_default();
            let exact = fields.iter().find(|(k, v)| *k == self.field_name && !v.is_empty());
            let suffix = format!("-{}", self.field_name);
            let prefixed = || fields.iter().find(|(k, v)| k.ends_with(&suffix) && !v.is_empty());
            if let Some((_, v)) = exact.or_else(prefixed) {
                return Some(v.clone());
            }
        }
        CSRF_HEADERS
            .iter()
            .find_map(|h| header(h).filter(|v| !v.is_empty()))
            .map(str::to_owned)
    }

    /// The form without its token fields (the field and any `<prefix>-csrf_token`), for reading the rest
    /// into a type that does not declare them: the adapters' `CsrfForm<()>` for a form that holds only the
    /// token (a logout button), or a struct with `#[serde(deny_unknown_fields)]`.
    ///
    /// ```
    /// use session_core::{Csrf, SecretKey};
    /// let csrf = Csrf::new(&SecretKey::parse("0123456789abcdef").unwrap());
    /// assert_eq!(csrf.form_without_token(b"csrf_token=T&name=a%26b"), b"name=a%26b");
    /// assert_eq!(csrf.form_without_token(b"csrf%5Ftoken=T"), b"");
    /// ```
    pub fn form_without_token(&self, form: &[u8]) -> Vec<u8> {
        let suffix = format!("-{}", self.field_name);
        let mut out = Vec::with_capacity(form.len());
        for field in form.split(|&b| b == b'&').filter(|f| !f.is_empty()) {
            let name: Vec<(String, String)> = serde_urlencoded::from_bytes(field).unwrap_or_default();
            if name
                .first()
                .is_some_and(|(k, _)| *k == self.field_name || k.ends_with(&suffix))
            {
                continue;
            }
            if !out.is_empty() {
                out.push(b'&');
            }
            out.extend_from_slice(field);
        }
        out
    }

    /// `CSRFProtect.protect()` for one request: nothing to check for safe methods; otherwise the token found by
    /// [`Csrf::request_token`] must validate.
    ///
    /// # Errors
    /// The [`CsrfError`] to answer with (adapters send it as a 400 with its message).
    pub fn protect<'h>(
        &self,
        session: &impl RequestSession,
        method: &str,
        form: &[u8],
        header: impl Fn(&str) -> Option<&'h str>,
    ) -> Result<(), CsrfError> {
        if !Self::protects(method) {
            return Ok(());
        }
        self.validate(session, self.request_token(form, header).as_deref())
    }
}

/// `hashlib.sha1(os.urandom(64)).hexdigest()`. The 64 random bytes come from the one place the core reads the
/// OS RNG, [`SecretKey::generate_len`].
fn new_raw_token() -> String {
    #[allow(
        clippy::expect_used,
        reason = "64 is above the minimum key length; the OS RNG failing is fatal anyway"
    )]
    let bytes = SecretKey::generate_len(64).expect("the OS random source is available");
    Sha1::digest(bytes.bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SessionConfig, SessionHandle};

    fn setup() -> (SessionConfig, Csrf) {
        let key = SecretKey::parse("0123456789abcdef").unwrap();
        (
            SessionConfig::builder().secret_key(key.clone()).build().unwrap(),
            Csrf::new(&key),
        )
    }

    #[test]
    fn raw_token_is_forty_hex_digits_and_stable_per_session() {
        let (config, csrf) = setup();
        let h = SessionHandle::new(config, vec![], 100);
        let a = csrf.token(&h);
        let raw: String = h.get(CSRF_FIELD_NAME).unwrap().unwrap();
        assert_eq!(raw.len(), 40);
        assert!(raw.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(csrf.token(&h), a);
        assert_eq!(csrf.validate(&h, Some(&a)), Ok(()));
    }

    #[test]
    fn refusals_in_flask_wtf_order() {
        let (config, csrf) = setup();
        let h = SessionHandle::new(config.clone(), vec![], 100);
        assert_eq!(csrf.validate(&h, Some("")), Err(CsrfError::Missing));
        assert_eq!(csrf.validate(&h, Some("x")), Err(CsrfError::SessionTokenMissing));
        let t = csrf.token(&h);
        assert_eq!(csrf.validate(&h, Some("garbage")), Err(CsrfError::Invalid));
        let other = csrf.sign("0000000000000000000000000000000000000000", 100);
        assert_eq!(csrf.validate(&h, Some(&other)), Err(CsrfError::Mismatch));
        let late = SessionHandle::new(config, vec![], 100 + 3601);
        late.with(|s| s.update(h.snapshot().data().clone()));
        assert_eq!(csrf.validate(&late, Some(&t)), Err(CsrfError::Expired));
        assert_eq!(csrf.clone().with_time_limit(None).validate(&late, Some(&t)), Ok(()));
    }

    #[test]
    fn token_found_where_csrf_protect_looks() {
        let (_, csrf) = setup();
        let none = |_: &str| None;
        assert_eq!(csrf.request_token(b"a=1&csrf_token=T", none).as_deref(), Some("T"));
        assert_eq!(csrf.request_token(b"login-csrf_token=P", none).as_deref(), Some("P"));
        let hdr = |h: &str| (h == "X-CSRF-Token").then_some("H");
        assert_eq!(csrf.request_token(b"csrf_token=", hdr).as_deref(), Some("H"));
        assert_eq!(csrf.request_token(b"", none), None);
        assert!(Csrf::protects("post") && !Csrf::protects("GET"));
        assert!(Csrf::is_form(Some("Application/x-www-form-urlencoded; charset=utf-8")));
        assert!(!Csrf::is_form(Some("application/json")) && !Csrf::is_form(None));
    }
}
