//! Every compressed cookie we write is read by real Python zlib and real Flask.
//!
//! Writes ~400 cookies (the bench payloads and generated session-like tagged JSON from 2 bytes to past the
//! 4 KiB cookie limit, compressible and not) with the default codec (Flask's compression rule), then runs
//! `scripts/check_compressed_cookies.py` on them: Python's `zlib.decompress` must give back the JSON we
//! signed, Flask's session serializer must load each cookie to the same data, and our zlib stream must be within
//! a few bytes of Python's `zlib.compress` (what Flask writes). The Python is the pinned venv
//! (`target/flask-venv`, made by `cargo xtask vectors`) when present, else `python3` (zlib checks only; the
//! Flask load is then skipped with a printed line). Without any Python the test prints why and passes.

use std::path::{Path, PathBuf};
use std::process::Command;

use session_core::wire::json::from_tagged_json;
use session_core::{CookieCodec, Keyring, SecretKey, SignerOptions, Value};

const SECRET: &str = "flask-reads-ours-secret-key-0001";
const TS: u64 = 1_700_000_000;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A small deterministic generator (xorshift64*): no dependency, same cases every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const WORDS: [&str; 24] = [
    "user_id",
    "username",
    "alice",
    "roles",
    "admin",
    "editor",
    "csrf_token",
    "_fresh",
    "_permanent",
    "cart",
    "items",
    "qty",
    "sku",
    "price",
    "flashes",
    "message",
    "success",
    "Saved.",
    "en-GB",
    "theme",
    "dark",
    "last_search",
    "checkout",
    "step",
];

fn value(rng: &mut Rng, depth: usize) -> String {
    match rng.below(if depth > 2 { 5 } else { 8 }) {
        0 => format!("\"{}\"", WORDS[rng.below(WORDS.len())]),
        1 => (rng.next() % 100_000).to_string(),
        2 => format!("\"{:016x}{:016x}\"", rng.next(), rng.next()),
        3 => ["true", "false", "null"][rng.below(3)].to_owned(),
        // Random bytes as text: incompressible (the rule must then keep the payload uncompressed).
        4 => {
            let s: String = (0..rng.below(40))
                .map(|_| char::from(b'!' + (rng.next() % 90) as u8))
                .filter(|c| *c != '"' && *c != '\\')
                .collect();
            format!("\"{s}\"")
        }
        5 => {
            let items: Vec<String> = (0..rng.below(6)).map(|_| value(rng, depth + 1)).collect();
            format!("[{}]", items.join(","))
        }
        6 => {
            let items: Vec<String> = (0..1 + rng.below(4)).map(|_| value(rng, depth + 1)).collect();
            format!("{{\" t\":[{}]}}", items.join(","))
        }
        _ => {
            let keys = 1 + rng.below(5);
            dict(rng, depth + 1, keys)
        }
    }
}

fn dict(rng: &mut Rng, depth: usize, keys: usize) -> String {
    let body: Vec<String> = (0..keys)
        .map(|k| format!("\"{}{k}\":{}", WORDS[rng.below(WORDS.len())], value(rng, depth)))
        .collect();
    format!("{{{}}}", body.join(","))
}

fn cases() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for name in ["typical", "large"] {
        let text =
            std::fs::read_to_string(root().join(format!("testdata/bench/session_{name}.json"))).expect("bench payload");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        out.push((format!("bench_{name}"), doc["session"].to_string()));
    }
    out.push(("empty".into(), "{}".into()));
    out.push(("one_key".into(), r#"{"a":1}"#.into()));
    out.push(("repetitive".into(), format!(r#"{{"a":"{}"}}"#, "ab".repeat(2000))));
    let mut rng = Rng(0x5EED_CAFE_F00D_0001);
    for i in 0..400 {
        // Key counts from 1 to ~120: JSON from ~10 bytes to past 4 KiB.
        let keys = 1 + (i % 40) * (1 + i / 140);
        out.push((format!("generated_{i}"), dict(&mut rng, 0, keys)));
    }
    out
}

fn python() -> Option<PathBuf> {
    let venv = root().join("target/flask-venv/bin/python");
    if venv.is_file() {
        return Some(venv);
    }
    Command::new("python3")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| PathBuf::from("python3"))
}

#[test]
fn flask_and_python_zlib_read_every_cookie_we_write() {
    let codec = CookieCodec::new(
        &Keyring::new(SecretKey::parse(SECRET).expect("key")),
        SignerOptions::default(),
    );
    let mut docs = Vec::new();
    let mut compressed = 0;
    for (id, json) in cases() {
        let Value::Dict(map) = from_tagged_json(json.as_bytes()).unwrap_or_else(|e| panic!("{id}: {e}")) else {
            panic!("{id}: not a dict");
        };
        // What the codec signs is our tagged JSON of the map (not necessarily the generator's text).
        let tagged = session_core::wire::json::map_to_tagged_json(&map);
        let cookie = codec.encode(&map, TS);
        compressed += usize::from(cookie.starts_with('.'));
        // Our own reader first.
        assert_eq!(codec.decode(&cookie, TS, None).expect("decodes").data, map, "{id}");
        docs.push(serde_json::json!({ "id": id, "secret": SECRET, "json": tagged, "cookie": cookie }));
    }
    assert!(
        compressed > 100,
        "the corpus must exercise the compressor ({compressed} compressed)"
    );
    let Some(py) = python() else {
        println!("skip: no python3 here; the Python zlib / Flask check of our cookies did not run");
        return;
    };
    let dir = std::env::temp_dir().join(format!("flask-reads-ours-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("cases.json");
    std::fs::write(&file, serde_json::to_vec(&docs).expect("JSON")).expect("write cases");
    let out = Command::new(&py)
        .arg(root().join("scripts/check_compressed_cookies.py"))
        .arg(&file)
        .output()
        .expect("run python");
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!(
        "{} ({}):\n{stdout}{}",
        py.display(),
        docs.len(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "Python/Flask refused cookies we wrote:\n{stdout}");
}
