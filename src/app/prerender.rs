//! The first screen, rendered at build time (issue #19): the app as a first-time visitor sees it
//! on the build date (the demo portfolio, its headline, top chokepoints and chart), as HTML that
//! the post-build hook (`scripts/build/postbuild.mjs`, through `src/bin/prerender.rs`) puts into
//! `index.html`. The page then shows the answer before the WebAssembly has loaded. The app draws
//! the same markup behind it, into the page's `#app` element, which the style sheet hides while
//! this copy is there, in a few short tasks (`app::later`), then removes the copy (`app::mount`,
//! built for wasm only): its own first screen takes the copy's place, so nothing moves. Only the
//! first screen is rendered here, not what lies below it.
//!
//! Rendered by the same components and the same core as the live app (Yew's server-side
//! renderer, native only), so the numbers are the app's own. The copy is static: the hook wraps
//! it in an `inert` element (nothing in it can be clicked or focused), strips its test ids, and
//! the page's inline script marks it as "not your data" when the visitor has an autosaved
//! portfolio, a share link or another page in the address.

use super::App;
use super::components::calculator::set_build_date;

/// The app's first screen for a first visit on `date` (`YYYY-MM-DD`, the build date): the HTML of
/// the app's root component, not hydratable. (The first screen shows no policy finding.)
pub fn first_screen(date: &str) -> String {
    set_build_date(date);
    // What the first viewport shows, as the app's first render draws it (`app::later`).
    crate::app::later::set_first_screen_only(true);
    let renderer = yew::LocalServerRenderer::<App>::new().hydratable(false);
    let html = futures::executor::block_on(renderer.render());
    crate::app::later::set_first_screen_only(false);
    html
}

#[cfg(test)]
mod tests {
    use super::first_screen;

    #[test]
    fn the_first_screen_is_the_demo_answer_on_the_given_date() {
        let html = first_screen("2026-12-06");
        assert!(html.contains("Your largest chokepoint: "), "{html}");
        assert!(html.contains("data-testid=\"headline\""));
        assert!(html.contains("data-testid=\"chokepoints\""));
        assert!(html.contains("data-testid=\"answer-chart\""));
        assert!(
            html.contains("value=\"2026-12-06\""),
            "the policy date is the build date"
        );
        assert!(
            !html.contains("policy-date-error"),
            "a valid date has no error"
        );
        // Rendering twice gives the same page (nothing random, no clock).
        assert_eq!(html, first_screen("2026-12-06"));
    }

    #[test]
    fn the_first_screen_leaves_out_what_lies_below_it() {
        // What the app draws in the tasks after its first screen (app::later) is not sent: the
        // page as sent stays small and quick to lay out on a phone.
        let html = first_screen("2026-12-06");
        for below in [
            "<table class=\"materials\"",
            "data-testid=\"line-editor\"",
            "<datalist id=\"country-codes\"",
            "data-testid=\"flow-chart\"",
        ] {
            assert!(!html.contains(below), "{below} is below the first screen");
        }
        assert!(html.len() < 40_000, "{} bytes", html.len());
        // The same app rendered whole (natively, as the components' tests do) has them all,
        // once the views of the parts the pages' part draws are installed, as the part installs
        // them when it is loaded.
        crate::app::pages::install_views();
        super::set_build_date("2026-12-06");
        let whole = futures::executor::block_on(
            yew::LocalServerRenderer::<super::App>::new()
                .hydratable(false)
                .render(),
        );
        for part in [
            "<table class=\"materials\"",
            "data-testid=\"line-editor\"",
            "<datalist id=\"country-codes\"",
        ] {
            assert!(whole.contains(part), "{part} in the whole page");
        }
        assert!(whole.len() > 3 * html.len());
    }
}
