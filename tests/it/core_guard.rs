//! The calculation core (text, model, reference data, portfolio, import, analysis) must run
//! natively: it imports nothing from yew, web-sys, gloo, js-sys or wasm-bindgen, and nothing from
//! the app shell.
//!
//! The crate's modules form layers that run one way (see `src/lib.rs`): a module uses only its own
//! layer and the layers below ([`LAYERS`]), and inside a core module and inside the app the
//! sibling modules (e.g. `analysis::firm_risk` and `analysis::assess`, `app::browser` and
//! `app::download`) import each other without a cycle. In the shell, only the browser module
//! and the bundles' entry points switch on `target_arch` ([`BROWSER_SWITCHES`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const CORE_DIRS: [&str; 6] = [
    "src/text",
    "src/model",
    "src/reference",
    "src/portfolio",
    "src/import",
    "src/analysis",
];

/// The crate's top-level modules by layer, lowest first: value types, formatting and parsing of
/// text (which names countries by their code), reference
/// data, portfolios (validation, schema, share links, storage), imports that build portfolios,
/// analyses, and the front ends (browser app, command line, JavaScript API).
const LAYERS: [&[&str]; 7] = [
    &["model"],
    &["text"],
    &["reference"],
    &["portfolio"],
    &["import"],
    &["analysis"],
    &["api", "cli", "app"],
];
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

/// The layer of a top-level module, `None` for a name that is no module of ours.
fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The module path of a source file under `src/` (`src/analysis/planner/solver.rs` is
/// `analysis::planner::solver`; a `mod.rs` names its folder). `None` for `lib.rs`, `main.rs` and
/// the binaries, which are no modules of the crate's tree.
fn module_path(src: &Path, file: &Path) -> Option<Vec<String>> {
    let relative = file.strip_prefix(src).ok()?;
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.first().is_some_and(|p| p == "bin") {
        return None;
    }
    let last = parts.pop()?;
    let stem = last.strip_suffix(".rs")?;
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    if parts.is_empty() || parts == ["lib"] || parts == ["main"] {
        return None;
    }
    Some(parts)
}

/// The code of `source` without comments (line comments, doc comments), line by line.
fn code_lines(source: &str) -> Vec<&str> {
    source
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect()
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The absolute module paths (`crate::` and `super::` paths resolved against `module`) that the
/// code uses, each with its 1-based line. A group `crate::{a::b, c}` gives `a` and `c`; only the
/// first two segments are kept, enough to name a top-level module and its child.
fn used_paths(code: &[&str], module: &[String]) -> Vec<(usize, Vec<String>)> {
    let text = code.join("\n");
    let line_at = |offset: usize| text[..offset].matches('\n').count() + 1;
    let mut found = Vec::new();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(at) = text[from..].find(start).map(|i| i + from) {
            from = at + start.len();
            if text[..at].chars().next_back().is_some_and(is_ident) || text[..at].ends_with("::") {
                continue;
            }
            // The base the path starts from.
            let mut base: Vec<String> = match start {
                "crate::" => Vec::new(),
                "self::" => module.to_vec(),
                _ => module[..module.len().saturating_sub(1)].to_vec(),
            };
            let mut rest = &text[from..];
            while let Some(after) = rest.strip_prefix("super::") {
                base.pop();
                rest = after;
            }
            for names in path_heads(rest) {
                let mut path = base.clone();
                path.extend(names);
                path.truncate(2);
                if !path.is_empty() {
                    found.push((line_at(at), path));
                }
            }
        }
    }
    found
}

/// The leading segments of the path(s) that `rest` starts with: `a::b::C` gives `[a, b, C]`;
/// `{a::b, c}` gives `[a, b]` and `[c]`.
fn path_heads(rest: &str) -> Vec<Vec<String>> {
    let rest = rest.trim_start();
    if let Some(group) = rest.strip_prefix('{') {
        let mut depth = 0;
        let mut items = Vec::new();
        let mut item_start = 0;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    items.push(&group[item_start..i]);
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(&group[item_start..i]);
                    item_start = i + 1;
                }
                _ => {}
            }
        }
        return items
            .into_iter()
            .map(|item| segments(item.trim()))
            .filter(|s| !s.is_empty())
            .collect();
    }
    vec![segments(rest)]
}

