//! What the app keeps in the browser's local storage, as pure functions over text: the keys, the
//! versioned envelope around a saved portfolio, and how an unreadable entry is set aside.
//!
//! Keys (all under the `chokepoint:` prefix, so that clearing them never touches another app):
//!
//! - [`AUTOSAVE_KEY`]: the portfolio being edited, written on every change;
//! - [`SAVED_PREFIX`] + name: a portfolio the user saved under that name;
//! - [`SET_ASIDE_PREFIX`] + original key (+ `~N`): an entry that could not be read, moved out of
//!   the way with its text unchanged so that nothing is lost and nothing good is overwritten.
//!
//! Each value is an envelope, `{"storage_version": 1, "portfolio": {…}}`, whose portfolio is a
//! portfolio document of any schema version ([`crate::portfolio::schema`]). Storage version 0 is a
//! bare portfolio document without an envelope; it migrates on reading. The autosave's envelope
//! also carries its [`Revision`], `"revision": 7, "tab": "…"`, by which tabs of the same browser
//! tell each other's writes apart ([`crate::portfolio::autosave`]); versions that do not know these
//! fields ignore them.
//!
//! An entry that cannot be read is either *newer* ([`StorageError::is_newer`]: written by a newer
//! version of the app, to be left where it is, untouched) or *unreadable* (damaged or foreign, to
//! be set aside).
//!
//! ```
//! use chokepoint::portfolio::RawPortfolio;
//! use chokepoint::portfolio::storage::{read_entry, write_entry};
//! let portfolio = RawPortfolio::from_json(r#"{"schema_version": 1, "lines": []}"#).unwrap();
//! assert_eq!(read_entry(&write_entry(&portfolio)).unwrap(), portfolio);
//! assert!(read_entry("{not json").is_err());
//! ```

use crate::portfolio::RawPortfolio;
use crate::portfolio::limits::{Shape, check_json};
use crate::portfolio::schema::{DocumentError, check_version, import_checked, upgrade};
use crate::portfolio::share::stamped;
use serde_json::Value;
use std::fmt;

/// The envelope version this code writes.
pub const STORAGE_VERSION: u32 = 1;

/// The key of the autosaved portfolio.
pub const AUTOSAVE_KEY: &str = "chokepoint:autosave";

/// The prefix of named saves.
pub const SAVED_PREFIX: &str = "chokepoint:saved:";

/// The prefix of entries set aside because they could not be read.
pub const SET_ASIDE_PREFIX: &str = "chokepoint:unreadable:";

/// The longest name of a saved portfolio, in characters.
pub const MAX_NAME_CHARS: usize = 80;

/// Why a stored entry could not be read.
#[derive(Clone, Debug, PartialEq)]
pub enum StorageError {
    /// Not JSON.
    NotJson(String),
    /// An envelope from a newer version of the app.
    Newer(u64),
    /// The envelope's portfolio could not be read.
    Portfolio(DocumentError),
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageError::NotJson(message) => write!(f, "not readable JSON ({message})"),
            StorageError::Newer(found) => write!(
                f,
                "written by a newer version of Chokepoint (storage version {found}; this version \
                 reads up to {STORAGE_VERSION})"
            ),
            StorageError::Portfolio(error) => error.fmt(f),
        }
    }
}

impl StorageError {
    /// Whether the entry was written by a newer version of the app (a newer storage version, or
    /// a portfolio of a newer schema version): such an entry is read-only here, left in its key
    /// untouched, rather than set aside as unreadable.
    pub fn is_newer(&self) -> bool {
        matches!(
            self,
            StorageError::Newer(_) | StorageError::Portfolio(DocumentError::Newer { .. })
        )
    }
}

/// Which write of the autosave an entry is: the count of writes so far and the tab that made
/// this one (an id the app draws for each page it opens).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revision {
    /// Writes so far, from 1 (the envelope's `revision`).
    pub count: u64,
    /// The tab that wrote it.
    pub tab: String,
}

/// A stored entry as read: the portfolio, and the revision the entry carries (none for named
/// saves and for entries written before revisions existed).
#[derive(Clone, Debug, PartialEq)]
pub struct Stored {
    /// The portfolio, migrated to the current schema version.
    pub portfolio: RawPortfolio,
    /// The entry's revision, if it has one.
    pub revision: Option<Revision>,
}

impl std::error::Error for StorageError {}

/// The stored text of `portfolio`: a version-1 envelope around its JSON (with the current
/// `schema_version`).
pub fn write_entry(portfolio: &RawPortfolio) -> String {
    envelope(portfolio, None)
}

