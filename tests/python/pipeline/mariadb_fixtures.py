"""A real MariaDB server for the tests: private datadir in a temp folder, loopback only.

    from mariadb_fixtures import mariadb   # then use the `mariadb` fixture (session scope)

Installs Debian's mariadb-server when mariadbd is missing (apt-get, waiting for the dpkg lock),
initialises a datadir with mariadb-install-db, starts mariadbd as root (--user=root) on a unix
socket and a free loopback port picked at run time, creates a database and a password user, and
stops the server at the end of the session. The fixture's value has `url` (TCP, with user and
password), `socket_url` (unix socket) and `root()` (a root connection over the socket)."""
import os
import pathlib
import secrets
import shutil
import signal
import socket
import subprocess
import time

import pytest

DATABASE = "pinterest"


def _binary(name):
    for d in ("/usr/sbin", "/usr/bin"):
        p = pathlib.Path(d) / name
        if p.is_file():
            return str(p)
    return shutil.which(name)


def _ensure_installed():
    if _binary("mariadbd") and _binary("mariadb-install-db"):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=600", "update"], check=True, env=env)
    subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y",
                    "--no-install-recommends", "mariadb-server"], check=True, env=env)
    if not (_binary("mariadbd") and _binary("mariadb-install-db")):
        raise RuntimeError("mariadb-server is installed but mariadbd was not found")


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MariaDB:
    def __init__(self, base):
        self.base = pathlib.Path(base)
        self.datadir = self.base / "data"
        self.sock = self.base / "mysqld.sock"
        self.log = self.base / "mysqld.err"
        self.proc = None
        self.port = None
        self.user = "pinetl"
        self.password = "p@ss:" + secrets.token_hex(8)  # needs URL quoting, on purpose

    @property
    def url(self):
        from urllib.parse import quote
        return (f"mysql://{self.user}:{quote(self.password, safe='')}@127.0.0.1:{self.port}/"
                f"{DATABASE}")

    @property
    def socket_url(self):
        from urllib.parse import quote
        return (f"mysql://{self.user}:{quote(self.password, safe='')}@localhost/{DATABASE}"
                f"?unix_socket={quote(str(self.sock))}")

    def root(self, **kwargs):
        import pymysql
        return pymysql.connect(unix_socket=str(self.sock), user="root", password="", **kwargs)

    def start(self):
        _ensure_installed()
        self.datadir.mkdir(parents=True)
        subprocess.run([_binary("mariadb-install-db"), "--no-defaults", "--user=root",
                        f"--datadir={self.datadir}", "--auth-root-authentication-method=normal",
                        "--skip-test-db"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(5):  # a port picked free may be taken before mariadbd binds it
            self.port = _free_port()
            self.proc = subprocess.Popen(
                [_binary("mariadbd"), "--no-defaults", "--user=root",
                 f"--datadir={self.datadir}", f"--socket={self.sock}", f"--port={self.port}",
                 "--bind-address=127.0.0.1", f"--pid-file={self.base / 'mysqld.pid'}",
                 f"--log-error={self.log}", "--skip-log-bin", "--performance-schema=OFF",
                 "--innodb-buffer-pool-size=32M", "--skip-name-resolve"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if self._wait_ready(60):
                break
            self.stop()
        else:
            raise RuntimeError(f"mariadbd did not start: {self.log.read_text()[-2000:]}")
        conn = self.root(autocommit=True)
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4")
            for host in ("127.0.0.1", "localhost"):
                cur.execute(f"CREATE USER '{self.user}'@'{host}' IDENTIFIED BY %s",
                            (self.password,))
                cur.execute(f"GRANT ALL ON {DATABASE}.* TO '{self.user}'@'{host}'")
        conn.close()
        return self

    def _wait_ready(self, timeout):
        import pymysql
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                return False
            try:
                self.root().close()
                return True
            except pymysql.MySQLError:
                time.sleep(0.2)
        return False

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="session")
def mariadb(tmp_path_factory):
    server = MariaDB(tmp_path_factory.mktemp("mariadb"))
    try:
        yield server.start()
    finally:
        server.stop()
