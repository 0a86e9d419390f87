//! itsdangerous' `TimestampSigner`: `value.ts.sig` with HMAC over a derived key.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};

use crate::error::{Result, SessionError};
use crate::key::{KeyId, Keyring};
use crate::payload::b64_decode_lenient;

/// Flask's salt for session cookies.
pub const FLASK_SALT: &str = "cookie-session";

/// The latest timestamp Python's `datetime` can represent (9999-12-31T23:59:59Z). itsdangerous builds a
/// `datetime` from the timestamp of an expired or future cookie, so larger values make Flask fail with a 500.
pub const MAX_TIMESTAMP: u64 = 253_402_300_799;

/// The hash used by HMAC (itsdangerous' `digest_method`; Flask's default is SHA-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Digest {
    /// SHA-1, Flask's default. Sound as an HMAC.
    #[default]
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
}

impl Digest {
    /// Parses `sha1`, `sha256` or `sha512`.
    ///
    /// # Errors
    /// [`SessionError::Config`] for any other name.
    pub fn from_name(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "sha1" => Ok(Self::Sha1),
            "sha256" => Ok(Self::Sha256),
            "sha512" => Ok(Self::Sha512),
            other => Err(SessionError::Config(format!(
                "unknown digest {other:?}; use sha1 (Flask's default), sha256 or sha512"
            ))),
        }
    }

    fn hash(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: sha2::Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut d = D::new();
            for p in parts {
                d.update(p);
            }
            d.finalize().to_vec()
        }
        match self {
            Self::Sha1 => run::<Sha1>(parts),
            Self::Sha256 => run::<Sha256>(parts),
            Self::Sha512 => run::<Sha512>(parts),
        }
    }
}

/// How the signing key is derived from the secret key (itsdangerous' `key_derivation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum KeyDerivation {
    /// `HMAC(secret_key, salt)`: Flask's choice.
    #[default]
    Hmac,
    /// `digest(salt + secret_key)`.
    Concat,
    /// `digest(salt + "signer" + secret_key)`: itsdangerous' own default.
    DjangoConcat,
    /// The secret key itself.
    None,
}

impl KeyDerivation {
    /// Parses `hmac`, `concat`, `django-concat` or `none`.
    ///
    /// # Errors
    /// [`SessionError::Config`] for any other name.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "hmac" => Ok(Self::Hmac),
            "concat" => Ok(Self::Concat),
            "django-concat" => Ok(Self::DjangoConcat),
            "none" => Ok(Self::None),
            other => Err(SessionError::Config(format!(
                "unknown key derivation {other:?}; use hmac (Flask's default), concat, django-concat or none"
            ))),
        }
    }
}

/// A keyed MAC ready to clone per message (keying happens once, at construction).
#[derive(Clone)]
enum Keyed {
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
    Sha512(Hmac<Sha512>),
}

impl Keyed {
    fn new(digest: Digest, key: &[u8]) -> Self {
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
        #[allow(clippy::expect_used, reason = "HMAC takes keys of any length")]
        match digest {
            Digest::Sha1 => Self::Sha1(Hmac::new_from_slice(key).expect("any length")),
            Digest::Sha256 => Self::Sha256(Hmac::new_from_slice(key).expect("any length")),
            Digest::Sha512 => Self::Sha512(Hmac::new_from_slice(key).expect("any length")),
        }
    }

    fn sign(&self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<M: Mac + Clone>(m: &M, parts: &[&[u8]]) -> Vec<u8> {
            let mut m = m.clone();
            for p in parts {
                m.update(p);
            }
            m.finalize().into_bytes().to_vec()
        }
        match self {
            Self::Sha1(m) => run(m, parts),
            Self::Sha256(m) => run(m, parts),
            Self::Sha512(m) => run(m, parts),
        }
    }

    fn verify(&self, value: &[u8], sig: &[u8]) -> bool {
        fn run<M: Mac + Clone>(m: &M, value: &[u8], sig: &[u8]) -> bool {
            let mut m = m.clone();
            m.update(value);
            m.verify_slice(sig).is_ok() // constant-time comparison
        }
        match self {
            Self::Sha1(m) => run(m, value, sig),
            Self::Sha256(m) => run(m, value, sig),
            Self::Sha512(m) => run(m, value, sig),
        }
    }
}

