//! Calendar dates for rule statuses and research dates: parsing, ordering and display.

use super::*;

/// A calendar date (proleptic Gregorian), years 1 to 9999. Ordered chronologically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub(super) year: u16,
    pub(super) month: u8,
    pub(super) day: u8,
}

/// Text that is not a valid `YYYY-MM-DD` date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateError {
    /// The text given.
    pub text: String,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a date of the form YYYY-MM-DD", self.text)
    }
}

impl std::error::Error for DateError {}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// The earliest date, 0001-01-01.
    pub const MIN: Date = Date {
        year: 1,
        month: 1,
        day: 1,
    };

    /// A date from its parts; `None` when it does not exist (month 13, 30 February, year 0).
    ///
    /// ```
    /// use chokepoint::analysis::policy::Date;
    /// assert!(Date::new(2024, 2, 29).is_some());
    /// assert!(Date::new(2026, 2, 29).is_none());
    /// ```
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD` (ISO 8601 calendar date).
    ///
    /// ```
    /// use chokepoint::analysis::policy::Date;
    /// let d = Date::parse("2027-01-01").unwrap();
    /// assert!(d > Date::parse("2026-12-31").unwrap());
    /// assert_eq!(d.to_string(), "2027-01-01");
    /// assert!(Date::parse("1 January 2027").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let error = || DateError {
            text: text.to_string(),
        };
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(error());
        }
        let digits = |range: std::ops::Range<usize>| -> Result<u16, DateError> {
            let part = &text[range];
            if part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().map_err(|_| error())
            } else {
                Err(error())
            }
        };
        let year = digits(0..4)?;
        let month = u8::try_from(digits(5..7)?).map_err(|_| error())?;
        let day = u8::try_from(digits(8..10)?).map_err(|_| error())?;
        Date::new(year, month, day).ok_or_else(error)
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1-12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1-31.
    pub fn day(self) -> u8 {
        self.day
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Date::parse(text)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}
