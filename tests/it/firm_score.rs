//! The firm supply risk (GeoPolRisk), its bottleneck and the catalogue calibration of the action
//! classes: hand-computed cases, the cases of issue #18, and the diversification property.

use chokepoint::analysis::assess::{
    AssessParams, Assessment, CALIBRATION_PERCENTILE, SupplyRiskBasis, assess,
};
use chokepoint::analysis::firm_risk::{catalogue_scores, geopolrisk, percentile};
use chokepoint::analysis::governance::UNKNOWN_GOVERNANCE_EU_SCALE;
use chokepoint::model::{CountryCode, CountryMix, Stage};
use chokepoint::portfolio::Portfolio;
use chokepoint::reference::{Country, ReferenceData, embedded};
use proptest::prelude::*;

const EPS: f64 = 1e-12;

fn c(code: &str) -> CountryCode {
    CountryCode::parse(code).unwrap()
}

fn mix(entries: &[(&str, f64)]) -> CountryMix {
    CountryMix::from_shares(entries.iter().map(|(k, v)| (c(k), *v))).unwrap()
}

/// `g_c = (2.5 - WGI_c) / 5` from the embedded data.
fn g(code: &str) -> f64 {
    let wgi = embedded().country(c(code)).unwrap().wgi_mean.unwrap();
    ((2.5 - wgi) * 2.0).clamp(0.0, 10.0) / 10.0
}

/// Assesses one line of `material` with `sourcing` (a JSON object of stages) on the embedded data.
fn assess_line(material: &str, sourcing: &str) -> Assessment {
    let reference = embedded();
    let json = format!(
        r#"{{"schema_version": 1, "lines": [{{"material": "{material}", "spend": 1000,
            "revenue_share_pct": 20, "sourcing": {sourcing}}}]}}"#
    );
    let portfolio = Portfolio::from_json(&json, reference).unwrap();
    assess(&portfolio, reference, &AssessParams::default())
}

fn firm_value(a: &Assessment) -> f64 {
    a.materials[0].firm_supply_risk.as_ref().unwrap().value
}

// ---- Hand-computed cases --------------------------------------------------------------------

#[test]
fn geopolrisk_by_hand_with_an_unknown_country_and_the_rest_of_the_world() {
    let country = |code: &str, wgi: Option<f64>| Country {
        code: c(code),
        iso2: String::new(),
        name: code.into(),
        wgi_mean: wgi,
    };
    let reference = ReferenceData {
        materials: vec![],
        groups: vec![],
        datasets: vec![],
        countries: vec![
            country("CHN", Some(-0.25)),
            country("CHL", Some(1.0)),
            country("NCL", None),
        ],
    };
    // g: CHN (2.5 + 0.25) / 5 = 0.55; CHL (2.5 - 1) / 5 = 0.3; NCL and ROW unknown -> 0.5.
    // sum = 0.5 * 0.55 + 0.2 * 0.3 + 0.2 * 0.5 + 0.1 * 0.5 = 0.275 + 0.06 + 0.1 + 0.05 = 0.485
    // HHI 0.4 -> GPR = 0.194
    let sourcing = mix(&[("CHN", 50.0), ("CHL", 20.0), ("NCL", 20.0), ("ROW", 10.0)]);
    let (gpr, term, assumed) = geopolrisk(0.4, &sourcing, &reference, UNKNOWN_GOVERNANCE_EU_SCALE);
    assert!((term - 0.485).abs() < EPS, "{term}");
    assert!((gpr - 0.194).abs() < EPS, "{gpr}");
    assert_eq!(assumed, vec![c("NCL"), c("ROW")]);
    // The same with the weakest score 10 for unknowns: 0.275 + 0.06 + 0.2 + 0.1 = 0.635.
    let (_, term, _) = geopolrisk(0.4, &sourcing, &reference, 10.0);
    assert!((term - 0.635).abs() < EPS, "{term}");
}