/// The signer settings: digest, key derivation, salt (Flask: SHA-1, `hmac`, `cookie-session`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerOptions {
    /// The HMAC hash.
    pub digest: Digest,
    /// How the signing key is derived from each secret key.
    pub key_derivation: KeyDerivation,
    /// The salt (Flask: `cookie-session`).
    pub salt: String,
}

impl Default for SignerOptions {
    fn default() -> Self {
        Self {
            digest: Digest::Sha1,
            key_derivation: KeyDerivation::Hmac,
            salt: FLASK_SALT.to_owned(),
        }
    }
}

/// A verified `payload.ts.sig` string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified<'a> {
    /// The payload part (still base64, possibly with the leading `.` of a compressed payload).
    pub payload: &'a str,
    /// The signed timestamp, in Unix seconds.
    pub timestamp: u64,
    /// Which key verified the signature.
    pub key: KeyId,
}

/// Every key of a ring, derived once and keyed for HMAC, in verification order (current key first).
///
/// The shared MAC piece of every HMAC-signed format: itsdangerous' signers (Flask, Starlette) and Django's.
#[derive(Clone)]
pub(crate) struct MacRing {
    keys: Vec<(KeyId, Keyed)>,
}

impl MacRing {
    /// Derives each key with `options` (digest, key derivation, salt).
    pub(crate) fn new(keyring: &Keyring, options: &SignerOptions) -> Self {
        let keys = keyring
            .verification_order()
            .map(|(id, key)| {
                let derived = derive_key(options, key.bytes());
                (id, Keyed::new(options.digest, &derived))
            })
            .collect();
        Self { keys }
    }

    /// The MAC of `message` under the current key.
    pub(crate) fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.keys[0].1.sign(&[message])
    }

    /// The first key (current, then fallbacks newest first) whose MAC of `message` is `sig` (constant time).
    pub(crate) fn verify(&self, message: &[u8], sig: &[u8]) -> Option<KeyId> {
        self.keys
            .iter()
            .find(|(_, mac)| mac.verify(message, sig))
            .map(|(id, _)| *id)
    }

    /// How many keys the ring holds (for `Debug`, never the keys).
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
}

/// Signs and verifies `payload.timestamp.signature` strings with a keyring (itsdangerous' `TimestampSigner`).
#[derive(Clone)]
pub struct TimestampSigner {
    options: SignerOptions,
    keys: MacRing,
}

impl std::fmt::Debug for TimestampSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimestampSigner")
            .field("options", &self.options)
            .field("keys", &self.keys.len())
            .finish()
    }
}

impl TimestampSigner {
    /// Derives the signing key of every key in the ring once.
    pub fn new(keyring: &Keyring, options: SignerOptions) -> Self {
        let keys = MacRing::new(keyring, &options);
        Self { options, keys }
    }

    /// The options this signer was built with.
    pub fn options(&self) -> &SignerOptions {
        &self.options
    }

    /// Whether the ring has fallback keys (a cookie may then verify with one and be re-signed).
    pub(crate) fn has_fallbacks(&self) -> bool {
        self.keys.len() > 1
    }

    /// `value.ts.sig`, signed with the current key.
    pub fn sign(&self, value: &str, timestamp: u64) -> String {
        let ts = encode_timestamp(timestamp);
        let mut out = String::with_capacity(value.len() + ts.len() + 2 + 88);
        out.push_str(value);
        out.push('.');
        out.push_str(&ts);
        let sig = self.keys.sign(out.as_bytes());
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(sig, &mut out);
        out
    }

