//! The gob reader against Go's own decoder: 850 gob streams of gorilla sessions, most of them damaged one way,
//! each with what Go 1.19's `encoding/gob` made of it (`testdata/gob/decode.json`, written by
//! `scripts/gob_corpus`, checked by `cargo xtask vectors --check`).
//!
//! - A stream Go refuses is refused, but for an interface value whose type name the Go app never registered:
//!   Go refuses the whole session there, we keep the value as it came (`Value::Foreign`, docs/divergences.md
//!   `unregistered-kept`).
//! - A stream Go reads is read to the same session: the same keys, each value of the same Go type, and the
//!   same value wherever the model holds it. A key that is not a UTF-8 string is refused (`hostile-payload`),
//!   and so is a name that is not UTF-8 (`gob-non-utf8-name`) or a definition of two kinds (`gob-two-kinds`).
//! - Every session read is written back to a stream that reads as the same session.
#![allow(clippy::unwrap_used, reason = "a test that fails should fail loudly")]

use serde_json::Value as J;
use session_core::Value;
use session_core::wire::gob;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The Go type our reader gives a value of the model.
fn go_type(v: &Value) -> String {
    match v {
        Value::Null => "nil",
        Value::Str(_) => "string",
        Value::Int(_) => "int",
        Value::Float(_) => "float64",
        Value::Bool(_) => "bool",
        Value::Bytes(_) => "[]uint8",
        Value::List(_) => "[]interface {}",
        Value::Dict(_) => "map[string]interface {}",
        Value::DateTime(_) => "time.Time",
        Value::Foreign(f) => return f.type_name().to_owned(),
        other => panic!("the gob reader gave {other:?}"),
    }
    .to_owned()
}

/// `ours` is the value Go's node `go` describes (`"t"`: Go's type, `"v"`: its value).
fn same(go: &J, ours: &Value, at: &str) {
    assert_eq!(go["t"].as_str().unwrap(), go_type(ours), "{at}: type");
    let plain = match ours {
        Value::Foreign(f) => match f.value() {
            Some(v) => v,
            // Kept as it came, with no value of the model: its type is all there is to compare.
            None => return,
        },
        v => v,
    };
    let v = &go["v"];
    match plain {
        Value::Null => assert_eq!(go["t"], "nil", "{at}"),
        Value::Str(s) => assert_eq!(v.as_str(), Some(s.as_str()), "{at}"),
        Value::Int(i) => assert_eq!(v.as_str(), Some(i.to_string().as_str()), "{at}"),
        Value::BigInt(i) => assert_eq!(v.as_str(), Some(i.as_str()), "{at}"),
        Value::Float(f) => assert_eq!(v.as_str(), Some(format!("{:x}", f.to_bits()).as_str()), "{at}"),
        Value::Bool(b) => assert_eq!(v.as_bool(), Some(*b), "{at}"),
        Value::Bytes(b) => assert_eq!(v.as_str(), Some(hex(b).as_str()), "{at}"),
        Value::DateTime(s) => {
            assert_eq!(v["unix"].as_i64(), Some(*s), "{at}");
            // The model's datetime (a whole second in UTC) stands alone only for such a time; any other is
            // kept as Go's `time.Time`, with the datetime as its plain value.
            let whole_utc = v["utc"] == true && v["nsec"] == 0;
            assert_eq!(matches!(ours, Value::DateTime(_)), whole_utc, "{at}: {v}");
        }
        Value::List(items) => {
            let go_items = v.as_array().unwrap();
            assert_eq!(go_items.len(), items.len(), "{at}: length");
            for (i, (g, o)) in go_items.iter().zip(items).enumerate() {
                if go["t"] == "[]string" {
                    assert_eq!(Some(g.as_str().unwrap()), o.as_str(), "{at}[{i}]");
                } else {
                    same(g, o, &format!("{at}[{i}]"));
                }
            }
        }
        Value::Dict(map) => {
            let pairs = v.as_array().unwrap();
            let keys: Vec<&str> = pairs.iter().map(|p| p[0].as_str().unwrap()).collect();
            let ours: Vec<&str> = map.keys().map(String::as_str).collect();
            assert_eq!(keys, ours, "{at}: keys");
            for p in pairs {
                let k = p[0].as_str().unwrap();
                same(&p[1], &map[k], &format!("{at}.{k}"));
            }
        }
        other => panic!("{at}: the gob reader gave {other:?}"),
    }
}

