//! Today's sourcing and a plan side by side: every metric of the exposure engine
//! ([`assess`]) and of the scenario engine ([`run_scenario`]), before and after.

use crate::analysis::assess::{AssessParams, Assessment, assess};
use crate::analysis::scenario::{Scenario, ScenarioParams, ScenarioResult, run_scenario};
use crate::model::{CountryCode, Stage};
use crate::portfolio::Portfolio;
use crate::reference::ReferenceData;
use serde::Serialize;

use super::{COVERED_NATIONS, Plan};

/// How a metric's numbers read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Herfindahl-Hirschman index, 0-10,000.
    Hhi,
    /// A fraction, shown as a percentage.
    Share,
    /// A count.
    Count,
    /// A score on its own scale (supply risk, HHI-WGI, effective number of countries).
    Score,
    /// Months.
    Months,
}

/// One metric before and after.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricRow {
    /// What the metric is about: "Portfolio", a material, a material and stage, or the scenario.
    pub scope: String,
    /// The material, when the row is about one (for filtering).
    pub material: Option<String>,
    /// The metric's name.
    pub metric: &'static str,
    /// Its value today (`None`: not available, e.g. a stage without data).
    pub before: Option<f64>,
    /// Its value under the plan.
    pub after: Option<f64>,
    /// How to read the numbers.
    pub unit: Unit,
    /// Whether a lower value is better (true for every risk metric; false for the effective
    /// number of countries).
    pub lower_is_better: bool,
}

impl MetricRow {
    /// Whether the value changed by more than rounding noise.
    pub fn changed(&self) -> bool {
        match (self.before, self.after) {
            (Some(b), Some(a)) => (a - b).abs() > 1e-9 * (1.0 + b.abs()),
            (None, None) => false,
            _ => true,
        }
    }

    /// Whether the plan improves the metric (`None` when it is unchanged or not comparable).
    pub fn improves(&self) -> Option<bool> {
        let (b, a) = (self.before?, self.after?);
        self.changed()
            .then_some(if self.lower_is_better { a < b } else { a > b })
    }
}

/// Everything compared, and the two assessments and scenario runs behind the rows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SideBySide {
    /// The rows: portfolio totals, then each material and its stages, then the scenario.
    pub rows: Vec<MetricRow>,
    /// The assessment of today's sourcing.
    pub before: Assessment,
    /// The assessment of the plan.
    pub after: Assessment,
    /// The scenario run on today's sourcing.
    pub scenario_before: ScenarioResult,
    /// The scenario run on the plan.
    pub scenario_after: ScenarioResult,
}

fn row(
    scope: &str,
    material: Option<&str>,
    metric: &'static str,
    unit: Unit,
    values: (Option<f64>, Option<f64>),
) -> MetricRow {
    MetricRow {
        scope: scope.to_string(),
        material: material.map(str::to_string),
        metric,
        before: values.0,
        after: values.1,
        unit,
        lower_is_better: metric != "Effective number of countries",
    }
}

