//! The embed widget (`embed.html#/embed?…`, its own lazily loaded bundle `embed-widget`): a template picker, the headline results, the top
//! chokepoints and links out, without the site's navigation or footer. It applies the host's
//! theme through CSS custom properties on the root element (CSSOM, no `style` attributes), reports
//! its height to the parent page with a `ResizeObserver`, and posts the visitor's summary only
//! after the visitor clicks the share button. Configuration and messages: [`crate::app::embed`].

use crate::analysis::assess::{AssessParams, Assessment};
use crate::analysis::start::units_per_year;
use crate::app::embed::{EmbedConfig, Payload, Summary};
use crate::app::format::{country_name, material_name, money, pct, thousands};
use crate::app::results::derive;
use crate::portfolio::templates::to_portfolio;
use crate::reference::templates::templates;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Chokepoints listed before "show more".
const SHORT_LIST: usize = 3;
/// Chokepoints listed after "show more".
const LONG_LIST: usize = 10;

/// Properties of [`EmbedWidget`].
#[derive(Properties, PartialEq)]
pub struct EmbedProps {
    /// The validated configuration.
    pub config: Rc<EmbedConfig>,
}

/// The embed widget.
#[component]
pub fn EmbedWidget(props: &EmbedProps) -> Html {
    let config = props.config.clone();
    let all = templates();
    let selected = use_state(|| {
        config
            .template
            .clone()
            .or_else(|| all.first().map(|t| t.id.clone()))
            .unwrap_or_default()
    });
    let units = use_state(|| "1000".to_string());
    let expanded = use_state(|| false);
    let sent = use_state(|| None::<String>);
    let root = use_node_ref();
    let units_value = units_per_year(&units);
    let derived = use_memo(
        ((*selected).clone(), units_value.map(f64::to_bits)),
        |(id, units)| {
            let template = all.iter().find(|t| t.id == *id)?;
            let units = f64::from_bits((*units)?);
            let reference = crate::reference::embedded_current();
            let portfolio = to_portfolio(template, units, reference).portfolio;
            derive(&portfolio, reference, &AssessParams::default()).assessment
        },
    );
    {
        let config = config.clone();
        use_effect_with((), move |_| {
            apply_theme(&config);
        });
    }
    {
        let root = root.clone();
        let config = config.clone();
        use_effect_with((), move |_| {
            let observer = observe_height(root, config);
            move || drop(observer)
        });
    }
    let on_select = {
        let selected = selected.clone();
        let sent = sent.clone();
        Callback::from(move |e: Event| {
            selected.set(e.target_unchecked_into::<HtmlSelectElement>().value());
            sent.set(None);
        })
    };
    let on_units = {
        let units = units.clone();
        let sent = sent.clone();
        Callback::from(move |e: InputEvent| {
            units.set(e.target_unchecked_into::<HtmlInputElement>().value());
            sent.set(None);
        })
    };
    let toggle = {
        let expanded = expanded.clone();
        Callback::from(move |_: MouseEvent| expanded.set(!*expanded))
    };
    let share = {
        let config = config.clone();
        let derived = derived.clone();
        let selected = selected.clone();
        let sent = sent.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(assessment) = derived.as_ref() {
                let summary = Summary::of(assessment, Some(selected.as_str()));
                if post(&config, &Payload::Summary { summary }) {
                    sent.set(config.host_name().map(str::to_string));
                }
            }
        })
    };
    let template = all.iter().find(|t| t.id == *selected);
    let reference = crate::reference::embedded_current();
    let shown = if *expanded { LONG_LIST } else { SHORT_LIST };
    html! {
        <div class="embed" ref={root} data-testid="app-ready">
            <header class="embed-head">
                if let Some(logo) = &config.logo {
                    <img class="embed-logo" src={logo.clone()} alt={config.logo_alt.clone().unwrap_or_default()} />
                }
                <h1>{ "Where do your critical minerals come from?" }</h1>
            </header>
            <main class="embed-main">
                <p class="small muted">{ "Illustrative industry templates with cited material intensities. Everything is computed in your browser: nothing you enter leaves it." }</p>
                <div class="embed-inputs">
                    <div class="field">
                        <label for="embed-template">{ "Product" }</label>
                        <select id="embed-template" onchange={on_select} data-testid="embed-template">
                            for t in all {
                                <option value={t.id.clone()} selected={t.id == *selected}>{ &t.name }</option>
                            }
                        </select>
                    </div>
                    <div class="field">
                        <label for="embed-units">{ template.map_or_else(|| "Quantity a year".to_string(), |t| format!("Quantity a year, in {}", t.unit_label)) }</label>
                        <input id="embed-units" type="text" inputmode="decimal" value={(*units).clone()} oninput={on_units}
                            aria-invalid={units_value.is_none().then_some("true")}
                            aria-describedby={units_value.is_none().then_some("embed-units-error")} />
                        if units_value.is_none() {
                            <p class="field-error" id="embed-units-error">{ "Enter a number of units above zero (at most 10^12)" }</p>
                        }
                    </div>
                </div>
                {
                    match derived.as_ref() {
                        Some(a) => results(reference, a, shown),
                        None => html! { <p class="headline" data-testid="embed-headline">{ "Pick a product and a number of units to see where its materials come from." }</p> },
                    }
                }
                if (*derived).as_ref().is_some_and(|a| a.chokepoints.len() > SHORT_LIST) {
                    <button type="button" class="secondary" onclick={toggle} aria-expanded={(*expanded).to_string()}
                        aria-controls="embed-chokepoints" data-testid="embed-more">
                        { if *expanded { "Show fewer chokepoints" } else { "Show more chokepoints" } }
                    </button>
                }
                <p class="embed-links">
                    if config.full_link {
                        <a href="./#/calculator" target="_blank" rel="noopener" data-testid="embed-full">{ "Open the full calculator (new tab)" }</a>
                    }
                    if let Some(cta) = &config.cta {
                        <a class="button" href={cta.href.clone()} target="_blank" rel="noopener" data-testid="embed-cta">{ &cta.label }</a>
                    }
                </p>
                if let (Some(host), true) = (config.host_name(), derived.is_some()) {
                    <div class="embed-share">
                        <button type="button" onclick={share} data-testid="embed-share">{ format!("Send my summary to {host}") }</button>
                        <p class="small muted" data-testid="embed-share-note">{ format!("Only when you click, {host} gets: the product, its number of materials, the top chokepoint (material, stage, country and its share) and the number of materials per action. Not the quantity you entered, nor any amount computed from it.") }</p>
                        <p role="status" class="small" data-testid="embed-sent">
                            if let Some(to) = &*sent { { format!("Summary sent to {to}.") } }
                        </p>
                    </div>
                }
            </main>
        </div>
    }
}

