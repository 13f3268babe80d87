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

mod convert;
use convert::*;
mod raw;
use raw::*;
mod staged;
pub use staged::StagedReference;

/// The embedded data file, `data/reference.json`, as compiled into the binary: the current
/// vintage of every series (the pages' part of the app reads the app module's copy:
/// [`super::documents`]).
pub const EMBEDDED_JSON: &str = super::documents::REFERENCE_JSON;

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
    let known = order::set_of(data.countries.iter().map(|c| c.code));
    let ids: Vec<String> = data.datasets.iter().map(|d| d.id.clone()).collect();
    let datasets = order::set_of(ids.iter().map(String::as_str));
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
    // The reader that the app's start runs in steps, run to the end at once.
    StagedReference::of(json).into_result()
}

/// The parts of a reference document other than its materials, checked and converted.
struct Head {
    datasets: Vec<Dataset>,
    countries: Vec<Country>,
    groups: Vec<CountryGroup>,
    /// The listed country codes (`ROW` included).
    known: BTreeSet<CountryCode>,
}

impl Head {
    /// The data sets' identifiers.
    fn dataset_ids(&self) -> BTreeSet<&str> {
        order::set_of(self.datasets.iter().map(|d| d.id.as_str()))
    }
}

/// Checks and converts the format version, data sets, countries and groups of a document.
fn convert_head(
    v: u32,
    datasets: Vec<RawDataset>,
    countries: Vec<RawCountry>,
    groups: Vec<RawGroup>,
) -> Result<Head, ReferenceError> {
    check_format_version(v, "format version")?;
    let datasets = convert_datasets(datasets)?;
    let countries = convert_countries(countries)?;
    let known = order::set_of(countries.iter().map(|c| c.code));
    let mut converted = Vec::with_capacity(groups.len());
    for g in groups {
        converted.push(convert_group(g, &known)?);
    }
    order::sort_by(&mut converted, |a, b| a.id.cmp(&b.id));
    if let Some(w) = converted.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(ReferenceError::Group {
            group: w[0].id.clone(),
            field: "id",
            problem: "appears twice".into(),
        });
    }
    Ok(Head {
        datasets,
        countries,
        groups: converted,
        known,
    })
}

/// The data set of a head and its converted materials: sorted by id, each id once.
fn assemble(head: Head, mut materials: Vec<Material>) -> Result<ReferenceData, ReferenceError> {
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
        countries: head.countries,
        groups: head.groups,
        datasets: head.datasets,
    })
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
