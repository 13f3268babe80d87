//! The Plan page: the sourcing shifts that cut risk most for one material and stage, within
//! capacity, shift and premium limits; the efficient frontier; and applying a plan to the
//! portfolio so every metric can be compared on the Calculator page (Undo returns to today).

use crate::analysis::assess::AssessParams;
use crate::analysis::planner::side_by_side::{
    LARGEST_SUPPLIER_MONTHS, MetricRow, Unit, largest_supplier_cut, side_by_side,
};
use crate::analysis::planner::{Binding, Objective, Plan, PlanParams, apply};
use crate::analysis::scenario::ScenarioParams;
use crate::app::components::chart_export::ChartExport;
use crate::app::components::data_table::DataTable;
use crate::app::format::{country_name, material_name, pct, thousands};
use crate::app::forms::plan::{PlanAction, PlanField, PlanForm, derive};
use crate::app::state::Action;
use crate::portfolio::RawPortfolio;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Properties of [`PlanPage`].
#[derive(Properties, PartialEq)]
pub struct PlanProps {
    /// The portfolio as typed.
    pub portfolio: Rc<RawPortfolio>,
    /// Called to apply a plan (loads the planned portfolio; Undo returns).
    pub on_action: Callback<Action>,
}

/// The Plan page: the form's state in a reducer ([`PlanForm`]), everything shown derived from
/// it and the portfolio through `use_memo` ([`derive()`]).
#[component]
pub fn PlanPage(props: &PlanProps) -> Html {
    let reference = crate::reference::embedded();
    let form = use_reducer(PlanForm::default);
    let view = use_memo(
        (props.portfolio.clone(), (*form).clone()),
        |(portfolio, form)| derive(portfolio, form),
    );
    let dispatch = |make: fn(String) -> PlanAction| {
        let dispatcher = form.dispatcher();
        Callback::from(move |e: Event| {
            dispatcher.dispatch(make(e.target_unchecked_into::<HtmlSelectElement>().value()))
        })
    };
    let on_input = |field: PlanField| {
        let dispatcher = form.dispatcher();
        Callback::from(move |e: InputEvent| {
            let text = e.target_unchecked_into::<HtmlInputElement>().value();
            dispatcher.dispatch(PlanAction::Edit(field, text))
        })
    };
    let on_toggle = |make: fn(bool) -> PlanAction| {
        let dispatcher = form.dispatcher();
        Callback::from(move |e: Event| {
            dispatcher.dispatch(make(
                e.target_unchecked_into::<HtmlInputElement>().checked(),
            ))
        })
    };
    let apply_plan = view.planned.clone().map(|planned| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Load(planned.clone())))
    });
    // A text field's problems, next to it.
    let field_errors = |field: PlanField| {
        html! {
            for error in view.errors_of(Some(field)) {
                <p class="field-error" role="alert" data-testid={format!("plan-{}-error", field.id())}>{ error.to_string() }</p>
            }
        }
    };
    let text_field = |field: PlanField, label: &'static str, value: &str, decimal: bool| {
        let id = format!("plan-{}", field.id());
        html! {
            <div class="field">
                <label for={id.clone()}>{ label }</label>
                <input id={id} type="text" inputmode={decimal.then_some("decimal")} value={value.to_string()} oninput={on_input(field)}
                    aria-invalid={view.errors_of(Some(field)).next().is_some().then_some("true")} />
                { field_errors(field) }
            </div>
        }
    };
    let objective = form.objective.as_str();

    html! {
        <article>
            <h1>{ "Diversification planner" }</h1>
            <p class="lede">{ "The sourcing shifts that cut concentration or expected loss most for one material and stage, within each country's capacity, a limit on how much volume moves, and premiums you enter. Solved exactly (water-filling for HHI and expected loss, linear programming for shares); see Methodology. \"Rest of world\" is never increased: it is a residual of the statistics, not a supplier you can contract with." }</p>
            if view.materials.is_empty() {
                <p class="notice">{ "Add a valid line on the Calculator page first." }</p>
            }
            <section class="card">
                <div class="start-grid">
                    <div class="field">
                        <label for="plan-material">{ "Material" }</label>
                        <select id="plan-material" onchange={dispatch(PlanAction::Material)} data-testid="plan-material">
                            for m in &view.materials { <option value={m.clone()} selected={*m == view.material}>{ material_name(reference, m) }</option> }
                        </select>
                    </div>
                    <div class="field">
                        <label for="plan-stage">{ "Stage" }</label>
                        <select id="plan-stage" onchange={dispatch(PlanAction::Stage)}>
                            for s in &view.stages { <option value={s.id()} selected={*s == view.stage}>{ s.label() }</option> }
                        </select>
                    </div>
                    <div class="field">
                        <label for="plan-objective">{ "Minimise" }</label>
                        <select id="plan-objective" onchange={dispatch(PlanAction::Objective)}>
                            <option value="hhi-wgi" selected={objective == "hhi-wgi"}>{ "Governance-weighted concentration (HHI-WGI, default)" }</option>
                            <option value="expected-loss" selected={objective == "expected-loss"}>{ "Expected annual loss (Monte Carlo model, default assumptions)" }</option>
                            <option value="group:feoc_covered_nations" selected={objective == "group:feoc_covered_nations"}>{ "Share from U.S. covered nations" }</option>
                            <option value="hhi" selected={objective == "hhi"}>{ "Concentration (HHI; favours any small producer, whatever its governance)" }</option>
                        </select>
                    </div>
                    { text_field(PlanField::MaxShift, "Most volume that may move (%)", &form.max_shift, true) }
                    { text_field(PlanField::Headroom, "Capacity headroom (× world share; assumption)", &form.headroom, true) }
                    { text_field(PlanField::Premiums, "Price premiums, % (e.g. JPN=8, DEU=6)", &form.premiums, false) }
                </div>
                <p>
                    <label class="inline">
                        <input type="checkbox" checked={form.upstream} onchange={on_toggle(PlanAction::Upstream)} data-testid="plan-upstream" />
                        { " Plan upstream stages too" }
                    </label>
                    <span class="small muted">{ format!(" By default the plan covers the stage you buy at ({}), where you choose your suppliers; upstream stages are your suppliers' sourcing.", view.bought.map(|s| s.label().to_lowercase()).unwrap_or_else(|| "none".into())) }</span>
                </p>
                <p>
                    <label class="inline">
                        <input type="checkbox" checked={form.restricted} onchange={on_toggle(PlanAction::Restricted)} data-testid="plan-restricted" />
                        { " Never increase supply from restricted countries" }
                    </label>
                    <span class="small muted" data-testid="plan-restricted-list">{ restricted_text(reference) }</span>
                </p>
            </section>
            for error in view.errors_of(None) {
                <p class="field-error" role="alert" data-testid="plan-error">{ error.to_string() }</p>
            }
            {
                match &view.plan {
                    None => html! {},
                    Some(Err(error)) => html! { <p class="field-error" role="alert" data-testid="plan-error">{ error.to_string() }</p> },
                    Some(Ok(plan)) => html! {
                        <>
                            { plan_view(plan, apply_plan) }
                            if let Some(today) = &view.valid {
                                <SideBySideView today={today.clone()} plan={plan.clone()} />
                            }
                        </>
                    },
                }
            }
        </article>
    }
}

