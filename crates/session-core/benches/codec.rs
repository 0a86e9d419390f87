//! Cookie codec benchmarks: our encode/decode, the raw floor and the `cookie` crate peer, in one run.
//!
//! Benchmark ids are stable; `cargo xtask bench` reads their medians from `target/criterion/**/new/`:
//!
//! - `encode/{typical,large}`, `decode/{typical,large}`: [`CookieCodec`] with default settings (Flask's
//!   compression rule: both payloads compress, so both cookies are zlib cookies, as Flask writes them).
//! - `encode_nocompress/*`, `decode_nocompress/*`: the same with [`Compression::Never`].
//! - `decode` checks the whole payload but builds no value (lazy decoding); `decode_get_one/*` is
//!   `decode` plus reading one key (`_user_id`, what a login check reads), `decode_get_all/*` plus building
//!   every value (the full work, as a handler that reads everything pays it). `decode_eager/*` is the decode as
//!   it was before lazy decoding (verify, payload, the whole value tree built, Flask's session shape rule): the
//!   baseline for that change, measured in the same run.
//! - `get_json/*`: every top-level value converted with serde into a `serde_json::Value` (what
//!   `Session::get::<T>` does for any `T`), from values already built; `get_json_via_value/*` is the
//!   conversion as it was before (`serde_json::Value::from(&value)` first, then `serde_json::from_value`).
//! - `floor/*`: the components measured alone (`hmac_sha1` over the signed part of the uncompressed cookie with a
//!   pre-keyed state cloned, `base64_encode`/`base64_decode` of the JSON, `serde_json_serialize`/`serde_json_parse`
//!   of a `serde_json::Value`), and `floor/encode`, `floor/decode`: those three composed naively (no zlib, no
//!   tags, no age check). It produces the same bytes as `encode_nocompress`.
//! - `parts/*`: our own stages alone (tagged JSON write/parse, the zlib payload step), to show where time goes.
//!   `parts/zlib_payload_encode_zlib6/*` is the payload step as it was before the cookie-sized compressor
//!   (flate2's zlib at level 6, one reused stream, Flask's rule, base64): the baseline for that change, measured
//!   in the same run; `parts/deflate_zlib6/*` is that compressor alone and `parts/inflate_zlib/*` zlib's inflate
//!   alone (reused state), to show how much of the payload steps they are. `parts/zlib_payload_encode{,_zlib6}/
//!   write_route` is the payload step for the HTTP benchmark's `/write` session (36 bytes, never compressed).
//! - `peer_cookie_signed/{encode,decode}/*`: the `cookie` crate's `SignedJar` (HMAC-SHA256) + `serde_json`.
//! - `request/{read_anon,read,floor}`: the session work of the HTTP benchmark's `/read` (the target "a read with
//!   a session ÷ the same request without one"), in process: a [`SessionHandle`] made from the request's
//!   `Cookie` header, `get::<String>("username")`, `finish()`, without a cookie (`read_anon`) and with the
//!   `/login-setup` cookie (`{"counter":0,"username":"alice"}`, 64 B, uncompressed; `read`); `floor` is the
//!   least a signed-cookie read can do for the same header (the `floor` decode above, plus finding the cookie
//!   and taking `username`), as `benches-http`'s `/floor` route does it. `read - read_anon` is what a session
//!   adds to a read; `floor - read_anon` is the least any signed cookie could add.
//!
//! The payloads are `testdata/bench/session_{typical,large}.json` (Flask tagged JSON, 167 and 3,108 bytes).
//! `SESSION_BENCH_QUICK=1` shortens every measurement (for `cargo xtask bench --quick`).

use std::hint::black_box;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{BenchmarkId, Criterion};
use hmac::{Hmac, Mac};
use session_core::wire::json::from_tagged_json_with_limit;
use session_core::wire::json::{from_tagged_json, map_to_tagged_json};
use session_core::wire::payload::{decode_payload, encode_payload};
use session_core::wire::signer::{FLASK_SALT, TimestampSigner};
use session_core::{
    Compression, CookieCodec, DEFAULT_MAX_DECOMPRESSED, Keyring, Map, SecretKey, SessionConfig, SessionHandle,
    SignerOptions, Value,
};
use sha1::Sha1;

/// The same secret as `scripts/bench_flask.py`.
const SECRET: &str = "bench-secret-key-0123456789abcdef";
const TS: u64 = 1_700_000_000;
const NOW: u64 = TS + 60;
/// Flask's default `PERMANENT_SESSION_LIFETIME` (31 days), which it also uses as `max_age` on load.
const MAX_AGE: u64 = 31 * 24 * 3600;

