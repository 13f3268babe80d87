//! The results dashboard: the headline in words and numbers, the top chokepoints with the action
//! each calls for and the chart of the largest one's material (the first screen); below it the
//! table per material and stage with its policy checks (drawn by the pages' part,
//! [`crate::app::components::material_table`]), the risk matrix and flow diagram (also drawn by
//! it), and the country shares per stage of each other material as a chart with a table view.
//! World shares are shown as published, with the previous vintage; the entries the data
//! contradicts are listed as warnings; the trend and the IEA outlook open in a disclosure drawn by
//! the pages' part ([`crate::app::components::outlook`]).

use crate::analysis::assess::Assessment;
use crate::analysis::exposure::MixBasis;
use crate::analysis::flow::{FlowParams, flow_diagram};
use crate::app::components::flow_chart::FlowChart;
use crate::app::components::material_table::MaterialTableProps;
use crate::app::components::part_views::{InPart, PartSlot};
use crate::app::components::risk_matrix::RiskMatrix;
use crate::app::components::stage_bars::StageBars;
use crate::app::components::world_map::world_map_panel;
use crate::app::format::{
    COVERED_GROUP, action_class, assumed_from, basis_name, country_name, money, pct,
    published_world_share,
};
use crate::app::lazy::{LazyDetails, LazyPart, Part};
use crate::app::results::{Derived, MaterialRef};
use crate::portfolio::RawPortfolio;
use crate::reference::ReferenceData;
use std::rc::Rc;
use yew::prelude::*;

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
    /// The per-material table (it then draws its materials a few per task).
    table: bool,
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
        table: crate::app::later::use_later_at(2),
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
            // The table comes from the pages' part, loaded once the first screen is drawn; the
            // charts' place follows it once it is drawn whole.
            if later.table {
                <PartSlot part={InPart::MaterialTable(MaterialTableProps {
                    derived: derived.clone(),
                    after: html! {
                        <ChartsWhenNear portfolio={props.portfolio.clone()} date={props.check_date.clone()}
                            wanted={props.charts_wanted} />
                    },
                })} />
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
        <div ref={host} class="charts-place" id="charts-place" data-testid="charts-place">
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
