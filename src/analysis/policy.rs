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

mod check;
pub use check::*;
mod date;
pub use date::*;
mod rules;
pub use rules::*;

/// Tolerance for comparing shares with thresholds, against floating-point noise.
const EPSILON: f64 = 1e-9;
