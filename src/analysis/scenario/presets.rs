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
//! - **Cut:** where the event's data has the quantity the measure allows and the quantity
//!   supplied before it, the cut is **data** ([`Basis::Data`], figures with their sources in
//!   [`PresetScenario::cut_from`]): `cut = 1 - allowed / before`, the share of the supply
//!   country's supply withheld ([`CutDerivation::cut_pct`]). The DR Congo cobalt quota of
//!   96,600 t/yr (events.csv) against the DR Congo's 2024 mine output of 220,000 t (USGS MCS
//!   2025, cobalt content) withholds `1 - 96,600 / 220,000 = 56.1 %`; China's 2010 rare-earth
//!   export quota of 30,258 t against 50,145 t in 2009 withholds 39.7 %. Otherwise the data
//!   gives no cut and it is an **assumption** by measure type ([`Basis::Assumption`], text in
//!   [`PresetScenario::assumption`]), for example a licence requirement withholds 50 % for 6
//!   months, an export ban or suspension 100 %.
//! - **Duration:** from the data ([`Basis::Data`]) when the event has both an effective and an
//!   end date, otherwise an assumption. Cut and duration are editable.
//! - **Status on a date:** the data's status is as of its research date ([`events_researched`],
//!   carried into the JSON by the build script from `SOURCES.md`). [`EventPreset::status_on`]
//!   judges an event on the date the caller chooses (the app's check date, the command line's
//!   `--date`; the core reads no clock): a suspension whose scheduled end has passed with no
//!   later record says so ("suspension was scheduled to end on 2026-11-10; the data has no
//!   record after 2026-12-06: check the current status"), never "suspended until 2026-11-10" as
//!   if it were current.
//!
//! ```
//! use chokepoint::analysis::scenario::presets::{Basis, find_preset};
//! let gage = find_preset("CN-2023-GAGE").unwrap();
//! let scenario = gage.scenario.as_ref().unwrap();
//! assert_eq!(scenario.cut_basis, Basis::Assumption);
//! assert!(gage.sources.urls[0].starts_with("https://"));
//! let quota = find_preset("CD-2025-CO-QUOTA").unwrap().scenario.as_ref().unwrap();
//! assert_eq!(quota.cut_basis, Basis::Data);
//! assert!((quota.cut_pct - 100.0 * (1.0 - 96_600.0 / 220_000.0)).abs() < 1e-9);
//! ```

use super::{Months, Scenario, Target};
use crate::analysis::policy::{Date, Researched};
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
        // The date must exist (no 30 February): checked by the calendar date type.
        Date::new(year, month, day.unwrap_or(1))?;
        parts
            .next()
            .is_none()
            .then_some(EventDate { year, month, day })
    }

    /// The calendar date the event date starts on: the day itself, or the first of the month
    /// for a month-only date (the data's convention, as in `build_events.py`); `None` for a
    /// date that does not exist.
    ///
    /// ```
    /// use chokepoint::analysis::scenario::presets::EventDate;
    /// assert_eq!(EventDate::parse("2025-05").unwrap().first_day().unwrap().to_string(), "2025-05-01");
    /// ```
    pub fn first_day(self) -> Option<Date> {
        Date::new(self.year, self.month, self.day.unwrap_or(1))
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

/// An event's status as the data classifies it: as of the newest source read (research date
/// in [`events_researched`]). See [`EventPreset::status_on`] for the status on a given date.
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

/// An event's status on a check date, judged from its dates and the data's research date
/// ([`EventPreset::status_on`]). [`EventStatus::message`] says it in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum EventStatus {
    /// No supply measure (a market shock, a threat, a policy).
    NoMeasure,
    /// Proposed and not enacted.
    NotEnacted,
    /// Announced or planned, not in force in the data, and no start date on or before the
    /// check date that the data cannot confirm.
    Announced {
        /// The planned effective date, where the data has one.
        effective: Option<EventDate>,
    },
    /// The measure takes effect after the check date.
    NotYetInForce {
        /// Its effective date.
        effective: EventDate,
    },
    /// A planned measure whose effective date falls after the research date and on or before
    /// the check date: the data has no record of whether it took effect.
    StartUnrecorded {
        /// The planned effective date.
        effective: EventDate,
        /// The research date of the data.
        researched: Date,
    },
    /// In force on the check date.
    InForce {
        /// Its effective date, where the data has one.
        since: Option<EventDate>,
        /// The research date, when the check date is later: in force as last recorded.
        as_of: Option<Date>,
    },
    /// Suspended on the check date.
    Suspended {
        /// The scheduled end of the suspension, where the data has one.
        until: Option<EventDate>,
        /// The research date, when the check date is later: suspended as last recorded.
        as_of: Option<Date>,
    },
    /// The suspension was scheduled to end before the check date and the data has no record of
    /// what followed (an extension, a lapse, a replacement).
    SuspensionEndUnrecorded {
        /// The scheduled end of the suspension.
        until: EventDate,
        /// The research date of the data.
        researched: Date,
    },
    /// Lifted, replaced or superseded on or before the check date.
    Lifted {
        /// The date, where the data has it.
        on: Option<EventDate>,
    },
}

