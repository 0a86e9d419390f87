//! Validly signed but hostile cookies, and hostile headers: refused cleanly (empty session), never a panic.
//! (The Flask-generated `tamper.json` vectors cover the rest; these need sizes a vector file should not hold.)

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use session_core::{
    CookieCodec, Keyring, SecretKey, SessionConfig, SessionError, SignerOptions, wire::signer::TimestampSigner,
};

const NOW: u64 = 1_700_000_000;

fn key() -> SecretKey {
    SecretKey::parse("hostile-test-key-0123").expect("valid key")
}

/// Signs raw payload text as an attacker holding the key would.
fn signed(payload_json: &[u8]) -> String {
    TimestampSigner::new(&Keyring::new(key()), SignerOptions::default())
        .sign(&URL_SAFE_NO_PAD.encode(payload_json), NOW)
}

fn check(cookie: &str) -> Result<(), SessionError> {
    let codec = CookieCodec::new(&Keyring::new(key()), SignerOptions::default());
    codec.decode(cookie, NOW, Some(3600)).map(|_| ())
}

fn kind(cookie: &str) -> &'static str {
    check(cookie).err().map_or("valid", |e| e.kind().as_str())
}

#[test]
fn deep_array_nesting_is_refused() {
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(200_000), "]".repeat(200_000));
    assert_eq!(kind(&signed(deep.as_bytes())), "bad_payload");
}

#[test]
fn deep_tag_nesting_is_refused() {
    let deep = format!("{{\"a\":{}1{}}}", "{\" t\":[".repeat(50_000), "]}".repeat(50_000));
    assert_eq!(kind(&signed(deep.as_bytes())), "bad_payload");
}

#[test]
fn nesting_within_the_limit_is_fine() {
    let ok = format!("{{\"a\":{}{}}}", "[".repeat(400), "]".repeat(400));
    assert_eq!(kind(&signed(ok.as_bytes())), "valid");
}

#[test]
fn huge_numbers() {
    let digits = "9".repeat(100_000);
    assert_eq!(kind(&signed(format!("{{\"a\":{digits}}}").as_bytes())), "bad_payload");
    // A float literal that overflows is infinity in Python too.
    assert_eq!(kind(&signed(format!("{{\"a\":{digits}.0}}").as_bytes())), "valid");
}

#[test]
fn invalid_utf8_and_garbage() {
    assert_eq!(kind(&signed(b"{\"a\":\"\xff\"}")), "bad_payload");
    assert_eq!(kind(&signed(&[0u8; 1000])), "bad_payload");
    let garbage = "x".repeat(100_000);
    assert_eq!(kind(&garbage), "malformed");
    assert_eq!(kind(&format!("{garbage}.{garbage}.{garbage}")), "bad_signature");
    for s in ["", ".", "..", "...", "....", ".a.b", "a..b"] {
        assert!(check(s).is_err(), "{s:?} accepted");
    }
}

#[test]
fn zlib_bomb_is_bounded() {
    use flate2::{Compression, write::ZlibEncoder};
    use std::io::Write as _;
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    z.write_all(b"{\"a\":\"").expect("in memory");
    z.write_all(&vec![b' '; 64 << 20]).expect("in memory");
    z.write_all(b"\"}").expect("in memory");
    let compressed = z.finish().expect("in memory");
    let payload = format!(".{}", URL_SAFE_NO_PAD.encode(compressed));
    let cookie = TimestampSigner::new(&Keyring::new(key()), SignerOptions::default()).sign(&payload, NOW);
    assert!(matches!(check(&cookie), Err(SessionError::PayloadTooLarge { limit }) if limit == 1 << 20));
}

