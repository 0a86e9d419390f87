//! The README's format table and `--help` list exactly the formats of the library's registry, and the README's
//! Express example is what the binary prints.

use std::path::Path;

use session_core::Format;

mod common;

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).expect("README.md")
}

/// The section under `## title`, up to the next `## ` heading.
fn section<'a>(text: &'a str, title: &str) -> &'a str {
    let start = text
        .find(&format!("\n## {title}\n"))
        .unwrap_or_else(|| panic!("no section {title:?}"));
    let body = &text[start + 1..];
    let end = body[3..].find("\n## ").map_or(body.len(), |i| i + 3);
    &body[..end]
}

/// The cells of each row of the format table (rows whose first cell is a `name`), backticks removed.
fn format_rows(readme: &str) -> Vec<Vec<String>> {
    section(readme, "Formats")
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().replace('`', ""))
                .collect()
        })
        .collect()
}

/// Every registered format, as `(name, aliases)`.
fn registry() -> Vec<(String, Vec<String>)> {
    Format::ALL
        .iter()
        .map(|f| {
            (
                f.name().to_owned(),
                f.aliases().iter().map(|a| (*a).to_owned()).collect(),
            )
        })
        .collect()
}

#[test]
fn readme_format_table_lists_exactly_the_registry() {
    let rows = format_rows(&readme());
    let listed: Vec<(String, Vec<String>)> = rows
        .iter()
        .map(|cells| {
            let aliases = cells[1]
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect();
            (cells[0].clone(), aliases)
        })
        .collect();
    assert_eq!(
        listed,
        registry(),
        "the README's format table (name, also) against Format::ALL"
    );
}

#[test]
fn help_lists_exactly_the_registry() {
    let o = common::run(&["--help"], &[], "");
    assert_eq!(o.status.code(), Some(0));
    let help = String::from_utf8(o.stdout).expect("UTF-8");
    // `--format`'s possible values: `- name: framework (also: aliases)` lines up to its default.
    let values = help
        .split_once("--format <NAME>")
        .and_then(|(_, rest)| rest.split_once("[default: "))
        .map(|(values, _)| values)
        .expect("--format in --help");
    let listed: Vec<(&str, &str)> = values
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- "))
        .filter_map(|l| l.split_once(':'))
        .map(|(name, help)| (name, help.trim()))
        .collect();
    let expected: Vec<(&str, String)> = Format::ALL
        .iter()
        .map(|f| {
            let help = match f.aliases() {
                [] => f.framework().to_owned(),
                aliases => format!("{} (also: {})", f.framework(), aliases.join(", ")),
            };
            (f.name(), help)
        })
        .collect();
    assert_eq!(
        listed,
        expected.iter().map(|(n, h)| (*n, h.as_str())).collect::<Vec<_>>(),
        "{values}"
    );
    // The short help's list too.
    let o = common::run(&["-h"], &[], "");
    let short = String::from_utf8(o.stdout).expect("UTF-8");
    let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
    assert!(
        short.contains(&format!("[possible values: {}]", names.join(", "))),
        "{short}"
    );
}

/// The README's Express cookies are what `sign --set-cookie` prints for its key and session, and they verify.
#[test]
fn readme_express_example_is_real_output() {
    let readme = readme();
    let example = section(&readme, "An Express session from a `Cookie` header");
    let key = "an example key, not a real secret";
    assert!(example.contains(&format!("SESSION_SECRET_KEY='{key}'")), "{example}");
    let env = [("SESSION_SECRET_KEY", key)];
    let o = common::run(
        &["--format", "express", "sign", "--set-cookie"],
        &env,
        r#"{"user":"alice","views":3}"#,
    );
    assert_eq!(o.status.code(), Some(0));
    let set = String::from_utf8(o.stdout).expect("UTF-8");
    for line in set.lines() {
        assert!(example.contains(line), "the README lacks {line:?}");
    }
    let header: Vec<&str> = set.lines().filter_map(|l| l.split(';').next()).collect();
    let header = format!("theme=dark; {}", header.join("; "));
    assert!(example.contains(&header), "the README lacks {header:?}");
    let o = common::run(&["--format", "express", "verify", "--cookie-header"], &env, &header);
    assert_eq!(
        String::from_utf8(o.stdout).expect("UTF-8"),
        "{\"user\":\"alice\",\"views\":3}\n"
    );
}

