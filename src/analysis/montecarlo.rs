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
//!   a choice), `h` = 0.25 (the share of recorded, material-specific measures taken to count as
//!   a shock to all of a country's supply at that stage, a choice) and `s` the rate scale (1;
//!   0.5 and 2 for the low and high cases of the sensitivity band, [`SENSITIVITY`]). Every
//!   probability is editable per country and stage ([`MonteCarloParams::overrides`]).
//! - **Common shock.** A disruption hits *all* materials of `c` at the drawn stages together,
//!   with one severity and one duration per country and trial.
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
//! A trial skips from one disrupted country to the next instead of drawing every country and
//! stage (see `Model::disruptions`): about one random draw plus four per disrupted country, with
//! exactly the law of independent draws per country and stage.
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
pub mod rng;

use crate::analysis::exposure::look_through_embedded;
use crate::analysis::scenario::presets::{self, EventPreset};
use crate::model::{CountryCode, Share, Stage};
use crate::portfolio::{Amount, Portfolio};
use crate::reference::ReferenceData;
use rng::{Xoshiro256StarStar, run_key};
use serde::{Deserialize, Serialize};
use std::fmt;

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

/// Duration of a disruption, in months.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DurationModel {
    /// Always `months` (in `(0, 12]`).
    Fixed {
        /// The duration.
        months: f64,
    },
    /// Geometric on whole months 1, 2, ... with mean `mean_months` (at least 1), clipped at 12.
    Geometric {
        /// The mean before clipping.
        mean_months: f64,
    },
    /// Lognormal: a measure lasts `T` months with `ln T ~ N(ln median, sigma^2)`, a heavy right
    /// tail in which multi-year measures are common; the trial counts `D = ceil(T)` whole months
    /// (at least 1), clipped at the 12-month horizon. The default is fitted to the recorded
    /// measures ([`fit_durations`]).
    LogNormal {
        /// The median of `T`, in months.
        median_months: f64,
        /// The standard deviation of `ln T`.
        sigma: f64,
    },
}

impl Default for DurationModel {
    /// Geometric with a mean of 6 months (a choice: how long supply is cut, not how long a
    /// measure stays in force; see [`DurationModel::long_measures`]).
    fn default() -> Self {
        DurationModel::Geometric {
            mean_months: DEFAULT_MEAN_MONTHS,
        }
    }
}

/// The mean of the default geometric duration, in months (a choice; see the module notes).
pub const DEFAULT_MEAN_MONTHS: f64 = 6.0;

impl DurationModel {
    /// The lognormal law fitted to how long the recorded measures stay in force
    /// ([`default_duration_fit`]): an upper bound on how long supply is cut, since licences are
    /// granted while a measure stays in force. `None` if the embedded data gives no fit.
    ///
    /// ```
    /// use chokepoint::analysis::montecarlo::DurationModel;
    /// let long = DurationModel::long_measures().unwrap();
    /// // Longer than the default: more of the mass at the 12-month horizon.
    /// let tail = |d: DurationModel| d.atoms().last().unwrap().1;
    /// assert!(tail(long) > tail(DurationModel::default()));
    /// ```
    pub fn long_measures() -> Option<DurationModel> {
        default_duration_fit().map(|fit| DurationModel::LogNormal {
            median_months: fit.median_months,
            sigma: fit.sigma,
        })
    }

    /// A short description of the law, for tables: "geometric, mean 6 months", "lognormal,
    /// median 159 months", "fixed, 3 months".
    pub fn label(&self) -> String {
        match *self {
            DurationModel::Fixed { months } => format!("fixed, {months} months"),
            DurationModel::Geometric { mean_months } => {
                format!("geometric, mean {mean_months} months")
            }
            DurationModel::LogNormal {
                median_months,
                sigma,
            } => format!("lognormal, median {median_months:.0} months, sigma {sigma:.2}"),
        }
    }
}

impl DurationModel {
    /// The exact law of the drawn duration: its values (months) and their probabilities, which
    /// sum to 1. Fixed: one value. Geometric with `q = 1 / mean` (the inverse transform of
    /// `draw_duration`, `D = 1 + #{d <= 11 : U <= (1 - q)^d}`, gives `P(D > d) = (1 - q)^d`):
    /// `P(D = d) = q (1 - q)^(d - 1)` for `d` = 1 to 11 and the clipped tail
    /// `P(D = 12) = (1 - q)^11`; `D = 1` when `q >= 1`. Up to the generator's 2^-53 resolution.
    ///
    /// ```
    /// use chokepoint::analysis::montecarlo::DurationModel;
    /// let atoms = DurationModel::Geometric { mean_months: 6.0 }.atoms();
    /// assert_eq!(atoms.len(), 12);
    /// assert!((atoms.iter().map(|(_, p)| p).sum::<f64>() - 1.0).abs() < 1e-15);
    /// assert!((atoms[0].1 - 1.0 / 6.0).abs() < 1e-15);
    /// ```
    pub fn atoms(&self) -> Vec<(f64, f64)> {
        match *self {
            DurationModel::Fixed { months } => vec![(months, 1.0)],
            DurationModel::LogNormal { .. } => {
                // P(D = d) = P(D > d - 1) - P(D > d), the clipped tail at 12.
                let stay = self.survival();
                let mut atoms = Vec::with_capacity(stay.len() + 1);
                let mut before = 1.0;
                for (d, &after) in stay.iter().enumerate() {
                    atoms.push(((d + 1) as f64, before - after));
                    before = after;
                }
                atoms.push((HORIZON_MONTHS, before));
                atoms
            }
            DurationModel::Geometric { mean_months } => {
                let q = 1.0 / mean_months;
                if q >= 1.0 || q.is_nan() {
                    return vec![(1.0, 1.0)];
                }
                let last = HORIZON_MONTHS as i32;
                let mut atoms: Vec<(f64, f64)> = (1..last)
                    .map(|d| (f64::from(d), q * (1.0 - q).powi(d - 1)))
                    .collect();
                atoms.push((HORIZON_MONTHS, (1.0 - q).powi(last - 1)));
                atoms
            }
        }
    }
}

