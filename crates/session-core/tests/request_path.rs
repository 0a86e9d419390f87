//! The request path at its edges: refreshes that do not fit, time values at their limits, the
//! `Domain` attribute, cookie prefixes, and how a `Cookie` line is read. Each test failed before its fix.
#![allow(clippy::unwrap_used, reason = "a test that fails should fail loudly")]

use session_core::{
    CookieCodec, Keyring, Map, OversizePolicy, SecretKey, SessionConfig, SessionError, SessionHandle, SignerOptions,
    Value,
};

const NOW: u64 = 1_700_000_000;
/// 9999-12-31T23:59:59Z, the last second Python's `datetime` (and so Flask) can represent.
const YEAR_9999: u64 = 253_402_300_799;

fn key() -> SecretKey {
    SecretKey::parse("request-path-key-0123").unwrap()
}

fn config() -> session_core::SessionConfigBuilder {
    SessionConfig::builder().secret_key(key())
}

fn map(entries: &[(&str, Value)]) -> Map {
    entries.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

/// Text zlib cannot shrink much.
fn incompressible(len: usize) -> String {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'!' + (x % 90) as u8)
        })
        .collect()
}

/// What one request with `cookie` gives when the handler runs `handler` on the session.
fn check(
    config: &SessionConfig,
    cookie: &str,
    now: u64,
    handler: impl FnOnce(&SessionHandle),
) -> session_core::Result<session_core::ResponseCookie> {
    let handle = SessionHandle::new(config.clone(), vec![format!("session={cookie}")], now);
    handler(&handle);
    handle.finish()
}

// --- 1. Only a change the handler made may fail the response -------------------------------------------------

#[test]
fn a_refresh_that_does_not_fit_sends_nothing_and_keeps_the_response() {
    let config = config().build().unwrap();
    let big = map(&[
        ("_permanent", Value::Bool(true)),
        ("blob", Value::Str(incompressible(4000))),
    ]);
    let cookie = config.codec().encode(&big, NOW - 100);
    assert!(cookie.len() > 4093, "Flask wrote it (it only warns)");
    // Read only, and untouched: no cookie, no error.
    let out = check(&config, &cookie, NOW, |s| assert!(s.contains_key("blob"))).unwrap();
    assert_eq!((out.set_cookies().first().cloned(), out.vary_cookie), (None, true));
    let out = check(&config, &cookie, NOW, |_| {}).unwrap();
    assert_eq!((out.set_cookies().first().cloned(), out.vary_cookie), (None, false));
    // Changed by the handler (or renewed on its request): still refused loudly.
    let err = check(&config, &cookie, NOW, |s| {
        s.insert("n", &1).unwrap();
    })
    .unwrap_err();
    assert_eq!(err.kind(), "too_large");
    assert!(check(&config, &cookie, NOW, SessionHandle::renew).is_err());
}

#[test]
fn a_fallback_re_sign_that_does_not_fit_sends_nothing() {
    let old = SecretKey::parse("the-old-key-0123456").unwrap();
    let config = config().fallback(old.clone()).max_cookie_size(60).build().unwrap();
    let cookie = CookieCodec::new(&Keyring::new(old), SignerOptions::default())
        .encode(&map(&[("username", Value::Str("alice".into()))]), NOW - 100);
    let out = check(&config, &cookie, NOW, |s| {
        assert_eq!(s.get::<String>("username").unwrap().as_deref(), Some("alice"));
    })
    .unwrap();
    assert_eq!(out.set_cookies().first().cloned(), None);
}

#[test]
fn a_refresh_that_extra_attributes_push_over_the_limit_sends_nothing() {
    let plain = config().build().unwrap();
    let data = map(&[("_permanent", Value::Bool(true)), ("u", Value::Str("alice".into()))]);
    let cookie = plain.codec().encode(&data, NOW - 100);
    let fits = check(&plain, &cookie, NOW, |_| {})
        .unwrap()
        .set_cookies()
        .first()
        .cloned()
        .unwrap();
    let strict = config()
        .domain(Some("a-long-parent-domain.example.com".into()))
        .max_cookie_size(fits.len() + 10)
        .build()
        .unwrap();
    assert_eq!(
        check(&strict, &cookie, NOW, |_| {})
            .unwrap()
            .set_cookies()
            .first()
            .cloned(),
        None
    );
    // The same under LogAndDrop.
    let drop = config()
        .max_cookie_size(10)
        .oversize(OversizePolicy::LogAndDrop)
        .build()
        .unwrap();
    assert_eq!(
        check(&drop, &cookie, NOW, |_| {})
            .unwrap()
            .set_cookies()
            .first()
            .cloned(),
        None
    );
}

