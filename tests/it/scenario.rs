//! Integration tests: disruption scenarios, event presets, the Monte Carlo simulation and
//! `chokepoint simulate`.

use chokepoint::analysis::montecarlo::{
    DurationModel, MonteCarlo, MonteCarloError, MonteCarloParams, ProbabilityOverride, Severity,
};
use chokepoint::analysis::policy::Date;
use chokepoint::analysis::scenario::presets::{
    Basis, EventStatus, StatusKind, embedded_presets, events_researched, find_preset, parse_events,
};
use chokepoint::analysis::scenario::{Scenario, ScenarioParams, ScenarioResult, run_scenario};
use chokepoint::model::{CountryCode, CountryMix, Share, Stage};
use chokepoint::portfolio::{Amount, Line, LookThroughBasis, Portfolio, Sourcing};
use chokepoint::reference::{Material, ReferenceData, SourceRef, StageSeries, embedded};
use proptest::prelude::*;
use std::process::ExitCode;

fn c(code: &str) -> CountryCode {
    CountryCode::parse(code).unwrap()
}

fn mix(shares: &[(&str, f64)]) -> CountryMix {
    CountryMix::from_shares(shares.iter().map(|&(code, share)| (c(code), share))).unwrap()
}

fn series(stage: Stage, shares: &[(&str, f64)]) -> StageSeries {
    StageSeries {
        stage,
        detail: String::new(),
        mix: mix(shares),
        source: SourceRef {
            dataset: "TEST".into(),
            year: 2024,
        },
        unit: String::new(),
        older_data: false,
        caveats: vec![],
        withheld: vec![],
        published: vec![],
        world_total: None,
        previous: None,
        projections: vec![],
    }
}

/// A reference with `gallium` (refining only: CHN 80 %, JPN 20 %) and `cobalt` (mining: COD
/// 70 %, ROW 30 %; refining: CHN 75 %, FIN 25 %).
fn reference() -> ReferenceData {
    let material = |id: &str, stages: Vec<StageSeries>| Material {
        id: id.into(),
        name: id.into(),
        symbols: vec![],
        lists: Default::default(),
        stages,
        eu: None,
    };
    ReferenceData {
        materials: vec![
            material(
                "cobalt",
                vec![
                    series(Stage::Mining, &[("COD", 70.0), ("ROW", 30.0)]),
                    series(Stage::Refining, &[("CHN", 75.0), ("FIN", 25.0)]),
                ],
            ),
            material(
                "gallium",
                vec![series(Stage::Refining, &[("CHN", 80.0), ("JPN", 20.0)])],
            ),
        ],
        countries: vec![],
        groups: vec![],
        datasets: vec![],
    }
}

/// A line of `material` with the given revenue share (percent), stock and sourcing.
pub(super) fn line(
    material: &str,
    revenue_pct: f64,
    inventory_days: f64,
    sourcing: Sourcing,
) -> Line {
    Line {
        material: material.into(),
        label: Some(format!("{material} line")),
        spend: Amount::new(100.0).unwrap(),
        revenue_share: Share::from_percent(revenue_pct).unwrap(),
        inventory_days: Amount::new(inventory_days).unwrap(),
        sourcing,
        end_use: None,
        facility_counts: Vec::new(),
    }
}

/// A portfolio of `lines`.
pub(super) fn portfolio(lines: Vec<Line>) -> Portfolio {
    Portfolio {
        lines,
        ..Portfolio::default()
    }
}

fn scenario(
    countries: &[&str],
    materials: &[&str],
    stages: &[Stage],
    cut: f64,
    months: f64,
) -> Scenario {
    Scenario::build(
        countries.iter().map(|code| c(code)).collect(),
        materials,
        stages,
        cut,
        months,
    )
    .unwrap()
}

fn params(spare_pct: f64) -> ScenarioParams {
    ScenarioParams {
        spare_capacity: Share::from_percent(spare_pct).unwrap(),
        annual_revenue: None,
    }
}

fn demo() -> Portfolio {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/portfolios/ev_motor_maker.json"),
    )
    .unwrap();
    Portfolio::from_json(&text, embedded()).unwrap()
}

const ONE_MONTH_OF_DAYS: f64 = 365.0 / 12.0;

/// A gallium line (30 % of revenue, unknown sourcing: world mix CHN 80 %) under a full Chinese
/// refining ban of `months`, spare capacity 10 %.
fn gallium_with_china_ban(inventory_days: f64, months: f64) -> ScenarioResult {
    let p = portfolio(vec![line(
        "gallium",
        30.0,
        inventory_days,
        Sourcing::default(),
    )]);
    let s = scenario(&["CHN"], &["gallium"], &[Stage::Refining], 100.0, months);
    run_scenario(&p, &reference(), &s, &params(10.0))
}

// ---------------------------------------------------------------------------------------------
// Deterministic scenarios, computed by hand
// ---------------------------------------------------------------------------------------------

#[test]
fn scenario_hand_computed_world_mix() {
    // Gallium, unknown sourcing -> world refining mix CHN 80 %. China cuts 100 % for 6 months,
    // spare capacity 10 %: lost 0.8, replaced min(0.8, 0.1 * 0.2) = 0.02, shortfall 0.78.
    // One month of stock lasts 1 / 0.78 months; loss = 0.3 * (0.78 * 6 - 1) / 12 = 0.092.
    let result = gallium_with_china_ban(ONE_MONTH_OF_DAYS, 6.0);
    let l = &result.lines[0];
    assert_eq!(l.binding_stage, Some(Stage::Refining));
    assert!((l.shortfall - 0.78).abs() < 1e-12);
    assert!((l.inventory_months - 1.0).abs() < 1e-12);
    assert!((l.covered_months - 1.0 / 0.78).abs() < 1e-12);
    assert!((l.uncovered_months - (6.0 - 1.0 / 0.78)).abs() < 1e-12);
    assert!((l.revenue_at_risk_fraction - 0.092).abs() < 1e-12);
    assert!((result.total.revenue_at_risk_fraction - 0.092).abs() < 1e-12);
    assert_eq!(result.ranking, vec![0]);
}

#[test]
fn scenario_line_is_as_available_as_its_most_cut_stage() {
    // Own mixes: mining CHN 50 %, refining CHN 90 %; a 50 % cut at both stages, no spare
    // capacity: stage shortfalls 0.25 and 0.45; the line loses 0.45 (not 0.7).
    let reference = reference();
    let sourcing = Sourcing::default()
        .with(Stage::Mining, Some(mix(&[("CHN", 50.0), ("COD", 50.0)])))
        .with(Stage::Refining, Some(mix(&[("CHN", 90.0), ("FIN", 10.0)])));
    let p = portfolio(vec![line("cobalt", 50.0, 0.0, sourcing)]);
    let s = scenario(
        &["CHN"],
        &["cobalt"],
        &[Stage::Mining, Stage::Refining],
        50.0,
        12.0,
    );
    let result = run_scenario(&p, &reference, &s, &params(0.0));
    let l = &result.lines[0];
    assert_eq!(l.stages.len(), 2);
    assert!((l.stages[0].shortfall.shortfall - 0.25).abs() < 1e-12);
    assert!((l.stages[1].shortfall.shortfall - 0.45).abs() < 1e-12);
    assert_eq!(l.binding_stage, Some(Stage::Refining));
    // 0.5 * 0.45 * 12 / 12
    assert!((l.revenue_at_risk_fraction - 0.225).abs() < 1e-12);
}

