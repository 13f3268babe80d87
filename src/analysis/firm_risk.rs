//! A material's supply risk in the assessment: the EU 2023 published value as an EU-level
//! reference, and the EU formula applied to the firm's own sourcing.
//!
//! # EU-level reference
//!
//! [`EuReference`] repeats the EU 2023 criticality assessment's published supply risk (SR),
//! economic importance (EI) and bottleneck stage for the material ([`Material::eu`]). It
//! describes the Union's supply as a whole, not the firm's.
//!
//! # Firm supply risk
//!
//! [`firm_supply_risk_of`] applies the EU supply-risk formula (see
//! [`supply_risk`](crate::analysis::supply_risk)) at each stage of the material after the
//! look-through, with the firm's own spend-weighted mix in place of EU sourcing:
//!
//! ```text
//! HHI_firm = sum_c s_c^2 * WGI_c * t_c          over the firm's look-through mix at the stage
//! HHI_GS   = sum_c w_c^2 * WGI_c * t_c          over the reference world mix of the stage
//! SR_stage = [ HHI_GS * IR/2 + HHI_firm * (1 - IR/2) ] * (1 - EoL_RIR) * SI_SR
//! SR_firm  = max over stages of SR_stage        (the bottleneck, as in the EU method)
//! ```
//!
//! Parameters, and what is assumed where the data has nothing (every assumption is marked
//! [`ParameterSource::Assumed`] in the result; no number is invented):
//!
//! - `IR`, `EoL_RIR`, `SI_SR`: the EU 2023 assessment's values for the material (IR per stage).
//!   Where the material was not assessed or a value is missing: `IR = 1` (the firm buys on the
//!   world market; the method then gives global supply its largest weight, one half),
//!   `EoL_RIR = 0` (no recycled input) and `SI_SR = 1` (no substitute): the conservative end of
//!   each range.
//! - `t_c`: the trade parameter the EU assessment gives the country for the material and stage
//!   (its global-supply table, else its EU-sourcing table); 1.0 for any other country.
//! - `WGI_c`: [`Country::wgi_eu_scaled`](crate::reference::Country::wgi_eu_scaled). A country
//!   without a score, and the rest-of-world remainder `ROW`, get
//!   [`AssessParams::unknown_governance`](crate::analysis::portfolio::AssessParams::unknown_governance)
//!   (default 5, the scale's midpoint); they are listed in
//!   [`FirmSupplyRiskResult::governance_assumed`].
//! - The purchased-component stage has no world mix: its bracket is `HHI_firm` alone (the
//!   EU method's "EUS only" form), and `IR` does not apply. The same holds for a stage the firm
//!   knows but the reference data has no world mix for.
//!
//! With no firm data at an upstream stage the look-through mix is the world mix, so
//! `HHI_firm = HHI_GS` and `SR_stage = HHI_GS * (1 - EoL_RIR) * SI_SR`, the EU "GS only" form.
//! This is Chokepoint's adaptation, not a published EU figure: it answers "how risky is this
//! firm's sourcing by the EU's yardstick".
//!
//! Sources: Deloitte, BGS, BRGM, TNO for DG GROW, *Study on the review of the list of Critical
//! Raw Materials - Final Report*, 2017, doi:10.2873/876644, pp. 33-35; European Commission,
//! *Study on the Critical Raw Materials for the EU 2023 - Final Report*.

use crate::analysis::exposure::MixBasis;
use crate::analysis::portfolio::StageResult;
use crate::analysis::supply_risk::{
    FirmSupplyRiskParams, GlobalSupplyTerm, firm_supply_risk, hhi_wgi_t,
};
use crate::model::{CountryCode, Stage};
use crate::reference::{EuAssessment, Material, ReferenceData};
use serde::Serialize;

/// What the firm supply risk assumes for `IR` where the EU assessment has no value.
pub const DEFAULT_IMPORT_RELIANCE: f64 = 1.0;
/// What the firm supply risk assumes for `EoL_RIR` where the EU assessment has no value.
pub const DEFAULT_EOL_RIR: f64 = 0.0;
/// What the firm supply risk assumes for `SI_SR` where the EU assessment has no value.
pub const DEFAULT_SI_SR: f64 = 1.0;

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
        source: EU_2023_SOURCE.to_string(),
    })
}

/// Where a parameter of the firm supply risk comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParameterSource {
    /// The EU 2023 assessment of the material.
    EuAssessment,
    /// A stated modelling assumption (see [`DEFAULT_IMPORT_RELIANCE`], [`DEFAULT_EOL_RIR`],
    /// [`DEFAULT_SI_SR`]): the data has no value.
    Assumed,
}

