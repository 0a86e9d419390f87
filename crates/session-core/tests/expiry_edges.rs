//! The edges of the expiry rules each framework writes, of the login lifetime and of the size limit, through
//! the whole request path (`SessionHandle`): a lifetime of 0, a login exactly at its limit, a cookie exactly at
//! the size limit, and logout during a migration whose old cookie did not verify.
#![allow(clippy::unwrap_used, reason = "a test that fails should fail loudly")]

use session_core::{Format, Keyring, LOGIN_AT_KEY, Map, SecretKey, SessionConfig, SessionHandle, Value};

const NOW: u64 = 1_700_000_000;

fn written(config: SessionConfig, cookies: Vec<String>, change: impl FnOnce(&SessionHandle)) -> Vec<String> {
    let handle = SessionHandle::new(config, cookies, NOW);
    change(&handle);
    handle.finish().unwrap().set_cookies().to_vec()
}

/// iron-session under `ttl` (seconds).
fn iron(ttl: u64) -> SessionConfig {
    SessionConfig::builder()
        .format(Format::IronSession)
        .cookie_name("iron")
        .secret_key(SecretKey::parse("an iron-session password of 32+ characters").unwrap())
        .lifetime_secs(ttl)
        .build()
        .unwrap()
}

/// gorilla/sessions with `MaxAge` 0 (sessions.NewCookie: `Expires` only for a positive or negative MaxAge, and
/// Go's `Cookie.String` writes `Max-Age` only when it is not 0): neither attribute, a cookie for the browser's
/// session.
#[test]
fn gorilla_with_max_age_0_writes_neither_max_age_nor_expires() {
    let config = SessionConfig::builder()
        .format(Format::Gorilla)
        .cookie_name("session-name")
        .secret_key(SecretKey::parse_insecure_short("gorilla-hash-key-current-0001").unwrap())
        .lifetime_secs(0)
        .build()
        .unwrap();
    let out = written(config, vec![], |h| h.insert("user", "alice").unwrap());
    assert_eq!(out.len(), 1);
    assert!(!out[0].contains("Max-Age") && !out[0].contains("Expires"), "{}", out[0]);
    assert!(out[0].starts_with("session-name="), "{}", out[0]);
}

/// iron-session with `ttl: 0` (`computeCookieMaxAge`: 2147483647 for a ttl of 0, as recorded in the
/// `ir9-no-expiry-seal` vector): the largest 32-bit `Max-Age`, no `Expires`.
#[test]
fn iron_session_with_ttl_0_writes_the_largest_max_age() {
    let config = iron(0);
    let out = written(config, vec![], |h| h.insert("user", "alice").unwrap());
    assert_eq!(out.len(), 1);
    assert!(out[0].contains("Max-Age=2147483647"), "{}", out[0]);
    assert!(!out[0].contains("Expires"), "{}", out[0]);
}

/// iron-session 9 with a ttl at and just past its 60-second skew (`computeCookieMaxAge`: `ttl > 60 ? ttl - 60 :
/// ttl`).
#[test]
fn iron_session_max_age_is_the_ttl_less_60_only_past_60() {
    for (ttl, max_age) in [(60, 60), (61, 1), (59, 59), (1, 1)] {
        let out = written(iron(ttl), vec![], |h| h.insert("user", "alice").unwrap());
        assert!(out[0].contains(&format!("Max-Age={max_age};")), "ttl {ttl}: {}", out[0]);
    }
}

