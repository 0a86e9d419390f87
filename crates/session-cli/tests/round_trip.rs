//! Every registered format, through the binary: what `verify` prints is what `sign` takes, `--format` reads
//! names and aliases, and `--max-age` is refused where a format's cookies carry no signing time.

use std::process::Output;

use serde_json::{Value as Json, json};
use session_core::Format;

mod common;

/// A 64-byte key: long enough for every format (actix-session's keys are 64 bytes).
const KEY: &str = "hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\
                   202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";

/// Signing and checking time.
const NOW: &str = "1700000000";

/// Plain JSON with what formats write differently: non-ASCII, `<&>`, a float, a large integer, nesting, key
/// order that is not sorted.
const SESSION: &str = r#"{"user":"zoë","n":42,"f":1.5,"ok":true,"none":null,"list":[1,"two",{"x":"<&>"}],
    "nested":{"b":2,"a":1},"big":12345678901234567890123}"#;

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("UTF-8")
}

/// The binary with `--format format`, the key, and `args`.
fn run(format: &str, args: &[&str], stdin: &str) -> Output {
    let mut all = vec!["--format", format];
    // A format without a default cookie name (iron-session) gets one.
    let unnamed = session_core::Format::from_name(format).is_ok_and(|f| f.defaults().cookie_name.is_empty());
    if unnamed && !args.contains(&"--cookie-name") {
        all.extend(["--cookie-name", "app_session"]);
    }
    all.extend(args);
    // Laravel's APP_KEY is exactly 32 bytes: the first half of KEY.
    let laravel = session_core::Format::from_name(format).is_ok_and(|f| f.name().starts_with("laravel"));
    let key = if laravel { &KEY[..4 + 64] } else { KEY };
    common::run(&all, &[("SESSION_SECRET_KEY", key)], stdin)
}

/// stdout of a run that must succeed.
fn ok(o: &Output, what: &str) -> String {
    assert_eq!(o.status.code(), Some(0), "{what}: {}", text(&o.stderr));
    text(&o.stdout)
}

