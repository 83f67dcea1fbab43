"""The default coded values accept the conventions seen in the field (no database).

The sites' coded values on a real source are tested in tests/integration/test_coded_values.py; see
jde/coded_values.py and docs/security.md ("Coded values").
"""

from __future__ import annotations

from airflow_provider_nomasx1.jde import coded_values

# --------------------------------------------------------------------------------------------------
# the default settings
# --------------------------------------------------------------------------------------------------


def test_defaults_accept_the_conventions_seen_in_the_field() -> None:
    values = coded_values.DEFAULTS
    for setting, meaning, codes in [
        ("include_in_all_values", "set", ("1", "Y", " y")),
        ("include_in_all_values", "not_set", ("0", "N", "", "  ")),
        ("signon_status_values", "enabled", ("01", "1")),
        ("signon_status_values", "disabled", ("02", "2")),
        ("security_flag_values", "allowed", ("Y", "1")),
        ("security_flag_values", "secured", ("N", "0")),
        ("security_flag_values", "not_applicable", ("", " ")),
        ("event_type_values", "sign_on", ("01", "1")),
        ("event_type_values", "add_user", ("05", "5")),
        ("search_type_values", "employee", ("E",)),
        ("email_type_values", "email", ("E   ", "e")),
    ]:
        for code in codes:
            assert values.meaning_of(setting, code) == meaning, (setting, code)
    assert values.sql_lists()["include_in_all_set"] == "('1', 'Y')"
    assert values.unknown("search_type_values", {"C": 3}) == {}  # open set: other search types are fine
