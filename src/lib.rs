//! Chokepoint: a critical-minerals exposure calculator.
//!
//! The crate has two layers, and a front end for JavaScript callers:
//!
//! - a pure calculation core: plain functions over values, no I/O, no clock, no randomness without
//!   an explicit seed, and no imports from yew, web-sys, gloo, js-sys or wasm-bindgen (a test
//!   enforces this). It runs natively in `cargo test`, in benchmarks and in the command-line front
//!   end ([`cli`]). Its modules run one way, each using only its own layer and the layers below
//!   (`tests/it/core_guard.rs` fails on an import against this order or on a cycle between the
//!   modules of one layer):
//!   1. [`text`]: number formatting shared by every front end; [`model`]: the value types
//!      (stages, countries, shares, country mixes);
//!   2. [`mod@reference`]: the reference data (world mixes, countries, groups, templates);
//!   3. [`portfolio`]: a firm's portfolio, its validation against the reference data, its file
//!      schema, share links, storage and autosave formats and the bounded reader;
//!   4. [`import`]: spreadsheets and supplier declarations read into portfolios;
//!   5. [`analysis`]: the analyses of a validated portfolio.
//! - a thin Yew shell, [`app`], compiled to WebAssembly. Its state holds the user's inputs only;
//!   every result on screen is derived from them through the core.
//! - [`api`]: the core's functions for the JavaScript API (`chokepoint-api.js`), over values.

pub mod analysis;
pub mod api;
pub mod import;
pub mod model;
pub mod portfolio;
pub mod reference;
pub mod text;

pub mod app;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