// --- 3. Time values at their limits ----------------------------------------------------------------------

fn codec() -> CookieCodec {
    CookieCodec::new(&Keyring::new(key()), SignerOptions::default())
}

fn empty_cookie(ts: u64) -> String {
    codec().encode(&map(&[("u", Value::Int(1))]), ts)
}

#[test]
fn max_age_of_any_size_is_a_maximum_age() {
    for max_age in [u64::MAX, i64::MAX as u64, i64::MAX as u64 + 1, YEAR_9999] {
        assert!(
            codec().decode(&empty_cookie(NOW), NOW + 1, Some(max_age)).is_ok(),
            "{max_age}"
        );
        assert!(
            codec().decode(&empty_cookie(0), NOW, Some(max_age)).is_ok(),
            "{max_age}"
        );
    }
}

#[test]
fn now_of_any_size_gives_the_right_age() {
    for now in [u64::MAX, i64::MAX as u64 + 1, i64::MAX as u64] {
        match codec().decode(&empty_cookie(NOW), now, Some(60)) {
            Err(SessionError::Expired { age, max_age: 60 }) => assert_eq!(age, now - NOW, "{now}"),
            other => panic!("now {now}: {other:?}"),
        }
    }
    // A cookie from the future is refused as such even with a huge lifetime.
    assert!(matches!(
        codec().decode(&empty_cookie(NOW + 5), NOW, Some(u64::MAX)),
        Err(SessionError::FromTheFuture { ahead: 5 })
    ));
}

#[test]
fn lifetime_edges() {
    // Zero: accepted only in the second it was signed.
    let zero = config().lifetime_secs(0).build().unwrap();
    assert!(
        zero.load([format!("session={}", empty_cookie(NOW)).as_str()], NOW)
            .refused
            .is_none()
    );
    assert!(
        zero.load([format!("session={}", empty_cookie(NOW)).as_str()], NOW + 1)
            .refused
            .is_some()
    );
    // A Duration is whole seconds; Duration::MAX is "never expire".
    assert_eq!(
        config()
            .lifetime(std::time::Duration::MAX)
            .build()
            .unwrap()
            .lifetime_secs(),
        u64::MAX
    );
    assert_eq!(
        config()
            .lifetime(std::time::Duration::from_millis(3_600_999))
            .build()
            .unwrap()
            .lifetime_secs(),
        3600
    );
    // "Never expire": every past cookie verifies and a permanent session's Expires is the last representable
    // date, not 1970.
    for lifetime in [u64::MAX, i64::MAX as u64, YEAR_9999] {
        let forever = config().lifetime_secs(lifetime).build().unwrap();
        assert!(
            forever
                .load([format!("session={}", empty_cookie(1)).as_str()], NOW)
                .refused
                .is_none(),
            "{lifetime}"
        );
        let handle = SessionHandle::new(forever, vec![], NOW);
        handle.set_permanent(true);
        let set_cookie = handle.finish().unwrap().set_cookies().first().cloned().unwrap();
        assert!(
            set_cookie.contains("Expires=Fri, 31 Dec 9999 23:59:59 GMT"),
            "{lifetime}: {set_cookie}"
        );
    }
}

#[test]
fn a_clock_at_the_end_of_time_neither_panics_nor_wraps() {
    for now in [YEAR_9999, i64::MAX as u64, u64::MAX] {
        let config = config().build().unwrap();
        let handle = SessionHandle::new(config.clone(), vec![], now);
        handle.set_permanent(true);
        let set_cookie = handle.finish().unwrap().set_cookies().first().cloned().unwrap();
        assert!(
            set_cookie.contains("Expires=Fri, 31 Dec 9999 23:59:59 GMT"),
            "{now}: {set_cookie}"
        );
    }
    // Signed at the last second Python can represent, read in that second: valid.
    let config = config().build().unwrap();
    let cookie = empty_cookie(YEAR_9999);
    assert!(
        config
            .load([format!("session={cookie}").as_str()], YEAR_9999)
            .refused
            .is_none()
    );
}

