//! A firm's portfolio: what it buys, how much depends on it, and where it comes from.
//!
//! There are two forms:
//!
//! - [`RawPortfolio`], the file form (see `docs/PORTFOLIO_FORMAT.md`): lenient, it holds what the
//!   user typed, numbers may be text, unknown fields and duplicate keys are kept so that
//!   validation can name them. The app edits this form and share links carry it.
//! - [`Portfolio`], the validated form the analyses take: every number checked, every country mix
//!   a [`CountryMix`], every material in the catalogue.
//!
//! [`RawPortfolio::validate`] turns the first into the second and returns *all* problems at once,
//! each naming where it is ([`Location`]), which field ([`Field`]) and what is wrong
//! ([`Problem`]), for example `line 3 (Magnets), refining: shares sum to 140 %`.
//! [`Portfolio::to_raw`] goes back, losslessly: validating the exported form gives the same
//! portfolio.
//!
//! ```
//! use chokepoint::portfolio::Portfolio;
//! use chokepoint::model::{CountryCode, Stage};
//! # let reference = chokepoint::reference::ReferenceData {
//! #     materials: vec![chokepoint::reference::Material {
//! #         id: "gallium".into(), name: "Gallium".into(), symbols: vec![],
//! #         lists: Default::default(), stages: vec![], eu: None }],
//! #     countries: vec![chokepoint::reference::Country {
//! #         code: CountryCode::parse("CHN").unwrap(), iso2: "CN".into(), name: "China".into(),
//! #         wgi_mean: Some(-0.29) }],
//! #     groups: vec![], datasets: vec![] };
//! let text = r#"{
//!   "schema_version": 1,
//!   "lines": [
//!     { "material": "gallium", "label": "GaN wafers", "spend": 250000,
//!       "revenue_share_pct": 15, "inventory_days": 30,
//!       "sourcing": { "refining": { "CHN": 80, "ROW": 20 }, "mining": "unknown" } }
//!   ]
//! }"#;
//! let portfolio = Portfolio::from_json(text, &reference).unwrap();
//! let line = &portfolio.lines[0];
//! assert_eq!(line.spend.get(), 250_000.0);
//! let refining = line.sourcing.get(Stage::Refining).unwrap();
//! assert_eq!(refining.share_of(CountryCode::parse("CHN").unwrap()), 0.8);
//! assert!(line.sourcing.get(Stage::Mining).is_none()); // unknown: the look-through fills it
//! ```

pub mod autosave;
pub mod limits;
pub mod schema;
pub mod share;
pub mod storage;
pub mod templates;
pub mod warnings;

use crate::model::context::{Customer, EndUse, Jurisdiction};
use crate::model::{CountryCode, CountryMix, Share, Stage};
use crate::reference::{CountryGroup, ReferenceData};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, HashSet};
use std::fmt;

/// The file format version this code reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// The largest spend (and the largest number of inventory days) accepted: 10^15. Larger values
/// are typing errors, and the bound keeps every sum of spends finite.
pub const MAX_AMOUNT: f64 = 1e15;

/// How far from 100 % the shares of a known country mix may sum, in percentage points, and still
/// be accepted (they are then renormalised; the typed sum is kept).
pub const SUM_TOLERANCE_PCT: f64 = 1.0;

/// The word for a stage whose sourcing the user does not know.
pub const UNKNOWN: &str = "unknown";

/// The `sourcing_basis` of a stage whose mix counts facilities (the smelters and mines of
/// supplier declarations, `crate::import::rmi`) rather than volumes.
pub const FACILITY_COUNT: &str = "facility_count";

// ---------------------------------------------------------------------------------------------
// Raw (file) form
// ---------------------------------------------------------------------------------------------

/// A number as typed: a JSON number, or text (from a form field) such as `"12.5"` or `"12.5 %"`.
///
/// Whole numbers are written without a fractional part (`45`, not `45.0`), so that a file read
/// and written again is unchanged.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum RawNumber {
    /// A JSON number.
    Number(f64),
    /// Text, parsed at validation.
    Text(String),
}

impl Serialize for RawNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// Below 2^53 every whole f64 is exactly an i64.
        const EXACT: f64 = 9_007_199_254_740_992.0;
        match self {
            RawNumber::Number(value) if value.fract() == 0.0 && value.abs() < EXACT => {
                // Exact: a whole number below 2^53 converts without loss.
                serializer.serialize_i64(*value as i64)
            }
            RawNumber::Number(value) => serializer.serialize_f64(*value),
            RawNumber::Text(text) => serializer.serialize_str(text),
        }
    }
}

impl RawNumber {
    /// The value, if it is a finite number (text may carry surrounding spaces and a trailing `%`).
    ///
    /// ```
    /// use chokepoint::portfolio::RawNumber;
    /// assert_eq!(RawNumber::Text(" 12.5 %".into()).value(), Some(12.5));
    /// assert_eq!(RawNumber::Text("NaN".into()).value(), None);
    /// ```
    pub fn value(&self) -> Option<f64> {
        let value = match self {
            RawNumber::Number(value) => *value,
            RawNumber::Text(text) => {
                let text = text.trim();
                let text = text.strip_suffix('%').unwrap_or(text).trim_end();
                text.parse::<f64>().ok()?
            }
        };
        value.is_finite().then_some(value)
    }

