"""What every report writes with: cells, CSV, HTML and XLSX tables, the scope block, file names and
the atomic publish. A report module (:mod:`.sod`, later licence, directory, database, audit) builds
its scope and its row iterables and hands them here with column specs; nothing here knows a report.

- **csv**: the scope block as leading ``# key: value`` lines, a header row of column keys, then the
  rows (any iterable: a server-side cursor streams). A text cell a spreadsheet would run as a
  formula (leading ``=``, ``+``, ``-``, ``@``, tab or carriage return) is prefixed with ``'``,
  numbers are kept as numbers, and every text cell is quoted so that a ``;`` separator cannot
  split one (:func:`csv_cell`);
- **html**: one self-contained page (inline CSS, no script, no external asset), every value
  escaped (:class:`HtmlPage`);
- **xlsx**: a write-only workbook whose text cells are always text, never formulas (:class:`XlsxBook`).

A file is written to a temporary file next to its target, then renamed (:func:`publish`): a reader
never sees half a report, and an existing file is replaced only when asked (``force``).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, TypeAlias

from airflow_provider_nomasx1.errors import ConfigurationError

#: the formats every report is written in
FORMATS = ("csv", "xlsx", "html")
#: the file name endings each format accepts (case-insensitive)
EXTENSIONS = {"csv": (".csv",), "xlsx": (".xlsx",), "html": (".html", ".htm")}

#: a table's columns: (key = CSV header, label = HTML/XLSX heading)
Columns: TypeAlias = tuple[tuple[str, str], ...]
#: the scope block: (key = CSV ``# key:``, label = HTML/XLSX heading, value)
Scope: TypeAlias = list[tuple[str, str, Any]]


# --------------------------------------------------------------------------------------------------
# cells
# --------------------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A value as report text: None is empty, a boolean yes / no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


#: a cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice, Sheets
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: in a scope line, a new spreadsheet cell starts after a separator (``,`` or a locale's ``;``),
#: possibly quoted: the same neutralisation applies there
_SCOPE_CELL_FORMULA = re.compile(r"""([,;]\s*"*)(?=[=+\-@])""")
_APOSTROPHE = r"\1'"
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs: numbers stay numbers (a negative score stays -5),
    text starting like a formula gets a leading apostrophe, which spreadsheets show as text."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = cell_text(value)
    return "'" + text if text.startswith(FORMULA_START) else text


# --------------------------------------------------------------------------------------------------
# csv
# --------------------------------------------------------------------------------------------------


def scope_line(key: str, value: Any) -> str:
    """``# key: value`` on one line; a separator inside the value cannot start a formula cell."""
    text = " ".join(cell_text(value).split())  # no tab, carriage return or newline left
    return f"# {key}: {_SCOPE_CELL_FORMULA.sub(_APOSTROPHE, text)}\n"


def write_csv(out: IO[str], scope: Scope, columns: Columns, rows: Iterable[tuple]) -> int:
    """Scope as ``# key: value`` lines, then the header and the rows; returns the rows written."""
    for key, _label, value in scope:
        out.write(scope_line(key, value))
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([key for key, _ in columns])
    count = 0
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
        count += 1
    return count


# --------------------------------------------------------------------------------------------------
# html
# --------------------------------------------------------------------------------------------------

CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em; color: #1d232a; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccd; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ccd; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
thead th { background: #e8ecf2; position: sticky; top: 0; }
tbody tr:nth-child(even) { background: #f6f8fb; }
table.scope th { background: #f0f2f6; font-weight: 600; }
.result { font-size: 1.1em; font-weight: 600; } .none { color: #2e7d32; } .some { color: #b23c17; }
td.no-wrap { white-space: nowrap; } .note { color: #556; font-size: 0.85em; }
"""


class HtmlPage:
    """A self-contained HTML page written in order: :meth:`open`, sections, :meth:`close`."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def open(self, title: str) -> None:
        e = html.escape
        self.out.write('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')
        self.out.write(f"<title>{e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{e(title)}</h1>\n")

    def result(self, text: str, found: bool) -> None:
        """The headline result: red when the report ``found`` something, green when not."""
        css = "some" if found else "none"
        self.out.write(f'<p class="result {css}">Result: {html.escape(text)}</p>\n')

    def heading(self, anchor: str, text: str, note: str | None = None) -> None:
        """A section heading (``anchor`` its id), with an optional note under it."""
        self.out.write(f'<h2 id="{html.escape(anchor)}">{html.escape(text, quote=False)}</h2>\n')
        if note:
            self.out.write(f'<p class="note">{html.escape(note, quote=False)}</p>\n')

    def scope(self, scope: Scope) -> None:
        """The scope block: one label / value row per item."""
        e = html.escape
        self.heading("scope", "Scope")
        self.out.write('<table class="scope"><tbody>\n')
        for _key, label, value in scope:
            self.out.write(f"<tr><th>{e(label)}</th><td>{e(cell_text(value))}</td></tr>\n")
        self.out.write("</tbody></table>\n")

    def table(self, columns: Columns, rows: Iterable[tuple], empty: str) -> int:
        """A table of ``rows`` under the column labels (``empty`` when there is none); returns the rows."""
        e = html.escape
        out = self.out
        out.write("<table><thead><tr>")
        out.write("".join(f"<th>{e(label)}</th>" for _, label in columns))
        out.write("</tr></thead><tbody>\n")
        count = 0
        for row in rows:
            out.write("<tr>" + "".join(f"<td>{e(cell_text(v))}</td>" for v in row) + "</tr>\n")
            count += 1
        if count == 0:
            out.write(f'<tr><td colspan="{len(columns)}">{e(empty)}</td></tr>\n')
        out.write("</tbody></table>\n")
        return count

    def close(self) -> None:
        self.out.write("</body>\n</html>\n")


# --------------------------------------------------------------------------------------------------
# xlsx
# --------------------------------------------------------------------------------------------------


class XlsxBook:
    """A write-only workbook (rows streamed to disk): sheets of rows, text cells never formulas."""

    def __init__(self) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        self.workbook = Workbook(write_only=True)
        self._bold = Font(bold=True)

    def sheet(self, title: str, freeze_header: bool = False) -> Any:
        sheet = self.workbook.create_sheet(title)
        if freeze_header:
            sheet.freeze_panes = "A2"
        return sheet

    def row(self, sheet: Any, values: Iterable[Any], header: bool = False) -> None:
        """Append one row: text stays text (illegal XML characters dropped), dates as ISO text."""
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for value in values:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=_ILLEGAL_XML.sub("", value))
                cell.data_type = "s"  # text stays text: never a formula
            elif isinstance(value, (dt.date, dt.datetime)):
                cell = WriteOnlyCell(sheet, value=value.isoformat())
            else:
                cell = WriteOnlyCell(sheet, value=value)
            if header:
                cell.font = self._bold
            cells.append(cell)
        sheet.append(cells)

    def blank_row(self, sheet: Any) -> None:
        sheet.append([])

    def scope(self, scope: Scope, title: str = "Scope") -> None:
        """The scope block as its own sheet: Item / Value, integers kept as numbers."""
        sheet = self.sheet(title)
        sheet.column_dimensions["A"].width = 42
        sheet.column_dimensions["B"].width = 60
        self.row(sheet, ["Item", "Value"], header=True)
        for _key, label, value in scope:
            self.row(sheet, [label, value if isinstance(value, int) else cell_text(value)])

    def table(self, sheet: Any, columns: Columns, rows: Iterable[tuple], empty: str) -> int:
        """The column labels (bold), then ``rows`` (``empty`` when there is none); returns the rows."""
        self.row(sheet, [label for _, label in columns], header=True)
        count = 0
        for row in rows:
            self.row(sheet, row)
            count += 1
        if count == 0:
            self.row(sheet, [empty])
        return count

    def save(self, path: Path) -> None:
        self.workbook.save(path)


# --------------------------------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------------------------------


def default_filename(report: str, apps_id: int, fmt: str, today: dt.date | None = None) -> str:
    """``<report>-report-<apps_id>-<date>.<fmt>``, e.g. ``sod-report-10-2026-11-28.html``."""
    return f"{report}-report-{apps_id}-{(today or dt.date.today()).isoformat()}.{fmt}"


def resolve_output(output: str | os.PathLike[str] | None, fmt: str, default_name: str) -> Path:
    """No output or a folder: ``<folder>/<default_name>``; else the path as given, which must end
    with the format's extension: HTML written into ``x.csv`` (or a CSV into a file a spreadsheet
    opens as HTML) would mislead whoever opens it."""
    path = Path(output).expanduser() if output else Path.cwd()
    if path.is_dir():
        path = path / default_name
    if not path.parent.is_dir():
        raise ConfigurationError(f"cannot write {path}: the folder {path.parent} does not exist; create it first")
    endings = EXTENSIONS.get(fmt, (f".{fmt}",))
    if not path.name.lower().endswith(endings):
        formats = [f for f, ends in EXTENSIONS.items() if path.name.lower().endswith(ends)]
        other = f", or give --format {formats[0]}" if formats else ""
        raise ConfigurationError(
            f"{path} does not end with {endings[0]} but the report format is {fmt}: name the file "
            f"{path.stem if path.suffix else path.name}{endings[0]}{other}; nothing was written"
        )
    return path


def write_text(path: Path, write: Callable[[IO[str]], int]) -> int:
    """Run ``write`` on ``path`` opened as UTF-8 text (newlines untranslated), flushed to disk."""
    with path.open("w", encoding="utf-8", newline="") as out:
        rows = write(out)
        out.flush()
        os.fsync(out.fileno())
    return rows


def formatted(
    fmt: str,
    report: Any,
    write_csv: Callable[[Any, IO[str]], int],
    write_html: Callable[[Any, IO[str]], int],
    write_xlsx: Callable[[Any, Path], int],
) -> Callable[[Path], int]:
    """What :func:`publish` calls to write ``report`` in ``fmt`` into its temporary file: the
    report's xlsx writer, or its csv / html writer on a text file."""

    def write(temp: Path) -> int:
        if fmt == "xlsx":
            return write_xlsx(report, temp)
        text_writer = write_csv if fmt == "csv" else write_html
        return write_text(temp, lambda out: text_writer(report, out))

    return write


def publish(path: Path, write: Callable[[Path], int], *, force: bool = False) -> int:
    """Write a file at ``path`` atomically: ``write`` fills a temporary file beside it (and returns
    its rows), which then replaces ``path`` (``force``) or takes its place only if it still does
    not exist. Nothing is left behind on failure."""
    if path.exists() and not force:
        raise ConfigurationError(f"{path} already exists: give another --output, or add --force to replace it")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot write {path}: the folder {path.parent} refuses new files ({exc.strerror or exc}); "
            "give an --output in a folder you can write to"
        ) from None
    os.close(handle)
    temp = Path(temp_name)
    try:
        rows = write(temp)
        os.chmod(temp, 0o644)
        if force:
            os.replace(temp, path)
        else:
            _publish_new(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return rows


def _publish_new(temp: Path, path: Path) -> None:
    """Move ``temp`` to ``path`` only if ``path`` does not exist (hard link, else exclusive check)."""
    try:
        os.link(temp, path)  # fails if the file appeared meanwhile: never overwrite silently
    except FileExistsError:
        raise ConfigurationError(
            f"{path} already exists: give another --output, or add --force to replace it"
        ) from None
    except OSError:  # no hard links on this file system
        if path.exists():
            raise ConfigurationError(
                f"{path} already exists: give another --output, or add --force to replace it"
            ) from None
        os.replace(temp, path)
        return
    temp.unlink()


def publish_folder(
    path: Path, write: Callable[[Path], int], *, force: bool, is_ours: Callable[[Path], bool], what: str
) -> int:
    """Write a folder at ``path`` all or nothing: ``write`` fills a temporary folder beside it (and
    returns its count), which is then renamed to ``path``. With ``force`` an earlier folder of the
    same report there (``is_ours``; ``what`` names it) is replaced, never another folder; nothing is
    left behind on failure."""
    if path.exists():
        if not force:
            raise ConfigurationError(f"{path} already exists: give another --output, or add --force to replace it")
        if not is_ours(path):
            raise ConfigurationError(
                f"{path} exists and is not {what}: --force replaces only an earlier one (a folder this command "
                "wrote); give another --output"
            )
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent))
    except OSError as exc:
        raise ConfigurationError(
            f"cannot write {path}: the folder {path.parent} refuses new files ({exc.strerror or exc}); "
            "give an --output in a folder you can write to"
        ) from None
    try:
        count = write(staging)
        os.chmod(staging, 0o755)
        _swap_in(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count


def _swap_in(staging: Path, path: Path) -> None:
    """Rename ``staging`` to ``path``; an earlier export is moved aside first and removed after."""
    if not path.exists():
        try:
            os.rename(staging, path)
        except OSError:  # it appeared meanwhile, not empty: never merge into it
            raise ConfigurationError(
                f"{path} already exists: give another --output, or add --force to replace it"
            ) from None
        return
    old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
    os.rename(path, old / path.name)
    try:
        os.rename(staging, path)
    except BaseException:
        os.rename(old / path.name, path)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def left_out(shown: int, total: int, where: str, use: str) -> str:
    """The note under a capped table: how many rows were left out of this ``where`` and what to ``use``."""
    return f"{total - shown:,} more row(s) left out of this {where} (the first {shown:,} of {total:,} shown): {use}"
