"""SECURITY_LDAP's failures on a real directory: each says what is wrong, fails at once where no
retry can help, keeps the previous rows, and never shows the bind password. Also the TLS modes
and a group larger than one range slice (Active Directory's MaxValRange, through a proxy)."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from integration.ldap_range_proxy import RangeProxy
from support.directory import DirectoryTarget, ldap_connection_env, make_directory_target

from airflow_provider_nomasx1.collectors.ldap.directory import security_ldap
from airflow_provider_nomasx1.demo.ldap_server import DirectoryServer
from airflow_provider_nomasx1.errors import (
    ConfigurationError,
    ConnectionFailedError,
    DirectoryUnreachableError,
    SourceUnavailableError,
    is_permanent,
)

BASE = "dc=nomasx1,dc=test"


def _user(i: int, ou: str = "Users") -> tuple[str, dict]:
    return f"cn=User {i},ou={ou},{BASE}", {
        "objectClass": ["top", "person", "organizationalPerson", "inetOrgPerson", "user"],
        "cn": f"User {i}", "sn": "User", "sAMAccountName": f"U{i:04d}", "userAccountControl": "512",
    }  # fmt: skip


def _entries(users: int, group_members: int = 0) -> list[tuple[str, dict]]:
    out = [(f"ou=Users,{BASE}", {"objectClass": ["top", "organizationalUnit"], "ou": "Users"})]
    out += [_user(i) for i in range(users)]
    if group_members:
        out.append((f"ou=Groups,{BASE}", {"objectClass": ["top", "organizationalUnit"], "ou": "Groups"}))
        members = [f"cn=User {i},ou=Users,{BASE}" for i in range(group_members)]
        out.append(
            (f"cn=Everyone,ou=Groups,{BASE}", {"objectClass": ["top", "group"], "cn": "Everyone", "member": members})
        )
    return out


@pytest.fixture
def loaded(
    pg_engine: sa.Engine, fresh_directory: DirectoryServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DirectoryTarget]:
    """A directory of 30 users loaded once (the previous rows the failures must keep)."""
    fresh_directory.reset(_entries(30))
    target = make_directory_target(pg_engine, fresh_directory, monkeypatch, page_size=7)
    assert target.run(security_ldap).result.rows["security_ldap"] == 30
    yield target


def _reconnect(monkeypatch: pytest.MonkeyPatch, server: DirectoryServer, **changes: object) -> None:
    """The `ldap` connection with some fields or extras changed."""
    ((key, value),) = ldap_connection_env(server).items()
    payload = json.loads(value)
    extra = json.loads(payload["extra"])
    for name, new in changes.items():
        if name in ("host", "port", "login", "password"):
            payload[name] = new
        elif new is None:
            extra.pop(name, None)
        else:
            extra[name] = new
    payload["extra"] = json.dumps(extra)
    monkeypatch.setenv(key, json.dumps(payload))


def _kept(target: DirectoryTarget) -> None:
    assert target.scalar("SELECT count(*) FROM nomasx1.security_ldap WHERE apps_id = 50") == 30
    assert target.scalar("SELECT DISTINCT run_id FROM nomasx1.security_ldap") == "manual__test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_wrong_password(loaded: DirectoryTarget, fresh_directory: DirectoryServer, monkeypatch: pytest.MonkeyPatch,
                        caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    secret = "Wr0ng-S3cret-pw"
    _reconnect(monkeypatch, fresh_directory, password=secret)
    with caplog.at_level(logging.DEBUG), pytest.raises(ConnectionFailedError, match="invalid credentials") as err:
        loaded.run(security_ldap, run_id="manual__again")
    assert is_permanent(err.value) and secret not in str(err.value) and secret not in caplog.text
    assert fresh_directory.bind_dn in str(err.value)
    _kept(loaded)


def test_unreachable_server(
    loaded: DirectoryTarget, fresh_directory: DirectoryServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _reconnect(monkeypatch, fresh_directory, port=_free_port(), connect_timeout=3)
    with pytest.raises(DirectoryUnreachableError, match="did not accept the connection") as err:
        loaded.run(security_ldap, run_id="manual__again")
    assert not is_permanent(err.value) and "127.0.0.1:" in str(err.value)  # a later attempt may succeed
    _kept(loaded)


@pytest.mark.parametrize("tls", ["ldaps", "starttls"])
def test_certificate_of_another_ca_is_refused(
    loaded: DirectoryTarget, fresh_directory: DirectoryServer, monkeypatch: pytest.MonkeyPatch, tls: str
) -> None:
    port = fresh_directory.ldaps_port if tls == "ldaps" else fresh_directory.port
    _reconnect(monkeypatch, fresh_directory, port=port, tls_mode=tls, ca_bundle=str(fresh_directory.other_ca_file))
    with pytest.raises(ConnectionFailedError, match="certificate is not trusted") as err:
        loaded.run(security_ldap, run_id="manual__again")
    assert is_permanent(err.value) and "ca_bundle" in str(err.value)
    _kept(loaded)


def test_starttls_and_plain_ldap_load_the_same(loaded: DirectoryTarget, fresh_directory: DirectoryServer,
                                               monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    for tls, port in (("starttls", fresh_directory.port), ("none", fresh_directory.port)):
        _reconnect(monkeypatch, fresh_directory, port=port, tls_mode=tls)
        assert loaded.run(security_ldap, run_id=f"manual__{tls}").result.rows["security_ldap"] == 30


def test_base_dn_not_found(
    loaded: DirectoryTarget, fresh_directory: DirectoryServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _reconnect(monkeypatch, fresh_directory, base_dn=f"ou=Nowhere,{BASE}")
    with pytest.raises(ConfigurationError, match=r"base DN 'ou=Nowhere,dc=nomasx1,dc=test' does not exist"):
        loaded.run(security_ldap, run_id="manual__again")
    _kept(loaded)


def test_zero_entries_where_there_were_rows(loaded: DirectoryTarget, fresh_directory: DirectoryServer,
                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    _reconnect(monkeypatch, fresh_directory, search_filter="(sAMAccountName=NOBODY*)")
    with pytest.raises(SourceUnavailableError, match="returned no account; the last load had 30") as err:
        loaded.run(security_ldap, run_id="manual__again")
    assert is_permanent(err.value)
    _kept(loaded)


def test_a_collapse_is_refused(loaded: DirectoryTarget, fresh_directory: DirectoryServer) -> None:
    fresh_directory.reset(_entries(10))
    with pytest.raises(ConfigurationError, match="shrank from 30 to 10 rows"):
        loaded.run(security_ldap, run_id="manual__again")
    _kept(loaded)


def test_bad_settings_fail_before_anything_is_opened(loaded: DirectoryTarget, fresh_directory: DirectoryServer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    _reconnect(monkeypatch, fresh_directory, search_filter="(objectClass=user")
    with pytest.raises(ConfigurationError, match="is not a valid LDAP filter"):
        loaded.run(security_ldap, run_id="manual__again")
    _reconnect(monkeypatch, fresh_directory, attribute_map='{"employe_id": "description"}')
    with pytest.raises(ConfigurationError, match=r"unknown field\(s\) \['employe_id'\]"):
        loaded.run(security_ldap, run_id="manual__again")
    _kept(loaded)


def test_a_jde_application_is_not_a_directory(loaded: DirectoryTarget) -> None:
    with pytest.raises(ConfigurationError, match="application 10 is of type JDE, not LDAP"):
        loaded.run(security_ldap, apps_id=10, run_id="manual__again")


def test_more_entries_than_a_page_and_a_group_larger_than_a_range(
    pg_engine: sa.Engine, fresh_directory: DirectoryServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh_directory.reset(_entries(60, group_members=23))
    target = make_directory_target(pg_engine, fresh_directory, monkeypatch, page_size=25)
    with RangeProxy(fresh_directory.host, fresh_directory.port, max_values=5) as proxy:
        _reconnect(monkeypatch, fresh_directory, port=proxy.port, tls_mode="none", page_size=25)
        ctx = target.run(security_ldap)
    assert ctx.result.rows == {"security_ldap": 60, "security_ldap_groups": 1, "security_ldap_members": 23}
    assert ctx.result.details["directory"]["pages"] >= 4  # 60 accounts in pages of 25, then the group
    members = target.rows("SELECT member_account FROM nomasx1.security_ldap_members ORDER BY 1")
    assert [m[0] for m in members] == [f"U{i:04d}" for i in range(23)]
    assert target.scalar("SELECT members FROM nomasx1.security_ldap_groups") == 23


def test_a_missing_connection_says_how_to_create_it(loaded: DirectoryTarget, monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow_provider_nomasx1.errors import MissingConnectionError

    monkeypatch.delenv("AIRFLOW_CONN_CORP_AD", raising=False)
    with pytest.raises(MissingConnectionError, match="airflow connections add corp_ad --conn-type nomasx1_ldap"):
        loaded.run(security_ldap, source_connector="corp_ad", run_id="manual__again")
    _kept(loaded)


def test_the_test_button_binds_and_finds_the_base_dn(fresh_directory: DirectoryServer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from airflow_provider_nomasx1.hooks.ldap import LdapHook

    _reconnect(monkeypatch, fresh_directory)
    ok, message = LdapHook("ldap").test_connection()
    assert ok and message == (
        f"Bound to the directory at 127.0.0.1:{fresh_directory.ldaps_port} (ldaps); base DN '{BASE}' found"
    )
    _reconnect(monkeypatch, fresh_directory, base_dn=f"ou=Nowhere,{BASE}")
    assert LdapHook("ldap").test_connection() == (
        False, f"Bound to 127.0.0.1:{fresh_directory.ldaps_port}, but base DN 'ou=Nowhere,{BASE}' does not exist"
    )  # fmt: skip
    _reconnect(monkeypatch, fresh_directory, password="S3cret-Wrong")
    ok, message = LdapHook("ldap").test_connection()
    assert not ok and "invalid credentials" in message and "S3cret-Wrong" not in message


def test_ldaps_on_the_plain_port_is_a_tls_mode_mismatch(loaded: DirectoryTarget, fresh_directory: DirectoryServer,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    _reconnect(monkeypatch, fresh_directory, port=fresh_directory.port, tls_mode="ldaps")
    with pytest.raises(ConnectionFailedError, match="the TLS handshake failed .* check the connection's tls_mode"):
        loaded.run(security_ldap, run_id="manual__again")
    _kept(loaded)
