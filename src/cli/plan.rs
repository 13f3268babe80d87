//! `chokepoint plan FILE.json`: the diversification planner ([`crate::analysis::planner`]) on a
//! portfolio file, as JSON.
//!
//! Without `--material`, every material of the portfolio is planned at the stage the firm buys
//! it at (every stage with a mix with `--upstream`);
//! a stage that cannot be planned (no data, infeasible limits) is reported in the JSON (`error`)
//! and on standard error, and the exit code stays 0. With `--material`, a plan that cannot be
//! made is an error: exit code 1.

use super::simulate::{MODEL_OPTIONS, model_option};
use super::{CliError, option_value, parse_number, read_input, write_json, write_text};
use crate::analysis::montecarlo::MonteCarloParams;
use crate::analysis::planner::{
    Objective, PlanOutcome, PlanParams, SanctionsList, plan_material, plan_portfolio,
};
use crate::model::{CountryCode, Stage};
use crate::portfolio::Portfolio;
use crate::reference::ReferenceData;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

/// The text of `chokepoint plan --help`.
const HELP: &str =
    "chokepoint plan: the sourcing shifts that cut risk most, within cost and capacity limits

USAGE:
    chokepoint plan FILE.json [OPTIONS]

For each material (or the one given) at the stage the firm buys it at (the most downstream
stage with a mix after the look-through; every stage with --upstream or the one given with
--stage), finds the country shares that minimise the objective, exactly, subject to: shares
sum to 100 %; each
country at most its cap (default: headroom x its world share at that stage, at least today's
share; a country that produces nothing cannot supply); at most --max-shift of volume moves;
total premium at most --budget; excluded countries at 0; required countries at their minimum.
Rest of world (ROW, the sources' \"other countries\") is never raised above today's share, for
every objective and frontier point: it is a residual of the statistics, not a supplier (a plan
may keep it or move it to named countries); the explanation says so. Restricted countries
(default: the U.S. covered nations of the reference data, China, Iran, North Korea and Russia,
10 U.S.C. 4872(d)(2)) are never raised above today's share either: no new volume moves to them;
the plan names them and the list's source (--restricted none turns this off).
Sanctioned countries are excluded (cap 0): by default the list of the portfolio's jurisdiction
(EU: eu_sanctions, the Council regulations per member; US: us_embargo, the OFAC comprehensive
embargoes); for another or no jurisdiction the plan says there is no list. Producers whose WGI
mean is below the world average (0), or without a score, are never raised above today's share
(an explicit --cap overrides both rules for that country).
Caps are an ASSUMPTION (headroom x world share), not capacity data: where suppliers have
confirmed volumes, set them with --cap.
Prints JSON: per material and stage the plan (shares before and after, HHI, covered-nation
share, governance-weighted HHI, premium), the binding constraints with their multipliers, the
efficient frontier of risk against premium and a recommended point explained in words.

OPTIONS:
    --material ID              plan this material only (default: every material)
    --stage STAGE              mining, refining or component (default: the stage the firm
                               buys at)
    --upstream                 plan every stage with a mix, upstream too (default: only the
                               stage the firm buys at)
    --restricted GROUP|none    the country group never raised above today's share (default
                               feoc_covered_nations; none: no restriction)
    --sanctions GROUP|none     the country group excluded (default: the list of the
                               portfolio's jurisdiction; none: no exclusion)
    --weak-governance WGI|none never raise a country whose WGI mean is below WGI (default 0,
                               the world average; none: no such rule)
    --objective OBJ            hhi-wgi (default), hhi, group:GROUP_ID (for example
                               group:feoc_covered_nations), or expected-loss: the material's
                               expected annual revenue loss under the Monte Carlo model of
                               `chokepoint simulate --monte-carlo` (first order: each
                               disruption taken alone; docs/METHODS.md)
    --max-shift PCT            at most PCT % of volume moves (default 100: no limit)
    --headroom X               cap = X times the world share (default 2)
    --cap ISO3=PCT,...         explicit caps that replace the default
    --premium ISO3=PCT,...     cost premium per country, % of price (default none)
    --budget PCT               total premium at most PCT % of spend (default: no limit)
    --exclude ISO3,...         countries that may not supply
    --require ISO3=PCT,...     countries that must keep at least PCT %
    --frontier N               frontier points (default 12; 0: none; at most 50)
    --help, -h                 print this help

EXPECTED-LOSS MODEL (with --objective expected-loss only; as `chokepoint simulate`):
    --revenue AMOUNT           annual revenue: the loss in money (default: % of revenue)
    --currency TEXT            the revenue's currency, for the explanation (e.g. EUR)
    --spare-capacity PCT       other suppliers' spare capacity, % of their share (default 10)
    --probability ISO3:STAGE:PCT
                               a country's annual disruption probability at a stage
                               (repeatable; default from governance and event history)
    --severity MIN:MAX         severity range in percent (default 25:100, uniform)
    --mean-months N            a geometric duration with mean N months, clipped at 12
                               (default 6)
    --durations LAW            geometric (default) or long-measures: the lognormal law
                               fitted to how long measures stay in force, an upper bound on
                               how long supply is cut

EXIT STATUS:
    0 success; 1 invalid portfolio, or no plan for --material; 2 usage error.
";

#[derive(Serialize)]
struct Output<'a> {
    portfolio: Option<&'a str>,
    params: &'a PlanParams,
    plans: Vec<PlanOutcome>,
}

