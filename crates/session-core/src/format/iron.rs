//! iron-session 8 (and 9, which reads 8's seals): one cookie holding an iron seal of `JSON.stringify(session)`.
//!
//! ```text
//! Fe26.2*<id>*<encSalt>*<iv>*<ct>*<exp>*<macSalt>*<mac>~2
//! ```
//!
//! - `encSalt`, `macSalt`: 32 random bytes as 64 hex digits; each key is PBKDF2-HMAC-SHA1 of the password with
//!   one iteration, whose salt is that hex *text*, 32 bytes.
//! - `iv`, `ct`: base64url (no padding) of a random 16-byte IV and of AES-256-CBC (PKCS#7) of the JSON.
//! - `exp`: expiry in Unix milliseconds (empty for none); a seal is refused once `exp <= now - 60 s` (iron's
//!   timestamp skew).
//! - `mac`: base64url of HMAC-SHA256 over the first six parts, under the MAC key; compared in constant time.
//! - `~2`: iron-session's token version, outside the MAC.
//! - `id`: the password id. iron-session's `password` is a string (id `1`) or a map of ids to passwords: the
//!   highest id seals, and a reader looks up the id written in the seal. Here the keyring's current key seals
//!   under its id ([`crate::SessionConfigBuilder::key_ids`]; by default the current key is the highest id, the
//!   fallbacks count up from `1` in the order given, so `{1: old, 2: new}` is `secret_key(new)`, `fallback(old)`).
//!
//! Passwords must be at least 32 characters, as iron requires. The cookie's `Max-Age` is the ttl minus 60 s, as
//! iron-session computes it; `Set-Cookie` is written as the npm `cookie` package serializes it.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut as _, BlockEncryptMut as _, KeyIvInit as _};
use hmac::{Hmac, Mac as _};
use sha1::Sha1;
use sha2::Sha256;
use smallvec::smallvec;
use zeroize::Zeroizing;

use super::seam::{
    Claimed, Codec, CookieOrder, Decoded, Defaults, DeleteWhen, ExpiryRule, Limits, Peeked, Refresh, Rules, Sealed,
    SessionText, Settings, Spec,
};
use crate::cookies::node_cookie_pairs;
use crate::data::{EntriesRef, SessionData};
use crate::encrypted::os_random;
use crate::error::{Result, SessionError};
use crate::json::js_json;
use crate::key::KeyId;
use crate::payload::Compression;
use crate::set_cookie::{Attributes, Expiry, SameSite, render_node_cookie};
use crate::signer::SignerOptions;

/// iron-session's default ttl: 14 days.
pub const TTL_SECS: u64 = 14 * 24 * 60 * 60;

/// iron's timestamp skew: a seal is refused once it expired more than this long ago.
const SKEW_MS: i64 = 60_000;

/// iron's minimum password length.
const MIN_PASSWORD_LEN: usize = 32;

const PREFIX: &str = "Fe26.2";

/// iron-session's place in the registry.
pub(crate) static SPEC: Spec = Spec {
    name: "iron-session",
    aliases: &["iron"],
    framework: "iron-session 8 / 9 (iron-webcrypto Fe26.2 seals)",
    encrypted: true,
    signature: Some("iron Fe26.2: AES-256-CBC and HMAC-SHA256 under PBKDF2 keys from the password"),
    tagged: false,
    timestamped: false,
    text: SessionText::Json,
    defaults,
    rules: Rules {
        // `session.destroy()` sends the deletion whether or not the request carried the cookie.
        delete: DeleteWhen::Modified,
        refresh: Refresh::Always,
        expiry: ExpiryRule::TtlMaxAge { grace: 60 },
        vary: false,
        delete_absent: true,
        order: CookieOrder::WritesFirst,
        reserved: &[],
    },
    build: |s: &Settings<'_>| -> Result<Box<dyn Codec>> { Ok(Box::new(Iron::new(s)?)) },
    peek: |_: &str, _: usize| -> Result<Peeked> { Err(super::seam::peek_needs_key("iron-session")) },
};

