//! Which constraint admits no plan, checked before solving.

use super::Infeasibility;
use super::setup::Setup;
use super::solver::{Problem, TOL, dot, min_shift, solve_lp};

pub(super) fn diagnose(setup: &Setup<'_>) -> Result<(), Infeasibility> {
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
pub(super) fn cheapest_premium(p: &Problem) -> Option<f64> {
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
