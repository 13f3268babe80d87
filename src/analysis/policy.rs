//! Policy checks from dated, cited rule data.
//!
//! The rules live in `data/policy_rules.json`, built by `scripts/data/build_policy.py` from
//! `data/sources/policy/rules.csv` (see `RULES.md` there for the quoted legal text). Each rule
//! keeps its legal citation, effective dates, stages, countries, threshold, exceptions, source,
//! confidence and notes; the build script adds the catalogue material ids, the stages folded onto
//! Chokepoint's three, and, for rules whose test is a country-share test, a [`Check`]: its kind,
//! countries or country groups, and threshold (possibly by year). The semantics of each rule
//! (which countries, which stages, which threshold, which dates) come from the data; this module
//! only knows the four kinds of test:
//!
//! | kind | passes when | rules |
//! |---|---|---|
//! | [`Check::MaxGroupShare`] | share from the listed countries / groups `<=` limit | DFARS 225.7018 covered countries (limit 0); IRC 30D foreign-entity exclusion |
//! | [`Check::MaxSingleCountryShare`] | largest share of any one country outside the excluded groups `<=` limit | CRMA Art. 5(1)(b), 65 %, EU-27 excluded |
//! | [`Check::MinGroupShare`] | share from the listed countries / groups `>=` threshold | IRC 30D critical-mineral test (US + FTA partners) |
//! | [`Check::MinShareOutsideGroup`] | share from named countries outside the groups `>=` threshold for the year | 45Y/48E material-assistance cost ratio (proxy) |
//!
//! A check takes a material id, a stage, a [`CountryMix`], a [`Date`] (passed in; there is no
//! clock), the country groups of the reference data and a [`PolicyContext`] (the line's end use,
//! the portfolio's jurisdiction and customer), and returns a [`Finding`] with the numbers: pass;
//! fail; not applicable, and why (including a rule that does not bind this end use, market or
//! customer, [`Applicability`]); not assessable from country data, and why (a rule about
//! ownership, [`Basis::Ownership`]; IRC 30D's "extracted or processed" when the routing from
//! mine to refinery decides, [`StageLogic::Any`]; a mix counted by facilities that presence alone
//! does not decide); or context, for the EU's own CRMA benchmark ([`Outcome::Context`]).
//!
//! The rules were researched on a date ([`rules_researched`], carried into the JSON by the build
//! script from `RULES.md`): a rule's dates are as its newest source read gave them. On a check
//! date after the research date, a start or end date that falls in between is a scheduled change
//! the data cannot confirm ([`PolicyRule::unconfirmed_on`]): "scheduled to take effect on
//! 2027-01-01; the data has no record after 2026-12-06: check the current status". Country of origin stands in for the legal tests
//! about places; the tests about entities (ownership, control) are not assessable from it, and
//! those about value shares over a whole product are approximated by one material's mix: every
//! finding carries the rule's caveats. The CRMA benchmark is an EU-level target for the Union's
//! consumption, not a company obligation: its findings are context.
//!
//! ```
//! use chokepoint::analysis::policy::{
//!     check_rule, embedded_rules, CheckInput, Date, Outcome, PolicyContext,
//! };
//! use chokepoint::model::{CountryCode, CountryMix, Stage};
//! use chokepoint::reference::CountryGroup;
//!
//! let chn = CountryCode::parse("CHN").unwrap();
//! let jpn = CountryCode::parse("JPN").unwrap();
//! let mix = CountryMix::from_shares([(chn, 70.0), (jpn, 30.0)]).unwrap();
//! let eu27 = CountryGroup {
//!     id: "eu27".into(), name: "EU-27".into(), members: vec![], as_of: None,
//!     source: "EU".into(), user_defined: false,
//! };
//! let input = CheckInput {
//!     material: "gallium",
//!     stage: Stage::Refining,
//!     mix: &mix,
//!     date: Date::parse("2026-06-01").unwrap(),
//!     groups: std::slice::from_ref(&eu27),
//!     context: PolicyContext::default(),
//!     other_stages: &[],
//!     facility_counts: &[],
//! };
//! let rule = embedded_rules().iter().find(|r| r.rule_id == "EU-CRMA-ART5-1B-65").unwrap();
//! let crma = check_rule(rule, &input).unwrap();
//! // The EU's own benchmark (no third country above 65 %), shown as context, not as a failure.
//! assert_eq!(crma.outcome, Outcome::Context);
//! assert_eq!(crma.measurement.as_ref().unwrap().share, 0.7);
//! ```

use crate::model::context::{Customer, EndUse, Jurisdiction};
use crate::model::{CountryCode, CountryMix, Share, Stage};
use crate::reference::CountryGroup;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

#[cfg(test)]
mod tests;

/// The rule data compiled into the binary.
const EMBEDDED_JSON: &str = include_str!("../../data/policy_rules.json");

/// Tolerance for comparing shares with thresholds, against floating-point noise.
const EPSILON: f64 = 1e-9;

/// A calendar date (proleptic Gregorian), years 1 to 9999. Ordered chronologically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// Text that is not a valid `YYYY-MM-DD` date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateError {
    /// The text given.
    pub text: String,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a date of the form YYYY-MM-DD", self.text)
    }
}

impl std::error::Error for DateError {}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// The earliest date, 0001-01-01.
    pub const MIN: Date = Date {
        year: 1,
        month: 1,
        day: 1,
    };

    /// A date from its parts; `None` when it does not exist (month 13, 30 February, year 0).
    ///
    /// ```
    /// use chokepoint::analysis::policy::Date;
    /// assert!(Date::new(2024, 2, 29).is_some());
    /// assert!(Date::new(2026, 2, 29).is_none());
    /// ```
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD` (ISO 8601 calendar date).
    ///
    /// ```
    /// use chokepoint::analysis::policy::Date;
    /// let d = Date::parse("2027-01-01").unwrap();
    /// assert!(d > Date::parse("2026-12-31").unwrap());
    /// assert_eq!(d.to_string(), "2027-01-01");
    /// assert!(Date::parse("1 January 2027").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let error = || DateError {
            text: text.to_string(),
        };
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(error());
        }
        let digits = |range: std::ops::Range<usize>| -> Result<u16, DateError> {
            let part = &text[range];
            if part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().map_err(|_| error())
            } else {
                Err(error())
            }
        };
        let year = digits(0..4)?;
        let month = u8::try_from(digits(5..7)?).map_err(|_| error())?;
        let day = u8::try_from(digits(8..10)?).map_err(|_| error())?;
        Date::new(year, month, day).ok_or_else(error)
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1-12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1-31.
    pub fn day(self) -> u8 {
        self.day
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Date::parse(text)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// When a data set (the policy rules, the events) was researched: its statuses are as of its
/// newest sources, and nothing after the research date is recorded. Read from the data, where
/// the build script carries it with its citation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Researched {
    /// The research date.
    pub date: Date,
    /// How recent the newest sources read are, in words (for example "about October 2026").
    pub sources_up_to: String,
    /// Where the date is stated: file and quotation.
    pub citation: String,
}

