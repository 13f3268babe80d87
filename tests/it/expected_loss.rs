//! Integration tests: the planner's expected-loss objective. The closed form against numerical
//! integration of the simulation's own loss rule and against the simulation's mean; a
//! hand-computed plan; feasibility, optimality against brute force and the KKT conditions, never
//! worse than today, exclusions and requirements (property tests); ties spread by the least HHI;
//! a case where expected loss and HHI disagree; the Monte Carlo mean before and after a plan; the
//! command line.

use super::analysis::fixtures::{c, demo_portfolio, example_path, mix, reference};
use super::planner::{assert_stationary, simplex_grid};
use super::scenario::{line, portfolio};
use chokepoint::analysis::montecarlo::families::{CountryShocks, event_families};
use chokepoint::analysis::montecarlo::{
    DurationModel, MonteCarlo, MonteCarloParams, ProbabilityOverride, Severity, country_rates,
    normal_survival,
};
use chokepoint::analysis::planner::expected_loss::{ExpectedLossParams, LossModel};
use chokepoint::analysis::planner::{
    Binding, Infeasibility, Objective, Plan, PlanError, PlanParams, apply, plan_mix, plan_stage,
};
use chokepoint::analysis::scenario::presets::embedded_presets;
use chokepoint::model::{CountryCode, CountryMix, Share, Stage};
use chokepoint::portfolio::{Amount, Portfolio, Sourcing};
use chokepoint::reference::ReferenceData;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::process::ExitCode;

const CODES: [&str; 8] = ["CHN", "JPN", "DEU", "AUS", "USA", "RUS", "CAN", "KOR"];

/// A portfolio of one line of `material`, bought from `own` at `stage`.
fn one_line(
    material: &str,
    revenue_pct: f64,
    inventory_days: f64,
    stage: Stage,
    own: CountryMix,
) -> Portfolio {
    let sourcing = Sourcing::default().with(stage, Some(own));
    portfolio(vec![line(material, revenue_pct, inventory_days, sourcing)])
}

fn overrides(list: &[(&str, Stage, f64)]) -> Vec<ProbabilityOverride> {
    list.iter()
        .map(|&(code, stage, p)| ProbabilityOverride {
            country: c(code),
            stage,
            probability: Share::new(p).unwrap(),
        })
        .collect()
}

fn objective(model: MonteCarloParams) -> Objective {
    Objective::ExpectedLoss(ExpectedLossParams {
        model,
        currency: None,
    })
}

fn model_of(plan_params: &PlanParams) -> &MonteCarloParams {
    match &plan_params.objective {
        Objective::ExpectedLoss(el) => &el.model,
        other => panic!("not the expected loss: {other:?}"),
    }
}

/// The first-order expected loss of `material`'s lines with `plan` as the mix of `stage` on
/// every line, by numerical integration of the simulation's loss rule as `montecarlo.rs` writes
/// it (`f = max(0, share * severity - spare * (1 - share))` over the disrupted stages where the
/// line has a share, loss `rs * max(0, f D - m) / 12`): the midpoint rule over the severity,
/// the duration law summed from its definition, every set of disrupted stages enumerated.
/// Shares no code with the closed form.
/// The laws of the disrupted-stage set of `country`'s shocks that hit `material`, as the
/// simulation draws them: its governance shock (stages independent, with the user's
/// probability where set) and each event family whose footprint holds the material.
fn shock_patterns(
    params: &MonteCarloParams,
    reference: &ReferenceData,
    material: &str,
    country: CountryCode,
) -> Vec<(u8, f64)> {
    let families = event_families(embedded_presets(), &params.probability_model);
    let governance = reference.country(country).and_then(|k| k.wgi_eu_scaled());
    CountryShocks::of(params, governance, country, &families).patterns(material)
}

