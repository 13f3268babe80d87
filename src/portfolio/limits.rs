//! Size limits on a portfolio that comes in from outside the running app, and the bounded reader
//! that enforces them before any expensive work.
//!
//! A share link, a JSON file, a stored entry, an import or a JavaScript caller can hand the app a
//! document of any size within its byte limits, and the cost of a portfolio is not in its bytes:
//! 4 MB of `{},` is 1.4 million lines, and every line is validated, rendered as an editor row and
//! copied into every undo snapshot. The limits below bound that work so that the page stays
//! responsive, far above any real portfolio:
//!
//! | limit | value | why |
//! |---|---|---|
//! | [`MAX_LINES`] | 5,000 | a bill of materials of critical minerals has tens to a few hundred lines; 5,000 lines still validate, render and snapshot in well under a second |
//! | [`MAX_GROUPS`] | 100 | user-defined country groups are a handful (approved suppliers, FTA partners) |
//! | [`MAX_GROUP_MEMBERS`] | 300 | one entry per country of the world (ISO 3166-1 has 249) and `ROW`, with room for typos that validation names |
//! | [`MAX_MIX_COUNTRIES`] | 300 | the same bound for one stage's country mix |
//! | [`MAX_STAGE_ENTRIES`] | 6 | `sourcing` has three stages; the rest is room for misspelt or repeated keys that validation names |
//! | [`MAX_COUNTRY_SHARES`] | 60,000 | country shares of all mixes together, one editor row each: 12 per line at the line limit |
//! | [`MAX_TEXT_CHARS`] | 1,000 | free text (portfolio and group names, line labels, text kept in unknown fields) |
//! | [`MAX_ID_CHARS`] | 100 | identifiers and short values: material and group ids, country codes, stage keys, field names, `spend_unit`, `look_through`, numbers written as text, `schema_version` |
//! | [`MAX_UNKNOWN_FIELDS`] | 20 | unknown fields per object (kept and reported by validation) |
//! | [`MAX_UNKNOWN_VALUES`] | 1,000 | JSON values inside one unknown field (or inside a value of the wrong type) |
//! | [`MAX_DEPTH`] | 12 | nesting of objects and arrays, the portfolio object being level 1 (a line's country mix is level 5) |
//!
//! [`check_json`] walks the JSON text once, without building it (a serde visitor over the text:
//! arrays and objects are counted as they stream past; nothing is kept but the current key), and
//! refuses at the first limit passed with a [`LimitError`] naming where, which field, which limit
//! and the value found (for an over-long array, its whole length: the elements past the limit are
//! counted without being looked into). Syntax errors are left to the parse that follows, which
//! reports them with their text line and column. [`check_portfolio`] applies the same walk to
//! a portfolio built in the app (an import that adds lines to the current portfolio).
//!
//! Every way a portfolio comes in goes through one of them: [`crate::portfolio::schema::import_json`]
//! (share links and opened JSON files), [`crate::portfolio::storage::read_entry`] (the autosave and
//! saved portfolios), [`crate::portfolio::Portfolio::from_json`] (the command line),
//! [`crate::api::assess_portfolio`] (the JavaScript API) and the import's
//! [`crate::import::table::apply_lines`] and [`crate::import::rmi::apply_sourcing`].
//!
//! ```
//! use chokepoint::portfolio::limits::{check_json, Limit, Shape, MAX_LINES};
//! let ok = format!(r#"{{"schema_version": 1, "lines": [{}]}}"#, vec!["{}"; MAX_LINES].join(","));
//! assert!(check_json(&ok, Shape::Portfolio).is_ok());
//! let over = format!(r#"{{"schema_version": 1, "lines": [{}]}}"#, vec!["{}"; MAX_LINES + 1].join(","));
//! let error = check_json(&over, Shape::Portfolio).unwrap_err();
//! assert_eq!((error.limit, error.found), (Limit::Lines, MAX_LINES + 1));
//! assert_eq!(error.to_string(), "portfolio, lines: 5\u{202f}001 lines, over the limit of 5\u{202f}000");
//! ```

