//! Tests of the policy checks on hand-made mixes and of the embedded rule data.

use super::*;

fn code(text: &str) -> CountryCode {
    CountryCode::parse(text).unwrap()
}

fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn group(id: &str, members: &[&str]) -> CountryGroup {
    CountryGroup {
        id: id.to_string(),
        name: id.to_string(),
        members: members.iter().map(|m| code(m)).collect(),
        as_of: None,
        source: "test".to_string(),
        user_defined: false,
    }
}

/// The groups the rules use, with enough members for the tests.
fn groups() -> Vec<CountryGroup> {
    vec![
        group(
            "eu27",
            &[
                "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC",
                "HUN", "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK",
                "SVN", "ESP", "SWE",
            ],
        ),
        group("feoc_covered_nations", &["CHN", "RUS", "PRK", "IRN"]),
        group("us_fta", &["AUS", "CAN", "CHL", "MEX", "KOR", "PER"]),
        group("us_30d_qualifying", &["JPN"]),
    ]
}

fn mix(shares: &[(&str, f64)]) -> CountryMix {
    CountryMix::from_shares(shares.iter().map(|(c, s)| (code(c), *s))).unwrap()
}

fn rule(id: &str) -> &'static PolicyRule {
    embedded_rules()
        .iter()
        .find(|r| r.rule_id == id)
        .unwrap_or_else(|| panic!("no rule {id}"))
}

/// A context the rule binds: its first end use, jurisdiction and customer, where it names any.
fn bound_by(rule: &PolicyRule) -> PolicyContext {
    let a = &rule.applicability;
    PolicyContext {
        end_use: a.end_uses.first().copied(),
        jurisdiction: a.jurisdictions.first().copied(),
        customer: a.customers.first().copied(),
    }
}

/// Checks rule `id` on one stage's mix, in a context the rule binds, with no other stage known.
fn check(
    id: &str,
    material: &str,
    stage: Stage,
    shares: &[(&str, f64)],
    on: &str,
) -> Finding<'static> {
    check_in(id, material, stage, shares, on, bound_by(rule(id)))
}

fn check_in(
    id: &str,
    material: &str,
    stage: Stage,
    shares: &[(&str, f64)],
    on: &str,
    context: PolicyContext,
) -> Finding<'static> {
    check_with(id, (material, stage), shares, on, context, &[])
}

fn check_with(
    id: &str,
    (material, stage): (&str, Stage),
    shares: &[(&str, f64)],
    on: &str,
    context: PolicyContext,
    facility_counts: &[Stage],
) -> Finding<'static> {
    let groups = groups();
    let mix = mix(shares);
    check_rule(
        rule(id),
        &CheckInput {
            material,
            stage,
            mix: &mix,
            date: date(on),
            groups: &groups,
            context,
            other_stages: &[],
            facility_counts,
        },
    )
    .unwrap()
}

// --- embedded data -------------------------------------------------------------------------

#[test]
fn embedded_rules_parse_and_every_rule_is_cited() {
    let rules = try_embedded_rules().expect("embedded rule data parses");
    assert_eq!(rules.len(), 37);
    // The research date comes with the data, quoted from RULES.md.
    let researched = rules_researched().expect("the rule data has its research date");
    assert_eq!(researched.date, Date::parse("2026-12-06").unwrap());
    assert!(researched.citation.contains("RULES.md"));
    for rule in rules {
        assert!(!rule.legal_citation.is_empty(), "{}", rule.rule_id);
        assert!(!rule.source.is_empty(), "{}", rule.rule_id);
        assert!(!rule.name.is_empty(), "{}", rule.rule_id);
    }
}

#[test]
fn every_checked_rule_of_the_brief_has_dates_and_stages() {
    // The rules the checks are for carry both their citation and their dates; a few other rules
    // in the data have no dates (research left them blank) and show as `Undated`.
    for rule in embedded_rules() {
        let id = rule.rule_id.as_str();
        let core = id.starts_with("US-DFARS7052-")
            || id.starts_with("US-IRC30D-CM-202")
            || id == "US-IRC30D-FEOC-CM"
            || id == "EU-CRMA-ART5-1B-65"
            || id.starts_with("US-IRC48E45Y-MACR-");
        if core && id != "US-IRC30D-CM-2023" {
            assert!(rule.effective_from.is_some(), "{id} has a start date");
            assert!(rule.check.is_some(), "{id} has a check");
            assert!(!rule.stages.is_empty(), "{id} has stages");
        }
        if rule.effective_from.is_none() {
            // Never shown as in force without a start date.
            for d in ["2020-01-01", "2026-01-01", "2031-01-01"] {
                assert_ne!(rule.status_on(date(d)), RuleStatus::InForce, "{id} on {d}");
            }
        }
    }
}