/// `login_lifetime_secs`: a login exactly that old is still valid, one second more is not.
#[test]
fn a_login_is_valid_up_to_its_lifetime_and_not_a_second_more() {
    let config = SessionConfig::builder()
        .secret_key(SecretKey::parse("a Flask secret key for the login edge").unwrap())
        .login_lifetime_secs(3600)
        .build()
        .unwrap();
    let mut data = Map::new();
    data.insert("user".into(), Value::Str("alice".into()));
    data.insert(LOGIN_AT_KEY.into(), Value::Int(i64::try_from(NOW).unwrap()));
    let header = format!("session={}", config.codec().encode(&data, NOW));
    let at_limit = config.load([header.as_str()], NOW + 3600);
    assert!(at_limit.refused.is_none(), "{:?}", at_limit.refused);
    assert!(at_limit.session.contains_key("user"));
    let past = config.load([header.as_str()], NOW + 3601);
    assert!(past.refused.is_some() && past.session.is_empty());
}

/// Logging out of a Starlette-format service that is migrating from Django, with only an old cookie that did
/// not verify: Starlette deletes its own cookie only when it opened one, but the old fleet's cookie is deleted
/// all the same, so it cannot come back.
#[test]
fn logout_deletes_a_refused_old_cookie_during_a_migration() {
    let django = Keyring::new(SecretKey::parse("the Django SECRET_KEY").unwrap());
    let config = SessionConfig::builder()
        .format(Format::Starlette)
        .secret_key(SecretKey::parse("the new Starlette secret key").unwrap())
        .migrate_from(Format::Django, django)
        .migrate_cookie_name("sessionid")
        .build()
        .unwrap();
    let out = written(config.clone(), vec!["sessionid=tampered:abc:def".into()], |h| h.clear());
    // Starlette's spelling of a deletion.
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(
        out[0].starts_with("sessionid=") && out[0].contains("expires=Thu, 01 Jan 1970 00:00:00 GMT"),
        "{}",
        out[0]
    );
    // Untouched, nothing is sent.
    assert!(written(config, vec!["sessionid=tampered:abc:def".into()], |_| ()).is_empty());
}

fn flask(max_cookie_size: usize) -> SessionConfig {
    SessionConfig::builder()
        .secret_key(SecretKey::parse("a Flask secret key for the size edge").unwrap())
        .max_cookie_size(max_cookie_size)
        .build()
        .unwrap()
}

/// `max_cookie_size` (Werkzeug's `MAX_COOKIE_SIZE`): a `Set-Cookie` of exactly that many bytes goes out, one
/// byte more is refused, naming the cookie, its size, the limit and the largest keys with their encoded sizes;
/// 0 disables the check.
#[test]
fn the_size_limit_admits_its_last_byte_and_names_the_largest_keys() {
    // 5000 characters that zlib cannot shrink (Flask compresses a payload when that is shorter).
    let mut x: u32 = 1;
    let noise: String = (0..5000)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            char::from(b'a' + u8::try_from((x >> 16) % 26).unwrap())
        })
        .collect();
    let change = |h: &SessionHandle| {
        h.insert("big", noise.as_str()).unwrap();
        h.insert("n", 1).unwrap();
    };
    let unlimited = written(flask(0), vec![], change);
    assert_eq!(unlimited.len(), 1);
    let size = unlimited[0].len();
    assert!(size > 3000, "{size}");
    assert_eq!(written(flask(size), vec![], change), unlimited);
    let handle = SessionHandle::new(flask(size - 1), vec![], NOW);
    change(&handle);
    let e = handle.finish().unwrap_err();
    match &e {
        session_core::SessionError::CookieTooLarge {
            name,
            size: s,
            limit,
            largest,
        } => {
            assert_eq!((name.as_str(), *s, *limit), ("session", size, size - 1));
            // A key's size is the key plus its value's JSON: 3 + 5002, 1 + 1.
            assert_eq!(largest, "\"big\" (5005 bytes), \"n\" (2 bytes)");
        }
        other => panic!("{other:?}"),
    }
}

/// The handle says its request time and whether a handler touched it, and its `Debug` names the cookie it
/// serves.
#[test]
fn a_handle_shows_its_time_and_cookie_name() {
    let handle = SessionHandle::new(flask(4093), vec![], NOW);
    assert_eq!(handle.now(), NOW);
    assert!(!handle.is_accessed());
    assert!(!handle.contains_key("user"));
    assert!(handle.is_accessed());
    let shown = format!("{handle:?}");
    assert!(
        shown.starts_with("SessionHandle") && shown.contains("cookie_name: \"session\""),
        "{shown}"
    );
}

