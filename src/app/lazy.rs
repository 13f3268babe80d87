//! The app's side of what is not part of the first page load: the Scenarios, Plan, Import,
//! Methodology and Sources pages ([`Route::is_lazy`]), the industry templates (drawn when the
//! user opens the start panel), the world map with its shapes (drawn when the user opens it on
//! the dashboard), the trend and outlook, and the writers of the results files (run when the
//! user asks for a download).
//!
//! They live in a WebAssembly bundle of their own, `chokepoint-pages` (a Trunk `web`-target
//! bundle started by `static/pages-start.js`; its side is `app::pages`), that the app
//! loads the first time one of them is needed. The scenario engine, the event presets, the
//! planner, the import review, the template data and the CSV and XLSX writers are thus no part
//! of what a visitor of the calculator downloads first (measured in BENCHMARKS.md, "Size"). The
//! bundle is in the offline copy like every other file, so loading it sends nothing over the
//! network, and the single-file build carries it inline.
//!
//! How the two bundles meet:
//! - The app draws [`LazyPart`]: an empty host element, and a loading or error message. Once the
//!   bundle is there it calls the bundle's `mount(host, part, portfolio_json, on_load, data)`,
//!   then `update(id, part, portfolio_json, data)` whenever the part, the portfolio or the data
//!   changes, and `unmount(id)` when the part goes away. `data` is a part's own small payload
//!   ([`PagesProps::data`]): the world map gets the per-country figures the app has already
//!   computed, so the bundle does not assess the portfolio again on every edit.
//! - The bundle renders its page table, a Yew app of its own, into the host element. A part
//!   that replaces the portfolio (Plan's "apply", Import's "confirm", a template) calls
//!   `on_load` with the portfolio's JSON; the app turns it into [`Action::Load`], one undoable
//!   step, and sends the new portfolio back through `update`. The portfolio is thus held once,
//!   by the app.
//! - [`results_file`] asks the bundle's `results_file(portfolio_json, date, kind)` for the bytes
//!   of a results download.
//!
//! This module knows the parts by name only ([`Part`]); it imports no page. The page table
//! imports this module, never the other way round.

use crate::app::route::Route;
use crate::app::state::Action;
use crate::portfolio::RawPortfolio;
use std::rc::Rc;
use yew::prelude::*;

/// A part of the app that the pages bundle draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// One of the [`Route::is_lazy`] pages.
    Page(Route),
    /// The start panel's industry templates, blank portfolio and demo.
    Templates,
    /// The dashboard's world map, shaded by the data it is given ([`PagesProps::data`]).
    WorldMap,
    /// The dashboard's trend (USGS 2024 to 2025) and forward view (IEA projections) of the
    /// portfolio it is given.
    Outlook,
}

impl Part {
    /// The part's name between the two bundles: the page's hash, `templates` or `world-map`.
    pub fn key(self) -> &'static str {
        match self {
            Part::Page(route) => route.hash(),
            Part::Templates => "templates",
            Part::WorldMap => "world-map",
            Part::Outlook => "outlook",
        }
    }

    /// The part of a [`Part::key`]; any other text is read as a page hash.
    pub fn from_key(key: &str) -> Part {
        match key {
            "templates" => Part::Templates,
            "world-map" => Part::WorldMap,
            "outlook" => Part::Outlook,
            hash => Part::Page(Route::from_hash(hash)),
        }
    }

    /// What the part is called in a loading or error message.
    pub fn label(self) -> String {
        match self {
            Part::Page(route) => format!("the {} page", route.title()),
            Part::Templates => "the industry templates".into(),
            Part::WorldMap => "the world map".into(),
            Part::Outlook => "the trend and outlook".into(),
        }
    }
}

