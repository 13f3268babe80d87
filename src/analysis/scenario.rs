//! Deterministic disruption scenarios: a country (or a group) cuts part of its supply of chosen
//! materials at chosen stages for a number of months; what does each portfolio line lose?
//!
//! # Formulas
//!
//! For each portfolio line whose material the scenario targets, and each targeted stage, the
//! line's look-through mix of that stage ([`look_through_embedded`] on the portfolio's setting:
//! the firm's own mix, or the mix filled by trade or world production when the firm does not
//! know it) gives `s`, the share of the disrupted countries (summed over
//! them). With the cut `x` (fraction) and the spare capacity `r` (fraction):
//!
//! ```text
//! lost      = s * x
//! replaced  = min(lost, r * (1 - s))      other suppliers raise output by r of their own share
//! shortfall = lost - replaced             stage shortfall, fraction of the line's supply
//! ```
//!
//! **Aggregation over stages.** A line is only as available as its most-cut stage: its
//! shortfall `f` is the largest stage shortfall (the stages are in series; a cut at mining and
//! one at refining of the same material do not add). The stage that gives it is the *binding*
//! stage.
//!
//! **Inventory.** `I` days of inventory are `m = I * 12 / 365` months of normal use. Inventory is
//! drawn only to fill the gap, so at shortfall `f` it lasts `m / f` months. Over a disruption of
//! `D` months: `covered = min(D, m / f)`, `uncovered = D - covered` (both 0 when `f = 0`).
//!
//! **Revenue at risk.** `loss = revenue_share * f * uncovered / 12`, as a fraction of the firm's
//! annual revenue (equivalently `revenue_share * max(0, f * D - m) / 12`); times the annual
//! revenue when the caller supplies one. A disruption longer than a year can lose more than one
//! year of the dependent revenue: the figure is the loss over the whole disruption.
//!
//! **Portfolio total.** The sum over lines, capped at 100 % of revenue. Revenue dependence of
//! different lines may overlap (the same car needs magnets and lithium), so the sum is an upper
//! bound; the uncapped sum is reported too.
//!
//! # Modelling assumptions (not data)
//!
//! - Spare capacity, default [`DEFAULT_SPARE_CAPACITY`] (10 %): the other suppliers in the
//!   line's mix can raise output by 10 % of their own share within the disruption. Editable.
//! - The firm loses the disrupted countries' share of its look-through mix: its suppliers are hit
//!   in proportion to their exposure, with no priority for any customer.
//! - Revenue is lost in proportion to the missing supply (no substitution, no price effect).
//!
//! Real events replay through [`presets`]; random disruptions are in
//! [`montecarlo`](super::montecarlo).
//!
//! ```
//! use chokepoint::analysis::scenario::{ScenarioParams, Scenario, Target, Months, run_scenario};
//! use chokepoint::model::{CountryCode, Share, Stage};
//! use chokepoint::portfolio::Portfolio;
//! let reference = chokepoint::reference::embedded();
//! let text = r#"{"schema_version": 1, "lines": [{"material": "gallium", "spend": 100,
//!   "revenue_share_pct": 20, "inventory_days": 0,
//!   "sourcing": {"refining": {"CHN": 50, "JPN": 50}}}]}"#;
//! let portfolio = Portfolio::from_json(text, reference).unwrap();
//! let scenario = Scenario {
//!     countries: vec![CountryCode::parse("CHN").unwrap()],
//!     targets: vec![Target { material: "gallium".into(), stages: vec![Stage::Refining] }],
//!     cut: Share::ONE,
//!     months: Months::new(6.0).unwrap(),
//! };
//! let params = ScenarioParams { spare_capacity: Share::ZERO, annual_revenue: None };
//! let result = run_scenario(&portfolio, reference, &scenario, &params);
//! // half the supply is lost for six months: 20 % * 0.5 * 6 / 12 = 5 % of annual revenue
//! assert!((result.total.revenue_at_risk_fraction - 0.05).abs() < 1e-12);
//! ```

pub mod presets;

