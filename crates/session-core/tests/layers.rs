//! session-core's modules form three layers without an import circle: bytes and formats at the bottom (keys,
//! values, serializers, MACs, ciphers, cookie reading and writing, the wire formats), the session model above
//! them (session, config, flash, CSRF), the lifecycle on top (request cookies in, cookies to set out). This
//! test reads every `crate::`/`super::` path in the library's sources (test modules excluded) and fails on an
//! import that goes up a layer, an import of the crate root's re-exports from inside the crate, or a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layer of a module: 0 bytes and formats, 1 the session model, 2 the lifecycle, 3 the public face.
fn layer(module: &str) -> u8 {
    match module.split("::").next().unwrap_or_default() {
        "session" | "config" | "flash" | "csrf" => 1,
        "lifecycle" => 2,
        "" | "wire" => 3,
        _ => 0,
    }
}

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `format/flask.rs` → `format::flask`; `format/mod.rs` → `format`; `lib.rs` → `` (the root).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src").with_extension("");
    let parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    match parts.as_slice() {
        [only] if only == "lib" => String::new(),
        [dirs @ .., last] if last == "mod" => dirs.join("::"),
        all => all.join("::"),
    }
}

/// The source without its `#[cfg(test)]` items (test modules may use anything).
fn without_tests(text: &str) -> String {
    let mut out = String::new();
    let mut skip_depth: Option<i32> = None;
    let mut depth = 0i32;
    let mut pending_cfg_test = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if skip_depth.is_none() && trimmed.starts_with("#[cfg(test)]") {
            pending_cfg_test = true;
            continue;
        }
        let opens = line.matches('{').count() as i32;
        let closes = line.matches('}').count() as i32;
        if pending_cfg_test {
            pending_cfg_test = false;
            if opens > closes {
                skip_depth = Some(depth);
                depth += opens - closes;
            }
            continue;
        }
        depth += opens - closes;
        match skip_depth {
            Some(d) if depth <= d => skip_depth = None,
            Some(_) => {}
            None if !trimmed.starts_with("//") => {
                out.push_str(line);
                out.push('\n');
            }
            None => {}
        }
    }
    out
}

/// The modules a path after `crate::` names, resolved against the known modules (the longest known prefix),
/// expanding one level of `{a, b::c}` groups.
fn targets(rest: &str, known: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    let path: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':' || *c == '{')
        .collect();
    if let Some(prefix) = path.strip_suffix('{').or_else(|| path.strip_suffix("::{")) {
        let group = &rest[path.len()..];
        let group = &group[..group.find('}').unwrap_or(group.len())];
        let prefix = prefix.trim_end_matches("::");
        for item in group.split(',') {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            let full = if prefix.is_empty() {
                item.to_owned()
            } else {
                format!("{prefix}::{item}")
            };
            out.push(resolve(&full, known));
        }
    } else {
        out.push(resolve(&path, known));
    }
    out
}

fn resolve(path: &str, known: &BTreeSet<String>) -> String {
    let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
    (0..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|m| known.contains(m))
        .unwrap_or_default()
}

#[test]
fn modules_form_three_layers_without_a_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    let known: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut errors = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        let text = without_tests(&std::fs::read_to_string(file).expect("readable"));
        let parent = module.rsplit_once("::").map_or("", |(p, _)| p).to_owned();
        for (marker, base) in [("crate::", String::new()), ("super::", parent.clone())] {
            for (at, _) in text.match_indices(marker) {
                // Skip `$crate::` and paths inside other identifiers.
                if text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
                    continue;
                }
                let rest = &text[at + marker.len()..];
                let rest = if base.is_empty() {
                    rest.to_owned()
                } else {
                    format!("{base}::{rest}")
                };
                for target in targets(&rest, &known) {
                    if target == module || module.starts_with(&format!("{target}::")) && target.is_empty() {
                        continue;
                    }
                    if target.is_empty() && !module.is_empty() && module != "wire" {
                        errors.push(format!(
                            "{module} reaches the crate root's re-exports: name the module instead"
                        ));
                        continue;
                    }
                    if target != module {
                        edges.entry(module.clone()).or_default().insert(target);
                    }
                }
            }
        }
    }
    for (from, tos) in &edges {
        for to in tos {
            if layer(to) > layer(from) {
                errors.push(format!(
                    "{from} (layer {}) imports {to} (layer {})",
                    layer(from),
                    layer(to)
                ));
            }
        }
    }
    // A circle: a depth-first search that meets a module on its own path.
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        errors: &mut Vec<String>,
    ) {
        if let Some(i) = path.iter().position(|p| p == m) {
            errors.push(format!("import circle: {} -> {m}", path[i..].join(" -> ")));
            return;
        }
        if !done.insert(m.to_owned()) {
            return;
        }
        path.push(m.to_owned());
        for next in edges.get(m).into_iter().flatten() {
            visit(next, edges, path, done, errors);
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for m in &known {
        visit(m, &edges, &mut Vec::new(), &mut done, &mut errors);
    }
    errors.sort();
    errors.dedup();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // The check sees the imports it is about.
    assert!(edges["lifecycle"].contains("config") && edges["format::flask"].contains("format::seam"));
    // Go's gob is a serializer of the bytes layer, under the gorilla format.
    assert_eq!(layer("gob"), 0);
    assert!(edges["format::gorilla"].contains("gob") && !edges["gob"].iter().any(|m| m.starts_with("format")));
    // The PHP serializer is a bytes-layer module that Laravel's format uses.
    assert!(edges["format::laravel"].contains("php") && layer("php") == 0);
}
