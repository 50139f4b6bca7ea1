"""One award cannot poison a shared document: no date of one award makes a status list (or any other
document every credential relies on) fail for the others.

A revocation dated in the future once moved its status list's validFrom into the future, and verifiers then
refused every credential of the list. Dates in the future are now content errors (judged by the build's
clock), and a status list is valid from the first issue of its credentials, which no later event can move.
"""

from __future__ import annotations

import json
import re
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import AWARD_ID, REVOKED_ID, default_files
from helpers import build, edit

from sitegen.build.pipeline import build_site
from sitegen.cli import main
from sitegen.content.site import load_site
from sitegen.openbadges.keys import generate
from sitegen.openbadges.ob2 import format_datetime
from sitegen.verify.inputs import verify_site

CAROL_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
SPRING = "content/assertions/2026/spring.yaml"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T")
EARLIEST = timezone(timedelta(hours=14))  # the first timezone to start a day
LATEST = timezone(timedelta(hours=-12))


def errors_of(root, capsys) -> tuple[int, list[str]]:
    code = build(root)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return code, [line for line in captured.err.splitlines() if ": error: " in line]


def spring_revoked_on(value: str) -> str:
    return edit(default_files()[SPRING], "revoked: {on: 2026-05-01,", f"revoked: {{on: {value},")


def _dates_in(node) -> list[str]:
    """Every string in a JSON document that is a date or a date and time."""
    if isinstance(node, dict):
        return [date for value in node.values() for date in _dates_in(value)]
    if isinstance(node, list):
        return [date for value in node for date in _dates_in(value)]
    return [node] if isinstance(node, str) and DATE.match(node) else []


def now() -> datetime:
    return datetime.now(timezone.utc)


FUTURE_REVOCATIONS = {
    "a date years ahead": "2099-05-01",
    "tomorrow where the day starts first": (now().astimezone(EARLIEST) + timedelta(days=1)).date().isoformat(),
    "in an hour": (now() + timedelta(hours=1)).isoformat(timespec="seconds"),
    "in an hour, written in another timezone": (now() + timedelta(hours=1))
    .astimezone(LATEST)
    .isoformat(timespec="seconds"),
}


@pytest.mark.parametrize("variant", sorted(FUTURE_REVOCATIONS))
def test_a_revocation_dated_in_the_future_is_a_content_error_at_its_line(make_site, capsys, variant):
    value = FUTURE_REVOCATIONS[variant]
    root = make_site({SPRING: spring_revoked_on(f'"{value}"')})
    code, errors = errors_of(root, capsys)
    assert code == 1 and any(
        e.startswith(f"{SPRING}:9: error: revocation date {value} is in the future") for e in errors
    ), errors
    assert not (root / "output").exists()


PAST_OR_TODAY = {
    "today where the day starts first": now().astimezone(EARLIEST).date().isoformat(),
    "today where the day starts last": now().astimezone(LATEST).date().isoformat(),
    "a minute ago": (now() - timedelta(minutes=1)).isoformat(timespec="seconds"),
    "a minute ago, written in another timezone": (now() - timedelta(minutes=1))
    .astimezone(EARLIEST)
    .isoformat(timespec="seconds"),
}


@pytest.mark.parametrize("variant", sorted(PAST_OR_TODAY))
def test_a_revocation_dated_today_anywhere_on_earth_is_accepted(make_site, variant):
    """`sitegen revoke` writes the author's today, whatever the site's timezone: that is never refused."""
    root = make_site({SPRING: spring_revoked_on(f'"{PAST_OR_TODAY[variant]}"')})
    assert build(root) == 0


def test_an_issue_date_in_the_future_is_a_content_error_on_the_award_or_the_file(make_site, capsys):
    spring = edit(
        textwrap.dedent(default_files()[SPRING]), "  - id: 0a1b2c3d", "  - issued_on: 2099-01-01\n    id: 0a1b2c3d"
    )
    code, errors = errors_of(make_site({SPRING: spring}), capsys)
    assert code == 1 and any(
        e.startswith(f"{SPRING}:7: error: 'issued_on' 2099-01-01 is in the future") for e in errors
    ), errors
    tomorrow = (now().astimezone(EARLIEST) + timedelta(days=1)).date().isoformat()
    spring = edit(default_files()[SPRING], "issued_on: 2026-04-01", f"issued_on: {tomorrow}")
    code, errors = errors_of(make_site({SPRING: spring}), capsys)
    assert code == 1 and any(
        e.startswith(f"{SPRING}:2: error: 'issued_on' {tomorrow} is in the future") for e in errors
    ), errors
    today = now().astimezone(EARLIEST).date().isoformat()
    spring = edit(default_files()[SPRING], "issued_on: 2026-04-01", f"issued_on: {today}")
    spring = edit(spring, "revoked: {on: 2026-05-01,", f"revoked: {{on: {today},")
    assert build(make_site({SPRING: spring})) == 0


