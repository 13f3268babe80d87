//! Integration tests: reference.
