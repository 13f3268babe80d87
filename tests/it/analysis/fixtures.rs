//! Hand-made reference data for the analysis and command-line tests: a few materials with 2024
//! shares close to USGS MCS 2025 and the IEA 2025 data set, WGI 2023 means, and two groups.
//! Close to the real figures, but a test fixture, not the reference data.

use chokepoint::model::{CountryCode, CountryMix, Stage};
use chokepoint::portfolio::Portfolio;
use chokepoint::reference::{
    Country, CountryGroup, Dataset, Material, ReferenceData, SourceRef, StageSeries,
};

/// A country code from text known to be valid.
pub fn c(code: &str) -> CountryCode {
    CountryCode::parse(code).expect("test country code")
}

/// A mix from (code, percent) pairs known to be valid.
pub fn mix(shares: &[(&str, f64)]) -> CountryMix {
    CountryMix::from_shares(shares.iter().map(|(code, s)| (c(code), *s))).expect("test mix")
}

fn series(stage: Stage, dataset: &str, shares: &[(&str, f64)]) -> StageSeries {
    StageSeries {
        stage,
        detail: format!("{} output", stage.id()),
        mix: mix(shares),
        source: SourceRef {
            dataset: dataset.to_string(),
            year: 2024,
        },
        unit: "t".to_string(),
        older_data: false,
        caveats: vec![],
        withheld: vec![],
        published: vec![],
        world_total: None,
        previous: None,
        projections: vec![],
    }
}

fn material(id: &str, name: &str, stages: Vec<StageSeries>) -> Material {
    Material {
        id: id.to_string(),
        name: name.to_string(),
        symbols: vec![],
        lists: Default::default(),
        stages,
        eu: None,
    }
}

const USGS: &str = "USGS_MCS2025_WORLD";
const IEA: &str = "IEA_CM_DATASET_2025";

