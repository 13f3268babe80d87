//! The import's XLSX reader (`chokepoint::import::xlsx`) against calamine, the crate the import
//! used until December 2026 (now a test-only dependency): the same sheet names and, cell by cell,
//! the same texts, on the real supplier declarations and RMI's blank templates (when present, see
//! `fixtures`) and on generated workbooks that use every cell type, shared and inline strings with
//! rich-text runs and phonetic guides, entity and character references, Excel's `_xHHHH_`
//! escapes, rows and cells with and without positions, and parts in UTF-16.

use super::fixtures::{rmi_available, rmi_dir};
use calamine::{DataRef, Reader, Xlsx};
use chokepoint::import::xlsx::Workbook;
use chokepoint::import::{SpreadsheetError, clean};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::io::{Cursor, Write};

/// Each sheet's non-empty cells by (row, column) from 0.
type Sheets = Vec<(String, BTreeMap<(usize, usize), String>)>;

/// The text the import showed for a calamine value (the rules the reader keeps).
fn calamine_text(value: &DataRef<'_>) -> String {
    let number = |x: f64| {
        if x.fract() == 0.0 && x.abs() < 1e15 {
            format!("{x:.0}")
        } else {
            x.to_string()
        }
    };
    match value {
        DataRef::Int(n) => n.to_string(),
        DataRef::Float(x) => number(*x),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(d) => number(d.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

fn by_calamine(bytes: &[u8]) -> Sheets {
    let mut book = Xlsx::new(Cursor::new(bytes.to_vec())).expect("calamine opens the workbook");
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let mut cells = BTreeMap::new();
        let mut reader = book
            .worksheet_cells_reader(&name)
            .unwrap_or_else(|e| panic!("calamine, sheet {name}: {e}"));
        while let Some(cell) = reader
            .next_cell()
            .unwrap_or_else(|e| panic!("calamine, sheet {name}: {e}"))
        {
            let (row, column) = cell.get_position();
            let text = calamine_text(cell.get_value());
            if !clean(&text).is_empty() {
                cells.insert((row as usize, column as usize), text);
            }
        }
        sheets.push((name, cells));
    }
    sheets
}

fn by_chokepoint(bytes: &[u8]) -> Result<Sheets, SpreadsheetError> {
    let mut book = Workbook::open(bytes)?;
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let table = book.sheet(&name)?;
        let mut cells = BTreeMap::new();
        for row in &table.rows {
            for (column, text) in row.cells.iter().enumerate() {
                if !text.is_empty() {
                    cells.insert((row.number - 1, column), text.clone());
                }
            }
        }
        sheets.push((name, cells));
    }
    Ok(sheets)
}

#[test]
fn rmi_templates_and_real_declarations_read_as_calamine_reads_them() {
    if !rmi_available() {
        return;
    }
    let dir = rmi_dir().expect("checked");
    let mut files = 0;
    let mut cells = 0;
    for folder in ["templates", "real"] {
        let mut paths: Vec<_> = std::fs::read_dir(dir.join(folder))
            .expect("RMI folder")
            .map(|entry| entry.expect("entry").path())
            .filter(|path| path.extension().is_some_and(|e| e == "xlsx"))
            .collect();
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).expect("read");
            let ours = by_chokepoint(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let theirs = by_calamine(&bytes);
            assert_eq!(
                ours.iter().map(|(n, _)| n).collect::<Vec<_>>(),
                theirs.iter().map(|(n, _)| n).collect::<Vec<_>>(),
                "{}: sheet names",
                path.display()
            );
            for ((name, ours), (_, theirs)) in ours.iter().zip(&theirs) {
                assert_eq!(ours, theirs, "{}, sheet {name}", path.display());
                cells += ours.len();
            }
            files += 1;
        }
    }
    // The upstream folder has the CMRT 6.5 and EMRT 1.3, 2.0 and 2.1 templates and three real
    // CMRT files: tens of thousands of cells, most of them shared strings in several languages.
    assert!(files >= 7, "{files} workbooks");
    assert!(cells > 10_000, "{cells} cells");
}

// ---------------------------------------------------------------------------------------------
// Generated workbooks
// ---------------------------------------------------------------------------------------------

/// A string as a writer might store it: runs of text, some of them phonetic guides.
#[derive(Clone, Debug)]
struct Rich {
    runs: Vec<(String, bool)>,
    /// Plain `<t>` (one run, no phonetic guide) or rich `<r><t>`.
    rich: bool,
}

