//! The app's components, one per file.

pub mod nav;
pub mod privacy;
