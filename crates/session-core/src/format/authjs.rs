//! Auth.js (`@auth/core` 0.41: next-auth v5 and the other Auth.js packages) and next-auth v4: the session
//! token, a JWE in compact form, in one cookie or cut into numbered chunks.
//!
//! ```text
//! base64url(header) "." "" "." base64url(iv) "." base64url(ciphertext) "." base64url(tag)
//! ```
//!
//! - Auth.js: header `{"alg":"dir","enc":"A256CBC-HS512","kid":<thumbprint>}`; the key is HKDF-SHA256 of the
//!   secret with salt = the cookie name and info `Auth.js Generated Encryption Key (<cookie name>)`, 64 bytes;
//!   `kid` is its RFC 7638 thumbprint (SHA-512 of `{"k":…,"kty":"oct"}`). The first secret encrypts; a token
//!   is decrypted with the secret whose thumbprint is its `kid`, or with the first when it has none. Tokens in
//!   `A256GCM` (32-byte key, SHA-256 thumbprint) are read too.
//! - next-auth v4: HKDF-SHA256 with an empty salt and info `NextAuth.js Generated Encryption Key`, 32 bytes;
//!   `{"alg":"dir","enc":"A256GCM"}`, no `kid`.
//! - The plaintext is `JSON.stringify` of the token's claims, which is the session a handler sees (Auth.js'
//!   default sign-in token holds `name`, `email`, `picture`, `sub`). A write sets fresh `iat`, `exp` (the
//!   cookie's expiry) and `jti` (a random UUID), as Auth.js does on every session call. `exp` is optional and
//!   read with 15 s of clock tolerance; it is computed in 64 bits (never wraps past 2038).
//! - Chunks: a token longer than 3,936 characters (3,933 in v4) is cut into `name.0`, `name.1`, …; reading
//!   joins them in numeric order; a write expires the stale chunks the request carried. Auth.js reads every
//!   cookie whose name merely starts with the session's; only `name` and `name.<digits>` are read here.

use std::borrow::Cow;

use aes_gcm::aead::{Aead as _, KeyInit as _, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut as _, BlockEncryptMut as _, InnerIvInit as _};
use hmac::{Hmac, Mac as _};
use sha2::{Digest as _, Sha256, Sha512};
use smallvec::smallvec;
use zeroize::Zeroizing;

use super::seam::{
    Claimed, Codec, CookieOrder, Decoded, Defaults, DeleteWhen, ExpiryRule, Limits, Peeked, Refresh, Rules, Sealed,
    SessionText, Settings, Spec,
};
use crate::cookies::node_cookie_pairs;
use crate::data::{Entries, EntriesRef, SessionData};
use crate::encrypted::os_random;
use crate::error::{Result, SessionError};
use crate::json::{from_plain_json, js_json};
use crate::key::KeyId;
use crate::payload::Compression;
use crate::set_cookie::{Attributes, Expiry, SameSite, render_node_cookie};
use crate::signer::SignerOptions;
use crate::value::{Map, Value};

/// Auth.js' default session `maxAge`: 30 days.
pub const MAX_AGE_SECS: u64 = 30 * 24 * 60 * 60;

/// jose's clock tolerance as Auth.js sets it.
const CLOCK_TOLERANCE: i64 = 15;

const RULES: Rules = Rules {
    delete: DeleteWhen::CookiePresent,
    refresh: Refresh::Accessed,
    expiry: ExpiryRule::IfLifetime,
    vary: false,
    delete_absent: false,
    order: CookieOrder::RequestOrder,
    reserved: &["iat", "exp", "jti"],
};

/// Auth.js' place in the registry.
pub(crate) static AUTHJS: Spec = Spec {
    name: "authjs",
    aliases: &["auth.js", "next-auth-v5"],
    framework: "Auth.js session token (@auth/core 0.41, next-auth v5)",
    encrypted: true,
    signature: Some("JWE dir + A256CBC-HS512 under an HKDF key bound to the cookie name"),
    tagged: false,
    timestamped: false,
    text: SessionText::Json,
    defaults: authjs_defaults,
    rules: RULES,
    build: |s: &Settings<'_>| -> Result<Box<dyn Codec>> { Ok(Box::new(Jwe::new(s, Flavour::AuthJs)?)) },
    peek: |_: &str, _: usize| -> Result<Peeked> { Err(super::seam::peek_needs_key("authjs")) },
};

/// next-auth v4's place in the registry.
pub(crate) static NEXT_AUTH_V4: Spec = Spec {
    name: "next-auth-v4",
    aliases: &["nextauth-v4"],
    framework: "next-auth v4 session token (next-auth 4.24)",
    encrypted: true,
    signature: Some("JWE dir + A256GCM under an HKDF key"),
    tagged: false,
    timestamped: false,
    text: SessionText::Json,
    defaults: next_auth_v4_defaults,
    rules: RULES,
    build: |s: &Settings<'_>| -> Result<Box<dyn Codec>> { Ok(Box::new(Jwe::new(s, Flavour::NextAuthV4)?)) },
    peek: |_: &str, _: usize| -> Result<Peeked> { Err(super::seam::peek_needs_key("next-auth-v4")) },
};

