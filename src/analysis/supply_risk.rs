//! The EU criticality method's supply risk and governance-weighted concentration.
//!
//! # Formula
//!
//! The European Commission's criticality method (2017 methodology, used for the 2017, 2020 and
//! 2023 lists) computes the supply risk of a raw material at one stage of its supply chain as
//!
//! ```text
//! SR = [ HHI_GS * IR/2 + HHI_EU * (1 - IR/2) ] * (1 - EoL_RIR) * SI_SR
//! HHI_X = sum over countries c of  S_c^2 * WGI_c * t_c      (X = GS global supply, EU = EU sourcing)
//! ```
//!
//! - `HHI_GS`, `HHI_EU`: the Herfindahl-Hirschman index of country shares `S_c` (fractions),
//!   each square weighted by the country's governance score `WGI_c` (mean of the six World Bank
//!   Worldwide Governance Indicators rescaled to 0-10, 10 = weakest:
//!   `(2.5 - WGI_mean) * 2`, see [`Country::wgi_eu_scaled`]) and its trade parameter `t_c`
//!   (1.0 by default, up to 1.5 with export restrictions, 0.8 for EU members and countries with
//!   a trade agreement). It lies between 0 and 15.
//! - `IR`: import reliance, net imports / (domestic production + net imports), 0..1; a negative
//!   value (net exporter) counts as 0.
//! - `EoL_RIR`: end-of-life recycling input rate, 0..1.
//! - `SI_SR`: substitution index for supply risk, 0..1 (1 = no substitute).
//!
//! When only global supply data are usable ("GS only") the bracket is `HHI_GS`; when only EU
//! sourcing data are usable ("EUS only") it is `HHI_EU` (see [`SupplyUsed`]). Supply risk is
//! computed per stage (extraction, processing) and the higher one counts: the bottleneck
//! ([`bottleneck`]). A material is critical when `SR >= 1.0` and its economic importance
//! `EI >= 2.8` ([`is_critical`]).
//!
//! # Sources
//!
//! - Deloitte, BGS, BRGM, TNO for DG GROW, *Study on the review of the list of Critical Raw
//!   Materials - Final Report*, June 2017, doi:10.2873/876644, pp. 33-35 (Table 3) and 79-80
//!   (Annex 5, Table 18); and the Commission's *Methodology for establishing the EU list of
//!   critical raw materials* (2017).
//! - European Commission, *Study on the Critical Raw Materials for the EU 2023 - Final Report*,
//!   which applies the same formula.
//! - The formula as restated for this project: `data/sources/eu-crm/SOURCES.md`.
//!
//! # A firm's own supply risk
//!
//! [`firm_supply_risk`] applies the same formula with the firm's own sourcing mix in place of the
//! EU sourcing mix: `HHI_EU` is replaced by the firm's `HHI_WGI,t` computed over its own country
//! shares. This is Chokepoint's adaptation, not part of the EU method; see its documentation.
//!
//! ```
//! use chokepoint::analysis::supply_risk::{supply_risk, SupplyRiskInputs, SupplyRiskParams, SupplyUsed};
//!
//! // Cobalt, extraction, EU 2017 study: HHI_GS 3.6, HHI_EU 1.3, IR 32 %, EoL-RIR 0, SI_SR 1.0.
//! let params = SupplyRiskParams::new(&SupplyRiskInputs {
//!     supply_used: SupplyUsed::Both,
//!     hhi_global: Some(3.6),
//!     hhi_eu: Some(1.3),
//!     import_reliance: Some(0.32),
//!     eol_rir: 0.0,
//!     si_sr: 1.0,
//! })
//! .unwrap();
//! // [3.6 * 0.16 + 1.3 * 0.84] * 1 * 1 = 1.668 (published: 1.6)
//! assert!((supply_risk(&params) - 1.668).abs() < 1e-9);
//! ```

use crate::analysis::concentration::hhi_wgi_with;
use crate::model::{CountryCode, CountryMix, Stage};
use crate::reference::Country;
use std::fmt;
use std::str::FromStr;

