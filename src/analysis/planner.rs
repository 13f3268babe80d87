//! Diversification planner: for one material and stage, the sourcing shares that minimise a risk
//! measure within capacity, shift and cost limits, solved exactly; the efficient frontier of risk
//! against premium; a recommended point explained in words; and the portfolio with the plan
//! applied, to compare every result of [`assess`](crate::analysis::assess::assess) before and
//! after.
//!
//! # The problem
//!
//! Today's sourcing `x0` of a stage is its look-through mix (the firm's own mix where it gave
//! one, the world mix otherwise; lines of one material are spend-weighted, as in
//! [`assess`](crate::analysis::assess::assess)). The plan `x` over candidate countries `c`
//! solves
//!
//! ```text
//! minimise    risk(x)
//! subject to  x_c >= 0, sum_c x_c = 1                     (shares)
//!             min_c <= x_c <= cap_c                        (required minimums, capacity caps)
//!             sum_c |x_c - x0_c| / 2 <= max_shift          (volume that moves in one plan)
//!             sum_c x_c * premium_c <= budget              (cost premium, % of price)
//! ```
//!
//! with `risk` one of ([`Objective`]): the HHI `sum_c x_c^2` (reported on the 0-10,000 scale),
//! the governance-weighted HHI `sum_c x_c^2 * WGI_c * t_c` (EU 2017; `t_c = 1`), the share from
//! a country group `sum_{c in G} x_c`, any linear `sum_c w_c x_c`, or the material's expected
//! annual loss under the Monte Carlo model, `sum_c phi_c(x_c)` with each `phi_c` convex, in
//! closed form ([`expected_loss`]).
//!
//! # Modelling assumptions
//!
//! - **Capacity caps.** By default a firm can take at most `headroom * world share` of its
//!   supply of a stage from a country (headroom 2 by default: a firm can at most double a
//!   country's weight in the world market in its own mix), never more than 100 %; a country that
//!   produces nothing at that stage cannot supply. A firm can always keep what it buys today, so
//!   the cap is at least today's share. These are assumptions, not measured capacity: set
//!   explicit caps ([`PlanParams::caps`]) where suppliers have confirmed volumes. The purchased-
//!   component stage has no world production data, so only today's suppliers and explicit caps
//!   can supply it.
//! - **Rest of world.** `ROW` (the sources' "other countries") is a residual of the statistics,
//!   not a supplier anyone can contract with, so a plan never raises its share: its upper bound
//!   is `min(cap, today's ROW share)` for every objective and every frontier point (a plan may
//!   keep today's `ROW` volume, or move it to named countries). Counting it as one more country
//!   would also flatter the HHI. Exclude it to plan over named countries only. It is never a
//!   member of a group. When the rule binds, the plan lists [`Binding::RestOfWorld`], and the
//!   explanation says that rest of world is never increased.
//! - **Missing governance scores.** For the governance-weighted objective, a country without a
//!   WGI score (and `ROW`) is weighted [`PlanParams::unknown_wgi`] (default 10, the weakest
//!   governance on the EU scale), so that the planner never moves supply towards a country
//!   because its governance is unknown.
//! - **Premiums** are 0 unless the user sets them; none is invented.
//! - **Defaults** (issue #20). The objective is the governance-weighted HHI (the plain HHI
//!   favours any small producer, whatever its governance); the members of a restricted list
//!   ([`PlanParams::restricted`], by default the reference data's U.S. covered nations) are never
//!   raised above today's share, and the plan names them with the list's source
//!   ([`Plan::restricted`], [`Binding::Restricted`]); without a stage, a material is planned at
//!   the stage the firm buys it at ([`purchase_stage`]) unless upstream stages are asked for
//!   ([`PlanParams::upstream`]).
//!
//! # Algorithms
//!
//! Quadratic objectives are strictly convex: the unique optimum is water-filling under caps,
//! `x_c = clamp(nu / (2 w_c), lo_c, hi_c)` without the coupling constraints (Boyd &
//! Vandenberghe 2004, *Convex Optimization*, example 5.2), with the multiplier `nu` found
//! exactly by sorting breakpoints. The shift and budget constraints are handled exactly through
//! their Lagrange multipliers (a soft-threshold at `x0` for the shift, a premium term in the
//! slope for the budget), found by nested one-dimensional root searches on the concave dual.
//! Linear objectives are linear programmes, solved exactly by a bounded-variable simplex method
//! on the split `x = x0 + u - v`. For the group objective, among the plans with the least group
//! share, the one with the lowest HHI is returned (a second, quadratic solve over the optimal
//! face). See `solver.rs` for the details. The expected loss is separable and convex but not
//! strictly: the same dual water-filling, with each share read off the inverse of `phi_c'` and
//! the jumps of the minimisers closed by convex combinations, then the least HHI among the
//! equally good plans (`separable.rs`).
//!
//! # Frontier and recommendation
//!
//! The frontier is the least risk for budgets spaced evenly (each point within 2 % of a step of
//! its budget, and exactly optimal for its own premium) from the cheapest feasible premium to
//! the premium of the unconstrained optimum. The recommended point is its knee: the point
//! farthest below the chord joining the frontier's ends, where the marginal risk reduction per
//! unit of premium falls below the frontier's average (Satopää et al. 2011, "Finding a
//! 'Kneedle' in a haystack"), taken over the frontier points no worse than today's sourcing.
//! Without premiums the frontier is a single point, the optimum.

