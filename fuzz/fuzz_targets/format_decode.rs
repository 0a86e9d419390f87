//! Arbitrary bytes as a request's `Cookie` header in every registered format (`Format::ALL`, so a new format is
//! fuzzed without a change here): the first byte picks the format (low nibble, modulo the registry's length;
//! one more value is Rails with its SHA-1 derivation) and the key set (high nibble: the Python vectors' key,
//! Rails', actix-session's, Express', iron-session's, Auth.js', gorilla's, Laravel's; a key the format refuses skips the input), the rest is the whole header,
//! so multi-cookie formats (Express' `session` and `session.sig`) get every cookie. Loads it through
//! `SessionConfig::load` with the keys the vectors are made with (so seeds from real cookies open and the fuzzer
//! reaches each decoder's payload reader: tagged/plain JSON, zlib, the Rails envelope, actix-session's state,
//! Node's base64), then saves what loaded with the session modified. Must never panic; a refusal is an empty
//! session.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_core::{Digest, Format, SecretKey, SessionConfig};

/// The vectors' `now`.
const NOW: u64 = 1_700_000_000;
/// The keys of the vectors, by the input's high nibble: Flask, Starlette and Django; Rails' `secret_key_base`
/// (scripts/rails_vectors.rb); actix-session's 64-byte `cookie::Key` (interop/actix-session-ref); Express'
/// (scripts/express_vectors.js); iron-session's password (scripts/iron_vectors.js); Auth.js' and next-auth's
/// secret (scripts/authjs_vectors.js); gorilla's hash key (scripts/gorilla_vectors); Laravel's APP_KEY
/// (scripts/laravel_vectors.php).
const KEYS: [&str; 8] = [
    "secret-key-1",
    "831c13dc4d6791e173696a221d1ea17fb2e59608ab4cd65e63f59ade57dffbe0345788a70ede54a84ab7bba4f21f1680e4063988f7ad7098e0dbd21ec2b22c39",
    "hex:00070e151c232a31383f464d545b626970777e858c939aa1a8afb6bdc4cbd2d9e0e7eef5fc030a11181f262d343b424950575e656c737a81888f969da4abb2b9",
    "express-key-current-0001",
    "iron-password-current-0001-abcdefgh",
    "authjs-secret-current-0001",
    "gorilla-hash-key-current-0001",
    "base64:bGFyYXZlbC12ZWN0b3JzLWtleS0wMDAxLWN1cnJlbnQ=",
];

fn config(pick: u8) -> Option<SessionConfig> {
    let formats = Format::ALL;
    let i = usize::from(pick & 0x0f) % (formats.len() + 1);
    // One past the registry: Rails with the SHA-1 derivation (Rails 5.2 to 6.1).
    let (format, sha1) = match formats.get(i) {
        Some(&f) => (f, false),
        None => (Format::Rails, true),
    };
    let key = SecretKey::parse_insecure_short(KEYS[usize::from(pick >> 4) % KEYS.len()]).ok()?;
    // iron-session has no default cookie name: the vectors' own.
    let mut builder = SessionConfig::builder()
        .format(format)
        .secret_key(key)
        .cookie_chunks(4);
    if format == Format::IronSession {
        builder = builder.cookie_name("iron_session");
    }
    // gorilla's cookie is named by the Go app's session name: the vectors'.
    if format == Format::Gorilla {
        builder = builder.cookie_name("session-name");
    }
    if sha1 {
        builder = builder.digest(Digest::Sha1);
    }
    builder.build().ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Some(config) = config(pick) else {
        return;
    };
    // Header values reach the core as text; lossy conversion keeps invalid bytes in play.
    let header = String::from_utf8_lossy(rest);
    let mut loaded = config.load([header.as_ref()], NOW);
    let _ = config.save(&loaded.session, true, NOW);
    loaded.session.insert_value("fuzz", 1);
    let _ = config.save(&loaded.session, true, NOW);
});
