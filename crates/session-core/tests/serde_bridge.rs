//! `Value::deserialize_into` (serde straight from `&Value`) gives exactly what the old path gave,
//! `serde_json::from_value(serde_json::Value::from(&value))`: the same value or the same error message, for many
//! values and target types.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use session_core::{SessionError, Value};

#[derive(Debug, Deserialize)]
#[allow(dead_code, reason = "the fields are read through Debug")]
struct Rec {
    a: i64,
    #[serde(default)]
    b: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "the fields are read through Debug")]
struct Strict {
    a: u8,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code, reason = "the fields are read through Debug")]
struct Pair(i64, String);

#[derive(Debug, Deserialize)]
#[allow(dead_code, reason = "the fields are read through Debug")]
struct Newtype(u32);

#[derive(Debug, Deserialize)]
struct Unit;

#[derive(Debug, Deserialize)]
#[allow(dead_code, reason = "the fields are read through Debug")]
enum E {
    A,
    B(i64),
    Unit,
    Tup(i64, i64),
    Rec { a: i64 },
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
#[allow(dead_code, reason = "the fields are read through Debug")]
enum Untagged {
    I(i64),
    F(f64),
    S(String),
    L(Vec<Untagged>),
    M(BTreeMap<String, Untagged>),
}

#[derive(Debug, Deserialize)]
#[serde(tag = "a")]
#[allow(dead_code, reason = "the fields are read through Debug")]
enum Internally {
    A,
    B { b: i64 },
}

#[derive(Debug, Deserialize)]
#[allow(dead_code, reason = "the fields are read through Debug")]
struct Flat {
    a: i64,
    #[serde(flatten)]
    rest: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
enum KeyEnum {
    A,
    B,
}

/// The old path and the new one, as `Debug` text (so NaN and maps compare), errors as their messages.
fn both<T: DeserializeOwned + std::fmt::Debug>(v: &Value) -> (String, String) {
    let old = serde_json::from_value::<T>(serde_json::Value::from(v)).map_err(|e| e.to_string());
    let new = v.deserialize_into::<T>().map_err(|e| match e {
        SessionError::Value(m) => m,
        other => format!("another error kind: {other}"),
    });
    (format!("{old:?}"), format!("{new:?}"))
}

macro_rules! check_all {
    ($v:expr; $($t:ty),* $(,)?) => {{
        let mut ok = 0usize;
        $(
            let (old, new) = both::<$t>($v);
            prop_assert_eq!(&old, &new, "{} for {:?}", stringify!($t), $v);
            ok += usize::from(old.starts_with("Ok"));
        )*
        ok
    }};
}

fn check(v: &Value) -> Result<usize, TestCaseError> {
    Ok(check_all!(v;
        String, char, Box<str>, bool, (), i8, i64, u8, u32, u64, i128, u128, f32, f64,
        Option<i64>, Option<String>, Option<Option<bool>>, Option<()>,
        Vec<i64>, Vec<u8>, Vec<Option<u8>>, Vec<String>, Vec<f64>, Vec<serde_json::Value>, Vec<(String, i64)>,
        (i64,), (i64, String), (u8, u8), [i64; 2],
        BTreeMap<String, i64>, BTreeMap<String, String>, BTreeMap<u32, String>, BTreeMap<i64, serde_json::Value>,
        BTreeMap<i8, bool>, BTreeMap<bool, i64>, BTreeMap<KeyEnum, i64>, BTreeMap<String, Option<u8>>,
        BTreeMap<String, Vec<i64>>, BTreeMap<u64, Vec<String>>, BTreeMap<i128, f64>,
        Rec, Strict, Pair, Newtype, Unit, E, Vec<E>, Untagged, Internally, Flat,
        serde_json::Value, serde_json::Map<String, serde_json::Value>, serde::de::IgnoredAny,
    ))
}

/// Values biased towards the shapes the target types want (small integers, variant and field names, numeric
/// keys), plus everything only our data model has.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..300).prop_map(Value::Int),
        any::<i64>().prop_map(Value::Int),
        prop_oneof![
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(-0.0),
            Just(1.5),
            Just(3.0),
            any::<f64>()
        ]
        .prop_map(Value::Float),
        prop_oneof![
            Just("a"),
            Just("A"),
            Just("B"),
            Just("Unit"),
            Just("Tup"),
            Just("Rec"),
            Just("x"),
            Just("é"),
            Just("")
        ]
        .prop_map(|s| Value::Str(s.into())),
        any::<String>().prop_map(Value::Str),
        prop_oneof![Just("A"), Just("<b>x</b>")].prop_map(|s| Value::Markup(s.into())),
        proptest::collection::vec(any::<u8>(), 0..4).prop_map(Value::Bytes),
        any::<[u8; 16]>().prop_map(Value::Uuid),
        (-62_135_596_800i64..253_402_300_799).prop_map(Value::DateTime),
        prop_oneof![
            Just("9223372036854775808".to_owned()),
            Just("18446744073709551616".to_owned()),
            Just("-9223372036854775809".to_owned()),
            Just("9".repeat(400)),
        ]
        .prop_map(Value::BigInt),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a"),
        Just("b"),
        Just("c"),
        Just("A"),
        Just("B"),
        Just("Unit"),
        Just("Tup"),
        Just("Rec"),
        Just("1"),
        Just("-2"),
        Just("01"),
        Just("1.5"),
        Just("300"),
        Just(" 1"),
        Just("1 "),
        Just("1x"),
        Just("-"),
        Just("true"),
        Just("false"),
        Just("1e2"),
        Just("99999999999999999999999"),
    ]
    .prop_map(str::to_owned)
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::List),
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Tuple),
            proptest::collection::btree_map(key(), inner, 0..4).prop_map(Value::Dict),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    #[test]
    fn deserialize_into_matches_the_serde_json_round_trip(v in value()) {
        check(&v)?;
    }
}

