//! Portfolio lines from a table: a CSV file, the first sheet of an XLSX workbook, or rows pasted
//! from a spreadsheet.
//!
//! Three steps, so that nothing is imported until the user confirms:
//!
//! 1. read the table ([`read_csv`], [`read_xlsx`], [`read_paste`]);
//! 2. find the header row ([`guess_header_row`]) and guess what each column holds from its name
//!    ([`guess_mapping`]); the user may change any column's [`Column`];
//! 3. [`convert`] the rows below the header into [`RawLine`]s with a [`RowMessage`] for every
//!    cell that is wrong, naming its row and column. Invalid text is kept in the raw line, so
//!    the editor shows it for correction and nothing typed is lost. [`apply_lines`] then
//!    replaces or extends the portfolio.
//!
//! The columns are those of the portfolio file format (`docs/PORTFOLIO_FORMAT.md`). A stage
//! column holds a country mix as `CHN 60; AUS 40` (ISO 3166-1 alpha-3 or alpha-2 codes, or
//! English country names, each with a share in percent; a lone country means 100 %), or
//! `unknown`; an empty cell is unknown too. [`template_csv`] writes a template with every column.
//!
//! ```
//! use chokepoint::import::table::{convert, guess_header_row, guess_mapping, read_csv, Column};
//! let reference = chokepoint::reference::embedded();
//! let table = read_csv(b"Material,Part,Annual spend,Refining\ngallium,GaN wafers,250000,CHN 80; ROW 20\n").unwrap();
//! let header = guess_header_row(&table);
//! assert_eq!(header, Some(0));
//! let mapping = guess_mapping(&table, header);
//! assert_eq!(mapping[2], Column::Spend);
//! let result = convert(&table, header, &mapping, reference);
//! assert!(result.messages.is_empty());
//! assert_eq!(result.lines[0].material.as_deref(), Some("gallium"));
//! ```

use super::{Cells, MAX_ROWS, SpreadsheetError, Table, TableRow, Workbook, clean, column_name};
use crate::model::{CountryCode, Stage};
use crate::portfolio::limits::{self, LimitError};
use crate::portfolio::{OrderedMap, RawLine, RawNumber, RawPortfolio, RawStageSourcing};
use crate::reference::ReferenceData;
use serde::{Deserialize, Serialize};

/// The most columns read from a table.
pub const MAX_COLUMNS: usize = 100;

/// How many rows from the top are searched for the header row.
const HEADER_SEARCH_ROWS: usize = 20;

/// What a column of the table holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Column {
    /// Not imported.
    Ignore,
    /// The material (catalogue id, name or alias).
    Material,
    /// A part, product or supplier name.
    Label,
    /// Annual spend or quantity.
    Spend,
    /// Share of revenue depending on the line, percent.
    RevenueSharePct,
    /// Days of inventory held.
    InventoryDays,
    /// A stage's country mix.
    Sourcing(Stage),
}

impl Column {
    /// Every choice, in the order a mapping menu lists them.
    pub const ALL: [Column; 9] = [
        Column::Ignore,
        Column::Material,
        Column::Label,
        Column::Spend,
        Column::RevenueSharePct,
        Column::InventoryDays,
        Column::Sourcing(Stage::Mining),
        Column::Sourcing(Stage::Refining),
        Column::Sourcing(Stage::Component),
    ];