fn plan_view(plan: &Plan, apply: Option<Callback<MouseEvent>>) -> Html {
    let reference = crate::reference::embedded();
    let b = &plan.before;
    let a = &plan.after;
    html! {
        <section class="card" data-testid="plan-result">
            <h2>{ format!("{}, {}", plan.material_name, plan.stage.label().to_lowercase()) }</h2>
            <p class="headline" data-testid="plan-recommendation">{ &plan.recommendation.text }</p>
            <table class="small">
                <caption class="visually-hidden">{ "Today against the plan" }</caption>
                <thead><tr><th scope="col">{ "Measure" }</th><th scope="col" class="num">{ "Today" }</th><th scope="col" class="num">{ "Plan" }</th></tr></thead>
                <tbody>
                    if matches!(plan.objective, Objective::ExpectedLoss(_)) {
                        <tr><th scope="row">{ "Expected annual loss (% of revenue)" }</th><td class="num">{ format!("{:.3} %", b.objective) }</td><td class="num">{ format!("{:.3} %", a.objective) }</td></tr>
                    }
                    <tr><th scope="row">{ "HHI" }</th><td class="num">{ thousands(b.hhi) }</td><td class="num">{ thousands(a.hhi) }</td></tr>
                    <tr><th scope="row">{ "HHI-WGI" }</th><td class="num">{ format!("{:.2}", b.hhi_wgi) }</td><td class="num">{ format!("{:.2}", a.hhi_wgi) }</td></tr>
                    <tr><th scope="row">{ "Covered-nation share" }</th><td class="num">{ b.covered_share.map(pct).unwrap_or_default() }</td><td class="num">{ a.covered_share.map(pct).unwrap_or_default() }</td></tr>
                    <tr><th scope="row">{ "Premium (% of spend)" }</th><td class="num">{ format!("{:.1} %", b.premium_pct) }</td><td class="num">{ format!("{:.1} %", a.premium_pct) }</td></tr>
                    <tr><th scope="row">{ "Volume moved" }</th><td class="num">{ "–" }</td><td class="num">{ pct(plan.shift) }</td></tr>
                </tbody>
            </table>
            <h3>{ "Country by country" }</h3>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Plan per country, scrollable">
                <table class="small" data-testid="plan-allocations">
                    <thead><tr><th scope="col">{ "Country" }</th><th scope="col" class="num">{ "Today" }</th><th scope="col" class="num">{ "Plan" }</th><th scope="col" class="num">{ "Capacity cap" }</th></tr></thead>
                    <tbody>
                        for al in plan.allocations.iter().filter(|al| al.today > 0.0005 || al.planned > 0.0005) {
                            <tr>
                                <td>{ country_name(reference, al.country) }</td>
                                <td class="num">{ pct(al.today) }</td>
                                <td class="num">{ pct(al.planned) }</td>
                                <td class="num">{ pct(al.cap) }</td>
                            </tr>
                        }
                    </tbody>
                </table>
            </div>
            if !plan.binding.is_empty() {
                <p class="small">{ "Limits that bind: " }{ plan.binding.iter().map(binding_text).collect::<Vec<_>>().join("; ") }</p>
            }
            if plan.frontier.len() > 1 {
                { frontier(plan) }
            }
            if let Some(apply) = apply {
                <p><button type="button" onclick={apply} data-testid="plan-apply">{ "Apply this plan as my sourcing" }</button>
                    <span class="small muted">{ " Undo returns to today's sourcing." }</span></p>
            } else {
                <p class="small muted">{ "Fix the lines with errors on the Calculator page to apply a plan." }</p>
            }
        </section>
    }
}

