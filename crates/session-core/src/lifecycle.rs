//! Flask's `open_session` / `save_session`, and the lazy per-request handle every adapter uses.

use std::sync::{Arc, Mutex, MutexGuard};

use smallvec::SmallVec;

use crate::config::{OversizePolicy, SessionConfig};
use crate::error::{Result, SessionError};
use crate::format::Claimed;
use crate::format::seam::{CookieOrder, DeleteWhen, ExpiryRule, Refresh};
use crate::json::to_tagged_json;
use crate::key::KeyId;
use crate::session::Session;
use crate::set_cookie::{Attributes, Expiry};
use crate::signer::MAX_TIMESTAMP;

/// The result of loading a session from a request.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The session (empty when there was no cookie or it was refused).
    pub session: Session,
    /// Why the incoming cookie was refused, for logging. Never shown to the client.
    pub refused: Option<SessionError>,
}

/// Why the request has the session it has: a new visitor, a cookie that verified (and by which key), or a
/// cookie that was refused (and why). [`SessionHandle::status`] gives it to handlers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadStatus {
    /// No session cookie (or an empty one): a new visitor, an empty session.
    New,
    /// The cookie verified; the session holds its data.
    Loaded {
        /// The key that verified it (a fallback key means the response re-signs it with the current key).
        key: KeyId,
    },
    /// The cookie was refused; the session started empty. The error's [`kind`](SessionError::kind) is
    /// `Expired`, `BadSignature`, `Malformed` or `BadPayload` (a validly signed but hostile payload); its
    /// message never contains the cookie.
    Refused(SessionError),
}

/// What the response will do with the session cookie, as far as the handler can tell (actix-session's
/// `SessionStatus`). [`SessionHandle::change`] gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionChange {
    /// Nothing changed: no new cookie (except Flask's refresh of permanent sessions and the re-sign of a
    /// fallback-key cookie).
    Unchanged,
    /// The data changed: the cookie is sent again.
    Changed,
    /// The session was emptied: the cookie is deleted.
    Purged,
    /// [`SessionHandle::renew`] was called: the cookie is re-signed with a fresh timestamp.
    Renewed,
}

/// Whether `Vary` header values already cover `Cookie`: they list `Cookie` (any case) or `*` (which varies
/// on everything). Adapters add `Vary: Cookie` only when this is false.
///
/// ```
/// use session_core::vary_covers_cookie;
/// assert!(vary_covers_cookie([b"Accept-Encoding, cookie".as_slice()]));
/// assert!(vary_covers_cookie([b"*".as_slice()]));
/// assert!(!vary_covers_cookie([b"Accept-Encoding".as_slice(), b"Cookies".as_slice()]));
/// ```
pub fn vary_covers_cookie<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> bool {
    values.into_iter().flat_map(|v| v.split(|&b| b == b',')).any(|token| {
        let token = token.trim_ascii();
        token == b"*" || token.eq_ignore_ascii_case(b"cookie")
    })
}

/// The response an adapter sends instead of the handler's when a session error reaches the framework (a
/// session too large to save, or an error a handler returned with `?`): status 500, plain text, `Vary: Cookie`,
/// and a body that says nothing about the session (the error itself is logged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorResponse {
    /// The HTTP status code: 500.
    pub status: u16,
    /// Headers to set: `Content-Type: text/plain; charset=utf-8` and `Vary: Cookie`.
    pub headers: [(&'static str, &'static str); 2],
    /// The body.
    pub body: &'static str,
}

/// The default body of [`ErrorResponse`].
pub const INTERNAL_SERVER_ERROR: &str = "Internal Server Error";

impl ErrorResponse {
    /// The error response with `body` as its text.
    pub const fn with_body(body: &'static str) -> Self {
        Self {
            status: 500,
            headers: [("content-type", "text/plain; charset=utf-8"), ("vary", "Cookie")],
            body,
        }
    }
}

impl Default for ErrorResponse {
    fn default() -> Self {
        Self::with_body(INTERNAL_SERVER_ERROR)
    }
}

/// What the response must carry after the handler ran: every `Set-Cookie` to append (cookies to set and
/// cookies to delete, in order), and whether `Vary: Cookie` must be added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseCookie {
    set_cookies: SmallVec<[String; 2]>,
    /// Whether `Vary: Cookie` must be added.
    pub vary_cookie: bool,
}

impl ResponseCookie {
    /// The `Set-Cookie` header values to append, one header each, in order (empty when nothing is sent).
    pub fn set_cookies(&self) -> &[String] {
        &self.set_cookies
    }

    /// The `Set-Cookie` header values, owned.
    pub fn into_set_cookies(self) -> impl Iterator<Item = String> {
        self.set_cookies.into_iter()
    }

    /// Whether nothing is set or deleted.
    pub fn is_empty(&self) -> bool {
        self.set_cookies.is_empty()
    }

    /// Whether every value can go in an HTTP header (visible ASCII, space, tab, or bytes above 0x7F): what
    /// `http`'s `HeaderValue` accepts. Adapters check it before appending any, so a session's cookies go out
    /// together or not at all.
    pub fn is_header_safe(&self) -> bool {
        // One pass over every byte without an early exit, so that it compiles to a few vector instructions: a
        // byte is refused when it is a control character other than tab, or DEL.
        self.set_cookies.iter().all(|v| {
            !v.bytes()
                .fold(false, |bad, b| bad | ((b < b' ') & (b != b'\t')) | (b == 0x7f))
        })
    }
}

