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
pub mod expected_loss;
mod separable;
pub mod side_by_side;
mod solver;

use crate::analysis::assess::Assessment;
use crate::analysis::concentration::hhi_wgi;
use crate::analysis::exposure::{MixBasis, look_through_embedded, weighted_mix};
use crate::model::{CountryCode, CountryMix, Stage};
use crate::portfolio::Portfolio;
use crate::reference::{CountryGroup, ReferenceData};
use crate::text::format::{percent_figure as pct, thousands};
use expected_loss::{CountryLoss, ExpectedLossParams, LossModel};
use serde::Serialize;
use solver::{
    Blocks, Problem, Solution, TOL, dot, min_shift, shift, solve_lp, solve_qp, solve_qp_path,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

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
            upstream: false,
        }
    }
}

/// Why the constraints admit no plan: the first constraint, in this order, that cannot be met.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "constraint", rename_all = "snake_case")]
pub enum Infeasibility {
    /// A required minimum above the country's cap (0 when it is excluded or produces nothing).
    RequiredAboveCap {
        /// The country.
        country: CountryCode,
        /// Its required share (fraction).
        required: f64,
        /// Its cap (fraction).
        cap: f64,
    },
    /// The required minimums sum above 100 %.
    RequiredAbove100 {
        /// Their sum (fraction).
        total: f64,
    },
    /// The caps of the countries that may supply sum below 100 %.
    CapsBelow100 {
        /// Their sum (fraction).
        total: f64,
    },
    /// Leaving excluded or over-cap countries and meeting minimums moves more than the limit.
    MaxShift {
        /// The least shift any plan needs (fraction).
        needed: f64,
        /// The limit (fraction).
        max_shift: f64,
    },
    /// Every plan within the other limits costs more premium than the budget.
    Budget {
        /// The least premium of any plan within the other limits, percent of spend.
        needed_pct: f64,
        /// The budget, percent of spend.
        budget_pct: f64,
    },
}

impl fmt::Display for Infeasibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Infeasibility::RequiredAboveCap {
                country,
                required,
                cap,
            } => write!(
                f,
                "{country} is required at {} % but can supply at most {} %",
                pct(*required),
                pct(*cap)
            ),
            Infeasibility::RequiredAbove100 { total } => {
                write!(
                    f,
                    "the required minimums sum to {} %, above 100 %",
                    pct(*total)
                )
            }
            Infeasibility::CapsBelow100 { total } => write!(
                f,
                "the capacity caps of the countries that may supply sum to {} %, below 100 % \
                 (raise the headroom, set caps, or exclude fewer countries)",
                pct(*total)
            ),
            Infeasibility::MaxShift { needed, max_shift } => write!(
                f,
                "the excluded, capped and required countries force a shift of {} % of volume, \
                 above the limit of {} %",
                pct(*needed),
                pct(*max_shift)
            ),
            Infeasibility::Budget {
                needed_pct,
                budget_pct,
            } => write!(
                f,
                "every plan within the other limits costs at least {} % premium, above the \
                 budget of {} %",
                round2(*needed_pct),
                round2(*budget_pct)
            ),
        }
    }
}

/// Why no plan was made.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum PlanError {
    /// The portfolio has no line of this material.
    MaterialNotInPortfolio {
        /// Material id.
        material: String,
    },
    /// The stage has no mix after the look-through (no own sourcing, no world data).
    NoMix {
        /// Material id.
        material: String,
        /// The stage.
        stage: Stage,
    },
    /// The objective names a group neither the reference data nor the portfolio has.
    UnknownGroup {
        /// The group id.
        group: String,
    },
    /// A parameter is out of range.
    InvalidParameter {
        /// Which parameter.
        name: String,
        /// What is wrong.
        problem: String,
    },
    /// The constraints admit no plan.
    Infeasible {
        /// Material id.
        material: String,
        /// The stage.
        stage: Stage,
        /// The constraint that cannot be met.
        reason: Infeasibility,
    },
    /// The solver did not finish (a guard: it should not happen).
    Numerical {
        /// Material id.
        material: String,
        /// The stage.
        stage: Stage,
    },
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::MaterialNotInPortfolio { material } => {
                write!(f, "the portfolio has no line of `{material}`")
            }
            PlanError::NoMix { material, stage } => write!(
                f,
                "{material}, {}: no sourcing to plan (no own mix, no world data)",
                stage.id()
            ),
            PlanError::UnknownGroup { group } => write!(f, "no country group `{group}`"),
            PlanError::InvalidParameter { name, problem } => write!(f, "`{name}`: {problem}"),
            PlanError::Infeasible {
                material,
                stage,
                reason,
            } => write!(f, "{material}, {}: no feasible plan: {reason}", stage.id()),
            PlanError::Numerical { material, stage } => {
                write!(f, "{material}, {}: the solver did not converge", stage.id())
            }
        }
    }
}

