//! Save, share and export: the share link, the JSON file (download and open), the results as
//! CSV and XLSX, and the portfolios saved in this browser (save as, open, rename, delete).

use crate::analysis::export::ResultsKind;
use crate::analysis::policy::Date;
use crate::app::download::{download, file_stem};
use crate::app::results::Derived;
use crate::app::state::Action;
use crate::app::storage;
use crate::portfolio::RawPortfolio;
use crate::portfolio::share::{MAX_LINK_PAYLOAD, fits_in_link, hash_with_payload, stamped};
use std::rc::Rc;
use yew::prelude::*;

/// The largest JSON file opened, in bytes (larger files are refused before reading).
pub const MAX_IMPORT_BYTES: f64 = 20.0 * 1024.0 * 1024.0;

/// Properties of [`SharePanel`].
#[derive(Properties, PartialEq, Clone)]
pub struct SharePanelProps {
    /// The portfolio as typed.
    pub portfolio: Rc<RawPortfolio>,
    /// The results derived from it.
    pub derived: Rc<Derived>,
    /// The policy date the results were assessed on (the results files use the same).
    #[prop_or_default]
    pub date: Option<Date>,
    /// Called to load a portfolio (one undoable step).
    pub on_action: Callback<Action>,
}

/// A message in the panel: `true` for an error.
type Message = Option<(bool, String)>;

