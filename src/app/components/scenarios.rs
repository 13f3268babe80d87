//! The Scenarios page: what a real or hypothetical disruption would do to the portfolio, and a
//! Monte Carlo simulation of random disruptions run off the main thread in a Web Worker.

use crate::analysis::montecarlo::{
    CountryRate, DEFAULT_TRIALS, LONG_MEASURES, MAX_TRIALS, MonteCarloParams, StressPoint,
    country_rates,
};
use crate::analysis::policy::Date;
use crate::analysis::scenario::DEFAULT_SPARE_CAPACITY;
use crate::analysis::scenario::presets::{Basis, EventPreset, embedded_presets, events_researched};
use crate::app::components::chart_export::ChartExport;
use crate::app::components::data_table::DataTable;
use crate::app::format::{country_name, material_name, pct};
use crate::app::forms::scenarios::{
    CUSTOM, ScenarioAction, ScenarioField, ScenarioForm, derive, presets,
};
use crate::app::results::valid_part;
use crate::app::simulation::{SimMessage, SimOverride, SimRequest, SimSummary};
use crate::model::{CountryCode, Stage};
use crate::portfolio::RawPortfolio;
use std::collections::BTreeMap;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Properties of [`ScenariosPage`].
#[derive(Properties, PartialEq)]
pub struct ScenariosProps {
    /// The portfolio as typed.
    pub portfolio: Rc<RawPortfolio>,
    /// The check date set on the Calculator page, as typed (`YYYY-MM-DD`); events are judged
    /// on it. Empty or invalid: today.
    #[prop_or_default]
    pub check_date: AttrValue,
}

/// The date events are judged on: the check date as typed, else today (from the browser's
/// clock, read in the shell); `None` natively, where there is no clock.
pub fn check_date(typed: &str) -> Option<Date> {
    Date::parse(typed.trim())
        .ok()
        .or_else(|| Date::parse(crate::app::components::calculator::today().as_str()).ok())
}

