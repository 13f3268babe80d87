//! The embedded reference data set: who mines and refines each material, country governance,
//! country groups and the EU 2023 criticality parameters, compiled into the binary from
//! `data/reference.json`.
//!
//! `data/reference.json` is written by `scripts/data/build_reference.py` from the cited source
//! files in `data/sources` (never by hand); `docs/DATA.md` documents it in full. This module
//! parses it once ([`embedded`]) into the public types of [`crate::reference`], validating every
//! value on the way ([`parse_reference`]). It does no file I/O and starts no thread, so it runs
//! unchanged on `wasm32-unknown-unknown`.
//!
//! # Combination rules
//!
//! - **Newest source wins per material and stage.** A stage comes from the USGS Mineral
//!   Commodity Summaries 2026 data release (data year 2025; its revised 2024 figures are the
//!   series' [`previous`](super::StageSeries::previous) vintage) or the IEA Critical Minerals
//!   Dataset 2025 (data year 2024), using the series the shared data marks as default
//!   (`preferred = 1`). The IEA's base-case projections (2030, 2035, 2040) are attached where the
//!   IEA has them ([`projections`](super::StageSeries::projections)).
//! - **Gaps are filled from the EU 2023 study.** Where no 2024 series has a stage, it is filled
//!   from the EU 2023 criticality study's global supply shares (extraction `E` → mining,
//!   processing `P` → refining), dated 2020 (the studies average about 2016-2020) and marked
//!   [`older_data`](super::StageSeries::older_data).
//! - **Rare earths.** `rare_earths` is all rare earths: USGS rare-earth-oxide mine output for
//!   mining and, as a labelled proxy, the IEA magnet-rare-earth refining series for refining (no
//!   source splits separation of all rare earths by country). `rare_earths_magnet` is the IEA's
//!   magnet rare earths (Nd, Pr, Dy, Tb) as a group, both stages. The elements (`neodymium`,
//!   `praseodymium`, `dysprosium`, `terbium`, and the other EU-assessed rare earths) come from
//!   the EU 2023 study, both stages.
//! - **Graphite.** `graphite` pairs USGS natural-graphite mining with IEA refined graphite
//!   (battery grade, natural and synthetic); the scopes differ and the series say so.
//! - **Nothing is invented.** Shares are the published ones: USGS quantities and world totals as
//!   published (the share is `100 * quantity / world total`, computed here), IEA and EU
//!   percentages as published; the EU's `<0.1%` is taken as 0.05 % and said so in the series
//!   caveats. Withheld figures stay missing ([`withheld`](super::StageSeries::withheld) or a
//!   caveat; germanium has no USGS country data).
//! - **Remainders stay explicit.** A source's "Other countries" is the `ROW` entry, a pseudo-country
//!   named "Rest of world" in [`ReferenceData::countries`] with no governance score.
//! - **Sums.** Every series keeps its published shares ([`published`](super::StageSeries::published))
//!   and is renormalised to 1 by [`CountryMix`] for the calculations; its published sum is kept in
//!   [`CountryMix::original_sum`] ([`normalisation`](super::StageSeries::normalisation)), and a
//!   series whose published sum lies outside 95-105 % must carry a caveat starting with
//!   [`SUM_FLAG`] (the loader rejects it otherwise).
//! - **EU assessment.** Supply risk, economic importance, bottleneck stage, import reliance,
//!   end-of-life recycling input rate and SI_SR per EU-assessed material, with global supply and
//!   EU sourcing shares and the trade parameter `t`. Cells of the rows whose transcription has
//!   shifted columns are left missing, with a caveat.

use super::{
    Country, CountryGroup, Dataset, EuAssessment, EuStageShares, ListMemberships, Material,
    Projection, ReferenceData, SourceRef, StageSeries, Vintage,
};
use crate::model::{CountryCode, CountryMix, MixError, Stage, order};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::fmt;
use std::sync::OnceLock;

/// The embedded data file, `data/reference.json`, as compiled into the binary: the current
/// vintage of every series.
pub const EMBEDDED_JSON: &str = include_str!("../../data/reference.json");

/// The embedded vintages file, `data/reference_vintages.json`: the previous vintage of each
/// series that has one and the IEA's projections. Kept apart so that the app's first page load,
/// which reads [`embedded_current`] only, does not carry it.
pub const EMBEDDED_VINTAGES_JSON: &str = include_str!("../../data/reference_vintages.json");

/// The format version of the data file this loader reads (the file's `v` field).
pub const FORMAT_VERSION: u32 = 2;

/// The start of the caveat that every series whose published shares sum outside 95-105 % carries.
pub const SUM_FLAG: &str = "Published shares sum to";

/// Known alternative identifiers for catalogue materials, as used by other data sets (U.S.
/// spelling, EU names, the shared data's series ids), and the catalogue id each stands for.
const ALIASES: &[(&str, &str)] = &[
    ("aluminum", "aluminium"),
    ("bauxite", "aluminium"),
    ("alumina", "aluminium"),
    ("baryte", "barite"),
    ("barytes", "barite"),
    ("borate", "boron"),
    ("graphite_natural", "graphite"),
    ("graphite_refined", "graphite"),
    ("natural_graphite", "graphite"),
    ("iron", "iron_ore"),
    ("kaolin_clay", "kaolin"),
    ("lime", "limestone"),
    ("magnet_rare_earths", "rare_earths_magnet"),
    ("ree", "rare_earths"),
    ("rare_earth_elements", "rare_earths"),
    ("phosphorous", "phosphorus"),
    ("silicon_metal", "silicon"),
    ("sulfur", "sulphur"),
    ("titanium_metal", "titanium"),
    ("titanium_sponge", "titanium"),
];

/// Every known alternative material identifier with the catalogue id it stands for (see
/// [`canonical_material_id`]); the editor's material search matches them as synonyms.
pub fn material_aliases() -> &'static [(&'static str, &'static str)] {
    ALIASES
}

