//! What each fuzz target does with its input: one function a way a portfolio or a file comes in.
//! The libFuzzer targets in `fuzz_targets/` call these, and so does the native replay test
//! (`tests/it/fuzz_replay.rs`), which runs every committed corpus file through them in
//! `cargo test`. Besides "no panic", each checks what must hold of what the reader accepts: it is
//! within the size limits (`portfolio::limits`), and writing it out and reading it back gives it again.

use chokepoint::analysis::assess::{AssessParams, assess};
use chokepoint::import::table::{Mode, apply_lines, convert, guess_header_row, guess_mapping};
use chokepoint::import::{read_file, rmi, table};
use chokepoint::portfolio::RawPortfolio;
use chokepoint::portfolio::limits::check_portfolio;
use chokepoint::portfolio::{share, storage};
use chokepoint::reference::embedded;
use chokepoint::reference::templates::templates;

/// What a fuzz target does with one input.
pub type Body = fn(&[u8]);

/// The fuzz targets by name, as `cargo fuzz` and the corpus folders name them.
pub const TARGETS: [(&str, Body); 6] = [
    ("share_link", share_link),
    ("storage_entry", storage_entry),
    ("json_portfolio", json_portfolio),
    ("table_text", table_text),
    ("workbook", workbook),
    ("embed_params", embed_params),
];

/// Validates and, when valid, assesses what a reader accepted: the analysis must take anything
/// validation lets through.
fn accepted(portfolio: &RawPortfolio) {
    check_portfolio(portfolio).expect("an accepted portfolio is within the size limits");
    if let Ok(valid) = portfolio.validate(embedded()) {
        let _ = assess(&valid, embedded(), &AssessParams::default());
    }
}

/// A share link's payload, or a whole location hash, as the app reads it on start.
pub fn share_link(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let payload = share::payload_in_hash(&text).unwrap_or(&text);
    if let Ok(portfolio) = share::decode(payload) {
        accepted(&portfolio);
        let again = share::decode(&share::encode(&portfolio));
        assert_eq!(
            again.ok(),
            Some(share::stamped(&portfolio)),
            "a link reads back the same"
        );
    }
}

/// A local-storage entry (autosave or a named save) of any storage version.
pub fn storage_entry(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(portfolio) = storage::read_entry(&text) {
        accepted(&portfolio);
        let again = storage::read_entry(&storage::write_entry(&portfolio));
        assert_eq!(
            again.ok(),
            Some(share::stamped(&portfolio)),
            "an entry reads back the same"
        );
    }
}

/// A portfolio JSON file of any schema version, opened or dropped on the calculator.
pub fn json_portfolio(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(portfolio) = chokepoint::portfolio::schema::import_json(&text) {
        accepted(&portfolio);
    }
}

/// Delimited text (a CSV file, or rows pasted from a spreadsheet) through the import's column
/// guessing, conversion and both ways of applying the lines.
pub fn table_text(data: &[u8]) {
    let tables = [
        table::read_csv(data),
        table::read_paste(&String::from_utf8_lossy(data)),
    ];
    for table in tables.into_iter().flatten() {
        let header = guess_header_row(&table);
        let mapping = guess_mapping(&table, header);
        let conversion = convert(&table, header, &mapping, embedded());
        for mode in [Mode::Replace, Mode::Append] {
            if let Ok(portfolio) = apply_lines(&RawPortfolio::default(), &conversion.lines, mode) {
                accepted(&portfolio);
            }
        }
    }
}

/// A spreadsheet or supplier declaration. The bytes are read as they are, and also as the plan
/// of a well-formed workbook (sheets, rows, cells, shared strings; `workbook::build`), so that
/// most runs get past the ZIP checksums and the XML into the readers' own logic.
pub fn workbook(data: &[u8]) {
    for bytes in [data.to_vec(), workbook_plan::build(data)] {
        for name in ["supplier.xlsx", "purchases.csv"] {
            let _ = read_file(name, &bytes);
        }
        if let Ok(declaration) = rmi::read_declaration("supplier.xlsx", &bytes) {
            let (sourcing, _) = rmi::material_sourcing(&[declaration], embedded());
            if let Ok(portfolio) = rmi::apply_sourcing(&RawPortfolio::default(), &sourcing) {
                accepted(&portfolio);
            }
        }
        if let Ok(table) = table::read_xlsx(&bytes) {
            let header = guess_header_row(&table);
            let _ = convert(&table, header, &guess_mapping(&table, header), embedded());
        }
    }
}

/// The embed widget's configuration in the page's location hash.
pub fn embed_params(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let ids: Vec<&str> = templates().iter().map(|t| t.id.as_str()).collect();
    let (config, _warnings) = chokepoint::app::embed::parse(&text, &ids);
    let _ = config.host_name();
}

/// Well-formed workbooks from fuzz bytes.
pub mod workbook_plan {
    use arbitrary::{Arbitrary, Unstructured};
    use std::io::Write;

