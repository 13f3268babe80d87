//! Integration tests: the diversification planner (feasibility, optimality against brute force
//! and the KKT conditions, never worse than today, infeasibility diagnosis, no panics, apply and
//! compare, the command line) and its benchmark (ignored; see BENCHMARKS.md).

use super::analysis::fixtures::{c, demo_portfolio, example_path, mix, reference};
use chokepoint::analysis::assess::{AssessParams, assess};
use chokepoint::analysis::exposure::look_through_embedded;
use chokepoint::analysis::planner::{
    Binding, Infeasibility, Multipliers, Objective, Plan, PlanError, PlanParams, SanctionsList,
    apply, compare, plan_mix, plan_portfolio, plan_stage,
};
use chokepoint::model::{CountryCode, CountryMix, Share, Stage};
use chokepoint::portfolio::{Amount, Line, Portfolio, Sourcing};
use chokepoint::reference::ReferenceData;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

const TOL: f64 = 1e-9;

/// Countries of the fixture with governance scores, and the rest of world (`ROW`, no score, in
/// no group; a plan never raises its share); CHN and RUS are covered nations.
const CODES: [&str; 9] = [
    "CHN", "JPN", "ROW", "DEU", "AUS", "USA", "RUS", "CAN", "KOR",
];

fn wgi(reference: &ReferenceData, country: CountryCode) -> f64 {
    reference
        .country(country)
        .and_then(|k| k.wgi_eu_scaled())
        .unwrap_or(10.0)
}

/// The objective on the fraction scale, as the multipliers see it.
fn raw_objective(
    objective: &Objective,
    reference: &ReferenceData,
    shares: &[(CountryCode, f64)],
) -> f64 {
    shares
        .iter()
        .map(|&(country, x)| match objective {
            Objective::Hhi => x * x,
            Objective::HhiWgi => wgi(reference, country) * x * x,
            Objective::Group(_) => {
                if ["CHN", "RUS"].contains(&country.as_str()) {
                    x
                } else {
                    0.0
                }
            }
            Objective::Linear(w) => w.get(&country).copied().unwrap_or(0.0) * x,
            Objective::ExpectedLoss(_) => {
                unreachable!("planned with plan_stage: see expected_loss.rs")
            }
        })
        .sum()
}

/// A random small planning case.
#[derive(Clone, Debug)]
struct Case {
    countries: Vec<CountryCode>,
    today: Vec<f64>,
    world: Vec<f64>,
    params: PlanParams,
}

fn objective_strategy() -> impl Strategy<Value = Objective> {
    prop_oneof![
        Just(Objective::Hhi),
        Just(Objective::HhiWgi),
        Just(Objective::Group("feoc_covered_nations".to_string())),
        prop::collection::vec(0.0..5.0f64, 8).prop_map(|w| Objective::Linear(
            CODES.iter().zip(w).map(|(code, w)| (c(code), w)).collect()
        )),
    ]
}

fn case_strategy(max_countries: usize) -> impl Strategy<Value = Case> {
    (2..=max_countries)
        .prop_flat_map(|n| {
            (
                prop::collection::vec(prop_oneof![Just(0.0), 0.0..10.0f64], n),
                prop::collection::vec(prop_oneof![Just(0.0), 0.01..10.0f64], n),
                objective_strategy(),
                0.5..6.0f64,
                prop_oneof![1 => Just(1.0), 3 => 0.0..0.6f64],
                prop::collection::vec(prop_oneof![Just(None), (0.0..20.0f64).prop_map(Some)], n),
                prop_oneof![1 => Just(None), 2 => (0.0..10.0f64).prop_map(Some)],
                prop::collection::vec(0..12u8, n),
                prop::collection::vec(0.0..0.6f64, n),
                any::<bool>(),
            )
        })
        .prop_map(
            |(
                today,
                world,
                objective,
                headroom,
                max_shift,
                premiums,
                budget,
                flags,
                levels,
                restricted,
            )| {
                let n = today.len();
                let countries: Vec<CountryCode> = CODES[..n].iter().map(|code| c(code)).collect();
                let mut today = today;
                if today.iter().all(|v| *v == 0.0) {
                    today[0] = 1.0;
                }
                let mut world = world;
                if world.iter().all(|v| *v == 0.0) {
                    world[n - 1] = 1.0;
                }
                let mut params = PlanParams {
                    objective,
                    headroom,
                    max_shift,
                    budget,
                    frontier_points: 4,
                    ..PlanParams::default()
                };
                // The restricted list (the covered nations CHN and RUS) on or off. The
                // weak-governance rule is off here (it has its own tests on the real data).
                if !restricted {
                    params.restricted = None;
                }
                params.weak_governance = None;
                for k in 0..n {
                    if let Some(p) = premiums[k] {
                        params.premiums.insert(countries[k], p);
                    }
                    match flags[k] {
                        0 => {
                            params.exclude.insert(countries[k]);
                        }
                        1 => {
                            params.require.insert(countries[k], levels[k] / 2.0);
                        }
                        2 => {
                            params.caps.insert(countries[k], levels[k]);
                        }
                        _ => {}
                    }
                }
                Case {
                    countries,
                    today,
                    world,
                    params,
                }
            },
        )
}

fn run_case(case: &Case, reference: &ReferenceData) -> (CountryMix, Result<Plan, PlanError>) {
    let today = CountryMix::from_shares(case.countries.iter().copied().zip(case.today.clone()))
        .expect("today");
    let world = CountryMix::from_shares(case.countries.iter().copied().zip(case.world.clone()))
        .expect("world");
    let result = plan_mix(
        "gallium",
        Stage::Refining,
        &today,
        Some(&world),
        reference,
        &[],
        &case.params,
    );
    (today, result)
}

/// The bounds a case implies, recomputed independently of the planner.
fn bounds(case: &Case, today: &CountryMix) -> Vec<(f64, f64)> {
    let world = CountryMix::from_shares(case.countries.iter().copied().zip(case.world.clone()))
        .expect("world");
    case.countries
        .iter()
        .map(|&country| {
            let x0 = today.share_of(country);
            let hi = if case.params.exclude.contains(&country) {
                0.0
            } else if let Some(cap) = case.params.caps.get(&country) {
                *cap
            } else {
                (case.params.headroom * world.share_of(country))
                    .max(x0)
                    .min(1.0)
            };
            // Rest of world is a statistical residual: never above today's share.
            let hi = if country.is_rest_of_world() {
                hi.min(x0)
            } else {
                hi
            };
            // A restricted country (the fixture's covered nations) is no new supplier, unless
            // excluded or given an explicit cap.
            let restricted = case.params.restricted.is_some()
                && ["CHN", "RUS"].contains(&country.as_str())
                && !case.params.exclude.contains(&country)
                && !case.params.caps.contains_key(&country);
            let hi = if restricted { hi.min(x0) } else { hi };
            let lo = case.params.require.get(&country).copied().unwrap_or(0.0);
            (lo, hi)
        })
        .collect()
}

