"""Stream logs from Python: a reader over the C API (<pinetl/streamlog.h>), and the bridge that
turns the logs `pinetl serve` writes into the Kinesis-shaped files Spark's file source reads
(`pinetl.spark.kinesis_files`, the local stand-in for Databricks' Kinesis source).

    from pinetl import streamlog
    for seq, key, data in streamlog.read("landing/streams/s/shardId-000000000000.log"):
        ...                                              # complete, CRC-valid records only
    with streamlog.Reader(path, after_seq=42) as r:      # tailing: iterate again later
        for rec in r.records():                          # Record(seq, key, data, arrival_us, offset)
            ...
        r.skipped                                        # BadRange(...) of damaged bytes passed
    streamlog.to_kinesis_files("landing", "kinesis")     # only what is new since the last call

The C library has no batch read: each record is one call (pinetl_streamlog_reader_next) and its
key and payload are copied out of the reader's buffer once. The format and its rules (identity
frames, sequence jumps, damaged ranges) are C's: this module only asks (docs/durability.md)."""
from __future__ import annotations

import base64
import datetime
import json
import os
import re
import warnings
from collections.abc import Iterable, Iterator
from typing import Literal, NamedTuple

from ._ffi import c_path, check, ffi, lib
from ._types import PathLike
from .files import replace_file

class Record(NamedTuple):
    """A stream log record: sequence number, partition key (str), payload (bytes), arrival time
    (µs since the epoch) and byte offset of its frame in the log."""
    seq: int
    key: str
    data: bytes
    arrival_us: int
    offset: int


class BadRange(NamedTuple):
    """Damaged bytes of a log that a reader skipped: [offset, offset + length), which hid
    sequence numbers first_seq..last_seq (none when first_seq > last_seq); reason as C gives it
    (e.g. 'bad CRC')."""
    offset: int
    length: int
    first_seq: int
    last_seq: int
    reason: str


SHARD_LOG_RE = re.compile(r"^(shardId-[0-9]{12})\.log$")


def seq_text(seq: int) -> str:
    """The Kinesis-facing sequence number: the u64 as 21 zero-padded decimal digits."""
    return f"{seq:021d}"


class Reader:
    """Reads one shard log from after sequence number after_seq (0: from the start). Iterating
    (records()) returns the complete, CRC-valid records up to the log's current end; iterating
    again later returns what was appended meanwhile. offset (the byte offset after after_seq, as
    `offset` gave it earlier) lets the reader start there without scanning the log."""

    def __init__(self, path: PathLike, after_seq: int = 0, offset: int | None = None) -> None:
        self.path: str | bytes = os.fspath(path)
        out = ffi.new("pinetl_streamlog_reader **")
        cpath = c_path(self.path, "stream log")
        if offset is None:
            check(lib.pinetl_streamlog_reader_open(out, cpath, after_seq))
        else:
            check(lib.pinetl_streamlog_reader_open_at(out, cpath, after_seq, offset))
        self._r: object = ffi.gc(out[0], lib.pinetl_streamlog_reader_free)
        self._rec = ffi.new("pinetl_streamlog_record *")
        self.skipped: list[BadRange] = []   # every damaged range passed so far

    @property
    def log_id(self) -> str:
        """The log's identity (32 hex digits; '' for a log no writer has opened since logs
        got identities)."""
        return ffi.string(lib.pinetl_streamlog_reader_log_id(self._handle())).decode("ascii")

    def records(self, limit: int | None = None) -> Iterator[Record]:
        """Yields Records up to the current end (at most limit of them); damaged ranges passed
        on the way are appended to .skipped."""
        r, rec, n = self._handle(), self._rec, 0
        while limit is None or n < limit:
            rc = check(lib.pinetl_streamlog_reader_next(rec, r))
            if rc == lib.PINETL_DONE:
                return
            if rc == lib.PINETL_STREAMLOG_SKIPPED:
                b = ffi.new("pinetl_streamlog_bad_range *")
                lib.pinetl_streamlog_reader_bad_range(b, r)
                self.skipped.append(BadRange(b.offset, b.length, b.first_seq, b.last_seq,
                                             ffi.string(b.reason).decode() if b.reason else ""))
                continue
            n += 1
            yield Record(rec.seq, ffi.unpack(rec.key, rec.key_len).decode("utf-8", "replace"),
                         ffi.unpack(rec.data, rec.data_len), rec.arrival_us, rec.offset)

    def __iter__(self) -> Iterator[tuple[int, str, bytes]]:
        """(seq, partition key, payload bytes) up to the current end."""
        for rec in self.records():
            yield rec.seq, rec.key, rec.data

    def _handle(self) -> object:
        if self._r is None:
            raise ValueError("the stream log reader is closed")
        return self._r

    @property
    def seq(self) -> int:
        """Sequence number of the last record returned or skipped (after_seq before the
        first)."""
        seq: int = lib.pinetl_streamlog_reader_seq(self._handle())
        return seq

    @property
    def offset(self) -> int:
        """Byte offset after the last record returned (where the next one starts)."""
        offset: int = lib.pinetl_streamlog_reader_offset(self._handle())
        return offset

    def behind(self) -> int:
        """Bytes in the file after the reader's position (not read yet, or an incomplete tail)."""
        out = ffi.new("uint64_t *")
        check(lib.pinetl_streamlog_reader_behind(out, self._handle()))
        behind: int = out[0]
        return behind

    def sync(self) -> None:
        """Makes the log durable up to what was returned (before committing what was read)."""
        check(lib.pinetl_streamlog_reader_sync(self._handle()))

    def close(self) -> None:
        if self._r is not None:
            r, self._r = self._r, None
            ffi.release(r)                  # calls pinetl_streamlog_reader_free now

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self.close()
        return False


