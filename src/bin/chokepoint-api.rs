//! The JavaScript API (`chokepoint-api.js`): the calculation core as an ES module for partners
//! who build their own interface. Built by Trunk with `wasm-bindgen --target web`; the app never
//! loads it. Functions and results: `EMBEDDING.md` and [`chokepoint::api`].

#[cfg(target_arch = "wasm32")]
mod exports {
    use wasm_bindgen::prelude::*;

    /// `assess(portfolio, options?)`: the assessment of a portfolio (object or JSON text).
    #[wasm_bindgen]
    pub fn assess(portfolio: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        chokepoint::api::js::assess(portfolio, options)
    }

    /// `reference(material)`: the catalogue entry of a material, or `null`.
    #[wasm_bindgen]
    pub fn reference(material: &str) -> Result<JsValue, JsValue> {
        chokepoint::api::js::reference(material)
    }

    /// `materials()`: every material id and name.
    #[wasm_bindgen]
    pub fn materials() -> Result<JsValue, JsValue> {
        chokepoint::api::js::materials()
    }

    /// `version()`: `{ api, portfolio_schema, calculator }`.
    #[wasm_bindgen]
    pub fn version() -> Result<JsValue, JsValue> {
        chokepoint::api::js::version()
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("chokepoint-api is a WebAssembly module for browsers; natively, use `chokepoint`");
    std::process::exit(2);
}
