//! Rails' encrypted cookie store (`ActionDispatch::Session::CookieStore` over the encrypted cookie jar, Rails 5.2
//! and later).
//!
//! Bytes, as `ActiveSupport::MessageEncryptor` (cipher `aes-256-gcm`) writes them:
//!
//! - key = PBKDF2-HMAC(`secret_key_base` as text, salt `"authenticated encrypted cookie"`, 1000 iterations,
//!   32 bytes), HMAC-SHA-256 since Rails 7.0, HMAC-SHA-1 before;
//! - plaintext = the metadata envelope `{"_rails":{"message":"<strict base64 of the session JSON>","exp":<ISO
//!   8601 with milliseconds, or null>,"pur":"cookie.<cookie name>"}}` (Rails 7.1 with
//!   `use_message_serializer_for_metadata` writes `{"_rails":{"data":<the session>,"exp":..,"pur":..}}`, leaving
//!   out a null `exp`; before 5.2, or with `use_cookies_with_metadata` off, the session JSON has no envelope);
//! - value = `base64(ciphertext)--base64(iv)--base64(tag)`, strict base64, a 12-byte random IV and no associated
//!   data, escaped as Rack escapes cookie values (`+` `/` `=` become `%2B` `%2F` `%3D`).
//!
//! Reading follows Rails: the purpose must be `cookie.<name>` or absent (the jar retries without a purpose), and
//! an expiry must lie in the future.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha1::Sha1;
use sha2::Sha256;
use time::OffsetDateTime;
use time::format_description::well_known::Iso8601;
use zeroize::Zeroizing;

use super::aead::{Aead, NONCE_LEN, NonceSource, OsRandom, TAG_LEN, json_object_to_map};
use crate::data::Entries;
use crate::error::{Result, SessionError};
use crate::key::{KeyId, Keyring, SecretKey};
use crate::value::Map;

/// The salt Rails derives the encrypted cookie key with (`config.action_dispatch.authenticated_encrypted_cookie_salt`).
pub const RAILS_SALT: &[u8] = b"authenticated encrypted cookie";
/// PBKDF2 iterations of `Rails.application.key_generator`.
pub const RAILS_ITERATIONS: u32 = 1000;
/// The default cookie name here; Rails names it `_<app name>_session`, so set the name your Rails app uses.
pub const RAILS_DEFAULT_COOKIE_NAME: &str = "_app_session";

/// What Rack's `escape` (`URI.encode_www_form_component`) leaves alone: `*-._`, digits and ASCII letters.
const RACK_ESCAPE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'*').remove(b'-').remove(b'.').remove(b'_');

/// The HMAC hash of Rails' PBKDF2 key derivation (`config.active_support.key_generator_hash_digest_class`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RailsDigest {
    /// SHA-1: Rails 5.2 to 6.1 (and apps upgraded to 7 that keep `load_defaults` below 7.0).
    Sha1,
    /// SHA-256: Rails 7.0 and later.
    #[default]
    Sha256,
}

impl RailsDigest {
    /// Parses `sha1` or `sha256`.
    ///
    /// # Errors
    /// [`SessionError::Config`] for any other name.
    pub fn from_name(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "sha1" => Ok(Self::Sha1),
            "sha256" => Ok(Self::Sha256),
            other => Err(SessionError::Config(format!(
                "unknown Rails key derivation digest {other:?}; use sha256 (Rails 7) or sha1 (Rails 5.2 to 6.1)"
            ))),
        }
    }

    /// `sha1` or `sha256`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
        }
    }

    fn other(self) -> Self {
        match self {
            Self::Sha1 => Self::Sha256,
            Self::Sha256 => Self::Sha1,
        }
    }

    /// The 32-byte AES key Rails derives from `secret_key_base`.
    fn derive(self, secret: &SecretKey) -> Zeroizing<[u8; 32]> {
        crate::key::derived();
        let mut key = Zeroizing::new([0u8; 32]);
        match self {
            Self::Sha1 => pbkdf2::pbkdf2_hmac::<Sha1>(secret.bytes(), RAILS_SALT, RAILS_ITERATIONS, key.as_mut()),
            Self::Sha256 => pbkdf2::pbkdf2_hmac::<Sha256>(secret.bytes(), RAILS_SALT, RAILS_ITERATIONS, key.as_mut()),
        }
        key
    }
}

