//! The Sources page: every data set with its publisher, year, licence, citation and caveats, the
//! rules for combining them, the world map's shapes, per material which source each stage comes
//! from and the lists it is on, and per material and stage the country shares as published with
//! their year, the previous vintage and the trend, the normalisation used in the calculations
//! and the IEA's projections.

use crate::analysis::policy::{Date, PolicyRule, embedded_rules, rules_researched};
use crate::analysis::scenario::presets::events_researched;
use crate::app::format::{country_name, published_pct, thousands};
use crate::model::{CountryCode, Stage};
use crate::reference::{Material, ReferenceData, StageSeries};
use yew::prelude::*;

/// Properties of [`SourcesPage`].
#[derive(Properties, PartialEq)]
pub struct SourcesProps {
    /// The check date set on the Calculator page, as typed (`YYYY-MM-DD`); rule statuses are
    /// judged on it. Empty or invalid: today.
    #[prop_or_default]
    pub check_date: AttrValue,
}

/// The Sources page, built from the embedded reference data.
#[component]
pub fn SourcesPage(props: &SourcesProps) -> Html {
    let data: &'static ReferenceData = crate::reference::embedded();
    let date = crate::app::components::scenarios::check_date(&props.check_date);
    html! {
        <article>
            <h1>{ "Sources and data vintages" }</h1>
            <p class="lede">
                { "Every reference number in Chokepoint comes from one of the published data sets \
                   below, with its year. Where a figure is withheld or missing in the source, the \
                   app shows it as missing rather than guessing." }
            </p>
            <h2>{ "How sources are combined" }</h2>
            <ul class="card list">
                <li>{ "Per material and stage the newest source wins: the USGS Mineral Commodity \
                       Summaries 2026 data release (data year 2025; its revised 2024 figures are \
                       kept as the previous vintage, for the trend) and the IEA Critical Minerals \
                       Dataset 2025 (data year 2024) first. Each source keeps its own year." }</li>
                <li>{ "Where they lack a stage, the EU 2023 criticality study's global supply \
                       shares (about 2016-2020 averages) fill it, marked as older data." }</li>
                <li>{ "A source's \"other countries\" remainder is kept as \"Rest of world\", \
                       never spread over named countries." }</li>
                <li>{ "Shares are shown as published (USGS: the country's quantity over the \
                       published world total). Where a source's shares do not sum to 100 % \
                       (rounded totals, a withheld country, no 'other countries' row), the \
                       calculations rescale them to 100 %; the published sum and the factor are \
                       shown with the series." }</li>
                <li>{ "The IEA's base-case projections (2030, 2035, 2040) of mining and refining \
                       by country are shown where the IEA has them, labelled as projections." }</li>
            </ul>
            <h2>{ "Data sets" }</h2>
            for dataset in &data.datasets {
                <section class="card" aria-labelledby={format!("ds-{}", dataset.id)}>
                    <h3 id={format!("ds-{}", dataset.id)}>{ &dataset.title }</h3>
                    <dl class="small">
                        <dt>{ "Publisher" }</dt><dd>{ &dataset.publisher }</dd>
                        <dt>{ "Published" }</dt><dd>{ dataset.published }</dd>
                        <dt>{ "Licence" }</dt><dd>{ &dataset.licence }</dd>
                        <dt>{ "Citation" }</dt><dd>{ &dataset.citation }</dd>
                    </dl>
                    if !dataset.caveats.is_empty() {
                        <details>
                            <summary>{ format!("Caveats ({})", dataset.caveats.len()) }</summary>
                            <ul class="small">
                                for caveat in &dataset.caveats { <li>{ caveat }</li> }
                            </ul>
                        </details>
                    }
                </section>
            }
            <h2>{ "Trade (look-through by trade)" }</h2>
            { trade_source() }
            <h2>{ "World map" }</h2>
            { map_source() }
            <h2>{ "Industry templates: material quantities per product" }</h2>
            <p class="small muted">{ "Illustrative quantities, each with its source, year and confidence; ranges where sources disagree are shown on the start screen." }</p>
            <ul class="card small">
                for (title, year, location) in template_sources() {
                    <li>{ format!("{title}{}", year.map(|y| format!(" ({y})")).unwrap_or_default()) }<span class="muted">{ format!(". {location}") }</span></li>
                }
            </ul>
            <h2>{ "Policy rules" }</h2>
            <p class="small muted">{ "Rules are data: each with its legal citation, dates, the stages it covers, its source and how well it was verified. Checks on a portfolio are benchmarks, not legal advice." }</p>
            <p class="small" data-testid="rules-researched">{ researched_note("Policy rules", rules_researched(), date) }</p>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Policy rules, scrollable">
                <table class="small" data-testid="rules-table">
                    <thead><tr>
                        <th scope="col">{ "Rule" }</th><th scope="col">{ "Citation" }</th>
                        <th scope="col">{ "In force" }</th>
                        <th scope="col">{ date.map_or_else(|| "Status".to_string(), |d| format!("Status on {d}")) }</th>
                        <th scope="col">{ "Verified" }</th>
                        <th scope="col">{ "Applies to" }</th>
                    </tr></thead>
                    <tbody>
                        for rule in embedded_rules() {
                            <tr>
                                <td>{ &rule.name }</td>
                                <td>{ &rule.legal_citation }</td>
                                <td>{ match (&rule.effective_from, &rule.effective_to) {
                                    (Some(from), Some(to)) => format!("{from} to {to}"),
                                    (Some(from), None) => format!("from {from}"),
                                    (None, Some(to)) => format!("until {to}"),
                                    (None, None) => "dates not in the data".to_string(),
                                } }</td>
                                <td>{ rule_status(rule, date) }</td>
                                <td>{ format!("{:?}", rule.confidence).to_lowercase() }</td>
                                <td>{ if rule.is_eu_level_benchmark() {
                                    "the EU's own benchmark: shown as context, not a test of the firm".to_string()
                                } else {
                                    rule.applicability.summary()
                                } }</td>
                            </tr>
                        }
                    </tbody>
                </table>
            </div>
            <h2>{ "Export restrictions and supply disruptions" }</h2>
            <p class="small" data-testid="events-researched">{ researched_note("Event data (the Scenarios page's presets)", events_researched(), date) }</p>
            <h2>{ "Coverage per material" }</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Coverage per material, scrollable">
                <table data-testid="coverage-table">
                    <caption class="muted small">
                        { "Which source each stage's country shares come from." }
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">{ "Material" }</th>
                            <th scope="col">{ "Mining" }</th>
                            <th scope="col">{ "Refining" }</th>
                            <th scope="col">{ "Lists" }</th>
                        </tr>
                    </thead>
                    <tbody>
                        for material in &data.materials {
                            <tr>
                                <th scope="row">{ &material.name }</th>
                                for stage in Stage::UPSTREAM {
                                    <td class="small">{ stage_cell(data, material.stage(stage)) }</td>
                                }
                                <td class="small">{ lists(material) }</td>
                            </tr>
                        }
                    </tbody>
                </table>
            </div>
            <h2>{ "Country shares per material" }</h2>
            <p class="small muted">{ "Shares of world output as each source published them, with the year. 'Used' is the share after the calculations rescale a series to 100 %. A withheld figure is shown as withheld, never as zero." }</p>
            for material in data.materials.iter().filter(|m| !m.stages.is_empty()) {
                { material_shares(data, material) }
            }
        </article>
    }
}

