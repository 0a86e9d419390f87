//! Runs the `session-cookie` binary against the shared Flask vectors and through its user-facing paths.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value as Json;

mod common;

use common::run;

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

/// The one `error:` line of a refusal; only short-key warnings may come before it, and only a `hint:` pointing to
/// `doctor` after it.
fn error_line(stderr: &str) -> &str {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.starts_with("hint: ")).collect();
    let (last, before) = lines.split_last().expect("something on stderr");
    assert!(before.iter().all(|l| l.starts_with("warning: ")), "{stderr:?}");
    last
}

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/vectors")
}

fn cases(file: &str) -> Vec<Json> {
    let text = std::fs::read_to_string(vectors_dir().join(file)).expect("read vector file");
    let doc: Json = serde_json::from_str(&text).expect("vector file is JSON");
    doc["cases"].as_array().expect("cases").clone()
}

fn s<'a>(v: &'a Json, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {v}"))
}

/// The `--digest` value for a case the CLI can run, or why it does not apply.
fn applicable(case: &Json) -> Result<&str, String> {
    let signer = &case["signer"];
    if s(signer, "key_derivation") != "hmac" || s(signer, "salt") != "cookie-session" {
        return Err(format!(
            "signer {signer} is not Flask's (the CLI only does hmac / cookie-session)"
        ));
    }
    if s(&case["keys"], "secret_key").starts_with("base64:") {
        return Err("base64 key text".into());
    }
    Ok(s(signer, "digest"))
}

/// Checks one vector: `sign` reproduces the cookie (uncompressed), `verify` gives the expected outcome.
/// Returns false (after printing a line) when the case does not apply.
fn check(file: &str, case: &Json) -> bool {
    let id = s(case, "id");
    let digest = match applicable(case) {
        Ok(d) => d,
        Err(why) => {
            println!("skip {file} {id}: {why}");
            return false;
        }
    };
    let current = s(&case["keys"], "secret_key");
    let fallbacks: Vec<&str> = case["keys"]["fallbacks"]
        .as_array()
        .expect("fallbacks")
        .iter()
        .map(|f| f.as_str().expect("key"))
        .collect();
    let names: Vec<String> = (0..fallbacks.len()).map(|i| format!("VEC_FALLBACK_{i}")).collect();
    let mut env: Vec<(&str, &str)> = vec![("VEC_KEY", current)];
    env.extend(names.iter().map(String::as_str).zip(fallbacks.iter().copied()));
    let cookie = s(case, "cookie");

    // sign: byte-equal to Flask for uncompressed payloads, with the key Flask signed with as current.
    let sign = &case["sign"];
    let flask_loaded = &case["flask"]["tagged_json"];
    if !sign.is_null() && flask_loaded.is_string() && *flask_loaded != sign["tagged_json"] {
        // The CLI reads tagged JSON as Flask loads it; this text does not survive Flask's own loads.
        println!(
            "skip sign {file} {id}: Flask loads {} as {flask_loaded}",
            sign["tagged_json"]
        );
    } else if !sign.is_null() && sign["compressed"] == false {
        let signing_key = match s(sign, "key") {
            "current" => current,
            other => {
                let i: usize = other
                    .strip_prefix("fallback:")
                    .and_then(|n| n.parse().ok())
                    .expect("key id");
                fallbacks[i]
            }
        };
        let ts = sign["timestamp"].to_string();
        let o = run(
            &["--key-env", "SIGN_KEY", "--digest", digest, "sign", "--timestamp", &ts],
            &[("SIGN_KEY", signing_key)],
            s(sign, "tagged_json"),
        );
        assert_eq!(o.status.code(), Some(0), "{file} {id}: sign failed: {}", stderr(&o));
        assert_eq!(
            stdout(&o),
            format!("{cookie}\n"),
            "{file} {id}: sign is not byte-equal to Flask"
        );
    }

    // verify
    let now = case["now"].to_string();
    let max_age = case["max_age"].to_string();
    let mut args = vec!["--key-env", "VEC_KEY", "--digest", digest];
    for n in &names {
        args.extend(["--fallback-key-env", n.as_str()]);
    }
    args.extend([
        "verify",
        "--verbose",
        "--now",
        &now,
        "--max-age",
        &max_age,
        "--",
        cookie,
    ]);
    let o = run(&args, &env, "");
    let expected = &case["expected"];
    let err = stderr(&o);
    if s(expected, "result") == "valid" {
        assert_eq!(o.status.code(), Some(0), "{file} {id}: verify refused: {err}");
        assert_eq!(stdout(&o), format!("{}\n", s(expected, "tagged_json")), "{file} {id}");
        let by = match s(expected, "key") {
            "current" => "verified by current key".to_owned(),
            other => format!("verified by fallback key {}", other.trim_start_matches("fallback:")),
        };
        assert!(err.contains(&by), "{file} {id}: expected {by:?} in {err:?}");
        assert!(err.contains("age: "), "{file} {id}: no age in {err:?}");
    } else {
        let kind = s(expected, "error").replace('_', "-");
        assert_eq!(
            o.status.code(),
            Some(1),
            "{file} {id}: expected a refusal, stderr {err:?}"
        );
        assert_eq!(stdout(&o), "", "{file} {id}: refusal printed on stdout");
        assert!(
            error_line(&err).starts_with(&format!("error: {kind}: ")),
            "{file} {id}: expected {kind}, got {err:?}"
        );
    }
    true
}

