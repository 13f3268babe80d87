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

/// The percentile of the catalogue's scores at which supply risk becomes high (see the module
/// notes): the top quarter.
pub const CALIBRATION_PERCENTILE: f64 = 75.0;

/// The thresholds of the two action axes. A value at or above a threshold is high.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActionThresholds {
    /// Supply risk at or above which supply risk is high; `None` (default) calibrates it on the
    /// catalogue ([`ActionCalibration`]). An explicit value applies to every basis.
    pub supply_risk: Option<f64>,
    /// Revenue dependence (fraction) at or above which business impact is high. Default 0.10,
    /// a tenth of revenue: Chokepoint's choice, not an EU or other published threshold.
    pub business_impact: f64,
}

impl Default for ActionThresholds {
    fn default() -> Self {
        ActionThresholds {
            supply_risk: None,
            business_impact: 0.10,
        }
    }
}

/// The supply-risk thresholds the action classes used, and where they come from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActionCalibration {
    /// The percentile of the catalogue the calibrated thresholds sit at.
    pub percentile: f64,
    /// The threshold for the firm supply risk: the percentile of the catalogue scores; `None`
    /// when no material of the reference data has a world mix.
    pub firm: Option<f64>,
    /// Number of catalogue materials behind `firm`.
    pub firm_materials: usize,
    /// The threshold for a caller's values: the percentile of the EU 2023 published SR over
    /// the catalogue; `None` when the reference data has none.
    pub caller: Option<f64>,
    /// Number of catalogue materials behind `caller`.
    pub caller_materials: usize,
    /// The explicit threshold that replaced both ([`ActionThresholds::supply_risk`]).
    pub explicit: Option<f64>,
}

impl ActionCalibration {
    /// The calibration of `reference` at [`CALIBRATION_PERCENTILE`], with `explicit` replacing
    /// both thresholds where given; `unknown` is the governance assumed for countries without a
    /// score, as in the firm supply risk.
    pub fn of(reference: &ReferenceData, unknown: f64, explicit: Option<f64>) -> ActionCalibration {
        let firm: Vec<f64> = catalogue_scores(reference, unknown)
            .iter()
            .map(|c| c.score)
            .collect();
        let caller: Vec<f64> = reference
            .materials
            .iter()
            .filter_map(|m| m.eu.as_ref()?.supply_risk)
            .filter(|v| v.is_finite())
            .collect();
        ActionCalibration {
            percentile: CALIBRATION_PERCENTILE,
            firm: percentile(&firm, CALIBRATION_PERCENTILE),
            firm_materials: firm.len(),
            caller: percentile(&caller, CALIBRATION_PERCENTILE),
            caller_materials: caller.len(),
            explicit: explicit.filter(|v| v.is_finite()),
        }
    }

    /// The threshold for a supply risk of `basis`: the explicit one, else the calibrated one;
    /// `None` when there is neither (every value then counts as high).
    pub fn threshold(&self, basis: SupplyRiskBasis) -> Option<f64> {
        self.explicit.or(match basis {
            SupplyRiskBasis::Caller => self.caller,
            SupplyRiskBasis::Firm | SupplyRiskBasis::Unavailable => self.firm,
        })
    }
}

/// What the chokepoint list is ranked by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RankBy {
    /// Spend exposed (default).
    #[default]
    Spend,
    /// Revenue exposed.
    Revenue,
}

/// The parameters of [`assess`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AssessParams {
    /// Supply risk per material id, supplied by the caller (for example the EU 2023 SR, or one
    /// computed with the EU formula). A material absent here gets the firm supply risk (see the
    /// module notes). Default: empty.
    pub supply_risk: BTreeMap<String, f64>,
    /// Thresholds of the action classes. Default: [`ActionThresholds::default`].
    pub thresholds: ActionThresholds,
    /// What the chokepoint list is ranked by. Default: spend.
    pub rank_by: RankBy,
    /// How many chokepoints to keep, highest first; 0 keeps all. Default 25.
    pub max_chokepoints: usize,
    /// The date the policy rules are checked on (rules in force, threshold year). `None`
    /// (default) checks every rule as written, regardless of its dates, and reports each with
    /// its dates (see the module notes). There is no clock: a caller that wants "today" passes
    /// it.
    pub date: Option<Date>,
    /// Governance score (EU 0-10 scale, 10 = weakest) assumed in the firm supply risk for a
    /// country without a WGI score and for the rest-of-world remainder `ROW`. Default
    /// [`UNKNOWN_GOVERNANCE_EU_SCALE`] (5, the average country's): the one convention of
    /// [`governance`](crate::analysis::governance). Every use is listed in the result.
    pub unknown_governance: f64,
}