impl std::error::Error for PlanError {}

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
    /// An excluded country that supplies today.
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

// ---------------------------------------------------------------------------------------------
// Building the problem
// ---------------------------------------------------------------------------------------------

/// The problem of one stage, with the candidate countries in a fixed order.
struct Setup<'a> {
    countries: Vec<CountryCode>,
    problem: Problem,
    premium_pct: Vec<f64>,
    objective: &'a Objective,
    group: Option<&'a CountryGroup>,
    covered: Option<&'a CountryGroup>,
    reference: &'a ReferenceData,
    /// The expected-loss objective's terms, for that objective only.
    loss: Option<LossTerms>,
    /// The index of `ROW` among the candidates, with the cap it would have had as a country,
    /// when the rest-of-world rule lowered it to today's share.
    residual: Option<(usize, f64)>,
    /// The restricted group, and the indices of its members among the candidates that the rule
    /// holds at or below today's share.
    restricted: Option<(&'a CountryGroup, Vec<usize>)>,
}

/// The expected loss over the candidate countries: `offset + sum_c value_c(x_c)` (fractions of
/// revenue), with each country's derivative divided by `norm` for the solver (so that the
/// largest marginal loss is 1 and the solver's tolerances are relative).
struct LossTerms {
    countries: Vec<CountryLoss>,
    scaled: Vec<expected_loss::Pieces>,
    norm: f64,
    offset: f64,
}

impl LossTerms {
    fn new(model: &LossModel<'_>, candidates: &[CountryCode]) -> LossTerms {
        let countries: Vec<CountryLoss> = candidates.iter().map(|&c| model.country(c)).collect();
        let mut offset: f64 = countries.iter().map(|l| l.constant).sum();
        for &c in model.other_countries() {
            if candidates.binary_search(&c).is_err() {
                let loss = model.country(c);
                offset += loss.constant + loss.value(0.0);
            }
        }
        let largest = countries
            .iter()
            .map(|l| l.pieces.left(1.0))
            .fold(0.0, f64::max);
        let norm = if largest > 0.0 && largest.is_finite() {
            largest
        } else {
            1.0
        };
        let scaled = countries
            .iter()
            .map(|l| l.pieces.scaled(1.0 / norm))
            .collect();
        LossTerms {
            countries,
            scaled,
            norm,
            offset,
        }
    }

    /// A solution of the scaled problem with its multipliers in the objective's own units
    /// (fractions of revenue).
    fn unscale(&self, s: Solution) -> Solution {
        Solution {
            nu: s.nu * self.norm,
            mu: s.mu * self.norm,
            beta: s.beta * self.norm,
            x: s.x,
        }
    }

    fn value(&self, x: &[f64]) -> f64 {
        self.offset
            + self
                .countries
                .iter()
                .zip(x)
                .map(|(l, v)| l.value(*v))
                .sum::<f64>()
    }
}

fn invalid(name: &str, problem: impl Into<String>) -> PlanError {
    PlanError::InvalidParameter {
        name: name.to_string(),
        problem: problem.into(),
    }
}

/// The checks every plan's parameters pass before anything is solved: the planner's only bounds
/// (the Plan page and the command line call it too, rather than bounding inputs their own way).
/// The error is [`PlanError::InvalidParameter`], naming the field (`headroom`, `max_shift`,
/// `budget`, `unknown_wgi`, `premium`, `require`, `caps`, `objective`).
pub fn check_params(params: &PlanParams) -> Result<(), PlanError> {
    if !(params.headroom.is_finite() && params.headroom >= 0.0) {
        return Err(invalid("headroom", "must be a non-negative number"));
    }
    if !(params.max_shift.is_finite() && params.max_shift >= 0.0) {
        return Err(invalid("max_shift", "must be a non-negative number"));
    }
    if let Some(b) = params.budget
        && !b.is_finite()
    {
        return Err(invalid("budget", "must be a finite number"));
    }
    if !(params.unknown_wgi.is_finite() && params.unknown_wgi > 0.0) {
        return Err(invalid("unknown_wgi", "must be a positive number"));
    }
    for (country, value) in &params.premiums {
        if !value.is_finite() || *value < -100.0 {
            return Err(invalid(
                "premium",
                format!("{country}: {value} is not a premium"),
            ));
        }
    }
    for (name, map) in [("require", &params.require), ("caps", &params.caps)] {
        for (country, value) in map {
            if !(value.is_finite() && (0.0..=1.0).contains(value)) {
                return Err(invalid(
                    name,
                    format!("{country}: {value} is not a share between 0 and 1"),
                ));
            }
        }
    }
    if let Objective::Linear(weights) = &params.objective
        && let Some((country, w)) = weights.iter().find(|(_, w)| !w.is_finite())
    {
        return Err(invalid("objective", format!("{country}: weight {w}")));
    }
    Ok(())
}

