"""LdapHook: a corporate directory (Active Directory or OpenLDAP) read with ldap3.

The connection (type ``nomasx1_ldap``, docs/ldap.md "The connection") gives the server (host,
port), the bind DN (login) and its password, and in its extras the TLS mode (``ldaps``, default;
``starttls``; ``none``), the CA bundle the server's certificate must chain to, and the search
settings :func:`~airflow_provider_nomasx1.directory.config.directory_config` reads (base DN,
filters, page size, excluded OUs, directory kind, attribute map overrides).

Certificates are always validated when TLS is on: a directory bind sends a password. Failures are
diagnosed once here (wrong password, unreachable server, untrusted certificate) with a message
naming the connection, host and port, never the password.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

from airflow.sdk import BaseHook

from airflow_provider_nomasx1.directory.config import TLS_MODES, DirectoryConfig, directory_config
from airflow_provider_nomasx1.errors import (
    ConfigurationError,
    ConnectionFailedError,
    DirectoryUnreachableError,
    Nomasx1Error,
    describe_error,
)
from airflow_provider_nomasx1.hooks.connection import extras_of, get_connection, without_password

#: seconds to wait for the TCP connection, and for any answer of the server
DEFAULT_CONNECT_TIMEOUT = 15
DEFAULT_RECEIVE_TIMEOUT = 300


class LdapHook(BaseHook):
    """ldap3 connections to one directory, bound with the connection's DN and password.

    :param ldap_conn_id: Airflow connection id (type ``nomasx1_ldap``).
    """

    conn_name_attr = "ldap_conn_id"
    default_conn_name = "ldap"
    conn_type = "nomasx1_ldap"
    hook_name = "LDAP / Active Directory (nomasx1)"

    def __init__(self, ldap_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ldap_conn_id = ldap_conn_id

    @cached_property
    def connection(self) -> Any:
        return get_connection(self.ldap_conn_id, "corporate directory (LDAP)", "nomasx1_ldap")

    @property
    def extras(self) -> dict[str, Any]:
        return extras_of(self.connection)

    @cached_property
    def config(self) -> DirectoryConfig:
        """The search settings of the connection, validated."""
        return directory_config(self.ldap_conn_id, self.extras)

    @cached_property
    def tls_mode(self) -> str:
        mode = str(self.extras.get("tls_mode") or "ldaps").strip().lower()
        if mode not in TLS_MODES:
            raise ConfigurationError(
                f"connection {self.ldap_conn_id!r}: tls_mode must be one of {list(TLS_MODES)}, got {mode!r}"
            )
        return mode

    @property
    def location(self) -> str:
        """``host:port`` for messages (never credentials)."""
        if not self.connection.host:
            raise ConfigurationError(
                f"connection {self.ldap_conn_id!r}: host is empty: give the directory server's name"
            )
        port = self.connection.port or (636 if self.tls_mode == "ldaps" else 389)
        return f"{self.connection.host}:{port}"

    @contextmanager
    def connect(self) -> Iterator[Any]:
        """A bound ldap3 connection (StartTLS done first when asked), unbound on exit."""
        conn = self._connection()
        try:
            self._open_and_bind(conn)
            yield conn
        finally:
            _close(conn)

    def get_conn(self) -> Any:
        """A bound ldap3 connection; the caller unbinds it (prefer :meth:`connect`)."""
        conn = self._connection()
        self._open_and_bind(conn)
        return conn

    def test_connection(self) -> tuple[bool, str]:
        """Airflow's "Test" button: bind, then read the base DN's entry."""
        try:
            config = self.config
            with self.connect() as conn:
                from ldap3 import BASE

                conn.search(config.base_dn, "(objectClass=*)", BASE, attributes=["1.1"])
                if conn.result.get("result") == 32:
                    return False, f"Bound to {self.location}, but base DN {config.base_dn!r} does not exist"
            return (
                True,
                f"Bound to the directory at {self.location} ({self.tls_mode}); base DN {config.base_dn!r} found",
            )
        except Nomasx1Error as exc:
            return False, self._without_password(str(exc))
        except Exception as exc:
            return False, self._without_password(describe_error(exc))

    # -- building and opening ----------------------------------------------------------------
    def _connection(self) -> Any:
        import ldap3

        conn_timeout = _seconds(self.extras.get("connect_timeout"), DEFAULT_CONNECT_TIMEOUT, self.ldap_conn_id)
        receive = _seconds(self.extras.get("receive_timeout"), DEFAULT_RECEIVE_TIMEOUT, self.ldap_conn_id)
        host, port = self.location.rsplit(":", 1)
        server = ldap3.Server(
            host,
            port=int(port),
            use_ssl=self.tls_mode == "ldaps",
            tls=self._tls() if self.tls_mode != "none" else None,
            get_info=ldap3.NONE,  # no schema read: values arrive as text, decoded by directory/values.py
            connect_timeout=conn_timeout,
        )
        return ldap3.Connection(
            server,
            user=self.connection.login or None,
            password=self.connection.password or None,
            authentication=ldap3.SIMPLE if self.connection.login else ldap3.ANONYMOUS,
            auto_bind=ldap3.AUTO_BIND_NONE,
            receive_timeout=receive,
            read_only=True,
            raise_exceptions=False,
            auto_range=True,
        )

    def _tls(self) -> Any:
        import ldap3

        ca_bundle = self.extras.get("ca_bundle")
        return ldap3.Tls(
            validate=ssl.CERT_REQUIRED,
            version=ssl.PROTOCOL_TLS_CLIENT,
            ca_certs_file=str(ca_bundle) if ca_bundle else None,
        )

    def _open_and_bind(self, conn: Any) -> None:
        from ldap3.core.exceptions import LDAPException, LDAPSocketOpenError, LDAPStartTLSError

        where = f"directory connection {self.ldap_conn_id!r} ({self.location}, {self.tls_mode})"
        try:
            conn.open()
            if self.tls_mode == "starttls" and not conn.start_tls():
                raise ConnectionFailedError(f"{where}: the server refused StartTLS ({conn.result.get('description')})")
        except (LDAPSocketOpenError, LDAPStartTLSError) as exc:
            raise self._open_failure(where, exc) from None
        except LDAPException as exc:
            raise DirectoryUnreachableError(f"{where}: {self._without_password(describe_error(exc))}") from None
        if not conn.bind():
            result = conn.result or {}
            if result.get("result") == 49:
                raise ConnectionFailedError(
                    f"{where}: the directory refused the bind of {self.connection.login!r} (invalid credentials): fix "
                    "the connection's login (bind DN) or password; nothing was changed."
                )
            raise ConnectionFailedError(
                f"{where}: bind of {self.connection.login!r} failed: {result.get('description')} "
                f"({result.get('message') or 'no message'})"
            )

    def _open_failure(self, where: str, exc: Exception) -> Nomasx1Error:
        text = self._without_password(str(exc))
        lowered = text.lower()
        if "certificate verify failed" in lowered or "certificate_verify_failed" in lowered:
            return ConnectionFailedError(
                f"{where}: the server's certificate is not trusted ({_short(text)}): give the CA that signed it in the "
                "connection's ca_bundle (a PEM file on the workers), or check the host name; nothing was changed."
            )
        if "ssl" in lowered or "tls" in lowered:
            return ConnectionFailedError(
                f"{where}: the TLS handshake failed ({_short(text)}): check the connection's tls_mode against the port "
                "(ldaps: TLS from the first byte, usually 636; starttls: usually 389); nothing was changed."
            )
        return DirectoryUnreachableError(
            f"{where}: the directory server did not accept the connection ({_short(text)}): check host, port, TLS "
            "mode and the network; a later attempt may succeed."
        )

    def _without_password(self, message: str) -> str:
        return without_password(message, self.__dict__.get("connection"))


def _close(conn: Any) -> None:
    """Unbind, quietly: after a failed TLS handshake the socket is already gone, and the error
    that matters is the one being raised."""
    from ldap3.core.exceptions import LDAPException

    try:
        if not conn.closed:
            conn.unbind()
    except (LDAPException, OSError):
        pass


def _seconds(raw: Any, default: int, conn_id: str) -> int:
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = -1
    if value <= 0:
        raise ConfigurationError(f"connection {conn_id!r}: timeouts are positive numbers of seconds, got {raw!r}")
    return int(value) or 1


def _short(text: str) -> str:
    return text.strip().splitlines()[0][:300] if text.strip() else "no detail"