    /// A short label for menus and messages.
    pub fn label(self) -> &'static str {
        match self {
            Column::Ignore => "Do not import",
            Column::Material => "Material",
            Column::Label => "Label",
            Column::Spend => "Spend",
            Column::RevenueSharePct => "Revenue share %",
            Column::InventoryDays => "Inventory days",
            Column::Sourcing(Stage::Mining) => "Mining countries",
            Column::Sourcing(Stage::Refining) => "Refining countries",
            Column::Sourcing(Stage::Component) => "Component countries",
        }
    }

    /// A stable identifier (the template's header name).
    pub fn id(self) -> &'static str {
        match self {
            Column::Ignore => "ignore",
            Column::Material => "material",
            Column::Label => "label",
            Column::Spend => "spend",
            Column::RevenueSharePct => "revenue_share_pct",
            Column::InventoryDays => "inventory_days",
            Column::Sourcing(stage) => stage.id(),
        }
    }

    /// The column with identifier `id`.
    pub fn from_id(id: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.id() == id)
    }

    /// The column a header name most likely means, or [`Column::Ignore`].
    ///
    /// ```
    /// use chokepoint::import::table::Column;
    /// use chokepoint::model::Stage;
    /// assert_eq!(Column::guess("Annual spend (EUR)"), Column::Spend);
    /// assert_eq!(Column::guess("Refiner countries"), Column::Sourcing(Stage::Refining));
    /// assert_eq!(Column::guess("Notes"), Column::Ignore);
    /// ```
    pub fn guess(header: &str) -> Column {
        let words: String = header
            .to_lowercase()
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        let has = |stems: &[&str]| {
            words
                .split_whitespace()
                .any(|w| stems.iter().any(|s| w.starts_with(s)))
        };
        if has(&["revenue", "turnover"]) {
            Column::RevenueSharePct
        } else if has(&["inventory", "stock", "days"]) {
            Column::InventoryDays
        } else if has(&["mining", "mine", "extraction"]) {
            Column::Sourcing(Stage::Mining)
        } else if has(&["refin", "processing", "smelt"]) {
            Column::Sourcing(Stage::Refining)
        } else if has(&["component", "manufactur"]) {
            Column::Sourcing(Stage::Component)
        } else if has(&["material", "mineral", "metal", "commodity", "element"]) {
            Column::Material
        } else if has(&["spend", "cost", "amount", "value", "quantity", "volume"]) {
            Column::Spend
        } else if has(&[
            "label",
            "part",
            "product",
            "item",
            "name",
            "description",
            "supplier",
        ]) {
            Column::Label
        } else {
            Column::Ignore
        }
    }
}

/// A problem with one cell of the table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowMessage {
    /// The row number as the user sees it (spreadsheet row or CSV line).
    pub row: usize,
    /// The column index (0 = A).
    pub column: usize,
    /// What the column was mapped to.
    pub target: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for RowMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "row {}, column {} ({}): {}",
            self.row,
            column_name(self.column),
            self.target,
            self.message
        )
    }
}

/// The result of [`convert`]: lines to add, and what is wrong with them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Conversion {
    /// One line per data row, in order, invalid text kept.
    pub lines: Vec<RawLine>,
    /// The table row number each line came from.
    pub source_rows: Vec<usize>,
    /// Every problem found, in row order.
    pub messages: Vec<RowMessage>,
}

/// Decodes CSV bytes: UTF-8 (a byte-order mark is dropped), else Windows-1252; the delimiter is
/// whichever of `,` `;` or tab is most frequent in the first line.
pub fn read_csv(bytes: &[u8]) -> Result<Table, SpreadsheetError> {
    super::check_size(bytes)?;
    let text = decode_text(bytes);
    let first_line = text.lines().next().unwrap_or("");
    let count = |c: char| first_line.matches(c).count();
    let delimiter = [(b';', count(';')), (b'\t', count('\t'))]
        .into_iter()
        .filter(|(_, n)| *n > count(','))
        .max_by_key(|(_, n)| *n)
        .map(|(d, _)| d)
        .unwrap_or(b',');
    read_delimited(&text, delimiter)
}

/// Reads rows pasted from a spreadsheet: tab separated (quoted cells may hold line breaks), or
/// comma separated when the text has no tab.
pub fn read_paste(text: &str) -> Result<Table, SpreadsheetError> {
    super::check_size(text.as_bytes())?;
    let delimiter = if text.contains('\t') { b'\t' } else { b',' };
    read_delimited(text, delimiter)
}

