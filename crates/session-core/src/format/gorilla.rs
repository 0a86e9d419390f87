//! gorilla/sessions' `CookieStore` (Go; gorilla/sessions 1.2 over gorilla/securecookie 1.1): one cookie, named
//! by the session name the Go app passes to `store.Get(r, name)`, written by `sessions.NewCookieStore(keyPairs...)`.
//!
//! ```text
//! value = base64url(date "|" inner "|" mac)          (padded, URL-safe)
//! inner = base64url(gob)                             without a block key
//!       = base64url(iv || AES-CTR(block key, iv, gob)) with one (16-byte random IV; AES-128/192/256 by key length)
//! mac   = HMAC-SHA256(hash key, name "|" date "|" inner)   (32 raw bytes; the cookie name is authenticated, not stored)
//! ```
//!
//! - `gob`: Go's `encoding/gob` of the session's `map[interface{}]interface{}` ([`crate::gob`]).
//! - `date`: Unix seconds in decimal when the cookie was written. A cookie older than the store's `MaxAge` (30
//!   days by default; 0 is no limit) is refused. gorilla accepts dates from the future; we refuse one more than
//!   60 s ahead.
//! - Key pairs rotate: the keyring's current key (with its paired block key) encodes, every pair decodes, in
//!   order.
//! - A value over 4096 characters is refused before anything else, and never written (securecookie's
//!   `maxLength`).
//!
//! `Set-Cookie` is Go's `net/http` `Cookie.String()` of what gorilla sets: `name=value; Path=/; Expires=DATE;
//! Max-Age=N` (`Expires` = now + `MaxAge`), then `Domain`, `HttpOnly`, `Secure`, `SameSite` where configured
//! (gorilla's `Options` set none of them by default). A Go handler logs out with `session.Options.MaxAge = -1;
//! session.Save(r, w)`: `Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0` (with the session still encoded in
//! the value; ours is empty).

use std::borrow::Cow;

use aes::{Aes128, Aes192, Aes256};
use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use ctr::Ctr128BE;
use ctr::cipher::{KeyIvInit as _, StreamCipher as _};
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use smallvec::smallvec;
use zeroize::Zeroizing;

use super::seam::{
    Codec, CookieOrder, Decoded, Defaults, DeleteWhen, ExpiryRule, Limits, Peeked, Refresh, Rules, Sealed, SessionText,
    Settings, Spec,
};
use crate::cookies::CookieRules;
use crate::data::{EntriesRef, SessionData};
use crate::encrypted::os_random;
use crate::error::{Result, SessionError};
use crate::gob;
use crate::httpdate::http_date;
use crate::key::{KeyId, SecretKey};
use crate::payload::Compression;
use crate::set_cookie::{Attributes, Expiry};
use crate::signer::SignerOptions;
use crate::value::Value;

/// gorilla's default `MaxAge`: 30 days.
pub const MAX_AGE_SECS: u64 = 86_400 * 30;

/// securecookie's `maxLength`: the longest cookie value it writes or reads.
pub const MAX_LENGTH: usize = 4096;

/// How far in the future a cookie's date may lie (gorilla has no limit; ours).
pub const FUTURE_SKEW_SECS: u64 = 60;

/// Go's `base64.URLEncoding`: padded, URL-safe, unused bits ignored.
const URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// gorilla's place in the registry.
pub(crate) static SPEC: Spec = Spec {
    name: "gorilla",
    aliases: &["gorilla-sessions"],
    framework: "gorilla/sessions 1.2 CookieStore (securecookie 1.1, Go gob)",
    encrypted: false,
    signature: Some(
        "securecookie: HMAC-SHA256 (hash key) of name|date|value; AES-CTR under the block key when one is paired",
    ),
    tagged: false,
    timestamped: true,
    text: SessionText::Wrapped,
    defaults,
    rules: Rules {
        // `session.Options.MaxAge = -1; session.Save(r, w)` sends the deletion whatever the request carried.
        delete: DeleteWhen::Modified,
        refresh: Refresh::Always,
        expiry: ExpiryRule::MaxAgeAndExpires,
        vary: false,
        delete_absent: true,
        order: CookieOrder::WritesFirst,
        reserved: &[],
    },
    build: |s: &Settings<'_>| -> Result<Box<dyn Codec>> { Ok(Box::new(Gorilla::new(s)?)) },
    peek,
};

