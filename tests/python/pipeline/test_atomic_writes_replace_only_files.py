"""Atomic writes replace only regular files (issue 18 item 5): a temporary file renamed onto a
target replaces whatever the target is, so `pinetl-source build --out /dev/null` run as root
turned /dev/null into a SQLite file. Every writer refuses a target that exists and is not a
regular file, with pinetl's InvalidArgumentError (or, for the C generator, exit status 1), and
leaves it as it was. The device is a node made in a temporary folder (mknod c 1 3, as /dev/null),
never /dev/null itself."""
import os
import stat
import subprocess

import pytest

import pinetl
from pinetl import files, streamlog
from pinetl_pipeline import source
from pinetl_pipeline import airflow as pa


def _device(path):
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return str(path)


def _still_device(path):
    return stat.S_ISCHR(os.lstat(path).st_mode)


@pytest.fixture
def targets(tmp_path):
    """Targets that are not regular files: a character device, a FIFO, a folder."""
    dev = _device(tmp_path / "dev")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    folder = tmp_path / "folder"
    folder.mkdir()
    return {"a character device": dev, "a FIFO": str(fifo), "a folder": str(folder)}


def test_check_target_refuses_what_is_not_a_regular_file(tmp_path, targets):
    for kind, path in targets.items():
        with pytest.raises(pinetl.errors.InvalidArgumentError, match=f"is {kind}: an atomic write"):
            files.check_target(path)
    # A symbolic link is judged by what it points to.
    os.symlink(targets["a character device"], tmp_path / "link")
    with pytest.raises(pinetl.errors.InvalidArgumentError):
        files.check_target(tmp_path / "link")
    regular = tmp_path / "regular"
    regular.write_text("x")
    assert files.check_target(regular) == regular
    assert files.check_target(tmp_path / "none") == tmp_path / "none"


def test_replace_file_leaves_a_device_and_removes_the_temporary(tmp_path):
    dev = _device(tmp_path / "null")
    tmp = tmp_path / "new.tmp"
    tmp.write_text("data")
    with pytest.raises(pinetl.errors.InvalidArgumentError, match="character device"):
        files.replace_file(tmp, dev)
    assert _still_device(dev) and not tmp.exists()
    regular = tmp_path / "out"
    regular.write_text("old")
    tmp.write_text("new")
    files.replace_file(tmp, regular)
    assert regular.read_text() == "new"


def test_source_build_refuses_a_device_out(tmp_path, capsys):
    dev = _device(tmp_path / "null")
    assert source.main(["build", "--out", dev]) == 2
    assert "character device" in capsys.readouterr().err
    assert _still_device(dev)
    assert not os.path.exists(dev + ".tmp")


def test_airflow_atomic_write_refuses_a_device(tmp_path):
    dev = _device(tmp_path / "null")
    with pytest.raises(pinetl.errors.InvalidArgumentError):
        pa._write_atomic(dev, "text")
    assert _still_device(dev)
    assert [p.name for p in tmp_path.iterdir()] == ["null"]  # no temporary left behind


def test_stream_positions_write_refuses_a_device(tmp_path):
    folder, staging = tmp_path / "out", tmp_path / "staging"
    folder.mkdir()
    staging.mkdir()
    dev = _device(folder / streamlog.POSITIONS)
    with pytest.raises(pinetl.errors.InvalidArgumentError):
        streamlog._write_atomically(str(folder), streamlog.POSITIONS, b"{}", str(staging))
    assert _still_device(dev)


def test_generator_refuses_a_device_in_its_output(tmp_path):
    out = tmp_path / "gen"
    out.mkdir()
    dev = _device(out / "geo-s1-n10.jsonl")
    proc = subprocess.run([str(source.generator_path()), "--rows", "10", "--seed", "1",
                           "--sample", str(source.default_sample()), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "is not a regular file" in proc.stderr, proc.stderr
    assert _still_device(dev)
