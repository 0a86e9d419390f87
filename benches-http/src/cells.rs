//! `codec-cells`: the in-process cells `cargo xtask bench --instructions` counts under callgrind, for every
//! registered format (`session_core::Format::ALL`, so a new format appears without a change here).
//!
//! ```text
//! SECRET_KEY=<64 bytes of text> codec-cells --list              # FORMAT<TAB>floor|-, one line each
//! SECRET_KEY=<64 bytes of text> codec-cells FORMAT CELL N       # runs CELL N times inside `measured`
//! ```
//!
//! Cells: `plain` (a handle from the `Cookie` header and `finish()`, the session untouched), `read` (the same
//! plus `get::<String>("username")`), `write` (`read` plus `counter` + 1 and the `Set-Cookie`), `floor-read` and
//! `floor-write` (the format's floor, see `floor.rs`). The cookie is the one the format itself writes for the
//! HTTP benchmark's `/login-setup` session (`username` = `alice`, `counter` = 0). Only the calls inside
//! `measured` are counted (`valgrind --tool=callgrind --toggle-collect=*measured*`): the set-up, key
//! derivations included, is not.

use std::hint::black_box;

use anyhow::{Context as _, Result, bail};
use session_core::{Format, SecretKey, SessionConfig, SessionHandle};

#[path = "floor.rs"]
mod floor;

/// The request time of every cell.
const NOW: u64 = 1_700_000_000;

fn main() -> Result<()> {
    let key = std::env::var("SECRET_KEY").context("SECRET_KEY is not set (64 bytes of text)")?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--list") {
        for format in Format::ALL {
            let floor = floor::Floor::for_format(format.name(), key.as_bytes()).is_some();
            println!("{}\t{}", format.name(), if floor { "floor" } else { "-" });
        }
        return Ok(());
    }
    let [format, cell, n] = args.as_slice() else {
        bail!("usage: codec-cells --list | codec-cells FORMAT (plain|read|write|floor-read|floor-write) N");
    };
    let format = Format::from_name(format)?;
    let n: usize = n.parse().context("N")?;
    let config = config(format, key.as_bytes())?;
    let line = login_cookie(&config)?;
    let floor = floor::Floor::for_format(format.name(), key.as_bytes());
    // Every cell must do its work: the read answers the name's length, the write a new cookie.
    let check = SessionHandle::from_headers(config.clone(), [line.as_bytes()], NOW);
    if check.get::<String>("username")?.as_deref() != Some("alice") {
        bail!("{format}: the login cookie does not read back");
    }
    let cell = match cell.as_str() {
        "plain" => Cell::Plain,
        "read" => Cell::Read,
        "write" => Cell::Write,
        "floor-read" | "floor-write" => {
            let floor = floor.with_context(|| format!("no floor for {format}"))?;
            if floor.read([line.as_bytes()]) != "5" {
                bail!("{format}: the floor does not read the format's own cookie");
            }
            if cell == "floor-read" {
                Cell::FloorRead(floor)
            } else {
                Cell::FloorWrite(floor)
            }
        }
        other => bail!("unknown cell {other:?}"),
    };
    measured(&cell, &config, &line, n);
    Ok(())
}

/// A configuration of `format` with the key: all 64 bytes, or the first 32 for a format that wants a 32-byte
/// key, and a cookie name for a format without a default one (iron-session).
fn config(format: Format, key: &[u8]) -> Result<SessionConfig> {
    let mut last = None;
    for len in [key.len(), 32] {
        let secret = SecretKey::new(&key[..len.min(key.len())])?;
        let builder = || SessionConfig::builder().format(format).secret_key(secret.clone());
        match builder()
            .build()
            .or_else(|_| builder().cookie_name("bench_session").build())
        {
            Ok(config) => return Ok(config),
            Err(e) => last = Some(e),
        }
    }
    Err(last.map_or_else(|| anyhow::anyhow!("no configuration"), anyhow::Error::from))
        .with_context(|| format!("{format}: no configuration with a 64- or 32-byte key"))
}

enum Cell {
    Plain,
    Read,
    Write,
    FloorRead(floor::Floor),
    FloorWrite(floor::Floor),
}

/// The `Cookie` header a browser sends after the format's `/login-setup` response.
fn login_cookie(config: &SessionConfig) -> Result<String> {
    let login = SessionHandle::from_headers(config.clone(), std::iter::empty::<&[u8]>(), NOW - 60);
    login.insert("username", "alice")?;
    login.insert("counter", 0u64)?;
    let out = login.finish()?;
    let pairs: Vec<&str> = out
        .set_cookies()
        .iter()
        .filter_map(|c| c.split(';').next())
        .map(str::trim)
        .collect();
    if pairs.is_empty() {
        bail!("the login set no cookie");
    }
    Ok(pairs.join("; "))
}

/// The counted part: `n` requests of `cell`.
#[inline(never)]
fn measured(cell: &Cell, config: &SessionConfig, line: &str, n: usize) {
    for _ in 0..n {
        match cell {
            Cell::Plain => {
                let handle = SessionHandle::from_headers(config.clone(), [line.as_bytes()], NOW);
                black_box(handle.finish().ok());
            }
            Cell::Read => {
                let handle = SessionHandle::from_headers(config.clone(), [line.as_bytes()], NOW);
                black_box(handle.get::<String>("username").ok());
                black_box(handle.finish().ok());
            }
            Cell::Write => {
                let handle = SessionHandle::from_headers(config.clone(), [line.as_bytes()], NOW);
                let n = handle.get::<u64>("counter").ok().flatten().unwrap_or(0) + 1;
                black_box(handle.insert("counter", n).ok());
                black_box(handle.finish().ok());
            }
            Cell::FloorRead(floor) => {
                black_box(floor.read([black_box(line).as_bytes()]));
            }
            Cell::FloorWrite(floor) => {
                black_box(floor.write([black_box(line).as_bytes()], NOW));
            }
        }
    }
}
