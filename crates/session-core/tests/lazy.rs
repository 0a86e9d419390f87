//! Lazy decoding: a decoded session checks the whole payload up front (every refusal happens at decode time,
//! exactly as a full parse refuses it) and builds each top-level value on first access, equal to what the
//! full parse builds.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use proptest::prelude::*;
use session_core::wire::json::{from_plain_json_with_limit, from_tagged_json_with_limit};
use session_core::wire::signer::TimestampSigner;
use session_core::{
    CookieCodec, Format, Keyring, Map, SecretKey, Session, SessionConfig, SessionData, SessionError, SignerOptions,
    Value,
};

mod common;

const NOW: u64 = 1_700_000_000;

fn ring() -> Keyring {
    Keyring::new(SecretKey::parse("lazy-decoding-test-key").expect("valid key"))
}

fn codec(format: Format) -> CookieCodec {
    CookieCodec::for_format(format, &ring(), format.defaults().signer)
}

/// Signs any JSON text (valid or not) as a key holder would, uncompressed.
fn signed(format: Format, json: &[u8]) -> String {
    match format {
        Format::Flask => {
            TimestampSigner::new(&ring(), SignerOptions::default()).sign(&URL_SAFE_NO_PAD.encode(json), NOW)
        }
        Format::Starlette => TimestampSigner::new(&ring(), format.defaults().signer).sign(&STANDARD.encode(json), NOW),
        _ => codec(format).encode_json(std::str::from_utf8(json).expect("text"), NOW),
    }
}

/// What a full parse makes of `json` as a session (the behaviour before lazy decoding): the object's map, an
/// empty one for Flask's falsy payloads, or the refusal.
fn eager(format: Format, json: &[u8], max_values: usize) -> Result<Map, SessionError> {
    let value = match format {
        Format::Flask => from_tagged_json_with_limit(json, max_values)?,
        _ => from_plain_json_with_limit(json, max_values)?,
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

/// Decodes `json` lazily and checks it against the full parse: the same refusal (kind and message), or the
/// same entries, whichever key is read first.
fn agree(format: Format, json: &[u8], max_values: usize) -> Result<(), TestCaseError> {
    let cookie = signed(format, json);
    let lazy = codec(format)
        .with_max_values(max_values)
        .decode(&cookie, NOW, None)
        .map(|d| d.data);
    let full = eager(format, json, max_values);
    match (lazy, full) {
        (Ok(data), Ok(map)) => {
            prop_assert_eq!(data.len(), map.len());
            prop_assert!(data.keys().eq(map.keys().map(String::as_str)));
            // Read in reverse order, one key at a time, then compare everything.
            for (k, v) in map.iter().rev() {
                let got = data.get(k);
                prop_assert!(got.is_some_and(|g| same(g, v)), "{:?}: {:?} != {:?}", k, got, v);
            }
            prop_assert!(data.iter().zip(map.iter()).all(|(a, b)| a.0 == b.0 && same(a.1, b.1)));
        }
        (Err(a), Err(b)) => prop_assert_eq!(a, b),
        (a, b) => prop_assert!(
            false,
            "lazy {:?} but full parse {:?} for {:?}",
            a,
            b,
            String::from_utf8_lossy(json)
        ),
    }
    Ok(())
}

/// Value equality where NaN equals NaN (a payload may hold `NaN`).
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

/// Tagged-JSON text, valid or not: tags with good and bad values, duplicate keys, nested tags, bad escapes.
fn text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null"),
        Just("true"),
        Just("false"),
        Just("0"),
        Just("-7"),
        Just("1.5"),
        Just("0.0"),
        Just("NaN"),
        Just("-Infinity"),
        Just("123456789012345678901234567890"),
        Just("01"),
        Just("-"),
        Just("\"\""),
        Just("\"abc\""),
        Just("\"\\u00e9t\\u00e9\""),
        Just("\"\\ud83d\\ude00\""),
        Just("\"\\ud800\""),
        Just("\"bad \\x escape\""),
        Just("\"AAH+/2hlbGxv\""),
        Just("\"!!!\""),
        Just("\"9f1c2d3e4b5a4c6d8e7fa0b1c2d3e4f5\""),
        Just("\"nothex\""),
        Just("\"Thu, 29 Feb 2024 13:45:07 GMT\""),
        Just("\"a__\""),
        Just("[]"),
        Just("{}"),
    ]
    .prop_map(str::to_owned);
    let key = prop_oneof![
        Just(" t"),
        Just(" b"),
        Just(" u"),
        Just(" d"),
        Just(" m"),
        Just(" di"),
        Just("a"),
        Just("b"),
        Just("a__"),
        Just(" t__"),
        Just("\\u0020t"),
    ];
    leaf.prop_recursive(5, 64, 4, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            proptest::collection::vec((key.clone(), inner.clone()), 0..4).prop_map(|pairs| {
                let body: Vec<String> = pairs.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!("{{{}}}", body.join(","))
            }),
            (key.clone(), inner).prop_map(|(k, v)| format!("{{\"{k}\":{v}}}")),
        ]
    })
}