use crate::portfolio::{Location, RawPortfolio};
use crate::text::format::count;
use serde::Serialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// The most lines a portfolio may have.
pub const MAX_LINES: usize = 5_000;

/// The most user-defined country groups a portfolio may have.
pub const MAX_GROUPS: usize = 100;

/// The most members one group may list.
pub const MAX_GROUP_MEMBERS: usize = 300;

/// The most countries one stage's mix may list.
pub const MAX_MIX_COUNTRIES: usize = 300;

/// The most keys one line's `sourcing` may have.
pub const MAX_STAGE_ENTRIES: usize = 6;

/// The most country shares all the lines' mixes may hold together.
pub const MAX_COUNTRY_SHARES: usize = 60_000;

/// The longest free text, in characters: names, labels, text inside unknown fields.
pub const MAX_TEXT_CHARS: usize = 1_000;

/// The longest identifier or short value, in characters: ids, codes, keys, numbers as text.
pub const MAX_ID_CHARS: usize = 100;

/// The most unknown fields one object may have.
pub const MAX_UNKNOWN_FIELDS: usize = 20;

/// The most JSON values one unknown field may hold (its value counts as one).
pub const MAX_UNKNOWN_VALUES: usize = 1_000;

/// The deepest nesting of objects and arrays; the portfolio object is level 1.
pub const MAX_DEPTH: usize = 12;

/// Which limit a document passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// [`MAX_LINES`].
    Lines,
    /// [`MAX_GROUPS`].
    Groups,
    /// [`MAX_GROUP_MEMBERS`].
    GroupMembers,
    /// [`MAX_MIX_COUNTRIES`].
    MixCountries,
    /// [`MAX_STAGE_ENTRIES`].
    StageEntries,
    /// [`MAX_COUNTRY_SHARES`].
    CountryShares,
    /// [`MAX_TEXT_CHARS`].
    TextChars,
    /// [`MAX_ID_CHARS`].
    IdChars,
    /// [`MAX_UNKNOWN_FIELDS`].
    UnknownFields,
    /// [`MAX_UNKNOWN_VALUES`].
    UnknownValues,
    /// [`MAX_DEPTH`].
    Depth,
}

impl Limit {
    /// The largest value accepted.
    pub const fn max(self) -> usize {
        match self {
            Limit::Lines => MAX_LINES,
            Limit::Groups => MAX_GROUPS,
            Limit::GroupMembers => MAX_GROUP_MEMBERS,
            Limit::MixCountries => MAX_MIX_COUNTRIES,
            Limit::StageEntries => MAX_STAGE_ENTRIES,
            Limit::CountryShares => MAX_COUNTRY_SHARES,
            Limit::TextChars => MAX_TEXT_CHARS,
            Limit::IdChars => MAX_ID_CHARS,
            Limit::UnknownFields => MAX_UNKNOWN_FIELDS,
            Limit::UnknownValues => MAX_UNKNOWN_VALUES,
            Limit::Depth => MAX_DEPTH,
        }
    }

    /// What is counted, in the plural.
    fn unit(self) -> &'static str {
        match self {
            Limit::Lines => "lines",
            Limit::Groups => "groups",
            Limit::GroupMembers => "members",
            Limit::MixCountries => "countries",
            Limit::StageEntries => "stages",
            Limit::CountryShares => "country shares in all",
            Limit::TextChars | Limit::IdChars => "characters",
            Limit::UnknownFields => "unknown fields",
            Limit::UnknownValues => "values",
            Limit::Depth => "levels of nesting",
        }
    }
}

