#!/usr/bin/env python3
"""Build Chokepoint's embedded reference data set, data/reference.json.

Reads the cited source files vendored in data/sources (see data/sources/SOURCES.md) and writes
one compact JSON file that src/reference/embedded.rs compiles into the binary. Python 3 standard
library only. The output is deterministic: running the script twice gives byte-identical files.

    python3 scripts/data/build_reference.py            # (re)write data/reference.json and
                                                       # data/reference_vintages.json
    python3 scripts/data/build_reference.py --check    # exit 1 if data/reference.json is stale
    python3 scripts/data/build_reference.py --sources DIR --out FILE

Rules (also in docs/DATA.md and in the Rust module documentation):

* Newest source wins per material and stage. USGS series come from the Mineral Commodity
  Summaries 2026 data release (raw/usgs_mcs2026): data year 2025 is the default and the revised
  2024 figures of the same release are kept as the previous vintage (`prev`). IEA series (data
  year 2024) are the ones production_shares.csv marks `preferred = 1`; their base-case
  projections for 2030, 2035 and 2040 are read from the raw IEA file (`proj`). Where no series
  has a stage, it is filled from the EU 2023 study's global supply shares (E -> mining,
  P -> refining) and flagged `older_data`.
* Every number is copied or computed from copied numbers, never typed in: a USGS share is the
  country's quantity divided by the published world total of the same series and year (the
  published share, kept to 0.01 percentage points); IEA and EU shares are kept in percent as
  published; the EU's "<0.1%" is taken as 0.05 % (documented convention, stated in the series
  caveats).
* Withheld or missing figures stay missing (listed as withheld countries or in caveats).
* "Other countries" stays an explicit ROW entry. Series whose published shares sum outside
  95-105 % get a caveat starting with "Published shares sum to".
* Unknown material or country names fail the build loudly (SystemExit), never silently.
"""

import argparse
import csv
import json
import re
import sys
from pathlib import Path

FORMAT_VERSION = 2
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCES = ROOT / "data" / "sources"
DEFAULT_OUT = ROOT / "data" / "reference.json"
# The previous vintages and the IEA projections, in a file of their own: the app's first page
# load carries the current vintage only (data/reference.json); the command line, the JavaScript
# API and the lazily loaded pages add these (src/reference/embedded.rs).
VINTAGES_NAME = "reference_vintages.json"

SUM_LOW, SUM_HIGH = 95.0, 105.0
SUM_FLAG = "Published shares sum to"
LT_CONVENTION = 0.05  # percent used for the EU's "<0.1%"

EU_DATASET = "EU_CRM_2023"
EU_DATA_YEAR = 2020  # end of the EU 2023 study's typical 2016-2020 averaging window


def fail(message):
    raise SystemExit(f"build_reference.py: {message}")


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def num(text, what):
    try:
        value = float(text)
    except ValueError:
        fail(f"{what}: `{text}` is not a number")
    if value != value or value in (float("inf"), float("-inf")):
        fail(f"{what}: `{text}` is not finite")
    return value


# ---------------------------------------------------------------------------------------------
# Material catalogue: ids, names, symbols, list memberships.
#
# Lists are facts of law:
#   EU strategic  = Regulation (EU) 2024/1252, Annex I, Section 1
#   EU critical   = Regulation (EU) 2024/1252, Annex II, Section 1 (HREE, LREE and PGM entries
#                   cover their member elements; "bauxite/alumina/aluminium" covers aluminium)
#   U.S. critical = 2022 Final List of Critical Minerals, 87 FR 10381 (24 February 2022)
# ---------------------------------------------------------------------------------------------

REE_ALL = ["La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb",
           "Lu", "Y", "Sc"]

# id: (display name, symbols, eu_critical, eu_strategic, us_critical_2022)
CATALOGUE = {
    "aggregates": ("Aggregates", [], False, False, False),
    "aluminium": ("Aluminium (bauxite, aluminium)", ["Al"], True, True, True),
    "antimony": ("Antimony", ["Sb"], True, False, True),
    "arsenic": ("Arsenic", ["As"], True, False, True),
    "barite": ("Barite (baryte)", ["Ba"], True, False, True),
    "bentonite": ("Bentonite", [], False, False, False),
    "beryllium": ("Beryllium", ["Be"], True, False, True),
    "bismuth": ("Bismuth", ["Bi"], True, True, True),
    "boron": ("Boron (borates)", ["B"], True, True, False),
    "cadmium": ("Cadmium", ["Cd"], False, False, False),
    "cerium": ("Cerium", ["Ce"], True, True, True),
    "chromium": ("Chromium", ["Cr"], False, False, True),
    "cobalt": ("Cobalt", ["Co"], True, True, True),
    "coking_coal": ("Coking coal", [], True, False, False),
    "copper": ("Copper", ["Cu"], True, True, False),
    "diatomite": ("Diatomite", [], False, False, False),
    "dysprosium": ("Dysprosium", ["Dy"], True, True, True),
    "erbium": ("Erbium", ["Er"], True, False, True),
    "europium": ("Europium", ["Eu"], True, False, True),
    "feldspar": ("Feldspar", [], True, False, False),
    "fluorspar": ("Fluorspar", ["F"], True, False, True),
    "gadolinium": ("Gadolinium", ["Gd"], True, True, True),
    "gallium": ("Gallium", ["Ga"], True, True, True),
    "germanium": ("Germanium", ["Ge"], True, True, True),
    "gold": ("Gold", ["Au"], False, False, False),
    "graphite": ("Graphite", ["C"], True, True, True),
    "gypsum": ("Gypsum", [], False, False, False),
    "hafnium": ("Hafnium", ["Hf"], True, False, True),
    "helium": ("Helium", ["He"], True, False, False),
    "holmium": ("Holmium", ["Ho"], True, False, True),
    "hydrogen": ("Hydrogen", ["H"], False, False, False),
    "indium": ("Indium", ["In"], False, False, True),
    "iodine": ("Iodine", ["I"], False, False, False),
    "iridium": ("Iridium", ["Ir"], True, True, True),
    "iron_ore": ("Iron ore", ["Fe"], False, False, False),
    "kaolin": ("Kaolin clay", [], False, False, False),
    "krypton": ("Krypton", ["Kr"], False, False, False),
    "lanthanum": ("Lanthanum", ["La"], True, False, True),
    "lead": ("Lead", ["Pb"], False, False, False),
    "limestone": ("Limestone", [], False, False, False),
    "lithium": ("Lithium", ["Li"], True, True, True),
    "lutetium": ("Lutetium", ["Lu"], True, False, True),
    "magnesite": ("Magnesite (magnesium compounds)", [], False, False, False),
    "magnesium": ("Magnesium (metal)", ["Mg"], True, True, True),
    "manganese": ("Manganese", ["Mn"], True, True, True),
    "molybdenum": ("Molybdenum", ["Mo"], False, False, False),
    "natural_cork": ("Natural cork", [], False, False, False),
    "natural_rubber": ("Natural rubber", [], False, False, False),
    "natural_teak_wood": ("Natural teak wood", [], False, False, False),
    "neodymium": ("Neodymium", ["Nd"], True, True, True),
    "neon": ("Neon", ["Ne"], False, False, False),
    "nickel": ("Nickel", ["Ni"], True, True, True),
    "niobium": ("Niobium", ["Nb"], True, False, True),
    "palladium": ("Palladium", ["Pd"], True, True, True),
    "perlite": ("Perlite", [], False, False, False),
    "phosphate_rock": ("Phosphate rock", ["P"], True, False, False),
    "phosphorus": ("Phosphorus", ["P"], True, False, False),
    "platinum": ("Platinum", ["Pt"], True, True, True),
    "potash": ("Potash", ["K"], False, False, False),
    "praseodymium": ("Praseodymium", ["Pr"], True, True, True),
    "rare_earths": ("Rare earth elements", REE_ALL, True, True, True),
    "rare_earths_magnet": ("Magnet rare earth elements (Nd, Pr, Dy, Tb)", ["Nd", "Pr", "Dy", "Tb"],
                           True, True, True),
    "rhenium": ("Rhenium", ["Re"], False, False, False),
    "rhodium": ("Rhodium", ["Rh"], True, True, True),
    "roundwood": ("Roundwood", [], False, False, False),
    "ruthenium": ("Ruthenium", ["Ru"], True, True, True),
    "samarium": ("Samarium", ["Sm"], True, True, True),
    "sapele_wood": ("Sapele wood", [], False, False, False),
    "scandium": ("Scandium", ["Sc"], True, False, True),
    "selenium": ("Selenium", ["Se"], False, False, False),
    "silica_sand": ("Silica sand", ["Si"], False, False, False),
    "silicon": ("Silicon metal", ["Si"], True, True, False),
    "silver": ("Silver", ["Ag"], False, False, False),
    "strontium": ("Strontium", ["Sr"], True, False, False),
    "sulphur": ("Sulphur", ["S"], False, False, False),
    "talc": ("Talc", [], False, False, False),
    "tantalum": ("Tantalum", ["Ta"], True, False, True),
    "tellurium": ("Tellurium", ["Te"], False, False, True),
    "terbium": ("Terbium", ["Tb"], True, True, True),
    "thulium": ("Thulium", ["Tm"], True, False, True),
    "tin": ("Tin", ["Sn"], False, False, True),
    "titanium": ("Titanium (minerals, sponge metal)", ["Ti"], True, True, True),
    "titanium_minerals": ("Titanium (EU 2023 'Titanium': ores and first processing)", ["Ti"],
                          False, False, True),
    "tungsten": ("Tungsten", ["W"], True, True, True),
    "vanadium": ("Vanadium", ["V"], True, False, True),
    "xenon": ("Xenon", ["Xe"], False, False, False),
    "ytterbium": ("Ytterbium", ["Yb"], True, False, True),
    "yttrium": ("Yttrium", ["Y"], True, False, True),
    "zinc": ("Zinc", ["Zn"], False, False, True),
    "zirconium": ("Zirconium", ["Zr"], False, False, True),
}