/// Whether shares `x` over the case's countries meet every constraint within `tol`.
fn meets(case: &Case, today: &CountryMix, x: &[f64], tol: f64) -> bool {
    let b = bounds(case, today);
    let sum: f64 = x.iter().sum();
    let shift: f64 = case
        .countries
        .iter()
        .zip(x)
        .map(|(k, v)| (v - today.share_of(*k)).abs())
        .sum::<f64>()
        / 2.0;
    let premium: f64 = case
        .countries
        .iter()
        .zip(x)
        .map(|(k, v)| v * case.params.premiums.get(k).copied().unwrap_or(0.0))
        .sum();
    (sum - 1.0).abs() <= tol
        && x.iter()
            .zip(&b)
            .all(|(v, (lo, hi))| *v >= lo - tol && *v <= hi + tol)
        && shift <= case.params.max_shift + tol
        && case
            .params
            .budget
            .is_none_or(|budget| premium <= budget + tol * 100.0)
}

fn planned(case: &Case, plan: &Plan) -> Vec<f64> {
    case.countries
        .iter()
        .map(|k| plan.mix.share_of(*k))
        .collect()
}

/// The best objective over a grid of step 1/`steps` on the simplex of 2 or 3 countries, among
/// the points meeting the constraints; `None` when none does.
fn brute_force(
    case: &Case,
    today: &CountryMix,
    reference: &ReferenceData,
    steps: usize,
) -> Option<f64> {
    simplex_grid(case.countries.len(), steps)
        .filter(|x| meets(case, today, x, 1e-12))
        .map(|x| {
            let shares: Vec<(CountryCode, f64)> = case.countries.iter().copied().zip(x).collect();
            raw_objective(&case.params.objective, reference, &shares)
        })
        .reduce(f64::min)
}

/// The points of the grid of step 1/`steps` on the simplex of 2 or 3 countries.
pub(super) fn simplex_grid(n: usize, steps: usize) -> impl Iterator<Item = Vec<f64>> {
    let step = 1.0 / steps as f64;
    assert!(n == 2 || n == 3, "the grid is for 2 or 3 countries");
    (0..=steps).flat_map(move |i| {
        let a = i as f64 * step;
        let last = if n == 2 { 0 } else { steps - i };
        (0..=last).map(move |j| {
            if n == 2 {
                vec![a, 1.0 - a]
            } else {
                let b = j as f64 * step;
                vec![a, b, (1.0 - a - b).max(0.0)]
            }
        })
    })
}

/// Stationarity of one country (Boyd & Vandenberghe 2004, 5.5.3): with the objective's
/// derivative `(left, right)` at its share `x` (equal where it is smooth), the reduced gradient
/// `derivative + budget * premium - simplex +- max_shift / 2` (an interval at a kink, or where the
/// share is today's) contains 0 inside the bounds, is >= 0 at the minimum and <= 0 at the cap.
pub(super) fn assert_stationary(
    country: CountryCode,
    (x, today): (f64, f64),
    (lo, hi): (f64, f64),
    (left, right): (f64, f64),
    premium: f64,
    m: &Multipliers,
    tol: f64,
) {
    let base = m.budget * premium - m.simplex;
    let half = m.max_shift / 2.0;
    let d = x - today;
    let (rmin, rmax) = if d > 1e-9 {
        (left + base + half, right + base + half)
    } else if d < -1e-9 {
        (left + base - half, right + base - half)
    } else {
        (left + base - half, right + base + half)
    };
    match (x <= lo + 1e-9, x >= hi - 1e-9) {
        (true, true) => {}
        (true, false) => assert!(rmax >= -tol, "{country} at its minimum: {rmax} ({m:?})"),
        (false, true) => assert!(rmin <= tol, "{country} at its cap: {rmin} ({m:?})"),
        (false, false) => assert!(
            rmin <= tol && rmax >= -tol,
            "{country} inside: [{rmin}, {rmax}], tolerance {tol} ({m:?})"
        ),
    }
}

/// Checks the KKT conditions of `plan` with its multipliers (Boyd & Vandenberghe 2004, 5.5.3):
/// primal feasibility, dual feasibility, complementary slackness and stationarity, the shift's
/// kink giving an interval of subgradients where a share is unchanged.
fn check_kkt(case: &Case, today: &CountryMix, plan: &Plan, reference: &ReferenceData) {
    let x = planned(case, plan);
    assert!(meets(case, today, &x, 1e-9), "infeasible plan {x:?}");
    let m = &plan.multipliers;
    assert!(m.max_shift >= -TOL && m.budget >= -TOL, "{m:?}");
    let shift = plan.shift;
    if m.max_shift > 1e-7 {
        assert!(
            (shift - case.params.max_shift).abs() < 1e-7,
            "shift multiplier {} with slack shift {shift}",
            m.max_shift
        );
    }
    if m.budget > 1e-7 {
        let budget = case.params.budget.expect("budget") / 100.0;
        assert!((plan.after.premium_pct / 100.0 - budget).abs() < 1e-7);
    }
    let b = bounds(case, today);
    for (k, &country) in case.countries.iter().enumerate() {
        let xk = x[k];
        let (q, l) = match &case.params.objective {
            Objective::Hhi => (1.0, 0.0),
            Objective::HhiWgi => (wgi(reference, country), 0.0),
            Objective::Group(_) => (
                0.0,
                if ["CHN", "RUS"].contains(&country.as_str()) {
                    1.0
                } else {
                    0.0
                },
            ),
            Objective::Linear(w) => (0.0, w.get(&country).copied().unwrap_or(0.0)),
            Objective::ExpectedLoss(_) => unreachable!("checked in expected_loss.rs"),
        };
        let p = case.params.premiums.get(&country).copied().unwrap_or(0.0) / 100.0;
        let derivative = 2.0 * q * xk + l;
        let tol = 1e-6 * (1.0 + m.simplex.abs() + m.max_shift + m.budget);
        assert_stationary(
            country,
            (xk, today.share_of(country)),
            b[k],
            (derivative, derivative),
            p,
            m,
            tol,
        );
    }
}

// ---- Hand-computed cases --------------------------------------------------------------------

/// Plans gallium refining from `today` with `world` as the world mix, against the fixture.
fn plan_gallium(
    today: &CountryMix,
    world: &CountryMix,
    params: &PlanParams,
) -> Result<Plan, PlanError> {
    plan_mix(
        "gallium",
        Stage::Refining,
        today,
        Some(world),
        &reference(),
        &[],
        params,
    )
}

