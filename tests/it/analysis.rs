//! Integration tests: analysis (portfolio format, concentration, look-through, assessment).

pub mod fixtures;

use chokepoint::analysis::assess::{
    ActionClass, AssessParams, DataGap, RankBy, SupplyRiskBasis, assess,
};
use chokepoint::analysis::concentration::{concentration, group_shares, hhi, hhi_wgi};
use chokepoint::analysis::exposure::{
    HiddenExposure, LookThroughBasis, MixBasis, hidden_exposure, look_through, look_through_by,
    weighted_mix,
};
use chokepoint::analysis::policy::{Date, NotApplicable, NotAssessable, Outcome, RuleStatus};
use chokepoint::model::context::{EndUse, Jurisdiction};
use chokepoint::model::{CountryCode, CountryMix, Share, Stage};
use chokepoint::portfolio::{
    Amount, Field, Line, Location, Portfolio, PortfolioError, Problem, RawPortfolio, Sourcing,
};
use chokepoint::reference::trade::embedded_trade;
use chokepoint::reference::{
    Country, EuAssessment, Material, ReferenceData, SourceRef, StageSeries,
};
use fixtures::{c, mix, reference};
use proptest::prelude::*;

const EPS: f64 = 1e-9;

fn line(material: &str, spend: f64, sourcing: Sourcing) -> Line {
    Line {
        material: material.to_string(),
        label: None,
        spend: Amount::new(spend).unwrap(),
        revenue_share: Share::from_percent(10.0).unwrap(),
        inventory_days: Amount::ZERO,
        sourcing,
        end_use: None,
        facility_counts: Vec::new(),
    }
}

fn portfolio(lines: Vec<Line>) -> Portfolio {
    Portfolio {
        lines,
        ..Portfolio::default()
    }
}

fn japan_magnets() -> Portfolio {
    let reference = reference();
    Portfolio::from_json(
        r#"{"schema_version": 1, "lines": [
            {"material": "rare_earths_magnet", "label": "Magnets", "spend": 1000000,
             "revenue_share_pct": 30, "inventory_days": 40,
             "sourcing": {"component": {"JPN": 100}}}]}"#,
        &reference,
    )
    .unwrap()
}

// ---- Hand-computed cases --------------------------------------------------------------------

#[test]
fn hhi_cr_and_effective_suppliers_by_hand() {
    // 40/30/20/10: HHI = 1600 + 900 + 400 + 100 = 3000, N_eff = 3.33, CR1 0.4, CR3 0.9.
    let k = concentration(&mix(&[
        ("CHN", 40.0),
        ("AUS", 30.0),
        ("USA", 20.0),
        ("CAN", 10.0),
    ]));
    assert!((k.hhi - 3000.0).abs() < EPS);
    assert!((k.hhi_lower - 3000.0).abs() < EPS);
    assert!((k.effective_suppliers - 10.0 / 3.0).abs() < EPS);
    assert_eq!(k.largest.map(|l| l.0), Some(c("CHN")));
    assert!((k.cr1 - 0.4).abs() < EPS);
    assert!((k.cr3 - 0.9).abs() < EPS);
    assert_eq!(k.countries, 4);
}

#[test]
fn rest_of_world_is_one_supplier_with_a_lower_bound_and_never_the_largest() {
    let k = concentration(&mix(&[("ROW", 60.0), ("CHN", 40.0)]));
    assert!((k.hhi - 5200.0).abs() < EPS); // 3600 + 1600
    assert!((k.hhi_lower - 1600.0).abs() < EPS);
    assert_eq!(k.largest.map(|l| l.0), Some(c("CHN")));
    assert!((k.rest_of_world - 0.6).abs() < EPS);
    let all_row = concentration(&CountryMix::single(CountryCode::REST_OF_WORLD));
    assert_eq!(all_row.largest, None);
    assert_eq!(all_row.cr1, 0.0);
}

#[test]
fn group_shares_count_members_only() {
    let reference = reference();
    let shares = group_shares(
        &mix(&[("CHN", 50.0), ("RUS", 10.0), ("AUS", 30.0), ("ROW", 10.0)]),
        &reference.groups,
    );
    assert_eq!(shares[0].group, "feoc_covered_nations");
    assert!((shares[0].share - 0.6).abs() < EPS);
    assert!((shares[1].share - 0.3).abs() < EPS);
}

#[test]
fn hhi_wgi_by_hand_and_missing_countries_reported() {
    let reference = reference();
    // CHN WGI -0.2901 -> (2.5 + 0.2901) * 2 = 5.5802; JPN 1.3481 -> 2.3038.
    let m = mix(&[("CHN", 50.0), ("JPN", 30.0), ("NCL", 10.0), ("ROW", 10.0)]);
    let k = hhi_wgi(&m, &reference, &|_| 1.0);
    let expected = 0.25 * 5.5802 + 0.09 * 2.3038;
    assert!((k.value - expected).abs() < EPS, "{}", k.value);
    assert!((k.covered_share - 0.8).abs() < EPS);
    let missing: Vec<CountryCode> = k.missing.iter().map(|m| m.country).collect();
    assert_eq!(missing, vec![c("NCL"), c("ROW")]);
    // The trade factor multiplies per country.
    let doubled = hhi_wgi(&m, &reference, &|country| {
        if country == c("CHN") { 2.0 } else { 1.0 }
    });
    assert!((doubled.value - (expected + 0.25 * 5.5802)).abs() < EPS);
}

#[test]
fn weighted_mix_by_hand() {
    let a = mix(&[("CHN", 100.0)]);
    let b = mix(&[("AUS", 50.0), ("CHN", 50.0)]);
    let m = weighted_mix([(1.0, &a), (3.0, &b)]).unwrap();
    assert!((m.share_of(c("CHN")) - 0.625).abs() < EPS);
    assert!((m.share_of(c("AUS")) - 0.375).abs() < EPS);
    // Zero weights: equal.
    let m = weighted_mix([(0.0, &a), (0.0, &b)]).unwrap();
    assert!((m.share_of(c("CHN")) - 0.75).abs() < EPS);
    assert_eq!(weighted_mix([]), None);
}

// ---- Look-through and hidden exposure -------------------------------------------------------

/// The exposure `line` did not enter, with the look-through by world production.
fn hidden_by_world(line: &Line, reference: &ReferenceData) -> Vec<HiddenExposure> {
    let stages = look_through_by(line, reference, LookThroughBasis::World, embedded_trade());
    hidden_exposure(line, &stages)
}

