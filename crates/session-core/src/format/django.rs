//! Django (`django.contrib.sessions.backends.signed_cookies`): `django.core.signing.dumps(session, salt=SALT,
//! compress=True)` with the JSON serializer. Bytes: compact `json.dumps` (`","`, `":"`, `ensure_ascii`), zlib
//! when that saves more than one byte (then a `.` prefix), URL-safe base64 without padding, `:`, the timestamp
//! in base62, `:`, URL-safe base64 (no padding) of HMAC-SHA256 keyed by `sha256(SALT + "signer" + SECRET_KEY)`
//! (itsdangerous' `django-concat`: one derivation for both). `SECRET_KEY_FALLBACKS` are tried in order.
//! Cookie `sessionid`, `SESSION_COOKIE_AGE` 1209600 (also the max age), `HttpOnly; SameSite=Lax; Path=/`.
//! Django checks only that a cookie is not too old: a timestamp in the future is accepted.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use std::borrow::Cow;

use smallvec::smallvec;

use super::pyjson;
use super::seam::{
    Codec, CookieOrder, Decoded, Defaults, DeleteWhen, ExpiryRule, Limits, Refresh, Rules, Sealed, SessionText,
    Settings, Spec,
};
use crate::cookies::CookieRules;
use crate::data::{EntriesRef, SessionData};
use crate::error::{Result, SessionError};
use crate::json::from_plain_json;
use crate::key::Keyring;
use crate::payload::{Compression, decode_payload, encode_payload};
use crate::set_cookie::{Attributes, Expiry as CookieExpiry, SameSite};
use crate::signer::{Digest, KeyDerivation, MacRing, SignerOptions, check_age, decode_signature, rsplit_byte};
use crate::value::Value;

/// Django's `SESSION_COOKIE_AGE` default: two weeks.
pub const LIFETIME_SECS: u64 = 14 * 24 * 60 * 60;

/// The salt `signed_cookies` passes to `signing.dumps`/`loads`.
pub const SALT: &str = "django.contrib.sessions.backends.signed_cookies";

/// The key the session stores `set_expiry` under (seconds as an integer; `0` = when the browser closes).
pub const EXPIRY_KEY: &str = "_session_expiry";

/// Django's place in the registry.
pub(crate) static SPEC: Spec = Spec {
    name: "django",
    aliases: &[],
    framework: "Django 5.2 signed_cookies session backend",
    encrypted: false,
    signature: None,
    tagged: false,
    timestamped: true,
    text: SessionText::PythonJson { compact: true },
    defaults,
    rules: Rules {
        delete: DeleteWhen::CookiePresent,
        refresh: Refresh::Always,
        expiry: ExpiryRule::FromSession(|data, age, at_close, now| {
            expiry(data, age, at_close, now).map(|e| CookieExpiry {
                max_age: Some(i128::from(e.max_age)),
                expires: Some(e.expires),
                sealed: None,
            })
        }),
        vary: true,
        delete_absent: true,
        order: CookieOrder::WritesFirst,
        reserved: &[],
    },
    build: |s: &Settings<'_>| -> Result<Box<dyn Codec>> {
        Ok(Box::new(
            Django::new(s.keyring, s.signer.clone(), s.compression).named(s.cookie_name),
        ))
    },
    peek: decode_unverified,
};

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

