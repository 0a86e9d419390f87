//! The pinned Python environment (Flask, Starlette, Django & co. from `scripts/requirements.txt`) under `target/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail};

/// The venv's python, creating the venv and installing the pinned requirements when missing or stale.
pub(crate) fn venv(root: &Path) -> Result<PathBuf> {
    let dir = root.join("target/flask-venv");
    let py = dir.join("bin/python");
    let req = root.join("scripts/requirements.txt");
    let stamp = dir.join(".requirements.installed");
    let wanted = std::fs::read_to_string(&req).with_context(|| format!("cannot read {}", req.display()))?;
    if py.exists() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(py);
    }
    let system_python = ["python3", "python"]
        .into_iter()
        .find(|p| {
            Command::new(p)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .context("python3 is required for the vectors and interop (install Python 3.11+)")?;
    if !py.exists() {
        eprintln!("xtask: creating {} with {system_python}", dir.display());
        let st = Command::new(system_python).args(["-m", "venv"]).arg(&dir).status()?;
        if !st.success() {
            bail!("python -m venv failed (on Debian: apt-get install python3-venv)");
        }
    }
    eprintln!("xtask: installing the pinned Python packages from {}", req.display());
    let st = Command::new(&py)
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(&req)
        .status()?;
    if !st.success() {
        bail!("pip install -r {} failed", req.display());
    }
    std::fs::write(&stamp, wanted)?;
    Ok(py)
}