impl SessionConfig {
    /// Flask's `open_session`, for every format: this format's cookies in the `Cookie` header values (found as
    /// its framework finds them: Werkzeug, Rack and actix-web take the first of a name, Python's parsers the
    /// last, npm `cookies` the first `name=` of the joined lines, Go's `net/http` the first of a name whose value
    /// it accepts), verified at `now` (Unix seconds) with max
    /// age = lifetime. Any refusal gives an empty session plus the reason; a missing or empty cookie (also a
    /// bare `session` token) is simply a new session. With
    /// [`SessionConfigBuilder::migrate_from`](crate::SessionConfigBuilder::migrate_from), a request without a
    /// valid cookie of this format is read from the other format's cookie.
    pub fn load<'a>(&self, cookie_headers: impl IntoIterator<Item = &'a str>, now: u64) -> Loaded {
        let (own, old) = self.claim(cookie_headers);
        self.load_found(&own, old.as_ref(), now)
    }

    /// This format's cookies (and, with a migration, the other format's) among the `Cookie` header lines.
    pub(crate) fn claim<H: AsRef<[u8]>>(
        &self,
        cookie_headers: impl IntoIterator<Item = H>,
    ) -> (Claimed, Option<Claimed>) {
        let mut headers = cookie_headers.into_iter();
        // One `Cookie` line (HTTP/1.1) is read in place; several (HTTP/2 sends one per cookie) are gathered.
        match (headers.next(), headers.next()) {
            (None, _) => self.claim_lines(&[]),
            (Some(one), None) => self.claim_lines(&[one.as_ref()]),
            (Some(a), Some(b)) => {
                let rest: SmallVec<[H; 6]> = headers.collect();
                let mut lines: SmallVec<[&[u8]; 8]> = SmallVec::new();
                lines.push(a.as_ref());
                lines.push(b.as_ref());
                lines.extend(rest.iter().map(AsRef::as_ref));
                self.claim_lines(&lines)
            }
        }
    }

    fn claim_lines(&self, lines: &[&[u8]]) -> (Claimed, Option<Claimed>) {
        let own = self.0.codec.codec().claim(lines);
        let old = self.0.migrate_from.as_ref().map(|m| m.codec.codec().claim(lines));
        (own, old)
    }

    /// Loads from the cookies found in the request: this format's `own` and, with a migration, the other
    /// format's `old`. The own cookie wins when it opens; otherwise the old one (it may have the same name),
    /// which the response writes again in this format. An old cookie under another name is deleted by any
    /// response that writes or deletes the session.
    pub(crate) fn load_found(&self, own: &Claimed, old: Option<&Claimed>, now: u64) -> Loaded {
        let (Some(m), Some(old)) = (&self.0.migrate_from, old.filter(|o| o.is_present())) else {
            return self.load_value(own, now);
        };
        let mut loaded = self.load_value(own, now);
        // The old format's cookies the request carried, under names this format does not write.
        let own_names = self.0.codec.codec().names();
        let old_main = old.main.as_ref().map(|_| m.codec.codec().name());
        let stale = old_main
            .into_iter()
            .chain(old.extra.iter().map(|(name, _)| name.as_str()))
            .filter(|name| !own_names.contains(name))
            .map(str::to_owned);
        loaded.session.also_delete.extend(stale);
        if loaded.session.verified_by().is_some() || !old.has_value() {
            return loaded;
        }
        match m.codec.decode_claimed(old, now, Some(m.lifetime)) {
            Ok(d) => {
                let mut session = Session::from_map(d.data);
                if let Some(e) = self.login_expired(&session, now) {
                    return Loaded {
                        refused: Some(e),
                        ..loaded
                    };
                }
                session.verified_by = Some(d.key);
                session.cookie_present = true;
                session.rewrite = true;
                session.main_present = loaded.session.main_present;
                session.also_delete = std::mem::take(&mut loaded.session.also_delete);
                Loaded { session, refused: None }
            }
            // This format's own refusal, when there was one, says more.
            Err(e) if loaded.refused.is_none() => Loaded {
                refused: Some(e),
                ..loaded
            },
            Err(_) => loaded,
        }
    }

    /// [`SessionConfig::load`] for this format's cookies, already found in the request.
    fn load_value(&self, claimed: &Claimed, now: u64) -> Loaded {
        let mut session = Session::default();
        session.cookie_present = claimed.is_present();
        session.main_present = claimed.main.is_some();
        if !claimed.extra.is_empty() {
            session.also_delete = claimed.extra.iter().map(|(name, _)| name.clone()).collect();
        }
        if !claimed.has_value() {
            return Loaded { session, refused: None };
        }
        match self.0.codec.decode_claimed(claimed, now, Some(self.0.lifetime)) {
            Ok(d) => {
                let mut opened = Session::from_map(d.data);
                if let Some(e) = self.login_expired(&opened, now) {
                    return Loaded {
                        session,
                        refused: Some(e),
                    };
                }
                opened.verified_by = Some(d.key);
                opened.timestamp = d.timestamp;
                opened.cookie_present = true;
                opened.rewrite = d.rewrite;
                opened.main_present = session.main_present;
                opened.also_delete = std::mem::take(&mut session.also_delete);
                Loaded {
                    session: opened,
                    refused: None,
                }
            }
            Err(e) => Loaded {
                session,
                refused: Some(e),
            },
        }
    }

    /// Our login lifetime ([`SessionConfigBuilder::login_lifetime_secs`](crate::SessionConfigBuilder::login_lifetime_secs)):
    /// the refusal for a session whose recorded login is older than it.
    fn login_expired(&self, session: &Session, now: u64) -> Option<SessionError> {
        let limit = self.0.login_lifetime?;
        let age = now.saturating_sub(session.login_at()?);
        (age > limit).then_some(SessionError::Expired { age, max_age: limit })
    }

    /// Flask's `save_session`, for every format by its rules: what to send for `session` at `now`.
    ///
    /// An emptied session deletes the cookies (every cookie of the session, and a migrated format's old
    /// cookie) when the format's framework would: Flask always, Django, Rails, actix-session and Express when
    /// the request carried the cookie, Starlette when it opened. A non-empty session is written when the
    /// handler changed or renewed it, on every request where refresh-each-request applies (Flask: permanent
    /// sessions; Django, Rails, actix-session, Express: every session; Starlette: never), and (beyond the
    /// frameworks) when it was verified by a fallback key or read through a migration, to write it again with
    /// the current key and format. The expiry the cookies carry is computed once here and handed to the format.
    /// `accessed` says whether the handler touched the session (the response then varies on `Cookie`, in the
    /// formats whose frameworks do so).
    ///
    /// Only a change the handler made can fail: when the session was neither modified nor renewed and the
    /// cookie is only being refreshed or re-signed, a cookie that would not fit is not sent, the response goes
    /// out as it is, and a warning names the size, the limit and the largest keys. The browser keeps the
    /// cookie it has.
    ///
    /// # Errors
    /// [`SessionError::CookieTooLarge`] when the handler changed (or renewed) the session and one `Set-Cookie`
    /// value exceeds `max_cookie_size` (the error names that cookie); nothing may be sent. An encrypting
    /// format's failed nonce source.
    pub fn save(&self, session: &Session, accessed: bool, now: u64) -> Result<ResponseCookie> {
        let c = &self.0;
        let rules = c.format.spec().rules;
        let codec = c.codec.codec();
        let mut out = ResponseCookie {
            set_cookies: SmallVec::new(),
            vary_cookie: accessed && rules.vary,
        };
        let asked = session.is_modified() || session.is_renewed();
        let refresh = || {
            c.refresh_each_request
                && match rules.refresh {
                    Refresh::Permanent => session.permanent(),
                    Refresh::Always => true,
                    Refresh::Accessed => accessed,
                    Refresh::Never => false,
                }
        };
        // Nothing asked, refreshed or re-signed (a request that only read the session): nothing to send, and
        // nothing to delete (only a change deletes).
        if !(asked || refresh() || self.rewrite_due(session)) {
            return Ok(out);
        }
        let attrs = self.attributes();
        let names = codec.names();
        let main = names[0];
        let holds_nothing =
            session.is_empty() || (!rules.reserved.is_empty() && session.keys().all(|k| rules.reserved.contains(&k)));
        if holds_nothing {
            let delete = session.is_modified()
                && match rules.delete {
                    DeleteWhen::Modified => true,
                    DeleteWhen::CookiePresent => session.cookie_present,
                    DeleteWhen::CookieOpened => session.verified_by().is_some(),
                };
            if delete || (session.is_modified() && !session.also_delete.is_empty()) {
                let mut gone: SmallVec<[&str; 4]> = SmallVec::new();
                if delete && rules.delete_absent {
                    gone.extend(names.iter().copied());
                } else if delete && session.main_present {
                    gone.push(main);
                }
                for name in session.also_delete.iter().map(String::as_str) {
                    if !gone.contains(&name) {
                        gone.push(name);
                    }
                }
                for name in gone {
                    out.set_cookies
                        .push(codec.render(name, None, &attrs, Expiry::default()));
                }
                out.vary_cookie = rules.vary;
            }
            return Ok(out);
        }
        let expiry = self.expiry(rules.expiry, session, now);
        let seal_at = expiry.sealed.or(expiry.expires).and_then(|e| u64::try_from(e).ok());
        let sealed = crate::format::seal(codec, session.data().into(), now, seal_at)?;
        // The request's cookies of this session (beyond what every write replaces): a write sets them again or
        // deletes them (stale chunks, a whole cookie now in chunks, a migrated format's old cookie).
        let mut present: SmallVec<[&str; 4]> = SmallVec::new();
        if session.main_present {
            present.push(main);
        }
        for name in session.also_delete.iter().map(String::as_str) {
            if !present.contains(&name) {
                present.push(name);
            }
        }
        let set = |name: &str| sealed.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        let mut headers: SmallVec<[String; 2]> = SmallVec::new();
        if rules.order == CookieOrder::RequestOrder {
            for &name in &present {
                headers.push(codec.render(name, set(name), &attrs, expiry));
            }
        }
        for (name, value) in &sealed {
            if rules.order == CookieOrder::WritesFirst || !present.contains(&name.as_ref()) {
                headers.push(codec.render(name, Some(value), &attrs, expiry));
            }
        }
        if rules.order == CookieOrder::WritesFirst {
            for &name in &present {
                if set(name).is_none() {
                    headers.push(codec.render(name, None, &attrs, Expiry::default()));
                }
            }
        }
        self.fit(session, headers, asked, out, rules.vary)
    }

    /// The expiry this response's cookies carry, by the format's rule.
    fn expiry(&self, rule: ExpiryRule, session: &Session, now: u64) -> Expiry {
        let c = &self.0;
        let at = |secs: u64| i64::try_from(now.saturating_add(secs).min(MAX_TIMESTAMP)).ok();
        match rule {
            ExpiryRule::Permanent => Expiry {
                expires: session.permanent().then(|| at(c.lifetime)).flatten(),
                ..Expiry::default()
            },
            // Starlette's `max_age=None` writes no `Max-Age`.
            ExpiryRule::MaxAge => Expiry {
                max_age: (!c.expire_at_browser_close).then(|| i128::from(c.lifetime)),
                ..Expiry::default()
            },
            ExpiryRule::MaxAgeAndExpires => Expiry {
                max_age: (c.lifetime > 0).then(|| i128::from(c.lifetime)),
                expires: (c.lifetime > 0).then(|| at(c.lifetime)).flatten(),
                ..Expiry::default()
            },
            ExpiryRule::IfLifetime => Expiry {
                expires: (c.lifetime > 0).then(|| at(c.lifetime)).flatten(),
                ..Expiry::default()
            },
            // iron-session: `Max-Age` = ttl − 60 (the ttl itself when that is not positive, as iron-session 9
            // writes it), no `Expires`; the seal ends at the ttl. A ttl of 0: no expiry in the seal, and the
            // largest `Max-Age` a 32-bit signed number holds.
            ExpiryRule::TtlMaxAge { grace } if c.lifetime > 0 => Expiry {
                max_age: Some(i128::from(if c.lifetime > grace {
                    c.lifetime - grace
                } else {
                    c.lifetime
                })),
                expires: None,
                sealed: at(c.lifetime),
            },
            ExpiryRule::TtlMaxAge { .. } => Expiry {
                max_age: Some(i128::from(i32::MAX)),
                ..Expiry::default()
            },
            ExpiryRule::FromSession(f) => {
                f(session.data(), c.lifetime, c.expire_at_browser_close, now).unwrap_or_default()
            }
        }
    }

    /// The configured `Set-Cookie` attributes, shared by every format's save.
    pub(crate) fn attributes(&self) -> Attributes<'_> {
        let c = &self.0;
        Attributes {
            domain: c.domain.as_deref(),
            path: &c.path,
            secure: c.secure,
            http_only: c.http_only,
            same_site: c.same_site,
            partitioned: c.partitioned,
        }
    }

    /// Whether the cookie must be written again although the handler did not ask: it was verified by a fallback
    /// key (or needs rewriting for another reason the format found, e.g. a migrated cookie), and re-signing is on.
    pub(crate) fn rewrite_due(&self, session: &Session) -> bool {
        self.0.resign_fallback && (matches!(session.verified_by(), Some(KeyId::Fallback(_))) || session.rewrite)
    }

    /// The last step of every write: `headers` go out when each fits `max_cookie_size` (browsers limit each
    /// cookie, not their sum). One that does not fit fails the response only when the handler asked for the
    /// write (`asked`: modified or renewed); a refresh or re-sign the handler did not ask for is skipped with
    /// one warning (size, limit, largest keys, never the values), the response keeps going and the browser
    /// keeps the cookies it has.
    fn fit(
        &self,
        session: &Session,
        headers: SmallVec<[String; 2]>,
        asked: bool,
        mut out: ResponseCookie,
        vary: bool,
    ) -> Result<ResponseCookie> {
        let c = &self.0;
        let too_large = headers
            .iter()
            .find(|h| c.max_cookie_size > 0 && h.len() > c.max_cookie_size);
        if let Some(header) = too_large {
            let name = header.split_once('=').map_or(header.as_str(), |(n, _)| n);
            if !asked {
                tracing::warn!(
                    cookie = %name,
                    size = header.len(),
                    limit = c.max_cookie_size,
                    largest = %largest_keys(session),
                    "session cookie not re-sent: it would exceed the size limit and the handler did not change \
                     the session, so the response keeps going and the browser keeps the cookie it has"
                );
                return Ok(out);
            }
            return Err(SessionError::CookieTooLarge {
                name: name.to_owned(),
                size: header.len(),
                limit: c.max_cookie_size,
                largest: largest_keys(session),
            });
        }
        out.set_cookies = headers;
        out.vary_cookie |= vary;
        Ok(out)
    }
}

