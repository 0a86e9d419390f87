//! `doctor --set-cookie` / `--url`: two services' `Set-Cookie` lines compared for what breaks sharing one
//! session cookie (its name, Domain, Path, Secure over http, SameSite, lifetime, format), each difference with
//! the setting to change on either side.

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::{TcpStream, ToSocketAddrs as _};
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use session_core::Format;

use crate::Target;

/// One side: where its lines came from, and its session cookie.
pub struct Side {
    /// `A` or `B`, with the file or URL.
    label: String,
    /// Whether the lines came over plain http (then a `Secure` cookie is dropped by the browser).
    over_http: bool,
    /// The host the lines came from (`--url`), for host-only cookies.
    host: Option<String>,
    /// The session cookie it sets.
    cookie: SetCookie,
    /// The formats the cookie's value has the shape of.
    formats: Vec<Format>,
}

/// The attributes of one `Set-Cookie` line that decide where the browser sends the cookie.
#[derive(Debug, Default, Clone)]
struct SetCookie {
    name: String,
    value: String,
    domain: Option<String>,
    path: Option<String>,
    secure: bool,
    same_site: Option<String>,
    /// `Max-Age`, or `Expires` minus the time given; `None` for a cookie that ends with the browser session.
    lifetime: Option<i64>,
}

/// Parses one `Set-Cookie` value (without the header name) with the `cookie` crate.
fn parse(line: &str, now: u64) -> Option<SetCookie> {
    let c = cookie::Cookie::parse(line.trim()).ok()?;
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    let lifetime = c
        .max_age()
        .map(|d| d.whole_seconds())
        .or_else(|| c.expires_datetime().map(|t| t.unix_timestamp().saturating_sub(now)));
    Some(SetCookie {
        name: c.name().to_owned(),
        value: c.value_trimmed().to_owned(),
        domain: c.domain().map(str::to_ascii_lowercase),
        path: c.path().map(str::to_owned),
        secure: c.secure().unwrap_or(false),
        same_site: c.same_site().map(|s| s.to_string().to_ascii_lowercase()),
        lifetime,
    })
}

