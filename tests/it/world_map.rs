//! Integration tests: the world map's shapes (`data/world_map.json`, written by
//! `scripts/data/build_map.mjs`; `node scripts/data/build_map.mjs --check` in scripts/test.sh
//! checks that it matches a fresh build).

use chokepoint::model::CountryCode;
use chokepoint::reference::embedded;
use chokepoint::reference::world_map::{WORLD_MAP_JSON, well_formed_path, world_map};

/// The absolute points of a path as the build writes it (checked well-formed first).
fn points(path: &str) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for ring in path.split_terminator('z') {
        let (start, steps) = ring[1..].split_once('l').expect("M ... l");
        let numbers = |text: &str| -> Vec<i64> {
            text.replace('-', " -")
                .split_whitespace()
                .map(|n| n.parse().expect("integer"))
                .collect()
        };
        let start = numbers(start);
        let (mut x, mut y) = (start[0], start[1]);
        out.push((x, y));
        for step in numbers(steps).chunks(2) {
            x += step[0];
            y += step[1];
            out.push((x, y));
        }
    }
    out
}

#[test]
fn the_map_file_parses_with_its_source_and_licence() {
    let map = world_map();
    assert!(map.source.contains("Natural Earth") && map.source.contains("world-atlas 2.0.2"));
    assert!(map.licence.starts_with("Public domain"));
    assert!(map.citation.contains("Equal Earth"));
    assert_eq!(map.view_box[0..2], [0, 0]);
    assert_eq!(map.view_box[2], 2000);
    assert!((800..1000).contains(&map.view_box[3]), "{:?}", map.view_box);
}

#[test]
fn every_path_is_well_formed_and_inside_the_view_box() {
    let map = world_map();
    let [_, _, width, height] = map.view_box.map(i64::from);
    for (key, path) in map.countries.iter().chain(&map.uncoded) {
        assert!(well_formed_path(path), "{key}: {path}");
        for (x, y) in points(path) {
            assert!(
                (0..=width).contains(&x) && (0..=height).contains(&y),
                "{key}: ({x}, {y})"
            );
        }
    }
}

#[test]
fn every_key_is_a_reference_country_and_the_large_producers_are_there() {
    let map = world_map();
    let reference = embedded();
    assert!(
        map.countries.len() >= 170,
        "{} countries",
        map.countries.len()
    );
    for key in map.countries.keys() {
        let code = CountryCode::parse(key).unwrap_or_else(|| panic!("{key} is no alpha-3 code"));
        assert!(!code.is_rest_of_world());
        assert!(
            reference.countries.iter().any(|c| c.code == code),
            "{key} not in the reference countries"
        );
    }
    for key in ["CHN", "USA", "AUS", "COD", "CHL", "IDN", "RUS", "XKX"] {
        assert!(map.countries.contains_key(key), "{key} missing");
    }
    // The two shapes without a code (docs/DATA.md, "World map").
    assert_eq!(
        map.uncoded.keys().collect::<Vec<_>>(),
        ["N. Cyprus", "Somaliland"]
    );
    // Antarctica is left out.
    assert!(!map.countries.contains_key("ATA"));
}

#[test]
fn the_map_is_at_most_60_kb_gzip() {
    // DEFLATE at the highest level; gzip adds an 18-byte header and trailer.
    let deflated = miniz_oxide::deflate::compress_to_vec(WORLD_MAP_JSON.as_bytes(), 10);
    let gzip = deflated.len() + 18;
    assert!(gzip <= 60_000, "{gzip} bytes gzip");
}
