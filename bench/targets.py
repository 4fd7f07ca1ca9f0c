#!/usr/bin/env python3
"""Prints the targets of issue 23 with PASS/FAIL from bench/run's interleaved rounds (the TSV of
bench/timed.py: name, wall s, user s, sys s, peak RSS KiB, peak RssAnon KiB, exit status).

    targets.py ROUNDS.tsv --rows N --small-rows M

For each command: the best wall time and the least CPU time (user + sys) over the rounds, each
command having run once per round, in turn. A command that failed in any round is "n/a".
"""
import argparse
import collections
import csv


def load(path):
    runs = collections.defaultdict(list)
    with open(path, newline="") as f:
        for name, wall, user, sys_, rss, anon, rc in csv.reader(f, delimiter="\t"):
            runs[name].append({"wall": float(wall), "cpu": float(user) + float(sys_),
                               "rss": int(rss) / 1024, "anon": int(anon) / 1024 if anon else None,
                               "rc": int(rc)})
    best = {}
    for name, rs in runs.items():
        if any(r["rc"] for r in rs):
            continue
        anons = [r["anon"] for r in rs if r["anon"] is not None]
        best[name] = {"wall": min(r["wall"] for r in rs), "cpu": min(r["cpu"] for r in rs),
                      "rss": max(r["rss"] for r in rs), "anon": max(anons) if anons else None,
                      "runs": len(rs)}
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rounds")
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--small-rows", type=int, required=True)
    a = ap.parse_args()
    b = load(a.rounds)

    print("interleaved rounds (each command once per round, in turn; best wall, least CPU):")
    print(f"  {'command':<40} {'runs':>4} {'wall s':>8} {'CPU s':>7} {'peak RSS MB':>11}"
          f" {'RssAnon MB':>10}")
    for name, r in b.items():
        anon = f"{r['anon']:.1f}" if r["anon"] is not None else ""
        print(f"  {name:<40} {r['runs']:>4} {r['wall']:>8.3f} {r['cpu']:>7.3f} {r['rss']:>11.1f}"
              f" {anon:>10}")

    def ratio(a_name, b_name, key="wall"):
        x, y = b.get(a_name), b.get(b_name)
        return x[key] / y[key] if x and y and y[key] > 0 else None

    scale = 1e6 / a.rows
    clean = b.get("pinetl clean pin")
    mem, small = b.get("pinetl clean pin (memory)"), b.get("pinetl clean pin (memory, small)")
    growth = mem["rss"] / small["rss"] if mem and small and small["rss"] else None
    targets = [
        ("clean <= 1.3x cp of the same file (wall)", ratio("pinetl clean pin", "cp pin"), 1.3, "x"),
        ("clean total CPU <= 0.5 s (1M pins)", clean and clean["cpu"] * scale, 0.5, "s"),
        ("clean -T 1 <= 1.5x a simdjson On-Demand walk of every field (wall, one core)",
         ratio("pinetl clean pin -T 1", "simdjson walk pin"), 1.5, "x"),
        ("Python read_arrow <= 1.0x the CLI (whole process)",
         ratio("python pinetl.read_arrow pin", "pinetl clean pin"), 1.0, "x"),
        ("Python read_json <= 1.5x the CLI (whole process)",
         ratio("python pinetl.read_json pin", "pinetl clean pin"), 1.5, "x"),
        ("peak RssAnon of the clean <= 32 MB", mem and mem["anon"], 32, "MB"),
        (f"peak RSS of the clean on {a.rows:,} pins <= 1.2x on {a.small_rows:,} (RSS does not"
         " grow with the file)", growth, 1.2, "x"),
    ]
    print("\ntargets (issue 23):")
    for label, value, limit, unit in targets:
        if value is None:
            print(f"  n/a   {label}")
        else:
            print(f"  {'PASS' if value <= limit else 'FAIL'}  {label}: {value:.2f} {unit}")
    print()
    # Information, not targets: each Python reader less what it loads before it reads a byte
    # (best of each less best of the other: a rough difference, not a paired one).
    for reader, start in (("python pinetl.read_arrow pin", "python start + imports of read_arrow"),
                          ("python pinetl.read_json pin", "python start + imports of read_json")):
        r, st = b.get(reader), b.get(start)
        if r and st and clean:
            net = {k: r[k] - st[k] for k in ("wall", "cpu")}
            print(f"{reader} less its start and imports ({st['wall']:.3f} s wall, "
                  f"{st['cpu']:.3f} s CPU): {net['wall']:.3f} s wall, {net['cpu']:.3f} s CPU = "
                  f"{net['wall'] / clean['wall']:.2f}x the CLI's wall, "
                  f"{net['cpu'] / clean['cpu']:.2f}x its CPU")
    print()
    for key in ("wall", "cpu"):
        pairs = [(c, n) for c in ("pinetl clean pin", "pinetl clean pin -T 1")
                 for n in ("cp pin", "simdjson walk pin") if ratio(c, n, key) is not None]
        if pairs:
            print(f"ratios ({key}) to the anchors: " + ", ".join(
                f"{c} / {n} {ratio(c, n, key):.2f}x" for c, n in pairs))
    print()


if __name__ == "__main__":
    main()