pub mod benchmark;
mod compare;
mod error;
pub mod expected_loss;
mod explain;
mod feasibility;
mod frontier;
mod optimum;
mod sanctions;
mod separable;
mod setup;
pub mod side_by_side;
mod solver;

pub use compare::{Comparison, Delta, MaterialComparison, StageComparison, apply, compare};
pub use error::{Infeasibility, PlanError};
pub use sanctions::{
    EU_SANCTIONS, SanctionsCheck, SanctionsList, US_EMBARGO, WORLD_MEAN_WGI, WeakGovernance,
    jurisdiction_list, member_source,
};
pub use setup::{check_params, plannable_stages};

use feasibility::diagnose;
use frontier::{frontier, recommend};
use optimum::{NOISE, bindings, feasible, metrics, objective_value, optimise, to_mix};
use setup::{Groups, Setup, invalid, setup, today_mix};

use crate::analysis::exposure::MixBasis;
use crate::model::context::Jurisdiction;
use crate::model::{CountryCode, CountryMix, Stage};
use crate::portfolio::Portfolio;
use crate::reference::{CountryGroup, ReferenceData};
use expected_loss::{ExpectedLossParams, LossModel};
use serde::Serialize;
use solver::shift;
use std::collections::{BTreeMap, BTreeSet};

/// The identifier of the U.S. covered-nations group of the reference data, used for the
/// covered share reported with every plan and comparison.
pub const COVERED_NATIONS: &str = "feoc_covered_nations";

/// The default capacity headroom: a firm can take at most twice a country's world share.
pub const DEFAULT_HEADROOM: f64 = 2.0;

/// The default number of frontier points.
pub const DEFAULT_FRONTIER_POINTS: usize = 12;

/// The largest number of frontier points.
pub const MAX_FRONTIER_POINTS: usize = 50;

/// What the planner minimises.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Objective {
    /// The HHI, `sum_c s_c^2`, reported on the 0-10,000 scale.
    Hhi,
    /// The share from the members of a country group (reference or user group id), in percent.
    Group(String),
    /// The governance-weighted HHI, `sum_c s_c^2 * WGI_c * t_c`, 0-10 (`t_c = 1`).
    HhiWgi,
    /// A linear cost `sum_c w_c s_c`, for example expected loss per unit share; countries absent
    /// from the map weigh 0.
    Linear(BTreeMap<CountryCode, f64>),
    /// The expected annual revenue loss of the material's lines under the Monte Carlo model
    /// (first order: see [`expected_loss`]), reported in money when the model has an annual
    /// revenue, otherwise in percent of revenue. Needs the portfolio: plan with [`plan_stage`].
    ExpectedLoss(ExpectedLossParams),
}

