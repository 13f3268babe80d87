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
    with open(SOURCE, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
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
            assumption = (f"Assumption for a {choice.replace('_', ' ')}: {why} "
                          f"(cut {cut} % of the supply country's share")
            if months_basis == "assumption":
                assumption += f", for {months} months"
            assumption += "). Not data: edit it."
            if months_basis == "data":
                assumption += (f" Duration {months} months from the data (effective {effective}"
                               f" to {lifted}).")
            if not took_effect:
                assumption += " The measure never took effect: this replays it as announced."
            scenario = {
                "countries": SUPPLY_COUNTRY.get(eid, split(first["imposing_iso3"])),
                "targets": target_list,
                "cut_pct": cut,
                "cut_basis": "assumption",
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
    doc = {"v": 1, "source": SOURCE_NAME, "events": out}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def main():
    text = build()
    return write_or_check(OUTPUT, text, "build_events.py", "--check" in sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
