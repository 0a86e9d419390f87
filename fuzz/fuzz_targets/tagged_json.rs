//! Bytes as Flask tagged JSON. When they parse, writing the value and parsing that text again must give
//! the same text (the writer's output is a fixed point), and never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_core::wire::json::{from_tagged_json, to_tagged_json};

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = from_tagged_json(data) {
        let text = to_tagged_json(&value);
        let again = from_tagged_json(text.as_bytes())
            .unwrap_or_else(|e| panic!("our own output does not parse: {e}\ntext: {text}"));
        let text2 = to_tagged_json(&again);
        if text != text2 && has_year_below_100(&text) {
            // Known and Flask-compatible (found by this target, checked against Flask 3.1.3): a " d" date in
            // years 1-99 is written "Thu, 31 Dec 0099 ..." and read back as 1999 (email.utils's two-digit-year
            // rule), in Flask too. Not a fixed point, by design of the format; anything else is a failure.
            return;
        }
        assert_eq!(text, text2, "tagged JSON round trip is not stable");
    }
});

/// Whether the text holds an HTTP date whose year is `00NN` (`... Mon 00NN HH:...`).
fn has_year_below_100(text: &str) -> bool {
    text.as_bytes().windows(9).any(|w| {
        w[0].is_ascii_alphabetic()
            && w[1] == b' '
            && w[2..4] == *b"00"
            && w[4].is_ascii_digit()
            && w[5].is_ascii_digit()
            && w[6] == b' '
            && w[7].is_ascii_digit()
            && w[8].is_ascii_digit()
    })
}
