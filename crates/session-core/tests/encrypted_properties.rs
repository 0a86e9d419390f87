//! Properties of the encrypted codecs: round trips, any one-character change refused, hostile input (raw or
//! sealed under the real key) never panics.

use std::sync::LazyLock;

use proptest::prelude::*;
use session_core::wire::encrypted::{CookieJarCodec, JarMode, RailsCodec, RailsDigest};
use session_core::{Keyring, Map, SecretKey, Value};

const NOW: u64 = 1_700_000_000;

/// One codec for every case: PBKDF2's 1000 iterations run once, not per case.
fn rails() -> &'static RailsCodec {
    static CODEC: LazyLock<RailsCodec> = LazyLock::new(|| {
        let ring = Keyring::new(SecretKey::parse("property-secret-key-base-0001").expect("key"));
        RailsCodec::new(&ring, "_app_session", RailsDigest::Sha256)
    });
    &CODEC
}

fn jar(mode: JarMode) -> CookieJarCodec {
    let ring = Keyring::new(SecretKey::new((0..64).collect::<Vec<u8>>()).expect("key"));
    CookieJarCodec::new(&ring, mode, "id").expect("64-byte key")
}

/// JSON-native values (what Rails' and actix-session's JSON hold); floats exact in binary.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        (-1000i32..1000).prop_map(|i| Value::Float(f64::from(i) / 4.0 + 0.25)),
        "\\PC{0,12}".prop_map(Value::Str),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::List),
            proptest::collection::btree_map("\\PC{0,6}", inner, 0..5).prop_map(Value::Dict),
        ]
    })
}

fn session() -> impl Strategy<Value = Map> {
    proptest::collection::btree_map("\\PC{0,8}", value(), 0..6)
}

/// The cookie value without its transport escaping (so a changed character changes the bytes, never only
/// their escaping).
fn unescaped(v: &str) -> String {
    percent_encoding::percent_decode_str(v)
        .decode_utf8()
        .expect("our escapes are UTF-8")
        .into_owned()
}

fn change_one(s: &str, at: usize, to: char) -> Option<String> {
    let mut chars: Vec<char> = s.chars().collect();
    let i = at % chars.len();
    (chars[i] != to).then(|| {
        chars[i] = to;
        chars.into_iter().collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn rails_round_trips(data in session(), exp in proptest::option::of(1_700_000_001_000i64..4_000_000_000_000)) {
        let c = rails();
        let d = c.decode(&c.encode(&data, exp).unwrap(), NOW).unwrap();
        prop_assert_eq!(d.data, data);
        prop_assert_eq!(d.expires_at_ms, exp);
    }

    #[test]
    fn jars_round_trip(data in session(), private in any::<bool>()) {
        let c = jar(if private { JarMode::Private } else { JarMode::Signed });
        prop_assert_eq!(c.decode(&c.encode(&data).unwrap()).unwrap().data, data);
    }

    #[test]
    fn any_one_character_change_is_refused(data in session(), at in any::<usize>(), to in "[A-Za-z0-9+/=\\-{}\":,]") {
        let to = to.chars().next().unwrap();
        let c = rails();
        let v = unescaped(&c.encode(&data, None).unwrap());
        if let Some(t) = change_one(&v, at, to) {
            prop_assert!(c.decode(&t, NOW).is_err(), "Rails: {t}");
        }
        for mode in [JarMode::Private, JarMode::Signed] {
            let c = jar(mode);
            let v = unescaped(&c.encode(&data).unwrap());
            if let Some(t) = change_one(&v, at, to) {
                prop_assert!(c.decode(&t).is_err(), "{mode:?}: {t}");
            }
        }
    }

    #[test]
    fn arbitrary_cookie_values_never_panic(s in "\\PC{0,200}", b64 in "[A-Za-z0-9+/=%-]{0,120}") {
        let r = rails();
        let _ = r.decode(&s, NOW);
        let _ = r.decode(&b64, NOW);
        for mode in [JarMode::Private, JarMode::Signed] {
            let _ = jar(mode).decode(&s);
            let _ = jar(mode).decode(&b64);
        }
    }

    /// A hostile plaintext under the real key (only a key holder can make one) gives a clean result.
    #[test]
    fn hostile_plaintexts_under_the_real_key_never_panic(
        raw in proptest::collection::vec(any::<u8>(), 0..200),
        json in "\\{\"_rails\":\\{(\"(message|data|exp|pur)\":(null|1|\"[A-Za-z0-9+/=:.TZ-]{0,30}\"|\\{\\}|\\[\\]),?){0,4}\\}\\}",
    ) {
        let r = rails();
        for plain in [&raw[..], json.as_bytes()] {
            let _ = r.decode(&r.seal(plain).unwrap(), NOW);
        }
        let signed = jar(JarMode::Signed);
        let state = String::from_utf8_lossy(&raw);
        let _ = signed.decode(&signed.encode_state(&state).unwrap());
    }
}
