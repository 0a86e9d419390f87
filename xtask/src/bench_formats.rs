//! The wire profiles in `cargo xtask bench`: `benches/formats.rs` (every format's encode/decode through
//! `CookieCodec`, criterion) next to `scripts/bench_formats.py` (Starlette's and Django's own serializers, and
//! Flask's from `scripts/bench_flask.py`), same payloads, one table of ns/op and ratios.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::SystemTime;

use anyhow::{Context as _, Result, bail};

const FORMATS: [&str; 3] = ["flask", "starlette", "django"];
const CELLS: [&str; 4] = ["encode/typical", "decode/typical", "encode/large", "decode/large"];

/// Runs the format benchmarks and prints their table.
pub(crate) fn run(root: &Path, quick: bool) -> Result<()> {
    let started = SystemTime::now();
    eprintln!("==> xtask bench: criterion (session-core, bench `formats`)");
    let mut cmd = crate::cargo();
    cmd.args(["bench", "-p", "session-core", "--bench", "formats", "--", "--noplot"]);
    if quick {
        cmd.env("SESSION_BENCH_QUICK", "1");
    }
    crate::run_status(cmd)?;
    let ours = crate::bench::read_criterion(&crate::bench::target_dir(root).join("criterion"), started)?;

    eprintln!("==> xtask bench: the frameworks' own serializers (scripts/bench_flask.py, scripts/bench_formats.py)");
    let mut python = python_json(root, "scripts/bench_formats.py", quick)?;
    for (cell, ns) in python_json(root, "scripts/bench_flask.py", quick)? {
        python.insert(format!("flask/{cell}"), ns);
    }

    println!("\nformat     cell                 ours ns    framework ns   framework / ours   ours / flask (ours)");
    for format in FORMATS {
        for cell in CELLS {
            let mine = ours
                .get(&format!("formats/{format}/{cell}"))
                .copied()
                .with_context(|| format!("no result for formats/{format}/{cell}"))?;
            let theirs = python
                .get(&format!("{format}/{cell}"))
                .copied()
                .with_context(|| format!("no Python result for {format}/{cell}"))?;
            let flask = ours.get(&format!("formats/flask/{cell}")).copied().unwrap_or(f64::NAN);
            println!(
                "{format:<10} {cell:<16} {mine:>11.0} {theirs:>15.0} {:>17.1}x {:>20.2}",
                theirs / mine,
                mine / flask
            );
        }
    }
    Ok(())
}

/// Runs a benchmark script in the pinned venv (`--quick` passed on) and reads the JSON object of numbers it prints.
pub(crate) fn python_json(root: &Path, script: &str, quick: bool) -> Result<BTreeMap<String, f64>> {
    let py = crate::python::venv(root)?;
    let mut cmd = Command::new(&py);
    cmd.arg(root.join(script)).current_dir(root);
    if quick {
        cmd.arg("--quick");
    }
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("cannot start {}", py.display()))?;
    if !out.status.success() {
        bail!("{script} failed ({})", out.status);
    }
    serde_json::from_slice(&out.stdout).with_context(|| format!("{script} did not print a JSON object of numbers"))
}
