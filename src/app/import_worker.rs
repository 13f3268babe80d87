//! The Web Worker side of the import: reads the files the page passes (with `FileReaderSync`,
//! which workers have), parses them with [`import_job`](crate::app::import_job), and posts
//! progress and results back. Browser only.

use crate::app::import_job::{self, ImportMessage, PASTED};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn post(scope: &DedicatedWorkerGlobalScope, message: &ImportMessage) {
    if let Ok(value) = serde_wasm_bindgen::to_value(message) {
        let _ = scope.post_message(&value);
    }
}

fn field(object: &wasm_bindgen::JsValue, name: &str) -> wasm_bindgen::JsValue {
    js_sys::Reflect::get(object, &name.into()).unwrap_or(wasm_bindgen::JsValue::UNDEFINED)
}

fn read(file: &web_sys::File) -> import_job::FileOutcome {
    if let Some(refused) = import_job::refuse_unread(file.size()) {
        return refused;
    }
    let bytes = web_sys::FileReaderSync::new()
        .and_then(|reader| reader.read_as_array_buffer(file))
        .map(|buffer| js_sys::Uint8Array::new(&buffer).to_vec());
    match bytes {
        Ok(bytes) => import_job::read_bytes(&file.name(), &bytes),
        Err(error) => import_job::FileOutcome::Failed {
            message: format!("the browser could not read the file: {error:?}"),
        },
    }
}

/// Starts listening for requests and tells the page the worker is ready.
pub fn start() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replies = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        let started = js_sys::Date::now();
        let id = field(&data, "id").as_f64().unwrap_or(0.0) as u32;
        let files: Vec<web_sys::File> = js_sys::Array::from(&field(&data, "files"))
            .iter()
            .filter_map(|f| f.dyn_into::<web_sys::File>().ok())
            .collect();
        let paste = field(&data, "paste").as_string();
        let total = files.len() + usize::from(paste.is_some());
        let inputs = files
            .into_iter()
            .map(Ok)
            .chain(paste.into_iter().map(Err))
            .enumerate();
        for (done, input) in inputs {
            let name = match &input {
                Ok(file) => file.name(),
                Err(_) => PASTED.to_string(),
            };
            let file = name.clone();
            post(
                &replies,
                &ImportMessage::Progress {
                    id,
                    done,
                    total,
                    file,
                },
            );
            let outcome = match input {
                Ok(file) => read(&file),
                Err(text) => import_job::read_pasted(&text),
            };
            post(&replies, &ImportMessage::File { id, name, outcome });
        }
        let elapsed_ms = js_sys::Date::now() - started;
        post(&replies, &ImportMessage::Done { id, elapsed_ms });
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&scope, &ImportMessage::Ready);
}
