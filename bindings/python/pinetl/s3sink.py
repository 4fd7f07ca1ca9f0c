"""The Kafka Connect S3 sink layout, asked of C (<pinetl/s3sink.h>): the one definition that
pinetl serve's landing, the Python S3-sink consumer, the readers and the daily chain share.

    topics/<topic>/partition=<p>/<topic>+<p>+<start offset, 10 digits>.json

A topic is a table's name ("pin") or a prefix, a dot and the table's name ("0a1b.pin").

    from pinetl import s3sink
    s3sink.partition_dir("0a1b.pin", 0)        # 'topics/0a1b.pin/partition=0'
    s3sink.object_name("pin", 0, 7)            # 'pin+0+0000000007.json'
    s3sink.parse_object_name("pin+0+7.json")   # ('pin', 0, 7); None for another name
    s3sink.topic_table("0a1b.pin")             # 'pin'; None for a topic of no table
    s3sink.list_objects("landing", "pin")      # ([paths in order], notices)"""
from __future__ import annotations

import os
from collections.abc import Callable

from ._errors import InvalidArgumentError
from ._ffi import c_path, c_string, check, ffi, lib, owned_string, text
from ._scalar import table_id
from ._types import PathLike, Table


def check_topic(topic: str) -> str:
    """topic, when it is a valid Kafka topic name; else InvalidArgumentError naming it."""
    check(lib.pinetl_s3sink_topic_check(c_string(topic, "topic")))
    return topic


def topic_table(topic: str) -> str | None:
    """The table whose records a topic carries ("pin" for "pin" and "0a1b.pin"), or None when
    the topic names no table. An invalid topic name is an InvalidArgumentError."""
    out = ffi.new("pinetl_table *")
    rc = lib.pinetl_s3sink_topic_table(out, c_string(topic, "topic"))
    if rc == lib.PINETL_ENOTFOUND:
        return None
    check(rc)
    return text(lib.pinetl_table_name(out[0])) or None


def _string(call: Callable[..., int], *args: object) -> str:
    out = ffi.new("char **")
    check(call(out, *args))
    return owned_string(out[0])


def partition_dir(topic: str, partition: int) -> str:
    """"topics/<topic>/partition=<p>", relative to the landing folder."""
    return _string(lib.pinetl_s3sink_partition_dir, c_string(topic, "topic"), int(partition))


def object_name(topic: str, partition: int, start: int) -> str:
    """"<topic>+<p>+<start, 10 digits at least>.json": the object starting at offset start."""
    return _string(lib.pinetl_s3sink_object_name, c_string(topic, "topic"), int(partition),
                   int(start))


def parse_object_name(name: PathLike) -> tuple[str, int, int] | None:
    """(topic, partition, start offset) of an object's file name, or None for any other name."""
    raw = os.fsencode(name)
    topic_len, partition = ffi.new("size_t *"), ffi.new("int32_t *")
    start = ffi.new("uint64_t *")
    try:
        check(lib.pinetl_s3sink_object_parse(topic_len, partition, start, raw))
    except InvalidArgumentError:
        return None
    return raw[:topic_len[0]].decode("ascii"), partition[0], start[0]


def table_globs(table: Table) -> list[str]:
    """The glob patterns, relative to the landing folder, of a table's objects: prefixed topics
    first, then the bare topic. For listers that cannot list through C (Spark on a remote
    store)."""
    t = table_id(table)
    return [_string(lib.pinetl_s3sink_table_glob, t, prefixed) for prefixed in (1, 0)]


def list_objects(folder: PathLike, table: Table) -> tuple[list[str], str]:
    """The objects of a table under folder (the landing folder holding topics/, topics/, a topic
    or a partition), in the readers' order (topic, partition, start offset), and the notices of
    what was skipped (files outside the layout): (paths, notices). Any other folder is a
    FormatError naming what it holds (C's rule: libpinetl/SPEC.md, "Folders")."""
    out = ffi.new("pinetl_s3sink_objects **")
    check(lib.pinetl_s3sink_list(out, c_path(folder, "folder"), table_id(table)))
    objects = ffi.gc(out[0], lib.pinetl_s3sink_objects_free)
    try:
        n = lib.pinetl_s3sink_objects_count(objects)
        paths = [os.fsdecode(ffi.string(lib.pinetl_s3sink_objects_path(objects, i)))
                 for i in range(n)]
        return paths, text(lib.pinetl_s3sink_objects_notices(objects)) or ""
    finally:
        ffi.release(objects)
