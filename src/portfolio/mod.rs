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

mod editing;
mod errors;
pub use errors::*;
mod raw;
pub use raw::*;
mod validate;

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
