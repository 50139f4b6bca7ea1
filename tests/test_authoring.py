"""`sitegen issue` and `sitegen revoke`: edits for people, no plaintext email anywhere, nothing half-written."""

from __future__ import annotations

import csv
import hashlib
import io

import yaml
from conftest import AWARD_ID
from helpers import build, read_json, tree_bytes

from sitegen.cli import main

EMAILS = ["Erin.Example@Example.org", "frank@example.org", "grace@example.jp"]


def all_text(root) -> bytes:
    return b"\n".join(tree_bytes(root).values())


def test_issue_one_email_writes_a_hash_and_never_the_email(make_site, capsys):
    root = make_site()
    code = main(
        [
            "issue",
            "star",
            "--email",
            EMAILS[0],
            "--name",
            "Erin",
            "--show-name",
            "--issued-on",
            "2026-06-01",
            "--print-urls",
            "--root",
            str(root),
        ]
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["email"] == EMAILS[0] and rows[0]["award_url"].endswith(f"/assertions/{rows[0]['award_id']}.html")
    assert build(root) == 0
    for needle in (EMAILS[0].encode(), EMAILS[0].lower().encode()):
        assert needle not in all_text(root)  # content/ and output/ alike
    assertion = read_json(root / f"output/assertions/{rows[0]['award_id']}.json")
    salt = assertion["recipient"]["salt"]
    assert (
        assertion["recipient"]["identity"]
        == "sha256$" + hashlib.sha256((EMAILS[0].lower() + salt).encode()).hexdigest()
    )
    assert assertion["issuedOn"].startswith("2026-06-01")


def test_issue_from_csv_writes_one_cohort_file(make_site, tmp_path, capsys):
    root = make_site()
    sheet = tmp_path / "recipients.csv"
    sheet.write_text(
        "email,name,show_name,evidence_url,narrative\n"
        f'{EMAILS[0]},Erin,yes,https://e.example/work,"Built a ""thing"""\n'
        f"{EMAILS[1]},,no,,\n{EMAILS[2]},グレース,はい,,\n",
        encoding="utf-8",
    )
    assert main(["issue", "python-basics", "--csv", str(sheet), "--issued-on", "2026-07-01", "--root", str(root)]) == 0
    files = sorted((root / "content/assertions/2026").glob("python-basics-*.yaml"))
    assert len(files) == 1
    cohort = yaml.safe_load(files[0].read_text(encoding="utf-8"))
    assert cohort["badge"] == "python-basics" and len(cohort["awards"]) == 3
    assert cohort["awards"][2]["name"] == "グレース" and cohort["awards"][2]["show_name"] is True
    assert cohort["awards"][0]["narrative"] == 'Built a "thing"'
    assert len({a["recipient"]["salt"] for a in cohort["awards"]}) == 3  # a salt per award
    assert build(root) == 0
    text = all_text(root)
    for email in EMAILS:
        assert email.encode() not in text and email.lower().encode() not in text


def test_a_bad_csv_row_writes_nothing_and_every_bad_row_is_named(make_site, tmp_path, capsys):
    root = make_site()
    before = tree_bytes(root)
    sheet = tmp_path / "bad.csv"
    sheet.write_text(
        "email,show_name,issued_on\nok@example.org,,\nnot-an-email,,\nx@example.org,maybe,\n"
        "ok@example.org,,\ny@example.org,,2026-13-01\n"
    )
    assert main(["issue", "star", "--csv", str(sheet), "--root", str(root)]) == 1
    err = capsys.readouterr().err
    for line in (3, 4, 5, 6):
        assert f"bad.csv:{line}: error:" in err
    assert "bad.csv:2:" not in err and "Traceback" not in err
    assert tree_bytes(root) == before


def test_append_to_an_existing_cohort(make_site):
    root = make_site()
    target = root / "content/assertions/2026/spring.yaml"
    assert main(["issue", "python-basics", "--email", EMAILS[1], "--file", str(target), "--root", str(root)]) == 0
    cohort = yaml.safe_load(target.read_text())
    assert len(cohort["awards"]) == 3 and "issued_on" in cohort["awards"][2]
    assert build(root) == 0


def test_issue_refuses_an_unknown_badge(make_site, capsys):
    root = make_site()
    assert main(["issue", "nope", "--email", EMAILS[1], "--root", str(root)]) == 1
    assert "unknown badge 'nope'" in capsys.readouterr().err


def test_revoke_edits_the_yaml_and_the_build_publishes_the_revocation(make_site, capsys):
    root = make_site()
    path = root / "content/assertions/2026/spring.yaml"
    before_lines = path.read_text().splitlines()
    assert main(["revoke", AWARD_ID, "--reason", "誤って発行しました", "--on", "2026-08-01", "--root", str(root)]) == 0
    after_lines = path.read_text().splitlines()
    assert len(after_lines) == len(before_lines) + 1  # one line added, nothing deleted
    assert all(line in after_lines for line in before_lines)
    assert build(root) == 0
    revoked = read_json(root / f"output/assertions/{AWARD_ID}.json")
    assert revoked["revoked"] is True and revoked["revocationReason"] == "誤って発行しました"
    capsys.readouterr()
    assert main(["revoke", AWARD_ID, "--reason", "again", "--root", str(root)]) == 1
    assert "already revoked" in capsys.readouterr().err


def test_csv_rows_with_extra_values_are_named_and_trailing_commas_are_fine(make_site, tmp_path, capsys):
    root = make_site()
    before = tree_bytes(root)
    sheet = tmp_path / "excel.csv"
    # Excel pads rows with empty cells; a real extra value is a mistake (a comma inside an unquoted name).
    sheet.write_text(
        'email,name\nok@example.org,Ok,,\nbad@example.org,Yamada, Hanako\n"multi@example.org","two\nlines",x\n',
        encoding="utf-8",
    )
    assert main(["issue", "star", "--csv", str(sheet), "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "excel.csv:3: error:" in err and "' Hanako'" in err
    assert "excel.csv:4: error:" in err  # where the record starts, though it spans two lines
    assert "excel.csv:2:" not in err and "internal error" not in err
    assert tree_bytes(root) == before


def test_csv_consent_column_means_show_name(make_site, tmp_path):
    root = make_site()
    sheet = tmp_path / "consent.csv"
    sheet.write_text("email,name,consent\nhana@example.org,Hana,はい\n", encoding="utf-8")
    assert main(["issue", "star", "--csv", str(sheet), "--root", str(root)]) == 0
    [path] = (root / "content/assertions").glob("*/star-*.yaml")
    award = yaml.safe_load(path.read_text(encoding="utf-8"))["awards"][0]
    assert award["show_name"] is True and award["name"] == "Hana"


def test_one_recipient_options_with_a_csv_are_refused(make_site, tmp_path, capsys):
    root = make_site()
    sheet = tmp_path / "r.csv"
    sheet.write_text("email\nhana@example.org\n")
    assert main(["issue", "star", "--csv", str(sheet), "--name", "Hana", "--root", str(root)]) == 2
    assert "--name" in capsys.readouterr().err
    assert not list((root / "content/assertions").glob("*/star-*.yaml"))


def test_appending_keeps_the_requested_dates(make_site):
    root = make_site()
    target = root / "content/assertions/2026/spring.yaml"
    assert (
        main(
            [
                "issue",
                "python-basics",
                "--email",
                EMAILS[1],
                "--file",
                str(target),
                "--issued-on",
                "2026-04-05",
                "--expires",
                "2030-01-01",
                "--root",
                str(root),
            ]
        )
        == 0
    )
    award = yaml.safe_load(target.read_text())["awards"][-1]
    assert str(award["issued_on"]) == "2026-04-05" and str(award["expires"]) == "2030-01-01"
    assert build(root) == 0
    assertion = read_json(root / f"output/assertions/{award['id']}.json")
    assert assertion["expires"].startswith("2030-01-01")


def test_revocation_before_the_issue_date_is_refused(make_site, capsys):
    root = make_site()
    path = root / "content/assertions/2026/spring.yaml"
    before = path.read_bytes()
    assert main(["revoke", AWARD_ID, "--reason", "typo", "--on", "2001-01-01", "--root", str(root)]) == 1
    assert "cannot be revoked before" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_issue_with_a_relative_root_and_a_padded_email(make_site, monkeypatch):
    root = make_site()
    monkeypatch.chdir(root.parent)
    assert main(["issue", "star", "--email", "  Hana@Example.org ", "--root", root.name]) == 0
    [path] = (root / "content/assertions").glob("*/star-*.yaml")
    award = yaml.safe_load(path.read_text())["awards"][0]
    salt = award["recipient"]["salt"]
    assert award["recipient"]["hash"] == "sha256$" + hashlib.sha256(("hana@example.org" + salt).encode()).hexdigest()


def test_a_recipient_who_already_holds_the_badge_is_refused_unless_again(make_site, tmp_path, capsys):
    """Running the same CSV twice must not award everyone twice; a revoked award does not count."""
    from conftest import EMAIL

    root = make_site()
    sheet = tmp_path / "recipients.csv"
    sheet.write_text(f"email\n{EMAILS[0]}\n{EMAILS[1]}\n", encoding="utf-8")
    assert main(["issue", "python-basics", "--csv", str(sheet), "--root", str(root)]) == 0
    capsys.readouterr()
    before = tree_bytes(root / "content")
    assert main(["issue", "python-basics", "--csv", str(sheet), "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert f"{sheet}:2: error: {EMAILS[0]} already holds 'python-basics'" in err and f"{sheet}:3: error:" in err
    assert tree_bytes(root / "content") == before  # nothing written
    # alice holds python-basics in the scratch site (case and spaces do not matter); bob's was revoked.
    assert main(["issue", "python-basics", "--email", f" {EMAIL.upper()} ", "--root", str(root)]) == 1
    assert main(["issue", "python-basics", "--email", "bob@example.org", "--root", str(root)]) == 0
    assert main(["issue", "python-basics", "--email", EMAIL, "--again", "--root", str(root)]) == 0
    # An expired award may be renewed: carol's star expired on 2026-01-15.
    assert main(["issue", "star", "--email", "carol@example.org", "--root", str(root)]) == 0
