//! The policy checks on the cases issue #20 tried: rules apply only where they apply (end use,
//! jurisdiction, customer), IRC 30D counts minerals "extracted or processed" in qualifying
//! countries, ownership rules are not assessable from country data, the CRMA benchmark is
//! context, and the check date defaults to today.

use super::analysis::fixtures::{demo_portfolio, example_path, mix};
use chokepoint::analysis::assess::{AssessParams, Assessment, assess};
use chokepoint::analysis::policy::{Date, NotApplicable, NotAssessable, Outcome, PolicyFinding};
use chokepoint::model::context::{Customer, EndUse, Jurisdiction};
use chokepoint::model::{Share, Stage};
use chokepoint::portfolio::{Amount, Line, Portfolio, Sourcing};

fn on(portfolio: &Portfolio, date: &str) -> Assessment {
    assess(
        portfolio,
        chokepoint::reference::embedded(),
        &AssessParams {
            date: Some(Date::parse(date).unwrap()),
            ..AssessParams::default()
        },
    )
}

fn demo() -> Portfolio {
    demo_portfolio(chokepoint::reference::embedded())
}

/// Every finding of `material` for rule ids starting with `prefix`.
fn findings<'a>(result: &'a Assessment, material: &str, prefix: &str) -> Vec<&'a PolicyFinding> {
    result
        .materials
        .iter()
        .filter(|m| m.material == material)
        .flat_map(|m| &m.policy)
        .filter(|f| f.rule_id.starts_with(prefix))
        .collect()
}

#[test]
fn the_demo_states_its_end_uses_and_market() {
    let demo = demo();
    assert_eq!(demo.jurisdiction, Some(Jurisdiction::Eu));
    assert_eq!(demo.customer, Some(Customer::Commercial));
    let uses: Vec<(&str, Option<EndUse>)> = demo
        .lines
        .iter()
        .map(|l| (l.material.as_str(), l.end_use))
        .collect();
    assert!(uses.contains(&("cobalt", Some(EndUse::Battery))));
    assert!(uses.contains(&("rare_earths_magnet", Some(EndUse::MagnetNdfeb))));
    assert!(uses.contains(&("gallium", Some(EndUse::Electronics))));
    assert!(uses.contains(&("germanium", Some(EndUse::Optics))));
}

#[test]
fn cobalt_sulphate_for_cathodes_does_not_get_the_samarium_cobalt_magnet_rule() {
    // Even for a US DoD supplier on the 2027 regime, cathode cobalt is not a magnet.
    let demo = Portfolio {
        jurisdiction: Some(Jurisdiction::Us),
        customer: Some(Customer::UsDod),
        ..demo()
    };
    let result = on(&demo, "2027-03-01");
    let smco = findings(&result, "cobalt", "US-DFARS7052-SMCO");
    assert!(!smco.is_empty());
    for f in smco {
        assert_eq!(
            f.outcome,
            Outcome::NotApplicable(NotApplicable::EndUse(Some(EndUse::Battery)))
        );
        assert_eq!(
            f.reason.as_deref(),
            Some("covers SmCo magnets or magnets of unstated type; this line is for batteries")
        );
        assert_eq!(f.end_use, Some(EndUse::Battery));
    }
    // The magnets are tested, and China's share in their refining fails the 2027 regime.
    assert!(
        findings(&result, "rare_earths_magnet", "US-DFARS7052-NDFEB-B")
            .iter()
            .any(|f| f.outcome == Outcome::Fail)
    );
}

#[test]
fn gan_transistors_and_germanium_lenses_are_not_tested_under_30d() {
    let demo = Portfolio {
        jurisdiction: Some(Jurisdiction::Us),
        ..demo()
    };
    let result = on(&demo, "2025-06-01");
    for (material, end_use) in [
        ("gallium", EndUse::Electronics),
        ("germanium", EndUse::Optics),
    ] {
        let all = findings(&result, material, "US-IRC30D-");
        assert!(!all.is_empty(), "{material}");
        for f in all {
            assert_eq!(
                f.outcome,
                Outcome::NotApplicable(NotApplicable::EndUse(Some(end_use))),
                "{material} {}",
                f.rule_id
            );
        }
    }
    // The battery lines are: lithium hydroxide refined half in Chile (an FTA partner).
    assert!(
        findings(&result, "lithium", "US-IRC30D-CM-2025")
            .iter()
            .all(|f| !matches!(f.outcome, Outcome::NotApplicable(_)))
    );
}

