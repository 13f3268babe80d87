//! Formatting for the app's screens: names, HHI bands, money and published shares. Pure
//! functions. Percentages and thousands come from the core's [`crate::text::format`], re-exported
//! here for the components.

use crate::analysis::assess::ActionClass;
use crate::analysis::exposure::MixBasis;
use crate::model::CountryCode;
use crate::portfolio::LookThroughBasis;
use crate::reference::ReferenceData;

/// The number of materials per action, in one sentence.
pub fn action_counts(actions: &crate::analysis::assess::ActionCounts) -> String {
    format!(
        "Actions: {} to qualify a second source, {} to hold buffer stock, {} to monitor, {} low priority.",
        actions.qualify_second_source,
        actions.hold_buffer_stock,
        actions.monitor,
        actions.low_priority
    )
}

pub use crate::text::format::{pct, thousands};

/// An HHI (0-10,000) to the nearest 10, the precision the shares support, with thousands
/// separators: `8_804.6` → `"8 800"`.
pub fn hhi(value: f64) -> String {
    thousands((value / 10.0).round() * 10.0)
}

/// The concentration band of an HHI, as context: above 1,800 "highly concentrated" (U.S. DOJ and
/// FTC, *Merger Guidelines*, 2023, Guideline 1, section 2.1); 1,000 to 1,800 "moderately
/// concentrated" and below 1,000 "unconcentrated" (the bands of the 1992 Horizontal Merger
/// Guidelines as revised in 1997, which the 2023 text no longer draws). The guidelines are about
/// firms in a market, not countries in world supply: context, not a test.
pub fn hhi_band(value: f64) -> &'static str {
    if value > 1_800.0 {
        "highly concentrated"
    } else if value >= 1_000.0 {
        "moderately concentrated"
    } else {
        "unconcentrated"
    }
}

/// A supply risk on the EU scale to one decimal, the precision the EU publishes: `2.345` →
/// `"2.3"`.
pub fn supply_risk(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.1}")
    } else {
        "–".into()
    }
}

/// The firm supply risk (GeoPolRisk, 0-1) to two decimals: `0.4267` → `"0.43"`.
pub fn firm_score(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.2}")
    } else {
        "–".into()
    }
}

/// A money amount in compact form with its unit: `4_200_000, "EUR"` → `"4.2 M EUR"`.
pub fn money(value: f64, unit: Option<&str>) -> String {
    let unit = unit.map(|u| format!(" {u}")).unwrap_or_default();
    let a = value.abs();
    let text = if a >= 1e9 {
        format!("{:.1} bn", value / 1e9)
    } else if a >= 1e6 {
        format!("{:.1} M", value / 1e6)
    } else if a >= 1e3 {
        format!("{:.0} k", value / 1e3)
    } else {
        format!("{value:.0}")
    };
    format!("{text}{unit}")
}

/// The display name of a country code: the reference data's short name, "Rest of world" for
/// `ROW`, the code itself when unknown.
pub fn country_name(reference: &ReferenceData, code: CountryCode) -> String {
    if code.is_rest_of_world() {
        return "Rest of world".into();
    }
    reference
        .country(code)
        .map_or_else(|| code.to_string(), |c| c.name.clone())
}

/// The display name of a material id (the id itself when unknown).
pub fn material_name(reference: &ReferenceData, id: &str) -> String {
    reference
        .material(id)
        .map_or_else(|| id.to_string(), |m| m.name.clone())
}

/// A short citation for the world mix of `material` at `stage`: publisher and data year, with
/// "older data" where a stage is filled from the EU 2023 study. `None` when the reference data has
/// no series for it.
pub fn world_source(
    reference: &ReferenceData,
    material: &str,
    stage: crate::model::Stage,
) -> Option<(String, String)> {
    let series = reference.material(material)?.stage(stage)?;
    let dataset = reference.dataset(&series.source.dataset);
    let short = dataset.map_or_else(|| series.source.dataset.clone(), |d| d.short.clone());
    let older = if series.older_data {
        ", older data"
    } else {
        ""
    };
    let label = format!("{short} {}{older}", series.source.year);
    let full = dataset.map_or_else(
        || label.clone(),
        |d| {
            format!(
                "{}: {} ({}). Data year {}. {}",
                d.publisher, d.title, d.published, series.source.year, series.detail
            )
        },
    );
    Some((label, full))
}

/// A share as published, in percent with one decimal: `98.94` → `"98.9 %"`.
pub fn published_pct(percent: f64) -> String {
    if percent.is_finite() {
        format!("{percent:.1} %")
    } else {
        "–".into()
    }
}

/// A world share as the source published it, for display next to a figure computed from the
/// world mix.
#[derive(Clone, Debug, PartialEq)]
pub struct PublishedShare {
    /// The published share with the previous vintage's, for example "100.0 % (2024: 98.9 %)".
    pub text: String,
    /// The source, and the normalisation where it shows: "USGS 2025, as published; the
    /// published shares sum to 101.0 %, so the calculations count 99.0 %".
    pub note: String,
    /// The same in a few words, for a table cell: "as published; used: 99.0 %".
    pub short: String,
}

