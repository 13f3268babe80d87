//! Results as tables for download: per line, per material and stage, and the chokepoint ranking,
//! written as CSV (RFC 4180) or as one XLSX workbook with a sheet per table ([`xlsx`]).
//!
//! Every figure is copied from an [`Assessment`]; nothing is recomputed here. Fractions are
//! written as percentages (column names end in `_pct`), HHI on its 0-10,000 scale.
//!
//! Text cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or
//! carriage return) are written with a leading apostrophe, as the OWASP "CSV Injection" guidance
//! recommends: a label typed by a user never becomes a formula on the reader's machine.
//!
//! ```
//! use chokepoint::analysis::export::{Cell, Table};
//! let table = Table {
//!     name: "demo",
//!     header: vec!["label", "value"],
//!     rows: vec![vec![Cell::text("a, \"b\""), Cell::Number(1.5)], vec![Cell::text("=1+1"), Cell::Empty]],
//! };
//! assert_eq!(table.to_csv(), "label,value\r\n\"a, \"\"b\"\"\",1.5\r\n'=1+1,\r\n");
//! ```

pub mod xlsx;

use crate::analysis::assess::{Assessment, StageResult, SupplyRiskBasis};
use crate::analysis::exposure::MixBasis;
use crate::reference::ReferenceData;

/// One cell of a results table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number (written with Rust's shortest round-trip formatting).
    Number(f64),
    /// Nothing (a measure that is unavailable).
    Empty,
}

impl Cell {
    /// A text cell.
    pub fn text(text: impl Into<String>) -> Cell {
        Cell::Text(text.into())
    }

    fn number(value: Option<f64>) -> Cell {
        value
            .filter(|v| v.is_finite())
            .map_or(Cell::Empty, Cell::Number)
    }

    fn pct(fraction: Option<f64>) -> Cell {
        Cell::number(fraction.map(|f| f * 100.0))
    }

    /// The cell's text as a spreadsheet should see it: numbers in full, text made safe from
    /// formula injection.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(text) => safe_text(text),
            Cell::Number(value) => value.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// `text` with a leading apostrophe when a spreadsheet would read it as a formula.
fn safe_text(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// A results table: a name (the CSV file's and the XLSX sheet's), a header row, and rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Short name, for example `lines`.
    pub name: &'static str,
    /// Column names.
    pub header: Vec<&'static str>,
    /// The rows, each as long as the header.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The table as CSV (RFC 4180: comma-separated, CRLF line ends, fields with commas, quotes
    /// or line breaks quoted, quotes doubled).
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let header: Vec<String> = self.header.iter().map(|h| h.to_string()).collect();
        csv_row(&mut out, &header);
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(Cell::display).collect();
            csv_row(&mut out, &cells);
        }
        out
    }
}

fn csv_row(out: &mut String, cells: &[String]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push_str("\r\n");
}

fn basis(basis: MixBasis) -> &'static str {
    match basis {
        MixBasis::User => "own sourcing",
        MixBasis::World => "world mix",
        MixBasis::Trade => "trade",
        MixBasis::Mixed => "mixed",
        MixBasis::Unavailable => "unavailable",
    }
}

fn stage_cells(stage: Option<&StageResult>) -> [Cell; 6] {
    let concentration = stage.and_then(|s| s.concentration.as_ref());
    let largest = concentration.and_then(|c| c.largest);
    [
        stage.map_or(Cell::Empty, |s| Cell::text(basis(s.basis))),
        Cell::number(concentration.map(|c| c.hhi)),
        Cell::number(concentration.map(|c| c.effective_suppliers)),
        largest.map_or(Cell::Empty, |(c, _)| Cell::text(c.as_str())),
        Cell::pct(largest.map(|(_, s)| s)),
        Cell::number(stage.and_then(|s| s.hhi_wgi.as_ref()).map(|h| h.value)),
    ]
}

const STAGE_COLUMNS: [&str; 6] = [
    "basis",
    "hhi",
    "effective_suppliers",
    "largest_country",
    "largest_share_pct",
    "hhi_wgi",
];

