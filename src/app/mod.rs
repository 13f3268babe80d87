//! The Yew shell: UI state (inputs only), components, and the side effects (URL, storage).
//!
//! Follows Yew's `function_todomvc` example: the App owns the state, children get props and
//! `Callback`s only, side effects sit in `use_effect_with`, and every result on screen is derived
//! from the inputs with `use_memo`. The pages of the pages' part follow the same model
//! ([`forms`]: a state of the inputs, a pure reducer, typed parsers). Calls into the browser go
//! through [`browser`] (and its [`browser::worker`], [`browser::chart`] and
//! [`browser::pages`]), which has a native stand-in, so the shell runs natively in tests; only
//! the bundles' entry points (the `start` functions, the worker bundles, the panic hook, the
//! pages' part's exports) hold browser-only code of their own (`tests/it/core_guard.rs` keeps it
//! so).

pub mod browser;
pub mod components;
pub mod download;
pub mod embed;
pub mod format;
pub mod forms;
pub mod import_job;
#[cfg(target_arch = "wasm32")]
pub mod import_worker;
pub mod later;
pub mod lazy;
pub mod pages;
#[cfg(target_arch = "wasm32")]
pub mod panic;
#[cfg(not(target_arch = "wasm32"))]
pub mod prerender;
pub mod results;
pub mod route;
pub mod simulation;
pub mod spawn;
pub mod state;
pub mod storage;
#[cfg(target_arch = "wasm32")]
pub mod worker;

use crate::portfolio::RawPortfolio;
use crate::portfolio::autosave::Pause;
use crate::portfolio::storage::{AUTOSAVE_KEY, saved_name};
use components::autosave_notice::autosave_notice;
use components::calculator::CalculatorPage;
use components::nav::Nav;
use components::privacy::PrivacyPage;
use lazy::{LazyPart, Part};
use route::Route;
use state::{Action, Inputs};
use yew::prelude::*;

/// The demo portfolio shown on first load: an EV and traction-motor maker, illustrative numbers.
pub const DEMO_PORTFOLIO: &str = include_str!("../../examples/portfolios/ev_motor_maker.json");

/// The demo portfolio as typed (empty if the embedded file were ever unreadable).
pub fn demo_portfolio() -> RawPortfolio {
    RawPortfolio::from_json(DEMO_PORTFOLIO).unwrap_or_default()
}

/// Changes whenever the saved portfolios may have changed outside the share panel (a share link
/// kept the replaced work, another tab saved or deleted one): the panel reads the list again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SavedListVersion(pub u32);

