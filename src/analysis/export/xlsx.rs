//! A minimal XLSX writer: results tables as one workbook, a sheet per table.
//!
//! An XLSX file is a ZIP archive of XML parts (ECMA-376 Part 1, "Office Open XML", SpreadsheetML;
//! ZIP per PKWARE's APPNOTE.TXT 6.3). This writer produces the smallest set of parts that Excel
//! and LibreOffice open: `[Content_Types].xml`, `_rels/.rels`, `xl/workbook.xml`,
//! `xl/_rels/workbook.xml.rels` and one `xl/worksheets/sheetN.xml` per table, with text as inline
//! strings (no shared-string table) and no styles. Parts are DEFLATE-compressed (method 8) with
//! the same compressor as the share links, so the writer adds little to the page (a full XLSX
//! library would be far larger; see `docs/PORTFOLIO_FORMAT.md`).
//!
//! ```
//! use chokepoint::analysis::export::{Cell, Table};
//! use chokepoint::analysis::export::xlsx::workbook;
//! let table = Table { name: "demo", header: vec!["a"], rows: vec![vec![Cell::Number(1.0)]] };
//! let bytes = workbook(&[table]);
//! assert_eq!(&bytes[..4], b"PK\x03\x04"); // a ZIP local file header
//! ```

use super::{Cell, Table};

/// The XLSX bytes of `tables`, one sheet each, named after the tables.
pub fn workbook(tables: &[Table]) -> Vec<u8> {
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    let mut overrides = String::new();
    let mut sheets = String::new();
    let mut rels = String::new();
    for (i, table) in tables.iter().enumerate() {
        let n = i + 1;
        overrides.push_str(&format!(
            "<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        ));
        let name: String = escape(table.name).chars().take(31).collect();
        sheets.push_str(&format!(
            "<sheet name=\"{name}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>"
        ));
        rels.push_str(&format!(
            "<Relationship Id=\"rId{n}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"
        ));
        parts.push((format!("xl/worksheets/sheet{n}.xml"), sheet(table)));
    }
    let head = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
    let content_types = format!(
        "{head}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>{overrides}</Types>"
    );
    let root_rels = format!(
        "{head}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
    );
    let workbook = format!(
        "{head}<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>{sheets}</sheets></workbook>"
    );
    let workbook_rels = format!(
        "{head}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{rels}</Relationships>"
    );
    let mut all = vec![
        (
            "[Content_Types].xml".to_string(),
            content_types.into_bytes(),
        ),
        ("_rels/.rels".to_string(), root_rels.into_bytes()),
        ("xl/workbook.xml".to_string(), workbook.into_bytes()),
        (
            "xl/_rels/workbook.xml.rels".to_string(),
            workbook_rels.into_bytes(),
        ),
    ];
    all.extend(parts);
    zip(&all)
}

fn sheet(table: &Table) -> Vec<u8> {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
    );
    let header: Vec<Cell> = table.header.iter().map(|h| Cell::text(*h)).collect();
    for (r, row) in std::iter::once(&header).chain(&table.rows).enumerate() {
        let r = r + 1;
        xml.push_str(&format!("<row r=\"{r}\">"));
        for (c, cell) in row.iter().enumerate() {
            let at = format!("{}{r}", column_name(c));
            match cell {
                Cell::Number(v) if v.is_finite() => {
                    xml.push_str(&format!("<c r=\"{at}\"><v>{v}</v></c>"));
                }
                Cell::Text(_) => xml.push_str(&format!(
                    "<c r=\"{at}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
                    escape(&cell.display())
                )),
                _ => {}
            }
        }
        xml.push_str("</row>");
    }
    xml.push_str("</sheetData></worksheet>");
    xml.into_bytes()
}

/// Spreadsheet column letters: 0 -> A, 25 -> Z, 26 -> AA.
///
/// ```
/// use chokepoint::analysis::export::xlsx::column_name;
/// assert_eq!(column_name(0), "A");
/// assert_eq!(column_name(27), "AB");
/// ```
pub fn column_name(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// XML text: `&`, `<`, `>` and `"` escaped, and characters XML 1.0 forbids (control characters
/// other than tab, line feed and carriage return; XML 1.0, section 2.2) dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// CRC-32 as ZIP uses it (the reflected polynomial 0xEDB88320, APPNOTE 4.4.7), bit by bit.
///
/// ```
/// use chokepoint::analysis::export::xlsx::crc32;
/// assert_eq!(crc32(b"123456789"), 0xCBF4_3926); // the standard check value
/// ```
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// A ZIP archive of `files` (name, contents), each DEFLATE-compressed (APPNOTE 4.3: local
/// headers, data, central directory, end record). No ZIP64: results are far below 4 GB.
fn zip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let packed = miniz_oxide::deflate::compress_to_vec(data, 6);
        let crc = crc32(data);
        let offset = out.len() as u32;
        // Local file header (APPNOTE 4.3.7).
        out.extend(0x0403_4b50u32.to_le_bytes());
        out.extend(20u16.to_le_bytes()); // version needed: 2.0 (deflate)
        out.extend(0x0800u16.to_le_bytes()); // flags: names are UTF-8
        out.extend(8u16.to_le_bytes()); // method: deflate
        out.extend(0u16.to_le_bytes()); // time
        out.extend(0x0021u16.to_le_bytes()); // date: 1980-01-01
        out.extend(crc.to_le_bytes());
        out.extend((packed.len() as u32).to_le_bytes());
        out.extend((data.len() as u32).to_le_bytes());
        out.extend((name.len() as u16).to_le_bytes());
        out.extend(0u16.to_le_bytes()); // extra field length
        out.extend(name.as_bytes());
        out.extend(&packed);
        // Central directory header (APPNOTE 4.3.12).
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes()); // version made by
        central.extend(20u16.to_le_bytes()); // version needed
        central.extend(0x0800u16.to_le_bytes());
        central.extend(8u16.to_le_bytes());
        central.extend(0u16.to_le_bytes());
        central.extend(0x0021u16.to_le_bytes());
        central.extend(crc.to_le_bytes());
        central.extend((packed.len() as u32).to_le_bytes());
        central.extend((data.len() as u32).to_le_bytes());
        central.extend((name.len() as u16).to_le_bytes());
        central.extend([0u8; 8]); // extra, comment, disk number, internal attributes
        central.extend(0u32.to_le_bytes()); // external attributes
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let central_offset = out.len() as u32;
    let count = files.len() as u16;
    out.extend(&central);
    // End of central directory record (APPNOTE 4.3.16).
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]); // disk numbers
    out.extend(count.to_le_bytes());
    out.extend(count.to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(central_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes()); // comment length
    out
}