#[test]
fn dfars_2027_rules_carry_the_sec_848_caveat() {
    for id in [
        "US-DFARS7052-NDFEB-B",
        "US-DFARS7052-SMCO-B",
        "US-DFARS7052-TA-B",
    ] {
        let r = rule(id);
        assert_eq!(r.effective_from, Some(date("2027-01-01")));
        assert!(
            r.caveats.iter().any(|c| c.contains("sec. 848")),
            "{id}: {:?}",
            r.caveats
        );
    }
}

// --- CRMA Art. 5(1)(b) -----------------------------------------------------------------------

#[test]
fn crma_70_percent_china_refining_of_gallium_is_context_above_the_benchmark() {
    let f = check(
        "EU-CRMA-ART5-1B-65",
        "gallium",
        Stage::Refining,
        &[("CHN", 70.0), ("JPN", 30.0)],
        "2026-06-01",
    );
    // The EU's own benchmark: shown as context, never as the firm's failure.
    assert_eq!(f.outcome, Outcome::Context);
    let m = f.measurement.unwrap();
    assert!(!m.passes());
    assert_eq!(m.countries, vec![(code("CHN"), 0.7)]);
    assert_eq!(m.limit, 0.65);
    assert_eq!(m.bound, Bound::AtMost);
}

#[test]
fn crma_60_percent_is_within_and_65_is_not_above() {
    let f = check(
        "EU-CRMA-ART5-1B-65",
        "gallium",
        Stage::Refining,
        &[("CHN", 60.0), ("JPN", 40.0)],
        "2026-06-01",
    );
    assert_eq!(f.outcome, Outcome::Context);
    assert!(f.measurement.unwrap().passes());
    let f = check(
        "EU-CRMA-ART5-1B-65",
        "gallium",
        Stage::Refining,
        &[("CHN", 65.0), ("JPN", 35.0)],
        "2026-06-01",
    );
    assert!(f.measurement.unwrap().passes());
}

#[test]
fn crma_eu_members_are_not_third_countries() {
    let f = check(
        "EU-CRMA-ART5-1B-65",
        "gallium",
        Stage::Refining,
        &[("FRA", 40.0), ("DEU", 40.0), ("CHN", 20.0)],
        "2026-06-01",
    );
    assert_eq!(f.outcome, Outcome::Context);
    assert_eq!(f.measurement.unwrap().countries, vec![(code("CHN"), 0.2)]);
    // Even a single member state at 100 % is no third-country dependence.
    let f = check(
        "EU-CRMA-ART5-1B-65",
        "gallium",
        Stage::Refining,
        &[("DEU", 100.0)],
        "2026-06-01",
    );
    assert!(f.measurement.unwrap().passes());
}

#[test]
fn crma_covers_strategic_materials_only_and_upstream_stages() {
    // Tantalum is critical (Annex II) but not strategic (Annex I).
    let f = check(
        "EU-CRMA-ART5-1B-65",
        "tantalum",
        Stage::Mining,
        &[("COD", 100.0)],
        "2026-06-01",
    );
    assert_eq!(
        f.outcome,
        Outcome::NotApplicable(NotApplicable::MaterialNotCovered)
    );
    let f = check(
        "EU-CRMA-ART5-1B-65",
        "gallium",
        Stage::Component,
        &[("CHN", 100.0)],
        "2026-06-01",
    );
    assert_eq!(
        f.outcome,
        Outcome::NotApplicable(NotApplicable::StageNotCovered)
    );
    // Not in force before the regulation took effect.
    let f = check(
        "EU-CRMA-ART5-1B-65",
        "gallium",
        Stage::Refining,
        &[("CHN", 100.0)],
        "2024-05-22",
    );
    assert_eq!(
        f.outcome,
        Outcome::NotApplicable(NotApplicable::NotInForce(RuleStatus::NotYetInForce))
    );
    assert!(f.measurement.is_some());
}

// --- DFARS 225.7018 ----------------------------------------------------------------------------

#[test]
fn dfars_mining_is_covered_only_from_2027() {
    let china_mining = [("CHN", 70.0), ("AUS", 30.0)];
    let a = check(
        "US-DFARS7052-NDFEB-A",
        "neodymium",
        Stage::Mining,
        &china_mining,
        "2026-12-31",
    );
    assert_eq!(
        a.outcome,
        Outcome::NotApplicable(NotApplicable::StageNotCovered)
    );
    let b = check(
        "US-DFARS7052-NDFEB-B",
        "neodymium",
        Stage::Mining,
        &china_mining,
        "2026-12-31",
    );
    assert_eq!(
        b.outcome,
        Outcome::NotApplicable(NotApplicable::NotInForce(RuleStatus::NotYetInForce))
    );
    let b = check(
        "US-DFARS7052-NDFEB-B",
        "neodymium",
        Stage::Mining,
        &china_mining,
        "2027-01-01",
    );
    assert_eq!(b.outcome, Outcome::Fail);
    let m = b.measurement.unwrap();
    assert_eq!(m.share, 0.7);
    assert_eq!(m.limit, 0.0);
    let a = check(
        "US-DFARS7052-NDFEB-A",
        "neodymium",
        Stage::Component,
        &china_mining,
        "2027-01-01",
    );
    assert_eq!(
        a.outcome,
        Outcome::NotApplicable(NotApplicable::NotInForce(RuleStatus::Ended))
    );
}

