//! The import job the Import page hands to its Web Worker (`import-worker`, loaded on the first
//! import so the spreadsheet readers stay out of the first page load): the messages both sides
//! exchange, and the job itself as a pure function that runs natively in tests exactly as in the
//! worker.
//!
//! Protocol: the worker posts [`ImportMessage::Ready`] once loaded; the page posts a request
//! object `{ id, files: File[], paste: string | null }` (files are passed as they are, the worker
//! reads them); for each file the worker posts [`ImportMessage::Progress`] and then
//! [`ImportMessage::File`], and ends with [`ImportMessage::Done`]. To cancel, the page terminates
//! the worker. A worker that fails to load or crashes ends the job with
//! [`ImportMessage::Stopped`], which the page makes.

use crate::import::table::{Column, guess_header_row, guess_mapping};
use crate::import::{FileContent, MAX_FILE_BYTES, SpreadsheetError, Table, rmi::Declaration};
use serde::{Deserialize, Serialize};

// Externally tagged (serde's default) on purpose: an internally tagged enum is deserialised
// through serde's buffering `Content` type, which doubles the deserialisation code of every
// nested type in the first-load bundle.

/// What one file (or the pasted text) turned out to hold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FileOutcome {
    /// Portfolio rows, with the guessed header row and column mapping.
    Table {
        /// The rows.
        table: Table,
        /// Index of the header row in `table.rows`, if any.
        header: Option<usize>,
        /// One guessed column per column.
        mapping: Vec<Column>,
    },
    /// A supplier declaration.
    Declaration {
        /// What was read.
        declaration: Box<Declaration>,
    },
    /// The file could not be read.
    Failed {
        /// Why, in words.
        message: String,
    },
}

/// A message from the worker to the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ImportMessage {
    /// The worker has loaded and listens.
    Ready,
    /// The worker starts on file `done + 1` of `total`.
    Progress {
        /// The job.
        id: u32,
        /// Files finished.
        done: usize,
        /// Files in all.
        total: usize,
        /// The file being read.
        file: String,
    },
    /// One file's result.
    File {
        /// The job.
        id: u32,
        /// The file's name (or "Pasted rows").
        name: String,
        /// What it holds.
        outcome: FileOutcome,
    },
    /// Every file is done.
    Done {
        /// The job.
        id: u32,
        /// Milliseconds the worker spent.
        elapsed_ms: f64,
    },
    /// The request could not be read.
    Failed {
        /// The job.
        id: u32,
        /// Why, in words.
        message: String,
    },
    /// The worker stopped before the end of the job: it could not be loaded, it crashed (a panic
    /// or running out of memory), or it sent a message that could not be read. Made by the
    /// page's side ([`crate::app::browser::worker`]), never posted by the worker; trying again
    /// starts a fresh worker.
    Stopped {
        /// The job.
        id: u32,
        /// What happened, in words.
        message: String,
    },
}

/// The name the pasted text goes by.
pub const PASTED: &str = "Pasted rows";

/// Reads one file's bytes into an outcome.
pub fn read_bytes(name: &str, bytes: &[u8]) -> FileOutcome {
    outcome(crate::import::read_file(name, bytes))
}

/// Reads pasted text into an outcome.
pub fn read_pasted(text: &str) -> FileOutcome {
    outcome(crate::import::table::read_paste(text).map(FileContent::Table))
}

/// The outcome for a file of `size` bytes that is refused unread, if it is too large.
pub fn refuse_unread(size: f64) -> Option<FileOutcome> {
    (size > MAX_FILE_BYTES as f64).then(|| FileOutcome::Failed {
        message: SpreadsheetError::TooLarge {
            bytes: size as usize,
        }
        .to_string(),
    })
}

fn outcome(result: Result<FileContent, SpreadsheetError>) -> FileOutcome {
    match result {
        Ok(FileContent::Table(table)) => {
            let header = guess_header_row(&table);
            let mapping = guess_mapping(&table, header);
            FileOutcome::Table {
                table,
                header,
                mapping,
            }
        }
        Ok(FileContent::Declaration(declaration)) => FileOutcome::Declaration { declaration },
        Err(error) => FileOutcome::Failed {
            message: error.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_bytes_become_a_table_with_a_guessed_mapping() {
        let outcome = read_bytes("p.csv", b"material,spend\ncobalt,10\n");
        let FileOutcome::Table {
            header, mapping, ..
        } = outcome
        else {
            panic!("table expected: {outcome:?}");
        };
        assert_eq!(header, Some(0));
        assert_eq!(mapping, [Column::Material, Column::Spend]);
    }

    #[test]
    fn unreadable_and_oversized_files_fail_with_a_message() {
        let FileOutcome::Failed { message } = read_bytes("p.xls", b"\xD0\xCF") else {
            panic!("xls refused");
        };
        assert!(message.contains(".xlsx"), "{message}");
        let Some(FileOutcome::Failed { message }) = refuse_unread(30.0 * 1024.0 * 1024.0) else {
            panic!("too large");
        };
        assert!(message.contains("30.0 MB"), "{message}");
        assert_eq!(refuse_unread(1000.0), None);
    }

    #[test]
    fn messages_survive_a_json_round_trip() {
        let message = ImportMessage::File {
            id: 3,
            name: PASTED.into(),
            outcome: read_pasted("tin\tSolder\t300\n"),
        };
        let json = serde_json::to_string(&message).expect("serialise");
        let back: ImportMessage = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, message);
    }
}
