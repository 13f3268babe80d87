//! The flow diagram: the portfolio's spend from materials through stages to countries, as a
//! Sankey-style SVG drawn here. Band widths are shares of annual spend
//! ([`crate::analysis::flow`]); countries take the same colour-blind safe palette as the stacked
//! bars (largest first, the last colour for the others). A caption gives the largest flow of
//! each stage in words, and a data table lists every band. On a phone the drawing scrolls
//! sideways inside its own frame.

use crate::analysis::exposure::MixBasis;
use crate::analysis::flow::{FlowDiagram, FlowKey, FlowLink, FlowNode, order};
use crate::app::components::data_table::DataTable;
use crate::app::format::{country_name, pct};
use crate::reference::ReferenceData;
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`FlowChart`].
#[derive(Properties, PartialEq)]
pub struct FlowChartProps {
    /// The diagram's nodes and links.
    pub diagram: Rc<FlowDiagram>,
}

/// Width of the drawing, in SVG units.
const W: f64 = 720.0;
/// Left edge of the material, stage and country columns.
const COLUMNS: [f64; 3] = [170.0, 340.0, 510.0];
/// Width of a node bar.
const NODE_W: f64 = 12.0;
/// Space between the nodes of a column.
const GAP: f64 = 10.0;
/// Room for the column headings.
const TOP: f64 = 26.0;
/// Smallest distance between two labels of a column.
const LABEL_STEP: f64 = 14.0;

/// A node placed on the drawing: its top and height.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placed {
    /// Top edge.
    pub y: f64,
    /// Height, proportional to the node's value.
    pub h: f64,
}

/// A band placed on the drawing: its top at the source and at the target, and its width.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Band {
    /// Top edge at the source node.
    pub y0: f64,
    /// Top edge at the target node.
    pub y1: f64,
    /// Width, proportional to the link's value.
    pub w: f64,
}

/// The whole layout: nodes per column, bands per link (in the diagram's order), label centres
/// per column, and the drawing's height.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Materials, stages, countries.
    pub nodes: [Vec<Placed>; 3],
    /// Material → stage bands, then stage → country bands.
    pub bands: [Vec<Band>; 2],
    /// Vertical centre of each label, per column, moved apart so that labels never overlap.
    pub labels: [Vec<f64>; 3],
    /// Height of the drawing.
    pub height: f64,
}

/// Stacks `nodes` top-down from `top`, `scale` units per value, centred in `plot` height.
fn stack(nodes: &[FlowNode], scale: f64, plot: f64) -> Vec<Placed> {
    let used: f64 = nodes.iter().map(|n| n.value * scale).sum::<f64>()
        + GAP * nodes.len().saturating_sub(1) as f64;
    let mut y = TOP + ((plot - used) / 2.0).max(0.0);
    nodes
        .iter()
        .map(|n| {
            let placed = Placed {
                y,
                h: n.value * scale,
            };
            y += placed.h + GAP;
            placed
        })
        .collect()
}

/// The bands of `links` between the `from` and `to` columns: at each node, bands leave in the
/// order of their targets and arrive in the order of their sources, so that they do not cross
/// at the node.
fn bands(links: &[FlowLink], from: &[Placed], to: &[Placed], scale: f64) -> Vec<Band> {
    let mut out_y: Vec<f64> = from.iter().map(|p| p.y).collect();
    let mut in_y: Vec<f64> = to.iter().map(|p| p.y).collect();
    let mut result = vec![
        Band {
            y0: 0.0,
            y1: 0.0,
            w: 0.0
        };
        links.len()
    ];
    let key = |a: usize, b: usize| a as f64 * 65_536.0 + b as f64;
    let by_source: Vec<f64> = links.iter().map(|l| key(l.from, l.to)).collect();
    for i in order(&by_source) {
        let Some(link) = links.get(i) else { continue };
        let w = link.value * scale;
        if let (Some(y), Some(band)) = (out_y.get_mut(link.from), result.get_mut(i)) {
            band.y0 = *y;
            band.w = w;
            *y += w;
        }
    }
    let by_target: Vec<f64> = links.iter().map(|l| key(l.to, l.from)).collect();
    for i in order(&by_target) {
        let Some(link) = links.get(i) else { continue };
        if let (Some(y), Some(band)) = (in_y.get_mut(link.to), result.get_mut(i)) {
            band.y1 = *y;
            *y += band.w;
        }
    }
    result
}

