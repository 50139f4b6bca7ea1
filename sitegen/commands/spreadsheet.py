"""The recipients' spreadsheet as Excel writes it: a CSV in UTF-8 (with or without BOM) or Shift_JIS (cp932, Excel's
"CSV (カンマ区切り)" on Japanese Windows), or an .xlsx workbook read with openpyxl.

Both give the same table: the header row's names, then each row's cells under them, each with where it is (the
CSV's physical line, or the sheet's row), so that every message names the place the user can find. Shape problems
(too few or too many values, a quote never closed) are returned, not raised, so that one run reports them all.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils.exceptions import InvalidFileException

from sitegen.diagnostics import Diagnostic, Location, SitegenError
from sitegen.messages import _, ngettext

Cell = str | date  # text, or a date an .xlsx cell holds as a date
CODE = "csv.invalid-row"


def save_as_advice() -> str:
    """How to make a file sitegen reads, in Excel's own words (its menus are translated with it)."""
    return _(
        "In Excel choose File › Save As and the file type 'CSV UTF-8 (Comma delimited) (*.csv)' "
        "(or 'Excel Workbook (*.xlsx)'), then run the command again with the new file"
    )


# Excel files sitegen does not open: a macro workbook may run code, and .xls/.ods need other readers.
OTHER_WORKBOOKS = {".xlsm", ".xltm", ".xls", ".xlsb", ".ods", ".numbers"}
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx, .xlsm, .ods
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls


class SpreadsheetError(SitegenError):
    """The file cannot be read as a table at all (nothing of it is used)."""


@dataclass(frozen=True)
class SheetRow(Location):
    """A row of an .xlsx sheet: messages say "row N" of the sheet, as Excel numbers its rows."""

    sheet: str = ""

    def __str__(self) -> str:
        return _("{path} (sheet '{sheet}'), row {row}").format(path=self.path, sheet=self.sheet, row=self.line)


@dataclass(frozen=True)
class Row:
    where: Location
    cells: list[Cell]  # one per header column ("" when empty)


@dataclass
class Table:
    header: list[str]
    rows: list[Row]
    read_as: str  # how it was read, for the terminal: "UTF-8", "Shift_JIS (cp932)", "Excel workbook, sheet 'x'"
    problems: list[Diagnostic] = field(default_factory=list)
    blank_rows: list[Location] = field(default_factory=list)  # CSV rows of empty cells only (",,,"), skipped
    header_at: Location | None = None


