//! Entry point. In the browser it mounts the app; natively it is the command line.
//!
//! The browser build also exports the functions of the pages, the workers and the results files
//! (`pages_exports`). The build splits this module in two (tools/wasm-split): what the app's
//! start reaches is the first load; what only those exports reach is the pages' module
//! (`chokepoint-pages_bg.wasm`), which shares the first one's memory and code and is loaded the
//! first time it is needed (static/pages-start.js, static/sim-worker.js). How the app and the
//! pages meet: [`chokepoint::app::pages`].

#[cfg(target_arch = "wasm32")]
/// The pages' entry points, called by the app through JavaScript (src/app/browser/pages.rs) and
/// by the workers' start scripts.
mod pages_exports {
    // (Plain comments: wasm-bindgen copies doc comments into the JavaScript the page loads.)
    use wasm_bindgen::prelude::*;

    // `mount(root, part, portfolioJson, onLoad, data)`: renders a page or part; returns its id.
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

    // `update(id, part, portfolioJson, data)`: shows another part, portfolio or payload.
    #[wasm_bindgen]
    pub fn update(id: u32, part: &str, portfolio: &str, data: &str) -> Result<(), JsValue> {
        chokepoint::app::pages::bundle::update(id, part, portfolio, data)
    }

    // `install_views()`: lets the app's Calculator page draw the parts below its first screen
    // that this part holds (the table, the editor, the share panel).
    #[wasm_bindgen]
    pub fn install_views() {
        chokepoint::app::pages::install_views()
    }

    // `unmount(id)`: removes a part.
    #[wasm_bindgen]
    pub fn unmount(id: u32) {
        chokepoint::app::pages::bundle::unmount(id)
    }

    // `simulation_worker()`: makes the Web Worker this module runs in the simulation worker
    // (started by `sim-worker.js`, see [`chokepoint::app::spawn`]).
    #[wasm_bindgen]
    pub fn simulation_worker() {
        chokepoint::app::worker::start()
    }

    // `import_worker()`: makes the Web Worker this module runs in the import worker (started by
    // `import-worker.js`).
    #[wasm_bindgen]
    pub fn import_worker() {
        chokepoint::app::import_worker::start()
    }

    // `share_payload(portfolioJson)`: the share link payload of the portfolio (the app's main
    // bundle does not carry the compressor).
    #[wasm_bindgen]
    pub fn share_payload(portfolio: &str) -> Result<String, JsValue> {
        chokepoint::app::pages::bundle::share_payload(portfolio)
    }

    // `export_chart(root, name, png, report)`: downloads the chart inside `root` as
    // `chokepoint-{name}.svg` or `.png`; a failure is passed to `report` as text.
    #[wasm_bindgen]
    pub fn export_chart(root: web_sys::Element, name: &str, png: bool, report: js_sys::Function) {
        chokepoint::app::pages::bundle::export_chart(root, name, png, report)
    }

    // `results_file(portfolioJson, date, kind)`: `{ name, mime, bytes }` of a results download.
    #[wasm_bindgen]
    pub fn results_file(portfolio: &str, date: &str, kind: u32) -> Result<JsValue, JsValue> {
        chokepoint::app::pages::bundle::results_file(portfolio, date, kind)
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    chokepoint::app::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    chokepoint::cli::main(&args)
}
