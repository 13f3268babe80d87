//! The dashboard's trend and outlook (drawn by the pages' part once the disclosure is opened):
//! per material and stage of the portfolio, the world shares as USGS published them for 2024
//! and 2025, and the firm's exposure in 2030 and 2035 if its sourcing stays as it is, from the
//! IEA's base-case projections ([`crate::analysis::outlook`]).

use crate::analysis::assess::{AssessParams, assess};
use crate::analysis::exposure::MixBasis;
use crate::analysis::outlook::{OutlookPoint, portfolio_outlook};
use crate::app::format::{country_name, hhi, material_name, pct, published_pct};
use crate::app::results::valid_part;
use crate::model::Stage;
use crate::portfolio::RawPortfolio;
use crate::reference::{ReferenceData, Trend, TrendEntry};
use std::rc::Rc;
use yew::prelude::*;

/// The projected years shown (the IEA base year first); 2040 is in the data and in `assess`.
const YEARS: [u16; 3] = [2024, 2030, 2035];

/// Properties of [`OutlookPanel`].
#[derive(Properties, PartialEq)]
pub struct OutlookProps {
    /// The portfolio as typed.
    pub portfolio: Rc<RawPortfolio>,
}

/// One country of a trend: "Australia 37.3 % → 31.7 %"; a year without a figure reads "not
/// listed".
pub fn trend_text(reference: &ReferenceData, entry: &TrendEntry) -> String {
    let figure = |v: Option<f64>| v.map_or_else(|| "not listed".to_string(), published_pct);
    format!(
        "{} {} → {}",
        country_name(reference, entry.country),
        figure(entry.previous),
        figure(entry.current)
    )
}

/// The three largest producers of a trend, by the current year.
pub fn trend_summary(reference: &ReferenceData, trend: &Trend) -> String {
    trend
        .countries
        .iter()
        .take(3)
        .map(|e| trend_text(reference, e))
        .collect::<Vec<_>>()
        .join("; ")
}

/// One projected year: the largest supplier of the firm's mix and its HHI, "China 76 % · HHI
/// 5 912".
pub fn point_text(reference: &ReferenceData, point: &OutlookPoint) -> String {
    let c = &point.concentration;
    let largest = c.largest.map_or_else(
        || "rest of world".to_string(),
        |(country, share)| format!("{} {}", country_name(reference, country), pct(share)),
    );
    format!("{largest} · HHI {}", hhi(c.hhi))
}

