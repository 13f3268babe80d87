//! Integration tests: the flow diagram (material -> stage -> country) on the real reference data,
//! and the time to derive a 200-line portfolio.

use chokepoint::analysis::assess::{AssessParams, Assessment, assess};
use chokepoint::analysis::exposure::MixBasis;
use chokepoint::analysis::flow::{FlowDiagram, FlowKey, FlowLink, FlowParams, flow_diagram};
use chokepoint::app::results::derive;
use chokepoint::model::{CountryCode, Stage};
use chokepoint::portfolio::RawPortfolio;
use chokepoint::reference::{ReferenceData, embedded};

const EPS: f64 = 1e-9;

/// A portfolio of `n` lines generated from the reference data: every material in turn, spends
/// from a fixed arithmetic sequence, a quarter of the lines bought as components from Japan and
/// Germany, a quarter with their own sourcing at the material's first stage (the world's largest
/// supplier and Australia half each), the rest left to the world mix.
pub fn generated_portfolio(reference: &ReferenceData, n: usize) -> RawPortfolio {
    let count = reference.materials.len();
    let lines: Vec<String> = (0..n)
        .map(|i| {
            let material = &reference.materials[(i * 37) % count];
            let spend = 10_000 + (i * 7919) % 90_000;
            let sourcing = match (i % 4, material.stages.first()) {
                (0, _) => r#"{"component": {"JPN": 60, "DEU": 40}}"#.to_string(),
                (1, Some(series)) => {
                    let (top, _) = series.mix.largest();
                    let other = if top.as_str() == "AUS" { "CAN" } else { "AUS" };
                    format!(r#"{{"{}": {{"{}": 50, "{other}": 50}}}}"#, series.stage.id(), top)
                }
                _ => "{}".to_string(),
            };
            format!(
                r#"{{"material": "{}", "label": "Part {i}", "spend": {spend}, "revenue_share_pct": 0.4, "inventory_days": {}, "sourcing": {sourcing}}}"#,
                material.id,
                (i * 13) % 90
            )
        })
        .collect();
    let json = format!(
        r#"{{"schema_version": 1, "name": "Generated", "lines": [{}]}}"#,
        lines.join(",")
    );
    RawPortfolio::from_json(&json).expect("generated JSON parses")
}

fn assessment(n: usize) -> Assessment {
    let reference = embedded();
    let valid = generated_portfolio(reference, n)
        .validate(reference)
        .expect("generated portfolio is valid");
    assess(&valid, reference, &AssessParams::default())
}

fn inflow(d: &FlowDiagram, stage: usize) -> f64 {
    sum_where(&d.material_links, |l| l.to == stage)
}

fn outflow(d: &FlowDiagram, stage: usize) -> f64 {
    sum_where(&d.country_links, |l| l.from == stage)
}

fn sum_where(links: &[FlowLink], pick: impl Fn(&FlowLink) -> bool) -> f64 {
    links.iter().filter(|l| pick(l)).map(|l| l.value).sum()
}

fn assert_conserved(d: &FlowDiagram) {
    assert!(!d.is_empty());
    for (i, node) in d.stages.iter().enumerate() {
        assert!((inflow(d, i) - node.value).abs() < EPS, "stage {i} in");
        assert!((outflow(d, i) - node.value).abs() < EPS, "stage {i} out");
    }
    let column = |nodes: &[chokepoint::analysis::flow::FlowNode]| -> f64 {
        nodes.iter().map(|n| n.value).sum()
    };
    assert!((column(&d.materials) - d.total()).abs() < EPS);
    assert!((column(&d.countries) - d.total()).abs() < EPS);
    for (i, node) in d.materials.iter().enumerate() {
        let out: f64 = d
            .material_links
            .iter()
            .filter(|l| l.from == i)
            .map(|l| l.value)
            .sum();
        assert!((out - node.value).abs() < EPS, "material {i}");
        assert!(node.value > 0.0);
    }
}

#[test]
fn flows_into_each_stage_equal_flows_out() {
    let a = assessment(60);
    assert_conserved(&flow_diagram(&a, &FlowParams::default()));
    // Grouping hard (one material, one country) only adds values: still conserved.
    let grouped = flow_diagram(
        &a,
        &FlowParams {
            max_materials: 1,
            max_countries: 1,
        },
    );
    assert_conserved(&grouped);
    assert_eq!(grouped.materials.len(), 2);
    assert_eq!(grouped.materials[1].key, FlowKey::OtherMaterials);
    assert_eq!(grouped.countries.len(), 2);
    assert_eq!(grouped.countries[1].key, FlowKey::OtherCountries);
}

#[test]
fn stage_flows_match_the_dashboards_spend_weighted_mix() {
    let a = assessment(60);
    let d = flow_diagram(
        &a,
        &FlowParams {
            max_materials: 100,
            max_countries: 1000,
        },
    );
    let total: f64 = a.totals.spend;
    for (i, node) in d.stages.iter().enumerate() {
        let FlowKey::Stage(stage) = node.key else {
            panic!("stage column holds stages")
        };
        // The stage's value is the share of spend on lines with a mix at that stage.
        let with_mix: f64 = a
            .lines
            .iter()
            .filter(|l| l.stages.iter().any(|s| s.stage == stage && s.mix.is_some()))
            .map(|l| l.spend)
            .sum();
        assert!((node.value - with_mix / total).abs() < EPS);
        let dashboard = a.stages.iter().find(|s| s.stage == stage).unwrap();
        let mix = dashboard.by_spend.mix.as_ref().unwrap();
        for link in d.country_links.iter().filter(|l| l.from == i) {
            let share = match d.countries[link.to].key {
                FlowKey::Country(c) => mix.share_of(c),
                FlowKey::OtherCountries => mix.share_of(CountryCode::REST_OF_WORLD),
                _ => panic!("country column holds countries"),
            };
            assert!(
                (link.value / node.value - share).abs() < 1e-9,
                "{stage:?} {:?}",
                d.countries[link.to].key
            );
        }
    }
    // Every material is shown by name; its value is its spend share times its stages.
    for node in &d.materials {
        let FlowKey::Material { id, .. } = &node.key else {
            panic!("materials by name")
        };
        let m = a.materials.iter().find(|m| &m.material == id).unwrap();
        let stages = m.stages.iter().filter(|s| s.mix.is_some()).count() as f64;
        assert!((node.value - m.spend_share * stages).abs() < 1e-9, "{id}");
    }
}

#[test]
fn materials_are_ranked_by_spend_and_links_carry_the_basis() {
    let a = assessment(40);
    let d = flow_diagram(&a, &FlowParams::default());
    let spend = |k: &FlowKey| match k {
        FlowKey::Material { id, .. } => {
            a.materials
                .iter()
                .find(|m| &m.material == id)
                .unwrap()
                .spend
        }
        _ => 0.0,
    };
    for pair in d.materials.windows(2) {
        if pair[1].key != FlowKey::OtherMaterials {
            assert!(spend(&pair[0].key) >= spend(&pair[1].key));
        }
    }
    // Component lines are the firm's own suppliers; world-mix lines are look-through.
    let component = d
        .stages
        .iter()
        .position(|n| n.key == FlowKey::Stage(Stage::Component))
        .unwrap();
    assert!(
        d.material_links
            .iter()
            .filter(|l| l.to == component)
            .all(|l| l.basis == MixBasis::User)
    );
    assert!(d.material_links.iter().any(|l| l.basis == MixBasis::World));
}

#[test]
fn no_spend_draws_nothing() {
    let mut a = assessment(4);
    for line in &mut a.lines {
        line.spend = 0.0;
    }
    assert!(flow_diagram(&a, &FlowParams::default()).is_empty());
}

/// Prints the time to validate and assess a 200-line portfolio (what the Calculator's `use_memo`
/// recomputes on each keystroke), natively. Run with
/// `cargo test --release --test tests it::flow::derive_200_lines -- --ignored --nocapture`.
#[test]
#[ignore = "timing; prints, asserts nothing about speed"]
fn derive_200_lines() {
    let reference = embedded();
    let raw = generated_portfolio(reference, 200);
    let params = AssessParams::default();
    let mut times = Vec::new();
    for _ in 0..21 {
        let start = std::time::Instant::now();
        let derived = derive(&raw, reference, &params);
        let flow = flow_diagram(derived.assessment.as_ref().unwrap(), &FlowParams::default());
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        assert!(!flow.is_empty());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "derive + flow, 200 lines: median {:.2} ms, min {:.2} ms, max {:.2} ms (21 runs)",
        times[10], times[0], times[20]
    );
}