# production_shares.csv / materials_summary.csv material ids -> catalogue ids.
USGS_IEA_IDS = {
    "aluminum": "aluminium",
    "graphite_natural": "graphite",
    "graphite_refined": "graphite",
}
for _id in ["antimony", "arsenic", "barite", "beryllium", "bismuth", "boron", "cadmium",
            "chromium", "cobalt", "copper", "fluorspar", "gallium", "germanium", "indium",
            "iodine", "lead", "lithium", "magnesite", "magnesium", "manganese", "molybdenum",
            "nickel", "niobium", "palladium", "phosphate_rock", "platinum", "potash",
            "rare_earths", "rare_earths_magnet", "rhenium", "selenium", "silicon", "silver",
            "strontium", "tantalum", "tellurium", "tin", "titanium", "tungsten", "vanadium",
            "zinc", "zirconium"]:
    USGS_IEA_IDS[_id] = _id

# Extra series used although not `preferred` in the source CSV (documented in docs/DATA.md):
# (source material id, stage, source id) -> (catalogue id, stage, extra caveat)
EXTRA_SERIES = {
    ("rare_earths_magnet", "mining", "IEA_CM_DATASET_2025"): [
        ("rare_earths_magnet", "mining",
         "Marked non-default in the source CSV only because USGS REO output is the default for "
         "rare earths as a whole; it is the only mining series for magnet rare earths."),
    ],
    ("rare_earths_magnet", "refining", "IEA_CM_DATASET_2025"): [
        ("rare_earths", "refining",
         "Proxy: the IEA series covers the magnet rare earths (Nd, Pr, Dy, Tb) only; no source "
         "in the data set splits separation of all rare earths by country."),
    ],
}

# Scope notes added to a series (catalogue id, stage) -> caveat. Words only, no numbers.
SCOPE_CAVEATS = {
    ("graphite", "mining"): "Natural graphite only; the refining stage (IEA) also covers "
                            "synthetic graphite, so the two stages differ in scope.",
    ("graphite", "refining"): "IEA refined graphite: battery-grade natural and synthetic "
                              "graphite; the mining stage (USGS) is natural graphite only.",
    ("aluminium", "mining"): "Bauxite.",
    ("aluminium", "refining"): "Primary aluminium smelting; alumina refining (the intermediate "
                               "step) is not used.",
    ("titanium", "mining"): "Ilmenite; rutile (a smaller alternative series) is not used.",
    ("titanium", "refining"): "Titanium sponge metal.",
    ("silicon", "refining"): "Silicon metal; ferrosilicon (an alternative series) is not used.",
    ("copper", "refining"): "USGS refinery production; the IEA refined-copper series is an "
                            "alternative not used.",
}
SCOPE_CAVEATS.update({
    ("rare_earths", "mining"): "Rare-earth-oxide (REO) equivalent mine output; China's figure is "
                               "its production quota and excludes undocumented production.",
    ("lithium", "refining"): "IEA definition: Chile's and Argentina's brine-to-chemical output "
                             "counts as refining.",
    ("nickel", "refining"): "IEA definition of refined nickel, under which Indonesia leads.",
    ("gallium", "refining"): "Primary low-purity gallium, a by-product of alumina and zinc "
                             "processing; there is no separate mining stage.",
})
for _id in ["cerium", "lanthanum", "neodymium", "praseodymium", "samarium"]:
    SCOPE_CAVEATS[(_id, "mining")] = ("The EU 2023 study gives the same extraction shares for "
                                      "all light rare earths (rare-earth concentrate).")

# EU 2023 material names (global supply, EU sourcing and results files) -> catalogue ids.
# A name may map to several ids (a group row that applies to each member). None = deliberately
# skipped group row (its members are assessed individually).
HREE = ["dysprosium", "erbium", "europium", "gadolinium", "holmium", "lutetium", "terbium",
        "thulium", "ytterbium", "yttrium"]
EU_NAMES = {
    "Aggregates": ["aggregates"], "Aluminium": ["aluminium"], "Antimony": ["antimony"],
    "Arsenic": ["arsenic"], "Barytes": ["barite"], "Baryte": ["barite"],
    "Bentonite": ["bentonite"], "Beryllium": ["beryllium"], "Bismuth": ["bismuth"],
    "Borate": ["boron"], "Boron": ["boron"], "Cadmium": ["cadmium"], "Cerium": ["cerium"],
    "Chromium": ["chromium"], "Cobalt": ["cobalt"], "Coking coal": ["coking_coal"],
    "Copper": ["copper"], "Diatomite": ["diatomite"], "Dysprosium": ["dysprosium"],
    "Erbium": ["erbium"], "Europium": ["europium"], "Feldspar": ["feldspar"],
    "Fluorspar": ["fluorspar"], "Gadolinium": ["gadolinium"], "Gallium": ["gallium"],
    "Germanium": ["germanium"], "Gold": ["gold"], "Gypsum": ["gypsum"], "Hafnium": ["hafnium"],
    "Helium": ["helium"], "Holmium": ["holmium"], "Hydrogen": ["hydrogen"], "Indium": ["indium"],
    "Iridium": ["iridium"], "Iron ore": ["iron_ore"], "Kaolin": ["kaolin"],
    "Krypton": ["krypton"], "Lanthanum": ["lanthanum"], "Lead": ["lead"],
    "Limestone": ["limestone"], "Lime": ["limestone"], "Lithium": ["lithium"],
    "Lutetium": ["lutetium"], "Magnesite": ["magnesite"], "Magnesium": ["magnesium"],
    "Manganese": ["manganese"], "Molybdenum": ["molybdenum"], "Natural Graphite": ["graphite"],
    "Natural graphite": ["graphite"], "Natural cork": ["natural_cork"],
    "Natural rubber": ["natural_rubber"], "Natural Rubber": ["natural_rubber"],
    "Natural teak wood": ["natural_teak_wood"], "Natural Teak wood": ["natural_teak_wood"],
    "Neodymium": ["neodymium"], "Neon": ["neon"], "Nickel": ["nickel"], "Niobium": ["niobium"],
    "Palladium": ["palladium"], "Perlite": ["perlite"], "Phosphate Rock": ["phosphate_rock"],
    "Phosphate rock": ["phosphate_rock"], "Phosphorous": ["phosphorus"],
    "Phosphorus": ["phosphorus"], "Platinum": ["platinum"], "Potash": ["potash"],
    "Praseodymium": ["praseodymium"], "Rhenium": ["rhenium"], "Rhodium": ["rhodium"],
    "Roundwood": ["roundwood"], "Ruthenium": ["ruthenium"], "Samarium": ["samarium"],
    "Sapele wood": ["sapele_wood"], "Scandium": ["scandium"], "Selenium": ["selenium"],
    "Silica sand": ["silica_sand"], "Silica Sand": ["silica_sand"],
    "Silicon metal": ["silicon"], "Silver": ["silver"], "Strontium": ["strontium"],
    "Sulphur": ["sulphur"], "Sulfur": ["sulphur"], "Talc": ["talc"],
    "Talc, Steatite & Pyrophyllite": ["talc"], "Tantalum": ["tantalum"],
    "Tellurium": ["tellurium"], "Terbium": ["terbium"], "Thulium": ["thulium"], "Tin": ["tin"],
    "Titanium": ["titanium_minerals"], "Titanium metal": ["titanium"],
    "Titanium ores": ["titanium", "titanium_minerals"], "Tungsten": ["tungsten"],
    "Vanadium": ["vanadium"], "Xenon": ["xenon"], "Ytterbium": ["ytterbium"],
    "Yttrium": ["yttrium"], "Zinc": ["zinc"], "Zirconium": ["zirconium"],
    "Heavy Rare earths Elements": HREE,
    "HREE": None, "LREE": None, "PGM": None,
}

