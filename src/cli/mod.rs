//! The command-line front end: the same core, for analysts, batch jobs and reproducible results.
//!
//! [`run`] takes the arguments, the reference data and two writers, and returns the exit code;
//! it does no I/O of its own beyond reading the files named in the arguments, so tests call it
//! with a hand-made [`ReferenceData`] and in-memory buffers. [`main`] binds it to the embedded
//! reference data, standard output and standard error.

mod eu_sr;
mod plan;
mod simulate;

use crate::analysis::assess::{AssessParams, RankBy, assess};
use crate::analysis::outlook::portfolio_outlook;
use crate::analysis::policy::Date;
use crate::portfolio::{LookThroughBasis, Portfolio, PortfolioError};
use crate::reference::matching::MaterialMatchError;
use crate::reference::{Dataset, Material, ReferenceData};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

/// The text of `chokepoint --help`.
pub const HELP: &str = "chokepoint: critical-minerals exposure calculator (command line)

USAGE:
    chokepoint <COMMAND> [ARGS]

COMMANDS:
    assess FILE.json [OPTIONS]
        Validate the portfolio in FILE.json (format: docs/PORTFOLIO_FORMAT.md) and print the
        full assessment as JSON: per line, material and stage the country mix after the
        look-through (an unknown upstream stage below a known one follows that stage's
        countries' production and imports, CEPII BACI 2022-2024, where trade data exists; the
        world mix elsewhere; `look_through` in the file or --look-through), HHI (0-10,000),
        effective number of supplier countries, CR1, CR3, group shares, governance-weighted HHI,
        the exposure not entered (what the filled stages assume beyond the direct suppliers, per
        material), portfolio totals, ranked chokepoints (with the share on the other
        look-through basis) and an action per material; per material the EU 2023 published
        supply risk (the EU's reference value for the material, about 2016-2020 data, not the
        firm's), the firm supply risk (GeoPolRisk: world HHI of each stage times the firm's
        share-weighted governance, 0-1, at the bottleneck stage; assumptions listed), the action
        thresholds used (`calibration`), the policy findings per stage (CRMA 65 % benchmark, DFARS
        covered countries, IRC 30D, 45Y/48E), with the failing ones summarised under `policy`,
        and `outlook`: per material and stage filled from the world mix that the IEA projects,
        the mix in 2024 (IEA base year), 2030, 2035 and 2040 if the sourcing stays as it is (IEA
        base case).
        `warnings` lists the entries the reference data contradicts (mining or refining in a
        country with no recorded production of the material at that stage), with the data and
        the likely intent; they are kept as entered. Use `-` for standard input.
        Options:
          --date YYYY-MM-DD         check the policy rules on this date (rules in force,
                                    threshold year). Default: today (UTC, from this computer's
                                    clock, read here in the command line; the calculation
                                    core reads no clock). The output states when the rules
                                    were researched (`policy.researched`); a start or end
                                    date between then and the check date is flagged on its
                                    finding (`unconfirmed`): check the current status.
          --as-written              check every rule as written instead, regardless of its
                                    dates; each finding shows its dates
          --unknown-governance X    governance score (0-10, 10 = weakest) assumed in the firm
                                    supply risk for countries without a WGI score and for the
                                    rest of the world (default 5, the average country's:
                                    the one convention of docs/METHODS.md)
          --look-through trade|world
                                    fill unknown upstream stages by trade or by world
                                    production (default: the file's `look_through`, else trade)
          --rank-by spend|revenue   rank chokepoints by spend (default) or revenue exposed
          --top N                   keep the N highest chokepoints (default 25; 0 = all)
          --published-sr            use the published EU 2023 supply risk as each material's
                                    supply-risk axis where there is one (default: the firm
                                    supply risk); compared with the 75th percentile of the
                                    EU SR over the catalogue
          --sr-threshold X          supply risk at or above which it is high (default: the 75th
                                    percentile of the catalogue's scores, see docs/METHODS.md)
          --impact-threshold PCT    revenue dependence in percent at or above which business
                                    impact is high (default 10)
        Invalid files print every problem, one a line (\"line 3 (Magnets), refining: shares
        sum to 140 %, ...\"), to standard error and exit with status 1.

    reference [MATERIAL]
        Print the reference data as JSON: the material catalogue with country shares per stage,
        each with its source data set and year (USGS 2025, IEA 2024, EU 2023 study), the share
        as published and as normalised for the calculations, the normalisation (published sum
        and factor), the world total where published, the previous vintage (USGS 2024) and the
        trend, and the IEA base-case projections (2030, 2035, 2040) where the IEA has them; list
        memberships (EU critical and strategic 2023, U.S. critical 2022 and 2025) and the EU 2023
        assessment (SR, EI, bottleneck, IR, EoL-RIR, SI_SR, global supply and EU sourcing with
        trade parameters), plus countries, groups and data sets. With a MATERIAL id, only that
        material and the data sets its shares cite.

    eu-sr FILE.csv
        Apply the EU supply-risk formula to the rows of a CSV file (see `chokepoint eu-sr --help`).
    plan FILE.json [OPTIONS]   Diversification planner: sourcing shifts that cut risk most (see `chokepoint plan --help`).

    simulate FILE.json [--preset ID | --country ISO3 ...] [--monte-carlo] [--date YYYY-MM-DD]
        (see `simulate --help`; a preset's status is judged on --date, default today)

    help, --help, -h
        Print this help.

EXIT STATUS:
    0 success; 1 invalid input file; 2 usage error (unknown command or option, unreadable file).
";

/// Runs the command line with `args` (without the program name) against `reference`, writing
/// results to `out` and messages to `err`; returns the exit code.
pub fn run(
    args: &[String],
    reference: &ReferenceData,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitCode {
    let result = match args.first().map(String::as_str) {
        None | Some("help" | "--help" | "-h") => {
            write_text(out, HELP).map_or_else(|e| Err(CliError::Io(e)), |()| Ok(ExitCode::SUCCESS))
        }
        Some("assess") => run_assess(&args[1..], reference, out),
        Some("reference") => run_reference(&args[1..], reference, out),
        Some("eu-sr") => Ok(eu_sr::run(&args[1..], out, err)),
        Some("simulate") => simulate::run(&args[1..], reference, out),
        Some("plan") => plan::run(&args[1..], reference, out, err),
        Some(other) => Err(CliError::Usage(format!("unknown command `{other}`"))),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            // Nothing more can be done when standard error itself fails.
            let _ = writeln!(err, "chokepoint: {error}");
            if matches!(error, CliError::Usage(_)) {
                let _ = writeln!(err, "see `chokepoint --help`");
            }
            error.exit_code()
        }
    }
}

/// Runs the command line against the embedded reference data, standard output and standard
/// error.
pub fn main(args: &[String]) -> ExitCode {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    run(
        args,
        crate::reference::embedded(),
        &mut stdout.lock(),
        &mut stderr.lock(),
    )
}

/// What went wrong, and the exit code it maps to.
enum CliError {
    /// Unknown command or option, missing argument, unreadable file: exit 2.
    Usage(String),
    /// The input file is not a valid portfolio: exit 1.
    Invalid(PortfolioError),
    /// Writing the output failed: exit 1.
    Io(std::io::Error),
}

impl CliError {
    fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage(_) => ExitCode::from(2),
            CliError::Invalid(_) | CliError::Io(_) => ExitCode::from(1),
        }
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Usage(message) => f.write_str(message),
            CliError::Invalid(PortfolioError::Parse(e)) => e.fmt(f),
            CliError::Invalid(error @ PortfolioError::TooLarge(_)) => error.fmt(f),
            CliError::Invalid(PortfolioError::Invalid(errors)) => {
                write!(f, "the portfolio has {} problem(s):", errors.len())?;
                for error in errors {
                    write!(f, "\n  {error}")?;
                }
                Ok(())
            }
            CliError::Io(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

fn write_text(out: &mut dyn Write, text: &str) -> std::io::Result<()> {
    out.write_all(text.as_bytes())
}

fn write_json(out: &mut dyn Write, value: &impl Serialize) -> Result<ExitCode, CliError> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| CliError::Io(std::io::Error::other(e)))?;
    write_text(out, &text)
        .and_then(|()| write_text(out, "\n"))
        .map_err(CliError::Io)?;
    Ok(ExitCode::SUCCESS)
}

fn read_input(path: &str) -> Result<String, CliError> {
    if path == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| CliError::Usage(format!("cannot read standard input: {e}")))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| CliError::Usage(format!("cannot read `{path}`: {e}")))
}

fn option_value<'a>(
    name: &str,
    args: &mut impl Iterator<Item = &'a String>,
) -> Result<&'a str, CliError> {
    args.next()
        .map(String::as_str)
        .ok_or_else(|| CliError::Usage(format!("`{name}` needs a value")))
}

