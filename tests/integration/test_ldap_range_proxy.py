"""The AD range-retrieval proxy in front of a real slapd, and what ldap3's auto_range makes of it.

The directory job reads group members from Active Directory, which returns at most MaxValRange
values of ``member`` at once; these tests pin the emulation (max_values=5) the job's tests rely on,
and how ldap3 reassembles the slices (``auto_range=True``, its default).
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import ldap3
import pytest
from integration.ldap_range_proxy import RangeProxy, ad_slice, message_size
from ldap3.operation.bind import bind_operation
from ldap3.operation.search import search_operation
from ldap3.protocol.rfc4511 import LDAPMessage, MessageID, ProtocolOp
from pyasn1.codec.ber import decoder, encoder

from airflow_provider_nomasx1.demo.ldap_server import DEFAULT_BASE_DN, DirectoryServer

#: this module's subtree of the session's shared directory (``directory_server``)
ROOT = f"ou=range-proxy,{DEFAULT_BASE_DN}"
PEOPLE = f"ou=people,{ROOT}"
USERS = [f"uid=u{i:02d},{PEOPLE}" for i in range(12)]
#: stored out of DN order, to show the slices follow slapd's order, not a sorted one
BIG_MEMBERS = random.Random(15).sample(USERS, k=len(USERS))
SMALL_MEMBERS = USERS[:3]
BIG = f"cn=big,{ROOT}"
SMALL = f"cn=small,{ROOT}"
FULL = f"cn=full,{ROOT}"  # exactly max_values (5) members: not ranged, as in AD


def _entries() -> list[tuple[str, dict[str, Any]]]:
    """Parents first: the two OUs, twelve people, groups of twelve, three and five members."""
    people = [
        (dn, {"objectClass": ["inetOrgPerson"], "uid": f"u{i:02d}", "cn": f"User {i}", "sn": "Test"})
        for i, dn in enumerate(USERS)
    ]
    return [
        (ROOT, {"objectClass": ["organizationalUnit"], "ou": "range-proxy"}),
        (PEOPLE, {"objectClass": ["organizationalUnit"], "ou": "people"}),
        *people,
        (BIG, {"objectClass": ["groupOfNames"], "cn": "big", "member": BIG_MEMBERS}),
        (SMALL, {"objectClass": ["groupOfNames"], "cn": "small", "member": SMALL_MEMBERS}),
        (FULL, {"objectClass": ["groupOfNames"], "cn": "full", "member": BIG_MEMBERS[:5]}),
    ]


ENTRY_COUNT = len(_entries())


@pytest.fixture(scope="module")
def directory(directory_server: DirectoryServer) -> Iterator[DirectoryServer]:
    """The shared session directory holding this module's subtree (removed afterwards)."""
    assert directory_server.base_dn == DEFAULT_BASE_DN
    entries = _entries()
    directory_server.add(entries)
    yield directory_server
    for dn, _ in reversed(entries):
        directory_server.delete(dn)


@pytest.fixture(scope="module")
def proxy(directory: DirectoryServer) -> Iterator[RangeProxy]:
    with RangeProxy(directory.host, directory.port, max_values=5) as running:
        yield running


def _connect(directory: DirectoryServer, port: int, **options: Any) -> ldap3.Connection:
    server = ldap3.Server("127.0.0.1", port=port, get_info=ldap3.NONE)
    return ldap3.Connection(server, directory.bind_dn, directory.password, auto_bind=True, **options)


def _manual(directory: DirectoryServer, proxy: RangeProxy) -> ldap3.Connection:
    """A client that sees the slices as the server sends them (no auto_range, no empty attributes)."""
    assert proxy.port is not None
    return _connect(directory, proxy.port, auto_range=False, return_empty_attributes=False)


def _read(connection: ldap3.Connection, dn: str, *attributes: str) -> dict[str, list[bytes]]:
    assert connection.search(dn, "(objectClass=*)", ldap3.BASE, attributes=list(attributes)), connection.result
    (entry,) = connection.response
    return dict(entry["raw_attributes"])


def _encoded(values: list[str]) -> list[bytes]:
    return [v.encode() for v in values]


# --------------------------------------------------------------------------------------------------
# The emulation
# --------------------------------------------------------------------------------------------------


def test_large_group_comes_back_in_ad_slices(directory: DirectoryServer, proxy: RangeProxy) -> None:
    connection = _manual(directory, proxy)
    assert _read(connection, BIG, "member") == {"member;range=0-4": _encoded(BIG_MEMBERS[:5])}
    assert _read(connection, BIG, "member;range=5-*") == {"member;range=5-9": _encoded(BIG_MEMBERS[5:10])}
    assert _read(connection, BIG, "member;range=10-*") == {"member;range=10-*": _encoded(BIG_MEMBERS[10:])}
    connection.unbind()


