"""Where the Kafka S3-sink consumer (pinetl_pipeline.kafka.S3Sink) puts its objects: a local folder
or an S3 bucket (`s3://bucket/prefix`). Object names and folders come from C (pinetl.s3sink);
both landings give the same guarantees the sink's exactly-once rests on:

- an object appears whole or not at all: in a folder, written under a temporary name, fsynced,
  renamed into place and the folder fsynced; in a bucket, one PUT (S3 never shows part of one);
- an object is never replaced: a folder checks before the rename, a bucket PUTs with
  If-None-Match: * (a conditional put: the server refuses when the key exists);
- the partition's next offset is read back from what the landing holds: the object with the
  highest start offset (names parsed by C), plus its line count.

    landing = open_landing("s3://bucket/landing")   # or a folder
    landing.next_offset("0a1b.pin", 0)              # None when the partition has no object
    landing.write("0a1b.pin", 0, 1000, b"...\\n")   # the object starting at offset 1000
"""
from __future__ import annotations

import os

from pinetl import s3sink
from pinetl.files import replace_file

from . import s3

TMP_SUFFIX = ".tmp"


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _count_lines(path):
    n = 0
    with open(path, "rb") as f:
        while True:
            block = f.read(1 << 20)
            if not block:
                return n
            n += block.count(b"\n")


def _parse(names, topic, partition, where):
    """[(start, where(name))] of the names that are this partition's objects (C parses them)."""
    out = []
    for name in names:
        parsed = s3sink.parse_object_name(name)
        if parsed and parsed[:2] == (topic, partition):
            out.append((parsed[2], where(name)))
    out.sort()
    return out


class FolderLanding:
    """The layout under a local folder."""

    def __init__(self, folder):
        self.root = os.fspath(folder)

    def partition_dir(self, topic, partition):
        return os.path.join(self.root, s3sink.partition_dir(topic, partition))

    def objects(self, topic, partition):
        """[(start offset, path)] of a partition's objects, by start offset."""
        d = self.partition_dir(topic, partition)
        try:
            names = os.listdir(d)
        except FileNotFoundError:
            return []
        return _parse(names, topic, partition, lambda n: os.path.join(d, n))

    def next_offset(self, topic, partition):
        """The offset after the last landed record (last object's start + its lines), or None."""
        files = self.objects(topic, partition)
        if not files:
            return None
        start, path = files[-1]
        return start + _count_lines(path)

    def remove_temporaries(self, topic, partition, say):
        """Deletes the temporary files an interrupted run left in the partition's folder."""
        d = self.partition_dir(topic, partition)
        try:
            names = os.listdir(d)
        except FileNotFoundError:
            return
        for name in names:
            if name.startswith(".") and name.endswith(TMP_SUFFIX) and \
                    s3sink.parse_object_name(name[1:-len(TMP_SUFFIX)]):
                os.unlink(os.path.join(d, name))
                say(f"removed {name}, left by an interrupted run")

    def check(self):
        """Nothing to check: the folder is made when the first object lands."""

    def write(self, topic, partition, start, data):
        """Lands data as the object starting at start; returns its path. FileExistsError
        when it exists (another sink writes this partition?)."""
        d = self.partition_dir(topic, partition)
        os.makedirs(d, exist_ok=True)
        name = s3sink.object_name(topic, partition, start)
        final = os.path.join(d, name)
        if os.path.exists(final):
            raise FileExistsError(f"{final} exists already: another sink writes this partition?")
        tmp = os.path.join(d, "." + name + TMP_SUFFIX)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        replace_file(tmp, final)
        _fsync_dir(d)
        return final


class BucketLanding:
    """The layout under s3://bucket/prefix."""

    def __init__(self, uri):
        s3.split(uri)   # checks the location names a bucket
        self.root = uri.rstrip("/")

    def partition_uri(self, topic, partition):
        return s3.join(self.root, s3sink.partition_dir(topic, partition))

    def objects(self, topic, partition):
        """[(start offset, s3:// uri)] of a partition's objects, by start offset."""
        d = self.partition_uri(topic, partition)
        names = [o.uri[len(d) + 1:] for o in s3.list_objects(d + "/")]
        return _parse([n for n in names if "/" not in n], topic, partition,
                      lambda n: f"{d}/{n}")

    def next_offset(self, topic, partition):
        objects = self.objects(topic, partition)
        if not objects:
            return None
        start, uri = objects[-1]
        return start + s3.get(uri).count(b"\n")

    def remove_temporaries(self, topic, partition, say):
        """Nothing to do: a PUT that did not finish left no object."""

    def check(self):
        """Fails early (FileNotFoundError, PermissionError, ConnectionError) when the bucket is
        missing, refuses the credentials or cannot be reached."""
        s3.list_objects(self.root + "/", limit=1)

    def write(self, topic, partition, start, data):
        uri = s3.join(self.partition_uri(topic, partition),
                      s3sink.object_name(topic, partition, start))
        try:
            s3.put_new(uri, data)
        except FileExistsError as e:
            raise FileExistsError(f"{e}: another sink writes this partition?") from None
        return uri


def open_landing(landing):
    """The landing at a folder path or an s3://bucket/prefix location."""
    if s3.is_uri(os.fspath(landing) if not isinstance(landing, str) else landing):
        return BucketLanding(landing)
    return FolderLanding(landing)
