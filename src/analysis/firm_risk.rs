//! A material's supply risk in the assessment: the firm's own score, by the GeoPolRisk method,
//! and the EU 2023 published value as the EU's reference value for the material.
//!
//! # Firm supply risk (GeoPolRisk)
//!
//! [`firm_supply_risk_of`] scores each stage `k` of the material (mining, refining) that has a
//! world production mix `w` in the reference data:
//!
//! ```text
//! GPR_k = HHI_k * sum_c g_c * s_c
//! HHI_k = sum_c w_c^2                      world production concentration of the stage, 0..1
//! g_c   = (2.5 - WGI_c) / 5                political instability of country c, 0..1
//! s_c   = the firm's share from c at the stage (its look-through mix), sum_c s_c = 1
//! SR_firm = max over stages of GPR_k       (the bottleneck, [`bottleneck`])
//! ```
//!
//! This is the GeoPolRisk score `HHI_A * sum_i g_i * f_Aic / (p_Ac + F_Ac)` (Gemechu, Helbig,
//! Sonnemann, Thorenz and Tuma 2016, "Import-based indicator for the geopolitical supply risk of
//! raw materials in life cycle sustainability assessments", *Journal of Industrial Ecology*
//! 20(1), 154-165; extended by Cimprich, Young, Helbig et al. 2017, "Extension of geopolitical
//! supply risk methodology: characterization model applied to conventional and electric
//! vehicles", *Journal of Cleaner Production* 162, 754-763, and Santillán-Saldivar, Cimprich,
//! Shaikh, Laratte, Young and Sonnemann 2021, "How recycling mitigates supply risks of critical
//! raw materials", *Resources, Conservation & Recycling* 164, 105108; stated as Equation 1 of
//! the method's reference implementation, geopolrisk-py, after Koyamparambath et al. 2024,
//! *Resources, Conservation & Recycling* 209, 107801) with the firm as the economic unit `c`:
//! `f_Aic / (p_Ac + F_Ac)`, what the unit gets from country `i` over what it gets in all, is the
//! firm's share `s_c`. What is Chokepoint's choice, not the published method:
//!
//! - **Governance.** The method rescales the WGI *political stability and absence of violence*
//!   estimate (about -2.5 to +2.5) linearly to 0-1, 1 the least stable. The reference data
//!   carries the mean of the six WGI estimates (the EU criticality method's governance basis),
//!   so `WGI_c` here is that mean, rescaled the same way: `g_c` is
//!   [`Country::wgi_eu_scaled`](crate::reference::Country::wgi_eu_scaled) divided by 10. The
//!   political-stability estimate alone is in `data/sources/reference/governance.csv`; using it
//!   would be a data change, not a formula change.
//! - **No trade-restriction term.** The only trade parameter in the data is the EU 2023
//!   study's `t_c`, which mixes export restrictions (up to 1.2) with EU trade agreements (0.8 for
//!   the EU's partners): the EU importer's view, from 2016-2020. It is not applied; the score is
//!   governance and concentration only.
//! - **Domestic production** (`p_Ac`, which the method counts as risk-free supply) is not
//!   separated: Chokepoint does not know the firm's home country, so every share is weighted.
//! - **Per stage.** The published score is for one commodity; Chokepoint computes it for each
//!   stage with a world mix and takes the largest, as the EU method takes its bottleneck. The
//!   purchased-component stage has no world production data, so it has no `HHI_k` and is not
//!   scored ([`FirmSupplyRiskResult::not_scored`]); its countries still show in the chokepoints
//!   and the policy checks.
//! - **Unknown governance** (a country without a WGI score, and the rest-of-world remainder
//!   `ROW`) counts as the average country's, `g = 0.5`: the one convention of
//!   [`governance`](crate::analysis::governance).
//! - The characterisation factor for life-cycle assessment (the score times a price, relative
//!   to copper) is not computed: the score alone ranks and compares sourcing.
//!
//! Properties. `GPR_k` lies in 0..1. It is linear in the firm's shares: moving a share `d` of the
//! stage from country `a` to country `b` changes it by `HHI_k * (g_b - g_a) * d`, so it falls
//! exactly when the supply moves to better-governed countries, and sourcing entirely from
//! countries each better governed than the current one always scores lower. With no firm data
//! the look-through mix is the world mix, `sum_c g_c w_c` is the world's production-weighted
//! instability, and the score is the stage's catalogue value ([`catalogue_scores`]). `HHI_k` is
//! the world's concentration, not the firm's: concentration enters through the world market
//! (how few producers could replace a lost supplier), governance through the firm's choices.
//!
//! # EU-level reference
//!
//! [`EuReference`] repeats the EU 2023 criticality assessment's published supply risk (SR),
//! economic importance (EI) and bottleneck stage for the material ([`Material::eu`]). It
//! describes the Union's supply as a whole, about 2016-2020, not the firm's, and is labelled
//! so wherever it is shown. The EU formula itself, with its parameters, is
//! [`supply_risk`](crate::analysis::supply_risk) (`chokepoint eu-sr`).

