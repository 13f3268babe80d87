#!/usr/bin/env python3
"""Build data/events.json from data/sources/events/events.csv (sources in SOURCES.md there).

Usage (from the project root):
    python3 scripts/data/build_events.py            # write data/events.json
    python3 scripts/data/build_events.py --check    # exit 1 if data/events.json differs

Python standard library only; the output is deterministic (events in first-appearance order of
events.csv, keys in a fixed order, UTF-8, two-space indent, trailing newline).

One entry per event (the CSV has one row per event x material). Every fact is copied from the
CSV: dates (month-only dates stay month-only), status, measure types, destinations, description,
observed effect per material, sources (URL and title) and confidence. Derived fields:

- materials: each CSV row's material (and rare-earth element) mapped to catalogue ids
  (MATERIAL_IDS below; checked against data/reference.json), with the row's stages mapped to
  Chokepoint's: mining -> mining, refining -> refining, magnets and components -> component,
  technology -> not modelled (listed in `unmodelled_stages`). Names with no catalogue id are
  listed in `unmapped` and reported on standard error.
- status_kind: in_force, suspended, lifted, planned, announced, not_enacted or no_measure.
- scenario: the disruption the event maps to, or null with `scenario_note` saying why. The
  supply country is the imposing country (an import sanction's is the origin it targets). The
  cut and, where the data has no end date, the duration are ASSUMPTIONS by measure type
  (DEFAULTS below), labelled as such in `cut_basis` / `months_basis` and in `assumption`; the
  duration comes from the data (effective -> lifted dates) where both dates exist.
- scenario.cut_from: for the events whose data has the quantity the measure allows and the
  quantity supplied before it (DERIVED_CUTS below), the cut is DATA, not an assumption:
  cut = 1 - allowed / before, in percent of the supply country's share (cut_basis "data"). Each
  figure is quoted from events.csv (the quote is checked against the row) or read from the
  reference source table data/sources/reference/production_shares.csv, and carried into the
  JSON with its citation. Events with quantities that give no single cut say why
  (NO_DERIVED_CUT).
- researched: the date the event data was researched (RESEARCHED below), quoted from
  SOURCES.md (the quote is checked against the file): statuses are as of the newest source read,
  and a status on a later date cannot be confirmed from the data.
"""

import csv
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from build_reference import write_or_check  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = os.path.join(ROOT, "data", "sources", "events", "events.csv")
SOURCES_MD = os.path.join(ROOT, "data", "sources", "events", "SOURCES.md")
PRODUCTION = os.path.join(ROOT, "data", "sources", "reference", "production_shares.csv")
REFERENCE = os.path.join(ROOT, "data", "reference.json")
OUTPUT = os.path.join(ROOT, "data", "events.json")

SOURCE_NAME = ("Critical-mineral export restrictions and supply disruptions, 2009-2026 "
               "(data/sources/events/events.csv and SOURCES.md)")

STAGES = {
    "mining": "mining",
    "refining": "refining",
    "magnets": "component",
    "components": "component",
}
NOT_MODELLED_STAGES = {"technology"}
STAGE_ORDER = ["mining", "refining", "component"]

# (material_id, element) -> catalogue ids. element "" = the material itself.
MATERIAL_IDS = {
    ("rare_earths", "all"): ["rare_earths", "rare_earths_magnet"],
    ("rare_earths", "all_controlled_REE_content"): ["rare_earths", "rare_earths_magnet"],
    ("rare_earths", "heavy_REE_and_magnets"): ["dysprosium", "terbium", "rare_earths_magnet"],
    ("bauxite", ""): ["aluminium"],
    ("silicon_metal", ""): ["silicon"],
}
# Rare-earth rows naming an element whose stages include magnets also hit magnet rare earths.
MAGNET_MATERIAL = "rare_earths_magnet"

# Measure types that are no supply measure: listed, never replayed.
NO_SCENARIO = {
    "market_shock": "a market shock with no export measure: nothing to replay",
    "threat_no_measure": "a threat with no measure: nothing to replay",
    "state_control_policy": "a state-control policy with no export restriction: nothing to replay",
}

