//! The exact solver for the expected-loss objective: a separable convex function
//! `sum_c phi_c(x_c)` whose derivatives are piecewise `a + b / x^2` (`expected_loss.rs`), under
//! the planner's constraints (`solver.rs`: shares summing to 1 within their bounds, the shift
//! limit, the premium budget).
//!
//! # Method: the dual water-filling of `solver.rs`, generalised
//!
//! For multipliers `nu` (sum), `mu >= 0` (shift) and `beta >= 0` (budget) the Lagrangian
//! separates by country; each country's minimisers form an interval
//! `[least_c(nu), greatest_c(nu)]`, read off the inverse of `phi_c'` in closed form (the largest
//! piece whose derivative stays below the target, then `x = sqrt(b / (s - a))` inside a curved
//! piece), soft-thresholded at today's share by `mu / 2` and clamped to the bounds, as
//! `coordinate` does for the quadratic objectives (Boyd & Vandenberghe 2004, *Convex
//! Optimization*, 5.5.3 and example 5.2). `sum_c least_c(nu)` is non-decreasing in `nu`; the
//! root of `sum = 1` is found by Newton steps inside a shrinking bracket (exact on smooth
//! pieces). Unlike the quadratic objectives the expected loss is not strictly convex: it is
//! flat below the share at which a country's disruptions start to cost anything, and linear
//! where every severity causes a shortfall, so the minimisers jump. Where they do, the bracket
//! closes on the jump and the shares are interpolated between its two sides: every convex
//! combination of Lagrangian minimisers at the same multipliers is one, so this is exact. The
//! shift and budget multipliers are found by the same nested one-dimensional searches as for
//! the quadratic objectives; a jump there (for example a country on a linear piece, whose whole
//! piece is optimal at one price of the shift) is closed the same way, by the convex
//! combination of the two sides that meets the limit with equality: both sides are optimal
//! for the limiting multiplier (the optimal sets are closed), the optimal set is convex, and
//! the limit met with equality gives complementary slackness.
//!
//! # Ties
//!
//! Where several countries sit on linear pieces with the same slope and premium (typically
//! several countries below the share at which they cost anything), moving volume among them
//! changes neither the expected loss, the premium nor the sum; among those plans the one with
//! the least HHI is returned (a quadratic solve with one simplex per tie class, under the shift
//! limit), as the group objective does with its optimal face.

use super::expected_loss::Pieces;
use super::solver::{Blocks, Problem, Solution, TOL, dot, root_bracket, shift, solve_qp};

/// The least and greatest minimisers of `f(x) + (beta p_c - nu) x + (mu / 2) |x - x0_c|` over
/// `[lo_c, hi_c]`, and the rate at which the least moves with `nu`.
fn minimisers(f: &Pieces, p: &Problem, c: usize, nu: f64, mu: f64, beta: f64) -> (f64, f64, f64) {
    let t = nu - beta * p.premium[c];
    let half = mu / 2.0;
    let x0 = p.x0[c];
    let (below, rate_below) = f.least(t + half);
    let (least, rate) = if below < x0 {
        (below, rate_below)
    } else {
        let (above, rate_above) = f.least(t - half);
        if above > x0 {
            (above, rate_above)
        } else {
            (x0, 0.0)
        }
    };
    let above = f.greatest(t - half);
    let greatest = if above > x0 {
        above
    } else {
        x0.min(f.greatest(t + half))
    };
    let (lo, hi) = (p.lo[c], p.hi[c]);
    let rate = if least <= lo || least >= hi {
        0.0
    } else {
        rate
    };
    (least.clamp(lo, hi), greatest.clamp(lo, hi), rate)
}