use crate::analysis::concentration::hhi;
use crate::analysis::exposure::MixBasis;
use crate::analysis::governance::{UNKNOWN_GOVERNANCE_EU_SCALE, instability};
use crate::model::{CountryCode, CountryMix, Stage};
use crate::reference::{Material, ReferenceData};
use serde::Serialize;

/// The citation of the EU 2023 criticality assessment.
const EU_2023_SOURCE: &str = "European Commission (2023), Study on the Critical Raw Materials \
for the EU 2023 - Final Report; methodology: Deloitte, BGS, BRGM, TNO for DG GROW (2017), \
doi:10.2873/876644";

/// The EU 2023 criticality assessment of a material, shown as the EU-level reference value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EuReference {
    /// What these numbers are: always "EU-level reference value" wording, for display.
    pub scope: String,
    /// Published supply risk (SR) of the EU as a whole; `None` where the study's value is
    /// missing from the data.
    pub supply_risk: Option<f64>,
    /// Published economic importance (EI).
    pub economic_importance: Option<f64>,
    /// The bottleneck stage the EU used.
    pub bottleneck: Option<Stage>,
    /// Whether `SR >= 1.0` and `EI >= 2.8` (the EU criticality thresholds), when both are known.
    pub meets_criticality_thresholds: Option<bool>,
    /// On the EU 2023 critical list (Regulation (EU) 2024/1252, Annex II).
    pub eu_critical_2023: bool,
    /// On the EU strategic list (Regulation (EU) 2024/1252, Annex I).
    pub eu_strategic_2023: bool,
    /// The year of the EU assessment the figures come from (2023).
    pub assessment_year: u16,
    /// The period its shares and governance scores describe, in words ("about 2016-2020").
    pub data_period: String,
    /// Always true: the EU figures describe about 2016-2020, older than the reference data's
    /// shares; every display flags them as older data.
    pub older_data: bool,
    /// The citation.
    pub source: String,
}

/// The EU-level reference of `material`, where the EU 2023 study assessed it.
pub fn eu_reference(material: &Material) -> Option<EuReference> {
    let eu = material.eu.as_ref()?;
    Some(EuReference {
        scope: "EU-level reference value: the EU 2023 criticality assessment for the Union as a \
                whole, not this firm's sourcing"
            .to_string(),
        supply_risk: eu.supply_risk,
        economic_importance: eu.economic_importance,
        bottleneck: eu.bottleneck,
        meets_criticality_thresholds: eu
            .supply_risk
            .zip(eu.economic_importance)
            .map(|(sr, ei)| crate::analysis::supply_risk::is_critical(sr, ei)),
        eu_critical_2023: material.lists.eu_critical_2023,
        eu_strategic_2023: material.lists.eu_strategic_2023,
        assessment_year: 2023,
        data_period: "about 2016-2020".to_string(),
        older_data: true,
        source: EU_2023_SOURCE.to_string(),
    })
}

