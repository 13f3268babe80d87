#!/usr/bin/env python3
"""Build Chokepoint's embedded reference data set, data/reference.json.

Reads the cited source files vendored in data/sources (see data/sources/SOURCES.md) and writes
one compact JSON file that src/reference/embedded.rs compiles into the binary. Python 3 standard
library only. The output is deterministic: running the script twice gives byte-identical files.

    python3 scripts/data/build_reference.py            # (re)write data/reference.json
    python3 scripts/data/build_reference.py --check    # exit 1 if data/reference.json is stale
    python3 scripts/data/build_reference.py --sources DIR --out FILE

Rules (also in docs/DATA.md and in the Rust module documentation):

* Newest source wins per material and stage: the USGS MCS 2025 / IEA 2025 series marked
  `preferred = 1` in production_shares.csv (data year 2024). Where they have no series for a stage,
  the stage is filled from the EU 2023 study's global supply shares (E -> mining,
  P -> refining) and flagged `older_data`.
* Every number is copied, never typed in: shares are kept in percent as published; the EU's
  "<0.1%" is taken as 0.05 % (documented convention, stated in the series caveats).
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

FORMAT_VERSION = 1
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCES = ROOT / "data" / "sources"
DEFAULT_OUT = ROOT / "data" / "reference.json"

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
        {"id": "USGS_MCS2025_WORLD", "pub": "U.S. Geological Survey, National Minerals "
         "Information Center", "title": "Mineral Commodity Summaries 2025 Data Release "
         "(ver. 2.0, April 2025)", "yr": 2025,
         "lic": "Public domain (U.S. Government work); attribution requested",
         "cit": "U.S. Geological Survey (2025), Mineral Commodity Summaries 2025 Data Release "
                "(ver. 2.0, April 2025), https://doi.org/10.5066/P13XCP3R; companion "
                "publication: Mineral Commodity Summaries 2025, "
                "https://doi.org/10.3133/mcs2025.",
         "cav": ["2024 figures are USGS estimates.",
                 "USGS world totals are rounded, so the shares of one series sum to 98-104.5 %; "
                 "they are renormalised and the published sum is kept.",
                 "Figures withheld to protect company data (W) are shown as withheld, never "
                 "as zero; germanium is withheld throughout.",
                 "China's rare-earth figure is its production quota."]},
        {"id": "IEA_CM_DATASET_2025", "pub": "International Energy Agency",
         "title": "Critical Minerals Dataset / Data Explorer, 2025 edition (base year 2024)",
         "yr": 2025, "lic": "CC BY 4.0",
         "cit": "IEA (2025), Critical Minerals Data Explorer / Critical Minerals Dataset, "
                "https://www.iea.org/data-and-statistics/data-product/critical-minerals-dataset,"
                " Licence: CC BY 4.0.",
         "cav": ["Values come from a mechanical JSON export of the IEA workbook (secondary "
                 "source); internal top-3 shares were checked against the file.",
                 "IEA rare earths are the magnet rare earths (Nd, Pr, Dy, Tb) only.",
                 "IEA refined graphite covers battery-grade natural and synthetic graphite."]},
        {"id": EU_DATASET, "pub": "European Commission, DG Internal Market, Industry, "
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
        {"id": "WB_WGI_2024_UPDATE", "pub": "World Bank (D. Kaufmann and A. Kraay)",
         "title": "Worldwide Governance Indicators, 2024 update (data through 2023)", "yr": 2024,
         "lic": "CC BY 4.0",
         "cit": "Kaufmann, D. and Kraay, A. (2024), The Worldwide Governance Indicators, 2024 "
                "Update, World Bank, "
                "https://www.worldbank.org/en/publication/worldwide-governance-indicators.",
         "cav": ["The country value is Chokepoint's unweighted mean of the six WGI estimates, "
                 "not a World Bank product.",
                 "Perception-based estimates with standard errors.",
                 "New Caledonia has no WGI series."]},
        {"id": "ISO_3166_COUNTRY_CODES", "pub": "datasets/country-codes (Open Knowledge)",
         "title": "Country codes (ISO 3166-1 alpha-2, alpha-3, numeric) with CLDR names",
         "yr": 2026, "lic": "ODC Public Domain Dedication and License (PDDL)",
         "cit": "datasets/country-codes, data/country-codes.csv, commit caa72d1e0e5af8876c170bb36a"
                "9e4d64a01bba88, https://github.com/datasets/country-codes.",
         "cav": ["Kosovo (XKX, XK) uses user-assigned codes, not ISO.",
                 "ROW is Chokepoint's pseudo-code for a source's 'Other countries'."]},
        {"id": "EU_CRMA_2024_1252", "pub": "European Parliament and Council of the European "
         "Union", "title": "Regulation (EU) 2024/1252 (Critical Raw Materials Act), Annexes I "
         "and II", "yr": 2024, "lic": "EU legal text; reuse under Decision 2011/833/EU",
         "cit": "Regulation (EU) 2024/1252 of the European Parliament and of the Council of 11 "
                "April 2024 establishing a framework for ensuring a secure and sustainable supply"
                " of critical raw materials, OJ L, 2024/1252, 3.5.2024, "
                "http://data.europa.eu/eli/reg/2024/1252/oj.",
         "cav": ["Annex I lists strategic and Annex II critical raw materials; group entries "
                 "(heavy and light rare earths, platinum-group metals) are applied to their "
                 "member elements."]},
        {"id": "US_CRITICAL_MINERALS_2022", "pub": "U.S. Geological Survey, Department of the "
         "Interior", "title": "2022 Final List of Critical Minerals", "yr": 2022,
         "lic": "Public domain (U.S. Government work)",
         "cit": "U.S. Geological Survey (2022), 2022 Final List of Critical Minerals, Federal "
                "Register 87 FR 10381, 24 February 2022.",
         "cav": ["The rare earth elements are listed one by one; later list revisions are not "
                 "reflected."]},
        {"id": "POLICY_COUNTRY_GROUPS", "pub": "Chokepoint (compiled)",
         "title": "Country groups for policy checks (FEOC covered nations, U.S. FTA partners, "
                  "30D qualifying, MSP, NATO, OECD, EU-27)", "yr": group_year,
         "lic": "Facts of law and public membership lists",
         "cit": "Compiled from the sources named on each group: 10 U.S.C. 4872(d)(2), USTR, "
                "U.S. Treasury 30D regulations, U.S. State Department, NATO, OECD, EU.",
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


def build_usgs_iea(ref, names):
    summary = read_csv(ref / "materials_summary.csv")
    shares = read_csv(ref / "production_shares.csv")
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
                f"{source} has no usable {stage} shares for 2024: {s['notes']}".strip())
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
    series, notes = build_usgs_iea(ref, names)
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
                cav = ["EU 2023 study figures (about 2016-2020 averages): no 2024 source has "
                       "this stage."]
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
        m = {"id": mid, "name": name, "sym": symbols, "lists": [int(eu_c), int(eu_s), int(us_c)],
             "stages": stages}
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
    for i, r in enumerate(read_csv(policy / "country_groups.csv"), start=2):
        gid, code = r["group"].strip(), r["iso3"].strip()
        if code not in countries:
            fail(f"country_groups.csv line {i}: unknown code `{code}`")
        g = groups.setdefault(gid, {"id": gid, "as_of": r["as_of"].strip() or None,
                                    "srcs": [], "m": []})
        if g["as_of"] != (r["as_of"].strip() or None):
            fail(f"country_groups.csv line {i}: {gid} has two as-of dates")
        if code in g["m"]:
            fail(f"country_groups.csv line {i}: {code} twice in {gid}")
        g["m"].append(code)
        g["srcs"].append((code, r["source"].strip()))
    group_names = {"feoc_covered_nations": "U.S. covered nations (FEOC)",
                   "us_fta": "U.S. free trade agreement partners",
                   "us_30d_qualifying": "Additional 30D critical-mineral partners",
                   "msp_partners": "Minerals Security Partnership partners", "nato": "NATO",
                   "oecd": "OECD", "eu27": "EU-27"}
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
        if extra:
            main_src += ". Member notes: " + "; ".join(extra)
        out_groups.append({"id": gid, "name": group_names[gid], "as_of": g["as_of"],
                           "src": main_src, "m": sorted(g["m"])})
    group_year = max(int(g["as_of"][:4]) for g in out_groups if g["as_of"])

    used = set()
    for m in materials:
        for s in m["stages"]:
            used.update(c for c, _ in s["sh"])
            used.update(s["wh"])
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
    text = render(build(args.sources))
    return write_or_check(args.out, text, "build_reference.py", args.check)


if __name__ == "__main__":
    sys.exit(main())