impl Objective {
    /// Parses `hhi`, `hhi-wgi`, `group:ID` or `expected-loss` (the command line's spelling; the
    /// expected loss with the Monte Carlo model's defaults).
    ///
    /// ```
    /// use chokepoint::analysis::planner::Objective;
    /// assert_eq!(Objective::parse("hhi"), Some(Objective::Hhi));
    /// assert!(matches!(Objective::parse("expected-loss"), Some(Objective::ExpectedLoss(_))));
    /// assert_eq!(
    ///     Objective::parse("group:feoc_covered_nations"),
    ///     Some(Objective::Group("feoc_covered_nations".into()))
    /// );
    /// assert_eq!(Objective::parse("cheapest"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Objective> {
        match text.trim() {
            "hhi" => Some(Objective::Hhi),
            "hhi-wgi" | "hhi_wgi" => Some(Objective::HhiWgi),
            "expected-loss" | "expected_loss" => {
                Some(Objective::ExpectedLoss(ExpectedLossParams::default()))
            }
            other => {
                let id = other.strip_prefix("group:")?.trim();
                (!id.is_empty()).then(|| Objective::Group(id.to_string()))
            }
        }
    }

    /// A short English label, for example "HHI".
    pub fn label(&self) -> String {
        match self {
            Objective::Hhi => "HHI".to_string(),
            Objective::Group(id) => format!("share from {id}"),
            Objective::HhiWgi => "governance-weighted HHI".to_string(),
            Objective::Linear(_) => "linear cost".to_string(),
            Objective::ExpectedLoss(_) => "expected annual loss".to_string(),
        }
    }

    /// The factor from the internal value (fractions) to the reported one: 10,000 for the HHI,
    /// 100 for a group share and for an expected loss without revenue (percent), the annual
    /// revenue for an expected loss with one (money), 1 otherwise.
    fn scale(&self) -> f64 {
        match self {
            Objective::Hhi => 10_000.0,
            Objective::Group(_) => 100.0,
            Objective::ExpectedLoss(el) => el.model.annual_revenue.map_or(100.0, |r| r.get()),
            Objective::HhiWgi | Objective::Linear(_) => 1.0,
        }
    }
}

/// The planner's parameters. Shares are fractions (0.3 = 30 %); premiums and the budget are in
/// percent of price, as users type them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanParams {
    /// What to minimise. Default: the governance-weighted HHI, so that a plan moves supply
    /// towards well-governed countries rather than towards any small producer (with the plain
    /// HHI, Myanmar, Russia and Cuba were favoured for being small).
    pub objective: Objective,
    /// A country's cap is `headroom * world share` (at least today's share, at most 100 %).
    /// Default [`DEFAULT_HEADROOM`].
    pub headroom: f64,
    /// Explicit caps (fractions) that replace the default for these countries.
    pub caps: BTreeMap<CountryCode, f64>,
    /// The largest share of volume that may move, `sum_c |x_c - x0_c| / 2`. Default 1: no limit.
    pub max_shift: f64,
    /// Cost premium per country in percent of price; absent countries have none. Default: none.
    pub premiums: BTreeMap<CountryCode, f64>,
    /// The largest total premium `sum_c x_c * premium_c`, in percent of the stage's spend;
    /// `None` is no limit (default).
    pub budget: Option<f64>,
    /// Countries that may not supply.
    pub exclude: BTreeSet<CountryCode>,
    /// Countries that must keep at least this share (fractions).
    pub require: BTreeMap<CountryCode, f64>,
    /// The governance score (EU 0-10 scale) assumed for a country without one, in the
    /// governance-weighted objective. Default 10 (the weakest).
    pub unknown_wgi: f64,
    /// Number of frontier points (0: no frontier). Default [`DEFAULT_FRONTIER_POINTS`], at most
    /// [`MAX_FRONTIER_POINTS`].
    pub frontier_points: usize,
    /// The id of a country group (the reference data's or the portfolio's) whose members a plan
    /// never increases above today's share: restricted countries are no new supplier. Default
    /// [`COVERED_NATIONS`], the reference data's list of restricted countries; `None` turns the
    /// rule off. An explicit cap ([`Self::caps`]) for a member overrides it for that member.
    pub restricted: Option<String>,
    /// The sanctions list whose members may not supply (cap 0, unless the user set a cap or a
    /// minimum for them). Default: the list of the portfolio's jurisdiction
    /// ([`jurisdiction_list`]); a plan without one says so ([`SanctionsCheck::NoList`]).
    pub sanctions: SanctionsList,
    /// A country whose WGI mean is below this (or has no score) is never raised above today's
    /// share, unless the user set its cap (see [`sanctions`](self#modelling-assumptions)).
    /// Default [`WORLD_MEAN_WGI`], the world average; `None` turns the rule off.
    pub weak_governance: Option<f64>,
    /// Whether [`plan_material`] and [`plan_portfolio`] plan every stage with a mix (upstream
    /// too) rather than only the stage the firm buys at ([`purchase_stage`]). Default false.
    pub upstream: bool,
}

