//! The efficient frontier of risk against premium and its recommended point (the knee).

use super::explain::explain;
use super::feasibility::cheapest_premium;
use super::optimum::{is_quadratic, metrics, optimise, to_mix};
use super::setup::Setup;
use super::solver::{Blocks, Problem, Solution, dot, shift, solve_qp_path};
use super::{FrontierPoint, Metrics, Recommendation, separable};
use crate::model::Stage;

pub(super) fn frontier(setup: &Setup<'_>, points: usize) -> Vec<FrontierPoint> {
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
pub(super) fn knee(frontier: &[FrontierPoint]) -> Option<usize> {
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

pub(super) fn recommend(
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
