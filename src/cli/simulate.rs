//! `chokepoint simulate`: deterministic disruption scenarios (custom or replaying a real event)
//! and the Monte Carlo simulation of random disruptions, on a portfolio file; JSON out.
//!
//! See [`HELP`] for the options. The formulas are in [`crate::analysis::scenario`] and
//! [`crate::analysis::montecarlo`]; the presets in [`crate::analysis::scenario::presets`].

use super::{CliError, option_value, parse_number, read_input, write_json, write_text};
use crate::analysis::montecarlo::families::{EventFamily, event_families};
use crate::analysis::montecarlo::{
    DurationFit, DurationModel, MonteCarlo, MonteCarloParams, MonteCarloResults,
    ProbabilityOverride, StressPoint, default_duration_fit, sensitivity_params,
};
use crate::analysis::policy::{Date, Researched};
use crate::analysis::scenario::presets::{
    EventPreset, EventStatus, embedded_presets, events_researched, find_preset,
};
use crate::analysis::scenario::{
    Scenario, ScenarioParams, ScenarioResult, group_members, run_scenario,
};
use crate::model::{CountryCode, Share, Stage};
use crate::portfolio::{Amount, Portfolio};
use crate::reference::ReferenceData;
use crate::reference::matching::MaterialMatchError;
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

/// The text of `chokepoint simulate --help`.
pub const HELP: &str = "chokepoint simulate: disruption scenarios and Monte Carlo on a portfolio

USAGE:
    chokepoint simulate FILE.json --preset ID [--cut PCT] [--months N] [OPTIONS]
    chokepoint simulate FILE.json (--country ISO3 | --group ID) --materials a,b
                        [--stages mining,refining,component] --cut PCT --months N [OPTIONS]
    chokepoint simulate FILE.json --monte-carlo [--trials N] [--seed S] [OPTIONS]
    chokepoint simulate --list-presets [--date YYYY-MM-DD]
    Use `-` as FILE.json for standard input. A scenario and --monte-carlo can be combined.

SCENARIO (a country or group cuts PCT % of its supply of the materials at the stages for N months):
    --preset ID           replay a real event (see --list-presets); its cut comes from the
                          event's figures where the data has them (quota against output, with
                          their sources), otherwise it is a stated ASSUMPTION, as is the
                          duration where the data has no end date: override them with --cut
                          and --months
    --date YYYY-MM-DD     judge the event's status on this date (default: today, UTC, from
                          this computer's clock): the output gives the status on the date and
                          when the event data was researched; a suspension whose scheduled end
                          has passed with no later record says so
    --country ISO3        the disrupted supply country
    --group ID            or a country group (the portfolio's or the reference data's)
    --materials a,b       catalogue material ids
    --stages LIST         stages cut (default: mining,refining,component)
    --cut PCT             share of the country's supply withheld, 0-100
    --months N            duration, 0-120 months