impl Default for AssessParams {
    fn default() -> Self {
        AssessParams {
            supply_risk: BTreeMap::new(),
            thresholds: ActionThresholds::default(),
            rank_by: RankBy::Spend,
            max_chokepoints: 25,
            date: None,
            unknown_governance: UNKNOWN_GOVERNANCE_EU_SCALE,
        }
    }
}

impl AssessParams {
    /// These parameters with the published EU 2023 supply risk of every material of `reference`
    /// that has one, where the caller has not already given a value.
    pub fn with_published_eu_supply_risk(mut self, reference: &ReferenceData) -> AssessParams {
        for material in &reference.materials {
            if let Some(sr) = material.eu.as_ref().and_then(|eu| eu.supply_risk)
                && sr.is_finite()
            {
                self.supply_risk.entry(material.id.clone()).or_insert(sr);
            }
        }
        self
    }
}

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

/// One line's results.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LineResult {
    /// Line number, from 1.
    pub line: usize,
    /// The line's label.
    pub label: Option<String>,
    /// Material id.
    pub material: String,
    /// Annual spend.
    pub spend: f64,
    /// Revenue dependence (fraction).
    pub revenue_share: f64,
    /// Days of inventory held.
    pub inventory_days: f64,
    /// The most downstream stage the firm knows: where its direct suppliers are.
    pub direct_stage: Option<Stage>,
    /// The line's bottleneck: the stage with the highest firm supply risk of the line's own
    /// look-through
    /// ([`bottleneck`](crate::analysis::firm_risk::bottleneck)); `None` when no stage is scored.
    pub worst_stage: Option<Stage>,
    /// The line's own firm supply risk (GeoPolRisk, 0..1) at that stage; `None` when no stage
    /// is scored.
    pub supply_risk: Option<f64>,
    /// Each stage after the look-through, upstream first.
    pub stages: Vec<StageResult>,
    /// Hidden exposure upstream of the direct stage, largest first.
    pub hidden: Vec<HiddenExposure>,
}

/// Where a material's supply-risk value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplyRiskBasis {
    /// The caller's value ([`AssessParams::supply_risk`]).
    Caller,
    /// The firm supply risk: the GeoPolRisk score of the firm's own look-through mix
    /// ([`MaterialResult::firm_supply_risk`]).
    Firm,
    /// No value and no scored stage; counted as high.
    Unavailable,
}

/// A material's supply-risk value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SupplyRiskScore {
    /// The value; `None` when unavailable.
    pub value: Option<f64>,
    /// Where it comes from.
    pub basis: SupplyRiskBasis,
    /// For the firm supply risk, the stage it comes from (the bottleneck).
    pub stage: Option<Stage>,
    /// The threshold at or above which it counts as high ([`ActionCalibration::threshold`]);
    /// `None` when there is none.
    pub threshold: Option<f64>,
}

/// The recommended action for a material.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionClass {
    /// High supply risk, high business impact.
    QualifySecondSource,
    /// High supply risk, low business impact.
    HoldBufferStock,
    /// Low supply risk, high business impact.
    Monitor,
    /// Low supply risk, low business impact.
    LowPriority,
}

impl ActionClass {
    /// A short English label.
    pub fn label(self) -> &'static str {
        match self {
            ActionClass::QualifySecondSource => "Qualify a second source",
            ActionClass::HoldBufferStock => "Hold buffer stock",
            ActionClass::Monitor => "Monitor",
            ActionClass::LowPriority => "Low priority",
        }
    }
}

