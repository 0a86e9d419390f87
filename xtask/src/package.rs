//! `cargo xtask ci`'s packaging step: what a registry would receive builds and passes its own tests.
//!
//! 1. Every workspace member other than [`PUBLISHED`] (and the separate `benches-http` and `fuzz` workspaces)
//!    says `publish = false`, and every crate in [`PUBLISHED`] is publishable.
//! 2. `cargo package --no-verify` for [`PUBLISHED`], into `target/package-check/target/package/` (one command,
//!    so the crates that depend on `session-core` by version resolve it through cargo's local registry overlay;
//!    nothing is published).
//! 3. Each `.crate` must hold `README.md` and the root `LICENSE-MIT` and `LICENSE-APACHE`, byte for byte.
//! 4. The `.crate` files are unpacked into `target/package-check/` (through `unpacked/` there, see [`sync`]) and
//!    `cargo test --workspace` runs in a throwaway workspace of the unpacked crates alone: `[patch.crates-io]`
//!    serves each of our crates from its unpacked sibling, as a registry would, and the root `Cargo.lock` pins
//!    the versions CI tests. This replaces `cargo package`'s own verify step (a build of each library) with a
//!    build that also runs the tests (unit, integration and doc) that a downstream `cargo test` in the unpacked
//!    crate would run. The target directory `target/package-check/target` is kept, so a rerun rebuilds only
//!    what changed.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, Result, bail};

/// The crates a registry receives: the core, the three adapters and the CLI.
const PUBLISHED: [&str; 5] = [
    "session-core",
    "session-hyper",
    "session-axum",
    "session-actix",
    "session-cli",
];

/// Files every package must carry, compared with the root copies.
const LICENSES: [&str; 2] = ["LICENSE-MIT", "LICENSE-APACHE"];

/// Runs the packaging check from the workspace `root`.
pub(crate) fn run(root: &Path) -> Result<()> {
    let (versions, depended_on) = check_publish_flags(root)?;

    // Everything under one directory of the root's target/, whatever CARGO_TARGET_DIR says.
    let check = root.join("target/package-check");
    let target = check.join("target");
    let mut package = crate::cargo();
    package
        .args(["package", "--no-verify", "--allow-dirty", "--target-dir"])
        .arg(&target);
    for name in PUBLISHED {
        package.args(["-p", name]);
    }
    crate::run_status(package)?;

    let staging = check.join("unpacked");
    if staging.exists() {
        std::fs::remove_dir_all(&staging).with_context(|| format!("cannot remove {}", staging.display()))?;
    }
    std::fs::create_dir_all(&staging)?;
    let mut members = Vec::new();
    let mut patches = String::new();
    for (name, version) in PUBLISHED.iter().zip(&versions) {
        let dir_name = format!("{name}-{version}");
        let archive = target.join("package").join(format!("{dir_name}.crate"));
        let mut tar = Command::new("tar");
        tar.arg("-xzf").arg(&archive).arg("-C").arg(&staging);
        crate::run_status(tar)?;
        check_contents(root, &staging.join(&dir_name))?;
        let (files, changed) = sync(&staging.join(&dir_name), &check.join(&dir_name))?;
        println!("package: {dir_name}.crate: {files} files, {changed} changed since the last check");
        members.push(format!("{dir_name:?}"));
        if depended_on.contains(name) {
            patches.push_str(&format!("{name} = {{ path = {dir_name:?} }}\n"));
        }
    }
    std::fs::write(
        check.join("Cargo.toml"),
        format!(
            "# Written by `cargo xtask ci` (xtask/src/package.rs): the packaged crates, tested on their own.\n\
             [workspace]\nmembers = [{}]\nresolver = \"3\"\n\n[patch.crates-io]\n{patches}",
            members.join(", ")
        ),
    )?;
    std::fs::copy(root.join("Cargo.lock"), check.join("Cargo.lock")).context("cannot copy Cargo.lock")?;

    let mut test = crate::cargo();
    test.current_dir(&check)
        .args(["test", "--workspace"])
        .env("CARGO_TARGET_DIR", &target);
    crate::run_status(test).context("the packaged crates do not pass their own tests")?;
    println!(
        "package: {} crates packaged; each builds and passes its tests from the package alone",
        PUBLISHED.len()
    );
    Ok(())
}

