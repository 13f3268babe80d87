//! The pages that are not part of the first page load: Scenarios, Plan, Import, Methodology and
//! Sources ([`Route::is_lazy`]).
//!
//! They live in a WebAssembly bundle of their own, `chokepoint-pages` (a Trunk `web`-target
//! bundle started by `static/pages-start.js`), that the app loads the first time one of them
//! opens. The scenario engine, the event presets, the planner and the import page's table review
//! are thus no part of what a visitor of the calculator downloads first (measured in
//! BENCHMARKS.md, "Size"). The bundle is in the offline copy like every other file, so loading it
//! sends nothing over the network, and the single-file build carries it inline.
//!
//! How the two bundles meet:
//! - The app draws [`LazyPage`]: an empty host element, and a loading or error message. Once the
//!   bundle is there it calls the bundle's `mount(host, route, portfolio_json, on_load)`, then
//!   `update(id, route, portfolio_json)` whenever the route or the portfolio changes, and
//!   `unmount(id)` when the user leaves for a first-load page.
//! - The bundle ([`bundle`]) renders [`Pages`], a Yew app of its own, into the host element.
//!   A page that replaces the portfolio (Plan's "apply", Import's "confirm") calls `on_load` with
//!   the portfolio's JSON; the app turns it into [`Action::Load`], one undoable step, and sends
//!   the new portfolio back through `update`. The portfolio is thus held once, by the app.

use crate::app::components::import::ImportPage;
use crate::app::components::methodology::MethodologyPage;
use crate::app::components::plan::PlanPage;
use crate::app::components::scenarios::ScenariosPage;
use crate::app::components::sources::SourcesPage;
use crate::app::route::Route;
use crate::app::state::Action;
use crate::model::portfolio::RawPortfolio;
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`Pages`] and [`LazyPage`].
#[derive(Properties, PartialEq, Clone)]
pub struct PagesProps {
    /// The page to draw; one of the [`Route::is_lazy`] pages.
    pub route: Route,
    /// The portfolio, as the app holds it.
    pub portfolio: Rc<RawPortfolio>,
    /// Receives the pages' actions (an [`Action::Load`] of a plan or an import).
    pub on_action: Callback<Action>,
}

/// The lazily loaded pages, drawn by route (the pages bundle's root component).
#[component]
pub fn Pages(props: &PagesProps) -> Html {
    let portfolio = props.portfolio.clone();
    let on_action = props.on_action.clone();
    match props.route {
        Route::Scenarios => html! { <ScenariosPage {portfolio} /> },
        Route::Plan => html! { <PlanPage {portfolio} {on_action} /> },
        Route::Import => html! { <ImportPage {portfolio} {on_action} /> },
        Route::Methodology => html! { <MethodologyPage /> },
        Route::Sources => html! { <SourcesPage /> },
        Route::Calculator | Route::Privacy => html! {},
    }
}

/// Natively (tests, the command line) there is one program: the pages are drawn in place.
#[cfg(not(target_arch = "wasm32"))]
#[component]
pub fn LazyPage(props: &PagesProps) -> Html {
    html! { <Pages ..props.clone() /> }
}

#[cfg(target_arch = "wasm32")]
pub use shell::LazyPage;