#[test]
fn water_filling_by_hand() {
    let today = mix(&[("CHN", 80.0), ("JPN", 10.0), ("DEU", 10.0)]);
    let params = PlanParams {
        headroom: 3.0,
        ..PlanParams::default()
    };
    let plan = plan_gallium(&today, &today, &params).unwrap();
    // Caps 30 % for Japan and Germany, so China keeps 40 %: HHI 1600 + 900 + 900.
    assert!(
        (plan.after.hhi - 3_400.0).abs() < 1e-6,
        "{}",
        plan.after.hhi
    );
    assert!((plan.before.hhi - 6_600.0).abs() < 1e-6);
    assert!((plan.shift - 0.4).abs() < 1e-9);
    let caps: Vec<CountryCode> = plan
        .binding
        .iter()
        .filter_map(|b| match b {
            Binding::Cap { country, .. } => Some(*country),
            _ => None,
        })
        .collect();
    assert_eq!(caps, vec![c("DEU"), c("JPN")]);
    // The covered-nation share falls with China's.
    assert!((plan.before.covered_share.unwrap() - 0.8).abs() < 1e-9);
    assert!((plan.after.covered_share.unwrap() - 0.4).abs() < 1e-9);
}

#[test]
fn shift_limit_and_recommendation_text() {
    let today = mix(&[("CHN", 90.0), ("JPN", 5.0), ("DEU", 5.0)]);
    let world = mix(&[("CHN", 60.0), ("JPN", 20.0), ("DEU", 20.0)]);
    // A hand-computed HHI case without the restricted list (the defaults since issue #20 are
    // the governance-weighted HHI and the covered nations held at today's share).
    let params = PlanParams {
        objective: Objective::Hhi,
        restricted: None,
        max_shift: 0.25,
        frontier_points: 0,
        ..PlanParams::default()
    };
    let plan = plan_gallium(&today, &world, &params).unwrap();
    assert!((plan.mix.share_of(c("CHN")) - 0.65).abs() < 1e-9);
    assert!((plan.mix.share_of(c("JPN")) - 0.175).abs() < 1e-9);
    assert!(
        plan.binding
            .iter()
            .any(|b| matches!(b, Binding::MaxShift { multiplier, .. } if *multiplier > 0.0))
    );
    let text = &plan.recommendation.text;
    assert!(
        text.starts_with(
            "Move 25 % of gallium refining from CHN to DEU and JPN: HHI 8\u{202f}150 -> 4\u{202f}83"
        ),
        "{text}"
    );
    assert!(text.contains("covered-nation share 90 % -> 65 %"), "{text}");
}

#[test]
fn premiums_make_a_frontier_with_a_knee_inside() {
    let today = mix(&[("CHN", 100.0)]);
    let world = mix(&[("CHN", 50.0), ("JPN", 25.0), ("DEU", 25.0)]);
    let params = PlanParams {
        premiums: BTreeMap::from([(c("JPN"), 10.0), (c("DEU"), 10.0)]),
        frontier_points: 11,
        ..PlanParams::default()
    };
    let plan = plan_gallium(&today, &world, &params).unwrap();
    assert_eq!(plan.frontier.len(), 11);
    // Risk falls as the budget grows, and each point keeps within its budget.
    for pair in plan.frontier.windows(2) {
        assert!(pair[1].metrics.objective <= pair[0].metrics.objective + 1e-9);
    }
    for point in &plan.frontier {
        assert!(point.metrics.premium_pct <= point.budget_pct + 1e-9);
    }
    let point = plan.recommendation.point.unwrap();
    assert!(point > 0 && point < 10, "knee at {point}");
    assert!(
        plan.recommendation.text.contains("premium +"),
        "{}",
        plan.recommendation.text
    );
}

#[test]
fn group_objective_breaks_ties_by_hhi() {
    let today = mix(&[("CHN", 100.0)]);
    let world = mix(&[("CHN", 40.0), ("JPN", 30.0), ("DEU", 30.0)]);
    let params = PlanParams {
        objective: Objective::Group("feoc_covered_nations".to_string()),
        max_shift: 0.4,
        ..PlanParams::default()
    };
    let plan = plan_gallium(&today, &world, &params).unwrap();
    assert!((plan.after.objective - 60.0).abs() < 1e-9); // percent
    // The 40 % that moves is split equally, not dumped on one country.
    assert!((plan.mix.share_of(c("JPN")) - 0.2).abs() < 1e-9);
    assert!((plan.mix.share_of(c("DEU")) - 0.2).abs() < 1e-9);
}

#[test]
fn infeasible_cases_name_the_constraint() {
    let today = mix(&[("CHN", 98.0), ("JPN", 1.0), ("KOR", 1.0)]);
    let run = |params: PlanParams| plan_gallium(&today, &today, &params);
    let reason = |result: Result<Plan, PlanError>| match result {
        Err(PlanError::Infeasible { reason, .. }) => reason,
        other => panic!("expected infeasible, got {other:?}"),
    };
    let no_china = BTreeSet::from([c("CHN")]);
    assert!(matches!(
        reason(run(PlanParams {
            require: BTreeMap::from([(c("JPN"), 0.5)]),
            ..PlanParams::default()
        })),
        Infeasibility::RequiredAboveCap { country, .. } if country == c("JPN")
    ));
    assert!(matches!(
        reason(run(PlanParams {
            require: BTreeMap::from([(c("CHN"), 0.9), (c("JPN"), 0.02), (c("KOR"), 0.2)]),
            caps: BTreeMap::from([(c("KOR"), 0.5)]),
            ..PlanParams::default()
        })),
        Infeasibility::RequiredAbove100 { .. }
    ));
    assert!(matches!(
        reason(run(PlanParams {
            exclude: no_china.clone(),
            ..PlanParams::default()
        })),
        Infeasibility::CapsBelow100 { total } if (total - 0.04).abs() < 1e-9
    ));
    assert!(matches!(
        reason(run(PlanParams {
            exclude: no_china.clone(),
            headroom: 100.0,
            max_shift: 0.3,
            ..PlanParams::default()
        })),
        Infeasibility::MaxShift { needed, .. } if (needed - 0.98).abs() < 1e-9
    ));
    assert!(matches!(
        reason(run(PlanParams {
            exclude: no_china,
            headroom: 100.0,
            premiums: BTreeMap::from([(c("JPN"), 5.0), (c("KOR"), 8.0)]),
            budget: Some(4.0),
            ..PlanParams::default()
        })),
        Infeasibility::Budget { needed_pct, .. } if (needed_pct - 5.0).abs() < 1e-9
    ));
    let message = run(PlanParams {
        exclude: BTreeSet::from([c("CHN")]),
        ..PlanParams::default()
    })
    .unwrap_err()
    .to_string();
    assert!(
        message.contains("caps") && message.contains("below 100 %"),
        "{message}"
    );
}

