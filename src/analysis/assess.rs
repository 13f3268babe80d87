//! Portfolio-level results: per line, per material and per stage concentration after the
//! look-through, hidden exposure, totals, the chokepoint ranking and an action class per
//! material. [`assess`] computes all of it in one pass.
//!
//! # Weights
//!
//! Aggregates weight lines two ways: by annual spend, and by revenue dependence (the share of the
//! firm's revenue that depends on the line). Aggregated mixes are [`weighted_mix`]es; a
//! material's revenue dependence is the sum over its lines, capped at 100 % (this assumes the
//! lines feed different revenue, an upper bound when they feed the same).
//!
//! # Chokepoints
//!
//! A chokepoint is a (material, stage, country) triple. Its *spend exposed* is
//! `sum_i spend_i * s_ic` over the material's lines `i`, with `s_ic` the country's share of the
//! line's look-through mix at that stage; its *revenue exposed* is `sum_i r_i * s_ic` with `r_i`
//! the line's revenue dependence (fraction of revenue). The whole spend of each line is
//! attributed to every upstream stage: the amounts are exposure, not money paid to that country,
//! and do not add up across stages. The list is ranked by one of the two ([`RankBy`]). `ROW` is
//! not a chokepoint.
//!
//! # Action classes
//!
//! Each material gets one of four actions from two axes, in the spirit of Kraljic's purchasing
//! portfolio matrix (Kraljic 1983, *Purchasing must become supply management*, HBR):
//!
//! | supply risk \ business impact | high                  | low             |
//! |-------------------------------|-----------------------|-----------------|
//! | high                          | qualify a second source | hold buffer stock |
//! | low                           | monitor               | low priority    |
//!
//! - *Supply risk* is the firm supply risk ([`SupplyRiskBasis::Firm`]): the GeoPolRisk score
//!   of the firm's own look-through mix at the material's bottleneck stage, 0..1; see
//!   [`firm_risk`](crate::analysis::firm_risk). The caller may give its own value per material
//!   instead ([`AssessParams::supply_risk`]; `--published-sr` gives the EU 2023 SR). The EU's
//!   published SR is reported next to it as the EU's reference value for the material
//!   ([`MaterialResult::eu_reference`]), never as the firm's. With no scored stage the supply
//!   risk is unavailable and counts as high: a material cannot be judged safe without data.
//! - *Business impact* is the material's revenue dependence (fraction).
//!
//! A value at or above its threshold is high. Neither threshold is an EU threshold. The
//! supply-risk threshold is **calibrated on the catalogue** ([`ActionCalibration`]): the
//! [`CALIBRATION_PERCENTILE`]-th percentile of the catalogue scores
//! ([`catalogue_scores`]: every material of the
//! reference data scored at its world mix), so "high" means "as risky as the riskiest quarter
//! of the catalogue's materials bought at the world mix". A caller's own values (EU SR with
//! `--published-sr`) are compared with the same percentile of the EU's published SR over the
//! catalogue, the distribution of their own scale. Either can be replaced by an explicit
//! threshold ([`ActionThresholds::supply_risk`]). The business-impact threshold, 10 % of revenue
//! by default, is a stated choice (a tenth of revenue), not a published one; set your own.
//!
//! # Policy checks
//!
//! Each material's look-through mix at each stage is checked against every embedded sourcing
//! rule with a share test that covers the material ([`policy`](crate::analysis::policy); rule
//! materials named by an alias, such as `graphite_natural` or `aluminum`, match their catalogue
//! id), by end use: the lines of one end use are checked on their own spend-weighted mix, with
//! the portfolio's jurisdiction and customer ([`PolicyContext`]), so that a rule binds only the
//! lines and firms it binds (the DFARS magnet rules magnets of US DoD suppliers, IRC 30D batteries
//! sold in the US). A rule whose stages combine (IRC 30D's "extracted or processed") gives one
//! finding over its stages. The date is [`AssessParams::date`]: with a date, each rule's status
//! on it decides whether a measured share can fail (a rule not in force is "not applicable", its
//! numbers still shown; IRC 30D is historical after 30 September 2025); every front end passes
//! today by default. With no date, every rule is checked as written ([`check_rule_as_written`]),
//! whatever its dates, and each finding shows its dates (the command line's `--as-written`). The
//! findings are in [`MaterialResult::policy`]; over the portfolio, [`Assessment::policy`] lists
//! the failing ones and, apart, the EU benchmark findings, which are context, never failures.
//!
//! # Warnings and the outlook
//!
//! [`Assessment::warnings`] lists the entries the reference data contradicts: a mining or
//! refining country with no recorded production of the material at that stage
//! ([`crate::portfolio::warnings`]); the entries are used as typed. The forward view from the IEA's
//! projections is computed apart ([`crate::analysis::outlook::portfolio_outlook`]; `chokepoint
//! assess` prints it as `outlook`), so that the app's first page load does not carry it.

