//! One autosave, several tabs: the rules by which a tab writes the autosave without silently
//! overwriting what another tab (or window) of the same browser saved, leaves an entry of a newer
//! version alone, and keeps the user's work when a share link replaces it. Pure functions over
//! the stored text; the app reads and writes local storage and passes the text in.
//!
//! **Revisions.** Every autosave entry carries a [`Revision`]: the count of writes and the id of
//! the tab that made this one ([`crate::portfolio::storage::write_autosave`]). A tab remembers the
//! revision it last read or wrote ([`TabSync`]). Before each write it reads the stored revision
//! ([`TabSync::before_write`]):
//!
//! - the one it remembers (or no entry at all): it writes the next revision, count + 1;
//! - another one: another tab wrote in the meantime, so it writes nothing and pauses
//!   ([`Pause::Conflict`]) until the user chooses to load that version ([`TabSync::load`]) or to
//!   keep this one and save over it ([`TabSync::keep`]).
//!
//! The browser's `storage` event tells a tab as soon as another tab wrote
//! ([`TabSync::changed_elsewhere`]); the check before each write catches what no event reported.
//! The tab id tells apart two tabs that both wrote revision N + 1 from revision N. A tab whose
//! portfolio is the one stored writes nothing, so opening a second tab does not disturb the
//! first. An entry written before revisions existed has none: it counts as revision "none",
//! which a tab that read it remembers.
//!
//! **Pauses.** Besides a conflict, autosave pauses for an entry of a newer version
//! ([`Pause::Newer`], left untouched: this version cannot read it and never overwrites it), when
//! the app was started without reading the autosave ([`Pause::Skipped`], the crash panel's way
//! out), when an unreadable entry could not be set aside ([`Pause::Blocked`]) and when the work a
//! share link replaced could not be kept ([`Pause::Unkept`]).
//!
//! **Replaced work.** Before a share link replaces the portfolio, the stored autosave is kept as
//! a named save when it holds work ([`replaced_work`]: a line, a group or a name, and neither the
//! incoming portfolio nor the demo), under [`kept_name`].
//!
//! ```
//! use chokepoint::portfolio::autosave::{Pause, Step, TabSync, same};
//! use chokepoint::portfolio::RawPortfolio;
//! let mine = RawPortfolio::from_json(r#"{"lines": [{"material": "gallium"}]}"#).unwrap();
//! let theirs = RawPortfolio::from_json(r#"{"lines": [{"material": "cobalt"}]}"#).unwrap();
//! let (mut a, mut b) = (TabSync::new("a", None), TabSync::new("b", None));
//! // Tab A writes first.
//! let Step::Write(first) = a.before_write(&theirs, None) else { panic!() };
//! a.wrote(&first, &theirs);
//! // Tab B, which never read that entry, does not write over it.
//! assert_eq!(b.before_write(&mine, Some(&first.text)), Step::Paused(Pause::Conflict));
//! // Loading A's version resolves it.
//! assert!(same(&b.load(&first.text).unwrap(), &theirs));
//! assert_eq!(b.pause(), None);
//! ```

use crate::portfolio::RawPortfolio;
use crate::portfolio::storage::{
    Revision, StorageError, read_stored, stored_revision, write_autosave,
};

/// Why autosave is paused (nothing is written until the user resolves it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pause {
    /// Another tab saved a different portfolio since this tab last read or wrote the autosave.
    Conflict,
    /// The stored autosave was written by a newer version of the app: this version cannot read
    /// it and leaves it untouched.
    Newer,
    /// The app was started without reading the autosave (the crash panel's "start empty").
    Skipped,
    /// The stored autosave could not be read and could not be set aside.
    Blocked,
    /// A share link replaced the portfolio, and the work it replaced could not be kept as a
    /// named save.
    Unkept,
}

impl Pause {
    /// Whether the user may load the stored autosave to resume (a conflict: the other tab's
    /// version; work a link replaced: the user's own).
    pub fn can_load(self) -> bool {
        matches!(self, Pause::Conflict | Pause::Unkept)
    }

    /// Whether the user may keep this tab's portfolio and save it over the stored one. Never
    /// over an entry of a newer version, nor over an unreadable one that could not be set aside.
    pub fn can_keep(self) -> bool {
        matches!(self, Pause::Conflict | Pause::Skipped | Pause::Unkept)
    }
}

/// A write to make: the entry's text and its revision.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    /// The text to store under the autosave key.
    pub text: String,
    /// Its revision, for [`TabSync::wrote`] once the write succeeded.
    pub revision: Revision,
}

