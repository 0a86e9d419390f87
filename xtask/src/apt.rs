//! Debian packages the checks need (Ruby's actionpack, Chromium, wrk, Go, PHP), installed with `apt-get` when
//! a probe says they are missing: as root, or through `sudo`.

use std::process::Command;

use anyhow::{Context as _, Result, bail};

/// Whether `apt-get` can be run here at all.
pub fn available() -> bool {
    Command::new("apt-get")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs `present`; when it says no, installs `packages` (`apt-get update` first, once) and runs it again.
/// `what` names the need in the messages ("Rails vectors", "the browser test").
pub fn ensure(what: &str, packages: &[&str], present: impl Fn() -> bool) -> Result<()> {
    if present() {
        return Ok(());
    }
    if !available() {
        bail!(
            "{what} need the Debian package(s) {} and apt-get is unavailable; install them by hand",
            packages.join(" ")
        );
    }
    println!("xtask: installing Debian's {} for {what} (apt-get)", packages.join(" "));
    apt(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend_from_slice(packages);
    apt(&args)?;
    if !present() {
        bail!(
            "{} installed, but {what} still cannot find what they need",
            packages.join(" ")
        );
    }
    Ok(())
}

fn apt(args: &[&str]) -> Result<()> {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut cmd = if root {
        Command::new("apt-get")
    } else {
        let mut sudo = Command::new("sudo");
        sudo.arg("apt-get");
        sudo
    };
    cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
    let status = cmd.status().context("cannot run apt-get")?;
    if !status.success() {
        bail!("apt-get {} failed ({status})", args.join(" "));
    }
    Ok(())
}

/// Whether `program args...` runs and exits 0.
pub fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}
