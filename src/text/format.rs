//! Number formatting for display. Pure functions; a number that is not finite is shown as
//! missing (`–`), never as `NaN` or `inf`.
//!
//! The conventions:
//!
//! - **Percentages** carry the precision the inputs support: whole percent from 1 % up, one
//!   decimal below 1 % (so that a small share does not read as zero), and `0 %` below 0.05 %.
//!   The figure and the unit are separated by a space: `91 %`.
//! - **Thousands** are grouped by a narrow no-break space (U+202F), the SI brochure's separator
//!   (BIPM, *The International System of Units*, 9th edition, 2019, section 5.4.4), which reads
//!   the same in every language and never breaks across lines: `10 000`.
//!
//! ```
//! use chokepoint::text::format::{pct, thousands};
//! assert_eq!(pct(0.9123), "91 %");
//! assert_eq!(pct(0.004), "0.4 %");
//! assert_eq!(thousands(8800.4), "8\u{202f}800");
//! ```

/// What is shown for a number that is missing or not finite.
pub const MISSING: &str = "–";

/// The thousands separator: a narrow no-break space (U+202F).
pub const THOUSANDS_SEPARATOR: char = '\u{202f}';

/// A fraction as a percentage figure without its unit, with the precision of [`pct`]:
/// `0.9123` → `"91"`, `0.004` → `"0.4"`, `0.0001` → `"0"`; [`MISSING`] when not finite. For
/// messages that write the unit themselves (`"{} %"`).
///
/// ```
/// use chokepoint::text::format::percent_figure;
/// assert_eq!(percent_figure(0.987), "99");
/// assert_eq!(percent_figure(0.0031), "0.3");
/// assert_eq!(format!("{} %", percent_figure(0.25)), "25 %");
/// ```
pub fn percent_figure(fraction: f64) -> String {
    let p = fraction * 100.0;
    if !p.is_finite() {
        return MISSING.into();
    }
    if p.abs() < 0.05 {
        return "0".into();
    }
    if p.abs() < 1.0 {
        format!("{p:.1}")
    } else {
        format!("{p:.0}")
    }
}

/// A fraction as a percentage with sensible precision: `0.9123` → `"91 %"`, `0.004` →
/// `"0.4 %"`; [`MISSING`] when not finite.
pub fn pct(fraction: f64) -> String {
    let figure = percent_figure(fraction);
    if figure == MISSING {
        figure
    } else {
        format!("{figure} %")
    }
}

/// A whole number with thousands separators ([`THOUSANDS_SEPARATOR`]): `8800.4` → `"8 800"`;
/// [`MISSING`] when not finite.
pub fn thousands(value: f64) -> String {
    if !value.is_finite() {
        return MISSING.into();
    }
    let rounded = value.round();
    let grouped = group_digits(&format!("{:.0}", rounded.abs()));
    if rounded < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// A count with thousands separators: `1398088` → `"1 398 088"`.
pub fn count(n: usize) -> String {
    group_digits(&n.to_string())
}

/// `digits` (ASCII digits only) grouped by three from the right.
fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(THOUSANDS_SEPARATOR);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages() {
        assert_eq!(pct(0.9123), "91 %");
        assert_eq!(pct(0.004), "0.4 %");
        assert_eq!(pct(0.0), "0 %");
        assert_eq!(pct(-1e-12), "0 %");
        assert_eq!(pct(f64::NAN), "–");
        assert_eq!(pct(f64::INFINITY), "–");
        assert_eq!(percent_figure(0.987), "99");
        assert_eq!(percent_figure(0.031), "3");
        assert_eq!(percent_figure(-0.25), "-25");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(8800.4), "8\u{202f}800");
        assert_eq!(thousands(10_000.0), "10\u{202f}000");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(950.0), "950");
        assert_eq!(thousands(-1234.0), "-1\u{202f}234");
        assert_eq!(thousands(-0.4), "0");
        assert_eq!(
            thousands(1e21),
            "1\u{202f}000\u{202f}000\u{202f}000\u{202f}000\u{202f}000\u{202f}000\u{202f}000"
        );
        assert_eq!(thousands(f64::NAN), "–");
        assert_eq!(count(1_398_088), "1\u{202f}398\u{202f}088");
        assert_eq!(count(0), "0");
    }
}

/// Properties (proptest is a native development dependency only).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Taking the separators out gives the rounded number back.
        #[test]
        fn thousands_round_trips(value in -1e15f64..1e15) {
            let text = thousands(value).replace(THOUSANDS_SEPARATOR, "");
            prop_assert_eq!(text.parse::<f64>().unwrap(), value.round() + 0.0);
        }

        /// Groups are three digits long, except the first.
        #[test]
        fn groups_of_three(n in any::<usize>()) {
            let text = count(n);
            let groups: Vec<&str> = text.split(THOUSANDS_SEPARATOR).collect();
            prop_assert!(groups[0].len() <= 3 && !groups[0].is_empty());
            prop_assert!(groups[1..].iter().all(|g| g.len() == 3));
            prop_assert_eq!(text.replace(THOUSANDS_SEPARATOR, "").parse::<usize>().unwrap(), n);
        }
    }
}