pub(crate) fn defaults() -> Defaults {
    Defaults {
        cookie_name: "sessionid",
        lifetime: LIFETIME_SECS,
        same_site: Some(SameSite::Lax),
        secure: false,
        http_only: true,
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
    name: String,
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
            name: String::new(),
        }
    }

    /// The cookie this codec reads and writes.
    pub(crate) fn named(mut self, name: &str) -> Self {
        name.clone_into(&mut self.name);
        self
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
        let (value, sig) = rsplit_byte(cookie, b':').ok_or(SessionError::Malformed("no ':' separator"))?;
        let sig = decode_signature(sig)?;
        let key = self
            .keys
            .verify(value.as_bytes(), &sig)
            .ok_or(SessionError::BadSignature)?;
        let (payload, ts) = rsplit_byte(value, b':').ok_or(SessionError::Malformed("timestamp missing"))?;
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

impl Codec for Django {
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
        pyjson::dumps_map(&data, pyjson::Separators::COMPACT).into_bytes()
    }

    fn seal_serialized(&self, serialized: &[u8], now: u64, _expires: Option<u64>) -> Result<Sealed<'_>> {
        let value = self.encode_json(&String::from_utf8_lossy(serialized), now);
        Ok(smallvec![(Cow::Borrowed(self.name.as_str()), value)])
    }

    fn render(&self, name: &str, value: Option<&str>, attrs: &Attributes<'_>, expiry: CookieExpiry) -> String {
        let expiry = expiry.max_age.zip(expiry.expires).map(|(max_age, expires)| Expiry {
            max_age: i64::try_from(max_age).unwrap_or(i64::MAX),
            expires,
        });
        render(name, value, expiry, attrs)
    }

    fn set_compression(&mut self, compression: Compression) {
        self.compression = compression;
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
/// [Domain=D; ]expires=DATE; [HttpOnly; ]Max-Age=N; Path=P; [SameSite=S; ][Secure]`. `expiry` of `None` is
/// a browser-session cookie (no `expires`/`Max-Age`). A deletion is `name=""; expires=Thu, 01 Jan 1970
/// 00:00:00 GMT; Max-Age=0; Path=P; SameSite=S` (no `HttpOnly`; `Secure` only for `__Secure-`/`__Host-`
/// names or `SameSite=None`), as `delete_cookie` writes it.
pub(crate) fn render(name: &str, value: Option<&str>, expiry: Option<Expiry>, attrs: &Attributes<'_>) -> String {
    use std::fmt::Write as _;
    let deletion = value.is_none();
    let mut out = String::with_capacity(name.len() + value.map_or(2, str::len) + attrs.path.len() + 96);
    out.push_str(name);
    out.push('=');
    out.push_str(value.unwrap_or("\"\""));
    if let Some(d) = attrs.domain {
        out.push_str("; Domain=");
        out.push_str(d);
    }
    match (deletion, expiry) {
        (true, _) => out.push_str("; expires=Thu, 01 Jan 1970 00:00:00 GMT"),
        (false, Some(e)) => {
            out.push_str("; expires=");
            out.push_str(&crate::json::http_date(e.expires));
        }
        (false, None) => {}
    }
    if attrs.http_only && !deletion {
        out.push_str("; HttpOnly");
    }
    match (deletion, expiry) {
        (true, _) => out.push_str("; Max-Age=0"),
        (false, Some(e)) => {
            let _ = write!(out, "; Max-Age={}", e.max_age);
        }
        (false, None) => {}
    }
    out.push_str("; Path=");
    out.push_str(attrs.path);
    if let Some(s) = attrs.same_site {
        out.push_str(s.attribute());
    }
    let secure = if deletion {
        name.starts_with("__Secure-") || name.starts_with("__Host-") || attrs.same_site == Some(SameSite::None)
    } else {
        attrs.secure
    };
    if secure {
        out.push_str("; Secure");
    }
    if attrs.partitioned && !deletion {
        out.push_str("; Partitioned");
    }
    out
}

/// What a Django session's cookie carries: `Max-Age` and `expires` (absolute, Unix seconds), as
/// `SessionMiddleware` computes them from `get_expiry_age()` and `time.time() + max_age`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Expiry {
    pub(crate) max_age: i64,
    pub(crate) expires: i64,
}

