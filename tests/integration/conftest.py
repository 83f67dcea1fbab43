"""Fixtures of the integration tests: the security collection's tiny JDE source and its target, and
the throwaway LDAP directory (OpenLDAP's slapd with AD's schema) the directory job reads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.directory import require_slapd
from support.security import AS_OF, SecurityTarget, make_target

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.demo import ldap_server
from airflow_provider_nomasx1.demo.jde_generator import generate
from airflow_provider_nomasx1.demo.ldap_server import DirectoryServer


@pytest.fixture(scope="session")
def jde_tiny(pg_server: URL) -> Iterator[URL]:
    """A database holding the tiny synthetic JDE source (read-only for the tests)."""
    url = testing.create_database(pg_server, prefix="nomasx1_sec_src")
    generate(url.render_as_string(hide_password=False), profile="tiny", seed=1, as_of=AS_OF)
    yield url
    testing.drop_database(url)


@pytest.fixture
def security_target(pg_engine: sa.Engine, jde_tiny: URL, monkeypatch: pytest.MonkeyPatch) -> SecurityTarget:
    return make_target(pg_engine, jde_tiny, monkeypatch)


# --------------------------------------------------------------------------------------------------
# The LDAP directory (slapd): skipped without it, unless NOMASX1_REQUIRE_LDAP=1 (CI) makes it a failure
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def directory_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DirectoryServer]:
    """One running directory for the session (LDAP, StartTLS, LDAPS; the CA in ``ca_file``).

    Tests share it: each writes under an OU of its own, or asks for ``fresh_directory``.
    """
    require_slapd()
    with ldap_server.start_directory_server(tmp_path_factory.mktemp("slapd")) as server:
        yield server


@pytest.fixture
def fresh_directory(directory_server: DirectoryServer) -> DirectoryServer:
    """The session's directory emptied down to its base entry (slapd restarts on the same ports).

    Bulk-load a test's data with ``fresh_directory.reset(entries)`` (slapadd, fast).
    """
    directory_server.reset()
    return directory_server


@pytest.fixture
def new_directory_server(tmp_path: Path) -> Iterator[Callable[..., DirectoryServer]]:
    """Starts private directories (``start_directory_server``'s keywords), stopped after the test."""
    require_slapd()
    started: list[DirectoryServer] = []

    def start(**kwargs: object) -> DirectoryServer:
        server = ldap_server.start_directory_server(tmp_path / f"slapd-{len(started)}", **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
