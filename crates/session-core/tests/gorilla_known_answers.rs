//! gorilla's known answers (`testdata/vectors/gorilla_scenarios.json`, `known_answer`: a session's gob and
//! cookie made by real gorilla/sessions in a fresh Go process, at a fixed clock, without a block key): our gob
//! reader and writer give Go's bytes back, and our codec writes Go's very cookie for the session it reads from
//! it (so a session whose values are Go's own types, an `int64`, a `time.Time`, an app's struct, survives).
#![allow(clippy::unwrap_used, reason = "a test that fails should fail loudly")]

use session_core::wire::gob::{decode_session, encode_session};
use session_core::wire::pyjson::{Separators, dumps_map};
use session_core::{CookieCodec, Format, Keyring, SecretKey};

#[test]
fn ours_are_gorillas_bytes() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/vectors/gorilla_scenarios.json"
    );
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut checked = 0;
    for case in doc["cases"].as_array().unwrap() {
        let Some(known) = case.get("known_answer") else {
            continue;
        };
        let id = case["id"].as_str().unwrap();
        let gob: Vec<u8> = (0..known["gob_hex"].as_str().unwrap().len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&known["gob_hex"].as_str().unwrap()[i..i + 2], 16).unwrap())
            .collect();
        let session = decode_session(&gob, 1000).unwrap();
        assert_eq!(
            dumps_map(&session, Separators::COMPACT),
            known["session"].as_str().unwrap(),
            "{id}"
        );
        assert_eq!(encode_session(&session).unwrap(), gob, "{id}: gob");
        let ours = &case["ours"];
        let codec = CookieCodec::encrypted(
            Format::Gorilla,
            &Keyring::new(SecretKey::parse_insecure_short(ours["secret_key"].as_str().unwrap()).unwrap()),
            Format::Gorilla.defaults().signer,
            ours["cookie_name"].as_str().unwrap(),
            0,
        )
        .unwrap();
        let now = case["now"].as_u64().unwrap();
        let cookie = known["cookie"].as_str().unwrap();
        let decoded = codec.decode(cookie, now, Some(30 * 86_400)).unwrap();
        assert_eq!(decoded.data, session, "{id}");
        assert_eq!(codec.try_encode(&decoded.data, now).unwrap(), cookie, "{id}: cookie");
        checked += 1;
    }
    assert_eq!(checked, 6, "every known answer checked");
}