/// Today's mix of `material` at `stage`: the spend-weighted look-through over its lines.
fn today_mix(
    portfolio: &Portfolio,
    reference: &ReferenceData,
    material: &str,
    stage: Stage,
) -> Option<(CountryMix, MixBasis)> {
    let mut basis = MixBasis::Unavailable;
    let mut parts = Vec::new();
    for line in portfolio.lines.iter().filter(|l| l.material == material) {
        for resolved in look_through_embedded(line, reference, portfolio.look_through) {
            if resolved.stage == stage {
                basis = basis.combine(resolved.basis);
                if let Some(mix) = resolved.mix {
                    parts.push((line.spend.get(), mix));
                }
            }
        }
    }
    let parts = parts.iter().map(|(w, mix)| (*w, mix.as_ref()));
    Some((weighted_mix(parts)?, basis))
}

/// The stages of `material` with a mix to plan: every stage with a look-through mix, upstream
/// first.
pub fn plannable_stages(
    portfolio: &Portfolio,
    reference: &ReferenceData,
    material: &str,
) -> Vec<Stage> {
    Stage::ALL
        .into_iter()
        .filter(|&stage| today_mix(portfolio, reference, material, stage).is_some())
        .collect()
}

/// The groups a plan refers to: the objective's, the covered nations (reported with every
/// plan) and the restricted list.
struct Groups<'a> {
    objective: Option<&'a CountryGroup>,
    covered: Option<&'a CountryGroup>,
    restricted: Option<&'a CountryGroup>,
}

fn setup<'a>(
    today: &CountryMix,
    world: Option<&CountryMix>,
    reference: &'a ReferenceData,
    groups: Groups<'a>,
    params: &'a PlanParams,
    loss: Option<&LossModel<'_>>,
) -> Setup<'a> {
    let Groups {
        objective: group,
        covered,
        restricted,
    } = groups;
    let mut held = Vec::new();
    let mut set: BTreeSet<CountryCode> = today.entries().iter().map(|(c, _)| *c).collect();
    if let Some(world) = world {
        set.extend(world.entries().iter().map(|(c, _)| *c));
    }
    set.extend(params.require.keys());
    set.extend(params.caps.keys());
    let countries: Vec<CountryCode> = set.into_iter().collect();
    let n = countries.len();
    let mut problem = Problem {
        x0: Vec::with_capacity(n),
        lo: Vec::with_capacity(n),
        hi: Vec::with_capacity(n),
        quad: Vec::with_capacity(n),
        lin: Vec::with_capacity(n),
        premium: Vec::with_capacity(n),
        max_shift: params.max_shift,
        budget: params.budget.map_or(f64::INFINITY, |b| b / 100.0),
    };
    let mut premium_pct = Vec::with_capacity(n);
    let mut residual = None;
    for (i, &c) in countries.iter().enumerate() {
        let x0 = today.share_of(c);
        let world_share = world.map_or(0.0, |w| w.share_of(c));
        let default_cap = (params.headroom * world_share).max(x0).min(1.0);
        let mut cap = if params.exclude.contains(&c) {
            0.0
        } else {
            params.caps.get(&c).copied().unwrap_or(default_cap)
        };
        // Rest of world is a residual of the statistics, not a supplier: never above today.
        if c.is_rest_of_world() && cap > x0 {
            residual = Some((i, cap));
            cap = x0;
        }
        // A restricted country is no new supplier: never above today, unless the user set its
        // cap.
        if in_group(restricted, c) && !params.caps.contains_key(&c) && !params.exclude.contains(&c)
        {
            held.push(i);
            cap = cap.min(x0);
        }
        let (quad, lin) = match &params.objective {
            Objective::Hhi => (1.0, 0.0),
            Objective::HhiWgi => (wgi_weight(reference, c, params.unknown_wgi), 0.0),
            Objective::Group(_) => (0.0, f64::from(u8::from(in_group(group, c)))),
            Objective::Linear(weights) => (0.0, weights.get(&c).copied().unwrap_or(0.0)),
            Objective::ExpectedLoss(_) => (0.0, 0.0),
        };
        let pp = params.premiums.get(&c).copied().unwrap_or(0.0);
        problem.x0.push(x0);
        problem
            .lo
            .push(params.require.get(&c).copied().unwrap_or(0.0));
        problem.hi.push(cap);
        problem.quad.push(quad);
        problem.lin.push(lin);
        problem.premium.push(pp / 100.0);
        premium_pct.push(pp);
    }
    let loss = match &params.objective {
        Objective::ExpectedLoss(_) => loss.map(|model| LossTerms::new(model, &countries)),
        _ => None,
    };
    Setup {
        countries,
        problem,
        premium_pct,
        objective: &params.objective,
        group,
        covered,
        reference,
        loss,
        residual,
        restricted: restricted.map(|g| (g, held)),
    }
}

