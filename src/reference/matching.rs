//! What a person typed, matched against the material catalogue: the one matcher behind the
//! spreadsheet import, the supplier declarations, the editor's material picker, the command line
//! and the JavaScript API.
//!
//! Text is compared after [`normalise`]: case, surrounding space, runs of spaces, underscores and
//! hyphens do not count (`Rare earths`, `rare_earths` and `RARE-EARTHS` are the same text).
//!
//! [`ReferenceData::resolve_material`] names one material, trying in turn:
//!
//! 1. a catalogue id (`gallium`, `rare earths`) or a known alias ([`material_aliases`]:
//!    `aluminum`, `REE`, `silicon metal`);
//! 2. a material's name (`Iron ore`, `Silicon metal`);
//! 3. an element symbol (`Ga`, `co`). A symbol that several materials carry (`Nd`: neodymium,
//!    rare earth elements and the magnet rare earths) names the one material that is that
//!    element alone (neodymium); when no single material is, the text is
//!    [`MaterialMatchError::Ambiguous`] and lists them.
//!
//! [`ReferenceData::find_material`] stays the strict look-up of file identifiers (an id or an
//! alias, as written in portfolio files); this module is for text typed by a person.
//!
//! ```
//! use chokepoint::reference::embedded;
//! use chokepoint::reference::matching::MaterialMatchError;
//! let reference = embedded();
//! let id = |text| reference.resolve_material(text).map(|m| m.id.as_str());
//! assert_eq!(id("Gallium"), Ok("gallium"));
//! assert_eq!(id(" ga "), Ok("gallium"));
//! assert_eq!(id("REE"), Ok("rare_earths"));
//! assert_eq!(id("Nd"), Ok("neodymium"));
//! assert!(matches!(id("Si"), Err(MaterialMatchError::Ambiguous { .. })));
//! ```

use super::{Material, ReferenceData, canonical_material_id, material_aliases};
use std::fmt;

/// Why a text names no single material of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MaterialMatchError {
    /// The text is empty (or only spaces).
    Empty,
    /// The text is no id, alias, name or symbol of the catalogue.
    Unknown(String),
    /// The text is a symbol that several materials carry, none of them that element alone.
    Ambiguous {
        /// The text as given (trimmed).
        text: String,
        /// The ids of the materials it could name, in catalogue order.
        candidates: Vec<String>,
    },
}

impl fmt::Display for MaterialMatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MaterialMatchError::Empty => f.write_str("no material"),
            MaterialMatchError::Unknown(text) => {
                write!(f, "“{text}” is not in the material catalogue")
            }
            MaterialMatchError::Ambiguous { text, candidates } => write!(
                f,
                "“{text}” could be any of {}: give the material's name or id",
                candidates.join(", ")
            ),
        }
    }
}

impl std::error::Error for MaterialMatchError {}

/// `text` as the matcher compares it: trimmed, lower case, underscores and hyphens as spaces,
/// runs of spaces as one.
///
/// ```
/// use chokepoint::reference::matching::normalise;
/// assert_eq!(normalise("  Rare_Earths-magnet "), "rare earths magnet");
/// ```
pub fn normalise(text: &str) -> String {
    text.to_lowercase()
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The aliases of material `id`, normalised.
fn aliases_of(id: &str) -> impl Iterator<Item = String> + '_ {
    material_aliases()
        .iter()
        .filter(move |(_, canonical)| *canonical == id)
        .map(|(alias, _)| normalise(alias))
}

/// How well `material` matches the normalised `query`, best first; `None` when it does not.
/// 0: the id, name or a symbol exactly; 1: the name or id starts with it; 2: the name or id holds
/// it; 3: an alias holds it.
fn rank(material: &Material, query: &str) -> Option<u8> {
    let name = normalise(&material.name);
    let id = normalise(&material.id);
    let symbol = material
        .symbols
        .iter()
        .any(|s| s.eq_ignore_ascii_case(query));
    if name == query || id == query || symbol {
        Some(0)
    } else if name.starts_with(query) || id.starts_with(query) {
        Some(1)
    } else if name.contains(query) || id.contains(query) {
        Some(2)
    } else if aliases_of(&material.id).any(|a| a.contains(query)) {
        Some(3)
    } else {
        None
    }
}

impl ReferenceData {
    /// The one material that `text`, as typed by a person, names: an id or alias, a name, or an
    /// element symbol (see the [module notes](crate::reference::matching) for the order and for symbols that
    /// several materials carry).
    pub fn resolve_material(&self, text: &str) -> Result<&Material, MaterialMatchError> {
        let query = normalise(text);
        if query.is_empty() {
            return Err(MaterialMatchError::Empty);
        }
        let key = query.replace(' ', "_");
        if let Some(material) = self
            .material(&key)
            .or_else(|| self.material(canonical_material_id(&key)?))
        {
            return Ok(material);
        }
        if let Some(material) = self.materials.iter().find(|m| normalise(&m.name) == query) {
            return Ok(material);
        }
        let carriers: Vec<&Material> = self
            .materials
            .iter()
            .filter(|m| m.symbols.iter().any(|s| s.eq_ignore_ascii_case(&query)))
            .collect();
        let element: Vec<&Material> = carriers
            .iter()
            .copied()
            .filter(|m| m.symbols.len() == 1)
            .collect();
        match (carriers.as_slice(), element.as_slice()) {
            ([], _) => Err(MaterialMatchError::Unknown(text.trim().to_string())),
            ([one], _) | (_, [one]) => Ok(one),
            (all, _) => Err(MaterialMatchError::Ambiguous {
                text: text.trim().to_string(),
                candidates: all.iter().map(|m| m.id.clone()).collect(),
            }),
        }
    }

