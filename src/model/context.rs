//! What a line's material goes into, and where and to whom the firm sells: the facts that decide
//! which sourcing rules apply ([`crate::analysis::policy`]).
//!
//! A sourcing rule covers a product and binds a kind of firm: the DFARS 225.7018 magnet
//! restrictions cover samarium-cobalt and neodymium-iron-boron *magnets* delivered to the US
//! Department of Defense, the IRC 30D critical-mineral test covers the *battery* of a clean
//! vehicle sold in the United States. A country mix alone cannot say either, so a line carries its
//! [`EndUse`] and the portfolio its [`Jurisdiction`] and [`Customer`]. All three are optional in
//! the file (`end_use` on a line; `jurisdiction` and `customer` at the top level, see
//! `docs/PORTFOLIO_FORMAT.md`): absent, a rule that needs them is reported as not applicable,
//! with the reason, never as passed or failed.
//!
//! The lists are short on purpose: they hold what the embedded rules need (magnet, battery; US,
//! US DoD supplier) and the common end uses of the catalogue's materials, plus "other".
//!
//! ```
//! use chokepoint::model::context::{Customer, EndUse, Jurisdiction};
//! assert_eq!(EndUse::parse("Battery"), Some(EndUse::Battery));
//! assert_eq!(EndUse::Magnet.id(), "magnet");
//! assert_eq!(Jurisdiction::parse("us"), Some(Jurisdiction::Us));
//! assert_eq!(Customer::parse("us_dod"), Some(Customer::UsDod));
//! assert_eq!(EndUse::parse("rocket"), None);
//! ```

use serde::{Deserialize, Serialize};

/// Defines a small enum of identifiers with a label, its list, `id`, `label` and `parse`.
macro_rules! choices {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = ($id:literal, $label:literal)),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The identifier used in files.
            pub fn id(self) -> &'static str {
                match self { $($name::$variant => $id),+ }
            }

            /// A short English label for display.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The value whose identifier is `text` (trimmed, case-insensitive); `None` when
            /// there is none.
            pub fn parse(text: &str) -> Option<$name> {
                let text = text.trim();
                Self::ALL.iter().copied().find(|v| v.id().eq_ignore_ascii_case(text))
            }
        }

        // By identifier, as in files (written by hand: smaller than the derived code).
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.id())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                $name::parse(&text).ok_or_else(|| unknown(&text))
            }
        }
    };
}

/// The error for an identifier not in a list.
fn unknown<E: serde::de::Error>(text: &str) -> E {
    E::custom(format_args!("`{text}` is not a known value"))
}

choices! {
    /// What a line's material ends up in. The rules need the magnets (DFARS 225.7018 has one
    /// rule for neodymium-iron-boron and one for samarium-cobalt magnets; a magnet of unstated
    /// type is bound by both) and [`EndUse::Battery`] (IRC 30D, 45Y/48E storage); the others say
    /// that a rule about magnets or batteries does not apply.
    EndUse {
        /// Neodymium-iron-boron permanent magnets, or the motors and generators built on them.
        MagnetNdfeb = ("magnet_ndfeb", "NdFeB magnets"),
        /// Samarium-cobalt permanent magnets, or what is built on them.
        MagnetSmco = ("magnet_smco", "SmCo magnets"),
        /// Permanent magnets of a type not stated.
        Magnet = ("magnet", "Magnets, type not stated"),
        /// Batteries: cathode and anode materials, cells, packs.
        Battery = ("battery", "Batteries"),
        /// Semiconductors and electronic components.
        Electronics = ("electronics", "Electronics"),
        /// Optics: lenses, windows, optical fibre.
        Optics = ("optics", "Optics"),
        /// Alloys and metal products (superalloys, heavy alloys, steel additions).
        Alloy = ("alloy", "Alloys and metal products"),
        /// Anything else.
        Other = ("other", "Other"),
    }
}

choices! {
    /// Where the firm sells the products concerned: the jurisdiction whose sourcing laws are
    /// relevant. One value per portfolio (a firm selling in both makes one portfolio per market).
    Jurisdiction {
        /// The European Union.
        Eu = ("eu", "European Union"),
        /// The United States.
        Us = ("us", "United States"),
        /// Elsewhere.
        Other = ("other", "Elsewhere"),
    }
}

choices! {
    /// Who the firm supplies, where a rule binds only some customers' supply chains.
    Customer {
        /// Commercial customers only.
        Commercial = ("commercial", "Commercial customers"),
        /// The US Department of Defense, as prime contractor or subcontractor at any tier (the
        /// DFARS 225.7018 specialty-metal and magnet restrictions, 10 U.S.C. 4872).
        UsDod = ("us_dod", "US DoD supplier (prime or subcontractor)"),
    }
}

impl EndUse {
    /// The end use in the middle of a sentence ("this line is for batteries").
    pub fn in_words(self) -> &'static str {
        match self {
            EndUse::MagnetNdfeb => "NdFeB magnets",
            EndUse::MagnetSmco => "SmCo magnets",
            EndUse::Magnet => "magnets of unstated type",
            EndUse::Battery => "batteries",
            EndUse::Electronics => "electronics",
            EndUse::Optics => "optics",
            EndUse::Alloy => "alloys and metal products",
            EndUse::Other => "other uses",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_back_and_are_unique() {
        for v in EndUse::ALL {
            assert_eq!(EndUse::parse(v.id()), Some(*v));
            assert_eq!(EndUse::parse(&v.id().to_uppercase()), Some(*v));
        }
        for v in Jurisdiction::ALL {
            assert_eq!(Jurisdiction::parse(v.id()), Some(*v));
        }
        for v in Customer::ALL {
            assert_eq!(Customer::parse(v.id()), Some(*v));
        }
        let mut ids: Vec<&str> = EndUse::ALL.iter().map(|v| v.id()).collect();
        ids.dedup();
        assert_eq!(ids.len(), EndUse::ALL.len());
        assert_eq!(EndUse::parse(""), None);
        assert_eq!(Customer::parse("dod"), None);
    }

    #[test]
    fn serde_uses_the_file_ids() {
        assert_eq!(
            serde_json::to_string(&Customer::UsDod).unwrap(),
            "\"us_dod\""
        );
        assert_eq!(
            serde_json::to_string(&EndUse::Magnet).unwrap(),
            "\"magnet\""
        );
    }
}
