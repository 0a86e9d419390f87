//! `Set-Cookie` values: the attributes every format shares, and the rendering most formats use (the `cookie`
//! crate, kept internal). A format whose framework writes its own spelling renders it itself.

use crate::error::{Result, SessionError};

/// The `SameSite` cookie attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=Lax`.
    Lax,
    /// `SameSite=None` (requires `Secure`).
    None,
}

impl SameSite {
    /// The attribute as it follows a value in `Set-Cookie`: `; SameSite=Strict` (the `cookie` crate's, Werkzeug's,
    /// Django's and Go's spelling).
    pub(crate) fn attribute(self) -> &'static str {
        match self {
            Self::Strict => "; SameSite=Strict",
            Self::Lax => "; SameSite=Lax",
            Self::None => "; SameSite=None",
        }
    }

    /// The same in lower case: `; samesite=strict` (npm `cookie`'s and Symfony's spelling).
    pub(crate) fn attribute_lowercase(self) -> &'static str {
        match self {
            Self::Strict => "; samesite=strict",
            Self::Lax => "; samesite=lax",
            Self::None => "; samesite=none",
        }
    }

    /// Parses `Strict`, `Lax` or `None` (any case), as Werkzeug does.
    ///
    /// # Errors
    /// [`SessionError::Config`] for any other text.
    pub fn from_name(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "strict" => Ok(Self::Strict),
            "lax" => Ok(Self::Lax),
            "none" => Ok(Self::None),
            _ => Err(SessionError::Config(format!(
                "SameSite must be 'Strict', 'Lax', or 'None', not {s:?}"
            ))),
        }
    }
}

/// The attributes shared by a session cookie and its deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attributes<'a> {
    pub domain: Option<&'a str>,
    pub path: &'a str,
    pub secure: bool,
    pub http_only: bool,
    pub same_site: Option<SameSite>,
    pub partitioned: bool,
}

/// Renders a `Set-Cookie` value. `expires` is Unix seconds (capped at the end of year 9999, the last date
/// Python and cookie dates can hold); `max_age_zero` adds `Max-Age=0` (deletions).
pub(crate) fn render(
    name: &str,
    value: &str,
    attrs: &Attributes<'_>,
    expires: Option<u64>,
    max_age_zero: bool,
) -> String {
    // The `cookie` crate's `Display` (0.18), written out: the same attributes in the same order, without its
    // formatting machinery (the tests compare both on every combination).
    let mut out = String::with_capacity(name.len() + value.len() + attrs.path.len() + 96);
    out.push_str(name);
    out.push('=');
    out.push_str(value);
    if attrs.http_only {
        out.push_str("; HttpOnly");
    }
    if let Some(s) = attrs.same_site {
        out.push_str(s.attribute());
    }
    if attrs.partitioned {
        out.push_str("; Partitioned");
    }
    // Werkzeug: partitioned forces Secure.
    if attrs.secure || attrs.partitioned {
        out.push_str("; Secure");
    }
    out.push_str("; Path=");
    out.push_str(attrs.path);
    if let Some(d) = attrs.domain {
        out.push_str("; Domain=");
        out.push_str(d.strip_prefix('.').unwrap_or(d));
    }
    if max_age_zero {
        out.push_str("; Max-Age=0");
    }
    if let Some(t) = expires {
        let t = i64::try_from(t.min(crate::signer::MAX_TIMESTAMP)).unwrap_or(0);
        out.push_str("; Expires=");
        out.push_str(&crate::httpdate::http_date(t));
    }
    out
}

/// When a cookie ends, as the lifecycle computed it for one response: each format renders what its framework
/// writes (Flask `Expires`, Starlette `Max-Age`, Django both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Expiry {
    /// `Max-Age` in seconds (negative where Django writes it so).
    pub max_age: Option<i128>,
    /// The absolute expiry, Unix seconds (capped at the end of year 9999 when rendered).
    pub expires: Option<i64>,
    /// The expiry sealed inside the value when it differs from `expires` (iron-session's seal ends at the ttl,
    /// its cookie carries only `Max-Age`).
    pub sealed: Option<i64>,
}

