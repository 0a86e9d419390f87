//! `session-cookie doctor` against the cookies the real frameworks made (testdata/vectors): every refusal
//! vector of every format gets the reason that matches how it is refused, and one test per reason shows the
//! reason doctor proves for a real framework's cookie.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failure is the test's failure"
)]

use std::path::Path;
use std::process::Output;

use serde_json::Value as Json;
use session_core::{Format, SecretKey, SessionConfig};

mod common;

fn doc(file: &str) -> Json {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/vectors")
        .join(file);
    serde_json::from_str(&std::fs::read_to_string(path).expect("vectors")).expect("JSON")
}

fn vector_files() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/vectors");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .expect("vectors dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    files
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A doctor run: the keys (current first) as K, F0, F1 ..., `global` options before the subcommand, `args`
/// after it.
fn doctor(keys: &[&str], global: &[&str], args: &[&str], stdin: &str) -> Output {
    let names: Vec<String> = (0..keys.len())
        .map(|i| if i == 0 { "K".to_owned() } else { format!("F{}", i - 1) })
        .collect();
    let mut all: Vec<&str> = global.to_vec();
    if !keys.is_empty() {
        all.extend(["--key-env", "K"]);
    }
    for n in names.iter().skip(1) {
        all.extend(["--fallback-key-env", n.as_str()]);
    }
    all.push("doctor");
    all.extend(args);
    let env: Vec<(&str, &str)> = names.iter().map(String::as_str).zip(keys.iter().copied()).collect();
    common::run(&all, &env, stdin)
}

/// The `reason: <name>` lines of a run.
fn reasons(out: &Output) -> Vec<String> {
    text(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("reason: "))
        .map(str::to_owned)
        .collect()
}

/// The first reason, checked to come with exit code 1.
fn reason(out: &Output, id: &str) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "{id}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    reasons(out).into_iter().next().unwrap_or_default()
}

/// The reason doctor gives for a refusal of this error kind, unless it proves something more specific.
fn reason_for(kind: &str) -> &'static str {
    match kind {
        "malformed" => "malformed",
        "bad_signature" => "bad-signature",
        "bad_payload" => "bad-payload",
        "expired" => "expired",
        "wrong_purpose" => "wrong-purpose",
        other => panic!("no reason for the error kind {other}"),
    }
}

/// Refusal vectors for which doctor proves a more specific reason than the error kind, each with why.
const MORE_SPECIFIC: &[(&str, &str)] = &[
    // Signed with `signing.dumps`' own salt, not the session backend's.
    ("dj-tamper-wrong-salt", "other-signer"),
    // A Laravel cookie sealed with AES-256-GCM read by a service set to CBC: it opens as laravel-gcm.
    ("lv-wrong-cipher", "other-format"),
];

/// One refusal vector: the format, its keys, options and cookie, and the reason expected.
struct Refusal {
    id: String,
    format: Format,
    keys: Vec<String>,
    global: Vec<String>,
    args: Vec<String>,
    stdin: String,
    kind: String,
}

impl Refusal {
    fn check(&self) -> String {
        let keys: Vec<&str> = self.keys.iter().map(String::as_str).collect();
        let mut global: Vec<&str> = vec!["--format", self.format.name()];
        global.extend(self.global.iter().map(String::as_str));
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let out = doctor(&keys, &global, &args, &self.stdin);
        let got = reason(&out, &self.id);
        let want = MORE_SPECIFIC
            .iter()
            .find(|(id, _)| *id == self.id)
            .map_or_else(|| reason_for(&self.kind), |(_, r)| *r);
        assert_eq!(got, want, "{}: {}", self.id, text(&out.stdout));
        got
    }
}

