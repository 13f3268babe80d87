//! The Monte Carlo golden run, shared by the native test (`tests/it/golden.rs`) and the
//! browser's (`tests/browser.rs`): a fixed run whose results must be bit-identical natively and
//! in the browser's wasm. Included by both with `#[path]`; not a test target of its own.

use chokepoint::app::simulation::SimRequest;

/// The bits of the expected loss of [`request`], computed natively (x86_64); the wasm browser
/// test and the native test must both reproduce them exactly. They depend on the embedded
/// reference data (recorded again when the USGS 2025 vintage became the default, and when the
/// look-through by trade became the default, and for issue #20's recency-weighted rates and
/// stage combination with geometric 6-month durations: 6.49 % of revenue, P99 82.2 %).
pub const EXPECTED_LOSS_BITS: u64 = 0x3fb0_9a53_0274_8440;
/// The bits of the P99 loss of [`request`].
pub const P99_BITS: u64 = 0x3fea_4fbe_51cf_99d3;

/// The golden run: the demo portfolio, 20,000 trials, seed 7, 10 % spare capacity.
pub fn request() -> SimRequest {
    SimRequest {
        id: 0,
        portfolio: chokepoint::app::DEMO_PORTFOLIO.to_string(),
        trials: 20_000,
        seed: 7,
        spare_capacity_pct: 10.0,
        overrides: Vec::new(),
    }
}

/// Runs [`request`] and asserts that it reproduces the recorded bits exactly.
pub fn assert_reproduced() {
    let summary =
        chokepoint::app::simulation::run(&request(), chokepoint::reference::embedded(), |_, _| {})
            .expect("the golden run succeeds");
    assert_eq!(summary.expected_loss.to_bits(), EXPECTED_LOSS_BITS);
    assert_eq!(summary.p99.to_bits(), P99_BITS);
}
