#!/usr/bin/python3
"""Checks that two cleaned JSON-lines outputs hold the same records (as parsed JSON, in any order),
so a baseline is known to do the same work as pinetl. Prints one line; exits 0 either way.

    compare.py NAME_A A.jsonl NAME_B B.jsonl
"""
import collections
import json
import sys


def records(path):
    with open(path, "rb") as f:
        return collections.Counter(
            json.dumps(json.loads(line), sort_keys=True, ensure_ascii=False)
            for line in f if line.strip())


def main():
    name_a, path_a, name_b, path_b = sys.argv[1:5]
    try:
        a, b = records(path_a), records(path_b)
    except (OSError, ValueError) as e:
        print(f"  agreement {name_a} / {name_b}: could not compare ({e})")
        return
    only_a, only_b = a - b, b - a
    same = sum((a & b).values())
    print(f"  agreement {name_a} / {name_b}: {same:,} records identical, "
          f"{sum(only_a.values()):,} only in {name_a}, {sum(only_b.values()):,} only in {name_b}")
    for rec in list(only_a)[:2]:
        print(f"    only in {name_a}: {rec[:200]}")
    for rec in list(only_b)[:2]:
        print(f"    only in {name_b}: {rec[:200]}")


if __name__ == "__main__":
    main()