/// The three top-level keys whose encoded values take the most room, as `key (N bytes)`.
pub(crate) fn largest_keys(session: &Session) -> String {
    let mut sizes: Vec<(usize, &str)> = session
        .iter()
        .map(|(k, v)| (k.len() + to_tagged_json(v).len(), k))
        .collect();
    sizes.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    sizes
        .iter()
        .take(3)
        .map(|(n, k)| format!("{k:?} ({n} bytes)"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The per-request session every adapter hands to handlers: cheap to clone, `Send + Sync`, and lazy.
///
/// The cookie is verified only when a handler first touches the session, and only then does the response
/// get `Vary: Cookie` (the one exception is Flask's refresh of permanent sessions, see [`SessionHandle::finish`]).
/// Refused cookies are logged (reason only) with `tracing`.
///
/// ```
/// use session_core::{SecretKey, SessionConfig, SessionHandle};
/// let config = SessionConfig::builder().secret_key(SecretKey::parse("0123456789abcdef").unwrap()).build().unwrap();
/// let handle = SessionHandle::new(config.clone(), vec![], 1_700_000_000);
/// handle.insert("username", "alice").unwrap();
/// let out = handle.finish().unwrap();
/// assert!(out.set_cookies().first().cloned().unwrap().starts_with("session=eyJ1c2VybmFtZSI6ImFsaWNlIn0.ZVPxAA."));
/// ```
#[derive(Clone)]
pub struct SessionHandle(Arc<Shared>);

/// Shows the configuration and whether the session was loaded, never the incoming cookie (a bearer credential).
impl std::fmt::Debug for SessionHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionHandle")
            .field("cookie_name", &self.0.config.cookie_name())
            .field("now", &self.0.now)
            // try_lock: Debug may be called from inside `with` on this very handle.
            .field("accessed", &self.0.state.try_lock().ok().map(|g| g.is_some()))
            .finish_non_exhaustive()
    }
}

struct Shared {
    config: SessionConfig,
    /// The session's cookies as found in the request (a main value of `Some("")` for an empty value or a bare
    /// token).
    claimed: Claimed,
    /// With a migration: the other format's cookies, as found in the request.
    old: Option<Claimed>,
    now: u64,
    state: Mutex<Option<State>>,
    /// Flask's `request_ctx.flashes`: the messages popped by the first read in this request (see `flash.rs`).
    flashes: crate::flash::FlashCache,
}

/// A loaded session and why it is what it is.
struct State {
    session: Session,
    status: LoadStatus,
}

impl SessionHandle {
    /// A handle for one request: its `Cookie` header values and the request time (Unix seconds).
    pub fn new(config: SessionConfig, cookie_headers: Vec<String>, now: u64) -> Self {
        Self::from_headers(config, &cookie_headers, now)
    }

    /// A handle for one request from its raw `Cookie` header values, in order, and the request time (Unix
    /// seconds). This is what adapters call: the bytes need not be UTF-8 (they are read as Werkzeug reads them,
    /// see [`find_cookie`](crate::find_cookie)). Only the session cookie's value is kept; it is verified when a
    /// handler first touches the session.
    ///
    /// ```
    /// use session_core::{SecretKey, SessionConfig, SessionHandle};
    /// let config = SessionConfig::builder().secret_key(SecretKey::parse("0123456789abcdef").unwrap()).build().unwrap();
    /// let lines: [&[u8]; 1] = [b"pref=caf\xe9; session=eyJ1IjoxfQ.ZVPxAA.garbage"];
    /// let handle = SessionHandle::from_headers(config, lines, 1_700_000_000);
    /// assert!(handle.is_empty()); // the signature does not verify: an empty session
    /// ```
    pub fn from_headers<H: AsRef<[u8]>>(
        config: SessionConfig,
        cookie_headers: impl IntoIterator<Item = H>,
        now: u64,
    ) -> Self {
        let (claimed, old) = config.claim(cookie_headers);
        Self(Arc::new(Shared {
            config,
            claimed,
            old,
            now,
            state: Mutex::new(None),
            flashes: crate::flash::FlashCache::default(),
        }))
    }

    /// The request time this handle was made with (Unix seconds); CSRF tokens are signed and checked at it.
    pub fn now(&self) -> u64 {
        self.0.now
    }

    pub(crate) fn flash_cache(&self) -> &crate::flash::FlashCache {
        &self.0.flashes
    }

    /// The configuration this handle uses.
    pub fn config(&self) -> &SessionConfig {
        &self.0.config
    }

    /// Runs `f` on the session, loading it first if this is the first touch.
    pub fn with<R>(&self, f: impl FnOnce(&mut Session) -> R) -> R {
        self.with_state(|state| f(&mut state.session))
    }

    /// Why the request has the session it has: new, loaded (by which key), or refused (why). This loads the
    /// session if no handler did yet, so the response varies on `Cookie`.
    ///
    /// ```
    /// use session_core::{ErrorKind, KeyId, LoadStatus, SecretKey, SessionConfig, SessionHandle};
    /// let config = SessionConfig::builder().secret_key(SecretKey::parse("0123456789abcdef").unwrap()).build().unwrap();
    /// assert_eq!(SessionHandle::new(config.clone(), vec![], 1_700_000_000).status(), LoadStatus::New);
    /// let tampered = SessionHandle::new(config, vec!["session=e30.ZVPxAA.AAAA".into()], 1_700_000_000);
    /// assert!(matches!(tampered.status(), LoadStatus::Refused(e) if e.kind() == ErrorKind::BadSignature));
    /// ```
    pub fn status(&self) -> LoadStatus {
        self.with_state(|state| state.status.clone())
    }

    /// What the response will do with the cookie (this touches the session, so the response varies on
    /// `Cookie`).
    pub fn change(&self) -> SessionChange {
        self.with(|s| match (s.is_modified(), s.is_empty(), s.is_renewed()) {
            (true, true, _) => SessionChange::Purged,
            (_, false, true) => SessionChange::Renewed,
            (true, false, false) => SessionChange::Changed,
            (false, _, _) => SessionChange::Unchanged,
        })
    }

    /// Runs `f` on the loaded state, loading it on the first call.
    fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut guard = self.lock();
        let state = guard.get_or_insert_with(|| {
            let loaded = self
                .0
                .config
                .load_found(&self.0.claimed, self.0.old.as_ref(), self.0.now);
            if let Some(reason) = &loaded.refused {
                log_refusal(&self.0.config, reason, self.refused_key(reason));
            }
            let status = match (&loaded.refused, loaded.session.verified_by()) {
                (Some(reason), _) => LoadStatus::Refused(reason.clone()),
                (None, Some(key)) => LoadStatus::Loaded { key },
                (None, None) => LoadStatus::New,
            };
            State {
                session: loaded.session,
                status,
            }
        });
        f(state)
    }

    /// For a cookie refused as too old: the key that signed it (a second decode without the age limit, on this
    /// refusal only), so the log says which key it was. `None` for other refusals and for a migrated cookie.
    fn refused_key(&self, reason: &SessionError) -> Option<KeyId> {
        (reason.kind() == crate::error::ErrorKind::Expired)
            .then(|| {
                self.0
                    .config
                    .0
                    .codec
                    .decode_claimed(&self.0.claimed, self.0.now, None)
                    .ok()
            })
            .flatten()
            .map(|decoded| decoded.key)
    }

    fn lock(&self) -> MutexGuard<'_, Option<State>> {
        // A handler that panicked while holding the lock leaves consistent data (every mutation is one call).
        self.0.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether a handler touched the session.
    pub fn is_accessed(&self) -> bool {
        self.lock().is_some()
    }

    /// See [`Session::get`].
    ///
    /// # Errors
    /// [`SessionError::Value`] when the stored value has another shape than `T`.
    pub fn get<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        self.with(|s| s.get(key))
    }

    /// See [`Session::get_value`] (returns a copy).
    pub fn get_value(&self, key: &str) -> Option<crate::value::Value> {
        self.with(|s| s.get_value(key).cloned())
    }

    /// Stores any serde value under `key`, by value or by reference: `insert("visits", 1)`,
    /// `insert("user", &user)` (see [`Session::insert`]).
    ///
    /// # Errors
    /// [`SessionError::Value`] when serde cannot represent the value.
    pub fn insert<T: serde::Serialize>(&self, key: impl Into<String>, value: T) -> Result<()> {
        self.with(|s| s.insert(key, value))
    }

    /// See [`Session::insert_value`].
    pub fn insert_value(
        &self,
        key: impl Into<String>,
        value: impl Into<crate::value::Value>,
    ) -> Option<crate::value::Value> {
        self.with(|s| s.insert_value(key, value))
    }

    /// See [`Session::remove`].
    pub fn remove(&self, key: &str) -> Option<crate::value::Value> {
        self.with(|s| s.remove(key))
    }

    /// Removes `key` and returns its value converted with serde (typed [`remove`](Self::remove));
    /// `Ok(None)` when missing.
    ///
    /// # Errors
    /// [`SessionError::Value`] when the stored value has another shape than `T`; the key is then left in place.
    pub fn take<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        self.with(|s| {
            let value = s.get(key)?;
            s.remove(key);
            Ok(value)
        })
    }

    /// See [`Session::contains_key`].
    pub fn contains_key(&self, key: &str) -> bool {
        self.with(|s| s.contains_key(key))
    }

    /// The keys, in code-point order.
    pub fn keys(&self) -> Vec<String> {
        self.with(|s| s.keys().map(str::to_owned).collect())
    }

    /// A copy of every entry, keys in code-point order (actix-session's `Session::entries`).
    ///
    /// ```
    /// use session_core::{SecretKey, SessionConfig, SessionHandle, Value};
    /// let config = SessionConfig::builder().secret_key(SecretKey::parse("0123456789abcdef").unwrap()).build().unwrap();
    /// let session = SessionHandle::new(config, vec![], 1_700_000_000);
    /// session.insert("user_id", 42).unwrap();
    /// assert_eq!(session.entries().get("user_id"), Some(&Value::Int(42)));
    /// ```
    pub fn entries(&self) -> crate::value::Map {
        self.with(|s| s.iter().map(|(k, v)| (k.to_owned(), v.clone())).collect())
    }

    /// See [`Session::len`].
    pub fn len(&self) -> usize {
        self.with(|s| s.len())
    }

    /// See [`Session::is_empty`].
    pub fn is_empty(&self) -> bool {
        self.with(|s| s.is_empty())
    }

    /// See [`Session::clear`].
    pub fn clear(&self) {
        self.with(Session::clear);
    }

    /// See [`Session::purge`].
    pub fn purge(&self) {
        self.with(Session::purge);
    }

    /// See [`Session::permanent`].
    pub fn permanent(&self) -> bool {
        self.with(|s| s.permanent())
    }

    /// See [`Session::set_permanent`].
    pub fn set_permanent(&self, permanent: bool) {
        self.with(|s| s.set_permanent(permanent));
    }

    /// See [`Session::renew`].
    pub fn renew(&self) {
        self.with(Session::renew);
    }

    /// See [`Session::mark_login`]: records this request's time as the login time.
    pub fn mark_login(&self) {
        let now = self.0.now;
        self.with(|s| s.mark_login(now));
    }

    /// See [`Session::login_at`].
    pub fn login_at(&self) -> Option<u64> {
        self.with(|s| s.login_at())
    }

    /// See [`Session::logged_in_since`]: whether the login happened at or after `valid_after` (Unix seconds).
    pub fn logged_in_since(&self, valid_after: u64) -> bool {
        self.with(|s| s.logged_in_since(valid_after))
    }

    /// See [`Session::update`]: inserts or replaces several entries (marks the session modified).
    pub fn update(&self, entries: impl IntoIterator<Item = (String, crate::value::Value)>) {
        self.with(|s| s.update(entries));
    }

    /// A copy of the session as it is now.
    pub fn snapshot(&self) -> Session {
        self.with(|s| s.clone())
    }

    /// What the response must carry. Call once, after the handler.
    ///
    /// If the handler never touched the session, nothing is sent, except that a valid permanent session cookie
    /// is re-sent with a new expiry when refresh-each-request is on (the default), as Flask does, and a cookie
    /// verified by a fallback key is re-signed with the current key (unless `resign_fallback(false)`).
    ///
    /// A session the handler changed (or renewed) that no longer fits in a cookie is logged at error level
    /// with its size, limit and largest keys. Under [`OversizePolicy::Fail`] the error is returned (adapters
    /// answer 500); under `LogAndDrop` the response goes out without the cookie. A refresh or re-sign the
    /// handler did not ask for never fails: if it does not fit, nothing is sent (see [`SessionConfig::save`]).
    ///
    /// # Errors
    /// [`SessionError::CookieTooLarge`] under [`OversizePolicy::Fail`], for a change the handler made.
    pub fn finish(&self) -> Result<ResponseCookie> {
        let guard = self.lock();
        let result = match guard.as_ref() {
            Some(state) => self.0.config.save(&state.session, true, self.0.now),
            None => {
                // Flask opens the session eagerly, so a permanent session is refreshed even by a request whose
                // handler never touched it; and we re-sign fallback-key cookies on any response. Only then do we
                // pay for verifying an untouched cookie. `save` decides, with `accessed = false` (no Vary unless
                // a cookie is sent).
                let c = &self.0.config.0;
                let no_cookie = !self.0.claimed.has_value() && self.0.old.as_ref().is_none_or(|o| !o.is_present());
                if !(c.refresh_each_request || c.resign_fallback) || no_cookie {
                    return Ok(ResponseCookie::default());
                }
                // The format may tell from the cookie alone that nothing would be sent (Flask: not permanent).
                let migrating = self.0.old.as_ref().is_some_and(Claimed::is_present);
                if !migrating && !c.codec.codec().untouched_may_write(&self.0.claimed) {
                    return Ok(ResponseCookie::default());
                }
                let loaded = self
                    .0
                    .config
                    .load_found(&self.0.claimed, self.0.old.as_ref(), self.0.now);
                self.0.config.save(&loaded.session, false, self.0.now)
            }
        };
        result.or_else(|e| {
            tracing::error!(error = %e, "session not saved");
            match self.0.config.oversize_policy() {
                OversizePolicy::LogAndDrop => Ok(ResponseCookie {
                    set_cookies: SmallVec::new(),
                    vary_cookie: true,
                }),
                _ => Err(e),
            }
        })
    }
}

