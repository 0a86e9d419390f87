//! `--format gorilla` against real gorilla/sessions (testdata/vectors/gorilla_*.json): `verify --cookie-header`
//! shows the session a Go app stored (block key from `--encryption-key-env`), refuses what gorilla refuses, and
//! `sign` writes gorilla's very cookie for a one-key session (a known answer); `keygen`, `doctor` and
//! `doctor --set-cookie` speak of gorilla's own keys, signature and `sessions.Options`.

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

/// `keygen --format gorilla`: raw bytes (Go takes `[]byte` keys), 32 of them, and where the hash and block keys go.
#[test]
fn keygen_says_how_gorilla_takes_its_keys() {
    let o = common::run(&["--format", "gorilla", "keygen"], &[], "");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let key = text(&o.stdout);
    let digits = key.trim_end().strip_prefix("hex:").expect("a hex: key");
    assert_eq!(digits.len(), 64, "{key}");
    let note = text(&o.stderr);
    assert!(
        note.contains("takes raw bytes") && note.contains("NewCookieStore(hashKey, blockKey)"),
        "{note}"
    );
    assert!(
        note.contains("32 or 64 bytes") && note.contains("16, 24 or 32"),
        "{note}"
    );
}

/// `doctor` on a real gorilla cookie names securecookie's scheme, not a salt and digest gorilla has none of.
#[test]
fn doctor_describes_gorillas_signature() {
    let c = case("gorilla_scenarios.json", "gorilla-known-plain");
    let cookie = c["known_answer"]["cookie"].as_str().expect("cookie");
    let o = run(&c, &["doctor", cookie], "");
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", text(&o.stderr));
    assert!(out.contains("verified: format gorilla"), "{out}");
    assert!(out.contains("signer: securecookie: HMAC-SHA256"), "{out}");
    assert!(!out.contains("salt"), "{out}");
}

/// `doctor --set-cookie` with a real gorilla line and a real Flask one: each difference names gorilla's setting.
#[test]
fn doctor_set_cookie_names_gorillas_options() {
    let c = case("gorilla_scenarios.json", "gorilla-new-session");
    let sent = &c["framework"]["set_cookie"][0];
    let attrs = &sent["attributes"];
    let gorilla = format!(
        "Set-Cookie: {}={}; Path={}; Expires={}; Max-Age={}\n",
        sent["name"].as_str().expect("name"),
        sent["value"].as_str().expect("value"),
        attrs["Path"].as_str().expect("Path"),
        attrs["Expires"].as_str().expect("Expires"),
        attrs["Max-Age"].as_str().expect("Max-Age"),
    );
    let flask = case("flask_scenarios.json", "scn-modify");
    let flask = format!(
        "Set-Cookie: {}\n",
        flask["flask"]["set_cookie"][0]["raw"].as_str().expect("raw")
    );
    let dir = std::env::temp_dir().join(format!("gorilla-doctor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (a, b) = (dir.join("gorilla.txt"), dir.join("flask.txt"));
    std::fs::write(&a, gorilla).expect("write");
    std::fs::write(&b, flask).expect("write");
    let now = c["now"].to_string();
    let (a, b) = (a.to_string_lossy(), b.to_string_lossy());
    let o = common::run(
        &["doctor", "--now", &now, "--set-cookie", &a, "--set-cookie", &b],
        &[],
        "",
    );
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", text(&o.stderr));
    assert!(out.contains("shape of gorilla"), "{out}");
    assert!(out.contains("gorilla: store.Get(r, \"<session name>\")"), "{out}");
    assert!(out.contains("gorilla: sessions.Options{MaxAge}"), "{out}");
}