    fn as_typed(&self) -> String {
        match self {
            RawNumber::Number(value) => value.to_string(),
            RawNumber::Text(text) => text.clone(),
        }
    }
}

/// A JSON object read as a list of entries in file order, duplicates kept (validation reports
/// them), written back in the same order.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<V> OrderedMap<V> {
    /// Whether the object has no entry.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<V: Serialize> Serialize for OrderedMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = access.next_entry::<String, V>()? {
                    entries.push(entry);
                }
                Ok(OrderedMap(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor(std::marker::PhantomData))
    }
}

/// The sourcing of one stage as typed: the word `"unknown"`, or a country mix in percent
/// (`{"CHN": 60, "JPN": 40}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RawStageSourcing {
    /// Text; only [`UNKNOWN`] is valid.
    Text(String),
    /// Country code -> share in percent.
    Mix(OrderedMap<RawNumber>),
}

/// One line of a portfolio as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RawLine {
    /// Material identifier from the catalogue, for example `gallium`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material: Option<String>,
    /// A part, product or supplier name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Annual spend (or quantity) in the portfolio's `spend_unit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend: Option<RawNumber>,
    /// Share of the firm's revenue that depends on this line, in percent (0-100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_share_pct: Option<RawNumber>,
    /// Days of inventory held; absent means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory_days: Option<RawNumber>,
    /// Stage id (`mining`, `refining`, `component`) -> sourcing; an absent stage is unknown.
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub sourcing: OrderedMap<RawStageSourcing>,
    /// What the material goes into, an [`EndUse`] id (`magnet`, `battery`, ...); absent when not
    /// given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_use: Option<String>,
    /// Stage id -> the basis of that stage's mix when it is not a volume share:
    /// [`FACILITY_COUNT`] for a mix by number of facilities (supplier declarations).
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub sourcing_basis: OrderedMap<String>,
    /// Fields this version does not know: kept, and reported by validation.
    #[serde(flatten)]
    pub unknown_fields: BTreeMap<String, serde_json::Value>,
}

/// A user-defined country group as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RawGroup {
    /// Identifier, unique among the portfolio's and the reference data's groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name; defaults to the identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Member country codes.
    #[serde(default)]
    pub members: Vec<String>,
    /// Fields this version does not know: kept, and reported by validation.
    #[serde(flatten)]
    pub unknown_fields: BTreeMap<String, serde_json::Value>,
}

/// A portfolio file as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RawPortfolio {
    /// Format version; must be [`SCHEMA_VERSION`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<RawNumber>,
    /// A name for the portfolio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The unit of every line's spend, for example `EUR` or `t`; display only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend_unit: Option<String>,
    /// How the look-through fills unstated stages: `"trade"` (the default when absent) or
    /// `"world"`; see [`LookThroughBasis`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub look_through: Option<String>,
    /// The user's own country groups, reported alongside the reference data's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<RawGroup>,
    /// The lines.
    #[serde(default)]
    pub lines: Vec<RawLine>,
    /// Where the firm sells, a [`Jurisdiction`] id (`eu`, `us`, `other`); absent when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// Who the firm supplies, a [`Customer`] id (`commercial`, `us_dod`); absent when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// Fields this version does not know: kept, and reported by validation.
    #[serde(flatten)]
    pub unknown_fields: BTreeMap<String, serde_json::Value>,
}

/// A file that is not JSON of the portfolio's shape, with the position serde_json reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Line in the text, from 1 (0 when unknown).
    pub line: usize,
    /// Column in the text, from 1 (0 when unknown).
    pub column: usize,
    /// What serde_json says.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not a portfolio file (text line {}, column {}): {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ParseError {}

impl RawPortfolio {
    /// Reads the JSON text of a portfolio file, without validating it.
    pub fn from_json(text: &str) -> Result<RawPortfolio, ParseError> {
        serde_json::from_str(text).map_err(|e| ParseError {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })
    }

    /// The JSON text of this portfolio, pretty-printed.
    pub fn to_json(&self) -> String {
        // Serialising these types cannot fail: every map key is a string.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Validates against the catalogue and country list of `reference`; returns every problem.
    pub fn validate(&self, reference: &ReferenceData) -> Result<Portfolio, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let document = |field, problem| ValidationError {
            location: Location::Document,
            field,
            problem,
        };
        match self.schema_version.as_ref() {
            None => errors.push(document(Field::SchemaVersion, Problem::Missing)),
            Some(raw) => {
                if raw.value() != Some(f64::from(SCHEMA_VERSION)) {
                    errors.push(document(
                        Field::SchemaVersion,
                        Problem::UnsupportedVersion(raw.as_typed()),
                    ));
                }
            }
        }
        for name in self.unknown_fields.keys() {
            errors.push(document(
                Field::Other(name.clone()),
                Problem::UnknownField(name.clone()),
            ));
        }
        let look_through = match self.look_through.as_deref().map(str::trim) {
            None | Some("") => LookThroughBasis::default(),
            Some(text) => LookThroughBasis::parse(text).unwrap_or_else(|| {
                errors.push(document(
                    Field::LookThrough,
                    Problem::UnknownLookThrough(text.to_string()),
                ));
                LookThroughBasis::default()
            }),
        };
        let groups = self.validate_groups(reference, &mut errors);
        let jurisdiction = choice(self.jurisdiction.as_deref(), Jurisdiction::parse, || {
            Jurisdiction::ALL.iter().map(|v| v.id()).collect()
        })
        .unwrap_or_else(|problem| {
            errors.push(document(Field::Jurisdiction, problem));
            None
        });
        let customer = choice(self.customer.as_deref(), Customer::parse, || {
            Customer::ALL.iter().map(|v| v.id()).collect()
        })
        .unwrap_or_else(|problem| {
            errors.push(document(Field::Customer, problem));
            None
        });
        let mut lines = Vec::with_capacity(self.lines.len());
        for (index, raw) in self.lines.iter().enumerate() {
            let mut checker = LineChecker {
                location: Location::Line {
                    line: index + 1,
                    label: raw.label.clone().filter(|l| !l.trim().is_empty()),
                },
                reference,
                errors: &mut errors,
            };
            if let Some(line) = checker.line(raw) {
                lines.push(line);
            }
        }
        if errors.is_empty() {
            Ok(Portfolio {
                look_through,
                name: self.name.clone(),
                spend_unit: self.spend_unit.clone(),
                groups,
                lines,
                jurisdiction,
                customer,
            })
        } else {
            Err(errors)
        }
    }

