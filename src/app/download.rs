//! Downloads made in the browser: a Blob, an object URL and a temporary `<a download>`; nothing
//! is sent anywhere.

/// Why a download did not start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DownloadError {
    /// The browser could not make the file (`blob`) or the link to it (`link`).
    Failed(&'static str),
    /// There is no browser (native builds).
    NoBrowser,
}

impl std::fmt::Display for DownloadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DownloadError::Failed(what) => write!(f, "The download could not start ({what})."),
            DownloadError::NoBrowser => f.write_str("downloads need a browser"),
        }
    }
}

impl std::error::Error for DownloadError {}

/// Offers `bytes` as a file named `name` of media type `mime`.
#[cfg(target_arch = "wasm32")]
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), DownloadError> {
    let fail = DownloadError::Failed;
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|_| fail("blob"))?;
    download_blob(name, &blob).map_err(|_| fail("link"))
}

/// Offers `blob` as a file named `name`.
#[cfg(target_arch = "wasm32")]
pub fn download_blob(name: &str, blob: &web_sys::Blob) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let result = click_link(&url, name);
    // Revoke later: the download reads the blob after the click returns.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000);
    }
    result
}

/// Clicks a temporary `<a href=url download=name>`.
#[cfg(target_arch = "wasm32")]
pub fn click_link(url: &str, name: &str) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("no document"))?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(url);
    link.set_download(name);
    link.set_class_name("visually-hidden");
    let body = document.body().ok_or("no body")?;
    body.append_child(&link)?;
    link.click();
    body.remove_child(&link)?;
    Ok(())
}

/// Native builds (tests) have no browser: nothing to download.
#[cfg(not(target_arch = "wasm32"))]
pub fn download(_name: &str, _mime: &str, _bytes: &[u8]) -> Result<(), DownloadError> {
    Err(DownloadError::NoBrowser)
}

/// A file name from a portfolio name: lower-case letters, digits and dashes, at most 60
/// characters; `fallback` when nothing is left.
pub fn file_stem(name: Option<&str>, fallback: &str) -> String {
    let mut stem = String::new();
    for c in name.unwrap_or_default().chars() {
        if c.is_alphanumeric() {
            stem.extend(c.to_lowercase());
        } else if !stem.ends_with('-') && !stem.is_empty() {
            stem.push('-');
        }
        if stem.chars().count() >= 60 {
            break;
        }
    }
    let stem = stem.trim_matches('-').to_string();
    if stem.is_empty() {
        fallback.to_string()
    } else {
        stem
    }
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn file_stems() {
        assert_eq!(
            file_stem(Some("Demo: EV and traction-motor maker"), "x"),
            "demo-ev-and-traction-motor-maker"
        );
        assert_eq!(file_stem(Some("  ::  "), "portfolio"), "portfolio");
        assert_eq!(file_stem(None, "portfolio"), "portfolio");
    }
}