#[test]
fn dfars_melt_regime_fails_any_covered_country_share_at_the_magnet() {
    let f = check(
        "US-DFARS7052-NDFEB-A",
        "rare_earths",
        Stage::Component,
        &[("JPN", 99.0), ("RUS", 1.0)],
        "2026-12-31",
    );
    assert_eq!(f.outcome, Outcome::Fail);
    assert_eq!(f.measurement.unwrap().countries, vec![(code("RUS"), 0.01)]);
    // A zero limit is strict: even a trace fails.
    let f = check(
        "US-DFARS7052-NDFEB-A",
        "rare_earths",
        Stage::Component,
        &[("JPN", 1.0), ("CHN", 1e-12)],
        "2026-12-31",
    );
    assert_eq!(f.outcome, Outcome::Fail);
    let f = check(
        "US-DFARS7052-W-A",
        "tungsten",
        Stage::Refining,
        &[("USA", 50.0), ("DEU", 50.0)],
        "2026-12-31",
    );
    assert_eq!(f.outcome, Outcome::Pass);
}

#[test]
fn dfars_rest_of_world_is_reported_not_counted() {
    let f = check(
        "US-DFARS7052-TA-B",
        "tantalum",
        Stage::Mining,
        &[("RWA", 60.0), ("ROW", 40.0)],
        "2027-06-01",
    );
    assert_eq!(f.outcome, Outcome::Pass);
    assert_eq!(f.measurement.unwrap().unattributed, 0.4);
}

#[test]
fn rules_in_force_switch_regime_at_the_new_year() {
    let ids = |d: &str| -> Vec<&str> {
        rules_in_force(embedded_rules(), date(d))
            .iter()
            .map(|r| r.rule_id.as_str())
            .collect()
    };
    let before = ids("2026-12-31");
    let after = ids("2027-01-01");
    for regime in ["NDFEB", "SMCO", "TA", "W"] {
        let a = format!("US-DFARS7052-{regime}-A");
        let b = format!("US-DFARS7052-{regime}-B");
        assert!(before.contains(&a.as_str()) && !before.contains(&b.as_str()));
        assert!(after.contains(&b.as_str()) && !after.contains(&a.as_str()));
    }
    assert!(!after.contains(&"US-FY27NDAA-1803-PENDING"));
}

// --- IRC 30D (historical) and 45Y/48E ----------------------------------------------------------

#[test]
fn irc_30d_critical_mineral_test_uses_fta_partners_and_the_year_percentage() {
    let cobalt = [("AUS", 55.0), ("JPN", 10.0), ("CHN", 35.0)];
    let f = check(
        "US-IRC30D-CM-2025",
        "cobalt",
        Stage::Refining,
        &cobalt,
        "2025-06-01",
    );
    assert_eq!(f.outcome, Outcome::Pass);
    let m = f.measurement.unwrap();
    assert!((m.share - 0.65).abs() < 1e-12);
    assert_eq!(m.limit, 0.6);
    let f = check(
        "US-IRC30D-CM-2024",
        "cobalt",
        Stage::Refining,
        &cobalt,
        "2025-06-01",
    );
    assert_eq!(
        f.outcome,
        Outcome::NotApplicable(NotApplicable::NotInForce(RuleStatus::Ended))
    );
    // The foreign-entity rule is about ownership: not assessable from country data, and no
    // country share is reported for it.
    let f = check(
        "US-IRC30D-FEOC-CM",
        "cobalt",
        Stage::Refining,
        &cobalt,
        "2025-06-01",
    );
    assert_eq!(f.outcome, Outcome::NotAssessable(NotAssessable::Ownership));
    assert_eq!(f.measurement, None);
}

#[test]
fn irc_30d_is_historical_after_30_september_2025() {
    let cobalt = [("AUS", 100.0)];
    let f = check(
        "US-IRC30D-CM-2025",
        "cobalt",
        Stage::Mining,
        &cobalt,
        "2025-09-30",
    );
    assert_eq!(f.outcome, Outcome::Pass);
    for id in [
        "US-IRC30D-CM-2025",
        "US-IRC30D-CM-2026",
        "US-IRC30D-FEOC-CM",
        "US-IRC30D-BATTCOMP",
    ] {
        let status = rule(id).status_on(date("2025-10-01"));
        assert_eq!(status, RuleStatus::Terminated, "{id}");
        assert!(status.is_historical());
    }
    let f = check(
        "US-IRC30D-CM-2026",
        "cobalt",
        Stage::Mining,
        &cobalt,
        "2026-03-01",
    );
    assert_eq!(
        f.outcome,
        Outcome::NotApplicable(NotApplicable::NotInForce(RuleStatus::Terminated))
    );
    assert!(
        !rules_in_force(embedded_rules(), date("2026-03-01"))
            .iter()
            .any(|r| r.rule_id.starts_with("US-IRC30D-"))
    );
}