fn quadrature(
    portfolio: &Portfolio,
    reference: &ReferenceData,
    material: &str,
    stage: Stage,
    plan: &CountryMix,
    params: &MonteCarloParams,
    patterns: &dyn Fn(CountryCode) -> Vec<(u8, f64)>,
) -> f64 {
    const N: usize = 10_000;
    let r = params.spare_capacity.get();
    let durations: Vec<(f64, f64)> = match params.duration {
        DurationModel::Fixed { months } => vec![(months, 1.0)],
        DurationModel::Geometric { mean_months } => {
            let q = 1.0 / mean_months;
            (1..=12)
                .map(|d| {
                    let p = if d < 12 {
                        q * (1.0 - q).powi(d - 1)
                    } else {
                        (1.0 - q).powi(11)
                    };
                    (f64::from(d), p)
                })
                .collect()
        }
        DurationModel::LogNormal {
            median_months,
            sigma,
        } => {
            // P(D = d) = P(d - 1 < T <= d) with ln T ~ N(ln median, sigma^2), the tail at 12.
            let above = |t: f64| {
                if t <= 0.0 {
                    1.0
                } else {
                    normal_survival((t.ln() - median_months.ln()) / sigma)
                }
            };
            (1..=12)
                .map(|d| {
                    let p = if d < 12 {
                        above(f64::from(d - 1)) - above(f64::from(d))
                    } else {
                        above(11.0)
                    };
                    (f64::from(d), p)
                })
                .collect()
        }
    };
    let (a, b) = (params.severity.min, params.severity.max);
    let severities: Vec<f64> = if a == b {
        vec![a]
    } else {
        (0..N)
            .map(|i| a + (b - a) * (i as f64 + 0.5) / N as f64)
            .collect()
    };
    let mut total = 0.0;
    for line in portfolio.lines.iter().filter(|l| l.material == material) {
        let mixes: Vec<Option<CountryMix>> = Stage::ALL
            .iter()
            .map(|&s| {
                if s == stage {
                    Some(plan.clone())
                } else if let Some(own) = line.sourcing.get(s) {
                    Some(own.clone())
                } else if s == Stage::Component {
                    None
                } else {
                    reference.world_mix(material, s).cloned()
                }
            })
            .collect();
        let mut countries: Vec<CountryCode> = mixes
            .iter()
            .flatten()
            .flat_map(|m| m.entries().iter().map(|(k, _)| *k))
            .filter(|k| !k.is_rest_of_world())
            .collect();
        countries.sort();
        countries.dedup();
        let rs = line.revenue_share.get();
        let m = line.inventory_days.get() * 12.0 / 365.0;
        for &country in &countries {
            let shares: Vec<f64> = mixes
                .iter()
                .map(|mix| mix.as_ref().map_or(0.0, |m| m.share_of(country)))
                .collect();
            for (mask, weight) in patterns(country) {
                if weight == 0.0 {
                    continue;
                }
                let mut sum = 0.0;
                for &x in &severities {
                    let mut f: f64 = 0.0;
                    for (j, &share) in shares.iter().enumerate() {
                        if mask & (1 << j) != 0 && share > 0.0 {
                            f = f.max(share * x - r * (1.0 - share));
                        }
                    }
                    if f <= 0.0 {
                        continue;
                    }
                    for &(d, pd) in &durations {
                        sum += pd * rs * (f * d - m).max(0.0) / 12.0;
                    }
                }
                total += weight * sum / severities.len() as f64;
            }
        }
    }
    total
}

/// Two lithium lines with their own mining and refining mixes, so that countries supply two
/// stages (the objective's kinks).
fn lithium_portfolio() -> Portfolio {
    let own = |mining: &[(&str, f64)], refining: &[(&str, f64)]| Sourcing {
        mining: Some(mix(mining)),
        refining: Some(mix(refining)),
        component: None,
    };
    portfolio(vec![
        line(
            "lithium",
            30.0,
            20.0,
            own(
                &[("AUS", 50.0), ("CHN", 30.0), ("CHL", 20.0)],
                &[("CHN", 60.0), ("CHL", 40.0)],
            ),
        ),
        line(
            "lithium",
            10.0,
            0.0,
            own(
                &[("CHN", 70.0), ("ARG", 30.0)],
                &[("CHN", 90.0), ("ROW", 10.0)],
            ),
        ),
    ])
}

#[test]
fn closed_form_matches_quadrature_of_the_simulation_rule_and_its_rates() {
    let reference = reference();
    let portfolio = lithium_portfolio();
    let cases = [
        MonteCarloParams::default(),
        MonteCarloParams {
            spare_capacity: Share::new(0.25).unwrap(),
            severity: Severity { min: 0.1, max: 0.6 },
            duration: DurationModel::Geometric { mean_months: 3.0 },
            overrides: overrides(&[("CHN", Stage::Refining, 0.3), ("CHL", Stage::Mining, 0.2)]),
            ..MonteCarloParams::default()
        },
        MonteCarloParams {
            spare_capacity: Share::ZERO,
            severity: Severity { min: 0.7, max: 0.7 },
            duration: DurationModel::Fixed { months: 4.5 },
            ..MonteCarloParams::default()
        },
    ];
    let plans = [
        mix(&[("CHN", 60.0), ("CHL", 40.0)]),
        mix(&[("CHN", 20.0), ("AUS", 30.0), ("ARG", 50.0)]),
        mix(&[("CHL", 100.0)]),
    ];
    for params in &cases {
        let model =
            LossModel::new(&portfolio, &reference, "lithium", Stage::Refining, params).unwrap();
        // The probabilities are the simulation's, country by country and stage by stage.
        for rate in country_rates(&portfolio, &reference, params, embedded_presets()) {
            assert_eq!(
                model.probability(rate.country, rate.stage),
                rate.probability
            );
        }
        for plan in &plans {
            let closed = model.expected_loss(plan);
            let numeric = quadrature(
                &portfolio,
                &reference,
                "lithium",
                Stage::Refining,
                plan,
                params,
                &|k| shock_patterns(params, &reference, "lithium", k),
            );
            assert!(closed > 0.0);
            assert!(
                (closed - numeric).abs() <= 2e-7 * closed,
                "{params:?} {plan:?}: closed {closed} numeric {numeric}"
            );
        }
    }
}