impl DurationModel {
    /// `P(D > d)` for `d` = 1 to 11 months: what [`Model::draw_duration`] inverts. Geometric:
    /// `(1 - q)^d` by repeated multiplication (so that every platform computes the same bits);
    /// lognormal: `P(T > d) = erfc((ln d - ln median) / (sigma sqrt 2)) / 2`; fixed: unused
    /// (zeros).
    fn survival(&self) -> [f64; DURATION_STEPS] {
        let mut stay = [0.0; DURATION_STEPS];
        match *self {
            DurationModel::Fixed { .. } => {}
            DurationModel::Geometric { mean_months } => {
                let q = 1.0 / mean_months;
                if q < 1.0 {
                    let mut power = 1.0;
                    for s in &mut stay {
                        power *= 1.0 - q;
                        *s = power;
                    }
                }
            }
            DurationModel::LogNormal {
                median_months,
                sigma,
            } => {
                let mu = median_months.ln();
                for (d, s) in stay.iter_mut().enumerate() {
                    let z = (((d + 1) as f64).ln() - mu) / sigma;
                    *s = normal_survival(z);
                }
            }
        }
        stay
    }
}

/// `1 - Phi(z)` for the standard normal, `erfc(z / sqrt 2) / 2`, with the complementary error
/// function's Chebyshev fit of Press et al., *Numerical Recipes in C*, 2nd ed. (1992), section
/// 6.2, `erfcc` (fractional error below 1.2e-7 everywhere).
///
/// ```
/// use chokepoint::analysis::montecarlo::normal_survival;
/// assert!((normal_survival(0.0) - 0.5).abs() < 1e-7);
/// assert!((normal_survival(1.959964) - 0.025).abs() < 1e-8);
/// assert!((normal_survival(-1.0) - 0.841345).abs() < 1e-6);
/// ```
pub fn normal_survival(z: f64) -> f64 {
    let x = z / std::f64::consts::SQRT_2;
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.5 * a);
    let poly = -a * a - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * poly.exp();
    let erfc = if x >= 0.0 { erfc } else { 2.0 - erfc };
    (erfc / 2.0).clamp(0.0, 1.0)
}

/// How long recorded measures lasted, and the lognormal law fitted to it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DurationFit {
    /// Ended measures: months from effect to the end (lifted, suspended or replaced).
    pub ended_months: Vec<f64>,
    /// Measures still in force on the research date: months from effect to that date, a lower
    /// bound of their duration (right-censored).
    pub in_force_months: Vec<f64>,
    /// The fitted median duration, in months.
    pub median_months: f64,
    /// The fitted standard deviation of the log duration.
    pub sigma: f64,
    /// The fitted probability that a measure lasts the whole 12-month year, `P(T > 11)`.
    pub full_year_probability: f64,
}

/// Months from `from` to `to` (a month-only date counts from the first of its month): whole
/// months plus the days' difference over 30.4375, the mean month.
fn months_between(from: presets::EventDate, to: presets::EventDate) -> f64 {
    let whole = (i32::from(to.year) - i32::from(from.year)) * 12 + i32::from(to.month)
        - i32::from(from.month);
    let days = i32::from(to.day.unwrap_or(1)) - i32::from(from.day.unwrap_or(1));
    f64::from(whole) + f64::from(days) / 30.4375
}

/// The durations of the recorded measures that took effect (with a scenario and an effective
/// date) and the lognormal law fitted to them by maximum likelihood with right-censoring: an
/// ended measure contributes its density `phi(z) / (sigma t)`, a measure still in force on the
/// `researched` date its survival `1 - Phi(z)` at the time elapsed, `z = (ln t - mu) / sigma`
/// (the standard likelihood for censored durations; Klein & Moeschberger, *Survival Analysis*,
/// 2003, section 3.5). A measure that ended before taking effect is left out. The maximum is
/// found on a grid of `mu` and `sigma`, refined around the best point four times (each step a
/// quarter of the previous); `None` without any ended measure (no finite fit).
pub fn fit_durations(
    events: &[EventPreset],
    researched: presets::EventDate,
) -> Option<DurationFit> {
    let mut ended = Vec::new();
    let mut in_force = Vec::new();
    for event in events {
        let (Some(scenario), Some(effective)) = (&event.scenario, event.effective) else {
            continue;
        };
        if !scenario.took_effect {
            continue;
        }
        match event.lifted {
            Some(end) => {
                let months = months_between(effective, end);
                if months > 0.0 {
                    ended.push(months);
                }
            }
            None => {
                let months = months_between(effective, researched);
                if months > 0.0 {
                    in_force.push(months);
                }
            }
        }
    }
    let (mu, sigma) = lognormal_censored_mle(&ended, &in_force)?;
    let full = DurationModel::LogNormal {
        median_months: mu.exp(),
        sigma,
    }
    .survival()[DURATION_STEPS - 1];
    Some(DurationFit {
        ended_months: ended,
        in_force_months: in_force,
        median_months: mu.exp(),
        sigma,
        full_year_probability: full,
    })
}

