//! Regression tests for defects found by trying hostile or unusual settings: each one reproduces what used to
//! go wrong.

use session_core::wire::encrypted::{RailsCodec, RailsDigest};
use session_core::{CookieCodec, Format, Keyring, LoadStatus, Map, SecretKey, SessionConfig, SessionHandle, Value};

const NOW: u64 = 1_700_000_000;

fn key(text: &str) -> SecretKey {
    SecretKey::parse(text).expect("a valid test key")
}

fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_owned()
}

/// A cookie the old Django fleet wrote.
fn django_cookie(keys: &Keyring) -> String {
    let mut data = Map::new();
    data.insert("user".into(), Value::Str("alice".into()));
    CookieCodec::for_format(Format::Django, keys, Format::Django.defaults().signer).encode(&data, NOW)
}

fn migrating(keys: &Keyring) -> SessionConfig {
    SessionConfig::builder()
        .secret_key(key("the new Flask-format key"))
        .migrate_from(Format::Django, keys.clone())
        .migrate_cookie_name("sessionid")
        .build()
        .expect("valid")
}

/// Logging out during a migration under another cookie name used to leave the old cookie in the browser,
/// which logged the user in again on the next request. Every save that migrates, clears or purges now deletes
/// the old format's cookie too.
#[test]
fn logging_out_during_a_migration_deletes_the_old_cookie() {
    let django = Keyring::new(key("the Django SECRET_KEY"));
    let config = migrating(&django);
    let old = format!("sessionid={}", django_cookie(&django));

    // The migrated read writes the session in the new format and deletes the old cookie.
    let read = SessionHandle::new(config.clone(), vec![old.clone()], NOW);
    assert_eq!(read.get::<String>("user").unwrap().as_deref(), Some("alice"));
    let out = read.finish().unwrap();
    let written: Vec<&str> = out.set_cookies().iter().map(String::as_str).collect();
    assert_eq!(written.len(), 2, "{written:?}");
    assert!(
        written[0].starts_with("session=") && !written[0].starts_with("session=;"),
        "{written:?}"
    );
    assert!(
        written[1].starts_with("sessionid=;") && written[1].contains("Max-Age=0"),
        "{written:?}"
    );

    // Logging out with only the old cookie: both are deleted.
    let logout = SessionHandle::new(config.clone(), vec![old.clone()], NOW);
    assert!(matches!(logout.status(), LoadStatus::Loaded { .. }));
    logout.clear();
    let out = logout.finish().unwrap();
    let names: Vec<String> = out.set_cookies().iter().map(|c| pair(c)).collect();
    assert_eq!(names, ["session=", "sessionid="], "{:?}", out.set_cookies());

    // Logging out with both cookies (the new one written by an earlier response): both are deleted.
    let mut data = Map::new();
    data.insert("user".into(), Value::Str("alice".into()));
    let new = config.codec().encode(&data, NOW);
    let both = SessionHandle::new(config, vec![format!("session={new}; {old}")], NOW);
    assert!(both.contains_key("user"));
    both.clear();
    let names: Vec<String> = both.finish().unwrap().set_cookies().iter().map(|c| pair(c)).collect();
    assert_eq!(names, ["session=", "sessionid="]);
}

/// The old fleet's signer settings are settings of the migration, not the old format's defaults.
#[test]
fn a_migration_reads_the_old_fleets_signer_settings() {
    let django = Keyring::new(key("the Django SECRET_KEY"));
    let mut options = Format::Django.defaults().signer;
    options.salt = "my.custom.salt".into();
    let mut data = Map::new();
    data.insert("user".into(), Value::Str("carol".into()));
    let cookie = CookieCodec::for_format(Format::Django, &django, options.clone()).encode(&data, NOW);
    let config = SessionConfig::builder()
        .secret_key(key("the new Flask-format key"))
        .migrate_from(Format::Django, django)
        .migrate_cookie_name("sessionid")
        .migrate_signer(options)
        .build()
        .unwrap();
    let h = SessionHandle::new(config, vec![format!("sessionid={cookie}")], NOW);
    assert_eq!(h.get::<String>("user").unwrap().as_deref(), Some("carol"));
}