const PAYLOADS: [(&str, &str); 2] = [
    ("typical", include_str!("../../../testdata/bench/session_typical.json")),
    ("large", include_str!("../../../testdata/bench/session_large.json")),
];

/// One payload, prepared every way the benchmarks need it.
struct Case {
    name: &'static str,
    map: Map,
    json: serde_json::Value,
    cookie: String,
    cookie_nocompress: String,
    peer_cookie: String,
}

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

fn main() {
    let key = SecretKey::parse(SECRET).expect("a valid bench key");
    let codec = CookieCodec::new(&Keyring::new(key), SignerOptions::default());
    let plain = codec.clone().with_compression(Compression::Never);
    let floor = Floor::new(SECRET.as_bytes());
    let peer_key = cookie::Key::from(&[7u8; 64]);

    let cases: Vec<Case> = PAYLOADS
        .iter()
        .map(|&(name, file)| {
            let doc: serde_json::Value = serde_json::from_str(file).expect("payload file is JSON");
            let session = serde_json::to_vec(&doc["session"]).expect("serializable");
            let map = match from_tagged_json(&session).expect("payload is tagged JSON") {
                Value::Dict(m) => m,
                _ => panic!("{name}: the session is not an object"),
            };
            let json: serde_json::Value = serde_json::from_slice(&session).expect("JSON");
            let cookie = codec.encode(&map, TS);
            let cookie_nocompress = plain.encode(&map, TS);
            let peer_cookie = peer_encode(&peer_key, &json);
            // The measured paths must be correct, not just fast.
            assert_eq!(codec.decode(&cookie, NOW, Some(MAX_AGE)).expect("decodes").data, map);
            assert_eq!(
                plain
                    .decode(&cookie_nocompress, NOW, Some(MAX_AGE))
                    .expect("decodes")
                    .data,
                map
            );
            assert_eq!(floor.decode(&floor.encode(&json, TS)), Some(json.clone()));
            assert_eq!(peer_decode(&peer_key, &peer_cookie), Some(json.clone()));
            let same = floor.encode(&json, TS) == cookie_nocompress;
            eprintln!(
                "{name}: tagged JSON {} B; cookie {} B (default, compressed: {}), {} B uncompressed; \
                 floor output identical to encode_nocompress: {same}; cookie-crate value {} B",
                map_to_tagged_json(&map).len(),
                cookie.len(),
                cookie.split('.').next() == Some(""),
                cookie_nocompress.len(),
                peer_cookie.len(),
            );
            Case {
                name,
                map,
                json,
                cookie,
                cookie_nocompress,
                peer_cookie,
            }
        })
        .collect();

    let mut c = config().configure_from_args();
    ours(&mut c, &cases, &codec, &plain);
    lazy(&mut c, &cases, &codec);
    floor_benches(&mut c, &cases, &floor);
    parts(&mut c, &cases);
    peer(&mut c, &cases, &peer_key);
    request(&mut c, &codec, &floor);
    c.final_summary();
}

/// `request/*`: the session work of one `/read` request, with and without the session cookie, and the floor.
fn request(c: &mut Criterion, codec: &CookieCodec, floor: &Floor) {
    let key = SecretKey::parse(SECRET).expect("a valid bench key");
    let config = SessionConfig::builder()
        .secret_key(key)
        .build()
        .expect("default settings");
    let mut login = Map::new();
    login.insert("counter".into(), Value::Int(0));
    login.insert("username".into(), Value::Str("alice".into()));
    let line = format!("session={}", codec.encode(&login, TS));
    let read = |lines: &[&[u8]]| {
        let handle = SessionHandle::from_headers(config.clone(), lines.iter().copied(), NOW);
        let name = handle.get::<String>("username").ok().flatten();
        (name, handle.finish())
    };
    let floor_read = |lines: &[&[u8]]| {
        let cookie = lines
            .iter()
            .flat_map(|h| h.split(|&b| b == b';'))
            .find_map(|c| c.trim_ascii_start().strip_prefix(b"session="))?;
        let json = floor.decode(std::str::from_utf8(cookie).ok()?)?;
        Some(json.get("username")?.as_str()?.to_owned())
    };
    let with: [&[u8]; 1] = [line.as_bytes()];
    // The measured paths must be correct, not just fast.
    assert_eq!(read(&[]).0, None);
    let (name, out) = read(&with);
    assert_eq!(name.as_deref(), Some("alice"));
    let out = out.expect("a read saves nothing");
    // Not permanent and unchanged: no `Set-Cookie` (Flask refreshes only permanent sessions), `Vary: Cookie`.
    assert!(out.is_empty() && out.vary_cookie);
    assert_eq!(floor_read(&with).as_deref(), Some("alice"));

    let mut g = c.benchmark_group("request");
    g.bench_function("read_anon", |b| b.iter(|| read(black_box(&[]))));
    g.bench_function("read", |b| b.iter(|| read(black_box(&with))));
    g.bench_function("floor", |b| b.iter(|| floor_read(black_box(&with))));
    g.finish();
}