/// Which envelope a Rails cookie's plaintext had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RailsEnvelope {
    /// `{"_rails":{"message":"<base64>",...}}`: Rails 5.2 to 7.0, and what we write.
    Message,
    /// `{"_rails":{"data":{...},...}}`: Rails 7.1 and later with `use_message_serializer_for_metadata`.
    Data,
    /// The session JSON without an envelope (no purpose, no expiry): cookies written without metadata.
    None,
}

/// A Rails cookie that decrypted and passed Rails' checks.
#[derive(Debug, Clone, PartialEq)]
pub struct RailsDecoded {
    /// The session hash (with Rails' own `session_id`, and `_csrf_token` when the app set one).
    pub data: Map,
    /// The expiry sealed in the envelope, Unix milliseconds (`None`: `exp` was null or absent).
    pub expires_at_ms: Option<i64>,
    /// Which secret opened it.
    pub key: KeyId,
    /// Which key derivation opened it.
    pub digest: RailsDigest,
    /// The envelope form.
    pub envelope: RailsEnvelope,
    /// Opened with a fallback secret or the other digest: write it again with the current one.
    pub needs_rewrite: bool,
}

#[derive(Clone)]
struct DerivedKey {
    id: KeyId,
    digest: RailsDigest,
    aead: Aead,
}

/// Encrypts and decrypts Rails' encrypted session cookie for one cookie name.
///
/// Keys are tried in the keyring's order (current, then fallbacks newest first), each with the configured digest
/// and then (unless [`RailsCodec::only_configured_digest`]) the other one, so an app moving from Rails 6.1's SHA-1
/// derivation to Rails 7's SHA-256 reads both, as Rails does with a cookie rotation. New cookies always use the
/// current key and the configured digest.
#[derive(Clone)]
pub struct RailsCodec {
    cookie_name: String,
    purpose: String,
    digest: RailsDigest,
    keys: Vec<DerivedKey>,
    nonces: Arc<dyn NonceSource>,
}

impl fmt::Debug for RailsCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RailsCodec")
            .field("cookie_name", &self.cookie_name)
            .field("digest", &self.digest)
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

impl RailsCodec {
    /// A codec for the cookie `cookie_name` with keys derived from the keyring's secrets (each secret is Rails'
    /// `secret_key_base`, used as its text) with `digest`; the other digest is accepted when reading.
    pub fn new(keyring: &Keyring, cookie_name: &str, digest: RailsDigest) -> Self {
        let mut keys = Vec::new();
        for (id, secret) in keyring.verification_order() {
            for d in [digest, digest.other()] {
                keys.push(DerivedKey {
                    id,
                    digest: d,
                    aead: Aead::new(&d.derive(secret)),
                });
            }
        }
        Self {
            cookie_name: cookie_name.to_owned(),
            purpose: format!("cookie.{cookie_name}"),
            digest,
            keys,
            nonces: Arc::new(OsRandom),
        }
    }

    /// Reads only cookies made with the configured digest.
    pub fn only_configured_digest(mut self) -> Self {
        let digest = self.digest;
        self.keys.retain(|k| k.digest == digest);
        self
    }

    /// Takes nonces from `source` instead of the operating system (tests; see [`NonceSource`]).
    pub fn with_nonce_source(mut self, source: Arc<dyn NonceSource>) -> Self {
        self.nonces = source;
        self
    }

    /// The cookie name (the purpose is `cookie.<name>`).
    pub fn cookie_name(&self) -> &str {
        &self.cookie_name
    }

    /// The digest new cookies are made with.
    pub fn digest(&self) -> RailsDigest {
        self.digest
    }

    /// The cookie value for `data`, as Rails writes it: the session as ActiveSupport's JSON, in the `message`
    /// envelope with the purpose `cookie.<name>` and `expires_at_ms` (Unix milliseconds) as `exp`, encrypted with
    /// the current key, Rack-escaped.
    ///
    /// # Errors
    /// When the nonce source fails.
    pub fn encode(&self, data: &Map, expires_at_ms: Option<i64>) -> Result<String> {
        self.encode_json(&rails_session_json(data), expires_at_ms)
    }