#[derive(Clone, Debug)]
enum Value {
    Number(f64),
    Shared(usize),
    Inline(Rich),
    Bool(bool),
    Error(&'static str),
    FormulaText(String),
    Date(&'static str),
    Empty,
}

#[derive(Clone, Debug)]
struct Spec {
    shared: Vec<Rich>,
    /// Rows: (row from 0, cells (column from 0, value)), both in increasing order.
    rows: Vec<(usize, Vec<(usize, Value)>)>,
    /// Which rows and cells leave out their position where they may (bits, reused).
    omit: u64,
    /// The character reference style for `&`, `<` and `>`.
    numeric_references: bool,
    utf16: bool,
    deflate: bool,
}

fn text() -> impl Strategy<Value = String> {
    // Letters, CJK, accents, XML's special characters, a no-break space, a line break and
    // Excel's escapes (`_x000D_` a carriage return, `_x005F_` an underscore).
    let pieces = prop::sample::select(vec![
        "a", "Z", "9", " ", "é", "中", "ß", "&", "<", ">", "\"", "'", "\u{a0}", "\n", "_x000D_",
        "_x005F_", "_x0041_", "x", "_", "Cobalt", "稀土",
    ]);
    prop::collection::vec(pieces, 0..8).prop_map(|p| p.concat())
}

fn rich() -> impl Strategy<Value = Rich> {
    (
        prop::collection::vec((text(), prop::bool::weighted(0.2)), 1..4),
        any::<bool>(),
    )
        .prop_map(|(runs, rich)| {
            if rich {
                Rich { runs, rich }
            } else {
                Rich {
                    runs: vec![(runs[0].0.clone(), false)],
                    rich,
                }
            }
        })
}

fn value(shared: usize) -> impl Strategy<Value = Value> {
    let numbers = prop::sample::select(vec![
        0.0, 1.0, -3.0, 0.5, 1234.5678, 1e-7, 45000.25, 1e15, 1e20, -0.0, 3.0e-300,
    ]);
    prop_oneof![
        numbers.prop_map(Value::Number),
        (0..shared.max(1)).prop_map(Value::Shared),
        rich().prop_map(Value::Inline),
        any::<bool>().prop_map(Value::Bool),
        prop::sample::select(vec![
            "#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"
        ])
        .prop_map(Value::Error),
        text().prop_map(Value::FormulaText),
        prop::sample::select(vec!["2025-01-31", "2026-12-06T10:30:00"]).prop_map(Value::Date),
        Just(Value::Empty),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    prop::collection::vec(rich(), 1..6).prop_flat_map(|shared| {
        let n = shared.len();
        let row = (
            0..6usize,
            prop::collection::btree_map(0..40usize, value(n), 1..6),
        );
        (
            Just(shared),
            prop::collection::vec(row, 1..8),
            any::<u64>(),
            any::<bool>(),
            prop::bool::weighted(0.2),
            any::<bool>(),
        )
            .prop_map(|(shared, gaps, omit, numeric_references, utf16, deflate)| {
                // Row numbers from the gaps between rows, so they increase.
                let mut number = 0;
                let rows = gaps
                    .into_iter()
                    .enumerate()
                    .map(|(i, (gap, cells))| {
                        number += if i == 0 { gap } else { gap + 1 };
                        (number, cells.into_iter().collect())
                    })
                    .collect();
                Spec {
                    shared,
                    rows,
                    omit,
                    numeric_references,
                    utf16,
                    deflate,
                }
            })
    })
}

fn escape(text: &str, numeric: bool) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match (c, numeric) {
            ('&', false) => out.push_str("&amp;"),
            ('&', true) => out.push_str("&#38;"),
            ('<', false) => out.push_str("&lt;"),
            ('<', true) => out.push_str("&#x3C;"),
            ('>', _) => out.push_str("&gt;"),
            ('"', _) => out.push_str("&quot;"),
            ('\u{a0}', true) => out.push_str("&#xA0;"),
            (c, _) => out.push(c),
        }
    }
    out
}

fn string_item(item: &Rich, numeric: bool) -> String {
    let t = |text: &str| format!("<t xml:space=\"preserve\">{}</t>", escape(text, numeric));
    if !item.rich {
        return t(&item.runs[0].0);
    }
    item.runs
        .iter()
        .map(|(text, phonetic)| {
            if *phonetic {
                format!("<rPh sb=\"0\" eb=\"1\">{}</rPh>", t(text))
            } else {
                format!("<r><rPr><b/><sz val=\"11\"/></rPr>{}</r>", t(text))
            }
        })
        .collect()
}

fn sheet_xml(spec: &Spec) -> String {
    let numeric = spec.numeric_references;
    let mut bit = 0;
    let mut omit = || {
        bit = (bit + 1) % 64;
        spec.omit >> bit & 1 == 1
    };
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><dimension ref=\"A1:AN60\"/><sheetData>",
    );
    let mut previous_row: Option<usize> = None;
    for (row, cells) in &spec.rows {
        let follows = previous_row.map_or(*row == 0, |p| p + 1 == *row);
        if follows && omit() {
            xml.push_str("<row spans=\"1:40\">");
        } else {
            xml.push_str(&format!("<row r=\"{}\" spans=\"1:40\">", row + 1));
        }
        previous_row = Some(*row);
        // A cell may leave out its position when it follows a cell that had a value (or opens
        // the row at column A): calamine counts positions only for cells with content.
        let mut previous: Option<(usize, bool)> = None;
        for (column, value) in cells {
            let follows = match previous {
                None => *column == 0,
                Some((p, had_content)) => had_content && p + 1 == *column,
            };
            let at = if follows && omit() {
                String::new()
            } else {
                format!(
                    " r=\"{}{}\"",
                    chokepoint::import::column_name(*column),
                    row + 1
                )
            };
            let cell = match value {
                Value::Number(x) => format!("<c{at} s=\"3\"><v>{x:?}</v></c>"),
                Value::Shared(i) => format!("<c{at} t=\"s\"><v>{i}</v></c>"),
                Value::Inline(item) => {
                    format!(
                        "<c{at} t=\"inlineStr\"><is>{}</is></c>",
                        string_item(item, numeric)
                    )
                }
                Value::Bool(b) => format!("<c{at} t=\"b\"><v>{}</v></c>", u8::from(*b)),
                Value::Error(e) => format!("<c{at} t=\"e\"><f>1/0</f><v>{e}</v></c>"),
                Value::FormulaText(text) => format!(
                    "<c{at} t=\"str\"><f>CONCAT(A1,&quot;x&quot;)</f><v>{}</v></c>",
                    escape(text, numeric)
                ),
                Value::Date(d) => format!("<c{at} t=\"d\"><v>{d}</v></c>"),
                Value::Empty => format!("<c{at} s=\"1\"/>"),
            };
            xml.push_str(&cell);
            previous = Some((*column, !matches!(value, Value::Empty)));
        }
        xml.push_str("</row>");
    }
    xml.push_str("</sheetData><pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>");
    xml
}

