//! The app's components, one per file (and `autosave_notice`, the markup of a notice).

pub mod autosave_notice;
pub mod calculator;
pub mod chart_export;
pub mod dashboard;
pub mod data_table;
pub mod editor;
pub mod embed;
pub mod flow_chart;
pub mod import;
pub mod material_picker;
pub mod material_table;
pub mod methodology;
pub mod nav;
pub mod outlook;
pub mod part_views;
pub mod plan;
pub mod privacy;
pub mod report_header;
pub mod risk_matrix;
pub mod scenarios;
pub mod share_panel;
pub mod sources;
pub mod stage_bars;
pub mod start;
pub mod world_map;
