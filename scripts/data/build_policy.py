#!/usr/bin/env python3
"""Build data/policy_rules.json from data/sources/policy/rules.csv.

Usage (from the project root):
    python3 scripts/data/build_policy.py            # write data/policy_rules.json
    python3 scripts/data/build_policy.py --check    # exit 1 if data/policy_rules.json differs

Python standard library only; the output is deterministic (rules in file order, keys in a fixed
order, UTF-8, two-space indent, trailing newline).

Every column of rules.csv is kept. Pipe-separated columns (materials, stages_covered, countries,
threshold) become arrays; a pipe inside parentheses, as in "North America (USA|CAN|MEX)", does
not split. Empty dates become null. Derived fields are added next to the originals:

- material_ids: the catalogue identifiers the rule's materials map to (MATERIAL_IDS below);
  group phrases ("all 45X(c)(6) applicable critical minerals", "Annex I strategic raw materials")
  expand to the material list of the rule that enumerates them. Names with no catalogue id are
  reported on standard error and kept only in `materials`.
- stages: the rule's stages folded onto Chokepoint's three (mining; refining <- refining,
  separation, metal; component <- magnet, component), each with the rule stages it came from.
  `recycling` is not modelled and is reported in `caveats`.
- check: the kind of share test, with its countries, country groups and threshold (as a year
  schedule), when the rule's `test` is a share test Chokepoint can compute from a country mix;
  otherwise null with `unchecked_reason`.
- terminated, enacted, caveats: from the small overlay tables below, which quote RULES.md.
- applicability: the end uses, jurisdictions and customers a rule binds, whether country data can
  test it (`basis`) and how its stages combine (`stage_logic`), from APPLICABILITY below.
- researched: the date the rules were researched (RESEARCHED below), quoted from RULES.md (the
  quote is checked against the file). A rule's status on a later date is its status as then
  recorded: a start or end date after the research date cannot be confirmed from the data.
"""

import csv
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from build_reference import write_or_check  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = os.path.join(ROOT, "data", "sources", "policy", "rules.csv")
# The app's own material catalogue (built by build_reference.py), so that every rule reaches
# every material the app knows, individual rare earths included.
CATALOGUE = os.path.join(ROOT, "data", "reference.json")
OUTPUT = os.path.join(ROOT, "data", "policy_rules.json")
RULES_MD = os.path.join(ROOT, "data", "sources", "policy", "RULES.md")

# The date the rules were researched, quoted from RULES.md (checked in `researched`).
RESEARCHED = {
    "date": "2026-12-06",
    "sources_up_to": "about October 2026",
    "quote": "Research date of the stored sources: up to ~Oct 2026 (US Code text \"current "
             "through P.L. 119-73\"); last re-checked 2026-12-06.",
}

# Catalogue ids beyond data/sources/reference/materials_summary.csv: the individual rare
# earths the catalogue carries (or will carry) as their own materials.
EXTRA_CATALOGUE_IDS = {"neodymium", "praseodymium", "dysprosium", "terbium", "samarium"}

# rules.csv material name -> catalogue ids. Names equal to a catalogue id map to themselves.
MATERIAL_IDS = {
    "rare_earths": ["rare_earths", "rare_earths_magnet"],
    "rare_earths(Nd,Pr,Tb,Dy,Gd,Sm,Ce)": [
        "rare_earths", "rare_earths_magnet", "neodymium", "praseodymium", "terbium",
        "dysprosium", "samarium",
    ],
    "bauxite_alumina_aluminium": ["aluminum"],
    "aluminum": ["aluminum"],
    "graphite": ["graphite_natural", "graphite_refined"],
    "pgm": ["platinum", "palladium"],
    "iron": ["iron_ore"],
}