/// The handle's map methods are the session's: `len`, `update`, `permanent`, `purge`.
#[test]
fn the_handle_reads_and_writes_the_session() {
    let handle = SessionHandle::new(flask(4093), vec![], NOW);
    assert_eq!(handle.len(), 0);
    handle.update([("a".to_owned(), Value::Int(1)), ("b".to_owned(), Value::Int(2))]);
    assert_eq!(handle.len(), 2);
    assert_eq!(handle.get::<i64>("b").unwrap(), Some(2));
    assert!(!handle.permanent());
    handle.set_permanent(true);
    assert!(handle.permanent());
    handle.purge();
    assert!(handle.is_empty());
    // Flask deletes the cookie whenever an emptied session was modified.
    let out = handle.finish().unwrap();
    assert_eq!(out.set_cookies().len(), 1);
    assert!(out.set_cookies()[0].starts_with("session=;"), "{:?}", out.set_cookies());
}

/// With refresh-each-request and fallback re-signing both off, a request whose handler never touched the
/// session sends nothing, even one that carries a migration's old cookie, which is rewritten only when the
/// handler changes the session.
#[test]
fn an_untouched_request_sends_nothing_when_neither_refresh_nor_resign_is_on() {
    let django = Keyring::new(SecretKey::parse("the Django SECRET_KEY").unwrap());
    let mut data = Map::new();
    data.insert("user".into(), Value::Str("alice".into()));
    let old = session_core::CookieCodec::for_format(Format::Django, &django, Format::Django.defaults().signer)
        .encode(&data, NOW);
    let config = || {
        SessionConfig::builder()
            .secret_key(SecretKey::parse("the new Flask-format key").unwrap())
            .migrate_from(Format::Django, django.clone())
            .migrate_cookie_name("sessionid")
            .refresh_each_request(false)
            .resign_fallback(false)
            .build()
            .unwrap()
    };
    let cookie = vec![format!("sessionid={old}")];
    assert!(written(config(), cookie.clone(), |_| ()).is_empty());
    // Read but unchanged, the old cookie is not rewritten either (a migration's rewrite is a re-sign).
    assert!(written(config(), cookie.clone(), |h| assert!(h.contains_key("user"))).is_empty());
    // Changed, the session goes out in the new format and the old cookie is deleted.
    let out = written(config(), cookie, |h| h.insert("seen", true).unwrap());
    assert_eq!(out.len(), 2, "{out:?}");
    assert!(
        out[0].starts_with("session=") && out[1].starts_with("sessionid=;"),
        "{out:?}"
    );
}

/// `OversizePolicy::LogAndDrop`: a change too large for the cookie is dropped (logged) and the response goes
/// out without a cookie, still varying on `Cookie`; the default fails the response.
#[test]
fn log_and_drop_sends_the_response_without_the_cookie() {
    let config = |policy| {
        SessionConfig::builder()
            .secret_key(SecretKey::parse("a Flask secret key for the size edge").unwrap())
            .max_cookie_size(100)
            .oversize(policy)
            .build()
            .unwrap()
    };
    let big = |h: &SessionHandle| h.insert("big", "0123456789abcdefghij".repeat(10)).unwrap();
    let handle = SessionHandle::new(config(session_core::OversizePolicy::LogAndDrop), vec![], NOW);
    big(&handle);
    let out = handle.finish().unwrap();
    assert!(out.set_cookies().is_empty() && out.vary_cookie, "{out:?}");
    let handle = SessionHandle::new(config(session_core::OversizePolicy::Fail), vec![], NOW);
    big(&handle);
    assert!(matches!(
        handle.finish(),
        Err(session_core::SessionError::CookieTooLarge { .. })
    ));
}
