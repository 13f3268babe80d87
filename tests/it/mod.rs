// These use native-only dev-dependencies (proptest, csv), the command line, which is not built
// for wasm32, or the file system.
#[cfg(not(target_arch = "wasm32"))]
mod analysis;
#[cfg(not(target_arch = "wasm32"))]
mod cli;
mod core_guard;
#[cfg(not(target_arch = "wasm32"))]
mod reference;
mod supply_risk;
