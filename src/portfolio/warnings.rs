//! Sourcing warnings: entries the reference data contradicts. A warning is not an error: the
//! entry is kept and used as typed (a user may know better: recycling, a new plant), and the
//! warning says what the data records and what the user likely meant.
//!
//! # The rule
//!
//! A user's mining or refining entry for a named country `c` with a share above zero is
//! contradicted when the reference series of that material and stage (see
//! [`ReferenceData::world_mix`]) records no production in `c`: in the current vintage (the one
//! the message names, "USGS 2025"), `c` has no published share and is not withheld. Two cases:
//!
//! - the source lists the whole world (no "other countries" remainder, or a remainder of zero):
//!   it *records no* production in `c` ("USGS 2025 records no gallium refining in Germany");
//! - the source has a remainder (`ROW`): `c` may be among its other countries, so the warning
//!   says that `c` is *not listed* and how much the other countries hold together.
//!
//! The likely intent: the user entered where the supplier is, not where the material was mined
//! or refined; the warning suggests entering that country as the purchased component and leaving
//! the stage unknown, so that the look-through fills it from the world mix. No warning is given
//! for the purchased-component stage (any country may make components), for `ROW`, for a stage
//! the reference data has no series for (nothing to contradict), or for a country the source
//! lists as withheld (production exists, its size is not published), or for a code the
//! reference data does not know (a validation error).

use crate::model::{CountryCode, Stage};
use crate::portfolio::{Field, Location, Portfolio, RawPortfolio, RawStageSourcing};
use crate::reference::{ReferenceData, StageSeries};
use serde::Serialize;
use std::fmt;

/// What a warning is about.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WarningKind {
    /// The reference data records no production of the material at the stage in the country.
    NoRecordedProduction {
        /// Material id.
        material: String,
        /// The stage (mining or refining).
        stage: Stage,
        /// The country entered.
        country: CountryCode,
        /// The series the entry contradicts: data set and data year.
        source: crate::reference::SourceRef,
        /// The source's other countries: none, or their share (the country may be among them).
        remainder: Remainder,
    },
}

/// A source's "other countries" remainder (`ROW`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", content = "percent", rename_all = "snake_case")]
pub enum Remainder {
    /// No remainder, or zero: the source lists the whole world.
    Absent,
    /// The remainder's published share, percent.
    Published(f64),
    /// The source has a remainder but its figure is not available.
    NotAvailable,
}

/// A warning about one entry of a portfolio: where, which field, what, and the message shown.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourcingWarning {
    /// Where: the line.
    pub location: Location,
    /// Which field: the country entry of the stage, as typed.
    pub field: Field,
    /// What the data says.
    #[serde(flatten)]
    pub kind: WarningKind,
    /// The warning in words, naming the data and the likely intent.
    pub message: String,
}

impl fmt::Display for SourcingWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}: {}", self.location, self.field, self.message)
    }
}

/// Whether the current vintage of a series records production in `country`: a published share
/// above zero or a withheld figure. (The current vintage only, so that the app's first page
/// load, which carries no previous vintage, gives the same warnings as the command line.)
fn recorded(series: &StageSeries, country: CountryCode) -> bool {
    series.published_percent(country) > 0.0 || series.withheld.contains(&country)
}

/// A material's display name for the middle of a sentence: "gallium", "rare earth elements".
fn in_sentence(name: &str) -> String {
    let mut chars = name.chars();
    match (chars.next(), chars.next()) {
        // Keep acronyms and symbols ("REE", "Nd") as written.
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => first
            .to_lowercase()
            .chain(name[first.len_utf8()..].chars())
            .collect(),
        _ => name.to_string(),
    }
}

