//! The Calculator page's table per material and stage: the action and supply risk of each
//! material and, at each stage, the concentration (HHI, effective number of countries), the
//! largest supplier, the share from U.S. covered nations, where the numbers come from, the
//! exposure the firm did not enter, and the policy checks. On a phone each material becomes a
//! card (style.css).
//!
//! Below the first screen, it is drawn by the pages' part of the app
//! ([`super::part_views`]), and it runs the policy checks itself
//! ([`crate::app::results::with_policy_checks`]): neither the policy rules nor their checks are
//! part of the first load (issue #19), and the first screen shows no policy finding.

use crate::analysis::assess::{Assessment, MaterialResult, StageResult, SupplyRiskBasis};
use crate::analysis::exposure::MixBasis;
use crate::analysis::policy::PolicyFinding;
use crate::app::format::{
    COVERED_GROUP, action_class, assumed_from, basis_text, country_name, firm_score, hhi, hhi_band,
    pct, published_world_share, supply_risk, world_source,
};
use crate::app::results::{Derived, MaterialRef, with_policy_checks};
use crate::reference::ReferenceData;
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`MaterialTable`].
#[derive(Properties, PartialEq, Clone)]
pub struct MaterialTableProps {
    /// The Calculator page's results, without their policy checks
    /// ([`crate::app::results::derive_without_policy`]).
    pub derived: Rc<Derived>,
    /// What follows the table once all its materials are drawn (the place of the charts below
    /// it, which must not seem near the viewport while the table above it is still short).
    #[prop_or_default]
    pub after: Html,
}

/// The table, with the policy checks of the results it is given (run again only when the
/// results change). Its materials are drawn three per task from its first
/// render on ([`crate::app::later::use_drawn`]): it comes with the pages' part, after the first
/// screen, and a long portfolio's table drawn at once would block a phone.
#[component]
pub fn MaterialTable(props: &MaterialTableProps) -> Html {
    let reference = crate::reference::embedded_current();
    let checked = use_memo(props.derived.clone(), |derived| {
        with_policy_checks(derived, reference)
    });
    let materials = MaterialRef::all(&checked);
    let rows = crate::app::later::use_drawn(1, 3, materials.len());
    let Some(a) = checked.assessment.as_ref() else {
        return Html::default();
    };
    html! {
        <>
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
                    for m in materials.iter().take(rows) { <MaterialRows material={m.clone()} /> }
                </table>
            </div>
            if rows == usize::MAX { { props.after.clone() } }
        </>
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
