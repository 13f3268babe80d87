//! Supplier declarations: the Responsible Minerals Initiative's CMRT 6.x (tin, tantalum,
//! tungsten, gold) and EMRT 1.x / 2.x (cobalt, mica; since 2.0 also copper, graphite, lithium,
//! nickel) workbooks.
//!
//! Read by fixed cell positions, never by header text (the header cells are formulas whose cached
//! text is in the supplier's language), from the cached values of formula cells. The positions
//! are those of RMI's templates (CMRT 6.01-6.5, EMRT 1.1-2.1), documented in `docs/IMPORT.md`:
//!
//! - version: `Declaration!J3` (`Revision 6.4\nApril 26, 2024`), else `Smelter List!Q3`, else
//!   `Mine List!M3`, matched as `(Revision|Version) <major>.<minor>`;
//! - family: the acronym in parentheses at the end of `Declaration!D2`, else the version's major
//!   number (6 = CMRT; 1 and 2 = EMRT);
//! - company name: `Declaration!D8` (a company, not a person). The contact and authoriser cells
//!   (D15-D25) and the Smelter List contact columns K and L are never read;
//! - smelters: sheet `Smelter List`, rows 5 on, columns A (CID input), B (metal), C (look-up
//!   value), D (name), E (country name), F (CID), S (hidden ISO 3166-1 alpha-2 code). A row is
//!   data when A, B, C, D or F holds something other than blank, `0` or an error;
//! - mines (EMRT 2.x): sheet `Mine List`, rows 5 on, A (metal), C (mine name), D (mine id),
//!   F (mine country), N (hidden alpha-2 code).
//!
//! The country of a smelter is the hidden code S when it is two letters, else the name in E
//! mapped through the workbook's own country sheet `C` (alpha-2 code, RMI name), else the country
//! of the CID in the workbook's `Smelter Look-up` sheet; otherwise it is unknown. A smelter is
//! *identified* when it has a CID (`CID` + six digits, spaces and hyphens removed); the look-up
//! values `Smelter not listed` and `Smelter not yet identified` are counted separately as
//! unidentified; duplicates are removed on (metal, CID), or (metal, name, country) without one.
//!
//! [`material_sourcing`] turns declarations (one file per supplier) into per-material country
//! mixes *by number of facilities*: each country's share is its number of distinct smelters
//! (refining stage) or mines (mining stage) over all identified facilities with a known country.
//! This is a count, not a tonnage: a declaration does not say how much comes from each facility.

use super::{Cells, SpreadsheetError, Workbook, clean};
use crate::import::table::find_country;
use crate::model::{CountryCode, Stage};
use crate::portfolio::limits::LimitError;
use crate::portfolio::{OrderedMap, RawLine, RawNumber, RawPortfolio, RawStageSourcing};
use crate::reference::ReferenceData;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The first data row of the Smelter List and Mine List sheets (row 4 is the header).
pub const FIRST_DATA_ROW: usize = 5;

/// The sheet every RMI template has and this reader requires.
pub const SMELTER_LIST: &str = "Smelter List";
const MINE_LIST: &str = "Mine List";
const DECLARATION: &str = "Declaration";
const LOOKUP: &str = "Smelter Look-up";
const COUNTRIES: &str = "C";

/// The template family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Family {
    /// Conflict Minerals Reporting Template (tin, tantalum, tungsten, gold).
    Cmrt,
    /// Extended Minerals Reporting Template (cobalt, mica, copper, graphite, lithium, nickel).
    Emrt,
}

impl Family {
    /// The acronym.
    pub fn label(self) -> &'static str {
        match self {
            Family::Cmrt => "CMRT",
            Family::Emrt => "EMRT",
        }
    }
}

/// How a smelter row identifies its facility.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// A valid RMI smelter identification number (CID).
    Identified,
    /// Look-up value `Smelter not listed`: a facility not in RMI's list.
    NotListed,
    /// Look-up value `Smelter not yet identified`.
    NotYetIdentified,
    /// Neither a CID nor one of the two special values.
    Unmatched,
}