fn check_file(file: &str) {
    let all = cases(file);
    let ran = all.iter().filter(|c| check(file, c)).count();
    println!("{file}: {ran} of {} cases ran", all.len());
    assert!(ran > all.len() / 2, "{file}: most cases should apply");
}

#[test]
fn flask_known_answers() {
    check_file("flask_known_answers.json");
}

#[test]
fn tamper() {
    check_file("tamper.json");
}

/// The reference case of the vectors: key `secret-key-1`, `{"active":true,...}` at 1700000000.
fn reference_case() -> Json {
    cases("flask_known_answers.json")
        .into_iter()
        .find(|c| c["id"] == "ka-plain-ascii")
        .expect("ka-plain-ascii")
}

#[test]
fn fallback_keys_name_the_index_and_variable() {
    let keys = [
        ("OLDEST", "key-oldest-0123456789"),
        ("NEWER", "key-newer-0123456789"),
        ("CUR", "key-current-0123456"),
    ];
    let sign_with = |var: &str| {
        let o = run(
            &["--key-env", var, "sign", "--timestamp", "1700000000"],
            &keys,
            "{\"u\":1}",
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        stdout(&o).trim().to_owned()
    };
    let verify = |cookie: &str| {
        run(
            &[
                "--key-env",
                "CUR",
                "--fallback-key-env",
                "OLDEST",
                "--fallback-key-env",
                "NEWER",
                "verify",
                "-v",
                "--now",
                "1700000060",
                "--",
                cookie,
            ],
            &keys,
            "",
        )
    };
    for (var, said) in [
        ("CUR", "verified by current key"),
        ("OLDEST", "verified by fallback key 0 (--fallback-key-env OLDEST)"),
        ("NEWER", "verified by fallback key 1 (--fallback-key-env NEWER)"),
    ] {
        let o = verify(&sign_with(var));
        assert_eq!(o.status.code(), Some(0), "{var}: {}", stderr(&o));
        assert_eq!(stdout(&o), "{\"u\":1}\n");
        assert_eq!(stderr(&o), format!("{said}\nage: 60 s\n"), "{var}");
    }
    // Without the fallbacks, the old cookie is refused.
    let o = run(
        &[
            "--key-env",
            "CUR",
            "verify",
            "--now",
            "1700000060",
            "--",
            &sign_with("OLDEST"),
        ],
        &keys,
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        error_line(&stderr(&o)).starts_with("error: bad-signature: "),
        "{}",
        stderr(&o)
    );
}

#[test]
fn key_file_ignores_one_trailing_newline() {
    let case = reference_case();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let verify_with = |contents: &str, name: &str| {
        let path = dir.join(name);
        std::fs::write(&path, contents).expect("write key file");
        let path = path.to_str().expect("UTF-8 path").to_owned();
        run(
            &[
                "--key-file",
                &path,
                "verify",
                "--now",
                "1700000000",
                "--",
                s(&case, "cookie"),
            ],
            &[],
            "",
        )
    };
    for (name, contents) in [
        ("k-plain", "secret-key-1"),
        ("k-lf", "secret-key-1\n"),
        ("k-crlf", "secret-key-1\r\n"),
    ] {
        let o = verify_with(contents, name);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert_eq!(stdout(&o), format!("{}\n", s(&case["expected"], "tagged_json")));
    }
    let o = verify_with("secret-key-1\n\n", "k-two-lf");
    assert_eq!(o.status.code(), Some(1), "only one newline is ignored");
    assert!(
        stderr(&o).contains("ends with whitespace after its one trailing newline was removed"),
        "{}",
        stderr(&o)
    );
    let o = verify_with("secret-key-1\n", "k-one-lf");
    assert!(!stderr(&o).contains("ends with whitespace"), "{}", stderr(&o));
    let o = run(&["--key-file", "/nonexistent/key", "verify", "x.y.z"], &[], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/key"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn a_key_file_others_can_read_is_warned_about() {
    use std::os::unix::fs::PermissionsExt as _;
    let case = reference_case();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    for (mode, warned) in [
        (0o600, false),
        (0o400, false),
        (0o640, true),
        (0o644, true),
        (0o604, true),
    ] {
        let path = dir.join(format!("k-mode-{mode:o}"));
        let _ = std::fs::remove_file(&path);
        std::fs::write(&path, "secret-key-1\n").expect("write key file");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        let path = path.to_str().expect("UTF-8 path").to_owned();
        let o = run(
            &[
                "--key-file",
                &path,
                "verify",
                "--now",
                "1700000000",
                "--",
                s(&case, "cookie"),
            ],
            &[],
            "",
        );
        assert_eq!(o.status.code(), Some(0), "{mode:o}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.contains("readable by"), warned, "{mode:o}: {err}");
        if warned {
            assert!(
                err.contains(&format!("chmod 600 {path}")) && err.contains(&format!("{mode:03o}")),
                "{err}"
            );
        }
    }
}

#[test]
fn dash_reads_the_cookie_from_stdin() {
    let case = reference_case();
    let env = [("SESSION_SECRET_KEY", "secret-key-1")];
    let o = run(
        &["verify", "--now", "1700000000", "-"],
        &env,
        &format!("{}\n", s(&case, "cookie")),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), format!("{}\n", s(&case["expected"], "tagged_json")));
    let o = run(&["decode", "-"], &[], &format!("{}\n", s(&case, "cookie")));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn double_dash_before_cookies_starting_with_dot_or_dash() {
    let case = cases("flask_known_answers.json")
        .into_iter()
        .find(|c| c["sign"]["compressed"] == true && c["keys"]["secret_key"] == "secret-key-1")
        .expect("a compressed case");
    let cookie = s(&case, "cookie");
    assert!(cookie.starts_with('.'));
    let env = [("SESSION_SECRET_KEY", "secret-key-1")];
    let now = case["now"].to_string();
    let o = run(&["verify", "--now", &now, "--", cookie], &env, "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), format!("{}\n", s(&case["expected"], "tagged_json")));
    let o = run(&["decode", "--", cookie], &[], "");
    let out: Json = serde_json::from_str(&stdout(&o)).expect("decode prints JSON");
    assert_eq!(out["compressed"], true);

    // A value starting with '-' is a cookie after `--` (refused as malformed), a usage error without it.
    let o = run(&["verify", "--", "-abc"], &env, "");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        error_line(&stderr(&o)).starts_with("error: malformed: "),
        "{}",
        stderr(&o)
    );
    assert_eq!(run(&["verify", "-abc"], &env, "").status.code(), Some(2));
}

#[test]
fn decode_prints_the_documented_fields_in_order() {
    let case = reference_case();
    let o = run(&["decode", "--", s(&case, "cookie")], &[], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let payload = s(&case["expected"], "tagged_json");
    assert_eq!(
        text,
        format!(
            "{{\"payload\":{payload},\"timestamp\":1700000000,\"issued_at\":\"2023-11-14T22:13:20Z\",\
             \"compressed\":false,\"verified\":false}}\n"
        )
    );
    // A tampered signature still decodes (nothing is verified); a broken payload does not.
    let tampered = format!("{}AAAA", s(&case, "cookie"));
    assert_eq!(run(&["decode", "--", &tampered], &[], "").status.code(), Some(0));
    let o = run(&["decode", "--", "bm90IGpzb24.ZVPxAA.sig"], &[], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        error_line(&stderr(&o)).starts_with("error: bad-payload: "),
        "{}",
        stderr(&o)
    );
    let o = run(&["decode", "--", "no-dots"], &[], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        error_line(&stderr(&o)).starts_with("error: malformed: "),
        "{}",
        stderr(&o)
    );
}

fn keygen(args: &[&str]) -> String {
    let mut all = vec!["keygen"];
    all.extend(args);
    let o = run(&all, &[], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    stdout(&o)
}

fn assert_hex_key(line: &str, bytes: usize) {
    let digits = line
        .strip_prefix("hex:")
        .and_then(|l| l.strip_suffix('\n'))
        .expect("hex:<digits>\\n");
    assert_eq!(digits.len(), 2 * bytes, "{line:?}");
    assert!(
        digits.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{line:?}"
    );
}

#[test]
fn keygen_output_format_and_length() {
    let a = keygen(&[]);
    assert_hex_key(&a, 32);
    assert_ne!(a, keygen(&[]), "two keys are different");
    assert_hex_key(&keygen(&["--bytes", "16"]), 16);
    assert_hex_key(&keygen(&["--bytes", "64"]), 64);
    let o = run(&["keygen", "--bytes", "8"], &[], "");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("at least 16"), "{}", stderr(&o));
}

/// A framework that uses the key's text as-is gets a text key (no `hex:`), which this tool reads as the same
/// text; actix-session gets 64 bytes; stderr says which form the framework takes.
#[test]
fn keygen_prints_the_form_the_framework_takes() {
    let o = run(&["--format", "starlette", "keygen"], &[], "");
    assert_eq!(o.status.code(), Some(0));
    let key = stdout(&o);
    let text = key.trim_end();
    assert_eq!(text.len(), 64, "{key:?}");
    assert!(
        !text.starts_with("hex:") && text.bytes().all(|b| b.is_ascii_hexdigit()),
        "{key:?}"
    );
    assert!(stderr(&o).contains("uses the key's text as-is"), "{}", stderr(&o));
    // Signed with the text, verified with the text: the key Starlette would use.
    let env = [("SESSION_SECRET_KEY", text)];
    let signed = run(&["--format", "starlette", "sign"], &env, "{\"a\":1}");
    let cookie = stdout(&signed);
    let o = run(&["--format", "starlette", "verify", "--", cookie.trim_end()], &env, "");
    assert_eq!(stdout(&o), "{\"a\": 1}\n", "{}", stderr(&o));
    assert_eq!(keygen(&["--text"]).trim_end().len(), 64);
    let o = run(&["--format", "actix", "keygen"], &[], "");
    assert_hex_key(&stdout(&o), 64);
    assert!(stderr(&o).contains("takes raw bytes"), "{}", stderr(&o));
}

#[test]
fn missing_key_variables_are_named() {
    let o = run(&["verify", "x.y.z"], &[], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("SESSION_SECRET_KEY"), "{}", stderr(&o));
    let o = run(&["--key-env", "MY_APP_KEY", "sign"], &[], "{}");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("MY_APP_KEY"), "{}", stderr(&o));
    let o = run(
        &["--fallback-key-env", "OLD_APP_KEY", "verify", "x.y.z"],
        &[("SESSION_SECRET_KEY", "k".repeat(20).as_str())],
        "",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("OLD_APP_KEY"), "{}", stderr(&o));
    let o = run(&["verify", "x.y.z"], &[("SESSION_SECRET_KEY", "hex:zz")], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).contains("zz"), "key text is never echoed: {}", stderr(&o));
}

#[test]
fn short_keys_work_with_a_warning() {
    let env = [("SESSION_SECRET_KEY", "short")];
    let o = run(&["sign", "--timestamp", "1700000000"], &env, "{\"u\":1}");
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).starts_with("warning: "), "{}", stderr(&o));
    assert!(!stderr(&o).contains("short\""), "{}", stderr(&o));
}