/// The catalogue identifier that an alternative material identifier stands for, for example
/// `aluminum` → `aluminium`, `silicon_metal` → `silicon`, `graphite_natural` → `graphite`.
/// Returns `None` for identifiers that are not known aliases (including catalogue ids
/// themselves).
///
/// ```
/// assert_eq!(chokepoint::reference::canonical_material_id("aluminum"), Some("aluminium"));
/// assert_eq!(chokepoint::reference::canonical_material_id("gallium"), None);
/// ```
pub fn canonical_material_id(id: &str) -> Option<&'static str> {
    ALIASES
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(id.trim()))
        .map(|(_, canonical)| *canonical)
}

/// Why a reference document was rejected, naming the item and field at fault.
#[derive(Clone, Debug, PartialEq)]
pub enum ReferenceError {
    /// The text is not JSON of the expected shape (a missing or misspelt field, a wrong type).
    Syntax {
        /// Line of the problem, from 1.
        line: usize,
        /// Column of the problem, from 1.
        column: usize,
        /// The parser's description.
        message: String,
    },
    /// A document-level problem: wrong format version, duplicate identifiers.
    Document {
        /// The field at fault.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// A problem in a data set entry.
    Dataset {
        /// The data set's identifier.
        dataset: String,
        /// The field at fault.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// A problem in a country entry.
    Country {
        /// The country code as written.
        code: String,
        /// The field at fault.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// A problem in a country group.
    Group {
        /// The group's identifier.
        group: String,
        /// The field at fault.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// A problem in a material, optionally in one stage's series.
    Material {
        /// The material's identifier.
        material: String,
        /// The stage, when the problem is in a stage series (or an EU per-stage table).
        stage: Option<Stage>,
        /// The field at fault.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
}

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReferenceError::Syntax {
                line,
                column,
                message,
            } => write!(f, "reference data, line {line}, column {column}: {message}"),
            ReferenceError::Document { field, problem } => {
                write!(f, "reference data, `{field}`: {problem}")
            }
            ReferenceError::Dataset {
                dataset,
                field,
                problem,
            } => write!(f, "data set `{dataset}`, `{field}`: {problem}"),
            ReferenceError::Country {
                code,
                field,
                problem,
            } => write!(f, "country `{code}`, `{field}`: {problem}"),
            ReferenceError::Group {
                group,
                field,
                problem,
            } => write!(f, "country group `{group}`, `{field}`: {problem}"),
            ReferenceError::Material {
                material,
                stage,
                field,
                problem,
            } => match stage {
                Some(stage) => write!(
                    f,
                    "material `{material}`, stage {}, `{field}`: {problem}",
                    stage.id()
                ),
                None => write!(f, "material `{material}`, `{field}`: {problem}"),
            },
        }
    }
}

impl std::error::Error for ReferenceError {}

// ---------------------------------------------------------------------------------------------
// Raw, file-shaped structures (private). Short keys keep the embedded file small.
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    v: u32,
    datasets: Vec<RawDataset>,
    /// `[iso3, iso2, name, wgi_mean or null]`
    countries: Vec<(String, String, String, Option<f64>)>,
    groups: Vec<RawGroup>,
    materials: Vec<RawMaterial>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDataset {
    id: String,
    short: String,
    #[serde(rename = "pub")]
    publisher: String,
    title: String,
    yr: u16,
    lic: String,
    cit: String,
    cav: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    id: String,
    name: String,
    as_of: Option<String>,
    src: String,
    m: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaterial {
    id: String,
    name: String,
    sym: Vec<String>,
    /// `[eu_critical_2023, eu_strategic_2023, us_critical_2022, us_critical_2025]` as 0/1; the
    /// last is `null` where the source does not state it.
    lists: (u8, u8, u8, Option<u8>),
    stages: Vec<RawStage>,
    #[serde(default)]
    eu: Option<RawEu>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    st: String,
    det: String,
    ds: String,
    yr: u16,
    unit: String,
    old: bool,
    cav: Vec<String>,
    wh: Vec<String>,
    /// The published world total in `unit`, where the source gives quantities (USGS).
    #[serde(default)]
    tot: Option<f64>,
    /// `[iso3 or ROW, value]`: the quantity in `unit` when `tot` is given (published share =
    /// quantity / tot), else the percentage as published.
    sh: Vec<(String, f64)>,
}

/// The vintages document (`data/reference_vintages.json`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVintagesDocument {
    v: u32,
    series: Vec<RawStageVintages>,
}

/// The previous vintage and projections of one stage series.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStageVintages {
    /// Material id.
    m: String,
    /// Stage.
    st: String,
    /// The previous vintage of the series.
    #[serde(default)]
    prev: Option<RawVintage>,
    /// The IEA base-case projections of the stage.
    #[serde(default)]
    proj: Option<RawProjection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVintage {
    ds: String,
    yr: u16,
    cav: Vec<String>,
    wh: Vec<String>,
    #[serde(default)]
    tot: Option<f64>,
    sh: Vec<(String, f64)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProjection {
    ds: String,
    det: String,
    /// `[year, [[iso3 or ROW, percent]]]`, base year first.
    pts: Vec<(u16, Vec<(String, f64)>)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEu {
    sr: Option<f64>,
    ei: Option<f64>,
    bn: Option<String>,
    /// `[stage, percent]`
    ir: Vec<(String, f64)>,
    /// Percent.
    eol: Option<f64>,
    si: Option<f64>,
    cav: Vec<String>,
    gs: Vec<(String, Vec<RawEuRow>)>,
    es: Vec<(String, Vec<RawEuRow>)>,
}

/// `[iso3, percent]` (t = 1.0) or `[iso3, percent, t]`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawEuRow {
    WithT(String, f64, f64),
    Default(String, f64),
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

static EMBEDDED: OnceLock<Result<ReferenceData, ReferenceError>> = OnceLock::new();
static CURRENT: OnceLock<Result<ReferenceData, ReferenceError>> = OnceLock::new();

static EMPTY: ReferenceData = ReferenceData {
    materials: Vec::new(),
    countries: Vec::new(),
    groups: Vec::new(),
    datasets: Vec::new(),
};

/// The embedded reference data with every vintage: the current one, the previous one where a
/// series has it, and the IEA projections; parsed and validated on first use and shared
/// afterwards.
///
/// The embedded files are checked by the test suite, so this always holds the full data set;
/// should they ever fail validation, this returns an empty data set rather than panicking, and
/// [`try_embedded`] gives the error.
pub fn embedded() -> &'static ReferenceData {
    try_embedded().unwrap_or(&EMPTY)
}

/// The embedded reference data with every vintage, or the reason it failed validation.
pub fn try_embedded() -> Result<&'static ReferenceData, &'static ReferenceError> {
    EMBEDDED
        .get_or_init(|| {
            let mut data = parse_reference(EMBEDDED_JSON)?;
            add_vintages(&mut data, EMBEDDED_VINTAGES_JSON)?;
            Ok(data)
        })
        .as_ref()
}

/// The embedded reference data, current vintage only (no previous vintage, no projections):
/// what the app's first page load carries. Every figure a calculation uses today is in it; the
/// trend and the outlook need [`embedded`].
pub fn embedded_current() -> &'static ReferenceData {
    try_embedded_current().unwrap_or(&EMPTY)
}

/// The current-vintage reference data, or the reason it failed validation.
pub fn try_embedded_current() -> Result<&'static ReferenceData, &'static ReferenceError> {
    CURRENT
        .get_or_init(|| parse_reference(EMBEDDED_JSON))
        .as_ref()
}

/// A JSON syntax error of a reference document, with its position.
fn syntax_error(e: serde_json::Error) -> ReferenceError {
    ReferenceError::Syntax {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    }
}

/// Refuses a document whose `v` is not [`FORMAT_VERSION`]; `what` names the version in the message.
fn check_format_version(found: u32, what: &str) -> Result<(), ReferenceError> {
    if found == FORMAT_VERSION {
        return Ok(());
    }
    Err(ReferenceError::Document {
        field: "v",
        problem: format!("{what} {found} is not the supported version {FORMAT_VERSION}"),
    })
}

/// Adds the previous vintages and projections of a vintages document (the format of
/// `data/reference_vintages.json`) to `data`'s series, validating them as [`parse_reference`]
/// validates a series. Each names a material and stage `data` has.
pub fn add_vintages(data: &mut ReferenceData, json: &str) -> Result<(), ReferenceError> {
    let raw: RawVintagesDocument = serde_json::from_str(json).map_err(syntax_error)?;
    check_format_version(raw.v, "vintages format version")?;
    let known: BTreeSet<CountryCode> = data.countries.iter().map(|c| c.code).collect();
    let ids: Vec<String> = data.datasets.iter().map(|d| d.id.clone()).collect();
    let datasets: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    for entry in raw.series {
        let material = entry.m.clone();
        let err =
            |stage: Option<Stage>, field: &'static str, problem: String| ReferenceError::Material {
                material: material.clone(),
                stage,
                field,
                problem,
            };
        let stage = parse_stage(&entry.st).map_err(|p| err(None, "st", p))?;
        let Some(series) = data
            .materials
            .iter_mut()
            .find(|m| m.id == entry.m)
            .and_then(|m| m.stages.iter_mut().find(|s| s.stage == stage))
        else {
            return Err(err(
                Some(stage),
                "st",
                "vintages for a series the reference data does not have".into(),
            ));
        };
        let serr = |field: &'static str, problem: String| err(Some(stage), field, problem);
        if let Some(v) = entry.prev {
            let verr = |field: &'static str, problem: String| {
                serr(field, format!("previous vintage: {problem}"))
            };
            check_source(&v.ds, v.yr, &datasets, &verr)?;
            let (published, mix) = shares(&v.sh, v.tot, &known, &verr)?;
            check_sum(&mix, &v.cav, &verr)?;
            series.previous = Some(Vintage {
                withheld: withheld_list(&v.wh, &mix, &known, &verr)?,
                source: SourceRef {
                    dataset: v.ds,
                    year: v.yr,
                },
                published,
                mix,
                world_total: v.tot,
                caveats: v.cav,
            });
        }
        if let Some(p) = entry.proj {
            let mut projections: Vec<Projection> = Vec::with_capacity(p.pts.len());
            for (year, entries) in p.pts {
                let perr = |field: &'static str, problem: String| {
                    serr(field, format!("projection {year}: {problem}"))
                };
                check_source(&p.ds, year, &datasets, &perr)?;
                if projections.iter().any(|x| x.source.year == year) {
                    return Err(perr("proj", "the year appears twice".into()));
                }
                let (published, mix) = shares(&entries, None, &known, &perr)?;
                projections.push(Projection {
                    source: SourceRef {
                        dataset: p.ds.clone(),
                        year,
                    },
                    detail: p.det.clone(),
                    published,
                    mix,
                });
            }
            order::sort_by_key(&mut projections, |x| x.source.year);
            series.projections = projections;
        }
    }
    Ok(())
}

