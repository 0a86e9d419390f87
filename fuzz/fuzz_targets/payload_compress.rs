//! Any bytes through the write path's compressor (Flask's rule, `session_core::wire::payload::encode_payload`, which
//! uses the cookie-sized deflate for inputs up to 32 KiB) and back through zlib's inflater
//! (`decode_payload`, flate2's zlib): the bytes must come back exactly, and a compressed payload must obey
//! Flask's rule (the zlib stream at least two bytes shorter than the input).
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_core::Compression;
use session_core::wire::payload::{decode_payload, encode_payload};

fuzz_target!(|data: &[u8]| {
    let payload = encode_payload(data, Compression::Flask);
    let back = decode_payload(&payload, data.len() + 1)
        .unwrap_or_else(|e| panic!("our own payload does not decode: {e}"));
    assert_eq!(back, data, "round trip changed the bytes");
    if let Some(b64) = payload.strip_prefix('.') {
        let stream_len = b64.len() * 3 / 4;
        assert!(
            stream_len < data.len() - 1,
            "compressed {} bytes into a {stream_len}-byte stream: Flask's rule would not use it",
            data.len()
        );
    }
});