#[test]
fn unknown_group_and_bad_parameters_are_errors() {
    let reference = reference();
    let today = mix(&[("CHN", 100.0)]);
    let run = |params: PlanParams| {
        plan_mix(
            "gallium",
            Stage::Refining,
            &today,
            None,
            &reference,
            &[],
            &params,
        )
    };
    assert!(matches!(
        run(PlanParams {
            objective: Objective::Group("nope".into()),
            ..PlanParams::default()
        }),
        Err(PlanError::UnknownGroup { .. })
    ));
    assert!(matches!(
        run(PlanParams {
            headroom: f64::NAN,
            ..PlanParams::default()
        }),
        Err(PlanError::InvalidParameter { .. })
    ));
}

// ---- Rest of world (issue #17) --------------------------------------------------------------

/// The `ROW` share of a plan's mix and of every frontier point.
fn row_shares(plan: &Plan) -> Vec<f64> {
    let row = CountryCode::REST_OF_WORLD;
    std::iter::once(plan.mix.share_of(row))
        .chain(plan.frontier.iter().map(|point| {
            point
                .mix
                .iter()
                .find(|(k, _)| *k == row)
                .map_or(0.0, |(_, s)| *s)
        }))
        .collect()
}

#[test]
fn rest_of_world_is_kept_at_most_at_today_for_every_objective() {
    // Cobalt refining: China 80 %, rest of world 5 %, Finland 15 % today; the world has
    // 9.44 % rest of world, so as a country it could take up to 18.88 % (headroom 2).
    let reference = reference();
    let today = mix(&[("CHN", 80.0), ("ROW", 5.0), ("FIN", 15.0)]);
    let world = reference
        .world_mix("cobalt", Stage::Refining)
        .unwrap()
        .clone();
    for objective in [
        Objective::Hhi,
        Objective::HhiWgi,
        Objective::Group("feoc_covered_nations".into()),
        Objective::Linear(BTreeMap::from([(c("CHN"), 3.0), (c("FIN"), 1.0)])),
    ] {
        let params = PlanParams {
            objective: objective.clone(),
            premiums: BTreeMap::from([(c("FIN"), 4.0), (c("JPN"), 6.0)]),
            caps: BTreeMap::from([(c("ROW"), 0.5)]),
            frontier_points: 5,
            ..PlanParams::default()
        };
        let plan = plan_mix(
            "cobalt",
            Stage::Refining,
            &today,
            Some(&world),
            &reference,
            &[],
            &params,
        )
        .unwrap();
        for share in row_shares(&plan) {
            assert!(share <= 0.05 + 1e-12, "{objective:?}: ROW {share}");
        }
        let row = plan
            .allocations
            .iter()
            .find(|a| a.country.is_rest_of_world())
            .unwrap();
        // The explicit 50 % cap is lowered to today's share.
        assert!((row.cap - 0.05).abs() < 1e-12, "{objective:?}: {row:?}");
        let text = &plan.recommendation.text;
        assert!(
            text.contains("Rest of world stays at or below today's 5 %: it is a statistical residual, not a supplier"),
            "{objective:?}: {text}"
        );
    }
    // Minimising the HHI, rest of world keeps exactly today's 5 % and the rule binds: without
    // it the plan would have raised it (every named country is at its cap).
    let plan = plan_mix(
        "cobalt",
        Stage::Refining,
        &today,
        Some(&world),
        &reference,
        &[],
        &PlanParams::default(),
    )
    .unwrap();
    assert!((plan.mix.share_of(CountryCode::REST_OF_WORLD) - 0.05).abs() < 1e-12);
    assert!(
        plan.binding
            .iter()
            .any(|b| matches!(b, Binding::RestOfWorld { today, multiplier }
                if (*today - 0.05).abs() < 1e-12 && *multiplier > 0.0)),
        "{:?}",
        plan.binding
    );
    assert!(
        !plan
            .binding
            .iter()
            .any(|b| matches!(b, Binding::Cap { country, .. } if country.is_rest_of_world()))
    );
}

#[test]
fn expected_loss_never_moves_volume_into_rest_of_world() {
    // The rest of world is never disrupted in the loss model, so without the rule the
    // expected loss would pour volume into it.
    let reference = reference();
    let portfolio = Portfolio::from_json(
        r#"{"schema_version": 1, "lines": [
            {"material": "cobalt", "spend": 100, "revenue_share_pct": 30,
             "sourcing": {"refining": {"CHN": 97, "ROW": 3}}}]}"#,
        &reference,
    )
    .unwrap();
    let params = PlanParams {
        objective: Objective::parse("expected-loss").unwrap(),
        frontier_points: 4,
        premiums: BTreeMap::from([(c("FIN"), 2.0)]),
        ..PlanParams::default()
    };
    let plan = plan_stage(&portfolio, &reference, "cobalt", Stage::Refining, &params).unwrap();
    assert!(plan.after.objective < plan.before.objective);
    for share in row_shares(&plan) {
        assert!(share <= 0.03 + 1e-12, "ROW {share}");
    }
}