fn value(e: &InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

fn number(text: &str) -> Option<f64> {
    crate::text::parse::number(text).ok()
}

/// Where a job in the worker stands.
#[derive(Clone, Debug, PartialEq)]
enum Job {
    Idle,
    Running {
        id: u32,
        done: u64,
        total: u64,
    },
    Done(Rc<SimSummary>, f64),
    Cancelled,
    Failed(String),
    /// The worker stopped without an answer (it could not be loaded, or it crashed).
    Stopped(String),
}

/// The Scenarios page: the form's state in a reducer ([`ScenarioForm`], opened on the core's
/// default event for the portfolio), the scenario's result derived through `use_memo`
/// ([`derive()`]).
#[component]
pub fn ScenariosPage(props: &ScenariosProps) -> Html {
    let reference = crate::reference::embedded();
    let list = presets();
    let form = {
        let portfolio = props.portfolio.clone();
        use_reducer(move || ScenarioForm::new(&portfolio))
    };
    let view = use_memo(
        (props.portfolio.clone(), (*form).clone()),
        |(portfolio, form)| derive(portfolio, form),
    );
    let preset = form.preset();
    let date = check_date(&props.check_date);
    let custom = form.is_custom();
    let choice = form.choice.as_str();
    let (default_cut, default_months) = (form.default_cut(), form.default_months());
    let on_choice = {
        let dispatcher = form.dispatcher();
        Callback::from(move |e: Event| {
            let id = e.target_unchecked_into::<HtmlSelectElement>().value();
            dispatcher.dispatch(ScenarioAction::Choose(id))
        })
    };
    let set = |field: ScenarioField| {
        let dispatcher = form.dispatcher();
        Callback::from(move |e: InputEvent| {
            dispatcher.dispatch(ScenarioAction::Edit(field, value(&e)))
        })
    };
    // A field's problems, next to it.
    let errors = |field: Option<ScenarioField>| {
        html! {
            for error in view.errors_of(field) {
                <p class="field-error" role="alert">{ error.to_string() }</p>
            }
        }
    };
    let invalid = |field: ScenarioField| {
        view.errors_of(Some(field))
            .next()
            .is_some()
            .then_some("true")
    };
    let result = view.result.as_deref();

    html! {
        <article>
            <h1>{ "Disruption scenarios" }</h1>
            <p class="lede">{ "What an export control, a ban or a quota would do to your portfolio: the supply you lose after other countries' spare capacity, the months your inventory covers, and the revenue at risk." }</p>
            <p class="small muted" data-testid="events-researched">{ events_note(date) }</p>
            if view.excluded > 0 {
                <p class="notice">{ format!("{} line(s) with errors are left out; fix them on the Calculator page.", view.excluded) }</p>
            }
            <section class="card" aria-labelledby="deterministic-title">
                <h2 id="deterministic-title">{ "Replay a real event, or cut a country yourself" }</h2>
                <div class="start-grid">
                    <div class="field">
                        <label for="scenario-choice">{ "Scenario" }</label>
                        <select id="scenario-choice" onchange={on_choice} data-testid="scenario-choice">
                            <option value="" selected={choice.is_empty()} disabled=true>{ "Choose an event" }</option>
                            for p in &list {
                                <option value={p.id.clone()} selected={p.id == choice}>
                                    { format!("{} · {}", p.effective.or(p.announced).map(|d| d.to_string()).unwrap_or_default(), p.name) }
                                </option>
                            }
                            <option value={CUSTOM} selected={custom}>{ "Custom: one country cuts all its supply of your materials" }</option>
                        </select>
                    </div>
                    if custom {
                        <div class="field">
                            <label for="scenario-country">{ "Country cutting supply (ISO code)" }</label>
                            <input id="scenario-country" type="text" list="scenario-countries" value={form.country.clone()} oninput={set(ScenarioField::Country)} aria-invalid={invalid(ScenarioField::Country)} />
                            <datalist id="scenario-countries">
                                for c in &reference.countries { <option value={c.code.to_string()} label={c.name.clone()} /> }
                            </datalist>
                            { errors(Some(ScenarioField::Country)) }
                        </div>
                    }
                    <div class="field">
                        <label for="scenario-cut">{ format!("Cut, % of the country's supply ({})", cut_label(preset.and_then(|p| p.scenario.as_ref()).map(|s| s.cut_basis), custom)) }</label>
                        <input id="scenario-cut" type="text" inputmode="decimal" placeholder={default_cut.to_string()} value={form.cut.clone()} oninput={set(ScenarioField::Cut)} aria-invalid={invalid(ScenarioField::Cut)} />
                        { errors(Some(ScenarioField::Cut)) }
                    </div>
                    <div class="field">
                        <label for="scenario-months">{ format!("Duration, months ({})", basis_label(preset.and_then(|p| p.scenario.as_ref()).map(|s| s.months_basis), custom)) }</label>
                        <input id="scenario-months" type="text" inputmode="decimal" placeholder={format!("{default_months:.1}")} value={form.months.clone()} oninput={set(ScenarioField::Months)} aria-invalid={invalid(ScenarioField::Months)} />
                        { errors(Some(ScenarioField::Months)) }
                    </div>
                    <div class="field">
                        <label for="scenario-spare">{ "Spare capacity elsewhere, % (assumption)" }</label>
                        <input id="scenario-spare" type="text" inputmode="decimal" value={form.spare.clone()} oninput={set(ScenarioField::Spare)} aria-invalid={invalid(ScenarioField::Spare)} />
                        { errors(Some(ScenarioField::Spare)) }
                    </div>
                </div>
                if let (Some(p), false) = (preset, custom) { { preset_details(p, date) } }
                if choice.is_empty() {
                    <p class="small muted" data-testid="scenario-none">{ "No supply-wide measure in the event data cuts a material of your portfolio: choose an event, or cut a country yourself." }</p>
                } else {
                    { errors(None) }
                }
                if let Some(r) = result {
                    <div data-testid="scenario-result">
                        <p class="headline">
                            { format!("Revenue at risk: {} of annual revenue", pct(r.total.revenue_at_risk_fraction)) }
                            { format!(" · {} line(s) short of supply, {} with a loss after inventory.", r.total.lines_short, r.total.lines_with_loss) }
                        </p>
                        <div class="table-scroll" tabindex="0" role="region" aria-label="Scenario impact per line, scrollable">
                            <table class="small">
                                <thead><tr>
                                    <th scope="col">{ "Line" }</th><th scope="col">{ "Material" }</th>
                                    <th scope="col" class="num">{ "Supply short" }</th><th scope="col">{ "Binding stage" }</th>
                                    <th scope="col" class="num">{ "Inventory covers (months)" }</th><th scope="col" class="num">{ "Uncovered (months)" }</th>
                                    <th scope="col" class="num">{ "Revenue at risk" }</th>
                                </tr></thead>
                                <tbody>
                                    for i in &r.ranking {
                                        if let Some(l) = r.lines.get(*i) {
                                            <tr>
                                                <td>{ l.label.clone().unwrap_or_else(|| format!("Line {}", l.line + 1)) }</td>
                                                <td>{ material_name(reference, &l.material) }</td>
                                                <td class="num">{ pct(l.shortfall) }</td>
                                                <td>{ l.binding_stage.map(|s| s.label()).unwrap_or("–") }</td>
                                                <td class="num">{ format!("{:.1}", l.covered_months) }</td>
                                                <td class="num">{ format!("{:.1}", l.uncovered_months) }</td>
                                                <td class="num">{ pct(l.revenue_at_risk_fraction) }</td>
                                            </tr>
                                        }
                                    }
                                </tbody>
                            </table>
                        </div>
                    </div>
                }
            </section>
            <MonteCarloPanel portfolio={props.portfolio.clone()} />
        </article>
    }
}

fn basis_label(basis: Option<Basis>, custom: bool) -> &'static str {
    match (basis, custom) {
        (_, true) | (Some(Basis::Assumption), false) => "an assumption, edit it",
        (Some(Basis::Data), false) => "from the event's dates",
        (None, false) => "edit it",
    }
}