/// What to do with the autosave after an edit.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Nothing: the portfolio is the one stored.
    Unchanged,
    /// Nothing: autosave is paused.
    Paused(Pause),
    /// Store this, then report it with [`TabSync::wrote`].
    Write(Pending),
}

/// What one tab knows of the autosave: its own id, the revision and portfolio it last read or
/// wrote, and whether autosave is paused.
#[derive(Clone, Debug, PartialEq)]
pub struct TabSync {
    tab: String,
    known: Option<Revision>,
    saved: Option<RawPortfolio>,
    pause: Option<Pause>,
}

impl TabSync {
    /// A tab with id `tab` that has read nothing yet (no autosave stored), paused for `pause`.
    pub fn new(tab: impl Into<String>, pause: Option<Pause>) -> TabSync {
        TabSync {
            tab: tab.into(),
            known: None,
            saved: None,
            pause,
        }
    }

    /// A tab with id `tab` that read the stored autosave `text` (at start), as `portfolio`.
    pub fn after_reading(tab: impl Into<String>, text: &str, portfolio: &RawPortfolio) -> TabSync {
        TabSync {
            tab: tab.into(),
            known: stored_revision(text),
            saved: Some(portfolio.clone()),
            pause: None,
        }
    }

    /// Why autosave is paused, if it is.
    pub fn pause(&self) -> Option<Pause> {
        self.pause
    }

    /// Pauses autosave for `pause` (a conflict is kept until resolved).
    pub fn pause_for(&mut self, pause: Pause) {
        self.pause = Some(pause);
    }

    /// The revision this tab last read or wrote.
    pub fn known(&self) -> Option<&Revision> {
        self.known.as_ref()
    }

    /// What to do after an edit that left `portfolio`, given the stored autosave's text now
    /// (`None` when there is none). A stored revision other than the one this tab knows pauses
    /// autosave ([`Pause::Conflict`]) instead of writing over it.
    pub fn before_write(&mut self, portfolio: &RawPortfolio, stored: Option<&str>) -> Step {
        if let Some(pause) = self.pause {
            return Step::Paused(pause);
        }
        let current = stored.map(stored_revision);
        let unchanged_since = match &current {
            None => self.known.is_none(),
            Some(revision) => *revision == self.known,
        };
        if unchanged_since
            && stored.is_some()
            && self.saved.as_ref().is_some_and(|s| same(s, portfolio))
        {
            return Step::Unchanged;
        }
        // A missing entry (cleared by the user, or never written) is written afresh.
        if let Some(text) = stored.filter(|_| !unchanged_since) {
            // Another tab wrote: the same portfolio is adopted, a different one is not written
            // over.
            return match read_stored(text) {
                Ok(other) if same(&other.portfolio, portfolio) => {
                    self.known = other.revision;
                    self.saved = Some(other.portfolio);
                    Step::Unchanged
                }
                Err(error) if error.is_newer() => {
                    self.pause = Some(Pause::Newer);
                    Step::Paused(Pause::Newer)
                }
                _ => {
                    self.pause = Some(Pause::Conflict);
                    Step::Paused(Pause::Conflict)
                }
            };
        }
        Step::Write(self.pending(portfolio, current.flatten()))
    }

    /// Records a write of [`Step::Write`] that succeeded.
    pub fn wrote(&mut self, pending: &Pending, portfolio: &RawPortfolio) {
        self.known = Some(pending.revision.clone());
        self.saved = Some(portfolio.clone());
    }

    /// Another tab changed the autosave to `text` (`None`: removed it), while this tab shows
    /// `current`. The same portfolio is adopted quietly; a different one pauses autosave
    /// ([`Pause::Conflict`]), one of a newer version too ([`Pause::Newer`]).
    pub fn changed_elsewhere(&mut self, text: Option<&str>, current: &RawPortfolio) {
        let Some(text) = text else {
            // Removed (site data cleared): the next edit writes afresh; nothing is lost.
            self.known = None;
            self.saved = None;
            return;
        };
        let revision = stored_revision(text);
        if revision.is_some() && revision == self.known {
            return;
        }
        match read_stored(text) {
            Ok(stored) if same(&stored.portfolio, current) => {
                self.known = stored.revision;
                self.saved = Some(stored.portfolio);
                if self.pause == Some(Pause::Conflict) {
                    self.pause = None;
                }
            }
            Err(error) if error.is_newer() => self.pause = Some(Pause::Newer),
            _ => {
                if self.pause.is_none() {
                    self.pause = Some(Pause::Conflict);
                }
            }
        }
    }

