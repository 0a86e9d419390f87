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
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
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
        let value = self.find(cookie_headers)?;
        match &self.0 {
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
    pub fn write<'a>(&self, cookie_headers: impl IntoIterator<Item = &'a [u8]>, now: u64) -> (String, String) {
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