/// The firm supply risk at one stage: `GPR_k = HHI_k * sum_c g_c * s_c` (see the module notes).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FirmStageSupplyRisk {
    /// The stage.
    pub stage: Stage,
    /// Where the firm's mix comes from (its own sourcing, the world mix, or both).
    pub basis: MixBasis,
    /// `GPR_k`, 0..1, unrounded.
    pub supply_risk: f64,
    /// `HHI_k`: the world production mix's HHI as a fraction, 0..1 (`ROW` as one supplier).
    pub world_hhi: f64,
    /// `sum_c g_c * s_c`: the firm's share-weighted political instability, 0..1.
    pub governance_term: f64,
    /// Countries of the firm's mix whose governance was assumed (no WGI score, or `ROW`).
    pub governance_assumed: Vec<CountryCode>,
}

/// A stage with a mix that has no score, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NotScored {
    /// The stage.
    pub stage: Stage,
    /// Why, in plain words.
    pub reason: String,
}

/// A material's firm supply risk: every scored stage and the bottleneck.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FirmSupplyRiskResult {
    /// `SR_firm`: the largest `GPR_k`, 0..1.
    pub value: f64,
    /// The stage it comes from (the most upstream on a tie): the material's bottleneck.
    pub bottleneck: Stage,
    /// Each scored stage, upstream first.
    pub stages: Vec<FirmStageSupplyRisk>,
    /// Stages with a mix but no score (the purchased component; a stage without a world mix).
    pub not_scored: Vec<NotScored>,
    /// The governance assumed for countries without a score, on the EU 0-10 scale
    /// ([`governance`](crate::analysis::governance)); `g = unknown_governance / 10`.
    pub unknown_governance: f64,
    /// Every country whose governance was assumed, at any stage, sorted.
    pub governance_assumed: Vec<CountryCode>,
    /// The assumptions used, in plain words (empty when every country had a score).
    pub assumptions: Vec<String>,
    /// Inputs that could not be used as given (an assumed governance outside 0..=10, replaced
    /// by the convention's value).
    pub errors: Vec<String>,
}

/// `(GPR, sum_c g_c * s_c, countries with an assumed governance)` for a stage whose world
/// production has the HHI `world_hhi` (a fraction) and the firm's mix `sourcing`, with `g_c`
/// from [`instability`] (`unknown` on the EU 0-10 scale for countries without a score).
///
/// ```
/// use chokepoint::analysis::firm_risk::geopolrisk;
/// use chokepoint::model::{CountryCode, CountryMix};
/// use chokepoint::reference::{Country, ReferenceData};
/// let c = |s: &str| CountryCode::parse(s).unwrap();
/// let country = |code: &str, wgi| Country {
///     code: c(code), iso2: String::new(), name: code.into(), wgi_mean: Some(wgi),
/// };
/// let reference = ReferenceData {
///     materials: vec![], groups: vec![], datasets: vec![],
///     countries: vec![country("AUS", 1.5), country("CHN", -0.5)],
/// };
/// let mix = CountryMix::from_shares([(c("CHN"), 60.0), (c("AUS"), 40.0)]).unwrap();
/// // g_CHN = (2.5 + 0.5) / 5 = 0.6, g_AUS = (2.5 - 1.5) / 5 = 0.2;
/// // 0.6 * 0.6 + 0.2 * 0.4 = 0.44; times HHI 0.5 = 0.22
/// let (gpr, term, assumed) = geopolrisk(0.5, &mix, &reference, 5.0);
/// assert!((term - 0.44).abs() < 1e-12 && (gpr - 0.22).abs() < 1e-12);
/// assert!(assumed.is_empty());
/// ```
pub fn geopolrisk(
    world_hhi: f64,
    sourcing: &CountryMix,
    reference: &ReferenceData,
    unknown: f64,
) -> (f64, f64, Vec<CountryCode>) {
    let mut term = 0.0;
    let mut assumed = Vec::new();
    for &(country, share) in sourcing.entries() {
        let (g, was_assumed) = instability(reference, country, unknown);
        term += g * share;
        if was_assumed {
            assumed.push(country);
        }
    }
    (world_hhi * term, term, assumed)
}

/// The world production HHI of `mix` as a fraction (0..1), `ROW` as one supplier.
fn world_hhi(mix: &CountryMix) -> f64 {
    hhi(mix) / 10_000.0
}

/// One stage of a material's look-through as the firm supply risk reads it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StageMix<'a> {
    /// The stage.
    pub stage: Stage,
    /// Where the mix comes from.
    pub basis: MixBasis,
    /// The mix (fractions summing to 1); `None` when unavailable.
    pub mix: Option<&'a CountryMix>,
}

