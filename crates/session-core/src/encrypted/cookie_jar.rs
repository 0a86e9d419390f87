//! The `cookie` crate's private and signed jars, holding actix-session's `CookieSessionStore` state.
//!
//! Bytes, as `cookie` (0.16 under actix-web 4, 0.18 elsewhere: the same code) and actix-session 0.11 write them:
//!
//! - the key is 64 bytes (`cookie::Key`): the first half signs (HMAC-SHA-256), the second half encrypts
//!   (AES-256-GCM); a longer key is cut to its first 64 bytes, as `Key::try_from` does;
//! - private: standard padded base64 of `nonce(12) ‖ ciphertext ‖ tag(16)`, the cookie name as associated data;
//! - signed: standard padded base64 of `HMAC-SHA256(value)` (44 characters) followed by the value itself; the
//!   name is not signed;
//! - the value is actix-session's state, a JSON object whose values are JSON texts (`{"user_id":"42"}` holds
//!   the number 42), at most 4064 bytes;
//! - in `Set-Cookie` the value is percent-encoded with the `cookie` crate's set (`%2F`, `%3D`, `%22`, `%7B`, ...;
//!   `+` stays), and actix-web percent-decodes the `Cookie` header before the jar sees it.
//!
//! There is no timestamp inside: the cookie's `Max-Age` is the only expiry.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::aead::{Aead, NONCE_LEN, NonceSource, OsRandom, json_object_to_map};
use crate::data::Entries;
use crate::error::{Result, SessionError};
use crate::key::{KeyId, Keyring};
use crate::value::{Map, Value};

/// actix-session's default cookie name.
pub const ACTIX_DEFAULT_COOKIE_NAME: &str = "id";
/// Length of a `cookie::Key`: 32 bytes to sign, then 32 to encrypt.
pub const JAR_KEY_LEN: usize = 64;
/// actix-session refuses session state (the JSON before signing or encryption) longer than this.
pub const ACTIX_MAX_STATE_LEN: usize = 4064;

/// Length of the base64 of an HMAC-SHA-256, the prefix of a signed value.
const BASE64_DIGEST_LEN: usize = 44;

/// The `cookie` crate's `encode` set: WHATWG userinfo plus `(`, `)`, `,` (non-ASCII is always encoded).
const COOKIE_ENCODE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'#')
    .add(b'?')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b':')
    .add(b';')
    .add(b'=')
    .add(b'@')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'|')
    .add(b'%')
    .add(b'(')
    .add(b')')
    .add(b',');

/// Which jar: actix-session's `CookieContentSecurity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JarMode {
    /// `CookieContentSecurity::Private` (actix-session's default): encrypted and authenticated.
    #[default]
    Private,
    /// `CookieContentSecurity::Signed`: readable by the client, authenticated.
    Signed,
}

impl JarMode {
    /// `actix-private` or `actix-signed`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Private => "actix-private",
            Self::Signed => "actix-signed",
        }
    }
}

/// A cookie that verified (signed) or decrypted (private).
#[derive(Debug, Clone, PartialEq)]
pub struct JarDecoded {
    /// The session, each state value parsed from its JSON.
    pub data: Map,
    /// The state exactly as stored (a JSON object of JSON texts).
    pub state: String,
    /// Which key opened it.
    pub key: KeyId,
    /// Opened with a fallback key: write it again with the current one.
    pub needs_rewrite: bool,
}

#[derive(Clone)]
struct JarKey {
    id: KeyId,
    signing: Zeroizing<[u8; 32]>,
    aead: Aead,
}

/// Encodes and decodes actix-session cookie values for one cookie name and jar.
#[derive(Clone)]
pub struct CookieJarCodec {
    mode: JarMode,
    cookie_name: String,
    keys: Vec<JarKey>,
    nonces: Arc<dyn NonceSource>,
}