/// The `Set-Cookie` values in text: the `Set-Cookie:` header lines when there are any (a response pasted from
/// `curl -si`), otherwise every non-empty line.
fn set_cookie_lines(text: &str) -> Vec<String> {
    let headers: Vec<String> = text
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            (l.len() > 11 && l[..11].eq_ignore_ascii_case("set-cookie:")).then(|| l[11..].trim().to_owned())
        })
        .collect();
    if !headers.is_empty() {
        return headers;
    }
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The session cookie among a side's cookies: the one whose value has a registered format's shape (or, failing
/// that, a format's cookie name); deletions are skipped.
fn session_cookie(
    target: &Target<'_>,
    lines: &[String],
    now: u64,
    label: &str,
) -> anyhow::Result<(SetCookie, Vec<Format>)> {
    let cookies: Vec<SetCookie> = lines
        .iter()
        .filter_map(|l| parse(l, now))
        .filter(|c| !c.value.is_empty() && c.lifetime.is_none_or(|l| l > 0))
        .collect();
    if cookies.is_empty() {
        bail!("{label}: no Set-Cookie line that sets a cookie (deletions are skipped); log in first, then copy them");
    }
    let mut best: Option<(SetCookie, Vec<Format>)> = None;
    for c in &cookies {
        if target.cookie_name.is_some_and(|n| n != c.name) {
            continue;
        }
        let formats = crate::doctor::value_shapes(target, &c.name, &c.value, now);
        let shaped = !formats.is_empty() && best.as_ref().is_none_or(|(_, f)| f.is_empty());
        let named = best.is_none() && Format::ALL.iter().any(|f| f.defaults().cookie_name == c.name);
        if shaped || named {
            best = Some((c.clone(), formats));
        }
    }
    best.ok_or_else(|| {
        anyhow!(
            "{label}: none of its cookies ({}) has a session cookie's shape or name; pass --cookie-name",
            cookies.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
        )
    })
}

/// A side from a file of pasted lines (`-` for stdin).
pub fn from_file(target: &Target<'_>, path: &str, label: &str, now: u64) -> anyhow::Result<Side> {
    let text = if path == "-" {
        let mut t = String::new();
        std::io::stdin()
            .read_to_string(&mut t)
            .context("cannot read the Set-Cookie lines from stdin")?;
        t
    } else {
        std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?
    };
    let label = format!("{label} ({path})");
    let (cookie, formats) = session_cookie(target, &set_cookie_lines(&text), now, &label)?;
    Ok(Side {
        label,
        over_http: false,
        host: None,
        cookie,
        formats,
    })
}

/// A side from a GET of `url`: plain http to a loopback address, or to a host named in `allowed`.
pub fn from_url(target: &Target<'_>, url: &str, allowed: &[String], label: &str, now: u64) -> anyhow::Result<Side> {
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        anyhow!("--url {url}: only http:// URLs (a local service); for https, paste `curl -si URL` into a file")
    })?;
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(h, _)| h)
        .trim_matches(['[', ']']);
    let with_port = if authority.contains(':') && !authority.ends_with(']') {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let addrs: Vec<_> = with_port
        .to_socket_addrs()
        .with_context(|| format!("--url {url}: cannot resolve {host}"))?
        .collect();
    let loopback = !addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback());
    if !loopback && !allowed.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        bail!("--url {url}: {host} is not a loopback address; name it with --allow-host {host} to fetch from it");
    }
    let mut stream = TcpStream::connect_timeout(
        addrs.first().ok_or_else(|| anyhow!("--url {url}: no address"))?,
        Duration::from_secs(5),
    )
    .with_context(|| format!("--url {url}: cannot connect"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: session-cookie doctor\r\nAccept: */*\r\n\
         Connection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .with_context(|| format!("--url {url}: cannot send the request"))?;
    let mut response = Vec::new();
    // Only the headers matter; a service that keeps the body coming is cut off at 1 MiB.
    stream.take(1 << 20).read_to_end(&mut response).ok();
    let head_end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(response.len());
    let head = String::from_utf8_lossy(&response[..head_end]).into_owned();
    let label = format!("{label} ({url})");
    let (cookie, formats) = session_cookie(target, &set_cookie_lines(&head), now, &label)?;
    Ok(Side {
        label,
        over_http: true,
        host: Some(host.to_ascii_lowercase()),
        cookie,
        formats,
    })
}

/// The setting that changes one attribute of the session cookie of a side whose value has the shape of
/// `formats` (each framework's name for it, and the library's builder method).
fn setting(formats: &[Format], what: Attr) -> String {
    let mut named: Vec<String> = Vec::new();
    for &format in formats {
        if let Some(s) = framework_setting(format, what) {
            let s = format!("{format}: {s}");
            if !named.contains(&s) {
                named.push(s);
            }
        }
    }
    let ours = match what {
        Attr::Name => ".cookie_name()",
        Attr::Domain => ".domain()",
        Attr::Path => ".path()",
        Attr::Secure => ".secure()",
        Attr::SameSite => ".same_site()",
        Attr::Lifetime => ".lifetime_secs()",
    };
    named.push(format!("this library: SessionConfig::builder(){ours}"));
    named.join(" / ")
}

/// The framework's own name for the setting of one attribute, where this tool knows it.
fn framework_setting(format: Format, what: Attr) -> Option<&'static str> {
    match format {
        Format::Flask => Some(match what {
            Attr::Name => "SESSION_COOKIE_NAME",
            Attr::Domain => "SESSION_COOKIE_DOMAIN",
            Attr::Path => "SESSION_COOKIE_PATH",
            Attr::Secure => "SESSION_COOKIE_SECURE",
            Attr::SameSite => "SESSION_COOKIE_SAMESITE",
            Attr::Lifetime => "PERMANENT_SESSION_LIFETIME",
        }),
        Format::Starlette => Some(match what {
            Attr::Name => "SessionMiddleware(session_cookie=...)",
            Attr::Domain => "SessionMiddleware(domain=...)",
            Attr::Path => "SessionMiddleware(path=...)",
            Attr::Secure => "SessionMiddleware(https_only=...)",
            Attr::SameSite => "SessionMiddleware(same_site=...)",
            Attr::Lifetime => "SessionMiddleware(max_age=...)",
        }),
        Format::Django => Some(match what {
            Attr::Name => "SESSION_COOKIE_NAME",
            Attr::Domain => "SESSION_COOKIE_DOMAIN",
            Attr::Path => "SESSION_COOKIE_PATH",
            Attr::Secure => "SESSION_COOKIE_SECURE",
            Attr::SameSite => "SESSION_COOKIE_SAMESITE",
            Attr::Lifetime => "SESSION_COOKIE_AGE",
        }),
        Format::Rails => Some(match what {
            Attr::Name => "session_store :cookie_store, key:",
            Attr::Domain => "session_store :cookie_store, domain:",
            Attr::Path => "session_store :cookie_store, path:",
            Attr::Secure => "session_store :cookie_store, secure:",
            Attr::SameSite => "session_store :cookie_store, same_site:",
            Attr::Lifetime => "session_store :cookie_store, expire_after:",
        }),
        Format::Express => Some(match what {
            Attr::Name => "cookieSession({ name })",
            Attr::Domain => "cookieSession({ domain })",
            Attr::Path => "cookieSession({ path })",
            Attr::Secure => "cookieSession({ secure })",
            Attr::SameSite => "cookieSession({ sameSite })",
            Attr::Lifetime => "cookieSession({ maxAge })",
        }),
        Format::Gorilla => Some(match what {
            Attr::Name => "store.Get(r, \"<session name>\")",
            Attr::Domain => "sessions.Options{Domain}",
            Attr::Path => "sessions.Options{Path}",
            Attr::Secure => "sessions.Options{Secure}",
            Attr::SameSite => "sessions.Options{SameSite}",
            Attr::Lifetime => "sessions.Options{MaxAge}",
        }),
        Format::Laravel | Format::LaravelGcm => Some(match what {
            Attr::Name => "config/session.php 'cookie' (SESSION_COOKIE)",
            Attr::Domain => "config/session.php 'domain' (SESSION_DOMAIN)",
            Attr::Path => "config/session.php 'path'",
            Attr::Secure => "config/session.php 'secure' (SESSION_SECURE_COOKIE)",
            Attr::SameSite => "config/session.php 'same_site'",
            Attr::Lifetime => "config/session.php 'lifetime' (SESSION_LIFETIME, minutes)",
        }),
        _ => None,
    }
}

/// A cookie attribute a setting changes.
#[derive(Debug, Clone, Copy)]
enum Attr {
    Name,
    Domain,
    Path,
    Secure,
    SameSite,
    Lifetime,
}

/// Compares two sides: one line per difference that breaks sharing, with the setting on either side. Returns
/// the report and how many problems it found.
pub fn compare(a: &Side, b: &Side) -> (String, usize) {
    let mut out = String::new();
    let mut problems = 0;
    for side in [a, b] {
        let c = &side.cookie;
        let _ = writeln!(
            out,
            "{}: cookie {:?} ({}); Domain {}; Path {}; {}SameSite {}; {}",
            side.label,
            c.name,
            if side.formats.is_empty() {
                "no registered format's shape".to_owned()
            } else {
                format!(
                    "shape of {}",
                    side.formats.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
                )
            },
            c.domain.as_deref().unwrap_or("none (host-only)"),
            c.path.as_deref().unwrap_or("none (the request's directory)"),
            if c.secure { "Secure; " } else { "" },
            c.same_site.as_deref().unwrap_or("not set (Lax in browsers)"),
            c.lifetime
                .map_or("ends with the browser session".to_owned(), |l| format!(
                    "lifetime {l} s"
                )),
        );
    }
    let mut problem = |out: &mut String, name: &str, text: String| {
        problems += 1;
        let _ = writeln!(out, "reason: {name}\n  {text}");
    };
    let (ca, cb) = (&a.cookie, &b.cookie);
    if ca.name != cb.name {
        problem(
            &mut out,
            "cookie-name",
            format!(
                "the session cookie is {:?} on A and {:?} on B: each side reads only its own name. Rename one: B's \
                 to {:?} ({}), or A's to {:?} ({})",
                ca.name,
                cb.name,
                ca.name,
                setting(&b.formats, Attr::Name),
                cb.name,
                setting(&a.formats, Attr::Name)
            ),
        );
    }
    if !a.formats.is_empty() && !b.formats.is_empty() && !a.formats.iter().any(|f| b.formats.contains(f)) {
        problem(
            &mut out,
            "format",
            format!(
                "A writes {} cookies and B {}: neither reads the other's. Use one format on both sides (a service \
                 on this library: SessionConfig::builder().format(...), or migrate_from for a move)",
                a.formats[0], b.formats[0]
            ),
        );
    }
    if ca.domain != cb.domain || (ca.domain.is_none() && a.host.is_some() && a.host != b.host) {
        let shared = ca.domain.clone().or_else(|| cb.domain.clone());
        problem(
            &mut out,
            "domain",
            format!(
                "Domain is {} on A and {} on B: a host-only cookie (no Domain) goes back only to the host that set \
                 it, and two Domains make two cookies. Set the same Domain{} on both: A: {}; B: {}",
                ca.domain.as_deref().unwrap_or("not set"),
                cb.domain.as_deref().unwrap_or("not set"),
                shared
                    .map(|d| format!(" ({d}, the parent of both hosts)"))
                    .unwrap_or_default(),
                setting(&a.formats, Attr::Domain),
                setting(&b.formats, Attr::Domain)
            ),
        );
    }
    if ca.path != cb.path {
        problem(
            &mut out,
            "path",
            format!(
                "Path is {} on A and {} on B: the browser sends a cookie only under its path. Set Path=/ on both: \
                 A: {}; B: {}",
                ca.path.as_deref().unwrap_or("not set"),
                cb.path.as_deref().unwrap_or("not set"),
                setting(&a.formats, Attr::Path),
                setting(&b.formats, Attr::Path)
            ),
        );
    }
    for (side, other) in [(a, b), (b, a)] {
        if side.cookie.secure && side.over_http {
            let local = side
                .host
                .as_deref()
                .is_some_and(|h| h == "localhost" || h == "127.0.0.1" || h == "::1");
            problem(
                &mut out,
                "secure-over-http",
                format!(
                    "{} sets Secure over plain http: browsers drop it{}. Serve it over https, or turn Secure off \
                     for local development ({})",
                    side.label,
                    if local {
                        " (Chrome and Firefox make an exception for localhost, Safari does not)"
                    } else {
                        ""
                    },
                    setting(&side.formats, Attr::Secure)
                ),
            );
        }
        let _ = other;
    }
    if ca.secure != cb.secure && !(a.over_http || b.over_http) {
        problem(
            &mut out,
            "secure",
            format!(
                "Secure is {} on A and {} on B: after the Secure side writes the cookie, the other side cannot \
                 overwrite it over http. Set it the same on both: A: {}; B: {}",
                on(ca.secure),
                on(cb.secure),
                setting(&a.formats, Attr::Secure),
                setting(&b.formats, Attr::Secure)
            ),
        );
    }
    // Browsers read a missing SameSite as Lax (Chrome, Firefox): only a real difference counts.
    let lax = |s: &Option<String>| s.clone().unwrap_or_else(|| "lax".to_owned());
    if lax(&ca.same_site) != lax(&cb.same_site) {
        problem(
            &mut out,
            "same-site",
            format!(
                "SameSite is {} on A and {} on B: a request from one site to the other carries the cookie only \
                 under the looser rule, so a login on one side can vanish on a link from the other. Set the same \
                 on both: A: {}; B: {}",
                ca.same_site.as_deref().unwrap_or("not set"),
                cb.same_site.as_deref().unwrap_or("not set"),
                setting(&a.formats, Attr::SameSite),
                setting(&b.formats, Attr::SameSite)
            ),
        );
    }
    for (side, c) in [(a, ca), (b, cb)] {
        if c.same_site.as_deref() == Some("none") && !c.secure {
            problem(
                &mut out,
                "same-site",
                format!(
                    "{} sets SameSite=None without Secure: browsers refuse the cookie. Add Secure ({})",
                    side.label,
                    setting(&side.formats, Attr::Secure)
                ),
            );
        }
    }
    // Expires is read against the time given, so a minute of drift between the two pastes is no difference.
    let drift = |x: i64, y: i64| (x - y).abs() > 60;
    if match (ca.lifetime, cb.lifetime) {
        (Some(x), Some(y)) => drift(x, y),
        (None, None) => false,
        _ => true,
    } {
        let (la, lb) = (ca.lifetime, cb.lifetime);
        problem(
            &mut out,
            "lifetime",
            format!(
                "the cookie lives {} on A and {} on B: the side with the shorter lifetime refuses (or lets the \
                 browser drop) sessions the other still keeps, so users are logged out early. Set one lifetime: A: \
                 {}; B: {}",
                lifetime(la),
                lifetime(lb),
                setting(&a.formats, Attr::Lifetime),
                setting(&b.formats, Attr::Lifetime)
            ),
        );
    }
    if problems == 0 {
        let _ = writeln!(out, "no difference that breaks sharing");
    }
    (out, problems)
}

fn on(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

fn lifetime(l: Option<i64>) -> String {
    l.map_or("until the browser closes".to_owned(), |s| format!("{s} s"))
}
