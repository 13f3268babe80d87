//! Integration tests: reference.
//!
//! The embedded reference data checked against the vendored source files it was built from
//! (`data/sources`), against USGS's own leading-producer table, and for internal consistency.

use chokepoint::model::{CountryCode, Stage};
use chokepoint::reference::{ReferenceData, SUM_FLAG, embedded};
use std::collections::BTreeMap;
use std::path::Path;

const SOURCES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sources");

fn data() -> &'static ReferenceData {
    embedded()
}

fn code(text: &str) -> CountryCode {
    CountryCode::parse(text).unwrap_or_else(|| panic!("bad code {text}"))
}

/// The rows of a CSV under `data/sources`, as header -> value maps.
pub(crate) fn read_csv(relative: &str) -> Vec<BTreeMap<String, String>> {
    read_csv_at(&Path::new(SOURCES).join(relative))
}

/// The rows of the CSV file at `path`, as header -> value maps.
pub(crate) fn read_csv_at(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let headers: Vec<String> = reader
        .headers()
        .expect("headers")
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            headers
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// USGS MCS 2025 Table 5 names → (catalogue id, stage the leading-producer figure describes).
fn t5_series(name: &str) -> Option<(&'static str, Stage)> {
    use Stage::{Mining, Refining};
    Some(match name {
        "Aluminum (bauxite)" => ("aluminium", Mining),
        "Antimony" => ("antimony", Mining),
        "Arsenic" => ("arsenic", Refining),
        "Barite" => ("barite", Mining),
        "Beryllium" => ("beryllium", Mining),
        "Bismuth" => ("bismuth", Refining),
        "Chromium" => ("chromium", Mining),
        "Cobalt" => ("cobalt", Mining),
        "Fluorspar" => ("fluorspar", Mining),
        "Gallium" => ("gallium", Refining),
        "Germanium" => ("germanium", Refining),
        "Graphite (natural)" => ("graphite", Mining),
        "Indium" => ("indium", Refining),
        "Lithium" => ("lithium", Mining),
        "Magnesium" => ("magnesium", Refining),
        "Manganese" => ("manganese", Mining),
        "Nickel" => ("nickel", Mining),
        "Niobium" => ("niobium", Mining),
        "Palladium" => ("palladium", Mining),
        "Platinum" => ("platinum", Mining),
        "Rare earths (compounds and metals)" => ("rare_earths", Mining),
        "Scandium" => ("scandium", Refining),
        "Tantalum" => ("tantalum", Mining),
        "Tellurium" => ("tellurium", Refining),
        "Tin" => ("tin", Mining),
        "Titanium (metal)" => ("titanium", Refining),
        "Tungsten" => ("tungsten", Mining),
        "Vanadium" => ("vanadium", Mining),
        "Yttrium" => ("yttrium", Refining),
        "Zinc" => ("zinc", Mining),
        "Zirconium (ores and concentrates)" => ("zirconium", Mining),
        _ => return None,
    })
}

/// USGS country names of Table 5's leading producers → ISO3.
fn t5_country(name: &str) -> Option<&'static str> {
    Some(match name {
        "Australia" => "AUS",
        "Brazil" => "BRA",
        "China" => "CHN",
        "Congo (Kinshasa)" => "COD",
        "Guinea" => "GIN",
        "India" => "IND",
        "Indonesia" => "IDN",
        "Peru" => "PER",
        "Russia" => "RUS",
        "South Africa" => "ZAF",
        "United States" => "USA",
        _ => return None,
    })
}

#[test]
fn leading_producers_of_usgs_table_5_still_lead_both_vintages() {
    // MCS 2025 Table 5 names the leading producer of 2024 (first estimates). The MCS 2026 data
    // release revised 2024 and added 2025: the shares moved (antimony China 60 % first
    // estimate, 33.6 % revised; `vintages.rs` checks every share against the MCS 2026 file),
    // but the leader of every Table 5 mineral is the same in both embedded vintages.
    let rows = read_csv(
        "reference/raw/usgs_mcs2025/industry_trends/MCS2025_T5_Critical_Minerals_Salient.csv",
    );
    let mut checked = 0;
    for row in &rows {
        let mineral = row["Critical_mineral"].trim();
        if row["Leading_source_precent_world"]
            .trim()
            .parse::<f64>()
            .is_err()
        {
            continue; // NA: no leading producer published (germanium, scandium, yttrium)
        }
        let (id, stage) =
            t5_series(mineral).unwrap_or_else(|| panic!("Table 5 mineral `{mineral}` unmapped"));
        let leader = row["Leading_source_country"].trim();
        let usgs_code = code(
            t5_country(leader).unwrap_or_else(|| panic!("Table 5 country `{leader}` unmapped")),
        );
        let series = data()
            .material(id)
            .and_then(|m| m.stage(stage))
            .unwrap_or_else(|| panic!("{id} has no {stage} series"));
        assert_eq!(
            series.mix.largest().0,
            usgs_code,
            "{mineral}: top country 2025"
        );
        let previous = series.previous.as_ref().expect("a 2024 vintage");
        assert_eq!(
            previous.mix.largest().0,
            usgs_code,
            "{mineral}: top country 2024"
        );
        assert!(!series.older_data, "{mineral}: should be 2025 data");
        assert_eq!(
            (series.source.year, previous.source.year),
            (2025, 2024),
            "{mineral}"
        );
        checked += 1;
    }
    assert!(checked >= 28, "only {checked} Table 5 rows checked");
}

