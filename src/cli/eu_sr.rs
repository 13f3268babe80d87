//! `chokepoint eu-sr FILE.csv`: the EU supply-risk formula applied to rows of a CSV file.
//!
//! Reads rows with the columns of the EU 2017 worked cases (`supply_used`, `HHI_WGI_t_GS`,
//! `HHI_WGI_t_EU`, `IR`, `EoL_RIR`, `SI_SR`; see
//! `data/sources/eu-crm/eu2017_sr_cases.csv`), computes the supply risk of each row with
//! [`crate::analysis::supply_risk`] and writes the rows back as CSV, every input column unchanged
//! and in order, with an `SR` column appended.
//!
//! Behaviour, as documented in `--help`:
//!
//! - `SR` is printed with four decimals (the EU publishes one decimal; four keep the
//!   recomputation checkable without spurious digits).
//! - Fractions, not percentages: `IR`, `EoL_RIR` and `SI_SR` lie in 0..1 (a negative `IR` counts
//!   as 0). Cells a row's `supply_used` does not need may be empty.
//! - A bad row (unparsable number, unknown `supply_used`, value out of range, wrong number of
//!   fields) is reported on standard error with its row number (1 = first data row), its line and
//!   the column, and left out of the output; the other rows are still processed. The exit code
//!   is then 1.
//! - Exit code 2 for usage errors, an unreadable file or a missing column; 0 when every row was
//!   computed.

use crate::analysis::supply_risk::{SupplyRiskInputs, SupplyRiskParams, SupplyUsed, supply_risk};
use std::io::{Read, Write};
use std::process::ExitCode;

const HELP: &str = "chokepoint eu-sr: the EU supply-risk formula applied to rows of a CSV file

USAGE:
    chokepoint eu-sr FILE.csv
    chokepoint eu-sr -            (read standard input)

INPUT COLUMNS (other columns are passed through unchanged, in order):
    supply_used     GS only | EUS only | GS + EUS
    HHI_WGI_t_GS    governance-weighted concentration of global supply (0..15)
    HHI_WGI_t_EU    governance-weighted concentration of EU sourcing (0..15)
    IR              import reliance, fraction (negative counts as 0)
    EoL_RIR         end-of-life recycling input rate, fraction 0..1
    SI_SR           substitution index for supply risk, 0..1
    Cells a row's supply_used does not need may be empty.

OUTPUT:
    The input rows as CSV with an `SR` column appended, four decimals:
    SR = [HHI_GS * IR/2 + HHI_EU * (1 - IR/2)] * (1 - EoL_RIR) * SI_SR
    (\"GS only\": HHI_GS * (1 - EoL_RIR) * SI_SR; \"EUS only\": HHI_EU * (1 - EoL_RIR) * SI_SR)
    Source: EU 2017 criticality study, Deloitte/BGS/BRGM/TNO for DG GROW, doi:10.2873/876644.

ERRORS:
    A bad row is reported on standard error (row number, line, column) and left out of the
    output; the other rows are still written. Exit code 1 if any row was bad, 2 for usage
    errors, an unreadable file or a missing column, 0 otherwise.
";

/// The columns the formula reads, in the order reported when missing.
const COLUMNS: [&str; 6] = [
    "supply_used",
    "HHI_WGI_t_GS",
    "HHI_WGI_t_EU",
    "IR",
    "EoL_RIR",
    "SI_SR",
];

/// Runs `chokepoint eu-sr` with `args` (the arguments after `eu-sr`), reading standard input for
/// `-`. Writes the CSV to `out` and messages to `err`; returns the exit code.
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    let stdin = std::io::stdin();
    let mut lock = stdin.lock();
    run_with_stdin(args, &mut lock, out, err)
}

