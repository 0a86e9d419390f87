//! Properties of every wire format: round trips, tamper detection, no panics on arbitrary input, and the
//! per-format cookie lookup and defaults.

use proptest::prelude::*;
use session_core::wire::json::from_plain_json;
use session_core::wire::pyjson::{Separators, dumps, rewrite};
use session_core::{CookieCodec, Format, Keyring, Map, SecretKey, SessionConfig, SessionHandle, Value};

fn ring() -> Keyring {
    Keyring::new(SecretKey::parse("property-test-key-0123").expect("valid key"))
}

fn codec(format: Format) -> CookieCodec {
    CookieCodec::for_format(format, &ring(), format.defaults().signer)
}

/// Values plain JSON can carry (what Starlette and Django sessions hold).
fn plain() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        any::<f64>()
            .prop_filter("NaN has no equality", |f| !f.is_nan())
            .prop_map(Value::Float),
        any::<String>().prop_map(Value::Str),
        "[1-9][0-9]{19,40}".prop_map(Value::BigInt),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::List),
            proptest::collection::btree_map(any::<String>(), inner, 0..6).prop_map(Value::Dict),
        ]
    })
}

fn session() -> impl Strategy<Value = Map> {
    proptest::collection::btree_map(prop_oneof![any::<String>(), Just(" t".to_owned())], plain(), 0..8)
}

fn python_format() -> impl Strategy<Value = Format> {
    prop_oneof![Just(Format::Starlette), Just(Format::Django)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn encode_decode_round_trips(format in python_format(), data in session(), ts in 1u64..4_000_000_000) {
        let c = codec(format);
        let cookie = c.encode(&data, ts);
        let back = c.decode(&cookie, ts, Some(0)).unwrap();
        prop_assert_eq!(back.data, data);
        prop_assert_eq!(back.timestamp, Some(ts));
    }

    #[test]
    fn any_one_character_change_is_refused(
        format in python_format(),
        data in session(),
        pos in any::<prop::sample::Index>(),
        repl in "[A-Za-z0-9_.:=+/!-]",
    ) {
        let c = codec(format);
        let cookie = c.encode(&data, 1_700_000_000);
        let i = pos.index(cookie.len());
        let mut changed = cookie.clone();
        changed.replace_range(i..=i, &repl);
        prop_assume!(changed != cookie);
        prop_assert!(c.decode(&changed, 1_700_000_000, None).is_err(), "accepted {changed} (from {cookie})");
    }

    #[test]
    fn arbitrary_cookies_never_panic(format in python_format(), s in any::<String>()) {
        let _ = codec(format).decode(&s, 1_700_000_000, Some(100));
        let _ = format.decode_unverified(&s, 1 << 16);
        let config = SessionConfig::builder().format(format).secret_key(SecretKey::parse("property-test-key-0123").unwrap()).build().unwrap();
        let handle = SessionHandle::new(config, vec![s.clone()], 1_700_000_000);
        prop_assert!(handle.is_empty() || handle.finish().is_ok());
    }

    #[test]
    fn rewrite_is_dumps_for_any_map(data in session()) {
        // For a sorted map, keeping the text's order and writing the map in key order agree.
        for sep in [Separators::DEFAULT, Separators::COMPACT] {
            let text = dumps(&Value::Dict(data.clone()), sep);
            prop_assert_eq!(rewrite(&text, sep).unwrap(), text.clone());
            prop_assert_eq!(from_plain_json(text.as_bytes()).unwrap(), Value::Dict(data.clone()));
        }
    }
}

#[test]
fn defaults_follow_the_format_whatever_the_call_order() {
    let key = || SecretKey::parse("property-test-key-0123").unwrap();
    let django = SessionConfig::builder()
        .secret_key(key())
        .format(Format::Django)
        .build()
        .unwrap();
    assert_eq!((django.cookie_name(), django.lifetime_secs()), ("sessionid", 1_209_600));
    let named = SessionConfig::builder()
        .cookie_name("mine")
        .format(Format::Starlette)
        .secret_key(key())
        .build()
        .unwrap();
    assert_eq!((named.cookie_name(), named.lifetime_secs()), ("mine", 1_209_600));
    let flask = SessionConfig::builder().secret_key(key()).build().unwrap();
    assert_eq!((flask.format(), flask.cookie_name()), (Format::Flask, "session"));
    assert_eq!(Format::from_name("FastAPI").unwrap(), Format::Starlette);
    assert!(
        Format::from_name("symfony")
            .unwrap_err()
            .to_string()
            .contains("use one of: flask, starlette")
    );
}

#[test]
fn python_formats_read_the_last_duplicate_cookie_and_flask_the_first() {
    let first = codec(Format::Starlette).encode(&Map::from([("u".to_owned(), Value::Int(1))]), 1_700_000_000);
    let last = codec(Format::Starlette).encode(&Map::from([("u".to_owned(), Value::Int(2))]), 1_700_000_000);
    let config = SessionConfig::builder()
        .format(Format::Starlette)
        .secret_key(SecretKey::parse("property-test-key-0123").unwrap())
        .build()
        .unwrap();
    let header = format!("session={first}; session=\"{last}\"");
    let loaded = config.load([header.as_str()], 1_700_000_000);
    assert_eq!(loaded.session.get_value("u"), Some(&Value::Int(2)));
}
