//! Arbitrary bytes as a cookie value: verified decode with a fixed key, and the unverified decode.
//! Must never panic, whatever the input; success or a clean error are both fine.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_core::{CookieCodec, DEFAULT_MAX_DECOMPRESSED, Keyring, SecretKey, SignerOptions, decode_unverified};

/// The key most vectors are signed with, so seeds verify and the fuzzer reaches the payload decoder.
const KEY: &str = "secret-key-1";
/// The vectors' `now` and `max_age`.
const NOW: u64 = 1_700_000_000;
const MAX_AGE: u64 = 2_678_400;

fuzz_target!(|data: &[u8]| {
    // Cookie values reach the core as `&str` (header values); lossy conversion keeps invalid bytes in play.
    let cookie = String::from_utf8_lossy(data);
    let key = SecretKey::parse_insecure_short(KEY).expect("fixed key parses");
    let codec = CookieCodec::new(&Keyring::new(key), SignerOptions::default());
    let _ = codec.decode(&cookie, NOW, Some(MAX_AGE));
    let _ = codec.decode(&cookie, NOW, None);
    let _ = decode_unverified(&cookie, DEFAULT_MAX_DECOMPRESSED);
});
