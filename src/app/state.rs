//! The app's state: the user's inputs and nothing else, changed only by [`Action`]s through a
//! pure reducer. Results are derived from the inputs elsewhere (`use_memo`), never stored here.
//!
//! The portfolio is held in its raw form, exactly as typed, so that an invalid entry ("12,5",
//! "abc") is kept next to its error message instead of being lost. Undo and redo keep whole
//! snapshots; consecutive keystrokes in the same field count as one step.

use crate::model::Stage;
use crate::portfolio::limits;
use crate::portfolio::{OrderedMap, RawLine, RawNumber, RawPortfolio, RawStageSourcing};
use std::rc::Rc;
use yew::Reducible;

/// How many undo steps are kept.
pub const UNDO_LIMIT: usize = 100;

/// A field of a portfolio line that holds text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineField {
    /// The material id.
    Material,
    /// The free-text label.
    Label,
    /// Annual spend.
    Spend,
    /// Share of revenue that depends on the line, in percent.
    RevenueShare,
    /// Days of inventory held.
    InventoryDays,
    /// What the material goes into (an end-use id; empty for not given).
    EndUse,
}

/// A field of the portfolio itself that the policy checks read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortfolioField {
    /// Where the firm sells (a jurisdiction id; empty for not given).
    Jurisdiction,
    /// Who the firm supplies (a customer id; empty for not given).
    Customer,
}

/// Everything the user can do to the inputs.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Replace the whole portfolio (template, import, demo).
    Load(RawPortfolio),
    /// Add an empty line at the end.
    AddLine,
    /// Remove line `index` (0-based).
    RemoveLine(usize),
    /// Set a text field of a line.
    EditLine {
        /// Line index, 0-based.
        line: usize,
        /// Which field.
        field: LineField,
        /// The text as typed.
        text: String,
    },
    /// Set a field of the portfolio (empty text: not given).
    EditPortfolio {
        /// Which field.
        field: PortfolioField,
        /// The value chosen.
        text: String,
    },
    /// Make a stage known (an editable mix, seeded with one empty row) or unknown (world mix).
    SetStageKnown {
        /// Line index.
        line: usize,
        /// The stage.
        stage: Stage,
        /// `true` for a country mix the user enters, `false` for "unknown: use the world mix".
        known: bool,
    },
    /// Edit the country code of row `row` of a stage's mix.
    EditCountry {
        /// Line index.
        line: usize,
        /// The stage.
        stage: Stage,
        /// Row in the mix.
        row: usize,
        /// The code as typed.
        text: String,
    },
    /// Edit the share (percent) of row `row` of a stage's mix.
    EditShare {
        /// Line index.
        line: usize,
        /// The stage.
        stage: Stage,
        /// Row in the mix.
        row: usize,
        /// The share as typed.
        text: String,
    },
    /// Add an empty country row to a stage's mix.
    AddCountry {
        /// Line index.
        line: usize,
        /// The stage.
        stage: Stage,
    },
    /// Remove a country row from a stage's mix.
    RemoveCountry {
        /// Line index.
        line: usize,
        /// The stage.
        stage: Stage,
        /// Row in the mix.
        row: usize,
    },
    /// Rescale a stage's shares to sum to 100 %.
    Normalise {
        /// Line index.
        line: usize,
        /// The stage.
        stage: Stage,
    },
    /// Put what is missing to 100 % on "rest of world".
    FillRemainder {
        /// Line index.
        line: usize,
        /// The stage.
        stage: Stage,
    },
    /// Choose how the look-through fills unstated stages (the portfolio's `look_through`;
    /// the default, trade, is written as absent).
    SetLookThrough(crate::portfolio::LookThroughBasis),
    /// Go back one step.
    Undo,
    /// Go forward one step.
    Redo,
}

impl Action {
    /// Edits of the same field that follow each other merge into one undo step.
    fn merge_key(&self) -> Option<(usize, u8, Option<Stage>, usize)> {
        match self {
            Action::EditLine { line, field, .. } => Some((*line, *field as u8, None, 0)),
            Action::EditCountry {
                line, stage, row, ..
            } => Some((*line, 10, Some(*stage), *row)),
            Action::EditShare {
                line, stage, row, ..
            } => Some((*line, 11, Some(*stage), *row)),
            _ => None,
        }
    }
}

/// The inputs, with their undo history.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inputs {
    /// The portfolio as typed (shared snapshots: cloning the inputs is cheap).
    pub portfolio: Rc<RawPortfolio>,
    undo: Vec<Rc<RawPortfolio>>,
    redo: Vec<Rc<RawPortfolio>>,
    last_edit: Option<(usize, u8, Option<Stage>, usize)>,
}

