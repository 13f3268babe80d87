//! The exact solvers behind the planner, in internal units (shares as fractions, premiums as
//! fractions of price).
//!
//! The problem over `n` countries is
//!
//! ```text
//! minimise    sum_c q_c x_c^2 + l_c x_c
//! subject to  sum_c x_c = 1,  lo_c <= x_c <= hi_c,
//!             shift(x) = sum_c |x_c - x0_c| / 2 <= S,
//!             sum_c p_c x_c <= B.
//! ```
//!
//! - **Quadratic objectives** (`q_c > 0` for every country: HHI, governance-weighted HHI) are
//!   strictly convex, so the optimum is unique. They are solved through the Lagrangian dual
//!   (Boyd & Vandenberghe 2004, *Convex Optimization*, ch. 5): for multipliers `mu >= 0` on the
//!   shift and `beta >= 0` on the budget, the Lagrangian separates by country, and each country's
//!   minimiser is a clamped, soft-thresholded line in the simplex multiplier `nu`:
//!   `x_c(nu) = clamp(soft(nu - l_c - beta p_c, mu / 2, 2 q_c x0_c) / (2 q_c), lo_c, hi_c)`. The
//!   sum `sum_c x_c(nu)` is non-decreasing and piecewise linear in `nu`, with at most six
//!   breakpoints per country, so `sum_c x_c(nu) = 1` is solved exactly: Newton steps inside a
//!   shrinking bracket land on the root as soon as they reach its linear piece, with sorting the
//!   breakpoints, a binary search and one linear interpolation as the fallback (water-filling,
//!   B&V example 5.2).
//!   The dual is concave and differentiable in `(mu, beta)` with gradient
//!   `(shift(x) - S, p.x - B)`, so the optimal `mu` for a given `beta` is the root of a
//!   non-increasing function, and the optimal `beta` the root of another: two nested
//!   one-dimensional root searches (bracketing, then the Illinois variant of regula falsi with a
//!   bisection safeguard), each exact on the piecewise-linear pieces.
//! - **Linear objectives** (`q_c = 0`) are linear programmes, solved by a bounded-variable
//!   primal simplex method with Bland's rule (Dantzig 1963; Chvátal 1983, *Linear
//!   Programming*, ch. 8), on the split `x = x0 + u - v` with `u, v >= 0`, which makes the shift
//!   linear: `sum_c u_c <= S`.
//!
//! Both return the multipliers `(nu, mu, beta)` in one convention: the Lagrangian is
//! `f(x) - nu (sum x - 1) + mu (shift(x) - S) + beta (p.x - B)`.

/// A planning problem in internal units.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Problem {
    /// Today's shares, summing to 1.
    pub x0: Vec<f64>,
    /// Lower bounds (required minimums; 0 otherwise).
    pub lo: Vec<f64>,
    /// Upper bounds (capacity caps; 0 for excluded countries).
    pub hi: Vec<f64>,
    /// Quadratic weights `q_c` (all positive, or all zero for a linear objective).
    pub quad: Vec<f64>,
    /// Linear weights `l_c`.
    pub lin: Vec<f64>,
    /// Premiums `p_c`, fractions of price.
    pub premium: Vec<f64>,
    /// The largest shift `S`, a fraction; 1 or more means no limit.
    pub max_shift: f64,
    /// The largest premium `B`, a fraction of spend; infinite means no limit.
    pub budget: f64,
}

/// A solution with its multipliers.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Solution {
    /// The shares.
    pub x: Vec<f64>,
    /// Multiplier of `sum x = 1`.
    pub nu: f64,
    /// Multiplier of the shift constraint (0 when slack).
    pub mu: f64,
    /// Multiplier of the budget constraint (0 when slack).
    pub beta: f64,
}

/// Half the L1 distance between `x` and `x0`: the share of volume that moves.
pub(crate) fn shift(x: &[f64], x0: &[f64]) -> f64 {
    x.iter().zip(x0).map(|(a, b)| (a - b).abs()).sum::<f64>() / 2.0
}

