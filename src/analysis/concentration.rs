//! Concentration measures over one country mix: the Herfindahl-Hirschman index (HHI), the
//! effective number of supplier countries, the largest supplier (CR1), the three largest (CR3),
//! the share of each country group, and the EU's governance-weighted HHI.
//!
//! # Formulas
//!
//! With `s_c` the fraction of the mix supplied by country `c` (the entries of a [`CountryMix`],
//! summing to 1):
//!
//! - `HHI = sum_c (100 * s_c)^2`, on the 0-10,000 scale of the U.S. DOJ/FTC Horizontal Merger
//!   Guidelines (2023: above 1,800 is "highly concentrated"). One supplier gives 10,000; `n` equal
//!   suppliers give `10,000 / n`.
//! - Effective number of supplier countries `N_eff = 10,000 / HHI` (Adelman 1969, "Comment on the
//!   'H' concentration measure as a numbers-equivalent"): the number of equal suppliers with the
//!   same HHI.
//! - `CR1` and `CR3`: the share of the largest, and of the three largest, *named* countries.
//! - `HHI_WGI,t = sum_c s_c^2 * WGI_c * t_c` (European Commission, 2017, *Methodology for
//!   establishing the EU list of critical raw materials*, section on supply risk), with `WGI_c` the
//!   World Bank governance mean rescaled to 0-10 (10 = weakest, [`Country::wgi_eu_scaled`]) and
//!   `t_c` the trade-restriction factor (1.0 when none applies). Range 0-10.
//!
//! # The rest of the world
//!
//! Sources lump small producers into "Other countries", kept as [`CountryCode::REST_OF_WORLD`]
//! (`ROW`). [`hhi`] counts `ROW` as one supplier. Because `ROW` is really many small producers,
//! squaring its share *overstates* its contribution: the true HHI lies between
//! [`Concentration::hhi_lower`] (ROW spread infinitely thin, contributing nothing) and
//! [`Concentration::hhi`] (ROW as one supplier). The two differ by `ROW`'s squared percentage
//! (under 100 points while `ROW` is under 10 %); both are reported. `ROW` is never the largest
//! supplier for CR1/CR3, which rank named countries only, and it has no WGI, so
//! [`hhi_wgi`] reports it as missing.
//!
//! [`Country::wgi_eu_scaled`]: crate::reference::Country::wgi_eu_scaled

use crate::model::{CountryCode, CountryMix};
use crate::reference::{Country, CountryGroup, ReferenceData};
use serde::Serialize;

/// The HHI of `mix` on the 0-10,000 scale, `ROW` counted as one supplier.
///
/// ```
/// use chokepoint::analysis::concentration::hhi;
/// use chokepoint::model::{CountryCode, CountryMix};
/// let c = |s: &str| CountryCode::parse(s).unwrap();
/// let mix = CountryMix::from_shares([(c("CHN"), 60.0), (c("AUS"), 30.0), (c("USA"), 10.0)]).unwrap();
/// // 60^2 + 30^2 + 10^2 = 3600 + 900 + 100
/// assert!((hhi(&mix) - 4600.0).abs() < 1e-9);
/// ```
pub fn hhi(mix: &CountryMix) -> f64 {
    mix.entries()
        .iter()
        .map(|(_, s)| (100.0 * s) * (100.0 * s))
        .sum()
}

/// The effective number of supplier countries, `10,000 / HHI` (numbers-equivalent).
///
/// ```
/// use chokepoint::analysis::concentration::effective_suppliers;
/// assert_eq!(effective_suppliers(2500.0), 4.0);
/// ```
pub fn effective_suppliers(hhi: f64) -> f64 {
    if hhi > 0.0 { 10_000.0 / hhi } else { 0.0 }
}

/// The concentration measures of one country mix.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Concentration {
    /// HHI, 0-10,000, `ROW` as one supplier (an upper bound; see the module notes).
    pub hhi: f64,
    /// HHI with `ROW` spread infinitely thin (a lower bound).
    pub hhi_lower: f64,
    /// Effective number of supplier countries, `10,000 / hhi`.
    pub effective_suppliers: f64,
    /// The largest named supplier and its share (fraction); `None` when the mix is all `ROW`.
    pub largest: Option<(CountryCode, f64)>,
    /// Share of the largest named country (fraction), CR1.
    pub cr1: f64,
    /// Share of the three largest named countries (fraction), CR3.
    pub cr3: f64,
    /// The share of `ROW` (fraction).
    pub rest_of_world: f64,
    /// Number of named countries with a share above zero.
    pub countries: usize,
}