/// Unix seconds as `time` holds them, capped at the end of year 9999 (the last date Python and cookie dates
/// can hold) and at 1970.
pub(crate) fn date(t: i64) -> time::OffsetDateTime {
    let t = t.clamp(0, i64::try_from(crate::signer::MAX_TIMESTAMP).unwrap_or(i64::MAX));
    time::OffsetDateTime::from_unix_timestamp(t).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// A `Set-Cookie` value rendered with the `cookie` crate (Flask's attributes, the spelling Rails and
/// actix-web write too): a deletion is an empty value with a 1970 `Expires` and `Max-Age=0`.
pub(crate) fn render_standard(name: &str, value: Option<&str>, attrs: &Attributes<'_>, expiry: Expiry) -> String {
    match value {
        None => render(name, "", attrs, Some(0), true),
        Some(v) => render(
            name,
            v,
            attrs,
            expiry.expires.map(|e| u64::try_from(e).unwrap_or(0)),
            false,
        ),
    }
}

/// The npm `cookie` package's `serialize` (iron-session, Auth.js, next-auth): `name=value; Max-Age=N; Domain=D; Path=P; Expires=DATE;
/// HttpOnly; Partitioned; SameSite=S; Secure`; a deletion is an empty value with `Max-Age=0`.
pub(crate) fn render_node_cookie(name: &str, value: Option<&str>, attrs: &Attributes<'_>, expiry: Expiry) -> String {
    let mut out = format!("{name}={}", value.unwrap_or_default());
    let max_age = if value.is_none() { Some(0) } else { expiry.max_age };
    if let Some(m) = max_age {
        out.push_str(&format!("; Max-Age={m}"));
    }
    if let Some(d) = attrs.domain {
        out.push_str(&format!("; Domain={d}"));
    }
    out.push_str(&format!("; Path={}", attrs.path));
    if let Some(t) = if value.is_none() { None } else { expiry.expires } {
        out.push_str(&format!("; Expires={}", crate::httpdate::http_date(t)));
    }
    if attrs.http_only {
        out.push_str("; HttpOnly");
    }
    if attrs.partitioned {
        out.push_str("; Partitioned");
    }
    if let Some(s) = attrs.same_site {
        out.push_str(s.attribute());
    }
    if attrs.secure || attrs.partitioned {
        out.push_str("; Secure");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As in Werkzeug, `Partitioned` forces `Secure`.
    #[test]
    fn secure_when_asked_or_partitioned() {
        let attrs = |secure, partitioned| Attributes {
            domain: None,
            path: "/",
            secure,
            http_only: true,
            same_site: None,
            partitioned,
        };
        for (secure, partitioned, want) in [(false, false, false), (true, false, true), (false, true, true)] {
            let header = render("session", "v", &attrs(secure, partitioned), None, false);
            assert_eq!(header.contains("; Secure"), want, "{header}");
            assert_eq!(header.contains("; Partitioned"), partitioned, "{header}");
        }
    }

    /// The `cookie` crate's rendering, as `render` wrote it before it was written out by hand.
    fn with_cookie_crate(
        name: &str,
        value: &str,
        attrs: &Attributes<'_>,
        expires: Option<u64>,
        max_age_zero: bool,
    ) -> String {
        let mut c = cookie::Cookie::new(name, value);
        c.set_path(attrs.path);
        if let Some(d) = attrs.domain {
            c.set_domain(d);
        }
        c.set_http_only(attrs.http_only);
        c.set_secure(attrs.secure || attrs.partitioned);
        c.set_partitioned(attrs.partitioned);
        if let Some(s) = attrs.same_site {
            c.set_same_site(match s {
                SameSite::Strict => cookie::SameSite::Strict,
                SameSite::Lax => cookie::SameSite::Lax,
                SameSite::None => cookie::SameSite::None,
            });
        }
        if let Some(t) = expires {
            let t = i64::try_from(t.min(crate::signer::MAX_TIMESTAMP)).unwrap_or(0);
            c.set_expires(time::OffsetDateTime::from_unix_timestamp(t).unwrap());
        }
        if max_age_zero {
            c.set_max_age(time::Duration::ZERO);
        }
        c.to_string()
    }

    #[test]
    fn renders_as_the_cookie_crate_does_in_every_combination() {
        let mut n = 0;
        for domain in [None, Some("example.com"), Some(".example.com")] {
            for path in ["/", "/app", ""] {
                for same_site in [None, Some(SameSite::Strict), Some(SameSite::Lax), Some(SameSite::None)] {
                    for bits in 0..8u8 {
                        let attrs = Attributes {
                            domain,
                            path,
                            secure: bits & 1 != 0,
                            http_only: bits & 2 != 0,
                            same_site,
                            partitioned: bits & 4 != 0,
                        };
                        for expires in [None, Some(0), Some(1_700_000_000), Some(u64::MAX)] {
                            for max_age_zero in [false, true] {
                                for value in ["", "eyJhIjoxfQ.ZVPxAA.c2ln"] {
                                    assert_eq!(
                                        render("session", value, &attrs, expires, max_age_zero),
                                        with_cookie_crate("session", value, &attrs, expires, max_age_zero),
                                        "{attrs:?} {expires:?} {max_age_zero}"
                                    );
                                    n += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(n, 3 * 3 * 4 * 8 * 4 * 2 * 2);
    }

    /// npm `cookie`'s `serialize("session", "v", {path: "/", secure: true})`.
    #[test]
    fn node_cookie_is_secure_when_asked() {
        let attrs = Attributes {
            domain: None,
            path: "/",
            secure: true,
            http_only: false,
            same_site: None,
            partitioned: false,
        };
        assert_eq!(
            render_node_cookie("session", Some("v"), &attrs, Expiry::default()),
            "session=v; Path=/; Secure"
        );
    }
}
