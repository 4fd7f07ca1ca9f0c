#!/usr/bin/python3
"""Wraps the real sample (tests/data/real-sample/{pin,geo,user}.jsonl) into every envelope pinetl
reads, so that tests can check each form cleans to exactly what the plain JSON lines clean to.

Deterministic: run it again and the output is byte for byte the same. The output is committed
(tests/data/envelopes/), so tests do not need Python; rerun after changing the sample:

    /usr/bin/python3 tests/data/make_envelopes.py

Records are embedded as their original bytes wherever the envelope allows it (inline JSON, base64
of the line, a JSON string of the line), so no re-serialisation can change a value; only the
pretty-printed array goes through json.loads / json.dumps.
"""
import base64
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "real-sample")
OUT = os.path.join(HERE, "envelopes")
TABLES = ("pin", "geo", "user")
PREFIX = "0a1b2c3d4e5f"     # the topic prefix of the original pipeline's user id
BODY = 50                   # records per Kafka REST / Kinesis PutRecords body
S3_OBJECT = 100             # records per S3 sink object


def lines(table):
    with open(os.path.join(SAMPLE, table + ".jsonl"), "rb") as f:
        return [l.rstrip(b"\r\n").decode("utf-8") for l in f if l.strip()]


def groups(seq, n):
    return [seq[i:i + n] for i in range(0, len(seq), n)]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def kafka_rest(table, recs):
    # One produce body per line; every third body wraps each value in a one-element list, as
    # the original pipeline's REST producer did.
    out = []
    for g, group in enumerate(groups(recs, BODY)):
        if g % 3 == 2:
            vals = ['{"value": [%s]}' % r for r in group]
        else:
            vals = ['{"value": %s}' % r for r in group]
        out.append('{"records": [%s]}\n' % ", ".join(vals))
    return "".join(out)


def kafka_dump(table, recs):
    out = []
    for i, r in enumerate(recs):
        part, off = i % 2, i // 2
        out.append('{"topic": "%s.%s", "partition": %d, "offset": %d, "timestamp": %d, '
                   '"key": null, "value": %s}\n'
                   % (PREFIX, table, part, off, 1672531200000 + i, r))
    return "".join(out)


def kinesis(table, recs):
    # Groups of BODY records, in turn: a PutRecords body with base64 Data; PutRecord lines with
    # the record inline; PutRecord lines with the record as a JSON text string.
    stream = "streaming-%s-%s" % (PREFIX, table)
    out = []
    for g, group in enumerate(groups(recs, BODY)):
        kind = g % 3
        if kind == 0:
            items = ['{"Data": "%s", "PartitionKey": "partition-%d"}'
                     % (base64.b64encode(r.encode("utf-8")).decode("ascii"), (g * BODY + i) % 4)
                     for i, r in enumerate(group)]
            out.append('{"StreamName": "%s", "Records": [%s]}\n' % (stream, ", ".join(items)))
        elif kind == 1:
            for r in group:
                out.append('{"StreamName": "%s", "Data": %s, "PartitionKey": "partition-1"}\n'
                           % (stream, r))
        else:
            for r in group:
                out.append('{"StreamName": "%s", "Data": %s, "PartitionKey": "partition-2"}\n'
                           % (stream, json.dumps(r, ensure_ascii=False)))
    return "".join(out)


def array_pretty(table, recs):
    return json.dumps([json.loads(r) for r in recs], indent=2, ensure_ascii=False) + "\n"


def s3_sink(table, recs):
    # Two partitions: the first half of the records in partition 0, the rest in partition 1, so
    # that topic / partition / offset order is input order. Offsets are not zero-padded, so a
    # reader that sorted names as text ("1000" < "200") would get the order wrong.
    topic = "%s.%s" % (PREFIX, table)
    half = (len(recs) + 1) // 2
    for part, chunk in enumerate((recs[:half], recs[half:])):
        for k, group in enumerate(groups(chunk, S3_OBJECT)):
            name = "%s+%d+%d.json" % (topic, part, k * S3_OBJECT)
            write(os.path.join(OUT, "s3-sink", "topics", topic, "partition=%d" % part, name),
                  "".join(r + "\n" for r in group))


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    for table in TABLES:
        recs = lines(table)
        write(os.path.join(OUT, table + ".kafka-rest.jsonl"), kafka_rest(table, recs))
        write(os.path.join(OUT, table + ".kafka-dump.jsonl"), kafka_dump(table, recs))
        write(os.path.join(OUT, table + ".kinesis.jsonl"), kinesis(table, recs))
        write(os.path.join(OUT, table + ".array.json"), array_pretty(table, recs))
        s3_sink(table, recs)
        write(os.path.join(OUT, table + ".count"), "%d\n" % len(recs))


if __name__ == "__main__":
    main()
