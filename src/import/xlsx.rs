//! The import's XLSX reader: a workbook's sheet names and the cached values of its cells.
//!
//! An XLSX file is a ZIP archive of XML parts (ECMA-376 Part 2, Open Packaging Conventions) holding
//! SpreadsheetML (ECMA-376 Part 1, §18). The reader follows the package's relationships:
//!
//! 1. `_rels/.rels` names the workbook part (the `officeDocument` relationship, usually
//!    `xl/workbook.xml`);
//! 2. the workbook lists its sheets (`<sheet name=".." r:id=".."/>`, §18.2.19) and its own
//!    relationships part (`xl/_rels/workbook.xml.rels`) says where each sheet and the shared
//!    strings (§18.4) are;
//! 3. a sheet's `<sheetData>` (§18.3.1.80) holds rows (`<row r="..">`) of cells
//!    (`<c r="B3" t="..">`, §18.3.1.4) whose cached value is `<v>`, or `<is>` for an inline string.
//!
//! Cell types (`t`, §18.18.11): `s` an index into the shared strings, `str` a formula's text,
//! `inlineStr`, `b` a boolean (`TRUE`/`FALSE`), `e` an error as Excel shows it (`#N/A`), `d` an
//! ISO 8601 date, and `n` (or none) a number, printed without a fraction when whole; a date stored
//! as a number prints as its serial number, as the import always did. Rich text keeps its runs'
//! text and drops phonetic guides (`<rPh>`); Excel's escapes of characters XML cannot hold
//! (`_x000D_`, §22.9.2.19 ST_Xstring) are decoded. Formulas are not evaluated: the value Excel
//! saved is what the user sees.
//!
//! The parts are read with the `zip` and `quick-xml` crates, after [`archive::check`] has bounded
//! what they unpack to. No document type definition is read: an entity reference other than XML's
//! five and character references is refused, so a part cannot make the reader expand anything. Parts in UTF-16 (which the packaging conventions allow beside UTF-8) are
//! decoded by their byte order mark; no other encoding is allowed (ECMA-376 Part 2, §8.1.4
//! [M1.17]), so the reader carries no code-page tables. Until December 2026 the import used the
//! `calamine` crate, which reads every spreadsheet format and whose XML reader is built with every
//! legacy encoding: replacing it took 140 KB gzip off the bundle that the Scenarios, Plan and
//! Import pages load (BENCHMARKS.md). The tests check this reader against calamine, cell by cell,
//! on real supplier declarations, RMI's templates and generated workbooks.
//!
//! ```
//! use chokepoint::analysis::export::{Cell, Table};
//! use chokepoint::analysis::export::xlsx::workbook;
//! use chokepoint::import::xlsx::Workbook;
//! let table = Table { name: "lines", header: vec!["material", "kg"], rows: vec![vec![Cell::Text("cobalt".into()), Cell::Number(120.0)]] };
//! let mut book = Workbook::open(&workbook(&[table])).unwrap();
//! assert_eq!(book.sheet_names(), ["lines"]);
//! let cells = book.sheet("lines").unwrap();
//! assert_eq!(cells.cell(2, 0), "cobalt");
//! assert_eq!(cells.cell(2, 1), "120");
//! ```

use super::{Cells, MAX_ROWS, SpreadsheetError, Table, TableRow, archive, check_size, clean};
use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

/// The workbook part when the package does not name one.
const DEFAULT_WORKBOOK: &str = "xl/workbook.xml";

/// An open XLSX workbook: where its sheets are, and its shared strings.
pub struct Workbook {
    zip: zip::ZipArchive<Cursor<Vec<u8>>>,
    /// Each sheet's name and its part's path (`None` when the workbook does not say where it
    /// is), in workbook order.
    sheets: Vec<(String, Option<String>)>,
    /// The shared strings table, in order.
    shared: Vec<String>,
}

