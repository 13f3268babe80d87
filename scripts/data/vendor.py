#!/usr/bin/env python3
"""Copy a newer upstream of the cited source files into data/sources/ (the project's vendored copy).

The data build (scripts/data/build_*.py, build_map.mjs) and the tests read their sources from
data/sources/ only, so that a clone builds, tests and regenerates its data with nothing beside it.
This script is the one step that refreshes that copy from an upstream directory laid out like
data/sources/ (by default the team's ../shared/data, when it exists):

    python3 scripts/data/vendor.py                 # copy every listed file from ../shared/data
    python3 scripts/data/vendor.py --from DIR      # ... from another upstream directory
    python3 scripts/data/vendor.py --check         # exit 1 if data/sources differs from upstream

Only the files listed in MANIFEST are copied, each one under the same relative path. The RMI
supplier-declaration templates (upstream `cmrt/`) are never copied: RMI reserves all rights to
them, so the tests that need them read them from the upstream directory or from
$CHOKEPOINT_RMI_DIR (tests/it/import/fixtures.rs, tests/e2e/rmi.mjs).

After a refresh, regenerate the embedded data (`python3 scripts/data/build_*.py`,
`node scripts/data/build_map.mjs`) and review `git diff data/`. The licence and attribution of
each source are in data/sources/SOURCES.md; keep that file up to date when the manifest changes.
"""

import argparse
import filecmp
import fnmatch
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "data" / "sources"
DEFAULT_UPSTREAM = ROOT.parent / "shared" / "data"

# Glob patterns (relative to the upstream directory) of the files that are vendored. Anything not
# matched stays upstream. Keep in step with data/sources/SOURCES.md.
MANIFEST = [
    # USGS MCS 2025 and 2026 (US public domain), IEA (CC BY 4.0), WGI (CC BY 4.0), ISO codes
    # (PDDL): the derived tables, their provenance notes, and the raw files they come from.
    "reference/SOURCES.md",
    "reference/*.csv",
    "reference/raw/country-codes.csv",
    "reference/raw/iea/*.json",
    "reference/raw/usgs_mcs2025/*/*",
    "reference/raw/usgs_mcs2026/*",
    "reference/raw/wgi/wgidataset.*",
    # EU criticality assessments 2017/2020/2023 (Commission reuse policy, CC BY 4.0).
    "eu-crm/*",
    # The project's own research tables (events, policy rules, country groups, intensities).
    "events/*",
    "policy/*",
    "intensity/*",
    # CEPII BACI bilateral trade, HS92, 2022-2024 (Etalab Open Licence 2.0, attribution).
    "trade/*",
]

# Never vendored, whatever the manifest says (RMI reserves all rights to its templates).
EXCLUDED = ["cmrt/*", "cmrt/*/*"]

# Executable scripts of the upstream (its own build code) are not copied: the project writes its
# own code; only data and the notes that cite it are vendored.
NOT_DATA = ["*.py", "*.sh"]


def listed(upstream):
    """The relative paths under `upstream` that the manifest selects, sorted."""
    found = set()
    for pattern in MANIFEST:
        for path in upstream.glob(pattern):
            if not path.is_file():
                continue
            rel = path.relative_to(upstream).as_posix()
            if any(fnmatch.fnmatch(rel, p) for p in EXCLUDED + NOT_DATA):
                continue
            found.add(rel)
    return sorted(found)


# Folders of data/sources/ that are not from the upstream: the world map (from an npm package)
# and the project's own sanctions lists. The vendoring neither compares nor removes them.
OWN = ("map/", "sanctions/")


def vendored():
    """The relative paths of the vendored files under data/sources/ (SOURCES.md at the top and
    the folders in OWN excluded)."""
    return sorted(
        p.relative_to(SOURCES).as_posix()
        for p in SOURCES.rglob("*")
        if p.is_file() and p.parent != SOURCES and not p.relative_to(SOURCES).as_posix().startswith(OWN)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="upstream", type=Path, default=DEFAULT_UPSTREAM,
                        help="the upstream data directory (default: ../shared/data)")
    parser.add_argument("--check", action="store_true",
                        help="compare only; exit 1 if data/sources differs from the upstream")
    args = parser.parse_args()
    upstream = args.upstream
    if not upstream.is_dir():
        print(f"vendor: no upstream directory at {upstream}; nothing to do "
              "(data/sources/ is the project's copy and needs no upstream)", file=sys.stderr)
        return 0 if args.check else 2

    wanted = listed(upstream)
    have = set(vendored())
    changed = [rel for rel in wanted
               if rel not in have or not filecmp.cmp(upstream / rel, SOURCES / rel, shallow=False)]
    gone = sorted(have - set(wanted))
    if args.check:
        for rel in changed:
            print(f"vendor: {rel} differs from upstream", file=sys.stderr)
        for rel in gone:
            print(f"vendor: {rel} is no longer upstream", file=sys.stderr)
        if changed or gone:
            print("vendor: run python3 scripts/data/vendor.py", file=sys.stderr)
            return 1
        print(f"vendor: data/sources matches {len(wanted)} upstream files")
        return 0

    for rel in changed:
        target = SOURCES / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(upstream / rel, target)
        os.chmod(target, 0o644)
        print(f"vendor: copied {rel}")
    for rel in gone:
        (SOURCES / rel).unlink()
        print(f"vendor: removed {rel} (no longer upstream)")
    print(f"vendor: {len(changed)} copied, {len(gone)} removed, {len(wanted)} files in data/sources; "
          "now regenerate the data (python3 scripts/data/build_*.py) and review git diff data/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
