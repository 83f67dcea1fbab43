"""The synthetic directory without a database: synthetic_entries (a benchmark's directory), the AD
time values, and the LDIF writer (RFC 2849 base64 cases, folding, streaming, a round trip)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import itertools
import time
from collections.abc import Iterator

import pytest
from ldap3.utils.dn import parse_dn

from airflow_provider_nomasx1.demo.directory_generator import (
    DEFAULT_GROUP_SIZE,
    DEPARTMENTS,
    JDE_GROUP,
    NEVER_EXPIRES,
    OUS,
    USER_CLASSES,
    filetime,
    generalized_time,
    synthetic_entries,
    write_ldif,
)

BASE = "dc=nomasx1,dc=test"
#: every user entry carries these (manager, mail, lastLogonTimestamp may be absent: see the docs)
USER_ATTRIBUTES = {
    "objectClass", "cn", "sn", "givenName", "displayName", "sAMAccountName", "userPrincipalName", "company",
    "department", "physicalDeliveryOfficeName", "l", "title", "telephoneNumber", "mobile", "description",
    "whenCreated", "accountExpires", "pwdLastSet", "userAccountControl",
}  # fmt: skip


def users(entries) -> list:
    return [(dn, a) for dn, a in entries if "user" in a["objectClass"]]


def parent(dn: str) -> str:
    return ",".join(f"{name}={value}" for name, value, _ in parse_dn(dn)[1:])


# --------------------------------------------------------------------------------------------------
# synthetic_entries
# --------------------------------------------------------------------------------------------------


def test_synthetic_entries_has_count_users_ous_first_and_groups() -> None:
    entries = list(synthetic_entries(1000, base_dn=BASE, seed=3, group_size=700))
    assert [dn for dn, _ in entries[:4]] == [f"ou={ou},{BASE}" for ou in OUS]
    people = users(entries)
    assert len(people) == 1000
    assert all(tuple(a["objectClass"]) == USER_CLASSES for _, a in people)
    assert all(USER_ATTRIBUTES <= set(a) for _, a in people)
    groups = {a["cn"][0]: a for _, a in entries if a["objectClass"] == ["top", "group"]}
    assert set(groups) == {*DEPARTMENTS, JDE_GROUP}
    assert len(groups[JDE_GROUP]["member"]) == 700
    assert len(entries) == 4 + 1000 + len(DEPARTMENTS) + 1
    dns = [dn for dn, _ in entries]
    assert len(set(dns)) == len(dns)
    user_dns = {dn for dn, _ in people}
    assert set(groups[JDE_GROUP]["member"]) <= user_dns
    for _, attributes in people:
        assert set(attributes.get("manager", [])) <= user_dns
    assert sum("manager" not in a for _, a in people) == 1  # only the first user has no manager


def test_synthetic_entries_mix_of_shapes() -> None:
    people = [a for _, a in users(synthetic_entries(1000, base_dn=BASE))]
    uac = [int(a["userAccountControl"][0]) for a in people]
    expires = [a["accountExpires"][0] for a in people]
    assert sum(u & 2 != 0 for u in uac) == 20  # every 50th, in ou=Disabled Users
    assert any(u & 0x10 for u in uac) and any(u & 0x10000 for u in uac)
    assert {"0", NEVER_EXPIRES} <= set(expires) and any(e not in ("0", NEVER_EXPIRES) for e in expires)
    ids = [a["employeeID"][0] for a in people if "employeeID" in a]
    assert 500 < len(ids) < 800 and any(i.startswith("00") for i in ids)
    assert any(a["description"][0].isdigit() and "employeeID" not in a for a in people)
    assert any(not s.isascii() for a in people for s in a["sn"])


def test_synthetic_entries_is_deterministic_and_seeded() -> None:
    first = list(synthetic_entries(200, base_dn=BASE, seed=7))
    assert first == list(synthetic_entries(200, base_dn=BASE, seed=7))
    assert first != list(synthetic_entries(200, base_dn=BASE, seed=8))
    assert len(first) == 4 + 200 + len(DEPARTMENTS) + 1


def test_synthetic_entries_is_lazy() -> None:
    started = time.monotonic()
    entries = synthetic_entries(10**12, base_dn=BASE, group_size=0)
    assert isinstance(entries, Iterator)
    head = list(itertools.islice(entries, 20))
    assert time.monotonic() - started < 2
    assert len(users(head)) == 16


def test_synthetic_group_size() -> None:
    groups = {a["cn"][0]: a for _, a in synthetic_entries(10, base_dn=BASE) if a["objectClass"] == ["top", "group"]}
    assert len(groups[JDE_GROUP]["member"]) == min(10, DEFAULT_GROUP_SIZE)
    with pytest.raises(ValueError, match="group_size"):
        synthetic_entries(10, base_dn=BASE, group_size=11)
    with pytest.raises(ValueError, match="count"):
        synthetic_entries(-1, base_dn=BASE)


# --------------------------------------------------------------------------------------------------
# AD time values
# --------------------------------------------------------------------------------------------------


def test_filetime_and_generalized_time() -> None:
    assert filetime(dt.datetime(1601, 1, 1, tzinfo=dt.UTC)) == "0"
    assert filetime(dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) == "116444736000000000"
    assert filetime(dt.datetime(2025, 6, 30, 12, 0, 0, 1, tzinfo=dt.UTC)) == str(
        116444736000000000 + (1751284800 * 10**7) + 10
    )
    assert generalized_time(dt.datetime(2025, 6, 30, 7, 5, 9, tzinfo=dt.UTC)) == "20250630070509.0Z"


# --------------------------------------------------------------------------------------------------
# write_ldif
# --------------------------------------------------------------------------------------------------


def ldif(entries) -> str:
    stream = io.StringIO()
    write_ldif(entries, stream)
    return stream.getvalue()


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ("Alice", "description: Alice"),
        ("a:b<c d", "description: a:b<c d"),  # ':' '<' and spaces inside are safe
        ("René", f"description:: {b64('René')}"),  # non-ASCII
        ("Zürich", f"description:: {b64('Zürich')}"),
        (" lead", f"description:: {b64(' lead')}"),  # leading space
        (":colon", f"description:: {b64(':colon')}"),  # leading colon
        ("<b>x</b>", f"description:: {b64('<b>x</b>')}"),  # leading '<' (would read as a URL)
        ("trail ", f"description:: {b64('trail ')}"),  # trailing space
        ("two\nlines", f"description:: {b64('two' + chr(10) + 'lines')}"),
        ("cr\r", f"description:: {b64('cr' + chr(13))}"),
        ("", "description:"),
    ],
)
def test_write_ldif_base64_cases(value: str, line: str) -> None:
    text = ldif([("cn=x,dc=test", {"description": [value]})])
    assert text.splitlines()[3] == line
    assert text.isascii()


def test_write_ldif_record_layout_and_dn() -> None:
    text = ldif(
        [
            ("ou=Users,dc=test", {"objectClass": ["top", "organizationalUnit"], "ou": ["Users"]}),
            ("cn=Müller\\, René,ou=Users,dc=test", {"cn": "Müller, René"}),  # a single string value
        ]
    )
    assert text == (
        "version: 1\n"
        "\n"
        "dn: ou=Users,dc=test\n"
        "objectClass: top\n"
        "objectClass: organizationalUnit\n"
        "ou: Users\n"
        "\n"
        f"dn:: {b64('cn=Müller' + chr(92) + ', René,ou=Users,dc=test')}\n"
        f"cn:: {b64('Müller, René')}\n"
    )


def test_write_ldif_folds_long_lines() -> None:
    value = "x" * 200
    text = ldif([("cn=x,dc=test", {"description": [value]})])
    lines = text.splitlines()[3:]
    assert all(len(line) <= 76 for line in lines)
    assert lines[0].startswith("description: ") and all(line.startswith(" ") for line in lines[1:])
    assert lines[0] + "".join(line[1:] for line in lines[1:]) == f"description: {value}"


def test_write_ldif_streams() -> None:
    stream = io.StringIO()

    def entries():
        for i in range(3):
            yield f"cn=e{i},dc=test", {"cn": [f"e{i}"]}
            assert f"dn: cn=e{i},dc=test\n" in stream.getvalue()  # written before the next is asked for

    assert write_ldif(entries(), stream) == 3


def parse_ldif(text: str) -> list[tuple[str, dict[str, list[str]]]]:
    """A minimal LDIF reader (unfold, split records, decode base64) to check the writer."""
    unfolded = text.replace("\n ", "")
    records = []
    for block in unfolded.split("\n\n")[1:]:
        pairs = []
        for line in block.strip("\n").splitlines():
            name, _, rest = line.partition(":")
            if rest.startswith(":"):
                value = base64.b64decode(rest[1:].strip()).decode()
            else:
                value = rest[1:] if rest.startswith(" ") else rest
            pairs.append((name, value))
        (_, dn), *attributes = pairs
        entry: dict[str, list[str]] = {}
        for name, value in attributes:
            entry.setdefault(name, []).append(value)
        records.append((dn, entry))
    return records


def test_write_ldif_round_trip_of_synthetic_entries() -> None:
    entries = list(synthetic_entries(120, base_dn=BASE, seed=2, group_size=120))
    text = ldif(entries)
    assert text.isascii()
    assert parse_ldif(text) == entries
    for dn, _ in entries:
        assert parent(dn) == BASE or parent(dn) in {d for d, _ in entries}
