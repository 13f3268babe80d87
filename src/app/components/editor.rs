//! The input editor: one card per portfolio line (material, label, spend, revenue dependence,
//! inventory) with a sourcing editor per stage. Messages appear next to the field that caused
//! them, with one-click fixes (normalise, fill the remainder); warnings (an entry the reference
//! data contradicts, kept as entered) appear next to their field too.

use crate::app::components::material_picker::MaterialPicker;
use crate::app::state::{Action, LineField, PortfolioField};
use crate::model::Stage;
use crate::model::context::{Customer, EndUse, Jurisdiction};
use crate::portfolio::warnings::SourcingWarning;
use crate::portfolio::{
    Field, Location, LookThroughBasis, RawLine, RawNumber, RawPortfolio, RawStageSourcing,
    ValidationError,
};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The editor's title (also shown while the editor loads, `part_views`).
pub const TITLE: &str = "What you buy, and from where";

/// Properties of [`Editor`].
#[derive(Properties, PartialEq, Clone)]
pub struct EditorProps {
    /// The portfolio as typed.
    pub portfolio: Rc<RawPortfolio>,
    /// Every validation problem.
    pub errors: Rc<Vec<ValidationError>>,
    /// Every sourcing warning.
    #[prop_or_default]
    pub warnings: Rc<Vec<SourcingWarning>>,
    /// Called with each edit.
    pub on_action: Callback<Action>,
}

/// From this many lines on, line cards off the screen are neither laid out nor painted
/// (`content-visibility` in style.css), so an edit in a long portfolio repaints in time.
const LONG_PORTFOLIO: usize = 24;

/// The portfolio editor.
#[component]
pub fn Editor(props: &EditorProps) -> Html {
    let reference = crate::reference::embedded_current();
    let add = props.on_action.reform(|_: MouseEvent| Action::AddLine);
    // The editor comes with the pages' part, after the first screen (part_views): its countries'
    // list in the task after its first render, then its lines two per task (crate::app::later).
    let later = crate::app::later::use_later_at(1);
    let drawn = crate::app::later::use_drawn(2, 2, props.portfolio.lines.len());
    let set = |field: PortfolioField| {
        props
            .on_action
            .reform(move |e: Event| Action::EditPortfolio {
                field,
                text: e.target_unchecked_into::<HtmlSelectElement>().value(),
            })
    };
    let portfolio = &props.portfolio;
    html! {
        <section aria-labelledby="editor-title" class={classes!("editor", (props.portfolio.lines.len() > LONG_PORTFOLIO).then_some("long"))}>
            <h2 id="editor-title">{ TITLE }</h2>
            <fieldset class="card policy-context" data-testid="policy-context">
                <legend>{ "Where you sell, and to whom" }</legend>
                <p class="small muted">{ "Sourcing rules bind some markets and customers only: IRC 30D the US market, the DFARS magnet and specialty-metal rules suppliers of the US Department of Defense. Not given, such rules are reported as not applicable." }</p>
                <div class="line-fields">
                    { choice_field(
                        "portfolio-jurisdiction".into(), "Market (jurisdiction)", portfolio.jurisdiction.clone(),
                        Jurisdiction::ALL.iter().map(|j| (j.id(), j.label())).collect(),
                        field_messages(&props.errors, |f| *f == Field::Jurisdiction), set(PortfolioField::Jurisdiction)) }
                    { choice_field(
                        "portfolio-customer".into(), "Customers", portfolio.customer.clone(),
                        Customer::ALL.iter().map(|c| (c.id(), c.label())).collect(),
                        field_messages(&props.errors, |f| *f == Field::Customer), set(PortfolioField::Customer)) }
                </div>
            </fieldset>
            // The countries' list (some 200 options) is only used by the lines' fields, drawn
            // with them.
            if later {
                <datalist id="country-codes">
                    for country in &reference.countries {
                        <option value={country.code.to_string()} label={country.name.clone()} />
                    }
                    <option value="ROW" label="Rest of world" />
                </datalist>
            }
            <div class="editor-lines" aria-busy={(drawn < props.portfolio.lines.len()).then_some("true")}>
            for (index, line) in props.portfolio.lines.iter().enumerate().take(drawn) {
                <LineEditor
                    key={index}
                    index={index}
                    line={line.clone()}
                    errors={props.errors.iter().filter(|e| is_line(e, index)).cloned().collect::<Vec<_>>()}
                    warnings={props.warnings.iter().filter(|w| on_line(&w.location, index)).cloned().collect::<Vec<_>>()}
                    on_action={props.on_action.clone()}
                />
            }
            </div>
            <p><button type="button" onclick={add} data-testid="add-line">{ "Add a line" }</button></p>
            <LookThroughSetting typed={props.portfolio.look_through.clone()}
                errors={field_messages(&props.errors, |f| *f == Field::LookThrough)}
                on_action={props.on_action.clone()} />
        </section>
    }
}