# Default cut (percent of the supply country's share) and duration (months) by measure type.
# ASSUMPTIONS, not data: the CSV gives no cut for any event. They are shown as editable.
DEFAULTS = {
    "export_suspension": (100, 6, "an export suspension stops the country's exports"),
    "ore_export_ban": (100, 12, "an ore export ban stops the country's ore exports"),
    "destination_ban": (100, 12,
                        "a destination ban stops exports to the destination; the preset assumes "
                        "the firm's supply goes there (set the cut to 0 otherwise)"),
    "informal_embargo": (100, 2, "an embargo stops the shipments it targets"),
    "licence_requirement": (50, 6,
                            "a licence requirement withholds half of the country's supply while "
                            "licences are processed"),
    "extraterritorial_licence": (50, 6,
                                 "an extraterritorial licence requirement withholds half of the "
                                 "supply while licences are processed"),
    "export_quota": (30, 12, "a quota withholds 30 % of the country's supply for a year"),
    "export_tax": (10, 12, "an export tax prices out 10 % of the country's supply for a year"),
    "end_use_review": (25, 6, "an end-use review delays a quarter of the supply"),
    "enforcement_crackdown": (25, 6, "a crackdown on transshipment removes a quarter of the supply"),
    "permit_delay": (100, 3, "a permit delay stops the exports until permits are issued"),
    "production_quota_cut": (30, 12, "a production quota cut removes 30 % of the output for a year"),
    "mine_closure_regulatory": (50, 6, "a regulatory closure halts half of the country's output"),
    "conflict_disruption": (50, 6, "a conflict halts half of the country's output"),
    "licence_revocation": (25, 6, "a concession revocation halts a quarter of the output"),
    "sanction_import_ban": (100, 12,
                            "an import ban stops the sanctioned origin's supply to a firm subject "
                            "to it"),
    "proposed_not_enacted": (100, 12, "hypothetical: the ban as proposed"),
}
# When an event has several measure types, the one with the largest default cut applies.

# The date the event data was researched, quoted from SOURCES.md (checked in `researched`).
RESEARCHED = {
    "date": "2026-12-06",
    "sources_up_to": "about October 2026",
    "quote": "`status_latest` is the status as of the newest source read (up to ~Oct 2026; "
             "research date 2026-12-06)",
}

# Events whose cut follows from their own figures: cut = 1 - allowed / before, the share of the
# supply country's supply the measure withholds. A figure is either quoted from a column of the
# event's events.csv row (`field`, `quote`: the quote must be in the cell and contain the value
# written with thousands separators) or read from the reference production table (`reference`:
# material, stage, country, source id of a row of production_shares.csv).
DERIVED_CUTS = {
    "CD-2025-CO-QUOTA": {
        "allowed": {
            "value": 96600, "unit": "t of cobalt per year", "field": "status_latest",
            "quote": "96,600 t/yr caps for 2026 and 2027",
            "what": "DR Congo's cobalt export quota for 2026 and 2027",
        },
        # The quota counts tonnes of cobalt, as USGS counts mine production (cobalt content);
        # DR Congo refines little of its own output, so its mine output stands for its exports.
        "before": {
            "reference": ("cobalt", "mining", "COD", "USGS_MCS2025_WORLD"),
            "what": "DR Congo's 2024 cobalt mine production (cobalt content)",
        },
    },
    "CN-2010-REQUOTA": {
        "allowed": {
            "value": 30258, "unit": "t per year", "field": "description",
            "quote": "2010 total 30,258 t", "what": "China's 2010 rare-earth export quota",
        },
        "before": {
            "value": 50145, "unit": "t per year", "field": "description",
            "quote": "50,145 t in 2009", "what": "China's 2009 rare-earth export quota",
        },
    },
}

# Events whose data has quantities that give no single cut: why (the cut stays an assumption).
NO_DERIVED_CUT = {
    "CN-2011-QUOTAS": "the data gives first-batch 2011 quota volumes per material, several above "
                      "2010 (tungsten +10 %, antimony +5 %, tin products -14 %), and no "
                      "full-year totals, so no single cut follows from them",
    "ID-2026-NI-RKAB": "the data gives the 2026 ore approvals as a range (260-270 Mwmt) against "
                       "conflicting baselines (2025 approvals ~330 Mt or ~379 Mt, 2025 output "
                       "~264 Mt), in wet tonnes of ore rather than the nickel content of the "
                       "reference data, so no single cut follows from them",
}