/// The action for a supply risk (`None` = unavailable, counted as high) against its threshold
/// (`None` = no threshold, every value high) and a business impact (fraction of revenue)
/// against its threshold.
///
/// ```
/// use chokepoint::analysis::assess::{classify, ActionClass};
/// let t = Some(0.3); // supply risk threshold; impact threshold 10 %
/// assert_eq!(classify(Some(0.5), t, 0.30, 0.10), ActionClass::QualifySecondSource);
/// assert_eq!(classify(Some(0.5), t, 0.02, 0.10), ActionClass::HoldBufferStock);
/// assert_eq!(classify(Some(0.1), t, 0.30, 0.10), ActionClass::Monitor);
/// assert_eq!(classify(Some(0.1), t, 0.02, 0.10), ActionClass::LowPriority);
/// assert_eq!(classify(None, t, 0.02, 0.10), ActionClass::HoldBufferStock);
/// ```
pub fn classify(
    supply_risk: Option<f64>,
    risk_threshold: Option<f64>,
    impact: f64,
    impact_threshold: f64,
) -> ActionClass {
    let risk_high = match (supply_risk, risk_threshold) {
        (Some(sr), Some(t)) => sr >= t,
        _ => true,
    };
    let impact_high = impact >= impact_threshold;
    match (risk_high, impact_high) {
        (true, true) => ActionClass::QualifySecondSource,
        (true, false) => ActionClass::HoldBufferStock,
        (false, true) => ActionClass::Monitor,
        (false, false) => ActionClass::LowPriority,
    }
}

/// One material's results, over all of its lines, weighted by spend.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MaterialResult {
    /// Material id.
    pub material: String,
    /// Display name from the reference data (the id when unknown).
    pub name: String,
    /// The material's line numbers (from 1).
    pub lines: Vec<usize>,
    /// Total annual spend.
    pub spend: f64,
    /// Its fraction of the portfolio's spend.
    pub spend_share: f64,
    /// Revenue dependence (fraction): the sum over its lines, capped at 1.
    pub revenue_share: f64,
    /// The fewest days of inventory among its lines.
    pub min_inventory_days: f64,
    /// Each stage, spend-weighted over its lines, upstream first.
    pub stages: Vec<StageResult>,
    /// The material's bottleneck: the stage with the highest firm supply risk
    /// ([`bottleneck`](crate::analysis::firm_risk::bottleneck)),
    /// the one stage the dashboard marks and the supply-risk column reports; `None` when no
    /// stage is scored.
    pub worst_stage: Option<Stage>,
    /// Exposure the firm did not enter: each stage the look-through filled, its spend-weighted
    /// mix against the spend-weighted mix of the same lines' direct suppliers (see
    /// [`crate::analysis::exposure`]). Largest first.
    pub hidden: Vec<HiddenExposure>,
    /// The supply-risk axis: the caller's value, else the firm supply risk.
    pub supply_risk: SupplyRiskScore,
    /// The EU 2023 published supply risk, economic importance and bottleneck of the material:
    /// the EU-level reference value, not the firm's. `None` where the EU did not assess it.
    pub eu_reference: Option<EuReference>,
    /// The firm supply risk (GeoPolRisk) of the firm's own look-through mix, per stage and at
    /// the bottleneck, with its assumptions; `None` when no stage is scored.
    pub firm_supply_risk: Option<FirmSupplyRiskResult>,
    /// Policy findings for each stage with a mix and each rule with a share test that covers the
    /// material, stage by stage in rule-data order.
    pub policy: Vec<PolicyFinding>,
    /// The business-impact axis: equal to `revenue_share`.
    pub business_impact: f64,
    /// The recommended action.
    pub action: ActionClass,
}

/// One stage over the whole portfolio (all materials): the mix and the group shares, never an
/// HHI (`concentration` and `hhi_wgi` are `None`: a concentration describes one material).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PortfolioStage {
    /// The stage.
    pub stage: Stage,
    /// The mix weighted by spend (all materials).
    pub by_spend: StageResult,
    /// The mix weighted by revenue dependence (all materials).
    pub by_revenue: StageResult,
}

/// A (material, stage, country) triple the firm depends on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Chokepoint {
    /// Material id.
    pub material: String,
    /// The stage.
    pub stage: Stage,
    /// The country.
    pub country: CountryCode,
    /// Where the shares come from (the firm's own sourcing, the world mix, or both).
    pub basis: MixBasis,
    /// The country's share of the material's spend-weighted mix at this stage (fraction).
    pub share: f64,
    /// The same share with the look-through on the other basis (by world production when the
    /// portfolio looks through by trade, and the reverse), so that the choice's effect shows;
    /// `None` when no line of the material has the stage filled differently.
    pub share_other_basis: Option<f64>,
    /// `sum_i spend_i * s_ic`: annual spend that passes through the country at this stage.
    pub spend_exposed: f64,
    /// `sum_i r_i * s_ic`: fraction of revenue that depends on the country at this stage.
    pub revenue_exposed: f64,
}

