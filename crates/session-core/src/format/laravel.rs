//! Laravel's `cookie` session driver (Laravel 8 to 11, `SESSION_DRIVER=cookie`) as its default `web`
//! middleware sends it: two cookies, both encrypted by `EncryptCookies`.
//!
//! - `laravel_session` (`session.cookie`, from the app's name) holds the session id: 40 letters and digits.
//! - A cookie *named by that id* holds `json_encode(["data" => serialize($attributes), "expires" => unix])`
//!   (`CookieSessionHandler`): the session in PHP's `serialize()` and its expiry, checked when it is read.
//!
//! Each cookie's value is `EncryptCookies`' plaintext `hex(HMAC-SHA1(key, name . "v2")) . "|" . value` (the
//! prefix binds it to its cookie name) through Laravel's `Encrypter`: base64 of the JSON
//! `{"iv":..,"value":..,"mac":..,"tag":..}` where `value` is base64 of AES-256-CBC (PKCS#7) of the plaintext
//! under a random 16-byte IV and `mac` is hex HMAC-SHA256(key, iv . value) over the two base64 texts; with
//! `AES-256-GCM` the IV is 12 bytes, the `tag` holds the 16-byte GCM tag and `mac` is empty. APP_KEY is the
//! 32-byte key (`base64:...`); our fallback keys are Laravel 11's `APP_PREVIOUS_KEYS` (a cookie one of them
//! opens is written again under the current key). `Set-Cookie` is Symfony's spelling: the value
//! `rawurlencode`d, `expires=D, d-M-Y H:i:s GMT; Max-Age=N; path=/; httponly; samesite=lax`.
//!
//! Laravel keeps the id until `regenerate()`, which leaves the old payload cookie in the browser. Here every
//! write gets a fresh id (so a login always rotates it) and deletes the payload cookies the request carried
//! under other ids. Laravel's own keys (`_token`, `_previous`, `_flash`) are kept; a write ages the flash data
//! as `Store::save` does (`_flash.old` keys forgotten, `new` becomes `old`).

use std::borrow::Cow;
use std::fmt::Write as _;

use aes_gcm::aead::{Aead as _, KeyInit as _};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut as _, BlockEncryptMut as _, InnerIvInit as _};
use hmac::{Hmac, Mac as _};
use sha1::Sha1;
use sha2::Sha256;
use smallvec::{SmallVec, smallvec};
use zeroize::Zeroizing;

use super::seam::{
    Claimed, Codec, CookieOrder, Decoded, Defaults, DeleteWhen, ExpiryRule, Limits, Peeked, Refresh, Rules, Sealed,
    SessionText, Settings, Spec,
};
use crate::data::{EntriesRef, SessionData};
use crate::encrypted::os_random;
use crate::error::{Result, SessionError};
use crate::httpdate::http_date;
use crate::key::KeyId;
use crate::payload::Compression;
use crate::php;
use crate::set_cookie::{Attributes, Expiry, SameSite};
use crate::signer::SignerOptions;
use crate::value::Value;

/// Laravel's default `session.lifetime`: 120 minutes.
pub const LIFETIME_SECS: u64 = 120 * 60;

/// What [`Codec::names`] lists for the payload cookie, whose name is the session id.
const PAYLOAD_STAND_IN: &str = "<session id>";

/// The length of a Laravel session id (`Str::random(40)`).
const ID_LEN: usize = 40;

/// The keys Laravel puts in every session: a session holding only these holds nothing of the user's.
const LARAVEL_KEYS: &[&str] = &["_flash", "_previous", "_token"];

const RULES: Rules = Rules {
    // A logout here deletes the cookies the request carried (Laravel's `invalidate()` writes a new, empty session).
    delete: DeleteWhen::CookiePresent,
    // `StartSession` writes both cookies on every request.
    refresh: Refresh::Always,
    expiry: ExpiryRule::FromSession(expiry),
    vary: false,
    delete_absent: false,
    order: CookieOrder::WritesFirst,
    reserved: LARAVEL_KEYS,
};

/// Laravel with `'cipher' => 'AES-256-CBC'` (the default) in the registry.
pub(crate) static CBC: Spec = Spec {
    name: "laravel",
    aliases: &["laravel-cbc"],
    framework: "Laravel 8.83 cookie session driver (EncryptCookies, AES-256-CBC)",
    encrypted: true,
    tagged: false,
    timestamped: false,
    text: SessionText::Wrapped,
    signature: Some(
        "EncryptCookies: Laravel's Encrypter, AES-256-CBC with HMAC-SHA256 over iv and value, under APP_KEY; the \
         plaintext starts with HMAC-SHA1(key, name.\"v2\")",
    ),
    defaults,
    rules: RULES,
    build: |s: &Settings<'_>| -> Result<Box<dyn Codec>> { Ok(Box::new(Laravel::new(s, Cipher::Cbc)?)) },
    peek: |_: &str, _: usize| -> Result<Peeked> { Err(super::seam::peek_needs_key("Laravel")) },
};

