//! The Plan page's inputs: [`PlanForm`] holds the fields as typed, [`PlanAction`] changes them
//! through a pure reducer, [`PlanForm::params`] reads them into [`PlanParams`] (bounded by the
//! planner's own [`check_params`], never by ranges of the page's own) with an error per field,
//! and [`derive()`] computes what the page shows.

use crate::analysis::planner::{
    DEFAULT_HEADROOM, Objective, Plan, PlanError, PlanParams, apply, check_params, plan_stage,
    plannable_stages, purchase_stage,
};
use crate::app::results::valid_part;
use crate::model::Stage;
use crate::portfolio::{Portfolio, RawPortfolio};
use crate::text::parse::{self, ParseError};
use std::fmt;
use std::rc::Rc;
use yew::Reducible;

/// The Plan page's fields, as typed or chosen.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanForm {
    /// The material id chosen (empty, or one the portfolio no longer holds: its first).
    pub material: String,
    /// The stage chosen (`None`, or one not offered: the stage the firm buys at).
    pub stage: Option<Stage>,
    /// The objective's id ([`Objective::parse`]).
    pub objective: String,
    /// Whether upstream stages are offered too.
    pub upstream: bool,
    /// Whether the restricted countries may not gain volume.
    pub restricted: bool,
    /// The most volume that may move, in percent, as typed.
    pub max_shift: String,
    /// The capacity headroom (times the world share), as typed.
    pub headroom: String,
    /// The price premiums, `ISO=percent` separated by commas, as typed.
    pub premiums: String,
}

impl Default for PlanForm {
    fn default() -> PlanForm {
        PlanForm {
            material: String::new(),
            stage: None,
            objective: "hhi-wgi".into(),
            upstream: false,
            restricted: true,
            max_shift: "30".into(),
            headroom: DEFAULT_HEADROOM.to_string(),
            premiums: String::new(),
        }
    }
}

/// A text field of the Plan page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanField {
    /// The most volume that may move (%).
    MaxShift,
    /// The capacity headroom.
    Headroom,
    /// The price premiums.
    Premiums,
}

impl PlanField {
    /// The field's name in its element ids (`plan-shift`) and test ids (`plan-shift-error`).
    pub fn id(self) -> &'static str {
        match self {
            PlanField::MaxShift => "shift",
            PlanField::Headroom => "headroom",
            PlanField::Premiums => "premiums",
        }
    }

    /// The field in a sentence.
    fn noun(self) -> &'static str {
        match self {
            PlanField::MaxShift => "the maximum shift",
            PlanField::Headroom => "the headroom",
            PlanField::Premiums => "the premiums",
        }
    }
}

/// Everything the user does on the Plan page.
#[derive(Clone, Debug, PartialEq)]
pub enum PlanAction {
    /// Choose a material (its id).
    Material(String),
    /// Choose a stage (its id, [`Stage::id`]; an unknown id changes nothing).
    Stage(String),
    /// Choose an objective (its id).
    Objective(String),
    /// Offer the upstream stages too, or not.
    Upstream(bool),
    /// Keep the restricted countries from gaining volume, or not.
    Restricted(bool),
    /// Type into a text field.
    Edit(PlanField, String),
}

impl Reducible for PlanForm {
    type Action = PlanAction;

    fn reduce(self: Rc<Self>, action: PlanAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            PlanAction::Material(id) => next.material = id,
            PlanAction::Stage(id) => match Stage::ALL.into_iter().find(|s| s.id() == id) {
                Some(stage) => next.stage = Some(stage),
                None => return self,
            },
            PlanAction::Objective(id) => next.objective = id,
            PlanAction::Upstream(on) => next.upstream = on,
            PlanAction::Restricted(on) => next.restricted = on,
            PlanAction::Edit(PlanField::MaxShift, text) => next.max_shift = text,
            PlanAction::Edit(PlanField::Headroom, text) => next.headroom = text,
            PlanAction::Edit(PlanField::Premiums, text) => next.premiums = text,
        }
        Rc::new(next)
    }
}

