//! The start screen: begin from an illustrative industry template, from a blank portfolio, or
//! from the demo. Templates give material quantities per unit of product from cited sources;
//! the user sets how many units a year.
//!
//! [`start_panel`] is a closed disclosure on the calculator; its content, [`StartOptions`] with
//! the template data, is drawn by the pages' part when the user first opens it
//! ([`crate::app::lazy`]), so the templates are no part of the first page load.

use crate::analysis::start::{blank_portfolio, units_per_year};
use crate::app::format::material_name;
use crate::app::lazy::{LazyDetails, Part};
use crate::app::state::Action;
use crate::portfolio::templates::to_portfolio;
use crate::reference::templates::{Industry, Template, TemplateKind, templates};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Properties of [`StartOptions`].
#[derive(Properties, PartialEq)]
pub struct StartProps {
    /// Called with the portfolio to load.
    pub on_action: Callback<Action>,
}

fn kind_label(kind: TemplateKind) -> &'static str {
    match kind {
        TemplateKind::Component => "component (do not add it to a product that contains it)",
        TemplateKind::Product => "whole product",
        TemplateKind::Consumable => "consumable, per use",
    }
}

/// The start panel: a disclosure that draws [`StartOptions`] (from the pages' part) once opened.
/// A function, not a component: [`LazyDetails`] holds the state.
pub fn start_panel(on_action: &Callback<Action>) -> Html {
    html! {
        <LazyDetails part={Part::Templates} class="start menu no-print" testid="start-panel"
            summary="Template or demo"
            on_action={on_action.clone()} />
    }
}

/// The start options: the industry templates with their cited quantities, a blank portfolio,
/// the demo, and the way to the import page.
#[component]
pub fn StartOptions(props: &StartProps) -> Html {
    let all = templates();
    let selected = use_state(|| all.first().map(|t| t.id.clone()).unwrap_or_default());
    let units = use_state(|| "1000".to_string());
    let template: Option<&'static Template> = all.iter().find(|t| t.id == *selected);
    let units_value = units_per_year(&units);
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |e: Event| {
            selected.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let on_units = {
        let units = units.clone();
        Callback::from(move |e: InputEvent| {
            units.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let use_template = {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| {
            if let (Some(t), Some(n)) = (template, units_value) {
                on_action.emit(Action::Load(
                    to_portfolio(t, n, crate::reference::embedded()).portfolio,
                ));
            }
        })
    };
    let blank = props
        .on_action
        .reform(|_: MouseEvent| Action::Load(blank_portfolio()));
    let demo = props
        .on_action
        .reform(|_: MouseEvent| Action::Load(crate::app::demo_portfolio()));
    let reference = crate::reference::embedded();
    let left_out = template
        .map(|t| to_portfolio(t, 1.0, reference).left_out)
        .unwrap_or_default();
    html! {
        <>
            <div class="start-grid">
                <div class="field">
                    <label for="template-select">{ "Industry template (illustrative)" }</label>
                    <select id="template-select" onchange={on_select} data-testid="template-select">
                        for industry in Industry::ALL {
                            <optgroup label={industry.label()}>
                                for t in all.iter().filter(|t| t.industry == industry) {
                                    <option value={t.id.clone()} selected={t.id == *selected}>{ format!("{} (per {})", t.name, t.unit_label) }</option>
                                }
                            </optgroup>
                        }
                    </select>
                </div>
                <div class="field">
                    <label for="template-units">{ template.map_or_else(|| "Units per year".to_string(), |t| format!("Units per year (1 unit = 1 {})", t.unit_label)) }</label>
                    <input id="template-units" type="text" inputmode="decimal" value={(*units).clone()} oninput={on_units}
                        aria-invalid={units_value.is_none().then_some("true")}
                        aria-describedby={units_value.is_none().then_some("template-units-error")} />
                    if units_value.is_none() {
                        <p class="field-error" id="template-units-error">{ "Enter a number of units above zero" }</p>
                    }
                </div>
            </div>
            if let Some(t) = template {
                <div class="template-detail">
                    <p>{ &t.description }</p>
                    <p class="small muted">{ format!("Kind: {}. Quantities are kilograms of material per {}; the portfolio's amounts are then kilograms a year, not money. Every listed material is taken as needed for the whole product (100 % of its revenue depends on it): adjust both to your case.", kind_label(t.kind), t.unit_label) }</p>
                    <table class="small">
                        <caption class="visually-hidden">{ format!("Materials per {}", t.unit_label) }</caption>
                        <thead><tr><th scope="col">{ "Material" }</th><th scope="col" class="num">{ format!("kg per {}", t.unit_label) }</th><th scope="col">{ "Source" }</th></tr></thead>
                        <tbody>
                            for item in t.items.iter().filter(|i| i.kg_per_unit.is_some() && i.material.is_some() && i.counted_in.is_none()) {
                                <tr>
                                    <td>{ item.material.as_deref().map(|m| material_name(reference, m)).unwrap_or_default() }</td>
                                    <td class="num">
                                        { item.kg_per_unit.map(|k| format!("{k}")).unwrap_or_default() }
                                        if let Some((lo, hi)) = item.range { <span class="muted">{ format!(" (sources: {lo}–{hi})") }</span> }
                                    </td>
                                    <td>{ item.sources.first().map(|s| format!("{}{}, {} confidence", s.title, s.year.map(|y| format!(" ({y})")).unwrap_or_default(), s.confidence.label())).unwrap_or_default() }</td>
                                </tr>
                            }
                        </tbody>
                    </table>
                    if !left_out.is_empty() {
                        <p class="small muted">
                            { "Not turned into lines: " }
                            { left_out.iter().map(|l| format!("{} ({})", l.material.as_deref().map(|m| material_name(reference, m)).unwrap_or_else(|| l.item.clone()), l.reason)).collect::<Vec<_>>().join("; ") }
                        </p>
                    }
                </div>
            }
            <p class="start-actions">
                <button type="button" onclick={use_template} disabled={template.is_none() || units_value.is_none()}
                    data-testid="use-template">{ "Use this template" }</button>
                <button type="button" class="secondary" onclick={blank} data-testid="start-blank">{ "Start blank" }</button>
                <button type="button" class="secondary" onclick={demo}>{ "Load the demo" }</button>
                <a class="button-link" href={crate::app::route::Route::Import.hash()} data-testid="start-import">{ "Import a file" }</a>
            </p>
        </>
    }
}