/// The stored text of the autosave: [`write_entry`] with the entry's `revision`.
pub fn write_autosave(portfolio: &RawPortfolio, revision: &Revision) -> String {
    envelope(portfolio, Some(revision))
}

fn envelope(portfolio: &RawPortfolio, revision: Option<&Revision>) -> String {
    // Serialised from the typed form (a generic JSON value would sort the keys of each mix).
    #[derive(serde::Serialize)]
    struct Envelope<'a> {
        storage_version: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        revision: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        tab: Option<&'a str>,
        portfolio: &'a RawPortfolio,
    }
    let envelope = Envelope {
        storage_version: STORAGE_VERSION,
        revision: revision.map(|r| r.count),
        tab: revision.map(|r| r.tab.as_str()),
        portfolio: &stamped(portfolio),
    };
    // Serialising these types cannot fail: every map key is a string.
    serde_json::to_string(&envelope).unwrap_or_default()
}

/// The revision of a stored entry, read without reading its portfolio; `None` for an entry
/// without one (a named save, an entry of an older version, text that is not an envelope).
pub fn stored_revision(text: &str) -> Option<Revision> {
    #[derive(serde::Deserialize)]
    struct Head {
        revision: Option<u64>,
        tab: Option<String>,
    }
    let head: Head = serde_json::from_str(text).ok()?;
    Some(Revision {
        count: head.revision?,
        tab: head.tab?,
    })
}

/// Reads a stored entry of any known storage and portfolio version, after checking it against
/// the size limits ([`crate::portfolio::limits::check_json`]): an entry over them (written by an
/// older version that had none) is refused like any unreadable entry, and set aside by the app.
pub fn read_entry(text: &str) -> Result<RawPortfolio, StorageError> {
    read_stored(text).map(|stored| stored.portfolio)
}

/// [`read_entry`], with the entry's revision.
pub fn read_stored(text: &str) -> Result<Stored, StorageError> {
    let portfolio = read_portfolio(text)?;
    Ok(Stored {
        portfolio,
        revision: stored_revision(text),
    })
}

fn read_portfolio(text: &str) -> Result<RawPortfolio, StorageError> {
    check_json(text, Shape::StorageEntry)
        .map_err(|e| StorageError::Portfolio(DocumentError::TooLarge(e)))?;
    let value: Value =
        serde_json::from_str(text).map_err(|e| StorageError::NotJson(e.to_string()))?;
    let version = match &value {
        Value::Object(map) => map.get("storage_version").map(|v| v.as_u64()),
        _ => None,
    };
    match version {
        // Version 0: a bare portfolio document.
        None => import_checked(text).map_err(StorageError::Portfolio),
        Some(Some(1)) => {
            let found = check_version(value.get("portfolio").unwrap_or(&Value::Null))
                .map_err(StorageError::Portfolio)?;
            // Read the typed form straight from the text, so that key order is kept.
            #[derive(serde::Deserialize)]
            struct Envelope {
                portfolio: RawPortfolio,
            }
            let envelope: Envelope =
                serde_json::from_str(text).map_err(|e| StorageError::NotJson(e.to_string()))?;
            Ok(upgrade(envelope.portfolio, found))
        }
        Some(Some(found)) if found > u64::from(STORAGE_VERSION) => Err(StorageError::Newer(found)),
        Some(_) => Err(StorageError::NotJson(
            "storage_version is not a known version".into(),
        )),
    }
}

/// The key of the portfolio saved as `name` (trimmed); `None` for an empty name or one longer
/// than [`MAX_NAME_CHARS`].
pub fn saved_key(name: &str) -> Option<String> {
    let name = name.trim();
    (!name.is_empty() && name.chars().count() <= MAX_NAME_CHARS)
        .then(|| format!("{SAVED_PREFIX}{name}"))
}

/// The name of a saved portfolio from its key; `None` for keys that are not named saves.
pub fn saved_name(key: &str) -> Option<&str> {
    key.strip_prefix(SAVED_PREFIX).filter(|n| !n.is_empty())
}

/// Where to move the unreadable entry of `key`: the first of `chokepoint:unreadable:KEY`,
/// `…KEY~2`, `…KEY~3`, … for which `taken` is false, so that an earlier set-aside entry is
/// never overwritten.
pub fn set_aside_key(key: &str, taken: impl Fn(&str) -> bool) -> String {
    let base = format!("{SET_ASIDE_PREFIX}{key}");
    if !taken(&base) {
        return base;
    }
    (2u32..)
        .map(|n| format!("{base}~{n}"))
        .find(|k| !taken(k))
        .unwrap_or(base)
}
