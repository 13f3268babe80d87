//! Rendering below the fold later (issue #19): the first render after the app mounts draws what
//! the first screen shows; what lies below it (the editor, the per-material table and the charts
//! after it) is drawn in the next task, so that no single task blocks the page for the whole
//! dashboard. Nothing moves on screen: the parts drawn later are below the first screen.

use yew::prelude::*;

/// `false` on a component's first render in the browser, `true` from the next task on (after a
/// zero-delay timeout). Natively (the build-time render of the first screen, which has no later)
/// it is `true` at once.
#[hook]
pub fn use_later() -> bool {
    let ready = use_state_eq(|| !crate::app::browser::HAS_LATER);
    {
        let ready = ready.clone();
        use_effect_with((), move |_| {
            if !*ready {
                after_this_task(move || ready.set(true));
            }
        });
    }
    *ready
}

/// Runs `then` in a later task (a zero-delay timeout); in a native build, at once.
pub fn after_this_task(then: impl FnOnce() + 'static) {
    crate::app::browser::after_this_task(then);
}
