mod analysis;
mod cli;
mod core_guard;
mod planner;
mod reference;
mod supply_risk;