/// `sum_c a_c b_c`.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The smallest shift that reaches the box-constrained simplex from `x0`, in closed form:
/// clamp every share into its box, then add or remove what is missing to reach 100 %; both steps
/// move volume one way per country, so the distance is `(sum |clamp(x0) - x0| + |1 - sum
/// clamp(x0)|) / 2`. Assumes `sum lo <= 1 <= sum hi`.
pub(crate) fn min_shift(problem: &Problem) -> f64 {
    let mut moved = 0.0;
    let mut total = 0.0;
    for c in 0..problem.x0.len() {
        let clamped = problem.x0[c].clamp(problem.lo[c], problem.hi[c]);
        moved += (clamped - problem.x0[c]).abs();
        total += clamped;
    }
    (moved + (1.0 - total).abs()) / 2.0
}

/// Whether the shift constraint can bind at all.
fn shift_limited(problem: &Problem) -> bool {
    problem.max_shift < 1.0
}

// ---------------------------------------------------------------------------------------------
// Quadratic objectives: the dual with exact water-filling
// ---------------------------------------------------------------------------------------------

/// Countries grouped into blocks, each with its own simplex total (one block with total 1 for a
/// plain plan; two for the group objective's tie-break, see `planner.rs`).
#[derive(Clone, Debug)]
pub(crate) struct Blocks {
    /// The countries of each block.
    members: Vec<Vec<usize>>,
    /// Total of each block.
    totals: Vec<f64>,
}

impl Blocks {
    /// One block holding every country, total 1.
    pub fn single(n: usize) -> Blocks {
        Blocks {
            members: vec![(0..n).collect()],
            totals: vec![1.0],
        }
    }

    /// Blocks from the block of each country and each block's total.
    pub fn new(of: &[usize], totals: Vec<f64>) -> Blocks {
        let members = (0..totals.len())
            .map(|b| (0..of.len()).filter(|&c| of[c] == b).collect())
            .collect();
        Blocks { members, totals }
    }
}

/// The minimiser of `q x^2 + (l + beta p - nu) x + (mu / 2) |x - x0|` over `[lo, hi]`.
fn coordinate(problem: &Problem, c: usize, nu: f64, mu: f64, beta: f64) -> f64 {
    let k = 2.0 * problem.quad[c];
    let t = nu - problem.lin[c] - beta * problem.premium[c];
    let x0 = problem.x0[c];
    let half = mu / 2.0;
    let g = if t - half > k * x0 {
        (t - half) / k
    } else if t + half < k * x0 {
        (t + half) / k
    } else {
        x0
    };
    g.clamp(problem.lo[c], problem.hi[c])
}

/// The minimiser of `coordinate` and whether it lies on a sloped piece (neither clamped nor in
/// the shift's dead zone): the slope of `x_c(nu)` is then `1 / (2 q_c)`, otherwise 0.
fn coordinate_with_slope(problem: &Problem, c: usize, nu: f64, mu: f64, beta: f64) -> (f64, f64) {
    let k = 2.0 * problem.quad[c];
    let t = nu - problem.lin[c] - beta * problem.premium[c];
    let x0 = problem.x0[c];
    let half = mu / 2.0;
    let (g, sloped) = if t - half > k * x0 {
        ((t - half) / k, true)
    } else if t + half < k * x0 {
        ((t + half) / k, true)
    } else {
        (x0, false)
    };
    let (lo, hi) = (problem.lo[c], problem.hi[c]);
    if g <= lo {
        (lo, 0.0)
    } else if g >= hi {
        (hi, 0.0)
    } else if sloped {
        (g, 1.0 / k)
    } else {
        (g, 0.0)
    }
}

