//! The reference files as they are written (`data/reference.json`, `data/reference_vintages.json`),
//! before any check.

use super::*;

/// A country as written: `[iso3, iso2, name, wgi_mean or null]`.
pub(super) type RawCountry = (String, String, String, Option<f64>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDataset {
    pub(super) id: String,
    pub(super) short: String,
    #[serde(rename = "pub")]
    pub(super) publisher: String,
    pub(super) title: String,
    pub(super) yr: u16,
    pub(super) lic: String,
    pub(super) cit: String,
    pub(super) cav: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGroup {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) as_of: Option<String>,
    pub(super) src: String,
    pub(super) m: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMaterial {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) sym: Vec<String>,
    /// `[eu_critical_2023, eu_strategic_2023, us_critical_2022, us_critical_2025]` as 0/1; the
    /// last is `null` where the source does not state it.
    pub(super) lists: (u8, u8, u8, Option<u8>),
    pub(super) stages: Vec<RawStage>,
    #[serde(default)]
    pub(super) eu: Option<RawEu>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStage {
    pub(super) st: String,
    pub(super) det: String,
    pub(super) ds: String,
    pub(super) yr: u16,
    pub(super) unit: String,
    pub(super) old: bool,
    pub(super) cav: Vec<String>,
    pub(super) wh: Vec<String>,
    /// The published world total in `unit`, where the source gives quantities (USGS).
    #[serde(default)]
    pub(super) tot: Option<f64>,
    /// `[iso3 or ROW, value]`: the quantity in `unit` when `tot` is given (published share =
    /// quantity / tot), else the percentage as published.
    pub(super) sh: Vec<(String, f64)>,
}

/// The vintages document (`data/reference_vintages.json`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVintagesDocument {
    pub(super) v: u32,
    pub(super) series: Vec<RawStageVintages>,
}

/// The previous vintage and projections of one stage series.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStageVintages {
    /// Material id.
    pub(super) m: String,
    /// Stage.
    pub(super) st: String,
    /// The previous vintage of the series.
    #[serde(default)]
    pub(super) prev: Option<RawVintage>,
    /// The IEA base-case projections of the stage.
    #[serde(default)]
    pub(super) proj: Option<RawProjection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVintage {
    pub(super) ds: String,
    pub(super) yr: u16,
    pub(super) cav: Vec<String>,
    pub(super) wh: Vec<String>,
    #[serde(default)]
    pub(super) tot: Option<f64>,
    pub(super) sh: Vec<(String, f64)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProjection {
    pub(super) ds: String,
    pub(super) det: String,
    /// `[year, [[iso3 or ROW, percent]]]`, base year first.
    pub(super) pts: Vec<(u16, Vec<(String, f64)>)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEu {
    pub(super) sr: Option<f64>,
    pub(super) ei: Option<f64>,
    pub(super) bn: Option<String>,
    /// `[stage, percent]`
    pub(super) ir: Vec<(String, f64)>,
    /// Percent.
    pub(super) eol: Option<f64>,
    pub(super) si: Option<f64>,
    pub(super) cav: Vec<String>,
    pub(super) gs: Vec<(String, Vec<RawEuRow>)>,
    pub(super) es: Vec<(String, Vec<RawEuRow>)>,
}

/// `[iso3, percent]` (t = 1.0) or `[iso3, percent, t]`.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawEuRow {
    WithT(String, f64, f64),
    Default(String, f64),
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------