/// The log-likelihood of `(mu, sigma)` for ended durations `ended` and censored `in_force`
/// (constants dropped).
fn censored_log_likelihood(mu: f64, sigma: f64, ended: &[f64], in_force: &[f64]) -> f64 {
    let density: f64 = ended
        .iter()
        .map(|t| {
            let z = (t.ln() - mu) / sigma;
            -0.5 * z * z - sigma.ln()
        })
        .sum();
    let survival: f64 = in_force
        .iter()
        .map(|t| normal_survival((t.ln() - mu) / sigma).max(1e-300).ln())
        .sum();
    density + survival
}

/// The maximum-likelihood `(mu, sigma)` of a lognormal law (see [`fit_durations`]).
fn lognormal_censored_mle(ended: &[f64], in_force: &[f64]) -> Option<(f64, f64)> {
    if ended.is_empty() {
        return None;
    }
    let (mut mu, mut sigma) = (2.0, 1.0);
    let (mut mu_step, mut sigma_step) = (0.25, 0.1);
    let mut best = f64::NEG_INFINITY;
    for _ in 0..5 {
        let (centre_mu, centre_sigma) = (mu, sigma);
        for i in -20..=20 {
            for j in -20..=20 {
                let m = centre_mu + f64::from(i) * mu_step;
                let s = centre_sigma + f64::from(j) * sigma_step;
                if s < 0.05 {
                    continue;
                }
                let value = censored_log_likelihood(m, s, ended, in_force);
                if value > best {
                    (best, mu, sigma) = (value, m, s);
                }
            }
        }
        mu_step /= 4.0;
        sigma_step /= 4.0;
    }
    best.is_finite().then_some((mu, sigma))
}

/// The duration fit of the embedded event data at its research date (computed once).
pub fn default_duration_fit() -> Option<&'static DurationFit> {
    static FIT: std::sync::OnceLock<Option<DurationFit>> = std::sync::OnceLock::new();
    FIT.get_or_init(|| {
        let researched = presets::events_researched()?.date;
        let date = presets::EventDate {
            year: researched.year(),
            month: researched.month(),
            day: Some(researched.day()),
        };
        fit_durations(presets::embedded_presets(), date)
    })
    .as_ref()
}

/// How default disruption probabilities are derived (see the module notes).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ProbabilityModel {
    /// `g`: annual rate of a country with the weakest governance (EU-scaled WGI of 10).
    pub governance_rate: f64,
    /// `h`: the share of recorded (material-specific) events taken to count as a shock to all of
    /// a country's supply at the stage.
    pub history_weight: f64,
    /// First year of the history window.
    pub history_from: u16,
    /// Last year of the history window.
    pub history_to: u16,
    /// Half-life of an event's weight in the fitted rate, in years: an event `a` years before
    /// [`Self::history_to`] weighs `2^(-a / half_life)`. Infinite: every year weighs the same
    /// (the plain average over the window).
    pub half_life_years: f64,
    /// A factor on every default rate `lambda`: 1 for the central case, and the low and high
    /// cases of the sensitivity band ([`SENSITIVITY`]).
    pub rate_scale: f64,
    /// EU-scaled governance score used where the WGI have none.
    pub unknown_governance: f64,
}

impl Default for ProbabilityModel {
    fn default() -> Self {
        ProbabilityModel {
            governance_rate: 0.04,
            history_weight: 0.25,
            history_from: 2009,
            history_to: 2025,
            half_life_years: DEFAULT_HALF_LIFE_YEARS,
            rate_scale: 1.0,
            unknown_governance: 5.0,
        }
    }
}

/// The default half-life of the recency weighting, in years (a choice; see the module notes).
pub const DEFAULT_HALF_LIFE_YEARS: f64 = 5.0;

/// The rate cases of the sensitivity band: every default rate times 0.5, 1 and 2 (a choice: a
/// factor of 2 either way covers the gap between the plain 2009-2025 average and the
/// recency-weighted rate of China's refining, 0.59 and 0.95 events a year, the largest rate in
/// the data). User-set probabilities are kept in every case.
pub const SENSITIVITY: [(&str, f64); 3] = [("low", 0.5), ("central", 1.0), ("high", 2.0)];

/// The fit of one country's and stage's event rate to the history (see [`ProbabilityModel::fit`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct HistoryFit {
    /// Events counted in the window.
    pub events: u32,
    /// Their weights summed, `sum_e w(y_e)`.
    pub weighted_events: f64,
    /// The window's weighted years, `sum_y w(y)`.
    pub weighted_years: f64,
    /// The fitted rate, events per year: `weighted_events / weighted_years`.
    pub rate: f64,
}

