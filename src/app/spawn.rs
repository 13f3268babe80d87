//! Starting the lazily loaded worker bundles (the simulation worker, and the import and export
//! workers) so that nothing reaches the network after the page has loaded.
//!
//! A worker started from its script's URL is what the Service Worker specification calls a
//! non-subresource request: after it, the browser re-fetches `sw.js` from the server to look
//! for a newer version, a request after the load that the privacy test rightly refuses. A worker
//! started from a small `blob:` script that imports the bundle is a subresource of the page: its
//! script and WebAssembly are answered by the offline copy and the browser sends nothing.
//! The Content-Security-Policy allows `blob:` workers (`worker-src 'self' blob:`); a blob can
//! only be made by code already running in the page, and the worker inherits the page's policy.

/// Starts the worker bundle `bundle` (Trunk's `data-type="worker"` output: `{bundle}.js` and
/// `{bundle}_bg.wasm` beside the page).
#[cfg(target_arch = "wasm32")]
pub fn worker(bundle: &str) -> Result<web_sys::Worker, String> {
    let url = loader_url(bundle)?;
    web_sys::Worker::new(&url).map_err(|e| format!("{e:?}"))
}

#[cfg(target_arch = "wasm32")]
fn loader_url(bundle: &str) -> Result<String, String> {
    use std::cell::RefCell;
    use std::collections::BTreeMap;
    thread_local! {
        static LOADERS: RefCell<BTreeMap<String, String>> = const { RefCell::new(BTreeMap::new()) };
    }
    if let Some(url) = LOADERS.with(|l| l.borrow().get(bundle).cloned()) {
        return Ok(url);
    }
    let base = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten());
    let absolute = |file: String| {
        let base = base.as_deref().ok_or("the page has no address")?;
        web_sys::Url::new_with_base(&file, base)
            .map(|u| u.href())
            .map_err(|e| format!("{e:?}"))
    };
    // The single-file build (scripts/build/single-file.mjs) carries each worker's whole script,
    // its WebAssembly included, in `window.chokepointWorkerSources`: a page opened from disk can
    // load nothing by address.
    let inlined = js_sys::Reflect::get(&js_sys::global(), &"chokepointWorkerSources".into())
        .ok()
        .filter(|sources| sources.is_object())
        .and_then(|sources| js_sys::Reflect::get(&sources, &bundle.into()).ok())
        .and_then(|source| source.as_string());
    let script = match inlined {
        Some(source) => source,
        None => loader_script(
            &absolute(format!("./{bundle}.js"))?,
            &absolute(format!("./{bundle}_bg.wasm"))?,
        ),
    };
    let parts = js_sys::Array::of1(&script.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|e| format!("{e:?}"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    LOADERS.with(|l| l.borrow_mut().insert(bundle.to_string(), url.clone()));
    Ok(url)
}

/// The worker's first script: imports the bundle's glue and starts its WebAssembly, both by
/// absolute address (a `blob:` script has no base to resolve a relative one against).
///
/// A glue that does not load throws out of `importScripts`: an uncaught error, which the page
/// receives as the worker's `error` event. A WebAssembly that does not load or start only rejects
/// a promise, which a worker keeps to itself; [`START_FAILED`] throws it again, uncaught, so the
/// page hears of that too ([`crate::app::worker_handle`]).
pub fn loader_script(script_url: &str, wasm_url: &str) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    format!(
        "importScripts({});wasm_bindgen({{module_or_path:{}}}){START_FAILED};",
        quote(script_url),
        quote(wasm_url)
    )
}

/// Appended to the promise of a worker's start: rethrows its failure outside the promise, as an
/// uncaught error (`scripts/build/single-file.mjs` appends the same to its inlined workers).
pub const START_FAILED: &str = ".catch(function(e){setTimeout(function(){throw e;});})";

#[cfg(test)]
mod tests {
    #[test]
    fn the_loader_quotes_its_addresses() {
        assert_eq!(
            super::loader_script(
                "http://127.0.0.1:8080/a\"b.js",
                "http://127.0.0.1:8080/x.wasm"
            ),
            r#"importScripts("http://127.0.0.1:8080/a\"b.js");wasm_bindgen({module_or_path:"http://127.0.0.1:8080/x.wasm"}).catch(function(e){setTimeout(function(){throw e;});});"#
        );
    }
}