impl Workbook {
    /// Opens the bytes of an `.xlsx` file, after the size check and the archive guard
    /// ([`archive::check`]): the only way a workbook reaches the reader. Reads the workbook's
    /// sheet list and its shared strings; a file that is not a workbook is refused with
    /// [`SpreadsheetError::NotWorkbook`], saying why.
    pub fn open(bytes: &[u8]) -> Result<Workbook, SpreadsheetError> {
        check_size(bytes)?;
        archive::check(bytes)?;
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).map_err(not_workbook)?;
        let package = relationships(&mut zip, "")?;
        let book_path = package
            .iter()
            .find(|r| r.is("officeDocument"))
            .map(|r| r.target.clone())
            .unwrap_or_else(|| DEFAULT_WORKBOOK.to_string());
        let book = read_part(&mut zip, &book_path)?.ok_or_else(|| {
            not_workbook(format!(
                "the file is a ZIP archive without a workbook part (“{book_path}”)"
            ))
        })?;
        let book_rels = relationships(&mut zip, &book_path)?;
        let sheets = sheet_list(&book_path, &book)?
            .into_iter()
            .map(|(name, id)| {
                let part = book_rels
                    .iter()
                    .find(|r| r.id == id)
                    .map(|r| r.target.clone());
                (name, part)
            })
            .collect();
        let strings_path = book_rels
            .iter()
            .find(|r| r.is("sharedStrings"))
            .map(|r| r.target.clone())
            .unwrap_or_else(|| sibling(&book_path, "sharedStrings.xml"));
        let shared = match read_part(&mut zip, &strings_path)? {
            Some(xml) => shared_strings(&strings_path, &xml)?,
            None => Vec::new(),
        };
        Ok(Workbook {
            zip,
            sheets,
            shared,
        })
    }

    /// The sheet names in workbook order.
    pub fn sheet_names(&self) -> Vec<String> {
        self.sheets.iter().map(|(name, _)| name.clone()).collect()
    }

    /// Every non-empty cell of sheet `name`, as text; fails on more than [`MAX_ROWS`] non-empty
    /// rows.
    pub fn sheet(&mut self, name: &str) -> Result<Table, SpreadsheetError> {
        self.sheet_cells(
            name,
            Cells {
                columns: usize::MAX,
                skip: &[],
                last_row: None,
            },
        )
    }

    /// Reads the cached values of sheet `name`: only the columns `read` allows and rows up to
    /// `read.last_row` (a sheet that claims a huge range costs nothing). Fails on more than
    /// [`MAX_ROWS`] non-empty rows, and with the cell's reference on a cell that cannot be read.
    pub(crate) fn sheet_cells(
        &mut self,
        name: &str,
        read: Cells<'_>,
    ) -> Result<Table, SpreadsheetError> {
        let sheet_error = |detail: String| SpreadsheetError::Sheet {
            sheet: name.to_string(),
            detail,
        };
        let path = match self.sheets.iter().find(|(n, _)| n == name) {
            Some((_, Some(path))) => path.clone(),
            Some((_, None)) => {
                return Err(sheet_error(
                    "the workbook does not say where this sheet is".into(),
                ));
            }
            None => return Err(sheet_error("there is no sheet of this name".into())),
        };
        let xml = read_part(&mut self.zip, &path)?
            .ok_or_else(|| sheet_error(format!("its part “{path}” is missing")))?;
        let mut rows: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        read_cells(&path, &xml, &self.shared, |row, column, text| {
            if column >= read.columns
                || read.skip.contains(&column)
                || read.last_row.is_some_and(|last| row >= last)
                || clean(&text).is_empty()
            {
                return Ok(());
            }
            if !rows.contains_key(&row) && rows.len() >= MAX_ROWS {
                return Err(SpreadsheetError::TooManyRows {
                    sheet: Some(name.to_string()),
                });
            }
            let cells = rows.entry(row).or_default();
            if cells.len() <= column {
                cells.resize(column + 1, String::new());
            }
            if let Some(slot) = cells.get_mut(column) {
                *slot = text;
            }
            Ok(())
        })
        .map_err(|e| match e {
            Failure::Xml(detail) => sheet_error(detail),
            Failure::Stop(error) => error,
        })?;
        Ok(Table {
            rows: rows
                .into_iter()
                .map(|(row, cells)| TableRow {
                    number: row + 1,
                    cells,
                })
                .collect(),
        })
    }
}

fn not_workbook(detail: impl std::fmt::Display) -> SpreadsheetError {
    SpreadsheetError::NotWorkbook {
        detail: detail.to_string(),
    }
}

/// Why reading a part stopped: the XML (a message naming the part and place), or the caller.
enum Failure {
    Xml(String),
    Stop(SpreadsheetError),
}

impl From<Failure> for SpreadsheetError {
    fn from(failure: Failure) -> SpreadsheetError {
        match failure {
            Failure::Xml(detail) => not_workbook(detail),
            Failure::Stop(error) => error,
        }
    }
}

