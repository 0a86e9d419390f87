//! The encrypted formats as profiles of `SessionConfig`: cookies made by real Rails and real actix-session
//! (from the committed vectors) load, changed sessions are written back in the framework's format, fallback
//! keys and Rails' other digest are re-encrypted with the current key, and a migration reads one format and
//! writes another.

use serde_json::Value as Json;
use session_core::wire::encrypted::{CookieJarCodec, JarMode, RailsCodec, RailsDigest};
use session_core::{Digest, Format, Keyring, Map, SecretKey, SessionConfig, Value};

const NOW: u64 = 1_700_000_000;

fn vector(file: &str, id: &str) -> Json {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/vectors")
        .join(file);
    let doc: Json = serde_json::from_str(&std::fs::read_to_string(path).expect("vector file")).expect("JSON");
    doc["cases"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == id))
        .cloned()
        .unwrap_or_else(|| panic!("{file} has no {id}"))
}

fn key(text: &str) -> SecretKey {
    SecretKey::parse(text).expect("key")
}

fn s<'a>(v: &'a Json, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("{k}"))
}

fn session_of(v: &Json) -> Map {
    match Value::from(v.clone()) {
        Value::Dict(m) => m,
        other => panic!("not an object: {other:?}"),
    }
}

/// The `name=value` pair of a `Set-Cookie` header.
fn cookie_pair(set_cookie: &str) -> (&str, &str) {
    set_cookie
        .split(';')
        .next()
        .and_then(|p| p.split_once('='))
        .expect("name=value")
}

