//! Look-through exposure: the country mix a firm really depends on at each stage, the worst
//! stage, and the exposure the firm did not enter: what the look-through assumes upstream of its
//! direct suppliers.
//!
//! # Look-through by world production
//!
//! For each line and stage, the firm's own mix is used where it knows it; an unknown *upstream*
//! stage (mining, refining) defaults to the world mix of that stage from the reference data
//! ([`ReferenceData::world_mix`]); an unknown component stage means the firm buys no component
//! (there is no world mix of components). A stage with neither is
//! [`MixBasis::Unavailable`]. Using the world mix assumes the firm's suppliers source like the
//! world market does, the usual default when nothing better is known (IEA 2024, *Global Critical
//! Minerals Outlook*, uses world shares the same way). [`look_through`] fills every stage so.
//!
//! # Look-through by trade
//!
//! [`look_through_by`] with [`LookThroughBasis::Trade`] fills an unknown upstream stage from the
//! countries of the stage below it, where that stage is country-anchored (entered by the firm,
//! or itself filled by trade): each such country `c` with share `w_c` feeds it from its own
//! production of the upstream stage and from its imports of the upstream products
//! ([`TradeTable`]), the feed mix ([`feed_mix`]):
//!
//! `f = sum_c w_c * (d_c * [c] + (1 - d_c) * m_c)`
//!
//! with `[c]` the mix "all in `c`", `m_c` the origin shares of `c`'s imports of the upstream
//! products (CEPII BACI, three-year value-weighted), and `d_c` the share of `c`'s feed that its
//! own production of the upstream stage supplies: `min(1, P_up(c) / P_stated(c))`, both
//! quantities in the same unit (2024, IEA and USGS), where the trade table has it
//! ([`TradeTable::domestic_share`]); 0 when the reference data does not list `c` as a producer
//! of the upstream stage at all; unknown otherwise. This is the input side of a country's supply
//! (production plus imports) that import-share-weighted supply-risk methods use (GeoPolRisk:
//! Gemechu et al. 2016, *J. Ind. Ecol.* 20(1), eq. 1, and Cimprich et al. 2017), one stage at a
//! time. Where a country's part cannot be computed (an unknown `d_c`; imports needed but no HS6
//! code or thin trade data) or the country is `ROW`, its part is the world mix of the stage, and
//! the stage's [`TradeNote`] lists it among the fallbacks. A stage whose every part falls back is
//! the world mix, [`MixBasis::World`]. Mining below a refining stage filled by trade is filled
//! the same way from the refining countries; a stage filled with the world mix anchors nothing
//! (there is no country to follow).
//!
//! # Aggregation
//!
//! Several lines combine into one mix per stage by weighting (spend, or revenue dependence):
//! `s_c = sum_i w_i * s_ic / sum_i w_i` over the lines with a mix at that stage
//! ([`weighted_mix`]). When every weight is zero the lines count equally.
//!
//! # Exposure you did not enter
//!
//! A line's *direct stage* is its most downstream stage with a mix the firm knows (component,
//! else refining, else mining). For each stage upstream of it that the look-through *filled*
//! (from trade or world data; never a stage the firm entered) and each named country `c`:
//! `hidden_c = max(0, s_c(filled) - s_c(direct))`, in fractions: how much more the firm depends
//! on `c` upstream, by the assumed mix, than its direct suppliers show. Buying all magnets from
//! Japan while 91 % of magnet rare-earth refining is in China is, by world production, an
//! exposure of 0.91 to China at refining that the firm did not enter. `ROW` is not a country and
//! is left out. A line with no known stage has no direct stage and none of this exposure (all of
//! its exposure is look-through). It is an assumption carried over from trade or world data, not
//! a measurement, and [`HiddenExposure::basis`] says which.
//!
//! For several lines of one material the same formula compares, per filled stage, the weighted
//! filled mix with the weighted mix of the same lines' direct suppliers, over the lines that
//! have a direct stage below it and whose stage was filled ([`hidden_between`]). It is never
//! computed across materials: the direct suppliers of one material say nothing of another's.

