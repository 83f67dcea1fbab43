"""Values the connection tests (hooks, the nomasx1 hook, timeouts) put in Airflow connections (plain data)."""

from __future__ import annotations

#: a password with every character a URL must escape
HOSTILE = "p@ss:w/rd?#%&'\""
#: a password that must never reach a message or a log
SECRET = "s3cret-never-logged"
#: libpq parameters, and keys of ours that must not reach the driver
EXTRAS = {
    "sslmode": "disable",
    "options": "-c search_path=nx_extras,public",
    "application_name": "nx-extras",
    "keepalives": True,
    "statement_timeout": 30,
    "connect_timeout": 5,
    "db_type": "postgres",
    "database": "not_this_one",
    "extra__nomasx1__note": "a form-only key",
}