#[test]
fn every_country_code_resolves_to_a_named_country() {
    let data = data();
    let named = |c: CountryCode, what: &str| {
        let country = data
            .country(c)
            .unwrap_or_else(|| panic!("{what}: {c} does not resolve"));
        assert!(!country.name.trim().is_empty(), "{what}: {c} has no name");
    };
    for m in &data.materials {
        for s in &m.stages {
            let what = format!("{} {}", m.id, s.stage.id());
            for (c, _) in s.mix.entries() {
                named(*c, &what);
            }
            for c in &s.withheld {
                named(*c, &what);
            }
        }
        if let Some(eu) = &m.eu {
            for (_, rows) in eu.global_supply.iter().chain(&eu.eu_sourcing) {
                for (c, _, _) in rows {
                    named(*c, &format!("{} EU", m.id));
                }
            }
        }
    }
    for g in &data.groups {
        for c in &g.members {
            named(*c, &g.id);
        }
    }
    let row = data.country(CountryCode::REST_OF_WORLD).expect("ROW");
    assert_eq!(row.name, "Rest of world");
    assert_eq!(row.wgi_mean, None);
}

#[test]
fn series_are_non_empty_and_off_sums_are_flagged() {
    for m in &data().materials {
        for s in &m.stages {
            assert!(!s.mix.entries().is_empty(), "{} {}", m.id, s.stage.id());
            let sum: f64 = s.mix.entries().iter().map(|(_, v)| v).sum();
            assert!((sum - 1.0).abs() < 1e-9);
            let flagged = s.caveats.iter().any(|c| c.starts_with(SUM_FLAG));
            assert_eq!(
                s.sum_out_of_range(),
                flagged,
                "{} {}: published sum {:.1} %",
                m.id,
                s.stage.id(),
                s.mix.original_sum()
            );
            assert!(
                data().dataset(&s.source.dataset).is_some(),
                "{}: dataset {} not listed",
                m.id,
                s.source.dataset
            );
        }
    }
    // Known off-sum series from the EU 2023 study are present and flagged.
    let vanadium = data().material("vanadium").unwrap();
    assert!(vanadium.stage(Stage::Refining).unwrap().sum_out_of_range());
}

#[test]
fn required_refining_stages_exist() {
    for id in [
        "gallium",
        "germanium",
        "graphite",
        "rare_earths",
        "rare_earths_magnet",
        "neodymium",
        "praseodymium",
        "dysprosium",
        "terbium",
        "cobalt",
        "lithium",
        "nickel",
        "tungsten",
        "antimony",
        "platinum",
        "palladium",
        "iridium",
        "rhodium",
        "ruthenium",
        "magnesium",
    ] {
        let m = data()
            .material(id)
            .unwrap_or_else(|| panic!("{id} missing"));
        assert!(m.stage(Stage::Refining).is_some(), "{id} has no refining");
    }
}

#[test]
fn every_refining_stage_in_the_sources_is_embedded() {
    // USGS / IEA: every material with a refining series that has shares.
    let usgs_ids: BTreeMap<&str, &str> = [
        ("aluminum", "aluminium"),
        ("graphite_refined", "graphite"),
        ("graphite_natural", "graphite"),
    ]
    .into_iter()
    .collect();
    for row in read_csv("reference/production_shares.csv") {
        let id = row["material_id"].as_str();
        let id = usgs_ids.get(id).copied().unwrap_or(id);
        let stage = if row["stage"] == "mining" {
            Stage::Mining
        } else {
            Stage::Refining
        };
        assert!(
            data().material(id).and_then(|m| m.stage(stage)).is_some(),
            "{id} {stage:?} missing"
        );
    }
    // EU 2023: every material with processing (P) data (EU names lower-cased with `_`; the EU's
    // "Titanium" is `titanium_minerals`, other spellings resolve through the aliases).
    for row in read_csv("eu-crm/eu2023_global_supply_shares.csv") {
        if row["Stage"] != "P" {
            continue;
        }
        let name = row["Material"].to_lowercase().replace(' ', "_");
        let id = if name == "titanium" {
            "titanium_minerals"
        } else {
            &name
        };
        let material = data()
            .find_material(id)
            .unwrap_or_else(|| panic!("EU material `{}` missing", row["Material"]));
        assert!(
            material.stage(Stage::Refining).is_some(),
            "{} has no refining",
            material.id
        );
    }
}