/// All concentration measures of `mix`.
///
/// ```
/// use chokepoint::analysis::concentration::concentration;
/// use chokepoint::model::{CountryCode, CountryMix};
/// let c = |s: &str| CountryCode::parse(s).unwrap();
/// let mix = CountryMix::from_shares([
///     (c("CHN"), 50.0), (c("AUS"), 20.0), (c("USA"), 10.0), (c("CAN"), 10.0),
///     (CountryCode::REST_OF_WORLD, 10.0),
/// ]).unwrap();
/// let k = concentration(&mix);
/// assert!((k.hhi - 3200.0).abs() < 1e-9);       // 2500 + 400 + 100 + 100 + 100
/// assert!((k.hhi_lower - 3100.0).abs() < 1e-9); // without ROW's 100
/// assert_eq!(k.largest.unwrap().0, c("CHN"));
/// assert!((k.cr3 - 0.8).abs() < 1e-12);         // 50 + 20 + 10 (ROW never counts)
/// ```
pub fn concentration(mix: &CountryMix) -> Concentration {
    let hhi = hhi(mix);
    let rest_of_world = mix.share_of(CountryCode::REST_OF_WORLD);
    let named: Vec<(CountryCode, f64)> = mix
        .entries()
        .iter()
        .copied()
        .filter(|(c, _)| !c.is_rest_of_world())
        .collect();
    // Entries are sorted largest first, so the named ones are too.
    let largest = named.first().copied();
    Concentration {
        hhi,
        hhi_lower: (hhi - (100.0 * rest_of_world).powi(2)).max(0.0),
        effective_suppliers: effective_suppliers(hhi),
        largest,
        cr1: largest.map_or(0.0, |(_, s)| s),
        cr3: named.iter().take(3).map(|(_, s)| s).sum(),
        rest_of_world,
        countries: named.len(),
    }
}

/// The share of a mix supplied by the members of one country group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupShare {
    /// The group's identifier.
    pub group: String,
    /// The group's display name.
    pub name: String,
    /// True for a group the user defined.
    pub user_defined: bool,
    /// The fraction of the mix from member countries (`ROW` never counts as a member).
    pub share: f64,
}

/// The share of `mix` from each group of `groups`, in the order given.
///
/// ```
/// use chokepoint::analysis::concentration::group_shares;
/// use chokepoint::model::{CountryCode, CountryMix};
/// use chokepoint::reference::CountryGroup;
/// let c = |s: &str| CountryCode::parse(s).unwrap();
/// let mix = CountryMix::from_shares([(c("CHN"), 70.0), (c("JPN"), 30.0)]).unwrap();
/// let allies = CountryGroup {
///     id: "allies".into(), name: "Allies".into(), members: vec![c("JPN"), c("USA")],
///     as_of: None, source: "user".into(), user_defined: true,
/// };
/// let shares = group_shares(&mix, [&allies]);
/// assert!((shares[0].share - 0.3).abs() < 1e-12);
/// ```
pub fn group_shares<'a>(
    mix: &CountryMix,
    groups: impl IntoIterator<Item = &'a CountryGroup>,
) -> Vec<GroupShare> {
    groups
        .into_iter()
        .map(|group| GroupShare {
            group: group.id.clone(),
            name: group.name.clone(),
            user_defined: group.user_defined,
            share: mix
                .entries()
                .iter()
                .filter(|(c, _)| !c.is_rest_of_world() && group.contains(*c))
                .map(|(_, s)| s)
                .sum(),
        })
        .collect()
}

/// A country of a mix without a governance score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MissingWgi {
    /// The country (or `ROW`).
    pub country: CountryCode,
    /// Its share of the mix (fraction).
    pub share: f64,
}

/// The governance-weighted HHI of a mix, and what it could not weigh.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HhiWgi {
    /// `sum_c s_c^2 * WGI_c * t_c` over the countries with a WGI score (0-10 scale). A lower
    /// bound when [`HhiWgi::missing`] is not empty.
    pub value: f64,
    /// The share of the mix (fraction) whose countries have a WGI score.
    pub covered_share: f64,
    /// Countries without a WGI score (not in the reference data, no WGI series, or `ROW`):
    /// they contribute nothing to `value`, and are listed here rather than counted as zero risk.
    pub missing: Vec<MissingWgi>,
}