/// The published share of `country` in the world series of `material` at `stage` (see
/// [`PublishedShare`]); `None` without a series.
pub fn published_world_share(
    reference: &ReferenceData,
    material: &str,
    stage: crate::model::Stage,
    country: CountryCode,
) -> Option<PublishedShare> {
    let series = reference.material(material)?.stage(stage)?;
    let (label, _) = world_source(reference, material, stage)?;
    let mut text = published_pct(series.published_percent(country));
    if let Some(previous) = &series.previous {
        let before = previous
            .published
            .iter()
            .find(|(c, _)| *c == country)
            .map_or_else(|| "not listed".to_string(), |(_, p)| published_pct(*p));
        text.push_str(&format!(" ({}: {before})", previous.source.year));
    }
    let n = series.normalisation();
    let used = published_pct(series.mix.share_of(country) * 100.0);
    let (note, short) = if n.visible() {
        (
            format!(
                "{label}, as published; the published shares sum to {:.1} %, so the \
                 calculations count {used}",
                n.published_sum,
            ),
            format!("as published; used: {used}"),
        )
    } else {
        (format!("{label}, as published"), "as published".to_string())
    };
    Some(PublishedShare { text, note, short })
}

/// The group whose share the dashboard and the per-material table show next to each stage.
pub const COVERED_GROUP: &str = "feoc_covered_nations";

/// The badge class of an action: how urgent it is.
pub fn action_class(action: ActionClass) -> &'static str {
    match action {
        ActionClass::QualifySecondSource => "bad",
        ActionClass::HoldBufferStock => "warn",
        ActionClass::Monitor => "warn",
        ActionClass::LowPriority => "good",
    }
}

/// The look-through setting in words, as in "51 % by trade".
pub fn basis_name(basis: LookThroughBasis) -> &'static str {
    match basis {
        LookThroughBasis::Trade => "trade",
        LookThroughBasis::World => "world production",
    }
}

/// Where a stage's mix comes from, in words ("world mix").
pub fn basis_text(basis: MixBasis) -> &'static str {
    match basis {
        MixBasis::User => "your sourcing",
        MixBasis::World => "world mix",
        MixBasis::Trade => "trade",
        MixBasis::Mixed => "partly world mix",
        MixBasis::Unavailable => "no data",
    }
}

/// What a filled stage was assumed from, as in "assumed from trade data".
pub fn assumed_from(basis: MixBasis) -> &'static str {
    match basis {
        MixBasis::Trade => "trade data",
        MixBasis::World => "world production data",
        MixBasis::Mixed | MixBasis::User | MixBasis::Unavailable => "trade and world data",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_world_shares_show_the_figure_as_published_and_the_normalisation() {
        let reference = crate::reference::embedded();
        let chn = CountryCode::parse("CHN").unwrap();
        let gallium =
            published_world_share(reference, "gallium", crate::model::Stage::Refining, chn)
                .unwrap();
        assert_eq!(gallium.text, "100.0 % (2024: 98.9 %)");
        assert_eq!(
            gallium.note,
            "USGS 2025, as published; the published shares sum to 101.0 %, so the calculations \
             count 99.0 %"
        );
        assert_eq!(gallium.short, "as published; used: 99.0 %");
        let cobalt =
            published_world_share(reference, "cobalt", crate::model::Stage::Refining, chn).unwrap();
        assert_eq!(cobalt.text, "78.4 %"); // IEA 2024: one year, sums to 100 %
        assert_eq!(cobalt.note, "IEA 2024, as published");
    }

    #[test]
    fn hhi_to_the_nearest_ten_with_its_band() {
        assert_eq!(hhi(8_334.0), "8\u{202f}330");
        assert_eq!(hhi(8_335.0), "8\u{202f}340");
        assert_eq!(hhi(10_000.0), "10\u{202f}000");
        assert_eq!(hhi(f64::NAN), "–");
        // 2023 Merger Guidelines: above 1,800 is highly concentrated; 1,800 itself is not.
        assert_eq!(hhi_band(1_800.1), "highly concentrated");
        assert_eq!(hhi_band(1_800.0), "moderately concentrated");
        assert_eq!(hhi_band(1_000.0), "moderately concentrated");
        assert_eq!(hhi_band(999.9), "unconcentrated");
    }

    #[test]
    fn supply_risk_precision() {
        assert_eq!(supply_risk(2.349), "2.3");
        assert_eq!(supply_risk(3.96), "4.0");
        assert_eq!(firm_score(0.4267), "0.43");
        assert_eq!(firm_score(f64::INFINITY), "–");
    }

    #[test]
    fn money_amounts() {
        assert_eq!(money(4_200_000.0, Some("EUR")), "4.2 M EUR");
        assert_eq!(money(350_000.0, None), "350 k");
        assert_eq!(money(12.0, Some("USD")), "12 USD");
    }
}
