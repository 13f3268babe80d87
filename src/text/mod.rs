//! Text in and out of the core: reading what people type (numbers, percents, `ISO=number`
//! lists), with one reader for the app's forms, the command line and the API alike.

pub mod parse;