impl Default for PlanParams {
    fn default() -> Self {
        PlanParams {
            objective: Objective::HhiWgi,
            headroom: DEFAULT_HEADROOM,
            caps: BTreeMap::new(),
            max_shift: 1.0,
            premiums: BTreeMap::new(),
            budget: None,
            exclude: BTreeSet::new(),
            require: BTreeMap::new(),
            unknown_wgi: 10.0,
            frontier_points: DEFAULT_FRONTIER_POINTS,
            restricted: Some(COVERED_NATIONS.to_string()),
            sanctions: SanctionsList::Jurisdiction,
            weak_governance: Some(WORLD_MEAN_WGI),
            upstream: false,
        }
    }
}

/// One country of a plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Allocation {
    /// The country (or `ROW`).
    pub country: CountryCode,
    /// Today's share (fraction).
    pub today: f64,
    /// The planned share (fraction).
    pub planned: f64,
    /// `planned - today`.
    pub change: f64,
    /// The lower bound used (fraction): the required minimum, or 0.
    pub min: f64,
    /// The cap used (fraction).
    pub cap: f64,
    /// The premium, percent of price.
    pub premium_pct: f64,
}

/// A constraint that holds with equality at the optimum, with its multiplier: how much the
/// objective (in its reported unit) would fall per percentage point of relaxation (0 when the
/// constraint is only weakly active).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "constraint", rename_all = "snake_case")]
pub enum Binding {
    /// A country at its capacity cap.
    Cap {
        /// The country.
        country: CountryCode,
        /// The cap (fraction).
        cap: f64,
        /// Objective decrease per percentage point more cap.
        multiplier: f64,
    },
    /// A country held at its required minimum.
    Required {
        /// The country.
        country: CountryCode,
        /// The minimum (fraction).
        minimum: f64,
        /// Objective decrease per percentage point less minimum.
        multiplier: f64,
    },
    /// The rest of world (`ROW`) held at today's share: a statistical residual, not a supplier,
    /// is never increased (see the module notes).
    RestOfWorld {
        /// Today's share, its upper bound (fraction).
        today: f64,
        /// Objective decrease per percentage point more rest of world (what the rule costs).
        multiplier: f64,
    },
    /// A member of the restricted group ([`PlanParams::restricted`]) held at today's share.
    Restricted {
        /// The country.
        country: CountryCode,
        /// Today's share, its upper bound (fraction).
        today: f64,
        /// Objective decrease per percentage point more of this country (what the rule costs).
        multiplier: f64,
    },
    /// A producer with weak governance ([`PlanParams::weak_governance`]) held at today's share.
    WeakGovernance {
        /// The country.
        country: CountryCode,
        /// Today's share, its upper bound (fraction).
        today: f64,
        /// Objective decrease per percentage point more of this country (what the rule costs).
        multiplier: f64,
    },
    /// An excluded country that supplies today: excluded by the user or under the sanctions
    /// list ([`Plan::sanctions`]).
    Excluded {
        /// The country.
        country: CountryCode,
        /// Its share today (fraction).
        today: f64,
    },
    /// The shift limit.
    MaxShift {
        /// The limit (fraction).
        max_shift: f64,
        /// Objective decrease per percentage point more shift.
        multiplier: f64,
    },
    /// The premium budget.
    Budget {
        /// The budget, percent of spend.
        budget_pct: f64,
        /// Objective decrease per percentage point more budget.
        multiplier: f64,
    },
}

