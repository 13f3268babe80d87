//! Monte Carlo simulation of random disruptions: the distribution of a year's revenue loss.
//!
//! # The model (modelling assumptions, not data)
//!
//! One trial is one year. In each trial, independently for each supplier country `c` that
//! appears in the portfolio's look-through mixes (the rest-of-world remainder `ROW` is many
//! countries and is never disrupted) and each stage `k`:
//!
//! - **Occurrence.** `c` disrupts stage `k` with annual probability `p(c,k)`. Default:
//!   `p = 1 - exp(-lambda)`, `lambda = s (g * W_c / 10 + h * rate(c,k))` where `W_c` is the
//!   country's governance score on the EU 0-10 scale (`(2.5 - WGI_mean) * 2`, 10 = weakest; 5
//!   when the WGI have no score), `g` = 0.04 per year (the governance rate of the weakest
//!   governance, a choice), `rate(c,k)` the recency-weighted rate of the recorded events of `c`
//!   at stage `k` that took effect in 2009-2025 ([`ProbabilityModel::fit`], half-life 5 years,
//!   a choice), `h` = 0.25 (the share of recorded measures taken to become a supply shock, a
//!   choice) and `s` the rate scale (1;
//!   0.5 and 2 for the low and high cases of the sensitivity band, [`SENSITIVITY`]). Every
//!   probability is editable per country and stage ([`MonteCarloParams::overrides`]).
//! - **Correlated shocks** ([`families`]). `p(c,k)` is the chance of some shock to `c` at
//!   stage `k`. The governance shock (hazard `s g W_c / 10` per stage, stages independent) hits
//!   *all* materials of `c` at the drawn stages; each event family of `c` (its recorded
//!   measures with one footprint, the same materials at the same stages; hazard `s h rate_f`,
//!   `rate_f` the recency-weighted fit of the family's events) hits the materials of its
//!   footprint at its stages together, and nothing else. The families' rates add up to
//!   `rate(c,k)`. A user-set probability is one shock to all of `c`'s materials at its stage,
//!   where the families then do not hit. Each shock has one severity and one duration.
//! - **Severity** `x` ~ uniform on `[a, b]` (default `[0.25, 1.0]`): the fraction of `c`'s
//!   supply withheld.
//! - **Duration** `D` in whole months, clipped at the 12-month horizon. Default: geometric with
//!   mean `mu` = 6 months (`P(D = d) = q (1 - q)^(d - 1)`, `q = 1 / mu`; a choice, how long
//!   supply is cut). Option ([`DurationModel::long_measures`]): a measure lasts `T` months with
//!   `ln T ~ N(mu, sigma^2)`, `D = ceil(T)`, fitted by maximum likelihood to how long the
//!   recorded measures stay in force, those still in force counted as lasting at least until
//!   the research date (right-censored; [`fit_durations`]): an upper bound on how long supply
//!   is cut, since licences are granted while a measure stays in force. Or fixed.
//!
//! # Loss
//!
//! The disruption of `c` hits each line as a [`Scenario`](super::scenario::Scenario) would: the
//! stage shortfall `max(0, s x - r (1 - s))` with spare capacity `r`, the line's shortfall `f`
//! the largest over the disrupted stages (one country's stages are one flow in series), and the
//! loss `revenue_share * max(0, f D - m) / 12` with `m` the inventory months (see
//! [`scenario`](super::scenario)); the stage that sets `f` is the disruption's binding stage.
//! Disruptions of different countries in one trial each draw on the full inventory (as if they
//! did not overlap) and combine on a line as flows: at one binding stage their losses add
//! (parallel suppliers), across stages they combine as independent flows, `1 - (1 - l_m)(1 -
//! l_r)` of the line's revenue share with `l_k` the summed loss fraction at stage `k` (capped
//! at 1), so a line never loses more than its revenue share. The trial's loss is the sum over
//! lines, capped at 1 (all of the revenue), as a fraction of annual revenue (or in money with
//! the caller's annual revenue). Contributions of countries, materials and lines are exact
//! shares of the mean (a combined or capped line's contributions are scaled down together).
//!
//! # A stress index, not a forecast
//!
//! The rates are fitted to a short, curated event history with chosen constants, so the
//! quantiles are a stress index for comparing portfolios and sourcing options, not calibrated
//! return periods: P95 is "the 95th percentile of simulated years", never "1 year in 20".
//! [`sensitivity`] runs the model at the low, central and high rates of [`SENSITIVITY`], and
//! once more at the central rates with the long measures' durations
//! ([`DurationModel::long_measures`], [`LONG_MEASURES`]).
//!
//! # Statistics
//!
//! Mean (expected annual loss) with its standard error; quantiles by the nearest-rank rule
//! (`P_q` is the `ceil(q n)`-th smallest loss); CVaR 95, the mean of the `ceil(0.05 n)` largest
//! losses; the probability of any shortfall (some line short, even if inventory covers it) and
//! of any loss; a histogram of equal-width bins from 0 to the largest loss and the exceedance
//! curve `P(L > x)` at the bin edges.
//!
//! # Sampling
//!
//! A trial skips from one firing shock to the next instead of drawing every shock (a country's
//! governance shock or one of its event families) and stage (see `Model::disruptions`): about
//! one random draw plus four per firing shock, with exactly the law of independent draws per
//! shock and stage.
//!
//! # Running in chunks
//!
//! [`MonteCarlo::new`] compiles the portfolio once: for each country, the lines it supplies and
//! its share at each stage, so a trial touches only the disruptions it draws.
//! [`MonteCarlo::run_chunk`] runs the next trials and returns the [`Progress`]; a Web Worker
//! calls it in a loop, posts progress between chunks and stops when cancelled;
//! [`MonteCarlo::finish`] summarises whatever has run (`complete` says whether all trials did).
//! Trial `t` draws from its own generator seeded by `(seed, t)` ([`rng`]), so one run, chunked
//! runs and runs split over workers ([`MonteCarlo::for_trials`], [`Tally::merge`]) give the
//! same trials; chunked runs give bit-identical results.
//!
//! ```
//! use chokepoint::analysis::montecarlo::{MonteCarlo, MonteCarloParams};
//! use chokepoint::portfolio::Portfolio;
//! let reference = chokepoint::reference::embedded();
//! let text = r#"{"schema_version": 1, "lines": [{"material": "gallium", "spend": 100,
//!   "revenue_share_pct": 20, "inventory_days": 30}]}"#;
//! let portfolio = Portfolio::from_json(text, reference).unwrap();
//! let params = MonteCarloParams { trials: 10_000, ..MonteCarloParams::default() };
//! let mut run = MonteCarlo::new(&portfolio, reference, &params, 42).unwrap();
//! while !run.run_chunk(2_500).is_done() {}
//! let results = run.finish();
//! assert_eq!(results.trials, 10_000);
//! assert!(results.expected_loss > 0.0 && results.p99 >= results.p95);
//! ```