/// The refusal vectors of the itsdangerous-style files (`kind: wire`): Flask, Starlette, Django.
fn wire_refusals(file: &str, format: Format, out: &mut Vec<Refusal>) {
    for case in doc(file)["cases"].as_array().expect("cases") {
        if case["kind"] != "wire" || case["expected"]["result"] != "invalid" {
            continue;
        }
        let id = case["id"].as_str().expect("id").to_owned();
        let signer = &case["signer"];
        let defaults = format.defaults().signer;
        if signer["salt"].as_str().is_some_and(|s| s != defaults.salt)
            || signer["key_derivation"]
                .as_str()
                .is_some_and(|k| k != "hmac" || format != Format::Flask)
        {
            println!("skipped {id}: a salt or key derivation the CLI has no option for");
            continue;
        }
        let mut keys = vec![case["keys"]["secret_key"].as_str().expect("key").to_owned()];
        keys.extend(
            case["keys"]["fallbacks"]
                .as_array()
                .expect("fallbacks")
                .iter()
                .map(|f| f.as_str().expect("key").to_owned()),
        );
        let mut global = Vec::new();
        if let Some(d) = signer["digest"].as_str() {
            global.extend(["--digest".to_owned(), d.to_owned()]);
        }
        let mut args = vec!["--now".to_owned(), case["now"].to_string()];
        if case["max_age"].as_u64() != Some(format.defaults().lifetime) {
            args.extend(["--max-age".to_owned(), case["max_age"].to_string()]);
        }
        args.extend(["--".to_owned(), case["cookie"].as_str().expect("cookie").to_owned()]);
        out.push(Refusal {
            id,
            format,
            keys,
            global,
            args,
            stdin: String::new(),
            kind: case["expected"]["error"].as_str().expect("error").to_owned(),
        });
    }
}

/// The refusal vectors of the Rails and actix-session files (their own schema).
fn encrypted_refusals(file: &str, format: Format, out: &mut Vec<Refusal>) {
    for case in doc(file)["cases"].as_array().expect("cases") {
        if case["expected"]["result"] != "invalid" {
            continue;
        }
        let id = case["id"].as_str().expect("id").to_owned();
        let ours = &case["ours"];
        if ours["only_configured_digest"] == true {
            println!("skipped {id}: only_configured_digest is a codec setting the CLI has no option for");
            continue;
        }
        let format = match (format, case["mode"].as_str()) {
            (Format::Rails, _) => Format::Rails,
            (_, Some("signed")) => Format::ActixSigned,
            (other, _) => other,
        };
        let key = ours["secret_key_base"].as_str().or(ours["key"].as_str()).expect("key");
        let mut keys = vec![key.to_owned()];
        keys.extend(
            ours["fallbacks"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| f.as_str().expect("key").to_owned()),
        );
        let mut global = vec![
            "--cookie-name".to_owned(),
            ours["cookie_name"].as_str().expect("name").to_owned(),
        ];
        if let Some(d) = ours["digest"].as_str() {
            global.extend(["--digest".to_owned(), d.to_owned()]);
        }
        let now = case["now"].as_u64().unwrap_or(1_700_000_000).to_string();
        out.push(Refusal {
            id,
            format,
            keys,
            global,
            args: vec![
                "--now".to_owned(),
                now,
                "--".to_owned(),
                case["cookie"].as_str().expect("cookie").to_owned(),
            ],
            stdin: String::new(),
            kind: case["expected"]["error"].as_str().expect("error").to_owned(),
        });
    }
}

/// The scenario files' requests whose session cookies the framework refused (the session it saw was empty
/// though the request carried the cookie): the kind is the one our runtime refuses it with, which the
/// conformance suite checks against the framework's outcome.
fn scenario_refusals(file: &str, format: Format, out: &mut Vec<Refusal>) {
    for case in doc(file)["cases"].as_array().expect("cases") {
        // Scenario files' requests, and the files whose cases are whole `Cookie` headers (Laravel's).
        let header = case["cookie_header"].as_str();
        if case["kind"] != "scenario" && header.is_none() {
            continue;
        }
        let Some(ours) = case["ours"].as_object() else { continue };
        // A case may name a sibling format of its file's (Laravel's GCM cipher).
        let format = ours
            .get("format")
            .and_then(Json::as_str)
            .map_or(format, |name| Format::from_name(name).expect("registered format"));
        let lines: Vec<String> = match header {
            Some(line) => vec![line.to_owned()],
            None => case["request_cookies"]
                .as_array()
                .expect("request_cookies")
                .iter()
                .map(|l| l.as_str().expect("line").to_owned())
                .collect(),
        };
        if lines.is_empty() {
            continue;
        }
        let mut keys = vec![ours["secret_key"].as_str().expect("key").to_owned()];
        keys.extend(
            ours["fallbacks"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| f.as_str().expect("key").to_owned()),
        );
        let name = ours["cookie_name"].as_str().expect("name");
        let mut builder = SessionConfig::builder()
            .format(format)
            .secret_key(SecretKey::parse_insecure_short(&keys[0]).expect("key"))
            .fallbacks(
                keys[1..]
                    .iter()
                    .map(|k| SecretKey::parse_insecure_short(k).expect("key"))
                    .collect(),
            )
            .cookie_name(name)
            .secure(ours.get("secure") == Some(&Json::Bool(true)));
        if let Some(secs) = ours.get("lifetime_secs").and_then(Json::as_u64) {
            builder = builder.lifetime_secs(secs);
        }
        let config = builder.build().expect("config");
        let claimed = config.codec().claim(&lines);
        if !claimed.has_value() {
            continue;
        }
        let now = case["now"].as_u64().expect("now");
        let max_age = format.carries_timestamp().then(|| config.lifetime_secs());
        let Err(e) = config.codec().decode_claimed(&claimed, now, max_age) else {
            continue;
        };
        let id = case["id"].as_str().expect("id").to_owned();
        let mut args = vec!["--now".to_owned(), now.to_string(), "--cookie-header".to_owned()];
        if let Some(secs) = ours.get("lifetime_secs").and_then(Json::as_u64)
            && format.carries_timestamp()
        {
            args.extend(["--max-age".to_owned(), secs.to_string()]);
        }
        out.push(Refusal {
            id,
            format,
            keys,
            global: vec!["--cookie-name".to_owned(), name.to_owned()],
            args,
            stdin: lines.join("\n"),
            kind: e.kind().as_str().to_owned(),
        });
    }
}

