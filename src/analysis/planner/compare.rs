//! The portfolio with the plans applied, and every result compared before and after.

use super::{COVERED_NATIONS, Plan};
use crate::analysis::assess::Assessment;
use crate::model::Stage;
use crate::portfolio::Portfolio;
use serde::Serialize;

/// The portfolio with each plan's mix set as the firm's own sourcing of its stage, on every line
/// of its material (so that the spend-weighted mix of the material is the plan). Plans of
/// materials the portfolio does not hold change nothing.
///
/// ```
/// use chokepoint::analysis::planner::{apply, plan_stage, PlanParams};
/// use chokepoint::portfolio::Portfolio;
/// use chokepoint::model::{CountryCode, CountryMix, Stage};
/// use chokepoint::reference::{Material, ReferenceData, SourceRef, StageSeries};
/// let c = |s: &str| CountryCode::parse(s).unwrap();
/// let world = CountryMix::from_shares([(c("CHN"), 90.0), (c("JPN"), 10.0)]).unwrap();
/// let reference = ReferenceData {
///     materials: vec![Material {
///         id: "gallium".into(), name: "Gallium".into(), symbols: vec![], lists: Default::default(),
///         eu: None,
///         stages: vec![StageSeries {
///             stage: Stage::Refining, detail: String::new(), mix: world, unit: String::new(),
///             source: SourceRef { dataset: "X".into(), year: 2024 }, older_data: false,
///             caveats: vec![], withheld: vec![], published: vec![], world_total: None,
///             previous: None, projections: vec![],
///         }],
///     }],
///     countries: vec![], groups: vec![], datasets: vec![],
/// };
/// let portfolio = Portfolio::from_json(r#"{"schema_version": 1, "lines": [
///     {"material": "gallium", "spend": 100, "revenue_share_pct": 5}]}"#, &reference).unwrap();
/// // This reference has no restricted list (the default names one) and no governance scores
/// // (the weak-governance rule would hold every country).
/// let params = PlanParams { restricted: None, weak_governance: None, ..PlanParams::default() };
/// let plan = plan_stage(&portfolio, &reference, "gallium", Stage::Refining, &params).unwrap();
/// let after = apply(&portfolio, &[plan]);
/// let mix = after.lines[0].sourcing.get(Stage::Refining).unwrap();
/// assert!((mix.share_of(c("JPN")) - 0.2).abs() < 1e-9); // twice its world share
///
/// // Every result of `assess`, before and after:
/// use chokepoint::analysis::planner::compare;
/// use chokepoint::analysis::assess::{assess, AssessParams};
/// let params = AssessParams::default();
/// let comparison = compare(
///     &assess(&portfolio, &reference, &params),
///     &assess(&after, &reference, &params),
/// );
/// let refining = comparison.materials[0].stages.iter().find(|s| s.stage == Stage::Refining).unwrap();
/// let hhi = refining.hhi.unwrap();
/// assert!((hhi.before - 8_200.0).abs() < 1e-6); // 90^2 + 10^2
/// assert!((hhi.after - 6_800.0).abs() < 1e-6);  // 80^2 + 20^2
/// ```
pub fn apply(portfolio: &Portfolio, plans: &[Plan]) -> Portfolio {
    let mut out = portfolio.clone();
    for plan in plans {
        for line in out.lines.iter_mut().filter(|l| l.material == plan.material) {
            line.sourcing =
                std::mem::take(&mut line.sourcing).with(plan.stage, Some(plan.mix.clone()));
        }
    }
    out
}

/// A number before and after.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Delta {
    /// Before.
    pub before: f64,
    /// After.
    pub after: f64,
    /// `after - before`.
    pub change: f64,
}

impl Delta {
    fn new(before: f64, after: f64) -> Delta {
        Delta {
            before,
            after,
            change: after - before,
        }
    }
}

/// One stage of one material, before and after.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageComparison {
    /// The stage.
    pub stage: Stage,
    /// HHI, 0-10,000.
    pub hhi: Option<Delta>,
    /// Share from [`COVERED_NATIONS`] (fraction).
    pub covered_share: Option<Delta>,
    /// Governance-weighted HHI.
    pub hhi_wgi: Option<Delta>,
}

/// One material, before and after.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MaterialComparison {
    /// Material id.
    pub material: String,
    /// Its stages present in both assessments, upstream first.
    pub stages: Vec<StageComparison>,
}

/// Per-material deltas between two assessments.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// The materials present in both, in the order of `after`.
    pub materials: Vec<MaterialComparison>,
}

/// The per-material, per-stage changes of HHI, covered-nation share and governance-weighted HHI
/// between two results of [`assess`](crate::analysis::assess::assess) (typically before and
/// after [`apply`]; see its example). A stage without a mix on either side has `None` deltas.
pub fn compare(before: &Assessment, after: &Assessment) -> Comparison {
    let materials = after
        .materials
        .iter()
        .filter_map(|a| {
            let b = before.materials.iter().find(|b| b.material == a.material)?;
            let stages = a
                .stages
                .iter()
                .filter_map(|sa| {
                    let sb = b.stages.iter().find(|s| s.stage == sa.stage)?;
                    let both =
                        |f: &dyn Fn(&crate::analysis::assess::StageResult) -> Option<f64>| {
                            Some(Delta::new(f(sb)?, f(sa)?))
                        };
                    Some(StageComparison {
                        stage: sa.stage,
                        hhi: both(&|s| Some(s.concentration.as_ref()?.hhi)),
                        covered_share: both(&|s| {
                            s.groups
                                .iter()
                                .find(|g| g.group == COVERED_NATIONS)
                                .map(|g| g.share)
                        }),
                        hhi_wgi: both(&|s| Some(s.hhi_wgi.as_ref()?.value)),
                    })
                })
                .collect();
            Some(MaterialComparison {
                material: a.material.clone(),
                stages,
            })
        })
        .collect();
    Comparison { materials }
}
