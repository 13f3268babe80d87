//! Results derived from the inputs: validation messages and the assessment. Pure, so the app can
//! recompute it with `use_memo` and tests can call it natively.
//!
//! A line with an error is set aside (its message is shown next to the field that caused it) and
//! the rest of the portfolio is still assessed, so that one typo never blanks the dashboard.

use crate::analysis::assess::{
    AssessParams, Assessment, MaterialResult, add_policy_checks, assess, assess_without_policy,
};
use crate::portfolio::warnings::SourcingWarning;
use crate::portfolio::{Location, Portfolio, RawPortfolio, ValidationError};
use crate::reference::ReferenceData;
use crate::reference::trade::embedded_trade;
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
    /// The validated portfolio of the valid lines that was assessed (what [`with_policy_checks`]
    /// checks, without validating the portfolio again); `None` with the assessment.
    pub valid: Option<Rc<Portfolio>>,
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
    derive_by(portfolio, reference, params, assess)
}

/// [`derive()`] but for the policy checks ([`assess_without_policy`]: the findings are empty):
/// what the Calculator page computes as it starts and on each edit, without the policy rules,
/// which the first screen does not show. The per-material table, drawn by the pages' part,
/// adds them ([`with_policy_checks`]).
pub fn derive_without_policy(
    portfolio: &RawPortfolio,
    reference: &ReferenceData,
    params: &AssessParams,
) -> Derived {
    derive_by(portfolio, reference, params, |valid, reference, params| {
        assess_without_policy(valid, reference, embedded_trade(), params)
    })
}

/// `derived`, which [`derive_without_policy`] made with `reference`, with the policy checks
/// [`derive()`] would have run: the same results as [`derive()`]'s.
pub fn with_policy_checks(derived: &Derived, reference: &ReferenceData) -> Derived {
    let mut checked = derived.clone();
    if let (Some(assessment), Some(valid)) = (checked.assessment.as_mut(), &derived.valid) {
        add_policy_checks(assessment, valid, reference, embedded_trade());
    }
    checked
}

fn derive_by(
    portfolio: &RawPortfolio,
    reference: &ReferenceData,
    params: &AssessParams,
    assess: impl Fn(&Portfolio, &ReferenceData, &AssessParams) -> Assessment,
) -> Derived {
    let (errors, excluded, assessed, valid) = valid_part(portfolio, reference);
    let valid = valid.filter(|valid| !valid.lines.is_empty()).map(Rc::new);
    let assessment = valid
        .as_deref()
        .map(|valid| assess(valid, reference, params));
    Derived {
        errors,
        warnings: portfolio.warnings(reference),
        excluded,
        assessed,
        assessment,
        valid,
    }
}

#[cfg(test)]
mod tests {
    use super::{derive, derive_without_policy, with_policy_checks};
    use crate::analysis::assess::AssessParams;
    use crate::analysis::policy::Date;
    use crate::model::context::{Customer, Jurisdiction};

    /// The Calculator page computes its results without the policy checks and its table adds
    /// them: the two steps give what `derive` gives, finding for finding, for the demo as sold in
    /// each market and to each customer, with a line in error, on a date and as written.
    #[test]
    fn the_results_without_their_policy_checks_then_with_them_are_the_whole_results() {
        let reference = crate::reference::embedded_current();
        let demo = crate::app::demo_portfolio();
        let mut portfolios = vec![demo.clone()];
        for (jurisdiction, customer) in Jurisdiction::ALL.iter().zip(Customer::ALL.iter().cycle()) {
            let mut p = demo.clone();
            p.jurisdiction = Some(jurisdiction.id().to_string());
            p.customer = Some(customer.id().to_string());
            portfolios.push(p);
        }
        let mut in_error = demo.clone();
        in_error.lines[1].spend = None;
        portfolios.push(in_error);
        let mut findings = 0;
        for date in [
            Date::parse("2026-12-07").ok(),
            Date::parse("2024-01-01").ok(),
            None,
        ] {
            let params = AssessParams {
                date,
                ..AssessParams::default()
            };
            for portfolio in &portfolios {
                let whole = derive(portfolio, reference, &params);
                let first = derive_without_policy(portfolio, reference, &params);
                let unchecked = first.assessment.as_ref().expect("assessed");
                assert!(unchecked.materials.iter().all(|m| m.policy.is_empty()));
                assert_eq!(unchecked.policy.findings, 0);
                let checked = with_policy_checks(&first, reference);
                assert_eq!(checked, whole, "{:?} on {date:?}", portfolio.jurisdiction);
                findings += whole.assessment.expect("assessed").policy.findings;
            }
        }
        assert!(
            findings > 100,
            "{findings} findings: the rules were checked"
        );
    }
}
