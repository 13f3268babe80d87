//! Native integration tests, one binary built from modules (see `tests/it/`).

mod it;
