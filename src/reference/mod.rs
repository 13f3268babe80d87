//! Reference data: who mines and refines each material, how well each country is governed, which
//! groups countries belong to, and the EU criticality assessment's parameters.
//!
//! This module holds the types. [`ReferenceData`] is a plain value: the embedded default data set
//! is one instance of it, built once from files compiled into the binary, and tests build their
//! own instances by hand.
//!
//! The embedded data set is loaded by [`embedded()`] (parsed once, validated; with the previous
//! vintages and the IEA projections) or [`embedded_current()`] (the current vintage only, what
//! the app's first page load carries), and any other document in the same format by
//! [`parse_reference`] and [`add_vintages`]; see [`embedded`](mod@embedded) for what it
//! holds and how its sources are combined, and `docs/DATA.md` for the full account.

pub mod documents;
pub mod embedded;
pub mod matching;
pub mod templates;
pub mod trade;
pub mod world_map;

pub use embedded::{
    EMBEDDED_JSON, EMBEDDED_VINTAGES_JSON, FORMAT_VERSION, ReferenceError, SUM_FLAG,
    StagedReference, add_vintages, canonical_material_id, embedded, embedded_current,
    material_aliases, parse_reference, try_embedded, try_embedded_current,
};

use crate::model::{CountryCode, CountryMix, Stage};
use serde::Serialize;

/// Where a number came from: enough to cite it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourceRef {
    /// Identifier of the data set, for example `USGS_MCS2026_WORLD`; keys [`ReferenceData::datasets`].
    pub dataset: String,
    /// The year the figures describe (data year), for example 2025; for a projection, the
    /// projected year.
    pub year: u16,
}

/// A published data set the reference data draws on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dataset {
    /// Identifier, for example `USGS_MCS2026_WORLD`.
    pub id: String,
    /// A short name for labels, for example "USGS": with a data year it names a figure's source
    /// in a sentence ("USGS 2025").
    pub short: String,
    /// Publisher, for example "U.S. Geological Survey".
    pub publisher: String,
    /// Title of the publication.
    pub title: String,
    /// Year of publication.
    pub published: u16,
    /// Licence, for example "Public domain (U.S. Government work)" or "CC BY 4.0".
    pub licence: String,
    /// Full citation, with DOI or address where there is one.
    pub citation: String,
    /// Known caveats, in plain words.
    pub caveats: Vec<String>,
}

/// Country shares of one stage of one material, with their provenance: the default (newest)
/// vintage, the previous vintage where the source has one, and the IEA's projections where the
/// IEA has them.
///
/// # Published and normalised shares
///
/// [`published`](Self::published) holds the shares as the source publishes them, in percent:
/// for USGS series the country's quantity divided by the published world total of the same
/// series and year, `100 * q_c / W` (USGS Mineral Commodity Summaries 2026 data release); for
/// the IEA and the EU study the percentages as published. They need not sum to 100 %: world
/// totals are rounded, some exclude a withheld country, some series have no "other countries"
/// row (antimony 2025: 100.7 %). Calculations use [`mix`](Self::mix), the published shares
/// rescaled to sum to one: `s_c = p_c / sum_k p_k`; [`normalisation`](Self::normalisation)
/// says by how much. Every display shows the published figure.
///
/// ```
/// use chokepoint::model::Stage;
/// use chokepoint::reference::embedded;
/// let gallium = embedded().material("gallium").unwrap().stage(Stage::Refining).unwrap();
/// let chn = chokepoint::model::CountryCode::parse("CHN").unwrap();
/// // USGS 2025: China 900,000 kg of a world total of 900,000 kg; Russia and Japan 9,000 more.
/// assert_eq!(gallium.published_percent(chn), 100.0);
/// let n = gallium.normalisation();
/// assert!((n.published_sum - 101.0).abs() < 1e-9);
/// assert!((gallium.mix.share_of(chn) - 1.0 / 1.01).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct StageSeries {
    /// The stage described.
    pub stage: Stage,
    /// What exactly the source measures, for example "Mine production, cobalt content".
    pub detail: String,
    /// The shares, renormalised to 1 (what calculations use); `mix.original_sum()` holds the
    /// published sum in percent.
    pub mix: CountryMix,
    /// The shares as published, in percent, largest first (see the type's notes). Empty for a
    /// series built by hand from a mix alone; the published shares are then the mix times its
    /// original sum.
    pub published: Vec<(CountryCode, f64)>,
    /// The published world total in [`unit`](Self::unit), where the source gives quantities
    /// (USGS): the denominator of the published shares.
    pub world_total: Option<f64>,
    /// Where the figures come from.
    pub source: SourceRef,
    /// Unit of the underlying quantities, as published.
    pub unit: String,
    /// True when this stage is filled from an older source (EU 2023 study, about 2016-2020
    /// averages) because no newer one has it.
    pub older_data: bool,
    /// Caveats specific to this series.
    pub caveats: Vec<String>,
    /// Countries the source names but whose figure is withheld or missing: shown as missing,
    /// never as zero.
    pub withheld: Vec<CountryCode>,
    /// The previous vintage of the same series (USGS: the revised 2024 figures of the MCS 2026
    /// release), for the trend; `None` where the source has one year only.
    pub previous: Option<Vintage>,
    /// The IEA's base-case projections of this stage, base year first, where the IEA has them
    /// and its series measures what this one does.
    pub projections: Vec<Projection>,
}

