"""bench/serve_bench's boto3 row: acknowledged records/s through the real AWS SDK for Python,
boto3's Kinesis client put_records (500 real pins a request, SigV4-signed with dummy credentials,
Kinesis' own JSON API: POST / with X-Amz-Target), against a running pinetl serve.

  python bench/boto3_put_records.py --port P --conns C --batch 500 --requests N --seconds S \
      --sample tests/data/real-sample/pin.jsonl --prefix bench

One client (its own HTTP connection pool) per thread, one request in flight each. Prints one line
as bench/serve_client.c does: mode, connections, requests, records, seconds, records/s, p50 ms,
p99 ms, failed requests (tab-separated)."""
import argparse
import os
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--conns", type=int, default=1)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--requests", type=int, default=200000)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--prefix", default="bench")
    a = ap.parse_args()
    import boto3
    from botocore.config import Config
    # Dummy credentials made here: the server on loopback accepts signed requests unchecked.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIDBENCH" + os.urandom(4).hex().upper())
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", os.urandom(20).hex())
    with open(a.sample, "rb") as f:
        pins = f.read().splitlines()
    stream = f"streaming-{a.prefix}-pin"
    records = [{"Data": pins[i % len(pins)], "PartitionKey": str(i)} for i in range(a.batch)]
    lock = threading.Lock()
    lat, failed, sent = [], [0], [0]
    deadline = time.monotonic() + a.seconds

    def worker():
        k = boto3.client("kinesis", endpoint_url=f"http://127.0.0.1:{a.port}",
                         region_name="us-east-1",
                         config=Config(retries={"max_attempts": 1},
                                       max_pool_connections=1))
        while time.monotonic() < deadline:
            with lock:
                if sent[0] >= a.requests:
                    return
                sent[0] += 1
            t0 = time.perf_counter()
            try:
                r = k.put_records(StreamName=stream, Records=records)
                ok = r["FailedRecordCount"] == 0
            except Exception:
                ok = False
            dt = time.perf_counter() - t0
            with lock:
                if ok:
                    lat.append(dt)
                else:
                    failed[0] += 1

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(a.conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.monotonic() - t0
    lat.sort()
    n = len(lat)
    p = (lambda q: lat[min(n - 1, int(q * n))] * 1000) if n else (lambda q: 0.0)
    print(f"boto3-putrecords\t{a.conns}\t{n + failed[0]}\t{n * a.batch}\t{secs:.2f}\t"
          f"{n * a.batch / secs:.0f}\t{p(0.5):.2f}\t{p(0.99):.2f}\t{failed[0]}")


if __name__ == "__main__":
    main()