    /// The catalogue's materials matching the search `query` (compared as [`normalise`] gives
    /// it), best match first and in catalogue order within a rank: an exact id, name or symbol;
    /// a name or id that starts with the query; one that holds it; an alias that holds it. Every
    /// material for an empty query.
    pub fn search_materials(&self, query: &str) -> Vec<&Material> {
        let query = normalise(query);
        if query.is_empty() {
            return self.materials.iter().collect();
        }
        let mut ranked: [Vec<&Material>; 4] = Default::default();
        for material in &self.materials {
            if let Some(slot) = rank(material, &query).and_then(|r| ranked.get_mut(usize::from(r)))
            {
                slot.push(material);
            }
        }
        ranked.into_iter().flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::embedded;

    fn resolved(text: &str) -> Result<&'static str, MaterialMatchError> {
        embedded().resolve_material(text).map(|m| m.id.as_str())
    }

    #[test]
    fn ids_aliases_names_and_symbols_resolve() {
        assert_eq!(resolved("gallium"), Ok("gallium"));
        assert_eq!(resolved("Rare earths"), Ok("rare_earths"));
        assert_eq!(resolved("RARE-EARTHS"), Ok("rare_earths"));
        assert_eq!(resolved("aluminum"), Ok("aluminium"));
        assert_eq!(resolved("Silicon metal"), Ok("silicon"));
        assert_eq!(resolved("REE"), Ok("rare_earths"));
        assert_eq!(resolved("Iron ore"), Ok("iron_ore"));
        assert_eq!(resolved("Kaolin clay"), Ok("kaolin"));
        assert_eq!(resolved("Ga"), Ok("gallium"));
        assert_eq!(resolved("co"), Ok("cobalt"));
        assert_eq!(resolved("Li"), Ok("lithium"));
    }

    #[test]
    fn shared_symbols_name_the_element_or_are_ambiguous() {
        // Nd: neodymium, rare earth elements, the magnet rare earths; neodymium is Nd alone.
        assert_eq!(resolved("Nd"), Ok("neodymium"));
        assert_eq!(resolved("tb"), Ok("terbium"));
        // Si: silica sand and silicon metal are both Si alone.
        let Err(MaterialMatchError::Ambiguous { text, candidates }) = resolved(" Si ") else {
            panic!("Si names two materials");
        };
        assert_eq!(text, "Si");
        assert_eq!(candidates, ["silica_sand", "silicon"]);
        assert!(
            resolved("Si")
                .unwrap_err()
                .to_string()
                .contains("silica_sand, silicon")
        );
    }

    #[test]
    fn unknown_and_empty_text_is_refused() {
        assert_eq!(
            resolved(" unobtainium "),
            Err(MaterialMatchError::Unknown("unobtainium".into()))
        );
        assert_eq!(
            resolved("unobtainium").unwrap_err().to_string(),
            "“unobtainium” is not in the material catalogue"
        );
        assert_eq!(resolved("   "), Err(MaterialMatchError::Empty));
        // A name only in part is no match: "Magnet" is not the magnet rare earths.
        assert!(resolved("Magnet").is_err());
    }

    #[test]
    fn every_catalogue_id_name_and_alias_resolves_to_itself() {
        let reference = embedded();
        for material in &reference.materials {
            assert_eq!(resolved(&material.id), Ok(material.id.as_str()));
            assert_eq!(resolved(&material.name), Ok(material.id.as_str()));
            assert_eq!(
                resolved(&material.name.to_uppercase()),
                Ok(material.id.as_str())
            );
        }
        for (alias, id) in material_aliases() {
            if reference.material(id).is_some() {
                assert_eq!(resolved(alias), Ok(*id), "{alias}");
            }
        }
    }

    #[test]
    fn search_ranks_exact_then_prefix_then_part_then_alias() {
        let ids = |query: &str| {
            embedded()
                .search_materials(query)
                .into_iter()
                .map(|m| m.id.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("").len(), embedded().materials.len());
        assert_eq!(ids("gallium").first(), Some(&"gallium"));
        // The symbol puts the exact element first, ahead of names that merely contain "ga".
        assert_eq!(ids("Ga").first(), Some(&"gallium"));
        assert!(ids("rare_earths").contains(&"rare_earths"));
        assert!(ids("aluminum").contains(&"aluminium"));
        assert!(ids("zzz-not-a-material").is_empty());
        for id in ids("lith") {
            let m = embedded().material(id).unwrap();
            assert!(m.name.to_lowercase().contains("lith") || m.id.contains("lith"));
        }
    }
}
