//! The plan in words: what moves where, and the measures before and after.

use super::expected_loss::ExpectedLossParams;
use super::sanctions::weak_note;
use super::setup::Setup;
use super::{COVERED_NATIONS, FrontierPoint, Metrics, Objective, restricted_countries};
use crate::model::{CountryCode, Stage};
use crate::reference::ReferenceData;
pub(super) use crate::text::format::{percent_figure as pct, thousands};

pub(super) fn country_name(reference: &ReferenceData, country: CountryCode) -> String {
    if country.is_rest_of_world() {
        return "other producers".to_string();
    }
    reference
        .country(country)
        .map_or_else(|| country.to_string(), |c| c.name.clone())
}

pub(super) fn list_names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

pub(super) fn explain(
    setup: &Setup<'_>,
    point: &FrontierPoint,
    before: &Metrics,
    material_name: &str,
    stage: Stage,
) -> String {
    let subject = format!("{} {}", in_sentence(material_name), stage_noun(stage));
    let planned = |c: CountryCode| {
        point
            .mix
            .iter()
            .find(|(k, _)| *k == c)
            .map_or(0.0, |(_, s)| *s)
    };
    let mut changes: Vec<(CountryCode, f64)> = setup
        .countries
        .iter()
        .enumerate()
        .map(|(i, &c)| (c, planned(c) - setup.problem.x0[i]))
        .filter(|(_, d)| d.abs() >= 5e-4)
        .collect();
    crate::model::order::sort_by(&mut changes, |a, b| {
        b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0))
    });
    let residual = format!(
        "{}{}",
        residual_note(setup).unwrap_or_default(),
        restricted_note(setup).unwrap_or_default()
    ) + &weak_note(setup).unwrap_or_default()
        + &setup.sanctions.sentence(setup.reference);
    if point.shift < 5e-4 || changes.is_empty() {
        return format!(
            "Keep today's sourcing of {subject}: within the limits no shift lowers the {} \
             ({}).{residual}",
            setup.objective.label(),
            format_objective(setup.objective, before.objective)
        );
    }
    let names = |sign: f64| -> String {
        let picked: Vec<String> = changes
            .iter()
            .filter(|(_, d)| d * sign > 0.0)
            .take(3)
            .map(|(c, _)| country_name(setup.reference, *c))
            .collect();
        let more = changes.iter().filter(|(_, d)| d * sign > 0.0).count() - picked.len();
        if more > 0 {
            format!("{} and {more} more", picked.join(", "))
        } else {
            list_names(&picked)
        }
    };
    let after = &point.metrics;
    let mut parts = vec![format!(
        "HHI {} -> {}",
        thousands(before.hhi),
        thousands(after.hhi)
    )];
    if let (Some(b), Some(a)) = (before.covered_share, after.covered_share) {
        parts.push(format!("covered-nation share {} % -> {} %", pct(b), pct(a)));
    }
    if let (Objective::Group(id), Some(b), Some(a)) =
        (setup.objective, before.group_share, after.group_share)
        && id != COVERED_NATIONS
    {
        parts.push(format!("{id} share {} % -> {} %", pct(b), pct(a)));
    }
    if matches!(setup.objective, Objective::HhiWgi) {
        parts.push(format!(
            "governance-weighted HHI {:.2} -> {:.2}",
            before.hhi_wgi, after.hhi_wgi
        ));
    }
    if matches!(setup.objective, Objective::Linear(_)) {
        parts.push(format!(
            "linear cost {:.4} -> {:.4}",
            before.objective, after.objective
        ));
    }
    if let Objective::ExpectedLoss(el) = setup.objective {
        parts.insert(
            0,
            format!(
                "expected annual loss {}",
                loss_change(el, before.objective, after.objective)
            ),
        );
    }
    let premium = after.premium_pct - before.premium_pct;
    if setup.premium_pct.iter().any(|p| *p != 0.0) {
        parts.push(format!(
            "premium {}{} % of {} spend",
            if premium >= 0.0 { "+" } else { "-" },
            round2(premium.abs()),
            in_sentence(material_name)
        ));
    }
    format!(
        "Move {} % of {subject} from {} to {}: {}.{residual}",
        pct(point.shift),
        names(-1.0),
        names(1.0),
        parts.join(", ")
    )
}

/// The sentence on the rest of world, when it is a candidate that may supply: a plan never
/// increases it (see the module notes).
pub(super) fn residual_note(setup: &Setup<'_>) -> Option<String> {
    let i = setup.countries.iter().position(|c| c.is_rest_of_world())?;
    (setup.residual.is_some() || setup.problem.hi[i] > 0.0).then(|| {
        format!(
            " Rest of world stays at or below today's {} %: it is a statistical residual, not \
             a supplier, so a plan never increases it.",
            pct(setup.problem.x0[i])
        )
    })
}

/// The sentence on the restricted countries among the candidates: a plan never increases them.
pub(super) fn restricted_note(setup: &Setup<'_>) -> Option<String> {
    let list = restricted_countries(setup)?;
    let names: Vec<String> = list
        .members
        .iter()
        .map(|&c| country_name(setup.reference, c))
        .collect();
    Some(format!(
        " {} {} at or below today's share: restricted countries ({}, source: {}) are no new \
         supplier.",
        list_names(&names),
        if names.len() == 1 { "stays" } else { "stay" },
        list.name,
        list.source
    ))
}

/// A display name inside a sentence: the first letter in lower case, unless the name starts
/// with an acronym ("Gallium" -> "gallium", "PGMs" stays).
pub(super) fn in_sentence(name: &str) -> String {
    let mut chars = name.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if !second.is_uppercase() => {
            first.to_lowercase().chain(name.chars().skip(1)).collect()
        }
        _ => name.to_string(),
    }
}

pub(super) fn stage_noun(stage: Stage) -> &'static str {
    match stage {
        Stage::Mining => "mining",
        Stage::Refining => "refining",
        Stage::Component => "components",
    }
}

pub(super) fn format_objective(objective: &Objective, value: f64) -> String {
    match objective {
        Objective::Hhi => thousands(value),
        Objective::Group(_) => format!("{} %", round1(value)),
        Objective::HhiWgi => format!("{value:.2}"),
        Objective::Linear(_) => format!("{value:.4}"),
        Objective::ExpectedLoss(el) => loss_change(el, value, value)
            .split(" -> ")
            .last()
            .unwrap_or_default()
            .to_string(),
    }
}

/// An expected loss before and after, in the objective's unit: "1.2 M -> 0.4 M EUR" (money,
/// both in the unit of the larger), or "0.85 -> 0.21 % of revenue".
pub(super) fn loss_change(el: &ExpectedLossParams, before: f64, after: f64) -> String {
    if el.model.annual_revenue.is_none() {
        return format!(
            "{} -> {} % of revenue",
            significant(before),
            significant(after)
        );
    }
    let largest = before.abs().max(after.abs());
    let (divisor, unit) = [(1e9, " bn"), (1e6, " M"), (1e3, " k")]
        .into_iter()
        .find(|(d, _)| largest >= *d)
        .unwrap_or((1.0, ""));
    let currency = el
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map_or(String::new(), |c| format!(" {c}"));
    format!(
        "{}{unit} -> {}{unit}{currency}",
        significant(before / divisor),
        significant(after / divisor)
    )
}

/// Three significant digits, trailing zeros dropped: 1.204 -> "1.2", 0.4 -> "0.4", 1234 -> "1234".
pub(super) fn significant(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return "0".to_string();
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).clamp(0, 8) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

pub(super) fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

pub(super) fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}