/// The panel.
#[component]
pub fn OutlookPanel(props: &OutlookProps) -> Html {
    let reference = crate::reference::embedded();
    // The valid lines, as the dashboard assesses them; with every vintage and the projections.
    let computed = use_memo(props.portfolio.clone(), |portfolio| {
        let (_, _, _, valid) = valid_part(portfolio, reference);
        valid.filter(|v| !v.lines.is_empty()).map(|v| {
            (
                assess(&v, reference, &AssessParams::default()),
                portfolio_outlook(&v, reference),
            )
        })
    });
    let Some((a, outlook)) = computed.as_ref() else {
        return html! { <p class="muted">{ "Add a line with a material and its spend first." }</p> };
    };
    let mut trends: Vec<Html> = Vec::new();
    for m in &a.materials {
        for stage in Stage::UPSTREAM {
            let Some(series) = reference.material(&m.material).and_then(|r| r.stage(stage)) else {
                continue;
            };
            let Some(trend) = series.trend() else {
                continue;
            };
            let basis = m
                .stages
                .iter()
                .find(|s| s.stage == stage)
                .map_or(MixBasis::Unavailable, |s| s.basis);
            let source = reference
                .dataset(&trend.current.dataset)
                .map_or(trend.current.dataset.as_str(), |d| d.short.as_str());
            trends.push(html! {
                <tr>
                    <th scope="row">{ material_name(reference, &m.material) }</th>
                    <td>{ stage.label() }</td>
                    <td class="small">{ match basis {
                        MixBasis::World => "world mix",
                        MixBasis::Trade => "trade",
                        MixBasis::Mixed => "partly world mix",
                        MixBasis::User => "your sourcing",
                        MixBasis::Unavailable => "",
                    } }</td>
                    <td class="small">{ format!("{source} {} → {}", trend.previous.year, trend.current.year) }</td>
                    <td>{ trend_summary(reference, &trend) }</td>
                </tr>
            });
        }
    }
    let mut outlooks: Vec<Html> = Vec::new();
    for m in outlook {
        for o in &m.stages {
            let partly = o.points.first().is_some_and(|p| p.basis == MixBasis::Mixed);
            outlooks.push(html! {
                <tr>
                    <th scope="row">{ &m.name }</th>
                    <td>{ o.stage.label() }if partly { <span class="muted small">{ " (partly your sourcing)" }</span> }</td>
                    <td class="small">{ &o.detail }</td>
                    for year in YEARS {
                        <td>{ o.point(year).map(|p| point_text(reference, p)).unwrap_or_else(|| "–".into()) }</td>
                    }
                </tr>
            });
        }
    }
    html! {
        <div data-testid="outlook">
            <h4>{ "World shares as published: USGS 2024 to 2025" }</h4>
            if trends.is_empty() {
                <p class="muted small">{ "No material of this portfolio has two USGS years." }</p>
            } else {
                <div class="table-scroll" tabindex="0" role="region" aria-label="Trend per material and stage, scrollable">
                    <table class="small" data-testid="trend-table">
                        <caption class="muted small">{ "The three largest producers, share of world output as published (2024 revised, 2025 estimated; USGS Mineral Commodity Summaries 2026 data release)." }</caption>
                        <thead><tr>
                            <th scope="col">{ "Material" }</th><th scope="col">{ "Stage" }</th>
                            <th scope="col">{ "Your basis" }</th><th scope="col">{ "Source" }</th>
                            <th scope="col">{ "Largest producers" }</th>
                        </tr></thead>
                        <tbody>{ for trends }</tbody>
                    </table>
                </div>
            }
            <h4>{ "Your exposure in 2030 and 2035 if your sourcing stays as it is" }</h4>
            <p class="small muted">{ "IEA projections, base case (IEA Critical Minerals Dataset 2025): announced mining and refining projects by country, each weighted by its probability of coming online; not a forecast of your suppliers. Stages you know keep your sourcing; stages filled from the world mix take the projected world mix. 2024 is the IEA's own base year, so the change compares the IEA with itself." }</p>
            if outlooks.is_empty() {
                <p class="muted small" data-testid="no-outlook">{ "The IEA projects none of the stages this portfolio takes from the world mix (the IEA projects copper, cobalt, lithium, nickel, graphite and magnet rare earths)." }</p>
            } else {
                <div class="table-scroll" tabindex="0" role="region" aria-label="Exposure in 2030 and 2035, scrollable">
                    <table class="small" data-testid="outlook-table">
                        <thead><tr>
                            <th scope="col">{ "Material" }</th><th scope="col">{ "Stage" }</th>
                            <th scope="col">{ "IEA series" }</th>
                            <th scope="col">{ "2024 (IEA base year)" }</th>
                            <th scope="col">{ "2030 (IEA projection)" }</th>
                            <th scope="col">{ "2035 (IEA projection)" }</th>
                        </tr></thead>
                        <tbody>{ for outlooks }</tbody>
                    </table>
                </div>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CountryCode;

    #[test]
    fn trend_and_point_texts() {
        let reference = crate::reference::embedded();
        let lithium = reference.material("lithium").unwrap();
        let trend = lithium.stage(Stage::Mining).unwrap().trend().unwrap();
        assert!(
            trend_summary(reference, &trend).starts_with("Australia 37.3 % → 31.7 %; China "),
            "{}",
            trend_summary(reference, &trend)
        );
        let missing = TrendEntry {
            country: CountryCode::parse("USA").unwrap(),
            previous: None,
            current: Some(1.0),
        };
        assert_eq!(
            trend_text(reference, &missing),
            "United States not listed → 1.0 %"
        );
        let portfolio = crate::portfolio::Portfolio::from_json(
            r#"{"schema_version": 1, "lines": [{"material": "rare_earths_magnet", "spend": 1,
                "revenue_share_pct": 1, "sourcing": {"component": {"JPN": 100}}}]}"#,
            reference,
        )
        .unwrap();
        let lines: Vec<_> = portfolio.lines.iter().collect();
        let outlook = crate::analysis::outlook::outlook("rare_earths_magnet", &lines, reference);
        let refining = outlook.iter().find(|o| o.stage == Stage::Refining).unwrap();
        assert!(
            point_text(reference, refining.point(2030).unwrap()).starts_with("China 76 % · HHI ")
        );
    }
}