/// Supply-risk threshold of the EU method: a material is critical from `SR >= 1.0`.
pub const SR_THRESHOLD: f64 = 1.0;

/// Economic-importance threshold of the EU method: a material is critical from `EI >= 2.8`.
pub const EI_THRESHOLD: f64 = 2.8;

/// Largest possible `HHI_WGI,t`: one country (share 1) with the weakest governance (10) and the
/// highest trade parameter (1.5).
pub const HHI_WGI_T_MAX: f64 = 15.0;

/// Largest trade parameter `t` the EU method uses (export restrictions).
pub const TRADE_PARAMETER_MAX: f64 = 1.5;

/// Which supply data feed the concentration term, as the EU studies label it per stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SupplyUsed {
    /// Only global supply data are usable ("GS only"): the bracket is `HHI_GS`.
    GlobalOnly,
    /// Only EU sourcing data are usable ("EUS only"): the bracket is `HHI_EU`.
    EuOnly,
    /// Both ("GS + EUS"): `HHI_GS * IR/2 + HHI_EU * (1 - IR/2)`.
    Both,
}

impl SupplyUsed {
    /// The label the 2017 study uses: "GS only", "EUS only" or "GS + EUS".
    pub fn label(self) -> &'static str {
        match self {
            SupplyUsed::GlobalOnly => "GS only",
            SupplyUsed::EuOnly => "EUS only",
            SupplyUsed::Both => "GS + EUS",
        }
    }
}

impl fmt::Display for SupplyUsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A label that is not one of "GS only", "EUS only", "GS + EUS".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseSupplyUsedError {
    /// The text given.
    pub text: String,
}

impl fmt::Display for ParseSupplyUsedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a supply-data label; expected `GS only`, `EUS only` or `GS + EUS`",
            self.text
        )
    }
}

impl std::error::Error for ParseSupplyUsedError {}

impl FromStr for SupplyUsed {
    type Err = ParseSupplyUsedError;

    /// Parses the labels of the 2017 study ("GS only", "EUS only", "GS + EUS") and the compact
    /// spellings of the 2023 results table ("GSonly", "EUonly", "GS+EU"), ignoring case and
    /// spaces.
    ///
    /// ```
    /// use chokepoint::analysis::supply_risk::SupplyUsed;
    /// assert_eq!("GS + EUS".parse::<SupplyUsed>(), Ok(SupplyUsed::Both));
    /// assert_eq!("eus only".parse::<SupplyUsed>(), Ok(SupplyUsed::EuOnly));
    /// assert!("global".parse::<SupplyUsed>().is_err());
    /// ```
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        match compact.as_str() {
            "gsonly" => Ok(SupplyUsed::GlobalOnly),
            "eusonly" | "euonly" => Ok(SupplyUsed::EuOnly),
            "gs+eus" | "gs+eu" => Ok(SupplyUsed::Both),
            _ => Err(ParseSupplyUsedError {
                text: text.to_string(),
            }),
        }
    }
}

/// An input of the supply-risk formula, named as in the 2017 study's tables (and the columns of
/// `eu2017_sr_cases.csv`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SupplyRiskField {
    /// `HHI_WGI_t_GS`: concentration of global supply.
    HhiGlobal,
    /// `HHI_WGI_t_EU`: concentration of EU sourcing (or, for a firm, of its own sourcing).
    HhiEu,
    /// `IR`: import reliance.
    ImportReliance,
    /// `EoL_RIR`: end-of-life recycling input rate.
    EolRir,
    /// `SI_SR`: substitution index for supply risk.
    SiSr,
    /// `t`: a country's trade parameter.
    TradeParameter,
    /// A country's governance score (WGI, EU 0-10 scale).
    Governance,
}

