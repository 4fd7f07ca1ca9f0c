"""A real Kafka broker for tests: scripts/kafka/broker.sh (Kafka 4.x from Maven Central's jars,
KRaft, one combined broker+controller on 127.0.0.1, ports picked at start) started by a fixture.

Use from a test module:

    from kafka_fixtures import kafka_broker  # noqa: F401  (the fixture)

    def test_x(kafka_broker):
        producer = confluent_kafka.Producer({"bootstrap.servers": kafka_broker.bootstrap})

`kafka_broker` is session-scoped: one broker for the whole run, stopped (and its folder deleted)
at the end; if the test process is killed, the script's watchdog stops it. Tests isolate
themselves by topic names (`kafka_broker.topic_prefix()`). The first run fetches the jars with
Maven (cached in ~/.cache/pinetl/kafka and ~/.m2); Java and Maven are installed with apt-get
when missing."""
import contextlib
import itertools
import os
import pathlib
import subprocess
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BROKER_SH = ROOT / "scripts" / "kafka" / "broker.sh"


class KafkaBroker:
    """A running broker: `bootstrap` ("127.0.0.1:PORT") and its working folder `dir`."""

    _topics = itertools.count(1)

    def __init__(self, bootstrap, dir):
        self.bootstrap = bootstrap
        self.dir = pathlib.Path(dir)

    def topic_prefix(self, name="t"):
        """A topic prefix no other test of this run uses (topics are `<prefix>.<table>`)."""
        return f"{name}{os.getpid()}-{next(self._topics)}"

    def log_tail(self, lines=40):
        try:
            return "\n".join((self.dir / "server.log").read_text(errors="replace").splitlines()[-lines:])
        except OSError as e:
            return f"(no broker log: {e})"


@contextlib.contextmanager
def running_broker(*properties, base_dir=None):
    """Starts a broker (extra server.properties lines as "key=value"), yields a KafkaBroker, stops
    it and deletes its folder."""
    parent = tempfile.mkdtemp(prefix="pinetl-kafka-", dir=base_dir)
    work = os.path.join(parent, "broker")
    env = dict(os.environ, PINETL_KAFKA_PARENT_PID=str(os.getpid()))
    # The client compiler only: the broker starts about a third faster on a busy machine, and
    # tests do not need its peak throughput (benchmarks use broker.sh's defaults).
    env.setdefault("KAFKA_JVM_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
    try:
        proc = subprocess.run(["bash", str(BROKER_SH), "start", work, *properties], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=900)
        if proc.returncode != 0:
            raise RuntimeError(f"scripts/kafka/broker.sh start failed ({proc.returncode}):\n"
                               f"{proc.stderr}")
        bootstrap = next((line.split("=", 1)[1] for line in proc.stdout.splitlines()
                          if line.startswith("bootstrap=")), None)
        if not bootstrap:
            raise RuntimeError(f"scripts/kafka/broker.sh start printed no bootstrap:\n{proc.stdout}")
        yield KafkaBroker(bootstrap, work)
    finally:
        subprocess.run(["bash", str(BROKER_SH), "stop", work], timeout=120)
        with contextlib.suppress(OSError):
            os.rmdir(parent)


@pytest.fixture(scope="session")
def kafka_broker():
    """One real Kafka broker for the test session."""
    with running_broker() as broker:
        yield broker