#[test]
fn japan_magnets_show_hidden_exposure_to_china() {
    let reference = reference();
    let mut portfolio = japan_magnets();
    // By world production, the numbers the world mix gives (by trade: see tests/it/trade.rs).
    portfolio.look_through = LookThroughBasis::World;
    let line = &portfolio.lines[0];
    let stages = look_through(line, &reference);
    let bases: Vec<(Stage, MixBasis)> = stages.iter().map(|s| (s.stage, s.basis)).collect();
    assert_eq!(
        bases,
        vec![
            (Stage::Mining, MixBasis::World),
            (Stage::Refining, MixBasis::World),
            (Stage::Component, MixBasis::User),
        ]
    );
    // 91.28 % of a published sum of 100.01 %.
    let chn_refining = reference
        .world_mix("rare_earths_magnet", Stage::Refining)
        .unwrap()
        .share_of(c("CHN"));
    assert!((chn_refining - 0.9128).abs() < 1e-3);
    let hidden = hidden_by_world(line, &reference);
    assert_eq!(hidden[0].stage, Stage::Refining);
    assert_eq!(hidden[0].basis, MixBasis::World);
    assert_eq!(hidden[0].country, c("CHN"));
    assert!((hidden[0].hidden - chn_refining).abs() < EPS);
    assert_eq!(hidden[0].direct_share, 0.0);
    // Mining: China 60.97 %, Myanmar 16.07 %.
    let mining_chn = hidden
        .iter()
        .find(|h| h.stage == Stage::Mining && h.country == c("CHN"))
        .unwrap();
    assert!((mining_chn.hidden - 0.6097 / 0.9999).abs() < EPS);
    assert!(hidden.iter().all(|h| !h.country.is_rest_of_world()));

    let result = assess(&portfolio, &reference, &AssessParams::default());
    let l = &result.lines[0];
    assert_eq!(l.direct_stage, Some(Stage::Component));
    // The bottleneck is the stage with the highest firm supply risk; the component stage has no
    // world production data and is not scored, so refining (world HHI 0.84, China) is.
    assert_eq!(l.worst_stage, Some(Stage::Refining));
    let material = &result.materials[0];
    assert_eq!(material.hidden[0].country, c("CHN"));
    assert!((material.hidden[0].hidden - chn_refining).abs() < EPS);
    assert!((result.hidden[0].exposure.hidden - chn_refining).abs() < EPS);
    assert_eq!(result.hidden[0].material, "rare_earths_magnet");
    // The top chokepoint by spend: Japan at the component stage (100 % of spend), then China at
    // refining (91.28 % of spend).
    assert_eq!(
        (result.chokepoints[0].stage, result.chokepoints[0].country),
        (Stage::Component, c("JPN"))
    );
    let chn = &result.chokepoints[1];
    assert_eq!((chn.stage, chn.country), (Stage::Refining, c("CHN")));
    assert!((chn.spend_exposed - 1_000_000.0 * chn_refining).abs() < 1e-6);
    assert!((chn.revenue_exposed - 0.3 * chn_refining).abs() < EPS);
    assert_eq!(chn.basis, MixBasis::World);
    // Firm supply risk: refining, at the world mix (nothing known upstream), scores
    // HHI_refining * sum_c g_c w_c with g_c = (2.5 - WGI_c) / 5 and ROW at the average, 0.5.
    assert_eq!(material.supply_risk.basis, SupplyRiskBasis::Firm);
    assert_eq!(material.supply_risk.stage, Some(Stage::Refining));
    assert_eq!(material.worst_stage, Some(Stage::Refining));
    let firm = material.firm_supply_risk.as_ref().unwrap();
    // 0.9128^2 + 0.0449^2 + 0.0119^2 + 0.0305^2 (published shares sum to 100 %)
    // The published shares sum to 100.01 %; the calculations normalise them.
    let [chn, mys, usa, row] = [91.28, 4.49, 1.19, 3.05].map(|p| p / 100.01);
    let hhi = chn * chn + mys * mys + usa * usa + row * row;
    let g = |wgi: f64| (2.5 - wgi) / 5.0;
    let term = chn * g(-0.2901) + mys * g(0.4433) + usa * g(0.9948) + row * 0.5;
    assert!(
        (firm.value - hhi * term).abs() < 1e-9,
        "{} vs {}",
        firm.value,
        hhi * term
    );
    assert_eq!(firm.governance_assumed, vec![CountryCode::REST_OF_WORLD]);
    assert_eq!(firm.not_scored[0].stage, Stage::Component);
    assert!(material.eu_reference.is_none());
    // Below the fixture catalogue's 75th percentile (five materials); 30 % of revenue.
    assert!(firm.value < result.calibration.firm.unwrap());
    assert_eq!(material.action, ActionClass::Monitor);
}

#[test]
fn direct_suppliers_in_china_hide_nothing_from_china() {
    let reference = reference();
    let l = line(
        "rare_earths_magnet",
        1.0,
        Sourcing::default().with(Stage::Component, Some(mix(&[("CHN", 100.0)]))),
    );
    let hidden = hidden_by_world(&l, &reference);
    assert!(hidden.iter().all(|h| h.country != c("CHN")));
    assert!(hidden.iter().any(|h| h.country == c("MMR")));
}

#[test]
fn no_known_stage_means_no_direct_stage_and_no_hidden_exposure() {
    let reference = reference();
    let l = line("lithium", 1.0, Sourcing::default());
    assert!(hidden_by_world(&l, &reference).is_empty());
    let result = assess(&portfolio(vec![l]), &reference, &AssessParams::default());
    assert_eq!(result.lines[0].direct_stage, None);
    assert!(result.hidden.is_empty());
    // The look-through still gives both upstream stages; refining is the bottleneck (world HHI
    // 0.54 against 0.21 at mining).
    assert_eq!(result.lines[0].worst_stage, Some(Stage::Refining));
}

#[test]
fn material_aggregate_is_spend_weighted() {
    let reference = reference();
    let a = line(
        "gallium",
        300.0,
        Sourcing::default().with(Stage::Refining, Some(mix(&[("JPN", 100.0)]))),
    );
    let b = line(
        "gallium",
        100.0,
        Sourcing::default().with(Stage::Refining, Some(mix(&[("CHN", 100.0)]))),
    );
    let result = assess(&portfolio(vec![a, b]), &reference, &AssessParams::default());
    let m = &result.materials[0];
    assert_eq!(m.lines, vec![1, 2]);
    let refining = m
        .stages
        .iter()
        .find(|s| s.stage == Stage::Refining)
        .unwrap();
    assert_eq!(refining.basis, MixBasis::User);
    let mx = refining.mix.as_ref().unwrap();
    assert!((mx.share_of(c("JPN")) - 0.75).abs() < EPS);
    // HHI 75^2 + 25^2 = 6250.
    assert!((refining.concentration.as_ref().unwrap().hhi - 6250.0).abs() < EPS);
    assert!((result.totals.spend - 400.0).abs() < EPS);
    assert!((m.revenue_share - 0.2).abs() < EPS);
}

