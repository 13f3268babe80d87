//! The countries a plan may not use or may not raise beyond the restricted list: the sanctions
//! list of the portfolio's jurisdiction (excluded) and the producers with governance below the
//! world average (never raised). See "Sanctions and weak governance" in docs/METHODS.md.
//!
//! # Sanctions (a choice of default, the lists from law)
//!
//! A plan does not move supply to, or keep it in, a country whose goods the jurisdiction the firm
//! sells in restricts: by default the members of the jurisdiction's list
//! ([`jurisdiction_list`]: the EU's trade sanctions, `eu_sanctions`, or the U.S. comprehensive
//! embargoes, `us_embargo`, each member with its legal act in the reference data) get a cap of
//! 0, unless the user set a cap or a minimum for them. For a jurisdiction without a list
//! ("elsewhere", or none given) the plan says so ([`SanctionsCheck::NoList`]) rather than
//! pretend that nothing is sanctioned.
//!
//! # Weak governance (a choice)
//!
//! The Worldwide Governance Indicators are standardised to a world mean of 0 (Kaufmann, Kraay
//! and Mastruzzi 2010, "The Worldwide Governance Indicators: Methodology and Analytical
//! Issues", World Bank Policy Research Working Paper 5430, section 3). A plan never raises a
//! country whose WGI mean (the mean of the six indicators) is below
//! [`PlanParams::weak_governance`](super::PlanParams::weak_governance) (default 0, the world
//! average) above today's share, nor a country without a score: moving volume towards such a
//! producer trades concentration for governance risk, which no objective of the planner prices
//! fully (the governance-weighted HHI still falls when a small weak producer takes share from a
//! large one). It keeps what it supplies today. An explicit cap overrides the rule for that
//! country; `None` turns it off.

use super::explain::{country_name, list_names};
use super::setup::Setup;
use crate::model::CountryCode;
use crate::model::context::Jurisdiction;
use crate::reference::ReferenceData;
use serde::Serialize;

/// The identifier of the EU trade-sanctions list in the reference data.
pub const EU_SANCTIONS: &str = "eu_sanctions";

/// The identifier of the U.S. comprehensive-embargo list in the reference data.
pub const US_EMBARGO: &str = "us_embargo";

/// The default threshold of [`PlanParams::weak_governance`](super::PlanParams::weak_governance):
/// the WGI's world mean.
pub const WORLD_MEAN_WGI: f64 = 0.0;

/// Which sanctions list a plan excludes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "group", rename_all = "snake_case")]
pub enum SanctionsList {
    /// The list of the portfolio's jurisdiction ([`jurisdiction_list`]); the default.
    #[default]
    Jurisdiction,
    /// A country group of the reference data or the portfolio, by id.
    Group(String),
    /// No exclusion.
    Off,
}

/// The sanctions list of a jurisdiction in the reference data: the EU's for the EU, the U.S.
/// embargoes for the U.S.; none elsewhere or when the portfolio names no jurisdiction.
pub fn jurisdiction_list(jurisdiction: Option<Jurisdiction>) -> Option<&'static str> {
    match jurisdiction? {
        Jurisdiction::Eu => Some(EU_SANCTIONS),
        Jurisdiction::Us => Some(US_EMBARGO),
        Jurisdiction::Other => None,
    }
}

/// What the sanctions rule did to a plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SanctionsCheck {
    /// The list's members among the candidates were excluded.
    Applied {
        /// The group's id.
        group: String,
        /// The group's name.
        name: String,
        /// The group's source (legal act per member).
        source: String,
        /// The date the list is stated as of.
        as_of: Option<String>,
        /// Its members among the plan's candidates, excluded (cap 0), in code order.
        members: Vec<CountryCode>,
        /// True when excluding the members that supply today left no feasible plan (the other
        /// countries' caps or the shift limit cannot take their share): they are then held at
        /// or below today's share instead.
        held: bool,
    },
    /// The jurisdiction has no list in the reference data: nothing was excluded, and nothing is
    /// claimed about sanctions.
    NoList {
        /// The jurisdiction's id (`other`), `None` when the portfolio names none.
        jurisdiction: Option<String>,
    },
    /// The user turned the rule off.
    Off,
}

