//! Forward view: the firm's exposure in 2030 and 2035 *if its sourcing stays as it is*, from the
//! IEA's base-case supply projections.
//!
//! # Method
//!
//! For a material's lines and an upstream stage whose reference series has IEA projections
//! ([`StageSeries::projections`](crate::reference::StageSeries::projections): IEA Critical
//! Minerals Dataset 2025, base case, mining and refining by country for 2024, 2030, 2035 and
//! 2040), and for each projected year `y`:
//!
//! - a line whose own mix at the stage is known keeps it ("sourcing stays as it is");
//! - a line whose stage is unknown, which the look-through fills from the world mix today,
//!   takes the IEA's projected world mix of year `y` instead;
//! - the lines combine by spend, `s_c(y) = sum_i w_i * s_ic(y) / sum_i w_i`, as today's
//!   material mix does ([`weighted_mix`]).
//!
//! The result per year is the mix and its concentration (HHI, CR1; see
//! [`concentration`](crate::analysis::concentration)). The base year 2024 is the IEA's own
//! figure for today, so that the change to 2030 and 2035 compares the IEA with itself: today's
//! default series may come from another source (USGS 2025 for mining), whose shares differ from
//! the IEA's for reasons other than time. A stage no line fills from the world mix has no
//! outlook (the firm's own sourcing does not change), nor has a stage the IEA does not project.
//! The projections are the IEA's, labelled as such: a pipeline of announced projects weighted by
//! their probability of coming online, not a forecast of the firm's suppliers.

use crate::analysis::concentration::{Concentration, concentration};
use crate::analysis::exposure::{MixBasis, weighted_mix};
use crate::model::{CountryMix, Stage};
use crate::portfolio::{Line, Portfolio};
use crate::reference::{PROJECTION_SCENARIO, ReferenceData, SourceRef};
use serde::Serialize;

/// One projected year of one stage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutlookPoint {
    /// The IEA data set and the projected year.
    pub source: SourceRef,
    /// Where the mix comes from: the projected world mix for every line ([`MixBasis::World`]),
    /// or for some lines while others keep their own ([`MixBasis::Mixed`]).
    pub basis: MixBasis,
    /// The spend-weighted mix of the material's lines in that year.
    pub mix: CountryMix,
    /// HHI, effective suppliers, CR1, CR3 of that mix.
    pub concentration: Concentration,
}

/// The outlook of one stage of one material.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageOutlook {
    /// The stage.
    pub stage: Stage,
    /// The IEA series projected, for example "Mined lithium (IEA)".
    pub detail: String,
    /// The scenario: always the IEA base case.
    pub scenario: &'static str,
    /// One point per projected year, the IEA base year (2024) first.
    pub points: Vec<OutlookPoint>,
}

impl StageOutlook {
    /// The point of `year`, if projected.
    pub fn point(&self, year: u16) -> Option<&OutlookPoint> {
        self.points.iter().find(|p| p.source.year == year)
    }
}

/// The outlook of `material` over `lines` (the material's lines; weights are their spends), per
/// upstream stage that some line fills from the world mix and the IEA projects (see the module
/// notes). Empty when there is none.
///
/// ```
/// use chokepoint::analysis::outlook::outlook;
/// use chokepoint::portfolio::Portfolio;
/// use chokepoint::model::{CountryCode, Stage};
/// let reference = chokepoint::reference::embedded();
/// let portfolio = Portfolio::from_json(r#"{"schema_version": 1, "lines": [
///     {"material": "lithium", "spend": 100, "revenue_share_pct": 5,
///      "sourcing": {"refining": {"CHL": 100}}}]}"#, reference).unwrap();
/// let lines: Vec<_> = portfolio.lines.iter().collect();
/// let stages = outlook("lithium", &lines, reference);
/// // Mining is filled from the world mix: the IEA projects it. Refining is the firm's own.
/// assert_eq!(stages.len(), 1);
/// assert_eq!(stages[0].stage, Stage::Mining);
/// let china = |year| stages[0].point(year).unwrap().mix.share_of(CountryCode::parse("CHN").unwrap());
/// assert!(china(2030) > china(2024)); // IEA base case: 22.3 % in 2024, 28.4 % in 2030
/// ```
pub fn outlook(material: &str, lines: &[&Line], reference: &ReferenceData) -> Vec<StageOutlook> {
    let Some(entry) = reference.material(material) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for stage in Stage::UPSTREAM {
        let Some(series) = entry.stage(stage) else {
            continue;
        };
        let world_filled = lines.iter().any(|l| l.sourcing.get(stage).is_none());
        if series.projections.is_empty() || !world_filled {
            continue;
        }
        let own = lines.iter().any(|l| l.sourcing.get(stage).is_some());
        let basis = if own {
            MixBasis::Mixed
        } else {
            MixBasis::World
        };
        let points: Vec<OutlookPoint> = series
            .projections
            .iter()
            .filter_map(|projection| {
                let mix = weighted_mix(lines.iter().map(|l| {
                    let mix = l.sourcing.get(stage).unwrap_or(&projection.mix);
                    (l.spend.get(), mix)
                }))?;
                Some(OutlookPoint {
                    source: projection.source.clone(),
                    basis,
                    concentration: concentration(&mix),
                    mix,
                })
            })
            .collect();
        out.push(StageOutlook {
            stage,
            detail: series.projections[0].detail.clone(),
            scenario: PROJECTION_SCENARIO,
            points,
        });
    }
    out
}

/// The outlook of one material of a portfolio.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MaterialOutlook {
    /// Material id.
    pub material: String,
    /// Display name from the reference data (the id when unknown).
    pub name: String,
    /// Per upstream stage filled from the world mix that the IEA projects.
    pub stages: Vec<StageOutlook>,
}

/// The outlook of every material of `portfolio`, in order of first appearance, each over its
/// lines weighted by spend ([`outlook`]); materials with no projected stage are left out.
///
/// ```
/// use chokepoint::analysis::outlook::portfolio_outlook;
/// use chokepoint::portfolio::Portfolio;
/// let reference = chokepoint::reference::embedded();
/// let portfolio = Portfolio::from_json(r#"{"schema_version": 1, "lines": [
///     {"material": "gallium", "spend": 1, "revenue_share_pct": 1},
///     {"material": "cobalt", "spend": 1, "revenue_share_pct": 1}]}"#, reference).unwrap();
/// let outlook = portfolio_outlook(&portfolio, reference);
/// assert_eq!(outlook.len(), 1); // the IEA projects cobalt, not gallium
/// assert_eq!(outlook[0].stages.len(), 2); // cobalt mining and refining
/// ```
pub fn portfolio_outlook(portfolio: &Portfolio, reference: &ReferenceData) -> Vec<MaterialOutlook> {
    let mut ids: Vec<&str> = Vec::new();
    for line in &portfolio.lines {
        if !ids.contains(&line.material.as_str()) {
            ids.push(&line.material);
        }
    }
    ids.into_iter()
        .filter_map(|id| {
            let lines: Vec<&Line> = portfolio
                .lines
                .iter()
                .filter(|l| l.material == id)
                .collect();
            let stages = outlook(id, &lines, reference);
            (!stages.is_empty()).then(|| MaterialOutlook {
                material: id.to_string(),
                name: reference
                    .material(id)
                    .map_or_else(|| id.to_string(), |m| m.name.clone()),
                stages,
            })
        })
        .collect()
}
