//! The Scenarios page's deterministic scenario: [`ScenarioForm`] holds the event chosen and the
//! fields as typed, [`ScenarioAction`] changes them through a pure reducer,
//! [`ScenarioForm::scenario`] reads them into a [`Scenario`] with an error per field, and
//! [`derive()`] runs it on the portfolio.

use crate::analysis::scenario::presets::{EventPreset, default_preset, embedded_presets};
use crate::analysis::scenario::{
    DEFAULT_SPARE_CAPACITY, Scenario, ScenarioError, ScenarioParams, ScenarioResult, run_scenario,
};
use crate::app::results::valid_part;
use crate::model::{CountryCode, Share, Stage};
use crate::portfolio::{Portfolio, RawPortfolio};
use crate::reference::ReferenceData;
use crate::text::parse;
use std::fmt;
use std::rc::Rc;
use yew::Reducible;

/// The choice of a custom scenario: one country cuts all its supply of the portfolio's
/// materials.
pub const CUSTOM: &str = "custom";

/// The presets that translate into a scenario, newest first.
pub fn presets() -> Vec<&'static EventPreset> {
    let mut list: Vec<_> = embedded_presets()
        .iter()
        .filter(|p| p.scenario.is_some())
        .collect();
    crate::model::order::sort_by(&mut list, |a, b| {
        let key = |p: &EventPreset| p.effective.or(p.announced).map(|d| (d.year, d.month));
        key(b).cmp(&key(a))
    });
    list
}

/// The page's fields, as typed or chosen.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioForm {
    /// The event preset's id, [`CUSTOM`], or empty (none chosen).
    pub choice: String,
    /// The cut in percent (empty: the preset's).
    pub cut: String,
    /// The duration in months (empty: the preset's).
    pub months: String,
    /// The country cutting supply in a custom scenario (ISO code).
    pub country: String,
    /// Other countries' spare capacity, in percent.
    pub spare: String,
}

impl ScenarioForm {
    /// The form as the page opens on `portfolio`: the core's default event
    /// ([`default_preset`]: the newest supply-wide measure in force that cuts a material of
    /// the portfolio, else none), China for a custom cut, and the default spare capacity.
    pub fn new(portfolio: &RawPortfolio) -> ScenarioForm {
        let reference = crate::reference::embedded();
        let held: Vec<&str> = portfolio
            .lines
            .iter()
            .filter_map(|l| l.material.as_deref())
            .filter_map(|m| reference.find_material(m).map(|mm| mm.id.as_str()))
            .collect();
        let list = presets();
        let choice = default_preset(embedded_presets(), &held)
            .filter(|p| list.iter().any(|l| l.id == p.id))
            .map(|p| p.id.clone())
            .unwrap_or_default();
        ScenarioForm {
            choice,
            cut: String::new(),
            months: String::new(),
            country: "CHN".into(),
            spare: format!("{}", DEFAULT_SPARE_CAPACITY * 100.0),
        }
    }

    /// Whether the custom scenario is chosen.
    pub fn is_custom(&self) -> bool {
        self.choice == CUSTOM
    }

    /// The preset chosen, if any.
    pub fn preset(&self) -> Option<&'static EventPreset> {
        presets().into_iter().find(|p| p.id == self.choice)
    }

    /// The cut the field falls back to when empty: the preset's, else 50 %.
    pub fn default_cut(&self) -> f64 {
        self.preset()
            .and_then(|p| p.scenario.as_ref())
            .map_or(50.0, |s| s.cut_pct)
    }

    /// The duration the field falls back to when empty: the preset's, else 6 months.
    pub fn default_months(&self) -> f64 {
        self.preset()
            .and_then(|p| p.scenario.as_ref())
            .map_or(6.0, |s| s.months)
    }

    /// The scenario of the form for the materials of `valid` (the lines without errors), or the
    /// problems of its fields. Empty problems: nothing chosen yet, nothing to say.
    pub fn scenario(
        &self,
        valid: Option<&Portfolio>,
        reference: &ReferenceData,
    ) -> Result<Scenario, Vec<FieldError>> {
        let number = |field, text: &str, default| {
            if text.trim().is_empty() {
                Ok(default)
            } else {
                parse::number(text).map_err(|_| FieldError {
                    field: Some(field),
                    problem: Problem::NotANumber,
                })
            }
        };
        let cut = number(ScenarioField::Cut, &self.cut, self.default_cut());
        let months = number(ScenarioField::Months, &self.months, self.default_months());
        let (cut, months) = match (cut, months) {
            (Ok(c), Ok(m)) => (c, m),
            (c, m) => return Err(c.err().into_iter().chain(m.err()).collect()),
        };
        let built = if self.is_custom() {
            let materials: Vec<&str> = valid
                .iter()
                .flat_map(|p| p.lines.iter().map(|l| l.material.as_str()))
                .collect();
            let code = CountryCode::parse(&self.country)
                .filter(|code| reference.country(*code).is_some())
                .ok_or_else(|| {
                    vec![FieldError {
                        field: Some(ScenarioField::Country),
                        problem: Problem::UnknownCountry(self.country.clone()),
                    }]
                })?;
            Scenario::build(vec![code], &materials, &Stage::ALL, cut, months)
        } else {
            match self.preset().and_then(|p| p.scenario.as_ref()) {
                Some(s) => s.to_scenario(Some(cut), Some(months)),
                None => return Err(Vec::new()),
            }
        };
        built.map_err(|e| {
            let field = match e {
                ScenarioError::Cut(_) => Some(ScenarioField::Cut),
                ScenarioError::Months(_) => Some(ScenarioField::Months),
                _ => None,
            };
            vec![FieldError {
                field,
                problem: Problem::Scenario(e),
            }]
        })
    }

    /// Other countries' spare capacity, or the field's problem.
    pub fn spare(&self) -> Result<Share, FieldError> {
        parse::number(&self.spare)
            .ok()
            .and_then(Share::from_percent)
            .ok_or(FieldError {
                field: Some(ScenarioField::Spare),
                problem: Problem::Spare,
            })
    }
}

