//! The world map: each country shaded by the firm's share of supply from it, per stage (mining,
//! refining, purchased component) and for the direct suppliers as bought, with a legend, a text
//! alternative, a data table and SVG/PNG downloads.
//!
//! [`world_map_panel`] is a closed disclosure on the dashboard. Once opened it computes the
//! per-country figures from the dashboard's assessment ([`country_exposure`], a few kilobytes of
//! JSON) and hands them to [`WorldMap`], which the pages' part draws ([`crate::app::lazy`]):
//! the shapes (`data/world_map.json`, [`crate::reference::world_map`]) are thus no part of the
//! first page load, and the bundle never assesses the portfolio itself.
//!
//! Colours: five classes of a sequential colour-blind-safe ramp (ColorBrewer YlGnBu, light to
//! dark, on a light page; viridis, dark to light, on a dark one, so that the largest share always
//! stands out most), a plain grey for "no exposure" and a hatched grey for "no data" (a country
//! the sources do not name while they leave a share to the rest of the world, or a shape without
//! a country code).
//! All through CSS classes (`map-k1`..`map-k5`, `map-none`, `map-nodata` in `static/style.css`):
//! the Content-Security-Policy forbids `style` attributes.

use crate::analysis::exposure::MixBasis;
use crate::analysis::geography::{
    CLASS_LIMITS, CountryExposure, ExposureView, country_exposure, exposure_class,
};
use crate::app::components::chart_export::ChartExport;
use crate::app::components::data_table::DataTable;
use crate::app::format::{country_name, pct};
use crate::app::lazy::{LazyDetails, Part};
use crate::app::results::Derived;
use crate::model::CountryCode;
use crate::reference::ReferenceData;
use crate::reference::world_map::world_map;
use std::rc::Rc;
use yew::prelude::*;

/// The CSS classes of the five exposure classes, lowest first.
const CLASS_NAMES: [&str; 5] = ["map-k1", "map-k2", "map-k3", "map-k4", "map-k5"];

/// The figures the map is drawn from, as JSON: every view of the assessment
/// ([`country_exposure`]); `[]` without an assessment.
pub fn map_payload(derived: &Derived) -> String {
    let views = derived
        .assessment
        .as_ref()
        .map(country_exposure)
        .unwrap_or_default();
    serde_json::to_string(&views).unwrap_or_else(|_| "[]".into())
}

/// The dashboard's disclosure that draws [`WorldMap`] (from the pages' part) once opened, with
/// the figures of `derived`. A function, not a component: the dashboard re-renders it only when
/// its results change, and the figures are computed only once the map has been opened.
pub fn world_map_panel(derived: &Rc<Derived>) -> Html {
    let derived = derived.clone();
    let data = Callback::from(move |()| AttrValue::from(map_payload(&derived)));
    html! {
        <LazyDetails part={Part::WorldMap} class="card world-map-panel" testid="world-map-panel"
            summary="World map: where your supply comes from" on_action={Callback::noop()} {data} />
    }
}

/// Properties of [`WorldMap`].
#[derive(Properties, PartialEq)]
pub struct WorldMapProps {
    /// The figures, as [`map_payload`] writes them.
    pub data: AttrValue,
}

/// What a country is on the map in one view.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shade {
    /// A share above zero, in class 1 to 5.
    Class(u8),
    /// Not named while every share is named: no exposure.
    None,
    /// Not named while the sources leave a share to the rest of the world, or no country code:
    /// no data.
    NoData,
}

impl Shade {
    /// The shade of `country` in `view`.
    pub fn of(view: &CountryExposure, country: CountryCode) -> Shade {
        match exposure_class(view.share_of(country)) {
            Some(class) => Shade::Class(class),
            None if view.rest_of_world() > 0.0 => Shade::NoData,
            None => Shade::None,
        }
    }

    /// The CSS class.
    pub fn class(self) -> &'static str {
        match self {
            Shade::Class(k) => CLASS_NAMES[usize::from(k.clamp(1, 5)) - 1],
            Shade::None => "map-none",
            Shade::NoData => "map-nodata",
        }
    }
}

