//! The documentation names exactly the registry's formats: every `Format::X` written in README.md or docs/ is a
//! registered format, and every registered format is in README.md's table and described in docs/.

use std::collections::BTreeSet;
use std::path::Path;

use session_core::Format;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `Format::Name` variants written in `text` (associated items such as `Format::ALL` or `Format::from_name`
/// start with a capital and a lowercase letter or are all caps; variants are CamelCase).
fn variants_in(text: &str) -> BTreeSet<String> {
    text.match_indices("Format::")
        .map(|(at, m)| {
            text[at + m.len()..]
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|name| {
            name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().any(|c| c.is_ascii_lowercase())
        })
        .collect()
}

#[test]
fn docs_name_exactly_the_registered_formats() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let registered: BTreeSet<String> = Format::ALL.iter().map(|f| format!("{f:?}")).collect();
    let readme = read(&root.join("README.md"));
    let mut docs = String::new();
    for entry in std::fs::read_dir(root.join("docs")).expect("docs/") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            docs.push_str(&read(&path));
        }
    }
    for (what, text) in [("README.md", &readme), ("docs/", &docs)] {
        let unknown: Vec<_> = variants_in(text).difference(&registered).cloned().collect();
        assert!(
            unknown.is_empty(),
            "{what} names formats the registry does not have: {unknown:?}"
        );
    }
    let in_readme = variants_in(&readme);
    let in_docs = variants_in(&docs);
    for f in &registered {
        assert!(in_readme.contains(f), "README.md does not list Format::{f}");
        assert!(in_docs.contains(f), "docs/ do not describe Format::{f}");
    }
}
