//! The pages' part of the app (`chokepoint-pages_bg.wasm`, [`crate::app::lazy`] says what it
//! holds and how the app and the pages meet) as the browser loads it: its start script, the
//! exports it makes work, the parts it mounts
//! and the results files it writes. The browser's body, and a native stand-in, where there is
//! no bundle: [`load`] answers [`PagesError::NoBrowser`].

pub use imp::*;

/// Why a part or a results file could not be had from the pages' part.
#[derive(Clone, Debug, PartialEq)]
pub enum PagesError {
    /// The page lacks what loading needs (`window`, `document`, `head element`).
    NoPage(&'static str),
    /// The browser refused or failed, in its words (the script could not be loaded, an
    /// export threw).
    Browser(String),
    /// The bundle has no export of this name.
    MissingExport(String),
    /// The bundle answered a results file with something else.
    NoFile,
    /// The portfolio has no valid line to export.
    NothingToExport,
    /// There is no browser to load the bundle in (native builds).
    NoBrowser,
}

impl std::fmt::Display for PagesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PagesError::NoPage(what) => write!(f, "no {what}"),
            PagesError::Browser(message) => f.write_str(message),
            PagesError::MissingExport(name) => write!(f, "the app's pages have no `{name}`"),
            PagesError::NoFile => f.write_str("the app's pages returned no file"),
            PagesError::NothingToExport => f.write_str("the portfolio has no valid line to export"),
            PagesError::NoBrowser => f.write_str("the app's pages need a browser"),
        }
    }
}

impl std::error::Error for PagesError {}

