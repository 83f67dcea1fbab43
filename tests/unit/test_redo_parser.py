"""The SQL_REDO / SQL_UNDO parser on a corpus of the shapes LogMiner writes (oracle/redo.py)."""

from __future__ import annotations

import pytest

from airflow_provider_nomasx1.oracle.redo import RedoParseError, parse

CORPUS = [
    pytest.param(
        """insert into "PRODDTA"."F0101"("ABAN8","ABALPH","ABUSER") values ('1001','O''Brien & Sons','JDE');""",
        ("INSERT", "PRODDTA", "F0101", (("ABAN8", "1001"), ("ABALPH", "O'Brien & Sons"), ("ABUSER", "JDE")), ()),
        id="insert-doubled-quote",
    ),
    pytest.param(
        """insert into "PRODDTA"."F4301"("PHDOCO","PHTRDJ","PHCRTM","PHRAW","PHAMT","PHNOTE") values """
        """(4711,TO_DATE('2026-12-05 10:11:12', 'YYYY-MM-DD HH24:MI:SS'),"""
        """TO_TIMESTAMP('2026-12-05 10:11:12.123456'),HEXTORAW('0aff'),-12.50,NULL);""",
        (
            "INSERT",
            "PRODDTA",
            "F4301",
            (
                ("PHDOCO", "4711"),
                ("PHTRDJ", "2026-12-05 10:11:12"),
                ("PHCRTM", "2026-12-05 10:11:12.123456"),
                ("PHRAW", "0aff"),
                ("PHAMT", "-12.50"),
                ("PHNOTE", None),
            ),
            (),
        ),
        id="insert-conversions-and-null",
    ),
    pytest.param(
        """update "PRODDTA"."F0101" set "ABALPH" = 'Smith', "ABUSER" = 'JDOE' where "ABAN8" = '1001' and """
        """"ABALPH" = 'Jones' and "ABUPMT" IS NULL and ROWID = 'AAASt5AAEAAAACXAAA';""",
        (
            "UPDATE",
            "PRODDTA",
            "F0101",
            (("ABALPH", "Smith"), ("ABUSER", "JDOE")),
            (("ABAN8", "1001"), ("ABALPH", "Jones"), ("ABUPMT", None)),
        ),
        id="update-is-null-rowid",
    ),
    pytest.param(
        """delete from "PRODDTA"."F0101" where "ABAN8" = '1001' and "ABALPH" = 'a ''quoted'' name';""",
        ("DELETE", "PRODDTA", "F0101", (), (("ABAN8", "1001"), ("ABALPH", "a 'quoted' name"))),
        id="delete-no-rowid",
    ),
    pytest.param(
        """insert into "JDE ""ODD"" OWNER"."F0101 X"("A""B") values ('x');""",
        ("INSERT", 'JDE "ODD" OWNER', "F0101 X", (('A"B', "x"),), ()),
        id="quoted-identifiers-with-doubled-quotes",
    ),
    pytest.param(
        """insert into "PRODDTA"."F00165"("GDTXFT","GDGTFILENM","GDLOB") values """
        """(EMPTY_CLOB(),UNISTR('\\00e9t\\00e9'),EMPTY_BLOB())""",
        ("INSERT", "PRODDTA", "F00165", (("GDTXFT", ""), ("GDGTFILENM", "\\00e9t\\00e9"), ("GDLOB", "")), ()),
        id="lob-locators-unistr-no-semicolon",
    ),
    pytest.param(
        """update "PRODDTA"."F0101" set "ABALPH" = NULL where "ABAN8" = '7' and "ABALPH" = 'x;y'""",
        ("UPDATE", "PRODDTA", "F0101", (("ABALPH", None),), (("ABAN8", "7"), ("ABALPH", "x;y"))),
        id="update-to-null-semicolon-in-value",
    ),
    pytest.param(
        """insert into "PRODDTA"."F0101"("ABAN8","ABRMK") values ('1',TO_DATE('05-DEC-26', 'DD-MON-RR'));""",
        ("INSERT", "PRODDTA", "F0101", (("ABAN8", "1"), ("ABRMK", "05-DEC-26")), ()),
        id="to-date-other-format",
    ),
    pytest.param(
        """insert into "PRODDTA"."F0101"("ABAN8","ABIV") values ('1',TO_YMINTERVAL('+01-00'));""",
        ("INSERT", "PRODDTA", "F0101", (("ABAN8", "1"), ("ABIV", "+01-00")), ()),
        id="interval",
    ),
    pytest.param(
        """insert into F0101(ABAN8, abalph) values ('1', 'lower')""",
        ("INSERT", "", "F0101", (("ABAN8", "1"), ("ABALPH", "lower")), ()),
        id="unquoted-names-fold-to-upper",
    ),
]


@pytest.mark.parametrize(("sql", "expected"), CORPUS)
def test_the_parser_reads_each_redo_shape(sql: str, expected: tuple) -> None:
    statement = parse(sql)
    assert statement is not None
    got = (statement.operation, statement.owner, statement.table, statement.assigned, statement.condition)
    assert got == expected


def test_a_very_long_value_is_read_whole() -> None:
    long_text = "x'" * 30_000  # 60,000 characters, every other one a quote (doubled in the redo)
    sql = f"""insert into "PRODDTA"."F00165"("GDTXFT") values ('{long_text.replace("'", "''")}');"""
    statement = parse(sql)
    assert statement is not None
    assert statement.assigned == (("GDTXFT", long_text),)


def test_a_wide_row_keeps_every_column_in_order() -> None:
    columns = [f"AB{i:04d}" for i in range(400)]
    sql = (
        'insert into "PRODDTA"."F0101"('
        + ",".join(f'"{c}"' for c in columns)
        + ") values ("
        + ",".join(f"'{i}'" for i in range(400))
        + ");"
    )
    statement = parse(sql)
    assert statement is not None
    assert [c for c, _ in statement.assigned] == columns
    assert statement.assigned[399] == ("AB0399", "399")


@pytest.mark.parametrize("sql", ["Unsupported", "  unsupported ", "", None])
def test_unsupported_and_empty_rows_parse_to_none(sql: str | None) -> None:
    assert parse(sql) is None


@pytest.mark.parametrize(
    ("sql", "says"),
    [
        ("""insert into "A"."B"("X","Y") values ('1');""", "2 columns but 1 values"),
        ("""update "A"."B" set "X" = '1' where "Y" = '2' or "Z" = '3';""", "unexpected 'or'"),
        ("""merge into "A"."B" using dual""", "unexpected 'MERGE'"),
        ("""delete from "A"."B" where "X" = 'unterminated""", "unreadable text"),
        ("""insert into "A"."B"("X") values (""", "ends early"),
        ("""update "A"."B" set "X" = SYSDATE;""", "unexpected word 'SYSDATE'"),
    ],
)
def test_text_that_is_not_a_redo_statement_is_refused_with_what_and_where(sql: str, says: str) -> None:
    with pytest.raises(RedoParseError) as info:
        parse(sql)
    assert says in str(info.value)
    assert sql[:20] in str(info.value)
