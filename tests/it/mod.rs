mod analysis;
mod cli;
mod core_guard;
mod reference;
mod scenario;
mod supply_risk;
mod templates;