/// Parses and validates a reference document in the embedded file's format (see
/// `docs/DATA.md`).
///
/// Checks, besides the JSON shape: the format version; unique identifiers; country codes that
/// are three letters and resolve to a listed country (`ROW` included); shares in percent between
/// 0 and 100 with no country twice and at least one above zero; published sums outside
/// 95-105 % carrying a [`SUM_FLAG`] caveat; stages `mining` or `refining`, once per material;
/// data sets that exist; EU fractions, `t` and scores in range. The result is sorted (materials
/// by id, countries by code, groups by id, stages upstream first).
pub fn parse_reference(json: &str) -> Result<ReferenceData, ReferenceError> {
    let raw: RawDocument = serde_json::from_str(json).map_err(syntax_error)?;
    check_format_version(raw.v, "format version")?;

    let datasets = convert_datasets(raw.datasets)?;
    let countries = convert_countries(raw.countries)?;
    let known: BTreeSet<CountryCode> = countries.iter().map(|c| c.code).collect();
    let dataset_ids: BTreeSet<&str> = datasets.iter().map(|d| d.id.as_str()).collect();

    let mut groups = Vec::with_capacity(raw.groups.len());
    for g in raw.groups {
        groups.push(convert_group(g, &known)?);
    }
    order::sort_by(&mut groups, |a, b| a.id.cmp(&b.id));
    if let Some(w) = groups.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(ReferenceError::Group {
            group: w[0].id.clone(),
            field: "id",
            problem: "appears twice".into(),
        });
    }

    let mut materials = Vec::with_capacity(raw.materials.len());
    for m in raw.materials {
        materials.push(convert_material(m, &known, &dataset_ids)?);
    }
    order::sort_by(&mut materials, |a, b| a.id.cmp(&b.id));
    if let Some(w) = materials.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(ReferenceError::Material {
            material: w[0].id.clone(),
            stage: None,
            field: "id",
            problem: "appears twice".into(),
        });
    }

    Ok(ReferenceData {
        materials,
        countries,
        groups,
        datasets,
    })
}