/// The root component.
#[component]
pub fn App() -> Html {
    let route = use_state(current_route);
    // The autosave (or the demo) is read once, in the shell: in the start's task before the first
    // render (`prepare`), or here; the reducer stays pure. After a crash the panel may ask to
    // start empty, without reading it.
    let startup = use_state(|| {
        PREPARED_STARTUP
            .with(|p| p.borrow_mut().take())
            .unwrap_or_else(read_startup)
    });
    let inputs = use_reducer(|| Inputs::new(startup.portfolio.clone()));
    let notice = use_state(|| startup.notice.clone());
    // What this tab knows of the autosave (the rules: crate::portfolio::autosave), the portfolio it
    // shows (for the `storage` event handler) and why autosave is paused, if it is.
    let sync = use_mut_ref(|| startup.sync.clone());
    let shown = use_mut_ref(|| inputs.portfolio.clone());
    let pause = use_state_eq(|| startup.sync.pause());
    let saved_version = use_state(SavedListVersion::default);
    {
        let notice = notice.clone();
        let sync = sync.clone();
        let shown = shown.clone();
        let pause = pause.clone();
        use_effect_with(inputs.portfolio.clone(), move |portfolio| {
            *shown.borrow_mut() = portfolio.clone();
            let result = storage::autosave(&mut sync.borrow_mut(), portfolio);
            pause.set(sync.borrow().pause());
            if let Err(message) = result {
                notice.set(Some(message.to_string()));
            }
        });
    }
    {
        // Another tab wrote the autosave or a saved portfolio.
        let sync = sync.clone();
        let shown = shown.clone();
        let pause = pause.clone();
        let saved_version = saved_version.clone();
        use_effect_with((), move |_| {
            let listener = browser::window_listener("storage", move |event| {
                let Some((key, value)) = browser::storage_change(&event) else {
                    return;
                };
                let autosave = key.as_deref().is_none_or(|k| k == AUTOSAVE_KEY);
                if autosave {
                    let current = shown.borrow().clone();
                    sync.borrow_mut()
                        .changed_elsewhere(value.as_deref(), &current);
                    pause.set(sync.borrow().pause());
                }
                if key.as_deref().is_none_or(|k| saved_name(k).is_some()) {
                    saved_version.set(SavedListVersion(saved_version.0.wrapping_add(1)));
                }
            });
            move || drop(listener)
        });
    }
    let on_load_stored = {
        let sync = sync.clone();
        let pause = pause.clone();
        let notice = notice.clone();
        let inputs = inputs.clone();
        Callback::from(move |_: MouseEvent| {
            let result = storage::load_stored(&mut sync.borrow_mut());
            pause.set(sync.borrow().pause());
            match result {
                Ok(portfolio) => {
                    inputs.dispatch(Action::Load(portfolio));
                    notice.set(Some(
                        "Loaded the version saved in this browser (Undo goes back to the one \
                         shown before)."
                            .into(),
                    ));
                }
                Err(error) => notice.set(Some(error.to_string())),
            }
        })
    };
    let on_keep_this = {
        let sync = sync.clone();
        let shown = shown.clone();
        let pause = pause.clone();
        let notice = notice.clone();
        Callback::from(move |_: MouseEvent| {
            let current = shown.borrow().clone();
            let result = storage::keep_this(&mut sync.borrow_mut(), &current);
            pause.set(sync.borrow().pause());
            if let Err(message) = result {
                notice.set(Some(message.to_string()));
            }
        })
    };
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
        let sync = sync.clone();
        let pause = pause.clone();
        let saved_version = saved_version.clone();
        use_effect_with((), move |_| {
            // A share link loads its portfolio as one undoable step, on opening and on a later
            // hash change; a damaged link says why and changes nothing. The work it replaces is
            // first kept as a named save, or autosave pauses so that it stays stored.
            let take = move || match take_shared_portfolio() {
                Some(Ok(portfolio)) => {
                    match storage::keep_replaced(&portfolio, &demo_portfolio(), &now_text()) {
                        Ok(Some(name)) => {
                            notice.set(Some(format!(
                                "Your previous portfolio was kept under \"Saved in this \
                                 browser\" as \"{name}\"."
                            )));
                            saved_version.set(SavedListVersion(saved_version.0.wrapping_add(1)));
                        }
                        Ok(None) => {}
                        Err(message) => {
                            sync.borrow_mut().pause_for(Pause::Unkept);
                            pause.set(Some(Pause::Unkept));
                            notice.set(Some(format!(
                                "Your previous portfolio could not be kept as a saved \
                                 portfolio: {message}"
                            )));
                        }
                    }
                    inputs.dispatch(Action::Load(portfolio));
                }
                // Nothing is dispatched: the inputs, and so the autosave, stay as they were.
                Some(Err(error)) => notice.set(Some(error.to_string())),
                None => {}
            };
            take();
            let listener = browser::window_listener("hashchange", move |_| {
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
            let listener = browser::window_listener("keydown", move |event| {
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
            <ContextProvider<SavedListVersion> context={*saved_version}>
            <main id="content" tabindex="-1" data-testid="app-ready">
                if let Some(text) = &*notice {
                    <div class="notice no-print" role="alert" data-testid="app-notice">
                        <p>{ text.clone() }</p>
                        <button type="button" class="secondary" onclick={dismiss}>{ "Dismiss" }</button>
                    </div>
                }
                if let Some(pause) = (*pause).filter(|p| *p != Pause::Blocked) {
                    { autosave_notice(pause, on_load_stored, on_keep_this) }
                }
                {
                    match *route {
                        Route::Calculator => html! {
                            <CalculatorPage portfolio={inputs.portfolio.clone()}
                                can_undo={inputs.can_undo()} can_redo={inputs.can_redo()} {on_action}
                                policy_date={(*policy_date).clone()} {on_policy_date} />
                        },
                        Route::Privacy => html! { <PrivacyPage /> },
                        // Scenarios, Plan, Import, Methodology, Sources: the pages' part.
                        // The Scenarios and Sources pages judge statuses on the check date.
                        lazy => html! {
                            <LazyPart part={Part::Page(lazy)} portfolio={Some(inputs.portfolio.clone())} on_action={on_action.clone()}
                                data={if matches!(lazy, Route::Scenarios | Route::Sources) { (*policy_date).clone() } else { AttrValue::default() }} />
                        },
                    }
                }
            </main>
            </ContextProvider<SavedListVersion>>
            <footer class="site-footer">
                { "Chokepoint runs entirely in your browser: nothing you enter leaves it. " }
                <a href={Route::Privacy.hash()}>{ "How to verify" }</a>
            </footer>
        </>
    }
}

fn current_route() -> Route {
    Route::from_hash(&browser::hash())
}

/// Whether the address asks to start without reading the autosave
/// ([`route::START_EMPTY`], set by the crash panel); the parameter is then removed from the
/// address bar, so that a reload reads the autosave again.
fn take_start_empty() -> bool {
    let hash = browser::hash();
    if !route::starts_empty(&hash) {
        return false;
    }
    browser::replace_hash(Route::from_hash(&hash).hash());
    true
}

/// An id for this tab's writes of the autosave, drawn when the page opens (`native` natively).
fn tab_id() -> String {
    browser::random_id().unwrap_or_else(|| "native".into())
}

/// The local date and time, `2026-12-06 14:03`: the name of replaced work kept as a save
/// (empty natively, where there is no clock).
fn now_text() -> String {
    browser::local_now().map_or_else(String::new, |now| {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            now.year, now.month, now.day, now.hour, now.minute
        )
    })
}

/// The portfolio of a share link in the address, if there is one; the link's payload is then
/// removed from the address bar (without a new history entry) so that a reload shows the
/// autosave of the user's later edits rather than the link again.
fn take_shared_portfolio() -> Option<Result<RawPortfolio, LinkNotOpened>> {
    let hash = browser::hash();
    let payload = crate::portfolio::share::payload_in_hash(&hash)?;
    let result = read_shared_link(payload);
    browser::replace_hash(Route::from_hash(&hash).hash());
    Some(result)
}

/// The portfolio of a share link's payload, or the notice to show when it cannot be read (damaged,
/// newer, or over a size limit such as 5,000 lines; the core refuses those before building
/// anything). A refused link changes nothing: no portfolio is loaded, so the autosave keeps the
/// user's own portfolio.
pub fn read_shared_link(payload: &str) -> Result<RawPortfolio, LinkNotOpened> {
    crate::portfolio::share::decode(payload).map_err(LinkNotOpened)
}

/// A share link that was not opened, and why; shown as the app's notice.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkNotOpened(pub crate::portfolio::share::ShareError);

impl std::fmt::Display for LinkNotOpened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "The shared link was not opened: {}. Your portfolio is unchanged.",
            self.0
        )
    }
}

impl std::error::Error for LinkNotOpened {}

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

/// What the app starts with: the autosave, or the demo (or a blank portfolio after a crash
/// panel's "start empty"). Reads (and may set aside) stored entries: called once per start.
fn read_startup() -> storage::Startup {
    let empty = take_start_empty();
    let fallback = if empty {
        crate::analysis::start::blank_portfolio()
    } else {
        demo_portfolio()
    };
    storage::startup(tab_id(), fallback, !empty)
}

thread_local! {
    /// The start's state, read in a task before the app is drawn (`start`); the first render
    /// takes it.
    static PREPARED_STARTUP: std::cell::RefCell<Option<storage::Startup>> =
        const { std::cell::RefCell::new(None) };
}

/// Mounts the app into the page's body, after installing the panic hook. Called by the wasm
/// entry point.
///
/// The start is cut into tasks (issue #19: no task of the start should block the page for
/// long): the embedded reference data is read in steps (its head, then about a third of its
/// materials per task: `reference::StagedReference`), the trade table is parsed in a task of
/// its own; the next reads the stored portfolio and computes its results (without the policy
/// checks, which the table below the first screen runs: the policy rules are the pages' part's);
/// the app is drawn in the next, so that the browser can handle input and paint in between. The
/// page meanwhile shows the first screen rendered at build time.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    panic::install();
    // The simulation and import workers run this module too (static/sim-worker.js): there is no
    // page to draw in.
    if web_sys::window().is_none() {
        return;
    }
    later::after_this_task(|| {
        read_reference(crate::reference::StagedReference::start(), || {
            later::after_this_task(|| {
                let _ = crate::reference::trade::try_embedded_trade();
                later::after_this_task(|| {
                    prepare();
                    later::after_this_task(mount);
                });
            });
        });
    });
}