/// The raw Lagrange multipliers of the optimum, in internal units (objective in fractions,
/// constraints in fractions), for checking the KKT conditions. The Lagrangian is
/// `f(x) - simplex (sum x - 1) + max_shift (sum |x - x0| / 2 - S) + budget (p.x - B)`, with
/// `f` the objective on the fraction scale (`sum w_c x_c^2`, `sum l_c x_c`, or the expected loss
/// as a fraction of annual revenue) and `p` the premiums as fractions. For the group objective they are those of the linear programme.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Multipliers {
    /// Multiplier of `sum x = 1`.
    pub simplex: f64,
    /// Multiplier of the shift limit (>= 0).
    pub max_shift: f64,
    /// Multiplier of the budget (>= 0).
    pub budget: f64,
}

/// Measures of one mix, before or after a plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metrics {
    /// The objective, in its reported unit.
    pub objective: f64,
    /// HHI, 0-10,000 (`ROW` as one supplier).
    pub hhi: f64,
    /// Governance-weighted HHI as [`assess`](crate::analysis::assess::assess) reports it
    /// (countries without a score left out).
    pub hhi_wgi: f64,
    /// The share from [`COVERED_NATIONS`] (fraction), when the reference data has that group.
    pub covered_share: Option<f64>,
    /// The share from the objective's group (fraction), for the group objective.
    pub group_share: Option<f64>,
    /// Total premium, percent of the stage's spend.
    pub premium_pct: f64,
}

/// One point of the efficient frontier.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FrontierPoint {
    /// The budget, percent of spend, this point is the least-risk plan for (its own premium
    /// when the budget binds: points lie within 2 % of a step of an even grid of budgets).
    pub budget_pct: f64,
    /// The measures of the best plan within it.
    pub metrics: Metrics,
    /// Its shift (fraction).
    pub shift: f64,
    /// Its shares, country and fraction, largest first.
    pub mix: Vec<(CountryCode, f64)>,
}

/// The recommended point and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recommendation {
    /// Index into [`Plan::frontier`]; `None` when no frontier was asked for (the text then
    /// describes the plan itself).
    pub point: Option<usize>,
    /// What changes, in words, from the numbers.
    pub text: String,
}

/// A plan for one material and stage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    /// Material id.
    pub material: String,
    /// Display name of the material.
    pub material_name: String,
    /// The stage.
    pub stage: Stage,
    /// Where today's mix comes from.
    pub basis: MixBasis,
    /// The objective.
    pub objective: Objective,
    /// Per candidate country, largest planned share first.
    pub allocations: Vec<Allocation>,
    /// The planned mix.
    pub mix: CountryMix,
    /// Measures of today's mix.
    pub before: Metrics,
    /// Measures of the plan.
    pub after: Metrics,
    /// The share of volume that moves (fraction).
    pub shift: f64,
    /// The constraints that bind.
    pub binding: Vec<Binding>,
    /// The multipliers, for checking optimality.
    pub multipliers: Multipliers,
    /// Risk against premium as the budget varies (empty when not asked for).
    pub frontier: Vec<FrontierPoint>,
    /// The recommended frontier point (the plan itself without a frontier), explained.
    pub recommendation: Recommendation,
    /// The restricted group's members among the candidates, which the plan never increases,
    /// with the list's name and source; `None` when the rule is off or no member is a
    /// candidate.
    pub restricted: Option<RestrictedCountries>,
    /// What the sanctions rule did: the list applied and its members among the candidates
    /// (excluded), or that the jurisdiction has no list.
    pub sanctions: SanctionsCheck,
    /// The producers held at or below today's share for weak governance; `None` when the rule
    /// is off.
    pub weak_governance: Option<WeakGovernance>,
}

/// The countries a plan never increases ([`PlanParams::restricted`]), named with their list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RestrictedCountries {
    /// The group's id.
    pub group: String,
    /// The group's name.
    pub name: String,
    /// The group's source, as the reference data gives it.
    pub source: String,
    /// Its members among the plan's candidates, held at or below today's share.
    pub members: Vec<CountryCode>,
}

