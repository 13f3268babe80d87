//! The sensitivity band: the stress index at the low, central and high rates and with the long
//! measures' durations (see "A stress index, not a forecast" in the module notes of
//! [`montecarlo`](super)).

use super::{
    DurationModel, MonteCarlo, MonteCarloError, MonteCarloParams, MonteCarloResults, SENSITIVITY,
};
use crate::portfolio::Portfolio;
use crate::reference::ReferenceData;
use serde::{Deserialize, Serialize};

/// The case of the sensitivity band at the central rates with the durations of
/// [`DurationModel::long_measures`].
pub const LONG_MEASURES: &str = "long measures";

/// One case of the sensitivity band: the stress index at one rate scale and duration law.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StressPoint {
    /// `low`, `central` or `high` ([`SENSITIVITY`]), or [`LONG_MEASURES`].
    pub case: String,
    /// The factor on every default rate.
    pub rate_scale: f64,
    /// The duration law of the case ([`DurationModel::label`]).
    pub durations: String,
    /// Expected annual loss.
    pub expected_loss: f64,
    /// The 95th percentile of simulated years (a stress index, not "1 year in 20").
    pub p95: f64,
    /// The 99th percentile of simulated years.
    pub p99: f64,
}

impl StressPoint {
    /// The point of a finished run at `case` and `rate_scale`.
    pub fn of(case: &str, rate_scale: f64, results: &MonteCarloResults) -> StressPoint {
        StressPoint {
            case: case.to_string(),
            rate_scale,
            durations: results.params.duration.label(),
            expected_loss: results.expected_loss,
            p95: results.p95,
            p99: results.p99,
        }
    }
}

/// The parameters of each case of the sensitivity band: `params` with its rate scale times the
/// case's factor ([`SENSITIVITY`]), in the order low, central, high; then [`LONG_MEASURES`],
/// `params` with the durations of [`DurationModel::long_measures`] (left out when `params`
/// already has them, or the data gives no fit). The rates alone move the index less than the
/// durations may: the fit is of how long measures stay in force, an upper bound on how long
/// supply is cut, so it is shown as its own case rather than blended into the band.
pub fn sensitivity_params(params: &MonteCarloParams) -> Vec<(&'static str, f64, MonteCarloParams)> {
    let mut cases: Vec<_> = SENSITIVITY
        .iter()
        .map(|&(case, factor)| {
            let mut case_params = params.clone();
            case_params.probability_model.rate_scale *= factor;
            (case, case_params.probability_model.rate_scale, case_params)
        })
        .collect();
    if let Some(long) = DurationModel::long_measures().filter(|&d| d != params.duration) {
        let mut case_params = params.clone();
        case_params.duration = long;
        cases.push((
            LONG_MEASURES,
            case_params.probability_model.rate_scale,
            case_params,
        ));
    }
    cases
}

/// The stress index at the low, central and high rates ([`SENSITIVITY`]) and for the long
/// measures ([`sensitivity_params`]), each a full run of
/// `params.trials` trials with the same `seed` (common random numbers, so the band reflects the
/// rates rather than the sampling noise).
///
/// ```
/// use chokepoint::analysis::montecarlo::{MonteCarloParams, sensitivity};
/// use chokepoint::portfolio::Portfolio;
/// let reference = chokepoint::reference::embedded();
/// let text = r#"{"schema_version": 1, "lines": [{"material": "gallium", "spend": 100,
///   "revenue_share_pct": 20, "inventory_days": 30}]}"#;
/// let portfolio = Portfolio::from_json(text, reference).unwrap();
/// let params = MonteCarloParams { trials: 5_000, ..MonteCarloParams::default() };
/// let band = sensitivity(&portfolio, reference, &params, 1).unwrap();
/// assert_eq!(band.len(), 4);
/// assert!(band[0].expected_loss <= band[1].expected_loss);
/// assert!(band[1].expected_loss <= band[2].expected_loss);
/// // The long measures' durations at the central rates lose more than the default durations.
/// assert_eq!(band[3].case, "long measures");
/// assert!(band[3].expected_loss > band[1].expected_loss);
/// ```
pub fn sensitivity(
    portfolio: &Portfolio,
    reference: &ReferenceData,
    params: &MonteCarloParams,
    seed: u64,
) -> Result<Vec<StressPoint>, MonteCarloError> {
    sensitivity_params(params)
        .into_iter()
        .map(|(case, scale, case_params)| {
            let mut run = MonteCarlo::new(portfolio, reference, &case_params, seed)?;
            run.run_all();
            Ok(StressPoint::of(case, scale, &run.finish()))
        })
        .collect()
}
