#!/usr/bin/env python3
"""Build Chokepoint's embedded industry templates, data/templates.json.

Reads the cited material intensities in data/sources/intensity/intensity.csv (kg of material per
unit of product) and the material catalogue in data/reference.json, and writes one compact JSON
file that src/reference/templates.rs compiles into the binary. Python 3 standard library only.
The output is deterministic: running the script twice gives byte-identical files.

    python3 scripts/data/build_templates.py            # (re)write data/templates.json
    python3 scripts/data/build_templates.py --check    # exit 1 if data/templates.json is stale
    python3 scripts/data/build_templates.py --csv FILE --reference FILE --out FILE

Rules (also in docs/DATA.md, section "Industry templates", and in the Rust module documentation):

* A template is a curated list of intensity series (the CSV's `template` column) that share one
  unit of product, in priority order. Component templates (per kWh of battery, per kg of magnet)
  are kept apart from whole products (per vehicle, per MW) so that nothing is counted twice.
* Per material, the default quantity is the value of the first series in the list that has a
  number for it; when two or more rows give a number, the item also has a range (min, max) and
  lists every row with its source.
* Every number is copied from the CSV, never typed in. LOW-confidence rows have no number and stay
  "material used, quantity not published".
* Material ids are mapped to catalogue ids through CROSSWALK; ids that are not materials (`others`,
  a component such as `ndfeb_magnet`) are kept with the reason they are not in the catalogue. An
  id the crosswalk does not know, a crosswalk target missing from data/reference.json, or a CSV
  series that no template uses and UNUSED_SERIES does not explain, fails the build (SystemExit).
"""

import argparse
import csv
import json
import sys
from pathlib import Path

# One list entry per line, as data/reference.json: the same renderer.
from build_reference import render, write_or_check

FORMAT_VERSION = 1
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CSV = ROOT / "data" / "sources" / "intensity" / "intensity.csv"
DEFAULT_REFERENCE = ROOT / "data" / "reference.json"
DEFAULT_OUT = ROOT / "data" / "templates.json"

ILLUSTRATIVE = "Illustrative"
CONFIDENCE = ("HIGH", "MEDIUM", "LOW")
KINDS = ("component", "product", "consumable")
# The end-use ids of src/model/context.rs (EndUse).
END_USES = ("magnet_ndfeb", "magnet_smco", "magnet", "battery", "electronics", "optics", "alloy", "other")
INDUSTRIES = ("ev_batteries", "magnets_wind", "semiconductors", "defense", "medical_imaging",
              "data_centres", "solar_pv")


def fail(message):
    raise SystemExit(f"build_templates.py: {message}")


# ---------------------------------------------------------------------------------------------
# Material crosswalk: intensity.csv material id -> catalogue id of data/reference.json, or the
# reason the id is not a catalogue material.
# ---------------------------------------------------------------------------------------------

# Ids spelled as in the catalogue map to themselves (checked against data/reference.json).
SAME_ID = ["aluminium", "boron", "cobalt", "copper", "chromium", "dysprosium", "gadolinium",
           "gallium", "germanium", "gold", "graphite", "helium", "indium", "lithium", "manganese",
           "molybdenum", "neodymium", "nickel", "palladium", "phosphorus", "praseodymium",
           "rare_earths", "samarium", "silicon", "silver", "tantalum", "tellurium", "terbium",
           "tungsten", "zinc"]

CROSSWALK = {material: (material, None) for material in SAME_ID}
CROSSWALK["iron"] = ("iron_ore", "Iron metal in the source; the catalogue's nearest material is "
                                 "iron ore (mine output), its alias for `iron`.")

# (reason shown to the user)
NOT_IN_CATALOGUE = {
    "others": "Not a material: the IEA chart's remainder of minor minerals, not named.",
    "ndfeb_magnet": "A component (kg of NdFeB magnet), not a material: its rare earths are "
                    "counted by this template's rare_earths figure where it has one; the "
                    "ndfeb_magnet template breaks a kilogram of magnet down.",
}

# CSV series no template uses, and why (so that a new series in the CSV cannot go unnoticed).
UNUSED_SERIES = {
    "conventional_car": "Not an industry of the start screen (combustion car, IEA 2021).",
    "nuclear": "Not an industry of the start screen (power plant, IEA 2021).",
    "coal_power": "Not an industry of the start screen (power plant, IEA 2021).",
    "gas_power": "Not an industry of the start screen (power plant, IEA 2021).",
}