/// Laravel with `'cipher' => 'AES-256-GCM'` in the registry.
pub(crate) static GCM: Spec = Spec {
    name: "laravel-gcm",
    aliases: &[],
    framework: "Laravel 8.83 cookie session driver (EncryptCookies, AES-256-GCM)",
    encrypted: true,
    tagged: false,
    timestamped: false,
    text: SessionText::Wrapped,
    signature: Some(
        "EncryptCookies: Laravel's Encrypter, AES-256-GCM under APP_KEY; the plaintext starts with \
         HMAC-SHA1(key, name.\"v2\")",
    ),
    defaults,
    rules: RULES,
    build: |s: &Settings<'_>| -> Result<Box<dyn Codec>> { Ok(Box::new(Laravel::new(s, Cipher::Gcm)?)) },
    peek: |_: &str, _: usize| -> Result<Peeked> { Err(super::seam::peek_needs_key("Laravel")) },
};

/// The skeleton's `config/session.php`: cookie `laravel_session`, 120 minutes, `SameSite=Lax`, `HttpOnly`,
/// path `/`, not `Secure`; both cookies written on every request.
pub(crate) fn defaults() -> Defaults {
    Defaults {
        cookie_name: "laravel_session",
        lifetime: LIFETIME_SECS,
        same_site: Some(SameSite::Lax),
        secure: false,
        http_only: true,
        refresh_each_request: true,
        signer: SignerOptions::default(),
        compression: Compression::Never,
    }
}

