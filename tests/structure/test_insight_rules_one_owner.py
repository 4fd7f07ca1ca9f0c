#!/usr/bin/python3
"""The insights' rules have one owner, the C library (libpinetl/src/insights/sql.c, windows.h,
core/age_groups.h): no Python, SQL or notebook source outside libpinetl restates a year window
("BETWEEN 2015 AND 2020", "(2015-2020)" in a title) or an age group ("CASE WHEN age BETWEEN 18
AND 24 ...", "age >= 51", a list of the groups' names). Python asks C: pinetl.insight_sql(...,
dialect=...), pinetl.insight_years(name), pinetl.age_groups().

Usage: test_insight_rules_one_owner.py   (run from the project root)
"""
import os
import re
import sys

# Where product code and its examples live (tests hold expected values, which may name years).
ROOTS = ("bindings", "examples", "dags", "scripts", "pipeline")
SKIP = ("build", ".venv", "__pycache__", "node_modules")
EXTS = (".py", ".sql", ".ipynb", ".scala")
RESTATED = [
    re.compile(r"BETWEEN\s+\d+\s+AND\s+\d+", re.I),               # a window or an age group
    re.compile(r"\bage\w*\s*>=?\s*\d+", re.I),                      # an open-ended age group
    re.compile(r"CASE\s+WHEN\s+[\w.{}]*age[\w.{}]*\s", re.I),     # an age group CASE
    re.compile(r"\b(19|20)\d\d\s*(-|\.\.|to)\s*(19|20)\d\d\b"),       # a window in a title
    re.compile(r"""["']18-24["']\s*,\s*["']25-35"""),                  # the age groups listed
]


def sources():
    for root in ROOTS:
        for base, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in SKIP]
            for name in files:
                if name.endswith(EXTS):
                    yield os.path.join(base, name)


def main():
    found = []
    for path in sources():
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                if any(p.search(line) for p in RESTATED):
                    found.append(f"{path}:{n}: {line.strip()}")
    for f in found:
        print(f"restated insight rule (ask pinetl.insight_sql instead): {f}")
    checked = sum(1 for _ in sources())
    if checked == 0:
        print("no source found: run from the project root")
        return 1
    print(f"{checked} files checked, {len(found)} restatements")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