#[test]
fn storage_macr_is_about_ownership_and_follows_its_threshold_schedule() {
    let r = rule("US-IRC48E45Y-MACR-STORAGE");
    let share = |year| {
        r.check
            .as_ref()
            .unwrap()
            .threshold()
            .for_year(year)
            .unwrap()
            .get()
    };
    assert_eq!(
        (share(2026), share(2027), share(2028), share(2035)),
        (0.55, 0.6, 0.65, 0.75)
    );
    // Prohibited foreign entities are a matter of ownership and control: even a mix with no
    // covered nation does not pass.
    let f = check(
        "US-IRC48E45Y-MACR-STORAGE",
        "lithium",
        Stage::Component,
        &[("AUS", 100.0)],
        "2027-03-01",
    );
    assert_eq!(f.outcome, Outcome::NotAssessable(NotAssessable::Ownership));
    assert_eq!(f.measurement, None);
}

#[test]
fn the_min_share_outside_group_proxy_leaves_the_remainder_out() {
    // The measurement itself, on a rule of that kind made testable by country.
    let mut r = rule("US-IRC48E45Y-MACR-STORAGE").clone();
    r.applicability.basis = Basis::Country;
    let groups = groups();
    let m = mix(&[("AUS", 50.0), ("ROW", 50.0)]);
    let input = CheckInput {
        material: "lithium",
        stage: Stage::Component,
        mix: &m,
        date: date("2026-06-01"),
        groups: &groups,
        context: bound_by(&r),
        other_stages: &[],
        facility_counts: &[],
    };
    let f = check_rule(&r, &input).unwrap();
    assert_eq!(f.outcome, Outcome::Fail);
    assert_eq!(f.measurement.unwrap().share, 0.5);
}

#[test]
fn rules_without_a_threshold_are_not_checked() {
    let r = rule("US-IRC45X-MACR-CRITMIN");
    assert!(r.check.is_none());
    assert!(
        r.unchecked_reason
            .as_deref()
            .unwrap()
            .contains("no threshold")
    );
}

#[test]
fn check_rules_lists_only_rules_for_the_material() {
    let groups = groups();
    let m = mix(&[("CHN", 100.0)]);
    let input = CheckInput {
        material: "tungsten",
        stage: Stage::Mining,
        mix: &m,
        date: date("2027-01-01"),
        groups: &groups,
        context: PolicyContext {
            customer: Some(Customer::UsDod),
            ..PolicyContext::default()
        },
        other_stages: &[],
        facility_counts: &[],
    };
    let findings = check_rules(embedded_rules(), &input).unwrap();
    assert!(findings.iter().all(|f| f.rule.covers_material("tungsten")));
    let ids: Vec<&str> = findings.iter().map(|f| f.rule.rule_id.as_str()).collect();
    assert!(ids.contains(&"US-DFARS7052-W-B"));
    assert!(ids.contains(&"EU-CRMA-ART5-1B-65"));
    let w = findings
        .iter()
        .find(|f| f.rule.rule_id == "US-DFARS7052-W-B")
        .unwrap();
    assert_eq!(w.outcome, Outcome::Fail);
}

#[test]
fn a_missing_group_is_a_typed_error() {
    let m = mix(&[("CHN", 100.0)]);
    let err = check_rule(
        rule("EU-CRMA-ART5-1B-65"),
        &CheckInput {
            material: "gallium",
            stage: Stage::Refining,
            mix: &m,
            date: date("2026-01-01"),
            groups: &[],
            context: PolicyContext::default(),
            other_stages: &[],
            facility_counts: &[],
        },
    )
    .unwrap_err();
    assert_eq!(
        err,
        PolicyError::UnknownGroup {
            rule_id: "EU-CRMA-ART5-1B-65".into(),
            group: "eu27".into()
        }
    );
}

// --- dates and malformed data -----------------------------------------------------------------

#[test]
fn dates_are_validated() {
    assert!(Date::parse("2024-02-29").is_ok());
    assert!(Date::parse("2026-02-29").is_err());
    assert!(Date::parse("2026-13-01").is_err());
    assert!(Date::parse("2026-1-01").is_err());
    assert!(Date::parse("+026-01-01").is_err());
    assert!(Date::parse("0000-01-01").is_err());
    assert!(date("2026-12-31") < date("2027-01-01"));
}

fn one_rule(fields: &str) -> String {
    let base = serde_json::json!({
        "rule_id": "X", "jurisdiction": "US", "name": "n", "legal_citation": "c",
        "applies_to": "", "materials": [], "material_ids": [], "items": "",
        "stages_covered": [], "stages": [], "countries": [], "test": "", "threshold": [],
        "effective_from": null, "effective_to": null, "exceptions": "", "source": "s",
        "confidence": "high", "notes": "", "enacted": true, "terminated": null,
        "check": null, "unchecked_reason": "none", "caveats": []
    });
    let mut rule = base.as_object().unwrap().clone();
    let extra: serde_json::Value = serde_json::from_str(fields).unwrap();
    for (k, v) in extra.as_object().unwrap() {
        rule.insert(k.clone(), v.clone());
    }
    serde_json::json!({ "rules": [rule] }).to_string()
}