impl Researched {
    /// A short statement for a view: "researched 2026-12-06 (newest sources about October
    /// 2026)".
    ///
    /// ```
    /// use chokepoint::analysis::policy::{Date, Researched};
    /// let r = Researched {
    ///     date: Date::parse("2026-12-06").unwrap(),
    ///     sources_up_to: "about October 2026".into(),
    ///     citation: String::new(),
    /// };
    /// assert_eq!(r.label(), "researched 2026-12-06 (newest sources about October 2026)");
    /// ```
    pub fn label(&self) -> String {
        format!(
            "researched {} (newest sources {})",
            self.date, self.sources_up_to
        )
    }
}

/// A change of a rule's status scheduled after the data's research date and on or before the
/// check date: the data has no record of whether it happened ([`PolicyRule::unconfirmed_on`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Unconfirmed {
    /// The rule was scheduled to take effect on `on`.
    Start {
        /// Its first day in force, as the data gives it.
        on: Date,
        /// The research date of the data.
        researched: Date,
    },
    /// The rule was scheduled to end after `last_day` (its last day in force, or the last day
    /// before a later law ended its regime).
    End {
        /// Its last day in force, as the data gives it.
        last_day: Date,
        /// The research date of the data.
        researched: Date,
    },
}

impl Unconfirmed {
    /// The change in words, with what to do.
    ///
    /// ```
    /// use chokepoint::analysis::policy::{Date, Unconfirmed};
    /// let d = |t: &str| Date::parse(t).unwrap();
    /// let start = Unconfirmed::Start { on: d("2027-01-01"), researched: d("2026-12-06") };
    /// assert_eq!(
    ///     start.message(),
    ///     "scheduled to take effect on 2027-01-01; the data has no record after 2026-12-06: \
    ///      check the current status"
    /// );
    /// ```
    pub fn message(&self) -> String {
        let (what, date, researched) = match self {
            Unconfirmed::Start { on, researched } => ("take effect", on, researched),
            Unconfirmed::End {
                last_day,
                researched,
            } => ("end", last_day, researched),
        };
        format!(
            "scheduled to {what} on {date}; the data has no record after {researched}: check \
             the current status"
        )
    }
}

/// How well a rule's content was verified by the research behind `rules.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Primary legal text read.
    High,
    /// Secondary source (law-firm alert, agency explainer, filing).
    Medium,
    /// From memory; dates left blank.
    Low,
}

/// One of Chokepoint's stages a rule covers, with the rule's own stage names folded into it
/// (for example `separation` and `metal` into [`Stage::Refining`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageCoverage {
    /// The stage.
    pub stage: Stage,
    /// The rule's stage names mapped to it (`mining`, `refining`, `separation`, `metal`,
    /// `magnet`, `component`).
    pub from: Vec<String>,
}

/// A later law that ended a rule's regime: the rule is historical after `after`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Termination {
    /// The last day the regime applied.
    pub after: Date,
    /// The provision that ended it.
    pub citation: String,
    /// Plain-words explanation.
    pub note: String,
}

/// One step of a threshold schedule: the share applies in the years `from_year..=to_year`
/// (open-ended where `None`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThresholdStep {
    /// First year the share applies, if bounded.
    pub from_year: Option<u16>,
    /// Last year the share applies, if bounded.
    pub to_year: Option<u16>,
    /// The threshold.
    pub share: Share,
}

/// A threshold, constant or by year (for example 40 % in 2026 rising to 60 % after 2029).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Threshold(pub Vec<ThresholdStep>);

impl Threshold {
    /// The threshold that applies in `year`, if the schedule has one.
    pub fn for_year(&self, year: u16) -> Option<Share> {
        self.0
            .iter()
            .find(|s| s.from_year.is_none_or(|y| year >= y) && s.to_year.is_none_or(|y| year <= y))
            .map(|s| s.share)
    }
}

/// The kind of country-share test a rule makes, with its parameters from the data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Check {
    /// The share from the listed countries and groups must not exceed the threshold (0 for the
    /// DFARS covered-country restrictions: any covered-country share fails).
    MaxGroupShare {
        /// Countries named in the rule.
        countries: Vec<CountryCode>,
        /// Country groups (ids of [`CountryGroup`]) named in the rule.
        groups: Vec<String>,
        /// The largest share allowed.
        threshold: Threshold,
    },
    /// No single country outside the excluded ones may exceed the threshold (CRMA: no third
    /// country above 65 %; EU member states are not third countries).
    MaxSingleCountryShare {
        /// Groups whose members are not counted (`eu27`).
        exclude_groups: Vec<String>,
        /// Countries not counted.
        exclude_countries: Vec<CountryCode>,
        /// The largest share allowed for one country.
        threshold: Threshold,
    },
    /// The share from the listed countries and groups must reach the threshold.
    MinGroupShare {
        /// Qualifying countries.
        countries: Vec<CountryCode>,
        /// Qualifying groups.
        groups: Vec<String>,
        /// The smallest share required.
        threshold: Threshold,
    },
    /// The share from named countries outside the listed countries and groups must reach the
    /// threshold (a proxy for the material-assistance cost ratio; the rest-of-world remainder
    /// does not count as outside).
    MinShareOutsideGroup {
        /// Countries whose share does not count.
        countries: Vec<CountryCode>,
        /// Groups whose members' share does not count.
        groups: Vec<String>,
        /// The smallest share required, usually by year.
        threshold: Threshold,
    },
}

impl Check {
    fn threshold(&self) -> &Threshold {
        match self {
            Check::MaxGroupShare { threshold, .. }
            | Check::MaxSingleCountryShare { threshold, .. }
            | Check::MinGroupShare { threshold, .. }
            | Check::MinShareOutsideGroup { threshold, .. } => threshold,
        }
    }

    fn group_ids(&self) -> &[String] {
        match self {
            Check::MaxGroupShare { groups, .. }
            | Check::MinGroupShare { groups, .. }
            | Check::MinShareOutsideGroup { groups, .. } => groups,
            Check::MaxSingleCountryShare { exclude_groups, .. } => exclude_groups,
        }
    }
}

/// A sourcing rule with its citation, dates and, where it has one, its country-share test.
///
/// Fields named as in `rules.csv` keep its text; pipe-separated columns are lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyRule {
    /// Stable identifier, for example `US-DFARS7052-NDFEB-B`.
    pub rule_id: String,
    /// `US`, `EU`, `JP`.
    pub jurisdiction: String,
    /// Short name.
    pub name: String,
    /// The legal provisions, for example "DFARS 225.7018-2(a)(2),(b)(4); ...".
    pub legal_citation: String,
    /// Who the rule binds.
    pub applies_to: String,
    /// Material names as in `rules.csv`.
    pub materials: Vec<String>,
    /// Catalogue material ids the rule covers (mapped by the build script).
    pub material_ids: Vec<String>,
    /// The items covered (magnets, metals, batteries).
    pub items: String,
    /// The rule's own stage names.
    pub stages_covered: Vec<String>,
    /// Chokepoint stages covered, upstream first.
    pub stages: Vec<StageCoverage>,
    /// The countries cell of `rules.csv`, split on pipes.
    pub countries: Vec<String>,
    /// The test as written in `rules.csv`.
    pub test: String,
    /// The threshold cell of `rules.csv`, split on pipes.
    pub threshold: Vec<String>,
    /// First day in force, where the data has it.
    pub effective_from: Option<Date>,
    /// Last day in force, where the data has it.
    pub effective_to: Option<Date>,
    /// Exceptions, as written.
    pub exceptions: String,
    /// Where the text was read.
    pub source: String,
    /// How well it was verified.
    pub confidence: Confidence,
    /// Notes, as written.
    pub notes: String,
    /// False for a bill that is not law.
    pub enacted: bool,
    /// A later law that ended the regime, if any.
    pub terminated: Option<Termination>,
    /// The country-share test, when the rule has one Chokepoint can compute.
    pub check: Option<Check>,
    /// Why there is no check, when there is none.
    pub unchecked_reason: Option<String>,
    /// Caveats to show with every finding (open legal questions, approximations).
    pub caveats: Vec<String>,
    /// Which end uses, jurisdictions and customers the rule binds, whether country data can
    /// test it and how its stages combine (absent in older data: applies to all, by country,
    /// stage by stage).
    #[serde(default)]
    pub applicability: Applicability,
}

