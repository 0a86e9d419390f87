//! Secret keys and the keyring (current key + fallbacks, as Flask's `SECRET_KEY_FALLBACKS`).

use std::fmt;

use base64::Engine as _;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{Result, SessionError};

/// Minimum length accepted by [`SecretKey::new`] and [`SecretKey::parse`].
pub const MIN_KEY_LEN: usize = 16;

/// A secret key: raw bytes, zeroized on drop, compared in constant time, never printed.
///
/// ```
/// use session_core::SecretKey;
/// let key = SecretKey::parse("hex:000102030405060708090a0b0c0d0e0f1011").unwrap();
/// assert_eq!(key.len(), 18);
/// assert_eq!(format!("{key:?}"), "SecretKey(18 bytes)");
/// ```
#[derive(Clone)]
pub struct SecretKey(Zeroizing<Vec<u8>>, Given);

/// How a key was given, so that a configuration can tell a user whose framework reads keys differently
/// (a `hex:` key for a framework that uses the key's text as it is).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Given {
    /// Raw bytes ([`SecretKey::new`], [`SecretKey::generate`], `TryFrom<&[u8]>`).
    Bytes,
    /// Text, used as its UTF-8 bytes.
    Text,
    /// `hex:` text, decoded.
    Hex,
    /// `base64:` text, decoded.
    Base64,
}

impl SecretKey {
    /// A key from raw bytes; refuses keys shorter than [`MIN_KEY_LEN`].
    ///
    /// # Errors
    /// [`SessionError::InvalidKey`] naming the minimum and the actual length.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self> {
        Self::checked(Zeroizing::new(bytes.into()), Given::Bytes)
    }

    fn checked(bytes: Zeroizing<Vec<u8>>, given: Given) -> Result<Self> {
        if bytes.len() < MIN_KEY_LEN {
            return Err(SessionError::InvalidKey(format!(
                "expected at least {MIN_KEY_LEN} bytes, got {}; generate one with `session-cookie keygen` \
                 (or use SecretKey::insecure_short for an existing Flask deployment's key)",
                bytes.len()
            )));
        }
        Ok(Self(bytes, given))
    }

    /// A key of any non-zero length, for existing Flask deployments whose key is short. Prefer [`SecretKey::new`].
    ///
    /// # Errors
    /// [`SessionError::InvalidKey`] when the key is empty (Flask treats an empty key as "no key").
    pub fn insecure_short(bytes: impl Into<Vec<u8>>) -> Result<Self> {
        Self::checked_short(Zeroizing::new(bytes.into()), Given::Bytes)
    }

    fn checked_short(bytes: Zeroizing<Vec<u8>>, given: Given) -> Result<Self> {
        if bytes.is_empty() {
            return Err(SessionError::InvalidKey("the key is empty".into()));
        }
        Ok(Self(bytes, given))
    }

    /// 32 fresh bytes from the operating system's CSPRNG.
    ///
    /// # Panics
    /// Only if the operating system has no usable random source, in which case no key can be made safely.
    pub fn generate() -> Self {
        Self::generate_len(32).expect("32 is above the minimum")
    }

    /// `len` fresh bytes (at least [`MIN_KEY_LEN`]) from the operating system's CSPRNG.
    ///
    /// # Errors
    /// [`SessionError::InvalidKey`] when `len` is below the minimum or the OS random source fails.
    pub fn generate_len(len: usize) -> Result<Self> {
        if len < MIN_KEY_LEN {
            return Err(SessionError::InvalidKey(format!(
                "expected at least {MIN_KEY_LEN} bytes, got {len}"
            )));
        }
        let mut bytes = Zeroizing::new(vec![0u8; len]);
        getrandom::fill(&mut bytes)
            .map_err(|e| SessionError::InvalidKey(format!("the OS random source failed: {e}")))?;
        Ok(Self(bytes, Given::Bytes))
    }

    /// Parses key text: `hex:<hex digits>` and `base64:<standard base64>` give raw bytes, anything else is
    /// the text's UTF-8 bytes (as Flask treats a `str` key). Refuses keys under [`MIN_KEY_LEN`] bytes.
    ///
    /// Starlette, Django, Rails (`secret_key_base`), Express, iron-session and Auth.js use their key's text as
    /// it is: give them the same text, without `hex:`/`base64:` (`SessionConfigBuilder::build` warns
    /// otherwise). actix-session's 64-byte `cookie::Key` is `hex:` and its 128 hex digits.
    ///
    /// # Errors
    /// [`SessionError::InvalidKey`] for bad hex/base64 or a short key.
    pub fn parse(text: &str) -> Result<Self> {
        let (bytes, given) = decode_key_text(text)?;
        Self::checked(bytes, given)
    }

    /// Like [`SecretKey::parse`] but accepts short keys (see [`SecretKey::insecure_short`]).
    ///
    /// # Errors
    /// [`SessionError::InvalidKey`] for bad hex/base64 or an empty key.
    pub fn parse_insecure_short(text: &str) -> Result<Self> {
        let (bytes, given) = decode_key_text(text)?;
        Self::checked_short(bytes, given)
    }

    /// The key as `hex:...`, the syntax [`SecretKey::parse`] reads. Handle the result as a secret.
    pub fn to_hex_text(&self) -> String {
        let mut s = String::with_capacity(4 + self.0.len() * 2);
        s.push_str("hex:");
        for b in self.0.iter() {
            s.push_str(&format!("{b:02x}"));
        }
        s
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: keys are never empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The raw bytes, for the signer.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// How the key was given (text, `hex:`, `base64:` or bytes).
    pub(crate) fn given(&self) -> Given {
        self.1
    }
}

