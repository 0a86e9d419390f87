//! `--format express` against what a real Express app with cookie-session did (testdata/vectors/express_*.json):
//! `verify --cookie-header` on the `Cookie` headers it was sent, `sign --set-cookie` against the `Set-Cookie`
//! it answered.

use std::path::Path;
use std::process::Output;

use serde_json::Value as Json;

mod common;

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("UTF-8")
}

fn cases(file: &str) -> Vec<Json> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/vectors")
        .join(file);
    let doc: Json = serde_json::from_str(&std::fs::read_to_string(path).expect("vectors")).expect("JSON");
    doc["cases"].as_array().expect("cases").clone()
}

fn s<'a>(v: &'a Json, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("{k} in {v}"))
}

/// The binary with the case's keys (`K`, fallbacks `F0`...), cookie name and time, then `args`.
fn run(case: &Json, args: &[&str], stdin: &str) -> Output {
    let ours = &case["ours"];
    let fallbacks: Vec<&str> = ours["fallbacks"]
        .as_array()
        .expect("fallbacks")
        .iter()
        .map(|f| f.as_str().expect("key"))
        .collect();
    let names: Vec<String> = (0..fallbacks.len()).map(|i| format!("F{i}")).collect();
    let mut env = vec![("K", s(ours, "secret_key"))];
    env.extend(names.iter().map(String::as_str).zip(fallbacks));
    let now = case["now"].to_string();
    let mut all = vec![
        "--format",
        "express",
        "--key-env",
        "K",
        "--cookie-name",
        s(ours, "cookie_name"),
    ];
    for n in &names {
        all.extend(["--fallback-key-env", n.as_str()]);
    }
    all.extend(args);
    all.extend(["--now", &now]);
    common::run(&all, &env, stdin)
}

/// Whether the case's application used cookie-session's defaults, which `sign --set-cookie` writes.
fn default_attributes(case: &Json) -> bool {
    let o = &case["ours"];
    o["lifetime_secs"].is_null()
        && o["same_site"].is_null()
        && o["domain"].is_null()
        && o["secure"] == false
        && o["http_only"] == true
        && o["path"] == "/"
}

/// The reads the application made before changing the session: what it saw in the request's cookies.
fn reads_before_writes(case: &Json) -> Vec<&Json> {
    case["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .take_while(|a| matches!(s(a, "op"), "get" | "keys" | "contains" | "dump"))
        .collect()
}

/// `verify --cookie-header` on the request's `Cookie` lines shows the session the application saw: every
/// value it read, every key it listed; where it saw an empty session, verify shows none (exit 1) or `{}`.
#[test]
fn verify_reads_the_cookie_headers_express_was_sent() {
    let mut ran = 0;
    for case in cases("express_scenarios.json")
        .into_iter()
        .chain(cases("express_tamper.json"))
    {
        let id = s(&case, "id");
        let lines: Vec<&str> = case["request_cookies"]
            .as_array()
            .expect("request_cookies")
            .iter()
            .map(|l| l.as_str().expect("line"))
            .collect();
        let reads = reads_before_writes(&case);
        if lines.is_empty() || reads.is_empty() {
            println!("skip {id}: no cookie sent, or nothing read before a change");
            continue;
        }
        let o = run(&case, &["verify", "--cookie-header"], &lines.join("\n"));
        let saw_session = reads.iter().any(|r| match s(r, "op") {
            "get" => !r["expect"].is_null(),
            "keys" => r["expect"].as_array().is_some_and(|k| !k.is_empty()),
            "contains" => r["expect"] == true,
            _ => true,
        });
        if !saw_session {
            let shown = text(&o.stdout);
            assert!(
                o.status.code() == Some(1) || (o.status.code() == Some(0) && shown.trim() == "{}"),
                "{id}: the application saw no session, verify shows {shown:?} ({})",
                text(&o.stderr)
            );
            ran += 1;
            continue;
        }
        assert_eq!(o.status.code(), Some(0), "{id}: {}", text(&o.stderr));
        let shown: Json = serde_json::from_slice(&o.stdout).expect("verify prints JSON");
        for r in reads {
            let expect = &r["expect"];
            match s(r, "op") {
                "get" => assert_eq!(shown.get(s(r, "key")).unwrap_or(&Json::Null), expect, "{id}: get"),
                "contains" => assert_eq!(shown.get(s(r, "key")).is_some(), expect == true, "{id}: contains"),
                "keys" => {
                    let mut keys: Vec<&String> = shown.as_object().expect("object").keys().collect();
                    let mut want: Vec<&str> = expect
                        .as_array()
                        .expect("keys")
                        .iter()
                        .filter_map(Json::as_str)
                        .collect();
                    keys.sort();
                    want.sort_unstable();
                    assert_eq!(keys, want, "{id}: keys");
                }
                _ => {
                    let dump: Json = serde_json::from_str(expect.as_str().expect("dump")).expect("JSON");
                    assert_eq!(shown, dump, "{id}: dump");
                }
            }
        }
        ran += 1;
    }
    assert!(ran >= 40, "only {ran} cases ran");
}

/// `sign --set-cookie` of the session a new visitor's request wrote answers what Express answered: the same
/// `session` and `session.sig` pairs where the keys were written in code-point order (cookie-session keeps the
/// order the application set them in), else cookies that verify to the same session; cookie-session's default
/// attributes (`path=/; httponly`).
#[test]
fn sign_set_cookie_answers_what_express_sent() {
    let mut ran = 0;
    for case in cases("express_scenarios.json") {
        let id = s(&case, "id");
        let writes_only = case["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .all(|a| matches!(s(a, "op"), "set" | "dump" | "keys"));
        let sent = case["expected"]["set_cookie"].as_array().expect("set_cookie");
        let framework = case["framework"]["set_cookie"].as_array().expect("set_cookie");
        if !case["request_cookies"].as_array().is_some_and(Vec::is_empty)
            || !writes_only
            || !default_attributes(&case)
            || framework.len() != 2
        {
            println!("skip {id}: not a new session written with the default attributes");
            continue;
        }
        let session = s(&framework[0], "json");
        let o = run(&case, &["sign", "--set-cookie"], session);
        if sent.is_empty() {
            // Too large to send: refused, nothing printed.
            assert_eq!(o.status.code(), Some(2), "{id}: {}", text(&o.stderr));
            assert_eq!(text(&o.stdout), "", "{id}");
            ran += 1;
            continue;
        }
        assert_eq!(o.status.code(), Some(0), "{id}: {}", text(&o.stderr));
        let ours: Vec<String> = text(&o.stdout).lines().map(str::to_owned).collect();
        assert_eq!(ours.len(), sent.len(), "{id}: {ours:?}");
        let pairs: Vec<&str> = ours
            .iter()
            .map(|l| {
                l.strip_suffix("; path=/; httponly")
                    .unwrap_or_else(|| panic!("{id}: {l}"))
            })
            .collect();
        let theirs: Vec<String> = sent
            .iter()
            .map(|c| format!("{}={}", s(c, "name"), s(c, "value")))
            .collect();
        if pairs != theirs {
            // Another key order: both verify to the same session.
            let verify = |header: &str| text(&run(&case, &["verify", "--cookie-header"], header).stdout);
            assert_eq!(verify(&pairs.join("; ")), verify(&theirs.join("; ")), "{id}");
            println!("{id}: keys in another order than Express wrote them; same session");
        }
        ran += 1;
    }
    assert!(ran >= 5, "only {ran} cases ran");
}