impl ProbabilityModel {
    /// The recency-weighted rate of the events that took effect in the years `years` (each
    /// within the window): with `w(y) = 2^(-(history_to - y) / half_life)`, the rate is
    /// `sum_e w(y_e) / sum_{y = from}^{to} w(y)`, the exponentially weighted count per weighted
    /// year, which is the maximum-likelihood rate of a Poisson process whose log-likelihood
    /// terms are weighted by `w` (a discounted likelihood; with an infinite half-life the plain
    /// average `n / Y`).
    ///
    /// ```
    /// use chokepoint::analysis::montecarlo::ProbabilityModel;
    /// let plain = ProbabilityModel { half_life_years: f64::INFINITY, ..Default::default() };
    /// assert!((plain.fit(&[2010, 2024]).rate - 2.0 / 17.0).abs() < 1e-15);
    /// // With a half-life, a recent event weighs more than an old one.
    /// let model = ProbabilityModel::default();
    /// assert!(model.fit(&[2024]).rate > model.fit(&[2010]).rate);
    /// ```
    pub fn fit(&self, years: &[u16]) -> HistoryFit {
        // The weight of one year less, `2^(-1 / half_life)`; powers by multiplication so that
        // every platform computes the same bits.
        let step = if self.half_life_years.is_finite() && self.half_life_years > 0.0 {
            (-std::f64::consts::LN_2 / self.half_life_years).exp()
        } else {
            1.0
        };
        let span = self.history_to.saturating_sub(self.history_from);
        let mut weights = Vec::with_capacity(usize::from(span) + 1);
        let mut w = 1.0;
        for _ in 0..=span {
            weights.push(w);
            w *= step;
        }
        let weighted_years: f64 = weights.iter().sum();
        let weighted_events: f64 = years
            .iter()
            .filter(|&&y| (self.history_from..=self.history_to).contains(&y))
            .map(|&y| weights[usize::from(self.history_to - y)])
            .sum();
        HistoryFit {
            events: u32::try_from(years.len()).unwrap_or(u32::MAX),
            weighted_events,
            weighted_years,
            rate: if weighted_years > 0.0 {
                weighted_events / weighted_years
            } else {
                0.0
            },
        }
    }