#[test]
fn scenario_group_cuts_the_sum_of_its_members_shares() {
    let reference = reference();
    let sourcing = Sourcing::default().with(
        Stage::Refining,
        Some(mix(&[("CHN", 60.0), ("RUS", 20.0), ("JPN", 20.0)])),
    );
    let p = portfolio(vec![line("gallium", 10.0, 0.0, sourcing)]);
    let s = scenario(
        &["CHN", "RUS"],
        &["gallium"],
        &[Stage::Refining],
        100.0,
        12.0,
    );
    let result = run_scenario(&p, &reference, &s, &params(0.0));
    assert!((result.lines[0].shortfall - 0.8).abs() < 1e-12);
}

#[test]
fn scenario_on_a_country_the_firm_does_not_depend_on_changes_nothing() {
    let reference = embedded();
    let p = demo();
    let materials: Vec<&str> = p.lines.iter().map(|l| l.material.as_str()).collect();
    // Iceland supplies none of the demo's materials at any stage.
    let s = scenario(&["ISL"], &materials, &Stage::ALL, 100.0, 12.0);
    let result = run_scenario(&p, reference, &s, &ScenarioParams::default());
    assert_eq!(result.total.revenue_at_risk_fraction, 0.0);
    assert!(result.ranking.is_empty());
    for l in &result.lines {
        assert_eq!(l.shortfall, 0.0);
        assert_eq!(l.uncovered_months, 0.0);
        assert_eq!(l.revenue_at_risk_fraction, 0.0);
    }
}

#[test]
fn scenario_on_a_material_the_firm_does_not_buy_changes_nothing() {
    let p = demo();
    let s = scenario(&["CHN"], &["tungsten"], &Stage::ALL, 100.0, 12.0);
    let result = run_scenario(&p, embedded(), &s, &ScenarioParams::default());
    assert_eq!(result.total.revenue_at_risk_fraction, 0.0);
}

#[test]
fn inventory_covering_the_whole_disruption_gives_zero_loss() {
    // Shortfall 0.78 for 3 months needs 2.34 months of stock; hold 2.5 months.
    let result = gallium_with_china_ban(2.5 * ONE_MONTH_OF_DAYS, 3.0);
    let l = &result.lines[0];
    assert!(l.shortfall > 0.7);
    assert_eq!(l.covered_months, 3.0);
    assert_eq!(l.uncovered_months, 0.0);
    assert_eq!(l.revenue_at_risk_fraction, 0.0);
    assert_eq!(result.total.lines_short, 1);
    assert_eq!(result.total.lines_with_loss, 0);
}

#[test]
fn annual_revenue_turns_fractions_into_money_and_ranking_puts_the_worst_first() {
    let reference = reference();
    let p = portfolio(vec![
        line("gallium", 10.0, 0.0, Sourcing::default()),
        line("cobalt", 40.0, 0.0, Sourcing::default()),
        line("gallium", 40.0, 0.0, Sourcing::default()),
    ]);
    let s = Scenario {
        targets: vec![
            chokepoint::analysis::scenario::Target {
                material: "gallium".into(),
                stages: vec![Stage::Refining],
            },
            chokepoint::analysis::scenario::Target {
                material: "cobalt".into(),
                stages: vec![Stage::Refining],
            },
        ],
        ..scenario(&["CHN"], &["gallium"], &[Stage::Refining], 100.0, 12.0)
    };
    let with_revenue = ScenarioParams {
        annual_revenue: Some(Amount::new(1_000_000.0).unwrap()),
        ..params(0.0)
    };
    let result = run_scenario(&p, &reference, &s, &with_revenue);
    // Shortfalls: gallium 0.8, cobalt 0.75. Losses: 0.08, 0.30, 0.32.
    assert_eq!(result.ranking, vec![2, 1, 0]);
    assert!((result.lines[1].revenue_at_risk.unwrap() - 300_000.0).abs() < 1e-6);
    assert!((result.total.uncapped_fraction - 0.70).abs() < 1e-12);
    assert!((result.total.revenue_at_risk.unwrap() - 700_000.0).abs() < 1e-6);
}

#[test]
fn demo_magnet_refining_exposure_is_hidden_behind_japanese_suppliers() {
    // The demo buys traction-motor magnets from Japan; the April 2025 licensing still hits the
    // line through the refining mix of magnet rare earths (look-through): by world production
    // China's 91 %, by trade (the default) China's share of Japan's rare-earth imports, about
    // half, so a smaller shortfall.
    let preset = find_preset("CN-2025-APR").unwrap();
    let s = preset
        .scenario
        .as_ref()
        .unwrap()
        .to_scenario(None, None)
        .unwrap();
    let mut portfolio = demo();
    portfolio.look_through = LookThroughBasis::World;
    let result = run_scenario(&portfolio, embedded(), &s, &ScenarioParams::default());
    let traction = &result.lines[0];
    assert_eq!(traction.binding_stage, Some(Stage::Refining));
    assert!(traction.shortfall > 0.4);
    assert_eq!(result.ranking[0], 0);
    let by_trade = run_scenario(&demo(), embedded(), &s, &ScenarioParams::default());
    let traction_by_trade = &by_trade.lines[0];
    assert_eq!(traction_by_trade.binding_stage, Some(Stage::Refining));
    assert!(traction_by_trade.shortfall > 0.1, "{traction_by_trade:?}");
    assert!(traction_by_trade.shortfall < traction.shortfall);
}

// ---------------------------------------------------------------------------------------------
// Presets
// ---------------------------------------------------------------------------------------------