/// Whether a country mix can test a rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The rule is about where a step took place: the country mix tests it.
    #[default]
    Country,
    /// The rule is about who owns or controls the supplier (a foreign entity of concern, a
    /// prohibited foreign entity): country data cannot test it, and a country-share pass would
    /// say nothing ([`NotAssessable::Ownership`]).
    Ownership,
}

/// How the stages a rule covers combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageLogic {
    /// Each covered stage is tested on its own.
    #[default]
    Each,
    /// A unit of material qualifies when any one covered stage took place in a qualifying
    /// country: 26 U.S.C. 30D(e)(1)(A) counts critical minerals "(i) extracted or processed— (I)
    /// in the United States, or (II) in any country with which the United States has a free
    /// trade agreement in effect" (quoted in `data/sources/policy/RULES.md`, section 3). Only for
    /// [`Check::MinGroupShare`]; see [`check_rule`] for the bounds.
    Any,
}

/// Who and what a rule binds beyond its materials and stages, from the rule data (the build
/// script's `APPLICABILITY` table, which quotes each rule's `items` and `applies_to`). An empty
/// list binds everyone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Applicability {
    /// The end uses the rule covers (DFARS magnet rules: magnets; IRC 30D: batteries).
    pub end_uses: Vec<EndUse>,
    /// Where the firm must sell for the rule to bind it (IRC 30D, 45X, 45Y/48E: the US).
    pub jurisdictions: Vec<Jurisdiction>,
    /// The customers whose supply chain the rule binds (DFARS 225.7018: the US DoD).
    pub customers: Vec<Customer>,
    /// Whether a country mix can test the rule.
    pub basis: Basis,
    /// How the covered stages combine.
    pub stage_logic: StageLogic,
}

/// What the portfolio says about a line that decides which rules apply: the line's end use, the
/// portfolio's jurisdiction and customer (`None` where not given; see [`crate::model::context`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PolicyContext {
    /// What the line's material goes into.
    pub end_use: Option<EndUse>,
    /// Where the firm sells.
    pub jurisdiction: Option<Jurisdiction>,
    /// Who the firm supplies.
    pub customer: Option<Customer>,
}

impl Applicability {
    /// Who and what the rule binds, in words, for a list of rules: "any end use, market and
    /// customer" when it names none.
    ///
    /// ```
    /// use chokepoint::analysis::policy::embedded_rules;
    /// let rule = |id: &str| embedded_rules().iter().find(|r| r.rule_id == id).unwrap();
    /// assert_eq!(
    ///     rule("US-DFARS7052-SMCO-A").applicability.summary(),
    ///     "SmCo magnets or magnets of unstated type; US DoD supplier (prime or subcontractor)"
    /// );
    /// assert_eq!(
    ///     rule("US-IRC30D-FEOC-CM").applicability.summary(),
    ///     "batteries; United States; about ownership: not assessable from country data"
    /// );
    /// assert_eq!(rule("EU-CRMA-ART5-1B-65").applicability.summary(), "any end use, market and customer");
    /// ```
    pub fn summary(&self) -> String {
        let join = |items: Vec<&str>| items.join(" or ");
        let mut parts: Vec<String> = Vec::new();
        if !self.end_uses.is_empty() {
            parts.push(join(self.end_uses.iter().map(|e| e.in_words()).collect()));
        }
        if !self.jurisdictions.is_empty() {
            parts.push(join(self.jurisdictions.iter().map(|j| j.label()).collect()));
        }
        if !self.customers.is_empty() {
            parts.push(join(self.customers.iter().map(|c| c.label()).collect()));
        }
        if self.basis == Basis::Ownership {
            parts.push("about ownership: not assessable from country data".into());
        }
        if self.stage_logic == StageLogic::Any {
            parts.push("extracted or processed in a qualifying country".into());
        }
        if parts.is_empty() {
            "any end use, market and customer".into()
        } else {
            parts.join("; ")
        }
    }

    /// Why a rule with this applicability does not bind a line in `context`, or `None` when it
    /// does. End use first, then jurisdiction, then customer; a context that is not given does
    /// not bind (the reason says it was not given).
    ///
    /// ```
    /// use chokepoint::analysis::policy::{Applicability, NotApplicable, PolicyContext};
    /// use chokepoint::model::context::{Customer, EndUse};
    /// let dfars_magnets = Applicability {
    ///     end_uses: vec![EndUse::Magnet],
    ///     customers: vec![Customer::UsDod],
    ///     ..Applicability::default()
    /// };
    /// let battery = PolicyContext { end_use: Some(EndUse::Battery), ..PolicyContext::default() };
    /// assert_eq!(dfars_magnets.excludes(&battery), Some(NotApplicable::EndUse(Some(EndUse::Battery))));
    /// let magnet_dod = PolicyContext {
    ///     end_use: Some(EndUse::Magnet),
    ///     customer: Some(Customer::UsDod),
    ///     ..PolicyContext::default()
    /// };
    /// assert_eq!(dfars_magnets.excludes(&magnet_dod), None);
    /// ```
    pub fn excludes(&self, context: &PolicyContext) -> Option<NotApplicable> {
        if !self.end_uses.is_empty() && !context.end_use.is_some_and(|e| self.end_uses.contains(&e))
        {
            return Some(NotApplicable::EndUse(context.end_use));
        }
        if !self.jurisdictions.is_empty()
            && !context
                .jurisdiction
                .is_some_and(|j| self.jurisdictions.contains(&j))
        {
            return Some(NotApplicable::Jurisdiction(context.jurisdiction));
        }
        if !self.customers.is_empty()
            && !context
                .customer
                .is_some_and(|c| self.customers.contains(&c))
        {
            return Some(NotApplicable::Customer(context.customer));
        }
        None
    }
}

/// Where a rule stands on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleStatus {
    /// In force: on or after its first day and on or before its last.
    InForce,
    /// Its first day is later.
    NotYetInForce,
    /// Its last day has passed (historical).
    Ended,
    /// A later law ended the regime before the date (historical), see [`PolicyRule::terminated`].
    Terminated,
    /// A bill, not law.
    NotEnacted,
    /// The data has no start date and the date is not after its end: it may or may not be in
    /// force.
    Undated,
}

impl RuleStatus {
    /// The status in words, for example "not yet in force".
    pub fn label(self) -> &'static str {
        match self {
            RuleStatus::InForce => "in force",
            RuleStatus::NotYetInForce => "not yet in force",
            RuleStatus::Ended => "ended",
            RuleStatus::Terminated => "ended by a later law",
            RuleStatus::NotEnacted => "not enacted",
            RuleStatus::Undated => "no start date in the data",
        }
    }

    /// Whether the rule is historical on the date (ended or terminated).
    pub fn is_historical(self) -> bool {
        matches!(self, RuleStatus::Ended | RuleStatus::Terminated)
    }
}