/// Reads the first sheet of an XLSX workbook (cached values).
pub fn read_xlsx(bytes: &[u8]) -> Result<Table, SpreadsheetError> {
    read_open_xlsx(&mut Workbook::open(bytes)?)
}

/// [`read_xlsx`] of a workbook already open.
pub(crate) fn read_open_xlsx(workbook: &mut Workbook) -> Result<Table, SpreadsheetError> {
    let first = workbook
        .sheet_names()
        .into_iter()
        .next()
        .ok_or(SpreadsheetError::Empty)?;
    let table = workbook.sheet_cells(&first, Cells::first(MAX_COLUMNS))?;
    if table.rows.is_empty() {
        return Err(SpreadsheetError::Empty);
    }
    Ok(table)
}

fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        // Windows-1252 agrees with Latin-1 except in 0x80-0x9F; those few are mapped here.
        Err(_) => bytes.iter().map(|&b| windows_1252(b)).collect(),
    }
}

fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9f => HIGH.get(usize::from(byte - 0x80)).copied().unwrap_or('?'),
        _ => char::from(byte),
    }
}

fn read_delimited(text: &str, delimiter: u8) -> Result<Table, SpreadsheetError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // Line numbers counted from the records' byte offsets (blank lines included).
    let (mut counted_to, mut line) = (0usize, 1usize);
    for record in reader.records() {
        let record = record.map_err(|e| SpreadsheetError::Csv {
            line: e.position().map(|p| p.line()).unwrap_or(0),
            detail: e.to_string(),
        })?;
        let cells: Vec<String> = record
            .iter()
            .take(MAX_COLUMNS)
            .map(|c| clean(c).to_string())
            .collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return Err(SpreadsheetError::TooManyRows { sheet: None });
        }
        // The reader's position may point at blank lines it skipped before the record.
        let mut start = record.position().map(|p| p.byte() as usize).unwrap_or(0);
        while matches!(text.as_bytes().get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        if let Some(skipped) = text.as_bytes().get(counted_to..start) {
            line += skipped.iter().filter(|&&b| b == b'\n').count();
            counted_to = start;
        }
        let number = line;
        rows.push(TableRow { number, cells });
    }
    if rows.is_empty() {
        return Err(SpreadsheetError::Empty);
    }
    Ok(Table { rows })
}

/// The index in `table.rows` of the header row: the first of the top rows in which at least two
/// cells name a known column and no cell is a number. `None` when the table has no header.
pub fn guess_header_row(table: &Table) -> Option<usize> {
    table.rows.iter().take(HEADER_SEARCH_ROWS).position(|row| {
        let named = row
            .cells
            .iter()
            .filter(|c| Column::guess(c) != Column::Ignore)
            .count();
        let numeric = row.cells.iter().any(|c| parse_number(c).is_some());
        named >= 2 && !numeric
    })
}

/// The header names: the header row's cells, or the column letters without a header.
pub fn headers(table: &Table, header: Option<usize>) -> Vec<String> {
    let width = table.width();
    let row = header.and_then(|h| table.rows.get(h));
    (0..width)
        .map(|c| match row.map(|r| r.cell(c)) {
            Some(text) if !text.is_empty() => text.to_string(),
            _ => format!("Column {}", column_name(c)),
        })
        .collect()
}

/// One guessed [`Column`] per column of the table; a column guessed twice keeps its first
/// occurrence and the later ones are ignored.
pub fn guess_mapping(table: &Table, header: Option<usize>) -> Vec<Column> {
    let mut mapping: Vec<Column> = Vec::new();
    for name in headers(table, header) {
        let guess = match header {
            Some(_) => Column::guess(&name),
            None => Column::Ignore,
        };
        mapping.push(if guess != Column::Ignore && mapping.contains(&guess) {
            Column::Ignore
        } else {
            guess
        });
    }
    if header.is_none() {
        // Without a header, assume the template's column order.
        let order = Column::ALL.into_iter().skip(1);
        for (slot, column) in mapping.iter_mut().zip(order) {
            *slot = column;
        }
    }
    mapping
}

