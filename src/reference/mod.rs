//! Reference data: who mines and refines each material, how well each country is governed, which
//! groups countries belong to, and the EU criticality assessment's parameters.
//!
//! This module holds the types. [`ReferenceData`] is a plain value: the embedded default data set
//! is one instance of it, built once from files compiled into the binary, and tests build their
//! own instances by hand.
//!
//! The embedded data set is loaded by [`embedded()`] (parsed once, validated) and any other
//! document in the same format by [`parse_reference`]; see [`embedded`](mod@embedded) for what it
//! holds and how its sources are combined, and `docs/DATA.md` for the full account.

pub mod embedded;
pub mod templates;
pub mod world_map;

pub use embedded::{
    EMBEDDED_JSON, FORMAT_VERSION, ReferenceError, SUM_FLAG, canonical_material_id, embedded,
    material_aliases, parse_reference, try_embedded,
};

use crate::model::{CountryCode, CountryMix, Stage};
use serde::Serialize;

/// Where a number came from: enough to cite it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourceRef {
    /// Identifier of the data set, for example `USGS_MCS2025_WORLD`; keys [`ReferenceData::datasets`].
    pub dataset: String,
    /// The year the figures describe (data year), for example 2024.
    pub year: u16,
}

/// A published data set the reference data draws on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dataset {
    /// Identifier, for example `USGS_MCS2025_WORLD`.
    pub id: String,
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

/// Country shares of one stage of one material, with their provenance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageSeries {
    /// The stage described.
    pub stage: Stage,
    /// What exactly the source measures, for example "Mine production, cobalt content".
    pub detail: String,
    /// The shares, renormalised to 1; `mix.original_sum()` holds the published sum in percent.
    pub mix: CountryMix,
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
}

impl StageSeries {
    /// The share of `country` in percent as the source published it, before renormalisation
    /// (0 when absent). For example USGS magnesium: China 95 % of a rounded world total that the
    /// listed countries exceed (they sum to 104.5 %), while `mix.share_of` gives 95/104.5.
    pub fn published_percent(&self, country: CountryCode) -> f64 {
        self.mix.share_of(country) * self.mix.original_sum()
    }

    /// Whether the published shares sum outside 95-105 % (such a series always carries a caveat
    /// starting with [`SUM_FLAG`]).
    pub fn sum_out_of_range(&self) -> bool {
        !(95.0..=105.0).contains(&self.mix.original_sum())
    }
}

/// Official lists a material is on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListMemberships {
    /// On the EU 2023 list of critical raw materials (Regulation (EU) 2024/1252, Annex II).
    pub eu_critical_2023: bool,
    /// On the EU list of strategic raw materials (Regulation (EU) 2024/1252, Annex I).
    pub eu_strategic_2023: bool,
    /// On the U.S. 2022 list of critical minerals (USGS, 87 FR 10381).
    pub us_critical_2022: bool,
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
