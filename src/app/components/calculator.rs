//! The Calculator page, answer first: a one-line tool bar (undo, redo, the editor, a "Save,
//! share, export" disclosure, print), the ways to make the portfolio one's own, then the results
//! (headline, top chokepoints and one chart in the first screen; the policy date next to the
//! policy checks it affects), then the editor. Results are derived from the inputs with
//! `use_memo`, never stored; the page derives them without the policy checks, which the table
//! below the first screen adds. The table, the editor and the share panel are drawn by the
//! pages' part of the app once it has loaded (`part_views`).

use crate::analysis::assess::AssessParams;
use crate::analysis::policy::Date;
use crate::app::components::dashboard::Dashboard;
use crate::app::components::editor::EditorProps;
use crate::app::components::part_views::{InPart, PartSlot};
use crate::app::components::report_header::ReportHeader;
use crate::app::components::share_panel::SharePanelProps;
use crate::app::components::start::start_panel;
use crate::app::results::{Derived, derive_without_policy};
use crate::app::state::Action;
use crate::portfolio::RawPortfolio;
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`CalculatorPage`].
#[derive(Properties, PartialEq)]
pub struct CalculatorProps {
    /// The portfolio as typed.
    pub portfolio: Rc<RawPortfolio>,
    /// The date policy checks are made on, as typed (`YYYY-MM-DD`).
    pub policy_date: AttrValue,
    /// Called when the policy date is edited.
    pub on_policy_date: Callback<String>,
    /// Whether there is a step to undo.
    pub can_undo: bool,
    /// Whether there is a step to redo.
    pub can_redo: bool,
    /// Called with each edit.
    pub on_action: Callback<Action>,
}

