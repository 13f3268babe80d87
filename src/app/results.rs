//! Results derived from the inputs: validation messages and the assessment. Pure, so the app can
//! recompute it with `use_memo` and tests can call it natively.
//!
//! A line with an error is set aside (its message is shown next to the field that caused it) and
//! the rest of the portfolio is still assessed, so that one typo never blanks the dashboard.

use crate::analysis::portfolio::{AssessParams, Assessment, assess};
use crate::model::portfolio::{Location, Portfolio, RawPortfolio, ValidationError};
use crate::reference::ReferenceData;

/// What the dashboard shows for a portfolio as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct Derived {
    /// Every validation problem, in order.
    pub errors: Vec<ValidationError>,
    /// 0-based indexes of the lines left out of the results because of an error.
    pub excluded: Vec<usize>,
    /// For each line of the assessment, its 0-based index in the portfolio as typed.
    pub assessed: Vec<usize>,
    /// The assessment of the valid lines; `None` when the portfolio has no valid line or a
    /// portfolio-level error.
    pub assessment: Option<Assessment>,
}

impl Derived {
    /// The problems of line `index` (0-based).
    pub fn line_errors(&self, index: usize) -> impl Iterator<Item = &ValidationError> {
        self.errors
            .iter()
            .filter(move |e| matches!(e.location, Location::Line { line, .. } if line == index + 1))
    }
}

/// The valid part of a portfolio as typed: every problem, the 0-based indexes of the lines set
/// aside, the indexes of the lines kept, and the validated portfolio of the kept lines (`None`
/// when a portfolio-level problem remains).
pub fn valid_part(
    portfolio: &RawPortfolio,
    reference: &ReferenceData,
) -> (
    Vec<ValidationError>,
    Vec<usize>,
    Vec<usize>,
    Option<Portfolio>,
) {
    let errors = match portfolio.validate(reference) {
        Ok(valid) => {
            let kept = (0..valid.lines.len()).collect();
            return (Vec::new(), Vec::new(), kept, Some(valid));
        }
        Err(errors) => errors,
    };
    let mut excluded: Vec<usize> = errors
        .iter()
        .filter_map(|e| match e.location {
            Location::Line { line, .. } => line.checked_sub(1),
            _ => None,
        })
        .collect();
    crate::model::order::sort(&mut excluded);
    excluded.dedup();
    let assessed: Vec<usize> = (0..portfolio.lines.len())
        .filter(|i| excluded.binary_search(i).is_err())
        .collect();
    let mut rest = portfolio.clone();
    rest.lines = assessed
        .iter()
        .map(|&i| portfolio.lines[i].clone())
        .collect();
    let valid = rest.validate(reference).ok();
    (errors, excluded, assessed, valid)
}

/// Validates `portfolio`; when some lines are invalid, assesses the others.
pub fn derive(
    portfolio: &RawPortfolio,
    reference: &ReferenceData,
    params: &AssessParams,
) -> Derived {
    let (errors, excluded, assessed, valid) = valid_part(portfolio, reference);
    let assessment = valid
        .filter(|valid| !valid.lines.is_empty())
        .map(|valid| assess(&valid, reference, params));
    Derived {
        errors,
        excluded,
        assessed,
        assessment,
    }
}