#[test]
fn presets_parse_map_to_known_materials_and_carry_dates_and_sources() {
    let reference = embedded();
    let events = embedded_presets();
    assert_eq!(events.len(), 51);
    let mut with_scenario = 0;
    for event in events {
        assert!(!event.sources.urls.is_empty(), "{} has no source", event.id);
        assert!(
            event.sources.urls.iter().all(|u| u.starts_with("http")),
            "{}",
            event.id
        );
        assert!(!event.confidence.is_empty(), "{}", event.id);
        let Some(s) = &event.scenario else {
            assert!(event.scenario_note.is_some(), "{}", event.id);
            continue;
        };
        with_scenario += 1;
        // The cut is data only where the event's figures give it, and then it is theirs.
        match &s.cut_from {
            Some(from) => {
                assert_eq!(s.cut_basis, Basis::Data, "{}", event.id);
                let cut = 100.0 * (1.0 - from.allowed.value / from.before.value);
                assert!((s.cut_pct - cut).abs() < 1e-9, "{}", event.id);
                assert!(
                    s.assumption.starts_with("Cut from the data"),
                    "{}",
                    event.id
                );
            }
            None => {
                assert_eq!(s.cut_basis, Basis::Assumption, "{}", event.id);
                assert!(s.assumption.contains("Assumption"), "{}", event.id);
            }
        }
        if s.months_basis == Basis::Data {
            assert!(
                event.effective.is_some() && event.lifted.is_some(),
                "{}",
                event.id
            );
        }
        if s.took_effect {
            assert!(
                event.effective.is_some() || event.status_kind == StatusKind::Lifted,
                "{} took effect without a date",
                event.id
            );
        }
        for target in &s.targets {
            assert!(
                reference.material(&target.material).is_some(),
                "{}: {}",
                event.id,
                target.material
            );
            assert!(!target.stages.is_empty());
        }
        s.to_scenario(None, None).unwrap();
    }
    assert_eq!(with_scenario, 41);
    let derived: Vec<&str> = events
        .iter()
        .filter(|e| {
            e.scenario
                .as_ref()
                .is_some_and(|s| s.cut_basis == Basis::Data)
        })
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(derived, ["CN-2010-REQUOTA", "CD-2025-CO-QUOTA"]);
}

#[test]
fn required_presets_replay_the_real_events() {
    let expect = |id: &str, country: &str, materials: &[&str]| {
        let event = find_preset(id).unwrap_or_else(|| panic!("{id} missing"));
        let s = event.scenario.as_ref().unwrap();
        assert!(s.countries.contains(&c(country)), "{id}");
        for m in materials {
            assert!(s.targets.iter().any(|t| t.material == *m), "{id} lacks {m}");
        }
        assert!(event.effective.is_some(), "{id}");
        event
    };
    let gage = expect("CN-2023-GAGE", "CHN", &["gallium", "germanium"]);
    assert_eq!(gage.status_kind, StatusKind::InForce);
    expect("CN-2023-GRAPHITE", "CHN", &["graphite"]);
    expect("CN-2024-SB", "CHN", &["antimony"]);
    let usban = expect(
        "CN-2024-USBAN",
        "CHN",
        &["gallium", "germanium", "antimony"],
    );
    assert_eq!(usban.status_kind, StatusKind::Suspended);
    assert_eq!(usban.suspended_until.unwrap().to_string(), "2026-11-27");
    assert!(usban.unmapped.iter().any(|u| u.contains("superhard")));
    let apr = expect(
        "CN-2025-APR",
        "CHN",
        &[
            "samarium",
            "gadolinium",
            "terbium",
            "dysprosium",
            "lutetium",
            "scandium",
            "yttrium",
            "rare_earths_magnet",
        ],
    );
    let magnets = apr
        .scenario
        .as_ref()
        .unwrap()
        .targets
        .iter()
        .find(|t| t.material == "rare_earths_magnet")
        .unwrap();
    assert!(magnets.stages.contains(&Stage::Component));
    let cobalt = expect("CD-2025-CO-BAN", "COD", &["cobalt"]);
    let s = cobalt.scenario.as_ref().unwrap();
    assert_eq!(s.months_basis, Basis::Data);
    assert!((s.months - 7.8).abs() < 0.05);
    assert!(!cobalt.observed_effects.is_empty());
    expect("ID-2020-NIBAN", "IDN", &["nickel"]);
}

#[test]
fn technology_only_and_no_measure_events_have_no_scenario() {
    for id in [
        "CN-2023-RETECH",
        "CN-2025-JUL-TECH",
        "RU-2022-SHOCK",
        "CL-2023-LI",
    ] {
        let event = find_preset(id).unwrap();
        assert!(event.scenario.is_none(), "{id}");
        assert!(event.scenario_note.is_some(), "{id}");
    }
}

/// Issue #17: the DR Congo cobalt quota preset derives its cut from the event's own figures,
/// not a 30 % assumption: the 96,600 t/yr quota (events.csv) against the DR Congo's 2024 mine
/// output, 220,000 t of cobalt content (USGS MCS 2025).
#[test]
fn drc_cobalt_quota_cut_comes_from_the_quota_and_2024_output() {
    let event = find_preset("CD-2025-CO-QUOTA").unwrap();
    let s = event.scenario.as_ref().unwrap();
    // By hand: 1 - 96,600 / 220,000 = 1 - 0.439090... = 0.560909... -> 56.0909 %.
    assert!(
        (s.cut_pct - 56.090_909_090_909_09).abs() < 1e-9,
        "{}",
        s.cut_pct
    );
    assert_eq!(s.cut_basis, Basis::Data);
    assert_eq!(s.months_basis, Basis::Assumption);
    let from = s.cut_from.as_ref().unwrap();
    assert_eq!(from.allowed.value, 96_600.0);
    assert!(event.status.contains("96,600 t/yr"));
    assert!(
        from.allowed.source.contains("events.csv"),
        "{}",
        from.allowed.source
    );
    assert_eq!(from.before.value, 220_000.0);
    assert!(
        from.before
            .source
            .contains("Mineral Commodity Summaries 2025")
    );
    assert!(from.before.source.contains("Congo (Kinshasa)"));
    // The 220,000 t is the vendored USGS row, read here independently of the build script.
    let table = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/sources/reference/production_shares.csv"
    ))
    .unwrap();
    assert!(table.lines().any(|row| row.starts_with(
        "cobalt,Cobalt,mining,\"Mine production, cobalt content\",COD,CD,Democratic Republic of the Congo,Congo (Kinshasa),220000,metric tons,"
    ) && row.ends_with(",USGS_MCS2025_WORLD,")));
    assert!(
        s.assumption.contains("1 - 96,600 / 220,000 = 56.1 %"),
        "{}",
        s.assumption
    );
    // The preset's scenario withholds that share of the DR Congo's supply.
    let scenario = s.to_scenario(None, None).unwrap();
    assert!((scenario.cut.get() - (1.0 - 96_600.0 / 220_000.0)).abs() < 1e-12);
    // China's 2010 rare-earth export quota: 30,258 t against 50,145 t in 2009.
    let quota = find_preset("CN-2010-REQUOTA")
        .unwrap()
        .scenario
        .as_ref()
        .unwrap();
    assert!((quota.cut_pct - 100.0 * (1.0 - 30_258.0 / 50_145.0)).abs() < 1e-9);
    // Events with figures that give no single cut keep an assumption and say why.
    let rkab = find_preset("ID-2026-NI-RKAB")
        .unwrap()
        .scenario
        .as_ref()
        .unwrap();
    assert_eq!(rkab.cut_basis, Basis::Assumption);
    assert!(
        rkab.assumption.contains("The cut is not derived"),
        "{}",
        rkab.assumption
    );
}

