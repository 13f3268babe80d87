//! Import: spreadsheet portfolios (CSV, XLSX, pasted rows) and RMI supplier declarations (CMRT
//! 6.x, EMRT 1.x and 2.x), against the real redacted files and the blank RMI templates (never
//! copied into the project; `fixtures` says where they are read from and how a test without them
//! reports itself skipped), with fixtures built from the templates at test time.

mod fixtures;
mod workbook;

use chokepoint::import::archive::{
    self, ArchiveLimit, MAX_ENTRIES, MAX_ENTRY_BYTES, MAX_RATIO, MAX_TOTAL_BYTES,
};
use chokepoint::import::rmi::{
    Declaration, Family, Status, apply_sourcing, material_sourcing, normalise_cid, read_declaration,
};
use chokepoint::import::table::{
    Column, Mode, apply_lines, convert, guess_header_row, guess_mapping, read_csv, read_paste,
    read_xlsx, template_csv,
};
use chokepoint::import::{MAX_FILE_BYTES, MAX_ROWS, SpreadsheetError};
use chokepoint::model::{CountryCode, Stage};
use chokepoint::portfolio::limits::{Limit, MAX_LINES};
use chokepoint::portfolio::{RawLine, RawPortfolio, RawStageSourcing};
use chokepoint::reference::embedded;
use fixtures::{fill, rmi, rmi_available, rmi_csv, row};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

const REAL_FILES: [&str; 3] = [
    "CMRT6.4_Honeywell_HEM_REDACTED.xlsx",
    "CMRT6.4_JX_Advanced_Metals_REDACTED.xlsx",
    "CMRT6.4_SK_specialty_WF6_REDACTED.xlsx",
];

fn real(name: &str) -> Declaration {
    read_declaration(name, &rmi(&format!("real/{name}"))).expect("real CMRT reads")
}

/// (family, metal, CID) -> ISO-2 from RMI's reference union over all template versions.
fn union_iso2() -> BTreeMap<(String, String, String), String> {
    rmi_csv("reference/rmi_smelter_reference_union.csv")
        .into_iter()
        .map(|r| {
            (
                (
                    r["template_family"].clone(),
                    r["metal"].to_lowercase(),
                    r["smelter_id"].clone(),
                ),
                r["iso2"].clone(),
            )
        })
        .collect()
}

/// RMI country name -> ISO-2 (the templates' hidden `C` sheet).
fn rmi_countries() -> BTreeMap<String, String> {
    rmi_csv("reference/rmi_country_codes.csv")
        .into_iter()
        .map(|r| (r["rmi_country_name"].clone(), r["iso2"].clone()))
        .collect()
}

fn iso3(iso2: &str) -> CountryCode {
    embedded()
        .countries
        .iter()
        .find(|c| c.iso2 == iso2)
        .unwrap_or_else(|| panic!("{iso2} in the reference countries"))
        .code
}

#[test]
fn real_cmrt_files_recover_every_expected_smelter_row() {
    if !rmi_available() {
        return;
    }
    let expected = rmi_csv("real/expected_smelter_rows.csv");
    let union = union_iso2();
    let declarations: BTreeMap<&str, Declaration> =
        REAL_FILES.iter().map(|name| (*name, real(name))).collect();
    assert!(!expected.is_empty());
    for row in &expected {
        let declaration = &declarations[row["source_file"].as_str()];
        let cid = normalise_cid(&row["F_smelter_identification"])
            .or_else(|| normalise_cid(&row["A_cid_input"]))
            .unwrap_or_else(|| panic!("expected row has a CID: {row:?}"));
        let metal = row["B_metal"].to_lowercase();
        let found = declaration
            .smelters
            .iter()
            .find(|s| s.metal.to_lowercase() == metal && s.cid.as_deref() == Some(cid.as_str()))
            .unwrap_or_else(|| {
                panic!(
                    "{} row {}: {metal} {cid} not recovered",
                    row["source_file"], row["excel_row"]
                )
            });
        assert_eq!(found.status, Status::Identified);
        let hidden = row["S_hidden_country_code"].as_str();
        let want = if hidden.len() == 2 {
            hidden.to_string()
        } else {
            // The one row whose country was deleted: the kept duplicate carries RMI's country.
            union[&("CMRT".to_string(), metal.clone(), cid.clone())].clone()
        };
        assert_eq!(
            found.country_iso2.as_deref(),
            Some(want.as_str()),
            "{} row {}",
            row["source_file"],
            row["excel_row"]
        );
    }
    for (name, declaration) in &declarations {
        assert_eq!(declaration.family, Family::Cmrt, "{name}");
        assert_eq!(declaration.version, "6.4", "{name}");
        let unique: BTreeSet<(String, String)> = expected
            .iter()
            .filter(|r| r["source_file"] == *name)
            .map(|r| {
                let cid = normalise_cid(&r["F_smelter_identification"])
                    .or_else(|| normalise_cid(&r["A_cid_input"]))
                    .unwrap_or_default();
                (r["B_metal"].to_lowercase(), cid)
            })
            .collect();
        assert_eq!(
            declaration.smelters.len(),
            unique.len(),
            "{name}: duplicates removed"
        );
        let rows = expected
            .iter()
            .filter(|r| r["source_file"] == *name)
            .count();
        let duplicates: usize = declaration.metals.iter().map(|m| m.duplicates).sum();
        assert_eq!(
            rows - unique.len(),
            duplicates,
            "{name}: duplicates counted"
        );
    }
}