/// Why a part or a results file could not be had from the pages bundle.
#[derive(Clone, Debug, PartialEq)]
pub enum PagesError {
    /// The page lacks what loading needs (`window`, `document`, `head element`).
    NoPage(&'static str),
    /// The browser refused or failed, in its words (the script could not be loaded, an
    /// export threw).
    Browser(String),
    /// The bundle has no export of this name.
    MissingExport(String),
    /// The bundle answered a results file with something else.
    NoFile,
    /// The portfolio has no valid line to export.
    NothingToExport,
}

impl std::fmt::Display for PagesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PagesError::NoPage(what) => write!(f, "no {what}"),
            PagesError::Browser(message) => f.write_str(message),
            PagesError::MissingExport(name) => write!(f, "the pages bundle has no `{name}`"),
            PagesError::NoFile => f.write_str("the pages bundle returned no file"),
            PagesError::NothingToExport => f.write_str("the portfolio has no valid line to export"),
        }
    }
}

impl std::error::Error for PagesError {}

/// Properties of [`LazyPart`] and of the page table that draws the part in the bundle.
#[derive(Properties, PartialEq, Clone)]
pub struct PagesProps {
    /// What to draw.
    pub part: Part,
    /// The portfolio, as the app holds it (`None` for a part that does not read it).
    #[prop_or_default]
    pub portfolio: Option<Rc<RawPortfolio>>,
    /// Receives the part's actions (an [`Action::Load`] of a plan, an import or a template).
    pub on_action: Callback<Action>,
    /// The part's own payload (empty for a part that takes none): for the world map, the
    /// per-country figures as JSON ([`crate::analysis::geography::country_exposure`]); for the
    /// Scenarios and Sources pages, the Calculator page's check date as typed (`YYYY-MM-DD`),
    /// which event and rule statuses are judged on.
    #[prop_or_default]
    pub data: AttrValue,
}
/// Properties of [`LazyDetails`].
#[derive(Properties, PartialEq)]
pub struct LazyDetailsProps {
    /// What to draw inside once opened.
    pub part: Part,
    /// The disclosure's summary line.
    pub summary: AttrValue,
    /// The `class` of the `<details>` element.
    pub class: AttrValue,
    /// Its `data-testid`.
    pub testid: AttrValue,
    /// Receives the part's actions.
    pub on_action: Callback<Action>,
    /// Computes the part's payload ([`PagesProps::data`]), called on each render once opened.
    #[prop_or_default]
    pub data: Option<Callback<(), AttrValue>>,
    /// The portfolio, for a part that reads it ([`PagesProps::portfolio`]).
    #[prop_or_default]
    pub portfolio: Option<Rc<RawPortfolio>>,
}

/// A closed disclosure that mounts a [`LazyPart`] the first time it is opened (so its bundle
/// loads only then), and keeps it while the user closes and reopens it.
#[component]
pub fn LazyDetails(props: &LazyDetailsProps) -> Html {
    let opened = use_state(|| false);
    let on_toggle = {
        let opened = opened.clone();
        Callback::from(move |e: Event| {
            let details = e.target_unchecked_into::<web_sys::Element>();
            if details.has_attribute("open") {
                opened.set(true);
            }
        })
    };
    html! {
        <details class={props.class.clone()} data-testid={props.testid.clone()} ontoggle={on_toggle}>
            <summary><strong>{ props.summary.clone() }</strong></summary>
            if *opened {
                <LazyPart part={props.part} on_action={props.on_action.clone()}
                    portfolio={props.portfolio.clone()}
                    data={props.data.as_ref().map(|d| d.emit(())).unwrap_or_default()} />
            }
        </details>
    }
}

/// Natively (the first screen rendered at build time, tests) there is no bundle to load: the
/// part shows the loading line the browser shows until the bundle is there.
#[cfg(not(target_arch = "wasm32"))]
#[component]
pub fn LazyPart(props: &PagesProps) -> Html {
    let label = props.part.label();
    html! {
        <>
            <div class="page-host" data-testid="page-host"></div>
            <p class="page-loading" role="status">{ format!("Loading {label}…") }</p>
        </>
    }
}

#[cfg(target_arch = "wasm32")]
pub use shell::{LazyPart, results_file};

/// The bytes of a results download: natively written in place.
#[cfg(not(target_arch = "wasm32"))]
pub async fn results_file(
    portfolio: &RawPortfolio,
    date: Option<crate::analysis::policy::Date>,
    kind: crate::analysis::export::ResultsKind,
) -> Result<crate::analysis::export::ResultsFile, PagesError> {
    write_results(portfolio, date, kind)
}

