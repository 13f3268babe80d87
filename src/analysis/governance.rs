//! One convention for countries without a governance score, for every governance-based score.
//!
//! A mix can hold countries the World Bank's Worldwide Governance Indicators (WGI) do not
//! score (New Caledonia, a nickel and cobalt producer) and the sources' rest-of-world remainder
//! `ROW` ("other countries", many small producers the source does not name). A score that
//! weighs countries by governance needs a number for both. The convention is:
//!
//! **An unknown governance counts as the average country's**: a WGI estimate of 0, which is 5
//! on the EU criticality method's 0-10 scale ([`UNKNOWN_GOVERNANCE_EU_SCALE`]) and 0.5 on the
//! 0-1 instability scale of the firm score ([`instability`]). Every result lists the countries
//! it was used for.
//!
//! Why the average: the WGI estimates are standardised so that across the countries they cover
//! the average is 0 and the standard deviation 1 (Kaufmann, Kraay and Mastruzzi 2010, "The
//! Worldwide Governance Indicators: methodology and analytical issues", World Bank Policy
//! Research Working Paper 5430, section 4), so 0 is what the indicator itself says of a country
//! it knows nothing more about. The other choices bias a comparison: leaving a country out
//! (its term counted as zero) makes a mix look safer the more of it is unnamed; the weakest
//! score (10) makes the world mix, whose rest-of-world remainder is mostly small producers of
//! every kind, look worse than buying everything from one poorly governed country (magnet rare
//! earths: the world refining mix would score above all-China). The average keeps both
//! comparisons honest, and the result says how much of the mix it covers. It is a choice, not a
//! measurement: the firm score can be recomputed with another value
//! ([`AssessParams::unknown_governance`](crate::analysis::assess::AssessParams::unknown_governance),
//! `--unknown-governance`).
//!
//! Where the convention applies: the firm supply risk ([`firm_risk`](crate::analysis::firm_risk)),
//! the action classes and their catalogue calibration built on it. The planner's
//! governance-weighted objective counts unknown countries at 10 so that a plan never moves supply
//! towards a country because its governance is unknown; it never raises `ROW` either (see
//! docs/METHODS.md). The EU formula's `HHI_WGI,t` display per stage
//! ([`hhi_wgi`](crate::analysis::concentration::hhi_wgi)) reports such countries as missing
//! rather than scoring them, and says so: it is shown as the EU's term, not ranked. The Monte
//! Carlo model is not a governance score but a disruption model with its own parameters; how it
//! treats `ROW` is documented with it (docs/METHODS.md, "Unknown governance and the rest of the
//! world").

use crate::model::CountryCode;
use crate::reference::{Country, ReferenceData};

/// The governance assumed for a country without a WGI score and for `ROW`, on the EU
/// criticality method's 0-10 scale (10 = weakest governance): 5, the average country's (WGI
/// estimate 0; see the module notes).
pub const UNKNOWN_GOVERNANCE_EU_SCALE: f64 = 5.0;

/// A country's governance on the EU 0-10 scale (10 = weakest,
/// [`Country::wgi_eu_scaled`]), or `unknown` where it has none (no WGI series, not in the
/// reference data, or `ROW`); the flag says whether `unknown` was used.
///
/// ```
/// use chokepoint::analysis::governance::{governance_eu_scale, UNKNOWN_GOVERNANCE_EU_SCALE};
/// use chokepoint::model::CountryCode;
/// let reference = chokepoint::reference::embedded();
/// let (row, assumed) =
///     governance_eu_scale(reference, CountryCode::REST_OF_WORLD, UNKNOWN_GOVERNANCE_EU_SCALE);
/// assert_eq!((row, assumed), (5.0, true));
/// ```
pub fn governance_eu_scale(
    reference: &ReferenceData,
    country: CountryCode,
    unknown: f64,
) -> (f64, bool) {
    match reference.country(country).and_then(Country::wgi_eu_scaled) {
        Some(score) if !country.is_rest_of_world() => (score, false),
        _ => (unknown, true),
    }
}

/// A country's political instability on the 0-1 scale of the GeoPolRisk method (0 = the
/// strongest governance the WGI scale allows, +2.5; 1 = the weakest, -2.5):
/// `g_c = (2.5 - WGI_c) / 5`, the WGI estimate rescaled linearly, which is the EU scale divided
/// by 10. `unknown` is on the EU 0-10 scale and is divided by 10 too. See
/// [`firm_risk`](crate::analysis::firm_risk) for the source and for which WGI estimate is used.
///
/// ```
/// use chokepoint::analysis::governance::instability;
/// use chokepoint::model::CountryCode;
/// use chokepoint::reference::{Country, ReferenceData};
/// let c = |s: &str| CountryCode::parse(s).unwrap();
/// let reference = ReferenceData {
///     materials: vec![], groups: vec![], datasets: vec![],
///     countries: vec![Country { code: c("CHL"), iso2: "CL".into(), name: "Chile".into(),
///                               wgi_mean: Some(0.5) }],
/// };
/// assert_eq!(instability(&reference, c("CHL"), 5.0), (0.4, false)); // (2.5 - 0.5) / 5
/// assert_eq!(instability(&reference, c("NCL"), 5.0), (0.5, true));
/// ```
pub fn instability(reference: &ReferenceData, country: CountryCode, unknown: f64) -> (f64, bool) {
    let (score, assumed) = governance_eu_scale(reference, country, unknown);
    (score / 10.0, assumed)
}