    fn validate_groups(
        &self,
        reference: &ReferenceData,
        errors: &mut Vec<ValidationError>,
    ) -> Vec<CountryGroup> {
        let mut groups: Vec<CountryGroup> = Vec::new();
        // Ids seen so far: a set, so that the duplicate check stays linear in the number of groups.
        let mut ids: HashSet<String> = HashSet::new();
        for (index, raw) in self.groups.iter().enumerate() {
            let location = Location::Group {
                index: index + 1,
                id: raw.id.clone(),
            };
            let mut push = |field, problem| {
                errors.push(ValidationError {
                    location: location.clone(),
                    field,
                    problem,
                })
            };
            for name in raw.unknown_fields.keys() {
                push(
                    Field::Other(name.clone()),
                    Problem::UnknownField(name.clone()),
                );
            }
            let id = raw.id.as_deref().map(str::trim).unwrap_or_default();
            if id.is_empty() {
                push(Field::GroupId, Problem::Missing);
            } else if reference.group(id).is_some() || !ids.insert(id.to_string()) {
                push(Field::GroupId, Problem::DuplicateGroup(id.to_string()));
            }
            let mut members = Vec::new();
            let mut seen: HashSet<CountryCode> = HashSet::new();
            for text in &raw.members {
                match CountryCode::parse(text) {
                    None => push(Field::GroupMembers, Problem::BadCountryCode(text.clone())),
                    Some(code) if !known_country(reference, code) => {
                        push(Field::GroupMembers, Problem::UnknownCountry(code))
                    }
                    Some(code) if !seen.insert(code) => {
                        push(Field::GroupMembers, Problem::DuplicateCountry(code))
                    }
                    Some(code) => members.push(code),
                }
            }
            groups.push(CountryGroup {
                id: id.to_string(),
                name: raw
                    .name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| id.to_string()),
                members,
                as_of: None,
                source: "user-defined".to_string(),
                user_defined: true,
            });
        }
        groups
    }
}

/// The value of an optional choice field (end use, jurisdiction, customer): `None` when absent or
/// blank, the parsed value, or [`Problem::UnknownChoice`] naming the accepted ids.
fn choice<T>(
    text: Option<&str>,
    parse: fn(&str) -> Option<T>,
    accepted: impl FnOnce() -> Vec<&'static str>,
) -> Result<Option<T>, Problem> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse(text).map(Some).ok_or_else(|| Problem::UnknownChoice {
            value: text.to_string(),
            accepted: accepted().join(", "),
        }),
    }
}

fn known_country(reference: &ReferenceData, code: CountryCode) -> bool {
    code.is_rest_of_world() || reference.country(code).is_some()
}

struct LineChecker<'a> {
    location: Location,
    reference: &'a ReferenceData,
    errors: &'a mut Vec<ValidationError>,
}