# Material phrases that stand for the list of another rule.
MATERIAL_GROUPS = {
    "all 45X(c)(6) applicable critical minerals": ("US-IRC45X-MACR-CRITMIN", set()),
    "all 45X(c)(6) applicable critical minerals (in EV battery)": ("US-IRC45X-MACR-CRITMIN", set()),
    "all 45X(c)(6) minerals except metallurgical_coal": (
        "US-IRC45X-MACR-CRITMIN", {"metallurgical_coal"}),
    "Annex I strategic raw materials": ("EU-CRMA-ART5-1B-65", set()),
}

STAGE_FOLD = {
    "mining": "mining",
    "refining": "refining",
    "separation": "refining",
    "metal": "refining",
    "magnet": "component",
    "component": "component",
}
STAGE_ORDER = ["mining", "refining", "component"]

# Country phrases of rules.csv -> explicit codes and group ids (country_groups.csv).
COUNTRY_PHRASES = {
    "USA + US FTA partners (extraction/processing); North America (recycling)":
        (["USA"], ["us_fta", "us_30d_qualifying"]),
    "USA + US FTA partners; North America (recycling)": (["USA"], ["us_fta", "us_30d_qualifying"]),
    "FEOC": ([], ["feoc_covered_nations"]),
    "FEOC (incl. entities owned/controlled/subject to jurisdiction of governments of PRK|CHN|RUS|IRN)":
        ([], ["feoc_covered_nations"]),
    "North America (USA|CAN|MEX)": (["USA", "CAN", "MEX"], []),
    "any single non-EU country": ([], ["eu27"]),
    "EU27": ([], ["eu27"]),
}

# Regimes ended by a later law: every rule whose id starts with the prefix is historical after
# the date (RULES.md section 3: "(h) No credit shall be allowed under this section with respect
# to any vehicle acquired after September 30, 2025.").
TERMINATIONS = {
    "US-IRC30D-": {
        "after": "2025-09-30",
        "citation": "26 U.S.C. 30D(h), added by P.L. 119-21 (2025)",
        "note": "No clean-vehicle credit for vehicles acquired after 30 September 2025: the 30D "
                "tests are historical after that date.",
    },
}

# Rules that are bills, not law (RULES.md: "Bill text only; do not encode as law").
NOT_ENACTED = {"US-FY27NDAA-1803-PENDING"}

# Who and what each checked rule applies to, beyond its materials and stages (the portfolio's
# end uses, jurisdiction and customer; ids as in src/model/context.rs), read from the rule's
# `items` and `applies_to` columns, which are quoted beside each entry. Keyed by rule-id prefix;
# the first matching prefix wins. Fields:
# - end_uses: the line end uses the rule covers (empty: any);
# - jurisdictions: where the firm must sell for the rule to bind it (empty: any);
# - customers: the customers whose supply chain the rule binds (empty: any);
# - basis: "country" when a country mix can test the rule, "ownership" when the law tests who owns
#   or controls the supplier (a foreign entity of concern, a prohibited foreign entity), which
#   country data cannot tell;
# - stage_logic: "each" when every covered stage must pass on its own, "any" when a mineral
#   qualifies if one covered stage took place in a qualifying country: 26 U.S.C. 30D(e)(1)(A)
#   counts minerals "extracted or processed" in the US or an FTA partner (RULES.md section 3).
APPLICABILITY = [
    # items "neodymium-iron-boron magnets; end items containing them"; applies_to "DoD prime
    # contractors and subcontractors at any tier".
    # A magnet of unstated type ("magnet") is bound by both magnet rules.
    ("US-DFARS7052-NDFEB-", {"end_uses": ["magnet_ndfeb", "magnet"], "customers": ["us_dod"]}),
    # items "samarium-cobalt magnets; end items containing them"; same applies_to.
    ("US-DFARS7052-SMCO-", {"end_uses": ["magnet_smco", "magnet"], "customers": ["us_dod"]}),
    # tantalum and tungsten metals and "end items containing them": any end use, DoD supply chain.
    ("US-DFARS7052-TA-", {"customers": ["us_dod"]}),
    ("US-DFARS7052-W-", {"customers": ["us_dod"]}),
    # applies_to "Secretary of Defense procurement; prime contracts and subcontracts".
    ("US-10USC4872-", {"customers": ["us_dod"]}),
    # items "EV traction battery"; a credit for vehicles sold in the US; foreign entity of concern
    # means owned by, controlled by or subject to the jurisdiction of a covered government.
    ("US-IRC30D-FEOC-", {"end_uses": ["battery"], "jurisdictions": ["us"], "basis": "ownership"}),
    ("US-IRC30D-CM-", {"end_uses": ["battery"], "jurisdictions": ["us"], "stage_logic": "any"}),
    ("US-IRC30D-", {"end_uses": ["battery"], "jurisdictions": ["us"]}),
    # items "battery energy storage systems"; the material-assistance cost ratio counts costs not
    # attributable to prohibited foreign entities (ownership and control).
    ("US-IRC48E45Y-MACR-STORAGE", {"end_uses": ["battery"], "jurisdictions": ["us"],
                                   "basis": "ownership"}),
    ("US-IRC48E45Y-", {"jurisdictions": ["us"], "basis": "ownership"}),
    ("US-IRC45X-", {"jurisdictions": ["us"]}),
]
APPLICABILITY_DEFAULT = {"end_uses": [], "jurisdictions": [], "customers": [], "basis": "country",
                         "stage_logic": "each"}