# Events whose supply country is not the imposing one (an import-side sanction).
SUPPLY_COUNTRY = {"US-GB-2024-RUMETALS": ["RUS"]}

NEVER_IN_FORCE = {"planned", "not_enacted", "announced"}


def parse_date(text):
    """'YYYY-MM-DD' or 'YYYY-MM' -> the same text, or None; anything else is an error."""
    text = text.strip()
    if not text:
        return None
    parts = text.split("-")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise ValueError(f"bad date {text!r}")
    return text


def as_day(text, end=False):
    """A date, month-only dates taken at the 1st (start) of the month."""
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 2:
        parts.append(1)
    return datetime.date(*parts)


def months_between(start, end):
    days = (as_day(end) - as_day(start)).days
    return round(days / (365.25 / 12), 1)


def split(text):
    return [p.strip() for p in text.split("|") if p.strip()]


def status_kind(row):
    status = row["status_latest"].lower()
    if row["suspended_until"].strip():
        return "suspended"
    if status.startswith("in force") or status.startswith("ongoing"):
        return "in_force"
    if status.startswith("planned"):
        return "planned"
    if status.startswith("not enacted"):
        return "not_enacted"
    if status.startswith("announced"):
        return "announced"
    if status.startswith(("no export", "no general", "policy")):
        return "no_measure"
    if row["date_suspended_or_lifted"].strip() or status.startswith(("lifted", "resolved")):
        return "lifted"
    # "halted", "partially resumed", "restart date not found", "orders contested", ...
    return "in_force"


def sources_of(row):
    urls = [u.strip() for u in row["source_url"].split(" ; ") if u.strip()]
    return {"urls": urls, "titles": row["source_title"].strip(), "date": row["source_date"].strip()}


def researched():
    """RESEARCHED, with its quote checked against SOURCES.md and its citation."""
    with open(SOURCES_MD, encoding="utf-8") as f:
        text = f.read()
    if RESEARCHED["quote"] not in text or RESEARCHED["date"] not in RESEARCHED["quote"]:
        raise ValueError(f"SOURCES.md no longer says {RESEARCHED['quote']!r}: update RESEARCHED")
    as_day(RESEARCHED["date"])
    return {
        "date": RESEARCHED["date"],
        "sources_up_to": RESEARCHED["sources_up_to"],
        "citation": f"data/sources/events/SOURCES.md: \"{RESEARCHED['quote']}\"",
    }


def measure_name(measure):
    """'export_quota' -> 'an export quota', 'licence_requirement' -> 'a licence requirement'."""
    words = measure.replace("_", " ")
    return ("an " if words[0] in "aeiou" else "a ") + words


def thousands(value):
    """96600 -> '96,600'."""
    return f"{value:,}"


def quantity(eid, row, spec, production, datasets):
    """One figure of DERIVED_CUTS, checked against its source, with its citation."""
    if "reference" in spec:
        material, stage, country, source_id = spec["reference"]
        found = [r for r in production
                 if (r["material_id"], r["stage"], r["country_iso3"], r["source_id"])
                 == (material, stage, country, source_id)]
        if len(found) != 1:
            raise ValueError(f"{eid}: {len(found)} rows of production_shares.csv for "
                             f"{spec['reference']}")
        r = found[0]
        value = float(r["quantity"])
        value = int(value) if value.is_integer() else value
        return {
            "value": value,
            "unit": r["unit"],
            "what": spec["what"],
            "source": (f"{datasets[source_id]} (data/sources/reference/production_shares.csv: "
                       f"{r['material_name']}, {r['stage_detail']}, "
                       f"{r['source_country_name']}, {r['year']}, {r['value_status']})"),
        }
    cell = row[spec["field"]]
    if spec["quote"] not in cell or thousands(spec["value"]) not in spec["quote"]:
        raise ValueError(f"{eid}: {spec['field']} does not say {spec['quote']!r} "
                         f"with {thousands(spec['value'])}")
    return {
        "value": spec["value"],
        "unit": spec["unit"],
        "what": spec["what"],
        "source": (f"data/sources/events/events.csv, {row['row_id']}, {spec['field']}: "
                   f"\"{spec['quote']}\""),
    }


