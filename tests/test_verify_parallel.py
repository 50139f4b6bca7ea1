"""`sitegen verify` of a large built folder uses every core: the same findings, in the same order, as one process;
a forgery among many awards is still found."""

from __future__ import annotations

import json
import shutil
import textwrap

import pytest
from conftest import SALT, default_files, identity_hash

from sitegen.build.pipeline import build_site
from sitegen.openbadges.keys import generate
from sitegen.status import draw_award_ids
from sitegen.verify import inputs
from sitegen.verify.inputs import verify_site

AWARDS = 120  # 120 hosted assertions, baked images, credentials and baked credentials: 480 documents


@pytest.fixture(scope="module")
def large_site(tmp_path_factory):
    private, public = generate()
    root = tmp_path_factory.mktemp("large") / "site"
    files = default_files()
    site_yaml = textwrap.dedent(files["content/site.yaml"])  # type: ignore[arg-type]
    files["content/site.yaml"] = site_yaml + f"keys:\n  - id: key-1\n    public_key: {public}\n"
    ids = draw_award_ids("test-uni", AWARDS)
    awards = "".join(
        f'  - id: {award_id}\n    recipient: {{hash: "{identity_hash(f"p{i}@example.org")}", salt: "{SALT}"}}\n'
        for i, award_id in enumerate(ids)
    )
    files["content/assertions/2026/many.yaml"] = f"badge: python-basics\nissued_on: 2026-05-01\nawards:\n{awards}"
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    build_site(root, environ={"SITEGEN_SIGNING_KEY": private})
    return root / "output", ids


def summary(results) -> list[tuple]:
    return [(r.subject, r.kind, r.status, tuple(f.code for f in r.findings)) for r in results]


def test_every_core_gives_the_findings_of_one_process_in_the_same_order(large_site, monkeypatch):
    output, _ = large_site
    monkeypatch.setattr(inputs, "PARALLEL_THRESHOLD", 100)
    one = verify_site(output, jobs=1)
    many = verify_site(output, jobs=2)
    assert summary(many) == summary(one)
    assert len(one) > 4 * AWARDS and {r.status for r in one} >= {"valid"}


def test_a_forgery_among_many_is_found_by_the_workers(large_site, monkeypatch, tmp_path):
    output, ids = large_site
    forged = tmp_path / "output"  # a copy: the module's site stays intact
    shutil.copytree(output, forged)
    path = forged / f"credentials/{ids[77]}.json"
    credential = json.loads(path.read_text(encoding="utf-8"))
    credential["credentialSubject"]["achievement"]["name"] = "Forged"
    path.write_text(json.dumps(credential), encoding="utf-8")
    monkeypatch.setattr(inputs, "PARALLEL_THRESHOLD", 100)
    results = {r.subject: r.status for r in verify_site(forged, jobs=2)}
    # The tampered credential, and its baked copy (which no longer matches what the site publishes); nothing else.
    invalid = {subject for subject, status in results.items() if status == "invalid"}
    assert invalid == {f"credentials/{ids[77]}.json", f"credentials/{ids[77]}.png"}
