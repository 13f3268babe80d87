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
//! Optimization*, 5.5.3 and example 5.2). The three multipliers are found by nested
//! one-dimensional maximisations of the dual, each a concave function of its multiplier whose
//! supergradient is the constraint's residual (`1 - sum x`, `shift(x) - S`, `p.x - B`).
//!
//! Unlike the quadratic objectives the expected loss is not strictly convex: it is flat below
//! the share at which a country's disruptions start to cost anything, and linear where every
//! severity causes a shortfall. Its minimisers then jump and the dual has kinks, typically
//! with linear pieces on both sides (the problem is locally a linear programme). Each search
//! therefore alternates two steps inside its bracket: a secant step on the supergradient
//! (Illinois), fast where the dual is smooth, and the intersection of the tangents at the
//! bracket's two ends, which lands on a kink between two linear pieces at once and converges
//! quadratically to one next to a curved piece. Tangents meeting at an end meet at a kink
//! there: the next point is then taken just beside that end, which closes the bracket if the
//! kink is there. A bracket closed to rounding (1e-15 relative, or absolute near 0, in units of
//! the largest marginal loss) holds a kink; the shares are then the convex combination of its
//! two ends that meets the constraint with equality: every convex combination of Lagrangian
//! minimisers at the same multipliers is one (both ends are, in the limit, since the sets of
//! minimisers are closed), so this is exact to rounding, and the constraint met with equality
//! gives complementary slackness. For the efficient frontier the evaluations of the budget's
//! multiplier are shared between budgets, as for the quadratic objectives, and each search for
//! the shift's multiplier starts from the one found at the nearest budget multiplier.
//!
//! # Ties
//!
//! Where several countries sit on linear pieces with the same slope and premium (typically
//! several countries below the share at which they cost anything), moving volume among them
//! changes neither the expected loss, the premium nor the sum; among those plans the one with
//! the least HHI is returned (a quadratic solve with one simplex per tie class, under the shift
//! limit), as the group objective does with its optimal face.

use super::expected_loss::Pieces;
use super::solver::{Blocks, Problem, Solution, TOL, dot, shift, solve_qp};

/// The least and greatest minimisers of `f(x) + (beta p_c - nu) x + (mu / 2) |x - x0_c|` over
/// `[lo_c, hi_c]`, and the rate at which the least moves with `nu`. Prices within rounding of
/// `nu` (4e-16 relative) count as equal, so that a linear piece whose slope the search reaches
/// only to rounding is found tied.
fn minimisers(f: &Pieces, p: &Problem, c: usize, nu: f64, mu: f64, beta: f64) -> (f64, f64, f64) {
    let t = nu - beta * p.premium[c];
    let half = mu / 2.0;
    let x0 = p.x0[c];
    let round = 4e-16 * (t.abs() + half).max(1.0);
    let (below, rate_below) = f.least(t + half - round);
    let (least, rate) = if below < x0 {
        (below, rate_below)
    } else {
        let (above, rate_above) = f.least(t - half - round);
        if above > x0 {
            (above, rate_above)
        } else {
            (x0, 0.0)
        }
    };
    let above = f.greatest(t - half + round);
    let greatest = if above > x0 {
        above
    } else {
        x0.min(f.greatest(t + half + round))
    };
    let (lo, hi) = (p.lo[c], p.hi[c]);
    let rate = if least <= lo || least >= hi {
        0.0
    } else {
        rate
    };
    (least.clamp(lo, hi), greatest.clamp(lo, hi), rate)
}

/// `sum_c f_c(x_c)`.
fn objective(f: &[Pieces], x: &[f64]) -> f64 {
    f.iter().zip(x).map(|(f, v)| f.value(*v)).sum()
}

/// One evaluation of a concave dual function of one multiplier `t`: its value, a supergradient
/// (positive: the maximum lies at a larger `t`), and the shares behind them with the inner
/// multipliers `(nu, mu)`.
#[derive(Clone, Debug)]
struct Probe {
    t: f64,
    h: f64,
    g: f64,
    x: Vec<f64>,
    nu: f64,
    mu: f64,
}

/// The width below which a bracket `[a, b]` of a multiplier has closed on a kink: rounding,
/// relative to the multiplier or, near 0, to the solver's unit (the largest marginal loss).
fn closed(a: f64, b: f64) -> f64 {
    1e-15 * a.abs().max(b.abs()).max(1.0)
}