/// gorilla's `NewCookieStore` options: no default cookie name (the session name must be set), `MaxAge` 30
/// days, `Path=/` and nothing else (no `HttpOnly`, `Secure` or `SameSite`).
pub(crate) fn defaults() -> Defaults {
    Defaults {
        cookie_name: "",
        lifetime: MAX_AGE_SECS,
        same_site: None,
        secure: false,
        http_only: false,
        refresh_each_request: false,
        signer: SignerOptions::default(),
        compression: Compression::Never,
    }
}

/// One key pair: HMAC-SHA256 keyed with the hash key once (each cookie clones the keyed state) and, when
/// paired, the block key.
#[derive(Clone)]
struct Pair {
    key: KeyId,
    hash: Hmac<Sha256>,
    block: Option<Zeroizing<Vec<u8>>>,
}

/// The gorilla codec: the cookie name and the key pairs, current first.
#[derive(Clone)]
struct Gorilla {
    name: String,
    pairs: Vec<Pair>,
}

impl std::fmt::Debug for Gorilla {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gorilla")
            .field("name", &self.name)
            .field("pairs", &self.pairs.len())
            .field("encrypted", &self.pairs.iter().any(|p| p.block.is_some()))
            .finish()
    }
}

impl Gorilla {
    fn new(s: &Settings<'_>) -> Result<Self> {
        let blocks: &[SecretKey] = s.encryption_keys;
        let keys: Vec<_> = s.keyring.verification_order().collect();
        if blocks.len() > keys.len() {
            return Err(SessionError::Config(format!(
                "{} encryption (block) keys for {} signing keys: each block key pairs with a signing key",
                blocks.len(),
                keys.len()
            )));
        }
        if let Some(bad) = blocks.iter().find(|b| ![16, 24, 32].contains(&b.len())) {
            return Err(SessionError::Config(format!(
                "a gorilla block key must be 16, 24 or 32 bytes (AES-128, -192 or -256); this one is {} bytes",
                bad.len()
            )));
        }
        // Block keys pair with the keys in the order they were configured (current, then each fallback);
        // the keyring verifies fallbacks newest first.
        let pairs = keys
            .into_iter()
            .map(|(key, hash)| {
                let configured = match key {
                    KeyId::Current => 0,
                    KeyId::Fallback(i) => i + 1,
                };
                Pair {
                    key,
                    // HMAC takes a key of any length.
                    hash: <Hmac<Sha256> as hmac::Mac>::new_from_slice(hash.bytes()).unwrap_or_else(|_| unreachable!()),
                    block: blocks.get(configured).map(|b| Zeroizing::new(b.bytes().to_vec())),
                }
            })
            .collect();
        Ok(Self {
            name: s.cookie_name.to_owned(),
            pairs,
        })
    }

    fn mac(hash: &Hmac<Sha256>, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac = hash.clone();
        for p in parts {
            mac.update(p);
        }
        mac
    }
}

/// Go's `cipher.NewCTR(aes.NewCipher(key), iv)`: AES-CTR with the whole 16-byte IV as a big-endian counter.
fn ctr(key: &[u8], iv: &[u8], data: &mut [u8]) -> Result<()> {
    let bad = |_| SessionError::Config("a gorilla block key must be 16, 24 or 32 bytes".into());
    match key.len() {
        16 => Ctr128BE::<Aes128>::new_from_slices(key, iv)
            .map_err(bad)?
            .apply_keystream(data),
        24 => Ctr128BE::<Aes192>::new_from_slices(key, iv)
            .map_err(bad)?
            .apply_keystream(data),
        _ => Ctr128BE::<Aes256>::new_from_slices(key, iv)
            .map_err(bad)?
            .apply_keystream(data),
    }
    Ok(())
}

