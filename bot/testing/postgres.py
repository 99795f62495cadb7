"""A real PostgreSQL server for the tests and benchmarks, made from what the machine has.

`TempPostgres` runs `initdb` into a temporary folder and `pg_ctl start` on a free local
port (trust authentication, listening on 127.0.0.1 only), and stops it at the end; as
root it runs them as the `postgres` user, which PostgreSQL insists on. With
`TEST_DATABASE_URL` set, that server is used instead and nothing is started.
`ensure()` (called by `python3 dev.py test`) installs PostgreSQL's server when it is
missing (`apt-get install postgresql` as root on Debian/Ubuntu) or says why it can't.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MISSING = (
    "no PostgreSQL server for the tests: install one (Debian/Ubuntu: apt-get install -y "
    "postgresql) or set TEST_DATABASE_URL=postgresql://user@host:port/db"
)


def bindir() -> Path | None:
    """Where initdb and pg_ctl are: on PATH, from pg_config, or Debian's versioned folder."""
    if found := shutil.which("initdb"):
        return Path(found).parent
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        path = Path(out.stdout.strip())
        if (path / "initdb").exists():
            return path
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(versions[0]).parent if versions else None


def ensure() -> bool:
    """Find a PostgreSQL server (or TEST_DATABASE_URL), installing one if root can."""
    if os.environ.get("TEST_DATABASE_URL") or bindir():
        return True
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing PostgreSQL for the tests (apt-get) …", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for args in (["update", "-qq"], ["install", "-y", "-qq", "postgresql"]):
            subprocess.run(["apt-get", *args], stdout=subprocess.DEVNULL, env=env, check=False)
    if bindir():
        return True
    print(f"error: {MISSING}", file=sys.stderr)
    return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TempPostgres:
    """One throwaway cluster; `url(db)` for a database in it."""

    def __init__(self) -> None:
        self.external = os.environ.get("TEST_DATABASE_URL")
        self.folder: Path | None = None
        self.port = 0
        self._as: list[str] = []

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, text=True)

    def start(self) -> TempPostgres:
        if self.external:
            return self
        found = bindir()
        if found is None:
            raise RuntimeError(MISSING)
        self.folder = Path(tempfile.mkdtemp(prefix="bot-pg-"))
        data = self.folder / "data"
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.folder, "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self._run(str(found / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(str(found / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-t", "60",
                  "-l", str(self.folder / "server.log"), "start")  # fmt: skip
        self._bindir = found
        return self

    def url(self, database: str = "postgres") -> str:
        if self.external:
            base = self.external.rsplit("/", 1)[0]
            return f"{base}/{database}"
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        if self.external or self.folder is None:
            return
        try:
            self._run(str(self._bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-m",
                      "immediate", "-w", "stop")  # fmt: skip
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    def wait_ready(self, seconds: float = 30) -> None:
        import psycopg

        deadline = time.monotonic() + seconds
        while True:
            try:
                psycopg.connect(self.url(), autocommit=True).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
