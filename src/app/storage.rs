//! The browser's local storage: the autosave and the named saved portfolios. The formats, keys,
//! set-aside rule and the rules between tabs are pure functions in [`crate::model::storage`] and
//! [`crate::model::autosave`]; this module only reads and writes. Every failure comes back as a
//! message for the user (a full quota included), never a panic; an unreadable entry is moved
//! aside before anything is written in its place, and an entry of a newer version is left where
//! it is, untouched.

use crate::model::autosave::{Pause, Step, TabSync, kept_name, replaced_work};
use crate::model::portfolio::RawPortfolio;
use crate::model::storage::{
    AUTOSAVE_KEY, read_entry, read_stored, saved_key, saved_name, set_aside_key, write_entry,
};

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
pub fn autosave(sync: &mut TabSync, portfolio: &RawPortfolio) -> Result<(), String> {
    commit(sync, portfolio, |sync, stored| {
        sync.before_write(portfolio, stored)
    })
}

/// "Keep this one (save over it)": writes `portfolio` over the stored autosave and resumes
/// autosave, where the pause allows it ([`Pause::can_keep`]).
pub fn keep_this(sync: &mut TabSync, portfolio: &RawPortfolio) -> Result<(), String> {
    commit(sync, portfolio, |sync, stored| sync.keep(portfolio, stored))
}

fn commit(
    sync: &mut TabSync,
    portfolio: &RawPortfolio,
    step: impl FnOnce(&mut TabSync, Option<&str>) -> Step,
) -> Result<(), String> {
    let stored = get(AUTOSAVE_KEY);
    if let Step::Write(pending) = step(sync, stored.as_deref()) {
        write(AUTOSAVE_KEY, &pending.text)?;
        sync.wrote(&pending, portfolio);
    }
    Ok(())
}

/// "Load the newer version": the stored autosave, for the app to load; resumes autosave from it.
pub fn load_stored(sync: &mut TabSync) -> Result<RawPortfolio, String> {
    let text = get(AUTOSAVE_KEY)
        .ok_or("No autosaved portfolio is stored any more (it was removed in another tab).")?;
    sync.load(&text)
        .map_err(|error| format!("The autosaved portfolio could not be read: {error}."))
}

/// Before a share link replaces the portfolio with `incoming`: keeps the stored autosave as a
/// named save when it holds work ([`replaced_work`]), named after `when` (the date and time).
/// Returns the name it was kept under, if it was kept.
pub fn keep_replaced(
    incoming: &RawPortfolio,
    demo: &RawPortfolio,
    when: &str,
) -> Result<Option<String>, String> {
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
    read_entry(&text).map_err(|error| match set_aside_unless_newer(&key, &text, &error) {
        Ok(target) => format!(
            "\"{name}\" could not be read: {error}. It was kept, unchanged, under the storage \
             key \"{target}\"."
        ),
        Err(reason) => format!("\"{name}\" could not be read: {error} ({reason})."),
    })
}

/// Sets the unreadable entry of `key` aside, except one of a newer version, which stays where
/// it is (this version cannot read it, and leaves it for the version that can).
fn set_aside_unless_newer(
    key: &str,
    text: &str,
    error: &crate::model::storage::StorageError,
) -> Result<String, String> {
    if error.is_newer() {
        return Err("it is left as it is, for the newer version".into());
    }
    set_aside(key, text)
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