impl Inputs {
    /// Inputs holding `portfolio`, with no history.
    pub fn new(portfolio: RawPortfolio) -> Inputs {
        Inputs {
            portfolio: Rc::new(portfolio),
            ..Inputs::default()
        }
    }

    /// Whether there is a step to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is a step to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Applies `action` and returns the new inputs (pure: no I/O, no clock).
    pub fn apply(mut self, action: Action) -> Inputs {
        match action {
            Action::Undo => {
                step(&mut self.portfolio, &mut self.undo, &mut self.redo);
                self.last_edit = None;
                return self;
            }
            Action::Redo => {
                step(&mut self.portfolio, &mut self.redo, &mut self.undo);
                self.last_edit = None;
                return self;
            }
            _ => {}
        }
        let key = action.merge_key();
        let mut next = (*self.portfolio).clone();
        edit(&mut next, action);
        if next == *self.portfolio {
            return self;
        }
        let next = Rc::new(next);
        if key.is_none() || key != self.last_edit {
            self.undo.push(std::mem::replace(&mut self.portfolio, next));
            if self.undo.len() > UNDO_LIMIT {
                self.undo.remove(0);
            }
        } else {
            self.portfolio = next;
        }
        self.redo.clear();
        self.last_edit = key;
        self
    }
}

impl Reducible for Inputs {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new((*self).clone().apply(action))
    }
}

/// Moves one snapshot from `from` into the current portfolio, keeping the current one on `to`
/// (undo moves from the undo stack to the redo stack, redo the other way).
fn step(
    current: &mut Rc<RawPortfolio>,
    from: &mut Vec<Rc<RawPortfolio>>,
    to: &mut Vec<Rc<RawPortfolio>>,
) {
    if let Some(snapshot) = from.pop() {
        to.push(std::mem::replace(current, snapshot));
    }
}

fn mix_mut(
    portfolio: &mut RawPortfolio,
    line: usize,
    stage: Stage,
) -> Option<&mut OrderedMap<RawNumber>> {
    portfolio.lines.get_mut(line)?.stage_mix_mut(stage)
}

/// `text` cut to at most `max` characters.
fn at_most(mut text: String, max: usize) -> String {
    if let Some((end, _)) = text.char_indices().nth(max) {
        text.truncate(end);
    }
    text
}

/// The number of country rows of every mix, against [`limits::MAX_COUNTRY_SHARES`].
fn country_rows(portfolio: &RawPortfolio) -> usize {
    let mixes = portfolio.lines.iter().flat_map(|l| l.sourcing.0.iter());
    mixes
        .map(|(_, s)| match s {
            RawStageSourcing::Mix(mix) => mix.0.len(),
            RawStageSourcing::Text(_) => 0,
        })
        .sum()
}

