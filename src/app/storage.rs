//! The browser's local storage: the autosave and the named saved portfolios. The formats, keys,
//! set-aside rule and the rules between tabs are pure functions in [`crate::portfolio::storage`] and
//! [`crate::portfolio::autosave`]; this module only reads and writes. Every failure comes back as a
//! message for the user (a full quota included), never a panic; an unreadable entry is moved
//! aside before anything is written in its place, and an entry of a newer version is left where
//! it is, untouched.

use crate::portfolio::RawPortfolio;
use crate::portfolio::autosave::{Pause, Step, TabSync, kept_name, replaced_work};
use crate::portfolio::storage::{
    AUTOSAVE_KEY, StorageError, read_entry, read_stored, saved_key, saved_name, set_aside_key,
    write_entry,
};
use std::fmt;

/// What the app starts with: the autosaved portfolio (or the fallback), a message when the
/// autosave could not be read, and what this tab knows of the autosave.
#[derive(Clone, Debug, PartialEq)]
pub struct Startup {
    /// The portfolio to show.
    pub portfolio: RawPortfolio,
    /// A message for the user, if any.
    pub notice: Option<String>,
    /// This tab's view of the autosave, paused when writing must stay off (an entry of a newer
    /// version, an unreadable one that could not be set aside, or a start that skipped it).
    pub sync: TabSync,
}

fn local() -> Option<web_sys::Storage> {
    crate::app::browser::local_storage()
}

/// Why the browser's storage did not do what was asked. Each message says what was kept and
/// what the user can do; nothing is lost on any of them.
#[derive(Clone, Debug, PartialEq)]
pub enum StoreError {
    /// The page may not use local storage (disabled, or a private window).
    Unavailable,
    /// The site's storage is full.
    Full,
    /// The browser refused to write, with the name of its error.
    Refused(String),
    /// A name of the wrong length.
    BadName,
    /// A portfolio of this name is already saved (the name as typed, trimmed).
    NameTaken(String),
    /// ... and the user is renaming onto it.
    RenameTaken(String),
    /// No portfolio of this name is saved.
    NotSaved(String),
    /// The autosave is gone (removed in another tab).
    NoAutosave,
    /// The autosave could not be read.
    UnreadableAutosave(Box<StorageError>),
    /// The saved portfolio `name` could not be read; it was set aside under `kept`, or could
    /// not be (`Err`: why).
    Unreadable {
        /// The saved portfolio's name.
        name: String,
        /// Why it could not be read.
        error: Box<StorageError>,
        /// The key it was kept under, or why it was not moved.
        kept: Result<String, Box<StoreError>>,
    },
    /// An entry of a newer version is left where it is.
    LeftForNewer,
    /// The saved portfolio could not be deleted.
    NotDeleted(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Unavailable => f.write_str(
                "This browser does not let the page use local storage (it may be disabled, or \
                 the page is in a private window): nothing is saved; download the portfolio as \
                 a JSON file to keep it.",
            ),
            StoreError::Full => f.write_str(
                "The browser's storage for this site is full, so this was not saved. Delete \
                 saved portfolios you no longer need, or download the portfolio as a JSON file.",
            ),
            StoreError::Refused(name) => write!(
                f,
                "The browser refused to save ({name}); download the portfolio as a JSON file."
            ),
            StoreError::BadName => write!(
                f,
                "Give the portfolio a name of 1 to {} characters.",
                crate::portfolio::storage::MAX_NAME_CHARS
            ),
            StoreError::NameTaken(name) => write!(
                f,
                "A portfolio named \"{name}\" is already saved: choose another name, or delete \
                 that one first."
            ),
            StoreError::RenameTaken(name) => {
                write!(f, "A portfolio named \"{name}\" is already saved.")
            }
            StoreError::NotSaved(name) => write!(f, "No portfolio named \"{name}\" is saved."),
            StoreError::NoAutosave => f.write_str(
                "No autosaved portfolio is stored any more (it was removed in another tab).",
            ),
            StoreError::UnreadableAutosave(error) => {
                write!(f, "The autosaved portfolio could not be read: {error}.")
            }
            StoreError::Unreadable {
                name,
                error,
                kept: Ok(target),
            } => write!(
                f,
                "\"{name}\" could not be read: {error}. It was kept, unchanged, under the \
                 storage key \"{target}\"."
            ),
            StoreError::Unreadable {
                name,
                error,
                kept: Err(reason),
            } => write!(f, "\"{name}\" could not be read: {error} ({reason})."),
            StoreError::LeftForNewer => f.write_str("it is left as it is, for the newer version"),
            StoreError::NotDeleted(name) => write!(f, "\"{name}\" could not be deleted."),
        }
    }
}