    /// Like [`RailsCodec::encode`] for session JSON text that is already serialized (kept byte for byte).
    ///
    /// # Errors
    /// When `expires_at_ms` is outside the years 0 to 9999 or the nonce source fails.
    pub fn encode_json(&self, session_json: &str, expires_at_ms: Option<i64>) -> Result<String> {
        let exp = expires_at_ms.map(iso8601_millis).transpose()?;
        // Rails' order (message, exp, pur): Rails 7.1 recognises this envelope by its first bytes,
        // `{"_rails":{"message":`.
        let json_str = |s: &str| serde_json::Value::from(s).to_string();
        let envelope = format!(
            "{{\"_rails\":{{\"message\":\"{}\",\"exp\":{},\"pur\":{}}}}}",
            STANDARD.encode(session_json),
            exp.as_deref().map_or_else(|| "null".to_owned(), json_str),
            json_str(&self.purpose),
        );
        self.seal(envelope.as_bytes())
    }

    /// Encrypts a plaintext exactly as given (the envelope included) with the current key.
    ///
    /// # Errors
    /// When the nonce source fails.
    pub fn seal(&self, plaintext: &[u8]) -> Result<String> {
        let key = self
            .keys
            .iter()
            .find(|k| k.id == KeyId::Current && k.digest == self.digest)
            .ok_or_else(|| SessionError::Config("no current key".into()))?;
        let mut iv = [0u8; NONCE_LEN];
        self.nonces.fill(&mut iv)?;
        let mut sealed = key.aead.seal(&iv, b"", plaintext)?;
        let tag = sealed.split_off(sealed.len() - TAG_LEN);
        let value = format!(
            "{}--{}--{}",
            STANDARD.encode(&sealed),
            STANDARD.encode(iv),
            STANDARD.encode(tag)
        );
        // The encoder's runs pushed into one string (no formatting machinery).
        let mut out = String::with_capacity(value.len() + value.len() / 8 + 8);
        for run in utf8_percent_encode(&value, RACK_ESCAPE) {
            out.push_str(run);
        }
        Ok(out)
    }

    /// Decrypts and checks a cookie value (Rack-escaped or not) at `now` (Unix seconds).
    ///
    /// # Errors
    /// `Malformed` (not `ct--iv--tag` in strict base64 with a 12-byte IV and a 16-byte tag), `BadSignature` (no
    /// key opens it: tampered, another secret), `WrongPurpose` (made for another cookie name), `ExpiredAt`,
    /// `BadPayload` (the envelope or the session inside is not what Rails writes).
    pub fn decode(&self, value: &str, now: u64) -> Result<RailsDecoded> {
        let (plaintext, key) = self.open(value)?;
        let (session, envelope, exp, purpose) = parse_envelope(&plaintext)?;
        // Rails' jar reads with purpose `cookie.<name>`, then again with none: a cookie without purpose passes.
        if let Some(p) = purpose
            && p != self.purpose
        {
            return Err(SessionError::WrongPurpose {
                expected: self.purpose.clone(),
                found: p,
            });
        }
        let expires_at_ms = exp.as_deref().map(parse_iso8601_ms).transpose()?;
        if let Some(ms) = expires_at_ms
            && i128::from(now) * 1000 >= i128::from(ms)
        {
            return Err(SessionError::ExpiredAt {
                at: ms.div_euclid(1000),
            });
        }
        let data = json_object_to_map(&session)?;
        Ok(RailsDecoded {
            data,
            expires_at_ms,
            key: key.id,
            digest: key.digest,
            envelope,
            needs_rewrite: key.id != KeyId::Current || key.digest != self.digest,
        })
    }

    /// The plaintext of a cookie value and the key that opened it, with no envelope checks (inspection only).
    fn open(&self, value: &str) -> Result<(Vec<u8>, &DerivedKey)> {
        let value = crate::cookies::percent_decode_utf8(value)?;
        let mut parts = value.split("--");
        let (Some(ct), Some(iv), Some(tag), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(SessionError::Malformed(
                "expected base64(ciphertext)--base64(iv)--base64(tag)",
            ));
        };
        let bad = |_| SessionError::Malformed("a part is not strict base64");
        let mut sealed = STANDARD.decode(ct).map_err(bad)?;
        let iv: [u8; NONCE_LEN] = STANDARD
            .decode(iv)
            .map_err(bad)?
            .try_into()
            .map_err(|_| SessionError::Malformed("the IV is not 12 bytes"))?;
        let tag = STANDARD.decode(tag).map_err(bad)?;
        if tag.len() != TAG_LEN {
            return Err(SessionError::Malformed("the authentication tag is not 16 bytes"));
        }
        sealed.extend_from_slice(&tag);
        self.keys
            .iter()
            .find_map(|k| k.aead.open(&iv, b"", &sealed).map(|p| (p, k)))
            .ok_or(SessionError::BadSignature)
    }
}

