//! The notice shown while autosave is paused ([`Pause`]): why, and the ways to resume that the
//! pause allows ("Load the newer version", "Keep this one (save over it)").

use crate::model::autosave::Pause;
use yew::prelude::*;

/// Properties of [`AutosaveNotice`].
#[derive(Properties, PartialEq)]
pub struct AutosaveNoticeProps {
    /// Why autosave is paused.
    pub pause: Pause,
    /// Loads the stored autosave (offered when [`Pause::can_load`]).
    pub on_load: Callback<MouseEvent>,
    /// Saves this tab's portfolio over the stored one (offered when [`Pause::can_keep`]).
    pub on_keep: Callback<MouseEvent>,
}

/// What the notice says for `pause`.
pub fn explanation(pause: Pause) -> &'static str {
    match pause {
        Pause::Conflict => {
            "This portfolio was changed in another tab or window of this browser. Autosave is \
             paused here so that neither version silently overwrites the other."
        }
        Pause::Newer => {
            "Your saved work was made by a newer version of Chokepoint; this version can't read \
             it and won't overwrite it. Autosave is paused: to keep what you do here, use Save \
             as or Download JSON."
        }
        Pause::Skipped => {
            "Chokepoint started empty without reading your autosaved portfolio, which is kept as \
             it was. Autosave is paused so that it is not overwritten; reload to open it again."
        }
        Pause::Blocked => {
            "Autosave is paused so that the unreadable autosaved portfolio is not overwritten."
        }
        Pause::Unkept => {
            "The shared link replaced your portfolio, but your previous work could not be kept \
             as a saved portfolio. Autosave is paused so that it stays stored."
        }
    }
}

/// The notice.
#[component]
pub fn AutosaveNotice(props: &AutosaveNoticeProps) -> Html {
    let load_label = match props.pause {
        Pause::Unkept => "Load my previous work",
        _ => "Load the newer version",
    };
    let keep_label = match props.pause {
        Pause::Conflict | Pause::Unkept => "Keep this one (save over it)",
        _ => "Autosave this portfolio (replaces the saved one)",
    };
    html! {
        <div class="notice no-print" role="alert" data-testid="autosave-paused">
            <p>{ explanation(props.pause) }</p>
            <div class="toolbar">
                if props.pause.can_load() {
                    <button type="button" onclick={props.on_load.clone()} data-testid="autosave-load">{ load_label }</button>
                }
                if props.pause.can_keep() {
                    <button type="button" class="secondary" onclick={props.on_keep.clone()} data-testid="autosave-keep">{ keep_label }</button>
                }
            </div>
        </div>
    }
}