/// The smallest governance weight used, so that the quadratic stays strictly convex.
const MIN_WEIGHT: f64 = 1e-6;

fn wgi_weight(reference: &ReferenceData, country: CountryCode, unknown: f64) -> f64 {
    reference
        .country(country)
        .and_then(|c| c.wgi_eu_scaled())
        .unwrap_or(unknown)
        .max(MIN_WEIGHT)
}

fn in_group(group: Option<&CountryGroup>, country: CountryCode) -> bool {
    !country.is_rest_of_world() && group.is_some_and(|g| g.contains(country))
}

// ---------------------------------------------------------------------------------------------
// Feasibility
// ---------------------------------------------------------------------------------------------

fn diagnose(setup: &Setup<'_>) -> Result<(), Infeasibility> {
    let p = &setup.problem;
    for (i, &c) in setup.countries.iter().enumerate() {
        if p.lo[i] > p.hi[i] + TOL {
            return Err(Infeasibility::RequiredAboveCap {
                country: c,
                required: p.lo[i],
                cap: p.hi[i],
            });
        }
    }
    let total_lo: f64 = p.lo.iter().sum();
    if total_lo > 1.0 + TOL {
        return Err(Infeasibility::RequiredAbove100 { total: total_lo });
    }
    let total_hi: f64 = p.hi.iter().sum();
    if total_hi < 1.0 - TOL {
        return Err(Infeasibility::CapsBelow100 { total: total_hi });
    }
    let needed = min_shift(p);
    if needed > p.max_shift + TOL {
        return Err(Infeasibility::MaxShift {
            needed,
            max_shift: p.max_shift,
        });
    }
    if p.budget.is_finite() {
        let needed = cheapest_premium(p).unwrap_or(f64::INFINITY);
        if needed > p.budget + TOL {
            return Err(Infeasibility::Budget {
                needed_pct: needed * 100.0,
                budget_pct: p.budget * 100.0,
            });
        }
    }
    Ok(())
}

/// The least premium (fraction) of any plan within the box, simplex and shift limits.
fn cheapest_premium(p: &Problem) -> Option<f64> {
    if p.premium.iter().all(|v| *v == 0.0) {
        return Some(0.0);
    }
    let lp = Problem {
        quad: vec![0.0; p.x0.len()],
        lin: p.premium.clone(),
        budget: f64::INFINITY,
        ..p.clone()
    };
    solve_lp(&lp).ok().map(|s| dot(&s.x, &p.premium))
}

// ---------------------------------------------------------------------------------------------
// Solving
// ---------------------------------------------------------------------------------------------

fn is_quadratic(objective: &Objective) -> bool {
    matches!(objective, Objective::Hhi | Objective::HhiWgi)
}

/// The optimum of `problem` for the objective, `None` if the solver fails. `budget_slack`: see
/// `solve_qp` (0 for an exact solve).
fn optimise(setup: &Setup<'_>, problem: &Problem, budget_slack: f64) -> Option<Solution> {
    let n = problem.x0.len();
    if let Some(loss) = &setup.loss {
        let s = separable::solve(problem, &loss.scaled, budget_slack)?;
        return Some(loss.unscale(s));
    }
    if is_quadratic(setup.objective) {
        return solve_qp(problem, &Blocks::single(n), budget_slack);
    }
    let lp = solve_lp(problem).ok()?;
    if !matches!(setup.objective, Objective::Group(_)) {
        return Some(lp);
    }
    // Tie-break over the optimal face {group share = g*}: the least HHI, a quadratic problem
    // with one simplex per block (members, others).
    let members: Vec<bool> = (0..n).map(|c| problem.lin[c] > 0.0).collect();
    let sum_where =
        |v: &[f64], m: bool| -> f64 { (0..n).filter(|&c| members[c] == m).map(|c| v[c]).sum() };
    let best: f64 = sum_where(&lp.x, true);
    let g = best.clamp(sum_where(&problem.lo, true), sum_where(&problem.hi, true));
    let of: Vec<usize> = members.iter().map(|&m| usize::from(!m)).collect();
    let blocks = Blocks::new(&of, vec![g, 1.0 - g]);
    let hhi_problem = Problem {
        quad: vec![1.0; n],
        lin: vec![0.0; n],
        ..problem.clone()
    };
    match solve_qp(&hhi_problem, &blocks, 0.0) {
        Some(tie) if feasible(problem, &tie.x, 1e-9) && sum_where(&tie.x, true) <= best + 1e-9 => {
            Some(Solution { x: tie.x, ..lp })
        }
        _ => Some(lp),
    }
}