def applicability(rule_id):
    """The applicability fields of `rule_id` (APPLICABILITY, defaults filled in)."""
    for prefix, fields in APPLICABILITY:
        if rule_id.startswith(prefix):
            return {**APPLICABILITY_DEFAULT, **fields}
    return dict(APPLICABILITY_DEFAULT)


# Caveats on the approximation each kind of check makes, stored with each checked rule.
KIND_CAVEATS = {
    "max_group_share": "Country of origin stands in for where each covered step took place; "
                       "the rest-of-world remainder (ROW) is of unknown origin and not counted.",
    "max_single_country_share": "An EU-level benchmark for the Union's annual consumption, "
                                "addressed to the Commission and Member States, not a company "
                                "obligation; applied to one mix it is a heuristic.",
    "min_group_share": "The law measures value shares over all qualifying materials or "
                       "components; one material's country mix is a proxy.",
    "min_share_outside_group": "The material-assistance cost ratio (MACR) is a cost share not "
                               "attributable to prohibited foreign entities (ownership and "
                               "control, not location); the share of the mix outside the covered "
                               "nations is a proxy. The threshold year is the year of the date "
                               "checked (construction start).",
}
ENTITY_CAVEAT = ("The law tests entities (owned by, controlled by or subject to the jurisdiction "
                 "of a covered nation's government), not countries of origin; the country mix is "
                 "a proxy.")

CODE = re.compile(r"^[A-Z]{3}$")
PERCENT = re.compile(r"^(\d+(?:\.\d+)?)%$")


def split_pipes(text):
    """Split on '|' outside parentheses; empty text gives an empty list."""
    text = text.strip()
    if not text:
        return []
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch == "|" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return parts


def percent(text):
    m = PERCENT.match(text.strip())
    if not m:
        return None
    return round(float(m.group(1)) / 100.0, 6)


def threshold_schedule(text):
    """'65%' -> one open step; '2026:40%; ...; after 2029:60%' or '<2024:50%; 2024-2025:60%' ->
    year steps. None when the text is not a threshold."""
    text = text.strip()
    single = percent(text)
    if single is not None:
        return [{"from_year": None, "to_year": None, "share": single}]
    steps = []
    for part in text.split(";"):
        if ":" not in part:
            return None
        years, value = (p.strip() for p in part.split(":", 1))
        share = percent(value)
        if share is None:
            return None
        if re.fullmatch(r"\d{4}", years):
            low = high = int(years)
        elif m := re.fullmatch(r"(\d{4})-(\d{4})", years):
            low, high = int(m.group(1)), int(m.group(2))
        elif m := re.fullmatch(r"after (\d{4})", years):
            low, high = int(m.group(1)) + 1, None
        elif m := re.fullmatch(r"<(\d{4})", years):
            low, high = None, int(m.group(1)) - 1
        else:
            return None
        steps.append({"from_year": low, "to_year": high, "share": share})
    return steps or None


