//! Industry templates: illustrative bills of materials (kg of material per unit of product) that
//! start a portfolio from an industry instead of an empty page.
//!
//! `data/templates.json` is written by `scripts/data/build_templates.py` from the cited
//! intensities in `data/sources/intensity/intensity.csv` (never by hand); `docs/DATA.md`,
//! section "Industry templates", documents it. This module parses it once ([`templates`]),
//! validating every value on the way ([`parse_templates`]). No file I/O, so it runs unchanged on
//! `wasm32-unknown-unknown`.
//!
//! # What a template holds
//!
//! - A **unit of product** and a **kind**: a [`TemplateKind::Component`] (per kWh of battery, per
//!   kg of magnet), a whole [`TemplateKind::Product`] (per vehicle, per MW) or a
//!   [`TemplateKind::Consumable`] (per MRI exam). A template never mixes kinds or units, so that
//!   a component is not counted twice inside a product that already holds it.
//! - **Items**, one per material. An item's default quantity, [`TemplateItem::kg_per_unit`], is
//!   the value of the first intensity series of the template that has a number for it; when two
//!   or more sources give a number (different chemistries, technologies or estimates), the item
//!   also has a [`range`](TemplateItem::range) `(min, max)`, and [`TemplateItem::sources`] lists
//!   every source row with its own value, title, year, location, confidence and notes.
//! - Items **without a number** (LOW confidence: no citable quantity found) are kept as "material
//!   used, quantity not published"; no number is ever invented.
//! - Items that are **not catalogue materials** (the IEA's unnamed "others", a component such as
//!   `ndfeb_magnet`) are kept with the reason in [`TemplateItem::not_in_catalogue`].
//!
//! Every template is **illustrative**: model defaults and published averages, not a firm's bill
//! of materials. Descriptions start with the word "Illustrative".
//!
//! # From template to portfolio
//!
//! `chokepoint::portfolio::templates::to_portfolio` makes one line per item that has a quantity
//! above zero and a catalogue material (kg a year, every material needed for the whole product).
//!
//! ```
//! use chokepoint::reference::templates::template;
//! let lfp = template("ev_battery_lfp").unwrap();
//! assert!(lfp.items.iter().any(|i| i.material.as_deref() == Some("lithium")));
//! ```

use crate::model::context::EndUse;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::OnceLock;

/// The embedded template file, `data/templates.json`, as compiled into the binary.
pub const TEMPLATES_JSON: &str = include_str!("../../data/templates.json");

/// The format version of the template file this loader reads (the file's `v` field).
pub const TEMPLATES_FORMAT_VERSION: u32 = 1;

/// The word every template description starts with.
pub const ILLUSTRATIVE: &str = "Illustrative";

/// The `spend_unit` of portfolios made from a template: amounts are kilograms, not money.
pub const QUANTITY_UNIT: &str = "kg";

/// The industries of the start screen; every template belongs to one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Industry {
    /// EV battery packs and electric vehicles.
    EvBatteries,
    /// Permanent-magnet motors and wind turbines.
    MagnetsWind,
    /// Semiconductors and chips.
    Semiconductors,
    /// Defense electronics and platforms.
    Defense,
    /// Medical imaging.
    MedicalImaging,
    /// Data centres and AI hardware.
    DataCentres,
    /// Solar PV.
    SolarPv,
}

impl Industry {
    /// All industries, in start-screen order.
    pub const ALL: [Industry; 7] = [
        Industry::EvBatteries,
        Industry::MagnetsWind,
        Industry::Semiconductors,
        Industry::Defense,
        Industry::MedicalImaging,
        Industry::DataCentres,
        Industry::SolarPv,
    ];

    /// The identifier used in the file, for example `magnets_wind`.
    pub fn id(self) -> &'static str {
        match self {
            Industry::EvBatteries => "ev_batteries",
            Industry::MagnetsWind => "magnets_wind",
            Industry::Semiconductors => "semiconductors",
            Industry::Defense => "defense",
            Industry::MedicalImaging => "medical_imaging",
            Industry::DataCentres => "data_centres",
            Industry::SolarPv => "solar_pv",
        }
    }

    /// A short English label for display.
    pub fn label(self) -> &'static str {
        match self {
            Industry::EvBatteries => "EV batteries and vehicles",
            Industry::MagnetsWind => "Permanent-magnet motors and wind turbines",
            Industry::Semiconductors => "Semiconductors and chips",
            Industry::Defense => "Defense electronics",
            Industry::MedicalImaging => "Medical imaging",
            Industry::DataCentres => "Data centres and AI hardware",
            Industry::SolarPv => "Solar PV",
        }
    }

    fn parse(text: &str) -> Option<Industry> {
        Industry::ALL.into_iter().find(|i| i.id() == text)
    }
}

