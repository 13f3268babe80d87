//! The Privacy page: what stays local and how anyone can verify it.

use yew::prelude::*;

/// The Privacy page.
#[component]
pub fn PrivacyPage() -> Html {
    html! {
        <article>
            <h1>{ "Privacy: your data stays in your browser" }</h1>
            <p class="lede">
                { "Chokepoint is a static page. Everything it computes, it computes on your \
                   device, in WebAssembly. What you enter is never sent anywhere." }
            </p>
            <div class="card">
                <h2>{ "What stays local" }</h2>
                <ul>
                    <li>{ "The portfolio you enter or import, and every result derived from it." }</li>
                    <li>{ "The reference data (world mining and refining shares, governance \
                           indicators, country groups, policy rules) is part of the app itself: \
                           no request fetches it." }</li>
                    <li>{ "There are no analytics, no cookies, no external fonts, no third-party \
                           scripts and no content delivery networks." }</li>
                </ul>
            </div>
            <div class="card">
                <h2>{ "How to verify it yourself" }</h2>
                <ol>
                    <li>{ "Open your browser's developer tools (F12, or Ctrl+Shift+I; Cmd+Option+I \
                           on a Mac) and select the Network tab." }</li>
                    <li>{ "Reload the page. You will see the page itself, one script, one \
                           WebAssembly file, one stylesheet and the icon, all from this site's own \
                           address." }</li>
                    <li>{ "Now use the calculator: edit numbers, switch pages. The Network tab \
                           stays empty. Two exceptions: starting a simulation on the Scenarios \
                           page loads the simulation worker (two files) from this same site; your \
                           portfolio is handed to it inside your browser, never over the network. \
                           Likewise, your first import on the Import page loads the import worker \
                           from this same site; the files you pick are read by it in your browser, \
                           never uploaded." }</li>
                </ol>
                <p class="muted small">
                    { "Our automated tests check exactly this on every change: they record every \
                       request the browser makes during a session and fail on any request to \
                       another address." }
                </p>
            </div>
        </article>
    }
}
