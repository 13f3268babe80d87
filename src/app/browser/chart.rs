//! Exporting a chart (the SVG component [`crate::app::components::chart_export`] wraps) as a
//! file, with the browser's body and a native stand-in, which exports nothing.
//!
//! The SVG is the chart's own element, serialised, with the colours and fonts the stylesheet
//! gives it written onto each element as presentation attributes (the file has no stylesheet).
//! The PNG is that SVG drawn on a canvas at twice its on-screen size. No library, no request.

use super::DownloadError;

pub use imp::*;

/// Why a chart was not exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportError {
    /// A step failed: finding the chart, serialising or drawing it.
    Step(&'static str),
    /// The download did not start.
    Download(DownloadError),
    /// There is no browser (native builds).
    NoBrowser,
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportError::Step(what) => write!(f, "The chart could not be exported ({what})."),
            ExportError::Download(error) => write!(f, "{error}"),
            ExportError::NoBrowser => f.write_str("Charts can only be downloaded in a browser."),
        }
    }
}

impl std::error::Error for ExportError {}

#[cfg(target_arch = "wasm32")]
mod imp {
    use super::ExportError;
    use yew::Callback;

    /// The style properties copied onto each element of the exported SVG.
    const STYLE_PROPERTIES: [&str; 11] = [
        "fill",
        "fill-opacity",
        "stroke",
        "stroke-width",
        "stroke-dasharray",
        "opacity",
        "font-family",
        "font-size",
        "font-weight",
        "text-anchor",
        "dominant-baseline",
    ];

    /// Exports the chart inside `root` as `chokepoint-{name}.svg` or `.png`; a failure after the
    /// PNG is drawn (asynchronously) is reported through `report`. Run by the pages' part of the
    /// app (`crate::app::lazy::export_chart`).
    pub fn export(
        root: &web_sys::Element,
        name: &str,
        png: bool,
        report: Callback<String>,
    ) -> Result<(), ExportError> {
        let fail = ExportError::Step;
        let svg = root
            .query_selector("svg")
            .ok()
            .flatten()
            .ok_or_else(|| fail("no chart"))?;
        let (width, height) = (
            f64::from(svg.client_width().max(1)),
            f64::from(svg.client_height().max(1)),
        );
        let text = standalone_svg(&svg, width, height).map_err(|_| fail("serialising"))?;
        let file = format!("chokepoint-{name}");
        if png {
            draw_png(&text, width, height, format!("{file}.png"), report.clone())
                .map_err(|_| fail("drawing"))
        } else {
            crate::app::browser::download(&format!("{file}.svg"), "image/svg+xml", text.as_bytes())
                .map_err(ExportError::Download)
        }
    }

    /// The SVG as a standalone file: namespace, size, and computed styles as attributes.
    fn standalone_svg(
        svg: &web_sys::Element,
        width: f64,
        height: f64,
    ) -> Result<String, wasm_bindgen::JsValue> {
        use wasm_bindgen::JsCast;
        let window = web_sys::window().ok_or("no window")?;
        let copy: web_sys::Element = svg.clone_node_with_deep(true)?.dyn_into()?;
        let originals = svg.query_selector_all("*")?;
        let copies = copy.query_selector_all("*")?;
        let pairs = std::iter::once((svg.clone(), copy.clone())).chain(
            (0..originals.length().min(copies.length())).filter_map(|i| {
                let a = originals.item(i)?.dyn_into::<web_sys::Element>().ok()?;
                let b = copies.item(i)?.dyn_into::<web_sys::Element>().ok()?;
                Some((a, b))
            }),
        );
        for (original, copy) in pairs {
            if let Ok(Some(style)) = window.get_computed_style(&original) {
                for property in STYLE_PROPERTIES {
                    if let Ok(value) = style.get_property_value(property)
                        && !value.is_empty()
                    {
                        copy.set_attribute(property, &value)?;
                    }
                }
            }
        }
        copy.set_attribute("xmlns", "http://www.w3.org/2000/svg")?;
        copy.set_attribute("width", &format!("{width}"))?;
        copy.set_attribute("height", &format!("{height}"))?;
        copy.remove_attribute("class")?;
        web_sys::XmlSerializer::new()?.serialize_to_string(&copy)
    }