/// The text of part `path`, or `None` when the archive has no such part. Part names compare
/// without regard to ASCII case (ECMA-376 Part 2, §6.2.2.3).
fn read_part(
    zip: &mut zip::ZipArchive<Cursor<Vec<u8>>>,
    path: &str,
) -> Result<Option<String>, SpreadsheetError> {
    let index = match zip.index_for_name(path) {
        Some(index) => index,
        None => match zip
            .file_names()
            .position(|name| name.eq_ignore_ascii_case(path))
        {
            Some(index) => index,
            None => return Ok(None),
        },
    };
    let entry = zip
        .by_index(index)
        .map_err(|e| not_workbook(format!("part “{path}”: {e}")))?;
    // The guard has unpacked every entry and found none larger than it declares.
    let declared = entry.size();
    let mut bytes = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
    entry
        .take(declared)
        .read_to_end(&mut bytes)
        .map_err(|e| not_workbook(format!("part “{path}” cannot be unpacked ({e})")))?;
    decode_text(bytes)
        .map(Some)
        .ok_or_else(|| not_workbook(format!("part “{path}” is not UTF-8 or UTF-16 text")))
}

/// Text in UTF-8 (with or without a byte order mark) or, by its byte order mark, UTF-16.
fn decode_text(bytes: Vec<u8>) -> Option<String> {
    fn utf16(rest: &[u8], unit: fn([u8; 2]) -> u16) -> Option<String> {
        let units = rest.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .ok()
    }
    match bytes.as_slice() {
        [0xEF, 0xBB, 0xBF, rest @ ..] => std::str::from_utf8(rest).ok().map(str::to_string),
        [0xFF, 0xFE, rest @ ..] if rest.len() % 2 == 0 => utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] if rest.len() % 2 == 0 => utf16(rest, u16::from_be_bytes),
        _ => String::from_utf8(bytes).ok(),
    }
}

/// The next event of part `path`, or a message naming the part and the byte where it is broken.
fn next<'a>(reader: &mut Reader<&'a [u8]>, path: &str) -> Result<Event<'a>, Failure> {
    reader.read_event().map_err(|e| {
        Failure::Xml(format!(
            "part “{path}” is not well-formed XML (byte {}): {e}",
            reader.error_position()
        ))
    })
}

fn xml_error(path: &str, what: impl std::fmt::Display) -> Failure {
    Failure::Xml(format!("part “{path}”: {what}"))
}