fn defaults(cookie_name: &'static str) -> Defaults {
    Defaults {
        cookie_name,
        lifetime: MAX_AGE_SECS,
        same_site: Some(SameSite::Lax),
        secure: false,
        http_only: true,
        refresh_each_request: true,
        signer: SignerOptions::default(),
        compression: Compression::Never,
    }
}

/// Auth.js' defaults: `authjs.session-token` (`__Secure-authjs.session-token` behind HTTPS: set the name and
/// `secure(true)`), 30 days, `SameSite=Lax`, `HttpOnly`, path `/`; a session a handler read is encoded again
/// (rolling expiry), as Auth.js' session endpoint does.
pub(crate) fn authjs_defaults() -> Defaults {
    defaults("authjs.session-token")
}

/// next-auth v4's defaults: `next-auth.session-token`, 30 days, `SameSite=Lax`, `HttpOnly`, path `/`.
pub(crate) fn next_auth_v4_defaults() -> Defaults {
    defaults("next-auth.session-token")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavour {
    AuthJs,
    NextAuthV4,
}

/// The content encryptions a token may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enc {
    A256CbcHs512,
    A256Gcm,
}

impl Enc {
    fn name(self) -> &'static str {
        match self {
            Self::A256CbcHs512 => "A256CBC-HS512",
            Self::A256Gcm => "A256GCM",
        }
    }
}

/// One secret's derived keys and their thumbprints, for each encryption, and the keys in use keyed once (the
/// AES key schedules, HMAC-SHA512 keyed with the MAC half): each token clones the keyed state.
struct Secret {
    key: KeyId,
    cbc: Zeroizing<Vec<u8>>,
    cbc_kid: String,
    gcm: Zeroizing<Vec<u8>>,
    gcm_kid: String,
    cbc_mac: Hmac<Sha512>,
    cbc_aes: aes::Aes256,
    gcm_aead: Aes256Gcm,
}

/// The Auth.js / next-auth v4 codec.
struct Jwe {
    flavour: Flavour,
    secrets: Vec<Secret>,
    name: String,
    chunk_size: usize,
}

impl Clone for Jwe {
    fn clone(&self) -> Self {
        Self {
            flavour: self.flavour,
            secrets: self
                .secrets
                .iter()
                .map(|s| Secret {
                    key: s.key,
                    cbc: s.cbc.clone(),
                    cbc_kid: s.cbc_kid.clone(),
                    gcm: s.gcm.clone(),
                    gcm_kid: s.gcm_kid.clone(),
                    cbc_mac: s.cbc_mac.clone(),
                    cbc_aes: s.cbc_aes.clone(),
                    gcm_aead: s.gcm_aead.clone(),
                })
                .collect(),
            name: self.name.clone(),
            chunk_size: self.chunk_size,
        }
    }
}

impl std::fmt::Debug for Jwe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwe")
            .field("flavour", &self.flavour)
            .field("secrets", &self.secrets.len())
            .field("name", &self.name)
            .finish()
    }
}

/// HKDF-SHA256 of `secret` into `len` bytes.
fn hkdf(secret: &[u8], salt: &[u8], info: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    crate::key::derived();
    let mut out = Zeroizing::new(vec![0u8; len]);
    #[allow(
        clippy::expect_used,
        reason = "32 and 64 bytes are far below HKDF-SHA256's 8160-byte limit"
    )]
    hkdf::Hkdf::<Sha256>::new(Some(salt), secret)
        .expand(info, &mut out)
        .expect("a short output");
    out
}

/// RFC 7638 thumbprint of a symmetric key, with the digest jose picks for its length (`sha${bits}`).
fn thumbprint(key: &[u8]) -> String {
    let jwk = format!("{{\"k\":\"{}\",\"kty\":\"oct\"}}", URL_SAFE_NO_PAD.encode(key));
    if key.len() == 64 {
        URL_SAFE_NO_PAD.encode(Sha512::digest(jwk.as_bytes()))
    } else {
        URL_SAFE_NO_PAD.encode(Sha256::digest(jwk.as_bytes()))
    }
}

/// A random (version 4) UUID, as `crypto.randomUUID()` writes it.
fn uuid_v4() -> Result<String> {
    let mut b = os_random::<16>()?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    Ok(crate::json::uuid_text(&b))
}