/// For fixed `(mu, beta)`, the shares minimising the Lagrangian with each block summing to its
/// total, and the block multipliers.
///
/// The block's sum `F(nu)` is non-decreasing and piecewise linear, so Newton's method on it,
/// kept inside a shrinking bracket (bisection when a step leaves it), lands exactly once it
/// reaches the right piece; the breakpoint search ([`water_fill_sorted`]) is the fallback.
fn water_fill(problem: &Problem, blocks: &Blocks, mu: f64, beta: f64) -> (Vec<f64>, Vec<f64>) {
    let n = problem.x0.len();
    let mut x = vec![0.0; n];
    let mut nus = vec![0.0; blocks.totals.len()];
    let half = mu / 2.0;
    for (block, &total) in blocks.totals.iter().enumerate() {
        let members = &blocks.members[block];
        if members.is_empty() {
            continue;
        }
        let a = |c: usize| problem.lin[c] + beta * problem.premium[c];
        let k = |c: usize| 2.0 * problem.quad[c];
        let mut low = f64::INFINITY;
        let mut high = f64::NEG_INFINITY;
        for &c in members {
            low = low.min(a(c) + k(c) * problem.lo[c] - half);
            high = high.max(a(c) + k(c) * problem.hi[c] + half);
        }
        let eval = |nu: f64| -> (f64, f64) {
            members.iter().fold((0.0, 0.0), |(f, s), &c| {
                let (v, d) = coordinate_with_slope(problem, c, nu, mu, beta);
                (f + v, s + d)
            })
        };
        let mut nu = 0.5 * (low + high);
        let mut solved = false;
        if low.is_finite() && high.is_finite() {
            for _ in 0..64 {
                let (f, slope) = eval(nu);
                let r = total - f;
                if r.abs() <= 1e-15 * (1.0 + total) {
                    solved = true;
                    break;
                }
                if r > 0.0 {
                    low = nu;
                } else {
                    high = nu;
                }
                if high - low <= 1e-15 * (low.abs() + high.abs()).max(1e-300) {
                    solved = true;
                    break;
                }
                let mut next = if slope > 0.0 {
                    nu + r / slope
                } else {
                    f64::NAN
                };
                if !(next > low && next < high) {
                    next = 0.5 * (low + high);
                }
                nu = next;
            }
        }
        if !solved {
            nu = water_fill_sorted(problem, members, total, mu, beta);
        }
        for &c in members {
            x[c] = coordinate(problem, c, nu, mu, beta);
        }
        nus[block] = nu;
    }
    (x, nus)
}

