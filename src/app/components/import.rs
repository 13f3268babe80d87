//! The Import page: portfolio rows from CSV or XLSX files or pasted from a spreadsheet, and
//! supplier declarations (RMI CMRT and EMRT files). Files are read in a Web Worker loaded on the
//! first import; the page maps the columns, shows every problem by row and column, summarises
//! the declarations, and changes the portfolio only when the user confirms (one undoable step).

use crate::app::format::{country_name, material_name};
pub use crate::app::forms::import::{ImportAction, ImportState, TableReview};
use crate::app::route::Route;
use crate::app::state::Action;
use crate::import::column_name;
use crate::import::rmi::{Declaration, material_sourcing};
use crate::import::table::{Column, Mode, headers, template_csv};
use crate::portfolio::RawPortfolio;
use std::rc::Rc;
use yew::prelude::*;

/// Preview rows shown per table.
const PREVIEW_ROWS: usize = 8;
/// Problems listed per table (all are counted).
const LISTED_MESSAGES: usize = 100;

/// Properties of [`ImportPage`].
#[derive(Properties, PartialEq)]
pub struct ImportProps {
    /// The portfolio the import changes.
    pub portfolio: Rc<RawPortfolio>,
    /// Receives the [`Action::Load`] of the confirmed import.
    pub on_action: Callback<Action>,
}

/// The template CSV as a `data:` address for a download link.
fn template_href() -> String {
    let mut href = String::from("data:text/csv;charset=utf-8,");
    for byte in template_csv().bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.".contains(&byte) {
            href.push(char::from(byte));
        } else {
            href.push_str(&format!("%{byte:02X}"));
        }
    }
    href
}

