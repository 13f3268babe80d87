//! The pages' side (the part of the app's WebAssembly that the build splits off,
//! `chokepoint-pages_bg.wasm`): the page table ([`Pages`]) that draws each lazily loaded
//! [`Part`] with its component, and the functions behind the module's page exports (`bundle`,
//! built for wasm32 only; `src/main.rs` exports them). How the app loads the part and hosts its
//! parts: [`crate::app::lazy`].

use crate::app::components::dashboard::DashboardCharts;
use crate::app::components::editor::Editor;
use crate::app::components::import::ImportPage;
use crate::app::components::material_table::MaterialTable;
use crate::app::components::methodology::MethodologyPage;
use crate::app::components::outlook::OutlookPanel;
use crate::app::components::part_views::{InPart, PartViews, install};
use crate::app::components::plan::PlanPage;
use crate::app::components::scenarios::ScenariosPage;
use crate::app::components::share_panel::SharePanel;
use crate::app::components::sources::SourcesPage;
use crate::app::components::start::StartOptions;
use crate::app::components::world_map::WorldMap;
pub use crate::app::lazy::{PagesProps, Part};
use crate::app::route::Route;
use yew::prelude::*;

/// The lazily loaded parts (the pages' part's root component).
#[component]
pub fn Pages(props: &PagesProps) -> Html {
    let portfolio = props.portfolio.clone().unwrap_or_default();
    let on_action = props.on_action.clone();
    match props.part {
        // The Calculator page's check date is the part's payload: events are judged on it.
        Part::Page(Route::Scenarios) => {
            html! { <ScenariosPage {portfolio} check_date={props.data.clone()} /> }
        }
        Part::Page(Route::Plan) => html! { <PlanPage {portfolio} {on_action} /> },
        Part::Page(Route::Import) => html! { <ImportPage {portfolio} {on_action} /> },
        Part::Page(Route::Methodology) => html! { <MethodologyPage /> },
        Part::Page(Route::Sources) => html! { <SourcesPage check_date={props.data.clone()} /> },
        Part::Page(Route::Calculator | Route::Privacy) => html! {},
        Part::Templates => html! { <StartOptions {on_action} /> },
        Part::WorldMap => html! { <WorldMap data={props.data.clone()} /> },
        Part::Outlook => html! { <OutlookPanel {portfolio} /> },
        Part::Charts => html! { <DashboardCharts {portfolio} date={props.data.clone()} /> },
    }
}
/// The views of the Calculator page's parts that the pages' part draws in the page's own tree
/// ([`crate::app::components::part_views`]).
static VIEWS: PartViews = PartViews {
    draw: |part| match part {
        InPart::MaterialTable(props) => html! { <MaterialTable ..props /> },
        InPart::Editor(props) => html! { <Editor ..props /> },
        InPart::SharePanel(props) => html! { <SharePanel ..props /> },
    },
};

/// Installs the views of the Calculator page's parts that the pages' part draws: called through
/// the module's export `install_views` once the part is instantiated
/// ([`crate::app::browser::pages::load`]), and by tests that draw the whole page. The policy
/// rules the table checks are read first, in a task of their own (in a native build, at once).
pub fn install_views() {
    if crate::app::components::part_views::installed().is_some() {
        return;
    }
    crate::app::later::after_this_task(|| {
        let _ = crate::analysis::policy::try_embedded_rules();
        crate::app::later::after_this_task(|| install(&VIEWS));
    });
}

/// The pages' side: the functions behind the module's page exports (`src/main.rs`).
#[cfg(target_arch = "wasm32")]
pub mod bundle {
    use super::{Pages, PagesProps, Part};
    use crate::analysis::export::ResultsKind;
    use crate::analysis::policy::Date;
    use crate::app::state::Action;
    use crate::portfolio::RawPortfolio;
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

    fn props(
        part: &str,
        portfolio: &str,
        data: &str,
        on_action: Callback<Action>,
    ) -> Result<PagesProps, JsValue> {
        let portfolio = if portfolio.is_empty() {
            None
        } else {
            Some(Rc::new(RawPortfolio::from_json(portfolio).map_err(
                |e| JsValue::from_str(&format!("unreadable portfolio: {e}")),
            )?))
        };
        Ok(PagesProps {
            part: Part::from_key(part),
            portfolio,
            on_action,
            data: AttrValue::from(data.to_string()),
        })
    }

