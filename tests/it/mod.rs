mod analysis;
mod cli;
mod core_guard;
mod planner;
mod reference;
mod scenario;
mod supply_risk;
mod templates;