/// The cookie lifetime a Django session asks for at `now`, from `_session_expiry` as Django's
/// `get_expire_at_browser_close` and `get_expiry_age` read it, or `SESSION_COOKIE_AGE`; `None` for a
/// browser-session cookie (no `expires`, no `Max-Age`):
///
/// - absent or `null`: `SESSION_EXPIRE_AT_BROWSER_CLOSE`, else `SESSION_COOKIE_AGE`;
/// - `0` (also `false`, `0.0`; Python's `expiry == 0`): until the browser closes;
/// - an integer `n` (`set_expiry(n)`): `n` seconds (`true` is 1, a float is truncated, `expires` floored);
/// - a datetime string (`set_expiry(datetime)` stores `isoformat()`): whole seconds from `now` to it, floored
///   (`delta.days * 86400 + delta.seconds`), negative when it is past;
/// - any other falsy value (`""`, `[]`, `{}`): `SESSION_COOKIE_AGE`, as Django.
///
/// Where Django answers 500 (a string that is not an ISO datetime with a UTC offset, a non-finite float, any
/// other truthy value), we use `SESSION_COOKIE_AGE` (divergence `django-expiry-unreadable`).
pub(crate) fn expiry(data: &SessionData, cookie_age: u64, expire_at_browser_close: bool, now: u64) -> Option<Expiry> {
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    let after = |max_age: i64| Expiry {
        max_age,
        expires: now.saturating_add(max_age),
    };
    let configured = after(i64::try_from(cookie_age).unwrap_or(i64::MAX));
    match data.get(EXPIRY_KEY) {
        None | Some(Value::Null) => (!expire_at_browser_close).then_some(configured),
        Some(Value::Int(0) | Value::Bool(false)) => None,
        Some(Value::Float(f)) if *f == 0.0 => None,
        Some(Value::Int(n)) => Some(after(*n)),
        Some(Value::Bool(true)) => Some(after(1)),
        // `int(max_age)` for the attribute, `http_date(time.time() + max_age)` for `expires`. (`as` saturates.)
        Some(Value::Float(f)) if f.is_finite() => Some(Expiry {
            max_age: f.trunc() as i64,
            expires: (now as f64 + f).floor() as i64,
        }),
        Some(Value::Str(text)) if !text.is_empty() => Some(match iso_datetime(text) {
            Some(at) => after(
                at.saturating_sub(i128::from(now) * 1_000_000_000)
                    .div_euclid(1_000_000_000) as i64,
            ),
            None => configured,
        }),
        Some(_) => Some(configured),
    }
}

