//! A wrapper for every chart: the chart, then two buttons that download it as SVG or PNG.
//!
//! The SVG is the chart's own element, serialised, with the colours and fonts the stylesheet gives
//! it written onto each element as presentation attributes (the file has no stylesheet). The PNG
//! is that SVG drawn on a canvas at twice its on-screen size. No library, no request.

use yew::prelude::*;

/// Properties of [`ChartExport`].
#[derive(Properties, PartialEq)]
pub struct ChartExportProps {
    /// A short file name for the chart, for example `risk-matrix`.
    pub name: AttrValue,
    /// What the chart shows, for the buttons' accessible names.
    pub title: AttrValue,
    /// The chart (an `<svg>`, possibly inside other elements).
    pub children: Children,
}

/// The chart and its download buttons.
#[component]
pub fn ChartExport(props: &ChartExportProps) -> Html {
    let node = use_node_ref();
    let error = use_state(|| None::<String>);
    let handler = |png: bool| {
        let node = node.clone();
        let error = error.clone();
        let name = props.name.clone();
        Callback::from(move |_: MouseEvent| {
            let report = {
                let error = error.clone();
                Callback::from(move |message: String| error.set(Some(message)))
            };
            error.set(None);
            export(&node, &name, png, report);
        })
    };
    let (svg, png) = (handler(false), handler(true));
    html! {
        <div class="chart-export" ref={node}>
            { props.children.clone() }
            <p class="chart-export-actions no-print">
                <button type="button" class="secondary small" onclick={svg}
                    aria-label={format!("Download the chart {} as SVG", props.title)}
                    data-testid={format!("export-svg-{}", props.name)}>{ "SVG" }</button>
                <button type="button" class="secondary small" onclick={png}
                    aria-label={format!("Download the chart {} as PNG", props.title)}
                    data-testid={format!("export-png-{}", props.name)}>{ "PNG" }</button>
            </p>
            if let Some(message) = &*error {
                <p class="field-error" role="alert">{ message.clone() }</p>
            }
        </div>
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn export(_node: &NodeRef, _name: &str, _png: bool, report: Callback<String>) {
    report.emit("Charts can only be downloaded in a browser.".into());
}

/// The style properties copied onto each element of the exported SVG.
#[cfg(target_arch = "wasm32")]
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

/// Why a chart was not exported (in the browser: natively nothing is exported).
#[cfg(target_arch = "wasm32")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ExportError {
    /// A step failed: finding the chart, serialising or drawing it.
    Step(&'static str),
    /// The download did not start.
    Download(crate::app::download::DownloadError),
}

#[cfg(target_arch = "wasm32")]
impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportError::Step(what) => write!(f, "The chart could not be exported ({what})."),
            ExportError::Download(error) => write!(f, "{error}"),
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn export(node: &NodeRef, name: &str, png: bool, report: Callback<String>) {
    let result = (|| -> Result<(), ExportError> {
        let fail = ExportError::Step;
        let root = node
            .cast::<web_sys::Element>()
            .ok_or_else(|| fail("no chart"))?;
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
            crate::app::download::download(&format!("{file}.svg"), "image/svg+xml", text.as_bytes())
                .map_err(ExportError::Download)
        }
    })();
    if let Err(error) = result {
        report.emit(error.to_string());
    }
}

/// The SVG as a standalone file: namespace, size, and computed styles as attributes.
#[cfg(target_arch = "wasm32")]
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
#[cfg(target_arch = "wasm32")]
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
            let on_blob =
                wasm_bindgen::closure::Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
                    let saved = blob
                        .ok_or(wasm_bindgen::JsValue::NULL)
                        .and_then(|blob| crate::app::browser::download_blob(&file, &blob));
                    if saved.is_err() {
                        report.emit("The chart could not be saved as PNG.".into());
                    }
                });
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