#[test]
fn hostile_headers() {
    let config = SessionConfig::builder()
        .secret_key(key())
        .build()
        .expect("valid config");
    let good = CookieCodec::new(&Keyring::new(key()), SignerOptions::default()).encode(
        &[("u".to_owned(), session_core::Value::Int(1))]
            .into_iter()
            .collect::<session_core::Map>(),
        NOW,
    );
    // Many cookies with the session's name: the first wins, as in Werkzeug.
    let many = std::iter::once(format!("session={good}"))
        .chain((0..10_000).map(|i| format!("session=junk{i}")))
        .collect::<Vec<_>>()
        .join("; ");
    let loaded = config.load([many.as_str()], NOW);
    assert!(loaded.refused.is_none());
    assert_eq!(loaded.session.get::<i64>("u").expect("int"), Some(1));
    // A huge header of junk: an empty session, no panic.
    let huge = "a=b; ".repeat(200_000) + "session=" + &"Z".repeat(100_000);
    let loaded = config.load([huge.as_str()], NOW);
    assert!(loaded.session.is_empty() && loaded.refused.is_some());
    // Empty value: a new session, nothing to log.
    let loaded = config.load(["session="], NOW);
    assert!(loaded.session.is_empty() && loaded.refused.is_none());
}

#[test]
fn absurd_timestamps() {
    let signer = TimestampSigner::new(&Keyring::new(key()), SignerOptions::default());
    let codec = CookieCodec::new(&Keyring::new(key()), SignerOptions::default());
    let p = URL_SAFE_NO_PAD.encode(b"{}");
    for ts in [u64::MAX, i64::MAX as u64, 253_402_300_800] {
        assert_eq!(
            codec
                .decode(&signer.sign(&p, ts), NOW, Some(60))
                .map(|_| ())
                .unwrap_err()
                .kind(),
            "bad_payload"
        );
    }
    assert_eq!(
        codec
            .decode(&signer.sign(&p, NOW + 1), NOW, Some(60))
            .map(|_| ())
            .unwrap_err()
            .kind(),
        "expired"
    );
}

/// Signs `json` compressed, as Flask would write a large payload.
fn signed_compressed(json: &[u8]) -> String {
    use flate2::{Compression, write::ZlibEncoder};
    use std::io::Write as _;
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    z.write_all(json).expect("in memory");
    let payload = format!(".{}", URL_SAFE_NO_PAD.encode(z.finish().expect("in memory")));
    TimestampSigner::new(&Keyring::new(key()), SignerOptions::default()).sign(&payload, NOW)
}

#[test]
fn payloads_that_amplify_into_many_values_are_refused() {
    // Each inflates to under 1 MiB (so the inflation bound lets them through) but would become hundreds of
    // thousands of values: about 70 MiB for the tuple of characters (a 1.4 KB cookie) before the value budget
    // existed. (Distinct keys do not compress, so that cookie is large; the budget refuses it all the same.)
    let x = "x".repeat(1_000_000);
    let zeros = vec!["0"; 450_000].join(",");
    let empties = vec!["{}"; 300_000].join(",");
    let keys: String = (0..100_000).map(|i| format!("\"{i:x}\":0,")).collect();
    let bytes = "A".repeat(1_000_000);
    for (what, json) in [
        ("tuple of characters", format!(r#"{{"a":{{" t":"{x}"}}}}"#)),
        ("list of numbers", format!(r#"{{"a":[{zeros}]}}"#)),
        ("list of empty objects", format!(r#"{{"a":[{empties}]}}"#)),
        ("object with many keys", format!(r#"{{{keys}"z":0}}"#)),
        ("tuple of bytes", format!(r#"{{"a":{{" t":{{" b":"{bytes}"}}}}}}"#)),
    ] {
        assert!(json.len() < 1 << 20, "{what}: {} bytes", json.len());
        let started = std::time::Instant::now();
        let cookie = signed_compressed(json.as_bytes());
        assert_eq!(kind(&cookie), "bad_payload", "{what}");
        eprintln!(
            "{what}: {} byte cookie, refused in {:?}",
            cookie.len(),
            started.elapsed()
        );
    }
}

#[test]
fn a_large_legitimate_session_is_within_the_value_budget() {
    // 5,000 list items and 1,000 keys: far beyond what fits in a 4 KB cookie, even compressed.
    let items = (0..5_000).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let keys: String = (0..1_000).map(|i| format!("\"k{i}\":[{i},\"v\"],")).collect();
    let json = format!(r#"{{{keys}"list":[{items}],"t":{{" t":"{}"}}}}"#, "y".repeat(2_000));
    assert_eq!(kind(&signed_compressed(json.as_bytes())), "valid");
}