/// `date|inner|mac` from a cookie value: the value's base64 decoded and cut at the first two `|`.
fn parts(value: &str) -> Result<(Vec<u8>, usize, usize)> {
    if value.len() > MAX_LENGTH {
        return Err(SessionError::Malformed(
            "the gorilla cookie value is over 4096 characters",
        ));
    }
    let bytes = URL
        .decode(value)
        .map_err(|_| SessionError::Malformed("the value is not URL-safe base64"))?;
    let first = bytes
        .iter()
        .position(|&b| b == b'|')
        .ok_or(SessionError::BadSignature)?;
    let second = bytes[first + 1..]
        .iter()
        .position(|&b| b == b'|')
        .map(|p| first + 1 + p)
        .ok_or(SessionError::BadSignature)?;
    Ok((bytes, first, second))
}

/// Go's `strconv.ParseInt(s, 10, 64)`.
fn go_int(text: &[u8]) -> Option<i64> {
    // Rust's `i64` parse reads the same text: an optional sign, then decimal digits.
    std::str::from_utf8(text).ok()?.parse().ok()
}

/// Reads a cookie without its keys (the session is only readable when no block key encrypts it).
fn peek(value: &str, _: usize) -> Result<Peeked> {
    let (bytes, first, second) = parts(value)?;
    let date = go_int(&bytes[..first]).ok_or(SessionError::Malformed("the date is not a number"))?;
    let inner = URL
        .decode(&bytes[first + 1..second])
        .map_err(|_| SessionError::Malformed("the session part is not URL-safe base64"))?;
    let map = gob::decode_session(&inner, crate::json::DEFAULT_MAX_VALUES).map_err(|e| {
        SessionError::BadPayload(format!(
            "{e} (a cookie encrypted with a block key can only be read with the keys: use verify)"
        ))
    })?;
    Ok((Value::Dict(map), u64::try_from(date).ok(), false))
}

impl Codec for Gorilla {
    fn boxed_clone(&self) -> Box<dyn Codec> {
        Box::new(self.clone())
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn reading(&self) -> CookieRules {
        CookieRules::Go
    }

    fn foreign(&self) -> Option<&'static str> {
        Some(gob::SERIALIZER)
    }

    /// securecookie's `DecodeMulti`: the length, the base64, each pair's MAC in order, the date, the session's
    /// base64, the block cipher, the gob.
    fn open_main(&self, value: &str, now: u64, max_age: Option<u64>, limits: Limits) -> Result<Decoded> {
        let (bytes, first, second) = parts(value)?;
        let signed = &bytes[..second];
        let tag = &bytes[second + 1..];
        let pair = self
            .pairs
            .iter()
            .find(|p| {
                Self::mac(&p.hash, &[self.name.as_bytes(), b"|", signed])
                    .verify_slice(tag)
                    .is_ok()
            })
            .ok_or(SessionError::BadSignature)?;
        let date = go_int(&bytes[..first]).ok_or(SessionError::Malformed("the date is not a number"))?;
        let now_i = i64::try_from(now).unwrap_or(i64::MAX);
        if let Some(limit) = max_age.filter(|&m| m > 0) {
            if date < now_i.saturating_sub(i64::try_from(limit).unwrap_or(i64::MAX)) {
                return Err(SessionError::Expired {
                    age: now_i.abs_diff(date),
                    max_age: limit,
                });
            }
        }
        if date > now_i.saturating_add(FUTURE_SKEW_SECS as i64) {
            return Err(SessionError::FromTheFuture {
                ahead: date.abs_diff(now_i),
            });
        }
        let mut inner = URL
            .decode(&bytes[first + 1..second])
            .map_err(|_| SessionError::Malformed("the session part is not URL-safe base64"))?;
        if let Some(block) = &pair.block {
            if inner.len() <= 16 {
                return Err(SessionError::BadPayload(
                    "the encrypted session is shorter than its IV".into(),
                ));
            }
            let (iv, data) = inner.split_at_mut(16);
            ctr(block, iv, data)?;
            inner.drain(..16);
        }
        let map = gob::decode_session(&inner, limits.values)?;
        Ok(Decoded {
            data: SessionData::from(map),
            timestamp: u64::try_from(date).ok(),
            key: pair.key,
            compressed: false,
            rewrite: false,
        })
    }

