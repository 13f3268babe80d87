//! The data-table view every chart offers: exact values for reading and for screen readers,
//! folded under the chart.

use yew::prelude::*;

/// Properties of [`DataTable`].
#[derive(Properties, PartialEq)]
pub struct DataTableProps {
    /// What the table shows, for assistive technology ("Gallium data table").
    pub label: AttrValue,
    /// The table's `thead` and `tbody`.
    pub children: Html,
}

/// A folded, keyboard-scrollable data table.
#[component]
pub fn DataTable(props: &DataTableProps) -> Html {
    html! {
        <details>
            <summary>{ "Data table" }</summary>
            <div class="table-scroll" tabindex="0" role="region" aria-label={format!("{}, scrollable", props.label)}>
                <table class="small">{ props.children.clone() }</table>
            </div>
        </details>
    }
}