def read_table(path: Path, sheet: str | None = None) -> Table:
    """The table in a .csv or .xlsx file. `sheet` names the sheet of a workbook (default: its first sheet)."""
    suffix = path.suffix.lower()
    if suffix in OTHER_WORKBOOKS:
        raise SpreadsheetError(
            _("{path}: sitegen reads .xlsx and .csv files, not {suffix} files. {how}").format(
                path=path, suffix=suffix, how=save_as_advice()
            )
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SpreadsheetError(
            _("cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from None
    if suffix == ".xlsx" or data.startswith(ZIP_MAGIC):
        if suffix != ".xlsx":  # an .xlsx saved under another name opens fine; anything else zipped does not
            raise SpreadsheetError(
                _("{path} is a workbook or another zipped file, not CSV text. {how}").format(
                    path=path, how=save_as_advice()
                )
            )
        return _read_xlsx(path, sheet)
    if sheet is not None:
        raise SpreadsheetError(_("--sheet is for .xlsx workbooks; {path} is a CSV file").format(path=path))
    if data.startswith(OLE_MAGIC):
        raise SpreadsheetError(
            _("{path} is an old Excel workbook (.xls), not CSV text. {how}").format(path=path, how=save_as_advice())
        )
    text, read_as = _decode(data, str(path))
    return _read_csv_text(text, str(path), read_as)


def _line_of(data: bytes, offset: int) -> int:
    """The physical line (1-based) of a byte offset, whatever the line endings (CRLF, LF or a lone CR)."""
    return len(re.findall(rb"\r\n|\r|\n", data[:offset])) + 1


def _decode(data: bytes, rel: str) -> tuple[str, str]:
    """The text of a CSV, and the encoding it was read in: UTF-8 (BOM or not), else Shift_JIS (cp932)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 1 and data.count(b"\0") > len(data) // 4):
        raise SpreadsheetError(
            _("{where}: the file is UTF-16 (Excel's 'Unicode Text'), which sitegen does not read. {how}").format(
                where=Location(rel, 1), how=save_as_advice()
            )
        )
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), _("UTF-8 (with BOM)")
        except UnicodeDecodeError as exc:
            utf8_error = exc.start + 3
            shift_jis_error = utf8_error  # a BOM says UTF-8: the bad byte is where it stopped being so
    else:
        try:
            return data.decode("utf-8"), _("UTF-8")
        except UnicodeDecodeError as exc:
            utf8_error = exc.start
        try:
            return data.decode("cp932"), _("Shift_JIS (cp932)")
        except UnicodeDecodeError as exc:
            shift_jis_error = exc.start
    # Neither: name the line where the likelier of the two (the one that read further) stopped.
    offset = max(utf8_error, shift_jis_error)
    line = _line_of(data, offset)
    bad = " ".join(f"{byte:02X}" for byte in data[offset : offset + 2])
    raise SpreadsheetError(
        _(
            "{where}: the file is neither UTF-8 nor Shift_JIS: line {line} has bytes ({bytes}) that neither "
            "allows. {how}"
        ).format(where=Location(rel, line), line=line, bytes=bad, how=save_as_advice())
    )


def _read_csv_text(text: str, rel: str, read_as: str) -> Table:
    # newline="" lets the csv module see CRLF, LF and lone CR endings, and line breaks inside quoted values;
    # strict: a stray quote is reported rather than silently read as something else.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    problems: list[Diagnostic] = []
    start = 1
    try:
        for values in reader:
            records.append((start, values))
            start = reader.line_num + 1
    except csv.Error as exc:
        message = (
            _('a value opened with a double quote (") is never closed; close it, or remove the quote')
            if "unexpected end of data" in str(exc)
            else _(
                'a double quote (") in the middle of a value: put the whole value in double quotes and double '
                'the quote inside it ("")'
            )
        )
        problems.append(Diagnostic(Location(rel, start), message, "error", CODE))
    while records and not records[0][1]:  # blank lines before the header
        records.pop(0)
    if not records:
        raise SpreadsheetError(_("{path} is empty: its first line must be the header row").format(path=rel))
    header_line, header = records[0]
    table = _table(header, Location(rel, header_line), read_as, problems)
    for line, values in records[1:]:
        where = Location(rel, line)
        if not values:
            continue  # a blank line: nothing at all, skipped silently
        if not any(value.strip() for value in values):
            table.blank_rows.append(where)  # ",,,": a row Excel kept after its cells were emptied
            continue
        cells = _shaped(values, len(table.header), where, table.problems)
        if cells is not None:
            table.rows.append(Row(where, cells))
    return table


def _table(header: list[str], where: Location, read_as: str, problems: list[Diagnostic]) -> Table:
    """The header row: Excel writes empty cells to the right of it when a column further right was ever used."""
    names = [name.strip() for name in header]
    while names and not names[-1]:
        names.pop()
    if len(names) == 1 and ("\t" in names[0] or ";" in names[0]):
        separator = _("tabs") if "\t" in names[0] else _("semicolons")
        raise SpreadsheetError(
            _("{where}: the values are separated by {separator}, not commas. {how}").format(
                where=where, separator=separator, how=save_as_advice()
            )
        )
    for number, name in enumerate(names, 1):
        if not name:
            problems.append(
                Diagnostic(
                    where,
                    _("column {number} of the header row is empty: give it a name or delete the column").format(
                        number=number
                    ),
                    "error",
                    CODE,
                )
            )
    return Table(names, [], read_as, problems, header_at=where)


def _shaped(values: Sequence[Cell], width: int, where: Location, problems: list[Diagnostic]) -> list[Cell] | None:
    """A CSV row's values under the header's columns, or None (and a problem) when they do not fit them. Empty
    values beyond the header are Excel's padding; a real one is a mistake (a comma inside an unquoted name)."""
    extra = [value for value in values[width:] if not (isinstance(value, str) and not value.strip())]
    if extra:
        shown = ", ".join(repr(value) if isinstance(value, str) else str(value) for value in extra)
        problems.append(
            Diagnostic(
                where,
                _(
                    "{count} or more values but the header has {columns} columns (extra: {extra}); a value with a "
                    "comma in it must be in double quotes"
                ).format(count=width + len(extra), columns=width, extra=shown),
                "error",
                CODE,
            )
        )
        return None
    if len(values) < width:
        problems.append(
            Diagnostic(
                where,
                ngettext(
                    "{count} value but the header has {columns} columns: a comma is missing, or a line break "
                    "inside a value is not in double quotes",
                    "{count} values but the header has {columns} columns: a comma is missing, or a line break "
                    "inside a value is not in double quotes",
                    len(values),
                ).format(count=len(values), columns=width),
                "error",
                CODE,
            )
        )
        return None
    return list(values[:width])


def _sheet_cells(values: list[Cell], width: int, where: Location, problems: list[Diagnostic]) -> list[Cell] | None:
    """A sheet row's cells under the header's columns (a sheet's rows are never short), or None (and a problem)
    when a cell right of the header holds something."""
    extra = [value for value in values[width:] if isinstance(value, date) or value.strip()]
    if extra:
        shown = ", ".join(repr(value) if isinstance(value, str) else value.isoformat() for value in extra)
        problems.append(
            Diagnostic(
                where,
                _(
                    "a value in a column with no name in the header row ({extra}): name the column or delete the value"
                ).format(extra=shown),
                "error",
                CODE,
            )
        )
        return None
    return [*values[:width], *([""] * (width - len(values)))]


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    try:
        # read_only streams the sheet (large sheets stay small in memory); data_only gives formulas' cached values.
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise SpreadsheetError(
            _("{path} cannot be opened as an Excel workbook ({reason}). {how}").format(
                path=path, reason=exc, how=save_as_advice()
            )
        ) from None
    try:
        names = workbook.sheetnames
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in names:
            worksheet = workbook[sheet]
        else:
            raise SpreadsheetError(
                _("{path} has no sheet '{sheet}' (sheets: {names})").format(
                    path=path, sheet=sheet, names=", ".join(names)
                )
            )
        title = worksheet.title
        # The size a sheet declares may be a whole formatted sheet (a million rows): go by the cells it holds.
        worksheet.reset_dimensions()
        read_as = _("Excel workbook, sheet '{sheet}'").format(sheet=title)
        rel = str(path)
        problems: list[Diagnostic] = []
        table: Table | None = None
        # min_row/min_col 1: openpyxl fills in rows the file leaves out, so the n-th row yielded is row n.
        for number, values in enumerate(worksheet.iter_rows(min_row=1, min_col=1, values_only=True), 1):
            where = SheetRow(rel, number, sheet=title)
            cells = [_cell(value, where, problems) for value in values]
            if not any(isinstance(c, date) or c.strip() for c in cells):
                continue  # an empty row: a sheet has no other way to show it
            if table is None:
                table = _table([c if isinstance(c, str) else c.isoformat() for c in cells], where, read_as, problems)
                continue
            shaped = _sheet_cells(cells, len(table.header), where, problems)
            if shaped is not None:
                table.rows.append(Row(where, shaped))
    finally:
        workbook.close()
    if table is None:
        raise SpreadsheetError(
            _("sheet '{sheet}' of {path} is empty: its first row must be the header row").format(sheet=title, path=path)
        )
    return table


def _cell(value: object, where: Location, problems: list[Diagnostic]) -> Cell:
    """A cell's value as the table holds it: text, or a date for a date cell."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        # A date cell is a datetime at midnight; a time of day in an award's date has no meaning.
        return value.date() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value
    if isinstance(value, bool):  # TRUE/FALSE cells
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 1.0 in a cell Excel shows as 1
    if isinstance(value, str) and value in ERROR_CODES:
        problems.append(
            Diagnostic(
                where,
                _("a cell holds Excel's error {error} (a formula that failed): correct it").format(error=value),
                "error",
                CODE,
            )
        )
        return ""
    return str(value)
