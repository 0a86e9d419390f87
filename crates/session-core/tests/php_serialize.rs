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

/// PHP's `unserialize()` at the edges of its grammar (`testdata/php/unserialize.json`, made by
/// `scripts/laravel_vectors.php`): a text PHP refuses is refused; a text PHP reads is read, and written back
/// as PHP writes what it read (with map keys sorted), except an object, kept as the text it came in; a text
/// marked with a divergence (docs/divergences.md) is one PHP reads and we refuse.
#[test]
fn our_reader_reads_what_php_unserializes() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/php/unserialize.json");
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() > 100);
    let divergences =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/divergences.md"))
            .unwrap();
    for c in cases {
        let what = c["what"].as_str().unwrap();
        let text = STANDARD.decode(c["text"].as_str().unwrap()).unwrap();
        let ours = php::decode(&text, 100_000);
        let php = c["php"].as_str().map(|p| STANDARD.decode(p).unwrap());
        match (c["divergence"].as_str(), php) {
            (Some(name), Some(_)) => {
                assert!(
                    divergences.contains(&format!("`{name}`")),
                    "{what}: {name} is not in docs/divergences.md"
                );
                assert!(
                    ours.is_err(),
                    "{what}: PHP reads it and we refuse it ({name}), but we read {ours:?}"
                );
            }
            (None, None) => assert!(ours.is_err(), "{what}: PHP refuses it, we read {ours:?}"),
            (None, Some(php)) => {
                let value = ours.unwrap_or_else(|e| panic!("{what}: PHP reads it, we refuse it: {e}"));
                let mut written = Vec::new();
                php::write(&value, &mut written).unwrap();
                let object = matches!(text.first(), Some(b'O' | b'C' | b'E'));
                let want = if object { &text } else { &php };
                assert_eq!(
                    String::from_utf8_lossy(&written),
                    String::from_utf8_lossy(want),
                    "{what}"
                );
            }
            (Some(name), None) => panic!("{what}: a divergence ({name}) on a text PHP refuses"),
        }
    }
}
