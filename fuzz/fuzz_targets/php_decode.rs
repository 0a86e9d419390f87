//! Bytes as PHP `serialize()` text. Never a panic; when they read, writing the value and reading that text
//! again gives the same text (the writer's output is a fixed point), and an object's text comes back as it was.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_core::Value;
use session_core::wire::php::{decode, write};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = decode(data, 10_000) else { return };
    let mut text = Vec::new();
    write(&value, &mut text).expect("a value read from PHP is writable as PHP");
    let again = decode(&text, 10_000).unwrap_or_else(|e| {
        panic!("our own output does not read: {e}\ntext: {}", String::from_utf8_lossy(&text))
    });
    let mut text2 = Vec::new();
    write(&again, &mut text2).expect("writable");
    assert_eq!(text, text2, "PHP serialize round trip is not stable");
    if let Value::Foreign(f) = &value {
        assert!(data.starts_with(f.encoded()), "an object's text is kept whole");
    }
});