impl PolicyRule {
    /// Where the rule stands on `date`.
    ///
    /// Order: not enacted; terminated by a later law (after its termination date); not yet in
    /// force; ended; undated (no start date in the data); in force.
    pub fn status_on(&self, date: Date) -> RuleStatus {
        if !self.enacted {
            return RuleStatus::NotEnacted;
        }
        if self.terminated.as_ref().is_some_and(|t| date > t.after) {
            return RuleStatus::Terminated;
        }
        if self.effective_from.is_some_and(|from| date < from) {
            return RuleStatus::NotYetInForce;
        }
        if self.effective_to.is_some_and(|to| date > to) {
            return RuleStatus::Ended;
        }
        if self.effective_from.is_none() {
            return RuleStatus::Undated;
        }
        RuleStatus::InForce
    }

    /// The scheduled change of status the data cannot confirm on `date`, for rule data
    /// researched on `researched`: a start date after the research date and on or before
    /// `date`, or a last day in force (or a termination) on or after the research date and
    /// before `date`. `None` when nothing changes between the research date and `date`, and for
    /// a bill that is not law.
    ///
    /// ```
    /// use chokepoint::analysis::policy::{embedded_rules, Date, Unconfirmed};
    /// let d = |t: &str| Date::parse(t).unwrap();
    /// let rule = embedded_rules().iter().find(|r| r.rule_id == "US-DFARS7052-NDFEB-B").unwrap();
    /// // The mine-to-magnet regime starts on 2027-01-01, after the research of 2026-12-06.
    /// assert_eq!(
    ///     rule.unconfirmed_on(d("2027-02-01"), d("2026-12-06")),
    ///     Some(Unconfirmed::Start { on: d("2027-01-01"), researched: d("2026-12-06") })
    /// );
    /// assert_eq!(rule.unconfirmed_on(d("2026-12-20"), d("2026-12-06")), None);
    /// ```
    pub fn unconfirmed_on(&self, date: Date, researched: Date) -> Option<Unconfirmed> {
        if !self.enacted || date <= researched {
            return None;
        }
        let ends = |last_day: Date| (researched <= last_day && last_day < date).then_some(last_day);
        if let Some(last_day) = self.terminated.as_ref().and_then(|t| ends(t.after)) {
            return Some(Unconfirmed::End {
                last_day,
                researched,
            });
        }
        if let Some(on) = self.effective_from
            && researched < on
            && on <= date
        {
            return Some(Unconfirmed::Start { on, researched });
        }
        self.effective_to
            .and_then(ends)
            .map(|last_day| Unconfirmed::End {
                last_day,
                researched,
            })
    }

    /// Whether the rule covers the catalogue material `material`.
    pub fn covers_material(&self, material: &str) -> bool {
        self.material_ids.iter().any(|m| m == material)
    }

    /// The Chokepoint stages the rule covers, upstream first.
    pub fn covered_stages(&self) -> Vec<Stage> {
        self.stages.iter().map(|s| s.stage).collect()
    }
}

/// Why rule data could not be used. Names the rule and field where there is one.
#[derive(Clone, Debug, PartialEq)]
pub enum PolicyDataError {
    /// The JSON is malformed or a value has the wrong type or form (a bad date, a share above 1).
    Json {
        /// Line of the error, from 1.
        line: usize,
        /// Column of the error, from 1.
        column: usize,
        /// What was wrong.
        message: String,
    },
    /// A rule is inconsistent.
    Invalid {
        /// The rule concerned (empty if the rule has no id).
        rule_id: String,
        /// The field concerned.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for PolicyDataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyDataError::Json {
                line,
                column,
                message,
            } => write!(f, "rule data, line {line}, column {column}: {message}"),
            PolicyDataError::Invalid {
                rule_id,
                field,
                message,
            } => write!(f, "rule `{rule_id}`, field `{field}`: {message}"),
        }
    }
}

impl std::error::Error for PolicyDataError {}

#[derive(Deserialize)]
struct Document {
    #[serde(default)]
    researched: Option<Researched>,
    rules: Vec<PolicyRule>,
}

fn invalid(rule: &PolicyRule, field: &'static str, message: impl Into<String>) -> PolicyDataError {
    PolicyDataError::Invalid {
        rule_id: rule.rule_id.clone(),
        field,
        message: message.into(),
    }
}

fn validate(rules: &[PolicyRule]) -> Result<(), PolicyDataError> {
    for (i, rule) in rules.iter().enumerate() {
        if rule.rule_id.trim().is_empty() {
            return Err(invalid(
                rule,
                "rule_id",
                format!("rule {} has no id", i + 1),
            ));
        }
        if rules[..i].iter().any(|r| r.rule_id == rule.rule_id) {
            return Err(invalid(rule, "rule_id", "appears twice"));
        }
        if rule.legal_citation.trim().is_empty() {
            return Err(invalid(rule, "legal_citation", "empty"));
        }
        if let (Some(from), Some(to)) = (rule.effective_from, rule.effective_to)
            && from > to
        {
            return Err(invalid(
                rule,
                "effective_from",
                format!("{from} is after effective_to {to}"),
            ));
        }
        match (&rule.check, &rule.unchecked_reason) {
            (None, None) => {
                return Err(invalid(
                    rule,
                    "check",
                    "neither a check nor a reason for having none",
                ));
            }
            (Some(check), _) => {
                if rule.stages.is_empty() {
                    return Err(invalid(rule, "stages", "a check needs at least one stage"));
                }
                let steps = &check.threshold().0;
                if steps.is_empty() {
                    return Err(invalid(rule, "check", "empty threshold"));
                }
                if rule.applicability.stage_logic == StageLogic::Any
                    && !matches!(check, Check::MinGroupShare { .. })
                {
                    return Err(invalid(
                        rule,
                        "applicability",
                        "stage_logic `any` needs a min_group_share check",
                    ));
                }
                if steps
                    .iter()
                    .any(|s| matches!((s.from_year, s.to_year), (Some(a), Some(b)) if a > b))
                {
                    return Err(invalid(
                        rule,
                        "check",
                        "a threshold step ends before it starts",
                    ));
                }
            }
            (None, Some(_)) => {}
        }
    }
    Ok(())
}

/// Parses and validates rule data in the format of `data/policy_rules.json`.
///
/// ```
/// use chokepoint::analysis::policy::{parse_rules, PolicyDataError};
/// assert!(matches!(parse_rules("{\"rules\": [}"), Err(PolicyDataError::Json { line: 1, .. })));
/// ```
pub fn parse_rules(json: &str) -> Result<Vec<PolicyRule>, PolicyDataError> {
    parse_document(json).map(|d| d.rules)
}