/// How many materials of the embedded reference data the start reads per task: about a third.
#[cfg(target_arch = "wasm32")]
const MATERIALS_PER_TASK: usize = 32;

/// Reads the embedded reference data's materials a task at a time, then runs `then`.
#[cfg(target_arch = "wasm32")]
fn read_reference(
    mut reference: crate::reference::StagedReference<'static>,
    then: impl FnOnce() + 'static,
) {
    later::after_this_task(move || {
        if reference.step(MATERIALS_PER_TASK) {
            reference.finish();
            then();
        } else {
            read_reference(reference, then);
        }
    });
}

/// Reads the start's state and computes the first render's results (taken by [`App`] and the
/// calculator page on their first render).
#[cfg(target_arch = "wasm32")]
fn prepare() {
    let startup = read_startup();
    if current_route() == Route::Calculator {
        components::calculator::prepare_first_render(&startup.portfolio);
    }
    PREPARED_STARTUP.with(|p| *p.borrow_mut() = Some(startup));
}

/// Draws the app, replacing the first screen rendered at build time.
#[cfg(target_arch = "wasm32")]
fn mount() {
    // Into the page's app element, after the copy (the whole body where there is none).
    match browser::element_by_id(APP_ROOT_ID) {
        Some(root) => yew::Renderer::<App>::with_root(root).render(),
        None => yew::Renderer::<App>::new().render(),
    };
    // The app draws its first screen behind the copy rendered at build time (`prerender`; the
    // style sheet hides what follows it), in the first render and the next
    // `later::FIRST_SCREEN_STEPS` tasks; the copy goes in the task after those, and the app's
    // own first screen shows in its place. This runs after the scheduler's first render, so the
    // first-screen steps' timers come first.
    browser::spawn(async {
        later::after_tasks(later::FIRST_SCREEN_STEPS + 1, || {
            browser::remove_element(PRERENDER_ID)
        })
    });
}

/// The id of the element the app draws into (`index.html`).
pub const APP_ROOT_ID: &str = "app";

/// The id of the element holding the first screen rendered at build time (written by
/// `scripts/build/postbuild.mjs`).
pub const PRERENDER_ID: &str = "prerender";

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