/// Another year of a stage series: the shares as published and their provenance.
#[derive(Clone, Debug, PartialEq)]
pub struct Vintage {
    /// Where the figures come from, with their data year.
    pub source: SourceRef,
    /// The shares as published, in percent, largest first.
    pub published: Vec<(CountryCode, f64)>,
    /// The shares renormalised to 1.
    pub mix: CountryMix,
    /// The published world total, where the source gives quantities.
    pub world_total: Option<f64>,
    /// Countries whose figure is withheld or missing.
    pub withheld: Vec<CountryCode>,
    /// Caveats of this year that the current vintage does not carry.
    pub caveats: Vec<String>,
}

/// The IEA's base-case projection of one stage for one year: the country shares of the IEA
/// total supply of that year (IEA Critical Minerals Dataset 2025, base case: operating and
/// announced projects weighted by their probability of coming online).
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    /// The IEA data set and the projected year (the base year 2024 first).
    pub source: SourceRef,
    /// The IEA series, for example "Mined copper (IEA)".
    pub detail: String,
    /// Shares of the IEA total in percent; the rest of the world is the total minus the listed
    /// countries.
    pub published: Vec<(CountryCode, f64)>,
    /// The shares renormalised to 1.
    pub mix: CountryMix,
}

/// How a series' published shares were rescaled to sum to 100 % for the calculations.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Normalisation {
    /// The sum of the published shares, in percent.
    pub published_sum: f64,
    /// The factor applied to every published share: `100 / published_sum`.
    pub factor: f64,
}

impl Normalisation {
    /// The normalisation of shares whose published sum is `published_sum` percent.
    pub fn of(published_sum: f64) -> Normalisation {
        Normalisation {
            published_sum,
            factor: 100.0 / published_sum,
        }
    }

    /// Whether the rescaling shows at one decimal: the published sum differs from 100 % by
    /// 0.05 percentage points or more.
    pub fn visible(&self) -> bool {
        (self.published_sum - 100.0).abs() >= 0.05
    }

    /// The normalisation in words, for example "published shares sum to 101.0 %; calculations
    /// scale them by 0.990 to sum to 100 %".
    pub fn describe(&self) -> String {
        format!(
            "published shares sum to {:.1} %; calculations scale each by {:.3} to sum to 100 %",
            self.published_sum, self.factor
        )
    }
}

/// One country in the trend between two vintages of a series.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TrendEntry {
    /// The country (`ROW` for the source's other countries).
    pub country: CountryCode,
    /// Its published share in the previous vintage, percent; `None` when not listed or withheld.
    pub previous: Option<f64>,
    /// Its published share in the current vintage, percent; `None` when not listed or withheld.
    pub current: Option<f64>,
}

impl TrendEntry {
    /// `current - previous` in percentage points, when both are published.
    pub fn change(&self) -> Option<f64> {
        Some(self.current? - self.previous?)
    }
}

/// The published shares of a series in two vintages (for example USGS 2024 and 2025).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trend {
    /// The previous vintage's source and year.
    pub previous: SourceRef,
    /// The current vintage's source and year.
    pub current: SourceRef,
    /// Every country listed in either year, by current share then previous share, largest first.
    pub countries: Vec<TrendEntry>,
}

impl Trend {
    /// The entry of `country`, if it is listed in either year.
    pub fn entry(&self, country: CountryCode) -> Option<&TrendEntry> {
        self.countries.iter().find(|e| e.country == country)
    }
}

fn published_of(published: &[(CountryCode, f64)], mix: &CountryMix) -> Vec<(CountryCode, f64)> {
    if published.is_empty() {
        let sum = mix.original_sum();
        mix.entries().iter().map(|&(c, s)| (c, s * sum)).collect()
    } else {
        published.to_vec()
    }
}

