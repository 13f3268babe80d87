//! The Monte Carlo golden run, shared by the native test (`tests/it/golden.rs`) and the
//! browser's (`tests/browser.rs`): a fixed run whose results must be bit-identical natively and
//! in the browser's wasm. Included by both with `#[path]`; not a test target of its own.

use chokepoint::app::simulation::SimRequest;

/// The bits of the expected loss of [`request`], computed natively (x86_64); the wasm browser
/// test and the native test must both reproduce them exactly. They depend on the embedded
/// reference data (recorded again when the USGS 2025 vintage became the default, and when the
/// look-through by trade became the default, and for issue #20's recency-weighted rates and
/// stage combination with geometric 6-month durations: 6.49 % of revenue, P99 82.2 %; and for
/// its correlated shocks by event family: 2.38 %, P99 36.6 %).
pub const EXPECTED_LOSS_BITS: u64 = 0x3f98_6760_d9f4_d3a2;
/// The bits of the P99 loss of [`request`].
pub const P99_BITS: u64 = 0x3fd7_73cc_9d37_4417;

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