MONTE CARLO (random disruptions, one trial = one year):
    --monte-carlo         run the simulation
    --trials N            number of trials (default 100000)
    --seed S              unsigned 64-bit seed (default 1); same seed, same results
    --probability ISO3:STAGE:PCT
                          set a country's annual disruption probability at a stage
                          (repeatable; default from governance and the event history,
                          recency-weighted with a 5-year half-life)
    --severity MIN:MAX    severity range in percent (default 25:100, uniform)
    --mean-months N       a geometric duration with mean N months, clipped at 12 (default 6)
    --durations LAW       geometric (default: mean 6 months, or --mean-months) or long-measures:
                          the lognormal law fitted to how long the recorded measures stay in
                          force, those still in force censored (the fit is in
                          \"stress_index\".\"durations\"): an upper bound on how long supply
                          is cut, since licences are granted while a measure stays in force

BOTH:
    --spare-capacity PCT  other suppliers' spare capacity, percent of their own share
                          (default 10; a modelling assumption, not data)
    --revenue AMOUNT      annual revenue: losses in money (default: fractions of revenue)

OUTPUT:
    JSON: {\"scenario\": {...}, \"monte_carlo\": {...}, \"stress_index\": {...}} with the
    parts that ran. The Monte Carlo's percentiles are a STRESS INDEX, not return periods;
    \"stress_index\" gives them at 0.5x, 1x and 2x the default rates, and every rate's fit to
    the event history is in \"monte_carlo\".\"rates\"; \"stress_index\".\"families\" lists
    the event families (materials real events hit together) behind the correlated shocks. Formulas and assumptions:
    docs/METHODS.md, \"Disruption scenarios\".

EXIT STATUS:
    0 success; 1 invalid portfolio; 2 usage error.
";

/// What the command line asked for.
#[derive(Default)]
struct Request<'a> {
    file: Option<&'a str>,
    preset: Option<&'a str>,
    country: Option<&'a str>,
    group: Option<&'a str>,
    materials: Option<&'a str>,
    stages: Option<&'a str>,
    cut: Option<f64>,
    months: Option<f64>,
    monte_carlo: bool,
    seed: u64,
    mc: MonteCarloParams,
    date: Option<Date>,
}

/// The JSON written by `simulate`.
#[derive(Serialize)]
struct Output<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    scenario: Option<ScenarioOutput<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    monte_carlo: Option<MonteCarloResults>,
    /// The stress index at the low, central and high rates (with `--monte-carlo`).
    #[serde(skip_serializing_if = "Option::is_none")]
    stress_index: Option<StressIndex>,
}

/// The Monte Carlo's quantiles read as a stress index, with their sensitivity to the rates.
#[derive(Serialize)]
struct StressIndex {
    /// What the numbers are, in words.
    note: &'static str,
    /// Low, central and high rates at the run's durations, then the central rates with the
    /// long measures' durations.
    sensitivity: Vec<StressPoint>,
    /// How long the recorded measures stay in force and the lognormal law fitted to them (the
    /// `long measures` case; an upper bound on how long supply is cut).
    durations: Option<&'static DurationFit>,
    /// The event families behind the correlated shocks that hit the portfolio's materials:
    /// each fires at its fitted rate and hits its materials together (docs/METHODS.md).
    families: Vec<EventFamily>,
}

/// The note every stress index carries.
const STRESS_NOTE: &str = "A stress index, not a forecast: the percentiles are of simulated years \
     under rates fitted to a short event history with chosen constants (docs/METHODS.md), not \
     calibrated return periods. The band runs the same trials at 0.5x, 1x and 2x the default \
     rates; user-set probabilities are kept. The long measures case runs the central rates with \
     durations fitted to how long measures stay in force: an upper bound on how long supply is \
     cut, since licences are granted while a measure stays in force.";

#[derive(Serialize)]
struct ScenarioOutput<'a> {
    /// The event replayed, when a preset was used.
    preset: Option<&'a EventPreset>,
    /// Its status on the check date, when a preset was used.
    preset_status: Option<StatusOn>,
    #[serde(flatten)]
    result: ScenarioResult,
}

/// An event's status on the check date, and when the data was researched.
#[derive(Serialize)]
struct StatusOn {
    /// The check date.
    date: Date,
    /// When the event data was researched.
    researched: &'static Researched,
    /// The status, typed.
    status: EventStatus,
    /// The status in words.
    message: String,
    /// Whether the data cannot tell the status on the date.
    needs_check: bool,
}

/// An event's status on `date`; `None` without a date or a research date.
fn status_on(event: &EventPreset, date: Option<Date>) -> Option<StatusOn> {
    let (date, researched) = (date?, events_researched()?);
    let status = event.status_on(date, researched.date);
    Some(StatusOn {
        date,
        researched,
        message: status.message(),
        needs_check: status.needs_check(),
        status,
    })
}

/// The output of `--list-presets`.
#[derive(Serialize)]
struct PresetList<'a> {
    /// When the event data was researched.
    researched: Option<&'static Researched>,
    /// The date the statuses are judged on.
    date: Option<Date>,
    presets: Vec<PresetSummary<'a>>,
}