/// The lists a material is on: EU critical and strategic (2023), U.S. 2025 (final list) and,
/// as history, U.S. 2022.
fn lists(material: &Material) -> String {
    let l = &material.lists;
    let mut on: Vec<&str> = Vec::new();
    if l.eu_critical_2023 {
        on.push("EU critical");
    }
    if l.eu_strategic_2023 {
        on.push("EU strategic");
    }
    match l.us_critical_2025 {
        Some(true) => on.push("U.S. 2025"),
        Some(false) => {}
        None => on.push("U.S. 2025 not stated"),
    }
    let mut text = on.join(", ");
    if l.us_critical_2022 {
        text.push_str(if text.is_empty() {
            "(U.S. 2022)"
        } else {
            " (U.S. 2022)"
        });
    }
    text
}

/// A share or "withheld" or "–" (not listed).
fn figure(published: &[(CountryCode, f64)], withheld: &[CountryCode], c: CountryCode) -> String {
    match published.iter().find(|(k, _)| *k == c) {
        Some((_, p)) => published_pct(*p),
        None if withheld.contains(&c) => "withheld".into(),
        None => "–".into(),
    }
}

/// A material's country shares per stage, in a disclosure.
fn material_shares(data: &ReferenceData, material: &Material) -> Html {
    html! {
        <details class="card" data-testid={format!("shares-{}", material.id)}>
            <summary><strong>{ &material.name }</strong>
                <span class="muted small">{ format!(" · {}", material.stages.iter().map(|s| format!("{} {}", s.stage.label().to_lowercase(), source_label(data, s))).collect::<Vec<_>>().join(", ")) }</span>
            </summary>
            for series in &material.stages { { series_shares(data, series) } }
        </details>
    }
}

fn source_label(data: &ReferenceData, series: &StageSeries) -> String {
    let short = data
        .dataset(&series.source.dataset)
        .map_or(series.source.dataset.as_str(), |d| d.short.as_str());
    format!("{short} {}", series.source.year)
}

