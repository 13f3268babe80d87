//! The annual disruption probability of each supplier country and stage: governance and the
//! recency-weighted fit of the recorded events (see the module notes of [`montecarlo`](super)).

use super::MonteCarloParams;
use super::trial::compile;
use crate::analysis::scenario::presets::EventPreset;
use crate::model::{CountryCode, Share, Stage};
use crate::portfolio::Portfolio;
use crate::reference::ReferenceData;
use serde::Serialize;

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
        self.hazard_probability(
            self.rate_scale * (self.governance_term(governance) + self.history_term(event_rate)),
        )
    }

    /// The annual probability of a country's governance shock alone, `1 - exp(-s g W / 10)`:
    /// the shock that hits all of the country's materials at a stage.
    pub fn governance_probability(&self, governance: Option<f64>) -> f64 {
        self.hazard_probability(self.rate_scale * self.governance_term(governance))
    }

    /// The annual probability that an event family with the fitted rate `event_rate` fires,
    /// `1 - exp(-s h rate)` ([`families`](super::families)).
    pub fn history_probability(&self, event_rate: f64) -> f64 {
        self.hazard_probability(self.rate_scale * self.history_term(event_rate))
    }

    /// `g W / 10`, the governance term of the rate before the scale.
    fn governance_term(&self, governance: Option<f64>) -> f64 {
        let w = governance
            .unwrap_or(self.unknown_governance)
            .clamp(0.0, 10.0);
        self.governance_rate * w / 10.0
    }

    /// `h rate`, the history term of the rate before the scale.
    fn history_term(&self, event_rate: f64) -> f64 {
        self.history_weight * event_rate
    }

    /// `1 - exp(-lambda)`, 0 for a negative or non-finite result.
    fn hazard_probability(&self, lambda: f64) -> f64 {
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
    match user_probability(params, country, stage) {
        Some(p) => (p, ProbabilityBasis::User),
        None => (
            params.probability_model.probability(governance, event_rate),
            ProbabilityBasis::Default,
        ),
    }
}

/// The user's probability for `country` and `stage` (the last one given), if any.
pub(super) fn user_probability(
    params: &MonteCarloParams,
    country: CountryCode,
    stage: Stage,
) -> Option<f64> {
    params
        .overrides
        .iter()
        .rev()
        .find(|o| o.country == country && o.stage == stage)
        .map(|o| o.probability.get())
}
