//! The world map's shapes: one SVG path per country, compiled into the binary from
//! `data/world_map.json`.
//!
//! The file is written by `scripts/data/build_map.mjs` (never by hand; `docs/DATA.md`, "World
//! map") from Natural Earth's 1:110m Admin 0 countries (public domain) as packaged by the npm
//! package world-atlas 2.0.2: projected with Equal Earth (Šavrič, Patterson and Jenny 2018),
//! simplified, and rounded to integers in a fixed viewBox. Countries are keyed by ISO 3166-1
//! alpha-3 (Kosovo by `XKX`, as in the reference data); the two shapes without a code (N. Cyprus,
//! Somaliland) are listed apart by name and drawn unshaded. Antarctica is left out.
//!
//! Only the pages' part, which draws the map and the Sources page, links this file.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The data file, `data/world_map.json`, as compiled into the binary.
pub const WORLD_MAP_JSON: &str = include_str!("../../data/world_map.json");

/// The map's shapes and where they come from.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct WorldMap {
    /// The data set the shapes come from, with its version.
    pub source: String,
    /// Its licence.
    pub licence: String,
    /// How to cite it (shapes and projection).
    pub citation: String,
    /// The projection.
    pub projection: String,
    /// How the shapes were simplified, and what was left out.
    pub simplification: String,
    /// The SVG viewBox: x, y, width, height.
    pub view_box: [u32; 4],
    /// Shapes with no country code, by name: drawn unshaded.
    pub uncoded: BTreeMap<String, String>,
    /// SVG path data per ISO 3166-1 alpha-3 code.
    pub countries: BTreeMap<String, String>,
}

/// The embedded map, parsed once. An unreadable file (a test guards against it) gives an empty
/// map rather than a panic.
pub fn world_map() -> &'static WorldMap {
    static MAP: OnceLock<WorldMap> = OnceLock::new();
    MAP.get_or_init(|| serde_json::from_str(WORLD_MAP_JSON).unwrap_or_default())
}

/// Whether `path` is path data as the build writes it: one or more rings, each an absolute move
/// `M x y`, relative integer line steps `l dx dy ...` and a close `z`.
///
/// ```
/// use chokepoint::reference::world_map::well_formed_path;
/// assert!(well_formed_path("M10 20l3-4 -2 1z"));
/// assert!(well_formed_path("M1 2l3 4 5 6zM7 8l1 1 1 0z"));
/// assert!(!well_formed_path("M10 20l3z"));
/// assert!(!well_formed_path("M10 20 l3 4"));
/// ```
pub fn well_formed_path(path: &str) -> bool {
    let rings: Vec<&str> = path.split_terminator('z').collect();
    !rings.is_empty()
        && path.ends_with('z')
        && rings.iter().all(|ring| {
            let Some((start, steps)) = ring.strip_prefix('M').and_then(|r| r.split_once('l'))
            else {
                return false;
            };
            // Numbers are separated by a space or by the minus sign that starts the next one.
            let numbers = |text: &str| -> Option<Vec<i64>> {
                let spaced = text.replace('-', " -");
                let numbers: Option<Vec<i64>> =
                    spaced.split_whitespace().map(|n| n.parse().ok()).collect();
                numbers.filter(|_| {
                    text.chars()
                        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
                })
            };
            matches!(numbers(start), Some(xy) if xy.len() == 2)
                && matches!(numbers(steps), Some(d) if d.len() >= 4 && d.len() % 2 == 0)
        })
}
