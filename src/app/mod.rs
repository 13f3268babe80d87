//! The Yew shell: UI state (inputs only), components, and the side effects (URL, storage).
//!
//! Follows Yew's `function_todomvc` example: the App owns the state, children get props and
//! `Callback`s only, side effects sit in `use_effect_with`, and every result on screen is derived
//! from the inputs with `use_memo`.

pub mod components;
pub mod download;
pub mod embed;
pub mod format;
pub mod import_job;
#[cfg(target_arch = "wasm32")]
pub mod import_worker;
pub mod pages;
#[cfg(target_arch = "wasm32")]
pub mod panic;
pub mod results;
pub mod route;
pub mod simulation;
pub mod spawn;
pub mod state;
pub mod storage;
#[cfg(target_arch = "wasm32")]
pub mod worker;
pub mod worker_handle;

use crate::model::portfolio::RawPortfolio;
use components::calculator::CalculatorPage;
use components::nav::Nav;
use components::privacy::PrivacyPage;
use pages::{LazyPart, Part};
use route::Route;
use state::{Action, Inputs};
use yew::prelude::*;

/// The demo portfolio shown on first load: an EV and traction-motor maker, illustrative numbers.
pub const DEMO_PORTFOLIO: &str = include_str!("../../examples/portfolios/ev_motor_maker.json");

/// The demo portfolio as typed (empty if the embedded file were ever unreadable).
pub fn demo_portfolio() -> RawPortfolio {
    RawPortfolio::from_json(DEMO_PORTFOLIO).unwrap_or_default()
}

/// The root component.
#[component]
pub fn App() -> Html {
    let route = use_state(current_route);
    // The autosave (or the demo) is read once, here in the shell; the reducer stays pure.
    let startup = use_state(|| storage::startup(demo_portfolio()));
    let inputs = use_reducer(|| Inputs::new(startup.portfolio.clone()));
    let notice = use_state(|| startup.notice.clone());
    {
        let notice = notice.clone();
        let blocked = startup.autosave_blocked;
        use_effect_with(inputs.portfolio.clone(), move |portfolio| {
            if !blocked && let Err(message) = storage::autosave(portfolio) {
                notice.set(Some(message));
            }
        });
    }
    let policy_date = use_state(components::calculator::today);
    // Both callbacks keep their identity across renders (Yew compares callbacks by identity):
    // a new one each render would make every editor line and chart re-render on every keystroke.
    let on_policy_date = {
        let setter = policy_date.setter();
        use_callback(setter, |text: String, setter| setter.set(text.into()))
    };
    let on_action = use_callback(inputs.dispatcher(), |action: Action, dispatcher| {
        dispatcher.dispatch(action)
    });
    {
        let route = route.clone();
        let inputs = inputs.clone();
        let notice = notice.clone();
        use_effect_with((), move |_| {
            // A share link loads its portfolio as one undoable step, on opening and on a later
            // hash change; a damaged link says why and changes nothing.
            let take = move || match take_shared_portfolio() {
                Some(Ok(portfolio)) => inputs.dispatch(Action::Load(portfolio)),
                // Nothing is dispatched: the inputs, and so the autosave, stay as they were.
                Some(Err(message)) => notice.set(Some(message)),
                None => {}
            };
            take();
            let listener = window_listener("hashchange", move |_| {
                route.set(current_route());
                take();
            });
            move || drop(listener)
        });
    }
    let dismiss = {
        let notice = notice.clone();
        Callback::from(move |_: MouseEvent| notice.set(None))
    };
    {
        let inputs = inputs.clone();
        use_effect_with((), move |_| {
            let listener = window_listener("keydown", move |event| {
                use wasm_bindgen::JsCast;
                let Some(key) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                let in_text_field = key
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|e| {
                        matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    });
                let ctrl = key.ctrl_key() || key.meta_key();
                if let Some(action) = shortcut(&key.key(), ctrl, key.shift_key(), in_text_field) {
                    key.prevent_default();
                    inputs.dispatch(action);
                }
            });
            move || drop(listener)
        });
    }
    html! {
        <>
            <Nav current={*route} />
            <main id="content" tabindex="-1" data-testid="app-ready">
                if let Some(text) = &*notice {
                    <div class="notice no-print" role="alert" data-testid="app-notice">
                        <p>{ text.clone() }</p>
                        <button type="button" class="secondary" onclick={dismiss}>{ "Dismiss" }</button>
                    </div>
                }
                {
                    match *route {
                        Route::Calculator => html! {
                            <CalculatorPage portfolio={inputs.portfolio.clone()}
                                can_undo={inputs.can_undo()} can_redo={inputs.can_redo()} {on_action}
                                policy_date={(*policy_date).clone()} {on_policy_date} />
                        },
                        Route::Privacy => html! { <PrivacyPage /> },
                        // Scenarios, Plan, Import, Methodology, Sources: the pages bundle.
                        // The Scenarios and Sources pages judge statuses on the check date.
                        lazy => html! {
                            <LazyPart part={Part::Page(lazy)} portfolio={Some(inputs.portfolio.clone())} on_action={on_action.clone()}
                                data={if matches!(lazy, Route::Scenarios | Route::Sources) { (*policy_date).clone() } else { AttrValue::default() }} />
                        },
                    }
                }
            </main>
            <footer class="site-footer">
                { "Chokepoint runs entirely in your browser: nothing you enter leaves it. " }
                <a href={Route::Privacy.hash()}>{ "How to verify" }</a>
            </footer>
        </>
    }
}