/// `StartSession` and `CookieSessionHandler`: both cookies end `lifetime` from now (`expires` and `Max-Age`),
/// and the payload holds the same time; with `expire_on_close` the id cookie ends with the browser while the
/// payload cookie keeps its date (`sealed`, with the lifetime in `max_age`).
fn expiry(_: &SessionData, lifetime: u64, expire_on_close: bool, now: u64) -> Option<Expiry> {
    let at = i64::try_from(now.saturating_add(lifetime).min(crate::signer::MAX_TIMESTAMP)).ok()?;
    Some(Expiry {
        max_age: Some(i128::from(lifetime)),
        expires: (!expire_on_close).then_some(at),
        sealed: Some(at),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cipher {
    Cbc,
    Gcm,
}

impl Cipher {
    fn iv_len(self) -> usize {
        match self {
            Self::Cbc => 16,
            Self::Gcm => 12,
        }
    }
}

/// The length of `EncryptCookies`' prefix: 40 hex digits of HMAC-SHA1 and `|`.
const PREFIX_LEN: usize = 41;

/// One APP_KEY (or previous key), keyed once when the configuration is built: the cipher's key schedule,
/// HMAC-SHA256 and HMAC-SHA1 keyed (each message clones the keyed state), and the id cookie's prefix, which
/// depends only on the key and the cookie name.
#[derive(Clone)]
struct AppKey {
    id: KeyId,
    cipher: Keyed,
    /// HMAC-SHA1 keyed for `CookieValuePrefix::create`.
    prefix_mac: Hmac<Sha1>,
    /// The id cookie's prefix under this key.
    id_prefix: [u8; PREFIX_LEN],
}

/// A key's cipher, keyed: AES-256 with HMAC-SHA256 (CBC), or AES-256-GCM.
#[derive(Clone)]
enum Keyed {
    Cbc { aes: aes::Aes256, mac: Hmac<Sha256> },
    Gcm(Aes256Gcm),
}

impl AppKey {
    fn new(id: KeyId, key: &[u8; 32], cipher: Cipher, name: &str) -> Self {
        #[allow(clippy::expect_used, reason = "HMAC takes keys of any length")]
        let prefix_mac = <Hmac<Sha1> as hmac::Mac>::new_from_slice(key).expect("HMAC takes any key length");
        let cipher = match cipher {
            Cipher::Cbc => Keyed::Cbc {
                aes: aes::Aes256::new(key.into()),
                #[allow(clippy::expect_used, reason = "HMAC takes keys of any length")]
                mac: <Hmac<Sha256> as hmac::Mac>::new_from_slice(key).expect("HMAC takes any key length"),
            },
            Cipher::Gcm => Keyed::Gcm(Aes256Gcm::new(key.into())),
        };
        let mut k = Self {
            id,
            cipher,
            prefix_mac,
            id_prefix: [0; PREFIX_LEN],
        };
        k.id_prefix = k.prefix(name);
        k
    }

    /// `CookieValuePrefix::create`: `hex(HMAC-SHA1(key, name . "v2")) . "|"`.
    fn prefix(&self, name: &str) -> [u8; PREFIX_LEN] {
        let mut mac = self.prefix_mac.clone();
        mac.update(name.as_bytes());
        mac.update(b"v2");
        let mut out = [b'|'; PREFIX_LEN];
        hex_into(&mac.finalize().into_bytes(), &mut out[..PREFIX_LEN - 1]);
        out
    }
}

/// The Laravel codec: the keys (current first), the cipher and the id cookie's name.
#[derive(Clone)]
struct Laravel {
    keys: Vec<AppKey>,
    cipher: Cipher,
    name: String,
}

impl std::fmt::Debug for Laravel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Laravel")
            .field("keys", &self.keys.len())
            .field("cipher", &self.cipher)
            .field("name", &self.name)
            .finish()
    }
}

/// What one cookie's value opened to: the key that opened it and the text after `EncryptCookies`' prefix.
struct Opened {
    key: KeyId,
    text: Zeroizing<Vec<u8>>,
}

impl Laravel {
    fn new(s: &Settings<'_>, cipher: Cipher) -> Result<Self> {
        let mut keys = Vec::new();
        for (id, k) in s.keyring.verification_order() {
            let bytes = k.bytes();
            let key: [u8; 32] = bytes.try_into().map_err(|_| {
                SessionError::Config(format!(
                    "Laravel's APP_KEY for AES-256 is 32 bytes (`base64:` and 44 characters, as `php artisan \
                     key:generate` writes it); the {id} key has {}",
                    bytes.len()
                ))
            })?;
            let key = Zeroizing::new(key);
            keys.push(AppKey::new(id, &key, cipher, s.cookie_name));
        }
        Ok(Self {
            keys,
            cipher,
            name: s.cookie_name.to_owned(),
        })
    }

    /// `EncryptCookies::decrypt` of one cookie: `Encrypter::decrypt` under each key in order, then the prefix
    /// for `name` under one of the keys. PHP reads the cookie value with `rawurldecode`.
    fn open_cookie(&self, name: &str, value: &str) -> Result<Opened> {
        let raw = raw_url_decode(value);
        for k in &self.keys {
            let Some(plain) = self.decrypt(k, &raw)? else {
                continue;
            };
            // Laravel 11 checks the prefix under every key; Laravel 8 has one key. The id cookie's prefix is
            // known; the payload cookie's depends on its name, the session id.
            let ok = plain.len() >= PREFIX_LEN
                && self.keys.iter().any(|p| {
                    let prefix = if name == self.name { p.id_prefix } else { p.prefix(name) };
                    bool::from(subtle_eq(&plain[..PREFIX_LEN], &prefix))
                });
            if !ok {
                return Err(SessionError::BadSignature);
            }
            return Ok(Opened {
                key: k.id,
                text: Zeroizing::new(plain[PREFIX_LEN..].to_vec()),
            });
        }
        Err(SessionError::BadSignature)
    }

    /// `Encrypter::decrypt($payload, false)` under one key: `Ok(None)` when this key's MAC or tag does not
    /// verify (the next key may), an error when the envelope itself is unreadable.
    fn decrypt(&self, key: &AppKey, payload: &[u8]) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let json = php_base64_decode(payload);
        let env: serde_json::Value =
            serde_json::from_slice(&json).map_err(|_| SessionError::Malformed("not a Laravel encrypted value"))?;
        let field = |k: &str| env.get(k).and_then(serde_json::Value::as_str);
        let (Some(iv_b64), Some(value_b64), Some(mac_hex)) = (field("iv"), field("value"), field("mac")) else {
            return Err(SessionError::Malformed("not a Laravel encrypted value"));
        };
        let iv = STANDARD
            .decode(iv_b64)
            .ok()
            .filter(|iv| iv.len() == self.cipher.iv_len())
            .ok_or(SessionError::Malformed("a Laravel encrypted value with a bad iv"))?;
        let tag = field("tag").filter(|t| !t.is_empty());
        let ct = STANDARD
            .decode(value_b64)
            .map_err(|_| SessionError::Malformed("a Laravel encrypted value that is not base64"))?;
        match &key.cipher {
            Keyed::Cbc { aes, mac } => {
                if tag.is_some() {
                    return Err(SessionError::Malformed("a tag on an AES-CBC value"));
                }
                let mut mac = mac.clone();
                mac.update(iv_b64.as_bytes());
                mac.update(value_b64.as_bytes());
                let Some(given) = unhex(mac_hex) else {
                    return Err(SessionError::BadSignature);
                };
                if mac.verify_slice(&given).is_err() {
                    return Ok(None);
                }
                let iv: [u8; 16] = iv.try_into().map_err(|_| SessionError::BadSignature)?;
                let plain = cbc::Decryptor::<aes::Aes256>::inner_iv_init(aes.clone(), &iv.into())
                    .decrypt_padded_vec_mut::<Pkcs7>(&ct)
                    .map_err(|_| SessionError::BadSignature)?;
                Ok(Some(Zeroizing::new(plain)))
            }
            Keyed::Gcm(gcm) => {
                let tag = tag
                    .and_then(|t| STANDARD.decode(t).ok())
                    .filter(|t| t.len() == 16)
                    .ok_or(SessionError::Malformed("an AES-GCM value without a 16-byte tag"))?;
                let mut sealed = ct;
                sealed.extend_from_slice(&tag);
                Ok(gcm
                    .decrypt(Nonce::from_slice(&iv), sealed.as_slice())
                    .ok()
                    .map(Zeroizing::new))
            }
        }
    }

    /// `Encrypter::encrypt($prefix . $value, false)` under the current key.
    fn encrypt(&self, name: &str, value: &[u8]) -> Result<String> {
        let key = &self.keys[0];
        let mut plain = Zeroizing::new(Vec::with_capacity(PREFIX_LEN + value.len()));
        if name == self.name {
            plain.extend_from_slice(&key.id_prefix);
        } else {
            plain.extend_from_slice(&key.prefix(name));
        }
        plain.extend_from_slice(value);
        let (iv, ct, mac, tag) = match &key.cipher {
            Keyed::Cbc { aes, mac } => {
                let iv: [u8; 16] = os_random()?;
                let ct = cbc::Encryptor::<aes::Aes256>::inner_iv_init(aes.clone(), &iv.into())
                    .encrypt_padded_vec_mut::<Pkcs7>(&plain);
                let (iv, ct) = (STANDARD.encode(iv), STANDARD.encode(ct));
                let mut mac = mac.clone();
                mac.update(iv.as_bytes());
                mac.update(ct.as_bytes());
                (iv, ct, hex(&mac.finalize().into_bytes()), String::new())
            }
            Keyed::Gcm(gcm) => {
                let iv: [u8; 12] = os_random()?;
                let mut sealed = gcm
                    .encrypt(Nonce::from_slice(&iv), plain.as_slice())
                    .map_err(|_| SessionError::Value("the session is too large to encrypt".into()))?;
                let tag = sealed.split_off(sealed.len() - 16);
                (
                    STANDARD.encode(iv),
                    STANDARD.encode(sealed),
                    String::new(),
                    STANDARD.encode(tag),
                )
            }
        };
        // `json_encode(compact('iv', 'value', 'mac', 'tag'), JSON_UNESCAPED_SLASHES)`: base64 and hex need no
        // escaping.
        let json = format!(r#"{{"iv":"{iv}","value":"{ct}","mac":"{mac}","tag":"{tag}"}}"#);
        Ok(STANDARD.encode(json))
    }

    /// The session id the id cookie holds, when it is one (`Store::isValidId`: 40 letters and digits).
    fn id(&self, claimed: &Claimed) -> Result<(String, KeyId)> {
        let value = claimed.main.as_deref().unwrap_or_default();
        let opened = self.open_cookie(&self.name, value)?;
        let id = String::from_utf8(opened.text.to_vec()).map_err(|_| SessionError::Malformed("a bad session id"))?;
        if !is_id(&id) {
            return Err(SessionError::Malformed("a bad session id"));
        }
        Ok((id, opened.key))
    }
}

impl Codec for Laravel {
    fn boxed_clone(&self) -> Box<dyn Codec> {
        Box::new(self.clone())
    }

    fn name(&self) -> &str {
        &self.name
    }

    /// PHP's `$_COOKIE`: the first cookie of a name wins. Claimed: the id cookie, and every cookie whose name is
    /// a session id and whose value is a Laravel encrypted value (the payload cookie, and any a regenerated id
    /// left behind; which one is the session's is known once the id cookie is decrypted).
    fn claim(&self, headers: &[&[u8]]) -> Claimed {
        let mut claimed = Claimed::default();
        for (name, value) in php_cookie_pairs(headers) {
            if name == self.name {
                if claimed.main.is_none() {
                    claimed.main = Some(value.to_owned());
                }
            } else if is_id(name) && looks_encrypted(value) && claimed.extra(name).is_none() {
                claimed.extra.push((name.to_owned(), value.to_owned()));
            }
        }
        claimed
    }

    fn open_main(&self, value: &str, now: u64, max_age: Option<u64>, limits: Limits) -> Result<Decoded> {
        self.open(&Claimed::main(value), now, max_age, limits)
    }

    /// `StartSession` and `CookieSessionHandler::read`: the id from the id cookie, the payload cookie of that
    /// name, its `expires` not passed, its `data` unserialized to an array.
    fn open(&self, claimed: &Claimed, now: u64, _max_age: Option<u64>, limits: Limits) -> Result<Decoded> {
        let (id, id_key) = self.id(claimed)?;
        let payload = claimed
            .extra(&id)
            .ok_or(SessionError::Malformed("the session's payload cookie is missing"))?;
        let opened = self.open_cookie(&id, payload)?;
        let stored: Stored = serde_json::from_slice(&opened.text)
            .map_err(|_| SessionError::BadPayload("not Laravel's session payload".into()))?;
        // `currentTime() <= expires` (a number PHP compares as it is; anything else never passes).
        #[allow(clippy::cast_precision_loss, reason = "Unix seconds are far below 2^53")]
        let fresh = stored.expires.as_f64().is_some_and(|e| now as f64 <= e);
        if !fresh {
            #[allow(clippy::cast_possible_truncation, reason = "a float's whole seconds, saturating")]
            let at = stored.expires.as_f64().unwrap_or(0.0).floor() as i64;
            return Err(SessionError::ExpiredAt { at });
        }
        let map = match php::decode(stored.data.as_bytes(), limits.values)? {
            Value::Dict(m) => m,
            Value::List(items) => items.into_iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect(),
            _ => return Err(SessionError::BadPayload("the session is not a PHP array".into())),
        };
        let key = match (id_key, opened.key) {
            (KeyId::Current, k) => k,
            (k, _) => k,
        };
        Ok(Decoded {
            data: SessionData::from(map),
            timestamp: None,
            key,
            compressed: false,
            rewrite: false,
        })
    }

    fn serialize(&self, data: EntriesRef<'_>) -> Vec<u8> {
        serialize_aged(data).unwrap_or_default()
    }

    /// The id cookie, then a stand-in for the payload cookie, whose name is the session's id (known only per
    /// session): tools learn that a session spans two cookies. `<session id>` is no cookie name (`<` and the
    /// space are not allowed in one), so nothing is ever set or deleted under it (`delete_absent` is off).
    fn names(&self) -> SmallVec<[&str; 2]> {
        smallvec![self.name.as_str(), PAYLOAD_STAND_IN]
    }

    /// PHP values (objects) come back as they came.
    fn foreign(&self) -> Option<&'static str> {
        Some(php::SERIALIZER)
    }

    fn seal(&self, data: EntriesRef<'_>, now: u64, expires: Option<u64>) -> Result<Sealed<'_>> {
        self.seal_serialized(&serialize_aged(data)?, now, expires)
    }

    /// A fresh id, the id cookie holding it and the payload cookie named by it.
    fn seal_serialized(&self, serialized: &[u8], now: u64, expires: Option<u64>) -> Result<Sealed<'_>> {
        let data = std::str::from_utf8(serialized).map_err(|_| {
            SessionError::Value("a Laravel session holds bytes that are not UTF-8 (json_encode refuses them)".into())
        })?;
        let id = new_id()?;
        let payload = format!(
            r#"{{"data":{},"expires":{}}}"#,
            php_json_string(data),
            expires.unwrap_or(now)
        );
        Ok(smallvec![
            (
                Cow::Borrowed(self.name.as_str()),
                self.encrypt(&self.name, id.as_bytes())?
            ),
            (Cow::Owned(id.clone()), self.encrypt(&id, payload.as_bytes())?),
        ])
    }

    /// Symfony's `Cookie::__toString`: `name=rawurlencode(value); expires=D, d-M-Y H:i:s GMT; Max-Age=N;
    /// path=P; domain=D; secure; httponly; samesite=lax`. A deletion is Symfony's own spelling of an empty
    /// value (`deleted`, `Max-Age=0`) with the 1970 date.
    fn render(&self, name: &str, value: Option<&str>, attrs: &Attributes<'_>, expiry: Expiry) -> String {
        let mut out = String::with_capacity(64 + value.map_or(0, str::len) * 5 / 4);
        out.push_str(name);
        out.push('=');
        match value {
            None => out.push_str("deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0"),
            Some(v) => {
                raw_url_encode(v, &mut out);
                // The id cookie ends with the browser under `expire_on_close`; the payload cookie keeps its date.
                let at = if name == self.name {
                    expiry.expires
                } else {
                    expiry.expires.or(expiry.sealed)
                };
                if let Some(t) = at {
                    let _ = write!(
                        out,
                        "; expires={}; Max-Age={}",
                        symfony_date(t),
                        expiry.max_age.unwrap_or(0).max(0)
                    );
                }
            }
        }
        if !attrs.path.is_empty() {
            let _ = write!(out, "; path={}", attrs.path);
        }
        if let Some(d) = attrs.domain.filter(|d| !d.is_empty()) {
            let _ = write!(out, "; domain={d}");
        }
        if attrs.secure || attrs.partitioned {
            out.push_str("; secure");
        }
        if attrs.http_only {
            out.push_str("; httponly");
        }
        if let Some(s) = attrs.same_site {
            out.push_str(s.attribute_lowercase());
        }
        out
    }
}