use crate::model::{CountryCode, CountryMix, Stage};
use crate::portfolio::Line;
pub use crate::portfolio::LookThroughBasis;
use crate::reference::ReferenceData;
use crate::reference::trade::TradeTable;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Where a stage's mix comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MixBasis {
    /// The firm's own sourcing, as entered.
    User,
    /// The world mix from the reference data (look-through).
    World,
    /// Filled from the production and imports of the countries of the stage below
    /// (look-through by trade; see the module notes and the stage's [`TradeNote`]).
    Trade,
    /// Lines with different bases: own sourcing, trade, world mix (aggregates only).
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

    /// Whether the look-through filled the stage (from trade or world data), as opposed to the
    /// firm entering it.
    pub fn is_filled(self) -> bool {
        matches!(self, MixBasis::World | MixBasis::Trade)
    }
}

/// How a stage filled by trade was filled: whose imports and production it follows, where it
/// fell back to the world mix, and the trade data's years and source.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TradeNote {
    /// Countries whose imports of the upstream products were used, in code order.
    pub importers: Vec<CountryCode>,
    /// Countries whose own production of the stage supplies part of their feed, in code order.
    pub domestic: Vec<CountryCode>,
    /// Countries of the stage below whose part (or whose imported part) is the world mix: no
    /// HS6 code, thin trade data, or an unknown domestic share. In code order.
    pub fallback: Vec<CountryCode>,
    /// The trade data's first and last year.
    pub years: (u16, u16),
    /// The trade data's attribution, for example "CEPII BACI (HS92), 2022-2024".
    pub source: String,
}

impl TradeNote {
    /// The note of an aggregate of stages with notes `self` and `other`: the union of each list.
    pub fn merge(mut self, other: &TradeNote) -> TradeNote {
        for (mine, theirs) in [
            (&mut self.importers, &other.importers),
            (&mut self.domestic, &other.domestic),
            (&mut self.fallback, &other.fallback),
        ] {
            for &c in theirs {
                insert_sorted(mine, c);
            }
        }
        if self.source.is_empty() {
            self.source.clone_from(&other.source);
            self.years = other.years;
        }
        self
    }

    /// The note in words, with country names from `name`, for example "imports of Finland
    /// 2022-2024 (CEPII BACI)" or "own production of Chile". Fallbacks are named: "world
    /// production for Norway".
    ///
    /// ```
    /// use chokepoint::analysis::exposure::TradeNote;
    /// use chokepoint::model::CountryCode;
    /// let c = |s: &str| CountryCode::parse(s).unwrap();
    /// let note = TradeNote {
    ///     importers: vec![c("FIN")], domestic: vec![], fallback: vec![c("NOR")],
    ///     years: (2022, 2024), source: "CEPII BACI (HS92), 2022-2024".into(),
    /// };
    /// assert_eq!(
    ///     note.describe(|c| c.as_str().to_string()),
    ///     "imports of FIN 2022-2024 (CEPII BACI); world production for NOR"
    /// );
    /// ```
    pub fn describe(&self, name: impl Fn(CountryCode) -> String) -> String {
        let list = |codes: &[CountryCode]| {
            let names: Vec<String> = codes.iter().map(|&c| name(c)).collect();
            match names.as_slice() {
                [] => String::new(),
                [one] => one.clone(),
                [init @ .., last] => format!("{} and {last}", init.join(", ")),
            }
        };
        let mut parts = Vec::new();
        if !self.importers.is_empty() {
            parts.push(format!(
                "imports of {} {}-{} (CEPII BACI)",
                list(&self.importers),
                self.years.0,
                self.years.1
            ));
        }
        if !self.domestic.is_empty() {
            parts.push(format!("own production of {}", list(&self.domestic)));
        }
        if !self.fallback.is_empty() {
            parts.push(format!("world production for {}", list(&self.fallback)));
        }
        parts.join("; ")
    }
}

