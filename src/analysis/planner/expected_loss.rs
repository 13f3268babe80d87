//! The expected-loss objective: the expected annual revenue loss of a material's lines as a
//! function of the sourcing shares at the planned stage, derived from the Monte Carlo model
//! ([`montecarlo`](crate::analysis::montecarlo)) in closed form.
//!
//! # What the Monte Carlo model says about one country
//!
//! In a trial (one year), country `c`'s shocks fire independently
//! ([`CountryShocks`]: the same governance and event-family probabilities and the same user
//! overrides as the simulation): its governance shock disrupts each stage `j` independently with
//! its probability `p_j`, and each event family whose footprint holds the material disrupts the
//! footprint's stages together. Below, `P(H)` is the law of the disrupted-stage set `H` of one
//! shock (for a family: its probability on its footprint), and the country's loss the sum over
//! its shocks. Each shock that fires draws one severity
//! `X ~ U[a, b]` and one duration `D` (the atoms `(d, P(D = d))` of [`DurationModel::atoms`]).
//! On a line `l` with revenue share `rs_l`, inventory `m_l` months and share `s_j` of `c` at
//! stage `j`, the stage shortfall is `max(0, s_j X - r (1 - s_j))` with
//! spare capacity `r`, the line's shortfall `f` the largest over the disrupted stages `H`, and the
//! loss `rs_l max(0, f D - m_l) / 12`. Because `s X - r (1 - s) = s (X + r) - r` increases with
//! `s`, the largest stage shortfall is the one of the largest share:
//!
//! ```text
//! loss_cl = rs_l / 12 * max(0, (sigma (X + r) - r) D - m_l),   sigma = max_{j in H} s_j.
//! ```
//!
//! [`DurationModel::atoms`]: crate::analysis::montecarlo::DurationModel::atoms
//!
//! # The closed form (source: the model above; the integrals are elementary)
//!
//! With `K = r d + m_l` and `alpha = sigma d`, the expectation over the severity is
//!
//! ```text
//! g_d(sigma) = E_X[max(0, alpha (X + r) - K)]
//!            = 0                                          if alpha (b + r) <= K
//!            = alpha ((a + b) / 2 + r) - K                if alpha (a + r) >= K
//!            = (alpha (b + r) - K)^2 / (2 alpha (b - a))  otherwise,
//! ```
//!
//! and `psi_l(sigma) = rs_l / 12 * sum_d P(D = d) g_d(sigma)`. Summing over the disrupted-stage
//! sets `H` (probability `prod_{j in H} p_j prod_{j not in H} (1 - p_j)`), country `c`'s
//! expected loss on the line is `sum_H P(H) psi_l(sigma_l(H))`. At the planned stage `k` every
//! line of the material takes the plan's share `x_c` ([`apply`](super::apply) sets it on every
//! line), so for the sets containing `k`, `sigma = max(x_c, M_l(H))` with `M_l(H)` the largest
//! share of `c` at the other disrupted stages; the other sets give a constant. The material's
//! expected annual loss is
//!
//! ```text
//! EL(x) = sum_c [ const_c + phi_c(x_c) ],
//! phi_c(x) = sum_l sum_{H contains k} P(H) psi_l(max(x, M_l(H))),
//! ```
//!
//! over every country `c` of the material's look-through mixes (`ROW` is never disrupted).
//! Each `g_d` is convex and non-decreasing in `sigma` (the expectation of a convex
//! non-decreasing function of `sigma`), and so is its composition with `max(x, M)`: `phi_c` is
//! convex and non-decreasing, and the objective is **separable and convex**. Its derivative is
//! piecewise of the form `A + B / x^2` (`B <= 0`): on the middle branch
//! `d g_d / d sigma = d (b + r)^2 / (2 (b - a)) - K^2 / (2 (b - a) d sigma^2)`, on the upper
//! branch the constant `d ((a + b) / 2 + r)`; it is 0 below the first branch and below `M`
//! (where the other stage's share is the larger), with kinks at the shares `M` of the other
//! stages. A fixed severity (`a = b`) leaves only the kink at `alpha (a + r) = K`.
//!
//! # What the planner minimises, and how close it is to the Monte Carlo mean
//!
//! `EL` is the **first-order** expectation: the sum of each country's expected loss taken one
//! disruption at a time. The simulation adds the losses of the countries disrupted in one year,
//! then caps each line's loss at its revenue share and the year's total at 100 % of revenue.
//! One disruption alone never reaches a line's cap (`f <= 1`, `D <= 12`), so the two agree
//! exactly in every year in which at most one disrupted country supplies each line and the
//! lines' losses sum below 100 % of revenue; otherwise the caps only lower the simulated loss.
//! `EL` is therefore an upper bound of the Monte Carlo mean, exact up to the years with two or
//! more disruptions on one line (probability of order `p_c p_c'`), and it is what the Scenarios
//! page's expected loss would be without its caps. The tests measure the gap.
//!
//! Neglected, all below the simulation's own resolution: the generator draws the occurrence,
//! the severity and the duration from uniforms on a 2^-53 grid. Today's sourcing is, as for every objective, the stage's spend-weighted mix on every
//! line of the material.