impl LineChecker<'_> {
    fn push(&mut self, field: Field, problem: Problem) {
        self.errors.push(ValidationError {
            location: self.location.clone(),
            field,
            problem,
        });
    }

    /// A number in `[min, max]`; `default` when absent (`None` = required).
    fn number(
        &mut self,
        field: Field,
        raw: Option<&RawNumber>,
        default: Option<f64>,
        (min, max): (f64, f64),
    ) -> Option<f64> {
        let Some(raw) = raw else {
            if default.is_none() {
                self.push(field, Problem::Missing);
            }
            return default;
        };
        let Some(value) = raw.value() else {
            self.push(field, Problem::NotANumber(raw.as_typed()));
            return None;
        };
        if !(min..=max).contains(&value) {
            self.push(field, Problem::OutOfRange { value, min, max });
            return None;
        }
        Some(value)
    }

    fn line(&mut self, raw: &RawLine) -> Option<Line> {
        for name in raw.unknown_fields.keys() {
            self.push(
                Field::Other(name.clone()),
                Problem::UnknownField(name.clone()),
            );
        }
        let material = match raw.material.as_deref().map(str::trim) {
            None | Some("") => {
                self.push(Field::Material, Problem::Missing);
                None
            }
            // Other spellings (`aluminum`, `graphite_natural`) resolve to the catalogue id.
            Some(id) => match self.reference.find_material(id) {
                Some(material) => Some(material.id.clone()),
                None => {
                    self.push(Field::Material, Problem::UnknownMaterial(id.to_string()));
                    None
                }
            },
        };
        let spend = self.number(Field::Spend, raw.spend.as_ref(), None, (0.0, MAX_AMOUNT));
        let revenue = self.number(
            Field::RevenueShare,
            raw.revenue_share_pct.as_ref(),
            None,
            (0.0, 100.0),
        );
        let inventory = self.number(
            Field::InventoryDays,
            raw.inventory_days.as_ref(),
            Some(0.0),
            (0.0, MAX_AMOUNT),
        );
        let sourcing = self.sourcing(&raw.sourcing);
        let facility_counts = self.facility_counts(raw);
        let end_use = choice(raw.end_use.as_deref(), EndUse::parse, || {
            EndUse::ALL.iter().map(|v| v.id()).collect()
        })
        .unwrap_or_else(|problem| {
            self.push(Field::EndUse, problem);
            None
        });
        Some(Line {
            material: material?,
            label: raw.label.clone().filter(|l| !l.trim().is_empty()),
            spend: Amount::new(spend?)?,
            revenue_share: Share::from_percent(revenue?)?,
            inventory_days: Amount::new(inventory?)?,
            facility_counts: facility_counts?
                .into_iter()
                .filter(|s| sourcing.as_ref().is_some_and(|m| m.get(*s).is_some()))
                .collect(),
            sourcing: sourcing?,
            end_use,
        })
    }

    /// The stages `sourcing_basis` marks as facility counts, upstream first.
    fn facility_counts(&mut self, raw: &RawLine) -> Option<Vec<Stage>> {
        let mut stages = Vec::new();
        let mut ok = true;
        for (key, basis) in &raw.sourcing_basis.0 {
            let Some(stage) = Stage::ALL.into_iter().find(|s| s.id() == key.trim()) else {
                self.push(Field::SourcingBasis, Problem::UnknownStage(key.clone()));
                ok = false;
                continue;
            };
            if basis.trim().eq_ignore_ascii_case(FACILITY_COUNT) {
                if !stages.contains(&stage) {
                    stages.push(stage);
                }
            } else {
                self.push(
                    Field::SourcingBasis,
                    Problem::UnknownChoice {
                        value: basis.clone(),
                        accepted: FACILITY_COUNT.to_string(),
                    },
                );
                ok = false;
            }
        }
        stages.sort();
        ok.then_some(stages)
    }

    fn sourcing(&mut self, raw: &OrderedMap<RawStageSourcing>) -> Option<Sourcing> {
        let mut sourcing = Sourcing::default();
        let mut seen: Vec<Stage> = Vec::new();
        let mut ok = true;
        for (key, value) in &raw.0 {
            let Some(stage) = Stage::ALL.into_iter().find(|s| s.id() == key.trim()) else {
                self.push(Field::Sourcing, Problem::UnknownStage(key.clone()));
                ok = false;
                continue;
            };
            if seen.contains(&stage) {
                self.push(Field::Stage(stage), Problem::DuplicateStage);
                ok = false;
                continue;
            }
            seen.push(stage);
            match value {
                RawStageSourcing::Text(text) if text.trim().eq_ignore_ascii_case(UNKNOWN) => {}
                RawStageSourcing::Text(text) => {
                    self.push(Field::Stage(stage), Problem::NotUnknown(text.clone()));
                    ok = false;
                }
                RawStageSourcing::Mix(entries) => match self.mix(stage, entries) {
                    Some(mix) => *sourcing.slot(stage) = Some(mix),
                    None => ok = false,
                },
            }
        }
        ok.then_some(sourcing)
    }

    fn mix(&mut self, stage: Stage, entries: &OrderedMap<RawNumber>) -> Option<CountryMix> {
        let mut shares: Vec<(CountryCode, f64)> = Vec::new();
        let mut ok = true;
        for (text, raw) in &entries.0 {
            let field = Field::Country(stage, text.clone());
            let code = match CountryCode::parse(text) {
                None => {
                    self.push(field.clone(), Problem::BadCountryCode(text.clone()));
                    None
                }
                Some(code) if !known_country(self.reference, code) => {
                    self.push(field.clone(), Problem::UnknownCountry(code));
                    None
                }
                // A scan: a mix read from outside has at most `limits::MAX_MIX_COUNTRIES` entries.
                Some(code) if shares.iter().any(|(c, _)| *c == code) => {
                    self.push(field.clone(), Problem::DuplicateCountry(code));
                    None
                }
                Some(code) => Some(code),
            };
            // One country may hold up to the sum's tolerance above 100 % (a mix typed as
            // 100.4 % in total, written back as typed, must read again).
            let value = self.number(field, Some(raw), None, (0.0, 100.0 + SUM_TOLERANCE_PCT));
            match (code, value) {
                (Some(code), Some(value)) => shares.push((code, value)),
                _ => ok = false,
            }
        }
        if !ok {
            return None;
        }
        let sum: f64 = shares.iter().map(|(_, v)| v).sum();
        if sum <= 0.0 {
            self.push(Field::Stage(stage), Problem::EmptyMix);
            return None;
        }
        if (sum - 100.0).abs() > SUM_TOLERANCE_PCT {
            self.push(Field::Stage(stage), Problem::SharesSum { percent: sum });
            return None;
        }
        CountryMix::from_shares(shares).ok()
    }
}