/// A text field of the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScenarioField {
    /// The cut, in percent.
    Cut,
    /// The duration, in months.
    Months,
    /// The country cutting supply.
    Country,
    /// Spare capacity elsewhere.
    Spare,
}

/// Everything the user does to the scenario.
#[derive(Clone, Debug, PartialEq)]
pub enum ScenarioAction {
    /// Choose an event (its id), [`CUSTOM`]; the cut and duration go back to its own.
    Choose(String),
    /// Type into a field.
    Edit(ScenarioField, String),
}

impl Reducible for ScenarioForm {
    type Action = ScenarioAction;

    fn reduce(self: Rc<Self>, action: ScenarioAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            ScenarioAction::Choose(choice) => {
                next.choice = choice;
                next.cut.clear();
                next.months.clear();
            }
            ScenarioAction::Edit(field, text) => match field {
                ScenarioField::Cut => next.cut = text,
                ScenarioField::Months => next.months = text,
                ScenarioField::Country => next.country = text,
                ScenarioField::Spare => next.spare = text,
            },
        }
        Rc::new(next)
    }
}

/// What is wrong with a field.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// Not a number.
    NotANumber,
    /// Not a country of the reference data (the text as typed).
    UnknownCountry(String),
    /// The scenario engine refused the values.
    Scenario(ScenarioError),
    /// Spare capacity is not a percentage.
    Spare,
}

/// A problem of the form, and the field it is shown next to.
pub type FieldError = super::FieldError<ScenarioField, Problem>;

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.problem {
            Problem::NotANumber => match self.field {
                Some(ScenarioField::Months) => f.write_str("enter the duration as a number"),
                _ => f.write_str("enter the cut as a number"),
            },
            Problem::UnknownCountry(text) => {
                write!(f, "`{text}` is not a country code of the reference data")
            }
            Problem::Scenario(error) => write!(f, "{error}"),
            Problem::Spare => f.write_str("Spare capacity must be a number from 0 to 100"),
        }
    }
}

/// What the deterministic part of the Scenarios page shows.
#[derive(Clone, Debug)]
pub struct ScenarioView {
    /// How many lines have errors (and are left out).
    pub excluded: usize,
    /// The problems of the form, each shown next to its field.
    pub errors: Vec<FieldError>,
    /// The scenario's result on the lines without errors.
    pub result: Option<Rc<ScenarioResult>>,
}

impl ScenarioView {
    /// The problems shown next to `field` (`None`: shown with the scenario).
    pub fn errors_of(&self, field: Option<ScenarioField>) -> impl Iterator<Item = &FieldError> {
        super::errors_of(&self.errors, field)
    }
}