/// A document over one of the limits: where, which field, which limit and what was found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LimitError {
    /// Where: the document, a line or a group (without its label: the walk does not keep it).
    pub location: Location,
    /// The field as named in the file (`lines`, `label`, `sourcing.refining`, …).
    pub field: String,
    /// Which limit.
    pub limit: Limit,
    /// The value found: a count, a number of characters or a depth.
    pub found: usize,
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, {}: {} {}, over the limit of {}",
            self.location,
            self.field,
            count(self.found),
            self.limit.unit(),
            count(self.limit.max())
        )
    }
}

impl std::error::Error for LimitError {}

/// What a document holds at its top level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A portfolio document (a file, a share link, the JavaScript API).
    Portfolio,
    /// A local-storage entry: an envelope `{"storage_version": 1, "portfolio": {…}}`, or a bare
    /// portfolio document (storage version 0). See [`crate::portfolio::storage`].
    StorageEntry,
}

/// Checks the JSON text of a document against every limit, before it is parsed. Text that is not
/// JSON passes (the parse that follows reports it with its position); so does JSON of the wrong
/// shape, whose containers are bounded like unknown fields.
pub fn check_json(text: &str, shape: Shape) -> Result<(), LimitError> {
    let mut state = State::default();
    let (node, depth) = match shape {
        Shape::Portfolio => (Node::Portfolio, 1),
        Shape::StorageEntry => (Node::Envelope, 0),
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let walk = Walk {
        state: &mut state,
        node,
        at: At::document(""),
        depth,
    };
    // A syntax error ends the walk early; it is reported by the parse that follows.
    let _ = walk.deserialize(&mut deserializer);
    state.finish()
}

/// Refuses a portfolio of `count` lines when that is more than [`MAX_LINES`]: the check to make
/// before building a portfolio from parts (an import that adds lines to the current ones).
pub fn check_line_count(count: usize) -> Result<(), LimitError> {
    if count > MAX_LINES {
        return Err(LimitError {
            location: Location::Document,
            field: "lines".into(),
            limit: Limit::Lines,
            found: count,
        });
    }
    Ok(())
}

/// Checks a portfolio built in the app (for example lines imported into the current portfolio)
/// against the same limits as [`check_json`].
pub fn check_portfolio(portfolio: &RawPortfolio) -> Result<(), LimitError> {
    // The counts that cost the most to walk are compared first.
    check_line_count(portfolio.lines.len())?;
    if portfolio.groups.len() > MAX_GROUPS {
        return Err(LimitError {
            location: Location::Document,
            field: "groups".into(),
            limit: Limit::Groups,
            found: portfolio.groups.len(),
        });
    }
    // Serialising these types cannot fail (every key is a string; a non-finite number becomes
    // null).
    let value = serde_json::to_value(portfolio).unwrap_or(serde_json::Value::Null);
    let mut state = State::default();
    let walk = Walk {
        state: &mut state,
        node: Node::Portfolio,
        at: At::document(""),
        depth: 1,
    };
    let _ = walk.deserialize(&value);
    state.finish()
}

// ---------------------------------------------------------------------------------------------
// The walk
// ---------------------------------------------------------------------------------------------

/// What the walk has found so far.
#[derive(Default)]
struct State {
    /// The first limit passed.
    error: Option<LimitError>,
    /// Country shares of every mix so far.
    shares: usize,
    /// Values inside the current unknown field.
    unknown_values: usize,
}

impl State {
    /// Records `error` (the first one wins) and returns the error that stops the walk.
    fn fail<E: de::Error>(&mut self, error: LimitError) -> E {
        self.error.get_or_insert(error);
        E::custom("over a limit")
    }

    fn finish(self) -> Result<(), LimitError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.shares > MAX_COUNTRY_SHARES {
            return Err(LimitError {
                location: Location::Document,
                field: "sourcing".into(),
                limit: Limit::CountryShares,
                found: self.shares,
            });
        }
        Ok(())
    }
}

