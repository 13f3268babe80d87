//! A stacked horizontal bar per stage of one material: the country shares the firm depends on,
//! from its own sourcing or the world mix (look-through). SVG drawn here, with a text
//! alternative and a data table view for screen readers and for reading exact values.

use crate::analysis::exposure::MixBasis;
use crate::app::components::chart_export::ChartExport;
use crate::app::components::data_table::DataTable;
use crate::app::format::{country_name, pct};
use crate::app::results::MaterialRef;
use crate::model::CountryCode;
use yew::prelude::*;

/// Colour-blind safe palette (Okabe-Ito), as CSS custom properties; the last one is for the rest.
/// Colour classes of the palette (style.css maps `cN` to the colour-blind-safe `--cN` as fill and
/// background; classes rather than `style` attributes, which the Content-Security-Policy blocks).
const PALETTE: [&str; 8] = ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"];
/// Countries below this share are grouped as "others" in the bars (not in the table).
const MIN_SEGMENT: f64 = 0.03;

/// Properties of [`StageBars`].
#[derive(Properties, PartialEq)]
pub struct StageBarsProps {
    /// The material's results.
    pub material: MaterialRef,
}

/// The colour of `country` in a chart whose countries, largest first, are `order`.
fn colour(order: &[CountryCode], country: CountryCode) -> &'static str {
    match order.iter().position(|c| *c == country) {
        Some(i) if i < PALETTE.len() - 1 && !country.is_rest_of_world() => PALETTE[i],
        _ => PALETTE[PALETTE.len() - 1],
    }
}