    /// "Load the newer version": reads the stored autosave `text` for the app to load, and
    /// resumes autosave from it. An entry that cannot be read changes nothing (one of a newer
    /// version pauses autosave for that reason).
    pub fn load(&mut self, text: &str) -> Result<RawPortfolio, StorageError> {
        match read_stored(text) {
            Ok(stored) => {
                self.known = stored.revision;
                self.saved = Some(stored.portfolio.clone());
                self.pause = None;
                Ok(stored.portfolio)
            }
            Err(error) => {
                if error.is_newer() {
                    self.pause = Some(Pause::Newer);
                }
                Err(error)
            }
        }
    }

    /// "Keep this one (save over it)": the write that stores `portfolio` over the stored
    /// autosave `stored`, resuming autosave; refused ([`Step::Paused`]) where the pause does not
    /// allow it ([`Pause::can_keep`]) or the stored entry is of a newer version.
    pub fn keep(&mut self, portfolio: &RawPortfolio, stored: Option<&str>) -> Step {
        if let Some(pause) = self.pause.filter(|p| !p.can_keep()) {
            return Step::Paused(pause);
        }
        if let Some(Err(error)) = stored.map(read_stored)
            && error.is_newer()
        {
            self.pause = Some(Pause::Newer);
            return Step::Paused(Pause::Newer);
        }
        self.pause = None;
        let revision = stored.and_then(stored_revision);
        Step::Write(self.pending(portfolio, revision))
    }

    /// The write of `portfolio` as the revision after both the known one and `stored`.
    fn pending(&self, portfolio: &RawPortfolio, stored: Option<Revision>) -> Pending {
        let count = [self.known.as_ref(), stored.as_ref()]
            .into_iter()
            .flatten()
            .map(|r| r.count)
            .max()
            .unwrap_or(0);
        let revision = Revision {
            count: count.saturating_add(1),
            tab: self.tab.clone(),
        };
        Pending {
            text: write_autosave(portfolio, &revision),
            revision,
        }
    }
}

/// Whether two portfolios hold the same work: every field but `schema_version` (which stored
/// entries are stamped with) is equal.
pub fn same(a: &RawPortfolio, b: &RawPortfolio) -> bool {
    let RawPortfolio {
        schema_version: _,
        name,
        spend_unit,
        look_through,
        groups,
        lines,
        jurisdiction,
        customer,
        unknown_fields,
    } = a;
    *name == b.name
        && *spend_unit == b.spend_unit
        && *look_through == b.look_through
        && *groups == b.groups
        && *lines == b.lines
        && *jurisdiction == b.jurisdiction
        && *customer == b.customer
        && *unknown_fields == b.unknown_fields
}

/// The work a share link would replace: the portfolio of the stored autosave `stored` when it
/// can be read, holds something (a line, a group or a name) and is neither the `incoming`
/// portfolio nor the `demo`. An unreadable or newer entry is not replaced by the link in the
/// first place (it was set aside at start, or autosave is paused).
pub fn replaced_work(
    stored: Option<&str>,
    incoming: &RawPortfolio,
    demo: &RawPortfolio,
) -> Option<RawPortfolio> {
    let portfolio = read_stored(stored?).ok()?.portfolio;
    let empty = portfolio.lines.is_empty()
        && portfolio.groups.is_empty()
        && portfolio
            .name
            .as_deref()
            .is_none_or(|n| n.trim().is_empty());
    (!empty && !same(&portfolio, incoming) && !same(&portfolio, demo)).then_some(portfolio)
}

