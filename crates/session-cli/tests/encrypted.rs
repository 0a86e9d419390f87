//! `session-cookie --format rails|actix-private|actix-signed` against the cookies real Rails and real
//! actix-session made (testdata/vectors/rails_*.json, actix_session_*.json).

use std::path::Path;
use std::process::Output;

use serde_json::Value as Json;

mod common;

/// The binary with `key` as `SESSION_SECRET_KEY`.
fn run(args: &[&str], key: &str, stdin: &str) -> Output {
    common::run(args, &[("SESSION_SECRET_KEY", key)], stdin)
}

fn cases(file: &str) -> Vec<Json> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/vectors")
        .join(file);
    let doc: Json = serde_json::from_str(&std::fs::read_to_string(path).expect("vectors")).expect("JSON");
    doc["cases"].as_array().expect("cases").clone()
}

fn s<'a>(v: &'a Json, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("{k}"))
}

/// Every Rails case whose settings the CLI can express (one key, the digest, the name) verifies as Rails read it,
/// or is refused with the expected kind and exit code 1.
#[test]
fn rails_vectors_verify_as_real_rails_read_them() {
    let mut checked = 0;
    for file in ["rails_known_answers.json", "rails_tamper.json"] {
        for case in cases(file) {
            let ours = &case["ours"];
            if !ours["fallbacks"].as_array().is_none_or(Vec::is_empty) || ours["only_configured_digest"] == true {
                continue;
            }
            let now = case["now"].as_u64().expect("now").to_string();
            let args = [
                "--format",
                "rails",
                "--digest",
                s(ours, "digest"),
                "--cookie-name",
                s(ours, "cookie_name"),
                "verify",
                "--now",
                &now,
                "-",
            ];
            let out = run(&args, s(ours, "secret_key_base"), s(&case, "cookie"));
            let expected = &case["expected"];
            let id = s(&case, "id");
            if s(expected, "result") == "valid" {
                assert!(out.status.success(), "{id}: {}", String::from_utf8_lossy(&out.stderr));
                let printed: Json = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
                assert_eq!(printed, expected["session"], "{id}");
            } else {
                assert_eq!(out.status.code(), Some(1), "{id}");
                let err = String::from_utf8_lossy(&out.stderr);
                let kind = s(expected, "error").replace('_', "-");
                assert!(err.starts_with(&format!("error: {kind}:")), "{id}: {err}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} Rails cases ran");
}

#[test]
fn actix_session_vectors_verify_as_real_actix_session_read_them() {
    for case in cases("actix_session_known_answers.json") {
        let ours = &case["ours"];
        if !ours["fallbacks"].as_array().is_none_or(Vec::is_empty) {
            continue;
        }
        let format = format!("actix-{}", s(&case, "mode"));
        let args = [
            "--format",
            &format,
            "--cookie-name",
            s(ours, "cookie_name"),
            "verify",
            "-",
        ];
        let out = run(&args, s(ours, "key"), s(&case, "cookie"));
        let id = s(&case, "id");
        assert!(out.status.success(), "{id}: {}", String::from_utf8_lossy(&out.stderr));
        // Printed as the application sees it (not actix-session's state, where each value is a JSON text).
        let printed: Json = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(printed, case["expected"]["session"], "{id}");
    }
}

#[test]
fn sign_then_verify_and_decode_needs_the_key() {
    let rails_key = "a-rails-secret-key-base-for-the-cli-test";
    let signed = run(
        &["--format", "rails", "sign"],
        rails_key,
        r#"{"user_id":42,"name":"Zoë"}"#,
    );
    assert!(signed.status.success(), "{}", String::from_utf8_lossy(&signed.stderr));
    let cookie = String::from_utf8(signed.stdout).expect("UTF-8");
    let verified = run(&["--format", "rails", "verify", "-"], rails_key, &cookie);
    assert_eq!(
        String::from_utf8_lossy(&verified.stdout).trim(),
        r#"{"name":"Zoë","user_id":42}"#
    );
    let other = run(
        &["--format", "rails", "--cookie-name", "x", "verify", "-"],
        rails_key,
        &cookie,
    );
    assert_eq!(other.status.code(), Some(1));
    let decode = run(&["--format", "rails", "decode", "-"], rails_key, &cookie);
    assert_eq!(decode.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&decode.stderr).contains("needs the key"));

    let jar_key = format!("hex:{}", "ab".repeat(64));
    let signed = run(&["--format", "actix-signed", "sign"], &jar_key, r#"{"user_id":42}"#);
    let cookie = String::from_utf8(signed.stdout).expect("UTF-8");
    assert!(
        cookie.trim_end().ends_with("%7B%22user_id%22%3A%2242%22%7D"),
        "{cookie}"
    );
    let decoded = run(&["--format", "actix-signed", "decode", "-"], &jar_key, &cookie);
    // The session the application sees, as verify prints it (not the state's JSON texts).
    assert!(String::from_utf8_lossy(&decoded.stdout).starts_with(r#"{"payload":{"user_id":42}"#));
    let short = run(
        &["--format", "actix-private", "verify", "x"],
        "a-key-of-twenty-bytes",
        "",
    );
    assert_eq!(short.status.code(), Some(2));
}