#[test]
fn missing_reference_data_is_a_gap_and_counts_as_high_supply_risk() {
    let reference = reference();
    let l = line(
        "germanium",
        10.0,
        Sourcing::default().with(Stage::Component, Some(mix(&[("DEU", 100.0)]))),
    );
    let result = assess(&portfolio(vec![l]), &reference, &AssessParams::default());
    let m = &result.materials[0];
    // The component stage is known, but components have no world production data: nothing is
    // scored, so supply risk is unavailable and counts as high.
    assert_eq!(m.supply_risk.basis, SupplyRiskBasis::Unavailable);
    assert!(m.firm_supply_risk.is_none());
    assert_eq!(m.action, ActionClass::QualifySecondSource);
    assert!(result.data_gaps.contains(&DataGap::NoMix {
        material: "germanium".into(),
        stage: Stage::Mining
    }));
    assert!(result.data_gaps.contains(&DataGap::NoMix {
        material: "germanium".into(),
        stage: Stage::Refining
    }));

    let unknown = line("germanium", 10.0, Sourcing::default());
    let result = assess(
        &portfolio(vec![unknown]),
        &reference,
        &AssessParams::default(),
    );
    let m = &result.materials[0];
    assert_eq!(m.supply_risk.basis, SupplyRiskBasis::Unavailable);
    assert_eq!(m.supply_risk.value, None);
    // Unavailable risk counts as high; 10 % of revenue is high impact.
    assert_eq!(m.action, ActionClass::QualifySecondSource);
    assert_eq!(result.lines[0].worst_stage, None);
    assert_eq!(result.totals.supply_risk_by_spend, None);
}

#[test]
fn missing_wgi_is_reported_as_a_gap() {
    let reference = reference();
    let l = line("cobalt", 1.0, Sourcing::default());
    let result = assess(&portfolio(vec![l]), &reference, &AssessParams::default());
    assert!(result.data_gaps.iter().any(|g| matches!(
        g,
        DataGap::NoWgi { material, stage: Stage::Mining, countries }
            if material == "cobalt" && countries == &vec![c("NCL")]
    )));
}

#[test]
fn caller_supply_risk_overrides_and_thresholds_move_actions() {
    let reference = reference();
    let portfolio = japan_magnets();
    let mut params = AssessParams::default();
    params.supply_risk.insert("rare_earths_magnet".into(), 0.5);
    // The fixture has no EU SR to calibrate a caller's values on: without an explicit threshold
    // they count as high.
    let result = assess(&portfolio, &reference, &params);
    assert_eq!(result.calibration.caller, None);
    assert_eq!(result.materials[0].action, ActionClass::QualifySecondSource);
    params.thresholds.supply_risk = Some(1.0);
    let result = assess(&portfolio, &reference, &params);
    let m = &result.materials[0];
    assert_eq!(m.supply_risk.basis, SupplyRiskBasis::Caller);
    assert_eq!(m.supply_risk.value, Some(0.5));
    assert_eq!(m.action, ActionClass::Monitor);
    params.thresholds.business_impact = 0.5;
    let result = assess(&portfolio, &reference, &params);
    assert_eq!(result.materials[0].action, ActionClass::LowPriority);
    // The firm score (0.46, refining at the world mix) against 0.3: high.
    params.supply_risk.clear();
    params.thresholds.supply_risk = Some(0.3);
    let result = assess(&portfolio, &reference, &params);
    assert_eq!(result.materials[0].action, ActionClass::HoldBufferStock);
}

#[test]
fn chokepoints_rank_by_revenue_and_truncate() {
    let reference = reference();
    let portfolio = fixtures::demo_portfolio(&reference);
    let params = AssessParams {
        rank_by: RankBy::Revenue,
        max_chokepoints: 5,
        ..AssessParams::default()
    };
    let result = assess(&portfolio, &reference, &params);
    assert_eq!(result.chokepoints.len(), 5);
    for pair in result.chokepoints.windows(2) {
        assert!(pair[0].revenue_exposed >= pair[1].revenue_exposed);
    }
    assert!(
        result
            .chokepoints
            .iter()
            .all(|c| !c.country.is_rest_of_world())
    );
}

#[test]
fn the_kept_chokepoints_are_the_head_of_the_full_ranking() {
    // The ranking keeps its first `max_chokepoints` by selection, then sorts them: the result
    // must be exactly the head of the fully sorted list, for both rankings and any cut.
    let reference = reference();
    let raw = crate::it::flow::generated_portfolio(&reference, 200);
    let portfolio = raw.validate(&reference).unwrap();
    for rank_by in [RankBy::Spend, RankBy::Revenue] {
        let all = assess(
            &portfolio,
            &reference,
            &AssessParams {
                rank_by,
                max_chokepoints: 0,
                ..AssessParams::default()
            },
        )
        .chokepoints;
        assert!(all.len() > 30, "{} chokepoints", all.len());
        for keep in [1, 2, 25, all.len() - 1, all.len(), all.len() + 5] {
            let kept = assess(
                &portfolio,
                &reference,
                &AssessParams {
                    rank_by,
                    max_chokepoints: keep,
                    ..AssessParams::default()
                },
            )
            .chokepoints;
            assert_eq!(kept, all[..keep.min(all.len())], "{rank_by:?}, keep {keep}");
        }
    }
}