// ---------------------------------------------------------------------------------------------
// Validation errors
// ---------------------------------------------------------------------------------------------

/// Where in a portfolio file a problem is.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Location {
    /// The top level of the file.
    Document,
    /// A line.
    Line {
        /// Line number as shown to the user: the first line is 1.
        line: usize,
        /// The line's label, when it has one.
        label: Option<String>,
    },
    /// A user-defined country group.
    Group {
        /// Group number: the first group is 1.
        index: usize,
        /// The group's identifier, when it has one.
        id: Option<String>,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Document => f.write_str("portfolio"),
            Location::Line { line, label: None } => write!(f, "line {line}"),
            Location::Line {
                line,
                label: Some(label),
            } => write!(f, "line {line} ({label})"),
            Location::Group { index, id: None } => write!(f, "group {index}"),
            Location::Group {
                index,
                id: Some(id),
            } => write!(f, "group {index} ({id})"),
        }
    }
}

/// Which field a problem is in.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// `schema_version`.
    SchemaVersion,
    /// `material`.
    Material,
    /// `spend`.
    Spend,
    /// `revenue_share_pct`.
    RevenueShare,
    /// `inventory_days`.
    InventoryDays,
    /// `sourcing` itself (an unknown stage key).
    Sourcing,
    /// The sourcing of one stage as a whole.
    Stage(Stage),
    /// One country entry of one stage's mix, as typed.
    Country(Stage, String),
    /// A group's `id`.
    GroupId,
    /// A group's `members`.
    GroupMembers,
    /// `look_through`.
    LookThrough,
    /// A line's `end_use`.
    EndUse,
    /// A line's `sourcing_basis`.
    SourcingBasis,
    /// The portfolio's `jurisdiction`.
    Jurisdiction,
    /// The portfolio's `customer`.
    Customer,
    /// A field this version does not know.
    Other(String),
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::SchemaVersion => f.write_str("schema_version"),
            Field::Material => f.write_str("material"),
            Field::Spend => f.write_str("spend"),
            Field::RevenueShare => f.write_str("revenue share"),
            Field::InventoryDays => f.write_str("inventory days"),
            Field::Sourcing => f.write_str("sourcing"),
            Field::Stage(stage) => f.write_str(stage.id()),
            Field::Country(stage, country) => write!(f, "{}, {country}", stage.id()),
            Field::GroupId => f.write_str("id"),
            Field::GroupMembers => f.write_str("members"),
            Field::LookThrough => f.write_str("look_through"),
            Field::EndUse => f.write_str("end use"),
            Field::SourcingBasis => f.write_str("sourcing basis"),
            Field::Jurisdiction => f.write_str("jurisdiction"),
            Field::Customer => f.write_str("customer"),
            Field::Other(name) => write!(f, "`{name}`"),
        }
    }
}

/// What is wrong.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Problem {
    /// A required value is absent.
    Missing,
    /// Text that is not a finite number.
    NotANumber(String),
    /// A number outside its range.
    OutOfRange {
        /// The value given.
        value: f64,
        /// The smallest value accepted.
        min: f64,
        /// The largest value accepted.
        max: f64,
    },
    /// A `schema_version` this code does not read.
    UnsupportedVersion(String),
    /// A material id not in the catalogue.
    UnknownMaterial(String),
    /// A stage's sourcing given as text other than `unknown`.
    NotUnknown(String),
    /// A `sourcing` key that is not `mining`, `refining` or `component`.
    UnknownStage(String),
    /// The same stage twice.
    DuplicateStage,
    /// Not a three-letter country code.
    BadCountryCode(String),
    /// A well-formed code the reference data does not know (and not `ROW`).
    UnknownCountry(CountryCode),
    /// The same country twice.
    DuplicateCountry(CountryCode),
    /// A mix whose shares do not sum to 100 % (within [`SUM_TOLERANCE_PCT`]).
    SharesSum {
        /// The sum of the shares as typed, in percent.
        percent: f64,
    },
    /// A mix whose shares are all zero.
    EmptyMix,
    /// A group id used twice, or one the reference data already has.
    DuplicateGroup(String),
    /// A `look_through` other than `trade` or `world`.
    UnknownLookThrough(String),
    /// A field this version does not know.
    UnknownField(String),
    /// A choice field (end use, jurisdiction, customer) with a value not in its list.
    UnknownChoice {
        /// The value given.
        value: String,
        /// The accepted identifiers, comma-separated.
        accepted: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Missing => f.write_str("missing"),
            Problem::NotANumber(text) => write!(f, "`{text}` is not a number"),
            Problem::OutOfRange { value, min, max } => {
                write!(f, "{value} is outside {min} to {max}")
            }
            Problem::UnsupportedVersion(found) => write!(
                f,
                "version `{found}` is not supported (this version reads {SCHEMA_VERSION})"
            ),
            Problem::UnknownMaterial(id) => write!(f, "`{id}` is not in the material catalogue"),
            Problem::NotUnknown(text) => {
                write!(f, "`{text}` is neither a country mix nor \"{UNKNOWN}\"")
            }
            Problem::UnknownStage(key) => {
                write!(f, "`{key}` is not a stage (mining, refining or component)")
            }
            Problem::DuplicateStage => f.write_str("given twice"),
            Problem::BadCountryCode(text) => write!(
                f,
                "`{text}` is not a three-letter country code (ISO 3166-1 alpha-3, or ROW)"
            ),
            Problem::UnknownCountry(code) => {
                write!(f, "{code} is not a country of the reference data")
            }
            Problem::DuplicateCountry(code) => write!(f, "{code} appears twice"),
            Problem::SharesSum { percent } => write!(
                f,
                "shares sum to {} %, not 100 % (add the remainder as ROW)",
                round_for_display(*percent)
            ),
            Problem::EmptyMix => f.write_str("every share is zero"),
            Problem::DuplicateGroup(id) => write!(f, "group `{id}` already exists"),
            Problem::UnknownLookThrough(text) => {
                write!(f, "`{text}` is neither \"trade\" nor \"world\"")
            }
            Problem::UnknownField(name) => write!(f, "unknown field `{name}`"),
            Problem::UnknownChoice { value, accepted } => {
                write!(f, "`{value}` is not one of {accepted}")
            }
        }
    }
}