/// Properties of [`LookThroughSetting`].
#[derive(Properties, PartialEq)]
struct LookThroughProps {
    /// The portfolio's `look_through` as typed (absent: trade).
    typed: Option<String>,
    /// Messages about it (an unknown value read from a file).
    errors: Vec<String>,
    on_action: Callback<Action>,
}

/// The portfolio's look-through setting: fill unstated stages by trade or by world production.
#[component]
fn LookThroughSetting(props: &LookThroughProps) -> Html {
    let current = match props.typed.as_deref().map(str::trim) {
        None | Some("") => Some(LookThroughBasis::default()),
        Some(text) => LookThroughBasis::parse(text),
    };
    let option = |basis: LookThroughBasis, label: &'static str, hint: &'static str| {
        let onchange = props
            .on_action
            .reform(move |_: Event| Action::SetLookThrough(basis));
        html! {
            <label>
                <input type="radio" name="look-through" value={basis.id()}
                    checked={current == Some(basis)} {onchange}
                    data-testid={format!("look-through-{}", basis.id())} />
                { label }<span class="muted small">{ hint }</span>
            </label>
        }
    };
    html! {
        <fieldset class="look-through" data-testid="look-through">
            <legend>{ "Look through unknown upstream stages by" }</legend>
            <div class="stage-choice">
                { option(LookThroughBasis::Trade, "trade",
                    " (the countries you name: their own production and their imports, CEPII BACI 2022-2024; world production where trade data is missing)") }
                { option(LookThroughBasis::World, "world production",
                    " (world country shares of each stage, as if your suppliers sourced like the world market)") }
            </div>
            for message in &props.errors {
                <p class="error" role="alert">{ message }</p>
            }
        </fieldset>
    }
}

fn is_line(error: &ValidationError, index: usize) -> bool {
    on_line(&error.location, index)
}

fn on_line(location: &Location, index: usize) -> bool {
    matches!(location, Location::Line { line, .. } if *line == index + 1)
}

#[derive(Properties, PartialEq)]
struct LineProps {
    index: usize,
    line: RawLine,
    errors: Vec<ValidationError>,
    warnings: Vec<SourcingWarning>,
    on_action: Callback<Action>,
}

fn typed(number: &Option<RawNumber>) -> String {
    match number {
        None => String::new(),
        Some(RawNumber::Text(text)) => text.clone(),
        Some(RawNumber::Number(value)) => value.to_string(),
    }
}

fn field_messages(errors: &[ValidationError], pick: impl Fn(&Field) -> bool) -> Vec<String> {
    errors
        .iter()
        .filter(|e| pick(&e.field))
        .map(|e| e.problem.to_string())
        .collect()
}

