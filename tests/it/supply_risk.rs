//! Integration tests: the EU supply-risk formula against the 2017 study's worked cases, and its
//! properties.
#![cfg(not(target_arch = "wasm32"))]

use chokepoint::analysis::supply_risk::{
    FirmSupplyRiskParams, GlobalSupplyTerm, SupplyRiskInputs, SupplyRiskParams, SupplyUsed,
    bottleneck, firm_supply_risk, is_critical, supply_risk,
};
use chokepoint::model::{CountryCode, CountryMix, Stage};
use chokepoint::reference::Country;
use proptest::prelude::*;

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/sources/eu-crm/eu2017_sr_cases.csv"
);

fn optional(record: &csv::StringRecord, headers: &csv::StringRecord, name: &str) -> Option<f64> {
    let index = headers.iter().position(|h| h == name).unwrap();
    let text = record.get(index).unwrap().trim();
    (!text.is_empty()).then(|| text.parse().unwrap())
}

fn required(record: &csv::StringRecord, headers: &csv::StringRecord, name: &str) -> f64 {
    optional(record, headers, name)
        .unwrap_or_else(|| panic!("{name} missing in {}", record.get(0).unwrap_or("?")))
}

#[test]
fn every_2017_case_reproduces_recomputed_and_published_sr() {
    let mut reader = csv::Reader::from_path(CASES).unwrap();
    let headers = reader.headers().unwrap().clone();
    let (mut rows, mut max_recomputed, mut max_published) = (0, 0.0_f64, 0.0_f64);
    for record in reader.records() {
        let record = record.unwrap();
        let material = record.get(0).unwrap().to_string();
        let supply_used: SupplyUsed = record
            .get(headers.iter().position(|h| h == "supply_used").unwrap())
            .unwrap()
            .parse()
            .unwrap();
        let params = SupplyRiskParams::new(&SupplyRiskInputs {
            supply_used,
            hhi_global: optional(&record, &headers, "HHI_WGI_t_GS"),
            hhi_eu: optional(&record, &headers, "HHI_WGI_t_EU"),
            import_reliance: optional(&record, &headers, "IR"),
            eol_rir: required(&record, &headers, "EoL_RIR"),
            si_sr: required(&record, &headers, "SI_SR"),
        })
        .unwrap_or_else(|e| panic!("{material}: {e}"));
        let sr = supply_risk(&params);
        let recomputed = required(&record, &headers, "SR_recomputed");
        let published = required(&record, &headers, "SR_published");
        assert!(
            (sr - recomputed).abs() <= 0.01,
            "{material}: SR {sr} vs recomputed {recomputed}"
        );
        assert!(
            (sr - published).abs() <= 0.3,
            "{material}: SR {sr} vs published {published}"
        );
        max_recomputed = max_recomputed.max((sr - recomputed).abs());
        max_published = max_published.max((sr - published).abs());
        rows += 1;
    }
    assert_eq!(rows, 12, "every case row is checked");
    eprintln!(
        "{rows} cases; max |SR - SR_recomputed| = {max_recomputed:.4}, max |SR - SR_published| = {max_published:.4}"
    );
}

#[test]
fn criticality_of_2017_cases_follows_thresholds() {
    // Cobalt 2017: SR 1.6, EI 5.7 -> critical; Aggregates: SR 0.2, EI 2.3 -> not.
    assert!(is_critical(1.6, 5.7));
    assert!(!is_critical(0.2, 2.3));
}

fn both(hhi_gs: f64, hhi_eu: f64, ir: f64, eol: f64, si: f64) -> SupplyRiskParams {
    SupplyRiskParams::new(&SupplyRiskInputs {
        supply_used: SupplyUsed::Both,
        hhi_global: Some(hhi_gs),
        hhi_eu: Some(hhi_eu),
        import_reliance: Some(ir),
        eol_rir: eol,
        si_sr: si,
    })
    .unwrap()
}

#[test]
fn bottleneck_is_the_worse_stage() {
    let mining = both(3.0, 1.0, 0.5, 0.0, 1.0);
    let refining = both(6.0, 2.0, 0.5, 0.0, 1.0);
    let worst = bottleneck(&[(Stage::Mining, mining), (Stage::Refining, refining)]).unwrap();
    assert_eq!(worst.stage, Stage::Refining);
    assert!((worst.supply_risk - supply_risk(&refining)).abs() < 1e-12);
    assert!(bottleneck(&[]).is_none());
}

#[test]
fn firm_with_the_eu_mix_reproduces_the_eu_term() {
    // A firm whose own HHI_WGI,t equals HHI_EU gets the EU's SR.
    let chn = CountryCode::parse("CHN").unwrap();
    let countries = [Country {
        code: chn,
        iso2: "CN".into(),
        name: "China".into(),
        wgi_mean: Some(1.85), // scaled: (2.5 - 1.85) * 2 = 1.3
    }];
    let mix = CountryMix::single(chn);
    let firm = firm_supply_risk(&FirmSupplyRiskParams {
        sourcing: &mix,
        countries: &countries,
        trade: &[],
        unknown_governance: 5.0,
        global: Some(GlobalSupplyTerm {
            hhi_wgi_t: 3.6,
            import_reliance: 0.32,
        }),
        eol_rir: 0.0,
        si_sr: 1.0,
    })
    .unwrap();
    let eu = supply_risk(&both(3.6, 1.3, 0.32, 0.0, 1.0));
    assert!((firm.supply_risk - eu).abs() < 1e-9);
    assert!(firm.governance_assumed.is_empty());
}

