//! The site header with the page navigation.

use crate::app::route::Route;
use yew::prelude::*;

/// Properties of [`Nav`].
#[derive(Properties, PartialEq)]
pub struct NavProps {
    /// The page shown.
    pub current: Route,
}

/// The header: brand and links to every page, the current one marked for assistive technology.
#[component]
pub fn Nav(props: &NavProps) -> Html {
    html! {
        <header class="site-header">
            <a class="skip-link" href="#content">{ "Skip to content" }</a>
            <a class="brand" href={Route::Calculator.hash()}>{ "Choke" }<span>{ "point" }</span></a>
            <nav class="site-nav" aria-label="Pages">
                <ul>
                    for route in Route::ALL {
                        <li>
                            <a href={route.hash()}
                               aria-current={(route == props.current).then_some("page")}>
                                { route.title() }
                            </a>
                        </li>
                    }
                </ul>
            </nav>
        </header>
    }
}