/// The panel.
#[component]
pub fn SharePanel(props: &SharePanelProps) -> Html {
    let message = use_state(|| None::<(bool, String)>);
    let link = use_state(|| None::<String>);
    let saved = use_state(storage::saved_names);
    // Read again when saves changed elsewhere (work kept before a share link, another tab).
    let version = use_context::<crate::app::SavedListVersion>();
    {
        let saved = saved.clone();
        use_effect_with(version, move |_| saved.set(storage::saved_names()));
    }
    let save_name = use_state(String::new);
    let stem = file_stem(props.portfolio.name.as_deref(), "portfolio");

    let say = {
        let message = message.clone();
        move |error: bool, text: String| message.set(Some((error, text)))
    };

    let on_share = {
        let portfolio = props.portfolio.clone();
        let link = link.clone();
        let say = say.clone();
        // The payload is made by the pages' part (src/app/lazy.rs loads it): the DEFLATE
        // compressor is no part of the first page load.
        Callback::from(move |_: MouseEvent| {
            let portfolio = portfolio.clone();
            let link = link.clone();
            let say = say.clone();
            say(false, "Making the link…".into());
            spawn(async move {
                let payload = match crate::app::lazy::share_payload(&portfolio).await {
                    Ok(payload) => payload,
                    Err(e) => {
                        link.set(None);
                        say(true, format!("The link could not be made: {e}"));
                        return;
                    }
                };
                show_link(&payload, &link, say);
            });
        })
    };

    let on_json = {
        let portfolio = props.portfolio.clone();
        let say = say.clone();
        let stem = stem.clone();
        Callback::from(move |_: MouseEvent| {
            let text = stamped(&portfolio).to_json();
            if let Err(e) = download(&format!("{stem}.json"), "application/json", text.as_bytes()) {
                say(true, e.to_string());
            }
        })
    };

    let on_open_file = {
        let on_action = props.on_action.clone();
        let say = say.clone();
        Callback::from(move |event: Event| open_file(event, on_action.clone(), say.clone()))
    };

    // The writers are in the pages' part (src/app/lazy.rs loads it), which assesses the same portfolio
    // on the same date: the CSV and XLSX code is no part of the first page load.
    let on_table = |kind: ResultsKind| {
        let portfolio = props.portfolio.clone();
        let date = props.date;
        let say = say.clone();
        Callback::from(move |_: MouseEvent| {
            let portfolio = portfolio.clone();
            let say = say.clone();
            spawn(async move {
                let failure = match crate::app::lazy::results_file(&portfolio, date, kind).await {
                    Ok(file) => download(&file.name, file.mime, &file.bytes)
                        .err()
                        .map(|e| e.to_string()),
                    Err(e) => Some(e.to_string()),
                };
                if let Some(e) = failure {
                    say(true, format!("The file could not be written: {e}"));
                }
            });
        })
    };
    let no_results = props.derived.assessment.is_none();

    let on_name = text_into(save_name.clone());
    let on_save = {
        let portfolio = props.portfolio.clone();
        let save_name = save_name.clone();
        let saved = saved.clone();
        let say = say.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match storage::save_as(&save_name, &portfolio) {
                Ok(()) => {
                    say(false, format!("Saved as \"{}\".", save_name.trim()));
                    save_name.set(String::new());
                }
                Err(error) => say(true, error.to_string()),
            }
            saved.set(storage::saved_names());
        })
    };

    html! {
        <section class="card share-panel no-print" aria-labelledby="share-title">
            <h2 id="share-title">{ "Save, share and export" }</h2>
            <div class="toolbar">
                <button type="button" onclick={on_share} data-testid="share-link">{ "Create share link" }</button>
                <button type="button" class="secondary" onclick={on_json} data-testid="download-json">{ "Download JSON" }</button>
            </div>
            if let Some(url) = &*link {
                <div class="field">
                    <label for="share-url">{ "Share link (the portfolio is in the part after #, which browsers never send to a server)" }</label>
                    <input id="share-url" type="text" readonly=true value={url.clone()} data-testid="share-url" />
                </div>
            }
            <div class="field">
                <label for="open-json">{ "Open a portfolio JSON file (any earlier version)" }</label>
                <input id="open-json" type="file" accept=".json,application/json" onchange={on_open_file} data-testid="open-json" />
            </div>
            <h3>{ "Download the analysis" }</h3>
            <div class="toolbar">
                <button type="button" class="secondary" onclick={on_table(ResultsKind::Lines)} disabled={no_results} data-testid="export-lines-csv">{ "Per line (CSV)" }</button>
                <button type="button" class="secondary" onclick={on_table(ResultsKind::Materials)} disabled={no_results} data-testid="export-materials-csv">{ "Per material and stage (CSV)" }</button>
                <button type="button" class="secondary" onclick={on_table(ResultsKind::Chokepoints)} disabled={no_results} data-testid="export-chokepoints-csv">{ "Chokepoint ranking (CSV)" }</button>
                <button type="button" class="secondary" onclick={on_table(ResultsKind::Workbook)} disabled={no_results} data-testid="export-xlsx">{ "All three (XLSX)" }</button>
            </div>
            if no_results {
                <p class="muted small">{ "The analysis can be downloaded once the portfolio has a valid line." }</p>
            }
            <h3>{ "Saved in this browser" }</h3>
            <form class="toolbar" onsubmit={on_save}>
                <label for="save-name" class="visually-hidden">{ "Name to save the portfolio under" }</label>
                <input id="save-name" type="text" placeholder="Name" value={(*save_name).clone()} oninput={on_name} data-testid="save-name" />
                <button type="submit" class="secondary" data-testid="save-as">{ "Save as" }</button>
            </form>
            if saved.is_empty() {
                <p class="muted small">{ "No saved portfolios yet." }</p>
            } else {
                <ul class="saved-list" data-testid="saved-list">
                    { for saved.iter().map(|name| html! {
                        <SavedRow key={name.clone()} name={AttrValue::from(name.clone())}
                            on_action={props.on_action.clone()} saved={saved.clone()} message={message.clone()} />
                    }) }
                </ul>
            }
            if let Some((error, text)) = &*message {
                <p class={if *error { "field-error" } else { "muted small" }}
                    role={if *error { "alert" } else { "status" }} data-testid="share-message">{ text.clone() }</p>
            }
        </section>
    }
}

/// Properties of [`SavedRow`].
#[derive(Properties, PartialEq)]
struct SavedRowProps {
    name: AttrValue,
    on_action: Callback<Action>,
    saved: UseStateHandle<Vec<String>>,
    message: UseStateHandle<Message>,
}

