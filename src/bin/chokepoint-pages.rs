//! The pages bundle (`chokepoint-pages.js`): the Scenarios, Plan, Import, Methodology and
//! Sources pages, which the app loads the first time one of them opens so that they are no part
//! of the first page load. Built by Trunk with `wasm-bindgen --target web` and started by
//! `static/pages-start.js`. How the app and the bundle meet: [`chokepoint::app::pages`].

#[cfg(target_arch = "wasm32")]
mod exports {
    use wasm_bindgen::prelude::*;

    /// `mount(root, route, portfolioJson, onLoad)`: renders a page; returns its id.
    #[wasm_bindgen]
    pub fn mount(
        root: web_sys::Element,
        route: &str,
        portfolio: &str,
        on_load: js_sys::Function,
    ) -> Result<u32, JsValue> {
        chokepoint::app::pages::bundle::mount(root, route, portfolio, on_load)
    }

    /// `update(id, route, portfolioJson)`: shows another page or portfolio.
    #[wasm_bindgen]
    pub fn update(id: u32, route: &str, portfolio: &str) -> Result<(), JsValue> {
        chokepoint::app::pages::bundle::update(id, route, portfolio)
    }

    /// `unmount(id)`: removes a page.
    #[wasm_bindgen]
    pub fn unmount(id: u32) {
        chokepoint::app::pages::bundle::unmount(id)
    }
}

/// Runs when the bundle is instantiated (wasm-bindgen calls a binary's `main`).
#[cfg(target_arch = "wasm32")]
fn main() {
    chokepoint::app::pages::bundle::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("chokepoint-pages is a WebAssembly module the app loads; natively, use `chokepoint`");
    std::process::exit(2);
}