/// Message flashing on the per-request handle (available on every adapter's session through it).
impl SessionHandle {
    /// Flask's `flash(message)`: a message in the default category (`"message"`), shown by the next request that
    /// reads flashes (on any server sharing the key, Flask included). Other categories:
    /// [`flash_with_category`](Self::flash_with_category).
    pub fn flash(&self, message: &str) {
        self.flash_with_category(message, crate::flash::DEFAULT_CATEGORY);
    }

    /// Flask's `flash(message, category)`: the message is shown by the next request that reads flashes (on
    /// any server sharing the key, Flask included).
    ///
    /// ```
    /// use session_core::{SecretKey, SessionConfig, SessionHandle};
    /// let config = SessionConfig::builder().secret_key(SecretKey::parse("0123456789abcdef").unwrap()).build().unwrap();
    /// let login = SessionHandle::new(config.clone(), vec![], 1_700_000_000);
    /// login.flash_with_category("You were logged in", "message");
    /// let cookie = login.finish().unwrap().set_cookies().first().cloned().unwrap();
    ///
    /// let next = SessionHandle::new(config, vec![cookie.split(';').next().unwrap().to_owned()], 1_700_000_001);
    /// assert_eq!(next.take_flashes(), ["You were logged in"]);
    /// assert_eq!(next.take_flashes(), ["You were logged in"]); // same request: same messages
    /// assert!(next.finish().unwrap().set_cookies().first().cloned().unwrap().contains("Max-Age=0")); // popped: cookie deleted
    /// ```
    pub fn flash_with_category(&self, message: &str, category: &str) {
        self.with(|s| crate::flash::flash(s, message, category));
    }