fn cobalt_line(mined: &[(&str, f64)], refined: &[(&str, f64)]) -> Portfolio {
    Portfolio {
        jurisdiction: Some(Jurisdiction::Us),
        lines: vec![Line {
            material: "cobalt".into(),
            label: Some("cathode cobalt".into()),
            spend: Amount::new(1000.0).unwrap(),
            revenue_share: Share::from_percent(10.0).unwrap(),
            inventory_days: Amount::ZERO,
            sourcing: Sourcing::default()
                .with(Stage::Mining, Some(mix(mined)))
                .with(Stage::Refining, Some(mix(refined))),
            end_use: Some(EndUse::Battery),
            facility_counts: Vec::new(),
        }],
        ..Portfolio::default()
    }
}

#[test]
fn irc_30d_passes_when_extracted_or_processed_in_a_qualifying_country() {
    // Mined in Australia (FTA), refined in China; then mined in Congo, refined in Canada (FTA).
    for (mined, refined) in [("AUS", "CHN"), ("COD", "CAN")] {
        let result = on(
            &cobalt_line(&[(mined, 100.0)], &[(refined, 100.0)]),
            "2025-06-01",
        );
        let cm = findings(&result, "cobalt", "US-IRC30D-CM-2025");
        // One finding for both stages together.
        assert_eq!(cm.len(), 1, "{mined}/{refined}");
        assert_eq!(cm[0].stages, vec![Stage::Mining, Stage::Refining]);
        assert_eq!(cm[0].outcome, Outcome::Pass, "{mined}/{refined}");
        assert!(
            result
                .policy
                .failing
                .iter()
                .all(|f| f.rule_id != "US-IRC30D-CM-2025")
        );
    }
    // Neither: fails.
    let result = on(
        &cobalt_line(&[("COD", 100.0)], &[("CHN", 100.0)]),
        "2025-06-01",
    );
    assert_eq!(
        findings(&result, "cobalt", "US-IRC30D-CM-2025")[0].outcome,
        Outcome::Fail
    );
}

#[test]
fn congo_and_indonesia_cobalt_is_not_assessable_for_the_foreign_entity_rule() {
    let result = on(
        &cobalt_line(&[("COD", 100.0)], &[("IDN", 100.0)]),
        "2025-06-01",
    );
    let feoc = findings(&result, "cobalt", "US-IRC30D-FEOC-CM");
    assert_eq!(feoc.len(), 2);
    for f in feoc {
        assert_eq!(f.outcome, Outcome::NotAssessable(NotAssessable::Ownership));
        assert_ne!(f.outcome, Outcome::Pass);
        assert!(f.measurement.is_none());
        assert!(
            f.reason
                .as_deref()
                .unwrap()
                .starts_with("not assessable from country data")
        );
    }
}

#[test]
fn crma_is_context_never_a_failure() {
    let result = on(&demo(), "2026-12-06");
    assert!(
        result
            .policy
            .failing
            .iter()
            .all(|f| f.rule_id != "EU-CRMA-ART5-1B-65")
    );
    let crma: Vec<&PolicyFinding> = result
        .policy
        .context
        .iter()
        .filter(|f| f.rule_id == "EU-CRMA-ART5-1B-65")
        .collect();
    // Graphite refining (China 85 %) is above the EU's benchmark; it is context.
    assert!(crma.iter().any(|f| f.material == "graphite"
        && f.stage == Stage::Refining
        && !f.measurement.as_ref().unwrap().passes()));
    assert!(
        crma.iter()
            .all(|f| f.outcome == Outcome::Context && f.eu_level_benchmark)
    );
}

#[test]
fn the_demo_on_the_research_date_fails_no_ended_30d_year_nor_the_2027_dfars_regime() {
    let result = on(&demo(), "2026-12-06");
    for f in &result.policy.failing {
        assert!(
            !f.rule_id.starts_with("US-IRC30D-") && !f.rule_id.starts_with("US-DFARS7052-"),
            "{} fails",
            f.rule_id
        );
    }
    // Nothing fails the EU demo firm: no rule that binds it has a country-share test it fails.
    assert_eq!(result.policy.failing.len(), 0);
    assert!(result.policy.findings > 0);
}

