//! Integration tests: vintages, published shares and projections.
//!
//! Every USGS share embedded, in both vintages, is compared with the USGS Mineral Commodity
//! Summaries 2026 data release it comes from (`raw/usgs_mcs2026/MCS2026_Commodities_Data.csv`,
//! Windows-1252): the published share is the country's quantity divided by the published world
//! total of the same series and year, and that is exactly what is shown. The series mapping is
//! written out here a second time, independently of `scripts/data/build_reference.py`.

use super::reference::read_csv;
use chokepoint::model::{CountryCode, Stage};
use chokepoint::reference::{ReferenceData, StageSeries, embedded};
use std::collections::{BTreeMap, BTreeSet};

const MCS2026: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/sources/reference/raw/usgs_mcs2026/MCS2026_Commodities_Data.csv"
);

fn data() -> &'static ReferenceData {
    embedded()
}

fn code(text: &str) -> CountryCode {
    CountryCode::parse(text).unwrap_or_else(|| panic!("bad code {text}"))
}

fn series(id: &str, stage: Stage) -> &'static StageSeries {
    data()
        .material(id)
        .and_then(|m| m.stage(stage))
        .unwrap_or_else(|| panic!("{id} has no {stage:?} series"))
}

/// Windows-1252 to text: bytes 0x80-0x9F by the code page's table (WHATWG Encoding Standard,
/// index-windows-1252), every other byte is the Unicode code point of the same number.
fn decode_cp1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{8D}',
        '\u{017D}', '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}',
        '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}',
        '\u{9D}', '\u{017E}', '\u{0178}',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH[usize::from(b - 0x80)],
            other => char::from(other),
        })
        .collect()
}

/// The World production rows of the MCS 2026 file.
fn mcs2026_world_rows() -> Vec<BTreeMap<String, String>> {
    let bytes = std::fs::read(MCS2026).expect("the MCS 2026 file is vendored");
    let text = decode_cp1252(&bytes);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            headers
                .iter()
                .cloned()
                .zip(
                    r.iter()
                        .map(|v| v.replace('\u{a0}', " ").trim().to_string()),
                )
                .collect::<BTreeMap<_, _>>()
        })
        .filter(|r| r["Section"].starts_with("World") && r["Statistics"] == "Production")
        .collect()
}

/// USGS country names (as in countries.csv's `usgs_names`) to codes.
fn usgs_names() -> BTreeMap<String, CountryCode> {
    let mut names = BTreeMap::new();
    for row in read_csv("reference/countries.csv") {
        for name in row["usgs_names"].split('|').filter(|n| !n.is_empty()) {
            names.insert(name.to_string(), code(&row["iso3"]));
        }
    }
    names
}

fn country(names: &BTreeMap<String, CountryCode>, name: &str) -> CountryCode {
    if name == "Other countries" {
        return CountryCode::REST_OF_WORLD;
    }
    if let Some(c) = names.get(name) {
        return *c;
    }
    // "Brazil (beneficiated)" and the like: the country before the qualifier.
    let base = name.split(" (").next().unwrap_or(name);
    *names
        .get(base)
        .unwrap_or_else(|| panic!("USGS country `{name}` unmapped"))
}