    /// The default annual probability for a country with EU-scaled governance `governance`
    /// (0-10, `None` = unknown) and the fitted event rate `event_rate` (events per year, from
    /// [`Self::fit`]) at the stage: `1 - exp(-s (g W / 10 + h rate))` with `s` the rate scale.
    ///
    /// ```
    /// use chokepoint::analysis::montecarlo::ProbabilityModel;
    /// let model = ProbabilityModel::default();
    /// // no history, governance 5: lambda = 0.04 * 0.5 = 0.02
    /// assert!((model.probability(Some(5.0), 0.0) - (1.0 - (-0.02f64).exp())).abs() < 1e-15);
    /// ```
    pub fn probability(&self, governance: Option<f64>, event_rate: f64) -> f64 {
        let w = governance
            .unwrap_or(self.unknown_governance)
            .clamp(0.0, 10.0);
        let lambda =
            self.rate_scale * (self.governance_rate * w / 10.0 + self.history_weight * event_rate);
        let p = 1.0 - (-lambda.max(0.0)).exp();
        if p.is_finite() {
            p.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

/// A user's annual disruption probability for one country and stage.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ProbabilityOverride {
    /// The country.
    pub country: CountryCode,
    /// The stage.
    pub stage: Stage,
    /// The annual probability.
    pub probability: Share,
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

/// Where a country's disruption probability comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbabilityBasis {
    /// The default formula (governance and event history).
    Default,
    /// Set by the user.
    User,
}

/// The probability used for one country and stage, and its inputs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CountryRate {
    /// The country.
    pub country: CountryCode,
    /// The stage.
    pub stage: Stage,
    /// The annual probability used.
    pub probability: f64,
    /// Default or user-set.
    pub basis: ProbabilityBasis,
    /// The WGI mean of the country (about -2.5 to 2.5), when known.
    pub wgi_mean: Option<f64>,
    /// Recorded events of the country at the stage in the history window.
    pub history_events: u32,
    /// The fit of the country's event rate at the stage to those events.
    pub history: HistoryFit,
}

/// The default probabilities for the supplier countries of `portfolio` (and the user's
/// overrides), one row per country and stage where the country supplies some line.
pub fn country_rates(
    portfolio: &Portfolio,
    reference: &ReferenceData,
    params: &MonteCarloParams,
    events: &[EventPreset],
) -> Vec<CountryRate> {
    compile(portfolio, reference, params, events).1
}

/// The annual probability that `country` disrupts `stage`, and where it comes from: the user's
/// override (the last one given for that country and stage), else
/// [`ProbabilityModel::probability`] of the country's EU-scaled `governance` (`None` = unknown)
/// and its fitted event rate `event_rate` at the stage. The simulation and the planner's
/// expected-loss objective both use it, so they agree on every probability.
pub fn disruption_probability(
    params: &MonteCarloParams,
    governance: Option<f64>,
    event_rate: f64,
    country: CountryCode,
    stage: Stage,
) -> (f64, ProbabilityBasis) {
    let user = params
        .overrides
        .iter()
        .rev()
        .find(|o| o.country == country && o.stage == stage);
    match user {
        Some(o) => (o.probability.get(), ProbabilityBasis::User),
        None => (
            params.probability_model.probability(governance, event_rate),
            ProbabilityBasis::Default,
        ),
    }
}

/// One line as the simulation sees it.
#[derive(Clone, Debug)]
struct LineModel {
    revenue_share: f64,
    inventory_months: f64,
    material: usize,
}

/// One line a country supplies: its share `s` at each stage and the spare-capacity term
/// `r (1 - s)` (0 where the country has no share).
#[derive(Clone, Debug)]
struct Entry {
    line: usize,
    share: [f64; 3],
    spare: [f64; 3],
}

/// One country: its per-stage probabilities, the law of its stage pattern given a disruption
/// and the lines it supplies.
#[derive(Clone, Debug)]
struct CountryModel {
    code: CountryCode,
    probability: [f64; 3],
    /// `P(no stage disrupted) = prod_k (1 - p_k)`.
    keep: f64,
    /// The stage patterns that can occur (bit `k` = stage `k` disrupted) with their cumulative
    /// unnormalised probabilities `prod_{k in m} p_k prod_{k not in m} (1 - p_k)`, ascending.
    patterns: Vec<(u8, f64)>,
    entries: Vec<Entry>,
}

impl CountryModel {
    /// Fills `keep` and `patterns` from `probability`.
    fn compile_patterns(&mut self) {
        let p = self.probability;
        self.keep = p.iter().map(|p| 1.0 - p).product();
        self.patterns.clear();
        let mut cumulative = 0.0;
        for mask in 1u8..8 {
            let mut weight = 1.0;
            for (k, &pk) in p.iter().enumerate() {
                weight *= if mask & (1 << k) != 0 { pk } else { 1.0 - pk };
            }
            if weight > 0.0 {
                cumulative += weight;
                self.patterns.push((mask, cumulative));
            }
        }
    }
}

/// Survival levels below this start a new block of the occurrence search (see
/// [`Model::disruptions`]), long before `f64` loses relative precision near its smallest numbers.
const MIN_SURVIVAL: f64 = 1e-250;

/// The compiled model: everything a trial needs, precomputed.
#[derive(Clone, Debug)]
struct Model {
    countries: Vec<CountryModel>,
    /// `survival[j] = prod_{i in block, i <= j} keep_i`: the probability that none of the
    /// countries of `j`'s block up to `j` is disrupted. Non-increasing within a block.
    survival: Vec<f64>,
    /// The blocks `[start, end)` of country indices the occurrence search runs over. One block
    /// unless a country is disrupted with certainty (it ends its block) or the survival level
    /// falls below [`MIN_SURVIVAL`].
    blocks: Vec<(usize, usize)>,
    lines: Vec<LineModel>,
    materials: Vec<String>,
    severity: Severity,
    duration: DurationModel,
    /// `P(D > d)` for `d` = 1 to 11 ([`DurationModel::survival`]).
    stay: [f64; DURATION_STEPS],
}

/// The durations a geometric draw can exceed: 1 to 11 months (12 is the horizon).
const DURATION_STEPS: usize = HORIZON_MONTHS as usize - 1;

impl Model {
    fn new(
        countries: Vec<CountryModel>,
        lines: Vec<LineModel>,
        materials: Vec<String>,
        severity: Severity,
        duration: DurationModel,
    ) -> Model {
        let mut survival = Vec::with_capacity(countries.len());
        let mut blocks = Vec::new();
        let mut start = 0;
        let mut level = 1.0;
        for (i, country) in countries.iter().enumerate() {
            if i > start && level * country.keep < MIN_SURVIVAL {
                blocks.push((start, i));
                start = i;
                level = 1.0;
            }
            level *= country.keep;
            survival.push(level);
            if level == 0.0 {
                // Disrupted with certainty: nothing after it can be searched against level 0.
                blocks.push((start, i + 1));
                start = i + 1;
                level = 1.0;
            }
        }
        if start < countries.len() {
            blocks.push((start, countries.len()));
        }
        let stay = duration.survival();
        Model {
            countries,
            survival,
            blocks,
            lines,
            materials,
            severity,
            duration,
            stay,
        }
    }
}

fn stage_index(stage: Stage) -> usize {
    match stage {
        Stage::Mining => 0,
        Stage::Refining => 1,
        Stage::Component => 2,
    }
}

fn compile(
    portfolio: &Portfolio,
    reference: &ReferenceData,
    params: &MonteCarloParams,
    events: &[EventPreset],
) -> (Model, Vec<CountryRate>) {
    let spare = params.spare_capacity.get();
    let mut materials: Vec<String> = Vec::new();
    let mut lines = Vec::with_capacity(portfolio.lines.len());
    let mut countries: Vec<CountryModel> = Vec::new();
    for (index, line) in portfolio.lines.iter().enumerate() {
        let material = materials
            .iter()
            .position(|m| *m == line.material)
            .unwrap_or_else(|| {
                materials.push(line.material.clone());
                materials.len() - 1
            });
        lines.push(LineModel {
            revenue_share: line.revenue_share.get(),
            inventory_months: super::scenario::inventory_months(line.inventory_days.get()),
            material,
        });
        for resolved in look_through_embedded(line, reference, portfolio.look_through) {
            let Some(mix) = resolved.mix else { continue };
            let k = stage_index(resolved.stage);
            for &(code, share) in mix.entries() {
                if code.is_rest_of_world() || share <= 0.0 {
                    continue;
                }
                let at = match countries.binary_search_by(|c| c.code.cmp(&code)) {
                    Ok(at) => at,
                    Err(at) => {
                        countries.insert(
                            at,
                            CountryModel {
                                code,
                                probability: [0.0; 3],
                                keep: 1.0,
                                patterns: Vec::new(),
                                entries: Vec::new(),
                            },
                        );
                        at
                    }
                };
                let entries = &mut countries[at].entries;
                if entries.last().is_none_or(|e| e.line != index) {
                    entries.push(Entry {
                        line: index,
                        share: [0.0; 3],
                        spare: [0.0; 3],
                    });
                }
                if let Some(entry) = entries.last_mut() {
                    entry.share[k] = share;
                    entry.spare[k] = spare * (1.0 - share);
                }
            }
        }
    }
    let history = presets::history_years(
        events,
        params.probability_model.history_from,
        params.probability_model.history_to,
    );
    let mut rates = Vec::new();
    for country in &mut countries {
        let known = reference.country(country.code);
        let wgi_mean = known.and_then(|c| c.wgi_mean);
        let governance = known.and_then(|c| c.wgi_eu_scaled());
        for stage in Stage::ALL {
            let k = stage_index(stage);
            if !country.entries.iter().any(|e| e.share[k] > 0.0) {
                continue;
            }
            let years = history
                .get(&(country.code, stage))
                .map_or(&[][..], Vec::as_slice);
            let fit = params.probability_model.fit(years);
            let (probability, basis) =
                disruption_probability(params, governance, fit.rate, country.code, stage);
            country.probability[k] = if probability.is_nan() {
                0.0
            } else {
                probability.clamp(0.0, 1.0)
            };
            rates.push(CountryRate {
                country: country.code,
                stage,
                probability,
                basis,
                wgi_mean,
                history_events: fit.events,
                history: fit,
            });
        }
    }
    countries.retain(|c| c.probability.iter().any(|&p| p > 0.0));
    for country in &mut countries {
        country.compile_patterns();
    }
    let model = Model::new(
        countries,
        lines,
        materials,
        params.severity,
        params.duration,
    );
    (model, rates)
}

impl Model {
    /// A duration in months. Geometric: `D = 1 + #{d in 1..=11 : U <= (1 - q)^d}` with `U`
    /// uniform on `(0, 1]`, so `P(D > d) = (1 - q)^d`, clipped at the 12-month horizon (the
    /// inverse transform `1 + floor(ln U / ln(1 - q))` without the logarithm).
    #[inline]
    fn draw_duration(&self, rng: &mut Xoshiro256StarStar) -> f64 {
        match self.duration {
            DurationModel::Fixed { months } => months,
            DurationModel::Geometric { .. } | DurationModel::LogNormal { .. } => {
                let u = 1.0 - rng.next_f64();
                1.0 + self.stay.partition_point(|&s| u <= s) as f64
            }
        }
    }

