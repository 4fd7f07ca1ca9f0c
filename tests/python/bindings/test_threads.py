"""Concurrent calls from threads (CFFI releases the GIL around C calls) give the same results as
calls made one at a time."""
from concurrent.futures import ThreadPoolExecutor

import pinetl
from compare import frame_rows


def test_clean_json_from_many_threads(sample):
    inputs = {t: open(sample(t), "rb").read() for t in ("pin", "geo", "user")}
    expected = {t: frame_rows(pinetl.clean_json(data, t).rows, t) for t, data in inputs.items()}
    jobs = [t for t in inputs for _ in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda t: (t, pinetl.clean_json(inputs[t], t)), jobs))
    for t, res in results:
        assert frame_rows(res.rows, t) == expected[t]
        assert res.stats["read"] == len(res.rows) + len(res.rejects)


def test_read_json_and_scalars_from_many_threads(sample):
    expected = frame_rows(pinetl.read_json(sample("geo"), "geo").rows, "geo")

    def work(i):
        if i % 2:
            return frame_rows(pinetl.read_json(sample("geo"), "geo", threads=2).rows, "geo")
        return [pinetl.scalar.follower_count(f"{k}k") for k in range(200)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, range(8)))
    for i, r in enumerate(results):
        assert r == (expected if i % 2 else [k * 1000 for k in range(200)])


def test_errors_stay_on_their_thread(tmp_path):
    # The C message is thread-local: each thread's exception names its own input.
    def fail(i):
        try:
            pinetl.read_json(tmp_path / f"missing-{i}.jsonl", "pin")
        except pinetl.Error as e:
            return e.message
        return None

    with ThreadPoolExecutor(max_workers=4) as pool:
        messages = list(pool.map(fail, range(16)))
    for i, m in enumerate(messages):
        assert m is not None and f"missing-{i}.jsonl" in m