fn parse_document(json: &str) -> Result<Document, PolicyDataError> {
    let document: Document = serde_json::from_str(json).map_err(|e| PolicyDataError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    validate(&document.rules)?;
    Ok(document)
}

fn embedded_document() -> Result<&'static Document, &'static PolicyDataError> {
    static RULES: OnceLock<Result<Document, PolicyDataError>> = OnceLock::new();
    RULES.get_or_init(|| parse_document(EMBEDDED_JSON)).as_ref()
}

/// The embedded rule data, parsed once, or the error that stopped it.
pub fn try_embedded_rules() -> Result<&'static [PolicyRule], &'static PolicyDataError> {
    embedded_document().map(|d| d.rules.as_slice())
}

/// When the embedded rules were researched (`researched` of `data/policy_rules.json`, quoted by
/// the build script from `RULES.md`); `None` only if the embedded data were malformed (a test
/// makes sure it is there).
///
/// ```
/// use chokepoint::analysis::policy::rules_researched;
/// assert_eq!(rules_researched().unwrap().date.to_string(), "2026-12-06");
/// ```
pub fn rules_researched() -> Option<&'static Researched> {
    embedded_document().ok()?.researched.as_ref()
}

/// The embedded rule data (37 rules from `rules.csv`), parsed once.
///
/// Never panics: if the embedded data were malformed this returns an empty slice (a test makes
/// sure it parses; use [`try_embedded_rules`] to see the error).
pub fn embedded_rules() -> &'static [PolicyRule] {
    try_embedded_rules().unwrap_or(&[])
}

/// The rules in force on `date` ([`RuleStatus::InForce`]), in data order.
///
/// Rules without a start date in the data ([`RuleStatus::Undated`]) are left out; use
/// [`PolicyRule::status_on`] to show them with their status.
///
/// ```
/// use chokepoint::analysis::policy::{embedded_rules, rules_in_force, Date};
/// let ids = |d: &str| -> Vec<String> {
///     rules_in_force(embedded_rules(), Date::parse(d).unwrap())
///         .iter().map(|r| r.rule_id.clone()).collect()
/// };
/// assert!(ids("2026-12-31").contains(&"US-DFARS7052-NDFEB-A".to_string()));
/// assert!(ids("2027-01-01").contains(&"US-DFARS7052-NDFEB-B".to_string()));
/// ```
pub fn rules_in_force(rules: &[PolicyRule], date: Date) -> Vec<&PolicyRule> {
    rules
        .iter()
        .filter(|r| r.status_on(date) == RuleStatus::InForce)
        .collect()
}

/// What a check is run on.
#[derive(Clone, Copy, Debug)]
pub struct CheckInput<'a> {
    /// Catalogue material id, for example `gallium`.
    pub material: &'a str,
    /// The stage the mix describes.
    pub stage: Stage,
    /// Country shares at that stage.
    pub mix: &'a CountryMix,
    /// The date to check on (rules in force, threshold year).
    pub date: Date,
    /// Country groups (from the reference data, or the user's), looked up by id.
    pub groups: &'a [CountryGroup],
    /// The line's end use and the portfolio's jurisdiction and customer.
    pub context: PolicyContext,
    /// The mixes of the material's other stages, for a rule whose stages combine
    /// ([`StageLogic::Any`]); a covered stage absent here and other than `stage` is unknown.
    pub other_stages: &'a [(Stage, &'a CountryMix)],
    /// The stages whose mix counts facilities (supplier declarations) rather than volumes:
    /// there, only presence is read (see [`check_rule`]).
    pub facility_counts: &'a [Stage],
}

/// Whether a measured share must stay at or below the limit, or reach it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// Passes when the share is at most the limit.
    AtMost,
    /// Passes when the share is at least the limit.
    AtLeast,
}

/// The numbers behind a finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measurement {
    /// The share measured (fraction 0..1).
    pub share: f64,
    /// The threshold it is compared with (fraction 0..1).
    pub limit: f64,
    /// The direction of the comparison.
    pub bound: Bound,
    /// The countries counted in `share`, largest first (for the single-country test: the largest
    /// country counted).
    pub countries: Vec<(CountryCode, f64)>,
    /// Share of the rest-of-world remainder (`ROW`), whose origin is unknown and which is never
    /// counted as qualifying or as outside a group.
    pub unattributed: f64,
    /// For a rule whose stages combine ([`StageLogic::Any`]): the qualifying share at each
    /// covered stage with a mix, upstream first; `share` is then their largest, the share that
    /// qualifies however mined material was routed to refineries. Empty otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_stage: Vec<(Stage, f64)>,
    /// For a rule whose stages combine: the largest share that could qualify, the sum of the
    /// stages' qualifying and unattributed shares (an unknown stage counts 1), at most 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upper: Option<f64>,
    /// Whether a mix measured counts facilities rather than volumes: `share` is then a share of
    /// facilities, and the outcome reads only which countries are present.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub facility_count: bool,
}

impl Measurement {
    /// Whether the share satisfies the bound. A limit of zero is strict: any share above zero
    /// fails; otherwise a tolerance of 1e-9 absorbs floating-point noise.
    pub fn passes(&self) -> bool {
        match self.bound {
            Bound::AtMost if self.limit == 0.0 => self.share <= 0.0,
            Bound::AtMost => self.share <= self.limit + EPSILON,
            Bound::AtLeast => self.share + EPSILON >= self.limit,
        }
    }
}

/// Why a rule does not apply to the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotApplicable {
    /// The rule does not cover the material.
    MaterialNotCovered,
    /// The rule does not cover the stage.
    StageNotCovered,
    /// The rule has no country-share test (see [`PolicyRule::unchecked_reason`]).
    NoShareTest,
    /// The threshold schedule has no value for the year of the date.
    NoThresholdForYear(u16),
    /// The rule is not in force on the date (the measurement is still given).
    NotInForce(RuleStatus),
    /// The rule covers other end uses; `None` when the line's end use is not given.
    EndUse(Option<EndUse>),
    /// The rule binds firms selling in another jurisdiction; `None` when the portfolio's
    /// jurisdiction is not given.
    Jurisdiction(Option<Jurisdiction>),
    /// The rule binds other customers' supply chains (the US DoD's); `None` when the portfolio's
    /// customer is not given.
    Customer(Option<Customer>),
}

impl NotApplicable {
    /// Why, in words, for `rule` ("covers magnets; this line is for batteries").
    pub fn reason(self, rule: &PolicyRule) -> String {
        let a = &rule.applicability;
        match self {
            NotApplicable::MaterialNotCovered => "does not cover this material".into(),
            NotApplicable::StageNotCovered => "does not cover this stage".into(),
            NotApplicable::NoShareTest => "has no country-share test".into(),
            NotApplicable::NoThresholdForYear(year) => format!("has no threshold for {year}"),
            NotApplicable::NotInForce(status) => status.label().into(),
            NotApplicable::EndUse(given) => wanted(
                "covers",
                a.end_uses.iter().map(|e| e.in_words().to_string()),
                given.map(|e| format!("this line is for {}", e.in_words())),
                "this line's end use is not given",
            ),
            NotApplicable::Jurisdiction(given) => wanted(
                "binds firms selling in the",
                a.jurisdictions.iter().map(|j| j.label().to_string()),
                given.map(|j| format!("the portfolio's market is {}", j.label())),
                "the portfolio's jurisdiction is not given",
            ),
            NotApplicable::Customer(given) => wanted(
                "binds only a",
                a.customers.iter().map(|c| c.label().to_string()),
                given.map(|c| format!("the portfolio states {}", c.label().to_lowercase())),
                "the portfolio's customer is not given",
            ),
        }
    }
}

/// "`what` A or B; `given`", or `missing` in place of `given`.
fn wanted(
    what: &str,
    options: impl Iterator<Item = String>,
    given: Option<String>,
    missing: &str,
) -> String {
    let options: Vec<String> = options.collect();
    format!(
        "{what} {}; {}",
        options.join(" or "),
        given.unwrap_or_else(|| missing.to_string())
    )
}

