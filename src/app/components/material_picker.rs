//! The searchable material picker: an editable combobox with a listbox popup (WAI-ARIA 1.2
//! combobox pattern, <https://www.w3.org/TR/wai-aria-1.2/#combobox>, and the APG example
//! "Editable Combobox With List Autocomplete"). Typing filters the catalogue by name, element
//! symbol, id or synonym; arrows, Home and End move through the list, Enter picks, Escape
//! closes it. What the user typed stays in the box until it is picked or left: leaving the box
//! commits the text as typed (or the material it names exactly), so that a material the
//! catalogue lacks keeps its text next to the validation message.

use crate::reference::{Material, ReferenceData};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Properties of [`MaterialPicker`].
#[derive(Properties, PartialEq)]
pub struct MaterialPickerProps {
    /// The input's id (its label points at it).
    pub id: AttrValue,
    /// The material as stored: a catalogue id, or the text typed when it is none.
    pub value: AttrValue,
    /// Validation messages for the field, shown under it.
    pub messages: Vec<String>,
    /// Called with the catalogue id picked, or the text typed when it names no material.
    pub on_change: Callback<String>,
}

/// The catalogue's materials matching `query`, best match first (the core's search,
/// [`ReferenceData::search_materials`]).
pub fn filter_materials<'r>(reference: &'r ReferenceData, query: &str) -> Vec<&'r Material> {
    reference.search_materials(query)
}

/// What to store for text left in the box: the id of the one material it names (id, alias, name
/// or symbol, [`ReferenceData::resolve_material`]), else the text exactly as typed.
pub fn resolve(reference: &ReferenceData, text: &str) -> String {
    reference
        .resolve_material(text)
        .map_or_else(|_| text.to_string(), |m| m.id.clone())
}

/// The text shown for a stored value: the material's name, or the stored text itself.
fn shown(reference: &ReferenceData, value: &str) -> String {
    reference
        .material(value)
        .map_or_else(|| value.to_string(), |m| m.name.clone())
}

