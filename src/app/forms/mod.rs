//! The inputs of the pages in the pages' part (Plan, Scenarios, Import), on the calculator's
//! model ([`crate::app::state`]): each page's state holds what the user typed or chose, changed
//! only by its actions through a pure reducer; a typed parser reads the fields into the core's
//! parameters with an error per field; and one function derives everything the page shows,
//! which the page calls through `use_memo` keyed on the inputs. None of it needs a browser, so
//! all of it is tested natively.

pub mod import;
pub mod plan;
pub mod scenarios;

/// A problem of a form, and the field it is shown next to (`None`: not one field's, shown with
/// the page's result). `F` names the page's fields, `P` its problems.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError<F, P> {
    /// The field at fault.
    pub field: Option<F>,
    /// What is wrong.
    pub problem: P,
}

/// The problems among `errors` shown next to `field`.
pub fn errors_of<F: PartialEq + Copy, P>(
    errors: &[FieldError<F, P>],
    field: Option<F>,
) -> impl Iterator<Item = &FieldError<F, P>> {
    errors.iter().filter(move |e| e.field == field)
}
