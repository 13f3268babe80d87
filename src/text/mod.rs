//! Text for people, in and out of the core: the one home of number formatting shared by every
//! front end (the browser app, the command line, the JavaScript API) and by the core's own
//! messages (the planner's explanations, the bounded reader's limits), and the one reader of
//! what people type (numbers, percents, `ISO=number` lists) for the app's forms, the command
//! line and the API alike.
//!
//! It uses only the value types of [`crate::model`] (a country code), so every layer above them
//! may use it.

pub mod format;
pub mod parse;
