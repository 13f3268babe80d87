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
    // Straight to the terminal: `eprintln!` would be captured and hidden for a passing test.
    let _ = std::io::stderr().write_all(format!("SKIPPED {test}: {SKIP_REASON}\n").as_bytes());
    if let Some(log) = std::env::var_os("CHOKEPOINT_SKIP_LOG") {
        // One line a skip: runner, test, reason, separated by tabs (scripts/test.sh sums them up).
        let line = format!("cargo test\t{test}\t{SKIP_REASON}\n");
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .and_then(|mut file| file.write_all(line.as_bytes()));
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

/// One entry of [`raw_zip`]: its name, its data as stored in the archive (already deflated for
/// method 8), and what its headers declare.
pub struct RawEntry {
    /// The path in the archive.
    pub name: String,
    /// 0 (stored) or 8 (deflated).
    pub method: u16,
    /// The bytes as stored.
    pub data: Vec<u8>,
    /// The CRC-32 the headers declare.
    pub crc: u32,
    /// The unpacked size the headers declare (true or not).
    pub declared: u32,
}

impl RawEntry {
    /// An entry stored uncompressed, with true headers.
    pub fn stored(name: &str, data: &[u8]) -> RawEntry {
        RawEntry {
            name: name.to_string(),
            method: 0,
            data: data.to_vec(),
            crc: chokepoint::analysis::export::xlsx::crc32(data),
            declared: u32::try_from(data.len()).expect("small entry"),
        }
    }
}

/// A ZIP archive (APPNOTE 6.3.x, sections 4.3.7, 4.3.12 and 4.3.16) written field by field, so
/// that a test can make its headers declare what it wants; the local and central headers agree.
pub fn raw_zip(entries: &[RawEntry]) -> Vec<u8> {
    fn u16le(out: &mut Vec<u8>, v: u16) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    fn u32le(out: &mut Vec<u8>, v: u32) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    let size = |n: usize| u32::try_from(n).expect("under 4 GiB");
    let mut out = Vec::new();
    let mut central = Vec::new();
    for entry in entries {
        let offset = size(out.len());
        let name = entry.name.as_bytes();
        // Local file header.
        u32le(&mut out, 0x0403_4b50);
        for v in [20, 0, entry.method, 0, 0x21] {
            u16le(&mut out, v);
        }
        for v in [entry.crc, size(entry.data.len()), entry.declared] {
            u32le(&mut out, v);
        }
        u16le(&mut out, u16::try_from(name.len()).expect("short name"));
        u16le(&mut out, 0);
        out.extend_from_slice(name);
        out.extend_from_slice(&entry.data);
        // Central directory header.
        u32le(&mut central, 0x0201_4b50);
        for v in [20, 20, 0, entry.method, 0, 0x21] {
            u16le(&mut central, v);
        }
        for v in [entry.crc, size(entry.data.len()), entry.declared] {
            u32le(&mut central, v);
        }
        u16le(&mut central, u16::try_from(name.len()).expect("short name"));
        for v in [0, 0, 0, 0] {
            u16le(&mut central, v);
        }
        u32le(&mut central, 0);
        u32le(&mut central, offset);
        central.extend_from_slice(name);
    }
    let central_offset = size(out.len());
    out.extend_from_slice(&central);
    // End of central directory record.
    u32le(&mut out, 0x0605_4b50);
    let count = u16::try_from(entries.len()).expect("under 65,536 entries");
    for v in [0, 0, count, count] {
        u16le(&mut out, v);
    }
    u32le(&mut out, size(central.len()));
    u32le(&mut out, central_offset);
    u16le(&mut out, 0);
    out
}

/// Raw DEFLATE (RFC 1951) of `data` as one segment that ends on a byte boundary: a full flush
/// (the dictionary is reset, so the segment never refers to earlier data) or, with `last`, the
/// final block. Segments written this way can be concatenated, and one segment repeated.
pub fn deflate_segment(data: &[u8], last: bool) -> Vec<u8> {
    use miniz_oxide::deflate::core::{
        CompressorOxide, TDEFLFlush, TDEFLStatus, compress_to_output,
        create_comp_flags_from_zip_params,
    };
    // Level 9, negative window bits: raw DEFLATE without a zlib header.
    let mut compressor = CompressorOxide::new(create_comp_flags_from_zip_params(9, -15, 0));
    let flush = if last {
        TDEFLFlush::Finish
    } else {
        TDEFLFlush::Full
    };
    let mut out = Vec::new();
    let (status, used) = compress_to_output(&mut compressor, data, flush, |bytes| {
        out.extend_from_slice(bytes);
        true
    });
    assert!(matches!(status, TDEFLStatus::Okay | TDEFLStatus::Done));
    assert_eq!(used, data.len());
    out
}

/// The shared strings part of a one-string workbook: its start and end, around the string.
pub const SST_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"#;
/// See [`SST_START`].
pub const SST_END: &str = "</t></si></sst>";

/// A minimal one-sheet workbook whose cell A1 is shared string 0, and whose shared strings part
/// (`xl/sharedStrings.xml`, deflated) holds one string of `mib` MiB of the letter `a` plus
/// `extra` more, built in a moment whatever its size: 1 MiB of `a` is deflated once and that
/// segment repeated. `declared` overrides the unpacked size the headers give for the shared
/// strings (None: the true size); their CRC-32 is only true when the part is under 1 MiB (a
/// larger one is never unpacked to its end by the code under test).
pub fn shared_strings_workbook(mib: usize, extra: usize, declared: Option<u32>) -> Vec<u8> {
    const MIB: usize = 1 << 20;
    let run = vec![b'a'; MIB];
    let chunk = deflate_segment(&run, false);
    let mut data = deflate_segment(SST_START.as_bytes(), false);
    for _ in 0..mib {
        data.extend_from_slice(&chunk);
    }
    let mut tail = vec![b'a'; extra];
    tail.extend_from_slice(SST_END.as_bytes());
    data.extend_from_slice(&deflate_segment(&tail, true));
    let true_size = SST_START.len() + mib * MIB + tail.len();
    let crc = if mib == 0 {
        let mut text = SST_START.as_bytes().to_vec();
        text.extend_from_slice(&tail);
        chokepoint::analysis::export::xlsx::crc32(&text)
    } else {
        0
    };
    let xml = |s: &str| format!(r#"<?xml version="1.0" encoding="UTF-8"?>{s}"#).into_bytes();
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let package = "http://schemas.openxmlformats.org/package/2006";
    let mut entries = vec![
        RawEntry::stored(
            "[Content_Types].xml",
            &xml(&format!(
                r#"<Types xmlns="{package}/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#
            )),
        ),
        RawEntry::stored(
            "_rels/.rels",
            &xml(&format!(
                r#"<Relationships xmlns="{package}/relationships"><Relationship Id="rId1" Type="{rels}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            )),
        ),
        RawEntry::stored(
            "xl/workbook.xml",
            &xml(&format!(
                r#"<workbook xmlns="{main}" xmlns:r="{rels}"><sheets><sheet name="Portfolio" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            )),
        ),
        RawEntry::stored(
            "xl/_rels/workbook.xml.rels",
            &xml(&format!(
                r#"<Relationships xmlns="{package}/relationships"><Relationship Id="rId1" Type="{rels}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rels}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#
            )),
        ),
        RawEntry::stored(
            "xl/worksheets/sheet1.xml",
            &xml(&format!(
                r#"<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#
            )),
        ),
    ];
    entries.push(RawEntry {
        name: "xl/sharedStrings.xml".into(),
        method: 8,
        data,
        crc,
        declared: declared.unwrap_or_else(|| u32::try_from(true_size).expect("under 4 GiB")),
    });
    raw_zip(&entries)
}
