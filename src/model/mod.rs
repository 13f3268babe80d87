//! The value types every other part of Chokepoint speaks in: supply-chain stages, country codes,
//! validated shares and country mixes.
//!
//! Invariants are checked once, at construction (`Share::new`, `CountryMix::from_shares`);
//! downstream code takes the validated types and never re-checks them.
//!
//! A country mix is a set of `(country, fraction)` pairs whose fractions sum to exactly 1. The
//! sources' "Other countries" remainder is kept as its own entry, [`CountryCode::REST_OF_WORLD`]
//! (`ROW`), never spread over named countries. When a source's shares do not sum to 100 % the mix is
//! renormalised and the original sum is kept in [`CountryMix::original_sum`] so that the interface
//! can show it.

pub mod context;
pub mod order;

use serde::{Deserialize, Serialize};
use std::fmt;

/// A stage of a mineral supply chain.
///
/// Reference data has `Mining` and `Refining` (USGS, IEA) or extraction and processing (EU, mapped
/// to the same two). `Component` is the purchased form when a firm buys a part (magnets, cells)
/// rather than the material itself: it is where the firm's direct suppliers sit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Mine output: ore, concentrate or contained metal (EU: extraction).
    Mining,
    /// Smelting, refining, separation or chemical processing (EU: processing).
    Refining,
    /// The purchased form, when the firm buys a component made from the material.
    Component,
}

impl Stage {
    /// All stages, upstream first.
    pub const ALL: [Stage; 3] = [Stage::Mining, Stage::Refining, Stage::Component];

    /// The stages that world reference data describes, upstream first.
    pub const UPSTREAM: [Stage; 2] = [Stage::Mining, Stage::Refining];

    /// A short English label for display.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Mining => "Mining",
            Stage::Refining => "Refining",
            Stage::Component => "Purchased component",
        }
    }

    /// The identifier used in files (`mining`, `refining`, `component`).
    pub fn id(self) -> &'static str {
        match self {
            Stage::Mining => "mining",
            Stage::Refining => "refining",
            Stage::Component => "component",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// An ISO 3166-1 alpha-3 country code in upper case, or the pseudo-code `ROW` for the rest of
/// the world.
///
/// Construction only checks the shape (three ASCII letters); whether the code names a known
/// country is a question for the reference data.
#[derive(Clone, Copy)]
pub struct CountryCode([u8; 3]);

// Codes are compared as one integer of their three bytes (the same order as comparing the
// letters), always inlined (the release build optimises for size and would otherwise call them):
// the derived comparisons of a `[u8; 3]` call `memcmp`, which profiling found at 12 % of a
// 200-line assessment (look-ups, group membership, sorting, maps keyed by country).
impl CountryCode {
    #[inline(always)]
    fn key(self) -> u32 {
        let [a, b, c] = self.0;
        u32::from_be_bytes([0, a, b, c])
    }
}

impl PartialEq for CountryCode {
    #[inline(always)]
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for CountryCode {}

impl PartialOrd for CountryCode {
    #[inline(always)]
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CountryCode {
    #[inline(always)]
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl std::hash::Hash for CountryCode {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl CountryCode {
    /// The rest of the world: a source's "Other countries" remainder. Not an ISO code.
    pub const REST_OF_WORLD: CountryCode = CountryCode(*b"ROW");

    /// Parses a three-letter code, case-insensitively. Returns `None` for anything else.
    ///
    /// ```
    /// use chokepoint::model::CountryCode;
    /// assert_eq!(CountryCode::parse("chn").unwrap().as_str(), "CHN");
    /// assert!(CountryCode::parse("China").is_none());
    /// ```
    pub fn parse(text: &str) -> Option<CountryCode> {
        let bytes = text.trim().as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        Some(CountryCode([
            bytes[0].to_ascii_uppercase(),
            bytes[1].to_ascii_uppercase(),
            bytes[2].to_ascii_uppercase(),
        ]))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored (see `parse`), so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// Whether this is the rest-of-world pseudo-code.
    pub fn is_rest_of_world(&self) -> bool {
        *self == Self::REST_OF_WORLD
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CountryCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        CountryCode::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not a three-letter country code (ISO 3166-1 alpha-3, or ROW)"
            ))
        })
    }
}

/// A fraction between 0 and 1 inclusive, finite. Displayed as a percentage.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Default, Serialize)]
#[serde(transparent)]
pub struct Share(f64);

impl Share {
    /// Zero.
    pub const ZERO: Share = Share(0.0);
    /// One (100 %).
    pub const ONE: Share = Share(1.0);

    /// A share from a fraction in `[0, 1]`; `None` for anything else (negative, above one, NaN).
    pub fn new(fraction: f64) -> Option<Share> {
        (fraction.is_finite() && (0.0..=1.0).contains(&fraction)).then_some(Share(fraction))
    }

    /// A share from a percentage in `[0, 100]`.
    pub fn from_percent(percent: f64) -> Option<Share> {
        Share::new(percent / 100.0)
    }

    /// The fraction, in `[0, 1]`.
    pub fn get(self) -> f64 {
        self.0
    }

    /// The percentage, in `[0, 100]`.
    pub fn percent(self) -> f64 {
        self.0 * 100.0
    }
}

impl<'de> Deserialize<'de> for Share {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = f64::deserialize(deserializer)?;
        Share::new(value).ok_or_else(|| {
            serde::de::Error::custom(format!("{value} is not a fraction between 0 and 1"))
        })
    }
}

/// Why a list of country shares could not become a [`CountryMix`].
#[derive(Clone, Debug, PartialEq)]
pub enum MixError {
    /// No entry, or every entry is zero.
    Empty,
    /// A share is negative, infinite or not a number.
    InvalidShare {
        /// The country whose share is invalid.
        country: CountryCode,
        /// The value given.
        value: f64,
    },
    /// The same country appears twice.
    DuplicateCountry(CountryCode),
}

impl fmt::Display for MixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MixError::Empty => f.write_str("no country has a share above zero"),
            MixError::InvalidShare { country, value } => {
                write!(
                    f,
                    "the share of {country} is {value}, not a non-negative number"
                )
            }
            MixError::DuplicateCountry(country) => write!(f, "{country} appears twice"),
        }
    }
}