#[test]
fn demo_portfolio_assesses_sensibly() {
    let reference = reference();
    let mut portfolio = fixtures::demo_portfolio(&reference);
    // By world production (the demo by trade: tests/it/trade.rs).
    portfolio.look_through = LookThroughBasis::World;
    assert_eq!(portfolio.lines.len(), 7);
    let result = assess(&portfolio, &reference, &AssessParams::default());
    assert_eq!(result.totals.materials, 6);
    assert!((result.totals.spend - 9_670_000.0).abs() < EPS);
    assert_eq!(result.totals.revenue_share, 1.0); // capped
    let magnets = &result.materials[0];
    assert_eq!(magnets.material, "rare_earths_magnet");
    // The fixture's catalogue has five scored materials; its 75th percentile lies above the
    // magnets' score (refining at the world mix, nearly all China): on this small catalogue
    // the magnets are not in the top quarter. (On the embedded catalogue
    // they are: see japan_magnets_on_the_embedded_data_hide_china_at_refining.)
    let threshold = result.calibration.firm.unwrap();
    assert!(magnets.supply_risk.value.unwrap() < threshold);
    assert_eq!(magnets.action, ActionClass::Monitor);
    assert_eq!(magnets.lines, vec![1, 2]);
    assert_eq!(magnets.min_inventory_days, 30.0);
    assert!((magnets.spend_share - 4_800_000.0 / 9_670_000.0).abs() < EPS);
    // The spend-weighted mean of the lines' own scores, each in 0..1; no HHI across materials.
    let mean = result.totals.supply_risk_by_spend.unwrap();
    // Lines without a scored stage (germanium, whose fixture has no world mix) are left out.
    assert!(result.lines.iter().any(|l| l.supply_risk.is_none()));
    let (num, den) = result
        .lines
        .iter()
        .filter_map(|l| Some((l.spend, l.supply_risk?)))
        .fold((0.0, 0.0), |(n, d), (spend, risk)| {
            (n + spend * risk, d + spend)
        });
    assert!((mean - num / den).abs() < EPS);
    assert!(
        result
            .stages
            .iter()
            .all(|s| s.by_spend.concentration.is_none())
    );
    assert!(
        magnets
            .hidden
            .iter()
            .any(|h| h.stage == Stage::Refining && h.country == c("CHN") && h.hidden > 0.5)
    );
    // The user's own group is reported next to the reference groups.
    let component = magnets
        .stages
        .iter()
        .find(|s| s.stage == Stage::Component)
        .unwrap();
    let own = component
        .groups
        .iter()
        .find(|g| g.group == "approved_supplier_countries")
        .unwrap();
    assert!(own.user_defined);
    // (4.2 M JPN + 0.6 M * 30 % DEU) / 4.8 M
    assert!((own.share - (4_200_000.0 + 180_000.0) / 4_800_000.0).abs() < EPS);
    // Every action is counted once.
    assert_eq!(result.totals.actions.total(), 6);
    // It serialises.
    let json = serde_json::to_value(&result).unwrap();
    assert!(json["materials"][0]["action"] == "monitor");
}

// ---- Firm supply risk and policy checks ------------------------------------------------------

/// One material, `gallium`, with a refining world mix CHN 80 / JPN 20 and an EU assessment:
/// IR 0.6 at refining, EoL-RIR 0.1, SI_SR 0.9, trade parameter 1.2 for China.
fn eu_assessed_reference() -> ReferenceData {
    let country = |code: &str, wgi| Country {
        code: c(code),
        iso2: code[..2].to_string(),
        name: code.to_string(),
        wgi_mean: Some(wgi),
    };
    ReferenceData {
        materials: vec![Material {
            id: "gallium".into(),
            name: "Gallium".into(),
            symbols: vec![],
            lists: Default::default(),
            stages: vec![StageSeries {
                stage: Stage::Refining,
                detail: String::new(),
                mix: mix(&[("CHN", 80.0), ("JPN", 20.0)]),
                source: SourceRef {
                    dataset: "USGS".into(),
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
            }],
            eu: Some(EuAssessment {
                supply_risk: Some(3.9),
                economic_importance: Some(3.7),
                bottleneck: Some(Stage::Refining),
                import_reliance: vec![(Stage::Refining, 0.6)],
                eol_rir: Some(0.1),
                si_sr: Some(0.9),
                global_supply: vec![(
                    Stage::Refining,
                    vec![(c("CHN"), 0.8, 1.2), (c("JPN"), 0.2, 1.0)],
                )],
                eu_sourcing: vec![],
                caveats: vec![],
            }),
        }],
        // Scaled WGI = (2.5 - mean) * 2: CHN 6, JPN 2, DEU 2.
        countries: vec![
            country("CHN", -0.5),
            country("DEU", 1.5),
            country("JPN", 1.5),
        ],
        groups: vec![],
        datasets: vec![],
    }
}

#[test]
fn firm_supply_risk_by_hand() {
    let reference = eu_assessed_reference();
    let l = line(
        "gallium",
        100.0,
        Sourcing::default().with(Stage::Refining, Some(mix(&[("DEU", 50.0), ("CHN", 50.0)]))),
    );
    let result = assess(&portfolio(vec![l]), &reference, &AssessParams::default());
    let m = &result.materials[0];
    // World refining: CHN 80 %, JPN 20 %: HHI = 0.64 + 0.04 = 0.68.
    // g_CHN = (2.5 + 0.5) / 5 = 0.6, g_DEU = (2.5 - 1.5) / 5 = 0.2 (t is not used).
    // sum_c g_c s_c = 0.5 * 0.2 + 0.5 * 0.6 = 0.4; GPR = 0.68 * 0.4 = 0.272.
    let firm = m.firm_supply_risk.as_ref().unwrap();
    let stage = &firm.stages[0];
    assert_eq!(stage.stage, Stage::Refining);
    assert_eq!(stage.basis, MixBasis::User);
    assert!((stage.world_hhi - 0.68).abs() < EPS);
    assert!((stage.governance_term - 0.4).abs() < EPS);
    assert!((firm.value - 0.272).abs() < EPS);
    assert_eq!(firm.bottleneck, Stage::Refining);
    assert!(firm.assumptions.is_empty(), "{:?}", firm.assumptions);
    assert!(firm.governance_assumed.is_empty());
    // The supply-risk axis is the firm value; the EU's published 3.9 is the EU-level reference.
    assert_eq!(m.supply_risk.basis, SupplyRiskBasis::Firm);
    assert_eq!(m.supply_risk.value, Some(firm.value));
    let eu = m.eu_reference.as_ref().unwrap();
    assert_eq!(eu.supply_risk, Some(3.9));
    assert_eq!(eu.meets_criticality_thresholds, Some(true));
    assert!(eu.scope.starts_with("EU-level reference value"));
    assert!(eu.older_data && eu.assessment_year == 2023);
    // A caller's value still overrides both; it is compared with the catalogue's EU SR
    // percentile (one material: 3.9), so 0.2 is low risk.
    let mut params = AssessParams::default();
    params.supply_risk.insert("gallium".into(), 0.2);
    let result = assess(
        &portfolio(vec![line("gallium", 1.0, Sourcing::default())]),
        &reference,
        &params,
    );
    assert_eq!(
        result.materials[0].supply_risk.basis,
        SupplyRiskBasis::Caller
    );
    assert_eq!(result.materials[0].action, ActionClass::Monitor);
}

#[test]
fn firm_supply_risk_states_its_assumptions_without_an_eu_assessment() {
    let mut reference = eu_assessed_reference();
    reference.materials[0].eu = None;
    reference.countries.retain(|k| k.code != c("JPN"));
    let result = assess(
        &portfolio(vec![line("gallium", 1.0, Sourcing::default())]),
        &reference,
        &AssessParams {
            unknown_governance: 4.0,
            ..AssessParams::default()
        },
    );
    let firm = result.materials[0].firm_supply_risk.as_ref().unwrap();
    // No firm data: the look-through mix is the world mix; Japan's governance is assumed at 4
    // (g = 0.4). HHI 0.68; sum_c g_c w_c = 0.8 * 0.6 + 0.2 * 0.4 = 0.56; GPR = 0.3808.
    assert!((firm.value - 0.3808).abs() < EPS);
    assert_eq!(firm.governance_assumed, vec![c("JPN")]);
    assert_eq!(firm.assumptions.len(), 1, "{:?}", firm.assumptions);
}

/// The Japan-magnets case on the real embedded data: all magnets bought from Japan, nothing
/// known upstream.
fn japan_magnets_on_embedded_data(date: Option<Date>) -> chokepoint::analysis::assess::Assessment {
    let reference = chokepoint::reference::embedded();
    // By world production: China's 91 % at refining (by trade: tests/it/trade.rs).
    let portfolio = Portfolio::from_json(
        r#"{"schema_version": 1, "look_through": "world", "customer": "us_dod", "lines": [
            {"material": "rare_earths_magnet", "label": "Magnets", "spend": 1000000,
             "revenue_share_pct": 30, "end_use": "magnet",
             "sourcing": {"component": {"JPN": 100}}}]}"#,
        reference,
    )
    .unwrap();
    assess(
        &portfolio,
        reference,
        &AssessParams {
            date,
            ..AssessParams::default()
        },
    )
}

