//! The JavaScript API's Rust side: what `chokepoint-api.js` exports, as plain Rust functions over
//! values so they are tested natively. The browser bindings (the `js` module, wasm32 only) convert
//! JavaScript values to and from these with serde-wasm-bindgen; the exports themselves are in
//! `src/bin/chokepoint-api.rs`, a separate WebAssembly module that the app never loads.
//!
//! The API is versioned with the portfolio format: [`version`] reports [`API_VERSION`] and the
//! portfolio [`SCHEMA_VERSION`] it reads. Results have the shape of the command line's
//! `chokepoint assess FILE.json` output (the same [`Assessment`] type, serialised the same way).

use crate::analysis::assess::{AssessParams, Assessment, assess};
use crate::analysis::policy::Date;
use crate::portfolio::limits::{LimitError, Shape, check_json};
use crate::portfolio::{RawPortfolio, SCHEMA_VERSION, ValidationError};
use crate::reference::{Material, ReferenceData};
use serde::{Deserialize, Serialize};

/// Version of the JavaScript API: raised on any incompatible change of its functions or results.
/// 2 (December 2026): the firm supply risk is the GeoPolRisk score (`supply_risk.basis` "firm",
/// the EU's value under `eu_reference`), portfolio totals carry `supply_risk_by_spend` /
/// `supply_risk_by_revenue` instead of blended HHIs, `hidden` lists each material's exposure not
/// entered, stages carry their look-through basis (`trade`), and policy findings have the
/// outcomes `not_assessable` and `context`.
pub const API_VERSION: u32 = 2;

/// What [`version`] reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Version {
    /// [`API_VERSION`].
    pub api: u32,
    /// The portfolio format version accepted ([`SCHEMA_VERSION`]).
    pub portfolio_schema: u32,
    /// The calculator's package version.
    pub calculator: &'static str,
}

/// The API and portfolio format versions.
pub fn version() -> Version {
    Version {
        api: API_VERSION,
        portfolio_schema: SCHEMA_VERSION,
        calculator: env!("CARGO_PKG_VERSION"),
    }
}

/// Options of [`assess_portfolio`]; every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AssessOptions {
    /// Date the policy rules are checked on, `YYYY-MM-DD`. Absent: the JavaScript binding
    /// passes today (the browser's clock); a native caller without a date gets every rule
    /// checked as written (the core has no clock).
    pub date: Option<String>,
    /// Use the EU 2023 published supply risk where a material has one (as the command line's
    /// `--published-sr`). Default: no, the firm supply risk of the firm's own sourcing
    /// (GeoPolRisk; see docs/METHODS.md).
    pub eu_supply_risk: bool,
}

/// Why [`assess_portfolio`] returned no assessment.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApiError {
    /// The portfolio is not a JSON document of the portfolio format.
    Parse {
        /// What is wrong, with its line and column.
        message: String,
    },
    /// The portfolio breaks a rule of the format.
    Invalid {
        /// One readable sentence per problem.
        messages: Vec<String>,
        /// The problems, structured (where, which field, what).
        errors: Vec<ValidationError>,
    },
    /// The portfolio is over one of the size limits of [`crate::portfolio::limits`]; refused
    /// before it is parsed.
    TooLarge {
        /// The limit, the value found and where, in words.
        message: String,
        /// The same, structured.
        error: LimitError,
    },
    /// An option is wrong.
    Options {
        /// What is wrong.
        message: String,
    },
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Parse { message }
            | ApiError::TooLarge { message, .. }
            | ApiError::Options { message } => f.write_str(message),
            ApiError::Invalid { messages, .. } => f.write_str(&messages.join("; ")),
        }
    }
}

/// Assesses a portfolio given as JSON text (the portfolio file format) against `reference`,
/// after checking it against the size limits ([`crate::portfolio::limits::check_json`]).
pub fn assess_portfolio(
    json: &str,
    options: &AssessOptions,
    reference: &ReferenceData,
) -> Result<Assessment, ApiError> {
    check_json(json, Shape::Portfolio).map_err(|error| ApiError::TooLarge {
        message: format!("the portfolio is too large to assess: {error}"),
        error,
    })?;
    let raw = RawPortfolio::from_json(json).map_err(|e| ApiError::Parse {
        message: e.to_string(),
    })?;
    let portfolio = raw
        .validate(reference)
        .map_err(|errors| ApiError::Invalid {
            messages: errors.iter().map(ToString::to_string).collect(),
            errors,
        })?;
    let date = match options.date.as_deref() {
        Some(text) => Some(Date::parse(text.trim()).map_err(|e| ApiError::Options {
            message: format!("date: {e}"),
        })?),
        None => None,
    };
    let mut params = AssessParams {
        date,
        ..AssessParams::default()
    };
    if options.eu_supply_risk {
        params = params.with_published_eu_supply_risk(reference);
    }
    Ok(assess(&portfolio, reference, &params))
}

/// A catalogue material with its sources: the reference entry for `id` (ids and aliases as in
/// portfolio files, names and element symbols as [`ReferenceData::resolve_material`] reads them;
/// `null` in JavaScript when unknown or ambiguous).
pub fn reference_material<'a>(id: &str, reference: &'a ReferenceData) -> Option<&'a Material> {
    reference.resolve_material(id).ok()
}

/// One entry of [`materials`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MaterialEntry {
    /// Id, as used in portfolio files.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// Every material of the catalogue, in catalogue order.