impl fmt::Debug for CookieJarCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CookieJarCodec")
            .field("mode", &self.mode)
            .field("cookie_name", &self.cookie_name)
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

impl CookieJarCodec {
    /// A codec for the cookie `cookie_name`. Each key of the keyring is a `cookie::Key`'s 64 raw bytes.
    ///
    /// # Errors
    /// [`SessionError::InvalidKey`] when a key is shorter than 64 bytes.
    pub fn new(keyring: &Keyring, mode: JarMode, cookie_name: &str) -> Result<Self> {
        let mut keys = Vec::new();
        for (id, secret) in keyring.verification_order() {
            let bytes = secret.bytes();
            if bytes.len() < JAR_KEY_LEN {
                return Err(SessionError::InvalidKey(format!(
                    "the cookie crate's keys are {JAR_KEY_LEN} bytes (the {id} key has {}); pass the bytes of \
                     cookie::Key::master() as hex: or base64:",
                    bytes.len()
                )));
            }
            let mut signing = Zeroizing::new([0u8; 32]);
            let mut encryption = Zeroizing::new([0u8; 32]);
            signing.copy_from_slice(&bytes[..32]);
            encryption.copy_from_slice(&bytes[32..JAR_KEY_LEN]);
            keys.push(JarKey {
                id,
                signing,
                aead: Aead::new(&encryption),
            });
        }
        Ok(Self {
            mode,
            cookie_name: cookie_name.to_owned(),
            keys,
            nonces: Arc::new(OsRandom),
        })
    }

    /// Takes nonces from `source` instead of the operating system (tests; see [`NonceSource`]).
    pub fn with_nonce_source(mut self, source: Arc<dyn NonceSource>) -> Self {
        self.nonces = source;
        self
    }

    /// The jar.
    pub fn mode(&self) -> JarMode {
        self.mode
    }

    /// The cookie name (the associated data of a private cookie).
    pub fn cookie_name(&self) -> &str {
        &self.cookie_name
    }

    /// The `Set-Cookie` value for `data`: actix-session's state, sealed or signed with the current key,
    /// percent-encoded as the `cookie` crate writes it.
    ///
    /// # Errors
    /// When the nonce source fails.
    pub fn encode(&self, data: &Map) -> Result<String> {
        self.encode_state(&map_to_actix_state(data))
    }

    /// Like [`CookieJarCodec::encode`] for state text that is already serialized (kept byte for byte).
    ///
    /// # Errors
    /// When the nonce source fails.
    pub fn encode_state(&self, state: &str) -> Result<String> {
        let current = self
            .keys
            .iter()
            .find(|k| k.id == KeyId::Current)
            .ok_or_else(|| SessionError::Config("no current key".into()))?;
        let value = match self.mode {
            JarMode::Private => {
                let mut nonce = [0u8; NONCE_LEN];
                self.nonces.fill(&mut nonce)?;
                let sealed = current
                    .aead
                    .seal(&nonce, self.cookie_name.as_bytes(), state.as_bytes())?;
                let mut data = Vec::with_capacity(NONCE_LEN + sealed.len());
                data.extend_from_slice(&nonce);
                data.extend_from_slice(&sealed);
                STANDARD.encode(data)
            }
            JarMode::Signed => {
                let mut value = STANDARD.encode(mac(&current.signing, state).finalize().into_bytes());
                value.push_str(state);
                value
            }
        };
        Ok(utf8_percent_encode(&value, COOKIE_ENCODE).to_string())
    }

