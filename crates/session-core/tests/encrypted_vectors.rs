//! The encrypted profiles' known answers and tamper cases, made by real Rails (`scripts/rails_vectors.rb`) and
//! real actix-session (`interop/actix-session-ref`), against our codecs.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use session_core::wire::encrypted::{CookieJarCodec, JarMode, RailsCodec, RailsDigest, RailsEnvelope};
use session_core::{KeyId, Keyring, Map, SecretKey, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Iso8601;

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/vectors")
}

fn cases(prefix: &str) -> Vec<(String, Json)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .expect("testdata/vectors")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no {prefix}*.json vector files");
    files
        .iter()
        .flat_map(|f| {
            let doc: Json = serde_json::from_str(&std::fs::read_to_string(f).expect("read")).expect("JSON");
            let name = doc["file"].as_str().expect("file").to_owned();
            doc["cases"]
                .as_array()
                .expect("cases")
                .iter()
                .map(|c| (name.clone(), c.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn s<'a>(v: &'a Json, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("{k} missing in {v}"))
}

fn keyring(current: &str, fallbacks: &Json) -> Keyring {
    let key = |t: &str| SecretKey::parse(t).expect("vector key");
    Keyring::new(key(current)).with_fallbacks(
        fallbacks
            .as_array()
            .map(|a| a.iter().map(|f| key(f.as_str().expect("fallback"))).collect::<Vec<_>>())
            .unwrap_or_default(),
    )
}

fn session(v: &Json) -> Map {
    match Value::from(v.clone()) {
        Value::Dict(m) => m,
        other => panic!("expected session is not an object: {other:?}"),
    }
}

fn key_name(id: KeyId) -> String {
    id.to_string()
}

/// Runs `decode` on every case and compares with `expected`; returns the failures.
fn check(
    prefix: &str,
    decode: impl Fn(&Json) -> Result<(Map, Vec<(&'static str, String)>), session_core::SessionError>,
) {
    let mut failures = Vec::new();
    let all = cases(prefix);
    for (file, case) in &all {
        let id = s(case, "id");
        let expected = &case["expected"];
        let got = decode(case);
        let ok = match (s(expected, "result"), &got) {
            ("valid", Ok((data, facts))) => {
                let mut ok = *data == session(&expected["session"]);
                for (k, v) in facts {
                    if let Some(want) = expected.get(*k) {
                        let want = match want {
                            Json::String(t) => t.clone(),
                            Json::Null => "null".to_owned(),
                            other => other.to_string(),
                        };
                        ok &= want == *v;
                    }
                }
                ok
            }
            ("invalid", Err(e)) => e.kind() == s(expected, "error"),
            _ => false,
        };
        if !ok {
            failures.push(format!("{file} {id}: expected {expected}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
    println!("{prefix}*: {} passed, 0 failed", all.len());
}

fn iso(ms: Option<i64>) -> String {
    ms.map_or_else(
        || "null".to_owned(),
        |ms| {
            let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).expect("time");
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                t.millisecond()
            )
        },
    )
}

#[test]
fn rails_cookies_made_by_real_rails() {
    check("rails_", |case| {
        let ours = &case["ours"];
        let digest = RailsDigest::from_name(s(ours, "digest")).expect("digest");
        let mut codec = RailsCodec::new(
            &keyring(s(ours, "secret_key_base"), &ours["fallbacks"]),
            s(ours, "cookie_name"),
            digest,
        );
        if ours["only_configured_digest"] == Json::Bool(true) {
            codec = codec.only_configured_digest();
        }
        let now = case["now"].as_u64().expect("now");
        let d = codec.decode(s(case, "cookie"), now)?;
        let envelope = match d.envelope {
            RailsEnvelope::Message => "message",
            RailsEnvelope::Data => "data",
            RailsEnvelope::None => "none",
        };
        Ok((
            d.data,
            vec![
                ("key", key_name(d.key)),
                ("rewrite", d.needs_rewrite.to_string()),
                ("envelope", envelope.to_owned()),
                ("exp", iso(d.expires_at_ms)),
            ],
        ))
    });
}

#[test]
fn rails_exp_strings_parse_as_rails_writes_them() {
    // The vectors' exp values are Rails' `iso8601(3)`; the time crate reads them as our decoder does.
    for (_, case) in cases("rails_") {
        if let Some(exp) = case["expected"]["exp"].as_str() {
            let t = OffsetDateTime::parse(exp, &Iso8601::DEFAULT).expect("Rails' exp parses");
            assert_eq!(iso(Some((t.unix_timestamp_nanos() / 1_000_000) as i64)), exp);
        }
    }
}

#[test]
fn actix_session_cookies_made_by_real_actix_session() {
    check("actix_session_", |case| {
        let mode = match s(case, "mode") {
            "private" => JarMode::Private,
            "signed" => JarMode::Signed,
            other => panic!("unknown mode {other}"),
        };
        let ours = &case["ours"];
        let codec = CookieJarCodec::new(
            &keyring(s(ours, "key"), &ours["fallbacks"]),
            mode,
            s(ours, "cookie_name"),
        )
        .expect("64-byte keys");
        let d = codec.decode(s(case, "cookie"))?;
        Ok((
            d.data,
            vec![
                ("key", key_name(d.key)),
                ("rewrite", d.needs_rewrite.to_string()),
                ("state", d.state),
            ],
        ))
    });
}