pub fn materials(reference: &ReferenceData) -> Vec<MaterialEntry> {
    reference
        .materials
        .iter()
        .map(|m| MaterialEntry {
            id: m.id.clone(),
            name: m.name.clone(),
        })
        .collect()
}

/// The browser bindings: JavaScript values in and out (wasm32 only).
#[cfg(target_arch = "wasm32")]
pub mod js {
    use super::{ApiError, AssessOptions};
    use serde::Serialize;
    use wasm_bindgen::JsValue;

    fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
        value
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| JsValue::from_str(&e.to_string()))
    }

    /// An `Error` whose `message` reads the problem and whose `details` holds it structured.
    fn error(problem: &ApiError) -> JsValue {
        let error = js_sys::Error::new(&problem.to_string());
        if let Ok(details) = to_js(problem) {
            let _ = js_sys::Reflect::set(&error, &"details".into(), &details);
        }
        error.into()
    }

    /// `assess(portfolio, options)`: `portfolio` is an object of the portfolio format or its
    /// JSON text; `options` is `undefined` or `{ date, eu_supply_risk }`. Returns the assessment
    /// as a plain object; throws an `Error` with `details` when the input is wrong.
    pub fn assess(portfolio: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let json = match portfolio.as_string() {
            Some(text) => text,
            None => js_sys::JSON::stringify(&portfolio)
                .ok()
                .and_then(|s| s.as_string())
                .ok_or_else(|| {
                    error(&ApiError::Parse {
                        message: "the portfolio is neither JSON text nor a plain object".into(),
                    })
                })?,
        };
        let mut options: AssessOptions = if options.is_undefined() || options.is_null() {
            AssessOptions::default()
        } else {
            serde_wasm_bindgen::from_value(options).map_err(|e| {
                error(&ApiError::Options {
                    message: e.to_string(),
                })
            })?
        };
        // A date always: today, from the browser's clock, unless the caller gives one.
        if options.date.is_none() {
            let now = js_sys::Date::new_0();
            options.date = Some(format!(
                "{:04}-{:02}-{:02}",
                now.get_full_year(),
                now.get_month() + 1,
                now.get_date()
            ));
        }
        let result = super::assess_portfolio(&json, &options, crate::reference::embedded())
            .map_err(|e| error(&e))?;
        to_js(&result)
    }

    /// `reference(material)`: the catalogue entry, or `null` for an unknown id.
    pub fn reference(material: &str) -> Result<JsValue, JsValue> {
        match super::reference_material(material, crate::reference::embedded()) {
            Some(m) => to_js(m),
            None => Ok(JsValue::NULL),
        }
    }

    /// `materials()`: `[{ id, name }]` of the catalogue.
    pub fn materials() -> Result<JsValue, JsValue> {
        to_js(&super::materials(crate::reference::embedded()))
    }

    /// `version()`: `{ api, portfolio_schema, calculator }`.
    pub fn version() -> Result<JsValue, JsValue> {
        to_js(&super::version())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE_LINE: &str = r#"{"schema_version": 1, "spend_unit": "EUR", "lines": [
        {"material": "gallium", "spend": 1000, "revenue_share_pct": 10,
         "sourcing": {"refining": {"CHN": 80, "JPN": 20}}}]}"#;

    #[test]
    fn assesses_like_the_core() {
        let reference = crate::reference::embedded();
        let result = assess_portfolio(ONE_LINE, &AssessOptions::default(), reference);
        let Ok(result) = result else {
            panic!("{result:?}");
        };
        let raw = RawPortfolio::from_json(ONE_LINE).unwrap_or_default();
        let valid = raw.validate(reference).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(result, assess(&valid, reference, &AssessParams::default()));
    }

    #[test]
    fn errors_are_structured() {
        let reference = crate::reference::embedded();
        let parse = assess_portfolio("{", &AssessOptions::default(), reference);
        assert!(matches!(parse, Err(ApiError::Parse { .. })));
        let bad = ONE_LINE.replace("gallium", "unobtainium");
        match assess_portfolio(&bad, &AssessOptions::default(), reference) {
            Err(ApiError::Invalid { messages, errors }) => {
                assert_eq!(messages.len(), errors.len());
                assert!(messages.iter().any(|m| m.contains("unobtainium")));
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
        let options = AssessOptions {
            date: Some("2025-13-40".into()),
            ..AssessOptions::default()
        };
        assert!(matches!(
            assess_portfolio(ONE_LINE, &options, reference),
            Err(ApiError::Options { .. })
        ));
    }

    #[test]
    fn versions_follow_the_portfolio_format() {
        assert_eq!(version().portfolio_schema, SCHEMA_VERSION);
        assert_eq!(version().api, API_VERSION);
    }

    #[test]
    fn reference_and_catalogue() {
        let reference = crate::reference::embedded();
        let list = materials(reference);
        assert_eq!(list.len(), reference.materials.len());
        let gallium = reference_material(" gallium ", reference).map(|m| m.id.as_str());
        assert_eq!(gallium, Some("gallium"));
        assert!(reference_material("unobtainium", reference).is_none());
        // Names, aliases and element symbols, as everywhere else; a shared symbol only when it
        // names one element alone.
        let id = |text| reference_material(text, reference).map(|m| m.id.as_str());
        assert_eq!(id("Ga"), Some("gallium"));
        assert_eq!(id("REE"), Some("rare_earths"));
        assert_eq!(id("Rare earth elements"), Some("rare_earths"));
        assert_eq!(id("nd"), Some("neodymium"));
        assert_eq!(id("Si"), None);
    }
}