pub mod benchmark;
mod duration;
pub mod families;
mod rates;
mod results;
pub mod rng;
mod sensitivity;
mod trial;

pub use duration::{
    DEFAULT_MEAN_MONTHS, DurationFit, DurationModel, default_duration_fit, fit_durations,
    normal_survival,
};
pub use rates::{
    CountryRate, DEFAULT_HALF_LIFE_YEARS, HistoryFit, ProbabilityBasis, ProbabilityModel,
    ProbabilityOverride, SENSITIVITY, country_rates, disruption_probability,
};
pub use results::{Contribution, ExceedancePoint, HistogramBin, LossUnit, MonteCarloResults};
pub use sensitivity::{LONG_MEASURES, StressPoint, sensitivity, sensitivity_params};

use crate::analysis::scenario::presets::{self, EventPreset};
use crate::model::Share;
use crate::portfolio::{Amount, Portfolio};
use crate::reference::ReferenceData;
use results::summarise;
use rng::run_key;
use serde::Serialize;
use std::fmt;
use trial::{Model, Scratch, compile};

/// Default number of trials.
pub const DEFAULT_TRIALS: u64 = 100_000;

/// The most trials one run accepts (the run keeps every trial's loss: 8 bytes each, 80 MB at
/// most).
pub const MAX_TRIALS: u64 = 10_000_000;

/// The horizon of a trial, in months.
pub const HORIZON_MONTHS: f64 = 12.0;

/// Severity of a disruption: the fraction of the country's supply withheld, uniform on
/// `[min, max]` (fixed when equal).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Severity {
    /// Lower bound, fraction in `[0, 1]`.
    pub min: f64,
    /// Upper bound, fraction in `[min, 1]`.
    pub max: f64,
}

