//! `cargo xtask bench [--quick] [--json PATH]`: the codec benchmarks in one run.
//!
//! 1. `cargo bench -p session-core --bench codec -- --noplot` (criterion; `--quick` sets `SESSION_BENCH_QUICK=1`),
//!    then the medians are read back from `<target>/criterion/**/new/{benchmark,estimates}.json`, keeping only
//!    files written by this run.
//! 2. `scripts/bench_flask.py` with the pinned Flask venv: Flask's real session serializer, same payloads.
//! 3. A table of ns/op and ratios (ours vs Flask, ours ÷ floor, ours ÷ the `cookie` crate peer) and the
//!    issue's targets; `--json PATH` writes the same numbers. A missed target is reported, not an error:
//!    the command fails only when a step fails.
//!
//! HTTP load: `cargo xtask bench --http` (bench_http.rs).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use std::time::SystemTime;

use anyhow::{Context as _, Result, bail};
use serde_json::{Value, json};

const CELLS: [&str; 4] = ["encode/typical", "decode/typical", "encode/large", "decode/large"];
const SIZES: [&str; 2] = ["typical", "large"];
/// The target: at least this many times faster than Flask in every default cell.
const TARGET_VS_FLASK: f64 = 20.0;
/// The target: uncompressed typical encode and decode within this factor of the floor.
const TARGET_VS_FLOOR: f64 = 1.3;

struct Options {
    quick: bool,
    json: Option<PathBuf>,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut opts = Options {
        quick: false,
        json: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => opts.quick = true,
            "--json" => opts.json = Some(PathBuf::from(it.next().context("--json needs a path")?)),
            other => bail!("unknown argument {other:?}; usage: cargo xtask bench [--quick] [--json PATH]"),
        }
    }
    Ok(opts)
}

/// Runs the benchmarks.
pub(crate) fn run(root: &Path, args: &[String]) -> Result<()> {
    let opts = parse(args)?;
    let machine = machine();
    let started = SystemTime::now();

    eprintln!("==> xtask bench: criterion (session-core, bench `codec`)");
    let mut cmd = crate::cargo();
    cmd.args(["bench", "-p", "session-core", "--bench", "codec", "--", "--noplot"]);
    if opts.quick {
        cmd.env("SESSION_BENCH_QUICK", "1");
    }
    crate::run_status(cmd)?;
    let criterion_dir = target_dir(root).join("criterion");
    let ours = read_criterion(&criterion_dir, started)?;

    eprintln!("==> xtask bench: Flask's session serializer (scripts/bench_flask.py)");
    let flask = flask(root, opts.quick)?;

    let (rows, targets) = compare(&ours, &flask)?;
    print_tables(&ours, &rows, &targets, &machine, opts.quick);

    if let Some(path) = &opts.json {
        let doc = json!({
            "command": if opts.quick { "cargo xtask bench --quick" } else { "cargo xtask bench" },
            "date_utc": utc_date(started),
            "machine": machine,
            "unit": "ns per op (median)",
            "rows": rows,
            "targets": targets,
            "ours": ours,
            "flask": flask,
            "http": "measured by cargo xtask bench --http",
        });
        std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("xtask bench: wrote {}", path.display());
    }
    // The Starlette and Django profiles next to Flask's and next to their frameworks' own serializers.
    crate::bench_formats::run(root, opts.quick)
}

/// `CARGO_TARGET_DIR` when set (relative to the workspace root, where cargo runs), else `<root>/target`.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

/// Median ns/op of every benchmark whose `new/estimates.json` was written after `since`, by criterion full id.
pub(crate) fn read_criterion(dir: &Path, since: SystemTime) -> Result<BTreeMap<String, f64>> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).with_context(|| format!("cannot read {}", d.display()))?;
        for entry in entries {
            let path = entry?.path();
            if !path.is_dir() {
                continue;
            }
            if path.file_name().is_some_and(|n| n == "new") {
                let estimates = path.join("estimates.json");
                let fresh = std::fs::metadata(&estimates)
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t >= since);
                if fresh {
                    let id = read_json(&path.join("benchmark.json"))?["full_id"]
                        .as_str()
                        .context("benchmark.json without full_id")?
                        .to_owned();
                    let median = read_json(&estimates)?["median"]["point_estimate"]
                        .as_f64()
                        .context("estimates.json without median.point_estimate")?;
                    found.insert(id, median);
                }
            } else {
                stack.push(path);
            }
        }
    }
    if found.is_empty() {
        bail!("no fresh criterion results under {}", dir.display());
    }
    Ok(found)
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

fn flask(root: &Path, quick: bool) -> Result<BTreeMap<String, f64>> {
    let parsed = crate::bench_formats::python_json(root, "scripts/bench_flask.py", quick)?;
    for cell in CELLS {
        if !parsed.contains_key(cell) {
            bail!("scripts/bench_flask.py did not report {cell}");
        }
    }
    Ok(parsed)
}

/// One comparison row: our benchmark against Flask (default cells only), the floor and the cookie peer.
fn row(ours: &BTreeMap<String, f64>, flask: &BTreeMap<String, f64>, id: &str) -> Result<Value> {
    let get = |id: &str| {
        ours.get(id)
            .copied()
            .with_context(|| format!("criterion did not report {id}"))
    };
    let (group, size) = id.split_once('/').context("id is group/size")?;
    let op = group.trim_end_matches("_nocompress");
    let us = get(id)?;
    let floor = get(&format!("floor/{op}/{size}"))?;
    let peer = get(&format!("peer_cookie_signed/{op}/{size}"))?;
    let flask = if group == op { flask.get(id).copied() } else { None };
    Ok(json!({
        "bench": id,
        "ours": us,
        "flask": flask,
        "speedup_vs_flask": flask.map(|f| f / us),
        "floor": floor,
        "ours_over_floor": us / floor,
        "peer_cookie_signed": peer,
        "ours_over_peer": us / peer,
    }))
}

