//! The Yew shell: UI state (inputs only), components, and the side effects (URL, storage).
//!
//! Follows Yew's `function_todomvc` example: the App owns the state, children get props and
//! `Callback`s only, side effects sit in `use_effect_with`, and every result on screen is derived
//! from the inputs with `use_memo`.

pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod panic;
pub mod format;
pub mod results;
pub mod route;
pub mod state;

use components::nav::Nav;
use components::privacy::PrivacyPage;
use route::Route;
use yew::prelude::*;

/// The root component.
#[component]
pub fn App() -> Html {
    let route = use_state(current_route);
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let listener = hash_listener(move |r| route.set(r));
            move || drop(listener)
        });
    }
    html! {
        <>
            <Nav current={*route} />
            <main id="content" tabindex="-1" data-testid="app-ready">
                {
                    match *route {
                        Route::Calculator => html! { <h1>{ "Calculator" }</h1> },
                        Route::Methodology => html! { <h1>{ "Methodology" }</h1> },
                        Route::Sources => html! { <h1>{ "Sources" }</h1> },
                        Route::Privacy => html! { <PrivacyPage /> },
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

/// Calls `on_change` with the new route whenever the location hash changes; dropping the returned
/// value removes the listener.
#[cfg(target_arch = "wasm32")]
fn hash_listener(on_change: impl Fn(Route) + 'static) -> impl Drop {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    struct Listener(Option<Closure<dyn Fn()>>);
    impl Drop for Listener {
        fn drop(&mut self) {
            if let (Some(window), Some(closure)) = (web_sys::window(), self.0.take()) {
                let _ = window.remove_event_listener_with_callback(
                    "hashchange",
                    closure.as_ref().unchecked_ref(),
                );
            }
        }
    }
    let closure = Closure::<dyn Fn()>::new(move || on_change(current_route()));
    if let Some(window) = web_sys::window() {
        let _ =
            window.add_event_listener_with_callback("hashchange", closure.as_ref().unchecked_ref());
    }
    Listener(Some(closure))
}

#[cfg(not(target_arch = "wasm32"))]
fn hash_listener(_on_change: impl Fn(Route) + 'static) -> impl Drop {
    struct Nothing;
    impl Drop for Nothing {
        fn drop(&mut self) {}
    }
    Nothing
}

/// Mounts the app into the page's body, after installing the panic hook. Called by the wasm
/// entry point.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    panic::install();
    yew::Renderer::<App>::new().render();
}