fn lookup(published: &[(CountryCode, f64)], country: CountryCode) -> Option<f64> {
    published
        .iter()
        .find(|(c, _)| *c == country)
        .map(|(_, p)| *p)
}

impl StageSeries {
    /// A series built by hand from a mix alone (tests, examples): no published shares, world
    /// total, caveats, withheld countries, previous vintage or projections.
    pub fn from_mix(stage: Stage, mix: CountryMix, source: SourceRef) -> StageSeries {
        StageSeries {
            stage,
            detail: String::new(),
            mix,
            published: Vec::new(),
            world_total: None,
            source,
            unit: String::new(),
            older_data: false,
            caveats: Vec::new(),
            withheld: Vec::new(),
            previous: None,
            projections: Vec::new(),
        }
    }

    /// The share of `country` in percent as the source published it, before renormalisation
    /// (0 when absent). For example USGS antimony 2025: China 40,000 t of a world total of
    /// 110,000 t, 36.36 %, while `mix.share_of` gives 36.36 / 100.65 of one because the listed
    /// countries sum to 100.65 %.
    pub fn published_percent(&self, country: CountryCode) -> f64 {
        if self.published.is_empty() {
            self.mix.share_of(country) * self.mix.original_sum()
        } else {
            lookup(&self.published, country).unwrap_or(0.0)
        }
    }

    /// The shares as published, in percent, largest first (see [`published`](Self::published)).
    pub fn published_shares(&self) -> Vec<(CountryCode, f64)> {
        published_of(&self.published, &self.mix)
    }

    /// How the published shares were rescaled for calculations: their sum and the factor
    /// `100 / sum` (1 when they sum to 100 %).
    pub fn normalisation(&self) -> Normalisation {
        Normalisation::of(self.mix.original_sum())
    }

    /// Whether the published shares sum outside 95-105 % (such a series always carries a caveat
    /// starting with [`SUM_FLAG`]).
    pub fn sum_out_of_range(&self) -> bool {
        !(95.0..=105.0).contains(&self.mix.original_sum())
    }

    /// The trend from the previous vintage to this one, published shares against published
    /// shares; `None` without a previous vintage. A country withheld or not listed in a year has
    /// no figure for it (`None`), never zero.
    ///
    /// ```
    /// use chokepoint::model::{CountryCode, Stage};
    /// let nickel = chokepoint::reference::embedded().material("nickel").unwrap();
    /// let trend = nickel.stage(Stage::Mining).unwrap().trend().unwrap();
    /// let idn = trend.entry(CountryCode::parse("IDN").unwrap()).unwrap();
    /// // USGS: Indonesia 2,310,000 of 3,710,000 t in 2024, 2,600,000 of 3,900,000 t in 2025.
    /// assert_eq!(format!("{:.0} -> {:.0}", idn.previous.unwrap(), idn.current.unwrap()), "62 -> 67");
    /// ```
    pub fn trend(&self) -> Option<Trend> {
        let previous = self.previous.as_ref()?;
        let now = self.published_shares();
        let before = published_of(&previous.published, &previous.mix);
        let mut countries: Vec<TrendEntry> = now
            .iter()
            .map(|&(country, current)| TrendEntry {
                country,
                previous: lookup(&before, country),
                current: Some(current),
            })
            .collect();
        for &(country, share) in &before {
            if lookup(&now, country).is_none() {
                countries.push(TrendEntry {
                    country,
                    previous: Some(share),
                    current: None,
                });
            }
        }
        crate::model::order::sort_by(&mut countries, |a, b| {
            let key = |e: &TrendEntry| (e.current.unwrap_or(-1.0), e.previous.unwrap_or(-1.0));
            let (ka, kb) = (key(a), key(b));
            kb.0.total_cmp(&ka.0)
                .then(kb.1.total_cmp(&ka.1))
                .then(a.country.cmp(&b.country))
        });
        Some(Trend {
            previous: previous.source.clone(),
            current: self.source.clone(),
            countries,
        })
    }

    /// The IEA projection for `year`, if the series has one.
    pub fn projection(&self, year: u16) -> Option<&Projection> {
        self.projections.iter().find(|p| p.source.year == year)
    }
}

impl Vintage {
    /// How this vintage's published shares were rescaled for calculations.
    pub fn normalisation(&self) -> Normalisation {
        Normalisation::of(self.mix.original_sum())
    }
}

/// One country's share as shown: published, and as the calculations use it.
#[derive(Serialize)]
struct ShareView {
    country: CountryCode,
    /// As published, percent.
    published_percent: f64,
    /// After the normalisation, percent (what the calculations use).
    normalised_percent: f64,
}