/// One saved portfolio: open, rename, delete.
#[component]
fn SavedRow(props: &SavedRowProps) -> Html {
    let new_name = use_state(|| props.name.to_string());
    let name = props.name.clone();
    let finish = {
        let saved = props.saved.clone();
        let message = props.message.clone();
        move |result: Result<String, storage::StoreError>| {
            message.set(Some(match result {
                Ok(text) => (false, text),
                Err(error) => (true, error.to_string()),
            }));
            saved.set(storage::saved_names());
        }
    };
    let on_open = {
        let name = name.clone();
        let on_action = props.on_action.clone();
        let finish = finish.clone();
        Callback::from(move |_: MouseEvent| {
            finish(storage::open(&name).map(|p| {
                on_action.emit(Action::Load(p));
                format!("Opened \"{name}\" (Undo goes back).")
            }))
        })
    };
    let on_rename = {
        let name = name.clone();
        let new_name = new_name.clone();
        let finish = finish.clone();
        Callback::from(move |_: MouseEvent| {
            finish(
                storage::rename(&name, &new_name)
                    .map(|()| format!("Renamed \"{name}\" to \"{}\".", new_name.trim())),
            )
        })
    };
    let on_delete = {
        let name = name.clone();
        Callback::from(move |_: MouseEvent| {
            finish(storage::delete(&name).map(|()| format!("Deleted \"{name}\".")))
        })
    };
    let on_input = text_into(new_name.clone());
    html! {
        <li data-testid="saved-item">
            <strong>{ name.clone() }</strong>
            <button type="button" class="secondary small" onclick={on_open}
                aria-label={format!("Open {name}")}>{ "Open" }</button>
            <input type="text" value={(*new_name).clone()} oninput={on_input}
                aria-label={format!("New name for {name}")} />
            <button type="button" class="secondary small" onclick={on_rename}
                aria-label={format!("Rename {name}")}>{ "Rename" }</button>
            <button type="button" class="secondary small" onclick={on_delete}
                aria-label={format!("Delete {name}")}>{ "Delete" }</button>
        </li>
    }
}

/// A text input's handler that keeps what is typed in `state`.
fn text_into(state: UseStateHandle<String>) -> Callback<InputEvent> {
    Callback::from(move |e: InputEvent| {
        state.set(
            e.target_unchecked_into::<web_sys::HtmlInputElement>()
                .value(),
        )
    })
}

/// The page's address without its fragment.
fn page_address() -> String {
    crate::app::browser::page_address()
}

/// Reads the picked JSON file and loads it, or says what is wrong.
fn open_file(event: Event, on_action: Callback<Action>, say: impl Fn(bool, String) + 'static) {
    let file = match crate::app::browser::take_picked_file(&event) {
        Ok(Some(file)) => file,
        Ok(None) => return,
        Err(error) => return say(true, error.to_string()),
    };
    let name = file.name.clone();
    if file.size > MAX_IMPORT_BYTES {
        say(
            true,
            format!(
                "{name} is {:.1} MB; files over {} MB are not opened.",
                file.size / 1_048_576.0,
                MAX_IMPORT_BYTES / 1_048_576.0
            ),
        );
        return;
    }
    spawn(async move {
        let text = crate::app::browser::file_text(&file).await;
        match text.map(|t| crate::portfolio::schema::import_json(&t)) {
            None => say(true, format!("{name} could not be read.")),
            Some(Err(error)) => say(true, format!("{name}: {error}. Nothing was changed.")),
            Some(Ok(portfolio)) => {
                let lines = portfolio.lines.len();
                on_action.emit(Action::Load(portfolio));
                say(
                    false,
                    format!("Opened {name}: {lines} lines (Undo goes back)."),
                );
            }
        }
    });
}

/// Runs `job` in the browser's event loop; natively, where nothing downloads, it is dropped.
fn spawn(job: impl std::future::Future<Output = ()> + 'static) {
    crate::app::browser::spawn(job);
}

/// Shows the link of `payload`, or why it is too long for one.
fn show_link(payload: &str, link: &UseStateHandle<Option<String>>, say: impl Fn(bool, String)) {
    if fits_in_link(payload) {
        link.set(Some(
            page_address() + &hash_with_payload("#/calculator", payload),
        ));
        say(
            false,
            "Link created: anyone who opens it sees this portfolio.".into(),
        );
    } else {
        link.set(None);
        say(
            true,
            format!(
                "This portfolio needs {} characters in a link, more than the {} a link \
                 can safely carry (mail and chat tools cut longer addresses). Download \
                 it as a JSON file instead and send the file.",
                payload.len(),
                MAX_LINK_PAYLOAD
            ),
        );
    }
}