/// A session-shaped text: a top-level object of the generated values (or, sometimes, anything at all).
fn payload() -> impl Strategy<Value = String> {
    let top_key = prop_oneof![
        Just("user"),
        Just("a"),
        Just("b"),
        Just(" t"),
        Just(" di"),
        Just("_flashes")
    ];
    prop_oneof![
        4 => proptest::collection::vec((top_key, text()), 0..5).prop_map(|pairs| {
            let body: Vec<String> = pairs.iter().map(|(k, v)| format!("\"{k}\" : {v}")).collect();
            format!(" {{{}}} ", body.join(", "))
        }),
        1 => text(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    /// Flask's tagged JSON: the lazy decode refuses exactly what the full parse refuses, with the same error,
    /// and builds the same values; also under a small value budget.
    #[test]
    fn flask_lazy_decode_agrees_with_the_full_parse(json in payload(), budget in prop_oneof![Just(50_000usize), 1usize..40]) {
        agree(Format::Flask, json.as_bytes(), budget)?;
    }

    /// Plain JSON (Starlette, Django): tags are ordinary keys.
    #[test]
    fn plain_json_lazy_decode_agrees_with_the_full_parse(json in payload(), budget in prop_oneof![Just(50_000usize), 1usize..40]) {
        agree(Format::Starlette, json.as_bytes(), budget)?;
        agree(Format::Django, json.as_bytes(), budget)?;
    }
}

#[test]
fn hostile_values_deep_inside_one_key_are_refused_at_decode_time() {
    let nested = |inner: &str| format!(r#"{{"user_id":42,"cart":{{"items":[{{"a":[1,{{"x":{inner}}}]}}]}},"z":"ok"}}"#);
    for (inner, what) in [
        (r#"{" u":"nothex"}"#, "bad UUID"),
        (r#"{" b":"not base64!"}"#, "bad base64"),
        (r#"{" b":5}"#, "bytes of a number"),
        (r#"{" t":5}"#, "tuple of a number"),
        (r#"{" di":{}}"#, "empty TagDict"),
        (r#"{" m":[1]}"#, "markup of a list"),
        (r#"{" m":NaN}"#, "markup of NaN"),
        (
            r#"{" t":{" d":"Thu, 29 Feb 2024 13:45:07 GMT"}}"#,
            "tuple of a datetime",
        ),
        (r#""\ud800x""#, "lone surrogate"),
        (r#""\q""#, "bad escape"),
        ("[1,]", "bad JSON"),
        ("1e", "a number that is not one"),
        (&"9".repeat(4301), "an integer longer than Python reads"),
    ] {
        let json = nested(inner);
        let err = codec(Format::Flask)
            .decode(&signed(Format::Flask, json.as_bytes()), NOW, None)
            .expect_err(what);
        assert_eq!(err.kind().as_str(), "bad_payload", "{what}");
        assert_eq!(
            Err(err),
            eager(Format::Flask, json.as_bytes(), 50_000).map(|_| ()),
            "{what}"
        );
    }
    // The same through a request: an empty session and the refusal, never a value that fails later.
    let config = SessionConfig::builder()
        .secret_key(SecretKey::parse("lazy-decoding-test-key").expect("key"))
        .build()
        .expect("config");
    let cookie = format!(
        "session={}",
        signed(Format::Flask, nested(r#"{" u":"nothex"}"#).as_bytes())
    );
    let loaded = config.load([cookie.as_str()], NOW);
    assert!(loaded.session.is_empty());
    assert_eq!(loaded.refused.map(|e| e.kind().as_str()), Some("bad_payload"));
}

#[test]
fn bad_utf8_inside_one_key_is_refused_at_decode_time() {
    for json in [
        &b"{\"a\":{\"b\":\"\xff\"}}"[..],
        b"{\"a\":[1,\"ok \xc3\"]}",
        b"{\"a\":{\"\xe2\x82\":1}}",
        b"{\"a\":{\" t\":\"\xc3\xa9\xff\"}}",
        // Refused for its UTF-8 where it comes, before a later error (the full parse's error, not the later one).
        b"{\"a\":\"\xff\",\"b\":tru}",
        b"{\"\xff\":1,\"b\":}",
    ] {
        for format in [Format::Flask, Format::Starlette] {
            let err = codec(format)
                .decode(&signed(format, json), NOW, None)
                .expect_err("bad UTF-8");
            assert_eq!(err.kind().as_str(), "bad_payload");
            assert_eq!(Err(err), eager(format, json, 50_000).map(|_| ()));
        }
    }
}

#[test]
fn the_value_budget_and_depth_count_every_key_at_decode_time() {
    // 1 (object) + 3 keys + 3 values (one of them the list) + 3 items: 10 values.
    let json = br#"{"a":1,"b":"x","c":[1,2,3]}"#;
    assert!(agree(Format::Flask, json, 10).is_ok());
    assert!(
        codec(Format::Flask)
            .with_max_values(10)
            .decode(&signed(Format::Flask, json), NOW, None)
            .is_ok()
    );
    let err = codec(Format::Flask)
        .with_max_values(9)
        .decode(&signed(Format::Flask, json), NOW, None)
        .expect_err("over the budget");
    assert_eq!(err.kind().as_str(), "bad_payload");
    // A tuple made of a string costs one value per character, inside any key.
    assert!(agree(Format::Flask, br#"{"a":{"b":{" t":"abcdef"}}}"#, 8).is_ok());
    // Nesting: the top-level object is level 0, so 512 nested lists under a key are the most there may be.
    for n in [511, 512, 513] {
        let json = format!("{{\"a\":{}{}}}", "[".repeat(n), "]".repeat(n));
        let r = codec(Format::Flask).decode(&signed(Format::Flask, json.as_bytes()), NOW, None);
        assert_eq!(r.is_ok(), n <= 512, "{n}");
        assert!(agree(Format::Flask, json.as_bytes(), 50_000).is_ok(), "{n}");
    }
}

#[test]
fn duplicate_keys_keep_the_last_value() {
    let json = br#"{"a":1,"b":[2],"a":{"x":3}}"#;
    let d = codec(Format::Flask)
        .decode(&signed(Format::Flask, json), NOW, None)
        .expect("valid");
    assert_eq!(d.data.len(), 2);
    assert_eq!(
        d.data.get("a"),
        Some(&Value::Dict(Map::from([("x".into(), Value::Int(3))])))
    );
    assert!(agree(Format::Flask, json, 50_000).is_ok());
    // Inside a tag, the last value of the tag key is the one untagged, with its own key order (as Python).
    let json = br#"{"t":{" t":[1]," t":{"k":1,"j":2}}}"#;
    let d = codec(Format::Flask)
        .decode(&signed(Format::Flask, json), NOW, None)
        .expect("valid");
    assert_eq!(
        d.data["t"],
        Value::Tuple(vec![Value::Str("k".into()), Value::Str("j".into())])
    );
    let json = br#"{"t":{" di":{"a__":1}," di":{}}}"#;
    assert!(
        codec(Format::Flask)
            .decode(&signed(Format::Flask, json), NOW, None)
            .is_err()
    );
}

#[test]
fn flask_falsy_and_tagged_top_levels_are_built_at_once() {
    for (json, want) in [
        ("null", Some(Map::new())),
        (r#"{" t":[]}"#, Some(Map::new())),
        (r#"{" d":"garbage"}"#, Some(Map::new())),
        (r#"{" di":{"a__":1}}"#, Some(Map::from([("a".into(), Value::Int(1))]))),
        ("[1]", None),
        (r#"{" t":[1]}"#, None),
    ] {
        let got = codec(Format::Flask).decode(&signed(Format::Flask, json.as_bytes()), NOW, None);
        assert_eq!(got.as_ref().ok().map(|d| d.data.to_map()), want, "{json}");
        assert!(agree(Format::Flask, json.as_bytes(), 50_000).is_ok(), "{json}");
    }
}

fn decoded_large() -> (SessionData, Map) {
    let json = br#"{"_fresh":true,"_user_id":"18342","cart":{"items":[{"sku":"A","qty":1}],"total":{" t":[1,2]}},"when":{" d":"Thu, 29 Feb 2024 13:45:07 GMT"},"username":"alice"}"#;
    let data = codec(Format::Flask)
        .decode(&signed(Format::Flask, json), NOW, None)
        .expect("valid")
        .data;
    let Value::Dict(map) = session_core::wire::json::from_tagged_json(json).expect("valid") else {
        unreachable!("an object")
    };
    (data, map)
}

#[test]
fn session_data_access_patterns() {
    let (data, map) = decoded_large();
    // One key read; the others stay as they are; equality ignores what is built.
    assert_eq!(data.get("username"), Some(&Value::Str("alice".into())));
    assert_eq!(data, map);
    assert_eq!(SessionData::from(map.clone()), data);
    assert!(data.contains_key("cart") && !data.contains_key("nope") && data.get("nope").is_none());
    assert_eq!(
        data.keys().collect::<Vec<_>>(),
        ["_fresh", "_user_id", "cart", "username", "when"]
    );
    assert_eq!(data.len(), 5);
    // A clone taken before any value is built builds its own, equal ones.
    let (fresh, _) = decoded_large();
    let copy = fresh.clone();
    assert_eq!(copy.get("when"), Some(&Value::DateTime(1_709_214_307)));
    assert_eq!(fresh, copy);
    assert_eq!(fresh.to_map(), map);
    assert_eq!(fresh.clone().into_map(), map);
    assert_eq!(
        fresh.iter().map(|(k, _)| k).collect::<Vec<_>>(),
        map.keys().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(format!("{fresh:?}"), format!("{map:?}"));
    // The writers give the same bytes for the lazy data and for the map.
    for format in [Format::Flask, Format::Starlette, Format::Django] {
        assert_eq!(codec(format).serialize(&fresh), codec(format).serialize(&map));
        let (unread, _) = decoded_large();
        assert_eq!(codec(format).encode(&unread, NOW), codec(format).encode(&map, NOW));
    }
}

#[test]
fn session_mutations_on_a_lazy_session() {
    let (data, map) = decoded_large();
    let mut s = Session::from_map(data);
    assert!(!s.is_modified());
    assert_eq!(s.get::<String>("_user_id").expect("a string").as_deref(), Some("18342"));
    assert!(!s.is_modified());
    // Overwrite an unread key, remove another unread one (its value comes back built), insert a new one.
    let old = s.insert_value("cart", Value::Int(0));
    assert_eq!(old.as_ref(), map.get("cart"));
    assert_eq!(s.remove("when"), map.get("when").cloned());
    assert_eq!(s.remove("when"), None);
    s.insert("new", &[1, 2]).expect("serializable");
    assert!(s.is_modified());
    let mut want = map.clone();
    want.insert("cart".into(), Value::Int(0));
    want.remove("when");
    want.insert("new".into(), Value::List(vec![Value::Int(1), Value::Int(2)]));
    assert_eq!(s.data(), &want);
    let mut expected = Session::from_map(want.clone());
    expected.update([]); // modified, as `s` is
    assert_eq!(s, expected);
    s.clear();
    assert!(s.is_empty() && s.is_modified());
    assert_eq!(s.data(), &Map::new());
    // Removing a missing key of an unmodified lazy session changes nothing.
    let (data, _) = decoded_large();
    let mut s = Session::from_map(data);
    assert_eq!(s.remove("nope"), None);
    assert!(!s.is_modified());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Random sessions, every profile: encode, lazy decode, every key equals, and the cookie written again
    /// from the unread lazy data is the same cookie.
    #[test]
    fn random_sessions_round_trip_through_lazy_decoding(
        data in proptest::collection::btree_map(
            prop_oneof![any::<String>(), Just(" t".to_owned()), Just("_flashes".to_owned())],
            common::value(),
            0..6,
        )
    ) {
        for format in [Format::Flask, Format::Starlette, Format::Django] {
            let c = codec(format);
            let cookie = c.encode(&data, NOW);
            let lazy = c.decode(&cookie, NOW, None).expect("decodes").data;
            let back = c.decode(&cookie, NOW, None).expect("decodes").data;
            prop_assert_eq!(c.encode(&back, NOW), cookie.clone());
            if format == Format::Flask {
                for (k, v) in &data {
                    prop_assert_eq!(lazy.get(k), Some(v));
                }
                prop_assert_eq!(&lazy, &data);
            } else {
                // Plain JSON has no tags: compare with what the JSON reads back as.
                prop_assert_eq!(&lazy, &from_plain_json_with_limit(c.serialize(&data).as_bytes(), 50_000)
                    .map(|v| match v { Value::Dict(m) => m, _ => Map::new() })
                    .expect("valid"));
            }
        }
    }
}

/// `json` decoded lazily through Flask's or Starlette's codec, as a cookie signed by a key holder.
fn lazy_decode(format: Format, json: &[u8]) -> Result<SessionData, SessionError> {
    codec(format).decode(&signed(format, json), NOW, None).map(|d| d.data)
}

/// `inner`, one value in Flask's tagged JSON, is `expected`: read in full alone, and as the value of a
/// session's key read in full and lazily.
fn tagged_reads_as(inner: &str, expected: &Value) {
    assert_eq!(
        from_tagged_json_with_limit(inner.as_bytes(), 1_000).as_ref(),
        Ok(expected),
        "{inner}"
    );
    let session = format!(r#"{{"k": {inner}}}"#);
    let map = eager(Format::Flask, session.as_bytes(), 1_000).expect(inner);
    assert_eq!(map.get("k"), Some(expected), "{inner}");
    let data = lazy_decode(Format::Flask, session.as_bytes()).expect(inner);
    assert_eq!(data.get("k"), Some(expected), "{inner}");
}

/// `tuple()` of a dict under Flask's `" t"` tag is its keys in insertion order, and a key written twice was
/// inserted once, where it first came: Python 3.11's `tuple(json.loads('{"a": 1, "b": 2, "a": 3}'))` is
/// `('a', 'b')`. In a session's value (built on access) and as a whole payload.
#[test]
fn a_tagged_tuple_of_a_dict_with_a_key_twice_has_it_once() {
    let expected = Value::Tuple(vec![Value::Str("a".into()), Value::Str("b".into())]);
    tagged_reads_as(r#"{" t": {"a": 1, "b": 2, "a": 3}}"#, &expected);
}

/// `\/` is an escaped `/` (Python 3.11: `json.loads('{"a": "x\\/y"}')` is `{'a': 'x/y'}`), in a key and in a
/// value, read lazily and in full.
#[test]
fn an_escaped_slash_is_a_slash() {
    let json = br#"{"a\/b": "x\/y"}"#;
    let mut expected = Map::new();
    expected.insert("a/b".into(), Value::Str("x/y".into()));
    assert_eq!(
        from_tagged_json_with_limit(json, 1_000).expect("valid"),
        Value::Dict(expected.clone())
    );
    assert_eq!(lazy_decode(Format::Flask, json).expect("valid"), expected);
}

/// Numbers at the edges of Python's scanner, with Python 3.11's answers (`json.loads`): a leading zero, a sign
/// or a point without digits, an exponent without digits are refused, and the refusal is where Python puts it
/// (char = byte here); an integer of 4300 digits is read and one of 4301 refused (`int`'s digit limit). Read in
/// full and lazily, with the same answer.
#[test]
fn numbers_at_the_edges_of_python_s_scanner() {
    let mut refused_at = vec![
        (r#"{"a": 01}"#.to_owned(), Some(7)),
        (r#"{"a": -01}"#.to_owned(), Some(8)),
        (r#"{"a": 1.}"#.to_owned(), Some(7)),
        (r#"{"a": 1e}"#.to_owned(), Some(7)),
        (r#"{"a": -}"#.to_owned(), None),
        (r#"{"a": .5}"#.to_owned(), None),
        (r#"{"a": -x}"#.to_owned(), None),
    ];
    for sign in ["", "-"] {
        refused_at.push((format!(r#"{{"a": {sign}{}}}"#, "9".repeat(4301)), None));
    }
    for (json, at) in refused_at {
        for format in [Format::Flask, Format::Starlette] {
            let err = eager(format, json.as_bytes(), 1_000).expect_err(&json);
            assert_eq!(err.kind().as_str(), "bad_payload", "{json}");
            if let Some(at) = at {
                let where_ = format!(" at byte {at}");
                assert!(
                    matches!(&err, SessionError::BadPayload(m) if m.ends_with(&where_)),
                    "{json}: {err}"
                );
            }
            assert_eq!(lazy_decode(format, json.as_bytes()).map(|_| ()), Err(err), "{json}");
        }
    }
    let read = [
        (r#"{"a": -0}"#.to_owned(), Value::Int(0)),
        (r#"{"a": 1E+2}"#.to_owned(), Value::Float(100.0)),
        (r#"{"a": 2e-1}"#.to_owned(), Value::Float(0.2)),
        (
            format!(r#"{{"a": {}}}"#, "9".repeat(4300)),
            Value::BigInt("9".repeat(4300)),
        ),
        (
            format!(r#"{{"a": -{}}}"#, "9".repeat(4300)),
            Value::BigInt(format!("-{}", "9".repeat(4300))),
        ),
    ];
    for (json, value) in read {
        for format in [Format::Flask, Format::Starlette] {
            let map = eager(format, json.as_bytes(), 1_000).expect("read");
            assert_eq!(map.get("a"), Some(&value), "{json}");
            let data = lazy_decode(format, json.as_bytes()).expect("read");
            assert_eq!(data.get("a"), Some(&value), "{json}");
        }
    }
}

/// `tuple()` of bytes under Flask's `" t"` tag is their integers: itsdangerous untags the inner `" b"` first,
/// and Python 3.11's `tuple(b"yes")` is `(121, 101, 115)`.
#[test]
fn a_tagged_tuple_of_bytes_is_their_integers() {
    let expected = Value::Tuple(vec![Value::Int(121), Value::Int(101), Value::Int(115)]);
    tagged_reads_as(r#"{" t": {" b": "eWVz"}}"#, &expected);
}

/// Flask's `" m"` tag is `Markup(value)`, which is `str(value)` for scalars (Python 3.11, `str(json.loads(t))`
/// for each text). NaN and the infinities are refused (the `hostile-payload` divergence: Python gives `nan`,
/// `inf`, `-inf`).
#[test]
fn a_tagged_markup_of_a_scalar_is_python_s_str() {
    for (inner, text) in [
        ("5", "5"),
        ("true", "True"),
        ("false", "False"),
        ("null", "None"),
        ("1.5", "1.5"),
        ("1e100", "1e+100"),
        ("0.1", "0.1"),
        ("-0.0", "-0.0"),
        ("12345678901234567890123", "12345678901234567890123"),
        (r#""<b>x</b>""#, "<b>x</b>"),
    ] {
        tagged_reads_as(&format!(r#"{{" m": {inner}}}"#), &Value::Markup(text.into()));
    }
    for inner in ["NaN", "Infinity", "-Infinity"] {
        let json = format!(r#"{{"k": {{" m": {inner}}}}}"#);
        assert!(eager(Format::Flask, json.as_bytes(), 1_000).is_err(), "{inner}");
    }
}

/// Flask's `" u"` tag reads what Python's `uuid.UUID(hex)` reads, braces included (Python 3.11:
/// `UUID('{12345678-1234-5678-1234-567812345678}')` is `12345678-1234-5678-1234-567812345678`).
#[test]
fn a_tagged_uuid_in_braces_is_read() {
    let expected = Value::Uuid([
        0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78,
    ]);
    tagged_reads_as(r#"{" u": "{12345678-1234-5678-1234-567812345678}"}"#, &expected);
}

/// The infinities are written as Python's `json.dumps` writes them (`{"a": Infinity, "b": -Infinity}`).
#[test]
fn infinities_are_written_as_python_writes_them() {
    let mut map = Map::new();
    map.insert("a".into(), Value::Float(f64::INFINITY));
    map.insert("b".into(), Value::Float(f64::NEG_INFINITY));
    assert_eq!(
        session_core::wire::json::to_tagged_json(&Value::Dict(map)),
        r#"{"a":Infinity,"b":-Infinity}"#
    );
}