#[cfg(target_arch = "wasm32")]
fn current_route() -> Route {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    Route::from_hash(&hash)
}

#[cfg(not(target_arch = "wasm32"))]
fn current_route() -> Route {
    Route::Calculator
}

/// The portfolio of a share link in the address, if there is one; the link's payload is then
/// removed from the address bar (without a new history entry) so that a reload shows the
/// autosave of the user's later edits rather than the link again.
#[cfg(target_arch = "wasm32")]
fn take_shared_portfolio() -> Option<Result<RawPortfolio, String>> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let payload = crate::model::share::payload_in_hash(&hash)?;
    let result = read_shared_link(payload);
    if let Ok(history) = window.history() {
        let page = Route::from_hash(&hash).hash();
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(page));
    }
    Some(result)
}

#[cfg(not(target_arch = "wasm32"))]
fn take_shared_portfolio() -> Option<Result<RawPortfolio, String>> {
    None
}

/// The portfolio of a share link's payload, or the notice to show when it cannot be read (damaged,
/// newer, or over a size limit such as 5,000 lines; the core refuses those before building
/// anything). A refused link changes nothing: no portfolio is loaded, so the autosave keeps the
/// user's own portfolio.
pub fn read_shared_link(payload: &str) -> Result<RawPortfolio, String> {
    crate::model::share::decode(payload).map_err(|error| {
        format!("The shared link was not opened: {error}. Your portfolio is unchanged.")
    })
}

/// Calls `handler` with every `name` event on the window; dropping the returned value removes
/// the listener.
#[cfg(target_arch = "wasm32")]
fn window_listener(name: &'static str, handler: impl Fn(web_sys::Event) + 'static) -> impl Drop {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    struct Listener(&'static str, Option<Closure<dyn Fn(web_sys::Event)>>);
    impl Drop for Listener {
        fn drop(&mut self) {
            if let (Some(window), Some(closure)) = (web_sys::window(), self.1.take()) {
                let _ = window
                    .remove_event_listener_with_callback(self.0, closure.as_ref().unchecked_ref());
            }
        }
    }
    let closure = Closure::<dyn Fn(web_sys::Event)>::new(handler);
    if let Some(window) = web_sys::window() {
        let _ = window.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
    }
    Listener(name, Some(closure))
}

#[cfg(not(target_arch = "wasm32"))]
fn window_listener(_name: &'static str, _handler: impl Fn(web_sys::Event) + 'static) -> impl Drop {
    struct Nothing;
    impl Drop for Nothing {
        fn drop(&mut self) {}
    }
    Nothing
}

/// The edit-history action of a key press: Ctrl+Z (Cmd+Z) undoes, Ctrl+Y and Ctrl+Shift+Z
/// (Cmd+Shift+Z) redo. Presses inside a text field are left to the field.
pub fn shortcut(key: &str, ctrl_or_meta: bool, shift: bool, in_text_field: bool) -> Option<Action> {
    if !ctrl_or_meta || in_text_field {
        return None;
    }
    match (key.to_ascii_lowercase().as_str(), shift) {
        ("z", false) => Some(Action::Undo),
        ("z", true) | ("y", false) => Some(Action::Redo),
        _ => None,
    }
}

/// Mounts the app into the page's body, after installing the panic hook. Called by the wasm
/// entry point.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    panic::install();
    yew::Renderer::<App>::new().render();
}

#[cfg(test)]
mod tests {
    use super::{Action, shortcut};

    #[test]
    fn undo_and_redo_shortcuts() {
        assert_eq!(shortcut("z", true, false, false), Some(Action::Undo));
        assert_eq!(shortcut("Z", true, true, false), Some(Action::Redo));
        assert_eq!(shortcut("y", true, false, false), Some(Action::Redo));
        assert_eq!(shortcut("z", false, false, false), None);
        assert_eq!(shortcut("z", true, false, true), None);
    }
}