    /// Runs trial `trial` of the run whose [`run_key`] is `key` and adds it to `tally`.
    fn trial(&self, key: u64, trial: u64, tally: &mut Tally, scratch: &mut Scratch) {
        let mut rng = Xoshiro256StarStar::for_trial_of_key(key, trial);
        let hits = &mut scratch.hits;
        hits.clear();
        let mut short = false;
        self.disruptions(&mut rng, |rng, ci, mask| {
            short |= self.disrupt(ci, mask, rng, hits);
        });
        let total = if scratch.hits.is_empty() {
            0.0
        } else {
            self.record(scratch, tally)
        };
        tally.shortfall_trials += u64::from(short);
        tally.loss_trials += u64::from(total > 0.0);
        tally.losses.push(total);
    }

    /// Draws which countries are disrupted in a trial and at which stages, calling
    /// `each(rng, country, pattern)` for each disrupted country in order (bit `k` of `pattern`
    /// = stage `k` disrupted; never 0).
    ///
    /// Occurrence is drawn by skipping ahead to the next disrupted country instead of drawing
    /// every country and stage: with `S_j` the probability that none of countries `0..=j` is
    /// disrupted ([`Model::survival`]), the first disrupted country after `J` (none yet: `S_J`
    /// = 1) is the first `j > J` with `S_j < U S_J`, `U` uniform on `(0, 1]`, since
    /// `P(S_j >= U S_J) = S_j / S_J = prod_{J < i <= j} (1 - P_i)`. The disrupted country then
    /// draws its stage pattern given that some stage is disrupted (its severity and duration are
    /// drawn by [`Model::disrupt`]). A trial costs one draw plus at most four per disrupted
    /// country, whatever the number of countries; the law is that of independent draws per
    /// country and stage.
    #[inline]
    fn disruptions(
        &self,
        rng: &mut Xoshiro256StarStar,
        mut each: impl FnMut(&mut Xoshiro256StarStar, usize, u8),
    ) {
        for &(start, end) in &self.blocks {
            let mut from = start;
            let mut level = 1.0;
            while from < end {
                let target = (1.0 - rng.next_f64()) * level;
                let ahead = &self.survival[from..end];
                let j = from + ahead.partition_point(|&s| s >= target);
                if j >= end {
                    break;
                }
                let mask = match self.countries[j].patterns.as_slice() {
                    [] => 0,
                    [(only, _)] => *only,
                    patterns => {
                        let total = patterns.last().map_or(0.0, |p| p.1);
                        let v = rng.next_f64() * total;
                        patterns
                            .iter()
                            .find(|p| v < p.1)
                            .or(patterns.last())
                            .map_or(0, |p| p.0)
                    }
                };
                if mask != 0 {
                    each(rng, j, mask);
                }
                level = self.survival[j];
                from = j + 1;
            }
        }
    }

