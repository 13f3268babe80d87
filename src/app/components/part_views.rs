//! The Calculator page's parts below its first screen whose code is in the pages' part of the
//! app (issue #19): the table per material and stage with its policy checks, the editor, and the
//! save, share and export panel. They are drawn in the page's own tree, with its contexts and
//! callbacks, but their code (and the policy rules the table checks) is no part of the first
//! load.
//!
//! How: the page knows them by their properties only. The pages' part, once instantiated, installs
//! its [`PartViews`], one function per part that draws it from its properties
//! (`app::pages::install_views`, called through the module's export `install_views` by
//! [`crate::app::browser::pages::load`]). The app and the part are one program split in two by the
//! build, sharing one memory: the views are ordinary function pointers. A component that draws a
//! part asks for the views with [`use_part_views`], which loads the part when the component wants
//! it and draws it again once the views are there; until then [`standing_in`] shows what is
//! coming, or why it failed with a way to try again. Natively (tests, the build-time render of
//! the first screen) nothing is installed unless a test installs the views.

use crate::app::browser;
use crate::app::browser::pages::PagesError;
use crate::app::components::editor::EditorProps;
use crate::app::components::material_table::MaterialTableProps;
use crate::app::components::share_panel::SharePanelProps;
use std::cell::Cell;
use yew::prelude::*;

/// The functions that draw the parts, from the pages' part.
pub struct PartViews {
    /// The table per material and stage ([`crate::app::components::material_table`]).
    pub material_table: fn(MaterialTableProps) -> Html,
    /// The portfolio editor ([`crate::app::components::editor`]).
    pub editor: fn(EditorProps) -> Html,
    /// The save, share and export panel ([`crate::app::components::share_panel`]).
    pub share_panel: fn(SharePanelProps) -> Html,
}

thread_local! {
    /// The views, once the pages' part has installed them.
    static VIEWS: Cell<Option<&'static PartViews>> = const { Cell::new(None) };
}

/// Makes `views` the views the page draws its parts with (the pages' part, once instantiated).
pub fn install(views: &'static PartViews) {
    VIEWS.with(|v| v.set(Some(views)));
}

/// The views, if installed.
pub fn installed() -> Option<&'static PartViews> {
    VIEWS.with(Cell::get)
}

/// Where the views are, for a component that draws a part.
#[derive(Clone)]
pub enum PartState {
    /// Not there yet (loading, or not yet wanted).
    Waiting,
    /// There.
    Ready(&'static PartViews),
    /// The pages' part could not be loaded.
    Failed(PagesError),
}

/// The views for a component that draws a part, and a callback that tries the load again after a
/// failure. Once `wanted`, the pages' part is loaded (one load for all the page's parts and
/// pages, [`browser::pages::load`]) and the component is drawn again when it is there.
#[hook]
pub fn use_part_views(wanted: bool) -> (PartState, Callback<MouseEvent>) {
    let failed = use_state(|| None::<PagesError>);
    let attempt = use_state(|| 0u32);
    let redraw = use_force_update();
    let views = installed();
    {
        let failed = failed.clone();
        use_effect_with(
            (wanted && views.is_none(), *attempt),
            move |&(load, _)| {
                if load {
                    browser::spawn(async move {
                        match browser::pages::load().await {
                            Ok(_) => redraw.force_update(),
                            Err(e) => failed.set(Some(e)),
                        }
                    });
                }
            },
        );
    }
    let retry = {
        let (failed, attempt) = (failed.clone(), attempt.clone());
        Callback::from(move |_: MouseEvent| {
            failed.set(None);
            attempt.set(*attempt + 1);
        })
    };
    let state = match (views, &*failed) {
        (Some(views), _) => PartState::Ready(views),
        (None, Some(e)) => PartState::Failed(e.clone()),
        (None, None) => PartState::Waiting,
    };
    (state, retry)
}

/// What stands in for the part called `label` ("the editor") until it is drawn: a loading line,
/// or why it could not be loaded and a button to try again. Nothing the user entered is lost:
/// the portfolio is the app's, not the part's.
pub fn standing_in(state: &PartState, label: &str, retry: Callback<MouseEvent>) -> Html {
    match state {
        PartState::Ready(_) => Html::default(),
        PartState::Waiting => html! {
            <p class="page-loading" role="status">{ format!("Loading {label}…") }</p>
        },
        PartState::Failed(message) => html! {
            <div class="notice" role="alert" data-testid="page-load-error">
                <p>{ format!("Sorry, {label} could not be loaded: {message}. Your portfolio is safe; try again, or reload the page.") }</p>
                <button type="button" onclick={retry}>{ "Try again" }</button>
            </div>
        },
    }
}