fn round_for_display(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// One problem of a portfolio file: where, which field, what.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValidationError {
    /// Where.
    pub location: Location,
    /// Which field.
    pub field: Field,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}: {}", self.location, self.field, self.problem)
    }
}

impl std::error::Error for ValidationError {}

/// Why a portfolio file could not be read: not JSON of the right shape, or invalid.
#[derive(Clone, Debug, PartialEq)]
pub enum PortfolioError {
    /// The text is not JSON of the portfolio's shape.
    Parse(ParseError),
    /// The file is well-formed but has these problems (all of them).
    Invalid(Vec<ValidationError>),
    /// The file is over one of the size limits of [`crate::portfolio::limits`]; refused before it
    /// is parsed.
    TooLarge(crate::portfolio::limits::LimitError),
}

impl fmt::Display for PortfolioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortfolioError::Parse(error) => error.fmt(f),
            PortfolioError::Invalid(errors) => {
                for (i, error) in errors.iter().enumerate() {
                    if i > 0 {
                        f.write_str("\n")?;
                    }
                    error.fmt(f)?;
                }
                Ok(())
            }
            PortfolioError::TooLarge(error) => {
                write!(f, "the portfolio is too large to open: {error}")
            }
        }
    }
}

impl std::error::Error for PortfolioError {}

// ---------------------------------------------------------------------------------------------
// Validated form
// ---------------------------------------------------------------------------------------------

/// A finite, non-negative quantity no larger than [`MAX_AMOUNT`]: a spend, a quantity or a
/// number of days.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Default, Serialize)]
#[serde(transparent)]
pub struct Amount(f64);

impl Amount {
    /// Zero.
    pub const ZERO: Amount = Amount(0.0);

    /// An amount; `None` when negative, above [`MAX_AMOUNT`] or not finite.
    pub fn new(value: f64) -> Option<Amount> {
        (value.is_finite() && (0.0..=MAX_AMOUNT).contains(&value)).then_some(Amount(value))
    }

    /// The value.
    pub fn get(self) -> f64 {
        self.0
    }
}

/// What the firm knows of where one line's material comes from, per stage. `None` is unknown:
/// the look-through fills upstream stages from the reference data's world mix.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sourcing {
    /// Mine output.
    pub mining: Option<CountryMix>,
    /// Refining, separation, processing.
    pub refining: Option<CountryMix>,
    /// The purchased component (only when the firm buys a part made from the material).
    pub component: Option<CountryMix>,
}

impl Sourcing {
    /// The known mix of `stage`, if any.
    pub fn get(&self, stage: Stage) -> Option<&CountryMix> {
        match stage {
            Stage::Mining => self.mining.as_ref(),
            Stage::Refining => self.refining.as_ref(),
            Stage::Component => self.component.as_ref(),
        }
    }

    fn slot(&mut self, stage: Stage) -> &mut Option<CountryMix> {
        match stage {
            Stage::Mining => &mut self.mining,
            Stage::Refining => &mut self.refining,
            Stage::Component => &mut self.component,
        }
    }

    /// Sets the known mix of `stage` (`None` = unknown), returning the sourcing.
    pub fn with(mut self, stage: Stage, mix: Option<CountryMix>) -> Sourcing {
        *self.slot(stage) = mix;
        self
    }
}

/// One validated line.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Material identifier, present in the catalogue it was validated against.
    pub material: String,
    /// A part, product or supplier name.
    pub label: Option<String>,
    /// Annual spend (or quantity), in the portfolio's unit.
    pub spend: Amount,
    /// Share of the firm's revenue that depends on this line.
    pub revenue_share: Share,
    /// Days of inventory held.
    pub inventory_days: Amount,
    /// What the firm knows of the sourcing, per stage.
    pub sourcing: Sourcing,
    /// What the material goes into; `None` when not given (rules about one end use are then
    /// not applicable, see [`crate::model::context`]).
    pub end_use: Option<EndUse>,
    /// The stages whose mix counts facilities (smelters, mines of supplier declarations) rather
    /// than volumes: a country's share is its share of the facilities, which says where the
    /// material may come from, not how much. Legal tests read only presence there (see
    /// [`crate::analysis::policy`]). Only stages with a known mix.
    pub facility_counts: Vec<Stage>,
}