/// Issue #17: `chokepoint plan` on cobalt refining bought from China only, caps China 100 %,
/// Finland, Japan and Belgium 30 %, put 18.9 % into `ROW` (twice its 9.44 % world share).
#[test]
fn cli_cobalt_refining_plan_puts_nothing_into_rest_of_world() {
    let path = std::env::temp_dir().join(format!(
        "chokepoint-planner-test-{}-cobalt.json",
        std::process::id()
    ));
    std::fs::write(
        &path,
        r#"{"schema_version": 1, "lines": [
            {"material": "cobalt", "spend": 1000000, "revenue_share_pct": 20,
             "sourcing": {"refining": {"CHN": 100}}}]}"#,
    )
    .unwrap();
    let (code, out, err) = super::cli::run(&[
        "plan",
        &path.to_string_lossy(),
        "--material",
        "cobalt",
        "--stage",
        "refining",
        "--cap",
        "CHN=100,FIN=30,JPN=30,BEL=30",
        // The HHI case of issue #17 (the default objective is the governance-weighted HHI
        // since issue #20).
        "--objective",
        "hhi",
        // The hand computation below predates the weak-governance rule (tested on its own).
        "--weak-governance",
        "none",
    ]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let plan = &json["plans"][0]["plan"];
    let row_in = |mix: &serde_json::Value| -> f64 {
        mix.as_array()
            .unwrap()
            .iter()
            .find(|e| e[0] == "ROW")
            .map_or(0.0, |e| e[1].as_f64().unwrap())
    };
    assert_eq!(row_in(&plan["mix"]["entries"]), 0.0, "{}", plan["mix"]);
    for point in plan["frontier"].as_array().unwrap() {
        assert_eq!(row_in(&point["mix"]), 0.0);
    }
    // Indonesia and Canada at twice their world shares (2.3 % and 1.4 %); China, Finland,
    // Japan and Belgium share the rest equally, (100 - 2.3 - 1.4) / 4 = 24.075 % each, below
    // their caps. (With rest of world as a supplier it took 18.88 %, twice its world share.)
    let share = |country: &str| {
        plan["allocations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["country"] == country)
            .map_or(0.0, |a| a["planned"].as_f64().unwrap())
    };
    for country in ["CHN", "FIN", "JPN", "BEL"] {
        assert!(
            (share(country) - 0.24075).abs() < 1e-9,
            "{country}: {}",
            plan["allocations"]
        );
    }
    assert!((share("IDN") - 0.023).abs() < 1e-9);
    let text = plan["recommendation"]["text"].as_str().unwrap();
    assert!(
        text.contains(
            "Rest of world stays at or below today's 0 %: it is a statistical residual, not a \
             supplier, so a plan never increases it."
        ),
        "{text}"
    );
    assert!(
        plan["binding"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["constraint"] == "rest_of_world"),
        "{}",
        plan["binding"]
    );
}

// ---- Portfolio, apply, compare --------------------------------------------------------------

#[test]
fn applying_a_plan_changes_assess_as_compare_reports() {
    let reference = reference();
    let portfolio = demo_portfolio(&reference);
    let params = PlanParams {
        max_shift: 0.3,
        ..PlanParams::default()
    };
    let plan = plan_stage(&portfolio, &reference, "graphite", Stage::Refining, &params).unwrap();
    let after_portfolio = apply(&portfolio, std::slice::from_ref(&plan));
    let before = assess(&portfolio, &reference, &AssessParams::default());
    let after = assess(&after_portfolio, &reference, &AssessParams::default());
    let comparison = compare(&before, &after);
    let graphite = comparison
        .materials
        .iter()
        .find(|m| m.material == "graphite")
        .unwrap();
    let refining = graphite
        .stages
        .iter()
        .find(|s| s.stage == Stage::Refining)
        .unwrap();
    let hhi = refining.hhi.unwrap();
    assert!((hhi.before - plan.before.hhi).abs() < 1e-6);
    assert!((hhi.after - plan.after.hhi).abs() < 1e-6);
    assert!(hhi.change < 0.0);
    let covered = refining.covered_share.unwrap();
    assert!((covered.after - plan.after.covered_share.unwrap()).abs() < 1e-9);
    assert!(refining.hhi_wgi.is_some());
    // Other materials are unchanged.
    let cobalt = comparison
        .materials
        .iter()
        .find(|m| m.material == "cobalt")
        .unwrap();
    assert!(
        cobalt
            .stages
            .iter()
            .all(|s| s.hhi.unwrap().change.abs() < 1e-9)
    );
}

#[test]
fn side_by_side_shows_every_metric_and_the_plan_never_makes_the_stage_or_the_cut_worse() {
    use chokepoint::analysis::planner::plannable_stages;
    use chokepoint::analysis::planner::side_by_side::side_by_side;
    use chokepoint::analysis::scenario::{Scenario, ScenarioParams};
    let reference = reference();
    let portfolio = demo_portfolio(&reference);
    let params = PlanParams {
        max_shift: 0.3,
        ..PlanParams::default()
    };
    let mut materials: Vec<&str> = portfolio
        .lines
        .iter()
        .map(|l| l.material.as_str())
        .collect();
    materials.dedup();
    let mut checked = 0;
    for material in materials {
        for stage in plannable_stages(&portfolio, &reference, material) {
            let Ok(plan) = plan_stage(&portfolio, &reference, material, stage, &params) else {
                continue;
            };
            let largest = plan
                .allocations
                .iter()
                .max_by(|a, b| a.today.total_cmp(&b.today))
                .unwrap()
                .country;
            let planned = apply(&portfolio, std::slice::from_ref(&plan));
            // Today's largest supplier at this stage stops all supply for six months.
            let cut = Scenario::build(vec![largest], &[material], &[stage], 100.0, 6.0).unwrap();
            let view = side_by_side(
                &portfolio,
                &planned,
                &reference,
                &AssessParams::default(),
                &cut,
                &ScenarioParams::default(),
            );
            let scope = format!(
                "{}, {}",
                view.after
                    .materials
                    .iter()
                    .find(|m| m.material == material)
                    .unwrap()
                    .name,
                stage.label().to_lowercase()
            );
            let find = |metric: &str, scope: &str| {
                view.rows
                    .iter()
                    .find(|r| r.metric == metric && r.scope == scope)
                    .unwrap_or_else(|| panic!("no row {metric} for {scope}"))
            };
            // The planned stage: HHI as the planner reported it, never worse.
            let hhi = find("HHI", &scope);
            assert!(
                (hhi.before.unwrap() - plan.before.hhi).abs() < 1e-6,
                "{scope}"
            );
            assert!(
                (hhi.after.unwrap() - plan.after.hhi).abs() < 1e-6,
                "{scope}"
            );
            assert!(hhi.after.unwrap() <= hhi.before.unwrap() + 1e-9, "{scope}");
            assert_ne!(hhi.improves(), Some(false), "{scope}");
            // The largest supplier's cut hurts no more than today.
            let at_risk = find("Revenue at risk", "Scenario");
            assert!(
                at_risk.after.unwrap() <= at_risk.before.unwrap() + 1e-12,
                "{scope}: {at_risk:?}"
            );
            // Every other material's rows are unchanged.
            for r in view
                .rows
                .iter()
                .filter(|r| r.material.as_deref().is_some_and(|m| m != material))
            {
                assert!(!r.changed(), "{scope}: {r:?} changed");
            }
            // Every stage of every material has its five rows, and the portfolio its seven.
            let stage_rows: usize = view
                .after
                .materials
                .iter()
                .map(|m| 2 + 5 * m.stages.len())
                .sum();
            assert_eq!(view.rows.len(), 7 + stage_rows + 3, "{scope}");
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} plans checked");
}

#[test]
fn every_material_of_the_demo_is_planned_or_explained() {
    let reference = reference();
    let portfolio = demo_portfolio(&reference);
    let outcomes = plan_portfolio(&portfolio, &reference, &PlanParams::default());
    // Germanium has no stage data in the fixture: one outcome with an error.
    let germanium: Vec<_> = outcomes
        .iter()
        .filter(|o| o.material == "germanium")
        .collect();
    assert!(
        germanium
            .iter()
            .all(|o| o.plan.is_none() || o.stage == Some(Stage::Component))
    );
    for outcome in &outcomes {
        if let Some(plan) = &outcome.plan {
            assert!(plan.after.objective <= plan.before.objective + 1e-9);
            assert!(!plan.recommendation.text.is_empty());
        } else {
            assert!(outcome.error.is_some());
        }
    }
    // By default one stage per material, the one the firm buys at (issue #20) ...
    let materials: BTreeSet<&str> = outcomes.iter().map(|o| o.material.as_str()).collect();
    assert_eq!(outcomes.len(), materials.len());
    // ... and every stage with a mix when upstream stages are asked for.
    let upstream = PlanParams {
        upstream: true,
        ..PlanParams::default()
    };
    let outcomes = plan_portfolio(&portfolio, &reference, &upstream);
    assert!(outcomes.iter().filter(|o| o.plan.is_some()).count() >= 8);
}

// ---- Properties -----------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn plans_are_feasible_kkt_optimal_and_never_worse_than_today(case in case_strategy(8)) {
        let reference = reference();
        let (today, result) = run_case(&case, &reference);
        let Ok(plan) = result else { return Ok(()) };
        let x = planned(&case, &plan);
        prop_assert!(meets(&case, &today, &x, 1e-9), "infeasible {x:?}");
        for point in &plan.frontier {
            let y: Vec<f64> = case.countries.iter().map(|k| {
                point.mix.iter().find(|(c, _)| c == k).map_or(0.0, |(_, s)| *s)
            }).collect();
            let sum: f64 = y.iter().sum();
            prop_assert!((sum - 1.0).abs() < 1e-9);
            prop_assert!(point.metrics.premium_pct <= point.budget_pct + 1e-7);
        }
        check_kkt(&case, &today, &plan, &reference);
        let x0: Vec<f64> = case.countries.iter().map(|k| today.share_of(*k)).collect();
        if meets(&case, &today, &x0, 0.0) {
            prop_assert!(plan.after.objective <= plan.before.objective + 1e-9);
            if let Some(k) = plan.recommendation.point {
                let recommended = plan.frontier[k].metrics.objective;
                prop_assert!(recommended <= plan.before.objective + 1e-9 * (1.0 + recommended));
            }
        }
    }

    #[test]
    fn plans_beat_every_grid_point_and_infeasibility_is_real(case in case_strategy(3)) {
        let reference = reference();
        let (today, result) = run_case(&case, &reference);
        let steps = if case.countries.len() == 2 { 2000 } else { 200 };
        let brute = brute_force(&case, &today, &reference, steps);
        match result {
            Ok(plan) => {
                let shares: Vec<(CountryCode, f64)> =
                    case.countries.iter().copied().zip(planned(&case, &plan)).collect();
                let value = raw_objective(&case.params.objective, &reference, &shares);
                if let Some(best) = brute {
                    prop_assert!(value <= best + 1e-9, "plan {value} > grid {best}");
                }
            }
            Err(PlanError::Infeasible { reason, .. }) => {
                prop_assert!(brute.is_none(), "infeasible ({reason}) but a grid point fits");
            }
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }

    #[test]
    fn no_panic_on_any_input(
        headroom in prop::num::f64::ANY,
        max_shift in prop::num::f64::ANY,
        budget in prop::option::of(prop::num::f64::ANY),
        premium in prop::num::f64::ANY,
        cap in prop::num::f64::ANY,
        require in prop::num::f64::ANY,
        unknown_wgi in prop::num::f64::ANY,
        frontier_points in 0usize..200,
        objective in objective_strategy(),
    ) {
        let reference = reference();
        let today = mix(&[("CHN", 70.0), ("ROW", 20.0), ("NCL", 10.0)]);
        let params = PlanParams {
            objective,
            headroom,
            max_shift,
            budget,
            premiums: BTreeMap::from([(c("ROW"), premium)]),
            caps: BTreeMap::from([(c("CHN"), cap)]),
            require: BTreeMap::from([(c("NCL"), require)]),
            unknown_wgi,
            frontier_points,
            ..PlanParams::default()
        };
        let _ = plan_mix("cobalt", Stage::Mining, &today, Some(&today), &reference, &[], &params);
        let _ = plan_mix("cobalt", Stage::Component, &today, None, &reference, &[], &params);
    }
}

/// Materials of the fixture whose world mixes have a rest of world, at mining or refining.
const ROW_MATERIALS: [&str; 4] = ["cobalt", "graphite", "lithium", "rare_earths_magnet"];

/// A random portfolio of those materials: per line a spend and either the world mix at every
/// stage or its own mix (with or without `ROW`) at one stage; and random planner parameters,
/// every objective, sometimes an explicit cap on `ROW` above today's share.
fn portfolio_case() -> impl Strategy<Value = (Portfolio, PlanParams)> {
    let line = (
        0..ROW_MATERIALS.len(),
        1.0..100.0f64,
        prop::option::of((
            0..2usize,
            prop::collection::vec(prop_oneof![Just(0.0), 0.0..10.0f64], 4),
        )),
    );
    (
        prop::collection::vec(line, 1..=4),
        prop_oneof![
            Just(Objective::Hhi),
            Just(Objective::HhiWgi),
            Just(Objective::Group("feoc_covered_nations".to_string())),
            Just(Objective::parse("expected-loss").unwrap()),
        ],
        0.5..6.0f64,
        prop_oneof![1 => Just(1.0), 2 => 0.05..0.6f64],
        prop::option::of(0.0..1.0f64),
        prop::collection::vec(prop_oneof![Just(None), (0.0..20.0f64).prop_map(Some)], 3),
    )
        .prop_map(
            |(lines, objective, headroom, max_shift, row_cap, premiums)| {
                let lines = lines
                    .into_iter()
                    .map(|(m, spend, own)| {
                        let sourcing = match own {
                            Some((stage, mut weights)) => {
                                if weights.iter().all(|w| *w == 0.0) {
                                    weights[0] = 1.0;
                                }
                                let codes = ["CHN", "AUS", "JPN", "ROW"];
                                let own = CountryMix::from_shares(
                                    codes.iter().map(|k| c(k)).zip(weights),
                                )
                                .unwrap();
                                let stage = [Stage::Mining, Stage::Refining][stage];
                                Sourcing::default().with(stage, Some(own))
                            }
                            None => Sourcing::default(),
                        };
                        Line {
                            material: ROW_MATERIALS[m].to_string(),
                            label: None,
                            spend: Amount::new(spend).unwrap(),
                            revenue_share: Share::from_percent(10.0).unwrap(),
                            inventory_days: Amount::ZERO,
                            sourcing,
                            end_use: None,
                            facility_counts: Vec::new(),
                        }
                    })
                    .collect();
                let mut params = PlanParams {
                    objective,
                    headroom,
                    max_shift,
                    frontier_points: 4,
                    ..PlanParams::default()
                };
                if let Some(cap) = row_cap {
                    params.caps.insert(CountryCode::REST_OF_WORLD, cap);
                }
                for (code, premium) in ["ROW", "JPN", "AUS"].iter().zip(premiums) {
                    if let Some(p) = premium {
                        params.premiums.insert(c(code), p);
                    }
                }
                (
                    Portfolio {
                        lines,
                        ..Portfolio::default()
                    },
                    params,
                )
            },
        )
}

/// Today's `ROW` share of `material` at `stage`: the spend-weighted look-through of its lines.
fn today_row(
    portfolio: &Portfolio,
    reference: &ReferenceData,
    material: &str,
    stage: Stage,
) -> f64 {
    let (mut weighted, mut total) = (0.0, 0.0);
    for line in portfolio.lines.iter().filter(|l| l.material == material) {
        for resolved in look_through_embedded(line, reference, portfolio.look_through) {
            if resolved.stage == stage
                && let Some(mix) = resolved.mix
            {
                weighted += line.spend.get() * mix.share_of(CountryCode::REST_OF_WORLD);
                total += line.spend.get();
            }
        }
    }
    weighted / total
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    /// Issue #17: no plan, frontier point or planned line raises the rest of world's share.
    #[test]
    fn no_plan_increases_rest_of_world(case in portfolio_case()) {
        let (portfolio, params) = case;
        let reference = reference();
        let outcomes = plan_portfolio(&portfolio, &reference, &params);
        let plans: Vec<Plan> = outcomes.into_iter().filter_map(|o| o.plan).collect();
        for plan in &plans {
            let today = today_row(&portfolio, &reference, &plan.material, plan.stage);
            for share in row_shares(plan) {
                prop_assert!(
                    share <= today + 1e-9,
                    "{} {:?}: ROW {share} > today {today}",
                    plan.material,
                    plan.stage
                );
            }
            // Every line of the material takes the plan's mix.
            let planned = apply(&portfolio, std::slice::from_ref(plan));
            for line in planned.lines.iter().filter(|l| l.material == plan.material) {
                let mix = line.sourcing.get(plan.stage).unwrap();
                prop_assert!(mix.share_of(CountryCode::REST_OF_WORLD) <= today + 1e-9);
            }
        }
    }
}

// ---- Command line ---------------------------------------------------------------------------

#[test]
fn cli_plan_help_and_usage_errors() {
    let (code, out, _) = super::cli::run(&["plan", "--help"]);
    assert_eq!(code, ExitCode::SUCCESS);
    for needle in ["--max-shift", "--premium", "--frontier", "group:"] {
        assert!(out.contains(needle), "help lacks {needle}");
    }
    let (_, out, _) = super::cli::run(&["--help"]);
    assert!(out.contains("plan FILE.json"));
    let demo = example_path("ev_motor_maker.json");
    for args in [
        vec!["plan"],
        vec!["plan", &demo, "--objective", "cheap"],
        vec!["plan", &demo, "--premium", "JPN"],
        vec!["plan", &demo, "--material", "tin"],
        vec!["plan", &demo, "--frontier", "500"],
        vec!["plan", &demo, "--bogus"],
    ] {
        let (code, out, err) = super::cli::run(&args);
        assert_eq!(code, ExitCode::from(2), "{args:?}: {err}");
        assert!(out.is_empty() && !err.is_empty());
    }
}

#[test]
fn cli_plans_one_material_as_json() {
    let demo = example_path("ev_motor_maker.json");
    let (code, out, err) = super::cli::run(&[
        "plan",
        &demo,
        "--material",
        "graphite",
        "--stage",
        "refining",
        "--objective",
        "group:feoc_covered_nations",
        "--max-shift",
        "30",
        "--headroom",
        "5",
        "--premium",
        "JPN=8,USA=12",
        "--frontier",
        "6",
    ]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let plans = json["plans"].as_array().unwrap();
    assert_eq!(plans.len(), 1);
    let plan = &plans[0]["plan"];
    assert_eq!(plan["stage"], "refining");
    assert_eq!(plan["frontier"].as_array().unwrap().len(), 6);
    assert!(
        plan["after"]["objective"].as_f64().unwrap()
            < plan["before"]["objective"].as_f64().unwrap()
    );
    assert!(
        plan["recommendation"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Move ")
    );
    assert!(plan["binding"].as_array().is_some());
}

#[test]
fn cli_infeasible_material_plan_exits_1_with_the_reason() {
    let demo = example_path("ev_motor_maker.json");
    let (code, out, err) = super::cli::run(&[
        "plan",
        &demo,
        "--material",
        "gallium",
        "--stage",
        "refining",
        "--exclude",
        "CHN",
    ]);
    assert_eq!(code, ExitCode::from(1));
    assert!(err.contains("below 100 %"), "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["plans"][0]["error"]["error"], "infeasible");
    assert_eq!(
        json["plans"][0]["error"]["reason"]["constraint"],
        "caps_below100"
    );
}

#[test]
fn cli_plans_every_material_without_material() {
    let demo = example_path("ev_motor_maker.json");
    let (code, out, _) = super::cli::run(&["plan", &demo, "--frontier", "0"]);
    assert_eq!(code, ExitCode::SUCCESS);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let materials: BTreeSet<&str> = json["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["material"].as_str().unwrap())
        .collect();
    assert_eq!(materials.len(), 6);
}

// ---- Benchmark (ignored; run as BENCHMARKS.md says) ----------------------------------------

/// A 200-line portfolio from the embedded catalogue, deterministic: the materials with stage
/// data in catalogue order, cycled; every third line with its own refining mix (the world's
/// two largest refiners, 70/30), spends from a fixed arithmetic sequence.
#[test]
#[ignore = "benchmark: cargo test --release --test tests planner::benchmark -- --ignored --nocapture"]
fn benchmark_plan_200_lines() {
    let reference = chokepoint::reference::embedded();
    let portfolio = chokepoint::analysis::planner::benchmark::portfolio(reference);
    let cases = chokepoint::analysis::planner::benchmark::cases();
    for (name, params) in cases {
        let runs = 5;
        let mut best = f64::INFINITY;
        let mut count = 0;
        for _ in 0..runs {
            let start = std::time::Instant::now();
            let outcomes = plan_portfolio(&portfolio, reference, &params);
            best = best.min(start.elapsed().as_secs_f64());
            count = outcomes.iter().filter(|o| o.plan.is_some()).count();
        }
        println!(
            "planner benchmark | {name} | {count} stage plans | best of {runs}: {:.1} ms",
            best * 1e3
        );
    }
}

// ---- Issue #20: default plans an expert would sign (embedded reference data) ---------------

/// The demo portfolio on the embedded reference data.
fn embedded_demo() -> Portfolio {
    demo_portfolio(chokepoint::reference::embedded())
}

/// The planned change of `country`'s share in `plan`.
fn change(plan: &Plan, country: &str) -> f64 {
    plan.allocations
        .iter()
        .find(|a| a.country == c(country))
        .map_or(0.0, |a| a.change)
}

#[test]
fn default_plans_cover_the_stage_the_firm_buys_at_never_mining_for_a_magnet_buyer() {
    let reference = chokepoint::reference::embedded();
    let demo = embedded_demo();
    let outcomes = plan_portfolio(&demo, reference, &PlanParams::default());
    // The demo buys magnets, GaN transistors and germanium lenses as components (its own
    // component mixes), graphite, cobalt sulphate and lithium hydroxide refined: one stage each,
    // no mining anywhere (with the plain HHI and every stage, magnet mining went to Myanmar).
    let stages: Vec<(&str, Option<Stage>)> = outcomes
        .iter()
        .map(|o| (o.material.as_str(), o.stage))
        .collect();
    assert_eq!(
        stages,
        [
            ("rare_earths_magnet", Some(Stage::Component)),
            ("gallium", Some(Stage::Component)),
            ("germanium", Some(Stage::Component)),
            ("graphite", Some(Stage::Refining)),
            ("cobalt", Some(Stage::Refining)),
            ("lithium", Some(Stage::Refining)),
        ]
    );
    assert!(outcomes.iter().all(|o| o.stage != Some(Stage::Mining)));
    // Upstream stages when asked for.
    let upstream = PlanParams {
        upstream: true,
        ..PlanParams::default()
    };
    let outcomes = plan_portfolio(&demo, reference, &upstream);
    assert!(
        outcomes
            .iter()
            .any(|o| o.material == "rare_earths_magnet" && o.stage == Some(Stage::Mining))
    );
}

#[test]
fn default_plans_never_raise_restricted_countries_and_name_the_list() {
    let reference = chokepoint::reference::embedded();
    let demo = embedded_demo();
    let defaults = PlanParams::default();
    // Gallium refining (asked for explicitly: it is upstream of the GaN transistors): Russia
    // no longer gains (it did with the plain HHI), the covered-nation share does not rise.
    let gallium = plan_stage(&demo, reference, "gallium", Stage::Refining, &defaults).unwrap();
    assert!(
        change(&gallium, "RUS") <= 1e-12,
        "{:?}",
        gallium.allocations
    );
    assert!(gallium.after.covered_share.unwrap() <= gallium.before.covered_share.unwrap() + 1e-12);
    let restricted = gallium.restricted.as_ref().unwrap();
    assert_eq!(restricted.group, "feoc_covered_nations");
    assert!(restricted.source.contains("4872"));
    // The demo sells in the EU: Russia is under EU sanctions, excluded rather than held.
    assert_eq!(restricted.members, vec![c("CHN")]);
    assert!(
        gallium
            .recommendation
            .text
            .contains("China stays at or below today's share"),
        "{}",
        gallium.recommendation.text
    );
    // Cobalt mining: Russia does not gain and the covered-nation share does not rise (with the
    // plain HHI it went from 3 % to 6 %).
    let cobalt = plan_stage(&demo, reference, "cobalt", Stage::Mining, &defaults).unwrap();
    assert!(change(&cobalt, "RUS") <= 1e-12, "{:?}", cobalt.allocations);
    assert!(cobalt.after.covered_share.unwrap() <= cobalt.before.covered_share.unwrap() + 1e-12);
    // The rules are the user's to turn off (the restricted list, the EU sanctions list of the
    // demo's jurisdiction and the weak-governance rule): then Russia may gain again.
    let off = PlanParams {
        restricted: None,
        sanctions: SanctionsList::Off,
        weak_governance: None,
        ..PlanParams::default()
    };
    let plan = plan_stage(&demo, reference, "cobalt", Stage::Mining, &off).unwrap();
    assert!(plan.restricted.is_none());
    assert!(change(&plan, "RUS") > 0.0, "{:?}", plan.allocations);
    // An unknown list is an error, not a silent no-op.
    let unknown = PlanParams {
        restricted: Some("no_such_group".into()),
        ..PlanParams::default()
    };
    assert!(matches!(
        plan_stage(&demo, reference, "cobalt", Stage::Mining, &unknown),
        Err(PlanError::UnknownGroup { .. })
    ));
}

#[test]
fn default_cobalt_refining_plan_cuts_china_not_finland() {
    // The demo refines cobalt in Finland (60 %) and China (40 %). With the plain HHI the plan cut
    // Finland more than China; the governance-weighted default cuts China and keeps Finland.
    let reference = chokepoint::reference::embedded();
    let plan = plan_stage(
        &embedded_demo(),
        reference,
        "cobalt",
        Stage::Refining,
        &PlanParams::default(),
    )
    .unwrap();
    let (fin, chn) = (change(&plan, "FIN"), change(&plan, "CHN"));
    assert!(chn < 0.0, "{:?}", plan.allocations);
    assert!(-fin <= -chn, "Finland {fin}, China {chn}");
    assert_eq!(plan.objective, Objective::HhiWgi);
}

#[test]
fn cli_plan_defaults_to_the_stage_bought_at_and_names_the_restricted_list() {
    let demo = example_path("ev_motor_maker.json");
    let stages = |args: &[&str]| -> Vec<(String, String)> {
        let (code, out, err) = super::cli::run(args);
        assert_eq!(code, ExitCode::SUCCESS, "{err}");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        json["plans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["material"].as_str().unwrap().to_string(),
                    o["stage"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let default = stages(&["plan", &demo, "--frontier", "0"]);
    assert_eq!(default.len(), 6);
    assert!(default.iter().all(|(_, stage)| stage != "mining"));
    let upstream = stages(&["plan", &demo, "--frontier", "0", "--upstream"]);
    assert!(
        upstream
            .iter()
            .any(|(m, s)| m == "rare_earths_magnet" && s == "mining")
    );
    // A stage asked for by name is planned for every material that has it.
    let mining = stages(&["plan", &demo, "--frontier", "0", "--stage", "mining"]);
    assert!(!mining.is_empty() && mining.iter().all(|(_, s)| s == "mining"));
    // The restricted list is named with its source; `none` turns it off.
    let args = [
        "plan",
        &demo,
        "--frontier",
        "0",
        "--material",
        "gallium",
        "--stage",
        "refining",
    ];
    let (_, out, _) = super::cli::run(&args);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let restricted = &json["plans"][0]["plan"]["restricted"];
    assert_eq!(restricted["group"], "feoc_covered_nations");
    // (The test reference's group; the embedded one cites 10 U.S.C. 4872(d)(2), tested above.)
    assert!(!restricted["source"].as_str().unwrap().is_empty());
    assert!(
        restricted["members"]
            .as_array()
            .unwrap()
            .contains(&"CHN".into())
    );
    assert_eq!(json["params"]["objective"]["kind"], "hhi_wgi");
    let mut off = args.to_vec();
    off.extend(["--restricted", "none"]);
    let (_, out, _) = super::cli::run(&off);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(json["plans"][0]["plan"]["restricted"].is_null());
    let (code, _, err) = super::cli::run(&["plan", &demo, "--restricted", ""]);
    assert_eq!(code, ExitCode::from(2), "{err}");
}