/// Gallium refining bought from China only: revenue share 20 %, no inventory, spare capacity
/// 10 %, a disruption withholds everything for six months; annual probabilities China 10 %,
/// Korea 5 %, Japan 2 %; caps Japan 30 %, Korea 50 %; Russia excluded.
fn hand_case(max_shift: f64, revenue: Option<f64>) -> (Portfolio, PlanParams) {
    let portfolio = one_line(
        "gallium",
        20.0,
        0.0,
        Stage::Refining,
        mix(&[("CHN", 100.0)]),
    );
    let model = MonteCarloParams {
        spare_capacity: Share::new(0.1).unwrap(),
        severity: Severity { min: 1.0, max: 1.0 },
        duration: DurationModel::Fixed { months: 6.0 },
        annual_revenue: revenue.and_then(Amount::new),
        overrides: overrides(&[
            ("CHN", Stage::Refining, 0.10),
            ("KOR", Stage::Refining, 0.05),
            ("JPN", Stage::Refining, 0.02),
        ]),
        ..MonteCarloParams::default()
    };
    let params = PlanParams {
        objective: Objective::ExpectedLoss(ExpectedLossParams {
            model,
            currency: Some("EUR".into()),
        }),
        caps: BTreeMap::from([(c("JPN"), 0.3), (c("KOR"), 0.5)]),
        exclude: [c("RUS")].into(),
        max_shift,
        frontier_points: 0,
        ..PlanParams::default()
    };
    (portfolio, params)
}

#[test]
fn hand_computed_three_countries() {
    // Country c with share x loses p_c * 20 % * max(0, 1.1 x - 0.1) * 6 / 12 of revenue a year:
    // nothing up to x = 1/11 (spare capacity covers it), then 0.11 p_c per unit share. The
    // cheapest order is Japan, Korea, China.
    let loss = |p: f64, x: f64| p * 0.2 * (1.1 * x - 0.1_f64).max(0.0) * 0.5;
    let plan_with = |max_shift: f64, revenue: Option<f64>, expected: [f64; 3]| {
        let (portfolio, params) = hand_case(max_shift, revenue);
        let plan = plan_stage(
            &portfolio,
            &reference(),
            "gallium",
            Stage::Refining,
            &params,
        );
        let plan = plan.unwrap();
        for (code, share) in ["CHN", "KOR", "JPN"].iter().zip(expected) {
            let planned = plan.mix.share_of(c(code));
            assert!((planned - share).abs() < 1e-9, "{code}: {planned} {plan:?}");
        }
        plan
    };
    // Unlimited shift: Japan and Korea at their caps, China keeps 20 %.
    let plan = plan_with(1.0, None, [0.2, 0.5, 0.3]);
    let after = loss(0.1, 0.2) + loss(0.05, 0.5) + loss(0.02, 0.3);
    assert!((after - 0.00391).abs() < 1e-12);
    // Reported in percent of revenue.
    assert!((plan.before.objective - 100.0 * loss(0.1, 1.0)).abs() < 1e-9);
    assert!((plan.after.objective - 100.0 * after).abs() < 1e-9);
    let capped: Vec<CountryCode> = plan
        .binding
        .iter()
        .filter_map(|b| match b {
            Binding::Cap {
                country,
                multiplier,
                ..
            } => {
                // Each point of cap saves (China's rate - its own) * 100 % / 100.
                let own = if *country == c("JPN") { 0.02 } else { 0.05 };
                let expected = (0.1 - own) * 0.11;
                assert!(
                    (multiplier - expected).abs() < 1e-9,
                    "{country}: {multiplier}"
                );
                Some(*country)
            }
            _ => None,
        })
        .collect();
    assert_eq!(capped, vec![c("JPN"), c("KOR")]);

    // A 50 % shift: Japan fills first (0.02 < 0.05), Korea takes the other 20 %.
    let plan = plan_with(0.5, Some(1e9), [0.5, 0.2, 0.3]);
    let after = loss(0.1, 0.5) + loss(0.05, 0.2) + loss(0.02, 0.3);
    assert!((plan.after.objective - 1e9 * after).abs() < 1e-3);
    // The shift's price is China's rate less Korea's, per unit of volume: 0.011 - 0.0055.
    assert!(
        (plan.multipliers.max_shift - 0.0055).abs() < 1e-9,
        "{:?}",
        plan.multipliers
    );
    // The explanation ends by naming the restricted country among the candidates and its list
    // (issue #20; Russia is excluded, so only China is held).
    let text = &plan.recommendation.text;
    assert!(
        text.starts_with(
            "Move 50 % of gallium refining from CHN to JPN and KOR: expected annual loss \
             10 M -> 5.56 M EUR, HHI 10\u{202f}000 -> 3\u{202f}800, covered-nation share 100 % -> 50 %. CHN \
             stays at or below today's share: restricted countries ("
        ),
        "{text}"
    );
}