use crate::analysis::exposure::{LookThroughBasis, MixBasis, look_through_embedded};
use crate::model::{CountryCode, CountryMix, Share, Stage};
use crate::portfolio::{Amount, Line, Portfolio};
use crate::reference::ReferenceData;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Default spare capacity of the other suppliers: 10 % of their own share (a modelling
/// assumption, not data).
pub const DEFAULT_SPARE_CAPACITY: f64 = 0.10;

/// The longest disruption accepted, in months (10 years).
pub const MAX_MONTHS: f64 = 120.0;

/// Days per month used to turn inventory days into months: 365 / 12.
pub const DAYS_PER_MONTH: f64 = 365.0 / 12.0;

/// A duration in months, finite, from 0 to [`MAX_MONTHS`].
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Months(f64);

impl Months {
    /// A duration; `None` when negative, above [`MAX_MONTHS`] or not finite.
    pub fn new(months: f64) -> Option<Months> {
        (months.is_finite() && (0.0..=MAX_MONTHS).contains(&months)).then_some(Months(months))
    }

    /// The number of months.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Months {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = f64::deserialize(deserializer)?;
        Months::new(value).ok_or_else(|| {
            serde::de::Error::custom(format!("{value} is not a number of months in 0..=120"))
        })
    }
}

/// One targeted material and the stages at which it is cut.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Catalogue material id, for example `gallium`.
    pub material: String,
    /// The stages cut.
    pub stages: Vec<Stage>,
}

/// A deterministic disruption: `countries` cut `cut` of their supply of the targets for
/// `months`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scenario {
    /// The disrupted supply countries (one country, or the members of a group).
    pub countries: Vec<CountryCode>,
    /// The materials and stages cut.
    pub targets: Vec<Target>,
    /// The fraction of the disrupted countries' supply that is withheld.
    pub cut: Share,
    /// How long the cut lasts.
    pub months: Months,
}

impl Scenario {
    /// The stages cut for `material` (empty when the scenario does not target it).
    pub fn stages_for(&self, material: &str) -> Vec<Stage> {
        let mut stages: Vec<Stage> = self
            .targets
            .iter()
            .filter(|t| t.material == material)
            .flat_map(|t| t.stages.iter().copied())
            .collect();
        crate::model::order::sort(&mut stages);
        stages.dedup();
        stages
    }
}

/// Parameters of a scenario run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ScenarioParams {
    /// Spare capacity of the other suppliers, as a fraction of their own share (see the module
    /// notes); default [`DEFAULT_SPARE_CAPACITY`].
    pub spare_capacity: Share,
    /// The firm's annual revenue, when known: losses are then also given in money.
    pub annual_revenue: Option<Amount>,
}

impl Default for ScenarioParams {
    fn default() -> Self {
        ScenarioParams {
            spare_capacity: Share::new(DEFAULT_SPARE_CAPACITY).unwrap_or(Share::ZERO),
            annual_revenue: None,
        }
    }
}

/// What one stage of one line loses.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StageShortfall {
    /// Share of the disrupted countries in the stage's mix, `s`.
    pub disrupted_share: f64,
    /// `s * cut`.
    pub lost: f64,
    /// `min(lost, spare * (1 - s))`.
    pub replaced: f64,
    /// `lost - replaced`.
    pub shortfall: f64,
}

/// The stage shortfall for a disrupted share `s`, a cut and a spare capacity, all fractions in
/// `[0, 1]` (see the module notes).
///
/// ```
/// use chokepoint::analysis::scenario::stage_shortfall;
/// let s = stage_shortfall(0.8, 1.0, 0.1);
/// assert!((s.lost - 0.8).abs() < 1e-12);
/// assert!((s.replaced - 0.02).abs() < 1e-12); // 10 % of the other 20 %
/// assert!((s.shortfall - 0.78).abs() < 1e-12);
/// ```
pub fn stage_shortfall(disrupted_share: f64, cut: f64, spare: f64) -> StageShortfall {
    let s = disrupted_share.clamp(0.0, 1.0);
    let lost = s * cut.clamp(0.0, 1.0);
    let replaced = lost.min(spare.clamp(0.0, 1.0) * (1.0 - s));
    StageShortfall {
        disrupted_share: s,
        lost,
        replaced,
        shortfall: (lost - replaced).max(0.0),
    }
}

