//! Presets that replay real export restrictions and supply disruptions, 2009-2026.
//!
//! The events live in `data/events.json`, written by `scripts/data/build_events.py` from
//! `data/sources/events/events.csv` (sources and confidence in `SOURCES.md` there). Every fact
//! (dates, status, measure, destinations, description, observed effect, sources, confidence) is
//! copied from the data; new events need no code, only a rebuild of the file.
//!
//! Each [`EventPreset`] maps to a [`Scenario`] where it can ([`EventPreset::scenario`]):
//!
//! - **Supply country:** the imposing country; for an import sanction, the origin it targets
//!   (the U.S./U.K. ban on new Russian metal cuts Russian supply).
//! - **Materials:** the data's material (and rare-earth element) mapped to catalogue ids; a
//!   rare-earth element whose stages include magnets also hits `rare_earths_magnet`; "all rare
//!   earths" hits `rare_earths` and `rare_earths_magnet`. Names with no catalogue id (superhard
//!   materials, "all dual-use items", "all raw minerals", uranium) are kept in
//!   [`EventPreset::unmapped`].
//! - **Stages:** `mining` → mining, `refining` → refining, `magnets` and `components` →
//!   purchased component; `technology` (know-how, equipment) is not modelled.
//! - **Cut and duration:** the data gives no cut for any event, so the cut is always an
//!   **assumption** by measure type ([`Basis::Assumption`], text in
//!   [`PresetScenario::assumption`]), for example a licence requirement withholds 50 % for 6
//!   months, an export ban or suspension 100 %. The duration comes from the data
//!   ([`Basis::Data`]) when the event has both an effective and an end date, otherwise it is an
//!   assumption too. Both are editable.
//!
//! ```
//! use chokepoint::analysis::scenario::presets::{Basis, find_preset};
//! let gage = find_preset("CN-2023-GAGE").unwrap();
//! let scenario = gage.scenario.as_ref().unwrap();
//! assert_eq!(scenario.cut_basis, Basis::Assumption);
//! assert!(gage.sources.urls[0].starts_with("https://"));
//! ```

use super::{Months, Scenario, Target};
use crate::model::{CountryCode, Share, Stage};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

/// The event data compiled into the binary.
pub const EVENTS_JSON: &str = include_str!("../../../data/events.json");

/// A date as the event data gives it: a day, or only a month when the day is not known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventDate {
    /// Year.
    pub year: u16,
    /// Month, 1-12.
    pub month: u8,
    /// Day of the month, when known.
    pub day: Option<u8>,
}

impl EventDate {
    /// Parses `YYYY-MM-DD` or `YYYY-MM`.
    ///
    /// ```
    /// use chokepoint::analysis::scenario::presets::EventDate;
    /// assert_eq!(EventDate::parse("2025-05").unwrap().day, None);
    /// assert_eq!(EventDate::parse("2023-08-01").unwrap().day, Some(1));
    /// assert!(EventDate::parse("2023-13-01").is_none());
    /// ```
    pub fn parse(text: &str) -> Option<EventDate> {
        let mut parts = text.trim().split('-');
        let year: u16 = parts.next()?.parse().ok()?;
        let month: u8 = parts.next()?.parse().ok()?;
        let day: Option<u8> = match parts.next() {
            Some(d) => Some(d.parse().ok()?),
            None => None,
        };
        let valid_day = day.is_none_or(|d| (1..=31).contains(&d));
        (parts.next().is_none() && (1..=12).contains(&month) && valid_day && year > 0)
            .then_some(EventDate { year, month, day })
    }
}

impl fmt::Display for EventDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)?;
        if let Some(day) = self.day {
            write!(f, "-{day:02}")?;
        }
        Ok(())
    }
}

impl Serialize for EventDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EventDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        EventDate::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("`{text}` is not a date YYYY-MM-DD or YYYY-MM"))
        })
    }
}

/// An event's status as of the newest source read (about March 2026).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    /// In force (or ongoing).
    InForce,
    /// Suspended, until [`EventPreset::suspended_until`].
    Suspended,
    /// Lifted, replaced or superseded.
    Lifted,
    /// Announced to start later.
    Planned,
    /// Announced without an effective date.
    Announced,
    /// Proposed and not enacted.
    NotEnacted,
    /// No supply measure (a market shock, a threat, a policy).
    NoMeasure,
}

/// Whether a number comes from the event data or is a modelling assumption.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// From the event data (for a duration: effective to end date).
    Data,
    /// A stated modelling assumption; editable.
    Assumption,
}