use super::PlanError;
use crate::analysis::exposure::look_through_embedded;
use crate::analysis::montecarlo::families::{CountryShocks, EventFamily, event_families};
use crate::analysis::montecarlo::{MonteCarloParams, disruption_probability};
use crate::analysis::scenario::presets;
use crate::model::{CountryCode, CountryMix, Stage};
use crate::portfolio::Portfolio;
use crate::reference::ReferenceData;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The expected-loss objective's parameters: the Monte Carlo model whose expected annual loss is
/// minimised (spare capacity, severity and duration distributions, probability model and
/// overrides, annual revenue; its number of trials and histogram bins are not used), and the
/// currency of the annual revenue for the explanation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ExpectedLossParams {
    /// The model, as the Scenarios page and `chokepoint simulate --monte-carlo` take it.
    pub model: MonteCarloParams,
    /// The currency or unit of [`MonteCarloParams::annual_revenue`], for the text ("EUR").
    pub currency: Option<String>,
}

fn stage_index(stage: Stage) -> usize {
    match stage {
        Stage::Mining => 0,
        Stage::Refining => 1,
        Stage::Component => 2,
    }
}

/// One line of the material: `rs / 12`, inventory months, and its look-through mixes at the
/// stages other than the planned one.
#[derive(Clone, Debug)]
struct LineLoss {
    weight: f64,
    inventory: f64,
    others: [Option<CountryMix>; 3],
}

/// The expected-loss model of one material and stage of a portfolio (see the module notes).
///
/// ```
/// use chokepoint::analysis::montecarlo::{MonteCarloParams, ProbabilityOverride, Severity, DurationModel};
/// use chokepoint::analysis::planner::expected_loss::LossModel;
/// use chokepoint::portfolio::Portfolio;
/// use chokepoint::model::{CountryCode, CountryMix, Share, Stage};
/// let reference = chokepoint::reference::embedded();
/// let portfolio = Portfolio::from_json(r#"{"schema_version": 1, "lines": [{"material": "gallium",
///   "spend": 100, "revenue_share_pct": 20, "inventory_days": 0,
///   "sourcing": {"refining": {"CHN": 100}}}]}"#, reference).unwrap();
/// let chn = CountryCode::parse("CHN").unwrap();
/// let params = MonteCarloParams {
///     spare_capacity: Share::ZERO,
///     severity: Severity { min: 1.0, max: 1.0 },
///     duration: DurationModel::Fixed { months: 6.0 },
///     overrides: [Stage::Mining, Stage::Refining].map(|stage| ProbabilityOverride {
///         country: chn, stage, probability: Share::new(if stage == Stage::Refining { 0.1 } else { 0.0 }).unwrap(),
///     }).to_vec(),
///     ..MonteCarloParams::default()
/// };
/// let model = LossModel::new(&portfolio, reference, "gallium", Stage::Refining, &params).unwrap();
/// // 10 % a year, all of China's supply for six months: 0.1 * 20 % * 6 / 12 = 1 % of revenue,
/// // plus the mining countries' (world mix) disruptions, which do not depend on refining.
/// let today = model.expected_loss(&CountryMix::single(chn));
/// let half = model.expected_loss(&CountryMix::from_shares([(chn, 50.0), (CountryCode::parse("ROW").unwrap(), 50.0)]).unwrap());
/// assert!((today - half - 0.005).abs() < 1e-12);
/// ```
#[derive(Clone, Debug)]
pub struct LossModel<'r> {
    reference: &'r ReferenceData,
    params: MonteCarloParams,
    stage: Stage,
    history: BTreeMap<(CountryCode, Stage), Vec<u16>>,
    material: String,
    families: Vec<EventFamily>,
    lines: Vec<LineLoss>,
    atoms: Vec<(f64, f64)>,
    others: BTreeSet<CountryCode>,
}

