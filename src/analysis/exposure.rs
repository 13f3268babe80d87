//! Look-through exposure: the country mix a firm really depends on at each stage, the worst
//! stage, and the hidden exposure behind its direct suppliers.
//!
//! # Look-through
//!
//! For each line and stage, the firm's own mix is used where it knows it; an unknown *upstream*
//! stage (mining, refining) defaults to the world mix of that stage from the reference data
//! ([`ReferenceData::world_mix`]); an unknown component stage means the firm buys no component
//! (there is no world mix of components). A stage with neither is
//! [`MixBasis::Unavailable`]. Using the world mix assumes the firm's suppliers source like the
//! world market does, the usual default when nothing better is known (IEA 2024, *Global Critical
//! Minerals Outlook*, uses world shares the same way).
//!
//! # Aggregation
//!
//! Several lines combine into one mix per stage by weighting (spend, or revenue dependence):
//! `s_c = sum_i w_i * s_ic / sum_i w_i` over the lines with a mix at that stage
//! ([`weighted_mix`]). When every weight is zero the lines count equally.
//!
//! # Hidden exposure
//!
//! A line's *direct stage* is its most downstream stage with a mix the firm knows (component,
//! else refining, else mining). For each stage upstream of it and each named country `c`:
//! `hidden_c = max(0, s_c(upstream) - s_c(direct))`, in fractions: how much more the firm depends
//! on `c` upstream than its direct suppliers show. Buying all magnets from Japan while 91 % of
//! magnet rare-earth refining is in China is a hidden exposure of 0.91 to China at refining.
//! `ROW` is not a country and is left out. A line with no known stage has no direct stage and no
//! hidden exposure (all of its exposure is look-through).
//!
//! For several lines (a material, the whole portfolio) the same formula compares the weighted
//! look-through mix of each upstream stage with the weighted mix of the lines' direct suppliers
//! (each line's direct-stage mix), over the lines that have a direct stage
//! ([`hidden_between`]).

use crate::model::portfolio::Line;
use crate::model::{CountryCode, CountryMix, Stage};
use crate::reference::ReferenceData;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a stage's mix comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MixBasis {
    /// The firm's own sourcing, as entered.
    User,
    /// The world mix from the reference data (look-through).
    World,
    /// Some lines' own sourcing, other lines' world mix (aggregates only).
    Mixed,
    /// Neither: the stage is unknown and the reference data has no world mix for it.
    Unavailable,
}

impl MixBasis {
    /// The basis of an aggregate of parts with bases `self` and `other`.
    pub fn combine(self, other: MixBasis) -> MixBasis {
        match (self, other) {
            (MixBasis::Unavailable, b) | (b, MixBasis::Unavailable) => b,
            (a, b) if a == b => a,
            _ => MixBasis::Mixed,
        }
    }
}

/// One stage of one line after the look-through.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedStage<'a> {
    /// The stage.
    pub stage: Stage,
    /// Where the mix comes from.
    pub basis: MixBasis,
    /// The mix; `None` when [`MixBasis::Unavailable`].
    pub mix: Option<&'a CountryMix>,
}

/// The mix of each stage of `line`, upstream first, after the look-through (see the module
/// notes). The component stage is listed only when the firm gave a component mix.
///
/// ```
/// use chokepoint::analysis::exposure::{look_through, MixBasis};
/// use chokepoint::model::{CountryCode, CountryMix, Share, Stage};
/// use chokepoint::model::portfolio::{Amount, Line, Sourcing};
/// use chokepoint::reference::{Material, ReferenceData, SourceRef, StageSeries};
/// let chn = CountryCode::parse("CHN").unwrap();
/// let reference = ReferenceData {
///     materials: vec![Material {
///         id: "gallium".into(), name: "Gallium".into(), symbols: vec![], lists: Default::default(),
///         eu: None,
///         stages: vec![StageSeries {
///             stage: Stage::Refining, detail: String::new(), mix: CountryMix::single(chn),
///             source: SourceRef { dataset: "X".into(), year: 2024 }, unit: String::new(),
///             older_data: false, caveats: vec![], withheld: vec![], published: vec![],
///             world_total: None, previous: None, projections: vec![],
///         }],
///     }],
///     countries: vec![], groups: vec![], datasets: vec![],
/// };
/// let line = Line {
///     material: "gallium".into(), label: None, spend: Amount::new(1.0).unwrap(),
///     revenue_share: Share::ZERO, inventory_days: Amount::ZERO, sourcing: Sourcing::default(),
///     end_use: None, facility_counts: vec![],
/// };
/// let stages = look_through(&line, &reference);
/// assert_eq!(stages[0].basis, MixBasis::Unavailable); // no mining data
/// assert_eq!(stages[1].basis, MixBasis::World);
/// assert_eq!(stages.len(), 2); // no component bought
/// ```
pub fn look_through<'a>(line: &'a Line, reference: &'a ReferenceData) -> Vec<ResolvedStage<'a>> {
    Stage::ALL
        .into_iter()
        .filter_map(|stage| {
            if let Some(mix) = line.sourcing.get(stage) {
                return Some(ResolvedStage {
                    stage,
                    basis: MixBasis::User,
                    mix: Some(mix),
                });
            }
            if stage == Stage::Component {
                return None;
            }
            let world = reference.world_mix(&line.material, stage);
            Some(ResolvedStage {
                stage,
                basis: if world.is_some() {
                    MixBasis::World
                } else {
                    MixBasis::Unavailable
                },
                mix: world,
            })
        })
        .collect()
}