#[test]
fn coverage_minimums() {
    let data = data();
    let mining = data
        .materials
        .iter()
        .filter(|m| m.stage(Stage::Mining).is_some())
        .count();
    assert!(mining >= 40, "{mining} materials with mining");
    assert!(data.countries.len() >= 200);
    assert_eq!(data.groups.len(), 9); // 7 memberships and 2 sanctions lists
    let ids: Vec<&str> = data.materials.iter().map(|m| m.id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(ids, sorted, "materials sorted by id, no duplicates");
}

#[test]
fn newest_source_wins_and_older_fills_are_marked() {
    for m in &data().materials {
        for s in &m.stages {
            if s.older_data {
                assert_eq!(s.source.dataset, "EU_CRM_2023", "{}", m.id);
            } else {
                // USGS series are 2025 (MCS 2026), IEA series 2024 (their own year).
                let year = match s.source.dataset.as_str() {
                    "USGS_MCS2026_WORLD" => 2025,
                    "IEA_CM_DATASET_2025" => 2024,
                    other => panic!("{}: unexpected data set {other}", m.id),
                };
                assert_eq!(s.source.year, year, "{}", m.id);
            }
        }
    }
    let germanium = data().material("germanium").unwrap();
    assert!(
        germanium.stage(Stage::Mining).is_none(),
        "withheld stays missing"
    );
    let refining = germanium.stage(Stage::Refining).unwrap();
    assert!(refining.older_data);
    assert!(refining.caveats.iter().any(|c| c.contains("withheld")));
    let lithium = data().material("lithium").unwrap();
    assert_eq!(
        lithium.stage(Stage::Mining).unwrap().withheld,
        vec![code("USA")]
    );
    assert_eq!(
        lithium.stage(Stage::Refining).unwrap().source.dataset,
        "IEA_CM_DATASET_2025"
    );
    // "<0.1%" convention is stated where used.
    let gold = data()
        .material("gold")
        .unwrap()
        .stage(Stage::Mining)
        .unwrap();
    assert!(gold.caveats.iter().any(|c| c.contains("<0.1%")));
}

#[test]
fn iea_shares_match_the_source_csv() {
    // The USGS rows of production_shares.csv (MCS 2025) are superseded by MCS 2026 (checked in
    // `vintages.rs`); the IEA series embedded are the file's `preferred` ones.
    let summary = read_csv("reference/materials_summary.csv");
    let preferred: std::collections::BTreeSet<(String, String, String)> = summary
        .iter()
        .filter(|r| r["preferred"] == "1" && r["source_id"] == "IEA_CM_DATASET_2025")
        .map(|r| {
            (
                r["material_id"].clone(),
                r["stage"].clone(),
                r["stage_detail"].clone(),
            )
        })
        .collect();
    let mut checked = 0;
    for row in read_csv("reference/production_shares.csv") {
        let key = (
            row["material_id"].clone(),
            row["stage"].clone(),
            row["stage_detail"].clone(),
        );
        if !preferred.contains(&key) {
            continue;
        }
        let id = match key.0.as_str() {
            "graphite_natural" | "graphite_refined" => "graphite",
            other => other,
        };
        let stage = if key.1 == "mining" {
            Stage::Mining
        } else {
            Stage::Refining
        };
        let series = data().material(id).unwrap().stage(stage).unwrap();
        assert_eq!(series.detail, key.2);
        assert_eq!(series.source.dataset, "IEA_CM_DATASET_2025");
        let pct: f64 = row["share_pct"].parse().unwrap();
        let ours = series.published_percent(code(&row["country_iso3"]));
        assert!(
            (ours - pct).abs() < 1e-9,
            "{id} {stage:?} {}",
            row["country_iso3"]
        );
        checked += 1;
    }
    assert!(checked >= 30, "{checked}");
}

#[test]
fn governance_and_groups() {
    let data = data();
    let ncl = data.country(code("NCL")).expect("New Caledonia");
    assert_eq!(ncl.wgi_mean, None, "no WGI series: stays missing");
    let chn = data.country(code("CHN")).unwrap();
    let scaled = chn.wgi_eu_scaled().unwrap();
    assert!((0.0..=10.0).contains(&scaled) && scaled > 5.0);
    assert!(data.country(code("XKX")).unwrap().wgi_mean.is_some());
    let feoc = data.group("feoc_covered_nations").unwrap();
    for c in ["CHN", "RUS", "PRK", "IRN"] {
        assert!(feoc.contains(code(c)), "{c}");
    }
    assert_eq!(feoc.members.len(), 4);
    assert_eq!(data.group("eu27").unwrap().members.len(), 27);
    assert_eq!(data.group("nato").unwrap().members.len(), 32);
    for g in &data.groups {
        assert!(!g.user_defined);
        assert!(g.as_of.is_some() && !g.source.is_empty(), "{}", g.id);
    }
}

#[test]
fn eu_assessments() {
    let data = data();
    let gallium = data.material("gallium").unwrap().eu.as_ref().unwrap();
    assert_eq!(gallium.supply_risk, Some(3.9));
    assert_eq!(gallium.bottleneck, Some(Stage::Refining));
    assert_eq!(gallium.import_reliance, vec![(Stage::Refining, 0.98)]);
    let (stage, rows) = &gallium.global_supply[0];
    assert_eq!(*stage, Stage::Refining);
    assert_eq!(rows[0].0, code("CHN"));
    assert!((rows[0].1 - 0.938).abs() < 1e-12);
    // Shifted-column rows: the unreliable cells are missing, with a caveat.
    for id in [
        "strontium",
        "molybdenum",
        "praseodymium",
        "coking_coal",
        "magnesite",
    ] {
        let eu = data.material(id).unwrap().eu.as_ref().unwrap();
        assert!(eu.import_reliance.is_empty() && eu.eol_rir.is_none() && eu.si_sr.is_none());
        assert!(eu.caveats.iter().any(|c| c.contains("shifted")), "{id}");
        assert!(eu.supply_risk.is_some(), "{id}");
    }
    // EU members carry t = 0.8 in EU sourcing.
    let cobalt = data.material("cobalt").unwrap().eu.as_ref().unwrap();
    let fin = cobalt
        .eu_sourcing
        .iter()
        .flat_map(|(_, rows)| rows)
        .find(|(c, _, _)| *c == code("FIN"))
        .expect("Finland in cobalt EU sourcing");
    assert_eq!(fin.2, 0.8);
    // The HREE group's EU sourcing applies to each heavy rare earth.
    let dy = data.material("dysprosium").unwrap().eu.as_ref().unwrap();
    assert!(dy.eu_sourcing.iter().any(|(s, _)| *s == Stage::Mining));
}

#[test]
fn lists_and_datasets() {
    let data = data();
    let lists = |id: &str| data.material(id).unwrap().lists.clone();
    assert!(lists("gallium").eu_strategic_2023 && lists("gallium").us_critical_2022);
    assert!(lists("copper").eu_strategic_2023 && !lists("copper").us_critical_2022);
    assert!(lists("strontium").eu_critical_2023 && !lists("strontium").us_critical_2022);
    assert!(!lists("gold").eu_critical_2023);
    // The final 2025 U.S. list, from MCS 2026's column "Is critical mineral 2025": copper,
    // silver, lead, potash and the others added in 2025; strontium not listed; thulium and
    // coking coal have no chapter in the file, so not stated.
    for id in [
        "gallium", "copper", "silver", "lead", "potash", "rhenium", "silicon", "boron",
    ] {
        assert_eq!(lists(id).us_critical_2025, Some(true), "{id}");
    }
    assert_eq!(lists("strontium").us_critical_2025, Some(false));
    assert_eq!(lists("thulium").us_critical_2025, None);
    assert_eq!(lists("coking_coal").us_critical_2025, None);
    let listed = data
        .materials
        .iter()
        .filter(|m| m.lists.us_critical_2025 == Some(true))
        .count();
    assert_eq!(
        listed, 58,
        "catalogue ids on the 2025 list (groups included)"
    );
    for d in &data.datasets {
        assert!(!d.licence.is_empty() && !d.citation.is_empty(), "{}", d.id);
        assert!(!d.short.is_empty(), "{}", d.id);
    }
    assert!(
        data.dataset("USGS_MCS2026_WORLD")
            .unwrap()
            .citation
            .contains("10.5066/P1WKQ63T")
    );
    // Superseded for the shares, still cited by an event preset: no series uses it.
    assert!(data.dataset("USGS_MCS2025_WORLD").is_some());
    assert!(
        data.materials
            .iter()
            .flat_map(|m| &m.stages)
            .all(|s| s.source.dataset != "USGS_MCS2025_WORLD")
    );
    assert!(data.dataset("US_CRITICAL_MINERALS_2025").is_some());
    assert!(
        data.dataset("US_CRITICAL_MINERALS_2022").is_some(),
        "history"
    );
    assert!(data.find_material("aluminum").is_some());
}

#[test]
fn embedded_file_equals_a_fresh_build() {
    super::assert_fresh_build("build_reference.py");
}
