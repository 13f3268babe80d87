//! Import: portfolio lines from spreadsheets, and sourcing from RMI supplier declarations.
//!
//! Pure functions over bytes and text, part of the calculation core (no I/O, no browser crate),
//! so they run natively in tests and in the import Web Worker. Nothing here changes a portfolio
//! by itself: every reader returns a preview ([`table::Conversion`], [`rmi::Declaration`]) and
//! the caller applies it ([`table::apply_lines`], [`rmi::apply_sourcing`]) once the user
//! confirms.
//!
//! - [`table`]: CSV files, XLSX workbooks (first sheet) and rows pasted from a spreadsheet (tab
//!   separated); header-row detection, a column mapping guessed from the header names that the
//!   user may override, and per-row messages naming the row and the column.
//! - [`rmi`]: the Responsible Minerals Initiative's Conflict Minerals Reporting Template (CMRT
//!   6.x) and Extended Minerals Reporting Template (EMRT 1.x, 2.x), read by fixed cell positions
//!   as documented in `docs/IMPORT.md` (from RMI's templates; see that file for the source).
//!
//! Limits: a file larger than [`MAX_FILE_BYTES`] or with more than [`MAX_ROWS`] non-empty rows in
//! a sheet is refused with [`SpreadsheetError::TooLarge`] or [`SpreadsheetError::TooManyRows`]; a workbook
//! whose archive unpacks beyond the limits of [`archive`] (a decompression bomb) with
//! [`SpreadsheetError::Unpacked`], before the spreadsheet reader sees it. Lines applied to a portfolio
//! are held to the portfolio's own limits ([`crate::portfolio::limits`], 5,000 lines).

pub mod archive;
pub mod rmi;
pub mod table;
pub mod xlsx;

pub(crate) use xlsx::Workbook;

use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest file accepted: 20 MB (20 × 1024 × 1024 bytes).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// The most non-empty rows accepted in one sheet, CSV file or paste.
pub const MAX_ROWS: usize = 50_000;

/// Why a spreadsheet file (XLSX, CSV or pasted text) could not be read at all (problems with
/// single rows are messages, not errors).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpreadsheetError {
    /// The file is larger than [`MAX_FILE_BYTES`].
    TooLarge {
        /// Its size in bytes.
        bytes: usize,
    },
    /// A sheet (or the CSV text) has more than [`MAX_ROWS`] non-empty rows.
    TooManyRows {
        /// The sheet, if the file is a workbook.
        sheet: Option<String>,
    },
    /// The file holds no rows at all.
    Empty,
    /// The bytes are not an XLSX workbook (not a zip, or a zip without a workbook).
    NotWorkbook {
        /// What the spreadsheet reader says.
        detail: String,
    },
    /// A sheet the reader needs is missing or unreadable.
    Sheet {
        /// The sheet's name.
        sheet: String,
        /// What is wrong.
        detail: String,
    },
    /// CSV text that cannot be split into records.
    Csv {
        /// The line of the text, from 1.
        line: u64,
        /// What the CSV reader says.
        detail: String,
    },
    /// A workbook that is not a supported RMI template (CMRT 6.x, EMRT 1.x or 2.x).
    NotRmiTemplate {
        /// What was found instead.
        detail: String,
    },
    /// A workbook whose archive unpacks beyond a limit of [`archive`] (a decompression bomb, or
    /// a workbook far larger than any real one); refused before it is read.
    Unpacked {
        /// The archive entry, when the limit is on one entry.
        entry: Option<String>,
        /// Which limit.
        limit: archive::ArchiveLimit,
        /// What was found: entries, bytes or a ratio (for [`archive::ArchiveLimit::Undeclared`],
        /// the bytes unpacked when unpacking stopped).
        found: u64,
        /// The limit's value (for [`archive::ArchiveLimit::Undeclared`], the declared size).
        max: u64,
    },
}

/// Bytes in mebibytes, for messages.
fn mib(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

impl fmt::Display for SpreadsheetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpreadsheetError::TooLarge { bytes } => write!(
                f,
                "the file is {:.1} MB; files larger than {} MB are refused",
                *bytes as f64 / (1024.0 * 1024.0),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            SpreadsheetError::TooManyRows { sheet: Some(sheet) } => write!(
                f,
                "sheet “{sheet}” has more than {MAX_ROWS} rows; split the file and import the parts"
            ),
            SpreadsheetError::TooManyRows { sheet: None } => write!(
                f,
                "the text has more than {MAX_ROWS} rows; split it and import the parts"
            ),
            SpreadsheetError::Empty => f.write_str("the file holds no rows"),
            SpreadsheetError::NotWorkbook { detail } => {
                write!(f, "not an Excel workbook (.xlsx): {detail}")
            }
            SpreadsheetError::Sheet { sheet, detail } => write!(f, "sheet “{sheet}”: {detail}"),
            SpreadsheetError::Csv { line, detail } => write!(f, "CSV line {line}: {detail}"),
            SpreadsheetError::NotRmiTemplate { detail } => write!(
                f,
                "not a supported RMI template (CMRT 6.x, EMRT 1.x or 2.x): {detail}"
            ),
            SpreadsheetError::Unpacked {
                entry,
                limit,
                found,
                max,
            } => {
                use archive::ArchiveLimit;
                let part = entry.as_deref().unwrap_or("?");
                match limit {
                    ArchiveLimit::Entries => write!(
                        f,
                        "the workbook holds {found} parts, over the limit of {max}"
                    ),
                    ArchiveLimit::EntryBytes => write!(
                        f,
                        "the workbook's part “{part}” unpacks to {}, over the limit of {}",
                        mib(*found),
                        mib(*max)
                    ),
                    ArchiveLimit::TotalBytes => write!(
                        f,
                        "the workbook unpacks to more than {}, over the limit of {}",
                        mib(*found),
                        mib(*max)
                    ),
                    ArchiveLimit::Ratio => write!(
                        f,
                        "the workbook's part “{part}” unpacks to {found} times its packed size, \
                         over the limit of {max} times"
                    ),
                    ArchiveLimit::Undeclared => write!(
                        f,
                        "the workbook's part “{part}” unpacks to more than the {max} bytes its \
                         header declares"
                    ),
                }?;
                f.write_str(
                    "; it is refused unread (a damaged file or a decompression bomb: real \
                     workbooks are far smaller)",
                )
            }
        }
    }
}

