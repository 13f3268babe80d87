//! Results derived from the inputs: validation messages and the assessment. Pure, so the app can
//! recompute it with `use_memo` and tests can call it natively.
//!
//! A line with an error is set aside (its message is shown next to the field that caused it) and
//! the rest of the portfolio is still assessed, so that one typo never blanks the dashboard.

use crate::analysis::portfolio::{AssessParams, Assessment, assess};
use crate::model::portfolio::{Location, RawPortfolio, ValidationError};
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

/// Validates `portfolio`; when some lines are invalid, assesses the others.
pub fn derive(
    portfolio: &RawPortfolio,
    reference: &ReferenceData,
    params: &AssessParams,
) -> Derived {
    let errors = match portfolio.validate(reference) {
        Ok(valid) => {
            return Derived {
                errors: Vec::new(),
                excluded: Vec::new(),
                assessed: (0..valid.lines.len()).collect(),
                assessment: (!valid.lines.is_empty()).then(|| assess(&valid, reference, params)),
            };
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
    excluded.sort_unstable();
    excluded.dedup();
    let assessed: Vec<usize> = (0..portfolio.lines.len())
        .filter(|i| excluded.binary_search(i).is_err())
        .collect();
    let mut rest = portfolio.clone();
    rest.lines = assessed
        .iter()
        .map(|&i| portfolio.lines[i].clone())
        .collect();
    let assessment = rest
        .validate(reference)
        .ok()
        .filter(|valid| !valid.lines.is_empty())
        .map(|valid| assess(&valid, reference, params));
    Derived {
        errors,
        excluded,
        assessed,
        assessment,
    }
}
