//! What a new user runs into first: keys given in a form the chosen framework cannot be using, a migration's
//! defaults (the old format's cookie name, what changes in the cookie), refusals visible in the log with their
//! reason, `insert` by value, `flash` without a category.
#![allow(clippy::unwrap_used, reason = "a test that fails should fail loudly")]

use std::io::Write;
use std::sync::{Arc, Mutex};

use session_core::{ErrorKind, Format, Keyring, LoadStatus, SecretKey, SessionConfig, SessionHandle};

const NOW: u64 = 1_700_000_000;
const HEX_KEY: &str = "hex:00112233445566778899aabbccddeeff";

fn config(format: Format, key: SecretKey) -> SessionConfig {
    let builder = SessionConfig::builder().format(format).secret_key(key);
    // iron-session has no default cookie name.
    let builder = if format.defaults().cookie_name.is_empty() {
        builder.cookie_name("s")
    } else {
        builder
    };
    builder.build().unwrap()
}

/// A Starlette (or Django, Rails, Express, ...) key given as `hex:` is decoded here but used as text there:
/// every login would be refused. `build()` says so; Flask, which takes bytes, does not.
#[test]
fn a_decoded_key_for_a_framework_that_uses_text_is_a_warning_with_the_fix() {
    let starlette = config(Format::Starlette, SecretKey::parse(HEX_KEY).unwrap());
    let said = starlette.warnings().join("\n");
    assert!(
        said.contains("Starlette uses the key's text as it is (secret_key): pass the same text on both sides"),
        "{said}"
    );
    for format in [
        Format::Django,
        Format::Rails,
        Format::Express,
        Format::IronSession,
        Format::AuthJs,
    ] {
        let base64 = SecretKey::parse("base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIj").unwrap();
        assert_eq!(config(format, base64).warnings().len(), 1, "{format}");
    }
    assert!(
        config(Format::Flask, SecretKey::parse(HEX_KEY).unwrap())
            .warnings()
            .is_empty()
    );
    assert!(
        config(Format::Starlette, SecretKey::parse("a plain text key!").unwrap())
            .warnings()
            .is_empty()
    );
    // The documented way to use `hex:...` as text on both sides.
    assert!(
        config(Format::Starlette, SecretKey::new(HEX_KEY.as_bytes()).unwrap())
            .warnings()
            .is_empty()
    );
    let fallback = SessionConfig::builder()
        .format(Format::Django)
        .secret_key(SecretKey::parse("a plain text key!").unwrap())
        .fallback(SecretKey::parse(HEX_KEY).unwrap())
        .build()
        .unwrap();
    assert!(
        fallback.warnings()[0].starts_with("fallback key 0 was given as `hex:...`"),
        "{:?}",
        fallback.warnings()
    );
}

/// actix-session's key is 64 bytes; its 128 hex digits given without `hex:` would be cut to their first 64
/// characters and nobody's cookie would open.
#[test]
fn bare_hex_digits_for_a_64_byte_key_say_prefix_with_hex() {
    let digits = "5c".repeat(64);
    for format in [Format::ActixPrivate, Format::ActixSigned] {
        let bare = config(format, SecretKey::parse(&digits).unwrap());
        assert!(
            bare.warnings()[0].contains("prefix them with hex:"),
            "{:?}",
            bare.warnings()
        );
        let prefixed = config(format, SecretKey::parse(&format!("hex:{digits}")).unwrap());
        assert!(prefixed.warnings().is_empty(), "{:?}", prefixed.warnings());
    }
    // Rails' secret_key_base is 128 hex digits used as text: nothing to say.
    assert!(
        config(Format::Rails, SecretKey::parse(&digits).unwrap())
            .warnings()
            .is_empty()
    );
}

fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

