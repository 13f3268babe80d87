//! The Import page's state: the files read, each table's mapping and conversion, the
//! declarations, and how lines enter the portfolio, changed only by [`ImportAction`]s through a
//! pure reducer (the worker's messages are actions too), and the portfolio a confirmation makes
//! ([`ImportState::apply`]).

use crate::app::import_job::{FileOutcome, ImportMessage};
use crate::import::Table;
use crate::import::rmi::{Declaration, apply_sourcing, material_sourcing};
use crate::import::table::{
    Column, Conversion, Mode, apply_lines, convert, guess_header_row, guess_mapping,
};
use crate::portfolio::RawPortfolio;
use crate::portfolio::limits::LimitError;
use std::rc::Rc;
use yew::Reducible;

/// One table awaiting its mapping, with its conversion under that mapping. The conversion (up
/// to 50,000 rows) is computed when the table arrives and when its header or mapping changes,
/// in the reducer: never on a render, a drag over the page or a keystroke elsewhere.
#[derive(Clone, Debug, PartialEq)]
pub struct TableReview {
    /// The file's name.
    pub name: String,
    /// The rows.
    pub table: Rc<Table>,
    /// Header row index, if any.
    pub header: Option<usize>,
    /// The column mapping.
    pub mapping: Vec<Column>,
    /// The lines and messages under `header` and `mapping`.
    conversion: Rc<Conversion>,
}

impl TableReview {
    /// A table read with `header` and `mapping`, converted once.
    pub fn new(
        name: String,
        table: Rc<Table>,
        header: Option<usize>,
        mapping: Vec<Column>,
    ) -> TableReview {
        let mut review = TableReview {
            name,
            table,
            header,
            mapping,
            conversion: Rc::default(),
        };
        review.convert();
        review
    }

    /// The lines and messages under the current header and mapping.
    pub fn conversion(&self) -> &Conversion {
        &self.conversion
    }

    /// Converts the table again, after its header or mapping changed.
    fn convert(&mut self) {
        self.conversion = Rc::new(convert(
            &self.table,
            self.header,
            &self.mapping,
            crate::reference::embedded(),
        ));
    }
}

/// Where the import stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportState {
    /// The current job's number (0 before the first).
    pub job: u32,
    /// While reading: (files done, files in all, current file).
    pub reading: Option<(usize, usize, String)>,
    /// Tables read.
    pub tables: Vec<TableReview>,
    /// Declarations read.
    pub declarations: Vec<Declaration>,
    /// Files that could not be read: (name, message).
    pub failures: Vec<(String, String)>,
    /// Replace the portfolio's lines, or add to them.
    pub mode: Option<Mode>,
    /// Why the last confirmation changed nothing (the result was over a size limit).
    pub refused: Option<LimitError>,
    /// Why the last job stopped before its end (the worker could not be loaded or crashed);
    /// what it had read is dropped, and the page offers to read the same input again.
    pub stopped: Option<String>,
}

/// What changes the import state.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportAction {
    /// A new job of `total` files starts; earlier results are dropped.
    Start {
        /// The job's number.
        job: u32,
        /// Files in all.
        total: usize,
    },
    /// A message from the worker.
    Message(ImportMessage),
    /// The user cancelled the reading.
    Cancel,
    /// Maps column `column` of table `table` to `target`.
    SetColumn {
        /// Table index.
        table: usize,
        /// Column index.
        column: usize,
        /// What it holds.
        target: Column,
    },
    /// Whether table `table`'s first row is a header.
    SetHeader {
        /// Table index.
        table: usize,
        /// Whether it has one.
        header: bool,
    },
    /// How lines enter the portfolio.
    SetMode(Mode),
    /// The confirmation was refused: the result would be over a size limit.
    Refused(LimitError),
    /// Drops everything read.
    Clear,
}

impl Reducible for ImportState {
    type Action = ImportAction;