    /// Draws the SVG text on a canvas (page background behind it) and downloads it as PNG.
    fn draw_png(
        svg: &str,
        width: f64,
        height: f64,
        file: String,
        report: Callback<String>,
    ) -> Result<(), wasm_bindgen::JsValue> {
        use wasm_bindgen::JsCast;
        const SCALE: f64 = 2.0;
        let window = web_sys::window().ok_or("no window")?;
        let document = window.document().ok_or("no document")?;
        let background = document
            .body()
            .and_then(|b| window.get_computed_style(&b).ok().flatten())
            .and_then(|s| s.get_property_value("background-color").ok())
            .filter(|c| !c.is_empty() && c != "rgba(0, 0, 0, 0)")
            .unwrap_or_else(|| "#ffffff".into());
        let array = js_sys::Uint8Array::from(svg.as_bytes());
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("image/svg+xml");
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(
            &js_sys::Array::of1(&array),
            &options,
        )?;
        let url = web_sys::Url::create_object_url_with_blob(&blob)?;
        let image = web_sys::HtmlImageElement::new()?;
        let loaded = image.clone();
        let source = url.clone();
        let failed = report.clone();
        let on_load = wasm_bindgen::closure::Closure::once_into_js(move || {
            let result = (|| -> Result<(), wasm_bindgen::JsValue> {
                let canvas: web_sys::HtmlCanvasElement =
                    document.create_element("canvas")?.dyn_into()?;
                canvas.set_width((width * SCALE).round() as u32);
                canvas.set_height((height * SCALE).round() as u32);
                let context: web_sys::CanvasRenderingContext2d = canvas
                    .get_context("2d")?
                    .ok_or("no 2d context")?
                    .dyn_into()?;
                context.set_fill_style_str(&background);
                context.fill_rect(0.0, 0.0, width * SCALE, height * SCALE);
                context.draw_image_with_html_image_element_and_dw_and_dh(
                    &loaded,
                    0.0,
                    0.0,
                    width * SCALE,
                    height * SCALE,
                )?;
                // A blob (same-origin `blob:` URL) rather than a data URL, so that the download is
                // no request to another origin.
                let on_blob = wasm_bindgen::closure::Closure::once_into_js(
                    move |blob: Option<web_sys::Blob>| {
                        let saved = blob
                            .ok_or(wasm_bindgen::JsValue::NULL)
                            .and_then(|blob| crate::app::browser::download_blob(&file, &blob));
                        if saved.is_err() {
                            report.emit("The chart could not be saved as PNG.".into());
                        }
                    },
                );
                canvas.to_blob(on_blob.unchecked_ref())
            })();
            let _ = web_sys::Url::revoke_object_url(&source);
            if result.is_err() {
                failed.emit("The chart could not be drawn as PNG.".into());
            }
        });
        image.set_onload(Some(on_load.unchecked_ref()));
        image.set_src(&url);
        Ok(())
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use super::ExportError;
    use yew::Callback;

    /// No charts to export natively.
    pub fn export(
        _root: &web_sys::Element,
        _name: &str,
        _png: bool,
        _report: Callback<String>,
    ) -> Result<(), ExportError> {
        Err(ExportError::NoBrowser)
    }
}

#[cfg(test)]
mod tests {
    use super::ExportError;

    #[test]
    fn the_page_says_why_a_chart_was_not_exported() {
        assert_eq!(
            ExportError::NoBrowser.to_string(),
            "Charts can only be downloaded in a browser."
        );
        assert_eq!(
            ExportError::Step("no chart").to_string(),
            "The chart could not be exported (no chart)."
        );
    }
}