/// Whether `x` meets every constraint of `p` within `tol`.
fn feasible(p: &Problem, x: &[f64], tol: f64) -> bool {
    let sum: f64 = x.iter().sum();
    (sum - 1.0).abs() <= tol
        && x.iter()
            .enumerate()
            .all(|(c, v)| *v >= p.lo[c] - tol && *v <= p.hi[c] + tol)
        && shift(x, &p.x0) <= p.max_shift + tol
        && (!p.budget.is_finite() || dot(x, &p.premium) <= p.budget + tol)
}

/// The objective on its reported scale.
fn objective_value(setup: &Setup<'_>, x: &[f64]) -> f64 {
    let p = &setup.problem;
    if let Some(loss) = &setup.loss {
        return loss.value(x) * setup.objective.scale();
    }
    let raw: f64 = (0..x.len())
        .map(|c| p.quad[c] * x[c] * x[c] + p.lin[c] * x[c])
        .sum();
    raw * setup.objective.scale()
}

fn metrics(setup: &Setup<'_>, x: &[f64]) -> Metrics {
    let mix = to_mix(&setup.countries, x);
    let share = |group: Option<&CountryGroup>| {
        group.map(|g| {
            (0..x.len())
                .filter(|&c| in_group(Some(g), setup.countries[c]))
                .map(|c| x[c])
                .sum::<f64>()
        })
    };
    Metrics {
        objective: objective_value(setup, x),
        hhi: x.iter().map(|v| 10_000.0 * v * v).sum(),
        hhi_wgi: mix.map_or(0.0, |m| hhi_wgi(&m, setup.reference, &|_| 1.0).value),
        covered_share: share(setup.covered),
        group_share: match setup.objective {
            Objective::Group(_) => share(setup.group),
            _ => None,
        },
        premium_pct: dot(x, &setup.premium_pct),
    }
}

/// Shares below this are noise of the arithmetic and dropped from mixes.
const NOISE: f64 = 1e-12;

fn to_mix(countries: &[CountryCode], x: &[f64]) -> Option<CountryMix> {
    CountryMix::from_shares(
        countries
            .iter()
            .zip(x)
            .map(|(c, v)| (*c, if *v > NOISE { *v } else { 0.0 })),
    )
    .ok()
}

/// The objective's derivative with respect to country `c`'s share at `x`, from the left and
/// from the right (equal except at the expected loss's kinks), on the fraction scale.
fn marginal(setup: &Setup<'_>, c: usize, x: f64) -> (f64, f64) {
    let p = &setup.problem;
    match &setup.loss {
        Some(loss) => (
            loss.countries[c].pieces.left(x),
            loss.countries[c].pieces.right(x),
        ),
        None => {
            let d = 2.0 * p.quad[c] * x + p.lin[c];
            (d, d)
        }
    }
}

/// The reduced-gradient interval of country `c` at the optimum: the derivative of the
/// Lagrangian without the bounds, an interval where `x_c = x0_c` (the shift's kink) or where
/// the objective has a kink.
fn reduced(setup: &Setup<'_>, s: &Solution, x: &[f64], c: usize) -> (f64, f64) {
    let p = &setup.problem;
    let (left, right) = marginal(setup, c, x[c]);
    let shift = s.beta * p.premium[c] - s.nu;
    let half = s.mu / 2.0;
    let d = x[c] - p.x0[c];
    if d > TOL {
        (left + shift + half, right + shift + half)
    } else if d < -TOL {
        (left + shift - half, right + shift - half)
    } else {
        (left + shift - half, right + shift + half)
    }
}