/// Converts the rows below `header` (all rows without one) with `mapping` (one entry per
/// column; missing entries are ignored columns).
pub fn convert(
    table: &Table,
    header: Option<usize>,
    mapping: &[Column],
    reference: &ReferenceData,
) -> Conversion {
    let mut result = Conversion::default();
    let first = header.map(|h| h + 1).unwrap_or(0);
    for row in table.rows.iter().skip(first) {
        let mut line = RawLine::default();
        let mut messages = Vec::new();
        for (column, target) in mapping.iter().enumerate() {
            let text = row.cell(column);
            let mut complain = |message: String| {
                messages.push(RowMessage {
                    row: row.number,
                    column,
                    target: target.label().to_string(),
                    message,
                })
            };
            match target {
                Column::Ignore => {}
                Column::Material => {
                    if text.is_empty() {
                        complain("no material".into());
                    } else {
                        match reference.resolve_material(text) {
                            Ok(material) => line.material = Some(material.id.clone()),
                            Err(error) => {
                                complain(error.to_string());
                                line.material = Some(text.to_string());
                            }
                        }
                    }
                }
                Column::Label => {
                    if !text.is_empty() {
                        line.label = Some(text.to_string());
                    }
                }
                Column::Spend | Column::RevenueSharePct | Column::InventoryDays => {
                    if text.is_empty() {
                        continue;
                    }
                    let range = match target {
                        Column::RevenueSharePct => (0.0, 100.0),
                        _ => (0.0, crate::portfolio::MAX_AMOUNT),
                    };
                    let value = match parse_number(text) {
                        Some(v) if v >= range.0 && v <= range.1 => RawNumber::Number(v),
                        Some(v) => {
                            complain(format!("{v} is outside {} to {}", range.0, range.1));
                            RawNumber::Text(text.to_string())
                        }
                        None => {
                            complain(format!("“{text}” is not a number"));
                            RawNumber::Text(text.to_string())
                        }
                    };
                    let slot = match target {
                        Column::Spend => &mut line.spend,
                        Column::RevenueSharePct => &mut line.revenue_share_pct,
                        _ => &mut line.inventory_days,
                    };
                    *slot = Some(value);
                }
                Column::Sourcing(stage) => {
                    if text.is_empty() || text.eq_ignore_ascii_case("unknown") {
                        continue;
                    }
                    let sourcing = match parse_mix(text, reference) {
                        Ok(entries) => RawStageSourcing::Mix(OrderedMap(entries)),
                        Err(message) => {
                            complain(message);
                            RawStageSourcing::Text(text.to_string())
                        }
                    };
                    line.sourcing.0.push((stage.id().to_string(), sourcing));
                }
            }
        }
        if !mapping.contains(&Column::Material) {
            messages.push(RowMessage {
                row: row.number,
                column: 0,
                target: Column::Material.label().to_string(),
                message: "no column is mapped to Material".into(),
            });
        }
        result.lines.push(line);
        result.source_rows.push(row.number);
        result.messages.extend(messages);
    }
    result
}

/// How confirmed lines enter the portfolio.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    /// The imported lines replace every line.
    Replace,
    /// The imported lines are added after the existing ones.
    Append,
}