impl Default for Severity {
    fn default() -> Self {
        Severity {
            min: 0.25,
            max: 1.0,
        }
    }
}

/// Parameters of a Monte Carlo run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonteCarloParams {
    /// Number of trials (years), 1 to [`MAX_TRIALS`]; default [`DEFAULT_TRIALS`].
    pub trials: u64,
    /// Spare capacity of the other suppliers (see [`scenario`](super::scenario)).
    pub spare_capacity: Share,
    /// The firm's annual revenue, when known: losses are then in money.
    pub annual_revenue: Option<Amount>,
    /// Severity distribution.
    pub severity: Severity,
    /// Duration distribution.
    pub duration: DurationModel,
    /// How default probabilities are derived.
    pub probability_model: ProbabilityModel,
    /// Probabilities the user set, replacing the defaults.
    pub overrides: Vec<ProbabilityOverride>,
    /// Number of histogram bins (1 to 1,000; default 50).
    pub histogram_bins: usize,
}

impl Default for MonteCarloParams {
    fn default() -> Self {
        MonteCarloParams {
            trials: DEFAULT_TRIALS,
            spare_capacity: Share::new(super::scenario::DEFAULT_SPARE_CAPACITY)
                .unwrap_or(Share::ZERO),
            annual_revenue: None,
            severity: Severity::default(),
            duration: DurationModel::default(),
            probability_model: ProbabilityModel::default(),
            overrides: Vec::new(),
            histogram_bins: 50,
        }
    }
}

/// Why Monte Carlo parameters were rejected.
#[derive(Clone, Debug, PartialEq)]
pub enum MonteCarloError {
    /// Trials outside 1 to [`MAX_TRIALS`].
    Trials(u64),
    /// Severity bounds not within `0 <= min <= max <= 1`.
    Severity(Severity),
    /// A fixed duration outside `(0, 12]` or a mean duration below 1 month or not finite.
    Duration(DurationModel),
    /// A probability model with a negative or non-finite rate, weight or scale, a half-life not
    /// above 0, or a window that ends before it starts.
    ProbabilityModel,
    /// Histogram bins outside 1 to 1,000.
    HistogramBins(usize),
}

impl fmt::Display for MonteCarloError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MonteCarloError::Trials(n) => write!(f, "{n} trials is not within 1-{MAX_TRIALS}"),
            MonteCarloError::Severity(s) => {
                write!(
                    f,
                    "severity [{}, {}] is not within 0 <= min <= max <= 1",
                    s.min, s.max
                )
            }
            MonteCarloError::Duration(d) => write!(
                f,
                "duration {d:?} is not a fixed 0-12 months or a mean of at least 1 month"
            ),
            MonteCarloError::ProbabilityModel => f.write_str(
                "probability rates, weights and scale must be finite and non-negative, the \
                     half-life above 0 and the history window in order",
            ),
            MonteCarloError::HistogramBins(n) => {
                write!(f, "{n} histogram bins is not within 1-1000")
            }
        }
    }
}

impl std::error::Error for MonteCarloError {}

impl MonteCarloParams {
    /// Checks every parameter.
    pub fn validate(&self) -> Result<(), MonteCarloError> {
        if !(1..=MAX_TRIALS).contains(&self.trials) {
            return Err(MonteCarloError::Trials(self.trials));
        }
        let s = self.severity;
        if !(s.min.is_finite()
            && s.max.is_finite()
            && 0.0 <= s.min
            && s.min <= s.max
            && s.max <= 1.0)
        {
            return Err(MonteCarloError::Severity(s));
        }
        let ok = match self.duration {
            DurationModel::Fixed { months } => months > 0.0 && months <= HORIZON_MONTHS,
            DurationModel::Geometric { mean_months } => {
                mean_months.is_finite() && mean_months >= 1.0
            }
            DurationModel::LogNormal {
                median_months,
                sigma,
            } => {
                median_months.is_finite() && median_months > 0.0 && sigma.is_finite() && sigma > 0.0
            }
        };
        if !ok {
            return Err(MonteCarloError::Duration(self.duration));
        }
        let m = self.probability_model;
        let fine = |x: f64| x.is_finite() && x >= 0.0;
        if !(fine(m.governance_rate)
            && fine(m.history_weight)
            && fine(m.unknown_governance)
            && fine(m.rate_scale)
            && m.half_life_years > 0.0)
            || m.history_to < m.history_from
        {
            return Err(MonteCarloError::ProbabilityModel);
        }
        if !(1..=1000).contains(&self.histogram_bins) {
            return Err(MonteCarloError::HistogramBins(self.histogram_bins));
        }
        Ok(())
    }
}