/// `a` and `b` are the same value to the bit (a float's bits, a foreign value's type, bytes and plain value).
fn identical(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::List(x), Value::List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| identical(x, y)),
        (Value::Dict(x), Value::Dict(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((kx, x), (ky, y))| kx == ky && identical(x, y))
        }
        (Value::Foreign(x), Value::Foreign(y)) => {
            x.type_name() == y.type_name()
                && x.encoded() == y.encoded()
                && match (x.value(), y.value()) {
                    (Some(x), Some(y)) => identical(x, y),
                    (x, y) => x.is_none() && y.is_none(),
                }
        }
        (a, b) => a == b,
    }
}

#[test]
fn our_reader_reads_what_go_decodes() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/gob/decode.json");
    let doc: J = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 850);
    let divergences =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/divergences.md"))
            .unwrap();
    let (mut read, mut refused, mut kept) = (0, 0, 0);
    let mut wrong = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let stream = unhex(c["gob"].as_str().unwrap());
        let at = format!("case {i} ({})", c["gob"].as_str().unwrap());
        let ours = gob::decode_session(&stream, 10_000);
        let error = c["error"].as_str().unwrap_or("");
        let outcome = std::panic::catch_unwind(|| match c["go"].as_str().unwrap() {
            "ok" if c.get("other_keys").is_some() => {
                assert!(
                    ours.is_err(),
                    "{at}: a key that is not a UTF-8 string, read as {ours:?}"
                );
                "refused"
            }
            // No Go program names a type or a field with bytes that are not UTF-8 (Go's identifiers are
            // UTF-8); Go's decoder takes any bytes (`gob-non-utf8-name`).
            "ok" if matches!(&ours, Err(e) if e.to_string().contains("a type name that is not UTF-8")) => {
                assert!(
                    divergences.contains("`gob-non-utf8-name`"),
                    "not in docs/divergences.md"
                );
                "refused"
            }
            // A damaged definition that names two kinds, which Go reads (`gob-two-kinds`).
            "ok" if matches!(&ours, Err(e) if e.to_string().contains("a type definition of two kinds")) => {
                assert!(divergences.contains("`gob-two-kinds`"), "not in docs/divergences.md");
                "refused"
            }
            "ok" => {
                let ours = ours
                    .as_ref()
                    .unwrap_or_else(|e| panic!("{at}: Go reads it, we refuse it: {e}"));
                let entries = c["session"].as_array().unwrap();
                let keys: Vec<&str> = entries.iter().map(|e| e[0].as_str().unwrap()).collect();
                assert_eq!(keys, ours.keys().map(String::as_str).collect::<Vec<_>>(), "{at}: keys");
                for e in entries {
                    let k = e[0].as_str().unwrap();
                    same(&e[1], &ours[k], &format!("{at}: {k}"));
                }
                // Written back, it reads as the same session, to the bit: Go's own types (kept as foreign
                // values, with their own types inside) as they came.
                let again = gob::decode_session(&gob::encode_session(ours).unwrap(), 10_000).unwrap();
                assert_eq!(again.len(), ours.len(), "{at}: written back");
                for (k, v) in ours {
                    assert!(identical(v, &again[k]), "{at}: {k} written back as {:?}", again[k]);
                }
                "read"
            }
            // Go refuses the whole session; we keep such a value as it came (`unregistered-kept`), or refuse
            // the session for what else the damage broke.
            _ if error.starts_with("gob: name not registered for interface") => {
                assert!(
                    divergences.contains("`unregistered-kept`"),
                    "not in docs/divergences.md"
                );
                if ours.is_ok() { "kept" } else { "refused" }
            }
            _ => {
                assert!(ours.is_err(), "{at}: Go refuses it ({error}), we read {ours:?}");
                "refused"
            }
        });
        match outcome {
            Ok("read") => read += 1,
            Ok("kept") => kept += 1,
            Ok(_) => refused += 1,
            Err(e) => wrong.push(
                e.downcast_ref::<String>()
                    .cloned()
                    .unwrap_or_else(|| format!("{at}: {:?}", e.downcast_ref::<&str>())),
            ),
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cases:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
    // The corpus exercises each outcome.
    assert!(
        read > 150 && refused > 350 && kept > 10,
        "{read} read, {refused} refused, {kept} kept"
    );
}
