//! Fuzz target `json_portfolio`: see `bodies::json_portfolio`.
#![no_main]

#[allow(dead_code)]
#[path = "../bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::json_portfolio(data));