/// How the look-through fills the upstream stages a line does not state
/// ([`crate::analysis::exposure::look_through_by`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LookThroughBasis {
    /// From the production and imports of the countries of the stage below, where trade data
    /// exists (CEPII BACI); the world mix elsewhere. The default.
    #[default]
    Trade,
    /// From world production everywhere.
    World,
}

impl LookThroughBasis {
    /// The file identifier: `trade` or `world`.
    pub fn id(self) -> &'static str {
        match self {
            LookThroughBasis::Trade => "trade",
            LookThroughBasis::World => "world",
        }
    }

    /// The basis with file identifier `text` (case-insensitive).
    pub fn parse(text: &str) -> Option<LookThroughBasis> {
        [LookThroughBasis::Trade, LookThroughBasis::World]
            .into_iter()
            .find(|b| b.id().eq_ignore_ascii_case(text.trim()))
    }

    /// The other basis.
    pub fn other(self) -> LookThroughBasis {
        match self {
            LookThroughBasis::Trade => LookThroughBasis::World,
            LookThroughBasis::World => LookThroughBasis::Trade,
        }
    }
}

/// A validated portfolio.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Portfolio {
    /// How the look-through fills the stages the lines do not state (file field
    /// `look_through`, default trade).
    pub look_through: LookThroughBasis,
    /// A name for the portfolio.
    pub name: Option<String>,
    /// The unit of every line's spend; display only.
    pub spend_unit: Option<String>,
    /// The user's own country groups.
    pub groups: Vec<CountryGroup>,
    /// The lines, in file order.
    pub lines: Vec<Line>,
    /// Where the firm sells; `None` when not given (see [`crate::model::context`]).
    pub jurisdiction: Option<Jurisdiction>,
    /// Who the firm supplies; `None` when not given.
    pub customer: Option<Customer>,
}

impl Portfolio {
    /// Reads and validates the JSON text of a portfolio file, after checking it against the size
    /// limits ([`crate::portfolio::limits::check_json`]).
    pub fn from_json(text: &str, reference: &ReferenceData) -> Result<Portfolio, PortfolioError> {
        use crate::portfolio::limits::{Shape, check_json};
        check_json(text, Shape::Portfolio).map_err(PortfolioError::TooLarge)?;
        RawPortfolio::from_json(text)
            .map_err(PortfolioError::Parse)?
            .validate(reference)
            .map_err(PortfolioError::Invalid)
    }

    /// The file form of this portfolio: shares back in percent, as typed (up to 10^-9 %),
    /// unknown stages omitted. Validating it gives this portfolio again (exactly, for mixes that
    /// were typed in percent; up to rounding for mixes built from other weights).
    pub fn to_raw(&self) -> RawPortfolio {
        RawPortfolio {
            schema_version: Some(RawNumber::Number(f64::from(SCHEMA_VERSION))),
            name: self.name.clone(),
            spend_unit: self.spend_unit.clone(),
            // The default is not written, so that files of portfolios that never chose stay as
            // they were.
            look_through: (self.look_through != LookThroughBasis::default())
                .then(|| self.look_through.id().to_string()),
            groups: self
                .groups
                .iter()
                .map(|g| RawGroup {
                    id: Some(g.id.clone()),
                    name: Some(g.name.clone()),
                    members: g.members.iter().map(|c| c.as_str().to_string()).collect(),
                    unknown_fields: BTreeMap::new(),
                })
                .collect(),
            lines: self.lines.iter().map(raw_line).collect(),
            jurisdiction: self.jurisdiction.map(|j| j.id().to_string()),
            customer: self.customer.map(|c| c.id().to_string()),
            unknown_fields: BTreeMap::new(),
        }
    }

    /// The JSON text of this portfolio's file form.
    pub fn to_json(&self) -> String {
        self.to_raw().to_json()
    }
}

fn raw_line(line: &Line) -> RawLine {
    let sourcing = Stage::ALL
        .into_iter()
        .filter_map(|stage| {
            let mix = line.sourcing.get(stage)?;
            let entries = mix
                .entries()
                .iter()
                .map(|(country, share)| {
                    // A mix typed in percent comes back as typed; one built in other units
                    // (weights, tonnes) is written as percentages.
                    let sum = mix.original_sum();
                    let scale = if (sum - 100.0).abs() <= SUM_TOLERANCE_PCT {
                        sum
                    } else {
                        100.0
                    };
                    let typed = clean(share * scale);
                    (country.as_str().to_string(), RawNumber::Number(typed))
                })
                .collect();
            Some((
                stage.id().to_string(),
                RawStageSourcing::Mix(OrderedMap(entries)),
            ))
        })
        .collect();
    RawLine {
        material: Some(line.material.clone()),
        label: line.label.clone(),
        spend: Some(RawNumber::Number(line.spend.get())),
        revenue_share_pct: Some(RawNumber::Number(clean(line.revenue_share.percent()))),
        inventory_days: Some(RawNumber::Number(line.inventory_days.get())),
        sourcing: OrderedMap(sourcing),
        end_use: line.end_use.map(|e| e.id().to_string()),
        sourcing_basis: OrderedMap(
            line.facility_counts
                .iter()
                .map(|s| (s.id().to_string(), FACILITY_COUNT.to_string()))
                .collect(),
        ),
        unknown_fields: BTreeMap::new(),
    }
}