type Envelope = (Vec<u8>, RailsEnvelope, Option<String>, Option<String>);

/// The envelope Rails 5.2 to 7.0 writes (and we write), exactly: `_rails` alone at the top, holding `message`
/// and optionally `exp` and `pur` as strings or null. Anything else (other keys, a key twice, other types)
/// fails here and is read by the general path.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageEnvelope<'a> {
    #[serde(borrow)]
    _rails: MessageMeta<'a>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageMeta<'a> {
    #[serde(borrow)]
    message: Cow<'a, str>,
    #[serde(borrow, default)]
    exp: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pur: Option<Cow<'a, str>>,
}

/// (session JSON, envelope, exp, pur) of a decrypted plaintext.
fn parse_envelope(plaintext: &[u8]) -> Result<Envelope> {
    // The common envelope read into borrowed fields; the same answer as the general path below.
    if let Ok(MessageEnvelope { _rails: meta }) = serde_json::from_slice::<MessageEnvelope<'_>>(plaintext)
        && let Ok(session) = STANDARD.decode(meta.message.as_bytes())
    {
        return Ok((
            session,
            RailsEnvelope::Message,
            meta.exp.map(Cow::into_owned),
            // Rails compares `pur.to_s`: an empty purpose is no purpose.
            meta.pur.filter(|p| !p.is_empty()).map(Cow::into_owned),
        ));
    }
    parse_any_envelope(plaintext)
}

/// (session JSON, envelope, exp, pur) of any plaintext Rails reads: either layout, keys in any order, the last
/// of a key written twice.
fn parse_any_envelope(plaintext: &[u8]) -> Result<Envelope> {
    let bad = |what: &str| SessionError::BadPayload(format!("Rails metadata envelope: {what}"));
    let Ok(serde_json::Value::Object(mut top)) = serde_json::from_slice::<serde_json::Value>(plaintext) else {
        // Not an object (or not JSON): a bare message; the session JSON check reports it.
        return Ok((plaintext.to_vec(), RailsEnvelope::None, None, None));
    };
    let Some(meta) = top.remove("_rails") else {
        return Ok((plaintext.to_vec(), RailsEnvelope::None, None, None));
    };
    let serde_json::Value::Object(mut meta) = meta else {
        return Err(bad("_rails is not an object"));
    };
    let text = |v: Option<serde_json::Value>, what: &str| match v {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(&format!("{what} is not a string"))),
    };
    let exp = text(meta.remove("exp"), "exp")?;
    // Rails compares `pur.to_s`: an empty purpose is no purpose.
    let pur = text(meta.remove("pur"), "pur")?.filter(|p| !p.is_empty());
    let (session, envelope) = match (meta.remove("message"), meta.remove("data")) {
        (Some(serde_json::Value::String(m)), _) => (
            STANDARD.decode(m).map_err(|_| bad("message is not strict base64"))?,
            RailsEnvelope::Message,
        ),
        (Some(_), _) => return Err(bad("message is not a string")),
        (None, Some(data)) => (data.to_string().into_bytes(), RailsEnvelope::Data),
        (None, None) => return Err(bad("neither message nor data")),
    };
    Ok((session, envelope, exp, pur))
}

/// The session as ActiveSupport's JSON encoder writes it: compact, UTF-8, with `<`, `>`, `&`, U+2028 and U+2029
/// escaped (`escape_html_entities_in_json`). Keys come in code-point order (Ruby keeps insertion order; order
/// carries no meaning for the session).
pub fn rails_session_json(data: &impl Entries) -> String {
    let json = serde_json::Value::Object(
        data.entries()
            .map(|(k, v)| (k.to_owned(), serde_json::Value::from(v)))
            .collect(),
    )
    .to_string();
    // `<`, `>`, `&` and the lead byte of U+2028 and U+2029 (0xE2): without any, nothing is escaped.
    if !json.bytes().any(|b| matches!(b, b'<' | b'>' | b'&' | 0xE2)) {
        return json;
    }
    // These characters occur only inside JSON strings, so replacing them everywhere is exact.
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// `Time#iso8601(3)` in UTC: `2023-11-14T22:13:20.000Z`.
fn iso8601_millis(ms: i64) -> Result<String> {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .filter(|t| (0..=9999).contains(&t.year()))
        .ok_or_else(|| SessionError::Config(format!("expiry {ms} ms is outside the years 0 to 9999")))?;
    Ok(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    ))
}

