//! Starlette / FastAPI (`starlette.middleware.sessions.SessionMiddleware`): `payload.timestamp.signature`,
//! itsdangerous' `TimestampSigner(str(secret_key))` (HMAC-SHA1, `django-concat` key derivation, salt
//! `itsdangerous.Signer`) over **standard, padded** base64 of `json.dumps(session)` (separators `", "` and
//! `": "`, `ensure_ascii`); no tags, no compression. Cookie `session`, `Max-Age=1209600` (14 days, also the
//! max age when verifying), `path=/; httponly; samesite=lax`, written only when modified; a cleared session is
//! sent as `null` with a 1970 `expires`.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};

use super::{Decoded, Defaults, Limits};
use crate::config::SameSite;
use crate::error::{Result, SessionError};
use crate::json::from_plain_json;
use crate::key::Keyring;
use crate::payload::Compression;
use crate::session::SessionData;
use crate::signer::{Digest, KeyDerivation, SignerOptions, TimestampSigner};
use crate::value::Value;

/// `SessionMiddleware`'s `max_age` default: 14 days.
pub const LIFETIME_SECS: u64 = 14 * 24 * 60 * 60;

/// itsdangerous' default salt (Starlette passes none).
pub const SALT: &str = "itsdangerous.Signer";

pub(crate) fn defaults() -> Defaults {
    Defaults {
        cookie_name: "session",
        lifetime: LIFETIME_SECS,
        same_site: Some(SameSite::Lax),
        refresh_each_request: false,
        signer: SignerOptions {
            digest: Digest::Sha1,
            key_derivation: KeyDerivation::DjangoConcat,
            salt: SALT.to_owned(),
        },
        compression: Compression::Never,
    }
}

/// Python's `base64.b64decode` (not `validate`): characters outside the standard alphabet are dropped, the
/// padding must complete the last quantum, unused trailing bits are ignored.
const PYTHON_B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

fn b64decode(text: &str) -> Result<Vec<u8>> {
    let kept: Vec<u8> = text
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        .collect();
    PYTHON_B64
        .decode(kept)
        .map_err(|_| SessionError::BadPayload("payload is not valid standard base64".into()))
}

/// Starlette's serializer.
#[derive(Debug, Clone)]
pub(crate) struct Starlette {
    signer: TimestampSigner,
}

impl Starlette {
    pub(crate) fn new(keyring: &Keyring, options: SignerOptions) -> Self {
        Self {
            signer: TimestampSigner::new(keyring, options),
        }
    }

    /// `signer.sign(b64encode(json.encode()))`.
    pub(crate) fn encode_json(&self, json: &str, timestamp: u64) -> String {
        self.signer.sign(&STANDARD.encode(json), timestamp)
    }

    /// `Session(json.loads(b64decode(signer.unsign(data, max_age))))`. Starlette answers 500 for a validly
    /// signed payload that is not base64 of a JSON object; we refuse it (an empty session).
    pub(crate) fn decode(&self, cookie: &str, now: u64, max_age: Option<u64>, limits: Limits) -> Result<Decoded> {
        let v = self.signer.unsign(cookie, now, max_age)?;
        let data = SessionData::decode(b64decode(v.payload)?, false, false, limits.values)?;
        Ok(Decoded {
            data,
            timestamp: Some(v.timestamp),
            key: v.key,
            compressed: false,
            rewrite: false,
        })
    }
}

pub(crate) fn decode_unverified(cookie: &str) -> Result<(Value, Option<u64>, bool)> {
    let (value, _sig) = cookie
        .rsplit_once('.')
        .ok_or(SessionError::Malformed("no '.' separator"))?;
    let (payload, ts) = value
        .rsplit_once('.')
        .ok_or(SessionError::Malformed("timestamp missing"))?;
    let timestamp = crate::signer::decode_timestamp(ts)?;
    Ok((from_plain_json(&b64decode(payload)?)?, Some(timestamp), false))
}

/// The `Set-Cookie` value exactly as `SessionMiddleware` writes it: `name=value; path=P; Max-Age=N;
/// httponly; samesite=S[; secure][; domain=D][; partitioned]` (no `Max-Age` when `max_age` is `None`, Starlette's
/// `max_age=None`), or for a cleared session `name=null; path=P; expires=Thu, 01 Jan 1970 00:00:00 GMT; ...`.
pub(crate) fn render(
    name: &str,
    value: Option<&str>,
    max_age: Option<u64>,
    attrs: &crate::cookies::Attributes<'_>,
) -> String {
    let mut out = format!("{name}={}; path={}; ", value.unwrap_or("null"), attrs.path);
    match (value, max_age) {
        (Some(_), Some(max_age)) => out.push_str(&format!("Max-Age={max_age}; ")),
        (Some(_), None) => {}
        (None, _) => out.push_str("expires=Thu, 01 Jan 1970 00:00:00 GMT; "),
    }
    let mut flags: Vec<String> = Vec::new();
    if attrs.http_only {
        flags.push("httponly".into());
    }
    if let Some(s) = attrs.same_site {
        flags.push(format!(
            "samesite={}",
            match s {
                SameSite::Strict => "strict",
                SameSite::Lax => "lax",
                SameSite::None => "none",
            }
        ));
    }
    if attrs.secure || attrs.partitioned {
        flags.push("secure".into());
    }
    if let Some(d) = attrs.domain {
        flags.push(format!("domain={d}"));
    }
    if attrs.partitioned {
        flags.push("partitioned".into());
    }
    out.push_str(&flags.join("; "));
    out.trim_end_matches([' ', ';']).to_owned()
}