/// For fixed `(mu, beta)`: shares minimising the Lagrangian and summing to 1, and `nu`.
fn fill(p: &Problem, f: &[Pieces], mu: f64, beta: f64) -> (Vec<f64>, f64) {
    let n = p.x0.len();
    let half = mu / 2.0;
    let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
    for c in 0..n {
        low = low.min(f[c].right(p.lo[c]) + beta * p.premium[c] - half);
        high = high.max(f[c].left(p.hi[c]) + beta * p.premium[c] + half);
    }
    let total_lo: f64 = p.lo.iter().sum();
    let total_hi: f64 = p.hi.iter().sum();
    if !(low.is_finite() && high.is_finite()) || total_lo >= 1.0 {
        return (p.lo.clone(), low);
    }
    if total_hi <= 1.0 {
        return (p.hi.clone(), high);
    }
    // Below `low` every country is at its lower bound, above `high` at its upper bound.
    let (mut nu_a, mut x_a, mut s_a) = (low - 1.0, p.lo.clone(), total_lo);
    let (mut nu_b, mut x_b, mut s_b) = (high + 1.0, p.hi.clone(), total_hi);
    let mut nu = 0.5 * (nu_a + nu_b);
    let mut least = vec![0.0; n];
    let mut greatest = vec![0.0; n];
    const EPS: f64 = 1e-14;
    for _ in 0..200 {
        let (mut sl, mut sg, mut rate) = (0.0, 0.0, 0.0);
        for c in 0..n {
            let (l, g, r) = minimisers(&f[c], p, c, nu, mu, beta);
            least[c] = l;
            greatest[c] = g;
            sl += l;
            sg += g;
            rate += r;
        }
        if sl <= 1.0 + EPS && sg >= 1.0 - EPS {
            let theta = if sg - sl > EPS {
                ((1.0 - sl) / (sg - sl)).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let x = least
                .iter()
                .zip(&greatest)
                .map(|(l, g)| l + theta * (g - l))
                .collect();
            return (x, nu);
        }
        if sg < 1.0 {
            nu_a = nu;
            x_a.clone_from(&greatest);
            s_a = sg;
        } else {
            nu_b = nu;
            x_b.clone_from(&least);
            s_b = sl;
        }
        if nu_b - nu_a <= 1e-16 + 1e-15 * nu_a.abs().max(nu_b.abs()) {
            break;
        }
        let newton = if rate > 0.0 && sg - sl <= EPS {
            nu + (1.0 - sl) / rate
        } else {
            f64::NAN
        };
        nu = if newton > nu_a && newton < nu_b {
            newton
        } else {
            0.5 * (nu_a + nu_b)
        };
    }
    // The bracket closed on a jump: interpolate between its sides (both minimise the Lagrangian
    // at the limiting multiplier).
    let theta = ((1.0 - s_a) / (s_b - s_a)).clamp(0.0, 1.0);
    let x = x_a
        .iter()
        .zip(&x_b)
        .map(|(a, b)| a + theta * (b - a))
        .collect();
    (x, nu_b)
}

/// `(1 - theta) a + theta b`.
fn mix(a: &[f64], b: &[f64], theta: f64) -> Vec<f64> {
    a.iter().zip(b).map(|(u, v)| u + theta * (v - u)).collect()
}

/// For a given budget multiplier: the optimal shares under the shift limit, `nu` and `mu`.
fn at_beta(p: &Problem, f: &[Pieces], beta: f64) -> Option<(Vec<f64>, f64, f64)> {
    if p.max_shift >= 1.0 {
        let (x, nu) = fill(p, f, 0.0, beta);
        return Some((x, nu, 0.0));
    }
    let gap = |x: &[f64]| shift(x, &p.x0) - p.max_shift;
    let (above, mu) = root_bracket(|mu| gap(&fill(p, f, mu, beta).0), TOL)?;
    let (mut x, nu) = fill(p, f, mu, beta);
    if let Some(a) = above
        && gap(&x) < -TOL
    {
        // A jump at the shift's price: the combination of both sides that moves exactly the
        // limit. The shift is convex along the segment, above the limit at `a`, below at `mu`.
        let (xa, _) = fill(p, f, a, beta);
        let (mut t0, mut t1) = (0.0, 1.0);
        for _ in 0..100 {
            let t = 0.5 * (t0 + t1);
            if gap(&mix(&xa, &x, t)) > 0.0 {
                t0 = t;
            } else {
                t1 = t;
            }
        }
        x = mix(&xa, &x, t1);
    }
    Some((x, nu, mu))
}

/// Solves the problem with objective `sum_c f_c(x_c)` (the pieces of each country's
/// derivative) exactly; `None` when the limits cannot be met (the caller checks first, so this
/// is a guard). `budget_slack`: as for `solve_qp`.
pub(crate) fn solve(p: &Problem, f: &[Pieces], budget_slack: f64) -> Option<Solution> {
    let (x, nu, mu, beta) = if p.budget.is_finite() {
        let tol = (TOL * p.budget.abs().max(1.0)).max(budget_slack);
        let over = |x: &[f64]| dot(x, &p.premium) - p.budget;
        let (above, beta) = root_bracket(
            |beta| at_beta(p, f, beta).map_or(f64::INFINITY, |(x, _, _)| over(&x)),
            tol,
        )?;
        let (mut x, nu, mu) = at_beta(p, f, beta)?;
        let below = over(&x);
        if let Some(a) = above
            && below < -tol
            && let Some((xa, _, _)) = at_beta(p, f, a)
        {
            // A jump at the budget's price: the premium is linear along the segment.
            let above = over(&xa);
            x = mix(&xa, &x, (above / (above - below)).clamp(0.0, 1.0));
        }
        (x, nu, mu, beta)
    } else {
        let (x, nu, mu) = at_beta(p, f, 0.0)?;
        (x, nu, mu, 0.0)
    };
    let x = spread_ties(p, f, x);
    // A multiplier of a constraint left slack can only be rounding (the tie-break keeps the
    // shift where the multiplier is positive; see the module notes): complementary slackness.
    let mu = if shift(&x, &p.x0) < p.max_shift - 1e-9 {
        0.0
    } else {
        mu
    };
    let beta = if dot(&x, &p.premium) < p.budget - 1e-9 {
        0.0
    } else {
        beta
    };
    Some(Solution { x, nu, mu, beta })
}

/// Among the plans as good as `x`, the one with the least HHI that moves volume only within
/// classes of countries on linear pieces with equal slopes and premiums (see the module notes).
fn spread_ties(p: &Problem, f: &[Pieces], x: Vec<f64>) -> Vec<f64> {
    let n = x.len();
    // (premium, slope, country, from, to)
    let mut free: Vec<(f64, f64, usize, f64, f64)> = (0..n)
        .filter_map(|c| {
            let (slope, from, to) = f[c].linear_around(x[c])?;
            let (from, to) = (from.max(p.lo[c]), to.min(p.hi[c]));
            (to > from).then_some((p.premium[c], slope, c, from, to))
        })
        .collect();
    crate::model::order::sort_by(&mut free, |a, b| {
        a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1))
    });
    // Block of each country: classes of two or more first, then one block per other country.
    let mut of: Vec<Option<usize>> = vec![None; n];
    let mut lo = x.clone();
    let mut hi = x.clone();
    let mut totals: Vec<f64> = Vec::new();
    let mut start = 0;
    while start < free.len() {
        let (premium, slope) = (free[start].0, free[start].1);
        let mut end = start + 1;
        while end < free.len()
            && free[end].0 == premium
            && (free[end].1 - slope).abs() <= 1e-12 * (1.0 + slope.abs())
        {
            end += 1;
        }
        if end - start >= 2 {
            let block = totals.len();
            totals.push(free[start..end].iter().map(|m| x[m.2]).sum());
            for &(_, _, c, from, to) in &free[start..end] {
                of[c] = Some(block);
                lo[c] = from;
                hi[c] = to;
            }
        }
        start = end;
    }
    if totals.is_empty() {
        return x;
    }
    let of: Vec<usize> = (0..n)
        .map(|c| {
            of[c].unwrap_or_else(|| {
                totals.push(x[c]);
                totals.len() - 1
            })
        })
        .collect();
    let hhi = Problem {
        x0: p.x0.clone(),
        lo,
        hi,
        quad: vec![1.0; n],
        lin: vec![0.0; n],
        premium: vec![0.0; n],
        max_shift: p.max_shift,
        budget: f64::INFINITY,
    };
    match solve_qp(&hhi, &Blocks::new(&of, totals), 0.0) {
        Some(s) if shift(&s.x, &p.x0) <= p.max_shift.max(shift(&x, &p.x0)) + 1e-12 => s.x,
        _ => x,
    }
}
