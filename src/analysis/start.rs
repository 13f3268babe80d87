//! How a portfolio starts when the user does not bring one: blank, with one line to fill in, or
//! from an industry template ([`crate::portfolio::templates::to_portfolio`]) for a number of units
//! of product a year, read here from what the user typed.

use crate::portfolio::{RawLine, RawNumber, RawPortfolio, SCHEMA_VERSION};

/// The most units of product a year a template is scaled to: 10^12, beyond any real output
/// (more than a hundred units a year for every person on Earth), so that spends stay far from
/// the bounded reader's limits.
pub const MAX_UNITS_PER_YEAR: f64 = 1e12;

/// A blank portfolio, named "My portfolio", with one empty line to fill in.
pub fn blank_portfolio() -> RawPortfolio {
    RawPortfolio {
        schema_version: Some(RawNumber::Number(f64::from(SCHEMA_VERSION))),
        name: Some("My portfolio".into()),
        lines: vec![RawLine::default()],
        ..RawPortfolio::default()
    }
}

/// Units of product a year as typed ("1,000", "2 500", with a narrow no-break space too): a
/// number above zero and at most [`MAX_UNITS_PER_YEAR`]; `None` for anything else.
///
/// ```
/// use chokepoint::analysis::start::units_per_year;
/// assert_eq!(units_per_year(" 2 500 "), Some(2500.0));
/// assert_eq!(units_per_year("1,000"), Some(1000.0));
/// assert_eq!(units_per_year("0"), None);
/// ```
pub fn units_per_year(text: &str) -> Option<f64> {
    text.trim()
        .replace([',', ' ', '\u{202f}'], "")
        .parse::<f64>()
        .ok()
        .filter(|u| u.is_finite() && *u > 0.0 && *u <= MAX_UNITS_PER_YEAR)
}

#[cfg(test)]
mod tests {
    use super::{MAX_UNITS_PER_YEAR, blank_portfolio, units_per_year};
    use crate::portfolio::RawPortfolio;

    #[test]
    fn units_are_above_zero_and_bounded() {
        assert_eq!(units_per_year("1\u{202f}000"), Some(1000.0));
        assert_eq!(units_per_year("1e12"), Some(MAX_UNITS_PER_YEAR));
        for bad in ["", "-5", "0", "1e13", "abc", "NaN", "inf"] {
            assert_eq!(units_per_year(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_blank_portfolio_reads_back_with_one_empty_line() {
        let blank = blank_portfolio();
        assert_eq!(blank.lines.len(), 1);
        let read = RawPortfolio::from_json(&blank.to_json()).expect("readable");
        assert_eq!(read, blank);
    }
}
