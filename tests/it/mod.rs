mod analysis;
mod cli;
mod core_guard;
mod reference;
mod supply_risk;
mod templates;