/// (catalogue id, stage) -> (MCS 2026 Commodity, country-row detail, world-total detail).
const SERIES: &[(&str, Stage, &str, &str, &str)] = {
    use Stage::{Mining as M, Refining as R};
    &[
        (
            "aluminium",
            M,
            "Bauxite",
            "Bauxite, mine production",
            "Bauxite, mine production: rounded",
        ),
        (
            "aluminium",
            R,
            "Aluminum",
            "Smelter production",
            "Smelter production: rounded",
        ),
        (
            "antimony",
            M,
            "Antimony",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "arsenic",
            R,
            "Arsenic",
            "Production (arsenic trioxide, gross weight)",
            "Production (arsenic trioxide, gross weight): rounded",
        ),
        (
            "barite",
            M,
            "Barite",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "beryllium",
            M,
            "Beryllium",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "bismuth",
            R,
            "Bismuth",
            "Refinery production",
            "Refinery production: rounded",
        ),
        (
            "cadmium",
            R,
            "Cadmium",
            "Refinery production",
            "Refinery production: rounded",
        ),
        (
            "chromium",
            M,
            "Chromium",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "cobalt",
            M,
            "Cobalt",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "copper",
            M,
            "Copper",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "copper",
            R,
            "Copper",
            "Refinery production",
            "Refinery production: rounded",
        ),
        (
            "fluorspar",
            M,
            "Fluorspar",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "gallium",
            R,
            "Gallium",
            "Primary production",
            "Primary production: rounded",
        ),
        (
            "graphite",
            M,
            "Graphite (Natural)",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "indium",
            R,
            "Indium",
            "Refinery production",
            "Refinery production: rounded",
        ),
        (
            "iodine",
            M,
            "Iodine",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "lead",
            M,
            "Lead",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "lithium",
            M,
            "Lithium",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "magnesite",
            M,
            "Magnesium Compounds",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "magnesium",
            R,
            "Magnesium Metal",
            "Smelter production",
            "Smelter production: rounded",
        ),
        (
            "manganese",
            M,
            "Manganese",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "molybdenum",
            M,
            "Molybdenum",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "nickel",
            M,
            "Nickel",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "niobium",
            M,
            "Niobium (Columbium)",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "palladium",
            M,
            "Palladium",
            "Mine production: Palladium",
            "Mine production: Palladium, rounded",
        ),
        (
            "phosphate_rock",
            M,
            "Phosphate Rock",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "platinum",
            M,
            "Platinum",
            "Mine production: Platinum",
            "Mine production: Platinum, rounded",
        ),
        (
            "potash",
            M,
            "Potash",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "rare_earths",
            M,
            "Rare Earths",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "rhenium",
            M,
            "Rhenium",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "selenium",
            R,
            "Selenium",
            "Refinery production",
            "Refinery production: rounded",
        ),
        (
            "silicon",
            R,
            "Silicon",
            "Silicon metal",
            "Silicon metal: rounded",
        ),
        (
            "silver",
            M,
            "Silver",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "strontium",
            M,
            "Strontium",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "tantalum",
            M,
            "Tantalum",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "tellurium",
            R,
            "Tellurium",
            "Refinery production",
            "Refinery production: rounded",
        ),
        (
            "tin",
            M,
            "Tin",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "titanium",
            M,
            "Titanium Mineral Concentrates",
            "Mine production: Ilmenite",
            "Mine production: ilmenite, rounded",
        ),
        (
            "titanium",
            R,
            "Titanium Sponge Metal",
            "Titanium sponge metal production",
            "Titanium sponge metal production: rounded",
        ),
        (
            "tungsten",
            M,
            "Tungsten",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "vanadium",
            M,
            "Vanadium",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "zinc",
            M,
            "Zinc",
            "Mine production",
            "Mine production: rounded",
        ),
        (
            "zirconium",
            M,
            "Zirconium",
            "Zirconium mineral concentrates, mine production (thousand metric tons, gross weight)",
            "Zirconium mineral concentrates, mine production (thousand metric tons, gross weight): rounded",
        ),
    ]
};

/// A Value cell: `Some(quantity)` for a number, `Some(0)` for the dash, `None` for a code
/// (W withheld, NA not available, s small).
fn quantity(text: &str) -> Option<f64> {
    match text {
        "\u{2014}" => Some(0.0),
        "W" | "NA" | "s" => None,
        number => Some(
            number
                .replace(',', "")
                .parse()
                .unwrap_or_else(|_| panic!("value `{number}`")),
        ),
    }
}

