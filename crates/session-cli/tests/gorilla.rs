//! `--format gorilla` against real gorilla/sessions (testdata/vectors/gorilla_*.json): `verify --cookie-header`
//! shows the session a Go app stored (block key from `--encryption-key-env`), refuses what gorilla refuses, and
//! `sign` writes gorilla's very cookie for a one-key session (a known answer).

use std::path::Path;
use std::process::Output;

use serde_json::Value as Json;

mod common;

fn case(file: &str, id: &str) -> Json {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/vectors")
        .join(file);
    let doc: Json = serde_json::from_str(&std::fs::read_to_string(path).expect("vectors")).expect("JSON");
    doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no case {id}"))
        .clone()
}

/// The binary with the case's hash key (`K`), block key (`B`, when the case has one), cookie name and time.
fn run(case: &Json, args: &[&str], stdin: &str) -> Output {
    let ours = &case["ours"];
    let mut env = vec![("K", ours["secret_key"].as_str().expect("key"))];
    let now = case["now"].to_string();
    let mut all = vec![
        "--format",
        "gorilla",
        "--key-env",
        "K",
        "--cookie-name",
        ours["cookie_name"].as_str().expect("name"),
    ];
    if let Some(block) = ours["encryption_keys"][0].as_str() {
        env.push(("B", block));
        all.extend(["--encryption-key-env", "B"]);
    }
    all.extend(args);
    all.extend(["--now", &now]);
    common::run(&all, &env, stdin)
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("UTF-8")
}

#[test]
fn verify_shows_what_gorilla_stored() {
    for (id, session) in [
        ("gorilla-known-plain", r#"{"user":"alice"}"#),
        ("gorilla-known-int64", r#"{"n":5}"#),
        ("gorilla-encrypted", r#"{"user":"alice"}"#),
    ] {
        let c = case("gorilla_scenarios.json", id);
        let header = c["request_cookies"][0].as_str().expect("cookie");
        let o = run(&c, &["verify", "--cookie-header"], header);
        assert!(o.status.success(), "{id}: {}", text(&o.stderr));
        assert_eq!(text(&o.stdout).trim(), session, "{id}");
    }
}

#[test]
fn verify_refuses_what_gorilla_refuses() {
    for id in [
        "gorilla-tamper-value",
        "gorilla-wrong-key",
        "gorilla-wrong-cookie-name",
        "gorilla-expired",
    ] {
        let c = case("gorilla_tamper.json", id);
        let header = c["request_cookies"][0].as_str().expect("cookie");
        let o = run(&c, &["verify", "--cookie-header"], header);
        assert!(!o.status.success(), "{id} was accepted: {}", text(&o.stdout));
    }
    // Without the block key an encrypted cookie does not open.
    let mut c = case("gorilla_scenarios.json", "gorilla-encrypted");
    c["ours"]["encryption_keys"] = Json::Null;
    let o = run(
        &c,
        &["verify", "--cookie-header"],
        c["request_cookies"][0].as_str().expect("cookie"),
    );
    assert!(!o.status.success());
}

#[test]
fn sign_writes_gorillas_cookie() {
    let c = case("gorilla_scenarios.json", "gorilla-known-plain");
    let o = run(&c, &["sign"], r#"{"user":"alice"}"#);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout).trim(),
        c["known_answer"]["cookie"].as_str().expect("cookie")
    );
}
