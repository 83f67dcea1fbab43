"""Nomasx1Hook as a PostgresHook without a database: its URI and engines keep the password and the
libpq extras (issue 11); the sessions themselves are tests/integration/test_nomasx1_hook.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from support.connections import EXTRAS, HOSTILE

from airflow_provider_nomasx1.hooks.nomasx1 import Nomasx1Hook


def test_uri_and_engines_keep_the_password_and_extras(
    monkeypatch: pytest.MonkeyPatch, set_url_conn: Callable[..., None]
) -> None:
    target = URL.create("postgresql", username="nx", password=HOSTILE, host="db.local", port=6543, database="nomasx1")
    set_url_conn(monkeypatch, "nx_uri", target, extra=EXTRAS)
    hook = Nomasx1Hook("nx_uri")
    url = make_url(hook.get_uri())
    assert (url.drivername, url.password, url.host, url.port, url.database) == (
        "postgresql+psycopg",
        HOSTILE,
        "db.local",
        6543,
        "nomasx1",
    )
    assert dict(url.query) == {
        "sslmode": "disable",
        "options": "-c search_path=nx_extras,public",
        "application_name": "nx-extras",
        "keepalives": "1",
    }
    assert hook.get_sqlalchemy_engine() is hook.engine
    other = hook.get_sqlalchemy_engine({"poolclass": sa.pool.NullPool})
    assert other is not hook.engine and isinstance(other.pool, sa.pool.NullPool)
    other.dispose()
    hook.dispose()