// ---- Property tests: a material's component stage over 2 to 8 countries ---------------------

#[derive(Clone, Debug)]
struct Case {
    countries: Vec<CountryCode>,
    today: Vec<f64>,
    portfolio: Portfolio,
    params: PlanParams,
}

fn case_strategy(max_countries: usize) -> impl Strategy<Value = Case> {
    let model = (
        prop::collection::vec(0.0..0.4f64, 8),
        0.0..0.3f64,
        (0.0..1.0f64, 0.0..1.0f64),
        prop_oneof![
            (1.0..12.0f64).prop_map(|mean_months| DurationModel::Geometric { mean_months }),
            (0.5..12.0f64).prop_map(|months| DurationModel::Fixed { months }),
        ],
        prop::collection::vec((1.0..60.0f64, 0.0..120.0f64), 1..=2),
    );
    (2..=max_countries)
        .prop_flat_map(move |n| {
            (
                prop::collection::vec(prop_oneof![Just(0.0), 0.0..10.0f64], n),
                model.clone(),
                prop_oneof![1 => Just(1.0), 3 => 0.0..0.6f64],
                prop::collection::vec(prop_oneof![Just(None), (0.0..20.0f64).prop_map(Some)], n),
                prop_oneof![1 => Just(None), 2 => (0.0..10.0f64).prop_map(Some)],
                prop::collection::vec(0..8u8, n),
                prop::collection::vec(0.05..1.0f64, n),
            )
        })
        .prop_map(|(today, model, max_shift, premiums, budget, flags, caps)| {
            let (probabilities, spare, (s1, s2), duration, lines) = model;
            let n = today.len();
            let countries: Vec<CountryCode> = CODES[..n].iter().map(|code| c(code)).collect();
            let mut today = today;
            if today.iter().all(|v| *v == 0.0) {
                today[0] = 1.0;
            }
            let own = CountryMix::from_shares(countries.iter().copied().zip(today.clone()))
                .expect("today");
            let portfolio = portfolio(
                lines
                    .iter()
                    .map(|&(rs, days)| {
                        line(
                            "gallium",
                            rs,
                            days,
                            Sourcing {
                                component: Some(own.clone()),
                                ..Sourcing::default()
                            },
                        )
                    })
                    .collect(),
            );
            let model = MonteCarloParams {
                spare_capacity: Share::new(spare).unwrap(),
                severity: Severity {
                    min: s1.min(s2),
                    max: s1.max(s2),
                },
                duration,
                overrides: CODES
                    .iter()
                    .zip(&probabilities)
                    .map(|(code, p)| ProbabilityOverride {
                        country: c(code),
                        stage: Stage::Component,
                        probability: Share::new(*p).unwrap(),
                    })
                    .collect(),
                ..MonteCarloParams::default()
            };
            let mut params = PlanParams {
                objective: objective(model),
                max_shift,
                budget,
                frontier_points: 3,
                ..PlanParams::default()
            };
            for k in 0..n {
                if let Some(p) = premiums[k] {
                    params.premiums.insert(countries[k], p);
                }
                params.caps.insert(countries[k], caps[k]);
                match flags[k] {
                    0 => {
                        params.exclude.insert(countries[k]);
                    }
                    1 => {
                        params.require.insert(countries[k], caps[k] / 3.0);
                    }
                    _ => {}
                }
            }
            let today = countries.iter().map(|k| own.share_of(*k)).collect();
            Case {
                countries,
                today,
                portfolio,
                params,
            }
        })
}

fn run_case(case: &Case, reference: &ReferenceData) -> Result<Plan, PlanError> {
    plan_stage(
        &case.portfolio,
        reference,
        "gallium",
        Stage::Component,
        &case.params,
    )
}

fn bounds(case: &Case) -> Vec<(f64, f64)> {
    case.countries
        .iter()
        .map(|k| {
            let hi = if case.params.exclude.contains(k) {
                0.0
            } else {
                case.params.caps[k]
            };
            (case.params.require.get(k).copied().unwrap_or(0.0), hi)
        })
        .collect()
}