/// The next point inside the bracket: the tangents' intersection on even steps, the Illinois
/// secant point of the weighted supergradients on odd ones (the midpoint when it falls
/// outside). Tangents that meet at an end (or beyond it, by rounding) meet at a kink there:
/// then the point just beside that end, which closes the bracket if the kink is there.
fn next_point(a: &Probe, b: &Probe, (wa, wb): (f64, f64), step: usize) -> f64 {
    let beside = 0.5 * closed(a.t, b.t);
    if step.is_multiple_of(2) {
        let t = (b.h - a.h + a.g * a.t - b.g * b.t) / (a.g - b.g);
        if t.is_nan() {
            0.5 * (a.t + b.t)
        } else if t <= a.t + beside {
            a.t + beside
        } else if t >= b.t - beside {
            b.t - beside
        } else {
            t
        }
    } else {
        let t = b.t - wb * (b.t - a.t) / (wb - wa);
        if t > a.t && t < b.t {
            t
        } else {
            0.5 * (a.t + b.t)
        }
    }
}

/// Where a concave dual function peaks.
enum Peak {
    /// At a point whose supergradient is within the tolerance of 0.
    At(Probe),
    /// At a kink, bracketed to rounding by the two probes (positive and negative
    /// supergradient), whose shares both minimise the Lagrangian there.
    Kink(Probe, Probe),
}

/// Maximises a concave function of `t >= 0` given by `probe`: 0 when its supergradient there
/// is at most `tol`, otherwise bracketing by multiplying by 4 from 1, then narrowing (see the
/// module notes). With a positive `guess` (the maximum of a nearby problem), the bracket is
/// sought first by halving and doubling from it. `None` when no bracket is found.
fn maximise(mut probe: impl FnMut(f64) -> Option<Probe>, tol: f64, guess: f64) -> Option<Peak> {
    if guess > 0.0 && guess.is_finite() {
        // Doubling while the maximum lies above, halving while below; (lower, upper) ends.
        let mut ends: (Option<Probe>, Option<Probe>) = (None, None);
        let mut t = guess;
        for _ in 0..5 {
            let q = probe(t)?;
            if q.g.abs() <= tol {
                return Some(Peak::At(q));
            }
            let above = q.g > 0.0;
            if above {
                ends.0 = Some(q);
            } else {
                ends.1 = Some(q);
            }
            if ends.0.is_some() && ends.1.is_some() {
                break;
            }
            t *= if above { 2.0 } else { 0.5 };
        }
        if let (Some(a), Some(b)) = ends {
            return narrow(&mut probe, a, b, tol);
        }
    }
    let first = probe(0.0)?;
    if first.g <= tol {
        return Some(Peak::At(first));
    }
    let mut a = first;
    let mut b = probe(1.0)?;
    let mut doublings = 0;
    while b.g > tol {
        a = b;
        b = probe(a.t * 4.0)?;
        doublings += 1;
        if doublings > 40 || !b.g.is_finite() {
            return None;
        }
    }
    if b.g >= -tol {
        return Some(Peak::At(b));
    }
    narrow(probe, a, b, tol)
}

/// Narrows a bracket `[a, b]` of the maximum (`a.g > tol`, `b.g < -tol`) (see the module
/// notes).
fn narrow(
    mut probe: impl FnMut(f64) -> Option<Probe>,
    a: Probe,
    b: Probe,
    tol: f64,
) -> Option<Peak> {
    let mut bracket = Bracket::new(a, b);
    for _ in 0..300 {
        if bracket.is_closed() {
            break;
        }
        let p = probe(bracket.next())?;
        if p.g.abs() <= tol {
            return Some(Peak::At(p));
        }
        bracket.update(p);
    }
    Some(Peak::Kink(bracket.a, bracket.b))
}

/// A bracket `[a, b]` of a concave function's maximum (`a.g > 0 > b.g`), narrowed probe by
/// probe (see the module notes).
struct Bracket {
    a: Probe,
    b: Probe,
    /// The Illinois weights of the two ends' supergradients.
    weights: (f64, f64),
    /// Which end moved last: -1 the lower, 1 the upper.
    last: i8,
    step: usize,
}

impl Bracket {
    fn new(a: Probe, b: Probe) -> Bracket {
        Bracket {
            weights: (a.g, b.g),
            a,
            b,
            last: 0,
            step: 0,
        }
    }

    fn is_closed(&self) -> bool {
        self.b.t - self.a.t <= closed(self.a.t, self.b.t)
    }

    /// The point to probe next ([`next_point`]).
    fn next(&mut self) -> f64 {
        self.step += 1;
        next_point(&self.a, &self.b, self.weights, self.step - 1)
    }

    /// Takes `p` in as the new lower or upper end.
    fn update(&mut self, p: Probe) {
        if p.g > 0.0 {
            self.weights.0 = p.g;
            if self.last == -1 {
                self.weights.1 *= 0.5;
            }
            self.last = -1;
            self.a = p;
        } else {
            self.weights.1 = p.g;
            if self.last == 1 {
                self.weights.0 *= 0.5;
            }
            self.last = 1;
            self.b = p;
        }
    }
}

