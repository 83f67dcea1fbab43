"""JdeHook: the JD Edwards database (Oracle in production, SQL Server possible, PostgreSQL in tests).

The `jdedwards` connection's extras carry where the JDE tables are (the schema map) and optional
overrides of the source catalogue (physical table/column names that differ at a site)::

    {"db_type": "oracle", "service_name": "JDEPROD",
     "schemas": {"system": "SY920", "control": "PRODCTL", "data": "PRODDTA", ...},
     "catalogue": {"F95921.include_in_all": "RLCUSTOM"}}

JdeHook is read-only by design: it opens its sessions read-only where the database allows it. The
one exception is the hook of role ``jde_purge`` (``writable=True``, hooks/roles.py): the Object
Usage Tracking purge of nomasx1-out-1 deletes old F98911 rows through it, only when the
application's settings turn that purge on and name the connection (docs/license.md).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import sqlalchemy as sa
from airflow.sdk import BaseHook
from sqlalchemy.engine import URL

from airflow_provider_nomasx1.errors import (
    ConfigurationError,
    Nomasx1Error,
    SourceUnreachableError,
    describe_error,
)
from airflow_provider_nomasx1.hooks.connection import (
    extras_of,
    get_connection,
    location_of,
    mssql_url,
    oracle_url,
    postgres_url,
    without_password,
)
from airflow_provider_nomasx1.hooks.timeouts import SOURCE_STATEMENT_TIMEOUT, Endpoint, Timeouts, create_engine
from airflow_provider_nomasx1.jde.databases import BY_CONN_TYPE, DB_TYPES, DEFAULT_ORACLE_ARRAYSIZE
from airflow_provider_nomasx1.jde.schema_map import JdeSchemaMap

#: the cheapest statement each database answers, run by :meth:`JdeHook.test_connection`
PROBE_QUERIES = {"oracle": "SELECT 1 FROM DUAL", "mssql": "SELECT 1", "postgres": "SELECT 1"}


class JdeHook(BaseHook):
    """SQLAlchemy engine and schema map of a JDE database.

    :param jde_conn_id: Airflow connection id (type ``jdedwards``, or ``oracle``/``postgres``/
        ``mssql`` with the same extras).
    :param writable: open read-write sessions (PostgreSQL sources are read-only otherwise); only
        the ``jde_purge`` role sets it.
    """

    conn_name_attr = "jde_conn_id"
    default_conn_name = "jdedwards"
    conn_type = "jdedwards"
    hook_name = "JD Edwards EnterpriseOne database"

    def __init__(self, jde_conn_id: str = default_conn_name, writable: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.jde_conn_id = jde_conn_id
        self.writable = writable

    @cached_property
    def connection(self) -> Any:
        return get_connection(self.jde_conn_id, "JD Edwards source database", "jdedwards")

    @property
    def extras(self) -> dict[str, Any]:
        return extras_of(self.connection)

    @cached_property
    def db_type(self) -> str:
        """``oracle``, ``mssql`` or ``postgres``: extras.db_type, else the connection type."""
        db_type = self.extras.get("db_type") or BY_CONN_TYPE.get(self.connection.conn_type or "")
        if db_type not in DB_TYPES:
            raise ConfigurationError(
                f"connection {self.jde_conn_id!r}: set extras.db_type to one of {list(DB_TYPES)} (got {db_type!r})"
            )
        return db_type

    @property
    def url(self) -> URL:
        builders = {"oracle": oracle_url, "mssql": mssql_url, "postgres": postgres_url}
        return builders[self.db_type](self.connection)

    @cached_property
    def schemas(self) -> JdeSchemaMap:
        """The JDE schema map; PostgreSQL sources use lower-case names."""
        schema_map = JdeSchemaMap.from_extras(self.extras)
        return schema_map.lower() if self.db_type == "postgres" else schema_map

    @property
    def catalogue_overrides(self) -> dict[str, str]:
        overrides = self.extras.get("catalogue") or {}
        if not isinstance(overrides, dict):
            raise ConfigurationError(f"connection {self.jde_conn_id!r}: extras.catalogue must be a mapping")
        return {str(k): str(v) for k, v in overrides.items()}

    @cached_property
    def timeouts(self) -> Timeouts:
        """extras.connect_timeout / extras.statement_timeout (seconds), see hooks/timeouts.py."""
        return Timeouts.from_extras(self.jde_conn_id, self.extras, SOURCE_STATEMENT_TIMEOUT)

    @cached_property
    def engine(self) -> sa.Engine:
        kwargs: dict[str, Any] = {"pool_pre_ping": True}
        connect_args: dict[str, Any] = {}
        if self.db_type == "postgres" and not self.writable:
            connect_args["options"] = "-c default_transaction_read_only=on"
        if self.db_type == "oracle":
            kwargs["arraysize"] = int(self.extras.get("arraysize", DEFAULT_ORACLE_ARRAYSIZE))
            if self.extras.get("dsn"):
                connect_args["dsn"] = self.extras["dsn"]
        endpoint = Endpoint(
            self.jde_conn_id,
            "JD Edwards source database",
            location_of(self.connection, self.db_type),
            self.connection.password,
            SourceUnreachableError,
        )
        return create_engine(self.url, self.db_type, endpoint, self.timeouts, connect_args=connect_args, **kwargs)

    def get_sqlalchemy_engine(self) -> sa.Engine:
        return self.engine

    def get_conn(self) -> Any:
        return self.engine.raw_connection()

    def test_connection(self) -> tuple[bool, str]:
        """Airflow's "Test" button (``[core] test_connection = Enabled``): one probe query through
        :attr:`engine`, so the timeouts, read-only session and failure messages are the jobs' own."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text(PROBE_QUERIES[self.db_type])).scalar()
            where = location_of(self.connection, self.db_type)
            return True, f"Connected to the JD Edwards source database ({self.db_type}) at {where}"
        except Nomasx1Error as exc:  # diagnosed: the message says what to fix
            return False, self._without_password(str(exc))
        except Exception as exc:  # the first line only: SQLAlchemy appends the statement
            return False, self._without_password(describe_error(exc))
        finally:
            self.dispose()

    def _without_password(self, message: str) -> str:
        return without_password(message, self.__dict__.get("connection"))

    def dispose(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
