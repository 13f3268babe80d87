//! Correlated shocks: the sets of materials that recorded events hit together.
//!
//! An event family is one country's recorded measures with the same footprint, the same
//! materials at the same stages: China's gallium and germanium controls (2023), its graphite
//! controls (2023), its antimony, gallium and germanium ban (2024), its rare-earth controls
//! (2025). Its rate is the recency-weighted fit of its events' years
//! ([`ProbabilityModel::fit`]), and when it fires in a trial it hits every material of its
//! footprint together, at the footprint's stages, with one severity and one duration; materials
//! outside the footprint are untouched. A country's governance shock
//! ([`ProbabilityModel::governance_probability`]) still hits all its materials.
//!
//! The families of one country and stage share the country's recorded events, so their rates
//! add up to the country's fitted rate at the stage (the fit is a weighted count, linear in the
//! events): the chance of *some* shock at a country and stage ([`CountryRate::probability`],
//! `1 - exp(-s (g W / 10 + h rate))`) is as before; what changed is which materials a shock hits.
//!
//! [`CountryRate::probability`]: super::CountryRate::probability

use super::rates::{HistoryFit, user_probability};
use super::trial::stage_index;
use super::{MonteCarloParams, ProbabilityModel};
use crate::analysis::scenario::presets::EventPreset;
use crate::model::{CountryCode, Stage};
use serde::Serialize;
use std::collections::BTreeMap;

/// One family of recorded events (see the module notes).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventFamily {
    /// The country whose supply the events cut.
    pub country: CountryCode,
    /// The footprint: each material hit with the stages it was hit at, materials in id order.
    pub targets: Vec<(String, Vec<Stage>)>,
    /// The ids of the events, in the data's order.
    pub events: Vec<String>,
    /// The fit of the family's rate to its events' years.
    pub fit: HistoryFit,
}

impl EventFamily {
    /// The stages at which the family hits `material` (bit `k` = stage `k`), 0 when it does not.
    pub fn mask_of(&self, material: &str) -> u8 {
        self.targets
            .iter()
            .find(|(m, _)| m == material)
            .map_or(0, |(_, stages)| {
                stages
                    .iter()
                    .fold(0, |mask, &s| mask | (1 << stage_index(s)))
            })
    }

    /// The stages of the whole footprint (bit `k` = stage `k`).
    pub fn mask(&self) -> u8 {
        self.targets
            .iter()
            .flat_map(|(_, stages)| stages)
            .fold(0, |mask, &s| mask | (1 << stage_index(s)))
    }
}

/// The event families of `events` that took effect with an effective date in the window of
/// `model` (the events [`history_years`](crate::analysis::scenario::presets::history_years)
/// counts), one per country and footprint, in country and footprint order.
pub fn event_families(events: &[EventPreset], model: &ProbabilityModel) -> Vec<EventFamily> {
    type Footprint = Vec<(String, Vec<usize>)>;
    let mut families: BTreeMap<(CountryCode, Footprint), (Vec<String>, Vec<u16>)> = BTreeMap::new();
    for event in events {
        let (Some(scenario), Some(effective)) = (&event.scenario, event.effective) else {
            continue;
        };
        if !scenario.took_effect
            || !(model.history_from..=model.history_to).contains(&effective.year)
        {
            continue;
        }
        let mut footprint: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for target in &scenario.targets {
            let stages = footprint.entry(target.material.clone()).or_default();
            stages.extend(target.stages.iter().map(|&s| stage_index(s)));
            stages.sort_unstable();
            stages.dedup();
        }
        let footprint: Footprint = footprint.into_iter().collect();
        for &country in &scenario.countries {
            let (ids, years) = families.entry((country, footprint.clone())).or_default();
            ids.push(event.id.clone());
            years.push(effective.year);
        }
    }
    families
        .into_iter()
        .map(|((country, footprint), (events, years))| EventFamily {
            country,
            targets: footprint
                .into_iter()
                .map(|(m, stages)| (m, stages.into_iter().map(|k| Stage::ALL[k]).collect()))
                .collect(),
            events,
            fit: model.fit(&years),
        })
        .collect()
}

/// The shocks of one country as the simulation draws them.
#[derive(Clone, Debug)]
pub struct CountryShocks<'f> {
    /// The governance shock's probability at each stage (drawn independently per stage; the
    /// user's probability where one is set).
    pub governance: [f64; 3],
    /// The country's event families with the probability that each fires.
    pub families: Vec<(f64, &'f EventFamily)>,
    /// The stages with a user-set probability (bit `k` = stage `k`): there the user's
    /// probability is the whole of the country's shock, and the families do not hit.
    pub user_set: u8,
}

impl CountryShocks<'_> {
    /// The shocks of `country` (EU-scaled `governance`, `None` = unknown) under `params`, with
    /// the families `families` (of every country).
    pub fn of<'f>(
        params: &MonteCarloParams,
        governance: Option<f64>,
        country: CountryCode,
        families: &'f [EventFamily],
    ) -> CountryShocks<'f> {
        let model = &params.probability_model;
        let mut user_set = 0;
        let governance = Stage::ALL.map(|stage| {
            if let Some(p) = user_probability(params, country, stage) {
                user_set |= 1 << stage_index(stage);
                p
            } else {
                model.governance_probability(governance)
            }
        });
        let families = families
            .iter()
            .filter(|f| f.country == country)
            .map(|f| (model.history_probability(f.fit.rate), f))
            .filter(|(p, _)| *p > 0.0)
            .collect();
        CountryShocks {
            governance,
            families,
            user_set,
        }
    }

    /// The laws of the disrupted-stage set of the shocks that hit `material`, one entry per
    /// (stage set, probability) of one shock: the governance shock's seven stage sets (stages
    /// independent, `prod_{j in H} p_j prod_{j not in H} (1 - p_j)`), then each family whose
    /// footprint holds the material, on its stages.
    pub fn patterns(&self, material: &str) -> Vec<(u8, f64)> {
        let p = self.governance;
        let mut out: Vec<(u8, f64)> = (1u8..8)
            .map(|mask| {
                let hit = |j: usize| mask & (1 << j) != 0;
                let probability = (0..3)
                    .map(|j| if hit(j) { p[j] } else { 1.0 - p[j] })
                    .product();
                (mask, probability)
            })
            .collect();
        for (q, family) in &self.families {
            let mask = self.mask_of(family, material);
            if mask != 0 {
                out.push((mask, *q));
            }
        }
        out
    }

    /// The stages at which `family` hits `material` here: its footprint for the material less
    /// the user-set stages.
    pub fn mask_of(&self, family: &EventFamily, material: &str) -> u8 {
        family.mask_of(material) & !self.user_set
    }
}