    /// The gob bytes (empty when the session holds a value Go cannot hold; [`Codec::seal`] says why).
    fn serialize(&self, data: EntriesRef<'_>) -> Vec<u8> {
        gob::encode_session(&data).unwrap_or_default()
    }

    fn seal(&self, data: EntriesRef<'_>, now: u64, expires: Option<u64>) -> Result<Sealed<'_>> {
        self.seal_serialized(&gob::encode_session(&data)?, now, expires)
    }

    /// securecookie's `Encode` with the current pair.
    fn seal_serialized(&self, serialized: &[u8], now: u64, _expires: Option<u64>) -> Result<Sealed<'_>> {
        let pair = &self.pairs[0];
        let inner = match &pair.block {
            Some(block) => {
                let iv = os_random::<16>()?;
                let mut data = Zeroizing::new(serialized.to_vec());
                ctr(block, &iv, &mut data)?;
                let mut both = iv.to_vec();
                both.extend_from_slice(&data);
                URL.encode(both)
            }
            None => URL.encode(serialized),
        };
        let mut text = format!("{now}|{inner}|").into_bytes();
        let mac = Self::mac(&pair.hash, &[self.name.as_bytes(), b"|", &text[..text.len() - 1]]).finalize();
        text.extend_from_slice(&mac.into_bytes());
        let value = URL.encode(text);
        if value.len() > MAX_LENGTH {
            return Err(SessionError::CookieTooLarge {
                name: self.name.clone(),
                size: value.len(),
                limit: MAX_LENGTH,
                largest: "(securecookie's limit on the value alone)".into(),
            });
        }
        Ok(smallvec![(Cow::Borrowed(self.name.as_str()), value)])
    }

