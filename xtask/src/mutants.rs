//! `cargo xtask mutants [--timeout SECS] [--iterate] [--out DIR] [FILE...] [-- CARGO_MUTANTS_ARGS...]`:
//! mutation testing of the given source files with cargo-mutants (installed with `cargo install cargo-mutants
//! --locked` when missing). Not part of `ci`: one file takes minutes, the core's cookie files together about an
//! hour on two cores.
//!
//! - FILE is a path from the workspace root or from `crates/session-core/src/` (`cookies.rs`,
//!   `format/django.rs`); none: [`DEFAULT_FILES`], the core's files that read attacker input or render a cookie.
//! - Tests: every test of the mutated package and of `session-conformance`, whose core target replays every
//!   vector in `testdata/vectors/` against the core, so a mutant the vectors notice counts as caught.
//! - Settings, chosen so that one file takes minutes here: the release profile with overflow checks and debug
//!   assertions on (the test profile's checks) and incremental builds; one mutant at a time, in place in a copy
//!   of the tree at a fixed path (`target/mutants-src`, refreshed file by file, so the working tree stays
//!   editable and cargo rebuilds only what changed since the last run), built in `target/mutants` (kept between
//!   runs); a fixed test timeout (`--timeout`, default 30 s, several times a full run of the tests here; the
//!   mutants that loop forever cost that much each, and cargo-mutants' own choice would come from a baseline
//!   that runs only the mutated package's tests). Two jobs at once gain nothing: they share one target
//!   directory, whose lock makes their builds take turns. Run it under `nice` on a shared machine. `--iterate`
//!   retests only what the last run in the same output directory did not catch (after adding tests); arguments
//!   after `--` go to cargo-mutants as they are (`-- --re node_cookie_pairs` to retest one function).
//! - Output: caught / missed / timeout / unviable per file, then every missed mutant. Missed mutants listed in
//!   `xtask/mutants-equivalent.txt` (file, mutant, reason: changes that cannot change behaviour) are shown as
//!   equivalent; the command exits non-zero when another mutant is missed. cargo-mutants' raw output is in
//!   `target/mutants-out/mutants.out/` (or `--out DIR`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, Result, bail};

/// The core's files that parse attacker input (cookies, headers, payloads) or render a cookie, run when no file
/// is given. A new format or reader belongs here.
pub(crate) const DEFAULT_FILES: &[&str] = &[
    "cookies.rs",
    "set_cookie.rs",
    "lifecycle.rs",
    "format/seam.rs",
    "format/flask.rs",
    "format/starlette.rs",
    "format/django.rs",
    "format/rails.rs",
    "format/actix.rs",
    "format/express.rs",
    "format/iron.rs",
    "format/authjs.rs",
    "format/gorilla.rs",
    "format/laravel.rs",
    "gob.rs",
    "php.rs",
    "payload.rs",
    "encrypted/cookie_jar.rs",
    "encrypted/rails.rs",
];

/// The package whose tests replay the shared vectors against the core.
const CONFORMANCE: &str = "session-conformance";
/// The core's sources, where a bare file name is looked up.
const CORE_SRC: &str = "crates/session-core/src";
/// Mutants that survive every test because they cannot change behaviour.
const EQUIVALENT: &str = "xtask/mutants-equivalent.txt";
const USAGE: &str =
    "usage: cargo xtask mutants [--timeout SECS] [--iterate] [--out DIR] [FILE...] [-- CARGO_MUTANTS_ARGS...]";

/// What cargo-mutants concluded about one mutant.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Outcome {
    Caught,
    Missed,
    Timeout,
    Unviable,
    /// With `--iterate`: caught or unviable in an earlier run, not tested again.
    Earlier,
}

const OUTCOMES: [(Outcome, &str); 5] = [
    (Outcome::Caught, "caught.txt"),
    (Outcome::Earlier, "previously_caught.txt"),
    (Outcome::Missed, "missed.txt"),
    (Outcome::Timeout, "timeout.txt"),
    (Outcome::Unviable, "unviable.txt"),
];

