//! The results dashboard: the headline in words and numbers, the top chokepoints with the action
//! each calls for, per material the concentration at each stage with the exposure the firm did not
//! enter (what the look-through assumes from trade or world data), and the country shares per stage as a chart with a table view. World
//! shares are shown as published, with the previous vintage; the entries the data contradicts
//! are listed as warnings; the trend and the IEA outlook open in a disclosure drawn by the pages
//! bundle ([`crate::app::components::outlook`]).

use crate::analysis::assess::{
    ActionClass, Assessment, MaterialResult, StageResult, SupplyRiskBasis,
};
use crate::analysis::exposure::MixBasis;
use crate::analysis::flow::{FlowParams, flow_diagram};
use crate::analysis::policy::PolicyFinding;
use crate::app::components::flow_chart::FlowChart;
use crate::app::components::risk_matrix::RiskMatrix;
use crate::app::components::stage_bars::StageBars;
use crate::app::components::world_map::world_map_panel;
use crate::app::format::{
    country_name, firm_score, hhi, hhi_band, money, pct, published_world_share, supply_risk,
    world_source,
};
use crate::app::lazy::{LazyDetails, LazyPart, Part};
use crate::app::results::{Derived, MaterialRef};
use crate::portfolio::RawPortfolio;
use crate::reference::ReferenceData;
use std::rc::Rc;
use yew::prelude::*;

/// The group whose share the dashboard shows next to each stage.
pub const COVERED_GROUP: &str = "feoc_covered_nations";

/// Properties of [`Dashboard`].
#[derive(Properties, PartialEq)]
pub struct DashboardProps {
    /// The derived results.
    pub derived: Rc<Derived>,
    /// The portfolio as typed: what the outlook disclosure assesses once opened.
    #[prop_or_default]
    pub portfolio: Rc<RawPortfolio>,
    /// The settings the results depend on (the policy date), shown next to the results they
    /// affect.
    #[prop_or_default]
    pub settings: Html,
    /// The date the policy checks are on (`YYYY-MM-DD`, empty: as written): what the charts
    /// below the first screen are computed with.
    #[prop_or_default]
    pub check_date: AttrValue,
    /// Whether the charts below the first screen are to be drawn now (a report is printed),
    /// wherever the page is scrolled.
    #[prop_or_default]
    pub charts_wanted: bool,
}

/// Which parts below the first screen are drawn yet (each in a task of its own).
#[derive(Clone, Copy)]
struct Later {
    /// The answer's chart (the first screen's second step, `later::FIRST_SCREEN_STEPS`).
    chart: bool,
    /// How many materials of the per-material table (none: no table yet).
    rows: usize,
    /// The risk matrix and the flow chart.
    charts: bool,
    /// How many of the other materials' charts (none: neither they nor the world map and the
    /// outlook yet).
    bars: usize,
}

/// The results dashboard.
#[component]
pub fn Dashboard(props: &DashboardProps) -> Html {
    let reference = crate::reference::embedded_current();
    let derived = &props.derived;
    // What lies below the first screen is drawn in the tasks after the first render, a part
    // per task (crate::app::later): the table, then the charts, then the rest.
    let count = derived.assessment.as_ref().map_or(0, |a| a.materials.len());
    let later = Later {
        chart: crate::app::later::use_later_at(1),
        rows: crate::app::later::use_drawn(2, 3, count),
        charts: crate::app::later::use_later_at(4),
        bars: crate::app::later::use_drawn(5, 3, count),
    };
    html! {
        <section aria-labelledby="results-title" class="dashboard" data-testid="results">
            <h2 id="results-title">{ "Results" }</h2>
            if !derived.excluded.is_empty() {
                <p class="notice" role="status">
                    { format!("{} line(s) with errors are left out of the results until fixed: line {}.",
                        derived.excluded.len(),
                        derived.excluded.iter().map(|i| (i + 1).to_string()).collect::<Vec<_>>().join(", ")) }
                </p>
            }
            {
                match &derived.assessment {
                    Some(assessment) => results(reference, derived, assessment, props, later),
                    None => html! {
                        <p data-testid="headline" class="headline">
                            { "Add a line with a material and its spend to see where your supply really comes from." }
                        </p>
                    },
                }
            }
            { warnings_notice(derived) }
            if derived.assessment.is_some() && later.bars > 0 {
                { world_map_panel(derived) }
                <LazyDetails part={Part::Outlook} class="card outlook-panel" testid="outlook-panel"
                    summary="How world supply is changing: USGS 2024 to 2025, and your exposure in 2030 and 2035 (IEA projections)"
                    on_action={Callback::noop()} portfolio={Some(props.portfolio.clone())} />
            }
        </section>
    }
}