/// Moving from actix-session to Django: the old cookie is found under actix-session's own name (`id`), and
/// `build()` lists what changes for users (Secure, the end of the browser session) with the settings that keep it.
#[test]
fn a_migration_reads_the_old_formats_cookie_name_and_says_what_changes() {
    let actix_key = SecretKey::parse(&format!("hex:{}", "5c".repeat(64))).unwrap();
    let old = SessionHandle::new(config(Format::ActixPrivate, actix_key.clone()), vec![], NOW);
    old.insert("user_id", 42).unwrap();
    let cookie = cookie_pair(&old.finish().unwrap().set_cookies()[0]);
    assert!(cookie.starts_with("id="), "{cookie}");

    let django = |b: session_core::SessionConfigBuilder| {
        b.format(Format::Django)
            .secret_key(SecretKey::parse("the Django SECRET_KEY").unwrap())
            .migrate_from(Format::ActixPrivate, Keyring::new(actix_key.clone()))
            .build()
            .unwrap()
    };
    let config = django(SessionConfig::builder());
    let new = SessionHandle::new(config.clone(), vec![cookie.clone()], NOW + 1);
    assert_eq!(new.get::<u32>("user_id").unwrap(), Some(42), "{:?}", new.status());
    let written = new.finish().unwrap();
    assert!(
        written.set_cookies().iter().any(|c| c.starts_with("sessionid=")),
        "{written:?}"
    );

    let said = config.warnings().join("\n");
    assert!(said.contains("set secure(true) to keep it"), "{said}");
    assert!(said.contains("set expire_at_browser_close(true)"), "{said}");
    let kept = django(SessionConfig::builder().secure(true).expire_at_browser_close(true));
    assert!(kept.warnings().is_empty(), "{:?}", kept.warnings());
}

/// A writer the test reads back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `f` with an `info` subscriber and returns what it logged.
fn logged(f: impl FnOnce()) -> String {
    let out = Captured::default();
    let writer = out.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, f);
    let bytes = out.0.lock().unwrap().clone();
    String::from_utf8(bytes).unwrap()
}

/// Every refusal is logged at `info` with its kind, the format, the cookie and the keys tried (never the
/// cookie's value), and `status()` gives the handler the same reason. A bad signature under a key that
/// `build()` warned about carries that warning as its hint.
#[test]
fn refusals_are_logged_at_info_with_their_reason() {
    let flask = config(Format::Flask, SecretKey::parse("the current Flask key").unwrap());
    let signer = SessionHandle::new(flask.clone(), vec![], NOW);
    signer.insert("user", "alice").unwrap();
    let good = cookie_pair(&signer.finish().unwrap().set_cookies()[0]);

    let tampered = format!("{good}x");
    let log = logged(|| {
        let h = SessionHandle::new(flask.clone(), vec![tampered.clone()], NOW);
        assert!(matches!(h.status(), LoadStatus::Refused(e) if e.kind() == ErrorKind::BadSignature));
    });
    assert!(
        log.contains(" INFO ") && log.contains("session cookie refused"),
        "{log}"
    );
    assert!(
        log.contains("kind=\"bad_signature\"") && log.contains("format=\"flask\""),
        "{log}"
    );
    assert!(log.contains("keys=1") && !log.contains(&tampered[8..]), "{log}");

    // Expired cookies are refusals like the others (they used to be logged at debug only), with the key that
    // signed them: here the old key, now a fallback.
    let rotated = SessionConfig::builder()
        .secret_key(SecretKey::parse("the new Flask key!").unwrap())
        .fallback(SecretKey::parse("the current Flask key").unwrap())
        .build()
        .unwrap();
    let log = logged(|| {
        let h = SessionHandle::new(rotated.clone(), vec![good.clone()], NOW + 40 * 24 * 3600);
        assert!(matches!(h.status(), LoadStatus::Refused(e) if e.kind() == ErrorKind::Expired));
    });
    assert!(log.contains("kind=\"expired\" keys=2 key=fallback:0"), "{log}");

    let starlette = config(Format::Starlette, SecretKey::parse(HEX_KEY).unwrap());
    let other = config(Format::Starlette, SecretKey::new(HEX_KEY.as_bytes()).unwrap());
    let from_python = SessionHandle::new(other, vec![], NOW);
    from_python.insert("user", "alice").unwrap();
    let cookie = cookie_pair(&from_python.finish().unwrap().set_cookies()[0]);
    let log = logged(|| {
        assert!(SessionHandle::new(starlette.clone(), vec![cookie.clone()], NOW).is_empty());
    });
    assert!(
        log.contains("hint=") && log.contains("Starlette uses the key's text as it is"),
        "{log}"
    );
}

