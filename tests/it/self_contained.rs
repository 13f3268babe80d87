//! The repository alone builds, tests and regenerates its data: nothing outside the RMI fixtures
//! reads the team's upstream `../shared` (a clone elsewhere has none), and nothing RMI reserves is
//! vendored. `scripts/test.sh` also proves it by running the data checks and the native tests in a
//! fresh clone with nothing beside it.

use std::path::{Path, PathBuf};

/// The places allowed to name the upstream folder: the RMI fixtures (the templates may not be
/// copied, so tests read them there when present) and the step that refreshes `data/sources`.
const ALLOWED: [&str; 4] = [
    "tests/it/import/fixtures.rs",
    "tests/e2e/rmi.mjs",
    "scripts/data/vendor.py",
    "tests/it/self_contained.rs",
];

/// Folders and top-level files that hold the project's code, tests and build configuration.
const SCANNED: [&str; 10] = [
    "src",
    "tests",
    "scripts",
    "benches",
    "examples",
    ".ci",
    "Cargo.toml",
    "Trunk.toml",
    "package.json",
    "index.html",
];

/// Ways code names the upstream folder: a relative path, or path components joined in
/// Python (`parent / "shared"`) or JavaScript (`join(root, '..', 'shared')`).
const NEEDLES: [&str; 3] = ["../shared", "\"shared\"", "'shared'"]; // the upstream folder

fn files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_file() {
        out.push(path.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if ["node_modules", "target", "dist", "screenshots"].contains(&name) {
            continue;
        }
        files(&path, out);
    }
}

#[test]
fn nothing_outside_the_rmi_fixtures_reads_the_upstream_shared_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for scanned in SCANNED {
        files(&root.join(scanned), &mut found);
    }
    assert!(found.len() > 50, "too few files scanned: {}", found.len());
    let mut offenders = Vec::new();
    for path in found {
        let relative = path.strip_prefix(root).expect("under the root");
        let relative = relative.to_string_lossy().replace('\\', "/");
        if ALLOWED.contains(&relative.as_str()) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // binary files
        };
        for (number, line) in text.lines().enumerate() {
            if NEEDLES.iter().any(|needle| line.contains(needle)) {
                offenders.push(format!("{relative}:{}: {}", number + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "these read ../shared, which a clone does not have; vendor the file into data/sources \
         (scripts/data/vendor.py) and read it there:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn no_rmi_file_is_vendored() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut vendored = Vec::new();
    files(&root.join("data/sources"), &mut vendored);
    assert!(
        vendored.len() > 100,
        "data/sources holds {} files",
        vendored.len()
    );
    let rmi: Vec<_> = vendored
        .iter()
        .filter(|p| {
            let relative = p
                .strip_prefix(root.join("data/sources"))
                .expect("under data/sources");
            let name = relative
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            relative.components().any(|c| c.as_os_str() == "cmrt")
                || ["RMI_", "CMRT", "EMRT"]
                    .iter()
                    .any(|prefix| name.starts_with(prefix))
                || name.to_lowercase().contains("smelter")
        })
        .collect();
    assert!(rmi.is_empty(), "RMI reserves all rights to these: {rmi:?}");
}

#[test]
fn every_vendored_folder_is_described_in_sources_md() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sources");
    let index = std::fs::read_to_string(root.join("SOURCES.md")).expect("data/sources/SOURCES.md");
    for entry in std::fs::read_dir(&root).expect("data/sources") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            let name = path.file_name().expect("name").to_string_lossy();
            assert!(
                index.contains(&format!("`{name}/`")),
                "data/sources/SOURCES.md says nothing of `{name}/`"
            );
        }
    }
}