/// One row of `--list-presets`.
#[derive(Serialize)]
struct PresetSummary<'a> {
    id: &'a str,
    name: &'a str,
    /// The status as the data records it (as of its research date).
    status: &'a str,
    /// The status on the check date.
    status_on: Option<StatusOn>,
    effective: Option<String>,
    confidence: &'a str,
    scenario: Option<&'a crate::analysis::scenario::presets::PresetScenario>,
    scenario_note: Option<&'a str>,
    unmapped: &'a [String],
}

fn usage(message: impl Into<String>) -> CliError {
    CliError::Usage(message.into())
}

fn parse_u64(name: &str, text: &str) -> Result<u64, CliError> {
    text.parse()
        .map_err(|_| usage(format!("`{name}`: `{text}` is not a whole number")))
}

fn parse_stage(text: &str) -> Result<Stage, CliError> {
    Stage::ALL
        .into_iter()
        .find(|s| s.id() == text.trim())
        .ok_or_else(|| {
            usage(format!(
                "`{text}` is not a stage (mining, refining or component)"
            ))
        })
}

fn parse_override(text: &str) -> Result<ProbabilityOverride, CliError> {
    let bad = || usage(format!("`--probability`: `{text}` is not ISO3:STAGE:PCT"));
    let mut parts = text.split(':');
    let (Some(country), Some(stage), Some(pct), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    Ok(ProbabilityOverride {
        country: CountryCode::parse(country).ok_or_else(bad)?,
        stage: parse_stage(stage)?,
        probability: pct
            .parse::<f64>()
            .ok()
            .and_then(Share::from_percent)
            .ok_or_else(bad)?,
    })
}

/// The options that set the disruption model, shared with `chokepoint plan --objective
/// expected-loss`.
pub(super) const MODEL_OPTIONS: [&str; 6] = [
    "--probability",
    "--severity",
    "--mean-months",
    "--durations",
    "--spare-capacity",
    "--revenue",
];

/// Sets the disruption model's option `name` (one of [`MODEL_OPTIONS`]) from `value`.
pub(super) fn model_option(
    name: &str,
    value: &str,
    mc: &mut MonteCarloParams,
) -> Result<(), CliError> {
    match name {
        "--probability" => mc.overrides.push(parse_override(value)?),
        "--severity" => {
            let (min, max) = value
                .split_once(':')
                .ok_or_else(|| usage(format!("`--severity`: `{value}` is not MIN:MAX")))?;
            mc.severity.min = parse_number(name, min)? / 100.0;
            mc.severity.max = parse_number(name, max)? / 100.0;
        }
        "--mean-months" => {
            let mean_months = parse_number(name, value)?;
            mc.duration = DurationModel::Geometric { mean_months };
        }
        "--durations" => {
            mc.duration = match value {
                // A mean set by --mean-months stays.
                "geometric" => match mc.duration {
                    geometric @ DurationModel::Geometric { .. } => geometric,
                    _ => DurationModel::default(),
                },
                "long-measures" => DurationModel::long_measures().ok_or_else(|| {
                    usage("`--durations long-measures`: the event data gives no duration fit")
                })?,
                other => {
                    return Err(usage(format!(
                        "`--durations`: `{other}` is not geometric or long-measures"
                    )));
                }
            };
        }
        "--spare-capacity" => {
            let pct = parse_number(name, value)?;
            mc.spare_capacity = Share::from_percent(pct)
                .ok_or_else(|| usage(format!("`--spare-capacity`: {pct} is not within 0-100")))?;
        }
        "--revenue" => {
            let revenue = parse_number(name, value)?;
            mc.annual_revenue = Some(
                Amount::new(revenue)
                    .ok_or_else(|| usage(format!("`--revenue`: {revenue} is out of range")))?,
            );
        }
        other => return Err(usage(format!("unknown option `{other}`"))),
    }
    Ok(())
}

fn parse_args(args: &[String]) -> Result<Option<Request<'_>>, CliError> {
    let mut request = Request {
        seed: 1,
        ..Request::default()
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let name = arg.as_str();
        match name {
            "--help" | "-h" => return Ok(None),
            "--preset" => request.preset = Some(option_value(name, &mut rest)?),
            "--country" => request.country = Some(option_value(name, &mut rest)?),
            "--group" => request.group = Some(option_value(name, &mut rest)?),
            "--materials" => request.materials = Some(option_value(name, &mut rest)?),
            "--stages" => request.stages = Some(option_value(name, &mut rest)?),
            "--cut" => request.cut = Some(parse_number(name, option_value(name, &mut rest)?)?),
            "--months" => {
                request.months = Some(parse_number(name, option_value(name, &mut rest)?)?);
            }
            "--monte-carlo" => request.monte_carlo = true,
            "--date" => {
                let text = option_value(name, &mut rest)?;
                request.date =
                    Some(Date::parse(text.trim()).map_err(|e| usage(format!("`--date`: {e}")))?);
            }
            "--trials" => request.mc.trials = parse_u64(name, option_value(name, &mut rest)?)?,
            "--seed" => request.seed = parse_u64(name, option_value(name, &mut rest)?)?,
            option if MODEL_OPTIONS.contains(&option) => {
                model_option(option, option_value(name, &mut rest)?, &mut request.mc)?;
            }
            option if option.starts_with("--") => {
                return Err(usage(format!("unknown option `{option}`")));
            }
            path if request.file.is_none() => request.file = Some(path),
            extra => return Err(usage(format!("unexpected argument `{extra}`"))),
        }
    }
    Ok(Some(request))
}

