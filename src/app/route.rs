//! Hash-based routing, so that any static host works: `#/calculator`, `#/sources`, …
//!
//! The part of the fragment after the page name (`#/calculator&p=…`) is left to the share-link
//! code; routing only reads the page. One more parameter, [`START_EMPTY`], asks the app to start
//! without reading the autosave (the crash panel's way out).

/// The fragment parameter that starts the app empty, without reading the autosave (which is
/// kept): `#/calculator&start=empty`.
pub const START_EMPTY: &str = "start=empty";

/// Whether a location hash asks to start without reading the autosave ([`START_EMPTY`]).
pub fn starts_empty(hash: &str) -> bool {
    hash.split('&').skip(1).any(|part| part == START_EMPTY)
}

/// The hash that reopens the page of `hash` started empty ([`START_EMPTY`]).
pub fn start_empty_hash(hash: &str) -> String {
    format!("{}&{START_EMPTY}", Route::from_hash(hash).hash())
}

/// A page of the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// The calculator: inputs and the results dashboard.
    Calculator,
    /// Disruption scenarios and the Monte Carlo simulation.
    Scenarios,
    /// The diversification planner.
    Plan,
    /// How each number is computed, in plain words, with sources.
    Methodology,
    /// Every data set, its publisher, year, licence, citation and caveats.
    Sources,
    /// What stays local and how to verify it.
    Privacy,
    /// Import from spreadsheets and supplier declarations (reached from the calculator, not
    /// listed in the navigation).
    Import,
}

impl Route {
    /// Every page, in navigation order.
    pub const ALL: [Route; 6] = [
        Route::Calculator,
        Route::Scenarios,
        Route::Plan,
        Route::Methodology,
        Route::Sources,
        Route::Privacy,
    ];

    /// Reads the page from a location hash (with or without the leading `#`). Unknown or empty
    /// hashes lead to the calculator.
    pub fn from_hash(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let page = path.split(['&', '?', '/']).next().unwrap_or("");
        match page {
            "scenarios" => Route::Scenarios,
            "plan" => Route::Plan,
            "methodology" => Route::Methodology,
            "sources" => Route::Sources,
            "privacy" => Route::Privacy,
            "import" => Route::Import,
            _ => Route::Calculator,
        }
    }

    /// The hash that leads to this page.
    pub fn hash(self) -> &'static str {
        match self {
            Route::Calculator => "#/calculator",
            Route::Scenarios => "#/scenarios",
            Route::Plan => "#/plan",
            Route::Methodology => "#/methodology",
            Route::Sources => "#/sources",
            Route::Privacy => "#/privacy",
            Route::Import => "#/import",
        }
    }

    /// Whether the page is drawn by the pages' part of the app (`chokepoint-pages_bg.wasm`, loaded
    /// the first time one of these pages opens) rather than by the first load (`app::lazy`).
    pub fn is_lazy(self) -> bool {
        matches!(
            self,
            Route::Scenarios | Route::Plan | Route::Import | Route::Methodology | Route::Sources
        )
    }

    /// The page's title in the navigation.
    pub fn title(self) -> &'static str {
        match self {
            Route::Calculator => "Calculator",
            Route::Scenarios => "Scenarios",
            Route::Plan => "Plan",
            Route::Methodology => "Methodology",
            Route::Sources => "Sources",
            Route::Privacy => "Privacy",
            Route::Import => "Import",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Route;

    #[test]
    fn every_route_round_trips_through_its_hash() {
        for route in Route::ALL {
            assert_eq!(Route::from_hash(route.hash()), route);
        }
    }

    #[test]
    fn starting_empty_is_a_fragment_parameter() {
        use super::{start_empty_hash, starts_empty};
        assert_eq!(start_empty_hash("#/plan&p=v1.abc"), "#/plan&start=empty");
        assert_eq!(start_empty_hash(""), "#/calculator&start=empty");
        assert!(starts_empty(&start_empty_hash("#/sources")));
        assert!(!starts_empty("#/calculator"));
        assert!(!starts_empty("#start=empty"));
        assert_eq!(
            Route::from_hash(&start_empty_hash("#/sources")),
            Route::Sources
        );
    }

    #[test]
    fn unknown_and_extended_hashes() {
        assert_eq!(Route::from_hash(""), Route::Calculator);
        assert_eq!(Route::from_hash("#/nonsense"), Route::Calculator);
        assert_eq!(Route::from_hash("#/sources&p=abc"), Route::Sources);
        assert_eq!(Route::from_hash("privacy"), Route::Privacy);
    }
}
