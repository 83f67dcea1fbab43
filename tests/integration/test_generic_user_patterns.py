"""settings_jdedwards.generic_user_patterns: the registry, `nomasx1 apps --generic-user-patterns`,
and the licence settings that read it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.cli import main
from airflow_provider_nomasx1.collectors.licence.base import load_licence_settings
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.schema import bootstrap
from airflow_provider_nomasx1.schema.nomasx1 import DEFAULT_GENERIC_USER_PATTERNS

STORED = "SELECT generic_user_patterns FROM nomasx1.settings_jdedwards WHERE apps_id = 10"


@pytest.fixture
def registry(pg_engine: sa.Engine) -> Registry:
    bootstrap.init_schema(pg_engine, "nomasx1")
    registry = Registry(pg_engine, "nomasx1")
    registry.add(10, "JDE PROD")
    return registry


def _stored(engine: sa.Engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(STORED)).scalars().all()


def _licence_patterns(engine: sa.Engine) -> tuple[str, ...]:
    with engine.connect() as conn:
        return load_licence_settings(conn, "nomasx1", 10, dt.date(2026, 6, 30)).generic_user_patterns


def test_default_set_cleared_and_read_by_the_licence_settings(registry: Registry, pg_engine: sa.Engine) -> None:
    # no settings_jdedwards row yet: the schema's default, in show and in the licence settings
    assert registry.show(10)["generic_user_patterns"] == list(DEFAULT_GENERIC_USER_PATTERNS)
    assert _licence_patterns(pg_engine) == DEFAULT_GENERIC_USER_PATTERNS
    patterns = ["^JDE$", r"\mBATCH", "^SVC[0-9]+$"]  # \m: a PostgreSQL-only escape (start of word)
    assert registry.update(10, generic_user_patterns=json.dumps(patterns))["generic_user_patterns"] == patterns
    assert _stored(pg_engine) == [patterns]
    assert _licence_patterns(pg_engine) == ("^JDE$", r"\mBATCH", "^SVC[0-9]+$")
    assert registry.update(10, generic_user_patterns=[])["generic_user_patterns"] == []  # no pattern at all
    assert _licence_patterns(pg_engine) == ()
    assert registry.add(11, "JDE TEST", generic_user_patterns='["^TEST"]')["generic_user_patterns"] == ["^TEST"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('["BATCH", "(SVC"]', r"'\(SVC' is not a valid PostgreSQL regular expression \(invalid regular expression: "),
        ('["a{2,1}"]', r"'a\{2,1\}' is not a valid PostgreSQL regular expression"),
        ('"BATCH"', "must be a JSON list of strings"),
        ('{"p": "BATCH"}', "must be a JSON list of strings"),
        ('["BATCH", 3]', "must be a JSON list of strings"),
        ('["BATCH", " "]', "an empty pattern would match every user id"),
        ("[BATCH]", "is not valid JSON"),
    ],
)
def test_bad_patterns_are_refused_and_change_nothing(
    registry: Registry, pg_engine: sa.Engine, value: str, message: str
) -> None:
    registry.update(10, generic_user_patterns='["^JDE$"]')
    with pytest.raises(ConfigurationError, match=message):
        registry.update(10, apps_name="renamed", generic_user_patterns=value)
    assert _stored(pg_engine) == [["^JDE$"]]
    assert registry.show(10)["apps_name"] == "JDE PROD"  # the whole update was refused
    with pytest.raises(ConfigurationError, match=message):
        registry.add(12, "JDE NEW", generic_user_patterns=value)
    assert registry.existing({12}) == set()


def test_the_apps_command(
    registry: Registry, pg_url: URL, capsys: pytest.CaptureFixture[str], cli_fails: Callable[..., str]
) -> None:
    url = ["--url", pg_url.render_as_string(hide_password=False)]

    def shown() -> str:
        assert main(["apps", "show", "--apps-id", "10", *url]) == 0
        lines = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines() if " " in line.strip())
        return lines["generic_user_patterns"].strip()

    assert json.loads(shown()) == list(DEFAULT_GENERIC_USER_PATTERNS)
    assert main(["apps", "update", "--apps-id", "10", "--generic-user-patterns", '["^JDE$", "^SVC"]', *url]) == 0
    capsys.readouterr()
    assert shown() == '["^JDE$", "^SVC"]'
    cli_fails(
        capsys,
        ["apps", "update", "--apps-id", "10", "--generic-user-patterns", '["BATCH", "SVC)"]', *url],
        "generic_user_patterns: 'SVC)' is not a valid PostgreSQL regular expression",
        "nothing was changed",
    )
    cli_fails(
        capsys,
        ["apps", "update", "--apps-id", "10", "--generic-user-patterns", "BATCH", *url],
        "generic_user_patterns is not valid JSON",
    )
    assert shown() == '["^JDE$", "^SVC"]'
    new = ["apps", "add", "--apps-id", "11", "--name", "JDE TEST", "--generic-user-patterns", "[]", *url]
    assert main(new) == 0
    capsys.readouterr()
    assert main(["apps", "show", "--apps-id", "11", *url]) == 0
    assert "generic_user_patterns    []\n" in capsys.readouterr().out
