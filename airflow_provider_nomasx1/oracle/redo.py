"""LogMiner's SQL_REDO / SQL_UNDO text parsed into column values.

LogMiner rebuilds each change as a statement (Oracle "Using LogMiner", V$LOGMNR_CONTENTS):

    insert into "PRODDTA"."F0101"("ABAN8","ABALPH") values ('1001','O''Brien');
    update "PRODDTA"."F0101" set "ABALPH" = 'Smith' where "ABAN8" = '1001' and "ABALPH" = 'Jones';
    delete from "PRODDTA"."F0101" where "ABAN8" = '1001' and "ABUPMJ" IS NULL and ROWID = 'AAAS...';

Numbers come quoted like strings, dates as ``TO_DATE('…', 'fmt')`` (in the session's NLS
format, which the miner fixes), raw as ``HEXTORAW('…')``, NULL as ``NULL`` or ``IS NULL``, a
statement longer than a row continues on the next (CSF = 1; the caller joins them first). A
change LogMiner could not rebuild reads ``Unsupported``: :func:`parse` returns None for it and the
caller keeps the row, flagged. Values stay text (the literal as written, the function's first
argument for a conversion): the audit trail shows what was written, typed columns are the
business of whoever reads it.

Hand-written on a single regular expression scan, because a capture parses every change of every
window (bench/audit_trail.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Values = tuple[tuple[str, str | None], ...]

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<ident>"(?:[^"]|"")*")
    | (?P<string>'(?:[^']|'')*')
    | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
    | (?P<word>[A-Za-z_][A-Za-z0-9_$#]*)
    | (?P<punct>[(),.=;])
    )""",
    re.VERBOSE,
)
_UNSUPPORTED = re.compile(r"^\s*unsupported\b", re.IGNORECASE)


class RedoParseError(ValueError):
    """The text is not a statement LogMiner writes (the row is kept, flagged, unparsed)."""


@dataclass(frozen=True, slots=True)
class RedoStatement:
    """One rebuilt DML statement: what it assigns (INSERT values, UPDATE set) and what its WHERE
    clause names (UPDATE / DELETE: the row's old values of the logged columns; ROWID left out)."""

    operation: str
    owner: str
    table: str
    assigned: Values = ()
    condition: Values = ()


def parse(sql: str | None) -> RedoStatement | None:
    """The statement in ``sql``; None for an ``Unsupported`` (or empty) row.

    :raises RedoParseError: text that is neither (quoted in the message, cut to 200 characters).
    """
    if sql is None or not sql.strip() or _UNSUPPORTED.match(sql):
        return None
    try:
        return _Parser(sql).statement()
    except IndexError:
        raise RedoParseError(f"not a LogMiner DML statement (ends early): {_shown(sql)}") from None
    except RedoParseError as exc:
        raise RedoParseError(f"not a LogMiner DML statement ({exc}): {_shown(sql)}") from None


def _shown(sql: str) -> str:
    return repr(sql if len(sql) <= 200 else sql[:200] + "…")


