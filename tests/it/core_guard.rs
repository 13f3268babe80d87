//! The calculation core (model, reference data, analysis, import) must run natively: it imports nothing
//! from yew, web-sys, gloo, js-sys or wasm-bindgen, and nothing from the app shell.

use std::path::{Path, PathBuf};

const CORE_DIRS: [&str; 4] = ["src/model", "src/reference", "src/analysis", "src/import"];
const FORBIDDEN: [&str; 7] = [
    "yew",
    "web_sys",
    "gloo",
    "js_sys",
    "wasm_bindgen",
    "serde_wasm_bindgen",
    "crate::app",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Finds the forbidden identifiers in code (not comments) as whole path segments.
fn violations(source: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (number, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        for name in FORBIDDEN {
            let mut rest = code;
            while let Some(at) = rest.find(name) {
                let before = rest[..at].chars().next_back();
                let after = rest[at + name.len()..].chars().next();
                let boundary =
                    |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
                if boundary(before) && boundary(after) {
                    found.push((number + 1, line.trim().to_string()));
                }
                rest = &rest[at + name.len()..];
            }
        }
    }
    found
}

#[test]
fn calculation_core_imports_no_browser_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in CORE_DIRS {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(
        files.len() >= CORE_DIRS.len(),
        "core files not found: {files:?}"
    );
    let mut report = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).expect("readable source file");
        for (line, text) in violations(&source) {
            report.push(format!("{}:{line}: {text}", file.display()));
        }
    }
    assert!(
        report.is_empty(),
        "browser-only imports in the core:\n{}",
        report.join("\n")
    );
}

#[test]
fn guard_detects_forbidden_imports() {
    assert_eq!(violations("use yew::prelude::*;").len(), 1);
    assert_eq!(violations("let w = web_sys::window();").len(), 1);
    assert_eq!(violations("use crate::app::state;").len(), 1);
    assert!(violations("// yew is fine in a comment").is_empty());
    assert!(violations("let yewish = 1; let gloom = 2;").is_empty());
}