fn share_views(published: &[(CountryCode, f64)], mix: &CountryMix) -> Vec<ShareView> {
    published_of(published, mix)
        .into_iter()
        .map(|(country, published_percent)| ShareView {
            country,
            published_percent,
            normalised_percent: mix.share_of(country) * 100.0,
        })
        .collect()
}

/// The serialised form of a [`StageSeries`] (`chokepoint reference`, the JavaScript API): the
/// shares as published next to the normalised ones, the normalisation, the previous vintage,
/// the trend and the projections.
impl Serialize for StageSeries {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            stage: Stage,
            detail: &'a str,
            source: &'a SourceRef,
            unit: &'a str,
            older_data: bool,
            world_total: Option<f64>,
            shares: Vec<ShareView>,
            normalisation: Normalisation,
            withheld: &'a [CountryCode],
            caveats: &'a [String],
            previous: Option<&'a Vintage>,
            trend: Option<Trend>,
            projections: &'a [Projection],
        }
        View {
            stage: self.stage,
            detail: &self.detail,
            source: &self.source,
            unit: &self.unit,
            older_data: self.older_data,
            world_total: self.world_total,
            shares: share_views(&self.published, &self.mix),
            normalisation: self.normalisation(),
            withheld: &self.withheld,
            caveats: &self.caveats,
            previous: self.previous.as_ref(),
            trend: self.trend(),
            projections: &self.projections,
        }
        .serialize(serializer)
    }
}

impl Serialize for Vintage {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            source: &'a SourceRef,
            world_total: Option<f64>,
            shares: Vec<ShareView>,
            normalisation: Normalisation,
            withheld: &'a [CountryCode],
            caveats: &'a [String],
        }
        View {
            source: &self.source,
            world_total: self.world_total,
            shares: share_views(&self.published, &self.mix),
            normalisation: self.normalisation(),
            withheld: &self.withheld,
            caveats: &self.caveats,
        }
        .serialize(serializer)
    }
}

impl Serialize for Projection {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            source: &'a SourceRef,
            detail: &'a str,
            scenario: &'static str,
            shares: Vec<ShareView>,
        }
        View {
            source: &self.source,
            detail: &self.detail,
            scenario: PROJECTION_SCENARIO,
            shares: share_views(&self.published, &self.mix),
        }
        .serialize(serializer)
    }
}

/// The IEA scenario every [`Projection`] belongs to.
pub const PROJECTION_SCENARIO: &str = "IEA base case";

/// Official lists a material is on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListMemberships {
    /// On the EU 2023 list of critical raw materials (Regulation (EU) 2024/1252, Annex II).
    pub eu_critical_2023: bool,
    /// On the EU list of strategic raw materials (Regulation (EU) 2024/1252, Annex I).
    pub eu_strategic_2023: bool,
    /// On the U.S. 2022 list of critical minerals (USGS, 87 FR 10381); history, superseded by
    /// the 2025 list.
    pub us_critical_2022: bool,
    /// On the final 2025 U.S. list of critical minerals, as the USGS Mineral Commodity Summaries
    /// 2026 data release flags it (column "Is critical mineral 2025"); `None` where the file has
    /// no chapter for the material (not stated, never read as "not listed").
    pub us_critical_2025: Option<bool>,
}

/// Shares per stage as the EU criticality study tabulates them: for each stage, `(country, share
/// as a fraction, trade parameter t)`. A plain alias, so literal vectors of that shape fit.
pub type EuStageShares = Vec<(Stage, Vec<(CountryCode, f64, f64)>)>;

/// The EU 2023 criticality assessment's parameters for one material.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EuAssessment {
    /// Published supply risk (SR).
    pub supply_risk: Option<f64>,
    /// Published economic importance (EI).
    pub economic_importance: Option<f64>,
    /// The bottleneck stage the EU used.
    pub bottleneck: Option<Stage>,
    /// Import reliance per stage, as a fraction 0..1.
    pub import_reliance: Vec<(Stage, f64)>,
    /// End-of-life recycling input rate, as a fraction 0..1.
    pub eol_rir: Option<f64>,
    /// Substitution index for supply risk, 0..1 (1 = no substitute).
    pub si_sr: Option<f64>,
    /// Global supply shares per stage, with the trade parameter `t` per country: `(country,
    /// share as a fraction as published, t)`. Shares are not renormalised; the EU's `<0.1%` is
    /// 0.0005 (0.05 %).
    pub global_supply: EuStageShares,
    /// EU sourcing shares per stage, with `t` per country.
    pub eu_sourcing: EuStageShares,
    /// Caveats on these parameters: cells left missing because the transcription is unreliable,
    /// values that differ between transcriptions, conventions applied.
    pub caveats: Vec<String>,
}