/// Every refusal vector of every registered format's files gets its reason.
#[test]
fn every_refusal_vector_gets_its_reason() {
    let mut all = Vec::new();
    for file in vector_files() {
        let d = doc(&file);
        let format = Format::from_name(d["format"].as_str().expect("format")).expect("registered format");
        let cases = d["cases"].as_array().expect("cases");
        if cases.iter().all(|c| c.get("kind").is_none()) {
            encrypted_refusals(&file, format, &mut all);
            scenario_refusals(&file, format, &mut all);
        } else {
            wire_refusals(&file, format, &mut all);
            scenario_refusals(&file, format, &mut all);
        }
    }
    let mut seen: Vec<(Format, String)> = Vec::new();
    for r in &all {
        let got = r.check();
        if !seen.contains(&(r.format, got.clone())) {
            seen.push((r.format, got));
        }
    }
    println!("{} refusal vectors; reasons by format: {seen:?}", all.len());
    // Every format with vectors had its refusals checked.
    for format in [
        Format::Flask,
        Format::Starlette,
        Format::Django,
        Format::Rails,
        Format::ActixPrivate,
        Format::Express,
        Format::IronSession,
        Format::AuthJs,
        Format::NextAuthV4,
        Format::Gorilla,
        Format::Laravel,
    ] {
        assert!(all.iter().any(|r| r.format == format), "no refusal vector of {format}");
    }
}

/// A case of a vector file by id.
fn case(file: &str, id: &str) -> Json {
    doc(file)["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("{file}: no case {id}"))
        .clone()
}

fn cookie(c: &Json) -> String {
    c["cookie"].as_str().expect("cookie").to_owned()
}

const NOW: &str = "1700000000";

#[test]
fn verified_names_format_key_signer_and_session() {
    let c = case("flask_known_answers.json", "ka-fallback-two-first");
    let out = doctor(
        &["key-current", "key-oldest", "key-newer"],
        &[],
        &["--now", NOW, "--", &cookie(&c)],
        "",
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("verified: format flask, cookie name \"session\""),
        "{stdout}"
    );
    assert!(stdout.contains("key: fallback 0 (F0)"), "{stdout}");
    assert!(
        stdout.contains("signer: salt \"cookie-session\", digest sha1, key derivation hmac"),
        "{stdout}"
    );
    assert!(stdout.contains("session: {"), "{stdout}");
}

#[test]
fn without_keys_only_the_shape() {
    let c = case("starlette_known_answers.json", "st-ka-plain");
    let out = doctor(&[], &[], &["--", &cookie(&c)], "");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("shape: ") && l.contains("starlette")),
        "{stdout}"
    );
    assert!(stdout.contains("keys: none given"), "{stdout}");
}