/// Unix milliseconds of an ISO 8601 time (`Time.iso8601`); sub-millisecond digits are dropped.
fn parse_iso8601_ms(s: &str) -> Result<i64> {
    let t = OffsetDateTime::parse(s, &Iso8601::DEFAULT)
        .map_err(|_| SessionError::BadPayload("Rails metadata envelope: exp is not an ISO 8601 time".into()))?;
    i64::try_from(t.unix_timestamp_nanos().div_euclid(1_000_000))
        .map_err(|_| SessionError::BadPayload("Rails metadata envelope: exp is out of range".into()))
}

#[cfg(test)]
mod tests {
    use percent_encoding::percent_decode_str;

    use super::*;
    use crate::encrypted::test_nonces::Counting;
    use crate::value::Value;

    const NOW: u64 = 1_700_000_000;

    #[test]
    fn values_unescape_as_percent_encoding_does() {
        for v in [
            "abc",
            "a%3Db%2B%2f",
            "%",
            "a%",
            "a%4",
            "%zz%41",
            "%C3%A9",
            "%FF",
            "%e2%82%ac--x",
        ] {
            let ours = crate::cookies::percent_decode_utf8(v).map(Cow::into_owned).ok();
            let theirs = percent_decode_str(v).decode_utf8().ok().map(Cow::into_owned);
            assert_eq!(ours, theirs, "{v}");
        }
    }