/// Plans one mix: `today` is the stage's look-through mix, `world` its world mix (for the
/// default caps; `None` for the component stage). The lower-level entry point behind
/// [`plan_stage`]; `groups` are the groups the objective may name (reference data first).
///
/// ```
/// use chokepoint::analysis::planner::{plan_mix, Binding, Objective, PlanParams};
/// use chokepoint::model::{CountryCode, CountryMix, Stage};
/// use chokepoint::reference::ReferenceData;
/// let c = |s: &str| CountryCode::parse(s).unwrap();
/// let reference = ReferenceData { materials: vec![], countries: vec![], groups: vec![], datasets: vec![] };
/// let world = CountryMix::from_shares([(c("CHN"), 80.0), (c("JPN"), 10.0), (c("DEU"), 10.0)]).unwrap();
/// // The plain HHI; this reference has no restricted list (the default names one) and no
/// // governance scores (the weak-governance rule would hold every country).
/// let params = PlanParams {
///     objective: Objective::Hhi, restricted: None, weak_governance: None, max_shift: 0.3,
///     ..PlanParams::default()
/// };
/// let plan = plan_mix("gallium", Stage::Refining, &world, Some(&world), &reference, &[], &params).unwrap();
/// // Caps are twice the world share: Japan and Germany 20 % each; China keeps 60 %.
/// assert!((plan.mix.share_of(c("CHN")) - 0.6).abs() < 1e-9);
/// assert!((plan.after.hhi - 4_400.0).abs() < 1e-6); // 3600 + 400 + 400
/// assert!(plan.binding.iter().any(|b| matches!(b, Binding::Cap { .. })));
/// ```
pub fn plan_mix(
    material: &str,
    stage: Stage,
    today: &CountryMix,
    world: Option<&CountryMix>,
    reference: &ReferenceData,
    groups: &[&CountryGroup],
    params: &PlanParams,
) -> Result<Plan, PlanError> {
    if matches!(params.objective, Objective::ExpectedLoss(_)) {
        return Err(invalid(
            "objective",
            "the expected loss depends on the portfolio's lines: plan it with plan_stage",
        ));
    }
    plan_with(
        material,
        stage,
        (today, world),
        reference,
        (groups, None),
        params,
        None,
    )
}