/// The app's side: loading the bundle and hosting its pages.
#[cfg(target_arch = "wasm32")]
mod shell {
    use super::PagesProps;
    use crate::app::state::Action;
    use crate::model::portfolio::RawPortfolio;
    use std::cell::RefCell;
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
    }

    /// The bundle's exports, loading it the first time.
    async fn load() -> Result<JsValue, String> {
        let promise = match LOADING.with(|l| l.borrow().clone()) {
            Some(promise) => promise,
            None => {
                let promise = start()?;
                LOADING.with(|l| *l.borrow_mut() = Some(promise.clone()));
                promise
            }
        };
        let result = wasm_bindgen_futures::JsFuture::from(promise).await;
        result.map_err(|error| {
            LOADING.with(|l| *l.borrow_mut() = None);
            describe(&error)
        })
    }

    /// A promise of the exports: the global the single-file build sets, or the start script's.
    fn start() -> Result<js_sys::Promise, String> {
        let window = web_sys::window().ok_or("no window")?;
        let existing = js_sys::Reflect::get(&window, &GLOBAL.into()).unwrap_or_default();
        if existing.is_object() {
            return Ok(js_sys::Promise::resolve(&existing));
        }
        let document = window.document().ok_or("no document")?;
        let script = document
            .create_element("script")
            .map_err(|e| describe(&e))?;
        let _ = script.set_attribute("type", "module");
        let _ = script.set_attribute("src", START_SCRIPT);
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
        let head = document.head().ok_or("no head element")?;
        head.append_child(&script).map_err(|e| describe(&e))?;
        Ok(promise)
    }

    fn describe(error: &JsValue) -> String {
        error
            .as_string()
            .or_else(|| {
                error
                    .dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
            })
            .unwrap_or_else(|| format!("{error:?}"))
    }

    /// Calls the bundle's export `name` with `args`.
    fn call(exports: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, String> {
        let function = js_sys::Reflect::get(exports, &name.into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .ok_or_else(|| format!("the pages bundle has no `{name}`"))?;
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
        Failed(String),
    }

    /// Hosts a page of the pages bundle, loading the bundle first if needed.
    #[component]
    pub fn LazyPage(props: &PagesProps) -> Html {
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
                (ready, props.route, props.portfolio.clone()),
                move |(ready, route, portfolio)| {
                    if !*ready {
                        return;
                    }
                    let route = JsValue::from_str(route.hash());
                    let json = JsValue::from_str(&portfolio.to_json());
                    let mut slot = mounted.borrow_mut();
                    let result = match &*slot {
                        Some(page) => {
                            call(&page.exports, "update", &[page.id.clone(), route, json])
                                .map(|_| ())
                        }
                        None => {
                            let Some(loaded) = exports.borrow().clone() else {
                                return;
                            };
                            let Some(element) = host.cast::<web_sys::Element>() else {
                                return;
                            };
                            let on_load = Closure::<dyn Fn(String)>::new(move |json: String| {
                                match RawPortfolio::from_json(&json) {
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
                                &[element.into(), route, json, handler.clone()],
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
        let title = props.route.title();
        // The host comes first and stays in place: the bundle owns what is inside it.
        html! {
            <>
                <div ref={host} class="page-host" data-testid="page-host"></div>
                {
                    match &*status {
                        Status::Loading => html! {
                            <p class="page-loading" role="status">{ format!("Loading the {title} page…") }</p>
                        },
                        Status::Ready => html! {},
                        Status::Failed(message) => html! {
                            <div class="notice" role="alert" data-testid="page-load-error">
                                <p>{ format!("The {title} page could not be loaded: {message}. Your portfolio is safe; try again, or reload the page.") }</p>
                                <button type="button" onclick={retry}>{ "Try again" }</button>
                            </div>
                        },
                    }
                }
            </>
        }
    }
}

/// The bundle's side: the functions `chokepoint-pages` exports to the app.
#[cfg(target_arch = "wasm32")]
pub mod bundle {
    use super::{Pages, PagesProps};
    use crate::app::route::Route;
    use crate::app::state::Action;
    use crate::model::portfolio::RawPortfolio;
    use std::cell::RefCell;
    use std::collections::BTreeMap;
    use std::rc::Rc;
    use wasm_bindgen::JsValue;
    use yew::prelude::*;

    struct App {
        handle: yew::AppHandle<Pages>,
        on_action: Callback<Action>,
    }

    thread_local! {
        static APPS: RefCell<BTreeMap<u32, App>> = const { RefCell::new(BTreeMap::new()) };
        static NEXT: RefCell<u32> = const { RefCell::new(1) };
    }

    /// Installs the panic hook and keeps Yew's event handling apart from the app's.
    ///
    /// Each WebAssembly module has its own copy of Yew, and Yew brands the elements it listens
    /// on with a subtree number counted from 1 in each module. The app's shell is subtree 1 (one
    /// `Renderer`, no portals); a page mounted here as subtree 1 too would make the shell take
    /// the page's clicks for its own. So the bundle first uses up a few numbers on a detached
    /// element, and its pages are numbered from there.
    pub fn start() {
        crate::app::panic::install();
        #[component]
        fn Nothing() -> Html {
            html! {}
        }
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        for _ in 0..RESERVED_SUBTREES {
            if let Ok(detached) = document.create_element("div") {
                yew::Renderer::<Nothing>::with_root(detached)
                    .render()
                    .destroy();
            }
        }
    }

    /// How many of Yew's subtree numbers the bundle leaves to the app's shell.
    const RESERVED_SUBTREES: u32 = 8;

    fn props(
        route: &str,
        portfolio: &str,
        on_action: Callback<Action>,
    ) -> Result<PagesProps, JsValue> {
        let portfolio = RawPortfolio::from_json(portfolio)
            .map_err(|e| JsValue::from_str(&format!("unreadable portfolio: {e}")))?;
        Ok(PagesProps {
            route: Route::from_hash(route),
            portfolio: Rc::new(portfolio),
            on_action,
        })
    }

    /// Renders the page of `route` (a hash such as `#/plan`) into `root` with the portfolio
    /// (its JSON); `on_load` receives the JSON of a portfolio the page asks to load. Returns the
    /// page's id for [`update`] and [`unmount`].
    pub fn mount(
        root: web_sys::Element,
        route: &str,
        portfolio: &str,
        on_load: js_sys::Function,
    ) -> Result<u32, JsValue> {
        let on_action = Callback::from(move |action: Action| {
            if let Action::Load(portfolio) = action {
                let _ = on_load.call1(&JsValue::NULL, &JsValue::from_str(&portfolio.to_json()));
            }
        });
        let props = props(route, portfolio, on_action.clone())?;
        let handle = yew::Renderer::<Pages>::with_root_and_props(root, props).render();
        let id = NEXT.with(|n| {
            let id = *n.borrow();
            *n.borrow_mut() = id + 1;
            id
        });
        APPS.with(|apps| apps.borrow_mut().insert(id, App { handle, on_action }));
        Ok(id)
    }

    /// Shows `route` with `portfolio` on the page `id`.
    pub fn update(id: u32, route: &str, portfolio: &str) -> Result<(), JsValue> {
        APPS.with(|apps| {
            let mut apps = apps.borrow_mut();
            let app = apps
                .get_mut(&id)
                .ok_or_else(|| JsValue::from_str("no such page"))?;
            let props = props(route, portfolio, app.on_action.clone())?;
            app.handle.update(props);
            Ok(())
        })
    }

    /// Removes the page `id`.
    pub fn unmount(id: u32) {
        if let Some(app) = APPS.with(|apps| apps.borrow_mut().remove(&id)) {
            app.handle.destroy();
        }
    }
}