impl<'r> LossModel<'r> {
    /// The model of `material` at `stage` in `portfolio`; probabilities from the embedded event
    /// history, as in [`MonteCarlo::new`](crate::analysis::montecarlo::MonteCarlo::new).
    /// Rejects parameters the simulation would reject (its trials and histogram bins aside).
    pub fn new(
        portfolio: &Portfolio,
        reference: &'r ReferenceData,
        material: &str,
        stage: Stage,
        params: &MonteCarloParams,
    ) -> Result<LossModel<'r>, PlanError> {
        let checked = MonteCarloParams {
            trials: 1,
            histogram_bins: 1,
            ..params.clone()
        };
        checked
            .validate()
            .map_err(|e| PlanError::InvalidParameter {
                name: "objective".to_string(),
                problem: e.to_string(),
            })?;
        let k = stage_index(stage);
        let mut lines = Vec::new();
        let mut others = BTreeSet::new();
        for line in portfolio.lines.iter().filter(|l| l.material == material) {
            let mut mixes: [Option<CountryMix>; 3] = [None, None, None];
            for resolved in look_through_embedded(line, reference, portfolio.look_through) {
                let j = stage_index(resolved.stage);
                if j == k {
                    continue;
                }
                if let Some(mix) = resolved.mix {
                    others.extend(
                        mix.entries()
                            .iter()
                            .filter(|(c, s)| !c.is_rest_of_world() && *s > 0.0)
                            .map(|(c, _)| *c),
                    );
                    mixes[j] = Some(mix.into_owned());
                }
            }
            lines.push(LineLoss {
                weight: line.revenue_share.get() / 12.0,
                inventory: crate::analysis::scenario::inventory_months(line.inventory_days.get()),
                others: mixes,
            });
        }
        let history = presets::history_years(
            presets::embedded_presets(),
            params.probability_model.history_from,
            params.probability_model.history_to,
        );
        Ok(LossModel {
            reference,
            params: params.clone(),
            stage,
            history,
            material: material.to_string(),
            families: event_families(presets::embedded_presets(), &params.probability_model),
            lines,
            atoms: params.duration.atoms(),
            others,
        })
    }

    /// The annual disruption probability of `country` at `stage`, as the simulation uses it (0
    /// for `ROW`).
    pub fn probability(&self, country: CountryCode, stage: Stage) -> f64 {
        if country.is_rest_of_world() {
            return 0.0;
        }
        let governance = self
            .reference
            .country(country)
            .and_then(|c| c.wgi_eu_scaled());
        let years = self
            .history
            .get(&(country, stage))
            .map_or(&[][..], Vec::as_slice);
        let rate = self.params.probability_model.fit(years).rate;
        disruption_probability(&self.params, governance, rate, country, stage).0
    }

    /// `country`'s expected loss on the material's lines as a function of its share at the
    /// planned stage (see the module notes).
    pub fn country(&self, country: CountryCode) -> CountryLoss {
        let k = stage_index(self.stage);
        let mut terms: BTreeMap<(u64, u64), f64> = BTreeMap::new();
        let mut constant = 0.0;
        // The country's shocks, each a law of the disrupted-stage set `H`: its governance shock
        // (stages independent) and each event family that hits the material (its footprint).
        let patterns = if country.is_rest_of_world() {
            Vec::new()
        } else {
            let governance = self
                .reference
                .country(country)
                .and_then(|c| c.wgi_eu_scaled());
            CountryShocks::of(&self.params, governance, country, &self.families)
                .patterns(&self.material)
        };
        for line in &self.lines {
            let share = |j: usize| line.others[j].as_ref().map_or(0.0, |m| m.share_of(country));
            for &(mask, probability) in &patterns {
                let hit = |j: usize| mask & (1 << j) != 0;
                if probability <= 0.0 {
                    continue;
                }
                let floor = (0..3)
                    .filter(|&j| j != k && hit(j))
                    .map(share)
                    .fold(0.0, f64::max);
                let weight = probability * line.weight;
                if hit(k) {
                    *terms
                        .entry((floor.to_bits(), line.inventory.to_bits()))
                        .or_insert(0.0) += weight;
                } else if floor > 0.0 {
                    constant += weight * self.psi(floor, line.inventory);
                }
            }
        }
        let terms: Vec<Term> = terms
            .into_iter()
            .filter(|(_, w)| *w > 0.0)
            .map(|((floor, inventory), weight)| Term {
                weight,
                floor: f64::from_bits(floor),
                inventory: f64::from_bits(inventory),
            })
            .collect();
        let pieces = self.pieces(&terms);
        CountryLoss {
            terms,
            constant,
            pieces,
            severity: (self.params.severity.min, self.params.severity.max),
            spare: self.params.spare_capacity.get(),
            atoms: self.atoms.clone(),
        }
    }

    /// `sum_d P(D = d) g_d(sigma)` for a line with `inventory` months.
    fn psi(&self, sigma: f64, inventory: f64) -> f64 {
        psi(
            sigma,
            inventory,
            (self.params.severity.min, self.params.severity.max),
            self.params.spare_capacity.get(),
            &self.atoms,
        )
    }

    /// The derivative pieces of `sum_t weight_t psi(max(x, floor_t))`.
    fn pieces(&self, terms: &[Term]) -> Pieces {
        let (a, b) = (self.params.severity.min, self.params.severity.max);
        let r = self.params.spare_capacity.get();
        // (from, to, dA, dB, curved)
        let mut spans: Vec<(f64, f64, f64, f64, bool)> = Vec::new();
        for term in terms {
            for &(d, pd) in &self.atoms {
                let c = term.weight * pd;
                if c <= 0.0 || d <= 0.0 || b + r <= 0.0 {
                    continue;
                }
                let k = r * d + term.inventory;
                let first = k / ((b + r) * d);
                if a < b {
                    let w = b - a;
                    let second = if a + r > 0.0 {
                        k / ((a + r) * d)
                    } else {
                        f64::INFINITY
                    };
                    let (from, to) = (first.max(term.floor), second.min(1.0));
                    if to > from {
                        spans.push((
                            from,
                            to,
                            c * d * (b + r) * (b + r) / (2.0 * w),
                            -c * k * k / (2.0 * w * d),
                            true,
                        ));
                    }
                    let from = second.max(term.floor);
                    if from < 1.0 {
                        spans.push((from, 1.0, c * d * ((a + b) / 2.0 + r), 0.0, false));
                    }
                } else {
                    let from = first.max(term.floor);
                    if from < 1.0 {
                        spans.push((from, 1.0, c * d * (a + r), 0.0, false));
                    }
                }
            }
        }
        Pieces::from_spans(&spans)
    }

    /// The material's expected annual loss (a fraction of annual revenue, first order: see the
    /// module notes) with `mix` as the planned stage's mix on every line of the material.
    pub fn expected_loss(&self, mix: &CountryMix) -> f64 {
        let mut countries = self.others.clone();
        countries.extend(
            mix.entries()
                .iter()
                .filter(|(c, s)| !c.is_rest_of_world() && *s > 0.0)
                .map(|(c, _)| *c),
        );
        countries
            .into_iter()
            .map(|c| {
                let loss = self.country(c);
                loss.constant + loss.value(mix.share_of(c))
            })
            .sum()
    }

    /// The derivative of [`expected_loss`](Self::expected_loss) with respect to `country`'s
    /// share at `share`, from the left and from the right (they differ at kinks).
    pub fn marginal(&self, country: CountryCode, share: f64) -> (f64, f64) {
        self.country(country).marginal(share)
    }

    /// The countries at the material's other stages: their loss does not depend on the plan
    /// except through their own share at the planned stage.
    pub(crate) fn other_countries(&self) -> &BTreeSet<CountryCode> {
        &self.others
    }
}