/// `CookieSessionHandler`'s JSON.
#[derive(serde::Deserialize)]
struct Stored {
    data: String,
    expires: serde_json::Number,
}

/// `serialize($attributes)` after `Store::ageFlashData`: the keys listed in `_flash.old` are forgotten,
/// `_flash.old` becomes `_flash.new` and `_flash.new` empty (written `old` first, as Laravel's array holds them).
fn serialize_aged(data: EntriesRef<'_>) -> Result<Vec<u8>> {
    use crate::data::Entries as _;
    let flash = data.entries().find(|(k, _)| *k == "_flash").map(|(_, v)| v);
    let list = |key: &str| -> Vec<Value> {
        match flash {
            Some(Value::Dict(m)) => match m.get(key) {
                Some(Value::List(l)) => l.clone(),
                Some(Value::Dict(d)) => d.values().cloned().collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    };
    let old = list("old");
    let new = list("new");
    let forget: Vec<&str> = old.iter().filter_map(Value::as_str).collect();
    let kept: Vec<(&str, &Value)> = data
        .entries()
        .filter(|(k, _)| *k != "_flash" && !forget.contains(k))
        .collect();
    let mut out = Vec::with_capacity(256);
    let _ = write!(Bytes(&mut out), "a:{}:{{", kept.len() + 1);
    for (k, v) in kept {
        php::write_key(k, &mut out);
        php::write(v, &mut out)?;
    }
    out.extend_from_slice(b"s:6:\"_flash\";a:2:{s:3:\"old\";");
    php::write(&Value::List(new), &mut out)?;
    out.extend_from_slice(b"s:3:\"new\";a:0:{}}}");
    Ok(out)
}

/// `fmt::Write` into a byte buffer.
struct Bytes<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// `Store::isValidId`: 40 ASCII letters and digits.
fn is_id(s: &str) -> bool {
    s.len() == ID_LEN && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Whether a cookie value is a Laravel encrypted value: base64 of `{"iv":` (`eyJpdiI6`), raw or URL-encoded.
fn looks_encrypted(value: &str) -> bool {
    value.starts_with("eyJpdiI6")
}

/// `Str::random(40)`: 40 letters and digits from the OS random source.
fn new_id() -> Result<String> {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut id = String::with_capacity(ID_LEN);
    while id.len() < ID_LEN {
        let bytes: [u8; 64] = os_random()?;
        // Bytes below 248 (4 × 62) pick a character without bias.
        for b in bytes.into_iter().filter(|&b| b < 248) {
            if id.len() == ID_LEN {
                break;
            }
            id.push(char::from(ALPHABET[usize::from(b % 62)]));
        }
    }
    Ok(id)
}

/// The cookies of `Cookie` header lines as PHP splits them for `$_COOKIE`: on `;`, leading whitespace cut from
/// the name, the value up to the next `;` (not decoded here), a pair without `=` skipped.
fn php_cookie_pairs<'a>(headers: &[&'a [u8]]) -> impl Iterator<Item = (&'a str, &'a str)> {
    headers
        .iter()
        .flat_map(|line| line.split(|&b| b == b';'))
        .filter_map(|pair| {
            let pair = std::str::from_utf8(pair).ok()?;
            let (name, value) = pair.split_once('=')?;
            let name = name.trim_start();
            (!name.is_empty()).then_some((name, value))
        })
}

/// PHP's `rawurldecode`: `%XX` is that byte, everything else (a `%` without two hex digits) as it is, which
/// is `percent-encoding`'s rule.
fn raw_url_decode(text: &str) -> Cow<'_, [u8]> {
    crate::cookies::percent_decode(text)
}

