//! The Web Worker side of the simulation: receives a [`SimRequest`], runs it with
//! [`simulation::run`], posts progress and the summary back. Browser only.

use crate::app::simulation::{self, SimMessage, SimRequest};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn post(scope: &DedicatedWorkerGlobalScope, message: &SimMessage) {
    if let Ok(value) = serde_wasm_bindgen::to_value(message) {
        let _ = scope.post_message(&value);
    }
}

/// Starts listening for requests and tells the page the worker is ready.
pub fn start() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replies = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let request: SimRequest = match serde_wasm_bindgen::from_value(event.data()) {
            Ok(request) => request,
            Err(error) => {
                let message = format!("unreadable request: {error}");
                post(&replies, &SimMessage::Failed { id: 0, message });
                return;
            }
        };
        let id = request.id;
        let reference = crate::reference::embedded();
        let started = js_sys::Date::now();
        let result = simulation::run(&request, reference, |done, total| {
            post(&replies, &SimMessage::Progress { id, done, total });
        });
        let reply = match result {
            Ok(summary) => SimMessage::Done {
                id,
                summary: Box::new(summary),
                elapsed_ms: js_sys::Date::now() - started,
            },
            Err(error) => SimMessage::Failed {
                id,
                message: error.to_string(),
            },
        };
        post(&replies, &reply);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&scope, &SimMessage::Ready);
}