/// The entries the reference data contradicts, each with its line and message (kept as entered).
fn warnings_notice(derived: &Derived) -> Html {
    if derived.warnings.is_empty() {
        return html! {};
    }
    html! {
        <div class="card warnings" role="note" data-testid="sourcing-warnings">
            <p><strong>{ "Check these entries: the reference data records no production there" }</strong>
                <span class="muted small">{ " (kept as you entered them)" }</span></p>
            <ul class="small">
                for w in &derived.warnings {
                    <li>{ match &w.location {
                        crate::portfolio::Location::Line { line, .. } => format!("Line {line}: {}", w.message),
                        _ => w.message.clone(),
                    } }</li>
                }
            </ul>
        </div>
    }
}

fn action_class(action: ActionClass) -> &'static str {
    match action {
        ActionClass::QualifySecondSource => "bad",
        ActionClass::HoldBufferStock => "warn",
        ActionClass::Monitor => "warn",
        ActionClass::LowPriority => "good",
    }
}

fn results(
    reference: &ReferenceData,
    derived: &Rc<Derived>,
    a: &Assessment,
    props: &DashboardProps,
    later: Later,
) -> Html {
    let settings = &props.settings;
    let materials = MaterialRef::all(derived);
    let unit = a.totals.spend_unit.as_deref();
    let top = a.chokepoints.first();
    // The chart shown with the answer: the largest chokepoint's material (drawn once).
    let first_chart = top
        .and_then(|c| materials.iter().find(|m| m.material == c.material))
        .cloned();
    // The portfolio's list is each material's own, largest first: never blended across materials.
    let hidden = a.hidden.first();
    let covered = |stage: crate::model::Stage| {
        a.stages
            .iter()
            .find(|s| s.stage == stage)
            .and_then(|s| s.by_spend.groups.iter().find(|g| g.group == COVERED_GROUP))
            .map(|g| g.share)
    };
    html! {
        <>
            // The answer in the first screen: the headline, the top chokepoints and the chart of
            // the largest chokepoint's material side by side on wide screens.
            <div class="answer">
            <div class="answer-text">
            // Only the headline is announced as the numbers change: a live region around the
            // whole dashboard would read out every table on every keystroke.
            <div class="card headline" data-testid="headline" aria-live="polite">
                <p>
                    { format!("{} materials, {} of annual spend. ", a.totals.materials, money(a.totals.spend, unit)) }
                    if let Some(c) = top {
                        { "Your largest chokepoint: " }
                        <strong>{ format!("{} supplies {} of the {} of {}", country_name(reference, c.country), chokepoint_share(reference, c).0,
                            c.stage.label().to_lowercase(), crate::app::format::material_name(reference, &c.material)) }</strong>
                        { format!(", with {} of your spend exposed{}.", money(c.spend_exposed, unit),
                            match c.basis {
                                MixBasis::World => ", seen through your suppliers to the world mix",
                                MixBasis::Trade => ", seen through your suppliers by their countries' production and imports",
                                _ => "",
                            }) }

                        if let Some(note) = chokepoint_share(reference, c).1 {
                            <span class="muted small">{ format!(" ({note}.)") }</span>
                        }
                    }
                </p>
                if let Some((c, other)) = a.chokepoints.iter().find_map(|c| Some((c, c.share_other_basis?))) {
                    // The largest chokepoint at a stage the look-through filled, on both bases:
                    // how much the choice of basis matters.
                    <p data-testid="headline-bases">
                        { format!("{} of {}, a stage you did not enter: ", c.stage.label(), crate::app::format::material_name(reference, &c.material)) }
                        <strong>{ format!("{} {} by {}, {} by {}", country_name(reference, c.country),
                            pct(c.share), basis_name(a.look_through), pct(other), basis_name(a.look_through.other())) }</strong>
                        { format!(" (look through by {} in the editor's settings).", basis_name(a.look_through)) }
                    </p>
                }
                if let (Some(mining), Some(refining)) = (covered(crate::model::Stage::Mining), covered(crate::model::Stage::Refining)) {
                    <p>{ format!("Weighted by spend, {} of your mining and {} of your refining happen in U.S. covered nations (China, Russia, North Korea, Iran).", pct(mining), pct(refining)) }</p>
                }
                if let Some(h) = hidden.filter(|h| h.exposure.is_headline()) {
                    <p data-testid="not-entered">
                        { format!("Exposure you did not enter (assumed from {}): ", assumed_from(h.exposure.basis)) }
                        <strong>{ format!("{} has {} of the {} of {}", country_name(reference, h.exposure.country), pct(h.exposure.upstream_share),
                            h.exposure.stage.label().to_lowercase(), crate::app::format::material_name(reference, &h.material)) }</strong>
                        { format!(" behind your direct suppliers, where it has {}.", pct(h.exposure.direct_share)) }
                    </p>
                }
                <p class="small">
                    { crate::app::format::action_counts(&a.totals.actions) }
                </p>
            </div>
            <h3>{ "Top chokepoints" }</h3>
            <ol class="chokepoints" data-testid="chokepoints">
                for c in a.chokepoints.iter().take(3) {
                    <li>
                        <strong>{ format!("{}, {}, {}", crate::app::format::material_name(reference, &c.material), c.stage.label().to_lowercase(), country_name(reference, c.country)) }</strong>
                        { format!(": {} of supply, {} of spend exposed", pct(c.share), money(c.spend_exposed, unit)) }
                        if c.basis == MixBasis::World { <span class="muted">{ " (world mix, look-through)" }</span> }
                        if c.basis == MixBasis::Trade { <span class="muted">{ " (trade look-through)" }</span> }
                        if let Some(m) = a.materials.iter().find(|m| m.material == c.material) {
                            { " " }<span class={classes!("badge", action_class(m.action))}>{ m.action.label() }</span>
                        }
                    </li>
                }
            </ol>
            <p class="muted small">{ "Spend exposed: the whole spend of each line that passes through the country at that stage, times the country's share. Every upstream stage carries the line's whole spend, so the amounts do not add up across stages." }</p>
            </div>
            if let Some(m) = first_chart.clone().filter(|_| later.chart) {
                <div class="answer-chart" data-testid="answer-chart"><StageBars material={m} /></div>
            }
            </div>
            <h3>{ "Per material and stage" }</h3>
            { settings.clone() }
            if later.rows > 0 {
            <div class="table-scroll materials-scroll" tabindex="0" role="region" aria-label="Per material and stage, scrollable">
                <table class="materials">
                    <caption class="muted small">{ "HHI: Herfindahl-Hirschman index of the country shares, 0-10 000 (10 000 = one country), to the nearest 10; above 1 800 is \"highly concentrated\" in the U.S. DOJ/FTC Merger Guidelines (2023), given as context. Bottleneck: the stage with the highest supply risk of your sourcing. Covered: share from U.S. covered nations (China, Russia, North Korea, Iran). " }
                        <span data-testid="policy-researched">{ policy_note(a) }</span>
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">{ "Material" }</th>
                            <th scope="col">{ "Action" }</th>
                            <th scope="col">{ "Supply risk" }</th>
                            <th scope="col">{ "Stage" }</th>
                            <th scope="col" class="num">{ "HHI" }</th>
                            <th scope="col" class="num">{ "Countries (effective)" }</th>
                            <th scope="col">{ "Largest supplier" }</th>
                            <th scope="col" class="num">{ "Covered" }</th>
                            <th scope="col">{ "Basis" }</th>
                            <th scope="col">{ "Exposure you did not enter" }</th>
                            <th scope="col">{ "Policy checks" }</th>
                        </tr>
                    </thead>
                    for m in materials.iter().take(later.rows) { <MaterialRows material={m.clone()} /> }
                </table>
            </div>
            }
            if later.charts {
            <ChartsWhenNear portfolio={props.portfolio.clone()} date={props.check_date.clone()}
                wanted={props.charts_wanted} />
            }
            if later.bars > 0 {
            <h3>{ "Where each stage comes from" }</h3>
            for m in materials.into_iter().filter(|m| Some(m.material.as_str()) != first_chart.as_ref().map(|f| f.material.as_str())).take(later.bars) {
                <StageBars material={m} />
            }
            }
        </>
    }
}

