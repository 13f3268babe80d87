//! Starting and stopping a Web Worker bundle from a page (the simulation and the import use it).
//! Browser only in effect: natively, [`Handle`] holds nothing and the callers report that the
//! job runs in the browser.

#[cfg(target_arch = "wasm32")]
use serde::de::DeserializeOwned;
#[cfg(target_arch = "wasm32")]
use yew::Callback;

/// A running worker; stopping or dropping it (leaving the page) detaches its listener first, so
/// no message reaches a dropped closure, then terminates the worker.
#[derive(Default)]
pub struct Handle {
    #[cfg(target_arch = "wasm32")]
    worker: Option<web_sys::Worker>,
    #[cfg(target_arch = "wasm32")]
    _on_message: Option<wasm_bindgen::closure::Closure<dyn Fn(web_sys::MessageEvent)>>,
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
            worker.set_onmessage(None);
            worker.terminate();
        }
    }
}

/// Starts the worker bundle `bundle` (`sim-worker`, through [`crate::app::spawn::worker`]), posts `request`
/// once the worker's first message satisfies `is_ready`, and forwards every other message to
/// `on_message`. A worker that cannot start, or a message that cannot be read, is reported
/// through `failed`.
#[cfg(target_arch = "wasm32")]
pub fn start<M: DeserializeOwned + 'static>(
    bundle: &str,
    request: wasm_bindgen::JsValue,
    is_ready: fn(&M) -> bool,
    on_message: Callback<M>,
    failed: impl Fn(String) -> M + 'static,
) -> Handle {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let worker = match crate::app::spawn::worker(bundle) {
        Ok(worker) => worker,
        Err(error) => {
            on_message.emit(failed(format!("the worker could not start: {error}")));
            return Handle::default();
        }
    };
    let sender = worker.clone();
    let closure =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            match serde_wasm_bindgen::from_value::<M>(event.data()) {
                Ok(message) if is_ready(&message) => {
                    let _ = sender.post_message(&request);
                }
                Ok(message) => on_message.emit(message),
                Err(error) => on_message.emit(failed(format!(
                    "unreadable message from the worker: {error}"
                ))),
            }
        });
    worker.set_onmessage(Some(closure.as_ref().unchecked_ref()));
    Handle {
        worker: Some(worker),
        _on_message: Some(closure),
    }
}