/// Inserts `c` into the sorted `list` unless it is there already.
fn insert_sorted(list: &mut Vec<CountryCode>, c: CountryCode) {
    if let Err(at) = list.binary_search(&c) {
        list.insert(at, c);
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

/// The mix of each stage of `line`, upstream first, after the look-through by world production
/// (see the module notes), borrowing every mix. The component stage is listed only when the firm
/// gave a component mix. A portfolio's look-through follows its setting:
/// [`look_through_embedded`].
///
/// ```
/// use chokepoint::analysis::exposure::{look_through, MixBasis};
/// use chokepoint::model::{CountryCode, CountryMix, Share, Stage};
/// use chokepoint::portfolio::{Amount, Line, Sourcing};
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

/// One stage of one line after the look-through by [`look_through_by`]: like [`ResolvedStage`],
/// with the mix owned where the look-through computed it and the trade note of a stage filled by
/// trade.
#[derive(Clone, Debug, PartialEq)]
pub struct FilledStage<'a> {
    /// The stage.
    pub stage: Stage,
    /// Where the mix comes from.
    pub basis: MixBasis,
    /// The mix; `None` when [`MixBasis::Unavailable`].
    pub mix: Option<Cow<'a, CountryMix>>,
    /// How a stage of [`MixBasis::Trade`] was filled; `None` for every other basis.
    pub trade: Option<TradeNote>,
}

/// The mix of each stage of `line`, upstream first, after the look-through by `basis`: with
/// [`LookThroughBasis::World`] the stages of [`look_through`]; with [`LookThroughBasis::Trade`]
/// an unknown upstream stage below a country-anchored one is filled by [`feed_mix`] from
/// `trade` (see the module notes). The component stage is listed only when the firm gave a
/// component mix.
///
/// ```
/// use chokepoint::analysis::exposure::{look_through_by, LookThroughBasis, MixBasis};
/// use chokepoint::portfolio::Portfolio;
/// use chokepoint::model::{CountryCode, Stage};
/// use chokepoint::reference::{embedded, trade::embedded_trade};
/// let reference = embedded();
/// let portfolio = Portfolio::from_json(r#"{"schema_version": 1, "lines": [{"material": "lithium",
///     "spend": 1, "revenue_share_pct": 5, "sourcing": {"refining": {"CHL": 100}}}]}"#,
///     reference).unwrap();
/// let line = &portfolio.lines[0];
/// let stages = look_through_by(line, reference, LookThroughBasis::Trade, embedded_trade());
/// // Chile's lithium chemicals come from its own brine: the mining feed is Chile's.
/// assert_eq!(stages[0].basis, MixBasis::Trade);
/// assert_eq!(stages[0].mix.as_ref().unwrap().largest().0, CountryCode::parse("CHL").unwrap());
/// let world = look_through_by(line, reference, LookThroughBasis::World, embedded_trade());
/// assert_eq!(world[0].basis, MixBasis::World);
/// ```
pub fn look_through_by<'a>(
    line: &'a Line,
    reference: &'a ReferenceData,
    basis: LookThroughBasis,
    trade: &TradeTable,
) -> Vec<FilledStage<'a>> {
    let mut stages: Vec<FilledStage<'a>> = Vec::with_capacity(3);
    // The mix of the stage below, when it is country-anchored (entered, or filled by trade).
    let mut anchor: Option<Cow<'a, CountryMix>> = None;
    for stage in Stage::ALL.into_iter().rev() {
        if let Some(mix) = line.sourcing.get(stage) {
            anchor = Some(Cow::Borrowed(mix));
            stages.push(FilledStage {
                stage,
                basis: MixBasis::User,
                mix: Some(Cow::Borrowed(mix)),
                trade: None,
            });
            continue;
        }
        if stage == Stage::Component {
            continue;
        }
        let world = reference.world_mix(&line.material, stage);
        let fed = match (&anchor, basis) {
            (Some(below), LookThroughBasis::Trade) => {
                feed_mix(&line.material, stage, below, reference, trade)
            }
            _ => None,
        };
        let filled = match fed {
            Some((mix, note)) => {
                anchor = Some(Cow::Owned(mix.clone()));
                FilledStage {
                    stage,
                    basis: MixBasis::Trade,
                    mix: Some(Cow::Owned(mix)),
                    trade: Some(note),
                }
            }
            None => {
                anchor = None;
                FilledStage {
                    stage,
                    basis: if world.is_some() {
                        MixBasis::World
                    } else {
                        MixBasis::Unavailable
                    },
                    mix: world.map(Cow::Borrowed),
                    trade: None,
                }
            }
        };
        stages.push(filled);
    }
    stages.reverse();
    stages
}

