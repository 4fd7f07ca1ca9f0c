"""A read that matches no input is an error naming what was skipped, and a folder is read only as
what it claims to be (an S3 sink landing holding topics/, topics/, a topic or a partition):
the rule is C's (the reader's listing), so pandas, Arrow and the listing agree. Before,
pinetl.read_json(folder of plain JSON-lines files, "pin") returned 0 rows and no error (the reason
only in .notices), and pinetl.arrow.read_json("/tmp", "pin") walked all of /tmp and returned rows
of unrelated sink-shaped files."""
import pytest

import pinetl
import pinetl.arrow
from pinetl import s3sink
from pinetl.errors import FormatError
from conftest import SAMPLE


@pytest.fixture
def plain(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "pin.jsonl").write_bytes((SAMPLE / "pin.jsonl").read_bytes())
    return folder


@pytest.fixture
def scratch(tmp_path):
    """An unrelated folder with another run's landing deep inside (as /tmp holds)."""
    part = tmp_path / "scratch" / "pytest-7" / "run" / "topics" / "x.pin" / "partition=0"
    part.mkdir(parents=True)
    (part / "x.pin+0+0000000000.json").write_bytes((SAMPLE / "pin.jsonl").read_bytes())
    return tmp_path / "scratch"


@pytest.mark.parametrize("read", [pinetl.read_json, pinetl.arrow.read_json])
def test_folder_of_plain_files_is_an_error(plain, read):
    with pytest.raises(FormatError) as e:
        read(plain, "pin")
    assert "is not an S3 sink folder" in str(e.value)
    assert "'pin.jsonl'" in str(e.value)
    assert "name the files to read them" in str(e.value)
    # The files themselves, named, are read.
    assert read(plain / "pin.jsonl", "pin").stats["cleaned"] > 0


@pytest.mark.parametrize("read", [pinetl.read_json, pinetl.arrow.read_json])
def test_unrelated_folder_is_not_walked(scratch, read):
    with pytest.raises(FormatError, match="is not an S3 sink folder"):
        read(scratch, "pin")
    landing = scratch / "pytest-7" / "run"
    assert read(landing, "pin").stats["cleaned"] > 0


def test_listing_an_unrelated_folder_is_an_error(scratch, plain):
    for folder in (scratch, plain):
        with pytest.raises(FormatError, match="is not an S3 sink folder"):
            s3sink.list_objects(folder, "pin")


def test_sink_tree_without_the_table_is_an_error(scratch):
    landing = scratch / "pytest-7" / "run"
    with pytest.raises(FormatError) as e:
        pinetl.read_json(landing, "user")
    assert "no S3 sink objects of table 'user'" in str(e.value)
    assert "such as 'x.pin'" in str(e.value)