#[test]
fn event_data_whose_cut_disagrees_with_its_figures_is_rejected() {
    let figure =
        |value: f64| serde_json::json!({"value": value, "unit": "t", "what": "x", "source": "y"});
    let document = |cut: f64, basis: &str, from: serde_json::Value| {
        serde_json::json!({"v": 1, "events": [{
            "id": "X", "name": "x", "imposing": ["COD"], "measure_types": ["export_quota"],
            "destinations": "ALL", "announced": null, "effective": "2025-10-16", "lifted": null,
            "suspended_until": null, "status": "in force", "status_kind": "in_force",
            "row_differences": [], "description": "", "observed_effects": [],
            "sources": {"urls": [], "titles": "", "date": ""}, "confidence": "HIGH",
            "materials": [], "unmapped": [],
            "scenario": {"countries": ["COD"], "targets": [{"material": "cobalt", "stages": ["mining"]}],
                "cut_pct": cut, "cut_basis": basis, "cut_from": from, "months": 12,
                "months_basis": "assumption", "measure": "export_quota", "took_effect": true,
                "assumption": ""},
            "scenario_note": null}]})
        .to_string()
    };
    let figures = serde_json::json!({"allowed": figure(96_600.0), "before": figure(220_000.0)});
    let good = 100.0 * (1.0 - 96_600.0 / 220_000.0);
    assert!(parse_events(&document(good, "data", figures.clone())).is_ok());
    for (cut, basis, from) in [
        (30.0, "data", figures.clone()),
        (good, "data", serde_json::Value::Null),
        (good, "assumption", figures),
    ] {
        assert!(
            parse_events(&document(cut, basis, from.clone())).is_err(),
            "{cut} {basis} {from}"
        );
    }
}

fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

/// Issue #17: statuses are judged on the check date. China's Oct-2025 rare-earth measures were
/// suspended until 2026-11-10; the data (researched 2026-12-06) has no record of what
/// happened then.
#[test]
fn suspended_rare_earth_measures_are_judged_on_the_check_date() {
    let researched = events_researched().unwrap();
    assert_eq!(researched.date, date("2026-12-06"));
    assert!(researched.citation.contains("SOURCES.md"));
    for id in ["CN-2025-OCT-57", "CN-2025-OCT-61"] {
        let event = find_preset(id).unwrap();
        assert_eq!(event.status_kind, StatusKind::Suspended);
        // Before the scheduled end: suspended until it.
        let before = event.status_on(date("2026-06-01"), researched.date);
        assert_eq!(
            before,
            EventStatus::Suspended {
                until: event.suspended_until,
                as_of: None
            }
        );
        assert_eq!(before.message(), "Suspended until 2026-11-10.");
        assert!(!before.needs_check());
        // After it: never "suspended until 2026-11-10" as if it were current.
        for check in ["2026-11-11", "2026-12-20", "2027-06-30"] {
            let after = event.status_on(date(check), researched.date);
            assert!(
                matches!(after, EventStatus::SuspensionEndUnrecorded { .. }),
                "{id} {check}: {after:?}"
            );
            let message = after.message();
            assert_eq!(
                message,
                "Suspension was scheduled to end on 2026-11-10; the data has no record after \
                 2026-12-06: check the current status."
            );
            assert!(!message.contains("Suspended until"));
            assert!(after.needs_check());
        }
        // On the last day of the suspension it is still suspended.
        assert!(matches!(
            event.status_on(date("2026-11-10"), researched.date),
            EventStatus::Suspended { .. }
        ));
    }
    // Ann. No.57 was suspended the day before it would have taken effect (2025-11-08).
    let holmium = find_preset("CN-2025-OCT-57").unwrap();
    assert_eq!(
        holmium
            .status_on(date("2025-10-20"), researched.date)
            .message(),
        "Not yet in force: takes effect on 2025-11-08."
    );
    // Ann. No.62 took effect on announcement (2025-10-09) and was suspended on 2025-11-07.
    let tech = find_preset("CN-2025-OCT-62").unwrap();
    assert_eq!(
        tech.status_on(date("2025-10-20"), researched.date)
            .message(),
        "In force since 2025-10-09."
    );
    // The U.S. ban's clause 2 is suspended until 2026-11-27.
    let usban = find_preset("CN-2024-USBAN").unwrap();
    assert_eq!(
        usban
            .status_on(date("2026-11-20"), researched.date)
            .message(),
        "Suspended until 2026-11-27."
    );
    assert!(
        usban
            .status_on(date("2026-12-01"), researched.date)
            .message()
            .starts_with("Suspension was scheduled to end on 2026-11-27;")
    );
}

#[test]
fn in_force_lifted_and_planned_events_on_a_check_date() {
    let researched = date("2026-12-06");
    let status = |id: &str, on: &str| find_preset(id).unwrap().status_on(date(on), researched);
    // In force, and after the research date in force as last recorded.
    assert_eq!(
        status("CN-2023-GAGE", "2026-06-01").message(),
        "In force since 2023-08-01."
    );
    assert_eq!(
        status("CN-2023-GAGE", "2027-03-01").message(),
        "In force since 2023-08-01 as last recorded; the data has no record after 2026-12-06."
    );
    assert_eq!(
        status("CN-2023-GAGE", "2023-07-31").message(),
        "Not yet in force: takes effect on 2023-08-01."
    );
    // Lifted: in force between its dates, lifted from the end date.
    assert_eq!(
        status("CD-2025-CO-BAN", "2025-06-01"),
        EventStatus::InForce {
            since: find_preset("CD-2025-CO-BAN").unwrap().effective,
            as_of: None
        }
    );
    assert_eq!(
        status("CD-2025-CO-BAN", "2025-10-16").message(),
        "Lifted or replaced on 2025-10-16."
    );
    // Planned for 2027-01-01, after the research date: unrecorded once the date has passed.
    assert_eq!(
        status("ZW-2025-LICONC-PLAN", "2026-12-31").message(),
        "Not yet in force: takes effect on 2027-01-01."
    );
    let started = status("ZW-2025-LICONC-PLAN", "2027-01-02");
    assert!(matches!(started, EventStatus::StartUnrecorded { .. }));
    assert_eq!(
        started.message(),
        "Was scheduled to take effect on 2027-01-01; the data has no record after 2026-12-06: \
         check the current status."
    );
    assert_eq!(
        status("RU-2022-SHOCK", "2026-01-01"),
        EventStatus::NoMeasure
    );
    assert_eq!(
        status("PH-2025-OREBAN-BILL", "2026-01-01"),
        EventStatus::NotEnacted
    );
    assert_eq!(
        status("NA-2023-RAW", "2026-01-01"),
        EventStatus::Announced { effective: None }
    );
}

proptest! {
    /// Whatever the check date, a suspension is never reported as current after its end, and a
    /// status the data cannot confirm names the research date.
    #[test]
    fn no_status_claims_a_suspension_past_its_end(days in 0u32..4_000) {
        let researched = events_researched().unwrap().date;
        let (y, rest) = (2020 + days / 365, days % 365);
        let Some(check) = Date::new(y as u16, (rest / 31 % 12 + 1) as u8, (rest % 28 + 1) as u8) else {
            return Ok(());
        };
        for event in embedded_presets() {
            let status = event.status_on(check, researched);
            if let (EventStatus::Suspended { .. }, Some(until)) = (status, event.suspended_until) {
                prop_assert!(check <= until.first_day().unwrap(), "{} {check}", event.id);
            }
            if status.needs_check() {
                prop_assert!(status.message().contains("no record after 2026-12-06"));
            }
        }
    }
}

