//! The Calculator page's parts below its first screen whose code is in the pages' part of the
//! app (issue #19): the table per material and stage with its policy checks, the editor, and the
//! save, share and export panel. They are drawn in the page's own tree, with its contexts and
//! callbacks, but their code (and the policy rules the table checks) is no part of the first
//! load.
//!
//! How: the page knows them by their properties only ([`InPart`]). The pages' part, once
//! instantiated, installs its [`PartViews`], a function that draws a part from its properties
//! (`app::pages::install_views`, called through the module's export `install_views` by
//! [`crate::app::browser::pages::load`]). The app and the part are one program split in two by the
//! build, sharing one memory: the view is an ordinary function pointer. The page draws each part
//! in a [`PartSlot`], which loads the pages' part and draws the part once the views are there;
//! until then it shows what is coming, or why it failed with a way to try again. Natively (tests,
//! the build-time render of the first screen) nothing is installed unless a test installs the
//! views.

use crate::app::browser;
use crate::app::browser::pages::PagesError;
use crate::app::components::editor::EditorProps;
use crate::app::components::material_table::MaterialTableProps;
use crate::app::components::share_panel::SharePanelProps;
use crate::app::lazy::loading_or_failed;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use yew::prelude::*;

/// How the pages' part draws the parts.
pub struct PartViews {
    /// Draws a part from its properties.
    pub draw: fn(InPart) -> Html,
}

/// A part the pages' part draws, with its properties.
#[derive(Clone, PartialEq)]
pub enum InPart {
    /// The table per material and stage ([`crate::app::components::material_table`]).
    MaterialTable(MaterialTableProps),
    /// The portfolio editor ([`crate::app::components::editor`]).
    Editor(EditorProps),
    /// The save, share and export panel ([`crate::app::components::share_panel`]).
    SharePanel(SharePanelProps),
}

impl InPart {
    /// What the part is called in a loading or error message.
    fn label(&self) -> &'static str {
        match self {
            InPart::MaterialTable(_) => "the table per material and stage",
            InPart::Editor(_) => "the editor",
            InPart::SharePanel(_) => "saving, sharing and exporting",
        }
    }

    /// What stands in for the part until it is drawn, around `message` (the loading line, or
    /// why it failed with "Try again").
    fn standing_in(&self, message: Html) -> Html {
        match self {
            // The table's room, roughly, so that what follows moves little once it is drawn.
            InPart::MaterialTable(_) => html! { <div class="table-place">{ message }</div> },
            // The editor's title stays in place: the tool bar's "Edit" leads to it.
            InPart::Editor(_) => html! {
                <section aria-labelledby="editor-title" class="editor">
                    <h2 id="editor-title">{ crate::app::components::editor::TITLE }</h2>
                    { message }
                </section>
            },
            InPart::SharePanel(_) => message,
        }
    }
}

thread_local! {
    /// The views, once the pages' part has installed them.
    static VIEWS: Cell<Option<&'static PartViews>> = const { Cell::new(None) };
    /// The components drawn with [`use_part_views`], drawn again when the views are installed
    /// (whichever of them loaded the part: after a failure, "Try again" in one of them).
    static WATCHERS: RefCell<Vec<Weak<dyn Fn()>>> = const { RefCell::new(Vec::new()) };
}

/// Makes `views` the views the page draws its parts with (the pages' part, once instantiated),
/// and draws again every component that uses them, one per task (each draws a part that was not
/// there: together they would block a phone for over 100 ms; issue #19).
pub fn install(views: &'static PartViews) {
    if installed().is_some_and(|v| std::ptr::eq(v, views)) {
        return;
    }
    VIEWS.with(|v| v.set(Some(views)));
    let watchers: Vec<Rc<dyn Fn()>> = WATCHERS.with(|w| {
        let mut w = w.borrow_mut();
        w.retain(|watcher| watcher.strong_count() > 0);
        w.iter().filter_map(Weak::upgrade).collect()
    });
    for (task, redraw) in (1..).zip(watchers) {
        crate::app::later::after_tasks(task, move || redraw());
    }
}

/// The views, if installed.
pub fn installed() -> Option<&'static PartViews> {
    VIEWS.with(Cell::get)
}

/// Where the views are, for a component that draws a part.
#[derive(Clone)]
enum PartState {
    /// Not there yet (loading, or not yet wanted).
    Waiting,
    /// There.
    Ready(&'static PartViews),
    /// The pages' part could not be loaded.
    Failed(PagesError),
}

/// The views for a component that draws a part, and a callback that tries the load again after a
/// failure. Once `wanted`, the pages' part is loaded (one load for all the page's parts and
/// pages, [`browser::pages::load`]); the component is drawn again when the views are installed.
#[hook]
fn use_part_views(wanted: bool) -> (PartState, Callback<MouseEvent>) {
    let failed = use_state(|| None::<PagesError>);
    let attempt = use_state(|| 0u32);
    let redraw = use_force_update();
    let views = installed();
    {
        use_effect_with((), move |_| {
            // Watching while the component lives, unless the views are there already.
            let watcher: Option<Rc<dyn Fn()>> = installed().is_none().then(|| {
                let watcher: Rc<dyn Fn()> = Rc::new(move || redraw.force_update());
                WATCHERS.with(|w| {
                    let mut w = w.borrow_mut();
                    w.retain(|gone| gone.strong_count() > 0);
                    w.push(Rc::downgrade(&watcher));
                });
                watcher
            });
            move || drop(watcher)
        });
    }
    {
        let failed = failed.clone();
        use_effect_with((wanted && views.is_none(), *attempt), move |&(load, _)| {
            if load {
                browser::spawn(async move {
                    // Once loaded, the part installs its views, which draws this
                    // component again.
                    if let Err(e) = browser::pages::load().await {
                        failed.set(Some(e));
                    }
                });
            }
        });
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

/// Properties of [`PartSlot`].
#[derive(Properties, PartialEq)]
pub struct PartSlotProps {
    /// The part, with its properties.
    pub part: InPart,
    /// Whether to load the pages' part for it now (until then it stands in; another part may
    /// have it loaded anyway).
    #[prop_or(true)]
    pub wanted: bool,
}

/// A part the pages' part draws ([`InPart`]), in the page's tree: once the views are there, the
/// part itself; until then what stands in for it. Only this component is drawn again when the
/// views come, not the page around it.
#[component]
pub fn PartSlot(props: &PartSlotProps) -> Html {
    let (state, retry) = use_part_views(props.wanted);
    let part = &props.part;
    match state {
        PartState::Ready(views) => (views.draw)(part.clone()),
        PartState::Waiting => part.standing_in(loading_or_failed(part.label(), None, retry)),
        PartState::Failed(message) => {
            part.standing_in(loading_or_failed(part.label(), Some(&message), retry))
        }
    }
}