/// Where an event's facts come from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventSources {
    /// Addresses of the sources read.
    pub urls: Vec<String>,
    /// Their titles, as the data gives them.
    pub titles: String,
    /// Their dates, as the data gives them.
    pub date: String,
}

/// The observed effect of an event on one material, as the data states it (free text).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObservedEffect {
    /// The material (and element) the text describes, as named in the data.
    pub material: String,
    /// The text.
    pub text: String,
}

/// How one row of the data (one material) maps to the catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MaterialMapping {
    /// The data row.
    pub row_id: String,
    /// The data's material id.
    pub source_material: String,
    /// The rare-earth element or scope, where given.
    pub element: Option<String>,
    /// The catalogue ids it maps to (empty: unmapped).
    pub ids: Vec<String>,
    /// Modelled stages.
    pub stages: Vec<Stage>,
    /// Stages of the data that are not modelled (`technology`).
    pub unmodelled_stages: Vec<String>,
}

/// The scenario an event maps to, with its defaults and where they come from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PresetScenario {
    /// The supply countries cut.
    pub countries: Vec<CountryCode>,
    /// The materials and stages cut.
    pub targets: Vec<Target>,
    /// Default cut, in percent of the countries' share.
    pub cut_pct: f64,
    /// Always [`Basis::Assumption`]: the data gives no cut.
    pub cut_basis: Basis,
    /// Default duration, in months.
    pub months: f64,
    /// Whether the duration comes from the data's dates or is an assumption.
    pub months_basis: Basis,
    /// The measure type whose default applies.
    pub measure: String,
    /// False for measures that never took effect (planned, announced, suspended before the
    /// effective date, not enacted): the preset replays them as announced.
    pub took_effect: bool,
    /// The assumption, in words.
    pub assumption: String,
}

impl PresetScenario {
    /// The scenario with the preset's defaults, or with the caller's cut (percent) and months
    /// where given.
    pub fn to_scenario(
        &self,
        cut_pct: Option<f64>,
        months: Option<f64>,
    ) -> Result<Scenario, super::ScenarioError> {
        let cut_pct = cut_pct.unwrap_or(self.cut_pct);
        let months = months.unwrap_or(self.months);
        Ok(Scenario {
            countries: self.countries.clone(),
            targets: self.targets.clone(),
            cut: Share::from_percent(cut_pct).ok_or(super::ScenarioError::Cut(cut_pct))?,
            months: Months::new(months).ok_or(super::ScenarioError::Months(months))?,
        })
    }
}

/// One real event, with its facts and the scenario it maps to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventPreset {
    /// Event id, for example `CN-2023-GAGE`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Imposing countries.
    pub imposing: Vec<CountryCode>,
    /// Measure types, for example `licence_requirement`.
    pub measure_types: Vec<String>,
    /// Destinations targeted, as the data says (`ALL`, `USA`, ...).
    pub destinations: String,
    /// Announcement date.
    pub announced: Option<EventDate>,
    /// Effective date.
    pub effective: Option<EventDate>,
    /// The date the measure stopped applying (suspended, lifted, replaced).
    pub lifted: Option<EventDate>,
    /// Scheduled end of a temporary suspension.
    pub suspended_until: Option<EventDate>,
    /// Status, as the data states it.
    pub status: String,
    /// Status, classified.
    pub status_kind: StatusKind,
    /// Rows whose end date or status differ from the event's.
    pub row_differences: Vec<RowDifference>,
    /// Description.
    pub description: String,
    /// Observed effects, where the data has them.
    pub observed_effects: Vec<ObservedEffect>,
    /// Sources.
    pub sources: EventSources,
    /// Research confidence (`HIGH`, `MEDIUM`, with notes).
    pub confidence: String,
    /// Materials and their catalogue mapping.
    pub materials: Vec<MaterialMapping>,
    /// Materials with no catalogue id.
    pub unmapped: Vec<String>,
    /// The scenario, where the event maps to one.
    pub scenario: Option<PresetScenario>,
    /// Why there is no scenario, when there is none.
    pub scenario_note: Option<String>,
}

/// A data row whose end date or status differs from its event's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowDifference {
    /// The row.
    pub row_id: String,
    /// Its end date.
    pub lifted: Option<EventDate>,
    /// Its status.
    pub status: String,
}

#[derive(Deserialize)]
struct Document {
    v: u32,
    events: Vec<EventPreset>,
}