/// Reads the form and runs its scenario on `portfolio`'s lines without errors. The page calls
/// it through `use_memo`, so the scenario runs when an input changes, not on every render.
pub fn derive(portfolio: &RawPortfolio, form: &ScenarioForm) -> ScenarioView {
    let reference = crate::reference::embedded();
    let (_, excluded, _, valid) = valid_part(portfolio, reference);
    let scenario = form.scenario(valid.as_ref(), reference);
    let spare = form.spare();
    let result = match (&scenario, &valid, &spare) {
        (Ok(s), Some(p), Ok(spare)) if !p.lines.is_empty() => Some(Rc::new(run_scenario(
            p,
            reference,
            s,
            &ScenarioParams {
                spare_capacity: *spare,
                ..ScenarioParams::default()
            },
        ))),
        _ => None,
    };
    let mut errors = scenario.err().unwrap_or_default();
    errors.extend(spare.err());
    ScenarioView {
        excluded: excluded.len(),
        errors,
        result,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(form: ScenarioForm, actions: Vec<ScenarioAction>) -> Rc<ScenarioForm> {
        actions
            .into_iter()
            .fold(Rc::new(form), |form, action| form.reduce(action))
    }

    #[test]
    fn the_page_opens_on_the_cores_default_event() {
        let demo = crate::app::demo_portfolio();
        let form = ScenarioForm::new(&demo);
        let reference = crate::reference::embedded();
        let held: Vec<&str> = demo
            .lines
            .iter()
            .filter_map(|l| l.material.as_deref())
            .filter_map(|m| reference.find_material(m).map(|mm| mm.id.as_str()))
            .collect();
        let expected = default_preset(embedded_presets(), &held).map(|p| p.id.clone());
        assert_eq!(Some(form.choice.clone()), expected);
        // An empty portfolio: nothing is chosen, and nothing is said.
        let empty = ScenarioForm::new(&RawPortfolio::default());
        assert_eq!(empty.choice, "");
        assert_eq!(empty.scenario(None, reference), Err(Vec::new()));
    }

    #[test]
    fn choosing_an_event_resets_the_cut_and_duration() {
        let form = typed(
            ScenarioForm::new(&RawPortfolio::default()),
            vec![
                ScenarioAction::Edit(ScenarioField::Cut, "20".into()),
                ScenarioAction::Edit(ScenarioField::Months, "3".into()),
                ScenarioAction::Choose(CUSTOM.into()),
            ],
        );
        assert!(form.is_custom());
        assert_eq!((form.cut.as_str(), form.months.as_str()), ("", ""));
        assert_eq!((form.default_cut(), form.default_months()), (50.0, 6.0));
    }

    #[test]
    fn each_problem_is_named_next_to_its_field() {
        let demo = crate::app::demo_portfolio();
        let form = typed(
            ScenarioForm::new(&demo),
            vec![
                ScenarioAction::Choose(CUSTOM.into()),
                ScenarioAction::Edit(ScenarioField::Cut, "half".into()),
                ScenarioAction::Edit(ScenarioField::Months, "three".into()),
                ScenarioAction::Edit(ScenarioField::Spare, "200".into()),
            ],
        );
        let view = derive(&demo, &form);
        let fields: Vec<_> = view.errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                Some(ScenarioField::Cut),
                Some(ScenarioField::Months),
                Some(ScenarioField::Spare)
            ]
        );
        assert!(view.result.is_none());
        // A cut the engine refuses is named by the engine, next to the cut.
        let form = typed(
            (*form).clone(),
            vec![
                ScenarioAction::Edit(ScenarioField::Cut, "150".into()),
                ScenarioAction::Edit(ScenarioField::Months, "".into()),
                ScenarioAction::Edit(ScenarioField::Country, "XXX".into()),
            ],
        );
        let view = derive(&demo, &form);
        assert_eq!(view.errors[0].field, Some(ScenarioField::Country));
        assert_eq!(
            view.errors[0].to_string(),
            "`XXX` is not a country code of the reference data"
        );
        let form = typed(
            (*form).clone(),
            vec![ScenarioAction::Edit(ScenarioField::Country, "chn".into())],
        );
        let view = derive(&demo, &form);
        assert_eq!(
            view.errors_of(Some(ScenarioField::Cut))
                .map(|e| e.problem.clone())
                .collect::<Vec<_>>(),
            [Problem::Scenario(ScenarioError::Cut(150.0))]
        );
    }

    #[test]
    fn a_custom_cut_runs_on_the_valid_lines() {
        let demo = crate::app::demo_portfolio();
        let form = typed(
            ScenarioForm::new(&demo),
            vec![
                ScenarioAction::Choose(CUSTOM.into()),
                ScenarioAction::Edit(ScenarioField::Cut, "100 %".into()),
            ],
        );
        let view = derive(&demo, &form);
        assert!(view.errors.is_empty(), "{:?}", view.errors);
        let result = view.result.expect("a result");
        let reference = crate::reference::embedded();
        let valid = demo.validate(reference).expect("the demo is valid");
        let scenario = form.scenario(Some(&valid), reference).expect("a scenario");
        assert_eq!(
            *result,
            run_scenario(&valid, reference, &scenario, &ScenarioParams::default())
        );
        // Iceland supplies none of the demo's materials: nothing is at risk.
        let iceland = typed(
            (*form).clone(),
            vec![ScenarioAction::Edit(ScenarioField::Country, "ISL".into())],
        );
        let view = derive(&demo, &iceland);
        assert_eq!(
            view.result
                .expect("a result")
                .total
                .revenue_at_risk_fraction,
            0.0
        );
    }
}