impl SupplyRiskField {
    /// The column name: `HHI_WGI_t_GS`, `HHI_WGI_t_EU`, `IR`, `EoL_RIR`, `SI_SR`, `t`, `WGI`.
    pub fn column(self) -> &'static str {
        match self {
            SupplyRiskField::HhiGlobal => "HHI_WGI_t_GS",
            SupplyRiskField::HhiEu => "HHI_WGI_t_EU",
            SupplyRiskField::ImportReliance => "IR",
            SupplyRiskField::EolRir => "EoL_RIR",
            SupplyRiskField::SiSr => "SI_SR",
            SupplyRiskField::TradeParameter => "t",
            SupplyRiskField::Governance => "WGI",
        }
    }
}

impl fmt::Display for SupplyRiskField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.column())
    }
}

/// Why supply-risk inputs were rejected. Each variant names the input.
#[derive(Clone, Debug, PartialEq)]
pub enum SupplyRiskError {
    /// An input the chosen [`SupplyUsed`] variant needs is missing.
    Missing {
        /// The missing input.
        field: SupplyRiskField,
        /// The variant that needs it.
        supply_used: SupplyUsed,
    },
    /// An input is NaN or infinite.
    NotFinite {
        /// The input.
        field: SupplyRiskField,
    },
    /// An input lies outside its allowed range.
    OutOfRange {
        /// The input.
        field: SupplyRiskField,
        /// The value given.
        value: f64,
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
        /// The country concerned, for per-country inputs (`t`, WGI).
        country: Option<CountryCode>,
    },
}

impl fmt::Display for SupplyRiskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SupplyRiskError::Missing { field, supply_used } => {
                write!(f, "{field} is missing but needed for `{supply_used}`")
            }
            SupplyRiskError::NotFinite { field } => write!(f, "{field} is not a finite number"),
            SupplyRiskError::OutOfRange {
                field,
                value,
                min,
                max,
                country,
            } => {
                write!(f, "{field} is {value}")?;
                if let Some(country) = country {
                    write!(f, " for {country}")?;
                }
                write!(f, ", outside {min}..={max}")
            }
        }
    }
}

impl std::error::Error for SupplyRiskError {}

/// Raw inputs of the supply-risk formula for one stage of one material, before validation.
///
/// Inputs a variant does not use may be `None` (the 2017 study leaves `HHI_EU` and `IR` blank for
/// "GS only" materials) and are ignored when given.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SupplyRiskInputs {
    /// Which supply data feed the concentration term.
    pub supply_used: SupplyUsed,
    /// `HHI_WGI,t` of global supply, 0..=15.
    pub hhi_global: Option<f64>,
    /// `HHI_WGI,t` of EU sourcing, 0..=15.
    pub hhi_eu: Option<f64>,
    /// Import reliance as a fraction, at most 1; negative values (net exporter) count as 0.
    pub import_reliance: Option<f64>,
    /// End-of-life recycling input rate, fraction 0..=1.
    pub eol_rir: f64,
    /// Substitution index for supply risk, 0..=1 (1 = no substitute).
    pub si_sr: f64,
}

/// The concentration term of a validated input set.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Concentration {
    Global { hhi_gs: f64 },
    Eu { hhi_eu: f64 },
    Both { hhi_gs: f64, hhi_eu: f64, ir: f64 },
}

/// Validated inputs of the supply-risk formula for one stage; build with [`SupplyRiskParams::new`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SupplyRiskParams {
    concentration: Concentration,
    eol_rir: f64,
    si_sr: f64,
}

fn finite(field: SupplyRiskField, value: f64) -> Result<f64, SupplyRiskError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(SupplyRiskError::NotFinite { field })
    }
}

fn in_range(
    field: SupplyRiskField,
    value: f64,
    min: f64,
    max: f64,
) -> Result<f64, SupplyRiskError> {
    let value = finite(field, value)?;
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(SupplyRiskError::OutOfRange {
            field,
            value,
            min,
            max,
            country: None,
        })
    }
}

fn required(
    field: SupplyRiskField,
    value: Option<f64>,
    supply_used: SupplyUsed,
) -> Result<f64, SupplyRiskError> {
    value.ok_or(SupplyRiskError::Missing { field, supply_used })
}