#[test]
fn sign_refuses_what_is_not_a_session() {
    let env = [("SESSION_SECRET_KEY", "secret-key-0123456789")];
    for input in ["[1,2]", "42", "{\"a\":", "not json", "{\" t\":[1]}"] {
        let o = run(&["sign"], &env, input);
        assert_eq!(o.status.code(), Some(2), "{input}: {}", stderr(&o));
        assert_eq!(stdout(&o), "", "{input}");
    }
    // Non-canonical input is signed in Flask's canonical form.
    let a = run(
        &["sign", "--timestamp", "1"],
        &env,
        "{ \"b\": 1,\n \"a\": \"\\u00e9\" }\n",
    );
    let b = run(&["sign", "--timestamp", "1"], &env, "{\"a\":\"\u{e9}\",\"b\":1}");
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    assert_eq!(stdout(&a), stdout(&b));
}

#[test]
fn every_subcommand_has_help_with_an_example() {
    for sub in [&[][..], &["keygen"], &["sign"], &["verify"], &["decode"]] {
        let mut args = sub.to_vec();
        args.push("--help");
        let o = run(&args, &[], "");
        assert_eq!(o.status.code(), Some(0), "{sub:?}");
        let help = stdout(&o);
        let examples = help.split_once("Examples:\n").map(|(_, e)| e).unwrap_or_default();
        assert!(examples.contains("session-cookie "), "{sub:?}: {help}");
    }
}

