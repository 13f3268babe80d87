//! Validation errors: where in the file ([`Location`]), which field ([`Field`]) and what is
//! wrong ([`Problem`]).

use super::*;

/// Where in a portfolio file a problem is.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Location {
    /// The top level of the file.
    Document,
    /// A line.
    Line {
        /// Line number as shown to the user: the first line is 1.
        line: usize,
        /// The line's label, when it has one.
        label: Option<String>,
    },
    /// A user-defined country group.
    Group {
        /// Group number: the first group is 1.
        index: usize,
        /// The group's identifier, when it has one.
        id: Option<String>,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Document => f.write_str("portfolio"),
            Location::Line { line, label: None } => write!(f, "line {line}"),
            Location::Line {
                line,
                label: Some(label),
            } => write!(f, "line {line} ({label})"),
            Location::Group { index, id: None } => write!(f, "group {index}"),
            Location::Group {
                index,
                id: Some(id),
            } => write!(f, "group {index} ({id})"),
        }
    }
}

/// Which field a problem is in.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// `schema_version`.
    SchemaVersion,
    /// `material`.
    Material,
    /// `spend`.
    Spend,
    /// `revenue_share_pct`.
    RevenueShare,
    /// `inventory_days`.
    InventoryDays,
    /// `sourcing` itself (an unknown stage key).
    Sourcing,
    /// The sourcing of one stage as a whole.
    Stage(Stage),
    /// One country entry of one stage's mix, as typed.
    Country(Stage, String),
    /// A group's `id`.
    GroupId,
    /// A group's `members`.
    GroupMembers,
    /// `look_through`.
    LookThrough,
    /// A line's `end_use`.
    EndUse,
    /// A line's `sourcing_basis`.
    SourcingBasis,
    /// The portfolio's `jurisdiction`.
    Jurisdiction,
    /// The portfolio's `customer`.
    Customer,
    /// A field this version does not know.
    Other(String),
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::SchemaVersion => f.write_str("schema_version"),
            Field::Material => f.write_str("material"),
            Field::Spend => f.write_str("spend"),
            Field::RevenueShare => f.write_str("revenue share"),
            Field::InventoryDays => f.write_str("inventory days"),
            Field::Sourcing => f.write_str("sourcing"),
            Field::Stage(stage) => f.write_str(stage.id()),
            Field::Country(stage, country) => write!(f, "{}, {country}", stage.id()),
            Field::GroupId => f.write_str("id"),
            Field::GroupMembers => f.write_str("members"),
            Field::LookThrough => f.write_str("look_through"),
            Field::EndUse => f.write_str("end use"),
            Field::SourcingBasis => f.write_str("sourcing basis"),
            Field::Jurisdiction => f.write_str("jurisdiction"),
            Field::Customer => f.write_str("customer"),
            Field::Other(name) => write!(f, "`{name}`"),
        }
    }
}