/// One material of the catalogue.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Material {
    /// Stable identifier used in files, for example `gallium`, `rare_earths`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Element symbols, where they apply (`["Ga"]`, `["Nd", "Pr", "Dy", "Tb"]`).
    pub symbols: Vec<String>,
    /// Official lists the material is on.
    pub lists: ListMemberships,
    /// Country shares per stage, upstream first; a stage no source has is absent.
    pub stages: Vec<StageSeries>,
    /// The EU criticality assessment, where the material was assessed.
    pub eu: Option<EuAssessment>,
}

impl Material {
    /// The series for `stage`, if any source has it.
    pub fn stage(&self, stage: Stage) -> Option<&StageSeries> {
        self.stages.iter().find(|s| s.stage == stage)
    }
}

/// A country with its governance indicators.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Country {
    /// ISO 3166-1 alpha-3 code.
    pub code: CountryCode,
    /// ISO 3166-1 alpha-2 code.
    pub iso2: String,
    /// Short English name.
    pub name: String,
    /// Mean of the six World Bank WGI estimates (about -2.5 weak to +2.5 strong), 2023; `None`
    /// where the WGI have no series (New Caledonia).
    pub wgi_mean: Option<f64>,
}

impl Country {
    /// The WGI mean on the EU criticality method's 0-10 scale, 10 = weakest governance:
    /// `(2.5 - WGI_mean) * 2` (EU 2017 methodology; see `data/sources/eu-crm/SOURCES.md`).
    pub fn wgi_eu_scaled(&self) -> Option<f64> {
        self.wgi_mean.map(|m| ((2.5 - m) * 2.0).clamp(0.0, 10.0))
    }
}

/// A named group of countries (U.S. covered nations, FTA partners, MSP, NATO, OECD, EU-27, or a
/// user's own).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CountryGroup {
    /// Identifier, for example `feoc_covered_nations`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Members.
    pub members: Vec<CountryCode>,
    /// The date membership is stated as of (ISO 8601), where known.
    pub as_of: Option<String>,
    /// Legal or documentary source of the membership.
    pub source: String,
    /// True for a group the user defined.
    pub user_defined: bool,
}

impl CountryGroup {
    /// Whether `country` is a member.
    pub fn contains(&self, country: CountryCode) -> bool {
        self.members.contains(&country)
    }
}

/// The whole reference data set.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReferenceData {
    /// The material catalogue, sorted by id.
    pub materials: Vec<Material>,
    /// Countries, sorted by code.
    pub countries: Vec<Country>,
    /// Country groups.
    pub groups: Vec<CountryGroup>,
    /// Data sets cited by the series.
    pub datasets: Vec<Dataset>,
}

impl ReferenceData {
    /// The material with identifier `id`.
    ///
    /// Logarithmic when `materials` is sorted by id (as [`embedded()`] builds it), linear otherwise.
    pub fn material(&self, id: &str) -> Option<&Material> {
        match self.materials.binary_search_by(|m| m.id.as_str().cmp(id)) {
            Ok(at) => self.materials.get(at),
            Err(_) => self.materials.iter().find(|m| m.id == id),
        }
    }

    /// The material with identifier `id`, or with the identifier `id` is an alias of (see
    /// [`canonical_material_id`]: `aluminum`, `silicon_metal`, `graphite_natural`, ...).
    pub fn find_material(&self, id: &str) -> Option<&Material> {
        self.material(id)
            .or_else(|| self.material(canonical_material_id(id)?))
    }

    /// The country with code `code`.
    ///
    /// Logarithmic when `countries` is sorted by code (as [`embedded()`] builds it), linear
    /// otherwise: it is called for every share of every mix.
    pub fn country(&self, code: CountryCode) -> Option<&Country> {
        match self.countries.binary_search_by_key(&code, |c| c.code) {
            Ok(at) => self.countries.get(at),
            Err(_) => self.countries.iter().find(|c| c.code == code),
        }
    }

    /// The group with identifier `id`.
    pub fn group(&self, id: &str) -> Option<&CountryGroup> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// The data set with identifier `id`.
    pub fn dataset(&self, id: &str) -> Option<&Dataset> {
        self.datasets.iter().find(|d| d.id == id)
    }

    /// The world mix of `stage` for `material`: what the look-through assumes when the firm does
    /// not know its own upstream sourcing.
    pub fn world_mix(&self, material: &str, stage: Stage) -> Option<&CountryMix> {
        self.material(material)?.stage(stage).map(|s| &s.mix)
    }
}