/// `g_d` summed over the duration atoms (see the module notes), for a line with `inventory`
/// months, severity `U[a, b]` and spare capacity `r`.
fn psi(sigma: f64, inventory: f64, (a, b): (f64, f64), r: f64, atoms: &[(f64, f64)]) -> f64 {
    atoms
        .iter()
        .map(|&(d, pd)| {
            let alpha = sigma * d;
            let k = r * d + inventory;
            let top = alpha * (b + r) - k;
            if alpha <= 0.0 || top <= 0.0 {
                return 0.0;
            }
            let bottom = alpha * (a + r) - k;
            let g = if bottom >= 0.0 {
                alpha * ((a + b) / 2.0 + r) - k
            } else {
                // top > 0 > bottom implies b > a.
                top * top / (2.0 * alpha * (b - a))
            };
            pd * g
        })
        .sum()
}

/// `weight * psi(max(x, floor))` for lines with `inventory` months.
#[derive(Clone, Debug, PartialEq)]
struct Term {
    weight: f64,
    floor: f64,
    inventory: f64,
}

/// One country's expected loss on a material's lines (a fraction of annual revenue) as a
/// function of its share `x` at the planned stage: `constant() + value(x)`.
#[derive(Clone, Debug)]
pub struct CountryLoss {
    terms: Vec<Term>,
    /// The part that does not depend on the share (disruptions of other stages only).
    pub(crate) constant: f64,
    /// The derivative, piece by piece.
    pub(crate) pieces: Pieces,
    severity: (f64, f64),
    spare: f64,
    atoms: Vec<(f64, f64)>,
}