fn convert_datasets(raw: Vec<RawDataset>) -> Result<Vec<Dataset>, ReferenceError> {
    let mut out: Vec<Dataset> = Vec::with_capacity(raw.len());
    for d in raw {
        let err = |field: &'static str, problem: &str| ReferenceError::Dataset {
            dataset: d.id.clone(),
            field,
            problem: problem.to_string(),
        };
        if !is_identifier(&d.id, true) {
            return Err(err("id", "not an identifier (letters, digits, `_`)"));
        }
        if out.iter().any(|o| o.id == d.id) {
            return Err(err("id", "appears twice"));
        }
        for (field, text) in [
            ("pub", &d.publisher),
            ("title", &d.title),
            ("lic", &d.lic),
            ("cit", &d.cit),
        ] {
            if text.trim().is_empty() {
                return Err(err(field, "is empty"));
            }
        }
        if !(1900..=2200).contains(&d.yr) {
            return Err(err("yr", "is not a plausible publication year"));
        }
        if d.short.trim().is_empty() {
            return Err(err("short", "is empty"));
        }
        out.push(Dataset {
            id: d.id,
            short: d.short,
            publisher: d.publisher,
            title: d.title,
            published: d.yr,
            licence: d.lic,
            citation: d.cit,
            caveats: d.cav,
        });
    }
    Ok(out)
}

fn convert_countries(
    raw: Vec<(String, String, String, Option<f64>)>,
) -> Result<Vec<Country>, ReferenceError> {
    let mut out: Vec<Country> = Vec::with_capacity(raw.len());
    for (code_text, iso2, name, wgi) in raw {
        let err = |field: &'static str, problem: String| ReferenceError::Country {
            code: code_text.clone(),
            field,
            problem,
        };
        let code = parse_code(&code_text).ok_or_else(|| {
            err(
                "code",
                "not an upper-case three-letter code (ISO 3166-1 alpha-3 or ROW)".into(),
            )
        })?;
        let iso2_ok = if code.is_rest_of_world() {
            iso2.is_empty()
        } else {
            iso2.is_empty() || (iso2.len() == 2 && iso2.bytes().all(|b| b.is_ascii_uppercase()))
        };
        if !iso2_ok {
            return Err(err("iso2", format!("`{iso2}` is not a two-letter code")));
        }
        if name.trim().is_empty() {
            return Err(err("name", "is empty".into()));
        }
        if let Some(w) = wgi
            && !(-3.0..=3.0).contains(&w)
        {
            return Err(err(
                "wgi",
                format!("{w} is outside the WGI scale (about -2.5 to 2.5)"),
            ));
        }
        if out.iter().any(|c| c.code == code) {
            return Err(err("code", "appears twice".into()));
        }
        out.push(Country {
            code,
            iso2,
            name,
            wgi_mean: wgi,
        });
    }
    order::sort_by_key(&mut out, |c| c.code);
    Ok(out)
}

fn convert_group(
    g: RawGroup,
    known: &BTreeSet<CountryCode>,
) -> Result<CountryGroup, ReferenceError> {
    let err = |field: &'static str, problem: String| ReferenceError::Group {
        group: g.id.clone(),
        field,
        problem,
    };
    if !is_identifier(&g.id, false) {
        return Err(err("id", "not a lower-case identifier".into()));
    }
    if g.name.trim().is_empty() {
        return Err(err("name", "is empty".into()));
    }
    if g.src.trim().is_empty() {
        return Err(err("src", "is empty".into()));
    }
    if let Some(date) = &g.as_of
        && !is_iso_date(date)
    {
        return Err(err("as_of", format!("`{date}` is not a YYYY-MM-DD date")));
    }
    let mut members: Vec<CountryCode> = Vec::with_capacity(g.m.len());
    for text in &g.m {
        let code = resolve(text, known).map_err(|p| err("m", p))?;
        if members.contains(&code) {
            return Err(err("m", format!("{code} appears twice")));
        }
        members.push(code);
    }
    order::sort(&mut members);
    Ok(CountryGroup {
        id: g.id.clone(),
        name: g.name.clone(),
        members,
        as_of: g.as_of.clone(),
        source: g.src.clone(),
        user_defined: false,
    })
}

fn convert_material(
    m: RawMaterial,
    known: &BTreeSet<CountryCode>,
    datasets: &BTreeSet<&str>,
) -> Result<Material, ReferenceError> {
    let id = m.id.clone();
    let err =
        |stage: Option<Stage>, field: &'static str, problem: String| ReferenceError::Material {
            material: id.clone(),
            stage,
            field,
            problem,
        };
    if !is_identifier(&m.id, false) {
        return Err(err(
            None,
            "id",
            "not a lower-case identifier (a-z, 0-9, `_`)".into(),
        ));
    }
    if m.name.trim().is_empty() {
        return Err(err(None, "name", "is empty".into()));
    }
    if let Some(s) = m.sym.iter().find(|s| !is_element_symbol(s)) {
        return Err(err(None, "sym", format!("`{s}` is not an element symbol")));
    }
    let flag = |value: u8| -> Result<bool, ReferenceError> {
        match value {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(err(None, "lists", format!("{other} is not 0 or 1"))),
        }
    };
    let lists = ListMemberships {
        eu_critical_2023: flag(m.lists.0)?,
        eu_strategic_2023: flag(m.lists.1)?,
        us_critical_2022: flag(m.lists.2)?,
        us_critical_2025: m.lists.3.map(flag).transpose()?,
    };

    let mut stages: Vec<StageSeries> = Vec::with_capacity(m.stages.len());
    for s in m.stages {
        let stage = parse_stage(&s.st).map_err(|p| err(None, "st", p))?;
        let serr = |field: &'static str, problem: String| err(Some(stage), field, problem);
        if stages.iter().any(|x| x.stage == stage) {
            return Err(serr("st", "the stage appears twice".into()));
        }
        check_source(&s.ds, s.yr, datasets, &serr)?;
        if s.det.trim().is_empty() {
            return Err(serr("det", "is empty".into()));
        }
        if s.unit.trim().is_empty() {
            return Err(serr("unit", "is empty".into()));
        }
        let (published, mix) = shares(&s.sh, s.tot, known, &serr)?;
        check_sum(&mix, &s.cav, &serr)?;
        let withheld = withheld_list(&s.wh, &mix, known, &serr)?;
        stages.push(StageSeries {
            stage,
            detail: s.det,
            mix,
            source: SourceRef {
                dataset: s.ds,
                year: s.yr,
            },
            unit: s.unit,
            older_data: s.old,
            caveats: s.cav,
            withheld,
            published,
            world_total: s.tot,
            previous: None,
            projections: Vec::new(),
        });
    }
    order::sort_by_key(&mut stages, |s| s.stage);

    let eu = match m.eu {
        Some(raw) => Some(convert_eu(raw, known, &err)?),
        None => None,
    };

    Ok(Material {
        id: m.id,
        name: m.name,
        symbols: m.sym,
        lists,
        stages,
        eu,
    })
}