/// One smelter or refiner row, without any personal data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Smelter {
    /// The sheet row.
    pub row: usize,
    /// The metal as written (`Tantalum`).
    pub metal: String,
    /// The normalised CID (`CID001522`), when valid.
    pub cid: Option<String>,
    /// The facility name (column D, else the look-up alias in C).
    pub name: String,
    /// ISO 3166-1 alpha-2 code of the facility's country, when known.
    pub country_iso2: Option<String>,
    /// The country as written in column E.
    pub country_text: String,
    /// How the facility is identified.
    pub status: Status,
}

/// One mine row of an EMRT 2.x Mine List.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mine {
    /// The sheet row.
    pub row: usize,
    /// The metal as written.
    pub metal: String,
    /// The mine's identification or name, for duplicate removal.
    pub key: String,
    /// ISO 3166-1 alpha-2 code of the mine's country, when known.
    pub country_iso2: Option<String>,
}

/// Counts for one metal of one declaration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetalSummary {
    /// The metal as written.
    pub metal: String,
    /// Distinct smelters with a CID.
    pub identified: usize,
    /// Distinct `Smelter not listed` rows.
    pub not_listed: usize,
    /// Distinct `Smelter not yet identified` rows.
    pub not_yet_identified: usize,
    /// Rows with neither a CID nor a special value.
    pub unmatched: usize,
    /// Rows removed as duplicates.
    pub duplicates: usize,
    /// Identified smelters whose country is unknown.
    pub unknown_country: usize,
    /// Distinct mines (EMRT 2.x Mine List).
    pub mines: usize,
}

/// One supplier's declaration as read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    /// The file's name as given.
    pub file_name: String,
    /// CMRT or EMRT.
    pub family: Family,
    /// The revision, as `6.4`.
    pub version: String,
    /// The declaring company (Declaration D8), when filled.
    pub company: Option<String>,
    /// The smelter rows, duplicates removed, in sheet order.
    pub smelters: Vec<Smelter>,
    /// The mine rows, duplicates removed, in sheet order.
    pub mines: Vec<Mine>,
    /// Counts per metal, in order of first appearance.
    pub metals: Vec<MetalSummary>,
    /// Remarks on rows that could not be used fully (row named).
    pub notes: Vec<String>,
}

/// Reads one CMRT or EMRT workbook.
pub fn read_declaration(file_name: &str, bytes: &[u8]) -> Result<Declaration, SpreadsheetError> {
    read_open_declaration(file_name, &mut Workbook::open(bytes)?)
}

