//! Monte Carlo throughput on the demo portfolio, natively: material-trials per second (trials ×
//! portfolio lines), one core. No harness: `cargo bench --bench montecarlo` runs `main`, which
//! times runs with `std::time::Instant` and prints a table for `BENCHMARKS.md`.
//!
//! Arguments (after `--`): the number of trials per run (default 1,000,000) and the number of
//! timed runs (default 5); the median run is reported.

use chokepoint::analysis::montecarlo::{MonteCarlo, MonteCarloParams};
use chokepoint::model::portfolio::Portfolio;
use std::time::Instant;

const DEMO: &str = include_str!("../examples/portfolios/ev_motor_maker.json");

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .filter_map(|a| a.parse::<u64>().ok());
    let trials = args.next().unwrap_or(1_000_000);
    let runs = args.next().unwrap_or(5).max(1);
    let reference = chokepoint::reference::embedded();
    let portfolio = Portfolio::from_json(DEMO, reference).expect("the demo portfolio is valid");
    let params = MonteCarloParams {
        trials,
        ..MonteCarloParams::default()
    };

    let started = Instant::now();
    let compiled = MonteCarlo::new(&portfolio, reference, &params, 1).expect("valid parameters");
    let compile_time = started.elapsed();
    let lines = compiled.lines() as f64;
    let countries = compiled.rates().len();

    let mut timings = Vec::new();
    for run in 0..runs {
        // Even runs in one go, odd runs in chunks of 10,000 (as a Web Worker would).
        let chunk = if run % 2 == 0 { trials } else { 10_000 };
        let mut mc = MonteCarlo::new(&portfolio, reference, &params, run).expect("valid");
        let started = Instant::now();
        while !mc.run_chunk(chunk).is_done() {}
        let run_time = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let results = mc.finish();
        let summary_time = started.elapsed().as_secs_f64();
        timings.push((run_time, summary_time));
        println!(
            "run {run}: {trials} trials in {run_time:.3} s ({} chunks of {chunk}), summary \
             {:.0} ms, E[loss] = {:.5}",
            trials.div_ceil(chunk.max(1)),
            summary_time * 1e3,
            results.expected_loss,
        );
    }
    timings.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (median, summary) = timings[timings.len() / 2];
    let trials_per_second = trials as f64 / median;
    println!();
    println!(
        "| portfolio | lines | (country, stage) rates | trials | time (median) | trials/s | \
         material-trials/s | summary | compile |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    println!(
        "| ev_motor_maker.json | {lines} | {countries} | {trials} | {median:.3} s | {:.2} M | \
         {:.1} M | {:.0} ms | {:.2} ms |",
        trials_per_second / 1e6,
        trials_per_second * lines / 1e6,
        summary * 1e3,
        compile_time.as_secs_f64() * 1e3,
    );
}
