//! A portfolio from an industry template (see [`crate::reference::templates`] for the templates):
//! one line per item with a catalogue material and a published quantity.
//!
//! The modelling assumptions, stated in the portfolio's name too:
//!
//! - `spend` is the **quantity in kg per year** (`spend_unit` = `kg`): kg per unit × units per
//!   year. No price data exists, so the portfolio's amounts are quantities, not money, and every
//!   share "by spend" is a share by mass.
//! - `revenue_share_pct` = 100 on every line: every listed material is needed to make the
//!   product, so losing any one stops all of it.
//! - `inventory_days` = 0 (the user enters their own) and every stage unknown, so the analysis
//!   looks through to the world mix of the reference data.
//!
//! ```
//! use chokepoint::reference::embedded;
//! use chokepoint::reference::templates::template;
//! use chokepoint::portfolio::templates::to_portfolio;
//! let lfp = template("ev_battery_lfp").unwrap();
//! let made = to_portfolio(lfp, 1000.0, embedded()); // 1,000 kWh of packs a year
//! let portfolio = made.portfolio.validate(embedded()).unwrap();
//! let lithium = portfolio.lines.iter().find(|l| l.material == "lithium").unwrap();
//! assert!((lithium.spend.get() - 91.5).abs() < 1e-9); // 0.0915 kg/kWh x 1,000 kWh
//! assert!(made.left_out.iter().any(|l| l.item == "nickel")); // LFP holds no nickel
//! ```

use crate::portfolio::{OrderedMap, RawLine, RawNumber, RawPortfolio, SCHEMA_VERSION};
use crate::reference::ReferenceData;
use crate::reference::templates::{ILLUSTRATIVE, QUANTITY_UNIT, Template};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// Why a template item did not become a portfolio line.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum LeftOutReason {
    /// Not a material of the catalogue (an aggregate, a component), with the reason.
    NotInCatalogue(String),
    /// Material used, quantity not published (LOW confidence).
    NoQuantity,
    /// Already counted in another item of the template (its `source_id`).
    CountedIn(String),
    /// The source gives zero for this product (LFP holds no nickel).
    Zero,
}

impl fmt::Display for LeftOutReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LeftOutReason::NotInCatalogue(reason) => write!(f, "not in the catalogue: {reason}"),
            LeftOutReason::NoQuantity => f.write_str("material used, quantity not published"),
            LeftOutReason::CountedIn(holder) => write!(f, "already counted in {holder}"),
            LeftOutReason::Zero => f.write_str("the source gives 0 kg for this product"),
        }
    }
}

/// A template item that [`to_portfolio`] did not turn into a line, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeftOut {
    /// The item's `source_id`.
    pub item: String,
    /// The catalogue material, where the item has one.
    pub material: Option<String>,
    /// Why it was left out.
    pub reason: LeftOutReason,
}

/// What [`to_portfolio`] makes: the raw portfolio and the items it left out.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplatePortfolio {
    /// The portfolio, in kg per year (see the module notes for its assumptions).
    pub portfolio: RawPortfolio,
    /// The items that did not become lines, in template order.
    pub left_out: Vec<LeftOut>,
}

/// Builds a raw portfolio from `template` for `units_per_year` units of product a year.
///
/// One line per item with a quantity above zero, a material of `reference`'s catalogue and not
/// counted in another item: `spend` = kg per unit × `units_per_year` (kg a year, `spend_unit`
/// [`QUANTITY_UNIT`]), `revenue_share_pct` = 100 (every listed material is needed to make the
/// product), `inventory_days` = 0, every stage unknown (world-mix look-through), and a label
/// naming the template, the material and the source. Every other item is listed in
/// [`TemplatePortfolio::left_out`] with its reason.
///
/// `units_per_year` should be finite and non-negative; anything else gives spends that
/// [`RawPortfolio::validate`] reports, as it would a typing error.
pub fn to_portfolio(
    template: &Template,
    units_per_year: f64,
    reference: &ReferenceData,
) -> TemplatePortfolio {
    let mut lines = Vec::new();
    let mut left_out = Vec::new();
    for item in &template.items {
        let leave = |reason| LeftOut {
            item: item.source_id.clone(),
            material: item.material.clone(),
            reason,
        };
        let material = match (&item.material, &item.not_in_catalogue) {
            (Some(id), _) => match reference.find_material(id) {
                Some(material) => material,
                None => {
                    left_out.push(leave(LeftOutReason::NotInCatalogue(format!(
                        "`{id}` is not in this reference data's catalogue"
                    ))));
                    continue;
                }
            },
            (None, reason) => {
                left_out.push(leave(LeftOutReason::NotInCatalogue(
                    reason.clone().unwrap_or_default(),
                )));
                continue;
            }
        };
        let Some(kg) = item.kg_per_unit else {
            left_out.push(leave(LeftOutReason::NoQuantity));
            continue;
        };
        if let Some(holder) = &item.counted_in {
            left_out.push(leave(LeftOutReason::CountedIn(holder.clone())));
            continue;
        }
        if kg == 0.0 {
            left_out.push(leave(LeftOutReason::Zero));
            continue;
        }
        let citation = item
            .sources
            .first()
            .map_or("no source", |s| s.citation.as_str());
        lines.push(RawLine {
            material: Some(material.id.clone()),
            label: Some(format!("{}: {} ({citation})", template.name, material.name)),
            spend: Some(RawNumber::Number(kg * units_per_year)),
            revenue_share_pct: Some(RawNumber::Number(100.0)),
            inventory_days: Some(RawNumber::Number(0.0)),
            sourcing: OrderedMap::default(),
            end_use: template.end_use.map(|e| e.id().to_string()),
            sourcing_basis: OrderedMap::default(),
            unknown_fields: BTreeMap::new(),
        });
    }
    let name = format!(
        "{ILLUSTRATIVE} template: {}, {units_per_year} {} a year (quantities in kg, not money; \
         assumes every material is needed for the whole product)",
        template.name, template.unit_label
    );
    TemplatePortfolio {
        portfolio: RawPortfolio {
            schema_version: Some(RawNumber::Number(f64::from(SCHEMA_VERSION))),
            name: Some(name),
            spend_unit: Some(QUANTITY_UNIT.to_string()),
            look_through: None,
            groups: Vec::new(),
            lines,
            jurisdiction: None,
            customer: None,
            unknown_fields: BTreeMap::new(),
        },
        left_out,
    }
}