fn bindings(setup: &Setup<'_>, s: &Solution, x: &[f64], params: &PlanParams) -> Vec<Binding> {
    let p = &setup.problem;
    let per_point = setup.objective.scale() / 100.0;
    let mut out = Vec::new();
    for (c, &country) in setup.countries.iter().enumerate() {
        let (rmin, rmax) = reduced(setup, s, x, c);
        if params.exclude.contains(&country) {
            if p.x0[c] > 0.0 {
                out.push(Binding::Excluded {
                    country,
                    today: p.x0[c],
                });
            }
            continue;
        }
        let at_lo = x[c] <= p.lo[c] + 1e-9;
        let at_hi = x[c] >= p.hi[c] - 1e-9;
        if at_hi && setup.residual.is_some_and(|(i, _)| i == c) {
            out.push(Binding::RestOfWorld {
                today: p.x0[c],
                multiplier: (-rmax).max(0.0) * per_point,
            });
        } else if at_hi
            && p.x0[c] > p.lo[c]
            && setup
                .restricted
                .as_ref()
                .is_some_and(|(_, held)| held.contains(&c))
        {
            out.push(Binding::Restricted {
                country,
                today: p.x0[c],
                multiplier: (-rmax).max(0.0) * per_point,
            });
        } else if at_hi && p.hi[c] > p.lo[c] && p.hi[c] > 0.0 && p.hi[c] < 1.0 {
            out.push(Binding::Cap {
                country,
                cap: p.hi[c],
                multiplier: (-rmax).max(0.0) * per_point,
            });
        } else if at_lo && p.lo[c] > 0.0 {
            out.push(Binding::Required {
                country,
                minimum: p.lo[c],
                multiplier: rmin.max(0.0) * per_point,
            });
        }
    }
    if p.max_shift < 1.0 && shift(x, &p.x0) >= p.max_shift - 1e-9 {
        out.push(Binding::MaxShift {
            max_shift: p.max_shift,
            multiplier: s.mu * per_point,
        });
    }
    if p.budget.is_finite() && dot(x, &p.premium) >= p.budget - 1e-9 {
        out.push(Binding::Budget {
            budget_pct: p.budget * 100.0,
            multiplier: s.beta * per_point,
        });
    }
    out
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
/// // The plain HHI; this reference has no restricted list (the default names one).
/// let params = PlanParams {
///     objective: Objective::Hhi, restricted: None, max_shift: 0.3, ..PlanParams::default()
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
        groups,
        params,
        None,
    )
}

