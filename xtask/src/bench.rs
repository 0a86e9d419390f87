//! `cargo xtask bench`: placeholder until the benchmark helper lands.

use std::path::Path;

use anyhow::Result;

/// Runs the benchmarks.
pub(crate) fn run(_root: &Path, _args: &[String]) -> Result<()> {
    anyhow::bail!("not yet implemented")
}