/// Why a rule that applies cannot be judged from country data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotAssessable {
    /// The rule is about ownership or control of the supplier ([`Basis::Ownership`]); the
    /// portfolio gives countries only.
    Ownership,
    /// The stages combine ([`StageLogic::Any`]) and the qualifying share lies between the
    /// measurement's `share` and `upper` across the threshold: which mined material went to which
    /// refinery decides.
    StageLink,
    /// The mix counts facilities, not volumes, and presence alone does not decide the test
    /// (some but not all facilities in the countries concerned, against a non-zero threshold).
    FacilityCount,
}

impl NotAssessable {
    /// Why, in words.
    pub fn reason(self) -> &'static str {
        match self {
            NotAssessable::Ownership => {
                "not assessable from country data: the rule is about who owns or controls the \
                 supplier, which country shares cannot show"
            }
            NotAssessable::StageLink => {
                "not assessable from country data: whether enough material was extracted or \
                 processed in qualifying countries depends on which mine supplied which refinery"
            }
            NotAssessable::FacilityCount => {
                "not assessable from facility counts: the declarations say which countries' \
                 facilities supply, not how much each supplies"
            }
        }
    }
}

/// The result of a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The mix meets the rule's test.
    Pass,
    /// The mix does not meet it.
    Fail,
    /// The rule does not apply, and why.
    NotApplicable(NotApplicable),
    /// The rule applies but country data cannot judge it, and why (never a pass).
    NotAssessable(NotAssessable),
    /// An EU-level benchmark ([`PolicyRule::is_eu_level_benchmark`]): the measured share is
    /// shown beside the EU's own target as context, never as the firm's pass or failure.
    Context,
}

/// One rule checked against one material, stage and mix on one date.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding<'a> {
    /// The rule, with its name, citation, dates, stages and caveats.
    pub rule: &'a PolicyRule,
    /// Where the rule stands on the date.
    pub status: RuleStatus,
    /// Pass, fail or not applicable.
    pub outcome: Outcome,
    /// The numbers, whenever the rule covers the material and stage and has a threshold for the
    /// year (also when it is not in force, to show what it would give).
    pub measurement: Option<Measurement>,
}

/// Why a check could not be run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyError {
    /// The rule names a country group that `groups` does not have.
    UnknownGroup {
        /// The rule.
        rule_id: String,
        /// The missing group id.
        group: String,
    },
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::UnknownGroup { rule_id, group } => write!(
                f,
                "rule `{rule_id}` needs the country group `{group}`, which is not defined"
            ),
        }
    }
}

impl std::error::Error for PolicyError {}

/// The set of countries a check names: explicit codes plus the members of its groups.
fn member_set(
    rule: &PolicyRule,
    countries: &[CountryCode],
    group_ids: &[String],
    groups: &[CountryGroup],
) -> Result<Vec<CountryCode>, PolicyError> {
    let mut members = countries.to_vec();
    for id in group_ids {
        let group =
            groups
                .iter()
                .find(|g| &g.id == id)
                .ok_or_else(|| PolicyError::UnknownGroup {
                    rule_id: rule.rule_id.clone(),
                    group: id.clone(),
                })?;
        members.extend(group.members.iter().copied());
    }
    Ok(members)
}

fn measure(
    rule: &PolicyRule,
    check: &Check,
    limit: f64,
    mix: &CountryMix,
    groups: &[CountryGroup],
) -> Result<Measurement, PolicyError> {
    let unattributed = mix.share_of(CountryCode::REST_OF_WORLD);
    let named = || mix.entries().iter().filter(|(c, _)| !c.is_rest_of_world());
    let measurement = match check {
        Check::MaxGroupShare {
            countries,
            groups: ids,
            ..
        }
        | Check::MinGroupShare {
            countries,
            groups: ids,
            ..
        } => {
            let members = member_set(rule, countries, ids, groups)?;
            let counted: Vec<(CountryCode, f64)> = named()
                .filter(|(c, _)| members.contains(c))
                .copied()
                .collect();
            Measurement {
                // `+ 0.0` turns the empty sum, -0.0, into 0.
                share: counted.iter().map(|(_, s)| s).sum::<f64>() + 0.0,
                limit,
                bound: if matches!(check, Check::MaxGroupShare { .. }) {
                    Bound::AtMost
                } else {
                    Bound::AtLeast
                },
                countries: counted,
                unattributed,
                by_stage: Vec::new(),
                upper: None,
                facility_count: false,
            }
        }
        Check::MinShareOutsideGroup {
            countries,
            groups: ids,
            ..
        } => {
            let members = member_set(rule, countries, ids, groups)?;
            let counted: Vec<(CountryCode, f64)> = named()
                .filter(|(c, _)| !members.contains(c))
                .copied()
                .collect();
            Measurement {
                // `+ 0.0` turns the empty sum, -0.0, into 0.
                share: counted.iter().map(|(_, s)| s).sum::<f64>() + 0.0,
                limit,
                bound: Bound::AtLeast,
                countries: counted,
                unattributed,
                by_stage: Vec::new(),
                upper: None,
                facility_count: false,
            }
        }
        Check::MaxSingleCountryShare {
            exclude_groups,
            exclude_countries,
            ..
        } => {
            let excluded = member_set(rule, exclude_countries, exclude_groups, groups)?;
            // Entries are sorted largest first, so the first one counted is the largest.
            let largest = named().find(|(c, _)| !excluded.contains(c)).copied();
            Measurement {
                share: largest.map_or(0.0, |(_, s)| s),
                limit,
                bound: Bound::AtMost,
                countries: largest.into_iter().collect(),
                unattributed,
                by_stage: Vec::new(),
                upper: None,
                facility_count: false,
            }
        }
    };
    Ok(measurement)
}

/// The measurement of a rule whose stages combine ([`StageLogic::Any`]): the qualifying share at
/// each covered stage, the largest of them as `share` (qualifying whatever the routing: a unit
/// counts when one of its stages qualified, and at least the largest stage's share of units had
/// a qualifying stage) and, as `upper`, the sum of the stages' qualifying and unattributed shares,
/// at most 1 (the most that can qualify if no unit qualified at two stages; a covered stage
/// without a mix counts 1). Countries are those of the stage with the largest share.
fn measure_combined(
    rule: &PolicyRule,
    check: &Check,
    limit: f64,
    input: &CheckInput,
) -> Result<Measurement, PolicyError> {
    let mut best: Option<Measurement> = None;
    let mut by_stage = Vec::new();
    let mut upper = 0.0;
    let mut lower: f64 = 0.0;
    let mut counted = false;
    for stage in rule.covered_stages() {
        let mix = if stage == input.stage {
            Some(input.mix)
        } else {
            input
                .other_stages
                .iter()
                .find(|(s, _)| *s == stage)
                .map(|(_, m)| *m)
        };
        let Some(mix) = mix else {
            upper += 1.0;
            continue;
        };
        let m = measure(rule, check, limit, mix, input.groups)?;
        by_stage.push((stage, m.share));
        if input.facility_counts.contains(&stage) {
            // A share of facilities: all of the volume when every facility qualifies, none when
            // none does, anything in between otherwise.
            counted = true;
            lower = lower.max(if m.share >= 1.0 - EPSILON { 1.0 } else { 0.0 });
            upper += if m.share + m.unattributed > 0.0 {
                1.0
            } else {
                0.0
            };
        } else {
            lower = lower.max(m.share);
            upper += m.share + m.unattributed;
        }
        if best.as_ref().is_none_or(|b| m.share > b.share) {
            best = Some(m);
        }
    }
    // `input.stage` is covered (checked by the caller), so there is at least one measurement.
    let mut m = match best {
        Some(m) => m,
        None => measure(rule, check, limit, input.mix, input.groups)?,
    };
    m.by_stage = by_stage;
    m.upper = Some(f64::min(upper, 1.0));
    if counted {
        m.share = lower;
        m.facility_count = true;
    }
    Ok(m)
}

