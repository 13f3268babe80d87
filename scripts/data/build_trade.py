#!/usr/bin/env python3
"""Build Chokepoint's embedded trade table, data/trade.json, for the trade look-through.

Reads CEPII BACI (HS 1992) bilateral trade 2022-2024 (data/sources/trade/), our HS6 mapping
per material and stage (data/trade_hs6.csv, with a rationale per row), the 2024 production
quantities (data/sources/reference/production_shares.csv) and the material catalogue
(data/reference.json), and writes one compact JSON file that src/reference/trade.rs compiles
into the binary. Python 3 standard library only; the output is deterministic.

    python3 scripts/data/build_trade.py            # (re)write data/trade.json
    python3 scripts/data/build_trade.py --check    # exit 1 if data/trade.json is stale

Rules (also in docs/METHODS.md, section "Look-through by trade", and docs/DATA.md):

* Product groups. data/trade_hs6.csv names, for every stage of every catalogue material, the
  product group whose imports feed the next stage down (mining: ores and concentrates; refining:
  oxides, carbonates, unwrought metals, rare-earth compounds) and its HS6 codes, or says why there
  is no usable code. Materials that share codes share a group (all rare-earth materials share
  `ree_compounds`). Every catalogue stage must have a row and every code must be in the extract.
* Origin shares. Per (importer, group): each origin's share of the importer's imports of the
  group's codes, value-weighted over 2022-2024 (sum of the three years' values in current USD,
  so a year with more trade weighs more). Origins below MIN_ORIGIN_PCT percent, beyond the
  largest MAX_ORIGINS, and exporters without an ISO code are folded into `ROW`. Shares are in
  percent with one decimal; `ROW` takes the rounding remainder, so each entry sums to 100.0.
* Transit hubs (ore and concentrate groups only, where an origin should be a mine): an origin
  that the catalogue does not list as a miner of a material of the group and whose three-year
  imports of the group are at least HUB_RATIO times its exports of it ships on what it brings in
  (Namibia's cobalt hydroxide is Congolese); its share is split by its own import origins, one
  hop. Refined-product groups keep the shipping country: refining is where
  the material changes form.
* Importers kept (the table is embedded in the app's first load): per group, the largest
  importers by three-year value until TOP_COVER of world imports of the group is covered (at most
  TOP_MAX countries), plus every country the catalogue lists as a producer of the next stage down
  for a material of the group with at least MIN_PRODUCER of its world output (refiners for an
  ore group), the countries a user is most likely to
  state. Areas without an ISO code (BACI's `S19` "Other Asia, nes", ...) are folded into `ROW`
  as origins and get no entry as importers. An ore group none of whose materials has a refining stage in the catalogue (barite,
  kaolin, ...) feeds no modelled stage and has no entries. Thin data: an importer whose three-year imports of the group are below MIN_KUSD
  thousand USD gets no entry (the look-through then uses the world mix and says so).
* Domestic share. For the materials in COMPARABLE, whose mining and refining series measure the
  same content in the same unit, the share of a refining country's feed that its own mines can
  supply: d = min(1, mined / refined), 2024 quantities (IEA Critical Minerals Dataset 2025 where
  the IEA lists the country, else USGS MCS 2025 in the same unit), for every listed refiner. A
  refiner that mines none of the material (not listed at mining) has d = 0.
"""

import argparse
import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

from build_reference import render, write_or_check

FORMAT_VERSION = 1
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TRADE = ROOT / "data" / "sources" / "trade" / "baci_hs92_critical_2022_2024.csv"
DEFAULT_CODES = ROOT / "data" / "sources" / "trade" / "hs92_codes.csv"
DEFAULT_MAPPING = ROOT / "data" / "trade_hs6.csv"
DEFAULT_PRODUCTION = ROOT / "data" / "sources" / "reference" / "production_shares.csv"
DEFAULT_REFERENCE = ROOT / "data" / "reference.json"
DEFAULT_OUT = ROOT / "data" / "trade.json"

SOURCE = "CEPII BACI (HS92), 2022-2024"
# Quoted from data/sources/trade/SOURCES.md (provenance and licence).
CITATION = ("Gaulier, G. and Zignago, S. (2010), BACI: International Trade Database at the "
            "Product-Level, CEPII Working Paper 2010-23; HS 1992 nomenclature, years 2022-2024, "
            "74 critical-mineral products")
LICENCE = ("Etalab Open Licence 2.0 (reuse with attribution), as data/sources/trade/SOURCES.md "
           "records it")
YEARS = (2022, 2024)
MIN_ORIGIN_PCT = 2.0
MAX_ORIGINS = 8
TOP_COVER = 0.80
TOP_MAX = 8
MIN_KUSD = 5000.0
STAGES = ("mining", "refining")
HUB_RATIO = 0.5
MIN_PRODUCER = 0.01