/// Turns `--materials` into catalogue ids (ids, aliases, names or symbols, as
/// [`ReferenceData::resolve_material`] reads them); unknown or ambiguous text is a usage error.
fn materials<'r>(text: &str, reference: &'r ReferenceData) -> Result<Vec<&'r str>, CliError> {
    text.split(',')
        .filter(|m| !m.trim().is_empty())
        .map(|m| {
            reference
                .resolve_material(m)
                .map(|found| found.id.as_str())
                .map_err(|error| match error {
                    MaterialMatchError::Ambiguous { .. } => {
                        usage(format!("`--materials`: {error}"))
                    }
                    _ => usage(format!("`{}` is not in the material catalogue", m.trim())),
                })
        })
        .collect()
}

fn build_scenario(
    request: &Request<'_>,
    portfolio: &Portfolio,
    reference: &ReferenceData,
) -> Result<Option<(Scenario, Option<&'static EventPreset>)>, CliError> {
    if let Some(id) = request.preset {
        if request.country.is_some()
            || request.group.is_some()
            || request.materials.is_some()
            || request.stages.is_some()
        {
            return Err(usage(
                "`--preset` sets the countries, materials and stages; only --cut and --months \
                 can change",
            ));
        }
        let preset = find_preset(id).ok_or_else(|| {
            usage(format!(
                "no preset `{id}`; see `chokepoint simulate --list-presets`"
            ))
        })?;
        let mapped = preset.scenario.as_ref().ok_or_else(|| {
            usage(format!(
                "preset `{}` has no scenario: {}",
                preset.id,
                preset.scenario_note.as_deref().unwrap_or("not modelled")
            ))
        })?;
        let scenario = mapped
            .to_scenario(request.cut, request.months)
            .map_err(|e| usage(e.to_string()))?;
        return Ok(Some((scenario, Some(preset))));
    }
    let countries = match (request.country, request.group) {
        (None, None) => {
            if request.materials.is_some() || request.cut.is_some() || request.months.is_some() {
                return Err(usage("a scenario needs `--country` or `--group`"));
            }
            return Ok(None);
        }
        (Some(_), Some(_)) => return Err(usage("give `--country` or `--group`, not both")),
        (Some(code), None) => vec![
            CountryCode::parse(code)
                .ok_or_else(|| usage(format!("`{code}` is not a three-letter country code")))?,
        ],
        (None, Some(id)) => {
            group_members(id, portfolio, reference).map_err(|e| usage(e.to_string()))?
        }
    };
    let materials = materials(
        request
            .materials
            .ok_or_else(|| usage("a scenario needs `--materials`"))?,
        reference,
    )?;
    let stages = match request.stages {
        None => Stage::ALL.to_vec(),
        Some(text) => text
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(parse_stage)
            .collect::<Result<_, _>>()?,
    };
    let cut = request
        .cut
        .ok_or_else(|| usage("a scenario needs `--cut PCT`"))?;
    let months = request
        .months
        .ok_or_else(|| usage("a scenario needs `--months N`"))?;
    let scenario = Scenario::build(countries, &materials, &stages, cut, months)
        .map_err(|e| usage(e.to_string()))?;
    Ok(Some((scenario, None)))
}