/// Inventory months for `days` of inventory: `days * 12 / 365`.
pub fn inventory_months(days: f64) -> f64 {
    days / DAYS_PER_MONTH
}

/// Months of a `months`-long shortfall `shortfall` that inventory of `inventory_months` covers,
/// and the months left uncovered: `covered = min(D, m / f)`, `uncovered = D - covered`; both 0
/// when there is no shortfall.
///
/// ```
/// use chokepoint::analysis::scenario::coverage;
/// assert_eq!(coverage(0.5, 6.0, 1.0), (2.0, 4.0)); // one month of stock lasts two at half supply
/// assert_eq!(coverage(0.0, 6.0, 1.0), (0.0, 0.0));
/// ```
pub fn coverage(shortfall: f64, months: f64, inventory_months: f64) -> (f64, f64) {
    if shortfall <= 0.0 || months <= 0.0 {
        return (0.0, 0.0);
    }
    let covered = months.min(inventory_months.max(0.0) / shortfall);
    (covered, (months - covered).max(0.0))
}

/// Revenue lost, as a fraction of annual revenue: `revenue_share * max(0, f * D - m) / 12`
/// (the closed form of `revenue_share * f * uncovered / 12`).
pub fn revenue_loss(revenue_share: f64, shortfall: f64, months: f64, inventory_months: f64) -> f64 {
    revenue_share * (shortfall * months - inventory_months).max(0.0) / 12.0
}

/// The effect of a scenario on one stage of one line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageImpact {
    /// The stage.
    pub stage: Stage,
    /// Where the stage's mix comes from (the firm's own, or the world's).
    pub basis: MixBasis,
    /// The shortfall at this stage.
    #[serde(flatten)]
    pub shortfall: StageShortfall,
}

/// The effect of a scenario on one portfolio line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LineImpact {
    /// Index of the line in the portfolio, from 0.
    pub line: usize,
    /// The line's label, if any.
    pub label: Option<String>,
    /// The line's material.
    pub material: String,
    /// The targeted stages of this line with a mix, upstream first.
    pub stages: Vec<StageImpact>,
    /// The most-cut stage, which sets the line's shortfall (`None` when nothing is cut).
    pub binding_stage: Option<Stage>,
    /// The line's shortfall, fraction of its supply: the largest stage shortfall.
    pub shortfall: f64,
    /// Inventory, in months of normal use.
    pub inventory_months: f64,
    /// Months of the disruption covered by inventory.
    pub covered_months: f64,
    /// Months of the disruption left uncovered.
    pub uncovered_months: f64,
    /// Share of revenue dependent on the line.
    pub revenue_share: f64,
    /// Revenue at risk, fraction of annual revenue.
    pub revenue_at_risk_fraction: f64,
    /// Revenue at risk in money, when the annual revenue is given.
    pub revenue_at_risk: Option<f64>,
}

/// Portfolio totals of a scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioTotals {
    /// Lines with a shortfall above zero.
    pub lines_short: usize,
    /// Lines with revenue at risk above zero.
    pub lines_with_loss: usize,
    /// The sum of the lines' revenue at risk, fraction of annual revenue, capped at 1.
    pub revenue_at_risk_fraction: f64,
    /// The same sum, uncapped (lines' revenue dependence may overlap).
    pub uncapped_fraction: f64,
    /// Revenue at risk in money, when the annual revenue is given.
    pub revenue_at_risk: Option<f64>,
}

/// The result of a scenario on a portfolio.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioResult {
    /// The scenario run.
    pub scenario: Scenario,
    /// The parameters used.
    pub params: ScenarioParams,
    /// Every line, in portfolio order.
    pub lines: Vec<LineImpact>,
    /// Portfolio totals.
    pub total: ScenarioTotals,
    /// Indices of the lines with a shortfall, most revenue at risk first (then largest
    /// shortfall, then portfolio order): what hurts most.
    pub ranking: Vec<usize>,
}