@pytest.fixture(scope="module")
def keypair():
    return generate()


def signed(make_site, keypair, overrides: dict | None = None, site_extra: str = "") -> Path:
    site = textwrap.dedent(default_files()["content/site.yaml"]) + site_extra
    site += f"keys:\n  - id: key-1\n    public_key: {keypair[1]}\n"
    root = make_site({"content/site.yaml": site, **(overrides or {})})
    build_site(root, environ={"SITEGEN_SIGNING_KEY": keypair[0]})
    return root


def read(root: Path, rel: str) -> dict:
    return json.loads((root / "output" / rel).read_text(encoding="utf-8"))


def status_lists(root: Path) -> dict[str, list[str]]:
    """status list path → the ids of the credentials that point into it."""
    lists: dict[str, list[str]] = {}
    for path in sorted((root / "output/credentials").glob("*.json")):
        url = json.loads(path.read_text())["credentialStatus"]["statusListCredential"]
        lists.setdefault(url.split("/badges/", 1)[1], []).append(path.stem)
    return lists


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_status_list_is_valid_from_its_first_issue_and_later_events_do_not_move_it(make_site, keypair):
    root = signed(make_site, keypair)
    before = {}
    for rel, ids in status_lists(root).items():
        status = read(root, rel)
        first = min(moment(read(root, f"credentials/{i}.json")["validFrom"]) for i in ids)
        assert moment(status["validFrom"]) == first == moment(status["proof"][0]["created"])
        before[rel] = status["validFrom"]
    # Today's events, the latest a list can reflect: a new award and a revocation, both dated today.
    assert main(["issue", "python-basics", "--email", "dave@example.org", "--root", str(root)]) == 0
    assert main(["revoke", AWARD_ID, "--reason", "mistake", "--root", str(root)]) == 0
    build_site(root, environ={"SITEGEN_SIGNING_KEY": keypair[0]})
    for rel in before:
        assert read(root, rel)["validFrom"] == before[rel]
    assert all(moment(read(root, rel)["validFrom"]) <= now() for rel in status_lists(root))
    statuses = {r.subject: r.status for r in verify_site(root / "output")}
    assert statuses[f"credentials/{AWARD_ID}.json"] == "revoked"
    assert statuses[f"credentials/{CAROL_ID}.json"] in ("valid", "expired")


@pytest.mark.parametrize("status", ["bitstring", "1edtech"])
def test_no_shared_document_carries_a_date_of_one_award(make_site, keypair, status):
    """Every document many credentials rely on (issuer profiles, badge classes, revocation lists, keys, the
    DID document, status lists): the only dates are the status lists' validFrom and proof date, which are
    the first issue date of their credentials; no revocation or later issue date appears anywhere."""
    root = signed(make_site, keypair, site_extra=f"credential_status: {status}\n")
    per_award = {"assertions", "credentials"}
    site, _ = load_site(root)
    firsts: dict[str, datetime] = {}
    for award in site.awards:
        rel = site.urls.status_list(site.badges[award.badge].issuer, site.status_position(award).list_number)
        firsts[rel] = min(firsts.get(rel, award.issued_on), award.issued_on)
    first_issues = {rel: format_datetime(first) for rel, first in firsts.items()}
    shared = [
        p
        for p in (root / "output").rglob("*.json")
        if p.relative_to(root / "output").parts[0] not in per_award | {"assets"}
    ]
    assert any("revocations" in p.parts for p in shared) and (root / "output/did.json") in shared
    for path in shared:
        rel = path.relative_to(root / "output").as_posix()
        dates = _dates_in(json.loads(path.read_text()))
        assert set(dates) <= ({first_issues[rel]} if rel in first_issues else set()), (rel, dates)
    revoked = read(root, f"credentials/{REVOKED_ID}.json")
    assert revoked["validFrom"].startswith("2026-04-01")
