//! Country exposure for the world map: per view of the supply chain, the share of the firm's
//! supply that comes from each country, weighted by spend over the whole portfolio.
//!
//! # Figures
//!
//! - **A stage** (mining, refining, purchased component): the portfolio's spend-weighted
//!   look-through mix of that stage, exactly [`PortfolioStage::by_spend`]:
//!   `s_c = sum_i spend_i * s_ic / sum_i spend_i` over the lines `i` that have a mix at the stage
//!   (the firm's own, else the world mix; see [`exposure`](crate::analysis::exposure)).
//! - **Direct suppliers, as bought**: the same weighting of each line's *direct* mix, the mix of
//!   its most downstream stage the firm entered ([`LineResult::direct_stage`]: component, else
//!   refining, else mining). Lines whose sourcing the firm did not enter are left out. It is the
//!   mix the hidden exposure is measured against.
//!
//! [`CountryExposure::covered`] is the share of the portfolio's spend on the lines counted (by
//! number of lines when all spends are zero). `ROW`, a source's "other countries", stays a share
//! of its own: it is no country and is drawn nowhere, and a country the sources do not name may
//! be part of it.
//!
//! # Classes
//!
//! The map shades a share by five classes with fixed limits ([`CLASS_LIMITS`], the same for
//! every view so that two views compare): under 5 %, 5 to 15 %, 15 to 30 %, 30 to 50 %, and 50 %
//! or more ([`exposure_class`]). A share of zero has no class.

use crate::analysis::assess::{Assessment, LineResult, PortfolioStage, StageResult};
use crate::analysis::exposure::{MixBasis, weighted_mix};
use crate::model::{CountryCode, CountryMix, Stage};
use serde::{Deserialize, Serialize};

/// A view of the supply chain the map can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExposureView {
    /// Mine output.
    Mining,
    /// Refining and processing.
    Refining,
    /// The purchased component, for lines bought as a component.
    Component,
    /// Each line's direct suppliers: its most downstream stage the firm entered.
    Direct,
}

impl ExposureView {
    /// Every view, upstream first, the direct suppliers last.
    pub const ALL: [ExposureView; 4] = [
        ExposureView::Mining,
        ExposureView::Refining,
        ExposureView::Component,
        ExposureView::Direct,
    ];

    /// The identifier used in files and test ids (`mining`, `refining`, `component`, `direct`).
    pub fn id(self) -> &'static str {
        match self {
            ExposureView::Mining => "mining",
            ExposureView::Refining => "refining",
            ExposureView::Component => "component",
            ExposureView::Direct => "direct",
        }
    }

    /// A short English label ("Direct suppliers (as bought)").
    pub fn label(self) -> &'static str {
        match self {
            ExposureView::Mining => "Mining",
            ExposureView::Refining => "Refining",
            ExposureView::Component => "Purchased component",
            ExposureView::Direct => "Direct suppliers (as bought)",
        }
    }

    /// The view in a sentence: "your refining supply".
    pub fn supply(self) -> &'static str {
        match self {
            ExposureView::Mining => "your mining supply",
            ExposureView::Refining => "your refining supply",
            ExposureView::Component => "your purchased components",
            ExposureView::Direct => "what you buy from your direct suppliers",
        }
    }

    /// The stage of a stage view; `None` for the direct suppliers.
    pub fn stage(self) -> Option<Stage> {
        match self {
            ExposureView::Mining => Some(Stage::Mining),
            ExposureView::Refining => Some(Stage::Refining),
            ExposureView::Component => Some(Stage::Component),
            ExposureView::Direct => None,
        }
    }
}

/// One view's share of supply per country.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CountryExposure {
    /// The view.
    pub view: ExposureView,
    /// Where the mix comes from (own sourcing, world mix, or both).
    pub basis: MixBasis,
    /// Share of the portfolio's spend on the lines counted (fraction).
    pub covered: f64,
    /// Share of supply per country (fractions summing to 1), largest first, ties by code; `ROW`
    /// is the sources' unnamed remainder.
    pub shares: Vec<(CountryCode, f64)>,
}

impl CountryExposure {
    /// The share of `country` (0 when not named).
    pub fn share_of(&self, country: CountryCode) -> f64 {
        self.shares
            .iter()
            .find(|(c, _)| *c == country)
            .map_or(0.0, |(_, s)| *s)
    }

    /// The share no source names by country (`ROW`).
    pub fn rest_of_world(&self) -> f64 {
        self.share_of(CountryCode::REST_OF_WORLD)
    }

    /// The named countries with a share above zero, largest first.
    pub fn countries(&self) -> impl Iterator<Item = (CountryCode, f64)> + '_ {
        self.shares
            .iter()
            .copied()
            .filter(|(c, s)| !c.is_rest_of_world() && *s > 0.0)
    }
}

