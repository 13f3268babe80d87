//! The compiled model and one trial: which countries a trial disrupts, at which stages, for how
//! long, and the loss on each line (see the module notes of [`montecarlo`](super)).

use super::families::{CountryShocks, event_families};
use super::rates::{CountryRate, disruption_probability};
use super::rng::Xoshiro256StarStar;
use super::{DurationModel, HORIZON_MONTHS, MonteCarloParams, Severity, Tally};
use crate::analysis::exposure::look_through_embedded;
use crate::analysis::scenario::presets::{self, EventPreset};
use crate::model::CountryCode;
use crate::model::Stage;
use crate::portfolio::Portfolio;
use crate::reference::ReferenceData;

/// One line as the simulation sees it.
#[derive(Clone, Debug)]
pub(super) struct LineModel {
    pub(super) revenue_share: f64,
    pub(super) inventory_months: f64,
    pub(super) material: usize,
}

/// One line a country supplies: its share `s` at each stage and the spare-capacity term
/// `r (1 - s)` (0 where the country has no share).
#[derive(Clone, Debug)]
pub(super) struct Entry {
    pub(super) line: usize,
    pub(super) share: [f64; 3],
    pub(super) spare: [f64; 3],
}

/// One country: its per-stage probabilities, the law of its stage pattern given a disruption
/// and the lines it supplies.
#[derive(Clone, Debug)]
pub(super) struct CountryModel {
    pub(super) code: CountryCode,
    pub(super) probability: [f64; 3],
    /// `P(no stage disrupted) = prod_k (1 - p_k)`.
    pub(super) keep: f64,
    /// The stage patterns that can occur (bit `k` = stage `k` disrupted) with their cumulative
    /// unnormalised probabilities `prod_{k in m} p_k prod_{k not in m} (1 - p_k)`, ascending.
    pub(super) patterns: Vec<(u8, f64)>,
    pub(super) entries: Vec<Entry>,
}

