//! Supplier-declaration fixtures built at test time: a blank RMI template with cells overwritten in
//! its sheet XML (values as a supplier would paste them). Everything else in the workbook,
//! including the cached (often Chinese) header texts, stays as in the template. Nothing derived
//! from the templates is written to disk.
//!
//! RMI reserves all rights to its templates, so the project never vendors them (see
//! `data/sources/SOURCES.md`). They are read from the directory named by `CHOKEPOINT_RMI_DIR`, or
//! else from the team's upstream copy `../shared/data/cmrt` beside the project. Without either,
//! the tests that need them report themselves skipped: on the terminal (past the test harness's
//! output capture) and, for the summary at the end of `scripts/test.sh`, in the file named by
//! `CHOKEPOINT_SKIP_LOG`.

use std::io::{Cursor, Read, Write};
use std::path::PathBuf;

/// The environment variable that names a directory laid out like the upstream `cmrt/` folder
/// (`templates/`, `real/`, `reference/`).
pub const RMI_DIR_VARIABLE: &str = "CHOKEPOINT_RMI_DIR";

/// Why an RMI test is skipped when the files are not there.
const SKIP_REASON: &str = "RMI templates and declarations not found (RMI reserves all rights, so \
     they are not in the repository): set CHOKEPOINT_RMI_DIR to a folder with templates/, real/ \
     and reference/, or place the team's shared/data/cmrt beside the project";

/// The folder of RMI files, if there is one.
///
/// # Panics
/// When `CHOKEPOINT_RMI_DIR` names something that is not a directory: a misconfiguration should
/// fail loudly rather than skip.
pub fn rmi_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(RMI_DIR_VARIABLE) {
        let dir = PathBuf::from(dir);
        assert!(
            dir.is_dir(),
            "{RMI_DIR_VARIABLE}={} is not a directory",
            dir.display()
        );
        return Some(dir);
    }
    let upstream = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/cmrt"));
    upstream.is_dir().then_some(upstream)
}

/// Whether the RMI files are there. When they are not, reports the calling test as skipped, with
/// the reason, and the test returns early.
pub fn rmi_available() -> bool {
    if rmi_dir().is_some() {
        return true;
    }
    let current = std::thread::current();
    let test = current.name().unwrap_or("an RMI test");
    let line = format!("SKIPPED {test}: {SKIP_REASON}\n");
    // Straight to the terminal: `eprintln!` would be captured and hidden for a passing test.
    let _ = std::io::stderr().write_all(line.as_bytes());
    if let Some(log) = std::env::var_os("CHOKEPOINT_SKIP_LOG") {
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .and_then(|mut file| file.write_all(format!("cargo test: {line}").as_bytes()));
        if let Err(error) = appended {
            panic!("cannot record the skip in CHOKEPOINT_SKIP_LOG: {error}");
        }
    }
    false
}

/// Reads a file under the RMI folder. Call [`rmi_available`] first.
pub fn rmi(path: &str) -> Vec<u8> {
    let dir = rmi_dir().expect("rmi_available() was checked first");
    std::fs::read(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The rows of a CSV under the RMI folder, as header -> value maps. Call [`rmi_available`] first.
pub fn rmi_csv(path: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let dir = rmi_dir().expect("rmi_available() was checked first");
    crate::it::reference::read_csv_at(&dir.join(path))
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
    let bytes = rmi(&format!("templates/{template}"));
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