/// The README's Auth.js example is a real Auth.js cookie (from the vectors) and what the tool prints for it.
#[test]
fn readme_authjs_example_is_real_output() {
    let readme = readme();
    let example = section(&readme, "An Auth.js session token from a `Cookie` header");
    let vectors: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/vectors/authjs_scenarios.json"
        ))
        .expect("the Auth.js vectors"),
    )
    .expect("JSON");
    let case = vectors["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|c| c["id"] == "aj-login"))
        .expect("case aj-login");
    let token = case["expected"]["set_cookie"][0]["value"].as_str().expect("a token");
    let header = format!("theme=dark; authjs.session-token={token}");
    assert!(example.contains(&header), "the README's cookie is not the vector's");
    let env = [("SESSION_SECRET_KEY", "authjs-secret-current-0001")];
    let o = common::run(
        &["--format", "authjs", "verify", "--cookie-header", "--now", "1700000000"],
        &env,
        &header,
    );
    let out = String::from_utf8(o.stdout).expect("UTF-8");
    assert!(example.contains(out.trim_end()), "the README lacks {out:?}");
    let o = common::run(
        &["--format", "authjs", "verify", "--cookie-header", "--now", "1702600000"],
        &env,
        &header,
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8(o.stderr).expect("UTF-8");
    assert!(example.contains(err.trim_end()), "the README lacks {err:?}");
}

/// The synopsis' list of `--format` names is the registry's.
#[test]
fn readme_synopsis_lists_exactly_the_registry() {
    let readme = readme();
    let start = readme.find("NAME of --format:").expect("the synopsis' format list");
    let list: String = readme[start + "NAME of --format:".len()..]
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let list = list.split(" (aliases").next().expect("list");
    let names: Vec<String> = list
        .split(',')
        .map(|n| n.replace("(default)", "").trim().to_owned())
        .collect();
    let registry: Vec<String> = Format::ALL.iter().map(|f| f.name().to_owned()).collect();
    assert_eq!(names, registry, "the README's synopsis against Format::ALL");
}

/// Every line the README's `doctor` examples show is what the binary prints for the vectors' cookies.
#[test]
fn readme_doctor_examples_are_real_output() {
    let readme = readme();
    let example = section(&readme, "Why a cookie is refused: `doctor`");
    let vectors = |file: &str, id: &str| -> serde_json::Value {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/vectors")
            .join(file);
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("vectors")).expect("JSON");
        doc["cases"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["id"] == id))
            .cloned()
            .expect("case")
    };
    let flask = vectors("flask_known_answers.json", "ka-plain-ascii");
    let flask_cookie = flask["cookie"].as_str().expect("cookie");
    let starlette = vectors("starlette_known_answers.json", "st-ka-raw-key");
    let starlette_cookie = starlette["cookie"].as_str().expect("cookie");
    let hex_key = format!("hex:{}", starlette["keys"]["secret_key"].as_str().expect("key"));
    let runs: [(&[&str], &str, String); 3] = [
        (
            &["--format", "starlette", "doctor", "--now", "1700000000", "-"],
            "secret-key-1",
            format!("session={flask_cookie}"),
        ),
        (
            &["doctor", "--now", "1700000000", "-"],
            "secret-key-1",
            flask_cookie.to_owned(),
        ),
        (
            &["--format", "starlette", "doctor", "--now", "1700000000", "-"],
            &hex_key,
            starlette_cookie.to_owned(),
        ),
    ];
    for (args, key, stdin) in runs {
        assert!(example.contains(&stdin), "the README lacks the cookie {stdin}");
        let o = common::run(args, &[("SESSION_SECRET_KEY", key)], &stdin);
        for line in String::from_utf8(o.stdout).expect("UTF-8").lines() {
            assert!(example.contains(line), "the README lacks {line:?}");
        }
    }
    assert!(example.contains("export SESSION_SECRET_KEY=secret-key-1"));
    assert!(example.contains(&format!("export SESSION_SECRET_KEY={hex_key}")));
}