proptest! {
    #[test]
    fn monotone_in_each_concentration(
        gs in 0.0..15.0f64, eu in 0.0..15.0f64, bump in 0.0..5.0f64,
        ir in 0.0..=1.0f64, eol in 0.0..=1.0f64, si in 0.0..=1.0f64,
    ) {
        let base = supply_risk(&both(gs, eu, ir, eol, si));
        let more_gs = supply_risk(&both((gs + bump).min(15.0), eu, ir, eol, si));
        let more_eu = supply_risk(&both(gs, (eu + bump).min(15.0), ir, eol, si));
        prop_assert!(more_gs >= base - 1e-12);
        prop_assert!(more_eu >= base - 1e-12);
    }

    #[test]
    fn zero_when_everything_is_recycled(
        gs in 0.0..15.0f64, eu in 0.0..15.0f64, ir in -1.0..=1.0f64, si in 0.0..=1.0f64,
    ) {
        prop_assert_eq!(supply_risk(&both(gs, eu, ir, 1.0, si)), 0.0);
    }

    #[test]
    fn bounded_by_the_larger_concentration(
        gs in 0.0..15.0f64, eu in 0.0..15.0f64, ir in 0.0..=1.0f64,
        eol in 0.0..=1.0f64, si in 0.0..=1.0f64,
    ) {
        let sr = supply_risk(&both(gs, eu, ir, eol, si));
        prop_assert!(sr >= 0.0);
        prop_assert!(sr <= gs.max(eu) + 1e-12);
    }

    #[test]
    fn decreasing_in_recycling_and_substitutability(
        gs in 0.0..15.0f64, eu in 0.0..15.0f64, ir in 0.0..=1.0f64,
        eol in 0.0..1.0f64, d in 0.0..1.0f64, si in 0.0..=1.0f64,
    ) {
        let eol2 = (eol + d).min(1.0);
        prop_assert!(supply_risk(&both(gs, eu, ir, eol2, si)) <= supply_risk(&both(gs, eu, ir, eol, si)) + 1e-12);
        let si2 = (si - d).max(0.0);
        prop_assert!(supply_risk(&both(gs, eu, ir, eol, si2)) <= supply_risk(&both(gs, eu, ir, eol, si)) + 1e-12);
    }

    #[test]
    fn negative_import_reliance_equals_zero(
        gs in 0.0..15.0f64, eu in 0.0..15.0f64, ir in -5.0..0.0f64,
    ) {
        prop_assert_eq!(supply_risk(&both(gs, eu, ir, 0.0, 1.0)), supply_risk(&both(gs, eu, 0.0, 0.0, 1.0)));
    }

    #[test]
    fn full_import_reliance_weights_both_halves(gs in 0.0..15.0f64, eu in 0.0..15.0f64) {
        let sr = supply_risk(&both(gs, eu, 1.0, 0.0, 1.0));
        prop_assert!((sr - (gs + eu) / 2.0).abs() < 1e-9);
    }

    #[test]
    fn firm_sr_monotone_in_concentration_of_a_weakly_governed_supplier(
        a in 0.01..1.0f64, extra in 0.0..1.0f64,
    ) {
        // Moving share from a well-governed supplier to a weakly governed one never lowers SR.
        let chn = CountryCode::parse("CHN").unwrap();
        let deu = CountryCode::parse("DEU").unwrap();
        let countries = [
            Country { code: chn, iso2: "CN".into(), name: "China".into(), wgi_mean: Some(-0.5) },
            Country { code: deu, iso2: "DE".into(), name: "Germany".into(), wgi_mean: Some(1.5) },
        ];
        let sr = |s: f64| {
            let mix = CountryMix::from_shares([(chn, s), (deu, 1.0 - s)]);
            let mix = match mix { Ok(m) => m, Err(_) => CountryMix::single(deu) };
            firm_supply_risk(&FirmSupplyRiskParams {
                sourcing: &mix, countries: &countries, trade: &[], unknown_governance: 5.0,
                global: None, eol_rir: 0.0, si_sr: 1.0,
            }).unwrap().supply_risk
        };
        let s1 = 0.5 + a * 0.5;
        let s2 = (s1 + extra * (1.0 - s1)).min(1.0);
        prop_assert!(sr(s2) >= sr(s1) - 1e-12);
    }
}

/// Regression: the policy data once took its material ids from a list without the individual
/// rare earths, so rules naming gadolinium, lutetium, scandium or yttrium never matched. Every id a
/// rule names must be a material of the app's catalogue (or one of its accepted spellings).
#[test]
fn every_policy_rule_material_resolves_in_the_catalogue() {
    let reference = chokepoint::reference::embedded();
    let rules = chokepoint::analysis::policy::embedded_rules();
    for rule in rules {
        for id in &rule.material_ids {
            assert!(
                reference.find_material(id).is_some(),
                "rule {} names `{id}`, which is not in the catalogue",
                rule.rule_id
            );
        }
    }
    for element in ["gadolinium", "lutetium", "scandium", "yttrium"] {
        assert!(
            rules
                .iter()
                .any(|r| r.material_ids.iter().any(|m| m == element)),
            "no rule reaches {element}"
        );
    }
}
