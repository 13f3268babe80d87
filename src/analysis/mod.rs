//! Analyses over a portfolio and the reference data: concentration, look-through exposure,
//! supply risk, policy checks and the forward view from the IEA's projections.

pub mod assess;
pub mod concentration;
pub mod export;
pub mod exposure;
pub mod firm_risk;
pub mod flow;
pub mod geography;
pub mod governance;
pub mod montecarlo;
pub mod outlook;
pub mod planner;
pub mod policy;
pub mod scenario;
pub mod start;
pub mod supply_risk;