/// What the value being walked is, by its place in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Node {
    /// A storage entry's top level: the envelope, or a bare portfolio.
    Envelope,
    /// The portfolio object.
    Portfolio,
    /// `lines`.
    Lines,
    /// Line `n` (from 1).
    Line(usize),
    /// `sourcing` of line `n`.
    Sourcing(usize),
    /// A stage's country mix (or `"unknown"`) in line `n`.
    Mix(usize),
    /// `groups`.
    Groups,
    /// Group `n` (from 1).
    Group(usize),
    /// `members` of group `n`.
    Members(usize),
    /// Free text.
    Text,
    /// An identifier or short value.
    Id,
    /// Inside an unknown field, or a value of the wrong type.
    Unknown,
}

/// Where a value is, for messages.
#[derive(Clone, Copy)]
enum Place {
    Document,
    Line(usize),
    Group(usize),
}

#[derive(Clone, Copy)]
struct At<'f> {
    place: Place,
    /// The field as named in the file; `""` for the document itself.
    field: &'f str,
    /// Whether `field` is a stage key of `sourcing`.
    in_sourcing: bool,
}

impl<'f> At<'f> {
    fn document(field: &'f str) -> At<'f> {
        At {
            place: Place::Document,
            field,
            in_sourcing: false,
        }
    }

    fn error(&self, limit: Limit, found: usize) -> LimitError {
        let location = match self.place {
            Place::Document => Location::Document,
            Place::Line(line) => Location::Line { line, label: None },
            Place::Group(index) => Location::Group { index, id: None },
        };
        let field = match (self.field, self.in_sourcing) {
            ("", _) => match self.place {
                Place::Document => "the document",
                Place::Line(_) => "the line",
                Place::Group(_) => "the group",
            }
            .to_string(),
            (key, true) => format!("sourcing.{key}"),
            (key, false) => key.to_string(),
        };
        LimitError {
            location,
            field,
            limit,
            found,
        }
    }
}

/// One value to walk: what it is, where, and the depth it has if it is an object or array.
struct Walk<'s, 'f> {
    state: &'s mut State,
    node: Node,
    at: At<'f>,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Walk<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Walk<'_, '_> {
    /// Counts one value inside an unknown field.
    fn count_unknown<E: de::Error>(&mut self) -> Result<(), E> {
        if self.node != Node::Unknown {
            return Ok(());
        }
        self.state.unknown_values += 1;
        if self.state.unknown_values > MAX_UNKNOWN_VALUES {
            let error = self
                .at
                .error(Limit::UnknownValues, self.state.unknown_values);
            return Err(self.state.fail(error));
        }
        Ok(())
    }

    /// Refuses an object or array deeper than [`MAX_DEPTH`].
    fn enter<E: de::Error>(&mut self) -> Result<(), E> {
        if self.depth > MAX_DEPTH {
            let error = self.at.error(Limit::Depth, self.depth);
            return Err(self.state.fail(error));
        }
        Ok(())
    }

    /// A container where none belongs is walked as an unknown field's value.
    fn into_unknown(mut self) -> Self {
        if self.node != Node::Unknown {
            self.state.unknown_values = 0;
            self.node = Node::Unknown;
        }
        self
    }

    fn text<E: de::Error>(mut self, text: &str) -> Result<(), E> {
        self.count_unknown()?;
        let (limit, max) = match self.node {
            Node::Id | Node::Mix(_) => (Limit::IdChars, MAX_ID_CHARS),
            _ => (Limit::TextChars, MAX_TEXT_CHARS),
        };
        // A text of at most `max` bytes has at most `max` characters.
        if text.len() > max {
            let found = text.chars().count();
            if found > max {
                let error = self.at.error(limit, found);
                return Err(self.state.fail(error));
            }
        }
        Ok(())
    }

