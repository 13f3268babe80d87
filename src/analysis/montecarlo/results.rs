//! What a run reports: the loss statistics, histogram, exceedance curve and contributions
//! (see "Statistics" in the module notes of [`montecarlo`](super)).

use super::rates::CountryRate;
use super::{MonteCarlo, MonteCarloParams, Tally};
use crate::portfolio::Amount;
use serde::{Deserialize, Serialize};

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
pub(super) fn nearest_rank(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub(super) fn contributions(
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

pub(super) fn summarise(run: &MonteCarlo, tally: &Tally, complete: bool) -> MonteCarloResults {
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
    // A country's shocks (its governance shock and its event families) are one contribution.
    let mut per_country: Vec<(String, f64)> = Vec::new();
    for (source, &sum) in model.countries.iter().zip(&tally.by_country) {
        let name = source.code.to_string();
        match per_country.iter_mut().find(|(n, _)| *n == name) {
            Some((_, total)) => *total += sum,
            None => per_country.push((name, sum)),
        }
    }
    let (names, sums): (Vec<String>, Vec<f64>) = per_country.into_iter().unzip();
    let by_country = contributions(names, &sums, n, scale, total, true);
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
