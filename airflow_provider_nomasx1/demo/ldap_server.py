"""A throwaway OpenLDAP directory on loopback, standing in for Active Directory.

The tests, the demo and the directory benchmark need a real LDAP server that speaks plain LDAP,
StartTLS and LDAPS, pages large searches and knows AD's attributes (``ldap/ad.schema``). This
module runs the distribution's ``slapd`` (Debian: ``apt-get install slapd ldap-utils``) as the
current user, from a generated ``slapd.conf`` in a work folder: back-mdb, a root DN, no size
limit, a CA and a server certificate made here with ``cryptography``.

Bulk data goes in offline, through ``slapadd`` fed an LDIF stream (50k entries in seconds, never
held in memory); a running server takes entries over LDAP (ldap3). Entries are
``(dn, {attribute: value or values})`` pairs of raw LDAP strings, parents before children.
"""

from __future__ import annotations

import atexit
import base64
import datetime as dt
import hashlib
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import ldap3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from ldap3.core.exceptions import LDAPBindError, LDAPException, LDAPStartTLSError

from airflow_provider_nomasx1.demo import ldif
from airflow_provider_nomasx1.demo.ldif import values_of as _values
from airflow_provider_nomasx1.errors import Nomasx1Error

DEFAULT_BASE_DN = "dc=nomasx1,dc=test"
DEFAULT_PASSWORD = "nomasx1-directory-admin"
AD_SCHEMA = Path(__file__).resolve().parent / "ldap" / "ad.schema"
#: the distribution's schemas the AD one builds on (user is SUP inetOrgPerson)
STANDARD_SCHEMAS = ("core", "cosine", "inetorgperson")
INSTALL_HINT = (
    "the LDAP tests and the directory demo need OpenLDAP's slapd and slapadd: on Debian/Ubuntu "
    "`apt-get install slapd ldap-utils` (then `service slapd stop`: the package starts a system server "
    "that is not used), on Fedora/RHEL `dnf install openldap-servers openldap-clients`"
)
START_TIMEOUT = 10.0

_SCHEMA_DIRS = ("/etc/ldap/schema", "/etc/openldap/schema", "/usr/local/etc/openldap/schema")
_MODULE_DIRS = ("/usr/lib/ldap", "/usr/lib64/openldap", "/usr/lib/openldap", "/usr/libexec/openldap")
# RFC 2849: a value is written as is only when it starts with a SAFE-INIT-CHAR and holds SAFE-CHARs

_LOG_PREFIX = re.compile(r"^[0-9a-f]{8}\.[0-9a-f]{8} 0x[0-9a-f]+ ", re.MULTILINE)

Value = str | bytes | int
Values = Value | Sequence[Value]
Entry = tuple[str, Mapping[str, Values]]
#: a modification: new values (replace; None or [] removes the attribute), or ("add" | "delete" | "replace", values)
Change = Values | None | tuple[Literal["add", "delete", "replace"], Values | None]
TlsMode = Literal["none", "ldaps", "starttls"]

_MODIFY_OPS = {"add": ldap3.MODIFY_ADD, "delete": ldap3.MODIFY_DELETE, "replace": ldap3.MODIFY_REPLACE}


class DirectoryServerError(Nomasx1Error):
    """slapd or slapadd failed, or the directory refused a change."""


def slapd_path() -> str | None:
    """The slapd binary (PATH first, then Debian's /usr/sbin), or None when not installed."""
    return _tool("slapd")


def _tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidate = Path("/usr/sbin") / name
    return str(candidate) if os.access(candidate, os.X_OK) else None


def _require_tool(name: str) -> str:
    path = _tool(name)
    if path is None:
        raise DirectoryServerError(f"{name} not found: {INSTALL_HINT}")
    return path


def _schema_dir() -> Path:
    for folder in map(Path, _SCHEMA_DIRS):
        if (folder / "core.schema").exists():
            return folder
    raise DirectoryServerError(f"OpenLDAP's schema files (core.schema) not found in {', '.join(_SCHEMA_DIRS)}")


def _module_dir() -> Path | None:
    """Where back_mdb.so lives; None when this slapd has the backend built in."""
    return next((Path(d) for d in _MODULE_DIRS if (Path(d) / "back_mdb.so").exists()), None)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ssha(password: str) -> str:
    """slapd's salted SHA-1 form, so the clear password never lands in slapd.conf."""
    salt = os.urandom(8)
    digest = hashlib.sha1(password.encode() + salt).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def _quoted(text: str | Path) -> str:
    text = str(text)
    if '"' in text or "\\" in text or "\n" in text:
        raise DirectoryServerError(f"cannot write {text!r} into slapd.conf (quote, backslash or newline)")
    return f'"{text}"'