/// What is wrong.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Problem {
    /// A required value is absent.
    Missing,
    /// Text that is not a finite number.
    NotANumber(String),
    /// A number outside its range.
    OutOfRange {
        /// The value given.
        value: f64,
        /// The smallest value accepted.
        min: f64,
        /// The largest value accepted.
        max: f64,
    },
    /// A `schema_version` this code does not read.
    UnsupportedVersion(String),
    /// A material id not in the catalogue.
    UnknownMaterial(String),
    /// A stage's sourcing given as text other than `unknown`.
    NotUnknown(String),
    /// A `sourcing` key that is not `mining`, `refining` or `component`.
    UnknownStage(String),
    /// The same stage twice.
    DuplicateStage,
    /// Not a three-letter country code.
    BadCountryCode(String),
    /// A well-formed code the reference data does not know (and not `ROW`).
    UnknownCountry(CountryCode),
    /// The same country twice.
    DuplicateCountry(CountryCode),
    /// A mix whose shares do not sum to 100 % (within [`SUM_TOLERANCE_PCT`]).
    SharesSum {
        /// The sum of the shares as typed, in percent.
        percent: f64,
    },
    /// A mix whose shares are all zero.
    EmptyMix,
    /// A group id used twice, or one the reference data already has.
    DuplicateGroup(String),
    /// A `look_through` other than `trade` or `world`.
    UnknownLookThrough(String),
    /// A field this version does not know.
    UnknownField(String),
    /// A choice field (end use, jurisdiction, customer) with a value not in its list.
    UnknownChoice {
        /// The value given.
        value: String,
        /// The accepted identifiers, comma-separated.
        accepted: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Missing => f.write_str("missing"),
            Problem::NotANumber(text) => write!(f, "`{text}` is not a number"),
            Problem::OutOfRange { value, min, max } => {
                write!(f, "{value} is outside {min} to {max}")
            }
            Problem::UnsupportedVersion(found) => write!(
                f,
                "version `{found}` is not supported (this version reads {SCHEMA_VERSION})"
            ),
            Problem::UnknownMaterial(id) => write!(f, "`{id}` is not in the material catalogue"),
            Problem::NotUnknown(text) => {
                write!(f, "`{text}` is neither a country mix nor \"{UNKNOWN}\"")
            }
            Problem::UnknownStage(key) => {
                write!(f, "`{key}` is not a stage (mining, refining or component)")
            }
            Problem::DuplicateStage => f.write_str("given twice"),
            Problem::BadCountryCode(text) => write!(
                f,
                "`{text}` is not a three-letter country code (ISO 3166-1 alpha-3, or ROW)"
            ),
            Problem::UnknownCountry(code) => {
                write!(f, "{code} is not a country of the reference data")
            }
            Problem::DuplicateCountry(code) => write!(f, "{code} appears twice"),
            Problem::SharesSum { percent } => write!(
                f,
                "shares sum to {} %, not 100 % (add the remainder as ROW)",
                round_for_display(*percent)
            ),
            Problem::EmptyMix => f.write_str("every share is zero"),
            Problem::DuplicateGroup(id) => write!(f, "group `{id}` already exists"),
            Problem::UnknownLookThrough(text) => {
                write!(f, "`{text}` is neither \"trade\" nor \"world\"")
            }
            Problem::UnknownField(name) => write!(f, "unknown field `{name}`"),
            Problem::UnknownChoice { value, accepted } => {
                write!(f, "`{value}` is not one of {accepted}")
            }
        }
    }
}

fn round_for_display(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// One problem of a portfolio file: where, which field, what.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValidationError {
    /// Where.
    pub location: Location,
    /// Which field.
    pub field: Field,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}: {}", self.location, self.field, self.problem)
    }
}

impl std::error::Error for ValidationError {}

/// Why a portfolio file could not be read: not JSON of the right shape, or invalid.
#[derive(Clone, Debug, PartialEq)]
pub enum PortfolioError {
    /// The text is not JSON of the portfolio's shape.
    Parse(ParseError),
    /// The file is well-formed but has these problems (all of them).
    Invalid(Vec<ValidationError>),
    /// The file is over one of the size limits of [`crate::portfolio::limits`]; refused before it
    /// is parsed.
    TooLarge(crate::portfolio::limits::LimitError),
}

impl fmt::Display for PortfolioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortfolioError::Parse(error) => error.fmt(f),
            PortfolioError::Invalid(errors) => {
                for (i, error) in errors.iter().enumerate() {
                    if i > 0 {
                        f.write_str("\n")?;
                    }
                    error.fmt(f)?;
                }
                Ok(())
            }
            PortfolioError::TooLarge(error) => {
                write!(f, "the portfolio is too large to open: {error}")
            }
        }
    }
}

impl std::error::Error for PortfolioError {}

// ---------------------------------------------------------------------------------------------
// Validated form
// ---------------------------------------------------------------------------------------------