/// The results file of `kind` for `portfolio` assessed as the calculator does on `date`, or why
/// there is none.
pub fn write_results(
    portfolio: &RawPortfolio,
    date: Option<crate::analysis::policy::Date>,
    kind: crate::analysis::export::ResultsKind,
) -> Result<crate::analysis::export::ResultsFile, PagesError> {
    let reference = crate::reference::embedded();
    let params = crate::analysis::assess::AssessParams {
        date,
        ..Default::default()
    };
    let derived = crate::app::results::derive(portfolio, reference, &params);
    let assessment = derived.assessment.ok_or(PagesError::NothingToExport)?;
    Ok(crate::analysis::export::results_file(
        &assessment,
        reference,
        kind,
    ))
}

/// The app's side: loading the bundle and hosting its pages.
#[cfg(target_arch = "wasm32")]
mod shell {
    use super::{PagesError, PagesProps};
    use crate::analysis::export::{ResultsFile, ResultsKind};
    use crate::app::state::Action;
    use crate::portfolio::RawPortfolio;
    use std::cell::{Cell, RefCell};
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    use yew::prelude::*;

    /// The start script of the bundle; it sets `window.chokepointPages` to a promise of the
    /// bundle's exports. The single-file build sets it before the app starts.
    const START_SCRIPT: &str = "./pages-start.js";
    const GLOBAL: &str = "chokepointPages";

    thread_local! {
        /// The promise of the bundle's exports, once asked for (cleared when loading failed, so
        /// that "Try again" starts afresh).
        static LOADING: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
        /// Start scripts added so far.
        static ATTEMPTS: Cell<u32> = const { Cell::new(0) };
    }

    /// The bundle's exports, loading it the first time.
    async fn load() -> Result<JsValue, PagesError> {
        let promise = match LOADING.with(|l| l.borrow().clone()) {
            Some(promise) => promise,
            None => {
                let promise = start()?;
                LOADING.with(|l| *l.borrow_mut() = Some(promise.clone()));
                promise
            }
        };
        let result = wasm_bindgen_futures::JsFuture::from(promise.clone()).await;
        result.map_err(|error| {
            forget(&promise);
            describe(&error)
        })
    }

    /// Forgets the load that ended in `failed`, so that the next one starts afresh: a rejected
    /// promise stays rejected, so both the app's promise and the start script's global go, and
    /// the next [`start`] adds the start script again.
    fn forget(failed: &js_sys::Promise) {
        let current = LOADING.with(|l| {
            let mut loading = l.borrow_mut();
            let same = loading
                .as_ref()
                .is_some_and(|p| js_sys::Object::is(p.as_ref(), failed.as_ref()));
            if same { loading.take() } else { None }
        });
        if current.is_some()
            && let Some(window) = web_sys::window()
        {
            let _ = js_sys::Reflect::delete_property(&window, &GLOBAL.into());
        }
    }

    /// The address of the start script for the next attempt. A module runs once per address for
    /// the life of the page: the same `pages-start.js` added again would not run again, and some
    /// browsers also keep a failed import under its address. So every attempt after the first
    /// asks for `pages-start.js?attempt=N`, which imports the bundle's glue under the same query
    /// (`static/pages-start.js`).
    fn start_script() -> String {
        let attempt = ATTEMPTS.with(|a| {
            let n = a.get();
            a.set(n + 1);
            n
        });
        match attempt {
            0 => START_SCRIPT.to_string(),
            n => format!("{START_SCRIPT}?attempt={n}"),
        }
    }