    /// Verifies the signature (current key first, then fallbacks newest first), then the timestamp and age.
    ///
    /// `max_age` of `None` skips the age check. Age is `now - timestamp`; more than `max_age` is expired
    /// (equal is accepted), and any timestamp after `now` is refused, as in itsdangerous.
    ///
    /// # Errors
    /// `Malformed`, `BadSignature`, `Expired`, `FromTheFuture`, or `BadPayload` for a timestamp Python cannot represent.
    pub fn unsign<'a>(&self, signed: &'a str, now: u64, max_age: Option<u64>) -> Result<Verified<'a>> {
        let (value, sig) = rsplit_byte(signed, b'.').ok_or(SessionError::Malformed("no '.' separator"))?;
        let sig = decode_signature(sig)?;
        let key = self
            .keys
            .verify(value.as_bytes(), &sig)
            .ok_or(SessionError::BadSignature)?;
        let (payload, ts) = rsplit_byte(value, b'.').ok_or(SessionError::Malformed("timestamp missing"))?;
        let timestamp = decode_timestamp(ts)?;
        if let Some(max_age) = max_age {
            if timestamp > MAX_TIMESTAMP {
                return Err(SessionError::BadPayload("timestamp beyond the year 9999".into()));
            }
            // Unsigned on both sides, so any `now` and any `max_age` (u64::MAX: no age limit) compare exactly.
            let Some(age) = now.checked_sub(timestamp) else {
                return Err(SessionError::FromTheFuture { ahead: timestamp - now });
            };
            if age > max_age {
                return Err(SessionError::Expired { age, max_age });
            }
        }
        Ok(Verified {
            payload,
            timestamp,
            key,
        })
    }
}

/// `s.rsplit_once(sep)` for an ASCII `sep` (so both sides stay UTF-8), with `memchr`'s vector search: the
/// signature and the timestamp sit at the end of a long cookie.
pub(crate) fn rsplit_byte(s: &str, sep: u8) -> Option<(&str, &str)> {
    debug_assert!(sep.is_ascii());
    let i = memchr::memrchr(sep, s.as_bytes())?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// `age > max_age` is expired (equal is accepted), as itsdangerous and Django compare.
///
/// # Errors
/// [`SessionError::Expired`].
pub(crate) fn check_age(age: u64, max_age: u64) -> Result<()> {
    if age > max_age {
        return Err(SessionError::Expired { age, max_age });
    }
    Ok(())
}

fn derive_key(options: &SignerOptions, secret: &[u8]) -> zeroize::Zeroizing<Vec<u8>> {
    crate::key::derived();
    let salt = options.salt.as_bytes();
    zeroize::Zeroizing::new(match options.key_derivation {
        KeyDerivation::Hmac => Keyed::new(options.digest, secret).sign(&[salt]),
        KeyDerivation::Concat => options.digest.hash(&[salt, secret]),
        KeyDerivation::DjangoConcat => options.digest.hash(&[salt, b"signer", secret]),
        KeyDerivation::None => secret.to_vec(),
    })
}

/// Big-endian bytes with leading zeros stripped, URL-safe base64 without padding (`1700000000` → `ZVPxAA`).
pub fn encode_timestamp(ts: u64) -> String {
    let bytes = ts.to_be_bytes();
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    URL_SAFE_NO_PAD.encode(&bytes[first..])
}

/// Decodes a timestamp part (already covered by a valid signature, so decoded as leniently as Python does).
pub(crate) fn decode_timestamp(ts: &str) -> Result<u64> {
    let fold = |bytes: &[u8]| {
        // itsdangerous unpacks at most 8 bytes (struct ">Q"); anything longer is a malformed timestamp.
        if bytes.len() > 8 {
            return Err(SessionError::Malformed("malformed timestamp"));
        }
        Ok(bytes.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b)))
    };
    // The usual timestamp (6 characters) decodes without an allocation; anything the strict-length fast path
    // does not take goes the lenient way, with the same result.
    let mut buf = [0u8; 12];
    if let Some(n) = crate::payload::b64_decode_lenient_slice(ts.as_bytes(), &mut buf) {
        return fold(&buf[..n]);
    }
    let bytes = b64_decode_lenient(ts.as_bytes()).map_err(|_| SessionError::Malformed("malformed timestamp"))?;
    fold(&bytes)
}

/// A decoded signature, on the stack: the longest MAC is SHA-512's 64 bytes (the buffer is larger because
/// base64's length estimate rounds up).
pub(crate) struct Signature {
    bytes: [u8; 72],
    len: usize,
}

