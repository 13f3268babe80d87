//! Portfolio-level results: totals, the chokepoint ranking and action classes.
