//! Reading numbers as people type them: a number that may end in a percent sign (`30`, `30 %`)
//! and a list of country numbers (`JPN=8, DEU=6.5 %`). The Plan page's premium field and the
//! command line's `--premium`, `--cap` and `--require` read their lists here, so both accept and
//! refuse the same text: a repeated country is an error, never a silent overwrite.
//!
//! ```
//! use chokepoint::text::parse::{ParseError, country_numbers, number};
//! assert_eq!(number(" 12.5 % "), Ok(12.5));
//! let premiums = country_numbers("jpn=8; DEU = 6.5 %").unwrap();
//! assert_eq!(premiums.values().copied().collect::<Vec<_>>(), [6.5, 8.0]);
//! assert!(matches!(country_numbers("JPN=8, JPN=9"), Err(ParseError::Repeated { .. })));
//! ```

use crate::model::CountryCode;
use std::collections::BTreeMap;
use std::fmt;

/// Why a text could not be read; each case names the part of the text at fault.
#[derive(Clone, Debug, PartialEq)]
pub enum ParseError {
    /// `text` is not a finite number (after trimming and one trailing `%`).
    NotANumber {
        /// The text as typed.
        text: String,
    },
    /// A list entry without `=`.
    NotAPair {
        /// The entry as typed.
        item: String,
    },
    /// A list entry whose code is not three letters.
    NotACountry {
        /// The code as typed.
        code: String,
    },
    /// A negative number where only zero or more is meaningful.
    Negative {
        /// The country it was given for, in a list.
        country: Option<CountryCode>,
        /// The number.
        value: f64,
    },
    /// A country given twice in one list.
    Repeated {
        /// The country.
        country: CountryCode,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::NotANumber { text } => write!(f, "`{}` is not a number", text.trim()),
            ParseError::NotAPair { item } => {
                write!(f, "`{}`: write it as ISO=number, e.g. JPN=8", item.trim())
            }
            ParseError::NotACountry { code } => {
                write!(f, "`{}` is not a three-letter country code", code.trim())
            }
            ParseError::Negative {
                country: Some(country),
                ..
            } => write!(f, "{country}: the value must be zero or more"),
            ParseError::Negative { value, .. } => {
                write!(f, "{value}: the value must be zero or more")
            }
            ParseError::Repeated { country } => write!(f, "{country} given twice"),
        }
    }
}

impl std::error::Error for ParseError {}

/// A finite number, with surrounding spaces and one trailing percent sign allowed: `30`,
/// ` 30 % `, `-2.5`. The number is returned as written (`30 %` is 30.0, not 0.3).
pub fn number(text: &str) -> Result<f64, ParseError> {
    let trimmed = text.trim();
    let digits = trimmed.strip_suffix('%').unwrap_or(trimmed).trim();
    digits
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| ParseError::NotANumber {
            text: text.to_string(),
        })
}

/// A [`number`] that is zero or more.
pub fn non_negative(text: &str) -> Result<f64, ParseError> {
    let value = number(text)?;
    if value < 0.0 {
        return Err(ParseError::Negative {
            country: None,
            value,
        });
    }
    Ok(value)
}

/// A list `ISO=number` separated by commas or semicolons (`JPN=8, DEU=6.5 %`), each number
/// zero or more ([`non_negative`]) and each country once; empty entries are skipped, so an
/// empty text is an empty list. The first unreadable entry is the error.
pub fn country_numbers(text: &str) -> Result<BTreeMap<CountryCode, f64>, ParseError> {
    let mut out = BTreeMap::new();
    for item in text
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (code, value) = item.split_once('=').ok_or_else(|| ParseError::NotAPair {
            item: item.to_string(),
        })?;
        let country = CountryCode::parse(code).ok_or_else(|| ParseError::NotACountry {
            code: code.trim().to_string(),
        })?;
        let value = non_negative(value.trim()).map_err(|e| match e {
            ParseError::Negative { value, .. } => ParseError::Negative {
                country: Some(country),
                value,
            },
            other => other,
        })?;
        if out.insert(country, value).is_some() {
            return Err(ParseError::Repeated { country });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{ParseError, country_numbers, non_negative, number};
    use crate::model::CountryCode;

    fn code(text: &str) -> CountryCode {
        CountryCode::parse(text).expect("a country code")
    }

    #[test]
    fn numbers_with_and_without_a_percent_sign() {
        assert_eq!(number("30"), Ok(30.0));
        assert_eq!(number(" 30 % "), Ok(30.0));
        assert_eq!(number("-2.5%"), Ok(-2.5));
        for bad in ["", "%", "abc", "3 0", "NaN", "inf", "30%%"] {
            assert!(
                matches!(number(bad), Err(ParseError::NotANumber { .. })),
                "{bad:?}"
            );
        }
        assert_eq!(
            non_negative("-1"),
            Err(ParseError::Negative {
                country: None,
                value: -1.0
            })
        );
        assert_eq!(non_negative("0 %"), Ok(0.0));
    }

    #[test]
    fn country_lists_name_the_entry_at_fault() {
        let parsed = country_numbers("jpn=8, DEU = 6.5 %;USA=0").unwrap();
        assert_eq!(
            parsed.into_iter().collect::<Vec<_>>(),
            [(code("DEU"), 6.5), (code("JPN"), 8.0), (code("USA"), 0.0)]
        );
        assert!(country_numbers("").unwrap().is_empty());
        assert!(country_numbers(" , ;").unwrap().is_empty());
        let error = country_numbers("Japan=8").unwrap_err();
        assert_eq!(
            error,
            ParseError::NotACountry {
                code: "Japan".into()
            }
        );
        assert!(error.to_string().contains("Japan"));
        let error = country_numbers("JPN").unwrap_err();
        assert!(error.to_string().contains("ISO=number"), "{error}");
        let error = country_numbers("JPN=-1").unwrap_err();
        assert_eq!(error.to_string(), "JPN: the value must be zero or more");
        assert_eq!(
            country_numbers("JPN=x"),
            Err(ParseError::NotANumber { text: "x".into() })
        );
    }

    #[test]
    fn a_repeated_country_is_an_error_not_an_overwrite() {
        assert_eq!(
            country_numbers("JPN=8, jpn=9"),
            Err(ParseError::Repeated {
                country: code("JPN")
            })
        );
        assert_eq!(
            country_numbers("JPN=8, jpn=9").unwrap_err().to_string(),
            "JPN given twice"
        );
    }
}