/// The error constructor of a stage (or of its previous vintage or a projection).
type StageErr<'a> = dyn Fn(&'static str, String) -> ReferenceError + 'a;

fn check_source(
    dataset: &str,
    year: u16,
    datasets: &BTreeSet<&str>,
    err: &StageErr<'_>,
) -> Result<(), ReferenceError> {
    if !datasets.contains(dataset) {
        return Err(err("ds", format!("data set `{dataset}` is not listed")));
    }
    if !(1900..=2200).contains(&year) {
        return Err(err("yr", format!("{year} is not a plausible data year")));
    }
    Ok(())
}

/// The published shares in percent (largest first) and the normalised mix of `sh`: with a world
/// total `tot`, each value is a quantity and its published share is `100 * q / tot`; without,
/// each value is a published percentage.
fn shares(
    sh: &[(String, f64)],
    tot: Option<f64>,
    known: &BTreeSet<CountryCode>,
    err: &StageErr<'_>,
) -> Result<(Vec<(CountryCode, f64)>, CountryMix), ReferenceError> {
    if let Some(t) = tot
        && !(t.is_finite() && t > 0.0)
    {
        return Err(err("tot", format!("{t} is not a positive world total")));
    }
    let mut published: Vec<(CountryCode, f64)> = Vec::with_capacity(sh.len());
    for (text, value) in sh {
        let code = resolve(text, known).map_err(|p| err("sh", p))?;
        let pct = match tot {
            Some(t) if value.is_finite() && (0.0..=t).contains(value) => 100.0 * value / t,
            Some(t) => {
                return Err(err(
                    "sh",
                    format!(
                        "the quantity of {code} is {value}, not between 0 and the world total {t}"
                    ),
                ));
            }
            None if value.is_finite() && (0.0..=100.0).contains(value) => *value,
            None => {
                return Err(err(
                    "sh",
                    format!("the share of {code} is {value}, not a percentage between 0 and 100"),
                ));
            }
        };
        published.push((code, pct));
    }
    let mix = CountryMix::from_shares(published.iter().copied()).map_err(|e| {
        err(
            "sh",
            match e {
                MixError::Empty => "no country has a share above zero".into(),
                other => other.to_string(),
            },
        )
    })?;
    published.retain(|(_, p)| *p > 0.0);
    order::sort_by(&mut published, |a, b| {
        b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
    });
    Ok((published, mix))
}

fn check_sum(
    mix: &CountryMix,
    caveats: &[String],
    err: &StageErr<'_>,
) -> Result<(), ReferenceError> {
    let sum = mix.original_sum();
    if !(95.0..=105.0).contains(&sum) && !caveats.iter().any(|c| c.starts_with(SUM_FLAG)) {
        return Err(err(
            "cav",
            format!(
                "the shares sum to {sum:.1} %, outside 95-105 %, without a caveat starting with \
                 \"{SUM_FLAG}\""
            ),
        ));
    }
    Ok(())
}

fn withheld_list(
    wh: &[String],
    mix: &CountryMix,
    known: &BTreeSet<CountryCode>,
    err: &StageErr<'_>,
) -> Result<Vec<CountryCode>, ReferenceError> {
    let mut withheld = Vec::with_capacity(wh.len());
    for text in wh {
        let code = resolve(text, known).map_err(|p| err("wh", p))?;
        if mix.share_of(code) > 0.0 {
            return Err(err(
                "wh",
                format!("{code} is listed as withheld but also has a share"),
            ));
        }
        withheld.push(code);
    }
    Ok(withheld)
}