def derived_cut(eid, row, production, datasets):
    """The cut of DERIVED_CUTS[eid] (percent) and its figures, or None."""
    spec = DERIVED_CUTS.get(eid)
    if spec is None:
        return None
    allowed = quantity(eid, row, spec["allowed"], production, datasets)
    before = quantity(eid, row, spec["before"], production, datasets)
    if not 0 <= allowed["value"] <= before["value"] or before["value"] <= 0:
        raise ValueError(f"{eid}: allowed {allowed['value']} is not within 0..{before['value']}")
    cut = 100 * (1 - allowed["value"] / before["value"])
    return cut, {"allowed": allowed, "before": before}


def reference_datasets():
    """Dataset id -> publisher and title, from data/reference.json."""
    with open(REFERENCE, encoding="utf-8") as f:
        return {d["id"]: f"{d['pub']}, {d['title']}" for d in json.load(f)["datasets"]}


def catalogue_ids():
    with open(REFERENCE, encoding="utf-8") as f:
        return {m["id"] for m in json.load(f)["materials"]}


def map_material(row, known):
    material, element = row["material_id"].strip(), row["element"].strip()
    stages = split(row["stage"])
    if (material, element) in MATERIAL_IDS:
        ids = list(MATERIAL_IDS[(material, element)])
    elif material == "rare_earths" and element in known:
        ids = [element]
        if "magnets" in stages:
            ids.append(MAGNET_MATERIAL)
    elif material in known:
        ids = [material]
    else:
        ids = []
    missing = [i for i in ids if i not in known]
    if missing:
        raise ValueError(f"{row['row_id']}: {missing} not in data/reference.json")
    return ids


