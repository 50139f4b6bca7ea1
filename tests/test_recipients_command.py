"""`sitegen recipients BADGE --csv FILE`: the mail-merge list of `issue --print-urls` printed again, found by hashing
each row's email with each award's salt; nothing is written anywhere."""

from __future__ import annotations

import csv
import io

import openpyxl
from conftest import AWARD_ID, EMAIL, REVOKED_ID
from helpers import tree_bytes
from test_spreadsheets import Recorder

from sitegen.cli import main
from sitegen.commands import authoring

BASE = "https://example.github.io/badges"


def mail_merge(out: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(out)))


def test_the_list_printed_again_is_the_one_issue_printed(make_site, tmp_path, capsys):
    root = make_site()
    sheet = tmp_path / "cohort.csv"
    sheet.write_bytes(
        "email,name,show_name\r\nHana@Example.org,山田 花子,はい\r\nken@example.org,Ken,no\r\n".encode("cp932")
    )
    assert main(["issue", "python-basics", "--csv", str(sheet), "--print-urls", "--root", str(root)]) == 0
    issued = capsys.readouterr().out
    assert len(mail_merge(issued)) == 2
    before = tree_bytes(tmp_path)  # the sheet, the content and everything else
    assert main(["recipients", "python-basics", "--csv", str(sheet), "--root", str(root)]) == 0
    out, err = capsys.readouterr()
    assert out == issued  # the same rows, the same shape, byte for byte
    assert "\r" not in out  # "\n", which a text stdout turns into the system's line ending (CRLF on Windows)
    assert f"read {sheet} as Shift_JIS (cp932)" in err
    assert tree_bytes(tmp_path) == before  # nothing written


def test_rows_without_an_award_are_named_by_their_line(make_site, tmp_path, capsys):
    root = make_site()
    sheet = tmp_path / "list.csv"
    # alice holds python-basics (in the scratch site); bob's was revoked; dan never had it.
    sheet.write_text(
        f'email,name,note\n {EMAIL.upper()} ,Alice,"two\nlines"\nbob@example.org,Bob,\ndan@example.org,Dan,\n'
        "not-an-email,,\n",
        encoding="utf-8",
    )
    before = tree_bytes(root)
    assert main(["recipients", "python-basics", "--csv", str(sheet), "--root", str(root)]) == 1
    out, err = capsys.readouterr()
    rows = mail_merge(out)
    assert [(row["email"], row["name"], row["award_id"]) for row in rows] == [(EMAIL.upper(), "Alice", AWARD_ID)]
    assert rows[0]["award_url"] == f"{BASE}/assertions/{AWARD_ID}.html"
    # Alice's row takes lines 2 and 3: bob is on line 4.
    assert f"{sheet}:4: the award of 'python-basics' to bob@example.org was revoked ({REVOKED_ID})" in err
    assert f"{sheet}:5: dan@example.org holds no award of 'python-basics'" in err
    assert f"{sheet}:6: 'not-an-email' is not an email address" in err
    assert f"{sheet}:2" not in err
    assert tree_bytes(root) == before


def test_recipients_of_an_xlsx_and_the_name_kept_with_consent(make_site, tmp_path, capsys):
    root = make_site()
    path = tmp_path / "star.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["email"])  # no name column: the award's own name (kept with consent) is used
    book.active.append(["carol@example.org"])
    book.save(path)
    assert main(["recipients", "star", "--csv", str(path), "--root", str(root)]) == 0
    out, err = capsys.readouterr()
    [row] = mail_merge(out)
    assert row["name"] == "Carol Example" and row["award_id"] == "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    assert "as Excel workbook, sheet 'Sheet'" in err


def test_an_unknown_badge_suggests_the_nearest(make_site, tmp_path, capsys):
    root = make_site()
    sheet = tmp_path / "r.csv"
    sheet.write_text("email\nalice@example.org\n", encoding="utf-8")
    assert main(["recipients", "python-basic", "--csv", str(sheet), "--root", str(root)]) == 1
    assert "unknown badge 'python-basic' (badges: python-basics, star); did you mean 'python-basics'?" in (
        capsys.readouterr().err
    )


def test_a_sheet_without_an_email_column_and_a_missing_file(make_site, tmp_path, capsys):
    root = make_site()
    sheet = tmp_path / "r.csv"
    sheet.write_text("mail\nalice@example.org\n", encoding="utf-8")
    assert main(["recipients", "star", "--csv", str(sheet), "--root", str(root)]) == 1
    assert f"{sheet}:1: the header row needs an 'email' column" in capsys.readouterr().err
    assert main(["recipients", "star", "--csv", str(tmp_path / "none.csv"), "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert f"cannot read {tmp_path / 'none.csv'}" in err and "Traceback" not in err


def test_recipients_in_japanese(make_site, tmp_path, capsys):
    root = make_site()
    sheet = tmp_path / "r.csv"
    sheet.write_text("email\ndan@example.org\n", encoding="utf-8")
    assert main(["--lang", "ja", "recipients", "star", "--csv", str(sheet), "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert f"{sheet} を UTF-8 として読みました" in err
    assert f"{sheet}:2：dan@example.org に授与された「star」はありません" in err


def test_recipients_is_in_the_help(capsys):
    try:
        main(["--help"])
    except SystemExit as exit:
        assert exit.code == 0
    assert "print the mail-merge list of a badge again" in capsys.readouterr().out
    try:
        main(["recipients", "--help"])
    except SystemExit as exit:
        assert exit.code == 0
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps the lines
    assert "--csv FILE" in out and "--sheet SHEET" in out and "(default: the first sheet)" in out


def test_matching_a_large_sheet_reports_progress(make_site, tmp_path):
    root = make_site()
    sheet = tmp_path / "large.csv"
    sheet.write_text("email\n" + "".join(f"person{n}@example.org\n" for n in range(250)) + f"{EMAIL}\n")
    recorder = Recorder()
    found = authoring.find_recipients(root, "python-basics", sheet, progress=recorder)
    assert [item.award_id for item in found.issued] == [AWARD_ID] and len(found.not_found) == 250
    assert recorder.events[0] == ("start", authoring.MATCH_STAGE, 251)
    assert sum(event[1] for event in recorder.events if event[0] == "advance") == 251
    assert recorder.events[-1] == ("finish",)
