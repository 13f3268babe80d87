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
//!
//! Every bundle the page loads lazily is asked for at an address that carries the build's version
//! ([`versioned`]: `sim-worker.js?v=…`), which the post-build hook writes into the page (`<meta
//! name="chokepoint-build">`) and into `sw.js`. The service worker answers only its own build's
//! version, so a page of an older build never starts the workers of a newer one
//! (`static/sw.template.js`).

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
            &absolute(versioned(&format!("./{bundle}.js")))?,
            &absolute(versioned(&format!("./{bundle}_bg.wasm")))?,
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

/// The name of the meta element that carries the build's version (written by
/// `scripts/build/postbuild.mjs`).
pub const BUILD_META: &str = "chokepoint-build";

/// `path` at the address of this build: with `?v=` and the version of the page's
/// [`BUILD_META`] element, when it has one (a release build; not the single-file build, which
/// loads nothing by address, nor a development server).
pub fn versioned(path: &str) -> String {
    with_version(path, build_version().as_deref())
}

/// `path` with `?v=version` (or `&v=` when it already has a query); unchanged without a version.
pub fn with_version(path: &str, version: Option<&str>) -> String {
    match version.filter(|v| !v.is_empty()) {
        Some(v) => {
            let separator = if path.contains('?') { '&' } else { '?' };
            let v: String = v
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            format!("{path}{separator}v={v}")
        }
        None => path.to_string(),
    }
}

#[cfg(target_arch = "wasm32")]
fn build_version() -> Option<String> {
    web_sys::window()?
        .document()?
        .query_selector(&format!("meta[name=\"{BUILD_META}\"]"))
        .ok()??
        .get_attribute("content")
}

#[cfg(not(target_arch = "wasm32"))]
fn build_version() -> Option<String> {
    None
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
    fn bundle_addresses_carry_the_build_version() {
        use super::with_version;
        assert_eq!(
            with_version("./sim-worker.js", Some("0123abcd")),
            "./sim-worker.js?v=0123abcd"
        );
        assert_eq!(with_version("./a.js?x=1", Some("9")), "./a.js?x=1&v=9");
        assert_eq!(with_version("./a.js", None), "./a.js");
        assert_eq!(with_version("./a.js", Some("")), "./a.js");
        // Only the characters of a version: nothing can break out of the address.
        assert_eq!(with_version("./a.js", Some("1\"#&x")), "./a.js?v=1x");
    }

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