    /// Disrupts country `ci` at the stages of `mask` in a trial: draws its severity and
    /// duration and pushes its loss on each line. Returns whether some line is short.
    #[inline]
    fn disrupt(
        &self,
        ci: usize,
        mask: u8,
        rng: &mut Xoshiro256StarStar,
        hits: &mut Vec<Hit>,
    ) -> bool {
        let country = &self.countries[ci];
        let s = &self.severity;
        let severity = s.min + (s.max - s.min) * rng.next_f64();
        let months = self.draw_duration(rng);
        let mut short = false;
        for entry in &country.entries {
            let mut f: f64 = 0.0;
            let mut stage = 0;
            for (k, (&share, &spare)) in entry.share.iter().zip(&entry.spare).enumerate() {
                if mask & (1 << k) != 0 && share * severity - spare > f {
                    f = share * severity - spare;
                    stage = k;
                }
            }
            if f <= 0.0 {
                continue;
            }
            short = true;
            let line = &self.lines[entry.line];
            let loss =
                line.revenue_share * (f * months - line.inventory_months).max(0.0) / HORIZON_MONTHS;
            if loss > 0.0 {
                hits.push(Hit {
                    country: ci,
                    line: entry.line,
                    stage,
                    loss,
                });
            }
        }
        short
    }
}

impl Model {
    /// Adds a trial's hits to the contributions and returns the trial's loss. A line's losses
    /// combine as independent flows across stages and add within a stage: with `l_k` the sum of
    /// the line's losses (fractions of its revenue share) from the countries whose binding stage
    /// is `k`, capped at 1, the line loses `rs * (1 - prod_k (1 - l_k))`, at most its revenue
    /// share. The total is capped at 1 (all revenue); contributions are scaled down with the
    /// combination and the cap.
    fn record(&self, scratch: &mut Scratch, tally: &mut Tally) -> f64 {
        let Scratch { hits, line_totals } = scratch;
        line_totals.clear();
        line_totals.resize(self.lines.len(), [0.0; 4]);
        for hit in hits.iter() {
            let totals = &mut line_totals[hit.line];
            totals[hit.stage] += hit.loss;
            totals[3] += hit.loss;
        }
        // From here on `line_totals[l][3]` holds line `l`'s scale factor.
        let mut total = 0.0;
        for (totals, line) in line_totals.iter_mut().zip(&self.lines) {
            let raw = totals[3];
            if raw <= 0.0 {
                totals[3] = 1.0;
                continue;
            }
            let rs = line.revenue_share;
            let loss = if totals[..3].iter().filter(|&&l| l > 0.0).count() == 1 {
                // One stage (the usual case): the sum itself, exactly, capped.
                raw.min(rs)
            } else {
                let kept: f64 = totals[..3]
                    .iter()
                    .map(|&l| 1.0 - (l / rs).min(1.0))
                    .product();
                rs * (1.0 - kept)
            };
            total += loss;
            totals[3] = loss / raw;
        }
        let overall = if total > 1.0 { 1.0 / total } else { 1.0 };
        for hit in hits.iter() {
            let loss = hit.loss * line_totals[hit.line][3] * overall;
            tally.by_country[hit.country] += loss;
            tally.by_line[hit.line] += loss;
            tally.by_material[self.lines[hit.line].material] += loss;
        }
        total.min(1.0)
    }
}

/// Scratch space reused from trial to trial.
#[derive(Clone, Debug, Default)]
struct Scratch {
    hits: Vec<Hit>,
    /// Per line: the losses whose binding stage is mining, refining, component, and their sum.
    line_totals: Vec<[f64; 4]>,
}

/// One country's loss on one line in a trial (before capping).
#[derive(Clone, Copy, Debug)]
struct Hit {
    country: usize,
    line: usize,
    /// The binding stage (index as in `stage_index`).
    stage: usize,
    loss: f64,
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

/// A loss histogram bin: `[from, to)` (the last bin includes `to`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistogramBin {
    /// Lower edge.
    pub from: f64,
    /// Upper edge.
    pub to: f64,
    /// Trials with a loss in the bin.
    pub count: u64,
}

/// A point of the exceedance curve.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExceedancePoint {
    /// The loss.
    pub loss: f64,
    /// The probability that a year's loss exceeds it.
    pub probability: f64,
}

/// The share of the expected loss due to one country, material or line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// The country code, material id or line label (or `line N`).
    pub name: String,
    /// Expected annual loss due to it (in the results' unit).
    pub expected_loss: f64,
    /// Its share of the total expected loss (0 when there is none).
    pub share: f64,
}

/// The unit of the loss figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossUnit {
    /// Fractions of the firm's annual revenue.
    FractionOfRevenue,
    /// Money, in the unit of the annual revenue given.
    Revenue,
}