def build():
    known = catalogue_ids()
    datasets = reference_datasets()
    with open(SOURCE, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with open(PRODUCTION, encoding="utf-8-sig", newline="") as f:
        production = list(csv.DictReader(f))
    for eid in list(DERIVED_CUTS) + list(NO_DERIVED_CUT):
        if not any(r["event_id"].strip() == eid for r in rows):
            raise ValueError(f"{eid} is not in events.csv")
    events = {}
    order = []
    unmapped_report = []
    for row in rows:
        eid = row["event_id"].strip()
        if eid not in events:
            order.append(eid)
            events[eid] = {"rows": [], "first": row}
        events[eid]["rows"].append(row)
    out = []
    for eid in order:
        rows = events[eid]["rows"]
        first = rows[0]
        measure_types = []
        for r in rows:
            for m in split(r["measure_type"]):
                if m not in measure_types:
                    measure_types.append(m)
        materials = []
        unmapped = []
        observed = []
        for r in rows:
            stages = split(r["stage"])
            for s in stages:
                if s not in STAGES and s not in NOT_MODELLED_STAGES:
                    raise ValueError(f"{r['row_id']}: unknown stage {s!r}")
            modelled = sorted({STAGES[s] for s in stages if s in STAGES}, key=STAGE_ORDER.index)
            ids = map_material(r, known)
            label = r["material_id"] + (f" ({r['element']})" if r["element"] else "")
            if not ids:
                unmapped.append(label)
                unmapped_report.append(f"{r['row_id']}: {label}")
            materials.append({
                "row_id": r["row_id"],
                "source_material": r["material_id"],
                "element": r["element"] or None,
                "ids": ids,
                "stages": modelled,
                "unmodelled_stages": [s for s in stages if s in NOT_MODELLED_STAGES],
            })
            effect = r["quantitative_effect"].strip()
            if effect and not any(o["text"] == effect for o in observed):
                observed.append({"material": label, "text": effect})
        # Dates: the event's dates are the first row's; rows that differ are kept per row.
        effective = parse_date(first["date_effective"])
        lifted = parse_date(first["date_suspended_or_lifted"])
        kind = status_kind(first)
        # Targets: catalogue id -> modelled stages (union over rows).
        targets = {}
        for m in materials:
            for i in m["ids"]:
                if not m["stages"]:
                    continue
                stages = targets.setdefault(i, [])
                for s in m["stages"]:
                    if s not in stages:
                        stages.append(s)
        target_list = [
            {"material": i, "stages": sorted(s, key=STAGE_ORDER.index)} for i, s in targets.items()
        ]
        scenario = None
        note = None
        no_scenario = [NO_SCENARIO[m] for m in measure_types if m in NO_SCENARIO]
        if no_scenario and all(m in NO_SCENARIO for m in measure_types):
            note = no_scenario[0]
        elif not target_list:
            note = ("no catalogue material at a modelled stage (technology is not modelled; "
                    "unmapped: " + (", ".join(unmapped) or "none") + ")")
        else:
            choice = max((m for m in measure_types if m in DEFAULTS),
                         key=lambda m: DEFAULTS[m][0], default=None)
            if choice is None:
                raise ValueError(f"{eid}: no default for {measure_types}")
            cut, months, why = DEFAULTS[choice]
            months_basis = "assumption"
            took_effect = kind not in NEVER_IN_FORCE
            if effective and lifted and as_day(lifted) > as_day(effective):
                months = months_between(effective, lifted)
                months_basis = "data"
            elif effective and lifted:
                took_effect = False
            derived = derived_cut(eid, first, production, datasets)
            if derived is None:
                cut_basis, cut_from = "assumption", None
                assumption = (f"Assumption for {measure_name(choice)}: {why} "
                              f"(cut {cut} % of the supply country's share")
                if months_basis == "assumption":
                    assumption += f", for {months} months"
                assumption += "). Not data: edit it."
                if eid in NO_DERIVED_CUT:
                    assumption += f" The cut is not derived: {NO_DERIVED_CUT[eid]}."
            else:
                cut, cut_from = derived
                cut_basis = "data"
                a, b = cut_from["allowed"], cut_from["before"]
                assumption = (f"Cut from the data: {a['what']}, {thousands(a['value'])} "
                              f"{a['unit']}, against {b['what']}, {thousands(b['value'])} "
                              f"{b['unit']}: 1 - {thousands(a['value'])} / "
                              f"{thousands(b['value'])} = {cut:.1f} % of the supply country's "
                              f"share withheld.")
                if months_basis == "assumption":
                    assumption += (f" Duration {months} months: an assumption for "
                                   f"{measure_name(choice)}, not data.")
                assumption += " Edit either."
            if months_basis == "data":
                assumption += (f" Duration {months} months from the data (effective {effective}"
                               f" to {lifted}).")
            if not took_effect:
                assumption += " The measure never took effect: this replays it as announced."
            scenario = {
                "countries": SUPPLY_COUNTRY.get(eid, split(first["imposing_iso3"])),
                "targets": target_list,
                "cut_pct": cut,
                "cut_basis": cut_basis,
                "cut_from": cut_from,
                "months": months,
                "months_basis": months_basis,
                "measure": choice,
                "took_effect": took_effect,
                "assumption": assumption,
            }
        out.append({
            "id": eid,
            "name": first["event_name"].strip(),
            "imposing": split(first["imposing_iso3"]),
            "measure_types": measure_types,
            "destinations": first["destinations"].strip(),
            "announced": parse_date(first["date_announced"]),
            "effective": effective,
            "lifted": lifted,
            "suspended_until": parse_date(first["suspended_until"]),
            "status": first["status_latest"].strip(),
            "status_kind": kind,
            "row_differences": [
                {"row_id": r["row_id"], "lifted": parse_date(r["date_suspended_or_lifted"]),
                 "status": r["status_latest"].strip()}
                for r in rows[1:]
                if (r["date_suspended_or_lifted"], r["status_latest"])
                != (first["date_suspended_or_lifted"], first["status_latest"])
            ],
            "description": first["description"].strip(),
            "observed_effects": observed,
            "sources": sources_of(first),
            "confidence": first["confidence"].strip(),
            "materials": materials,
            "unmapped": unmapped,
            "scenario": scenario,
            "scenario_note": note,
        })
    for line in unmapped_report:
        print(f"build_events: unmapped material {line}", file=sys.stderr)
    for eid in DERIVED_CUTS:
        event = next(e for e in out if e["id"] == eid)
        if event["scenario"] is None or event["scenario"]["cut_from"] is None:
            raise ValueError(f"{eid}: has a derived cut but no scenario")
    doc = {"v": 1, "source": SOURCE_NAME, "researched": researched(), "events": out}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def main():
    text = build()
    return write_or_check(OUTPUT, text, "build_events.py", "--check" in sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