/// Portfolio totals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Totals {
    /// Number of lines.
    pub lines: usize,
    /// Number of distinct materials.
    pub materials: usize,
    /// Total annual spend.
    pub spend: f64,
    /// The unit of spend, as given.
    pub spend_unit: Option<String>,
    /// Revenue dependence over all lines (fraction), the sum capped at 1.
    pub revenue_share: f64,
    /// Spend-weighted mean over lines of each line's firm supply risk
    /// ([`LineResult::supply_risk`], GeoPolRisk, 0..1, a score meant to compare materials);
    /// lines without one are left out. `None` when no line has one. No HHI is averaged across
    /// materials: a concentration describes one material at one stage.
    pub supply_risk_by_spend: Option<f64>,
    /// The same, weighted by revenue dependence.
    pub supply_risk_by_revenue: Option<f64>,
    /// Number of materials per action.
    pub actions: ActionCounts,
}

/// Number of materials per action.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ActionCounts {
    /// [`ActionClass::QualifySecondSource`].
    pub qualify_second_source: usize,
    /// [`ActionClass::HoldBufferStock`].
    pub hold_buffer_stock: usize,
    /// [`ActionClass::Monitor`].
    pub monitor: usize,
    /// [`ActionClass::LowPriority`].
    pub low_priority: usize,
}

impl ActionCounts {
    /// Counts `actions`.
    pub fn count(actions: impl IntoIterator<Item = ActionClass>) -> ActionCounts {
        let mut counts = ActionCounts::default();
        for action in actions {
            *match action {
                ActionClass::QualifySecondSource => &mut counts.qualify_second_source,
                ActionClass::HoldBufferStock => &mut counts.hold_buffer_stock,
                ActionClass::Monitor => &mut counts.monitor,
                ActionClass::LowPriority => &mut counts.low_priority,
            } += 1;
        }
        counts
    }

    /// The total over all actions.
    pub fn total(&self) -> usize {
        self.qualify_second_source + self.hold_buffer_stock + self.monitor + self.low_priority
    }
}

/// A place where the reference data lacks what a result needs.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DataGap {
    /// A stage the firm does not know and the reference data has no world mix for.
    NoMix {
        /// Material id.
        material: String,
        /// The stage.
        stage: Stage,
    },
    /// Named countries of a material's stage without a governance score (left out of
    /// `HHI_WGI`; `ROW`, which never has one, is not listed here but is in [`HhiWgi::missing`]).
    NoWgi {
        /// Material id.
        material: String,
        /// The stage.
        stage: Stage,
        /// The countries.
        countries: Vec<CountryCode>,
    },
}

/// Everything [`assess`] computes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assessment {
    /// The portfolio's name.
    pub name: Option<String>,
    /// The parameters used.
    pub params: AssessParams,
    /// Totals.
    pub totals: Totals,
    /// Per line, in portfolio order.
    pub lines: Vec<LineResult>,
    /// Per material, in order of first appearance.
    pub materials: Vec<MaterialResult>,
    /// Per stage over the whole portfolio, upstream first.
    pub stages: Vec<PortfolioStage>,
    /// How the look-through filled unstated stages (the portfolio's setting).
    pub look_through: LookThroughBasis,
    /// The exposure the firm did not enter, each material's own ([`MaterialResult::hidden`]),
    /// listed together largest first; never blended across materials.
    pub hidden: Vec<MaterialHidden>,
    /// Chokepoints, highest first by [`AssessParams::rank_by`].
    pub chokepoints: Vec<Chokepoint>,
    /// Where reference data is missing, per material and stage.
    pub data_gaps: Vec<DataGap>,
    /// The supply-risk thresholds of the action classes and where they come from.
    pub calibration: ActionCalibration,
    /// The policy checks over the whole portfolio: the failing findings.
    pub policy: PolicySummary,
    /// Entries the reference data contradicts (a mining or refining country with no recorded
    /// production of the material at that stage), line by line; warnings, not errors: the
    /// entries are used as typed ([`crate::portfolio::warnings`]).
    pub warnings: Vec<SourcingWarning>,
}

/// One material's exposure it did not enter, in the portfolio's list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MaterialHidden {
    /// Material id.
    pub material: String,
    /// The exposure.
    #[serde(flatten)]
    pub exposure: HiddenExposure,
}

