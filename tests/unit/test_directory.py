"""Directory knowledge without a server: Active Directory's encodings and the connection settings."""

from __future__ import annotations

import datetime as dt

import pytest

from airflow_provider_nomasx1.directory import values
from airflow_provider_nomasx1.directory.config import DEFAULT_PAGE_SIZE, directory_config, dn_key, excluded
from airflow_provider_nomasx1.errors import ConfigurationError

UTC = dt.UTC


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0", (None, True)),  # accountExpires: never
        ("9223372036854775807", (None, True)),  # 0x7FFFFFFFFFFFFFFF: never
        ("132223104000000000", (dt.datetime(2020, 1, 1, tzinfo=UTC), False)),
        ("116444736000000000", (dt.datetime(1970, 1, 1, tzinfo=UTC), False)),
        ("133485408001234567", (dt.datetime(2024, 1, 1, 0, 0, 0, 123456, tzinfo=UTC), False)),
        ("  ", (None, False)),
        (None, (None, False)),
        ("3000000000000000000", (None, True)),  # beyond year 9999
    ],
)
def test_filetime(raw: str | None, expected: tuple) -> None:
    bad = values.BadValues()
    assert values.filetime(raw, "accountExpires", bad) == expected
    assert not bad.counts


@pytest.mark.parametrize("raw", ["soon", "-5", "12.5"])
def test_filetime_that_does_not_decode_is_counted_not_guessed(raw: str) -> None:
    bad = values.BadValues()
    assert values.filetime(raw, "accountExpires", bad) == (None, False)
    assert bad.counts == {"accountExpires": 1} and bad.examples["accountExpires"] == raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20240115093000.0Z", dt.datetime(2024, 1, 15, 9, 30, tzinfo=UTC)),
        ("20240115093000Z", dt.datetime(2024, 1, 15, 9, 30, tzinfo=UTC)),
        ("202401150930Z", dt.datetime(2024, 1, 15, 9, 30, tzinfo=UTC)),
        ("20240115093000.5Z", dt.datetime(2024, 1, 15, 9, 30, 0, 500000, tzinfo=UTC)),
        ("20240115113000+0200", dt.datetime(2024, 1, 15, 9, 30, tzinfo=UTC)),
        ("20240115093000", dt.datetime(2024, 1, 15, 9, 30, tzinfo=UTC)),
    ],
)
def test_generalized_time(raw: str, expected: dt.datetime) -> None:
    assert values.generalized_time(raw, "whenCreated", values.BadValues()) == expected


def test_generalized_time_that_does_not_decode() -> None:
    bad = values.BadValues()
    assert values.generalized_time("2024-01-15", "whenCreated", bad) is None
    assert values.generalized_time("20241315093000Z", "whenCreated", bad) is None  # month 13
    assert bad.counts == {"whenCreated": 2}


def test_account_control_bits() -> None:
    bad = values.BadValues()
    control = values.account_control("66050", "userAccountControl", bad)  # 0x10202: disabled, never expires
    assert values.has_flag(control, values.ACCOUNTDISABLE) is True
    assert values.has_flag(control, values.DONT_EXPIRE_PASSWORD) is True
    assert values.has_flag(control, values.LOCKOUT) is False
    assert values.has_flag(values.account_control("512", "u", bad), values.ACCOUNTDISABLE) is False
    assert values.has_flag(values.account_control(None, "u", bad), values.ACCOUNTDISABLE) is None  # not said
    assert values.account_control("x", "userAccountControl", bad) is None and bad.counts["userAccountControl"] == 1


def test_config_defaults_per_kind() -> None:
    ad = directory_config("ldap", {"base_dn": "DC=corp,DC=example"})
    assert (ad.kind, ad.page_size, ad.excluded_ous) == ("active_directory", DEFAULT_PAGE_SIZE, ())
    assert ad.search_filter == "(&(objectClass=user)(!(objectClass=computer)))"
    assert ad.attributes["account"] == "sAMAccountName" and ad.decoding("expires") == "filetime"
    ol = directory_config("ldap", {"base_dn": "dc=corp", "directory_kind": "openldap"})
    assert ol.attributes["account"] == "uid" and ol.attributes["account_control"] is None
    assert ol.decoding("created") == "generalized" and "uid" in ol.requested
    assert ol.group_attributes["members"] == ("member", "uniqueMember")


def test_config_overrides_and_excluded_ous() -> None:
    config = directory_config(
        "corp",
        {
            "base_dn": "DC=corp, DC=example",
            "excluded_ous": "OU=Disabled Users; ou=Test,dc=corp,dc=example",
            "attribute_map": '{"employee_id": "description", "mobile": null}',
            "search_filter": "objectClass=user",
            "page_size": "200",
        },
    )
    assert config.excluded_ous == ("ou=disabled users,dc=corp,dc=example", "ou=test,dc=corp,dc=example")
    assert excluded("CN=Old Guy,OU=Disabled Users,DC=Corp,DC=Example", config.excluded_ous)
    assert excluded("OU=Test, DC=corp, DC=example", config.excluded_ous)
    assert not excluded("CN=Ann,OU=Users,DC=corp,DC=example", config.excluded_ous)
    assert config.attributes["employee_id"] == "description" and config.attributes["mobile"] is None
    assert "mobile" not in config.requested and config.search_filter == "(objectClass=user)"
    assert config.page_size == 200
    assert dn_key("CN=A B , OU=X,DC=y") == "cn=a b,ou=x,dc=y"


@pytest.mark.parametrize(
    ("extras", "message"),
    [
        ({}, "base_dn is empty"),
        ({"base_dn": "not a dn"}, "is not a valid DN"),
        ({"base_dn": "dc=x", "directory_kind": "novell"}, "directory_kind must be one of"),
        ({"base_dn": "dc=x", "page_size": 0}, "page_size must be a whole number from 1 to 10000"),
        ({"base_dn": "dc=x", "page_size": "many"}, "page_size must be a whole number"),
        ({"base_dn": "dc=x", "search_filter": "(&(a=1)"}, "is not a valid LDAP filter"),
        ({"base_dn": "dc=x", "attribute_map": '{"accnt": "uid"}'}, r"unknown field\(s\) \['accnt'\]"),
        ({"base_dn": "dc=x", "attribute_map": '{"account": null}'}, "must keep an attribute for 'account'"),
        ({"base_dn": "dc=x", "attribute_map": '{"mail": "ma il"}'}, "is not an attribute name"),
        ({"base_dn": "dc=x", "attribute_map": "{broken"}, "attribute_map is not valid JSON"),
        ({"base_dn": "dc=x", "excluded_ous": [3]}, "excluded_ous must be a list of DNs"),
        ({"base_dn": "dc=x", "read_groups": "perhaps"}, "read_groups must be true or false"),
    ],
)
def test_config_errors_name_the_connection_and_the_extra(extras: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as err:
        directory_config("corp_ad", extras)
    assert "connection 'corp_ad'" in str(err.value)