    /// A promise of the exports: the global the single-file build sets, or the start script's.
    fn start() -> Result<js_sys::Promise, PagesError> {
        let window = web_sys::window().ok_or(PagesError::NoPage("window"))?;
        let existing = js_sys::Reflect::get(&window, &GLOBAL.into()).unwrap_or_default();
        if existing.is_object() {
            return Ok(js_sys::Promise::resolve(&existing));
        }
        let document = window.document().ok_or(PagesError::NoPage("document"))?;
        let script = document
            .create_element("script")
            .map_err(|e| describe(&e))?;
        let _ = script.set_attribute("type", "module");
        // At this build's address (`?v=`, src/app/spawn.rs), which the start script passes on
        // to the bundle's glue and WebAssembly.
        let _ = script.set_attribute("src", &crate::app::browser::versioned(&start_script()));
        let mut failure = None;
        let promise = js_sys::Promise::new(&mut |resolve, reject| {
            // Resolving with the start script's promise adopts it: the caller gets the exports.
            let on_load = Closure::once_into_js(move || {
                let exports = web_sys::window()
                    .and_then(|w| js_sys::Reflect::get(&w, &GLOBAL.into()).ok())
                    .unwrap_or_default();
                let _ = resolve.call1(&JsValue::NULL, &exports);
            });
            let on_error = Closure::once_into_js(move || {
                let _ = reject.call1(
                    &JsValue::NULL,
                    &JsValue::from_str("its script could not be loaded"),
                );
            });
            let listen = |name: &str, handler: &JsValue| {
                script.add_event_listener_with_callback(name, handler.unchecked_ref())
            };
            if let Err(e) = listen("load", &on_load).and(listen("error", &on_error)) {
                failure = Some(describe(&e));
            }
        });
        if let Some(message) = failure {
            return Err(message);
        }
        let head = document.head().ok_or(PagesError::NoPage("head element"))?;
        head.append_child(&script).map_err(|e| describe(&e))?;
        Ok(promise)
    }

    fn describe(error: &JsValue) -> PagesError {
        PagesError::Browser(
            error
                .as_string()
                .or_else(|| {
                    error
                        .dyn_ref::<js_sys::Error>()
                        .map(|e| String::from(e.message()))
                })
                .unwrap_or_else(|| format!("{error:?}")),
        )
    }