impl std::error::Error for MixError {}

/// Country shares of one stage of one material's supply, summing to exactly 1.
///
/// Entries are sorted by share, largest first (ties by code), so that two mixes with the same
/// content compare equal whatever order they were given in.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CountryMix {
    entries: Vec<(CountryCode, f64)>,
    original_sum: f64,
}

impl CountryMix {
    /// Builds a mix from raw, non-negative weights in any unit (fractions, percentages, tonnes),
    /// renormalising them to sum to 1 and keeping their original sum.
    ///
    /// Zero entries are dropped.
    ///
    /// ```
    /// use chokepoint::model::{CountryCode, CountryMix};
    /// let chn = CountryCode::parse("CHN").unwrap();
    /// let jpn = CountryCode::parse("JPN").unwrap();
    /// let mix = CountryMix::from_shares([(chn, 90.0), (jpn, 12.0)]).unwrap();
    /// assert_eq!(mix.original_sum(), 102.0);
    /// assert!((mix.share_of(chn) - 90.0 / 102.0).abs() < 1e-12);
    /// ```
    pub fn from_shares(
        shares: impl IntoIterator<Item = (CountryCode, f64)>,
    ) -> Result<CountryMix, MixError> {
        let mut entries: Vec<(CountryCode, f64)> = Vec::new();
        for (country, value) in shares {
            if !value.is_finite() || value < 0.0 {
                return Err(MixError::InvalidShare { country, value });
            }
            if entries.iter().any(|(c, _)| *c == country) {
                return Err(MixError::DuplicateCountry(country));
            }
            if value > 0.0 {
                entries.push((country, value));
            }
        }
        let sum: f64 = entries.iter().map(|(_, v)| v).sum();
        if entries.is_empty() || sum <= 0.0 || !sum.is_finite() {
            return Err(MixError::Empty);
        }
        for entry in &mut entries {
            entry.1 /= sum;
        }
        order::sort_by(&mut entries, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(CountryMix {
            entries,
            original_sum: sum,
        })
    }

    /// A mix with one country at 100 %.
    pub fn single(country: CountryCode) -> CountryMix {
        CountryMix {
            entries: vec![(country, 1.0)],
            original_sum: 1.0,
        }
    }

    /// The entries, largest share first; fractions sum to 1.
    pub fn entries(&self) -> &[(CountryCode, f64)] {
        &self.entries
    }

    /// The sum of the weights as given, before renormalisation (for example 104.0 when a source's
    /// percentages summed to 104 %).
    pub fn original_sum(&self) -> f64 {
        self.original_sum
    }

    /// The fraction supplied by `country` (0 when absent).
    pub fn share_of(&self, country: CountryCode) -> f64 {
        self.entries
            .iter()
            .find(|(c, _)| *c == country)
            .map_or(0.0, |(_, s)| *s)
    }

    /// The largest supplier and its fraction.
    pub fn largest(&self) -> (CountryCode, f64) {
        // Never empty: construction rejects empty mixes.
        self.entries
            .first()
            .copied()
            .unwrap_or((CountryCode::REST_OF_WORLD, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::CountryCode;

    #[test]
    fn country_codes_compare_as_their_letters() {
        let code = |s| CountryCode::parse(s).unwrap();
        let mut codes: Vec<CountryCode> = ["ZWE", "AUS", "CHN", "ROW", "CHL", "AAA", "ZZZ"]
            .into_iter()
            .map(code)
            .collect();
        codes.sort();
        let sorted: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
        assert_eq!(sorted, ["AAA", "AUS", "CHL", "CHN", "ROW", "ZWE", "ZZZ"]);
        assert_eq!(code("chn"), code("CHN"));
        assert_ne!(code("CHN"), code("CHL"));
        let mut set = std::collections::HashSet::new();
        set.insert(code("CHN"));
        assert!(set.contains(&code("chn")) && !set.contains(&code("CHL")));
    }
}