/// A long Rails lifetime used to fail every write (a config error past year 9999, a wrapped negative `exp`
/// at 1e16 in release builds). Every lifetime the builder accepts now saves: the expiry is capped at the end of
/// year 9999, in `Expires` and in the sealed `exp` alike.
#[test]
fn any_rails_lifetime_saves_and_opens() {
    let secret = "a-rails-secret-key-base-of-some-length";
    for lifetime in [u64::MAX, 300_000_000_000, 10_000_000_000_000_000, 14 * 24 * 3600] {
        let config = SessionConfig::builder()
            .format(Format::Rails)
            .secret_key(key(secret))
            .lifetime_secs(lifetime)
            .build()
            .unwrap();
        let h = SessionHandle::new(config.clone(), vec![], NOW);
        h.insert("user_id", &42).unwrap();
        let set_cookie = h
            .finish()
            .unwrap_or_else(|e| panic!("lifetime {lifetime}: {e}"))
            .set_cookies()[0]
            .clone();
        assert!(set_cookie.contains("Expires="), "{set_cookie}");
        if lifetime > 10_000_000_000 {
            assert!(
                set_cookie.contains("Expires=Fri, 31 Dec 9999 23:59:59 GMT"),
                "{set_cookie}"
            );
        }
        let value = pair(&set_cookie)["_app_session=".len()..].to_owned();
        let rails = RailsCodec::new(&Keyring::new(key(secret)), "_app_session", RailsDigest::Sha256);
        let opened = rails
            .decode(&value, NOW)
            .unwrap_or_else(|e| panic!("lifetime {lifetime}: {e}"));
        assert_eq!(opened.data["user_id"], Value::Int(42));
        let next = SessionHandle::new(config, vec![pair(&set_cookie)], NOW + 3600);
        assert_eq!(next.get::<i64>("user_id").unwrap(), Some(42), "lifetime {lifetime}");
    }
}

/// A setting changed on a clone of a codec applies to that clone only (the clone shares the keys until then).
#[test]
fn compression_set_on_a_cloned_codec_applies() {
    use session_core::{Compression, SignerOptions};
    let codec = CookieCodec::new(&Keyring::new(key("0123456789abcdef")), SignerOptions::default());
    let plain = codec.clone().with_compression(Compression::Never);
    let mut data = Map::new();
    data.insert("k".into(), Value::Str("x".repeat(200)));
    assert!(codec.encode(&data, NOW).starts_with('.'), "the default compresses this");
    assert!(!plain.encode(&data, NOW).starts_with('.'), "the clone does not");
}

/// During a migration, a request whose new-format cookie and old-format cookie are both refused reports the
/// new format's reason (the cookie this service wrote says more than the old fleet's).
#[test]
fn a_migration_reports_the_new_formats_refusal_first() {
    let django = Keyring::new(key("the Django SECRET_KEY"));
    let config = migrating(&django);
    let mut data = Map::new();
    data.insert("user".into(), Value::Str("alice".into()));
    let other_key = SessionConfig::builder()
        .secret_key(key("another Flask-format key"))
        .build()
        .expect("valid");
    let forged = other_key.codec().encode(&data, NOW);
    // The old cookie is the Django fleet's, but more than its two weeks old.
    let stale = django_cookie(&django);
    let header = format!("session={forged}; sessionid={stale}");
    let loaded = config.load([header.as_str()], NOW + 15 * 86_400);
    assert!(loaded.session.is_empty());
    assert_eq!(
        loaded.refused.map(|e| e.kind()),
        Some(session_core::ErrorKind::BadSignature)
    );
    // With no new-format cookie, the old one's reason.
    let header = format!("sessionid={stale}");
    let loaded = config.load([header.as_str()], NOW + 15 * 86_400);
    assert_eq!(loaded.refused.map(|e| e.kind()), Some(session_core::ErrorKind::Expired));
}

/// A session read through a migration is held to `login_lifetime_secs` like any other: past it, the session
/// is empty and the refusal says why.
#[test]
fn a_migrated_session_past_its_login_lifetime_is_refused_with_the_reason() {
    let django = Keyring::new(key("the Django SECRET_KEY"));
    let config = SessionConfig::builder()
        .secret_key(key("the new Flask-format key"))
        .migrate_from(Format::Django, django.clone())
        .migrate_cookie_name("sessionid")
        .login_lifetime_secs(3600)
        .build()
        .expect("valid");
    let mut data = Map::new();
    data.insert("user".into(), Value::Str("alice".into()));
    data.insert(
        session_core::LOGIN_AT_KEY.into(),
        Value::Int(i64::try_from(NOW).unwrap() - 7200),
    );
    let old = CookieCodec::for_format(Format::Django, &django, Format::Django.defaults().signer).encode(&data, NOW);
    let header = format!("sessionid={old}");
    let loaded = config.load([header.as_str()], NOW + 60);
    assert!(loaded.session.is_empty());
    assert!(
        matches!(
            loaded.refused,
            Some(session_core::SessionError::Expired {
                age: 7260,
                max_age: 3600
            })
        ),
        "{:?}",
        loaded.refused
    );
}