fn convert_eu(
    raw: RawEu,
    known: &BTreeSet<CountryCode>,
    err: &dyn Fn(Option<Stage>, &'static str, String) -> ReferenceError,
) -> Result<EuAssessment, ReferenceError> {
    let score = |value: Option<f64>, field: &'static str| -> Result<Option<f64>, ReferenceError> {
        match value {
            Some(v) if !v.is_finite() || !(0.0..=100.0).contains(&v) => {
                Err(err(None, field, format!("{v} is not a non-negative score")))
            }
            other => Ok(other),
        }
    };
    let percent =
        |value: f64, stage: Option<Stage>, field: &'static str| -> Result<f64, ReferenceError> {
            if value.is_finite() && (0.0..=100.0).contains(&value) {
                Ok(value / 100.0)
            } else {
                Err(err(
                    stage,
                    field,
                    format!("{value} is not a percentage between 0 and 100"),
                ))
            }
        };
    let supply_risk = score(raw.sr, "sr")?;
    let economic_importance = score(raw.ei, "ei")?;
    let bottleneck = match raw.bn {
        Some(text) => Some(parse_stage(&text).map_err(|p| err(None, "bn", p))?),
        None => None,
    };
    let mut import_reliance: Vec<(Stage, f64)> = Vec::with_capacity(raw.ir.len());
    for (text, value) in raw.ir {
        let stage = parse_stage(&text).map_err(|p| err(None, "ir", p))?;
        if import_reliance.iter().any(|(s, _)| *s == stage) {
            return Err(err(Some(stage), "ir", "the stage appears twice".into()));
        }
        import_reliance.push((stage, percent(value, Some(stage), "ir")?));
    }
    let eol_rir = match raw.eol {
        Some(v) => Some(percent(v, None, "eol")?),
        None => None,
    };
    let si_sr = match raw.si {
        Some(v) if !v.is_finite() || !(0.0..=1.0).contains(&v) => {
            return Err(err(
                None,
                "si",
                format!("{v} is not a fraction between 0 and 1"),
            ));
        }
        other => other,
    };
    let table = |rows: Vec<(String, Vec<RawEuRow>)>,
                 field: &'static str|
     -> Result<EuStageShares, ReferenceError> {
        let mut out: EuStageShares = Vec::with_capacity(rows.len());
        for (text, entries) in rows {
            let stage = parse_stage(&text).map_err(|p| err(None, field, p))?;
            if out.iter().any(|(s, _)| *s == stage) {
                return Err(err(Some(stage), field, "the stage appears twice".into()));
            }
            let mut list: Vec<(CountryCode, f64, f64)> = Vec::with_capacity(entries.len());
            for entry in entries {
                let (code_text, pct, t) = match entry {
                    RawEuRow::WithT(c, p, t) => (c, p, t),
                    RawEuRow::Default(c, p) => (c, p, 1.0),
                };
                let code = resolve(&code_text, known).map_err(|p| err(Some(stage), field, p))?;
                if list.iter().any(|(c, _, _)| *c == code) {
                    return Err(err(Some(stage), field, format!("{code} appears twice")));
                }
                let share = percent(pct, Some(stage), field)?;
                if !t.is_finite() || !(0.5..=2.0).contains(&t) {
                    return Err(err(
                        Some(stage),
                        field,
                        format!("the trade parameter t of {code} is {t}, outside 0.5-2"),
                    ));
                }
                list.push((code, share, t));
            }
            if list.is_empty() {
                return Err(err(Some(stage), field, "no country listed".into()));
            }
            out.push((stage, list));
        }
        order::sort_by_key(&mut out, |(s, _)| *s);
        Ok(out)
    };
    order::sort_by_key(&mut import_reliance, |(s, _)| *s);
    Ok(EuAssessment {
        supply_risk,
        economic_importance,
        bottleneck,
        import_reliance,
        eol_rir,
        si_sr,
        global_supply: table(raw.gs, "gs")?,
        eu_sourcing: table(raw.es, "es")?,
        caveats: raw.cav,
    })
}

// ---------------------------------------------------------------------------------------------
// Small checks
// ---------------------------------------------------------------------------------------------

/// A code written exactly as stored: three upper-case ASCII letters.
fn parse_code(text: &str) -> Option<CountryCode> {
    let code = CountryCode::parse(text)?;
    (code.as_str() == text).then_some(code)
}

fn resolve(text: &str, known: &BTreeSet<CountryCode>) -> Result<CountryCode, String> {
    let code = parse_code(text).ok_or_else(|| {
        format!("`{text}` is not an upper-case three-letter country code (or ROW)")
    })?;
    if known.contains(&code) {
        Ok(code)
    } else {
        Err(format!("country `{code}` is not in the country list"))
    }
}

fn parse_stage(text: &str) -> Result<Stage, String> {
    match text {
        "mining" => Ok(Stage::Mining),
        "refining" => Ok(Stage::Refining),
        other => Err(format!(
            "`{other}` is not a reference-data stage (`mining` or `refining`)"
        )),
    }
}

fn is_identifier(text: &str, upper: bool) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| {
            b == b'_'
                || b.is_ascii_digit()
                || if upper {
                    b.is_ascii_alphabetic()
                } else {
                    b.is_ascii_lowercase()
                }
        })
}

fn is_element_symbol(text: &str) -> bool {
    let b = text.as_bytes();
    match b {
        [first] => first.is_ascii_uppercase(),
        [first, second] => first.is_ascii_uppercase() && second.is_ascii_lowercase(),
        _ => false,
    }
}

