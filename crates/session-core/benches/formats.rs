//! Encode/decode of every wire format on the same payloads (`cargo xtask bench` reads the medians).
//!
//! Ids: `formats/{flask,starlette,django}/{encode,decode}/{typical,large}`. Each format gets the session of
//! `testdata/bench/session_{typical,large}.json` as its serializer stores it: Flask the tagged values; the
//! plain-JSON formats the same JSON read without tags (a `{" t": [...]}` stays a dict), which is also what
//! `scripts/bench_formats.py` gives Starlette's and Django's own serializers. Defaults of each format (Flask and
//! Django compress when it helps, Starlette never). `SESSION_BENCH_QUICK=1` shortens every measurement.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use session_core::wire::json::{from_plain_json, from_tagged_json};
use session_core::{CookieCodec, Format, Keyring, Map, SecretKey, Value};

/// The same secret as `scripts/bench_formats.py`.
const SECRET: &str = "bench-secret-key-0123456789abcdef";
const TS: u64 = 1_700_000_000;
const NOW: u64 = TS + 60;

const PAYLOADS: [(&str, &str); 2] = [
    ("typical", include_str!("../../../testdata/bench/session_typical.json")),
    ("large", include_str!("../../../testdata/bench/session_large.json")),
];

fn config() -> Criterion {
    let quick = std::env::var_os("SESSION_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0");
    let (measure, warm, samples) = if quick {
        (Duration::from_millis(400), Duration::from_millis(150), 10)
    } else {
        (Duration::from_secs(2), Duration::from_millis(500), 30)
    };
    Criterion::default()
        .measurement_time(measure)
        .warm_up_time(warm)
        .sample_size(samples)
}

fn session(format: Format, file: &str) -> Map {
    let doc: serde_json::Value = serde_json::from_str(file).expect("payload file is JSON");
    let text = serde_json::to_vec(&doc["session"]).expect("serializable");
    let value = match format {
        Format::Flask => from_tagged_json(&text),
        _ => from_plain_json(&text),
    };
    match value.expect("payload parses") {
        Value::Dict(m) => m,
        _ => panic!("the session is not an object"),
    }
}

fn main() {
    let mut c = config();
    let ring = Keyring::new(SecretKey::parse(SECRET).expect("a valid bench key"));
    // The signed single-cookie formats (the encrypted ones are measured in `cargo xtask bench`).
    for format in [Format::Flask, Format::Starlette, Format::Django] {
        let codec = CookieCodec::for_format(format, &ring, format.defaults().signer);
        let max_age = Some(format.defaults().lifetime);
        let mut group = c.benchmark_group(format!("formats/{format}"));
        for (name, file) in PAYLOADS {
            let map = session(format, file);
            let cookie = codec.encode(&map, TS);
            assert_eq!(codec.decode(&cookie, NOW, max_age).expect("round trip").data, map);
            group.bench_with_input(BenchmarkId::new("encode", name), &map, |b, m| {
                b.iter(|| codec.encode(black_box(m), TS));
            });
            group.bench_with_input(BenchmarkId::new("decode", name), &cookie, |b, ck| {
                b.iter(|| codec.decode(black_box(ck), NOW, max_age).expect("valid"));
            });
        }
        group.finish();
    }
    c.final_summary();
}
