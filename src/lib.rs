//! Chokepoint: a critical-minerals exposure calculator.
//!
//! The crate has two layers, and a front end for JavaScript callers:
//!
//! - a pure calculation core, [`model`], [`mod@reference`], [`analysis`] and [`import`]: plain
//!   functions over values, no I/O, no clock, no randomness without an explicit seed, and no
//!   imports from yew, web-sys, gloo, js-sys or wasm-bindgen (a test enforces this). It runs
//!   natively in `cargo test`, in benchmarks and in the command-line front end ([`cli`]).
//! - a thin Yew shell, [`app`], compiled to WebAssembly. Its state holds the user's inputs only;
//!   every result on screen is derived from them through the core.
//! - [`api`]: the core's functions for the JavaScript API (`chokepoint-api.js`), over values.

pub mod analysis;
pub mod api;
pub mod import;
pub mod model;
pub mod reference;
pub mod text;

pub mod app;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