/// [`plan_mix`] of today's and the world's mix, with the expected-loss model when the objective
/// is the expected loss.
fn plan_with(
    material: &str,
    stage: Stage,
    (today, world): (&CountryMix, Option<&CountryMix>),
    reference: &ReferenceData,
    groups: &[&CountryGroup],
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
    let groups = Groups {
        objective: group,
        covered,
        restricted,
    };
    let setup = setup(today, world, reference, groups, params, loss);
    let infeasible = |reason| PlanError::Infeasible {
        material: material.to_string(),
        stage,
        reason,
    };
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
        &groups,
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

// ---------------------------------------------------------------------------------------------
// Frontier and recommendation
// ---------------------------------------------------------------------------------------------

fn frontier(setup: &Setup<'_>, points: usize) -> Vec<FrontierPoint> {
    if points == 0 {
        return Vec::new();
    }
    let p = &setup.problem;
    let point = |budget: f64, s: Solution| -> FrontierPoint {
        let premium_pct = dot(&s.x, &setup.premium_pct);
        FrontierPoint {
            // Where the budget binds, the point is the exact optimum for its own premium.
            budget_pct: if s.beta > 0.0 || !budget.is_finite() {
                premium_pct
            } else {
                (budget * 100.0).max(premium_pct)
            },
            metrics: metrics(setup, &s.x),
            shift: shift(&s.x, &p.x0),
            mix: to_mix(&setup.countries, &s.x)
                .map(|m| m.entries().to_vec())
                .unwrap_or_default(),
        }
    };
    // The right end: the best plan within the user's budget; the left: the cheapest premium.
    let Some(right) = optimise(setup, p, 0.0).map(|s| point(p.budget, s)) else {
        return Vec::new();
    };
    let high = right.metrics.premium_pct / 100.0;
    let low = cheapest_premium(p).unwrap_or(high).min(high);
    if points == 1 || high - low <= 1e-9 {
        return vec![right];
    }
    // Budgets evenly spaced; each point may land within 2 % of a step of its budget (see
    // `solve_qp`), which keeps the frontier cheap to compute and every point exactly optimal.
    let step = (high - low) / (points - 1) as f64;
    let slack = 0.02 * step;
    let budgets: Vec<f64> = (0..points - 1).map(|k| low + step * k as f64).collect();
    let solutions: Vec<Option<Solution>> = if let Some(loss) = &setup.loss {
        separable::solve_path(p, &loss.scaled, &budgets, slack)
            .into_iter()
            .map(|s| s.map(|s| loss.unscale(s)))
            .collect()
    } else if is_quadratic(setup.objective) {
        solve_qp_path(p, &Blocks::single(p.x0.len()), &budgets, slack)
    } else {
        budgets
            .iter()
            .map(|&budget| {
                let problem = Problem {
                    budget,
                    ..p.clone()
                };
                optimise(setup, &problem, slack)
            })
            .collect()
    };
    let mut out: Vec<FrontierPoint> = budgets
        .iter()
        .zip(solutions)
        .filter_map(|(&budget, s)| Some(point(budget, s?)))
        .collect();
    out.push(FrontierPoint {
        budget_pct: high * 100.0,
        ..right
    });
    out
}

/// The knee: the point farthest below the chord between the frontier's ends (the first one on a
/// tie); the only point of a one-point frontier. The recommendation applies it to the part of
/// the frontier that is no worse than today's sourcing.
fn knee(frontier: &[FrontierPoint]) -> Option<usize> {
    let first = frontier.first()?;
    let last = frontier.last()?;
    let (x0, y0) = (first.metrics.premium_pct, first.metrics.objective);
    let (x1, y1) = (last.metrics.premium_pct, last.metrics.objective);
    if frontier.len() < 3 || (x1 - x0).abs() < 1e-12 {
        return Some(frontier.len() - 1);
    }
    let mut best = (0usize, 0.0f64);
    for (k, point) in frontier.iter().enumerate() {
        let chord = y0 + (y1 - y0) * (point.metrics.premium_pct - x0) / (x1 - x0);
        let gap = chord - point.metrics.objective;
        if gap > best.1 + 1e-12 * (1.0 + y0.abs()) {
            best = (k, gap);
        }
    }
    // A straight frontier has no knee: every unit of premium buys the same; take its end.
    Some(if best.1 > 0.0 {
        best.0
    } else {
        frontier.len() - 1
    })
}

fn recommend(
    setup: &Setup<'_>,
    frontier: &[FrontierPoint],
    optimum: &FrontierPoint,
    before: &Metrics,
    material_name: &str,
    stage: Stage,
) -> Recommendation {
    // Only points no worse than today's sourcing are recommended: the cheapest end of the
    // frontier can be worse than today when today already pays premiums.
    let start = frontier
        .iter()
        .position(|p| p.metrics.objective <= before.objective + 1e-9 * (1.0 + before.objective));
    let point = start.and_then(|start| knee(&frontier[start..]).map(|k| start + k));
    let chosen = point.map_or(optimum, |k| &frontier[k]);
    let text = explain(setup, chosen, before, material_name, stage);
    Recommendation { point, text }
}

fn country_name(reference: &ReferenceData, country: CountryCode) -> String {
    if country.is_rest_of_world() {
        return "other producers".to_string();
    }
    reference
        .country(country)
        .map_or_else(|| country.to_string(), |c| c.name.clone())
}

fn list_names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn explain(
    setup: &Setup<'_>,
    point: &FrontierPoint,
    before: &Metrics,
    material_name: &str,
    stage: Stage,
) -> String {
    let subject = format!("{} {}", in_sentence(material_name), stage_noun(stage));
    let planned = |c: CountryCode| {
        point
            .mix
            .iter()
            .find(|(k, _)| *k == c)
            .map_or(0.0, |(_, s)| *s)
    };
    let mut changes: Vec<(CountryCode, f64)> = setup
        .countries
        .iter()
        .enumerate()
        .map(|(i, &c)| (c, planned(c) - setup.problem.x0[i]))
        .filter(|(_, d)| d.abs() >= 5e-4)
        .collect();
    crate::model::order::sort_by(&mut changes, |a, b| {
        b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0))
    });
    let residual = format!(
        "{}{}",
        residual_note(setup).unwrap_or_default(),
        restricted_note(setup).unwrap_or_default()
    );
    if point.shift < 5e-4 || changes.is_empty() {
        return format!(
            "Keep today's sourcing of {subject}: within the limits no shift lowers the {} \
             ({}).{residual}",
            setup.objective.label(),
            format_objective(setup.objective, before.objective)
        );
    }
    let names = |sign: f64| -> String {
        let picked: Vec<String> = changes
            .iter()
            .filter(|(_, d)| d * sign > 0.0)
            .take(3)
            .map(|(c, _)| country_name(setup.reference, *c))
            .collect();
        let more = changes.iter().filter(|(_, d)| d * sign > 0.0).count() - picked.len();
        if more > 0 {
            format!("{} and {more} more", picked.join(", "))
        } else {
            list_names(&picked)
        }
    };
    let after = &point.metrics;
    let mut parts = vec![format!(
        "HHI {} -> {}",
        thousands(before.hhi),
        thousands(after.hhi)
    )];
    if let (Some(b), Some(a)) = (before.covered_share, after.covered_share) {
        parts.push(format!("covered-nation share {} % -> {} %", pct(b), pct(a)));
    }
    if let (Objective::Group(id), Some(b), Some(a)) =
        (setup.objective, before.group_share, after.group_share)
        && id != COVERED_NATIONS
    {
        parts.push(format!("{id} share {} % -> {} %", pct(b), pct(a)));
    }
    if matches!(setup.objective, Objective::HhiWgi) {
        parts.push(format!(
            "governance-weighted HHI {:.2} -> {:.2}",
            before.hhi_wgi, after.hhi_wgi
        ));
    }
    if matches!(setup.objective, Objective::Linear(_)) {
        parts.push(format!(
            "linear cost {:.4} -> {:.4}",
            before.objective, after.objective
        ));
    }
    if let Objective::ExpectedLoss(el) = setup.objective {
        parts.insert(
            0,
            format!(
                "expected annual loss {}",
                loss_change(el, before.objective, after.objective)
            ),
        );
    }
    let premium = after.premium_pct - before.premium_pct;
    if setup.premium_pct.iter().any(|p| *p != 0.0) {
        parts.push(format!(
            "premium {}{} % of {} spend",
            if premium >= 0.0 { "+" } else { "-" },
            round2(premium.abs()),
            in_sentence(material_name)
        ));
    }
    format!(
        "Move {} % of {subject} from {} to {}: {}.{residual}",
        pct(point.shift),
        names(-1.0),
        names(1.0),
        parts.join(", ")
    )
}