# Rows of eu2023_results.csv with shifted columns (eu-crm/SOURCES.md). SR, EI and the bottleneck
# stage (the columns before the shift) are kept; import reliance, EoL-RIR and SI_SR are dropped.
EU_RESULTS_UNRELIABLE = {"Coking coal", "Diatomite", "Magnesite", "Natural cork", "Strontium",
                         "Praseodymium", "LREE", "Molybdenum"}
EU_RESULTS_UNCERTAIN_SR = {
    "Aluminium": "SR/EI differ between the two transcriptions of the EU 2023 results "
                 "(1.2/5.8 here vs 1.1/5.5): the 2023 study merged aluminium and bauxite.",
    "Silicon metal": "SR differs between the two transcriptions of the EU 2023 results "
                     "(1.4 here vs 1.3).",
}

# EU country names that differ from every ISO/USGS/IEA spelling in countries.csv.
EU_COUNTRY_NAMES = {
    "Brasil": "BRA", "Brasilia": "BRA", "Congo, D.R.": "COD", "Congo": "COG",
    "Cote d'Ivoire": "CIV", "Korea, South": "KOR", "South Korea": "KOR", "Korea, North": "PRK",
    "Libanon": "LBN", "Surinam": "SUR", "Turkyie": "TUR", "Kosovo": "XKX", "Laos": "LAO",
    "Cape Verde": "CPV",
}

# Display names where the CLDR short name is an abbreviation or ambiguous.
NAME_OVERRIDES = {"USA": "United States", "GBR": "United Kingdom", "COD": "DR Congo",
                  "COG": "Republic of the Congo", "BIH": "Bosnia and Herzegovina"}


# ---------------------------------------------------------------------------------------------
# Data sets (the Sources page).
# ---------------------------------------------------------------------------------------------

def datasets(group_year):
    return [
        {"id": USGS_DATASET, "short": "USGS", "pub": "U.S. Geological Survey, National "
         "Minerals Information Center", "title": "Mineral Commodity Summaries 2026 Data Release "
         "(ver. 1.3, May 2026): world production by country, 2025 estimated and 2024 revised",
         "yr": 2026,
         "lic": "Public domain (U.S. Government work; CC0 1.0 per the metadata); attribution "
                "requested",
         "cit": "U.S. Geological Survey (2026), Mineral Commodity Summaries 2026 Data Release "
                "(ver. 1.3, May 2026), https://doi.org/10.5066/P1WKQ63T, file "
                "MCS2026_Commodities_Data.csv.",
         "cav": ["2025 figures are USGS estimates; 2024 figures are the revised ones of the same "
                 "release (the 2024 vintage, kept for the trend).",
                 "A share is the country's quantity divided by the published world total of the "
                 "same series and year, as published. World totals are rounded, some exclude a "
                 "withheld country and some series have no 'Other countries' row, so the shares "
                 "of a series may not sum to 100 %; calculations rescale them to 100 % and show "
                 "by how much.",
                 "Figures withheld to protect company data (W) or not available (NA) are shown "
                 "as missing, never as zero; zero (the dash) is not listed.",
                 "China's rare-earth figure is its production quota."]},
        {"id": "USGS_MCS2025_WORLD", "short": "USGS", "pub": "U.S. Geological Survey, National "
         "Minerals Information Center", "title": "Mineral Commodity Summaries 2025 Data Release "
         "(ver. 2.0, April 2025)", "yr": 2025,
         "lic": "Public domain (U.S. Government work); attribution requested",
         "cit": "U.S. Geological Survey (2025), Mineral Commodity Summaries 2025 Data Release "
                "(ver. 2.0, April 2025), https://doi.org/10.5066/P13XCP3R; companion "
                "publication: Mineral Commodity Summaries 2025, "
                "https://doi.org/10.3133/mcs2025.",
         "cav": ["Superseded for the production shares by the MCS 2026 data release (2025 "
                 "estimates, 2024 revised); still cited by the event presets for a 2024 first "
                 "estimate (DR Congo's cobalt mine production, the baseline of its 2026 export "
                 "quota).",
                 "2024 figures are USGS first estimates."]},
        {"id": IEA_DATASET, "short": "IEA", "pub": "International Energy Agency",
         "title": "Critical Minerals Dataset / Data Explorer, 2025 edition (base year 2024)",
         "yr": 2025, "lic": "CC BY 4.0",
         "cit": "IEA (2025), Critical Minerals Data Explorer / Critical Minerals Dataset, "
                "https://www.iea.org/data-and-statistics/data-product/critical-minerals-dataset,"
                " Licence: CC BY 4.0.",
         "cav": ["Values come from a mechanical JSON export of the IEA workbook (secondary "
                 "source); internal top-3 shares were checked against the file.",
                 "IEA rare earths are the magnet rare earths (Nd, Pr, Dy, Tb) only.",
                 "IEA refined graphite covers battery-grade natural and synthetic graphite.",
                 "Projections (2030, 2035, 2040) are the IEA's base case: the pipeline of "
                 "operating and announced mining and refining projects by country, each weighted "
                 "by its probability of coming online (financing, permitting, feasibility). They "
                 "are projections, not observations; the rest of the world is the IEA total "
                 "minus the listed countries."]},
        {"id": EU_DATASET, "short": "EU CRM study",
         "pub": "European Commission, DG Internal Market, Industry, "
         "Entrepreneurship and SMEs", "title": "Study on the critical raw materials for the EU "
         "2023 - Final report", "yr": 2023,
         "lic": "CC BY 4.0 (Commission reuse policy, Decision 2011/833/EU)",
         "cit": "European Commission, Grohol, M. and Veeh, C. (2023), Study on the critical raw "
                "materials for the EU 2023 - Final report, Publications Office of the European "
                "Union, https://doi.org/10.2873/725585.",
         "cav": ["Figures are about 2016-2020 averages; series filled from this study are "
                 "marked as older data and dated 2020.",
                 "Values come from community transcriptions of the report's appendices "
                 "(erikemilsson/EU-Critical-Raw-Materials-CRM-Reports-Datasets, CC BY 4.0; "
                 "meyerdata/CritMAT, MIT).",
                 "Shares published as '<0.1%' are taken as 0.05 %.",
                 "Rows of the results table with shifted columns (coking coal, diatomite, "
                 "magnesite, natural cork, strontium, praseodymium, LREE, molybdenum): import "
                 "reliance, end-of-life recycling input rate and SI_SR are left missing.",
                 "The HREE, LREE and PGM group rows are not loaded; their members are assessed "
                 "one by one."]},
        {"id": "WB_WGI_2024_UPDATE", "short": "World Bank WGI",
         "pub": "World Bank (D. Kaufmann and A. Kraay)",
         "title": "Worldwide Governance Indicators, 2024 update (data through 2023)", "yr": 2024,
         "lic": "CC BY 4.0",
         "cit": "Kaufmann, D. and Kraay, A. (2024), The Worldwide Governance Indicators, 2024 "
                "Update, World Bank, "
                "https://www.worldbank.org/en/publication/worldwide-governance-indicators.",
         "cav": ["The country value is Chokepoint's unweighted mean of the six WGI estimates, "
                 "not a World Bank product.",
                 "Perception-based estimates with standard errors.",
                 "New Caledonia has no WGI series."]},
        {"id": "ISO_3166_COUNTRY_CODES", "short": "ISO 3166",
         "pub": "datasets/country-codes (Open Knowledge)",
         "title": "Country codes (ISO 3166-1 alpha-2, alpha-3, numeric) with CLDR names",
         "yr": 2026, "lic": "ODC Public Domain Dedication and License (PDDL)",
         "cit": "datasets/country-codes, data/country-codes.csv, commit caa72d1e0e5af8876c170bb36a"
                "9e4d64a01bba88, https://github.com/datasets/country-codes.",
         "cav": ["Kosovo (XKX, XK) uses user-assigned codes, not ISO.",
                 "ROW is Chokepoint's pseudo-code for a source's 'Other countries'."]},
        {"id": "EU_CRMA_2024_1252", "short": "EU CRMA",
         "pub": "European Parliament and Council of the European "
         "Union", "title": "Regulation (EU) 2024/1252 (Critical Raw Materials Act), Annexes I "
         "and II", "yr": 2024, "lic": "EU legal text; reuse under Decision 2011/833/EU",
         "cit": "Regulation (EU) 2024/1252 of the European Parliament and of the Council of 11 "
                "April 2024 establishing a framework for ensuring a secure and sustainable supply"
                " of critical raw materials, OJ L, 2024/1252, 3.5.2024, "
                "http://data.europa.eu/eli/reg/2024/1252/oj.",
         "cav": ["Annex I lists strategic and Annex II critical raw materials; group entries "
                 "(heavy and light rare earths, platinum-group metals) are applied to their "
                 "member elements."]},
        {"id": "US_CRITICAL_MINERALS_2025", "short": "U.S. list 2025", "pub": "U.S. Geological "
         "Survey, Department of the Interior", "title": "Final 2025 U.S. List of Critical "
         "Minerals, as flagged in the MCS 2026 data release", "yr": 2026,
         "lic": "Public domain (U.S. Government work)",
         "cit": "U.S. Geological Survey (2026), Mineral Commodity Summaries 2026 Data Release "
                "(ver. 1.3, May 2026), https://doi.org/10.5066/P1WKQ63T, column 'Is critical "
                "mineral 2025' of MCS2026_Commodities_Data.csv.",
         "cav": ["Read per commodity chapter of the file. Materials without a chapter in it "
                 "(thulium, coking coal, phosphorus, hydrogen, aggregates, limestone, wood and "
                 "natural rubber) are shown as not stated, never as not listed.",
                 "Magnet rare earths count as listed because neodymium, praseodymium, "
                 "dysprosium and terbium each are.",
                 "The 2022 list stays available as history."]},
        {"id": "US_CRITICAL_MINERALS_2022", "short": "U.S. list 2022", "pub": "U.S. Geological "
         "Survey, Department of the "
         "Interior", "title": "2022 Final List of Critical Minerals", "yr": 2022,
         "lic": "Public domain (U.S. Government work)",
         "cit": "U.S. Geological Survey (2022), 2022 Final List of Critical Minerals, Federal "
                "Register 87 FR 10381, 24 February 2022.",
         "cav": ["The rare earth elements are listed one by one. Superseded by the final 2025 "
                 "list (US_CRITICAL_MINERALS_2025); kept as history."]},
        {"id": "POLICY_COUNTRY_GROUPS", "short": "Country groups", "pub": "Chokepoint (compiled)",
         "title": "Country groups for policy checks (FEOC covered nations, U.S. FTA partners, "
                  "30D qualifying, MSP, NATO, OECD, EU-27, EU trade sanctions, U.S. embargoes)",
         "yr": group_year,
         "lic": "Facts of law and public membership lists",
         "cit": "Compiled from the sources named on each group: 10 U.S.C. 4872(d)(2), USTR, "
                "U.S. Treasury 30D regulations, U.S. State Department, NATO, OECD, EU; the "
                "sanctions lists from the Council regulations (EU) and the OFAC regulations "
                "(31 CFR) named per member.",
         "cav": ["Memberships change: each group carries the date it is stated as of."]},
    ]