/// [`run`] with an explicit standard input, for tests.
fn run_with_stdin(
    args: &[String],
    stdin: &mut dyn Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitCode {
    // Failures to write messages to `err` cannot be reported anywhere else; they are ignored.
    let path = match args {
        [flag] if flag == "--help" || flag == "-h" => {
            return match out.write_all(HELP.as_bytes()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::from(2),
            };
        }
        [path] => path.as_str(),
        _ => {
            let _ = writeln!(
                err,
                "chokepoint eu-sr: expected one FILE.csv (or `-` for standard input); see `chokepoint eu-sr --help`"
            );
            return ExitCode::from(2);
        }
    };
    let source: Box<dyn Read + '_> = if path == "-" {
        Box::new(stdin)
    } else {
        match std::fs::File::open(path) {
            Ok(file) => Box::new(file),
            Err(e) => {
                let _ = writeln!(err, "chokepoint eu-sr: cannot open `{path}`: {e}");
                return ExitCode::from(2);
            }
        }
    };
    match process(source, out, err) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(bad) => {
            let _ = writeln!(
                err,
                "chokepoint eu-sr: {bad} bad row(s) left out of the output"
            );
            ExitCode::from(1)
        }
        Err(message) => {
            let _ = writeln!(err, "chokepoint eu-sr: {message}");
            ExitCode::from(2)
        }
    }
}

/// Reads the CSV from `source`, writes the result to `out`, reports bad rows on `err`; returns
/// the number of bad rows, or a fatal error message.
fn process(source: impl Read, out: &mut dyn Write, err: &mut dyn Write) -> Result<usize, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(source);
    let headers = reader
        .headers()
        .map_err(|e| format!("cannot read the header row: {e}"))?
        .clone();
    let mut index = [0usize; 6];
    for (slot, name) in index.iter_mut().zip(COLUMNS) {
        *slot = headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| format!("missing column `{name}` (expected {})", COLUMNS.join(", ")))?;
    }
    if headers.iter().any(|h| h.trim() == "SR") {
        return Err("the input already has an `SR` column".to_string());
    }
    let mut writer = csv::Writer::from_writer(out);
    let mut header_out = headers.clone();
    header_out.push_field("SR");
    writer
        .write_record(&header_out)
        .map_err(|e| format!("cannot write: {e}"))?;
    let mut bad = 0;
    let mut record = csv::StringRecord::new();
    let mut row = 0usize;
    loop {
        row += 1;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(format!("cannot read row {row}: {e}"));
                }
                let line = e.position().map_or(0, |p| p.line());
                let _ = writeln!(err, "row {row} (line {line}): {e}");
                bad += 1;
                continue;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        match compute(&record, &index) {
            Ok(sr) => {
                let mut fields = record.clone();
                fields.push_field(&format!("{sr:.4}"));
                writer
                    .write_record(&fields)
                    .map_err(|e| format!("cannot write: {e}"))?;
            }
            Err((column, message)) => {
                let _ = writeln!(err, "row {row} (line {line}), column `{column}`: {message}");
                bad += 1;
            }
        }
    }
    writer.flush().map_err(|e| format!("cannot write: {e}"))?;
    Ok(bad)
}