/// [`read_declaration`] of a workbook already open.
pub(crate) fn read_open_declaration(
    file_name: &str,
    workbook: &mut Workbook,
) -> Result<Declaration, SpreadsheetError> {
    let names = workbook.sheet_names();
    if !names.iter().any(|n| n == SMELTER_LIST) {
        return Err(SpreadsheetError::NotRmiTemplate {
            detail: format!("the workbook has no sheet “{SMELTER_LIST}”"),
        });
    }
    let optional = |workbook: &mut Workbook, name: &str, read: Cells<'_>| {
        if names.iter().any(|n| n == name) {
            workbook.sheet_cells(name, read).map(Some)
        } else {
            Ok(None)
        }
    };
    // Personal data is never read: the Declaration only down to the company name (row 8),
    // the contact columns K and L of the Smelter List and J and K of the Mine List not at all.
    let declaration = optional(
        workbook,
        DECLARATION,
        Cells {
            columns: 10,
            skip: &[],
            last_row: Some(8),
        },
    )?
    .unwrap_or_default();
    let smelter_sheet = workbook.sheet_cells(
        SMELTER_LIST,
        Cells {
            columns: 20,
            skip: &[10, 11],
            last_row: None,
        },
    )?;
    let mine_sheet = optional(
        workbook,
        MINE_LIST,
        Cells {
            columns: 14,
            skip: &[9, 10],
            last_row: None,
        },
    )?;
    let lookup = optional(workbook, LOOKUP, Cells::first(5))?.unwrap_or_default();
    let countries = optional(workbook, COUNTRIES, Cells::first(2))?.unwrap_or_default();

    let version_text = [
        declaration.cell(3, 9),
        smelter_sheet.cell(3, 16),
        mine_sheet.as_ref().map(|m| m.cell(3, 12)).unwrap_or(""),
    ]
    .into_iter()
    .find_map(parse_version)
    .ok_or_else(|| SpreadsheetError::NotRmiTemplate {
        detail: "no revision number in Declaration J3 or Smelter List Q3".into(),
    })?;
    let (major, _) = version_text;
    let family = parse_family(declaration.cell(2, 3)).unwrap_or(match major {
        6 => Family::Cmrt,
        _ => Family::Emrt,
    });
    let supported = match family {
        Family::Cmrt => major == 6,
        Family::Emrt => major == 1 || major == 2,
    };
    let version = format!("{}.{}", version_text.0, version_text.1);
    if !supported {
        return Err(SpreadsheetError::NotRmiTemplate {
            detail: format!("{} revision {version}", family.label()),
        });
    }

    let country_names: BTreeMap<String, String> = countries
        .rows
        .iter()
        .filter(|r| is_iso2(r.cell(0)))
        .map(|r| (clean(r.cell(1)).to_uppercase(), r.cell(0).to_string()))
        .collect();
    let to_iso2 = |name: &str| country_names.get(&clean(name).to_uppercase()).cloned();
    let lookup_by_cid: BTreeMap<String, (String, String)> = lookup
        .rows
        .iter()
        .filter_map(|r| {
            let cid = normalise_cid(r.cell(4))?;
            Some((
                cid,
                (blank(r.cell(0)).to_string(), blank(r.cell(3)).to_string()),
            ))
        })
        .collect();

    let company = Some(clean(declaration.cell(8, 3)).to_string()).filter(|c| !blank(c).is_empty());
    let mut result = Declaration {
        file_name: file_name.to_string(),
        family,
        version,
        company,
        smelters: Vec::new(),
        mines: Vec::new(),
        metals: Vec::new(),
        notes: Vec::new(),
    };

    let mut seen = BTreeSet::new();
    for row in smelter_sheet
        .rows
        .iter()
        .filter(|r| r.number >= FIRST_DATA_ROW)
    {
        let cell = |c: usize| blank(row.cell(c));
        if [0, 1, 2, 3, 5].iter().all(|&c| cell(c).is_empty()) {
            continue;
        }
        let cid = normalise_cid(cell(5)).or_else(|| normalise_cid(cell(0)));
        let from_lookup = cid.as_ref().and_then(|c| lookup_by_cid.get(c));
        let metal = match (cell(1), from_lookup) {
            ("", Some((metal, _))) if !metal.is_empty() => metal.clone(),
            ("", _) => {
                result.notes.push(format!(
                    "Smelter List row {}: no metal; row skipped",
                    row.number
                ));
                continue;
            }
            (metal, _) => metal.to_string(),
        };
        let lookup_value = cell(2).to_lowercase();
        let status = if cid.is_some() {
            Status::Identified
        } else if lookup_value == "smelter not listed" {
            Status::NotListed
        } else if lookup_value == "smelter not yet identified" {
            Status::NotYetIdentified
        } else {
            Status::Unmatched
        };
        let country_iso2 = Some(cell(18).to_string())
            .filter(|s| is_iso2(s))
            .or_else(|| to_iso2(cell(4)))
            .or_else(|| from_lookup.and_then(|(_, country)| to_iso2(country)));
        let name = if cell(3).is_empty() { cell(2) } else { cell(3) }.to_string();
        let key = match &cid {
            Some(cid) => format!("{}|{cid}", metal.to_lowercase()),
            None => format!(
                "{}|{}|{}|{}",
                metal.to_lowercase(),
                name.to_lowercase(),
                country_iso2.as_deref().unwrap_or(cell(4)),
                status_key(status)
            ),
        };
        let summary = summary_for(&mut result.metals, &metal);
        if !seen.insert(key) {
            summary.duplicates += 1;
            continue;
        }
        match status {
            Status::Identified => summary.identified += 1,
            Status::NotListed => summary.not_listed += 1,
            Status::NotYetIdentified => summary.not_yet_identified += 1,
            Status::Unmatched => summary.unmatched += 1,
        }
        if status == Status::Identified && country_iso2.is_none() {
            summary.unknown_country += 1;
            result.notes.push(format!(
                "Smelter List row {}: {} has no recognised country",
                row.number,
                cid.as_deref().unwrap_or("")
            ));
        }
        result.smelters.push(Smelter {
            row: row.number,
            metal,
            cid,
            name,
            country_iso2,
            country_text: cell(4).to_string(),
            status,
        });
    }

    if let Some(mines) = mine_sheet {
        let mut seen = BTreeSet::new();
        for row in mines.rows.iter().filter(|r| r.number >= FIRST_DATA_ROW) {
            let cell = |c: usize| blank(row.cell(c));
            if [0, 2, 3, 5].iter().all(|&c| cell(c).is_empty()) {
                continue;
            }
            let metal = cell(0).to_string();
            if metal.is_empty() {
                result.notes.push(format!(
                    "Mine List row {}: no metal; row skipped",
                    row.number
                ));
                continue;
            }
            let country_iso2 = Some(cell(13).to_string())
                .filter(|s| is_iso2(s))
                .or_else(|| to_iso2(cell(5)));
            let id = normalise_cid(cell(3)).unwrap_or_else(|| cell(3).to_string());
            let key = if id.is_empty() {
                format!("{}|{}", cell(2).to_lowercase(), cell(5).to_lowercase())
            } else {
                id
            };
            if !seen.insert((metal.to_lowercase(), key.clone())) {
                summary_for(&mut result.metals, &metal).duplicates += 1;
                continue;
            }
            summary_for(&mut result.metals, &metal).mines += 1;
            result.mines.push(Mine {
                row: row.number,
                metal,
                key,
                country_iso2,
            });
        }
    }
    Ok(result)
}

