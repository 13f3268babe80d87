//! Results derived from the inputs: validation messages and the assessment. Pure, so the app can
//! recompute it with `use_memo` and tests can call it natively.
//!
//! A line with an error is set aside (its message is shown next to the field that caused it) and
//! the rest of the portfolio is still assessed, so that one typo never blanks the dashboard.

use crate::analysis::assess::{AssessParams, Assessment, MaterialResult, assess};
use crate::portfolio::warnings::SourcingWarning;
use crate::portfolio::{Location, Portfolio, RawPortfolio, ValidationError};
use crate::reference::ReferenceData;
use std::rc::Rc;

/// What the dashboard shows for a portfolio as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct Derived {
    /// Every validation problem, in order.
    pub errors: Vec<ValidationError>,
    /// Every sourcing warning of the portfolio as typed (entries the reference data
    /// contradicts; kept as entered), line numbers as typed.
    pub warnings: Vec<SourcingWarning>,
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

/// One material of the derived results, shared without copying them. Two handles are equal when
/// their materials' results are, so a component that takes one is re-rendered only when its
/// material changed (the rest of the portfolio may have changed, and the `Rc` always has).
#[derive(Clone, Debug)]
pub struct MaterialRef {
    derived: Rc<Derived>,
    index: usize,
}

impl MaterialRef {
    /// Material `index` of the assessment of `derived`; `None` when there is no such material.
    pub fn new(derived: &Rc<Derived>, index: usize) -> Option<MaterialRef> {
        derived.assessment.as_ref()?.materials.get(index)?;
        Some(MaterialRef {
            derived: derived.clone(),
            index,
        })
    }

    /// Every material of the assessment of `derived`, in order.
    pub fn all(derived: &Rc<Derived>) -> Vec<MaterialRef> {
        let count = derived.assessment.as_ref().map_or(0, |a| a.materials.len());
        (0..count)
            .filter_map(|index| MaterialRef::new(derived, index))
            .collect()
    }
}

impl std::ops::Deref for MaterialRef {
    type Target = MaterialResult;

    fn deref(&self) -> &MaterialResult {
        // `new` checked that the material exists, and `Derived` behind an `Rc` never changes.
        &self
            .derived
            .assessment
            .as_ref()
            .expect("checked in new")
            .materials[self.index]
    }
}

impl PartialEq for MaterialRef {
    fn eq(&self, other: &MaterialRef) -> bool {
        **self == **other
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
        warnings: portfolio.warnings(reference),
        excluded,
        assessed,
        assessment,
    }
}
