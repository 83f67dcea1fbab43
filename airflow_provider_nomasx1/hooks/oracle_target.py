"""OracleTargetHook: an Oracle database read for its licences (the `oracle-target` connection).

Deliberately not the `jdedwards` connection: the database introspected may be any Oracle
database, and the account needs dictionary grants (docs/database.md, "Grants"), not the JDE
tables. The connection is of the Oracle provider's type ``oracle`` (host, port, login, password;
extras ``service_name`` or ``sid``, or ``dsn``), so its form in the Airflow UI is the provider's.
The engine is built like every other source's (hooks/timeouts.py): python-oracledb thin mode
with a connect deadline it lacks on its own, and failures that name the connection.

Tests and the demo read a dictionary emulated in PostgreSQL instead (oracle/emulation.py): a
``postgres`` connection whose extras name the schema holding it, ``{"emulated_dictionary":
"oracle_19c_ee_rac"}``; its sessions are read-only with that schema on the search path, so the
collector's SQL is the same text.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import sqlalchemy as sa
from airflow.sdk import BaseHook

from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error, SourceUnreachableError, describe_error
from airflow_provider_nomasx1.hooks.connection import (
    extras_of,
    get_connection,
    location_of,
    oracle_url,
    postgres_url,
    without_password,
)
from airflow_provider_nomasx1.hooks.timeouts import SOURCE_STATEMENT_TIMEOUT, Endpoint, Timeouts, create_engine
from airflow_provider_nomasx1.oracle.dialect import Dialect
from airflow_provider_nomasx1.oracle.dictionary import DATABASE, Dictionary
from airflow_provider_nomasx1.pg.identifiers import checked

_PURPOSE = "Oracle database (licence introspection)"


class OracleTargetHook(BaseHook):
    """The dictionary of an Oracle database, or of its emulation in PostgreSQL.

    :param oracle_conn_id: Airflow connection id (type ``oracle``; ``postgres`` with
        ``extras.emulated_dictionary`` for the emulation).
    """

    conn_name_attr = "oracle_conn_id"
    default_conn_name = "oracle-target"
    conn_type = "oracle"
    hook_name = "Oracle database (nomasx1 licence introspection)"

    def __init__(self, oracle_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.oracle_conn_id = oracle_conn_id

    @cached_property
    def connection(self) -> Any:
        return get_connection(self.oracle_conn_id, _PURPOSE, "oracle")

    @cached_property
    def db_type(self) -> str:
        """``oracle``, or ``postgres`` for an emulated dictionary (extras.emulated_dictionary)."""
        conn_type = self.connection.conn_type or ""
        if conn_type == "oracle":
            return "oracle"
        if conn_type == "postgres" and extras_of(self.connection).get("emulated_dictionary"):
            return "postgres"
        raise ConfigurationError(
            f"connection {self.oracle_conn_id!r} is of type {conn_type!r}: the database job reads an Oracle database "
            "(connection type oracle; docs/database.md), or a dictionary emulated in PostgreSQL (type postgres with "
            "extras.emulated_dictionary naming its schema)."
        )

    @property
    def dialect(self) -> Dialect:
        return Dialect("oracle" if self.db_type == "oracle" else "emulated")

    @property
    def user(self) -> str:
        return str(self.connection.login or "")

    @cached_property
    def engine(self) -> sa.Engine:
        extras = extras_of(self.connection)
        connect_args: dict[str, Any] = {}
        if self.db_type == "postgres":
            schema = checked(str(extras["emulated_dictionary"]), "extras.emulated_dictionary")
            connect_args["options"] = f"-c default_transaction_read_only=on -c search_path={schema}"
            url = postgres_url(self.connection)
        else:
            url = oracle_url(self.connection)
            if extras.get("dsn"):
                connect_args["dsn"] = extras["dsn"]
        endpoint = Endpoint(
            self.oracle_conn_id,
            _PURPOSE,
            location_of(self.connection, self.db_type),
            self.connection.password,
            SourceUnreachableError,
        )
        timeouts = Timeouts.from_extras(self.oracle_conn_id, extras, SOURCE_STATEMENT_TIMEOUT)
        return create_engine(url, self.db_type, endpoint, timeouts, connect_args=connect_args, pool_pre_ping=True)

    @cached_property
    def dictionary(self) -> Dictionary:
        """The dictionary queries on this connection (oracle/dictionary.py)."""
        return Dictionary(self.engine, self.dialect, self.oracle_conn_id, self.user)

    def test_connection(self) -> tuple[bool, str]:
        """One probe: the V$DATABASE row, the first view the job reads."""
        try:
            row = self.dictionary.one(DATABASE)
            return True, f"Connected to Oracle database {row[1]} (DBID {row[0]}) at {self._where()}"
        except Nomasx1Error as exc:
            return False, self._without_password(str(exc))
        except Exception as exc:
            return False, self._without_password(describe_error(exc))
        finally:
            self.dispose()

    def _where(self) -> str:
        return location_of(self.connection, self.db_type)

    def _without_password(self, message: str) -> str:
        return without_password(message, self.__dict__.get("connection"))

    def dispose(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
