//! What an assessment returns: per line, per material and for the portfolio, with the action
//! classes, chokepoints, totals and data gaps.

use super::*;

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
