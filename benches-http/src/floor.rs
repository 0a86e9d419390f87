//! The floors: the least a signed-cookie session does to read `username` from its cookie (`read`) and to add
//! one to `counter` and send the cookie again (`write`), written directly on `hmac`, `sha1`, `sha2`, `base64`,
//! `serde_json` and the `cookie` crate's jars: no session object, no age check, no lazy decoding, no cookie
//! attributes beyond `HttpOnly; Path=/`. A write decides on compression with the same compress-or-not step
//! as the format (`session_core::wire::payload::encode_payload`, the cheapest correct one we know), so the
//! floor's write costs the least a format's write can.
//!
//! One floor per format that has one ([`Floor::for_format`]); the codec cells and the HTTP `/floor` and
//! `/floor-write` routes use them.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac as _};
use sha1::Sha1;
use sha2::{Digest as _, Sha256};

/// A pre-keyed HMAC, cloned per message.
#[derive(Clone)]
enum Keyed {
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
}

impl Keyed {
    fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
        match self {
            Self::Sha1(m) => m.clone().chain_update(message).verify_slice(sig).is_ok(),
            Self::Sha256(m) => m.clone().chain_update(message).verify_slice(sig).is_ok(),
        }
    }

    /// The signature of `message` and its length.
    fn sign(&self, message: &[u8]) -> ([u8; 32], usize) {
        let mut out = [0u8; 32];
        let n = match self {
            Self::Sha1(m) => {
                out[..20].copy_from_slice(&m.clone().chain_update(message).finalize().into_bytes());
                20
            }
            Self::Sha256(m) => {
                out.copy_from_slice(&m.clone().chain_update(message).finalize().into_bytes());
                32
            }
        };
        (out, n)
    }
}

/// How the signed formats lay out their value: `payload SEP timestamp SEP signature`.
#[derive(Clone, Copy)]
enum Layout {
    /// itsdangerous (Flask, Starlette): timestamp as URL-safe base64 of its big-endian bytes, `.` separators.
    Itsdangerous,
    /// Django's `signing`: timestamp in base62, `:` separators.
    Django,
}

/// The floor of one format.
#[derive(Clone)]
pub struct Floor(Kind);

#[derive(Clone)]
enum Kind {
    /// itsdangerous-style signed cookies: Flask, Starlette, Django.
    Signed {
        cookie: &'static str,
        mac: Keyed,
        layout: Layout,
        /// Standard padded base64 (Starlette) instead of URL-safe unpadded.
        standard_b64: bool,
        /// Flask's and Django's compress-or-not decision on write.
        compress: bool,
    },
    /// The `cookie` crate's signed or private jar with a JSON object of JSON texts (actix-session's state).
    Jar { key: actix_web::cookie::Key, private: bool },
    /// Express' cookie-session: `session=` standard base64 of the JSON, `session.sig=` keygrip's HMAC-SHA1
    /// (raw key) of `session=<value>` in URL-safe base64.
    Express { mac: Keyed },
    /// Laravel's two `EncryptCookies` cookies (AES-256-CBC, HMAC-SHA256), PHP `serialize()` inside.
    Laravel(Box<laravel::Laravel>),
    /// Rails' encrypted cookie store: AES-256-GCM under the PBKDF2 key, the `_rails` envelope.
    Rails(Box<rails::Rails>),
    /// gorilla/securecookie without a block key: URL-safe base64 of `date|base64(gob)|HMAC-SHA256`.
    Gorilla { mac: Hmac<Sha256> },
    /// Auth.js (A256CBC-HS512) and next-auth v4 (A256GCM): a JWE of the claims.
    Jwe(Box<jwe::Jwe>),
    /// iron-session: an iron seal (keys by PBKDF2-HMAC-SHA1 over fresh salts, AES-256-CBC, HMAC-SHA256).
    Iron { prf: Hmac<Sha1> },
}

impl std::fmt::Debug for Floor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Floor")
    }
}

