"""The throwaway directory (demo/ldap_server.py) against the real slapd, through ldap3: binds, AD's
attributes, paged searches, LDAPS / StartTLS and their certificate checks, bulk loading."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable
from pathlib import Path

import ldap3
import pytest
from ldap3.core.exceptions import LDAPBindError, LDAPSocketOpenError, LDAPStartTLSError

from airflow_provider_nomasx1.demo.ldap_server import DirectoryServer, DirectoryServerError
from airflow_provider_nomasx1.demo.ldif import record as ldif_record
from airflow_provider_nomasx1.directory.config import DEFAULT_FILTERS, DEFAULT_GROUP_FILTERS

PAGED_RESULTS = "1.2.840.113556.1.4.319"
#: what the directory job's AD kind asks for, users then groups
USER_ATTRIBUTES = [
    "sAMAccountName",
    "cn",
    "displayName",
    "userPrincipalName",
    "mail",
    "manager",
    "company",
    "department",
    "physicalDeliveryOfficeName",
    "l",
    "title",
    "telephoneNumber",
    "mobile",
    "description",
    "employeeID",
    "whenCreated",
    "accountExpires",
    "pwdLastSet",
    "lastLogonTimestamp",
    "userAccountControl",
]
GROUP_ATTRIBUTES = ["cn", "sAMAccountName", "description", "member"]


def _ou(server: DirectoryServer, name: str) -> str:
    """A fresh OU of the shared directory for one test."""
    dn = f"ou={name},{server.base_dn}"
    server.add([(dn, {"objectClass": ["top", "organizationalUnit"], "ou": name})])
    return dn


def _user(ou: str, name: str, **extra: str) -> tuple[str, dict[str, str | list[str]]]:
    return f"cn={name},{ou}", {"objectClass": ["top", "user"], "cn": name, "sn": name, **extra}


def _read(server: DirectoryServer, dn: str, attributes: list[str]) -> dict[str, list[str]]:
    connection = server.connect()
    assert connection.search(dn, "(objectClass=*)", search_scope=ldap3.BASE, attributes=attributes)
    raw = connection.response[0]["raw_attributes"]
    connection.unbind()
    return {name: sorted(v.decode() for v in values) for name, values in raw.items() if values}


def _dns(server: DirectoryServer, base: str, search_filter: str) -> set[str]:
    connection = server.connect()
    connection.search(base, search_filter, attributes=[])
    found = {entry["dn"] for entry in connection.response if entry["type"] == "searchResEntry"}
    connection.unbind()
    return found


def test_root_dn_binds(directory_server: DirectoryServer) -> None:
    connection = directory_server.connect()
    assert connection.extend.standard.who_am_i() == f"dn:{directory_server.bind_dn}"
    assert directory_server.bind_dn == "cn=admin,dc=nomasx1,dc=test"
    assert connection.search(directory_server.base_dn, "(objectClass=dcObject)", search_scope=ldap3.BASE)
    connection.unbind()


def test_an_ad_user_and_group_round_trip(directory_server: DirectoryServer) -> None:
    ou = _ou(directory_server, "roundtrip")
    boss_dn, boss = _user(ou, "boss", accountExpires="0", pwdLastSet="0", userAccountControl="514")
    values = {
        "sAMAccountName": "jdoe",
        "displayName": "Jane Doe",
        "userPrincipalName": "jdoe@nomasx1.test",
        "mail": "jane.doe@nomasx1.test",
        "manager": boss_dn,
        "company": "Nomasx1 SA",
        "department": "Finance",
        "physicalDeliveryOfficeName": "Paris 9e",
        "l": "Paris",
        "title": "Comptable",
        "telephoneNumber": "+33 1 23 45 67 89",
        "mobile": "+33 6 12 34 56 78",
        "description": "Compte généré",
        "employeeID": "E0042",
        "whenCreated": "20240115093000.0Z",
        "accountExpires": "9223372036854775807",
        "pwdLastSet": "133500000000000000",
        "lastLogonTimestamp": "133600000000000000",
        "userAccountControl": "66048",
    }
    jane_dn, jane = _user(ou, "Jane Doe", **values)
    group_dn = f"cn=JDE Finance,{ou}"
    group = {
        "objectClass": ["top", "group"],
        "cn": "JDE Finance",
        "sAMAccountName": "jde-finance",
        "description": "F0911 posting",
        "member": [jane_dn, boss_dn],
    }
    assert directory_server.add([(boss_dn, boss), (jane_dn, jane), (group_dn, group)]) == 3

    read = _read(directory_server, jane_dn, USER_ATTRIBUTES)
    assert read == {"cn": ["Jane Doe"], **{name: [value] for name, value in values.items()}}
    assert _read(directory_server, boss_dn, ["accountExpires", "pwdLastSet"]) == {
        "accountExpires": ["0"],
        "pwdLastSet": ["0"],
    }
    assert _read(directory_server, group_dn, GROUP_ATTRIBUTES) == {
        "cn": ["JDE Finance"],
        "sAMAccountName": ["jde-finance"],
        "description": ["F0911 posting"],
        "member": sorted([jane_dn, boss_dn]),
    }
    # the 64-bit "never" compares as a number, and AD's bitwise filter works on userAccountControl
    assert _dns(directory_server, ou, "(accountExpires>=9223372036854775807)") == {jane_dn}
    assert _dns(directory_server, ou, "(userAccountControl:1.2.840.113556.1.4.803:=2)") == {boss_dn}
    assert _dns(directory_server, ou, "(&(objectClass=user)(sAMAccountName=JDOE))") == {jane_dn}
    assert _dns(directory_server, ou, "(whenCreated>=20240101000000Z)") == {jane_dn}


def test_the_schema_names_every_attribute_the_collector_reads(directory_server: DirectoryServer) -> None:
    server = ldap3.Server(directory_server.host, port=directory_server.port, get_info=ldap3.SCHEMA)
    connection = ldap3.Connection(server, directory_server.bind_dn, directory_server.password, auto_bind=True)
    schema = server.schema
    known = {name.lower() for attribute in schema.attribute_types.values() for name in attribute.name}
    assert [name for name in USER_ATTRIBUTES + GROUP_ATTRIBUTES if name.lower() not in known] == []
    assert schema.attribute_types["accountExpires"].oid == "1.2.840.113556.1.4.159"
    assert schema.attribute_types["userAccountControl"].syntax == "1.3.6.1.4.1.1466.115.121.1.27"
    user, group = schema.object_classes["user"], schema.object_classes["group"]
    assert (user.oid, user.superior, user.kind) == ("1.2.840.113556.1.5.9", ["inetOrgPerson"], "STRUCTURAL")
    assert {"sAMAccountName", "accountExpires", "userAccountControl", "employeeID"} <= set(user.may_contain)
    assert (group.oid, group.must_contain, group.superior, group.kind) == (
        "1.2.840.113556.1.5.8",
        ["cn"],
        ["top"],
        "STRUCTURAL",
    )
    assert {"member", "sAMAccountName", "description", "mail"} <= set(group.may_contain)
    connection.unbind()


def test_the_directory_jobs_default_filters_pick_users_and_groups(directory_server: DirectoryServer) -> None:
    ou = _ou(directory_server, "filters")
    user_dn, user = _user(ou, "person")
    computer_dn = f"cn=PC042,{ou}"
    computer = {"objectClass": ["top", "computer"], "cn": "PC042", "sn": "PC042", "sAMAccountName": "PC042$"}
    contact_dn = f"cn=contact,{ou}"
    contact = {"objectClass": "inetOrgPerson", "cn": "contact", "sn": "contact"}
    group_dn = f"cn=g,{ou}"
    directory_server.add([(user_dn, user), (computer_dn, computer), (contact_dn, contact)])
    directory_server.add([(group_dn, {"objectClass": "group", "cn": "g", "member": [user_dn, computer_dn]})])
    # computer is SUP user, as in AD: only the filter's negation leaves it out
    assert _dns(directory_server, ou, "(objectClass=user)") == {user_dn, computer_dn}
    assert _dns(directory_server, ou, DEFAULT_FILTERS["active_directory"]) == {user_dn}
    assert _dns(directory_server, ou, DEFAULT_GROUP_FILTERS["active_directory"]) == {group_dn}
    assert _dns(directory_server, ou, DEFAULT_FILTERS["openldap"]) == {user_dn, computer_dn, contact_dn}


def test_a_paged_search_returns_every_entry(directory_server: DirectoryServer) -> None:
    ou = _ou(directory_server, "paged")
    assert directory_server.add(_user(ou, f"p{i:03d}") for i in range(120)) == 120
    connection = directory_server.connect()
    pages, dns, cookie = [], set(), None
    while True:
        connection.search(ou, "(objectClass=user)", attributes=["cn"], paged_size=50, paged_cookie=cookie)
        pages.append(len(connection.entries))
        dns.update(entry.entry_dn for entry in connection.entries)
        cookie = connection.result["controls"][PAGED_RESULTS]["value"]["cookie"]
        if not cookie:
            break
    connection.unbind()
    assert pages == [50, 50, 20]
    assert dns == {f"cn=p{i:03d},{ou}" for i in range(120)}


def test_ldaps_with_the_ca_file(directory_server: DirectoryServer) -> None:
    connection = directory_server.connect("ldaps")
    assert isinstance(connection.socket, ssl.SSLSocket)
    assert connection.server.port == directory_server.ldaps_port != directory_server.port
    assert connection.extend.standard.who_am_i() == f"dn:{directory_server.bind_dn}"
    connection.unbind()


def test_starttls_on_the_plain_port(directory_server: DirectoryServer) -> None:
    connection = directory_server.connect("starttls")
    assert connection.tls_started and isinstance(connection.socket, ssl.SSLSocket)
    assert connection.server.port == directory_server.port
    assert connection.extend.standard.who_am_i() == f"dn:{directory_server.bind_dn}"
    connection.unbind()


@pytest.mark.parametrize(("mode", "error"), [("ldaps", LDAPSocketOpenError), ("starttls", LDAPStartTLSError)])
def test_a_client_trusting_another_ca_is_refused(
    directory_server: DirectoryServer, mode: str, error: type[Exception]
) -> None:
    assert directory_server.other_ca_file is not None
    assert directory_server.other_ca_file.read_bytes() != directory_server.ca_file.read_bytes()
    with pytest.raises(error, match="CERTIFICATE_VERIFY_FAILED"):
        directory_server.connect(mode, ca_file=directory_server.other_ca_file)


def test_a_wrong_password_is_invalid_credentials(directory_server: DirectoryServer) -> None:
    server = ldap3.Server(directory_server.host, port=directory_server.port, get_info=ldap3.NONE)
    connection = ldap3.Connection(server, directory_server.bind_dn, "not-the-password")
    assert connection.bind() is False
    assert (connection.result["result"], connection.result["description"]) == (49, "invalidCredentials")
    connection.unbind()
    with pytest.raises(LDAPBindError, match="invalidCredentials"):
        directory_server.connect(password="not-the-password")


def test_modify_and_delete(directory_server: DirectoryServer) -> None:
    ou = _ou(directory_server, "changes")
    a_dn, a = _user(ou, "a", title="Clerk", mobile="+33 6")
    b_dn, b = _user(ou, "b")
    group_dn = f"cn=g,{ou}"
    directory_server.add([(a_dn, a), (b_dn, b), (group_dn, {"objectClass": "group", "cn": "g", "member": a_dn})])
    directory_server.modify(a_dn, {"title": "Manager", "mobile": None, "userAccountControl": 512})
    directory_server.modify(group_dn, {"member": ("add", [b_dn])})
    assert _read(directory_server, a_dn, ["title", "mobile", "userAccountControl"]) == {
        "title": ["Manager"],
        "userAccountControl": ["512"],
    }
    assert _read(directory_server, group_dn, ["member"]) == {"member": sorted([a_dn, b_dn])}
    directory_server.modify(group_dn, {"member": ("delete", a_dn)})
    directory_server.delete(a_dn)
    assert _read(directory_server, group_dn, ["member"]) == {"member": [b_dn]}
    assert _dns(directory_server, ou, "(objectClass=user)") == {b_dn}
    with pytest.raises(DirectoryServerError, match="noSuchObject"):
        directory_server.delete(a_dn)


def test_bulk_load_with_slapadd_creates_the_base_entry(new_directory_server: Callable[..., DirectoryServer]) -> None:
    base = "dc=bulk,dc=test"
    ou = f"ou=people,{base}"
    odd = " leading space, trailing space , ünicode: <and> colons "

    def entries():  # a generator: slapadd gets a stream, nothing is listed first
        yield ou, {"objectClass": "organizationalUnit", "ou": "people"}
        for i in range(120):
            yield _user(ou, f"u{i:03d}", description=odd if i == 7 else f"n{i}")

    server = new_directory_server(base_dn=base, password="s3cret", tls=False, entries=entries())
    assert (server.ldaps_port, server.ca_file, server.bind_dn) == (None, None, f"cn=admin,{base}")
    with pytest.raises(DirectoryServerError, match="without TLS"):
        server.connect("starttls")
    assert len(_dns(server, base, "(objectClass=user)")) == 120
    assert _read(server, base, ["dc", "o", "objectClass"]) == {
        "dc": ["bulk"],
        "o": ["bulk"],
        "objectClass": ["dcObject", "organization", "top"],
    }
    assert _read(server, f"cn=u007,{ou}", ["description"]) == {"description": [odd]}
    assert server.load([_user(ou, "late")]) == 1  # a running server takes entries over LDAP
    assert _dns(server, ou, "(cn=late)") == {f"cn=late,{ou}"}


def test_slapadd_reports_the_entry_it_refused(new_directory_server: Callable[..., DirectoryServer]) -> None:
    server = new_directory_server(tls=False)
    server.stop()
    with pytest.raises(DirectoryServerError, match=r"(?s)slapadd failed \(1\) after 1 entries.*notAnAttribute"):
        server.load([_user(server.base_dn, "x", notAnAttribute="1")])
    with pytest.raises(DirectoryServerError, match=r"(?s)slapadd failed .*ou=nowhere"):
        server.load([_user(f"ou=nowhere,{server.base_dn}", "orphan")])


def test_reset_empties_the_directory_and_keeps_the_ports(fresh_directory: DirectoryServer) -> None:
    ports = (fresh_directory.port, fresh_directory.ldaps_port)
    ou = f"ou=reset,{fresh_directory.base_dn}"
    loaded = fresh_directory.reset([(ou, {"objectClass": "organizationalUnit", "ou": "reset"}), _user(ou, "only")])
    assert loaded == 3  # the base entry, the OU, the user
    assert (fresh_directory.port, fresh_directory.ldaps_port) == ports
    assert _dns(fresh_directory, fresh_directory.base_dn, "(objectClass=*)") == {
        fresh_directory.base_dn,
        ou,
        f"cn=only,{ou}",
    }


def test_a_stopped_server_refuses_then_restarts_with_its_data(
    new_directory_server: Callable[..., DirectoryServer],
) -> None:
    server = new_directory_server(tls=False, entries=[_user("dc=nomasx1,dc=test", "kept")])
    server.connect().unbind()
    server.stop()
    assert not server.running
    with pytest.raises(LDAPSocketOpenError):
        server.connect(timeout=2)
    with pytest.raises(DirectoryServerError, match="not running"):
        server.add([_user(server.base_dn, "late")])
    server.start()
    assert _dns(server, server.base_dn, "(cn=kept)") == {f"cn=kept,{server.base_dn}"}


def test_a_taken_port_is_a_clear_error(tmp_path: Path, new_directory_server: Callable[..., DirectoryServer]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = DirectoryServer(tmp_path / "slapd", port=taken.getsockname()[1], tls=False)
        with pytest.raises(
            DirectoryServerError, match=r"(?s)could not listen on ldap://127.0.0.1:\d+: .*Address already in use"
        ):
            server.start()
    assert not server.running


def test_ldif_records_encode_unsafe_values() -> None:
    assert ldif_record("cn=a,dc=x", {"cn": "a", "n": 5, "d": [" x", "é", ":", "ok"]}) == (
        "dn: cn=a,dc=x\ncn: a\nn: 5\nd:: IHg=\nd:: w6k=\nd:: Og==\nd: ok\n\n"
    )
