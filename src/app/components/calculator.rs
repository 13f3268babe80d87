//! The Calculator page: the editor and the results side by side (stacked on phones). Results are
//! derived from the inputs with `use_memo`, never stored.

use crate::analysis::portfolio::AssessParams;
use crate::app::components::dashboard::Dashboard;
use crate::app::components::editor::Editor;
use crate::app::results::derive;
use crate::app::state::Action;
use crate::model::portfolio::RawPortfolio;
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`CalculatorPage`].
#[derive(Properties, PartialEq)]
pub struct CalculatorProps {
    /// The portfolio as typed.
    pub portfolio: Rc<RawPortfolio>,
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
    let derived = use_memo(portfolio.clone(), |portfolio| {
        derive(
            portfolio,
            crate::reference::embedded(),
            &AssessParams::default(),
        )
    });
    let errors = Rc::new(derived.errors.clone());
    let undo = props.on_action.reform(|_: MouseEvent| Action::Undo);
    let redo = props.on_action.reform(|_: MouseEvent| Action::Redo);
    html! {
            <>
                <h1>{ "Where do your critical minerals really come from?" }</h1>
                <p class="lede">
                    { portfolio.name.clone().unwrap_or_else(|| "Your portfolio".into()) }
                </p>
                <div class="toolbar no-print" role="toolbar" aria-label="Edit history">
                    <button type="button" class="secondary" onclick={undo} disabled={!props.can_undo}
    >{ "Undo" }</button>
                    <button type="button" class="secondary" onclick={redo} disabled={!props.can_redo}
    >{ "Redo" }</button>
                </div>
                <div class="calculator">
                    <Dashboard derived={derived} />
                    <Editor portfolio={portfolio} errors={errors} on_action={props.on_action.clone()} />
                </div>
            </>
        }
}
