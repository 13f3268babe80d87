//! Text for people: the one home of number formatting shared by every front end (the browser
//! app, the command line, the JavaScript API) and by the core's own messages (the planner's
//! explanations, the bounded reader's limits).
//!
//! The bottom layer of the crate: it uses nothing of the crate, so every other module may use it.

pub mod format;
