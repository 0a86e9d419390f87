//! Express' `cookie-session` (npm `cookie-session` 2.1 over `cookies` 0.9 and `keygrip` 1.1): two cookies.
//!
//! - `session=<base64>`: standard, padded base64 of `JSON.stringify(session)` (UTF-8, no escaping beyond
//!   JSON's own); read back with Node's lenient `Buffer.from(str, "base64")` and `JSON.parse`.
//! - `session.sig=<sig>`: keygrip's signature of the text `session=<base64>`: HMAC-SHA1 under the key, in
//!   URL-safe base64 without padding. The first key signs; every key verifies, in order; a cookie verified by
//!   a later key is signed again.
//!
//! The signature covers the cookie's name and whole value, so a `.sig` from another session (or another
//! cookie name) never verifies. There is no timestamp inside: cookie-session trusts a cookie for as long as
//! the browser sends it (`maxAge` only sets `expires`). Cookies are read as `cookies` reads them: the first
//! `name=` in the header, one pair of quotes cut. `Set-Cookie` is written as `cookies` writes it:
//! `name=value; path=/; expires=...; domain=...; samesite=...; secure; httponly`, lowercase.

use std::borrow::Cow;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD, URL_SAFE_NO_PAD};
use smallvec::{SmallVec, smallvec};

use super::seam::{
    Claimed, Codec, CookieOrder, Decoded, Defaults, DeleteWhen, ExpiryRule, Limits, Peeked, Refresh, Rules, Sealed,
    SessionText, Settings, Spec,
};
use crate::cookies::{CookieRules, find_with};
use crate::data::{EntriesRef, SessionData};
use crate::error::{Result, SessionError};
use crate::httpdate::http_date;
use crate::json::{from_plain_json, js_json};
use crate::key::{KeyId, Keyring};
use crate::payload::Compression;
use crate::set_cookie::{Attributes, Expiry};
use crate::signer::{Digest, KeyDerivation, MacRing, SignerOptions};

/// Express' place in the registry.
pub(crate) static SPEC: Spec = Spec {
    name: "express",
    aliases: &["cookie-session"],
    framework: "Express cookie-session 2.1 (cookies 0.9, keygrip 1.1)",
    encrypted: false,
    signature: Some("keygrip's HMAC-SHA1 of `name=value` in the `.sig` cookie"),
    tagged: false,
    timestamped: false,
    text: SessionText::Json,
    defaults,
    rules: Rules {
        // `req.session = null` always sends the deletion.
        delete: DeleteWhen::Modified,
        refresh: Refresh::Always,
        expiry: ExpiryRule::IfLifetime,
        vary: false,
        delete_absent: true,
        order: CookieOrder::WritesFirst,
        reserved: &[],
    },
    build: |s: &Settings<'_>| -> Result<Box<dyn Codec>> { Ok(Box::new(Express::new(s.keyring, s.cookie_name))) },
    peek: |cookie: &str, _: usize| -> Result<Peeked> { Ok((from_plain_json(&node_base64(cookie))?, None, false)) },
};

/// cookie-session's defaults: cookie `session`, no `maxAge` (a browser-session cookie), `path=/; httponly`,
/// no `SameSite`.
pub(crate) fn defaults() -> Defaults {
    Defaults {
        cookie_name: "session",
        lifetime: 0,
        same_site: None,
        secure: false,
        http_only: true,
        refresh_each_request: false,
        signer: SignerOptions::default(),
        compression: Compression::Never,
    }
}

/// cookie-session's codec: the keygrip keys and the two cookie names.
#[derive(Clone)]
struct Express {
    /// keygrip's HMAC-SHA1 keys, raw (no derivation), in order.
    keys: MacRing,
    name: String,
    sig_name: String,
}

impl std::fmt::Debug for Express {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Express")
            .field("keys", &self.keys.len())
            .field("name", &self.name)
            .finish()
    }
}

impl Express {
    fn new(keyring: &Keyring, name: &str) -> Self {
        let options = SignerOptions {
            digest: Digest::Sha1,
            key_derivation: KeyDerivation::None,
            salt: String::new(),
        };
        Self {
            keys: MacRing::new(keyring, &options),
            name: name.to_owned(),
            sig_name: format!("{name}.sig"),
        }
    }

    /// keygrip's `sign(name + "=" + value)`.
    fn sign(&self, value: &str) -> String {
        let mac = self.keys.sign(format!("{}={value}", self.name).as_bytes());
        URL_SAFE_NO_PAD.encode(mac)
    }
}

