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
//!   1. [`model`]: the value types (stages, countries, shares, country mixes), then [`text`]:
//!      number formatting and the reading of typed numbers and `ISO=number` lists, shared by
//!      every front end;
//!   2. [`mod@reference`]: the reference data (world mixes, countries, groups, templates);
//!   3. [`portfolio`]: a firm's portfolio, its validation against the reference data, its file
//!      schema, share links, storage and autosave formats and the bounded reader;
//!   4. [`import`]: spreadsheets and supplier declarations read into portfolios;
//!   5. [`analysis`]: the analyses of a validated portfolio.
//! - a thin Yew shell, [`app`], compiled to WebAssembly. Its state holds the user's inputs only;
//!   every result on screen is derived from them through the core.
//! - [`api`]: the core's functions for the JavaScript API (`chokepoint-api.js`), over values.
//!
//! The browser build is three WebAssembly bundles (Trunk, `index.html`) and the pages' part of
//! the first, each loaded only when its job needs it, and two workers that run the first bundle
//! with its pages' part:
//!
//! - **main app** (`chokepoint`, `src/main.rs`): loaded first; the Calculator and Privacy pages,
//!   the editor, the dashboard and the storage and share-link shell ([`app`]).
//! - **pages** (`chokepoint-pages_bg.wasm`): the part of the main app's module that only the
//!   pages, the workers and the results files reach, which the build splits off
//!   (tools/wasm-split); it runs in the main module's memory with its code. Loaded the first time
//!   the Scenarios, Plan, Import, Methodology or Sources page, the templates, the world map, the
//!   outlook or a results download is needed ([`app::lazy`] loads it, [`app::pages`] is its
//!   side).
//! - **simulation worker** (`static/sim-worker.js`): started when a Monte Carlo run starts; it
//!   instantiates the main app's module and its pages' part (the same files, cached) and runs
//!   [`app::simulation::run`] off the main thread.
//! - **import worker** (`static/import-worker.js`): started on the first import; the same
//!   modules again, reading CSV, XLSX and RMI files off the main thread.
//! - **embed widget** (`embed-widget`, `embed.html`): the embeddable summary, loaded only by
//!   pages that embed it.
//! - **JavaScript API** (`chokepoint-api`): [`api`] as an ES module for partners; the app never
//!   loads it.
//!
//! `src/bin/prerender.rs` is not shipped: the post-build step runs it natively to write the
//! first screen into `index.html`.

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
