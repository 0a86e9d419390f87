//! Laravel's vectors, proved by the real Laravel 8.83 (Debian's `php-laravel-framework`, installed here with
//! apt-get when missing): `scripts/laravel_vectors.php` writes or checks `testdata/vectors/laravel_*.json`,
//! then reads cookies our `laravel` codec made. The sessions Laravel must read from ours are written out below
//! as PHP's `serialize()` stores them (keys sorted), not taken from our encoder.

use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, Result};
use serde_json::{Value as Json, json};
use session_core::{CookieCodec, Format, Keyring, Map, SecretKey, SignerOptions, Value};

use crate::run_status;

const NOW: u64 = 1_700_000_000;

/// The Debian packages the Laravel vectors and the `laravel` interop profile run on.
pub(crate) const PACKAGES: &[&str] = &["php-cli", "php-cgi", "php-laravel-framework"];

/// PHP with Laravel 8.83, installing Debian's packages when missing. `false` (with a printed line) only where
/// apt-get is unavailable.
pub(crate) fn ensure_php() -> Result<bool> {
    let have = || crate::apt::runs("php", &["-r", "require 'Illuminate/autoload.php';"]);
    if !have() && !crate::apt::available() {
        println!(
            "laravel: skipped: PHP with Laravel is not installed and apt-get is unavailable (install Debian's {})",
            PACKAGES.join(" ")
        );
        return Ok(false);
    }
    crate::apt::ensure("the Laravel vectors", PACKAGES, have)?;
    Ok(true)
}

/// Regenerates (`check` false) or checks Laravel's vectors, then has Laravel read our cookies.
pub(crate) fn vectors(root: &Path, check: bool) -> Result<()> {
    if !ensure_php()? {
        return Ok(());
    }
    let mode = if check { "--check" } else { "--out" };
    let mut cmd = Command::new("php");
    cmd.current_dir(root)
        .args(["scripts/laravel_vectors.php", mode, "testdata/vectors"]);
    run_status(cmd)?;
    let work = root.join("target/encrypted-vectors");
    std::fs::create_dir_all(&work)?;
    let file = work.join("laravel_ours.json");
    std::fs::write(&file, serde_json::to_string_pretty(&ours(root)?)?)
        .with_context(|| format!("cannot write {}", file.display()))?;
    let mut cmd = Command::new("php");
    cmd.current_dir(root)
        .arg("scripts/laravel_vectors.php")
        .arg("--read-ours")
        .arg(&file);
    run_status(cmd)
}

/// The ViewErrorBag Laravel flashed in the committed `lv-flash-errors` vector, as our reader keeps it.
fn view_error_bag(root: &Path) -> Result<Value> {
    let doc: Json = serde_json::from_str(&std::fs::read_to_string(
        root.join("testdata/vectors/laravel_known_answers.json"),
    )?)?;
    let text = doc["cases"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == "lv-flash-errors"))
        .and_then(|c| c["laravel"]["serialized"].as_str())
        .context("laravel_known_answers.json has no lv-flash-errors session")?;
    match session_core::wire::php::decode(text.as_bytes(), 10_000).map_err(|e| anyhow::anyhow!("{e}"))? {
        Value::Dict(mut m) => m.remove("errors").context("no errors in lv-flash-errors"),
        _ => anyhow::bail!("lv-flash-errors' session is not an array"),
    }
}

/// Cookies made by our `laravel` and `laravel-gcm` codecs, with what Laravel must read from them.
fn ours(root: &Path) -> Result<Json> {
    // base64 of `laravel-vectors-key-0001-current`, the key of scripts/laravel_vectors.php.
    let secret = "base64:bGFyYXZlbC12ZWN0b3JzLWtleS0wMDAxLWN1cnJlbnQ=";
    let ring = Keyring::new(SecretKey::parse(secret).map_err(|e| anyhow::anyhow!("{e}"))?);
    let errors = view_error_bag(root)?;
    let Value::Foreign(bag) = &errors else {
        anyhow::bail!("the ViewErrorBag did not read as a PHP object");
    };
    let bag_text = String::from_utf8(bag.encoded().to_vec())?;
    let token = "t".repeat(40);
    let mut data = Map::new();
    for (k, v) in [
        ("_token", json!(token)),
        ("user", json!("alice")),
        ("n", json!(5)),
        ("f", json!(0.5)),
        ("list", json!(["a", "b"])),
        ("map", json!({"7": "seven", "k": true})),
        ("name", json!("Zo\u{eb} \u{65e5}\u{672c} \u{1F600}")),
    ] {
        data.insert(k.into(), Value::from(v));
    }
    data.insert("errors".into(), errors.clone());
    // As PHP's serialize() writes what Laravel reads (ksort'ed), with the `_flash` our write adds.
    let name = "Zo\u{eb} \u{65e5}\u{672c} \u{1F600}";
    let expected = format!(
        "a:9:{{s:6:\"_flash\";a:2:{{s:3:\"new\";a:0:{{}}s:3:\"old\";a:0:{{}}}}s:6:\"_token\";s:40:\"{token}\";\
         s:6:\"errors\";{bag_text}s:1:\"f\";d:0.5;s:4:\"list\";a:2:{{i:0;s:1:\"a\";i:1;s:1:\"b\";}}\
         s:3:\"map\";a:2:{{i:7;s:5:\"seven\";s:1:\"k\";b:1;}}s:1:\"n\";i:5;s:4:\"name\";s:{}:\"{name}\";\
         s:4:\"user\";s:5:\"alice\";}}",
        name.len()
    );
    let valid = json!({"result": "valid", "serialized": expected});
    let mut cases = Vec::new();
    for (id, format, cookie_name, read_at, want) in [
        ("ours-cbc", Format::Laravel, "laravel_session", NOW + 60, valid.clone()),
        (
            "ours-gcm",
            Format::LaravelGcm,
            "laravel_session",
            NOW + 60,
            valid.clone(),
        ),
        (
            "ours-cookie-name",
            Format::Laravel,
            "myapp_session",
            NOW + 60,
            valid.clone(),
        ),
        (
            "ours-last-second",
            Format::Laravel,
            "laravel_session",
            NOW + 7200,
            valid.clone(),
        ),
        (
            "ours-expired",
            Format::Laravel,
            "laravel_session",
            NOW + 7201,
            json!({"result": "refused"}),
        ),
    ] {
        let codec = CookieCodec::encrypted(format, &ring, SignerOptions::default(), cookie_name, 7200)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let cookies = codec.encode_cookies(&data, NOW).map_err(|e| anyhow::anyhow!("{e}"))?;
        let header = cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        cases.push(json!({
            "id": id,
            "ours": {"secret_key": secret, "fallbacks": [], "cookie_name": cookie_name, "format": format.name()},
            "now": read_at,
            "cookie_header": header,
            "expected": want,
        }));
    }
    Ok(Json::Array(cases))
}
