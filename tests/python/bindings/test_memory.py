"""Memory stays flat over many repeated batch calls: C memory is freed with its Python owner."""
import gc
import os

import pinetl


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_rss_is_flat_over_repeated_batches(sample):
    data = open(sample("pin"), "rb").read()
    geo = open(sample("geo"), "rb").read().splitlines()

    def round_trip():
        res = pinetl.clean_json(data, "pin")
        assert len(res.rows) + len(res.rejects) == res.stats["read"]
        pinetl.clean_json(geo, "geo")
        pinetl.read_json(sample("user"), "user")

    for _ in range(20):  # warm up: allocator pools, pandas caches
        round_trip()
    gc.collect()
    before = _rss_bytes()
    for _ in range(150):
        round_trip()
    gc.collect()
    growth = _rss_bytes() - before
    # One pass handles ~3 MB of input; a leak of even one batch per call would add far more.
    assert growth < 24 * 1024 * 1024, f"RSS grew by {growth / 2**20:.1f} MiB over 150 passes"