/// Lower limits (fractions) of exposure classes 2 to 5; class 1 is any share above zero and
/// below the first limit.
pub const CLASS_LIMITS: [f64; 4] = [0.05, 0.15, 0.30, 0.50];

/// The exposure class of a share: 1 to 5 by [`CLASS_LIMITS`] (a limit belongs to the class it
/// starts), `None` for zero, a negative or a non-finite share.
///
/// ```
/// use chokepoint::analysis::geography::exposure_class;
/// assert_eq!(exposure_class(0.0), None);
/// assert_eq!(exposure_class(0.001), Some(1));
/// assert_eq!(exposure_class(0.05), Some(2));
/// assert_eq!(exposure_class(0.62), Some(5));
/// ```
pub fn exposure_class(share: f64) -> Option<u8> {
    if !(share.is_finite() && share > 0.0) {
        return None;
    }
    let above = CLASS_LIMITS.iter().filter(|limit| share >= **limit).count();
    Some(1 + above as u8)
}

/// The share of the portfolio's weight on the lines `counted`: by spend, or by number of lines
/// when every spend is zero.
fn covered(lines: &[LineResult], counted: impl Fn(&LineResult) -> bool) -> f64 {
    let total: f64 = lines.iter().map(|l| l.spend).sum();
    if total > 0.0 {
        lines
            .iter()
            .filter(|l| counted(l))
            .map(|l| l.spend)
            .sum::<f64>()
            / total
    } else if lines.is_empty() {
        0.0
    } else {
        lines.iter().filter(|l| counted(l)).count() as f64 / lines.len() as f64
    }
}

fn stage_of(line: &LineResult, stage: Stage) -> Option<&StageResult> {
    line.stages.iter().find(|s| s.stage == stage)
}

/// The mix of a line's direct stage: the most downstream stage the firm entered.
fn direct_mix(line: &LineResult) -> Option<&CountryMix> {
    stage_of(line, line.direct_stage?)?.mix.as_ref()
}

/// A mix's entries, already largest first, ties by code ([`CountryMix::entries`]).
fn sorted(mix: &CountryMix) -> Vec<(CountryCode, f64)> {
    mix.entries().to_vec()
}