/// Validates an import reliance: finite, at most 1, negative values clamped to 0 (the method's
/// rule for net exporters).
fn import_reliance(value: f64) -> Result<f64, SupplyRiskError> {
    let value = finite(SupplyRiskField::ImportReliance, value)?;
    if value > 1.0 {
        return Err(SupplyRiskError::OutOfRange {
            field: SupplyRiskField::ImportReliance,
            value,
            min: 0.0,
            max: 1.0,
            country: None,
        });
    }
    Ok(value.max(0.0))
}

fn hhi(field: SupplyRiskField, value: f64) -> Result<f64, SupplyRiskError> {
    in_range(field, value, 0.0, HHI_WGI_T_MAX)
}

impl SupplyRiskParams {
    /// Validates raw inputs: the concentrations the variant needs are present and within
    /// `0..=15`, `EoL_RIR` and `SI_SR` within `0..=1`, import reliance at most 1 (a negative
    /// import reliance becomes 0, as the method prescribes for net exporters).
    ///
    /// ```
    /// use chokepoint::analysis::supply_risk::{SupplyRiskError, SupplyRiskField, SupplyRiskInputs, SupplyRiskParams, SupplyUsed};
    /// let mut inputs = SupplyRiskInputs {
    ///     supply_used: SupplyUsed::GlobalOnly,
    ///     hhi_global: Some(2.4),
    ///     hhi_eu: None,
    ///     import_reliance: None,
    ///     eol_rir: 0.0,
    ///     si_sr: 1.0,
    /// };
    /// assert!(SupplyRiskParams::new(&inputs).is_ok());
    /// inputs.si_sr = 1.2;
    /// assert!(matches!(
    ///     SupplyRiskParams::new(&inputs),
    ///     Err(SupplyRiskError::OutOfRange { field: SupplyRiskField::SiSr, .. })
    /// ));
    /// ```
    pub fn new(inputs: &SupplyRiskInputs) -> Result<SupplyRiskParams, SupplyRiskError> {
        let used = inputs.supply_used;
        let concentration = match used {
            SupplyUsed::GlobalOnly => Concentration::Global {
                hhi_gs: hhi(
                    SupplyRiskField::HhiGlobal,
                    required(SupplyRiskField::HhiGlobal, inputs.hhi_global, used)?,
                )?,
            },
            SupplyUsed::EuOnly => Concentration::Eu {
                hhi_eu: hhi(
                    SupplyRiskField::HhiEu,
                    required(SupplyRiskField::HhiEu, inputs.hhi_eu, used)?,
                )?,
            },
            SupplyUsed::Both => Concentration::Both {
                hhi_gs: hhi(
                    SupplyRiskField::HhiGlobal,
                    required(SupplyRiskField::HhiGlobal, inputs.hhi_global, used)?,
                )?,
                hhi_eu: hhi(
                    SupplyRiskField::HhiEu,
                    required(SupplyRiskField::HhiEu, inputs.hhi_eu, used)?,
                )?,
                ir: import_reliance(required(
                    SupplyRiskField::ImportReliance,
                    inputs.import_reliance,
                    used,
                )?)?,
            },
        };
        Ok(SupplyRiskParams {
            concentration,
            eol_rir: in_range(SupplyRiskField::EolRir, inputs.eol_rir, 0.0, 1.0)?,
            si_sr: in_range(SupplyRiskField::SiSr, inputs.si_sr, 0.0, 1.0)?,
        })
    }

    /// Which supply data feed the concentration term.
    pub fn supply_used(&self) -> SupplyUsed {
        match self.concentration {
            Concentration::Global { .. } => SupplyUsed::GlobalOnly,
            Concentration::Eu { .. } => SupplyUsed::EuOnly,
            Concentration::Both { .. } => SupplyUsed::Both,
        }
    }

    /// The import reliance used (after clamping negatives to 0), for "GS + EUS" only.
    pub fn import_reliance(&self) -> Option<f64> {
        match self.concentration {
            Concentration::Both { ir, .. } => Some(ir),
            _ => None,
        }
    }