impl CountryLoss {
    /// `const_c`: the loss from the disruptions of the other stages alone.
    pub fn constant(&self) -> f64 {
        self.constant
    }

    /// The derivative of [`value`](Self::value) at `x`, from the left and from the right.
    pub fn marginal(&self, x: f64) -> (f64, f64) {
        (self.pieces.left(x), self.pieces.right(x))
    }

    /// `phi_c(x)`: the share-dependent part of the country's expected loss, in closed form.
    pub fn value(&self, x: f64) -> f64 {
        self.terms
            .iter()
            .map(|t| {
                t.weight
                    * psi(
                        x.max(t.floor),
                        t.inventory,
                        self.severity,
                        self.spare,
                        &self.atoms,
                    )
            })
            .sum()
    }
}

/// A convex function on `[0, 1]` through its derivative, piecewise `a_i + b_i / x^2` with
/// `b_i <= 0` on `[at_i, at_{i+1}]`: non-decreasing, with jumps (kinks of the function) at some
/// `at_i`; and the function itself, 0 at 0, integrated piece by piece.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pieces {
    at: Vec<f64>,
    a: Vec<f64>,
    b: Vec<f64>,
    /// The function at each `at_i`.
    values: Vec<f64>,
    /// The derivative at the start and at the end of each piece (non-decreasing).
    starts: Vec<f64>,
    ends: Vec<f64>,
}

