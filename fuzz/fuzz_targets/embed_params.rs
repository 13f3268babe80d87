//! Fuzz target `embed_params`: see `bodies::embed_params`.
#![no_main]

#[allow(dead_code)]
#[path = "../bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::embed_params(data));