/// The share of `countries` in `mix`.
pub fn share_of_countries(mix: &CountryMix, countries: &[CountryCode]) -> f64 {
    mix.entries()
        .iter()
        .filter(|(c, _)| countries.contains(c))
        .fold(0.0, |sum, (_, s)| sum + s)
        .min(1.0)
}

fn line_impact(
    index: usize,
    (line, basis): (&Line, LookThroughBasis),
    reference: &ReferenceData,
    scenario: &Scenario,
    params: &ScenarioParams,
) -> LineImpact {
    let targeted = scenario.stages_for(&line.material);
    let stages: Vec<StageImpact> = look_through_embedded(line, reference, basis)
        .into_iter()
        .filter(|resolved| targeted.contains(&resolved.stage))
        .filter_map(|resolved| {
            let mix = resolved.mix.as_deref()?;
            Some(StageImpact {
                stage: resolved.stage,
                basis: resolved.basis,
                shortfall: stage_shortfall(
                    share_of_countries(mix, &scenario.countries),
                    scenario.cut.get(),
                    params.spare_capacity.get(),
                ),
            })
        })
        .collect();
    let binding = stages
        .iter()
        .filter(|s| s.shortfall.shortfall > 0.0)
        .max_by(|a, b| {
            a.shortfall
                .shortfall
                .total_cmp(&b.shortfall.shortfall)
                .then(b.stage.cmp(&a.stage))
        });
    let shortfall = binding.map_or(0.0, |s| s.shortfall.shortfall);
    let months = scenario.months.get();
    let stock = inventory_months(line.inventory_days.get());
    let (covered, uncovered) = coverage(shortfall, months, stock);
    let revenue_share = line.revenue_share.get();
    let fraction = revenue_share * shortfall * uncovered / 12.0;
    LineImpact {
        line: index,
        label: line.label.clone(),
        material: line.material.clone(),
        binding_stage: binding.map(|s| s.stage),
        stages,
        shortfall,
        inventory_months: stock,
        covered_months: covered,
        uncovered_months: uncovered,
        revenue_share,
        revenue_at_risk_fraction: fraction,
        revenue_at_risk: params.annual_revenue.map(|r| r.get() * fraction),
    }
}

/// Runs `scenario` on every line of `portfolio` (see the module notes for the formulas).
pub fn run_scenario(
    portfolio: &Portfolio,
    reference: &ReferenceData,
    scenario: &Scenario,
    params: &ScenarioParams,
) -> ScenarioResult {
    let lines: Vec<LineImpact> = portfolio
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let line = (line, portfolio.look_through);
            line_impact(i, line, reference, scenario, params)
        })
        .collect();
    let uncapped: f64 = lines.iter().map(|l| l.revenue_at_risk_fraction).sum();
    let capped = uncapped.min(1.0);
    let mut ranking: Vec<usize> = lines
        .iter()
        .filter(|l| l.shortfall > 0.0)
        .map(|l| l.line)
        .collect();
    crate::model::order::sort_by(&mut ranking, |&a, &b| {
        let (a_line, b_line) = (&lines[a], &lines[b]);
        b_line
            .revenue_at_risk_fraction
            .total_cmp(&a_line.revenue_at_risk_fraction)
            .then(b_line.shortfall.total_cmp(&a_line.shortfall))
            .then(a.cmp(&b))
    });
    let total = ScenarioTotals {
        lines_short: ranking.len(),
        lines_with_loss: lines
            .iter()
            .filter(|l| l.revenue_at_risk_fraction > 0.0)
            .count(),
        revenue_at_risk_fraction: capped,
        uncapped_fraction: uncapped,
        revenue_at_risk: params.annual_revenue.map(|r| r.get() * capped),
    };
    ScenarioResult {
        scenario: scenario.clone(),
        params: *params,
        lines,
        total,
        ranking,
    }
}

