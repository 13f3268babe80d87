//! Starting and stopping a Web Worker bundle from a page (the simulation and the import use it),
//! with the browser's body and a native stand-in, where there are no workers: natively
//! [`start`] answers [`NoWorkers`] and the callers report that the job runs in the browser.
//!
//! A worker can fail in ways that send no message: its bundle does not load (a failed request,
//! a broken file), its WebAssembly does not start, or it traps (a panic or running out of memory
//! aborts the module). The first two end the loader with an error
//! ([`crate::app::spawn::loader_script`] makes a failed start an uncaught error), the last
//! throws out of the worker's message handler: each reaches the page as an `error` event on the
//! worker. A message that cannot be cloned across arrives as `messageerror`. [`start`] listens
//! for both and reports them once, as a failure, after terminating the worker; the page shows it
//! with a way to try again in a fresh worker.
//!
//! The worker itself is started from a `blob:` script ([`crate::app::spawn`] says why).

pub use imp::*;

/// Why a worker bundle could not be started ([`crate::app::spawn`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpawnError {
    /// The page has no address to resolve the bundle's start script against.
    NoAddress,
    /// The browser refused a step (making the address, the script or the worker), as it said.
    Browser(String),
}

impl std::fmt::Display for SpawnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpawnError::NoAddress => f.write_str("the page has no address"),
            SpawnError::Browser(said) => f.write_str(said),
        }
    }
}

impl std::error::Error for SpawnError {}

/// There are no workers natively (the answer of the native [`start`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoWorkers;

impl std::fmt::Display for NoWorkers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("workers need a browser")
    }
}

impl std::error::Error for NoWorkers {}

#[cfg(target_arch = "wasm32")]
mod imp {
    use super::{NoWorkers, SpawnError};
    use serde::de::DeserializeOwned;
    use yew::Callback;

    /// A running worker; stopping or dropping it (leaving the page) detaches its listeners
    /// first, so no message reaches a dropped closure, then terminates the worker.
    #[derive(Default)]
    pub struct Handle {
        worker: Option<web_sys::Worker>,
        _on_message: Option<wasm_bindgen::closure::Closure<dyn Fn(web_sys::MessageEvent)>>,
        _on_error: Option<wasm_bindgen::closure::Closure<dyn Fn(web_sys::Event)>>,
    }

    impl Handle {
        /// Terminates the worker.
        pub fn stop(self) {
            drop(self);
        }
    }

    impl Drop for Handle {
        fn drop(&mut self) {
            if let Some(worker) = &self.worker {
                detach(worker);
            }
        }
    }

    /// Removes the page's listeners from `worker` and terminates it.
    fn detach(worker: &web_sys::Worker) {
        worker.set_onmessage(None);
        worker.set_onerror(None);
        worker.set_onmessageerror(None);
        worker.terminate();
    }