/// Rounds away the last-digit noise of `fraction * 100` so that typed percentages come back as
/// typed.
fn clean(percent: f64) -> f64 {
    let rounded = (percent * 1e9).round() / 1e9;
    if rounded.is_finite() {
        rounded
    } else {
        percent
    }
}

// ---------------------------------------------------------------------------------------------
// Editing the raw form (what an editor does with what the user typed)
// ---------------------------------------------------------------------------------------------

impl RawLine {
    /// The sourcing of `stage` as typed; `None` when the stage is absent (unknown).
    pub fn stage(&self, stage: Stage) -> Option<&RawStageSourcing> {
        self.sourcing
            .0
            .iter()
            .find(|(key, _)| key == stage.id())
            .map(|(_, s)| s)
    }

    /// The country mix of `stage` as typed, if the stage is given as a mix.
    pub fn stage_mix_mut(&mut self, stage: Stage) -> Option<&mut OrderedMap<RawNumber>> {
        self.sourcing
            .0
            .iter_mut()
            .find(|(key, _)| key == stage.id())
            .and_then(|(_, s)| match s {
                RawStageSourcing::Mix(mix) => Some(mix),
                RawStageSourcing::Text(_) => None,
            })
    }

    /// Sets the sourcing of `stage`, keeping stages in upstream-first order; `None` removes it
    /// (the stage is then unknown and the look-through uses the world mix), and its basis.
    pub fn set_stage(&mut self, stage: Stage, sourcing: Option<RawStageSourcing>) {
        self.sourcing.0.retain(|(key, _)| key != stage.id());
        if sourcing.is_none() {
            self.set_facility_count(stage, false);
        }
        if let Some(sourcing) = sourcing {
            self.sourcing.0.push((stage.id().to_string(), sourcing));
            let order = |key: &str| Stage::ALL.iter().position(|s| s.id() == key).unwrap_or(9);
            crate::model::order::sort_by_key(&mut self.sourcing.0, |(key, _)| order(key));
        }
    }
}

impl RawLine {
    /// Marks the mix of `stage` as a count of facilities ([`FACILITY_COUNT`]), or removes the
    /// mark.
    pub fn set_facility_count(&mut self, stage: Stage, counted: bool) {
        self.sourcing_basis
            .0
            .retain(|(key, _)| key.trim() != stage.id());
        if counted {
            self.sourcing_basis
                .0
                .push((stage.id().to_string(), FACILITY_COUNT.to_string()));
        }
    }

    /// Whether the mix of `stage` is marked as a count of facilities.
    pub fn is_facility_count(&self, stage: Stage) -> bool {
        self.sourcing_basis.0.iter().any(|(key, basis)| {
            key.trim() == stage.id() && basis.trim().eq_ignore_ascii_case(FACILITY_COUNT)
        })
    }
}

impl OrderedMap<RawNumber> {
    /// The sum of the entries that are numbers, in percent.
    pub fn typed_sum(&self) -> f64 {
        self.0.iter().filter_map(|(_, v)| v.value()).sum()
    }

    /// Rescales the numeric entries so that they sum to 100 (rounded to 0.01); entries that are
    /// not numbers are left as typed. Does nothing when the sum is not positive.
    ///
    /// ```
    /// use chokepoint::portfolio::{OrderedMap, RawNumber};
    /// let mut mix = OrderedMap(vec![("CHN".into(), RawNumber::Number(60.0)), ("JPN".into(), RawNumber::Number(60.0))]);
    /// mix.normalise();
    /// assert_eq!(mix.typed_sum(), 100.0);
    /// ```
    pub fn normalise(&mut self) {
        let sum = self.typed_sum();
        if sum <= 0.0 || !sum.is_finite() {
            return;
        }
        for (_, value) in &mut self.0 {
            if let Some(v) = value.value() {
                *value = RawNumber::Number((v * 10_000.0 / sum).round() / 100.0);
            }
        }
    }

    /// Adds what is missing to 100 % to the rest-of-world entry (`ROW`, created if absent). Does
    /// nothing when the entries already sum to 100 % or more.
    ///
    /// ```
    /// use chokepoint::portfolio::{OrderedMap, RawNumber};
    /// let mut mix = OrderedMap(vec![("CHN".into(), RawNumber::Number(70.0))]);
    /// mix.fill_remainder();
    /// assert_eq!(mix.0[1], ("ROW".to_string(), RawNumber::Number(30.0)));
    /// ```
    pub fn fill_remainder(&mut self) {
        let missing = ((100.0 - self.typed_sum()) * 100.0).round() / 100.0;
        if missing <= 0.0 || !missing.is_finite() {
            return;
        }
        let row = CountryCode::REST_OF_WORLD.as_str();
        match self
            .0
            .iter_mut()
            .find(|(key, _)| key.trim().eq_ignore_ascii_case(row))
        {
            Some((_, value)) => {
                let current = value.value().unwrap_or(0.0);
                *value = RawNumber::Number(current + missing);
            }
            None => self.0.push((row.to_string(), RawNumber::Number(missing))),
        }
    }
}