fn cut_label(basis: Option<Basis>, custom: bool) -> &'static str {
    match (basis, custom) {
        (Some(Basis::Data), false) => "from the event's figures, edit it",
        _ => basis_label(basis, custom),
    }
}

/// When the event data was researched, and the date statuses are judged on.
fn events_note(date: Option<Date>) -> String {
    let researched = events_researched().map_or_else(
        || "Event data: research date unknown".to_string(),
        |r| format!("Event data {}", r.label()),
    );
    match date {
        Some(date) => format!(
            "{researched}. Statuses are judged on {date}, the check date set on the Calculator \
             page."
        ),
        None => format!("{researched}. Statuses are as last recorded."),
    }
}

fn preset_details(p: &EventPreset, date: Option<Date>) -> Html {
    let reference = crate::reference::embedded();
    let s = p.scenario.as_ref();
    let on_date = date
        .zip(events_researched())
        .map(|(date, r)| (date, p.status_on(date, r.date)));
    let recorded = events_researched().map_or_else(String::new, |r| format!(", {}", r.date));
    html! {
        <div class="preset small" data-testid="preset-details">
            <p><strong>{ &p.name }</strong>{ format!(" · imposed by {}", p.imposing.iter().map(|c| country_name(reference, *c)).collect::<Vec<_>>().join(", ")) }</p>
            if let Some((date, status)) = on_date {
                <p class={classes!(status.needs_check().then_some("notice"))} data-testid="preset-status">
                    <strong>{ format!("Status on {date}: ") }</strong>{ status.message() }
                </p>
            }
            <p>
                { p.announced.map(|d| format!("Announced {d}. ")).unwrap_or_default() }
                { p.effective.map(|d| format!("Effective {d}. ")).unwrap_or_default() }
                { p.lifted.map(|d| format!("Suspended or lifted {d}. ")).unwrap_or_default() }
                { p.suspended_until.map(|d| format!("Suspension scheduled to end {d}. ")).unwrap_or_default() }
                { format!("Recorded status (research{recorded}): {}.", p.status) }
            </p>
            <p>{ &p.description }</p>
            for effect in &p.observed_effects {
                <p>{ format!("Observed effect ({}): {}", material_name(reference, &effect.material), effect.text) }</p>
            }
            if let Some(s) = s {
                <p class="muted">{ format!("Modelled as: {}", s.assumption) }</p>
                if let Some(from) = &s.cut_from {
                    <p class="muted" data-testid="preset-cut-sources">{ format!("Figures: {} ({}); {} ({}).", from.allowed.what, from.allowed.source, from.before.what, from.before.source) }</p>
                }
            }
            <p class="muted">{ format!("Source ({} confidence): {}", p.confidence, p.sources.titles) }</p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct McProps {
    portfolio: Rc<RawPortfolio>,
}

#[component]
fn MonteCarloPanel(props: &McProps) -> Html {
    let trials = use_state(|| DEFAULT_TRIALS.to_string());
    let seed = use_state(|| "20261126".to_string());
    let job = use_state(|| Job::Idle);
    let worker = use_mut_ref(|| None::<worker_handle::Handle>);
    let next_id = use_mut_ref(|| 0u32);
    let trials_value = trials
        .trim()
        .replace(['_', ',', ' '], "")
        .parse::<u64>()
        .ok()
        .filter(|t| (1..=MAX_TRIALS).contains(t));
    let seed_value = seed.trim().parse::<u64>().ok();
    let reference = crate::reference::embedded();
    // The default probability of every supplier country and stage of the portfolio.
    let rates = use_memo(props.portfolio.clone(), |raw| {
        let (_, _, _, valid) = valid_part(raw, reference);
        valid
            .map(|p| {
                country_rates(
                    &p,
                    reference,
                    &MonteCarloParams::default(),
                    embedded_presets(),
                )
            })
            .unwrap_or_default()
    });
    let typed = use_state(BTreeMap::<(CountryCode, Stage), String>::new);
    let checked: Vec<Checked> = rates
        .iter()
        .map(|r| {
            let text = typed
                .get(&(r.country, r.stage))
                .map(String::as_str)
                .unwrap_or("");
            (r.country, r.stage, probability(text))
        })
        .collect();
    let overrides_ok = checked.iter().all(|(_, _, v)| v.is_ok());
    let overrides: Vec<SimOverride> = checked
        .iter()
        .filter_map(|(c, stage, v)| match v {
            Ok(Some(p)) => Some(SimOverride {
                country: c.to_string(),
                stage: *stage,
                probability_pct: *p,
            }),
            _ => None,
        })
        .collect();
    let run = {
        let (job, worker, next_id, portfolio, overrides) = (
            job.clone(),
            worker.clone(),
            next_id.clone(),
            props.portfolio.clone(),
            overrides.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (Some(trials), Some(seed)) = (trials_value, seed_value) else {
                return;
            };
            *next_id.borrow_mut() += 1;
            let id = *next_id.borrow();
            let request = SimRequest {
                id,
                portfolio: portfolio.to_json(),
                trials,
                seed,
                spare_capacity_pct: DEFAULT_SPARE_CAPACITY * 100.0,
                overrides: overrides.clone(),
            };
            job.set(Job::Running {
                id,
                done: 0,
                total: trials,
            });
            let job = job.clone();
            let on_message = Callback::from(move |message: SimMessage| match message {
                SimMessage::Ready => {}
                SimMessage::Progress { id, done, total } => {
                    job.set(Job::Running { id, done, total })
                }
                SimMessage::Done {
                    summary,
                    elapsed_ms,
                    ..
                } => job.set(Job::Done(Rc::new(*summary), elapsed_ms)),
                SimMessage::Failed { message, .. } => job.set(Job::Failed(message)),
                SimMessage::Stopped { message, .. } => job.set(Job::Stopped(message)),
            });
            let handle = worker_handle::start(request, on_message);
            if let Some(old) = worker.borrow_mut().replace(handle) {
                old.stop();
            }
        })
    };
    let cancel = {
        let (job, worker) = (job.clone(), worker.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(handle) = worker.borrow_mut().take() {
                handle.stop();
            }
            job.set(Job::Cancelled);
        })
    };
    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| state.set(value(&e)))
    };
    let running = matches!(*job, Job::Running { .. });
    html! {
        <section class="card" aria-labelledby="mc-title">
            <h2 id="mc-title">{ "Random disruptions: Monte Carlo" }</h2>
            <p class="small muted">{ "Each year of a trial, each country may disrupt its supply at each stage with an annual probability derived from its governance score and its recorded export controls, recent ones weighing more (a stated modelling assumption, see Methodology); its governance shock hits all of that country's materials at once, and each family of its recorded measures hits the materials those measures hit together (gallium and germanium, say), with a severity drawn uniformly between 25 % and 100 % and a duration with a mean of 6 months. Losses are shares of annual revenue, after inventory. The results are a stress index for comparing portfolios, not a forecast: the percentiles are of simulated years, not return periods, and they are shown at half and twice the default rates too, and with long measures: durations fitted to how long recorded measures stay in force, an upper bound on how long supply is cut, since licences are granted while a measure stays in force. It runs in a background worker: the page stays responsive." }</p>
            <div class="start-grid">
                <div class="field">
                    <label for="mc-trials">{ "Trials" }</label>
                    <input id="mc-trials" type="text" inputmode="numeric" value={(*trials).clone()} oninput={set(&trials)}
                        aria-invalid={trials_value.is_none().then_some("true")} aria-describedby={trials_value.is_none().then_some("mc-trials-error")} />
                    if trials_value.is_none() { <p class="field-error" id="mc-trials-error">{ format!("Enter a whole number from 1 to {MAX_TRIALS}") }</p> }
                </div>
                <div class="field">
                    <label for="mc-seed">{ "Seed (the same seed gives the same numbers)" }</label>
                    <input id="mc-seed" type="text" inputmode="numeric" value={(*seed).clone()} oninput={set(&seed)}
                        aria-invalid={seed_value.is_none().then_some("true")} aria-describedby={seed_value.is_none().then_some("mc-seed-error")} />
                    if seed_value.is_none() { <p class="field-error" id="mc-seed-error">{ "Enter a whole number" }</p> }
                </div>
            </div>
            { probability_editor(&rates, &checked, &typed) }
            <p class="start-actions">
                <button type="button" onclick={run.clone()} disabled={running || trials_value.is_none() || seed_value.is_none() || !overrides_ok} data-testid="mc-run">{ "Run simulation" }</button>
                <button type="button" class="secondary" onclick={cancel} disabled={!running} data-testid="mc-cancel">{ "Cancel" }</button>
            </p>
            {
                match &*job {
                    Job::Idle => html! {},
                    Job::Running { done, total, .. } => html! {
                        <p data-testid="mc-progress">
                            <label for="mc-progress-bar">{ format!("Running: {} of {} trials ", done, total) }</label>
                            <progress id="mc-progress-bar" max={total.to_string()} value={done.to_string()}></progress>
                        </p>
                    },
                    Job::Cancelled => html! { <p role="status" data-testid="mc-status">{ "Cancelled." }</p> },
                    Job::Failed(message) => html! { <p class="field-error" role="alert">{ message }</p> },
                    Job::Stopped(message) => html! {
                        <div class="notice" role="alert" data-testid="mc-stopped">
                            <p>{ format!("The simulation stopped before it finished: {message}. Your portfolio is unchanged.") }</p>
                            <button type="button" onclick={run.clone()} disabled={trials_value.is_none() || seed_value.is_none() || !overrides_ok}
                                data-testid="mc-retry">{ "Try again" }</button>
                        </div>
                    },
                    Job::Done(summary, elapsed_ms) => mc_results(summary, *elapsed_ms),
                }
            }
        </section>
    }
}