/// Properties of [`ChartsWhenNear`].
#[derive(Properties, PartialEq)]
struct ChartsWhenNearProps {
    portfolio: Rc<RawPortfolio>,
    date: AttrValue,
    /// Draw them now, wherever the page is scrolled.
    wanted: bool,
}

/// The place of the risk matrix and the flow diagram, below the first screen. They are drawn by
/// the pages' part of the app ([`Part::Charts`], [`DashboardCharts`]) once the place comes
/// within half a screen of the viewport (or a report is printed): neither their code nor their
/// drawing is part of the start (issue #19).
#[component]
fn ChartsWhenNear(props: &ChartsWhenNearProps) -> Html {
    let host = use_node_ref();
    let near = use_state(|| false);
    {
        let (host, near) = (host.clone(), near.clone());
        use_effect_with((), move |_| {
            let watch = host.cast::<web_sys::Element>().and_then(|place| {
                crate::app::browser::when_near_viewport(&place, "50% 0px", move || near.set(true))
            });
            // Watching until the place is gone.
            move || {
                let _stop = watch;
            }
        });
    }
    html! {
        <div ref={host} class="charts-place" data-testid="charts-place">
            if *near || props.wanted {
                <LazyPart part={Part::Charts} portfolio={Some(props.portfolio.clone())}
                    data={props.date.clone()} on_action={Callback::noop()} />
            }
        </div>
    }
}