/// `(1 - theta) a + theta b`.
fn mix(a: &[f64], b: &[f64], theta: f64) -> Vec<f64> {
    a.iter().zip(b).map(|(u, v)| u + theta * (v - u)).collect()
}

/// For fixed `(mu, beta)`: shares minimising the Lagrangian and summing to 1, and `nu`; the
/// same narrowing as [`maximise`] over the dual in `nu`, with the exact test
/// `sum least <= 1 <= sum greatest` at every point.
fn fill(p: &Problem, f: &[Pieces], mu: f64, beta: f64) -> (Vec<f64>, f64) {
    let n = p.x0.len();
    let half = mu / 2.0;
    let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
    for (c, f) in f.iter().enumerate() {
        low = low.min(f.right(p.lo[c]) + beta * p.premium[c] - half);
        high = high.max(f.left(p.hi[c]) + beta * p.premium[c] + half);
    }
    let total_lo: f64 = p.lo.iter().sum();
    let total_hi: f64 = p.hi.iter().sum();
    if !(low.is_finite() && high.is_finite()) || total_lo >= 1.0 {
        return (p.lo.clone(), low);
    }
    if total_hi <= 1.0 {
        return (p.hi.clone(), high);
    }
    // The dual `sum_c min_x [f_c(x) + (beta p_c - nu) x + (mu / 2) |x - x0_c|] + nu` at `x`.
    let dual = |nu: f64, x: &[f64]| -> f64 {
        nu + (0..n)
            .map(|c| {
                f[c].value(x[c]) + (beta * p.premium[c] - nu) * x[c] + half * (x[c] - p.x0[c]).abs()
            })
            .sum::<f64>()
    };
    let probe = |nu: f64, x: Vec<f64>, total: f64| Probe {
        t: nu,
        h: dual(nu, &x),
        g: 1.0 - total,
        x,
        nu,
        mu,
    };
    // Below `low` every country is at its lower bound, above `high` at its upper bound.
    let mut bracket = Bracket::new(
        probe(low - 1.0, p.lo.clone(), total_lo),
        probe(high + 1.0, p.hi.clone(), total_hi),
    );
    let mut least = vec![0.0; n];
    let mut greatest = vec![0.0; n];
    let mut newton = f64::NAN;
    const EPS: f64 = 1e-14;
    for step in 0..200 {
        if bracket.is_closed() {
            break;
        }
        let nu = if step % 3 == 2 && newton > bracket.a.t && newton < bracket.b.t {
            newton
        } else {
            bracket.next()
        };
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
            return (mix(&least, &greatest, theta), nu);
        }
        newton = if rate > 0.0 && sg - sl <= EPS {
            nu + (1.0 - sl) / rate
        } else {
            f64::NAN
        };
        bracket.update(if sg < 1.0 {
            probe(nu, greatest.clone(), sg)
        } else {
            probe(nu, least.clone(), sl)
        });
    }
    // A kink of the dual: interpolate between the two ends (both minimise the Lagrangian there).
    let Bracket { a, b, .. } = bracket;
    let theta = (a.g / (a.g - b.g)).clamp(0.0, 1.0);
    (mix(&a.x, &b.x, theta), b.t)
}

/// The convex combination of the two ends of a kink that brings the supergradient `residual`
/// (convex along the segment, positive at the first end, negative at the second) to 0, on its
/// non-positive side; and the inner multipliers of the kink's end.
fn at_kink(a: Probe, b: Probe, residual: impl Fn(&[f64]) -> f64) -> Probe {
    let (mut t0, mut t1) = (0.0, 1.0);
    for _ in 0..100 {
        let t = 0.5 * (t0 + t1);
        if residual(&mix(&a.x, &b.x, t)) > 0.0 {
            t0 = t;
        } else {
            t1 = t;
        }
    }
    Probe {
        x: mix(&a.x, &b.x, t1),
        g: 0.0,
        ..b
    }
}