/// Why a scenario could not be built from its parts.
#[derive(Clone, Debug, PartialEq)]
pub enum ScenarioError {
    /// No disrupted country.
    NoCountry,
    /// A group id that neither the reference data nor the portfolio defines.
    UnknownGroup(String),
    /// A cut outside 0-100 %.
    Cut(f64),
    /// A duration outside 0-120 months.
    Months(f64),
    /// No material or no stage targeted.
    NoTarget,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::NoCountry => f.write_str("no disrupted country"),
            ScenarioError::UnknownGroup(id) => write!(f, "no country group `{id}`"),
            ScenarioError::Cut(value) => write!(f, "the cut {value} % is not within 0-100 %"),
            ScenarioError::Months(value) => {
                write!(f, "{value} months is not a duration within 0-{MAX_MONTHS}")
            }
            ScenarioError::NoTarget => f.write_str("no material and stage to cut"),
        }
    }
}

impl std::error::Error for ScenarioError {}

impl Scenario {
    /// A scenario from raw inputs: countries, materials × stages, a cut in percent and months.
    /// Checks every value once.
    ///
    /// ```
    /// use chokepoint::analysis::scenario::Scenario;
    /// use chokepoint::model::{CountryCode, Stage};
    /// let chn = CountryCode::parse("CHN").unwrap();
    /// let s = Scenario::build(vec![chn], &["gallium"], &[Stage::Refining], 50.0, 6.0).unwrap();
    /// assert_eq!(s.cut.get(), 0.5);
    /// assert!(Scenario::build(vec![chn], &["gallium"], &[Stage::Refining], 150.0, 6.0).is_err());
    /// ```
    pub fn build(
        countries: Vec<CountryCode>,
        materials: &[&str],
        stages: &[Stage],
        cut_pct: f64,
        months: f64,
    ) -> Result<Scenario, ScenarioError> {
        if countries.is_empty() {
            return Err(ScenarioError::NoCountry);
        }
        if materials.is_empty() || stages.is_empty() {
            return Err(ScenarioError::NoTarget);
        }
        let cut = Share::from_percent(cut_pct).ok_or(ScenarioError::Cut(cut_pct))?;
        let months = Months::new(months).ok_or(ScenarioError::Months(months))?;
        Ok(Scenario {
            countries,
            targets: materials
                .iter()
                .map(|m| Target {
                    material: (*m).to_string(),
                    stages: stages.to_vec(),
                })
                .collect(),
            cut,
            months,
        })
    }
}

/// The members of the country group `id`, looked up in the portfolio's own groups first, then
/// in the reference data's.
pub fn group_members(
    id: &str,
    portfolio: &Portfolio,
    reference: &ReferenceData,
) -> Result<Vec<CountryCode>, ScenarioError> {
    portfolio
        .groups
        .iter()
        .chain(reference.groups.iter())
        .find(|g| g.id == id)
        .map(|g| g.members.clone())
        .ok_or_else(|| ScenarioError::UnknownGroup(id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spare_capacity_replaces_at_most_the_loss() {
        let s = stage_shortfall(0.1, 1.0, 0.5);
        assert_eq!(s.replaced, 0.1);
        assert_eq!(s.shortfall, 0.0);
    }

    #[test]
    fn whole_supply_cut_has_no_replacement() {
        let s = stage_shortfall(1.0, 1.0, 0.5);
        assert_eq!(s.shortfall, 1.0);
    }

    #[test]
    fn loss_closed_form_matches_coverage() {
        for &(f, d, m) in &[
            (0.5, 6.0, 1.0),
            (0.2, 3.0, 2.0),
            (1.0, 12.0, 0.5),
            (0.0, 4.0, 0.0),
        ] {
            let (_, uncovered) = coverage(f, d, m);
            let direct = 0.3 * f * uncovered / 12.0;
            assert!((direct - revenue_loss(0.3, f, d, m)).abs() < 1e-12);
        }
    }

    #[test]
    fn months_reject_out_of_range() {
        assert!(Months::new(-1.0).is_none());
        assert!(Months::new(f64::NAN).is_none());
        assert!(Months::new(121.0).is_none());
        assert!(Months::new(120.0).is_some());
    }
}