/// One row per line: its inputs and, per stage after the look-through, the basis, HHI,
/// effective suppliers, largest country and its share, and governance-weighted HHI.
pub fn lines_table(assessment: &Assessment, reference: &ReferenceData) -> Table {
    let mut header = vec![
        "line",
        "label",
        "material",
        "material_name",
        "spend",
        "spend_unit",
        "revenue_share_pct",
        "inventory_days",
        "direct_stage",
        "bottleneck_stage",
        "supply_risk",
    ];
    header.extend(LINE_STAGE_COLUMNS);
    let unit = assessment.totals.spend_unit.clone().unwrap_or_default();
    let rows = assessment
        .lines
        .iter()
        .map(|line| {
            let name = reference
                .find_material(&line.material)
                .map_or(line.material.clone(), |m| m.name.clone());
            let mut row = vec![
                Cell::Number(line.line as f64),
                line.label.clone().map_or(Cell::Empty, Cell::Text),
                Cell::text(line.material.clone()),
                Cell::Text(name),
                Cell::Number(line.spend),
                Cell::text(unit.clone()),
                Cell::pct(Some(line.revenue_share)),
                Cell::Number(line.inventory_days),
                line.direct_stage
                    .map_or(Cell::Empty, |s| Cell::text(s.id())),
                line.worst_stage.map_or(Cell::Empty, |s| Cell::text(s.id())),
                Cell::number(line.supply_risk),
            ];
            for stage in crate::model::Stage::ALL {
                row.extend(stage_cells(line.stages.iter().find(|s| s.stage == stage)));
            }
            row
        })
        .collect();
    Table {
        name: "lines",
        header,
        rows,
    }
}

/// The per-stage columns of the lines table, stage by stage (upstream first), in the order of
/// [`STAGE_COLUMNS`].
const LINE_STAGE_COLUMNS: [&str; 18] = [
    "mining_basis",
    "mining_hhi",
    "mining_effective_suppliers",
    "mining_largest_country",
    "mining_largest_share_pct",
    "mining_hhi_wgi",
    "refining_basis",
    "refining_hhi",
    "refining_effective_suppliers",
    "refining_largest_country",
    "refining_largest_share_pct",
    "refining_hhi_wgi",
    "component_basis",
    "component_hhi",
    "component_effective_suppliers",
    "component_largest_country",
    "component_largest_share_pct",
    "component_hhi_wgi",
];

/// One row per material and stage: the material's spend, revenue dependence, supply risk (the
/// firm's own, with its basis, bottleneck stage and the threshold it was classified against),
/// action, the EU's reference value for the material (its published SR, the assessment year and
/// an older-data flag: the EU's, not the firm's), and the stage's measures (spend-weighted over
/// the material's lines).
pub fn materials_table(assessment: &Assessment) -> Table {
    let mut header = vec![
        "material",
        "material_name",
        "stage",
        "spend",
        "spend_share_pct",
        "revenue_share_pct",
        "min_inventory_days",
        "supply_risk",
        "supply_risk_basis",
        "supply_risk_threshold",
        "bottleneck_stage",
        "action",
        "eu_reference_sr",
        "eu_reference_year",
        "eu_reference_older_data",
    ];
    header.extend(STAGE_COLUMNS);
    header.extend(["rest_of_world_pct", "countries"]);
    let mut rows = Vec::new();
    for material in &assessment.materials {
        let eu = material.eu_reference.as_ref();
        for stage in &material.stages {
            let concentration = stage.concentration.as_ref();
            let mut row = vec![
                Cell::text(material.material.clone()),
                Cell::text(material.name.clone()),
                Cell::text(stage.stage.id()),
                Cell::Number(material.spend),
                Cell::pct(Some(material.spend_share)),
                Cell::pct(Some(material.revenue_share)),
                Cell::Number(material.min_inventory_days),
                Cell::number(material.supply_risk.value),
                Cell::text(supply_risk_basis(material.supply_risk.basis)),
                Cell::number(material.supply_risk.threshold),
                material
                    .worst_stage
                    .map_or(Cell::Empty, |s| Cell::text(s.id())),
                Cell::text(material.action.label()),
                Cell::number(eu.and_then(|e| e.supply_risk)),
                eu.map_or(Cell::Empty, |e| Cell::Number(f64::from(e.assessment_year))),
                eu.map_or(Cell::Empty, |e| {
                    Cell::text(if e.older_data { "yes" } else { "no" })
                }),
            ];
            row.extend(stage_cells(Some(stage)));
            row.push(Cell::pct(concentration.map(|c| c.rest_of_world)));
            row.push(Cell::number(concentration.map(|c| c.countries as f64)));
            rows.push(row);
        }
    }
    Table {
        name: "materials_stages",
        header,
        rows,
    }
}

