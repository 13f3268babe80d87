//! The Privacy page: what stays local and how anyone can verify it.

use crate::portfolio::storage::{AUTOSAVE_KEY, SAVED_PREFIX, SET_ASIDE_PREFIX};
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
                    <li>{ "Share links carry the portfolio after the # of the address, the part \
                           browsers never send to a server." }</li>
                </ul>
            </div>
            <div class="card" data-testid="privacy-storage">
                <h2>{ "What is stored in this browser" }</h2>
                <p>{ "So that your work survives a reload, the app keeps it in this browser's \
                      local storage, for this site only; besides the offline copy of the app \
                      itself (below), nothing else is stored, and none of it ever \
                      leaves your device:" }</p>
                <ul>
                    <li><code>{ AUTOSAVE_KEY }</code>{ ": the portfolio you are editing, saved on every change." }</li>
                    <li><code>{ format!("{SAVED_PREFIX}NAME") }</code>{ ": each portfolio you saved under a name." }</li>
                    <li><code>{ format!("{SET_ASIDE_PREFIX}…") }</code>{ ": a stored entry that could not be read, kept unchanged instead of being overwritten." }</li>
                </ul>
                <p>{ "To clear it: open the developer tools (F12), Application (Storage in \
                      Firefox), Local Storage, this site, and delete the keys that start with \
                      \"chokepoint:\"; or clear this site's data in your browser's settings. \
                      Delete single saved portfolios with their Delete button on the Calculator \
                      page." }</p>
                <p>{ "Downloads (the JSON file, the CSV and XLSX tables, the SVG and PNG charts) \
                      are made inside the page: the developer tools list them as blob: addresses, \
                      which never leave your browser." }</p>
            </div>
            <div class="card">
                <h2>{ "Enforced by your browser" }</h2>
                <p>
                    { "The page carries a Content-Security-Policy that your browser enforces: \
                       scripts, styles, images and workers may come only from this site, the page \
                       may connect to no other address (connect-src 'self'), and code injected \
                       into the page would not run. Where it sits: the first lines of the page's \
                       source (view-source), as a meta element named Content-Security-Policy." }
                </p>
            </div>
            <div class="card">
                <h2>{ "Works offline" }</h2>
                <p>
                    { "On your first visit, a service worker keeps a copy of the whole app in your \
                       browser, including the parts loaded later (the simulation worker). From \
                       then on every file the app needs is answered from that copy: nothing the \
                       app does after loading reaches any server, and with the network off the \
                       app still opens and computes everything. A newer version installs beside \
                       it and is used when you choose to reload." }
                </p>
                <p>
                    { "For machines without any network: " }
                    <a href="./chokepoint-offline.html" download="chokepoint-offline.html" data-testid="single-file-link">
                        { "download the single-file app" }
                    </a>
                    { " (one HTML file of about 5 MB with everything inside, the data included) and \
                       open it from disk. Downloading it is the one request this page makes on \
                       your request; the file itself requests nothing." }
                </p>
            </div>
            <div class="card">
                <h2>{ "How to verify it yourself" }</h2>
                <ol>
                    <li>{ "Open your browser's developer tools (F12, or Ctrl+Shift+I; Cmd+Option+I \
                           on a Mac) and select the Network tab." }</li>
                    <li>{ "Reload the page. Every request goes to this site's own address; after \
                           the first visit they are marked as served by the service worker." }</li>
                    <li>{ "Now use the calculator: edit numbers, switch pages, run a simulation. \
                           Nothing new reaches the network. Work is handed to the simulation \
                           and import workers inside your browser, never over the network: the \
                           files you import are read there, never uploaded." }</li>
                    <li>{ "For the strongest check, tick \"Offline\" in the Network tab (or unplug) \
                           and reload: the app keeps working." }</li>
                </ol>
                <p class="muted small">
                    { "Our automated tests check exactly this on every change: they record every \
                       request the browser makes and that the server receives during a full \
                       session, fail on any request to another address or on any request after \
                       the page has loaded, check that the policy blocks injected code, and run \
                       the app with the network off." }
                </p>
            </div>
        </article>
    }
}
