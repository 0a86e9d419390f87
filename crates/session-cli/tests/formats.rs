//! `--format starlette|django`: the binary against the vectors the real frameworks made.

use std::path::Path;

use serde_json::Value as Json;

mod common;

use common::run;

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("UTF-8")
}

fn cases(file: &str) -> Vec<Json> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/vectors")
        .join(file);
    let doc: Json = serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON");
    doc["cases"].as_array().expect("cases").clone()
}

/// `sign` reproduces the framework's cookie from the exact JSON inside it (uncompressed ones: zlib may pick
/// other bytes); `verify` gives the framework's outcome, with the format's default max age unless the case
/// sets another; the session it prints is the expected one.
fn check(format: &str, file: &str) {
    let mut ran = 0;
    for case in cases(file) {
        let id = case["id"].as_str().expect("id");
        let keys = &case["keys"];
        let current = keys["secret_key"].as_str().expect("key");
        let fallbacks: Vec<&str> = keys["fallbacks"]
            .as_array()
            .expect("fallbacks")
            .iter()
            .map(|f| f.as_str().expect("key"))
            .collect();
        let digest = case["signer"]["digest"].as_str();
        let mut global = vec!["--format", format, "--key-env", "K"];
        if let Some(d) = digest {
            global.extend(["--digest", d]);
        }
        let sign = &case["sign"];
        if !sign.is_null() && sign["compressed"] == false {
            let key = match sign["key"].as_str().expect("key id").strip_prefix("fallback:") {
                Some(i) => fallbacks[i.parse::<usize>().expect("index")],
                None => current,
            };
            let ts = sign["timestamp"].to_string();
            let mut args = global.clone();
            args.extend(["sign", "--timestamp", &ts]);
            let o = run(&args, &[("K", key)], sign["json"].as_str().expect("json"));
            assert_eq!(o.status.code(), Some(0), "{id}: {}", text(&o.stderr));
            assert_eq!(
                text(&o.stdout).trim_end(),
                case["cookie"].as_str().expect("cookie"),
                "{id}: sign"
            );
        }
        let mut env = vec![("K", current)];
        let names: Vec<String> = (0..fallbacks.len()).map(|i| format!("F{i}")).collect();
        env.extend(names.iter().map(String::as_str).zip(fallbacks.iter().copied()));
        let mut args = global.clone();
        for n in &names {
            args.extend(["--fallback-key-env", n.as_str()]);
        }
        let now = case["now"].to_string();
        let max_age = case["max_age"].to_string();
        args.extend(["verify", "--now", &now]);
        if case["max_age"].as_u64() != Some(1_209_600) {
            args.extend(["--max-age", &max_age]);
        }
        args.extend(["--", case["cookie"].as_str().expect("cookie")]);
        let o = run(&args, &env, "");
        let expected = &case["expected"];
        if expected["result"] == "valid" {
            assert_eq!(o.status.code(), Some(0), "{id}: {}", text(&o.stderr));
            let got: Json = serde_json::from_str(&text(&o.stdout)).expect("verify prints JSON");
            let want: Json = serde_json::from_str(expected["json"].as_str().expect("json")).expect("JSON");
            assert_eq!(got, want, "{id}: verify");
        } else {
            assert_eq!(o.status.code(), Some(1), "{id}: {}", text(&o.stderr));
            let kind = expected["error"].as_str().expect("error").replace('_', "-");
            assert!(
                text(&o.stderr)
                    .lines()
                    .rfind(|l| !l.starts_with("hint: "))
                    .is_some_and(|l| l.starts_with(&format!("error: {kind}: "))),
                "{id}: expected {kind}: {}",
                text(&o.stderr)
            );
        }
        ran += 1;
    }
    assert!(ran > 10, "{file}: only {ran} cases");
}

#[test]
fn starlette_vectors() {
    check("starlette", "starlette_known_answers.json");
    check("starlette", "starlette_tamper.json");
}

#[test]
fn django_vectors() {
    check("django", "django_known_answers.json");
    check("django", "django_tamper.json");
}

#[test]
fn sign_keeps_the_order_of_stdin_and_prints_as_the_framework_stores_it() {
    let env = [("K", "0123456789abcdef")];
    let input = r#"{"z": 1, "a": [true, null, "é"]}"#;
    let o = run(
        &[
            "--format",
            "starlette",
            "--key-env",
            "K",
            "sign",
            "--timestamp",
            "1700000000",
        ],
        &env,
        input,
    );
    let cookie = text(&o.stdout);
    // base64 of json.dumps({"z": 1, "a": [True, None, "é"]}), key order kept.
    assert!(
        cookie.starts_with("eyJ6IjogMSwgImEiOiBbdHJ1ZSwgbnVsbCwgIlx1MDBlOSJdfQ==.ZVPxAA."),
        "{cookie}"
    );
    let o = run(
        &[
            "--format",
            "starlette",
            "--key-env",
            "K",
            "verify",
            "--now",
            "1700000000",
            "--",
            cookie.trim(),
        ],
        &env,
        "",
    );
    assert_eq!(text(&o.stdout), "{\"a\": [true, null, \"\\u00e9\"], \"z\": 1}\n");
    let o = run(&["--format", "django", "decode", "--", "e30:1r31eq:x"], &[], "");
    assert_eq!(
        text(&o.stdout),
        "{\"payload\":{},\"timestamp\":1700000000,\"issued_at\":\"2023-11-14T22:13:20Z\",\"compressed\":false,\"verified\":false}\n"
    );
    let o = run(&["--format", "django", "--key-env", "K", "sign"], &env, "[1]");
    assert_eq!(o.status.code(), Some(2));
}
