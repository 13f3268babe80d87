//! Supplier-declaration fixtures built at test time: a blank RMI template from `../shared` with
//! cells overwritten in its sheet XML (values as a supplier would paste them). Everything else in
//! the workbook, including the cached (often Chinese) header texts, stays as in the template.
//! Nothing derived from the templates is written to disk.

use std::io::{Cursor, Read, Write};

/// The shared CMRT folder (templates, real files, reference lists).
pub const CMRT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/cmrt");

/// Reads a file under the shared CMRT folder.
pub fn shared(path: &str) -> Vec<u8> {
    std::fs::read(format!("{CMRT}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The rows of a CSV under the shared CMRT folder, as header -> value maps.
pub fn shared_csv(path: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    crate::it::reference::read_csv(&format!("cmrt/{path}"))
}

/// A cell to write: sheet name, reference such as `B5`, text.
pub type Edit<'a> = (&'a str, String, String);

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The zip path of sheet `name`, from the workbook and its relationships.
fn sheet_path(workbook: &str, rels: &str, name: &str) -> String {
    let at = workbook
        .find(&format!("name=\"{}\"", escape(name)))
        .unwrap_or_else(|| panic!("sheet {name}"));
    let tag_end = at + workbook[at..].find('>').expect("tag end");
    let tag = &workbook[at..tag_end];
    let rid_at = tag.find("r:id=\"").expect("r:id") + 6;
    let rid = &tag[rid_at..rid_at + tag[rid_at..].find('"').expect("quote")];
    let rel_at = rels.find(&format!("Id=\"{rid}\"")).expect("relationship");
    let start = rels[..rel_at].rfind('<').expect("tag start");
    let end = start + rels[start..].find('>').expect("tag end");
    let rel = &rels[start..end];
    let target_at = rel.find("Target=\"").expect("target") + 8;
    let target = &rel[target_at..target_at + rel[target_at..].find('"').expect("quote")];
    format!("xl/{}", target.trim_start_matches("/xl/"))
}

/// Sets one cell to an inline string, replacing the cell (formula and cache) if present.
fn set_cell(xml: &mut String, reference: &str, text: &str) {
    let cell = format!(
        "<c r=\"{reference}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
        escape(text)
    );
    let open = format!("<c r=\"{reference}\"");
    if let Some(start) = xml.find(&format!("{open} ")).or_else(|| {
        xml.find(&format!("{open}>"))
            .or_else(|| xml.find(&format!("{open}/>")))
    }) {
        let tag_end = start + xml[start..].find('>').expect("tag end");
        let end = if xml.as_bytes()[tag_end - 1] == b'/' {
            tag_end + 1
        } else {
            start + xml[start..].find("</c>").expect("cell end") + 4
        };
        xml.replace_range(start..end, &cell);
        return;
    }
    let row: String = reference.chars().filter(|c| c.is_ascii_digit()).collect();
    let row_open = format!("<row r=\"{row}\"");
    if let Some(start) = xml
        .find(&format!("{row_open} "))
        .or_else(|| xml.find(&format!("{row_open}>")))
    {
        let tag_end = start + xml[start..].find('>').expect("row tag end");
        if xml.as_bytes()[tag_end - 1] == b'/' {
            xml.replace_range(tag_end - 1..tag_end + 1, &format!(">{cell}</row>"));
        } else {
            xml.insert_str(tag_end + 1, &cell);
        }
    } else {
        let at = xml.find("</sheetData>").expect("sheetData");
        xml.insert_str(at, &format!("<row r=\"{row}\">{cell}</row>"));
    }
}

/// The template `templates/<name>` with `edits` applied, as xlsx bytes.
pub fn fill(template: &str, edits: &[Edit<'_>]) -> Vec<u8> {
    let bytes = shared(&format!("templates/{template}"));
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("template zip");
    let read = |archive: &mut zip::ZipArchive<Cursor<Vec<u8>>>, name: &str| {
        let mut text = String::new();
        archive
            .by_name(name)
            .expect(name)
            .read_to_string(&mut text)
            .expect("utf-8");
        text
    };
    let workbook = read(&mut archive, "xl/workbook.xml");
    let rels = read(&mut archive, "xl/_rels/workbook.xml.rels");
    let mut changed: Vec<(String, String)> = Vec::new();
    for (sheet, reference, text) in edits {
        let path = sheet_path(&workbook, &rels, sheet);
        if !changed.iter().any(|(p, _)| *p == path) {
            let xml = read(&mut archive, &path);
            changed.push((path.clone(), xml));
        }
        let xml = &mut changed
            .iter_mut()
            .find(|(p, _)| *p == path)
            .expect("sheet")
            .1;
        set_cell(xml, reference, text);
    }
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let file = archive.by_index_raw(i).expect("entry");
        let name = file.name().to_string();
        match changed.iter().find(|(p, _)| *p == name) {
            Some((_, xml)) => {
                drop(file);
                writer.start_file(name, options).expect("start");
                writer.write_all(xml.as_bytes()).expect("write");
            }
            None => writer.raw_copy_file(file).expect("copy"),
        }
    }
    writer.finish().expect("zip").into_inner()
}

/// Edits for one Smelter List row: (column letter, text) pairs.
pub fn row<'a>(sheet: &'a str, number: usize, cells: &[(&str, &str)]) -> Vec<Edit<'a>> {
    cells
        .iter()
        .map(|(column, text)| (sheet, format!("{column}{number}"), text.to_string()))
        .collect()
}
