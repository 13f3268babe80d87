//! The notice shown while autosave is paused ([`Pause`]): why, and the ways to resume that the
//! pause allows ("Load the newer version", "Keep this one (save over it)").

use crate::portfolio::autosave::Pause;
use yew::prelude::*;

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

/// The notice for `pause`, with "Load" calling `on_load` (offered when [`Pause::can_load`]) and
/// "Keep this one" calling `on_keep` (offered when [`Pause::can_keep`]). A plain function rather
/// than a component: it has no state, and the first-load bundle stays smaller.
pub fn autosave_notice(
    pause: Pause,
    on_load: Callback<MouseEvent>,
    on_keep: Callback<MouseEvent>,
) -> Html {
    let load_label = match pause {
        Pause::Unkept => "Load my previous work",
        _ => "Load the newer version",
    };
    let keep_label = match pause {
        Pause::Conflict | Pause::Unkept => "Keep this one (save over it)",
        _ => "Autosave this portfolio (replaces the saved one)",
    };
    html! {
        <div class="notice autosave-notice no-print" role="alert" data-testid="autosave-paused">
            <p>{ explanation(pause) }</p>
            <div class="toolbar">
                if pause.can_load() {
                    <button type="button" onclick={on_load} data-testid="autosave-load">{ load_label }</button>
                }
                if pause.can_keep() {
                    <button type="button" class="secondary" onclick={on_keep} data-testid="autosave-keep">{ keep_label }</button>
                }
            </div>
        </div>
    }
}
