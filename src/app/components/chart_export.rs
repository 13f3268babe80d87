//! A wrapper for every chart: the chart, then two buttons that download it as SVG or PNG
//! ([`crate::app::browser::chart`] makes the files, run by the pages' part of the app:
//! [`crate::app::lazy::export_chart`]; no library, no request).

use yew::prelude::*;

/// Properties of [`ChartExport`].
#[derive(Properties, PartialEq)]
pub struct ChartExportProps {
    /// A short file name for the chart, for example `risk-matrix`.
    pub name: AttrValue,
    /// What the chart shows, for the buttons' accessible names.
    pub title: AttrValue,
    /// The chart (an `<svg>`, possibly inside other elements).
    pub children: Children,
}

/// The chart and its download buttons.
#[component]
pub fn ChartExport(props: &ChartExportProps) -> Html {
    let node = use_node_ref();
    let error = use_state(|| None::<String>);
    let handler = |png: bool| {
        let node = node.clone();
        let error = error.clone();
        let name = props.name.clone();
        Callback::from(move |_: MouseEvent| {
            let report = {
                let error = error.clone();
                Callback::from(move |message: String| error.set(Some(message)))
            };
            error.set(None);
            crate::app::browser::spawn(crate::app::lazy::export_chart(
                node.clone(),
                name.to_string(),
                png,
                report,
            ));
        })
    };
    let (svg, png) = (handler(false), handler(true));
    html! {
        <div class="chart-export" ref={node}>
            { props.children.clone() }
            <p class="chart-export-actions no-print">
                <button type="button" class="secondary small" onclick={svg}
                    aria-label={format!("Download the chart {} as SVG", props.title)}
                    data-testid={format!("export-svg-{}", props.name)}>{ "SVG" }</button>
                <button type="button" class="secondary small" onclick={png}
                    aria-label={format!("Download the chart {} as PNG", props.title)}
                    data-testid={format!("export-png-{}", props.name)}>{ "PNG" }</button>
            </p>
            if let Some(message) = &*error {
                <p class="field-error" role="alert">{ message.clone() }</p>
            }
        </div>
    }
}