/// A choice among `options` (id, label) with "Not given" first, its label and its error
/// messages. A value typed in a file that is not an option is kept and shown as such, so that
/// nothing the user entered is lost.
fn choice_field(
    id: String,
    label: &str,
    value: Option<String>,
    options: Vec<(&'static str, &'static str)>,
    messages: Vec<String>,
    onchange: Callback<Event>,
) -> Html {
    let error_id = format!("{id}-error");
    let invalid = !messages.is_empty();
    let value = value.unwrap_or_default();
    let unknown = !value.trim().is_empty()
        && !options
            .iter()
            .any(|(o, _)| o.eq_ignore_ascii_case(value.trim()));
    html! {
        <div class="field">
            <label for={id.clone()}>{ label }</label>
            <select id={id} {onchange}
                aria-invalid={invalid.then_some("true")}
                aria-describedby={invalid.then_some(error_id.clone())}>
                <option value="" selected={value.trim().is_empty()}>{ "Not given" }</option>
                for (option, text) in options {
                    <option value={option} selected={option.eq_ignore_ascii_case(value.trim())}>{ text }</option>
                }
                if unknown {
                    <option value={value.clone()} selected=true>{ format!("{value} (not recognised)") }</option>
                }
            </select>
            if invalid {
                <p class="field-error" id={error_id}>{ messages.join("; ") }</p>
            }
        </div>
    }
}

/// One input with its label and its error messages, wired for assistive technology.
fn text_field(
    id: String,
    label: &str,
    value: String,
    messages: Vec<String>,
    inputmode: &'static str,
    oninput: Callback<InputEvent>,
) -> Html {
    let error_id = format!("{id}-error");
    let invalid = !messages.is_empty();
    html! {
        <div class="field">
            <label for={id.clone()}>{ label }</label>
            <input id={id} type="text" inputmode={inputmode} value={value} {oninput}
                aria-invalid={invalid.then_some("true")}
                aria-describedby={invalid.then_some(error_id.clone())} />
            if invalid {
                <p class="field-error" id={error_id}>{ messages.join("; ") }</p>
            }
        </div>
    }
}

#[component]
fn LineEditor(props: &LineProps) -> Html {
    let reference = crate::reference::embedded_current();
    let index = props.index;
    let on_action = props.on_action.clone();
    let edit = move |field: LineField| {
        on_action.reform(move |e: InputEvent| Action::EditLine {
            line: index,
            field,
            text: e.target_unchecked_into::<HtmlInputElement>().value(),
        })
    };
    let on_material = props
        .on_action
        .reform(move |text: String| Action::EditLine {
            line: index,
            field: LineField::Material,
            text,
        });
    let remove = props
        .on_action
        .reform(move |_: MouseEvent| Action::RemoveLine(index));
    let on_end_use = props.on_action.reform(move |e: Event| Action::EditLine {
        line: index,
        field: LineField::EndUse,
        text: e.target_unchecked_into::<HtmlSelectElement>().value(),
    });
    let line = &props.line;
    let material = line.material.clone().unwrap_or_default();
    let id = |name: &str| format!("line{index}-{name}");
    let title = line.label.clone().unwrap_or_else(|| {
        reference
            .material(&material)
            .map_or_else(|| format!("Line {}", index + 1), |m| m.name.clone())
    });
    let material_errors = field_messages(&props.errors, |f| *f == Field::Material);
    let other_errors = field_messages(&props.errors, |f| {
        matches!(f, Field::Sourcing | Field::Other(_) | Field::SchemaVersion)
    });
    html! {
        <fieldset class="card line-editor" data-testid="line-editor">
            <legend>{ format!("{}. {title}", index + 1) }</legend>
            <div class="line-fields">
                <div class="field">
                    <label for={id("material")}>{ "Material" }</label>
                    <MaterialPicker id={id("material")} value={material.clone()}
                        messages={material_errors} on_change={on_material} />
                </div>
                { text_field(id("label"), "Label (part, product or supplier)", line.label.clone().unwrap_or_default(), vec![], "text", edit(LineField::Label)) }
                { text_field(id("spend"), "Annual spend", typed(&line.spend), field_messages(&props.errors, |f| *f == Field::Spend), "decimal", edit(LineField::Spend)) }
                { text_field(id("revenue"), "Revenue depending on it (%)", typed(&line.revenue_share_pct), field_messages(&props.errors, |f| *f == Field::RevenueShare), "decimal", edit(LineField::RevenueShare)) }
                { text_field(id("inventory"), "Days of inventory", typed(&line.inventory_days), field_messages(&props.errors, |f| *f == Field::InventoryDays), "decimal", edit(LineField::InventoryDays)) }
                { choice_field(id("end-use"), "End use (what it goes into)", line.end_use.clone(),
                    EndUse::ALL.iter().map(|e| (e.id(), e.label())).collect(),
                    field_messages(&props.errors, |f| *f == Field::EndUse), on_end_use) }
            </div>
            if !other_errors.is_empty() {
                <p class="field-error">{ other_errors.join("; ") }</p>
            }
            <div class="stages">
                for stage in Stage::ALL {
                    <StageEditor
                        line={index}
                        stage={stage}
                        sourcing={line.stage(stage).cloned()}
                        facility_count={line.is_facility_count(stage)}
                        errors={props.errors.iter().filter(|e| matches!(&e.field, Field::Stage(s) | Field::Country(s, _) if *s == stage)).cloned().collect::<Vec<_>>()}
                        warnings={props.warnings.iter().filter(|w| matches!(&w.field, Field::Country(s, _) if *s == stage)).map(|w| (w.field.clone(), w.message.clone())).collect::<Vec<_>>()}
                        world_available={reference.world_mix(&material, stage).is_some()}
                        on_action={props.on_action.clone()}
                    />
                }
            </div>
            <p class="line-actions">
                <button type="button" class="secondary" onclick={remove}
                    aria-label={format!("Remove line {} ({title})", index + 1)}>{ "Remove line" }</button>
            </p>
        </fieldset>
    }
}