use crate::analysis::concentration::{
    Concentration, GroupShare, HhiWgi, concentration, group_shares, hhi_wgi,
};
use crate::analysis::exposure::{
    FilledStage, HiddenExposure, LookThroughBasis, MixBasis, TradeNote, direct_stage,
    hidden_between, hidden_exposure, look_through_by, sort_hidden, weighted_mix,
};
use crate::analysis::firm_risk::{
    EuReference, FirmSupplyRiskResult, StageMix, catalogue_scores, eu_reference,
    firm_supply_risk_of, percentile,
};
use crate::analysis::governance::UNKNOWN_GOVERNANCE_EU_SCALE;
use crate::analysis::policy::{
    CheckInput, Date, Outcome, PolicyContext, PolicyFinding, PolicyRule, Researched, StageLogic,
    check_rule, check_rule_as_written, embedded_rules, rules_researched,
};
use crate::model::context::EndUse;
use crate::model::{CountryCode, CountryMix, Stage};
use crate::portfolio::warnings::SourcingWarning;
use crate::portfolio::{Line, Portfolio};
use crate::reference::trade::{TradeTable, embedded_trade};
use crate::reference::{CountryGroup, ReferenceData, material_aliases};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

mod params;
pub use params::*;
mod policy_checks;
use policy_checks::*;
mod results;
pub use results::*;

/// One stage's mix and its measures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageResult {
    /// The stage.
    pub stage: Stage,
    /// Where the mix comes from.
    pub basis: MixBasis,
    /// How a stage filled by trade was filled (over several lines: the union of their notes);
    /// `None` when no line's stage was.
    pub trade: Option<TradeNote>,
    /// The mix (fractions summing to 1); `None` when unavailable.
    pub mix: Option<CountryMix>,
    /// HHI, effective number of suppliers, CR1, CR3; `None` when unavailable.
    pub concentration: Option<Concentration>,
    /// Governance-weighted HHI (trade factor 1); `None` when unavailable.
    pub hhi_wgi: Option<HhiWgi>,
    /// Share from each reference and user group; empty when unavailable.
    pub groups: Vec<GroupShare>,
    /// Whether a line's own mix at this stage counts facilities (the smelters or mines of
    /// supplier declarations) rather than volumes: the concentration is then over facilities,
    /// and the policy checks read only which countries are present.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub facility_count: bool,
}

impl StageResult {
    /// The stage, its basis and its mix, as the firm supply risk reads them.
    pub fn stage_mix(&self) -> StageMix<'_> {
        StageMix {
            stage: self.stage,
            basis: self.basis,
            mix: self.mix.as_ref(),
        }
    }
}

/// The stages of a look-through as the firm supply risk reads them.
fn stage_mixes(stages: &[StageResult]) -> Vec<StageMix<'_>> {
    stages.iter().map(StageResult::stage_mix).collect()
}

/// The country groups of an assessment with, per member country, the set of groups it belongs
/// to (bit `g` = group `g`), so that a mix's group shares take one look-up per country instead of
/// a scan of every group's members.
struct Groups<'a> {
    list: Vec<&'a CountryGroup>,
    /// `(country, groups)` sorted by country; `None` with more than 64 groups (then shares are
    /// computed by [`group_shares`]).
    masks: Option<Vec<(CountryCode, u64)>>,
}