class _Parser:
    def __init__(self, sql: str) -> None:
        self.tokens = _tokens(sql)
        self.at = 0

    # -- statements --------------------------------------------------------------------------------

    def statement(self) -> RedoStatement:
        verb = self._word()
        if verb == "INSERT":
            self._expect_word("INTO")
            owner, table = self._object()
            columns = self._column_list()
            self._expect_word("VALUES")
            values = self._value_list()
            if len(columns) != len(values):
                raise RedoParseError(f"{len(columns)} columns but {len(values)} values")
            self._end()
            return RedoStatement("INSERT", owner, table, assigned=tuple(zip(columns, values, strict=True)))
        if verb == "UPDATE":
            owner, table = self._object()
            self._expect_word("SET")
            assigned = self._assignments()
            condition = self._where()
            return RedoStatement("UPDATE", owner, table, assigned=assigned, condition=condition)
        if verb == "DELETE":
            self._expect_word("FROM")
            owner, table = self._object()
            return RedoStatement("DELETE", owner, table, condition=self._where())
        raise RedoParseError(f"unexpected {verb!r}")

    def _object(self) -> tuple[str, str]:
        first = self._identifier()
        if self._peek() == ("punct", "."):
            self.at += 1
            return first, self._identifier()
        return "", first

    def _column_list(self) -> list[str]:
        self._expect("punct", "(")
        columns = [self._identifier()]
        while self._take_punct(","):
            columns.append(self._identifier())
        self._expect("punct", ")")
        return columns

    def _value_list(self) -> list[str | None]:
        self._expect("punct", "(")
        values = [self._value()]
        while self._take_punct(","):
            values.append(self._value())
        self._expect("punct", ")")
        return values

    def _assignments(self) -> Values:
        pairs = [self._assignment()]
        while self._take_punct(","):
            pairs.append(self._assignment())
        return tuple(pairs)

    def _assignment(self) -> tuple[str, str | None]:
        column = self._identifier()
        self._expect("punct", "=")
        return column, self._value()

    def _where(self) -> Values:
        if self._at_end():
            return ()
        self._expect_word("WHERE")
        pairs: list[tuple[str, str | None]] = []
        while True:
            kind, text = self._peek()
            if kind == "word" and text.upper() == "ROWID":  # the row's address, not a column
                self.at += 1
                self._expect("punct", "=")
                self._value()
            else:
                column = self._identifier()
                if self._take_word("IS"):
                    self._expect_word("NULL")
                    pairs.append((column, None))
                else:
                    self._expect("punct", "=")
                    pairs.append((column, self._value()))
            if not self._take_word("AND"):
                break
        self._end()
        return tuple(pairs)

    # -- values ------------------------------------------------------------------------------------

    def _value(self) -> str | None:
        kind, text = self._next()
        if kind == "string":
            return _unquote(text, "'")
        if kind == "number":
            return text
        if kind == "word":
            upper = text.upper()
            if upper == "NULL":
                return None
            if self._take_punct("("):  # TO_DATE('…', 'fmt'), HEXTORAW('…'), EMPTY_CLOB(), UNISTR('…')
                return self._call_rest()
            raise RedoParseError(f"unexpected word {text!r} as a value")
        raise RedoParseError(f"unexpected {text!r} as a value")

    def _call_rest(self) -> str | None:
        """The first argument of a conversion call (the literal as written), after its '('."""
        if self._take_punct(")"):
            return ""  # EMPTY_CLOB(), EMPTY_BLOB()
        first = self._value()
        while self._take_punct(","):
            self._value()
        self._expect("punct", ")")
        return first

    # -- tokens ------------------------------------------------------------------------------------

    def _identifier(self) -> str:
        kind, text = self._next()
        if kind == "ident":
            return _unquote(text, '"')
        if kind == "word":
            return text.upper()
        raise RedoParseError(f"expected a name, found {text!r}")

    def _word(self) -> str:
        kind, text = self._next()
        if kind != "word":
            raise RedoParseError(f"expected a keyword, found {text!r}")
        return text.upper()

    def _expect_word(self, word: str) -> None:
        if self._word() != word:
            raise RedoParseError(f"expected {word}")

    def _take_word(self, word: str) -> bool:
        kind, text = self._peek()
        if kind == "word" and text.upper() == word:
            self.at += 1
            return True
        return False

    def _expect(self, kind: str, text: str) -> None:
        got = self._next()
        if got != (kind, text):
            raise RedoParseError(f"expected {text!r}, found {got[1]!r}")

    def _take_punct(self, text: str) -> bool:
        if self._peek() == ("punct", text):
            self.at += 1
            return True
        return False

    def _peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def _next(self) -> tuple[str, str]:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def _at_end(self) -> bool:
        return self.at >= len(self.tokens) or self.tokens[self.at] == ("punct", ";")

    def _end(self) -> None:
        self._take_punct(";")
        if self.at != len(self.tokens):
            raise RedoParseError(f"unexpected {self.tokens[self.at][1]!r} after the statement")


def _tokens(sql: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    for match in _TOKEN.finditer(sql):
        if match.start() != position:
            break
        kind = match.lastgroup or ""
        tokens.append((kind, match[kind]))
        position = match.end()
    if sql[position:].strip():
        raise RedoParseError(f"unreadable text at character {position + 1}")
    return tokens


def _unquote(text: str, quote: str) -> str:
    return text[1:-1].replace(quote * 2, quote)