#[test]
fn preset_defaults_are_editable() {
    let s = find_preset("cn-2023-gage")
        .unwrap()
        .scenario
        .as_ref()
        .unwrap();
    let edited = s.to_scenario(Some(80.0), Some(3.0)).unwrap();
    assert_eq!(edited.cut.get(), 0.8);
    assert_eq!(edited.months.get(), 3.0);
    assert!(s.to_scenario(Some(101.0), None).is_err());
}

// ---------------------------------------------------------------------------------------------
// Monte Carlo
// ---------------------------------------------------------------------------------------------

/// One line, gallium, own refining mix 100 % China; China refining p, fixed severity 0.5 and
/// duration 6 months, no spare capacity, no stock: every disruption loses 0.4 * 0.5 * 6 / 12.
fn analytic_case(p: f64, trials: u64) -> (Portfolio, ReferenceData, MonteCarloParams) {
    let sourcing = Sourcing::default().with(Stage::Refining, Some(mix(&[("CHN", 100.0)])));
    let portfolio = portfolio(vec![line("gallium", 40.0, 0.0, sourcing)]);
    let params = MonteCarloParams {
        trials,
        spare_capacity: Share::ZERO,
        severity: Severity { min: 0.5, max: 0.5 },
        duration: DurationModel::Fixed { months: 6.0 },
        overrides: vec![ProbabilityOverride {
            country: c("CHN"),
            stage: Stage::Refining,
            probability: Share::new(p).unwrap(),
        }],
        ..MonteCarloParams::default()
    };
    (portfolio, reference(), params)
}

#[test]
fn monte_carlo_mean_converges_to_the_analytic_expectation() {
    let p = 0.2;
    let loss = 0.4 * 0.5 * 6.0 / 12.0;
    let (portfolio, reference, params) = analytic_case(p, 200_000);
    let mut run = MonteCarlo::new(&portfolio, &reference, &params, 11).unwrap();
    run.run_all();
    let r = run.finish();
    let expected = p * loss;
    let sd = loss * (p * (1.0 - p)).sqrt();
    let se = sd / (200_000f64).sqrt();
    assert!(
        (r.expected_loss - expected).abs() < 4.0 * se,
        "{} vs {expected}",
        r.expected_loss
    );
    assert!((r.standard_error - se).abs() < 0.1 * se);
    assert!((r.probability_any_shortfall - p).abs() < 0.01);
    assert_eq!(r.p50, 0.0);
    assert_eq!(r.p95, loss);
    assert!((r.cvar95 - loss).abs() < 1e-12);
    assert_eq!(r.max_loss, loss);
    assert_eq!(r.by_country[0].name, "CHN");
    assert!((r.by_country[0].share - 1.0).abs() < 1e-9);
}

/// The mean loss of a cobalt line (50 % of revenue, no stock, no spare capacity, mining COD 50 %
/// CHN 50 %, refining CHN 60 % FIN 40 %) when the `certain` countries and stages disrupt every
/// year with their whole supply for 12 months and nothing else disrupts.
fn certain_cobalt_loss(certain: &[(&str, Stage)]) -> (f64, Vec<(String, f64)>) {
    let sourcing = Sourcing::default()
        .with(Stage::Mining, Some(mix(&[("COD", 50.0), ("CHN", 50.0)])))
        .with(Stage::Refining, Some(mix(&[("CHN", 60.0), ("FIN", 40.0)])));
    let portfolio = portfolio(vec![line("cobalt", 50.0, 0.0, sourcing)]);
    let overrides = ["COD", "CHN", "FIN"]
        .iter()
        .flat_map(|code| Stage::ALL.map(|stage| (*code, stage)))
        .map(|(code, stage)| ProbabilityOverride {
            country: c(code),
            stage,
            probability: if certain.contains(&(code, stage)) {
                Share::ONE
            } else {
                Share::ZERO
            },
        })
        .collect();
    let params = MonteCarloParams {
        trials: 100,
        spare_capacity: Share::ZERO,
        severity: Severity { min: 1.0, max: 1.0 },
        duration: DurationModel::Fixed { months: 12.0 },
        overrides,
        ..MonteCarloParams::default()
    };
    let mut run = MonteCarlo::new(&portfolio, &reference(), &params, 3).unwrap();
    run.run_all();
    let r = run.finish();
    let shares = r
        .by_country
        .iter()
        .map(|c| (c.name.clone(), c.share))
        .collect();
    (r.expected_loss, shares)
}

#[test]
fn monte_carlo_stages_cut_by_different_countries_combine_as_independent_flows() {
    // DR Congo's mining (50 % of the line's mined supply) and China's refining (60 %) are
    // independent flows: 1 - (1 - 0.5)(1 - 0.6) = 80 % of the line's 50 % of revenue, 40 %;
    // neither the largest stage (30 %) nor the sum (55 %, capped at 50 %).
    let (loss, shares) = certain_cobalt_loss(&[("COD", Stage::Mining), ("CHN", Stage::Refining)]);
    assert!((loss - 0.4).abs() < 1e-12, "{loss}");
    // Contributions in proportion to the countries' own losses, 0.25 and 0.3.
    let chn = shares.iter().find(|(n, _)| n == "CHN").unwrap().1;
    assert!((chn - 0.3 / 0.55).abs() < 1e-12, "{chn}");
    // Two countries at one stage are parallel suppliers: their cuts add (60 % + 40 %).
    let (loss, _) = certain_cobalt_loss(&[("CHN", Stage::Refining), ("FIN", Stage::Refining)]);
    assert!((loss - 0.5).abs() < 1e-12, "{loss}");
    // One country at two stages is one flow in series: its most-cut stage (refining, 60 %,
    // over mining, 50 %) counts.
    let (loss, _) = certain_cobalt_loss(&[("CHN", Stage::Mining), ("CHN", Stage::Refining)]);
    assert!((loss - 0.3).abs() < 1e-12, "{loss}");
}

#[test]
fn monte_carlo_same_seed_same_results_different_seed_different() {
    let p = demo();
    let params = MonteCarloParams {
        trials: 20_000,
        ..MonteCarloParams::default()
    };
    let run = |seed| {
        let mut run = MonteCarlo::new(&p, embedded(), &params, seed).unwrap();
        run.run_all();
        run.finish()
    };
    let a = run(5);
    assert_eq!(a, run(5));
    let b = run(6);
    assert_ne!(a.expected_loss, b.expected_loss);
}

