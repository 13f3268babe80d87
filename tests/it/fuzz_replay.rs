//! Replays every committed fuzz corpus and regression file (`fuzz/corpus/TARGET/`,
//! `fuzz/regressions/TARGET/`) through the fuzz targets' bodies, natively: seconds, not a
//! campaign. A crash a campaign found, once fixed, stays fixed. FUZZING.md records the campaigns.

#[path = "../../fuzz/bodies.rs"]
mod bodies;

use chokepoint::import::SpreadsheetError;
use std::path::Path;

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<_> = entries
        .map(|e| e.expect("corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found
}

#[test]
fn every_committed_corpus_and_regression_file_replays_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for (name, body) in bodies::TARGETS {
        let corpus = files(&root.join("corpus").join(name));
        assert!(!corpus.is_empty(), "fuzz/corpus/{name} is empty");
        for path in corpus
            .iter()
            .chain(&files(&root.join("regressions").join(name)))
        {
            let bytes = std::fs::read(path).expect("corpus file");
            let outcome = std::panic::catch_unwind(|| body(&bytes));
            assert!(outcome.is_ok(), "{name}: {} fails", path.display());
        }
    }
}

#[test]
fn the_workbook_plan_builds_workbooks_the_readers_open() {
    // The structure-aware generator must give real workbooks, or the campaign never gets past the
    // ZIP checksums and the XML: every generated workbook opens (the readers may then refuse its
    // content, an empty sheet say, but not the container).
    let mut opened = 0;
    for seed in 0..200u32 {
        let data: Vec<u8> = (0..256u32)
            .map(|i| (seed.wrapping_mul(2_654_435_761).wrapping_add(i * 97) >> 7) as u8)
            .collect();
        let bytes = bodies::workbook_plan::build(&data);
        match chokepoint::import::read_file("x.xlsx", &bytes) {
            Err(SpreadsheetError::NotWorkbook { detail }) => panic!("seed {seed}: {detail}"),
            _ => opened += 1,
        }
    }
    assert_eq!(opened, 200);
}
