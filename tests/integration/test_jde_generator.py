"""The synthetic JDE generator: layout, JDE physical conventions, fixtures, determinism, safety."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.demo.jde_generator import (
    AUDITED_TABLES,
    FIXTURE_ROLES,
    FIXTURE_USERS,
    MARKER,
    TABLES,
    GenerationSummary,
    Profile,
    generate,
)
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.jde.catalogue import AUDIT_COLUMN_SUFFIXES, F98911
from airflow_provider_nomasx1.jde.julian import from_hhmmss, from_julian, to_julian
from airflow_provider_nomasx1.jde.schema_map import JdeSchemaMap

AS_OF = dt.date(2025, 6, 30)  # Julian 125181


def jd(days: int) -> int:
    """Julian date of AS_OF + days."""
    return to_julian(AS_OF + dt.timedelta(days=days))


TINY_ROWS = {
    "F0092": 28, "F00926": 8, "F95921": 31, "F98OWSEC": 19, "F9312": 124, "F00950": 48, "F0093": 34,
    "F0094": 8, "F9860": 205, "F9865": 192, "F983051": 206, "F9000": 32, "F9001": 36, "F0004": 9,
    "F0005": 89, "F9200": 203, "F9202": 226, "F9210": 203, "F0101": 24, "F060116": 20, "F01151": 21,
    "F4101": 17, "F0411": 88, "F0911": 84, "F03B11": 28, "F4211": 78, "F4311": 50, "F5501001": 19,
    "F559999": 25, "F98911": 335,
}  # fmt: skip
DEMO_ROWS = {
    "F0092": 560, "F00926": 60, "F95921": 1448, "F98OWSEC": 499, "F9312": 12079, "F00950": 12009,
    "F0093": 726, "F0094": 8, "F9860": 8005, "F9865": 7602, "F983051": 8396, "F9000": 572, "F9001": 576,
    "F0004": 45, "F0005": 10057, "F9200": 1703, "F9202": 1726, "F9210": 1703, "F0101": 1460,
    "F060116": 768, "F01151": 833, "F4101": 3017, "F0411": 15088, "F0911": 35084, "F03B11": 10028,
    "F4211": 20078, "F4311": 10050, "F5501001": 2019, "F559999": 5025, "F98911": 50335,
}  # fmt: skip
DEFAULT_SCHEMAS = {
    "F0092": "sy920", "F00926": "sy920", "F95921": "sy920", "F98OWSEC": "sy920", "F9312": "sy920",
    "F00950": "sy920", "F0093": "sy920", "F0094": "sy920", "F9860": "ol920", "F9865": "ol920",
    "F983051": "pd920", "F9000": "ps920ctl", "F9001": "ps920ctl", "F0004": "ps920ctl", "F0005": "ps920ctl",
    "F9200": "dd920", "F9202": "dd920", "F9210": "dd920", "F0101": "ps920dta", "F060116": "ps920dta",
    "F01151": "ps920dta", "F4101": "ps920dta", "F0411": "ps920dta", "F0911": "ps920dta", "F03B11": "ps920dta",
    "F4211": "ps920dta", "F4311": "ps920dta", "F5501001": "ps920dta", "F559999": "ps920dta", "F98911": "sy920",
}  # fmt: skip
#: the licence-usage tables: transactions (business data) and Object Usage Tracking
LICENCE_TABLES = (*AUDITED_TABLES, "F559999", "F98911")
# JDE-SOURCE.md section 2: the physical columns the collectors read by default
SOURCE_COLUMNS = {
    "F0092": "uluser ulan8 ulugrp",
    "F00926": "auuser auroledesc auseqno",
    "F95921": "rlfrrole rltorole rleffdate rlexpirdate rlcustom",
    "F98OWSEC": "scuser sceuser scseclst scsecfrq",
    "F9312": "shuser shevtyp shupmj shupmt",
    "F00950": "fsuser fsobnm fsfmnm fsver fssety fssy fsdtai fsfrdv fsthdv fsrun fsvwyn fsa fschng fsdlt "
    "fsiok fscopy fsscrl",
    "F0093": "lluser llll",
    "F0094": "lmll lmdl01",
    "F9860": "siobnm simd sisy sifuno",
    "F9865": "swobnm swfmnm swmd swsy",
    "F983051": "vrpid vrvers vrjd",
    "F9000": "tmtaskid tmtasknm tmobnm tmfmnm tmvers tmtasktype",
    "F9001": "trrltype trparnttsk trchildtsk trprsseq",
    "F0004": "dtsy dtrt dtdl01",
    "F0005": "drsy drrt drky drdl01 drdl02 drsphd drudco drhrdc",
    "F9200": "frdtai",
    "F9202": "frdtai frlngp frdscr",
    "F9210": "frdtai frdtat frdtas frcdec",
    "F0101": "aban8 abalph abat1 abmcu " + " ".join(f"abac{i:02d}" for i in range(1, 31)),
    "F060116": "yaan8 yapast yadst yadt yahmco",
    "F01151": "eaan8 eaidln eaemal eaetp",
    # licence usage: key columns and the audit columns (transaction tables), the catalogue's F98911
    "F4101": "imitm imlitm imuser impid imjobn imupmj imupmt",
    "F0411": "rpkco rpdoc rpdct rpan8 rpuser rppid rpjobn rpupmj rpupmt",
    "F0911": "glkco gldoc gldct gldgj gluser glpid gljobn glupmj glupmt",
    "F03B11": "rpkco rpdoc rpdct rpan8 rpuser rppid rpjobn rpupmj rpupmt",
    "F4211": "sdkcoo sddoco sddcto sdlnid sduser sdpid sdjobn sdupmj sdupmt",
    "F4311": "pdkcoo pddoco pddcto pdlnid pduser pdpid pdjobn pdupmj pdupmt",
    "F5501001": "q1ukid q1user q1pid q1jobn q1upmj q1upmt",
    "F559999": "q9ukid q9edbt q9edsp",
    "F98911": " ".join(c.lower() for c in F98911.columns.values()),
}
# the nomajde mirror column lists (reference nomasx1-domain.md 4.7) that are given in full
MIRROR_COLUMNS = {
    "F0004": "dtsy dtrt dtdl01 dtuseq dtucd1 dtcdl dtln2 dtcnum dtmrct dtmrty dtuser dtpid dtupmj dtjobn dtupmt",
    "F0005": "drsy drrt drky drdl01 drdl02 drsphd drudco drhrdc druser drpid drupmj drjobn drupmt",
    "F9200": "frdtai frsy frsyr frgg fruser frpid frupmj frjobn frupmt",
    "F9202": "frdtai frlngp frsyr frch1 frch2 frch3 frdscr",
}


# ------------------------------------------------------------------------------------ helpers


@pytest.fixture(scope="module")
def tiny(pg_server: URL) -> Iterator[tuple[sa.Engine, GenerationSummary]]:
    """One tiny source shared by the read-only tests of this module."""
    url = testing.create_database(pg_server, prefix="jdegen_tiny")
    summary = generate(url, "tiny", seed=1, as_of=AS_OF)
    engine = sa.create_engine(url)
    yield engine, summary
    engine.dispose()
    testing.drop_database(url)


def q(engine: sa.Engine, sql: str, **params: object) -> list[sa.Row]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text(sql), params).all())


def scalar(engine: sa.Engine, sql: str, **params: object) -> object:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def columns(engine: sa.Engine, schema: str, table: str) -> list[tuple[str, str, int | None, int | None]]:
    return [
        (r[0], r[1], r[2], r[3])
        for r in q(
            engine,
            "SELECT column_name, data_type, character_maximum_length, numeric_precision "
            "FROM information_schema.columns WHERE table_schema = :s AND table_name = :t ORDER BY ordinal_position",
            s=schema,
            t=table,
        )
    ]


def checksums(engine: sa.Engine, summary: GenerationSummary) -> dict[str, str]:
    out = {}
    for name, qualified in summary.tables.items():
        out[name] = scalar(engine, f"SELECT md5(string_agg(t::text, E'\\n' ORDER BY t::text)) FROM {qualified} AS t")
    return out


def last_sign_on(engine: sa.Engine, user: str) -> int | None:
    return scalar(
        engine,
        "SELECT max(shupmj) FROM sy920.f9312 WHERE shuser = :u AND trim(shevtyp) = '01'",
        u=user,
    )


def test_custom_profile_schema_map_and_default_as_of(pg_url: URL) -> None:
    schemas = JdeSchemaMap(
        system="SYS1",
        security="SEC1",
        control="CTL1",
        data="DTA1",
        object_librarian="OBJ1",
        data_dictionary="DDI1",
        central_objects="COB1",
    )
    small = Profile(
        name="small",
        description="custom",
        users=7,
        roles=3,
        objects=40,
        roles_per_user=2,
        role_slots=5,
        user_slots=2,
        signons=3,
        udc_types=2,
        udc_values=3,
        dd_items=5,
        menu_leaves=2,
        extra_address_book=1,
        activity_rows=1000,
        usage_rows=200,
    )
    summary = generate(pg_url, small, seed=9, schemas=schemas)
    assert summary.as_of == dt.date.today()
    assert summary.profile == "small"
    assert summary.tables["F00950"] == "sec1.f00950"
    assert summary.tables["F0092"] == "sys1.f0092"
    assert summary.tables["F0005"] == "ctl1.f0005"
    assert summary.tables["F983051"] == "cob1.f983051"
    assert summary.rows["F0092"] == 20 + 8 + 7 + 3
    assert summary.tables["F98911"] == "sys1.f98911" and summary.tables["F0411"] == "dta1.f0411"
    assert summary.rows["F0411"] == TINY_ROWS["F0411"] + 150 and summary.rows["F98911"] == TINY_ROWS["F98911"] + 200
    engine = sa.create_engine(pg_url)
    try:
        for name, qualified in summary.tables.items():
            assert scalar(engine, f"SELECT count(*) FROM {qualified}") == summary.rows[name]
        assert scalar(engine, "SELECT count(*) FROM pg_namespace WHERE nspname = 'sy920'") == 0
    finally:
        engine.dispose()


# ----------------------------------------------------------------------------- tiny: layout


def test_tiny_exact_row_counts(tiny: tuple[sa.Engine, GenerationSummary]) -> None:
    engine, summary = tiny
    assert summary.rows == TINY_ROWS
    assert summary.total_rows == sum(TINY_ROWS.values())
    assert summary.as_of == AS_OF and summary.seed == 1 and summary.profile == "tiny"
    assert summary.seconds > 0
    for name, qualified in summary.tables.items():
        assert qualified == f"{DEFAULT_SCHEMAS[name]}.{name.lower()}"
        assert scalar(engine, f"SELECT count(*) FROM {qualified}") == TINY_ROWS[name]


def test_every_source_column_exists_with_jde_types(tiny: tuple[sa.Engine, GenerationSummary]) -> None:
    engine, summary = tiny
    assert {t.name for t in TABLES} == set(SOURCE_COLUMNS)
    assert summary.tables["F98911"] == "sy920.f98911"
    for table in TABLES:
        schema = DEFAULT_SCHEMAS[table.name]
        cols = {c[0]: c for c in columns(engine, schema, table.physical)}
        missing = set(SOURCE_COLUMNS[table.name].split()) - set(cols)
        assert not missing, f"{table.name} lacks {missing}"
        for name, data_type, _length, precision in cols.values():
            assert name == name.lower() and name.startswith(table.prefix.lower()), name
            assert data_type in ("character", "numeric"), (table.name, name, data_type)
            if name.endswith(("upmj", "upmt")) or name in ("rleffdate", "rlexpirdate", "scseclst", "yadst", "yadt"):
                assert (data_type, precision) == ("numeric", 6), (table.name, name)
    widths = {
        ("sy920", "f0092", "uluser"): 10,
        ("sy920", "f95921", "rlfrrole"): 10,
        ("sy920", "f95921", "rltorole"): 10,
        ("sy920", "f00950", "fsobnm"): 10,
        ("sy920", "f00950", "fsfmnm"): 10,
        ("sy920", "f00950", "fsver"): 10,
        ("sy920", "f00950", "fssety"): 1,
        ("sy920", "f00950", "fsfrdv"): 40,
        ("sy920", "f98owsec", "sceuser"): 2,
        ("ps920ctl", "f0005", "drky"): 10,
        ("ps920ctl", "f0005", "drsy"): 4,
        ("ps920ctl", "f0005", "drrt"): 2,
        ("ps920ctl", "f0005", "drdl01"): 30,
        ("ps920dta", "f0101", "abmcu"): 12,
        ("ps920dta", "f0101", "abalph"): 40,
        ("ol920", "f9860", "siobnm"): 10,
        ("ol920", "f9860", "sisy"): 4,
        ("dd920", "f9210", "frcdec"): 1,
    }
    for (schema, table, column), width in widths.items():
        found = [c for c in columns(engine, schema, table) if c[0] == column]
        assert found and found[0][2] == width, (table, column, found)
    # implied-decimal math numerics are numeric without scale
    sal = next(c for c in columns(engine, "ps920dta", "f060116") if c[0] == "yasal")
    assert sal[1] == "numeric" and sal[3] is None


def test_mirror_tables_full_column_lists(tiny: tuple[sa.Engine, GenerationSummary]) -> None:
    engine, _ = tiny
    for name, expected in MIRROR_COLUMNS.items():
        schema = DEFAULT_SCHEMAS[name]
        assert [c[0] for c in columns(engine, schema, name.lower())] == expected.split(), name
    f9210 = [c[0] for c in columns(engine, "dd920", "f9210")]
    assert f9210[:6] == ["frdtai", "frclas", "frdtat", "frowtp", "frdtas", "frdtad"]
    assert {"frpdta", "frcdec", "frdrul", "frerul", "frero1", "frero2", "fruser", "frupmt"} <= set(f9210)
    f9860 = [c[0] for c in columns(engine, "ol920", "f9860")]
    assert f9860[:7] == ["siobnm", "simd", "sisy", "sisyr", "sifuno", "sifunu", "sipfx"]
    assert f9860[-2:] == ["siupmj", "siupmt"]
    f9865 = [c[0] for c in columns(engine, "ol920", "f9865")]
    assert f9865[:7] == ["swfmnm", "swfmid", "swmd", "swfmpt", "swsy", "swfuno", "swobnm"]


def test_tables_are_marked_and_keyed(tiny: tuple[sa.Engine, GenerationSummary]) -> None:
    engine, summary = tiny
    for qualified in summary.tables.values():
        comment = scalar(engine, "SELECT obj_description(CAST(:t AS regclass), 'pg_class')", t=qualified)
        assert comment.startswith(MARKER) and "profile=tiny seed=1 as_of=2025-06-30" in comment
        indexed = scalar(engine, "SELECT count(*) FROM pg_index WHERE indrelid = CAST(:t AS regclass)", t=qualified)
        assert indexed >= (0 if qualified.endswith("f9312") else 1), qualified


# ------------------------------------------------------------------ tiny: physical conventions


def test_blank_padding_and_right_justification(tiny: tuple[sa.Engine, GenerationSummary]) -> None:
    engine, _ = tiny
    row = q(
        engine,
        "SELECT octet_length(uluser), length(uluser), uluser::text, ulugrp FROM sy920.f0092 WHERE uluser = 'AUDITOR1'",
    )[0]
    assert row[0] == 10 and row[1] == 8 and row[2] == "AUDITOR1"  # padded to 10, compares trimmed
    assert q(
        engine,
        "SELECT octet_length(fsfmnm), fsfmnm = '' FROM sy920.f00950 WHERE fsuser = '*PUBLIC' AND fsobnm = '*ALL'",
    )[0] == (10, True)
    # business units right-justified in 12 characters
    assert scalar(engine, "SELECT count(*) FROM ps920dta.f0101 WHERE abmcu NOT LIKE ' %'") == 0
    assert scalar(engine, "SELECT abmcu::text FROM ps920dta.f0101 WHERE aban8 = 2001") == "          30"
    assert q(engine, "SELECT fsfrdv::text, fsthdv::text FROM sy920.f00950 WHERE fsuser = '*PUBLIC' AND fssety = '3'")[
        0
    ] == ("          30", "          39")
    # numeric UDC keys right-justified in DRKY char(10); alphanumeric keys left-justified; a blank key
    keys = [
        r[0] for r in q(engine, "SELECT drky::text FROM ps920ctl.f0005 WHERE drsy = '55' AND drrt = 'BG' ORDER BY drky")
    ]
    assert keys[0] == "        10" and len(keys) == 9 and all(len(k) == 10 for k in keys)
    assert scalar(engine, "SELECT count(*) FROM ps920ctl.f0005 WHERE drsy = '01' AND drrt = 'LP' AND drky = ''") == 1
    assert (
        scalar(engine, "SELECT drky::text FROM ps920ctl.f0005 WHERE drsy = '98' AND drrt = 'ET' AND drdl01 = 'Sign-on'")
        == "01"
    )
    assert scalar(engine, "SELECT octet_length(drsy) FROM ps920ctl.f0005 WHERE drsy = '98' LIMIT 1") == 4
    # JDE never stores NULL
    for table in TABLES:
        schema = DEFAULT_SCHEMAS[table.name]
        nullable = [
            c
            for c in q(
                engine,
                "SELECT column_name FROM information_schema.columns WHERE table_schema = :s "
                "AND table_name = :t AND is_nullable = 'YES'",
                s=schema,
                t=table.physical,
            )
        ]
        assert not nullable, table.name


def test_julian_dates_and_times_are_valid(tiny: tuple[sa.Engine, GenerationSummary]) -> None:
    engine, _ = tiny
    date_cols = q(
        engine,
        "SELECT table_schema, table_name, column_name FROM information_schema.columns "
        "WHERE table_schema IN ('sy920','ol920','pd920','ps920ctl','ps920dta','dd920') AND numeric_precision = 6",
    )
    assert len(date_cols) == 61
    times = dates = 0
    for schema, table, column in date_cols:
        values = [r[0] for r in q(engine, f"SELECT DISTINCT {column} FROM {schema}.{table}")]
        for value in values:
            if column.endswith("upmt") or column == "shupmt":
                from_hhmmss(value, strict=True)  # raises on an impossible HHMMSS
                times += 1
            else:
                day = from_julian(value, strict=True)  # raises on an invalid CYYDDD
                assert day is None or dt.date(1990, 1, 1) <= day <= AS_OF + dt.timedelta(days=400), (column, value)
                dates += 1
    assert times > 10 and dates > 50
    assert scalar(engine, "SELECT max(shupmj) FROM sy920.f9312") == 125181  # APCLRK2 signed on on the as-of date
    assert (
        scalar(
            engine,
            "SELECT shupmt FROM sy920.f9312 WHERE shuser = 'APCLRK1' AND shevtyp = '01' AND shupmj = :d",
            d=jd(-1),
        )
        == 93015
    )  # HHMMSS without leading zero


def test_data_dictionary_describes_every_column(tiny: tuple[sa.Engine, GenerationSummary]) -> None:
    engine, _ = tiny
    dd = {r[0].strip(): r for r in q(engine, "SELECT frdtai, frdtat, frdtas, frcdec, frlr FROM dd920.f9210")}
    master = {r[0].strip() for r in q(engine, "SELECT frdtai FROM dd920.f9200")}
    text = {r[0].strip() for r in q(engine, "SELECT frdtai FROM dd920.f9202 WHERE frlngp = ''")}
    assert set(dd) == master == text
    for table in TABLES:
        for name, data_type, length, _ in columns(engine, DEFAULT_SCHEMAS[table.name], table.physical):
            alias = name[len(table.prefix) :].upper()
            assert alias in dd, f"{table.name}.{name}: no data item {alias}"
            if data_type == "character":
                assert dd[alias][1] in ("S", "C") and int(dd[alias][2]) == length, (name, dd[alias])
            else:
                assert dd[alias][1] in ("N", "D"), (name, dd[alias])
    assert dd["SAL"][3] == "2" and dd["PHRT"][3] == "3" and dd["AN8"][3] == "0"
    assert dd["ALPH"][3].strip() == "" and dd["MCU"][4] == "R"
    # implied decimals: ADMIN1's salary 56,000.00 is stored as 5600000, the hourly rate 26.923 as 26923
    assert q(engine, "SELECT yasal, yaphrt FROM ps920dta.f060116 WHERE yaan8 = 1001")[0] == (5600000, 26923)
    assert q(engine, "SELECT rtrim(frero1), rtrim(frero2) FROM dd920.f9210 WHERE frdtai = 'EVTYP'")[0] == ("98", "ET")


# ----------------------------------------------------------------------- tiny: security facts


def test_users_roles_and_profiles(tiny: tuple[sa.Engine, GenerationSummary]) -> None:
    engine, _ = tiny
    profiles = {r[0].strip(): (r[1], r[2].strip()) for r in q(engine, "SELECT uluser, ulan8, ulugrp FROM sy920.f0092")}
    assert set(profiles) == set(FIXTURE_USERS) | set(FIXTURE_ROLES)
    roles = {r[0].strip(): int(r[1]) for r in q(engine, "SELECT auuser, auseqno FROM sy920.f00926")}
    assert roles == {
        "SYSADMIN": 5,
        "APCLERK": 10,
        "APSUPER": 20,
        "GLACCT": 30,
        "SALESREP": 40,
        "PURCHASE": 50,
        "AUDITRO": 60,
        "ALLFIN": 70,
    }
    assert all(profiles[r] == (0, "*ROLE") for r in FIXTURE_ROLES)
    assert profiles["SALES1"][0] == profiles["SALES2"][0] == 1007  # duplicate address number
    sign_on = {
        r[0].strip(): (r[1].strip(), r[2], int(r[3]))
        for r in q(engine, "SELECT scuser, sceuser, scseclst, scsecfrq FROM sy920.f98owsec")
    }
    assert set(sign_on) == set(FIXTURE_USERS) - {"NOSIGNON"}
    assert sign_on["BUYER1"][0] == "02" and sign_on["AUDITOR1"][0] == "01"
    assert sign_on["PWDOLD1"][1:] == (jd(-400), 90)


def test_role_assignments_fixtures(tiny: tuple[sa.Engine, GenerationSummary]) -> None:
    engine, _ = tiny
    rows = {
        (r[0].strip(), r[1].strip(), int(r[2])): (int(r[3]), r[4])
        for r in q(engine, "SELECT rltorole, rlfrrole, rleffdate, rlexpirdate, rlcustom FROM sy920.f95921")
    }
    assert rows[("AUDITOR1", "APSUPER", jd(-300))] == (jd(-30), "1")  # expired
    assert rows[("AUDITOR1", "AUDITRO", jd(-900))] == (jd(-300), "1")  # old grant, expired
    assert rows[("AUDITOR1", "AUDITRO", jd(-300))] == (0, "1")  # active, never expires
    assert rows[("APMGR1", "APSUPER", jd(10))] == (0, "1")  # future
    assert rows[("GLUSER1", "GLACCT", jd(-250))] == (125181, "1")  # expires on the as-of date
    assert rows[("GLUSER1", "SALESREP", jd(-100))] == (jd(1), "1")  # last day
    assert rows[("SALES1", "SALESREP", jd(-150))] == (0, "0")  # not in *ALL
    assert rows[("GHOSTED1", "OLDROLE", jd(-800))] == (0, "1")  # role does not exist
    assert rows[("APCLERK", "ALLFIN", jd(-365))] == (0, "1")  # role in role
    assert not [k for k in rows if k[0] == "NOROLE1"]
    assert scalar(engine, "SELECT count(*) FROM sy920.f0092 WHERE uluser = 'OLDROLE'") == 0
    # status as of AS_OF, with the rules of JDE-SOURCE.md section 3
    active = {
        r[0].strip()
        for r in q(
            engine,
            "SELECT rltorole FROM sy920.f95921 WHERE rleffdate <= :d "
            "AND (rlexpirdate = 0 OR :d < rlexpirdate) AND rlcustom = '1'",
            d=125181,
        )
    }
    assert {"AUDITOR1", "APCLRK1", "GLUSER1", "SALES2", "NESTED1", "GHOSTED1"} <= active
    assert "SALES1" not in active and "NOROLE1" not in active


def test_security_workbench_fixtures(tiny: tuple[sa.Engine, GenerationSummary]) -> None:
    engine, _ = tiny
    types = {r[0] for r in q(engine, "SELECT DISTINCT fssety FROM sy920.f00950")}
    assert types == {"1", "2", "3", "4", "5", "6", "9"}
    flags = q(
        engine, "SELECT DISTINCT unnest(ARRAY[fsrun, fsa, fschng, fsdlt, fsiok, fscopy, fsscrl]) FROM sy920.f00950"
    )
    assert {r[0].strip() for r in flags} == {"Y", "N", ""}
    # type 1 carries FSRUN only, type 2 the action flags only
    assert scalar(engine, "SELECT count(*) FROM sy920.f00950 WHERE fssety = '1' AND (fsrun = '' OR fsa <> '')") == 0
    assert scalar(engine, "SELECT count(*) FROM sy920.f00950 WHERE fssety = '2' AND (fsrun <> '' OR fsiok = '')") == 0
    levels = q(
        engine,
        "SELECT fssety, CASE WHEN fsuser = '*PUBLIC' THEN 'PUBLIC' WHEN a.auuser IS NOT NULL "
        "THEN 'ROLE' ELSE 'USER' END, count(*) FROM sy920.f00950 f "
        "LEFT JOIN sy920.f00926 a ON a.auuser = f.fsuser WHERE fssety IN ('1', '2') GROUP BY 1, 2",
    )
    assert {(r[0], r[1]) for r in levels} == {(t, lv) for t in "12" for lv in ("USER", "ROLE", "PUBLIC")}
    assert q(
        engine, "SELECT fsrun FROM sy920.f00950 WHERE fsuser = '*PUBLIC' AND fsobnm = '*ALL' AND fssety = '1'"
    ) == [("N",)]
    assert q(
        engine,
        "SELECT fsrun FROM sy920.f00950 WHERE fsuser = 'GLACCT' AND fsobnm = 'R09801' "
        "AND fsver = 'XJDE0001' AND fssety = '1'",
    ) == [("N",)]
    assert q(
        engine,
        "SELECT fsrun FROM sy920.f00950 WHERE fsuser = 'FORMUSR1' AND fsobnm = 'P4210' "
        "AND fsfmnm = 'W4210E' AND fssety = '1'",
    ) == [("N",)]
    assert q(
        engine,
        "SELECT fsa, fschng, fsdlt, fsiok, fscopy, fsscrl FROM sy920.f00950 WHERE fsuser = 'SALESREP' "
        "AND fsfmnm = 'W4210A' AND fssety = '2'",
    ) == [("Y", "Y", "N", "Y", "N", "Y")]
    # APCLRK1's two roles disagree on P0911: APCLERK (10) secures it, GLACCT (30) allows it
    assert q(
        engine,
        "SELECT rtrim(fsuser), fsrun FROM sy920.f00950 WHERE fsobnm = 'P0911' AND fssety = '1' "
        "AND fsuser IN ('APCLERK', 'GLACCT') ORDER BY fsuser",
    ) == [("APCLERK", "N"), ("GLACCT", "Y")]
    # every object named by a record exists (or is *ALL)
    assert (
        scalar(
            engine,
            "SELECT count(*) FROM sy920.f00950 f WHERE fsobnm <> '*ALL' AND NOT EXISTS "
            "(SELECT 1 FROM ol920.f9860 o WHERE o.siobnm = f.fsobnm)",
        )
        == 0
    )


def test_sign_on_history(tiny: tuple[sa.Engine, GenerationSummary]) -> None:
    engine, _ = tiny
    assert last_sign_on(engine, "AUDITOR1") == jd(-2)
    assert last_sign_on(engine, "APCLRK2") == jd(0)
    assert last_sign_on(engine, "GLUSER1") == jd(-89)
    assert last_sign_on(engine, "SALES1") == jd(-91)
    assert last_sign_on(engine, "DORMANT1") == jd(-200)
    assert last_sign_on(engine, "LEAVER1") == jd(-50)
    assert last_sign_on(engine, "NEVERIN") is None
    events = {r[0].strip() for r in q(engine, "SELECT DISTINCT shevtyp FROM sy920.f9312")}
    assert events == {"01", "02", "03", "05", "06", "13", "14", "15"}
    assert scalar(engine, "SELECT count(*) FROM sy920.f9312 WHERE shuser = 'FORMER1' AND shevtyp = '06'") == 1
    assert scalar(engine, "SELECT octet_length(shevtyp) FROM sy920.f9312 LIMIT 1") == 3


def test_menus_launch_existing_objects(tiny: tuple[sa.Engine, GenerationSummary]) -> None:
    engine, _ = tiny
    roots = q(
        engine,
        "SELECT trrltype, trparnttsk FROM ps920ctl.f9001 r WHERE NOT EXISTS (SELECT 1 FROM "
        "ps920ctl.f9001 c WHERE c.trrltype = r.trrltype AND c.trchildtsk = r.trparnttsk) "
        "GROUP BY 1, 2 ORDER BY 1",
    )
    assert [(r[0].strip(), r[1].strip()) for r in roots] == [("91", "0000000001"), ("93", "0000000050")]
    leaves = q(
        engine,
        "SELECT t.tmtaskid, t.tmobnm, t.tmfmnm, t.tmvers, t.tmtasktype FROM ps920ctl.f9000 t "
        "WHERE t.tmtasktype <> '07'",
    )
    assert len(leaves) == 19
    for _task, obj, form, version, kind in leaves:
        assert scalar(engine, "SELECT sifuno FROM ol920.f9860 WHERE siobnm = :o", o=obj).strip() == (
            "APPL" if kind == "01" else "UBE"
        )
        assert (
            scalar(engine, "SELECT count(*) FROM pd920.f983051 WHERE vrpid = :o AND vrvers = :v", o=obj, v=version) == 1
        )
        if kind == "01":
            assert scalar(engine, "SELECT swobnm FROM ol920.f9865 WHERE swfmnm = :f", f=form).strip() == obj.strip()
    shared = scalar(
        engine,
        "SELECT count(*) FROM (SELECT trchildtsk FROM ps920ctl.f9001 GROUP BY 1 HAVING count(DISTINCT trrltype) > 1) s",
    )
    assert shared == 6  # view 93 reuses view 91 tasks


def test_people(tiny: tuple[sa.Engine, GenerationSummary]) -> None:
    engine, _ = tiny
    assert q(engine, "SELECT yapast, yadt FROM ps920dta.f060116 WHERE yaan8 = 1015") == [("T", jd(-60))]
    assert scalar(engine, "SELECT count(*) FROM ps920dta.f060116 WHERE yadt = 0") == 18
    assert scalar(engine, "SELECT abat1 FROM ps920dta.f0101 WHERE aban8 = 1002") == "E  "  # char(3)
    assert scalar(engine, "SELECT count(*) FROM ps920dta.f0101 WHERE abat1 = 'E'") == 20
    assert scalar(engine, "SELECT eaemal FROM ps920dta.f01151 WHERE eaan8 = 1002").strip() == (
        "auditor1@synthetic-jde.example"
    )
    # every user's address number is in the address book
    assert (
        scalar(
            engine,
            "SELECT count(*) FROM sy920.f0092 u LEFT JOIN ps920dta.f0101 a ON a.aban8 = u.ulan8 "
            "WHERE u.ulan8 <> 0 AND a.aban8 IS NULL",
        )
        == 0
    )


def test_system_codes_and_objects(tiny: tuple[sa.Engine, GenerationSummary]) -> None:
    engine, _ = tiny
    types = dict(q(engine, "SELECT rtrim(sifuno), count(*) FROM ol920.f9860 GROUP BY 1"))
    assert types == {"APPL": 17 + 61, "UBE": 7 + 40, "TBLE": 14 + 24, "BSFN": 1 + 24, "BSVW": 1 + 16}
    assert scalar(engine, "SELECT count(DISTINCT sisy) FROM ol920.f9860") >= 20
    assert scalar(engine, "SELECT count(*) FROM ol920.f9860 WHERE siobnm IN ('P01012', 'R0006P', 'F0101')") == 3
    # every application has an entry-point form and a version; every batch program a version
    assert (
        scalar(
            engine,
            "SELECT count(*) FROM ol920.f9860 o WHERE sifuno = 'APPL' AND NOT EXISTS "
            "(SELECT 1 FROM ol920.f9865 f WHERE f.swobnm = o.siobnm AND f.swentrypt = '1')",
        )
        == 0
    )
    assert (
        scalar(
            engine,
            "SELECT count(*) FROM ol920.f9860 o WHERE sifuno IN ('APPL', 'UBE') AND NOT EXISTS "
            "(SELECT 1 FROM pd920.f983051 v WHERE v.vrpid = o.siobnm)",
        )
        == 0
    )


# ------------------------------------------------------------------------ tiny: licence usage

#: F9860 system code of each licence-usage table (and of F0005, the control table in scope)
TABLE_SYSTEM_CODES = {
    "F4101": "41", "F0411": "04", "F0911": "09", "F03B11": "03B", "F4211": "42", "F4311": "43",
    "F5501001": "55", "F559999": "55", "F0005": "00", "F0101": "01", "F060116": "06",
}  # fmt: skip
#: (table, audit user) -> (rows, first day, last day) of the tiny fixtures, days relative to A
#: (None: the rows carry UPMJ 0); docs/synthetic-jde.md lists the same facts
TRANSACTION_FACTS = {
    ("F0411", "APCLRK1"): (43, -395, -3), ("F0411", "APCLRK2"): (14, -390, 0), ("F0411", "APMGR1"): (7, -300, -60),
    ("F0411", "NOROLE1"): (1, -15, -15), ("F0411", "MULTI1"): (8, -80, -10), ("F0411", "JDE"): (7, -360, 0),
    ("F0411", "EXUSER1"): (4, -380, -200), ("F0411", "JDEPROXY"): (4, -100, -10),
    ("F0911", "GLUSER1"): (45, -397, -89), ("F0911", "APCLRK1"): (10, -190, -10), ("F0911", "MULTI1"): (5, -85, -5),
    ("F0911", "JDE"): (14, -390, 0), ("F0911", "BATCHSVC"): (3, -45, -15), ("F0911", "INTERFACE"): (7, -364, 0),
    ("F03B11", "JDE"): (13, -360, 0), ("F03B11", "SALES2"): (10, -140, -5), ("F03B11", "INTERFACE"): (5, -300, -20),
    ("F4211", "SALES1"): (16, -395, -95), ("F4211", "SALES2"): (15, -145, -5), ("F4211", "LEAVER1"): (12, -390, -60),
    ("F4211", "FORMUSR1"): (10, -58, -4), ("F4211", "GLUSER1"): (2, -98, -89), ("F4211", "MULTI1"): (5, -88, -8),
    ("F4211", "JDE"): (13, -360, 0), ("F4211", "INTERFACE"): (5, -200, -20),
    ("F4311", "BUYER1"): (19, -390, -30), ("F4311", "PWDOLD1"): (18, -360, -3), ("F4311", "MULTI1"): (6, -85, -5),
    ("F4311", "BATCHSVC"): (7, -300, 0),
    ("F4101", "PWDOLD1"): (7, -350, -50), ("F4101", "BUYER1"): (4, -380, -80), ("F4101", "INTERFACE"): (3, -90, -30),
    ("F4101", "JDE"): (3, None, None),
    ("F5501001", "ADMIN1"): (12, -120, -10), ("F5501001", "JDEPROXY"): (7, -399, -57),
}  # fmt: skip
#: (user, object, form, version, role, environment) -> (rows, first day, last day) of the tiny F98911
USAGE_FACTS = {
    ("ADMIN1", "P0092", "W0092A", "ZJDE0001", "*ALL", "JPD920"): (20, -390, -10),
    ("ADMIN1", "P00950", "W00950A", "ZJDE0001", "SYSADMIN", "JPD920"): (10, -100, -1),
    ("ADMIN1", "P98OWSEC", "W98OWSECE", "ZJDE0001", "*ALL", "JDV920"): (5, -200, -20),
    ("ADMIN1", "P550001", "W550001A", "ZJDE0001", "*ALL", "JPD920"): (12, -120, -10),
    ("APCLRK1", "P0411", "W0411G", "ZJDE0001", "APCLERK", "JPD920"): (40, -395, -5),
    ("APCLRK1", "P0411", "W0411A", "ZJDE0001", "*ALL", "JPD920"): (3, -3, -3),
    ("APCLRK1", "R04570", "", "XJDE0001", "*ALL", "JPD920"): (8, -120, -1),
    ("APCLRK2", "P0411", "W0411G", "ZJDE0002", "*ALL", "JPD920"): (14, -390, 0),
    ("APCLRK2", "P04012", "W04012B", "ZJDE0001", "*ALL", "JPD920"): (3, -50, -10),
    ("APMGR1", "P0411", "W0411A", "ZJDE0001", "*ALL", "JPD920"): (7, -300, -60),
    ("AUDITOR1", "P0411", "W0411A", "ZJDE0001", "*ALL", "JPD920"): (2, -10, -2),
    ("AUDITOR1", "P0911", "W0911I", "ZJDE0001", "*ALL", "JPD920"): (16, -62, -2),
    ("AUDITOR1", "R0006P", "", "XJDE0001", "*ALL", "JPD920"): (1, -30, -30),
    ("BUYER1", "P4310", "W4310A", "ZJDE0001", "*ALL", "JPD920"): (19, -390, -30),
    ("DORMANT1", "P0911", "W0911I", "ZJDE0001", "*ALL", "JPD920"): (1, -200, -200),
    ("EXUSER1", "P01012", "W01012B", "ZJDE0001", "*ALL", "JPD920"): (4, -380, -200),
    ("FORMUSR1", "P4210", "W4210A", "ZJDE0001", "*ALL", "JPD920"): (10, -58, -4),
    ("FORMUSR1", "R42800", "", "XJDE0001", "*ALL", "JPD920"): (5, -32, -4),
    ("GLUSER1", "P0911", "W0911A", "ZJDE0001", "*ALL", "JPD920"): (45, -397, -89),
    ("GLUSER1", "P4210", "W4210A", "ZJDE0001", "*ALL", "JPD920"): (2, -98, -89),
    ("JDE", "R09801", "", "XJDE0001", "*ALL", "JPD920"): (14, -390, 0),
    ("LEAVER1", "P4210", "W4210A", "ZJDE0001", "*ALL", "JPD920"): (12, -390, -60),
    ("LEAVER1", "P4210", "W4210E", "ZJDE0001", "*ALL", "JPD920"): (1, -50, -50),
    ("MULTI1", "P0411", "W0411G", "ZJDE0001", "*ALL", "JPD920"): (8, -80, -10),
    ("MULTI1", "P4210", "W4210A", "ZJDE0001", "SALESREP", "JPD920"): (5, -88, -8),
    ("MULTI1", "P4310", "W4310A", "ZJDE0001", "*ALL", "JPD920"): (6, -85, -5),
    ("NOROLE1", "P0411", "W0411G", "ZJDE0001", "*ALL", "JPD920"): (1, -15, -15),
    ("PWDOLD1", "P41026", "W41026A", "ZJDE0001", "*ALL", "JPD920"): (7, -350, -50),
    ("PWDOLD1", "P4310", "W4310G", "ZJDE0001", "*ALL", "JPD920"): (18, -360, -3),
    ("SALES1", "P4210", "W4210A", "ZJDE0001", "SALESREP", "JPD920"): (16, -395, -95),
    ("SALES2", "P4210", "W4210A", "ZJDE0001", "*ALL", "JPD920"): (15, -145, -5),
    ("SALES2", "P4210", "W4210E", "ZJDE0001", "*ALL", "JPD920"): (5, -145, -5),
}
#: audit users of the tiny transaction tables that are no F0092 profile
UNKNOWN_WRITERS = {"EXUSER1", "INTERFACE", "JDEPROXY", "BATCHSVC"}


def audited(table: str) -> tuple[str, str]:
    """(qualified table, prefix) of an audited transaction table."""
    prefix = next(t.prefix for t in TABLES if t.name == table).lower()
    return f"{DEFAULT_SCHEMAS[table]}.{table.lower()}", prefix


def day_of(julian: int) -> int | None:
    """Days from AS_OF of a Julian date (None for 0)."""
    value = from_julian(julian, strict=True)
    return None if value is None else (value - AS_OF).days


def test_licence_tables_layout(tiny: tuple[sa.Engine, GenerationSummary]) -> None:
    engine, _ = tiny
    # F98911 has exactly the catalogue's (unverified) physical columns
    ou = columns(engine, "sy920", "f98911")
    assert [c[0] for c in ou] == [c.lower() for c in F98911.columns.values()]
    assert {c[0]: (c[1], c[2] or c[3]) for c in ou} == {
        **{c: ("character", 10) for c in ("ouobnm", "oufmnm", "ouvers", "ouuser", "ourole", "ouenhv", "oupathcd")},
        "oufuno": ("character", 4),
        "ouupmj": ("numeric", 6),
        "ouupmt": ("numeric", 6),
    }
    # every licence table (and F0005, F0101, F060116) is a TBLE object with its system code and prefix
    objects = {
        r[0].strip(): (r[1].strip(), r[2].strip(), r[3].strip())
        for r in q(engine, "SELECT siobnm, sifuno, sisy, sipfx FROM ol920.f9860 WHERE sifuno = 'TBLE'")
    }
    prefixes = {t.name: t.prefix for t in TABLES}
    for table, system_code in TABLE_SYSTEM_CODES.items():
        assert objects[table] == ("TBLE", system_code, prefixes[table]), table
    assert "F98911" not in objects  # OUT is no transaction table
    # the audit columns: <prefix>USER, PID, JOBN char(10), UPMJ, UPMT numeric(6,0)
    assert AUDIT_COLUMN_SUFFIXES == {"audit_user": "USER", "audit_date": "UPMJ"}
    for table in (*AUDITED_TABLES, "F0005"):
        prefix = prefixes[table].lower()
        cols = {c[0]: (c[1], c[2] or c[3]) for c in columns(engine, DEFAULT_SCHEMAS[table], table.lower())}
        for suffix in ("user", "pid", "jobn"):
            assert cols[prefix + suffix] == ("character", 10), (table, suffix)
        for suffix in ("upmj", "upmt"):
            assert cols[prefix + suffix] == ("numeric", 6), (table, suffix)
    # F559999 (interface staging) has no audit column at all
    staging = [c[0] for c in columns(engine, "ps920dta", "f559999")]
    assert staging == ["q9ukid", "q9edbt", "q9edsp", "q9doc", "q9dct", "q9an8", "q9ag"]
    assert not [c for c in staging if c.endswith(("user", "pid", "jobn", "upmj", "upmt"))]
    # the control table F0005 is in scope: every row carries a user and a date
    assert scalar(engine, "SELECT count(*) FROM ps920ctl.f0005 WHERE druser = '' OR drupmj = 0") == 0


def test_transaction_fixtures(tiny: tuple[sa.Engine, GenerationSummary]) -> None:
    engine, _ = tiny
    facts: dict[tuple[str, str], tuple[int, int | None, int | None]] = {}
    for table in AUDITED_TABLES:
        qualified, p = audited(table)
        for user, count, first, last in q(
            engine,
            f"SELECT rtrim({p}user), count(*), min(nullif({p}upmj, 0)), max(nullif({p}upmj, 0)) "
            f"FROM {qualified} GROUP BY 1",
        ):
            facts[(table, user)] = (count, day_of(first or 0), day_of(last or 0))
        # blank-padded char(10) users, no NULL, nothing after the as-of date, UPMT a valid time
        assert scalar(engine, f"SELECT min(octet_length({p}user)) FROM {qualified}") == 10
        assert scalar(engine, f"SELECT count(*) FROM {qualified} WHERE {p}upmj > 125181") == 0
        for (upmt,) in q(engine, f"SELECT DISTINCT {p}upmt FROM {qualified}"):
            from_hhmmss(upmt, strict=True)
    assert facts == TRANSACTION_FACTS
    # APCLRK1 keyed 3 vouchers on A-3, one minute apart
    assert q(
        engine,
        "SELECT rpupmt, rppid, rpdct FROM ps920dta.f0411 WHERE rpuser = 'APCLRK1' AND rpupmj = :d ORDER BY 1",
        d=jd(-3),
    ) == [(100000, "EP0411    ", "PV"), (100100, "EP0411    ", "PV"), (100200, "EP0411    ", "PV")]
    # rows without a date: 2 F0911 interface lines and 3 converted items (UPMJ 0 and UPMT 0)
    assert scalar(engine, "SELECT count(*) FROM ps920dta.f0911 WHERE glupmj = 0 AND glupmt = 0") == 2
    assert scalar(engine, "SELECT count(*) FROM ps920dta.f4101 WHERE imupmj = 0 AND imupmt = 0") == 3
    # LEAVER1 stops on its termination day; its F9312 sign-on at A-50 came after
    assert scalar(engine, "SELECT max(sdupmj) FROM ps920dta.f4211 WHERE sduser = 'LEAVER1'") == scalar(
        engine, "SELECT yadt FROM ps920dta.f060116 WHERE yaan8 = 1015"
    )
    # writers that are no profile: batch / interface / proxy accounts and a deleted user; JDE is one
    profiles = {r[0].strip() for r in q(engine, "SELECT uluser FROM sy920.f0092")}
    writers = {user for _table, user in facts}
    assert writers - profiles == UNKNOWN_WRITERS
    assert "JDE" in profiles and writers & set(FIXTURE_USERS) == writers - UNKNOWN_WRITERS
    # every fixture user who transacts does so on or before its last sign-on (JDE: scheduled batch)
    for (table, user), (_count, _first, last) in facts.items():
        if user in profiles and user != "JDE":
            signed_on = last_sign_on(engine, user)
            assert signed_on is not None and last <= day_of(signed_on), (table, user)
    # the order lines point at items of F4101; the approvals at vouchers of F0411
    for table, p in (("f4211", "sd"), ("f4311", "pd")):
        assert (
            scalar(
                engine,
                f"SELECT count(*) FROM ps920dta.{table} o WHERE NOT EXISTS "
                f"(SELECT 1 FROM ps920dta.f4101 i WHERE i.imitm = o.{p}itm AND i.imlitm = o.{p}litm)",
            )
            == 0
        )
    assert (
        scalar(
            engine,
            "SELECT count(*) FROM ps920dta.f5501001 a WHERE NOT EXISTS "
            "(SELECT 1 FROM ps920dta.f0411 v WHERE v.rpdoc = a.q1doc)",
        )
        == 0
    )
    # people linked to users: internal (E) employees, one terminated, and a non-E (system) account
    linked = dict(
        q(
            engine,
            "SELECT rtrim(u.uluser), rtrim(a.abat1) FROM sy920.f0092 u JOIN ps920dta.f0101 a ON a.aban8 = u.ulan8",
        )
    )
    assert linked["JDE"] == "X" and linked["AUDITOR1"] == "E"
    assert q(engine, "SELECT yapast, yadt FROM ps920dta.f060116 WHERE yaan8 = 1015") == [("T", jd(-60))]


def test_object_usage_fixtures(tiny: tuple[sa.Engine, GenerationSummary]) -> None:
    engine, _ = tiny
    facts = {
        tuple(r[:6]): (r[6], day_of(r[7]), day_of(r[8]))
        for r in q(
            engine,
            "SELECT rtrim(ouuser), rtrim(ouobnm), rtrim(oufmnm), rtrim(ouvers), rtrim(ourole), rtrim(ouenhv), "
            "count(*), min(ouupmj), max(ouupmj) FROM sy920.f98911 GROUP BY 1, 2, 3, 4, 5, 6",
        )
    }
    assert facts == USAGE_FACTS
    assert [
        r[0]
        for r in q(
            engine,
            "SELECT ouupmj FROM sy920.f98911 WHERE ouuser = 'AUDITOR1' AND ouobnm = 'P0411' "
            "AND oufmnm = 'W0411A' ORDER BY 1",
        )
    ] == [jd(-10), jd(-2)]
    checks = q(
        engine,
        """SELECT
             count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM ol920.f9860 x
                              WHERE x.siobnm = o.ouobnm AND x.sifuno = o.oufuno)),
             count(*) FILTER (WHERE (o.oufuno = 'APPL') <> (o.oufmnm <> '')),
             count(*) FILTER (WHERE o.oufmnm <> '' AND NOT EXISTS (SELECT 1 FROM ol920.f9865 x
                              WHERE x.swfmnm = o.oufmnm AND x.swobnm = o.ouobnm)),
             count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM pd920.f983051 x
                              WHERE x.vrpid = o.ouobnm AND x.vrvers = o.ouvers)),
             count(*) FILTER (WHERE o.ourole <> '*ALL' AND NOT EXISTS (SELECT 1 FROM sy920.f95921 r
                              WHERE r.rltorole = o.ouuser AND r.rlfrrole = o.ourole)),
             count(*) FILTER (WHERE o.ouuser <> 'EXUSER1' AND NOT EXISTS (SELECT 1 FROM sy920.f0093 e
                              WHERE e.lluser = o.ouuser AND e.llll = o.ouenhv)),
             count(*) FILTER (WHERE o.oupathcd <> substr(o.ouenhv, 2)),
             count(*) FILTER (WHERE o.ouupmj > 125181 OR o.ouupmj = 0)
           FROM sy920.f98911 o""",
    )
    assert checks == [(0, 0, 0, 0, 0, 0, 0, 0)]
    for (upmt,) in q(engine, "SELECT DISTINCT ouupmt FROM sy920.f98911"):
        from_hhmmss(upmt, strict=True)
    # a user unknown to F0092 (EXUSER1); users who never signed on have no usage; the others use
    # nothing after their last sign-on (JDE: scheduled batch)
    users = {key[0] for key in facts}
    profiles = {r[0].strip() for r in q(engine, "SELECT uluser FROM sy920.f0092")}
    assert users - profiles == {"EXUSER1"}
    assert not users & {"NEVERIN", "NOSIGNON", "NESTED1", "GHOSTED1"}
    for user in users & profiles - {"JDE"}:
        last = max(v[2] for k, v in facts.items() if k[0] == user)
        signed_on = last_sign_on(engine, user)
        assert signed_on is not None and last <= day_of(signed_on), user


# ------------------------------------------------------------ determinism, regeneration, safety


def test_same_seed_same_rows_other_seed_other_filler(pg_server: URL, tiny: tuple[sa.Engine, GenerationSummary]) -> None:
    engine, summary = tiny
    first = checksums(engine, summary)
    for seed, same in ((1, True), (2, False)):
        url = testing.create_database(pg_server, prefix="jdegen_seed")
        try:
            other = generate(url, "tiny", seed=seed, as_of=AS_OF)
            assert other.rows == summary.rows  # counts depend on the profile only
            other_engine = sa.create_engine(url)
            try:
                sums = checksums(other_engine, other)
            finally:
                other_engine.dispose()
            if same:
                assert sums == first
            else:
                # the named fixtures do not depend on the seed; the generated filler does
                for name in ("F0092", "F00926", "F95921", "F98OWSEC", "F00950", "F9001", *LICENCE_TABLES):
                    assert sums[name] == first[name], name
                for name in ("F9860", "F9865", "F983051", "F0005"):
                    assert sums[name] != first[name], name
        finally:
            testing.drop_database(url)


def test_demo_regenerates_identically_and_differs_by_seed(pg_server: URL) -> None:
    url = testing.create_database(pg_server, prefix="jdegen_demo")
    url2 = testing.create_database(pg_server, prefix="jdegen_demo")
    engine, engine2 = sa.create_engine(url), sa.create_engine(url2)
    try:
        first = generate(url, "demo", seed=1, as_of=AS_OF)
        assert first.rows == DEMO_ROWS
        sums = checksums(engine, first)
        again = generate(url, "demo", seed=1, as_of=AS_OF)  # replaces the generated tables
        assert again.rows == DEMO_ROWS and checksums(engine, again) == sums
        other = generate(url2, "demo", seed=2, as_of=AS_OF)
        assert other.rows == DEMO_ROWS
        other_sums = checksums(engine2, other)
        assert other_sums["F00950"] != sums["F00950"] and other_sums["F95921"] != sums["F95921"]
        assert other_sums["F0911"] != sums["F0911"] and other_sums["F98911"] != sums["F98911"]
        _check_demo_distributions(engine)
        _check_demo_licence(engine)
    finally:
        engine.dispose()
        engine2.dispose()
        testing.drop_database(url)
        testing.drop_database(url2)


def _check_demo_distributions(engine: sa.Engine) -> None:
    generated = "SELECT uluser FROM sy920.f0092 WHERE ulugrp = '' AND ulan8 >= 100000"
    per_user = [
        r[0]
        for r in q(
            engine,
            f"SELECT count(a.rlfrrole) FROM ({generated}) u LEFT JOIN sy920.f95921 a "
            "ON a.rltorole = u.uluser AND a.rlfrrole NOT LIKE 'DELETED%' GROUP BY u.uluser",
        )
    ]
    assert len(per_user) == 480 and max(per_user) == 5 and per_user.count(0) == 9
    assert 2.5 < sum(per_user) / len(per_user) < 3.5
    status = dict(
        q(
            engine,
            "SELECT CASE WHEN rleffdate > 125181 THEN 'future' WHEN rlexpirdate <> 0 AND "
            "rlexpirdate <= 125181 THEN 'expired' ELSE 'active' END, count(*) FROM sy920.f95921 "
            "GROUP BY 1",
        )
    )
    assert status["future"] > 10 and status["expired"] > 50 and status["active"] > 1000
    assert scalar(engine, "SELECT count(*) FROM sy920.f95921 WHERE rlexpirdate = 125181") > 3
    assert scalar(engine, "SELECT count(*) FROM sy920.f95921 WHERE rlcustom = '0'") > 30
    assert scalar(engine, "SELECT count(*) FROM sy920.f95921 a JOIN sy920.f00926 r ON r.auuser = a.rltorole") == 2 + 4
    assert (
        scalar(
            engine,
            "SELECT count(*) FROM sy920.f95921 a WHERE NOT EXISTS "
            "(SELECT 1 FROM sy920.f0092 p WHERE p.uluser = a.rlfrrole)",
        )
        == 1 + 2
    )
    levels = dict(
        q(
            engine,
            "SELECT CASE WHEN fsuser = '*PUBLIC' THEN 'PUBLIC' WHEN r.auuser IS NOT NULL THEN 'ROLE' "
            "ELSE 'USER' END, count(*) FROM sy920.f00950 f LEFT JOIN sy920.f00926 r "
            "ON r.auuser = f.fsuser GROUP BY 1",
        )
    )
    assert levels["ROLE"] > 5 * levels["USER"] and levels["PUBLIC"] > 40
    assert scalar(engine, "SELECT count(DISTINCT sisy) FROM ol920.f9860") == 30
    assert (
        scalar(
            engine,
            "SELECT count(*) FROM ps920ctl.f0005 f JOIN ps920ctl.f0004 t ON t.dtsy = f.drsy "
            "AND t.dtrt = f.drrt WHERE t.dtcnum = 'Y' AND f.drky NOT LIKE ' %'",
        )
        == 0
    )
    dormant = scalar(
        engine,
        "SELECT count(*) FROM sy920.f98owsec s WHERE sceuser = '01' AND coalesce((SELECT "
        "max(shupmj) FROM sy920.f9312 h WHERE h.shuser = s.scuser AND h.shevtyp = '01'), 0) "
        "< :d",
        d=jd(-90),
    )
    assert 40 < dormant < 150
    assert (
        scalar(
            engine,
            "SELECT count(*) FROM (SELECT ulan8 FROM sy920.f0092 WHERE ulan8 <> 0 GROUP BY 1 HAVING count(*) > 1) d",
        )
        == 1 + 4
    )
    leaves = scalar(
        engine,
        "SELECT count(*) FROM ps920ctl.f9000 t WHERE tmtasktype <> '07' AND EXISTS "
        "(SELECT 1 FROM ol920.f9860 o WHERE o.siobnm = t.tmobnm)",
    )
    assert leaves == scalar(engine, "SELECT count(*) FROM ps920ctl.f9000 WHERE tmtasktype <> '07'") == 19 + 450


def _check_demo_licence(engine: sa.Engine) -> None:
    """Generated transactions and usage: who, when, what (fixtures as in tiny on top)."""
    last_sign_on_sql = "(SELECT max(h.shupmj) FROM sy920.f9312 h WHERE h.shuser = {u} AND h.shevtyp = '01')"
    writers_by_table = {}
    for table in AUDITED_TABLES:
        qualified, p = audited(table)
        generated = DEMO_ROWS[table] - TINY_ROWS[table]
        row = q(
            engine,
            f"""SELECT count(DISTINCT t.{p}user),
                   count(*) FILTER (WHERE t.{p}upmj = 0),
                   count(*) FILTER (WHERE t.{p}upmj > 125181 OR (t.{p}upmj <> 0 AND t.{p}upmj < :first)),
                   count(*) FILTER (WHERE t.{p}upmj > {last_sign_on_sql.format(u=f"t.{p}user")}
                                    AND t.{p}user <> 'JDE'),
                   count(*) FILTER (WHERE e.yadt > 0 AND t.{p}upmj > e.yadt),
                   count(*) FILTER (WHERE u.uluser IS NULL)
                FROM {qualified} t
                LEFT JOIN sy920.f0092 u ON u.uluser = t.{p}user
                LEFT JOIN ps920dta.f060116 e ON e.yaan8 = u.ulan8""",
            first=jd(-399),
        )[0]
        users, no_date, out_of_window, after_sign_on, after_termination, unknown = row
        fixture_no_date = {"F0911": 2, "F4101": 3}.get(table, 0)
        assert no_date == fixture_no_date + generated // 1000, table  # every 1000th generated row
        assert (out_of_window, after_sign_on, after_termination) == (0, 0, 0), table
        assert users > 50 and 0.04 * generated < unknown < 0.2 * generated, (table, users, unknown)
        writers_by_table[table] = {r[0].strip() for r in q(engine, f"SELECT DISTINCT {p}user FROM {qualified}")}
    # a generated user has one job: sales users order, buyers buy; only the fixture MULTI1 does both
    assert writers_by_table["F4211"] & writers_by_table["F4311"] == {"MULTI1"}
    checks = q(
        engine,
        f"""SELECT count(DISTINCT o.ouuser), count(DISTINCT o.ouobnm),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM ol920.f9860 x
                                WHERE x.siobnm = o.ouobnm AND x.sifuno = o.oufuno)),
               count(*) FILTER (WHERE o.oufmnm <> '' AND NOT EXISTS (SELECT 1 FROM ol920.f9865 x
                                WHERE x.swfmnm = o.oufmnm AND x.swobnm = o.ouobnm)),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM pd920.f983051 x
                                WHERE x.vrpid = o.ouobnm AND x.vrvers = o.ouvers)),
               count(*) FILTER (WHERE o.ourole <> '*ALL' AND NOT EXISTS (SELECT 1 FROM sy920.f95921 r
                                WHERE r.rltorole = o.ouuser AND r.rlfrrole = o.ourole)),
               count(*) FILTER (WHERE rtrim(o.ouuser) NOT LIKE 'EXUSER_' AND NOT EXISTS (SELECT 1 FROM sy920.f0093 e
                                WHERE e.lluser = o.ouuser AND e.llll = o.ouenhv)),
               count(*) FILTER (WHERE o.ouupmj > {last_sign_on_sql.format(u="o.ouuser")} AND o.ouuser <> 'JDE'),
               count(*) FILTER (WHERE o.ouupmj > 125181 OR o.ouupmj < :first),
               count(*) FILTER (WHERE rtrim(o.ouuser) LIKE 'EXUSER_'),
               count(*) FILTER (WHERE o.ourole <> '*ALL'),
               count(*) FILTER (WHERE o.ouenhv = 'JPY920')
            FROM sy920.f98911 o""",
        first=jd(-399),
    )[0]
    users, objects, *bad, exusers, with_role, prototype = checks
    assert users > 400 and objects > 3000 and bad == [0] * 7, checks
    assert exusers > 300 and with_role > 5000 and prototype > 1000, checks
    # inquiry-only users (job ANALYS) use JDE but write no transaction table
    readers = scalar(
        engine,
        "SELECT count(DISTINCT o.ouuser) FROM sy920.f98911 o JOIN sy920.f0092 u ON u.uluser = o.ouuser "
        "WHERE u.ulan8 >= 100000 AND NOT EXISTS (SELECT 1 FROM ps920dta.f0411 t WHERE t.rpuser = o.ouuser) "
        "AND NOT EXISTS (SELECT 1 FROM ps920dta.f0911 t WHERE t.gluser = o.ouuser) "
        "AND NOT EXISTS (SELECT 1 FROM ps920dta.f4211 t WHERE t.sduser = o.ouuser) "
        "AND NOT EXISTS (SELECT 1 FROM ps920dta.f4311 t WHERE t.pduser = o.ouuser) "
        "AND NOT EXISTS (SELECT 1 FROM ps920dta.f4101 t WHERE t.imuser = o.ouuser)",
    )
    assert readers > 30


def test_licence_fallback_without_generated_users(pg_url: URL) -> None:
    """Generated licence rows keep their exact counts when no generated user can write them."""
    lone = Profile(name="lone", description="objects only", users=0, roles=0, objects=10,
                   activity_rows=2000, usage_rows=100)  # fmt: skip
    summary = generate(pg_url, lone, seed=3, as_of=AS_OF)
    assert summary.rows["F0911"] == TINY_ROWS["F0911"] + 700 and summary.rows["F98911"] == TINY_ROWS["F98911"] + 100
    assert summary.rows["F4101"] == TINY_ROWS["F4101"] + 60 and summary.rows["F559999"] == 25 + 100
    engine = sa.create_engine(pg_url)
    try:
        writers = {r[0].strip() for r in q(engine, "SELECT DISTINCT gluser FROM ps920dta.f0911 WHERE gldoc > 100000")}
        assert writers == {"JDE", "BATCHSVC", "INTERFACE", "EXUSER1"}
        users = {r[0].strip() for r in q(engine, "SELECT DISTINCT ouuser FROM sy920.f98911")}
        assert {"JDE", "EXUSER1", "EXUSER2"} <= users
    finally:
        engine.dispose()


def test_refuses_tables_it_did_not_create(pg_url: URL) -> None:
    engine = sa.create_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE SCHEMA sy920")
            conn.exec_driver_sql("CREATE TABLE sy920.f0092 (uluser char(10))")
            conn.exec_driver_sql("INSERT INTO sy920.f0092 VALUES ('REALUSER')")
        with pytest.raises(ConfigurationError, match=r"Refusing to replace sy920\.f0092: .*Nothing was changed"):
            generate(pg_url, "tiny", as_of=AS_OF)
        assert scalar(engine, "SELECT uluser FROM sy920.f0092") == "REALUSER  "
        assert scalar(engine, "SELECT count(*) FROM pg_namespace WHERE nspname = 'ol920'") == 0
    finally:
        engine.dispose()


def test_replaces_only_its_tables(pg_url: URL, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture) -> None:
    engine = sa.create_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE SCHEMA other")
            conn.exec_driver_sql("CREATE TABLE other.keep_me (x int)")
            conn.exec_driver_sql("CREATE SCHEMA sy920")
            conn.exec_driver_sql("CREATE TABLE sy920.f0000 (x int)")  # a site table next to ours
        logger = logging.getLogger("test.jdegen")
        with caplog.at_level(logging.INFO, logger="test.jdegen"):
            generate(pg_url, "tiny", seed=3, as_of=AS_OF, log=logger)
            generate(pg_url, "tiny", seed=4, as_of=AS_OF, log=logger)
        assert capsys.readouterr().out == ""
        messages = [r.getMessage() for r in caplog.records]
        assert any(m.startswith("F00950 (sy920.f00950): 48 rows in") and "rows/s" in m for m in messages)
        assert scalar(engine, "SELECT count(*) FROM other.keep_me") == 0
        assert scalar(engine, "SELECT count(*) FROM sy920.f0000") == 0
        comment = scalar(engine, "SELECT obj_description('sy920.f0092'::regclass, 'pg_class')")
        assert "seed=4" in comment
        # a view on a generated table blocks the replacement with a clear error, data intact
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE VIEW other.users AS SELECT uluser FROM sy920.f0092")
        with pytest.raises(ConfigurationError, match=r"sy920\.f0092.*depend"):
            generate(pg_url, "tiny", seed=5, as_of=AS_OF)
        assert "seed=4" in scalar(engine, "SELECT obj_description('sy920.f0092'::regclass, 'pg_class')")
        assert scalar(engine, "SELECT count(*) FROM other.users") == 28
    finally:
        engine.dispose()