    /// The bracket of the formula: `HHI_GS * IR/2 + HHI_EU * (1 - IR/2)`, or `HHI_GS`, or
    /// `HHI_EU`, depending on [`SupplyRiskParams::supply_used`].
    pub fn concentration_term(&self) -> f64 {
        match self.concentration {
            Concentration::Global { hhi_gs } => hhi_gs,
            Concentration::Eu { hhi_eu } => hhi_eu,
            Concentration::Both { hhi_gs, hhi_eu, ir } => blend(hhi_gs, hhi_eu, ir),
        }
    }

    /// End-of-life recycling input rate, 0..=1.
    pub fn eol_rir(&self) -> f64 {
        self.eol_rir
    }

    /// Substitution index for supply risk, 0..=1.
    pub fn si_sr(&self) -> f64 {
        self.si_sr
    }
}

/// `HHI_GS * IR/2 + HHI_X * (1 - IR/2)`.
fn blend(hhi_gs: f64, hhi_sourcing: f64, ir: f64) -> f64 {
    hhi_gs * ir / 2.0 + hhi_sourcing * (1.0 - ir / 2.0)
}

/// Supply risk of one stage: `[concentration term] * (1 - EoL_RIR) * SI_SR`, unrounded.
///
/// The EU studies publish SR rounded to one decimal; compare with a tolerance (the 2017 study's
/// published values differ from a recomputation on its rounded inputs by up to 0.25).
pub fn supply_risk(params: &SupplyRiskParams) -> f64 {
    params.concentration_term() * (1.0 - params.eol_rir) * params.si_sr
}

/// The supply risk of one stage.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StageSupplyRisk {
    /// The stage.
    pub stage: Stage,
    /// Its supply risk, unrounded.
    pub supply_risk: f64,
}

/// The bottleneck: the stage with the highest supply risk, which is the material's SR under the
/// EU method. Ties go to the stage listed first. `None` when `stages` is empty.
///
/// ```
/// use chokepoint::analysis::supply_risk::{bottleneck, SupplyRiskInputs, SupplyRiskParams, SupplyUsed};
/// use chokepoint::model::Stage;
/// let stage = |hhi: f64| SupplyRiskParams::new(&SupplyRiskInputs {
///     supply_used: SupplyUsed::GlobalOnly, hhi_global: Some(hhi), hhi_eu: None,
///     import_reliance: None, eol_rir: 0.0, si_sr: 1.0,
/// }).unwrap();
/// let worst = bottleneck(&[(Stage::Mining, stage(1.2)), (Stage::Refining, stage(3.0))]).unwrap();
/// assert_eq!(worst.stage, Stage::Refining);
/// assert_eq!(worst.supply_risk, 3.0);
/// ```
pub fn bottleneck(stages: &[(Stage, SupplyRiskParams)]) -> Option<StageSupplyRisk> {
    let mut worst: Option<StageSupplyRisk> = None;
    for (stage, params) in stages {
        let sr = supply_risk(params);
        if worst.is_none_or(|w| sr > w.supply_risk) {
            worst = Some(StageSupplyRisk {
                stage: *stage,
                supply_risk: sr,
            });
        }
    }
    worst
}

/// Whether a material is critical under the EU method: `SR >= 1.0` and `EI >= 2.8`.
///
/// ```
/// use chokepoint::analysis::supply_risk::is_critical;
/// assert!(is_critical(1.0, 2.8));
/// assert!(!is_critical(0.99, 7.0));
/// assert!(!is_critical(4.0, 2.7));
/// ```
pub fn is_critical(supply_risk: f64, economic_importance: f64) -> bool {
    supply_risk >= SR_THRESHOLD && economic_importance >= EI_THRESHOLD
}

/// The global-supply side of a firm's supply risk: the EU method's `HHI_GS` of the stage and the
/// import reliance that weights it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GlobalSupplyTerm {
    /// `HHI_WGI,t` of global supply at the stage, 0..=15 (for example from the EU study, or
    /// computed over the world mix).
    pub hhi_wgi_t: f64,
    /// Import reliance weighting global supply against the firm's sourcing, at most 1; negative
    /// values count as 0.
    pub import_reliance: f64,
}

