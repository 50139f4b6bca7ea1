"""A large site's build: award files parsed one at a time report the same problems in the same order; a rebuild
reuses unchanged awards (in the build process, without workers) and gives the bytes a fresh build gives; a
parallel build, where the build process takes chunks too, gives the bytes of a build in one process; award files
unchanged since the last build are not checked again, and give the awards checking them would."""

from __future__ import annotations

import json
import os
import random
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from conftest import SALT, default_files, identity_hash, write_files

from sitegen.build import cache
from sitegen.build.pipeline import build_site
from sitegen.build.write import OLD_PREFIX, STAGING_PREFIX
from sitegen.cli import main
from sitegen.content.load import load_content
from sitegen.content.site import load_site
from sitegen.content.validate import build_site_model
from sitegen.diagnostics import Collector
from sitegen.openbadges import ob2
from sitegen.openbadges.keys import generate
from sitegen.status import draw_award_ids, status_position

GOOD_AWARD = f'  - id: {{id}}\n    recipient: {{{{hash: "{identity_hash()}", salt: "{SALT}"}}}}\n'


def report(root: Path, awards_later: bool) -> list[tuple]:
    problems = Collector()
    build_site_model(root, load_content(root, problems, awards_later=awards_later), problems)
    return [(d.location, d.severity, d.code, d.message) for d in problems.items]


def test_award_files_parsed_one_at_a_time_report_the_same_problems_in_the_same_order(make_site):
    start = "badge: star\nissued_on: 2025-01-15\nawards:\n"
    root = make_site(
        {
            "content/issuers/test-uni.yaml": "name: [unclosed\n",  # a syntax error before the award files
            "content/badgeclasses/broken.yaml": "name: x\n",  # a validation error of a badge
            "content/assertions/a-syntax.yaml": start + "  - id: x\n   name: Carol\n",
            "content/assertions/b-fine.yaml": start + GOOD_AWARD.format(id="1b4e28ba-2fa1-41d2-883f-0016d3cca427"),
            "content/assertions/c-one-text.yaml": "badge： star\nissued_on： 2025-01-15\n",  # full-width colons
            "content/assertions/d-invalid.yaml": start
            + "  - id: 1b4e28ba-2fa1-41d2-883f-0016d3cca428\n    issued_on: 2025-02-30\n",
            "content/assertions/e-key.yaml": "-----BEGIN PRIVATE KEY-----\nabc\n",
            "content/assertions/f-empty.yaml": "",
            "content/assertions/g.yml": "badge: star\n",
        }
    )
    (root / "content/assertions/h-binary.yaml").write_bytes(b"badge: \x83\x65\x83\x58\x83\x67\n")
    everything_first = report(root, awards_later=False)
    codes = {code for _, _, code, _ in everything_first}
    assert {"content.yaml-syntax", "content.unreadable", "content.private-key", "content.wrong-extension"} <= codes
    assert len(everything_first) >= 8, everything_first
    assert report(root, awards_later=True) == everything_first


def cohort_site(root: Path, awards: int, site_options: str = "") -> Path:
    rng = random.Random(awards)
    ids = draw_award_ids("test-uni", awards, new_id=lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4)))
    lines = ["badge: python-basics", "issued_on: 2026-04-01", "awards:"]
    lines += [GOOD_AWARD.format(id=award_id).rstrip("\n") for award_id in ids]
    files = default_files()
    files["content/site.yaml"] = textwrap.dedent(str(files["content/site.yaml"])) + site_options
    files["content/assertions/2026/cohort.yaml"] = "\n".join(lines) + "\n"
    return write_files(root, files)


def add_award(root: Path) -> str:
    cohort = root / "content/assertions/2026/cohort.yaml"
    existing = [word for word in cohort.read_text().split() if word.count("-") == 4]
    taken = {status_position("test-uni", award_id) for award_id in existing}
    (award_id,) = draw_award_ids("test-uni", 1, taken, new_id=lambda: str(uuid.uuid4()))
    cohort.write_text(cohort.read_text() + GOOD_AWARD.format(id=award_id))
    return award_id


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_rebuild_reuses_every_unchanged_award_and_gives_the_bytes_of_a_fresh_build(tmp_path):
    private, public = generate()
    env = {"SITEGEN_SIGNING_KEY": private}
    root = cohort_site(tmp_path / "site", 150, f"keys:\n  - id: key-1\n    public_key: {public}\n")
    first = build_site(root, environ=env)  # above the signing threshold: workers write the awards
    total = len(first.site.awards)
    assert first.reused == 0 and first.signed > total
    before = {p: os.stat(p).st_ino for p in (root / "output/assertions").iterdir()}
    new_id = add_award(root)
    again = build_site(root, environ=env)
    assert (again.reused, again.signed) == (total, 1)  # the new award's credential (its status list is cached)
    # The unchanged awards' files are the same files (hard links), the new award's are new.
    after = {p: os.stat(p).st_ino for p in (root / "output/assertions").iterdir()}
    assert all(after[p] == ino for p, ino in before.items())
    assert (root / f"output/assertions/{new_id}.json").is_file()
    # Every award is recorded for the next build, and nothing else.
    records = json.loads((root / cache.CACHE_FILE).read_text())["awards"]
    assert sorted(records) == sorted(award.id for award in again.site.awards)
    # The same bytes as a build of another output folder (nothing to reuse there).
    fresh = build_site(root, tmp_path / "fresh", environ=env)
    assert fresh.reused == 0
    assert tree(root / "output") == tree(tmp_path / "fresh")