# Short citations for labels, keyed by the start of the CSV's source_title.
SHORT_CITES = [
    ("IEA, The Role of Critical Minerals", "IEA (2021), as reproduced"),
    ("Argonne BatPaC 5.1", "Argonne BatPaC 5.1 via Busch et al. (2024)"),
    ("Yang et al.", "Yang et al. (2017)"),
    ("Stoichiometry of Nd2Fe14B", "Nd2Fe14B stoichiometry"),
    ("Heim & Vander Wal", "Heim & Vander Wal (2023)"),
    ("CRS R41744", "CRS R41744 (2013)"),
    ("Adamas Intelligence", "Adamas Intelligence (2026)"),
    ("Copper Development Association", "Copper Development Association"),
    ("Philips (BlueSeal communication", "Philips, liquid-helium density"),
    ("Philips BlueSeal", "Philips BlueSeal"),
    ("UVA School of Medicine", "UVA School of Medicine"),
    ("Zhang, Kim, Wang", "Zhang et al. (2021)"),
    ("pv-magazine Australia", "pv-magazine (2024), UNSW"),
    ("NREL PV_ICE", "NREL PV_ICE"),
    ("Review ranges", "review ranges, secondary page"),
    ("-", "no published source"),
]

# ---------------------------------------------------------------------------------------------
# Curated templates. `series` lists CSV `template` values in priority order (the first one with a
# number for a material gives its default quantity); `counted_in` marks items whose mass another
# item of the same template already holds, so that a portfolio does not count it twice.
# ---------------------------------------------------------------------------------------------