/// Why a typed probability was not read.
#[derive(Clone, Debug, PartialEq)]
enum ProbabilityError {
    /// Not a number (the text as typed).
    NotANumber(String),
    /// A number outside 0-100 %.
    OutOfRange,
}

impl std::fmt::Display for ProbabilityError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProbabilityError::NotANumber(text) => write!(f, "`{}` is not a number", text.trim()),
            ProbabilityError::OutOfRange => f.write_str("Enter a probability from 0 to 100 %"),
        }
    }
}

/// Reads a probability typed in percent: empty keeps the default (`None`).
fn probability(text: &str) -> Result<Option<f64>, ProbabilityError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    match number(text) {
        Some(p) if (0.0..=100.0).contains(&p) => Ok(Some(p)),
        Some(_) => Err(ProbabilityError::OutOfRange),
        None => Err(ProbabilityError::NotANumber(text.to_string())),
    }
}

type Typed = UseStateHandle<BTreeMap<(CountryCode, Stage), String>>;
/// A typed probability read: `Ok(None)` keeps the default.
type Checked = (CountryCode, Stage, Result<Option<f64>, ProbabilityError>);

/// The table of annual disruption probabilities, each editable; a typed value replaces the
/// default for its country and stage, and a bad one is named next to its field.
fn probability_editor(rates: &[CountryRate], checked: &[Checked], typed: &Typed) -> Html {
    let reference = crate::reference::embedded();
    let edited = checked
        .iter()
        .filter(|(_, _, v)| !matches!(v, Ok(None)))
        .count();
    html! {
        <details class="probabilities" data-testid="mc-probabilities">
            <summary>{ format!("Annual disruption probabilities: {} countries and stages{}", rates.len(), if edited > 0 { format!(", {edited} set by you") } else { String::new() }) }</summary>
            <p class="small muted">{ "The default for each supplier country and stage of your portfolio, from its governance score and its recorded export controls (see Methodology). Type a percentage to replace it; leave a field empty to keep the default." }</p>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Disruption probabilities, scrollable">
                <table class="small">
                    <thead><tr>
                        <th scope="col">{ "Country" }</th><th scope="col">{ "Stage" }</th>
                        <th scope="col" class="num">{ "Default" }</th><th scope="col">{ "Based on" }</th>
                        <th scope="col">{ "Yours (%)" }</th>
                    </tr></thead>
                    <tbody>
                        for (r, (_, _, value)) in rates.iter().zip(checked) {
                            { probability_row(reference, r, value, typed) }
                        }
                    </tbody>
                </table>
            </div>
        </details>
    }
}