/// The outcome of an applicable rule in force, from its measurement: not assessable for a rule
/// about ownership; context for an EU-level benchmark; for combined stages, pass when the share
/// that qualifies whatever the routing reaches the threshold, fail when even the upper bound does
/// not, not assessable in between; otherwise pass or fail.
fn judge(rule: &PolicyRule, measurement: &Measurement) -> Outcome {
    if rule.applicability.basis == Basis::Ownership {
        return Outcome::NotAssessable(NotAssessable::Ownership);
    }
    if rule.is_eu_level_benchmark() {
        return Outcome::Context;
    }
    let undecided = if measurement.facility_count {
        NotAssessable::FacilityCount
    } else {
        NotAssessable::StageLink
    };
    if measurement.facility_count && measurement.upper.is_none() {
        // One stage counted by facilities: its share is exact only at 0 and 1; in between,
        // only a zero limit (any presence fails) is decided.
        let share = measurement.share;
        let exact = share <= 0.0 || share >= 1.0 - EPSILON;
        let zero_limit = measurement.bound == Bound::AtMost && measurement.limit == 0.0;
        if !exact && !zero_limit {
            return Outcome::NotAssessable(undecided);
        }
    }
    if measurement.passes() {
        return Outcome::Pass;
    }
    match measurement.upper {
        Some(upper)
            if Measurement {
                share: upper,
                ..measurement.clone()
            }
            .passes() =>
        {
            Outcome::NotAssessable(undecided)
        }
        _ => Outcome::Fail,
    }
}

/// Checks one rule against a material, stage and mix on a date.
///
/// Not applicable, in this order: the rule does not cover the material; it does not bind this
/// end use, jurisdiction or customer ([`Applicability::excludes`]); it does not cover the stage;
/// it has no share test; its threshold has no value for the date's year; it is not in force on
/// the date (the measurement is then still given). Otherwise the outcome of the measurement:
/// a rule about ownership is not assessable (and has no measurement: a country share says nothing
/// about it); an EU-level benchmark is context; a rule whose stages combine
/// ([`StageLogic::Any`]) passes when the largest stage's qualifying share reaches the threshold,
/// fails when even the sum of the stages' qualifying and unattributed shares does not, and is
/// not assessable in between; any other rule passes or fails. Errors only when the rule names a
/// country group missing from `input.groups` (and only once the rule is otherwise applicable).
pub fn check_rule<'a>(
    rule: &'a PolicyRule,
    input: &CheckInput,
) -> Result<Finding<'a>, PolicyError> {
    let status = rule.status_on(input.date);
    let not_applicable = |reason| Finding {
        rule,
        status,
        outcome: Outcome::NotApplicable(reason),
        measurement: None,
    };
    if !rule.covers_material(input.material) {
        return Ok(not_applicable(NotApplicable::MaterialNotCovered));
    }
    if let Some(reason) = rule.applicability.excludes(&input.context) {
        return Ok(not_applicable(reason));
    }
    if !rule.stages.iter().any(|s| s.stage == input.stage) {
        return Ok(not_applicable(NotApplicable::StageNotCovered));
    }
    let Some(check) = &rule.check else {
        return Ok(not_applicable(NotApplicable::NoShareTest));
    };
    let year = input.date.year();
    let Some(limit) = check.threshold().for_year(year) else {
        return Ok(not_applicable(NotApplicable::NoThresholdForYear(year)));
    };
    // Resolve every group up front so that a missing group is reported even when the mix
    // would not need it.
    member_set(rule, &[], check.group_ids(), input.groups)?;
    let measurement = if rule.applicability.stage_logic == StageLogic::Any {
        measure_combined(rule, check, limit.get(), input)?
    } else {
        let mut m = measure(rule, check, limit.get(), input.mix, input.groups)?;
        m.facility_count = input.facility_counts.contains(&input.stage);
        m
    };
    let outcome = if status != RuleStatus::InForce {
        Outcome::NotApplicable(NotApplicable::NotInForce(status))
    } else {
        judge(rule, &measurement)
    };
    let measurement = (rule.applicability.basis == Basis::Country).then_some(measurement);
    Ok(Finding {
        rule,
        status,
        outcome,
        measurement,
    })
}

/// Checks every rule that has a share test and covers `input.material`, in data order.
///
/// Rules about other materials, and rules without a share test, are left out; stage and date
/// mismatches are reported as not applicable so that the interface can say why. `input.groups`
/// must define every group these rules name (in the embedded data: `eu27`,
/// `feoc_covered_nations`, `us_fta`, `us_30d_qualifying`, all in the reference data's
/// `country_groups.csv`), or the first missing one is returned as an error.
pub fn check_rules<'a>(
    rules: &'a [PolicyRule],
    input: &CheckInput,
) -> Result<Vec<Finding<'a>>, PolicyError> {
    rules
        .iter()
        .filter(|r| r.check.is_some() && r.covers_material(input.material))
        .map(|r| check_rule(r, input))
        .collect()
}

/// A finding in owned form, for the assessment's results: the rule's identity, citation and
/// dates copied out of the rule, with the material and stage it was checked on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyFinding {
    /// Catalogue material id checked.
    pub material: String,
    /// The end use of the lines checked (the material's lines are checked by end use); `None`
    /// when not given.
    pub end_use: Option<EndUse>,
    /// The stage checked (for a rule whose stages combine, the first covered stage with a mix).
    pub stage: Stage,
    /// The stages the finding judges together: `[stage]`, or for a rule whose stages combine
    /// ([`StageLogic::Any`], IRC 30D "extracted or processed") every covered stage.
    pub stages: Vec<Stage>,
    /// The rule's identifier, for example `EU-CRMA-ART5-1B-65`.
    pub rule_id: String,
    /// `US`, `EU`, `JP`.
    pub jurisdiction: String,
    /// The rule's short name.
    pub name: String,
    /// The legal provisions.
    pub legal_citation: String,
    /// Who the rule binds, as written (the CRMA benchmark says "Union-level benchmark; NOT a
    /// direct company obligation").
    pub applies_to: String,
    /// True for an EU-level benchmark about the Union's total consumption rather than a rule
    /// binding the firm (the CRMA Art. 5 benchmarks): the finding is a heuristic for "would this
    /// sourcing, if it were the EU's, meet the target".
    pub eu_level_benchmark: bool,
    /// First day in force, where the data has it.
    pub effective_from: Option<Date>,
    /// Last day in force, where the data has it.
    pub effective_to: Option<Date>,
    /// A later law that ended the regime, if any.
    pub terminated: Option<Termination>,
    /// Where the rule stands on the date checked; `None` when no date was given (the rule was
    /// checked as written, see [`check_rule_as_written`]).
    pub status: Option<RuleStatus>,
    /// A change of status scheduled between the research date of the rules and the date
    /// checked, which the data cannot confirm ([`PolicyRule::unconfirmed_on`]); `None` without
    /// a date or when nothing changes in between. Set by the caller that knows the research
    /// date ([`PolicyFinding::with_research_date`]).
    pub unconfirmed: Option<Unconfirmed>,
    /// Whether the rule is historical: on the date, ended or terminated; with no date, ended by a
    /// later law ([`PolicyFinding::terminated`]).
    pub historical: bool,
    /// Pass, fail, not applicable, not assessable or context.
    pub outcome: Outcome,
    /// Why the rule does not apply or cannot be judged, in words; `None` for pass, fail and
    /// context.
    pub reason: Option<String>,
    /// The share measured and the limit, when the rule covers the material and stage (never for
    /// a rule about ownership).
    pub measurement: Option<Measurement>,
    /// How well the rule's content was verified.
    pub confidence: Confidence,
    /// Caveats to show with the finding.
    pub caveats: Vec<String>,
}