TEMPLATES = [
    {
        "id": "ev_battery_nmc",
        "industry": "ev_batteries",
        "end_use": "battery",
        "name": "EV battery pack, nickel-based (NMC, NCA)",
        "kind": "component",
        "unit": "kWh",
        "unit_label": "kWh of pack capacity",
        "series": ["battery_nmc811", "battery_nmc622", "battery_nmc532", "battery_nmc111",
                   "battery_nca"],
        "description": "Materials in a lithium-ion pack per kWh of capacity: NMC811 by default, "
                       "with the range over NMC622, NMC532, NMC111 and NCA (Argonne BatPaC 5.1 "
                       "model defaults, not market averages). A component: do not add it to the "
                       "electric-car template, which already holds its battery.",
    },
    {
        "id": "ev_battery_lfp",
        "industry": "ev_batteries",
        "end_use": "battery",
        "name": "EV battery pack, LFP",
        "kind": "component",
        "unit": "kWh",
        "unit_label": "kWh of pack capacity",
        "series": ["battery_lfp"],
        "description": "Materials in a lithium iron phosphate pack per kWh of capacity (Argonne "
                       "BatPaC 5.1 model defaults; iron derived from the phosphorus by "
                       "stoichiometry). No nickel, cobalt or manganese. A component: do not add "
                       "it to the electric-car template.",
    },
    {
        "id": "ev_car",
        "industry": "ev_batteries",
        "name": "Electric car",
        "kind": "product",
        "unit": "vehicle",
        "unit_label": "vehicle",
        "series": ["ev_car"],
        "description": "Whole battery-electric car (battery, motor, body) excluding steel and "
                       "aluminium, IEA 2021 basis: a 75 kWh NMC622 pack. The motor's magnet "
                       "(about 1 kg) is shown but its rare earths are already in the rare-earths "
                       "figure.",
    },
    {
        "id": "ndfeb_magnet",
        "industry": "magnets_wind",
        "end_use": "magnet_ndfeb",
        "name": "NdFeB permanent magnet (motors, generators)",
        "kind": "component",
        "unit": "kg_magnet",
        "unit_label": "kg of magnet",
        "series": ["ndfeb_magnet", "ndfeb_magnet_wind_grade"],
        "counted_in": {"neodymium": "rare_earths", "dysprosium": "rare_earths",
                       "praseodymium": "rare_earths", "terbium": "rare_earths"},
        "description": "Materials per kg of sintered NdFeB magnet, for permanent-magnet motors "
                       "and generators: rare earths 31 wt% (Yang et al. 2017), iron and boron "
                       "from the ideal Nd2Fe14B formula. Neodymium and wind-grade dysprosium are "
                       "shown as the part of the rare earths they are. An EV traction motor "
                       "holds about 1 kg; a direct-drive wind generator about 650 kg per MW.",
    },
    {
        "id": "wind_offshore",
        "industry": "magnets_wind",
        "name": "Offshore wind turbines",
        "kind": "product",
        "unit": "MW",
        "unit_label": "MW of installed capacity",
        "series": ["wind_offshore", "wind_offshore_direct_drive"],
        "description": "Materials per MW of offshore wind capacity (IEA 2021), excluding steel, "
                       "concrete and aluminium; mostly permanent-magnet designs. The magnet mass "
                       "of a direct-drive generator is shown but its rare earths are already in "
                       "the rare-earths figure.",
    },
    {
        "id": "wind_onshore",
        "industry": "magnets_wind",
        "name": "Onshore wind turbines",
        "kind": "product",
        "unit": "MW",
        "unit_label": "MW of installed capacity",
        "series": ["wind_onshore"],
        "description": "Materials per MW of onshore wind capacity (IEA 2021), excluding steel, "
                       "concrete and aluminium. The low rare-earth figure reflects a fleet in "
                       "which most turbines have no permanent magnets.",
    },
    {
        "id": "semiconductors_servers",
        "industry": "semiconductors",
        "end_use": "electronics",
        "name": "Semiconductors, chips and servers",
        "kind": "product",
        "unit": "chip_or_server",
        "unit_label": "chip or server",
        "series": ["semiconductors_servers"],
        "description": "Materials used in chips and servers. No citable quantity per chip or "
                       "server was found, so every material is listed as used with its quantity "
                       "not published: enter your own quantities or spend.",
    },
    {
        "id": "defense_electronics",
        "industry": "defense",
        "name": "Defense electronics and platforms",
        "kind": "product",
        "unit": "platform",
        "unit_label": "platform",
        "series": ["defense_electronics_platforms"],
        "description": "Materials of defense electronics (radar, infrared optics, capacitors, "
                       "magnets, alloys). No citable quantity per platform was found: every "
                       "material is listed as used with its quantity not published.",
    },
    {
        "id": "defense_f35",
        "industry": "defense",
        "name": "Fighter aircraft (F-35)",
        "kind": "product",
        "unit": "aircraft",
        "unit_label": "aircraft",
        "series": ["defense_f35", "defense_f35_alt"],
        "description": "Rare earths per F-35: the CRS figure (417 kg of rare-earth-bearing "
                       "materials, an upper bound) by default, with the Adamas Intelligence "
                       "estimate of elemental rare earths (about 15.5 kg) as the low end.",
    },
    {
        "id": "defense_ddg51",
        "industry": "defense",
        "name": "Destroyer (DDG-51)",
        "kind": "product",
        "unit": "destroyer",
        "unit_label": "destroyer",
        "series": ["defense_ddg51"],
        "description": "Rare earths per DDG-51 Aegis destroyer (CRS 2013): rare-earth-bearing "
                       "materials, not elemental rare earths; an upper bound.",
    },
    {
        "id": "defense_virginia_ssn",
        "industry": "defense",
        "name": "Submarine (Virginia class)",
        "kind": "product",
        "unit": "submarine",
        "unit_label": "submarine",
        "series": ["defense_virginia_ssn"],
        "description": "Rare earths per Virginia-class submarine (CRS 2013): rare-earth-bearing "
                       "materials, not elemental rare earths; an upper bound.",
    },
    {
        "id": "mri_scanner",
        "industry": "medical_imaging",
        "name": "MRI scanner",
        "kind": "product",
        "unit": "scanner",
        "unit_label": "scanner",
        "series": ["mri_scanner", "mri_scanner_sealed"],
        "description": "Liquid helium in an MRI magnet: a standard scanner (about 1,500 L) by "
                       "default, with a sealed low-helium magnet as the low end. Top-offs during "
                       "use are not included.",
    },
    {
        "id": "mri_contrast_exam",
        "industry": "medical_imaging",
        "name": "MRI contrast exams (gadolinium)",
        "kind": "consumable",
        "unit": "exam_70kg_patient",
        "unit_label": "contrast exam (70 kg patient)",
        "series": ["mri_exam_contrast"],
        "description": "Gadolinium consumed per contrast-enhanced MRI exam (single dose, 70 kg "
                       "patient). Consumed per exam, not built into the scanner.",
    },
    {
        "id": "ct_scanner",
        "industry": "medical_imaging",
        "name": "CT scanner",
        "kind": "product",
        "unit": "scanner",
        "unit_label": "scanner",
        "series": ["ct_scanner"],
        "description": "Materials of a CT scanner (gadolinium scintillators, tungsten anodes and "
                       "shielding). No per-scanner mass was found: listed as used, quantity not "
                       "published.",
    },
    {
        "id": "data_centre",
        "industry": "data_centres",
        "name": "Data centre (AI and cloud facilities)",
        "kind": "product",
        "unit": "MW",
        "unit_label": "MW of facility capacity",
        "series": ["data_centre"],
        "description": "Copper per MW of data-centre capacity (power distribution, busbars, "
                       "cabling, cooling), facility only, excluding grid reinforcement. The "
                       "chips and servers inside are the semiconductors template.",
    },
    {
        "id": "solar_pv_csi",
        "industry": "solar_pv",
        "name": "Solar PV, crystalline silicon",
        "kind": "product",
        "unit": "MW",
        "unit_label": "MW of installed capacity",
        "series": ["solar_pv", "solar_pv_csi", "solar_pv_topcon"],
        "description": "Materials per MW of crystalline-silicon PV (IEA 2021), excluding steel, "
                       "concrete and aluminium, with silver from the 2020 industry average and "
                       "the lower TOPCon figure as a range.",
    },
    {
        "id": "solar_pv_cdte",
        "industry": "solar_pv",
        "name": "Solar PV, thin-film CdTe",
        "kind": "product",
        "unit": "MW",
        "unit_label": "MW of installed capacity (dc)",
        "series": ["solar_pv_cdte"],
        "description": "Tellurium per MW of cadmium-telluride modules, derived from NREL PV_ICE "
                       "baselines (2022 module efficiency). Other materials of the module are "
                       "not covered.",
    },
    {
        "id": "solar_pv_cigs",
        "industry": "solar_pv",
        "name": "Solar PV, thin-film CIGS",
        "kind": "product",
        "unit": "MW",
        "unit_label": "MW of installed capacity",
        "series": ["solar_pv_cigs"],
        "description": "Indium and gallium in copper-indium-gallium-selenide modules. No "
                       "citable quantity per MW was found: listed as used, quantity not "
                       "published.",
    },
]