fn meets(case: &Case, x: &[f64], tol: f64) -> bool {
    let shift: f64 = x
        .iter()
        .zip(&case.today)
        .map(|(a, b)| (a - b).abs())
        .sum::<f64>()
        / 2.0;
    let premium: f64 = case
        .countries
        .iter()
        .zip(x)
        .map(|(k, v)| v * case.params.premiums.get(k).copied().unwrap_or(0.0))
        .sum();
    (x.iter().sum::<f64>() - 1.0).abs() <= tol
        && x.iter()
            .zip(bounds(case))
            .all(|(v, (lo, hi))| *v >= lo - tol && *v <= hi + tol)
        && shift <= case.params.max_shift + tol
        && case
            .params
            .budget
            .is_none_or(|b| premium <= b + 100.0 * tol)
}

fn planned(case: &Case, plan: &Plan) -> Vec<f64> {
    case.countries
        .iter()
        .map(|k| plan.mix.share_of(*k))
        .collect()
}

/// The share-dependent expected loss of shares `x` over the case's countries.
struct Curves(Vec<chokepoint::analysis::planner::expected_loss::CountryLoss>);

impl Curves {
    fn new(case: &Case, reference: &ReferenceData) -> Curves {
        let model = LossModel::new(
            &case.portfolio,
            reference,
            "gallium",
            Stage::Component,
            model_of(&case.params),
        )
        .unwrap();
        Curves(case.countries.iter().map(|k| model.country(*k)).collect())
    }

    fn value(&self, x: &[f64]) -> f64 {
        self.0.iter().zip(x).map(|(f, v)| f.value(*v)).sum()
    }
}

/// The least expected loss over a grid of step 1/`steps` on the simplex of 2 or 3 countries.
fn brute_force(case: &Case, curves: &Curves, steps: usize) -> Option<f64> {
    simplex_grid(case.countries.len(), steps)
        .filter(|x| meets(case, x, 1e-12))
        .map(|x| curves.value(&x))
        .reduce(f64::min)
}