    /// Flask's `get_flashed_messages(with_categories=True, category_filter=categories)`: the first call in a
    /// request pops every message from the session; later calls in the same request return the same ones.
    /// An empty `categories` means all; otherwise only messages of those categories are returned (the others
    /// are popped too, as in Flask).
    pub fn flashed_messages(&self, categories: &[&str]) -> Vec<crate::flash::Flash> {
        let mut cache = self
            .flash_cache()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let all = cache.get_or_insert_with(|| self.with(crate::flash::pop_flashes));
        all.iter()
            .filter(|f| categories.is_empty() || categories.contains(&f.category.as_str()))
            .cloned()
            .collect()
    }

    /// Flask's `get_flashed_messages()`: the messages, oldest first (see [`SessionHandle::flashed_messages`]).
    pub fn take_flashes(&self) -> Vec<String> {
        self.flashed_messages(&[]).into_iter().map(|f| f.message).collect()
    }

    /// Flask's `get_flashed_messages(with_categories=True)`: `(category, message)` pairs, oldest first.
    pub fn take_flashes_with_categories(&self) -> Vec<(String, String)> {
        self.flashed_messages(&[])
            .into_iter()
            .map(|f| (f.category, f.message))
            .collect()
    }
}

/// Logs a refused cookie at `info`, as [`SessionHandle::status`] reports it: the cookie name, the format, the
/// reason's kind and message, how many keys were tried, the key that signed it when it verified but is too old,
/// and (for a bad signature) the configuration's warning about its key, which is then the likely cause. Never
/// the cookie.
fn log_refusal(config: &SessionConfig, reason: &SessionError, signed_by: Option<KeyId>) {
    let c = &config.0;
    let (cookie, format, kind, keys) = (c.cookie_name.as_str(), c.format.name(), reason.kind().as_str(), c.keys);
    let key_hint = c
        .warnings
        .first()
        .filter(|_| reason.kind() == crate::error::ErrorKind::BadSignature);
    let message = "session cookie refused; starting an empty session";
    match (key_hint, signed_by) {
        (Some(hint), _) => tracing::info!(cookie, format, kind, keys, %reason, %hint, "{message}"),
        (None, Some(key)) => tracing::info!(cookie, format, kind, keys, %key, %reason, "{message}"),
        (None, None) => tracing::info!(cookie, format, kind, keys, %reason, "{message}"),
    }
}