/// The portfolio with `lines` applied by `mode`; everything else is kept. Refused when the
/// result would be over a size limit of [`crate::portfolio::limits`]: more than
/// [`MAX_LINES`](crate::portfolio::limits::MAX_LINES) lines (counted before anything is built; a
/// sheet may hold up to [`MAX_ROWS`] rows, and adding lines to the current ones can pass the limit
/// too), or text longer than a field's limit.
pub fn apply_lines(
    portfolio: &RawPortfolio,
    lines: &[RawLine],
    mode: Mode,
) -> Result<RawPortfolio, LimitError> {
    let kept = match mode {
        Mode::Replace => 0,
        Mode::Append => portfolio.lines.len(),
    };
    limits::check_line_count(kept.saturating_add(lines.len()))?;
    let mut next = portfolio.clone();
    if mode == Mode::Replace {
        next.lines.clear();
    }
    next.lines.extend(lines.iter().cloned());
    limits::check_portfolio(&next)?;
    Ok(next)
}

/// A CSV template with every column and one example line (the format of [`convert`]); no
/// cell needs quoting.
pub fn template_csv() -> String {
    let header: Vec<&str> = Column::ALL.iter().skip(1).map(|c| c.id()).collect();
    let example = [
        "gallium",
        "GaN wafers",
        "250000",
        "15",
        "30",
        "unknown",
        "CHN 80; ROW 20",
        "",
    ];
    format!("{}\n{}\n", header.join(","), example.join(","))
}

/// A number as typed in a spreadsheet: spaces, a trailing `%` and thousands separators
/// (`1,234,567`) allowed.
pub fn parse_number(text: &str) -> Option<f64> {
    let text = clean(text);
    let text = text.strip_suffix('%').unwrap_or(text);
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    let thousands = {
        let whole = compact.split('.').next().unwrap_or("");
        let groups: Vec<&str> = whole.trim_start_matches('-').split(',').collect();
        groups.len() > 1
            && groups.first().is_some_and(|g| (1..=3).contains(&g.len()))
            && groups.iter().skip(1).all(|g| g.len() == 3)
    };
    let plain = if thousands {
        compact.replace(',', "")
    } else {
        compact
    };
    plain
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && !plain.is_empty())
}

/// The country for `text`: an ISO 3166-1 alpha-3 code (or `ROW`), an alpha-2 code, or an English
/// country name from the reference data (case-insensitive).
pub fn find_country(text: &str, reference: &ReferenceData) -> Option<CountryCode> {
    let text = clean(text);
    if text.eq_ignore_ascii_case("ROW") {
        return Some(CountryCode::REST_OF_WORLD);
    }
    let upper = text.to_uppercase();
    reference
        .countries
        .iter()
        .find(|c| c.code.as_str() == upper || c.iso2 == upper || c.name.eq_ignore_ascii_case(text))
        .map(|c| c.code)
}

/// Parses `CHN 60; AUS 40` (or `CHN: 60, AUS: 40`, or a lone country) into percent entries.
fn parse_mix(text: &str, reference: &ReferenceData) -> Result<Vec<(String, RawNumber)>, String> {
    let mut entries = Vec::new();
    for part in text.split([';', ',', '\n']) {
        let part = clean(clean(part).trim_end_matches('%'));
        if part.is_empty() {
            continue;
        }
        // The share is the last word when it is a number; the country is the rest.
        let (country, share) = match part.rsplit_once([' ', ':', '=']) {
            Some((country, share)) if parse_number(share).is_some() => (
                clean(country.trim_end_matches([':', '='])),
                parse_number(share),
            ),
            _ => (part, None),
        };
        let Some(code) = find_country(country, reference) else {
            return Err(format!(
                "“{country}” is not a country code or name (write e.g. “CHN 60; AUS 40”)"
            ));
        };
        let share = match share {
            Some(share) => share,
            None if text
                .split([';', ',', '\n'])
                .filter(|p| !clean(p).is_empty())
                .count()
                == 1 =>
            {
                100.0
            }
            None => return Err(format!("“{part}” has no share in percent")),
        };
        entries.push((code.as_str().to_string(), RawNumber::Number(share)));
    }
    if entries.is_empty() {
        return Err("no country in the mix".into());
    }
    Ok(entries)
}