    /// Go's `(*http.Cookie).String()`: `name=value; Path=P; Domain=D; Expires=DATE; Max-Age=N; HttpOnly; Secure;
    /// SameSite=S`. A deletion (`MaxAge` -1): `Expires` 1 s after the epoch and `Max-Age=0`.
    fn render(&self, name: &str, value: Option<&str>, attrs: &Attributes<'_>, expiry: Expiry) -> String {
        let mut out = format!("{name}={}", value.unwrap_or_default());
        if !attrs.path.is_empty() {
            out.push_str(&format!("; Path={}", attrs.path));
        }
        if let Some(d) = attrs.domain {
            // Go drops a leading dot.
            out.push_str(&format!("; Domain={}", d.strip_prefix('.').unwrap_or(d)));
        }
        let (expires, max_age) = match value {
            None => (Some(1), Some("0".to_owned())),
            Some(_) => (expiry.expires, expiry.max_age.filter(|&m| m > 0).map(|m| m.to_string())),
        };
        if let Some(t) = expires {
            out.push_str(&format!("; Expires={}", http_date(t)));
        }
        if let Some(m) = max_age {
            out.push_str(&format!("; Max-Age={m}"));
        }
        if attrs.http_only {
            out.push_str("; HttpOnly");
        }
        if attrs.secure || attrs.partitioned {
            out.push_str("; Secure");
        }
        if let Some(s) = attrs.same_site {
            out.push_str(s.attribute());
        }
        if attrs.partitioned {
            out.push_str("; Partitioned");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test helpers")]
    use super::*;
    use crate::key::Keyring;
    use crate::set_cookie::SameSite;
    use crate::value::Map;

    fn ring(key: &str) -> Keyring {
        Keyring::new(SecretKey::parse_insecure_short(key).unwrap())
    }

    fn codec(blocks: &[SecretKey]) -> Gorilla {
        let ring = ring("hash-key-0123456789");
        Gorilla::new(&Settings {
            keyring: &ring,
            signer: &SignerOptions::default(),
            compression: Compression::Never,
            cookie_name: "session-name",
            key_ids: None,
            max_chunks: 1,
            attributes: None,
            encryption_keys: blocks,
        })
        .unwrap()
    }

    fn limits() -> Limits {
        Limits {
            decompressed: 1 << 20,
            values: 1000,
        }
    }

    #[test]
    fn round_trips_signed_and_encrypted() {
        let mut map = Map::new();
        map.insert("user".into(), Value::Str("alice".into()));
        for blocks in [
            vec![],
            vec![SecretKey::parse_insecure_short("0123456789abcdef0123456789abcdef").unwrap()],
        ] {
            let c = codec(&blocks);
            let sealed = c.seal(EntriesRef::Map(&map), 1_700_000_000, None).unwrap();
            let decoded = c
                .open_main(&sealed[0].1, 1_700_000_010, Some(MAX_AGE_SECS), limits())
                .unwrap();
            assert_eq!(decoded.data, map);
            assert_eq!(decoded.timestamp, Some(1_700_000_000));
            // Another cookie name never verifies.
            let other = Gorilla {
                name: "other".into(),
                ..c.clone()
            };
            assert_eq!(
                other.open_main(&sealed[0].1, 1_700_000_010, None, limits()),
                Err(SessionError::BadSignature)
            );
            // Expired, and from the future.
            assert!(matches!(
                c.open_main(
                    &sealed[0].1,
                    1_700_000_000 + MAX_AGE_SECS + 1,
                    Some(MAX_AGE_SECS),
                    limits()
                ),
                Err(SessionError::Expired { .. })
            ));
            assert!(matches!(
                c.open_main(&sealed[0].1, 1_700_000_000 - 61, Some(MAX_AGE_SECS), limits()),
                Err(SessionError::FromTheFuture { ahead: 61 })
            ));
        }
    }

    /// Each block key pairs with the key configured in its place (the keyring verifies fallbacks newest first).
    #[test]
    fn block_keys_pair_with_keys_in_configured_order() {
        let key = |t: &str| SecretKey::parse_insecure_short(t).unwrap();
        let blocks: Vec<SecretKey> = ["block-key-0-0123", "block-key-1-0123", "block-key-2-0123"]
            .into_iter()
            .map(key)
            .collect();
        let signer = SignerOptions::default();
        let settings = |ring: &'static Keyring, blocks: &'static [SecretKey]| Settings {
            keyring: ring,
            signer: Box::leak(Box::new(signer.clone())),
            compression: Compression::Never,
            cookie_name: "s",
            key_ids: None,
            max_chunks: 1,
            attributes: None,
            encryption_keys: blocks,
        };
        let all: &'static [SecretKey] = Box::leak(blocks.into_boxed_slice());
        let ring = Box::leak(Box::new(
            Keyring::new(key("hash-key-0-0123")).with_fallbacks([key("hash-key-1-0123"), key("hash-key-2-0123")]),
        ));
        let reader = Gorilla::new(&settings(ring, all)).unwrap();
        let mut map = Map::new();
        map.insert("user".into(), Value::Str("alice".into()));
        for (i, hash) in ["hash-key-1-0123", "hash-key-2-0123"].into_iter().enumerate() {
            let old = Box::leak(Box::new(Keyring::new(key(hash))));
            let writer = Gorilla::new(&settings(old, &all[i + 1..i + 2])).unwrap();
            let sealed = writer.seal(EntriesRef::Map(&map), 1_700_000_000, None).unwrap();
            let opened = reader.open_main(&sealed[0].1, 1_700_000_000, None, limits()).unwrap();
            assert_eq!(
                (opened.data, opened.key),
                (SessionData::from(map.clone()), KeyId::Fallback(i))
            );
        }
    }

    #[test]
    fn bad_block_keys_are_refused_at_build() {
        let ring = ring("hash-key-0123456789");
        let signer = SignerOptions::default();
        let settings = |blocks: &'static [SecretKey]| Settings {
            keyring: &ring,
            signer: &signer,
            compression: Compression::Never,
            cookie_name: "s",
            key_ids: None,
            max_chunks: 1,
            attributes: None,
            encryption_keys: blocks,
        };
        assert!(Gorilla::new(&settings(&[])).is_ok());
        let bad = Box::leak(Box::new(
            [SecretKey::parse_insecure_short("0123456789abcdefX").unwrap()],
        ));
        assert!(Gorilla::new(&settings(bad)).is_err());
    }

    /// `NewCookieStore`'s options (gorilla/sessions 1.2, `store.go`: `Path: "/", MaxAge: 86400 * 30`, which Go's
    /// net/http writes as `Max-Age=2592000`), and nothing else.
    #[test]
    fn defaults_are_new_cookie_stores_options() {
        let d = defaults();
        assert_eq!(d.lifetime, 2_592_000);
        assert!(!d.http_only && !d.secure && d.same_site.is_none() && !d.refresh_each_request);
        assert_eq!(d.cookie_name, "");
    }

    /// Go's `cipher.NewCTR(aes.NewCipher(key), iv)` for each key size securecookie accepts (16, 24, 32 bytes):
    /// NIST SP 800-38A's CTR known answers (F.5.1, F.5.3, F.5.5, first block), which Go's AES-CTR gives.
    #[test]
    fn block_keys_of_each_aes_size_encrypt_as_aes_ctr() {
        let hex = |s: &str| -> Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let iv = hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
        for (key, want) in [
            ("2b7e151628aed2a6abf7158809cf4f3c", "874d6191b620e3261bef6864990db6ce"),
            (
                "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
                "1abc932417521ca24f2b0459fe7e6e0b",
            ),
            (
                "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
                "601ec313775789a5b7a7f504bbf3d228",
            ),
        ] {
            let mut data = hex("6bc1bee22e409f96e93d7e117393172a");
            ctr(&hex(key), &iv, &mut data).unwrap();
            assert_eq!(data, hex(want), "a {}-byte key", key.len() / 2);
        }
    }

    /// securecookie's `Decode` refuses a value over `maxLength` (4096) before decoding it
    /// (`errValueToDecodeTooLong`); a value of exactly 4096 characters is decoded (and here fails its MAC).
    #[test]
    fn values_over_4096_characters_are_refused_before_decoding() {
        let c = codec(&[]);
        assert_eq!(
            c.open_main(&"A".repeat(4097), 1_700_000_000, None, limits()),
            Err(SessionError::Malformed(
                "the gorilla cookie value is over 4096 characters"
            ))
        );
        assert_eq!(
            c.open_main(&"A".repeat(4096), 1_700_000_000, None, limits()),
            Err(SessionError::BadSignature)
        );
    }

    /// Debug shows the name and the shape of the key pairs, never a key.
    #[test]
    fn debug_shows_no_key() {
        let block = SecretKey::parse_insecure_short("0123456789abcdef0123456789abcdef").unwrap();
        let shown = format!("{:?}", codec(&[block]));
        assert_eq!(shown, "Gorilla { name: \"session-name\", pairs: 1, encrypted: true }");
    }

    /// The known answer gorilla/sessions wrote for `{"user": "alice"}` (`gorilla-known-plain` in
    /// `testdata/vectors/gorilla_scenarios.json`): its gob bytes, and the cookie Go wrote at 1700000000, read
    /// without the key as `session-cookie decode` reads it.
    #[test]
    fn serializes_and_peeks_as_go_wrote_it() {
        let mut map = Map::new();
        map.insert("user".into(), Value::Str("alice".into()));
        let gob = codec(&[]).serialize(EntriesRef::Map(&map));
        let hex: String = gob.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "0eff81040102ff820001100110000023ff82000106737472696e670c0600047573657206737472696e670c070005616c696365"
        );
        let go = "MTcwMDAwMDAwMHxEdi1CQkFFQ180SUFBUkFCRUFBQUlfLUNBQUVHYzNSeWFXNW5EQVlBQkhWelpYSUdjM1J5YVc1bkRBY0FCV0ZzYVdObHzaS7xHWvJktcLbGJzYM_gbPxkKwWZVzpY7JXrSSWYBrQ==";
        let (session, date, _) = peek(go, 0).unwrap();
        assert_eq!(session, Value::Dict(map));
        assert_eq!(date, Some(1_700_000_000));
    }