/// Why event data was rejected.
#[derive(Clone, Debug, PartialEq)]
pub enum EventDataError {
    /// Not JSON of the expected shape.
    Json {
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// A format version this code does not read.
    Version(u32),
    /// An event whose values are inconsistent.
    Event {
        /// The event id.
        id: String,
        /// What is wrong.
        problem: String,
    },
}

impl fmt::Display for EventDataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventDataError::Json {
                line,
                column,
                message,
            } => write!(f, "event data, line {line} column {column}: {message}"),
            EventDataError::Version(v) => write!(f, "event data version {v} is not supported"),
            EventDataError::Event { id, problem } => write!(f, "event {id}: {problem}"),
        }
    }
}

impl std::error::Error for EventDataError {}

/// Parses and validates event data in the format of `data/events.json`: unique ids, and every
/// scenario with countries, targets, a cut in 0-100 % and a duration in 0-120 months.
pub fn parse_events(json: &str) -> Result<Vec<EventPreset>, EventDataError> {
    let document: Document = serde_json::from_str(json).map_err(|e| EventDataError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    if document.v != 1 {
        return Err(EventDataError::Version(document.v));
    }
    for (i, event) in document.events.iter().enumerate() {
        let problem = |problem: String| EventDataError::Event {
            id: event.id.clone(),
            problem,
        };
        if document.events[..i].iter().any(|e| e.id == event.id) {
            return Err(problem("duplicate id".into()));
        }
        if let Some(scenario) = &event.scenario {
            scenario
                .to_scenario(None, None)
                .map_err(|e| problem(e.to_string()))?;
            if scenario.countries.is_empty() || scenario.targets.is_empty() {
                return Err(problem("scenario without country or target".into()));
            }
        } else if event.scenario_note.is_none() {
            return Err(problem("neither a scenario nor a note".into()));
        }
    }
    Ok(document.events)
}

/// The embedded events, parsed once, or the error that stopped them.
pub fn try_embedded_presets() -> Result<&'static [EventPreset], &'static EventDataError> {
    static EVENTS: OnceLock<Result<Vec<EventPreset>, EventDataError>> = OnceLock::new();
    EVENTS
        .get_or_init(|| parse_events(EVENTS_JSON))
        .as_ref()
        .map(Vec::as_slice)
}

/// The embedded events (48 events of `events.csv`), parsed once. Never panics: malformed
/// embedded data gives an empty slice (a test makes sure it parses).
pub fn embedded_presets() -> &'static [EventPreset] {
    try_embedded_presets().unwrap_or(&[])
}

/// The embedded event with id `id` (case-insensitive).
pub fn find_preset(id: &str) -> Option<&'static EventPreset> {
    embedded_presets()
        .iter()
        .find(|e| e.id.eq_ignore_ascii_case(id.trim()))
}

/// The number of distinct events per supply country and modelled stage that took effect with
/// an effective date in the years `from..=to`: the history term of the Monte Carlo's default
/// disruption probabilities. Events without an effective date are not counted.
pub fn history_counts(
    events: &[EventPreset],
    from: u16,
    to: u16,
) -> BTreeMap<(CountryCode, Stage), u32> {
    let mut counts = BTreeMap::new();
    for event in events {
        let (Some(scenario), Some(effective)) = (&event.scenario, event.effective) else {
            continue;
        };
        if !scenario.took_effect || !(from..=to).contains(&effective.year) {
            continue;
        }
        let mut stages: Vec<Stage> = scenario
            .targets
            .iter()
            .flat_map(|t| t.stages.iter().copied())
            .collect();
        crate::model::order::sort(&mut stages);
        stages.dedup();
        for &country in &scenario.countries {
            for &stage in &stages {
                *counts.entry((country, stage)).or_insert(0) += 1;
            }
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_events_parse() {
        let events = try_embedded_presets().expect("events.json parses");
        assert_eq!(events.len(), 51);
    }

    #[test]
    fn event_dates_round_trip() {
        for text in ["2023-08-01", "2025-05"] {
            assert_eq!(EventDate::parse(text).unwrap().to_string(), text);
        }
        assert!(EventDate::parse("2025").is_none());
        assert!(EventDate::parse("2025-01-02-03").is_none());
    }

    #[test]
    fn history_counts_china_refining() {
        let counts = history_counts(embedded_presets(), 2009, 2025);
        let chn = CountryCode::parse("CHN").unwrap();
        assert!(counts[&(chn, Stage::Refining)] >= 8);
    }
}
