//! Django (`django.contrib.sessions.backends.signed_cookies`): `django.core.signing.dumps(session, salt=SALT,
//! compress=True)` with the JSON serializer. Bytes: compact `json.dumps` (`","`, `":"`, `ensure_ascii`), zlib
//! when that saves more than one byte (then a `.` prefix), URL-safe base64 without padding, `:`, the timestamp
//! in base62, `:`, URL-safe base64 (no padding) of HMAC-SHA256 keyed by `sha256(SALT + "signer" + SECRET_KEY)`
//! (itsdangerous' `django-concat`: one derivation for both). `SECRET_KEY_FALLBACKS` are tried in order.
//! Cookie `sessionid`, `SESSION_COOKIE_AGE` 1209600 (also the max age), `HttpOnly; SameSite=Lax; Path=/`.
//! Django checks only that a cookie is not too old: a timestamp in the future is accepted.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{Decoded, Defaults, Limits};
use crate::config::SameSite;
use crate::error::{Result, SessionError};
use crate::json::from_plain_json;
use crate::key::Keyring;
use crate::payload::{Compression, decode_payload, encode_payload};
use crate::session::SessionData;
use crate::signer::{Digest, KeyDerivation, MacRing, SignerOptions, check_age, decode_signature};
use crate::value::Value;

/// Django's `SESSION_COOKIE_AGE` default: two weeks.
pub const LIFETIME_SECS: u64 = 14 * 24 * 60 * 60;

/// The salt `signed_cookies` passes to `signing.dumps`/`loads`.
pub const SALT: &str = "django.contrib.sessions.backends.signed_cookies";

/// The key the session stores `set_expiry` under (seconds as an integer; `0` = when the browser closes).
pub const EXPIRY_KEY: &str = "_session_expiry";

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

pub(crate) fn defaults() -> Defaults {
    Defaults {
        cookie_name: "sessionid",
        lifetime: LIFETIME_SECS,
        same_site: Some(SameSite::Lax),
        refresh_each_request: false,
        signer: SignerOptions {
            digest: Digest::Sha256,
            key_derivation: KeyDerivation::DjangoConcat,
            salt: SALT.to_owned(),
        },
        compression: Compression::Flask,
    }
}

/// `b62_encode`.
pub fn b62_encode(mut n: u64) -> String {
    if n == 0 {
        return "0".into();
    }
    let mut digits = Vec::new();
    while n > 0 {
        digits.push(BASE62[(n % 62) as usize]);
        n /= 62;
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// `b62_decode` for the timestamps we can represent (a leading `-` is Django's negative timestamps).
fn b62_decode(s: &str) -> Result<i64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let bad = || SessionError::Malformed("malformed timestamp");
    if digits.is_empty() {
        return Err(bad());
    }
    let mut n: i64 = 0;
    for c in digits.bytes() {
        let d = BASE62.iter().position(|&x| x == c).ok_or_else(bad)?;
        n = n
            .checked_mul(62)
            .and_then(|n| n.checked_add(d as i64))
            .ok_or_else(bad)?;
    }
    Ok(if neg { -n } else { n })
}

/// Django's `TimestampSigner` with the JSON serializer.
#[derive(Clone)]
pub(crate) struct Django {
    keys: MacRing,
    pub(crate) compression: Compression,
}

impl std::fmt::Debug for Django {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Django")
            .field("keys", &self.keys.len())
            .field("compression", &self.compression)
            .finish()
    }
}

impl Django {
    pub(crate) fn new(keyring: &Keyring, options: SignerOptions, compression: Compression) -> Self {
        Self {
            keys: MacRing::new(keyring, &options),
            compression,
        }
    }

    /// `sign_object`: payload (zlib rule), `:` base62 timestamp, `:` signature.
    pub(crate) fn encode_json(&self, json: &str, timestamp: u64) -> String {
        let mut out = encode_payload(json.as_bytes(), self.compression);
        out.push(':');
        out.push_str(&b62_encode(timestamp));
        let sig = self.keys.sign(out.as_bytes());
        out.push(':');
        URL_SAFE_NO_PAD.encode_string(sig, &mut out);
        out
    }

    /// `unsign_object` with `max_age`: signature (every key in order), then age (`now - ts > max_age` is
    /// expired; Django accepts timestamps in the future), then payload. Bytes are read as Latin-1, as Django's
    /// `JSONSerializer.loads` does.
    pub(crate) fn decode(&self, cookie: &str, now: u64, max_age: Option<u64>, limits: Limits) -> Result<Decoded> {
        let (value, sig) = cookie
            .rsplit_once(':')
            .ok_or(SessionError::Malformed("no ':' separator"))?;
        let sig = decode_signature(sig)?;
        let key = self
            .keys
            .verify(value.as_bytes(), &sig)
            .ok_or(SessionError::BadSignature)?;
        let (payload, ts) = value
            .rsplit_once(':')
            .ok_or(SessionError::Malformed("timestamp missing"))?;
        let timestamp = b62_decode(ts)?;
        if let Some(max_age) = max_age {
            // Django computes `time.time() - timestamp` and refuses only `age > max_age`: a timestamp in the
            // future (a negative age) is accepted.
            let age = match u64::try_from(timestamp) {
                Ok(ts) => now.checked_sub(ts),
                Err(_) => Some(now.saturating_add(timestamp.unsigned_abs())),
            };
            if let Some(age) = age {
                check_age(age, max_age)?;
            }
        }
        let json = latin1(decode_payload(payload, limits.decompressed)?);
        let data = SessionData::decode(json, false, false, limits.values)?;
        Ok(Decoded {
            data,
            // A negative timestamp verified (Django signs what its clock says); we report none.
            timestamp: u64::try_from(timestamp).ok(),
            key,
            compressed: payload.starts_with('.'),
            rewrite: false,
        })
    }
}

