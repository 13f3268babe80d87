//! Integration tests: schema migration, the share-link codec, the storage envelope, and the
//! results exports (CSV and XLSX).

use chokepoint::analysis::assess::{AssessParams, assess};
use chokepoint::analysis::export::xlsx::{crc32, workbook};
use chokepoint::analysis::export::{Cell, Table, results_tables};
use chokepoint::portfolio::schema::{DocumentError, check_version, import_json};
use chokepoint::portfolio::share::{
    MAX_LINK_PAYLOAD, ShareError, decode, encode, hash_with_payload, payload_in_hash,
};
use chokepoint::portfolio::storage::{
    AUTOSAVE_KEY, Revision, SET_ASIDE_PREFIX, StorageError, read_entry, read_stored, saved_key,
    saved_name, set_aside_key, stored_revision, write_autosave, write_entry,
};
use chokepoint::portfolio::{
    OrderedMap, Portfolio, RawGroup, RawLine, RawNumber, RawPortfolio, RawStageSourcing,
};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const DEMO: &str = include_str!("../../examples/portfolios/ev_motor_maker.json");

fn demo() -> RawPortfolio {
    RawPortfolio::from_json(DEMO).unwrap()
}

// ----------------------------------------------------------------------------- migration

#[test]
fn unversioned_document_migrates_to_version_1_and_keeps_every_field() {
    let draft = DEMO.replacen("\"schema_version\": 1,", "", 1);
    assert_eq!(check_version(&serde_json::from_str(&draft).unwrap()), Ok(0));
    let imported = import_json(&draft).unwrap();
    assert_eq!(imported, demo());
    // And the migrated portfolio validates against the real reference data.
    assert!(imported.validate(chokepoint::reference::embedded()).is_ok());
}

#[test]
fn current_version_imports_unchanged_also_as_text() {
    assert_eq!(import_json(DEMO).unwrap(), demo());
    let text = DEMO.replacen("\"schema_version\": 1", "\"schema_version\": \"1\"", 1);
    let imported = import_json(&text).unwrap();
    assert_eq!(imported.lines, demo().lines);
}