/// The restricted list, named with its members and source.
fn restricted_text(reference: &crate::reference::ReferenceData) -> String {
    let defaults = PlanParams::default();
    match defaults
        .restricted
        .as_deref()
        .and_then(|id| reference.group(id))
    {
        Some(g) => format!(
            " {}: {} (source: {}). A plan keeps what you buy from them today but moves no new volume to them. Separately, the sanctions list of the market you sell in (EU or U.S.) is excluded, and producers with governance below the world average are not raised; the plan's explanation names both.",
            g.name,
            g.members
                .iter()
                .map(|c| country_name(reference, *c))
                .collect::<Vec<_>>()
                .join(", "),
            g.source
        ),
        None => String::new(),
    }
}

fn binding_text(b: &Binding) -> String {
    let reference = crate::reference::embedded();
    match b {
        Binding::Cap { country, cap, .. } => format!(
            "{} at its capacity cap of {}",
            country_name(reference, *country),
            pct(*cap)
        ),
        Binding::Required {
            country, minimum, ..
        } => format!(
            "{} at its required minimum of {}",
            country_name(reference, *country),
            pct(*minimum)
        ),
        Binding::RestOfWorld { today, .. } => format!(
            "rest of world kept at or below today's {}: a statistical residual, not a supplier",
            pct(*today)
        ),
        Binding::Restricted { country, today, .. } => format!(
            "{} kept at or below today's {}: a restricted country",
            country_name(reference, *country),
            pct(*today)
        ),
        Binding::WeakGovernance { country, today, .. } => format!(
            "{} kept at or below today's {}: governance below the world average",
            country_name(reference, *country),
            pct(*today)
        ),
        Binding::Excluded { country, .. } => {
            format!("{} excluded", country_name(reference, *country))
        }
        Binding::MaxShift { max_shift, .. } => format!("the shift limit of {}", pct(*max_shift)),
        Binding::Budget { budget_pct, .. } => format!("the premium budget of {budget_pct:.1} %"),
    }
}