    /// Verifies or decrypts a cookie value as it appears in the `Cookie` header (percent-encoded or not).
    ///
    /// # Errors
    /// `Malformed` (not base64, too short, escapes that are not UTF-8), `BadSignature` (no key verifies or opens
    /// it: tampered, another key, or, for a private cookie, another cookie name), `PayloadTooLarge` (state over
    /// 4064 bytes, which actix-session ignores), `BadPayload` (the state is not a JSON object of JSON texts).
    pub fn decode(&self, value: &str) -> Result<JarDecoded> {
        let value = crate::cookies::percent_decode_utf8(value)?;
        let (state, key) = match self.mode {
            JarMode::Private => self.open_private(&value)?,
            JarMode::Signed => self.verify_signed(&value)?,
        };
        if state.len() > ACTIX_MAX_STATE_LEN {
            return Err(SessionError::PayloadTooLarge {
                limit: ACTIX_MAX_STATE_LEN,
            });
        }
        Ok(JarDecoded {
            data: actix_state_to_map(&state)?,
            state,
            key: key.id,
            needs_rewrite: key.id != KeyId::Current,
        })
    }

    fn open_private(&self, value: &str) -> Result<(String, &JarKey)> {
        let data = STANDARD
            .decode(value)
            .map_err(|_| SessionError::Malformed("not standard base64"))?;
        if data.len() <= NONCE_LEN {
            return Err(SessionError::Malformed("shorter than a nonce"));
        }
        let (nonce, sealed) = data.split_at(NONCE_LEN);
        let nonce: &[u8; NONCE_LEN] = nonce
            .try_into()
            .map_err(|_| SessionError::Malformed("shorter than a nonce"))?;
        let (plain, key) = self
            .keys
            .iter()
            .find_map(|k| k.aead.open(nonce, self.cookie_name.as_bytes(), sealed).map(|p| (p, k)))
            .ok_or(SessionError::BadSignature)?;
        let state = String::from_utf8(plain).map_err(|_| SessionError::BadPayload("the state is not UTF-8".into()))?;
        Ok((state, key))
    }

    fn verify_signed(&self, value: &str) -> Result<(String, &JarKey)> {
        if !value.is_char_boundary(BASE64_DIGEST_LEN) || value.len() < BASE64_DIGEST_LEN {
            return Err(SessionError::Malformed("missing or invalid digest"));
        }
        let (digest, state) = value.split_at(BASE64_DIGEST_LEN);
        let digest = STANDARD
            .decode(digest)
            .map_err(|_| SessionError::Malformed("the digest is not standard base64"))?;
        let key = self
            .keys
            .iter()
            .find(|k| mac(&k.signing, state).verify_slice(&digest).is_ok())
            .ok_or(SessionError::BadSignature)?;
        Ok((state.to_owned(), key))
    }
}

/// The state of a signed cookie value without checking its signature (inspection only: the result is untrusted).
///
/// # Errors
/// `Malformed` when the value is shorter than a signature or its escapes are not UTF-8.
pub fn signed_state_unverified(value: &str) -> Result<String> {
    let value = crate::cookies::percent_decode_utf8(value)?;
    value
        .get(BASE64_DIGEST_LEN..)
        .map(str::to_owned)
        .ok_or(SessionError::Malformed("missing or invalid digest"))
}

fn mac(key: &[u8; 32], value: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(value.as_bytes());
    mac
}

/// actix-session's state for a session: each value as `serde_json::to_string` writes it (what `Session::insert`
/// stores), the object itself too.
pub fn map_to_actix_state(data: &impl Entries) -> String {
    let state: BTreeMap<&str, String> = data
        .entries()
        .map(|(k, v)| (k, serde_json::Value::from(v).to_string()))
        .collect();
    serde_json::to_string(&state).unwrap_or_else(|_| "{}".to_owned())
}

