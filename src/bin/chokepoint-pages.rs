//! The pages bundle (`chokepoint-pages.js`): the Scenarios, Plan, Import, Methodology and
//! Sources pages, the industry templates, the world map and the results-file writers, which the app loads the
//! first time one of them is needed so that they are no part of the first page load. The
//! simulation and import Web Workers run this same module (`static/sim-worker.js`,
//! `static/import-worker.js`), so a visit downloads it once. Built by Trunk with `wasm-bindgen --target web` and started by
//! `static/pages-start.js`. How the app and the bundle meet: [`chokepoint::app::pages`].

#[cfg(target_arch = "wasm32")]
mod exports {
    use wasm_bindgen::prelude::*;

    /// `mount(root, part, portfolioJson, onLoad, data)`: renders a page or part; returns its id.
    #[wasm_bindgen]
    pub fn mount(
        root: web_sys::Element,
        part: &str,
        portfolio: &str,
        on_load: js_sys::Function,
        data: &str,
    ) -> Result<u32, JsValue> {
        chokepoint::app::pages::bundle::mount(root, part, portfolio, on_load, data)
    }

    /// `provide_documents(reference, trade, policy)`: the texts of the reference data, the trade
    /// table and the policy rules, which this bundle does not carry (the app does; see
    /// [`chokepoint::reference::documents`]). The app calls it before the first `mount`.
    #[wasm_bindgen]
    pub fn provide_documents(reference: String, trade: String, policy: String) {
        chokepoint::reference::documents::hand_over(reference, trade, policy);
    }

    /// `update(id, part, portfolioJson, data)`: shows another part, portfolio or payload.
    #[wasm_bindgen]
    pub fn update(id: u32, part: &str, portfolio: &str, data: &str) -> Result<(), JsValue> {
        chokepoint::app::pages::bundle::update(id, part, portfolio, data)
    }

    /// `unmount(id)`: removes a part.
    #[wasm_bindgen]
    pub fn unmount(id: u32) {
        chokepoint::app::pages::bundle::unmount(id)
    }

    /// `simulation_worker()`: makes the Web Worker this module runs in the simulation worker
    /// (started by `sim-worker.js`, see [`chokepoint::app::spawn`]).
    #[wasm_bindgen]
    pub fn simulation_worker() {
        chokepoint::app::worker::start()
    }

    /// `import_worker()`: makes the Web Worker this module runs in the import worker (started by
    /// `import-worker.js`).
    #[wasm_bindgen]
    pub fn import_worker() {
        chokepoint::app::import_worker::start()
    }

    /// `share_payload(portfolioJson)`: the share link payload of the portfolio (the app's main
    /// bundle does not carry the compressor).
    #[wasm_bindgen]
    pub fn share_payload(portfolio: &str) -> Result<String, JsValue> {
        chokepoint::app::pages::bundle::share_payload(portfolio)
    }

    /// `results_file(portfolioJson, date, kind)`: `{ name, mime, bytes }` of a results download.
    #[wasm_bindgen]
    pub fn results_file(portfolio: &str, date: &str, kind: u32) -> Result<JsValue, JsValue> {
        chokepoint::app::pages::bundle::results_file(portfolio, date, kind)
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
