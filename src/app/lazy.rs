//! The app's side of what is not part of the first page load: the Scenarios, Plan, Import,
//! Methodology and Sources pages ([`Route::is_lazy`]), the industry templates (drawn when the
//! user opens the start panel), the world map with its shapes (drawn when the user opens it on
//! the dashboard), the trend and outlook, the risk matrix and flow diagram, and the writers of
//! the results files (run when the user asks for a download). The Calculator page's parts below
//! its first screen (the table per material and stage with its policy checks, the editor, the
//! save, share and export panel) are the pages' part's too, but drawn in the page's own tree:
//! [`crate::app::components::part_views`].
//!
//! They are the pages' part of the app's WebAssembly, `chokepoint-pages_bg.wasm`, which the
//! build splits off the app's module (tools/wasm-split, scripts/build/postbuild.mjs) and the app
//! loads the first time one of them is needed (`static/pages-start.js`; their side is
//! `app::pages`). The part runs in the app module's memory with its code: it carries only what
//! the first load does not have. The scenario engine, the event presets, the planner, the import
//! review, the template data and the CSV and XLSX writers are thus no part of what a visitor of
//! the calculator downloads first (measured in BENCHMARKS.md, "Size"). The part is in the
//! offline copy like every other file, so loading it sends nothing over the network, and the
//! single-file build carries it inline.
//!
//! How the app and the pages meet (through the app module's exports of the pages, which work once
//! the part is instantiated):
//! - The app draws [`LazyPart`]: an empty host element, and a loading or error message. Once the
//!   bundle is there it calls the bundle's `mount(host, part, portfolio_json, on_load, data)`,
//!   then `update(id, part, portfolio_json, data)` whenever the part, the portfolio or the data
//!   changes, and `unmount(id)` when the part goes away. `data` is a part's own small payload
//!   ([`PagesProps::data`]): the world map gets the per-country figures the app has already
//!   computed, so the bundle does not assess the portfolio again on every edit.
//! - The bundle renders its page table, a Yew app of its own (a renderer apart from the
//!   shell's), into the host element. A part
//!   that replaces the portfolio (Plan's "apply", Import's "confirm", a template) calls
//!   `on_load` with the portfolio's JSON; the app turns it into [`Action::Load`], one undoable
//!   step, and sends the new portfolio back through `update`. The portfolio is thus held once,
//!   by the app.
//! - [`results_file`] asks the bundle's `results_file(portfolio_json, date, kind)` for the bytes
//!   of a results download, and [`share_payload`] its `share_payload(portfolio_json)` for a
//!   share link's payload.
//!
//! The browser's side of the loading (the start script, the exports, mounting) is
//! [`crate::app::browser::pages`]. This module knows the parts by name only ([`Part`]); it
//! imports no page. The page table
//! imports this module, never the other way round.

use crate::analysis::export::{ResultsFile, ResultsKind};
use crate::app::browser;
use crate::app::browser::pages::{Bundle, Mounted};
use crate::app::route::Route;
use crate::app::state::Action;
use crate::portfolio::RawPortfolio;
use std::rc::Rc;
use yew::prelude::*;

/// A part of the app that the pages' part draws.
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
    /// The dashboard's risk matrix and flow diagram of the portfolio it is given, assessed on the
    /// date in its payload (they read no policy finding): below the first screen, drawn once
    /// their place comes near the viewport (`components::dashboard`).
    Charts,
}

impl Part {
    /// The part's name between the two bundles: the page's hash, `templates` or `world-map`.
    pub fn key(self) -> &'static str {
        match self {
            Part::Page(route) => route.hash(),
            Part::Templates => "templates",
            Part::WorldMap => "world-map",
            Part::Outlook => "outlook",
            Part::Charts => "charts",
        }
    }

    /// The part of a [`Part::key`]; any other text is read as a page hash.
    pub fn from_key(key: &str) -> Part {
        match key {
            "templates" => Part::Templates,
            "world-map" => Part::WorldMap,
            "outlook" => Part::Outlook,
            "charts" => Part::Charts,
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
            Part::Charts => "the risk matrix and the flow diagram".into(),
        }
    }
}