impl crate::session::RequestSession for SessionHandle {
    fn now(&self) -> u64 {
        self.0.now
    }

    fn with_session<R>(&self, f: impl FnOnce(&mut Session) -> R) -> R {
        self.with(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SecretKey;

    /// `http`'s `HeaderValue::from_bytes` rule: a byte is accepted when it is at least 0x20 and not DEL (0x7f),
    /// or a tab; every value of a response must pass for any to go out.
    #[test]
    fn header_safety_is_https_rule_over_every_value() {
        let cookies = |values: &[&[u8]]| ResponseCookie {
            set_cookies: values.iter().map(|v| String::from_utf8_lossy(v).into_owned()).collect(),
            vary_cookie: false,
        };
        let none = cookies(&[]);
        assert!(none.is_empty() && none.is_header_safe());
        for b in 0u8..0x80 {
            let value = [b'a', b, b'z'];
            let accepted = (b >= 0x20 && b != 0x7f) || b == b'\t';
            assert_eq!(cookies(&[&value]).is_header_safe(), accepted, "byte {b:#04x}");
            assert_eq!(
                cookies(&[b"s=1", &value]).is_header_safe(),
                accepted,
                "byte {b:#04x} second"
            );
            assert_eq!(
                cookies(&[&value, b"s=1"]).is_header_safe(),
                accepted,
                "byte {b:#04x} first"
            );
            assert!(!cookies(&[&value]).is_empty());
        }
        assert!(
            cookies(&["s=caf\u{e9}".as_bytes()]).is_header_safe(),
            "bytes above 0x7f"
        );
        assert!(!cookies(&[b"a\x01\x02z"]).is_header_safe(), "two refused bytes");
        assert!(!cookies(&[b"a\x01\x7fz"]).is_header_safe(), "two refused bytes");
    }

    #[test]
    fn debug_never_shows_the_cookie() {
        let config = SessionConfig::builder()
            .secret_key(SecretKey::parse("0123456789abcdef").unwrap())
            .build()
            .unwrap();
        let handle = SessionHandle::new(config, vec!["session=secret-bearer-token.x.y".into()], 1);
        handle.insert("k", "private-value").unwrap();
        let shown = format!("{handle:?}");
        assert!(
            !shown.contains("secret-bearer-token") && !shown.contains("private-value"),
            "{shown}"
        );
    }
}
