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

use std::borrow::Cow;

use smallvec::smallvec;

use super::pyjson;
use super::seam::{
    Codec, CookieOrder, Decoded, Defaults, DeleteWhen, ExpiryRule, Limits, Peeked, Refresh, Rules, Sealed, SessionText,
    Settings, Spec,
};
use crate::cookies::CookieRules;
use crate::data::{EntriesRef, SessionData};
use crate::error::{Result, SessionError};
use crate::json::from_plain_json;
use crate::key::Keyring;
use crate::payload::Compression;
use crate::set_cookie::{Attributes, Expiry, SameSite};
use crate::signer::{Digest, KeyDerivation, SignerOptions, TimestampSigner};
use crate::value::Value;

/// Starlette's place in the registry.
pub(crate) static SPEC: Spec = Spec {
    name: "starlette",
    aliases: &["fastapi"],
    framework: "Starlette 0.4x / FastAPI SessionMiddleware",
    encrypted: false,
    signature: None,
    tagged: false,
    timestamped: true,
    text: SessionText::PythonJson { compact: false },
    defaults,
    rules: Rules {
        delete: DeleteWhen::CookieOpened,
        refresh: Refresh::Never,
        expiry: ExpiryRule::MaxAge,
        vary: true,
        delete_absent: true,
        order: CookieOrder::WritesFirst,
        reserved: &[],
    },
    build: |s: &Settings<'_>| -> Result<Box<dyn Codec>> {
        Ok(Box::new(
            Starlette::new(s.keyring, s.signer.clone()).named(s.cookie_name),
        ))
    },
    peek: |cookie: &str, _max: usize| -> Result<Peeked> { decode_unverified(cookie) },
};

/// `SessionMiddleware`'s `max_age` default: 14 days.
pub const LIFETIME_SECS: u64 = 14 * 24 * 60 * 60;

/// itsdangerous' default salt (Starlette passes none).
pub const SALT: &str = "itsdangerous.Signer";

