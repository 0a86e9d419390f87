//! gorilla/sessions through the request path: the `Cookie` header is read as Go's `r.Cookie(name)` reads it
//! (the cases of every Cookie rule against the real parsers are in `cookie_header.rs`).
#![allow(clippy::unwrap_used, reason = "a test that fails should fail loudly")]

use session_core::{Format, LoadStatus, SecretKey, SessionConfig, SessionHandle};

const NOW: u64 = 1_700_000_000;

fn config(block_key: bool) -> SessionConfig {
    let mut builder = SessionConfig::builder()
        .format(Format::Gorilla)
        .cookie_name("session-name")
        .secret_key(SecretKey::parse("gorilla-hash-key-current-0001").unwrap());
    if block_key {
        builder = builder.encryption_key(SecretKey::parse("gorilla-block-key-32-bytes-00001").unwrap());
    }
    builder.build().unwrap()
}

/// `session-name=<value>` of a login as `user`.
fn login(config: &SessionConfig, user: &str) -> String {
    let handle = SessionHandle::new(config.clone(), vec![], NOW);
    handle.insert("user", user).unwrap();
    let set = handle.finish().unwrap().set_cookies().to_vec();
    set[0].split(';').next().unwrap().to_owned()
}

fn user(config: &SessionConfig, header: &str) -> Option<String> {
    let handle = SessionHandle::new(config.clone(), vec![header.to_owned()], NOW + 60);
    assert!(
        matches!(handle.status(), LoadStatus::Loaded { .. } | LoadStatus::New),
        "{header}: {:?}",
        handle.status()
    );
    handle.get::<String>("user").unwrap()
}

#[test]
fn a_value_go_rejects_is_skipped_for_the_next_cookie_of_the_name() {
    for block_key in [false, true] {
        let config = config(block_key);
        let alice = login(&config, "alice");
        let bob = login(&config, "bob");
        // Go skips a quoted value holding a backslash (Werkzeug would take it, and refuse its signature).
        assert_eq!(
            user(&config, &format!("session-name=\"a\\b\"; {alice}")).as_deref(),
            Some("alice")
        );
        // Go takes the first cookie of the name it accepts, in a quoted value too.
        let quoted = alice.replacen('=', "=\"", 1) + "\"";
        assert_eq!(user(&config, &format!("{quoted}; {bob}")).as_deref(), Some("alice"));
        // Spaces around `=` make another name to Go.
        let spaced = alice.replacen('=', " = ", 1);
        assert_eq!(user(&config, &format!("{spaced}; {bob}")).as_deref(), Some("bob"));
        assert_eq!(user(&config, &spaced), None);
    }
}
