//! The risk matrix: each material placed by business impact (share of revenue that depends on it)
//! and supply risk, with the four action quadrants at the thresholds. SVG with a table view.

use crate::analysis::assess::{MaterialResult, SupplyRiskBasis};
use crate::app::components::chart_export::ChartExport;
use crate::app::components::data_table::DataTable;
use crate::app::format::pct;
use crate::app::results::Derived;
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`RiskMatrix`].
#[derive(Properties, PartialEq)]
pub struct RiskMatrixProps {
    /// The results: the assessment's materials and the thresholds that split the quadrants.
    pub derived: Rc<Derived>,
}

const W: f64 = 420.0;
const H: f64 = 300.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 36.0;
const TOP: f64 = 10.0;
const RIGHT: f64 = 22.0;

/// The chart.
#[component]
pub fn RiskMatrix(props: &RiskMatrixProps) -> Html {
    let Some(assessment) = &props.derived.assessment else {
        return Html::default();
    };
    let materials: &[MaterialResult] = &assessment.materials;
    let t = &assessment.params.thresholds;
    // The supply-risk line: the threshold the materials were classified with (the first
    // material's; every material of one assessment has the same basis unless the caller gave
    // values for some), else the catalogue calibration of the firm score.
    let risk_threshold = materials
        .iter()
        .find_map(|m| m.supply_risk.threshold)
        .or(assessment.calibration.threshold(SupplyRiskBasis::Firm))
        .unwrap_or(0.0);
    let calibrated = if assessment.calibration.explicit.is_some() {
        ""
    } else {
        " (the catalogue's top quarter)"
    };
    let top = materials
        .iter()
        .filter_map(|m| m.supply_risk.value)
        .fold(risk_threshold * 2.0, f64::max);
    // The firm score lies in 0..1: quarter steps; larger scales (EU SR): whole numbers.
    let step = if top <= 1.0 { 0.25 } else { 1.0 };
    let max_risk = ((top / step).ceil() * step).max(step);
    let x = |impact: f64| LEFT + impact.clamp(0.0, 1.0) * (W - LEFT - RIGHT);
    let y = |risk: f64| H - BOTTOM - (risk.clamp(0.0, max_risk) / max_risk) * (H - BOTTOM - TOP);
    let (tx, ty) = (x(t.business_impact), y(risk_threshold));
    let quadrant = |x0: f64, y0: f64, label: &str, anchor: &'static str, lx: f64, ly: f64| {
        html! {
            <text x={lx.to_string()} y={ly.to_string()} font-size="11" text-anchor={anchor}
                class="quadrant-label" opacity="0.75" data-x={x0.to_string()} data-y={y0.to_string()}>{ label.to_string() }</text>
        }
    };
    html! {
        <figure class="card chart-card">
            <figcaption id="risk-matrix-title"><strong>{ "Risk matrix" }</strong>
                <span class="muted small">{ format!(" · supply risk of your sourcing against the share of revenue that depends on each material; lines at supply risk {risk_threshold:.2}{calibrated} and {} of revenue", pct(t.business_impact)) }</span>
            </figcaption>
            <ChartExport name="risk-matrix" title="Risk matrix">
            <svg class="chart" viewBox={format!("0 0 {W} {H}")} role="img" aria-labelledby="risk-matrix-title">
                <rect x={LEFT.to_string()} y={TOP.to_string()} width={(W - LEFT - RIGHT).to_string()}
                    height={(H - TOP - BOTTOM).to_string()} class="frame" fill="none" />
                <line x1={tx.to_string()} x2={tx.to_string()} y1={TOP.to_string()} y2={(H - BOTTOM).to_string()}
                    class="guide" stroke-dasharray="4 3" />
                <line x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={ty.to_string()} y2={ty.to_string()}
                    class="guide" stroke-dasharray="4 3" />
                { quadrant(tx, ty, "Qualify a second source", "end", W - RIGHT - 4.0, TOP + 14.0) }
                { quadrant(tx, ty, "Hold buffer stock", "start", LEFT + 4.0, TOP + 14.0) }
                { quadrant(tx, ty, "Monitor", "end", W - RIGHT - 4.0, H - BOTTOM - 6.0) }
                { quadrant(tx, ty, "Low priority", "start", LEFT + 4.0, H - BOTTOM - 6.0) }
                <text x={((LEFT + W - RIGHT) / 2.0).to_string()} y={(H - 6.0).to_string()} font-size="12" text-anchor="middle">
                    { "Share of revenue depending on the material" }
                </text>
                <text x="12" y={((TOP + H - BOTTOM) / 2.0).to_string()} font-size="12" text-anchor="middle"
                    transform={format!("rotate(-90 12 {})", (TOP + H - BOTTOM) / 2.0)}>{ "Supply risk" }</text>
                for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
                    <text x={x(tick).to_string()} y={(H - BOTTOM + 14.0).to_string()} font-size="10" text-anchor="middle">{ pct(tick) }</text>
                }
                for tick in (0..=((max_risk / step).round() as u32)).map(|i| f64::from(i) * step) {
                    <text x={(LEFT - 6.0).to_string()} y={(y(tick) + 3.0).to_string()} font-size="10" text-anchor="end">{ tick }</text>
                }
                for m in materials.iter() {
                    if let Some(risk) = m.supply_risk.value {
                        <g>
                            <circle cx={x(m.revenue_share).to_string()} cy={y(risk).to_string()} r="5"
                                class="dot">
                                <title>{ format!("{}: supply risk {risk:.2}, {} of revenue, {}", m.name, pct(m.revenue_share), m.action.label()) }</title>
                            </circle>
                            // Labels of points in the right half go to the left of the point, so
                            // they stay inside the drawing.
                            if x(m.revenue_share) > (LEFT + W - RIGHT) / 2.0 {
                                <text x={(x(m.revenue_share) - 7.0).to_string()} y={(y(risk) + 4.0).to_string()} font-size="10" text-anchor="end">{ short_name(&m.name) }</text>
                            } else {
                                <text x={(x(m.revenue_share) + 7.0).to_string()} y={(y(risk) + 4.0).to_string()} font-size="10">{ short_name(&m.name) }</text>
                            }
                        </g>
                    }
                }
            </svg>
            </ChartExport>
            <DataTable label="Risk matrix data">
                        <thead><tr>
                            <th scope="col">{ "Material" }</th><th scope="col" class="num">{ "Supply risk" }</th>
                            <th scope="col" class="num">{ "Revenue depending on it" }</th><th scope="col">{ "Action" }</th>
                        </tr></thead>
                        <tbody>
                            for m in materials.iter() {
                                <tr>
                                    <td>{ &m.name }</td>
                                    <td class="num">{ m.supply_risk.value.map_or_else(|| "unavailable".to_string(), |v| format!("{v:.2}")) }</td>
                                    <td class="num">{ pct(m.revenue_share) }</td>
                                    <td>{ m.action.label() }</td>
                                </tr>
                            }
                        </tbody>
                    </DataTable>
        </figure>
    }
}

/// The part of a material name before any parenthesis, for chart labels.
fn short_name(name: &str) -> &str {
    name.split(" (").next().unwrap_or(name)
}
