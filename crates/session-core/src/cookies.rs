//! `Cookie` header parsing and `Set-Cookie` rendering (with the `cookie` crate, kept internal).

use cookie::Cookie;

/// The value of the first cookie called `name` across the given `Cookie` header values (Werkzeug's
/// `request.cookies.get(name)`: the first one wins). Pairs that do not parse are skipped.
pub fn find_cookie<'a>(headers: impl IntoIterator<Item = &'a str>, name: &str) -> Option<&'a str> {
    headers.into_iter().find_map(|h| {
        let raw = Cookie::split_parse(h)
            .filter_map(Result::ok)
            .find(|c| c.name() == name)?
            .value_raw()?;
        Some(raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')).unwrap_or(raw))
    })
}

/// The attributes shared by a session cookie and its deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attributes<'a> {
    pub domain: Option<&'a str>,
    pub path: &'a str,
    pub secure: bool,
    pub http_only: bool,
    pub same_site: Option<crate::config::SameSite>,
    pub partitioned: bool,
}

/// Renders a `Set-Cookie` value. `expires` is Unix seconds; `max_age_zero` adds `Max-Age=0` (deletions).
pub(crate) fn render(
    name: &str,
    value: &str,
    attrs: &Attributes<'_>,
    expires: Option<i64>,
    max_age_zero: bool,
) -> String {
    let mut c = Cookie::new(name, value);
    c.set_path(attrs.path);
    if let Some(d) = attrs.domain {
        c.set_domain(d);
    }
    c.set_http_only(attrs.http_only);
    // Werkzeug: partitioned forces Secure.
    c.set_secure(attrs.secure || attrs.partitioned);
    c.set_partitioned(attrs.partitioned);
    if let Some(s) = attrs.same_site {
        c.set_same_site(match s {
            crate::config::SameSite::Strict => cookie::SameSite::Strict,
            crate::config::SameSite::Lax => cookie::SameSite::Lax,
            crate::config::SameSite::None => cookie::SameSite::None,
        });
    }
    if let Some(t) = expires {
        let t = time::OffsetDateTime::from_unix_timestamp(t.clamp(0, 253_402_300_799))
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        c.set_expires(t);
    }
    if max_age_zero {
        c.set_max_age(time::Duration::ZERO);
    }
    c.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_cookie_wins_and_others_are_ignored() {
        let h = ["theme=dark; session=abc.def.ghi; session=second", "session=third"];
        assert_eq!(find_cookie(h, "session"), Some("abc.def.ghi"));
        assert_eq!(find_cookie(["a=1", "session=x"], "session"), Some("x"));
        assert_eq!(find_cookie(["garbage; =; a"], "session"), None);
        assert_eq!(find_cookie(["session=\"q.v.s\""], "session"), Some("q.v.s"));
    }
}
