//! Property tests: round trips, tamper detection, and no panics on arbitrary input.

use proptest::prelude::*;
use session_core::{CookieCodec, Keyring, Map, SecretKey, SessionConfig, SignerOptions, find_cookie, wire::json};

mod common;
use common::{key, value};

fn codec() -> CookieCodec {
    CookieCodec::new(
        &Keyring::new(SecretKey::parse("property-test-key-0123").expect("valid key")),
        SignerOptions::default(),
    )
}

fn session() -> impl Strategy<Value = Map> {
    proptest::collection::btree_map(key(), value(), 0..8)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn encode_decode_round_trips(data in session(), ts in 1u64..4_000_000_000) {
        let c = codec();
        let cookie = c.encode(&data, ts);
        let back = c.decode(&cookie, ts, Some(0)).unwrap();
        prop_assert_eq!(back.data, data);
        prop_assert_eq!(back.timestamp, Some(ts));
    }

    #[test]
    fn tagged_json_text_is_stable(v in value()) {
        let text = json::to_tagged_json(&v);
        let back = json::from_tagged_json(text.as_bytes()).unwrap();
        prop_assert_eq!(json::to_tagged_json(&back), text);
    }

    #[test]
    fn any_one_character_change_is_refused(data in session(), pos in any::<prop::sample::Index>(), repl in "[A-Za-z0-9_.=+/!-]") {
        let c = codec();
        let cookie = c.encode(&data, 1_700_000_000);
        let i = pos.index(cookie.len());
        let mut changed = cookie.clone();
        changed.replace_range(i..=i, &repl);
        prop_assume!(changed != cookie);
        prop_assert!(c.decode(&changed, 1_700_000_000, None).is_err(), "accepted {changed} (from {cookie})");
    }

    #[test]
    fn arbitrary_cookies_never_panic(s in any::<String>()) {
        let _ = codec().decode(&s, 1_700_000_000, Some(100));
        let _ = session_core::decode_unverified(&s, 1 << 16);
    }

    #[test]
    fn arbitrary_json_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = json::from_tagged_json(&bytes);
    }

    #[test]
    fn arbitrary_cookie_headers_never_panic(h in any::<String>()) {
        let _ = find_cookie([h.as_str()], "session");
        let config = SessionConfig::builder().secret_key(SecretKey::parse("property-test-key-0123").unwrap()).build().unwrap();
        let loaded = config.load([h.as_str()], 1_700_000_000);
        prop_assert!(loaded.session.is_empty() || loaded.refused.is_none());
    }
}

#[test]
fn oversized_session_names_size_limit_and_biggest_keys() {
    let config = SessionConfig::builder()
        .secret_key(SecretKey::parse("property-test-key-0123").unwrap())
        .build()
        .unwrap();
    let mut loaded = config.load([], 1_700_000_000);
    // Random-looking text does not compress, so the cookie must grow past 4093 bytes.
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let noise: String = (0..6000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'!' + (x % 90) as u8)
        })
        .collect();
    loaded.session.insert("big", &noise).unwrap();
    loaded.session.insert("small", &1).unwrap();
    let err = config.save(&loaded.session, true, 1_700_000_000).unwrap_err();
    let msg = err.to_string();
    assert_eq!(err.kind(), "too_large");
    assert!(
        msg.contains("the limit is 4093 bytes") && msg.contains("\"big\""),
        "{msg}"
    );
    assert!(
        !msg.contains(&noise[..20]),
        "the message must not echo the session data"
    );
}