/// iron-session's defaults: no default cookie name (it must be set), ttl 14 days, `Secure`, `SameSite=Lax`,
/// `HttpOnly`, path `/`.
pub(crate) fn defaults() -> Defaults {
    Defaults {
        cookie_name: "",
        lifetime: TTL_SECS,
        same_site: Some(SameSite::Lax),
        secure: true,
        http_only: true,
        refresh_each_request: false,
        signer: SignerOptions::default(),
        compression: Compression::Never,
    }
}

/// One password: its id in the seal and its text.
struct Password {
    id: String,
    key: KeyId,
    /// HMAC-SHA1 keyed with the password once: PBKDF2's pseudo-random function, cloned per derivation.
    prf: Hmac<Sha1>,
}

/// iron-session 9's hard cap on chunks.
const MAX_CHUNKS: usize = 4;

/// What a browser keeps of one cookie: 4096 bytes of `Set-Cookie`.
const MAX_COOKIE_BYTES: usize = 4096;

/// The iron-session codec.
struct Iron {
    /// The sealing password first, then the others.
    passwords: Vec<Password>,
    name: String,
    /// iron-session 9's `cookieChunking`: up to this many cookies (1: one cookie, as iron-session 8).
    max_chunks: usize,
    /// The chunk names, `name.0` to `name.3`.
    chunk_names: Vec<String>,
    /// What a chunk cookie's name and attributes take of its `Set-Cookie` (iron-session 9's per-chunk
    /// overhead), so each chunk's header stays within 4096 bytes.
    chunk_overhead: usize,
}

impl Clone for Iron {
    fn clone(&self) -> Self {
        Self {
            passwords: self
                .passwords
                .iter()
                .map(|p| Password {
                    id: p.id.clone(),
                    key: p.key,
                    prf: p.prf.clone(),
                })
                .collect(),
            name: self.name.clone(),
            max_chunks: self.max_chunks,
            chunk_names: self.chunk_names.clone(),
            chunk_overhead: self.chunk_overhead,
        }
    }
}

impl std::fmt::Debug for Iron {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Iron")
            .field(
                "password_ids",
                &self.passwords.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
            )
            .field("name", &self.name)
            .finish()
    }
}

impl Iron {
    fn new(s: &Settings<'_>) -> Result<Self> {
        if s.cookie_name.is_empty() {
            return Err(SessionError::Config(
                "iron-session has no default cookie name: set cookie_name(...) to the cookieName the Node side \
                 uses"
                    .into(),
            ));
        }
        let keys: Vec<(KeyId, &[u8])> = s.keyring.verification_order().map(|(id, k)| (id, k.bytes())).collect();
        let ids: Vec<String> = match s.key_ids {
            Some(ids) if ids.len() == keys.len() => ids.to_vec(),
            Some(ids) => {
                return Err(SessionError::Config(format!(
                    "iron-session: {} password ids for {} passwords; give one id a key (current first)",
                    ids.len(),
                    keys.len()
                )));
            }
            None => keys
                .iter()
                .map(|(id, _)| match id {
                    KeyId::Current => keys.len().to_string(),
                    KeyId::Fallback(i) => (i + 1).to_string(),
                })
                .collect(),
        };
        let mut passwords = Vec::with_capacity(keys.len());
        for ((key, secret), id) in keys.into_iter().zip(ids) {
            if secret.len() < MIN_PASSWORD_LEN {
                return Err(SessionError::Config(format!(
                    "iron-session passwords must be at least {MIN_PASSWORD_LEN} characters (password id {id} has {})",
                    secret.len()
                )));
            }
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(SessionError::Config(format!(
                    "iron-session password id {id:?} must be letters, digits or _"
                )));
            }
            passwords.push(Password {
                id,
                key,
                #[allow(clippy::expect_used, reason = "HMAC takes a key of any length")]
                prf: <Hmac<Sha1> as hmac::Mac>::new_from_slice(secret).expect("any key length"),
            });
        }
        let chunk_names: Vec<String> = (0..MAX_CHUNKS).map(|i| format!("{}.{i}", s.cookie_name)).collect();
        // The per-chunk overhead of iron-session 9: the chunk's name and attributes with an empty value (Max-Age
        // and Expires at their widest: ten digits and a fixed-width date).
        let chunk_overhead = match &s.attributes {
            Some(attrs) => render_node_cookie(
                &chunk_names[0],
                Some(""),
                attrs,
                Expiry {
                    max_age: Some(9_999_999_999),
                    ..Expiry::default()
                },
            )
            .len(),
            None => chunk_names[0].len() + 160,
        };
        Ok(Self {
            passwords,
            name: s.cookie_name.to_owned(),
            max_chunks: s.max_chunks.clamp(1, MAX_CHUNKS),
            chunk_names,
            chunk_overhead,
        })
    }
}

