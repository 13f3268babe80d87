//! Solving the problem, the measures of a mix, and the constraints that bind at the optimum.

use super::sanctions::SanctionsCheck;
use super::setup::{Setup, in_group};
use super::solver::{Blocks, Problem, Solution, TOL, dot, shift, solve_lp, solve_qp};
use super::{Binding, Metrics, Objective, PlanParams, separable};
use crate::analysis::concentration::hhi_wgi;
use crate::model::{CountryCode, CountryMix};
use crate::reference::CountryGroup;

pub(super) fn is_quadratic(objective: &Objective) -> bool {
    matches!(objective, Objective::Hhi | Objective::HhiWgi)
}

/// The optimum of `problem` for the objective, `None` if the solver fails. `budget_slack`: see
/// `solve_qp` (0 for an exact solve).
pub(super) fn optimise(
    setup: &Setup<'_>,
    problem: &Problem,
    budget_slack: f64,
) -> Option<Solution> {
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
pub(super) fn feasible(p: &Problem, x: &[f64], tol: f64) -> bool {
    let sum: f64 = x.iter().sum();
    (sum - 1.0).abs() <= tol
        && x.iter()
            .enumerate()
            .all(|(c, v)| *v >= p.lo[c] - tol && *v <= p.hi[c] + tol)
        && shift(x, &p.x0) <= p.max_shift + tol
        && (!p.budget.is_finite() || dot(x, &p.premium) <= p.budget + tol)
}

/// The objective on its reported scale.
pub(super) fn objective_value(setup: &Setup<'_>, x: &[f64]) -> f64 {
    let p = &setup.problem;
    if let Some(loss) = &setup.loss {
        return loss.value(x) * setup.objective.scale();
    }
    let raw: f64 = (0..x.len())
        .map(|c| p.quad[c] * x[c] * x[c] + p.lin[c] * x[c])
        .sum();
    raw * setup.objective.scale()
}

pub(super) fn metrics(setup: &Setup<'_>, x: &[f64]) -> Metrics {
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
pub(super) const NOISE: f64 = 1e-12;

pub(super) fn to_mix(countries: &[CountryCode], x: &[f64]) -> Option<CountryMix> {
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
pub(super) fn marginal(setup: &Setup<'_>, c: usize, x: f64) -> (f64, f64) {
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
pub(super) fn reduced(setup: &Setup<'_>, s: &Solution, x: &[f64], c: usize) -> (f64, f64) {
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

pub(super) fn bindings(
    setup: &Setup<'_>,
    s: &Solution,
    x: &[f64],
    params: &PlanParams,
) -> Vec<Binding> {
    let p = &setup.problem;
    let per_point = setup.objective.scale() / 100.0;
    let mut out = Vec::new();
    for (c, &country) in setup.countries.iter().enumerate() {
        let (rmin, rmax) = reduced(setup, s, x, c);
        let sanctioned = matches!(&setup.sanctions,
            SanctionsCheck::Applied { members, held: false, .. } if members.contains(&country));
        if params.exclude.contains(&country) || sanctioned {
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
        } else if at_hi
            && p.x0[c] > p.lo[c]
            && setup
                .weak
                .as_ref()
                .is_some_and(|(_, held)| held.contains(&c))
        {
            out.push(Binding::WeakGovernance {
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