fn is_iso_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"v":2,
      "datasets":[{"id":"D","short":"D","pub":"P","title":"T","yr":2025,"lic":"L","cit":"C","cav":[]}],
      "countries":[["CHN","CN","China",-0.5],["ROW","","Rest of world",null],["AUS","AU","Australia",1.5]],
      "groups":[{"id":"g","name":"G","as_of":"2024-01-01","src":"S","m":["AUS"]}],
      "materials":[{"id":"x","name":"X","sym":["Ga"],"lists":[1,0,1,null],
        "stages":[{"st":"refining","det":"d","ds":"D","yr":2024,"unit":"t","old":false,"cav":[],"wh":[],
                   "sh":[["CHN",90.0],["ROW",10.0]]}],
        "eu":{"sr":1.5,"ei":3.0,"bn":"refining","ir":[["refining",98]],"eol":0,"si":0.98,"cav":[],
              "gs":[["refining",[["CHN",93.8,1.1],["AUS",6.2]]]],"es":[]}}]}"#;

    fn with(from: &str, to: &str) -> Result<ReferenceData, ReferenceError> {
        assert!(MINIMAL.contains(from), "test fixture lacks `{from}`");
        parse_reference(&MINIMAL.replacen(from, to, 1))
    }

    fn material_error(
        result: Result<ReferenceData, ReferenceError>,
    ) -> (String, Option<Stage>, &'static str) {
        match result {
            Err(ReferenceError::Material {
                material,
                stage,
                field,
                ..
            }) => (material, stage, field),
            other => panic!("expected a material error, got {other:?}"),
        }
    }

    #[test]
    fn minimal_document_parses() {
        let data = parse_reference(MINIMAL).unwrap();
        assert_eq!(data.countries.len(), 3);
        assert_eq!(data.countries[0].code.as_str(), "AUS", "sorted by code");
        let x = data.material("x").unwrap();
        assert!(x.lists.eu_critical_2023 && !x.lists.eu_strategic_2023);
        let s = x.stage(Stage::Refining).unwrap();
        assert_eq!(s.mix.original_sum(), 100.0);
        let eu = x.eu.as_ref().unwrap();
        assert_eq!(eu.import_reliance, vec![(Stage::Refining, 0.98)]);
        let gs = &eu.global_supply[0].1;
        assert_eq!(gs[1].2, 1.0, "t defaults to 1.0");
        assert!((gs[0].1 - 0.938).abs() < 1e-12);
        assert!(!data.groups[0].user_defined);
    }

    #[test]
    fn syntax_errors_carry_a_position() {
        match parse_reference("{\"v\":2,") {
            Err(ReferenceError::Syntax { line, .. }) => assert_eq!(line, 1),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_reference("[]"),
            Err(ReferenceError::Syntax { .. })
        ));
        assert!(matches!(
            with("\"unit\":\"t\"", "\"unit\":\"t\",\"extra\":1"),
            Err(ReferenceError::Syntax { .. })
        ));
    }

    #[test]
    fn wrong_version_is_a_document_error() {
        assert!(matches!(
            with("\"v\":2", "\"v\":3"),
            Err(ReferenceError::Document { field: "v", .. })
        ));
    }

    #[test]
    fn unknown_country_names_material_stage_and_field() {
        let (m, s, f) = material_error(with("[\"ROW\",10.0]", "[\"FRA\",10.0]"));
        assert_eq!((m.as_str(), s, f), ("x", Some(Stage::Refining), "sh"));
        let (_, s, f) = material_error(with("[\"AUS\",6.2]", "[\"Australia\",6.2]"));
        assert_eq!((s, f), (Some(Stage::Refining), "gs"));
    }

    #[test]
    fn bad_shares_are_rejected() {
        let (_, _, f) = material_error(with("[\"CHN\",90.0]", "[\"CHN\",-1.0]"));
        assert_eq!(f, "sh");
        let (_, _, f) = material_error(with("[\"CHN\",90.0]", "[\"CHN\",190.0]"));
        assert_eq!(f, "sh");
        let (_, _, f) = material_error(with("[\"ROW\",10.0]", "[\"CHN\",10.0]"));
        assert_eq!(f, "sh", "duplicate country");
        let (_, _, f) = material_error(with("[[\"CHN\",90.0],[\"ROW\",10.0]]", "[[\"CHN\",0.0]]"));
        assert_eq!(f, "sh", "empty mix");
    }

    #[test]
    fn unflagged_sum_outside_range_is_rejected_and_flagged_accepted() {
        let (_, s, f) = material_error(with("[\"ROW\",10.0]", "[\"ROW\",1.0]"));
        assert_eq!((s, f), (Some(Stage::Refining), "cav"));
        let flagged = MINIMAL
            .replacen("[\"ROW\",10.0]", "[\"ROW\",1.0]", 1)
            .replacen(
                "\"old\":false,\"cav\":[]",
                "\"old\":false,\"cav\":[\"Published shares sum to 91.0 %\"]",
                1,
            );
        let data = parse_reference(&flagged).unwrap();
        let s = data.material("x").unwrap().stage(Stage::Refining).unwrap();
        assert!(s.sum_out_of_range());
        assert!((s.published_percent(CountryCode::parse("CHN").unwrap()) - 90.0).abs() < 1e-9);
    }

    #[test]
    fn stage_dataset_and_list_errors() {
        let (_, s, f) = material_error(with("\"st\":\"refining\"", "\"st\":\"component\""));
        assert_eq!((s, f), (None, "st"));
        let (_, s, f) = material_error(with("\"ds\":\"D\"", "\"ds\":\"NOPE\""));
        assert_eq!((s, f), (Some(Stage::Refining), "ds"));
        let (_, _, f) = material_error(with("\"lists\":[1,0,1,null]", "\"lists\":[1,2,1,null]"));
        assert_eq!(f, "lists");
        let (_, _, f) = material_error(with("\"sym\":[\"Ga\"]", "\"sym\":[\"GA\"]"));
        assert_eq!(f, "sym");
        let (_, _, f) = material_error(with("\"wh\":[]", "\"wh\":[\"CHN\"]"));
        assert_eq!(f, "wh");
    }

    #[test]
    fn eu_errors() {
        let (_, _, f) = material_error(with("\"si\":0.98", "\"si\":1.5"));
        assert_eq!(f, "si");
        let (_, s, f) = material_error(with("[\"refining\",98]", "[\"refining\",180]"));
        assert_eq!((s, f), (Some(Stage::Refining), "ir"));
        let (_, _, f) = material_error(with("\"CHN\",93.8,1.1", "\"CHN\",93.8,9.0"));
        assert_eq!(f, "gs");
        let (_, _, f) = material_error(with("\"bn\":\"refining\"", "\"bn\":\"smelting\""));
        assert_eq!(f, "bn");
    }

    #[test]
    fn country_group_and_dataset_errors() {
        assert!(matches!(
            with(
                "[\"CHN\",\"CN\",\"China\",-0.5]",
                "[\"chn\",\"CN\",\"China\",-0.5]"
            ),
            Err(ReferenceError::Country { field: "code", .. })
        ));
        assert!(matches!(
            with("\"China\",-0.5", "\"China\",9.5"),
            Err(ReferenceError::Country { field: "wgi", .. })
        ));
        assert!(matches!(
            with("\"m\":[\"AUS\"]", "\"m\":[\"XXX\"]"),
            Err(ReferenceError::Group { field: "m", .. })
        ));
        assert!(matches!(
            with("\"as_of\":\"2024-01-01\"", "\"as_of\":\"January 2024\""),
            Err(ReferenceError::Group { field: "as_of", .. })
        ));
        assert!(matches!(
            with("\"lic\":\"L\"", "\"lic\":\" \""),
            Err(ReferenceError::Dataset { field: "lic", .. })
        ));
    }

    #[test]
    fn duplicate_material_is_rejected() {
        let doubled = MINIMAL.replacen(
            "\"materials\":[{",
            "\"materials\":[{\"id\":\"x\",\"name\":\"X\",\"sym\":[],\"lists\":[0,0,0,null],\"stages\":[]},{",
            1,
        );
        let (m, _, f) = material_error(parse_reference(&doubled));
        assert_eq!((m.as_str(), f), ("x", "id"));
    }

    #[test]
    fn errors_display_their_location() {
        let e = with("[\"ROW\",10.0]", "[\"FRA\",10.0]").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("`x`") && text.contains("refining") && text.contains("`sh`"));
    }

    #[test]
    fn no_panic_on_arbitrary_text() {
        for text in ["", "null", "{}", "{\"v\":2}", "\u{feff}", "{\"v\":1e999}"] {
            assert!(parse_reference(text).is_err());
        }
    }

    #[test]
    fn truncated_or_altered_embedded_text_is_an_error_not_a_panic() {
        let text = EMBEDDED_JSON;
        let step = (text.len() / 150).max(1);
        for end in (0..text.len() - 2).step_by(step) {
            if text.is_char_boundary(end) {
                assert!(
                    parse_reference(&text[..end]).is_err(),
                    "prefix of {end} bytes"
                );
            }
        }
        for (from, to) in [
            ("\"mining\"", "\"smelting\""),
            ("\"CHN\"", "\"ZZZ\""),
            ("\"ROW\"", "\"row\""),
            (",1.0]", ",-1.0]"),
            ("\"yr\":2024", "\"yr\":70000"),
            ("\"v\":2", "\"v\":0"),
        ] {
            assert!(text.contains(from), "{from}");
            assert!(
                parse_reference(&text.replacen(from, to, 1)).is_err(),
                "{from} -> {to}"
            );
        }
    }

    #[test]
    fn quantities_with_a_world_total_give_the_published_share() {
        let data = with(
            "\"wh\":[],\n                   \"sh\":[[\"CHN\",90.0],[\"ROW\",10.0]]",
            "\"wh\":[],\"tot\":760000,\"sh\":[[\"CHN\",750000],[\"ROW\",12000]]",
        )
        .unwrap();
        let s = data.material("x").unwrap().stage(Stage::Refining).unwrap();
        let chn = CountryCode::parse("CHN").unwrap();
        assert_eq!(s.published_percent(chn), 100.0 * 750_000.0 / 760_000.0);
        assert_eq!(s.world_total, Some(760_000.0));
        assert!((s.normalisation().published_sum - 100.0 * 762_000.0 / 760_000.0).abs() < 1e-9);
        // A quantity above the world total, or a total that is not positive, is refused.
        let (_, _, f) = material_error(with(
            "\"wh\":[],\n                   \"sh\":[[\"CHN\",90.0],[\"ROW\",10.0]]",
            "\"wh\":[],\"tot\":100,\"sh\":[[\"CHN\",900],[\"ROW\",10.0]]",
        ));
        assert_eq!(f, "sh");
        let (_, _, f) = material_error(with(
            "\"wh\":[],\n                   \"sh\"",
            "\"wh\":[],\"tot\":0,\"sh\"",
        ));
        assert_eq!(f, "tot");
    }

    #[test]
    fn vintages_attach_to_their_series_and_are_validated() {
        let mut data = parse_reference(MINIMAL).unwrap();
        let vintages = r#"{"v":2,"series":[{"m":"x","st":"refining",
            "prev":{"ds":"D","yr":2023,"cav":[],"wh":["AUS"],"tot":10,"sh":[["CHN",8],["ROW",2]]},
            "proj":{"ds":"D","det":"d","pts":[[2030,[["CHN",60],["ROW",40]]],[2024,[["CHN",90],["ROW",10]]]]}}]}"#;
        add_vintages(&mut data, vintages).unwrap();
        let s = data.material("x").unwrap().stage(Stage::Refining).unwrap();
        let previous = s.previous.as_ref().unwrap();
        assert_eq!(
            (previous.source.year, previous.published[0].1),
            (2023, 80.0)
        );
        let years: Vec<u16> = s.projections.iter().map(|p| p.source.year).collect();
        assert_eq!(years, [2024, 2030], "sorted by year");
        let trend = s.trend().unwrap();
        assert_eq!(trend.countries[0].previous, Some(80.0));
        for (from, to, field) in [
            ("\"m\":\"x\"", "\"m\":\"y\"", "st"),
            ("[\"CHN\",8]", "[\"FRA\",8]", "sh"),
            ("\"wh\":[\"AUS\"]", "\"wh\":[\"CHN\"]", "wh"),
            ("\"yr\":2023", "\"yr\":20230", "yr"),
            ("[2024,", "[2030,", "proj"),
            ("\"ds\":\"D\",\"det\"", "\"ds\":\"E\",\"det\"", "ds"),
        ] {
            let mut data = parse_reference(MINIMAL).unwrap();
            let (_, _, f) = material_error(
                add_vintages(&mut data, &vintages.replacen(from, to, 1)).map(|()| data),
            );
            assert_eq!(f, field, "{from} -> {to}");
        }
        assert!(matches!(
            add_vintages(&mut data, &vintages.replacen("\"v\":2", "\"v\":1", 1)),
            Err(ReferenceError::Document { field: "v", .. })
        ));
    }

    #[test]
    fn the_current_data_has_no_vintages_and_the_full_data_has_them() {
        let current = try_embedded_current().expect("current data validates");
        let full = try_embedded().expect("full data validates");
        assert_eq!(current.materials.len(), full.materials.len());
        let stages = |d: &ReferenceData| -> (usize, usize) {
            let all = d.materials.iter().flat_map(|m| &m.stages);
            (
                all.clone().filter(|s| s.previous.is_some()).count(),
                all.filter(|s| !s.projections.is_empty()).count(),
            )
        };
        assert_eq!(stages(current), (0, 0));
        assert_eq!(stages(full), (44, 13));
    }

    #[test]
    fn embedded_data_parses() {
        let data = try_embedded().expect("embedded data validates");
        assert!(data.materials.len() >= 40);
        assert!(std::ptr::eq(data, embedded()));
    }

    #[test]
    fn aliases_resolve_to_catalogue_ids() {
        let data = embedded();
        for (alias, id) in ALIASES {
            assert!(data.material(id).is_some(), "alias target {id} missing");
            assert_eq!(data.find_material(alias).map(|m| m.id.as_str()), Some(*id));
        }
    }
}