#[test]
fn a_flask_cookie_checked_as_starlette_is_other_format() {
    let c = case("flask_known_answers.json", "ka-plain-ascii");
    let out = doctor(
        &["secret-key-1"],
        &["--format", "starlette"],
        &["--now", NOW, "--", &cookie(&c)],
        "",
    );
    assert_eq!(reason(&out, "other-format"), "other-format");
    assert!(
        text(&out.stdout).contains("pass --format flask"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn name_prefix_is_read_as_the_cookie_name() {
    let c = case("flask_known_answers.json", "ka-plain-ascii");
    let value = format!("session={}", cookie(&c));
    let out = doctor(
        &["secret-key-1"],
        &["--format", "flask"],
        &["--now", NOW, "--", &value],
        "",
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("note: the value starts with the cookie's name (session=)"),
        "{stdout}"
    );
}

#[test]
fn another_salt_is_other_signer() {
    let c = case("django_tamper.json", "dj-tamper-wrong-salt");
    let out = doctor(
        &["secret-key-1"],
        &["--format", "django"],
        &["--now", NOW, "--", &cookie(&c)],
        "",
    );
    assert_eq!(reason(&out, "wrong salt"), "other-signer");
    assert!(
        text(&out.stdout)
            .contains("salt \"django.core.signing\" instead of \"django.contrib.sessions.backends.signed_cookies\""),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn another_digest_is_other_signer() {
    let c = case("flask_known_answers.json", "ka-digest-sha256");
    let out = doctor(
        &["secret-key-1"],
        &["--format", "flask"],
        &["--now", NOW, "--", &cookie(&c)],
        "",
    );
    assert_eq!(reason(&out, "sha256"), "other-signer");
    assert!(
        text(&out.stdout).contains("digest sha256 instead of sha1 (--digest sha256)"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_hex_prefixed_key_that_starlette_uses_as_text_is_key_form() {
    // Starlette signed with the 64 hex digits as text; the key given here is those digits decoded.
    let c = case("starlette_known_answers.json", "st-ka-raw-key");
    let digits = c["keys"]["secret_key"].as_str().expect("key");
    let key = format!("hex:{digits}");
    let out = doctor(
        &[&key],
        &["--format", "starlette"],
        &["--now", NOW, "--", &cookie(&c)],
        "",
    );
    assert_eq!(reason(&out, "key form"), "key-form");
    assert!(
        text(&out.stdout).contains("without the hex:/base64: prefix"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_hex_key_given_as_text_is_key_form() {
    // actix-session's 64-byte key, given as its 128 hex digits without `hex:`.
    let c = case("actix_session_known_answers.json", "actix-private-basic");
    let digits = c["ours"]["key"]
        .as_str()
        .expect("key")
        .strip_prefix("hex:")
        .expect("hex key");
    let out = doctor(
        &[digits],
        &["--format", "actix-private"],
        &["--now", NOW, "--", &cookie(&c)],
        "",
    );
    assert_eq!(reason(&out, "hex as text"), "key-form");
    assert!(
        text(&out.stdout).contains("prefix it with hex:"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn an_old_cookie_is_expired_at_a_time_by_seconds() {
    let c = case("flask_known_answers.json", "ka-expiry-age-max-plus-1");
    let out = doctor(
        &["secret-key-1"],
        &["--format", "flask"],
        &["--now", &c["now"].to_string(), "--", &cookie(&c)],
        "",
    );
    assert_eq!(reason(&out, "expired"), "expired");
    assert!(text(&out.stdout).contains("by 1 s"), "{}", text(&out.stdout));
}

#[test]
fn a_rails_cookie_for_another_name_is_wrong_purpose() {
    let file = "rails_tamper.json";
    let c = doc(file)["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["expected"]["error"] == "wrong_purpose")
        .expect("a wrong_purpose vector")
        .clone();
    let ours = &c["ours"];
    let out = doctor(
        &[ours["secret_key_base"].as_str().expect("key")],
        &[
            "--format",
            "rails",
            "--digest",
            ours["digest"].as_str().expect("digest"),
            "--cookie-name",
            ours["cookie_name"].as_str().expect("name"),
        ],
        &["--now", NOW, "--", &cookie(&c)],
        "",
    );
    assert_eq!(reason(&out, "purpose"), "wrong-purpose");
    assert!(
        text(&out.stdout).contains("pass --cookie-name"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn another_key_is_bad_signature() {
    let c = case("tamper.json", "tm-wrong-key");
    let out = doctor(
        &["secret-key-2", "secret-key-3"],
        &["--format", "flask"],
        &["--now", NOW, "--", &cookie(&c)],
        "",
    );
    assert_eq!(reason(&out, "bad signature"), "bad-signature");
}

#[test]
fn no_registered_shape_is_malformed() {
    let out = doctor(&["secret-key-1"], &[], &["--now", NOW, "--", "not a cookie at all"], "");
    assert_eq!(reason(&out, "malformed"), "malformed");
    assert!(
        text(&out.stdout).contains("shape: none of the registered formats"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_value_over_4096_bytes_is_too_large() {
    // A real Flask cookie of a large session, signed again by real Flask is not needed: the size is the point.
    let c = case("flask_known_answers.json", "ka-plain-ascii");
    let padded = format!("{}{}", cookie(&c), "A".repeat(4096));
    let out = doctor(&[], &["--format", "flask"], &["--", &padded], "");
    assert!(reasons(&out).contains(&"too-large".to_owned()), "{}", text(&out.stdout));
    let over = "session".len() + 1 + padded.len() - 4096;
    assert!(
        text(&out.stdout).contains(&format!("{over} bytes over the 4096")),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_well_known_key_is_weak_key() {
    // Express' cookie-session cookies of the vectors are signed with their own test keys; Flask's known answer
    // for the one-byte key "k" is not on the list: add it from a file.
    let c = case("flask_known_answers.json", "ka-key-short");
    let dir = std::env::temp_dir().join(format!("doctor-weak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("keys.txt");
    std::fs::write(&file, "# ours\nk\n").expect("write");
    let path = file.to_string_lossy().into_owned();
    let out = doctor(
        &[],
        &[],
        &[
            "--weak-keys",
            "--weak-keys-file",
            &path,
            "--now",
            NOW,
            "--",
            &cookie(&c),
        ],
        "",
    );
    assert_eq!(reason(&out, "weak"), "weak-key");
    assert!(text(&out.stdout).contains("line 2 of"), "{}", text(&out.stdout));
    let out = doctor(&[], &[], &["--weak-keys", "--now", NOW, "--", &cookie(&c)], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("weak keys: none of"),
        "{}",
        text(&out.stdout)
    );
    std::fs::remove_dir_all(dir).ok();
}

/// `verify`'s refusal of a `name=value` paste and of another format's cookie ends with a hint at `doctor`.
#[test]
fn verify_points_to_doctor() {
    let c = case("flask_known_answers.json", "ka-plain-ascii");
    let env = [("K", "secret-key-1")];
    let pasted = format!("session={}", cookie(&c));
    let out = common::run(&["--key-env", "K", "verify", "--now", NOW, "--", &pasted], &env, "");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error: bad-signature") && stderr.contains("hint: the value starts with `session=`"),
        "{stderr}"
    );
    let plain = cookie(&c);
    let args = [
        "--format",
        "starlette",
        "--key-env",
        "K",
        "verify",
        "--now",
        NOW,
        "--",
        &plain,
    ];
    let out = common::run(&args, &env, "");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("hint: the value has the shape of flask cookies, not starlette's"),
        "{stderr}"
    );
    // A tampered cookie of the format asked for gets no hint.
    let c = case("tamper.json", "tm-flip-signature");
    let out = common::run(&["--key-env", "K", "verify", "--now", NOW, "--", &cookie(&c)], &env, "");
    assert!(!text(&out.stderr).contains("hint:"), "{}", text(&out.stderr));
}

/// The first `Set-Cookie` line a framework sent in a scenario (`raw`, as it was on the wire).
fn set_cookie_line(file: &str, id: &str) -> String {
    let c = case(file, id);
    let sent = if c["framework"].is_null() {
        &c["flask"]
    } else {
        &c["framework"]
    };
    sent["set_cookie"][0]["raw"]
        .as_str()
        .expect("raw Set-Cookie")
        .to_owned()
}

fn temp_file(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("doctor-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("lines.txt");
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

/// Real Flask and real Django Set-Cookie lines: another name, another format, another lifetime, each reported
/// with the setting on both sides.
#[test]
fn set_cookie_lines_of_flask_and_django_differ_in_name_format_and_lifetime() {
    let flask = set_cookie_line("flask_scenarios.json", "scn-modify");
    let django = set_cookie_line("django_scenarios.json", "dj-scn-new-session-write");
    let a = temp_file("flask", &format!("HTTP/1.1 200 OK\nSet-Cookie: {flask}\n"));
    let b = temp_file("django", &format!("{django}\n"));
    let out = doctor(&[], &[], &["--now", NOW, "--set-cookie", &a, "--set-cookie", &b], "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        reasons(&out),
        ["cookie-name", "format", "lifetime"],
        "{}",
        text(&out.stdout)
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("SESSION_COOKIE_NAME") && stdout.contains("SESSION_COOKIE_AGE"),
        "{stdout}"
    );
    // The same lines on both sides: nothing to change.
    let out = doctor(&[], &[], &["--now", NOW, "--set-cookie", &a, "--set-cookie", &a], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("no difference that breaks sharing"));
}

/// `--url` GETs a running service (here a loopback listener answering with real Starlette and Flask lines, one
/// given Secure): Secure over http is reported; a non-loopback host needs --allow-host.
#[test]
fn url_fetches_set_cookie_from_loopback_services() {
    use std::io::{Read as _, Write as _};
    let starlette = format!(
        "{}; secure",
        set_cookie_line("starlette_scenarios.json", "st-scn-new-session-write")
    );
    let flask = set_cookie_line("flask_scenarios.json", "scn-modify");
    let mut urls = Vec::new();
    for line in [starlette, flask] {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        urls.push(format!("http://{}/login", listener.local_addr().expect("addr")));
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().expect("accept");
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.ends_with(b"\r\n\r\n") {
                let n = s.read(&mut buf).expect("request");
                assert!(n > 0, "the request ended early");
                request.extend_from_slice(&buf[..n]);
            }
            assert!(request.starts_with(b"GET /login HTTP/1.1\r\n"));
            let body = format!("HTTP/1.1 200 OK\r\nSet-Cookie: {line}\r\nContent-Length: 2\r\n\r\nok");
            s.write_all(body.as_bytes()).expect("answer");
        });
    }
    let out = doctor(&[], &[], &["--now", NOW, "--url", &urls[0], "--url", &urls[1]], "");
    let got = reasons(&out);
    assert!(got.contains(&"secure-over-http".to_owned()), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("https_only"), "{}", text(&out.stdout));
    let out = doctor(
        &[],
        &[],
        &["--url", "http://192.0.2.1/", "--url", "http://192.0.2.2/"],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--allow-host 192.0.2.1"),
        "{}",
        text(&out.stderr)
    );
}

/// A real Express cookie-session request: the `session` value alone cannot be verified (its `.sig` is another
/// cookie) and doctor asks for the header; the whole header verifies.
#[test]
fn a_session_of_several_cookies_needs_the_header() {
    let c = case("express_scenarios.json", "ex-scn-read");
    let header = c["request_cookies"][0].as_str().expect("header");
    let key = c["ours"]["secret_key"].as_str().expect("key");
    let value = header
        .split("; ")
        .find_map(|p| p.strip_prefix("session="))
        .expect("session value");
    let out = doctor(&[key], &["--format", "express"], &["--now", NOW, "--", value], "");
    assert_eq!(reason(&out, "express value"), "malformed");
    assert!(
        text(&out.stdout).contains("(session, session.sig): give the whole Cookie header"),
        "{}",
        text(&out.stdout)
    );
    let out = doctor(
        &[key],
        &["--format", "express"],
        &["--now", NOW, "--cookie-header"],
        header,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("verified: format express"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_validly_signed_unreadable_payload_is_bad_payload() {
    let c = case("tamper.json", "tm-payload-not-json");
    let out = doctor(
        &["secret-key-1"],
        &["--format", "flask"],
        &["--now", NOW, "--", &cookie(&c)],
        "",
    );
    assert_eq!(reason(&out, "payload"), "bad-payload");
    assert!(
        text(&out.stdout).contains("verifies (the key is right)"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_key_the_format_cannot_use_is_key_unusable() {
    // actix-session's keys are 64 bytes; a 20-byte key cannot open its cookie at all.
    let c = case("actix_session_known_answers.json", "actix-private-basic");
    let out = doctor(
        &["a twenty-byte key..."],
        &["--format", "actix-private"],
        &["--now", NOW, "--", &cookie(&c)],
        "",
    );
    assert_eq!(reason(&out, "key length"), "key-unusable");
    assert!(text(&out.stdout).contains("64"), "{}", text(&out.stdout));
}

/// A format without a default cookie name (iron-session) still shows its shape for a bare value.
#[test]
fn a_bare_iron_seal_has_the_iron_session_shape() {
    let c = case("iron_session_v9_scenarios.json", "ir9-read");
    let line = c["request_cookies"][0].as_str().expect("header");
    let seal = line
        .split_once('=')
        .expect("name=value")
        .1
        .split(';')
        .next()
        .expect("value");
    let out = doctor(&[], &[], &["--", seal], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("shape: iron-session"),
        "{}",
        text(&out.stdout)
    );
}