#[test]
fn japan_magnets_on_the_embedded_data_hide_china_at_refining() {
    let result = japan_magnets_on_embedded_data(None);
    let hidden = result.lines[0]
        .hidden
        .iter()
        .find(|h| h.stage == Stage::Refining && h.country == c("CHN"))
        .unwrap();
    assert!(hidden.hidden >= 0.80, "{hidden:?}");
    assert_eq!(hidden.direct_share, 0.0);
    let material = &result.materials[0];
    assert!(
        material
            .hidden
            .iter()
            .any(|h| h.stage == Stage::Refining && h.country == c("CHN") && h.hidden >= 0.80)
    );
    assert_eq!(material.supply_risk.basis, SupplyRiskBasis::Firm);
    assert_eq!(material.supply_risk.stage, Some(Stage::Refining));
    assert_eq!(material.action, ActionClass::QualifySecondSource);
}

#[test]
fn policy_findings_on_a_date_and_as_written() {
    let on = |text: &str| Some(Date::parse(text).unwrap());
    let result = japan_magnets_on_embedded_data(on("2026-06-01"));
    let findings = &result.materials[0].policy;
    let find = |rule: &str, stage: Stage| {
        findings
            .iter()
            .find(|f| f.rule_id == rule && f.stage == stage)
            .unwrap_or_else(|| panic!("no {rule} finding at {stage:?}"))
    };
    // CRMA 65 %: an EU-level benchmark, exceeded at refining by China's share: context, not a
    // failure of the firm.
    let crma = find("EU-CRMA-ART5-1B-65", Stage::Refining);
    assert_eq!(crma.outcome, Outcome::Context);
    assert!(!crma.measurement.as_ref().unwrap().passes());
    assert!(crma.eu_level_benchmark);
    assert!(crma.measurement.as_ref().unwrap().share > 0.85);
    assert_eq!(crma.measurement.as_ref().unwrap().limit, 0.65);
    // DFARS melt/produce regime in force: any covered-country share at refining fails; the
    // 2027 regime is not yet in force and carries the date caveat.
    let dfars = find("US-DFARS7052-NDFEB-A", Stage::Refining);
    assert_eq!(dfars.outcome, Outcome::Fail);
    assert_eq!(dfars.status, Some(RuleStatus::InForce));
    let dfars_2027 = find("US-DFARS7052-NDFEB-B", Stage::Mining);
    assert_eq!(
        dfars_2027.outcome,
        Outcome::NotApplicable(NotApplicable::NotInForce(RuleStatus::NotYetInForce))
    );
    assert!(dfars_2027.caveats.iter().any(|c| c.contains("2027")));
    // Japan at the component stage is not a covered country.
    assert_eq!(
        find("US-DFARS7052-NDFEB-A", Stage::Component).outcome,
        Outcome::Pass
    );
    assert!(result.policy.failing.iter().all(|f| f.fails()));
    assert!(
        !result
            .policy
            .failing
            .iter()
            .any(|f| f.rule_id == "EU-CRMA-ART5-1B-65")
    );
    assert!(
        result
            .policy
            .context
            .iter()
            .any(|f| f.rule_id == "EU-CRMA-ART5-1B-65" && f.stage == Stage::Refining)
    );
    assert_eq!(result.policy.date, on("2026-06-01"));
    assert!(
        result.policy.errors.is_empty(),
        "{:?}",
        result.policy.errors
    );

    // On 1 January 2027 the mine-to-magnet regime applies from mining on.
    let result = japan_magnets_on_embedded_data(on("2027-01-01"));
    let mining = result.materials[0]
        .policy
        .iter()
        .find(|f| f.rule_id == "US-DFARS7052-NDFEB-B" && f.stage == Stage::Mining)
        .unwrap();
    assert_eq!(mining.outcome, Outcome::Fail);

    // Without a date every rule is checked as written: both regimes fail, no status is given.
    let result = japan_magnets_on_embedded_data(None);
    for rule in ["US-DFARS7052-NDFEB-A", "US-DFARS7052-NDFEB-B"] {
        let f = result.materials[0]
            .policy
            .iter()
            .find(|f| f.rule_id == rule && f.stage == Stage::Refining)
            .unwrap();
        assert_eq!(f.outcome, Outcome::Fail);
        assert_eq!(f.status, None);
    }
    assert_eq!(result.policy.date, None);
}

