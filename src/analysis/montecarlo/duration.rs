//! How long a disruption lasts: the duration laws of the simulation and their fit to how long
//! the recorded measures stayed in force (see the module notes of [`montecarlo`](super)).

use super::HORIZON_MONTHS;
use super::trial::DURATION_STEPS;
use crate::analysis::scenario::presets::{self, EventPreset};
use serde::Serialize;

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
    pub(super) fn survival(&self) -> [f64; DURATION_STEPS] {
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
pub(super) fn lognormal_censored_mle(ended: &[f64], in_force: &[f64]) -> Option<(f64, f64)> {
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