impl PolicyFinding {
    /// The owned form of `finding`, checked on `material` and `stage`; `dated` is false when the
    /// rule was checked as written (no date given), which leaves [`PolicyFinding::status`] empty.
    pub fn new(finding: &Finding<'_>, material: &str, stage: Stage, dated: bool) -> PolicyFinding {
        let rule = finding.rule;
        let combined = rule.applicability.stage_logic == StageLogic::Any
            && rule.stages.iter().any(|s| s.stage == stage);
        PolicyFinding {
            material: material.to_string(),
            end_use: None,
            stage,
            stages: if combined {
                rule.covered_stages()
            } else {
                vec![stage]
            },
            rule_id: rule.rule_id.clone(),
            jurisdiction: rule.jurisdiction.clone(),
            name: rule.name.clone(),
            legal_citation: rule.legal_citation.clone(),
            applies_to: rule.applies_to.clone(),
            eu_level_benchmark: rule.is_eu_level_benchmark(),
            effective_from: rule.effective_from,
            effective_to: rule.effective_to,
            terminated: rule.terminated.clone(),
            status: dated.then_some(finding.status),
            unconfirmed: None,
            historical: if dated {
                finding.status.is_historical()
            } else {
                rule.terminated.is_some()
            },
            outcome: finding.outcome,
            reason: match finding.outcome {
                Outcome::NotApplicable(n) => Some(n.reason(rule)),
                Outcome::NotAssessable(n) => Some(n.reason().to_string()),
                Outcome::Pass | Outcome::Fail | Outcome::Context => None,
            },
            measurement: finding.measurement.clone(),
            confidence: rule.confidence,
            caveats: rule.caveats.clone(),
        }
    }

    /// This finding, checked on `date`, with the change of status the rule data (researched on
    /// `researched`) cannot confirm, if any ([`PolicyRule::unconfirmed_on`]).
    pub fn with_research_date(mut self, rule: &PolicyRule, date: Date, researched: Date) -> Self {
        self.unconfirmed = rule.unconfirmed_on(date, researched);
        self
    }

    /// Whether the outcome is a failure (an EU-level benchmark, shown as context, never is).
    pub fn fails(&self) -> bool {
        self.outcome == Outcome::Fail
    }

    /// The stages judged, in words: "Refining", or "Mining or Refining" for combined stages.
    pub fn stages_label(&self) -> String {
        self.stages
            .iter()
            .map(|s| s.label())
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

impl PolicyRule {
    /// Whether the rule is an EU-level benchmark for the Union's consumption (the EU Critical Raw
    /// Materials Act's Art. 5 benchmarks) rather than an obligation on the firm: read from the
    /// data's `applies_to` ("Union-level benchmark").
    pub fn is_eu_level_benchmark(&self) -> bool {
        self.applies_to
            .to_ascii_lowercase()
            .contains("union-level benchmark")
    }

    /// The date a rule is checked on "as written", when the caller gives no date: its first day
    /// in force, else its last, else 1 January of the first year its threshold schedule names;
    /// `None` when the rule has no date at all and a threshold that does not depend on the year.
    fn as_written_date(&self) -> Option<Date> {
        self.effective_from.or(self.effective_to).or_else(|| {
            let steps = &self.check.as_ref()?.threshold().0;
            let year = steps.iter().find_map(|s| s.from_year.or(s.to_year))?;
            Date::new(year, 1, 1)
        })
    }
}

/// Checks one rule "as written", regardless of `input.date`: the rule's test is applied as if
/// it were in force (a bill that is not law stays not applicable), with the threshold of the
/// rule's own first year (its first day in force, else its last, else the first year of its
/// threshold schedule). The finding's status is that of this date; callers showing it as undated
/// should ignore it ([`PolicyFinding::new`] with `dated = false` does). Applicability (end use,
/// jurisdiction, customer) and the kind of outcome (not assessable, context) are as in
/// [`check_rule`].
///
/// The assessment does this only when asked to (no check date: `chokepoint assess
/// --as-written`), to show every regime, current, historical and future, with its dates.
///
/// ```
/// use chokepoint::analysis::policy::{
///     check_rule_as_written, embedded_rules, CheckInput, Date, Outcome, PolicyContext,
/// };
/// use chokepoint::model::context::{Customer, EndUse};
/// use chokepoint::model::{CountryCode, CountryMix, Stage};
/// let mix = CountryMix::single(CountryCode::parse("CHN").unwrap());
/// // The 2027 mine-to-magnet DFARS regime, for a magnet line of a US DoD supplier, checked
/// // without a date: any China share fails.
/// let rule = embedded_rules().iter().find(|r| r.rule_id == "US-DFARS7052-NDFEB-B").unwrap();
/// let input = CheckInput {
///     material: "rare_earths_magnet",
///     stage: Stage::Mining,
///     mix: &mix,
///     date: Date::parse("2026-01-01").unwrap(), // ignored
///     groups: &[],
///     context: PolicyContext {
///         end_use: Some(EndUse::Magnet),
///         customer: Some(Customer::UsDod),
///         ..PolicyContext::default()
///     },
///     other_stages: &[],
///     facility_counts: &[],
/// };
/// assert_eq!(check_rule_as_written(rule, &input).unwrap().outcome, Outcome::Fail);
/// ```
pub fn check_rule_as_written<'a>(
    rule: &'a PolicyRule,
    input: &CheckInput,
) -> Result<Finding<'a>, PolicyError> {
    // Without any date the threshold is constant (see `as_written_date`), so any year gives the
    // same limit; the status this date yields is not reported.
    let date = rule.as_written_date().unwrap_or(Date {
        year: 1,
        month: 1,
        day: 1,
    });
    let mut finding = check_rule(rule, &CheckInput { date, ..*input })?;
    // A bill stays "not enacted": only the dates are set aside. A rule about ownership has no
    // measurement and is not assessable whatever the date.
    if let Outcome::NotApplicable(NotApplicable::NotInForce(status)) = finding.outcome
        && status != RuleStatus::NotEnacted
    {
        if let Some(m) = &finding.measurement {
            finding.outcome = judge(rule, m);
        } else if rule.applicability.basis == Basis::Ownership {
            finding.outcome = Outcome::NotAssessable(NotAssessable::Ownership);
        }
    }
    Ok(finding)
}