/// Assesses `before` and `after` with the same `params`, runs `scenario` on both with the same
/// `scenario_params`, and lists every metric side by side.
///
/// ```
/// use chokepoint::analysis::planner::{PlanParams, apply, plan_stage};
/// use chokepoint::analysis::planner::side_by_side::side_by_side;
/// use chokepoint::analysis::assess::AssessParams;
/// use chokepoint::analysis::scenario::{Scenario, ScenarioParams};
/// use chokepoint::model::{CountryCode, Stage};
/// use chokepoint::portfolio::RawPortfolio;
/// let reference = chokepoint::reference::embedded();
/// let raw = RawPortfolio::from_json(r#"{"schema_version": 1, "lines": [{"material": "gallium",
///     "spend": 100, "revenue_share_pct": 20, "inventory_days": 30}]}"#).unwrap();
/// let today = raw.validate(reference).unwrap();
/// let plan = plan_stage(&today, reference, "gallium", Stage::Refining, &PlanParams::default()).unwrap();
/// let planned = apply(&today, &[plan]);
/// let china = CountryCode::parse("CHN").unwrap();
/// let cut = Scenario::build(vec![china], &["gallium"], &[Stage::Refining], 100.0, 6.0).unwrap();
/// let view = side_by_side(&today, &planned, reference, &AssessParams::default(), &cut, &ScenarioParams::default());
/// let hhi = view.rows.iter().find(|r| r.metric == "HHI" && r.scope.contains("refining")).unwrap();
/// assert!(hhi.after.unwrap() < hhi.before.unwrap());
/// let risk = view.rows.iter().find(|r| r.metric == "Revenue at risk").unwrap();
/// assert!(risk.after.unwrap() < risk.before.unwrap());
/// ```
pub fn side_by_side(
    before: &Portfolio,
    after: &Portfolio,
    reference: &ReferenceData,
    params: &AssessParams,
    scenario: &Scenario,
    scenario_params: &ScenarioParams,
) -> SideBySide {
    let b = assess(before, reference, params);
    let a = assess(after, reference, params);
    let sb = run_scenario(before, reference, scenario, scenario_params);
    let sa = run_scenario(after, reference, scenario, scenario_params);
    let mut rows = Vec::new();

    let count = |n: usize| Some(n as f64);
    type Measure = fn(&Assessment) -> Option<f64>;
    let portfolio_metrics: [(&'static str, Unit, Measure); 7] = [
        (
            "Supply risk of your sourcing, weighted by spend",
            Unit::Score,
            |x| x.totals.supply_risk_by_spend,
        ),
        (
            "Supply risk of your sourcing, weighted by revenue",
            Unit::Score,
            |x| x.totals.supply_risk_by_revenue,
        ),
        ("Materials calling for a second source", Unit::Count, |x| {
            Some(x.totals.actions.qualify_second_source as f64)
        }),
        ("Materials calling for buffer stock", Unit::Count, |x| {
            Some(x.totals.actions.hold_buffer_stock as f64)
        }),
        ("Chokepoints", Unit::Count, |x| {
            Some(x.chokepoints.len() as f64)
        }),
        ("Hidden exposures", Unit::Count, |x| {
            Some(x.hidden.len() as f64)
        }),
        ("Policy checks failed", Unit::Count, |x| {
            Some(x.policy.failing.len() as f64)
        }),
    ];
    for (metric, unit, measure) in portfolio_metrics {
        rows.push(row(
            "Portfolio",
            None,
            metric,
            unit,
            (measure(&b), measure(&a)),
        ));
    }

    for ma in &a.materials {
        let Some(mb) = b.materials.iter().find(|m| m.material == ma.material) else {
            continue;
        };
        let id = Some(ma.material.as_str());
        rows.push(row(
            &ma.name,
            id,
            "Supply risk",
            Unit::Score,
            (mb.supply_risk.value, ma.supply_risk.value),
        ));
        rows.push(row(
            &ma.name,
            id,
            "Policy checks failed",
            Unit::Count,
            (
                count(mb.policy.iter().filter(|f| f.fails()).count()),
                count(ma.policy.iter().filter(|f| f.fails()).count()),
            ),
        ));
        for stage in Stage::ALL {
            let (Some(sb), Some(sa)) = (
                mb.stages.iter().find(|s| s.stage == stage),
                ma.stages.iter().find(|s| s.stage == stage),
            ) else {
                continue;
            };
            let scope = format!("{}, {}", ma.name, stage.label().to_lowercase());
            let conc = |s: &crate::analysis::assess::StageResult, f: fn(&_) -> f64| {
                s.concentration.as_ref().map(f)
            };
            rows.push(row(
                &scope,
                id,
                "HHI",
                Unit::Hhi,
                (conc(sb, |c| c.hhi), conc(sa, |c| c.hhi)),
            ));
            rows.push(row(
                &scope,
                id,
                "Effective number of countries",
                Unit::Score,
                (
                    conc(sb, |c| c.effective_suppliers),
                    conc(sa, |c| c.effective_suppliers),
                ),
            ));
            rows.push(row(
                &scope,
                id,
                "Largest supplier's share",
                Unit::Share,
                (conc(sb, |c| c.cr1), conc(sa, |c| c.cr1)),
            ));
            let covered = |s: &crate::analysis::assess::StageResult| {
                s.groups
                    .iter()
                    .find(|g| g.group == COVERED_NATIONS)
                    .map(|g| g.share)
            };
            rows.push(row(
                &scope,
                id,
                "U.S. covered-nation share",
                Unit::Share,
                (covered(sb), covered(sa)),
            ));
            rows.push(row(
                &scope,
                id,
                "Governance-weighted HHI",
                Unit::Score,
                (
                    sb.hhi_wgi.as_ref().map(|h| h.value),
                    sa.hhi_wgi.as_ref().map(|h| h.value),
                ),
            ));
        }
    }

    let s = "Scenario";
    let worst_uncovered = |r: &ScenarioResult| {
        r.lines
            .iter()
            .map(|l| l.uncovered_months)
            .fold(0.0_f64, f64::max)
    };
    rows.push(row(
        s,
        None,
        "Revenue at risk",
        Unit::Share,
        (
            Some(sb.total.revenue_at_risk_fraction),
            Some(sa.total.revenue_at_risk_fraction),
        ),
    ));
    rows.push(row(
        s,
        None,
        "Lines short of supply",
        Unit::Count,
        (count(sb.total.lines_short), count(sa.total.lines_short)),
    ));
    rows.push(row(
        s,
        None,
        "Longest uncovered shortfall",
        Unit::Months,
        (Some(worst_uncovered(&sb)), Some(worst_uncovered(&sa))),
    ));

    SideBySide {
        rows,
        before: b,
        after: a,
        scenario_before: sb,
        scenario_after: sa,
    }
}

/// How long the side-by-side view's disruption lasts, in months: half a year, the Scenarios
/// page's default duration for a custom cut.
pub const LARGEST_SUPPLIER_MONTHS: f64 = 6.0;

/// The disruption a plan is compared under: the country that supplies the largest share of
/// `plan`'s material at its stage today stops all of it (a cut of 100 %) for
/// [`LARGEST_SUPPLIER_MONTHS`]. `None` when the plan lists no country, or the scenario cannot be
/// built.
///
/// ```
/// use chokepoint::analysis::planner::{PlanParams, plan_stage};
/// use chokepoint::analysis::planner::side_by_side::largest_supplier_cut;
/// use chokepoint::model::{CountryCode, Stage};
/// use chokepoint::portfolio::RawPortfolio;
/// let reference = chokepoint::reference::embedded();
/// let raw = RawPortfolio::from_json(r#"{"schema_version": 1, "lines": [{"material": "gallium",
///     "spend": 100, "revenue_share_pct": 20, "inventory_days": 30}]}"#).unwrap();
/// let today = raw.validate(reference).unwrap();
/// let plan = plan_stage(&today, reference, "gallium", Stage::Refining, &PlanParams::default()).unwrap();
/// let (country, _) = largest_supplier_cut(&plan).unwrap();
/// assert_eq!(country, CountryCode::parse("CHN").unwrap());
/// ```
pub fn largest_supplier_cut(plan: &Plan) -> Option<(CountryCode, Scenario)> {
    let largest = plan
        .allocations
        .iter()
        .max_by(|a, b| a.today.total_cmp(&b.today))?
        .country;
    let scenario = Scenario::build(
        vec![largest],
        &[plan.material.as_str()],
        &[plan.stage],
        100.0,
        LARGEST_SUPPLIER_MONTHS,
    )
    .ok()?;
    Some((largest, scenario))
}
