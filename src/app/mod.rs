//! The Yew shell: UI state (inputs only), components, and the side effects (storage, URL).

use yew::prelude::*;

/// The root component.
#[component]
pub fn App() -> Html {
    html! { <main id="app"><h1>{ "Chokepoint" }</h1></main> }
}

/// Mounts the app into the page's body. Called by the wasm entry point.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    yew::Renderer::<App>::new().render();
}
