"""Atomic writes that only ever replace a file: the one helper every writer of pinetl and of the
pipelines built on it uses (source databases, DAG ledgers, the Kafka sink, stream positions).

An atomic write goes to a temporary name and is renamed onto the target, so readers see the old
file or the new one, never a part. A rename replaces whatever the target is: run as root,
`--out /dev/null` would swap the device for a regular file. So a target that exists and is not a
regular file (a device, a FIFO, a folder, a socket; a symbolic link is judged by what it points
to) is refused with InvalidArgumentError before anything is written or renamed."""
from __future__ import annotations

import os
import stat

from ._errors import InvalidArgumentError
from ._pinetl import lib
from ._types import PathLike

_KINDS = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO"), (stat.S_ISDIR, "a folder"), (stat.S_ISSOCK, "a socket"))


def check_target(path: PathLike) -> PathLike:
    """Raises InvalidArgumentError when path exists and is not a regular file; returns path."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return path
    if stat.S_ISREG(mode):
        return path
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    raise InvalidArgumentError(
        lib.PINETL_EINVAL,
        f"{os.fsdecode(path)} is {kind}: an atomic write would replace it; give the path of a "
        "regular file (or of none)")


def replace_file(tmp: PathLike, path: PathLike) -> None:
    """os.replace(tmp, path) after check_target(path); on refusal tmp is removed."""
    try:
        check_target(path)
    except InvalidArgumentError:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    os.replace(tmp, path)
