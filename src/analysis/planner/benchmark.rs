//! The planner's benchmark inputs, shared by the native benchmark (`tests/it/planner.rs`) and
//! the browser one (`tests/browser.rs`) so that both time exactly the same work (BENCHMARKS.md).

use super::{Objective, PlanParams};
use crate::model::{CountryCode, CountryMix, Share, Stage};
use crate::portfolio::{Amount, Line, Portfolio, Sourcing};
use crate::reference::ReferenceData;
use std::collections::BTreeMap;

/// A deterministic 200-line portfolio: the catalogue's materials that have stage data, cycled
/// in catalogue order; every third line gives its own refining mix (the world's two largest
/// refiners, 70/30); spends and revenue shares follow fixed sequences.
pub fn portfolio(reference: &ReferenceData) -> Portfolio {
    let materials: Vec<_> = reference
        .materials
        .iter()
        .filter(|m| !m.stages.is_empty())
        .collect();
    let lines = (0..200)
        .filter_map(|i| {
            let material = materials.get(i % materials.len().max(1))?;
            let mut sourcing = Sourcing::default();
            if i % 3 == 0
                && let Some(series) = material.stage(Stage::Refining)
                && let [first, second, ..] = series.mix.entries()
            {
                sourcing.refining =
                    CountryMix::from_shares([(first.0, 70.0), (second.0, 30.0)]).ok();
            }
            Some(Line {
                material: material.id.clone(),
                label: Some(format!("line {i}")),
                spend: Amount::new(((i * 7919) % 1000 + 1) as f64 * 1000.0)?,
                revenue_share: Share::from_percent((i % 7) as f64)?,
                inventory_days: Amount::new(30.0)?,
                sourcing,
                end_use: None,
                facility_counts: Vec::new(),
            })
        })
        .collect();
    Portfolio {
        name: Some("benchmark".into()),
        lines,
        ..Portfolio::default()
    }
}

/// The timed cases: a name and the planner's parameters. The premiums (USA 12 %, JPN 8 %,
/// DEU 8 %, KOR 7 %, AUS 6 %, CAN 6 %) are benchmark inputs, not data. Every case plans all
/// stages (`upstream`), not only the stage each line buys at (the default since issue #20), so
/// that the workload stays the one BENCHMARKS.md has timed since the planner was written.
pub fn cases() -> Vec<(&'static str, PlanParams)> {
    let premiums: BTreeMap<CountryCode, f64> = [
        ("USA", 12.0),
        ("JPN", 8.0),
        ("DEU", 8.0),
        ("AUS", 6.0),
        ("CAN", 6.0),
        ("KOR", 7.0),
    ]
    .iter()
    .filter_map(|(code, p)| Some((CountryCode::parse(code)?, *p)))
    .collect();
    let shifted = |objective: Objective, frontier_points: Option<usize>| {
        let base = PlanParams {
            objective,
            max_shift: 0.3,
            premiums: premiums.clone(),
            upstream: true,
            ..PlanParams::default()
        };
        match frontier_points {
            Some(frontier_points) => PlanParams {
                frontier_points,
                ..base
            },
            None => base,
        }
    };
    vec![
        (
            "hhi, defaults (no premiums, frontier 12)",
            PlanParams {
                objective: Objective::Hhi,
                upstream: true,
                ..PlanParams::default()
            },
        ),
        (
            "hhi, max shift 30 %, 6 premiums, frontier 12",
            shifted(Objective::Hhi, None),
        ),
        (
            "hhi, max shift 30 %, 6 premiums, no frontier",
            shifted(Objective::Hhi, Some(0)),
        ),
        (
            "hhi-wgi, max shift 30 %, 6 premiums, frontier 12",
            shifted(Objective::HhiWgi, None),
        ),
        (
            "group:feoc_covered_nations, max shift 30 %, 6 premiums, frontier 12",
            shifted(Objective::Group("feoc_covered_nations".into()), None),
        ),
        (
            "expected-loss, max shift 30 %, 6 premiums, no frontier",
            shifted(Objective::ExpectedLoss(Default::default()), Some(0)),
        ),
        (
            "expected-loss, max shift 30 %, 6 premiums, frontier 12",
            shifted(Objective::ExpectedLoss(Default::default()), None),
        ),
    ]
}