/// Label centres for `nodes`: each node's centre, pushed down so that consecutive labels are at
/// least [`LABEL_STEP`] apart, then pushed back up from `bottom` if the last one overflows.
fn spread_labels(nodes: &[Placed], bottom: f64) -> Vec<f64> {
    let mut ys: Vec<f64> = nodes.iter().map(|p| p.y + p.h / 2.0).collect();
    for i in 1..ys.len() {
        ys[i] = ys[i].max(ys[i - 1] + LABEL_STEP);
    }
    if let Some(last) = ys.last_mut() {
        *last = last.min(bottom);
    }
    for i in (0..ys.len().saturating_sub(1)).rev() {
        ys[i] = ys[i].min(ys[i + 1] - LABEL_STEP);
    }
    ys
}

/// Places the diagram: every column on one scale (their totals are equal), the plot tall
/// enough for the longest column at `LABEL_STEP` plus a gap per node.
pub fn layout(d: &FlowDiagram) -> Layout {
    let columns = [&d.materials, &d.stages, &d.countries];
    let longest = columns.iter().map(|c| c.len()).max().unwrap_or(0);
    let plot = (longest as f64 * (LABEL_STEP + GAP + 6.0)).max(220.0);
    let total = d.total();
    let scale = columns
        .iter()
        .map(|c| (plot - GAP * c.len().saturating_sub(1) as f64) / total)
        .filter(|s| s.is_finite() && *s > 0.0)
        .fold(f64::INFINITY, f64::min);
    let scale = if scale.is_finite() { scale } else { 0.0 };
    let nodes = columns.map(|c| stack(c, scale, plot));
    let bottom = TOP + plot;
    let bands = [
        bands(&d.material_links, &nodes[0], &nodes[1], scale),
        bands(&d.country_links, &nodes[1], &nodes[2], scale),
    ];
    let labels = [
        spread_labels(&nodes[0], bottom),
        spread_labels(&nodes[1], bottom),
        spread_labels(&nodes[2], bottom),
    ];
    Layout {
        nodes,
        bands,
        labels,
        height: bottom + 8.0,
    }
}

/// The SVG path of a band from the right edge of column `from` to the left edge of the next.
fn band_path(band: &Band, x0: f64, x1: f64) -> String {
    let xm = (x0 + x1) / 2.0;
    let (a0, a1) = (band.y0, band.y1);
    let (b0, b1) = (band.y0 + band.w, band.y1 + band.w);
    format!(
        "M{x0:.1} {a0:.2}C{xm:.1} {a0:.2} {xm:.1} {a1:.2} {x1:.1} {a1:.2}L{x1:.1} {b1:.2}C{xm:.1} {b1:.2} {xm:.1} {b0:.2} {x0:.1} {b0:.2}Z"
    )
}

/// The palette class of the country at `index` of the country column: `fc1`… in order, the last
/// colour (`fc8`) for the grouped others, as in the stacked bars.
fn country_class(d: &FlowDiagram, index: usize) -> String {
    match d.countries.get(index).map(|n| &n.key) {
        Some(FlowKey::Country(_)) if index < 7 => format!("fc{}", index + 1),
        _ => "fc8".into(),
    }
}

/// The display name of a node.
pub fn node_name(reference: &ReferenceData, key: &FlowKey) -> String {
    match key {
        FlowKey::Material { name, .. } => name.split(" (").next().unwrap_or(name).to_string(),
        FlowKey::OtherMaterials => "Other materials".into(),
        FlowKey::Stage(stage) => stage.label().into(),
        FlowKey::Country(code) => country_name(reference, *code),
        FlowKey::OtherCountries => "Others and rest of world".into(),
    }
}

fn key_name(reference: &ReferenceData, nodes: &[FlowNode], index: usize) -> String {
    nodes
        .get(index)
        .map(|n| node_name(reference, &n.key))
        .unwrap_or_default()
}