impl Pieces {
    /// The sum of spans `(from, to, a, b, curved)`, each adding `a + b / x^2` on `[from, to]`.
    /// Sums are kept by a sweep; a piece with no curved span has `b = 0` exactly, and one with
    /// no span at all `a = 0` exactly.
    fn from_spans(spans: &[(f64, f64, f64, f64, bool)]) -> Pieces {
        let mut at: Vec<f64> = vec![0.0, 1.0];
        for s in spans {
            at.push(s.0.clamp(0.0, 1.0));
            at.push(s.1.clamp(0.0, 1.0));
        }
        crate::model::order::sort_by(&mut at, f64::total_cmp);
        at.dedup();
        // Events: (position, index of span, +1 start / -1 end).
        let mut events: Vec<(f64, usize, bool)> = Vec::with_capacity(2 * spans.len());
        for (i, s) in spans.iter().enumerate() {
            events.push((s.0.clamp(0.0, 1.0), i, true));
            events.push((s.1.clamp(0.0, 1.0), i, false));
        }
        crate::model::order::sort_by(&mut events, |x, y| x.0.total_cmp(&y.0));
        let pieces = at.len() - 1;
        let mut a = Vec::with_capacity(pieces);
        let mut b = Vec::with_capacity(pieces);
        let (mut sa, mut sb) = (0.0, 0.0);
        let (mut open, mut curved) = (0usize, 0usize);
        let mut next = 0;
        for &start in &at[..pieces] {
            while next < events.len() && events[next].0 <= start {
                let (_, i, begins) = events[next];
                let s = spans[i];
                if begins {
                    sa += s.2;
                    sb += s.3;
                    open += 1;
                    curved += usize::from(s.4);
                } else {
                    sa -= s.2;
                    sb -= s.3;
                    open -= 1;
                    curved -= usize::from(s.4);
                }
                next += 1;
            }
            if open == 0 {
                sa = 0.0;
            }
            if curved == 0 {
                sb = 0.0;
            }
            a.push(sa);
            b.push(sb);
        }
        let mut values = vec![0.0; at.len()];
        for i in 0..pieces {
            values[i + 1] = values[i] + integral(a[i], b[i], at[i], at[i + 1]);
        }
        Pieces::with_slopes(at, a, b, values)
    }

    fn with_slopes(at: Vec<f64>, a: Vec<f64>, b: Vec<f64>, values: Vec<f64>) -> Pieces {
        let slope = |i: usize, x: f64| {
            if b[i] == 0.0 || x <= 0.0 {
                a[i]
            } else {
                a[i] + b[i] / (x * x)
            }
        };
        let starts = (0..a.len()).map(|i| slope(i, at[i])).collect();
        let ends = (0..a.len()).map(|i| slope(i, at[i + 1])).collect();
        Pieces {
            at,
            a,
            b,
            values,
            starts,
            ends,
        }
    }

    /// The pieces multiplied by `factor` (positive).
    pub fn scaled(&self, factor: f64) -> Pieces {
        let times = |v: &Vec<f64>| v.iter().map(|v| v * factor).collect();
        Pieces::with_slopes(
            self.at.clone(),
            times(&self.a),
            times(&self.b),
            times(&self.values),
        )
    }

    /// The function at `x` (0 at 0), from the derivative.
    pub fn value(&self, x: f64) -> f64 {
        let x = x.clamp(0.0, 1.0);
        let i = self
            .at
            .partition_point(|&t| t <= x)
            .saturating_sub(1)
            .min(self.len() - 1);
        self.values[i] + integral(self.a[i], self.b[i], self.at[i], x)
    }

    fn len(&self) -> usize {
        self.a.len()
    }

    fn slope(&self, i: usize, x: f64) -> f64 {
        if self.b[i] == 0.0 || x <= 0.0 {
            self.a[i]
        } else {
            self.a[i] + self.b[i] / (x * x)
        }
    }

    /// The derivative from the right at `x` (from the left at 1).
    pub fn right(&self, x: f64) -> f64 {
        let i = self
            .at
            .partition_point(|&t| t <= x)
            .saturating_sub(1)
            .min(self.len() - 1);
        self.slope(i, x.clamp(0.0, 1.0))
    }

    /// The derivative from the left at `x` (from the right at 0).
    pub fn left(&self, x: f64) -> f64 {
        let i = self
            .at
            .partition_point(|&t| t < x)
            .saturating_sub(1)
            .min(self.len() - 1);
        self.slope(i, x.clamp(0.0, 1.0))
    }

