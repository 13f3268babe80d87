//! The app's components, one per file.

pub mod calculator;
pub mod dashboard;
pub mod data_table;
pub mod editor;
pub mod import;
pub mod methodology;
pub mod nav;
pub mod plan;
pub mod privacy;
pub mod report_header;
pub mod risk_matrix;
pub mod scenarios;
pub mod sources;
pub mod stage_bars;
pub mod start;
