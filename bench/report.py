#!/usr/bin/env python3
"""Prints bench/run's results (a TSV: name, rows, input MB, wall s, peak RSS KB, CPU %, note) as
a table with rows/s and ratios, then the targets of issue #5 with PASS/FAIL."""
import argparse
import csv

# Which pinetl row each row is compared with. ratio = the row's time per row / pinetl's.
COMPARE = {
    "python pinetl.read_json pin": "pinetl clean pin",
    "pandas clean pin": "pinetl clean pin",
    "pandas clean+insights": "pinetl insights (in memory)",
    "duckdb clean pin": "pinetl clean pin",
    "duckdb clean+insights": "pinetl insights (in memory)",
    "sqlite3 .import (final rows)": "pinetl load (SQLite)",
    "python pinetl.read_arrow pin": "pinetl clean pin",
    "python pinetl.read_arrow pin (large_string)": "pinetl clean pin",
    "polars clean pin": "pinetl clean pin",
    "duckdb (python) clean pin": "pinetl clean pin",
    "chdb clean pin": "pinetl clean pin",
    "spark json + expressions pin": "pinetl clean pin",
    "spark + pinetl (mapInArrow) pin": "pinetl clean pin",
}


def load(path):
    rows = {}
    with open(path, newline="") as f:
        for rec in csv.reader(f, delimiter="\t"):
            rec += [""] * (7 - len(rec))
            name, n, mb, wall, rss, cpu, note = rec[:7]
            r = {"name": name, "rows": int(n), "mb": float(mb), "note": note}
            try:
                r["wall"] = float(wall)
                r["rss"] = int(rss) / 1024
                r["cpu"] = float(cpu) if cpu else None
                r["rate"] = r["rows"] / r["wall"] if r["wall"] > 0 else float("inf")
                r["runs"] = note
            except ValueError:
                r["wall"] = None
                r["status"] = wall
            rows[name] = r
    return rows


def per_row(r):
    return r["wall"] / r["rows"] if r.get("wall") is not None and r["rows"] else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--cores", default="?")
    ap.add_argument("--cpu", default="?")
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--seed", default="?")
    ap.add_argument("--runs", default="?")
    ap.add_argument("--load", default="", help="1-minute load averages before and after")
    a = ap.parse_args()
    rows = load(a.results)

    print(f"\nmachine: {a.cores} cores, {a.cpu}; warm page cache; best of up to {a.runs} runs "
          f"(runs over 10 s and pandas: 1); data: seed {a.seed}, {a.rows:,} rows per table")
    loads = [float(x) for x in a.load.split()]
    if loads:
        print(f"load average (1 min) before/after measuring: {' / '.join(map(str, loads))}", end="")
        cores = int(a.cores) if a.cores.isdigit() else 1
        if max(loads) > 0.5 * cores:
            print(" -- other work shared the cores: figures are pessimistic and noisy", end="")
        print()
    print()
    head = f"{'benchmark':<33} {'rows':>10} {'input MB':>9} {'wall s':>8} {'rows/s':>12} " \
           f"{'peak RSS MB':>11} {'CPU %':>6} {'runs':>4} {'vs pinetl':>10}"
    print(head)
    print("-" * len(head))
    notes = []
    for r in rows.values():
        if r.get("wall") is None:
            print(f"{r['name']:<33} {r['rows']:>10,} {r['mb']:>9.1f} {r['status']:>8}")
            notes.append(f"  {r['name']}: {r['note']}")
            continue
        ref = rows.get(COMPARE.get(r["name"], ""))
        ratio = ""
        if ref and per_row(ref):
            ratio = f"{per_row(r) / per_row(ref):.2f}x"
        cpu = f"{r['cpu']:.0f}" if r["cpu"] is not None else ""
        print(f"{r['name']:<33} {r['rows']:>10,} {r['mb']:>9.1f} {r['wall']:>8.3f} "
              f"{r['rate']:>12,.0f} {r['rss']:>11.1f} {cpu:>6} {r['runs']:>4} {ratio:>10}")
    if notes:
        print("\nnot measured:")
        print("\n".join(notes))
    print("\nvs pinetl: the row's time per row divided by pinetl's for the same work (CLI clean of "
          "pin, or clean all three + insights); above 1 means pinetl is faster.")

    def ok(name):
        r = rows.get(name)
        return r if r and r.get("wall") is not None else None

    scale = 1e6 / a.rows
    targets = []
    r = ok("pinetl clean pin")
    targets.append(("clean 1M pins JSONL->JSONL <= 1.0 s wall",
                    r and (r["wall"] * scale, r["wall"] * scale <= 1.0), "s"))
    targets.append(("  ... using both cores (CPU >= 150 %)",
                    r and r["cpu"] is not None and (r["cpu"], r["cpu"] >= 150), "%"))
    r = ok("pinetl insights (in memory)")
    targets.append(("clean all three + insights in memory <= 1.3 s",
                    r and (r["wall"] * scale, r["wall"] * scale <= 1.3), "s"))
    p, c = ok("pandas clean pin"), ok("pinetl clean pin")
    targets.append((">= 20x the pandas baseline (clean pin, rows/s)",
                    p and c and (c["rate"] / p["rate"], c["rate"] / p["rate"] >= 20), "x"))
    py, start = ok("python pinetl.read_json pin"), ok("python start + import pinetl")
    targets.append(("Python read_json <= 2x the CLI's time, same file (whole process)",
                    py and c and (py["wall"] / c["wall"], py["wall"] / c["wall"] <= 2), "x"))
    if py and c and start:
        call = py["wall"] - start["wall"]
        targets.append(("Python read_json <= 2x the CLI's time, same file (the call: process "
                        f"{py['wall']:.2f} s - start-up {start['wall']:.2f} s)",
                        (call / c["wall"], call / c["wall"] <= 2), "x"))
    pa_ = ok("python pinetl.read_arrow pin")
    targets.append(("Python read_arrow <= 1.3x the CLI's time, same file (whole process)",
                    pa_ and c and (pa_["wall"] / c["wall"], pa_["wall"] / c["wall"] <= 1.3), "x"))
    if pa_ and c and start:
        call = pa_["wall"] - start["wall"]
        targets.append(("Python read_arrow <= 1.3x the CLI's time, same file (the call: process "
                        f"{pa_['wall']:.2f} s - start-up {start['wall']:.2f} s)",
                        (call / c["wall"], call / c["wall"] <= 1.3), "x"))
    cleans = [x for x in (ok("pinetl clean pin"), ok("pinetl clean pin+geo+user")) if x]
    targets.append(("peak RSS of pinetl clean <= 64 MB",
                    cleans and (max(x["rss"] for x in cleans), max(x["rss"] for x in cleans) <= 64),
                    "MB"))
    r = ok("pinetl load (SQLite)")
    targets.append(("warehouse load >= 500k rows/s", r and (r["rate"], r["rate"] >= 500e3), "rows/s"))

    print(f"\ntargets (times scaled to 1M rows per table from {a.rows:,}):")
    for label, res, unit in targets:
        if not res:
            print(f"  n/a   {label}")
            continue
        value, passed = res
        shown = f"{value:,.0f}" if unit == "rows/s" else f"{value:.2f}"
        print(f"  {'PASS' if passed else 'FAIL'}  {label}: {shown} {unit}")
    print()


if __name__ == "__main__":
    main()
