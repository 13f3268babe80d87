//! Integration tests: supply_risk.