    /// Walks the elements of an array, each as `child(n)` (n from 1), refusing more than
    /// `limit.max()` of them; past the limit the rest are counted without being looked into.
    fn elements<'de, A: SeqAccess<'de>>(
        self,
        mut seq: A,
        limit: Limit,
        child: impl Fn(usize) -> (Node, Place),
    ) -> Result<(), A::Error> {
        let mut count = 0;
        while count < limit.max() {
            let (node, place) = child(count + 1);
            let walk = Walk {
                state: &mut *self.state,
                node,
                at: At {
                    place,
                    field: if node == Node::Id { self.at.field } else { "" },
                    in_sourcing: false,
                },
                depth: self.depth + 1,
            };
            if seq.next_element_seed(walk)?.is_none() {
                return Ok(());
            }
            count += 1;
        }
        let mut found = count;
        let end = loop {
            match seq.next_element::<IgnoredAny>() {
                Ok(Some(_)) => found += 1,
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        if found > count {
            let error = self.at.error(limit, found);
            return Err(self.state.fail(error));
        }
        end
    }

    /// Walks the entries of a mix or of `sourcing`: at most `limit.max()` of them, keys as
    /// identifiers, values as `value`.
    fn entries<'de, A: MapAccess<'de>>(
        mut self,
        mut map: A,
        limit: Limit,
        value: Node,
    ) -> Result<(), A::Error> {
        let mut count = 0;
        while count < limit.max() {
            let Some(key) = map.next_key_seed(Key)? else {
                return Ok(());
            };
            self.key(&key)?;
            count += 1;
            if let Node::Mix(_) = self.node {
                self.state.shares += 1;
            }
            let walk = Walk {
                state: &mut *self.state,
                node: value,
                at: At {
                    place: self.at.place,
                    field: if value == Node::Id {
                        self.at.field
                    } else {
                        key.as_ref()
                    },
                    in_sourcing: true,
                },
                depth: self.depth + 1,
            };
            map.next_value_seed(walk)?;
        }
        let mut found = count;
        let end = loop {
            match map.next_entry::<IgnoredAny, IgnoredAny>() {
                Ok(Some(_)) => found += 1,
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        if found > count {
            if let Node::Mix(_) = self.node {
                self.state.shares += found - count;
            }
            let error = self.at.error(limit, found);
            return Err(self.state.fail(error));
        }
        end
    }

    /// Refuses an object key longer than [`MAX_ID_CHARS`].
    fn key<E: de::Error>(&mut self, key: &str) -> Result<(), E> {
        if key.len() > MAX_ID_CHARS && key.chars().count() > MAX_ID_CHARS {
            let start: String = key.chars().take(20).collect();
            let field = format!("`{start}…`");
            let error = At {
                field: &field,
                ..self.at
            }
            .error(Limit::IdChars, key.chars().count());
            return Err(self.state.fail(error));
        }
        Ok(())
    }

    /// Walks an object with named fields (the portfolio, a line, a group, a storage envelope).
    fn fields<'de, A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut unknown = 0;
        while let Some(key) = map.next_key_seed(Key)? {
            self.key(&key)?;
            let (node, depth) = match (self.node, key.as_ref()) {
                (Node::Envelope, "portfolio") => (Node::Portfolio, 1),
                (Node::Envelope, "storage_version" | "revision" | "tab") => (Node::Id, 2),
                (Node::Envelope | Node::Portfolio, field) => (
                    match field {
                        "schema_version" | "spend_unit" | "look_through" | "jurisdiction"
                        | "customer" => Node::Id,
                        "name" => Node::Text,
                        "groups" => Node::Groups,
                        "lines" => Node::Lines,
                        _ => Node::Unknown,
                    },
                    2,
                ),
                (Node::Line(n), field) => (
                    match field {
                        "material" | "spend" | "revenue_share_pct" | "inventory_days"
                        | "end_use" => Node::Id,
                        "label" => Node::Text,
                        "sourcing" | "sourcing_basis" => Node::Sourcing(n),
                        _ => Node::Unknown,
                    },
                    self.depth + 1,
                ),
                (Node::Group(n), field) => (
                    match field {
                        "id" => Node::Id,
                        "name" => Node::Text,
                        "members" => Node::Members(n),
                        _ => Node::Unknown,
                    },
                    self.depth + 1,
                ),
                _ => (Node::Unknown, self.depth + 1),
            };
            if node == Node::Unknown {
                unknown += 1;
                self.state.unknown_values = 0;
            }
            let walk = Walk {
                state: &mut *self.state,
                node,
                at: At {
                    place: self.at.place,
                    field: key.as_ref(),
                    in_sourcing: false,
                },
                depth,
            };
            map.next_value_seed(walk)?;
        }
        if unknown > MAX_UNKNOWN_FIELDS {
            let field = if let Place::Document = self.at.place {
                "the document"
            } else {
                "its fields"
            };
            let error = At { field, ..self.at }.error(Limit::UnknownFields, unknown);
            return Err(self.state.fail(error));
        }
        Ok(())
    }
}

impl<'de> Visitor<'de> for Walk<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(mut self, _: bool) -> Result<(), E> {
        self.count_unknown()
    }

    fn visit_i64<E: de::Error>(mut self, _: i64) -> Result<(), E> {
        self.count_unknown()
    }

    fn visit_u64<E: de::Error>(mut self, _: u64) -> Result<(), E> {
        self.count_unknown()
    }

    fn visit_f64<E: de::Error>(mut self, _: f64) -> Result<(), E> {
        self.count_unknown()
    }

    fn visit_unit<E: de::Error>(mut self) -> Result<(), E> {
        self.count_unknown()
    }

    fn visit_none<E: de::Error>(mut self) -> Result<(), E> {
        self.count_unknown()
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        self.text(text)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, seq: A) -> Result<(), A::Error> {
        self.enter()?;
        match self.node {
            Node::Lines => self.elements(seq, Limit::Lines, |n| (Node::Line(n), Place::Line(n))),
            Node::Groups => {
                self.elements(seq, Limit::Groups, |n| (Node::Group(n), Place::Group(n)))
            }
            Node::Members(group) => self.elements(seq, Limit::GroupMembers, |_| {
                (Node::Id, Place::Group(group))
            }),
            _ => {
                let mut walk = self.into_unknown();
                walk.count_unknown()?;
                let mut seq = seq;
                loop {
                    let child = Walk {
                        state: &mut *walk.state,
                        node: Node::Unknown,
                        at: walk.at,
                        depth: walk.depth + 1,
                    };
                    if seq.next_element_seed(child)?.is_none() {
                        return Ok(());
                    }
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(mut self, map: A) -> Result<(), A::Error> {
        if self.node != Node::Envelope {
            self.enter()?;
        }
        match self.node {
            Node::Envelope | Node::Portfolio | Node::Line(_) | Node::Group(_) => self.fields(map),
            Node::Sourcing(line) => self.entries(map, Limit::StageEntries, Node::Mix(line)),
            Node::Mix(_) => self.entries(map, Limit::MixCountries, Node::Id),
            _ => {
                let mut walk = self.into_unknown();
                walk.count_unknown()?;
                let mut map = map;
                while let Some(key) = map.next_key_seed(Key)? {
                    walk.key(&key)?;
                    let child = Walk {
                        state: &mut *walk.state,
                        node: Node::Unknown,
                        at: walk.at,
                        depth: walk.depth + 1,
                    };
                    map.next_value_seed(child)?;
                }
                Ok(())
            }
        }
    }
}

/// An object key, borrowed from the text when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(key))
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(key.to_string()))
    }

    fn visit_string<E: de::Error>(self, key: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_errors_group_thousands_as_the_app_does() {
        let error = LimitError {
            location: Location::Document,
            field: "lines".into(),
            limit: Limit::Lines,
            found: 1_398_088,
        };
        let text = error.to_string();
        assert!(text.contains("1\u{202f}398\u{202f}088"), "{text}");
        assert!(!text.contains("1,398"), "{text}");
    }
}
