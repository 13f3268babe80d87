//! Building the problem of one stage: the candidate countries, their bounds (caps, minimums,
//! the rest-of-world and restricted-country rules) and the objective's weights.

use super::expected_loss::{CountryLoss, LossModel};
use super::sanctions::SanctionsCheck;
use super::sanctions::is_weak;
use super::solver::{Problem, Solution};
use super::{Objective, PlanError, PlanParams, expected_loss};
use crate::analysis::exposure::{MixBasis, look_through_embedded, weighted_mix};
use crate::model::{CountryCode, CountryMix, Stage};
use crate::portfolio::Portfolio;
use crate::reference::{CountryGroup, ReferenceData};
use std::collections::BTreeSet;

/// The problem of one stage, with the candidate countries in a fixed order.
pub(super) struct Setup<'a> {
    pub(super) countries: Vec<CountryCode>,
    pub(super) problem: Problem,
    pub(super) premium_pct: Vec<f64>,
    pub(super) objective: &'a Objective,
    pub(super) group: Option<&'a CountryGroup>,
    pub(super) covered: Option<&'a CountryGroup>,
    pub(super) reference: &'a ReferenceData,
    /// The expected-loss objective's terms, for that objective only.
    pub(super) loss: Option<LossTerms>,
    /// The index of `ROW` among the candidates, with the cap it would have had as a country,
    /// when the rest-of-world rule lowered it to today's share.
    pub(super) residual: Option<(usize, f64)>,
    /// The restricted group, and the indices of its members among the candidates that the rule
    /// holds at or below today's share.
    pub(super) restricted: Option<(&'a CountryGroup, Vec<usize>)>,
    /// What the sanctions rule did (its members among the candidates are excluded).
    pub(super) sanctions: SanctionsCheck,
    /// The weak-governance threshold, and the indices of the candidates the rule holds at or
    /// below today's share (those whose cap it lowered).
    pub(super) weak: Option<(f64, Vec<usize>)>,
}

/// The expected loss over the candidate countries: `offset + sum_c value_c(x_c)` (fractions of
/// revenue), with each country's derivative divided by `norm` for the solver (so that the
/// largest marginal loss is 1 and the solver's tolerances are relative).
pub(super) struct LossTerms {
    pub(super) countries: Vec<CountryLoss>,
    pub(super) scaled: Vec<expected_loss::Pieces>,
    pub(super) norm: f64,
    pub(super) offset: f64,
}

impl LossTerms {
    pub(super) fn new(model: &LossModel<'_>, candidates: &[CountryCode]) -> LossTerms {
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
    pub(super) fn unscale(&self, s: Solution) -> Solution {
        Solution {
            nu: s.nu * self.norm,
            mu: s.mu * self.norm,
            beta: s.beta * self.norm,
            x: s.x,
        }
    }

    pub(super) fn value(&self, x: &[f64]) -> f64 {
        self.offset
            + self
                .countries
                .iter()
                .zip(x)
                .map(|(l, v)| l.value(*v))
                .sum::<f64>()
    }
}

pub(super) fn invalid(name: &str, problem: impl Into<String>) -> PlanError {
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
    if let Some(t) = params.weak_governance
        && !(t.is_finite() && (-2.5..=2.5).contains(&t))
    {
        return Err(invalid(
            "weak_governance",
            format!("{t} is not a WGI mean between -2.5 and 2.5"),
        ));
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
pub(super) fn today_mix(
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
#[derive(Clone)]
pub(super) struct Groups<'a> {
    pub(super) objective: Option<&'a CountryGroup>,
    pub(super) covered: Option<&'a CountryGroup>,
    pub(super) restricted: Option<&'a CountryGroup>,
    /// The sanctions list applied, or what to report when none is.
    pub(super) sanctions: Result<&'a CountryGroup, SanctionsCheck>,
    /// Hold the sanctions list's members at or below today's share instead of excluding them
    /// (when excluding them leaves no feasible plan).
    pub(super) sanctions_hold: bool,
}

pub(super) fn setup<'a>(
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
        sanctions,
        sanctions_hold,
    } = groups;
    let sanctions_group = sanctions.as_ref().ok().copied();
    let mut held = Vec::new();
    let mut sanctioned = Vec::new();
    let mut weak = Vec::new();
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
        let user_set = params.caps.contains_key(&c) || params.exclude.contains(&c);
        // A sanctioned country may not supply, unless the user set its cap or a minimum.
        if in_group(sanctions_group, c) && !user_set && !params.require.contains_key(&c) {
            sanctioned.push(i);
            cap = if sanctions_hold { cap.min(x0) } else { 0.0 };
        }
        // A restricted country is no new supplier: never above today, unless the user set its
        // cap.
        else if in_group(restricted, c) && !user_set {
            held.push(i);
            cap = cap.min(x0);
        }
        // Nor is a producer with weak governance (see `sanctions`), unless the user set its cap.
        else if let Some(threshold) = params.weak_governance
            && !user_set
            && cap > x0
            && is_weak(reference, c, threshold)
        {
            weak.push(i);
            cap = x0;
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
    let sanctions = match sanctions {
        Ok(g) => SanctionsCheck::Applied {
            group: g.id.clone(),
            name: g.name.clone(),
            source: g.source.clone(),
            as_of: g.as_of.clone(),
            members: sanctioned.iter().map(|&i| countries[i]).collect(),
            held: sanctions_hold,
        },
        Err(check) => check,
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
        sanctions,
        weak: params.weak_governance.map(|t| (t, weak)),
    }
}

/// The smallest governance weight used, so that the quadratic stays strictly convex.
pub(super) const MIN_WEIGHT: f64 = 1e-6;

pub(super) fn wgi_weight(reference: &ReferenceData, country: CountryCode, unknown: f64) -> f64 {
    reference
        .country(country)
        .and_then(|c| c.wgi_eu_scaled())
        .unwrap_or(unknown)
        .max(MIN_WEIGHT)
}

pub(super) fn in_group(group: Option<&CountryGroup>, country: CountryCode) -> bool {
    !country.is_rest_of_world() && group.is_some_and(|g| g.contains(country))
}
