"""`sitegen verify` on Open Badges 2.0: a built folder, a real HTTP server, baked files, and broken sites."""

from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import AWARD_ID, EMAIL, REVOKED_ID
from helpers import build

from sitegen.cli import main
from sitegen.verify.fetch import Fetcher
from sitegen.verify.inputs import verify_site, verify_url

CAROL_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


@pytest.fixture
def built(make_site):
    root = make_site()
    assert build(root) == 0
    return root / "output"


def statuses(results) -> dict[str, str]:
    return {r.subject: r.status for r in results}


def test_a_built_site_verifies_with_revoked_and_expired_reported(built):
    results = statuses(verify_site(built))
    assert results[f"assertions/{AWARD_ID}.json"] == "valid"
    assert results[f"assertions/{AWARD_ID}.png"] == "valid"
    assert results[f"assertions/{REVOKED_ID}.json"] == "revoked"
    assert results[f"assertions/{REVOKED_ID}.png"] == "revoked"
    assert results[f"assertions/{CAROL_ID}.svg"] == "expired"


def rewrite(path, change):
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def findings_of(built, award_id=AWARD_ID) -> list[str]:
    results = [r for r in verify_site(built) if r.subject == f"assertions/{award_id}.json"]
    return [f"{f.check}: {f.message}" for f in results[0].findings if f.severity == "error"]


def test_wrong_type_is_reported(built):
    rewrite(built / "badges/python-basics.json", lambda d: d.update(type="Badge"))
    assert any(f.startswith("badge.type") for f in findings_of(built))


def test_missing_image_is_reported(built):
    (built / "badges/python-basics.png").unlink()
    assert any(f.startswith("badge.image: image missing: HTTP 404") for f in findings_of(built))


def test_id_that_is_not_the_url_is_reported(built):
    rewrite(built / f"assertions/{AWARD_ID}.json", lambda d: d.update(id=d["id"].replace("https", "http")))
    assert any(f.startswith("assertion.id-matches-url") for f in findings_of(built))


@pytest.mark.parametrize("compacted", [False, True])
def test_a_revocation_in_a_one_entry_list_is_found(built, compacted):
    """The official validator misses an assertion revoked in a one-entry list (compacted to one object)."""
    url = json.loads((built / f"assertions/{AWARD_ID}.json").read_text())["id"]
    entry = {"id": url, "revocationReason": "listed alone"}
    rewrite(built / "revocations/test-uni.json", lambda d: d.update(revokedAssertions=entry if compacted else [entry]))
    result = [r for r in verify_site(built) if r.subject == f"assertions/{AWARD_ID}.json"][0]
    assert result.status == "revoked" and result.revoked == "listed alone"


def test_a_site_with_no_revocations_verifies(make_site, capsys):
    root = make_site({"content/assertions/2026/spring.yaml": None})  # the only revoked award goes
    assert build(root) == 0
    listing = json.loads((root / "output/revocations/test-uni.json").read_text())
    assert len(listing["revokedAssertions"]) == 1  # the placeholder alone
    assert main(["verify", str(root / "output")]) == 0, capsys.readouterr().out


def test_assertion_listed_as_revoked_is_not_valid_even_if_its_json_is_complete(built):
    revoked_url = json.loads((built / f"assertions/{REVOKED_ID}.json").read_text())["id"]
    rewrite(
        built / "revocations/test-uni.json",
        lambda d: d["revokedAssertions"].append({"id": revoked_url.replace(REVOKED_ID, AWARD_ID)}),
    )
    result = [r for r in verify_site(built) if r.subject == f"assertions/{AWARD_ID}.json"][0]
    assert result.status == "revoked"


def test_cli_exit_codes_and_json(built, capsys):
    assert main(["verify", str(built)]) == 0  # revoked and expired awards are the site's own, correct data
    assert main(["verify", str(built), "--email", "mallory@example.org"]) == 2  # not silently ignored
    capsys.readouterr()
    assert main(["verify", str(built / f"assertions/{AWARD_ID}.png"), "--site", str(built), "--email", EMAIL]) == 0
    assert (
        main(
            [
                "verify",
                str(built / f"assertions/{AWARD_ID}.png"),
                "--site",
                str(built),
                "--email",
                "mallory@example.org",
            ]
        )
        == 1
    )
    assert main(["verify", str(built / f"assertions/{REVOKED_ID}.png"), "--site", str(built)]) == 1
    capsys.readouterr()
    assert main(["verify", str(built / f"assertions/{CAROL_ID}.svg"), "--site", str(built), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["results"][0]["status"] == "expired"
    rewrite(built / "badges/python-basics.json", lambda d: d.update(type="Badge"))
    assert main(["verify", str(built)]) == 1


def test_verify_over_real_http(make_site, tmp_path):
    """A site built for http://127.0.0.1:PORT and served there, verified by URL like any verifier would."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path / "site" / "output"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    root = make_site({"content/site.yaml": f"base_url: {base}\nname: Local\n"})
    assert build(root) == 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        ok = verify_url(f"{base}/assertions/{AWARD_ID}.json", Fetcher(), EMAIL)
        assert ok.status == "valid", ok.findings
        baked = verify_url(f"{base}/assertions/{AWARD_ID}.png", Fetcher())
        assert baked.status == "valid", baked.findings
        assert verify_url(f"{base}/assertions/{REVOKED_ID}.json", Fetcher()).status == "revoked"
        # The link earners share is the award's page: it names its badge data, which is verified.
        shared = verify_url(f"{base}/assertions/{AWARD_ID}.html", Fetcher(), EMAIL)
        assert shared.status == "valid" and shared.subject == f"{base}/assertions/{AWARD_ID}.json"
        assert verify_url(f"{base}/assertions/{REVOKED_ID}.html", Fetcher()).status == "revoked"
        index = verify_url(f"{base}/index.html", Fetcher())
        assert index.status == "invalid" and "web page" in index.findings[0].message
        # A page's link is followed once, relative to the page; a page that names a page is not badge data.
        out = root / "output"
        link = '<!doctype html><link rel="alternate" type="application/ld+json" href="{}">'
        (out / "loop.html").write_text(link.format("loop.html"))
        (out / "relative.html").write_text(link.format(f"assertions/{AWARD_ID}.json"))
        loop = verify_url(f"{base}/loop.html", Fetcher())
        assert loop.status == "invalid" and "web page" in loop.findings[0].message
        assert verify_url(f"{base}/relative.html", Fetcher(), EMAIL).status == "valid"
        missing = verify_url(f"{base}/assertions/00000000-0000-4000-8000-000000000000.json", Fetcher())
        assert missing.status == "invalid" and "HTTP 404" in missing.findings[0].message
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("url", ["http://[::1/x.json", "http://exa mple.com/x.json"])
def test_a_url_that_cannot_be_fetched_is_an_invalid_result_not_a_crash(url, capsys):
    assert main(["verify", url]) == 1
    out = capsys.readouterr().out
    assert "INVALID" in out and "input.fetch" in out


def test_a_url_nobody_answers_at_could_not_be_verified_not_invalid(capsys):
    # A refused connection is no answer at all: the badge may be fine, so the verdict is "try again later".
    assert main(["verify", "http://127.0.0.1:1/x.json"]) == 4
    out = capsys.readouterr().out
    assert "INVALID" not in out and "COULD NOT BE VERIFIED right now" in out and "try again later" in out