/// [`look_through_by`] with the embedded trade table
/// ([`crate::reference::trade::embedded_trade`]): what a portfolio's look-through is, with its
/// setting `basis` ([`crate::portfolio::Portfolio::look_through`]).
pub fn look_through_embedded<'a>(
    line: &'a Line,
    reference: &'a ReferenceData,
    basis: LookThroughBasis,
) -> Vec<FilledStage<'a>> {
    look_through_by(
        line,
        reference,
        basis,
        crate::reference::trade::embedded_trade(),
    )
}

/// The feed mix of `material` at `stage` for a stage below whose country mix is `below`:
/// `f = sum_c w_c * (d_c * [c] + (1 - d_c) * m_c)`, each part the world mix where it cannot be
/// computed (see the module notes), with the note of how it was built. `None` when the
/// reference data has no world mix of the stage (nothing to fall back to) or when every part
/// fell back (the result would be the world mix: [`MixBasis::World`]).
///
/// ```
/// use chokepoint::analysis::exposure::feed_mix;
/// use chokepoint::model::{CountryCode, CountryMix, Stage};
/// use chokepoint::reference::{Material, ReferenceData, SourceRef, StageSeries};
/// use chokepoint::reference::trade::{ImportOrigins, TradeTable};
/// let c = |s: &str| CountryCode::parse(s).unwrap();
/// let world = CountryMix::from_shares([(c("COD"), 75.0), (c("IDN"), 25.0)]).unwrap();
/// let reference = ReferenceData {
///     materials: vec![Material {
///         id: "cobalt".into(), name: "Cobalt".into(), symbols: vec![], lists: Default::default(),
///         eu: None,
///         stages: vec![StageSeries::from_mix(
///             Stage::Mining, world, SourceRef { dataset: "X".into(), year: 2024 },
///         )],
///     }],
///     countries: vec![], groups: vec![], datasets: vec![],
/// };
/// let origins = CountryMix::from_shares([(c("COD"), 60.0), (c("ZMB"), 40.0)]).unwrap();
/// let trade = TradeTable::new(
///     "test", (2022, 2024),
///     [("cobalt".to_string(), Stage::Mining, "ore".to_string())],
///     [("cobalt".to_string(), Stage::Mining, c("FIN"), 0.0)],
///     [("ore".to_string(), ImportOrigins { importer: c("FIN"), value_musd: 1.0, origins })],
/// );
/// // Refining half in Finland (imports only), half in a country without trade data (world).
/// let below = CountryMix::from_shares([(c("FIN"), 50.0), (c("NOR"), 50.0)]).unwrap();
/// let (feed, note) = feed_mix("cobalt", Stage::Mining, &below, &reference, &trade).unwrap();
/// // Congo: 0.5 * 0.6 + 0.5 * 0.75; Zambia: 0.5 * 0.4; Indonesia: 0.5 * 0.25.
/// assert!((feed.share_of(c("COD")) - 0.675).abs() < 1e-12);
/// assert!((feed.share_of(c("ZMB")) - 0.2).abs() < 1e-12);
/// assert!((feed.share_of(c("IDN")) - 0.125).abs() < 1e-12);
/// assert_eq!((note.importers, note.fallback), (vec![c("FIN")], vec![c("NOR")]));
/// ```
pub fn feed_mix(
    material: &str,
    stage: Stage,
    below: &CountryMix,
    reference: &ReferenceData,
    trade: &TradeTable,
) -> Option<(CountryMix, TradeNote)> {
    let world = reference.world_mix(material, stage)?;
    let mut note = TradeNote {
        years: trade.years,
        source: trade.source.clone(),
        ..TradeNote::default()
    };
    let mut sums: BTreeMap<CountryCode, f64> = BTreeMap::new();
    let mut add = |mix: &CountryMix, weight: f64| {
        for &(c, s) in mix.entries() {
            *sums.entry(c).or_insert(0.0) += weight * s;
        }
    };
    let mut followed = false;
    for &(country, w) in below.entries() {
        if country.is_rest_of_world() {
            add(world, w);
            continue;
        }
        let domestic = trade
            .domestic_share(material, stage, country)
            .or_else(|| (world.share_of(country) <= 0.0).then_some(0.0));
        let Some(d) = domestic else {
            add(world, w);
            insert_sorted(&mut note.fallback, country);
            continue;
        };
        if d > 0.0 {
            add(&CountryMix::single(country), w * d);
            insert_sorted(&mut note.domestic, country);
            followed = true;
        }
        if d < 1.0 {
            match trade.imports(material, stage, country) {
                Some(imports) => {
                    add(&imports.origins, w * (1.0 - d));
                    insert_sorted(&mut note.importers, country);
                    followed = true;
                }
                None => {
                    add(world, w * (1.0 - d));
                    insert_sorted(&mut note.fallback, country);
                }
            }
        }
    }
    if !followed {
        return None;
    }
    Some((CountryMix::from_shares(sums).ok()?, note))
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
    /// The upstream stage, one the look-through filled.
    pub stage: Stage,
    /// Where the filled mix came from: [`MixBasis::Trade`], [`MixBasis::World`], or
    /// [`MixBasis::Mixed`] over several lines.
    pub basis: MixBasis,
    /// The country.
    pub country: CountryCode,
    /// Its share at the upstream stage (fraction).
    pub upstream_share: f64,
    /// Its share among the direct suppliers (fraction).
    pub direct_share: f64,
    /// `max(0, upstream_share - direct_share)`.
    pub hidden: f64,
}