impl EventStatus {
    /// The status in words, for example "Suspended until 2026-11-10." or "Suspension was
    /// scheduled to end on 2026-11-10; the data has no record after 2026-12-06: check the
    /// current status."
    pub fn message(&self) -> String {
        let as_of = |as_of: &Option<Date>| {
            as_of.map_or(String::new(), |r| {
                format!(" as last recorded; the data has no record after {r}")
            })
        };
        match self {
            EventStatus::NoMeasure => "No supply measure.".to_string(),
            EventStatus::NotEnacted => "Proposed, not enacted.".to_string(),
            EventStatus::Announced { effective: None } => {
                "Announced; the data has no effective date.".to_string()
            }
            EventStatus::Announced {
                effective: Some(effective),
            } => format!("Announced for {effective}; not in force as last recorded."),
            EventStatus::NotYetInForce { effective } => {
                format!("Not yet in force: takes effect on {effective}.")
            }
            EventStatus::StartUnrecorded {
                effective,
                researched,
            } => format!(
                "Was scheduled to take effect on {effective}; the data has no record after \
                 {researched}: check the current status."
            ),
            EventStatus::InForce { since, as_of: a } => format!(
                "In force{}{}.",
                since.map_or(String::new(), |d| format!(" since {d}")),
                as_of(a)
            ),
            EventStatus::Suspended { until, as_of: a } => format!(
                "Suspended{}{}.",
                until.map_or(String::new(), |d| format!(" until {d}")),
                as_of(a)
            ),
            EventStatus::SuspensionEndUnrecorded { until, researched } => format!(
                "Suspension was scheduled to end on {until}; the data has no record after \
                 {researched}: check the current status."
            ),
            EventStatus::Lifted { on: Some(on) } => format!("Lifted or replaced on {on}."),
            EventStatus::Lifted { on: None } => {
                "Lifted or replaced; the data has no date.".to_string()
            }
        }
    }

    /// Whether the data cannot tell the status on the check date: a scheduled start or end
    /// passed with no record of what followed.
    pub fn needs_check(&self) -> bool {
        matches!(
            self,
            EventStatus::StartUnrecorded { .. } | EventStatus::SuspensionEndUnrecorded { .. }
        )
    }
}

impl fmt::Display for EventStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
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

/// A figure of the event data, with what it measures and where it comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    /// The number.
    pub value: f64,
    /// Its unit, as the source gives it.
    pub unit: String,
    /// What it measures.
    pub what: String,
    /// Where it comes from: the events.csv row and column with the quotation, or the reference
    /// data set and table row.
    pub source: String,
}

/// The figures a preset's cut is derived from: the quantity the measure allows and the quantity
/// supplied before it, in the same unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CutDerivation {
    /// What the measure allows (for example DR Congo's cobalt export quota, 96,600 t/yr).
    pub allowed: Quantity,
    /// What was supplied before (for example DR Congo's 2024 cobalt mine output, 220,000 t,
    /// USGS MCS 2025).
    pub before: Quantity,
}

