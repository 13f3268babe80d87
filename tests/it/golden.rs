//! Integration tests: the Monte Carlo golden run natively (the browser test,
//! `tests/browser.rs`, asserts the same bits in wasm).

#[path = "../golden/monte_carlo.rs"]
mod monte_carlo;

#[test]
fn the_golden_run_is_bit_identical_to_the_recorded_value() {
    let summary = chokepoint::app::simulation::run(
        &monte_carlo::request(),
        chokepoint::reference::embedded(),
        |_, _| {},
    )
    .expect("the golden run succeeds");
    assert_eq!(
        summary.expected_loss.to_bits(),
        monte_carlo::EXPECTED_LOSS_BITS
    );
    assert_eq!(summary.p99.to_bits(), monte_carlo::P99_BITS);
}