/// Inputs of [`firm_supply_risk`] for one stage of one material.
#[derive(Clone, Copy, Debug)]
pub struct FirmSupplyRiskParams<'a> {
    /// The firm's own sourcing mix at the stage (where its supply comes from).
    pub sourcing: &'a CountryMix,
    /// Countries with their governance indicators (from the reference data).
    pub countries: &'a [Country],
    /// Trade parameters `t` per country (0..=1.5); countries not listed get 1.0.
    pub trade: &'a [(CountryCode, f64)],
    /// Governance score (EU 0-10 scale) used for a country with no WGI score, including the
    /// rest-of-world remainder `ROW`; 0..=10. 5.0 (the scale's midpoint) is a neutral choice.
    pub unknown_governance: f64,
    /// The global-supply term; `None` computes the "EUS only" analogue (firm sourcing alone).
    pub global: Option<GlobalSupplyTerm>,
    /// End-of-life recycling input rate, 0..=1.
    pub eol_rir: f64,
    /// Substitution index for supply risk, 0..=1.
    pub si_sr: f64,
}

/// A firm's supply risk at one stage, with its parts.
#[derive(Clone, Debug, PartialEq)]
pub struct FirmSupplyRisk {
    /// The supply risk, unrounded.
    pub supply_risk: f64,
    /// `HHI_WGI,t` of the firm's own sourcing mix, 0..=15.
    pub firm_hhi_wgi_t: f64,
    /// The bracket of the formula, with the firm's `HHI_WGI,t` in place of `HHI_EU`.
    pub concentration_term: f64,
    /// Countries of the mix for which `unknown_governance` was used (no WGI score, or `ROW`).
    pub governance_assumed: Vec<CountryCode>,
}

/// `HHI_WGI,t` of a mix with an assumed governance score for the countries without one:
/// `sum_c s_c^2 * WGI_c * t_c` over the countries with a score (computed by the shared
/// [`hhi_wgi_with`]) plus `sum_m s_m^2 * unknown_governance * t_m` over the missing ones (no WGI
/// score, or `ROW`), which are returned so that the assumption can be shown.
///
/// `t_c` comes from `trade` (1.0 for a country not listed) and must lie in 0..=1.5; the error
/// names the country. Used for both the firm's sourcing term and the global-supply term of
/// [`firm_supply_risk`] in the assessment.
///
/// ```
/// use chokepoint::analysis::supply_risk::hhi_wgi_t;
/// use chokepoint::model::{CountryCode, CountryMix};
/// use chokepoint::reference::Country;
/// let chn = CountryCode::parse("CHN").unwrap();
/// let countries = [Country { code: chn, iso2: "CN".into(), name: "China".into(), wgi_mean: Some(0.0) }];
/// let mix = CountryMix::from_shares([(chn, 0.5), (CountryCode::REST_OF_WORLD, 0.5)]).unwrap();
/// // 0.25 * 5 (China: (2.5 - 0) * 2) * 1.2 + 0.25 * 4 (assumed) * 1.0
/// let (value, assumed) = hhi_wgi_t(&mix, &countries, &[(chn, 1.2)], 4.0).unwrap();
/// assert!((value - 2.5).abs() < 1e-12);
/// assert_eq!(assumed, vec![CountryCode::REST_OF_WORLD]);
/// ```
pub fn hhi_wgi_t(
    mix: &CountryMix,
    countries: &[Country],
    trade: &[(CountryCode, f64)],
    unknown_governance: f64,
) -> Result<(f64, Vec<CountryCode>), SupplyRiskError> {
    let unknown_governance = in_range(SupplyRiskField::Governance, unknown_governance, 0.0, 10.0)?;
    // Validate the trade parameters of the mix's countries first, naming the country at fault.
    for &(country, _) in mix.entries() {
        if let Some(&(_, t)) = trade.iter().find(|(c, _)| *c == country) {
            let t = finite(SupplyRiskField::TradeParameter, t)?;
            if !(0.0..=TRADE_PARAMETER_MAX).contains(&t) {
                return Err(SupplyRiskError::OutOfRange {
                    field: SupplyRiskField::TradeParameter,
                    value: t,
                    min: 0.0,
                    max: TRADE_PARAMETER_MAX,
                    country: Some(country),
                });
            }
        }
    }
    let t = |country: CountryCode| {
        trade
            .iter()
            .find(|(c, _)| *c == country)
            .map_or(1.0, |&(_, t)| t)
    };
    // The reference data's countries are sorted by code: search them (any order still works).
    let sorted = countries.is_sorted_by_key(|c| c.code);
    let wgi = |country: CountryCode| {
        if sorted {
            let at = countries.binary_search_by_key(&country, |c| c.code).ok()?;
            countries.get(at).and_then(Country::wgi_eu_scaled)
        } else {
            countries
                .iter()
                .find(|c| c.code == country)
                .and_then(Country::wgi_eu_scaled)
        }
    };
    let known = hhi_wgi_with(mix, &wgi, &t);
    let assumed: f64 = known
        .missing
        .iter()
        .map(|m| m.share * m.share * unknown_governance * t(m.country))
        .sum();
    Ok((
        known.value + assumed,
        known.missing.iter().map(|m| m.country).collect(),
    ))
}