/// Properties of [`DashboardCharts`].
#[derive(Properties, PartialEq)]
pub struct DashboardChartsProps {
    /// The portfolio as typed.
    pub portfolio: Rc<RawPortfolio>,
    /// The date of the policy checks (`YYYY-MM-DD`; anything else: as written).
    pub date: AttrValue,
}

/// The dashboard's risk matrix and flow diagram of `portfolio`: what the pages' part draws for
/// [`Part::Charts`]. From the results the Calculator page shows when they are this portfolio's
/// (they are, but for a page drawn elsewhere), else computed as the calculator computes them.
#[component]
pub fn DashboardCharts(props: &DashboardChartsProps) -> Html {
    use crate::app::components::calculator::{derive_on, shown};
    let derived = use_memo(
        (props.portfolio.clone(), props.date.clone()),
        |(portfolio, date)| {
            let date = crate::analysis::policy::Date::parse(date).ok();
            shown(portfolio, date).unwrap_or_else(|| Rc::new(derive_on(portfolio, date)))
        },
    );
    let Some(a) = derived.assessment.as_ref() else {
        return html! {};
    };
    html! {
        <>
            <RiskMatrix derived={(*derived).clone()} />
            <FlowChart diagram={Rc::new(flow_diagram(a, &FlowParams::default()))} />
        </>
    }
}

/// A chokepoint's share: as published where it is the world mix (the note says how the
/// calculations normalised it), else the share computed from the firm's sourcing.
fn chokepoint_share(
    reference: &ReferenceData,
    c: &crate::analysis::assess::Chokepoint,
) -> (String, Option<String>) {
    match (
        c.basis,
        published_world_share(reference, &c.material, c.stage, c.country),
    ) {
        (MixBasis::World, Some(published)) => {
            let share = published
                .text
                .split(" (")
                .next()
                .unwrap_or_default()
                .to_string();
            (share, Some(published.note))
        }
        _ => (pct(c.share), None),
    }
}

/// The largest supplier of a stage: for the world mix, the published share with the previous
/// vintage and the normalisation note; else the computed share.
fn largest_cell(reference: &ReferenceData, material: &str, s: &StageResult) -> Html {
    let Some((country, share)) = s.concentration.as_ref().and_then(|c| c.largest) else {
        return html! {};
    };
    let name = country_name(reference, country);
    match (
        s.basis,
        published_world_share(reference, material, s.stage, country),
    ) {
        (MixBasis::World, Some(published)) => html! {
            <>
                { format!("{name} {}", published.text) }
                <br /><span class="muted small" data-testid="published-note" title={published.note}>{ published.short }</span>
            </>
        },
        _ => html! { format!("{name} {}", pct(share)) },
    }
}

