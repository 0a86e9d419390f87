//! Decodes one of the benchmark cookies `N` times, for instruction counts that do not depend on how busy the
//! machine is (the codec alone; `cargo xtask bench --instructions` counts whole requests, see `docs/benchmarks.md`):
//!
//! ```sh
//! cargo build --release -p session-core --example decode_loop
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/decode_loop large_nc 200
//! ```
//!
//! Run it with `N` = 0 as well and subtract: the difference ÷ `N` is the instructions per operation, without the
//! set-up (key derivation, building the cookie). Workloads: `typical`, `large` (default settings: compressed
//! cookies), `typical_nc`, `large_nc` (`Compression::Never`), each a `CookieCodec::decode` at 60 s of age; `read`:
//! the HTTP benchmark's `/read` in process (a `SessionHandle` from the `Cookie` header, `get::<String>`,
//! `finish()`); `write`: the same plus `counter += 1` (a `Set-Cookie`).

use std::hint::black_box;

use session_core::wire::json::from_tagged_json;
use session_core::{
    Compression, CookieCodec, Keyring, Map, SecretKey, SessionConfig, SessionHandle, SignerOptions, Value,
};

const TS: u64 = 1_700_000_000;

fn payload(name: &str) -> Map {
    let path = format!(
        "{}/../../testdata/bench/session_{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: serde_json::Value = serde_json::from_str(&text).expect("the bench payload is JSON");
    let session = serde_json::to_vec(&doc["session"]).expect("serializable");
    match from_tagged_json(&session).expect("tagged JSON") {
        Value::Dict(map) => map,
        _ => panic!("{path}: the session is not an object"),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: decode_loop (typical|large|typical_nc|large_nc|read|write) N";
    let (Some(what), Some(n)) = (args.next(), args.next().and_then(|n| n.parse::<usize>().ok())) else {
        panic!("{usage}");
    };
    let key = SecretKey::parse("bench-secret-key-0123456789abcdef").expect("a valid key");
    let codec = CookieCodec::new(&Keyring::new(key.clone()), SignerOptions::default());
    let plain = codec.clone().with_compression(Compression::Never);
    let (codec, cookie) = match what.as_str() {
        "typical" => (&codec, codec.encode(&payload("typical"), TS)),
        "large" => (&codec, codec.encode(&payload("large"), TS)),
        "typical_nc" => (&plain, plain.encode(&payload("typical"), TS)),
        "large_nc" => (&plain, plain.encode(&payload("large"), TS)),
        "read" | "write" => {
            let config = SessionConfig::builder()
                .secret_key(key)
                .build()
                .expect("default settings");
            let mut login = Map::new();
            login.insert("counter".into(), Value::Int(0));
            login.insert("username".into(), Value::Str("alice".into()));
            let line = format!("session={}", codec.encode(&login, TS));
            for _ in 0..n {
                let handle = SessionHandle::from_headers(config.clone(), [line.as_bytes()], TS + 60);
                black_box(handle.get::<String>("username").expect("a string"));
                if what == "write" {
                    let n: i64 = handle.get("counter").expect("an integer").unwrap_or(0);
                    handle.insert("counter", &(n + 1)).expect("an integer");
                }
                black_box(handle.finish().expect("saved"));
            }
            return;
        }
        _ => panic!("{usage}"),
    };
    for _ in 0..n {
        black_box(
            codec
                .decode(black_box(&cookie), TS + 60, Some(31 * 24 * 3600))
                .expect("decodes"),
        );
    }
}