#[test]
fn lithium_refined_in_chile_by_hand_on_the_embedded_data() {
    let reference = embedded();
    let world = reference.world_mix("lithium", Stage::Refining).unwrap();
    let hhi: f64 = world.entries().iter().map(|(_, s)| s * s).sum();
    let a = assess_line("lithium", r#"{"refining": {"CHL": 100}}"#);
    let firm = a.materials[0].firm_supply_risk.as_ref().unwrap();
    let refining = firm
        .stages
        .iter()
        .find(|s| s.stage == Stage::Refining)
        .unwrap();
    assert!((refining.world_hhi - hhi).abs() < EPS);
    assert!((refining.governance_term - g("CHL")).abs() < EPS);
    assert!((refining.supply_risk - hhi * g("CHL")).abs() < EPS);
}

// ---- The cases of issue #18 -----------------------------------------------------------------

#[test]
fn lithium_refined_in_chile_scores_below_stating_nothing() {
    let reference = embedded();
    let world = reference.world_mix("lithium", Stage::Refining).unwrap();
    // The condition of the case: Chile is better governed than the world refining mix.
    let world_term: f64 = world
        .entries()
        .iter()
        .map(|&(k, s)| {
            s * chokepoint::analysis::governance::instability(
                reference,
                k,
                UNKNOWN_GOVERNANCE_EU_SCALE,
            )
            .0
        })
        .sum();
    assert!(g("CHL") < world_term, "{} vs {world_term}", g("CHL"));
    let chile = assess_line("lithium", r#"{"refining": {"CHL": 100}}"#);
    let nothing = assess_line("lithium", "{}");
    let [chile_refining, nothing_refining] = [&chile, &nothing].map(|a| {
        a.materials[0]
            .firm_supply_risk
            .as_ref()
            .unwrap()
            .stages
            .iter()
            .find(|s| s.stage == Stage::Refining)
            .unwrap()
            .supply_risk
    });
    assert!(
        chile_refining < nothing_refining,
        "{chile_refining} vs {nothing_refining}"
    );
    // And the material's score (the bottleneck) is not above stating nothing either.
    assert!(firm_value(&chile) <= firm_value(&nothing));
    // Under the EU formula the firm mix entered squared, and 100 % Chile scored above the world
    // mix (3.03 against 2.75, issue #18); the GeoPolRisk score is linear in the shares.
}

#[test]
fn magnet_chain_through_malaysia_and_japan_scores_between_world_mix_and_china() {
    let chain = assess_line(
        "rare_earths_magnet",
        r#"{"mining": {"AUS": 100}, "refining": {"MYS": 100}, "component": {"JPN": 100}}"#,
    );
    let world = assess_line("rare_earths_magnet", r#"{"component": {"JPN": 100}}"#);
    let china = assess_line(
        "rare_earths_magnet",
        r#"{"mining": {"CHN": 100}, "refining": {"CHN": 100}, "component": {"CHN": 100}}"#,
    );
    let (chain, world, china) = (firm_value(&chain), firm_value(&world), firm_value(&china));
    assert!(
        chain < world && world < china,
        "{chain} < {world} < {china}"
    );
    // All-China is the stage's world HHI times China's instability, at the larger HHI.
    let reference = embedded();
    let hhi = |stage| {
        let m = reference.world_mix("rare_earths_magnet", stage).unwrap();
        m.entries().iter().map(|(_, s)| s * s).sum::<f64>()
    };
    let expected = hhi(Stage::Mining).max(hhi(Stage::Refining)) * g("CHN");
    assert!((china - expected).abs() < EPS, "{china} vs {expected}");
}

#[test]
fn the_bottleneck_badge_and_the_supply_risk_column_name_the_same_stage() {
    let a = assess_line("cobalt", r#"{"component": {"JPN": 100}}"#);
    let m = &a.materials[0];
    assert_eq!(m.supply_risk.basis, SupplyRiskBasis::Firm);
    assert_eq!(m.worst_stage, m.supply_risk.stage);
    assert_eq!(
        m.worst_stage,
        Some(m.firm_supply_risk.as_ref().unwrap().bottleneck)
    );
    assert_eq!(a.lines[0].worst_stage, m.worst_stage);
}

// ---- Calibration ----------------------------------------------------------------------------

#[test]
fn the_calibration_puts_a_quarter_of_the_catalogue_at_or_above_the_threshold() {
    let reference = embedded();
    let scores: Vec<f64> = catalogue_scores(reference, UNKNOWN_GOVERNANCE_EU_SCALE)
        .iter()
        .map(|s| s.score)
        .collect();
    assert!(scores.len() > 40, "{} materials", scores.len());
    let a = assess_line("lithium", "{}");
    let calibration = &a.calibration;
    assert_eq!(calibration.percentile, CALIBRATION_PERCENTILE);
    assert_eq!(calibration.firm_materials, scores.len());
    let threshold = calibration.firm.unwrap();
    // The 75th percentile: a quarter of the catalogue at or above it, to within one material.
    let n = scores.len() as f64;
    let above = scores.iter().filter(|&&s| s >= threshold).count() as f64;
    let below = scores.iter().filter(|&&s| s < threshold).count() as f64;
    assert!((above / n - 0.25).abs() <= 1.0 / n + EPS, "{above} of {n}");
    assert!((below / n - 0.75).abs() <= 1.0 / n + EPS, "{below} of {n}");
    // Every material is classified against it.
    assert_eq!(a.materials[0].supply_risk.threshold, Some(threshold));
    // The caller's threshold is the same percentile of the EU's published SR.
    let eu: Vec<f64> = reference
        .materials
        .iter()
        .filter_map(|m| m.eu.as_ref()?.supply_risk)
        .collect();
    assert_eq!(calibration.caller, percentile(&eu, CALIBRATION_PERCENTILE));
    assert_eq!(calibration.caller_materials, eu.len());
}

#[test]
fn an_explicit_threshold_replaces_the_calibration() {
    let reference = embedded();
    let portfolio = Portfolio::from_json(
        r#"{"schema_version": 1, "lines": [{"material": "gallium", "spend": 1,
            "revenue_share_pct": 1}]}"#,
        reference,
    )
    .unwrap();
    let mut params = AssessParams::default();
    params.thresholds.supply_risk = Some(0.99);
    let a = assess(&portfolio, reference, &params);
    assert_eq!(a.materials[0].supply_risk.threshold, Some(0.99));
    assert_eq!(
        a.materials[0].action,
        chokepoint::analysis::assess::ActionClass::LowPriority
    );
}

#[test]
fn percentile_interpolates_between_order_statistics() {
    // Sorted: 1, 2, 4, 10; position 0.75 * 3 = 2.25 -> 4 + 0.25 * 6 = 5.5.
    assert_eq!(percentile(&[10.0, 1.0, 4.0, 2.0], 75.0), Some(5.5));
    assert_eq!(percentile(&[3.0], 75.0), Some(3.0));
    assert_eq!(percentile(&[1.0, 2.0], 101.0), None);
    assert_eq!(percentile(&[f64::NAN, 1.0, 3.0], 50.0), Some(2.0));
}

// ---- Diversification property ---------------------------------------------------------------

/// Countries of the embedded data better governed than China.
fn better_than_china() -> Vec<CountryCode> {
    let china = embedded().country(c("CHN")).unwrap().wgi_mean.unwrap();
    embedded()
        .countries
        .iter()
        .filter(|k| k.wgi_mean.is_some_and(|w| w > china) && !k.code.is_rest_of_world())
        .map(|k| k.code)
        .collect()
}

/// Materials of the embedded data with a world mix at mining or refining.
fn scored_materials() -> Vec<String> {
    catalogue_scores(embedded(), UNKNOWN_GOVERNANCE_EU_SCALE)
        .into_iter()
        .map(|s| s.material)
        .collect()
}

fn diversified() -> impl Strategy<Value = Vec<(usize, f64)>> {
    proptest::collection::vec((0usize..1000, 1.0f64..100.0), 1..6)
}

/// A JSON mix of the picked countries (repeats merged), in percent summing to 100.
fn mix_json(countries: &[CountryCode], picks: &[(usize, f64)]) -> String {
    let mut weights: std::collections::BTreeMap<&str, f64> = std::collections::BTreeMap::new();
    for (i, (k, w)) in picks.iter().enumerate() {
        *weights
            .entry(countries[(k + i * 7) % countries.len()].as_str())
            .or_default() += w;
    }
    let total: f64 = weights.values().sum();
    let entries: Vec<String> = weights
        .iter()
        .map(|(k, w)| format!(r#""{k}": {}"#, 100.0 * w / total))
        .collect();
    format!("{{{}}}", entries.join(", "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn moving_from_all_china_to_better_governed_countries_lowers_the_score(
        material in proptest::sample::select(scored_materials()),
        mining in diversified(),
        refining in diversified(),
        component in diversified(),
    ) {
        let better = better_than_china();
        let china = assess_line(
            &material,
            r#"{"mining": {"CHN": 100}, "refining": {"CHN": 100}, "component": {"CHN": 100}}"#,
        );
        let chain = assess_line(
            &material,
            &format!(
                r#"{{"mining": {}, "refining": {}, "component": {}}}"#,
                mix_json(&better, &mining),
                mix_json(&better, &refining),
                mix_json(&better, &component),
            ),
        );
        let (before, after) = (firm_value(&china), firm_value(&chain));
        prop_assert!(after < before, "{material}: {after} !< {before}");
    }
}