/// The weighted average of `parts` (weight, mix): `s_c = sum_i w_i s_ic / sum_i w_i`. Negative
/// and non-finite weights count as zero; when all weights are zero the parts count equally.
/// `None` when there is no part. The result sums to 1.
///
/// ```
/// use chokepoint::analysis::exposure::weighted_mix;
/// use chokepoint::model::{CountryCode, CountryMix};
/// let c = |s: &str| CountryCode::parse(s).unwrap();
/// let a = CountryMix::single(c("JPN"));
/// let b = CountryMix::from_shares([(c("CHN"), 50.0), (c("JPN"), 50.0)]).unwrap();
/// let mix = weighted_mix([(3.0, &a), (1.0, &b)]).unwrap();
/// assert!((mix.share_of(c("JPN")) - 0.875).abs() < 1e-12); // (3 * 1 + 1 * 0.5) / 4
/// ```
pub fn weighted_mix<'a>(
    parts: impl IntoIterator<Item = (f64, &'a CountryMix)>,
) -> Option<CountryMix> {
    let parts: Vec<(f64, &CountryMix)> = parts
        .into_iter()
        .map(|(w, m)| (if w.is_finite() && w > 0.0 { w } else { 0.0 }, m))
        .collect();
    let total: f64 = parts.iter().map(|(w, _)| w).sum();
    let equal = !(total > 0.0 && total.is_finite());
    let mut sums: BTreeMap<CountryCode, f64> = BTreeMap::new();
    for (weight, mix) in &parts {
        let weight = if equal { 1.0 } else { *weight };
        for &(country, share) in mix.entries() {
            *sums.entry(country).or_insert(0.0) += weight * share;
        }
    }
    CountryMix::from_shares(sums).ok()
}

/// The most downstream stage whose mix the firm knows: where its direct suppliers sit.
pub fn direct_stage(line: &Line) -> Option<Stage> {
    Stage::ALL
        .into_iter()
        .rev()
        .find(|&stage| line.sourcing.get(stage).is_some())
}

/// How much more a firm depends on one country at an upstream stage than its direct suppliers
/// show.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HiddenExposure {
    /// The upstream stage.
    pub stage: Stage,
    /// The country.
    pub country: CountryCode,
    /// Its share at the upstream stage (fraction).
    pub upstream_share: f64,
    /// Its share among the direct suppliers (fraction).
    pub direct_share: f64,
    /// `max(0, upstream_share - direct_share)`.
    pub hidden: f64,
}

/// The hidden exposures at `stage` of a firm whose direct suppliers have mix `direct` and whose
/// dependence at `stage` is `upstream`: `max(0, s_c(upstream) - s_c(direct))` for each named
/// country, only those above zero, largest first.
///
/// ```
/// use chokepoint::analysis::exposure::hidden_between;
/// use chokepoint::model::{CountryCode, CountryMix, Stage};
/// let c = |s: &str| CountryCode::parse(s).unwrap();
/// let magnets = CountryMix::single(c("JPN"));
/// let separation = CountryMix::from_shares([(c("CHN"), 91.0), (c("MYS"), 9.0)]).unwrap();
/// let hidden = hidden_between(Stage::Refining, &separation, &magnets);
/// assert_eq!(hidden[0].country, c("CHN"));
/// assert!((hidden[0].hidden - 0.91).abs() < 1e-12);
/// ```
pub fn hidden_between(
    stage: Stage,
    upstream: &CountryMix,
    direct: &CountryMix,
) -> Vec<HiddenExposure> {
    let mut hidden: Vec<HiddenExposure> = upstream
        .entries()
        .iter()
        .filter(|(country, _)| !country.is_rest_of_world())
        .filter_map(|&(country, upstream_share)| {
            let direct_share = direct.share_of(country);
            (upstream_share > direct_share).then_some(HiddenExposure {
                stage,
                country,
                upstream_share,
                direct_share,
                hidden: upstream_share - direct_share,
            })
        })
        .collect();
    sort_hidden(&mut hidden);
    hidden
}

/// The hidden exposures of one line at every stage upstream of its direct stage (see the module
/// notes), largest first; empty when no stage is known.
pub fn hidden_exposure(line: &Line, reference: &ReferenceData) -> Vec<HiddenExposure> {
    let Some(direct) = direct_stage(line) else {
        return Vec::new();
    };
    let Some(direct_mix) = line.sourcing.get(direct) else {
        return Vec::new();
    };
    let mut hidden: Vec<HiddenExposure> = look_through(line, reference)
        .into_iter()
        .filter(|resolved| resolved.stage < direct)
        .filter_map(|resolved| Some(hidden_between(resolved.stage, resolved.mix?, direct_mix)))
        .flatten()
        .collect();
    sort_hidden(&mut hidden);
    hidden
}

/// Sorts hidden exposures largest first, then by stage and country (a total order).
pub fn sort_hidden(hidden: &mut [HiddenExposure]) {
    crate::model::order::sort_by(hidden, |a, b| {
        b.hidden
            .total_cmp(&a.hidden)
            .then(a.stage.cmp(&b.stage))
            .then(a.country.cmp(&b.country))
    });
}
