//! Arbitrary bytes as a session cookie in every format (Flask, Starlette, Django, Rails, actix-session private and
//! signed): the first byte picks the format, the rest is the cookie value. Loads it through `SessionConfig::load`
//! with the keys the vectors are made with (so seeds from real cookies open and the fuzzer reaches each decoder's
//! payload reader: tagged/plain JSON, zlib, the Rails envelope, actix-session's state), then saves what loaded
//! with the session modified. Must never panic; a refusal is an empty session.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_core::{Digest, Format, SecretKey, SessionConfig};

/// The vectors' `now`.
const NOW: u64 = 1_700_000_000;
/// The key of the Flask, Starlette and Django vectors.
const PY_KEY: &str = "secret-key-1";
/// `secret_key_base` of the Rails vectors (scripts/rails_vectors.rb).
const RAILS_KEY: &str = "831c13dc4d6791e173696a221d1ea17fb2e59608ab4cd65e63f59ade57dffbe0345788a70ede54a84ab7bba4f21f1680e4063988f7ad7098e0dbd21ec2b22c39";
/// The 64-byte `cookie::Key` of the actix-session vectors (interop/actix-session-ref).
const ACTIX_KEY: &str = "hex:00070e151c232a31383f464d545b626970777e858c939aa1a8afb6bdc4cbd2d9e0e7eef5fc030a11181f262d343b424950575e656c737a81888f969da4abb2b9";

const FORMATS: [Format; 7] = [
    Format::Flask,
    Format::Starlette,
    Format::Django,
    Format::Rails,
    Format::Rails, // with the SHA-1 derivation (Rails 5.2 to 6.1)
    Format::ActixPrivate,
    Format::ActixSigned,
];

fn config(pick: u8) -> SessionConfig {
    let i = usize::from(pick) % FORMATS.len();
    let format = FORMATS[i];
    let key = match format {
        Format::Rails => SecretKey::parse(RAILS_KEY),
        Format::ActixPrivate | Format::ActixSigned => SecretKey::parse(ACTIX_KEY),
        _ => SecretKey::parse_insecure_short(PY_KEY),
    }
    .expect("fixed key parses");
    let mut builder = SessionConfig::builder().format(format).secret_key(key);
    if i == 4 {
        builder = builder.digest(Digest::Sha1);
    }
    builder.build().expect("fixed config builds")
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let config = config(pick);
    // Header values reach the core as text; lossy conversion keeps invalid bytes in play.
    let header = format!("{}={}", config.cookie_name(), String::from_utf8_lossy(rest));
    let mut loaded = config.load([header.as_str()], NOW);
    let _ = config.save(&loaded.session, true, NOW);
    loaded.session.insert_value("fuzz", 1);
    let _ = config.save(&loaded.session, true, NOW);
});