#[test]
fn real_cmrt_countries_agree_with_rmi_reference_list() {
    if !rmi_available() {
        return;
    }
    let union = union_iso2();
    let mut checked = 0;
    for name in REAL_FILES {
        for smelter in &real(name).smelters {
            let cid = smelter.cid.clone().expect("identified");
            let key = ("CMRT".to_string(), smelter.metal.to_lowercase(), cid);
            if let Some(iso2) = union.get(&key) {
                assert_eq!(smelter.country_iso2.as_ref(), Some(iso2), "{name}: {key:?}");
                checked += 1;
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} smelters matched the reference list"
    );
}

#[test]
fn real_cmrt_company_name_is_read_and_trimmed() {
    if !rmi_available() {
        return;
    }
    let honeywell = real(REAL_FILES[0]);
    let company = honeywell.company.expect("company name");
    assert!(!company.ends_with('\t') && !company.is_empty());
}

/// Lookup rows of one metal from the EMRT 2.1 reference list: (CID, RMI country name).
fn emrt_lookup(metal: &str) -> Vec<(String, String)> {
    let mut seen = BTreeSet::new();
    rmi_csv("reference/smelter_lookup_EMRT_2.1.csv")
        .into_iter()
        .filter(|r| r["metal"] == metal && r["smelter_id"].starts_with("CID"))
        .filter(|r| seen.insert(r["smelter_id"].clone()))
        .map(|r| (r["smelter_id"].clone(), r["country"].clone()))
        .collect()
}

/// Two cobalt CIDs in different countries.
fn two_cobalt_smelters() -> [(String, String); 2] {
    let cobalt = emrt_lookup("Cobalt");
    let first = cobalt[0].clone();
    let second = cobalt
        .iter()
        .find(|(_, country)| *country != first.1)
        .expect("a second country")
        .clone();
    [first, second]
}

const SL: &str = "Smelter List";

/// A (CID, RMI country name) pair from a reference list.
type Lookup = (String, String);

fn emrt_fixture(template: &str, with_mines: bool) -> (Vec<u8>, [Lookup; 2], Lookup) {
    let [a, b] = two_cobalt_smelters();
    let lithium = emrt_lookup("Lithium")
        .first()
        .cloned()
        .unwrap_or_else(|| a.clone());
    let lithium_metal = if template.contains("_1.") {
        "Mica"
    } else {
        "Lithium"
    };
    let mut edits = vec![
        (
            "Declaration",
            "D8".to_string(),
            "Example Cobalt Buyer Ltd\t".to_string(),
        ),
        ("Declaration", "D15".to_string(), "Jane Contact".to_string()),
        (
            "Declaration",
            "D16".to_string(),
            "jane@example.com".to_string(),
        ),
        ("Declaration", "D19".to_string(), "Jane Contact".to_string()),
        (
            "Declaration",
            "D20".to_string(),
            "jane@example.com".to_string(),
        ),
    ];
    edits.extend(row(
        SL,
        5,
        &[
            ("B", "Cobalt"),
            ("C", "alias"),
            ("E", &a.1),
            ("F", &a.0),
            ("G", "RMI"),
            ("K", "Jane Contact"),
            ("L", "jane@example.com"),
        ],
    ));
    edits.extend(row(
        SL,
        6,
        &[
            ("B", "Cobalt"),
            ("C", "alias"),
            ("E", &b.1),
            ("F", &b.0),
            ("G", "RMI"),
        ],
    ));
    // A duplicate of row 5, written with a hyphen.
    let hyphenated = a.0.replacen("CID", "CID-", 1);
    edits.extend(row(
        SL,
        7,
        &[
            ("B", "Cobalt"),
            ("C", "alias"),
            ("E", &a.1),
            ("F", &hyphenated),
        ],
    ));
    edits.extend(row(
        SL,
        8,
        &[
            ("B", "Cobalt"),
            ("C", "Smelter not listed"),
            ("D", "Small Refinery"),
            ("E", "INDIA"),
            ("G", "Enter smelter details"),
        ],
    ));
    edits.extend(row(
        SL,
        9,
        &[
            ("B", "Cobalt"),
            ("C", "Smelter not yet identified"),
            ("E", "Unknown"),
        ],
    ));
    // A gap in the rows, then the second metal.
    edits.extend(row(
        SL,
        12,
        &[
            ("B", lithium_metal),
            ("C", "alias"),
            ("E", &lithium.1),
            ("F", &lithium.0),
        ],
    ));
    if with_mines {
        edits.extend(row(
            "Mine List",
            5,
            &[
                ("A", "Cobalt"),
                ("C", "Mine One"),
                ("F", "CONGO, DEMOCRATIC REPUBLIC OF THE"),
                ("J", "Jane Contact"),
            ],
        ));
        edits.extend(row(
            "Mine List",
            6,
            &[("A", "Cobalt"), ("C", "Mine Two"), ("F", "AUSTRALIA")],
        ));
        edits.extend(row(
            "Mine List",
            7,
            &[
                ("A", "Cobalt"),
                ("C", "Mine One"),
                ("F", "CONGO, DEMOCRATIC REPUBLIC OF THE"),
            ],
        ));
    }
    (fill(template, &edits), [a, b], lithium)
}

fn check_emrt(template: &str, version: &str, with_mines: bool) -> Declaration {
    let (bytes, [a, b], lithium) = emrt_fixture(template, with_mines);
    let declaration = read_declaration(template, &bytes).expect("fixture reads");
    let countries = rmi_countries();
    assert_eq!(declaration.family, Family::Emrt);
    assert_eq!(declaration.version, version);
    assert_eq!(
        declaration.company.as_deref(),
        Some("Example Cobalt Buyer Ltd")
    );
    let cobalt = declaration
        .metals
        .iter()
        .find(|m| m.metal == "Cobalt")
        .expect("cobalt");
    assert_eq!(
        (
            cobalt.identified,
            cobalt.not_listed,
            cobalt.not_yet_identified,
            cobalt.duplicates
        ),
        (2, 1, 1, 1 + usize::from(with_mines))
    );
    for (cid, country) in [&a, &b, &lithium] {
        let smelter = declaration
            .smelters
            .iter()
            .find(|s| s.cid.as_deref() == Some(cid.as_str()))
            .unwrap_or_else(|| panic!("{cid}"));
        assert_eq!(
            smelter.country_iso2.as_ref(),
            countries.get(country),
            "{cid}"
        );
    }
    // Personal data is never part of the output.
    let json = serde_json::to_string(&declaration).expect("serialise");
    assert!(!json.contains("Jane") && !json.contains('@'), "{json}");
    declaration
}

#[test]
fn emrt_2_1_fixture_with_chinese_labels_and_mine_list() {
    if !rmi_available() {
        return;
    }
    let declaration = check_emrt("RMI_EMRT_2.1.xlsx", "2.1", true);
    assert_eq!(declaration.mines.len(), 2);
    let reference = embedded();
    let (sourcing, notes) = material_sourcing(&[declaration], reference);
    assert!(notes.is_empty(), "{notes:?}");
    let cobalt = sourcing
        .iter()
        .find(|m| m.material == "cobalt")
        .expect("cobalt");
    assert_eq!(cobalt.refining.iter().map(|(_, n)| n).sum::<usize>(), 2);
    assert_eq!(cobalt.unidentified, 2);
    let mining: BTreeMap<CountryCode, usize> = cobalt.mining.iter().cloned().collect();
    assert_eq!(mining, BTreeMap::from([(iso3("CD"), 1), (iso3("AU"), 1)]));
    assert!(sourcing.iter().any(|m| m.material == "lithium"));
}

#[test]
fn emrt_2_0_fixture() {
    if !rmi_available() {
        return;
    }
    check_emrt("RMI_EMRT_2.0.xlsx", "2.0", true);
}

#[test]
fn emrt_1_3_fixture_mica_is_reported_not_imported() {
    if !rmi_available() {
        return;
    }
    let declaration = check_emrt("RMI_EMRT_1.3.xlsx", "1.3", false);
    assert!(declaration.metals.iter().any(|m| m.metal == "Mica"));
    let (sourcing, notes) = material_sourcing(&[declaration], embedded());
    assert!(sourcing.iter().all(|m| m.metal != "Mica"));
    assert!(notes.iter().any(|n| n.contains("Mica")), "{notes:?}");
}

#[test]
fn cid_only_row_with_stale_cache_takes_metal_and_country_from_the_look_up_sheet() {
    if !rmi_available() {
        return;
    }
    let [a, _] = two_cobalt_smelters();
    let bytes = fill("RMI_EMRT_2.0.xlsx", &row(SL, 5, &[("A", &a.0)]));
    let declaration = read_declaration("x.xlsx", &bytes).expect("reads");
    let smelter = declaration.smelters.first().expect("one smelter");
    assert_eq!(smelter.metal, "Cobalt");
    assert_eq!(smelter.country_iso2.as_ref(), rmi_countries().get(&a.1));
}

#[test]
fn cmrt_6_5_fixture_free_text_country_and_unidentified_rows() {
    if !rmi_available() {
        return;
    }
    let lookup = rmi_csv("reference/smelter_lookup_CMRT_6.5.csv");
    let tin = lookup
        .iter()
        .find(|r| r["metal"] == "Tin" && r["country"] == "CHINA")
        .expect("a Chinese tin smelter");
    let mut edits = row(
        SL,
        5,
        &[
            ("B", "Tin"),
            ("C", &tin["smelter_lookup_alias"]),
            ("E", "China"),
            ("F", &tin["smelter_id"]),
        ],
    );
    edits.extend(row(
        SL,
        6,
        &[
            ("B", "Tin"),
            ("C", "Smelter Not Listed"),
            ("D", "Unlisted Tin Works"),
            ("E", "BOLIVIA (PLURINATIONAL STATE OF)"),
        ],
    ));
    edits.extend(row(
        SL,
        7,
        &[("B", "Gold"), ("C", "Smelter not yet identified")],
    ));
    edits.extend(row(
        SL,
        8,
        &[("B", "Gold"), ("C", "Some refiner"), ("H", "0"), ("M", "0")],
    ));
    let declaration =
        read_declaration("cmrt.xlsx", &fill("RMI_CMRT_6.5.xlsx", &edits)).expect("reads");
    assert_eq!(
        (declaration.family, declaration.version.as_str()),
        (Family::Cmrt, "6.5")
    );
    let status: Vec<Status> = declaration.smelters.iter().map(|s| s.status).collect();
    assert_eq!(
        status,
        [
            Status::Identified,
            Status::NotListed,
            Status::NotYetIdentified,
            Status::Unmatched
        ]
    );
    // "China" is typed, not picked: the hidden code's cache is stale, so the name is matched
    // case-insensitively against the workbook's own country sheet.
    let (sourcing, _) = material_sourcing(&[declaration], embedded());
    let tin_mix = sourcing.iter().find(|m| m.material == "tin").expect("tin");
    assert_eq!(tin_mix.refining, [(iso3("CN"), 1)]);
    assert_eq!(tin_mix.unidentified, 1);
    let gold = sourcing
        .iter()
        .find(|m| m.material == "gold")
        .expect("gold");
    assert_eq!((gold.refining.len(), gold.unidentified), (0, 2));
}

#[test]
fn declarations_from_several_suppliers_merge_into_the_portfolio_by_facility_count() {
    if !rmi_available() {
        return;
    }
    let reference = embedded();
    let declarations: Vec<Declaration> = REAL_FILES.iter().map(|n| real(n)).collect();
    let (sourcing, _) = material_sourcing(&declarations, reference);
    let tungsten = sourcing
        .iter()
        .find(|m| m.material == "tungsten")
        .expect("tungsten");
    assert_eq!(tungsten.suppliers, 3);
    // A facility named by several suppliers counts once.
    let distinct: BTreeSet<String> = declarations
        .iter()
        .flat_map(|d| d.smelters.iter())
        .filter(|s| s.metal == "Tungsten")
        .filter_map(|s| s.cid.clone())
        .collect();
    let counted: usize =
        tungsten.refining.iter().map(|(_, n)| n).sum::<usize>() + tungsten.unknown_country;
    assert_eq!(counted, distinct.len());

    let mut portfolio = RawPortfolio::from_json(
        r#"{"schema_version":1,"lines":[{"material":"tungsten","label":"Carbide tools","spend":1000,"revenue_share_pct":5}]}"#,
    )
    .expect("portfolio");
    portfolio = apply_sourcing(&portfolio, &sourcing).expect("within the limits");
    let line = &portfolio.lines[0];
    let Some((_, RawStageSourcing::Mix(mix))) =
        line.sourcing.0.iter().find(|(s, _)| s == "refining")
    else {
        panic!("refining mix set");
    };
    let total: f64 = mix.0.iter().filter_map(|(_, v)| v.value()).sum();
    assert!((total - 100.0).abs() < 1e-9);
    // Tantalum had no line: a new one is added, which asks for a spend.
    assert!(
        portfolio
            .lines
            .iter()
            .any(|l| l.material.as_deref() == Some("tantalum"))
    );
    let errors = portfolio
        .validate(reference)
        .expect_err("new line has no spend");
    assert!(
        errors.iter().all(|e| e
            .location
            .to_string()
            .contains("Tantalum (supplier declarations)")),
        "{errors:?}"
    );
}

#[test]
fn not_a_template_and_unsupported_versions_are_refused_with_a_reason() {
    let csv_bytes = template_csv().into_bytes();
    assert!(matches!(
        read_declaration("a.csv", &csv_bytes),
        Err(SpreadsheetError::NotWorkbook { .. })
    ));
    let generic = minimal_xlsx(&[&["material", "spend"]]);
    let error = read_declaration("b.xlsx", &generic).expect_err("no Smelter List");
    assert!(error.to_string().contains("Smelter List"), "{error}");
}

#[test]
fn unsupported_template_versions_are_refused_with_a_reason() {
    if !rmi_available() {
        return;
    }
    let old = fill(
        "RMI_CMRT_6.5.xlsx",
        &[("Declaration", "J3".into(), "Revision 5.12".into())],
    );
    let error = read_declaration("c.xlsx", &old).expect_err("CMRT 5");
    assert!(error.to_string().contains("5.12"), "{error}");
}

// ---------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------

/// A one-sheet xlsx with inline strings, built by hand (numbers as numeric cells).
fn minimal_xlsx(rows: &[&[&str]]) -> Vec<u8> {
    use std::io::Write;
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, cells) in rows.iter().enumerate() {
        sheet += &format!("<row r=\"{}\">", r + 1);
        for (c, text) in cells.iter().enumerate() {
            let reference = format!("{}{}", chokepoint::import::column_name(c), r + 1);
            if text.parse::<f64>().is_ok() {
                sheet += &format!("<c r=\"{reference}\"><v>{text}</v></c>");
            } else {
                sheet +=
                    &format!("<c r=\"{reference}\" t=\"inlineStr\"><is><t>{text}</t></is></c>");
            }
        }
        sheet += "</row>";
    }
    sheet += "</sheetData></worksheet>";
    let files = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Portfolio" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        writer
            .start_file(name, zip::write::SimpleFileOptions::default())
            .expect("start");
        writer.write_all(text.as_bytes()).expect("write");
    }
    writer.finish().expect("zip").into_inner()
}

