//! Integration tests: cli (`chokepoint::cli::run` with a hand-made reference and buffers).

use super::analysis::fixtures::{example_path, reference};
use std::process::ExitCode;

/// Runs the command line; returns (exit code, standard output, standard error).
pub(crate) fn run(args: &[&str]) -> (ExitCode, String, String) {
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

/// Runs the command line against the real embedded reference data.
fn run_embedded(args: &[&str]) -> (ExitCode, String, String) {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = chokepoint::cli::run(&args, chokepoint::reference::embedded(), &mut out, &mut err);
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
    // The test fixture's catalogue has five scored materials; the magnets are below its 75th
    // percentile: monitor (30 % of revenue).
    assert_eq!(json["materials"][0]["action"], "monitor");
    assert_eq!(json["calibration"]["firm_materials"], 5);
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
fn reference_material_by_name_or_symbol() {
    let (code, out, err) = run_embedded(&["reference", "Ga"]);
    assert_eq!(code, std::process::ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["material"]["id"], "gallium", "{out}");
    let (_, _, err) = run_embedded(&["reference", "Si"]);
    assert!(
        err.contains("could be any of silica_sand, silicon"),
        "{err}"
    );
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

#[test]
fn assess_on_the_embedded_data_shows_look_through_and_policy_findings() {
    let (code, out, err) = run_embedded(&[
        "assess",
        &example_path("ev_motor_maker.json"),
        "--date",
        "2026-06-01",
        "--look-through",
        "world",
    ]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["look_through"], "world");
    let magnets = &json["materials"][0];
    assert_eq!(magnets["material"], "rare_earths_magnet");
    let refining = magnets["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "refining")
        .unwrap();
    // Neither line knows its refining stage: the look-through by world production takes the
    // world mix (by trade: `assess_looks_through_by_trade_by_default`).
    assert_eq!(refining["basis"], "world");
    let largest = &refining["concentration"]["largest"];
    assert_eq!(largest[0], "CHN");
    assert!(largest[1].as_f64().unwrap() >= 0.85, "{largest}");
    let finding = |rule: &str| {
        magnets["policy"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule_id"] == rule && f["stage"] == "refining")
            .unwrap_or_else(|| panic!("no {rule} finding"))
            .clone()
    };
    // The CRMA benchmark is the EU's own, shown as context.
    let crma = finding("EU-CRMA-ART5-1B-65");
    assert_eq!(crma["outcome"], "context");
    assert_eq!(crma["eu_level_benchmark"], true);
    assert!(
        crma["legal_citation"]
            .as_str()
            .unwrap()
            .contains("2024/1252")
    );
    // The demo firm sells in the EU to commercial customers: the DFARS magnet rule is in force
    // but does not bind it, and says why.
    let dfars = finding("US-DFARS7052-NDFEB-A");
    assert_eq!(dfars["outcome"]["not_applicable"]["customer"], "commercial");
    assert!(
        dfars["reason"].as_str().unwrap().contains("US DoD"),
        "{dfars}"
    );
    assert_eq!(dfars["status"], "in_force");
    assert_eq!(dfars["effective_to"], "2026-12-31");
    let dfars_2027 = finding("US-DFARS7052-NDFEB-B");
    assert_eq!(dfars_2027["status"], "not_yet_in_force");
    assert_eq!(json["policy"]["date"], "2026-06-01");
    assert!(
        json["policy"]["context"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == "EU-CRMA-ART5-1B-65" && f["material"] == "rare_earths_magnet")
    );
    assert!(
        !json["policy"]["failing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == "EU-CRMA-ART5-1B-65")
    );
    // Supply risk: the firm value drives the action; the EU value is the EU-level reference.
    assert_eq!(magnets["supply_risk"]["basis"], "firm");
    let gallium = &json["materials"][1];
    assert_eq!(gallium["eu_reference"]["supply_risk"], 3.9);
    assert_eq!(gallium["eu_reference"]["older_data"], true);
    // The firm score is a GeoPolRisk score, 0..1.
    let firm = gallium["firm_supply_risk"]["value"].as_f64().unwrap();
    assert!(firm > 0.0 && firm <= 1.0, "{firm}");
}

#[test]
fn assess_date_errors_exit_2() {
    for date in ["2026-13-01", "tomorrow"] {
        let (code, out, err) = run_embedded(&[
            "assess",
            &example_path("ev_motor_maker.json"),
            "--date",
            date,
        ]);
        assert_eq!(code, ExitCode::from(2), "{date}");
        assert!(out.is_empty());
        assert!(err.contains("`--date`"), "{err}");
    }
    let (code, _, err) = run_embedded(&["assess", &example_path("ev_motor_maker.json"), "--date"]);
    assert_eq!(code, ExitCode::from(2));
    assert!(err.contains("needs a value"), "{err}");
    let (code, _, _) = run_embedded(&[
        "assess",
        &example_path("ev_motor_maker.json"),
        "--unknown-governance",
        "11",
    ]);
    assert_eq!(code, ExitCode::from(2));
}

#[test]
fn help_documents_the_policy_date() {
    let (_, out, _) = run(&["--help"]);
    assert!(out.contains("--date YYYY-MM-DD"));
    assert!(out.contains("Default: today"));
    assert!(out.contains("core reads no clock"));
    assert!(out.contains("--as-written"));
}

/// Issue #17: rules are judged on the check date (default today); the output says when they
/// were researched, and a start date between then and the check date is flagged.
#[test]
fn assess_judges_rules_on_the_check_date_and_states_the_research_date() {
    let demo = example_path("ev_motor_maker.json");
    let assess = |extra: &[&str]| {
        let mut args = vec!["assess", demo.as_str()];
        args.extend_from_slice(extra);
        let (code, out, err) = run_embedded(&args);
        assert_eq!(code, ExitCode::SUCCESS, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let dfars_2027 = |json: &serde_json::Value| {
        json["materials"][0]["policy"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule_id"] == "US-DFARS7052-NDFEB-B" && f["stage"] == "mining")
            .unwrap()
            .clone()
    };
    let later = assess(&["--date", "2027-02-01"]);
    assert_eq!(later["policy"]["researched"]["date"], "2026-12-06");
    let finding = dfars_2027(&later);
    assert_eq!(finding["status"], "in_force");
    assert_eq!(finding["unconfirmed"]["change"], "start");
    assert_eq!(finding["unconfirmed"]["on"], "2027-01-01");
    assert!(
        finding["caveats"][0]
            .as_str()
            .unwrap()
            .contains("Treat the 2027 date as unconfirmed")
    );
    let earlier = assess(&["--date", "2026-12-01"]);
    assert!(dfars_2027(&earlier)["unconfirmed"].is_null());
    // Default: today's date; --as-written: no date.
    let today = assess(&[]);
    assert!(
        chokepoint::analysis::policy::Date::parse(today["policy"]["date"].as_str().unwrap())
            .is_ok()
    );
    assert!(assess(&["--as-written"])["policy"]["date"].is_null());
    let (code, _, err) = run_embedded(&["assess", &demo, "--as-written", "--date", "2026-01-01"]);
    assert_eq!(code, ExitCode::from(2));
    assert!(err.contains("not both"), "{err}");
}

#[test]
fn reference_material_prints_the_eu_assessment_and_lists() {
    let (code, out, err) = run_embedded(&["reference", "cobalt"]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let material = &json["material"];
    assert_eq!(material["eu"]["supply_risk"], 2.8);
    assert_eq!(material["eu"]["bottleneck"], "mining");
    assert_eq!(material["lists"]["eu_strategic_2023"], true);
    assert_eq!(material["lists"]["us_critical_2022"], true);
    assert_eq!(material["lists"]["us_critical_2025"], true);
}

#[test]
fn reference_prints_published_shares_with_source_year_trend_and_projections() {
    let (code, out, err) = run_embedded(&["reference", "gallium"]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let refining = &json["material"]["stages"][0];
    assert_eq!(refining["source"]["dataset"], "USGS_MCS2026_WORLD");
    assert_eq!(refining["source"]["year"], 2025);
    assert_eq!(refining["world_total"], 900_000.0);
    // Published: China 900,000 of 900,000 kg; normalised: the listed countries sum to 101 %.
    assert_eq!(refining["shares"][0]["country"], "CHN");
    assert_eq!(refining["shares"][0]["published_percent"], 100.0);
    let normalised = refining["shares"][0]["normalised_percent"]
        .as_f64()
        .unwrap();
    assert!((normalised - 100.0 / 1.01).abs() < 1e-9);
    assert!((refining["normalisation"]["published_sum"].as_f64().unwrap() - 101.0).abs() < 1e-9);
    assert_eq!(refining["previous"]["source"]["year"], 2024);
    assert_eq!(refining["trend"]["countries"][0]["country"], "CHN");
    // The data sets cited include the vintage's.
    let ids: Vec<&str> = json["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["USGS_MCS2026_WORLD"]);

    let (_, out, _) = run_embedded(&["reference", "lithium"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mining = &json["material"]["stages"][0];
    let years: Vec<u64> = mining["projections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["source"]["year"].as_u64().unwrap())
        .collect();
    assert_eq!(years, [2024, 2030, 2035, 2040]);
    let ids: Vec<&str> = json["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["USGS_MCS2026_WORLD", "IEA_CM_DATASET_2025"]);
}

#[test]
fn assess_prints_the_germany_gallium_warning_and_the_outlook() {
    let file = temp_file(
        "warning.json",
        r#"{"schema_version": 1, "lines": [
            {"material": "gallium", "label": "GaN wafers", "spend": 100, "revenue_share_pct": 5,
             "sourcing": {"refining": {"DEU": 100}}},
            {"material": "lithium", "spend": 100, "revenue_share_pct": 5}]}"#,
    );
    let (code, out, err) = run_embedded(&["assess", &file, "--as-written"]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let warning = &json["warnings"][0];
    assert_eq!(warning["location"]["line"], 1);
    assert_eq!(warning["field"]["country"][1], "DEU");
    assert_eq!(
        warning["message"],
        "USGS 2025 records no gallium refining in Germany. If Germany is where your supplier is, \
         enter it as the purchased component and leave refining unknown."
    );
    let outlook = &json["outlook"][0];
    assert_eq!(outlook["material"], "lithium");
    assert_eq!(outlook["stages"][0]["stage"], "mining");
    assert_eq!(outlook["stages"][0]["points"][1]["source"]["year"], 2030);
    assert!(
        json["materials"].is_array() && json["totals"].is_object(),
        "the assessment, flattened"
    );
    let _ = std::fs::remove_file(file);
}

#[test]
fn the_binary_runs_eu_sr_on_the_2017_cases() {
    let binary = env!("CARGO_BIN_EXE_chokepoint");
    let cases = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/sources/eu-crm/eu2017_sr_cases.csv"
    );
    let output = std::process::Command::new(binary)
        .args(["eu-sr", cases])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().ends_with(",SR"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 12);
    // Antimony, processing: [7.1 * 0.5 + 5.7 * 0.5] * (1 - 0.28) * 0.9 = 4.1472
    assert!(
        rows.iter()
            .any(|r| r.starts_with("Antimony,") && r.ends_with(",4.1472"))
    );
    let output = std::process::Command::new(binary)
        .args(["eu-sr", "no-such-file.csv"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn assess_looks_through_by_trade_by_default() {
    let (code, out, err) = run_embedded(&[
        "assess",
        &example_path("ev_motor_maker.json"),
        "--as-written",
    ]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["look_through"], "trade");
    let refining = json["materials"][0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "refining")
        .unwrap()
        .clone();
    // Magnets from Japan: refining follows Japan's imports; magnets from China and Germany:
    // China's own feed is not known and Germany's imports are not in the table, so that line
    // takes the world mix (basis world, no trade note): the material's basis is mixed.
    assert_eq!(refining["basis"], "mixed");
    assert_eq!(refining["trade"]["importers"], serde_json::json!(["JPN"]));
    let lines = json["lines"].as_array().unwrap();
    let line_refining = |i: usize| {
        lines[i]["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stage"] == "refining")
            .unwrap()["basis"]
            .clone()
    };
    assert_eq!(
        (line_refining(0), line_refining(1)),
        ("trade".into(), "world".into())
    );
    let largest = &refining["concentration"]["largest"];
    assert_eq!(largest[0], "CHN");
    let share = largest[1].as_f64().unwrap();
    assert!((0.5..0.85).contains(&share), "{largest}");
    // An unknown value is a usage error, naming the option.
    let (code, _, err) = run_embedded(&[
        "assess",
        &example_path("ev_motor_maker.json"),
        "--look-through",
        "trades",
    ]);
    assert_ne!(code, ExitCode::SUCCESS);
    assert!(err.contains("--look-through"), "{err}");
}

#[test]
fn plan_country_lists_are_read_as_on_the_plan_page() {
    // One reader for both (`chokepoint::text::parse::country_numbers`): a repeated country is
    // refused rather than overwritten, and "8 %" and semicolons are accepted.
    let demo = example_path("ev_motor_maker.json");
    let plan = |premiums: &str| {
        run_embedded(&[
            "plan",
            &demo,
            "--material",
            "graphite",
            "--premium",
            premiums,
        ])
    };
    let (code, out, err) = plan("JPN=8,jpn=9");
    assert_eq!(code, ExitCode::from(2), "{err}");
    assert!(out.is_empty());
    assert!(err.contains("`--premium`: JPN given twice"), "{err}");
    let (code, out, err) = plan("JPN=8 %; USA=12");
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["params"]["premiums"]["JPN"], 8.0, "{out}");
    assert_eq!(json["params"]["premiums"]["USA"], 12.0, "{out}");
}