#[test]
fn every_usgs_share_equals_the_published_figure() {
    let rows = mcs2026_world_rows();
    let names = usgs_names();
    let mut checked = 0;
    for &(id, stage, commodity, detail, total_detail) in SERIES {
        let current = series(id, stage);
        assert_eq!(current.source.dataset, "USGS_MCS2026_WORLD", "{id}");
        let previous = current.previous.as_ref().expect("2024 vintage");
        for (year, published, withheld, world_total) in [
            (
                "2025",
                current.published_shares(),
                &current.withheld,
                current.world_total,
            ),
            (
                "2024",
                previous.published.clone(),
                &previous.withheld,
                previous.world_total,
            ),
        ] {
            let what = format!("{id} {stage:?} {year}");
            let of_year: Vec<_> = rows
                .iter()
                .filter(|r| r["Commodity"] == commodity && r["Year"] == year)
                .collect();
            let total_rows: Vec<_> = of_year
                .iter()
                .filter(|r| r["Country"] == "World total" && r["Statistics_detail"] == total_detail)
                .collect();
            assert_eq!(total_rows.len(), 1, "{what}: world total");
            let total = quantity(&total_rows[0]["Value"]).unwrap();
            assert_eq!(world_total, Some(total), "{what}: world total as published");
            let mut expected: BTreeMap<CountryCode, f64> = BTreeMap::new();
            let mut missing: BTreeSet<CountryCode> = BTreeSet::new();
            for r in of_year.iter().filter(|r| r["Country"] != "World total") {
                let d = &r["Statistics_detail"];
                let of_series = d == detail
                    || (d.starts_with(&format!("{detail}: ")) && !d.contains("rounded"));
                if !of_series {
                    continue;
                }
                let c = country(&names, &r["Country"]);
                match quantity(&r["Value"]) {
                    None => {
                        missing.insert(c);
                    }
                    Some(q) if q > 0.0 => {
                        expected.insert(c, 100.0 * q / total);
                    }
                    Some(_) => {} // zero: not listed
                }
            }
            let ours: BTreeMap<CountryCode, f64> = published.iter().copied().collect();
            assert_eq!(
                ours.keys().collect::<Vec<_>>(),
                expected.keys().collect::<Vec<_>>(),
                "{what}: countries"
            );
            for (c, pct) in &expected {
                // The same number, so the same display at any precision.
                assert_eq!(ours[c], *pct, "{what} {c}");
                assert_eq!(format!("{:.1}", ours[c]), format!("{pct:.1}"), "{what} {c}");
                checked += 1;
            }
            let withheld: BTreeSet<CountryCode> = withheld.iter().copied().collect();
            assert_eq!(withheld, missing, "{what}: withheld or not available");
            for c in &missing {
                assert!(!ours.contains_key(c), "{what}: {c} withheld and shown");
            }
        }
    }
    assert!(checked > 900, "{checked} shares checked");
    // Every USGS series embedded is one of the series checked here.
    let usgs: usize = data()
        .materials
        .iter()
        .flat_map(|m| &m.stages)
        .filter(|s| s.source.dataset.starts_with("USGS"))
        .count();
    assert_eq!(usgs, SERIES.len());
}

#[test]
fn the_issue_examples_show_the_published_share() {
    // Issue #17 part 2: shares were shown rescaled to 100 %. The published share is shown; the
    // calculation uses the normalised one and says by how much it was scaled.
    let gallium = series("gallium", Stage::Refining);
    let chn = code("CHN");
    assert_eq!(gallium.published_percent(chn), 100.0); // 900,000 of 900,000 kg (2025)
    let n = gallium.normalisation();
    assert!((n.published_sum - 101.0).abs() < 1e-9 && n.visible());
    assert!((gallium.mix.share_of(chn) - 100.0 / 101.0).abs() < 1e-12);
    let previous = gallium.previous.as_ref().unwrap();
    // 2024 revised: 839,000 of 848,000 kg.
    assert_eq!(format!("{:.1}", previous.published[0].1), "98.9");

    let cobalt = series("cobalt", Stage::Mining);
    assert_eq!(
        format!("{:.1}", cobalt.published_percent(code("COD"))),
        "74.2"
    ); // 230,000 of 310,000 t
    let antimony = series("antimony", Stage::Mining);
    assert_eq!(format!("{:.1}", antimony.published_percent(chn)), "36.4"); // 40,000 of 110,000 t
    assert_eq!(
        format!("{:.2}", antimony.normalisation().published_sum),
        "100.65"
    );
    assert!(
        antimony
            .caveats
            .iter()
            .any(|c| c.contains("no 'Other countries' row"))
    );
}