impl<'a> Groups<'a> {
    fn new(list: Vec<&'a CountryGroup>) -> Groups<'a> {
        let masks = (list.len() <= 64).then(|| {
            let mut masks: Vec<(CountryCode, u64)> = Vec::new();
            for (g, group) in list.iter().enumerate() {
                for &member in &group.members {
                    match masks.binary_search_by_key(&member, |m| m.0) {
                        Ok(at) => masks[at].1 |= 1 << g,
                        Err(at) => masks.insert(at, (member, 1 << g)),
                    }
                }
            }
            masks
        });
        Groups { list, masks }
    }

    /// The share of `mix` from each group, in order: the same numbers as [`group_shares`] (the
    /// shares of each group are added in the mix's order, from `-0.0` as `Sum` does).
    fn shares(&self, mix: &CountryMix) -> Vec<GroupShare> {
        let Some(masks) = &self.masks else {
            return group_shares(mix, self.list.iter().copied());
        };
        let mut sums = vec![-0.0; self.list.len()];
        for &(country, share) in mix.entries() {
            if country.is_rest_of_world() {
                continue;
            }
            let Ok(at) = masks.binary_search_by_key(&country, |m| m.0) else {
                continue;
            };
            let mut bits = masks[at].1;
            while bits != 0 {
                let g = bits.trailing_zeros() as usize;
                sums[g] += share;
                bits &= bits - 1;
            }
        }
        self.list
            .iter()
            .zip(sums)
            .map(|(group, share)| GroupShare {
                group: group.id.clone(),
                name: group.name.clone(),
                user_defined: group.user_defined,
                share,
            })
            .collect()
    }
}

fn stage_result(
    (stage, basis, trade, facility_count): (Stage, MixBasis, Option<TradeNote>, bool),
    mix: Option<CountryMix>,
    reference: &ReferenceData,
    groups: &Groups<'_>,
) -> StageResult {
    StageResult {
        stage,
        basis,
        trade,
        facility_count,
        concentration: mix.as_ref().map(concentration),
        hhi_wgi: mix.as_ref().map(|m| hhi_wgi(m, reference, &|_| 1.0)),
        groups: mix.as_ref().map(|m| groups.shares(m)).unwrap_or_default(),
        mix,
    }
}

/// One line with its look-through, ready for aggregation.
struct Resolved<'a> {
    line: &'a Line,
    stages: Vec<FilledStage<'a>>,
}