    /// Renders `part` (a [`Part::key`]: a page's hash such as `#/plan`, `templates` or
    /// `world-map`) into `root` with the portfolio (its JSON, or empty for a part that does not
    /// read it) and the part's own payload `data` ([`PagesProps::data`]); `on_load` receives the
    /// JSON of a portfolio the part asks to load. Returns the id for [`update`] and [`unmount`].
    pub fn mount(
        root: web_sys::Element,
        part: &str,
        portfolio: &str,
        on_load: js_sys::Function,
        data: &str,
    ) -> Result<u32, JsValue> {
        let on_action = Callback::from(move |action: Action| {
            if let Action::Load(portfolio) = action {
                let _ = on_load.call1(&JsValue::NULL, &JsValue::from_str(&portfolio.to_json()));
            }
        });
        let props = props(part, portfolio, data, on_action.clone())?;
        let handle = yew::Renderer::<Pages>::with_root_and_props(root, props).render();
        let id = NEXT.with(|n| {
            let id = *n.borrow();
            *n.borrow_mut() = id + 1;
            id
        });
        APPS.with(|apps| apps.borrow_mut().insert(id, App { handle, on_action }));
        Ok(id)
    }

    /// Shows `part` with `portfolio` and `data` in place of the mounted `id`.
    pub fn update(id: u32, part: &str, portfolio: &str, data: &str) -> Result<(), JsValue> {
        APPS.with(|apps| {
            let mut apps = apps.borrow_mut();
            let app = apps
                .get_mut(&id)
                .ok_or_else(|| JsValue::from_str("no such part"))?;
            let props = props(part, portfolio, data, app.on_action.clone())?;
            app.handle.update(props);
            Ok(())
        })
    }

    /// Removes the mounted `id`.
    pub fn unmount(id: u32) {
        if let Some(app) = APPS.with(|apps| apps.borrow_mut().remove(&id)) {
            app.handle.destroy();
        }
    }

    /// The share link payload of `portfolio` (JSON): [`crate::portfolio::share::encode`].
    pub fn share_payload(portfolio: &str) -> Result<String, JsValue> {
        let portfolio = RawPortfolio::from_json(portfolio)
            .map_err(|e| JsValue::from_str(&format!("unreadable portfolio: {e}")))?;
        Ok(crate::portfolio::share::encode(&portfolio))
    }

    /// Downloads the chart inside `root` as `chokepoint-{name}.svg` or `.png`
    /// ([`crate::app::browser::chart::export`]); a failure is passed to `report` as text.
    pub fn export_chart(root: web_sys::Element, name: &str, png: bool, report: js_sys::Function) {
        let report = Callback::from(move |message: String| {
            let _ = report.call1(&JsValue::NULL, &JsValue::from_str(&message));
        });
        if let Err(e) = crate::app::browser::chart::export(&root, name, png, report.clone()) {
            report.emit(e.to_string());
        }
    }

    /// The results file `kind` (an index into [`ResultsKind::ALL`]) of `portfolio` (JSON)
    /// assessed with the policy date `date` (`YYYY-MM-DD`, or empty for none): an object
    /// `{ name, mime, bytes }`.
    pub fn results_file(portfolio: &str, date: &str, kind: u32) -> Result<JsValue, JsValue> {
        let error = |text: String| JsValue::from_str(&text);
        let portfolio = RawPortfolio::from_json(portfolio)
            .map_err(|e| error(format!("unreadable portfolio: {e}")))?;
        let date = match date {
            "" => None,
            text => Some(Date::parse(text).map_err(|e| error(e.to_string()))?),
        };
        let kind = ResultsKind::ALL
            .get(kind as usize)
            .copied()
            .ok_or_else(|| error(format!("no results file number {kind}")))?;
        let file = crate::app::lazy::write_results(&portfolio, date, kind)
            .map_err(|e| error(e.to_string()))?;
        let object = js_sys::Object::new();
        let set = |name: &str, value: &JsValue| js_sys::Reflect::set(&object, &name.into(), value);
        set("name", &JsValue::from_str(&file.name))?;
        set("mime", &JsValue::from_str(file.mime))?;
        set(
            "bytes",
            &js_sys::Uint8Array::from(file.bytes.as_slice()).into(),
        )?;
        Ok(object.into())
    }
}