pub(crate) fn run(root: &Path, args: &[String]) -> Result<()> {
    let mut timeout = 30u64;
    let mut iterate = false;
    let mut out = root.join("target/mutants-out");
    let mut files = Vec::new();
    let (args, extra) = match args.iter().position(|a| a == "--") {
        Some(i) => (&args[..i], &args[i + 1..]),
        None => (args, &[][..]),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--timeout" => {
                timeout = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .context("--timeout takes seconds")?;
            }
            "--iterate" => iterate = true,
            // cargo-mutants runs in the copy of the tree: a relative directory is taken from the workspace root.
            "--out" => out = root.join(args.next().context("--out takes a directory")?),
            a if a.starts_with('-') => bail!("unknown option {a}\n{USAGE}"),
            file => files.push(resolve(root, file)?),
        }
    }
    if files.is_empty() {
        files = DEFAULT_FILES.iter().map(|f| resolve(root, f)).collect::<Result<_>>()?;
    }
    ensure_cargo_mutants()?;

    let mut packages: Vec<String> = files.iter().map(|f| package_of(f)).collect::<Result<_>>()?;
    packages.sort();
    packages.dedup();
    let mut tests = packages.clone();
    tests.push(CONFORMANCE.into());
    tests.dedup();

    // The commit the copy is made from, for the report.
    let commit = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(root)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let src = root.join("target/mutants-src");
    let copied = sync_tree(root, &src)?;
    println!("mutants: {copied} file(s) refreshed in {}", src.display());

    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let mut cmd = crate::cargo();
    cmd.current_dir(&src).args(["mutants", "--in-place"]);
    for p in &packages {
        cmd.args(["--package", p]);
    }
    for f in &files {
        cmd.arg("--file").arg(f);
    }
    cmd.args(["--test-package", &tests.join(",")])
        .args(["--profile", "release"])
        .args(["--timeout", &timeout.to_string()])
        // The first mutant also builds the conformance harness, which the baseline does not.
        .args(["--build-timeout", "900"])
        .args(["--colors", "never"])
        .arg("--output")
        .arg(&out)
        .env("CARGO_TARGET_DIR", root.join("target/mutants"))
        .env("CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS", "true")
        .env("CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS", "true")
        .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "true");
    if iterate {
        cmd.arg("--iterate");
    }
    cmd.args(extra);
    println!("mutants: {} file(s), tests of {}", files.len(), tests.join(", "));
    let started = Instant::now();
    let status = cmd.status().context("cannot start cargo mutants")?;
    // 0: all caught; 2: some missed; 3: some timed out. Anything else: no result (usage, baseline failure).
    if !matches!(status.code(), Some(0 | 2 | 3)) {
        bail!(
            "cargo mutants failed ({status}); see {}",
            out.join("mutants.out").display()
        );
    }
    let minutes = started.elapsed().as_secs_f64() / 60.0;

    let outcomes = read_outcomes(&out.join("mutants.out"))?;
    let equivalent = read_equivalent(&root.join(EQUIVALENT))?;
    let unexpected = report(&files, &outcomes, &equivalent, &commit, minutes);
    if unexpected > 0 {
        bail!(
            "{unexpected} mutant(s) missed: add a test that fails under each, or list it in {EQUIVALENT} with the \
             reason"
        );
    }
    Ok(())
}

/// Makes `dest` hold the workspace's files (tracked, and untracked ones git does not ignore) as they are now:
/// writes only the files whose content differs (the others keep their modification time, so cargo's
/// fingerprints hold) and removes the files the last sync wrote that are gone. Returns how many were written.
fn sync_tree(root: &Path, dest: &Path) -> Result<usize> {
    let out = Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(root)
        .output()
        .context("cannot run git ls-files")?;
    if !out.status.success() {
        bail!("git ls-files failed in {}", root.display());
    }
    let files: Vec<String> = String::from_utf8(out.stdout)
        .context("a file name is not UTF-8")?
        .split('\0')
        .filter(|f| !f.is_empty() && root.join(f).is_file())
        .map(str::to_owned)
        .collect();
    let manifest = dest.join(".mutants-files");
    if let Ok(previous) = std::fs::read_to_string(&manifest) {
        for gone in previous.lines().filter(|f| !files.iter().any(|n| n == f)) {
            let _ = std::fs::remove_file(dest.join(gone));
        }
    }
    let mut written = 0;
    for f in &files {
        let from = root.join(f);
        let to = dest.join(f);
        let bytes = std::fs::read(&from).with_context(|| format!("cannot read {}", from.display()))?;
        if std::fs::read(&to).ok().as_deref() == Some(bytes.as_slice()) {
            continue;
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&to, &bytes).with_context(|| format!("cannot write {}", to.display()))?;
        written += 1;
    }
    std::fs::write(&manifest, files.join("\n")).with_context(|| format!("cannot write {}", manifest.display()))?;
    Ok(written)
}

/// A FILE argument as a path from the root: as given, or under the core's sources.
fn resolve(root: &Path, file: &str) -> Result<String> {
    for candidate in [PathBuf::from(file), Path::new(CORE_SRC).join(file)] {
        if root.join(&candidate).is_file() {
            return Ok(candidate.to_string_lossy().replace('\\', "/"));
        }
    }
    bail!("no such source file: {file} (from the workspace root or {CORE_SRC}/)")
}