#[test]
fn csv_with_title_rows_maps_columns_and_names_row_and_column_of_each_problem() {
    let text = "Our purchases 2025;;;\n\
                Commodity;Part name;Annual spend (EUR);Refining countries;Notes\n\
                Gallium;GaN wafers;250 000;CHN 80; ROW 20;ok\n\
                unobtainium;Widget;12;;\n\
                cobalt;Cells;lots;Atlantis 50;\n";
    // The semicolon-separated mix would split: the mix column is quoted in real exports.
    let text = text.replace("CHN 80; ROW 20", "\"CHN 80, ROW 20\"");
    let table = read_csv(text.as_bytes()).expect("csv");
    let header = guess_header_row(&table);
    assert_eq!(header, Some(1));
    let mapping = guess_mapping(&table, header);
    assert_eq!(
        mapping,
        [
            Column::Material,
            Column::Label,
            Column::Spend,
            Column::Sourcing(Stage::Refining),
            Column::Ignore
        ]
    );
    let result = convert(&table, header, &mapping, embedded());
    assert_eq!(result.lines.len(), 3);
    assert_eq!(result.source_rows, [3, 4, 5]);
    let messages: Vec<String> = result.messages.iter().map(|m| m.to_string()).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(
        messages[0].starts_with("row 4, column A (Material)"),
        "{messages:?}"
    );
    assert!(
        messages[1].starts_with("row 5, column C (Spend)"),
        "{messages:?}"
    );
    assert!(
        messages[2].starts_with("row 5, column D (Refining countries)"),
        "{messages:?}"
    );
    // Nothing typed is lost: invalid text stays in the raw lines.
    let json = serde_json::to_string(&result.lines).expect("json");
    for typed in ["unobtainium", "lots", "Atlantis 50"] {
        assert!(json.contains(typed), "{typed} kept");
    }
    assert_eq!(result.lines[0].material.as_deref(), Some("gallium"));
    assert_eq!(
        result.lines[0].spend.as_ref().and_then(|s| s.value()),
        Some(250_000.0)
    );
}