fn ours(c: &mut Criterion, cases: &[Case], codec: &CookieCodec, plain: &CookieCodec) {
    for (group, codec) in [("encode", codec), ("encode_nocompress", plain)] {
        let mut g = c.benchmark_group(group);
        for case in cases {
            g.bench_function(case.name, |b| {
                b.iter(|| codec.encode(black_box(&case.map), black_box(TS)))
            });
        }
        g.finish();
    }
    for (group, compressed) in [("decode", true), ("decode_nocompress", false)] {
        let mut g = c.benchmark_group(group);
        for case in cases {
            let cookie = if compressed {
                &case.cookie
            } else {
                &case.cookie_nocompress
            };
            g.bench_function(case.name, |b| {
                b.iter(|| codec.decode(black_box(cookie), black_box(NOW), Some(MAX_AGE)))
            });
        }
        g.finish();
    }
}

/// Lazy decoding against the decode as it was (the whole tree built), and typed reads against the old bridge.
fn lazy(c: &mut Criterion, cases: &[Case], codec: &CookieCodec) {
    let signer = TimestampSigner::new(
        &Keyring::new(SecretKey::parse(SECRET).expect("a valid bench key")),
        SignerOptions::default(),
    );
    // `Flask::decode` before lazy decoding: the same public pieces, every value built.
    let eager = |cookie: &str| -> Option<Map> {
        let v = signer.unsign(cookie, NOW, Some(MAX_AGE)).ok()?;
        let json = decode_payload(v.payload, DEFAULT_MAX_DECOMPRESSED).ok()?;
        match from_tagged_json_with_limit(&json, session_core::wire::json::DEFAULT_MAX_VALUES).ok()? {
            Value::Dict(m) => Some(m),
            _ => None,
        }
    };
    for case in cases {
        assert_eq!(eager(&case.cookie).as_ref(), Some(&case.map));
        assert_eq!(
            codec
                .decode(&case.cookie, NOW, Some(MAX_AGE))
                .expect("decodes")
                .data
                .get("_user_id"),
            case.map.get("_user_id")
        );
    }
    let mut g = c.benchmark_group("decode_eager");
    for case in cases {
        g.bench_function(case.name, |b| b.iter(|| eager(black_box(&case.cookie))));
    }
    g.finish();
    let mut g = c.benchmark_group("decode_get_one");
    for case in cases {
        g.bench_function(case.name, |b| {
            b.iter(|| {
                let d = codec
                    .decode(black_box(&case.cookie), NOW, Some(MAX_AGE))
                    .expect("decodes");
                d.data.get("_user_id").cloned()
            })
        });
    }
    g.finish();
    let mut g = c.benchmark_group("decode_get_all");
    for case in cases {
        g.bench_function(case.name, |b| {
            b.iter(|| {
                let d = codec
                    .decode(black_box(&case.cookie), NOW, Some(MAX_AGE))
                    .expect("decodes");
                for (k, v) in d.data.iter() {
                    black_box((k, v));
                }
                d
            })
        });
    }
    g.finish();
    for (group, via_value) in [("get_json", false), ("get_json_via_value", true)] {
        let mut g = c.benchmark_group(group);
        for case in cases {
            g.bench_function(case.name, |b| {
                b.iter(|| {
                    black_box(&case.map)
                        .values()
                        .map(|v| {
                            if via_value {
                                serde_json::from_value::<serde_json::Value>(serde_json::Value::from(v)).ok()
                            } else {
                                v.deserialize_into::<serde_json::Value>().ok()
                            }
                        })
                        .filter(Option::is_some)
                        .count()
                })
            });
        }
        g.finish();
    }
}

/// HMAC + base64 + serde_json composed the obvious way: the least work a Flask-format cookie needs without zlib.
struct Floor {
    mac: Hmac<Sha1>,
}

impl Floor {
    fn new(secret: &[u8]) -> Self {
        // Flask's key derivation: HMAC-SHA1(secret, salt) is the signing key.
        let mut derive = Hmac::<Sha1>::new_from_slice(secret).expect("any key length");
        derive.update(FLASK_SALT.as_bytes());
        let key = derive.finalize().into_bytes();
        Self {
            mac: Hmac::new_from_slice(&key).expect("any key length"),
        }
    }