impl Floor {
    /// The floor of the format named `format` (`session_core::Format::name`) for this secret, or `None` when no
    /// floor is written for it.
    pub fn for_format(format: &str, secret: &[u8]) -> Option<Self> {
        let hmac_sha1 = |key: &[u8]| Keyed::Sha1(<Hmac<Sha1>>::new_from_slice(key).expect("any key length"));
        Some(Self(match format {
            "flask" => {
                let mut derive = <Hmac<Sha1>>::new_from_slice(secret).expect("any key length");
                derive.update(b"cookie-session");
                Kind::Signed {
                    cookie: "session",
                    mac: hmac_sha1(&derive.finalize().into_bytes()),
                    layout: Layout::Itsdangerous,
                    standard_b64: false,
                    compress: true,
                }
            }
            "starlette" => Kind::Signed {
                cookie: "session",
                mac: hmac_sha1(
                    &Sha1::new()
                        .chain_update(b"itsdangerous.Signer")
                        .chain_update(b"signer")
                        .chain_update(secret)
                        .finalize(),
                ),
                layout: Layout::Itsdangerous,
                standard_b64: true,
                compress: false,
            },
            "django" => {
                let key = Sha256::new()
                    .chain_update(b"django.contrib.sessions.backends.signed_cookies")
                    .chain_update(b"signer")
                    .chain_update(secret)
                    .finalize();
                Kind::Signed {
                    cookie: "sessionid",
                    mac: Keyed::Sha256(<Hmac<Sha256>>::new_from_slice(&key).expect("any key length")),
                    layout: Layout::Django,
                    standard_b64: false,
                    compress: true,
                }
            }
            "rails" => Kind::Rails(Box::new(rails::Rails::new(secret))),
            "gorilla" => Kind::Gorilla {
                mac: <Hmac<Sha256> as hmac::Mac>::new_from_slice(secret).expect("any key length"),
            },
            "authjs" => Kind::Jwe(Box::new(jwe::Jwe::authjs(secret))),
            "next-auth-v4" => Kind::Jwe(Box::new(jwe::Jwe::next_auth_v4(secret))),
            "iron-session" => Kind::Iron {
                prf: <Hmac<Sha1> as hmac::Mac>::new_from_slice(secret).expect("any key length"),
            },
            "express" => Kind::Express { mac: hmac_sha1(secret) },
            "laravel" => Kind::Laravel(Box::new(laravel::Laravel::new(secret.get(..32)?.try_into().ok()?))),
            "actix-signed" | "actix-private" => Kind::Jar {
                key: actix_web::cookie::Key::try_from(secret).ok()?,
                private: format == "actix-private",
            },
            _ => return None,
        }))
    }