/// The firm supply risk of material `id` over its look-through `stages` (see the module notes);
/// `None` when no stage could be scored. `unknown_governance` is on the EU 0-10 scale
/// ([`UNKNOWN_GOVERNANCE_EU_SCALE`] by the convention).
///
/// ```
/// use chokepoint::analysis::firm_risk::firm_supply_risk_of;
/// use chokepoint::analysis::assess::{assess, AssessParams};
/// use chokepoint::portfolio::Portfolio;
/// use chokepoint::model::{CountryCode, CountryMix, Stage};
/// use chokepoint::reference::{Country, Material, ReferenceData, SourceRef, StageSeries};
/// let c = |s: &str| CountryCode::parse(s).unwrap();
/// let reference = ReferenceData {
///     materials: vec![Material {
///         id: "gallium".into(), name: "Gallium".into(), symbols: vec![],
///         lists: Default::default(), eu: None,
///         stages: vec![StageSeries {
///             stage: Stage::Refining, detail: String::new(), unit: String::new(),
///             mix: CountryMix::single(c("CHN")), older_data: false, caveats: vec![],
///             source: SourceRef { dataset: "USGS".into(), year: 2024 }, withheld: vec![],
///             published: vec![], world_total: None, previous: None, projections: vec![],
///         }],
///     }],
///     countries: vec![
///         Country { code: c("CHN"), iso2: "CN".into(), name: "China".into(), wgi_mean: Some(-0.5) },
///         Country { code: c("JPN"), iso2: "JP".into(), name: "Japan".into(), wgi_mean: Some(1.5) },
///     ],
///     groups: vec![], datasets: vec![],
/// };
/// let portfolio = Portfolio::from_json(r#"{"schema_version": 1, "lines": [
///     {"material": "gallium", "spend": 1, "revenue_share_pct": 5,
///      "sourcing": {"refining": {"JPN": 100}}}]}"#, &reference).unwrap();
/// let assessment = assess(&portfolio, &reference, &AssessParams::default());
/// let stages: Vec<_> = assessment.materials[0].stages.iter().map(|s| s.stage_mix()).collect();
/// let sr = firm_supply_risk_of("gallium", &stages, &reference, 5.0).unwrap();
/// // World refining is all China: HHI 1. Japan: g = (2.5 - 1.5) / 5 = 0.2. GPR = 1 * 0.2.
/// assert!((sr.value - 0.2).abs() < 1e-12);
/// assert_eq!(sr.bottleneck, Stage::Refining);
/// ```
pub fn firm_supply_risk_of(
    id: &str,
    stages: &[StageMix<'_>],
    reference: &ReferenceData,
    unknown_governance: f64,
) -> Option<FirmSupplyRiskResult> {
    let mut results = Vec::new();
    let mut not_scored = Vec::new();
    let mut errors = Vec::new();
    let unknown_governance = if (0.0..=10.0).contains(&unknown_governance) {
        unknown_governance
    } else {
        errors.push(format!(
            "the governance assumed for unknown countries must lie in 0..=10 (EU scale), not \
             {unknown_governance}; the convention's {UNKNOWN_GOVERNANCE_EU_SCALE} was used"
        ));
        UNKNOWN_GOVERNANCE_EU_SCALE
    };
    for stage in stages {
        let Some(mix) = stage.mix else { continue };
        let world = match stage.stage {
            Stage::Component => None,
            upstream => reference.world_mix(id, upstream),
        };
        let Some(world) = world else {
            not_scored.push(NotScored {
                stage: stage.stage,
                reason: match stage.stage {
                    Stage::Component => "purchased components have no world production data, so \
                                         no world concentration to weigh"
                        .to_string(),
                    _ => {
                        "the reference data has no world production mix for this stage".to_string()
                    }
                },
            });
            continue;
        };
        let world_hhi = world_hhi(world);
        let (supply_risk, governance_term, governance_assumed) =
            geopolrisk(world_hhi, mix, reference, unknown_governance);
        results.push(FirmStageSupplyRisk {
            stage: stage.stage,
            basis: stage.basis,
            supply_risk,
            world_hhi,
            governance_term,
            governance_assumed,
        });
    }
    let bottleneck = bottleneck(&results)?;
    let value = results
        .iter()
        .find(|r| r.stage == bottleneck)
        .map_or(0.0, |r| r.supply_risk);
    let mut governance_assumed: Vec<CountryCode> = results
        .iter()
        .flat_map(|r| r.governance_assumed.iter().copied())
        .collect();
    crate::model::order::sort(&mut governance_assumed);
    governance_assumed.dedup();
    let mut assumptions = Vec::new();
    if !governance_assumed.is_empty() {
        let list: Vec<&str> = governance_assumed.iter().map(CountryCode::as_str).collect();
        assumptions.push(format!(
            "governance {unknown_governance} on the EU 0-10 scale (instability {}) assumed for {}: \
             no WGI score",
            unknown_governance / 10.0,
            list.join(", ")
        ));
    }
    Some(FirmSupplyRiskResult {
        value,
        bottleneck,
        stages: results,
        not_scored,
        unknown_governance,
        governance_assumed,
        assumptions,
        errors,
    })
}

/// A material's bottleneck: the stage with the highest firm supply risk `GPR_k`, the most
/// upstream one on a tie; `None` when no stage is scored. The one definition of "bottleneck"
/// in the assessment, behind both the dashboard's badge and the supply-risk column.
pub fn bottleneck(stages: &[FirmStageSupplyRisk]) -> Option<Stage> {
    let mut best: Option<(f64, Stage)> = None;
    for s in stages {
        if best.is_none_or(|(v, _)| s.supply_risk > v) {
            best = Some((s.supply_risk, s.stage));
        }
    }
    best.map(|(_, stage)| stage)
}

/// A material's catalogue score: the firm supply risk of a firm that knows nothing beyond the
/// world mix (every stage at the world mix), at its bottleneck.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CatalogueScore {
    /// Material id.
    pub material: String,
    /// Its bottleneck stage.
    pub stage: Stage,
    /// `max_k HHI_k * sum_c g_c w_c`, 0..1.
    pub score: f64,
}