    fn sign(&self, data: &[u8]) -> [u8; 20] {
        let mut m = self.mac.clone();
        m.update(data);
        m.finalize().into_bytes().into()
    }

    fn encode(&self, value: &serde_json::Value, ts: u64) -> String {
        let json = serde_json::to_vec(value).expect("serializable");
        let mut out = String::with_capacity(json.len() * 4 / 3 + 40);
        URL_SAFE_NO_PAD.encode_string(&json, &mut out);
        out.push('.');
        let ts = ts.to_be_bytes();
        let first = ts.iter().position(|&b| b != 0).unwrap_or(ts.len());
        URL_SAFE_NO_PAD.encode_string(&ts[first..], &mut out);
        let sig = self.sign(out.as_bytes());
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(sig, &mut out);
        out
    }

    fn decode(&self, cookie: &str) -> Option<serde_json::Value> {
        let (value, sig) = cookie.rsplit_once('.')?;
        let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
        let mut m = self.mac.clone();
        m.update(value.as_bytes());
        m.verify_slice(&sig).ok()?;
        let (payload, ts) = value.rsplit_once('.')?;
        let ts = URL_SAFE_NO_PAD.decode(ts).ok()?;
        let ts = ts.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b));
        if NOW.checked_sub(ts)? > MAX_AGE {
            return None;
        }
        let json = URL_SAFE_NO_PAD.decode(payload).ok()?;
        serde_json::from_slice(&json).ok()
    }
}

fn floor_benches(c: &mut Criterion, cases: &[Case], floor: &Floor) {
    let mut g = c.benchmark_group("floor");
    for case in cases {
        let json = serde_json::to_vec(&case.json).expect("serializable");
        let b64 = URL_SAFE_NO_PAD.encode(&json);
        let signed = case
            .cookie_nocompress
            .rsplit_once('.')
            .map_or(case.cookie_nocompress.as_str(), |(v, _)| v);
        let floor_cookie = floor.encode(&case.json, TS);
        g.bench_with_input(BenchmarkId::new("hmac_sha1", case.name), signed, |b, s| {
            b.iter(|| floor.sign(black_box(s.as_bytes())))
        });
        g.bench_with_input(BenchmarkId::new("base64_encode", case.name), &json, |b, j| {
            b.iter(|| URL_SAFE_NO_PAD.encode(black_box(j)))
        });
        g.bench_with_input(BenchmarkId::new("base64_decode", case.name), &b64, |b, s| {
            b.iter(|| URL_SAFE_NO_PAD.decode(black_box(s)))
        });
        g.bench_with_input(
            BenchmarkId::new("serde_json_serialize", case.name),
            &case.json,
            |b, v| b.iter(|| serde_json::to_vec(black_box(v))),
        );
        g.bench_with_input(BenchmarkId::new("serde_json_parse", case.name), &json, |b, j| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(j)))
        });
        g.bench_with_input(BenchmarkId::new("encode", case.name), &case.json, |b, v| {
            b.iter(|| floor.encode(black_box(v), black_box(TS)))
        });
        g.bench_with_input(BenchmarkId::new("decode", case.name), &floor_cookie, |b, s| {
            b.iter(|| floor.decode(black_box(s)))
        });
    }
    g.finish();
}