# Materials whose mining and refining series measure the same content in the same unit (checked
# below): catalogue id -> production_shares.csv material id and the unit scale of each series to
# kt. rare_earths: the catalogue's refining series is the IEA's magnet rare earths, so the ratio
# uses the IEA's magnet rare-earth mining too.
COMPARABLE = {
    "cobalt": "cobalt",
    "lithium": "lithium",
    "nickel": "nickel",
    "copper": "copper",
    "rare_earths_magnet": "rare_earths_magnet",
    "rare_earths": "rare_earths_magnet",
}
# Units of production_shares.csv -> factor to kt of content.
TO_KT = {"kt Co": 1.0, "kt Li content": 1.0, "kt Ni": 1.0, "kt Cu": 1.0, "kt": 1.0,
         "metric tons": 0.001, "thousand metric tons": 1.0}


def fail(message):
    raise SystemExit(f"build_trade.py: {message}")


def read_mapping(path, codes, reference):
    """The mapping rows, checked: every catalogue stage has a row, every code is in the extract,
    a group has the same codes and stage wherever it appears."""
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    seen = set()
    groups = {}
    for row in rows:
        key = (row["material"], row["stage"])
        if key in seen:
            fail(f"{path}: {key} twice")
        seen.add(key)
        if row["stage"] not in STAGES:
            fail(f"{path}: {key}: stage must be mining or refining")
        if not row["rationale"].strip():
            fail(f"{path}: {key}: no rationale")
        hs = row["hs6"].split()
        if bool(hs) != bool(row["group"]):
            fail(f"{path}: {key}: a group needs codes and codes need a group")
        for code in hs:
            if code not in codes:
                fail(f"{path}: {key}: {code} is not in the trade extract")
        if row["group"]:
            prior = groups.setdefault(row["group"], (row["stage"], hs))
            if prior != (row["stage"], hs):
                fail(f"{path}: group {row['group']} with different codes or stage")
    catalogue = {(m["id"], s["st"]) for m in reference["materials"] for s in m["stages"]}
    if catalogue - seen:
        fail(f"{path}: no row for {sorted(catalogue - seen)}")
    if seen - catalogue:
        fail(f"{path}: rows for stages the catalogue does not have: {sorted(seen - catalogue)}")
    return rows, groups


def is_iso3(code):
    """BACI writes `N<code>` or `S<code>` for areas without an ISO 3166 code (Other Asia, nes,
    ...): those are no country of the catalogue."""
    return len(code) == 3 and code.isalpha() and code.isupper()


def read_trade(path, code_group):
    """Three-year import value per (group, importer, origin), thousand USD."""
    flows = defaultdict(float)
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            group = code_group.get(row["hs6"])
            year = int(row["year"])
            if group is None or not YEARS[0] <= year <= YEARS[1]:
                continue
            origin = row["exporter_iso3"]
            if not is_iso3(origin):
                origin = "ROW"
            flows[(group, row["importer_iso3"], origin)] += float(row["value_kusd"])
    return flows


def origin_shares(origins):
    """Origins (country -> value) as percent shares with the small ones folded into ROW."""
    total = sum(origins.values())
    ranked = sorted(((v, c) for c, v in origins.items() if c != "ROW"), key=lambda x: (-x[0], x[1]))
    kept = []
    for value, country in ranked[:MAX_ORIGINS]:
        pct = round(100.0 * value / total, 1)
        if pct >= MIN_ORIGIN_PCT:
            kept.append([country, pct])
    rest = round(100.0 - sum(p for _, p in kept), 1)
    if rest > 0:
        kept.append(["ROW", rest])
    return kept


def transit_hubs(imports):
    """Countries that ship on what they bring in: three-year imports of the group at least
    HUB_RATIO times their exports of it (imports: importer -> origin -> value)."""
    exported = defaultdict(float)
    for origins in imports.values():
        for origin, value in origins.items():
            exported[origin] += value
    return {c for c, out in exported.items()
            if c != "ROW" and out > 0 and sum(imports.get(c, {}).values()) >= HUB_RATIO * out}


def through_hubs(origins, hubs, imports):
    """One hop of re-export look-through: a hub's share is split by the hub's own import
    origins (ROW stays ROW; no second hop)."""
    out = defaultdict(float)
    for origin, value in origins.items():
        hub_imports = imports.get(origin, {}) if origin in hubs else {}
        total = sum(hub_imports.values())
        if total <= 0:
            out[origin] += value
            continue
        for source, v in hub_imports.items():
            out[source] += value * v / total
    return dict(out)