    fn reduce(self: Rc<Self>, action: ImportAction) -> Rc<Self> {
        let mut next = (*self).clone();
        // A refusal holds for the choices it was made with.
        next.refused = None;
        match action {
            ImportAction::Start { job, total } => {
                next = ImportState {
                    job,
                    reading: Some((0, total, String::new())),
                    mode: self.mode,
                    ..ImportState::default()
                };
            }
            ImportAction::Message(message) => match message {
                ImportMessage::Ready => return self,
                ImportMessage::Progress {
                    id,
                    done,
                    total,
                    file,
                } if id == self.job && self.reading.is_some() => {
                    next.reading = Some((done, total, file));
                }
                ImportMessage::File { id, name, outcome } if id == self.job => match outcome {
                    FileOutcome::Table {
                        table,
                        header,
                        mapping,
                    } => next
                        .tables
                        .push(TableReview::new(name, Rc::new(table), header, mapping)),
                    FileOutcome::Declaration { declaration } => {
                        next.declarations.push(*declaration)
                    }
                    FileOutcome::Failed { message } => next.failures.push((name, message)),
                },
                ImportMessage::Done { id, .. } if id == self.job => next.reading = None,
                ImportMessage::Failed { id, message } if id == self.job => {
                    next.reading = None;
                    next.failures.push(("Import".into(), message));
                }
                ImportMessage::Stopped { id, message }
                    if id == self.job && self.reading.is_some() =>
                {
                    next = ImportState {
                        job: self.job,
                        mode: self.mode,
                        stopped: Some(message),
                        ..ImportState::default()
                    };
                }
                _ => return self,
            },
            ImportAction::Cancel => {
                next = ImportState {
                    job: self.job,
                    mode: self.mode,
                    ..ImportState::default()
                };
            }
            ImportAction::SetColumn {
                table,
                column,
                target,
            } => {
                if let Some(review) = next.tables.get_mut(table) {
                    if review.mapping.len() <= column {
                        review.mapping.resize(column + 1, Column::Ignore);
                    }
                    if let Some(slot) = review.mapping.get_mut(column) {
                        *slot = target;
                    }
                    review.convert();
                }
            }
            ImportAction::SetHeader { table, header } => {
                if let Some(review) = next.tables.get_mut(table) {
                    review.header = if header {
                        guess_header_row(&review.table).or(Some(0))
                    } else {
                        None
                    };
                    review.mapping = guess_mapping(&review.table, review.header);
                    review.convert();
                }
            }
            ImportAction::SetMode(mode) => next.mode = Some(mode),
            ImportAction::Refused(error) => next.refused = Some(error),
            ImportAction::Clear => {
                next = ImportState {
                    job: self.job,
                    ..ImportState::default()
                }
            }
        }
        Rc::new(next)
    }
}

impl ImportState {
    /// Whether there is something to confirm.
    pub fn has_results(&self) -> bool {
        self.reading.is_none() && (!self.tables.is_empty() || !self.declarations.is_empty())
    }

