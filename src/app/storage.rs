//! The browser's local storage: the autosave and the named saved portfolios. The formats, keys
//! and set-aside rule are pure functions in [`crate::model::storage`]; this module only reads and
//! writes. Every failure comes back as a message for the user (a full quota included), never a
//! panic, and an unreadable entry is moved aside before anything is written in its place.

use crate::model::portfolio::RawPortfolio;
use crate::model::storage::{
    AUTOSAVE_KEY, read_entry, saved_key, saved_name, set_aside_key, write_entry,
};

/// What the app starts with: the autosaved portfolio (or the demo), and a message when the
/// autosave could not be read.
#[derive(Clone, Debug, PartialEq)]
pub struct Startup {
    /// The portfolio to show.
    pub portfolio: RawPortfolio,
    /// A message for the user, if any.
    pub notice: Option<String>,
    /// Whether autosaving must stay off (an unreadable autosave could not be set aside, so
    /// writing would destroy it).
    pub autosave_blocked: bool,
}

#[cfg(target_arch = "wasm32")]
fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

#[cfg(not(target_arch = "wasm32"))]
fn local() -> Option<web_sys::Storage> {
    None
}

const UNAVAILABLE: &str = "This browser does not let the page use local storage (it may be \
                           disabled, or the page is in a private window): nothing is saved; \
                           download the portfolio as a JSON file to keep it.";

/// The user's message for a failed write.
fn write_error(error: &wasm_bindgen::JsValue) -> String {
    let name = js_sys::Reflect::get(error, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    if name == "QuotaExceededError" || name == "NS_ERROR_DOM_QUOTA_REACHED" {
        "The browser's storage for this site is full, so this was not saved. Delete saved \
         portfolios you no longer need, or download the portfolio as a JSON file."
            .into()
    } else {
        format!("The browser refused to save ({name}); download the portfolio as a JSON file.")
    }
}

fn write(key: &str, value: &str) -> Result<(), String> {
    let storage = local().ok_or(UNAVAILABLE)?;
    storage.set_item(key, value).map_err(|e| write_error(&e))
}

fn get(key: &str) -> Option<String> {
    local()?.get_item(key).ok().flatten()
}

/// Moves the unreadable entry of `key` to a set-aside key, unchanged; returns that key.
fn set_aside(key: &str, text: &str) -> Result<String, String> {
    let storage = local().ok_or(UNAVAILABLE)?;
    let target = set_aside_key(key, |k| get(k).is_some());
    storage
        .set_item(&target, text)
        .map_err(|e| write_error(&e))?;
    let _ = storage.remove_item(key);
    Ok(target)
}

/// Reads the autosave; falls back to `demo`.
pub fn startup(demo: RawPortfolio) -> Startup {
    let Some(text) = get(AUTOSAVE_KEY) else {
        return Startup {
            portfolio: demo,
            notice: None,
            autosave_blocked: false,
        };
    };
    match read_entry(&text) {
        Ok(portfolio) => Startup {
            portfolio,
            notice: None,
            autosave_blocked: false,
        },
        Err(error) => match set_aside(AUTOSAVE_KEY, &text) {
            Ok(target) => Startup {
                portfolio: demo,
                notice: Some(format!(
                    "Your autosaved portfolio could not be read: {error}. It was kept, \
                     unchanged, under the storage key \"{target}\"; the demo portfolio is shown \
                     instead."
                )),
                autosave_blocked: false,
            },
            Err(reason) => Startup {
                portfolio: demo,
                notice: Some(format!(
                    "Your autosaved portfolio could not be read: {error}. It could not be set \
                     aside either ({reason}), so autosave is paused to keep it."
                )),
                autosave_blocked: true,
            },
        },
    }
}

/// Writes the autosave.
pub fn autosave(portfolio: &RawPortfolio) -> Result<(), String> {
    write(AUTOSAVE_KEY, &write_entry(portfolio))
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
    names.sort();
    names
}

fn key_for(name: &str) -> Result<String, String> {
    saved_key(name).ok_or_else(|| {
        format!(
            "Give the portfolio a name of 1 to {} characters.",
            crate::model::storage::MAX_NAME_CHARS
        )
    })
}

/// Saves `portfolio` as `name`; refuses a name already taken.
pub fn save_as(name: &str, portfolio: &RawPortfolio) -> Result<(), String> {
    let key = key_for(name)?;
    if get(&key).is_some() {
        return Err(format!(
            "A portfolio named \"{}\" is already saved: choose another name, or delete that one \
             first.",
            name.trim()
        ));
    }
    write(&key, &write_entry(portfolio))
}

/// Reads the portfolio saved as `name`. An unreadable entry is set aside and reported.
pub fn open(name: &str) -> Result<RawPortfolio, String> {
    let key = key_for(name)?;
    let text = get(&key).ok_or_else(|| format!("No portfolio named \"{name}\" is saved."))?;
    read_entry(&text).map_err(|error| match set_aside(&key, &text) {
        Ok(target) => format!(
            "\"{name}\" could not be read: {error}. It was kept, unchanged, under the storage \
             key \"{target}\"."
        ),
        Err(reason) => format!("\"{name}\" could not be read: {error} ({reason})."),
    })
}

/// Renames a saved portfolio; refuses a name already taken.
pub fn rename(old: &str, new: &str) -> Result<(), String> {
    let from = key_for(old)?;
    let to = key_for(new)?;
    if from == to {
        return Ok(());
    }
    if get(&to).is_some() {
        return Err(format!(
            "A portfolio named \"{}\" is already saved.",
            new.trim()
        ));
    }
    let text = get(&from).ok_or_else(|| format!("No portfolio named \"{old}\" is saved."))?;
    write(&to, &text)?;
    if let Some(storage) = local() {
        let _ = storage.remove_item(&from);
    }
    Ok(())
}

/// Deletes a saved portfolio.
pub fn delete(name: &str) -> Result<(), String> {
    let key = key_for(name)?;
    let storage = local().ok_or(UNAVAILABLE)?;
    storage
        .remove_item(&key)
        .map_err(|_| format!("\"{name}\" could not be deleted."))
}