/// The share not entered (`hidden`, a fraction) from which the calculator's headline names a
/// hidden exposure: 5 percentage points. A presentation threshold of this tool, not a published
/// figure; smaller ones are still listed per material.
pub const HEADLINE_HIDDEN: f64 = 0.05;

impl HiddenExposure {
    /// Whether the exposure is large enough for the headline ([`HEADLINE_HIDDEN`]).
    pub fn is_headline(&self) -> bool {
        self.hidden >= HEADLINE_HIDDEN
    }
}

/// The exposures the firm did not enter at `stage`, filled on `basis`, of a firm whose direct
/// suppliers have mix `direct` and whose filled mix at `stage` is `upstream`:
/// `max(0, s_c(upstream) - s_c(direct))` for each named country, only those above zero, largest
/// first.
///
/// ```
/// use chokepoint::analysis::exposure::{hidden_between, MixBasis};
/// use chokepoint::model::{CountryCode, CountryMix, Stage};
/// let c = |s: &str| CountryCode::parse(s).unwrap();
/// let magnets = CountryMix::single(c("JPN"));
/// let separation = CountryMix::from_shares([(c("CHN"), 91.0), (c("MYS"), 9.0)]).unwrap();
/// let hidden = hidden_between(Stage::Refining, MixBasis::World, &separation, &magnets);
/// assert_eq!(hidden[0].country, c("CHN"));
/// assert!((hidden[0].hidden - 0.91).abs() < 1e-12);
/// ```
pub fn hidden_between(
    stage: Stage,
    basis: MixBasis,
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
                basis,
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

/// The exposures one line did not enter: at every stage upstream of its direct stage that the
/// look-through filled (`stages`, from [`look_through_by`] for this line; see the module notes),
/// largest first; empty when no stage is known. Stages the firm entered never count.
pub fn hidden_exposure(line: &Line, stages: &[FilledStage<'_>]) -> Vec<HiddenExposure> {
    let Some(direct) = direct_stage(line) else {
        return Vec::new();
    };
    let Some(direct_mix) = line.sourcing.get(direct) else {
        return Vec::new();
    };
    let mut hidden: Vec<HiddenExposure> = stages
        .iter()
        .filter(|filled| filled.stage < direct && filled.basis.is_filled())
        .filter_map(|filled| {
            Some(hidden_between(
                filled.stage,
                filled.basis,
                filled.mix.as_deref()?,
                direct_mix,
            ))
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Share;
    use crate::portfolio::{Amount, Sourcing};
    use crate::reference::trade::ImportOrigins;
    use crate::reference::{Material, SourceRef, StageSeries};

    fn c(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap()
    }

    fn mix(shares: &[(&str, f64)]) -> CountryMix {
        CountryMix::from_shares(shares.iter().map(|&(k, v)| (c(k), v))).unwrap()
    }

    fn series(stage: Stage, shares: &[(&str, f64)]) -> StageSeries {
        let source = SourceRef {
            dataset: "X".into(),
            year: 2024,
        };
        StageSeries::from_mix(stage, mix(shares), source)
    }

    /// World mining: CHN 60, MMR 20, USA 20; world refining: CHN 90, MYS 10.
    fn reference() -> ReferenceData {
        ReferenceData {
            materials: vec![Material {
                id: "ree".into(),
                name: "Rare earths".into(),
                symbols: vec![],
                lists: Default::default(),
                eu: None,
                stages: vec![
                    series(
                        Stage::Mining,
                        &[("CHN", 60.0), ("MMR", 20.0), ("USA", 20.0)],
                    ),
                    series(Stage::Refining, &[("CHN", 90.0), ("MYS", 10.0)]),
                ],
            }],
            countries: vec![],
            groups: vec![],
            datasets: vec![],
        }
    }

    fn origins(importer: &str, shares: &[(&str, f64)]) -> ImportOrigins {
        ImportOrigins {
            importer: c(importer),
            value_musd: 100.0,
            origins: mix(shares),
        }
    }

    /// Refining products: Japan imports CHN 60, MYS 40; ores: China imports all from MMR,
    /// Malaysia all from AUS. China mines half of its refinery feed (d = 0.5).
    fn trade() -> TradeTable {
        TradeTable::new(
            "test trade",
            (2022, 2024),
            [
                ("ree".to_string(), Stage::Mining, "ore".to_string()),
                ("ree".to_string(), Stage::Refining, "oxide".to_string()),
            ],
            [("ree".to_string(), Stage::Mining, c("CHN"), 0.5)],
            [
                (
                    "oxide".to_string(),
                    origins("JPN", &[("CHN", 60.0), ("MYS", 40.0)]),
                ),
                ("ore".to_string(), origins("CHN", &[("MMR", 100.0)])),
                ("ore".to_string(), origins("MYS", &[("AUS", 100.0)])),
            ],
        )
    }

    fn line(sourcing: Sourcing) -> Line {
        Line {
            material: "ree".into(),
            label: None,
            spend: Amount::new(1.0).unwrap(),
            revenue_share: Share::ZERO,
            inventory_days: Amount::ZERO,
            sourcing,
            end_use: None,
            facility_counts: Vec::new(),
        }
    }

    fn share(stage: &FilledStage<'_>, code: &str) -> f64 {
        stage.mix.as_deref().unwrap().share_of(c(code))
    }

    #[test]
    fn magnets_from_japan_follow_japans_imports_then_each_refiners_feed() {
        let (reference, trade) = (reference(), trade());
        let l = line(Sourcing::default().with(Stage::Component, Some(mix(&[("JPN", 100.0)]))));
        let stages = look_through_by(&l, &reference, LookThroughBasis::Trade, &trade);
        let [mining, refining, component] = &stages[..] else {
            panic!("{stages:?}")
        };
        assert_eq!(component.basis, MixBasis::User);
        // Japan refines none (not listed): its refining feed is its imports.
        assert_eq!(refining.basis, MixBasis::Trade);
        assert!((share(refining, "CHN") - 0.6).abs() < 1e-12);
        assert!((share(refining, "MYS") - 0.4).abs() < 1e-12);
        assert_eq!(refining.trade.as_ref().unwrap().importers, vec![c("JPN")]);
        // Mining from that refining mix: China 0.6 * (0.5 own + 0.5 from Myanmar), Malaysia
        // 0.4 * (no mines: all imports, from Australia).
        assert_eq!(mining.basis, MixBasis::Trade);
        assert!((share(mining, "CHN") - 0.3).abs() < 1e-12);
        assert!((share(mining, "MMR") - 0.3).abs() < 1e-12);
        assert!((share(mining, "AUS") - 0.4).abs() < 1e-12);
        let note = mining.trade.as_ref().unwrap();
        assert_eq!(note.importers, vec![c("CHN"), c("MYS")]);
        assert_eq!(note.domestic, vec![c("CHN")]);
        assert!(note.fallback.is_empty());
        // By world production, both stages are the world mixes.
        let world = look_through_by(&l, &reference, LookThroughBasis::World, &trade);
        assert_eq!(world[0].basis, MixBasis::World);
        assert_eq!(world[1].basis, MixBasis::World);
        assert!((share(&world[1], "CHN") - 0.9).abs() < 1e-12);
    }

    #[test]
    fn unknown_parts_fall_back_to_the_world_mix_and_say_so() {
        let (reference, trade) = (reference(), trade());
        // Refining: half in the US (a listed miner with no known domestic share), a quarter in
        // Germany (mines none, so it imports all, but has no trade entry), a quarter ROW.
        let l = line(Sourcing::default().with(
            Stage::Refining,
            Some(mix(&[("USA", 50.0), ("DEU", 25.0), ("ROW", 25.0)])),
        ));
        let stages = look_through_by(&l, &reference, LookThroughBasis::Trade, &trade);
        // Every part falls back: the world mix, basis World, no note.
        assert_eq!(stages[0].basis, MixBasis::World);
        assert!(stages[0].trade.is_none());
        assert!((share(&stages[0], "CHN") - 0.6).abs() < 1e-12);
        // The US is a miner (listed) with an unknown domestic share: world; China (d = 0.5,
        // ore imports from Myanmar) is followed.
        let l = line(
            Sourcing::default().with(Stage::Refining, Some(mix(&[("USA", 50.0), ("CHN", 50.0)]))),
        );
        let stages = look_through_by(&l, &reference, LookThroughBasis::Trade, &trade);
        assert_eq!(stages[0].basis, MixBasis::Trade);
        // CHN: 0.5 * 0.6 (world part) + 0.5 * 0.5 (own); MMR: 0.5 * 0.2 + 0.5 * 0.5;
        // USA: 0.5 * 0.2.
        assert!((share(&stages[0], "CHN") - 0.55).abs() < 1e-12);
        assert!((share(&stages[0], "MMR") - 0.35).abs() < 1e-12);
        assert!((share(&stages[0], "USA") - 0.10).abs() < 1e-12);
        assert_eq!(stages[0].trade.as_ref().unwrap().fallback, vec![c("USA")]);
        assert_eq!(
            stages[0]
                .trade
                .as_ref()
                .unwrap()
                .describe(|c| c.as_str().to_string()),
            "imports of CHN 2022-2024 (CEPII BACI); own production of CHN; world production for USA"
        );
    }

    #[test]
    fn exposure_not_entered_counts_filled_stages_only() {
        let (reference, trade) = (reference(), trade());
        // Mining entered (all in the US), magnets from Japan: refining is filled by trade,
        // mining is the firm's own and never counts.
        let l = line(
            Sourcing::default()
                .with(Stage::Mining, Some(mix(&[("CHN", 100.0)])))
                .with(Stage::Component, Some(mix(&[("JPN", 100.0)]))),
        );
        let stages = look_through_by(&l, &reference, LookThroughBasis::Trade, &trade);
        let hidden = hidden_exposure(&l, &stages);
        assert!(hidden.iter().all(|h| h.stage == Stage::Refining));
        assert_eq!(hidden[0].country, c("CHN"));
        assert_eq!(hidden[0].basis, MixBasis::Trade);
        assert!((hidden[0].hidden - 0.6).abs() < 1e-12);
        assert!((hidden[1].hidden - 0.4).abs() < 1e-12);
        // By world production: China's 0.9 at refining, assumed from world data.
        let stages = look_through_by(&l, &reference, LookThroughBasis::World, &trade);
        let hidden = hidden_exposure(&l, &stages);
        assert_eq!(hidden[0].basis, MixBasis::World);
        assert!((hidden[0].hidden - 0.9).abs() < 1e-12);
        assert!(hidden.iter().all(|h| h.stage == Stage::Refining));
    }
}