/// The sentence on the rest of world, when it is a candidate that may supply: a plan never
/// increases it (see the module notes).
fn residual_note(setup: &Setup<'_>) -> Option<String> {
    let i = setup.countries.iter().position(|c| c.is_rest_of_world())?;
    (setup.residual.is_some() || setup.problem.hi[i] > 0.0).then(|| {
        format!(
            " Rest of world stays at or below today's {} %: it is a statistical residual, not \
             a supplier, so a plan never increases it.",
            pct(setup.problem.x0[i])
        )
    })
}

/// The sentence on the restricted countries among the candidates: a plan never increases them.
fn restricted_note(setup: &Setup<'_>) -> Option<String> {
    let list = restricted_countries(setup)?;
    let names: Vec<String> = list
        .members
        .iter()
        .map(|&c| country_name(setup.reference, c))
        .collect();
    Some(format!(
        " {} {} at or below today's share: restricted countries ({}, source: {}) are no new \
         supplier.",
        list_names(&names),
        if names.len() == 1 { "stays" } else { "stay" },
        list.name,
        list.source
    ))
}

/// A display name inside a sentence: the first letter in lower case, unless the name starts
/// with an acronym ("Gallium" -> "gallium", "PGMs" stays).
fn in_sentence(name: &str) -> String {
    let mut chars = name.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if !second.is_uppercase() => {
            first.to_lowercase().chain(name.chars().skip(1)).collect()
        }
        _ => name.to_string(),
    }
}

fn stage_noun(stage: Stage) -> &'static str {
    match stage {
        Stage::Mining => "mining",
        Stage::Refining => "refining",
        Stage::Component => "components",
    }
}

fn format_objective(objective: &Objective, value: f64) -> String {
    match objective {
        Objective::Hhi => thousands(value),
        Objective::Group(_) => format!("{} %", round1(value)),
        Objective::HhiWgi => format!("{value:.2}"),
        Objective::Linear(_) => format!("{value:.4}"),
        Objective::ExpectedLoss(el) => loss_change(el, value, value)
            .split(" -> ")
            .last()
            .unwrap_or_default()
            .to_string(),
    }
}

/// An expected loss before and after, in the objective's unit: "1.2 M -> 0.4 M EUR" (money,
/// both in the unit of the larger), or "0.85 -> 0.21 % of revenue".
fn loss_change(el: &ExpectedLossParams, before: f64, after: f64) -> String {
    if el.model.annual_revenue.is_none() {
        return format!(
            "{} -> {} % of revenue",
            significant(before),
            significant(after)
        );
    }
    let largest = before.abs().max(after.abs());
    let (divisor, unit) = [(1e9, " bn"), (1e6, " M"), (1e3, " k")]
        .into_iter()
        .find(|(d, _)| largest >= *d)
        .unwrap_or((1.0, ""));
    let currency = el
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map_or(String::new(), |c| format!(" {c}"));
    format!(
        "{}{unit} -> {}{unit}{currency}",
        significant(before / divisor),
        significant(after / divisor)
    )
}

/// Three significant digits, trailing zeros dropped: 1.204 -> "1.2", 0.4 -> "0.4", 1234 -> "1234".
fn significant(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return "0".to_string();
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).clamp(0, 8) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

// ---------------------------------------------------------------------------------------------
// Applying and comparing
// ---------------------------------------------------------------------------------------------

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
/// // This reference has no restricted list (the default names one).
/// let params = PlanParams { restricted: None, ..PlanParams::default() };
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

#[cfg(test)]
mod tests {
    use super::*;

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