/// The raw outcome of a range of trials: every trial's loss (fraction of annual revenue) in
/// trial order, and the sums behind the contributions. Tallies of adjacent ranges merge.
#[derive(Clone, Debug, PartialEq)]
pub struct Tally {
    first_trial: u64,
    losses: Vec<f64>,
    shortfall_trials: u64,
    loss_trials: u64,
    by_country: Vec<f64>,
    by_material: Vec<f64>,
    by_line: Vec<f64>,
}

/// Two tallies that cannot merge: the second does not start where the first ends, or they come
/// from different models.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeError {
    /// The trial the next tally should start at.
    pub expected_first_trial: u64,
    /// The trial it starts at.
    pub found_first_trial: u64,
}

impl fmt::Display for MergeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot merge trials starting at {} where {} was expected (or models differ)",
            self.found_first_trial, self.expected_first_trial
        )
    }
}

impl std::error::Error for MergeError {}

impl Tally {
    fn new(model: &Model, first_trial: u64, capacity: u64) -> Tally {
        Tally {
            first_trial,
            losses: Vec::with_capacity(usize::try_from(capacity).unwrap_or(0)),
            shortfall_trials: 0,
            loss_trials: 0,
            by_country: vec![0.0; model.countries.len()],
            by_material: vec![0.0; model.materials.len()],
            by_line: vec![0.0; model.lines.len()],
        }
    }

    /// The first trial of the range.
    pub fn first_trial(&self) -> u64 {
        self.first_trial
    }

    /// The number of trials tallied.
    pub fn trials(&self) -> u64 {
        self.losses.len() as u64
    }

    /// Appends `next`, the tally of the trials that follow this one's (for runs split over
    /// workers; merge in trial order). Sums are added, so the mean and contributions may differ
    /// from a single run's in the last bits; the losses and quantiles are identical.
    pub fn merge(&mut self, next: Tally) -> Result<(), MergeError> {
        let expected = self.first_trial + self.trials();
        let same_shape = self.by_country.len() == next.by_country.len()
            && self.by_material.len() == next.by_material.len()
            && self.by_line.len() == next.by_line.len();
        if next.first_trial != expected || !same_shape {
            return Err(MergeError {
                expected_first_trial: expected,
                found_first_trial: next.first_trial,
            });
        }
        self.losses.extend_from_slice(&next.losses);
        self.shortfall_trials += next.shortfall_trials;
        self.loss_trials += next.loss_trials;
        for (a, b) in [
            (&mut self.by_country, &next.by_country),
            (&mut self.by_material, &next.by_material),
            (&mut self.by_line, &next.by_line),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        Ok(())
    }
}

/// How far a run has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Trials run.
    pub done: u64,
    /// Trials planned.
    pub total: u64,
}

impl Progress {
    /// Whether every planned trial has run.
    pub fn is_done(&self) -> bool {
        self.done >= self.total
    }

    /// The fraction done, 0 to 1 (1 when nothing is planned).
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.done as f64 / self.total as f64
        }
    }
}

/// A Monte Carlo run that can be advanced in chunks (see the module notes).
#[derive(Clone, Debug)]
pub struct MonteCarlo {
    model: Model,
    rates: Vec<CountryRate>,
    params: MonteCarloParams,
    seed: u64,
    next_trial: u64,
    end_trial: u64,
    tally: Tally,
    scratch: Scratch,
}

impl MonteCarlo {
    /// Compiles `portfolio` for a run of `params.trials` trials seeded with `seed`, with default
    /// probabilities from the embedded event history.
    pub fn new(
        portfolio: &Portfolio,
        reference: &ReferenceData,
        params: &MonteCarloParams,
        seed: u64,
    ) -> Result<MonteCarlo, MonteCarloError> {
        MonteCarlo::for_trials(
            portfolio,
            reference,
            params,
            presets::embedded_presets(),
            seed,
            0..params.trials,
        )
    }