fn decode_key_text(text: &str) -> Result<(Zeroizing<Vec<u8>>, Given)> {
    if let Some(hex) = text.strip_prefix("hex:") {
        let hex = hex.trim();
        if hex.len() % 2 != 0 {
            return Err(SessionError::InvalidKey("hex: key has an odd number of digits".into()));
        }
        let mut out = Zeroizing::new(Vec::with_capacity(hex.len() / 2));
        for pair in hex.as_bytes().chunks(2) {
            let hi = hex_digit(pair[0]);
            let lo = hex_digit(pair[1]);
            match (hi, lo) {
                (Some(h), Some(l)) => out.push(h << 4 | l),
                _ => return Err(SessionError::InvalidKey("hex: key contains a non-hex character".into())),
            }
        }
        Ok((out, Given::Hex))
    } else if let Some(b64) = text.strip_prefix("base64:") {
        base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map(|bytes| (Zeroizing::new(bytes), Given::Base64))
            .map_err(|_| SessionError::InvalidKey("base64: key is not valid standard base64".into()))
    } else {
        Ok((Zeroizing::new(text.as_bytes().to_vec()), Given::Text))
    }
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({} bytes)", self.0.len())
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[secret key]")
    }
}

impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        // Lengths are not secret; contents are compared in constant time.
        self.0.len() == other.0.len() && bool::from(self.0.as_slice().ct_eq(other.0.as_slice()))
    }
}

impl Eq for SecretKey {}

impl TryFrom<&[u8]> for SecretKey {
    type Error = SessionError;
    fn try_from(bytes: &[u8]) -> Result<Self> {
        Self::new(bytes.to_vec())
    }
}

/// Which key of a [`Keyring`] verified a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyId {
    /// The current key (the one that signs).
    Current,
    /// A fallback key, by its index in the list given to [`Keyring::with_fallbacks`].
    Fallback(usize),
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Current => f.write_str("current"),
            Self::Fallback(i) => write!(f, "fallback:{i}"),
        }
    }
}

/// One current key (signs and verifies) plus fallback keys (verify only).
///
/// Verification order is Flask's: the current key, then the fallbacks from the last in the list to the first
/// (Flask passes `[*SECRET_KEY_FALLBACKS, SECRET_KEY]` to itsdangerous, which tries them newest first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keyring {
    current: SecretKey,
    fallbacks: Vec<SecretKey>,
}

impl Keyring {
    /// A keyring with just a current key.
    pub fn new(current: SecretKey) -> Self {
        Self {
            current,
            fallbacks: Vec::new(),
        }
    }

    /// Adds fallback keys, in Flask's `SECRET_KEY_FALLBACKS` order (oldest first, newest last).
    pub fn with_fallbacks(mut self, fallbacks: impl IntoIterator<Item = SecretKey>) -> Self {
        self.fallbacks.extend(fallbacks);
        self
    }

    /// The key that signs.
    pub fn current(&self) -> &SecretKey {
        &self.current
    }

    /// The verify-only keys, in the order given.
    pub fn fallbacks(&self) -> &[SecretKey] {
        &self.fallbacks
    }

    /// Keys in verification order, with their ids.
    pub fn verification_order(&self) -> impl Iterator<Item = (KeyId, &SecretKey)> {
        std::iter::once((KeyId::Current, &self.current)).chain(
            self.fallbacks
                .iter()
                .enumerate()
                .rev()
                .map(|(i, k)| (KeyId::Fallback(i), k)),
        )
    }
}