#[test]
fn malformed_rule_data_gives_typed_errors() {
    assert!(parse_rules(&one_rule("{}")).is_ok());
    let err = parse_rules(&one_rule(r#"{"effective_from": "2027-02-30"}"#)).unwrap_err();
    assert!(matches!(err, PolicyDataError::Json { .. }), "{err}");
    assert!(err.to_string().contains("2027-02-30"));
    let err = parse_rules(&one_rule(
        r#"{"effective_from": "2027-01-01", "effective_to": "2026-12-31"}"#,
    ))
    .unwrap_err();
    assert_eq!(
        err,
        PolicyDataError::Invalid {
            rule_id: "X".into(),
            field: "effective_from",
            message: "2027-01-01 is after effective_to 2026-12-31".into()
        }
    );
    let err = parse_rules(&one_rule(r#"{"legal_citation": " "}"#)).unwrap_err();
    assert!(matches!(
        err,
        PolicyDataError::Invalid {
            field: "legal_citation",
            ..
        }
    ));
    let err = parse_rules(&one_rule(
        r#"{"check": {"kind": "max_group_share", "countries": ["CHN"], "groups": [],
            "threshold": [{"from_year": null, "to_year": null, "share": 1.5}]}}"#,
    ))
    .unwrap_err();
    assert!(matches!(err, PolicyDataError::Json { .. }), "{err}");
    let err = parse_rules(&one_rule(
        r#"{"check": {"kind": "max_group_share", "countries": ["CHN"], "groups": [],
            "threshold": [{"from_year": null, "to_year": null, "share": 0.0}]}}"#,
    ))
    .unwrap_err();
    assert!(matches!(
        err,
        PolicyDataError::Invalid {
            field: "stages",
            ..
        }
    ));
    let err = parse_rules(&one_rule(r#"{"unchecked_reason": null}"#)).unwrap_err();
    assert!(matches!(
        err,
        PolicyDataError::Invalid { field: "check", .. }
    ));
}

// --- properties -----------------------------------------------------------------------------

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn crma_ignores_how_eu_members_split_their_share(
            eu in 0.0..1.0f64, split in 0.0..=1.0f64, china in 0.0..1.0f64,
        ) {
            // Third-country shares fixed; moving share between France and Germany changes nothing.
            let rest = 1.0 - eu;
            let shares = |s: f64| vec![
                ("FRA", eu * s), ("DEU", eu * (1.0 - s)), ("CHN", rest * china), ("USA", rest * (1.0 - china)),
            ];
            let a = check("EU-CRMA-ART5-1B-65", "gallium", Stage::Refining, &shares(split), "2026-06-01");
            let b = check("EU-CRMA-ART5-1B-65", "gallium", Stage::Refining, &shares(0.5), "2026-06-01");
            prop_assert_eq!(a.outcome, b.outcome);
            let expected = (rest * china).max(rest * (1.0 - china));
            prop_assert!((a.measurement.unwrap().share - expected).abs() < 1e-9);
        }

        #[test]
        fn dfars_fails_exactly_when_a_covered_country_supplies_anything(
            covered in 0.0..1.0f64, which in 0usize..4,
        ) {
            let country = ["CHN", "RUS", "PRK", "IRN"][which];
            let f = check(
                "US-DFARS7052-W-B", "tungsten", Stage::Mining,
                &[(country, covered), ("AUT", 1.0 - covered + 1e-3)], "2027-06-01",
            );
            let expected = if covered > 0.0 { Outcome::Fail } else { Outcome::Pass };
            prop_assert_eq!(f.outcome, expected);
        }
    }
}

// --- checks as written (no date) ----------------------------------------------------------