/// One parameter of the formula and where it comes from.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Parameter {
    /// The value used.
    pub value: f64,
    /// Its source.
    pub source: ParameterSource,
}

impl Parameter {
    fn from_eu(value: Option<f64>, default: f64) -> Parameter {
        match value.filter(|v| v.is_finite()) {
            Some(value) => Parameter {
                value,
                source: ParameterSource::EuAssessment,
            },
            None => Parameter {
                value: default,
                source: ParameterSource::Assumed,
            },
        }
    }
}

/// The firm supply risk at one stage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FirmStageSupplyRisk {
    /// The stage.
    pub stage: Stage,
    /// Where the firm's mix comes from (its own sourcing, the world mix, or both).
    pub basis: MixBasis,
    /// `SR_stage`, unrounded.
    pub supply_risk: f64,
    /// `HHI_WGI,t` of the firm's look-through mix, 0..=15.
    pub firm_hhi_wgi_t: f64,
    /// `HHI_WGI,t` of the reference world mix, 0..=15; `None` for the component stage or when
    /// the reference data has no world mix (the bracket is then `HHI_firm`).
    pub global_hhi_wgi_t: Option<f64>,
    /// The bracket `HHI_GS * IR/2 + HHI_firm * (1 - IR/2)` (or `HHI_firm`).
    pub concentration_term: f64,
    /// Import reliance; `None` when there is no global term.
    pub import_reliance: Option<Parameter>,
    /// End-of-life recycling input rate.
    pub eol_rir: Parameter,
    /// Substitution index for supply risk.
    pub si_sr: Parameter,
    /// Countries of the firm's or the world mix whose governance score was assumed.
    pub governance_assumed: Vec<CountryCode>,
}

/// A material's firm supply risk: every stage and the bottleneck.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FirmSupplyRiskResult {
    /// `SR_firm`: the largest `SR_stage`.
    pub value: f64,
    /// The stage it comes from (the most upstream on a tie).
    pub bottleneck: Stage,
    /// Each stage with a mix, upstream first.
    pub stages: Vec<FirmStageSupplyRisk>,
    /// The governance score (EU 0-10 scale) assumed for countries without one.
    pub unknown_governance: f64,
    /// Every country whose governance score was assumed, at any stage, sorted.
    pub governance_assumed: Vec<CountryCode>,
    /// The modelling assumptions used, in plain words (empty when the EU assessment supplied
    /// every parameter and every country had a score).
    pub assumptions: Vec<String>,
    /// Stages that could not be computed, and why (a trade parameter or score out of range).
    pub errors: Vec<String>,
}

/// The trade parameters the EU assessment gives for `stage`: the global-supply table first, then
/// the EU-sourcing table, one entry per country.
fn trade_parameters(eu: Option<&EuAssessment>, stage: Stage) -> Vec<(CountryCode, f64)> {
    let mut trade: Vec<(CountryCode, f64)> = Vec::new();
    let Some(eu) = eu else { return trade };
    for (s, rows) in eu.global_supply.iter().chain(&eu.eu_sourcing) {
        if *s != stage {
            continue;
        }
        for &(country, _, t) in rows {
            if !trade.iter().any(|(c, _)| *c == country) {
                trade.push((country, t));
            }
        }
    }
    trade
}