impl std::ops::Deref for Signature {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Signatures must be canonical URL-safe base64 without padding. itsdangerous is more lenient (it ignores
/// non-alphabet characters and unused trailing bits); we refuse such variants (see docs/divergences.md).
/// One longer than any MAC cannot verify, and is refused here.
pub(crate) fn decode_signature(sig: &str) -> Result<Signature> {
    let mut bytes = [0u8; 72];
    // Canonical: the URL-safe alphabet only, no padding, unused trailing bits zero (as `URL_SAFE_NO_PAD`).
    let len = crate::payload::url_safe_decode(sig.as_bytes(), &mut bytes, false).ok_or(SessionError::BadSignature)?;
    Ok(Signature { bytes, len })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::SecretKey;

    #[test]
    fn timestamps_decode_on_the_stack_as_the_lenient_decoder_does() {
        // The old decode: always through the allocating lenient decoder.
        let reference = |ts: &str| -> Result<u64> {
            let b = b64_decode_lenient(ts.as_bytes()).map_err(|_| SessionError::Malformed("malformed timestamp"))?;
            if b.len() > 8 {
                return Err(SessionError::Malformed("malformed timestamp"));
            }
            Ok(b.iter().fold(0u64, |acc, &x| acc << 8 | u64::from(x)))
        };
        for ts in [
            "",
            "ZVPxAA",
            "ZVPxAA==",
            "ZVPxAA=",
            "ZVPxAB",
            "ZVP+xAA",
            "ZV/PxAA",
            "ZVP xAA",
            "ZVPx.AA",
            "A",
            "AA",
            "AAA",
            "AAAA",
            "_____w",
            "__________8",
            "___________w",
            "AAAAAAAAAAAA",
            "AAAAAAAAAAAAAAAA",
            "Z=VPxAA",
            "ZVPxAA===",
            "é",
        ] {
            assert_eq!(
                decode_timestamp(ts).map_err(|e| e.to_string()),
                reference(ts).map_err(|e| e.to_string()),
                "{ts:?}"
            );
        }
    }

    #[test]
    fn signatures_up_to_sha512_decode_and_longer_ones_are_refused() {
        for len in [0usize, 1, 20, 32, 64, 65, 72, 73, 200] {
            let sig = URL_SAFE_NO_PAD.encode(vec![0xA5; len]);
            let decoded = decode_signature(&sig);
            if len <= 64 {
                assert_eq!(decoded.ok().as_deref(), Some(&vec![0xA5; len][..]), "{len}");
            } else if len > 72 {
                assert!(matches!(decoded, Err(SessionError::BadSignature)), "{len}");
            }
        }
        // Not canonical: padding, the other alphabet, unused bits.
        for sig in ["AA==", "+/8", "AB"] {
            assert!(
                matches!(decode_signature(sig), Err(SessionError::BadSignature)),
                "{sig}"
            );
        }
    }

    #[test]
    fn timestamp_encoding_matches_itsdangerous() {
        assert_eq!(encode_timestamp(1_700_000_000), "ZVPxAA");
        assert_eq!(decode_timestamp("ZVPxAA").unwrap(), 1_700_000_000);
        assert_eq!(encode_timestamp(0), "");
        assert_eq!(decode_timestamp("").unwrap(), 0);
    }

    #[test]
    fn derived_key_matches_flask() {
        // derived_key_hex of the shared reference vectors, key "secret-key-1".
        let k = derive_key(&SignerOptions::default(), b"secret-key-1");
        let hex: String = k.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "dcc0d03b536c602a18b0408eae5c8078c33430be");
    }

    #[test]
    fn sign_then_unsign() {
        let ring = Keyring::new(SecretKey::parse("0123456789abcdef").unwrap());
        let s = TimestampSigner::new(&ring, SignerOptions::default());
        let c = s.sign("e30", 100);
        let v = s.unsign(&c, 100, Some(10)).unwrap();
        assert_eq!((v.payload, v.timestamp, v.key), ("e30", 100, KeyId::Current));
        assert!(matches!(
            s.unsign(&c, 111, Some(10)),
            Err(SessionError::Expired { age: 11, max_age: 10 })
        ));
        assert!(s.unsign(&c, 110, Some(10)).is_ok());
        assert!(matches!(
            s.unsign(&c, 99, Some(10)),
            Err(SessionError::FromTheFuture { ahead: 1 })
        ));
    }
}