fn parse_number(name: &str, text: &str) -> Result<f64, CliError> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| CliError::Usage(format!("`{name}`: `{text}` is not a non-negative number")))
}

/// Today's date in UTC, from the system clock: the command line's default check date (the
/// calculation core never reads a clock). `None` when the clock is before 1970 or past 9999.
fn today() -> Option<Date> {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    date_from_days(i64::try_from(seconds / 86_400).ok()?)
}

/// The calendar date `days` days after 1970-01-01 (proleptic Gregorian): the inverse of
/// counting days from the epoch, after H. Hinnant, "chrono-Compatible Low-Level Date
/// Algorithms" (`civil_from_days`): shift the epoch to 0000-03-01, split into 400-year eras of
/// 146,097 days, and read year, day of year and month (from March) off the era's day.
fn date_from_days(days: i64) -> Option<Date> {
    let z = days.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    Date::new(
        u16::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
    )
}

/// `--date YYYY-MM-DD`, as a usage error when it is not a date.
fn parse_date(text: &str) -> Result<Date, CliError> {
    Date::parse(text.trim()).map_err(|e| CliError::Usage(format!("`--date`: {e}")))
}

fn run_assess(
    args: &[String],
    reference: &ReferenceData,
    out: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    let mut file: Option<&str> = None;
    let mut params = AssessParams::default();
    let mut published_sr = false;
    let mut look_through: Option<LookThroughBasis> = None;
    let mut date: Option<Date> = None;
    let mut as_written = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--help" | "-h" => {
                write_text(out, HELP).map_err(CliError::Io)?;
                return Ok(ExitCode::SUCCESS);
            }
            "--rank-by" => {
                params.rank_by = match option_value(arg, &mut rest)? {
                    "spend" => RankBy::Spend,
                    "revenue" => RankBy::Revenue,
                    other => {
                        return Err(CliError::Usage(format!(
                            "`--rank-by`: `{other}` is neither `spend` nor `revenue`"
                        )));
                    }
                }
            }
            "--top" => {
                let text = option_value(arg, &mut rest)?;
                params.max_chokepoints = text.parse().map_err(|_| {
                    CliError::Usage(format!("`--top`: `{text}` is not a whole number"))
                })?;
            }
            "--published-sr" => published_sr = true,
            "--look-through" => {
                let text = option_value(arg, &mut rest)?;
                look_through = Some(LookThroughBasis::parse(text).ok_or_else(|| {
                    CliError::Usage(format!(
                        "`--look-through`: `{text}` is neither `trade` nor `world`"
                    ))
                })?);
            }
            "--date" => date = Some(parse_date(option_value(arg, &mut rest)?)?),
            "--as-written" => as_written = true,
            "--unknown-governance" => {
                let value = parse_number(arg, option_value(arg, &mut rest)?)?;
                if !(0.0..=10.0).contains(&value) {
                    return Err(CliError::Usage(format!(
                        "`--unknown-governance`: {value} is not between 0 and 10"
                    )));
                }
                params.unknown_governance = value;
            }
            "--sr-threshold" => {
                params.thresholds.supply_risk =
                    Some(parse_number(arg, option_value(arg, &mut rest)?)?);
            }
            "--impact-threshold" => {
                params.thresholds.business_impact =
                    parse_number(arg, option_value(arg, &mut rest)?)? / 100.0;
            }
            option if option.starts_with("--") => {
                return Err(CliError::Usage(format!("unknown option `{option}`")));
            }
            path if file.is_none() => file = Some(path),
            extra => return Err(CliError::Usage(format!("unexpected argument `{extra}`"))),
        }
    }
    let Some(file) = file else {
        return Err(CliError::Usage(
            "`assess` needs a portfolio file".to_string(),
        ));
    };
    params.date = match (date, as_written) {
        (Some(_), true) => {
            return Err(CliError::Usage(
                "give `--date` or `--as-written`, not both".to_string(),
            ));
        }
        (Some(date), false) => Some(date),
        (None, true) => None,
        (None, false) => today(),
    };
    if published_sr {
        params = params.with_published_eu_supply_risk(reference);
    }
    let text = read_input(file)?;
    let mut portfolio = Portfolio::from_json(&text, reference).map_err(CliError::Invalid)?;
    if let Some(basis) = look_through {
        portfolio.look_through = basis;
    }
    write_json(
        out,
        &AssessOutput {
            assessment: &assess(&portfolio, reference, &params),
            outlook: portfolio_outlook(&portfolio, reference),
        },
    )
}