/// The summary of a Monte Carlo run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonteCarloResults {
    /// Trials summarised.
    pub trials: u64,
    /// The seed.
    pub seed: u64,
    /// Whether every planned trial ran (false after a cancellation).
    pub complete: bool,
    /// The unit of every loss figure.
    pub unit: LossUnit,
    /// Expected annual loss (mean over trials).
    pub expected_loss: f64,
    /// Standard error of the mean.
    pub standard_error: f64,
    /// Median annual loss.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Conditional value at risk at 95 %: the mean of the worst 5 % of years.
    pub cvar95: f64,
    /// The largest loss drawn.
    pub max_loss: f64,
    /// Probability that some line is short in a year (even if inventory covers it).
    pub probability_any_shortfall: f64,
    /// Probability of any revenue loss in a year.
    pub probability_any_loss: f64,
    /// Loss histogram.
    pub histogram: Vec<HistogramBin>,
    /// Exceedance curve `P(L > x)` at the histogram's edges.
    pub exceedance: Vec<ExceedancePoint>,
    /// Contribution of each supplier country, largest first.
    pub by_country: Vec<Contribution>,
    /// Contribution of each material, largest first.
    pub by_material: Vec<Contribution>,
    /// Contribution of each line, in portfolio order.
    pub by_line: Vec<Contribution>,
    /// The probabilities used.
    pub rates: Vec<CountryRate>,
    /// The parameters used.
    pub params: MonteCarloParams,
}

/// The `q` quantile of sorted `losses` by the nearest-rank rule (0 when empty).
fn nearest_rank(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn contributions(
    names: Vec<String>,
    sums: &[f64],
    n: f64,
    scale: f64,
    total: f64,
    sort: bool,
) -> Vec<Contribution> {
    let mut out: Vec<Contribution> = names
        .into_iter()
        .zip(sums)
        .map(|(name, &sum)| {
            let expected_loss = sum / n * scale;
            Contribution {
                name,
                expected_loss,
                share: if total > 0.0 {
                    expected_loss / total
                } else {
                    0.0
                },
            }
        })
        .collect();
    if sort {
        crate::model::order::sort_by(&mut out, |a, b| {
            b.expected_loss
                .total_cmp(&a.expected_loss)
                .then(a.name.cmp(&b.name))
        });
    }
    out
}

fn summarise(run: &MonteCarlo, tally: &Tally, complete: bool) -> MonteCarloResults {
    let scale = run.params.annual_revenue.map_or(1.0, Amount::get);
    let unit = if run.params.annual_revenue.is_some() {
        LossUnit::Revenue
    } else {
        LossUnit::FractionOfRevenue
    };
    let count = tally.losses.len();
    let n = count.max(1) as f64;
    let mean = tally.losses.iter().sum::<f64>() / n;
    let variance = if count > 1 {
        tally.losses.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    // Losses are never negative and most years lose nothing: the zeros go first unsorted.
    let zeros = tally.losses.iter().filter(|&&l| l == 0.0).count();
    let mut sorted = vec![0.0; zeros];
    sorted.reserve(count - zeros);
    sorted.extend(tally.losses.iter().filter(|&&l| l != 0.0));
    sorted[zeros..].sort_unstable_by(f64::total_cmp);
    let tail = ((0.05 * n).ceil() as usize).clamp(1, count.max(1));
    let cvar = if count == 0 {
        0.0
    } else {
        sorted[count - tail..].iter().sum::<f64>() / tail as f64
    };
    let max = sorted.last().copied().unwrap_or(0.0);
    let bins = run.params.histogram_bins.max(1);
    let width = max / bins as f64;
    let mut histogram: Vec<HistogramBin> = (0..bins)
        .map(|i| HistogramBin {
            from: width * i as f64 * scale,
            to: width * (i + 1) as f64 * scale,
            count: 0,
        })
        .collect();
    for &loss in &sorted {
        let i = if width > 0.0 {
            ((loss / width) as usize).min(bins - 1)
        } else {
            0
        };
        histogram[i].count += 1;
    }
    let exceedance = (0..=bins)
        .map(|i| {
            let edge = width * i as f64;
            let above = count - sorted.partition_point(|&l| l <= edge);
            ExceedancePoint {
                loss: edge * scale,
                probability: above as f64 / n,
            }
        })
        .collect();
    let total = mean * scale;
    let model = &run.model;
    let by_country = contributions(
        model.countries.iter().map(|c| c.code.to_string()).collect(),
        &tally.by_country,
        n,
        scale,
        total,
        true,
    );
    let by_material = contributions(
        model.materials.clone(),
        &tally.by_material,
        n,
        scale,
        total,
        true,
    );
    let by_line = contributions(
        (0..model.lines.len())
            .map(|i| format!("line {}", i + 1))
            .collect(),
        &tally.by_line,
        n,
        scale,
        total,
        false,
    );
    MonteCarloResults {
        trials: count as u64,
        seed: run.seed,
        complete,
        unit,
        expected_loss: total,
        standard_error: (variance / n).sqrt() * scale,
        p50: nearest_rank(&sorted, 0.50) * scale,
        p95: nearest_rank(&sorted, 0.95) * scale,
        p99: nearest_rank(&sorted, 0.99) * scale,
        cvar95: cvar * scale,
        max_loss: max * scale,
        probability_any_shortfall: tally.shortfall_trials as f64 / n,
        probability_any_loss: tally.loss_trials as f64 / n,
        histogram,
        exceedance,
        by_country,
        by_material,
        by_line,
        rates: run.rates.clone(),
        params: run.params.clone(),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

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