/// What one unit of a template is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    /// A part that goes into products (per kWh of battery, per kg of magnet). Do not add it to a
    /// product template that already holds it.
    Component,
    /// A whole product (per vehicle, per MW of capacity, per scanner).
    Product,
    /// Material consumed in use rather than built in (per MRI contrast exam).
    Consumable,
}

impl TemplateKind {
    /// The identifier used in the file (`component`, `product`, `consumable`).
    pub fn id(self) -> &'static str {
        match self {
            TemplateKind::Component => "component",
            TemplateKind::Product => "product",
            TemplateKind::Consumable => "consumable",
        }
    }

    fn parse(text: &str) -> Option<TemplateKind> {
        [
            TemplateKind::Component,
            TemplateKind::Product,
            TemplateKind::Consumable,
        ]
        .into_iter()
        .find(|k| k.id() == text)
    }
}

/// How firmly a number stands, as the intensity table grades it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Confidence {
    /// No citable number found: the material is used, its quantity is not published.
    Low,
    /// Read in a reproduction or secondary source, or derived by a stated calculation.
    Medium,
    /// Read in the cited source itself.
    High,
}

impl Confidence {
    /// A short English label: `high`, `medium` or `low`.
    pub fn label(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }

    fn parse(text: &str) -> Option<Confidence> {
        match text {
            "HIGH" => Some(Confidence::High),
            "MEDIUM" => Some(Confidence::Medium),
            "LOW" => Some(Confidence::Low),
            _ => None,
        }
    }
}

/// One source row behind an item: one row of `intensity.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TemplateSource {
    /// The intensity series (the CSV's `template` column), for example `battery_nmc811`.
    pub series: String,
    /// kg of material per unit of product; `None` when no number was published.
    pub kg_per_unit: Option<f64>,
    /// Title of the source as cited.
    pub title: String,
    /// Year of the source, where known.
    pub year: Option<u16>,
    /// Where the figure was read (address or file and sheet).
    pub location: String,
    /// A short citation for labels, for example "IEA (2021), as reproduced".
    pub citation: String,
    /// How firmly the figure stands.
    pub confidence: Confidence,
    /// The row's notes: basis, conversions (`DERIVED` ones say so), caveats.
    pub notes: String,
}

/// One material of a template.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TemplateItem {
    /// The material as the intensity table names it, for example `iron` or `ndfeb_magnet`.
    pub source_id: String,
    /// The catalogue id it stands for (`iron` → `iron_ore`); `None` when it is not a catalogue
    /// material (see [`not_in_catalogue`](Self::not_in_catalogue)).
    pub material: Option<String>,
    /// Why the item is not a catalogue material (an aggregate, a component), when it is not.
    pub not_in_catalogue: Option<String>,
    /// The `source_id` of another item of the same template whose mass already includes this
    /// one (neodymium within a magnet's rare earths); such items do not become portfolio lines.
    pub counted_in: Option<String>,
    /// Default kg per unit of product: the first source with a number; `None` when no source
    /// published one.
    pub kg_per_unit: Option<f64>,
    /// `(min, max)` over the sources' numbers, when two or more sources give one.
    pub range: Option<(f64, f64)>,
    /// Confidence of the default source.
    pub confidence: Confidence,
    /// How the item was mapped, where that needs saying (`iron` read as iron ore).
    pub note: Option<String>,
    /// Every source row, the default first.
    pub sources: Vec<TemplateSource>,
}

