//! Drawing in short tasks (issue #19): on a phone, no task of the app's start should block the
//! page for long (Lighthouse counts every task over 50 ms at a fourfold CPU slowdown). The app
//! draws its first screen in two steps behind the copy rendered at build time (the first render,
//! then the answer's chart; [`FIRST_SCREEN_STEPS`]) and shows it when the copy goes; what lies
//! below (the per-material table a few materials per task, the charts, the other materials'
//! charts, the save and share menu, the editor's lines two per task) is drawn in the tasks after
//! it, each part in a task of its own ([`use_later_at`], [`use_drawn`]). Nothing moves on screen:
//! the parts drawn later are below the first screen.
//!
//! The build-time render of the first screen (`app::prerender`) draws the first screen only, as
//! the app's first render does: the page as sent then holds what the first viewport shows and
//! not the whole dashboard, whose parsing and layout would block the phone before the app runs.

use std::cell::Cell;
use yew::prelude::*;

thread_local! {
    /// Natively: whether a render draws the first screen only (the build-time render).
    static FIRST_SCREEN_ONLY: Cell<bool> = const { Cell::new(false) };
}

/// Natively, makes the renders that follow draw the first screen only (`true`, the build-time
/// render of `app::prerender`) or everything (`false`, the default, as the components' tests
/// expect). No effect in the browser, where the parts below are drawn in later tasks.
pub fn set_first_screen_only(only: bool) {
    FIRST_SCREEN_ONLY.with(|f| f.set(only));
}

/// The steps that draw the first screen: the app draws it behind the copy rendered at build time
/// in the first render and this many tasks after it, and the copy goes in the next task
/// (`app::mount`). The parts below the first screen use later steps.
pub const FIRST_SCREEN_STEPS: u32 = 1;

/// `false` on a component's first render in the browser, `true` from the `step`-th task after
/// it on (a chain of zero-delay timeouts); natively, `true` at once ([`at_once`]). The parts
/// below the first screen are drawn in steps, each in a task of its own, so that none of them
/// blocks the page for long (on a phone, drawing the whole dashboard at once took one task of
/// over 100 ms). Steps up to [`FIRST_SCREEN_STEPS`] belong to the first screen, which the
/// build-time render draws whole.
#[hook]
pub fn use_later_at(step: u32) -> bool {
    let ready = use_state_eq(|| at_once(step));
    {
        let ready = ready.clone();
        use_effect_with((), move |_| {
            if !*ready {
                after_tasks(step.max(1), move || ready.set(true));
            }
        });
    }
    *ready
}

/// Whether what step `step` draws is drawn in the first render: natively (no later task), unless
/// the build-time render asked for the first screen only ([`set_first_screen_only`]) and the
/// step lies below it.
fn at_once(step: u32) -> bool {
    !crate::app::browser::HAS_LATER
        && (!FIRST_SCREEN_ONLY.with(Cell::get) || step <= FIRST_SCREEN_STEPS)
}

/// Runs `then` `tasks` tasks later (a chain of zero-delay timeouts).
pub fn after_tasks(tasks: u32, then: impl FnOnce() + 'static) {
    if tasks <= 1 {
        after_this_task(then);
    } else {
        after_this_task(move || after_tasks(tasks - 1, then));
    }
}

/// Runs `then` in a later task (a zero-delay timeout); in a native build, at once.
pub fn after_this_task(then: impl FnOnce() + 'static) {
    crate::app::browser::after_this_task(then);
}

/// How many items of a long list to draw: none before the `step`-th task after the first
/// render, then `chunk` more in each task after it, until all `total` are drawn; from then on
/// [`usize::MAX`] (all, including items added later, which are drawn at once). Natively, like
/// [`use_later_at`]: all at once, or none for the build-time render of the first screen.
///
/// Drawing a list a few items per task keeps each task short on a slow phone (the editor's
/// lines took one task of about 150 ms at a fourfold CPU slowdown).
#[hook]
pub fn use_drawn(step: u32, chunk: usize, total: usize) -> usize {
    let drawn = use_state_eq(|| if at_once(step) { usize::MAX } else { 0 });
    {
        let drawn = drawn.clone();
        use_effect_with((), move |_| {
            if *drawn == 0 {
                after_tasks(step.max(1), move || drawn.set(chunk.max(1)));
            }
        });
    }
    {
        let setter = drawn.setter();
        use_effect_with((*drawn, total), move |&(now, total)| {
            if now != 0 && now != usize::MAX {
                if now >= total {
                    setter.set(usize::MAX);
                } else {
                    after_this_task(move || setter.set(now.saturating_add(chunk.max(1))));
                }
            }
        });
    }
    *drawn
}