/// What a supply-risk value is, in the export's words.
fn supply_risk_basis(basis: SupplyRiskBasis) -> &'static str {
    match basis {
        SupplyRiskBasis::Firm => "firm sourcing, GeoPolRisk 0-1",
        SupplyRiskBasis::Caller => "given",
        SupplyRiskBasis::Unavailable => "unavailable",
    }
}

/// The chokepoint ranking, highest first, in the assessment's order.
pub fn chokepoints_table(assessment: &Assessment, reference: &ReferenceData) -> Table {
    let header = vec![
        "rank",
        "material",
        "material_name",
        "stage",
        "country",
        "country_name",
        "basis",
        "share_pct",
        "spend_exposed",
        "revenue_exposed_pct",
    ];
    let rows = assessment
        .chokepoints
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let material = reference
                .find_material(&c.material)
                .map_or(c.material.clone(), |m| m.name.clone());
            let country = reference
                .country(c.country)
                .map_or(c.country.as_str().to_string(), |k| k.name.clone());
            vec![
                Cell::Number((i + 1) as f64),
                Cell::text(c.material.clone()),
                Cell::Text(material),
                Cell::text(c.stage.id()),
                Cell::text(c.country.as_str()),
                Cell::Text(country),
                Cell::text(basis(c.basis)),
                Cell::pct(Some(c.share)),
                Cell::Number(c.spend_exposed),
                Cell::pct(Some(c.revenue_exposed)),
            ]
        })
        .collect();
    Table {
        name: "chokepoints",
        header,
        rows,
    }
}

/// The three results tables, in download order.
pub fn results_tables(assessment: &Assessment, reference: &ReferenceData) -> [Table; 3] {
    [
        lines_table(assessment, reference),
        materials_table(assessment),
        chokepoints_table(assessment, reference),
    ]
}

/// Which results file to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultsKind {
    /// Per line (CSV).
    Lines,
    /// Per material and stage (CSV).
    Materials,
    /// The chokepoint ranking (CSV).
    Chokepoints,
    /// All three tables as one XLSX workbook, a sheet each.
    Workbook,
}

impl ResultsKind {
    /// Every kind, in the order of the download buttons.
    pub const ALL: [ResultsKind; 4] = [
        ResultsKind::Lines,
        ResultsKind::Materials,
        ResultsKind::Chokepoints,
        ResultsKind::Workbook,
    ];

    /// The media type of the file.
    pub fn mime(self) -> &'static str {
        match self {
            ResultsKind::Workbook => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            _ => "text/csv",
        }
    }
}

/// A file ready to download.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultsFile {
    /// The file name, for example `chokepoint-lines.csv`.
    pub name: String,
    /// Its media type.
    pub mime: &'static str,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The results file of `kind` for `assessment`.
///
/// ```
/// use chokepoint::analysis::export::{results_file, ResultsKind};
/// use chokepoint::analysis::assess::{assess, AssessParams};
/// use chokepoint::portfolio::Portfolio;
/// let reference = chokepoint::reference::embedded();
/// let json = r#"{"schema_version": 1, "lines": [{"material": "gallium", "spend": 100, "revenue_share_pct": 10}]}"#;
/// let portfolio = Portfolio::from_json(json, reference).unwrap();
/// let assessment = assess(&portfolio, reference, &AssessParams::default());
/// let csv = results_file(&assessment, reference, ResultsKind::Lines);
/// assert_eq!(csv.name, "chokepoint-lines.csv");
/// assert!(String::from_utf8(csv.bytes).unwrap().contains("gallium"));
/// let workbook = results_file(&assessment, reference, ResultsKind::Workbook);
/// assert_eq!(&workbook.bytes[..2], b"PK");
/// ```
pub fn results_file(
    assessment: &Assessment,
    reference: &ReferenceData,
    kind: ResultsKind,
) -> ResultsFile {
    let tables = results_tables(assessment, reference);
    let csv = |table: &Table| ResultsFile {
        name: format!("chokepoint-{}.csv", table.name),
        mime: kind.mime(),
        bytes: table.to_csv().into_bytes(),
    };
    match kind {
        ResultsKind::Lines => csv(&tables[0]),
        ResultsKind::Materials => csv(&tables[1]),
        ResultsKind::Chokepoints => csv(&tables[2]),
        ResultsKind::Workbook => ResultsFile {
            name: "chokepoint-results.xlsx".into(),
            mime: kind.mime(),
            bytes: xlsx::workbook(&tables),
        },
    }
}