/// PBKDF2-HMAC-SHA1 with one iteration over the salt's hex text, 32 bytes: iron's `generateKey`. With one
/// iteration each 20-byte block is HMAC(password, salt ‖ block number), from the password's keyed HMAC.
fn derive(prf: &Hmac<Sha1>, salt_hex: &str) -> Zeroizing<[u8; 32]> {
    use zeroize::Zeroize as _;
    let mut key = Zeroizing::new([0u8; 32]);
    for (i, chunk) in (1u32..).zip(key.chunks_mut(20)) {
        let mut block = prf
            .clone()
            .chain_update(salt_hex.as_bytes())
            .chain_update(i.to_be_bytes())
            .finalize()
            .into_bytes();
        chunk.copy_from_slice(&block[..chunk.len()]);
        block.as_mut_slice().zeroize();
    }
    key
}

fn mac(password: &Hmac<Sha1>, salt_hex: &str, base: &str) -> [u8; 32] {
    let key = derive(password, salt_hex);
    #[allow(clippy::expect_used, reason = "HMAC takes a key of any length")]
    let mut m = Hmac::<Sha256>::new_from_slice(key.as_ref()).expect("any key length");
    m.update(base.as_bytes());
    m.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

impl Codec for Iron {
    fn boxed_clone(&self) -> Box<dyn Codec> {
        Box::new(self.clone())
    }

    fn name(&self) -> &str {
        &self.name
    }

    /// The cookie `name`, and iron-session 9's chunks `name.0` to `name.3` (read whatever the chunking
    /// setting, as iron-session 9 does).
    fn claim(&self, headers: &[&[u8]]) -> Claimed {
        let pairs = node_cookie_pairs(headers);
        let mut claimed = Claimed::default();
        for (name, value) in pairs {
            if name == self.name {
                claimed.main = Some(value);
            } else if self.chunk_names.contains(&name) {
                claimed.extra.push((name, value));
            }
        }
        claimed
    }

    fn open_main(&self, value: &str, now: u64, max_age: Option<u64>, limits: Limits) -> Result<Decoded> {
        self.open(&Claimed::main(value), now, max_age, limits)
    }

    /// `unsealData`: the seal's parts in iron's order of checks (shape, prefix, expiry, password id, MAC), then
    /// the cipher and `JSON.parse`. iron-session answers 500 for some forgeable shapes (a wrong prefix, a
    /// non-digit expiry, an unknown password id); every refusal here is an empty session.
    fn open(&self, claimed: &Claimed, now: u64, _max_age: Option<u64>, limits: Limits) -> Result<Decoded> {
        // iron-session 9's `readSeal`: the whole cookie when it has a value, else the chunks from `name.0` up to
        // the first gap, concatenated (the MAC covers the whole seal, so a stale, reordered or spliced chunk
        // fails it).
        let joined: String;
        let cookie = match claimed.main.as_deref() {
            Some(whole) if !whole.is_empty() => whole,
            _ => {
                joined = self
                    .chunk_names
                    .iter()
                    .map_while(|n| claimed.extra(n).filter(|v| !v.is_empty()))
                    .collect();
                &joined
            }
        };
        // iron-session 9 cuts the token version (`~2`) off at the first `~` and unseals the rest whatever it
        // says.
        let seal = cookie.split_once('~').map_or(cookie, |(seal, _)| seal);
        let parts: Vec<&str> = seal.split('*').collect();
        let [prefix, id, enc_salt, iv, ct, exp, mac_salt, mac_b64] = parts[..] else {
            return Err(SessionError::Malformed("an iron seal has eight parts"));
        };
        if prefix != PREFIX {
            return Err(SessionError::Malformed("not an Fe26.2 seal"));
        }
        if !exp.is_empty() {
            if !exp.bytes().all(|b| b.is_ascii_digit()) || exp.len() > 18 {
                return Err(SessionError::Malformed("the seal's expiry is not a number"));
            }
            let at: i64 = exp
                .parse()
                .map_err(|_| SessionError::Malformed("the seal's expiry is not a number"))?;
            let now_ms = i64::try_from(now).unwrap_or(i64::MAX).saturating_mul(1000);
            if at <= now_ms - SKEW_MS {
                return Err(SessionError::ExpiredAt {
                    at: at.div_euclid(1000),
                });
            }
        }
        // A seal without an id is looked up as `default`, which iron-session's maps never hold.
        let password = self
            .passwords
            .iter()
            .find(|p| p.id == id)
            .ok_or(SessionError::BadSignature)?;
        let base_len = seal.len() - mac_salt.len() - mac_b64.len() - 2;
        let expected = mac(&password.prf, mac_salt, &seal[..base_len]);
        let given = URL_SAFE_NO_PAD
            .decode(mac_b64)
            .map_err(|_| SessionError::BadSignature)?;
        if !bool::from(subtle::ConstantTimeEq::ct_eq(&expected[..], &given[..])) {
            return Err(SessionError::BadSignature);
        }
        // Authentic from here on: what fails now is a hostile payload.
        let bad = |what: &str| SessionError::BadPayload(format!("the sealed session {what}"));
        let iv: [u8; 16] = URL_SAFE_NO_PAD
            .decode(iv)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| bad("has no 16-byte IV"))?;
        let ct = URL_SAFE_NO_PAD.decode(ct).map_err(|_| bad("is not base64url"))?;
        let key = derive(&password.prf, enc_salt);
        let json = cbc::Decryptor::<aes::Aes256>::new(key.as_ref().into(), &iv.into())
            .decrypt_padded_vec_mut::<Pkcs7>(&ct)
            .map_err(|_| bad("does not decrypt"))?;
        let data = SessionData::decode(json, false, false, limits.values)?;
        Ok(Decoded {
            data,
            timestamp: None,
            key: password.key,
            compressed: false,
            rewrite: false,
        })
    }

    fn serialize(&self, data: EntriesRef<'_>) -> Vec<u8> {
        js_json(&data).into_bytes()
    }

    /// `sealData(session, { password, ttl })` with the sealing password; `exp` is `now + ttl` as handed in.
    fn seal_serialized(&self, serialized: &[u8], _now: u64, expires: Option<u64>) -> Result<Sealed<'_>> {
        let password = &self.passwords[0];
        let enc_salt = hex(&os_random::<32>()?);
        let mac_salt = hex(&os_random::<32>()?);
        let iv = os_random::<16>()?;
        let key = derive(&password.prf, &enc_salt);
        let ct = cbc::Encryptor::<aes::Aes256>::new(key.as_ref().into(), &iv.into())
            .encrypt_padded_vec_mut::<Pkcs7>(serialized);
        let exp = expires.map_or_else(String::new, |e| {
            (i64::try_from(e.min(crate::signer::MAX_TIMESTAMP)).unwrap_or(0) * 1000).to_string()
        });
        let base = format!(
            "{PREFIX}*{}*{enc_salt}*{}*{}*{exp}",
            password.id,
            URL_SAFE_NO_PAD.encode(iv),
            URL_SAFE_NO_PAD.encode(ct)
        );
        let mac = mac(&password.prf, &mac_salt, &base);
        let value = format!("{base}*{mac_salt}*{}~2", URL_SAFE_NO_PAD.encode(mac));
        // iron-session 9's `writeSeal`: one cookie when its whole `Set-Cookie` fits in 4096 bytes (or chunking
        // is off; the size limit then refuses it), else chunks of the room a chunk cookie leaves. The overhead
        // is `chunk-name=` and the attributes, so the whole line is the name, the value and the overhead less
        // the chunk's name.
        let whole = self.name.len() + value.len() + self.chunk_overhead - self.chunk_names[0].len();
        if self.max_chunks == 1 || whole <= MAX_COOKIE_BYTES {
            return Ok(smallvec![(Cow::Borrowed(self.name.as_str()), value)]);
        }
        let budget = MAX_COOKIE_BYTES.saturating_sub(self.chunk_overhead).max(1);
        let parts: Vec<&str> = value
            .as_bytes()
            .chunks(budget)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        if parts.len() > self.max_chunks {
            return Err(SessionError::Value(format!(
                "the iron-session seal needs {} cookies and at most {} are allowed: keep less in the session",
                parts.len(),
                self.max_chunks
            )));
        }
        Ok(parts
            .into_iter()
            .zip(&self.chunk_names)
            .map(|(part, name)| (Cow::Borrowed(name.as_str()), part.to_owned()))
            .collect())
    }

    fn render(&self, name: &str, value: Option<&str>, attrs: &Attributes<'_>, expiry: Expiry) -> String {
        render_node_cookie(name, value, attrs, expiry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{Keyring, SecretKey};
    use crate::value::{Map, Value};

    const NOW: u64 = 1_700_000_000;
    const OLD: &str = "an old iron-session password of 32+ characters";
    const NEW: &str = "the new iron-session password, also 32+ characters";

    fn iron(keys: &[&str], ids: Option<&[String]>) -> Iron {
        let ring = Keyring::new(SecretKey::parse(keys[0]).unwrap()).with_fallbacks(
            keys[1..]
                .iter()
                .map(|k| SecretKey::parse(k).unwrap())
                .collect::<Vec<_>>(),
        );
        Iron::new(&Settings {
            keyring: &ring,
            signer: &SignerOptions::default(),
            compression: Compression::Never,
            cookie_name: "iron",
            key_ids: ids,
            max_chunks: 1,
            attributes: None,
            encryption_keys: &[],
        })
        .unwrap()
    }

    fn seal(codec: &Iron, expires: Option<u64>) -> String {
        let mut m = Map::new();
        m.insert("user".into(), Value::Str("alice".into()));
        codec.seal(EntriesRef::Map(&m), NOW, expires).unwrap()[0].1.clone()
    }

    fn open(codec: &Iron, cookie: &str, now: u64) -> Result<Decoded> {
        let limits = Limits {
            decompressed: 1 << 20,
            values: 1000,
        };
        codec.open(&Claimed::main(cookie), now, None, limits)
    }

    #[test]
    fn seals_open_rotate_and_expire_as_iron_does() {
        let codec = iron(&[NEW, OLD], None);
        let cookie = seal(&codec, Some(NOW + 100));
        let parts: Vec<&str> = cookie.trim_end_matches("~2").split('*').collect();
        assert_eq!((parts.len(), parts[0], parts[1]), (8, "Fe26.2", "2"));
        assert_eq!(
            parts[5],
            ((NOW + 100) * 1000).to_string(),
            "exp = the expiry handed in, in ms"
        );
        assert_eq!(
            open(&codec, &cookie, NOW).unwrap().data.get("user"),
            Some(&Value::Str("alice".into()))
        );
        // Within iron's 60 s skew after exp, then expired.
        assert!(open(&codec, &cookie, NOW + 100 + 59).is_ok());
        assert!(open(&codec, &cookie, NOW + 100 + 60).is_err());
        // The old password (id 1) still opens its seals; the key id says it was a fallback.
        let old = seal(&iron(&[OLD], None), None);
        assert!(old.starts_with("Fe26.2*1*"));
        assert_eq!(open(&codec, &old, NOW).unwrap().key, KeyId::Fallback(0));
        // Unknown id, wrong password, tampering, missing version, hostile ids: refused.
        assert!(open(&iron(&[NEW], None), &old, NOW).is_err());
        let ids = ["7".to_owned()];
        assert!(open(&iron(&[OLD], Some(&ids)), &old, NOW).is_err());
        for i in 0..cookie.len() - 2 {
            let mut b = cookie.clone().into_bytes();
            b[i] = if b[i] == b'A' { b'B' } else { b'A' };
            if let Ok(s) = String::from_utf8(b) {
                assert!(open(&codec, &s, NOW).is_err(), "one change at {i} must be refused");
            }
        }
        // The token version after `~` is not checked (iron-session 9 cuts it off).
        assert!(open(&codec, cookie.trim_end_matches("~2"), NOW).is_ok());
        let constructor = cookie.replacen("*2*", "*constructor*", 1);
        assert!(open(&codec, &constructor, NOW).is_err());
    }

    #[test]
    fn short_passwords_and_bad_ids_are_refused_at_build() {
        let opts = SignerOptions::default();
        let ring = Keyring::new(SecretKey::parse("only twenty-two chars!").unwrap());
        let short = Settings {
            keyring: &ring,
            signer: &opts,
            compression: Compression::Never,
            cookie_name: "iron",
            key_ids: None,
            max_chunks: 1,
            attributes: None,
            encryption_keys: &[],
        };
        assert!(Iron::new(&short).unwrap_err().to_string().contains("at least 32"));
        let ring2 = Keyring::new(SecretKey::parse(NEW).unwrap());
        let two = ["1".to_owned(), "2".to_owned()];
        let s = Settings {
            keyring: &ring2,
            key_ids: Some(&two),
            ..short
        };
        assert!(Iron::new(&s).is_err());
    }

    /// A seal of `{"user":"alice"}` with the expiry part `exp` as given, under a valid MAC.
    fn seal_with_exp(codec: &Iron, exp: &str) -> String {
        let password = &codec.passwords[0];
        let enc_salt = "ab".repeat(32);
        let mac_salt = "cd".repeat(32);
        let iv = [9u8; 16];
        let key = derive(&password.prf, &enc_salt);
        let ct = cbc::Encryptor::<aes::Aes256>::new(key.as_ref().into(), &iv.into())
            .encrypt_padded_vec_mut::<Pkcs7>(b"{\"user\":\"alice\"}");
        let base = format!(
            "{PREFIX}*{}*{enc_salt}*{}*{}*{exp}",
            password.id,
            URL_SAFE_NO_PAD.encode(iv),
            URL_SAFE_NO_PAD.encode(ct)
        );
        let mac = mac(&password.prf, &mac_salt, &base);
        format!("{base}*{mac_salt}*{}~2", URL_SAFE_NO_PAD.encode(mac))
    }

    #[test]
    fn keys_are_pbkdf2_with_one_iteration() {
        let password = b"a password of at least thirty-two characters";
        let salt = hex(&[0xab; 32]);
        let mut expected = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha1>(password, salt.as_bytes(), 1, &mut expected);
        let prf = <Hmac<Sha1> as hmac::Mac>::new_from_slice(password).unwrap();
        assert_eq!(*derive(&prf, &salt), expected);
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

    #[test]
    fn the_expiry_part_is_digits_of_a_64_bit_number() {
        let codec = iron(&[NEW], None);
        // 18 digits (far future) open; 19 are refused before they could overflow; a sign is not a digit.
        assert!(open(&codec, &seal_with_exp(&codec, "999999999999999999"), NOW).is_ok());
        let kind = |exp: &str| {
            open(&codec, &seal_with_exp(&codec, exp), NOW)
                .map(|_| ())
                .unwrap_err()
                .kind()
        };
        assert_eq!(kind("9999999999999999999"), crate::error::ErrorKind::Malformed);
        assert_eq!(kind("+99999999999999"), crate::error::ErrorKind::Malformed);
        // An expired seal says when it expired, in seconds.
        let expired = open(&codec, &seal_with_exp(&codec, "1600000000999"), NOW)
            .map(|_| ())
            .unwrap_err();
        assert!(
            matches!(expired, SessionError::ExpiredAt { at: 1_600_000_000 }),
            "{expired:?}"
        );
    }

    /// iron-session 8's defaults (`ttl: fourteenDaysInSeconds`, `cookieOptions`: `httpOnly`, `secure`,
    /// `sameSite: "lax"`, `path: "/"`); the cookie name has none (`cookieName` is required).
    #[test]
    fn defaults_are_iron_sessions() {
        let d = defaults();
        assert_eq!(d.lifetime, 1_209_600);
        assert!(d.http_only && d.secure && !d.refresh_each_request);
        assert_eq!(d.same_site, Some(SameSite::Lax));
        assert_eq!(d.cookie_name, "");
    }

    /// Debug shows the password ids and the name, never a password.
    #[test]
    fn debug_shows_no_password() {
        let shown = format!("{:?}", iron(&[NEW, OLD], None));
        assert!(shown.starts_with("Iron { password_ids: ["), "{shown}");
        assert!(shown.ends_with("name: \"iron\" }"), "{shown}");
        assert!(
            !shown.contains("password, also") && !shown.contains("old iron"),
            "{shown}"
        );
    }

    /// iron-session 9's `writeSeal`: the seal goes out as one cookie while that cookie's `Set-Cookie` fits in
    /// 4096 bytes, else in chunks. Checked at every distance from the edge: each path one character longer
    /// moves the line one byte, each 16 more bytes of session one AES block.
    #[test]
    fn one_cookie_while_its_set_cookie_fits_in_4096_bytes() {
        let ring = Keyring::new(SecretKey::parse(NEW).unwrap());
        let (mut single, mut chunked) = (0, 0);
        for extra in 0..24 {
            let path = format!("/{}", "p".repeat(extra));
            let attrs = Attributes {
                domain: None,
                path: &path,
                secure: true,
                http_only: true,
                same_site: Some(SameSite::Lax),
                partitioned: false,
            };
            let codec = Iron::new(&Settings {
                keyring: &ring,
                signer: &SignerOptions::default(),
                compression: Compression::Never,
                cookie_name: "iron",
                key_ids: None,
                max_chunks: 4,
                attributes: Some(attrs.clone()),
                encryption_keys: &[],
            })
            .unwrap();
            for n in (2700..3000).step_by(16) {
                let mut m = Map::new();
                m.insert("k".into(), Value::Str("x".repeat(n)));
                let sealed = codec.seal(EntriesRef::Map(&m), NOW, None).unwrap();
                let whole: String = sealed.iter().map(|(_, v)| v.as_str()).collect();
                let line = render_node_cookie(
                    "iron",
                    Some(&whole),
                    &attrs,
                    Expiry {
                        max_age: Some(9_999_999_999),
                        ..Expiry::default()
                    },
                );
                assert_eq!(
                    sealed.len() == 1,
                    line.len() <= 4096,
                    "path {path:?}, {} bytes",
                    line.len()
                );
                if sealed.len() == 1 {
                    single += 1;
                } else {
                    chunked += 1;
                }
            }
        }
        assert!(single > 0 && chunked > 0);
    }
}