impl Codec for Express {
    fn boxed_clone(&self) -> Box<dyn Codec> {
        Box::new(self.clone())
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn claim(&self, headers: &[&[u8]]) -> Claimed {
        let main = find_with(CookieRules::Node, headers, &self.name);
        let sig = find_with(CookieRules::Node, headers, &self.sig_name);
        Claimed {
            main,
            extra: sig.map(|s| (self.sig_name.clone(), s)).into_iter().collect(),
        }
    }

    fn open_main(&self, value: &str, now: u64, max_age: Option<u64>, limits: Limits) -> Result<Decoded> {
        self.open(&Claimed::main(value), now, max_age, limits)
    }

    /// cookies' `get(name, { signed: true })`, then cookie-session's `decode`: a missing or wrong `.sig` is no
    /// session; a validly signed value that is not base64 of a JSON object is refused (`bad_payload`).
    fn open(&self, claimed: &Claimed, _now: u64, _max_age: Option<u64>, limits: Limits) -> Result<Decoded> {
        let value = claimed.main.as_deref().unwrap_or_default();
        let sig = claimed
            .extra(&self.sig_name)
            .filter(|s| !s.is_empty())
            .ok_or(SessionError::Malformed("the .sig cookie is missing"))?;
        // keygrip compares the base64 texts; decoding the canonical spelling is the same test.
        let mac = URL_SAFE_NO_PAD
            .decode(sig)
            .ok()
            .filter(|m| {
                // Encoded again without an allocation: anything longer than 96 bytes is no HMAC-SHA1 anyway.
                let mut again = [0u8; 128];
                URL_SAFE_NO_PAD
                    .encode_slice(m, &mut again)
                    .is_ok_and(|n| &again[..n] == sig.as_bytes())
            })
            .ok_or(SessionError::BadSignature)?;
        let key: KeyId = self
            .keys
            .verify(format!("{}={value}", self.name).as_bytes(), &mac)
            .ok_or(SessionError::BadSignature)?;
        let json = node_base64(value);
        let data = SessionData::decode(json, false, false, limits.values)?;
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

    fn seal_serialized(&self, serialized: &[u8], _now: u64, _expires: Option<u64>) -> Result<Sealed<'_>> {
        let value = STANDARD.encode(serialized);
        let sig = self.sign(&value);
        Ok(smallvec![
            (Cow::Borrowed(self.name.as_str()), value),
            (Cow::Borrowed(self.sig_name.as_str()), sig),
        ])
    }

    fn names(&self) -> SmallVec<[&str; 2]> {
        smallvec![self.name.as_str(), self.sig_name.as_str()]
    }

    /// `cookies`' `toHeader`: `name=value; path=P; expires=DATE; domain=D; samesite=S; secure; httponly`; a
    /// deletion is an empty value with the 1970 date.
    fn render(&self, name: &str, value: Option<&str>, attrs: &Attributes<'_>, expiry: Expiry) -> String {
        // `cookies.set(name, null, { signed: true })` also signs the empty value: the `.sig` of a deletion is
        // the signature of `name=`.
        let empty_sig;
        let shown = match value {
            Some(v) => v,
            None if name == self.sig_name => {
                empty_sig = self.sign("");
                &empty_sig
            }
            None => "",
        };
        let mut out = format!("{name}={shown}; path={}", attrs.path);
        let expires = if value.is_none() { Some(0) } else { expiry.expires };
        if let Some(t) = expires {
            out.push_str(&format!("; expires={}", http_date(t)));
        }
        if let Some(d) = attrs.domain {
            out.push_str(&format!("; domain={d}"));
        }
        if let Some(s) = attrs.same_site {
            out.push_str(s.attribute_lowercase());
        }
        if attrs.secure || attrs.partitioned {
            out.push_str("; secure");
        }
        if attrs.http_only {
            out.push_str("; httponly");
        }
        if attrs.partitioned {
            out.push_str("; partitioned");
        }
        out
    }
}

/// Node's `Buffer.from(text, "base64")`: both alphabets, characters outside them skipped, decoding stops at
/// the first `=`, a lone trailing character dropped, unused bits ignored.
fn node_base64(text: &str) -> Vec<u8> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::RequireNone),
    );
    let before_pad = &text.as_bytes()[..memchr::memchr(b'=', text.as_bytes()).unwrap_or(text.len())];
    // Every value cookie-session writes is the standard alphabet before the padding: decoded in place.
    let mut kept: Cow<'_, [u8]> = if before_pad
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
    {
        Cow::Borrowed(before_pad)
    } else {
        Cow::Owned(
            before_pad
                .iter()
                .filter_map(|&b| match b {
                    b'-' => Some(b'+'),
                    b'_' => Some(b'/'),
                    b if b.is_ascii_alphanumeric() || b == b'+' || b == b'/' => Some(b),
                    _ => None,
                })
                .collect(),
        )
    };
    if kept.len() % 4 == 1 {
        kept = Cow::Owned(kept[..kept.len() - 1].to_vec());
    }
    LENIENT.decode(kept).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_javascript_does() {
        for (f, js) in [
            (1.0, "1"),
            (0.1, "0.1"),
            (-1.5, "-1.5"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
            (123.456, "123.456"),
            (-0.0, "0"),
            (f64::NAN, "null"),
        ] {
            assert_eq!(crate::json::js_number(f), js, "{f}");
        }
    }

    #[test]
    fn base64_is_read_as_node_reads_it() {
        assert_eq!(node_base64("eyJhIjoxfQ=="), b"{\"a\":1}");
        assert_eq!(node_base64("eyJhIjoxfQ"), b"{\"a\":1}");
        assert_eq!(node_base64("ey Jh\nIjoxfQ==junk"), b"{\"a\":1}");
        assert_eq!(node_base64("-_-_"), [0xfb, 0xff, 0xbf]);
        assert_eq!(node_base64("YWJjZ"), b"abc");
        // Both alphabets in one text, and a character of neither (Node 20's `Buffer.from(text, "base64")`).
        assert_eq!(node_base64("+/-_"), [251, 255, 191]);
        assert_eq!(node_base64("ab+c-d/e_f=="), [105, 191, 156, 249, 223, 222, 253]);
        assert_eq!(node_base64("a.b+c/d"), [105, 191, 156, 253]);
    }

    /// cookie-session's cookies: `session` and its `session.sig` (the name set, or the default), and Debug
    /// that shows how many keys, never one.
    #[test]
    fn names_and_debug() {
        let ring = Keyring::new(crate::key::SecretKey::parse("a keygrip key, the first one").unwrap());
        let codec = Express::new(&ring, "session");
        assert_eq!(codec.name(), "session");
        assert_eq!(codec.names().as_slice(), ["session", "session.sig"]);
        assert_eq!(format!("{codec:?}"), "Express { keys: 1, name: \"session\" }");
    }
}