fn probability_row(
    reference: &crate::reference::ReferenceData,
    r: &CountryRate,
    checked: &Result<Option<f64>, ProbabilityError>,
    typed: &Typed,
) -> Html {
    let id = format!("mc-p-{}-{}", r.country, r.stage.id());
    let error_id = format!("{id}-error");
    let name = country_name(reference, r.country);
    let key = (r.country, r.stage);
    let oninput = {
        let typed = typed.clone();
        Callback::from(move |e: InputEvent| {
            let mut next = (*typed).clone();
            next.insert(key, value(&e));
            typed.set(next);
        })
    };
    let text = typed.get(&key).cloned().unwrap_or_default();
    let basis = match r.wgi_mean {
        Some(w) => format!(
            "governance {w:.2}, {} recorded events, fitted rate {:.2} a year",
            r.history_events, r.history.rate
        ),
        None => format!(
            "no governance score, {} recorded events, fitted rate {:.2} a year",
            r.history_events, r.history.rate
        ),
    };
    html! {
        <tr data-testid="mc-probability-row">
            <td>{ name.clone() }</td>
            <td>{ r.stage.label() }</td>
            <td class="num">{ pct(r.probability) }</td>
            <td>{ basis }</td>
            <td>
                <input id={id} type="text" inputmode="decimal" class="narrow" value={text}
                    aria-label={format!("Your annual probability for {name}, {}, in percent", r.stage.label().to_lowercase())}
                    aria-invalid={checked.is_err().then_some("true")} aria-describedby={checked.is_err().then_some(error_id.clone())}
                    placeholder={pct(r.probability)} {oninput} />
                if let Err(error) = checked { <p class="field-error" id={error_id}>{ error.to_string() }</p> }
            </td>
        </tr>
    }
}

