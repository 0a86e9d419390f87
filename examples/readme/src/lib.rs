//! The repository's README, compiled: its Rust blocks are this crate's doctests (`cargo test -p readme`), so
//! the first program a newcomer copies, with the dependencies the README lists, builds. (A fresh `cargo new`
//! project outside the workspace proves the features are enough; inside it, other members may add some.)
#![cfg_attr(doctest, doc = include_str!("../../../README.md"))]

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test that fails should fail loudly")]

    /// The README's first `toml` block: the dependencies a new project copies.
    fn readme_dependencies() -> Vec<String> {
        let readme = include_str!("../../../README.md");
        let block = readme.split("```toml\n").nth(1).unwrap().split("```").next().unwrap();
        block.lines().filter(|l| l.contains(" = ")).map(str::to_owned).collect()
    }

    #[test]
    fn the_readme_lists_this_crates_dependencies() {
        let manifest = include_str!("../Cargo.toml");
        let ours: Vec<&str> = manifest
            .split("[dependencies]\n")
            .nth(1)
            .unwrap()
            .split("\n[")
            .next()
            .unwrap()
            .lines()
            .filter(|l| l.contains(" = "))
            .collect();
        let readme = readme_dependencies();
        assert_eq!(readme.len(), ours.len(), "{readme:?} vs {ours:?}");
        for (theirs, ours) in readme.iter().zip(&ours) {
            if theirs.starts_with("session-axum = ") {
                assert!(
                    theirs.contains("path = \"../flask-sessions-rs/crates/session-axum\""),
                    "{theirs}"
                );
            } else {
                assert_eq!(theirs, ours);
            }
        }
    }
}