/// For a given budget multiplier: the optimal shares under the shift limit, as the probe of
/// the dual of a budget of 0 (value `sum f + beta p.x`, supergradient `p.x`; for a budget `B`
/// subtract `beta B` and `B`).
fn at_beta(p: &Problem, f: &[Pieces], beta: f64, guess: f64) -> Option<Probe> {
    let finish = |q: Probe| -> Probe {
        let premium = dot(&q.x, &p.premium);
        Probe {
            t: beta,
            h: objective(f, &q.x) + beta * premium,
            g: premium,
            ..q
        }
    };
    if p.max_shift >= 1.0 {
        let (x, nu) = fill(p, f, 0.0, beta);
        return Some(finish(Probe {
            t: 0.0,
            h: 0.0,
            g: 0.0,
            x,
            nu,
            mu: 0.0,
        }));
    }
    let gap = |x: &[f64]| shift(x, &p.x0) - p.max_shift;
    let probe = |mu: f64| {
        let (x, nu) = fill(p, f, mu, beta);
        let g = gap(&x);
        Some(Probe {
            t: mu,
            h: objective(f, &x) + beta * dot(&x, &p.premium) + mu * g,
            g,
            x,
            nu,
            mu,
        })
    };
    Some(finish(match maximise(probe, TOL, guess)? {
        Peak::At(q) => q,
        Peak::Kink(a, b) => at_kink(a, b, gap),
    }))
}

/// Solves the problem with objective `sum_c f_c(x_c)` (the pieces of each country's
/// derivative) exactly; `None` when the limits cannot be met (the caller checks first, so this
/// is a guard). `budget_slack`: as for `solve_qp`.
pub(crate) fn solve(p: &Problem, f: &[Pieces], budget_slack: f64) -> Option<Solution> {
    if p.budget.is_finite() {
        solve_path(p, f, &[p.budget], budget_slack).pop().flatten()
    } else {
        let q = at_beta(p, f, 0.0, 0.0)?;
        Some(finish(p, f, q, (0.0, f64::INFINITY)))
    }
}

/// [`solve`] for each budget of `budgets` (the problem's own is ignored), each within `slack`,
/// sharing the evaluations of the budget's multiplier between budgets: the shares at a given
/// multiplier do not depend on the budget (as `solve_qp_path` does). Earlier evaluations
/// bracket the next budget's multiplier, and one already within the slack is taken as it is.
pub(crate) fn solve_path(
    p: &Problem,
    f: &[Pieces],
    budgets: &[f64],
    slack: f64,
) -> Vec<Option<Solution>> {
    let mut seen: Vec<Probe> = Vec::new();
    let mut out = Vec::with_capacity(budgets.len());
    for &budget in budgets {
        let tol = (TOL * budget.abs().max(1.0)).max(slack);
        let for_budget = |q: &Probe| Probe {
            h: q.h - q.t * budget,
            g: q.g - budget,
            ..q.clone()
        };
        let known: Vec<Probe> = seen.iter().map(for_budget).collect();
        let mut probe = |beta: f64| -> Option<Probe> {
            let q = match seen.iter().find(|q| q.t == beta) {
                Some(q) => q.clone(),
                None => {
                    // The shift's multiplier at the nearest multiplier already tried.
                    let guess = seen
                        .iter()
                        .min_by(|x, y| (x.t - beta).abs().total_cmp(&(y.t - beta).abs()))
                        .map_or(0.0, |q| q.mu);
                    let q = at_beta(p, f, beta, guess)?;
                    seen.push(q.clone());
                    q
                }
            };
            Some(for_budget(&q))
        };
        let above = known
            .iter()
            .filter(|q| q.g > tol)
            .max_by(|x, y| x.t.total_cmp(&y.t));
        let below = known
            .iter()
            .filter(|q| q.g <= tol)
            .min_by(|x, y| x.t.total_cmp(&y.t));
        let peak = match (above, below) {
            (_, Some(b)) if b.g >= -tol => Some(Peak::At(b.clone())),
            (Some(a), Some(b)) if a.t < b.t => narrow(&mut probe, a.clone(), b.clone(), tol),
            _ => maximise(&mut probe, tol, 0.0),
        };
        let over = |x: &[f64]| dot(x, &p.premium) - budget;
        out.push(peak.map(|peak| match peak {
            Peak::At(q) => {
                let beta = q.t;
                finish(p, f, q, (beta, budget))
            }
            Peak::Kink(a, b) => {
                let beta = b.t;
                finish(p, f, at_kink(a, b, over), (beta, budget))
            }
        }));
    }
    out
}

/// The solution from the optimal probe and the budget's multiplier and value: the ties spread
/// (see the module notes), and the multipliers of constraints left slack set to 0.
fn finish(p: &Problem, f: &[Pieces], q: Probe, (beta, budget): (f64, f64)) -> Solution {
    let (nu, mu) = (q.nu, q.mu);
    let x = spread_ties(p, f, q.x);
    // A multiplier of a constraint left slack can only be rounding (the tie-break keeps the
    // shift where the multiplier is positive): complementary slackness.
    let mu = if shift(&x, &p.x0) < p.max_shift - 1e-9 {
        0.0
    } else {
        mu
    };
    let beta = if dot(&x, &p.premium) < budget - 1e-9 {
        0.0
    } else {
        beta
    };
    Solution { x, nu, mu, beta }
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