thread_local! {
    /// Key derivations run on this thread, counted in test builds only (see [`derived`]).
    #[cfg(test)]
    pub(crate) static DERIVATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Marks one key derivation from a secret (itsdangerous' derived keys, Rails' PBKDF2, Auth.js' HKDF). Test
/// builds count them, so a test can show that requests derive none: derivations run once per configuration.
#[inline]
pub(crate) fn derived() {
    #[cfg(test)]
    DERIVATIONS.with(|n| n.set(n.get() + 1));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_refused_with_the_minimum_named() {
        let err = SecretKey::parse("short").unwrap_err().to_string();
        assert!(err.contains("at least 16 bytes, got 5"), "{err}");
        assert!(SecretKey::parse_insecure_short("short").is_ok());
        assert!(SecretKey::parse_insecure_short("").is_err());
    }

    #[test]
    fn key_text_syntax() {
        assert_eq!(
            SecretKey::parse("hex:00ff00ff00ff00ff00ff00ff00ff00ff").unwrap().len(),
            16
        );
        assert_eq!(
            SecretKey::parse("base64:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
                .unwrap()
                .len(),
            24
        );
        assert!(SecretKey::parse("hex:zz").is_err());
        assert!(SecretKey::parse("base64:***").is_err());
        let k = SecretKey::parse("A0Zr98j/3yX R~XHH!jmN]LWX/,?RT").unwrap();
        assert_eq!(k.bytes(), b"A0Zr98j/3yX R~XHH!jmN]LWX/,?RT");
    }

    #[test]
    fn debug_and_display_hide_the_bytes() {
        let k = SecretKey::parse("a-very-secret-key-value").unwrap();
        assert!(!format!("{k:?}{k}").contains("secret-key"));
        let ring = Keyring::new(k);
        assert!(!format!("{ring:?}").contains("secret-key"));
    }

    #[test]
    fn generated_keys_differ_and_round_trip_as_hex() {
        let a = SecretKey::generate();
        let b = SecretKey::generate();
        assert_ne!(a, b);
        assert_eq!(SecretKey::parse(&a.to_hex_text()).unwrap(), a);
        assert!(SecretKey::generate_len(8).is_err());
    }

    #[test]
    fn verification_order_is_current_then_newest_fallback() {
        let k = |s: &str| SecretKey::insecure_short(s.as_bytes().to_vec()).unwrap();
        let ring = Keyring::new(k("cur")).with_fallbacks([k("old"), k("newer")]);
        let ids: Vec<_> = ring.verification_order().map(|(id, _)| id).collect();
        assert_eq!(ids, [KeyId::Current, KeyId::Fallback(1), KeyId::Fallback(0)]);
    }

    // Key derivations run when a configuration is built, never per request: every format's read, write and
    // untouched request, counted with `derived` (test builds count every derivation on the thread).
    //
    // iron-session is the exception the format itself makes: every seal carries fresh salts, and its keys are
    // PBKDF2 (one iteration) of the password over them, so each seal and unseal derives its own; those are part
    // of the message, not of the configuration, and are not counted here.

    use crate::{Format, SessionConfig, SessionHandle};

    const NOW: u64 = 1_700_000_000;

    fn count() -> usize {
        DERIVATIONS.with(std::cell::Cell::get)
    }

    /// A configuration of `format` for a 64-byte key (or a 32-byte one), with a cookie name when the format has
    /// none of its own.
    fn config(format: Format) -> SessionConfig {
        let bytes = b"derivation-test-key-of-sixty-four-bytes-0123456789abcdef01234567";
        // 64 bytes (a `cookie::Key`), or 32 for a format that wants a 32-byte key.
        [&bytes[..], &bytes[..32]]
            .into_iter()
            .find_map(|bytes| {
                let key = SecretKey::new(bytes.to_vec()).unwrap();
                let builder = || SessionConfig::builder().format(format).secret_key(key.clone());
                builder()
                    .build()
                    .or_else(|_| builder().cookie_name("derivation_test").build())
                    .ok()
            })
            .unwrap_or_else(|| panic!("{format}: no configuration with a 64- or 32-byte key; add its key here"))
    }

    #[test]
    fn requests_derive_no_keys_in_any_format() {
        // Formats whose configuration derives its keys from the secret: building one must count (else the
        // counter would prove nothing).
        let derive_at_build = [
            Format::Flask,
            Format::Starlette,
            Format::Django,
            Format::Rails,
            Format::AuthJs,
            Format::NextAuthV4,
        ];
        for &format in Format::ALL {
            let before = count();
            let config = config(format);
            if derive_at_build.contains(&format) {
                assert!(count() > before, "{format}: building the configuration derived no key");
            }
            let built = count();
            let login = SessionHandle::from_headers(config.clone(), std::iter::empty::<&[u8]>(), NOW);
            login.insert("username", "alice").unwrap();
            let out = login.finish().unwrap();
            let line = out
                .set_cookies()
                .iter()
                .filter_map(|c| c.split(';').next())
                .collect::<Vec<_>>()
                .join("; ");
            for round in 0..3 {
                let now = NOW + 60 * (round + 1);
                let read = SessionHandle::from_headers(config.clone(), [line.as_bytes()], now);
                assert_eq!(
                    read.get::<String>("username").unwrap().as_deref(),
                    Some("alice"),
                    "{format}"
                );
                read.finish().unwrap();
                let write = SessionHandle::from_headers(config.clone(), [line.as_bytes()], now);
                write.insert("counter", &round).unwrap();
                assert!(!write.finish().unwrap().set_cookies().is_empty(), "{format}");
                SessionHandle::from_headers(config.clone(), [line.as_bytes()], now)
                    .finish()
                    .unwrap();
            }
            assert_eq!(count(), built, "{format}: a request derived a key");
        }
    }
}