fn parse_country(name: &str, text: &str) -> Result<CountryCode, CliError> {
    CountryCode::parse(text).ok_or_else(|| {
        CliError::Usage(format!(
            "`{name}`: `{text}` is not a three-letter country code"
        ))
    })
}

/// `ISO3=PCT,...` as a map from country to percent ([`crate::text::parse::country_numbers`],
/// the Plan page's reader).
fn parse_pairs(name: &str, text: &str) -> Result<BTreeMap<CountryCode, f64>, CliError> {
    crate::text::parse::country_numbers(text).map_err(|e| CliError::Usage(format!("`{name}`: {e}")))
}

/// A percent, zero or more, with or without its `%` sign ([`crate::text::parse::non_negative`]).
fn parse_percent(name: &str, text: &str) -> Result<f64, CliError> {
    crate::text::parse::non_negative(text).map_err(|e| CliError::Usage(format!("`{name}`: {e}")))
}

fn parse_percent_share(name: &str, text: &str) -> Result<f64, CliError> {
    let value = parse_percent(name, text)?;
    if value > 100.0 {
        return Err(CliError::Usage(format!("`{name}`: {value} is above 100")));
    }
    Ok(value / 100.0)
}

fn shares(
    name: &str,
    pairs: BTreeMap<CountryCode, f64>,
) -> Result<BTreeMap<CountryCode, f64>, CliError> {
    pairs
        .into_iter()
        .map(|(c, v)| {
            if v > 100.0 {
                Err(CliError::Usage(format!("`{name}`: {c}={v} is above 100")))
            } else {
                Ok((c, v / 100.0))
            }
        })
        .collect()
}