    /// A run of the trials `trials` only (a worker's share of a split run), with the event
    /// history `events` behind the default probabilities. Merge the workers' tallies in trial
    /// order with [`Tally::merge`] and summarise with [`MonteCarlo::summarise`].
    pub fn for_trials(
        portfolio: &Portfolio,
        reference: &ReferenceData,
        params: &MonteCarloParams,
        events: &[EventPreset],
        seed: u64,
        trials: std::ops::Range<u64>,
    ) -> Result<MonteCarlo, MonteCarloError> {
        params.validate()?;
        if trials.end > params.trials || trials.start > trials.end {
            return Err(MonteCarloError::Trials(trials.end));
        }
        let (model, rates) = compile(portfolio, reference, params, events);
        let tally = Tally::new(&model, trials.start, trials.end - trials.start);
        Ok(MonteCarlo {
            model,
            rates,
            params: params.clone(),
            seed,
            next_trial: trials.start,
            end_trial: trials.end,
            tally,
            scratch: Scratch::default(),
        })
    }

    /// Runs up to `trials` more trials (fewer when the run ends first) and returns the progress.
    pub fn run_chunk(&mut self, trials: u64) -> Progress {
        let end = self.next_trial.saturating_add(trials).min(self.end_trial);
        let key = run_key(self.seed);
        for t in self.next_trial..end {
            self.model.trial(key, t, &mut self.tally, &mut self.scratch);
        }
        self.next_trial = end;
        self.progress()
    }

    /// Runs every remaining trial.
    pub fn run_all(&mut self) -> Progress {
        self.run_chunk(u64::MAX)
    }

    /// How far the run has got.
    pub fn progress(&self) -> Progress {
        Progress {
            done: self.tally.trials(),
            total: self.end_trial - self.tally.first_trial,
        }
    }

    /// The probabilities used, per supplier country and stage.
    pub fn rates(&self) -> &[CountryRate] {
        &self.rates
    }

    /// Number of supplier lines per trial (portfolio lines): the unit of the throughput figure
    /// "material-trials per second".
    pub fn lines(&self) -> usize {
        self.model.lines.len()
    }

    /// The tally so far, for merging with other workers' tallies.
    pub fn into_tally(self) -> Tally {
        self.tally
    }

    /// Summarises the trials run so far (all of them, or fewer after a cancellation).
    pub fn finish(self) -> MonteCarloResults {
        let complete = self.progress().is_done() && self.tally.first_trial == 0;
        self.summarise_tally(&self.tally, complete)
    }

    /// Summarises `tally` (merged from workers) with this run's model and parameters.
    pub fn summarise(&self, tally: &Tally) -> MonteCarloResults {
        let complete = tally.first_trial == 0 && tally.trials() == self.params.trials;
        self.summarise_tally(tally, complete)
    }