/// The identifier segments `a::b::c` at the start of `text`, stopping at anything else.
fn segments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let end = rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        out.push(rest[..end].to_string());
        match rest[end..].strip_prefix("::") {
            Some(next) => rest = next,
            None => break,
        }
    }
    out
}

/// Every module-path use in `src/` that runs against [`LAYERS`]: `file:line: module uses path`.
fn layer_violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut report = Vec::new();
    for file in &files {
        let Some(module) = module_path(src, file) else {
            continue;
        };
        let Some(own) = layer_of(&module[0]) else {
            report.push(format!(
                "{}: module `{}` is in no layer",
                file.display(),
                module[0]
            ));
            continue;
        };
        let source = std::fs::read_to_string(file).expect("readable source file");
        for (line, path) in used_paths(&code_lines(&source), &module) {
            if let Some(used) = layer_of(&path[0])
                && used > own
            {
                report.push(format!(
                    "{}:{line}: `{}` (layer {own}) uses `{}` (layer {used})",
                    file.display(),
                    module.join("::"),
                    path.join("::")
                ));
            }
        }
    }
    report
}

/// The import graph between the children of each module of `dirs` (`analysis::firm_risk` ->
/// `analysis::concentration`), from code outside the tests; a `mod.rs` is left out, since a parent
/// declares its children.
fn sibling_graph(src: &Path, dirs: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for dir in dirs {
        let mut files = Vec::new();
        let dir = src.parent().expect("crate root").join(dir);
        rust_files(&dir, &mut files);
        for file in &files {
            let Some(module) = module_path(src, file) else {
                continue;
            };
            if module.len() < 2 {
                continue;
            }
            let source = std::fs::read_to_string(file).expect("readable source file");
            let code = code_lines(&source);
            let end = code
                .iter()
                .position(|l| l.trim() == "#[cfg(test)]")
                .unwrap_or(code.len());
            let from = module[..2].join("::");
            for (_, path) in used_paths(&code[..end], &module) {
                if path.len() == 2 && path[0] == module[0] && path[1] != module[1] {
                    let to = path.join("::");
                    // Only modules count: a child file or folder, not an item of `mod.rs`.
                    let child = dir.join(&path[1]);
                    if child.with_extension("rs").exists() || child.is_dir() {
                        graph.entry(from.clone()).or_default().insert(to);
                    }
                }
            }
        }
    }
    graph
}

/// One cycle of `graph`, as the list of its modules, if it has one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        done: &mut BTreeSet<String>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, done, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut done, &mut Vec::new()))
}

#[test]
fn modules_use_only_their_own_layer_and_layers_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let report = layer_violations(&src);
    assert!(
        report.is_empty(),
        "imports against the layer order {LAYERS:?}:\n{}",
        report.join("\n")
    );
}

#[test]
fn core_modules_import_each_other_without_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = sibling_graph(&src, &CORE_DIRS);
    assert!(
        graph.contains_key("analysis::firm_risk"),
        "the graph misses analysis::firm_risk: {graph:?}"
    );
    assert_eq!(find_cycle(&graph), None, "an import cycle in the core");
}

/// The shell's modules too (`app::components` -> `app::lazy`, `app::browser` ->
/// `app::download`) import each other without a cycle.
#[test]
fn app_modules_import_each_other_without_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = sibling_graph(&src, &["src/app"]);
    assert!(
        graph.contains_key("app::components"),
        "the graph misses app::components: {graph:?}"
    );
    assert_eq!(find_cycle(&graph), None, "an import cycle in the app");
}

#[test]
fn guard_reads_paths_groups_and_super() {
    let module = |p: &str| p.split("::").map(String::from).collect::<Vec<_>>();
    let heads = |code: &str, m: &str| {
        used_paths(&code_lines(code), &module(m))
            .into_iter()
            .map(|(_, p)| p.join("::"))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        heads("use crate::analysis::assess::Assessment;", "model"),
        ["analysis::assess"]
    );
    assert_eq!(
        heads(
            "use crate::{model::Stage, portfolio::Portfolio};",
            "reference"
        ),
        ["model::Stage", "portfolio::Portfolio"]
    );
    assert_eq!(
        heads("use crate::{\n    app::x,\n    model,\n};", "cli"),
        ["app::x", "model"]
    );
    assert_eq!(
        heads("use super::scenario::Scenario;", "analysis::montecarlo"),
        ["analysis::scenario"]
    );
    assert_eq!(
        heads("use super::super::exposure;", "analysis::planner::solver"),
        ["analysis::exposure"]
    );
    assert!(heads("let my_crate::x = 1; // crate::app", "model").is_empty());
    assert_eq!(layer_of("model"), Some(0));
    assert!(layer_of("text") > layer_of("model"));
    assert!(layer_of("analysis") > layer_of("portfolio"));
    assert!(layer_of("app") > layer_of("analysis"));
}

