//! Integration tests: cli (`chokepoint::cli::run` with a hand-made reference and buffers).

use super::analysis::fixtures::{example_path, reference};
use std::process::ExitCode;

/// Runs the command line; returns (exit code, standard output, standard error).
fn run(args: &[&str]) -> (ExitCode, String, String) {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = chokepoint::cli::run(&args, &reference(), &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// A file in the system's temporary folder with `text`, unique to this test.
fn temp_file(name: &str, text: &str) -> String {
    let path =
        std::env::temp_dir().join(format!("chokepoint-cli-test-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn help_documents_every_command() {
    for args in [&[][..], &["--help"], &["help"], &["-h"]] {
        let (code, out, err) = run(args);
        assert_eq!(code, ExitCode::SUCCESS);
        assert!(err.is_empty());
        for needle in [
            "assess FILE.json",
            "reference [MATERIAL]",
            "eu-sr FILE.csv",
            "--rank-by",
        ] {
            assert!(out.contains(needle), "help lacks {needle}");
        }
    }
}

#[test]
fn assess_prints_the_full_results_as_json() {
    let (code, out, err) = run(&["assess", &example_path("ev_motor_maker.json")]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["totals"]["lines"], 7);
    assert_eq!(json["materials"][0]["material"], "rare_earths_magnet");
    assert_eq!(json["materials"][0]["action"], "qualify_second_source");
    assert!(json["chokepoints"].as_array().unwrap().len() <= 25);
    assert!(json["lines"][0]["hidden"][0]["hidden"].as_f64().unwrap() > 0.5);
}

#[test]
fn assess_options_are_applied() {
    let (code, out, err) = run(&[
        "assess",
        &example_path("ev_motor_maker.json"),
        "--rank-by",
        "revenue",
        "--top",
        "3",
        "--sr-threshold",
        "100",
        "--impact-threshold",
        "50",
    ]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["chokepoints"].as_array().unwrap().len(), 3);
    assert_eq!(json["params"]["rank_by"], "revenue");
    // Supply risk below 100 everywhere -> low; impact >= 50 % only for the magnets.
    assert_eq!(json["materials"][0]["action"], "monitor");
    assert_eq!(json["materials"][1]["action"], "low_priority");
}

#[test]
fn invalid_portfolio_lists_every_problem_and_exits_1() {
    let path = temp_file(
        "invalid.json",
        r#"{"schema_version": 1, "lines": [
            {"material": "lithium", "spend": 1, "revenue_share_pct": 1},
            {"material": "lithium", "spend": 1, "revenue_share_pct": 1},
            {"material": "rare_earths_magnet", "label": "Magnets", "spend": 1,
             "revenue_share_pct": 120, "sourcing": {"refining": {"CHN": 90, "MYS": 50}}}]}"#,
    );
    let (code, out, err) = run(&["assess", &path]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(code, ExitCode::from(1));
    assert!(out.is_empty());
    assert!(err.contains("2 problem(s)"), "{err}");
    assert!(
        err.contains("line 3 (Magnets), refining: shares sum to 140 %"),
        "{err}"
    );
    assert!(
        err.contains("line 3 (Magnets), revenue share: 120 is outside 0 to 100"),
        "{err}"
    );
}

#[test]
fn malformed_json_exits_1_with_the_position() {
    let path = temp_file("malformed.json", "{\n \"lines\": [\n");
    let (code, _, err) = run(&["assess", &path]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(code, ExitCode::from(1));
    assert!(err.contains("text line 3"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["frobnicate"][..],
        &["assess"],
        &["assess", "no-such-file.json"],
        &["assess", "x.json", "--rank-by", "mass"],
        &["assess", "x.json", "--top"],
        &["assess", "x.json", "--colour"],
        &["reference", "unobtainium"],
        &["reference", "cobalt", "lithium"],
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, ExitCode::from(2), "{args:?}");
        assert!(out.is_empty(), "{args:?}");
        assert!(err.starts_with("chokepoint: "), "{args:?}: {err}");
    }
}

#[test]
fn reference_prints_the_catalogue_with_sources() {
    let (code, out, _) = run(&["reference"]);
    assert_eq!(code, ExitCode::SUCCESS);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["materials"].as_array().unwrap().len(), 6);
    let (code, out, _) = run(&["reference", "cobalt"]);
    assert_eq!(code, ExitCode::SUCCESS);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["material"]["id"], "cobalt");
    let refining = &json["material"]["stages"][1];
    assert_eq!(refining["stage"], "refining");
    assert_eq!(refining["source"]["dataset"], "IEA_CM_DATASET_2025");
    assert_eq!(refining["source"]["year"], 2024);
    assert_eq!(json["datasets"][0]["id"], "IEA_CM_DATASET_2025");
}

#[test]
fn unknown_reference_material_lists_the_known_ones() {
    let (_, _, err) = run(&["reference", "unobtainium"]);
    assert!(err.contains("known: cobalt, gallium"), "{err}");
}

#[test]
fn the_binary_prints_help_and_rejects_unknown_commands() {
    let binary = env!("CARGO_BIN_EXE_chokepoint");
    let output = std::process::Command::new(binary)
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("assess FILE.json"));
    let output = std::process::Command::new(binary)
        .arg("frobnicate")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown command"));
}