/// Every view of `assessment` that has a mix, in [`ExposureView::ALL`] order (see the module
/// notes for the formulas).
///
/// ```
/// use chokepoint::analysis::geography::{country_exposure, ExposureView};
/// use chokepoint::analysis::assess::{assess, AssessParams};
/// use chokepoint::portfolio::Portfolio;
/// use chokepoint::model::CountryCode;
/// let reference = chokepoint::reference::embedded();
/// let portfolio = Portfolio::from_json(r#"{"schema_version": 1, "lines": [
///     {"material": "gallium", "spend": 300, "revenue_share_pct": 10, "sourcing": {"refining": {"CHN": 100}}},
///     {"material": "gallium", "spend": 100, "revenue_share_pct": 10, "sourcing": {"refining": {"JPN": 100}}}]}"#,
///     reference).unwrap();
/// let views = country_exposure(&assess(&portfolio, reference, &AssessParams::default()));
/// let refining = views.iter().find(|v| v.view == ExposureView::Refining).unwrap();
/// assert_eq!(refining.shares[0], (CountryCode::parse("CHN").unwrap(), 0.75));
/// ```
pub fn country_exposure(assessment: &Assessment) -> Vec<CountryExposure> {
    let lines = &assessment.lines;
    let mut out = Vec::new();
    for view in ExposureView::ALL {
        let found = match view.stage() {
            Some(stage) => assessment
                .stages
                .iter()
                .find(|s: &&PortfolioStage| s.stage == stage)
                .and_then(|s| {
                    let mix = s.by_spend.mix.as_ref()?;
                    let covered = covered(lines, |l| {
                        stage_of(l, stage).is_some_and(|r| r.mix.is_some())
                    });
                    Some((s.by_spend.basis, covered, sorted(mix)))
                }),
            None => weighted_mix(lines.iter().filter_map(|l| Some((l.spend, direct_mix(l)?)))).map(
                |mix| {
                    let covered = covered(lines, |l| direct_mix(l).is_some());
                    (MixBasis::User, covered, sorted(&mix))
                },
            ),
        };
        if let Some((basis, covered, shares)) = found {
            out.push(CountryExposure {
                view,
                basis,
                covered,
                shares,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::assess::{AssessParams, assess};
    use crate::portfolio::Portfolio;

    fn c(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap()
    }

    /// Two lines, hand-computed. Line 1: gallium, spend 300, refining entered as China 80 %,
    /// Japan 20 %. Line 2: graphite, spend 100, bought as a component from Korea, refining
    /// unknown (world mix).
    fn two_lines() -> Vec<CountryExposure> {
        let reference = crate::reference::embedded();
        let portfolio = Portfolio::from_json(
            r#"{"schema_version": 1, "lines": [
                {"material": "gallium", "spend": 300, "revenue_share_pct": 10, "sourcing": {"refining": {"CHN": 80, "JPN": 20}}},
                {"material": "graphite", "spend": 100, "revenue_share_pct": 10, "sourcing": {"component": {"KOR": 100}}}]}"#,
            reference,
        )
        .unwrap();
        country_exposure(&assess(&portfolio, reference, &AssessParams::default()))
    }

    fn view(views: &[CountryExposure], view: ExposureView) -> &CountryExposure {
        views.iter().find(|v| v.view == view).unwrap()
    }

    #[test]
    fn refining_weights_own_and_world_mix_by_spend() {
        let reference = crate::reference::embedded();
        let world = reference.world_mix("graphite", Stage::Refining).unwrap();
        let views = two_lines();
        let refining = view(&views, ExposureView::Refining);
        // China: (300 * 0.8 + 100 * w_CHN) / 400; Japan: (300 * 0.2 + 100 * w_JPN) / 400.
        let expect_chn = (300.0 * 0.8 + 100.0 * world.share_of(c("CHN"))) / 400.0;
        let expect_jpn = (300.0 * 0.2 + 100.0 * world.share_of(c("JPN"))) / 400.0;
        assert!((refining.share_of(c("CHN")) - expect_chn).abs() < 1e-12);
        assert!((refining.share_of(c("JPN")) - expect_jpn).abs() < 1e-12);
        assert_eq!(refining.basis, MixBasis::Mixed);
        assert_eq!(refining.covered, 1.0);
        assert_eq!(refining.shares[0].0, c("CHN"));
        let sum: f64 = refining.shares.iter().map(|(_, s)| s).sum();
        assert!((sum - 1.0).abs() < 1e-9);
    }

    #[test]
    fn component_and_direct_views_count_only_their_lines() {
        let views = two_lines();
        // Only the graphite line is bought as a component: Korea 100 %, a quarter of the spend.
        let component = view(&views, ExposureView::Component);
        assert_eq!(component.shares, vec![(c("KOR"), 1.0)]);
        assert_eq!(component.covered, 0.25);
        assert_eq!(component.basis, MixBasis::User);
        // Direct suppliers: gallium's refining (300) and graphite's component (100):
        // China 240 / 400 = 0.6, Korea 100 / 400 = 0.25, Japan 60 / 400 = 0.15.
        let direct = view(&views, ExposureView::Direct);
        assert_eq!(direct.covered, 1.0);
        let expected = [(c("CHN"), 0.6), (c("KOR"), 0.25), (c("JPN"), 0.15)];
        assert_eq!(direct.shares.len(), 3);
        for ((code, share), (want_code, want)) in direct.shares.iter().zip(expected) {
            assert_eq!(*code, want_code);
            assert!((share - want).abs() < 1e-12, "{code}: {share}");
        }
        assert_eq!(direct.rest_of_world(), 0.0);
    }

    #[test]
    fn views_come_in_order() {
        let ids: Vec<&str> = two_lines().iter().map(|v| v.view.id()).collect();
        // Graphite has a world mining series, so every view has a mix.
        assert_eq!(ids, ["mining", "refining", "component", "direct"]);
    }

    #[test]
    fn a_portfolio_without_own_sourcing_has_no_direct_view() {
        let reference = crate::reference::embedded();
        let portfolio = Portfolio::from_json(
            r#"{"schema_version": 1, "lines": [{"material": "gallium", "spend": 5, "revenue_share_pct": 1}]}"#,
            reference,
        )
        .unwrap();
        let views = country_exposure(&assess(&portfolio, reference, &AssessParams::default()));
        assert!(views.iter().all(|v| v.view != ExposureView::Direct));
        assert!(views.iter().all(|v| v.basis == MixBasis::World));
    }

    #[test]
    fn class_edges() {
        assert_eq!(exposure_class(0.0), None);
        assert_eq!(exposure_class(-0.1), None);
        assert_eq!(exposure_class(f64::NAN), None);
        assert_eq!(exposure_class(1e-9), Some(1));
        assert_eq!(exposure_class(0.049_999), Some(1));
        assert_eq!(exposure_class(0.05), Some(2));
        assert_eq!(exposure_class(0.149_999), Some(2));
        assert_eq!(exposure_class(0.15), Some(3));
        assert_eq!(exposure_class(0.30), Some(4));
        assert_eq!(exposure_class(0.499_999), Some(4));
        assert_eq!(exposure_class(0.50), Some(5));
        assert_eq!(exposure_class(1.0), Some(5));
    }

    #[test]
    fn exposure_round_trips_through_json() {
        let views = two_lines();
        let text = serde_json::to_string(&views).unwrap();
        let back: Vec<CountryExposure> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, views);
    }
}
