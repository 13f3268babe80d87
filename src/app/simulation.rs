//! The Monte Carlo job the Scenarios page hands to its Web Worker: the messages both sides
//! exchange (serialised with serde-wasm-bindgen) and the job itself, a pure function so it runs
//! natively in tests exactly as it runs in the worker.
//!
//! Protocol: the worker posts [`SimMessage::Ready`] once loaded; the page posts a [`SimRequest`];
//! the worker answers with [`SimMessage::Progress`] after every chunk of [`CHUNK`] trials and
//! ends with [`SimMessage::Done`] or [`SimMessage::Failed`]. To cancel, the page terminates the
//! worker (a worker busy in a loop reads no message) and starts a fresh one. A worker that
//! fails to load or crashes ends the job with [`SimMessage::Stopped`], which the page makes.

use crate::analysis::montecarlo::{
    Contribution, ExceedancePoint, HistogramBin, LossUnit, MonteCarlo, MonteCarloError,
    MonteCarloParams, ProbabilityOverride, StressPoint, sensitivity_params,
};
use crate::app::results::valid_part;
use crate::model::{CountryCode, Share, Stage};
use crate::portfolio::{ParseError, RawPortfolio};
use crate::reference::ReferenceData;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Trials per chunk between two progress messages.
pub const CHUNK: u64 = 5_000;

/// What the page asks the worker to run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimRequest {
    /// The job's number, echoed in every answer.
    pub id: u32,
    /// The portfolio as typed (JSON); lines with errors are left out, as on the dashboard.
    pub portfolio: String,
    /// Number of trials.
    pub trials: u64,
    /// The seed (shown to the user and settable, so results reproduce).
    pub seed: u64,
    /// Spare capacity of the other suppliers, in percent.
    pub spare_capacity_pct: f64,
    /// The user's annual disruption probabilities, replacing the defaults for their country and
    /// stage.
    #[serde(default)]
    pub overrides: Vec<SimOverride>,
}

/// One user-set annual disruption probability, as the page sends it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimOverride {
    /// ISO 3166-1 alpha-3 country code.
    pub country: String,
    /// The stage.
    pub stage: Stage,
    /// The annual probability, in percent.
    pub probability_pct: f64,
}

/// What the page shows of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimSummary {
    /// Trials run.
    pub trials: u64,
    /// The seed.
    pub seed: u64,
    /// Losses are fractions of revenue (no revenue figure is asked for).
    pub unit: LossUnit,
    /// Expected annual loss.
    pub expected_loss: f64,
    /// Its standard error.
    pub standard_error: f64,
    /// Median annual loss.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Mean of the worst 5 % of years.
    pub cvar95: f64,
    /// Probability of any shortfall in a year.
    pub probability_any_shortfall: f64,
    /// Loss histogram.
    pub histogram: Vec<HistogramBin>,
    /// Exceedance curve.
    pub exceedance: Vec<ExceedancePoint>,
    /// Contribution of each country to the expected loss.
    pub by_country: Vec<Contribution>,
    /// Contribution of each material.
    pub by_material: Vec<Contribution>,
    /// The stress index at the low, central and high rates (the same trials and seed).
    pub sensitivity: Vec<StressPoint>,
}

/// A message from the worker to the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SimMessage {
    /// The worker has loaded and listens.
    Ready,
    /// Trials done so far.
    Progress {
        /// The job.
        id: u32,
        /// Trials done.
        done: u64,
        /// Trials in all.
        total: u64,
    },
    /// The run finished.
    Done {
        /// The job.
        id: u32,
        /// Its results.
        summary: Box<SimSummary>,
        /// Milliseconds the worker spent on the run (read from the worker's clock by the shell).
        elapsed_ms: f64,
    },
    /// The run could not start.
    Failed {
        /// The job.
        id: u32,
        /// Why, in words.
        message: String,
    },
    /// The worker stopped without an answer: it could not be loaded, it crashed (a panic or
    /// running out of memory), or it sent a message that could not be read. Made by the page's
    /// side ([`crate::app::browser::worker`]), never posted by the worker; running again starts a
    /// fresh worker.
    Stopped {
        /// The job.
        id: u32,
        /// What happened, in words.
        message: String,
    },
}