/// [`plan_mix`] of today's and the world's mix, with the groups the parameters may name and the
/// portfolio's jurisdiction (for its sanctions list), and the expected-loss model when the
/// objective is the expected loss.
fn plan_with(
    material: &str,
    stage: Stage,
    (today, world): (&CountryMix, Option<&CountryMix>),
    reference: &ReferenceData,
    (groups, jurisdiction): (&[&CountryGroup], Option<Jurisdiction>),
    params: &PlanParams,
    loss: Option<&LossModel<'_>>,
) -> Result<Plan, PlanError> {
    check_params(params)?;
    let find = |id: &str| {
        reference
            .group(id)
            .or_else(|| groups.iter().copied().find(|g| g.id == id))
    };
    let group = match &params.objective {
        Objective::Group(id) => {
            Some(find(id).ok_or_else(|| PlanError::UnknownGroup { group: id.clone() })?)
        }
        _ => None,
    };
    let covered = find(COVERED_NATIONS);
    let restricted = match &params.restricted {
        Some(id) => Some(find(id).ok_or_else(|| PlanError::UnknownGroup { group: id.clone() })?),
        None => None,
    };
    let no_list = || SanctionsCheck::NoList {
        jurisdiction: jurisdiction.map(|j| j.id().to_string()),
    };
    let sanctions = match &params.sanctions {
        SanctionsList::Off => Err(SanctionsCheck::Off),
        SanctionsList::Group(id) => {
            Ok(find(id).ok_or_else(|| PlanError::UnknownGroup { group: id.clone() })?)
        }
        SanctionsList::Jurisdiction => jurisdiction_list(jurisdiction)
            .and_then(find)
            .ok_or_else(no_list),
    };
    let groups = Groups {
        objective: group,
        covered,
        restricted,
        sanctions,
        sanctions_hold: false,
    };
    let mut setup = setup(today, world, reference, groups.clone(), params, loss);
    let infeasible = |reason| PlanError::Infeasible {
        material: material.to_string(),
        stage,
        reason,
    };
    // Where excluding the sanctioned suppliers of today leaves no feasible plan (the other
    // countries' caps or the shift limit cannot take their share), they are held at today's
    // share instead, and the plan says so.
    if diagnose(&setup).is_err()
        && setup
            .sanctions
            .excludes_supply(&setup.countries, &setup.problem.x0)
    {
        let held = Groups {
            sanctions_hold: true,
            ..groups
        };
        setup = self::setup::setup(today, world, reference, held, params, loss);
    }
    diagnose(&setup).map_err(infeasible)?;
    let numerical = || PlanError::Numerical {
        material: material.to_string(),
        stage,
    };
    let p = &setup.problem;
    let mut solution = optimise(&setup, p, 0.0).ok_or_else(numerical)?;
    // Never worse than today when today is feasible (a guard against rounding).
    if feasible(p, &p.x0, 1e-12)
        && objective_value(&setup, &p.x0) < objective_value(&setup, &solution.x) - 1e-12
    {
        solution.x = p.x0.clone();
    }
    let x = solution.x.clone();
    let frontier = frontier(&setup, params.frontier_points.min(MAX_FRONTIER_POINTS));
    let material_name = reference
        .material(material)
        .map_or_else(|| material.to_string(), |m| m.name.clone());
    let before = metrics(&setup, &p.x0);
    let after = metrics(&setup, &x);
    let optimum = FrontierPoint {
        budget_pct: params.budget.unwrap_or(after.premium_pct),
        metrics: after.clone(),
        shift: shift(&x, &p.x0),
        mix: to_mix(&setup.countries, &x)
            .map(|m| m.entries().to_vec())
            .unwrap_or_default(),
    };
    let recommendation = recommend(&setup, &frontier, &optimum, &before, &material_name, stage);
    let mut allocations: Vec<Allocation> = setup
        .countries
        .iter()
        .enumerate()
        .filter(|&(c, _)| p.x0[c] > 0.0 || x[c] > NOISE || p.hi[c] > 0.0)
        .map(|(c, &country)| Allocation {
            country,
            today: p.x0[c],
            planned: x[c],
            change: x[c] - p.x0[c],
            min: p.lo[c],
            cap: p.hi[c],
            premium_pct: setup.premium_pct[c],
        })
        .collect();
    crate::model::order::sort_by(&mut allocations, |a, b| {
        b.planned
            .total_cmp(&a.planned)
            .then(a.country.cmp(&b.country))
    });
    Ok(Plan {
        material: material.to_string(),
        material_name,
        stage,
        basis: MixBasis::User,
        objective: params.objective.clone(),
        allocations,
        mix: to_mix(&setup.countries, &x).ok_or_else(numerical)?,
        before,
        after,
        shift: shift(&x, &p.x0),
        binding: bindings(&setup, &solution, &x, params),
        multipliers: Multipliers {
            simplex: solution.nu,
            max_shift: solution.mu,
            budget: solution.beta,
        },
        frontier,
        recommendation,
        restricted: restricted_countries(&setup),
        sanctions: setup.sanctions.clone(),
        weak_governance: setup.weak.as_ref().map(|(threshold, held)| WeakGovernance {
            threshold: *threshold,
            members: held.iter().map(|&i| setup.countries[i]).collect(),
        }),
    })
}

/// The restricted members among the candidates of `setup`, with their list.
fn restricted_countries(setup: &Setup<'_>) -> Option<RestrictedCountries> {
    let (group, held) = setup.restricted.as_ref()?;
    (!held.is_empty()).then(|| RestrictedCountries {
        group: group.id.clone(),
        name: group.name.clone(),
        source: group.source.clone(),
        members: held.iter().map(|&i| setup.countries[i]).collect(),
    })
}

/// Plans `material` at `stage` in `portfolio`: today's mix is the spend-weighted look-through
/// of the material's lines.
pub fn plan_stage(
    portfolio: &Portfolio,
    reference: &ReferenceData,
    material: &str,
    stage: Stage,
    params: &PlanParams,
) -> Result<Plan, PlanError> {
    if !portfolio.lines.iter().any(|l| l.material == material) {
        return Err(PlanError::MaterialNotInPortfolio {
            material: material.to_string(),
        });
    }
    let (today, basis) =
        today_mix(portfolio, reference, material, stage).ok_or_else(|| PlanError::NoMix {
            material: material.to_string(),
            stage,
        })?;
    let world = reference.world_mix(material, stage);
    let groups: Vec<&CountryGroup> = portfolio.groups.iter().collect();
    let loss = match &params.objective {
        Objective::ExpectedLoss(el) => Some(LossModel::new(
            portfolio, reference, material, stage, &el.model,
        )?),
        _ => None,
    };
    let mut plan = plan_with(
        material,
        stage,
        (&today, world),
        reference,
        (&groups, portfolio.jurisdiction),
        params,
        loss.as_ref(),
    )?;
    plan.basis = basis;
    Ok(plan)
}