def test_a_parallel_build_gives_the_bytes_and_records_of_a_build_in_one_process(tmp_path):
    private, public = generate()
    env = {"SITEGEN_SIGNING_KEY": private}
    root = cohort_site(tmp_path / "site", 120, f"keys:\n  - id: key-1\n    public_key: {public}\n")
    one = build_site(root, tmp_path / "one", jobs=1, environ=env)
    records_one = json.loads((root / cache.CACHE_FILE).read_text())["awards"]
    for jobs in (2, 3):
        for name in os.listdir(root / ".sitegen-cache"):
            os.unlink(root / ".sitegen-cache" / name)
        output = tmp_path / f"jobs-{jobs}"
        parallel = build_site(root, output, jobs=jobs, environ=env)
        assert (parallel.files, parallel.bytes, parallel.signed) == (one.files, one.bytes, one.signed)
        assert tree(output) == tree(tmp_path / "one")
        records = json.loads((root / cache.CACHE_FILE).read_text())["awards"]
        assert {k: v[:2] for k, v in records.items()} == {k: v[:2] for k, v in records_one.items()}


def recalled_and_model(root: Path) -> tuple[int, tuple]:
    """How many award files a build's cache answers now, and the awards it gives."""
    remembered = cache.AwardFileCache(root)
    site, _ = load_site(root, memo=remembered)
    return remembered.recalled, site.awards


def test_award_files_unchanged_since_the_last_build_are_not_checked_again_and_give_the_same_awards(make_site):
    root = make_site()
    build_site(root)
    recalled, awards = recalled_and_model(root)
    assert recalled == 2  # both award files of the site
    assert awards == load_site(root)[0].awards  # what checking them again gives
    # A file changed is checked again (the other is still recalled), and its change is in the model.
    spring = root / "content/assertions/2026/spring.yaml"
    spring.write_text(spring.read_text().replace("2026-04-01", "2026-04-02"), encoding="utf-8")
    recalled, awards = recalled_and_model(root)
    assert recalled == 1 and awards == load_site(root)[0].awards
    assert {award.issued_on.day for award in awards if award.badge == "python-basics"} == {2}


@pytest.mark.parametrize(
    "change",
    [
        ("content/badgeclasses/star.yaml", "valid_for: P1Y", "valid_for: P2Y"),  # Carol's award expires later
        ("content/site.yaml", 'timezone: "+09:00"', 'timezone: "-05:00"'),  # every date moves
        ("content/assertions/star-carol.yaml", "name: Carol Example", "name: Carol Changed"),
    ],
)
def test_an_award_file_is_checked_again_when_anything_its_awards_are_made_from_changed(make_site, change):
    root = make_site()
    assert main(["build", "--root", str(root)]) == 0
    rel, old, new = change
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    fresh = load_site(root)[0].awards
    _, recalled = recalled_and_model(root)
    assert recalled == fresh
    assert main(["build", "--root", str(root)]) == 0
    carol = json.loads((root / "output/assertions/7c9e6679-7425-40de-944b-e07fc1f90ae7.json").read_text())
    expected = next(award for award in fresh if award.id == "7c9e6679-7425-40de-944b-e07fc1f90ae7")
    assert carol["expires"] == ob2.format_datetime(expected.expires)
    assert carol["issuedOn"] == ob2.format_datetime(expected.issued_on)


def test_an_award_file_with_a_problem_is_never_remembered_so_every_build_reports_it(make_site, capsys):
    root = make_site()
    assert main(["build", "--root", str(root)]) == 0
    carol = root / "content/assertions/star-carol.yaml"
    carol.write_text(carol.read_text().replace("show_name: true", "show_name: maybe"), encoding="utf-8")
    for _ in range(2):
        assert main(["build", "--root", str(root)]) != 0
        assert "star-carol.yaml:7" in capsys.readouterr().err


@pytest.mark.parametrize("helper", ["a helper process", "no helper process (it cannot start)"])
def test_a_rebuild_links_every_reused_file_and_removes_the_previous_output_before_it_returns(
    make_site, monkeypatch, helper
):
    root = make_site()
    build_site(root)
    before = tree(root / "output")
    inodes = {p: os.stat(p).st_ino for p in (root / "output/assertions").iterdir()}
    if helper.startswith("no"):
        monkeypatch.setattr(sys, "executable", str(root / "no-such-python"))
    again = build_site(root)
    assert again.reused == 3
    assert tree(root / "output") == before
    assert {p: os.stat(p).st_ino for p in (root / "output/assertions").iterdir()} == inodes  # the same files
    assert all(os.stat(p).st_nlink == 1 for p in inodes)  # the previous output is gone: one name per file
    assert not [p.name for p in root.iterdir() if p.name.startswith((STAGING_PREFIX, OLD_PREFIX))]