    /// The name of the cookie the floor reads and writes.
    pub fn cookie_name(&self) -> &'static str {
        match &self.0 {
            Kind::Signed { cookie, .. } => cookie,
            Kind::Jar { .. } => "id",
            Kind::Express { .. } => "session",
            Kind::Laravel(_) => laravel::COOKIE,
            Kind::Rails(_) => rails::COOKIE,
            // The codec cells' name for a format without a default one.
            Kind::Gorilla { .. } => "bench_session",
            Kind::Jwe(j) => j.name,
            Kind::Iron { .. } => "bench_session",
        }
    }

    /// The session cookie's value among the `Cookie` header lines: the first `NAME=` pair.
    fn find<'a>(&self, cookie_headers: impl IntoIterator<Item = &'a [u8]>) -> Option<&'a [u8]> {
        let name = self.cookie_name().as_bytes();
        cookie_headers
            .into_iter()
            .flat_map(|h| h.split(|&b| b == b';'))
            .find_map(|c| c.trim_ascii_start().strip_prefix(name)?.strip_prefix(b"="))
    }

    /// The verified session, as JSON: the object itself, or actix-session's object of JSON texts.
    fn open<'a>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'a [u8]>,
    ) -> Option<serde_json::Map<String, serde_json::Value>> {
        if let Kind::Express { mac } = &self.0 {
            // Both cookies in one pass: the first of each name.
            let (mut value, mut sig) = (None, None);
            for c in cookie_headers.into_iter().flat_map(|h| h.split(|&b| b == b';')) {
                let c = c.trim_ascii_start();
                if let Some(v) = c.strip_prefix(b"session=") {
                    value = value.or(Some(v));
                } else if let Some(v) = c.strip_prefix(b"session.sig=") {
                    sig = sig.or(Some(v));
                }
            }
            let (value, sig) = (value?, sig?);
                let mut raw = [0u8; 32];
                let n = URL_SAFE_NO_PAD.decode_slice(sig, &mut raw).ok()?;
                let mut signed = Vec::with_capacity(8 + value.len());
                signed.extend_from_slice(b"session=");
                signed.extend_from_slice(value);
                if !mac.verify(&signed, &raw[..n]) {
                    return None;
                }
            return serde_json::from_slice(&STANDARD.decode(value).ok()?).ok();
        }
        let value = self.find(cookie_headers)?;
        match &self.0 {
            Kind::Express { .. } => unreachable!("read above"),
            Kind::Signed {
                mac,
                layout,
                standard_b64,
                ..
            } => {
                let sep = match layout {
                    Layout::Itsdangerous => b'.',
                    Layout::Django => b':',
                };
                let dot = value.iter().rposition(|&b| b == sep)?;
                let (signed, sig) = (&value[..dot], &value[dot + 1..]);
                let mut raw = [0u8; 64];
                let n = URL_SAFE_NO_PAD.decode_slice(sig, &mut raw).ok()?;
                if !mac.verify(signed, &raw[..n]) {
                    return None;
                }
                let dot = signed.iter().rposition(|&b| b == sep)?;
                let payload = &signed[..dot];
                let json = if *standard_b64 {
                    STANDARD.decode(payload).ok()?
                } else if payload.starts_with(b".") {
                    // zlib: the format's own inflate step.
                    session_core::wire::payload::decode_payload(std::str::from_utf8(payload).ok()?, 1 << 20).ok()?
                } else {
                    URL_SAFE_NO_PAD.decode(payload).ok()?
                };
                serde_json::from_slice(&json).ok()
            }
            Kind::Laravel(_) => unreachable!("Laravel opens its own cookies"),
            Kind::Rails(r) => r.open(value),
            Kind::Gorilla { .. } => unreachable!("gorilla opens its own cookie"),
            Kind::Jwe(j) => j.open(value),
            Kind::Iron { prf } => iron::open(prf, value),
            Kind::Jar { key, private } => {
                // The value as the header carries it: percent-encoded, as the `cookie` crate writes it.
                let pair = format!("id={}", std::str::from_utf8(value).ok()?);
                let mut jar = actix_web::cookie::CookieJar::new();
                jar.add_original(actix_web::cookie::Cookie::parse_encoded(pair).ok()?);
                let cookie = if *private {
                    jar.private(key).get("id")
                } else {
                    jar.signed(key).get("id")
                }?;
                serde_json::from_str(cookie.value()).ok()
            }
        }
    }

    /// `username` from the session, as `/read` answers it (its length, or `anon`).
    pub fn read<'a>(&self, cookie_headers: impl IntoIterator<Item = &'a [u8]>) -> String {
        if let Kind::Jwe(j) = &self.0 {
            let session = self.find(cookie_headers).and_then(|v| j.open(v)).unwrap_or_default();
            // Auth.js' session call encodes the token again (rolling expiry) on every read.
            std::hint::black_box(j.seal(session.clone(), 1_700_000_000));
            return match session.get("username") {
                Some(serde_json::Value::String(name)) => name.len().to_string(),
                _ => "anon".to_owned(),
            };
        }
        if let Kind::Gorilla { mac } = &self.0 {
            let session = self.find(cookie_headers).and_then(|v| gorilla_open(mac, v));
            return match session.as_ref().and_then(|s| s.get("username")) {
                Some(session_core::Value::Str(name)) => name.len().to_string(),
                _ => "anon".to_owned(),
            };
        }
        if let Kind::Laravel(l) = &self.0 {
            return l.read(&cookie_headers.into_iter().collect::<Vec<_>>());
        }
        let name = self
            .open(cookie_headers)
            .and_then(|session| match (&self.0, session.get("username")?) {
                (Kind::Jar { .. }, serde_json::Value::String(text)) => serde_json::from_str::<String>(text).ok(),
                (_, serde_json::Value::String(name)) => Some(name.clone()),
                _ => None,
            });
        name.map_or_else(|| "anon".to_owned(), |u| u.len().to_string())
    }

    /// `/write`: `counter` + 1 stored in the session; the body and the `Set-Cookie` value.
    /// A format of two cookies answers both `Set-Cookie` values joined by `\n` (the in-process cells only).
    pub fn write<'a>(&self, cookie_headers: impl IntoIterator<Item = &'a [u8]>, now: u64) -> (String, String) {
        if let Kind::Gorilla { mac } = &self.0 {
            let name = self.cookie_name();
            let mut session = self
                .find(cookie_headers)
                .and_then(|v| gorilla_open(mac, v))
                .unwrap_or_default();
            let n = match session.get("counter") {
                Some(session_core::Value::Int(i)) => i + 1,
                _ => 1,
            };
            session.insert("counter".to_owned(), session_core::Value::Int(n));
            let gob = session_core::wire::gob::encode_session(&session).expect("a gob");
            let mut text = format!("{now}|{}|", URL_SAFE.encode(gob)).into_bytes();
            let sum = mac
                .clone()
                .chain_update(name)
                .chain_update(b"|")
                .chain_update(&text[..text.len() - 1])
                .finalize()
                .into_bytes();
            text.extend_from_slice(&sum);
            return (n.to_string(), format!("{name}={}; Path=/", URL_SAFE.encode(text)));
        }
        if let Kind::Laravel(l) = &self.0 {
            return l.write(&cookie_headers.into_iter().collect::<Vec<_>>(), now);
        }
        let mut session = self.open(cookie_headers).unwrap_or_default();
        let jar = matches!(self.0, Kind::Jar { .. });
        let counter = match session.get("counter") {
            Some(serde_json::Value::String(text)) if jar => serde_json::from_str::<u64>(text).ok(),
            Some(v) => v.as_u64(),
            None => None,
        };
        let n = counter.unwrap_or(0) + 1;
        let stored = if jar {
            serde_json::Value::String(n.to_string())
        } else {
            n.into()
        };
        session.insert("counter".to_owned(), stored);
        let json = serde_json::to_vec(&session).expect("a map of JSON values");
        let value = match &self.0 {
            Kind::Signed {
                mac,
                layout,
                standard_b64,
                compress,
                ..
            } => {
                let mut out = if *standard_b64 {
                    STANDARD.encode(&json)
                } else {
                    let policy = if *compress {
                        session_core::wire::payload::Compression::Flask
                    } else {
                        session_core::wire::payload::Compression::Never
                    };
                    session_core::wire::payload::encode_payload(&json, policy)
                };
                let sep = match layout {
                    Layout::Itsdangerous => '.',
                    Layout::Django => ':',
                };
                out.push(sep);
                match layout {
                    Layout::Itsdangerous => out.push_str(&session_core::wire::signer::encode_timestamp(now)),
                    Layout::Django => out.push_str(&base62(now)),
                }
                let (sig, n) = mac.sign(out.as_bytes());
                out.push(sep);
                URL_SAFE_NO_PAD.encode_string(&sig[..n], &mut out);
                out
            }
            Kind::Express { mac } => {
                let value = STANDARD.encode(&json);
                let (sig, n) = mac.sign(format!("session={value}").as_bytes());
                return (
                    n.to_string(),
                    format!(
                        "session={value}; path=/; httponly\nsession.sig={}; path=/; httponly",
                        URL_SAFE_NO_PAD.encode(&sig[..n])
                    ),
                );
            }
            Kind::Laravel(_) => unreachable!("Laravel writes its own cookies"),
            Kind::Rails(r) => r.seal(&session),
            Kind::Gorilla { .. } => unreachable!("gorilla writes its own cookie"),
            Kind::Jwe(j) => j.seal(session, now),
            Kind::Iron { prf } => iron::seal(prf, &json, now),
            Kind::Jar { key, private } => {
                let text = String::from_utf8(json).expect("JSON is UTF-8");
                let mut jar = actix_web::cookie::CookieJar::new();
                let cookie = actix_web::cookie::Cookie::new("id", text);
                if *private {
                    jar.private_mut(key).add(cookie);
                } else {
                    jar.signed_mut(key).add(cookie);
                }
                jar.get("id")
                    .map(|c| c.encoded().to_string().split_off(3))
                    .unwrap_or_default()
            }
        };
        (
            n.to_string(),
            format!("{}={value}; HttpOnly; Path=/", self.cookie_name()),
        )
    }
}