/// The class limits as legend labels: "under 5 %", "5 to 15 %", ..., "50 % or more".
pub fn class_labels() -> [String; 5] {
    let p = |f: f64| format!("{:.0}", f * 100.0);
    let l = CLASS_LIMITS;
    [
        format!("under {} %", p(l[0])),
        format!("{} to {} %", p(l[0]), p(l[1])),
        format!("{} to {} %", p(l[1]), p(l[2])),
        format!("{} to {} %", p(l[2]), p(l[3])),
        format!("{} % or more", p(l[3])),
    ]
}

/// A share for reading: as [`pct`], but a share above zero never reads "0 %".
fn share_text(share: f64) -> String {
    if share > 0.0 && share < 0.0005 {
        "under 0.1 %".into()
    } else {
        pct(share)
    }
}

fn basis_text(basis: MixBasis) -> &'static str {
    match basis {
        MixBasis::User => "from the sourcing you entered",
        MixBasis::World => "from the world mix, as you did not enter your sourcing",
        MixBasis::Trade => {
            "from the production and imports of your suppliers' countries, as you did not enter your sourcing"
        }
        MixBasis::Mixed => "from your sourcing where you entered it, the world mix elsewhere",
        MixBasis::Unavailable => "with no data",
    }
}

/// The map's text alternative: the largest supplier, how many countries reach the second class,
/// the unnamed remainder, what is too small to draw and where the figures come from.
///
/// `on_map` tells whether a country has a shape on the map.
pub fn summary(
    reference: &ReferenceData,
    view: &CountryExposure,
    on_map: impl Fn(CountryCode) -> bool,
) -> String {
    let mut out = String::new();
    if let Some((country, share)) = view.countries().next() {
        out.push_str(&format!(
            "{} of {} comes from {}",
            share_text(share),
            view.view.supply(),
            country_name(reference, country)
        ));
        let above = view
            .countries()
            .filter(|(_, s)| *s >= CLASS_LIMITS[0])
            .count();
        let countries = if above == 1 { "country" } else { "countries" };
        out.push_str(&format!(
            "; {above} {countries} at {} or more.",
            pct(CLASS_LIMITS[0])
        ));
    } else {
        out.push_str(&format!(
            "No source names a country for {}.",
            view.view.supply()
        ));
    }
    let rest = view.rest_of_world();
    if rest > 0.0 {
        out.push_str(&format!(
            " {} is not named by country in the sources (rest of world).",
            share_text(rest)
        ));
    }
    let hidden: Vec<String> = view
        .countries()
        .filter(|(c, _)| !on_map(*c))
        .map(|(c, _)| country_name(reference, c))
        .collect();
    if !hidden.is_empty() {
        out.push_str(&format!(
            " Too small to draw at this scale, in the table: {}.",
            hidden.join(", ")
        ));
    }
    out.push_str(&format!(
        " Weighted by spend over lines making up {} of your spend, {}.",
        pct(view.covered),
        basis_text(view.basis)
    ));
    out
}

