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
    let ready = use_state_eq(|| cfg!(not(target_arch = "wasm32")));
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
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;
        let callback = Closure::once_into_js(then);
        let scheduled = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), 0)
                .ok()
        });
        if scheduled.is_none() {
            // No timer (no window): draw at once rather than never.
            let _ = callback
                .unchecked_ref::<js_sys::Function>()
                .call0(&wasm_bindgen::JsValue::NULL);
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    then();
}