#[test]
fn guard_finds_cycles() {
    let graph = |edges: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
        }
        g
    };
    assert_eq!(
        find_cycle(&graph(&[("a", "b"), ("b", "c"), ("a", "c")])),
        None
    );
    assert_eq!(
        find_cycle(&graph(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}

/// The most lines of code (before the file's `#[cfg(test)]`) one source file may hold: a file a
/// reader can hold holds one subject.
const MAX_CODE_LINES: usize = 1_000;

/// The lines of `source` before its test module, if it has one at the top level.
fn code_line_count(source: &str) -> usize {
    source
        .lines()
        .take_while(|line| !line.starts_with("#[cfg(test)]"))
        .count()
}

#[test]
fn source_files_hold_at_most_a_thousand_lines_of_code() {
    // Every source file, the core's and the front ends' alike (issue #21).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut report = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(root).expect("under the crate root");
        // A test module in its own file (`policy/tests.rs`) is tests, not code.
        let test_module = file.file_stem().is_some_and(|s| s == "tests");
        if test_module {
            continue;
        }
        let source = std::fs::read_to_string(file).expect("readable source file");
        let lines = code_line_count(&source);
        if lines > MAX_CODE_LINES {
            report.push(format!("{}: {lines} lines of code", relative.display()));
        }
    }
    assert!(
        report.is_empty(),
        "source files over {MAX_CODE_LINES} lines of code:\n{}",
        report.join("\n")
    );
}

#[test]
fn code_lines_stop_at_the_test_module() {
    assert_eq!(code_line_count("a\nb\n#[cfg(test)]\nmod tests {}\n"), 2);
    assert_eq!(code_line_count("a\n    #[cfg(test)]\nb\n"), 3);
    assert_eq!(code_line_count(""), 0);
}

/// The shell's files that may switch on `target_arch`: the browser module (one browser body and
/// one native stand-in per call) and the bundles' entry points (`start` functions, the exports
/// of the pages' part, the browser-only modules the app root declares). Everything else calls
/// the browser through `app::browser` (issue #21).
const BROWSER_SWITCHES: [&str; 7] = [
    "src/app/browser.rs",
    "src/app/browser/chart.rs",
    "src/app/browser/pages.rs",
    "src/app/browser/worker.rs",
    "src/app/mod.rs",
    "src/app/pages.rs",
    "src/app/components/embed.rs",
];

/// The files under `app` (relative to the crate root `root`) whose code (not comments) switches
/// on `target_arch`, with the first such line, outside [`BROWSER_SWITCHES`].
fn browser_switches_outside(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&root.join("src/app"), &mut files);
    let mut report = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(root).expect("under the crate root");
        let name = relative.to_string_lossy().replace('\\', "/");
        if BROWSER_SWITCHES.contains(&name.as_str()) {
            continue;
        }
        let source = std::fs::read_to_string(file).expect("readable source file");
        if let Some(line) = code_lines(&source)
            .iter()
            .position(|l| l.contains("target_arch"))
        {
            report.push(format!("{name}:{}", line + 1));
        }
    }
    report
}

#[test]
fn app_calls_the_browser_through_its_browser_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for allowed in BROWSER_SWITCHES {
        assert!(
            root.join(allowed).exists(),
            "{allowed} is gone: update the list"
        );
    }
    let report = browser_switches_outside(root);
    assert!(
        report.is_empty(),
        "cfg(target_arch) outside app::browser and the entry points:\n{}",
        report.join("\n")
    );
}

#[test]
fn browser_switch_guard_reads_code_not_comments() {
    assert!(
        code_lines("//! a `cfg(target_arch)` switch\nfn f() {}")
            .iter()
            .all(|l| !l.contains("target_arch"))
    );
    assert!(code_lines("#[cfg(target_arch = \"wasm32\")]\nfn f() {}")[0].contains("target_arch"));
}