fn compare(ours: &BTreeMap<String, f64>, flask: &BTreeMap<String, f64>) -> Result<(Vec<Value>, Vec<Value>)> {
    let mut rows = Vec::new();
    for group in ["encode", "decode", "encode_nocompress", "decode_nocompress"] {
        for size in SIZES {
            rows.push(row(ours, flask, &format!("{group}/{size}"))?);
        }
    }
    let find = |id: &str| rows.iter().find(|r| r["bench"] == id);
    let mut targets = Vec::new();
    for cell in CELLS {
        let x = find(cell).and_then(|r| r["speedup_vs_flask"].as_f64()).unwrap_or(0.0);
        targets.push(json!({
            "target": format!("{cell}: >= {TARGET_VS_FLASK}x faster than Flask"),
            "measured": x,
            "met": x >= TARGET_VS_FLASK,
        }));
    }
    for cell in ["encode_nocompress/typical", "decode_nocompress/typical"] {
        let x = find(cell)
            .and_then(|r| r["ours_over_floor"].as_f64())
            .unwrap_or(f64::INFINITY);
        targets.push(json!({
            "target": format!("{cell}: <= {TARGET_VS_FLOOR}x the floor"),
            "measured": x,
            "met": x <= TARGET_VS_FLOOR,
        }));
    }
    Ok((rows, targets))
}

fn print_tables(ours: &BTreeMap<String, f64>, rows: &[Value], targets: &[Value], machine: &Value, quick: bool) {
    let ns = |v: &Value| v.as_f64().map_or_else(|| "-".to_owned(), group_digits);
    let ratio = |v: &Value| v.as_f64().map_or_else(|| "-".to_owned(), |x| format!("{x:.2}"));
    println!(
        "\nsession-core codec, ns/op (criterion medians{}); {} CPU(s), {}",
        if quick { ", --quick" } else { "" },
        machine["nproc"],
        machine["cpu"].as_str().unwrap_or("unknown CPU"),
    );
    println!(
        "{:<26} {:>9} {:>9} {:>9} {:>9} {:>8} {:>9} {:>8}",
        "bench", "ours", "Flask", "x Flask", "floor", "/ floor", "cookie", "/ cookie"
    );
    for r in rows {
        println!(
            "{:<26} {:>9} {:>9} {:>9} {:>9} {:>8} {:>9} {:>8}",
            r["bench"].as_str().unwrap_or(""),
            ns(&r["ours"]),
            ns(&r["flask"]),
            ratio(&r["speedup_vs_flask"]),
            ns(&r["floor"]),
            ratio(&r["ours_over_floor"]),
            ns(&r["peer_cookie_signed"]),
            ratio(&r["ours_over_peer"]),
        );
    }
    println!("\nall criterion medians (ns/op):");
    for (id, v) in ours {
        println!("  {id:<40} {:>9}", group_digits(*v));
    }
    println!("\npayload step (compress with Flask's rule + base64), cookie-sized deflate vs zlib level 6, same run:");
    if let (Some(&o), Some(&z)) = (
        ours.get("parts/zlib_payload_encode/write_route"),
        ours.get("parts/zlib_payload_encode_zlib6/write_route"),
    ) {
        println!(
            "  {:<8} ours {:>9}  zlib {:>9}  zlib / ours {:>5.2}   (the HTTP /write session, 36 B, not compressed)",
            "write",
            group_digits(o),
            group_digits(z),
            z / o
        );
    }
    for size in SIZES {
        let ours_step = ours.get(&format!("parts/zlib_payload_encode/{size}"));
        let zlib_step = ours.get(&format!("parts/zlib_payload_encode_zlib6/{size}"));
        let encode = ours.get(&format!("encode/{size}"));
        if let (Some(&o), Some(&z), Some(&e)) = (ours_step, zlib_step, encode) {
            // The codec with the zlib step instead of ours: the same encode less our step plus zlib's.
            let before = e - o + z;
            println!(
                "  {size:<8} ours {:>9}  zlib {:>9}  zlib / ours {:>5.2}   encode/{size} {} (with zlib: ~{}, x{:.2})",
                group_digits(o),
                group_digits(z),
                z / o,
                group_digits(e),
                group_digits(before),
                before / e
            );
        }
    }
    println!("\ntargets:");
    for t in targets {
        println!(
            "  {:<5} {:<52} measured {:.2}",
            if t["met"] == true { "MET" } else { "MISS" },
            t["target"].as_str().unwrap_or(""),
            t["measured"].as_f64().unwrap_or(f64::NAN),
        );
    }
    println!("  (HTTP req/s: cargo xtask bench --http)");
}

/// `12345.6` → `12,346`.
fn group_digits(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The CPU model name from /proc/cpuinfo.
pub(crate) fn cpu() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn machine() -> Value {
    let cpu = cpu();
    let nproc = std::thread::available_parallelism().map_or(0, usize::from);
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned));
    json!({ "nproc": nproc, "cpu": cpu, "os": std::env::consts::OS, "arch": std::env::consts::ARCH,
            "loadavg_1min_at_start": load })
}

/// `YYYY-MM-DD` (UTC) of a time (Howard Hinnant's civil-from-days).
pub(crate) fn utc_date(t: SystemTime) -> String {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