#[test]
fn monte_carlo_chunked_runs_equal_one_run() {
    let p = demo();
    let params = MonteCarloParams {
        trials: 30_000,
        ..MonteCarloParams::default()
    };
    let mut whole = MonteCarlo::new(&p, embedded(), &params, 9).unwrap();
    whole.run_all();
    let whole = whole.finish();
    let mut chunked = MonteCarlo::new(&p, embedded(), &params, 9).unwrap();
    let mut steps = 0;
    for size in [1, 999, 7_000, 4_321].into_iter().cycle() {
        let progress = chunked.run_chunk(size);
        steps += 1;
        assert!(progress.fraction() <= 1.0);
        if progress.is_done() {
            break;
        }
    }
    assert!(steps > 4);
    assert_eq!(chunked.finish(), whole);
}

#[test]
fn monte_carlo_cancelled_run_reports_what_ran() {
    let p = demo();
    let params = MonteCarloParams {
        trials: 10_000,
        ..MonteCarloParams::default()
    };
    let mut run = MonteCarlo::new(&p, embedded(), &params, 1).unwrap();
    let progress = run.run_chunk(2_500);
    assert_eq!((progress.done, progress.total), (2_500, 10_000));
    let partial = run.finish();
    assert!(!partial.complete);
    assert_eq!(partial.trials, 2_500);
}

#[test]
fn monte_carlo_split_over_workers_merges_to_one_run() {
    let p = demo();
    let params = MonteCarloParams {
        trials: 12_000,
        ..MonteCarloParams::default()
    };
    let events = embedded_presets();
    let mut whole = MonteCarlo::new(&p, embedded(), &params, 3).unwrap();
    whole.run_all();
    let whole = whole.finish();
    let part = |range| {
        let mut run = MonteCarlo::for_trials(&p, embedded(), &params, events, 3, range).unwrap();
        run.run_all();
        run
    };
    let first = part(0..5_000);
    let mut tally = part(0..5_000).into_tally();
    let second = part(5_000..12_000).into_tally();
    // Out of order is refused.
    assert!(
        part(5_000..12_000)
            .into_tally()
            .merge(part(0..5_000).into_tally())
            .is_err()
    );
    tally.merge(second).unwrap();
    let merged = first.summarise(&tally);
    assert!(merged.complete);
    assert_eq!(merged.p95, whole.p95);
    assert_eq!(merged.p99, whole.p99);
    assert_eq!(merged.histogram, whole.histogram);
    assert!((merged.expected_loss - whole.expected_loss).abs() < 1e-12);
}

#[test]
fn monte_carlo_statistics_are_consistent_on_the_demo() {
    let params = MonteCarloParams {
        trials: 20_000,
        annual_revenue: Some(Amount::new(2e8).unwrap()),
        ..MonteCarloParams::default()
    };
    let mut run = MonteCarlo::new(&demo(), embedded(), &params, 42).unwrap();
    run.run_all();
    let r = run.finish();
    assert!(r.p50 <= r.p95 && r.p95 <= r.p99 && r.p99 <= r.max_loss);
    assert!(r.cvar95 >= r.p95);
    assert!(r.max_loss <= 2e8);
    assert_eq!(r.histogram.iter().map(|b| b.count).sum::<u64>(), 20_000);
    assert!(
        r.exceedance
            .windows(2)
            .all(|w| w[0].probability >= w[1].probability)
    );
    let total: f64 = r.by_country.iter().map(|c| c.expected_loss).sum();
    assert!((total - r.expected_loss).abs() < 1e-6 * r.expected_loss.max(1.0));
    let by_material: f64 = r.by_material.iter().map(|c| c.expected_loss).sum();
    assert!((by_material - r.expected_loss).abs() < 1e-6 * r.expected_loss.max(1.0));
    assert_eq!(r.by_country[0].name, "CHN");
    assert!(
        r.rates
            .iter()
            .any(|rate| rate.country == c("CHN") && rate.history_events > 0)
    );
}

#[test]
fn monte_carlo_with_no_disruption_loses_nothing() {
    let (portfolio, reference, params) = analytic_case(0.0, 1_000);
    let mut run = MonteCarlo::new(&portfolio, &reference, &params, 1).unwrap();
    run.run_all();
    let r = run.finish();
    assert_eq!(r.expected_loss, 0.0);
    assert_eq!(r.probability_any_shortfall, 0.0);
    assert_eq!(r.exceedance[0].probability, 0.0);
}

// ---------------------------------------------------------------------------------------------
// Property tests: no panic on any input, results within bounds
// ---------------------------------------------------------------------------------------------

const MATERIALS: [&str; 6] = [
    "gallium",
    "graphite",
    "cobalt",
    "rare_earths_magnet",
    "nickel",
    "lithium",
];
const COUNTRIES: [&str; 6] = ["CHN", "COD", "IDN", "JPN", "DEU", "ROW"];

fn arb_mix() -> impl Strategy<Value = Option<CountryMix>> {
    prop::option::of(prop::collection::vec((0usize..6, 0.0f64..100.0), 1..4)).prop_map(|entries| {
        let entries = entries?;
        let mut shares: Vec<(CountryCode, f64)> = Vec::new();
        for (i, share) in entries {
            let code = c(COUNTRIES[i]);
            if !shares.iter().any(|(c, _)| *c == code) {
                shares.push((code, share));
            }
        }
        CountryMix::from_shares(shares).ok()
    })
}