/// Runs `chokepoint plan` with `args` (after the command name).
pub(super) fn run(
    args: &[String],
    reference: &ReferenceData,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    let mut file: Option<&str> = None;
    let mut material: Option<&str> = None;
    let mut stage: Option<Stage> = None;
    let mut params = PlanParams::default();
    let mut model = MonteCarloParams::default();
    let mut model_given: Option<&str> = None;
    let mut currency: Option<String> = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--help" | "-h" => {
                write_text(out, HELP).map_err(CliError::Io)?;
                return Ok(ExitCode::SUCCESS);
            }
            "--material" => material = Some(option_value(arg, &mut rest)?.trim()),
            "--upstream" => params.upstream = true,
            "--restricted" => {
                let text = option_value(arg, &mut rest)?.trim();
                params.restricted = match text {
                    "" => {
                        return Err(CliError::Usage(
                            "`--restricted`: give a group id or `none`".to_string(),
                        ));
                    }
                    "none" => None,
                    id => Some(id.to_string()),
                };
            }
            "--sanctions" => {
                params.sanctions = match option_value(arg, &mut rest)?.trim() {
                    "" => {
                        return Err(CliError::Usage(
                            "`--sanctions`: give a group id or `none`".to_string(),
                        ));
                    }
                    "none" => SanctionsList::Off,
                    id => SanctionsList::Group(id.to_string()),
                };
            }
            "--weak-governance" => {
                let text = option_value(arg, &mut rest)?.trim();
                params.weak_governance = match text {
                    "none" => None,
                    number => Some(number.parse::<f64>().map_err(|_| {
                        CliError::Usage(format!(
                            "`--weak-governance`: `{text}` is not a number or `none`"
                        ))
                    })?),
                };
            }
            "--stage" => {
                let text = option_value(arg, &mut rest)?;
                stage = Some(
                    Stage::ALL
                        .into_iter()
                        .find(|s| s.id() == text.trim())
                        .ok_or_else(|| {
                            CliError::Usage(format!(
                                "`--stage`: `{text}` is not mining, refining or component"
                            ))
                        })?,
                );
            }
            "--objective" => {
                let text = option_value(arg, &mut rest)?;
                params.objective = Objective::parse(text).ok_or_else(|| {
                    CliError::Usage(format!(
                        "`--objective`: `{text}` is not hhi, hhi-wgi, group:GROUP_ID or \
                         expected-loss"
                    ))
                })?;
            }
            option if MODEL_OPTIONS.contains(&option) => {
                model_option(option, option_value(arg, &mut rest)?, &mut model)?;
                model_given = Some(option);
            }
            "--currency" => {
                currency = Some(option_value(arg, &mut rest)?.trim().to_string());
                model_given = Some("--currency");
            }
            "--max-shift" => {
                params.max_shift = parse_percent_share(arg, option_value(arg, &mut rest)?)?;
            }
            "--headroom" => params.headroom = parse_number(arg, option_value(arg, &mut rest)?)?,
            "--cap" => params.caps = shares(arg, parse_pairs(arg, option_value(arg, &mut rest)?)?)?,
            "--premium" => params.premiums = parse_pairs(arg, option_value(arg, &mut rest)?)?,
            "--budget" => {
                params.budget = Some(parse_percent(arg, option_value(arg, &mut rest)?)?);
            }
            "--exclude" => {
                for code in option_value(arg, &mut rest)?
                    .split(',')
                    .filter(|s| !s.trim().is_empty())
                {
                    params.exclude.insert(parse_country(arg, code)?);
                }
            }
            "--require" => {
                params.require = shares(arg, parse_pairs(arg, option_value(arg, &mut rest)?)?)?;
            }
            "--frontier" => {
                let text = option_value(arg, &mut rest)?;
                params.frontier_points = text
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n <= crate::analysis::planner::MAX_FRONTIER_POINTS)
                    .ok_or_else(|| {
                        CliError::Usage(format!(
                            "`--frontier`: `{text}` is not a whole number from 0 to 50"
                        ))
                    })?;
            }
            option if option.starts_with("--") => {
                return Err(CliError::Usage(format!("unknown option `{option}`")));
            }
            path if file.is_none() => file = Some(path),
            extra => return Err(CliError::Usage(format!("unexpected argument `{extra}`"))),
        }
    }
    match (&mut params.objective, model_given) {
        (Objective::ExpectedLoss(el), _) => {
            el.model = model;
            el.currency = currency;
        }
        (_, Some(option)) => {
            return Err(CliError::Usage(format!(
                "`{option}` sets the disruption model of `--objective expected-loss`"
            )));
        }
        _ => {}
    }
    let Some(file) = file else {
        return Err(CliError::Usage("`plan` needs a portfolio file".to_string()));
    };
    let text = read_input(file)?;
    let portfolio = Portfolio::from_json(&text, reference).map_err(CliError::Invalid)?;
    let plans = match material {
        Some(id) => {
            let id = reference.resolve_material(id).map_or(id, |m| m.id.as_str());
            if !portfolio.lines.iter().any(|l| l.material == id) {
                return Err(CliError::Usage(format!(
                    "`--material`: the portfolio has no line of `{id}`"
                )));
            }
            plan_material(&portfolio, reference, id, stage, &params)
        }
        None => {
            // A stage asked for by name is planned even when it is upstream.
            params.upstream |= stage.is_some();
            plan_portfolio(&portfolio, reference, &params)
        }
        .into_iter()
        .filter(|o| stage.is_none() || o.stage == stage)
        .collect(),
    };
    let mut failed = false;
    for outcome in &plans {
        if let Some(error) = &outcome.error {
            failed = true;
            // Nothing more can be done when standard error itself fails.
            let _ = writeln!(err, "chokepoint plan: {error}");
        }
    }
    write_json(
        out,
        &Output {
            portfolio: portfolio.name.as_deref(),
            params: &params,
            plans,
        },
    )?;
    Ok(if failed && material.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
