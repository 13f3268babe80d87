//! Integration tests: industry templates.
//!
//! The embedded templates checked against the intensity table they were built from
//! (`data/sources/intensity/intensity.csv`), against the embedded catalogue, and through the
//! portfolio validation and assessment they feed.

use chokepoint::analysis::assess::{AssessParams, assess};
use chokepoint::portfolio::templates::{LeftOutReason, to_portfolio};
use chokepoint::reference::embedded;
use chokepoint::reference::templates::{
    Confidence, Industry, QUANTITY_UNIT, Template, TemplateKind, template, templates,
};
use std::collections::BTreeMap;
use std::path::Path;

const INTENSITY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/sources/intensity/intensity.csv"
);

/// Units of product a year used throughout.
const UNITS: f64 = 1250.0;

struct Row {
    unit: String,
    kg: Option<f64>,
    confidence: String,
    title: String,
}

/// intensity.csv as (series, material id) -> row.
fn intensity() -> BTreeMap<(String, String), Row> {
    let mut reader = csv::Reader::from_path(Path::new(INTENSITY))
        .unwrap_or_else(|e| panic!("cannot read {INTENSITY}: {e}"));
    let mut rows = BTreeMap::new();
    for record in reader.records() {
        let r = record.expect("record");
        let kg = r[3].trim();
        let row = Row {
            unit: r[1].to_string(),
            kg: (!kg.is_empty()).then(|| kg.parse().expect("kg_per_unit is a number")),
            confidence: r[7].to_string(),
            title: r[4].trim().to_string(),
        };
        let previous = rows.insert((r[0].to_string(), r[2].to_string()), row);
        assert!(previous.is_none(), "duplicate row {} {}", &r[0], &r[2]);
    }
    assert_eq!(rows.len(), 134, "intensity.csv has 134 rows");
    rows
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn every_required_industry_has_a_template() {
    for industry in Industry::ALL {
        assert!(
            templates().iter().any(|t| t.industry == industry),
            "{industry:?}"
        );
    }
    for id in [
        "ev_battery_nmc",
        "ndfeb_magnet",
        "wind_offshore",
        "semiconductors_servers",
        "defense_electronics",
        "mri_scanner",
        "data_centre",
        "solar_pv_csi",
    ] {
        assert!(template(id).is_some(), "{id}");
    }
}

#[test]
fn every_template_is_labelled_illustrative() {
    for t in templates() {
        assert!(t.description.starts_with("Illustrative."), "{}", t.id);
        let made = to_portfolio(t, UNITS, embedded());
        assert!(
            made.portfolio
                .name
                .as_deref()
                .is_some_and(|n| n.starts_with("Illustrative")),
            "{}",
            t.id
        );
    }
}

#[test]
fn every_template_portfolio_validates_and_assesses() {
    let reference = embedded();
    let params = AssessParams::default().with_published_eu_supply_risk(reference);
    for t in templates() {
        let made = to_portfolio(t, UNITS, reference);
        let portfolio = made
            .portfolio
            .validate(reference)
            .unwrap_or_else(|e| panic!("{}: {e:?}", t.id));
        assert_eq!(portfolio.spend_unit.as_deref(), Some(QUANTITY_UNIT));
        assert_eq!(
            portfolio.lines.len() + made.left_out.len(),
            t.items.len(),
            "{}: every item is a line or left out",
            t.id
        );
        for line in &portfolio.lines {
            assert_eq!(line.revenue_share.percent(), 100.0);
            assert_eq!(line.inventory_days.get(), 0.0);
            assert_eq!(line.sourcing, Default::default(), "all stages unknown");
            let label = line.label.as_deref().unwrap_or_default();
            assert!(label.starts_with(&t.name), "{label}");
        }
        let assessment = assess(&portfolio, reference, &params);
        assert_eq!(assessment.lines.len(), portfolio.lines.len(), "{}", t.id);
        // The file form survives a round trip.
        let text = made.portfolio.to_json();
        assert!(
            chokepoint::portfolio::Portfolio::from_json(&text, reference).is_ok(),
            "{}",
            t.id
        );
    }
}

#[test]
fn items_map_to_catalogue_ids_or_say_why_not() {
    let reference = embedded();
    for t in templates() {
        for item in &t.items {
            match &item.material {
                Some(id) => assert!(
                    reference.material(id).is_some(),
                    "{}: {id} is not a catalogue id",
                    t.id
                ),
                None => assert!(
                    item.not_in_catalogue
                        .as_deref()
                        .is_some_and(|r| !r.is_empty()),
                    "{}: {} has no reason",
                    t.id,
                    item.source_id
                ),
            }
        }
    }
    let others = template("ev_car").unwrap().item("others").unwrap();
    assert!(others.material.is_none());
    let iron = template("ev_battery_lfp").unwrap().item("iron").unwrap();
    assert_eq!(iron.material.as_deref(), Some("iron_ore"));
}

#[test]
fn no_template_mixes_a_component_with_a_whole_product() {
    let rows = intensity();
    let component_units = ["kWh", "kg_magnet"];
    for t in templates() {
        assert_eq!(
            t.kind == TemplateKind::Component,
            component_units.contains(&t.unit.as_str()),
            "{}: kind {:?} with unit {}",
            t.id,
            t.kind,
            t.unit
        );
        for item in &t.items {
            for source in &item.sources {
                let row = &rows[&(source.series.clone(), item.source_id.clone())];
                assert_eq!(row.unit, t.unit, "{} mixes units", t.id);
            }
        }
    }
    // A component inside a product is shown but never becomes a line of the product.
    for id in ["ev_car", "wind_offshore", "wind_onshore"] {
        let t = template(id).unwrap();
        let made = to_portfolio(t, UNITS, embedded());
        let magnet = made
            .left_out
            .iter()
            .find(|l| l.item == "ndfeb_magnet")
            .unwrap_or_else(|| panic!("{id}: magnet not left out"));
        assert!(matches!(magnet.reason, LeftOutReason::NotInCatalogue(_)));
    }
}

#[test]
fn quantities_equal_intensity_times_units() {
    let rows = intensity();
    let reference = embedded();
    for t in templates() {
        let made = to_portfolio(t, UNITS, reference);
        let portfolio = made.portfolio.validate(reference).unwrap();
        for (raw, line) in made.portfolio.lines.iter().zip(&portfolio.lines) {
            let item = t
                .items
                .iter()
                .find(|i| i.material.as_deref() == Some(line.material.as_str()))
                .unwrap_or_else(|| panic!("{}: no item for {}", t.id, line.material));
            let default = &item.sources[0];
            let row = &rows[&(default.series.clone(), item.source_id.clone())];
            let kg = row.kg.expect("a line has a published quantity");
            assert!(
                close(line.spend.get(), kg * UNITS),
                "{} {}: {} != {kg} x {UNITS}",
                t.id,
                line.material,
                line.spend.get()
            );
            assert!(
                raw.label
                    .as_deref()
                    .unwrap_or_default()
                    .contains(&default.citation),
                "label names the source"
            );
        }
    }
    let nmc = to_portfolio(template("ev_battery_nmc").unwrap(), 1000.0, reference);
    let nickel = nmc
        .portfolio
        .lines
        .iter()
        .find(|l| l.material.as_deref() == Some("nickel"))
        .unwrap();
    assert_eq!(nickel.spend.as_ref().and_then(|s| s.value()), Some(658.4));
    // A battery template's lines are battery lines, so that the battery rules reach them; a
    // whole product (a car) leaves the end use to the user.
    assert!(
        nmc.portfolio
            .lines
            .iter()
            .all(|l| l.end_use.as_deref() == Some("battery"))
    );
    let magnet = to_portfolio(template("ndfeb_magnet").unwrap(), 10.0, reference);
    assert!(
        magnet
            .portfolio
            .lines
            .iter()
            .all(|l| l.end_use.as_deref() == Some("magnet_ndfeb"))
    );
    let car = to_portfolio(template("ev_car").unwrap(), 10.0, reference);
    assert!(car.portfolio.lines.iter().all(|l| l.end_use.is_none()));
    assert!(nmc.portfolio.validate(reference).is_ok());
}

#[test]
fn sources_and_ranges_are_the_intensity_rows() {
    let rows = intensity();
    let mut used = 0;
    for t in templates() {
        // Every row of the template's series appears exactly once, as one item's source.
        let expected = rows.keys().filter(|(s, _)| t.series.contains(s)).count();
        let listed: usize = t.items.iter().map(|i| i.sources.len()).sum();
        assert_eq!(listed, expected, "{}", t.id);
        used += listed;
        for item in &t.items {
            let mut numbers = Vec::new();
            for source in &item.sources {
                let row = &rows[&(source.series.clone(), item.source_id.clone())];
                assert_eq!(source.kg_per_unit.is_some(), row.kg.is_some());
                if let (Some(a), Some(b)) = (source.kg_per_unit, row.kg) {
                    assert!(close(a, b), "{} {}", t.id, item.source_id);
                    numbers.push(b);
                }
                assert_eq!(source.title, row.title);
                let confidence = match row.confidence.as_str() {
                    "HIGH" => Confidence::High,
                    "MEDIUM" => Confidence::Medium,
                    _ => Confidence::Low,
                };
                assert_eq!(source.confidence, confidence);
                assert!(!source.citation.is_empty());
            }
            match item.range {
                Some((min, max)) => {
                    assert!(numbers.len() >= 2, "{} {}", t.id, item.source_id);
                    let lo = numbers.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    assert!(
                        close(min, lo) && close(max, hi),
                        "{} {}",
                        t.id,
                        item.source_id
                    );
                }
                None => assert!(numbers.len() < 2, "{} {}", t.id, item.source_id),
            }
        }
    }
    // The rows no template uses are the four series the script lists as unused.
    let unused = ["conventional_car", "nuclear", "coal_power", "gas_power"];
    let unused_rows = rows
        .keys()
        .filter(|(s, _)| unused.contains(&s.as_str()))
        .count();
    assert_eq!(used + unused_rows, rows.len());
}

#[test]
fn ranges_where_sources_disagree() {
    let item = |t: &str, m: &str| -> (Option<f64>, Option<(f64, f64)>) {
        let i = template(t).unwrap().item(m).unwrap();
        (i.kg_per_unit, i.range)
    };
    assert_eq!(
        item("defense_f35", "rare_earths"),
        (Some(417.3), Some((15.5, 417.3)))
    );
    assert_eq!(
        item("solar_pv_csi", "silver"),
        (Some(19.5), Some((13.5, 19.5)))
    );
    assert_eq!(
        item("mri_scanner", "helium"),
        (Some(187.5), Some((0.875, 187.5)))
    );
    assert_eq!(
        item("ev_battery_nmc", "cobalt"),
        (Some(0.0826), Some((0.0826, 0.3414)))
    );
    assert_eq!(
        template("ev_battery_nmc")
            .unwrap()
            .item("cobalt")
            .unwrap()
            .sources
            .len(),
        5
    );
}

#[test]
fn items_without_numbers_are_reported_not_invented() {
    let reference = embedded();
    let semis = template("semiconductors_servers").unwrap();
    let made = to_portfolio(semis, UNITS, reference);
    assert!(made.portfolio.lines.is_empty());
    assert_eq!(made.left_out.len(), semis.items.len());
    assert!(
        made.left_out
            .iter()
            .all(|l| l.reason == LeftOutReason::NoQuantity)
    );
    for t in templates() {
        for item in &t.items {
            assert_eq!(
                item.kg_per_unit.is_none(),
                item.confidence == Confidence::Low,
                "{} {}",
                t.id,
                item.source_id
            );
        }
    }
    // Overlaps and zeros are reported too.
    let magnet = to_portfolio(template("ndfeb_magnet").unwrap(), UNITS, reference);
    let reason = |m: &str| -> LeftOutReason {
        magnet
            .left_out
            .iter()
            .find(|l| l.item == m)
            .map(|l| l.reason.clone())
            .unwrap_or_else(|| panic!("{m} not left out"))
    };
    assert_eq!(
        reason("neodymium"),
        LeftOutReason::CountedIn("rare_earths".into())
    );
    assert_eq!(reason("terbium"), LeftOutReason::NoQuantity);
    let lfp = to_portfolio(template("ev_battery_lfp").unwrap(), UNITS, reference);
    assert!(
        lfp.left_out
            .iter()
            .any(|l| l.item == "cobalt" && l.reason == LeftOutReason::Zero)
    );
}

#[test]
fn template_ids_are_unique() {
    let mut ids: Vec<&str> = templates()
        .iter()
        .map(|t: &Template| t.id.as_str())
        .collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count);
}

#[test]
fn embedded_file_equals_a_fresh_build() {
    super::assert_fresh_build("build_templates.py");
}