fn frontier(plan: &Plan) -> Html {
    let (w, h, pad) = (400.0, 200.0, 34.0);
    let pts: Vec<(f64, f64)> = plan
        .frontier
        .iter()
        .map(|p| (p.metrics.premium_pct, p.metrics.objective))
        .collect();
    let (x0, x1) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let sx = |x: f64| pad + if x1 > x0 { (x - x0) / (x1 - x0) } else { 0.5 } * (w - pad - 10.0);
    let sy =
        |y: f64| (h - pad) - if y1 > y0 { (y - y0) / (y1 - y0) } else { 0.5 } * (h - pad - 10.0);
    let line = pts
        .iter()
        .map(|(x, y)| format!("{:.1},{:.1}", sx(*x), sy(*y)))
        .collect::<Vec<_>>()
        .join(" ");
    let chosen = plan.recommendation.point;
    html! {
        <figure class="chart-card">
            <figcaption id="frontier-title">{ format!("Efficient frontier: {} against the premium paid (% of spend)", plan.objective.label()) }</figcaption>
            <ChartExport name="frontier" title="Efficient frontier">
            <svg class="chart" viewBox={format!("0 0 {w} {h}")} role="img" aria-labelledby="frontier-title">
                <polyline points={line} class="line-c1" fill="none" stroke-width="2" />
                for (i, (x, y)) in pts.iter().enumerate() {
                    <circle cx={format!("{:.1}", sx(*x))} cy={format!("{:.1}", sy(*y))} r={if Some(i) == chosen { "6" } else { "3" }}
                        class={if Some(i) == chosen { "c6" } else { "c1" }}>
                        <title>{ format!("premium {x:.2} %, objective {y:.3}{}", if Some(i) == chosen { " (recommended)" } else { "" }) }</title>
                    </circle>
                }
                <line x1={pad.to_string()} x2={w.to_string()} y1={(h - pad).to_string()} y2={(h - pad).to_string()} class="axis" />
                <text x={pad.to_string()} y={(h - 12.0).to_string()} font-size="11">{ format!("{x0:.1} %") }</text>
                <text x={(w - 10.0).to_string()} y={(h - 12.0).to_string()} font-size="11" text-anchor="end">{ format!("{x1:.1} %") }</text>
            </svg>
            </ChartExport>
            <DataTable label="Efficient frontier data">
                <thead><tr><th scope="col" class="num">{ "Premium (% of spend)" }</th><th scope="col" class="num">{ "Objective" }</th><th scope="col" class="num">{ "HHI" }</th></tr></thead>
                <tbody>
                    for p in &plan.frontier {
                        <tr><td class="num">{ format!("{:.2}", p.metrics.premium_pct) }</td><td class="num">{ format!("{:.3}", p.metrics.objective) }</td><td class="num">{ thousands(p.metrics.hhi) }</td></tr>
                    }
                </tbody>
            </DataTable>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::lower_first;

    #[test]
    fn names_inside_a_sentence() {
        assert_eq!(lower_first("Cobalt"), "cobalt");
        assert_eq!(lower_first("PGMs"), "PGMs");
        assert_eq!(lower_first(""), "");
    }
}

/// Properties of [`SideBySideView`].
#[derive(Properties, PartialEq)]
struct SideBySideProps {
    today: Rc<crate::portfolio::Portfolio>,
    plan: Rc<Plan>,
}

fn metric_value(unit: Unit, value: Option<f64>) -> String {
    match value {
        None => "missing".into(),
        Some(v) => match unit {
            Unit::Hhi => thousands(v),
            Unit::Share => pct(v),
            Unit::Count => format!("{v:.0}"),
            Unit::Score => format!("{v:.2}"),
            Unit::Months => format!("{v:.1}"),
        },
    }
}

/// Today's sourcing and the plan side by side: every metric of the exposure engine and of a
/// disruption of today's largest supplier.
#[component]
fn SideBySideView(props: &SideBySideProps) -> Html {
    let reference = crate::reference::embedded();
    let only_changes = use_state(|| true);
    let plan = &props.plan;
    // A date always (issue #20): the policy rows are judged on today.
    let today = crate::app::components::calculator::today();
    // Two assessments and two scenario runs: once per plan, not on every toggle.
    let compared = use_memo(
        (props.today.clone(), props.plan.clone(), today),
        |(today, plan, date)| {
            let (largest, cut) = largest_supplier_cut(plan)?;
            let planned = apply(today, std::slice::from_ref(plan.as_ref()));
            let params = AssessParams {
                date: crate::analysis::policy::Date::parse(date).ok(),
                ..AssessParams::default()
            };
            let view = side_by_side(
                today,
                &planned,
                crate::reference::embedded(),
                &params,
                &cut,
                &ScenarioParams::default(),
            );
            Some((largest, view))
        },
    );
    let Some((largest, view)) = compared.as_ref() else {
        return html! {};
    };
    let largest = *largest;
    let toggle = {
        let only_changes = only_changes.clone();
        Callback::from(move |e: Event| {
            only_changes.set(e.target_unchecked_into::<HtmlInputElement>().checked())
        })
    };
    let rows: Vec<&MetricRow> = view
        .rows
        .iter()
        .filter(|r| !*only_changes || r.changed() || r.scope == "Scenario")
        .collect();
    let scenario_text = format!(
        "Scenario: {} stops all {} supply of {} for {LARGEST_SUPPLIER_MONTHS:.0} months; other countries' spare capacity as on the Scenarios page.",
        country_name(reference, largest),
        plan.stage.label().to_lowercase(),
        lower_first(&plan.material_name),
    );
    html! {
        <section class="card" data-testid="side-by-side">
            <h2>{ "Today and the plan, side by side" }</h2>
            <p class="small">{ "Every metric of the exposure engine for the whole portfolio, each material and stage, and of one disruption, computed on today's sourcing and on the plan." }</p>
            <p class="small">{ scenario_text }</p>
            <label class="inline">
                <input type="checkbox" checked={*only_changes} onchange={toggle} data-testid="side-by-side-changes" />
                { " Show only the metrics the plan changes" }
            </label>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Today and the plan, scrollable">
                <table class="small" data-testid="side-by-side-table">
                    <caption class="visually-hidden">{ "Every metric today and under the plan" }</caption>
                    <thead><tr>
                        <th scope="col">{ "About" }</th><th scope="col">{ "Metric" }</th>
                        <th scope="col" class="num">{ "Today" }</th><th scope="col" class="num">{ "Plan" }</th>
                        <th scope="col">{ "Effect" }</th>
                    </tr></thead>
                    <tbody>
                        for r in rows {
                            <tr data-testid="side-by-side-row">
                                <td>{ &r.scope }</td>
                                <th scope="row">{ r.metric }</th>
                                <td class="num">{ metric_value(r.unit, r.before) }</td>
                                <td class="num">{ metric_value(r.unit, r.after) }</td>
                                <td>{ match r.improves() { Some(true) => "better", Some(false) => "worse", None => if r.changed() { "not comparable" } else { "unchanged" } } }</td>
                            </tr>
                        }
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// "Cobalt" -> "cobalt" inside a sentence; names that start with an abbreviation ("PGMs") stay.
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if second.is_lowercase() => {
            first.to_lowercase().chain(name.chars().skip(1)).collect()
        }
        _ => name.to_string(),
    }
}