/// The firm supply risk of material `id` over its look-through `stages` (see the module notes);
/// `None` when no stage has a mix or none could be computed.
///
/// ```
/// use chokepoint::analysis::firm_risk::{firm_supply_risk_of, ParameterSource};
/// use chokepoint::analysis::portfolio::{assess, AssessParams};
/// use chokepoint::model::portfolio::Portfolio;
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
/// let stages = &assess(&portfolio, &reference, &AssessParams::default()).materials[0].stages;
/// let sr = firm_supply_risk_of("gallium", stages, &reference, 5.0).unwrap();
/// // HHI_GS = 1 * 6 (China), HHI_firm = 1 * 2 (Japan), IR = 1 assumed:
/// // [6 * 0.5 + 2 * 0.5] * (1 - 0) * 1 = 4
/// assert!((sr.value - 4.0).abs() < 1e-12);
/// assert_eq!(sr.stages[0].import_reliance.unwrap().source, ParameterSource::Assumed);
/// ```
pub fn firm_supply_risk_of(
    id: &str,
    stages: &[StageResult],
    reference: &ReferenceData,
    unknown_governance: f64,
) -> Option<FirmSupplyRiskResult> {
    let material = reference.material(id);
    let eu = material.and_then(|m| m.eu.as_ref());
    let assessed = if eu.is_some() {
        "the EU 2023 assessment has no value"
    } else {
        "the material has no EU 2023 assessment"
    };
    let mut results = Vec::new();
    let mut assumptions = Vec::new();
    let mut errors = Vec::new();
    let eol_rir = Parameter::from_eu(eu.and_then(|e| e.eol_rir), DEFAULT_EOL_RIR);
    let si_sr = Parameter::from_eu(eu.and_then(|e| e.si_sr), DEFAULT_SI_SR);
    if eol_rir.source == ParameterSource::Assumed {
        assumptions.push(format!(
            "EoL-RIR = {DEFAULT_EOL_RIR} (no recycled input) at every stage: {assessed}"
        ));
    }
    if si_sr.source == ParameterSource::Assumed {
        assumptions.push(format!(
            "SI_SR = {DEFAULT_SI_SR} (no substitute) at every stage: {assessed}"
        ));
    }
    for stage in stages {
        let Some(mix) = &stage.mix else { continue };
        let trade = trade_parameters(eu, stage.stage);
        let world = match stage.stage {
            Stage::Component => None,
            upstream => reference.world_mix(id, upstream),
        };
        let mut governance_assumed = Vec::new();
        let global = match world {
            Some(world) => {
                match hhi_wgi_t(world, &reference.countries, &trade, unknown_governance) {
                    Ok((value, assumed)) => {
                        governance_assumed.extend(assumed);
                        Some(value)
                    }
                    Err(e) => {
                        errors.push(format!("{}: world mix: {e}", stage.stage.id()));
                        continue;
                    }
                }
            }
            None => None,
        };
        let import_reliance = global.map(|_| {
            let ir = eu.and_then(|e| {
                e.import_reliance
                    .iter()
                    .find(|(s, _)| *s == stage.stage)
                    .map(|(_, ir)| *ir)
            });
            let parameter = Parameter::from_eu(ir, DEFAULT_IMPORT_RELIANCE);
            if parameter.source == ParameterSource::Assumed {
                assumptions.push(format!(
                    "IR = {DEFAULT_IMPORT_RELIANCE} at {} (global supply weighs one half): \
                     {assessed}",
                    stage.stage.id()
                ));
            }
            parameter
        });
        let computed = firm_supply_risk(&FirmSupplyRiskParams {
            sourcing: mix,
            countries: &reference.countries,
            trade: &trade,
            unknown_governance,
            global: global
                .zip(import_reliance)
                .map(|(hhi, ir)| GlobalSupplyTerm {
                    hhi_wgi_t: hhi,
                    import_reliance: ir.value,
                }),
            eol_rir: eol_rir.value,
            si_sr: si_sr.value,
        });
        match computed {
            Ok(firm) => {
                for country in firm.governance_assumed {
                    if !governance_assumed.contains(&country) {
                        governance_assumed.push(country);
                    }
                }
                results.push(FirmStageSupplyRisk {
                    stage: stage.stage,
                    basis: stage.basis,
                    supply_risk: firm.supply_risk,
                    firm_hhi_wgi_t: firm.firm_hhi_wgi_t,
                    global_hhi_wgi_t: global,
                    concentration_term: firm.concentration_term,
                    import_reliance,
                    eol_rir,
                    si_sr,
                    governance_assumed,
                });
            }
            Err(e) => errors.push(format!("{}: {e}", stage.stage.id())),
        }
    }
    let mut worst: Option<(f64, Stage)> = None;
    for r in &results {
        if worst.is_none_or(|(v, _)| r.supply_risk > v) {
            worst = Some((r.supply_risk, r.stage));
        }
    }
    let (value, bottleneck) = worst?;
    let mut governance_assumed: Vec<CountryCode> = results
        .iter()
        .flat_map(|r| r.governance_assumed.iter().copied())
        .collect();
    crate::model::order::sort(&mut governance_assumed);
    governance_assumed.dedup();
    if !governance_assumed.is_empty() {
        let list: Vec<&str> = governance_assumed.iter().map(CountryCode::as_str).collect();
        assumptions.push(format!(
            "governance score {unknown_governance} (EU 0-10 scale) assumed for {}: no WGI score",
            list.join(", ")
        ));
    }
    Some(FirmSupplyRiskResult {
        value,
        bottleneck,
        stages: results,
        unknown_governance,
        governance_assumed,
        assumptions,
        errors,
    })
}