impl CountryModel {
    /// Fills `keep` and `patterns` from `probability`.
    pub(super) fn compile_patterns(&mut self) {
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
pub(super) const MIN_SURVIVAL: f64 = 1e-250;

/// The compiled model: everything a trial needs, precomputed.
#[derive(Clone, Debug)]
pub(super) struct Model {
    pub(super) countries: Vec<CountryModel>,
    /// `survival[j] = prod_{i in block, i <= j} keep_i`: the probability that none of the
    /// countries of `j`'s block up to `j` is disrupted. Non-increasing within a block.
    pub(super) survival: Vec<f64>,
    /// The blocks `[start, end)` of country indices the occurrence search runs over. One block
    /// unless a country is disrupted with certainty (it ends its block) or the survival level
    /// falls below [`MIN_SURVIVAL`].
    pub(super) blocks: Vec<(usize, usize)>,
    pub(super) lines: Vec<LineModel>,
    pub(super) materials: Vec<String>,
    pub(super) severity: Severity,
    pub(super) duration: DurationModel,
    /// `P(D > d)` for `d` = 1 to 11 ([`DurationModel::survival`]).
    pub(super) stay: [f64; DURATION_STEPS],
}

/// The durations a geometric draw can exceed: 1 to 11 months (12 is the horizon).
pub(super) const DURATION_STEPS: usize = HORIZON_MONTHS as usize - 1;

impl Model {
    pub(super) fn new(
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

pub(super) fn stage_index(stage: Stage) -> usize {
    match stage {
        Stage::Mining => 0,
        Stage::Refining => 1,
        Stage::Component => 2,
    }
}

pub(super) fn compile(
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
            inventory_months: crate::analysis::scenario::inventory_months(
                line.inventory_days.get(),
            ),
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
    let sources = shock_sources(countries, reference, params, events, &lines, &materials);
    let model = Model::new(sources, lines, materials, params.severity, params.duration);
    (model, rates)
}

/// The sources of shocks a trial draws from, from the countries with their lines: per country
/// its governance shock (every line, each stage independently) and its event families (the
/// lines of the family's materials, at the family's stages, together), in country order. See
/// [`families`](super::families).
fn shock_sources(
    countries: Vec<CountryModel>,
    reference: &ReferenceData,
    params: &MonteCarloParams,
    events: &[EventPreset],
    lines: &[LineModel],
    materials: &[String],
) -> Vec<CountryModel> {
    let clean = |p: f64| if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
    let families = event_families(events, &params.probability_model);
    let mut sources = Vec::new();
    for country in countries {
        let governance = reference
            .country(country.code)
            .and_then(|c| c.wgi_eu_scaled());
        let shocks = CountryShocks::of(params, governance, country.code, &families);
        for (p, family) in &shocks.families {
            let entries: Vec<Entry> = country
                .entries
                .iter()
                .filter_map(|e| {
                    let mask = shocks.mask_of(family, &materials[lines[e.line].material]);
                    let mut entry = e.clone();
                    for k in 0..3 {
                        if mask & (1 << k) == 0 {
                            entry.share[k] = 0.0;
                            entry.spare[k] = 0.0;
                        }
                    }
                    entry.share.iter().any(|&s| s > 0.0).then_some(entry)
                })
                .collect();
            let mask = entries.iter().fold(0u8, |mask, e| {
                (0..3).fold(mask, |m, k| if e.share[k] > 0.0 { m | (1 << k) } else { m })
            });
            let p = clean(*p);
            if mask != 0 && p > 0.0 {
                sources.push(CountryModel {
                    code: country.code,
                    probability: [0.0; 3],
                    keep: 1.0 - p,
                    patterns: vec![(mask, p)],
                    entries,
                });
            }
        }
        let mut source = country;
        for k in 0..3 {
            source.probability[k] = if source.entries.iter().any(|e| e.share[k] > 0.0) {
                clean(shocks.governance[k])
            } else {
                0.0
            };
        }
        if source.probability.iter().any(|&p| p > 0.0) {
            source.compile_patterns();
            sources.push(source);
        }
    }
    sources
}

impl Model {
    /// A duration in months. Geometric: `D = 1 + #{d in 1..=11 : U <= (1 - q)^d}` with `U`
    /// uniform on `(0, 1]`, so `P(D > d) = (1 - q)^d`, clipped at the 12-month horizon (the
    /// inverse transform `1 + floor(ln U / ln(1 - q))` without the logarithm).
    #[inline]
    pub(super) fn draw_duration(&self, rng: &mut Xoshiro256StarStar) -> f64 {
        match self.duration {
            DurationModel::Fixed { months } => months,
            DurationModel::Geometric { .. } | DurationModel::LogNormal { .. } => {
                let u = 1.0 - rng.next_f64();
                1.0 + self.stay.partition_point(|&s| u <= s) as f64
            }
        }
    }

    /// Runs trial `trial` of the run whose [`run_key`] is `key` and adds it to `tally`.
    pub(super) fn trial(&self, key: u64, trial: u64, tally: &mut Tally, scratch: &mut Scratch) {
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
    pub(super) fn disruptions(
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
    pub(super) fn disrupt(
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
    pub(super) fn record(&self, scratch: &mut Scratch, tally: &mut Tally) -> f64 {
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
pub(super) struct Scratch {
    pub(super) hits: Vec<Hit>,
    /// Per line: the losses whose binding stage is mining, refining, component, and their sum.
    pub(super) line_totals: Vec<[f64; 4]>,
}

/// One country's loss on one line in a trial (before capping).
#[derive(Clone, Copy, Debug)]
pub(super) struct Hit {
    pub(super) country: usize,
    pub(super) line: usize,
    /// The binding stage (index as in `stage_index`).
    pub(super) stage: usize,
    pub(super) loss: f64,
}