/// What is wrong with a field.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// Not a number.
    NotANumber,
    /// The list could not be read.
    List(ParseError),
    /// Outside the planner's bounds ([`check_params`]).
    Bounds(PlanError),
    /// The objective is not one the planner knows.
    UnknownObjective,
}

/// A problem of the form, and the field it is shown next to.
pub type FieldError = super::FieldError<PlanField, Problem>;

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.problem, self.field) {
            (Problem::NotANumber, Some(PlanField::MaxShift)) => {
                f.write_str("the maximum shift must be a number of percent")
            }
            (Problem::NotANumber, field) => write!(
                f,
                "{} must be a number",
                field.map_or("the value", PlanField::noun)
            ),
            (Problem::List(error), _) => write!(f, "{error}"),
            (Problem::Bounds(PlanError::InvalidParameter { problem, .. }), Some(field)) => {
                write!(f, "{} {problem}", field.noun())
            }
            (Problem::Bounds(error), _) => write!(f, "{error}"),
            (Problem::UnknownObjective, _) => f.write_str("unknown objective"),
        }
    }
}

/// The form field of a parameter the planner names in [`PlanError::InvalidParameter`].
fn field_of(parameter: &str) -> Option<PlanField> {
    match parameter {
        "max_shift" => Some(PlanField::MaxShift),
        "headroom" => Some(PlanField::Headroom),
        "premium" => Some(PlanField::Premiums),
        _ => None,
    }
}

impl PlanForm {
    /// The planner's parameters, or every field's problem: each text field is read on its own
    /// ([`crate::text::parse`]); when all are readable, the planner's [`check_params`] bounds
    /// them.
    pub fn params(&self) -> Result<PlanParams, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut error = |field, problem| errors.push(FieldError { field, problem });
        let objective = Objective::parse(&self.objective);
        if objective.is_none() {
            error(None, Problem::UnknownObjective);
        }
        let number = |text: &str| parse::number(text).ok();
        let max_shift = number(&self.max_shift);
        if max_shift.is_none() {
            error(Some(PlanField::MaxShift), Problem::NotANumber);
        }
        let headroom = number(&self.headroom);
        if headroom.is_none() {
            error(Some(PlanField::Headroom), Problem::NotANumber);
        }
        let premiums = parse::country_numbers(&self.premiums)
            .map_err(|e| error(Some(PlanField::Premiums), Problem::List(e)))
            .ok();
        let (Some(objective), Some(max_shift), Some(headroom), Some(premiums)) =
            (objective, max_shift, headroom, premiums)
        else {
            return Err(errors);
        };
        let defaults = PlanParams::default();
        let params = PlanParams {
            objective,
            headroom,
            max_shift: max_shift / 100.0,
            premiums,
            restricted: if self.restricted {
                defaults.restricted.clone()
            } else {
                None
            },
            upstream: self.upstream,
            ..defaults
        };
        check_params(&params).map_err(|e| {
            let field = match &e {
                PlanError::InvalidParameter { name, .. } => field_of(name),
                _ => None,
            };
            vec![FieldError {
                field,
                problem: Problem::Bounds(e),
            }]
        })?;
        Ok(params)
    }
}

/// Everything the Plan page shows, derived from the portfolio and the form.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanView {
    /// How many lines have errors (and are left out).
    pub excluded: usize,
    /// The validated portfolio of the lines without errors.
    pub valid: Option<Rc<Portfolio>>,
    /// The materials that can be planned, in the catalogue's order.
    pub materials: Vec<String>,
    /// The material planned (empty when there is none).
    pub material: String,
    /// The stage the firm buys the material at.
    pub bought: Option<Stage>,
    /// The stages offered.
    pub stages: Vec<Stage>,
    /// The stage planned.
    pub stage: Stage,
    /// The form's problems, each shown next to its field.
    pub errors: Vec<FieldError>,
    /// The plan, or why there is none (`None`: nothing to plan, or the form has problems).
    pub plan: Option<Result<Rc<Plan>, PlanError>>,
    /// The portfolio with the plan applied, when it can be applied (no line has errors).
    pub planned: Option<RawPortfolio>,
}