fn mc_results(s: &SimSummary, elapsed_ms: f64) -> Html {
    let reference = crate::reference::embedded();
    html! {
        <div data-testid="mc-results">
            <dl class="stats">
                <div><dt>{ "Expected annual loss" }</dt><dd>{ format!("{} of revenue (± {})", pct(s.expected_loss), pct(2.0 * s.standard_error)) }</dd></div>
                <div><dt>{ "Median year (P50)" }</dt><dd>{ pct(s.p50) }</dd></div>
                <div><dt>{ "Stress index: 95th percentile of simulated years (P95)" }</dt><dd>{ pct(s.p95) }</dd></div>
                <div><dt>{ "Stress index: 99th percentile of simulated years (P99)" }</dt><dd>{ pct(s.p99) }</dd></div>
                <div><dt>{ "Mean of the worst 5 % (CVaR 95)" }</dt><dd>{ pct(s.cvar95) }</dd></div>
                <div><dt>{ "Probability of any shortfall" }</dt><dd>{ pct(s.probability_any_shortfall) }</dd></div>
            </dl>
            <p class="small muted">{ format!("{} trials, seed {}.", s.trials, s.seed) }
                <span data-testid="mc-elapsed" data-ms={format!("{elapsed_ms:.1}")}>{ format!(" Computed in {:.2} s in this browser.", elapsed_ms / 1000.0) }</span>
            </p>
            { sensitivity_band(&s.sensitivity) }
            <LossCharts summary={Rc::new(s.clone())} />
            <h3>{ "What the expected loss comes from" }</h3>
            <div class="grid">
                { contributions("By country", &s.by_country, |name| CountryCode::parse(name).map_or_else(|| name.to_string(), |c| country_name(reference, c))) }
                { contributions("By material", &s.by_material, |name| material_name(reference, name)) }
            </div>
        </div>
    }
}

/// One number of a case of the sensitivity band.
type Metric = fn(&StressPoint) -> f64;

/// The stress index at the low, central and high rates, and the long measures' case: a table,
/// and an SVG of the band with the long measures as a ring (the table is the accessible view;
/// the chart repeats it).
fn sensitivity_band(points: &[StressPoint]) -> Html {
    let (rates, long): (Vec<&StressPoint>, Vec<&StressPoint>) =
        points.iter().partition(|p| p.case != LONG_MEASURES);
    let (w, row_h, pad) = (400.0, 22.0, 70.0);
    let h = row_h * 3.0 + 24.0;
    let top = points
        .iter()
        .map(|p| p.p99)
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let x = |v: f64| pad + v / top * (w - pad - 10.0);
    let metrics: [(&str, Metric); 3] = [
        ("Expected loss", |p| p.expected_loss),
        ("P95", |p| p.p95),
        ("P99", |p| p.p99),
    ];
    html! {
        <figure class="chart-card" data-testid="mc-sensitivity">
            <figcaption id="mc-band-title">{ "Sensitivity: the stress index at half, the default and twice the default disruption rates (low, central, high; the bar and its mark), and with long measures (the ring): the default rates with durations fitted to how long measures stay in force, an upper bound on how long supply is cut. A stress index for comparing portfolios, not a forecast or a return period." }</figcaption>
            <svg class="chart" viewBox={format!("0 0 {w} {h}")} role="img" aria-labelledby="mc-band-title">
                for (i, (name, value)) in metrics.iter().enumerate() {
                    {{
                        let y = 12.0 + i as f64 * row_h;
                        let values: Vec<f64> = rates.iter().map(|p| value(p)).collect();
                        let low = values.iter().copied().fold(f64::INFINITY, f64::min);
                        let high = values.iter().copied().fold(0.0_f64, f64::max);
                        let central = values.get(1).copied().unwrap_or(0.0);
                        html! {
                            <g>
                                <text x="2" y={format!("{:.1}", y + 4.0)} font-size="11">{ *name }</text>
                                <rect x={format!("{:.1}", x(low))} y={format!("{:.1}", y - 5.0)} width={format!("{:.1}", (x(high) - x(low)).max(1.0))} height="10" class="c1" />
                                <line x1={format!("{:.1}", x(central))} x2={format!("{:.1}", x(central))} y1={format!("{:.1}", y - 8.0)} y2={format!("{:.1}", y + 8.0)} class="axis" stroke-width="2" />
                                for p in &long {
                                    <circle cx={format!("{:.1}", x(value(p)))} cy={format!("{y:.1}")} r="4" fill="none" class="axis" stroke="currentColor" stroke-width="1.5" />
                                }
                            </g>
                        }
                    }}
                }
                <text x={pad.to_string()} y={format!("{:.1}", h - 4.0)} font-size="11">{ "0 %" }</text>
                <text x={(w - 10.0).to_string()} y={format!("{:.1}", h - 4.0)} font-size="11" text-anchor="end">{ pct(top) }</text>
            </svg>
            <table class="small">
                <caption>{ "Stress index by disruption rate and duration" }</caption>
                <thead><tr>
                    <th scope="col">{ "Rates" }</th><th scope="col">{ "Durations" }</th><th scope="col" class="num">{ "Expected annual loss" }</th>
                    <th scope="col" class="num">{ "P95 of simulated years" }</th><th scope="col" class="num">{ "P99 of simulated years" }</th>
                </tr></thead>
                <tbody>
                    for p in points {
                        <tr>
                            <th scope="row">{ format!("{} ({}x)", p.case, p.rate_scale) }</th>
                            <td>{ &p.durations }</td>
                            <td class="num">{ pct(p.expected_loss) }</td>
                            <td class="num">{ pct(p.p95) }</td>
                            <td class="num">{ pct(p.p99) }</td>
                        </tr>
                    }
                </tbody>
            </table>
        </figure>
    }
}