#[test]
fn as_written_ignores_dates_but_not_enactment() {
    let groups = groups();
    let china = mix(&[("CHN", 100.0)]);
    let input = |rule: &PolicyRule, material, stage| CheckInput {
        material,
        stage,
        mix: &china,
        date: date("2026-12-06"),
        groups: &groups,
        context: bound_by(rule),
        other_stages: &[],
        facility_counts: &[],
    };
    // IRC 30D 2025: terminated after 30 September 2025, checked with its own year's 60 %,
    // lithium mined and refined in China.
    let rule_30d = rule("US-IRC30D-CM-2025");
    let mined = [(Stage::Mining, &china)];
    let finding = check_rule_as_written(
        rule_30d,
        &CheckInput {
            other_stages: &mined,
            facility_counts: &[],
            ..input(rule_30d, "lithium", Stage::Refining)
        },
    )
    .unwrap();
    assert_eq!(finding.outcome, Outcome::Fail);
    assert_eq!(finding.measurement.as_ref().unwrap().limit, 0.6);
    let owned = PolicyFinding::new(&finding, "lithium", Stage::Refining, false);
    assert_eq!(owned.status, None);
    assert!(owned.historical);
    assert!(owned.fails());
    // 48E energy storage: the threshold of the first year in force, 2026 (55 %).
    let mut storage = rule("US-IRC48E45Y-MACR-STORAGE").clone();
    storage.applicability.basis = Basis::Country;
    let finding =
        check_rule_as_written(&storage, &input(&storage, "lithium", Stage::Component)).unwrap();
    assert_eq!(finding.measurement.as_ref().unwrap().limit, 0.55);
    // A rule about ownership stays not assessable as written.
    let feoc = rule("US-IRC30D-FEOC-CM");
    let finding = check_rule_as_written(feoc, &input(feoc, "cobalt", Stage::Refining)).unwrap();
    assert_eq!(
        finding.outcome,
        Outcome::NotAssessable(NotAssessable::Ownership)
    );
    // A bill is never checked as if it were law.
    let mut bill = rule("US-DFARS7052-NDFEB-A").clone();
    bill.enacted = false;
    let finding =
        check_rule_as_written(&bill, &input(&bill, "rare_earths_magnet", Stage::Refining)).unwrap();
    assert_eq!(
        finding.outcome,
        Outcome::NotApplicable(NotApplicable::NotInForce(RuleStatus::NotEnacted))
    );
    // The CRMA benchmark is flagged as EU-level from its data.
    assert!(rule("EU-CRMA-ART5-1B-65").is_eu_level_benchmark());
    assert!(!rule("US-DFARS7052-NDFEB-A").is_eu_level_benchmark());
}

#[test]
fn scheduled_changes_after_the_research_date_are_unconfirmed() {
    let d = |t: &str| Date::parse(t).unwrap();
    let researched = d("2026-12-06");
    let rule = |id: &str| embedded_rules().iter().find(|r| r.rule_id == id).unwrap();
    // The melt/produce regime's last day is 2026-12-31: from 2027-01-01 it ended, unconfirmed.
    let a = rule("US-DFARS7052-NDFEB-A");
    assert_eq!(a.unconfirmed_on(d("2026-12-31"), researched), None);
    assert_eq!(
        a.unconfirmed_on(d("2027-01-01"), researched),
        Some(Unconfirmed::End {
            last_day: d("2026-12-31"),
            researched
        })
    );
    assert_eq!(
        a.unconfirmed_on(d("2027-01-01"), researched)
            .unwrap()
            .message(),
        "scheduled to end on 2026-12-31; the data has no record after 2026-12-06: check the \
         current status"
    );
    // The mine-to-magnet regime from 2027-01-01: a start after the research date.
    let b = rule("US-DFARS7052-NDFEB-B");
    assert_eq!(b.unconfirmed_on(d("2026-12-31"), researched), None);
    assert!(matches!(
        b.unconfirmed_on(d("2027-01-01"), researched),
        Some(Unconfirmed::Start { .. })
    ));
    // Before or on the research date nothing is unconfirmed; a change before it is recorded.
    assert_eq!(b.unconfirmed_on(d("2026-12-06"), researched), None);
    for rule in embedded_rules() {
        if let (Some(from), Some(to)) = (rule.effective_from, rule.effective_to)
            && to < researched
            && from < researched
        {
            assert_eq!(
                rule.unconfirmed_on(d("2030-01-01"), researched),
                None,
                "{}",
                rule.rule_id
            );
        }
    }
}

// --- applicability (issue #20: rules apply only where they apply) -----------------------------

#[test]
fn cobalt_sulphate_for_cathodes_is_not_tested_under_the_samarium_cobalt_magnet_rule() {
    let cathodes = PolicyContext {
        end_use: Some(EndUse::Battery),
        jurisdiction: Some(Jurisdiction::Us),
        customer: Some(Customer::UsDod),
    };
    for id in ["US-DFARS7052-SMCO-A", "US-DFARS7052-SMCO-B"] {
        let f = check_in(
            id,
            "cobalt",
            Stage::Refining,
            &[("CHN", 100.0)],
            "2026-06-01",
            cathodes,
        );
        assert_eq!(
            f.outcome,
            Outcome::NotApplicable(NotApplicable::EndUse(Some(EndUse::Battery))),
            "{id}"
        );
        assert_eq!(f.measurement, None);
        assert_eq!(
            NotApplicable::EndUse(Some(EndUse::Battery)).reason(rule(id)),
            "covers SmCo magnets or magnets of unstated type; this line is for batteries"
        );
    }
    // The same cobalt in a SmCo magnet, or a magnet of unstated type, for a DoD supplier is
    // tested, and fails on China; in an NdFeB magnet it is not.
    let smco = |end_use| {
        check_in(
            "US-DFARS7052-SMCO-A",
            "cobalt",
            Stage::Refining,
            &[("CHN", 100.0)],
            "2026-06-01",
            PolicyContext {
                end_use: Some(end_use),
                ..cathodes
            },
        )
        .outcome
    };
    assert_eq!(smco(EndUse::MagnetSmco), Outcome::Fail);
    assert_eq!(smco(EndUse::Magnet), Outcome::Fail);
    assert_eq!(
        smco(EndUse::MagnetNdfeb),
        Outcome::NotApplicable(NotApplicable::EndUse(Some(EndUse::MagnetNdfeb)))
    );
}