/// The first 32 bytes of HMAC-SHA512 over `aad ‖ iv ‖ ciphertext ‖ bit length of aad`: A256CBC-HS512's tag.
fn cbc_hs512_tag(mac: &Hmac<Sha512>, aad: &[u8], iv: &[u8], ct: &[u8]) -> [u8; 32] {
    let mut m = mac.clone();
    m.update(aad);
    m.update(iv);
    m.update(ct);
    m.update(&(aad.len() as u64 * 8).to_be_bytes());
    let full = m.finalize().into_bytes();
    let mut tag = [0u8; 32];
    tag.copy_from_slice(&full[..32]);
    tag
}

impl Jwe {
    fn new(s: &Settings<'_>, flavour: Flavour) -> Result<Self> {
        let (salt, info): (&[u8], String) = match flavour {
            Flavour::AuthJs => (
                s.cookie_name.as_bytes(),
                format!("Auth.js Generated Encryption Key ({})", s.cookie_name),
            ),
            Flavour::NextAuthV4 => (b"", "NextAuth.js Generated Encryption Key".to_owned()),
        };
        let secrets = s
            .keyring
            .verification_order()
            .map(|(key, secret)| {
                let cbc = hkdf(secret.bytes(), salt, info.as_bytes(), 64);
                let gcm = hkdf(secret.bytes(), salt, info.as_bytes(), 32);
                #[allow(clippy::expect_used, reason = "HMAC takes a key of any length")]
                let cbc_mac = <Hmac<Sha512> as hmac::Mac>::new_from_slice(&cbc[..32]).expect("any key length");
                Secret {
                    key,
                    cbc_kid: thumbprint(&cbc),
                    gcm_kid: thumbprint(&gcm),
                    cbc_mac,
                    cbc_aes: aes::Aes256::new(cbc[32..].into()),
                    gcm_aead: Aes256Gcm::new(gcm.as_slice().into()),
                    cbc,
                    gcm,
                }
            })
            .collect();
        Ok(Self {
            flavour,
            secrets,
            name: s.cookie_name.to_owned(),
            chunk_size: match flavour {
                Flavour::AuthJs => 3936,
                Flavour::NextAuthV4 => 3933,
            },
        })
    }

    /// The token the cookies hold: the chunks joined in numeric order when there are any, else the cookie.
    fn token(&self, claimed: &Claimed) -> String {
        if claimed.extra.is_empty() {
            return claimed.main.clone().unwrap_or_default();
        }
        let mut chunks: Vec<(u64, &str)> = claimed
            .extra
            .iter()
            .filter_map(|(n, v)| Some((self.chunk_index(n)?, v.as_str())))
            .collect();
        chunks.sort_by_key(|(i, _)| *i);
        chunks.into_iter().map(|(_, v)| v).collect()
    }

    /// `n` of a chunk named `name.n` (digits only, at most 4 of them).
    fn chunk_index(&self, cookie: &str) -> Option<u64> {
        let digits = cookie.strip_prefix(self.name.as_str())?.strip_prefix('.')?;
        (!digits.is_empty() && digits.len() <= 4 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse().ok())
            .flatten()
    }