/// The Import page.
#[component]
pub fn ImportPage(props: &ImportProps) -> Html {
    let state = use_reducer(ImportState::default);
    let worker = use_mut_ref(|| None::<worker_handle::Handle>);
    // The files and text of the last job, for "Try again" after its worker stopped.
    let last_input = use_mut_ref(|| None::<(Vec<web_sys::File>, Option<String>)>);
    let paste = use_state(String::new);
    let dragging = use_state(|| false);

    let start = {
        let (state, worker, last_input) = (state.clone(), worker.clone(), last_input.clone());
        Callback::from(move |(files, text): (Vec<web_sys::File>, Option<String>)| {
            let total = files.len() + usize::from(text.is_some());
            if total == 0 {
                return;
            }
            *last_input.borrow_mut() = Some((files.clone(), text.clone()));
            let job = state.job + 1;
            state.dispatch(ImportAction::Start { job, total });
            let on_message = {
                let state = state.clone();
                Callback::from(move |m| state.dispatch(ImportAction::Message(m)))
            };
            let handle = worker_handle::start(job, files, text, on_message);
            if let Some(old) = worker.borrow_mut().replace(handle) {
                old.stop();
            }
        })
    };
    let on_files = start.reform(|e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        let files = file_list(input.files());
        input.set_value("");
        (files, None)
    });
    let on_drop = {
        let (start, dragging) = (start.clone(), dragging.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            let files = file_list(e.data_transfer().and_then(|d| d.files()));
            start.emit((files, None));
        })
    };
    let on_drag_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let on_drag_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let on_paste_input = {
        let paste = paste.clone();
        Callback::from(move |e: InputEvent| {
            paste.set(
                e.target_unchecked_into::<web_sys::HtmlTextAreaElement>()
                    .value(),
            )
        })
    };
    let read_paste = {
        let (start, paste) = (start.clone(), paste.clone());
        Callback::from(move |_: MouseEvent| {
            if !paste.trim().is_empty() {
                start.emit((Vec::new(), Some((*paste).clone())));
            }
        })
    };
    let cancel = {
        let (state, worker) = (state.clone(), worker.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(handle) = worker.borrow_mut().take() {
                handle.stop();
            }
            state.dispatch(ImportAction::Cancel);
        })
    };
    let retry = {
        let (start, last_input) = (start.clone(), last_input.clone());
        Callback::from(move |_: MouseEvent| {
            let input = last_input.borrow().clone();
            if let Some(input) = input {
                start.emit(input);
            }
        })
    };
    let clear = on(&state, |_: MouseEvent| ImportAction::Clear);
    let confirm = {
        let (state, on_action, portfolio) = (
            state.clone(),
            props.on_action.clone(),
            props.portfolio.clone(),
        );
        Callback::from(move |_: MouseEvent| match state.apply(&portfolio) {
            Ok(next) => {
                on_action.emit(Action::Load(next));
                state.dispatch(ImportAction::Clear);
                go_to(Route::Calculator);
            }
            Err(error) => state.dispatch(ImportAction::Refused(error)),
        })
    };
    let mode = state.mode.unwrap_or(Mode::Append);
    let set_mode = |m: Mode| on(&state, move |_: Event| ImportAction::SetMode(m));

    html! {
        <>
            <h1>{ "Import" }</h1>
            <p class="lede">{ "Bring in your portfolio from a spreadsheet, or your suppliers' smelter lists from RMI declarations (CMRT 6.x, EMRT 1.x and 2.x). Files are read here in your browser; nothing is uploaded. Nothing changes until you confirm, and Undo reverts an import." }</p>
            <section class="card" aria-labelledby="import-choose">
                <h2 id="import-choose">{ "1. Choose files or paste rows" }</h2>
                <div class={classes!("drop-zone", (*dragging).then_some("dragging"))}
                    ondragover={on_drag_over} ondragleave={on_drag_leave} ondrop={on_drop}
                    data-testid="import-drop">
                    <label for="import-files">{ "Files: CSV or XLSX portfolios, CMRT or EMRT declarations (several at once, one per supplier; up to 20 MB and 50,000 rows each)" }</label>
                    <input id="import-files" type="file" multiple=true
                        accept=".csv,.tsv,.txt,.xlsx,.xlsm" onchange={on_files} data-testid="import-files" />
                    <p class="small muted">{ "or drop files here" }</p>
                </div>
                <div class="field">
                    <label for="import-paste">{ "Or paste rows copied from a spreadsheet (with or without the header row)" }</label>
                    <textarea id="import-paste" rows="4" value={(*paste).clone()} oninput={on_paste_input}
                        data-testid="import-paste" />
                </div>
                <p class="start-actions">
                    <button type="button" class="secondary" onclick={read_paste}
                        disabled={paste.trim().is_empty()} data-testid="import-read-paste">{ "Read pasted rows" }</button>
                    <a href={template_href()} download="chokepoint-portfolio-template.csv"
                        data-testid="import-template">{ "Download the CSV template" }</a>
                </p>
            </section>
            if let Some((done, total, file)) = &state.reading {
                <section class="card" aria-labelledby="import-reading">
                    <h2 id="import-reading">{ "Reading…" }</h2>
                    <p role="status" data-testid="import-progress">
                        { format!("File {} of {}{}", (done + 1).min(*total), total, if file.is_empty() { String::new() } else { format!(": {file}") }) }
                    </p>
                    <progress max={total.to_string()} value={done.to_string()} aria-label="Files read" />
                    <p><button type="button" onclick={cancel} data-testid="import-cancel">{ "Cancel" }</button></p>
                </section>
            }
            if let Some(message) = &state.stopped {
                <section class="card" role="alert" data-testid="import-stopped">
                    <h2>{ "Reading stopped" }</h2>
                    <p>{ format!("The files could not be read: {message}. Nothing was imported, and your portfolio is unchanged.") }</p>
                    <p><button type="button" onclick={retry} data-testid="import-retry">{ "Try again" }</button></p>
                </section>
            }
            if !state.failures.is_empty() {
                <section class="card" role="alert" data-testid="import-failures">
                    <h2>{ "Files not read" }</h2>
                    <ul>
                        for (name, message) in state.failures.iter() {
                            <li><strong>{ name }</strong>{ ": " }{ message }</li>
                        }
                    </ul>
                </section>
            }
            for (index, review) in state.tables.iter().enumerate() {
                { table_review(index, review, &state) }
            }
            if !state.declarations.is_empty() {
                { declarations_review(&state.declarations) }
            }
            if state.has_results() {
                <section class="card" aria-labelledby="import-confirm-heading">
                    <h2 id="import-confirm-heading">{ "3. Confirm" }</h2>
                    if !state.tables.is_empty() {
                        <fieldset>
                            <legend>{ "Imported lines" }</legend>
                            <label><input type="radio" name="import-mode" checked={mode == Mode::Append}
                                onchange={set_mode(Mode::Append)} data-testid="import-mode-append" />{ " are added to the portfolio" }</label>
                            <label><input type="radio" name="import-mode" checked={mode == Mode::Replace}
                                onchange={set_mode(Mode::Replace)} data-testid="import-mode-replace" />{ " replace the portfolio's lines" }</label>
                        </fieldset>
                    }
                    if !state.declarations.is_empty() {
                        <p class="small">{ "Declarations set the refining mix (and, from an EMRT 2.x Mine List, the mining mix) of every line of each declared material; a material without a line gets a new line whose spend you fill in." }</p>
                    }
                    if let Some(error) = &state.refused {
                        <p class="notice" role="alert" data-testid="import-refused">
                            { format!("Nothing was imported: the portfolio would be too large ({error}). Import fewer rows, or replace the portfolio's lines instead of adding to them.") }
                        </p>
                    }
                    <p class="start-actions">
                        <button type="button" onclick={confirm} data-testid="import-confirm">{ "Import into the portfolio" }</button>
                        <button type="button" class="secondary" onclick={clear}>{ "Discard" }</button>
                    </p>
                </section>
            }
            <p><a href={Route::Calculator.hash()}>{ "Back to the calculator" }</a></p>
        </>
    }
}