/// PHP's `rawurlencode`: every byte but `A-Z a-z 0-9 - _ . ~` as `%XX` (uppercase).
fn raw_url_encode(text: &str, out: &mut String) {
    const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
    let unreserved = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~');
    let mut rest = text.as_bytes();
    while !rest.is_empty() {
        // The run of unreserved characters (ASCII) as it is, then one byte encoded.
        let run = rest.iter().position(|b| !unreserved(b)).unwrap_or(rest.len());
        out.push_str(std::str::from_utf8(&rest[..run]).unwrap_or_default());
        let Some(&b) = rest.get(run) else {
            break;
        };
        out.push('%');
        out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
        out.push(char::from(HEX_UPPER[usize::from(b & 0xf)]));
        rest = &rest[run + 1..];
    }
}

/// PHP's `base64_decode` (not strict): every character outside the alphabet skipped (`=` included, wherever
/// it is), a lone last character dropped, unused bits ignored.
fn php_base64_decode(text: &[u8]) -> Vec<u8> {
    let in_alphabet = |b: &u8| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/';
    // Every value Laravel writes is the alphabet and trailing `=`: read it in place.
    let unpadded = text
        .iter()
        .rposition(|b| *b != b'=')
        .map_or(&text[..0], |last| &text[..=last]);
    let mut kept: Cow<'_, [u8]> = if unpadded.iter().all(in_alphabet) {
        Cow::Borrowed(unpadded)
    } else {
        Cow::Owned(text.iter().copied().filter(in_alphabet).collect())
    };
    if kept.len() % 4 == 1 {
        kept = match kept {
            Cow::Borrowed(k) => Cow::Borrowed(&k[..k.len() - 1]),
            Cow::Owned(mut k) => {
                k.pop();
                Cow::Owned(k)
            }
        };
    }
    base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone),
    )
    .decode(kept)
    .unwrap_or_default()
}

