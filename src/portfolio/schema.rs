//! Schema versions of the portfolio file, and the migrations that bring an older document up to
//! [`SCHEMA_VERSION`].
//!
//! Every way a portfolio comes in from outside the running app (a JSON file the user opens, a
//! share link, the browser's local storage) goes through [`import_json`]:
//!
//! 1. the text is checked against the size limits of [`crate::portfolio::limits`] (lines, groups,
//!    countries per mix, text lengths, unknown fields, nesting) before anything is built;
//! 2. the text is parsed as JSON;
//! 3. the document's version is read (`schema_version`; a document without one is version 0,
//!    the unversioned drafts written before the format carried a version);
//! 4. each migration from that version up to [`SCHEMA_VERSION`] is applied in turn;
//! 5. the result is read as a [`RawPortfolio`], leniently (validation comes later and names every
//!    problem next to its field, so nothing the user typed is lost).
//!
//! A document from a *newer* version is refused rather than guessed at, and so is a foreign
//! document (JSON that is not a portfolio: an array, or an object with none of the portfolio's
//! fields). See `docs/PORTFOLIO_FORMAT.md`, section "Versions and migration".
//!
//! ```
//! use chokepoint::portfolio::schema::{import_json, DocumentError};
//! // An unversioned draft migrates to the current version.
//! let raw = import_json(r#"{"lines": [{"material": "gallium", "spend": 10}]}"#).unwrap();
//! assert_eq!(raw.schema_version.and_then(|v| v.value()), Some(1.0));
//! // A newer version is refused with a message saying so.
//! let err = import_json(r#"{"schema_version": 7, "lines": []}"#).unwrap_err();
//! assert!(matches!(err, DocumentError::Newer { found: 7 }));
//! ```

use crate::portfolio::limits::{LimitError, Shape, check_json};
use crate::portfolio::{ParseError, RawNumber, RawPortfolio, SCHEMA_VERSION};
use serde_json::Value;
use std::fmt;

/// The fields a portfolio document may have at its top level (version 0 and 1 alike). An
/// unversioned object with none of them is not a portfolio.
pub const PORTFOLIO_FIELDS: [&str; 5] = ["schema_version", "name", "spend_unit", "groups", "lines"];

/// Why a portfolio document (JSON file, share link or stored entry) could not be read.
#[derive(Clone, Debug, PartialEq)]
pub enum DocumentError {
    /// The text is not JSON, or JSON of the wrong shape (line and column given).
    Parse(ParseError),
    /// JSON that is not a portfolio document.
    Foreign(String),
    /// A version this code does not know yet: the file was written by a newer Chokepoint.
    Newer {
        /// The version found.
        found: u64,
    },
    /// A `schema_version` that is not a whole number from 0 up.
    BadVersion(String),
    /// A document over one of the size limits of [`crate::portfolio::limits`]; refused before it
    /// is parsed.
    TooLarge(LimitError),
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocumentError::Parse(error) => error.fmt(f),
            DocumentError::Foreign(what) => write!(f, "not a Chokepoint portfolio: {what}"),
            DocumentError::Newer { found } => write!(
                f,
                "written by a newer version of Chokepoint (schema version {found}); this version \
                 reads versions 0 to {SCHEMA_VERSION}, so it is not read rather than guessed at"
            ),
            DocumentError::TooLarge(error) => {
                write!(f, "the portfolio is too large to open: {error}")
            }
            DocumentError::BadVersion(found) => write!(
                f,
                "schema_version `{found}` is not a whole number (this version reads 0 to \
                 {SCHEMA_VERSION})"
            ),
        }
    }
}

impl std::error::Error for DocumentError {}

/// The version of a parsed document: its `schema_version` (a number, or text holding one), or 0
/// when absent. Refuses foreign documents and versions that are not whole numbers.
pub fn document_version(document: &Value) -> Result<u64, DocumentError> {
    let Value::Object(map) = document else {
        return Err(DocumentError::Foreign(format!(
            "the document is {}, not an object",
            kind(document)
        )));
    };
    let number = match map.get("schema_version") {
        None => {
            if !PORTFOLIO_FIELDS.iter().any(|f| map.contains_key(*f)) {
                return Err(DocumentError::Foreign(
                    "none of its fields is a portfolio field (schema_version, name, spend_unit, \
                     groups, lines)"
                        .into(),
                ));
            }
            return Ok(0);
        }
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(text)) => text.trim().parse::<f64>().ok(),
        Some(other) => return Err(DocumentError::BadVersion(other.to_string())),
    };
    match number {
        // Exact: a whole number in 0..2^53 converts to u64 without loss.
        Some(v) if v.fract() == 0.0 && (0.0..9_007_199_254_740_992.0).contains(&v) => Ok(v as u64),
        _ => Err(DocumentError::BadVersion(
            map.get("schema_version")
                .map(ToString::to_string)
                .unwrap_or_default(),
        )),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The version of a parsed document, refused when newer than [`SCHEMA_VERSION`], foreign or
/// malformed (see [`document_version`]).
pub fn check_version(document: &Value) -> Result<u64, DocumentError> {
    let found = document_version(document)?;
    if found > u64::from(SCHEMA_VERSION) {
        return Err(DocumentError::Newer { found });
    }
    Ok(found)
}

/// Brings a portfolio read from a document of version `found` up to [`SCHEMA_VERSION`], one
/// step per version. Migrations work on the typed form, so that key order within `sourcing` and
/// within each country mix is kept (a generic JSON value would sort it).
///
/// Version 0 to 1: the unversioned drafts had the same fields; the portfolio gains
/// `schema_version: 1`. A future version 2 adds its step after this one.
pub fn upgrade(mut portfolio: RawPortfolio, found: u64) -> RawPortfolio {
    if found < 1 {
        portfolio.schema_version = Some(RawNumber::Number(1.0));
    }
    portfolio
}

fn parse_error(e: &serde_json::Error) -> DocumentError {
    DocumentError::Parse(ParseError {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// Reads the JSON text of a portfolio document of any known version, migrated to the current one,
/// after checking it against the size limits ([`crate::portfolio::limits::check_json`]).
pub fn import_json(text: &str) -> Result<RawPortfolio, DocumentError> {
    check_json(text, Shape::Portfolio).map_err(DocumentError::TooLarge)?;
    import_checked(text)
}

/// [`import_json`] of a text already checked against the size limits.
pub(crate) fn import_checked(text: &str) -> Result<RawPortfolio, DocumentError> {
    let probe: Value = serde_json::from_str(text).map_err(|e| parse_error(&e))?;
    let found = check_version(&probe)?;
    let portfolio: RawPortfolio = serde_json::from_str(text).map_err(|e| parse_error(&e))?;
    Ok(upgrade(portfolio, found))
}