fn status_key(status: Status) -> &'static str {
    match status {
        Status::Identified => "id",
        Status::NotListed => "nl",
        Status::NotYetIdentified => "ny",
        Status::Unmatched => "um",
    }
}

fn summary_for<'a>(metals: &'a mut Vec<MetalSummary>, metal: &str) -> &'a mut MetalSummary {
    let index = match metals
        .iter()
        .position(|m| m.metal.eq_ignore_ascii_case(metal))
    {
        Some(index) => index,
        None => {
            metals.push(MetalSummary {
                metal: metal.to_string(),
                ..MetalSummary::default()
            });
            metals.len() - 1
        }
    };
    // `index` is in range: found above, or the element just pushed.
    &mut metals[index]
}

/// A text cell as data: trimmed, and blank when it is `0` or an Excel error (`#N/A`), which
/// formulas that look up an empty cell produce.
pub fn blank(text: &str) -> &str {
    let text = clean(text);
    if text == "0" || text.starts_with('#') {
        ""
    } else {
        text
    }
}

/// A CID normalised (`cid 002514`, `CID-002514` -> `CID002514`), if it is `CID` + six digits.
///
/// ```
/// use chokepoint::import::rmi::normalise_cid;
/// assert_eq!(normalise_cid(" cid-002514 ").as_deref(), Some("CID002514"));
/// assert_eq!(normalise_cid("CID0027634"), None); // seven digits: a typo
/// ```
pub fn normalise_cid(text: &str) -> Option<String> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '\u{a0}')
        .collect::<String>()
        .to_uppercase();
    let digits = compact.strip_prefix("CID")?;
    (digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit())).then_some(compact)
}