    /// Calls the bundle's export `name` with `args`.
    fn call(exports: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, PagesError> {
        let function = js_sys::Reflect::get(exports, &name.into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .ok_or_else(|| PagesError::MissingExport(name.to_string()))?;
        let args: js_sys::Array = args.iter().collect();
        function
            .apply(&JsValue::NULL, &args)
            .map_err(|e| describe(&e))
    }

    /// A page mounted by the bundle.
    struct Mounted {
        exports: JsValue,
        id: JsValue,
        // Kept alive while the page may call it.
        _on_load: Closure<dyn Fn(String)>,
    }

    #[derive(Clone, PartialEq)]
    enum Status {
        Loading,
        Ready,
        Failed(PagesError),
    }

    /// The bytes of a results download, written by the bundle (loaded first if needed).
    pub async fn results_file(
        portfolio: &RawPortfolio,
        date: Option<crate::analysis::policy::Date>,
        kind: ResultsKind,
    ) -> Result<ResultsFile, PagesError> {
        let exports = load().await?;
        let date = date.map(|d| d.to_string()).unwrap_or_default();
        let index = ResultsKind::ALL
            .iter()
            .position(|k| *k == kind)
            .unwrap_or(0);
        let file = call(
            &exports,
            "results_file",
            &[
                JsValue::from_str(&portfolio.to_json()),
                JsValue::from_str(&date),
                JsValue::from(index as u32),
            ],
        )?;
        let field = |name: &str| js_sys::Reflect::get(&file, &name.into()).unwrap_or_default();
        let bytes = field("bytes")
            .dyn_into::<js_sys::Uint8Array>()
            .map_err(|_| PagesError::NoFile)?;
        Ok(ResultsFile {
            name: field("name").as_string().unwrap_or_default(),
            mime: kind.mime(),
            bytes: bytes.to_vec(),
        })
    }

    /// Hosts a part drawn by the pages bundle, loading the bundle first if needed.
    #[component]
    pub fn LazyPart(props: &PagesProps) -> Html {
        let host = use_node_ref();
        let status = use_state(|| Status::Loading);
        let attempt = use_state(|| 0u32);
        let exports = use_mut_ref(|| None::<JsValue>);
        let mounted = use_mut_ref(|| None::<Mounted>);
        // The latest callback, for the page's `on_load` that outlives renders.
        let on_action = use_mut_ref(|| props.on_action.clone());
        *on_action.borrow_mut() = props.on_action.clone();
        {
            let status = status.clone();
            let exports = exports.clone();
            use_effect_with(*attempt, move |_| {
                wasm_bindgen_futures::spawn_local(async move {
                    match load().await {
                        Ok(loaded) => {
                            *exports.borrow_mut() = Some(loaded);
                            status.set(Status::Ready);
                        }
                        Err(message) => status.set(Status::Failed(message)),
                    }
                });
            });
        }
        {
            let host = host.clone();
            let status = status.clone();
            let mounted = mounted.clone();
            let ready = *status == Status::Ready;
            use_effect_with(
                (
                    ready,
                    props.part,
                    props.portfolio.clone(),
                    props.data.clone(),
                ),
                move |(ready, part, portfolio, data)| {
                    if !*ready {
                        return;
                    }
                    let route = JsValue::from_str(part.key());
                    let json = portfolio.as_ref().map(|p| p.to_json()).unwrap_or_default();
                    let json = JsValue::from_str(&json);
                    let data = JsValue::from_str(data);
                    let mut slot = mounted.borrow_mut();
                    let result = match &*slot {
                        Some(page) => call(
                            &page.exports,
                            "update",
                            &[page.id.clone(), route, json, data],
                        )
                        .map(|_| ()),
                        None => {
                            let Some(loaded) = exports.borrow().clone() else {
                                return;
                            };
                            let Some(element) = host.cast::<web_sys::Element>() else {
                                return;
                            };
                            let on_load = Closure::<dyn Fn(String)>::new(move |json: String| {
                                // Bounded like every portfolio that comes in: the pages build
                                // theirs within the limits, this is the last guard.
                                let read = crate::portfolio::limits::check_json(
                                    &json,
                                    crate::portfolio::limits::Shape::Portfolio,
                                )
                                .map_err(|e| e.to_string())
                                .and_then(|()| {
                                    RawPortfolio::from_json(&json).map_err(|e| e.to_string())
                                });
                                match read {
                                    Ok(portfolio) => {
                                        let callback = on_action.borrow().clone();
                                        callback.emit(Action::Load(portfolio));
                                    }
                                    Err(e) => web_sys::console::error_1(
                                        &format!("a page sent an unreadable portfolio: {e}").into(),
                                    ),
                                }
                            });
                            let handler: &JsValue = on_load.as_ref();
                            call(
                                &loaded,
                                "mount",
                                &[element.into(), route, json, handler.clone(), data],
                            )
                            .map(|id| {
                                *slot = Some(Mounted {
                                    exports: loaded.clone(),
                                    id,
                                    _on_load: on_load,
                                });
                            })
                        }
                    };
                    if let Err(message) = result {
                        status.set(Status::Failed(message));
                    }
                },
            );
        }
        {
            let mounted = mounted.clone();
            use_effect_with((), move |_| {
                move || {
                    if let Some(page) = mounted.borrow_mut().take() {
                        let _ = call(&page.exports, "unmount", &[page.id]);
                    }
                }
            });
        }
        let retry = {
            let attempt = attempt.clone();
            let status = status.clone();
            Callback::from(move |_: MouseEvent| {
                status.set(Status::Loading);
                attempt.set(*attempt + 1);
            })
        };
        let label = props.part.label();
        // The host comes first and stays in place: the bundle owns what is inside it.
        html! {
            <>
                <div ref={host} class="page-host" data-testid="page-host"></div>
                {
                    match &*status {
                        Status::Loading => html! {
                            <p class="page-loading" role="status">{ format!("Loading {label}…") }</p>
                        },
                        Status::Ready => html! {},
                        Status::Failed(message) => html! {
                            <div class="notice" role="alert" data-testid="page-load-error">
                                <p>{ format!("Sorry, {label} could not be loaded: {message}. Your portfolio is safe; try again, or reload the page.") }</p>
                                <button type="button" onclick={retry}>{ "Try again" }</button>
                            </div>
                        },
                    }
                }
            </>
        }
    }
}