#[test]
fn the_user_can_override_a_guessed_column() {
    let table = read_csv(b"material,supplier,spend\ncobalt,ACME,10\n").expect("csv");
    let header = guess_header_row(&table);
    let mut mapping = guess_mapping(&table, header);
    assert_eq!(mapping[1], Column::Label);
    mapping[1] = Column::Ignore;
    let result = convert(&table, header, &mapping, embedded());
    assert_eq!(result.lines[0].label, None);
    mapping[2] = Column::RevenueSharePct;
    let result = convert(&table, header, &mapping, embedded());
    assert_eq!(
        result.lines[0]
            .revenue_share_pct
            .as_ref()
            .and_then(|v| v.value()),
        Some(10.0)
    );
}

#[test]
fn xlsx_portfolio_reads_first_sheet() {
    let bytes = minimal_xlsx(&[
        &["Material", "Label", "Spend", "Revenue share", "Mining"],
        &["lithium", "Cells", "1000", "20", "AUS 50; CHL 50"],
        &["Nickel", "Steel", "20.5", "120", "Indonesia"],
    ]);
    let table = read_xlsx(&bytes).expect("xlsx");
    let header = guess_header_row(&table);
    let mapping = guess_mapping(&table, header);
    let result = convert(&table, header, &mapping, embedded());
    assert_eq!(result.lines.len(), 2);
    assert_eq!(result.lines[1].material.as_deref(), Some("nickel"));
    let messages: Vec<String> = result.messages.iter().map(|m| m.to_string()).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].starts_with("row 3, column D (Revenue share %)"),
        "{messages:?}"
    );
    let Some((_, RawStageSourcing::Mix(mix))) = result.lines[1].sourcing.0.first() else {
        panic!("mining mix");
    };
    assert_eq!(mix.0[0].0, "IDN");
}