// --- 6. Domain and prefixes ------------------------------------------------------------------------------

#[test]
fn a_domain_that_would_inject_or_break_headers_is_refused_at_build() {
    for bad in [
        "example.com; SameSite=None",
        "example.com\r\nSet-Cookie: x=y",
        "exa\nmple.com",
        "example .com",
        "example.com\t",
        "exam\u{7f}ple.com",
        "exam\u{0}ple.com",
        "exämple.com",
        "example.com,evil.com",
    ] {
        let err = config().domain(Some(bad.into())).build().map(|_| ()).unwrap_err();
        assert_eq!(err.kind(), "config", "{bad:?}");
        assert!(err.to_string().contains("domain"), "{bad:?}: {err}");
    }
    for (good, kept) in [
        (".example.com", "example.com"),
        ("sub.example-1.com", "sub.example-1.com"),
        ("localhost:8080", "localhost"),
    ] {
        let c = config().domain(Some(good.into())).build().unwrap();
        let handle = SessionHandle::new(c, vec![], NOW);
        handle.insert("u", &1).unwrap();
        let set_cookie = handle.finish().unwrap().set_cookies().first().cloned().unwrap();
        assert!(set_cookie.contains(&format!("Domain={kept}")), "{good}: {set_cookie}");
    }
}

#[test]
fn cookie_prefixes_are_matched_case_insensitively() {
    for name in ["__host-s", "__HOST-s", "__Host-s"] {
        assert!(config().cookie_name(name).build().is_err(), "{name} without Secure");
        assert!(config().cookie_name(name).secure(true).build().is_ok(), "{name}");
        assert!(
            config().cookie_name(name).secure(true).path("/app").build().is_err(),
            "{name} with a path"
        );
        assert!(
            config()
                .cookie_name(name)
                .secure(true)
                .domain(Some("example.com".into()))
                .build()
                .is_err(),
            "{name} with a domain"
        );
    }
    for name in ["__secure-s", "__SECURE-s"] {
        assert!(config().cookie_name(name).build().is_err(), "{name} without Secure");
        assert!(config().cookie_name(name).secure(true).build().is_ok(), "{name}");
    }
}

// --- 2 and 7. Reading the Cookie line as Werkzeug does ------------------------------------------------------

#[test]
fn a_bare_session_token_is_an_empty_value_as_in_werkzeug() {
    let config = config().build().unwrap();
    let good = format!("session={}", empty_cookie(NOW));
    for line in [format!("session; {good}"), format!(" session ;{good}")] {
        let loaded = config.load([line.as_str()], NOW);
        assert!(loaded.session.is_empty() && loaded.refused.is_none(), "{line}");
    }
    // A bare token with another name is just skipped.
    let loaded = config.load([format!("theme; {good}").as_str()], NOW);
    assert_eq!(loaded.session.get::<i64>("u").unwrap(), Some(1));
}

// --- 8. Revocation: compare the login time, not issued_at -----------------------------------------------------

#[test]
fn a_stolen_permanent_cookie_keeps_its_login_time_through_refreshes() {
    let config = config().build().unwrap();
    let login_at = NOW;
    let login = SessionHandle::new(config.clone(), vec![], login_at);
    login.insert("user_id", &42).unwrap();
    login.set_permanent(true);
    login.mark_login();
    let stolen = login.finish().unwrap().set_cookies().first().cloned().unwrap();
    let stolen = stolen.split(';').next().unwrap().to_owned();
    // The user logs out everywhere at NOW + 500; the thief sends the copy to any route at NOW + 1000.
    let revoked_at = NOW + 500;
    let replay = SessionHandle::new(config.clone(), vec![stolen], NOW + 1000);
    let refreshed = replay
        .finish()
        .unwrap()
        .set_cookies()
        .first()
        .cloned()
        .expect("a permanent session is refreshed");
    let refreshed = refreshed.split(';').next().unwrap().to_owned();
    let next = SessionHandle::new(config, vec![refreshed], NOW + 1001);
    let session = next.snapshot();
    // The unsafe check (the old advice) is fooled: the refresh stamped a new issued_at.
    assert_eq!(session.issued_at(), Some(NOW + 1000));
    assert!(session.issued_at().unwrap() >= revoked_at);
    // The login time travelled inside the signed data, unchanged: the revocation holds.
    assert_eq!(next.login_at(), Some(login_at));
    assert!(!next.logged_in_since(revoked_at));
    assert!(next.logged_in_since(login_at));
    // No recorded login time counts as revoked.
    assert!(!session_core::Session::default().logged_in_since(0));
}