#[derive(Properties, PartialEq)]
struct StageProps {
    line: usize,
    stage: Stage,
    /// Whether the mix counts facilities (supplier declarations) rather than volumes.
    #[prop_or_default]
    facility_count: bool,
    sourcing: Option<RawStageSourcing>,
    errors: Vec<ValidationError>,
    /// The stage's warnings: the country field and the message.
    warnings: Vec<(Field, String)>,
    world_available: bool,
    on_action: Callback<Action>,
}

#[component]
fn StageEditor(props: &StageProps) -> Html {
    let (line, stage) = (props.line, props.stage);
    let group = format!("line{line}-{}", stage.id());
    let set_known = |known: bool| {
        props
            .on_action
            .reform(move |_: Event| Action::SetStageKnown { line, stage, known })
    };
    let known = matches!(props.sourcing, Some(RawStageSourcing::Mix(_)));
    let unknown_label = match (stage, props.world_available) {
        (Stage::Component, _) => "Not bought as a component",
        (_, true) => "Unknown: fill in from trade or the world mix (setting below)",
        (_, false) => "Unknown (no world data for this stage)",
    };
    let stage_messages: Vec<String> = props
        .errors
        .iter()
        .filter(|e| matches!(e.field, Field::Stage(_)))
        .map(|e| e.problem.to_string())
        .collect();
    html! {
        <fieldset class="stage-editor" data-testid={format!("stage-{}", stage.id())}>
            <legend>{ stage.label() }</legend>
            <div class="stage-choice" role="radiogroup" aria-label={format!("{} sourcing", stage.label())}>
                <label>
                    <input type="radio" name={group.clone()} checked={!known}
                        onchange={set_known(false)} data-testid="stage-unknown" />
                    { unknown_label }
                </label>
                <label>
                    <input type="radio" name={group.clone()} checked={known}
                        onchange={set_known(true)} data-testid="stage-known" />
                    { "I know my countries" }
                </label>
            </div>
            if props.facility_count {
                <p class="small notice" data-testid="facility-count-note">{ "Shares by number of facilities (from supplier declarations), not by volume: concentration counts facilities, and policy checks read only which countries are present." }</p>
            }
            if let Some(RawStageSourcing::Mix(mix)) = &props.sourcing {
                <table class="mix-table">
                    <thead><tr>
                        <th scope="col">{ "Country (ISO code)" }</th>
                        <th scope="col">{ "Share (%)" }</th>
                        <th scope="col"><span class="visually-hidden">{ "Remove" }</span></th>
                    </tr></thead>
                    <tbody>
                        for (row, (code, share)) in mix.0.iter().enumerate() {
                            { mix_row(props, row, code, share) }
                        }
                    </tbody>
                </table>
                <p class="mix-tools">
                    <span class="muted small">{ format!("Sum {:.1} %", mix.typed_sum()) }</span>
                    <button type="button" class="secondary" onclick={props.on_action.reform(move |_: MouseEvent| Action::AddCountry { line, stage })}>{ "Add country" }</button>
                    <button type="button" class="secondary" onclick={props.on_action.reform(move |_: MouseEvent| Action::Normalise { line, stage })}>{ "Normalise to 100 %" }</button>
                    <button type="button" class="secondary" onclick={props.on_action.reform(move |_: MouseEvent| Action::FillRemainder { line, stage })}>{ "Fill remainder as rest of world" }</button>
                </p>
            }
            if !stage_messages.is_empty() {
                <p class="field-error" role="alert">{ stage_messages.join("; ") }</p>
            }
        </fieldset>
    }
}