pub use crate::app::browser::pages::PagesError;

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

/// The bytes of a results download, written by the pages' part (loaded first if needed);
/// natively, where there is no bundle, written in place ([`write_results`]).
pub async fn results_file(
    portfolio: &RawPortfolio,
    date: Option<crate::analysis::policy::Date>,
    kind: ResultsKind,
) -> Result<ResultsFile, PagesError> {
    if browser::pages::WRITES_IN_PLACE {
        // Natively there is no bundle. A constant test: the browser's main bundle does not
        // link the file writers (about 20 KB gzip of the first load).
        return write_results(portfolio, date, kind);
    }
    let bundle = browser::pages::load().await?;
    let date = date.map(|d| d.to_string()).unwrap_or_default();
    let index = ResultsKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(0);
    let (name, bytes) = bundle.results_file(&portfolio.to_json(), &date, index as u32)?;
    Ok(ResultsFile {
        name,
        mime: kind.mime(),
        bytes,
    })
}

/// The share link payload of `portfolio` ([`crate::portfolio::share::encode`]), made by the
/// pages' part, so that its DEFLATE compressor is no part of the first load (10.1 KB gzip,
/// BENCHMARKS.md); natively, made in place.
pub async fn share_payload(portfolio: &RawPortfolio) -> Result<String, PagesError> {
    if browser::pages::WRITES_IN_PLACE {
        // A constant test, as for the results files: the main bundle does not link the encoder.
        return Ok(crate::portfolio::share::encode(portfolio));
    }
    browser::pages::load()
        .await?
        .share_payload(&portfolio.to_json())
}