fn is_iso2(text: &str) -> bool {
    text.len() == 2 && text.chars().all(|c| c.is_ascii_uppercase())
}

/// `(major, minor)` from `Revision 6.4\nApril 26, 2024` or `Version 2.0`.
pub fn parse_version(text: &str) -> Option<(u32, u32)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.windows(2).find_map(|pair| match pair {
        [word, number] if word.eq_ignore_ascii_case("revision") || *word == "Version" => {
            let (major, minor) = number.split_once('.')?;
            let minor: String = minor.chars().take_while(|c| c.is_ascii_digit()).collect();
            Some((major.parse().ok()?, minor.parse().ok()?))
        }
        _ => None,
    })
}

fn parse_family(title: &str) -> Option<Family> {
    if title.contains("(CMRT)") {
        Some(Family::Cmrt)
    } else if title.contains("(EMRT)") {
        Some(Family::Emrt)
    } else {
        None
    }
}

/// The facility-count country mix of one material, over one or more declarations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MaterialSourcing {
    /// The catalogue id (`tantalum`).
    pub material: String,
    /// The metal as the declarations write it (`Tantalum`).
    pub metal: String,
    /// Refining stage: distinct identified smelters per country, largest first.
    pub refining: Vec<(CountryCode, usize)>,
    /// Mining stage (EMRT 2.x Mine List): distinct mines per country, largest first.
    pub mining: Vec<(CountryCode, usize)>,
    /// Distinct smelters declared as not listed, not yet identified or unmatched.
    pub unidentified: usize,
    /// Identified smelters without a recognised country.
    pub unknown_country: usize,
    /// How many declarations name this material.
    pub suppliers: usize,
}

/// The facility-count mixes per material over `declarations` (one per supplier), and notes on
/// metals not in the catalogue. A facility named by several suppliers counts once.
pub fn material_sourcing(
    declarations: &[Declaration],
    reference: &ReferenceData,
) -> (Vec<MaterialSourcing>, Vec<String>) {
    let mut result: Vec<MaterialSourcing> = Vec::new();
    let mut notes = Vec::new();
    let mut smelters_seen = BTreeSet::new();
    let mut mines_seen = BTreeSet::new();
    let mut refining: BTreeMap<(String, CountryCode), usize> = BTreeMap::new();
    let mut mining: BTreeMap<(String, CountryCode), usize> = BTreeMap::new();
    for declaration in declarations {
        let mut named_here = BTreeSet::new();
        for summary in &declaration.metals {
            let Some(material) = material_id(&summary.metal, reference) else {
                notes.push(format!(
                    "{}: {} is not in the material catalogue; its {} facilities are not imported",
                    declaration.file_name,
                    summary.metal,
                    summary.identified + summary.mines
                ));
                continue;
            };
            let entry = match result.iter().position(|m| m.material == material) {
                Some(i) => &mut result[i],
                None => {
                    result.push(MaterialSourcing {
                        material: material.clone(),
                        metal: summary.metal.clone(),
                        refining: Vec::new(),
                        mining: Vec::new(),
                        unidentified: 0,
                        unknown_country: 0,
                        suppliers: 0,
                    });
                    let last = result.len() - 1;
                    &mut result[last]
                }
            };
            if named_here.insert(material.clone()) {
                entry.suppliers += 1;
            }
        }
        for smelter in &declaration.smelters {
            let Some(material) = material_id(&smelter.metal, reference) else {
                continue;
            };
            let Some(entry) = result.iter_mut().find(|m| m.material == material) else {
                continue;
            };
            let cid = match (&smelter.cid, smelter.status) {
                (Some(cid), Status::Identified) => cid.clone(),
                _ => {
                    entry.unidentified += 1;
                    continue;
                }
            };
            if !smelters_seen.insert((material.clone(), cid)) {
                continue;
            }
            match country(
                smelter.country_iso2.as_deref(),
                &smelter.country_text,
                reference,
            ) {
                Some(code) => *refining.entry((material, code)).or_default() += 1,
                None => entry.unknown_country += 1,
            }
        }
        for mine in &declaration.mines {
            let Some(material) = material_id(&mine.metal, reference) else {
                continue;
            };
            if !mines_seen.insert((material.clone(), mine.key.clone())) {
                continue;
            }
            if let Some(code) = country(mine.country_iso2.as_deref(), "", reference) {
                *mining.entry((material, code)).or_default() += 1;
            }
        }
    }
    for entry in &mut result {
        let collect = |counts: &BTreeMap<(String, CountryCode), usize>| {
            let mut list: Vec<(CountryCode, usize)> = counts
                .iter()
                .filter(|((m, _), _)| *m == entry.material)
                .map(|((_, c), n)| (*c, *n))
                .collect();
            list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.as_str().cmp(b.0.as_str())));
            list
        };
        entry.refining = collect(&refining);
        entry.mining = collect(&mining);
    }
    (result, notes)
}