fn mix_row(props: &StageProps, row: usize, code: &str, share: &RawNumber) -> Html {
    let (line, stage) = (props.line, props.stage);
    let id = format!("line{line}-{}-{row}", stage.id());
    let messages: Vec<String> = props
        .errors
        .iter()
        .filter(|e| matches!(&e.field, Field::Country(_, c) if c == code))
        .map(|e| e.problem.to_string())
        .collect();
    let invalid = !messages.is_empty();
    let warnings: Vec<&str> = props
        .warnings
        .iter()
        .filter(|(field, _)| matches!(field, Field::Country(_, c) if c == code))
        .map(|(_, message)| message.as_str())
        .collect();
    // The error if there is one, else the warning.
    let described = if invalid {
        Some(format!("{id}-error"))
    } else {
        (!warnings.is_empty()).then(|| format!("{id}-warning"))
    };
    let on_code = props
        .on_action
        .reform(move |e: InputEvent| Action::EditCountry {
            line,
            stage,
            row,
            text: e.target_unchecked_into::<HtmlInputElement>().value(),
        });
    let on_share = props
        .on_action
        .reform(move |e: InputEvent| Action::EditShare {
            line,
            stage,
            row,
            text: e.target_unchecked_into::<HtmlInputElement>().value(),
        });
    let remove = props
        .on_action
        .reform(move |_: MouseEvent| Action::RemoveCountry { line, stage, row });
    html! {
        <tr>
            <td>
                <input id={format!("{id}-code")} type="text" list="country-codes" size="5"
                    value={code.to_string()} oninput={on_code} data-testid="country-code"
                    aria-label={format!("{} country {}", stage.label(), row + 1)}
                    aria-invalid={invalid.then_some("true")}
                    aria-describedby={described} />
                if invalid {
                    <p class="field-error" id={format!("{id}-error")}>{ messages.join("; ") }</p>
                }
                if !warnings.is_empty() {
                    <p class="field-warning" id={format!("{id}-warning")} data-testid="field-warning">{ warnings.join(" ") }</p>
                }
            </td>
            <td>
                <input id={format!("{id}-share")} type="text" inputmode="decimal" size="6"
                    value={typed(&Some(share.clone()))} oninput={on_share} data-testid="country-share"
                    aria-label={format!("{} share of country {} (%)", stage.label(), row + 1)} />
            </td>
            <td>
                <button type="button" class="secondary" onclick={remove}
                    aria-label={format!("Remove country {} from {}", row + 1, stage.label())}>{ "×" }</button>
            </td>
        </tr>
    }
}