/// Django's base62 of a timestamp.
fn base62(mut n: u64) -> String {
    const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 62) as usize]);
        n /= 62;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII digits")
}

/// securecookie's `Decode` without a block key: base64, the MAC over `name|date|inner`, the inner base64, the
/// gob (no date check).
fn gorilla_open(mac: &Hmac<Sha256>, value: &[u8]) -> Option<session_core::Map> {
    let bytes = URL_SAFE.decode(value).ok()?;
    let first = bytes.iter().position(|&b| b == b'|')?;
    let second = first + 1 + bytes[first + 1..].iter().position(|&b| b == b'|')?;
    mac.clone()
        .chain_update(b"bench_session|")
        .chain_update(&bytes[..second])
        .verify_slice(&bytes[second + 1..])
        .ok()?;
    let gob = URL_SAFE.decode(&bytes[first + 1..second]).ok()?;
    session_core::wire::gob::decode_session(&gob, 10_000).ok()
}

/// Lowercase hex of `bytes` into `out`, twice as long.
fn hex(bytes: &[u8], out: &mut [u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (b, pair) in bytes.iter().zip(out.chunks_exact_mut(2)) {
        pair[0] = HEX[usize::from(b >> 4)];
        pair[1] = HEX[usize::from(b & 0xf)];
    }
}

/// `rawurldecode` (PHP) or Rack's unescaping: `%XX` is that byte.
pub(crate) fn url_decode(text: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !text.contains(&b'%') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        let byte = (c == b'%')
            .then(|| u8::from_str_radix(std::str::from_utf8(text.get(i + 1..i + 3)?).ok()?, 16).ok())
            .flatten();
        match byte {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(c);
                i += 1;
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `rawurlencode` of base64: `+`, `/` and `=` encoded.
pub(crate) fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for part in text.split_inclusive(['+', '/', '=']) {
        let (run, last) = part.split_at(part.len() - 1);
        out.push_str(run);
        out.push_str(match last {
            "+" => "%2B",
            "/" => "%2F",
            "=" => "%3D",
            other => other,
        });
    }
    out
}

/// Laravel's `cookie` session driver, the least its requests do: every request (`StartSession`) decrypts the id
/// cookie and the payload cookie named by the id and writes both again under a fresh id, each one Laravel's
/// `Encrypter` (AES-256-CBC, HMAC-SHA256 over the base64 iv and value, hex) of `EncryptCookies`' prefix and the
/// value, base64 of a JSON envelope, `rawurlencode`d. Keyed once: the AES key schedule, both HMACs, the id
/// cookie's prefix. No previous keys, no flash ageing, no expiry check, no cookie attributes.
mod laravel {
    use std::borrow::Cow;

    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockDecryptMut as _, BlockEncryptMut as _, InnerIvInit as _, KeyInit as _};
    use hmac::{Hmac, Mac as _};
    use session_core::Value;
    use session_core::wire::php;
    use sha1::Sha1;
    use sha2::Sha256;

    /// The id cookie's name (`session.cookie`).
    pub const COOKIE: &str = "laravel_session";
    const PREFIX_LEN: usize = 41;

    #[derive(Clone)]
    pub struct Laravel {
        aes: aes::Aes256,
        mac: Hmac<Sha256>,
        prefix_mac: Hmac<Sha1>,
        id_prefix: [u8; PREFIX_LEN],
    }

    #[derive(serde::Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        iv: Cow<'a, str>,
        #[serde(borrow)]
        value: Cow<'a, str>,
        #[serde(borrow)]
        mac: Cow<'a, str>,
    }

    #[derive(serde::Deserialize)]
    struct Stored {
        data: String,
    }

    impl Laravel {
        pub fn new(key: &[u8; 32]) -> Self {
            let mut l = Self {
                aes: aes::Aes256::new(key.into()),
                mac: <Hmac<Sha256> as hmac::Mac>::new_from_slice(key).expect("any key length"),
                prefix_mac: <Hmac<Sha1> as hmac::Mac>::new_from_slice(key).expect("any key length"),
                id_prefix: [0; PREFIX_LEN],
            };
            l.id_prefix = l.prefix(COOKIE);
            l
        }

        fn prefix(&self, name: &str) -> [u8; PREFIX_LEN] {
            let sum = self.prefix_mac.clone().chain_update(name).chain_update(b"v2").finalize().into_bytes();
            let mut out = [b'|'; PREFIX_LEN];
            super::hex(&sum, &mut out[..40]);
            out
        }

        /// One cookie's value: `rawurldecode`, base64, the envelope, the MAC, AES-CBC, the prefix.
        fn open(&self, name: &str, value: &[u8]) -> Option<Vec<u8>> {
            let raw = super::url_decode(value);
            let json = STANDARD.decode(raw).ok()?;
            let env: Envelope<'_> = serde_json::from_slice(&json).ok()?;
            let mut given = [0u8; 32];
            unhex(env.mac.as_bytes(), &mut given)?;
            self.mac
                .clone()
                .chain_update(env.iv.as_bytes())
                .chain_update(env.value.as_bytes())
                .verify_slice(&given)
                .ok()?;
            let iv: [u8; 16] = STANDARD.decode(env.iv.as_bytes()).ok()?.try_into().ok()?;
            let ct = STANDARD.decode(env.value.as_bytes()).ok()?;
            let plain = cbc::Decryptor::<aes::Aes256>::inner_iv_init(self.aes.clone(), &iv.into())
                .decrypt_padded_vec_mut::<Pkcs7>(&ct)
                .ok()?;
            let prefix = if name == COOKIE { self.id_prefix } else { self.prefix(name) };
            (plain.get(..PREFIX_LEN)? == prefix).then(|| plain[PREFIX_LEN..].to_vec())
        }

        /// One cookie's `rawurlencode`d value.
        fn seal(&self, name: &str, value: &[u8]) -> String {
            let mut plain = Vec::with_capacity(PREFIX_LEN + value.len());
            plain.extend_from_slice(&if name == COOKIE { self.id_prefix } else { self.prefix(name) });
            plain.extend_from_slice(value);
            let mut iv = [0u8; 16];
            getrandom::fill(&mut iv).expect("the OS random source");
            let ct = cbc::Encryptor::<aes::Aes256>::inner_iv_init(self.aes.clone(), &iv.into())
                .encrypt_padded_vec_mut::<Pkcs7>(&plain);
            let (iv, ct) = (STANDARD.encode(iv), STANDARD.encode(ct));
            let sum = self.mac.clone().chain_update(&iv).chain_update(&ct).finalize().into_bytes();
            let mut mac = [0u8; 64];
            super::hex(&sum, &mut mac);
            let mac = std::str::from_utf8(&mac).expect("hex");
            let env = format!(r#"{{"iv":"{iv}","value":"{ct}","mac":"{mac}","tag":""}}"#);
            super::url_encode(&STANDARD.encode(env))
        }

        /// The session: the id cookie, then the payload cookie of that name, its `data` unserialized.
        fn session(&self, headers: &[&[u8]]) -> Option<session_core::Map> {
            let pairs = || {
                headers.iter().flat_map(|h| h.split(|&b| b == b';')).filter_map(|c| {
                    let c = c.trim_ascii_start();
                    let eq = c.iter().position(|&b| b == b'=')?;
                    Some((&c[..eq], &c[eq + 1..]))
                })
            };
            let (_, id) = pairs().find(|(n, _)| *n == COOKIE.as_bytes())?;
            let id = String::from_utf8(self.open(COOKIE, id)?).ok()?;
            let (_, payload) = pairs().find(|(n, _)| *n == id.as_bytes())?;
            let stored: Stored = serde_json::from_slice(&self.open(&id, payload)?).ok()?;
            match php::decode(stored.data.as_bytes(), 10_000).ok()? {
                Value::Dict(m) => Some(m),
                _ => None,
            }
        }

        /// Both cookies again under a fresh id.
        fn save(&self, session: &session_core::Map, now: u64) -> String {
            let mut data = Vec::with_capacity(128);
            php::write_map(session.iter().map(|(k, v)| (k.as_str(), v)), session.len(), &mut data)
                .expect("a PHP array");
            let data = String::from_utf8(data).expect("UTF-8");
            let payload = format!(
                r#"{{"data":{},"expires":{}}}"#,
                serde_json::to_string(&data).expect("a string"),
                now + 7200
            );
            let id = new_id();
            format!(
                "{COOKIE}={}\n{id}={}",
                self.seal(COOKIE, id.as_bytes()),
                self.seal(&id, payload.as_bytes())
            )
        }

        pub fn read(&self, headers: &[&[u8]]) -> String {
            let session = self.session(headers).unwrap_or_default();
            // Laravel writes both cookies on every request.
            std::hint::black_box(self.save(&session, 1_700_000_000));
            match session.get("username") {
                Some(Value::Str(name)) => name.len().to_string(),
                _ => "anon".to_owned(),
            }
        }

        pub fn write(&self, headers: &[&[u8]], now: u64) -> (String, String) {
            let mut session = self.session(headers).unwrap_or_default();
            let n = match session.get("counter") {
                Some(Value::Int(i)) => i + 1,
                _ => 1,
            };
            session.insert("counter".to_owned(), Value::Int(n));
            (n.to_string(), self.save(&session, now))
        }
    }

    fn new_id() -> String {
        const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut bytes = [0u8; 40];
        getrandom::fill(&mut bytes).expect("the OS random source");
        bytes.iter().map(|b| char::from(ALPHABET[usize::from(b % 62)])).collect()
    }

    fn unhex(text: &[u8], out: &mut [u8; 32]) -> Option<()> {
        let digit = |c: u8| char::from(c).to_digit(16).map(|d| d as u8);
        if text.len() != 64 {
            return None;
        }
        for (o, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
            *o = digit(pair[0])? << 4 | digit(pair[1])?;
        }
        Some(())
    }

}

/// Rails' encrypted cookie store, the least its requests do: a read opens the cookie (Rack's unescaping,
/// `ct--iv--tag` in base64, AES-256-GCM under the PBKDF2 key derived once, the `_rails` envelope, the session's
/// base64 and JSON); a write seals it again. No purpose or expiry check, no key rotation.
mod rails {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use aes_gcm::aead::{Aead as _, KeyInit as _};
    use aes_gcm::{Aes256Gcm, Nonce};

    pub const COOKIE: &str = "_app_session";

    #[derive(Clone)]
    pub struct Rails {
        aead: Aes256Gcm,
    }

    #[derive(serde::Deserialize)]
    struct Envelope {
        _rails: Meta,
    }

    #[derive(serde::Deserialize)]
    struct Meta {
        message: String,
    }

    impl Rails {
        pub fn new(secret: &[u8]) -> Self {
            let mut key = [0u8; 32];
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(secret, b"authenticated encrypted cookie", 1000, &mut key);
            Self {
                aead: Aes256Gcm::new(&key.into()),
            }
        }

        pub fn open(&self, value: &[u8]) -> Option<serde_json::Map<String, serde_json::Value>> {
            let value = super::url_decode(value);
            let mut parts = value.split(|&b| b == b'-').filter(|p| !p.is_empty());
            let (ct, iv, tag) = (parts.next()?, parts.next()?, parts.next()?);
            let mut sealed = STANDARD.decode(ct).ok()?;
            let iv: [u8; 12] = STANDARD.decode(iv).ok()?.try_into().ok()?;
            sealed.extend_from_slice(&STANDARD.decode(tag).ok()?);
            let plain = self.aead.decrypt(Nonce::from_slice(&iv), sealed.as_slice()).ok()?;
            let env: Envelope = serde_json::from_slice(&plain).ok()?;
            serde_json::from_slice(&STANDARD.decode(env._rails.message).ok()?).ok()
        }

        pub fn seal(&self, session: &serde_json::Map<String, serde_json::Value>) -> String {
            let json = serde_json::to_vec(session).expect("a map of JSON values");
            let plain = format!(
                r#"{{"_rails":{{"message":"{}","exp":null,"pur":"cookie.{COOKIE}"}}}}"#,
                STANDARD.encode(json)
            );
            let mut iv = [0u8; 12];
            getrandom::fill(&mut iv).expect("the OS random source");
            let mut sealed = self
                .aead
                .encrypt(Nonce::from_slice(&iv), plain.as_bytes())
                .expect("a small plaintext");
            let tag = sealed.split_off(sealed.len() - 16);
            super::url_encode(&format!(
                "{}--{}--{}",
                STANDARD.encode(sealed),
                STANDARD.encode(iv),
                STANDARD.encode(tag)
            ))
        }
    }
}

/// Auth.js and next-auth v4, the least their requests do: the JWE's five parts, the header's JSON, the
/// content decryption (A256CBC-HS512: HMAC-SHA512 tag and AES-256-CBC; A256GCM), the claims' JSON; every read
/// and write seals the claims again with fresh `iat`, `exp` and `jti` (a random UUID). Keys derived (HKDF) and
/// keyed once; no `kid` lookup, no `exp` check, no chunks.
mod jwe {
    use aes_gcm::aead::{Aead as _, KeyInit as _, Payload};
    use aes_gcm::{Aes256Gcm, Nonce};
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockDecryptMut as _, BlockEncryptMut as _, InnerIvInit as _};
    use hmac::{Hmac, Mac as _};
    use sha2::{Digest as _, Sha256, Sha512};

    type Claims = serde_json::Map<String, serde_json::Value>;

    #[derive(Clone)]
    #[allow(clippy::large_enum_variant, reason = "one per configuration, never moved per request")]
    enum Enc {
        CbcHs512 { mac: Hmac<Sha512>, aes: aes::Aes256 },
        Gcm(Aes256Gcm),
    }

    #[derive(Clone)]
    pub struct Jwe {
        pub name: &'static str,
        enc: Enc,
        /// The protected header, in base64: what a write sends and the AAD.
        header_b64: String,
    }

    #[derive(serde::Deserialize)]
    struct Header<'a> {
        #[serde(borrow)]
        enc: std::borrow::Cow<'a, str>,
    }

    fn hkdf(secret: &[u8], salt: &[u8], info: &[u8], out: &mut [u8]) {
        hkdf::Hkdf::<Sha256>::new(Some(salt), secret).expand(info, out).expect("a short output");
    }

    impl Jwe {
        pub fn authjs(secret: &[u8]) -> Self {
            let name = "authjs.session-token";
            let mut key = [0u8; 64];
            hkdf(secret, name.as_bytes(), format!("Auth.js Generated Encryption Key ({name})").as_bytes(), &mut key);
            let jwk = format!("{{\"k\":\"{}\",\"kty\":\"oct\"}}", URL_SAFE_NO_PAD.encode(key));
            let kid = URL_SAFE_NO_PAD.encode(Sha512::digest(jwk.as_bytes()));
            Self {
                name,
                enc: Enc::CbcHs512 {
                    mac: <Hmac<Sha512> as hmac::Mac>::new_from_slice(&key[..32]).expect("any key length"),
                    aes: aes::Aes256::new(key[32..].into()),
                },
                header_b64: URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"dir","enc":"A256CBC-HS512","kid":"{kid}"}}"#)),
            }
        }

        pub fn next_auth_v4(secret: &[u8]) -> Self {
            let mut key = [0u8; 32];
            hkdf(secret, b"", b"NextAuth.js Generated Encryption Key", &mut key);
            Self {
                name: "next-auth.session-token",
                enc: Enc::Gcm(Aes256Gcm::new(&key.into())),
                header_b64: URL_SAFE_NO_PAD.encode(r#"{"alg":"dir","enc":"A256GCM"}"#),
            }
        }

        pub fn open(&self, value: &[u8]) -> Option<Claims> {
            let mut parts = value.split(|&b| b == b'.');
            let (header_b64, _, iv, ct, tag) =
                (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
            let header_json = URL_SAFE_NO_PAD.decode(header_b64).ok()?;
            let header: Header<'_> = serde_json::from_slice(&header_json).ok()?;
            let iv = URL_SAFE_NO_PAD.decode(iv).ok()?;
            let ct = URL_SAFE_NO_PAD.decode(ct).ok()?;
            let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
            let plain = match (&self.enc, &*header.enc) {
                (Enc::CbcHs512 { mac, aes }, "A256CBC-HS512") => {
                    let full = mac
                        .clone()
                        .chain_update(header_b64)
                        .chain_update(&iv)
                        .chain_update(&ct)
                        .chain_update((header_b64.len() as u64 * 8).to_be_bytes())
                        .finalize()
                        .into_bytes();
                    if full[..32] != tag[..] {
                        return None;
                    }
                    let iv: [u8; 16] = iv.try_into().ok()?;
                    cbc::Decryptor::<aes::Aes256>::inner_iv_init(aes.clone(), &iv.into())
                        .decrypt_padded_vec_mut::<Pkcs7>(&ct)
                        .ok()?
                }
                (Enc::Gcm(gcm), "A256GCM") => {
                    let mut sealed = ct;
                    sealed.extend_from_slice(&tag);
                    gcm.decrypt(Nonce::from_slice(iv.get(..12)?), Payload { msg: &sealed, aad: header_b64 })
                        .ok()?
                }
                _ => return None,
            };
            serde_json::from_slice(&plain).ok()
        }

        pub fn seal(&self, mut claims: Claims, now: u64) -> String {
            let mut uuid = [0u8; 16];
            getrandom::fill(&mut uuid).expect("the OS random source");
            uuid[6] = (uuid[6] & 0x0f) | 0x40;
            uuid[8] = (uuid[8] & 0x3f) | 0x80;
            let mut hex = [0u8; 32];
            super::hex(&uuid, &mut hex);
            let hex = std::str::from_utf8(&hex).expect("hex");
            let jti = format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]);
            claims.insert("iat".to_owned(), now.into());
            claims.insert("exp".to_owned(), (now + 30 * 86_400).into());
            claims.insert("jti".to_owned(), jti.into());
            let plain = serde_json::to_vec(&claims).expect("a map of JSON values");
            let aad = self.header_b64.as_bytes();
            let (iv, ct, tag) = match &self.enc {
                Enc::CbcHs512 { mac, aes } => {
                    let mut iv = [0u8; 16];
                    getrandom::fill(&mut iv).expect("the OS random source");
                    let ct = cbc::Encryptor::<aes::Aes256>::inner_iv_init(aes.clone(), &iv.into())
                        .encrypt_padded_vec_mut::<Pkcs7>(&plain);
                    let full = mac
                        .clone()
                        .chain_update(aad)
                        .chain_update(iv)
                        .chain_update(&ct)
                        .chain_update((aad.len() as u64 * 8).to_be_bytes())
                        .finalize()
                        .into_bytes();
                    (iv.to_vec(), ct, full[..32].to_vec())
                }
                Enc::Gcm(gcm) => {
                    let mut iv = [0u8; 12];
                    getrandom::fill(&mut iv).expect("the OS random source");
                    let mut sealed = gcm
                        .encrypt(Nonce::from_slice(&iv), Payload { msg: &plain, aad })
                        .expect("a small plaintext");
                    let tag = sealed.split_off(sealed.len() - 16);
                    (iv.to_vec(), sealed, tag)
                }
            };
            format!(
                "{}..{}.{}.{}",
                self.header_b64,
                URL_SAFE_NO_PAD.encode(iv),
                URL_SAFE_NO_PAD.encode(ct),
                URL_SAFE_NO_PAD.encode(tag)
            )
        }
    }
}