def countries_of(text):
    """(codes, groups) for a countries cell, or None when it names no usable set."""
    text = text.strip()
    if text in COUNTRY_PHRASES:
        codes, groups = COUNTRY_PHRASES[text]
        return list(codes), list(groups)
    head = re.sub(r"\s*\(.*\)\s*$", "", text)
    codes = [c.strip() for c in head.split("|")]
    if codes and all(CODE.match(c) for c in codes):
        return codes, []
    return None


def check_of(row):
    """(check, unchecked_reason) for a row."""
    test = row["test"].strip()
    threshold = row["threshold"].strip()
    stages = [s for s in split_pipes(row["stages_covered"]) if s in STAGE_FOLD]
    if not stages:
        return None, "no supply-chain stage to check (entity test or no stages given)"
    if test.startswith("share_from_group") or test.startswith("share_from_FEOC"):
        kind = "max_group_share"
        if "== 0" not in test:
            return None, "share test not understood"
    elif test.startswith("single_country_share <="):
        kind = "max_single_country_share"
    elif test.startswith("value_share") and ">=" in test:
        kind = "min_group_share"
    elif test.startswith("MACR") and ">=" in test:
        kind = "min_share_outside_group"
    else:
        return None, "not a country-share test (disclosure, due diligence, credit amount or " \
                     "entity test)"
    schedule = threshold_schedule(threshold)
    if schedule is None:
        return None, f"no threshold in the data ({threshold or 'blank'})"
    countries = countries_of(row["countries"])
    if countries is None:
        sys.exit(f"{row['rule_id']}: countries {row['countries']!r} not understood; "
                 "add it to COUNTRY_PHRASES")
    codes, groups = countries
    check = {"kind": kind}
    if kind == "max_single_country_share":
        check["exclude_groups"] = groups
        check["exclude_countries"] = codes
    else:
        check["countries"] = codes
        check["groups"] = groups
    check["threshold"] = schedule
    return check, None


def load_catalogue():
    ids = set(EXTRA_CATALOGUE_IDS)
    with open(CATALOGUE, encoding="utf-8") as f:
        ids.update(m["id"] for m in json.load(f)["materials"])
    # Spellings the Rust loader resolves to catalogue ids (`canonical_material_id`).
    ids.update({"aluminum", "graphite_natural", "graphite_refined"})
    return ids


def material_ids(names, by_id, catalogue, unknown, rule_id, seen=()):
    out = []
    for name in names:
        if name in MATERIAL_GROUPS:
            target, excluded = MATERIAL_GROUPS[name]
            if target in seen:
                continue
            expanded = [n for n in split_pipes(by_id[target]["materials"]) if n not in excluded]
            out += material_ids(expanded, by_id, catalogue, unknown, rule_id, seen + (target,))
        elif name in MATERIAL_IDS:
            out += MATERIAL_IDS[name]
        elif name in catalogue:
            out.append(name)
        else:
            unknown.setdefault(name, []).append(rule_id)
    result = []
    for m in out:
        if m not in result:
            result.append(m)
    return result