/// The session in actix-session's state: a JSON object of strings, each string a JSON text.
///
/// # Errors
/// [`SessionError::BadPayload`] when the state is not an object of strings or a value is not JSON.
pub fn actix_state_to_map(state: &str) -> Result<Map> {
    let entries = match json_object_to_map(state.as_bytes()) {
        Ok(m) => m,
        Err(_) => {
            return Err(SessionError::BadPayload(
                "the actix-session state is not a JSON object".into(),
            ));
        }
    };
    entries
        .into_iter()
        .map(|(k, v)| match v {
            Value::Str(text) => serde_json::from_str::<serde_json::Value>(&text)
                .map(|j| (k, Value::from(j)))
                .map_err(|_| SessionError::BadPayload("an actix-session state value is not JSON".into())),
            _ => Err(SessionError::BadPayload(
                "an actix-session state value is not a string".into(),
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use percent_encoding::percent_decode_str;

    use super::*;
    use crate::encrypted::test_nonces::Counting;
    use crate::key::SecretKey;

    fn key(seed: u8) -> SecretKey {
        SecretKey::new((0..64).map(|i| i ^ seed).collect::<Vec<u8>>()).unwrap()
    }

    fn codec(mode: JarMode) -> CookieJarCodec {
        CookieJarCodec::new(&Keyring::new(key(0)), mode, "id")
            .unwrap()
            .with_nonce_source(Arc::new(Counting::default()))
    }

    fn data() -> Map {
        let mut m = Map::new();
        m.insert("user_id".into(), Value::Int(42));
        m.insert("name".into(), Value::Str("Zoë \"x\"".into()));
        m
    }

    fn jar_key() -> cookie::Key {
        cookie::Key::from(&(0..64).collect::<Vec<u8>>())
    }

    #[test]
    fn state_is_json_of_json_texts() {
        assert_eq!(
            map_to_actix_state(&data()),
            r#"{"name":"\"Zoë \\\"x\\\"\"","user_id":"42"}"#
        );
        assert_eq!(actix_state_to_map(&map_to_actix_state(&data())).unwrap(), data());
        assert_eq!(actix_state_to_map(r#"{"a":1}"#).unwrap_err().kind(), "bad_payload");
        assert_eq!(
            actix_state_to_map(r#"{"a":"not json"}"#).unwrap_err().kind(),
            "bad_payload"
        );
        assert_eq!(actix_state_to_map("[]").unwrap_err().kind(), "bad_payload");
    }

    // The cookie crate itself (0.18, the same jar code as actix-web's 0.16) is the reference here; the vectors
    // in testdata/vectors/actix_session_*.json prove the same against actix-session.
    #[test]
    fn private_values_open_in_the_cookie_crate_and_back() {
        let c = codec(JarMode::Private);
        let v = c.encode(&data()).unwrap();
        let raw = percent_decode_str(&v).decode_utf8().unwrap().into_owned();
        let mut jar = cookie::CookieJar::new();
        jar.add_original(cookie::Cookie::new("id", raw.clone()));
        let opened = jar.private(&jar_key()).get("id").expect("the cookie crate opens ours");
        assert_eq!(opened.value(), map_to_actix_state(&data()));
        // Theirs, opened by us.
        let mut jar = cookie::CookieJar::new();
        jar.private_mut(&jar_key())
            .add(cookie::Cookie::new("id", r#"{"user_id":"7"}"#));
        let theirs = jar.delta().next().unwrap().encoded().to_string();
        let value = theirs.strip_prefix("id=").unwrap();
        let d = c.decode(value).unwrap();
        assert_eq!(
            (d.data["user_id"].clone(), d.key, d.needs_rewrite),
            (Value::Int(7), KeyId::Current, false)
        );
        // The name is the associated data.
        let other = CookieJarCodec::new(&Keyring::new(key(0)), JarMode::Private, "session").unwrap();
        assert_eq!(other.decode(value).unwrap_err(), SessionError::BadSignature);
        assert!(!raw.is_empty() && c.decode(&raw).is_ok());
    }

    #[test]
    fn signed_values_match_the_cookie_crate_byte_for_byte() {
        let c = codec(JarMode::Signed);
        let state = r#"{"user_id":"42"}"#;
        let ours = c.encode_state(state).unwrap();
        let mut jar = cookie::CookieJar::new();
        jar.signed_mut(&jar_key()).add(cookie::Cookie::new("id", state));
        let theirs = jar.delta().next().unwrap().encoded().to_string();
        assert_eq!(format!("id={ours}"), theirs);
        assert!(ours.contains("%7B%22user_id%22%3A%2242%22%7D"), "{ours}");
        let d = c.decode(&ours).unwrap();
        assert_eq!(d.state, state);
        // The signed jar does not bind the name.
        let other = CookieJarCodec::new(&Keyring::new(key(0)), JarMode::Signed, "session").unwrap();
        assert!(other.decode(&ours).is_ok());
    }

    #[test]
    fn tampering_and_wrong_keys_are_refused() {
        for mode in [JarMode::Private, JarMode::Signed] {
            let c = codec(mode);
            let v = percent_decode_str(&c.encode(&data()).unwrap())
                .decode_utf8()
                .unwrap()
                .into_owned();
            let kind = |s: &str| c.decode(s).unwrap_err().kind();
            let mut flipped = v.clone().into_bytes();
            let i = flipped.len() / 2;
            flipped[i] = if flipped[i] == b'A' { b'B' } else { b'A' };
            let flipped = String::from_utf8(flipped).unwrap();
            assert!(
                matches!(kind(&flipped).as_str(), "bad_signature" | "malformed"),
                "{mode:?} {flipped}"
            );
            assert_eq!(kind(""), "malformed");
            assert_eq!(kind("%FF"), "malformed");
            let wrong = CookieJarCodec::new(&Keyring::new(key(9)), mode, "id").unwrap();
            assert_eq!(wrong.decode(&v).unwrap_err(), SessionError::BadSignature);
        }
        assert_eq!(codec(JarMode::Private).decode("AAAA").unwrap_err().kind(), "malformed");
        assert_eq!(
            codec(JarMode::Signed)
                .decode("é".repeat(30).as_str())
                .unwrap_err()
                .kind(),
            "malformed"
        );
    }

    #[test]
    fn fallback_keys_open_and_ask_for_a_rewrite() {
        for mode in [JarMode::Private, JarMode::Signed] {
            let old = codec(mode).encode(&data()).unwrap();
            let ring = Keyring::new(key(5)).with_fallbacks([key(0)]);
            let d = CookieJarCodec::new(&ring, mode, "id").unwrap().decode(&old).unwrap();
            assert_eq!((d.key, d.needs_rewrite, d.data), (KeyId::Fallback(0), true, data()));
        }
    }

    #[test]
    fn short_keys_are_refused_and_long_keys_cut_as_the_cookie_crate_does() {
        let short = Keyring::new(SecretKey::new(vec![1u8; 32]).unwrap());
        let err = CookieJarCodec::new(&short, JarMode::Private, "id").unwrap_err();
        assert!(err.to_string().contains("64 bytes"), "{err}");
        let mut long = (0..64).collect::<Vec<u8>>();
        long.extend([0xAA; 16]);
        let c = CookieJarCodec::new(&Keyring::new(SecretKey::new(long).unwrap()), JarMode::Signed, "id").unwrap();
        assert_eq!(
            c.encode_state("{}").unwrap(),
            codec(JarMode::Signed).encode_state("{}").unwrap()
        );
    }

    #[test]
    fn oversized_state_is_refused_as_actix_session_ignores_it() {
        let c = codec(JarMode::Signed);
        let state = format!(r#"{{"k":"\"{}\""}}"#, "x".repeat(ACTIX_MAX_STATE_LEN));
        let v = c.encode_state(&state).unwrap();
        assert_eq!(c.decode(&v).unwrap_err().kind(), "bad_payload");
    }

    /// actix-session's `SessionKey::try_from` refuses a cookie value over 4064 bytes (`val.len() > 4064`): a
    /// state of exactly 4064 bytes is a session, one byte more is not.
    #[test]
    fn state_limit_is_actix_sessions_4064_bytes() {
        for mode in [JarMode::Private, JarMode::Signed] {
            let c = codec(mode);
            let state = |len: usize| {
                let s = format!(r#"{{"k":"\"{}\""}}"#, "x".repeat(len - 12));
                assert_eq!(s.len(), len);
                s
            };
            let at = c.encode_state(&state(ACTIX_MAX_STATE_LEN)).unwrap();
            assert_eq!(c.decode(&at).unwrap().state, state(ACTIX_MAX_STATE_LEN), "{mode:?}");
            let over = c.encode_state(&state(ACTIX_MAX_STATE_LEN + 1)).unwrap();
            assert_eq!(
                c.decode(&over).unwrap_err(),
                SessionError::PayloadTooLarge {
                    limit: ACTIX_MAX_STATE_LEN
                },
                "{mode:?}"
            );
        }
    }

    /// A signed jar's value is the base64 digest (44 characters) and the state in clear: inspection reads the
    /// state of a value the `cookie` crate signed, percent-encoded or not, whatever its digest.
    #[test]
    fn signed_state_reads_without_the_key() {
        let state = r#"{"user_id":"42"}"#;
        let mut jar = cookie::CookieJar::new();
        jar.signed_mut(&jar_key()).add(cookie::Cookie::new("id", state));
        let theirs = jar.delta().next().unwrap().encoded().to_string();
        let value = theirs.strip_prefix("id=").unwrap();
        assert_eq!(signed_state_unverified(value).unwrap(), state);
        let raw = percent_decode_str(value).decode_utf8().unwrap().into_owned();
        let forged = format!("{}{state}", "A".repeat(BASE64_DIGEST_LEN));
        assert_eq!(signed_state_unverified(&raw).unwrap(), state);
        assert_eq!(signed_state_unverified(&forged).unwrap(), state);
        assert_eq!(signed_state_unverified(&"A".repeat(BASE64_DIGEST_LEN)).unwrap(), "");
        for bad in ["A".repeat(BASE64_DIGEST_LEN - 1), "%FF".repeat(20)] {
            assert_eq!(signed_state_unverified(&bad).unwrap_err().kind(), "malformed", "{bad}");
        }
    }

    /// The `cookie` crate's signed jar accepts a value that is a digest alone (it verifies the empty text), and
    /// actix-session then fails to read `""` as its state: a payload error, not a malformed value.
    #[test]
    fn a_digest_alone_verifies_and_is_not_a_state() {
        let c = codec(JarMode::Signed);
        let raw = percent_decode_str(&c.encode_state("").unwrap())
            .decode_utf8()
            .unwrap()
            .into_owned();
        assert_eq!(raw.len(), BASE64_DIGEST_LEN);
        let mut jar = cookie::CookieJar::new();
        jar.add_original(cookie::Cookie::new("id", raw.clone()));
        let theirs = jar.signed(&jar_key()).get("id").map(|c| c.value().to_owned());
        assert_eq!(theirs.as_deref(), Some(""));
        assert_eq!(c.decode(&raw).unwrap_err().kind(), "bad_payload");
        assert_eq!(c.decode(&raw[..raw.len() - 1]).unwrap_err().kind(), "malformed");
    }

    /// The jar names are the registry's names of actix-session's two stores; a codec reports its jar and
    /// cookie.
    #[test]
    fn names_and_settings_are_reported() {
        for (mode, name) in [(JarMode::Private, "actix-private"), (JarMode::Signed, "actix-signed")] {
            assert_eq!(mode.name(), name);
            assert_eq!(crate::Format::from_name(name).unwrap().name(), name);
            let c = CookieJarCodec::new(&Keyring::new(key(0)), mode, "my-session").unwrap();
            assert_eq!((c.mode(), c.cookie_name()), (mode, "my-session"));
        }
    }

    #[test]
    fn debug_shows_no_key_material() {
        let s = format!("{:?}", codec(JarMode::Private));
        assert!(s.contains("Private") && s.contains("keys: 1"), "{s}");
    }
}
