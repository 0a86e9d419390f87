//! The PHP reader and writer against PHP's own `serialize()`: 400 random values PHP wrote
//! (`testdata/php/serialize.json`, made by `scripts/laravel_vectors.php`), each read and written back must give
//! PHP's text of the same value with its map keys sorted (the order our writer keeps), byte for byte: floats
//! as PHP writes them, integer and numeric-looking keys as PHP stores them, strings as bytes.
#![allow(clippy::unwrap_used, reason = "a test that fails should fail loudly")]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use session_core::wire::php;

#[test]
fn our_writer_gives_back_what_php_writes() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/php/serialize.json");
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 400);
    for (i, c) in cases.iter().enumerate() {
        let serialized = STANDARD.decode(c["serialized"].as_str().unwrap()).unwrap();
        let sorted = STANDARD.decode(c["sorted"].as_str().unwrap()).unwrap();
        let value = php::decode(&serialized, 100_000)
            .unwrap_or_else(|e| panic!("case {i}: {e}: {}", String::from_utf8_lossy(&serialized)));
        let mut ours = Vec::new();
        php::write(&value, &mut ours).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&sorted),
            "case {i}: PHP wrote {}",
            String::from_utf8_lossy(&serialized)
        );
        assert_eq!(ours, sorted, "case {i}");
    }
}