fn country(iso2: Option<&str>, text: &str, reference: &ReferenceData) -> Option<CountryCode> {
    iso2.and_then(|code| reference.countries.iter().find(|c| c.iso2 == code))
        .map(|c| c.code)
        .or_else(|| {
            let text = blank(text);
            (!text.is_empty())
                .then(|| find_country(text, reference))
                .flatten()
        })
}

/// A facility-count mix as portfolio percentages (count / total × 100), `None` when empty.
pub fn counts_to_mix(counts: &[(CountryCode, usize)]) -> Option<RawStageSourcing> {
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    (total > 0).then(|| {
        RawStageSourcing::Mix(OrderedMap(
            counts
                .iter()
                .map(|(code, n)| {
                    let percent = *n as f64 * 100.0 / total as f64;
                    (code.as_str().to_string(), RawNumber::Number(percent))
                })
                .collect(),
        ))
    })
}

/// The portfolio with each material's refining (and, where declared, mining) sourcing set from
/// `sourcing`: on every existing line of that material, or on a new line (label "`<Metal>`
/// (supplier declarations)", spend left for the user to fill in) when there is none. Refused
/// when the result would be over a size limit of [`crate::portfolio::limits`] (the new lines can
/// pass [`MAX_LINES`](crate::portfolio::limits::MAX_LINES)).
pub fn apply_sourcing(
    portfolio: &RawPortfolio,
    sourcing: &[MaterialSourcing],
) -> Result<RawPortfolio, LimitError> {
    let mut next = portfolio.clone();
    for item in sourcing {
        let stages = [
            (Stage::Refining, counts_to_mix(&item.refining)),
            (Stage::Mining, counts_to_mix(&item.mining)),
        ];
        if stages.iter().all(|(_, mix)| mix.is_none()) {
            continue;
        }
        let set = |line: &mut RawLine| {
            for (stage, mix) in &stages {
                if let Some(mix) = mix {
                    line.sourcing.0.retain(|(id, _)| id != stage.id());
                    line.sourcing.0.push((stage.id().to_string(), mix.clone()));
                    // The mix counts facilities, not volumes: said so on the line.
                    line.set_facility_count(*stage, true);
                }
            }
        };
        let mut found = false;
        for line in &mut next.lines {
            if line.material.as_deref() == Some(item.material.as_str()) {
                set(line);
                found = true;
            }
        }
        if !found {
            let mut line = RawLine {
                material: Some(item.material.clone()),
                label: Some(format!("{} (supplier declarations)", item.metal)),
                ..RawLine::default()
            };
            set(&mut line);
            next.lines.push(line);
        }
    }
    crate::portfolio::limits::check_portfolio(&next)?;
    Ok(next)
}
/// The catalogue id of a metal as a declaration names it (`Tin`, `Tantalum`, `Co`), through the
/// catalogue's one matcher ([`ReferenceData::resolve_material`]).
fn material_id(metal: &str, reference: &ReferenceData) -> Option<String> {
    reference
        .resolve_material(metal)
        .ok()
        .map(|material| material.id.clone())
}