#[test]
fn irc_30d_is_historical_after_september_2025() {
    let reference = chokepoint::reference::embedded();
    let l = Line {
        end_use: Some(EndUse::Battery),
        ..line(
            "lithium",
            1.0,
            Sourcing::default()
                .with(Stage::Mining, Some(mix(&[("CHN", 100.0)])))
                .with(Stage::Refining, Some(mix(&[("CHN", 100.0)]))),
        )
    };
    let us = Portfolio {
        jurisdiction: Some(Jurisdiction::Us),
        ..portfolio(vec![l])
    };
    let run = |date: &str| {
        assess(
            &us,
            reference,
            &AssessParams {
                date: Some(Date::parse(date).unwrap()),
                ..AssessParams::default()
            },
        )
    };
    let find = |result: &chokepoint::analysis::assess::Assessment, rule: &str| {
        result.materials[0]
            .policy
            .iter()
            .find(|f| f.rule_id == rule && f.stages.contains(&Stage::Refining))
            .cloned()
            .unwrap_or_else(|| panic!("no {rule}"))
    };
    // The critical-mineral test, mined and refined in China: fails while in force.
    let before = find(&run("2025-06-30"), "US-IRC30D-CM-2025");
    assert_eq!(before.outcome, Outcome::Fail);
    assert!(!before.historical);
    let after = find(&run("2025-10-01"), "US-IRC30D-CM-2025");
    assert!(after.historical);
    assert_eq!(after.status, Some(RuleStatus::Terminated));
    assert!(matches!(after.outcome, Outcome::NotApplicable(_)));
    assert_eq!(after.measurement.as_ref().unwrap().share, 0.0);
    // The foreign-entity rule is about ownership: not assessable while in force, then historical.
    let feoc = find(&run("2025-06-30"), "US-IRC30D-FEOC-CM");
    assert_eq!(
        feoc.outcome,
        Outcome::NotAssessable(NotAssessable::Ownership)
    );
    assert_eq!(feoc.measurement, None);
    assert!(find(&run("2025-10-01"), "US-IRC30D-FEOC-CM").historical);
    // Graphite rules name `graphite_natural` / `graphite_refined`: they reach the catalogue's
    // `graphite` through its aliases.
    let g = line("graphite", 1.0, Sourcing::default());
    let result = assess(
        &portfolio(vec![g]),
        reference,
        &AssessParams {
            date: Some(Date::parse("2026-06-01").unwrap()),
            ..AssessParams::default()
        },
    );
    assert!(
        result.materials[0]
            .policy
            .iter()
            .any(|f| f.rule_id == "EU-CRMA-ART5-1B-65" && f.outcome == Outcome::Context)
    );
}

// ---- File format and validation -------------------------------------------------------------

#[test]
fn validation_names_line_label_and_field_and_returns_all_errors() {
    let reference = reference();
    let text = r#"{
      "schema_version": 1,
      "lines": [
        {"material": "lithium", "spend": 10, "revenue_share_pct": 5},
        {"material": "unobtainium", "spend": "lots", "revenue_share_pct": 150},
        {"material": "rare_earths_magnet", "label": "Magnets", "spend": 5,
         "revenue_share_pct": 20,
         "sourcing": {"refining": {"CHN": 90, "MYS": 50}, "component": {"JAPAN": 100},
                      "smelting": "unknown", "mining": "maybe"}},
        {"material": "cobalt", "spend": -1, "revenue_share_pct": 1, "inventory_days": 10,
         "sourcing": {"mining": {"COD": 70, "XXX": 30}}, "spnd": 3}
      ]
    }"#;
    let Err(PortfolioError::Invalid(errors)) = Portfolio::from_json(text, &reference) else {
        panic!("expected validation errors");
    };
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let has = |prefix: &str| messages.iter().any(|m| m.starts_with(prefix));
    assert!(
        has("line 2, material: `unobtainium` is not in the material catalogue"),
        "{messages:#?}"
    );
    assert!(
        has("line 2, spend: `lots` is not a number"),
        "{messages:#?}"
    );
    assert!(
        has("line 2, revenue share: 150 is outside 0 to 100"),
        "{messages:#?}"
    );
    assert!(
        has("line 3 (Magnets), refining: shares sum to 140 %"),
        "{messages:#?}"
    );
    assert!(
        has("line 3 (Magnets), component, JAPAN: `JAPAN` is not a three-letter"),
        "{messages:#?}"
    );
    assert!(
        has("line 3 (Magnets), sourcing: `smelting` is not a stage"),
        "{messages:#?}"
    );
    assert!(
        has("line 3 (Magnets), mining: `maybe` is neither"),
        "{messages:#?}"
    );
    assert!(has("line 4, spend: -1 is outside"), "{messages:#?}");
    assert!(
        has("line 4, mining, XXX: XXX is not a country"),
        "{messages:#?}"
    );
    assert!(has("line 4, `spnd`: unknown field `spnd`"), "{messages:#?}");
    assert_eq!(errors.len(), 10, "{messages:#?}");
    // Structured too.
    assert!(errors.iter().any(|e| e.location
        == Location::Line {
            line: 3,
            label: Some("Magnets".into())
        }
        && e.field == Field::Stage(Stage::Refining)
        && matches!(e.problem, Problem::SharesSum { percent } if (percent - 140.0).abs() < EPS)));
}

#[test]
fn document_level_errors() {
    let reference = reference();
    let raw = RawPortfolio::from_json(r#"{"lines": [], "colour": "red"}"#).unwrap();
    let errors = raw.validate(&reference).unwrap_err();
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        vec![
            "portfolio, schema_version: missing",
            "portfolio, `colour`: unknown field `colour`"
        ]
    );
    let raw = RawPortfolio::from_json(r#"{"schema_version": 2}"#).unwrap();
    let errors = raw.validate(&reference).unwrap_err();
    assert!(matches!(errors[0].problem, Problem::UnsupportedVersion(_)));
    let raw = RawPortfolio::from_json(
        r#"{"schema_version": 1, "groups": [{"id": "us_fta", "members": ["JPN", "ZZZ", "JPN"]}]}"#,
    )
    .unwrap();
    let messages: Vec<String> = raw
        .validate(&reference)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        messages,
        vec![
            "group 1 (us_fta), id: group `us_fta` already exists",
            "group 1 (us_fta), members: ZZZ is not a country of the reference data",
            "group 1 (us_fta), members: JPN appears twice",
        ]
    );
}