    /// What a worker's `error` or `messageerror` event says, for the failure message.
    fn describe(event: &web_sys::Event) -> String {
        if event.type_() == "messageerror" {
            return "a message from the worker could not be read".into();
        }
        // An ErrorEvent carries the uncaught error's text; a plain `error` event (the worker's
        // own script not loading) carries none.
        let message = js_sys::Reflect::get(event, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .filter(|m| !m.trim().is_empty());
        match message {
            Some(message) => format!("the worker stopped: {message}"),
            None => "the worker could not be loaded".into(),
        }
    }

    /// Starts the worker bundle `bundle` (`sim-worker`, through [`worker`]), posts the value
    /// `request` makes once the worker's first message satisfies `is_ready`, and forwards every
    /// other message to `on_message`. A worker that cannot start, fails to load, crashes, or
    /// sends a message that cannot be read is terminated and reported once through `failed`.
    /// Always `Ok` in the browser.
    pub fn start<M: DeserializeOwned + 'static>(
        bundle: &str,
        request: impl FnOnce() -> wasm_bindgen::JsValue,
        is_ready: fn(&M) -> bool,
        on_message: Callback<M>,
        failed: impl Fn(String) -> M + 'static,
    ) -> Result<Handle, NoWorkers> {
        use std::rc::Rc;
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;
        let worker = match worker(bundle) {
            Ok(worker) => worker,
            Err(error) => {
                on_message.emit(failed(format!("the worker could not start: {error}")));
                return Ok(Handle::default());
            }
        };
        let request = request();
        let failed = Rc::new(failed);
        let sender = worker.clone();
        let on_reply = {
            let (on_message, failed) = (on_message.clone(), failed.clone());
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                match serde_wasm_bindgen::from_value::<M>(event.data()) {
                    Ok(message) if is_ready(&message) => {
                        let _ = sender.post_message(&request);
                    }
                    Ok(message) => on_message.emit(message),
                    Err(error) => {
                        detach(&sender);
                        on_message.emit(failed(format!(
                            "unreadable message from the worker: {error}"
                        )));
                    }
                }
            })
        };
        let stopped = worker.clone();
        let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
            // Handled here: not reported again as an uncaught error of the page.
            event.prevent_default();
            // Detaching first makes this the worker's last word: no second report, no late
            // message.
            detach(&stopped);
            on_message.emit(failed(describe(&event)));
        });
        worker.set_onmessage(Some(on_reply.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        worker.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Handle {
            worker: Some(worker),
            _on_message: Some(on_reply),
            _on_error: Some(on_error),
        })
    }

    /// `value` as a message for a worker (`undefined` if it cannot be one).
    pub fn message(value: &impl serde::Serialize) -> wasm_bindgen::JsValue {
        serde_wasm_bindgen::to_value(value).unwrap_or_default()
    }

    /// Starts the worker `bundle` (`sim-worker` or `import-worker`): a module worker whose start
    /// script, `{bundle}.js` beside the page (`static/`), runs the app's module with its pages'
    /// part ([`crate::app::pages`]), so that the pages and both workers are one download.
    /// The single-file build's workers are classic scripts: a page opened from disk has no
    /// origin, and Chromium does not start a module worker from its `blob:` addresses.
    pub fn worker(bundle: &str) -> Result<web_sys::Worker, SpawnError> {
        let (url, inlined) = loader_url(bundle)?;
        let options = web_sys::WorkerOptions::new();
        if !inlined {
            options.set_type(web_sys::WorkerType::Module);
        }
        web_sys::Worker::new_with_options(&url, &options).map_err(said)
    }

    /// The browser's words for a failed step.
    fn said(error: wasm_bindgen::JsValue) -> SpawnError {
        SpawnError::Browser(format!("{error:?}"))
    }

    /// The `blob:` address of the worker's first script, and whether it is the single-file
    /// build's inlined script.
    fn loader_url(bundle: &str) -> Result<(String, bool), SpawnError> {
        use crate::app::browser::versioned;
        use crate::app::spawn::loader_script;
        use std::cell::RefCell;
        use std::collections::BTreeMap;
        thread_local! {
            static LOADERS: RefCell<BTreeMap<String, (String, bool)>> = const { RefCell::new(BTreeMap::new()) };
        }
        if let Some(loader) = LOADERS.with(|l| l.borrow().get(bundle).cloned()) {
            return Ok(loader);
        }
        let base = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.base_uri().ok().flatten());
        let absolute = |file: String| {
            let base = base.as_deref().ok_or(SpawnError::NoAddress)?;
            web_sys::Url::new_with_base(&file, base)
                .map(|u| u.href())
                .map_err(said)
        };
        // The single-file build (scripts/build/single-file.mjs) carries each worker's script
        // (the app's module and its pages' part inline) in `window.chokepointWorkerSources`: a
        // page opened from disk can load nothing by address.
        let inlined = js_sys::Reflect::get(&js_sys::global(), &"chokepointWorkerSources".into())
            .ok()
            .filter(|sources| sources.is_object())
            .and_then(|sources| js_sys::Reflect::get(&sources, &bundle.into()).ok())
            .and_then(|source| source.as_string());
        let is_inlined = inlined.is_some();
        let script = match inlined {
            Some(source) => source,
            None => loader_script(&absolute(versioned(&format!("./{bundle}.js")))?),
        };
        let parts = js_sys::Array::of1(&script.into());
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob =
            web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(said)?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(said)?;
        let loader = (url, is_inlined);
        LOADERS.with(|l| l.borrow_mut().insert(bundle.to_string(), loader.clone()));
        Ok(loader)
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use super::NoWorkers;
    use yew::Callback;

    /// Holds nothing: there are no workers natively (private, so that it is made as the
    /// browser's is, by `Handle::default()`).
    #[derive(Default)]
    pub struct Handle(());

    impl Handle {
        /// Nothing to terminate natively.
        pub fn stop(self) {}
    }

    /// No workers natively: nothing is started or called, and the caller says where the job
    /// runs.
    pub fn start<M: 'static>(
        _bundle: &str,
        _request: impl FnOnce() -> wasm_bindgen::JsValue,
        _is_ready: fn(&M) -> bool,
        _on_message: Callback<M>,
        _failed: impl Fn(String) -> M + 'static,
    ) -> Result<Handle, NoWorkers> {
        Err(NoWorkers)
    }

    /// No workers natively, nothing to post: `undefined`.
    pub fn message(_value: &impl serde::Serialize) -> wasm_bindgen::JsValue {
        wasm_bindgen::JsValue::UNDEFINED
    }
}

#[cfg(test)]
mod tests {
    use super::SpawnError;

    #[test]
    fn spawn_errors_read_as_before() {
        // The texts the page shows after "the worker could not start: ".
        assert_eq!(SpawnError::NoAddress.to_string(), "the page has no address");
        assert_eq!(
            SpawnError::Browser("JsValue(TypeError)".into()).to_string(),
            "JsValue(TypeError)"
        );
    }
}