    /// Inside a curved piece: the share where the derivative is `s`, and how fast it moves with
    /// `s` (`x^3 / (-2 b)`), clamped to the piece.
    fn solve(&self, i: usize, s: f64) -> (f64, f64) {
        let (a, b) = (self.a[i], self.b[i]);
        let x = (b / (s - a)).sqrt();
        if x.is_finite() && x > self.at[i] && x < self.at[i + 1] {
            (x, x * x * x / (-2.0 * b))
        } else if x.is_finite() && x >= self.at[i + 1] {
            (self.at[i + 1], 0.0)
        } else {
            (self.at[i], 0.0)
        }
    }

    /// The least `x` in `[0, 1]` where the right derivative reaches `s` (1 when it never does),
    /// and its rate of change with `s` (0 at a piece's end or a kink).
    pub fn least(&self, s: f64) -> (f64, f64) {
        // The first piece whose end reaches s.
        let lo = self.ends.partition_point(|&e| e < s);
        if lo == self.len() {
            return (1.0, 0.0);
        }
        if self.starts[lo] >= s || self.b[lo] == 0.0 {
            (self.at[lo], 0.0)
        } else {
            self.solve(lo, s)
        }
    }

    /// The greatest `x` in `[0, 1]` where the left derivative is at most `s` (0 when it never
    /// is).
    pub fn greatest(&self, s: f64) -> f64 {
        // The last piece whose start is at most s.
        let lo = self.starts.partition_point(|&v| v <= s);
        if lo == 0 {
            return 0.0;
        }
        let i = lo - 1;
        if self.ends[i] <= s || self.b[i] == 0.0 {
            self.at[i + 1]
        } else {
            self.solve(i, s).0
        }
    }

    /// The largest interval around `x` on which the function is linear, with its slope: both
    /// sides when the slope is the same, otherwise the left one (or the right one when the left
    /// has no length). `None` on a curved piece away from linear ones.
    pub fn linear_around(&self, x: f64) -> Option<(f64, f64, f64)> {
        let n = self.len();
        let same = |u: f64, v: f64| (u - v).abs() <= 1e-12 * (1.0 + u.abs().max(v.abs()));
        let right = (x < 1.0)
            .then(|| {
                let i = self.at.partition_point(|&t| t <= x).saturating_sub(1);
                (self.b[i] == 0.0).then(|| {
                    let mut j = i;
                    while j + 1 < n && self.b[j + 1] == 0.0 && same(self.a[j + 1], self.a[i]) {
                        j += 1;
                    }
                    (self.a[i], self.at[j + 1])
                })
            })
            .flatten();
        let left = (x > 0.0)
            .then(|| {
                let i = self.at.partition_point(|&t| t < x).saturating_sub(1);
                (self.b[i] == 0.0).then(|| {
                    let mut j = i;
                    while j > 0 && self.b[j - 1] == 0.0 && same(self.a[j - 1], self.a[i]) {
                        j -= 1;
                    }
                    (self.a[i], self.at[j])
                })
            })
            .flatten();
        match (left, right) {
            (Some((sl, from)), Some((sr, to))) if same(sl, sr) => Some((sl, from, to)),
            (Some((sl, from)), _) if from < x => Some((sl, from, x)),
            (_, Some((sr, to))) if to > x => Some((sr, x, to)),
            _ => None,
        }
    }
}