#[test]
fn parse_errors_carry_the_position() {
    let Err(PortfolioError::Parse(error)) =
        Portfolio::from_json("{\n  \"lines\": [1,", &reference())
    else {
        panic!("expected a parse error");
    };
    assert_eq!(error.line, 2);
    assert!(error.column > 0);
}

#[test]
fn lenient_input_is_accepted() {
    let reference = reference();
    let portfolio = Portfolio::from_json(
        r#"{"schema_version": "1", "lines": [
            {"material": " lithium ", "spend": "1200.5", "revenue_share_pct": "12 %",
             "sourcing": {"refining": {"chn": 49.6, "CHL": 50}, "mining": "Unknown"}}]}"#,
        &reference,
    )
    .unwrap();
    let l = &portfolio.lines[0];
    assert_eq!(l.material, "lithium");
    assert_eq!(l.spend.get(), 1200.5);
    assert_eq!(l.inventory_days.get(), 0.0);
    let refining = l.sourcing.get(Stage::Refining).unwrap();
    assert!((refining.original_sum() - 99.6).abs() < EPS);
    assert!((refining.share_of(c("CHN")) - 49.6 / 99.6).abs() < EPS);
}

#[test]
fn example_round_trips_losslessly() {
    let reference = reference();
    let text = std::fs::read_to_string(fixtures::example_path("ev_motor_maker.json")).unwrap();
    // Raw form: what the user typed comes back.
    let raw = RawPortfolio::from_json(&text).unwrap();
    let again = RawPortfolio::from_json(&raw.to_json()).unwrap();
    assert_eq!(raw, again);
    let original: serde_json::Value = serde_json::from_str(&text).unwrap();
    let exported: serde_json::Value = serde_json::from_str(&raw.to_json()).unwrap();
    assert_eq!(original, exported);
    // Validated form: export then import gives the same portfolio, exactly.
    let portfolio = raw.validate(&reference).unwrap();
    let back = Portfolio::from_json(&portfolio.to_json(), &reference).unwrap();
    assert_eq!(portfolio, back);
}

// ---- Properties -----------------------------------------------------------------------------

const CODES: [&str; 12] = [
    "CHN", "AUS", "USA", "CAN", "CHL", "JPN", "COD", "IDN", "RUS", "MYS", "ROW", "ARG",
];

/// A mix of 1 to 12 distinct countries with positive weights.
fn arb_shares() -> impl Strategy<Value = Vec<(CountryCode, f64)>> {
    proptest::sample::subsequence(CODES.to_vec(), 1..=CODES.len())
        .prop_flat_map(|codes| {
            let n = codes.len();
            (Just(codes), proptest::collection::vec(0.001f64..1000.0, n))
        })
        .prop_map(|(codes, weights)| codes.into_iter().map(c).zip(weights).collect())
}

fn arb_mix() -> impl Strategy<Value = CountryMix> {
    arb_shares().prop_map(|s| CountryMix::from_shares(s).unwrap())
}

fn arb_sourcing() -> impl Strategy<Value = Sourcing> {
    (
        proptest::option::of(arb_mix()),
        proptest::option::of(arb_mix()),
        proptest::option::of(arb_mix()),
    )
        .prop_map(|(mining, refining, component)| Sourcing {
            mining,
            refining,
            component,
        })
}

fn arb_line() -> impl Strategy<Value = Line> {
    (
        proptest::sample::select(vec![
            "cobalt",
            "gallium",
            "germanium",
            "graphite",
            "lithium",
            "rare_earths_magnet",
        ]),
        0.0f64..1e9,
        0.0f64..=1.0,
        arb_sourcing(),
    )
        .prop_map(|(material, spend, revenue, sourcing)| Line {
            material: material.to_string(),
            label: None,
            spend: Amount::new(spend).unwrap(),
            revenue_share: Share::new(revenue).unwrap(),
            inventory_days: Amount::ZERO,
            sourcing,
            end_use: None,
            facility_counts: Vec::new(),
        })
}