/// The chart.
#[component]
pub fn StageBars(props: &StageBarsProps) -> Html {
    let reference = crate::reference::embedded_current();
    let m = &props.material;
    let stages: Vec<_> = m.stages.iter().filter(|s| s.mix.is_some()).collect();
    // One colour per country across all stages of this material, by total share.
    let mut totals: Vec<(CountryCode, f64)> = Vec::new();
    for s in &stages {
        for (c, share) in s.mix.iter().flat_map(|m| m.entries()) {
            match totals.iter_mut().find(|(k, _)| k == c) {
                Some(t) => t.1 += share,
                None => totals.push((*c, *share)),
            }
        }
    }
    crate::model::order::sort_by(&mut totals, |a, b| b.1.total_cmp(&a.1));
    let order: Vec<CountryCode> = totals
        .iter()
        .filter(|(c, _)| !c.is_rest_of_world())
        .map(|(c, _)| *c)
        .collect();
    // Labels sit above their bars so the chart stays legible when scaled down to a phone.
    let (label_w, bar_w, row_h, label_h) = (0.0, 400.0, 44.0, 16.0);
    let height = row_h * stages.len() as f64 + 8.0;
    let title_id = format!("bars-{}", m.material);
    let summary = stages
        .iter()
        .map(|s| {
            let (c, share) = s
                .concentration
                .as_ref()
                .and_then(|c| c.largest)
                .unwrap_or((CountryCode::REST_OF_WORLD, 0.0));
            format!(
                "{}: {} {}",
                s.stage.label(),
                country_name(reference, c),
                pct(share)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    if stages.is_empty() {
        return html! {};
    }
    html! {
        <figure class="card chart-card">
            <figcaption id={title_id.clone()}><strong>{ &m.name }</strong>
                <span class="muted small">{ " · largest supplier per stage: " }{ &summary }</span>
            </figcaption>
            <ChartExport name={format!("stages-{}", m.material)} title={m.name.clone()}>
            <svg class="chart" viewBox={format!("0 0 {} {height}", bar_w)}
                role="img" aria-labelledby={title_id}>
                for (i, s) in stages.iter().enumerate() {
                    <g transform={format!("translate(0 {})", 4.0 + row_h * i as f64)}>
                        <text x="0" y="12" font-size="12">
                            { format!("{}{}", s.stage.label(), match (s.basis, crate::app::format::world_source(reference, &m.material, s.stage)) {
                                (MixBasis::World, Some((source, _))) => format!(" (world mix, {source})"),
                                (MixBasis::Mixed, Some((source, _))) => format!(" (partly world mix, {source})"),
                                (MixBasis::Trade, _) => s.trade.as_ref().map_or_else(String::new, |t| format!(" (trade, CEPII BACI {}-{})", t.years.0, t.years.1)),
                                _ => String::new(),
                            }) }
                        </text>
                        <g transform={format!("translate(0 {label_h})")}>
                            { segments(reference, s.mix.as_ref().map(|m| m.entries()).unwrap_or(&[]), &order, label_w, bar_w, row_h - label_h - 6.0) }
                        </g>
                    </g>
                }
            </svg>
            </ChartExport>
            <ul class="legend" aria-hidden="true">
                for c in order.iter().take(PALETTE.len() - 1) {
                    <li><span class={classes!("swatch", colour(&order, *c))}></span>{ country_name(reference, *c) }</li>
                }
                <li><span class={classes!("swatch", PALETTE[PALETTE.len() - 1])}></span>{ "Others and rest of world" }</li>
            </ul>
            <DataTable label={format!("{} data table", m.name)}>
                        <thead><tr>
                            <th scope="col">{ "Stage" }</th><th scope="col">{ "Basis" }</th>
                            <th scope="col">{ "Country" }</th><th scope="col" class="num">{ "Share (world mix: as published)" }</th>
                        </tr></thead>
                        <tbody>
                            for s in &stages {
                                for (c, share) in s.mix.iter().flat_map(|m| m.entries()) {
                                    <tr>
                                        <td>{ s.stage.label() }</td>
                                        <td>{ match s.basis {
                                            MixBasis::World => "world mix",
                                            MixBasis::Trade => "trade",
                                            _ => "your sourcing",
                                        } }</td>
                                        <td>{ country_name(reference, *c) }</td>
                                        <td class="num">{ match (s.basis, crate::app::format::published_world_share(reference, &m.material, s.stage, *c)) {
                                            // The world mix: the share as the source published it.
                                            (MixBasis::World, Some(published)) => published.text,
                                            _ => pct(*share),
                                        } }</td>
                                    </tr>
                                }
                            }
                        </tbody>
                    </DataTable>
        </figure>
    }
}

fn segments(
    reference: &crate::reference::ReferenceData,
    entries: &[(CountryCode, f64)],
    order: &[CountryCode],
    x0: f64,
    width: f64,
    height: f64,
) -> Html {
    let mut x = x0;
    let mut rest = 0.0;
    let mut out = Vec::new();
    for (c, share) in entries {
        if *share < MIN_SEGMENT
            || c.is_rest_of_world()
            || colour(order, *c) == PALETTE[PALETTE.len() - 1]
        {
            rest += share;
            continue;
        }
        let w = share * width;
        out.push(html! {
            <g>
                <rect x={x.to_string()} y="0" width={w.to_string()} height={height.to_string()}
                    class={classes!("seg", colour(order, *c))}>
                    <title>{ format!("{} {}", country_name(reference, *c), pct(*share)) }</title>
                </rect>
                if w > 52.0 {
                    <text x={(x + 4.0).to_string()} y={(height / 2.0).to_string()} dominant-baseline="middle"
                        font-size="11" class="seg-label">{ format!("{} {}", c, pct(*share)) }</text>
                }
            </g>
        });
        x += w;
    }
    if rest > 0.0 {
        out.push(html! {
            <rect x={x.to_string()} y="0" width={(rest * width).to_string()} height={height.to_string()}
                class={classes!("seg", PALETTE[PALETTE.len() - 1])}>
                <title>{ format!("Others and rest of world {}", pct(rest)) }</title>
            </rect>
        });
    }
    out.into_iter().collect::<Html>()
}