/// The largest exposure a material's lines did not enter: how much more of a stage the
/// look-through filled a country has than it has among the firm's direct suppliers.
fn hidden_text(reference: &ReferenceData, m: &MaterialResult) -> Html {
    match m
        .hidden
        .iter()
        .filter(|h| h.hidden >= 0.005)
        .max_by(|a, b| a.hidden.total_cmp(&b.hidden))
    {
        Some(h) => html! {
            <span title={format!("Assumed from {}: {} has {} of the {} stage but {} among your direct suppliers", assumed_from(h.basis), country_name(reference, h.country), pct(h.upstream_share), h.stage.label().to_lowercase(), pct(h.direct_share))}>
                { format!("{} +{} pts at {}", country_name(reference, h.country), (h.hidden * 100.0).round(), h.stage.label().to_lowercase()) }
            </span>
        },
        None => html! { <span class="muted">{ "none" }</span> },
    }
}

/// The date the policy checks are made on and when the rules were researched.
fn policy_note(a: &Assessment) -> String {
    let researched = a.policy.researched.as_ref().map_or_else(
        || "research date not in the data".to_string(),
        |r| r.label(),
    );
    match a.policy.date {
        Some(date) => format!("Policy checks: rules in force on {date}; rules {researched}."),
        None => {
            format!("Policy checks: every rule as written, whatever its dates; rules {researched}.")
        }
    }
}

/// The policy findings of a material: failures in force as badges (details in the tooltip),
/// how many checks passed, the rules that apply but cannot be judged from country data, the EU's
/// own benchmark as context, the rules that do not apply and why, and the scheduled changes the
/// rule data cannot confirm on the date.
fn policy_cell(m: &MaterialResult) -> Html {
    use crate::analysis::policy::Outcome;
    let current: Vec<_> = m.policy.iter().filter(|f| !f.historical).collect();
    let of = |keep: fn(&Outcome) -> bool| -> Vec<&PolicyFinding> {
        current
            .iter()
            .copied()
            .filter(|f| keep(&f.outcome))
            .collect()
    };
    let passed = of(|o| *o == Outcome::Pass).len();
    let failing = of(|o| *o == Outcome::Fail);
    let not_assessable = of(|o| matches!(o, Outcome::NotAssessable(_)));
    let context = of(|o| *o == Outcome::Context);
    let not_applicable = of(|o| matches!(o, Outcome::NotApplicable(_)));
    // One note per rule, whatever the number of stages it was checked at.
    let mut unconfirmed: Vec<String> = Vec::new();
    for f in &m.policy {
        if let Some(change) = f.unconfirmed {
            let text = format!("{}: {}", f.name, change.message());
            if !unconfirmed.contains(&text) {
                unconfirmed.push(text);
            }
        }
    }
    let judged = passed + failing.len() + not_assessable.len();
    html! {
        <div class="policy-cell">
            for text in &unconfirmed {
                <p class="small notice" data-testid="policy-unconfirmed">{ text }</p>
            }
            if judged == 0 {
                <span class="muted">{ "no rule binds it" }</span>
            } else if failing.is_empty() {
                if passed > 0 { <span class="badge good">{ format!("{passed} passed") }</span> }
            } else {
                <details>
                    <summary>
                        <span class="badge bad" data-testid="policy-flag">{ format!("{} not met", failing.len()) }</span>
                        if passed > 0 { <span class="muted small">{ format!(" · {passed} passed") }</span> }
                    </summary>
                    <ul class="policy-list">
                        for f in failing {
                            <li title={policy_title(f)}>
                                { format!("{} ({})", f.name, f.stages_label().to_lowercase()) }
                                if let Some(m) = &f.measurement {
                                    <span class="muted">{ format!(": {} vs limit {}", pct(m.share), pct(m.limit)) }</span>
                                }
                            </li>
                        }
                    </ul>
                </details>
            }
            { finding_list("policy-not-assessable", "not assessable from country data", &not_assessable) }
            { finding_list("policy-context", "EU benchmark (context)", &context) }
            { finding_list("policy-not-applicable", "not applicable", &not_applicable) }
        </div>
    }
}

/// A collapsed list of findings with, for each, its stages and why (or, for the EU benchmark,
/// the share against the EU's own target); nothing when there are none.
fn finding_list(test_id: &'static str, what: &str, findings: &[&PolicyFinding]) -> Html {
    if findings.is_empty() {
        return Html::default();
    }
    html! {
        <details class="small" data-testid={test_id}>
            <summary class="muted">{ format!("{} {what}", findings.len()) }</summary>
            <ul class="policy-list">
                for f in findings {
                    <li title={policy_title(f)}>
                        { format!("{} ({}): ", f.name, f.stages_label().to_lowercase()) }
                        <span class="muted">{ finding_reason(f) }</span>
                    </li>
                }
            </ul>
        </details>
    }
}