impl CutDerivation {
    /// The cut, in percent of the supply country's share: `100 * (1 - allowed / before)`, the
    /// part of its former supply the measure withholds. `None` unless `before > 0` and
    /// `0 <= allowed <= before`.
    ///
    /// ```
    /// use chokepoint::analysis::scenario::presets::{CutDerivation, Quantity};
    /// let q = |value| Quantity { value, unit: "t".into(), what: String::new(), source: String::new() };
    /// let quota = CutDerivation { allowed: q(96_600.0), before: q(220_000.0) };
    /// assert!((quota.cut_pct().unwrap() - 56.090_909_090_909).abs() < 1e-9);
    /// assert_eq!(CutDerivation { allowed: q(3.0), before: q(2.0) }.cut_pct(), None);
    /// ```
    pub fn cut_pct(&self) -> Option<f64> {
        let (allowed, before) = (self.allowed.value, self.before.value);
        (before > 0.0 && (0.0..=before).contains(&allowed))
            .then(|| 100.0 * (1.0 - allowed / before))
    }
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
    /// [`Basis::Data`] when the cut is derived from the event's figures ([`Self::cut_from`]),
    /// otherwise [`Basis::Assumption`].
    pub cut_basis: Basis,
    /// The figures the cut is derived from, for a cut from the data.
    #[serde(default)]
    pub cut_from: Option<CutDerivation>,
    /// Default duration, in months.
    pub months: f64,
    /// Whether the duration comes from the data's dates or is an assumption.
    pub months_basis: Basis,
    /// The measure type whose default applies.
    pub measure: String,
    /// False for measures that never took effect (planned, announced, suspended before the
    /// effective date, not enacted): the preset replays them as announced.
    pub took_effect: bool,
    /// The basis of the cut and the duration in words: the assumption, or the derivation from
    /// the data.
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

impl EventPreset {
    /// The event's status on `date`, for data researched on `researched` (see the module
    /// notes). A month-only date counts from the first of its month.
    ///
    /// - A measure whose effective date is after `date` is not yet in force (also one that the
    ///   data records as lifted or suspended later).
    /// - Suspended (the data's `suspended_until`): in force before the suspension began
    ///   ([`EventPreset::lifted`]), suspended up to and including its scheduled end, and after
    ///   it [`EventStatus::SuspensionEndUnrecorded`]: the data has no record of what followed.
    /// - Lifted: in force before the date it was lifted, lifted from then on.
    /// - In force: in force, "as last recorded" when `date` is after `researched`.
    /// - Planned or announced: not yet in force before its effective date; after it, if the
    ///   effective date is after `researched`, [`EventStatus::StartUnrecorded`].
    ///
    /// ```
    /// use chokepoint::analysis::policy::Date;
    /// use chokepoint::analysis::scenario::presets::{EventStatus, find_preset};
    /// let d = |t: &str| Date::parse(t).unwrap();
    /// let holmium = find_preset("CN-2025-OCT-57").unwrap();
    /// let researched = d("2026-12-06");
    /// assert_eq!(
    ///     holmium.status_on(d("2026-06-01"), researched).message(),
    ///     "Suspended until 2026-11-10."
    /// );
    /// let later = holmium.status_on(d("2026-12-20"), researched);
    /// assert!(matches!(later, EventStatus::SuspensionEndUnrecorded { .. }));
    /// assert_eq!(
    ///     later.message(),
    ///     "Suspension was scheduled to end on 2026-11-10; the data has no record after \
    ///      2026-12-06: check the current status."
    /// );
    /// ```
    pub fn status_on(&self, date: Date, researched: Date) -> EventStatus {
        let day = |d: Option<EventDate>| d.and_then(EventDate::first_day);
        let before = |d: Option<EventDate>| day(d).is_some_and(|d| date < d);
        let as_of = (date > researched).then_some(researched);
        let in_force = EventStatus::InForce {
            since: self.effective,
            as_of,
        };
        match self.status_kind {
            StatusKind::NoMeasure => EventStatus::NoMeasure,
            StatusKind::NotEnacted => EventStatus::NotEnacted,
            StatusKind::Planned | StatusKind::Announced => {
                match (self.effective, day(self.effective)) {
                    (Some(effective), Some(first)) if date < first => {
                        EventStatus::NotYetInForce { effective }
                    }
                    (Some(effective), Some(first)) if first > researched => {
                        EventStatus::StartUnrecorded {
                            effective,
                            researched,
                        }
                    }
                    (effective, _) => EventStatus::Announced { effective },
                }
            }
            StatusKind::InForce => match self.effective {
                Some(effective) if before(Some(effective)) => {
                    EventStatus::NotYetInForce { effective }
                }
                _ => in_force,
            },
            StatusKind::Suspended | StatusKind::Lifted => {
                if let Some(effective) = self.effective
                    && before(Some(effective))
                    && (self.lifted.is_none() || before(self.lifted))
                {
                    return EventStatus::NotYetInForce { effective };
                }
                if before(self.lifted) {
                    return in_force;
                }
                if self.status_kind == StatusKind::Lifted {
                    return EventStatus::Lifted { on: self.lifted };
                }
                match (self.suspended_until, day(self.suspended_until)) {
                    (Some(until), Some(end)) if date > end => {
                        EventStatus::SuspensionEndUnrecorded { until, researched }
                    }
                    (until, _) => EventStatus::Suspended { until, as_of },
                }
            }
        }
    }
}

#[derive(Deserialize)]
struct Document {
    v: u32,
    #[serde(default)]
    researched: Option<Researched>,
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
/// scenario with countries, targets, a cut in 0-100 % and a duration in 0-120 months; a cut from
/// the data has its figures, and its `cut_pct` is `1 - allowed / before` of them
/// ([`CutDerivation::cut_pct`]).
pub fn parse_events(json: &str) -> Result<Vec<EventPreset>, EventDataError> {
    parse_document(json).map(|d| d.events)
}

fn parse_document(json: &str) -> Result<Document, EventDataError> {
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
            check_cut(scenario).map_err(problem)?;
        } else if event.scenario_note.is_none() {
            return Err(problem("neither a scenario nor a note".into()));
        }
    }
    Ok(document)
}