    /// securecookie's timestamp rules: `MaxAge` 0 checks no age; a date up to our 60 s of skew ahead is read
    /// (gorilla reads any future date: a documented divergence beyond that).
    #[test]
    fn age_limits_at_their_edges() {
        let mut map = Map::new();
        map.insert("user".into(), Value::Str("alice".into()));
        let c = codec(&[]);
        let sealed = c.seal(EntriesRef::Map(&map), 1_700_000_000, None).unwrap();
        assert!(
            c.open_main(&sealed[0].1, 1_700_000_000 + 100 * MAX_AGE_SECS, Some(0), limits())
                .is_ok()
        );
        assert!(
            c.open_main(&sealed[0].1, 1_700_000_000 - 60, Some(MAX_AGE_SECS), limits())
                .is_ok()
        );
        assert!(
            c.open_main(&sealed[0].1, 1_700_000_000 + MAX_AGE_SECS, Some(MAX_AGE_SECS), limits())
                .is_ok()
        );
    }

    /// securecookie's `Encode` refuses an encoded value over 4096 characters (`errEncodedValueTooLong`) and
    /// writes one of exactly 4096.
    #[test]
    fn written_values_stop_at_4096_characters() {
        let c = codec(&[]);
        let sealed_len = |n: usize| {
            let mut map = Map::new();
            map.insert("k".into(), Value::Str("x".repeat(n)));
            c.seal(EntriesRef::Map(&map), 1_700_000_000, None).map(|s| s[0].1.len())
        };
        let n = (2000..2400).find(|&n| sealed_len(n) == Ok(MAX_LENGTH)).unwrap();
        assert!(matches!(
            sealed_len(n + 3),
            Err(SessionError::CookieTooLarge {
                size: 4097..,
                limit: 4096,
                ..
            })
        ));
    }