/// The multiplier `nu` at which the shares of `members` sum to `total`, exactly: sort the
/// breakpoints of the piecewise-linear sum, search them, and interpolate linearly.
fn water_fill_sorted(problem: &Problem, members: &[usize], total: f64, mu: f64, beta: f64) -> f64 {
    let mut points: Vec<f64> = Vec::with_capacity(6 * members.len());
    for &c in members {
        let k = 2.0 * problem.quad[c];
        let a = problem.lin[c] + beta * problem.premium[c];
        for z in [problem.lo[c], problem.hi[c], problem.x0[c]] {
            points.push(a + k * z - mu / 2.0);
            points.push(a + k * z + mu / 2.0);
        }
    }
    points.retain(|p| p.is_finite());
    crate::model::order::sort_by(&mut points, f64::total_cmp);
    points.dedup();
    let sum_at = |nu: f64| -> f64 {
        members
            .iter()
            .map(|&c| coordinate(problem, c, nu, mu, beta))
            .sum()
    };
    // The first breakpoint at which the sum reaches the total.
    let (mut low, mut high) = (0usize, points.len());
    while low < high {
        let mid = (low + high) / 2;
        if sum_at(points[mid]) >= total {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    if points.is_empty() {
        0.0
    } else if low == 0 {
        points[0]
    } else if low == points.len() {
        points[points.len() - 1]
    } else {
        // Linear between the two breakpoints: interpolate exactly.
        let (a, b) = (points[low - 1], points[low]);
        let (fa, fb) = (sum_at(a), sum_at(b));
        if fb > fa {
            a + (total - fa) * (b - a) / (fb - fa)
        } else {
            b
        }
    }
}

/// The smallest `t >= 0` (up to the tolerance) at which the non-increasing function `f` is at
/// most `tol`: 0 if `f(0) <= tol`, otherwise a root found by bracketing (doubling) and the
/// Illinois method with a bisection safeguard. The point returned always has `f <= tol`.
/// `None` when no bracket is found (the constraint cannot be met).
fn root(f: impl FnMut(f64) -> f64, tol: f64) -> Option<f64> {
    root_bracket(f, tol).map(|(_, b)| b)
}

/// [`root`], with the last point tried where `f > tol` (`None` when `f(0) <= tol`): when `f`
/// jumps across 0 the two points close in on the jump from either side.
pub(crate) fn root_bracket(mut f: impl FnMut(f64) -> f64, tol: f64) -> Option<(Option<f64>, f64)> {
    let f0 = f(0.0);
    if f0 <= tol {
        return Some((None, 0.0));
    }
    let (mut a, mut fa) = (0.0_f64, f0);
    let mut b = 1.0_f64;
    let mut fb = f(b);
    let mut doublings = 0;
    while fb > tol {
        a = b;
        fa = fb;
        b *= 4.0;
        fb = f(b);
        doublings += 1;
        if doublings > 40 || !fb.is_finite() {
            return None;
        }
    }
    let (a, b) = refine(&mut f, (a, fa), (b, fb), tol);
    Some((Some(a), b))
}

/// Narrows a bracket `[a, b]` of the non-increasing `f`, with `f(a) > tol >= f(b)`, by the
/// Illinois variant of regula falsi (bisection when a step leaves the bracket) until
/// `|f(b)| <= tol` or the bracket cannot narrow; returns `(a, b)`, where `f(a) > tol` and
/// `f(b) <= tol` always hold.
fn refine(
    f: &mut impl FnMut(f64) -> f64,
    (mut a, fa): (f64, f64),
    (mut b, mut fb): (f64, f64),
    tol: f64,
) -> (f64, f64) {
    // The weights wa, wb are the Illinois-scaled values.
    let (mut wa, mut wb) = (fa, fb);
    let mut last = 0i8;
    for _ in 0..300 {
        if fb >= -tol || b - a <= 1e-15 * b.max(1.0) {
            break;
        }
        let mut t = b - wb * (b - a) / (wb - wa);
        if !(t > a && t < b && t.is_finite()) {
            t = 0.5 * (a + b);
        }
        let ft = f(t);
        if ft > tol {
            a = t;
            wa = ft;
            if last == -1 {
                wb *= 0.5;
            }
            last = -1;
        } else {
            b = t;
            fb = ft;
            wb = ft;
            if last == 1 {
                wa *= 0.5;
            }
            last = 1;
        }
    }
    (a, b)
}

/// The tolerance of the coupling constraints, in fractions.
pub(crate) const TOL: f64 = 1e-12;

/// Solves a quadratic problem (every `quad` positive) exactly through its dual; `None` when the
/// constraints cannot be met (the caller checks feasibility first, so this is a guard).
///
/// `budget_slack` (a fraction of spend, 0 for an exact solve) lets the search for the budget's
/// multiplier stop once the premium is within that much above or below the budget: the shares
/// returned are then the exact optimum for a budget equal to their own premium (the frontier
/// uses this, as its points need not sit on exact budgets).
pub(crate) fn solve_qp(problem: &Problem, blocks: &Blocks, budget_slack: f64) -> Option<Solution> {
    let beta = if problem.budget.is_finite() {
        let tol = (TOL * problem.budget.abs().max(1.0)).max(budget_slack);
        root(
            |beta| match with_beta(problem, blocks, beta) {
                Some((_, x, _)) => dot(&x, &problem.premium) - problem.budget,
                None => f64::INFINITY,
            },
            tol,
        )?
    } else {
        0.0
    };
    solution_at(problem, blocks, beta)
}

/// For a given budget multiplier `beta`: the shift multiplier (the exact root of the shift
/// constraint's dual gradient, 0 when the shift is slack), the shares and the block multipliers.
fn with_beta(problem: &Problem, blocks: &Blocks, beta: f64) -> Option<(f64, Vec<f64>, Vec<f64>)> {
    let mu = if shift_limited(problem) {
        root(
            |mu| {
                let (x, _) = water_fill(problem, blocks, mu, beta);
                shift(&x, &problem.x0) - problem.max_shift
            },
            TOL,
        )?
    } else {
        0.0
    };
    let (x, nus) = water_fill(problem, blocks, mu, beta);
    Some((mu, x, nus))
}

fn solution_at(problem: &Problem, blocks: &Blocks, beta: f64) -> Option<Solution> {
    let (mu, x, nus) = with_beta(problem, blocks, beta)?;
    Some(Solution {
        x,
        nu: nus.first().copied().unwrap_or(0.0),
        mu,
        beta,
    })
}

/// [`solve_qp`] for each budget of `budgets` (the problem's own budget is ignored), each within
/// `slack` (see `solve_qp`), reusing every evaluation of the premium as a function of the budget
/// multiplier across budgets: the premium `p.x(beta)` does not depend on the budget, so earlier
/// evaluations bracket the next budget's multiplier, and an evaluation already within the slack
/// is taken as it is.
pub(crate) fn solve_qp_path(
    problem: &Problem,
    blocks: &Blocks,
    budgets: &[f64],
    slack: f64,
) -> Vec<Option<Solution>> {
    let mut seen: Vec<(f64, f64)> = Vec::new();
    let mut out = Vec::with_capacity(budgets.len());
    for &budget in budgets {
        let tol = (TOL * budget.abs().max(1.0)).max(slack);
        let above = seen
            .iter()
            .filter(|(_, cost)| cost - budget > tol)
            .max_by(|x, y| x.0.total_cmp(&y.0))
            .copied();
        let below = seen
            .iter()
            .filter(|(_, cost)| cost - budget <= tol)
            .min_by(|x, y| x.0.total_cmp(&y.0))
            .copied();
        let mut f = |beta: f64| match with_beta(problem, blocks, beta) {
            Some((_, x, _)) => {
                let cost = dot(&x, &problem.premium);
                seen.push((beta, cost));
                cost - budget
            }
            None => f64::INFINITY,
        };
        let beta = match (above, below) {
            (_, Some((b, cost))) if cost - budget >= -tol => Some(b),
            (Some((a, ca)), Some((b, cb))) => {
                Some(refine(&mut f, (a, ca - budget), (b, cb - budget), tol).1)
            }
            _ => root(&mut f, tol),
        };
        out.push(beta.and_then(|beta| solution_at(problem, blocks, beta)));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Linear objectives: a bounded-variable simplex method
// ---------------------------------------------------------------------------------------------

/// Why a linear programme has no solution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LpFailure {
    /// No point satisfies the constraints.
    Infeasible,
    /// The iteration limit was reached (a guard; Bland's rule terminates).
    Stalled,
}

/// `min c.z` subject to `A z = b`, `0 <= z <= ub` (`ub` may be infinite).
struct Lp {
    a: Vec<Vec<f64>>,
    b: Vec<f64>,
    c: Vec<f64>,
    ub: Vec<f64>,
}

/// The simplex tableau `B^-1 [A | I]` of the bounded-variable method, with the values of the
/// basic variables and the bound each nonbasic variable sits at.
struct Tableau {
    /// Number of rows.
    m: usize,
    /// `B^-1 [A | I]`, row by row.
    t: Vec<Vec<f64>>,
    /// Values of the basic variables.
    xb: Vec<f64>,
    /// The basic variable of each row.
    basis: Vec<usize>,
    /// Whether each nonbasic variable sits at its upper bound.
    at_upper: Vec<bool>,
    /// Whether each variable is basic.
    is_basic: Vec<bool>,
    /// Upper bounds (lower bounds are 0).
    ub: Vec<f64>,
}

/// Pivot and ratio tolerance of the simplex method.
const LP_EPS: f64 = 1e-11;

impl Tableau {
    /// Iterates until no column improves `cost` (Bland's rule: the first improving column enters,
    /// ties in the ratio test leave by the smallest variable index).
    fn optimise(&mut self, cost: &[f64]) -> Result<(), LpFailure> {
        let width = self.ub.len();
        let m = self.m;
        for _ in 0..(50 * (width + 10)) {
            let mut entering = None;
            for j in 0..width {
                if self.is_basic[j] || self.ub[j] <= 0.0 {
                    continue;
                }
                let d = cost[j]
                    - (0..m)
                        .map(|i| cost[self.basis[i]] * self.t[i][j])
                        .sum::<f64>();
                if (!self.at_upper[j] && d < -LP_EPS) || (self.at_upper[j] && d > LP_EPS) {
                    entering = Some(j);
                    break;
                }
            }
            let Some(j) = entering else {
                return Ok(());
            };
            self.step(j)?;
        }
        Err(LpFailure::Stalled)
    }

    /// Moves the entering column `j` as far as the bounds allow: a bound flip or a pivot.
    fn step(&mut self, j: usize) -> Result<(), LpFailure> {
        let dir = if self.at_upper[j] { -1.0 } else { 1.0 };
        let mut step = self.ub[j];
        let mut leave: Option<(usize, bool)> = None;
        for i in 0..self.m {
            let rate = dir * self.t[i][j];
            let bound = self.ub[self.basis[i]];
            let limit = if rate > LP_EPS {
                Some((self.xb[i] / rate, false))
            } else if rate < -LP_EPS && bound.is_finite() {
                Some(((bound - self.xb[i]) / -rate, true))
            } else {
                None
            };
            if let Some((s, to_upper)) = limit {
                let s = s.max(0.0);
                let better = match leave {
                    None => s < step,
                    Some((r, _)) => {
                        s < step - LP_EPS || (s <= step + LP_EPS && self.basis[i] < self.basis[r])
                    }
                };
                if better {
                    step = s.min(step);
                    leave = Some((i, to_upper));
                }
            }
        }
        if !step.is_finite() {
            // An unbounded direction: impossible with bounded shares; reported as a stall.
            return Err(LpFailure::Stalled);
        }
        for i in 0..self.m {
            self.xb[i] -= dir * self.t[i][j] * step;
        }
        let Some((r, to_upper)) = leave else {
            self.at_upper[j] = !self.at_upper[j];
            return Ok(());
        };
        let out = self.basis[r];
        let entering_value = if self.at_upper[j] {
            self.ub[j] - step
        } else {
            step
        };
        let pivot = self.t[r][j];
        for v in self.t[r].iter_mut() {
            *v /= pivot;
        }
        let pivot_row = self.t[r].clone();
        for (i, row) in self.t.iter_mut().enumerate() {
            let factor = row[j];
            if i != r && factor != 0.0 {
                for (v, p) in row.iter_mut().zip(&pivot_row) {
                    *v -= factor * p;
                }
            }
        }
        self.xb[r] = entering_value;
        self.basis[r] = j;
        self.is_basic[j] = true;
        self.at_upper[j] = false;
        self.is_basic[out] = false;
        self.at_upper[out] = to_upper;
        Ok(())
    }
}

/// The optimum `z` and the row duals `y` (`c - A^T y` are the reduced costs), by two phases:
/// artificial variables first (infeasible when they cannot reach 0), then the cost.
fn simplex(lp: &Lp) -> Result<(Vec<f64>, Vec<f64>), LpFailure> {
    let m = lp.b.len();
    let n = lp.c.len();
    let width = n + m;
    // Rows with b >= 0; artificial columns n..n+m form the starting basis and, kept in the
    // tableau, give B^-1 for the duals.
    let sign: Vec<f64> =
        lp.b.iter()
            .map(|b| if *b < 0.0 { -1.0 } else { 1.0 })
            .collect();
    let mut tableau = Tableau {
        m,
        t: Vec::with_capacity(m),
        xb: Vec::with_capacity(m),
        basis: (n..width).collect(),
        at_upper: vec![false; width],
        is_basic: (0..width).map(|j| j >= n).collect(),
        ub: lp.ub.clone(),
    };
    for (i, (a, b)) in lp.a.iter().zip(&lp.b).enumerate() {
        let mut row: Vec<f64> = a.iter().map(|v| v * sign[i]).collect();
        row.extend((0..m).map(|k| if k == i { 1.0 } else { 0.0 }));
        tableau.t.push(row);
        tableau.xb.push(b * sign[i]);
    }
    tableau.ub.extend(std::iter::repeat_n(f64::INFINITY, m));

    // Phase 1: minimise the artificials.
    let phase1: Vec<f64> = (0..width).map(|j| if j >= n { 1.0 } else { 0.0 }).collect();
    tableau.optimise(&phase1)?;
    let infeasibility: f64 = (0..m)
        .filter(|&i| tableau.basis[i] >= n)
        .map(|i| tableau.xb[i])
        .sum();
    let scale = 1.0 + lp.b.iter().map(|v| v.abs()).fold(0.0, f64::max);
    if infeasibility > 1e-9 * scale {
        return Err(LpFailure::Infeasible);
    }
    // Phase 2: artificials fixed at zero.
    for v in tableau.ub.iter_mut().skip(n) {
        *v = 0.0;
    }
    let mut phase2 = lp.c.clone();
    phase2.extend(std::iter::repeat_n(0.0, m));
    tableau.optimise(&phase2)?;
    let mut z: Vec<f64> = (0..n)
        .map(|j| {
            if tableau.at_upper[j] && !tableau.is_basic[j] {
                tableau.ub[j]
            } else {
                0.0
            }
        })
        .collect();
    for (i, &j) in tableau.basis.iter().enumerate() {
        if j < n {
            z[j] = tableau.xb[i].clamp(0.0, tableau.ub[j]);
        }
    }
    // y^T = c_B^T B^-1; the artificial columns hold B^-1 (of the sign-adjusted rows).
    let y: Vec<f64> = (0..m)
        .map(|k| {
            sign[k]
                * (0..m)
                    .map(|i| phase2[tableau.basis[i]] * tableau.t[i][n + k])
                    .sum::<f64>()
        })
        .collect();
    Ok((z, y))
}

/// Solves a linear problem (`quad` all zero) exactly with the simplex method on `x = x0 + u - v`.
pub(crate) fn solve_lp(problem: &Problem) -> Result<Solution, LpFailure> {
    let n = problem.x0.len();
    // Bounds of u and v, and their forced parts (when x0 lies outside its box).
    let ul: Vec<f64> = (0..n)
        .map(|c| (problem.lo[c] - problem.x0[c]).max(0.0))
        .collect();
    let vl: Vec<f64> = (0..n)
        .map(|c| (problem.x0[c] - problem.hi[c]).max(0.0))
        .collect();
    let mut ub = Vec::with_capacity(2 * n + 2);
    ub.extend((0..n).map(|c| (problem.hi[c] - problem.x0[c]).max(0.0) - ul[c]));
    ub.extend((0..n).map(|c| (problem.x0[c] - problem.lo[c]).max(0.0) - vl[c]));
    let forced_u: f64 = ul.iter().sum();
    let forced_v: f64 = vl.iter().sum();
    let p = &problem.premium;
    let mut a: Vec<Vec<f64>> = Vec::new();
    let mut b: Vec<f64> = Vec::new();
    let columns = 2 * n + 2;
    // Row 0: sum u - sum v = 0.
    let mut row = vec![0.0; columns];
    row[..n].fill(1.0);
    row[n..2 * n].fill(-1.0);
    a.push(row);
    b.push(forced_v - forced_u);
    // Row 1: sum u + s1 = S.
    let mut row = vec![0.0; columns];
    row[..n].fill(1.0);
    row[2 * n] = 1.0;
    a.push(row);
    b.push(problem.max_shift.min(1.0) - forced_u);
    // Row 2: p.(u - v) + s2 = B - p.x0.
    let budget_row = problem.budget.is_finite();
    let mut row = vec![0.0; columns];
    if budget_row {
        for c in 0..n {
            row[c] = p[c];
            row[n + c] = -p[c];
        }
        row[2 * n + 1] = 1.0;
        a.push(row);
        b.push(problem.budget - dot(p, &problem.x0) - dot(p, &ul) + dot(p, &vl));
    }
    ub.push(f64::INFINITY);
    ub.push(if budget_row { f64::INFINITY } else { 0.0 });
    let mut cost = vec![0.0; columns];
    for c in 0..n {
        cost[c] = problem.lin[c];
        cost[n + c] = -problem.lin[c];
    }
    if ub.iter().any(|v| *v < -1e-12) {
        return Err(LpFailure::Infeasible);
    }
    let ub: Vec<f64> = ub.into_iter().map(|v| v.max(0.0)).collect();
    let (z, y) = simplex(&Lp { a, b, c: cost, ub })?;
    let x: Vec<f64> = (0..n)
        .map(|c| {
            (problem.x0[c] + ul[c] + z[c] - vl[c] - z[n + c]).clamp(problem.lo[c], problem.hi[c])
        })
        .collect();
    // Duals: y0 on the balance row, y1 = -mu on the shift row, y2 = -beta on the budget row.
    // With the shift counted on u only, the symmetric simplex multiplier is y0 - mu / 2.
    let mu = (-y.get(1).copied().unwrap_or(0.0)).max(0.0);
    let beta = if budget_row {
        (-y.get(2).copied().unwrap_or(0.0)).max(0.0)
    } else {
        0.0
    };
    Ok(Solution {
        x,
        nu: y[0] - mu / 2.0,
        mu,
        beta,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(x0: &[f64], hi: &[f64], quad: f64, lin: &[f64]) -> Problem {
        let n = x0.len();
        Problem {
            x0: x0.to_vec(),
            lo: vec![0.0; n],
            hi: hi.to_vec(),
            quad: vec![quad; n],
            lin: lin.to_vec(),
            premium: vec![0.0; n],
            max_shift: 1.0,
            budget: f64::INFINITY,
        }
    }

    #[test]
    fn water_filling_equalises_under_caps() {
        let p = problem(&[0.9, 0.1, 0.0], &[1.0, 1.0, 0.2], 1.0, &[0.0; 3]);
        let s = solve_qp(&p, &Blocks::single(3), 0.0).unwrap();
        // The capped country at 0.2, the other two share 0.8 equally.
        assert!((s.x[2] - 0.2).abs() < 1e-12);
        assert!((s.x[0] - 0.4).abs() < 1e-12);
        assert!((s.x[1] - 0.4).abs() < 1e-12);
        // nu = 2 q x for the free countries.
        assert!((s.nu - 0.8).abs() < 1e-12);
    }

    #[test]
    fn shift_limit_binds_with_a_positive_multiplier() {
        let mut p = problem(&[1.0, 0.0], &[1.0, 1.0], 1.0, &[0.0; 2]);
        p.max_shift = 0.25;
        let s = solve_qp(&p, &Blocks::single(2), 0.0).unwrap();
        assert!((s.x[0] - 0.75).abs() < 1e-10, "{:?}", s.x);
        assert!(s.mu > 0.0);
    }

    #[test]
    fn lp_moves_to_the_cheapest_within_the_shift() {
        let mut p = problem(&[0.8, 0.2, 0.0], &[1.0, 1.0, 0.5], 0.0, &[1.0, 0.5, 0.0]);
        p.max_shift = 0.3;
        let s = solve_lp(&p).unwrap();
        assert!((s.x[0] - 0.5).abs() < 1e-12, "{:?}", s.x);
        assert!((s.x[2] - 0.3).abs() < 1e-12);
        assert!((s.mu - 1.0).abs() < 1e-12, "{}", s.mu);
    }

    #[test]
    fn lp_reports_infeasible_budget() {
        let mut p = problem(&[1.0, 0.0], &[0.0, 1.0], 0.0, &[0.0, 0.0]);
        p.premium = vec![0.0, 0.1];
        p.budget = 0.05;
        assert_eq!(solve_lp(&p), Err(LpFailure::Infeasible));
    }
}