/// A cut from the data has its figures and equals `1 - allowed / before` of them; an assumed
/// cut has none.
fn check_cut(scenario: &PresetScenario) -> Result<(), String> {
    match (scenario.cut_basis, &scenario.cut_from) {
        (Basis::Assumption, None) => Ok(()),
        (Basis::Assumption, Some(_)) => Err("an assumed cut with figures to derive it".into()),
        (Basis::Data, None) => Err("a cut from the data without its figures".into()),
        (Basis::Data, Some(from)) => match from.cut_pct() {
            Some(cut) if (cut - scenario.cut_pct).abs() <= 1e-9 => Ok(()),
            Some(cut) => Err(format!(
                "cut {} % is not 1 - {} / {} = {cut} %",
                scenario.cut_pct, from.allowed.value, from.before.value
            )),
            None => Err(format!(
                "no cut follows from {} allowed against {} before",
                from.allowed.value, from.before.value
            )),
        },
    }
}

fn embedded_document() -> Result<&'static Document, &'static EventDataError> {
    static EVENTS: OnceLock<Result<Document, EventDataError>> = OnceLock::new();
    EVENTS.get_or_init(|| parse_document(EVENTS_JSON)).as_ref()
}

/// The embedded events, parsed once, or the error that stopped them.
pub fn try_embedded_presets() -> Result<&'static [EventPreset], &'static EventDataError> {
    embedded_document().map(|d| d.events.as_slice())
}

/// When the embedded events were researched (`researched` of `data/events.json`, quoted by the
/// build script from `SOURCES.md`): statuses are as of the newest source read. `None` only if
/// the embedded data were malformed (a test makes sure it is there).
///
/// ```
/// use chokepoint::analysis::scenario::presets::events_researched;
/// assert_eq!(events_researched().unwrap().date.to_string(), "2026-12-06");
/// ```
pub fn events_researched() -> Option<&'static Researched> {
    embedded_document().ok()?.researched.as_ref()
}

/// The embedded events (51 events of `events.csv`), parsed once. Never panics: malformed
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

/// Measure types that withhold supply from some buyers only (named destinations, entities or
/// origins), not from the world market.
const TARGETED_MEASURES: [&str; 3] = ["destination_ban", "informal_embargo", "sanction_import_ban"];

impl EventPreset {
    /// Whether the event withholds supply from every buyer: its destinations are `ALL` in the
    /// data and none of its measure types targets named destinations, entities or origins
    /// (destination ban, informal embargo, import sanction). A supply-wide measure is the one
    /// whose replay is meaningful for any firm; a destination ban (China's December 2024 ban on
    /// exports to the U.S., its 2026 ban on ten U.S. entities) cuts a firm only if its supply goes
    /// to that destination.
    pub fn is_supply_wide(&self) -> bool {
        self.destinations.trim_start().starts_with("ALL")
            && !self
                .measure_types
                .iter()
                .any(|m| TARGETED_MEASURES.contains(&m.as_str()))
    }
}

