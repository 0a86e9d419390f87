//! `cargo xtask soak`: placeholder until the soak helper lands.

use std::path::Path;

use anyhow::Result;

/// Runs the soak test.
pub(crate) fn run(_root: &Path, _args: &[String]) -> Result<()> {
    anyhow::bail!("not yet implemented")
}