fn list_presets(out: &mut dyn Write, date: Option<Date>) -> Result<ExitCode, CliError> {
    let rows: Vec<PresetSummary<'_>> = embedded_presets()
        .iter()
        .map(|e| PresetSummary {
            id: &e.id,
            name: &e.name,
            status: &e.status,
            status_on: status_on(e, date),
            effective: e.effective.map(|d| d.to_string()),
            confidence: &e.confidence,
            scenario: e.scenario.as_ref(),
            scenario_note: e.scenario_note.as_deref(),
            unmapped: &e.unmapped,
        })
        .collect();
    write_json(
        out,
        &PresetList {
            researched: events_researched(),
            date,
            presets: rows,
        },
    )
}

/// Runs `chokepoint simulate` with `args` (after the command name).
pub(super) fn run(
    args: &[String],
    reference: &ReferenceData,
    out: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    if args.iter().any(|a| a == "--list-presets") {
        let date = match args {
            [_] => None,
            [a, flag, text] | [flag, text, a] if a == "--list-presets" && flag == "--date" => {
                Some(Date::parse(text.trim()).map_err(|e| usage(format!("`--date`: {e}")))?)
            }
            _ => return Err(usage("`--list-presets` takes only `--date YYYY-MM-DD`")),
        };
        return list_presets(out, date.or_else(super::today));
    }
    let Some(mut request) = parse_args(args)? else {
        write_text(out, HELP).map_err(CliError::Io)?;
        return Ok(ExitCode::SUCCESS);
    };
    request.date = request.date.or_else(super::today);
    let Some(file) = request.file else {
        return Err(usage("`simulate` needs a portfolio file"));
    };
    let text = read_input(file)?;
    let portfolio = Portfolio::from_json(&text, reference).map_err(CliError::Invalid)?;
    let scenario = build_scenario(&request, &portfolio, reference)?;
    if scenario.is_none() && !request.monte_carlo {
        return Err(usage(
            "nothing to simulate: give a scenario (--preset, or --country/--group with \
             --materials, --cut and --months) or --monte-carlo",
        ));
    }
    let params = ScenarioParams {
        spare_capacity: request.mc.spare_capacity,
        annual_revenue: request.mc.annual_revenue,
    };
    let scenario = scenario.map(|(scenario, preset)| ScenarioOutput {
        preset,
        preset_status: preset.and_then(|p| status_on(p, request.date)),
        result: run_scenario(&portfolio, reference, &scenario, &params),
    });
    let (monte_carlo, stress_index) = if request.monte_carlo {
        let mut sensitivity = Vec::new();
        let mut central = None;
        for (case, scale, params) in sensitivity_params(&request.mc) {
            let mut run = MonteCarlo::new(&portfolio, reference, &params, request.seed)
                .map_err(|e| usage(e.to_string()))?;
            run.run_all();
            let results = run.finish();
            sensitivity.push(StressPoint::of(case, scale, &results));
            if case == "central" {
                central = Some(results);
            }
        }
        let families = event_families(embedded_presets(), &request.mc.probability_model)
            .into_iter()
            .filter(|f| portfolio.lines.iter().any(|l| f.mask_of(&l.material) != 0))
            .collect();
        let index = StressIndex {
            note: STRESS_NOTE,
            sensitivity,
            durations: default_duration_fit(),
            families,
        };
        (central, Some(index))
    } else {
        (None, None)
    };
    write_json(
        out,
        &Output {
            scenario,
            monte_carlo,
            stress_index,
        },
    )
}