fn contributions(
    title: &str,
    list: &[crate::analysis::montecarlo::Contribution],
    name: impl Fn(&str) -> String,
) -> Html {
    html! {
        <table class="small">
            <caption>{ title }</caption>
            <thead><tr><th scope="col">{ "Name" }</th><th scope="col" class="num">{ "Share of expected loss" }</th></tr></thead>
            <tbody>
                for c in list.iter().take(8) {
                    <tr><td>{ name(&c.name) }</td><td class="num">{ pct(c.share) }</td></tr>
                }
            </tbody>
        </table>
    }
}

#[derive(Properties, PartialEq)]
struct ChartProps {
    summary: Rc<SimSummary>,
}

/// The loss histogram and the exceedance curve, as SVG with a table view.
#[component]
fn LossCharts(props: &ChartProps) -> Html {
    let s = &props.summary;
    let (w, h, pad) = (400.0, 180.0, 30.0);
    let max_count = s
        .histogram
        .iter()
        .map(|b| b.count)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let max_loss = s.histogram.last().map(|b| b.to).unwrap_or(0.0).max(1e-9);
    let bar_w = (w - pad) / s.histogram.len().max(1) as f64;
    let ex_points: String = s
        .exceedance
        .iter()
        .map(|p| {
            format!(
                "{:.1},{:.1}",
                pad + p.loss / max_loss * (w - pad),
                (h - pad) - p.probability * (h - pad - 10.0)
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    html! {
        <div class="grid">
            <figure class="chart-card">
                <figcaption id="mc-hist-title">{ "Loss histogram: how many trial years had each loss (share of revenue)" }</figcaption>
                <ChartExport name="loss-histogram" title="Loss histogram">
                <svg class="chart" viewBox={format!("0 0 {w} {h}")} role="img" aria-labelledby="mc-hist-title">
                    for (i, b) in s.histogram.iter().enumerate() {
                        <rect x={format!("{:.1}", pad + i as f64 * bar_w)} width={format!("{:.1}", (bar_w - 1.0).max(0.5))}
                            y={format!("{:.1}", (h - pad) - (b.count as f64 / max_count) * (h - pad - 10.0))}
                            height={format!("{:.1}", (b.count as f64 / max_count) * (h - pad - 10.0))} class="c1">
                            <title>{ format!("{}–{}: {} trials", pct(b.from), pct(b.to), b.count) }</title>
                        </rect>
                    }
                    <line x1={pad.to_string()} x2={w.to_string()} y1={(h - pad).to_string()} y2={(h - pad).to_string()} class="axis" />
                    <text x={pad.to_string()} y={(h - 10.0).to_string()} font-size="11">{ "0 %" }</text>
                    <text x={w.to_string()} y={(h - 10.0).to_string()} font-size="11" text-anchor="end">{ pct(max_loss) }</text>
                </svg>
                </ChartExport>
                <DataTable label="Loss histogram data">
                    <thead><tr><th scope="col">{ "Loss from" }</th><th scope="col">{ "to" }</th><th scope="col" class="num">{ "Trials" }</th></tr></thead>
                    <tbody>
                        for b in s.histogram.iter().filter(|b| b.count > 0) {
                            <tr><td>{ pct(b.from) }</td><td>{ pct(b.to) }</td><td class="num">{ b.count }</td></tr>
                        }
                    </tbody>
                </DataTable>
            </figure>
            <figure class="chart-card">
                <figcaption id="mc-exc-title">{ "Exceedance curve: probability that a year's loss is larger than each value" }</figcaption>
                <ChartExport name="exceedance" title="Exceedance curve">
                <svg class="chart" viewBox={format!("0 0 {w} {h}")} role="img" aria-labelledby="mc-exc-title">
                    <polyline points={ex_points} class="line-c6" fill="none" stroke-width="2" />
                    <line x1={pad.to_string()} x2={w.to_string()} y1={(h - pad).to_string()} y2={(h - pad).to_string()} class="axis" />
                    <line x1={pad.to_string()} x2={pad.to_string()} y1="10" y2={(h - pad).to_string()} class="axis" />
                    <text x="2" y="16" font-size="11">{ "100 %" }</text>
                    <text x={w.to_string()} y={(h - 10.0).to_string()} font-size="11" text-anchor="end">{ pct(max_loss) }</text>
                </svg>
                </ChartExport>
                <DataTable label="Exceedance curve data">
                    <thead><tr><th scope="col">{ "Loss above" }</th><th scope="col" class="num">{ "Probability" }</th></tr></thead>
                    <tbody>
                        for p in &s.exceedance {
                            <tr><td>{ pct(p.loss) }</td><td class="num">{ pct(p.probability) }</td></tr>
                        }
                    </tbody>
                </DataTable>
            </figure>
        </div>
    }
}

/// Starting the simulation worker ([`crate::app::browser::worker`]; natively there is none).
mod worker_handle {
    use crate::app::browser::worker;
    pub use crate::app::browser::worker::Handle;
    use crate::app::simulation::{SimMessage, SimRequest};
    use yew::Callback;

    /// Starts a worker, sends it `request` once it is ready and forwards its messages; natively
    /// reports that the simulation runs in the browser.
    pub fn start(request: SimRequest, on_message: Callback<SimMessage>) -> Handle {
        let id = request.id;
        let started = worker::start(
            "sim-worker",
            move || worker::message(&request),
            |m| matches!(m, SimMessage::Ready),
            on_message.clone(),
            move |message| SimMessage::Stopped { id, message },
        );
        started.unwrap_or_else(|worker::NoWorkers| {
            on_message.emit(SimMessage::Failed {
                id,
                message: "the simulation runs in the browser".into(),
            });
            Handle::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{ProbabilityError, check_date, events_note, probability};

    /// Natively there is no worker: the page hears once, as a failure of its job, that the
    /// simulation runs in the browser.
    #[test]
    fn without_a_browser_the_run_fails_with_where_it_runs() {
        use crate::app::simulation::{SimMessage, SimRequest};
        use std::cell::RefCell;
        use std::rc::Rc;
        let heard = Rc::new(RefCell::new(Vec::new()));
        let on_message = {
            let heard = heard.clone();
            yew::Callback::from(move |m: SimMessage| heard.borrow_mut().push(m))
        };
        let request = SimRequest {
            id: 7,
            portfolio: String::new(),
            trials: 10,
            seed: 1,
            spare_capacity_pct: 0.0,
            overrides: Vec::new(),
        };
        super::worker_handle::start(request, on_message).stop();
        let heard = heard.borrow();
        assert_eq!(heard.len(), 1);
        assert!(matches!(
            &heard[0],
            SimMessage::Failed { id: 7, message } if message == "the simulation runs in the browser"
        ));
    }

    #[test]
    fn typed_probabilities_are_read_or_named() {
        assert_eq!(probability(" "), Ok(None));
        assert_eq!(probability("2.5 %"), Ok(Some(2.5)));
        assert_eq!(probability("120"), Err(ProbabilityError::OutOfRange));
        assert_eq!(
            probability(" lots ").unwrap_err().to_string(),
            "`lots` is not a number"
        );
    }
    use crate::analysis::policy::Date;

    #[test]
    fn events_are_judged_on_the_typed_check_date_and_the_note_says_when_they_were_researched() {
        let date = Date::parse("2026-12-20").unwrap();
        assert_eq!(check_date(" 2026-12-20 "), Some(date));
        // Natively there is no clock: an invalid date gives no check date.
        assert_eq!(check_date("soon"), None);
        assert_eq!(
            events_note(Some(date)),
            "Event data researched 2026-12-06 (newest sources about October 2026). Statuses \
             are judged on 2026-12-20, the check date set on the Calculator page."
        );
    }
}
