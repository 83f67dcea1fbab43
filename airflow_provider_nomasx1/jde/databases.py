"""The databases JDE runs on: the connection's ``db_type`` and how each spells unquoted names.

Written once so that the hook (which ``db_type`` values a connection may give), the security
readers and the mirror sync (which SQLAlchemy dialect to speak) agree.
"""

from __future__ import annotations

#: ``extras.db_type`` of a ``jdedwards`` connection -> SQLAlchemy dialect name
#: (Oracle in production, SQL Server possible, PostgreSQL in tests)
DIALECTS: dict[str, str] = {"oracle": "oracle", "mssql": "mssql", "postgres": "postgresql"}

#: the ``db_type`` values a connection may give, in the order the form and errors list them
DB_TYPES: tuple[str, ...] = tuple(DIALECTS)

#: Airflow connection type -> ``db_type``, for a connection that sets no ``extras.db_type``
#: (a db_type or its dialect name: ``postgresql`` is ``postgres``)
BY_CONN_TYPE: dict[str, str] = {db: db for db in DIALECTS} | {dialect: db for db, dialect in DIALECTS.items()}

#: driver settings of a ``jdedwards`` connection without them (the hooks apply them, the
#: connection form shows them): Oracle rows per round trip, SQL Server's ODBC driver, and whether
#: SQL Server's certificate goes unchecked (never by default: credentials only to a verified server)
DEFAULT_ORACLE_ARRAYSIZE = 5000
DEFAULT_ODBC_DRIVER = "ODBC Driver 18 for SQL Server"
DEFAULT_TRUST_SERVER_CERTIFICATE = False


def physical_name(name: str, dialect: str) -> str:
    """How the source spells an unquoted JDE name: lower case on PostgreSQL, upper case elsewhere."""
    return name.lower() if dialect == "postgresql" else name.upper()