#[test]
fn take_is_a_typed_remove_that_keeps_a_value_of_another_shape() {
    let handle = SessionHandle::new(config().build().unwrap(), vec![], NOW);
    handle.insert("n", &5).unwrap();
    assert!(handle.take::<String>("n").is_err());
    assert!(handle.contains_key("n"));
    assert_eq!(handle.take::<i64>("n").unwrap(), Some(5));
    assert_eq!(handle.take::<i64>("n").unwrap(), None);
    assert_eq!(handle.change(), session_core::SessionChange::Purged);
}

// --- Untouched requests: the cookie is opened only when a response could send it again ---------------------------

/// What an untouched request with `cookie` sends.
fn untouched(config: &SessionConfig, cookie: &str) -> Vec<String> {
    check(config, cookie, NOW + 60, |_| {}).unwrap().set_cookies().to_vec()
}

#[test]
fn an_untouched_permanent_session_is_refreshed_however_its_key_is_spelled() {
    let config = config().build().unwrap();
    let codec = config.codec();
    let large = incompressible(40) + &"x".repeat(400);
    let cookies = [
        codec.encode(&map(&[("_permanent", Value::Bool(true)), ("a", Value::Int(1))]), NOW),
        // The same key as an escape: Python's json.loads reads it as `_permanent`, and so do we.
        codec.encode_json(r#"{"\u005fpermanent":true,"a":1}"#, NOW),
        codec.encode_json(r#"{"_perm\u0061nent":true}"#, NOW),
        // Compressed (the payload starts with `.`).
        codec.encode(
            &map(&[("_permanent", Value::Bool(true)), ("big", Value::Str(large))]),
            NOW,
        ),
    ];
    assert!(cookies[3].starts_with('.'), "the last cookie is compressed");
    for cookie in &cookies {
        let sent = untouched(&config, cookie);
        assert_eq!(sent.len(), 1, "{cookie}: {sent:?}");
        assert!(sent[0].contains("Expires="), "{sent:?}");
    }
}

#[test]
fn an_untouched_session_that_is_not_permanent_sends_nothing() {
    let config = config().build().unwrap();
    let codec = config.codec();
    for data in [
        map(&[("a", Value::Int(1))]),
        // The word as a value, and a permanent flag that is false: opened, and still nothing to send.
        map(&[("note", Value::Str("permanent".into()))]),
        map(&[("_permanent", Value::Bool(false))]),
    ] {
        assert_eq!(
            untouched(&config, &codec.encode(&data, NOW)),
            Vec::<String>::new(),
            "{data:?}"
        );
    }
    // A permanent session with a bad signature is refused, whether opened or not: nothing is sent.
    let forged = codec.encode(&map(&[("_permanent", Value::Bool(true))]), NOW);
    let forged = format!("{}AAAA", &forged[..forged.len() - 4]);
    assert_eq!(untouched(&config, &forged), Vec::<String>::new());
}

#[test]
fn an_untouched_cookie_signed_by_a_fallback_key_is_re_signed_with_the_current_key() {
    let old = SecretKey::parse("the-old-key-0123456789").unwrap();
    let config = config().fallback(old.clone()).build().unwrap();
    let old_codec = CookieCodec::new(&Keyring::new(old), SignerOptions::default());
    let cookie = old_codec.encode(&map(&[("a", Value::Int(1))]), NOW);
    let sent = untouched(&config, &cookie);
    assert_eq!(sent.len(), 1, "{sent:?}");
    let value = sent[0].split(';').next().unwrap().trim_start_matches("session=");
    assert_eq!(config.codec().decode(value, NOW + 60, None).unwrap().data.len(), 1);
}