# ---------------------------------------------------------------------------------------------
# Countries
# ---------------------------------------------------------------------------------------------

def build_countries(ref):
    rows = read_csv(ref / "countries.csv")
    gov = {r["country_iso3"]: r for r in read_csv(ref / "governance.csv")}
    countries = {}
    names = {}  # any known spelling -> iso3
    for r in rows:
        code = r["iso3"]
        if not re.fullmatch(r"[A-Z]{3}", code):
            fail(f"countries.csv: bad iso3 `{code}`")
        name = NAME_OVERRIDES.get(code, r["short_name"] or r["name"])
        countries[code] = {"code": code, "iso2": r["iso2"], "name": name, "wgi": None}
        for spelling in [r["name"], r["short_name"], r["usgs_names"], r["iea_names"]]:
            spelling = spelling.strip()
            if spelling:
                if names.get(spelling, code) != code:
                    fail(f"countries.csv: `{spelling}` names both {names[spelling]} and {code}")
                names[spelling] = code
    for code, g in gov.items():
        if code not in countries:
            if code != "XKX":
                fail(f"governance.csv: `{code}` is not in countries.csv")
            countries[code] = {"code": code, "iso2": "XK", "name": "Kosovo", "wgi": None}
        if g["wgi_mean_estimate"]:
            countries[code]["wgi"] = num(g["wgi_mean_estimate"], f"governance.csv {code}")
    names["Kosovo"] = "XKX"
    for spelling, code in EU_COUNTRY_NAMES.items():
        if code not in countries:
            fail(f"EU country crosswalk: {code} unknown")
        names[spelling] = code
    countries["ROW"] = {"code": "ROW", "iso2": "", "name": "Rest of world", "wgi": None}
    return countries, names


# ---------------------------------------------------------------------------------------------
# USGS / IEA series
# ---------------------------------------------------------------------------------------------

def withheld_countries(notes, names, where):
    out = []
    for match in re.finditer(r"Withheld \(W\) in source: ([^.]+)\.", notes):
        for name in re.split(r",\s*|\s+and\s+", match.group(1)):
            name = name.strip()
            if name not in names:
                fail(f"{where}: withheld country `{name}` unknown")
            if names[name] not in out:
                out.append(names[name])
    return out


def sum_caveat(total):
    if total < SUM_LOW or total > SUM_HIGH:
        return (f"{SUM_FLAG} {total:.1f} %, outside 95-105 %; renormalised to 100 % "
                f"for calculations.")
    return None


def build_iea(summary, shares, names):
    """The IEA series of production_shares.csv that are default (`preferred = 1`) or used as
    EXTRA_SERIES. The USGS rows of the file (MCS 2025) are superseded by build_usgs_2026."""
    rows_by_key = {}
    for r in shares:
        key = (r["material_id"], r["stage"], r["stage_detail"], r["source_id"])
        rows_by_key.setdefault(key, []).append(r)
    series = {}  # (catalogue id, stage) -> series dict
    notes_by_material = {}
    for s in summary:
        mid, stage, source = s["material_id"], s["stage"], s["source_id"]
        if mid not in USGS_IEA_IDS:
            fail(f"materials_summary.csv: unknown material id `{mid}`")
        if stage not in ("mining", "refining"):
            fail(f"materials_summary.csv: unknown stage `{stage}` for {mid}")
        if source != IEA_DATASET:
            continue
        key = (mid, stage, s["stage_detail"], source)
        rows = rows_by_key.get(key, [])
        targets = []
        if s["preferred"] == "1":
            targets.append((USGS_IEA_IDS[mid], stage, None))
        targets.extend(EXTRA_SERIES.get((mid, stage, source), []))
        if not targets:
            continue
        if not rows:
            # e.g. germanium (all withheld) and boron (no world total): keep as a note only.
            notes_by_material.setdefault(USGS_IEA_IDS[mid], []).append(
                f"{source} has no usable {stage} shares: {s['notes']}".strip())
            continue
        entries = []
        seen = set()
        for r in rows:
            code = r["country_iso3"]
            if code in seen:
                fail(f"{mid} {stage}: {code} appears twice")
            seen.add(code)
            if code != "ROW" and not re.fullmatch(r"[A-Z]{3}", code):
                fail(f"{mid} {stage}: bad country code `{code}`")
            entries.append([code, num(r["share_pct"], f"{mid} {stage} {code}")])
        entries.sort(key=lambda e: (-e[1], e[0]))
        total = round(sum(e[1] for e in entries), 6)
        for target, tstage, extra in targets:
            cav = []
            if (target, tstage) in SCOPE_CAVEATS:
                cav.append(SCOPE_CAVEATS[(target, tstage)])
            if s["notes"]:
                cav.append(s["notes"])
            if extra:
                cav.append(extra)
            flag = sum_caveat(total)
            if flag:
                cav.append(flag)
            year = int(s["year"])
            if (target, tstage) in series:
                fail(f"two preferred series for {target} {tstage}")
            series[(target, tstage)] = {
                "st": tstage, "det": s["stage_detail"], "ds": source, "yr": year,
                "unit": s["unit"], "old": False, "cav": cav,
                "wh": withheld_countries(s["notes"], names, f"{mid} {stage}"), "sh": entries,
            }
    return series, notes_by_material


# ---------------------------------------------------------------------------------------------
# USGS Mineral Commodity Summaries 2026 data release (2025 estimates, 2024 revised)
# ---------------------------------------------------------------------------------------------

USGS_DATASET = "USGS_MCS2026_WORLD"
MCS2026_CSV = ("raw", "usgs_mcs2026", "MCS2026_Commodities_Data.csv")
MCS2026_ENCODING = "cp1252"  # the data release is Windows-1252 (data/sources/reference/SOURCES.md)
USGS_CURRENT, USGS_PREVIOUS = 2025, 2024