@pytest.mark.parametrize(
    ("asked", "name", "window"),
    [
        ("member;range=2-3", "member;range=2-3", slice(2, 4)),
        ("member;range=0-*", "member;range=0-4", slice(0, 5)),  # the server cap wins over "*"
        ("member;range=8-100", "member;range=8-*", slice(8, 12)),  # past the end: the last slice
        ("Member;Range=11-11", "member;range=11-*", slice(11, 12)),  # options are case-insensitive
    ],
)
def test_an_explicit_range_is_served_as_ad_does(
    directory: DirectoryServer, proxy: RangeProxy, asked: str, name: str, window: slice
) -> None:
    connection = _manual(directory, proxy)
    assert _read(connection, BIG, asked, "cn") == {name: _encoded(BIG_MEMBERS[window]), "cn": [b"big"]}
    connection.unbind()


def test_a_range_past_the_last_value_returns_no_attribute(directory: DirectoryServer, proxy: RangeProxy) -> None:
    connection = _manual(directory, proxy)
    assert _read(connection, BIG, "member;range=12-*", "cn") == {"cn": [b"big"]}
    connection.unbind()


def test_small_groups_and_other_attributes_pass_unchanged(directory: DirectoryServer, proxy: RangeProxy) -> None:
    direct = directory.connect()
    through = _manual(directory, proxy)
    assert _read(through, SMALL, "*") == _read(direct, SMALL, "*")
    assert _read(through, SMALL, "member") == {"member": _encoded(SMALL_MEMBERS)}
    assert _read(through, FULL, "member") == {"member": _encoded(BIG_MEMBERS[:5])}
    big = _read(through, BIG, "*")
    assert big == {"objectClass": [b"groupOfNames"], "cn": [b"big"], "member;range=0-4": _encoded(BIG_MEMBERS[:5])}
    direct.unbind()
    through.unbind()


def test_a_paged_search_returns_every_entry(directory: DirectoryServer, proxy: RangeProxy) -> None:
    connection = _manual(directory, proxy)
    pages = connection.extend.standard.paged_search(
        ROOT, "(objectClass=*)", attributes=["cn"], paged_size=2, generator=True
    )
    dns = [entry["dn"] for entry in pages if entry["type"] == "searchResEntry"]
    assert len(dns) == ENTRY_COUNT
    assert set(dns) == {ROOT, PEOPLE, BIG, SMALL, FULL, *USERS}
    connection.unbind()


def test_slapd_alone_ignores_the_range_option(directory: DirectoryServer) -> None:
    """Without the proxy slapd returns no member at all: the rewrite is what makes the emulation work."""
    direct = _connect(directory, directory.port, return_empty_attributes=False)
    assert _read(direct, BIG, "member;range=5-*") == {}
    direct.unbind()


def test_concurrent_clients_each_get_their_slices(directory: DirectoryServer, proxy: RangeProxy) -> None:
    """Four clients at once, each asking its own range 25 times, through one proxy."""
    asks = {0: ("member;range=0-*", "member;range=0-4"), 5: ("member;range=5-*", "member;range=5-9")}
    asks |= {10: ("member;range=10-*", "member;range=10-*"), 2: ("member;range=2-3", "member;range=2-3")}

    def client(low: int) -> list[str]:
        asked, name = asks[low]
        connection = _manual(directory, proxy)
        served = [_read(connection, BIG, asked) for _ in range(25)]
        connection.unbind()
        return [f"{asked}: {got}" for got in served if list(got) != [name] or got[name][0] != BIG_MEMBERS[low].encode()]

    with ThreadPoolExecutor(max_workers=len(asks)) as pool:
        failures = [failure for result in pool.map(client, asks) for failure in result]
    assert failures == []


# --------------------------------------------------------------------------------------------------
# ldap3's automatic range retrieval
# --------------------------------------------------------------------------------------------------


def _auto_range_entries(connection: ldap3.Connection, mode: str) -> list[dict[str, Any]]:
    query = (ROOT, "(objectClass=groupOfNames)")
    if mode == "search":
        assert connection.search(*query, attributes=["member", "cn"])
        return [e for e in connection.response if e["type"] == "searchResEntry"]
    generator = mode == "paged generator"
    pages = connection.extend.standard.paged_search(
        *query, attributes=["member", "cn"], paged_size=1, generator=generator
    )
    return [e for e in pages if e["type"] == "searchResEntry"]


@pytest.mark.parametrize("mode", ["search", "paged generator", "paged list"])
def test_ldap3_auto_range_reassembles_under_plain_member(
    directory: DirectoryServer, proxy: RangeProxy, mode: str
) -> None:
    """auto_range=True (ldap3's default) fetches 5-*, 10-* itself and puts every value, in the
    server's order, under the plain ``member`` key of both ``attributes`` and ``raw_attributes``;
    no ``member;range=...`` key is left. Paged searches (both forms) do the same per entry."""
    assert proxy.port is not None
    connection = _connect(directory, proxy.port)
    assert connection.auto_range is True
    entries = {e["dn"]: e for e in _auto_range_entries(connection, mode)}
    assert set(entries) == {BIG, SMALL, FULL}
    for dn, members in ((BIG, BIG_MEMBERS), (SMALL, SMALL_MEMBERS), (FULL, BIG_MEMBERS[:5])):
        assert sorted(entries[dn]["raw_attributes"]) == ["cn", "member"]
        assert entries[dn]["raw_attributes"]["member"] == _encoded(members)
        assert sorted(entries[dn]["attributes"]) == ["cn", "member"]
        assert entries[dn]["attributes"]["member"] == members
    connection.unbind()