#[test]
fn trends_between_the_two_usgs_vintages() {
    // The issue's examples: lithium mining Australia 37 % -> 32 %, nickel Indonesia 62 % -> 67 %.
    let entry = |id: &str, c: &str| {
        let trend = series(id, Stage::Mining).trend().expect("trend");
        assert_eq!((trend.previous.year, trend.current.year), (2024, 2025));
        *trend.entry(code(c)).unwrap()
    };
    let aus = entry("lithium", "AUS");
    assert_eq!(
        format!(
            "{:.0} -> {:.0}",
            aus.previous.unwrap(),
            aus.current.unwrap()
        ),
        "37 -> 32"
    );
    assert!(aus.change().unwrap() < -5.0);
    let idn = entry("nickel", "IDN");
    assert_eq!(
        format!(
            "{:.0} -> {:.0}",
            idn.previous.unwrap(),
            idn.current.unwrap()
        ),
        "62 -> 67"
    );
    // Withheld stays missing in the trend: the United States' lithium mining in both years.
    let trend = series("lithium", Stage::Mining).trend().unwrap();
    assert!(trend.entry(code("USA")).is_none());
    // IEA and EU series have one year: no trend.
    assert!(series("cobalt", Stage::Refining).trend().is_none());
    assert!(series("antimony", Stage::Refining).trend().is_none());
}

#[test]
fn iea_projections_are_attached_where_the_iea_has_them() {
    let with: Vec<(String, Stage)> = data()
        .materials
        .iter()
        .flat_map(|m| {
            m.stages
                .iter()
                .filter(|s| !s.projections.is_empty())
                .map(|s| (m.id.clone(), s.stage))
        })
        .collect();
    let expect: Vec<(String, Stage)> = [
        ("cobalt", Stage::Mining),
        ("cobalt", Stage::Refining),
        ("copper", Stage::Mining),
        ("copper", Stage::Refining),
        ("graphite", Stage::Mining),
        ("graphite", Stage::Refining),
        ("lithium", Stage::Mining),
        ("lithium", Stage::Refining),
        ("nickel", Stage::Mining),
        ("nickel", Stage::Refining),
        ("rare_earths", Stage::Refining),
        ("rare_earths_magnet", Stage::Mining),
        ("rare_earths_magnet", Stage::Refining),
    ]
    .into_iter()
    .map(|(id, s)| (id.to_string(), s))
    .collect();
    assert_eq!(with, expect);
    for (id, stage) in &expect {
        let s = series(id, *stage);
        let years: Vec<u16> = s.projections.iter().map(|p| p.source.year).collect();
        assert_eq!(years, [2024, 2030, 2035, 2040], "{id}");
        for p in &s.projections {
            assert_eq!(p.source.dataset, "IEA_CM_DATASET_2025");
            let sum: f64 = p.published.iter().map(|(_, v)| v).sum();
            assert!((sum - 100.0).abs() < 0.05, "{id} {}: {sum}", p.source.year);
        }
        // Where the default series is the IEA's, its base year is that series.
        if s.source.dataset == "IEA_CM_DATASET_2025" {
            assert_eq!(s.projections[0].published, s.published_shares(), "{id}");
        }
    }
    // IEA base case, from the raw file: magnet rare-earth refining, China 73.76 of 80.81 kt in
    // 2024 and 81.13 of 106.68 kt in 2030.
    let ree = series("rare_earths_magnet", Stage::Refining);
    let chn = code("CHN");
    let share = |year| {
        ree.projection(year)
            .unwrap()
            .published
            .iter()
            .find(|(c, _)| *c == chn)
            .unwrap()
            .1
    };
    assert_eq!((share(2024), share(2030)), (91.28, 76.05));
    // USGS rare-earth oxide mining is all rare earths; the IEA projects magnet rare earths only.
    assert!(series("rare_earths", Stage::Mining).projections.is_empty());
}

#[test]
fn reference_json_shows_published_shares_trend_and_projections() {
    let value = serde_json::to_value(series("lithium", Stage::Mining)).unwrap();
    assert_eq!(value["source"]["dataset"], "USGS_MCS2026_WORLD");
    assert_eq!(value["source"]["year"], 2025);
    let aus = value["shares"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["country"] == "AUS")
        .unwrap();
    assert_eq!(aus["published_percent"], 100.0 * 92_000.0 / 290_000.0);
    assert!(value["normalisation"]["factor"].as_f64().unwrap() > 1.0);
    assert_eq!(value["previous"]["source"]["year"], 2024);
    assert_eq!(value["trend"]["countries"][0]["country"], "AUS");
    assert_eq!(value["projections"][1]["source"]["year"], 2030);
    assert_eq!(value["projections"][1]["scenario"], "IEA base case");
    assert_eq!(value["withheld"][0], "USA");
}
