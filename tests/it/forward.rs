//! Integration tests: sourcing warnings (entries the data contradicts) and the forward view
//! (exposure in 2030 and 2035 from the IEA's projections), against the embedded reference data.

use chokepoint::analysis::assess::{AssessParams, assess};
use chokepoint::analysis::exposure::MixBasis;
use chokepoint::analysis::outlook::portfolio_outlook;
use chokepoint::model::{CountryCode, Stage};
use chokepoint::portfolio::warnings::{Remainder, WarningKind};
use chokepoint::portfolio::{Field, Location, Portfolio, RawPortfolio};
use chokepoint::reference::embedded;

fn code(text: &str) -> CountryCode {
    CountryCode::parse(text).unwrap()
}

fn raw(material: &str, sourcing: &str) -> RawPortfolio {
    RawPortfolio::from_json(&format!(
        r#"{{"schema_version": 1, "lines": [{{"material": "{material}", "label": "Part",
            "spend": 1000, "revenue_share_pct": 10, "sourcing": {sourcing}}}]}}"#
    ))
    .unwrap()
}

fn messages(material: &str, sourcing: &str) -> Vec<String> {
    raw(material, sourcing)
        .warnings(embedded())
        .into_iter()
        .map(|w| w.message)
        .collect()
}

#[test]
fn gallium_refining_in_germany_is_warned_and_kept() {
    // Issue #17 part 4: accepted silently before; now a warning naming the data and the intent.
    let portfolio = raw("gallium", r#"{"refining": {"DEU": 100}}"#);
    let warnings = portfolio.warnings(embedded());
    assert_eq!(warnings.len(), 1);
    let w = &warnings[0];
    assert_eq!(
        w.message,
        "USGS 2025 records no gallium refining in Germany. If Germany is where your supplier is, \
         enter it as the purchased component and leave refining unknown."
    );
    assert_eq!(
        w.location,
        Location::Line {
            line: 1,
            label: Some("Part".into())
        }
    );
    assert_eq!(w.field, Field::Country(Stage::Refining, "DEU".into()));
    match &w.kind {
        WarningKind::NoRecordedProduction {
            material,
            stage,
            country,
            source,
            remainder,
        } => {
            assert_eq!(
                (material.as_str(), *stage, *country),
                ("gallium", Stage::Refining, code("DEU"))
            );
            assert_eq!(
                (source.dataset.as_str(), source.year),
                ("USGS_MCS2026_WORLD", 2025)
            );
            assert_eq!(*remainder, Remainder::Absent);
        }
    }
    // A warning, not an error: the portfolio validates and the entry is used as typed.
    let valid = portfolio.validate(embedded()).expect("valid");
    let result = assess(&valid, embedded(), &AssessParams::default());
    let refining = result.materials[0]
        .stages
        .iter()
        .find(|s| s.stage == Stage::Refining)
        .unwrap();
    assert_eq!(refining.mix.as_ref().unwrap().share_of(code("DEU")), 1.0);
    assert_eq!(result.warnings, warnings);
    // In the assessment JSON (what `chokepoint assess` prints).
    let json = serde_json::to_value(&result).unwrap();
    assert_eq!(json["warnings"][0]["kind"], "no_recorded_production");
    assert_eq!(json["warnings"][0]["country"], "DEU");
    assert_eq!(json["warnings"][0]["message"], warnings[0].message);
}

#[test]
fn a_source_with_other_countries_says_the_country_is_not_listed() {
    // USGS copper mining has an "Other countries" row: Spain may be among them.
    let m = messages("copper", r#"{"mining": {"ESP": 100}}"#);
    assert_eq!(m.len(), 1);
    assert!(
        m[0].starts_with(
            "USGS 2025 does not list Spain for copper mining; its other countries together hold 13.0 % of world output."
        ),
        "{}",
        m[0]
    );
    // Tellurium's other countries are "not available" in MCS 2026.
    let m = messages("tellurium", r#"{"refining": {"FRA": 100}}"#);
    assert!(m[0].contains("not available"), "{}", m[0]);
    // An IEA series: its year and short name.
    let m = messages("cobalt", r#"{"refining": {"DEU": 100}}"#);
    assert!(
        m[0].starts_with("IEA 2024 does not list Germany for cobalt refining"),
        "{}",
        m[0]
    );
}

#[test]
fn no_warning_where_the_data_records_production_or_has_nothing_to_say() {
    for (material, sourcing) in [
        ("gallium", r#"{"refining": {"CHN": 90, "JPN": 10}}"#), // both recorded
        ("lithium", r#"{"mining": {"USA": 100}}"#),             // withheld: production exists
        ("gallium", r#"{"component": {"DEU": 100}}"#),          // components: any country
        ("gallium", r#"{"refining": {"ROW": 100}}"#),           // the remainder itself
        ("molybdenum", r#"{"refining": {"DEU": 100}}"#),        // no refining data at all
        ("gallium", r#"{"refining": {"DEU": 0, "CHN": 100}}"#), // a zero share claims nothing
        ("gallium", r#"{"refining": {"XXX": 100}}"#),           // invalid: an error, not a warning
    ] {
        assert_eq!(
            messages(material, sourcing),
            Vec::<String>::new(),
            "{material} {sourcing}"
        );
    }
}

#[test]
fn the_current_vintage_decides() {
    // USGS: Japan refined 40 t of arsenic trioxide in 2024 and none (the dash) in 2025. The
    // warning names the 2025 data, which records none; the app's first page load, which has no
    // previous vintage, gives the same warning.
    let m = messages("arsenic", r#"{"refining": {"JPN": 100}}"#);
    assert_eq!(m.len(), 1);
    assert!(
        m[0].starts_with("USGS 2025 records no arsenic refining in Japan."),
        "{}",
        m[0]
    );
    let current = raw("arsenic", r#"{"refining": {"JPN": 100}}"#)
        .warnings(chokepoint::reference::embedded_current());
    assert_eq!(current[0].message, m[0]);
}

#[test]
fn warnings_follow_the_raw_portfolio_line_by_line_even_with_errors() {
    let portfolio = RawPortfolio::from_json(
        r#"{"schema_version": 1, "lines": [
            {"material": "gallium", "spend": "oops", "revenue_share_pct": 1,
             "sourcing": {"refining": {"DEU": 50, "CHN": 50}}},
            {"material": "rare_earths_magnet", "spend": 1, "revenue_share_pct": 1,
             "sourcing": {"mining": {"CHN": 100}, "refining": {"JPN": 100}}}]}"#,
    )
    .unwrap();
    assert!(
        portfolio.validate(embedded()).is_err(),
        "line 1 has an error"
    );
    let warnings = portfolio.warnings(embedded());
    let at: Vec<(usize, Stage, String)> = warnings
        .iter()
        .map(|w| match (&w.location, &w.field) {
            (Location::Line { line, .. }, Field::Country(stage, typed)) => {
                (*line, *stage, typed.clone())
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        at,
        [
            (1, Stage::Refining, "DEU".into()),
            (2, Stage::Refining, "JPN".into())
        ]
    );
}

#[test]
fn the_outlook_recomputes_world_filled_stages_with_the_iea_projections() {
    let reference = embedded();
    let portfolio = Portfolio::from_json(
        r#"{"schema_version": 1, "lines": [
            {"material": "rare_earths_magnet", "spend": 300, "revenue_share_pct": 20,
             "sourcing": {"component": {"JPN": 100}}},
            {"material": "rare_earths_magnet", "spend": 100, "revenue_share_pct": 5,
             "sourcing": {"refining": {"JPN": 100}}},
            {"material": "gallium", "spend": 100, "revenue_share_pct": 5}]}"#,
        reference,
    )
    .unwrap();
    let outlook = portfolio_outlook(&portfolio, reference);
    let ree = &outlook[0];
    assert_eq!(ree.material, "rare_earths_magnet");
    let stages: Vec<Stage> = ree.stages.iter().map(|o| o.stage).collect();
    assert_eq!(stages, [Stage::Mining, Stage::Refining]);
    let refining = &ree.stages[1];
    assert_eq!(refining.scenario, "IEA base case");
    let years: Vec<u16> = refining.points.iter().map(|p| p.source.year).collect();
    assert_eq!(years, [2024, 2030, 2035, 2040]);
    // Line 1 (spend 300) takes the IEA's projected refining mix; line 2 (spend 100) keeps Japan.
    let iea = reference
        .material("rare_earths_magnet")
        .unwrap()
        .stage(Stage::Refining)
        .unwrap();
    for point in &refining.points {
        assert_eq!(point.basis, MixBasis::Mixed);
        let projected = iea.projection(point.source.year).unwrap();
        let expected = 0.75 * projected.mix.share_of(code("CHN"));
        assert!((point.mix.share_of(code("CHN")) - expected).abs() < 1e-12);
        let japan = 0.75 * projected.mix.share_of(code("JPN")) + 0.25;
        assert!((point.mix.share_of(code("JPN")) - japan).abs() < 1e-12);
    }
    // China's share of magnet rare-earth refining falls in the IEA base case (91 % -> 76 %).
    let china = |year| refining.point(year).unwrap().mix.share_of(code("CHN"));
    assert!(china(2030) < china(2024) - 0.1);
    // Gallium: no IEA projection, no outlook.
    assert_eq!(outlook.len(), 1);
}

#[test]
fn a_stage_the_firm_knows_for_every_line_has_no_outlook() {
    let reference = embedded();
    let portfolio = Portfolio::from_json(
        r#"{"schema_version": 1, "lines": [
            {"material": "nickel", "spend": 1, "revenue_share_pct": 1,
             "sourcing": {"mining": {"IDN": 100}, "refining": {"FIN": 100}}}]}"#,
        reference,
    )
    .unwrap();
    assert!(portfolio_outlook(&portfolio, reference).is_empty());
}

#[test]
fn the_app_shows_warnings_with_line_numbers_as_typed_while_a_line_has_an_error() {
    // The dashboard assesses the valid lines only (renumbered); warnings keep the typed numbers.
    let portfolio = RawPortfolio::from_json(
        r#"{"schema_version": 1, "lines": [
            {"material": "unobtainium", "spend": 1, "revenue_share_pct": 1},
            {"material": "gallium", "label": "Wafers", "spend": 1, "revenue_share_pct": 1,
             "sourcing": {"refining": {"DEU": 100}}}]}"#,
    )
    .unwrap();
    let derived =
        chokepoint::app::results::derive(&portfolio, embedded(), &AssessParams::default());
    assert_eq!(derived.excluded, [0]);
    assert_eq!(derived.warnings.len(), 1);
    assert_eq!(
        derived.warnings[0].location,
        Location::Line {
            line: 2,
            label: Some("Wafers".into())
        }
    );
    // The assessment of the valid part has the same warning, on its own (renumbered) line 1.
    let assessment = derived.assessment.unwrap();
    assert_eq!(assessment.warnings.len(), 1);
    assert_eq!(assessment.warnings[0].message, derived.warnings[0].message);
}