def test_ldap3_without_auto_range_fails_on_a_next_slice_with_empty_attributes(
    directory: DirectoryServer, proxy: RangeProxy
) -> None:
    """ldap3 2.9 quirk the job must avoid: auto_range=False with return_empty_attributes=True (the
    default) raises KeyError('member') on the answer to ``member;range=5-*`` (it deletes a plain
    ``member`` that is not there). Real AD answers the same way, so this is ldap3's, not the proxy's."""
    assert proxy.port is not None
    connection = _connect(directory, proxy.port, auto_range=False)
    with pytest.raises(KeyError, match="member"):
        connection.search(BIG, "(objectClass=*)", ldap3.BASE, attributes=["member;range=5-*"])
    connection.unbind()


# --------------------------------------------------------------------------------------------------
# Framing and lifecycle
# --------------------------------------------------------------------------------------------------


def test_message_size_reads_short_and_long_ber_lengths() -> None:
    assert message_size(b"") is None
    assert message_size(b"\x30") is None
    assert message_size(b"\x30\x05") == 7
    assert message_size(b"\x30\x82\x01") is None
    assert message_size(b"\x30\x82\x01\x00") == 4 + 256


def test_ad_slice() -> None:
    values = [b"a", b"b", b"c"]
    assert ad_slice("member", values, (0, None), 2) == ("member;range=0-1", [b"a", b"b"])
    assert ad_slice("member", values, (2, None), 2) == ("member;range=2-*", [b"c"])
    assert ad_slice("member", values, (3, None), 2) is None


def _message(message_id: int, kind: str, request: Any) -> bytes:
    message = LDAPMessage()
    message["messageID"] = MessageID(message_id)
    message["protocolOp"] = ProtocolOp().setComponentByName(kind, request)
    return encoder.encode(message)


def _receive(sock: socket.socket, count: int) -> list[Any]:
    buffer, messages = b"", []
    while len(messages) < count:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed after {len(messages)} messages"
        buffer += chunk
        while (size := message_size(buffer)) is not None and len(buffer) >= size:
            message, _ = decoder.decode(buffer[:size], asn1Spec=LDAPMessage())
            messages.append(message)
            buffer = buffer[size:]
    return messages


def test_messages_split_across_reads_and_batched_in_one(directory: DirectoryServer, proxy: RangeProxy) -> None:
    """A bind and a ranged search sent one byte at a time, then two searches in one write."""
    assert proxy.port is not None
    bind = _message(1, "bindRequest", bind_operation(3, "SIMPLE", directory.bind_dn, directory.password))
    search = search_operation(
        BIG, "(objectClass=*)", ldap3.BASE, ldap3.DEREF_NEVER, ["member;range=5-*"], 0, 0, False, True, True
    )
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for byte in bind + _message(2, "searchRequest", search):
            sock.sendall(bytes([byte]))
            time.sleep(0.001)
        sock.sendall(_message(3, "searchRequest", search) + _message(4, "searchRequest", search))
        replies = _receive(sock, 7)
    kinds = [(int(m["messageID"]), m["protocolOp"].getName()) for m in replies]
    assert kinds == [
        (1, "bindResponse"),
        (2, "searchResEntry"),
        (2, "searchResDone"),
        (3, "searchResEntry"),
        (3, "searchResDone"),
        (4, "searchResEntry"),
        (4, "searchResDone"),
    ]
    assert int(replies[0]["protocolOp"]["bindResponse"]["resultCode"]) == 0
    for entry in (replies[1], replies[3], replies[5]):
        (attribute,) = entry["protocolOp"]["searchResEntry"]["attributes"]
        assert str(attribute["type"]) == "member;range=5-9"
        assert [bytes(v) for v in attribute["vals"]] == _encoded(BIG_MEMBERS[5:10])


def test_stop_closes_connections_and_the_port(directory: DirectoryServer) -> None:
    proxy = RangeProxy(directory.host, directory.port, max_values=5)
    port = proxy.start()
    connection = _connect(directory, port, auto_range=False, return_empty_attributes=False)
    assert _read(connection, SMALL, "cn") == {"cn": [b"small"]}
    proxy.stop()
    connection.socket.settimeout(5)
    assert connection.socket.recv(1) == b""  # the proxy hung up on the open connection
    connection.socket.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    assert not [t for t in threading.enumerate() if t.name == f"ldap-range-proxy-{port}"]