/// Arbitrary JSON, biased towards the portfolio's shape.
fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Value, json};
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        (-1e20f64..1e20).prop_map(|f| json!(f)),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z0-9 %.,-]{0,8}".prop_map(Value::from),
        proptest::sample::select(vec![
            "unknown",
            "CHN",
            "ROW",
            "JPN",
            "lithium",
            "cobalt",
            "germanium",
            "1",
            "NaN",
            "inf",
            "-0",
            "1e400",
        ])
        .prop_map(Value::from),
    ];
    let keys = proptest::sample::select(vec![
        "schema_version",
        "lines",
        "material",
        "label",
        "spend",
        "revenue_share_pct",
        "inventory_days",
        "sourcing",
        "mining",
        "refining",
        "component",
        "CHN",
        "JPN",
        "ROW",
        "groups",
        "id",
        "members",
        "other",
    ]);
    leaf.prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((keys.clone(), inner), 0..8).prop_map(|entries| {
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect(),
                )
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn hhi_lies_between_10000_over_n_and_10000(mix in arb_mix()) {
        let n = mix.entries().len() as f64;
        let h = hhi(&mix);
        prop_assert!(h >= 10_000.0 / n - EPS && h <= 10_000.0 + EPS, "{h} with n = {n}");
        let k = concentration(&mix);
        prop_assert!(k.hhi_lower <= k.hhi + EPS);
        prop_assert!(k.cr1 <= k.cr3 + EPS && k.cr3 <= 1.0 + EPS);
        prop_assert!(k.effective_suppliers >= 1.0 - EPS && k.effective_suppliers <= n + EPS);
    }

    #[test]
    fn hhi_is_invariant_under_reordering(shares in arb_shares(), seed in any::<u64>()) {
        let mut shuffled = shares.clone();
        // A deterministic permutation from the seed.
        let len = shuffled.len();
        for i in (1..len).rev() {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % (i as u64 + 1)) as usize;
            shuffled.swap(i, j);
        }
        let a = CountryMix::from_shares(shares).unwrap();
        let b = CountryMix::from_shares(shuffled).unwrap();
        prop_assert!((hhi(&a) - hhi(&b)).abs() < EPS);
        for (country, share) in a.entries() {
            prop_assert!((b.share_of(*country) - share).abs() < 1e-12);
        }
    }

    #[test]
    fn a_single_supplier_has_hhi_10000(code in proptest::sample::select(CODES.to_vec()), w in 0.001f64..1e6) {
        let mix = CountryMix::from_shares([(c(code), w)]).unwrap();
        prop_assert!((hhi(&mix) - 10_000.0).abs() < EPS);
        prop_assert!((concentration(&mix).effective_suppliers - 1.0).abs() < EPS);
    }

    #[test]
    fn more_equal_suppliers_never_raise_hhi(n in 1usize..CODES.len()) {
        let equal = |k: usize| CountryMix::from_shares(CODES[..k].iter().map(|s| (c(s), 1.0))).unwrap();
        let fewer = hhi(&equal(n));
        let more = hhi(&equal(n + 1));
        prop_assert!(more <= fewer + EPS);
        prop_assert!((fewer - 10_000.0 / n as f64).abs() < 1e-6);
    }

    #[test]
    fn splitting_a_supplier_never_raises_hhi(shares in arb_shares(), cut in 0.0f64..=1.0) {
        // Split the first supplier's weight between it and a country not in the mix.
        let outsider = c("ZZZ");
        let mut split = shares.clone();
        let w = split[0].1;
        split[0].1 = w * cut;
        split.push((outsider, w * (1.0 - cut)));
        let before = hhi(&CountryMix::from_shares(shares).unwrap());
        let after = hhi(&CountryMix::from_shares(split).unwrap());
        prop_assert!(after <= before + 1e-6);
    }

    #[test]
    fn exposures_sum_to_one_per_stage(lines in proptest::collection::vec(arb_line(), 1..6)) {
        let reference = reference();
        let result = assess(&portfolio(lines), &reference, &AssessParams::default());
        let sums = result.stages.iter().flat_map(|s| [&s.by_spend, &s.by_revenue])
            .chain(result.materials.iter().flat_map(|m| &m.stages))
            .chain(result.lines.iter().flat_map(|l| &l.stages))
            .filter_map(|s| s.mix.as_ref())
            .map(|m| m.entries().iter().map(|(_, s)| s).sum::<f64>());
        for sum in sums {
            prop_assert!((sum - 1.0).abs() < 1e-9, "{sum}");
        }
        for m in &result.materials {
            for h in &m.hidden {
                prop_assert!(h.hidden > 0.0 && h.hidden <= 1.0 + EPS);
            }
        }
    }

    #[test]
    fn look_through_with_all_stages_known_is_the_users_mix(sourcing in arb_sourcing(), material in proptest::sample::select(vec!["cobalt", "lithium", "germanium"])) {
        let reference = reference();
        let l = line(material, 1.0, sourcing.clone());
        for resolved in look_through(&l, &reference) {
            if let Some(own) = sourcing.get(resolved.stage) {
                prop_assert_eq!(resolved.basis, MixBasis::User);
                prop_assert_eq!(resolved.mix, Some(own));
            } else {
                prop_assert_ne!(resolved.basis, MixBasis::User);
            }
        }
        // And a portfolio of one fully known line reports exactly the user's mixes.
        let full = Sourcing {
            mining: Some(sourcing.mining.clone().unwrap_or_else(|| mix(&[("AUS", 1.0)]))),
            refining: Some(sourcing.refining.clone().unwrap_or_else(|| mix(&[("CHN", 1.0)]))),
            component: sourcing.component.clone(),
        };
        let result = assess(&portfolio(vec![line(material, 5.0, full.clone())]), &reference, &AssessParams::default());
        for stage in &result.materials[0].stages {
            prop_assert_eq!(stage.basis, MixBasis::User);
            let got = stage.mix.as_ref().unwrap();
            let want = full.get(stage.stage).unwrap();
            for (country, share) in want.entries() {
                prop_assert!((got.share_of(*country) - share).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn validated_portfolios_round_trip(lines in proptest::collection::vec(arb_line(), 0..5)) {
        let reference = reference();
        let p = portfolio(lines);
        let back = Portfolio::from_json(&p.to_json(), &reference).unwrap();
        prop_assert_eq!(back.lines.len(), p.lines.len());
        for (a, b) in p.lines.iter().zip(&back.lines) {
            prop_assert_eq!(&a.material, &b.material);
            prop_assert!((a.spend.get() - b.spend.get()).abs() <= 1e-9 * a.spend.get().max(1.0));
            prop_assert!((a.revenue_share.get() - b.revenue_share.get()).abs() < 1e-9);
            for stage in Stage::ALL {
                match (a.sourcing.get(stage), b.sourcing.get(stage)) {
                    (None, None) => {}
                    (Some(x), Some(y)) => {
                        prop_assert_eq!(x.entries().len(), y.entries().len());
                        for (country, share) in x.entries() {
                            prop_assert!((y.share_of(*country) - share).abs() < 1e-9);
                        }
                    }
                    _ => prop_assert!(false, "stage {stage:?} changed"),
                }
            }
        }
    }

    #[test]
    fn no_panic_on_any_input(value in arb_json()) {
        let reference = reference();
        let text = value.to_string();
        if let Ok(raw) = RawPortfolio::from_json(&text) {
            let _ = raw.to_json();
            if let Ok(p) = raw.validate(&reference) {
                let result = assess(&p, &reference, &AssessParams::default());
                let _ = serde_json::to_string(&result).unwrap();
            }
        }
    }

    #[test]
    fn no_panic_on_portfolio_shaped_input(
        lines in proptest::collection::vec(
            (proptest::option::of(arb_json()), proptest::option::of(arb_json()),
             proptest::option::of(arb_json()), proptest::option::of(arb_json())), 0..4)
    ) {
        use serde_json::json;
        let reference = reference();
        let lines: Vec<serde_json::Value> = lines.into_iter().map(|(spend, revenue, sourcing, days)| {
            json!({"material": "rare_earths_magnet", "spend": spend, "revenue_share_pct": revenue,
                   "inventory_days": days, "sourcing": sourcing})
        }).collect();
        let text = json!({"schema_version": 1, "lines": lines}).to_string();
        if let Ok(p) = Portfolio::from_json(&text, &reference) {
            let result = assess(&p, &reference, &AssessParams::default());
            let _ = serde_json::to_string(&result).unwrap();
        }
    }
}

/// Regression (found by `validated_portfolios_round_trip`): a single-country mix typed as
/// 100.43 % is within the sum tolerance, is written back as typed, and must read again.
#[test]
fn single_country_mix_within_tolerance_round_trips() {
    let reference = fixtures::reference();
    let text = r#"{"schema_version": 1, "lines": [{"material": "gallium", "spend": 1,
        "revenue_share_pct": 1, "sourcing": {"refining": {"CHN": 100.43}}}]}"#;
    let portfolio = Portfolio::from_json(text, &reference).expect("valid");
    let again = Portfolio::from_json(&portfolio.to_json(), &reference).expect("reads again");
    assert_eq!(again, portfolio);
}
