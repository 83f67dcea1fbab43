"""Alembic environment of the ``nomasx1`` schema (the ``script_location`` used by bootstrap).

No ``alembic.ini`` is needed: :func:`airflow_provider_nomasx1.schema.bootstrap.alembic_config`
builds the configuration in code and hands over the connection and the target schema through
``Config.attributes``. Migrations get the schema with :func:`target_schema` and pass it to every
operation (``op.create_table(..., schema=schema)``); the version table ``alembic_version`` lives in
that same schema.
"""

from __future__ import annotations

from pathlib import Path

from airflow_provider_nomasx1.pg.identifiers import checked

#: the folder alembic loads env.py, script.py.mako and versions/ from
SCRIPT_LOCATION = Path(__file__).resolve().parent

#: used when neither the caller nor ``-x schema=...`` names one
DEFAULT_SCHEMA = "nomasx1"


def target_schema() -> str:
    """The schema the running migration targets (validated).

    Taken from ``Config.attributes["schema"]`` (set by bootstrap), else the ``-x schema=NAME``
    command-line argument, else the ``target_schema`` main option, else ``nomasx1``.
    """
    from alembic import context

    config = context.config
    schema = config.attributes.get("schema")
    if not schema:
        schema = context.get_x_argument(as_dictionary=True).get("schema")
    if not schema:
        schema = config.get_main_option("target_schema") or DEFAULT_SCHEMA
    return checked(schema, "schema name")
