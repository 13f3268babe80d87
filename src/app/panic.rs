//! A panic inside the app shows a readable error panel instead of a dead page, and the console
//! gets the message. The panel offers a reload, and a way out when the autosave itself is what
//! crashes the app: "Start empty, keep my saved data" reloads the page with the fragment
//! parameter of [`crate::app::route::START_EMPTY`], which starts the app without reading the
//! autosave and with autosave paused, deleting nothing.

use wasm_bindgen::JsCast;

/// Installs the panic hook: logs the panic to the console and replaces nothing the user typed
/// (inputs live in local storage and the URL), only shows a panel asking to reload.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_panel(&info.to_string());
    }));
}

/// Shows the error panel with `message` (what the panic hook does after logging); idempotent.
pub fn show_panel(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else {
        return;
    };
    if document.get_element_by_id("crash-panel").is_some() {
        return;
    }
    let Ok(panel) = document.create_element("section") else {
        return;
    };
    panel.set_id("crash-panel");
    let _ = panel.set_attribute("role", "alert");
    let _ = panel.set_attribute("class", "crash-panel");
    let heading = document.create_element("h2").ok();
    let text = document.create_element("p").ok();
    let detail = document.create_element("pre").ok();
    let button = document
        .create_element("button")
        .ok()
        .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(h) = &heading {
        h.set_text_content(Some("Something went wrong in Chokepoint"));
        let _ = panel.append_child(h);
    }
    if let Some(p) = &text {
        p.set_text_content(Some(
            "Please reload the page: your inputs are kept (they are saved in this browser). If \
             the page fails again as it opens your saved portfolio, start empty: your saved \
             data stays as it is. The technical details below are also in the browser console.",
        ));
        let _ = panel.append_child(p);
    }
    if let Some(pre) = &detail {
        pre.set_text_content(Some(message));
        let _ = panel.append_child(pre);
    }
    if let Some(b) = &button {
        b.set_text_content(Some("Reload"));
        let _ = b.set_attribute("type", "button");
        let reload = wasm_bindgen::closure::Closure::<dyn Fn()>::new(|| {
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        });
        b.set_onclick(Some(reload.as_ref().unchecked_ref()));
        reload.forget();
        let _ = panel.append_child(b);
    }
    let start_empty = document
        .create_element("button")
        .ok()
        .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(b) = &start_empty {
        b.set_text_content(Some("Start empty, keep my saved data"));
        let _ = b.set_attribute("type", "button");
        let _ = b.set_attribute("class", "secondary");
        let _ = b.set_attribute("data-testid", "crash-start-empty");
        let reload = wasm_bindgen::closure::Closure::<dyn Fn()>::new(reload_empty);
        b.set_onclick(Some(reload.as_ref().unchecked_ref()));
        reload.forget();
        let _ = panel.append_child(b);
    }
    let _ = body.prepend_with_node_1(&panel);
    // A crash before the app drew its first screen leaves the build-time copy: it goes too, so
    // that no demo result stands beside the crash message as if it were live.
    if let Some(copy) = document.get_element_by_id(super::PRERENDER_ID) {
        copy.remove();
    }
}

/// Reloads the page started empty: the autosave is neither read nor written, nothing is deleted.
fn reload_empty() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let hash = window.location().hash().unwrap_or_default();
    let target = crate::app::route::start_empty_hash(&hash);
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&target));
    }
    let _ = window.location().reload();
}