/// Flask itself loads a cookie we sign with a `keygen` key, and we verify one Flask signs with it.
#[test]
fn flask_accepts_keygen_keys() {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/flask-venv/bin/python");
    if !python.exists() {
        println!("skip flask_accepts_keygen_keys: no Flask venv at {}", python.display());
        return;
    }
    let key = keygen(&[]);
    let key = key.trim();
    let env = [("SESSION_SECRET_KEY", key)];
    let o = run(&["sign"], &env, "{\"t\":{\" t\":[1,2]},\"username\":\"alice\"}");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let cookie = stdout(&o).trim().to_owned();
    let script = r#"
import sys
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
app = Flask("check")
app.secret_key = bytes.fromhex(sys.argv[1])
s = SecureCookieSessionInterface().get_signing_serializer(app)
print(repr(sorted(s.loads(sys.argv[2], max_age=60).items())))
print(s.dumps({"from": "flask", "n": (1, 2)}))
"#;
    let out = Command::new(&python)
        .args(["-c", script, key.trim_start_matches("hex:"), &cookie])
        .output()
        .expect("run the Flask venv's python");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "Flask refused our cookie: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("[('t', (1, 2)), ('username', 'alice')]"));
    let flask_cookie = lines.next().expect("Flask's cookie");
    let o = run(&["verify", "-v", "--", flask_cookie], &env, "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "{\"from\":\"flask\",\"n\":{\" t\":[1,2]}}\n");
}