/// The Calculator page.
#[component]
pub fn CalculatorPage(props: &CalculatorProps) -> Html {
    let portfolio = props.portfolio.clone();
    let date = Date::parse(props.policy_date.trim());
    // A date always: what was typed, or today while it is not a date.
    let today_date = Date::parse(&today()).ok();
    let check_date = date.clone().ok().or(today_date);
    let derived = use_memo((portfolio.clone(), check_date), |(portfolio, date)| {
        take_prepared(portfolio, *date).unwrap_or_else(|| derive_on(portfolio, *date))
    });
    SHOWN.with(|s| *s.borrow_mut() = Some((portfolio.clone(), check_date, derived.clone())));
    let share_panel_drawn = crate::app::later::use_later_at(6);
    // The parts from the pages' part are loaded once the first screen is drawn (as the table's).
    let parts_due = crate::app::later::use_later_at(2);
    let on_date = props.on_policy_date.reform(|e: InputEvent| {
        e.target_unchecked_into::<web_sys::HtmlInputElement>()
            .value()
    });
    let date_error = date.as_ref().err().map(|e| e.to_string());
    let errors = Rc::new(derived.errors.clone());
    let warnings = Rc::new(derived.warnings.clone());
    let undo = props.on_action.reform(|_: MouseEvent| Action::Undo);
    let redo = props.on_action.reform(|_: MouseEvent| Action::Redo);
    // The charts below the first screen are drawn when their place comes near the viewport; a
    // report printed before has them drawn first.
    let charts_wanted = use_state(|| false);
    let print = {
        let charts_wanted = charts_wanted.clone();
        let has_results = derived.assessment.is_some();
        Callback::from(move |_: MouseEvent| {
            charts_wanted.set(true);
            print_when_drawn(has_results);
        })
    };
    let date_text: AttrValue = check_date.map(|d| d.to_string()).unwrap_or_default().into();
    let title: AttrValue = portfolio
        .name
        .clone()
        .unwrap_or_else(|| "Your portfolio".into())
        .into();
    let blank = props
        .on_action
        .reform(|_: MouseEvent| Action::Load(crate::analysis::start::blank_portfolio()));
    let settings = html! {
        <div class="settings no-print" data-testid="policy-settings">
            <div class="field inline-field">
                <label for="policy-date">{ "Policy checks as of (YYYY-MM-DD)" }</label>
                <input id="policy-date" type="text" inputmode="numeric" size="10" value={props.policy_date.clone()}
                    oninput={on_date} aria-invalid={date_error.is_some().then_some("true")}
                    aria-describedby={if date_error.is_some() { "policy-date-error data-researched" } else { "data-researched" }} />
            </div>
            if let Some(error) = &date_error {
                <p class="field-error" id="policy-date-error">
                    { match today_date {
                        Some(today) => format!("{error}; rules are checked on today's date, {today}"),
                        None => format!("{error}; rules are checked as written, whatever their dates"),
                    } }
                </p>
            }
            <p class="small muted" id="data-researched" data-testid="data-researched">{ researched_note() }</p>
        </div>
    };
    // The answer first: a one-line bar of tools, the way to make the portfolio one's own, then
    // the results; saving, sharing and exporting open from the bar, the editor follows the results.
    html! {
        <>
            <ReportHeader title={title.clone()} date={today()} />
            <div class="page-head">
                <h1>{ "Where do your critical minerals really come from?" }</h1>
                <p class="lede" data-testid="portfolio-title">{ title }</p>
            </div>
            <div class="toolbar page-tools no-print" role="toolbar" aria-label="Edit history, saving, sharing and printing">
                <button type="button" class="secondary" onclick={undo} disabled={!props.can_undo}
                    aria-keyshortcuts="Control+Z Meta+Z">{ "Undo" }</button>
                <button type="button" class="secondary" onclick={redo} disabled={!props.can_redo}
                    aria-keyshortcuts="Control+Y Control+Shift+Z Meta+Shift+Z">{ "Redo" }</button>
                <a class="button-link" href="#editor-title" data-testid="open-editor">{ "Edit" }</a>
                <details class="menu share-menu" data-testid="share-menu">
                    <summary>{ "Save, share, export" }</summary>
                    // Closed at first: drawn after the parts below the first screen (app::later).
                    if share_panel_drawn {
                        <PartSlot part={InPart::SharePanel(SharePanelProps {
                            portfolio: portfolio.clone(),
                            derived: derived.clone(),
                            date: check_date,
                            on_action: props.on_action.clone(),
                        })} />
                    }
                </details>
                <button type="button" class="secondary" onclick={print}>{ "Print or PDF" }</button>
            </div>
            <div class="make-yours no-print" data-testid="make-it-yours">
                <span class="make-yours-label">{ "Make it yours:" }</span>
                { start_panel(&props.on_action) }
                <button type="button" class="secondary" onclick={blank} data-testid="start-blank">{ "Start blank" }</button>
                <a class="button-link" href={crate::app::route::Route::Import.hash()} data-testid="open-import">{ "Import a file" }</a>
            </div>
            <div class="calculator">
                <Dashboard derived={derived} portfolio={portfolio.clone()} settings={settings}
                    check_date={date_text} charts_wanted={*charts_wanted} />
                // The editor and the share panel come from the pages' part (part_views), loaded
                // once the first screen is drawn.
                <PartSlot wanted={parts_due} part={InPart::Editor(EditorProps {
                    portfolio,
                    errors,
                    warnings,
                    on_action: props.on_action.clone(),
                })} />
            </div>
        </>
    }
}

/// What the date is for. When the rules were researched is said with the policy checks, in the
/// table's caption: the rules are no part of the first load. (The event data's date is on the
/// Scenarios page.)
fn researched_note() -> &'static str {
    "The policy checks use the rules in force on this date, as researched (the research date is \
     given with the checks). Export-restriction events on the Scenarios page are judged on this \
     date too."
}

/// Opens the browser's print dialog (the print stylesheet turns the page into a report) once the
/// charts below the first screen are drawn: they come from the pages' part, after the table
/// (which comes from it too). At once when there are no results (no table, no charts) or the part
/// could not be loaded; as soon as their place says they could not be loaded; and at most about
/// ten seconds later in any case, with what there is.
fn print_when_drawn(has_results: bool) {
    use crate::app::browser::{element_by_id, print};
    use crate::app::later::after_this_task;
    fn when_drawn(tasks_left: u32) {
        let place = element_by_id("charts-place");
        let done = place.is_some_and(|place| {
            ["figure", "[data-testid=page-load-error]"]
                .iter()
                .any(|s| place.query_selector(s).ok().flatten().is_some())
        });
        if done || tasks_left == 0 {
            // A task more for the second chart, drawn with the first.
            after_this_task(print);
        } else {
            after_this_task(move || when_drawn(tasks_left - 1));
        }
    }
    if !has_results {
        print();
        return;
    }
    crate::app::browser::spawn(async {
        match crate::app::browser::pages::load().await {
            Ok(_) => when_drawn(2_000),
            Err(_) => print(),
        }
    });
}