/// The value of attribute `local` (its name without a namespace prefix), unescaped.
fn attribute(
    element: &BytesStart<'_>,
    local: &[u8],
    reader: &Reader<&[u8]>,
    path: &str,
) -> Result<Option<String>, Failure> {
    for attr in element.attributes() {
        let attr = attr.map_err(|e| xml_error(path, e))?;
        if attr.key.local_name().as_ref() == local {
            let value = attr
                .decode_and_unescape_value(reader.decoder())
                .map_err(|e| xml_error(path, e))?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

/// One relationship of a part (ECMA-376 Part 2, §9.3): its id, type and target part.
struct Relationship {
    id: String,
    kind: String,
    /// The target part's path in the archive.
    target: String,
}

impl Relationship {
    /// Whether the relationship's type ends in `/kind` (transitional and strict namespaces).
    fn is(&self, kind: &str) -> bool {
        self.kind
            .rsplit_once('/')
            .is_some_and(|(_, last)| last == kind)
    }
}

/// The relationships of part `source` (`""` for the package), from its `_rels/*.rels` part;
/// none when it has no such part. Internal targets resolve against the source's folder.
fn relationships(
    zip: &mut zip::ZipArchive<Cursor<Vec<u8>>>,
    source: &str,
) -> Result<Vec<Relationship>, SpreadsheetError> {
    let (folder, file) = source.rsplit_once('/').unwrap_or(("", source));
    let path = match folder {
        "" => format!("_rels/{file}.rels"),
        folder => format!("{folder}/_rels/{file}.rels"),
    };
    let Some(xml) = read_part(zip, &path)? else {
        return Ok(Vec::new());
    };
    let mut reader = Reader::from_str(&xml);
    let mut found = Vec::new();
    loop {
        match next(&mut reader, &path)? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"Relationship" => {
                let external = attribute(&e, b"TargetMode", &reader, &path)?
                    .is_some_and(|mode| mode == "External");
                let id = attribute(&e, b"Id", &reader, &path)?;
                let kind = attribute(&e, b"Type", &reader, &path)?;
                let target = attribute(&e, b"Target", &reader, &path)?;
                if let (false, Some(id), Some(kind), Some(target)) = (external, id, kind, target) {
                    found.push(Relationship {
                        id,
                        kind,
                        target: resolve(folder, &target),
                    });
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(found)
}

/// The archive path of `target` as seen from a part in `folder`: absolute targets start at the
/// package root; `.` and `..` segments are resolved.
fn resolve(folder: &str, target: &str) -> String {
    let mut segments: Vec<&str> = match target.strip_prefix('/') {
        Some(_) => Vec::new(),
        None => folder.split('/').filter(|s| !s.is_empty()).collect(),
    };
    for segment in target.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            segment => segments.push(segment),
        }
    }
    segments.join("/")
}

/// The part beside `path` named `file`.
fn sibling(path: &str, file: &str) -> String {
    match path.rsplit_once('/') {
        Some((folder, _)) => format!("{folder}/{file}"),
        None => file.to_string(),
    }
}

/// The workbook's sheets in order: each one's name and relationship id.
fn sheet_list(path: &str, xml: &str) -> Result<Vec<(String, String)>, Failure> {
    let mut reader = Reader::from_str(xml);
    let mut sheets = Vec::new();
    loop {
        match next(&mut reader, path)? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"sheet" => {
                let name = attribute(&e, b"name", &reader, path)?;
                let id = attribute(&e, b"id", &reader, path)?;
                match (name, id) {
                    (Some(name), Some(id)) => sheets.push((name, id)),
                    _ => return Err(xml_error(path, "a sheet without a name or an id")),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(sheets)
}

/// Decodes Excel's escapes of characters that XML cannot hold: `_xHHHH_` is the UTF-16 code unit
/// HHHH (ECMA-376 Part 1, §22.9.2.19); `_x005F_` escapes the underscore itself.
fn unescape_excel(text: &str) -> String {
    if !text.contains("_x") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut units: Vec<u16> = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let escape = rest.as_bytes().get(..7).and_then(|head| {
            let ok = head[0] == b'_'
                && head[1] == b'x'
                && head[6] == b'_'
                && head[2..6].iter().all(u8::is_ascii_hexdigit);
            ok.then(|| std::str::from_utf8(&head[2..6]).ok())
                .flatten()
                .and_then(|hex| u16::from_str_radix(hex, 16).ok())
        });
        match escape {
            Some(unit) => {
                units.push(unit);
                rest = &rest[7..];
            }
            None => {
                out.extend(char::decode_utf16(units.drain(..)).map(|c| c.unwrap_or('\u{FFFD}')));
                let mut chars = rest.chars();
                if let Some(c) = chars.next() {
                    out.push(c);
                }
                rest = chars.as_str();
            }
        }
    }
    out.extend(char::decode_utf16(units).map(|c| c.unwrap_or('\u{FFFD}')));
    out
}

/// The text of an entity or character reference (`&amp;`, `&#xA0;`).
fn reference(path: &str, entity: &BytesRef<'_>) -> Result<String, Failure> {
    if let Some(c) = entity.resolve_char_ref().map_err(|e| xml_error(path, e))? {
        return Ok(c.to_string());
    }
    let name = entity.decode().map_err(|e| xml_error(path, e))?;
    let text = match name.as_ref() {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        other => return Err(xml_error(path, format!("unknown entity “&{other};”"))),
    };
    Ok(text.to_string())
}

/// The text of a string item (`<si>` of the shared strings, `<is>` of an inline string): its
/// `<t>` elements, runs of rich text included, phonetic guides (`<rPh>`) left out.
#[derive(Default)]
struct StringItem {
    text: String,
    run: Option<String>,
    phonetic: usize,
}

impl StringItem {
    fn feed(&mut self, path: &str, event: &Event<'_>) -> Result<(), Failure> {
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                b"rPh" => self.phonetic += 1,
                b"t" if self.phonetic == 0 => self.run = Some(String::new()),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"rPh" => self.phonetic = self.phonetic.saturating_sub(1),
                b"t" => {
                    if let Some(run) = self.run.take() {
                        self.text.push_str(&unescape_excel(&run));
                    }
                }
                _ => {}
            },
            Event::Text(t) => {
                if let Some(run) = self.run.as_mut() {
                    run.push_str(&t.xml10_content().map_err(|e| xml_error(path, e))?);
                }
            }
            Event::CData(t) => {
                if let Some(run) = self.run.as_mut() {
                    run.push_str(&t.decode().map_err(|e| xml_error(path, e))?);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(run) = self.run.as_mut() {
                    run.push_str(&reference(path, r)?);
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// The shared strings table (§18.4.9 `<sst>`), in order.
fn shared_strings(path: &str, xml: &str) -> Result<Vec<String>, SpreadsheetError> {
    let mut reader = Reader::from_str(xml);
    let mut strings = Vec::new();
    let mut item: Option<StringItem> = None;
    loop {
        let event = next(&mut reader, path)?;
        match &event {
            Event::Start(e) if e.local_name().as_ref() == b"si" => {
                item = Some(StringItem::default());
            }
            Event::Empty(e) if e.local_name().as_ref() == b"si" => strings.push(String::new()),
            Event::End(e) if e.local_name().as_ref() == b"si" => {
                strings.push(item.take().map(|i| i.text).unwrap_or_default());
            }
            Event::Eof => break,
            _ => {
                if let Some(item) = item.as_mut() {
                    item.feed(path, &event)?;
                }
            }
        }
    }
    Ok(strings)
}

/// A cell's position from its reference (`B3`): the row and column from 0. Excel's largest sheet
/// is `XFD1048576` (16,384 columns, 1,048,576 rows).
fn position(reference: &str) -> Option<(usize, usize)> {
    let digits = reference.find(|c: char| c.is_ascii_digit())?;
    let (letters, number) = reference.split_at(digits);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let column = letters
        .bytes()
        .fold(0usize, |n, b| n * 26 + usize::from(b - b'A') + 1);
    let row: usize = number.parse().ok()?;
    ((1..=16_384).contains(&column) && (1..=1_048_576).contains(&row))
        .then(|| (row - 1, column - 1))
}

/// The cell being read: where it is, its type and what it holds so far.
struct OpenCell {
    row: usize,
    column: usize,
    kind: Option<String>,
    value: Option<String>,
    inline: Option<StringItem>,
}

impl OpenCell {
    /// The cell's text by its type (see the module notes).
    fn text(self, shared: &[String]) -> Result<String, Failure> {
        let value = self.value.unwrap_or_default();
        Ok(match self.kind.as_deref() {
            // A shared-string cell without a value is empty, not damaged.
            Some("s") if value.trim().is_empty() => value,
            Some("s") => {
                let index = value.trim().parse::<usize>().ok();
                match index.and_then(|i| shared.get(i)) {
                    Some(text) => text.clone(),
                    None => {
                        return Err(Failure::Xml(format!(
                            "cell {}{} refers to shared string “{value}”, but the workbook has \
                             {} shared strings",
                            super::column_name(self.column),
                            self.row + 1,
                            shared.len()
                        )));
                    }
                }
            }
            Some("inlineStr") => match self.inline {
                Some(item) => item.text,
                None => value,
            },
            Some("b") if value.is_empty() => value,
            Some("b") => if value == "0" { "FALSE" } else { "TRUE" }.to_string(),
            Some("str" | "e" | "d") => value,
            _ => match value.parse::<f64>() {
                Ok(number) => number_text(number),
                Err(_) => value,
            },
        })
    }
}

/// Calls `cell(row, column, text)` for each cell of the sheet part `xml` that has a value, in
/// document order (rows and columns from 0).
fn read_cells(
    path: &str,
    xml: &str,
    shared: &[String],
    mut cell: impl FnMut(usize, usize, String) -> Result<(), SpreadsheetError>,
) -> Result<(), Failure> {
    let mut reader = Reader::from_str(xml);
    let mut row: Option<usize> = None;
    let mut next_column = 0usize;
    let mut open: Option<OpenCell> = None;
    let mut in_value = false;
    loop {
        let event = next(&mut reader, path)?;
        match &event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"row" => {
                let number = attribute(e, b"r", &reader, path)?;
                row = Some(match number {
                    Some(r) => match r.trim().parse::<usize>() {
                        Ok(n) if (1..=1_048_576).contains(&n) => n - 1,
                        _ => return Err(xml_error(path, format!("row number “{r}” is not valid"))),
                    },
                    None => row.map_or(0, |r| r + 1),
                });
                next_column = 0;
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"c" => {
                let at = attribute(e, b"r", &reader, path)?;
                let (cell_row, column) = match &at {
                    Some(r) => position(r).ok_or_else(|| {
                        xml_error(path, format!("cell reference “{r}” is not valid"))
                    })?,
                    None => (row.unwrap_or(0), next_column),
                };
                next_column = column + 1;
                if matches!(event, Event::Start(_)) {
                    open = Some(OpenCell {
                        row: cell_row,
                        column,
                        kind: attribute(e, b"t", &reader, path)?,
                        value: None,
                        inline: None,
                    });
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"c" => {
                if let Some(done) = open.take() {
                    let (r, c) = (done.row, done.column);
                    let text = done.text(shared)?;
                    if !text.is_empty() {
                        cell(r, c, text).map_err(Failure::Stop)?;
                    }
                }
                in_value = false;
            }
            Event::End(e) if e.local_name().as_ref() == b"sheetData" => break,
            Event::Eof => break,
            _ => {
                let Some(current) = open.as_mut() else {
                    continue;
                };
                match &event {
                    Event::Start(e) if e.local_name().as_ref() == b"v" => {
                        in_value = true;
                        current.value.get_or_insert_with(String::new);
                    }
                    Event::End(e) if e.local_name().as_ref() == b"v" => in_value = false,
                    Event::Start(e) if e.local_name().as_ref() == b"is" => {
                        current.inline = Some(StringItem::default());
                    }
                    Event::Text(t) if in_value => {
                        let text = t.xml10_content().map_err(|e| xml_error(path, e))?;
                        current
                            .value
                            .get_or_insert_with(String::new)
                            .push_str(&text);
                    }
                    Event::GeneralRef(r) if in_value => {
                        let text = reference(path, r)?;
                        current
                            .value
                            .get_or_insert_with(String::new)
                            .push_str(&text);
                    }
                    _ => {
                        if let Some(item) = current.inline.as_mut() {
                            item.feed(path, &event)?;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// A number as the import shows it: whole numbers without a fraction, others as Rust prints
/// them (the shortest text that reads back as the same number).
pub(crate) fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        x.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::{decode_text, position, resolve, unescape_excel};

    #[test]
    fn parts_decode_from_utf_8_or_by_their_utf_16_byte_order_mark() {
        let text = "<a>中 é</a>";
        let with_bom = |bom: &[u8], body: Vec<u8>| [bom.to_vec(), body].concat();
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode_text(text.as_bytes().to_vec()).as_deref(), Some(text));
        assert_eq!(
            decode_text(with_bom(&[0xEF, 0xBB, 0xBF], text.into())).as_deref(),
            Some(text)
        );
        assert_eq!(
            decode_text(with_bom(&[0xFF, 0xFE], le)).as_deref(),
            Some(text)
        );
        assert_eq!(
            decode_text(with_bom(&[0xFE, 0xFF], be.clone())).as_deref(),
            Some(text)
        );
        // Latin-1 bytes, an odd UTF-16 length and a lone surrogate are refused.
        assert_eq!(decode_text(b"caf\xe9".to_vec()), None);
        assert_eq!(decode_text(with_bom(&[0xFE, 0xFF], be[1..].to_vec())), None);
        assert_eq!(decode_text(vec![0xFE, 0xFF, 0xD8, 0x00]), None);
    }

    #[test]
    fn references_and_targets_resolve() {
        assert_eq!(position("A1"), Some((0, 0)));
        assert_eq!(position("XFD1048576"), Some((1_048_575, 16_383)));
        for bad in ["", "A", "1", "a1", "XFE1", "A0", "A1048577", "ABCD1", "A1B"] {
            assert_eq!(position(bad), None, "{bad}");
        }
        assert_eq!(
            resolve("xl", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl", "/xl/sharedStrings.xml"),
            "xl/sharedStrings.xml"
        );
        assert_eq!(
            resolve("xl/worksheets", "../media/./a.png"),
            "xl/media/a.png"
        );
        assert_eq!(resolve("", "xl/workbook.xml"), "xl/workbook.xml");
        assert_eq!(unescape_excel("a_x000D_b_x005F_x000D_"), "a\rb_x000D_");
        assert_eq!(unescape_excel("_x00_ _xZZZZ_ _x"), "_x00_ _xZZZZ_ _x");
    }
}