/// One sentence per stage: its share of spend and its largest country.
fn summary(reference: &ReferenceData, d: &FlowDiagram) -> String {
    d.stages
        .iter()
        .enumerate()
        .map(|(i, stage)| {
            let largest = d
                .country_links
                .iter()
                .filter(|l| l.from == i)
                .max_by(|a, b| a.value.total_cmp(&b.value));
            let name = node_name(reference, &stage.key);
            match largest {
                Some(l) if stage.value > 0.0 => format!(
                    "{name} ({} of spend): largest {} with {} of it",
                    pct(stage.value),
                    key_name(reference, &d.countries, l.to),
                    pct(l.value / stage.value)
                ),
                _ => format!("{name} ({} of spend)", pct(stage.value)),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The chart.
#[component]
pub fn FlowChart(props: &FlowChartProps) -> Html {
    let reference = crate::reference::embedded_current();
    let d = &*props.diagram;
    if d.is_empty() {
        return html! {};
    }
    let l = layout(d);
    let total = d.total();
    let [materials, stages, countries] = &l.nodes;
    let x = COLUMNS;
    let label = |column: usize, i: usize| l.labels[column].get(i).copied().unwrap_or(0.0);
    html! {
        <figure class="card chart-card" data-testid="flow-chart">
            <figcaption id="flow-title"><strong>{ "Where your spend flows: material, stage, country" }</strong>
                <span class="muted small" id="flow-summary">
                    { " · band widths are shares of your annual spend, counted once at each stage it passes; " }
                    { summary(reference, d) }
                </span>
            </figcaption>
            <div class="flow-scroll" tabindex="0" role="region" aria-label="Flow diagram, scrollable">
            <svg class="chart flow" viewBox={format!("0 0 {W} {:.0}", l.height)} role="img"
                aria-labelledby="flow-title">
                <text x={(x[0] + NODE_W).to_string()} y="14" font-size="12" text-anchor="end" font-weight="600">{ "Material" }</text>
                <text x={x[1].to_string()} y="14" font-size="12" font-weight="600">{ "Stage" }</text>
                <text x={x[2].to_string()} y="14" font-size="12" font-weight="600">{ "Country" }</text>
                for (link, band) in d.material_links.iter().zip(&l.bands[0]) {
                    <path d={band_path(band, x[0] + NODE_W, x[1])}
                        class={if link.basis == MixBasis::User { "flow-band own" } else { "flow-band world" }}>
                        <title>{ format!("{} → {}: {} of spend ({})", key_name(reference, &d.materials, link.from),
                            key_name(reference, &d.stages, link.to), pct(link.value), crate::app::format::basis_text(link.basis)) }</title>
                    </path>
                }
                for (link, band) in d.country_links.iter().zip(&l.bands[1]) {
                    <path d={band_path(band, x[1] + NODE_W, x[2])} class={classes!("flow-band", "country", country_class(d, link.to))}>
                        <title>{ format!("{} → {}: {} of spend", key_name(reference, &d.stages, link.from),
                            key_name(reference, &d.countries, link.to), pct(link.value)) }</title>
                    </path>
                }
                for (i, p) in materials.iter().enumerate() {
                    <rect x={x[0].to_string()} y={format!("{:.2}", p.y)} width={NODE_W.to_string()}
                        height={format!("{:.2}", p.h.max(1.0))} class="flow-node" />
                    <text x={(x[0] - 6.0).to_string()} y={format!("{:.1}", label(0, i))} font-size="11"
                        text-anchor="end" dominant-baseline="middle">{ key_name(reference, &d.materials, i) }</text>
                }
                for (i, p) in stages.iter().enumerate() {
                    <rect x={x[1].to_string()} y={format!("{:.2}", p.y)} width={NODE_W.to_string()}
                        height={format!("{:.2}", p.h.max(1.0))} class="flow-node" />
                    <text x={(x[1] + NODE_W + 4.0).to_string()} y={format!("{:.1}", label(1, i))} font-size="11"
                        dominant-baseline="middle" class="halo">
                        { format!("{} {}", key_name(reference, &d.stages, i), pct(d.stages.get(i).map_or(0.0, |n| n.value))) }
                    </text>
                }
                for (i, p) in countries.iter().enumerate() {
                    <rect x={x[2].to_string()} y={format!("{:.2}", p.y)} width={NODE_W.to_string()}
                        height={format!("{:.2}", p.h.max(1.0))} class={classes!("flow-node", country_class(d, i))} />
                    <text x={(x[2] + NODE_W + 6.0).to_string()} y={format!("{:.1}", label(2, i))} font-size="11"
                        dominant-baseline="middle">
                        { format!("{} {}", key_name(reference, &d.countries, i), pct(d.countries.get(i).map_or(0.0, |n| n.value / total))) }
                    </text>
                }
            </svg>
            </div>
            <ul class="legend">
                <li><span class="swatch flow-own"></span>{ "Your own sourcing" }</li>
                <li><span class="swatch flow-world"></span>{ "World mix (look-through)" }</li>
                <li class="muted">{ "Country percentages are of all stage flows" }</li>
            </ul>
            <DataTable label="Flow diagram data table">
                <thead><tr>
                    <th scope="col">{ "From" }</th><th scope="col">{ "To" }</th>
                    <th scope="col" class="num">{ "Share of spend" }</th><th scope="col">{ "Basis" }</th>
                </tr></thead>
                <tbody data-testid="flow-table">
                    for link in &d.material_links { { link_row(reference, &d.materials, &d.stages, link) } }
                    for link in &d.country_links { { link_row(reference, &d.stages, &d.countries, link) } }
                </tbody>
            </DataTable>
        </figure>
    }
}

/// A row of the data table: the band's two ends, its share of spend and its basis.
fn link_row(
    reference: &ReferenceData,
    from: &[FlowNode],
    to: &[FlowNode],
    link: &FlowLink,
) -> Html {
    html! {
        <tr>
            <td>{ key_name(reference, from, link.from) }</td>
            <td>{ key_name(reference, to, link.to) }</td>
            <td class="num">{ pct(link.value) }</td>
            <td>{ crate::app::format::basis_text(link.basis) }</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::assess::{AssessParams, assess};
    use crate::analysis::flow::{FlowParams, flow_diagram};
    use crate::reference::embedded;

    fn demo_diagram() -> FlowDiagram {
        let reference = embedded();
        let valid = crate::app::demo_portfolio().validate(reference).unwrap();
        flow_diagram(
            &assess(&valid, reference, &AssessParams::default()),
            &FlowParams::default(),
        )
    }

    #[test]
    fn bands_fill_their_nodes_exactly_and_stay_inside_the_drawing() {
        let d = demo_diagram();
        let l = layout(&d);
        for (links, (from, to)) in [&d.material_links, &d.country_links]
            .iter()
            .zip([(0, 1), (1, 2)])
        {
            let column = if from == 0 { 0 } else { 1 };
            let end: [fn(&FlowLink) -> usize; 2] = [|k| k.from, |k| k.to];
            for (nodes, end) in [&l.nodes[from], &l.nodes[to]].into_iter().zip(end) {
                for (i, node) in nodes.iter().enumerate() {
                    let w: f64 = links
                        .iter()
                        .zip(&l.bands[column])
                        .filter(|(k, _)| end(k) == i)
                        .map(|(_, b)| b.w)
                        .sum();
                    assert!((w - node.h).abs() < 1e-6, "node {i}");
                }
            }
        }
        for column in &l.nodes {
            for p in column {
                assert!(p.y >= TOP - 1e-9 && p.y + p.h <= l.height);
            }
            for pair in column.windows(2) {
                assert!(
                    pair[1].y >= pair[0].y + pair[0].h + GAP - 1e-9,
                    "nodes overlap"
                );
            }
        }
    }

    #[test]
    fn labels_never_overlap() {
        let nodes: Vec<Placed> = (0..9)
            .map(|i| Placed {
                y: 30.0 + i as f64,
                h: 0.5,
            })
            .collect();
        let ys = spread_labels(&nodes, 100.0);
        for pair in ys.windows(2) {
            assert!(pair[1] - pair[0] >= LABEL_STEP - 1e-9);
        }
        assert!(*ys.last().unwrap() <= 100.0);
    }

    #[test]
    fn countries_take_the_stacked_bars_palette_in_order() {
        let d = demo_diagram();
        assert_eq!(country_class(&d, 0), "fc1");
        let last = d.countries.len() - 1;
        if d.countries[last].key == FlowKey::OtherCountries {
            assert_eq!(country_class(&d, last), "fc8");
        }
    }
}
