//! The policy rules as data: research status, thresholds, checks, applicability, statuses over
//! time, and the validated reading of the rule file.

use super::*;

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
    pub(super) fn threshold(&self) -> &Threshold {
        match self {
            Check::MaxGroupShare { threshold, .. }
            | Check::MaxSingleCountryShare { threshold, .. }
            | Check::MinGroupShare { threshold, .. }
            | Check::MinShareOutsideGroup { threshold, .. } => threshold,
        }
    }

    pub(super) fn group_ids(&self) -> &[String] {
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
    RULES
        .get_or_init(|| parse_document(crate::reference::documents::POLICY_JSON))
        .as_ref()
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