/// Why a finding is not a pass or a fail, in words; for the EU benchmark, the measured share
/// against the EU's own target.
fn finding_reason(f: &PolicyFinding) -> String {
    match (&f.reason, &f.measurement) {
        (Some(reason), _) => reason.clone(),
        (None, Some(m)) if f.eu_level_benchmark => format!(
            "largest third country {} against the EU's own benchmark of {} for the Union's \
             consumption ({}); not an obligation of the firm",
            pct(m.share),
            pct(m.limit),
            if m.passes() { "within" } else { "above" }
        ),
        _ => String::new(),
    }
}

fn policy_title(f: &PolicyFinding) -> String {
    let measured = f
        .measurement
        .as_ref()
        .map(|m| {
            format!(
                " Measured {} against a limit of {}.",
                pct(m.share),
                pct(m.limit)
            )
        })
        .unwrap_or_default();
    let dates = match (&f.effective_from, &f.effective_to) {
        (Some(from), Some(to)) => format!(" In force {from} to {to}."),
        (Some(from), None) => format!(" In force from {from}."),
        _ => String::new(),
    };
    let benchmark = if f.eu_level_benchmark {
        " An EU-level benchmark, not an obligation of the firm."
    } else {
        ""
    };
    format!(
        "{}: {}.{measured}{dates}{benchmark} {}",
        f.name,
        f.legal_citation,
        f.caveats.first().cloned().unwrap_or_default()
    )
}

fn supply_risk_text(m: &MaterialResult) -> String {
    let high = m
        .supply_risk
        .threshold
        .map(|t| format!("; high from {}", score_text(m.supply_risk.basis, t)))
        .unwrap_or_default();
    match (m.supply_risk.value, m.supply_risk.basis) {
        (Some(v), SupplyRiskBasis::Caller) => format!("{} (given{high})", supply_risk(v)),
        (Some(v), SupplyRiskBasis::Firm) => {
            let stage = m
                .supply_risk
                .stage
                .map(|s| format!(", {}", s.label().to_lowercase()))
                .unwrap_or_default();
            format!(
                "{} (your sourcing, GeoPolRisk 0-1{stage}{high})",
                firm_score(v)
            )
        }
        _ => "unavailable".into(),
    }
}

/// A supply-risk value in the precision of its basis: the firm score to two decimals (0-1), the
/// EU-scale values to one.
fn score_text(basis: SupplyRiskBasis, value: f64) -> String {
    match basis {
        SupplyRiskBasis::Caller => supply_risk(value),
        _ => firm_score(value),
    }
}

/// The EU's reference value for the material, flagged as the EU's and as older data.
fn eu_reference_text(m: &MaterialResult) -> Option<String> {
    let eu = m.eu_reference.as_ref()?;
    let sr = eu.supply_risk?;
    let older = if eu.older_data {
        format!(", older data: {}", eu.data_period)
    } else {
        String::new()
    };
    Some(format!(
        "EU reference for the material, not your sourcing: SR {} (EU {}{older})",
        supply_risk(sr),
        eu.assessment_year
    ))
}

fn basis_text(basis: MixBasis) -> &'static str {
    match basis {
        MixBasis::User => "your sourcing",
        MixBasis::World => "world mix",
        MixBasis::Trade => "trade",
        MixBasis::Mixed => "partly world mix",
        MixBasis::Unavailable => "no data",
    }
}

/// The look-through setting in words, as in "51 % by trade".
fn basis_name(basis: crate::portfolio::LookThroughBasis) -> &'static str {
    match basis {
        crate::portfolio::LookThroughBasis::Trade => "trade",
        crate::portfolio::LookThroughBasis::World => "world production",
    }
}

/// What a filled stage was assumed from, as in "assumed from trade data".
fn assumed_from(basis: MixBasis) -> &'static str {
    match basis {
        MixBasis::Trade => "trade data",
        MixBasis::World => "world production data",
        MixBasis::Mixed | MixBasis::User | MixBasis::Unavailable => "trade and world data",
    }
}