/// `insert` takes values as actix-session and tower-sessions do, and references as before; `flash` needs no
/// category.
#[test]
fn insert_by_value_or_reference_and_flash_without_a_category() {
    let h = SessionHandle::new(
        config(Format::Flask, SecretKey::parse("0123456789abcdef").unwrap()),
        vec![],
        NOW,
    );
    let name = String::from("alice");
    h.insert("visits", 1).unwrap();
    h.insert("name", &name).unwrap();
    h.insert("owned", name).unwrap();
    h.insert("text", "plain").unwrap();
    assert_eq!(h.get::<u32>("visits").unwrap(), Some(1));
    assert_eq!(h.get::<String>("owned").unwrap().as_deref(), Some("alice"));
    h.flash("Saved");
    h.flash_with_category("Disk full", "error");
    assert_eq!(
        h.take_flashes_with_categories(),
        [
            ("message".to_owned(), "Saved".to_owned()),
            ("error".to_owned(), "Disk full".to_owned())
        ]
    );
}

/// A rolling move from Flask's format to Django's, as docs/profiles.md orders it: first every instance reads
/// both and still writes Flask's (`format(Flask).migrate_from(Django, ..)`), then each flips
/// (`format(Django).migrate_from(Flask, ..)`). While the flip rolls out, either kind of instance reads the
/// other's cookie and nobody is logged out; an instance that never took the first step could not.
#[test]
fn a_rolling_deploy_reads_both_formats_then_flips() {
    let flask_key = SecretKey::parse("the Flask SECRET_KEY").unwrap();
    let django_key = SecretKey::parse("the Django SECRET_KEY").unwrap();
    let old = config(Format::Flask, flask_key.clone());
    let step1 = SessionConfig::builder()
        .secret_key(flask_key.clone())
        .migrate_from(Format::Django, Keyring::new(django_key.clone()))
        .build()
        .unwrap();
    let step2 = SessionConfig::builder()
        .format(Format::Django)
        .secret_key(django_key)
        .migrate_from(Format::Flask, Keyring::new(flask_key))
        .build()
        .unwrap();
    let visit = |config: &SessionConfig, cookies: &[String]| {
        let h = SessionHandle::new(config.clone(), vec![cookies.join("; ")], NOW);
        let user = h.get::<String>("user").unwrap();
        h.renew();
        let out = h.finish().unwrap();
        let set: Vec<String> = out
            .set_cookies()
            .iter()
            .filter(|c| !c.contains("Max-Age=0"))
            .map(|c| cookie_pair(c))
            .collect();
        (user, set)
    };
    let login = SessionHandle::new(old.clone(), vec![], NOW);
    login.insert("user", "alice").unwrap();
    let flask_cookie = vec![cookie_pair(&login.finish().unwrap().set_cookies()[0])];

    // Step 1 everywhere: reads Flask's cookie as before, and still writes Flask's format.
    let (user, written) = visit(&step1, &flask_cookie);
    assert_eq!(
        (user.as_deref(), written[0].starts_with("session=")),
        (Some("alice"), true)
    );
    // Step 2 rolls out: a flipped instance reads the Flask cookie and writes Django's...
    let (user, django_cookie) = visit(&step2, &written);
    assert_eq!(
        (user.as_deref(), django_cookie[0].starts_with("sessionid=")),
        (Some("alice"), true)
    );
    // ...which an instance still on step 1 reads (and writes back in Flask's format),
    let (user, back) = visit(&step1, &django_cookie);
    assert_eq!(
        (user.as_deref(), back[0].starts_with("session=")),
        (Some("alice"), true)
    );
    // but an instance that skipped step 1 cannot: that is why step 1 comes first.
    assert_eq!(visit(&old, &django_cookie).0, None);
}
