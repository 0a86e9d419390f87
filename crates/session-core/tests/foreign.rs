//! A value another language's serializer read ([`Foreign`]) is never lost: it reads as its plain
//! counterpart, is written as that counterpart by every JSON format, and a session holding one without a
//! counterpart is refused by every format that cannot write it back.

#![allow(clippy::unwrap_used, reason = "tests")]

use session_core::{CookieCodec, ErrorKind, Foreign, Format, Map, SecretKey, SessionConfig, Value};

/// The format's codec as a service configures it (a cookie name set for the formats that have no default).
fn codec(format: Format) -> CookieCodec {
    let key = match format {
        // Laravel's APP_KEY is exactly 32 bytes.
        Format::Laravel | Format::LaravelGcm => SecretKey::parse(&"foreign-values-test-key-".repeat(3)[..32]).unwrap(),
        _ => SecretKey::parse(&"foreign-values-test-key-".repeat(3)).unwrap(),
    };
    let mut builder = SessionConfig::builder().format(format).secret_key(key);
    if format.defaults().cookie_name.is_empty() {
        builder = builder.cookie_name("app_session");
    }
    builder.build().unwrap().codec().clone()
}

fn int64(n: i64) -> Value {
    Value::Foreign(Box::new(Foreign::new(
        "gob",
        "int64",
        vec![0x02, n as u8],
        Some(Value::Int(n)),
    )))
}

fn user() -> Value {
    Value::Foreign(Box::new(Foreign::new("gob", "main.User", vec![1, 2, 3], None)))
}

#[test]
fn a_counterpart_is_what_json_formats_write_and_read() {
    for &format in Format::ALL {
        let mut with = Map::new();
        with.insert("n".into(), Value::List(vec![int64(7)]));
        let mut plain = Map::new();
        plain.insert("n".into(), Value::List(vec![Value::Int(7)]));
        let c = codec(format);
        let cookies = match c.encode_cookies(&with, 1_700_000_000) {
            Ok(cookies) => cookies,
            Err(e) => panic!("{format:?} refused a foreign value with a plain counterpart: {e}"),
        };
        assert_eq!(c.serialize(&with), c.serialize(&plain), "{format:?}");
        assert!(!cookies.is_empty());
    }
}

#[test]
fn a_value_without_counterpart_is_refused_never_dropped() {
    for &format in Format::ALL {
        let mut data = Map::new();
        data.insert("user_id".into(), Value::Int(1));
        data.insert("profile".into(), Value::Dict(Map::from([("u".to_owned(), user())])));
        let err = codec(format).encode_cookies(&data, 1_700_000_000).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Value, "{format:?}");
        let message = err.to_string();
        assert!(
            message.contains("gob") && message.contains("main.User"),
            "{format:?}: {message}"
        );
    }
}

#[test]
fn reads_see_through_to_the_counterpart_and_name_the_type_otherwise() {
    assert_eq!(int64(5).as_i64(), Some(5));
    assert_eq!(int64(5).plain(), &Value::Int(5));
    assert_eq!(int64(5).deserialize_into::<u8>().unwrap(), 5);
    let err = user().deserialize_into::<Option<String>>().unwrap_err().to_string();
    assert!(err.contains("main.User"), "{err}");
    assert_eq!(
        serde_json::Value::from(&user()),
        serde_json::json!({"foreign": "gob", "type": "main.User"})
    );
    assert_eq!(serde_json::Value::from(&int64(5)), serde_json::json!(5));
}

#[test]
fn debug_shows_the_type_not_the_bytes() {
    let shown = format!("{:?}", user());
    assert!(
        shown.contains("main.User") && shown.contains("encoded_len: 3"),
        "{shown}"
    );
}