/// Applies an editing action to the portfolio; indexes out of range do nothing. Edits keep the
/// portfolio within the size limits every reader applies ([`crate::portfolio::limits`]), so that
/// what is autosaved always reads back: no line past [`limits::MAX_LINES`], no country row past
/// a mix's or the portfolio's limit, typed text cut at its field's length.
fn edit(portfolio: &mut RawPortfolio, action: Action) {
    let rows_left = || country_rows(portfolio) < limits::MAX_COUNTRY_SHARES;
    match action {
        Action::Load(new) => *portfolio = new,
        Action::SetLookThrough(basis) => {
            portfolio.look_through = (basis != crate::portfolio::LookThroughBasis::default())
                .then(|| basis.id().to_string());
        }
        Action::AddLine => {
            if portfolio.lines.len() < limits::MAX_LINES {
                portfolio.lines.push(RawLine::default());
            }
        }
        Action::RemoveLine(index) => {
            if index < portfolio.lines.len() {
                portfolio.lines.remove(index);
            }
        }
        Action::EditLine { line, field, text } => {
            let Some(line) = portfolio.lines.get_mut(line) else {
                return;
            };
            let max = match field {
                LineField::Label => limits::MAX_TEXT_CHARS,
                _ => limits::MAX_ID_CHARS,
            };
            let text = at_most(text, max);
            let number = || (!text.trim().is_empty()).then(|| RawNumber::Text(text.clone()));
            match field {
                LineField::Material => line.material = Some(text.clone()),
                LineField::Label => {
                    line.label = (!text.trim().is_empty()).then(|| text.clone());
                }
                LineField::Spend => line.spend = number(),
                LineField::RevenueShare => line.revenue_share_pct = number(),
                LineField::InventoryDays => line.inventory_days = number(),
                LineField::EndUse => line.end_use = (!text.trim().is_empty()).then(|| text.clone()),
            }
        }
        Action::EditPortfolio { field, text } => {
            let text = at_most(text, limits::MAX_ID_CHARS);
            let value = (!text.trim().is_empty()).then_some(text);
            match field {
                PortfolioField::Jurisdiction => portfolio.jurisdiction = value,
                PortfolioField::Customer => portfolio.customer = value,
            }
        }
        Action::SetStageKnown { line, stage, known } => {
            let room = rows_left();
            let Some(line) = portfolio.lines.get_mut(line) else {
                return;
            };
            if !known {
                line.set_stage(stage, None);
            } else if room && !matches!(line.stage(stage), Some(RawStageSourcing::Mix(_))) {
                let seed = OrderedMap(vec![(String::new(), RawNumber::Number(100.0))]);
                line.set_stage(stage, Some(RawStageSourcing::Mix(seed)));
            }
        }
        Action::EditCountry {
            line,
            stage,
            row,
            text,
        } => {
            if let Some(entry) = mix_mut(portfolio, line, stage).and_then(|m| m.0.get_mut(row)) {
                entry.0 = at_most(text, limits::MAX_ID_CHARS);
            }
        }
        Action::EditShare {
            line,
            stage,
            row,
            text,
        } => {
            if let Some(entry) = mix_mut(portfolio, line, stage).and_then(|m| m.0.get_mut(row)) {
                entry.1 = RawNumber::Text(at_most(text, limits::MAX_ID_CHARS));
            }
        }
        Action::AddCountry { line, stage } => {
            let room = rows_left();
            if let Some(mix) = mix_mut(portfolio, line, stage)
                && room
                && mix.0.len() < limits::MAX_MIX_COUNTRIES
            {
                let missing = (100.0 - mix.typed_sum()).max(0.0);
                mix.0.push((String::new(), RawNumber::Number(missing)));
            }
        }
        Action::RemoveCountry { line, stage, row } => {
            if let Some(mix) = mix_mut(portfolio, line, stage)
                && row < mix.0.len()
            {
                mix.0.remove(row);
            }
        }
        Action::Normalise { line, stage } => {
            if let Some(mix) = mix_mut(portfolio, line, stage) {
                mix.normalise();
            }
        }
        Action::FillRemainder { line, stage } => {
            if let Some(mix) = mix_mut(portfolio, line, stage) {
                mix.fill_remainder();
            }
        }
        Action::Undo | Action::Redo => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_keep_the_portfolio_within_the_reading_limits() {
        let mut inputs = Inputs::new(RawPortfolio {
            lines: vec![RawLine::default(); limits::MAX_LINES - 1],
            ..RawPortfolio::default()
        });
        inputs = inputs.apply(Action::AddLine).apply(Action::AddLine);
        assert_eq!(inputs.portfolio.lines.len(), limits::MAX_LINES);
        let label = "é".repeat(limits::MAX_TEXT_CHARS + 50);
        inputs = inputs.apply(Action::EditLine {
            line: 0,
            field: LineField::Label,
            text: label,
        });
        let kept = inputs.portfolio.lines[0].label.clone().unwrap_or_default();
        assert_eq!(kept.chars().count(), limits::MAX_TEXT_CHARS);
        inputs = inputs.apply(Action::SetStageKnown {
            line: 1,
            stage: Stage::Refining,
            known: true,
        });
        for _ in 0..limits::MAX_MIX_COUNTRIES + 5 {
            inputs = inputs.apply(Action::AddCountry {
                line: 1,
                stage: Stage::Refining,
            });
        }
        let rows = match inputs.portfolio.lines[1].stage(Stage::Refining) {
            Some(RawStageSourcing::Mix(mix)) => mix.0.len(),
            other => panic!("{other:?}"),
        };
        assert_eq!(rows, limits::MAX_MIX_COUNTRIES);
        // What is autosaved reads back.
        assert_eq!(limits::check_portfolio(&inputs.portfolio), Ok(()));
        let stored = crate::portfolio::storage::write_entry(&inputs.portfolio);
        assert!(crate::portfolio::storage::read_entry(&stored).is_ok());
    }

    #[test]
    fn the_look_through_setting_is_written_only_when_not_the_default() {
        use crate::portfolio::LookThroughBasis;
        let inputs = one_line().apply(Action::SetLookThrough(LookThroughBasis::World));
        assert_eq!(inputs.portfolio.look_through.as_deref(), Some("world"));
        let back = inputs.clone().apply(Action::Undo);
        assert_eq!(back.portfolio.look_through, None);
        let trade = inputs.apply(Action::SetLookThrough(LookThroughBasis::Trade));
        assert_eq!(trade.portfolio.look_through, None);
    }

    #[test]
    fn end_use_and_market_edits_are_kept_and_round_trip_through_storage() {
        let mut inputs = one_line()
            .apply(Action::EditLine {
                line: 0,
                field: LineField::EndUse,
                text: "electronics".into(),
            })
            .apply(Action::EditPortfolio {
                field: PortfolioField::Jurisdiction,
                text: "us".into(),
            })
            .apply(Action::EditPortfolio {
                field: PortfolioField::Customer,
                text: "us_dod".into(),
            });
        assert_eq!(
            inputs.portfolio.lines[0].end_use.as_deref(),
            Some("electronics")
        );
        assert_eq!(inputs.portfolio.jurisdiction.as_deref(), Some("us"));
        let stored = crate::portfolio::storage::write_entry(&inputs.portfolio);
        let read = crate::portfolio::storage::read_entry(&stored).unwrap();
        assert_eq!(read.jurisdiction.as_deref(), Some("us"));
        assert_eq!(read.customer.as_deref(), Some("us_dod"));
        assert_eq!(read.lines[0].end_use.as_deref(), Some("electronics"));
        // "Not given" clears the field; undo brings it back.
        inputs = inputs.apply(Action::EditPortfolio {
            field: PortfolioField::Customer,
            text: String::new(),
        });
        assert_eq!(inputs.portfolio.customer, None);
        inputs = inputs.apply(Action::Undo);
        assert_eq!(inputs.portfolio.customer.as_deref(), Some("us_dod"));
    }

    fn one_line() -> Inputs {
        let mut p = RawPortfolio::default();
        p.lines.push(RawLine {
            material: Some("gallium".into()),
            ..RawLine::default()
        });
        Inputs::new(p)
    }

    fn edit_spend(text: &str) -> Action {
        Action::EditLine {
            line: 0,
            field: LineField::Spend,
            text: text.into(),
        }
    }

    #[test]
    fn typed_text_is_kept_even_when_invalid() {
        let inputs = one_line().apply(edit_spend("12,5 kEUR"));
        assert_eq!(
            inputs.portfolio.lines[0].spend,
            Some(RawNumber::Text("12,5 kEUR".into()))
        );
    }

    #[test]
    fn keystrokes_in_one_field_are_one_undo_step() {
        let inputs = one_line()
            .apply(edit_spend("1"))
            .apply(edit_spend("12"))
            .apply(edit_spend("120"));
        let undone = inputs.apply(Action::Undo);
        assert_eq!(undone.portfolio.lines[0].spend, None);
        assert!(!undone.can_undo());
        let redone = undone.apply(Action::Redo);
        assert_eq!(
            redone.portfolio.lines[0].spend,
            Some(RawNumber::Text("120".into()))
        );
    }

    #[test]
    fn a_new_edit_clears_redo() {
        let inputs = one_line().apply(Action::AddLine).apply(Action::Undo);
        assert!(inputs.can_redo());
        assert!(!inputs.apply(edit_spend("5")).can_redo());
    }

    #[test]
    fn stage_known_unknown_and_mix_editing() {
        let inputs = one_line()
            .apply(Action::SetStageKnown {
                line: 0,
                stage: Stage::Refining,
                known: true,
            })
            .apply(Action::EditCountry {
                line: 0,
                stage: Stage::Refining,
                row: 0,
                text: "CHN".into(),
            })
            .apply(Action::EditShare {
                line: 0,
                stage: Stage::Refining,
                row: 0,
                text: "70".into(),
            })
            .apply(Action::FillRemainder {
                line: 0,
                stage: Stage::Refining,
            });
        let Some(RawStageSourcing::Mix(mix)) = inputs.portfolio.lines[0].stage(Stage::Refining)
        else {
            panic!("refining should be a mix");
        };
        assert_eq!(mix.typed_sum(), 100.0);
        assert_eq!(mix.0[1].0, "ROW");
        let unknown = inputs.apply(Action::SetStageKnown {
            line: 0,
            stage: Stage::Refining,
            known: false,
        });
        assert_eq!(unknown.portfolio.lines[0].stage(Stage::Refining), None);
    }

    #[test]
    fn out_of_range_indexes_change_nothing() {
        let inputs = one_line();
        let after = inputs
            .clone()
            .apply(Action::RemoveLine(7))
            .apply(Action::EditShare {
                line: 3,
                stage: Stage::Mining,
                row: 9,
                text: "1".into(),
            });
        assert_eq!(after, inputs);
    }
}