/// An illustrative industry template.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Template {
    /// Stable identifier, for example `ev_battery_nmc`.
    pub id: String,
    /// The start-screen industry it belongs to.
    pub industry: Industry,
    /// Display name.
    pub name: String,
    /// What it covers and leaves out; starts with [`ILLUSTRATIVE`].
    pub description: String,
    /// Unit of product as the intensity table names it (`kWh`, `kg_magnet`, `vehicle`, `MW`).
    pub unit: String,
    /// Unit of product for display, for example "kWh of pack capacity".
    pub unit_label: String,
    /// Component, whole product or consumable.
    pub kind: TemplateKind,
    /// The intensity series it is built from, in priority order.
    pub series: Vec<String>,
    /// One item per material, in source order.
    pub items: Vec<TemplateItem>,
    /// What the product is used as, given to every line the template makes (the policy rules
    /// read it, see [`crate::model::context`]); `None` for a whole product holding several.
    pub end_use: Option<EndUse>,
}

impl Template {
    /// The item whose intensity-table id is `source_id`.
    pub fn item(&self, source_id: &str) -> Option<&TemplateItem> {
        self.items.iter().find(|i| i.source_id == source_id)
    }
}

/// Why a template document was rejected, naming the template, item and field at fault.
#[derive(Clone, Debug, PartialEq)]
pub enum TemplateError {
    /// Not JSON of the expected shape.
    Syntax {
        /// Line in the text, from 1.
        line: usize,
        /// Column in the text, from 1.
        column: usize,
        /// What serde_json says.
        message: String,
    },
    /// A document-level field (`v`, `refs`, `notes`) is wrong.
    Document {
        /// The field.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// A template or one of its items is wrong.
    Template {
        /// The template id.
        template: String,
        /// The item's `source_id`, when the problem is in an item.
        item: Option<String>,
        /// The field.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::Syntax {
                line,
                column,
                message,
            } => write!(
                f,
                "not a template file (line {line}, column {column}): {message}"
            ),
            TemplateError::Document { field, problem } => write!(f, "field `{field}`: {problem}"),
            TemplateError::Template {
                template,
                item: Some(item),
                field,
                problem,
            } => write!(
                f,
                "template `{template}`, item `{item}`, field `{field}`: {problem}"
            ),
            TemplateError::Template {
                template,
                item: None,
                field,
                problem,
            } => write!(f, "template `{template}`, field `{field}`: {problem}"),
        }
    }
}

impl std::error::Error for TemplateError {}

// ---------------------------------------------------------------------------------------------
// File form
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    v: u32,
    /// `[title, year, location, short citation]`.
    refs: Vec<(String, Option<u32>, String, String)>,
    notes: Vec<String>,
    templates: Vec<RawTemplate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplate {
    id: String,
    ind: String,
    name: String,
    desc: String,
    unit: String,
    ul: String,
    kind: String,
    series: Vec<String>,
    items: Vec<RawItem>,
    #[serde(default)]
    eu: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    src: String,
    #[serde(default)]
    mat: Option<String>,
    #[serde(default)]
    why: Option<String>,
    #[serde(default, rename = "in")]
    counted_in: Option<String>,
    #[serde(default)]
    kg: Option<f64>,
    #[serde(default)]
    rng: Option<(f64, f64)>,
    conf: String,
    #[serde(default)]
    note: Option<String>,
    /// `[series, kg or null, index into refs, confidence, index into notes]`.
    rows: Vec<(String, Option<f64>, usize, String, usize)>,
}