/// Why a run could not start or finish; the worker sends its words in [`SimMessage::Failed`].
#[derive(Clone, Debug, PartialEq)]
pub enum SimError {
    /// The request's portfolio is not readable JSON.
    Portfolio(ParseError),
    /// No line of the portfolio is valid.
    NoValidLine,
    /// The spare capacity is not a percentage.
    SpareCapacity,
    /// An override's country is not a country code (as sent).
    Country(String),
    /// An override's probability is not a percentage.
    Probability {
        /// The country, as sent.
        country: String,
        /// The stage.
        stage: Stage,
    },
    /// The simulation refused its parameters.
    Simulation(MonteCarloError),
    /// The central case of the sensitivity band did not run.
    NoCentralCase,
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Portfolio(error) => write!(f, "{error}"),
            SimError::NoValidLine => f.write_str("the portfolio has no valid line to simulate"),
            SimError::SpareCapacity => f.write_str("spare capacity must be between 0 and 100 %"),
            SimError::Country(text) => write!(f, "`{text}` is not a country code"),
            SimError::Probability { country, stage } => write!(
                f,
                "{country} {}: a probability must be between 0 and 100 %",
                stage.label().to_lowercase()
            ),
            SimError::Simulation(error) => write!(f, "{error}"),
            SimError::NoCentralCase => f.write_str("the central case did not run"),
        }
    }
}

impl std::error::Error for SimError {}