/// Per stage, the weighted mix of `lines` with its basis and trade note.
fn aggregate(
    lines: &[&Resolved<'_>],
    weight: impl Fn(&Line) -> f64,
    reference: &ReferenceData,
    groups: &Groups<'_>,
) -> Vec<StageResult> {
    let mut stages = Vec::new();
    for stage in Stage::ALL {
        let mut basis = MixBasis::Unavailable;
        let mut trade: Option<TradeNote> = None;
        let mut listed = false;
        let mut parts = Vec::new();
        for resolved in lines {
            if let Some(r) = resolved.stages.iter().find(|r| r.stage == stage) {
                listed = true;
                basis = basis.combine(r.basis);
                if let Some(note) = &r.trade {
                    trade = Some(trade.unwrap_or_default().merge(note));
                }
                if let Some(mix) = r.mix.as_deref() {
                    parts.push((weight(resolved.line), mix));
                }
            }
        }
        // A stage no line lists (the component stage when nothing is bought as a component) is
        // left out, as in the lines' own results.
        if listed {
            let mix = weighted_mix(parts);
            let counted = lines
                .iter()
                .any(|r| r.line.facility_counts.contains(&stage));
            stages.push(stage_result(
                (stage, basis, trade, counted),
                mix,
                reference,
                groups,
            ));
        }
    }
    stages
}

/// The exposure the lines of one material did not enter (see [`crate::analysis::exposure`]):
/// per stage the look-through filled, the weighted filled mix of the lines whose stage was filled
/// and whose direct stage is below it, against the weighted mix of the same lines' direct
/// suppliers. Largest first.
fn material_hidden(lines: &[&Resolved<'_>], weight: impl Fn(&Line) -> f64) -> Vec<HiddenExposure> {
    let mut hidden = Vec::new();
    for stage in Stage::UPSTREAM {
        let mut basis = MixBasis::Unavailable;
        let (mut filled, mut direct) = (Vec::new(), Vec::new());
        for r in lines {
            let Some(below) = direct_stage(r.line).filter(|&d| stage < d) else {
                continue;
            };
            let Some(f) = r
                .stages
                .iter()
                .find(|f| f.stage == stage && f.basis.is_filled())
            else {
                continue;
            };
            if let (Some(mix), Some(direct_mix)) = (f.mix.as_deref(), r.line.sourcing.get(below)) {
                basis = basis.combine(f.basis);
                filled.push((weight(r.line), mix));
                direct.push((weight(r.line), direct_mix));
            }
        }
        if let (Some(filled), Some(direct)) = (weighted_mix(filled), weighted_mix(direct)) {
            hidden.extend(hidden_between(stage, basis, &filled, &direct));
        }
    }
    sort_hidden(&mut hidden);
    hidden
}

/// A stage result over several materials without its concentration measures: an HHI describes
/// one material at one stage, and a mix of different materials is not one market. The mix and
/// the group shares (fractions of spend or revenue dependence) stay.
fn across_materials(stage: StageResult) -> StageResult {
    StageResult {
        concentration: None,
        hhi_wgi: None,
        ..stage
    }
}

fn spend_weight(line: &Line) -> f64 {
    line.spend.get()
}

fn revenue_weight(line: &Line) -> f64 {
    line.revenue_share.get()
}

/// Weighted mean of `values` (value, weight); `None` when there is none; equal weights when all
/// weights are zero.
fn weighted_mean(values: &[(f64, f64)]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let total: f64 = values.iter().map(|(_, w)| w).sum();
    if total > 0.0 {
        Some(values.iter().map(|(v, w)| v * w).sum::<f64>() / total)
    } else {
        Some(values.iter().map(|(v, _)| v).sum::<f64>() / values.len() as f64)
    }
}

/// Assesses `portfolio` against `reference`: everything in [`Assessment`]. Pure; never panics.
///
/// Groups reported are the reference data's, then the portfolio's own.
///
/// ```
/// use chokepoint::analysis::assess::{assess, ActionClass, AssessParams};
/// use chokepoint::portfolio::Portfolio;
/// use chokepoint::model::{CountryCode, CountryMix, Stage};
/// use chokepoint::reference::{Country, Material, ReferenceData, SourceRef, StageSeries};
/// let c = |s: &str| CountryCode::parse(s).unwrap();
/// let series = |stage, mix| StageSeries {
///     stage, detail: String::new(), mix, unit: String::new(), older_data: false,
///     source: SourceRef { dataset: "IEA".into(), year: 2024 }, caveats: vec![], withheld: vec![],
///     published: vec![], world_total: None, previous: None, projections: vec![],
/// };
/// let country = |code: &str, wgi| Country {
///     code: c(code), iso2: String::new(), name: code.into(), wgi_mean: Some(wgi),
/// };
/// let reference = ReferenceData {
///     materials: vec![Material {
///         id: "rare_earths_magnet".into(), name: "Magnet rare earths".into(), symbols: vec![],
///         lists: Default::default(), eu: None,
///         stages: vec![series(
///             Stage::Refining,
///             CountryMix::from_shares([(c("CHN"), 91.0), (c("MYS"), 9.0)]).unwrap(),
///         )],
///     }],
///     countries: vec![country("CHN", -0.3), country("JPN", 1.3), country("MYS", 0.4)],
///     groups: vec![], datasets: vec![],
/// };
/// // Looked through by world production (by trade, Japan's imports would feed refining).
/// let portfolio = Portfolio::from_json(r#"{"schema_version": 1, "look_through": "world",
///     "lines": [
///     {"material": "rare_earths_magnet", "label": "NdFeB magnets", "spend": 4000000,
///      "revenue_share_pct": 35, "sourcing": {"component": {"JPN": 100}}}]}"#, &reference).unwrap();
/// let result = assess(&portfolio, &reference, &AssessParams::default());
/// let hidden = &result.lines[0].hidden[0];
/// assert_eq!((hidden.stage, hidden.country), (Stage::Refining, c("CHN")));
/// assert!((hidden.hidden - 0.91).abs() < 1e-12);
/// assert_eq!(result.materials[0].action, ActionClass::QualifySecondSource);
/// // Japan carries all of the spend at the component stage, China 91 % of it at refining.
/// assert_eq!(result.chokepoints[0].country, c("JPN"));
/// assert_eq!((result.chokepoints[1].stage, result.chokepoints[1].country), (Stage::Refining, c("CHN")));
/// ```
pub fn assess(
    portfolio: &Portfolio,
    reference: &ReferenceData,
    params: &AssessParams,
) -> Assessment {
    assess_with_trade(portfolio, reference, embedded_trade(), params)
}

/// [`assess`] with the trade table `trade` for the look-through by trade instead of the
/// embedded one (tests, other data).
pub fn assess_with_trade(
    portfolio: &Portfolio,
    reference: &ReferenceData,
    trade: &TradeTable,
    params: &AssessParams,
) -> Assessment {
    let (groups, resolved) = looked_through(portfolio, reference, trade);
    let mut assessment = assess_resolved(portfolio, (reference, trade), params, &groups, &resolved);
    check_policy_of(&mut assessment, portfolio, reference, &groups, &resolved);
    assessment
}

/// [`assess_with_trade`] but for the policy checks: every [`MaterialResult::policy`] is empty,
/// and so is [`Assessment::policy`] (no finding, no research date) until
/// [`add_policy_checks`] runs them. Everything else is as [`assess_with_trade`] gives it: no
/// other result reads the policy findings. The Calculator page's first screen shows no policy
/// finding, so the page load computes it without them and without the policy rules
/// (`app::results::derive_without_policy`; issue #19).
pub fn assess_without_policy(
    portfolio: &Portfolio,
    reference: &ReferenceData,
    trade: &TradeTable,
    params: &AssessParams,
) -> Assessment {
    let (groups, resolved) = looked_through(portfolio, reference, trade);
    assess_resolved(portfolio, (reference, trade), params, &groups, &resolved)
}

/// [`assess_without_policy`] of `portfolio`, whose lines `resolved` are looked through by its
/// setting, with its country `groups` (the reference data's, then its own).
fn assess_resolved(
    portfolio: &Portfolio,
    (reference, trade): (&ReferenceData, &TradeTable),
    params: &AssessParams,
    groups: &Groups<'_>,
    resolved: &[Resolved<'_>],
) -> Assessment {
    let resolve = |basis| resolve_lines(portfolio, reference, trade, basis);
    let lines: Vec<LineResult> = resolved
        .iter()
        .enumerate()
        .map(|(index, r)| line_result(index, r, reference, params, groups))
        .collect();

    // Materials in order of first appearance.
    let mut material_ids: Vec<&str> = Vec::new();
    for line in &portfolio.lines {
        if !material_ids.contains(&line.material.as_str()) {
            material_ids.push(&line.material);
        }
    }
    let total_spend: f64 = portfolio.lines.iter().map(|l| l.spend.get()).sum();
    let calibration = ActionCalibration::of(
        reference,
        params.unknown_governance,
        params.thresholds.supply_risk,
    );
    let materials: Vec<MaterialResult> = material_ids
        .iter()
        .map(|id| {
            material_result(
                id,
                resolved,
                total_spend,
                reference,
                params,
                &calibration,
                groups,
            )
        })
        .collect();
    let policy = PolicySummary {
        date: params.date,
        researched: None,
        findings: 0,
        rules: 0,
        failing: Vec::new(),
        context: Vec::new(),
        errors: Vec::new(),
    };

    let all: Vec<&Resolved<'_>> = resolved.iter().collect();
    let by_spend = aggregate(&all, spend_weight, reference, groups);
    let by_revenue = aggregate(&all, revenue_weight, reference, groups);
    let mut hidden: Vec<MaterialHidden> = materials
        .iter()
        .flat_map(|m| {
            m.hidden.iter().map(|h| MaterialHidden {
                material: m.material.clone(),
                exposure: h.clone(),
            })
        })
        .collect();
    crate::model::order::sort_by(&mut hidden, |a, b| {
        b.exposure
            .hidden
            .total_cmp(&a.exposure.hidden)
            .then(a.material.cmp(&b.material))
            .then(a.exposure.stage.cmp(&b.exposure.stage))
            .then(a.exposure.country.cmp(&b.exposure.country))
    });
    let stages = by_spend
        .into_iter()
        .zip(by_revenue)
        .map(|(by_spend, by_revenue)| PortfolioStage {
            stage: by_spend.stage,
            by_spend: across_materials(by_spend),
            by_revenue: across_materials(by_revenue),
        })
        .collect();

    let scored: Vec<(f64, f64, f64)> = lines
        .iter()
        .filter_map(|l| Some((l.supply_risk?, l.spend, l.revenue_share)))
        .collect();
    let by = |pick: fn(&(f64, f64, f64)) -> f64| {
        weighted_mean(&scored.iter().map(|t| (t.0, pick(t))).collect::<Vec<_>>())
    };
    let actions = ActionCounts::count(materials.iter().map(|m| m.action));
    let totals = Totals {
        lines: portfolio.lines.len(),
        materials: materials.len(),
        spend: total_spend,
        spend_unit: portfolio.spend_unit.clone(),
        revenue_share: portfolio
            .lines
            .iter()
            .map(|l| l.revenue_share.get())
            .sum::<f64>()
            .min(1.0),
        supply_risk_by_spend: by(|t| t.1),
        supply_risk_by_revenue: by(|t| t.2),
        actions,
    };

    let mut chokepoints = chokepoints(resolved, &materials, params);
    let other = resolve(portfolio.look_through.other());
    for c in &mut chokepoints {
        c.share_other_basis = share_other_basis(c, resolved, &other);
    }
    Assessment {
        name: portfolio.name.clone(),
        params: params.clone(),
        look_through: portfolio.look_through,
        totals,
        chokepoints,
        data_gaps: data_gaps(&materials),
        calibration,
        lines,
        materials,
        stages,
        hidden,
        policy,
        warnings: portfolio.warnings(reference),
    }
}

/// Runs the policy checks of `assessment`, which [`assess_without_policy`] made of `portfolio`
/// with `reference` and `trade`: fills each [`MaterialResult::policy`] and
/// [`Assessment::policy`] with the embedded rules on the assessment's date, as
/// [`assess_with_trade`] does.
pub fn add_policy_checks(
    assessment: &mut Assessment,
    portfolio: &Portfolio,
    reference: &ReferenceData,
    trade: &TradeTable,
) {
    let (groups, resolved) = looked_through(portfolio, reference, trade);
    check_policy_of(assessment, portfolio, reference, &groups, &resolved);
}

/// The policy checks of [`add_policy_checks`], with the lines already looked through.
fn check_policy_of(
    assessment: &mut Assessment,
    portfolio: &Portfolio,
    reference: &ReferenceData,
    groups: &Groups<'_>,
    resolved: &[Resolved<'_>],
) {
    let owned_groups: Vec<CountryGroup> = groups.list.iter().map(|g| (*g).clone()).collect();
    assessment.policy = check_policy(
        &mut assessment.materials,
        (resolved, portfolio),
        (embedded_rules(), rules_researched()),
        assessment.params.date,
        (reference, groups, &owned_groups),
    );
}

/// The country groups of `portfolio` (the reference data's, then its own) and its lines looked
/// through by its setting: what the assessment and its policy checks start from.
fn looked_through<'a>(
    portfolio: &'a Portfolio,
    reference: &'a ReferenceData,
    trade: &'a TradeTable,
) -> (Groups<'a>, Vec<Resolved<'a>>) {
    let groups = Groups::new(reference.groups.iter().chain(&portfolio.groups).collect());
    let resolved = resolve_lines(portfolio, reference, trade, portfolio.look_through);
    (groups, resolved)
}

/// Each line of `portfolio` with its stages looked through by `basis`.
fn resolve_lines<'a>(
    portfolio: &'a Portfolio,
    reference: &'a ReferenceData,
    trade: &'a TradeTable,
    basis: LookThroughBasis,
) -> Vec<Resolved<'a>> {
    portfolio
        .lines
        .iter()
        .map(|line| Resolved {
            line,
            stages: look_through_by(line, reference, basis, trade),
        })
        .collect()
}

fn line_result(
    index: usize,
    resolved: &Resolved<'_>,
    reference: &ReferenceData,
    params: &AssessParams,
    groups: &Groups<'_>,
) -> LineResult {
    let line = resolved.line;
    let stages: Vec<StageResult> = resolved
        .stages
        .iter()
        .map(|r| {
            let counted = line.facility_counts.contains(&r.stage);
            stage_result(
                (r.stage, r.basis, r.trade.clone(), counted),
                r.mix.as_deref().cloned(),
                reference,
                groups,
            )
        })
        .collect();
    let firm = firm_supply_risk_of(
        &line.material,
        &stage_mixes(&stages),
        reference,
        params.unknown_governance,
    );
    LineResult {
        line: index + 1,
        label: line.label.clone(),
        material: line.material.clone(),
        spend: line.spend.get(),
        revenue_share: line.revenue_share.get(),
        inventory_days: line.inventory_days.get(),
        direct_stage: direct_stage(line),
        worst_stage: firm.as_ref().map(|f| f.bottleneck),
        supply_risk: firm.as_ref().map(|f| f.value),
        hidden: hidden_exposure(line, &resolved.stages),
        stages,
    }
}

fn material_result(
    id: &str,
    resolved: &[Resolved<'_>],
    total_spend: f64,
    reference: &ReferenceData,
    params: &AssessParams,
    calibration: &ActionCalibration,
    groups: &Groups<'_>,
) -> MaterialResult {
    let mine: Vec<(usize, &Resolved<'_>)> = resolved
        .iter()
        .enumerate()
        .filter(|(_, r)| r.line.material == id)
        .collect();
    let set: Vec<&Resolved<'_>> = mine.iter().map(|(_, r)| *r).collect();
    let stages = aggregate(&set, spend_weight, reference, groups);
    let hidden = material_hidden(&set, spend_weight);
    let spend: f64 = set.iter().map(|r| r.line.spend.get()).sum();
    let revenue_share = set
        .iter()
        .map(|r| r.line.revenue_share.get())
        .sum::<f64>()
        .min(1.0);
    let firm_supply_risk = firm_supply_risk_of(
        id,
        &stage_mixes(&stages),
        reference,
        params.unknown_governance,
    );
    let (value, basis, stage) = match params.supply_risk.get(id).filter(|v| v.is_finite()) {
        Some(&value) => (Some(value), SupplyRiskBasis::Caller, None),
        None => match &firm_supply_risk {
            Some(f) => (Some(f.value), SupplyRiskBasis::Firm, Some(f.bottleneck)),
            None => (None, SupplyRiskBasis::Unavailable, None),
        },
    };
    let supply_risk = SupplyRiskScore {
        value,
        basis,
        stage,
        threshold: calibration.threshold(basis),
    };
    MaterialResult {
        material: id.to_string(),
        name: reference
            .material(id)
            .map_or_else(|| id.to_string(), |m| m.name.clone()),
        lines: mine.iter().map(|(i, _)| i + 1).collect(),
        spend,
        spend_share: if total_spend > 0.0 {
            spend / total_spend
        } else {
            0.0
        },
        revenue_share,
        min_inventory_days: set
            .iter()
            .map(|r| r.line.inventory_days.get())
            .reduce(f64::min)
            .unwrap_or(0.0),
        worst_stage: firm_supply_risk.as_ref().map(|f| f.bottleneck),
        action: classify(
            supply_risk.value,
            supply_risk.threshold,
            revenue_share,
            params.thresholds.business_impact,
        ),
        business_impact: revenue_share,
        supply_risk,
        eu_reference: reference.material(id).and_then(eu_reference),
        firm_supply_risk,
        policy: Vec::new(),
        stages,
        hidden,
    }
}

fn chokepoints(
    resolved: &[Resolved<'_>],
    materials: &[MaterialResult],
    params: &AssessParams,
) -> Vec<Chokepoint> {
    // (material, stage, country) -> (spend exposed, revenue exposed)
    let mut sums: BTreeMap<(&str, Stage, CountryCode), (f64, f64)> = BTreeMap::new();
    for r in resolved {
        for stage in &r.stages {
            let Some(mix) = stage.mix.as_deref() else {
                continue;
            };
            for &(country, share) in mix.entries() {
                if country.is_rest_of_world() {
                    continue;
                }
                let entry = sums
                    .entry((r.line.material.as_str(), stage.stage, country))
                    .or_insert((0.0, 0.0));
                entry.0 += r.line.spend.get() * share;
                entry.1 += r.line.revenue_share.get() * share;
            }
        }
    }
    let mut list: Vec<Chokepoint> = sums
        .into_iter()
        .map(
            |((material, stage, country), (spend_exposed, revenue_exposed))| {
                let stage_result = materials
                    .iter()
                    .find(|m| m.material == material)
                    .and_then(|m| m.stages.iter().find(|s| s.stage == stage));
                Chokepoint {
                    material: material.to_string(),
                    stage,
                    country,
                    basis: stage_result.map_or(MixBasis::Unavailable, |s| s.basis),
                    share: stage_result
                        .and_then(|s| s.mix.as_ref())
                        .map_or(0.0, |m| m.share_of(country)),
                    share_other_basis: None,
                    spend_exposed,
                    revenue_exposed,
                }
            },
        )
        .collect();
    let key = |c: &Chokepoint| match params.rank_by {
        RankBy::Spend => (c.spend_exposed, c.revenue_exposed),
        RankBy::Revenue => (c.revenue_exposed, c.spend_exposed),
    };
    // A total order (material, stage and country break ties), so selecting the first
    // `max_chokepoints` and sorting only those gives the same list as sorting everything: a
    // 200-line portfolio has thousands of (material, stage, country) triples and keeps 25.
    let order = |a: &Chokepoint, b: &Chokepoint| {
        let (ka, kb) = (key(a), key(b));
        kb.0.total_cmp(&ka.0)
            .then(kb.1.total_cmp(&ka.1))
            .then(a.material.cmp(&b.material))
            .then(a.stage.cmp(&b.stage))
            .then(a.country.cmp(&b.country))
    };
    let keep = params.max_chokepoints;
    if keep > 0 && list.len() > keep {
        list.select_nth_unstable_by(keep - 1, order);
        list.truncate(keep);
    }
    crate::model::order::sort_by(&mut list, order);
    list
}

/// The chokepoint's country share at its material and stage, spend-weighted over the
/// material's lines, when they are looked through on the other basis (`other`, line by line
/// as `resolved`); `None` when no line's stage has a different basis there.
fn share_other_basis(
    chokepoint: &Chokepoint,
    resolved: &[Resolved<'_>],
    other: &[Resolved<'_>],
) -> Option<f64> {
    let mut differs = false;
    let mut parts = Vec::new();
    for (r, o) in resolved.iter().zip(other) {
        if r.line.material != chokepoint.material {
            continue;
        }
        let basis = |x: &Resolved<'_>| {
            x.stages
                .iter()
                .find(|s| s.stage == chokepoint.stage)
                .map(|s| s.basis)
        };
        differs |= basis(r) != basis(o);
        if let Some(s) = o.stages.iter().find(|s| s.stage == chokepoint.stage)
            && let Some(mix) = s.mix.as_deref()
        {
            parts.push((r.line.spend.get(), mix));
        }
    }
    if !differs {
        return None;
    }
    Some(weighted_mix(parts).map_or(0.0, |m| m.share_of(chokepoint.country)))
}

fn data_gaps(materials: &[MaterialResult]) -> Vec<DataGap> {
    let mut gaps = Vec::new();
    for material in materials {
        for stage in &material.stages {
            if stage.mix.is_none() {
                gaps.push(DataGap::NoMix {
                    material: material.material.clone(),
                    stage: stage.stage,
                });
            }
            // ROW never has a WGI score; only named countries are a gap.
            let countries: Vec<CountryCode> = stage
                .hhi_wgi
                .iter()
                .flat_map(|k| &k.missing)
                .map(|m| m.country)
                .filter(|c| !c.is_rest_of_world())
                .collect();
            if !countries.is_empty() {
                gaps.push(DataGap::NoWgi {
                    material: material.material.clone(),
                    stage: stage.stage,
                    countries,
                });
            }
        }
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bits of every group share, for comparing results exactly.
    fn bits(shares: &[GroupShare]) -> Vec<(String, u64)> {
        shares
            .iter()
            .map(|g| (g.group.clone(), g.share.to_bits()))
            .collect()
    }

    #[test]
    fn group_masks_give_the_bits_of_group_shares() {
        let reference = crate::reference::embedded();
        let mut user = reference.groups[0].clone();
        user.id = "mine".into();
        user.user_defined = true;
        // A duplicate member counts once, as in `CountryGroup::contains`.
        user.members.extend(user.members.clone());
        let list: Vec<&CountryGroup> = reference.groups.iter().chain([&user]).collect();
        let groups = Groups::new(list.clone());
        assert!(groups.masks.is_some());
        // More than 64 groups: the plain computation.
        let many: Vec<&CountryGroup> = (0..70).map(|i| list[i % list.len()]).collect();
        let fallback = Groups::new(many.clone());
        assert!(fallback.masks.is_none());
        let mut mixes = 0;
        for material in &reference.materials {
            for series in &material.stages {
                let mix = &series.mix;
                let expected = group_shares(mix, list.iter().copied());
                assert_eq!(
                    bits(&groups.shares(mix)),
                    bits(&expected),
                    "{}",
                    material.id
                );
                assert_eq!(groups.shares(mix), expected);
                let expected = group_shares(mix, many.iter().copied());
                assert_eq!(bits(&fallback.shares(mix)), bits(&expected));
                mixes += 1;
            }
        }
        assert!(mixes > 100, "{mixes}");
        // A mix with no member of any group: every share is the empty sum, -0.0.
        let none = CountryMix::from_shares([(CountryCode::REST_OF_WORLD, 100.0)]).unwrap();
        let expected = group_shares(&none, list.iter().copied());
        assert_eq!(bits(&groups.shares(&none)), bits(&expected));
    }
}
