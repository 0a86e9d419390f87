//! Arbitrary bytes as a gob stream holding a gorilla session (`decode_session`, the value budget of the
//! cookies): it never panics; what it reads is written again (`encode_session`), and that stream reads back
//! to a session that writes the very same bytes (a value, Go's foreign types included, survives a round trip).
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_core::wire::gob::{decode_session, encode_session};
use session_core::wire::json::DEFAULT_MAX_VALUES;

fuzz_target!(|data: &[u8]| {
    let Ok(map) = decode_session(data, DEFAULT_MAX_VALUES) else {
        return;
    };
    let written = encode_session(&map).expect("a session gob read is one gob can write");
    let again = decode_session(&written, usize::MAX).expect("our own stream reads back");
    assert_eq!(encode_session(&again).expect("written again"), written);
});