    /// Sheet names the readers look for, so that generated workbooks reach their code paths.
    const SHEET_NAMES: [&str; 6] = [
        "Declaration",
        "Smelter List",
        "Mine List",
        "Smelter Look-up",
        "Checker",
        "Portfolio",
    ];

    /// Cell texts that mean something to the readers.
    const WORDS: [&str; 16] = [
        "Metal",
        "Smelter Identification Number Input Column",
        "Smelter Country",
        "Cobalt",
        "Tungsten",
        "CID000004",
        "CHINA",
        "Revision 6.4",
        "Revision 2.1",
        "material",
        "spend",
        "gallium",
        "refining",
        "CHN=90; JPN=10",
        "Company Name (*):",
        "Standard Smelter Name",
    ];

    #[derive(Arbitrary, Debug)]
    enum Cell {
        Word(u8),
        Text(String),
        Number(f64),
        Shared(u8),
        Empty,
    }

    #[derive(Arbitrary, Debug)]
    struct Sheet {
        name: u8,
        rows: Vec<(u8, Vec<(u8, Cell)>)>,
    }

    #[derive(Arbitrary, Debug)]
    struct Plan {
        sheets: Vec<Sheet>,
        shared: Vec<String>,
        stored: bool,
    }

    fn escape(text: &str) -> String {
        text.chars()
            .filter(|c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}'))
            .collect::<String>()
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }

    fn column(mut index: usize) -> String {
        let mut name = Vec::new();
        loop {
            name.push(b'A' + (index % 26) as u8);
            if index < 26 {
                break;
            }
            index = index / 26 - 1;
        }
        name.reverse();
        String::from_utf8(name).unwrap_or_default()
    }

    fn sheet_xml(sheet: &Sheet) -> String {
        let mut xml = String::from(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
        );
        for (row, cells) in sheet.rows.iter().take(64) {
            let r = usize::from(*row) + 1;
            xml += &format!("<row r=\"{r}\">");
            for (col, cell) in cells.iter().take(32) {
                let at = format!("{}{r}", column(usize::from(*col) % 40));
                xml += &match cell {
                    Cell::Word(w) => format!(
                        "<c r=\"{at}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                        escape(WORDS[usize::from(*w) % WORDS.len()])
                    ),
                    Cell::Text(t) => {
                        format!(
                            "<c r=\"{at}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                            escape(t)
                        )
                    }
                    Cell::Number(n) if n.is_finite() => format!("<c r=\"{at}\"><v>{n}</v></c>"),
                    Cell::Number(_) => format!("<c r=\"{at}\"><v>NaN</v></c>"),
                    Cell::Shared(i) => format!("<c r=\"{at}\" t=\"s\"><v>{i}</v></c>"),
                    Cell::Empty => format!("<c r=\"{at}\"/>"),
                };
            }
            xml += "</row>";
        }
        xml + "</sheetData></worksheet>"
    }

    /// A workbook (ZIP of SpreadsheetML parts) laid out as `data` says; an empty workbook when the
    /// bytes run out early.
    pub fn build(data: &[u8]) -> Vec<u8> {
        let plan = Plan::arbitrary(&mut Unstructured::new(data)).unwrap_or(Plan {
            sheets: Vec::new(),
            shared: Vec::new(),
            stored: false,
        });
        let sheets: Vec<&Sheet> = plan.sheets.iter().take(8).collect();
        let mut parts: Vec<(String, String)> = Vec::new();
        let mut overrides = String::new();
        let mut listed = String::new();
        let mut rels = String::new();
        for (i, sheet) in sheets.iter().enumerate() {
            let n = i + 1;
            let name = match SHEET_NAMES.get(usize::from(sheet.name)) {
                Some(known) => (*known).to_string(),
                None => format!("Sheet{}", sheet.name),
            };
            overrides += &format!(
                r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
            );
            listed += &format!(
                r#"<sheet name="{}" sheetId="{n}" r:id="rId{n}"/>"#,
                escape(&name)
            );
            rels += &format!(
                r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#
            );
            parts.push((format!("xl/worksheets/sheet{n}.xml"), sheet_xml(sheet)));
        }
        let shared: String = plan
            .shared
            .iter()
            .take(64)
            .map(|s| format!("<si><t>{}</t></si>", escape(s)))
            .collect();
        parts.push((
            "xl/sharedStrings.xml".into(),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{shared}</sst>"#
            ),
        ));
        rels += r#"<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#;
        parts.push((
            "[Content_Types].xml".into(),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>{overrides}</Types>"#
            ),
        ));
        parts.push((
            "_rels/.rels".into(),
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into(),
        ));
        parts.push((
            "xl/workbook.xml".into(),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{listed}</sheets></workbook>"#
            ),
        ));
        parts.push((
            "xl/_rels/workbook.xml.rels".into(),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
            ),
        ));
        let method = if plan.stored {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, text) in parts {
            if writer.start_file(name, options).is_err()
                || writer.write_all(text.as_bytes()).is_err()
            {
                return Vec::new();
            }
        }
        writer.finish().map(|c| c.into_inner()).unwrap_or_default()
    }
}