/// Runs `request` against `reference`, calling `on_progress(done, total)` after every chunk.
pub fn run(
    request: &SimRequest,
    reference: &ReferenceData,
    mut on_progress: impl FnMut(u64, u64),
) -> Result<SimSummary, SimError> {
    let raw = RawPortfolio::from_json(&request.portfolio).map_err(SimError::Portfolio)?;
    let (_, _, _, valid) = valid_part(&raw, reference);
    let portfolio = valid
        .filter(|p| !p.lines.is_empty())
        .ok_or(SimError::NoValidLine)?;
    let spare = Share::from_percent(request.spare_capacity_pct).ok_or(SimError::SpareCapacity)?;
    let overrides = request
        .overrides
        .iter()
        .map(|o| {
            Ok(ProbabilityOverride {
                country: CountryCode::parse(&o.country)
                    .ok_or_else(|| SimError::Country(o.country.clone()))?,
                stage: o.stage,
                probability: Share::from_percent(o.probability_pct).ok_or_else(|| {
                    SimError::Probability {
                        country: o.country.clone(),
                        stage: o.stage,
                    }
                })?,
            })
        })
        .collect::<Result<Vec<_>, SimError>>()?;
    let params = MonteCarloParams {
        trials: request.trials,
        spare_capacity: spare,
        overrides,
        ..MonteCarloParams::default()
    };
    // The cases of the sensitivity band (low, central, high rates; long measures) run one after
    // the other; progress counts all.
    let cases = sensitivity_params(&params);
    let total = request.trials.saturating_mul(cases.len() as u64);
    let mut sensitivity = Vec::with_capacity(cases.len());
    let mut central = None;
    for (index, (case, scale, case_params)) in cases.into_iter().enumerate() {
        let before = request.trials.saturating_mul(index as u64);
        let mut mc = MonteCarlo::new(&portfolio, reference, &case_params, request.seed)
            .map_err(SimError::Simulation)?;
        loop {
            let progress = mc.run_chunk(CHUNK);
            on_progress(before + progress.done, total);
            if progress.is_done() {
                break;
            }
        }
        let results = mc.finish();
        sensitivity.push(StressPoint::of(case, scale, &results));
        if case == "central" {
            central = Some(results);
        }
    }
    let r = central.ok_or(SimError::NoCentralCase)?;
    Ok(SimSummary {
        trials: r.trials,
        seed: r.seed,
        unit: r.unit,
        expected_loss: r.expected_loss,
        standard_error: r.standard_error,
        p50: r.p50,
        p95: r.p95,
        p99: r.p99,
        cvar95: r.cvar95,
        probability_any_shortfall: r.probability_any_shortfall,
        histogram: r.histogram,
        exceedance: r.exceedance,
        by_country: r.by_country,
        by_material: r.by_material,
        sensitivity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(seed: u64) -> SimRequest {
        SimRequest {
            id: 1,
            portfolio: crate::app::DEMO_PORTFOLIO.to_string(),
            trials: 20_000,
            seed,
            spare_capacity_pct: 10.0,
            overrides: Vec::new(),
        }
    }

    #[test]
    fn a_users_probability_replaces_the_default() {
        let reference = crate::reference::embedded();
        let base = run(&request(7), reference, |_, _| {}).unwrap();
        let mut quiet = request(7);
        quiet.overrides = [
            "CHN", "JPN", "COD", "AUS", "IDN", "FIN", "USA", "CHL", "ARG", "ZAF", "PHL", "RUS",
            "MMR", "KOR", "DEU",
        ]
        .iter()
        .flat_map(|c| {
            Stage::ALL.into_iter().map(|stage| SimOverride {
                country: c.to_string(),
                stage,
                probability_pct: 0.0,
            })
        })
        .collect();
        let calmer = run(&quiet, reference, |_, _| {}).unwrap();
        assert!(calmer.expected_loss < base.expected_loss);
        let mut bad = request(7);
        bad.overrides = vec![SimOverride {
            country: "CHN".into(),
            stage: Stage::Refining,
            probability_pct: 120.0,
        }];
        assert!(
            run(&bad, reference, |_, _| {})
                .unwrap_err()
                .to_string()
                .contains("between 0 and 100")
        );
    }

    #[test]
    fn a_run_reports_progress_per_chunk_and_reproduces_with_its_seed() {
        let reference = crate::reference::embedded();
        let mut steps = Vec::new();
        let a = run(&request(7), reference, |done, total| {
            steps.push((done, total))
        })
        .unwrap();
        // Four cases (low, central, high rates; long measures) of four chunks each.
        assert_eq!(steps.len(), 16);
        assert_eq!(steps.last(), Some(&(80_000, 80_000)));
        assert!(steps.windows(2).all(|w| w[0].0 < w[1].0));
        let b = run(&request(7), reference, |_, _| {}).unwrap();
        assert_eq!(a, b);
        let c = run(&request(8), reference, |_, _| {}).unwrap();
        assert_ne!(a.expected_loss, c.expected_loss);
        assert!(a.p99 >= a.p95 && a.p95 >= a.p50 && a.cvar95 >= a.p95);
        // The central case is the summary; higher rates lose more.
        let cases: Vec<&str> = a.sensitivity.iter().map(|p| p.case.as_str()).collect();
        assert_eq!(cases, ["low", "central", "high", "long measures"]);
        assert_eq!(a.sensitivity[1].expected_loss, a.expected_loss);
        assert!(a.sensitivity[0].expected_loss < a.expected_loss);
        assert!(a.sensitivity[2].expected_loss > a.expected_loss);
        // The rate cases use the default geometric durations; the long measures' case the
        // central rates with the fitted lognormal, which loses more.
        assert!(
            a.sensitivity[..3]
                .iter()
                .all(|p| p.durations == "geometric, mean 6 months")
        );
        assert!(a.sensitivity[3].durations.starts_with("lognormal"));
        assert_eq!(a.sensitivity[3].rate_scale, 1.0);
        assert!(a.sensitivity[3].expected_loss > a.expected_loss);
    }

    #[test]
    fn bad_requests_fail_with_a_message() {
        let reference = crate::reference::embedded();
        let mut bad = request(1);
        bad.portfolio = "{".into();
        assert!(run(&bad, reference, |_, _| {}).is_err());
        let mut bad = request(1);
        bad.spare_capacity_pct = 140.0;
        assert_eq!(
            run(&bad, reference, |_, _| {}).unwrap_err(),
            SimError::SpareCapacity
        );
        let mut bad = request(1);
        bad.trials = 0;
        assert!(run(&bad, reference, |_, _| {}).is_err());
    }

    #[test]
    fn messages_round_trip_through_serde() {
        let message = SimMessage::Progress {
            id: 3,
            done: 5,
            total: 10,
        };
        let json = serde_json::to_string(&message).unwrap();
        assert_eq!(serde_json::from_str::<SimMessage>(&json).unwrap(), message);
    }
}
