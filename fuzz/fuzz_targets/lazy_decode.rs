//! Arbitrary bytes as the JSON inside a validly signed cookie (Flask's tagged JSON for an even first byte, plain
//! JSON as Starlette reads it for an odd one). The decode checks the whole payload and builds each value on first
//! access (`SessionData`); it must refuse exactly what parsing the whole text refuses, with the same error, and
//! otherwise hold the same entries, read in any order. Never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_core::wire::json::{DEFAULT_MAX_VALUES, from_plain_json_with_limit, from_tagged_json_with_limit};
use session_core::{CookieCodec, Format, Keyring, Map, SecretKey, Session, SessionError, Value};

const NOW: u64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, json)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(json) else { return };
    let format = if pick % 2 == 0 { Format::Flask } else { Format::Starlette };
    // A small value budget now and then, so the bound is reached inside single keys too.
    let budget = if pick & 0x80 != 0 { usize::from(pick & 0x3f) } else { DEFAULT_MAX_VALUES };
    let ring = Keyring::new(SecretKey::parse("lazy-decode-fuzz-key").expect("fixed key"));
    let codec = CookieCodec::for_format(format, &ring, format.defaults().signer).with_max_values(budget);
    let cookie = codec.encode_json(text, NOW);
    let lazy = codec.decode(&cookie, NOW, None).map(|d| d.data);
    let full = full_parse(format, json, budget);
    match (lazy, full) {
        (Ok(data), Ok(map)) => {
            assert_eq!(data.len(), map.len());
            assert!(data.keys().eq(map.keys().map(String::as_str)));
            // A typed read (a scalar not built yet is read from its text) answers as the built value does.
            let session = Session::from_map(data.clone());
            for (k, v) in &map {
                typed_read_is_the_values::<String>(&session, k, v);
                typed_read_is_the_values::<i64>(&session, k, v);
                typed_read_is_the_values::<u8>(&session, k, v);
                typed_read_is_the_values::<Option<bool>>(&session, k, v);
            }
            for (k, v) in map.iter().rev() {
                assert!(data.get(k).is_some_and(|g| same(g, v)), "{k:?}");
            }
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("lazy decode {a:?}, full parse {b:?}"),
    }
});

/// The decode before lazy decoding: the whole value, then Flask's rule for the top level (any falsy value is
/// an empty session) or the plain formats' (an object).
fn full_parse(format: Format, json: &[u8], budget: usize) -> Result<Map, SessionError> {
    let value = if format == Format::Flask {
        from_tagged_json_with_limit(json, budget)?
    } else {
        from_plain_json_with_limit(json, budget)?
    };
    let falsy = match &value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Int(i) => *i == 0,
        Value::Float(f) => *f == 0.0,
        Value::Str(s) | Value::Markup(s) => s.is_empty(),
        Value::List(v) | Value::Tuple(v) => v.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        _ => false,
    };
    match value {
        Value::Dict(m) => Ok(m),
        _ if format == Format::Flask && falsy => Ok(Map::new()),
        _ => Err(SessionError::BadPayload("the session is not a JSON object".into())),
    }
}

/// `session.get::<T>(key)` gives what the full parse's value gives, errors included.
fn typed_read_is_the_values<T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
    session: &Session,
    key: &str,
    value: &Value,
) {
    let read = session.get::<T>(key).map(|v| v.expect("the key is there"));
    let expected = value.deserialize_into::<T>();
    match (read, expected) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{key:?}"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{key:?}"),
        (a, b) => panic!("{key:?}: typed read {a:?}, built value {b:?}"),
    }
}

/// Equality where NaN equals NaN.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        (Value::List(x), Value::List(y)) | (Value::Tuple(x), Value::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Dict(x), Value::Dict(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((ka, a), (kb, b))| ka == kb && same(a, b))
        }
        _ => a == b,
    }
}