#[test]
fn newer_foreign_and_malformed_documents_are_refused_with_a_message() {
    let newer = import_json(r#"{"schema_version": 2, "lines": []}"#).unwrap_err();
    assert_eq!(newer, DocumentError::Newer { found: 2 });
    assert!(newer.to_string().contains("newer version of Chokepoint"));
    let foreign = import_json(r#"{"type": "FeatureCollection", "features": []}"#).unwrap_err();
    assert!(matches!(foreign, DocumentError::Foreign(_)), "{foreign:?}");
    assert!(
        foreign
            .to_string()
            .starts_with("not a Chokepoint portfolio")
    );
    let array = import_json("[1, 2]").unwrap_err();
    assert!(
        array.to_string().contains("an array, not an object"),
        "{array}"
    );
    for bad in [
        r#"{"schema_version": 1.5}"#,
        r#"{"schema_version": -1}"#,
        r#"{"schema_version": true}"#,
    ] {
        assert!(
            matches!(import_json(bad), Err(DocumentError::BadVersion(_))),
            "{bad}"
        );
    }
    let broken = import_json("{\n  \"lines\": [\n  oops").unwrap_err();
    let DocumentError::Parse(parse) = broken else {
        panic!("expected a parse error, got {broken:?}");
    };
    assert_eq!(parse.line, 3);
}

// ----------------------------------------------------------------------------- share links

#[test]
fn demo_link_round_trips_exactly_and_fits() {
    let payload = encode(&demo());
    assert!(payload.starts_with("v1."));
    assert!(payload.len() <= MAX_LINK_PAYLOAD, "{}", payload.len());
    assert!(
        payload[3..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    assert_eq!(decode(&payload).unwrap(), demo());
    let hash = hash_with_payload("#/calculator", &payload);
    assert_eq!(payload_in_hash(&hash), Some(payload.as_str()));
    assert_eq!(
        chokepoint::app::route::Route::from_hash(&hash),
        chokepoint::app::route::Route::Calculator
    );
}

#[test]
fn unversioned_portfolio_comes_back_stamped_with_the_current_version() {
    let mut unversioned = demo();
    unversioned.schema_version = None;
    assert_eq!(decode(&encode(&unversioned)).unwrap(), demo());
}

#[test]
fn damaged_links_are_refused_with_a_message() {
    let payload = encode(&demo());
    let truncated = &payload[..payload.len() / 2];
    assert!(matches!(
        decode(truncated),
        Err(ShareError::NotDeflate | ShareError::NotBase64)
    ));
    assert!(matches!(
        decode("v9.abc"),
        Err(ShareError::UnknownFormat(_))
    ));
    assert!(matches!(decode("v1.***"), Err(ShareError::NotBase64)));
    // A valid link to a newer portfolio version.
    let newer = {
        use base64::Engine;
        let packed = miniz_oxide::deflate::compress_to_vec(br#"{"schema_version": 3}"#, 6);
        format!(
            "v1.{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)
        )
    };
    let err = decode(&newer).unwrap_err();
    assert_eq!(
        err,
        ShareError::Portfolio(DocumentError::Newer { found: 3 })
    );
    assert!(err.to_string().contains("newer version"));
}

#[test]
fn a_link_that_inflates_beyond_the_limit_is_refused() {
    use base64::Engine;
    let huge = vec![b' '; chokepoint::portfolio::share::MAX_INFLATED + 10];
    let packed = miniz_oxide::deflate::compress_to_vec(&huge, 9);
    let link = format!(
        "v1.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)
    );
    assert!(link.len() < 20_000);
    assert_eq!(decode(&link), Err(ShareError::TooLarge));
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a-zA-Z0-9 ,.%-]{0,12}"]
}

fn raw_number() -> impl Strategy<Value = RawNumber> {
    prop_oneof![
        any::<f64>()
            .prop_filter("finite", |v| v.is_finite())
            .prop_map(RawNumber::Number),
        (0u32..1_000_000).prop_map(|v| RawNumber::Number(f64::from(v))),
        text().prop_map(RawNumber::Text),
    ]
}

fn extra_fields() -> impl Strategy<Value = BTreeMap<String, Value>> {
    prop::collection::btree_map(
        "x_[a-z]{1,6}",
        prop_oneof![
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            text().prop_map(Value::from),
        ],
        0..2,
    )
}

fn raw_line() -> impl Strategy<Value = RawLine> {
    let sourcing = prop::collection::vec(
        (
            prop_oneof![
                Just("mining".to_string()),
                Just("refining".to_string()),
                text()
            ],
            prop_oneof![
                text().prop_map(RawStageSourcing::Text),
                prop::collection::vec((text(), raw_number()), 0..4)
                    .prop_map(|e| RawStageSourcing::Mix(OrderedMap(e))),
            ],
        ),
        0..3,
    );
    (
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(raw_number()),
        prop::option::of(raw_number()),
        prop::option::of(raw_number()),
        sourcing,
        prop::option::of(text()),
        prop::collection::vec((text(), text()), 0..2),
        extra_fields(),
    )
        .prop_map(
            |(material, label, spend, revenue, days, sourcing, end_use, basis, unknown_fields)| {
                RawLine {
                    material,
                    label,
                    spend,
                    revenue_share_pct: revenue,
                    inventory_days: days,
                    sourcing: OrderedMap(sourcing),
                    end_use,
                    sourcing_basis: OrderedMap(basis),
                    unknown_fields,
                }
            },
        )
}

fn raw_portfolio() -> impl Strategy<Value = RawPortfolio> {
    let group = (
        prop::option::of(text()),
        prop::option::of(text()),
        prop::collection::vec(text(), 0..3),
    )
        .prop_map(|(id, name, members)| RawGroup {
            id,
            name,
            members,
            unknown_fields: BTreeMap::new(),
        });
    (
        (
            prop::option::of(text()),
            prop::option::of(text()),
            prop::option::of(prop_oneof![
                Just("trade".to_string()),
                Just("world".to_string()),
                text()
            ]),
        ),
        prop::collection::vec(group, 0..2),
        prop::collection::vec(raw_line(), 0..6),
        prop::option::of(text()),
        prop::option::of(text()),
        extra_fields(),
    )
        .prop_map(
            |(
                (name, spend_unit, look_through),
                groups,
                lines,
                jurisdiction,
                customer,
                unknown_fields,
            )| {
                RawPortfolio {
                    schema_version: Some(RawNumber::Number(1.0)),
                    name,
                    spend_unit,
                    look_through,
                    groups,
                    lines,
                    jurisdiction,
                    customer,
                    unknown_fields,
                }
            },
        )
}

proptest! {
    #[test]
    fn share_link_round_trips_any_portfolio_exactly(p in raw_portfolio()) {
        let payload = encode(&p);
        prop_assert_eq!(decode(&payload).unwrap(), p.clone());
        // The storage envelope and the JSON file do too.
        prop_assert_eq!(read_entry(&write_entry(&p)).unwrap(), p.clone());
        prop_assert_eq!(import_json(&p.to_json()).unwrap(), p);
    }

    #[test]
    fn decoder_never_panics_on_arbitrary_text(s in any::<String>()) {
        let _ = decode(&s);
        let _ = decode(&format!("v1.{s}"));
        let _ = read_entry(&s);
        let _ = import_json(&s);
    }

    #[test]
    fn decoder_never_panics_on_arbitrary_base64url(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        use base64::Engine;
        let link = format!("v1.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes));
        let _ = decode(&link);
    }
}

// ----------------------------------------------------------------------------- storage

#[test]
fn storage_envelope_versions() {
    let entry: Value = serde_json::from_str(&write_entry(&demo())).unwrap();
    assert_eq!(entry["storage_version"], json!(1));
    assert_eq!(entry["portfolio"]["schema_version"], json!(1));
    // Version 0: a bare portfolio document (here also an unversioned one).
    let bare = DEMO.replacen("\"schema_version\": 1,", "", 1);
    assert_eq!(read_entry(&bare).unwrap(), demo());
    // Newer envelopes, garbage and foreign JSON are errors, not panics.
    assert_eq!(
        read_entry(r#"{"storage_version": 5, "portfolio": {}}"#),
        Err(StorageError::Newer(5))
    );
    assert!(matches!(
        read_entry("{\"lines\": [tru"),
        Err(StorageError::NotJson(_))
    ));
    assert!(matches!(
        read_entry(r#"{"storage_version": 1, "portfolio": 42}"#),
        Err(StorageError::Portfolio(DocumentError::Foreign(_)))
    ));
    assert!(matches!(
        read_entry(r#"{"theme": "dark"}"#),
        Err(StorageError::Portfolio(DocumentError::Foreign(_)))
    ));
}

// Issue #16, defect 5: an entry of a newer version was treated as corrupt and moved aside on
// every start. It is told apart from a damaged one, so that the app leaves it in place.
#[test]
fn newer_storage_entries_are_told_apart_from_corrupt_ones() {
    let newer = [
        r#"{"storage_version": 2, "portfolio": {"schema_version": 1, "lines": []}}"#,
        r#"{"storage_version": 1, "portfolio": {"schema_version": 2, "lines": []}}"#,
        // A bare portfolio (storage version 0) of a newer schema version.
        r#"{"schema_version": 7, "lines": [], "layers": {}}"#,
    ];
    for text in newer {
        let error = read_entry(text).unwrap_err();
        assert!(error.is_newer(), "{text}: {error:?}");
        assert!(error.to_string().contains("newer version"), "{error}");
    }
    let corrupt = [
        "{\"storage_version\": 1, \"portfolio\": [tru",
        r#"{"storage_version": "two", "portfolio": {}}"#,
        r#"{"storage_version": 1.5, "portfolio": {}}"#,
        r#"{"storage_version": 1, "portfolio": 42}"#,
        r#"{"storage_version": 1, "portfolio": {"schema_version": "x", "lines": []}}"#,
        r#"{"theme": "dark"}"#,
    ];
    for text in corrupt {
        let error = read_entry(text).unwrap_err();
        assert!(!error.is_newer(), "{text}: {error:?}");
    }
}

#[test]
fn the_autosave_envelope_carries_its_revision_and_older_readers_ignore_it() {
    let revision = Revision {
        count: 7,
        tab: "3f9a".into(),
    };
    let text = write_autosave(&demo(), &revision);
    let entry: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(entry["storage_version"], json!(1));
    assert_eq!(
        (&entry["revision"], &entry["tab"]),
        (&json!(7), &json!("3f9a"))
    );
    let stored = read_stored(&text).unwrap();
    assert_eq!(stored.revision, Some(revision));
    // The portfolio reads as before: a reader that knows no revision (serde ignores the
    // fields) gets the same portfolio.
    assert_eq!(
        read_entry(&text).unwrap(),
        read_entry(&write_entry(&demo())).unwrap()
    );
    // Named saves and entries of older versions have none.
    assert_eq!(stored_revision(&write_entry(&demo())), None);
    assert_eq!(stored_revision(DEMO), None);
    assert_eq!(stored_revision("{not json"), None);
    // The revision's fields are bounded like the envelope's others.
    let long_tab = text.replace("3f9a", &"t".repeat(200));
    assert!(matches!(
        read_entry(&long_tab),
        Err(StorageError::Portfolio(DocumentError::TooLarge(_)))
    ));
}

#[test]
fn storage_keys_and_set_aside_never_overwrites() {
    assert_eq!(
        saved_key("  Q3 plan "),
        Some("chokepoint:saved:Q3 plan".into())
    );
    assert_eq!(saved_key("   "), None);
    assert_eq!(saved_key(&"x".repeat(81)), None);
    assert_eq!(saved_name("chokepoint:saved:Q3 plan"), Some("Q3 plan"));
    assert_eq!(saved_name(AUTOSAVE_KEY), None);
    let first = format!("{SET_ASIDE_PREFIX}{AUTOSAVE_KEY}");
    assert_eq!(set_aside_key(AUTOSAVE_KEY, |_| false), first);
    let taken = [first.clone(), format!("{first}~2")];
    assert_eq!(
        set_aside_key(AUTOSAVE_KEY, |k| taken.iter().any(|t| t == k)),
        format!("{first}~3")
    );
}

// ----------------------------------------------------------------------------- exports

fn demo_assessment() -> chokepoint::analysis::assess::Assessment {
    let reference = chokepoint::reference::embedded();
    let portfolio = Portfolio::from_json(DEMO, reference).unwrap();
    assess(&portfolio, reference, &AssessParams::default())
}

/// A small RFC 4180 reader for the tests: fields, quotes doubled inside quoted fields.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[test]
fn results_csv_tables_match_the_assessment() {
    let assessment = demo_assessment();
    let reference = chokepoint::reference::embedded();
    let [lines, materials, chokepoints] = results_tables(&assessment, reference);

    let rows = parse_csv(&lines.to_csv());
    assert_eq!(rows.len(), assessment.lines.len() + 1);
    assert!(rows.iter().all(|r| r.len() == lines.header.len()));
    let column = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    for (row, line) in rows[1..].iter().zip(&assessment.lines) {
        assert_eq!(row[column("line")], line.line.to_string());
        assert_eq!(row[column("material")], line.material);
        assert_eq!(row[column("spend")].parse::<f64>().unwrap(), line.spend);
        let label = line.label.clone().unwrap_or_default();
        assert_eq!(row[column("label")], label);
    }

    let rows = parse_csv(&materials.to_csv());
    let stages: usize = assessment.materials.iter().map(|m| m.stages.len()).sum();
    assert_eq!(rows.len(), stages + 1);
    let hhi = rows[0].iter().position(|h| h == "hhi").unwrap();
    let first = &assessment.materials[0].stages[0];
    let expected = first
        .concentration
        .as_ref()
        .map(|c| c.hhi.to_string())
        .unwrap_or_default();
    assert_eq!(rows[1][hhi], expected);

    let rows = parse_csv(&chokepoints.to_csv());
    assert_eq!(rows.len(), assessment.chokepoints.len() + 1);
    assert!(!assessment.chokepoints.is_empty());
    let top = &assessment.chokepoints[0];
    assert_eq!(rows[1][0], "1");
    assert_eq!(rows[1][4], top.country.as_str());
    assert_eq!(rows[1][7].parse::<f64>().unwrap(), top.share * 100.0);
}

#[test]
fn csv_quotes_and_defuses_formulas() {
    let table = Table {
        name: "t",
        header: vec!["a", "b"],
        rows: vec![vec![
            Cell::text("-cmd|' /C calc'!A0"),
            Cell::text("line\nbreak, \"q\""),
        ]],
    };
    let rows = parse_csv(&table.to_csv());
    assert_eq!(rows[1], vec!["'-cmd|' /C calc'!A0", "line\nbreak, \"q\""]);
}

/// Reads the entries of a ZIP archive (stored or deflated) through its central directory,
/// checking each CRC-32.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
    let end = bytes.len() - 22;
    assert_eq!(u32_at(end), 0x0605_4b50, "end of central directory");
    let count = u16_at(end + 10);
    let mut at = u32_at(end + 16);
    let mut files = Vec::new();
    for _ in 0..count {
        assert_eq!(u32_at(at), 0x0201_4b50);
        let method = u16_at(at + 10);
        let crc = u32_at(at + 16) as u32;
        let packed = u32_at(at + 20);
        let size = u32_at(at + 24);
        let name_len = u16_at(at + 28);
        let extra = u16_at(at + 30) + u16_at(at + 32);
        let local = u32_at(at + 42);
        let name = String::from_utf8(bytes[at + 46..at + 46 + name_len].to_vec()).unwrap();
        assert_eq!(u32_at(local), 0x0403_4b50);
        let data_at = local + 30 + u16_at(local + 26) + u16_at(local + 28);
        let raw = &bytes[data_at..data_at + packed];
        let data = match method {
            8 => miniz_oxide::inflate::decompress_to_vec(raw).unwrap(),
            0 => raw.to_vec(),
            other => panic!("method {other}"),
        };
        assert_eq!(data.len(), size);
        assert_eq!(crc32(&data), crc, "{name}");
        files.push((name, data));
        at += 46 + name_len + extra;
    }
    files
}

#[test]
fn xlsx_workbook_has_one_sheet_per_table_with_the_same_cells() {
    let assessment = demo_assessment();
    let reference = chokepoint::reference::embedded();
    let tables = results_tables(&assessment, reference);
    let bytes = workbook(&tables);
    let files = unzip(&bytes);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/worksheets/sheet1.xml",
            "xl/worksheets/sheet2.xml",
            "xl/worksheets/sheet3.xml"
        ]
    );
    let workbook_xml = String::from_utf8(files[2].1.clone()).unwrap();
    for table in &tables {
        assert!(workbook_xml.contains(&format!("name=\"{}\"", table.name)));
    }
    let sheet3 = String::from_utf8(files[6].1.clone()).unwrap();
    assert_eq!(sheet3.matches("<row ").count(), tables[2].rows.len() + 1);
    let top = &assessment.chokepoints[0];
    assert!(sheet3.contains(&format!(
        "<t xml:space=\"preserve\">{}</t>",
        top.country.as_str()
    )));
}

#[test]
fn xlsx_escapes_text_and_drops_control_characters() {
    let table = Table {
        name: "t",
        header: vec!["a"],
        rows: vec![vec![Cell::text("<b>&\u{1}\"")]],
    };
    let files = unzip(&workbook(&[table]));
    let sheet = String::from_utf8(files[4].1.clone()).unwrap();
    assert!(sheet.contains("&lt;b&gt;&amp;&quot;</t>"), "{sheet}");
}