/// The fixture reference data.
pub fn reference() -> ReferenceData {
    use Stage::{Mining, Refining};
    let materials = vec![
        material(
            "cobalt",
            "Cobalt",
            vec![
                series(
                    Mining,
                    USGS,
                    &[
                        ("COD", 75.86),
                        ("IDN", 9.66),
                        ("RUS", 3.0),
                        ("CAN", 1.55),
                        ("PHL", 1.31),
                        ("AUS", 1.24),
                        ("CUB", 1.21),
                        ("PNG", 0.97),
                        ("TUR", 0.93),
                        ("MDG", 0.9),
                        ("NCL", 0.52),
                        ("USA", 0.1),
                        ("ROW", 2.14),
                    ],
                ),
                series(
                    Refining,
                    IEA,
                    &[
                        ("CHN", 78.41),
                        ("FIN", 8.04),
                        ("JPN", 2.26),
                        ("IDN", 1.15),
                        ("CAN", 0.7),
                        ("ROW", 9.44),
                    ],
                ),
            ],
        ),
        material(
            "gallium",
            "Gallium",
            vec![series(
                Refining,
                USGS,
                &[("CHN", 98.68), ("RUS", 0.79), ("JPN", 0.39), ("KOR", 0.39)],
            )],
        ),
        material("germanium", "Germanium", vec![]),
        material(
            "graphite",
            "Graphite",
            vec![series(
                Refining,
                IEA,
                &[("CHN", 95.71), ("JPN", 2.4), ("USA", 0.06), ("ROW", 1.83)],
            )],
        ),
        material(
            "lithium",
            "Lithium",
            vec![
                series(
                    Mining,
                    USGS,
                    &[
                        ("AUS", 36.67),
                        ("CHL", 20.42),
                        ("CHN", 17.08),
                        ("ZWE", 9.17),
                        ("ARG", 7.5),
                        ("BRA", 4.17),
                        ("CAN", 1.79),
                        ("NAM", 1.12),
                        ("PRT", 0.16),
                    ],
                ),
                series(
                    Refining,
                    IEA,
                    &[
                        ("CHN", 70.23),
                        ("CHL", 20.39),
                        ("ARG", 5.45),
                        ("AUS", 1.79),
                        ("ROW", 2.13),
                    ],
                ),
            ],
        ),
        material(
            "rare_earths_magnet",
            "Magnet rare earth elements (Nd, Pr, Dy, Tb)",
            vec![
                series(
                    Mining,
                    IEA,
                    &[
                        ("CHN", 60.97),
                        ("MMR", 16.07),
                        ("USA", 9.13),
                        ("AUS", 4.31),
                        ("ROW", 9.51),
                    ],
                ),
                series(
                    Refining,
                    IEA,
                    &[("CHN", 91.28), ("MYS", 4.49), ("USA", 1.19), ("ROW", 3.05)],
                ),
            ],
        ),
    ];
    let wgi: &[(&str, Option<f64>)] = &[
        ("ARG", Some(-0.2042)),
        ("AUS", Some(1.5434)),
        ("BRA", Some(-0.2802)),
        ("CAN", Some(1.4347)),
        ("CHL", Some(0.7318)),
        ("CHN", Some(-0.2901)),
        ("COD", Some(-1.4805)),
        ("CUB", Some(-0.5583)),
        ("DEU", Some(1.3177)),
        ("FIN", Some(1.6732)),
        ("IDN", Some(-0.004)),
        ("IRN", Some(-1.3)),
        ("JPN", Some(1.3481)),
        ("KOR", Some(0.8941)),
        ("MDG", Some(-0.6)),
        ("MMR", Some(-1.6653)),
        ("MYS", Some(0.4433)),
        ("NAM", Some(0.4)),
        ("NCL", None),
        ("PHL", Some(-0.2034)),
        ("PNG", Some(-0.6)),
        ("PRK", Some(-1.9)),
        ("PRT", Some(1.1)),
        ("RUS", Some(-1.0911)),
        ("SWE", Some(1.6)),
        ("TUR", Some(-0.4)),
        ("USA", Some(0.9948)),
        ("ZWE", Some(-1.179)),
    ];
    let countries = wgi
        .iter()
        .map(|(code, wgi_mean)| Country {
            code: c(code),
            iso2: code[..2].to_string(),
            name: code.to_string(),
            wgi_mean: *wgi_mean,
        })
        .collect();
    let group = |id: &str, members: &[&str]| CountryGroup {
        id: id.to_string(),
        name: id.to_string(),
        members: members.iter().map(|m| c(m)).collect(),
        as_of: Some("2024-05-03".to_string()),
        source: "test fixture".to_string(),
        user_defined: false,
    };
    ReferenceData {
        materials,
        countries,
        groups: vec![
            group("feoc_covered_nations", &["CHN", "RUS", "PRK", "IRN"]),
            group("us_fta", &["AUS", "CAN", "CHL", "KOR", "JPN"]),
            group(
                "eu27",
                &[
                    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU",
                    "GRC", "HUN", "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT",
                    "ROU", "SVK", "SVN", "ESP", "SWE",
                ],
            ),
            group("us_30d_qualifying", &["JPN"]),
        ],
        datasets: vec![Dataset {
            id: IEA.to_string(),
            short: "IEA".to_string(),
            publisher: "IEA".to_string(),
            title: "Critical Minerals Data Explorer".to_string(),
            published: 2025,
            licence: "CC BY 4.0".to_string(),
            citation: "IEA (2025)".to_string(),
            caveats: vec![],
        }],
    }
}

/// The path of an example portfolio under `examples/portfolios/`.
pub fn example_path(name: &str) -> String {
    format!("{}/examples/portfolios/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The demo portfolio, validated against the fixture.
pub fn demo_portfolio(reference: &ReferenceData) -> Portfolio {
    let text = std::fs::read_to_string(example_path("ev_motor_maker.json")).expect("demo file");
    match Portfolio::from_json(&text, reference) {
        Ok(portfolio) => portfolio,
        Err(error) => panic!("the demo portfolio is invalid:\n{error}"),
    }
}