    fn decrypt(&self, token: &str) -> Result<(Vec<u8>, KeyId)> {
        let parts: Vec<&str> = token.split('.').collect();
        let [header_b64, encrypted_key, iv_b64, ct_b64, tag_b64] = parts[..] else {
            return Err(SessionError::Malformed("a JWE in compact form has five parts"));
        };
        let header_json = URL_SAFE_NO_PAD
            .decode(header_b64)
            .map_err(|_| SessionError::Malformed("the JWE header is not base64url"))?;
        let header: serde_json::Value =
            serde_json::from_slice(&header_json).map_err(|_| SessionError::Malformed("the JWE header is not JSON"))?;
        let header = header
            .as_object()
            .ok_or(SessionError::Malformed("the JWE header is not a JSON object"))?;
        if header.get("alg").and_then(|a| a.as_str()) != Some("dir") || !encrypted_key.is_empty() {
            return Err(SessionError::Malformed("the JWE is not `dir` key management"));
        }
        // jose refuses headers it does not understand (`crit`, compression).
        if header.contains_key("crit") || header.contains_key("zip") {
            return Err(SessionError::Malformed(
                "the JWE header asks for an unsupported extension",
            ));
        }
        let enc = match header.get("enc").and_then(|e| e.as_str()) {
            Some("A256CBC-HS512") if self.flavour == Flavour::AuthJs => Enc::A256CbcHs512,
            Some("A256GCM") => Enc::A256Gcm,
            _ => {
                return Err(SessionError::Malformed(
                    "the JWE's content encryption is not one this format reads",
                ));
            }
        };
        let secret = match header.get("kid") {
            None => self.secrets.first(),
            Some(serde_json::Value::String(kid)) => self.secrets.iter().find(|s| {
                let mine = match enc {
                    Enc::A256CbcHs512 => &s.cbc_kid,
                    Enc::A256Gcm => &s.gcm_kid,
                };
                bool::from(subtle::ConstantTimeEq::ct_eq(mine.as_bytes(), kid.as_bytes()))
            }),
            Some(_) => None,
        }
        .ok_or(SessionError::BadSignature)?;
        let iv = URL_SAFE_NO_PAD.decode(iv_b64).map_err(|_| SessionError::BadSignature)?;
        let ct = URL_SAFE_NO_PAD.decode(ct_b64).map_err(|_| SessionError::BadSignature)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag_b64)
            .map_err(|_| SessionError::BadSignature)?;
        let aad = header_b64.as_bytes();
        let plain = match enc {
            Enc::A256CbcHs512 => {
                let iv: [u8; 16] = iv.try_into().map_err(|_| SessionError::BadSignature)?;
                let expected = cbc_hs512_tag(&secret.cbc_mac, aad, &iv, &ct);
                if !bool::from(subtle::ConstantTimeEq::ct_eq(&expected[..], &tag[..])) {
                    return Err(SessionError::BadSignature);
                }
                cbc::Decryptor::<aes::Aes256>::inner_iv_init(secret.cbc_aes.clone(), &iv.into())
                    .decrypt_padded_vec_mut::<Pkcs7>(&ct)
                    .map_err(|_| SessionError::BadPayload("the token does not decrypt".into()))?
            }
            Enc::A256Gcm => {
                let iv: [u8; 12] = iv.try_into().map_err(|_| SessionError::BadSignature)?;
                // A GCM tag is 128 bits (RFC 7518 5.3; jose and Node refuse any other length): without this,
                // bytes moved between the ciphertext and the tag would give the same token.
                let tag: [u8; 16] = tag.try_into().map_err(|_| SessionError::BadSignature)?;
                let mut sealed = ct;
                sealed.extend_from_slice(&tag);
                secret
                    .gcm_aead
                    .decrypt(Nonce::from_slice(&iv), Payload { msg: &sealed, aad })
                    .map_err(|_| SessionError::BadSignature)?
            }
        };
        Ok((plain, secret.key))
    }

    fn encrypt(&self, plaintext: &[u8]) -> Result<String> {
        let secret = &self.secrets[0];
        match self.flavour {
            Flavour::AuthJs => {
                let header = format!(
                    "{{\"alg\":\"dir\",\"enc\":\"{}\",\"kid\":\"{}\"}}",
                    Enc::A256CbcHs512.name(),
                    secret.cbc_kid
                );
                let header_b64 = URL_SAFE_NO_PAD.encode(header);
                let iv = os_random::<16>()?;
                let ct = cbc::Encryptor::<aes::Aes256>::inner_iv_init(secret.cbc_aes.clone(), &iv.into())
                    .encrypt_padded_vec_mut::<Pkcs7>(plaintext);
                let tag = cbc_hs512_tag(&secret.cbc_mac, header_b64.as_bytes(), &iv, &ct);
                Ok(format!(
                    "{header_b64}..{}.{}.{}",
                    URL_SAFE_NO_PAD.encode(iv),
                    URL_SAFE_NO_PAD.encode(ct),
                    URL_SAFE_NO_PAD.encode(tag)
                ))
            }
            Flavour::NextAuthV4 => {
                let header_b64 =
                    URL_SAFE_NO_PAD.encode(format!("{{\"alg\":\"dir\",\"enc\":\"{}\"}}", Enc::A256Gcm.name()));
                let iv = os_random::<12>()?;
                let mut sealed = secret
                    .gcm_aead
                    .encrypt(
                        Nonce::from_slice(&iv),
                        Payload {
                            msg: plaintext,
                            aad: header_b64.as_bytes(),
                        },
                    )
                    .map_err(|_| SessionError::Value("the session is too large to encrypt".into()))?;
                let tag = sealed.split_off(sealed.len() - 16);
                Ok(format!(
                    "{header_b64}..{}.{}.{}",
                    URL_SAFE_NO_PAD.encode(iv),
                    URL_SAFE_NO_PAD.encode(sealed),
                    URL_SAFE_NO_PAD.encode(tag)
                ))
            }
        }
    }

    /// The claims a write seals: the session, then `iat`, `exp` and `jti` set afresh (as jose's `EncryptJWT`
    /// with `setIssuedAt`, `setExpirationTime` and `setJti`).
    fn claims(&self, data: &impl Entries, now: u64, expires: Option<u64>) -> Result<Map> {
        let mut claims: Map = data.entries().map(|(k, v)| (k.to_owned(), v.clone())).collect();
        let int = |t: u64| Value::Int(i64::try_from(t).unwrap_or(i64::MAX));
        claims.insert("iat".into(), int(now));
        match expires {
            Some(e) => claims.insert("exp".into(), int(e)),
            None => claims.remove("exp"),
        };
        claims.insert("jti".into(), Value::Str(uuid_v4()?));
        Ok(claims)
    }

    fn cookies(&self, token: String) -> Sealed<'_> {
        if token.len() <= self.chunk_size {
            return smallvec![(Cow::Borrowed(self.name.as_str()), token)];
        }
        token
            .as_bytes()
            .chunks(self.chunk_size)
            .enumerate()
            .map(|(i, part)| {
                (
                    Cow::Owned(format!("{}.{i}", self.name)),
                    String::from_utf8_lossy(part).into_owned(),
                )
            })
            .collect()
    }
}