/// Latin-1 bytes as UTF-8 text (ASCII, which Django writes, passes through unchanged).
fn latin1(bytes: Vec<u8>) -> Vec<u8> {
    if bytes.is_ascii() {
        return bytes;
    }
    bytes.iter().map(|&b| b as char).collect::<String>().into_bytes()
}

pub(crate) fn decode_unverified(cookie: &str, max_decompressed: usize) -> Result<(Value, Option<u64>, bool)> {
    let (value, _sig) = cookie
        .rsplit_once(':')
        .ok_or(SessionError::Malformed("no ':' separator"))?;
    let (payload, ts) = value
        .rsplit_once(':')
        .ok_or(SessionError::Malformed("timestamp missing"))?;
    let timestamp = u64::try_from(b62_decode(ts)?).ok();
    let json = latin1(decode_payload(payload, max_decompressed)?);
    Ok((from_plain_json(&json)?, timestamp, payload.starts_with('.')))
}

/// The `Set-Cookie` value as Django's `SimpleCookie` writes it (attributes sorted by name): `name=value;
/// [Domain=D; ]expires=DATE; [HttpOnly; ]Max-Age=N; Path=P; [SameSite=S; ][Secure]`. `max_age` of `None` is
/// a browser-session cookie (no `expires`/`Max-Age`). A deletion is `name=""; expires=Thu, 01 Jan 1970
/// 00:00:00 GMT; Max-Age=0; Path=P; SameSite=S` (no `HttpOnly`; `Secure` only for `__Secure-`/`__Host-`
/// names or `SameSite=None`), as `delete_cookie` writes it.
pub(crate) fn render(
    name: &str,
    value: Option<&str>,
    max_age: Option<u64>,
    now: u64,
    attrs: &crate::cookies::Attributes<'_>,
) -> String {
    let deletion = value.is_none();
    let mut parts = vec![format!("{name}={}", value.unwrap_or("\"\""))];
    if let Some(d) = attrs.domain {
        parts.push(format!("Domain={d}"));
    }
    match (deletion, max_age) {
        (true, _) => parts.push("expires=Thu, 01 Jan 1970 00:00:00 GMT".into()),
        (false, Some(age)) => parts.push(format!(
            "expires={}",
            crate::json::http_date(now.saturating_add(age) as i64)
        )),
        (false, None) => {}
    }
    if attrs.http_only && !deletion {
        parts.push("HttpOnly".into());
    }
    match (deletion, max_age) {
        (true, _) => parts.push("Max-Age=0".into()),
        (false, Some(age)) => parts.push(format!("Max-Age={age}")),
        (false, None) => {}
    }
    parts.push(format!("Path={}", attrs.path));
    if let Some(s) = attrs.same_site {
        parts.push(format!(
            "SameSite={}",
            match s {
                SameSite::Strict => "Strict",
                SameSite::Lax => "Lax",
                SameSite::None => "None",
            }
        ));
    }
    let secure = if deletion {
        name.starts_with("__Secure-") || name.starts_with("__Host-") || attrs.same_site == Some(SameSite::None)
    } else {
        attrs.secure
    };
    if secure {
        parts.push("Secure".into());
    }
    if attrs.partitioned && !deletion {
        parts.push("Partitioned".into());
    }
    parts.join("; ")
}

/// The cookie lifetime a Django session asks for: `_session_expiry` (an integer; `0` = until the browser closes)
/// or `SESSION_COOKIE_AGE`; `None` for a browser-session cookie (no `expires`, no `Max-Age`).
pub(crate) fn expiry(data: &SessionData, cookie_age: u64, expire_at_browser_close: bool) -> Option<u64> {
    match data.get(EXPIRY_KEY) {
        None | Some(Value::Null) => (!expire_at_browser_close).then_some(cookie_age),
        Some(Value::Int(0)) => None,
        Some(Value::Int(n)) => Some(u64::try_from(*n).unwrap_or(0)),
        // A datetime string (set_expiry(datetime)) or anything else: the configured age.
        Some(_) => Some(cookie_age),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base62_matches_django() {
        // b62_encode(1700000000) in Django 5.2.
        assert_eq!(b62_encode(1_700_000_000), "1r31eq");
        assert_eq!(b62_decode("1r31eq").unwrap(), 1_700_000_000);
        assert_eq!(b62_encode(0), "0");
        assert_eq!(b62_decode("-A").unwrap(), -10);
        assert!(b62_decode("").is_err() && b62_decode("a*").is_err() && b62_decode("zzzzzzzzzzzzzzzz").is_err());
    }
}