fn rails_config(case: &Json) -> SessionConfig {
    let ours = &case["ours"];
    let fallbacks = ours["fallbacks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| key(f.as_str().expect("f")));
    SessionConfig::builder()
        .format(Format::Rails)
        .secret_key(key(s(ours, "secret_key_base")))
        .fallbacks(fallbacks.collect())
        .digest(Digest::from_name(s(ours, "digest")).expect("digest"))
        .cookie_name(s(ours, "cookie_name"))
        .build()
        .expect("Rails config")
}

#[test]
fn a_real_rails_cookie_loads_and_a_changed_session_is_written_back_as_rails_writes_it() {
    let case = vector("rails_known_answers.json", "rails-sha256-basic");
    let config = rails_config(&case);
    assert_eq!(config.cookie_name(), "_app_session");
    let header = format!("_app_session={}", s(&case, "cookie"));
    let mut loaded = config.load([header.as_str()], NOW);
    assert!(loaded.refused.is_none(), "{:?}", loaded.refused);
    assert_eq!(loaded.session.data(), &session_of(&case["expected"]["session"]));

    // Untouched: nothing is written (Rails' own store would re-send it; we write only what changed).
    assert_eq!(
        config
            .save(&loaded.session, true, NOW)
            .expect("save")
            .set_cookies()
            .first()
            .cloned(),
        None
    );

    loaded.session.insert("user_id", &7).expect("insert");
    let out = config.save(&loaded.session, true, NOW).expect("save");
    let set_cookie = out.set_cookies().first().cloned().expect("written");
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax") && set_cookie.contains("Path=/"));
    assert!(
        !set_cookie.contains("Expires"),
        "no expire_after, no Expires: {set_cookie}"
    );
    let (name, value) = cookie_pair(&set_cookie);
    assert_eq!(name, "_app_session");
    let ring = Keyring::new(key(s(&case["ours"], "secret_key_base")));
    let d = RailsCodec::new(&ring, "_app_session", RailsDigest::Sha256)
        .only_configured_digest()
        .decode(value, NOW)
        .expect("our cookie opens");
    assert_eq!(d.data["user_id"], Value::Int(7));
    assert_eq!(
        d.data["session_id"],
        loaded.session.data()["session_id"],
        "Rails' session_id is kept"
    );
    assert_eq!(d.expires_at_ms, None);
}

#[test]
fn rails_rotations_are_written_again_with_the_current_key_and_digest() {
    for id in ["rails-rotation-sha1-to-sha256", "rails-rotation-old-secret"] {
        let case = vector("rails_known_answers.json", id);
        let config = rails_config(&case);
        let header = format!("_app_session={}", s(&case, "cookie"));
        let loaded = config.load([header.as_str()], NOW);
        assert!(loaded.refused.is_none(), "{id}: {:?}", loaded.refused);
        let set_cookie = config
            .save(&loaded.session, false, NOW)
            .expect("save")
            .set_cookies()
            .first()
            .cloned()
            .expect(id);
        let current = Keyring::new(key(s(&case["ours"], "secret_key_base")));
        let d = RailsCodec::new(&current, "_app_session", RailsDigest::Sha256)
            .only_configured_digest()
            .decode(cookie_pair(&set_cookie).1, NOW)
            .expect("re-encrypted with the current key and SHA-256");
        assert_eq!(d.data, session_of(&case["expected"]["session"]), "{id}");
    }
}

#[test]
fn a_rails_lifetime_is_sealed_as_exp_and_sent_as_expires() {
    let config = SessionConfig::builder()
        .format(Format::Rails)
        .secret_key(key("a-rails-secret-key-base-for-tests"))
        .lifetime_secs(3600)
        .build()
        .expect("config");
    let mut loaded = config.load([], NOW);
    loaded.session.insert("user_id", &1).expect("insert");
    let set_cookie = config
        .save(&loaded.session, true, NOW)
        .expect("save")
        .set_cookies()
        .first()
        .cloned()
        .expect("written");
    assert!(
        set_cookie.contains("Expires=Tue, 14 Nov 2023 23:13:20 GMT"),
        "{set_cookie}"
    );
    let value = cookie_pair(&set_cookie).1;
    let ring = Keyring::new(key("a-rails-secret-key-base-for-tests"));
    let d = RailsCodec::new(&ring, "_app_session", RailsDigest::Sha256)
        .decode(value, NOW)
        .expect("opens");
    assert_eq!(d.expires_at_ms, Some(1_700_003_600_000));
    // An hour later the sealed exp has passed: refused, whatever the cookie's Expires said.
    let header = format!("_app_session={value}");
    let later = config.load([header.as_str()], NOW + 3600);
    assert_eq!(later.refused.map(|e| e.kind().as_str()), Some("expired"));
    assert!(later.session.is_empty());
}

fn actix_config(case: &Json, format: Format) -> SessionConfig {
    let ours = &case["ours"];
    let fallbacks = ours["fallbacks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| key(f.as_str().expect("f")));
    SessionConfig::builder()
        .format(format)
        .secret_key(key(s(ours, "key")))
        .fallbacks(fallbacks.collect())
        .build()
        .expect("actix config")
}

#[test]
fn real_actix_session_cookies_load_and_rotate_in_both_jars() {
    for (id, format, mode) in [
        ("actix-private-basic", Format::ActixPrivate, JarMode::Private),
        ("actix-signed-basic", Format::ActixSigned, JarMode::Signed),
        ("actix-private-fallback-key", Format::ActixPrivate, JarMode::Private),
        ("actix-signed-fallback-key", Format::ActixSigned, JarMode::Signed),
    ] {
        let case = vector("actix_session_known_answers.json", id);
        let config = actix_config(&case, format);
        assert_eq!(config.cookie_name(), "id");
        let header = format!("id={}", s(&case, "cookie"));
        let mut loaded = config.load([header.as_str()], NOW);
        assert!(loaded.refused.is_none(), "{id}: {:?}", loaded.refused);
        assert_eq!(loaded.session.data(), &session_of(&case["expected"]["session"]), "{id}");
        let rotated = !case["ours"]["fallbacks"].as_array().is_none_or(Vec::is_empty);
        let untouched = config
            .save(&loaded.session, false, NOW)
            .expect("save")
            .set_cookies()
            .first()
            .cloned();
        assert_eq!(
            untouched.is_some(),
            rotated,
            "{id}: only a fallback-key cookie is written unasked"
        );
        loaded.session.insert("seen", &true).expect("insert");
        let set_cookie = config
            .save(&loaded.session, true, NOW)
            .expect("save")
            .set_cookies()
            .first()
            .cloned()
            .expect(id);
        let current = Keyring::new(key(s(&case["ours"], "key")));
        let d = CookieJarCodec::new(&current, mode, "id")
            .expect("codec")
            .decode(cookie_pair(&set_cookie).1);
        let d = d.expect("written with the current key");
        assert_eq!(d.data["seen"], Value::Bool(true), "{id}");
        assert!(d.state.contains(r#""seen":"true""#), "{id}: {}", d.state);
    }
}

#[test]
fn tampered_encrypted_cookies_give_an_empty_session_with_the_reason() {
    let case = vector("actix_session_tamper.json", "actix-private-tamper-tag");
    let config = actix_config(&case, Format::ActixPrivate);
    let header = format!("id={}", s(&case, "cookie"));
    let loaded = config.load([header.as_str()], NOW);
    assert!(loaded.session.is_empty());
    assert_eq!(loaded.refused.map(|e| e.kind().as_str()), Some("bad_signature"));
    let case = vector("rails_tamper.json", "rails-other-cookie-name");
    let header = format!("_app_session={}", s(&case, "cookie"));
    let loaded = rails_config(&case).load([header.as_str()], NOW);
    assert_eq!(loaded.refused.map(|e| e.kind().as_str()), Some("wrong_purpose"));
}

#[test]
fn an_emptied_encrypted_session_deletes_the_cookie() {
    let case = vector("actix_session_known_answers.json", "actix-private-basic");
    let config = actix_config(&case, Format::ActixPrivate);
    let header = format!("id={}", s(&case, "cookie"));
    let mut loaded = config.load([header.as_str()], NOW);
    loaded.session.clear();
    let set_cookie = config
        .save(&loaded.session, true, NOW)
        .expect("save")
        .set_cookies()
        .first()
        .cloned()
        .expect("deletion");
    assert!(
        set_cookie.starts_with("id=;") && set_cookie.contains("Max-Age=0"),
        "{set_cookie}"
    );
}

#[test]
fn bad_encrypted_settings_are_refused_when_the_config_is_built() {
    let short = SessionConfig::builder()
        .format(Format::ActixPrivate)
        .secret_key(key("only-thirty-two-bytes-of-key-000"))
        .build()
        .expect_err("a cookie::Key is 64 bytes");
    assert_eq!(short.kind(), "key");
    let sha512 = SessionConfig::builder()
        .format(Format::Rails)
        .secret_key(key("a-rails-secret-key-base-for-tests"))
        .digest(Digest::Sha512)
        .build()
        .expect_err("Rails derives with sha1 or sha256");
    assert_eq!(sha512.kind(), "config");
}

/// actix-session's cookie `id` in, Flask's format out under the same name: the browser's cookie is replaced.
#[test]
fn a_migration_reads_actix_session_and_writes_flask() {
    let case = vector("actix_session_known_answers.json", "actix-private-basic");
    let actix_keys = Keyring::new(key(s(&case["ours"], "key")));
    let config = SessionConfig::builder()
        .format(Format::Flask)
        .secret_key(key("the-flask-secret-key-0001"))
        .cookie_name("id")
        .migrate_from(Format::ActixPrivate, actix_keys)
        .build()
        .expect("config");
    let header = format!("id={}", s(&case, "cookie"));
    let loaded = config.load([header.as_str()], NOW);
    assert!(loaded.refused.is_none(), "{:?}", loaded.refused);
    assert_eq!(loaded.session.data(), &session_of(&case["expected"]["session"]));
    let set_cookie = config
        .save(&loaded.session, false, NOW)
        .expect("save")
        .set_cookies()
        .first()
        .cloned()
        .expect("rewritten");
    let (name, value) = cookie_pair(&set_cookie);
    assert_eq!(name, "id");
    let flask = config.codec().decode(value, NOW, Some(60)).expect("a Flask cookie now");
    assert_eq!(flask.data, session_of(&case["expected"]["session"]));
    // The next request carries the Flask cookie: it loads as Flask's, nothing more to write.
    let header = format!("id={value}");
    let next = config.load([header.as_str()], NOW);
    assert!(next.refused.is_none());
    assert_eq!(
        config
            .save(&next.session, false, NOW)
            .expect("save")
            .set_cookies()
            .first()
            .cloned(),
        None
    );
    // No cookie at all: an empty session, no refusal.
    assert!(config.load([], NOW).refused.is_none());
}

/// A Django fleet with `SESSION_COOKIE_AGE` = 30 days: a real Django cookie 20 days old is refused with
/// Django's default max age (14 days) and opens with `migrate_lifetime_secs`.
#[test]
fn a_migration_reads_old_cookies_up_to_the_old_fleets_lifetime() {
    let case = vector("django_known_answers.json", "dj-ka-plain");
    let signed_at = case["sign"]["timestamp"].as_u64().expect("timestamp");
    let now = signed_at + 20 * 24 * 3600;
    let header = format!("sessionid={}", s(&case, "cookie"));
    // The vectors' Django key is 12 bytes, as a Django test setting may be.
    let django_key = SecretKey::insecure_short(s(&case["keys"], "secret_key").as_bytes()).expect("key");
    let config = |lifetime: Option<u64>| {
        let mut builder = SessionConfig::builder()
            .secret_key(key("the-flask-secret-key-0001"))
            .migrate_from(Format::Django, Keyring::new(django_key.clone()))
            .migrate_cookie_name("sessionid");
        if let Some(secs) = lifetime {
            builder = builder.migrate_lifetime_secs(secs);
        }
        builder.build().expect("config")
    };
    let expected: Json = serde_json::from_str(s(&case["expected"], "json")).expect("JSON");
    let loaded = config(None).load([header.as_str()], now);
    assert!(loaded.refused.is_some_and(|e| e.kind() == "expired"));
    assert!(loaded.session.is_empty());
    for lifetime in [30 * 24 * 3600, 20 * 24 * 3600, u64::MAX] {
        let loaded = config(Some(lifetime)).load([header.as_str()], now);
        assert!(loaded.refused.is_none(), "{lifetime}: {:?}", loaded.refused);
        assert_eq!(loaded.session.data(), &session_of(&expected), "{lifetime}");
    }
    let loaded = config(Some(20 * 24 * 3600 - 1)).load([header.as_str()], now);
    assert!(loaded.refused.is_some_and(|e| e.kind() == "expired"));
}

/// Rails' cookie in, actix-session's private jar out, under another name (the Rails cookie stays behind).
#[test]
fn a_migration_reads_rails_and_writes_actix_session_under_another_name() {
    let case = vector("rails_known_answers.json", "rails-sha1-basic");
    let rails_keys = Keyring::new(key(s(&case["ours"], "secret_key_base")));
    let actix_key = "hex:".to_owned() + &"5c".repeat(64);
    let config = SessionConfig::builder()
        .format(Format::ActixPrivate)
        .secret_key(key(&actix_key))
        .migrate_from(Format::Rails, rails_keys)
        .migrate_cookie_name("_app_session")
        .build()
        .expect("config");
    let header = format!("other=1; _app_session={}", s(&case, "cookie"));
    let loaded = config.load([header.as_str()], NOW);
    assert!(loaded.refused.is_none(), "{:?}", loaded.refused);
    let set_cookie = config
        .save(&loaded.session, false, NOW)
        .expect("save")
        .set_cookies()
        .first()
        .cloned()
        .expect("rewritten");
    let (name, value) = cookie_pair(&set_cookie);
    assert_eq!(name, "id");
    let d = CookieJarCodec::new(&Keyring::new(key(&actix_key)), JarMode::Private, "id")
        .expect("codec")
        .decode(value)
        .expect("an actix-session cookie now");
    assert_eq!(d.data, session_of(&case["expected"]["session"]));
}

/// The same migration through the lazy per-request handle every adapter uses, touched or not.
#[test]
fn a_migration_through_the_session_handle() {
    let case = vector("actix_session_known_answers.json", "actix-private-basic");
    let config = SessionConfig::builder()
        .format(Format::Flask)
        .secret_key(key("the-flask-secret-key-0001"))
        .migrate_from(Format::ActixPrivate, Keyring::new(key(s(&case["ours"], "key"))))
        .migrate_cookie_name("id")
        .build()
        .expect("config");
    let headers = vec![format!("id={}", s(&case, "cookie"))];
    for touched in [true, false] {
        let handle = session_core::SessionHandle::new(config.clone(), headers.clone(), NOW);
        if touched {
            assert_eq!(
                handle.with(|s| s.data().clone()),
                session_of(&case["expected"]["session"])
            );
        }
        let out = handle.finish().expect("finish");
        let set_cookie = out.set_cookies().first().cloned().expect("written in Flask's format");
        let (name, value) = cookie_pair(&set_cookie);
        assert_eq!(name, "session");
        let flask = config.codec().decode(value, NOW, Some(60)).expect("Flask's format");
        assert_eq!(
            flask.data,
            session_of(&case["expected"]["session"]),
            "touched: {touched}"
        );
    }
}