impl Codec for Jwe {
    fn boxed_clone(&self) -> Box<dyn Codec> {
        Box::new(self.clone())
    }

    fn name(&self) -> &str {
        &self.name
    }

    /// The cookie `name` and every `name.<digits>` chunk, read as npm `cookie` parses the header.
    fn claim(&self, headers: &[&[u8]]) -> Claimed {
        let mut claimed = Claimed::default();
        for (name, value) in node_cookie_pairs(headers) {
            if name == self.name {
                claimed.main = Some(value);
            } else if self.chunk_index(&name).is_some() {
                claimed.extra.push((name, value));
            }
        }
        claimed
    }

    fn open_main(&self, value: &str, now: u64, max_age: Option<u64>, limits: Limits) -> Result<Decoded> {
        self.open(&Claimed::main(value), now, max_age, limits)
    }

    /// jose's `jwtDecrypt` with Auth.js' key lookup and 15 s of clock tolerance on `exp` and `nbf`.
    fn open(&self, claimed: &Claimed, now: u64, _max_age: Option<u64>, limits: Limits) -> Result<Decoded> {
        let token = self.token(claimed);
        let (plain, key) = self.decrypt(&token)?;
        let data = SessionData::decode(plain, false, false, limits.values)?;
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        let time = |claim: &str| -> Result<Option<i64>> {
            match data.get(claim) {
                None => Ok(None),
                Some(Value::Int(t)) => Ok(Some(*t)),
                Some(Value::Float(f)) if f.is_finite() => Ok(Some(f.floor() as i64)),
                Some(_) => Err(SessionError::BadPayload(format!(
                    "the token's `{claim}` is not a number"
                ))),
            }
        };
        if let Some(exp) = time("exp")? {
            if exp <= now - CLOCK_TOLERANCE {
                return Err(SessionError::ExpiredAt { at: exp });
            }
        }
        if let Some(nbf) = time("nbf")? {
            if nbf > now + CLOCK_TOLERANCE {
                return Err(SessionError::BadPayload("the token is not valid yet (`nbf`)".into()));
            }
        }
        Ok(Decoded {
            data,
            timestamp: None,
            key,
            compressed: false,
            rewrite: false,
        })
    }

    fn serialize(&self, data: EntriesRef<'_>) -> Vec<u8> {
        js_json(&data).into_bytes()
    }

    fn seal(&self, data: EntriesRef<'_>, now: u64, expires: Option<u64>) -> Result<Sealed<'_>> {
        let claims = self.claims(&data, now, expires)?;
        Ok(self.cookies(self.encrypt(js_json(&claims).as_bytes())?))
    }

    /// Serialized claims (plain JSON of an object) sealed with fresh `iat`, `exp` and `jti`.
    fn seal_serialized(&self, serialized: &[u8], now: u64, expires: Option<u64>) -> Result<Sealed<'_>> {
        let Value::Dict(map) = from_plain_json(serialized)? else {
            return Err(SessionError::Value("the token's claims must be a JSON object".into()));
        };
        self.seal(EntriesRef::Map(&map), now, expires)
    }