#[test]
fn materials_by_id_alias_name_or_symbol_and_ambiguity_named() {
    let text = "material,spend\nGa,1\nREE,2\nRare earth elements,3\naluminum,4\nNd,5\nSi,6\n\
                unobtainium,7\n";
    let table = read_csv(text.as_bytes()).expect("csv");
    let header = guess_header_row(&table);
    let mapping = guess_mapping(&table, header);
    let result = convert(&table, header, &mapping, embedded());
    let materials: Vec<&str> = result
        .lines
        .iter()
        .map(|l| l.material.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(
        materials,
        [
            "gallium",
            "rare_earths",
            "rare_earths",
            "aluminium",
            "neodymium",
            "Si",
            "unobtainium"
        ]
    );
    let messages: Vec<String> = result.messages.iter().map(|m| m.to_string()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0].contains("“Si” could be any of silica_sand, silicon"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("“unobtainium” is not in the material catalogue"),
        "{messages:?}"
    );
}

#[test]
fn pasted_rows_without_header_follow_the_template_order() {
    let table = read_paste("copper\tWiring\t5000\t10\n\ntin\tSolder\t300\t2\n").expect("paste");
    let header = guess_header_row(&table);
    assert_eq!(header, None);
    let mapping = guess_mapping(&table, header);
    let result = convert(&table, header, &mapping, embedded());
    assert!(result.messages.is_empty(), "{:?}", result.messages);
    assert_eq!(result.source_rows, [1, 3]);
    let portfolio = apply_lines(&RawPortfolio::default(), &result.lines, Mode::Append)
        .expect("within the limits");
    assert_eq!(portfolio.lines.len(), 2);
    let replaced =
        apply_lines(&portfolio, &result.lines[..1], Mode::Replace).expect("within the limits");
    assert_eq!(replaced.lines.len(), 1);
}

#[test]
fn template_csv_imports_cleanly_and_validates() {
    let template = template_csv();
    let table = read_csv(template.as_bytes()).expect("template");
    let header = guess_header_row(&table);
    let mapping = guess_mapping(&table, header);
    assert!(!mapping.contains(&Column::Ignore), "{mapping:?}");
    let result = convert(&table, header, &mapping, embedded());
    assert!(result.messages.is_empty(), "{:?}", result.messages);
    let portfolio = apply_lines(
        &RawPortfolio::from_json(r#"{"schema_version":1,"lines":[]}"#).expect("empty"),
        &result.lines,
        Mode::Replace,
    )
    .expect("within the limits");
    portfolio
        .validate(embedded())
        .expect("template line is valid");
}

// ---------------------------------------------------------------------------------------------
// Limits and robustness
// ---------------------------------------------------------------------------------------------

#[test]
fn files_over_the_size_limit_are_refused() {
    let big = vec![b'a'; MAX_FILE_BYTES + 1];
    for error in [
        read_csv(&big).expect_err("csv"),
        read_xlsx(&big).expect_err("xlsx"),
        read_declaration("big.xlsx", &big).expect_err("rmi"),
    ] {
        assert!(matches!(error, SpreadsheetError::TooLarge { .. }));
        assert!(error.to_string().contains("20 MB"), "{error}");
    }
}

#[test]
fn tables_over_the_row_limit_are_refused() {
    let text = "cobalt,1\n".repeat(MAX_ROWS + 1);
    let error = read_csv(text.as_bytes()).expect_err("too many rows");
    assert_eq!(error, SpreadsheetError::TooManyRows { sheet: None });
    assert!(error.to_string().contains("50000"), "{error}");
    assert!(read_csv("cobalt,1\n".repeat(MAX_ROWS).as_bytes()).is_ok());
}

#[test]
fn malformed_files_say_what_is_wrong() {
    assert_eq!(read_csv(b"\n\n  \n"), Err(SpreadsheetError::Empty));
    let error = read_xlsx(b"PK\x03\x04 not really a zip").expect_err("bad zip");
    assert!(
        error.to_string().starts_with("not an Excel workbook"),
        "{error}"
    );
    let mut truncated = minimal_xlsx(&[&["material", "spend"], &["cobalt", "100"]]);
    truncated.truncate(truncated.len() / 2);
    assert!(read_xlsx(&truncated).is_err());
    assert!(read_declaration("half.xlsx", &truncated).is_err());
}

#[test]
fn a_truncated_real_declaration_is_refused() {
    if !rmi_available() {
        return;
    }
    let mut truncated = rmi("real/CMRT6.4_SK_specialty_WF6_REDACTED.xlsx");
    truncated.truncate(truncated.len() / 2);
    assert!(read_declaration("half.xlsx", &truncated).is_err());
}

// ----------------------------------------------------------------------------- decompression bombs

/// The fixture the bomb tests use is a valid workbook: at a small size, with true headers, it
/// reads, and its cell holds the shared string.
#[test]
fn the_shared_strings_workbook_fixture_is_a_valid_workbook() {
    let small = fixtures::shared_strings_workbook(0, 10, None);
    let table = read_xlsx(&small).expect("a valid workbook");
    assert_eq!(table.cell(1, 0), "aaaaaaaaaa");
    // The repeated segment inflates to what it claims (here 3 MiB and 5 bytes of `a`).
    let big = fixtures::shared_strings_workbook(3, 5, None);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(big)).expect("zip");
    let mut part = archive.by_name("xl/sharedStrings.xml").expect("part");
    let mut text = Vec::new();
    // The CRC of a part this size is left 0 by the fixture: the read ends with a checksum error
    // once every byte has come out.
    let _ = std::io::Read::read_to_end(&mut part, &mut text);
    let start = fixtures::SST_START.len();
    assert_eq!(
        text.len(),
        start + 3 * (1 << 20) + 5 + fixtures::SST_END.len()
    );
    assert!(
        text[start..text.len() - fixtures::SST_END.len()]
            .iter()
            .all(|&b| b == b'a')
    );
}

/// Issue #16: a 2 MB workbook whose shared strings unpack to 2 GiB panicked the import worker
/// ("capacity overflow"). Its headers say so, and it is refused from them, before anything is
/// unpacked, on every path a workbook takes.
#[test]
fn regression_16_xlsx_bomb_is_refused_from_its_declared_size() {
    let bomb = fixtures::shared_strings_workbook(2048, 0, None);
    assert!(bomb.len() < 3 << 20, "{} bytes", bomb.len());
    assert!(bomb.len() <= MAX_FILE_BYTES);
    let started = std::time::Instant::now();
    let errors = [
        read_xlsx(&bomb).expect_err("table import"),
        read_declaration("bomb.xlsx", &bomb).expect_err("CMRT/EMRT import"),
        match chokepoint::import::read_file("bomb.xlsx", &bomb) {
            Err(error) => error,
            Ok(_) => panic!("read_file read the bomb"),
        },
    ];
    for error in errors {
        let SpreadsheetError::Unpacked {
            entry,
            limit,
            found,
            max,
        } = &error
        else {
            panic!("expected a refusal for the unpacked size, got {error:?}");
        };
        assert_eq!(entry.as_deref(), Some("xl/sharedStrings.xml"));
        assert_eq!(*limit, ArchiveLimit::EntryBytes);
        assert_eq!(
            *found,
            2048 * (1 << 20) + fixtures::SST_START.len() as u64 + fixtures::SST_END.len() as u64
        );
        assert_eq!(*max, MAX_ENTRY_BYTES);
        let message = error.to_string();
        assert!(message.contains("xl/sharedStrings.xml"), "{message}");
        assert!(message.contains("100.0 MB"), "{message}");
        assert!(message.contains("decompression bomb"), "{message}");
    }
    // Nothing was unpacked: three refusals take a moment, not the seconds 2 GiB would.
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    // The import worker's job reports it as a failed file.
    match chokepoint::app::import_job::read_bytes("bomb.xlsx", &bomb) {
        chokepoint::app::import_job::FileOutcome::Failed { message } => {
            assert!(message.contains("decompression bomb"), "{message}")
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// The same bomb with headers that understate the shared strings (4 KiB declared): it passes
/// every check of the declared sizes, and unpacking stops one byte past the declared size.
#[test]
fn regression_16_xlsx_bomb_with_lying_headers_is_stopped_while_unpacking() {
    let bomb = fixtures::shared_strings_workbook(2048, 0, Some(4096));
    let started = std::time::Instant::now();
    let errors = [
        read_xlsx(&bomb).expect_err("table import"),
        read_declaration("bomb.xlsx", &bomb).expect_err("CMRT/EMRT import"),
        match chokepoint::import::read_file("bomb.xlsx", &bomb) {
            Err(error) => error,
            Ok(_) => panic!("read_file read the bomb"),
        },
    ];
    for error in errors {
        assert_eq!(
            error,
            SpreadsheetError::Unpacked {
                entry: Some("xl/sharedStrings.xml".into()),
                limit: ArchiveLimit::Undeclared,
                found: 4097,
                max: 4096,
            }
        );
        let message = error.to_string();
        assert!(
            message.contains("4096 bytes its header declares"),
            "{message}"
        );
        assert!(message.contains("decompression bomb"), "{message}");
    }
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    match chokepoint::app::import_job::read_bytes("bomb.xlsx", &bomb) {
        chokepoint::app::import_job::FileOutcome::Failed { message } => {
            assert!(message.contains("decompression bomb"), "{message}")
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn workbooks_over_the_ratio_total_or_entry_count_limits_are_refused() {
    // 8 MiB of one letter packs about 1,000 to 1: under the entry and total limits, over the
    // ratio.
    let packed = fixtures::shared_strings_workbook(8, 0, None);
    let error = read_xlsx(&packed).expect_err("ratio");
    assert!(
        matches!(
            &error,
            SpreadsheetError::Unpacked { limit: ArchiveLimit::Ratio, found, max: MAX_RATIO, .. }
                if *found > MAX_RATIO
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("times its packed size"),
        "{error}"
    );
    // Three entries declared at 80 MiB each, packed to 512 KiB (160 to 1): each under the entry
    // and ratio limits, together over the total. Refused from the headers: the data (zeros, not
    // DEFLATE) is never unpacked.
    let entry = |n: usize| fixtures::RawEntry {
        name: format!("xl/part{n}.xml"),
        method: 8,
        data: vec![0; 512 << 10],
        crc: 0,
        declared: 80 << 20,
    };
    let error = read_xlsx(&fixtures::raw_zip(&[entry(1), entry(2), entry(3)])).expect_err("total");
    assert_eq!(
        error,
        SpreadsheetError::Unpacked {
            entry: None,
            limit: ArchiveLimit::TotalBytes,
            found: 240 << 20,
            max: MAX_TOTAL_BYTES,
        }
    );
    let many: Vec<fixtures::RawEntry> = (0..=MAX_ENTRIES)
        .map(|n| fixtures::RawEntry::stored(&format!("x/{n}.xml"), b"<x/>"))
        .collect();
    let error = read_xlsx(&fixtures::raw_zip(&many)).expect_err("entries");
    assert_eq!(
        error,
        SpreadsheetError::Unpacked {
            entry: None,
            limit: ArchiveLimit::Entries,
            found: MAX_ENTRIES as u64 + 1,
            max: MAX_ENTRIES as u64,
        }
    );
}

#[test]
fn real_workbooks_pass_the_archive_guard() {
    if !rmi_available() {
        return;
    }
    for name in REAL_FILES {
        assert_eq!(
            archive::check(&rmi(&format!("real/{name}"))),
            Ok(()),
            "{name}"
        );
    }
    for template in [
        "RMI_CMRT_6.31.xlsx",
        "RMI_CMRT_6.5.xlsx",
        "RMI_EMRT_1.3.xlsx",
        "RMI_EMRT_2.0.xlsx",
        "RMI_EMRT_2.1.xlsx",
    ] {
        assert_eq!(
            archive::check(&rmi(&format!("templates/{template}"))),
            Ok(()),
            "{template}"
        );
    }
}

// ----------------------------------------------------------------------------- portfolio limits

/// Issue #16: adding imported lines to the current portfolio ("add" mode) could pass the
/// portfolio's line limit, which only the JSON readers had. Refused before anything is built;
/// exactly at the limit is accepted.
#[test]
fn regression_16_import_extend_mode_cannot_pass_the_line_limit() {
    let line = RawLine {
        material: Some("cobalt".into()),
        ..RawLine::default()
    };
    let current = RawPortfolio {
        lines: vec![line.clone(); 4_000],
        ..RawPortfolio::default()
    };
    let imported = vec![line.clone(); MAX_LINES - 4_000 + 1];
    let error = apply_lines(&current, &imported, Mode::Append).expect_err("over the limit");
    assert_eq!((error.limit, error.found), (Limit::Lines, MAX_LINES + 1));
    assert!(
        error
            .to_string()
            .contains("5\u{202f}001 lines, over the limit of 5\u{202f}000"),
        "{error}"
    );
    // Exactly at the limit.
    let at_limit = apply_lines(&current, &imported[1..], Mode::Append).expect("at the limit");
    assert_eq!(at_limit.lines.len(), MAX_LINES);
    // Replacing counts only the imported lines.
    assert!(apply_lines(&current, &imported[1..], Mode::Replace).is_ok());
    let error = apply_lines(
        &RawPortfolio::default(),
        &vec![line; MAX_ROWS],
        Mode::Replace,
    )
    .expect_err("a full sheet");
    assert_eq!(error.found, MAX_ROWS);
    // Declarations add a line per undeclared material: refused too at the limit.
    let sourcing = chokepoint::import::rmi::MaterialSourcing {
        material: "tin".into(),
        metal: "Tin".into(),
        refining: vec![(CountryCode::parse("IDN").expect("code"), 3)],
        mining: Vec::new(),
        unidentified: 0,
        unknown_country: 0,
        suppliers: 1,
    };
    let error = apply_sourcing(&at_limit, &[sourcing]).expect_err("one line too many");
    assert_eq!((error.limit, error.found), (Limit::Lines, MAX_LINES + 1));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_csv(&bytes);
        let _ = read_xlsx(&bytes);
        let _ = read_declaration("x", &bytes);
        let _ = read_paste(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn arbitrary_text_tables_convert_without_panic(text in "[a-zA-Z0-9,;\t\n%. \"-]{0,400}") {
        if let Ok(table) = read_paste(&text) {
            let header = guess_header_row(&table);
            let mapping = guess_mapping(&table, header);
            let result = convert(&table, header, &mapping, embedded());
            prop_assert_eq!(result.lines.len(), table.rows.len() - header.map_or(0, |h| h + 1));
        }
    }
}

/// Flips up to 15 bytes of `workbook` at random and reads the result both ways: an error is
/// fine, a panic is not.
fn corrupted_copies_never_panic(workbook: &[u8]) {
    let flips = proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(12));
    runner
        .run(&flips, |flips| {
            let mut bytes = workbook.to_vec();
            for (index, value) in flips {
                let at = index.index(bytes.len());
                bytes[at] = value;
            }
            let _ = read_declaration("x", &bytes);
            let _ = read_xlsx(&bytes);
            Ok(())
        })
        .expect("no corrupted copy panics");
}

#[test]
fn corrupted_workbooks_never_panic() {
    corrupted_copies_never_panic(&minimal_xlsx(&[&["material", "spend"], &["cobalt", "100"]]));
}

#[test]
fn corrupted_real_declarations_never_panic() {
    if !rmi_available() {
        return;
    }
    corrupted_copies_never_panic(&rmi("real/CMRT6.4_SK_specialty_WF6_REDACTED.xlsx"));
}