# The USGS series of materials_summary.csv (the MCS 2025 series, by material id and stage) ->
# the same series in the MCS 2026 file: (Commodity, Statistics_detail of the country rows,
# Statistics_detail of the "World total" row). A country row whose detail is the series' detail
# followed by ": <form>" (a country reporting another form, for example Sweden's tellurium
# "concentrate") belongs to the series; the form is named in a caveat. This is the mapping of
# the MCS 2025 TYPE prefixes in the upstream build_dataset.py, spelt as MCS 2026 spells it.
MCS2026_SERIES = {
    ("aluminum", "mining"): ("Bauxite", "Bauxite, mine production",
                             "Bauxite, mine production: rounded"),
    ("aluminum", "refining"): ("Aluminum", "Smelter production", "Smelter production: rounded"),
    ("antimony", "mining"): ("Antimony", "Mine production", "Mine production: rounded"),
    ("arsenic", "refining"): ("Arsenic", "Production (arsenic trioxide, gross weight)",
                              "Production (arsenic trioxide, gross weight): rounded"),
    ("barite", "mining"): ("Barite", "Mine production", "Mine production: rounded"),
    ("beryllium", "mining"): ("Beryllium", "Mine production", "Mine production: rounded"),
    ("bismuth", "refining"): ("Bismuth", "Refinery production", "Refinery production: rounded"),
    ("boron", "mining"): ("Boron", "Production\u2014All forms", "Production\u2014All forms"),
    ("cadmium", "refining"): ("Cadmium", "Refinery production", "Refinery production: rounded"),
    ("chromium", "mining"): ("Chromium", "Mine production", "Mine production: rounded"),
    ("cobalt", "mining"): ("Cobalt", "Mine production", "Mine production: rounded"),
    ("copper", "mining"): ("Copper", "Mine production", "Mine production: rounded"),
    ("copper", "refining"): ("Copper", "Refinery production", "Refinery production: rounded"),
    ("fluorspar", "mining"): ("Fluorspar", "Mine production", "Mine production: rounded"),
    ("gallium", "refining"): ("Gallium", "Primary production", "Primary production: rounded"),
    ("graphite_natural", "mining"): ("Graphite (Natural)", "Mine production",
                                     "Mine production: rounded"),
    ("indium", "refining"): ("Indium", "Refinery production", "Refinery production: rounded"),
    ("iodine", "mining"): ("Iodine", "Mine production", "Mine production: rounded"),
    ("lead", "mining"): ("Lead", "Mine production", "Mine production: rounded"),
    ("lithium", "mining"): ("Lithium", "Mine production", "Mine production: rounded"),
    ("magnesite", "mining"): ("Magnesium Compounds", "Mine production",
                              "Mine production: rounded"),
    ("magnesium", "refining"): ("Magnesium Metal", "Smelter production",
                                "Smelter production: rounded"),
    ("manganese", "mining"): ("Manganese", "Mine production", "Mine production: rounded"),
    ("molybdenum", "mining"): ("Molybdenum", "Mine production", "Mine production: rounded"),
    ("nickel", "mining"): ("Nickel", "Mine production", "Mine production: rounded"),
    ("niobium", "mining"): ("Niobium (Columbium)", "Mine production", "Mine production: rounded"),
    ("palladium", "mining"): ("Palladium", "Mine production: Palladium",
                              "Mine production: Palladium, rounded"),
    ("phosphate_rock", "mining"): ("Phosphate Rock", "Mine production",
                                   "Mine production: rounded"),
    ("platinum", "mining"): ("Platinum", "Mine production: Platinum",
                             "Mine production: Platinum, rounded"),
    ("potash", "mining"): ("Potash", "Mine production", "Mine production: rounded"),
    ("rare_earths", "mining"): ("Rare Earths", "Mine production", "Mine production: rounded"),
    ("rhenium", "mining"): ("Rhenium", "Mine production", "Mine production: rounded"),
    ("selenium", "refining"): ("Selenium", "Refinery production", "Refinery production: rounded"),
    ("silicon", "refining"): ("Silicon", "Silicon metal", "Silicon metal: rounded"),
    ("silver", "mining"): ("Silver", "Mine production", "Mine production: rounded"),
    ("strontium", "mining"): ("Strontium", "Mine production", "Mine production: rounded"),
    ("tantalum", "mining"): ("Tantalum", "Mine production", "Mine production: rounded"),
    ("tellurium", "refining"): ("Tellurium", "Refinery production",
                                "Refinery production: rounded"),
    ("tin", "mining"): ("Tin", "Mine production", "Mine production: rounded"),
    ("titanium", "mining"): ("Titanium Mineral Concentrates", "Mine production: Ilmenite",
                             "Mine production: ilmenite, rounded"),
    ("titanium", "refining"): ("Titanium Sponge Metal", "Titanium sponge metal production",
                               "Titanium sponge metal production: rounded"),
    ("tungsten", "mining"): ("Tungsten", "Mine production", "Mine production: rounded"),
    ("vanadium", "mining"): ("Vanadium", "Mine production", "Mine production: rounded"),
    ("zinc", "mining"): ("Zinc", "Mine production", "Mine production: rounded"),
    ("zirconium", "mining"): (
        "Zirconium",
        "Zirconium mineral concentrates, mine production (thousand metric tons, gross weight)",
        "Zirconium mineral concentrates, mine production (thousand metric tons, gross weight): "
        "rounded"),
}

# USGS series of materials_summary.csv that the MCS 2026 file has no world table for: the
# reason, in words (checked by the build: the commodity has no world production rows).
MCS2026_ABSENT = {
    ("germanium", "refining"): ("Germanium", "MCS 2026 has no world production table for "
                                "germanium; in MCS 2025 every country figure was withheld."),
}

# Words only: notes that hold for an MCS 2026 series (checked against the file when written).
MCS2026_NOTES = {
    ("zirconium", "mining"): "Hafnium has no separate world production table in MCS 2026.",
    ("boron", "mining"): "Countries report different product forms (crude ore, ulexite, refined "
                         "borates, boric oxide); shares would only be indicative.",
}

# The MCS 2026 value codes (metadata: XX, W, s, NA, E, and the dash for zero).
MCS_CODES = {"W": "withheld", "NA": "not available", "s": "small, not quantified",
             "XX": "world total not calculable", "E": "net exporter"}


def mcs_value(text, where):
    """(number or None, code or None) of an MCS 2026 Value cell; the dash is zero."""
    t = text.replace("\u00a0", " ").strip()
    if t in ("\u2014", "\u2013", "-"):
        return 0.0, None
    if t in MCS_CODES:
        return None, t
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?", t):
        return float(t.replace(",", "")), None
    fail(f"{where}: value `{text}` is neither a number nor an MCS code")


def mcs_note(text):
    """An MCS 2026 note without the bare "Estimated." flag (every 2025 figure is an estimate)."""
    parts = [p.strip() for p in text.replace("\u00a0", " ").split(" -- ")]
    return " ".join(p for p in parts if p and p not in ("Estimated.", "Reported."))


