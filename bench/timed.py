#!/usr/bin/env python3
"""Runs one command once and appends its figures to a TSV: bench/run's interleaved rounds for the
targets of issue 23 (each round runs every command once, so a drift of the shared machine's speed
touches all of them alike).

    timed.py TSV NAME [--stdout FILE] [--anon] -- COMMAND [ARG ...]

Appends "NAME, wall s, user s, sys s, peak RSS KiB, peak RssAnon KiB, exit status". Wall time is
a monotonic clock around the child's start and reaping; user, sys and peak RSS are the kernel's
accounting of the child and its waited-for children (wait4); peak RSS is the kernel's ru_maxrss
(which cannot read below this script's own ~14 MiB, copied into the child before its exec).
--anon samples the child's /proc/PID/status every 2 ms for its anonymous resident memory
(RssAnon: heap and stacks, not the mapped input nor the page cache; the kernel keeps no peak of
it, so the figure is the largest sample) and its VmHWM (the command's own peak RSS, file pages
included), which then is the peak RSS column. The command's standard output goes to FILE (else /dev/null).
"""
import os
import subprocess
import sys
import time


def memory_kib(pid):
    """(RssAnon, VmHWM) of a running process in KiB, (0, 0) once it is gone."""
    anon = hwm = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    anon = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        pass
    return anon, hwm


def main():
    args = sys.argv[1:]
    if "--" not in args or len(args) < 4:
        sys.exit(__doc__)
    cut = args.index("--")
    opts, cmd = args[:cut], args[cut + 1:]
    tsv, name, opts = opts[0], opts[1], opts[2:]
    out, anon = os.devnull, False
    while opts:
        if opts[0] == "--stdout":
            out, opts = opts[1], opts[2:]
        elif opts[0] == "--anon":
            anon, opts = True, opts[1:]
        else:
            sys.exit(f"timed.py: unknown option {opts[0]}")
    with open(out, "wb") as f:
        t0 = time.monotonic()
        child = subprocess.Popen(cmd, stdout=f, stderr=subprocess.DEVNULL)
        peak = hwm = 0
        if anon:
            while True:
                pid, status, ru = os.wait4(child.pid, os.WNOHANG)
                if pid:
                    break
                a, h = memory_kib(child.pid)
                peak, hwm = max(peak, a), max(hwm, h)
                time.sleep(0.002)
        else:
            pid, status, ru = os.wait4(child.pid, 0)
        wall = time.monotonic() - t0
    # ru_maxrss counts this (Python) process's pages copied into the child before its exec, a
    # floor of ~14 MiB; sampled, VmHWM is the command's own peak (its mm starts at the exec).
    rss = hwm if anon else ru.ru_maxrss
    child.returncode = os.waitstatus_to_exitcode(status)
    with open(tsv, "a") as f:
        f.write(f"{name}\t{wall:.3f}\t{ru.ru_utime:.3f}\t{ru.ru_stime:.3f}\t{rss}\t"
                f"{peak if anon else ''}\t{child.returncode}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
