//! Native integration tests, one binary built from modules (see `tests/it/`). They read files
//! and run the command line, so they are compiled for native targets only.
#![cfg(not(target_arch = "wasm32"))]

mod it;
