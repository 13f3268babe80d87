//! Integration tests: the Monte Carlo golden run natively (the browser test,
//! `tests/browser.rs`, asserts the same bits in wasm).

#[path = "../golden/monte_carlo.rs"]
mod monte_carlo;

#[test]
fn the_golden_run_is_bit_identical_to_the_recorded_value() {
    monte_carlo::assert_reproduced();
}