/// The picker.
#[component]
pub fn MaterialPicker(props: &MaterialPickerProps) -> Html {
    let reference = crate::reference::embedded_current();
    // The text being typed, until it is committed; `None` shows the stored value.
    let draft = use_state(|| None::<String>);
    let open = use_state(|| false);
    let active = use_state(|| None::<usize>);
    let text = (*draft)
        .clone()
        .unwrap_or_else(|| shown(reference, &props.value));
    let query = draft.as_deref().unwrap_or("");
    let options: Vec<&Material> = if *open {
        filter_materials(reference, query)
    } else {
        Vec::new()
    };
    let listbox_id = format!("{}-listbox", props.id);
    let option_id = |m: &Material| format!("{}-opt-{}", props.id, m.id);
    let active_id = (*active).and_then(|i| options.get(i)).map(|m| option_id(m));

    {
        let listbox_id = listbox_id.clone();
        use_effect_with(active_id.clone(), move |active| {
            if let Some(active) = active {
                scroll_into_list(&listbox_id, active);
            }
        });
    }
    let commit = {
        let (draft, open, active, on_change) = (
            draft.clone(),
            open.clone(),
            active.clone(),
            props.on_change.clone(),
        );
        move |value: Option<String>| {
            if let Some(value) = value {
                on_change.emit(value);
            }
            draft.set(None);
            open.set(false);
            active.set(None);
        }
    };
    let oninput = {
        let (draft, open, active) = (draft.clone(), open.clone(), active.clone());
        Callback::from(move |e: InputEvent| {
            draft.set(Some(e.target_unchecked_into::<HtmlInputElement>().value()));
            open.set(true);
            active.set(None);
        })
    };
    // Leaving the box after typing commits the text (read from the box itself, so that a change
    // right after an input event, before a render, is not lost).
    let onchange = {
        let (commit, stored) = (commit.clone(), shown(reference, &props.value));
        Callback::from(move |e: Event| {
            let text = e.target_unchecked_into::<HtmlInputElement>().value();
            if text != stored {
                commit(Some(resolve(reference, &text)));
            }
        })
    };
    let onblur = {
        let (open, active) = (open.clone(), active.clone());
        Callback::from(move |_: FocusEvent| {
            open.set(false);
            active.set(None);
        })
    };
    let onkeydown = {
        let (draft, open, active, commit) =
            (draft.clone(), open.clone(), active.clone(), commit.clone());
        let ids: Vec<String> = options.iter().map(|m| m.id.clone()).collect();
        let count = if *open {
            ids.len()
        } else {
            filter_materials(reference, query).len()
        };
        Callback::from(move |e: KeyboardEvent| {
            let last = count.checked_sub(1);
            let move_to = |target: Option<usize>| {
                open.set(true);
                active.set(target);
            };
            match e.key().as_str() {
                "ArrowDown" => {
                    e.prevent_default();
                    let next = match (*open, *active, e.alt_key()) {
                        (false, _, true) => None,
                        (_, Some(i), _) if Some(i) < last => Some(i + 1),
                        (_, Some(_), _) => Some(0),
                        (_, None, _) => last.map(|_| 0),
                    };
                    move_to(next);
                }
                "ArrowUp" => {
                    e.prevent_default();
                    let next = match *active {
                        Some(i) if i > 0 => Some(i - 1),
                        _ => last,
                    };
                    move_to(next);
                }
                "Home" | "End" if *open && active.is_some() => {
                    e.prevent_default();
                    move_to(if e.key() == "Home" {
                        last.map(|_| 0)
                    } else {
                        last
                    });
                }
                "Enter" => {
                    let picked = (*active).and_then(|i| ids.get(i)).cloned();
                    match (picked, &*draft) {
                        (Some(id), _) => {
                            e.prevent_default();
                            commit(Some(id));
                        }
                        (None, Some(text)) => {
                            e.prevent_default();
                            commit(Some(resolve(reference, text)));
                        }
                        (None, None) => {}
                    }
                }
                "Escape" if *open => {
                    e.prevent_default();
                    open.set(false);
                    active.set(None);
                }
                _ => {}
            }
        })
    };
    let pick = |m: &Material| {
        let (commit, id) = (commit.clone(), m.id.clone());
        Callback::from(move |_: MouseEvent| commit(Some(id.clone())))
    };
    // Keeps focus in the box while an option is clicked.
    let keep_focus = Callback::from(|e: MouseEvent| e.prevent_default());
    let invalid = !props.messages.is_empty();
    let error_id = format!("{}-error", props.id);
    html! {
        <div class="combobox">
            <input id={props.id.clone()} type="text" role="combobox" value={text}
                autocomplete="off" spellcheck="false"
                aria-autocomplete="list" aria-expanded={if *open { "true" } else { "false" }}
                aria-controls={listbox_id.clone()} aria-activedescendant={active_id}
                aria-invalid={invalid.then_some("true")}
                aria-describedby={invalid.then_some(error_id.clone())}
                placeholder="Type a name or symbol"
                data-testid="material-input"
                {oninput} {onchange} {onblur} {onkeydown} />
            <ul id={listbox_id} role="listbox" class="combobox-list" hidden={!*open}
                aria-label="Materials" onmousedown={keep_focus}>
                for (i, m) in options.iter().enumerate() {
                    <li id={option_id(m)} role="option" class="combobox-option"
                        aria-selected={if Some(i) == *active { "true" } else { "false" }}
                        onclick={pick(m)}>
                        { &m.name }
                        if !m.symbols.is_empty() {
                            <span class="muted small">{ format!(" {}", m.symbols.join(", ")) }</span>
                        }
                    </li>
                }
                if options.is_empty() && *open {
                    <li role="option" aria-disabled="true" aria-selected="false" class="muted small">
                        { "No material matches; leave the box to keep your text" }
                    </li>
                }
            </ul>
            if invalid {
                <p class="field-error" id={error_id}>{ props.messages.join("; ") }</p>
            }
        </div>
    }
}

/// Scrolls the listbox `list` just enough to show its option `option` (the active descendant
/// does not move focus, so the browser does not scroll by itself).
fn scroll_into_list(list: &str, option: &str) {
    crate::app::browser::scroll_into_list(list, option);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::embedded;

    fn ids(query: &str) -> Vec<String> {
        filter_materials(embedded(), query)
            .into_iter()
            .map(|m| m.id.clone())
            .collect()
    }

    #[test]
    fn filters_by_name_symbol_id_and_synonym() {
        assert_eq!(ids("").len(), embedded().materials.len());
        assert_eq!(ids("gallium").first().map(String::as_str), Some("gallium"));
        // The symbol puts the exact element first, ahead of names that merely contain "ga".
        assert_eq!(ids("Ga").first().map(String::as_str), Some("gallium"));
        assert!(ids("rare_earths").contains(&"rare_earths".to_string()));
        assert!(ids("aluminum").contains(&"aluminium".to_string()));
        assert!(ids("zzz-not-a-material").is_empty());
        for m in filter_materials(embedded(), "lith") {
            assert!(m.name.to_lowercase().contains("lith") || m.id.contains("lith"));
        }
    }

    #[test]
    fn text_left_in_the_box_resolves_or_is_kept_as_typed() {
        let reference = embedded();
        assert_eq!(resolve(reference, "Gallium"), "gallium");
        assert_eq!(resolve(reference, "Ga"), "gallium");
        assert_eq!(resolve(reference, "aluminum"), "aluminium");
        assert_eq!(resolve(reference, "unobtainium "), "unobtainium ");
        // A symbol that several materials share names the element alone; else the text stays.
        assert_eq!(resolve(reference, "Nd"), "neodymium");
        assert_eq!(resolve(reference, "Si"), "Si");
    }
}