/// What `chokepoint assess` prints: the assessment and the forward view from the IEA's
/// projections.
#[derive(Serialize)]
struct AssessOutput<'a> {
    #[serde(flatten)]
    assessment: &'a crate::analysis::assess::Assessment,
    outlook: Vec<crate::analysis::outlook::MaterialOutlook>,
}

/// `chokepoint reference MATERIAL`: one material and the data sets it cites.
#[derive(Serialize)]
struct MaterialReference<'a> {
    material: &'a Material,
    datasets: Vec<&'a Dataset>,
}

fn run_reference(
    args: &[String],
    reference: &ReferenceData,
    out: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    match args {
        [] => write_json(out, reference),
        [flag] if flag == "--help" || flag == "-h" => {
            write_text(out, HELP).map_err(CliError::Io)?;
            Ok(ExitCode::SUCCESS)
        }
        [id] => {
            let material = match reference.resolve_material(id) {
                Ok(material) => material,
                Err(MaterialMatchError::Unknown(_)) => {
                    let known: Vec<&str> =
                        reference.materials.iter().map(|m| m.id.as_str()).collect();
                    return Err(CliError::Usage(format!(
                        "no material `{id}` in the catalogue; known: {}",
                        known.join(", ")
                    )));
                }
                Err(error) => return Err(CliError::Usage(error.to_string())),
            };
            let datasets = reference
                .datasets
                .iter()
                .filter(|d| {
                    material.stages.iter().any(|s| {
                        s.source.dataset == d.id
                            || s.previous
                                .as_ref()
                                .is_some_and(|p| p.source.dataset == d.id)
                            || s.projections.iter().any(|p| p.source.dataset == d.id)
                    })
                })
                .collect();
            write_json(out, &MaterialReference { material, datasets })
        }
        [_, extra, ..] => Err(CliError::Usage(format!("unexpected argument `{extra}`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::date_from_days;

    #[test]
    fn days_since_the_epoch_to_dates() {
        for (days, date) in [
            (0, "1970-01-01"),
            (-1, "1969-12-31"),
            (11_016, "2000-02-29"),
            (20_000, "2024-10-04"),
            (20_793, "2026-12-06"),
        ] {
            assert_eq!(date_from_days(days).unwrap().to_string(), date, "{days}");
        }
        assert_eq!(date_from_days(i64::MAX), None);
        assert_eq!(date_from_days(-800_000), None);
    }
}