/// A firm's supply risk at one stage: the EU formula with the firm's own sourcing mix as the
/// sourcing term.
///
/// ```text
/// HHI_firm = sum over the firm's supplier countries c of  s_c^2 * WGI_c * t_c
/// SR_firm  = [ HHI_GS * IR/2 + HHI_firm * (1 - IR/2) ] * (1 - EoL_RIR) * SI_SR   (global given)
/// SR_firm  =   HHI_firm * (1 - EoL_RIR) * SI_SR                                 (global None)
/// ```
///
/// `s_c` are the firm's shares (fractions of its purchases at the stage), `WGI_c` the EU-scaled
/// governance score ([`Country::wgi_eu_scaled`]; `unknown_governance` where there is none, and
/// for the `ROW` remainder, which is treated as one supplier and so gives an upper bound on its
/// contribution), `t_c` the trade parameter (1.0 unless given). The global term, import reliance,
/// `EoL_RIR` and `SI_SR` are the material's (for example the EU assessment's) unless the user
/// knows better. This replaces the EU's aggregate sourcing by the firm's: it is Chokepoint's
/// adaptation, not a published EU figure, and is comparable with the EU's SR only in kind.
///
/// ```
/// use chokepoint::analysis::supply_risk::{firm_supply_risk, FirmSupplyRiskParams};
/// use chokepoint::model::{CountryCode, CountryMix};
/// use chokepoint::reference::Country;
///
/// let chn = CountryCode::parse("CHN").unwrap();
/// let countries = [Country { code: chn, iso2: "CN".into(), name: "China".into(), wgi_mean: Some(-0.5) }];
/// let mix = CountryMix::single(chn);
/// let result = firm_supply_risk(&FirmSupplyRiskParams {
///     sourcing: &mix,
///     countries: &countries,
///     trade: &[(chn, 1.2)],
///     unknown_governance: 5.0,
///     global: None,
///     eol_rir: 0.0,
///     si_sr: 1.0,
/// })
/// .unwrap();
/// // 1^2 * ((2.5 - (-0.5)) * 2) * 1.2 = 7.2
/// assert!((result.supply_risk - 7.2).abs() < 1e-9);
/// ```
pub fn firm_supply_risk(params: &FirmSupplyRiskParams) -> Result<FirmSupplyRisk, SupplyRiskError> {
    let unknown_governance = in_range(
        SupplyRiskField::Governance,
        params.unknown_governance,
        0.0,
        10.0,
    )?;
    let eol_rir = in_range(SupplyRiskField::EolRir, params.eol_rir, 0.0, 1.0)?;
    let si_sr = in_range(SupplyRiskField::SiSr, params.si_sr, 0.0, 1.0)?;
    let (firm_hhi, governance_assumed) = hhi_wgi_t(
        params.sourcing,
        params.countries,
        params.trade,
        unknown_governance,
    )?;
    let concentration_term = match params.global {
        Some(global) => {
            let hhi_gs = hhi(SupplyRiskField::HhiGlobal, global.hhi_wgi_t)?;
            let ir = import_reliance(global.import_reliance)?;
            blend(hhi_gs, firm_hhi, ir)
        }
        None => firm_hhi,
    };
    Ok(FirmSupplyRisk {
        supply_risk: concentration_term * (1.0 - eol_rir) * si_sr,
        firm_hhi_wgi_t: firm_hhi,
        concentration_term,
        governance_assumed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> CountryCode {
        CountryCode::parse(text).unwrap()
    }

    #[test]
    fn negative_import_reliance_counts_as_zero() {
        let params = SupplyRiskParams::new(&SupplyRiskInputs {
            supply_used: SupplyUsed::Both,
            hhi_global: Some(4.0),
            hhi_eu: Some(2.0),
            import_reliance: Some(-0.3),
            eol_rir: 0.0,
            si_sr: 1.0,
        })
        .unwrap();
        assert_eq!(params.import_reliance(), Some(0.0));
        assert_eq!(supply_risk(&params), 2.0);
    }

    #[test]
    fn missing_input_names_field_and_variant() {
        let err = SupplyRiskParams::new(&SupplyRiskInputs {
            supply_used: SupplyUsed::Both,
            hhi_global: Some(4.0),
            hhi_eu: None,
            import_reliance: Some(0.5),
            eol_rir: 0.0,
            si_sr: 1.0,
        })
        .unwrap_err();
        assert_eq!(
            err,
            SupplyRiskError::Missing {
                field: SupplyRiskField::HhiEu,
                supply_used: SupplyUsed::Both
            }
        );
        assert_eq!(
            err.to_string(),
            "HHI_WGI_t_EU is missing but needed for `GS + EUS`"
        );
    }

    #[test]
    fn firm_mix_uses_fallback_governance_for_rest_of_world() {
        let chn = code("CHN");
        let countries = [Country {
            code: chn,
            iso2: "CN".into(),
            name: "China".into(),
            wgi_mean: Some(0.0),
        }];
        let mix = CountryMix::from_shares([(chn, 0.5), (CountryCode::REST_OF_WORLD, 0.5)]).unwrap();
        let result = firm_supply_risk(&FirmSupplyRiskParams {
            sourcing: &mix,
            countries: &countries,
            trade: &[],
            unknown_governance: 4.0,
            global: Some(GlobalSupplyTerm {
                hhi_wgi_t: 2.0,
                import_reliance: 1.0,
            }),
            eol_rir: 0.5,
            si_sr: 1.0,
        })
        .unwrap();
        // 0.25 * 5 + 0.25 * 4 = 2.25; [2 * 0.5 + 2.25 * 0.5] * 0.5 = 1.0625
        assert!((result.firm_hhi_wgi_t - 2.25).abs() < 1e-12);
        assert!((result.supply_risk - 1.0625).abs() < 1e-12);
        assert_eq!(result.governance_assumed, vec![CountryCode::REST_OF_WORLD]);
    }

    #[test]
    fn trade_parameter_out_of_range_names_country() {
        let chn = code("CHN");
        let mix = CountryMix::single(chn);
        let err = firm_supply_risk(&FirmSupplyRiskParams {
            sourcing: &mix,
            countries: &[],
            trade: &[(chn, 3.0)],
            unknown_governance: 5.0,
            global: None,
            eol_rir: 0.0,
            si_sr: 1.0,
        })
        .unwrap_err();
        assert!(matches!(
            err,
            SupplyRiskError::OutOfRange {
                field: SupplyRiskField::TradeParameter,
                country: Some(c),
                ..
            } if c == chn
        ));
    }
}