impl SanctionsCheck {
    /// Whether the rule excludes a country that supplies today (`x0` over `countries`).
    pub(super) fn excludes_supply(&self, countries: &[CountryCode], x0: &[f64]) -> bool {
        match self {
            SanctionsCheck::Applied { members, held, .. } => {
                !held
                    && countries
                        .iter()
                        .zip(x0)
                        .any(|(c, &x)| x > 0.0 && members.contains(c))
            }
            _ => false,
        }
    }

    /// The rule in one sentence, for the plan's explanation.
    pub fn sentence(&self, reference: &ReferenceData) -> String {
        match self {
            SanctionsCheck::Applied {
                name,
                source,
                members,
                held,
                ..
            } if !members.is_empty() => {
                let names: Vec<String> = members
                    .iter()
                    .map(|&c| country_name(reference, c))
                    .collect();
                // The named members' own acts where the list gives one per member.
                let acts: Vec<&str> = members
                    .iter()
                    .filter_map(|&c| member_source(source, c))
                    .collect();
                let source = if acts.len() == members.len() {
                    acts.join("; ")
                } else {
                    source.clone()
                };
                if *held {
                    let (it, them) = if names.len() == 1 {
                        ("it is", "it")
                    } else {
                        ("they are", "them")
                    };
                    format!(
                        " Under {name}, {} cannot be excluded here: the other countries' caps \
                         or the shift limit cannot take today's share, so {it} held at or \
                         below today's share (set caps to exclude {them}; source: {source}).",
                        list_names(&names)
                    )
                } else {
                    format!(
                        " Excluded under {name}: {} (source: {source}).",
                        list_names(&names)
                    )
                }
            }
            SanctionsCheck::Applied { .. } | SanctionsCheck::Off => String::new(),
            SanctionsCheck::NoList { jurisdiction } => format!(
                " No sanctions list for this jurisdiction ({}): none is applied.",
                jurisdiction.as_deref().unwrap_or("none given")
            ),
        }
    }
}

/// The source of `member` in a group source that lists one per member (`"BLR: act; RUS: act"`,
/// as the reference data builds it for the sanctions lists): the text after `"RUS: "` up to the
/// next member's code.
pub fn member_source(source: &str, member: CountryCode) -> Option<&str> {
    let key = format!("{member}: ");
    let start = if source.starts_with(&key) {
        key.len()
    } else {
        source.find(&format!("; {key}"))? + 2 + key.len()
    };
    let rest = &source[start..];
    // The next member: "; " followed by three capital letters and ": ".
    let end = rest
        .match_indices("; ")
        .map(|(i, _)| i)
        .find(|&i| {
            let next = &rest.as_bytes()[i + 2..];
            next.len() > 5 && next[..3].iter().all(u8::is_ascii_uppercase) && &next[3..5] == b": "
        })
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// The producers a plan holds at or below today's share for their governance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WeakGovernance {
    /// The WGI-mean threshold ([`PlanParams::weak_governance`](super::PlanParams::weak_governance)).
    pub threshold: f64,
    /// The candidates below it or without a score, held, in code order.
    pub members: Vec<CountryCode>,
}

/// Whether `country` counts as a weak producer under `threshold`: its WGI mean below it, or no
/// score (`ROW` is never one: the rest-of-world rule holds it already).
pub(super) fn is_weak(reference: &ReferenceData, country: CountryCode, threshold: f64) -> bool {
    !country.is_rest_of_world()
        && reference
            .country(country)
            .and_then(|c| c.wgi_mean)
            .is_none_or(|m| m < threshold)
}

/// The sentence on the weak producers a plan held, for the plan's explanation.
pub(super) fn weak_note(setup: &Setup<'_>) -> Option<String> {
    let (threshold, held) = setup.weak.as_ref()?;
    if held.is_empty() {
        return None;
    }
    // The largest suppliers today first; at most three by name.
    let mut order = held.clone();
    crate::model::order::sort_by(&mut order, |&a, &b| {
        let x0 = &setup.problem.x0;
        x0[b].total_cmp(&x0[a]).then(a.cmp(&b))
    });
    let names: Vec<String> = order
        .iter()
        .take(3)
        .map(|&i| country_name(setup.reference, setup.countries[i]))
        .collect();
    let listed = match held.len() - names.len() {
        0 => list_names(&names),
        more => format!("{} and {more} more", names.join(", ")),
    };
    Some(format!(
        " {listed} {} at or below today's share: governance below the world average (WGI mean \
         below {threshold}, or no score) makes no new supplier.",
        if held.len() == 1 { "stays" } else { "stay" },
    ))
}
