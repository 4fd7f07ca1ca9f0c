#!/usr/bin/python3
"""`pinetl clean`, `load` and `insights` read s3:// URIs (a landing, topics/, a topic, a
partition, one object) from a real S3-compatible server (s3s-fs on loopback) exactly as they
read the same S3-sink tree from a local folder: the same bytes out, the same warehouse rows, the
same insights; rejects name the s3:// object. Objects named with '+' (the sink layout) round-trip
through put, listing and get. Wrong secret, missing bucket and missing prefix fail with messages
naming the URI and the S3 error code, never the secret; a server that stops and comes back
within the retries is waited for; one that stays gone fails after the retries, loading nothing.

Usage: test_cli_s3_reads_like_a_folder.py PINETL   (run from the project root; meson does)"""
import os
import sqlite3
import subprocess
import tempfile
import time

from cli_util import PINETL, SAMPLE, TABLES, check, finish
from s3_util import S3Server, sink_tree, write_tree


def run(env, *args, timeout=300):
    p = subprocess.run([PINETL, *args], capture_output=True, timeout=timeout, env=env)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def rows(db, table):
    c = sqlite3.connect(db)
    try:
        return c.execute("SELECT * FROM %s ORDER BY 1" % table).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        c.close()


with tempfile.TemporaryDirectory() as tmp:
    server = S3Server(os.path.join(tmp, "s3"))
    try:
        env = server.env()
        server.make_bucket("landing")
        local = os.path.join(tmp, "local")
        for table in TABLES:
            with open(os.path.join(SAMPLE, table + ".jsonl"), "rb") as f:
                objects = sink_tree(table, f.readlines())
            write_tree(local, objects)
            for key, data in objects.items():
                server.put("landing", "land/" + key, data)
        bad = {"topics/p.pin/partition=0/p.pin+0+0000000000.json": b'{"index": 1}\nnot json\n'}
        write_tree(os.path.join(tmp, "bad"), bad)
        server.put("landing", "bad/topics/p.pin/partition=0/p.pin+0+0000000000.json",
                   bad["topics/p.pin/partition=0/p.pin+0+0000000000.json"])

        # clean: the landing, topics/, a topic, a partition and one object, byte for byte.
        for table in TABLES:
            for below in ("", "/topics", "/topics/p." + table, "/topics/p.%s/partition=1" % table,
                          "/topics/p.{0}/partition=0/p.{0}+0+0000000700.json".format(table)):
                rc, want, _ = run(env, "clean", "-t", table, "-q", local + below)
                rc2, got, err = run(env, "clean", "-t", table, "-q", "s3://landing/land" + below)
                check(rc == 0 and rc2 == 0 and got == want and len(got) > 1000,
                      "clean %s s3%s: exit %d/%d, %d vs %d bytes, %r" % (
                          table, below, rc, rc2, len(got), len(want), err[-300:]))
        # A landing at the bucket's root, named with and without a trailing '/'.
        server.make_bucket("root")
        with open(os.path.join(SAMPLE, "geo.jsonl"), "rb") as f:
            geo = sink_tree("geo", f.readlines())
        for key, data in geo.items():
            server.put("root", key, data)
        _, want, _ = run(env, "clean", "-t", "geo", "-q", local)
        for uri in ("s3://root", "s3://root/", "s3://landing/land/"):
            rc, got, err = run(env, "clean", "-t", "geo", "-q", uri)
            check(rc == 0 and got == want, "%s: exit %d, %r" % (uri, rc, err))
        # An object named as a folder (--input-format s3-sink, or a trailing '/') is an error.
        obj = "s3://landing/land/topics/p.pin/partition=0/p.pin+0+0000000000.json"
        for args in (["-i", "s3-sink", obj], [obj + "/"]):
            rc, out, err = run(env, "clean", "-t", "pin", "-q", *args)
            check(rc == 2 and out == b"" and "is an object, not a folder" in err,
                  "%s: exit %d, %r" % (args, rc, err))
        # Rejects name the s3:// object, with line and byte as for files.
        rej = os.path.join(tmp, "rejects.jsonl")
        rc, out, err = run(env, "clean", "-t", "pin", "-q", "-r", rej, "s3://landing/bad")
        text = open(rej).read() if os.path.exists(rej) else ""
        check(rc == 0 and out.count(b"\n") == 1 and
              '"source":"s3://landing/bad/topics/p.pin/partition=0/p.pin+0+0000000000.json",'
              '"line":2,"offset":13' in text, "rejects' source: exit %d, %r" % (rc, text))

        # load and insights: the same warehouse and the same insights.
        dbs = {}
        for name, base in (("local", local), ("s3", "s3://landing/land")):
            db = dbs[name] = os.path.join(tmp, name + ".db")
            for table in TABLES:
                rc, _, err = run(env, "load", "--db", db, "-t", table, "-q", base)
                check(rc == 0, "load %s %s: exit %d, %r" % (name, table, rc, err[-300:]))
        for table in TABLES:
            want, got = rows(dbs["local"], table), rows(dbs["s3"], table)
            check(want == got and len(want) > 1000, "load %s: %d vs %d rows" % (
                table, len(got), len(want)))
        _, want, _ = run(env, "insights", "--db", dbs["local"], "-f", "json")
        rc, got, err = run(env, "insights", "--db", dbs["s3"], "-f", "json")
        check(rc == 0 and got == want and len(got) > 100, "insights --db: exit %d, %r" % (rc, err))
        _, want, _ = run(env, "insights", "-q", "-f", "json", "--pin", local, "--geo", local,
                         "--user", local)
        rc, got, err = run(env, "insights", "-q", "-f", "json", "--pin", "s3://landing/land",
                           "--geo", "s3://landing/land/topics", "--user",
                           "s3://landing/land/topics/p.user")
        check(rc == 0 and got == want and len(got) > 100, "insights of s3://: exit %d, %r" % (
            rc, err[-300:]))

        # The '+' finding: s3s-fs answers encoding-type=url with the keys not encoded, so a
        # client that decodes '+' as a space (botocore) reads "p.pin 0 ..."; pinetl lists without
        # it and gets the keys as stored.
        status, body = server.request("GET", "/landing", query="encoding-type=url&list-type=2"
                                      "&prefix=land%2Ftopics%2Fp.pin%2Fpartition%3D0%2F")
        check(status == 200 and b"<EncodingType>url</EncodingType>" in body and
              b"p.pin+0+0000000000.json" in body, "s3s-fs url listing: %d %r" % (status, body))

        # Failures: wrong secret, missing bucket, missing prefix; the secret never printed.
        wrong = server.env(AWS_SECRET_ACCESS_KEY="WRONGsecretXYZ")
        rc, out, err = run(wrong, "clean", "-t", "pin", "-q", "s3://landing/land")
        check(rc != 0 and out == b"" and "SignatureDoesNotMatch" in err and
              "s3://landing/land" in err and "WRONGsecretXYZ" not in err and
              server.secret not in err, "wrong secret: exit %d, %r" % (rc, err))
        rc, out, err = run(env, "clean", "-t", "pin", "-q", "s3://nobucket/land")
        check(rc != 0 and out == b"" and "NoSuchBucket" in err and "'nobucket'" in err,
              "missing bucket: exit %d, %r" % (rc, err))
        rc, out, err = run(env, "clean", "-t", "pin", "-q", "s3://landing/nothing")
        check(rc != 0 and "no such object or prefix" in err, "missing prefix: %d %r" % (rc, err))

        # Without libcurl (a name that does not load stands for a machine without it).
        rc, out, err = run(server.env(PINETL_LIBCURL="libcurl-absent.so.4"), "clean", "-t", "pin",
                           "s3://landing/land")
        check(rc != 0 and "reading 's3://landing/land': s3:// needs libcurl 7.75 or later: "
              "install the libcurl4 package" in err, "no libcurl: exit %d, %r" % (rc, err))

        # The server stops, then comes back while the reader retries: the run succeeds.
        _, want, _ = run(env, "clean", "-t", "pin", "-q", local)
        server.stop()
        p = subprocess.Popen([PINETL, "clean", "-t", "pin", "-q", "s3://landing/land"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=server.env(AWS_MAX_ATTEMPTS="10"))
        time.sleep(1.0)
        server.start()
        got, err = p.communicate(timeout=120)
        check(p.returncode == 0 and got == want, "server back: exit %d, %r" % (
            p.returncode, err[-300:]))

        # The server stays gone: a clear error after the retries, and nothing loaded.
        server.stop()
        gone = server.env(AWS_MAX_ATTEMPTS="2")
        db = os.path.join(tmp, "gone.db")
        rc, out, err = run(gone, "load", "--db", db, "-t", "pin", "-q", "s3://landing/land")
        check(rc != 0 and "gave up after 2 attempts" in err and "cannot reach" in err and
              rows(db, "pin") == [], "server gone: exit %d, %r" % (rc, err))
    finally:
        server.stop()
finish()