/// The world map of the figures it is given.
#[component]
pub fn WorldMap(props: &WorldMapProps) -> Html {
    let views = use_memo(props.data.clone(), |data| {
        serde_json::from_str::<Vec<CountryExposure>>(data).unwrap_or_default()
    });
    let chosen = use_state(|| None::<ExposureView>);
    let on_view = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            chosen.set(ExposureView::ALL.into_iter().find(|v| v.id() == value));
        })
    };
    let current = chosen
        .and_then(|c| views.iter().find(|v| v.view == c))
        .or_else(|| views.iter().find(|v| v.view == ExposureView::Refining))
        .or_else(|| views.first());
    let Some(view) = current else {
        return html! {
            <p class="muted" data-testid="world-map">{ "No stage of this portfolio has country data to map." }</p>
        };
    };
    let reference = crate::reference::embedded();
    let map = world_map();
    let code_of = |key: &str| CountryCode::parse(key);
    let on_map = |c: CountryCode| map.countries.contains_key(c.as_str());
    let text = summary(reference, view, on_map);
    let [_, _, width, height] = map.view_box;
    let labels = class_labels();
    let rest = view.rest_of_world();
    let nodata_label = if rest > 0.0 {
        format!(
            "No data: not named by the sources, which leave {} to the rest of the world",
            share_text(rest)
        )
    } else {
        "No data: no country code in the map".to_string()
    };
    let title = |code: CountryCode, shade: Shade| -> String {
        let name = country_name(reference, code);
        match shade {
            Shade::Class(_) => format!("{name}: {}", share_text(view.share_of(code))),
            Shade::None => format!("{name}: no exposure"),
            Shade::NoData => format!(
                "{name}: not named by the sources (rest of world {})",
                share_text(rest)
            ),
        }
    };
    html! {
        <div class="world-map" data-testid="world-map" data-view={view.view.id()}>
            <div class="field map-view">
                <label for="map-view">{ "Stage shown" }</label>
                <select id="map-view" onchange={on_view} data-testid="map-view">
                    for v in views.iter() {
                        <option value={v.view.id()} selected={v.view == view.view}>
                            { if v.covered < 0.9995 { format!("{} ({} of spend)", v.view.label(), pct(v.covered)) } else { v.view.label().to_string() } }
                        </option>
                    }
                </select>
            </div>
            <figure class="chart-card">
            <figcaption>
                <strong id="world-map-title">{ format!("Share of supply by country: {}", view.view.label().to_lowercase()) }</strong>
                <p class="small" id="world-map-desc" data-testid="map-summary">{ &text }</p>
            </figcaption>
            <ChartExport name={format!("world-map-{}", view.view.id())} title={format!("World map, {}", view.view.label().to_lowercase())}>
                <svg class="chart map" viewBox={format!("0 0 {width} {height}")} role="img"
                    aria-labelledby="world-map-title world-map-desc">
                    <title>{ format!("Share of supply by country, {}. {text}", view.view.label().to_lowercase()) }</title>
                    <defs>
                        // Wide enough to stay a visible texture on a 360 px phone.
                        <pattern id="map-hatch" width="20" height="20" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                            <rect width="20" height="20" class="map-hatch-bg" />
                            <path d="M0 0v20" class="map-hatch-line" />
                        </pattern>
                    </defs>
                    <g class="map-land">
                        for (key, d) in &map.countries {
                            {
                                match code_of(key) {
                                    Some(code) => {
                                        let shade = Shade::of(view, code);
                                        html! {
                                            <path d={d.as_str()} class={shade.class()} data-code={key.as_str()}>
                                                <title>{ title(code, shade) }</title>
                                            </path>
                                        }
                                    }
                                    None => html! {},
                                }
                            }
                        }
                        for (name, d) in &map.uncoded {
                            <path d={d.as_str()} class="map-nodata">
                                <title>{ format!("{name}: no country code in the map data, not shaded") }</title>
                            </path>
                        }
                    </g>
                    // The legend inside the drawing, for the downloaded files only (style.css
                    // hides it on screen, where the list below is the legend).
                    <g class="map-export-legend" transform={format!("translate(30 {})", height.saturating_sub(300))}>
                        for (i, (class, label)) in CLASS_NAMES.iter().zip(labels.iter()).enumerate() {
                            <rect x="0" y={(i * 40).to_string()} width="36" height="28" class={*class} />
                            <text x="48" y={(i * 40 + 22).to_string()} font-size="26">{ label }</text>
                        }
                        <rect x="0" y="200" width="36" height="28" class="map-none" />
                        <text x="48" y="222" font-size="26">{ "no exposure" }</text>
                        <rect x="0" y="240" width="36" height="28" class="map-nodata" />
                        <text x="48" y="262" font-size="26">{ "no data" }</text>
                    </g>
                </svg>
            </ChartExport>
            <ul class="legend" aria-hidden="true" data-testid="map-legend">
                for (class, label) in CLASS_NAMES.iter().zip(labels.iter()) {
                    <li><span class={classes!("swatch", *class)}></span>{ label }</li>
                }
                <li><span class="swatch map-none"></span>{ "No exposure" }</li>
                <li><span class="swatch map-nodata"></span>{ nodata_label }</li>
            </ul>
            <DataTable label={format!("World map data, {}", view.view.label().to_lowercase())}>
                <caption class="muted small">
                    { format!("Share of {} by country, largest first.", view.view.supply()) }
                    if rest > 0.0 { { format!(" Rest of world (not named by country): {}.", share_text(rest)) } }
                </caption>
                <thead><tr>
                    <th scope="col">{ "Country" }</th>
                    <th scope="col" class="num">{ "Share" }</th>
                    <th scope="col">{ "Class" }</th>
                </tr></thead>
                <tbody data-testid="map-table">
                    for (code, share) in view.countries() {
                        <tr data-code={code.to_string()}>
                            <td>{ country_name(reference, code) }if !on_map(code) { <span class="muted">{ " (too small to draw)" }</span> }</td>
                            <td class="num">{ share_text(share) }</td>
                            <td>{ exposure_class(share).map(|k| labels[usize::from(k) - 1].clone()).unwrap_or_default() }</td>
                        </tr>
                    }
                </tbody>
            </DataTable>
            </figure>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::embedded;

    fn c(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap()
    }

    fn view(shares: &[(&str, f64)]) -> CountryExposure {
        CountryExposure {
            view: ExposureView::Refining,
            basis: MixBasis::Mixed,
            covered: 1.0,
            shares: shares.iter().map(|(k, s)| (c(k), *s)).collect(),
        }
    }

    #[test]
    fn shades_follow_the_classes_and_the_remainder() {
        let v = view(&[("CHN", 0.62), ("JPN", 0.05), ("ROW", 0.33)]);
        assert_eq!(Shade::of(&v, c("CHN")), Shade::Class(5));
        assert_eq!(Shade::of(&v, c("JPN")), Shade::Class(2));
        assert_eq!(Shade::of(&v, c("FRA")), Shade::NoData);
        let all_named = view(&[("CHN", 0.9), ("JPN", 0.1)]);
        assert_eq!(Shade::of(&all_named, c("FRA")), Shade::None);
        assert_eq!(Shade::Class(5).class(), "map-k5");
        assert_eq!(Shade::NoData.class(), "map-nodata");
    }

    #[test]
    fn legend_labels_give_the_limits() {
        assert_eq!(
            class_labels(),
            [
                "under 5 %",
                "5 to 15 %",
                "15 to 30 %",
                "30 to 50 %",
                "50 % or more"
            ]
        );
    }

    #[test]
    fn the_summary_names_the_largest_supplier_and_counts_the_rest() {
        let v = view(&[
            ("CHN", 0.62),
            ("JPN", 0.1),
            ("KOR", 0.06),
            ("FIN", 0.05),
            ("SGP", 0.03),
            ("ROW", 0.14),
        ]);
        let text = summary(embedded(), &v, |code| code != c("SGP"));
        assert!(
            text.starts_with(
                "62 % of your refining supply comes from China; 4 countries at 5 % or more."
            ),
            "{text}"
        );
        assert!(text.contains("14 % is not named by country"), "{text}");
        assert!(
            text.contains("Too small to draw at this scale, in the table: Singapore."),
            "{text}"
        );
        assert!(
            text.contains("lines making up 100 % of your spend"),
            "{text}"
        );
    }

    #[test]
    fn the_payload_carries_every_view_of_the_demo() {
        let reference = embedded();
        let derived = crate::app::results::derive(
            &crate::app::demo_portfolio(),
            reference,
            &Default::default(),
        );
        let views: Vec<CountryExposure> = serde_json::from_str(&map_payload(&derived)).unwrap();
        let ids: Vec<&str> = views.iter().map(|v| v.view.id()).collect();
        assert_eq!(ids, ["mining", "refining", "component", "direct"]);
        let refining = views
            .iter()
            .find(|v| v.view == ExposureView::Refining)
            .unwrap();
        assert_eq!(refining.countries().next().map(|(c, _)| c), Some(c("CHN")));
        assert!(
            map_payload(&derived).len() < 16_000,
            "payload {} bytes",
            map_payload(&derived).len()
        );
    }
}