/// The policy checks over the whole portfolio.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicySummary {
    /// The date checked; `None` when every rule was checked as written, regardless of date.
    pub date: Option<Date>,
    /// When the rules were researched ([`rules_researched`]): statuses on a later date are as
    /// then recorded, and a scheduled change in between is flagged on its finding
    /// ([`PolicyFinding::unconfirmed`]).
    pub researched: Option<Researched>,
    /// Number of findings over all materials and stages.
    pub findings: usize,
    /// Number of distinct rules that gave at least one finding.
    pub rules: usize,
    /// The failing findings, in material and stage order. EU-level benchmarks are never among
    /// them (see `context`).
    pub failing: Vec<PolicyFinding>,
    /// The EU-level benchmarks measured on the portfolio's mixes (the CRMA's 65 % benchmark, the
    /// EU's own target for the Union's consumption): context, not the firm's failures.
    pub context: Vec<PolicyFinding>,
    /// Checks that could not run, for example a rule naming a country group the reference data
    /// lacks.
    pub errors: Vec<String>,
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
    let groups = Groups::new(reference.groups.iter().chain(&portfolio.groups).collect());
    let resolve = |basis| -> Vec<Resolved<'_>> {
        portfolio
            .lines
            .iter()
            .map(|line| Resolved {
                line,
                stages: look_through_by(line, reference, basis, trade),
            })
            .collect()
    };
    let resolved = resolve(portfolio.look_through);

    let lines: Vec<LineResult> = resolved
        .iter()
        .enumerate()
        .map(|(index, r)| line_result(index, r, reference, params, &groups))
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
    let mut materials: Vec<MaterialResult> = material_ids
        .iter()
        .map(|id| {
            material_result(
                id,
                &resolved,
                total_spend,
                reference,
                params,
                &calibration,
                &groups,
            )
        })
        .collect();
    let owned_groups: Vec<CountryGroup> = groups.list.iter().map(|g| (*g).clone()).collect();
    let policy = check_policy(
        &mut materials,
        (&resolved, portfolio),
        (embedded_rules(), rules_researched()),
        params.date,
        (reference, &groups, &owned_groups),
    );

    let all: Vec<&Resolved<'_>> = resolved.iter().collect();
    let by_spend = aggregate(&all, spend_weight, reference, &groups);
    let by_revenue = aggregate(&all, revenue_weight, reference, &groups);
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

    let mut chokepoints = chokepoints(&resolved, &materials, params);
    let other = resolve(portfolio.look_through.other());
    for c in &mut chokepoints {
        c.share_other_basis = share_other_basis(c, &resolved, &other);
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

/// The rule's own material id for catalogue id `id`: `id` itself, or an alias of it the rule
/// names (`graphite_natural` for `graphite`).
fn rule_material<'r>(rule: &'r PolicyRule, id: &'r str) -> Option<&'r str> {
    if rule.covers_material(id) {
        return Some(id);
    }
    // Same as `canonical_material_id(m) == Some(id)` for each of the rule's ids, but looks at
    // the aliases of `id` only (most materials have none), which keeps a 90-material
    // portfolio's policy checks fast.
    let aliases = material_aliases().iter().filter(|(_, c)| *c == id);
    aliases.clone().next()?;
    rule.material_ids
        .iter()
        .find(|m| {
            aliases
                .clone()
                .any(|(alias, _)| alias.eq_ignore_ascii_case(m.trim()))
        })
        .map(String::as_str)
}

/// The lines of one material with one end use, as the policy checks see them.
struct EndUseGroup<'m> {
    end_use: Option<EndUse>,
    stages: Cow<'m, [StageResult]>,
    /// Stages where a line's own mix counts facilities.
    counted: Vec<Stage>,
}