# ---------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------

def read_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=2):
        row["_line"] = number
        if row["confidence"] not in CONFIDENCE:
            fail(f"{path}:{number}: confidence `{row['confidence']}` is not HIGH/MEDIUM/LOW")
        text = row["kg_per_unit"].strip()
        if text:
            try:
                value = float(text)
            except ValueError:
                fail(f"{path}:{number}: kg_per_unit `{text}` is not a number")
            if value != value or value < 0 or value in (float("inf"),):
                fail(f"{path}:{number}: kg_per_unit `{text}` is not a non-negative number")
            row["_kg"] = value
        else:
            row["_kg"] = None
        if (row["_kg"] is None) != (row["confidence"] == "LOW"):
            fail(f"{path}:{number}: a quantity must be given exactly when confidence is not LOW")
    return rows


def catalogue_ids(path):
    with open(path, encoding="utf-8") as handle:
        return {m["id"] for m in json.load(handle)["materials"]}


def short_cite(title):
    for prefix, short in SHORT_CITES:
        if title.startswith(prefix):
            return short
    fail(f"no short citation for source `{title}`: add one to SHORT_CITES")


def year_of(text, where):
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or not 1900 <= int(text) <= 2200:
        fail(f"{where}: source_year `{text}` is not a year")
    return int(text)


class Interner:
    """A list of distinct values, each referred to by its index."""

    def __init__(self):
        self.items, self.index = [], {}

    def get(self, value):
        key = json.dumps(value)
        if key not in self.index:
            self.index[key] = len(self.items)
            self.items.append(value)
        return self.index[key]


def number(value):
    """A float written as the CSV wrote it: whole numbers without a fraction."""
    return int(value) if value == int(value) else value


