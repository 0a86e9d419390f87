//! The AES-256-GCM wrapper and the nonce source the encrypted codecs share.

use std::fmt;

use aes_gcm::aead::{Aead as _, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use zeroize::Zeroizing;

use crate::error::{Result, SessionError};
use crate::value::{Map, Value};

/// Length of an AES-GCM nonce (Rails' IV and the `cookie` crate's nonce): 96 bits.
pub const NONCE_LEN: usize = 12;
/// Length of an AES-GCM authentication tag: 128 bits.
pub const TAG_LEN: usize = 16;

/// Where AES-GCM nonces come from.
///
/// A nonce must never repeat under one key; 96 random bits are what Rails and the `cookie` crate use, and what
/// [`OsRandom`] (the default) gives. Encrypting a cookie is the one place besides key generation where the core
/// reads the operating system's random source; this trait lets tests supply fixed nonces instead.
pub trait NonceSource: Send + Sync {
    /// Fills `nonce` with bytes not used before under the same key.
    ///
    /// # Errors
    /// Whatever the source reports when it cannot produce a nonce (the cookie is then not written).
    fn fill(&self, nonce: &mut [u8; NONCE_LEN]) -> Result<()>;
}

/// Nonces from the operating system's CSPRNG (`getrandom`), the default [`NonceSource`].
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl NonceSource for OsRandom {
    fn fill(&self, nonce: &mut [u8; NONCE_LEN]) -> Result<()> {
        *nonce = os_random()?;
        Ok(())
    }
}

/// `N` bytes from the operating system's CSPRNG: what an encrypted cookie makes fresh on every write (AES-GCM
/// nonces, iron's salts and IVs, JWE IVs and ids).
///
/// # Errors
/// [`SessionError::Config`] when the OS random source fails (the cookie is then not written).
pub(crate) fn os_random<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| SessionError::Config(format!("the OS random source failed: {e}")))?;
    Ok(bytes)
}

/// AES-256-GCM under one key, with the round keys and the GHASH key wiped on drop (the `zeroize` features of
/// `aes`, `ghash` and `polyval` are on).
#[derive(Clone)]
pub(crate) struct Aead(Aes256Gcm);

impl Aead {
    pub(crate) fn new(key: &Zeroizing<[u8; 32]>) -> Self {
        Self(Aes256Gcm::new(key.as_ref().into()))
    }

    /// `ciphertext ‖ tag` of `plaintext` under `nonce`, authenticating `aad` too.
    pub(crate) fn seal(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
        self.0
            .encrypt(Nonce::from_slice(nonce), Payload { msg: plaintext, aad })
            .map_err(|_| SessionError::Value("the session is too large to encrypt".into()))
    }

    /// The plaintext of `ciphertext ‖ tag`, or `None` when the tag does not verify.
    pub(crate) fn open(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
        self.0
            .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad })
            .ok()
    }
}

impl fmt::Debug for Aead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Aead(AES-256-GCM)")
    }
}

/// A session from a JSON object (plain JSON: Rails' and actix-session's data model).
pub(crate) fn json_object_to_map(json: &[u8]) -> Result<Map> {
    match serde_json::from_slice::<serde_json::Value>(json) {
        Ok(serde_json::Value::Object(o)) => Ok(o.into_iter().map(|(k, v)| (k, Value::from(v))).collect()),
        Ok(_) => Err(SessionError::BadPayload("the session is not a JSON object".into())),
        Err(e) => Err(SessionError::BadPayload(format!("the session is not JSON ({e})"))),
    }
}

#[cfg(test)]
pub(crate) mod test_nonces {
    use std::sync::atomic::{AtomicU8, Ordering};

    use super::{NONCE_LEN, NonceSource};
    use crate::error::Result;

    /// Nonces 0x01.., 0x02.., ...: deterministic output for tests.
    #[derive(Default)]
    pub(crate) struct Counting(AtomicU8);

    impl NonceSource for Counting {
        fn fill(&self, nonce: &mut [u8; NONCE_LEN]) -> Result<()> {
            let n = self.0.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
            *nonce = [n; NONCE_LEN];
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open_round_trip_and_bind_the_associated_data() {
        let aead = Aead::new(&Zeroizing::new([7u8; 32]));
        let nonce = [1u8; NONCE_LEN];
        let sealed = aead.seal(&nonce, b"id", b"hello").unwrap();
        assert_eq!(sealed.len(), 5 + TAG_LEN);
        assert_eq!(aead.open(&nonce, b"id", &sealed).as_deref(), Some(&b"hello"[..]));
        assert_eq!(aead.open(&nonce, b"other", &sealed), None);
        assert_eq!(aead.open(&[2u8; NONCE_LEN], b"id", &sealed), None);
        assert_eq!(format!("{aead:?}"), "Aead(AES-256-GCM)");
    }

    #[test]
    fn os_nonces_differ() {
        let (mut a, mut b) = ([0u8; NONCE_LEN], [0u8; NONCE_LEN]);
        OsRandom.fill(&mut a).unwrap();
        OsRandom.fill(&mut b).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn only_json_objects_are_sessions() {
        assert_eq!(json_object_to_map(b"{\"a\":1}").unwrap()["a"], Value::Int(1));
        assert_eq!(json_object_to_map(b"[1]").unwrap_err().kind(), "bad_payload");
        assert_eq!(json_object_to_map(b"{").unwrap_err().kind(), "bad_payload");
    }
}
