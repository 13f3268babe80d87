//! Checking a material's stage mix against the rules: measurements, outcomes and findings.

use super::*;

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