/// Quantities in full (`2 980 kg`), money in compact form (`4.2 M EUR`).
fn amount(value: f64, unit: Option<&str>) -> String {
    match unit {
        Some(unit) if unit == crate::reference::templates::QUANTITY_UNIT => {
            format!("{} {unit}", thousands(value))
        }
        _ => money(value, unit),
    }
}

fn results(reference: &crate::reference::ReferenceData, a: &Assessment, shown: usize) -> Html {
    let unit = a.totals.spend_unit.as_deref();
    let top = a.chokepoints.first();
    html! {
        <>
            <div class="card headline" data-testid="embed-headline" aria-live="polite">
                <p>
                    { format!("{} materials, {} a year. ", a.totals.materials, amount(a.totals.spend, unit)) }
                    if let Some(c) = top {
                        { "Largest chokepoint: " }
                        <strong>{ format!("{} supplies {} of the {} of {}", country_name(reference, c.country), pct(c.share),
                            c.stage.label().to_lowercase(), material_name(reference, &c.material)) }</strong>
                        { "." }
                    }
                </p>
                <p class="small">
                    { crate::app::format::action_counts(&a.totals.actions) }
                </p>
            </div>
            <h2>{ "Top chokepoints" }</h2>
            <ol class="chokepoints" id="embed-chokepoints" data-testid="embed-chokepoints">
                for c in a.chokepoints.iter().take(shown) {
                    <li>
                        <strong>{ format!("{}, {}, {}", material_name(reference, &c.material), c.stage.label().to_lowercase(), country_name(reference, c.country)) }</strong>
                        { format!(": {} of supply, {} exposed", pct(c.share), amount(c.spend_exposed, unit)) }
                    </li>
                }
            </ol>
        </>
    }
}

/// Sets the theme classes and the host's custom properties on the root element.
fn apply_theme(config: &EmbedConfig) {
    use crate::app::embed::Theme;
    let mut classes = vec!["embed-mode"];
    match config.theme {
        Theme::Light => classes.push("theme-light"),
        Theme::Dark => classes.push("theme-dark"),
        Theme::Auto => {}
    }
    let mut properties = Vec::new();
    if let Some(accent) = &config.accent {
        properties.push(("--accent", accent.as_str()));
        properties.push(("--accent-text", crate::app::embed::text_on(accent)));
    }
    if let Some(background) = &config.background {
        properties.push(("--bg", background.as_str()));
    }
    if let Some(font) = &config.font {
        properties.push(("--font", font.as_str()));
    }
    crate::app::browser::style_root(&classes, &properties);
}

/// Posts `payload` to the parent window, restricted to the configured origin. Returns whether a
/// message was posted (never when there is no parent or no origin).
fn post(config: &EmbedConfig, payload: &Payload) -> bool {
    let Some(origin) = config.origin.as_deref() else {
        return false;
    };
    let message = crate::app::embed::Message::new(config.id.as_deref(), payload.clone());
    crate::app::browser::post_to_parent(&message, origin)
}

/// Reports the height of `root` to the parent now and on every change; dropping the returned
/// value disconnects the observer.
fn observe_height(root: NodeRef, config: Rc<EmbedConfig>) -> crate::app::browser::Observer {
    crate::app::browser::observe_height(&root, move |height| {
        // Heights are small positive numbers; anything else is clamped.
        let height = height.ceil().clamp(0.0, f64::from(u32::MAX)) as u32;
        post(&config, &Payload::Resize { height });
    })
}

/// Mounts the widget with the configuration read from the location hash, after installing the
/// panic hook and logging each ignored parameter as a console warning. Called by the
/// `embed-widget` bundle, which `embed.html` loads; the app's own bundle never calls it.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    crate::app::panic::install();
    let hash = crate::app::browser::hash();
    let ids: Vec<&str> = templates().iter().map(|t| t.id.as_str()).collect();
    let (config, warnings) = crate::app::embed::parse(&hash, &ids);
    for warning in warnings {
        crate::app::browser::warn(&warning.to_string());
    }
    yew::Renderer::<EmbedWidget>::with_props(EmbedProps {
        config: Rc::new(config),
    })
    .render();
}