/// One stage: the shares as published (and the previous year's, with the change), the share
/// used, the normalisation, the caveats and the IEA projections.
fn series_shares(data: &ReferenceData, series: &StageSeries) -> Html {
    let published = series.published_shares();
    let previous = series.previous.as_ref();
    let mut countries: Vec<CountryCode> = published.iter().map(|(c, _)| *c).collect();
    for c in series.withheld.iter().chain(
        previous
            .iter()
            .flat_map(|p| p.published.iter().map(|(c, _)| c).chain(&p.withheld)),
    ) {
        if !countries.contains(c) {
            countries.push(*c);
        }
    }
    let n = series.normalisation();
    let trend = series.trend();
    let year = series.source.year;
    let total = series
        .world_total
        .map(|t| format!("; world total {} {}", thousands(t), series.unit))
        .unwrap_or_default();
    html! {
        <section class="small">
            <h4>{ format!("{}: {} ({}){}{total}", series.stage.label(), source_label(data, series), series.detail,
                if series.older_data { ", older data" } else { "" }) }</h4>
            <div class="table-scroll" tabindex="0" role="region" aria-label={format!("{} shares, scrollable", series.stage.label())}>
                <table data-testid="published-shares">
                    <thead><tr>
                        <th scope="col">{ "Country" }</th>
                        <th scope="col" class="num">{ format!("{year}, published") }</th>
                        if let Some(p) = previous {
                            <th scope="col" class="num">{ format!("{}, published", p.source.year) }</th>
                            <th scope="col" class="num">{ "Change, points" }</th>
                        }
                        <th scope="col" class="num">{ "Used" }</th>
                    </tr></thead>
                    <tbody>
                        for c in countries {
                            <tr>
                                <th scope="row">{ country_name(data, c) }</th>
                                <td class="num">{ figure(&published, &series.withheld, c) }</td>
                                if let Some(p) = previous {
                                    <td class="num">{ figure(&p.published, &p.withheld, c) }</td>
                                    <td class="num">{ trend.as_ref().and_then(|t| t.entry(c)?.change()).map(|d| if d.abs() < 0.05 { "0.0".to_string() } else { format!("{d:+.1}") }).unwrap_or_default() }</td>
                                }
                                <td class="num">{ match series.mix.share_of(c) {
                                    used if used > 0.0 => published_pct(used * 100.0),
                                    _ => "–".to_string(),
                                } }</td>
                            </tr>
                        }
                    </tbody>
                </table>
            </div>
            <p class="muted" data-testid="normalisation">{
                if n.visible() {
                    format!("Normalised: the {} shares sum to {:.1} % as published; the calculations scale each by {:.3} to sum to 100 %.", year, n.published_sum, n.factor)
                } else {
                    format!("The {year} shares sum to {:.1} % as published.", n.published_sum)
                }
            }</p>
            if !series.caveats.is_empty() {
                <ul class="muted">
                    for c in &series.caveats { <li>{ c }</li> }
                </ul>
            }
            if !series.projections.is_empty() {
                { projections(data, series) }
            }
        </section>
    }
}

/// The IEA projections of a stage: countries by the base year, one column per year.
fn projections(data: &ReferenceData, series: &StageSeries) -> Html {
    let base = &series.projections[0];
    let mut countries: Vec<CountryCode> = base.published.iter().map(|(c, _)| *c).collect();
    for p in &series.projections {
        for (c, _) in &p.published {
            if !countries.contains(c) {
                countries.push(*c);
            }
        }
    }
    html! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="IEA projections, scrollable">
            <table data-testid="projections">
                <caption class="muted">{ format!("IEA projections, base case: {} (IEA Critical Minerals Dataset 2025; the base year 2024 is the IEA's own figure).", base.detail) }</caption>
                <thead><tr>
                    <th scope="col">{ "Country" }</th>
                    for p in &series.projections {
                        <th scope="col" class="num">{ if p.source.year == base.source.year { format!("{}", p.source.year) } else { format!("{} (projection)", p.source.year) } }</th>
                    }
                </tr></thead>
                <tbody>
                    for c in countries {
                        <tr>
                            <th scope="row">{ country_name(data, c) }</th>
                            for p in &series.projections {
                                <td class="num">{ figure(&p.published, &[], c) }</td>
                            }
                        </tr>
                    }
                </tbody>
            </table>
        </div>
    }
}

/// When a data set of dated statuses was researched, and the date statuses are judged on.
fn researched_note(
    what: &str,
    researched: Option<&crate::analysis::policy::Researched>,
    date: Option<Date>,
) -> String {
    let when = researched.map_or_else(
        || "research date not in the data".to_string(),
        |r| format!("{}; source: {}", r.label(), r.citation),
    );
    let judged = date.map_or_else(String::new, |d| {
        format!(" Statuses are judged on {d}, the check date set on the Calculator page.")
    });
    format!("{what}: {when}.{judged}")
}