/// The results of `portfolio` for policy checks on `date`, but for the checks themselves: the
/// table below the first screen runs them ([`crate::app::results::with_policy_checks`]).
pub(crate) fn derive_on(portfolio: &RawPortfolio, date: Option<Date>) -> Derived {
    let params = AssessParams {
        date,
        ..AssessParams::default()
    };
    derive_without_policy(portfolio, crate::reference::embedded_current(), &params)
}

thread_local! {
    /// The first render's results, computed in the task before it ([`prepare_first_render`]).
    static PREPARED: std::cell::RefCell<Option<(RawPortfolio, Option<Date>, Derived)>> =
        const { std::cell::RefCell::new(None) };
    /// The results the page shows ([`shown`]).
    static SHOWN: std::cell::RefCell<Option<Shown>> = const { std::cell::RefCell::new(None) };
}

/// Results with the portfolio and the policy date they are of.
type Shown = (Rc<RawPortfolio>, Option<Date>, Rc<Derived>);

/// The results the Calculator page shows, if they are those of `portfolio` on `date`: the charts
/// the pages' part draws below the first screen ([`super::dashboard::DashboardCharts`]) run in
/// the same module and memory, and take them instead of assessing the portfolio a second time
/// on every edit.
pub(crate) fn shown(portfolio: &RawPortfolio, date: Option<Date>) -> Option<Rc<Derived>> {
    SHOWN.with(|s| {
        let shown = s.borrow();
        let (p, d, derived) = shown.as_ref()?;
        (**p == *portfolio && *d == date).then(|| derived.clone())
    })
}

/// Computes the results the page's first render will show, `portfolio`'s on today's date (without
/// the policy checks: `derive_on`), so that the app's start can do it in a task of its own
/// before drawing (issue #19: no task of the start should block the page for long). The first
/// render takes them instead of computing them again; a render of anything else computes its
/// own.
pub fn prepare_first_render(portfolio: &RawPortfolio) {
    let date = Date::parse(&today()).ok();
    let derived = derive_on(portfolio, date);
    PREPARED.with(|p| *p.borrow_mut() = Some((portfolio.clone(), date, derived)));
}

/// The prepared results, if they are those of `portfolio` on `date` (taken: used once).
fn take_prepared(portfolio: &RawPortfolio, date: Option<Date>) -> Option<Derived> {
    let (p, d, derived) = PREPARED.with(|p| p.borrow_mut().take())?;
    (p == *portfolio && d == date).then_some(derived)
}

/// Today's date as `YYYY-MM-DD`, from the browser's clock (the shell's job: the core never reads a clock).
pub fn today() -> AttrValue {
    match crate::app::browser::local_now() {
        Some(now) => format!("{:04}-{:02}-{:02}", now.year, now.month, now.day).into(),
        None => BUILD_DATE.with(|d| d.borrow().clone()),
    }
}

thread_local! {
    /// Where there is no browser clock (natively): "today" is the date the first screen is
    /// rendered for at build time ([`crate::app::prerender`]), empty unless set.
    static BUILD_DATE: std::cell::RefCell<AttrValue> = const { std::cell::RefCell::new(AttrValue::Static("")) };
}

/// Sets what [`today`] returns where there is no browser clock: the build date of the
/// prerendered first screen.
pub fn set_build_date(date: &str) {
    BUILD_DATE.with(|d| *d.borrow_mut() = AttrValue::from(date.to_string()));
}

#[cfg(test)]
mod tests {
    use super::{Date, RawPortfolio, Rc, SHOWN, derive_on, shown};

    /// The charts below the first screen take the page's results for the same portfolio and date,
    /// also once the portfolio has gone to the pages' part as JSON and back, and for no other.
    #[test]
    fn the_shown_results_serve_their_own_portfolio_and_date_only() {
        let demo = crate::app::demo_portfolio();
        let date = Date::parse("2026-12-07").ok();
        let derived = Rc::new(derive_on(&demo, date));
        SHOWN.with(|s| *s.borrow_mut() = Some((Rc::new(demo.clone()), date, derived.clone())));
        let sent = RawPortfolio::from_json(&demo.to_json()).expect("the portfolio's JSON");
        assert!(shown(&sent, date).is_some_and(|d| Rc::ptr_eq(&d, &derived)));
        assert!(shown(&sent, Date::parse("2020-01-01").ok()).is_none());
        assert!(shown(&RawPortfolio::default(), date).is_none());
    }
}
