//! Analyses over a portfolio and the reference data: concentration, look-through exposure,
//! supply risk and policy checks.
