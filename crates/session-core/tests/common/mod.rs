//! Strategies shared by the property tests: any session value, with dict keys that include Flask's tag names.

use proptest::prelude::*;
use session_core::Value;

/// Any scalar value (every Python type Flask's tagged JSON keeps distinct).
pub fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        any::<f64>()
            .prop_filter("NaN has no equality", |f| !f.is_nan())
            .prop_map(Value::Float),
        any::<String>().prop_map(Value::Str),
        proptest::collection::vec(any::<u8>(), 0..16).prop_map(Value::Bytes),
        any::<String>().prop_map(Value::Markup),
        any::<[u8; 16]>().prop_map(Value::Uuid),
        (0i64..253_402_300_799).prop_map(Value::DateTime),
        "[1-9][0-9]{19,40}".prop_map(Value::BigInt),
    ]
}

/// Any value: scalars, lists, tuples and dicts nested up to four levels.
pub fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::List),
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Tuple),
            proptest::collection::btree_map(key(), inner, 0..6).prop_map(Value::Dict),
        ]
    })
}

/// Keys include Flask's tag names, so dicts that need the `" di"` wrapper are generated.
pub fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        Just(" t".to_owned()),
        Just(" di".to_owned()),
        Just(" b".to_owned())
    ]
}