/// `crates/<package>/src/...` → `<package>`.
fn package_of(file: &str) -> Result<String> {
    match file.split('/').collect::<Vec<_>>().as_slice() {
        ["crates", package, "src", ..] => Ok((*package).to_owned()),
        _ => bail!("{file} is not in a crate's src/ (crates/<package>/src/...)"),
    }
}

fn ensure_cargo_mutants() -> Result<()> {
    let present = |c: &mut Command| {
        c.args(["mutants", "--version"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if present(&mut crate::cargo()) {
        return Ok(());
    }
    println!("mutants: installing cargo-mutants (cargo install cargo-mutants --locked)");
    crate::run_status({
        let mut c = crate::cargo();
        c.args(["install", "cargo-mutants", "--locked"]);
        c
    })
}

/// Each mutant (`path:line:col: description`) and its outcome, from cargo-mutants' lists.
fn read_outcomes(dir: &Path) -> Result<Vec<(Outcome, String)>> {
    let mut all = Vec::new();
    for (outcome, name) in OUTCOMES {
        let path = dir.join(name);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && name.starts_with("previously") => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        all.extend(text.lines().filter(|l| !l.is_empty()).map(|l| (outcome, l.to_owned())));
    }
    Ok(all)
}

/// `(file, mutant without its line and column)` pairs from the equivalents list: lines `file | mutant |
/// reason`, `#` comments.
fn read_equivalent(path: &Path) -> Result<Vec<(String, String)>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // A mutant's name may hold ` | ` itself (`replace | with ^`): the file ends at the first separator, the
        // reason starts after the last.
        let parts = line
            .split_once(" | ")
            .and_then(|(file, rest)| rest.rsplit_once(" | ").map(|(mutant, reason)| (file, mutant, reason)));
        match parts {
            Some((file, mutant, reason)) if !reason.trim().is_empty() && !mutant.trim().is_empty() => {
                out.push((file.trim().to_owned(), mutant.trim().to_owned()));
            }
            _ => bail!("{}:{}: expected `file | mutant | reason`", path.display(), n + 1),
        }
    }
    Ok(out)
}

/// `path:line:col: description` → `(path, description)`.
fn split_mutant(line: &str) -> (&str, &str) {
    let mut parts = line.splitn(4, ':');
    let file = parts.next().unwrap_or_default();
    let description = parts.nth(2).unwrap_or_default().trim();
    (file, description)
}

/// Prints the table and the missed mutants; returns how many missed mutants are not listed as equivalent.
fn report(
    files: &[String],
    outcomes: &[(Outcome, String)],
    equivalent: &[(String, String)],
    commit: &str,
    minutes: f64,
) -> usize {
    let mut counts: BTreeMap<&str, [usize; 5]> = files.iter().map(|f| (f.as_str(), [0; 5])).collect();
    for (outcome, line) in outcomes {
        let (file, _) = split_mutant(line);
        if let Some(c) = counts.get_mut(file) {
            c[*outcome as usize] += 1;
        }
    }
    println!("\nmutants: {minutes:.1} min, commit {commit} (plus any uncommitted changes)\n");
    println!("| file | mutants | caught | missed | timeout | unviable | caught or unviable earlier |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (file, c) in &counts {
        let short = file.strip_prefix("crates/session-core/src/").unwrap_or(file);
        println!(
            "| `{short}` | {} | {} | {} | {} | {} | {} |",
            c.iter().sum::<usize>(),
            c[0],
            c[1],
            c[2],
            c[3],
            c[4]
        );
    }
    let mut unexpected = 0;
    let mut missed: Vec<&String> = outcomes
        .iter()
        .filter(|(o, _)| *o == Outcome::Missed)
        .map(|(_, l)| l)
        .collect();
    missed.sort();
    if !missed.is_empty() {
        println!("\nmissed:");
    }
    for line in missed {
        let (file, description) = split_mutant(line);
        let known = equivalent.iter().any(|(f, d)| f == file && d == description);
        if !known {
            unexpected += 1;
        }
        println!("  {} {line}", if known { "equivalent" } else { "MISSED    " });
    }
    unexpected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutant_lines_split_into_file_and_description() {
        assert_eq!(
            split_mutant("crates/session-core/src/cookies.rs:243:22: replace += with -= in quoted"),
            ("crates/session-core/src/cookies.rs", "replace += with -= in quoted")
        );
        assert_eq!(
            package_of("crates/session-core/src/format/django.rs").unwrap(),
            "session-core"
        );
        assert!(package_of("xtask/src/main.rs").is_err());
    }
}
