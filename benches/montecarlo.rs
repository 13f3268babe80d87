//! Monte Carlo throughput on the demo portfolio, natively: material-trials per second (trials ×
//! portfolio lines), one core. No harness: `cargo bench --bench montecarlo` runs `main`, which
//! runs [`chokepoint::analysis::montecarlo::benchmark`] (the same work as the browser benchmark
//! in `tests/browser.rs`) timed with `std::time::Instant` and prints rows for `BENCHMARKS.md`.
//!
//! Arguments (after `--`): the number of trials per run (default 1,000,000) and the number of
//! timed runs (default 6: three in one go, three in chunks).

use chokepoint::analysis::montecarlo::benchmark;
use std::time::Instant;

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .filter_map(|a| a.parse::<u64>().ok());
    let trials = args.next().unwrap_or(1_000_000);
    let runs = args.next().unwrap_or(6).max(1);
    let origin = Instant::now();
    let report = benchmark::run(chokepoint::reference::embedded(), trials, runs, || {
        origin.elapsed().as_secs_f64()
    })
    .expect("the demo portfolio compiles");
    for t in &report.runs {
        println!(
            "seed {}: {trials} trials in {:.3} s (chunks of {}), summary {:.0} ms, E[loss] = {:.5}",
            t.seed,
            t.run_seconds,
            t.chunk,
            t.summary_seconds * 1e3,
            t.expected_loss,
        );
    }
    println!(
        "\n{} lines, {} (country, stage) probabilities\n",
        report.lines, report.rates
    );
    print!("{}", report.table("native"));
}