/// Computes SR for one record; on failure returns the column at fault and a message.
fn compute(record: &csv::StringRecord, index: &[usize; 6]) -> Result<f64, (&'static str, String)> {
    let cell = |i: usize| record.get(index[i]).unwrap_or("").trim();
    let number = |i: usize| -> Result<Option<f64>, (&'static str, String)> {
        let text = cell(i);
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<f64>()
            .map(Some)
            .map_err(|_| (COLUMNS[i], format!("`{text}` is not a number")))
    };
    let supply_used: SupplyUsed =
        cell(0)
            .parse()
            .map_err(|e: crate::analysis::supply_risk::ParseSupplyUsedError| {
                (COLUMNS[0], e.to_string())
            })?;
    let required = |i: usize| -> Result<f64, (&'static str, String)> {
        number(i)?.ok_or((COLUMNS[i], "empty, but required".to_string()))
    };
    let inputs = SupplyRiskInputs {
        supply_used,
        hhi_global: number(1)?,
        hhi_eu: number(2)?,
        import_reliance: number(3)?,
        eol_rir: required(4)?,
        si_sr: required(5)?,
    };
    let params = SupplyRiskParams::new(&inputs).map_err(|e| {
        let column = match &e {
            crate::analysis::supply_risk::SupplyRiskError::Missing { field, .. }
            | crate::analysis::supply_risk::SupplyRiskError::NotFinite { field }
            | crate::analysis::supply_risk::SupplyRiskError::OutOfRange { field, .. } => {
                field.column()
            }
        };
        (column, e.to_string())
    })?;
    Ok(supply_risk(&params))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/sources/eu-crm/eu2017_sr_cases.csv"
    );

    fn call(args: &[&str], stdin: &str) -> (ExitCode, String, String) {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run_with_stdin(&args, &mut stdin.as_bytes(), &mut out, &mut err);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn real_cases_file_gets_an_sr_column_matching_the_recomputation() {
        let (code, out, err) = call(&[CASES], "");
        assert_eq!(code, ExitCode::SUCCESS, "{err}");
        assert!(err.is_empty());
        let input = std::fs::read_to_string(CASES).unwrap();
        let mut reader = csv::Reader::from_reader(out.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let input_headers: Vec<&str> = input.lines().next().unwrap().split(',').collect();
        assert_eq!(headers.len(), input_headers.len() + 1);
        assert_eq!(&headers[headers.len() - 1], "SR");
        let recomputed = headers.iter().position(|h| h == "SR_recomputed").unwrap();
        let mut rows = 0;
        for (record, line) in reader.records().zip(input.lines().skip(1)) {
            let record = record.unwrap();
            // Input columns pass through unchanged, in order.
            let passed: Vec<&str> = record.iter().take(input_headers.len()).collect();
            assert_eq!(passed.join(","), line);
            let sr: f64 = record[headers.len() - 1].parse().unwrap();
            let expected: f64 = record[recomputed].parse().unwrap();
            assert!((sr - expected).abs() <= 0.01, "{line}: {sr}");
            rows += 1;
        }
        assert_eq!(rows, 12);
    }

    #[test]
    fn reads_standard_input_for_dash() {
        let input = "material,supply_used,HHI_WGI_t_GS,HHI_WGI_t_EU,IR,EoL_RIR,SI_SR\n\
                     X,GS only,2.4,,,0.0,1.0\n";
        let (code, out, _) = call(&["-"], input);
        assert_eq!(code, ExitCode::SUCCESS);
        assert_eq!(
            out,
            "material,supply_used,HHI_WGI_t_GS,HHI_WGI_t_EU,IR,EoL_RIR,SI_SR,SR\nX,GS only,2.4,,,0.0,1.0,2.4000\n"
        );
    }

    #[test]
    fn bad_rows_are_reported_with_row_and_column_and_skipped() {
        let input = "material,supply_used,HHI_WGI_t_GS,HHI_WGI_t_EU,IR,EoL_RIR,SI_SR\n\
                     A,GS + EUS,abc,1.0,0.5,0,1\n\
                     B,GS only,2.0,,,0,1\n\
                     C,both,2.0,1.0,0.5,0,1\n\
                     D,GS + EUS,2.0,1.0,0.5,1.5,1\n\
                     E,GS + EUS,2.0,,0.5,0,1\n\
                     F,GS only,2.0\n";
        let (code, out, err) = call(&["-"], input);
        assert_eq!(code, ExitCode::from(1));
        assert_eq!(out.lines().count(), 2, "{out}");
        assert!(out.contains("B,GS only,2.0,,,0,1,2.0000"));
        assert!(
            err.contains("row 1 (line 2), column `HHI_WGI_t_GS`: `abc` is not a number"),
            "{err}"
        );
        assert!(
            err.contains("row 3 (line 4), column `supply_used`"),
            "{err}"
        );
        assert!(err.contains("row 4 (line 5), column `EoL_RIR`"), "{err}");
        assert!(
            err.contains("row 5 (line 6), column `HHI_WGI_t_EU`"),
            "{err}"
        );
        assert!(err.contains("row 6 (line 7)"), "{err}");
        assert!(err.contains("5 bad row(s)"), "{err}");
    }

    #[test]
    fn missing_column_stops_with_exit_code_2() {
        let (code, out, err) = call(&["-"], "supply_used,HHI_WGI_t_GS\nGS only,2\n");
        assert_eq!(code, ExitCode::from(2));
        assert!(out.is_empty());
        assert!(err.contains("missing column `HHI_WGI_t_EU`"), "{err}");
    }

    #[test]
    fn help_and_usage_errors() {
        let (code, out, _) = call(&["--help"], "");
        assert_eq!(code, ExitCode::SUCCESS);
        assert!(out.contains("USAGE"));
        let (code, _, err) = call(&[], "");
        assert_eq!(code, ExitCode::from(2));
        assert!(err.contains("expected one FILE.csv"));
        let (code, _, err) = call(&["/nonexistent/file.csv"], "");
        assert_eq!(code, ExitCode::from(2));
        assert!(err.contains("cannot open"));
    }
}