/// Parses and validates a template document in the format of `data/templates.json`.
///
/// Checks, besides the JSON shape: the format version; identifiers unique and lower case; a known
/// industry and kind; descriptions that start with [`ILLUSTRATIVE`]; each item either a
/// catalogue-style id or a reason it is not in the catalogue; source rows drawn from the
/// template's own series with valid references; quantities finite and non-negative, present
/// exactly when the row is not LOW confidence; the default equal to the first source with a
/// number and the range equal to the sources' min and max.
///
/// ```
/// use chokepoint::reference::templates::{parse_templates, TemplateError};
/// assert!(matches!(parse_templates("{\"v\":1,"), Err(TemplateError::Syntax { line: 1, .. })));
/// ```
pub fn parse_templates(json: &str) -> Result<Vec<Template>, TemplateError> {
    let raw: RawDocument = serde_json::from_str(json).map_err(|e| TemplateError::Syntax {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    if raw.v != TEMPLATES_FORMAT_VERSION {
        return Err(TemplateError::Document {
            field: "v",
            problem: format!(
                "format version {} is not the supported version {TEMPLATES_FORMAT_VERSION}",
                raw.v
            ),
        });
    }
    for (title, year, _, citation) in &raw.refs {
        if title.trim().is_empty() || citation.trim().is_empty() {
            return Err(TemplateError::Document {
                field: "refs",
                problem: "a source has an empty title or citation".into(),
            });
        }
        if let Some(year) = year
            && !(1900..=2200).contains(year)
        {
            return Err(TemplateError::Document {
                field: "refs",
                problem: format!("{year} is not a plausible year"),
            });
        }
    }
    let mut out: Vec<Template> = Vec::with_capacity(raw.templates.len());
    for t in raw.templates {
        if out.iter().any(|o| o.id == t.id) {
            return Err(TemplateError::Template {
                template: t.id,
                item: None,
                field: "id",
                problem: "appears twice".into(),
            });
        }
        out.push(convert_template(t, &raw.refs, &raw.notes)?);
    }
    Ok(out)
}

fn convert_template(
    t: RawTemplate,
    refs: &[(String, Option<u32>, String, String)],
    notes: &[String],
) -> Result<Template, TemplateError> {
    let id = t.id.clone();
    let err = |item: Option<&str>, field: &'static str, problem: String| TemplateError::Template {
        template: id.clone(),
        item: item.map(str::to_string),
        field,
        problem,
    };
    if !is_identifier(&t.id) {
        return Err(err(None, "id", "not a lower-case identifier".into()));
    }
    let industry = Industry::parse(&t.ind)
        .ok_or_else(|| err(None, "ind", format!("`{}` is not an industry", t.ind)))?;
    let kind = TemplateKind::parse(&t.kind)
        .ok_or_else(|| err(None, "kind", format!("`{}` is not a kind", t.kind)))?;
    let end_use = match &t.eu {
        None => None,
        Some(text) => Some(
            EndUse::parse(text)
                .ok_or_else(|| err(None, "eu", format!("`{text}` is not an end use")))?,
        ),
    };
    for (field, text) in [
        ("name", &t.name),
        ("unit", &t.unit),
        ("ul", &t.ul),
        ("desc", &t.desc),
    ] {
        if text.trim().is_empty() {
            return Err(err(None, field, "is empty".into()));
        }
    }
    if !t.desc.starts_with(ILLUSTRATIVE) {
        return Err(err(
            None,
            "desc",
            format!("does not start with \"{ILLUSTRATIVE}\""),
        ));
    }
    if t.series.is_empty() || t.items.is_empty() {
        return Err(err(None, "items", "no series or no item".into()));
    }
    let mut items: Vec<TemplateItem> = Vec::with_capacity(t.items.len());
    for raw in t.items {
        let src = raw.src.clone();
        let item_err = |field: &'static str, problem: String| err(Some(&src), field, problem);
        if !is_identifier(&raw.src) {
            return Err(item_err("src", "not a lower-case identifier".into()));
        }
        if items.iter().any(|i| i.source_id == raw.src) {
            return Err(item_err("src", "appears twice".into()));
        }
        match (&raw.mat, &raw.why) {
            (Some(mat), None) if is_identifier(mat) => {}
            (None, Some(why)) if !why.trim().is_empty() => {}
            _ => {
                return Err(item_err(
                    "mat",
                    "needs either a catalogue id or a reason it is not in the catalogue".into(),
                ));
            }
        }
        let confidence = Confidence::parse(&raw.conf)
            .ok_or_else(|| item_err("conf", format!("`{}` is not a confidence", raw.conf)))?;
        if raw.rows.is_empty() {
            return Err(item_err("rows", "no source row".into()));
        }
        let mut sources = Vec::with_capacity(raw.rows.len());
        for (series, kg, ref_index, conf, note_index) in raw.rows {
            if !t.series.contains(&series) {
                return Err(item_err(
                    "rows",
                    format!("series `{series}` is not one of the template's"),
                ));
            }
            let (title, year, location, citation) = refs
                .get(ref_index)
                .ok_or_else(|| item_err("rows", format!("no source {ref_index}")))?;
            let notes = notes
                .get(note_index)
                .ok_or_else(|| item_err("rows", format!("no note {note_index}")))?;
            let row_confidence = Confidence::parse(&conf)
                .ok_or_else(|| item_err("rows", format!("`{conf}` is not a confidence")))?;
            if let Some(kg) = kg
                && !(kg.is_finite() && kg >= 0.0)
            {
                return Err(item_err(
                    "rows",
                    format!("{kg} is not a non-negative quantity"),
                ));
            }
            if kg.is_none() != (row_confidence == Confidence::Low) {
                return Err(item_err(
                    "rows",
                    "a quantity is given exactly when confidence is not LOW".into(),
                ));
            }
            sources.push(TemplateSource {
                series,
                kg_per_unit: kg,
                title: title.clone(),
                // Checked above: 1900..=2200 fits a u16.
                year: year.and_then(|y| u16::try_from(y).ok()),
                location: location.clone(),
                citation: citation.clone(),
                confidence: row_confidence,
                notes: notes.clone(),
            });
        }
        let numbers: Vec<f64> = sources.iter().filter_map(|s| s.kg_per_unit).collect();
        if raw.kg != sources[0].kg_per_unit || raw.kg != numbers.first().copied() {
            return Err(item_err(
                "kg",
                "is not the first source's quantity, or a source with one is not first".into(),
            ));
        }
        let expected_range = (numbers.len() >= 2).then(|| {
            let min = numbers.iter().copied().fold(f64::INFINITY, f64::min);
            let max = numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (min, max)
        });
        if raw.rng != expected_range {
            return Err(item_err(
                "rng",
                "is not the min and max of the sources' quantities".into(),
            ));
        }
        let default_confidence = sources
            .iter()
            .find(|s| s.kg_per_unit.is_some())
            .unwrap_or(&sources[0])
            .confidence;
        if confidence != default_confidence {
            return Err(item_err(
                "conf",
                "is not the default source's confidence".into(),
            ));
        }
        items.push(TemplateItem {
            source_id: raw.src,
            material: raw.mat,
            not_in_catalogue: raw.why,
            counted_in: raw.counted_in,
            kg_per_unit: raw.kg,
            range: raw.rng,
            confidence,
            note: raw.note,
            sources,
        });
    }
    for item in &items {
        if let Some(holder) = &item.counted_in
            && (holder == &item.source_id || !items.iter().any(|i| &i.source_id == holder))
        {
            return Err(err(
                Some(&item.source_id),
                "in",
                format!("`{holder}` is not another item of the template"),
            ));
        }
    }
    Ok(Template {
        id: t.id,
        industry,
        name: t.name,
        description: t.desc,
        unit: t.unit,
        unit_label: t.ul,
        kind,
        series: t.series,
        items,
        end_use,
    })
}

fn is_identifier(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b == b'_' || b.is_ascii_digit() || b.is_ascii_lowercase())
}