impl PlanView {
    /// The problems shown next to `field` (`None`: shown with the plan).
    pub fn errors_of(&self, field: Option<PlanField>) -> impl Iterator<Item = &FieldError> {
        super::errors_of(&self.errors, field)
    }
}

/// What the Plan page shows for `portfolio` and `form`: validates the portfolio, chooses the
/// material and stage, reads the parameters and solves the plan. The page calls it through
/// `use_memo`, so the solver runs when an input changes, not on every render.
pub fn derive(portfolio: &RawPortfolio, form: &PlanForm) -> PlanView {
    let reference = crate::reference::embedded();
    let (_, excluded, _, valid) = valid_part(portfolio, reference);
    let mut materials: Vec<String> = valid
        .iter()
        .flat_map(|p| p.lines.iter().map(|l| l.material.clone()))
        .collect();
    crate::model::order::sort(&mut materials);
    materials.dedup();
    let material = if materials.contains(&form.material) {
        form.material.clone()
    } else {
        materials.first().cloned().unwrap_or_default()
    };
    // The stage the firm buys at, and the upstream stages only when asked for.
    let bought = valid
        .as_ref()
        .and_then(|p| purchase_stage(p, reference, &material));
    let stages: Vec<Stage> = if form.upstream {
        valid
            .as_ref()
            .map(|p| plannable_stages(p, reference, &material))
            .unwrap_or_default()
    } else {
        bought.into_iter().collect()
    };
    let stage = match form.stage {
        Some(s) if stages.contains(&s) => s,
        _ => bought.unwrap_or(Stage::Refining),
    };
    let (params, errors) = match form.params() {
        Ok(params) => (Some(params), Vec::new()),
        Err(errors) => (None, errors),
    };
    let plan = match (&valid, &params) {
        (Some(p), Some(params)) if !material.is_empty() => {
            Some(plan_stage(p, reference, &material, stage, params).map(Rc::new))
        }
        _ => None,
    };
    let planned = match (&valid, &plan) {
        (Some(p), Some(Ok(plan))) if excluded.is_empty() => {
            Some(apply(p, std::slice::from_ref(plan.as_ref())).to_raw())
        }
        _ => None,
    };
    PlanView {
        excluded: excluded.len(),
        valid: valid.map(Rc::new),
        materials,
        material,
        bought,
        stages,
        stage,
        errors,
        plan,
        planned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(actions: Vec<PlanAction>) -> Rc<PlanForm> {
        actions
            .into_iter()
            .fold(Rc::new(PlanForm::default()), |form, action| {
                form.reduce(action)
            })
    }

    #[test]
    fn the_reducer_keeps_what_was_typed() {
        let typed = form(vec![
            PlanAction::Edit(PlanField::MaxShift, "abc".into()),
            PlanAction::Edit(PlanField::Premiums, "JPN=8".into()),
            PlanAction::Upstream(true),
            PlanAction::Restricted(false),
            PlanAction::Material("gallium".into()),
            PlanAction::Stage("mining".into()),
        ]);
        assert_eq!(typed.max_shift, "abc", "an invalid entry is kept as typed");
        assert_eq!(typed.premiums, "JPN=8");
        assert!(typed.upstream && !typed.restricted);
        assert_eq!(typed.material, "gallium");
        assert_eq!(typed.stage, Some(Stage::Mining));
        let same = typed
            .clone()
            .reduce(PlanAction::Stage("no-such-stage".into()));
        assert!(
            Rc::ptr_eq(&same, &typed),
            "an unknown stage changes nothing"
        );
    }

    #[test]
    fn the_defaults_read_into_the_planners_defaults() {
        let params = PlanForm::default().params().expect("valid defaults");
        let defaults = PlanParams::default();
        assert_eq!(params.objective, Objective::HhiWgi);
        assert_eq!(params.headroom, DEFAULT_HEADROOM);
        assert!((params.max_shift - 0.3).abs() < 1e-12);
        assert_eq!(params.restricted, defaults.restricted);
        assert!(params.premiums.is_empty());
    }

    #[test]
    fn every_unreadable_field_is_named_at_once() {
        let typed = form(vec![
            PlanAction::Edit(PlanField::MaxShift, "lots".into()),
            PlanAction::Edit(PlanField::Headroom, "".into()),
            PlanAction::Edit(PlanField::Premiums, "Japan=8".into()),
        ]);
        let errors = typed.params().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                Some(PlanField::MaxShift),
                Some(PlanField::Headroom),
                Some(PlanField::Premiums)
            ]
        );
        assert_eq!(
            errors[0].to_string(),
            "the maximum shift must be a number of percent"
        );
        assert_eq!(errors[1].to_string(), "the headroom must be a number");
        assert!(errors[2].to_string().contains("Japan"), "{}", errors[2]);
        let repeated = form(vec![PlanAction::Edit(
            PlanField::Premiums,
            "JPN=8, JPN=9".into(),
        )]);
        assert_eq!(
            repeated.params().unwrap_err()[0].to_string(),
            "JPN given twice"
        );
    }

    #[test]
    fn the_bounds_are_the_planners_own() {
        // A negative shift reads as a number; the planner's check refuses it, next to the field.
        let negative = form(vec![PlanAction::Edit(PlanField::MaxShift, "-5".into())]);
        let errors = negative.params().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, Some(PlanField::MaxShift));
        let expected = check_params(&PlanParams {
            max_shift: -0.05,
            ..PlanParams::default()
        })
        .unwrap_err();
        assert_eq!(errors[0].problem, Problem::Bounds(expected));
        assert_eq!(
            errors[0].to_string(),
            "the maximum shift must be a non-negative number"
        );
        // Whatever the planner accepts, the form accepts: a headroom of zero, a shift of 150 %.
        let wide = form(vec![
            PlanAction::Edit(PlanField::Headroom, "0".into()),
            PlanAction::Edit(PlanField::MaxShift, "150 %".into()),
        ]);
        let params = wide.params().expect("within the planner's bounds");
        assert!(check_params(&params).is_ok());
        assert_eq!(params.headroom, 0.0);
        assert!((params.max_shift - 1.5).abs() < 1e-12);
    }

    #[test]
    fn the_view_plans_the_first_material_at_the_stage_bought() {
        let demo = crate::app::demo_portfolio();
        let view = derive(&demo, &PlanForm::default());
        assert!(!view.materials.is_empty());
        assert_eq!(view.material, view.materials[0]);
        assert_eq!(view.stages, view.bought.into_iter().collect::<Vec<_>>());
        let plan = view.plan.clone().expect("a plan").expect("solved");
        assert_eq!(plan.material, view.material);
        assert_eq!(plan.stage, view.stage);
        assert!(view.planned.is_some(), "the demo has no line with errors");
        // A material the portfolio does not hold falls back to the first; a form error leaves
        // no plan and names the field.
        let other = form(vec![
            PlanAction::Material("unobtainium".into()),
            PlanAction::Edit(PlanField::Headroom, "x".into()),
        ]);
        let view = derive(&demo, &other);
        assert_eq!(view.material, view.materials[0]);
        assert_eq!(view.plan, None);
        assert_eq!(view.errors_of(Some(PlanField::Headroom)).count(), 1);
        assert_eq!(view.errors_of(None).count(), 0);
    }
}