/// Unix nanoseconds of a datetime string as Python's `datetime.isoformat()` writes an aware datetime (what
/// `set_expiry(datetime)` stores): `YYYY-MM-DD`, `T` (or a space), `HH:MM[:SS[.f...]]` with 1 to 6 fraction
/// digits, and an offset `Z`, `±HH:MM`, `±HH:MM:SS` or `±HH:MM:SS.ffffff`. `None` for anything else, naive
/// datetimes included (Django compares them with an aware `now` and fails).
fn iso_datetime(text: &str) -> Option<i128> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = b.get(range)?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| digits.iter().fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0')))
    };
    // `HH:MM[:SS[.ffffff]]` at `i`: (seconds of the day as nanoseconds, where it ends).
    let clock = |i: usize| -> Option<(i128, usize)> {
        let (h, m) = (num(i..i + 2)?, num(i + 3..i + 5)?);
        if b.get(i + 2) != Some(&b':') || h > 23 || m > 59 {
            return None;
        }
        let mut end = i + 5;
        let mut nanos = 0i128;
        if b.get(end) == Some(&b':') {
            let sec = num(end + 1..end + 3)?;
            if sec > 59 {
                return None;
            }
            nanos = i128::from(sec) * 1_000_000_000;
            end += 3;
            if b.get(end) == Some(&b'.') {
                let digits = b[end + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                if !(1..=6).contains(&digits) {
                    return None;
                }
                let frac = num(end + 1..end + 1 + digits)?;
                nanos += i128::from(frac) * 10i128.pow(9 - digits as u32);
                end += 1 + digits;
            }
        }
        Some((i128::from(h * 3600 + m * 60) * 1_000_000_000 + nanos, end))
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !matches!(b.get(10), Some(b'T' | b' ')) {
        return None;
    }
    // Python's years run from 1 to 9999.
    if year == 0 {
        return None;
    }
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date = time::Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()?;
    let (time_of_day, end) = clock(11)?;
    let offset = match (b.get(end), b.get(end + 1..)) {
        (Some(b'Z'), Some([])) => 0,
        (Some(&sign @ (b'+' | b'-')), Some(_)) => {
            let (offset, offset_end) = clock(end + 1)?;
            if offset_end != b.len() {
                return None;
            }
            if sign == b'-' { -offset } else { offset }
        }
        _ => return None,
    };
    let midnight = i128::from(date.midnight().assume_utc().unix_timestamp()) * 1_000_000_000;
    Some(midnight + time_of_day - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_datetimes_read_as_python_reads_isoformat() {
        let at = |s: &str| iso_datetime(s).map(|n| (n.div_euclid(1_000_000_000), n.rem_euclid(1_000_000_000)));
        // datetime.fromtimestamp(1700000000, timezone.utc).isoformat() and friends.
        assert_eq!(at("2023-11-14T22:13:20+00:00"), Some((1_700_000_000, 0)));
        assert_eq!(
            at("2023-11-14T22:13:20.500000+00:00"),
            Some((1_700_000_000, 500_000_000))
        );
        assert_eq!(at("2023-11-14T22:13:20.5Z"), Some((1_700_000_000, 500_000_000)));
        assert_eq!(at("2023-11-15T00:13:20+02:00"), Some((1_700_000_000, 0)));
        assert_eq!(at("2023-11-14T20:43:20-01:30"), Some((1_700_000_000, 0)));
        assert_eq!(at("2023-11-14 22:13+00:00"), Some((1_699_999_980, 0)));
        assert_eq!(
            at("2023-11-14T22:13:20+00:00:30.000001"),
            Some((1_699_999_969, 999_999_000))
        );
        assert_eq!(at("1969-12-31T23:59:59.999999+00:00"), Some((-1, 999_999_000)));
        assert_eq!(at("0001-01-01T00:00:00+00:00"), Some((-62_135_596_800, 0)));
        assert_eq!(
            at("9999-12-31T23:59:59.999999+00:00"),
            Some((253_402_300_799, 999_999_000))
        );
        // Python 3.11 refuses these too, or reads them as naive (which Django cannot compare with its aware now).
        for bad in [
            "2023-11-14T22:13:20",
            "2023-11-14",
            "2023-02-30T00:00:00+00:00",
            "2023-11-14T24:00:00+00:00",
            "2023-11-14T22:60:00+00:00",
            "2023-11-14T22:13:61+00:00",
            "2023-11-14T22:13:20+24:00",
            "0000-01-01T00:00:00+00:00",
            "2023-11-14T22:13:20+00:00 ",
            "+2023-11-14T22:13:20+00:00",
            "2023-11-14T22:13:20Zjunk",
            // One wrong separator in the date or the clock ("Invalid isoformat string").
            "2023-11/14T22:13:20+00:00",
            "2023/11-14T22:13:20+00:00",
            "2023-11-14T22-13:20+00:00",
            "2023-11-14T22:13:20+00-00",
            "",
            "é",
        ] {
            assert_eq!(iso_datetime(bad), None, "{bad:?}");
        }
        // Python 3.11 reads these, but `isoformat()` never writes them: the configured age here (divergence
        // `django-expiry-unreadable`).
        for odd in [
            "2023-11-14T22:13:20.1234567+00:00",
            "2023-11-14T22:13:20.+00:00",
            "2023-11-14T22:13:20z+00:00",
            "2023-11-14X22:13:20+00:00",
        ] {
            assert_eq!(iso_datetime(odd), None, "{odd:?}");
        }
    }

    proptest::proptest! {
        /// Any text, and text made of the characters an ISO datetime uses, never panics.
        #[test]
        fn iso_datetime_takes_any_text(any in ".{0,40}", iso in "[0-9:T .Z+-]{0,40}") {
            let _ = iso_datetime(&any);
            let _ = iso_datetime(&iso);
        }
    }

    #[test]
    fn expiry_follows_session_expiry_as_django() {
        let now = 1_700_000_000u64;
        let with = |v: Option<Value>| {
            let mut m = crate::value::Map::new();
            if let Some(v) = v {
                m.insert(EXPIRY_KEY.into(), v);
            }
            SessionData::from(m)
        };
        let e = |max_age: i64, expires: i64| Some(Expiry { max_age, expires });
        let age = 1_209_600;
        assert_eq!(expiry(&with(None), age, false, now), e(1_209_600, 1_701_209_600));
        assert_eq!(expiry(&with(None), age, true, now), None);
        assert_eq!(expiry(&with(Some(Value::Null)), age, true, now), None);
        assert_eq!(expiry(&with(Some(Value::Int(0))), age, false, now), None);
        assert_eq!(expiry(&with(Some(Value::Bool(false))), age, false, now), None);
        assert_eq!(expiry(&with(Some(Value::Float(-0.0))), age, false, now), None);
        assert_eq!(
            expiry(&with(Some(Value::Int(60))), age, true, now),
            e(60, 1_700_000_060)
        );
        assert_eq!(
            expiry(&with(Some(Value::Int(-5))), age, false, now),
            e(-5, 1_699_999_995)
        );
        assert_eq!(
            expiry(&with(Some(Value::Bool(true))), age, false, now),
            e(1, 1_700_000_001)
        );
        assert_eq!(
            expiry(&with(Some(Value::Float(60.5))), age, false, now),
            e(60, 1_700_000_060)
        );
        assert_eq!(
            expiry(&with(Some(Value::Float(-0.5))), age, false, now),
            e(0, 1_699_999_999)
        );
        let iso = |s: &str| with(Some(Value::Str(s.into())));
        assert_eq!(
            expiry(&iso("2023-11-14T23:13:20.500000+00:00"), age, false, now),
            e(3600, 1_700_003_600)
        );
        assert_eq!(
            expiry(&iso("2023-11-14T22:12:50+00:00"), age, false, now),
            e(-30, 1_699_999_970)
        );
        assert_eq!(
            expiry(&iso("2023-11-14T22:13:19.5+00:00"), age, false, now),
            e(-1, 1_699_999_999)
        );
        // Falsy: the configured age (Django too); unreadable: the configured age (Django: 500).
        for v in [
            Value::Str(String::new()),
            Value::List(vec![]),
            Value::Str("2023-11-14T23:13:20".into()),
        ] {
            assert_eq!(expiry(&with(Some(v)), age, true, now), e(1_209_600, 1_701_209_600));
        }
        assert_eq!(
            expiry(&with(Some(Value::Float(f64::NAN))), age, false, now),
            e(1_209_600, 1_701_209_600)
        );
    }

    fn attrs(same_site: Option<SameSite>, secure: bool) -> Attributes<'static> {
        Attributes {
            domain: None,
            path: "/",
            secure,
            http_only: true,
            same_site,
            partitioned: false,
        }
    }

    /// Django 5.2's `HttpResponse.delete_cookie(name, path="/", samesite=S)` (what `SessionMiddleware` sends
    /// to end a session), each line from `response.cookies[name].OutputString()`: `Secure` only for a
    /// `__Secure-`/`__Host-` name (case-sensitive) or `SameSite=None`, whatever `SESSION_COOKIE_SECURE` says,
    /// and never `HttpOnly` (browsers drop a deletion of such a cookie that lacks `Secure`).
    #[test]
    fn deletions_are_secure_as_delete_cookie_decides() {
        for (name, same_site, secure, want) in [
            (
                "__Host-sessionid",
                Some(SameSite::Lax),
                true,
                "__Host-sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax; Secure",
            ),
            (
                "__Secure-sessionid",
                Some(SameSite::Strict),
                true,
                "__Secure-sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Strict; \
                 Secure",
            ),
            (
                "sessionid",
                Some(SameSite::None),
                true,
                "sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=None; Secure",
            ),
            (
                "sessionid",
                Some(SameSite::Lax),
                true,
                "sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax",
            ),
            (
                "__host-sessionid",
                Some(SameSite::Lax),
                true,
                "__host-sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax",
            ),
            (
                "sessionid",
                None,
                false,
                "sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/",
            ),
        ] {
            assert_eq!(render(name, None, None, &attrs(same_site, secure)), want);
        }
    }

    /// Django 5.2's `set_cookie(name, value, max_age=60, expires=..., secure=True, httponly=True,
    /// samesite="Lax")`, from `OutputString()`; `Partitioned` (which Django does not write) only on the cookie
    /// itself, never on its deletion, like `HttpOnly`.
    #[test]
    fn session_cookies_carry_httponly_secure_and_partitioned() {
        let e = Some(Expiry {
            max_age: 60,
            expires: 1_700_000_060,
        });
        assert_eq!(
            render("sessionid", Some("v"), e, &attrs(Some(SameSite::Lax), true)),
            "sessionid=v; expires=Tue, 14 Nov 2023 22:14:20 GMT; HttpOnly; Max-Age=60; Path=/; SameSite=Lax; Secure"
        );
        let plain = Attributes {
            http_only: false,
            ..attrs(Some(SameSite::Lax), false)
        };
        assert_eq!(
            render("sessionid", Some("v"), None, &plain),
            "sessionid=v; Path=/; SameSite=Lax"
        );
        let partitioned = Attributes {
            partitioned: true,
            ..attrs(Some(SameSite::None), true)
        };
        let cookie = render("sessionid", Some("v"), e, &partitioned);
        assert!(cookie.ends_with("; Secure; Partitioned"), "{cookie}");
        let deletion = render("sessionid", None, None, &partitioned);
        assert!(
            !deletion.contains("Partitioned") && !deletion.contains("HttpOnly"),
            "{deletion}"
        );
    }

    /// Cookies Django 5.2 wrote (`dj-ka-nested`, compressed, and `dj-ka-empty` in `django_known_answers.json`)
    /// read without the key: the session, the base62 timestamp, whether the payload was zlib'd; the signature
    /// is not looked at, the shape is.
    #[test]
    fn unverified_reads_show_what_django_signed() {
        let nested = ".eJyrVkpUsqpWSlKyijbUqVZKVrLKK83JqY3VUUoDChnoGeroGumZpuoamOsYpmobGekYGhmbmJqZW1gaIFixtTpKVUpWu\
                      oa1ADXxE7A:1r31eq:oW7vtzcaN1R2gIVbcF2OhdZb8my-JvoTp0g8K14rbdA";
        let (v, ts, compressed) = decode_unverified(nested, 1 << 16).unwrap();
        assert_eq!((ts, compressed), (Some(1_700_000_000), true));
        let Value::Dict(m) = v else { panic!("{v:?}") };
        assert_eq!(m["z"], Value::Int(-1));
        let empty = "e30:1r31eq:6FzI7uzsne8QtsyAE7sWIf2h8fn1sF_mt03pLV1O5NI";
        assert_eq!(
            decode_unverified(empty, 1 << 16).unwrap(),
            (Value::Dict(crate::value::Map::new()), Some(1_700_000_000), false)
        );
        assert_eq!(
            decode_unverified("e30:1r31eq:forged", 1 << 16).unwrap().1,
            Some(1_700_000_000)
        );
        // A negative timestamp (Django signs what its clock says) is no timestamp here.
        assert_eq!(decode_unverified("e30:-A:forged", 1 << 16).unwrap().1, None);
        for bad in ["e30", "e30:forged", "e30:*:forged"] {
            assert_eq!(
                decode_unverified(bad, 1 << 16).unwrap_err().kind(),
                "malformed",
                "{bad}"
            );
        }
    }

    /// `signing.dumps(compress=True)` zlibs a payload when that saves more than one byte (a `.` prefix);
    /// `compress=False` never does. The Debug output names no key.
    #[test]
    fn compression_follows_the_setting_and_debug_hides_keys() {
        let keyring = Keyring::new(crate::key::SecretKey::parse("django-insecure-test-key-0001").unwrap());
        let json = format!("{{\"a\":\"{}\"}}", "x".repeat(100));
        let mut codec = Django::new(&keyring, defaults().signer, Compression::Flask);
        assert!(codec.encode_json(&json, 1_700_000_000).starts_with('.'));
        codec.set_compression(Compression::Never);
        assert!(codec.encode_json(&json, 1_700_000_000).starts_with("eyJh"));
        let debug = format!("{codec:?}");
        assert!(debug.contains("Django") && !debug.contains("insecure"), "{debug}");
    }

    #[test]
    fn base62_matches_django() {
        // b62_encode(1700000000) in Django 5.2.
        assert_eq!(b62_encode(1_700_000_000), "1r31eq");
        assert_eq!(b62_decode("1r31eq").unwrap(), 1_700_000_000);
        assert_eq!(b62_encode(0), "0");
        assert_eq!(b62_decode("-A").unwrap(), -10);
        assert!(b62_decode("").is_err() && b62_decode("a*").is_err() && b62_decode("zzzzzzzzzzzzzzzz").is_err());
    }

    /// `render` as it was written before (a list of parts joined with `; `), the reference for the one-string
    /// version.
    fn render_parts(name: &str, value: Option<&str>, expiry: Option<Expiry>, attrs: &Attributes<'_>) -> String {
        let deletion = value.is_none();
        let mut parts = vec![format!("{name}={}", value.unwrap_or("\"\""))];
        if let Some(d) = attrs.domain {
            parts.push(format!("Domain={d}"));
        }
        match (deletion, expiry) {
            (true, _) => parts.push("expires=Thu, 01 Jan 1970 00:00:00 GMT".into()),
            (false, Some(e)) => parts.push(format!("expires={}", crate::json::http_date(e.expires))),
            (false, None) => {}
        }
        if attrs.http_only && !deletion {
            parts.push("HttpOnly".into());
        }
        match (deletion, expiry) {
            (true, _) => parts.push("Max-Age=0".into()),
            (false, Some(e)) => parts.push(format!("Max-Age={}", e.max_age)),
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

    #[test]
    fn render_writes_what_the_list_of_parts_wrote() {
        let mut n = 0;
        for name in ["sessionid", "__Secure-sessionid", "__Host-s"] {
            for domain in [None, Some("example.com")] {
                for same_site in [None, Some(SameSite::Strict), Some(SameSite::Lax), Some(SameSite::None)] {
                    for bits in 0..8u8 {
                        let attrs = Attributes {
                            domain,
                            path: if bits & 4 != 0 { "/app" } else { "/" },
                            secure: bits & 1 != 0,
                            http_only: bits & 2 != 0,
                            same_site,
                            partitioned: bits & 4 != 0,
                        };
                        for expiry in [
                            None,
                            Some(Expiry {
                                max_age: 1_209_600,
                                expires: 1_701_209_600,
                            }),
                        ] {
                            for value in [None, Some("eyJhIjoxfQ:1rKx:sig")] {
                                assert_eq!(
                                    render(name, value, expiry, &attrs),
                                    render_parts(name, value, expiry, &attrs),
                                    "{name} {attrs:?} {expiry:?} {value:?}"
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