/// Checks the `publish` flags (see the module docs); returns the versions of [`PUBLISHED`], in order, and those
/// of them that another published crate depends on.
fn check_publish_flags(root: &Path) -> Result<(Vec<String>, BTreeSet<&'static str>)> {
    let mut versions = vec![String::new(); PUBLISHED.len()];
    let mut depended_on = BTreeSet::new();
    let mut wrong = Vec::new();
    for manifest in ["Cargo.toml", "benches-http/Cargo.toml", "fuzz/Cargo.toml"] {
        let out = crate::cargo()
            .args(["metadata", "--no-deps", "--format-version", "1", "--manifest-path"])
            .arg(root.join(manifest))
            .output()
            .context("cannot run cargo metadata")?;
        if !out.status.success() {
            bail!(
                "cargo metadata for {manifest} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let meta: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        for pkg in meta["packages"].as_array().into_iter().flatten() {
            let name = pkg["name"].as_str().unwrap_or("?");
            // `publish = false` is an empty list; absent (null) means any registry.
            let unpublished = pkg["publish"].as_array().is_some_and(Vec::is_empty);
            match PUBLISHED.iter().position(|p| *p == name) {
                Some(i) if manifest == "Cargo.toml" => {
                    if unpublished {
                        wrong.push(format!(
                            "{name} is `publish = false` but is one of the published crates"
                        ));
                    }
                    versions[i] = pkg["version"].as_str().unwrap_or_default().to_owned();
                    for dep in pkg["dependencies"].as_array().into_iter().flatten() {
                        depended_on.extend(PUBLISHED.iter().filter(|p| dep["name"] == **p));
                    }
                }
                _ if !unpublished => wrong.push(format!("{name} ({manifest}) is internal: it needs `publish = false`")),
                _ => {}
            }
        }
    }
    if let Some(i) = versions.iter().position(String::is_empty) {
        wrong.push(format!("{} is not a workspace member", PUBLISHED[i]));
    }
    if !wrong.is_empty() {
        bail!("package: {}", wrong.join("; "));
    }
    Ok((versions, depended_on))
}

/// The unpacked crate in `dir` has a README and the root's license texts.
fn check_contents(root: &Path, dir: &Path) -> Result<()> {
    if !dir.join("README.md").is_file() {
        bail!("{} has no README.md", dir.display());
    }
    for license in LICENSES {
        let packaged = std::fs::read(dir.join(license))
            .with_context(|| format!("{} lacks {license} (copy the root one into the crate)", dir.display()))?;
        if packaged != std::fs::read(root.join(license))? {
            bail!("{}/{license} differs from the root {license}", dir.display());
        }
    }
    Ok(())
}

/// Makes `dst` a copy of `src`, rewriting only the files whose bytes differ. Cargo gives every file in a
/// `.crate` the same fixed mtime, and cargo's freshness check goes by mtime: unpacking over the last check
/// would leave a changed source looking fresh. Returns (files, files written).
fn sync(src: &Path, dst: &Path) -> Result<(usize, usize)> {
    std::fs::create_dir_all(dst)?;
    for entry in std::fs::read_dir(dst)? {
        let entry = entry?;
        if !src.join(entry.file_name()).exists() {
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                std::fs::remove_dir_all(&path)?;
            } else {
                std::fs::remove_file(&path)?;
            }
        }
    }
    let (mut files, mut changed) = (0, 0);
    for entry in std::fs::read_dir(src)? {
        let entry = entry?;
        let to = dst.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            if to.is_file() {
                std::fs::remove_file(&to)?;
            }
            let (f, c) = sync(&entry.path(), &to)?;
            files += f;
            changed += c;
        } else {
            let bytes = std::fs::read(entry.path())?;
            if to.is_dir() {
                std::fs::remove_dir_all(&to)?;
            }
            if std::fs::read(&to).ok().as_deref() != Some(&bytes[..]) {
                std::fs::write(&to, &bytes).with_context(|| format!("cannot write {}", to.display()))?;
                changed += 1;
            }
            files += 1;
        }
    }
    Ok((files, changed))
}