/// The lines of material `id` grouped by end use, in order of first appearance, each with its
/// stage mixes (the material's own when all its lines share one end use, else those of the
/// group's lines, weighted by spend as the material's are) and the stages where a line's own mix
/// counts facilities rather than volumes.
fn end_use_groups<'m>(
    material: &'m MaterialResult,
    resolved: &[Resolved<'_>],
    reference: &ReferenceData,
    groups: &Groups<'_>,
) -> Vec<EndUseGroup<'m>> {
    let mine: Vec<&Resolved<'_>> = resolved
        .iter()
        .filter(|r| r.line.material == material.material)
        .collect();
    let mut uses: Vec<Option<EndUse>> = Vec::new();
    for r in &mine {
        if !uses.contains(&r.line.end_use) {
            uses.push(r.line.end_use);
        }
    }
    let counted = |stages: &[StageResult]| -> Vec<Stage> {
        stages
            .iter()
            .filter(|s| s.facility_count)
            .map(|s| s.stage)
            .collect()
    };
    if uses.len() <= 1 {
        return vec![EndUseGroup {
            end_use: uses.first().copied().flatten(),
            stages: Cow::Borrowed(material.stages.as_slice()),
            counted: counted(&material.stages),
        }];
    }
    uses.into_iter()
        .map(|end_use| {
            let set: Vec<&Resolved<'_>> = mine
                .iter()
                .copied()
                .filter(|r| r.line.end_use == end_use)
                .collect();
            let stages = aggregate(&set, spend_weight, reference, groups);
            EndUseGroup {
                end_use,
                counted: counted(&stages),
                stages: Cow::Owned(stages),
            }
        })
        .collect()
}

/// Runs the policy checks for every material, end use and stage with a mix, fills
/// [`MaterialResult::policy`] and returns the portfolio summary (see the module notes).
fn check_policy(
    materials: &mut [MaterialResult],
    (resolved, portfolio): (&[Resolved<'_>], &Portfolio),
    (rules, researched): (&[PolicyRule], Option<&Researched>),
    date: Option<Date>,
    (reference, groups, owned_groups): (&ReferenceData, &Groups<'_>, &[CountryGroup]),
) -> PolicySummary {
    let mut errors = Vec::new();
    let mut rule_ids: Vec<&str> = Vec::new();
    for material in materials.iter_mut() {
        let mut findings = Vec::new();
        for group in end_use_groups(material, resolved, reference, groups) {
            let EndUseGroup {
                end_use,
                stages,
                counted,
            } = group;
            let context = PolicyContext {
                end_use,
                jurisdiction: portfolio.jurisdiction,
                customer: portfolio.customer,
            };
            let mixes: Vec<(Stage, &CountryMix)> = stages
                .iter()
                .filter_map(|s| Some((s.stage, s.mix.as_ref()?)))
                .collect();
            for rule in rules.iter().filter(|r| r.check.is_some()) {
                let Some(rule_material) = rule_material(rule, &material.material) else {
                    continue;
                };
                let combined = rule.applicability.stage_logic == StageLogic::Any;
                let mut judged_combined = false;
                for &(stage, mix) in &mixes {
                    // A rule whose stages combine is judged once, on its first covered stage
                    // with a mix, with the others beside it.
                    if combined && (judged_combined || !rule.covered_stages().contains(&stage)) {
                        continue;
                    }
                    judged_combined = combined;
                    let input = CheckInput {
                        material: rule_material,
                        stage,
                        mix,
                        date: date.unwrap_or(Date::MIN),
                        groups: owned_groups,
                        context,
                        other_stages: &mixes,
                        facility_counts: &counted,
                    };
                    let finding = match date {
                        Some(_) => check_rule(rule, &input),
                        None => check_rule_as_written(rule, &input),
                    };
                    match finding {
                        Ok(finding) => {
                            if !rule_ids.contains(&rule.rule_id.as_str()) {
                                rule_ids.push(&rule.rule_id);
                            }
                            let mut owned = PolicyFinding::new(
                                &finding,
                                &material.material,
                                stage,
                                date.is_some(),
                            );
                            owned.end_use = end_use;
                            findings.push(match (date, researched) {
                                (Some(date), Some(r)) => {
                                    owned.with_research_date(rule, date, r.date)
                                }
                                _ => owned,
                            });
                        }
                        Err(e) => {
                            errors.push(format!("{}, {}: {e}", material.material, stage.id()))
                        }
                    }
                }
            }
        }
        material.policy = findings;
    }
    PolicySummary {
        date,
        researched: researched.cloned(),
        findings: materials.iter().map(|m| m.policy.len()).sum(),
        rules: rule_ids.len(),
        failing: findings_where(materials, |f| f.fails()),
        context: findings_where(materials, |f| f.outcome == Outcome::Context),
        errors,
    }
}

/// The findings of every material that satisfy `keep`, in material order (one copy of the code
/// for both lists of the summary).
fn findings_where(
    materials: &[MaterialResult],
    keep: fn(&PolicyFinding) -> bool,
) -> Vec<PolicyFinding> {
    materials
        .iter()
        .flat_map(|m| m.policy.iter().filter(|f| keep(f)).cloned())
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