/// The embedded templates, parsed and validated once, or the reason they failed validation.
pub fn try_templates() -> Result<&'static [Template], &'static TemplateError> {
    static TEMPLATES: OnceLock<Result<Vec<Template>, TemplateError>> = OnceLock::new();
    TEMPLATES
        .get_or_init(|| parse_templates(TEMPLATES_JSON))
        .as_ref()
        .map(Vec::as_slice)
}

/// The embedded templates, in start-screen order.
///
/// Never panics: should the embedded file fail validation (a test makes sure it does not), this
/// returns an empty slice; [`try_templates`] gives the error.
pub fn templates() -> &'static [Template] {
    try_templates().unwrap_or(&[])
}

/// The embedded template with identifier `id`.
pub fn template(id: &str) -> Option<&'static Template> {
    templates().iter().find(|t| t.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"v":1,
      "refs":[["T",2021,"L","T (2021)"]],
      "notes":["n"],
      "templates":[{"id":"t","ind":"solar_pv","name":"N","desc":"Illustrative. D","unit":"MW",
        "ul":"MW","kind":"product","series":["a","b"],
        "items":[{"src":"silver","mat":"silver","kg":2,"rng":[1,2],"conf":"MEDIUM",
                  "rows":[["a",2,0,"MEDIUM",0],["b",1,0,"HIGH",0]]},
                 {"src":"others","why":"W","kg":1,"conf":"MEDIUM","rows":[["a",1,0,"MEDIUM",0]]},
                 {"src":"gallium","mat":"gallium","conf":"LOW","rows":[["b",null,0,"LOW",0]]}]}]}"#;

    fn with(from: &str, to: &str) -> Result<Vec<Template>, TemplateError> {
        assert!(MINIMAL.contains(from), "fixture lacks `{from}`");
        parse_templates(&MINIMAL.replacen(from, to, 1))
    }

    fn field_of(result: Result<Vec<Template>, TemplateError>) -> &'static str {
        match result {
            Err(TemplateError::Template { field, .. }) => field,
            other => panic!("expected a template error, got {other:?}"),
        }
    }

    #[test]
    fn minimal_document_parses() {
        let t = &parse_templates(MINIMAL).unwrap()[0];
        assert_eq!(
            (t.industry, t.kind),
            (Industry::SolarPv, TemplateKind::Product)
        );
        let silver = t.item("silver").unwrap();
        assert_eq!(
            (silver.kg_per_unit, silver.range),
            (Some(2.0), Some((1.0, 2.0)))
        );
        assert_eq!(silver.sources[1].confidence, Confidence::High);
        assert_eq!(silver.sources[0].year, Some(2021));
        assert!(t.item("others").unwrap().material.is_none());
    }

    #[test]
    fn inconsistent_numbers_are_rejected() {
        assert_eq!(field_of(with("\"kg\":2,", "\"kg\":3,")), "kg");
        assert_eq!(field_of(with("\"rng\":[1,2]", "\"rng\":[1,3]")), "rng");
        assert_eq!(field_of(with(",\"rng\":[1,2]", "")), "rng");
        assert_eq!(field_of(with("[\"b\",null,0", "[\"b\",4,0")), "rows");
        assert_eq!(field_of(with("[\"a\",1,0", "[\"a\",-1,0")), "rows");
        assert_eq!(
            field_of(with("\"conf\":\"MEDIUM\"", "\"conf\":\"HIGH\"")),
            "conf"
        );
    }

    #[test]
    fn structural_errors_are_rejected() {
        assert_eq!(
            field_of(with("\"ind\":\"solar_pv\"", "\"ind\":\"x\"")),
            "ind"
        );
        assert_eq!(
            field_of(with("\"kind\":\"product\"", "\"kind\":\"x\"")),
            "kind"
        );
        assert_eq!(field_of(with("Illustrative. D", "D")), "desc");
        assert_eq!(field_of(with("[\"b\",1,0", "[\"c\",1,0")), "rows");
        assert_eq!(
            field_of(with("[\"b\",1,0,\"HIGH\",0]", "[\"b\",1,5,\"HIGH\",0]")),
            "rows"
        );
        assert_eq!(
            field_of(with("\"why\":\"W\"", "\"mat\":\"x\",\"why\":\"W\"")),
            "mat"
        );
        assert_eq!(
            field_of(with("\"src\":\"others\"", "\"src\":\"silver\"")),
            "src"
        );
        assert_eq!(
            field_of(with("\"why\":\"W\"", "\"why\":\"W\",\"in\":\"nope\"")),
            "in"
        );
        assert!(matches!(
            with("\"v\":1", "\"v\":2"),
            Err(TemplateError::Document { field: "v", .. })
        ));
        assert!(matches!(
            with("\"kg\":2,", "\"kg\":2,\"extra\":1,"),
            Err(TemplateError::Syntax { .. })
        ));
    }

    #[test]
    fn no_panic_on_arbitrary_or_truncated_text() {
        for text in ["", "null", "{}", "[]", "{\"v\":1e999}"] {
            assert!(parse_templates(text).is_err());
        }
        let step = (TEMPLATES_JSON.len() / 100).max(1);
        for end in (0..TEMPLATES_JSON.len() - 2).step_by(step) {
            if TEMPLATES_JSON.is_char_boundary(end) {
                assert!(parse_templates(&TEMPLATES_JSON[..end]).is_err(), "{end}");
            }
        }
    }

    #[test]
    fn embedded_templates_parse_once() {
        let all = try_templates().expect("embedded templates validate");
        assert!(!all.is_empty());
        assert!(std::ptr::eq(all, templates()));
    }

    #[test]
    fn errors_name_template_item_and_field() {
        let text = with("\"kg\":2,", "\"kg\":3,").unwrap_err().to_string();
        assert!(text.contains("`t`") && text.contains("`silver`") && text.contains("`kg`"));
    }
}