/// A JSON string as PHP's `json_encode` writes it by default: `\/`, `\uXXXX` (lowercase) for every non-ASCII
/// UTF-16 unit and control character but the short escapes.
fn php_json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_ascii() && !c.is_ascii_control() || c == '\u{7f}' => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
        }
    }
    out.push('"');
    out
}

/// `gmdate('D, d-M-Y H:i:s T')`: `Wed, 15-Nov-2023 00:13:20 GMT`.
fn symfony_date(t: i64) -> String {
    // `http_date` writes `Wed, 15 Nov 2023 00:13:20 GMT`: the date's two spaces become dashes.
    let d = http_date(t);
    let mut parts = d.splitn(5, ' ');
    let (Some(day), Some(dd), Some(mon), Some(year), Some(rest)) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return d;
    };
    format!("{day} {dd}-{mon}-{year} {rest}")
}

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex of `bytes` into `out`, which is twice as long.
fn hex_into(bytes: &[u8], out: &mut [u8]) {
    for (b, pair) in bytes.iter().zip(out.chunks_exact_mut(2)) {
        pair[0] = HEX_LOWER[usize::from(b >> 4)];
        pair[1] = HEX_LOWER[usize::from(b & 0xf)];
    }
}

/// PHP's `bin2hex`: lowercase.
fn hex(bytes: &[u8]) -> String {
    let mut out = vec![0; bytes.len() * 2];
    hex_into(bytes, &mut out);
    out.into_iter().map(char::from).collect()
}

