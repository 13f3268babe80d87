//! The EU criticality method's supply risk and governance-weighted concentration.