fn table_review(index: usize, review: &TableReview, state: &UseReducerHandle<ImportState>) -> Html {
    let names = headers(&review.table, review.header);
    let conversion = review.conversion();
    let first = review.header.map_or(0, |h| h + 1);
    let on_header = on(state, move |e: Event| ImportAction::SetHeader {
        table: index,
        header: e
            .target_unchecked_into::<web_sys::HtmlInputElement>()
            .checked(),
    });
    let heading = format!("import-table-{index}");
    html! {
        <section class="card" aria-labelledby={heading.clone()} data-testid="import-table">
            <h2 id={heading}>{ format!("2. Map the columns of {}", review.name) }</h2>
            <p><label><input type="checkbox" checked={review.header.is_some()} onchange={on_header}
                data-testid="import-has-header" />{ " The table has a header row" }</label>
                if let Some(h) = review.header.and_then(|h| review.table.rows.get(h)) {
                    <span class="small muted">{ format!(" (row {})", h.number) }</span>
                }
            </p>
            <div class="mapping-grid">
                for (column, name) in names.iter().enumerate() {
                    { column_select(index, column, name, review.mapping.get(column).copied().unwrap_or(Column::Ignore), state) }
                }
            </div>
            <div class="table-scroll" tabindex="0" role="region" aria-label={format!("Preview of {}", review.name)}>
                <table class="small" data-testid="import-preview">
                    <caption>{ format!("Preview: the first {} of {} rows", PREVIEW_ROWS.min(conversion.lines.len()), conversion.lines.len()) }</caption>
                    <thead><tr>
                        <th scope="col">{ "Row" }</th>
                        for (column, name) in names.iter().enumerate() {
                            <th scope="col">{ format!("{} ({})", name, review.mapping.get(column).copied().unwrap_or(Column::Ignore).label()) }</th>
                        }
                    </tr></thead>
                    <tbody>
                        for row in review.table.rows.iter().skip(first).take(PREVIEW_ROWS) {
                            <tr>
                                <th scope="row">{ row.number }</th>
                                for column in 0..names.len() {
                                    <td class={conversion.messages.iter().any(|m| m.row == row.number && m.column == column).then_some("cell-error")}>{ row.cell(column) }</td>
                                }
                            </tr>
                        }
                    </tbody>
                </table>
            </div>
            if conversion.messages.is_empty() {
                <p data-testid="import-messages">{ format!("{}, no problems found.", count(conversion.lines.len(), "line")) }</p>
            } else {
                <div data-testid="import-messages">
                    <p>{ format!("{}; {}. Lines with problems are imported as typed, and the editor marks what to fix.", count(conversion.lines.len(), "line"), count(conversion.messages.len(), "problem")) }</p>
                    <ul class="small">
                        for message in conversion.messages.iter().take(LISTED_MESSAGES) {
                            <li>{ message.to_string() }</li>
                        }
                    </ul>
                    if conversion.messages.len() > LISTED_MESSAGES {
                        <p class="small muted">{ format!("and {} more", conversion.messages.len() - LISTED_MESSAGES) }</p>
                    }
                </div>
            }
        </section>
    }
}