/// The preset a scenario view opens with, for a portfolio holding the catalogue materials
/// `held`: the newest event (by effective date) that took effect, is supply-wide
/// ([`EventPreset::is_supply_wide`]) and cuts at least one held material; `None` when no event
/// qualifies, so that the view shows no result until the user chooses one. A destination ban is
/// never the default: its revenue at risk applies only to firms supplied at that destination.
///
/// ```
/// use chokepoint::analysis::scenario::presets::{default_preset, embedded_presets};
/// let preset = default_preset(embedded_presets(), &["gallium"]).unwrap();
/// assert_eq!(preset.id, "CN-2023-GAGE");
/// assert!(default_preset(embedded_presets(), &[]).is_none());
/// ```
pub fn default_preset<'a>(events: &'a [EventPreset], held: &[&str]) -> Option<&'a EventPreset> {
    events
        .iter()
        .filter(|event| event.is_supply_wide())
        .filter(|event| {
            event.scenario.as_ref().is_some_and(|s| {
                s.took_effect
                    && s.targets
                        .iter()
                        .any(|t| held.contains(&t.material.as_str()))
            })
        })
        .filter_map(|event| event.effective.map(|d| ((d.year, d.month, d.day), event)))
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.id.cmp(&a.1.id)))
        .map(|(_, event)| event)
}

/// The effective years of the distinct events per supply country and modelled stage that took
/// effect with an effective date in the years `from..=to`, in the data's order: the history the
/// Monte Carlo's default disruption rates are fitted to
/// ([`ProbabilityModel::fit`](crate::analysis::montecarlo::ProbabilityModel::fit)). Events
/// without an effective date are not counted.
pub fn history_years(
    events: &[EventPreset],
    from: u16,
    to: u16,
) -> BTreeMap<(CountryCode, Stage), Vec<u16>> {
    let mut years: BTreeMap<(CountryCode, Stage), Vec<u16>> = BTreeMap::new();
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
                years
                    .entry((country, stage))
                    .or_default()
                    .push(effective.year);
            }
        }
    }
    years
}

/// The number of distinct events per supply country and modelled stage that took effect with
/// an effective date in the years `from..=to` (the lengths of [`history_years`]).
pub fn history_counts(
    events: &[EventPreset],
    from: u16,
    to: u16,
) -> BTreeMap<(CountryCode, Stage), u32> {
    history_years(events, from, to)
        .into_iter()
        .map(|(key, years)| (key, u32::try_from(years.len()).unwrap_or(u32::MAX)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_events_parse() {
        let events = try_embedded_presets().expect("events.json parses");
        assert_eq!(events.len(), 51);
        assert_eq!(events_researched().unwrap().date.to_string(), "2026-12-06");
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
    fn the_default_preset_is_a_supply_wide_cut_of_a_held_material_never_a_destination_ban() {
        let events = embedded_presets();
        // The demo's materials: the newest supply-wide measure is Zimbabwe's 2026 suspension of
        // raw-mineral exports (lithium), not China's 2026 ban on ten U.S. entities.
        let demo = [
            "rare_earths_magnet",
            "gallium",
            "germanium",
            "graphite",
            "cobalt",
            "lithium",
        ];
        let chosen = default_preset(events, &demo).unwrap();
        assert_eq!(chosen.id, "ZW-2026-RAWMIN");
        assert!(!find_preset("CN-2026-USENT").unwrap().is_supply_wide());
        assert!(!find_preset("CN-2024-USBAN").unwrap().is_supply_wide());
        assert!(!find_preset("CN-2010-JPN").unwrap().is_supply_wide());
        // Magnets only: Vietnam's 2026 ore export ban, not China's 2026 bans on Japan or on
        // U.S. entities, which are newer but target destinations.
        assert_eq!(
            default_preset(events, &["rare_earths_magnet"]).unwrap().id,
            "VN-2026-RE"
        );
        // A material no supply-wide event touches: none.
        assert!(default_preset(events, &["copper"]).is_none());
    }

    #[test]
    fn history_counts_china_refining() {
        let counts = history_counts(embedded_presets(), 2009, 2025);
        let chn = CountryCode::parse("CHN").unwrap();
        assert!(counts[&(chn, Stage::Refining)] >= 8);
    }
}