/// iron-session, the least its requests do: a read splits the seal, derives the MAC key (PBKDF2-HMAC-SHA1, one
/// iteration, over the seal's salt: per seal, as iron does), checks HMAC-SHA256, derives the encryption key,
/// decrypts AES-256-CBC and parses the JSON; a write seals with two fresh salts. The password's HMAC is keyed
/// once; no expiry check, no password ids beyond `1`, no chunks.
mod iron {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockDecryptMut as _, BlockEncryptMut as _, KeyIvInit as _};
    use hmac::{Hmac, Mac as _};
    use sha1::Sha1;
    use sha2::Sha256;

    fn derive(prf: &Hmac<Sha1>, salt: &[u8]) -> [u8; 32] {
        let mut key = [0u8; 32];
        for (i, chunk) in (1u32..).zip(key.chunks_mut(20)) {
            let block = prf.clone().chain_update(salt).chain_update(i.to_be_bytes()).finalize().into_bytes();
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
        key
    }

    fn mac(prf: &Hmac<Sha1>, salt: &[u8]) -> Hmac<Sha256> {
        <Hmac<Sha256> as hmac::Mac>::new_from_slice(&derive(prf, salt)).expect("any key length")
    }

    pub fn open(prf: &Hmac<Sha1>, value: &[u8]) -> Option<serde_json::Map<String, serde_json::Value>> {
        let seal = value.split(|&b| b == b'~').next()?;
        let mut parts = seal.split(|&b| b == b'*');
        let (prefix, id, enc_salt, iv, ct, _exp, mac_salt, given) = (
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
        );
        if prefix != b"Fe26.2" || id != b"1" {
            return None;
        }
        let base = &seal[..seal.len() - mac_salt.len() - given.len() - 2];
        let given = URL_SAFE_NO_PAD.decode(given).ok()?;
        mac(prf, mac_salt).chain_update(base).verify_slice(&given).ok()?;
        let iv: [u8; 16] = URL_SAFE_NO_PAD.decode(iv).ok()?.try_into().ok()?;
        let ct = URL_SAFE_NO_PAD.decode(ct).ok()?;
        let json = cbc::Decryptor::<aes::Aes256>::new(&derive(prf, enc_salt).into(), &iv.into())
            .decrypt_padded_vec_mut::<Pkcs7>(&ct)
            .ok()?;
        serde_json::from_slice(&json).ok()
    }

    pub fn seal(prf: &Hmac<Sha1>, json: &[u8], now: u64) -> String {
        let mut random = [0u8; 80];
        getrandom::fill(&mut random).expect("the OS random source");
        let (mut enc_salt, mut mac_salt) = ([0u8; 64], [0u8; 64]);
        super::hex(&random[..32], &mut enc_salt);
        super::hex(&random[32..64], &mut mac_salt);
        let iv: [u8; 16] = random[64..].try_into().expect("16 bytes");
        let ct = cbc::Encryptor::<aes::Aes256>::new(&derive(prf, &enc_salt).into(), &iv.into())
            .encrypt_padded_vec_mut::<Pkcs7>(json);
        let base = format!(
            "Fe26.2*1*{}*{}*{}*{}",
            std::str::from_utf8(&enc_salt).expect("hex"),
            URL_SAFE_NO_PAD.encode(iv),
            URL_SAFE_NO_PAD.encode(ct),
            (now + 14 * 86_400) * 1000
        );
        let sum = mac(prf, &mac_salt).chain_update(base.as_bytes()).finalize().into_bytes();
        format!(
            "{base}*{}*{}~2",
            std::str::from_utf8(&mac_salt).expect("hex"),
            URL_SAFE_NO_PAD.encode(sum)
        )
    }
}
