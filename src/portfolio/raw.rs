//! The raw (file) form of a portfolio: what the user typed, numbers possibly as text, unknown
//! fields and duplicate keys kept so that validation can name them.

use super::*;

/// A number as typed: a JSON number, or text (from a form field) such as `"12.5"` or `"12.5 %"`.
///
/// Whole numbers are written without a fractional part (`45`, not `45.0`), so that a file read
/// and written again is unchanged.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum RawNumber {
    /// A JSON number.
    Number(f64),
    /// Text, parsed at validation.
    Text(String),
}

impl Serialize for RawNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// Below 2^53 every whole f64 is exactly an i64.
        const EXACT: f64 = 9_007_199_254_740_992.0;
        match self {
            RawNumber::Number(value) if value.fract() == 0.0 && value.abs() < EXACT => {
                // Exact: a whole number below 2^53 converts without loss.
                serializer.serialize_i64(*value as i64)
            }
            RawNumber::Number(value) => serializer.serialize_f64(*value),
            RawNumber::Text(text) => serializer.serialize_str(text),
        }
    }
}

impl RawNumber {
    /// The value, if it is a finite number (text may carry surrounding spaces and a trailing `%`).
    ///
    /// ```
    /// use chokepoint::portfolio::RawNumber;
    /// assert_eq!(RawNumber::Text(" 12.5 %".into()).value(), Some(12.5));
    /// assert_eq!(RawNumber::Text("NaN".into()).value(), None);
    /// ```
    pub fn value(&self) -> Option<f64> {
        let value = match self {
            RawNumber::Number(value) => *value,
            RawNumber::Text(text) => {
                let text = text.trim();
                let text = text.strip_suffix('%').unwrap_or(text).trim_end();
                text.parse::<f64>().ok()?
            }
        };
        value.is_finite().then_some(value)
    }

    pub(super) fn as_typed(&self) -> String {
        match self {
            RawNumber::Number(value) => value.to_string(),
            RawNumber::Text(text) => text.clone(),
        }
    }
}

/// A JSON object read as a list of entries in file order, duplicates kept (validation reports
/// them), written back in the same order.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<V> OrderedMap<V> {
    /// Whether the object has no entry.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<V: Serialize> Serialize for OrderedMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = access.next_entry::<String, V>()? {
                    entries.push(entry);
                }
                Ok(OrderedMap(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor(std::marker::PhantomData))
    }
}

/// The sourcing of one stage as typed: the word `"unknown"`, or a country mix in percent
/// (`{"CHN": 60, "JPN": 40}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RawStageSourcing {
    /// Text; only [`UNKNOWN`] is valid.
    Text(String),
    /// Country code -> share in percent.
    Mix(OrderedMap<RawNumber>),
}

/// One line of a portfolio as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RawLine {
    /// Material identifier from the catalogue, for example `gallium`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material: Option<String>,
    /// A part, product or supplier name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Annual spend (or quantity) in the portfolio's `spend_unit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend: Option<RawNumber>,
    /// Share of the firm's revenue that depends on this line, in percent (0-100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_share_pct: Option<RawNumber>,
    /// Days of inventory held; absent means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory_days: Option<RawNumber>,
    /// Stage id (`mining`, `refining`, `component`) -> sourcing; an absent stage is unknown.
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub sourcing: OrderedMap<RawStageSourcing>,
    /// What the material goes into, an [`EndUse`] id (`magnet`, `battery`, ...); absent when not
    /// given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_use: Option<String>,
    /// Stage id -> the basis of that stage's mix when it is not a volume share:
    /// [`FACILITY_COUNT`] for a mix by number of facilities (supplier declarations).
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub sourcing_basis: OrderedMap<String>,
    /// Fields this version does not know: kept, and reported by validation.
    #[serde(flatten)]
    pub unknown_fields: BTreeMap<String, serde_json::Value>,
}

/// A user-defined country group as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RawGroup {
    /// Identifier, unique among the portfolio's and the reference data's groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name; defaults to the identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Member country codes.
    #[serde(default)]
    pub members: Vec<String>,
    /// Fields this version does not know: kept, and reported by validation.
    #[serde(flatten)]
    pub unknown_fields: BTreeMap<String, serde_json::Value>,
}

/// A portfolio file as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RawPortfolio {
    /// Format version; must be [`SCHEMA_VERSION`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<RawNumber>,
    /// A name for the portfolio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The unit of every line's spend, for example `EUR` or `t`; display only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend_unit: Option<String>,
    /// How the look-through fills unstated stages: `"trade"` (the default when absent) or
    /// `"world"`; see [`LookThroughBasis`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub look_through: Option<String>,
    /// The user's own country groups, reported alongside the reference data's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<RawGroup>,
    /// The lines.
    #[serde(default)]
    pub lines: Vec<RawLine>,
    /// Where the firm sells, a [`Jurisdiction`] id (`eu`, `us`, `other`); absent when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// Who the firm supplies, a [`Customer`] id (`commercial`, `us_dod`); absent when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// Fields this version does not know: kept, and reported by validation.
    #[serde(flatten)]
    pub unknown_fields: BTreeMap<String, serde_json::Value>,
}

/// A file that is not JSON of the portfolio's shape, with the position serde_json reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Line in the text, from 1 (0 when unknown).
    pub line: usize,
    /// Column in the text, from 1 (0 when unknown).
    pub column: usize,
    /// What serde_json says.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not a portfolio file (text line {}, column {}): {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ParseError {}
