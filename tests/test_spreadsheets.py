"""`sitegen issue --csv` with the files Excel writes: CSV in Shift_JIS (cp932) or UTF-8 with a BOM, CRLF or lone CR
line endings, rows of empty cells, and .xlsx workbooks. Every file is written here with the real bytes."""

from __future__ import annotations

import time
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import yaml
from helpers import tree_bytes

from sitegen.cli import main
from sitegen.commands import authoring


def issue(root: Path, sheet: Path, *extra: str, badge: str = "star") -> int:
    return main([*extra, "issue", badge, "--csv", str(sheet), "--issued-on", "2026-06-01", "--root", str(root)])


def awards_written(root: Path, badge: str = "star") -> list[dict]:
    [path] = (root / "content/assertions/2026").glob(f"{badge}-*.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))["awards"]


# --- encodings ------------------------------------------------------------------------------------------------


def test_a_shift_jis_csv_from_japanese_excel_is_read_and_said_so(make_site, tmp_path, capsys):
    root = make_site()
    sheet = tmp_path / "名簿.csv"
    # Excel's "CSV (カンマ区切り)" on Japanese Windows: cp932 bytes, CRLF, dates as the cells show them.
    rows = "email,name,show_name,issued_on\r\nhana@example.org,山田 花子,はい,2026/4/1\r\n"
    rows += "ken@example.org,髙橋 健,いいえ,\r\n"
    sheet.write_bytes(rows.encode("cp932"))
    assert issue(root, sheet) == 0
    err = capsys.readouterr().err
    assert f"read {sheet} as Shift_JIS (cp932)" in err
    awards = awards_written(root)
    assert awards[0]["name"] == "山田 花子" and str(awards[0]["issued_on"]) == "2026-04-01"
    assert "name" not in awards[1]  # no consent: the name is not written


def test_utf8_with_a_bom_and_crlf_and_utf8_with_lone_cr_are_read(make_site, tmp_path, capsys):
    root = make_site()
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffemail,name,show_name\r\nhana@example.org,花子,yes\r\n".encode())
    assert issue(root, bom) == 0
    assert f"read {bom} as UTF-8 (with BOM)" in capsys.readouterr().err
    assert awards_written(root)[0]["name"] == "花子"  # not "\ufeffemail" as a column
    mac = tmp_path / "mac.csv"  # old Mac line endings: a lone CR; the third line is wrong
    mac.write_bytes(b"email,show_name\rken@example.org,no\rmia@example.org,maybe\r")
    assert issue(root, mac) == 1
    err = capsys.readouterr().err
    assert f"{mac}:3: error: show_name must be yes or no, not 'maybe'" in err


def test_utf16_unicode_text_is_refused_with_how_to_save_as_csv_utf8(make_site, tmp_path, capsys):
    root = make_site()
    before = tree_bytes(root)
    sheet = tmp_path / "unicode.txt.csv"
    sheet.write_bytes("email,name\r\nhana@example.org,花子\r\n".encode("utf-16"))  # with its BOM, as Excel saves it
    assert issue(root, sheet) == 1
    err = capsys.readouterr().err
    assert f"{sheet}:1: the file is UTF-16 (Excel's 'Unicode Text')" in err
    assert "'CSV UTF-8 (Comma delimited) (*.csv)'" in err and "Traceback" not in err and "codec" not in err
    assert tree_bytes(root) == before


def test_bytes_neither_utf8_nor_shift_jis_are_an_error_naming_the_line(make_site, tmp_path, capsys):
    root = make_site()
    before = tree_bytes(root)
    sheet = tmp_path / "latin1.csv"
    # Latin-1 "José," : E9 2C is neither UTF-8 nor a cp932 character, on the third line.
    sheet.write_bytes("email,name\nhana@example.org,Hana\njose@example.org,José,\n".encode("latin-1"))
    assert issue(root, sheet) == 1
    err = capsys.readouterr().err
    assert f"{sheet}:3: the file is neither UTF-8 nor Shift_JIS: line 3 has bytes (E9 2C)" in err
    assert "CSV UTF-8" in err and "codec" not in err
    assert tree_bytes(root) == before


def test_the_encoding_error_in_japanese(make_site, tmp_path, capsys):
    root = make_site()
    sheet = tmp_path / "unicode.csv"
    sheet.write_bytes("email\r\nhana@example.org\r\n".encode("utf-16"))
    assert issue(root, sheet, "--lang", "ja") == 1
    err = capsys.readouterr().err
    assert "UTF-16" in err and "「CSV UTF-8 (コンマ区切り) (*.csv)」" in err and "the file is" not in err


# --- rows: true line numbers ----------------------------------------------------------------------------------


def test_a_short_row_is_named_by_its_physical_line_after_a_value_spanning_lines(make_site, tmp_path, capsys):
    root = make_site()
    before = tree_bytes(root)
    sheet = tmp_path / "short.csv"
    sheet.write_bytes(
        b'email,name,narrative\r\nhana@example.org,Hana,"first line\r\nsecond line"\r\n'
        b"ken@example.org,Ken\r\nmia@example.org,Mia,ok\r\n"
    )
    assert issue(root, sheet) == 1
    err = capsys.readouterr().err
    # The quoted narrative takes lines 2 and 3: Ken's row is line 4.
    assert f"{sheet}:4: error: 2 values but the header has 3 columns" in err
    assert f"{sheet}:2:" not in err and f"{sheet}:5:" not in err
    assert tree_bytes(root) == before


def test_rows_of_empty_cells_are_skipped_and_named_blank_lines_silently(make_site, tmp_path, capsys):
    root = make_site()
    sheet = tmp_path / "excel.csv"
    # Excel keeps rows whose cells were emptied as ",,"; a blank line is nothing at all.
    sheet.write_bytes(
        b"email,name,show_name\r\nhana@example.org,Hana,no\r\n,,\r\n\r\nken@example.org,,\r\n,,\r\n,,\r\n"
    )
    assert issue(root, sheet) == 0
    err = capsys.readouterr().err
    assert f"skipped 3 rows of empty cells ({sheet}:3, {sheet}:6, {sheet}:7)" in err
    assert f"{sheet}:4" not in err
    assert len(awards_written(root)) == 2


def test_a_stray_quote_is_named_rather_than_read_as_something_else(make_site, tmp_path, capsys):
    root = make_site()
    never_closed = tmp_path / "open.csv"
    never_closed.write_text('email,name\nhana@example.org,"Hana\nken@example.org,Ken\n', encoding="utf-8")
    assert issue(root, never_closed) == 1
    assert f'{never_closed}:2: error: a value opened with a double quote (") is never closed' in capsys.readouterr().err
    inside = tmp_path / "inside.csv"
    inside.write_text('email,name\nhana@example.org,Hana\nken@example.org,"Ken" Sato\n', encoding="utf-8")
    assert issue(root, inside) == 1
    assert f'{inside}:3: error: a double quote (") in the middle of a value' in capsys.readouterr().err


def test_tab_separated_text_says_how_to_save_as_csv(make_site, tmp_path, capsys):
    root = make_site()
    sheet = tmp_path / "tabs.csv"
    sheet.write_text("email\tname\nhana@example.org\tHana\n", encoding="utf-8")
    assert issue(root, sheet) == 1
    err = capsys.readouterr().err
    assert f"{sheet}:1: the values are separated by tabs, not commas" in err and "CSV UTF-8" in err


def test_excel_padding_right_of_the_header_is_fine_and_a_value_there_is_not(make_site, tmp_path, capsys):
    root = make_site()
    padded = tmp_path / "padded.csv"  # a column further right was used once: every row gets its empty cells
    padded.write_text("email,name,,\nhana@example.org,Hana,,\n", encoding="utf-8")
    assert issue(root, padded) == 0
    capsys.readouterr()
    misplaced = tmp_path / "misplaced.csv"
    misplaced.write_text("email,name,,\nhana2@example.org,Hana,,note\n", encoding="utf-8")
    assert issue(root, misplaced) == 1
    assert f"{misplaced}:2: error: 3 or more values but the header has 2 columns (extra: 'note')" in (
        capsys.readouterr().err
    )


def test_a_mistyped_column_gets_a_suggestion(make_site, tmp_path, capsys):
    root = make_site()
    sheet = tmp_path / "typo.csv"
    sheet.write_text("email,nmae\nhana@example.org,Hana\n", encoding="utf-8")
    assert issue(root, sheet) == 1
    assert "unknown column(s) nmae" in (err := capsys.readouterr().err) and "did you mean 'name' for 'nmae'?" in err


# --- .xlsx ----------------------------------------------------------------------------------------------------


def workbook(path: Path, rows: list[list], title: str = "名簿", more_sheets: dict | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for name, other in (more_sheets or {}).items():
        extra = book.create_sheet(name)
        for row in other:
            extra.append(row)
    book.save(path)
    return path


def patch_sheet_xml(path: Path, old: str, new: str) -> None:
    """Edit the first sheet's XML inside the workbook, for what openpyxl does not write (Excel's own habits)."""
    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    assert old in xml
    parts["xl/worksheets/sheet1.xml"] = xml.replace(old, new).encode()
    with zipfile.ZipFile(path, "w") as book:
        for name, data in parts.items():
            book.writestr(name, data)


def test_an_xlsx_workbook_is_read_with_its_dates_numbers_and_true_false(make_site, tmp_path, capsys):
    root = make_site()
    sheet = workbook(
        tmp_path / "recipients.xlsx",
        [
            ["Email", "Name", "show_name", "issued_on", "expires"],
            ["hana@example.org", "山田 花子", True, date(2026, 4, 1), datetime(2027, 3, 31)],
            [None, None, None, None, None],  # an empty row between: skipped, a sheet shows nothing else
            ["ken@example.org", 1234, False, "2026/4/2", None],
        ],
    )
    assert issue(root, sheet) == 0
    assert f"read {sheet} as Excel workbook, sheet '名簿'" in capsys.readouterr().err
    hana, ken = awards_written(root)
    assert hana["name"] == "山田 花子" and hana["show_name"] is True
    assert str(hana["issued_on"]) == "2026-04-01" and str(hana["expires"]) == "2027-03-31"
    assert str(ken["issued_on"]) == "2026-04-02" and "name" not in ken


def test_xlsx_problems_name_the_row_of_the_sheet(make_site, tmp_path, capsys):
    root = make_site()
    before = tree_bytes(root)
    sheet = workbook(
        tmp_path / "bad.xlsx",
        [
            ["email", "name", "issued_on"],
            ["hana@example.org", "Hana", 46113],  # a day's serial number in a cell not formatted as a date
            ["#N/A", "Ken", None],  # a formula's error
            ["mia@example.org", "Mia", None, "a note"],  # right of the header
            [],  # an empty row: the rows below keep their numbers
            ["not an email", None, None],
        ],
    )
    assert issue(root, sheet) == 1
    err = capsys.readouterr().err
    where = f"{sheet} (sheet '名簿'), row"
    assert f"{where} 2: error: issued_on is the number 46113, not a date: format the cell as a date" in err
    assert f"{where} 3: error: a cell holds Excel's error #N/A" in err
    assert f"{where} 4: error: a value in a column with no name in the header row ('a note')" in err
    assert f"{where} 6: error: 'not an email' is not an email address" in err
    assert err.index(f"{where} 2:") < err.index(f"{where} 3:") < err.index(f"{where} 6:")  # in the sheet's order
    assert tree_bytes(root) == before


def test_another_sheet_with_sheet_and_an_unknown_sheet(make_site, tmp_path, capsys):
    root = make_site()
    sheet = workbook(
        tmp_path / "book.xlsx",
        [["memo"], ["not recipients"]],
        title="説明",
        more_sheets={"2026春": [["email"], ["hana@example.org"]]},
    )
    assert issue(root, sheet, badge="star") == 1  # the first sheet has no email column
    assert f"{sheet} (sheet '説明'), row 1: the header row needs an 'email' column" in capsys.readouterr().err
    assert main(["issue", "star", "--csv", str(sheet), "--sheet", "2026春", "--root", str(root)]) == 0
    assert "sheet '2026春'" in capsys.readouterr().err
    assert main(["issue", "star", "--csv", str(sheet), "--sheet", "2025", "--root", str(root)]) == 1
    assert "has no sheet '2025' (sheets: 説明, 2026春)" in capsys.readouterr().err


def test_formulas_give_their_cached_values(make_site, tmp_path, capsys):
    """A formula cell is read as the value Excel computed and saved with it, never as its formula."""
    root = make_site()
    path = workbook(tmp_path / "formula.xlsx", [["email", "typed"], ["=LOWER(B2)", "HANA@EXAMPLE.ORG"]])
    # openpyxl writes no cached value; Excel would: put the one Excel saves into the sheet's XML.
    patch_sheet_xml(
        path,
        '<c r="A2"><f>LOWER(B2)</f><v></v></c>',
        '<c r="A2" t="str"><f>LOWER(B2)</f><v>hana@example.org</v></c>',
    )
    assert main(["recipients", "star", "--csv", str(path), "--root", str(root)]) == 1  # not awarded yet
    assert f"{path} (sheet '名簿'), row 2: hana@example.org holds no award of 'star'" in capsys.readouterr().err


def test_a_sheet_declaring_a_million_rows_is_read_by_the_cells_it_holds(make_site, tmp_path, capsys):
    """Some programs declare the whole sheet as used; reading a million empty rows would take minutes."""
    root = make_site()
    path = workbook(tmp_path / "wide.xlsx", [["email"], ["hana@example.org"]])
    patch_sheet_xml(path, '<dimension ref="A1:A2"/>', '<dimension ref="A1:XFD1048576"/>')
    started = time.monotonic()
    assert issue(root, path) == 0
    assert time.monotonic() - started < 30
    assert len(awards_written(root)) == 1


def test_macro_workbooks_and_xls_are_refused_with_how_to_save(make_site, tmp_path, capsys):
    root = make_site()
    for name in ("book.xlsm", "book.xls"):
        (tmp_path / name).write_bytes(b"\xd0\xcf\x11\xe0 not read")
        assert issue(root, tmp_path / name) == 1
        err = capsys.readouterr().err
        assert f"sitegen reads .xlsx and .csv files, not {Path(name).suffix} files" in err
        assert "'CSV UTF-8 (Comma delimited) (*.csv)'" in err and "'Excel Workbook (*.xlsx)'" in err
    renamed = tmp_path / "really-xls.csv"  # an old workbook renamed to .csv
    renamed.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    assert issue(root, renamed) == 1
    assert "is an old Excel workbook (.xls), not CSV text" in capsys.readouterr().err
    zipped = workbook(tmp_path / "book.xlsx", [["email"], ["hana@example.org"]])
    zipped.rename(tmp_path / "book-as.csv")
    assert issue(root, tmp_path / "book-as.csv") == 1
    assert "is a workbook or another zipped file, not CSV text" in capsys.readouterr().err


def test_xlsx_errors_in_japanese(make_site, tmp_path, capsys):
    root = make_site()
    sheet = workbook(tmp_path / "bad.xlsx", [["email"], ["nobody"]])
    assert issue(root, sheet, "--lang", "ja") == 1
    err = capsys.readouterr().err
    assert f"{sheet}（シート「名簿」）の 2 行目" in err and "メールアドレスではありません" in err


# --- progress -------------------------------------------------------------------------------------------------


class Recorder:
    """A Progress listener that keeps what it was told."""

    def __init__(self):
        self.events: list[tuple] = []

    def start(self, stage: str, total: int) -> None:
        self.events.append(("start", stage, total))

    def advance(self, done: int = 1) -> None:
        self.events.append(("advance", done))

    def finish(self) -> None:
        self.events.append(("finish",))


def test_issuing_a_large_sheet_reports_progress(make_site, tmp_path):
    root = make_site()
    sheet = tmp_path / "large.csv"
    sheet.write_text("email\n" + "".join(f"person{n}@example.org\n" for n in range(300)), encoding="utf-8")
    recorder = Recorder()
    recipients = authoring.read_recipients(sheet).recipients
    _target, issued = authoring.issue(root, "star", recipients, issued_on=date(2026, 6, 1), progress=recorder)
    assert len(issued) == 300
    assert recorder.events[0] == ("start", authoring.HOLDS_STAGE, 300)
    assert sum(event[1] for event in recorder.events if event[0] == "advance") == 300
    assert recorder.events[-1] == ("finish",)