fn arb_line() -> impl Strategy<Value = Line> {
    (
        0usize..6,
        0.0f64..=100.0,
        0.0f64..1000.0,
        arb_mix(),
        arb_mix(),
        arb_mix(),
    )
        .prop_map(|(m, revenue, days, mining, refining, component)| {
            let sourcing = Sourcing::default()
                .with(Stage::Mining, mining)
                .with(Stage::Refining, refining)
                .with(Stage::Component, component);
            line(MATERIALS[m], revenue, days, sourcing)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn scenarios_never_panic_and_stay_in_bounds(
        lines in prop::collection::vec(arb_line(), 0..6),
        country in 0usize..6,
        cut in 0.0f64..=100.0,
        months in 0.0f64..=120.0,
        spare in 0.0f64..=100.0,
        stages in prop::sample::subsequence(Stage::ALL.to_vec(), 1..=3),
    ) {
        let p = portfolio(lines);
        let s = scenario(&[COUNTRIES[country]], &MATERIALS, &stages, cut, months);
        let result = run_scenario(&p, embedded(), &s, &params(spare));
        prop_assert!(result.total.revenue_at_risk_fraction >= 0.0);
        prop_assert!(result.total.revenue_at_risk_fraction <= 1.0);
        for l in &result.lines {
            prop_assert!((0.0..=1.0).contains(&l.shortfall));
            prop_assert!(l.covered_months + l.uncovered_months <= months + 1e-9);
            prop_assert!(l.revenue_at_risk_fraction <= l.revenue_share * months / 12.0 + 1e-12);
        }
    }

    #[test]
    fn monte_carlo_never_panics_and_orders_its_quantiles(
        lines in prop::collection::vec(arb_line(), 0..5),
        seed in any::<u64>(),
        a in 0.0f64..=1.0,
        b in 0.0f64..=1.0,
        mean in 1.0f64..30.0,
        spare in 0.0f64..=1.0,
    ) {
        let p = portfolio(lines);
        let params = MonteCarloParams {
            trials: 300,
            spare_capacity: Share::new(spare).unwrap(),
            severity: Severity { min: a.min(b), max: a.max(b) },
            duration: DurationModel::Geometric { mean_months: mean },
            ..MonteCarloParams::default()
        };
        let mut run = MonteCarlo::new(&p, embedded(), &params, seed).unwrap();
        run.run_chunk(100);
        run.run_all();
        let r = run.finish();
        prop_assert!(r.complete);
        prop_assert!(r.p50 <= r.p95 && r.p95 <= r.p99 && r.p99 <= r.max_loss);
        prop_assert!(r.max_loss <= 1.0);
        prop_assert!(r.expected_loss >= 0.0 && r.cvar95 >= r.p95);
    }

    #[test]
    fn invalid_monte_carlo_parameters_are_errors_not_panics(
        trials in any::<u64>(),
        a in prop_oneof![0.0..=1.0, any::<f64>()],
        b in prop_oneof![0.0..=1.0, any::<f64>()],
        mean in prop_oneof![1.0..24.0, any::<f64>()],
        bins in prop_oneof![1usize..=1000, any::<usize>()],
    ) {
        let params = MonteCarloParams {
            trials,
            severity: Severity { min: a, max: b },
            duration: DurationModel::Geometric { mean_months: mean },
            histogram_bins: bins,
            ..MonteCarloParams::default()
        };
        let params = MonteCarloParams { trials: trials.min(50), ..params };
        // Which check must fail, worked out here from the documented bounds, in the order
        // `validate` checks them.
        let expected = if params.trials == 0 {
            Some(MonteCarloError::Trials(0))
        } else if !(a.is_finite() && b.is_finite() && 0.0 <= a && a <= b && b <= 1.0) {
            Some(MonteCarloError::Severity(Severity { min: a, max: b }))
        } else if !(mean.is_finite() && mean >= 1.0) {
            Some(MonteCarloError::Duration(DurationModel::Geometric { mean_months: mean }))
        } else if !(1..=1000).contains(&bins) {
            Some(MonteCarloError::HistogramBins(bins))
        } else {
            None
        };
        match (MonteCarlo::new(&demo(), embedded(), &params, 1), expected) {
            (Ok(mut run), None) => {
                run.run_all();
                let r = run.finish();
                prop_assert!(r.complete);
                prop_assert_eq!(r.trials, params.trials);
                prop_assert!(r.p50 <= r.p95 && r.p95 <= r.p99 && r.p99 <= r.max_loss);
                prop_assert_eq!(r.histogram.len(), bins);
            }
            (Err(error), Some(expected)) => {
                prop_assert_eq!(format!("{error}"), format!("{expected}"));
            }
            (Ok(_), Some(expected)) => prop_assert!(false, "accepted, expected {expected}"),
            (Err(error), None) => prop_assert!(false, "rejected valid parameters: {error}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

fn cli(args: &[&str]) -> (ExitCode, String, String) {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = chokepoint::cli::run(&args, embedded(), &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn demo_path() -> String {
    format!(
        "{}/examples/portfolios/ev_motor_maker.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn cli_simulate_help_and_preset_list() {
    let (code, out, _) = cli(&["simulate", "--help"]);
    assert_eq!(code, ExitCode::SUCCESS);
    assert!(out.contains("--list-presets") && out.contains("--spare-capacity"));
    let (code, out, err) = cli(&["simulate", "--list-presets", "--date", "2026-12-20"]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["researched"]["date"], "2026-12-06");
    assert_eq!(json["date"], "2026-12-20");
    let presets = &json["presets"];
    assert_eq!(presets.as_array().unwrap().len(), 51);
    assert_eq!(presets[4]["id"], "CN-2023-GAGE");
    assert_eq!(presets[4]["scenario"]["cut_basis"], "assumption");
    let holmium = presets
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "CN-2025-OCT-57")
        .unwrap();
    assert_eq!(
        holmium["status_on"]["status"]["status"],
        "suspension_end_unrecorded"
    );
    assert_eq!(holmium["status_on"]["needs_check"], true);
    assert!(
        holmium["status_on"]["message"]
            .as_str()
            .unwrap()
            .contains("scheduled to end on 2026-11-10")
    );
    // Without --date, today (whatever it is) is the check date.
    let (code, out, _) = cli(&["simulate", "--list-presets"]);
    assert_eq!(code, ExitCode::SUCCESS);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(Date::parse(json["date"].as_str().unwrap()).is_ok());
    for args in [
        &["simulate", "--list-presets", "--date", "soon"][..],
        &["simulate", "--list-presets", "--cut", "10"],
    ] {
        let (code, _, _) = cli(args);
        assert_eq!(code, ExitCode::from(2), "{args:?}");
    }
    let (_, out, _) = cli(&["--help"]);
    assert!(out.contains("simulate FILE.json"));
}

/// Issue #17: `simulate --preset` judges the event on --date and states the research date.
#[test]
fn cli_simulate_preset_status_on_the_check_date() {
    let run = |date: &str| {
        let (code, out, err) = cli(&[
            "simulate",
            &demo_path(),
            "--preset",
            "CN-2025-OCT-61",
            "--date",
            date,
        ]);
        assert_eq!(code, ExitCode::SUCCESS, "{err}");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        json["scenario"]["preset_status"].clone()
    };
    let before = run("2026-06-01");
    assert_eq!(before["message"], "Suspended until 2026-11-10.");
    assert_eq!(before["researched"]["date"], "2026-12-06");
    let after = run("2026-12-20");
    assert_eq!(
        after["message"],
        "Suspension was scheduled to end on 2026-11-10; the data has no record after \
         2026-12-06: check the current status."
    );
    assert_eq!(after["date"], "2026-12-20");
    // The DR Congo quota preset cuts the share its figures give.
    let (code, out, err) = cli(&["simulate", &demo_path(), "--preset", "CD-2025-CO-QUOTA"]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let cut = json["scenario"]["scenario"]["cut"].as_f64().unwrap();
    assert!((cut - (1.0 - 96_600.0 / 220_000.0)).abs() < 1e-12, "{cut}");
    assert_eq!(json["scenario"]["preset"]["scenario"]["cut_basis"], "data");
}

#[test]
fn cli_simulate_preset_with_edited_cut() {
    let (code, out, err) = cli(&[
        "simulate",
        &demo_path(),
        "--preset",
        "CN-2023-GRAPHITE",
        "--cut",
        "100",
        "--revenue",
        "1000000",
    ]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["scenario"]["preset"]["id"], "CN-2023-GRAPHITE");
    assert_eq!(json["scenario"]["scenario"]["cut"], 1.0);
    assert_eq!(json["scenario"]["lines"][4]["material"], "graphite");
    assert!(
        json["scenario"]["total"]["revenue_at_risk"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    assert!(json.get("monte_carlo").is_none());
}

#[test]
fn cli_simulate_custom_scenario_and_monte_carlo_are_reproducible() {
    let args = [
        "simulate",
        &demo_path(),
        "--country",
        "CHN",
        "--materials",
        "graphite,gallium",
        "--stages",
        "refining",
        "--cut",
        "50",
        "--months",
        "6",
        "--monte-carlo",
        "--trials",
        "2000",
        "--seed",
        "7",
        "--probability",
        "CHN:refining:30",
    ];
    let (code, first, err) = cli(&args);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let (_, second, _) = cli(&args);
    assert_eq!(first, second);
    let json: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(json["monte_carlo"]["trials"], 2000);
    let rate = json["monte_carlo"]["rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["country"] == "CHN" && r["stage"] == "refining")
        .unwrap()
        .clone();
    assert_eq!(rate["probability"], 0.3);
    assert_eq!(rate["basis"], "user");
    assert!(json["scenario"]["ranking"].as_array().unwrap().len() >= 2);
    // Every default rate shows its fit to the event history (issue #20): China's mining has 3
    // events, weighted by recency, per 6.99 weighted years.
    let mining = json["monte_carlo"]["rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["country"] == "CHN" && r["stage"] == "mining")
        .unwrap()
        .clone();
    let fit = &mining["history"];
    assert_eq!(fit["events"], 3);
    let rate = fit["weighted_events"].as_f64().unwrap() / fit["weighted_years"].as_f64().unwrap();
    assert!((fit["rate"].as_f64().unwrap() - rate).abs() < 1e-12);
    assert!((fit["weighted_years"].as_f64().unwrap() - 6.993).abs() < 1e-3);
    // The stress index: low, central, high rates (the central one is the run above), with the
    // note that it is no return period, and the fitted durations.
    let index = &json["stress_index"];
    assert!(index["note"].as_str().unwrap().contains("not"));
    let band = index["sensitivity"].as_array().unwrap();
    let cases: Vec<&str> = band.iter().map(|p| p["case"].as_str().unwrap()).collect();
    assert_eq!(cases, ["low", "central", "high", "long measures"]);
    assert_eq!(
        band[1]["expected_loss"],
        json["monte_carlo"]["expected_loss"]
    );
    assert!(index["durations"]["median_months"].as_f64().unwrap() > 12.0);
    assert!(!first.contains("year in"));
    // The default durations are geometric with a mean of 6 months; the fit of how long
    // measures stay in force is the long measures' case (central rates), which loses more.
    assert_eq!(
        json["monte_carlo"]["params"]["duration"]["kind"],
        "geometric"
    );
    assert_eq!(
        json["monte_carlo"]["params"]["duration"]["mean_months"],
        6.0
    );
    assert_eq!(band[3]["rate_scale"], 1.0);
    assert!(
        band[3]["durations"]
            .as_str()
            .unwrap()
            .starts_with("lognormal")
    );
    assert!(
        band[3]["expected_loss"].as_f64().unwrap() > band[1]["expected_loss"].as_f64().unwrap()
    );
}

#[test]
fn cli_simulate_long_measures_durations_are_an_option() {
    let base = [
        "simulate",
        &demo_path(),
        "--monte-carlo",
        "--trials",
        "2000",
        "--seed",
        "7",
    ];
    let (code, plain, err) = cli(&base);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let long_args: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--durations", "long-measures"])
        .collect();
    let (code, long, err) = cli(&long_args);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let plain: serde_json::Value = serde_json::from_str(&plain).unwrap();
    let long: serde_json::Value = serde_json::from_str(&long).unwrap();
    // The run uses the fitted lognormal, the one shown in stress_index.durations.
    let duration = &long["monte_carlo"]["params"]["duration"];
    assert_eq!(duration["kind"], "log_normal");
    assert_eq!(
        duration["median_months"],
        long["stress_index"]["durations"]["median_months"]
    );
    // Its central case is the default run's long measures' case (same seed, same trials),
    // and no separate long measures' case is added.
    let band = long["stress_index"]["sensitivity"].as_array().unwrap();
    assert_eq!(band.len(), 3);
    assert_eq!(
        long["monte_carlo"]["expected_loss"],
        plain["stress_index"]["sensitivity"][3]["expected_loss"]
    );
    // `geometric` keeps a mean set by --mean-months; an unknown law is a usage error.
    let geometric: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--mean-months", "3", "--durations", "geometric"])
        .collect();
    let (code, out, err) = cli(&geometric);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json["monte_carlo"]["params"]["duration"]["mean_months"],
        3.0
    );
    let bad: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--durations", "forever"])
        .collect();
    let (code, _, err) = cli(&bad);
    assert_eq!(code, ExitCode::from(2));
    assert!(err.contains("forever"), "{err}");
}

#[test]
fn cli_simulate_usage_errors() {
    for args in [
        &["simulate"][..],
        &["simulate", "x.json"],
        &["simulate", &demo_path()],
        &["simulate", &demo_path(), "--preset", "NOPE"],
        &["simulate", &demo_path(), "--preset", "CN-2023-RETECH"],
        &[
            "simulate",
            &demo_path(),
            "--preset",
            "CN-2023-GAGE",
            "--country",
            "CHN",
        ],
        &[
            "simulate",
            &demo_path(),
            "--country",
            "CHN",
            "--materials",
            "gallium",
            "--cut",
            "50",
        ],
        &[
            "simulate",
            &demo_path(),
            "--country",
            "CHN",
            "--materials",
            "nope",
            "--cut",
            "5",
            "--months",
            "1",
        ],
        &[
            "simulate",
            &demo_path(),
            "--country",
            "CHN",
            "--materials",
            "gallium",
            "--cut",
            "150",
            "--months",
            "1",
        ],
        &["simulate", &demo_path(), "--monte-carlo", "--trials", "0"],
        &[
            "simulate",
            &demo_path(),
            "--monte-carlo",
            "--probability",
            "CHN:smelting:5",
        ],
        &[
            "simulate",
            &demo_path(),
            "--group",
            "no_such_group",
            "--materials",
            "gallium",
            "--cut",
            "5",
            "--months",
            "1",
        ],
        &["simulate", &demo_path(), "--bogus"],
    ] {
        let (code, out, err) = cli(args);
        assert_eq!(code, ExitCode::from(2), "{args:?}: {out}");
        assert!(err.starts_with("chokepoint: "), "{args:?}: {err}");
    }
}

#[test]
fn cli_simulate_group_scenario_and_invalid_portfolio() {
    let (code, out, err) = cli(&[
        "simulate",
        &demo_path(),
        "--group",
        "feoc_covered_nations",
        "--materials",
        "graphite",
        "--cut",
        "100",
        "--months",
        "3",
    ]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        json["scenario"]["scenario"]["countries"]
            .as_array()
            .unwrap()
            .len()
            >= 2
    );
    let path =
        std::env::temp_dir().join(format!("chokepoint-simulate-{}.json", std::process::id()));
    std::fs::write(
        &path,
        r#"{"schema_version": 1, "lines": [{"material": "nope"}]}"#,
    )
    .unwrap();
    let (code, _, err) = cli(&["simulate", path.to_str().unwrap(), "--monte-carlo"]);
    assert_eq!(code, ExitCode::from(1), "{err}");
}