    /// The portfolio after confirming: tables' lines replace or extend the lines, then the
    /// declarations set each material's refining (and mining) mix. Refused when the result would
    /// be over a size limit (more than 5,000 lines, for example); nothing is changed then.
    pub fn apply(&self, portfolio: &RawPortfolio) -> Result<RawPortfolio, LimitError> {
        let mode = self.mode.unwrap_or(Mode::Append);
        let mut next = portfolio.clone();
        for (index, review) in self.tables.iter().enumerate() {
            let lines = &review.conversion().lines;
            let mode = if index == 0 { mode } else { Mode::Append };
            next = apply_lines(&next, lines, mode)?;
        }
        if !self.declarations.is_empty() {
            let (sourcing, _) = material_sourcing(&self.declarations, crate::reference::embedded());
            next = apply_sourcing(&next, &sourcing)?;
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::import_job::read_bytes;

    fn with_file(state: ImportState, name: &str, bytes: &[u8]) -> Rc<ImportState> {
        let state = Rc::new(state).reduce(ImportAction::Start { job: 1, total: 1 });
        let outcome = read_bytes(name, bytes);
        let state = state.reduce(ImportAction::Message(ImportMessage::File {
            id: 1,
            name: name.into(),
            outcome,
        }));
        state.reduce(ImportAction::Message(ImportMessage::Done {
            id: 1,
            elapsed_ms: 1.0,
        }))
    }

    #[test]
    fn a_read_table_is_applied_only_on_confirm_and_respects_the_mode() {
        let state = with_file(
            ImportState::default(),
            "p.csv",
            b"material,label,spend\ncobalt,Cells,10\ntin,Solder,5\n",
        );
        assert!(state.has_results());
        let before = crate::app::demo_portfolio();
        let added = state.apply(&before).expect("within the limits");
        assert_eq!(added.lines.len(), before.lines.len() + 2);
        let state = state.reduce(ImportAction::SetMode(Mode::Replace));
        let replaced = state.apply(&before).expect("within the limits");
        assert_eq!(replaced.lines.len(), 2);
        assert_eq!(replaced.name, before.name);
    }

    #[test]
    fn remapping_a_column_changes_the_lines_and_messages() {
        let state = with_file(
            ImportState::default(),
            "p.csv",
            b"material,label,spend\ncobalt,Cells,ten\n",
        );
        assert_eq!(state.tables[0].conversion().messages.len(), 1);
        let state = state.reduce(ImportAction::SetColumn {
            table: 0,
            column: 2,
            target: Column::Ignore,
        });
        let conversion = state.tables[0].conversion();
        assert!(conversion.messages.is_empty());
        assert_eq!(conversion.lines[0].spend, None);
    }

    #[test]
    fn messages_of_an_old_or_cancelled_job_are_ignored() {
        let state =
            Rc::new(ImportState::default()).reduce(ImportAction::Start { job: 2, total: 1 });
        let stale = state
            .clone()
            .reduce(ImportAction::Message(ImportMessage::File {
                id: 1,
                name: "old.csv".into(),
                outcome: read_bytes("old.csv", b"material\ncobalt\n"),
            }));
        assert!(stale.tables.is_empty());
        let cancelled = state.reduce(ImportAction::Cancel);
        assert!(cancelled.reading.is_none() && !cancelled.has_results());
    }

    #[test]
    fn a_worker_that_stops_ends_the_reading_and_keeps_nothing_half_read() {
        let state =
            Rc::new(ImportState::default()).reduce(ImportAction::Start { job: 1, total: 2 });
        let state = state.reduce(ImportAction::Message(ImportMessage::File {
            id: 1,
            name: "first.csv".into(),
            outcome: read_bytes("first.csv", b"material\ncobalt\n"),
        }));
        let stopped = state.reduce(ImportAction::Message(ImportMessage::Stopped {
            id: 1,
            message: "the worker stopped: RuntimeError: unreachable".into(),
        }));
        assert_eq!(stopped.reading, None, "no endless \"Reading…\"");
        assert_eq!(
            stopped.stopped.as_deref(),
            Some("the worker stopped: RuntimeError: unreachable")
        );
        assert!(
            !stopped.has_results(),
            "a half-read job is not offered for import"
        );
        // Trying again is a new job, which starts clean.
        let again = stopped.reduce(ImportAction::Start { job: 2, total: 2 });
        assert_eq!(again.stopped, None);
        assert!(again.reading.is_some());
        // A worker that stops after it finished changes nothing.
        let done = with_file(ImportState::default(), "p.csv", b"material\ncobalt\n");
        let late = done
            .clone()
            .reduce(ImportAction::Message(ImportMessage::Stopped {
                id: 1,
                message: "late".into(),
            }));
        assert_eq!(late, done);
    }

    #[test]
    fn the_conversion_is_computed_once_per_table_and_mapping() {
        let state = with_file(
            ImportState::default(),
            "p.csv",
            b"material,label,spend\ncobalt,Cells,ten\n",
        );
        let first = Rc::clone(&state.tables[0].conversion);
        // Choices that leave the table and its mapping alone keep the same conversion.
        let moded = state.reduce(ImportAction::SetMode(Mode::Replace));
        assert!(Rc::ptr_eq(&first, &moded.tables[0].conversion));
        // A new mapping converts again, once, to what `convert` gives for it.
        let remapped = moded.reduce(ImportAction::SetColumn {
            table: 0,
            column: 2,
            target: Column::Ignore,
        });
        let review = &remapped.tables[0];
        assert!(!Rc::ptr_eq(&first, &review.conversion));
        let expected = convert(
            &review.table,
            review.header,
            &review.mapping,
            crate::reference::embedded(),
        );
        assert_eq!(*review.conversion, expected);
        assert_eq!(first.messages.len(), 1);
        assert!(review.conversion().messages.is_empty());
    }
}