pub(crate) fn defaults() -> Defaults {
    Defaults {
        cookie_name: "session",
        lifetime: LIFETIME_SECS,
        same_site: Some(SameSite::Lax),
        secure: false,
        http_only: true,
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
    let alphabet = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
    // Nothing to drop (every cookie Starlette writes): decoded as it is, without a filtered copy.
    let decoded = if text.bytes().all(|b| alphabet(&b)) {
        PYTHON_B64.decode(text)
    } else {
        PYTHON_B64.decode(text.bytes().filter(alphabet).collect::<Vec<u8>>())
    };
    decoded.map_err(|_| SessionError::BadPayload("payload is not valid standard base64".into()))
}

/// Starlette's serializer.
#[derive(Debug, Clone)]
pub(crate) struct Starlette {
    signer: TimestampSigner,
    name: String,
}

impl Starlette {
    pub(crate) fn new(keyring: &Keyring, options: SignerOptions) -> Self {
        Self {
            signer: TimestampSigner::new(keyring, options),
            name: String::new(),
        }
    }

    /// The cookie this codec reads and writes.
    pub(crate) fn named(mut self, name: &str) -> Self {
        name.clone_into(&mut self.name);
        self
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

impl Codec for Starlette {
    fn boxed_clone(&self) -> Box<dyn Codec> {
        Box::new(self.clone())
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn reading(&self) -> CookieRules {
        CookieRules::Python
    }

    fn open_main(&self, value: &str, now: u64, max_age: Option<u64>, limits: Limits) -> Result<Decoded> {
        self.decode(value, now, max_age, limits)
    }

    fn serialize(&self, data: EntriesRef<'_>) -> Vec<u8> {
        pyjson::dumps_map(&data, pyjson::Separators::DEFAULT).into_bytes()
    }

    fn seal_serialized(&self, serialized: &[u8], now: u64, _expires: Option<u64>) -> Result<Sealed<'_>> {
        // `signer.sign(b64encode(json.encode()))`.
        let value = self.signer.sign(&STANDARD.encode(serialized), now);
        Ok(smallvec![(Cow::Borrowed(self.name.as_str()), value)])
    }

    fn render(&self, name: &str, value: Option<&str>, attrs: &Attributes<'_>, expiry: Expiry) -> String {
        render(name, value, expiry.max_age, attrs)
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
pub(crate) fn render(name: &str, value: Option<&str>, max_age: Option<i128>, attrs: &Attributes<'_>) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(name.len() + value.map_or(4, str::len) + attrs.path.len() + 96);
    out.push_str(name);
    out.push('=');
    out.push_str(value.unwrap_or("null"));
    out.push_str("; path=");
    out.push_str(attrs.path);
    out.push_str("; ");
    match (value, max_age) {
        (Some(_), Some(max_age)) => {
            let _ = write!(out, "Max-Age={max_age}; ");
        }
        (Some(_), None) => {}
        (None, _) => out.push_str("expires=Thu, 01 Jan 1970 00:00:00 GMT; "),
    }
    // The flags, `; `-separated.
    let mut first = true;
    let mut flag = |out: &mut String, text: &str| {
        if !first {
            out.push_str("; ");
        }
        first = false;
        out.push_str(text);
    };
    if attrs.http_only {
        flag(&mut out, "httponly");
    }
    if let Some(s) = attrs.same_site {
        flag(
            &mut out,
            match s {
                SameSite::Strict => "samesite=strict",
                SameSite::Lax => "samesite=lax",
                SameSite::None => "samesite=none",
            },
        );
    }
    if attrs.secure || attrs.partitioned {
        flag(&mut out, "secure");
    }
    if let Some(d) = attrs.domain {
        flag(&mut out, "domain=");
        out.push_str(d);
    }
    if attrs.partitioned {
        flag(&mut out, "partitioned");
    }
    let kept = out.trim_end_matches([' ', ';']).len();
    out.truncate(kept);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `render` as it was written before (formatted parts and a list of flags joined), the reference for the
    /// one-string version.
    fn render_parts(name: &str, value: Option<&str>, max_age: Option<i128>, attrs: &Attributes<'_>) -> String {
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

    #[test]
    fn render_writes_what_the_formatted_parts_wrote() {
        let mut n = 0;
        for path in ["/", "/app", "/odd; "] {
            for domain in [None, Some("example.com")] {
                for same_site in [None, Some(SameSite::Strict), Some(SameSite::Lax), Some(SameSite::None)] {
                    for bits in 0..8u8 {
                        let attrs = Attributes {
                            domain,
                            path,
                            secure: bits & 1 != 0,
                            http_only: bits & 2 != 0,
                            same_site,
                            partitioned: bits & 4 != 0,
                        };
                        for max_age in [None, Some(1_209_600)] {
                            for value in [None, Some("eyJhIjogMX0=.ZVPxAA.sig")] {
                                assert_eq!(
                                    render("session", value, max_age, &attrs),
                                    render_parts("session", value, max_age, &attrs),
                                    "{attrs:?} {max_age:?} {value:?}"
                                );
                                n += 1;
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(n, 3 * 2 * 4 * 8 * 2 * 2);
    }
}

#[cfg(test)]
mod rendering {
    use super::*;

    fn attrs(secure: bool, domain: Option<&'static str>, partitioned: bool) -> Attributes<'static> {
        Attributes {
            domain,
            path: "/",
            secure,
            http_only: true,
            same_site: Some(SameSite::Lax),
            partitioned,
        }
    }

    /// A cookie Starlette wrote (`st-ka-plain` in `starlette_known_answers.json`) read without the key: the
    /// session, the itsdangerous timestamp, never compressed; the signature is not looked at, the shape is.
    #[test]
    fn unverified_reads_show_what_starlette_signed() {
        let cookie = "eyJ1c2VyX2lkIjogNDIsICJuYW1lIjogImFsaWNlIiwgInJvbGVzIjogWyJhZG1pbiIsICJ1c2VyIl0sICJhY3RpdmUiOiB0\
                      cnVlLCAic2NvcmUiOiAxLjV9.ZVPxAA.0s8Z9ovcOCRFZilZKfXv3DJIqAs";
        let (v, ts, compressed) = decode_unverified(cookie).unwrap();
        assert_eq!((ts, compressed), (Some(1_700_000_000), false));
        let Value::Dict(m) = v else { panic!("{v:?}") };
        assert_eq!(
            (&m["user_id"], &m["name"]),
            (&Value::Int(42), &Value::Str("alice".into()))
        );
        assert!(decode_unverified("e30=.ZVPxAA.forged").is_ok());
        for bad in ["e30=", "e30=.forged"] {
            assert_eq!(decode_unverified(bad).unwrap_err().kind(), "malformed", "{bad}");
        }
    }

    /// `SessionMiddleware`'s header: `"{name}={data}; path={path}; {max_age}{security_flags}"`, the flags
    /// `httponly; samesite=lax`, then `; secure` (`https_only=True`), `; domain=D`, `; partitioned`; a
    /// cleared session is `null` with a 1970 `expires` instead of `Max-Age`.
    #[test]
    fn headers_are_written_as_session_middleware_writes_them() {
        assert_eq!(
            render("session", Some("v"), Some(1_209_600), &attrs(true, None, false)),
            "session=v; path=/; Max-Age=1209600; httponly; samesite=lax; secure"
        );
        assert_eq!(
            render(
                "session",
                None,
                Some(1_209_600),
                &attrs(true, Some("example.com"), true)
            ),
            "session=null; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; httponly; samesite=lax; secure; \
             domain=example.com; partitioned"
        );
        assert_eq!(
            render("session", Some("v"), None, &attrs(false, None, false)),
            "session=v; path=/; httponly; samesite=lax"
        );
    }
}