impl std::error::Error for SpreadsheetError {}

/// What a file turned out to hold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FileContent {
    /// Portfolio rows (CSV, or an XLSX workbook that is not an RMI template).
    Table(Table),
    /// An RMI supplier declaration (an XLSX workbook with a `Smelter List` sheet).
    Declaration(Box<rmi::Declaration>),
}

/// Reads a file the user chose, by its name's extension and, failing that, its first bytes:
/// `.csv`, `.tsv` and `.txt` as delimited text; `.xlsx` and `.xlsm` as a workbook, which is a
/// supplier declaration when it has a `Smelter List` sheet and portfolio rows (first sheet)
/// otherwise. Legacy `.xls` and other formats are refused with a message.
pub fn read_file(name: &str, bytes: &[u8]) -> Result<FileContent, SpreadsheetError> {
    check_size(bytes)?;
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let zip = bytes.starts_with(b"PK\x03\x04");
    match extension.as_str() {
        "csv" | "tsv" | "txt" => table::read_csv(bytes).map(FileContent::Table),
        "xls" => Err(SpreadsheetError::NotWorkbook {
            detail: "legacy .xls files are not read; open it and save it as .xlsx".into(),
        }),
        "xlsx" | "xlsm" => read_workbook(name, bytes),
        _ if zip => read_workbook(name, bytes),
        "json" => Err(SpreadsheetError::NotWorkbook {
            detail: "a JSON portfolio file is opened with the JSON import, not here".into(),
        }),
        _ => table::read_csv(bytes).map(FileContent::Table),
    }
}

fn read_workbook(name: &str, bytes: &[u8]) -> Result<FileContent, SpreadsheetError> {
    // Opened (and guarded) once for both readers.
    let mut workbook = Workbook::open(bytes)?;
    let is_declaration = workbook
        .sheet_names()
        .iter()
        .any(|s| s == rmi::SMELTER_LIST);
    if is_declaration {
        rmi::read_open_declaration(name, &mut workbook)
            .map(|d| FileContent::Declaration(Box::new(d)))
    } else {
        table::read_open_xlsx(&mut workbook).map(FileContent::Table)
    }
}

/// Refuses files over [`MAX_FILE_BYTES`].
pub fn check_size(bytes: &[u8]) -> Result<(), SpreadsheetError> {
    if bytes.len() > MAX_FILE_BYTES {
        Err(SpreadsheetError::TooLarge { bytes: bytes.len() })
    } else {
        Ok(())
    }
}

/// A grid of cell texts with its spreadsheet row numbers; empty rows are left out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// The non-empty rows in order.
    pub rows: Vec<TableRow>,
}

/// One row of a [`Table`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRow {
    /// The row number as the user sees it: the spreadsheet row, or the line of a CSV record
    /// (from 1).
    pub number: usize,
    /// Cell texts from column A (index 0); trailing empty cells may be missing.
    pub cells: Vec<String>,
}

impl TableRow {
    /// The text of column `column` (0 = A), empty when absent.
    pub fn cell(&self, column: usize) -> &str {
        self.cells.get(column).map(String::as_str).unwrap_or("")
    }
}

impl Table {
    /// The row with spreadsheet number `number`.
    pub fn row(&self, number: usize) -> Option<&TableRow> {
        self.rows
            .binary_search_by_key(&number, |r| r.number)
            .ok()
            .and_then(|i| self.rows.get(i))
    }

    /// The text at spreadsheet row `number` (from 1) and column `column` (0 = A).
    pub fn cell(&self, number: usize, column: usize) -> &str {
        self.row(number).map(|r| r.cell(column)).unwrap_or("")
    }

    /// The widest row's number of cells.
    pub fn width(&self) -> usize {
        self.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0)
    }
}

/// The name of spreadsheet column `index` (0 = `A`, 26 = `AA`).
///
/// ```
/// assert_eq!(chokepoint::import::column_name(0), "A");
/// assert_eq!(chokepoint::import::column_name(27), "AB");
/// ```
pub fn column_name(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Trims whitespace, including tabs, line breaks and no-break spaces.
pub fn clean(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}')
}

/// Which cells of a sheet to read.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cells<'a> {
    /// Columns before this index (0 = A).
    pub(crate) columns: usize,
    /// Columns never read (personal data).
    pub(crate) skip: &'a [usize],
    /// The last row to read (from 1), if limited.
    pub(crate) last_row: Option<usize>,
}

impl Cells<'_> {
    /// The first `columns` columns of every row.
    pub(crate) fn first(columns: usize) -> Cells<'static> {
        Cells {
            columns,
            skip: &[],
            last_row: None,
        }
    }
}
