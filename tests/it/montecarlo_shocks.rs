//! Correlated shocks (issue #20): the Monte Carlo draws recorded events by family, so materials
//! that real events hit together are disrupted together, and materials of countries no event
//! links are drawn independently.

use super::analysis::fixtures::mix;
use super::scenario::{line, portfolio};
use chokepoint::analysis::montecarlo::families::event_families;
use chokepoint::analysis::montecarlo::{
    DurationModel, MonteCarlo, MonteCarloParams, ProbabilityModel, Severity, country_rates,
};
use chokepoint::analysis::scenario::presets::{embedded_presets, history_years};
use chokepoint::model::{CountryCode, Share, Stage};
use chokepoint::portfolio::{Portfolio, Sourcing};
use chokepoint::reference::embedded;

/// Lines `a` (10 % of revenue) and `b` (20 %), each bought from one country per stage, no
/// stock, no spare capacity, every shock withholding all supply for the whole year: a line hit
/// by any shock loses exactly its revenue share, so a year's loss is 0, 0.1, 0.2 or 0.3 and
/// tells which lines were hit.
fn pair(a: (&str, &str, &str), b: (&str, &str, &str)) -> (Portfolio, MonteCarloParams) {
    let own = |mining: &str, refining: &str| Sourcing {
        mining: Some(mix(&[(mining, 100.0)])),
        refining: Some(mix(&[(refining, 100.0)])),
        component: None,
    };
    let portfolio = portfolio(vec![
        line(a.0, 10.0, 0.0, own(a.1, a.2)),
        line(b.0, 20.0, 0.0, own(b.1, b.2)),
    ]);
    let params = MonteCarloParams {
        trials: 200_000,
        spare_capacity: Share::ZERO,
        severity: Severity { min: 1.0, max: 1.0 },
        duration: DurationModel::Fixed { months: 12.0 },
        histogram_bins: 6,
        ..MonteCarloParams::default()
    };
    (portfolio, params)
}

/// `(P(a hit), P(b hit), P(both hit), trials)` from the exceedance curve at 0.05, 0.15, 0.25.
fn hit_probabilities(portfolio: &Portfolio, params: &MonteCarloParams) -> (f64, f64, f64, f64) {
    let mut run = MonteCarlo::new(portfolio, embedded(), params, 20).unwrap();
    run.run_all();
    let r = run.finish();
    assert!(
        (r.max_loss - 0.3).abs() < 1e-12,
        "both lines hit in some year"
    );
    let above = |x: f64| {
        r.exceedance
            .iter()
            .find(|p| (p.loss - x).abs() < 1e-9)
            .unwrap_or_else(|| panic!("no exceedance point at {x}: {:?}", r.exceedance))
            .probability
    };
    let (any, b, both) = (above(0.05), above(0.15), above(0.25));
    (any - b + both, b, both, r.trials as f64)
}

#[test]
fn gallium_and_germanium_are_hit_together_as_their_events_were() {
    // China refines and mines both here; its gallium and germanium controls (2023), its
    // antimony, gallium and germanium ban (2024) and its 2025 crackdown hit them together.
    let (p, params) = pair(("gallium", "CHN", "CHN"), ("germanium", "CHN", "CHN"));
    let (a, b, both, n) = hit_probabilities(&p, &params);
    println!(
        "gallium {a:.4}, germanium {b:.4}, both {both:.4}, product {:.4}",
        a * b
    );
    assert!(a > 0.05 && b > 0.05, "{a} {b}");
    // Far more often together than independence would give...
    assert!(both > 3.0 * a * b, "{both} vs {}", a * b);
    // ...but not always: germanium is hit by events gallium was not (the 2025 crackdown on
    // antimony and germanium smuggling), so its shocks are more than gallium's.
    assert!(both < b - 4.0 * (b / n).sqrt(), "{both} vs {b}");
}

#[test]
fn materials_no_event_links_are_drawn_independently() {
    // Gallium from China; cobalt mined in DR Congo and refined in Finland: no recorded event
    // and no country links them.
    let (p, params) = pair(("gallium", "CHN", "CHN"), ("cobalt", "COD", "FIN"));
    let (a, b, both, n) = hit_probabilities(&p, &params);
    println!(
        "gallium {a:.4}, cobalt {b:.4}, both {both:.4}, product {:.4}",
        a * b
    );
    assert!(a > 0.01 && b > 0.01, "{a} {b}");
    let se = (a * b / n).sqrt();
    assert!(
        (both - a * b).abs() <= 5.0 * se,
        "{both} vs {} +- {se}",
        a * b
    );
}

