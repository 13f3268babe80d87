//! Starting and stopping a Web Worker bundle from a page (the simulation and the import use it).
//! Browser only in effect: natively, [`Handle`] holds nothing and the callers report that the
//! job runs in the browser.
//!
//! A worker can fail in ways that send no message: its bundle does not load (a failed request,
//! a broken file), its WebAssembly does not start, or it traps (a panic or running out of memory
//! aborts the module). The first two end the loader with an error (`spawn::loader_script` makes
//! a failed start an uncaught error), the last throws out of the worker's message handler: each
//! reaches the page as an `error` event on the worker. A message that cannot be cloned across
//! arrives as `messageerror`. `start` listens for both and reports them once, as a failure,
//! after terminating the worker; the page shows it with a way to try again in a fresh worker.

#[cfg(target_arch = "wasm32")]
use serde::de::DeserializeOwned;
#[cfg(target_arch = "wasm32")]
use yew::Callback;

/// A running worker; stopping or dropping it (leaving the page) detaches its listeners first,
/// so no message reaches a dropped closure, then terminates the worker.
#[derive(Default)]
pub struct Handle {
    #[cfg(target_arch = "wasm32")]
    worker: Option<web_sys::Worker>,
    #[cfg(target_arch = "wasm32")]
    _on_message: Option<wasm_bindgen::closure::Closure<dyn Fn(web_sys::MessageEvent)>>,
    #[cfg(target_arch = "wasm32")]
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
        #[cfg(target_arch = "wasm32")]
        if let Some(worker) = &self.worker {
            detach(worker);
        }
    }
}

/// Removes the page's listeners from `worker` and terminates it.
#[cfg(target_arch = "wasm32")]
fn detach(worker: &web_sys::Worker) {
    worker.set_onmessage(None);
    worker.set_onerror(None);
    worker.set_onmessageerror(None);
    worker.terminate();
}

/// What a worker's `error` or `messageerror` event says, for the failure message.
#[cfg(target_arch = "wasm32")]
fn describe(event: &web_sys::Event) -> String {
    if event.type_() == "messageerror" {
        return "a message from the worker could not be read".into();
    }
    // An ErrorEvent carries the uncaught error's text; a plain `error` event (the worker's own
    // script not loading) carries none.
    let message = js_sys::Reflect::get(event, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .filter(|m| !m.trim().is_empty());
    match message {
        Some(message) => format!("the worker stopped: {message}"),
        None => "the worker could not be loaded".into(),
    }
}

/// Starts the worker bundle `bundle` (`sim-worker`, through [`crate::app::spawn::worker`]), posts `request`
/// once the worker's first message satisfies `is_ready`, and forwards every other message to
/// `on_message`. A worker that cannot start, fails to load, crashes, or sends a message that
/// cannot be read is terminated and reported once through `failed`.
#[cfg(target_arch = "wasm32")]
pub fn start<M: DeserializeOwned + 'static>(
    bundle: &str,
    request: wasm_bindgen::JsValue,
    is_ready: fn(&M) -> bool,
    on_message: Callback<M>,
    failed: impl Fn(String) -> M + 'static,
) -> Handle {
    use std::rc::Rc;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let worker = match crate::app::spawn::worker(bundle) {
        Ok(worker) => worker,
        Err(error) => {
            on_message.emit(failed(format!("the worker could not start: {error}")));
            return Handle::default();
        }
    };
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
        // Detaching first makes this the worker's last word: no second report, no late message.
        detach(&stopped);
        on_message.emit(failed(describe(&event)));
    });
    worker.set_onmessage(Some(on_reply.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    worker.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));
    Handle {
        worker: Some(worker),
        _on_message: Some(on_reply),
        _on_error: Some(on_error),
    }
}