#[test]
fn the_cli_checks_on_today_by_default() {
    let args: Vec<String> = ["assess", &example_path("ev_motor_maker.json")]
        .iter()
        .map(|a| a.to_string())
        .collect();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = chokepoint::cli::run(&args, chokepoint::reference::embedded(), &mut out, &mut err);
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let date = json["policy"]["date"].as_str().expect("a check date");
    assert!(Date::parse(date).is_ok());
    let failing = json["policy"]["failing"].as_array().unwrap();
    assert!(failing.iter().all(|f| {
        let id = f["rule_id"].as_str().unwrap();
        !id.starts_with("US-IRC30D-")
            && !id.starts_with("US-DFARS7052-")
            && f["historical"] == false
    }));
}

#[test]
fn declared_facility_counts_are_their_own_basis_and_legal_tests_read_presence() {
    use chokepoint::import::rmi::{MaterialSourcing, apply_sourcing};
    use chokepoint::model::CountryCode;
    use chokepoint::portfolio::RawPortfolio;
    let reference = chokepoint::reference::embedded();
    let c = |code: &str| CountryCode::parse(code).unwrap();
    let sourcing = |refining: Vec<(CountryCode, usize)>| MaterialSourcing {
        material: "tungsten".into(),
        metal: "Tungsten".into(),
        refining,
        mining: Vec::new(),
        unidentified: 0,
        unknown_country: 0,
        suppliers: 1,
    };
    let raw = RawPortfolio::from_json(
        r#"{"schema_version": 1, "customer": "us_dod", "lines": [{"material": "tungsten",
            "spend": 1000, "revenue_share_pct": 5, "end_use": "alloy"}]}"#,
    )
    .unwrap();
    // Three Chinese smelters and one Austrian: 75 % of the facilities, not of the tungsten.
    let imported = apply_sourcing(&raw, &[sourcing(vec![(c("CHN"), 3), (c("AUT"), 1)])]).unwrap();
    assert!(imported.lines[0].is_facility_count(Stage::Refining));
    let portfolio = imported.validate(reference).unwrap();
    assert_eq!(portfolio.lines[0].facility_counts, vec![Stage::Refining]);
    // The basis survives the file form (share links, storage, exports).
    let again = Portfolio::from_json(&portfolio.to_json(), reference).unwrap();
    assert_eq!(again, portfolio);
    let result = on(&portfolio, "2026-06-01");
    let dfars = findings(&result, "tungsten", "US-DFARS7052-W-A");
    let refining = dfars.iter().find(|f| f.stage == Stage::Refining).unwrap();
    assert_eq!(refining.outcome, Outcome::Fail);
    assert!(refining.measurement.as_ref().unwrap().facility_count);
    // Only Austrian smelters: no covered country present, the test passes.
    let clean = apply_sourcing(&raw, &[sourcing(vec![(c("AUT"), 2)])]).unwrap();
    let result = on(&clean.validate(reference).unwrap(), "2026-06-01");
    let refining = findings(&result, "tungsten", "US-DFARS7052-W-A")
        .into_iter()
        .find(|f| f.stage == Stage::Refining)
        .unwrap();
    assert_eq!(refining.outcome, Outcome::Pass);
    // Setting the stage back to unknown drops its basis.
    let mut line = imported.lines[0].clone();
    line.set_stage(Stage::Refining, None);
    assert!(!line.is_facility_count(Stage::Refining));
}

#[test]
fn end_uses_market_and_customer_round_trip_through_share_links_and_storage() {
    let demo = demo();
    let raw = demo.to_raw();
    let decoded =
        chokepoint::portfolio::share::decode(&chokepoint::portfolio::share::encode(&raw)).unwrap();
    assert_eq!(decoded, raw);
    let stored = chokepoint::portfolio::storage::write_entry(&raw);
    assert_eq!(
        chokepoint::portfolio::storage::read_entry(&stored).unwrap(),
        raw
    );
    let again = decoded.validate(chokepoint::reference::embedded()).unwrap();
    assert_eq!(again, demo);
    // An old file without the fields still loads, with none given.
    let old = Portfolio::from_json(
        r#"{"schema_version": 1, "lines": [{"material": "cobalt", "spend": 1,
            "revenue_share_pct": 1}]}"#,
        chokepoint::reference::embedded(),
    )
    .unwrap();
    assert_eq!(
        (old.jurisdiction, old.customer, old.lines[0].end_use),
        (None, None, None)
    );
    // A value not in the list is named with the accepted ones, and kept in the raw form.
    let error = Portfolio::from_json(
        r#"{"schema_version": 1, "jurisdiction": "mars", "lines": []}"#,
        chokepoint::reference::embedded(),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        error,
        "portfolio, jurisdiction: `mars` is not one of eu, us, other"
    );
}