/// The governance-weighted concentration `HHI_WGI,t = sum_c s_c^2 * WGI_c * t_c` of the EU
/// criticality method (European Commission 2017), `s_c` as a fraction, `WGI_c` from
/// [`Country::wgi_eu_scaled`](crate::reference::Country::wgi_eu_scaled) (0-10, 10 = weakest
/// governance), `t_c = trade(c)` (pass `&|_| 1.0` when no trade restriction applies).
///
/// Countries without a WGI score are listed in [`HhiWgi::missing`], not counted as zero. The
/// trade factor should be finite and non-negative (the EU method uses 0.8 to 1.2 and 1.0 by
/// default); anything else makes the value meaningless, though it never panics.
///
/// ```
/// use chokepoint::analysis::concentration::hhi_wgi;
/// use chokepoint::model::{CountryCode, CountryMix};
/// use chokepoint::reference::{Country, ReferenceData};
/// let c = |s: &str| CountryCode::parse(s).unwrap();
/// let country = |code: &str, wgi| Country {
///     code: c(code), iso2: String::new(), name: code.into(), wgi_mean: wgi,
/// };
/// let reference = ReferenceData {
///     materials: vec![], groups: vec![], datasets: vec![],
///     countries: vec![country("AUS", Some(1.5)), country("CHN", Some(-0.5))],
/// };
/// let mix = CountryMix::from_shares([(c("CHN"), 80.0), (c("AUS"), 10.0), (c("NCL"), 10.0)]).unwrap();
/// let k = hhi_wgi(&mix, &reference, &|_| 1.0);
/// // CHN: 0.8^2 * (2.5 + 0.5) * 2 = 3.84; AUS: 0.1^2 * (2.5 - 1.5) * 2 = 0.02
/// assert!((k.value - 3.86).abs() < 1e-12);
/// assert_eq!(k.missing[0].country, c("NCL"));
/// assert!((k.covered_share - 0.9).abs() < 1e-12);
/// ```
pub fn hhi_wgi(
    mix: &CountryMix,
    reference: &ReferenceData,
    trade: &dyn Fn(CountryCode) -> f64,
) -> HhiWgi {
    hhi_wgi_with(
        mix,
        &|country| reference.country(country).and_then(Country::wgi_eu_scaled),
        trade,
    )
}

/// [`hhi_wgi`] with the governance scores looked up by `wgi` (EU 0-10 scale, `None` when a
/// country has none) rather than in a [`ReferenceData`]: the one implementation of
/// `HHI_WGI,t = sum_c s_c^2 * WGI_c * t_c`, shared with the firm supply risk of the
/// `supply_risk` module (which builds on this one).
///
/// Countries for which `wgi` gives `None` are listed in [`HhiWgi::missing`] and contribute
/// nothing to the value.
///
/// ```
/// use chokepoint::analysis::concentration::hhi_wgi_with;
/// use chokepoint::model::{CountryCode, CountryMix};
/// let c = |s: &str| CountryCode::parse(s).unwrap();
/// let mix = CountryMix::from_shares([(c("CHN"), 50.0), (CountryCode::REST_OF_WORLD, 50.0)]).unwrap();
/// let wgi = |country: CountryCode| (country == c("CHN")).then_some(6.0);
/// let k = hhi_wgi_with(&mix, &wgi, &|_| 1.2);
/// assert!((k.value - 0.25 * 6.0 * 1.2).abs() < 1e-12);
/// assert_eq!(k.missing[0].country, CountryCode::REST_OF_WORLD);
/// ```
pub fn hhi_wgi_with(
    mix: &CountryMix,
    wgi: &dyn Fn(CountryCode) -> Option<f64>,
    trade: &dyn Fn(CountryCode) -> f64,
) -> HhiWgi {
    let mut value = 0.0;
    let mut covered_share = 0.0;
    let mut missing = Vec::new();
    for &(country, share) in mix.entries() {
        match wgi(country) {
            Some(wgi) => {
                value += share * share * wgi * trade(country);
                covered_share += share;
            }
            None => missing.push(MissingWgi { country, share }),
        }
    }
    HhiWgi {
        value,
        covered_share,
        missing,
    }
}
