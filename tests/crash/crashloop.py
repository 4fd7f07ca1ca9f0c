#!/usr/bin/env python3
"""Crash safety, long form (not part of the default suite): kill -9 loops for a set time.

    python3 tests/crash/crashloop.py --pinetl build/libpinetl/cli/pinetl --seconds 300 [load ...]

load: `pinetl load` of a generated input (three tables, duplicates and bad records) into one
warehouse, killed with SIGKILL at a random moment, again and again; after each kill the database
must pass `PRAGMA integrity_check`, and the loads are then completed. At the end the tables must
equal those of one uninterrupted load (no row lost, none twice: a gap or a duplicate is counted).
serve and stream: the suite's own kill -9 tests of `pinetl serve` (tests/serve/test_serve_kill9.py)
and `pinetl stream` (tests/c/stream/test_stream_exactly_once), run round after round with new
seeds for the time given.
Prints runs, kills, integrity failures, duplicates and gaps per loop; exit 1 on any failure."""
import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time

SAMPLE = os.path.join(os.path.dirname(__file__), "..", "data", "real-sample")
TABLES = ("pin", "geo", "user")


def make_input(dirname, copies):
    """The sample's tables repeated with shifted keys, plus bad lines: about copies x 2,262 rows."""
    paths = {}
    for t in TABLES:
        key = "index" if t == "pin" else "ind"
        with open(os.path.join(SAMPLE, t + ".jsonl")) as f:
            rows = [json.loads(line) for line in f if line.strip()]
        path = os.path.join(dirname, t + ".jsonl")
        with open(path, "w") as out:
            for k in range(copies):
                for r in rows:
                    out.write(json.dumps(dict(r, **{key: r[key] + 100000 * k})) + "\n")
                out.write('{"%s": "bad-%d"}\nnot json\n' % (key, k))
        paths[t] = path
    return paths


def table_rows(db):
    con = sqlite3.connect(db)
    try:
        return {t: con.execute('SELECT * FROM "%s" ORDER BY 1' % t).fetchall()
                for t in TABLES + ("rejects",)}
    finally:
        con.close()


def load_loop(pinetl, seconds, rng, tmp):
    paths = make_input(tmp, 40)
    ref = os.path.join(tmp, "ref.db")
    for t in TABLES:
        subprocess.run([pinetl, "load", "-q", "--db", ref, "--table", t, paths[t]], check=True)
    want = table_rows(ref)
    stats = {"runs": 0, "kills": 0, "integrity_failures": 0, "duplicates": 0, "gaps": 0}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db = os.path.join(tmp, "w%d.db" % stats["runs"])
        stats["runs"] += 1
        for t in TABLES:
            # Kill it at a random moment, check, and do it again until a load completes.
            while True:
                p = subprocess.Popen([pinetl, "load", "-q", "--db", db, "--table", t, paths[t]],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                try:
                    p.wait(timeout=rng.uniform(0.0, 1.5))
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
                    stats["kills"] += 1
                    con = sqlite3.connect(db)
                    ok = con.execute("PRAGMA integrity_check").fetchone()[0]
                    con.close()
                    if ok != "ok":
                        stats["integrity_failures"] += 1
                        print("integrity check failed after a kill:", ok, file=sys.stderr)
                    continue
                if p.returncode != 0:
                    print("load failed:", p.stderr.read().decode()[-300:], file=sys.stderr)
                    stats["integrity_failures"] += 1
                break
        got = table_rows(db)
        for t, rows in want.items():
            have = got[t]
            stats["duplicates"] += max(0, len(have) - len(set(have)))
            stats["gaps"] += len(set(rows) - set(have))
            if set(have) != set(rows):
                stats["integrity_failures"] += 1
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
    return stats


def _rounds(seconds, run_round, classify):
    """Runs the suite's own kill -9 test again and again (a new seed each round) until the time is
    up; a round that fails counts as an integrity failure, and as a duplicate or a gap when its
    message says so."""
    stats = {"runs": 0, "kills": 0, "integrity_failures": 0, "duplicates": 0, "gaps": 0}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        stats["runs"] += 1
        p, kills = run_round(stats["runs"])
        stats["kills"] += kills
        if p.returncode != 0:
            out = (p.stdout + p.stderr).decode("utf-8", "replace")
            stats["integrity_failures"] += 1
            for key in classify(out):
                stats[key] += 1
            print(out[-2000:], file=sys.stderr)
    return stats


def serve_loop(pinetl, seconds, rng, tmp):
    """tests/serve/test_serve_kill9.py: clients post while the server is killed and restarted;
    every acknowledged record must be in the landing folder exactly once."""
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "serve")

    def run_round(_):
        env = dict(os.environ, SERVE_KILL_ITERATIONS="12", SERVE_KILL_SEED=str(rng.randrange(1 << 30)))
        return subprocess.run([sys.executable, "test_serve_kill9.py", pinetl], cwd=here, env=env,
                              capture_output=True, timeout=900), 12

    return _rounds(seconds, run_round, lambda out: (["duplicates"] if "twice" in out else []) +
                   (["gaps"] if "lost" in out or "gap" in out else []))


def stream_loop(pinetl, seconds, rng, tmp):
    """tests/c/stream/test_stream_exactly_once (the build's test program): pinetl stream killed at
    random moments while a writer appends; the warehouse must equal an uninterrupted run."""
    build = os.path.dirname(os.path.dirname(os.path.dirname(pinetl)))
    exe = os.path.join(build, "tests", "c", "stream", "test_stream_exactly_once")
    writer = os.path.join(build, "tests", "stream", "stream_test_writer")
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

    def run_round(_):
        env = dict(os.environ, PINETL_EXE=pinetl, STREAM_TEST_WRITER=writer, STREAM_KILLS="24")
        return subprocess.run([exe], cwd=root, env=env, capture_output=True, timeout=900), 24

    return _rounds(seconds, run_round, lambda out: (["duplicates"] if "duplicate" in out else []) +
                   (["gaps"] if "gap" in out or "missing" in out else []))


LOOPS = {"load": load_loop, "serve": serve_loop, "stream": stream_loop}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("loops", nargs="*", default=list(LOOPS), help="which loops (default: all)")
    ap.add_argument("--pinetl", default="build/libpinetl/cli/pinetl")
    ap.add_argument("--seconds", type=float, default=120, help="per loop")
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.randrange(1 << 30)
    print("seed", seed)
    failed = False
    for name in a.loops:
        if name not in LOOPS:
            ap.error("unknown loop %r (known: %s)" % (name, ", ".join(LOOPS)))
        with tempfile.TemporaryDirectory() as tmp:
            s = LOOPS[name](os.path.abspath(a.pinetl), a.seconds, random.Random(seed), tmp)
        bad = s["integrity_failures"] + s["duplicates"] + s["gaps"]
        failed |= bad > 0
        print("%s: %s %s" % (name, " ".join("%s=%d" % kv for kv in s.items()),
                             "FAIL" if bad else "ok"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