def read_mcs2026(ref):
    """World production rows of the MCS 2026 file, by (Commodity, year) in file order, and the
    'Is critical mineral 2025' flags by Commodity."""
    path = ref.joinpath(*MCS2026_CSV)
    with open(path, encoding=MCS2026_ENCODING, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or "Is critical mineral 2025" not in rows[0]:
        fail(f"{path}: not the MCS 2026 commodities file (no 'Is critical mineral 2025' column)")
    world = {}
    flags = {}
    for i, r in enumerate(rows, start=2):
        flag = r["Is critical mineral 2025"].strip()
        if flag in ("Yes", "No"):
            seen = flags.setdefault(r["Commodity"].strip(), flag)
            if seen != flag:
                fail(f"{path.name} line {i}: {r['Commodity']} flagged both Yes and No")
        if r["Section"].startswith("World") and r["Statistics"].strip() == "Production":
            world.setdefault((r["Commodity"].strip(), r["Year"].strip()), []).append((i, r))
    return world, flags


def mcs_country(name, names, where):
    """ISO3 (or ROW) of an MCS 2026 country name; qualifiers such as "Brazil (beneficiated)"
    resolve to their country."""
    name = name.replace("\u00a0", " ").strip()
    if name.lower() == "other countries":
        return "ROW"
    if name in names:
        return names[name]
    m = re.fullmatch(r"(.*?)\s*\((.*)\)", name)
    if m and m.group(1) in names:
        return names[m.group(1)]
    fail(f"{where}: unknown country `{name}` (add its spelling to countries.csv usgs_names)")


def exact(value):
    """A quantity as published: whole numbers without a fractional part."""
    return int(value) if value == int(value) else value


def mcs_series(world, key, year, names):
    """One MCS 2026 series and year: (entries [[code, quantity]], withheld codes, caveats, unit,
    world total). The published share of a country is quantity / world total; the quantities
    are kept as published so that the share is exactly the published one. Entries and withheld
    are None when the world total is not a number."""
    commodity, detail, total_detail = MCS2026_SERIES[key]
    where = f"MCS 2026 {commodity} {year}"
    rows = world.get((commodity, str(year)), [])
    countries, totals = [], []
    for line, r in rows:
        d = r["Statistics_detail"].replace("\u00a0", " ").strip()
        country = r["Country"].replace("\u00a0", " ").strip()
        if country == "World total":
            if d == total_detail:
                totals.append(r)
        elif d == detail or (d.startswith(detail + ": ") and "rounded" not in d):
            countries.append((line, r, d[len(detail) + 2:] if d != detail else ""))
    if len(totals) != 1:
        fail(f"{where}: {len(totals)} world-total rows `{total_detail}`")
    if not countries:
        fail(f"{where}: no country rows `{detail}`")
    units = {r["Unit"].strip() for _, r, _ in countries} | {totals[0]["Unit"].strip()}
    if len(units) != 1:
        fail(f"{where}: mixed units {sorted(units)}")
    total, code = mcs_value(totals[0]["Value"], f"{where} world total")
    cav = []
    note = mcs_note(totals[0]["Notes"])
    if note:
        cav.append(f"USGS note on the world total: {note}")
    if total is None or total <= 0:
        why = MCS_CODES.get(code, "zero")
        return None, None, cav + [f"USGS publishes no {year} world total ({why})."], \
            units.pop(), None
    entries, withheld, missing, forms, seen = [], [], [], [], set()
    for line, r, form in countries:
        code3 = mcs_country(r["Country"], names, f"{where} line {line}")
        if code3 in seen:
            fail(f"{where} line {line}: {code3} appears twice")
        seen.add(code3)
        value, flag = mcs_value(r["Value"], f"{where} line {line}")
        if value is None:
            withheld.append(code3)
            missing.append((r["Country"].strip(), flag))
        elif value > 0:
            if value > total:
                fail(f"{where} line {line}: {code3} {value} exceeds the world total {total}")
            entries.append([code3, exact(value)])
        if form and (value is None or value > 0):
            forms.append(f"{r['Country'].strip()} ({form})")
    if "ROW" not in seen:
        cav.append("USGS lists no 'Other countries' row for this series: the countries listed "
                   "need not add up to the world total.")
    if forms:
        cav.append("Reported in another form, as USGS lists it: " + ", ".join(forms) + ".")
    if missing:
        cav.append(f"No {year} figure for " + ", ".join(f"{name} ({MCS_CODES[flag]})"
                                                         for name, flag in missing)
                   + ": shown as missing, never as zero.")
    entries.sort(key=lambda e: (-e[1], e[0]))
    return entries, withheld, cav, units.pop(), total


def build_usgs_2026(world, names, summary):
    """The USGS series of materials_summary.csv rebuilt from MCS 2026 (`world`, from
    read_mcs2026): {(catalogue id, stage): series} with the 2025 figures as the series and the
    2024 figures as `prev`, and notes for the series without usable shares."""
    out, notes = {}, {}
    for s in summary:
        if not s["source_id"].startswith("USGS") or s["preferred"] != "1":
            continue
        key = (s["material_id"], s["stage"])
        target = (USGS_IEA_IDS[key[0]], key[1])
        if key in MCS2026_ABSENT:
            commodity, why = MCS2026_ABSENT[key]
            if any(c == commodity for c, _ in world):
                fail(f"MCS 2026 has world rows for {commodity}: remove it from MCS2026_ABSENT")
            notes.setdefault(target[0], []).append(f"{USGS_DATASET} has no usable {key[1]} "
                                                   f"shares: {why}")
            continue
        if key not in MCS2026_SERIES:
            fail(f"materials_summary.csv USGS series {key} has no MCS 2026 mapping "
                 "(MCS2026_SERIES) or stated absence (MCS2026_ABSENT)")
        cur, cur_wh, cur_cav, unit, cur_total = mcs_series(world, key, USGS_CURRENT, names)
        prev, prev_wh, prev_cav, _, prev_total = mcs_series(world, key, USGS_PREVIOUS, names)
        if cur is None:
            extra = [MCS2026_NOTES[key]] if key in MCS2026_NOTES else []
            notes.setdefault(target[0], []).append(
                f"{USGS_DATASET} has no usable {key[1]} shares: " + " ".join(cur_cav + extra))
            continue
        cav = []
        if target in SCOPE_CAVEATS:
            cav.append(SCOPE_CAVEATS[target])
        if key in MCS2026_NOTES:
            cav.append(MCS2026_NOTES[key])
        cav.extend(cur_cav)
        flag = sum_caveat(round(sum(100.0 * q / cur_total for _, q in cur), 6))
        if flag:
            cav.append(flag)
        series = {"st": key[1], "det": s["stage_detail"], "ds": USGS_DATASET, "yr": USGS_CURRENT,
                  "unit": unit, "old": False, "cav": cav, "wh": cur_wh, "tot": exact(cur_total),
                  "sh": cur}
        if prev is not None:
            # Lean: the previous vintage carries only what differs from the current one's notes
            # (its withheld countries are in `wh`) and its sum flag.
            pcav = [c for c in prev_cav if c not in cur_cav and not c.startswith("No 2024 figure")]
            flag = sum_caveat(round(sum(100.0 * q / prev_total for _, q in prev), 6))
            if flag:
                pcav.append(flag)
            series["prev"] = {"ds": USGS_DATASET, "yr": USGS_PREVIOUS, "cav": pcav,
                              "wh": prev_wh, "tot": exact(prev_total), "sh": prev}
        if target in out:
            fail(f"two USGS series for {target}")
        out[target] = series
    return out, notes


# ---------------------------------------------------------------------------------------------
# IEA base-case projections (raw IEA file, mining and refining by country)
# ---------------------------------------------------------------------------------------------

IEA_DATASET = "IEA_CM_DATASET_2025"
IEA_JSON = ("raw", "iea", "iea_cm_data_explorer_derived.json")
IEA_YEARS = ["2024", "2030", "2035", "2040"]
# IEA mineral -> the production_shares.csv material id per stage (its stage_detail names the
# series).
IEA_MINERALS = {
    "Copper": {"mining": "copper", "refining": "copper"},
    "Cobalt": {"mining": "cobalt", "refining": "cobalt"},
    "Lithium": {"mining": "lithium", "refining": "lithium"},
    "Nickel": {"mining": "nickel", "refining": "nickel"},
    "Graphite": {"mining": "graphite_natural", "refining": "graphite_refined"},
    "Rare Earth Elements": {"mining": "rare_earths_magnet", "refining": "rare_earths_magnet"},
}
# Default series measured by another source whose scope the IEA series matches, so that the
# IEA projection applies to them. rare_earths mining (USGS rare-earth oxide, all rare earths) is
# not here: the IEA series covers the magnet rare earths only.
PROJECTION_SAME_SCOPE = {("copper", "mining"), ("copper", "refining"), ("cobalt", "mining"),
                         ("lithium", "mining"), ("nickel", "mining"), ("graphite", "mining")}


def build_iea_projections(ref, names, summary, production):
    """{(production material id, stage): projection} from the raw IEA file: per year the country
    shares of the IEA total (the residual "Rest of world" recomputed as total minus the listed
    countries, as production_shares.csv does), base year first."""
    with open(ref.joinpath(*IEA_JSON), encoding="utf-8") as handle:
        supply = json.load(handle)["supply"]
    details = {(s["material_id"], s["stage"]): s["stage_detail"] for s in summary
               if s["source_id"] == IEA_DATASET}
    base = {}
    for r in production:
        if r["source_id"] == IEA_DATASET:
            base[(r["material_id"], r["stage"], r["country_iso3"])] = num(
                r["share_pct"], "production_shares.csv IEA share")
    out = {}
    for mineral, stages in IEA_MINERALS.items():
        for stage, mid in stages.items():
            block = supply[mineral][stage]
            where = f"IEA {mineral} {stage}"
            pts = []
            for year in IEA_YEARS:
                total = num(str(block["total"][year]), f"{where} {year} total")
                listed, entries = 0.0, []
                for country, values in block["countries"].items():
                    value = values.get(year)
                    if country == "Rest of world" or value is None:
                        continue  # the residual is recomputed; None marks a note row
                    if country not in names:
                        fail(f"{where}: unknown country `{country}`")
                    value = num(str(value), f"{where} {country} {year}")
                    listed += value
                    entries.append([names[country], round(100.0 * value / total, 2)])
                entries.append(["ROW", round(100.0 * (total - listed) / total, 2)])
                entries.sort(key=lambda e: (-e[1], e[0]))
                if year == IEA_YEARS[0]:
                    for code, pct in entries:
                        published = base.get((mid, stage, code))
                        if published is None or abs(published - pct) > 0.005 + 1e-9:
                            fail(f"{where} 2024: {code} {pct} differs from production_shares.csv "
                                 f"({published})")
                pts.append([int(year), entries])
            out[(mid, stage)] = {"ds": IEA_DATASET, "det": details[(mid, stage)], "pts": pts}
    return out


# ---------------------------------------------------------------------------------------------
# Final 2025 U.S. critical minerals list, from MCS 2026's column "Is critical mineral 2025"
# ---------------------------------------------------------------------------------------------

# Catalogue id -> the MCS 2026 Commodity whose flag it takes (several: all must be "Yes").
# Ids not here have no chapter in the file and are "not stated" (null), never "no".
US2025_COMMODITIES = {
    "aluminium": ["Aluminum"], "antimony": ["Antimony"], "arsenic": ["Arsenic"],
    "barite": ["Barite"], "bentonite": ["Clays"], "beryllium": ["Beryllium"],
    "bismuth": ["Bismuth"], "boron": ["Boron"], "cadmium": ["Cadmium"], "cerium": ["Cerium"],
    "chromium": ["Chromium"], "cobalt": ["Cobalt"], "copper": ["Copper"],
    "diatomite": ["Diatomite"], "dysprosium": ["Dysprosium"], "erbium": ["Erbium"],
    "europium": ["Europium"], "feldspar": ["Feldspar"], "fluorspar": ["Fluorspar"],
    "gadolinium": ["Gadolinium"], "gallium": ["Gallium"], "germanium": ["Germanium"],
    "gold": ["Gold"], "graphite": ["Graphite (Natural)"], "gypsum": ["Gypsum"],
    "hafnium": ["Hafnium"], "helium": ["Helium"], "holmium": ["Holmium"], "indium": ["Indium"],
    "iodine": ["Iodine"], "iridium": ["Iridium"], "iron_ore": ["Iron Ore"], "kaolin": ["Clays"],
    "krypton": ["Krypton"], "lanthanum": ["Lanthanum"], "lead": ["Lead"],
    "lithium": ["Lithium"], "lutetium": ["Lutetium"], "magnesite": ["Magnesium Compounds"],
    "magnesium": ["Magnesium Metal"], "manganese": ["Manganese"],
    "molybdenum": ["Molybdenum"], "neodymium": ["Neodymium"], "neon": ["Neon"],
    "nickel": ["Nickel"], "niobium": ["Niobium (Columbium)"], "palladium": ["Palladium"],
    "perlite": ["Perlite"], "phosphate_rock": ["Phosphate Rock"], "platinum": ["Platinum"],
    "potash": ["Potash"], "praseodymium": ["Praseodymium"], "rare_earths": ["Rare Earths"],
    "rare_earths_magnet": ["Neodymium", "Praseodymium", "Dysprosium", "Terbium"],
    "rhenium": ["Rhenium"], "rhodium": ["Rhodium"], "ruthenium": ["Ruthenium"],
    "samarium": ["Samarium"], "scandium": ["Scandium"], "selenium": ["Selenium"],
    "silica_sand": ["Sand And Gravel (Industrial)"], "silicon": ["Silicon"],
    "silver": ["Silver"], "strontium": ["Strontium"], "sulphur": ["Sulfur"],
    "talc": ["Talc And Pyrophyllite"], "tantalum": ["Tantalum"], "tellurium": ["Tellurium"],
    "terbium": ["Terbium"], "tin": ["Tin"], "titanium": ["Titanium Sponge Metal"],
    "titanium_minerals": ["Titanium Mineral Concentrates"], "tungsten": ["Tungsten"],
    "vanadium": ["Vanadium"], "xenon": ["Xenon"], "ytterbium": ["Ytterbium"],
    "yttrium": ["Yttrium"], "zinc": ["Zinc"], "zirconium": ["Zirconium"],
}


def us_list_2025(flags):
    """{catalogue id: 1, 0} for the ids US2025_COMMODITIES maps, from the MCS 2026 flags by
    Commodity (read_mcs2026); the others are not stated."""
    out = {}
    for mid, commodities in US2025_COMMODITIES.items():
        if mid not in CATALOGUE:
            fail(f"US2025_COMMODITIES: unknown catalogue id `{mid}`")
        values = []
        for c in commodities:
            if c not in flags:
                fail(f"US2025_COMMODITIES: no 'Is critical mineral 2025' flag for `{c}`")
            values.append(flags[c] == "Yes")
        out[mid] = int(all(values))
    return out


# ---------------------------------------------------------------------------------------------
# EU 2023
# ---------------------------------------------------------------------------------------------

def eu_percent(text, where):
    text = text.strip()
    if text == "<0.1%":
        return LT_CONVENTION, "lt"
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(%?)", text)
    if not m:
        fail(f"{where}: share `{text}` is not a percentage")
    # A bare number (one cell of the EU sourcing file lacks its % sign) is read as a percentage
    # and reported in a caveat.
    return float(m.group(1)), ("" if m.group(2) else "bare")


def eu_ids(name, where):
    if name not in EU_NAMES:
        fail(f"{where}: unknown EU material name `{name}` (add it to EU_NAMES)")
    return EU_NAMES[name]


def read_eu_shares(path, names, label):
    """{(id, 'E'|'P'): [[iso3, pct, t], ...]}, the number of '<0.1%' entries per key, and the
    countries whose share lacked its % sign per key."""
    out, lt, bare = {}, {}, {}
    for i, r in enumerate(read_csv(path), start=2):
        where = f"{label} line {i}"
        ids = eu_ids(r["Material"].strip(), where)
        if ids is None:
            continue
        stage = r["Stage"].strip()
        if stage not in ("E", "P"):
            fail(f"{where}: unknown stage `{stage}`")
        country = r["Country"].strip()
        if country not in names:
            fail(f"{where}: unknown country name `{country}` (add it to EU_COUNTRY_NAMES)")
        code = names[country]
        pct, kind = eu_percent(r["Share"], where)
        t = num(r["t"], f"{where} t")
        for mid in ids:
            key = (mid, stage)
            rows = out.setdefault(key, [])
            if any(e[0] == code for e in rows):
                fail(f"{where}: {code} appears twice in {mid} {stage}")
            rows.append([code, pct, t])
            lt[key] = lt.get(key, 0) + (1 if kind == "lt" else 0)
            if kind == "bare":
                bare.setdefault(key, []).append(code)
    for rows in out.values():
        rows.sort(key=lambda e: (-e[1], e[0]))
    return out, lt, bare


def opt_num(text, where):
    text = text.strip()
    return None if text == "" else num(text, where)


def build_eu_results(eu):
    out = {}
    for i, r in enumerate(read_csv(eu / "eu2023_results.csv"), start=2):
        name = r["material_name"].strip()
        ids = eu_ids(name, f"eu2023_results.csv line {i}")
        if ids is None:
            continue
        where = f"eu2023_results.csv {name}"
        bottleneck = {"Extraction": "mining", "Processing": "refining", "": None}
        if r["eu_used_stage"] not in bottleneck:
            fail(f"{where}: unknown bottleneck `{r['eu_used_stage']}`")
        cav = []
        res = {"sr": opt_num(r["supply_risk"], where), "ei": opt_num(r["economic_importance"],
               where), "bn": bottleneck[r["eu_used_stage"]]}
        if name in EU_RESULTS_UNRELIABLE:
            res.update({"ir": [], "eol": None, "si": None})
            cav.append("The EU 2023 results row for this material has shifted columns in its "
                       "transcription: import reliance, end-of-life recycling input rate and "
                       "SI_SR are left missing.")
        else:
            ir = []
            for col, stage in (("import_reliance_primary", "mining"),
                               ("import_reliance_refined", "refining")):
                value = opt_num(r[col], where)
                if value is not None:
                    ir.append([stage, value])
            res.update({"ir": ir, "eol": opt_num(r["end_of_life"], where),
                        "si": opt_num(r["si_sr"], where)})
        if name in EU_RESULTS_UNCERTAIN_SR:
            cav.append(EU_RESULTS_UNCERTAIN_SR[name])
        res["cav"] = cav
        for mid in ids:
            if mid in out:
                fail(f"{where}: second results row for {mid}")
            out[mid] = res
    return out


# ---------------------------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------------------------

def lt_caveat(count):
    return (f"{count} share(s) published as '<0.1%' are taken as 0.05 % each "
            f"(Chokepoint convention).")


def build(sources):
    ref, eu, policy = sources / "reference", sources / "eu-crm", sources / "policy"
    countries, names = build_countries(ref)
    summary = read_csv(ref / "materials_summary.csv")
    production = read_csv(ref / "production_shares.csv")
    world, us_flags = read_mcs2026(ref)
    series, notes = build_iea(summary, production, names)
    usgs, usgs_notes = build_usgs_2026(world, names, summary)
    for key, value in usgs.items():
        if key in series:
            fail(f"two default series for {key}")
        series[key] = value
    for mid, texts in usgs_notes.items():
        notes.setdefault(mid, []).extend(texts)
    projections = build_iea_projections(ref, names, summary, production)
    for (mid, stage), proj in projections.items():
        targets = [(USGS_IEA_IDS[mid], stage, None)]
        targets.extend(EXTRA_SERIES.get((mid, stage, IEA_DATASET), []))
        for target, tstage in sorted(set((t, ts) for t, ts, _ in targets)):
            s = series.get((target, tstage))
            if s is None:
                continue
            if s["ds"] == IEA_DATASET or (target, tstage) in PROJECTION_SAME_SCOPE:
                if "proj" in s:
                    fail(f"two projections for {target} {tstage}")
                s["proj"] = proj
    us2025 = us_list_2025(us_flags)
    gs, gs_lt, gs_bare = read_eu_shares(eu / "eu2023_global_supply_shares.csv", names,
                               "eu2023_global_supply_shares.csv")
    es, _, es_bare = read_eu_shares(eu / "eu2023_eu_sourcing_shares.csv", names,
                           "eu2023_eu_sourcing_shares.csv")
    results = build_eu_results(eu)

    ids = set(mid for mid, _ in series) | set(mid for mid, _ in gs) | set(results)
    ids |= set(mid for mid, _ in es)
    unknown = sorted(ids - set(CATALOGUE))
    if unknown:
        fail(f"material ids missing from CATALOGUE: {unknown}")

    materials = []
    for mid in sorted(ids):
        name, symbols, eu_c, eu_s, us_c = CATALOGUE[mid]
        stages = []
        for stage, letter in (("mining", "E"), ("refining", "P")):
            if (mid, stage) in series:
                s = series[(mid, stage)]
                stages.append(s)
            elif (mid, letter) in gs:
                rows = gs[(mid, letter)]
                entries = [[c, p] for c, p, _ in rows]
                total = round(sum(p for _, p in entries), 6)
                cav = ["EU 2023 study figures (about 2016-2020 averages): no 2024 or 2025 "
                       "source has this stage."]
                if (mid, stage) in SCOPE_CAVEATS:
                    cav.append(SCOPE_CAVEATS[(mid, stage)])
                if gs_lt.get((mid, letter)):
                    cav.append(lt_caveat(gs_lt[(mid, letter)]))
                flag = sum_caveat(total)
                if flag:
                    cav.append(flag)
                cav.extend(n for n in notes.get(mid, []) if stage in n)
                label = "extraction" if letter == "E" else "processing"
                stages.append({
                    "st": stage, "det": f"Global supply, {label} stage (EU 2023 study)",
                    "ds": EU_DATASET, "yr": EU_DATA_YEAR, "unit": "percent of global supply",
                    "old": True, "cav": cav, "wh": [], "sh": entries})
        m = {"id": mid, "name": name, "sym": symbols,
             "lists": [int(eu_c), int(eu_s), int(us_c), us2025.get(mid)], "stages": stages}
        if mid in results or any((mid, x) in gs or (mid, x) in es for x in "EP"):
            r = results.get(mid, {"sr": None, "ei": None, "bn": None, "ir": [], "eol": None,
                                  "si": None, "cav": ["No EU 2023 results row for this "
                                                      "material."]})
            e = dict(r)
            e["cav"] = list(r["cav"])
            for key, what in ((x, "global supply") for x in "EP"):
                if (mid, key) in gs_bare:
                    e["cav"].append(f"EU 2023 {what} ({key}): the share of "
                                    f"{', '.join(gs_bare[(mid, key)])} is published without a "
                                    f"% sign and read as a percentage.")
            for key in "EP":
                if (mid, key) in es_bare:
                    e["cav"].append(f"EU 2023 EU sourcing ({key}): the share of "
                                    f"{', '.join(es_bare[(mid, key)])} is published without a "
                                    f"% sign and read as a percentage.")
            # Compact rows: [iso3, percent] when t is the default 1.0, else [iso3, percent, t].
            def rows(table, x):
                return [r if r[2] != 1.0 else r[:2] for r in table[(mid, x)]]
            e["gs"] = [[st, rows(gs, x)] for st, x in (("mining", "E"), ("refining", "P"))
                       if (mid, x) in gs]
            e["es"] = [[st, rows(es, x)] for st, x in (("mining", "E"), ("refining", "P"))
                       if (mid, x) in es]
            m["eu"] = e
        materials.append(m)

    groups = {}
    # The country groups of the policy research, then the sanctions lists (the project's own
    # table, data/sources/sanctions/), read alike.
    group_rows = [("country_groups.csv", i, r) for i, r in
                  enumerate(read_csv(policy / "country_groups.csv"), start=2)]
    group_rows += [("sanctions.csv", i, r) for i, r in
                   enumerate(read_csv(policy.parent / "sanctions" / "sanctions.csv"), start=2)]
    for name, i, r in group_rows:
        gid, code = r["group"].strip(), r["iso3"].strip()
        if code not in countries:
            fail(f"{name} line {i}: unknown code `{code}`")
        g = groups.setdefault(gid, {"id": gid, "as_of": r["as_of"].strip() or None,
                                    "srcs": [], "m": []})
        if g["as_of"] != (r["as_of"].strip() or None):
            fail(f"{name} line {i}: {gid} has two as-of dates")
        if code in g["m"]:
            fail(f"{name} line {i}: {code} twice in {gid}")
        g["m"].append(code)
        g["srcs"].append((code, r["source"].strip()))
    group_names = {"feoc_covered_nations": "U.S. covered nations (FEOC)",
                   "us_fta": "U.S. free trade agreement partners",
                   "us_30d_qualifying": "Additional 30D critical-mineral partners",
                   "msp_partners": "Minerals Security Partnership partners", "nato": "NATO",
                   "oecd": "OECD", "eu27": "EU-27",
                   "eu_sanctions": "EU trade sanctions (restrictive measures)",
                   "us_embargo": "U.S. comprehensive embargoes (OFAC)"}
    out_groups = []
    for gid in sorted(groups):
        if gid not in group_names:
            fail(f"country_groups.csv: no display name for group `{gid}`")
        g = groups[gid]
        # The group's source is the one most rows give; rows with their own wording (for
        # example a joining date) are added as member notes.
        counts = {}
        for _, src in g["srcs"]:
            counts[src] = counts.get(src, 0) + 1
        main_src = sorted(counts, key=lambda x: (-counts[x], x))[0]
        extra = [f"{c}: {src}" for c, src in sorted(g["srcs"]) if src != main_src]
        if len(g["srcs"]) > 1 and counts[main_src] == 1:
            # Each member has its own source (a sanctions list: one legal act per country).
            main_src = "; ".join(f"{c}: {src}" for c, src in sorted(g["srcs"]))
        elif extra:
            main_src += ". Member notes: " + "; ".join(extra)
        out_groups.append({"id": gid, "name": group_names[gid], "as_of": g["as_of"],
                           "src": main_src, "m": sorted(g["m"])})
    group_year = max(int(g["as_of"][:4]) for g in out_groups if g["as_of"])

    used = set()
    for m in materials:
        for s in m["stages"]:
            used.update(c for c, _ in s["sh"])
            used.update(s["wh"])
            if "prev" in s:
                used.update(c for c, _ in s["prev"]["sh"])
                used.update(s["prev"]["wh"])
            for _, entries in s.get("proj", {}).get("pts", []):
                used.update(c for c, _ in entries)
    missing = sorted(used - set(countries))
    if missing:
        fail(f"country codes without a country: {missing}")

    return {
        "v": FORMAT_VERSION,
        "datasets": datasets(group_year),
        "countries": [[c["code"], c["iso2"], c["name"], c["wgi"]]
                      for c in sorted(countries.values(), key=lambda c: c["code"])],
        "groups": out_groups,
        "materials": materials,
    }


def split_vintages(data):
    """Moves every stage's `prev` and `proj` out of `data` into the vintages document:
    {"v", "series": [{"m": material id, "st": stage, "prev"?, "proj"?}]}."""
    series = []
    for m in data["materials"]:
        for s in m["stages"]:
            entry = {"m": m["id"], "st": s["st"]}
            for key in ("prev", "proj"):
                if key in s:
                    entry[key] = s.pop(key)
            if len(entry) > 2:
                series.append(entry)
    return {"v": FORMAT_VERSION, "series": series}


def render(data):
    """Compact JSON with one list entry (data set, country, group, material) per line, so that
    a refresh shows up as a readable diff."""
    def dump(value):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    parts = []
    for key, value in data.items():
        if isinstance(value, list):
            body = ",\n".join(dump(item) for item in value)
            parts.append(f"{dump(key)}:[\n{body}\n]")
        else:
            parts.append(f"{dump(key)}:{dump(value)}")
    return "{" + ",\n".join(parts) + "}\n"


def write_or_check(out, text, script, check):
    """Writes `text` to `out`, or with `check` only compares them: exit status 1 when stale.

    Shared by every script under scripts/data, so that the test command's `--check` means the same
    thing for each generated file."""
    out = Path(out)
    size = len(text.encode("utf-8"))
    if check:
        current = out.read_text(encoding="utf-8") if out.exists() else None
        if current != text:
            print(f"{out} is stale: run python3 scripts/data/{script}", file=sys.stderr)
            return 1
        print(f"{out} is up to date ({size} bytes)")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"wrote {out} ({size} bytes)")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=DEFAULT_SOURCES,
                        help="the source data directory (default: data/sources)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output file")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the output file differs from a fresh build")
    args = parser.parse_args(argv)
    data = build(args.sources)
    vintages = split_vintages(data)
    status = write_or_check(args.out, render(data), "build_reference.py", args.check)
    return write_or_check(args.out.with_name(VINTAGES_NAME), render(vintages),
                          "build_reference.py", args.check) or status


if __name__ == "__main__":
    sys.exit(main())