/// Where a stage's numbers come from; for the world mix, the source and data year are shown
/// and the full citation is in the tooltip and on the Sources page; for a stage filled by trade,
/// whose imports and production it follows ("basis: imports of Finland 2022-2024, BACI").
fn basis_cell(reference: &ReferenceData, material: &str, s: &StageResult) -> Html {
    if let Some(note) = &s.trade {
        return html! {
            <span data-testid="trade-basis">
                { format!("{}: {}", basis_text(s.basis), note.describe(|c| country_name(reference, c))) }
                { " · " }<a href="#/sources" title={note.source.clone()}>{ "BACI" }</a>
            </span>
        };
    }
    let source = match s.basis {
        MixBasis::World | MixBasis::Mixed => world_source(reference, material, s.stage),
        MixBasis::User | MixBasis::Trade | MixBasis::Unavailable => None,
    };
    let counted = s.facility_count.then(|| html! {
        <span class="muted" data-testid="facility-count-basis"
            title="The declared smelters or mines, counted: shares of facilities, not of volume. Concentration is over facilities; policy checks read only which countries are present.">
            { " · by number of facilities" }
        </span>
    });
    match source {
        Some((label, full)) => html! {
            <>
                { basis_text(s.basis) }{ " · " }
                <a href="#/sources" title={full}>{ label }</a>
                { counted.unwrap_or_default() }
            </>
        },
        None => html! { <>{ basis_text(s.basis) }{ counted.unwrap_or_default() }</> },
    }
}

/// Properties of [`MaterialRows`].
#[derive(Properties, PartialEq)]
struct MaterialRowsProps {
    material: MaterialRef,
}

/// The table rows of one material: re-rendered only when the material's results change.
#[component]
fn MaterialRows(props: &MaterialRowsProps) -> Html {
    material_rows(crate::reference::embedded_current(), &props.material)
}

fn material_rows(reference: &ReferenceData, m: &MaterialResult) -> Html {
    let stages: Vec<&StageResult> = m.stages.iter().collect();
    let span = stages.len().max(1).to_string();
    let first = stages.first().copied();
    let rest = stages.iter().skip(1).copied();
    // One row group per material: on a phone it becomes a card (style.css, "Per material and
    // stage on a phone"), each cell titled by its `data-label`.
    html! {
        <tbody class="material-group">
            <tr data-testid="material-row">
                <th scope="row" rowspan={span.clone()}>{ &m.name }</th>
                <td rowspan={span.clone()} class="material-cell" data-label="Action"><span class={classes!("badge", action_class(m.action))}>{ m.action.label() }</span></td>
                <td rowspan={span.clone()} class="material-cell" data-label="Supply risk">
                    { supply_risk_text(m) }
                    if let Some(eu) = eu_reference_text(m) {
                        <br /><span class="muted small" data-testid="eu-reference">{ eu }</span>
                    }
                </td>
                { first.map(|s| stage_cells(reference, m, s)).unwrap_or_default() }
                <td rowspan={span.clone()} class="material-wide" data-label="Exposure you did not enter">{ hidden_text(reference, m) }</td>
                <td rowspan={span} class="material-wide" data-label="Policy checks">{ policy_cell(m) }</td>
            </tr>
            for s in rest { <tr>{ stage_cells(reference, m, s) }</tr> }
        </tbody>
    }
}

fn stage_cells(reference: &ReferenceData, m: &MaterialResult, s: &StageResult) -> Html {
    let worst = m.worst_stage == Some(s.stage);
    let covered = s
        .groups
        .iter()
        .find(|g| g.group == COVERED_GROUP)
        .map(|g| pct(g.share));
    match &s.concentration {
        None => html! {
            <>
                <td class="stage-name">{ s.stage.label() }</td>
                <td colspan="5" class="missing">{ "no data for this stage" }</td>
            </>
        },
        Some(c) => html! {
            <>
                <td class="stage-name">{ s.stage.label() }if worst { <span class="badge bad small">{ " bottleneck" }</span> }</td>
                <td class="num" data-label="HHI" title={hhi_band(c.hhi)}>{ hhi(c.hhi) }</td>
                <td class="num" data-label="Countries (effective)">{ format!("{:.1}", c.effective_suppliers) }</td>
                <td data-label="Largest supplier">{ largest_cell(reference, &m.material, s) }</td>
                <td class="num" data-label="Covered">{ covered.unwrap_or_else(|| "–".into()) }</td>
                <td class="small" data-label="Basis">{ basis_cell(reference, &m.material, s) }</td>
            </>
        },
    }
}