/// The `Cookie` header a browser sends back for `Set-Cookie` lines: each cookie's `name=value`.
fn cookie_header(set_cookies: &str) -> String {
    set_cookies
        .lines()
        .map(|line| line.split(';').next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("; ")
}

/// `sign --set-cookie`, then `verify --cookie-header` of what a browser would send back (with another cookie
/// first, as browsers send them): the session as verify prints it.
fn through_headers(format: &str, session: &str) -> String {
    let set = ok(
        &run(format, &["sign", "--set-cookie", "--now", NOW], session),
        "sign --set-cookie",
    );
    assert!(!set.is_empty(), "{format}: no Set-Cookie for a non-empty session");
    let header = format!("theme=dark; {}", cookie_header(&set));
    ok(
        &run(format, &["verify", "--cookie-header", "--now", NOW], &header),
        "verify --cookie-header",
    )
}

/// `sign`, then `verify -` of its output: a cookie value, or for a session of several cookies a `Cookie`
/// header, which `verify -` refuses (naming --cookie-header) and `verify --cookie-header` reads.
fn through_values(format: &str, session: &str) -> String {
    let signed = ok(&run(format, &["sign", "--now", NOW], session), "sign");
    let o = run(format, &["verify", "--now", NOW, "-"], &signed);
    if o.status.code() == Some(2) && text(&o.stderr).contains("--cookie-header") {
        assert!(signed.contains("; "), "{format}: {signed}");
        return ok(
            &run(format, &["verify", "--cookie-header", "--now", NOW], &signed),
            "verify --cookie-header of sign's output",
        );
    }
    ok(&o, "verify -")
}

/// The session `verify` printed, without a JWT's `jti` claim.
fn without_jti(printed: &str) -> String {
    let mut v: Json = serde_json::from_str(printed).expect("verify prints JSON");
    if let Some(o) = v.as_object_mut() {
        o.remove("jti");
    }
    v.to_string()
}

#[test]
fn verify_output_signs_back_to_the_same_session_in_every_format() {
    for format in Format::ALL {
        let name = format.name();
        // Tagged formats also keep Python types: a tuple.
        let session = if format.is_tagged() {
            SESSION.replacen('{', r#"{"t":{" t":[1,"a"]},"#, 1)
        } else if *format == Format::Gorilla {
            // Go's gob holds integers of 64 bits at most (a bigger one is refused, never changed).
            SESSION.replace(r#","big":12345678901234567890123"#, "")
        } else {
            SESSION.to_owned()
        };
        // A token's `jti` is new on every write (as Auth.js writes it); everything else round-trips.
        let first = through_headers(name, &session);
        let second = through_headers(name, &first);
        assert_eq!(
            without_jti(&first),
            without_jti(&second),
            "{name}: verify | sign --set-cookie | verify"
        );
        let third = through_values(name, &first);
        assert_eq!(
            without_jti(&first),
            without_jti(&third),
            "{name}: verify | sign | verify"
        );
        assert_eq!(
            without_jti(&through_values(name, &session)),
            without_jti(&first),
            "{name}: sign | verify"
        );

        // The session as the application sees it: plain values (no actix-session state, no double encoding).
        let seen: Json = serde_json::from_str(&first).expect("verify prints JSON");
        assert_eq!(seen["user"], "zoë", "{name}: {first}");
        assert_eq!(seen["n"], 42, "{name}: {first}");
        assert_eq!(seen["f"], 1.5, "{name}: {first}");
        assert_eq!(seen["list"], json!([1, "two", {"x": "<&>"}]), "{name}: {first}");
        assert_eq!(seen["nested"], json!({"a": 1, "b": 2}), "{name}: {first}");
        if format.is_tagged() {
            assert_eq!(seen["t"], json!({" t": [1, "a"]}), "{name}: {first}");
        }
    }
}

#[test]
fn format_takes_every_name_and_alias_in_any_case() {
    for format in Format::ALL {
        for name in std::iter::once(format.name()).chain(format.aliases().iter().copied()) {
            for spelled in [name.to_owned(), name.to_ascii_uppercase()] {
                let o = run(&spelled, &["sign", "--now", NOW], "{}");
                assert_eq!(o.status.code(), Some(0), "{spelled}: {}", text(&o.stderr));
            }
        }
    }
    let o = run("no-such-format", &["sign"], "{}");
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    for format in Format::ALL {
        assert!(
            err.contains(format.name()),
            "the refusal lists {}: {err}",
            format.name()
        );
    }
}

/// `--max-age` checks the signing time where cookies carry one, and is refused (exit 2, nothing read) where
/// they do not.
#[test]
fn max_age_is_refused_where_cookies_carry_no_signing_time() {
    for (format, signing_time) in [
        ("flask", true),
        ("starlette", true),
        ("django", true),
        ("rails", false),
        ("actix-private", false),
        ("actix-signed", false),
        ("express", false),
    ] {
        let set = ok(
            &run(format, &["sign", "--set-cookie", "--now", NOW], r#"{"u":1}"#),
            "sign",
        );
        let header = cookie_header(&set);
        let verify = |max_age: &str, now: &str| {
            run(
                format,
                &["verify", "--cookie-header", "--now", now, "--max-age", max_age],
                &header,
            )
        };
        if signing_time {
            let seen: Json = serde_json::from_str(&ok(&verify("60", "1700000060"), format)).expect("JSON");
            assert_eq!(seen, json!({"u": 1}), "{format}");
            let o = verify("60", "1700000061");
            assert_eq!(o.status.code(), Some(1), "{format}");
            assert!(
                text(&o.stderr).starts_with("error: expired: "),
                "{format}: {}",
                text(&o.stderr)
            );
        } else {
            let o = verify("60", NOW);
            assert_eq!(o.status.code(), Some(2), "{format}");
            let err = text(&o.stderr);
            assert!(
                err.contains("--max-age does not apply") && err.contains("carry no signing time"),
                "{format}: {err}"
            );
            assert_eq!(text(&o.stdout), "", "{format}");
            // Without it, the cookie verifies.
            ok(
                &run(format, &["verify", "--cookie-header", "--now", NOW], &header),
                format,
            );
        }
    }
}

#[test]
fn cookie_header_finds_the_session_among_other_cookies() {
    let set = ok(
        &run("flask", &["sign", "--set-cookie", "--now", NOW], r#"{"u":1}"#),
        "sign",
    );
    let pair = cookie_header(&set);
    // A devtools copy with its `Cookie:` prefix, other cookies around it, and a second header line.
    let header = format!("Cookie: theme=dark; {pair}; lang=en\r\nx=1\n");
    assert_eq!(
        ok(
            &run("flask", &["verify", "--cookie-header", "--now", NOW], &header),
            "verify"
        ),
        "{\"u\":1}\n"
    );
    // Another name: the session is not in the header (exit 1), and the message names the cookies, not values.
    let o = run(
        "flask",
        &["--cookie-name", "sid", "verify", "--cookie-header", "--now", NOW],
        &header,
    );
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.starts_with("error: no-session: "), "{err}");
    assert!(
        err.contains("\"sid\"") && err.contains("theme, session, lang, x"),
        "{err}"
    );
    assert!(!err.contains(pair.trim_start_matches("session=")), "{err}");
    // An empty header, and a tampered cookie (a refusal, exit 1 with its kind).
    assert_eq!(run("flask", &["verify", "--cookie-header"], "").status.code(), Some(1));
    let tampered = format!("{pair}x");
    let o = run("flask", &["verify", "--cookie-header", "--now", NOW], &tampered);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).starts_with("error: bad-signature: "),
        "{}",
        text(&o.stderr)
    );
    // A header and a cookie argument together: a usage error.
    assert_eq!(
        run("flask", &["verify", "--cookie-header", "-"], "").status.code(),
        Some(2)
    );
}

#[test]
fn set_cookie_honours_the_cookie_name_and_the_formats_attributes() {
    let o = run(
        "express",
        &["--cookie-name", "sid", "sign", "--set-cookie", "--now", NOW],
        r#"{"user":"alice"}"#,
    );
    let lines: Vec<String> = ok(&o, "sign").lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("sid=eyJ1c2VyIjoiYWxpY2UifQ==; "), "{lines:?}");
    assert!(lines[1].starts_with("sid.sig="), "{lines:?}");
    assert!(lines.iter().all(|l| l.ends_with("; path=/; httponly")), "{lines:?}");
    // Starlette sends its 14 days as Max-Age, and SameSite=Lax.
    let o = run("starlette", &["sign", "--set-cookie", "--now", NOW], r#"{"u":1}"#);
    let line = ok(&o, "sign");
    assert!(
        line.contains("Max-Age=1209600") && line.to_ascii_lowercase().contains("samesite=lax"),
        "{line}"
    );
    // An empty session sends nothing.
    let o = run("flask", &["sign", "--set-cookie", "--now", NOW], "{}");
    assert_eq!(ok(&o, "sign"), "");
    // `--timestamp` is still `--now`.
    assert_eq!(
        ok(&run("flask", &["sign", "--timestamp", NOW], "{}"), "sign --timestamp"),
        ok(&run("flask", &["sign", "--now", NOW], "{}"), "sign --now")
    );
}

#[test]
fn decode_refuses_encrypted_formats_and_reads_the_others() {
    for format in Format::ALL {
        let name = format.name();
        let set = ok(
            &run(name, &["sign", "--set-cookie", "--now", NOW], r#"{"u":1}"#),
            "sign",
        );
        let main = set.lines().next().and_then(|l| l.split(';').next()).expect("a cookie");
        let value = main.split_once('=').expect("name=value").1;
        let o = common::run(&["--format", name, "decode", "--", value], &[], "");
        if format.is_encrypted() {
            assert_eq!(o.status.code(), Some(2), "{name}");
            assert!(text(&o.stderr).contains("needs the key"), "{name}: {}", text(&o.stderr));
        } else {
            let out: Json = serde_json::from_str(&ok(&o, name)).expect("decode prints JSON");
            assert_eq!(out["payload"], json!({"u": 1}), "{name}");
            assert_eq!(out["verified"], false, "{name}");
        }
    }
}
