//! What a printed report adds to the dashboard: a title, the date, a disclaimer and the data
//! sources with their vintages. Hidden on screen; shown by the print stylesheet.

use yew::prelude::*;

/// Properties of [`ReportHeader`].
#[derive(Properties, PartialEq)]
pub struct ReportHeaderProps {
    /// The portfolio's name.
    pub title: AttrValue,
    /// Today's date as text (passed in: the shell reads the clock, not the core).
    pub date: AttrValue,
}

/// The print-only report header.
#[component]
pub fn ReportHeader(props: &ReportHeaderProps) -> Html {
    let reference = crate::reference::embedded_current();
    html! {
        <section class="print-only report-header" aria-hidden="true">
            <p class="small">{ format!("Chokepoint report · {} · printed {}", props.title, props.date) }</p>
            <p class="small">
                { "Illustrative analysis from public data; not investment, legal or procurement advice. \
                   Policy checks are benchmarks derived from the cited rules and do not replace legal review." }
            </p>
            <p class="small">
                { "Data: " }
                { reference.datasets.iter().map(|d| format!("{}, {} ({})", d.publisher, d.title, d.published)).collect::<Vec<_>>().join("; ") }
            </p>
        </section>
    }
}