/// The plan of one material and stage, or why there is none.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanOutcome {
    /// Material id.
    pub material: String,
    /// The stage; `None` when the material has no stage to plan.
    pub stage: Option<Stage>,
    /// The plan.
    pub plan: Option<Plan>,
    /// Why there is no plan.
    pub error: Option<PlanError>,
}

/// The stage the firm buys `material` at: the most downstream stage with a look-through mix
/// (the purchased component where the firm gave one, else refining, else mining). The firm has
/// a lever there (it chooses its suppliers); upstream it depends on its suppliers' sourcing.
pub fn purchase_stage(
    portfolio: &Portfolio,
    reference: &ReferenceData,
    material: &str,
) -> Option<Stage> {
    plannable_stages(portfolio, reference, material).pop()
}

/// Plans `material` at `stage`; when `stage` is `None`, at the stage the firm buys at
/// ([`purchase_stage`]), or at every plannable stage with [`PlanParams::upstream`].
pub fn plan_material(
    portfolio: &Portfolio,
    reference: &ReferenceData,
    material: &str,
    stage: Option<Stage>,
    params: &PlanParams,
) -> Vec<PlanOutcome> {
    let stages = match stage {
        Some(stage) => vec![stage],
        None if params.upstream => plannable_stages(portfolio, reference, material),
        None => purchase_stage(portfolio, reference, material)
            .into_iter()
            .collect(),
    };
    if stages.is_empty() {
        let error = if portfolio.lines.iter().any(|l| l.material == material) {
            PlanError::NoMix {
                material: material.to_string(),
                stage: Stage::Refining,
            }
        } else {
            PlanError::MaterialNotInPortfolio {
                material: material.to_string(),
            }
        };
        return vec![PlanOutcome {
            material: material.to_string(),
            stage: None,
            plan: None,
            error: Some(error),
        }];
    }
    stages
        .into_iter()
        .map(|stage| {
            let (plan, error) = match plan_stage(portfolio, reference, material, stage, params) {
                Ok(plan) => (Some(plan), None),
                Err(error) => (None, Some(error)),
            };
            PlanOutcome {
                material: material.to_string(),
                stage: Some(stage),
                plan,
                error,
            }
        })
        .collect()
}

/// Plans every material of `portfolio` (in order of first appearance) at the stage the firm buys
/// it at, or at every plannable stage with [`PlanParams::upstream`].
pub fn plan_portfolio(
    portfolio: &Portfolio,
    reference: &ReferenceData,
    params: &PlanParams,
) -> Vec<PlanOutcome> {
    let mut materials: Vec<&str> = Vec::new();
    for line in &portfolio.lines {
        if !materials.contains(&line.material.as_str()) {
            materials.push(&line.material);
        }
    }
    materials
        .into_iter()
        .flat_map(|m| plan_material(portfolio, reference, m, None, params))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use explain::{in_sentence, list_names, loss_change, significant};

    #[test]
    fn numbers_for_text() {
        assert_eq!(
            list_names(&["A".into(), "B".into(), "C".into()]),
            "A, B and C"
        );
        assert_eq!(
            in_sentence("Magnet rare earths (Nd, Pr)"),
            "magnet rare earths (Nd, Pr)"
        );
        assert_eq!(in_sentence("PGMs"), "PGMs");
        assert_eq!(significant(1.204), "1.2");
        assert_eq!(significant(0.4), "0.4");
        assert_eq!(significant(0.012_34), "0.0123");
        assert_eq!(significant(1234.0), "1234");
        let mut el = ExpectedLossParams::default();
        assert_eq!(loss_change(&el, 0.85, 0.2104), "0.85 -> 0.21 % of revenue");
        el.model.annual_revenue = crate::portfolio::Amount::new(1e9);
        el.currency = Some("EUR".into());
        assert_eq!(
            loss_change(&el, 1_204_000.0, 400_000.0),
            "1.2 M -> 0.4 M EUR"
        );
    }
}