    fn summarise_tally(&self, tally: &Tally, complete: bool) -> MonteCarloResults {
        summarise(self, tally, complete)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CountryCode;
    use duration::lognormal_censored_mle;
    use results::nearest_rank;
    use rng::Xoshiro256StarStar;
    use trial::{CountryModel, MIN_SURVIVAL};

    #[test]
    fn nearest_rank_quantiles() {
        let sorted: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(nearest_rank(&sorted, 0.5), 50.0);
        assert_eq!(nearest_rank(&sorted, 0.95), 95.0);
        assert_eq!(nearest_rank(&sorted, 0.99), 99.0);
        assert_eq!(nearest_rank(&[], 0.5), 0.0);
    }

    #[test]
    fn invalid_params_are_rejected() {
        let bad = MonteCarloParams {
            severity: Severity { min: 0.8, max: 0.2 },
            ..MonteCarloParams::default()
        };
        assert!(bad.validate().is_err());
        let bad = MonteCarloParams {
            duration: DurationModel::Geometric { mean_months: 0.5 },
            ..MonteCarloParams::default()
        };
        assert!(bad.validate().is_err());
        let bad = MonteCarloParams {
            trials: 0,
            ..MonteCarloParams::default()
        };
        assert!(bad.validate().is_err());
        assert!(MonteCarloParams::default().validate().is_ok());
    }

    /// A model with no country, only the duration law.
    fn durations(duration: DurationModel) -> Model {
        Model::new(vec![], vec![], vec![], Severity::default(), duration)
    }

    /// A model of countries with the given per-stage probabilities and no lines.
    fn occurrences(probabilities: &[[f64; 3]]) -> Model {
        let countries = probabilities
            .iter()
            .enumerate()
            .map(|(i, &probability)| {
                let mut country = CountryModel {
                    code: CountryCode::parse("CHN").unwrap_or_else(|| unreachable!("{i}")),
                    probability,
                    keep: 1.0,
                    patterns: Vec::new(),
                    entries: Vec::new(),
                };
                country.compile_patterns();
                country
            })
            .collect();
        Model::new(
            countries,
            vec![],
            vec![],
            Severity::default(),
            DurationModel::default(),
        )
    }

    /// Counts, over `n` trials, how often each (country, stage) is disrupted and how often
    /// countries `a` and `b` are both disrupted (at any stage).
    fn frequencies(model: &Model, n: u64, a: usize, b: usize) -> (Vec<[u64; 3]>, u64) {
        let mut counts = vec![[0u64; 3]; model.countries.len()];
        let mut both = 0;
        let key = run_key(5);
        for t in 0..n {
            let mut rng = Xoshiro256StarStar::for_trial_of_key(key, t);
            let mut hit = vec![false; model.countries.len()];
            model.disruptions(&mut rng, |_, ci, mask| {
                hit[ci] = true;
                for (k, count) in counts[ci].iter_mut().enumerate() {
                    *count += u64::from(mask & (1 << k) != 0);
                }
            });
            both += u64::from(hit[a] && hit[b]);
        }
        (counts, both)
    }

    /// Whether `count` of `n` is within five binomial standard errors of probability `p`.
    fn agrees(count: u64, n: u64, p: f64) -> bool {
        let frequency = count as f64 / n as f64;
        let se = (p * (1.0 - p) / n as f64).sqrt();
        (frequency - p).abs() <= 5.0 * se + 1e-12
    }

    #[test]
    fn skipping_to_the_next_disruption_draws_independent_countries_and_stages() {
        let p = [
            [0.3, 0.0, 0.0],
            [0.05, 0.2, 0.5],
            [0.0, 0.0, 0.0001],
            [1.0, 0.0, 0.0],
            [0.9, 0.9, 0.9],
            [0.02, 0.0, 1.0],
            [0.4, 0.1, 0.0],
        ];
        let model = occurrences(&p);
        // A certain country is a block of its own (its survival level is 0).
        assert_eq!(model.blocks, vec![(0, 3), (3, 4), (4, 5), (5, 6), (6, 7)]);
        let n = 200_000;
        let (counts, both) = frequencies(&model, n, 1, 6);
        for (ci, (stages, count)) in p.iter().zip(&counts).enumerate() {
            for k in 0..3 {
                assert!(agrees(count[k], n, stages[k]), "{ci} {k}: {count:?}");
            }
        }
        // Countries are independent: P(1 and 6) = P(1) P(6).
        let any = |p: &[f64; 3]| 1.0 - p.iter().map(|p| 1.0 - p).product::<f64>();
        assert!(agrees(both, n, any(&p[1]) * any(&p[6])), "{both}");
        // Stages of one country are independent: P(mining and refining of 1) = p_m p_r.
        let key = run_key(9);
        let mut joint = 0;
        for t in 0..n {
            let mut rng = Xoshiro256StarStar::for_trial_of_key(key, t);
            model.disruptions(&mut rng, |_, ci, mask| {
                joint += u64::from(ci == 1 && mask & 0b011 == 0b011);
            });
        }
        assert!(agrees(joint, n, 0.05 * 0.2), "{joint}");
    }

    #[test]
    fn long_chains_of_likely_disruptions_split_into_blocks_before_underflow() {
        // keep = 1e-6 per country: 200 countries would reach 1e-1200.
        let p = vec![[0.99, 0.99, 0.99]; 200];
        let model = occurrences(&p);
        assert!(model.blocks.len() >= 5, "{:?}", model.blocks);
        assert!(model.survival.iter().all(|&s| s >= MIN_SURVIVAL));
        let n = 20_000;
        let (counts, both) = frequencies(&model, n, 0, 199);
        for (ci, count) in counts.iter().enumerate() {
            assert!(count.iter().all(|&c| agrees(c, n, 0.99)), "{ci}: {count:?}");
        }
        let any = 1.0 - 1e-6;
        assert!(agrees(both, n, any * any), "{both}");
    }

    /// Draws 200,000 durations of `duration` and checks every month's frequency against its
    /// atom, within four binomial standard errors.
    fn assert_draws_follow_the_atoms(duration: DurationModel, seed: u64) {
        let model = durations(duration);
        let mut rng = Xoshiro256StarStar::seed_from_u64(seed);
        let n = 200_000;
        let mut counts = [0u32; 12];
        for _ in 0..n {
            counts[model.draw_duration(&mut rng) as usize - 1] += 1;
        }
        for (d, (months, p)) in model.duration.atoms().into_iter().enumerate() {
            assert_eq!(months, (d + 1) as f64);
            let frequency = f64::from(counts[d]) / f64::from(n);
            let se = (p * (1.0 - p) / f64::from(n)).sqrt();
            assert!(
                (frequency - p).abs() < 4.0 * se + 1e-12,
                "{d}: {frequency} vs {p}"
            );
        }
    }

    #[test]
    fn duration_atoms_are_the_law_of_the_draws() {
        assert_draws_follow_the_atoms(DurationModel::Geometric { mean_months: 4.0 }, 11);
    }

    #[test]
    fn lognormal_fit_without_censoring_is_the_mean_and_sd_of_the_logs() {
        // Uncensored, the maximum-likelihood lognormal has mu = mean(ln t) and sigma the
        // population standard deviation of ln t.
        let ended = [2.0, 6.0, 11.2, 36.0, 54.0];
        let logs: Vec<f64> = ended.iter().map(|t: &f64| t.ln()).collect();
        let mean = logs.iter().sum::<f64>() / 5.0;
        let sd = (logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / 5.0).sqrt();
        let (mu, sigma) = lognormal_censored_mle(&ended, &[]).unwrap();
        assert!((mu - mean).abs() < 2e-3, "{mu} vs {mean}");
        assert!((sigma - sd).abs() < 2e-3, "{sigma} vs {sd}");
        // Measures still in force lengthen the fit; none ended: no fit.
        let (longer, _) = lognormal_censored_mle(&ended, &[40.0, 48.0]).unwrap();
        assert!(longer > mu);
        assert!(lognormal_censored_mle(&[], &[40.0]).is_none());
    }

    #[test]
    fn the_long_measures_law_is_fitted_and_allows_a_measure_in_force_all_year() {
        let fit = default_duration_fit().unwrap();
        // Gallium and germanium controls since August 2023 count as in force (censored).
        assert!(fit.in_force_months.iter().any(|&m| m > 36.0));
        assert!(fit.ended_months.contains(&54.0));
        let Some(DurationModel::LogNormal {
            median_months,
            sigma,
        }) = DurationModel::long_measures()
        else {
            panic!("the long measures' law is the fitted lognormal");
        };
        assert_eq!((median_months, sigma), (fit.median_months, fit.sigma));
        // The default is the geometric law of 6 months, not the fit (an upper bound).
        assert_eq!(
            DurationModel::default(),
            DurationModel::Geometric { mean_months: 6.0 }
        );
        // A measure lasting the whole year is possible and common: the clipped tail.
        let atoms = DurationModel::long_measures().unwrap().atoms();
        assert_eq!(atoms.len(), 12);
        assert!((atoms.iter().map(|a| a.1).sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((atoms[11].1 - fit.full_year_probability).abs() < 1e-15);
        assert!(fit.full_year_probability > 0.3, "{fit:?}");
    }

    #[test]
    fn lognormal_atoms_are_the_law_of_the_draws() {
        let duration = DurationModel::LogNormal {
            median_months: 5.0,
            sigma: 1.2,
        };
        assert_draws_follow_the_atoms(duration, 17);
    }

    #[test]
    fn geometric_duration_has_the_stated_mean() {
        let model = durations(DurationModel::Geometric { mean_months: 3.0 });
        let mut rng = Xoshiro256StarStar::seed_from_u64(3);
        let n = 100_000;
        let mean = (0..n).map(|_| model.draw_duration(&mut rng)).sum::<f64>() / f64::from(n);
        // Clipping at 12 months lowers the mean of 3 slightly: E = sum_{d<12} P(D>d) ~ 2.95.
        let clipped: f64 = (0..12).map(|d| (2.0f64 / 3.0).powi(d)).sum();
        assert!((mean - clipped).abs() < 0.03, "{mean} vs {clipped}");
    }
}