/// A rule's status on the check date, with the scheduled change the data cannot confirm.
fn rule_status(rule: &PolicyRule, date: Option<Date>) -> String {
    let Some(date) = date else {
        return String::new();
    };
    let status = rule.status_on(date).label();
    match rules_researched().and_then(|r| rule.unconfirmed_on(date, r.date)) {
        Some(change) => format!("{status} ({})", change.message()),
        None => status.to_string(),
    }
}

/// The trade data of the look-through by trade, in the style of a data set.
fn trade_source() -> Html {
    let trade = crate::reference::trade::embedded_trade();
    html! {
        <section class="card" aria-labelledby="ds-trade" data-testid="trade-source">
            <h3 id="ds-trade">{ &trade.source }</h3>
            <dl class="small">
                <dt>{ "Licence" }</dt><dd>{ &trade.licence }</dd>
                <dt>{ "Citation" }</dt><dd>{ &trade.citation }</dd>
                <dt>{ "Used for" }</dt>
                <dd>{ "Filling an unknown mining or refining stage from the production and imports of the countries you name below it (docs/METHODS.md, \"Look-through\"); the product codes per material and stage are ours (data/trade_hs6.csv)." }</dd>
            </dl>
        </section>
    }
}

/// The world map's shapes, in the style of a data set.
fn map_source() -> Html {
    let map = crate::reference::world_map::world_map();
    html! {
        <section class="card" aria-labelledby="ds-world-map" data-testid="map-source">
            <h3 id="ds-world-map">{ &map.source }</h3>
            <dl class="small">
                <dt>{ "Licence" }</dt><dd>{ &map.licence }</dd>
                <dt>{ "Citation" }</dt><dd>{ &map.citation }</dd>
                <dt>{ "Projection" }</dt><dd>{ &map.projection }</dd>
                <dt>{ "Simplification" }</dt><dd>{ &map.simplification }</dd>
            </dl>
        </section>
    }
}

/// The distinct sources of the template quantities: title, year and where it was read.
fn template_sources() -> Vec<(String, Option<u16>, String)> {
    let mut out: Vec<(String, Option<u16>, String)> = Vec::new();
    for template in crate::reference::templates::templates() {
        for source in template.items.iter().flat_map(|i| &i.sources) {
            if !out
                .iter()
                .any(|(t, y, _)| *t == source.title && *y == source.year)
            {
                out.push((source.title.clone(), source.year, source.location.clone()));
            }
        }
    }
    out
}

fn stage_cell(data: &ReferenceData, series: Option<&crate::reference::StageSeries>) -> Html {
    let Some(series) = series else {
        return html! { <span class="missing">{ "no source" }</span> };
    };
    let publisher = data
        .dataset(&series.source.dataset)
        .map_or(series.source.dataset.as_str(), |d| d.publisher.as_str());
    let n = series.normalisation();
    html! {
        <>
            { format!("{publisher}, {}", series.source.year) }
            if let Some(p) = &series.previous { { format!(" (and {})", p.source.year) } }
            if series.older_data { { " (older data)" } }
            if n.visible() {
                <span class="muted">{ format!(" · published sum {:.1} %, normalised", n.published_sum) }</span>
            }
            if !series.projections.is_empty() { <span class="muted">{ " · IEA projections" }</span> }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::{researched_note, rule_status};
    use crate::analysis::policy::{Date, embedded_rules, rules_researched};

    #[test]
    fn rule_status_on_the_check_date_flags_a_start_after_the_research_date() {
        let rule = embedded_rules()
            .iter()
            .find(|r| r.rule_id == "US-DFARS7052-NDFEB-B")
            .unwrap();
        let on = |d: &str| rule_status(rule, Date::parse(d).ok());
        assert_eq!(on("2026-12-20"), "not yet in force");
        assert_eq!(
            on("2027-02-01"),
            "in force (scheduled to take effect on 2027-01-01; the data has no record after \
             2026-12-06: check the current status)"
        );
        assert_eq!(on(""), "");
        let note = researched_note(
            "Policy rules",
            rules_researched(),
            Date::parse("2027-02-01").ok(),
        );
        assert!(note.starts_with("Policy rules: researched 2026-12-06 (newest sources about October 2026); source: data/sources/policy/RULES.md"), "{note}");
        assert!(
            note.ends_with(
                "Statuses are judged on 2027-02-01, the check date set on the Calculator page."
            ),
            "{note}"
        );
    }
}
