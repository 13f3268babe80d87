//! Integration tests: core_guard.