    /// Go 1.19's `(*http.Cookie).String()` for these options, as it printed them (gorilla's `Save` writes
    /// `sessions.NewCookie`'s cookie through it): the attribute order, a leading dot dropped from `Domain`,
    /// no `Max-Age` for `MaxAge` 0, no `SameSite` for the default mode, and a deletion.
    #[test]
    fn set_cookie_is_what_go_writes() {
        let c = codec(&[]);
        let attrs = |path, domain, http_only, secure, same_site| Attributes {
            domain,
            path,
            secure,
            http_only,
            same_site,
            partitioned: false,
        };
        let hour = Expiry {
            max_age: Some(3600),
            expires: Some(1_700_003_600),
            sealed: None,
        };
        let none = Expiry {
            max_age: Some(0),
            expires: None,
            sealed: None,
        };
        for (value, attrs, expiry, go) in [
            (
                Some("v"),
                attrs("/", Some("example.com"), true, true, Some(SameSite::Lax)),
                hour,
                "s=v; Path=/; Domain=example.com; Expires=Tue, 14 Nov 2023 23:13:20 GMT; Max-Age=3600; HttpOnly; Secure; SameSite=Lax",
            ),
            (
                Some("v"),
                attrs("/app", Some(".example.com"), false, true, Some(SameSite::None)),
                hour,
                "s=v; Path=/app; Domain=example.com; Expires=Tue, 14 Nov 2023 23:13:20 GMT; Max-Age=3600; Secure; SameSite=None",
            ),
            (
                Some("v"),
                attrs("/", None, false, false, Some(SameSite::Strict)),
                none,
                "s=v; Path=/; SameSite=Strict",
            ),
            (
                None,
                attrs("/", None, false, false, None),
                hour,
                "s=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0",
            ),
            (
                Some("v"),
                attrs("/", None, false, false, None),
                hour,
                "s=v; Path=/; Expires=Tue, 14 Nov 2023 23:13:20 GMT; Max-Age=3600",
            ),
        ] {
            assert_eq!(c.render("s", value, &attrs, expiry), go);
        }
    }
}