    #[test]
    fn the_message_envelope_reads_as_the_general_path_reads_it() {
        let cases: &[&str] = &[
            r#"{"_rails":{"message":"eyJhIjoxfQ==","exp":null,"pur":"cookie._app_session"}}"#,
            r#"{"_rails":{"message":"eyJhIjoxfQ==","exp":"2023-11-14T22:13:20.000Z","pur":""}}"#,
            r#"{"_rails":{"pur":null,"message":"eyJhIjoxfQ=="}}"#,
            r#"{"_rails":{"message":"e\/JhIjoxfQ==","exp":null}}"#,
            r#"{"_rails":{"message":"eyJhIjoxfQ==","message":"eyJiIjoyfQ=="}}"#,
            r#"{"_rails":{"message":"eyJhIjoxfQ==","exp":5}}"#,
            r#"{"_rails":{"message":"not base64!"}}"#,
            r#"{"_rails":{"message":"eyJhIjoxfQ==","other":1}}"#,
            r#"{"_rails":{"message":"eyJhIjoxfQ=="},"top":1}"#,
            r#"{"_rails":{"data":{"a":1},"exp":null,"pur":"cookie._app_session"}}"#,
            r#"{"a":1}"#,
            r#"[1]"#,
        ];
        for case in cases {
            let fast = parse_envelope(case.as_bytes());
            let general = parse_any_envelope(case.as_bytes());
            match (fast, general) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{case}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{case}"),
                (a, b) => panic!("{case}: {a:?} against {b:?}"),
            }
        }
    }

    fn codec(secret: &str, digest: RailsDigest) -> RailsCodec {
        RailsCodec::new(&Keyring::new(SecretKey::parse(secret).unwrap()), "_app_session", digest)
            .with_nonce_source(Arc::new(Counting::default()))
    }

    fn data() -> Map {
        let mut m = Map::new();
        m.insert(
            "session_id".into(),
            Value::Str("0123456789abcdef0123456789abcdef".into()),
        );
        m.insert("user_id".into(), Value::Int(42));
        m
    }

    #[test]
    fn pbkdf2_matches_openssl() {
        // OpenSSL::PKCS5.pbkdf2_hmac("secret-key-base-for-tests-0001", "authenticated encrypted cookie", 1000, 32,
        // digest) in Ruby 3.1 / OpenSSL 3.0 (the scripts/rails_vectors.rb vectors prove the same keys end to end).
        let secret = SecretKey::parse("secret-key-base-for-tests-0001").unwrap();
        let hex = |k: &[u8]| k.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(
            hex(RailsDigest::Sha1.derive(&secret).as_ref()),
            "6c9022bc13856901109ffa057af66cbe939a6cd87b9c3b5bf8e93ad7d426ca5d"
        );
        assert_eq!(
            hex(RailsDigest::Sha256.derive(&secret).as_ref()),
            "6ab7f29a5828b003eaf683788ace5b533a6871a40b365481705b6f1e8cea483b"
        );
    }

    #[test]
    fn round_trip_with_expiry_and_rack_escaping() {
        let c = codec("secret-key-base-for-tests-0001", RailsDigest::Sha256);
        let v = c.encode(&data(), Some(1_700_003_600_000)).unwrap();
        assert!(!v.contains(['+', '/', '=']), "{v}");
        assert_eq!(v.matches("--").count(), 2);
        let d = c.decode(&v, NOW).unwrap();
        assert_eq!(d.data, data());
        assert_eq!(d.expires_at_ms, Some(1_700_003_600_000));
        assert_eq!(
            (d.key, d.digest, d.envelope, d.needs_rewrite),
            (KeyId::Current, RailsDigest::Sha256, RailsEnvelope::Message, false)
        );
        let err = c.decode(&v, 1_700_003_600).unwrap_err();
        assert_eq!(err, SessionError::ExpiredAt { at: 1_700_003_600 });
        assert!(c.decode(&v, 1_700_003_599).is_ok());
    }

    #[test]
    fn envelope_bytes_are_rails_legacy_form() {
        let c = codec("secret-key-base-for-tests-0001", RailsDigest::Sha1);
        let v = c.encode_json("{\"a\":1}", Some(1_700_000_000_123)).unwrap();
        let (plain, _) = c.open(&v).unwrap();
        assert_eq!(
            String::from_utf8(plain).unwrap(),
            "{\"_rails\":{\"message\":\"eyJhIjoxfQ==\",\"exp\":\"2023-11-14T22:13:20.123Z\",\"pur\":\"cookie._app_session\"}}"
        );
        let v = c.encode_json("{}", None).unwrap();
        let (plain, _) = c.open(&v).unwrap();
        assert_eq!(
            String::from_utf8(plain).unwrap(),
            "{\"_rails\":{\"message\":\"e30=\",\"exp\":null,\"pur\":\"cookie._app_session\"}}"
        );
    }

    #[test]
    fn activesupport_json_escapes() {
        let mut m = Map::new();
        m.insert("h<t>".into(), Value::Str("a&b\u{2028}é".into()));
        assert_eq!(rails_session_json(&m), "{\"h\\u003ct\\u003e\":\"a\\u0026b\\u2028é\"}");
    }

    #[test]
    fn rotation_reads_fallbacks_and_the_other_digest() {
        let old = codec("old-secret-key-base-0001", RailsDigest::Sha1);
        let v = old.encode(&data(), None).unwrap();
        let ring = Keyring::new(SecretKey::parse("new-secret-key-base-0002").unwrap())
            .with_fallbacks([SecretKey::parse("old-secret-key-base-0001").unwrap()]);
        let new = RailsCodec::new(&ring, "_app_session", RailsDigest::Sha256);
        let d = new.decode(&v, NOW).unwrap();
        assert_eq!(
            (d.key, d.digest, d.needs_rewrite),
            (KeyId::Fallback(0), RailsDigest::Sha1, true)
        );
        let strict = RailsCodec::new(&ring, "_app_session", RailsDigest::Sha256).only_configured_digest();
        assert_eq!(strict.decode(&v, NOW).unwrap_err(), SessionError::BadSignature);
        // Same secret, old digest: still a rewrite.
        let same = codec("old-secret-key-base-0001", RailsDigest::Sha256);
        let d = same.decode(&v, NOW).unwrap();
        assert_eq!(
            (d.key, d.digest, d.needs_rewrite),
            (KeyId::Current, RailsDigest::Sha1, true)
        );
    }

    #[test]
    fn purpose_binds_the_cookie_name_and_may_be_absent() {
        let c = codec("secret-key-base-for-tests-0001", RailsDigest::Sha256);
        let other = RailsCodec::new(
            &Keyring::new(SecretKey::parse("secret-key-base-for-tests-0001").unwrap()),
            "remember_me",
            RailsDigest::Sha256,
        );
        let v = other.encode(&data(), None).unwrap();
        assert_eq!(
            c.decode(&v, NOW).unwrap_err(),
            SessionError::WrongPurpose {
                expected: "cookie._app_session".into(),
                found: "cookie.remember_me".into(),
            }
        );
        let v = c
            .seal(b"{\"_rails\":{\"message\":\"e30=\",\"exp\":null,\"pur\":null}}")
            .unwrap();
        assert_eq!(c.decode(&v, NOW).unwrap().data, Map::new());
        let v = c.seal(b"{\"user_id\":7}").unwrap();
        let d = c.decode(&v, NOW).unwrap();
        assert_eq!(
            (d.envelope, d.data["user_id"].clone()),
            (RailsEnvelope::None, Value::Int(7))
        );
    }

    #[test]
    fn rails_7_1_data_envelope() {
        let c = codec("secret-key-base-for-tests-0001", RailsDigest::Sha256);
        let v = c
            .seal(b"{\"_rails\":{\"data\":{\"user_id\":42},\"exp\":\"2023-11-14T23:13:20.000Z\",\"pur\":\"cookie._app_session\"}}")
            .unwrap();
        let d = c.decode(&v, NOW).unwrap();
        assert_eq!(
            (d.envelope, d.data["user_id"].clone()),
            (RailsEnvelope::Data, Value::Int(42))
        );
        assert_eq!(d.expires_at_ms, Some(1_700_003_600_000));
    }

    #[test]
    fn shapes_and_envelopes_that_are_refused() {
        let c = codec("secret-key-base-for-tests-0001", RailsDigest::Sha256);
        let v = c.encode(&data(), None).unwrap();
        let kind = |s: &str| c.decode(s, NOW).unwrap_err().kind();
        assert_eq!(kind(""), "malformed");
        assert_eq!(kind("abc"), "malformed");
        assert_eq!(kind(&format!("{v}--AAAA")), "malformed");
        assert_eq!(kind("AA==--AAAA--AAAA"), "malformed");
        assert_eq!(kind("%FF%FE--a--b"), "malformed");
        let tampered = format!("A{}", &v[1..]);
        assert_eq!(kind(if tampered == v { "x" } else { &tampered }), "bad_signature");
        for plain in [
            &b"{\"_rails\":{\"message\":\"***\",\"pur\":\"cookie._app_session\"}}"[..],
            b"{\"_rails\":{\"exp\":\"soon\",\"message\":\"e30=\"}}",
            b"{\"_rails\":[]}",
            b"{\"_rails\":{\"pur\":\"cookie._app_session\"}}",
            b"{\"_rails\":{\"message\":\"WzFd\"}}",
            b"not json",
            b"[1,2]",
        ] {
            assert_eq!(
                c.decode(&c.seal(plain).unwrap(), NOW).unwrap_err().kind(),
                "bad_payload",
                "{plain:?}"
            );
        }
    }

    #[test]
    fn unescaped_values_are_read_too() {
        let c = codec("secret-key-base-for-tests-0001", RailsDigest::Sha256);
        let v = c.encode(&data(), None).unwrap();
        let raw = percent_decode_str(&v).decode_utf8().unwrap().into_owned();
        assert_eq!(c.decode(&raw, NOW).unwrap().data, data());
    }

    /// The digest names are Rails' (`OpenSSL::Digest::SHA1` / `SHA256`, lowercased) and read back; a codec
    /// reports the cookie and the digest it writes with.
    #[test]
    fn names_and_settings_are_reported() {
        for (digest, name) in [(RailsDigest::Sha1, "sha1"), (RailsDigest::Sha256, "sha256")] {
            assert_eq!(digest.name(), name);
            assert_eq!(RailsDigest::from_name(&name.to_uppercase()).unwrap(), digest);
            let c = codec("secret-key-base-for-tests-0001", digest);
            assert_eq!((c.cookie_name(), c.digest()), ("_app_session", digest));
        }
        assert_eq!(RailsDigest::from_name("md5").unwrap_err().kind(), "config");
    }

    #[test]
    fn debug_shows_no_key_material() {
        let c = codec("secret-key-base-for-tests-0001", RailsDigest::Sha256);
        let s = format!("{c:?}");
        assert!(s.contains("_app_session") && !s.contains("secret-key-base"), "{s}");
    }

    #[test]
    fn expiry_formatting_limits() {
        assert_eq!(iso8601_millis(0).unwrap(), "1970-01-01T00:00:00.000Z");
        assert!(iso8601_millis(i64::MAX).is_err());
        assert_eq!(
            parse_iso8601_ms("2023-11-14T22:13:20+00:00").unwrap(),
            1_700_000_000_000
        );
        assert_eq!(
            parse_iso8601_ms("2023-11-15T07:13:20.5+09:00").unwrap(),
            1_700_000_000_500
        );
    }
}
