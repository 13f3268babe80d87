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

/// Starts the worker `bundle` (`sim-worker` or `import-worker`): a module worker whose start
/// script, `{bundle}.js` beside the page (`static/`), runs the pages bundle's WebAssembly
/// ([`crate::app::pages`]), so that the pages and both workers are one download.
/// The single-file build's workers are classic scripts: a page opened from disk has no origin,
/// and Chromium does not start a module worker from its `blob:` addresses.
#[cfg(target_arch = "wasm32")]
pub fn worker(bundle: &str) -> Result<web_sys::Worker, String> {
    let (url, inlined) = loader_url(bundle)?;
    let options = web_sys::WorkerOptions::new();
    if !inlined {
        options.set_type(web_sys::WorkerType::Module);
    }
    web_sys::Worker::new_with_options(&url, &options).map_err(|e| format!("{e:?}"))
}

#[cfg(target_arch = "wasm32")]
/// The `blob:` address of the worker's first script, and whether it is the single-file build's
/// inlined script.
fn loader_url(bundle: &str) -> Result<(String, bool), String> {
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
        let base = base.as_deref().ok_or("the page has no address")?;
        web_sys::Url::new_with_base(&file, base)
            .map(|u| u.href())
            .map_err(|e| format!("{e:?}"))
    };
    // The single-file build (scripts/build/single-file.mjs) carries each worker's whole module,
    // the pages bundle's WebAssembly included, in `window.chokepointWorkerSources`: a page opened
    // from disk can load nothing by address.
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
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|e| format!("{e:?}"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    let loader = (url, is_inlined);
    LOADERS.with(|l| l.borrow_mut().insert(bundle.to_string(), loader.clone()));
    Ok(loader)
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

/// The worker's first script: imports the worker's start script by its absolute address (a
/// `blob:` script has no base to resolve a relative one against).
///
/// A start script or bundle that does not load, or a WebAssembly that does not start, only
/// rejects the import's promise, which a worker keeps to itself; [`START_FAILED`] throws it
/// again, uncaught, so the page receives it as the worker's `error` event, with the failed
/// address in its message ([`crate::app::worker_handle`]).
pub fn loader_script(script_url: &str) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    format!("import({}){START_FAILED};", quote(script_url))
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
            super::loader_script("http://127.0.0.1:8080/a\"b.js?v=1"),
            r#"import("http://127.0.0.1:8080/a\"b.js?v=1").catch(function(e){setTimeout(function(){throw e;});});"#
        );
    }
}