impl std::error::Error for StoreError {}

/// The error of a failed write.
fn write_error(error: &wasm_bindgen::JsValue) -> StoreError {
    let name = js_sys::Reflect::get(error, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    if name == "QuotaExceededError" || name == "NS_ERROR_DOM_QUOTA_REACHED" {
        StoreError::Full
    } else {
        StoreError::Refused(name)
    }
}

fn write(key: &str, value: &str) -> Result<(), StoreError> {
    let storage = local().ok_or(StoreError::Unavailable)?;
    storage.set_item(key, value).map_err(|e| write_error(&e))
}

fn get(key: &str) -> Option<String> {
    local()?.get_item(key).ok().flatten()
}

/// Moves the unreadable entry of `key` to a set-aside key, unchanged; returns that key.
fn set_aside(key: &str, text: &str) -> Result<String, StoreError> {
    let storage = local().ok_or(StoreError::Unavailable)?;
    let target = set_aside_key(key, |k| get(k).is_some());
    storage
        .set_item(&target, text)
        .map_err(|e| write_error(&e))?;
    let _ = storage.remove_item(key);
    Ok(target)
}

/// Reads the autosave as tab `tab`; falls back to `fallback` (the demo) when there is none or
/// it cannot be read. With `read_autosave` false (the crash panel's "start empty"), the autosave
/// is not read at all: the app starts with `fallback` and autosave is paused.
pub fn startup(tab: String, fallback: RawPortfolio, read_autosave: bool) -> Startup {
    let start = |portfolio, notice, pause| Startup {
        portfolio,
        notice,
        sync: TabSync::new(tab.clone(), pause),
    };
    if !read_autosave {
        return start(fallback, None, Some(Pause::Skipped));
    }
    let Some(text) = get(AUTOSAVE_KEY) else {
        return start(fallback, None, None);
    };
    match read_stored(&text) {
        Ok(stored) => Startup {
            sync: TabSync::after_reading(tab.clone(), &text, &stored.portfolio),
            portfolio: stored.portfolio,
            notice: None,
        },
        // Left in its key, untouched, and not copied: the pause explains it on screen.
        Err(error) if error.is_newer() => start(fallback, None, Some(Pause::Newer)),
        Err(error) => match set_aside(AUTOSAVE_KEY, &text) {
            Ok(target) => start(
                fallback,
                Some(format!(
                    "Your autosaved portfolio could not be read: {error}. It was kept, \
                     unchanged, under the storage key \"{target}\"; the demo portfolio is shown \
                     instead."
                )),
                None,
            ),
            Err(reason) => start(
                fallback,
                Some(format!(
                    "Your autosaved portfolio could not be read: {error}. It could not be set \
                     aside either ({reason}), so autosave is paused to keep it."
                )),
                Some(Pause::Blocked),
            ),
        },
    }
}

/// Writes the autosave when `sync` allows it (see [`TabSync::before_write`]): nothing when the
/// portfolio is the one stored or autosave is paused (then [`TabSync::pause`] says why).
pub fn autosave(sync: &mut TabSync, portfolio: &RawPortfolio) -> Result<(), StoreError> {
    commit(sync, portfolio, |sync, stored| {
        sync.before_write(portfolio, stored)
    })
}

/// "Keep this one (save over it)": writes `portfolio` over the stored autosave and resumes
/// autosave, where the pause allows it ([`Pause::can_keep`]).
pub fn keep_this(sync: &mut TabSync, portfolio: &RawPortfolio) -> Result<(), StoreError> {
    commit(sync, portfolio, |sync, stored| sync.keep(portfolio, stored))
}

fn commit(
    sync: &mut TabSync,
    portfolio: &RawPortfolio,
    step: impl FnOnce(&mut TabSync, Option<&str>) -> Step,
) -> Result<(), StoreError> {
    let stored = get(AUTOSAVE_KEY);
    if let Step::Write(pending) = step(sync, stored.as_deref()) {
        write(AUTOSAVE_KEY, &pending.text)?;
        sync.wrote(&pending, portfolio);
    }
    Ok(())
}

/// "Load the newer version": the stored autosave, for the app to load; resumes autosave from it.
pub fn load_stored(sync: &mut TabSync) -> Result<RawPortfolio, StoreError> {
    let text = get(AUTOSAVE_KEY).ok_or(StoreError::NoAutosave)?;
    sync.load(&text)
        .map_err(|error| StoreError::UnreadableAutosave(Box::new(error)))
}

/// Before a share link replaces the portfolio with `incoming`: keeps the stored autosave as a
/// named save when it holds work ([`replaced_work`]), named after `when` (the date and time).
/// Returns the name it was kept under, if it was kept.
pub fn keep_replaced(
    incoming: &RawPortfolio,
    demo: &RawPortfolio,
    when: &str,
) -> Result<Option<String>, StoreError> {
    let Some(work) = replaced_work(get(AUTOSAVE_KEY).as_deref(), incoming, demo) else {
        return Ok(None);
    };
    let name = kept_name(when, |name| {
        saved_key(name).is_some_and(|key| get(&key).is_some())
    });
    save_as(&name, &work).map(|()| Some(name))
}

/// The names of the saved portfolios, sorted.
pub fn saved_names() -> Vec<String> {
    let Some(storage) = local() else {
        return Vec::new();
    };
    let count = storage.length().unwrap_or(0);
    let mut names: Vec<String> = (0..count)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter_map(|k| saved_name(&k).map(str::to_string))
        .collect();
    crate::model::order::sort(&mut names);
    names
}

fn key_for(name: &str) -> Result<String, StoreError> {
    saved_key(name).ok_or(StoreError::BadName)
}

/// Saves `portfolio` as `name`; refuses a name already taken.
pub fn save_as(name: &str, portfolio: &RawPortfolio) -> Result<(), StoreError> {
    let key = key_for(name)?;
    if get(&key).is_some() {
        return Err(StoreError::NameTaken(name.trim().to_string()));
    }
    write(&key, &write_entry(portfolio))
}

/// Reads the portfolio saved as `name`. An unreadable entry is set aside and reported.
pub fn open(name: &str) -> Result<RawPortfolio, StoreError> {
    let key = key_for(name)?;
    let text = get(&key).ok_or_else(|| StoreError::NotSaved(name.to_string()))?;
    read_entry(&text).map_err(|error| StoreError::Unreadable {
        name: name.to_string(),
        kept: set_aside_unless_newer(&key, &text, &error).map_err(Box::new),
        error: Box::new(error),
    })
}

/// Sets the unreadable entry of `key` aside, except one of a newer version, which stays where
/// it is (this version cannot read it, and leaves it for the version that can).
fn set_aside_unless_newer(
    key: &str,
    text: &str,
    error: &StorageError,
) -> Result<String, StoreError> {
    if error.is_newer() {
        return Err(StoreError::LeftForNewer);
    }
    set_aside(key, text)
}

/// Renames a saved portfolio; refuses a name already taken.
pub fn rename(old: &str, new: &str) -> Result<(), StoreError> {
    let from = key_for(old)?;
    let to = key_for(new)?;
    if from == to {
        return Ok(());
    }
    if get(&to).is_some() {
        return Err(StoreError::RenameTaken(new.trim().to_string()));
    }
    let text = get(&from).ok_or_else(|| StoreError::NotSaved(old.to_string()))?;
    write(&to, &text)?;
    if let Some(storage) = local() {
        let _ = storage.remove_item(&from);
    }
    Ok(())
}

/// Deletes a saved portfolio.
pub fn delete(name: &str) -> Result<(), StoreError> {
    let key = key_for(name)?;
    let storage = local().ok_or(StoreError::Unavailable)?;
    storage
        .remove_item(&key)
        .map_err(|_| StoreError::NotDeleted(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::{StoreError, delete, open, save_as};
    use crate::portfolio::RawPortfolio;

    #[test]
    fn without_storage_every_operation_says_why_as_a_type() {
        // Natively there is no local storage: what the browser says when it is disabled.
        let portfolio = RawPortfolio::default();
        assert_eq!(save_as("Mine", &portfolio), Err(StoreError::Unavailable));
        assert_eq!(delete("Mine"), Err(StoreError::Unavailable));
        assert_eq!(open("Mine"), Err(StoreError::NotSaved("Mine".into())));
        assert_eq!(save_as("   ", &portfolio), Err(StoreError::BadName));
        assert!(
            StoreError::Unavailable
                .to_string()
                .starts_with("This browser does not let the page use local storage (it may be disabled, or the page is in a private window)")
        );
        assert_eq!(
            StoreError::NameTaken("Mine".into()).to_string(),
            "A portfolio named \"Mine\" is already saved: choose another name, or delete that \
             one first."
        );
    }
}