fn column_select(
    table: usize,
    column: usize,
    name: &str,
    current: Column,
    state: &UseReducerHandle<ImportState>,
) -> Html {
    let id = format!("import-map-{table}-{column}");
    let on_change = on(state, move |e: Event| ImportAction::SetColumn {
        table,
        column,
        target: Column::from_id(
            &e.target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value(),
        )
        .unwrap_or(Column::Ignore),
    });
    html! {
        <div class="field">
            <label for={id.clone()}>{ format!("Column {}: {}", column_name(column), name) }</label>
            <select id={id} onchange={on_change} data-testid={format!("import-map-{column}")}>
                for target in Column::ALL {
                    <option value={target.id()} selected={target == current}>{ target.label() }</option>
                }
            </select>
        </div>
    }
}

fn declarations_review(declarations: &[Declaration]) -> Html {
    let reference = crate::reference::embedded();
    let (sourcing, notes) = material_sourcing(declarations, reference);
    let mix_text = |counts: &[(crate::model::CountryCode, usize)]| {
        counts
            .iter()
            .map(|(code, n)| format!("{} {n}", country_name(reference, *code)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    html! {
        <section class="card" aria-labelledby="import-declarations" data-testid="import-declarations">
            <h2 id="import-declarations">{ "2. Supplier declarations" }</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Smelters and refiners per file">
                <table class="small">
                    <caption>{ "Smelters and refiners per file and metal (duplicates removed; contact names, e-mails and phones are never read)" }</caption>
                    <thead><tr>
                        <th scope="col">{ "File" }</th><th scope="col">{ "Template" }</th><th scope="col">{ "Company" }</th>
                        <th scope="col">{ "Metal" }</th><th scope="col" class="num">{ "Identified" }</th>
                        <th scope="col" class="num">{ "Not listed" }</th><th scope="col" class="num">{ "Not yet identified" }</th>
                        <th scope="col" class="num">{ "Other unidentified" }</th><th scope="col" class="num">{ "Duplicates" }</th>
                        <th scope="col" class="num">{ "Mines" }</th>
                    </tr></thead>
                    <tbody>
                        for d in declarations.iter() {
                            for m in d.metals.iter() {
                                <tr>
                                    <td>{ &d.file_name }</td>
                                    <td>{ format!("{} {}", d.family.label(), d.version) }</td>
                                    <td>{ d.company.clone().unwrap_or_default() }</td>
                                    <td>{ &m.metal }</td>
                                    <td class="num">{ m.identified }</td>
                                    <td class="num">{ m.not_listed }</td>
                                    <td class="num">{ m.not_yet_identified }</td>
                                    <td class="num">{ m.unmatched }</td>
                                    <td class="num">{ m.duplicates }</td>
                                    <td class="num">{ m.mines }</td>
                                </tr>
                            }
                        }
                    </tbody>
                </table>
            </div>
            <h3>{ "Resulting country mixes, by number of facilities" }</h3>
            <p class="small muted">{ "Each country's share is its number of distinct identified facilities over all of them, across every file: a count of smelters or mines, not tonnage (declarations do not say how much comes from each)." }</p>
            <ul data-testid="import-mixes">
                for m in sourcing.iter() {
                    <li>
                        <strong>{ material_name(reference, &m.material) }</strong>
                        { format!(" (from {}): ", count(m.suppliers, "file")) }
                        if m.refining.is_empty() { { "no identified smelter with a country" } } else { { format!("refining, facility count: {}", mix_text(&m.refining)) } }
                        if !m.mining.is_empty() { { format!("; mining, facility count: {}", mix_text(&m.mining)) } }
                        if m.unidentified > 0 { { format!("; {} unidentified smelters not counted", m.unidentified) } }
                        if m.unknown_country > 0 { { format!("; {} without a known country", m.unknown_country) } }
                    </li>
                }
            </ul>
            if declarations.iter().any(|d| !d.notes.is_empty()) || !notes.is_empty() {
                <ul class="small">
                    for note in notes.iter().chain(declarations.iter().flat_map(|d| d.notes.iter())) {
                        <li>{ note }</li>
                    }
                </ul>
            }
        </section>
    }
}

/// `1 line`, `3 lines`.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// A callback that dispatches the action `f` makes of an event.
fn on<E: 'static>(
    state: &UseReducerHandle<ImportState>,
    f: impl Fn(E) -> ImportAction + 'static,
) -> Callback<E> {
    let dispatcher = state.dispatcher();
    Callback::from(move |e| dispatcher.dispatch(f(e)))
}

fn file_list(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

fn go_to(route: Route) {
    crate::app::browser::set_hash(route.hash());
}

/// Starting the import worker ([`crate::app::browser::worker`]; natively there is none).
mod worker_handle {
    use crate::app::browser::worker;
    pub use crate::app::browser::worker::Handle;
    use crate::app::import_job::ImportMessage;
    use yew::Callback;

    /// Starts a worker and hands it the files and the pasted text once it is ready; natively
    /// reports that the import runs in the browser.
    pub fn start(
        id: u32,
        files: Vec<web_sys::File>,
        paste: Option<String>,
        on_message: Callback<ImportMessage>,
    ) -> Handle {
        let request = move || {
            use wasm_bindgen::JsValue;
            let request = js_sys::Object::new();
            let list = js_sys::Array::new();
            for file in &files {
                list.push(file);
            }
            let paste = paste.map(JsValue::from).unwrap_or(JsValue::NULL);
            for (key, value) in [
                ("id", JsValue::from(id)),
                ("files", list.into()),
                ("paste", paste),
            ] {
                let _ = js_sys::Reflect::set(&request, &key.into(), &value);
            }
            request.into()
        };
        let started = worker::start(
            "import-worker",
            request,
            |m| matches!(m, ImportMessage::Ready),
            on_message.clone(),
            move |message| ImportMessage::Stopped { id, message },
        );
        started.unwrap_or_else(|worker::NoWorkers| {
            on_message.emit(ImportMessage::Failed {
                id,
                message: "the import runs in the browser".into(),
            });
            Handle::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::template_href;

    /// Natively there is no worker: the page hears once, as a failure of its job, that the
    /// import runs in the browser.
    #[test]
    fn without_a_browser_the_import_fails_with_where_it_runs() {
        use crate::app::import_job::ImportMessage;
        use std::cell::RefCell;
        use std::rc::Rc;
        let heard = Rc::new(RefCell::new(Vec::new()));
        let on_message = {
            let heard = heard.clone();
            yew::Callback::from(move |m: ImportMessage| heard.borrow_mut().push(m))
        };
        super::worker_handle::start(3, Vec::new(), Some("a,b".into()), on_message).stop();
        let heard = heard.borrow();
        assert_eq!(heard.len(), 1);
        assert!(matches!(
            &heard[0],
            ImportMessage::Failed { id: 3, message } if message == "the import runs in the browser"
        ));
    }

    #[test]
    fn template_link_is_a_csv_data_address() {
        let href = template_href();
        assert!(href.starts_with("data:text/csv;charset=utf-8,material%2Clabel%2Cspend"));
    }
}
