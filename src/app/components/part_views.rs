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
use crate::app::lazy::loading_or_failed;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
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
    /// The components drawn with [`use_part_views`], drawn again when the views are installed
    /// (whichever of them loaded the part: after a failure, "Try again" in one of them).
    static WATCHERS: RefCell<Vec<Weak<dyn Fn()>>> = const { RefCell::new(Vec::new()) };
}

/// Makes `views` the views the page draws its parts with (the pages' part, once instantiated),
/// and draws again every component that uses them.
pub fn install(views: &'static PartViews) {
    VIEWS.with(|v| v.set(Some(views)));
    let watchers: Vec<Rc<dyn Fn()>> = WATCHERS.with(|w| {
        let mut w = w.borrow_mut();
        w.retain(|watcher| watcher.strong_count() > 0);
        w.iter().filter_map(Weak::upgrade).collect()
    });
    for redraw in watchers {
        redraw();
    }
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
        let redraw = redraw.clone();
        use_effect_with((), move |_| {
            let watcher: Rc<dyn Fn()> = Rc::new(move || redraw.force_update());
            WATCHERS.with(|w| w.borrow_mut().push(Rc::downgrade(&watcher)));
            // Watching while the component lives.
            move || drop(watcher)
        });
    }
    {
        let failed = failed.clone();
        use_effect_with(
            (wanted && views.is_none(), *attempt),
            move |&(load, _)| {
                if load {
                    browser::spawn(async move {
                        // Once loaded, the part installs its views, which draws this
                        // component again.
                        if let Err(e) = browser::pages::load().await {
                            failed.set(Some(e));
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

/// What stands in for the part called `label` ("the editor") until it is drawn
/// ([`crate::app::lazy::loading_or_failed`]); nothing once it is.
pub fn standing_in(state: &PartState, label: &str, retry: Callback<MouseEvent>) -> Html {
    match state {
        PartState::Ready(_) => Html::default(),
        PartState::Waiting => loading_or_failed(label, None, retry),
        PartState::Failed(message) => loading_or_failed(label, Some(message), retry),
    }
}
