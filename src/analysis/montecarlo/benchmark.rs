//! The Monte Carlo throughput benchmark, shared by the native benchmark
//! (`benches/montecarlo.rs`) and the browser's (`tests/browser.rs`) so that both time exactly
//! the same work with their own clocks (BENCHMARKS.md).
//!
//! One benchmark = the demo portfolio [`PORTFOLIO`] compiled once for the report's counts, then
//! `runs` runs of `trials` trials with the default parameters and seeds 0, 1, 2, ...: even runs
//! in one call of [`MonteCarlo::run_chunk`], odd runs in chunks of [`CHUNK`] trials (as the Web
//! Worker runs them). Running and summarising ([`MonteCarlo::finish`]) are timed apart.
//! **Material-trials per second** = trials per second × portfolio lines.

use super::{MonteCarlo, MonteCarloParams};
use crate::portfolio::Portfolio;
use crate::reference::ReferenceData;

/// The benchmark's portfolio: `examples/portfolios/ev_motor_maker.json`, the app's demo.
pub const PORTFOLIO: &str = include_str!("../../../examples/portfolios/ev_motor_maker.json");

/// Trials per chunk in the chunked runs.
pub const CHUNK: u64 = 10_000;

/// One timed run.
#[derive(Clone, Debug, PartialEq)]
pub struct Timing {
    /// The run's seed.
    pub seed: u64,
    /// Trials per call of `run_chunk` (the run's trials when run in one go).
    pub chunk: u64,
    /// Seconds spent running the trials.
    pub run_seconds: f64,
    /// Seconds spent summarising them.
    pub summary_seconds: f64,
    /// The run's expected loss (so the work cannot be optimised away, and runs can be compared).
    pub expected_loss: f64,
}

/// A benchmark's timings.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// Trials per run.
    pub trials: u64,
    /// Portfolio lines (the material-trials per trial).
    pub lines: usize,
    /// (Country, stage) probabilities the model draws.
    pub rates: usize,
    /// Seconds to compile the model once.
    pub compile_seconds: f64,
    /// Every run, in order.
    pub runs: Vec<Timing>,
}

impl Report {
    /// The run with the median running time among the runs in one go (`chunked` false) or in
    /// chunks (`chunked` true); `None` when there is no such run.
    pub fn median(&self, chunked: bool) -> Option<&Timing> {
        let mut runs: Vec<&Timing> = self
            .runs
            .iter()
            .filter(|t| (t.chunk < self.trials) == chunked)
            .collect();
        runs.sort_by(|a, b| a.run_seconds.total_cmp(&b.run_seconds));
        runs.get(runs.len() / 2).copied()
    }

    /// Material-trials per second of `timing` (running only, summary excluded).
    pub fn material_trials_per_second(&self, timing: &Timing) -> f64 {
        self.trials as f64 * self.lines as f64 / timing.run_seconds.max(f64::MIN_POSITIVE)
    }

    /// The report as Markdown table rows for BENCHMARKS.md, one per mode, labelled `build`.
    pub fn table(&self, build: &str) -> String {
        let mut out = String::from(
            "| build | mode | trials | run (median) | trials/s | material-trials/s | summary | \
             compile |\n|---|---|---|---|---|---|---|---|\n",
        );
        for chunked in [false, true] {
            let Some(t) = self.median(chunked) else {
                continue;
            };
            let mode = if chunked {
                format!("chunks of {}", t.chunk)
            } else {
                "one go".to_string()
            };
            let per_second = self.trials as f64 / t.run_seconds.max(f64::MIN_POSITIVE);
            out.push_str(&format!(
                "| {build} | {mode} | {} | {:.3} s | {:.2} M | **{:.1} M** | {:.0} ms | {:.2} ms |\n",
                self.trials,
                t.run_seconds,
                per_second / 1e6,
                self.material_trials_per_second(t) / 1e6,
                t.summary_seconds * 1e3,
                self.compile_seconds * 1e3,
            ));
        }
        out
    }
}

/// Runs the benchmark: `runs` runs of `trials` trials, timed with `now` (seconds from any
/// origin). Errors if the demo portfolio or the parameters do not compile (they do).
pub fn run(
    reference: &ReferenceData,
    trials: u64,
    runs: u64,
    mut now: impl FnMut() -> f64,
) -> Result<Report, String> {
    let portfolio = Portfolio::from_json(PORTFOLIO, reference).map_err(|e| e.to_string())?;
    let params = MonteCarloParams {
        trials,
        ..MonteCarloParams::default()
    };
    let started = now();
    let compiled = MonteCarlo::new(&portfolio, reference, &params, 0).map_err(|e| e.to_string())?;
    let compile_seconds = now() - started;
    let mut report = Report {
        trials,
        lines: compiled.lines(),
        rates: compiled.rates().len(),
        compile_seconds,
        runs: Vec::new(),
    };
    for seed in 0..runs {
        let chunk = if seed % 2 == 0 { trials } else { CHUNK };
        let mut mc =
            MonteCarlo::new(&portfolio, reference, &params, seed).map_err(|e| e.to_string())?;
        let started = now();
        while !mc.run_chunk(chunk).is_done() {}
        let run_seconds = now() - started;
        let started = now();
        let results = mc.finish();
        let summary_seconds = now() - started;
        report.runs.push(Timing {
            seed,
            chunk,
            run_seconds,
            summary_seconds,
            expected_loss: results.expected_loss,
        });
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_small_benchmark_reports_both_modes() {
        let mut clock = 0.0;
        let report = super::run(crate::reference::embedded(), 20_000, 4, || {
            clock += 1.0;
            clock
        })
        .unwrap();
        assert_eq!(report.lines, 7);
        assert_eq!(report.runs.len(), 4);
        assert!(report.runs.iter().all(|t| t.expected_loss > 0.0));
        // Seeds differ, so runs differ.
        assert_ne!(report.runs[0].expected_loss, report.runs[1].expected_loss);
        let table = report.table("test");
        assert!(table.contains("| test | one go | 20000 |"), "{table}");
        assert!(
            table.contains("| test | chunks of 10000 | 20000 |"),
            "{table}"
        );
    }
}