/// Lowercase hex (PHP's `hash_equals` compares the texts) to bytes.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

fn subtle_eq(a: &[u8], b: &[u8]) -> subtle::Choice {
    use subtle::ConstantTimeEq as _;
    a.ct_eq(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codec is named by the id cookie (`laravel_session`, or the app's), names its two kinds of cookie by
    /// it, and its Debug shows how many keys and which cipher, never a key.
    #[test]
    fn name_and_debug_without_keys() {
        let key = crate::key::SecretKey::parse("base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap();
        let ring = crate::key::Keyring::new(key);
        let codec = Laravel::new(
            &Settings {
                keyring: &ring,
                signer: &crate::signer::SignerOptions::default(),
                compression: Compression::Never,
                cookie_name: "myapp_session",
                key_ids: None,
                max_chunks: 1,
                attributes: None,
                encryption_keys: &[],
            },
            Cipher::Gcm,
        )
        .unwrap();
        assert_eq!(codec.name(), "myapp_session");
        assert_eq!(
            format!("{codec:?}"),
            "Laravel { keys: 1, cipher: Gcm, name: \"myapp_session\" }"
        );
    }

    fn codec() -> Laravel {
        let key = crate::key::SecretKey::parse("base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap();
        let ring = crate::key::Keyring::new(key);
        Laravel::new(
            &Settings {
                keyring: &ring,
                signer: &crate::signer::SignerOptions::default(),
                compression: Compression::Never,
                cookie_name: "laravel_session",
                key_ids: None,
                max_chunks: 1,
                attributes: None,
                encryption_keys: &[],
            },
            Cipher::Cbc,
        )
        .unwrap()
    }

    /// `Store::save` after `ageFlashData`: the keys `_flash.old` lists are forgotten, `_flash.new` becomes
    /// `_flash.old` (a list, whatever its keys were), and `_flash.new` is empty.
    #[test]
    fn the_session_is_serialized_with_its_flash_data_aged() {
        let mut flash = crate::value::Map::new();
        flash.insert("old".into(), Value::List(vec![Value::Str("gone".into())]));
        // `array_unique` can leave keys that are not 0, 1, ...: PHP's array then reads as a map.
        let mut new = crate::value::Map::new();
        new.insert("3".into(), Value::Str("status".into()));
        flash.insert("new".into(), Value::Dict(new));
        let mut map = crate::value::Map::new();
        map.insert("a".into(), Value::Int(1));
        map.insert("gone".into(), Value::Int(2));
        map.insert("status".into(), Value::Str("saved".into()));
        map.insert("_flash".into(), Value::Dict(flash));
        let text = codec().serialize(EntriesRef::Map(&map));
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "a:3:{s:1:\"a\";i:1;s:6:\"status\";s:5:\"saved\";\
             s:6:\"_flash\";a:2:{s:3:\"old\";a:1:{i:0;s:6:\"status\";}s:3:\"new\";a:0:{}}}"
        );
    }

    /// A payload whose attributes are a PHP list (`a:2:{i:0;...}`, which `array_replace` takes as any array)
    /// reads as entries named by their indexes; anything but an array is refused.
    #[test]
    fn a_list_payload_reads_by_index_and_a_scalar_is_refused() {
        let c = codec();
        let open = |text: &[u8]| {
            let sealed = c.seal_serialized(text, 1_700_000_000, Some(1_700_007_200)).unwrap();
            let header: Vec<String> = sealed.iter().map(|(n, v)| format!("{n}={v}")).collect();
            let header = header.join("; ");
            let claimed = c.claim(&[header.as_bytes()]);
            let limits = Limits {
                decompressed: 1 << 20,
                values: 1000,
            };
            c.open(&claimed, 1_700_000_060, None, limits)
        };
        let d = open(b"a:2:{i:0;s:1:\"x\";i:1;b:1;}").unwrap();
        assert_eq!(d.data.get("0"), Some(&Value::Str("x".into())));
        assert_eq!(d.data.get("1"), Some(&Value::Bool(true)));
        assert!(open(b"s:1:\"x\";").is_err());
    }

    /// The MAC is compared as Laravel compares it (`hash_equals` of lowercase hex): the same MAC in uppercase,
    /// or cut to an odd length, is refused.
    #[test]
    fn a_mac_in_other_hex_is_refused() {
        let c = codec();
        let sealed = c
            .seal_serialized(b"a:0:{}", 1_700_000_000, Some(1_700_007_200))
            .unwrap();
        let (name, value) = (&sealed[0].0, &sealed[0].1);
        assert!(c.open_cookie(name, value).is_ok());
        let json: serde_json::Value =
            serde_json::from_slice(&STANDARD.decode(raw_url_decode(value).as_ref()).unwrap()).unwrap();
        let mac = json["mac"].as_str().unwrap().to_owned();
        for other in [mac.to_uppercase(), mac[..mac.len() - 1].to_owned()] {
            let mut forged = json.clone();
            forged["mac"] = serde_json::Value::String(other);
            let forged = STANDARD.encode(serde_json::to_vec(&forged).unwrap());
            assert!(c.open_cookie(name, &forged).is_err(), "{forged}");
        }
    }

    /// Symfony 5.4's `Cookie::__toString` (Laravel 8.83): the value raw-URL-encoded, `expires` and `Max-Age`,
    /// then `path`, `domain`, `secure`, `httponly` and `samesite`, each only when set; a deletion is `deleted`
    /// dated a year before the epoch's second second.
    #[test]
    fn set_cookie_is_symfony_s() {
        let attrs = |path, domain, secure| Attributes {
            domain,
            path,
            secure,
            http_only: true,
            same_site: Some(crate::set_cookie::SameSite::Lax),
            partitioned: false,
        };
        let expiry = Expiry {
            max_age: Some(7200),
            expires: Some(1_700_007_200),
            sealed: None,
        };
        let c = codec();
        assert_eq!(
            c.render("laravel_session", Some("a b"), &attrs("/", None, true), expiry),
            "laravel_session=a%20b; expires=Wed, 15-Nov-2023 00:13:20 GMT; Max-Age=7200; path=/; secure; httponly; \
             samesite=lax"
        );
        assert_eq!(
            c.render("laravel_session", None, &attrs("", Some("example.com"), false), expiry),
            "laravel_session=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0; domain=example.com; \
             httponly; samesite=lax"
        );
    }

    #[test]
    fn dates_are_symfony_s() {
        assert_eq!(symfony_date(1_700_007_200), "Wed, 15-Nov-2023 00:13:20 GMT");
    }

    #[test]
    fn json_strings_are_php_s() {
        assert_eq!(
            php_json_string("a/\"\u{e9}\u{1f600}\u{1}"),
            r#""a\/\"\u00e9\ud83d\ude00\u0001""#
        );
    }

    #[test]
    fn url_coding_is_php_s() {
        let mut out = String::new();
        raw_url_encode("a+b/c=", &mut out);
        assert_eq!(out, "a%2Bb%2Fc%3D");
        // From PHP 8.2's rawurlencode().
        out.clear();
        raw_url_encode("\u{e9}x-_.~ %", &mut out);
        assert_eq!(out, "%C3%A9x-_.~%20%25");
        assert_eq!(&*raw_url_decode("a%2Bb%2fc%3D%zz%"), b"a+b/c=%zz%");
    }

    #[test]
    fn base64_is_read_as_php_reads_it() {
        // From PHP 8.2's base64_decode().
        assert_eq!(php_base64_decode(b"YWJj=ZGVm"), b"abcdef");
        assert_eq!(php_base64_decode(b"YQ=A"), b"a\0");
        assert_eq!(php_base64_decode(b"Y Q=="), b"a");
        assert_eq!(php_base64_decode(b"+/+/"), b"\xfb\xff\xbf");
        assert_eq!(php_base64_decode(b"a+b/c"), b"\x6b\xe6\xff");
        assert_eq!(php_base64_decode(b"//8="), b"\xff\xff");
        // A character left alone after the last group of four is dropped.
        assert_eq!(php_base64_decode(b"YWJjZ"), b"abc");
        assert_eq!(php_base64_decode(b"YWJj Z"), b"abc");
        assert_eq!(php_base64_decode(b"Y"), b"");
        assert_eq!(php_base64_decode(b"YWJjZA=Z"), b"abcd\x06");
    }

    #[test]
    fn ids_are_forty_letters_and_digits() {
        let id = new_id().unwrap();
        assert!(is_id(&id), "{id}");
        assert_ne!(id, new_id().unwrap());
        // Every one of the 62 characters can come: 50 ids (2,000 characters) show at least 55 of them (each is
        // missing from all with odds of about 1 in 10^14).
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..50 {
            seen.extend(new_id().unwrap().chars());
        }
        assert!(seen.len() >= 55, "{seen:?}");
    }
}