def _norm_dn(dn: str) -> str:
    return re.sub(r"\s*([,=+])\s*", r"\1", dn.strip()).lower()


def base_entry(base_dn: str) -> Entry:
    """The suffix entry slapd needs before anything else (dc=..., o=... or ou=...)."""
    name, _, value = base_dn.split(",", 1)[0].partition("=")
    name = name.strip().lower()
    value = value.strip()
    if name == "dc":
        return base_dn, {"objectClass": ["top", "dcObject", "organization"], "dc": value, "o": value}
    if name == "o":
        return base_dn, {"objectClass": ["top", "organization"], "o": value}
    if name == "ou":
        return base_dn, {"objectClass": ["top", "organizationalUnit"], "ou": value}
    raise DirectoryServerError(f"cannot make the base entry of {base_dn!r}: give it as the first entry")


# --------------------------------------------------------------------------------------------------
# TLS material
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TlsFiles:
    """PEM files: the CA that signed the server certificate, the server's pair, an unrelated CA."""

    ca_file: Path
    cert_file: Path
    key_file: Path
    other_ca_file: Path


def write_tls_files(folder: Path) -> TlsFiles:
    """A CA, a certificate it signs for localhost / 127.0.0.1, and an unrelated CA, in ``folder``.

    Made once per folder (kept when present). EC P-256 keys: fast to make, read by GnuTLS and
    OpenSSL alike; the extensions satisfy Python's strict verification (VERIFY_X509_STRICT).
    """
    files = TlsFiles(folder / "ca.pem", folder / "server.pem", folder / "server-key.pem", folder / "other-ca.pem")
    if all(p.exists() for p in (files.ca_file, files.cert_file, files.key_file, files.other_ca_file)):
        return files
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _ca_certificate("nomasx1 test directory CA", ca_key)
    server_key = ec.generate_private_key(ec.SECP256R1())
    other_key = ec.generate_private_key(ec.SECP256R1())
    pem = serialization.Encoding.PEM
    files.ca_file.write_bytes(ca_cert.public_bytes(pem))
    files.other_ca_file.write_bytes(_ca_certificate("nomasx1 unrelated CA", other_key).public_bytes(pem))
    files.cert_file.write_bytes(_server_certificate(server_key, ca_cert, ca_key).public_bytes(pem))
    key_bytes = server_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    files.key_file.touch(mode=0o600)
    files.key_file.write_bytes(key_bytes)
    return files


def _validity() -> tuple[dt.datetime, dt.datetime]:
    now = dt.datetime.now(dt.UTC)
    return now - dt.timedelta(days=1), now + dt.timedelta(days=825)