/// Hand-picked values for the shapes the random ones rarely hit; each must deserialize into at least one type.
#[test]
fn table_of_shapes() {
    let dict = |pairs: &[(&str, Value)]| Value::Dict(pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect());
    let cases = [
        Value::Int(7),
        Value::Int(-7),
        Value::Float(2.0),
        Value::Str("x".into()),
        Value::Markup("<b>".into()),
        Value::Uuid([0xab; 16]),
        Value::DateTime(1_709_214_307),
        Value::Bytes(vec![1, 2, 255]),
        Value::Tuple(vec![Value::Int(1), Value::Str("a".into())]),
        Value::List(vec![Value::Int(1), Value::Int(2)]),
        Value::List(vec![]),
        dict(&[("a", Value::Int(1))]),
        dict(&[("a", Value::Int(1)), ("b", Value::Str("s".into()))]),
        dict(&[("a", Value::Int(1)), ("x", Value::Null)]),
        dict(&[("1", Value::Str("one".into())), ("-2", Value::Str("two".into()))]),
        dict(&[("true", Value::Int(1))]),
        dict(&[("B", Value::Int(5))]),
        dict(&[("Tup", Value::List(vec![Value::Int(1), Value::Int(2)]))]),
        dict(&[("Tup", Value::List(vec![]))]),
        dict(&[("Rec", dict(&[("a", Value::Int(3))]))]),
        dict(&[("A", Value::Null)]),
        dict(&[("A", Value::Int(1))]),
        dict(&[("a", Value::Str("B".into())), ("b", Value::Int(4))]),
        Value::Str("Unit".into()),
        Value::Str("B".into()),
        Value::BigInt("18446744073709551616".into()),
        Value::BigInt("9".repeat(400)),
        Value::Float(f64::NAN),
    ];
    for v in &cases {
        let ok = check(v).unwrap_or_else(|e| panic!("{e}"));
        assert!(ok > 0, "{v:?} deserializes into none of the types");
    }
}