/// `integral_from^to (a + b / x^2) dx = a (to - from) + b (1 / from - 1 / to)` (`b = 0` where
/// `from` may be 0).
fn integral(a: f64, b: f64, from: f64, to: f64) -> f64 {
    if b == 0.0 || from <= 0.0 {
        a * (to - from)
    } else {
        a * (to - from) + b * (1.0 / from - 1.0 / to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loss(terms: Vec<Term>, severity: (f64, f64), spare: f64, atoms: Vec<(f64, f64)>) -> Pieces {
        let params = MonteCarloParams {
            severity: crate::analysis::montecarlo::Severity {
                min: severity.0,
                max: severity.1,
            },
            spare_capacity: crate::model::Share::new(spare).unwrap(),
            ..MonteCarloParams::default()
        };
        let model = LossModel {
            reference: crate::reference::embedded(),
            params,
            stage: Stage::Refining,
            history: BTreeMap::new(),
            material: String::new(),
            families: Vec::new(),
            lines: vec![],
            atoms,
            others: BTreeSet::new(),
        };
        model.pieces(&terms)
    }

    fn value(
        terms: &[Term],
        severity: (f64, f64),
        spare: f64,
        atoms: &[(f64, f64)],
        x: f64,
    ) -> f64 {
        terms
            .iter()
            .map(|t| t.weight * psi(x.max(t.floor), t.inventory, severity, spare, atoms))
            .sum()
    }

    #[test]
    fn pieces_are_the_derivative_of_the_closed_form() {
        let atoms = crate::analysis::montecarlo::DurationModel::default().atoms();
        let terms = vec![
            Term {
                weight: 0.02,
                floor: 0.0,
                inventory: 1.0,
            },
            Term {
                weight: 0.01,
                floor: 0.45,
                inventory: 0.5,
            },
            Term {
                weight: 0.005,
                floor: 0.0,
                inventory: 0.0,
            },
        ];
        for (severity, spare) in [((0.25, 1.0), 0.1), ((0.5, 0.5), 0.1), ((0.0, 1.0), 0.0)] {
            let pieces = loss(terms.clone(), severity, spare, atoms.clone());
            let h = 1e-6;
            for i in 1..200 {
                let x = f64::from(i) / 200.0;
                let up = (value(&terms, severity, spare, &atoms, x + h)
                    - value(&terms, severity, spare, &atoms, x))
                    / h;
                let down = (value(&terms, severity, spare, &atoms, x)
                    - value(&terms, severity, spare, &atoms, x - h))
                    / h;
                assert!(
                    (pieces.right(x) - up).abs() < 1e-5,
                    "{severity:?} right at {x}: {} vs {up}",
                    pieces.right(x)
                );
                assert!(
                    (pieces.left(x) - down).abs() < 1e-5,
                    "{severity:?} left at {x}: {} vs {down}",
                    pieces.left(x)
                );
                assert!(pieces.left(x) <= pieces.right(x) + 1e-15);
                let closed = value(&terms, severity, spare, &atoms, x)
                    - value(&terms, severity, spare, &atoms, 0.0);
                assert!(
                    (pieces.value(x) - closed).abs() < 1e-14,
                    "{x}: {}",
                    pieces.value(x)
                );
            }
        }
    }

    #[test]
    fn inverses_of_the_derivative() {
        let atoms = crate::analysis::montecarlo::DurationModel::default().atoms();
        let terms = vec![Term {
            weight: 0.02,
            floor: 0.3,
            inventory: 1.0,
        }];
        let pieces = loss(terms, (0.25, 1.0), 0.1, atoms);
        for i in 0..=100 {
            let s = pieces.right(1.0) * f64::from(i) / 90.0;
            let (x, _) = pieces.least(s);
            let y = pieces.greatest(s);
            assert!(x <= y + 1e-15, "{s}: {x} > {y}");
            if x > 0.0 {
                assert!(pieces.left(x) <= s * (1.0 + 1e-12) + 1e-15, "{s}: {x}");
            }
            if x < 1.0 {
                assert!(pieces.right(x) >= s * (1.0 - 1e-12) - 1e-15, "{s}: {x}");
            }
            if y < 1.0 {
                assert!(pieces.right(y) >= s * (1.0 - 1e-12) - 1e-15, "{s}: {y}");
            }
        }
        // Below the floor of 0.3 the function is flat at 0: every share up to the first loss
        // minimises it at slope 0.
        assert_eq!(pieces.least(0.0).0, 0.0);
        assert!(pieces.greatest(0.0) >= 0.3);
        let (slope, from, to) = pieces.linear_around(0.1).unwrap();
        assert_eq!((slope, from), (0.0, 0.0));
        assert!(to >= 0.3);
    }
}
