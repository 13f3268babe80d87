//! The parameters of an assessment: action thresholds and their calibration, ranking, options.

use super::*;

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
