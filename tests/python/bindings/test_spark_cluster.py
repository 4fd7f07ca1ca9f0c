"""pinetl.spark on a Spark standalone cluster on loopback (issue 20 item 4): a master and one
worker started with the pyspark package's spark-class, whose executors run a SEPARATE venv with
only the pinetl wheel (scripts/wheel.sh) installed: clean gives the CLI's rows. With an executor
venv without pinetl, the executor probe fails the call at once with one message that says how to
install the wheel and that PYSPARK_PYTHON (not spark.pyspark.python on the builder) decides."""
import json
import os
import pathlib
import platform
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from spark_fixtures import cli_clean

pytestmark = pytest.mark.service

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SAMPLE = ROOT / "tests" / "data" / "real-sample"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra):
    # No PYTHONPATH: the executors must find pinetl in their own venv or not at all (the build
    # tree on PYTHONPATH would leak into the worker's processes).
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYSPARK_PYTHON",
                                                             "PYSPARK_DRIVER_PYTHON")}
    env.update(SPARK_LOCAL_IP="127.0.0.1", **extra)
    return env


def _run(args, timeout, **kwargs):
    proc = subprocess.run(args, capture_output=True, timeout=timeout, **kwargs)
    assert proc.returncode == 0, (args, proc.stdout.decode(errors="replace")[-3000:],
                                  proc.stderr.decode(errors="replace")[-3000:])
    return proc.stdout.decode()


@pytest.fixture(scope="session")
def wheel(tmp_path_factory):
    """The pinetl wheel built once per test session by scripts/wheel.sh (or by tests/run.sh
    while the C tests ran: PINETL_WHEEL_DIR)."""
    made = sorted(pathlib.Path(os.environ.get("PINETL_WHEEL_DIR", "/nonexistent")).glob(
        f"pinetl-*{platform.machine()}*.whl"))
    if len(made) == 1:
        return made[0]
    out = tmp_path_factory.mktemp("wheel")
    _run(["bash", str(ROOT / "scripts" / "wheel.sh"), str(out)], 1800)
    wheels = sorted(out.glob(f"pinetl-*{platform.machine()}*.whl"))
    assert len(wheels) == 1, wheels                # this machine's architecture
    return wheels[0]


def _venv(path, *packages):
    # The same CPython as the driver (PySpark refuses executors of another minor version).
    base = getattr(sys, "_base_executable", sys.executable)
    _run([base, "-m", "venv", str(path)], 300)
    if packages:
        constraints = ROOT / "requirements" / "constraints.txt"
        _run([str(path / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
              "-c", str(constraints), *map(str, packages)], 900)
    return path / "bin" / "python"


@pytest.fixture(scope="module")
def executor_pythons(tmp_path_factory, wheel):
    root = tmp_path_factory.mktemp("executor-venvs")
    return {"wheel": _venv(root / "wheel", wheel), "bare": _venv(root / "bare")}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """spark://127.0.0.1:PORT: a standalone master and one worker (1 core, 1g) on free ports."""
    import pyspark
    spark_class = pathlib.Path(pyspark.__file__).parent / "bin" / "spark-class"
    scratch = tmp_path_factory.mktemp("standalone")
    port, ui = _free_port(), _free_port()
    env = _env(SPARK_DAEMON_MEMORY="256m", SPARK_LOG_DIR=str(scratch / "logs"),
               SPARK_WORKER_DIR=str(scratch / "work"))
    logs = []
    procs = []

    def start(name, *args):
        log = open(scratch / f"{name}.log", "wb")
        logs.append(log)
        procs.append(subprocess.Popen(["bash", str(spark_class), *args], stdout=log,
                                      stderr=subprocess.STDOUT, env=env, cwd=scratch))

    master = f"spark://127.0.0.1:{port}"
    start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
          "--port", str(port), "--webui-port", str(ui))
    start("worker", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
          "--port", str(_free_port()), "--webui-port", str(_free_port()), "--cores", "1",
          "--memory", "1g", "--work-dir", str(scratch / "work"), master)
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{ui}/json/", timeout=5) as r:
                    if any(w["state"] == "ALIVE" for w in json.load(r)["workers"]):
                        break
            except OSError:
                pass
            assert all(p.poll() is None for p in procs), \
                (scratch / "master.log").read_text() + (scratch / "worker.log").read_text()
            assert time.monotonic() < deadline, "the worker did not register in 240 s"
            time.sleep(2)
        yield master
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for log in logs:
            log.close()


def _driver(cluster, executor_python, table, builder_python=None):
    args = [sys.executable, "-P", str(HERE / "spark_cluster_job.py"), cluster,
            str(SAMPLE / f"{table}.jsonl"), table] + ([str(builder_python)] if builder_python
                                                     else [])
    # The driver is this venv's Python (with pinetl: installed, or the build tree on PYTHONPATH).
    env = _env(PYSPARK_PYTHON=str(executor_python))
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return json.loads(_run(args, 600, env=env).strip().splitlines()[-1])


def test_clean_on_executors_with_only_the_wheel_equals_the_cli(cluster, executor_pythons, cli,
                                                               tmp_path):
    rows, _ = cli_clean(cli, "geo", SAMPLE / "geo.jsonl", tmp_path)
    got = _driver(cluster, executor_pythons["wheel"], "geo")
    assert "error" not in got, got["error"]
    key = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731
    assert sorted(got["rows"], key=key) == sorted(rows, key=key)


def test_executors_without_pinetl_get_one_message_saying_what_to_do(cluster, executor_pythons):
    bare = executor_pythons["bare"]
    got = _driver(cluster, bare, "geo")
    message = got["error"]
    assert "executors' Python cannot run pinetl" in message
    assert "ModuleNotFoundError: No module named 'pinetl'" in message
    assert "cluster library" in message and "PYSPARK_PYTHON" in message
    assert f"The executors run {bare}" in message
    assert "spark.pyspark.python" not in message
    # spark.pyspark.python on the builder names the wheel's venv; PYSPARK_PYTHON still decides.
    got = _driver(cluster, bare, "geo", builder_python=executor_pythons["wheel"])
    assert (f"spark.pyspark.python={executor_pythons['wheel']} was set on the session builder"
            in got["error"])