def read(path: PathLike, after_seq: int = 0) -> Iterator[tuple[int, str, bytes]]:
    """(seq, partition key, payload bytes) of a shard log after after_seq, to its current end."""
    with Reader(path, after_seq) as r:
        yield from r


def shard_logs(landing: PathLike,
               streams: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
    """[(stream, shard, path)] of the logs under <landing>/streams, sorted; streams: names to keep
    (None: all)."""
    root = os.path.join(os.fsdecode(landing), "streams")
    out: list[tuple[str, str, str]] = []
    try:
        names = sorted(os.listdir(root))
    except FileNotFoundError:
        return out
    for stream in names:
        if streams is not None and stream not in streams:
            continue
        folder = os.path.join(root, stream)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            m = SHARD_LOG_RE.match(name)
            if m:
                out.append((stream, m.group(1), os.path.join(folder, name)))
    return out


# ---------------------------------------------------------------------------------------------
# The bridge: stream logs -> Kinesis-shaped JSON-lines files for Spark's file source

POSITIONS = "_pinetl_positions.json"   # '_' and '.' names are invisible to Spark's file source
STAGING = ".staging"
_FILE_RE = re.compile(r"^(shardId-[0-9]{12})-([0-9]{21})\.json$")


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _last_sequence(path: str) -> int:
    """The sequenceNumber of a file's last line (sequence numbers may jump: C decides, so the
    file says)."""
    with open(path, "rb") as f:
        lines = f.read().splitlines()
    return int(json.loads(lines[-1])["sequenceNumber"]) if lines else 0


def _positions_from_files(folder: str) -> dict[str, int]:
    """{shard: last sequence number} from the files themselves: a file's last line holds its
    last record."""
    last: dict[str, int] = {}
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return last
    for name in names:
        m = _FILE_RE.match(name)
        if m:
            end = _last_sequence(os.path.join(folder, name))
            last[m.group(1)] = max(last.get(m.group(1), 0), end)
    return last


def _load_positions(folder: str) -> dict[str, tuple[int, int | None]]:
    try:
        with open(os.path.join(folder, POSITIONS), encoding="utf-8") as f:
            return {k: tuple(v) for k, v in json.load(f).items()}
    except FileNotFoundError:
        return {}


def _write_atomically(folder: str, name: str, data: bytes, staging: str) -> None:
    tmp = os.path.join(staging, f"{os.path.basename(folder)}.{name}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    replace_file(tmp, os.path.join(folder, name))


def _arrival_text(arrival_us: int) -> str:
    t = datetime.datetime.fromtimestamp(arrival_us // 1000 / 1000.0, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def kinesis_line(stream: str, rec: Record) -> bytes:
    """One record as the Kinesis source shows it (data base64), as one JSON line (bytes)."""
    return (json.dumps({"streamName": stream, "partitionKey": rec.key,
                        "sequenceNumber": seq_text(rec.seq),
                        "approximateArrivalTimestamp": _arrival_text(rec.arrival_us),
                        "data": base64.b64encode(rec.data).decode("ascii")},
                       ensure_ascii=False) + "\n").encode("utf-8")


def to_kinesis_files(landing: PathLike, out_dir: PathLike, *, streams: Iterable[str] | None = None,
                     max_records: int = 10000) -> dict[tuple[str, str], int]:
    """Copies the records of <landing>/streams/<stream>/<shard>.log that are new since the last
    call into <out_dir>/<stream>/<shard>-<first sequence number, 21 digits>.json, JSON lines of
    Kinesis-shaped records (streamName, partitionKey, sequenceNumber, approximateArrivalTimestamp,
    data base64): what `pinetl.spark.kinesis_files(spark, out_dir/<stream>)` reads.

    A file holds at most max_records records, in sequence order (numbers may jump: after a
    recovery that cut a torn tail, or past damaged bytes, which are skipped and reported with
    warnings.warn). It is written in <out_dir>/.staging,
    fsynced and renamed into place (Spark's file source must see files whole), then the folder
    is fsynced and the position (sequence number and byte offset) saved in
    <out_dir>/<stream>/_pinetl_positions.json. A call resumes after the larger of that position
    and the last record of the files themselves, so a crash between a rename and the saved
    position copies nothing twice, and a re-run adds only new records. Only complete, CRC-valid
    records are copied (a torn tail waits for the next call).

    Returns {(stream, shard): records copied by this call}."""
    out_dir = os.fsdecode(out_dir)
    staging = os.path.join(out_dir, STAGING)
    os.makedirs(staging, exist_ok=True)
    for name in os.listdir(staging):       # what a crash left before a rename
        os.unlink(os.path.join(staging, name))
    copied: dict[tuple[str, str], int] = {}
    by_stream: dict[str, list[tuple[str, str]]] = {}
    for stream, shard, path in shard_logs(landing, streams):
        by_stream.setdefault(stream, []).append((shard, path))
    for stream, shards in by_stream.items():
        folder = os.path.join(out_dir, stream)
        os.makedirs(folder, exist_ok=True)
        saved = _load_positions(folder)
        from_files = _positions_from_files(folder)
        positions = dict(saved)
        for shard, path in shards:
            seq, offset = saved.get(shard, (0, None))
            if from_files.get(shard, 0) > seq:      # a crash after a rename: the files know
                seq, offset = from_files[shard], None
            n = 0
            with Reader(path, seq, offset) as reader:
                while True:
                    records = list(reader.records(max_records))
                    lines = [kinesis_line(stream, rec) for rec in records]
                    for bad in reader.skipped:
                        warnings.warn(f"{path}: bytes {bad.offset}..{bad.offset + bad.length} "
                                      f"are damaged ({bad.reason}): sequence numbers "
                                      f"{bad.first_seq}..{bad.last_seq} skipped")
                    reader.skipped.clear()
                    if not records:
                        break
                    _write_atomically(folder, f"{shard}-{seq_text(records[0].seq)}.json",
                                      b"".join(lines), staging)
                    _fsync_dir(folder)
                    n += len(lines)
                    positions[shard] = (reader.seq, reader.offset)
                    _write_atomically(folder, POSITIONS,
                                      json.dumps({k: list(v) for k, v in
                                                  sorted(positions.items())}).encode(), staging)
                    _fsync_dir(folder)
                    if len(lines) < max_records:
                        break
            copied[(stream, shard)] = n
    return copied
