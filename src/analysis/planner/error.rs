//! Why there is no plan: infeasible constraints and invalid parameters.

use super::explain::{pct, round2};
use crate::model::{CountryCode, Stage};
use serde::Serialize;
use std::fmt;

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