#[test]
fn dfars_binds_us_dod_suppliers_only() {
    let magnet = |customer| PolicyContext {
        end_use: Some(EndUse::Magnet),
        jurisdiction: Some(Jurisdiction::Eu),
        customer,
    };
    let on = |customer| {
        check_in(
            "US-DFARS7052-NDFEB-A",
            "rare_earths_magnet",
            Stage::Component,
            &[("CHN", 70.0), ("DEU", 30.0)],
            "2026-06-01",
            magnet(customer),
        )
        .outcome
    };
    assert_eq!(
        on(Some(Customer::Commercial)),
        Outcome::NotApplicable(NotApplicable::Customer(Some(Customer::Commercial)))
    );
    assert_eq!(
        on(None),
        Outcome::NotApplicable(NotApplicable::Customer(None))
    );
    // An EU firm that supplies the DoD is bound: the rule is about the customer, not the seat.
    assert_eq!(on(Some(Customer::UsDod)), Outcome::Fail);
    // Tungsten: any end use, DoD supply chains only.
    let w = check_in(
        "US-DFARS7052-W-A",
        "tungsten",
        Stage::Refining,
        &[("CHN", 100.0)],
        "2026-06-01",
        PolicyContext {
            end_use: Some(EndUse::Alloy),
            customer: Some(Customer::UsDod),
            ..PolicyContext::default()
        },
    );
    assert_eq!(w.outcome, Outcome::Fail);
}

#[test]
fn gan_transistors_and_germanium_lenses_are_not_tested_under_30d() {
    for (material, end_use) in [
        ("gallium", EndUse::Electronics),
        ("germanium", EndUse::Optics),
    ] {
        let context = PolicyContext {
            end_use: Some(end_use),
            jurisdiction: Some(Jurisdiction::Us),
            customer: None,
        };
        let f = check_in(
            "US-IRC30D-CM-2025",
            material,
            Stage::Refining,
            &[("CHN", 100.0)],
            "2025-06-01",
            context,
        );
        assert_eq!(
            f.outcome,
            Outcome::NotApplicable(NotApplicable::EndUse(Some(end_use))),
            "{material}"
        );
    }
    // A battery line outside the US market is not bound either.
    let eu_battery = PolicyContext {
        end_use: Some(EndUse::Battery),
        jurisdiction: Some(Jurisdiction::Eu),
        customer: None,
    };
    let f = check_in(
        "US-IRC30D-CM-2025",
        "lithium",
        Stage::Refining,
        &[("CHN", 100.0)],
        "2025-06-01",
        eu_battery,
    );
    assert_eq!(
        f.outcome,
        Outcome::NotApplicable(NotApplicable::Jurisdiction(Some(Jurisdiction::Eu)))
    );
}

/// 30D's critical-mineral test on a mined and a refined mix, for a US battery line.
fn check_30d(mined: &[(&str, f64)], refined: &[(&str, f64)], on: &str) -> Finding<'static> {
    let groups = groups();
    let (mined, refined) = (mix(mined), mix(refined));
    let other = [(Stage::Mining, &mined)];
    let id = "US-IRC30D-CM-2025";
    check_rule(
        rule(id),
        &CheckInput {
            material: "cobalt",
            stage: Stage::Refining,
            mix: &refined,
            date: date(on),
            groups: &groups,
            context: bound_by(rule(id)),
            other_stages: &other,
            facility_counts: &[],
        },
    )
    .unwrap()
}

#[test]
fn irc_30d_counts_minerals_extracted_or_processed_in_qualifying_countries() {
    // Extracted in Australia (FTA partner), processed in China: qualifies in full.
    let f = check_30d(&[("AUS", 100.0)], &[("CHN", 100.0)], "2025-06-01");
    assert_eq!(f.outcome, Outcome::Pass);
    let m = f.measurement.unwrap();
    assert_eq!(m.share, 1.0);
    assert_eq!(
        m.by_stage,
        vec![(Stage::Mining, 1.0), (Stage::Refining, 0.0)]
    );
    // And vice versa: mined in Congo, processed in Canada.
    let f = check_30d(&[("COD", 100.0)], &[("CAN", 100.0)], "2025-06-01");
    assert_eq!(f.outcome, Outcome::Pass);
    // Neither stage in a qualifying country: fails (2025 requires 60 %).
    let f = check_30d(&[("COD", 100.0)], &[("CHN", 100.0)], "2025-06-01");
    assert_eq!(f.outcome, Outcome::Fail);
    assert_eq!(f.measurement.unwrap().upper, Some(0.0));
    // 40 % mined in Australia, 30 % refined in Canada: at least 40 % qualifies whatever the
    // routing, at most 70 %; the 60 % test cannot be decided from country data.
    let f = check_30d(
        &[("AUS", 40.0), ("COD", 60.0)],
        &[("CAN", 30.0), ("CHN", 70.0)],
        "2025-06-01",
    );
    assert_eq!(f.outcome, Outcome::NotAssessable(NotAssessable::StageLink));
    let m = f.measurement.unwrap();
    assert_eq!((m.share, m.upper), (0.4, Some(0.7)));
}