/// The KKT conditions with the one-sided derivatives of the expected loss (Boyd & Vandenberghe
/// 2004, 5.5.3, with subgradients at the kinks of the loss and of the shift).
fn check_kkt(case: &Case, plan: &Plan, curves: &Curves) {
    let x = planned(case, plan);
    let m = &plan.multipliers;
    assert!(m.max_shift >= 0.0 && m.budget >= 0.0, "{m:?}");
    // The planner's unit: the largest marginal loss (1 when nothing can be lost).
    let largest = curves
        .0
        .iter()
        .map(|f| f.marginal(1.0).0)
        .fold(0.0, f64::max);
    let unit = if largest > 0.0 { largest } else { 1.0 };
    let tol = 1e-7 * (unit + m.simplex.abs() + m.max_shift + m.budget);
    // Complementary slackness.
    if m.max_shift > tol {
        assert!(
            (plan.shift - case.params.max_shift).abs() < 1e-7,
            "{m:?} {}",
            plan.shift
        );
    }
    if m.budget > tol {
        let budget = case.params.budget.unwrap();
        assert!((plan.after.premium_pct - budget).abs() < 1e-5, "{m:?}");
    }
    for (k, (&country, bounds)) in case.countries.iter().zip(bounds(case)).enumerate() {
        let premium = case.params.premiums.get(&country).copied().unwrap_or(0.0) / 100.0;
        let derivative = curves.0[k].marginal(x[k]);
        let shares = (x[k], case.today[k]);
        assert_stationary(country, shares, bounds, derivative, premium, m, tol);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn expected_loss_plans_are_feasible_kkt_optimal_and_never_worse(case in case_strategy(8)) {
        let reference = reference();
        let Ok(plan) = run_case(&case, &reference) else { return Ok(()) };
        let x = planned(&case, &plan);
        prop_assert!(meets(&case, &x, 1e-9), "infeasible {x:?}");
        for (k, country) in case.countries.iter().enumerate() {
            if case.params.exclude.contains(country) {
                prop_assert!(x[k] == 0.0, "{country} excluded but planned {}", x[k]);
            }
            if let Some(min) = case.params.require.get(country) {
                prop_assert!(x[k] >= min - 1e-9, "{country} required {min}, planned {}", x[k]);
            }
        }
        let curves = Curves::new(&case, &reference);
        check_kkt(&case, &plan, &curves);
        // The reported objective is the model's (percent of revenue, constants included).
        let difference = plan.before.objective - plan.after.objective;
        let model_difference = 100.0 * (curves.value(&case.today) - curves.value(&x));
        prop_assert!((difference - model_difference).abs() <= 1e-9 * (1.0 + plan.before.objective));
        if meets(&case, &case.today, 0.0) {
            prop_assert!(plan.after.objective <= plan.before.objective + 1e-12 * (1.0 + plan.before.objective));
            if let Some(k) = plan.recommendation.point {
                prop_assert!(plan.frontier[k].metrics.objective <= plan.before.objective * (1.0 + 1e-9) + 1e-12);
            }
        }
        for point in &plan.frontier {
            prop_assert!(point.metrics.premium_pct <= point.budget_pct + 1e-7);
        }
    }

    #[test]
    fn expected_loss_plans_beat_every_grid_point(case in case_strategy(3)) {
        let reference = reference();
        let steps = if case.countries.len() == 2 { 2000 } else { 150 };
        let curves = Curves::new(&case, &reference);
        let brute = brute_force(&case, &curves, steps);
        match run_case(&case, &reference) {
            Ok(plan) => {
                let value = curves.value(&planned(&case, &plan));
                if let Some(best) = brute {
                    prop_assert!(value <= best * (1.0 + 1e-9) + 1e-15, "plan {value} > grid {best}");
                }
            }
            Err(PlanError::Infeasible { reason, .. }) => {
                prop_assert!(brute.is_none(), "infeasible ({reason}) but a grid point fits");
            }
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }

    #[test]
    fn no_panic_on_any_model_parameter(
        spare in 0.0..=1.0f64,
        min in prop::num::f64::ANY,
        max in prop::num::f64::ANY,
        months in prop::num::f64::ANY,
        fixed in any::<bool>(),
        rate in prop::num::f64::ANY,
    ) {
        let reference = reference();
        let portfolio = lithium_portfolio();
        let mut model = MonteCarloParams {
            spare_capacity: Share::new(spare).unwrap(),
            severity: Severity { min, max },
            duration: if fixed {
                DurationModel::Fixed { months }
            } else {
                DurationModel::Geometric { mean_months: months }
            },
            ..MonteCarloParams::default()
        };
        model.probability_model.governance_rate = rate;
        let params = PlanParams { objective: objective(model), ..PlanParams::default() };
        match plan_stage(&portfolio, &reference, "lithium", Stage::Refining, &params) {
            Ok(plan) => prop_assert!(plan.after.objective <= plan.before.objective + 1e-9),
            Err(PlanError::InvalidParameter { name, .. }) => prop_assert_eq!(name, "objective"),
            Err(other) => prop_assert!(false, "unexpected {other}"),
        }
    }
}

// ---- What the objective does that the HHI does not -----------------------------------------

/// Component suppliers: Australia (1 % a year) against China, Congo and Russia (20 % each),
/// today a quarter each; no inventory, no spare capacity, so every share of an unstable country
/// costs.
fn stable_against_diversified() -> (Portfolio, MonteCarloParams) {
    let today = mix(&[("AUS", 25.0), ("CHN", 25.0), ("COD", 25.0), ("RUS", 25.0)]);
    let portfolio = one_line("cobalt", 30.0, 0.0, Stage::Component, today);
    let model = MonteCarloParams {
        spare_capacity: Share::ZERO,
        overrides: overrides(&[
            ("AUS", Stage::Component, 0.01),
            ("CHN", Stage::Component, 0.2),
            ("COD", Stage::Component, 0.2),
            ("RUS", Stage::Component, 0.2),
        ]),
        ..MonteCarloParams::default()
    };
    (portfolio, model)
}

#[test]
fn expected_loss_concentrates_on_the_stable_supplier_where_the_hhi_diversifies() {
    let reference = reference();
    let (portfolio, model) = stable_against_diversified();
    let caps: BTreeMap<CountryCode, f64> = ["AUS", "CHN", "COD", "RUS"]
        .iter()
        .map(|k| (c(k), 1.0))
        .collect();
    let plan = |objective: Objective| {
        let params = PlanParams {
            objective,
            caps: caps.clone(),
            frontier_points: 0,
            ..PlanParams::default()
        };
        plan_stage(&portfolio, &reference, "cobalt", Stage::Component, &params).unwrap()
    };
    let by_hhi = plan(Objective::Hhi);
    let by_loss = plan(objective(model.clone()));
    // The HHI keeps the even split (its minimum); the expected loss moves everything to
    // Australia: the most concentrated mix there is.
    assert!((by_hhi.after.hhi - 2_500.0).abs() < 1e-6);
    assert!(
        (by_loss.mix.share_of(c("AUS")) - 1.0).abs() < 1e-9,
        "{:?}",
        by_loss.mix
    );
    assert!((by_loss.after.hhi - 10_000.0).abs() < 1e-6);
    let model = LossModel::new(&portfolio, &reference, "cobalt", Stage::Component, &model).unwrap();
    assert!((100.0 * model.expected_loss(&by_loss.mix) - by_loss.after.objective).abs() < 1e-12);
    // The part that depends on the component mix (mining and refining disruptions add the same
    // to both) falls more than tenfold against the HHI's plan.
    let component = |plan: &Plan| -> f64 {
        plan.mix
            .entries()
            .iter()
            .map(|(k, x)| model.country(*k).value(*x))
            .sum()
    };
    assert!(
        component(&by_loss) < 0.1 * component(&by_hhi),
        "{} vs {}",
        component(&by_loss),
        component(&by_hhi)
    );
    assert!(model.expected_loss(&by_loss.mix) < model.expected_loss(&by_hhi.mix));
}

#[test]
fn ties_among_costless_suppliers_are_spread_by_the_least_hhi() {
    let reference = reference();
    // China (30 % a year) supplies everything; four alternatives cost nothing below about a
    // fifth of supply (60 days of stock and 10 % spare capacity cover any disruption of them).
    let portfolio = one_line(
        "cobalt",
        40.0,
        60.0,
        Stage::Component,
        mix(&[("CHN", 100.0)]),
    );
    let model = MonteCarloParams {
        overrides: overrides(&[("CHN", Stage::Component, 0.3)]),
        ..MonteCarloParams::default()
    };
    let alternatives = ["JPN", "DEU", "AUS", "CAN"];
    let params = PlanParams {
        objective: objective(model.clone()),
        caps: alternatives.iter().map(|k| (c(k), 0.5)).collect(),
        max_shift: 0.2,
        frontier_points: 0,
        ..PlanParams::default()
    };
    let plan = plan_stage(&portfolio, &reference, "cobalt", Stage::Component, &params).unwrap();
    for k in alternatives {
        assert!(
            (plan.mix.share_of(c(k)) - 0.05).abs() < 1e-9,
            "{:?}",
            plan.mix
        );
    }
    // As good as moving the 20 % to one of them, and less concentrated.
    let model = LossModel::new(&portfolio, &reference, "cobalt", Stage::Component, &model).unwrap();
    let one = mix(&[("CHN", 80.0), ("JPN", 20.0)]);
    assert!(model.country(c("JPN")).value(0.2) == 0.0);
    let (spread, single) = (model.expected_loss(&plan.mix), model.expected_loss(&one));
    // Equal up to the rounding of the sums (China's shocks now include its event families).
    assert!(
        (spread - single).abs() < 1e-12 * single,
        "{spread} {single}"
    );
    assert!(plan.after.hhi < 6_800.0 - 1.0);
}

#[test]
fn infeasible_limits_and_refused_entry_points_are_reported() {
    let reference = reference();
    let (portfolio, model) = stable_against_diversified();
    let params = PlanParams {
        objective: objective(model),
        caps: BTreeMap::from([(c("AUS"), 0.3)]),
        exclude: [c("CHN"), c("COD"), c("RUS")].into(),
        ..PlanParams::default()
    };
    let error =
        plan_stage(&portfolio, &reference, "cobalt", Stage::Component, &params).unwrap_err();
    assert!(
        matches!(
            error,
            PlanError::Infeasible {
                reason: Infeasibility::CapsBelow100 { .. },
                ..
            }
        ),
        "{error}"
    );
    // plan_mix has no portfolio lines: the expected loss is refused, not guessed.
    let today = mix(&[("CHN", 100.0)]);
    let error = plan_mix(
        "cobalt",
        Stage::Component,
        &today,
        None,
        &reference,
        &[],
        &params,
    )
    .unwrap_err();
    assert!(
        matches!(error, PlanError::InvalidParameter { .. }),
        "{error}"
    );
}

// ---- Against the simulation -----------------------------------------------------------------

fn simulate(
    portfolio: &Portfolio,
    reference: &ReferenceData,
    params: &MonteCarloParams,
) -> (f64, f64) {
    let params = MonteCarloParams {
        trials: 200_000,
        ..params.clone()
    };
    let mut run = MonteCarlo::new(portfolio, reference, &params, 7).unwrap();
    run.run_all();
    let results = run.finish();
    (results.expected_loss, results.standard_error)
}

#[test]
fn first_order_expected_loss_against_the_simulation_mean() {
    let reference = reference();
    let lithium = lithium_portfolio();
    let params = MonteCarloParams::default();
    // Today's refining mixes differ between the two lines; the first-order loss of each line's
    // own mix is the sum over lines of single-line models.
    let first_order: f64 = lithium
        .lines
        .iter()
        .map(|l| {
            let single = portfolio(vec![l.clone()]);
            let m =
                LossModel::new(&single, &reference, "lithium", Stage::Refining, &params).unwrap();
            m.expected_loss(l.sourcing.get(Stage::Refining).unwrap())
        })
        .sum();
    let (mean, se) = simulate(&lithium, &reference, &params);
    println!(
        "lithium, two lines: first order {first_order:.6}, Monte Carlo {mean:.6} +- {se:.6} \
         ({:.2} % above)",
        100.0 * (first_order / mean - 1.0)
    );
    // An upper bound (the caps only lower the simulated loss), close to the mean.
    assert!(first_order >= mean - 4.0 * se);
    assert!(first_order <= 1.05 * mean + 4.0 * se);

    // With one disruptable country the first order is exact.
    let only_china = MonteCarloParams {
        overrides: ["AUS", "CHL", "ARG"]
            .iter()
            .flat_map(|k| Stage::ALL.map(|s| (*k, s, 0.0)))
            .map(|(k, s, p)| ProbabilityOverride {
                country: c(k),
                stage: s,
                probability: Share::new(p).unwrap(),
            })
            .collect(),
        ..MonteCarloParams::default()
    };
    let single = portfolio(vec![lithium.lines[0].clone()]);
    let model =
        LossModel::new(&single, &reference, "lithium", Stage::Refining, &only_china).unwrap();
    let exact = model.expected_loss(single.lines[0].sourcing.get(Stage::Refining).unwrap());
    let (mean, se) = simulate(&single, &reference, &only_china);
    assert!(
        (exact - mean).abs() <= 4.0 * se,
        "{exact} vs {mean} +- {se}"
    );
}

#[test]
fn the_planned_sourcing_lowers_the_monte_carlo_mean() {
    let reference = reference();
    let portfolio = demo_portfolio(&reference);
    let model = MonteCarloParams::default();
    let params = PlanParams {
        objective: objective(model.clone()),
        max_shift: 0.3,
        headroom: 5.0,
        frontier_points: 0,
        ..PlanParams::default()
    };
    let plan = plan_stage(&portfolio, &reference, "graphite", Stage::Refining, &params).unwrap();
    assert!(plan.after.objective < plan.before.objective);
    let planned = apply(&portfolio, std::slice::from_ref(&plan));
    let (before, se_before) = simulate(&portfolio, &reference, &model);
    let (after, se_after) = simulate(&planned, &reference, &model);
    let predicted = (plan.before.objective - plan.after.objective) / 100.0;
    println!(
        "demo, graphite refining: expected loss {:.4} % -> {:.4} % (first order, material); \
         Monte Carlo {before:.6} +- {se_before:.6} -> {after:.6} +- {se_after:.6} (portfolio), \
         predicted fall {predicted:.6}, simulated {:.6}",
        plan.before.objective,
        plan.after.objective,
        before - after
    );
    assert!(after < before, "{after} >= {before}");
    // The simulated fall is the predicted one, up to noise and the caps.
    let noise = 4.0 * (se_before * se_before + se_after * se_after).sqrt();
    assert!((before - after - predicted).abs() <= 0.1 * predicted + noise);
}

// ---- Command line ---------------------------------------------------------------------------

#[test]
fn cli_plans_the_expected_loss_in_money() {
    let demo = example_path("ev_motor_maker.json");
    let (code, out, err) = super::cli::run(&[
        "plan",
        &demo,
        "--material",
        "graphite",
        "--stage",
        "refining",
        "--objective",
        "expected-loss",
        "--revenue",
        "2000000000",
        "--currency",
        "EUR",
        "--spare-capacity",
        "5",
        "--probability",
        "CHN:refining:20",
        "--max-shift",
        "30",
        "--headroom",
        "5",
        "--frontier",
        "0",
    ]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let plan = &json["plans"][0]["plan"];
    assert_eq!(plan["objective"]["kind"], "expected_loss");
    assert_eq!(
        plan["objective"]["detail"]["model"]["overrides"][0]["country"],
        "CHN"
    );
    let before = plan["before"]["objective"].as_f64().unwrap();
    let after = plan["after"]["objective"].as_f64().unwrap();
    assert!(after < before && before > 1e6, "{before} -> {after}");
    let text = plan["recommendation"]["text"].as_str().unwrap();
    assert!(text.contains("expected annual loss "), "{text}");
    assert!(text.contains(" M EUR"), "{text}");

    // The model's options belong to the expected loss only.
    let (code, _, err) = super::cli::run(&["plan", &demo, "--revenue", "1000"]);
    assert_eq!(code, ExitCode::from(2));
    assert!(err.contains("expected-loss"), "{err}");
    let (code, out, _) = super::cli::run(&["plan", "--help"]);
    assert_eq!(code, ExitCode::SUCCESS);
    for needle in [
        "expected-loss",
        "--revenue",
        "--probability",
        "--spare-capacity",
    ] {
        assert!(out.contains(needle), "help lacks {needle}");
    }
}
