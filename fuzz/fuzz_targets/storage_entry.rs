//! Fuzz target `storage_entry`: see `bodies::storage_entry`.
#![no_main]

#[allow(dead_code)]
#[path = "../bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::storage_entry(data));