#[test]
fn same_country_materials_outside_a_common_family_share_only_the_governance_shock() {
    // Gallium and cobalt both from China: the country's governance shock hits both, but its
    // recorded measures on gallium never touched cobalt, so they are hit together far less
    // often than gallium and germanium, yet more than independence gives.
    let (p, params) = pair(("gallium", "CHN", "CHN"), ("germanium", "CHN", "CHN"));
    let (_, _, together, _) = hit_probabilities(&p, &params);
    let (p, params) = pair(("gallium", "CHN", "CHN"), ("cobalt", "CHN", "CHN"));
    let (a, b, both, n) = hit_probabilities(&p, &params);
    assert!(both < 0.5 * together, "{both} vs {together}");
    assert!(
        both > a * b + 4.0 * (a * b / n).sqrt(),
        "{both} vs {}",
        a * b
    );
}

#[test]
fn family_rates_add_up_to_each_country_and_stages_fitted_rate() {
    let model = ProbabilityModel::default();
    let families = event_families(embedded_presets(), &model);
    // China's Ga/Ge family exists and holds both at refining.
    let chn = CountryCode::parse("CHN").unwrap();
    assert!(families.iter().any(|f| f.country == chn
        && f.events.iter().any(|e| e == "CN-2023-GAGE")
        && f.mask_of("gallium") & 2 != 0
        && f.mask_of("germanium") & 2 != 0));
    // The families partition the events: per country and stage their rates sum to the fitted
    // rate of the country's events at the stage (what the probability table shows).
    let history = history_years(embedded_presets(), model.history_from, model.history_to);
    for ((country, stage), years) in &history {
        let k = Stage::ALL.iter().position(|s| s == stage).unwrap();
        let sum: f64 = families
            .iter()
            .filter(|f| f.country == *country && f.mask() & (1 << k) != 0)
            .map(|f| f.fit.rate)
            .sum();
        let fitted = model.fit(years).rate;
        assert!(
            (sum - fitted).abs() <= 1e-12 * fitted.max(1.0),
            "{country} {stage:?}: {sum} vs {fitted}"
        );
    }
    // And the probability table still shows the chance of some shock per country and stage.
    let (p, params) = pair(("gallium", "CHN", "CHN"), ("germanium", "CHN", "CHN"));
    let rates = country_rates(&p, embedded(), &params, embedded_presets());
    let refining = rates
        .iter()
        .find(|r| r.country == chn && r.stage == Stage::Refining)
        .unwrap();
    let years = &history[&(chn, Stage::Refining)];
    let governance = embedded().country(chn).and_then(|k| k.wgi_eu_scaled());
    assert_eq!(
        refining.probability,
        model.probability(governance, model.fit(years).rate)
    );
}

#[test]
fn simulate_lists_the_families_behind_the_shocks() {
    let path = format!(
        "{}/examples/portfolios/ev_motor_maker.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let args: Vec<String> = ["simulate", &path, "--monte-carlo", "--trials", "2000"]
        .iter()
        .map(|a| a.to_string())
        .collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = chokepoint::cli::run(&args, embedded(), &mut out, &mut err);
    assert_eq!(
        code,
        std::process::ExitCode::SUCCESS,
        "{}",
        String::from_utf8_lossy(&err)
    );
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let families = json["stress_index"]["families"].as_array().unwrap();
    // The demo holds gallium and germanium: China's 2023 controls are one family of both.
    let gage = families
        .iter()
        .find(|f| {
            f["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e == "CN-2023-GAGE")
        })
        .expect("the Ga/Ge family");
    assert_eq!(gage["country"], "CHN");
    let materials: Vec<&str> = gage["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t[0].as_str().unwrap())
        .collect();
    assert_eq!(materials, ["gallium", "germanium"]);
    assert!(gage["fit"]["rate"].as_f64().unwrap() > 0.0);
}