def _ca_certificate(common_name: str, key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    not_before, not_after = _validity()
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _server_certificate(
    key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey
) -> x509.Certificate:
    not_before, not_after = _validity()
    public = key.public_key()
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


# --------------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------------

_RUNNING: set[DirectoryServer] = set()


#: the pid of a detached slapd, in its work folder
PID_FILE = "slapd.pid"


def detached_pid(workdir: Path) -> int | None:
    """The pid of the detached slapd serving ``workdir`` when it is alive, else None."""
    try:
        pid = int((Path(workdir) / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs: a child of ours that exited is reaped (not a zombie kept "alive")."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:  # not our child: another process started it
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def stop_detached(workdir: Path, timeout: float = 10.0) -> bool:
    """Stop the detached slapd of ``workdir`` (SIGTERM, then SIGKILL); True when one was running."""
    pid = detached_pid(workdir)
    (Path(workdir) / PID_FILE).unlink(missing_ok=True)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    return True


@atexit.register
def _stop_leftovers() -> None:
    """A server a crashed test or demo forgot must not outlive the interpreter."""
    for server in list(_RUNNING):
        server.stop()


@dataclass(eq=False)
class DirectoryServer:
    """slapd serving ``base_dn`` from ``workdir`` on 127.0.0.1: plain LDAP and StartTLS on ``port``,
    LDAPS on ``ldaps_port`` (None without TLS). ``bind_dn`` / ``password`` is the root DN (no
    limits); ``ca_file`` is the CA clients trust, ``other_ca_file`` one that did not sign the
    server's certificate. Ports 0 are chosen free at the first start and kept across restarts.
    """

    workdir: Path
    base_dn: str = DEFAULT_BASE_DN
    password: str = DEFAULT_PASSWORD
    bind_dn: str = ""
    tls: bool = True
    host: str = "127.0.0.1"
    port: int = 0
    ldaps_port: int | None = 0
    ca_file: Path | None = None
    other_ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    #: outlive this interpreter (``make airflow`` serves the demo's directory after the resume
    #: command exits): its own session, a pid file, stopped by :func:`stop_detached`
    detached: bool = False
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.workdir = Path(self.workdir)
        self.bind_dn = self.bind_dn or f"cn=admin,{self.base_dn}"
        if not self.tls:
            self.ldaps_port = None

    def connection_fields(self, tls: TlsMode = "ldaps", **extras: object) -> dict[str, object]:
        """The fields of a directory connection (type ``nomasx1_ldap``) on this server, as
        ``airflow connections import`` and ``AIRFLOW_CONN_*`` read them: TLS trusting ``ca_file``."""
        port = self.ldaps_port if tls == "ldaps" else self.port
        extra = {"tls_mode": tls, "base_dn": self.base_dn, **extras}
        if tls != "none" and self.ca_file is not None:
            extra.setdefault("ca_bundle", str(self.ca_file))
        return {
            "conn_type": "nomasx1_ldap",
            "host": self.host,
            "port": port,
            "login": self.bind_dn,
            "password": self.password,
            "extra": json.dumps({k: v for k, v in extra.items() if v is not None}),
        }

    def connection_env(self, conn_id: str = "ldap", tls: TlsMode = "ldaps", **extras: object) -> dict[str, str]:
        """``AIRFLOW_CONN_<ID>`` of :meth:`connection_fields`."""
        return {f"AIRFLOW_CONN_{conn_id.upper().replace('-', '_')}": json.dumps(self.connection_fields(tls, **extras))}

    # paths ----------------------------------------------------------------------------------------

    @property
    def config_file(self) -> Path:
        return self.workdir / "slapd.conf"

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data"

    @property
    def log_file(self) -> Path:
        """slapd's and slapadd's stderr (errors only: slapd runs with ``-d none``)."""
        return self.workdir / "slapd.log"

    @property
    def url(self) -> str:
        return f"ldap://{self.host}:{self.port}"

    @property
    def ldaps_url(self) -> str | None:
        return f"ldaps://{self.host}:{self.ldaps_port}" if self.ldaps_port else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    # lifecycle ------------------------------------------------------------------------------------

    def start(self, timeout: float = START_TIMEOUT) -> DirectoryServer:
        """Start slapd (creating the configuration and the base entry when new); returns self."""
        if self.running:
            return self
        self._prepare()
        if not self._initialised():
            self._slapadd([base_entry(self.base_dn)])
        auto_ports = self.port == 0
        for attempt in range(3):
            if auto_ports:
                self.port = _free_port()
                if self.tls:
                    self.ldaps_port = _free_port()
            try:
                self._launch(timeout)
                return self
            except _PortTaken:
                if not auto_ports or attempt == 2:
                    urls = " and ".join(u for u in (self.url, self.ldaps_url) if u)
                    raise DirectoryServerError(f"slapd could not listen on {urls}: {self._log_tail()}") from None
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """Stop slapd (SIGTERM, then SIGKILL after 10 s); the data stays in ``workdir``."""
        process, self._process = self._process, None
        _RUNNING.discard(self)
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def __enter__(self) -> DirectoryServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _prepare(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(exist_ok=True)
        if self.tls:
            files = write_tls_files(self.workdir / "tls")
            self.ca_file, self.cert_file = files.ca_file, files.cert_file
            self.key_file, self.other_ca_file = files.key_file, files.other_ca_file
        self.config_file.write_text(self._config())

    def _config(self) -> str:
        schema_dir = _schema_dir()
        lines = [f"include {_quoted(schema_dir / f'{name}.schema')}" for name in STANDARD_SCHEMAS]
        lines += [
            f"include {_quoted(AD_SCHEMA)}",
            f"pidfile {_quoted(self.workdir / 'slapd.pid')}",
            f"argsfile {_quoted(self.workdir / 'slapd.args')}",
        ]
        module_dir = _module_dir()
        if module_dir is not None:
            lines += [f"modulepath {_quoted(module_dir)}", "moduleload back_mdb"]
        if self.tls:
            lines += [
                f"TLSCACertificateFile {_quoted(self.ca_file or '')}",
                f"TLSCertificateFile {_quoted(self.cert_file or '')}",
                f"TLSCertificateKeyFile {_quoted(self.key_file or '')}",
                "TLSVerifyClient never",
            ]
        lines += [
            # no server-side cap: a paged search may return the whole directory (50k+ entries)
            "sizelimit unlimited",
            "timelimit unlimited",
            "database mdb",
            "maxsize 2147483648",  # virtual size; 60k AD-like entries need well under 1 GiB
            f"suffix {_quoted(self.base_dn)}",
            f"rootdn {_quoted(self.bind_dn)}",
            f"rootpw {_ssha(self.password)}",
            f"directory {_quoted(self.data_dir)}",
            f"limits dn.exact={_quoted(self.bind_dn)} size=unlimited time=unlimited",
            "index objectClass eq",
            "index cn,sAMAccountName,userPrincipalName,mail eq,sub",
            "index member,manager eq",
            "",
        ]
        return "\n".join(lines)

    def _initialised(self) -> bool:
        return (self.data_dir / "data.mdb").exists()

    def _launch(self, timeout: float) -> None:
        urls = [f"ldap://{self.host}:{self.port}/"]
        if self.ldaps_port:
            urls.append(f"ldaps://{self.host}:{self.ldaps_port}/")
        command = [_require_tool("slapd"), "-f", str(self.config_file), "-h", " ".join(urls), "-d", "none"]
        with self.log_file.open("ab") as log:
            log.truncate(0)
            # -d keeps slapd in the foreground, our child: stop() ends it and nothing is left behind
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=self.detached
            )
        if self.detached:
            (self.workdir / PID_FILE).write_text(f"{self._process.pid}\n")
        else:
            _RUNNING.add(self)
        deadline = time.monotonic() + timeout
        while True:
            code = self._process.poll()
            if code is not None:
                self._process = None
                _RUNNING.discard(self)
                if "errno=98" in self._log_tail():
                    raise _PortTaken
                raise DirectoryServerError(
                    f"slapd exited with code {code} at start ({' '.join(command)}): {self._log_tail()}"
                )
            if self._accepts_bind():
                return
            if time.monotonic() > deadline:
                self.stop()
                raise DirectoryServerError(
                    f"slapd did not accept a bind on {self.url} within {timeout:g} s: {self._log_tail()}"
                )
            time.sleep(0.05)

    def _accepts_bind(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5):
                pass
            connection = self.connect(timeout=2)
        except (OSError, LDAPException):
            return False
        connection.unbind()
        return True

    def _log_tail(self) -> str:
        """The end of slapd's / slapadd's output, without slapd's timestamp and thread prefixes."""
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return _LOG_PREFIX.sub("", text)[-3000:].strip() or "(no output)"

    # clients --------------------------------------------------------------------------------------

    def connect(
        self,
        tls: TlsMode = "none",
        *,
        ca_file: Path | str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 10,
    ) -> ldap3.Connection:
        """An ldap3 connection, bound (as the root DN unless ``user`` is given).

        ``tls``: "ldaps" (the LDAPS port) or "starttls" (the plain port), verifying the server
        certificate against ``ca_file`` (default: the server's CA). A failed bind raises
        ldap3's LDAPBindError; a refused TLS handshake LDAPSocketOpenError / LDAPStartTLSError.
        """
        tls_config = None
        if tls != "none":
            if not self.tls:
                raise DirectoryServerError("this directory server was started without TLS (tls=False)")
            tls_config = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=str(ca_file or self.ca_file))
        server = ldap3.Server(
            self.host,
            port=self.ldaps_port if tls == "ldaps" else self.port,
            use_ssl=tls == "ldaps",
            tls=tls_config,
            get_info=ldap3.NONE,
            connect_timeout=timeout,
        )
        connection = ldap3.Connection(
            server,
            user=user or self.bind_dn,
            password=self.password if password is None else password,
            receive_timeout=timeout,
            raise_exceptions=False,
        )
        if tls == "starttls":
            connection.open()
            if not connection.start_tls():
                result = dict(connection.result or {})
                connection.unbind()
                raise LDAPStartTLSError(f"StartTLS on {self.url} failed: {result}")
        if not connection.bind():
            result = dict(connection.result)
            connection.unbind()
            raise LDAPBindError(f"bind as {connection.user} failed: {result}")
        return connection

    # data -----------------------------------------------------------------------------------------

    def load(self, entries: Iterable[Entry]) -> int:
        """Add ``entries``: through slapadd when the server is stopped (bulk), over LDAP when it
        runs. The base entry is created first when the directory is new. Returns the count."""
        if self.running:
            return self.add(entries)
        self._prepare()
        if not self._initialised():
            entries = with_base_entry(self.base_dn, entries)
        return self._slapadd(entries)

    def reset(self, entries: Iterable[Entry] = ()) -> int:
        """Empty the directory down to its base entry, then bulk-load ``entries`` with slapadd;
        a running server is restarted on the same ports (its connections drop). Returns the count."""
        was_running = self.running
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self._prepare()
        count = self._slapadd(with_base_entry(self.base_dn, entries))
        if was_running:
            self.start()
        return count

    def add(self, entries: Iterable[Entry]) -> int:
        """Add ``entries`` to the running server over LDAP; returns the count."""
        count = 0
        connection = self._admin()
        try:
            for dn, attributes in entries:
                values = {name: _values(v) for name, v in attributes.items()}
                if not connection.add(dn, attributes=values):
                    raise DirectoryServerError(f"adding {dn!r} failed: {_describe(connection)}")
                count += 1
        finally:
            connection.unbind()
        return count

    def modify(self, dn: str, changes: Mapping[str, Change]) -> None:
        """Change attributes of ``dn``: a value or values replaces (None or [] removes the
        attribute); ``("add", values)`` / ``("delete", values)`` add or remove single values."""
        ldap_changes = {}
        for name, change in changes.items():
            if isinstance(change, tuple) and len(change) == 2 and change[0] in _MODIFY_OPS:
                op, values = change
            else:
                op, values = "replace", change
            ldap_changes[name] = [(_MODIFY_OPS[op], _values(values))]
        connection = self._admin()
        try:
            if not connection.modify(dn, ldap_changes):
                raise DirectoryServerError(f"modifying {dn!r} failed: {_describe(connection)}")
        finally:
            connection.unbind()

    def delete(self, dn: str) -> None:
        """Delete the leaf entry ``dn``."""
        connection = self._admin()
        try:
            if not connection.delete(dn):
                raise DirectoryServerError(f"deleting {dn!r} failed: {_describe(connection)}")
        finally:
            connection.unbind()

    def _admin(self) -> ldap3.Connection:
        if not self.running:
            raise DirectoryServerError("the directory server is not running: start() it first")
        return self.connect()

    def _slapadd(self, entries: Iterable[Entry]) -> int:
        """Stream ``entries`` as LDIF into slapadd (quick mode) while the server is stopped."""
        command = [_require_tool("slapadd"), "-f", str(self.config_file), "-b", self.base_dn, "-q"]
        count = 0
        with self.log_file.open("wb") as log:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=log, stderr=log)
            assert process.stdin is not None
            try:
                for dn, attributes in entries:
                    process.stdin.write(ldif.record(dn, attributes).encode())
                    count += 1
                process.stdin.close()
            except BrokenPipeError:  # slapadd stopped at a bad entry: its message says which
                pass
            except BaseException:
                process.kill()
                process.wait()
                raise
            code = process.wait()
        if code != 0:
            raise DirectoryServerError(f"slapadd failed ({code}) after {count} entries sent: {self._log_tail()}")
        return count


class _PortTaken(Exception):
    pass


def _describe(connection: ldap3.Connection) -> str:
    result = connection.result or {}
    return f"{result.get('description')} ({result.get('result')}): {result.get('message') or ''}".strip()


def with_base_entry(base_dn: str, entries: Iterable[Entry]) -> Iterator[Entry]:
    """``entries``, preceded by the base entry unless it comes first already (lazily: no list)."""
    iterator = iter(entries)
    first = next(iterator, None)
    if first is None or _norm_dn(first[0]) != _norm_dn(base_dn):
        yield base_entry(base_dn)
    if first is not None:
        yield first
    yield from iterator


def start_directory_server(
    workdir: Path,
    *,
    base_dn: str = DEFAULT_BASE_DN,
    password: str = DEFAULT_PASSWORD,
    tls: bool = True,
    entries: Iterable[Entry] = (),
    timeout: float = START_TIMEOUT,
) -> DirectoryServer:
    """A running directory in ``workdir`` holding the base entry and ``entries`` (bulk-loaded with
    slapadd before slapd starts). Stop it with ``stop()`` or use it as a context manager."""
    server = DirectoryServer(Path(workdir), base_dn=base_dn, password=password, tls=tls)
    server.load(entries)
    return server.start(timeout=timeout)