#[test]
fn the_foreign_entity_rule_does_not_pass_cobalt_mined_in_congo_and_refined_in_indonesia() {
    for (stage, country) in [(Stage::Mining, "COD"), (Stage::Refining, "IDN")] {
        let f = check(
            "US-IRC30D-FEOC-CM",
            "cobalt",
            stage,
            &[(country, 100.0)],
            "2025-06-01",
        );
        assert_eq!(f.outcome, Outcome::NotAssessable(NotAssessable::Ownership));
        assert_ne!(f.outcome, Outcome::Pass);
        assert_eq!(f.measurement, None);
    }
    assert!(
        NotAssessable::Ownership
            .reason()
            .starts_with("not assessable from country data")
    );
}

#[test]
fn rule_data_carries_applicability() {
    let a = |id: &str| &rule(id).applicability;
    assert_eq!(
        a("US-DFARS7052-SMCO-B").end_uses,
        vec![EndUse::MagnetSmco, EndUse::Magnet]
    );
    assert_eq!(
        a("US-DFARS7052-NDFEB-A").end_uses,
        vec![EndUse::MagnetNdfeb, EndUse::Magnet]
    );
    assert_eq!(a("US-DFARS7052-SMCO-B").customers, vec![Customer::UsDod]);
    assert_eq!(a("US-IRC30D-CM-2024").stage_logic, StageLogic::Any);
    assert_eq!(a("US-IRC30D-CM-2024").jurisdictions, vec![Jurisdiction::Us]);
    assert_eq!(a("US-IRC30D-FEOC-CM").basis, Basis::Ownership);
    assert_eq!(a("US-IRC30D-FEOC-CM").stage_logic, StageLogic::Each);
    assert_eq!(a("EU-CRMA-ART5-1B-65"), &Applicability::default());
    // Every rule about foreign entities is marked as about ownership.
    for r in embedded_rules()
        .iter()
        .filter(|r| r.rule_id.contains("FEOC"))
    {
        assert_eq!(r.applicability.basis, Basis::Ownership, "{}", r.rule_id);
    }
}

// --- facility counts (supplier declarations) ----------------------------------------------------

/// Checks rule `id` on one stage's mix counted by facilities, in a context the rule binds.
fn check_counted(
    id: &str,
    material: &str,
    stage: Stage,
    shares: &[(&str, f64)],
    on: &str,
) -> Finding<'static> {
    check_with(
        id,
        (material, stage),
        shares,
        on,
        bound_by(rule(id)),
        &[stage],
    )
}

#[test]
fn facility_counts_decide_zero_share_tests_by_presence_only() {
    // Three Chinese smelters of four: present, so the zero-share DFARS test fails; the share is
    // a share of facilities and is flagged as such.
    let f = check_counted(
        "US-DFARS7052-W-A",
        "tungsten",
        Stage::Refining,
        &[("CHN", 3.0), ("AUT", 1.0)],
        "2026-06-01",
    );
    assert_eq!(f.outcome, Outcome::Fail);
    assert!(f.measurement.unwrap().facility_count);
    let f = check_counted(
        "US-DFARS7052-W-A",
        "tungsten",
        Stage::Refining,
        &[("AUT", 1.0)],
        "2026-06-01",
    );
    assert_eq!(f.outcome, Outcome::Pass);
}

#[test]
fn facility_counts_do_not_decide_share_thresholds_between_none_and_all() {
    // 30D (60 % in 2025): one qualifying refinery of two says nothing about the volume share.
    let f = check_counted(
        "US-IRC30D-CM-2025",
        "cobalt",
        Stage::Refining,
        &[("CAN", 1.0), ("CHN", 1.0)],
        "2025-06-01",
    );
    assert_eq!(
        f.outcome,
        Outcome::NotAssessable(NotAssessable::FacilityCount)
    );
    // Every refinery qualifying: all of the volume does.
    let f = check_counted(
        "US-IRC30D-CM-2025",
        "cobalt",
        Stage::Refining,
        &[("CAN", 2.0)],
        "2025-06-01",
    );
    assert_eq!(f.outcome, Outcome::Pass);
    // The same share as volumes would pass neither way: 50 % is below 60 %, but an unknown
    // mining stage may qualify the rest.
    let f = check(
        "US-IRC30D-CM-2025",
        "cobalt",
        Stage::Refining,
        &[("CAN", 1.0), ("CHN", 1.0)],
        "2025-06-01",
    );
    assert_eq!(f.outcome, Outcome::NotAssessable(NotAssessable::StageLink));
}