/// The warning for one entry, if the reference data contradicts it (see the module notes).
/// `line` counts from 1; `typed` is the country code as typed.
pub fn entry_warning(
    reference: &ReferenceData,
    (line, label): (usize, Option<String>),
    material: &str,
    stage: Stage,
    (typed, country, share): (&str, CountryCode, f64),
) -> Option<SourcingWarning> {
    if stage == Stage::Component || country.is_rest_of_world() || share <= 0.0 {
        return None;
    }
    let material = reference.find_material(material)?;
    let series = material.stage(stage)?;
    if recorded(series, country) {
        return None;
    }
    let source = reference
        .dataset(&series.source.dataset)
        .map_or(series.source.dataset.as_str(), |d| d.short.as_str());
    let data = format!("{source} {}", series.source.year);
    // An unknown code is a validation error, not a warning.
    let name = reference.country(country)?.name.clone();
    let what = format!("{} {}", in_sentence(&material.name), stage.id());
    let row = CountryCode::REST_OF_WORLD;
    let remainder = if series.withheld.contains(&row) {
        Remainder::NotAvailable
    } else if series.published_percent(row) > 0.0 {
        Remainder::Published(series.published_percent(row))
    } else {
        Remainder::Absent
    };
    let finding = match remainder {
        Remainder::Absent => format!("{data} records no {what} in {name}."),
        Remainder::Published(pct) => format!(
            "{data} does not list {name} for {what}; its other countries together hold \
             {pct:.1} % of world output."
        ),
        Remainder::NotAvailable => format!(
            "{data} does not list {name} for {what} (its figure for the other countries is \
             not available)."
        ),
    };
    let message = format!(
        "{finding} If {name} is where your supplier is, enter it as the purchased component and \
         leave {} unknown.",
        stage.id()
    );
    Some(SourcingWarning {
        location: Location::Line { line, label },
        field: Field::Country(stage, typed.to_string()),
        kind: WarningKind::NoRecordedProduction {
            material: material.id.clone(),
            stage,
            country,
            source: series.source.clone(),
            remainder,
        },
        message,
    })
}

impl RawPortfolio {
    /// The sourcing warnings of the portfolio as typed, line by line (see the module notes):
    /// entries whose country code or share is not valid yet are skipped, lines with an unknown
    /// material too. Works on a portfolio with errors, so that the editor shows a warning next to
    /// its field while other fields are still being fixed.
    ///
    /// ```
    /// use chokepoint::portfolio::RawPortfolio;
    /// let raw = RawPortfolio::from_json(r#"{"schema_version": 1, "lines": [
    ///   {"material": "gallium", "spend": 1, "revenue_share_pct": 1,
    ///    "sourcing": {"refining": {"DEU": 100}}}]}"#).unwrap();
    /// let warnings = raw.warnings(chokepoint::reference::embedded());
    /// assert_eq!(warnings[0].message, "USGS 2025 records no gallium refining in Germany. If \
    ///     Germany is where your supplier is, enter it as the purchased component and leave \
    ///     refining unknown.");
    /// ```
    pub fn warnings(&self, reference: &ReferenceData) -> Vec<SourcingWarning> {
        let mut out = Vec::new();
        for (index, line) in self.lines.iter().enumerate() {
            let Some(material) = line.material.as_deref().map(str::trim) else {
                continue;
            };
            let label = line.label.clone().filter(|l| !l.trim().is_empty());
            for stage in Stage::UPSTREAM {
                let Some(RawStageSourcing::Mix(mix)) = line.stage(stage) else {
                    continue;
                };
                for (typed, value) in &mix.0 {
                    let (Some(country), Some(share)) = (CountryCode::parse(typed), value.value())
                    else {
                        continue;
                    };
                    out.extend(entry_warning(
                        reference,
                        (index + 1, label.clone()),
                        material,
                        stage,
                        (typed, country, share),
                    ));
                }
            }
        }
        out
    }
}

impl Portfolio {
    /// The sourcing warnings of the validated portfolio (see the module notes), line by line.
    pub fn warnings(&self, reference: &ReferenceData) -> Vec<SourcingWarning> {
        let mut out = Vec::new();
        for (index, line) in self.lines.iter().enumerate() {
            for stage in Stage::UPSTREAM {
                let Some(mix) = line.sourcing.get(stage) else {
                    continue;
                };
                for &(country, share) in mix.entries() {
                    out.extend(entry_warning(
                        reference,
                        (index + 1, line.label.clone()),
                        &line.material,
                        stage,
                        (country.as_str(), country, share),
                    ));
                }
            }
        }
        out
    }
}