def researched():
    """RESEARCHED, with its quote checked against RULES.md and its citation."""
    with open(RULES_MD, encoding="utf-8") as f:
        text = f.read()
    if RESEARCHED["quote"] not in text or RESEARCHED["date"] not in RESEARCHED["quote"]:
        raise SystemExit(f"build_policy: RULES.md no longer says {RESEARCHED['quote']!r}: "
                         "update RESEARCHED")
    return {
        "date": RESEARCHED["date"],
        "sources_up_to": RESEARCHED["sources_up_to"],
        "citation": f"data/sources/policy/RULES.md: \"{RESEARCHED['quote']}\"",
    }


def build():
    with open(SOURCE, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_id = {r["rule_id"]: r for r in rows}
    catalogue = load_catalogue()
    unknown = {}
    rules = []
    for row in rows:
        rid = row["rule_id"].strip()
        raw_stages = split_pipes(row["stages_covered"])
        folded = []
        for target in STAGE_ORDER:
            sources = [s for s in raw_stages if STAGE_FOLD.get(s) == target]
            if sources:
                folded.append({"stage": target, "from": sources})
        caveats = []
        # "WARNING: ..." or "WARNING (re-checked 2026-12-06): ..." (the December 2026 notes).
        warning = re.search(r"WARNING(?: \(([^)]*)\))?:", row["notes"])
        if warning:
            text = row["notes"][warning.end():].strip()
            caveats.append(f"{text} ({warning.group(1)})" if warning.group(1) else text)
        if "recycling" in raw_stages:
            caveats.append("The recycling stage is not modelled by Chokepoint.")
        if "metal" in raw_stages and not ({"refining", "separation"} & set(raw_stages)):
            caveats.append("Only metal making (melting, alloying, reduction to metal or powder) "
                           "is covered upstream of the magnet or component; Chokepoint folds it "
                           "into Refining, whose reference mixes also describe refining and "
                           "separation, which this rule does not cover.")
        check, reason = check_of(row)
        if check is not None:
            caveats.append(KIND_CAVEATS[check["kind"]])
            if "feoc_covered_nations" in check.get("groups", []) or "PFE" in row["countries"]:
                caveats.append(ENTITY_CAVEAT)
        terminated = None
        for prefix, termination in TERMINATIONS.items():
            if rid.startswith(prefix):
                terminated = dict(termination)
        rules.append({
            "rule_id": rid,
            "jurisdiction": row["jurisdiction"].strip(),
            "name": row["name"].strip(),
            "legal_citation": row["legal_citation"].strip(),
            "applies_to": row["applies_to"].strip(),
            "materials": split_pipes(row["materials"]),
            "material_ids": material_ids(split_pipes(row["materials"]), by_id, catalogue,
                                         unknown, rid),
            "items": row["items"].strip(),
            "stages_covered": raw_stages,
            "stages": folded,
            "countries": split_pipes(row["countries"]),
            "test": row["test"].strip(),
            "threshold": split_pipes(row["threshold"]),
            "effective_from": row["effective_from"].strip() or None,
            "effective_to": row["effective_to"].strip() or None,
            "exceptions": row["exceptions"].strip(),
            "source": row["source_url_or_location"].strip(),
            "confidence": row["confidence"].strip().lower(),
            "notes": row["notes"].strip(),
            "enacted": rid not in NOT_ENACTED,
            "terminated": terminated,
            "check": check,
            "unchecked_reason": reason,
            "applicability": applicability(rid),
            "caveats": caveats,
        })
    if unknown:
        listed = "; ".join(f"{name!r} ({len(ids)} rule{'s' if len(ids) > 1 else ''}, e.g. {ids[0]})"
                           for name, ids in sorted(unknown.items()))
        print(f"build_policy: {len(unknown)} material names have no catalogue id and are kept in "
              f"`materials` only: {listed}", file=sys.stderr)
    document = {
        "source": "data/sources/policy/rules.csv and RULES.md (research up to December 2026)",
        "generated_by": "scripts/data/build_policy.py",
        "researched": researched(),
        "rules": rules,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main():
    text = build()
    return write_or_check(OUTPUT, text, "build_policy.py", "--check" in sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