def domestic_shares(production_path):
    """d = min(1, mined / refined) per (catalogue material, refining country), 2024."""
    quantities = defaultdict(dict)  # (material, stage) -> country -> kt
    with open(production_path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["year"] != "2024" or row["is_residual"] == "1" or not row["quantity"]:
                continue
            if row["unit"] not in TO_KT:
                continue
            kt = float(row["quantity"]) * TO_KT[row["unit"]]
            key = (row["material_id"], row["stage"])
            iea = row["source_id"].startswith("IEA")
            prior = quantities[key].get(row["country_iso3"])
            # The IEA where it lists the country, else USGS.
            if prior is None or iea:
                quantities[key][row["country_iso3"]] = kt
    out = []
    for material in sorted(COMPARABLE):
        source = COMPARABLE[material]
        mined = quantities.get((source, "mining"), {})
        refined = quantities.get((source, "refining"), {})
        if not mined or not refined:
            fail(f"no 2024 quantities for {source}")
        for country in sorted(refined):
            if refined[country] > 0:
                d = min(1.0, mined.get(country, 0.0) / refined[country])
                out.append([material, "mining", country, round(d, 3)])
    return out


def build(trade_path, codes_path, mapping_path, production_path, reference_path):
    reference = json.load(open(reference_path, encoding="utf-8"))
    codes = {row["hs6"] for row in csv.DictReader(open(codes_path, encoding="utf-8"))}
    rows, groups = read_mapping(mapping_path, codes, reference)
    code_group = {code: group for group, (_, hs) in groups.items() for code in hs}
    flows = read_trade(trade_path, code_group)

    by_importer = defaultdict(lambda: defaultdict(dict))
    for (group, importer, origin), value in flows.items():
        by_importer[group][importer][origin] = value

    # Producers of the next stage down, per group (refiners of the materials of an ore group),
    # and the countries the catalogue lists as miners of a material of an ore group.
    producers = defaultdict(set)
    miners = defaultdict(set)
    materials = {m["id"]: m for m in reference["materials"]}
    for row in rows:
        if row["group"] and row["stage"] == "mining":
            for stage in materials[row["material"]]["stages"]:
                if stage["st"] == "mining":
                    miners[row["group"]].update(c for c, _ in stage["sh"] if c != "ROW")
                if stage["st"] == "refining":
                    total = sum(q for _, q in stage["sh"])
                    producers[row["group"]].update(
                        c for c, q in stage["sh"] if c != "ROW" and q >= MIN_PRODUCER * total)

    # A mining group feeds a modelled stage only when a material of it has a refining stage.
    refined = {row["material"] for row in rows if row["stage"] == "refining"}
    used = {row["group"] for row in rows if row["group"]
            and (row["stage"] == "refining" or row["material"] in refined)}
    feeds = []
    for group in sorted(used):
        if groups[group][0] == "mining":
            hubs = transit_hubs(by_importer[group]) - miners[group]
            origins_of = {imp: through_hubs(o, hubs, by_importer[group])
                          for imp, o in by_importer[group].items()}
        else:
            origins_of = by_importer[group]
        totals = {imp: sum(o.values()) for imp, o in by_importer[group].items()}
        world = sum(totals.values())
        chosen = set()
        covered = 0.0
        for importer, value in sorted(totals.items(), key=lambda x: (-x[1], x[0])):
            if covered >= TOP_COVER * world or len(chosen) >= TOP_MAX:
                break
            chosen.add(importer)
            covered += value
        chosen |= producers[group] & set(totals)
        for importer in sorted(chosen):
            if totals[importer] < MIN_KUSD or not is_iso3(importer):
                continue
            feeds.append([group, importer, round(totals[importer] / 1000.0),
                          origin_shares(origins_of[importer])])

    return {
        "v": FORMAT_VERSION,
        "source": SOURCE,
        "citation": CITATION,
        "licence": LICENCE,
        "years": list(YEARS),
        "rules": {"min_origin_pct": MIN_ORIGIN_PCT, "max_origins": MAX_ORIGINS,
                  "top_cover": TOP_COVER, "top_max": TOP_MAX, "min_kusd": MIN_KUSD,
                  "hub_ratio": HUB_RATIO, "min_producer": MIN_PRODUCER},
        "map": [[r["material"], r["stage"], r["group"]] for r in rows if r["group"]],
        "domestic": domestic_shares(production_path),
        "feeds": feeds,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trade", type=Path, default=DEFAULT_TRADE)
    parser.add_argument("--codes", type=Path, default=DEFAULT_CODES)
    parser.add_argument("--mapping", type=Path, default=DEFAULT_MAPPING)
    parser.add_argument("--production", type=Path, default=DEFAULT_PRODUCTION)
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output file")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the output file differs from a fresh build")
    args = parser.parse_args(argv)
    text = render(build(args.trade, args.codes, args.mapping, args.production, args.reference))
    return write_or_check(args.out, text, "build_trade.py", args.check)


if __name__ == "__main__":
    sys.exit(main())