fn utf16(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text
        .replace("encoding=\"UTF-8\"", "encoding=\"UTF-16\"")
        .encode_utf16()
    {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

fn workbook(spec: &Spec) -> Vec<u8> {
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let package = "http://schemas.openxmlformats.org/package/2006";
    let shared: String = spec
        .shared
        .iter()
        .map(|item| format!("<si>{}</si>", string_item(item, spec.numeric_references)))
        .collect();
    let sheet = sheet_xml(spec);
    let parts: Vec<(&str, Vec<u8>)> = vec![
        (
            "[Content_Types].xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{package}/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#).into_bytes(),
        ),
        (
            "_rels/.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}/relationships"><Relationship Id="rId1" Type="{rels}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#).into_bytes(),
        ),
        (
            "xl/workbook.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rels}"><sheets><sheet name="Lines &amp; notes" sheetId="1" r:id="rId1"/><sheet name="空" sheetId="2" r:id="rId3"/></sheets></workbook>"#).into_bytes(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}/relationships"><Relationship Id="rId1" Type="{rels}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rels}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="{rels}/worksheet" Target="/xl/worksheets/sheet2.xml"/></Relationships>"#).into_bytes(),
        ),
        (
            "xl/sharedStrings.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}" count="{n}" uniqueCount="{n}">{shared}</sst>"#, n = spec.shared.len()).into_bytes(),
        ),
        (
            "xl/worksheets/sheet1.xml",
            if spec.utf16 { utf16(&sheet) } else { sheet.into_bytes() },
        ),
        (
            "xl/worksheets/sheet2.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData/></worksheet>"#).into_bytes(),
        ),
    ];
    let method = if spec.deflate {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        writer.start_file(name, options).expect("start");
        writer.write_all(&bytes).expect("write");
    }
    writer.finish().expect("zip").into_inner()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_workbooks_read_as_calamine_reads_them(spec in spec()) {
        let ours = by_chokepoint(&workbook(&spec)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // calamine's streaming XML reader cannot read a UTF-16 part: it reads the same sheet in
        // UTF-8.
        let utf8 = Spec { utf16: false, ..spec };
        prop_assert_eq!(ours, by_calamine(&workbook(&utf8)));
    }
}

/// A workbook spec whose one cell, at (row, column) from 0, is the one shared string `text`.
fn one_shared_string(text: &str, (row, column): (usize, usize), deflate: bool) -> Spec {
    Spec {
        shared: vec![Rich {
            runs: vec![(text.into(), false)],
            rich: false,
        }],
        rows: vec![(row, vec![(column, Value::Shared(0))])],
        omit: 0,
        numeric_references: false,
        utf16: false,
        deflate,
    }
}

#[test]
fn escapes_of_characters_beyond_latin_1_are_decoded() {
    // calamine decodes only `_x00HH_`; ECMA-376's escape is any UTF-16 code unit.
    let spec = one_shared_string("_x4E2D__xD83D__xDE00_ _x005F_x0041_", (0, 0), true);
    let sheets = by_chokepoint(&workbook(&spec)).expect("reads");
    assert_eq!(sheets[0].1[&(0, 0)], "中😀 _x0041_");
    assert_eq!(sheets[0].0, "Lines & notes");
    assert_eq!(sheets[1], ("空".to_string(), BTreeMap::new()));
}

#[test]
fn damaged_parts_are_refused_with_the_part_and_the_cell_named() {
    let spec = one_shared_string("cobalt", (2, 1), false);
    let good = workbook(&spec);
    let mut book = Workbook::open(&good).expect("opens");
    assert_eq!(
        book.sheet("Lines & notes").expect("reads").cell(3, 1),
        "cobalt"
    );
    let missing = book.sheet("Nope").expect_err("no such sheet");
    assert!(missing.to_string().contains("“Nope”"), "{missing}");

    // The same workbook with each part broken in turn (stored, so the bytes can be replaced
    // in place, same length).
    let broken = |from: &str, to: &str| {
        assert_eq!(from.len(), to.len());
        let at = good
            .windows(from.len())
            .position(|w| w == from.as_bytes())
            .unwrap_or_else(|| panic!("{from} is in the workbook"));
        let mut bytes = good.clone();
        bytes[at..at + to.len()].copy_from_slice(to.as_bytes());
        // The entry's CRC no longer matches: recompute it the way a damaged writer would not,
        // so that the XML is what is wrong, not the archive.
        fix_crcs(&bytes)
    };
    let index = broken("t=\"s\"><v>0</v>", "t=\"s\"><v>7</v>");
    let error = Workbook::open(&index)
        .and_then(|mut b| b.sheet("Lines & notes"))
        .expect_err("index out of range");
    let text = error.to_string();
    assert!(
        text.contains("B3") && text.contains("“7”") && text.contains("1 shared"),
        "{text}"
    );

    let tag = broken("</row>", "</rov>");
    let text = Workbook::open(&tag)
        .and_then(|mut b| b.sheet("Lines & notes"))
        .expect_err("mismatched tags")
        .to_string();
    assert!(
        text.contains("xl/worksheets/sheet1.xml") && text.contains("not well-formed"),
        "{text}"
    );

    let reference = broken("r=\"B3\"", "r=\"3B\"");
    let text = Workbook::open(&reference)
        .and_then(|mut b| b.sheet("Lines & notes"))
        .expect_err("bad reference")
        .to_string();
    assert!(text.contains("“3B”"), "{text}");

    // A shared-string cell without a value is an empty cell, not a damaged one.
    let blank = broken("t=\"s\"><v>0</v>", "t=\"s\"><v> </v>");
    let table = Workbook::open(&blank)
        .and_then(|mut b| b.sheet("Lines & notes"))
        .expect("reads");
    assert_eq!(table.rows, []);

    // No entity is expanded but XML's own: an unknown one is refused, naming it.
    let entity = broken("cobalt", "&abcd;");
    let text = Workbook::open(&entity)
        .err()
        .expect("unknown entity")
        .to_string();
    assert!(
        text.contains("“&abcd;”") && text.contains("xl/sharedStrings.xml"),
        "{text}"
    );

    let strings = broken("<si><t", "<si><u");
    let text = Workbook::open(&strings)
        .err()
        .expect("broken shared strings")
        .to_string();
    assert!(text.contains("xl/sharedStrings.xml"), "{text}");
}

/// The archive with every local and central header's CRC-32 recomputed from the stored data
/// (entries must be stored, method 0).
fn fix_crcs(bytes: &[u8]) -> Vec<u8> {
    use chokepoint::analysis::export::xlsx::crc32;
    let mut out = bytes.to_vec();
    let u16at = |b: &[u8], i: usize| usize::from(u16::from_le_bytes([b[i], b[i + 1]]));
    let u32at = |b: &[u8], i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let mut crcs = BTreeMap::new();
    let mut at = 0;
    while u32at(bytes, at) == 0x0403_4b50 {
        let size = u32at(bytes, at + 18) as usize;
        let name = u16at(bytes, at + 26);
        let extra = u16at(bytes, at + 28);
        let data = at + 30 + name + extra;
        let crc = crc32(&bytes[data..data + size]);
        out[at + 14..at + 18].copy_from_slice(&crc.to_le_bytes());
        crcs.insert(at as u32, crc);
        at = data + size;
    }
    while u32at(bytes, at) == 0x0201_4b50 {
        let offset = u32at(bytes, at + 42);
        out[at + 16..at + 20].copy_from_slice(&crcs[&offset].to_le_bytes());
        at += 46 + u16at(bytes, at + 28) + u16at(bytes, at + 30) + u16at(bytes, at + 32);
    }
    out
}