    fn render(&self, name: &str, value: Option<&str>, attrs: &Attributes<'_>, expiry: Expiry) -> String {
        render_node_cookie(name, value, attrs, expiry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{Keyring, SecretKey};

    const NOW: u64 = 1_700_000_000;

    fn jwe(flavour: Flavour, keys: &[&str], name: &str) -> Jwe {
        let ring = Keyring::new(SecretKey::parse_insecure_short(keys[0]).unwrap()).with_fallbacks(
            keys[1..]
                .iter()
                .map(|k| SecretKey::parse_insecure_short(k).unwrap())
                .collect::<Vec<_>>(),
        );
        Jwe::new(
            &Settings {
                keyring: &ring,
                signer: &SignerOptions::default(),
                compression: Compression::Never,
                cookie_name: name,
                key_ids: None,
                max_chunks: 1,
                attributes: None,
                encryption_keys: &[],
            },
            flavour,
        )
        .unwrap()
    }

    fn limits() -> Limits {
        Limits {
            decompressed: 1 << 20,
            values: 10_000,
        }
    }

    fn seal(codec: &Jwe, name: &str) -> Vec<(String, String)> {
        let mut m = Map::new();
        m.insert("name".into(), Value::Str(name.into()));
        codec
            .seal(EntriesRef::Map(&m), NOW, Some(NOW + MAX_AGE_SECS))
            .unwrap()
            .into_iter()
            .map(|(n, v)| (n.into_owned(), v))
            .collect()
    }

    fn claimed(cookies: Vec<(String, String)>) -> Claimed {
        let header: Vec<String> = cookies.iter().map(|(n, v)| format!("{n}={v}")).collect();
        let joined = header.join("; ");
        Claimed {
            main: None,
            extra: Vec::new(),
        }
        .or_claim(&joined)
    }

    impl Claimed {
        fn or_claim(self, header: &str) -> Claimed {
            let mut c = self;
            for (n, v) in node_cookie_pairs(&[header.as_bytes()]) {
                if n.contains('.')
                    && n.rsplit('.')
                        .next()
                        .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
                {
                    c.extra.push((n, v));
                } else {
                    c.main = Some(v);
                }
            }
            c
        }
    }

    #[test]
    fn tokens_round_trip_rotate_and_bind_the_cookie_name() {
        for flavour in [Flavour::AuthJs, Flavour::NextAuthV4] {
            let codec = jwe(flavour, &["new secret", "old secret"], "authjs.session-token");
            let opened = codec
                .open(&claimed(seal(&codec, "alice")), NOW, None, limits())
                .unwrap();
            assert_eq!(opened.data.get("name"), Some(&Value::Str("alice".into())));
            assert_eq!(opened.data.get("exp"), Some(&Value::Int((NOW + MAX_AGE_SECS) as i64)));
            assert_eq!(opened.key, KeyId::Current);
            let old = jwe(flavour, &["old secret"], "authjs.session-token");
            let by_old = codec.open(&claimed(seal(&old, "bob")), NOW, None, limits());
            match flavour {
                // Auth.js finds the old secret by `kid`.
                Flavour::AuthJs => assert_eq!(by_old.unwrap().key, KeyId::Fallback(0)),
                // next-auth v4's tokens carry no `kid`: the first secret only.
                Flavour::NextAuthV4 => assert!(by_old.is_err()),
            }
        }
        // Auth.js' key depends on the cookie name.
        let a = jwe(Flavour::AuthJs, &["s"], "authjs.session-token");
        let b = jwe(Flavour::AuthJs, &["s"], "__Secure-authjs.session-token");
        assert!(b.open(&claimed(seal(&a, "x")), NOW, None, limits()).is_err());
    }

    #[test]
    fn expiry_has_fifteen_seconds_of_tolerance_and_never_wraps() {
        let codec = jwe(Flavour::AuthJs, &["s"], "authjs.session-token");
        let mut m = Map::new();
        m.insert("name".into(), Value::Str("a".into()));
        let token = codec.seal(EntriesRef::Map(&m), NOW, Some(NOW + 10)).unwrap()[0]
            .1
            .clone();
        let open = |now| codec.open(&Claimed::main(token.clone()), now, None, limits());
        assert!(open(NOW + 10 + 14).is_ok());
        assert!(open(NOW + 10 + 15).is_err());
        let far = codec.seal(EntriesRef::Map(&m), NOW, Some(4_102_444_800)).unwrap()[0]
            .1
            .clone();
        let opened = codec.open(&Claimed::main(far), NOW, None, limits()).unwrap();
        assert_eq!(opened.data.get("exp"), Some(&Value::Int(4_102_444_800)));
    }

    #[test]
    fn long_tokens_are_chunked_and_chunks_must_all_be_there() {
        let codec = jwe(Flavour::AuthJs, &["s"], "authjs.session-token");
        let mut m = Map::new();
        m.insert("big".into(), Value::Str("x".repeat(6000)));
        let cookies: Vec<(String, String)> = codec
            .seal(EntriesRef::Map(&m), NOW, Some(NOW + 60))
            .unwrap()
            .into_iter()
            .map(|(n, v)| (n.into_owned(), v))
            .collect();
        assert_eq!(
            cookies.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            [
                "authjs.session-token.0",
                "authjs.session-token.1",
                "authjs.session-token.2"
            ]
        );
        assert!(cookies.iter().all(|(_, v)| v.len() <= 3936));
        let mut reversed = cookies.clone();
        reversed.reverse();
        assert!(codec.open(&claimed(reversed), NOW, None, limits()).is_ok());
        let missing: Vec<_> = cookies.iter().filter(|(n, _)| !n.ends_with(".1")).cloned().collect();
        assert!(codec.open(&claimed(missing), NOW, None, limits()).is_err());
        assert_eq!(codec.chunk_index("authjs.session-token-x"), None);
        assert_eq!(codec.chunk_index("authjs.session-token.x1"), None);
        // Digits only (Rust's integer parser would take a sign), at most four of them.
        assert_eq!(codec.chunk_index("authjs.session-token.+1"), None);
        assert_eq!(codec.chunk_index("authjs.session-token.12345"), None);
        assert_eq!(codec.chunk_index("authjs.session-token.0012"), Some(12));
    }

    /// A token whose header is `header` (JSON) and whose content is `claims`, encrypted with the codec's first
    /// secret as Auth.js encrypts (A256CBC-HS512), with `encrypted_key` in the key part.
    fn token_with(codec: &Jwe, header: &str, encrypted_key: &str, claims: &str) -> String {
        let secret = &codec.secrets[0];
        let header_b64 = URL_SAFE_NO_PAD.encode(header);
        let iv = [7u8; 16];
        // Keyed here from the derived key's halves, not from the codec's keyed state.
        let ct = <cbc::Encryptor<aes::Aes256> as cbc::cipher::KeyIvInit>::new(secret.cbc[32..].into(), &iv.into())
            .encrypt_padded_vec_mut::<Pkcs7>(claims.as_bytes());
        let mac = <Hmac<Sha512> as hmac::Mac>::new_from_slice(&secret.cbc[..32]).unwrap();
        let tag = cbc_hs512_tag(&mac, header_b64.as_bytes(), &iv, &ct);
        format!(
            "{header_b64}.{encrypted_key}.{}.{}.{}",
            URL_SAFE_NO_PAD.encode(iv),
            URL_SAFE_NO_PAD.encode(ct),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    #[test]
    fn only_dir_tokens_without_extensions_open() {
        let codec = jwe(Flavour::AuthJs, &["s"], "authjs.session-token");
        let kid = codec.secrets[0].cbc_kid.clone();
        let open = |t: String| codec.open(&Claimed::main(t), NOW, None, limits()).map(|_| ());
        let header = |extra: &str| format!("{{\"alg\":\"dir\",\"enc\":\"A256CBC-HS512\",\"kid\":\"{kid}\"{extra}}}");
        assert!(open(token_with(&codec, &header(""), "", "{\"a\":1}")).is_ok());
        // `dir` has no encrypted key; another algorithm is refused even with none.
        assert!(open(token_with(&codec, &header(""), "AAAA", "{\"a\":1}")).is_err());
        let kw = format!("{{\"alg\":\"A256KW\",\"enc\":\"A256CBC-HS512\",\"kid\":\"{kid}\"}}");
        assert!(open(token_with(&codec, &kw, "", "{\"a\":1}")).is_err());
        // Either extension alone is refused.
        assert!(open(token_with(&codec, &header(",\"crit\":[\"x\"]"), "", "{\"a\":1}")).is_err());
        assert!(open(token_with(&codec, &header(",\"zip\":\"DEF\""), "", "{\"a\":1}")).is_err());
    }

    #[test]
    fn next_auth_v4_reads_no_cbc_tokens() {
        let v4 = jwe(Flavour::NextAuthV4, &["s"], "next-auth.session-token");
        // The same secrets, encrypting as Auth.js does (A256CBC-HS512 with a kid): v4 refuses the encryption.
        let mut as_authjs = v4.clone();
        as_authjs.flavour = Flavour::AuthJs;
        let token = seal(&as_authjs, "x").remove(0).1;
        assert!(v4.open(&Claimed::main(token.clone()), NOW, None, limits()).is_err());
        assert!(as_authjs.open(&Claimed::main(token), NOW, None, limits()).is_ok());
    }

    #[test]
    fn claims_are_checked_as_jose_checks_them() {
        let codec = jwe(Flavour::AuthJs, &["s"], "authjs.session-token");
        let kid = codec.secrets[0].cbc_kid.clone();
        let header = format!("{{\"alg\":\"dir\",\"enc\":\"A256CBC-HS512\",\"kid\":\"{kid}\"}}");
        let open = |claims: &str| {
            codec
                .open(
                    &Claimed::main(token_with(&codec, &header, "", claims)),
                    NOW,
                    None,
                    limits(),
                )
                .map(|_| ())
        };
        // A float `exp` is a time (floored); one too large for a number is refused.
        assert!(open(&format!("{{\"exp\":{}.5}}", NOW + 100)).is_ok());
        assert!(open("{\"exp\":1e400}").is_err());
        assert!(open("{\"exp\":\"soon\"}").is_err());
        // `nbf` up to 15 s ahead is accepted, later refused.
        assert!(open(&format!("{{\"nbf\":{}}}", NOW + 15)).is_ok());
        assert!(open(&format!("{{\"nbf\":{}}}", NOW + 16)).is_err());
        assert!(open(&format!("{{\"nbf\":{}}}", NOW - 100)).is_ok());
    }

    /// Auth.js' and next-auth v4's session defaults (`session.maxAge = 30 * 24 * 60 * 60` in both, their
    /// session cookie `HttpOnly`, `SameSite=Lax`, path `/`), and a session read is encoded again.
    #[test]
    fn defaults_are_the_frameworks() {
        for (d, name) in [
            (authjs_defaults(), "authjs.session-token"),
            (next_auth_v4_defaults(), "next-auth.session-token"),
        ] {
            assert_eq!(d.lifetime, 2_592_000);
            assert_eq!(d.cookie_name, name);
            assert!(d.http_only && !d.secure && d.refresh_each_request);
            assert_eq!(d.same_site, Some(SameSite::Lax));
        }
    }

    /// Debug shows the flavour, how many secrets and the name, never a secret.
    #[test]
    fn debug_shows_no_secret() {
        let shown = format!(
            "{:?}",
            jwe(Flavour::AuthJs, &["secret-one", "secret-two"], "authjs.session-token")
        );
        assert_eq!(
            shown,
            "Jwe { flavour: AuthJs, secrets: 2, name: \"authjs.session-token\" }"
        );
        assert!(!shown.contains("secret-one"));
    }

    /// A GCM token (next-auth v4) whose ciphertext and tag split elsewhere holds the same bytes, but its tag is
    /// not 128 bits: refused, as jose refuses it (RFC 7518 5.3: the tag MUST be 128 bits).
    #[test]
    fn gcm_tags_are_128_bits() {
        let codec = jwe(Flavour::NextAuthV4, &["secret"], "next-auth.session-token");
        let token = seal(&codec, "alice").remove(0).1;
        let parts: Vec<&str> = token.split('.').collect();
        let mut ct = URL_SAFE_NO_PAD.decode(parts[3]).unwrap();
        let mut tag = URL_SAFE_NO_PAD.decode(parts[4]).unwrap();
        assert_eq!(tag.len(), 16);
        tag.insert(0, ct.pop().unwrap());
        let moved = format!(
            "{}..{}.{}.{}",
            parts[0],
            parts[2],
            URL_SAFE_NO_PAD.encode(&ct),
            URL_SAFE_NO_PAD.encode(&tag)
        );
        let name = "next-auth.session-token";
        assert!(
            codec
                .open(&claimed(vec![(name.into(), token)]), NOW, None, limits())
                .is_ok()
        );
        assert_eq!(
            codec
                .open(&claimed(vec![(name.into(), moved)]), NOW, None, limits())
                .map(|_| ()),
            Err(SessionError::BadSignature)
        );
    }

    /// Every token's `jti` is a version 4 UUID, as `crypto.randomUUID()` writes it.
    #[test]
    fn jti_is_a_version_4_uuid() {
        let codec = jwe(Flavour::AuthJs, &["secret"], "authjs.session-token");
        for _ in 0..32 {
            let opened = codec.open(&claimed(seal(&codec, "x")), NOW, None, limits()).unwrap();
            let Some(Value::Str(jti)) = opened.data.get("jti") else {
                panic!("no jti")
            };
            let b = jti.as_bytes();
            assert_eq!(b.len(), 36, "{jti}");
            assert_eq!((b[8], b[13], b[18], b[23]), (b'-', b'-', b'-', b'-'), "{jti}");
            assert_eq!(b[14], b'4', "{jti}");
            assert!(matches!(b[19], b'8' | b'9' | b'a' | b'b'), "{jti}");
        }
    }

    /// What `session-cookie encode` and `CookieCodec::serialize` use: the claims as `JSON.stringify` writes
    /// them, and a token sealed from claims given as JSON (an object; anything else is refused).
    #[test]
    fn claims_serialize_and_seal_from_json() {
        let codec = jwe(Flavour::AuthJs, &["secret"], "authjs.session-token");
        let mut m = Map::new();
        m.insert("name".into(), Value::Str("alice".into()));
        m.insert("n".into(), Value::Int(1));
        assert_eq!(codec.serialize(EntriesRef::Map(&m)), br#"{"n":1,"name":"alice"}"#);
        let sealed = codec
            .seal_serialized(br#"{"name":"bob"}"#, NOW, Some(NOW + 60))
            .unwrap();
        let cookies = sealed.into_iter().map(|(n, v)| (n.into_owned(), v)).collect();
        let opened = codec.open(&claimed(cookies), NOW, None, limits()).unwrap();
        assert_eq!(opened.data.get("name"), Some(&Value::Str("bob".into())));
        assert_eq!(opened.data.get("exp"), Some(&Value::Int((NOW + 60) as i64)));
        assert!(codec.seal_serialized(b"[1]", NOW, None).is_err());
    }
}