/// Downloads the chart inside `node` as SVG or PNG ([`browser::chart::export`]), made by the
/// pages' part of the app, so that the SVG serialiser and the PNG drawing are no part of the
/// first load; what goes wrong is passed to `report`.
pub async fn export_chart(node: NodeRef, name: String, png: bool, report: Callback<String>) {
    let Some(root) = node.cast::<web_sys::Element>() else {
        report.emit(browser::chart::ExportError::Step("no chart").to_string());
        return;
    };
    let done = if browser::pages::WRITES_IN_PLACE {
        browser::chart::export(&root, &name, png, report.clone()).map_err(|e| e.to_string())
    } else {
        match browser::pages::load().await {
            Ok(bundle) => bundle
                .export_chart(&root, &name, png, report.clone())
                .map_err(|e| format!("The chart could not be exported: {e}")),
            Err(e) => Err(format!("The chart could not be exported: {e}")),
        }
    };
    if let Err(message) = done {
        report.emit(message);
    }
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

/// Where a [`LazyPart`] is: waiting for the bundle, drawn by it, or failed.
#[derive(Clone, PartialEq)]
enum Status {
    Loading,
    Ready,
    Failed(PagesError),
}

/// Hosts a part drawn by the pages' part, loading the bundle first if needed. Natively (the
/// first screen rendered at build time, tests) there is no bundle to load: the part shows the
/// loading line the browser shows until the bundle is there.
#[component]
pub fn LazyPart(props: &PagesProps) -> Html {
    let host = use_node_ref();
    let status = use_state(|| Status::Loading);
    let attempt = use_state(|| 0u32);
    let bundle = use_mut_ref(|| None::<Bundle>);
    let mounted = use_mut_ref(|| None::<Mounted>);
    // The latest callback, for the page's `on_load` that outlives renders.
    let on_action = use_mut_ref(|| props.on_action.clone());
    *on_action.borrow_mut() = props.on_action.clone();
    {
        let status = status.clone();
        let bundle = bundle.clone();
        use_effect_with(*attempt, move |_| {
            browser::spawn(async move {
                match browser::pages::load().await {
                    Ok(loaded) => {
                        *bundle.borrow_mut() = Some(loaded);
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
                let key = part.key();
                let json = portfolio.as_ref().map(|p| p.to_json()).unwrap_or_default();
                let mut slot = mounted.borrow_mut();
                let result = match &*slot {
                    Some(page) => page.update(key, &json, data),
                    None => {
                        let Some(loaded) = bundle.borrow().clone() else {
                            return;
                        };
                        let on_load = move |json: String| {
                            // Bounded like every portfolio that comes in: the pages build theirs
                            // within the limits, this is the last guard.
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
                                Err(e) => browser::error(&format!(
                                    "a page sent an unreadable portfolio: {e}"
                                )),
                            }
                        };
                        loaded
                            .mount(&host, key, &json, data, on_load)
                            .map(|page| *slot = page)
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
                    page.unmount();
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
                    Status::Loading => loading_or_failed(&label, None, retry),
                    Status::Ready => html! {},
                    Status::Failed(message) => loading_or_failed(&label, Some(message), retry),
                }
            }
        </>
    }
}

/// What stands in for a part called `label` ("the Sources page") until the pages' part draws
/// it: a loading line, or, once loading `failed`, why and a button that calls `retry`. Nothing
/// the user entered is lost: the portfolio is the app's, not the part's.
pub fn loading_or_failed(
    label: &str,
    failed: Option<&PagesError>,
    retry: Callback<MouseEvent>,
) -> Html {
    match failed {
        None => html! {
            <p class="page-loading" role="status">{ format!("Loading {label}…") }</p>
        },
        Some(message) => html! {
            <div class="notice" role="alert" data-testid="page-load-error">
                <p>{ format!("Sorry, {label} could not be loaded: {message}. Your portfolio is safe; try again, or reload the page.") }</p>
                <button type="button" onclick={retry}>{ "Try again" }</button>
            </div>
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{PagesError, export_chart, results_file, share_payload, write_results};
    use crate::analysis::export::ResultsKind;
    use crate::portfolio::RawPortfolio;
    use std::future::Future;
    use std::task::{Context, Poll, Waker};
    use yew::{Callback, NodeRef};

    /// The value of a future that is ready at once (natively `results_file` writes in place).
    fn at_once<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(value) => value,
            Poll::Pending => panic!("natively the results file is written at once"),
        }
    }

    /// Natively the share link payload is made in place, and it reads back as the portfolio.
    #[test]
    fn natively_share_payloads_are_made_in_place() {
        let demo = crate::app::demo_portfolio();
        let payload = at_once(share_payload(&demo)).expect("made in place");
        assert_eq!(payload, crate::portfolio::share::encode(&demo));
        let back = crate::portfolio::share::decode(&payload).expect("reads back");
        assert_eq!(back.lines, demo.lines);
    }

    /// A chart download without its chart's element (the only case natively: elements exist
    /// only in a browser) says so, through the callback the button shows messages with.
    #[test]
    fn a_chart_download_without_its_chart_says_so() {
        let reported = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let into = reported.clone();
        at_once(export_chart(
            NodeRef::default(),
            "risk-matrix".into(),
            true,
            Callback::from(move |m: String| into.borrow_mut().push(m)),
        ));
        assert_eq!(
            *reported.borrow(),
            ["The chart could not be exported (no chart)."]
        );
    }

    /// Natively there is no pages' part: a results download is written in place, the same
    /// file the bundle's `results_file` writes, and an empty portfolio gets the bundle's answer.
    #[test]
    fn natively_results_files_are_written_in_place() {
        let demo = crate::app::demo_portfolio();
        for kind in ResultsKind::ALL {
            let file = at_once(results_file(&demo, None, kind));
            let file = file.expect("the demo has results");
            assert_eq!(Ok(file.clone()), write_results(&demo, None, kind));
            assert_eq!(file.mime, kind.mime());
            assert!(!file.bytes.is_empty());
        }
        let empty = RawPortfolio::default();
        assert_eq!(
            at_once(results_file(&empty, None, ResultsKind::ALL[0])),
            Err(PagesError::NothingToExport)
        );
    }
}
