"""The target schemas (see docs/schema.md).

- :mod:`.nomasx1` — SQLAlchemy Core tables of the compliance schema (``metadata``);
- :mod:`.nomajde` — tables of the JDE mirror (``metadata``, not versioned);
- :mod:`.views` — the materialised views (SQL in ``sql/views``), creation and refresh;
- :mod:`.bootstrap` — ``init_schema``, ``upgrade_schema``, ``init_mirror``, ``refresh_views``;
- ``migrations/`` — the alembic environment and versions of the ``nomasx1`` schema.

Tables have no schema: pick it at run time with
``connection.execution_options(schema_translate_map={None: schema})``.
Importing this package is cheap (no alembic import): import the submodule you need.
"""
