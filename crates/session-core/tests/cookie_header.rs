//! Every case of `testdata/cookie_headers/parsers.json` (what Werkzeug, Django, Starlette, npm `cookies` and
//! Go's net/http return on the same `Cookie` header lines; `scripts/cookie_header_vectors.py` runs them) against the rules
//! that follow each parser.

use std::path::Path;

use serde_json::Value;
use session_core::find_cookie;
use session_core::wire::cookie_header::{CookieRules, find_with};

/// Each rule and the parsers (keys of a case's `expected`) it must agree with.
const RULES: [(CookieRules, &[&str]); 4] = [
    (CookieRules::Werkzeug, &["werkzeug"]),
    (CookieRules::Python, &["django", "starlette"]),
    (CookieRules::Node, &["node"]),
    (CookieRules::Go, &["go"]),
];

/// Cases that must stay in the file: a unit separator before a name is whitespace to Python's `strip()`.
const NAMED: [&str; 2] = ["regress-unit-separator-before-name", "regress-unit-separator-duplicate"];

/// A line as the vectors write it (latin-1 text: one character per byte) back to its bytes.
fn bytes(line: &Value) -> Vec<u8> {
    let text = line.as_str().expect("a line is a string");
    text.chars()
        .map(|c| u8::try_from(c).expect("a line is latin-1 text"))
        .collect()
}

/// The failures of one case: for each rule, each parser whose answer differs from ours.
fn check(case: &Value) -> Vec<String> {
    let id = case["id"].as_str().expect("id");
    let name = case["name"].as_str().expect("name");
    let lines: Vec<Vec<u8>> = case["lines"].as_array().expect("lines").iter().map(bytes).collect();
    let mut failures = Vec::new();
    for (rules, parsers) in RULES {
        let ours = find_with(rules, &lines, name);
        if rules == CookieRules::Werkzeug {
            let public = find_cookie(&lines, name).map(std::borrow::Cow::into_owned);
            if public != ours {
                failures.push(format!("{id}: find_cookie {public:?}, find_with {ours:?}"));
            }
        }
        for parser in parsers {
            let theirs = case["expected"][parser].as_str();
            if ours.as_deref() != theirs {
                failures.push(format!(
                    "{id} ({name} in {}): {parser} {theirs:?}, {rules:?} {ours:?}",
                    case["lines"]
                ));
            }
        }
    }
    failures
}

#[test]
fn every_rule_finds_what_its_parsers_find() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/cookie_headers/parsers.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).expect("parsers.json is JSON");
    let cases = doc["cases"].as_array().expect("cases");
    for id in NAMED {
        assert!(cases.iter().any(|c| c["id"] == id), "case {id} is missing");
    }
    let failures: Vec<String> = cases.iter().flat_map(check).collect();
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let several = cases.iter().filter(|c| c.get("comma_joined").is_some()).count();
    println!(
        "{} cases, each against {} parsers; {several} with several lines also record the ',' join of WSGI \
         servers and Django 5.2's ASGIRequest (`comma_joined`), which the rules do not follow",
        cases.len(),
        RULES.iter().map(|(_, p)| p.len()).sum::<usize>()
    );
}