/// Our stages alone: where the time of `encode`/`decode` goes.
fn parts(c: &mut Criterion, cases: &[Case]) {
    let mut g = c.benchmark_group("parts");
    for case in cases {
        let tagged = map_to_tagged_json(&case.map);
        let payload = encode_payload(tagged.as_bytes(), Compression::Flask);
        g.bench_with_input(BenchmarkId::new("tagged_json_write", case.name), &case.map, |b, m| {
            b.iter(|| map_to_tagged_json(black_box(m)))
        });
        g.bench_with_input(BenchmarkId::new("tagged_json_parse", case.name), &tagged, |b, t| {
            b.iter(|| from_tagged_json(black_box(t.as_bytes())))
        });
        g.bench_with_input(BenchmarkId::new("zlib_payload_encode", case.name), &tagged, |b, t| {
            b.iter(|| encode_payload(black_box(t.as_bytes()), Compression::Flask))
        });
        g.bench_with_input(BenchmarkId::new("zlib_payload_decode", case.name), &payload, |b, p| {
            b.iter(|| decode_payload(black_box(p), DEFAULT_MAX_DECOMPRESSED))
        });
        let mut zlib6 = Zlib6::new();
        g.bench_with_input(
            BenchmarkId::new("zlib_payload_encode_zlib6", case.name),
            &tagged,
            |b, t| b.iter(|| zlib6.payload(black_box(t.as_bytes()))),
        );
        g.bench_with_input(BenchmarkId::new("deflate_zlib6", case.name), &tagged, |b, t| {
            b.iter(|| zlib6.compress(black_box(t.as_bytes())))
        });
        let stream = zlib6.compress(tagged.as_bytes());
        let mut inflater = flate2::Decompress::new(true);
        g.bench_with_input(BenchmarkId::new("inflate_zlib", case.name), &stream, |b, s| {
            b.iter(|| {
                inflater.reset(true);
                let mut out = Vec::with_capacity(tagged.len() + 1);
                inflater
                    .decompress_vec(black_box(s), &mut out, flate2::FlushDecompress::Finish)
                    .map(|_| out)
            })
        });
        let ours = URL_SAFE_NO_PAD.decode(payload.trim_start_matches('.')).expect("base64");
        eprintln!(
            "{}: tagged JSON {} B, zlib stream: ours {} B, flate2 zlib level 6 {} B",
            case.name,
            tagged.len(),
            ours.len(),
            stream.len()
        );
    }
    // The session of the HTTP benchmark's `/write` route (benches-http): it never compresses, but Flask's rule
    // still runs a compressor on every save to find that out.
    let write_route = br#"{"counter":12345,"username":"alice"}"#;
    assert!(!encode_payload(write_route, Compression::Flask).starts_with('.'));
    let mut zlib6 = Zlib6::new();
    g.bench_with_input(
        BenchmarkId::new("zlib_payload_encode", "write_route"),
        write_route,
        |b, t| b.iter(|| encode_payload(black_box(t), Compression::Flask)),
    );
    g.bench_with_input(
        BenchmarkId::new("zlib_payload_encode_zlib6", "write_route"),
        write_route,
        |b, t| b.iter(|| zlib6.payload(black_box(t))),
    );
    g.finish();
}

/// The payload step before the cookie-sized compressor: flate2's zlib at level 6 with one reused stream.
struct Zlib6 {
    stream: flate2::Compress,
}

impl Zlib6 {
    fn new() -> Self {
        Self {
            stream: flate2::Compress::new(flate2::Compression::new(6), true),
        }
    }

    fn compress(&mut self, input: &[u8]) -> Vec<u8> {
        self.stream.reset();
        let mut out = Vec::with_capacity(input.len() + 64);
        let status = self
            .stream
            .compress_vec(input, &mut out, flate2::FlushCompress::Finish)
            .expect("zlib compresses");
        assert_eq!(status, flate2::Status::StreamEnd);
        out
    }

    /// Flask's rule and base64, as `encode_payload` did with this compressor.
    fn payload(&mut self, json: &[u8]) -> String {
        let compressed = self.compress(json);
        if json.len() > 2 && compressed.len() < json.len() - 1 {
            let mut out = String::with_capacity(1 + compressed.len().div_ceil(3) * 4);
            out.push('.');
            URL_SAFE_NO_PAD.encode_string(&compressed, &mut out);
            out
        } else {
            URL_SAFE_NO_PAD.encode(json)
        }
    }
}

fn peer_encode(key: &cookie::Key, value: &serde_json::Value) -> String {
    let mut jar = cookie::CookieJar::new();
    let json = serde_json::to_string(value).expect("serializable");
    jar.signed_mut(key).add(cookie::Cookie::new("session", json));
    jar.get("session").map(|c| c.value().to_owned()).unwrap_or_default()
}

fn peer_decode(key: &cookie::Key, signed: &str) -> Option<serde_json::Value> {
    let mut jar = cookie::CookieJar::new();
    jar.add_original(cookie::Cookie::new("session", signed.to_owned()));
    let verified = jar.signed(key).get("session")?;
    serde_json::from_str(verified.value()).ok()
}

fn peer(c: &mut Criterion, cases: &[Case], key: &cookie::Key) {
    let mut g = c.benchmark_group("peer_cookie_signed");
    for case in cases {
        g.bench_with_input(BenchmarkId::new("encode", case.name), &case.json, |b, v| {
            b.iter(|| peer_encode(key, black_box(v)))
        });
        g.bench_with_input(BenchmarkId::new("decode", case.name), &case.peer_cookie, |b, s| {
            b.iter(|| peer_decode(key, black_box(s)))
        });
    }
    g.finish();
}