#[cfg(target_arch = "wasm32")]
mod imp {
    use super::PagesError;
    use std::cell::{Cell, RefCell};
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};

    /// Whether results files are written in place rather than by the bundle: not in the browser.
    /// A constant, so that the main bundle never links the file writers.
    pub const WRITES_IN_PLACE: bool = false;

    /// The start script of the bundle; it sets `window.chokepointPages` to a promise of the
    /// bundle's exports. The single-file build sets it before the app starts.
    const START_SCRIPT: &str = "./pages-start.js";
    const GLOBAL: &str = "chokepointPages";

    thread_local! {
        /// The promise of the bundle's exports, once asked for (cleared when loading failed, so
        /// that "Try again" starts afresh).
        static LOADING: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
        /// Start scripts added so far.
        static ATTEMPTS: Cell<u32> = const { Cell::new(0) };
    }

    /// The bundle's exports, loading it the first time.
    async fn exports() -> Result<JsValue, PagesError> {
        let promise = match LOADING.with(|l| l.borrow().clone()) {
            Some(promise) => promise,
            None => {
                let promise = start()?;
                LOADING.with(|l| *l.borrow_mut() = Some(promise.clone()));
                promise
            }
        };
        let result = wasm_bindgen_futures::JsFuture::from(promise.clone()).await;
        result.map_err(|error| {
            forget(&promise);
            describe(&error)
        })
    }

    /// Forgets the load that ended in `failed`, so that the next one starts afresh: a rejected
    /// promise stays rejected, so both the app's promise and the start script's global go, and
    /// the next [`start`] adds the start script again.
    fn forget(failed: &js_sys::Promise) {
        let current = LOADING.with(|l| {
            let mut loading = l.borrow_mut();
            let same = loading
                .as_ref()
                .is_some_and(|p| js_sys::Object::is(p.as_ref(), failed.as_ref()));
            if same { loading.take() } else { None }
        });
        if current.is_some()
            && let Some(window) = web_sys::window()
        {
            let _ = js_sys::Reflect::delete_property(&window, &GLOBAL.into());
        }
    }

    /// The address of the start script for the next attempt. A module runs once per address for
    /// the life of the page: the same `pages-start.js` added again would not run again, and some
    /// browsers also keep a failed import under its address. So every attempt after the first
    /// asks for `pages-start.js?attempt=N`, which loads the pages' WebAssembly again
    /// (`static/pages-start.js`).
    fn start_script() -> String {
        let attempt = ATTEMPTS.with(|a| {
            let n = a.get();
            a.set(n + 1);
            n
        });
        match attempt {
            0 => START_SCRIPT.to_string(),
            n => format!("{START_SCRIPT}?attempt={n}"),
        }
    }

    /// A promise of the exports: the global the single-file build sets, or the start script's.
    fn start() -> Result<js_sys::Promise, PagesError> {
        let window = web_sys::window().ok_or(PagesError::NoPage("window"))?;
        let existing = js_sys::Reflect::get(&window, &GLOBAL.into()).unwrap_or_default();
        if existing.is_object() {
            return Ok(js_sys::Promise::resolve(&existing));
        }
        let document = window.document().ok_or(PagesError::NoPage("document"))?;
        let script = document
            .create_element("script")
            .map_err(|e| describe(&e))?;
        let _ = script.set_attribute("type", "module");
        // At this build's address (`?v=`, src/app/spawn.rs), which the start script passes on
        // to the pages' WebAssembly.
        let _ = script.set_attribute("src", &crate::app::browser::versioned(&start_script()));
        let mut failure = None;
        let promise = js_sys::Promise::new(&mut |resolve, reject| {
            // Resolving with the start script's promise adopts it: the caller gets the exports.
            let on_load = Closure::once_into_js(move || {
                let exports = web_sys::window()
                    .and_then(|w| js_sys::Reflect::get(&w, &GLOBAL.into()).ok())
                    .unwrap_or_default();
                let _ = resolve.call1(&JsValue::NULL, &exports);
            });
            let on_error = Closure::once_into_js(move || {
                let _ = reject.call1(
                    &JsValue::NULL,
                    &JsValue::from_str("its script could not be loaded"),
                );
            });
            let listen = |name: &str, handler: &JsValue| {
                script.add_event_listener_with_callback(name, handler.unchecked_ref())
            };
            if let Err(e) = listen("load", &on_load).and(listen("error", &on_error)) {
                failure = Some(describe(&e));
            }
        });
        if let Some(message) = failure {
            return Err(message);
        }
        let head = document.head().ok_or(PagesError::NoPage("head element"))?;
        head.append_child(&script).map_err(|e| describe(&e))?;
        Ok(promise)
    }

    fn describe(error: &JsValue) -> PagesError {
        PagesError::Browser(
            error
                .as_string()
                .or_else(|| {
                    error
                        .dyn_ref::<js_sys::Error>()
                        .map(|e| String::from(e.message()))
                })
                .unwrap_or_else(|| format!("{error:?}")),
        )
    }

    /// Calls the bundle's export `name` with `args`.
    fn call(exports: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, PagesError> {
        let function = js_sys::Reflect::get(exports, &name.into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .ok_or_else(|| PagesError::MissingExport(name.to_string()))?;
        let args: js_sys::Array = args.iter().collect();
        function
            .apply(&JsValue::NULL, &args)
            .map_err(|e| describe(&e))
    }

    /// The loaded bundle: its exports.
    #[derive(Clone)]
    pub struct Bundle(JsValue);

    /// The bundle, loading it the first time (again after a failed load), with the views of the
    /// Calculator page's parts it draws installed (`app::components::part_views`).
    pub async fn load() -> Result<Bundle, PagesError> {
        let exports = exports().await?;
        call(&exports, "install_views", &[])?;
        Ok(Bundle(exports))
    }

    impl Bundle {
        /// Mounts the part `key` into the element `host` refers to, with the portfolio `json`
        /// and the part's `data`; the part calls `on_load` with a portfolio's JSON to load it.
        /// `None` when `host` is no element (yet).
        pub fn mount(
            &self,
            host: &yew::NodeRef,
            key: &str,
            json: &str,
            data: &str,
            on_load: impl Fn(String) + 'static,
        ) -> Result<Option<Mounted>, PagesError> {
            let Some(element) = host.cast::<web_sys::Element>() else {
                return Ok(None);
            };
            let on_load = Closure::<dyn Fn(String)>::new(on_load);
            let handler: &JsValue = on_load.as_ref();
            let id = call(
                &self.0,
                "mount",
                &[
                    element.into(),
                    JsValue::from_str(key),
                    JsValue::from_str(json),
                    handler.clone(),
                    JsValue::from_str(data),
                ],
            )?;
            Ok(Some(Mounted {
                exports: self.0.clone(),
                id,
                _on_load: on_load,
            }))
        }

        /// The share link payload of the portfolio `json`, made by the bundle.
        pub fn share_payload(&self, json: &str) -> Result<String, PagesError> {
            let payload = call(&self.0, "share_payload", &[JsValue::from_str(json)])?;
            payload.as_string().ok_or(PagesError::NoFile)
        }

        /// Downloads the chart inside `root` (the bundle's `export_chart`); a failure after the
        /// call (the PNG is drawn asynchronously) goes to `report`.
        pub fn export_chart(
            &self,
            root: &web_sys::Element,
            name: &str,
            png: bool,
            report: yew::Callback<String>,
        ) -> Result<(), PagesError> {
            let report = Closure::<dyn Fn(String)>::new(move |m: String| report.emit(m));
            call(
                &self.0,
                "export_chart",
                &[
                    root.into(),
                    JsValue::from_str(name),
                    JsValue::from_bool(png),
                    report.into_js_value(),
                ],
            )
            .map(|_| ())
        }

        /// The name and bytes of the results file of kind number `kind` (the position in
        /// [`crate::analysis::export::ResultsKind::ALL`]) for the portfolio `json` on `date`
        /// (empty: today's rules), written by the bundle.
        pub fn results_file(
            &self,
            json: &str,
            date: &str,
            kind: u32,
        ) -> Result<(String, Vec<u8>), PagesError> {
            let file = call(
                &self.0,
                "results_file",
                &[
                    JsValue::from_str(json),
                    JsValue::from_str(date),
                    JsValue::from(kind),
                ],
            )?;
            let field = |name: &str| js_sys::Reflect::get(&file, &name.into()).unwrap_or_default();
            let bytes = field("bytes")
                .dyn_into::<js_sys::Uint8Array>()
                .map_err(|_| PagesError::NoFile)?;
            Ok((
                field("name").as_string().unwrap_or_default(),
                bytes.to_vec(),
            ))
        }
    }

    /// A part mounted by the bundle ([`Bundle::mount`]).
    pub struct Mounted {
        exports: JsValue,
        id: JsValue,
        // Kept alive while the part may call it.
        _on_load: Closure<dyn Fn(String)>,
    }

    impl Mounted {
        /// Draws the part again as `key`, with the portfolio `json` and the part's `data`.
        pub fn update(&self, key: &str, json: &str, data: &str) -> Result<(), PagesError> {
            call(
                &self.exports,
                "update",
                &[
                    self.id.clone(),
                    JsValue::from_str(key),
                    JsValue::from_str(json),
                    JsValue::from_str(data),
                ],
            )
            .map(|_| ())
        }

        /// Takes the part out of its host element.
        pub fn unmount(self) {
            let _ = call(&self.exports, "unmount", std::slice::from_ref(&self.id));
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use super::PagesError;

    /// Whether results files are written in place rather than by the bundle: natively, yes.
    pub const WRITES_IN_PLACE: bool = true;

    /// No bundle natively ([`load`] has none to give).
    #[derive(Clone)]
    pub struct Bundle(());

    /// No browser natively, no bundle.
    pub async fn load() -> Result<Bundle, PagesError> {
        Err(PagesError::NoBrowser)
    }

    impl Bundle {
        /// Nothing to mount natively.
        pub fn mount(
            &self,
            _host: &yew::NodeRef,
            _key: &str,
            _json: &str,
            _data: &str,
            _on_load: impl Fn(String) + 'static,
        ) -> Result<Option<Mounted>, PagesError> {
            Ok(None)
        }

        /// No bundle natively to make the link.
        pub fn share_payload(&self, _json: &str) -> Result<String, PagesError> {
            Err(PagesError::NoBrowser)
        }

        /// No bundle natively to export a chart.
        pub fn export_chart(
            &self,
            _root: &web_sys::Element,
            _name: &str,
            _png: bool,
            _report: yew::Callback<String>,
        ) -> Result<(), PagesError> {
            Err(PagesError::NoBrowser)
        }

        /// No bundle natively to write the file.
        pub fn results_file(
            &self,
            _json: &str,
            _date: &str,
            _kind: u32,
        ) -> Result<(String, Vec<u8>), PagesError> {
            Err(PagesError::NoBrowser)
        }
    }

    /// No part is mounted natively.
    pub struct Mounted(());

    impl Mounted {
        /// Nothing to draw natively.
        pub fn update(&self, _key: &str, _json: &str, _data: &str) -> Result<(), PagesError> {
            Ok(())
        }

        /// Nothing to take out natively.
        pub fn unmount(self) {}
    }
}
