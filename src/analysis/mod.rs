//! Analyses over a portfolio and the reference data: concentration, look-through exposure,
//! supply risk and policy checks.

pub mod concentration;
pub mod export;
pub mod exposure;
pub mod firm_risk;
pub mod flow;
pub mod geography;
pub mod montecarlo;
pub mod planner;
pub mod policy;
pub mod portfolio;
pub mod scenario;
pub mod supply_risk;
