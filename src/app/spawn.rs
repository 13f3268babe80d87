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
//! ([`crate::app::browser::versioned`]: `sim-worker.js?v=…`), which the post-build hook writes
//! into the page (`<meta name="chokepoint-build">`, [`BUILD_META`]) and into `sw.js`. The service
//! worker answers only its own build's version, so a page of an older build never starts the
//! workers of a newer one (`static/sw.template.js`).
//!
//! This module makes the addresses and the first script, without the browser; the browser's
//! side, reading the version, making the `blob:` and starting the worker, is
//! [`crate::app::browser`] and [`crate::app::browser::worker`].

/// The name of the meta element that carries the build's version (written by
/// `scripts/build/postbuild.mjs`).
pub const BUILD_META: &str = "chokepoint-build";

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

/// The worker's first script: imports the worker's start script by its absolute address (a
/// `blob:` script has no base to resolve a relative one against).
///
/// A start script or bundle that does not load, or a WebAssembly that does not start, only
/// rejects the import's promise, which a worker keeps to itself; [`START_FAILED`] throws it
/// again, uncaught, so the page receives it as the worker's `error` event, with the failed
/// address in its message ([`crate::app::browser::worker`]).
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