/// The name to keep replaced work under: "Before opening a shared link, `when`" (`when` is the
/// date and time, written by the app: the core has no clock), or that name with " (2)", " (3)",
/// … for the first that `taken` says is free.
pub fn kept_name(when: &str, taken: impl Fn(&str) -> bool) -> String {
    let when: String = when.trim().chars().take(32).collect();
    let base = format!("Before opening a shared link, {when}");
    if !taken(&base) {
        return base;
    }
    (2u32..)
        .map(|n| format!("{base} ({n})"))
        .find(|name| !taken(name))
        .unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portfolio::storage::write_entry;

    fn portfolio(material: &str) -> RawPortfolio {
        RawPortfolio::from_json(&format!(
            r#"{{"schema_version": 1, "lines": [{{"material": "{material}"}}]}}"#
        ))
        .expect("test portfolio")
    }

    /// Writes `portfolio` from `tab` as the step says, returning the stored text.
    fn write(tab: &mut TabSync, portfolio: &RawPortfolio, stored: Option<&str>) -> String {
        match tab.before_write(portfolio, stored) {
            Step::Write(pending) => {
                tab.wrote(&pending, portfolio);
                pending.text
            }
            other => panic!("expected a write, got {other:?}"),
        }
    }

    #[test]
    fn a_tab_counts_its_writes_and_skips_unchanged_portfolios() {
        let mut tab = TabSync::new("a", None);
        let first = write(&mut tab, &portfolio("gallium"), None);
        assert_eq!(
            stored_revision(&first),
            Some(Revision {
                count: 1,
                tab: "a".into()
            })
        );
        assert_eq!(
            tab.before_write(&portfolio("gallium"), Some(&first)),
            Step::Unchanged
        );
        let second = write(&mut tab, &portfolio("cobalt"), Some(&first));
        assert_eq!(stored_revision(&second).map(|r| r.count), Some(2));
    }

    #[test]
    fn a_second_tab_that_read_the_entry_does_not_write_it_again() {
        let mut a = TabSync::new("a", None);
        let text = write(&mut a, &portfolio("gallium"), None);
        let mut b = TabSync::after_reading("b", &text, &portfolio("gallium"));
        assert_eq!(
            b.before_write(&portfolio("gallium"), Some(&text)),
            Step::Unchanged
        );
    }

    #[test]
    fn a_write_over_another_tabs_revision_pauses_instead() {
        let mut a = TabSync::new("a", None);
        let base = write(&mut a, &portfolio("gallium"), None);
        let mut b = TabSync::after_reading("b", &base, &portfolio("gallium"));
        let from_a = write(&mut a, &portfolio("cobalt"), Some(&base));
        // B edits without having heard of A's write: nothing is written, and it stays paused.
        assert_eq!(
            b.before_write(&portfolio("lithium"), Some(&from_a)),
            Step::Paused(Pause::Conflict)
        );
        assert_eq!(
            b.before_write(&portfolio("nickel"), Some(&from_a)),
            Step::Paused(Pause::Conflict)
        );
        // Keeping B's version writes over A's, after both revisions.
        let Step::Write(kept) = b.keep(&portfolio("nickel"), Some(&from_a)) else {
            panic!("keep writes")
        };
        assert_eq!(
            kept.revision,
            Revision {
                count: 3,
                tab: "b".into()
            }
        );
        assert_eq!(b.pause(), None);
    }

    #[test]
    fn two_tabs_writing_the_same_count_are_told_apart_by_their_ids() {
        let mut a = TabSync::new("a", None);
        let base = write(&mut a, &portfolio("gallium"), None);
        let mut b = TabSync::after_reading("b", &base, &portfolio("gallium"));
        let _ = write(&mut a, &portfolio("cobalt"), Some(&base));
        // B wrote its revision 2 over A's revision 2 (a race between check and write)…
        let from_b = write(&mut b, &portfolio("lithium"), Some(&base));
        // … so A, which knows its own revision 2, does not write over B's.
        assert_eq!(
            a.before_write(&portfolio("nickel"), Some(&from_b)),
            Step::Paused(Pause::Conflict)
        );
    }

    #[test]
    fn two_tabs_opened_at_once_on_the_same_portfolio_do_not_conflict() {
        let mut a = TabSync::new("a", None);
        let mut b = TabSync::new("b", None);
        let text = write(&mut a, &portfolio("gallium"), None);
        assert_eq!(
            b.before_write(&portfolio("gallium"), Some(&text)),
            Step::Unchanged
        );
        assert_eq!(b.known(), a.known());
    }

    #[test]
    fn an_entry_removed_or_never_written_is_written_afresh() {
        let mut a = TabSync::new("a", None);
        let text = write(&mut a, &portfolio("gallium"), None);
        a.changed_elsewhere(None, &portfolio("gallium"));
        let again = write(&mut a, &portfolio("gallium"), None);
        assert!(stored_revision(&again).is_some());
        assert!(!text.is_empty());
    }

    #[test]
    fn an_entry_without_revision_is_revision_none() {
        // Written by a version before revisions: the tab that read it writes over it.
        let old = write_entry(&portfolio("gallium"));
        let mut tab = TabSync::after_reading("a", &old, &portfolio("gallium"));
        assert_eq!(
            tab.before_write(&portfolio("gallium"), Some(&old)),
            Step::Unchanged
        );
        let text = write(&mut tab, &portfolio("cobalt"), Some(&old));
        assert_eq!(stored_revision(&text).map(|r| r.count), Some(1));
        // A tab that had read nothing (no entry at start) does not.
        let mut fresh = TabSync::new("b", None);
        assert_eq!(
            fresh.before_write(&portfolio("lithium"), Some(&text)),
            Step::Paused(Pause::Conflict)
        );
    }

    #[test]
    fn another_tabs_write_pauses_unless_it_is_the_same_portfolio() {
        let mut a = TabSync::new("a", None);
        let base = write(&mut a, &portfolio("gallium"), None);
        let mut b = TabSync::after_reading("b", &base, &portfolio("gallium"));
        let same_work = write(&mut a, &portfolio("cobalt"), Some(&base));
        b.changed_elsewhere(Some(&same_work), &portfolio("cobalt"));
        assert_eq!(b.pause(), None);
        assert_eq!(
            b.before_write(&portfolio("cobalt"), Some(&same_work)),
            Step::Unchanged
        );
        let other = write(&mut a, &portfolio("nickel"), Some(&same_work));
        b.changed_elsewhere(Some(&other), &portfolio("cobalt"));
        assert_eq!(b.pause(), Some(Pause::Conflict));
        // Loading the other version resumes autosave without writing it again.
        assert_eq!(b.load(&other), Ok(portfolio("nickel")));
        assert_eq!(b.pause(), None);
        assert_eq!(
            b.before_write(&portfolio("nickel"), Some(&other)),
            Step::Unchanged
        );
    }

    #[test]
    fn a_newer_entry_is_never_written_over() {
        let newer = r#"{"storage_version": 2, "portfolio": {"lines": []}}"#;
        let mut tab = TabSync::new("a", Some(Pause::Newer));
        assert_eq!(
            tab.before_write(&portfolio("gallium"), Some(newer)),
            Step::Paused(Pause::Newer)
        );
        assert_eq!(
            tab.keep(&portfolio("gallium"), Some(newer)),
            Step::Paused(Pause::Newer)
        );
        // Written by a newer version in another tab: paused for that reason.
        let mut other = TabSync::new("b", None);
        let _ = write(&mut other, &portfolio("gallium"), None);
        other.changed_elsewhere(
            Some(r#"{"schema_version": 9, "lines": []}"#),
            &portfolio("gallium"),
        );
        assert_eq!(other.pause(), Some(Pause::Newer));
        assert!(other.load(newer).unwrap_err().is_newer());
        assert!(!Pause::Newer.can_keep() && !Pause::Newer.can_load());
    }

    #[test]
    fn starting_empty_writes_nothing_until_the_user_keeps_this_one() {
        let stored = write_entry(&portfolio("gallium"));
        let mut tab = TabSync::new("a", Some(Pause::Skipped));
        assert_eq!(
            tab.before_write(&portfolio("cobalt"), Some(&stored)),
            Step::Paused(Pause::Skipped)
        );
        assert!(matches!(
            tab.keep(&portfolio("cobalt"), Some(&stored)),
            Step::Write(_)
        ));
        // Blocked: an unreadable entry that could not be set aside is never written over.
        let mut blocked = TabSync::new("b", Some(Pause::Blocked));
        assert_eq!(
            blocked.keep(&portfolio("cobalt"), Some("{broken")),
            Step::Paused(Pause::Blocked)
        );
    }

    #[test]
    fn replaced_work_is_kept_unless_empty_the_demo_or_the_same() {
        let demo = portfolio("gallium");
        let work = write_entry(&portfolio("cobalt"));
        assert_eq!(
            replaced_work(Some(&work), &portfolio("lithium"), &demo),
            Some(portfolio("cobalt"))
        );
        assert_eq!(
            replaced_work(Some(&work), &portfolio("cobalt"), &demo),
            None
        );
        assert_eq!(
            replaced_work(Some(&write_entry(&demo)), &portfolio("lithium"), &demo),
            None
        );
        let empty = write_entry(&RawPortfolio::default());
        assert_eq!(
            replaced_work(Some(&empty), &portfolio("lithium"), &demo),
            None
        );
        assert_eq!(replaced_work(None, &portfolio("lithium"), &demo), None);
        assert_eq!(
            replaced_work(Some("{broken"), &portfolio("lithium"), &demo),
            None
        );
    }

    #[test]
    fn kept_names_never_collide() {
        let taken = ["Before opening a shared link, 2026-12-06 14:03".to_string()];
        assert_eq!(
            kept_name("2026-12-06 14:05", |n| taken.iter().any(|t| t == n)),
            "Before opening a shared link, 2026-12-06 14:05"
        );
        assert_eq!(
            kept_name("2026-12-06 14:03", |n| taken.iter().any(|t| t == n)),
            "Before opening a shared link, 2026-12-06 14:03 (2)"
        );
        let long = kept_name(&"9".repeat(500), |_| false);
        assert!(
            crate::portfolio::storage::saved_key(&long).is_some(),
            "{long}"
        );
    }
}