def build(csv_path, reference_path):
    rows = read_rows(csv_path)
    catalogue = catalogue_ids(reference_path)
    for source, (target, _) in sorted(CROSSWALK.items()):
        if target not in catalogue:
            fail(f"crosswalk target `{target}` (for `{source}`) is not in {reference_path}")
    for row in rows:
        material = row["material_id"]
        if material not in CROSSWALK and material not in NOT_IN_CATALOGUE:
            fail(f"{csv_path}:{row['_line']}: material `{material}` is neither in CROSSWALK nor "
                 "in NOT_IN_CATALOGUE")

    all_series = {}
    for row in rows:
        all_series.setdefault(row["template"], []).append(row)
    used = [s for t in TEMPLATES for s in t["series"]]
    for series in used:
        if series not in all_series:
            fail(f"series `{series}` is not in {csv_path}")
        if used.count(series) > 1:
            fail(f"series `{series}` is used by more than one template")
        if series in UNUSED_SERIES:
            fail(f"series `{series}` is used and also listed in UNUSED_SERIES")
    for series in all_series:
        if series not in used and series not in UNUSED_SERIES:
            fail(f"series `{series}` is used by no template and not listed in UNUSED_SERIES")

    refs, notes = Interner(), Interner()
    templates, ids = [], set()
    for t in TEMPLATES:
        if t["id"] in ids:
            fail(f"template `{t['id']}` is defined twice")
        ids.add(t["id"])
        if t["industry"] not in INDUSTRIES or t["kind"] not in KINDS:
            fail(f"template `{t['id']}`: unknown industry or kind")
        units = {r["unit_of_product"] for s in t["series"] for r in all_series[s]}
        if units != {t["unit"]}:
            fail(f"template `{t['id']}` mixes units {sorted(units)}; its unit is {t['unit']}")

        by_material = {}
        for series in t["series"]:
            for row in all_series[series]:
                by_material.setdefault(row["material_id"], []).append(row)
        counted_in = t.get("counted_in", {})
        for material, holder in counted_in.items():
            if material not in by_material or holder not in by_material:
                fail(f"template `{t['id']}`: counted_in {material} -> {holder} names a material "
                     "the template does not have")

        items = []
        for material, material_rows in by_material.items():
            numeric = [r for r in material_rows if r["_kg"] is not None]
            default = numeric[0] if numeric else material_rows[0]
            material_rows = [default] + [r for r in material_rows if r is not default]
            item = {"src": material}
            if material in CROSSWALK:
                target, mapping_note = CROSSWALK[material]
                item["mat"] = target
            else:
                mapping_note = None
                item["why"] = NOT_IN_CATALOGUE[material]
            if material in counted_in:
                item["in"] = counted_in[material]
            if default["_kg"] is not None:
                item["kg"] = number(default["_kg"])
            if len(numeric) >= 2:
                values = [r["_kg"] for r in numeric]
                item["rng"] = [number(min(values)), number(max(values))]
            item["conf"] = default["confidence"]
            if mapping_note:
                item["note"] = mapping_note
            item["rows"] = [
                [r["template"], None if r["_kg"] is None else number(r["_kg"]),
                 refs.get([r["source_title"].strip(),
                           year_of(r["source_year"], f"{csv_path}:{r['_line']}"),
                           r["source_url_or_location"].strip(),
                           short_cite(r["source_title"].strip())]),
                 r["confidence"], notes.get(r["notes"].strip())]
                for r in material_rows
            ]
            items.append(item)
        template = {
            "id": t["id"], "ind": t["industry"], "name": t["name"],
            "desc": f"{ILLUSTRATIVE}. {t['description']}",
            "unit": t["unit"], "ul": t["unit_label"], "kind": t["kind"], "series": t["series"],
            "items": items,
        }
        # The end use of every line a component template makes (src/model/context.rs ids);
        # whole products (a car, a turbine, a platform) hold several and leave it to the user.
        if "end_use" in t:
            if t["end_use"] not in END_USES:
                fail(f"template {t['id']}: end use {t['end_use']!r} is not one of {END_USES}")
            template["eu"] = t["end_use"]
        templates.append(template)

    return {"v": FORMAT_VERSION, "refs": refs.items, "notes": notes.items,
            "templates": templates}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV,
                        help="the intensity table (default: data/sources/intensity/intensity.csv)")
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE,
                        help="the material catalogue (default: data/reference.json)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output file")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the output file differs from a fresh build")
    args = parser.parse_args(argv)
    text = render(build(args.csv, args.reference))
    return write_or_check(args.out, text, "build_templates.py", args.check)


if __name__ == "__main__":
    sys.exit(main())