/// The catalogue score of every material of `reference` with a world mix at mining or refining,
/// in catalogue order; `unknown` as in [`firm_supply_risk_of`].
pub fn catalogue_scores(reference: &ReferenceData, unknown: f64) -> Vec<CatalogueScore> {
    let mut scores = Vec::new();
    for material in &reference.materials {
        let mut best: Option<(f64, Stage)> = None;
        for series in material
            .stages
            .iter()
            .filter(|s| s.stage != Stage::Component)
        {
            let (score, _, _) = geopolrisk(world_hhi(&series.mix), &series.mix, reference, unknown);
            if best.is_none_or(|(v, _)| score > v) {
                best = Some((score, series.stage));
            }
        }
        if let Some((score, stage)) = best {
            scores.push(CatalogueScore {
                material: material.id.clone(),
                stage,
                score,
            });
        }
    }
    scores
}

/// The `p`-th percentile (0..=100) of `values` by linear interpolation between order statistics
/// (Hyndman and Fan 1996, "Sample quantiles in statistical packages", *The American
/// Statistician* 50(4), definition 7: position `(n - 1) p / 100`); `None` for no values or `p`
/// outside 0..=100. Non-finite values are left out.
///
/// ```
/// use chokepoint::analysis::firm_risk::percentile;
/// assert_eq!(percentile(&[4.0, 1.0, 3.0, 2.0], 50.0), Some(2.5));
/// assert_eq!(percentile(&[4.0, 1.0, 3.0, 2.0], 75.0), Some(3.25)); // 3 + 0.25 * (4 - 3)
/// assert_eq!(percentile(&[], 50.0), None);
/// ```
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    if !(0.0..=100.0).contains(&p) {
        return None;
    }
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    crate::model::order::sort_by(&mut sorted, f64::total_cmp);
    let position = (sorted.len() - 1) as f64 * p / 100.0;
    let lower = position.floor() as usize;
    let upper = (lower + 1).min(sorted.len() - 1);
    let fraction = position - lower as f64;
    Some(sorted[lower] + fraction * (sorted[upper] - sorted[lower]))
}
