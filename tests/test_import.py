"""`sitegen import`: awards issued on Moodle, Badgr / Canvas Credentials, Open Badge Factory or another sitegen site
become content of this one, verified first, with their recipient hash, salt and issue date kept and their origin
recorded. The platforms' documents (tests/fixtures/import/, shaped after what each really publishes) are served
by a real HTTP server on 127.0.0.1; the round trip imports a built sitegen site into a repository `sitegen new`
made, rebuilds it and matches every recipient's email again."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import AWARD_ID, SALT, SVG, identity_hash, png_bytes
from helpers import git
from PIL import Image

from sitegen.build.pipeline import build_site
from sitegen.cli import main
from sitegen.commands.import_sources import SourceProblem, badge_image
from sitegen.content.site import load_site
from sitegen.verify.fetch import Fetcher

FIXTURES = Path(__file__).parent / "fixtures" / "import"
MOODLE_SALT = "8f2Kq7LpZx3"  # Moodle's one salt for the whole site ($CFG->badges_badgesalt)
MOODLE_EMAIL = "hanako@uni.example.ac.jp"
BADGR_SALT = "9b1d6c0f2e3a4b5c"
BADGR_EMAIL = "dana@example.org"
OBF_SALT = "d41d8cd98f00b204"
OBF_EMAIL = "lauri@example.fi"
OBF_EMAIL_2 = "aino@example.fi"
OBF_ASSERTIONS = {  # OBF names an assertion by 40 hex digits: /v1/assertion/<id>.json (its page: <id>.html)
    OBF_EMAIL: "5d01dbad9a8e95c47d268307c85621e8cf8b50e0",
    OBF_EMAIL_2: "d11bd893abd2186c385964f0fa352adeb698aef2",
}
PLAIN_EMAIL = "sam@example.org"
ALICE_ONLY = f"""\
    badge: python-basics
    issued_on: 2026-04-01
    awards:
      - id: {AWARD_ID}
        recipient: {{hash: "{identity_hash()}", salt: "{SALT}"}}
        evidence: [{{url: "https://github.com/alice/project", name: Project}}]
    """
MOODLE_HASH = "3f2b9c8e7d6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c"  # Moodle's unique hash of the issued badge
MOODLE_PATH = f"/moodle/badges/assertion.php?b={MOODLE_HASH}&obversion=2"


def sha256(text: str) -> str:
    return "sha256$" + hashlib.sha256(text.encode()).hexdigest()


class Platforms:
    """The old platforms' documents, served on 127.0.0.1 at the paths each platform uses (query included)."""

    def __init__(self):
        self.routes: dict[str, tuple[bytes, str]] = {}
        self.redirects: dict[str, str] = {}  # path -> where it redirects (Badgr's images live in its media store)
        routes, redirects = self.routes, self.redirects

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                if self.path in redirects:
                    self.send_response(302)
                    self.send_header("Location", redirects[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body, kind = routes.get(self.path, (b"", ""))
                self.send_response(200 if kind else 404)
                self.send_header("Content-Type", kind or "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.values = {
            "BASE": self.base,
            "PNG_BASE64": base64.b64encode(png_bytes(48, (200, 30, 40))).decode(),
            "MOODLE_HASH": sha256(MOODLE_EMAIL + MOODLE_SALT),
            "MOODLE_SALT": MOODLE_SALT,
            "BADGR_HASH": sha256(BADGR_EMAIL + BADGR_SALT),
            "BADGR_SALT": BADGR_SALT,
            "OBF_HASH": sha256(OBF_EMAIL + OBF_SALT),
            "OBF_SALT": OBF_SALT,
        }

    def fixture(self, name: str, **values: str) -> bytes:
        text = (FIXTURES / name).read_text(encoding="utf-8")
        for key, value in {**self.values, **values}.items():
            text = text.replace("{{" + key + "}}", value)
        return text.encode()

    def serve(self, path: str, body: bytes, kind: str = "application/ld+json") -> str:
        self.routes[path] = (body, kind)
        return self.base + path

    def moodle(self) -> str:
        self.serve("/moodle/badges/badge_json.php?id=7", self.fixture("moodle/badge_json.json"))
        issuer = "/moodle/badges/badge_json.php?id=7&action=0&obversion=2"
        self.serve(issuer, self.fixture("moodle/issuer_json.json"))
        return self.serve(MOODLE_PATH, self.fixture("moodle/assertion.json"))

    def badgr(self) -> str:
        self.serve("/public/badges/Hk7pL2mNQz6sT9uV0wXyZa", self.fixture("badgr/badgeclass.json"))
        # Badgr's /image endpoints answer with a redirect to the file in its media store.
        for public, stored in (
            ("/public/badges/Hk7pL2mNQz6sT9uV0wXyZa/image", "issuer_badgeclass_8b1f3c2e-4d5a.png"),
            ("/public/assertions/Qm3vX8kTRuWy0nA1bC2dEf/image", "assertion-6f0c4e1b9a2d8c7e5f3b1a0d9c8e7f6a.png"),
        ):
            self.redirects[public] = f"{self.base}/media/uploads/badges/{stored}"
            self.serve(f"/media/uploads/badges/{stored}", png_bytes(60, (20, 160, 90)), "image/png")
        self.serve("/public/issuers/Zr1sD4fGhJkL5mN6pQ7rSt", self.fixture("badgr/issuer.json"))
        return self.serve("/public/assertions/Qm3vX8kTRuWy0nA1bC2dEf", self.fixture("badgr/assertion.json"))

    def obf(self, email: str = OBF_EMAIL) -> str:
        """Open Badge Factory's hosted assertion of `email`'s award, its badge class, image and client."""
        query = "v=2.0&event=T0WB7KaZ3QNa2"
        self.serve(f"/v1/badge/_/SX4LPMaR2ZHa9.json?{query}", self.fixture("obf/badge.json"))
        self.serve("/v1/badge/_/SX4LPMaR2ZHa9.png?event=T0WB7KaZ3QNa2", png_bytes(70, (90, 40, 160)), "image/png")
        self.serve(f"/v1/client/_/SU2QWEa6JKa1F.json?{query}", self.fixture("obf/issuer.json"))
        assertion = OBF_ASSERTIONS[email]
        body = self.fixture("obf/assertion.json", OBF_ASSERTION=assertion, OBF_HASH=sha256(email + OBF_SALT))
        return self.serve(f"/v1/assertion/{assertion}.json", body)

    def obf_export(self, tmp_path: Path, **emails: str) -> Path:
        """OBF's list of an event's assertions (JSON lines), as its API answers and a client saves it."""
        values = {"OBF_EMAIL_1": OBF_EMAIL, "OBF_EMAIL_2": OBF_EMAIL_2, **emails}
        ids = {"OBF_ASSERTION_1": OBF_ASSERTIONS[OBF_EMAIL], "OBF_ASSERTION_2": OBF_ASSERTIONS[OBF_EMAIL_2]}
        export = tmp_path / "obf-event-assertions.jsonl"
        export.write_bytes(self.fixture("obf/event-assertions.jsonl", **values, **ids))
        return export

    def plain(self, name: str, email: str = PLAIN_EMAIL) -> str:
        """A plain Open Badges 2.0 issuer's assertion `name` (an unsalted hash); its revocation list names 'revoked'."""
        self.serve("/badges/class.json", self.fixture("openbadges/class.json"))
        self.serve("/badges/class.svg", SVG, "image/svg+xml")
        self.serve("/badges/issuer.json", self.fixture("openbadges/issuer.json"))
        self.serve("/badges/revocations.json", self.fixture("openbadges/revocations.json"))
        body = self.fixture("openbadges/assertion.json", NAME=name, HASH=sha256(email))
        return self.serve(f"/badges/a/{name}.json", body)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def platforms():
    served = Platforms()
    yield served
    served.stop()


@pytest.fixture
def repo(tmp_path):
    """A fresh content repository, as `sitegen new` makes it."""
    root = tmp_path / "new-site"
    assert main(["new", str(root)]) == 0
    return root


def files_of(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "content").rglob("*")) if p.is_file()
    }


def run_import(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["import", *args])
    out, err = capsys.readouterr()
    return code, out, err


def imported_award(root: Path, original: str):
    site, _warnings = load_site(root)
    [award] = [a for a in site.awards if a.imported_from and a.imported_from.url == original]
    return site, award


def test_a_moodle_assertion_imports_from_its_url_with_its_quirks(platforms, repo, capsys):
    url = platforms.moodle()
    code, out, err = run_import(capsys, url, "--root", str(repo))
    assert code == 0, err

    site, award = imported_award(repo, url)
    # The recipient exactly as Moodle published it: its hash with the site-wide salt; the original issue time.
    assert award.identity_hash == sha256(MOODLE_EMAIL + MOODLE_SALT) and award.salt == MOODLE_SALT
    assert award.issued_on.isoformat() == "2024-07-31T10:15:42+09:00"
    assert award.imported_from.platform == "moodle"
    assert [e.url for e in award.evidence] == [platforms.base + "/moodle/badges/badge.php?hash=" + MOODLE_HASH]
    badge = site.badges[award.badge]
    assert badge.name.all_languages("ja") == "情報リテラシー基礎"
    assert [a.code for a in badge.alignments] == ["MDASH-L"]
    assert "「情報リテラシー」を修了する" in badge.criteria.all_languages("ja")
    assert (repo / "content/images/imported" / f"{award.badge}.png").is_file()  # Moodle's data URI, saved
    issuer = site.issuers[badge.issuer]
    assert issuer.email == "lms-admin@uni.example.ac.jp"
    # The files a reviewer reads say where each thing came from.
    cohort = (repo / "content/assertions/imported" / f"{award.badge}.yaml").read_text(encoding="utf-8")
    assert f'imported_from: {{url: "{url}", platform: moodle}}' in cohort
    assert "Awards, by file:" in out and f"content/assertions/imported/{award.badge}.yaml: 1 award" in out

    # Rebuilt here: a new id and this site's URLs, the email still matches, the document points back.
    build_site(repo)
    hosted = repo / f"output/assertions/{award.id}.json"
    assertion = json.loads(hosted.read_text(encoding="utf-8"))
    assert assertion["recipient"]["identity"] == sha256(MOODLE_EMAIL + MOODLE_SALT)
    assert assertion["evidence"][-1]["id"] == url
    assert main(["verify", str(hosted), "--site", str(repo / "output"), "--email", MOODLE_EMAIL]) == 0


def test_a_badgr_export_imports_every_assertion_and_never_its_plaintext_emails(platforms, repo, tmp_path, capsys):
    url = platforms.badgr()
    export = tmp_path / "badgr-export.json"
    export.write_bytes(platforms.fixture("badgr/export.json"))
    code, out, err = run_import(capsys, str(export), "--root", str(repo))
    assert code == 0, err
    site, award = imported_award(repo, url)
    assert award.imported_from.platform == "openbadges"  # 127.0.0.1 says nothing of Badgr …
    assert award.salt == BADGR_SALT and award.narrative == "Presented a working prototype at the spring showcase."
    assert [(e.url, e.narrative) for e in award.evidence] == [
        ("https://portfolio.example.org/dana/showcase", "Showcase recording and slides")
    ]
    badge = site.badges[award.badge]
    assert badge.tags == ("design", "teamwork")
    assert [(a.name.all_languages("ja"), a.framework, a.code) for a in badge.alignments] == [
        ("Creative problem solving", "Example Skills Framework", "CPS-2")
    ]
    # Badgr's export carries each recipient's email in plain text: it never reaches the repository.
    assert not any(BADGR_EMAIL.encode() in body for body in files_of(repo).values())


def test_the_platform_is_told_by_the_url_or_given(platforms, repo, capsys):
    url = platforms.obf()
    code, _out, err = run_import(capsys, url, "--platform", "obf", "--root", str(repo))
    assert code == 0, err
    _site, award = imported_award(repo, url)
    assert award.imported_from.platform == "obf"
    assert award.expires is not None and award.expires.isoformat() == "2027-11-30T00:00:00+02:00"


def test_an_obf_event_export_imports_each_assertion_and_never_its_emails(platforms, repo, tmp_path, capsys):
    """Open Badge Factory's list of an event's assertions names each earner by email and links the hosted
    assertion: each award is verified there, keeps the hash and salt OBF published, and no email is written."""
    urls = {email: platforms.obf(email) for email in (OBF_EMAIL, OBF_EMAIL_2)}
    export = platforms.obf_export(tmp_path)
    code, out, err = run_import(capsys, str(export), "--root", str(repo))
    assert code == 0, err
    assert re.search(r"content/assertions/imported/[\w-]+\.yaml: 2 awards", out)
    for email, url in urls.items():
        _site, award = imported_award(repo, url)
        assert award.imported_from.platform == "obf"  # told by the export's format, not by the host
        assert award.identity_hash == sha256(email + OBF_SALT) and award.salt == OBF_SALT
        assert award.expires is not None and award.expires.isoformat() == "2027-11-30T00:00:00+02:00"
    assert not any(e.encode() in body for body in files_of(repo).values() for e in urls)
    build_site(repo)
    _site, award = imported_award(repo, urls[OBF_EMAIL_2])
    hosted = repo / f"output/assertions/{award.id}.json"
    assert main(["verify", str(hosted), "--site", str(repo / "output"), "--email", OBF_EMAIL_2]) == 0


def test_an_obf_export_naming_another_earner_than_its_assertion_is_refused(platforms, repo, tmp_path, capsys):
    platforms.obf(OBF_EMAIL)
    platforms.obf(OBF_EMAIL_2)
    export = platforms.obf_export(tmp_path, OBF_EMAIL_2="someone.else@example.fi")
    before = files_of(repo)
    code, _out, err = run_import(capsys, str(export), "--root", str(repo))
    assert code == 1
    assert "not imported: the export names another recipient than its assertion does" in err
    assert "1 source cannot be imported; nothing was written" in err and files_of(repo) == before
    assert "someone.else@example.fi" not in err  # the email is not repeated on the terminal either


def test_obf_event_list_without_assertion_links_is_refused_with_what_to_export(platforms, repo, capsys):
    code, _out, err = run_import(capsys, str(FIXTURES / "obf/events.jsonl"), "--root", str(repo))
    assert code == 1
    assert "Open Badge Factory's list of events" in err
    assert "GET /v1/event/{client}/{event}/assertion" in err


def test_an_unsalted_hash_is_kept_and_no_salt_is_published(platforms, repo, capsys):
    url = platforms.plain("member-1")
    assert run_import(capsys, url, "--root", str(repo))[0] == 0
    _site, award = imported_award(repo, url)
    assert award.identity_hash == sha256(PLAIN_EMAIL) and award.salt == ""
    build_site(repo)
    hosted = repo / f"output/assertions/{award.id}.json"
    assert "salt" not in json.loads(hosted.read_text(encoding="utf-8"))["recipient"]
    assert main(["verify", str(hosted), "--site", str(repo / "output"), "--email", PLAIN_EMAIL]) == 0


def test_a_revoked_award_is_refused_unless_imported_as_revoked(platforms, repo, capsys):
    url = platforms.plain("revoked")
    before = files_of(repo)
    code, _out, err = run_import(capsys, url, "--root", str(repo))
    assert code == 1
    assert "its issuer revoked it (Awarded to the wrong member); --include-revoked imports it as revoked" in err
    assert "nothing was written" in err and files_of(repo) == before

    code, out, err = run_import(capsys, url, "--include-revoked", "--root", str(repo))
    assert code == 0, err
    assert "(1 revoked)" in out
    _site, award = imported_award(repo, url)
    assert award.revoked is not None and award.revoked.reason.all_languages("en") == "Awarded to the wrong member"


def test_a_badgr_assertion_revoked_is_published_stripped_and_imports_from_the_earners_copy(
    platforms, repo, tmp_path, capsys
):
    """Badgr publishes a revoked assertion as its id, `revoked: true` and the reason only."""
    platforms.badgr()
    held = json.loads(platforms.fixture("badgr/assertion.json"))
    revoked_url = held["id"].replace("Qm3vX8kTRuWy0nA1bC2dEf", "Vt5wK9rLSe2Xb8cN4dPqRs")
    held["id"] = revoked_url
    platforms.serve("/public/assertions/Vt5wK9rLSe2Xb8cN4dPqRs", platforms.fixture("badgr/revoked.json"))
    code, _out, err = run_import(capsys, revoked_url, "--root", str(repo))
    assert code == 1 and "its issuer revoked it (Issued to the wrong participant)" in err
    code, _out, err = run_import(capsys, revoked_url, "--include-revoked", "--root", str(repo))
    assert code == 1 and "publishes only that it was revoked; give the badge its earner holds" in err
    earners_copy = tmp_path / "dana.json"
    earners_copy.write_text(json.dumps(held), encoding="utf-8")
    code, out, err = run_import(capsys, str(earners_copy), "--include-revoked", "--root", str(repo))
    assert code == 0, err
    assert "(1 revoked)" in out
    _site, award = imported_award(repo, revoked_url)
    assert award.revoked is not None and award.revoked.reason.all_languages("en") == "Issued to the wrong participant"
    assert award.identity_hash == sha256(BADGR_EMAIL + BADGR_SALT) and award.salt == BADGR_SALT


def test_a_tampered_copy_is_refused_and_nothing_is_written(platforms, repo, tmp_path, capsys):
    url = platforms.badgr()
    held = json.loads(platforms.fixture("badgr/assertion.json"))
    held["issuedOn"] = "2020-01-01T00:00:00+00:00"  # backdated in the earner's copy
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(held), encoding="utf-8")
    good = platforms.moodle()
    before = files_of(repo)
    code, _out, err = run_import(capsys, good, str(forged), "--root", str(repo))
    assert code == 1
    assert f"{forged}: error: not imported" in err
    assert "the issue date differs from the assertion the issuer publishes" in err
    assert "1 source cannot be imported; nothing was written" in err
    assert files_of(repo) == before  # the good source was not imported either
    assert url  # served, so that the forged copy was compared with the real one


def test_an_md5_recipient_and_an_unreachable_url_are_reported_per_source(platforms, repo, tmp_path, capsys):
    held = json.loads(platforms.fixture("openbadges/assertion.json", NAME="md5", HASH="md5$" + "0" * 32))
    platforms.plain("unused")
    platforms.serve("/badges/a/md5.json", json.dumps(held).encode())
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    nowhere = f"http://127.0.0.1:{closed.server_address[1]}/badges/a/gone.json"
    closed.server_close()  # nothing listens there any more
    code, _out, err = run_import(capsys, platforms.base + "/badges/a/md5.json", nowhere, "--root", str(repo))
    assert code == 1
    assert "cannot keep an md5-hashed recipient" in err
    assert f"{nowhere}: error: not imported" in err and "could not reach" in err
    assert "2 sources cannot be imported; nothing was written" in err


def test_a_second_run_adds_nothing_and_dry_run_writes_nothing(platforms, repo, tmp_path, capsys):
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# the old LMS\n{platforms.moodle()}\n\n{platforms.plain('member-2')}\n", encoding="utf-8")
    before = files_of(repo)
    code, out, err = run_import(capsys, str(listing), "--dry-run", "--root", str(repo))
    assert code == 0 and "dry run: nothing was written" in err
    assert files_of(repo) == before
    assert re.search(r"Issuers:\n  .+: new\n  .+: new\nBadges:", out)
    assert run_import(capsys, str(listing), "--root", str(repo))[0] == 0
    after = files_of(repo)
    assert len([p for p in after if p.startswith("content/assertions/imported/")]) == 2

    code, out, _err = run_import(capsys, str(listing), "--root", str(repo))
    assert code == 0 and files_of(repo) == after
    assert "Skipped 2 awards imported before" in out and "none: nothing to import" in out


def test_new_awards_of_a_badge_imported_before_join_its_cohort_file(platforms, repo, capsys):
    assert run_import(capsys, platforms.plain("member-3"), "--root", str(repo))[0] == 0
    assert run_import(capsys, platforms.plain("member-4", "kim@example.org"), "--root", str(repo))[0] == 0
    site, _warnings = load_site(repo)
    imported = [a for a in site.awards if a.imported_from]
    assert len(imported) == 2 and len({a.badge for a in imported}) == 1 and len({a.source.path for a in imported}) == 1
    assert len([b for b in site.badges.values() if b.name.all_languages("en") == "Community Mentor"]) == 1


def test_the_plan_in_japanese(platforms, repo, capsys):
    code, out, err = run_import(capsys, platforms.moodle(), "--dry-run", "--lang", "ja", "--root", str(repo))
    assert code == 0, err
    assert "取り込みの計画：" in out and "授与（ファイルごと）：" in out and "新規" in out
    assert "試行（dry run）：何も書き込んでいません" in err


def test_badge_images_become_png_or_stay_svg():
    def picture(kind: str) -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (32, 32), (10, 120, 200)).save(buffer, kind)
        return buffer.getvalue()

    fetcher = Fetcher()
    for kind in ("JPEG", "GIF"):
        data = "data:image/x;base64," + base64.b64encode(picture(kind)).decode()
        converted, suffix, _caption = badge_image({"id": data, "caption": "A blue square"}, fetcher)
        assert suffix == "png" and Image.open(io.BytesIO(converted)).format == "PNG"
    svg = "data:image/svg+xml;base64," + base64.b64encode(SVG).decode()
    assert badge_image(svg, fetcher)[:2] == (SVG, "svg")
    with pytest.raises(SourceProblem, match="not an image"):
        badge_image("data:image/png;base64," + base64.b64encode(b"not a picture").decode(), fetcher)


def test_a_sitegen_site_imported_into_a_new_repository_keeps_every_recipient(make_site, repo, tmp_path, capsys):
    """The round trip: every award of a built site, read from its folder (a saved copy), rebuilt elsewhere."""
    emails = {"alice@example.org": AWARD_ID, "carol@example.org": "7c9e6679-7425-40de-944b-e07fc1f90ae7"}
    # The source site without its revoked award: a revoked one is published stripped, with nothing to import.
    source = make_site({"content/assertions/2026/spring.yaml": ALICE_ONLY})
    build_site(source)
    code, out, err = run_import(capsys, str(source / "output"), "--root", str(repo))
    assert code == 0, err
    site, _warnings = load_site(repo)
    imported = {a.imported_from.url: a for a in site.awards if a.imported_from}
    assert len(imported) == len(emails)
    assert all(a.imported_from.platform == "sitegen" for a in imported.values())
    build_site(repo)
    for email, old_id in emails.items():
        award = imported[f"https://example.github.io/badges/assertions/{old_id}.json"]
        assert award.id != old_id
        hosted = repo / f"output/assertions/{award.id}.json"
        # Carol's star expired (valid for a year): it still names her, and the import kept its expiry.
        expired = email.startswith("carol")
        capsys.readouterr()
        assert main(["verify", str(hosted), "--site", str(repo / "output"), "--email", email]) == (1 if expired else 0)
        out = capsys.readouterr().out
        assert ("EXPIRED" if expired else "VALID") in out and "not awarded" not in out
        assert main(["verify", str(hosted), "--site", str(repo / "output"), "--email", "x" + email]) == 1
        assert f"the badge was not awarded to x{email}" in capsys.readouterr().out


def test_sitegen_check_shows_an_import_like_new_awards(platforms, repo, tmp_path, capsys):
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    moodle, badgr = platforms.moodle(), platforms.badgr()
    assert run_import(capsys, moodle, badgr, "--root", str(repo))[0] == 0
    site, _warnings = load_site(repo)
    imported = [a for a in site.awards if a.imported_from]
    code = main(["check", "--base", "main", "--root", str(repo), "--summary", str(tmp_path / "summary.md")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "| awards issued | 2 |" in out and "| badges added / changed | 2 / 0 |" in out
    assert "| issuers added / changed | 2 / 0 |" in out
    assert all(a.id in out for a in imported)


def test_offline_reads_a_saved_copy_of_the_old_site(platforms, repo, tmp_path, capsys):
    """A copy saved as `wget --mirror` saves it: DIR/<host>/<path>, the query kept in the file's name."""
    platforms.moodle()
    saved = tmp_path / "saved"
    for path, (body, _kind) in platforms.routes.items():
        target = saved / "moodle.uni.example.ac.jp" / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body.replace(platforms.base.encode(), b"https://moodle.uni.example.ac.jp"))
    platforms.stop()  # nothing is served any more: every read comes from the copy
    url = "https://moodle.uni.example.ac.jp" + MOODLE_PATH
    code, _out, err = run_import(capsys, url, "--offline", str(saved), "--root", str(repo))
    assert code == 0, err
    _site, award = imported_award(repo, url)
    assert award.imported_from.platform == "moodle" and award.salt == MOODLE_SALT
    missing = "https://moodle.uni.example.ac.jp/moodle/badges/assertion.php?b=0000&obversion=2"
    code, _out, err = run_import(capsys, missing, "--offline", str(saved), "--root", str(repo))
    assert code == 1 and f"HTTP 404 for {missing}" in err


@pytest.fixture(scope="module")
def signed_site(tmp_path_factory):
    """A built sitegen site with Open Badges 3.0 credentials (signed) and baked credential images."""
    from conftest import default_files, write_files

    from sitegen.openbadges.keys import generate

    private, public = generate()
    files = default_files()
    files["content/assertions/2026/spring.yaml"] = ALICE_ONLY
    files["content/site.yaml"] = textwrap.dedent(str(files["content/site.yaml"])) + (
        f"keys:\n  - id: key-1\n    public_key: {public}\n"
    )
    root = write_files(tmp_path_factory.mktemp("signed") / "site", files)
    build_site(root, environ={"SITEGEN_SIGNING_KEY": private})
    return root


@pytest.mark.parametrize("form", ["json", "png"])
def test_an_ob3_credential_imports_from_its_json_or_baked_image(signed_site, repo, form, capsys):
    credential = signed_site / f"output/credentials/{AWARD_ID}.{form}"
    if not credential.exists():
        pytest.skip(f"the site publishes no credentials/{AWARD_ID}.{form}")
    code, _out, err = run_import(capsys, str(credential), "--offline", str(signed_site / "output"), "--root", str(repo))
    assert code == 0, err
    original = f"https://example.github.io/badges/credentials/{AWARD_ID}.json"
    site, award = imported_award(repo, original)
    assert award.identity_hash == identity_hash() and award.salt == SALT
    assert award.issued_on.date().isoformat() == "2026-04-01"
    badge = site.badges[award.badge]
    assert badge.name.all_languages("en") == "Python Basics" and badge.tags == ("python", "programming")
    build_site(repo)
    hosted = repo / f"output/assertions/{award.id}.json"
    assert main(["verify", str(hosted), "--site", str(repo / "output"), "--email", "alice@example.org"]) == 0


def test_an_obf_api_v2_recipient_list_imports_each_linked_credential(signed_site, repo, tmp_path, capsys):
    """OBF's API v2 lists an event's recipients by email, each with `assertion_json_url`, its hosted Open Badges 3.0
    credential: here a signed sitegen one (a did:web issuer), read from a saved copy; OBF's own did:key-signed form
    is imported from 127.0.0.1 in the test below."""
    credential = f"https://example.github.io/badges/credentials/{AWARD_ID}.json"
    values = {"BASE": "https://openbadgefactory.com", "CREDENTIAL": credential, "ASSERTION_ID": "d11bd893abd2186c"}
    text = (FIXTURES / "obf/event-recipients.json").read_text(encoding="utf-8")
    for key, value in {**values, "EMAIL": "alice@example.org", "NAME": "Alice Example"}.items():
        text = text.replace("{{" + key + "}}", value)
    export = tmp_path / "obf-recipients.json"
    export.write_text(text, encoding="utf-8")
    offline = ["--offline", str(signed_site / "output"), "--root", str(repo)]
    code, out, err = run_import(capsys, str(export), *offline)
    assert code == 0, err
    assert "did:key" not in out  # a did:web issuer's key is its own: nothing to warn of
    _site, award = imported_award(repo, credential)
    assert award.imported_from.platform == "obf"
    assert award.identity_hash == identity_hash() and award.salt == SALT
    assert not any(b"alice@example.org" in body or b"Alice Example" in body for body in files_of(repo).values())

    export.write_text(text.replace("alice@example.org", "bob@example.org"), encoding="utf-8")
    code, _out, err = run_import(capsys, str(export), *offline)
    assert code == 1 and "the export names another recipient than its assertion does" in err


OBF_CREDENTIAL = "9c3e5a7b1d2f4e6a8b0c1d3e5f7a9b2c4d6e8f0a"  # /obv3/credentials/<40 hex>, as OBF names them


def obf_did_key_credential(platforms: Platforms, did: str, email: str = OBF_EMAIL) -> dict:
    """An unsigned Open Badges 3.0 credential shaped like those Open Badge Factory publishes (the one quoted in
    tests/fixtures/import/obf/credential-did-key.json: its keys, a did:key issuer, a 1EdTechRevocationList), its
    URLs on 127.0.0.1."""
    doc = json.loads((FIXTURES / "obf/credential-did-key.json").read_text(encoding="utf-8"))
    doc.pop("proof")
    base = platforms.base
    doc["id"] = f"{base}/obv3/credentials/{OBF_CREDENTIAL}"
    doc["issuer"].update(id=did, name="Kajaani Summer School", url="https://summer.example.fi/")
    doc["issuer"]["email"] = "badges@summer.example.fi"
    doc["credentialStatus"]["id"] = f"{base}/obv3/revoked/T5EFVQa25J64aLH8/T5EFYFaNXGXaD13"
    doc["credentialSubject"]["identifier"][0].update(salt=OBF_SALT, identityHash=sha256(email + OBF_SALT))
    achievement = doc["credentialSubject"]["achievement"]
    achievement["image"]["id"] = f"{base}/obv3/images/badge/{'5e' * 32}"
    achievement["criteria"]["id"] = f"{base}/v1/badge/_/T5EFYFaNXGXaD13/criteria.html?v=2.0"
    achievement["id"] = f"{base}/obv3/achievements/T5EFYFaNXGXaD13?lang=en"
    return doc


def serve_obf_credential(platforms: Platforms, doc: dict, signer, verification_method: str) -> str:
    """The credential signed, served at its id and at its `assertion_json_url` (<id>.json), with its badge image
    and its issuer's revocation list: what OBF's API v2 recipient list links to."""
    from sitegen.openbadges.proofs import sign_credential

    signed = json.dumps(sign_credential(doc, signer, verification_method, "2026-04-01T09:00:05Z")).encode()
    path = doc["id"].removeprefix(platforms.base)
    platforms.serve(path, signed)
    platforms.serve(
        doc["credentialSubject"]["achievement"]["image"]["id"].removeprefix(platforms.base),
        png_bytes(64, (30, 90, 200)),
        "image/png",
    )
    revocations = {"id": doc["credentialStatus"]["id"], "issuer": doc["issuer"]["id"], "revokedCredentials": []}
    platforms.serve(doc["credentialStatus"]["id"].removeprefix(platforms.base), json.dumps(revocations).encode())
    return platforms.serve(path + ".json", signed)


def obf_recipients(platforms: Platforms, tmp_path: Path, credential_url: str, email: str = OBF_EMAIL) -> Path:
    """OBF's API v2 list of an event's recipients, linking `credential_url`, as a client saves it."""
    values = {"CREDENTIAL": credential_url, "ASSERTION_ID": OBF_CREDENTIAL, "EMAIL": email, "NAME": "Lauri Virtanen"}
    export = tmp_path / "obf-recipients.json"
    export.write_bytes(platforms.fixture("obf/event-recipients.json", **values))
    return export


def test_an_obf_recipient_list_imports_a_credential_signed_with_a_did_key(platforms, repo, tmp_path, capsys):
    """Open Badge Factory signs its Open Badges 3.0 credentials with a did:key: each is verified with the key its
    DID is made of (a fresh key here, signed by sitegen's own signer), its hash and salt kept, the export's email
    only checked against it; the imported award rebuilds and still matches the earner's email."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from sitegen.openbadges.keys import public_multikey

    key = Ed25519PrivateKey.generate()
    multibase = public_multikey(key.public_key())
    did = f"did:key:{multibase}"
    doc = obf_did_key_credential(platforms, did)
    export = obf_recipients(platforms, tmp_path, serve_obf_credential(platforms, doc, key, f"{did}#{multibase}"))

    code, out, err = run_import(capsys, str(export), "--root", str(repo), "--dry-run", "--lang", "ja")
    assert code == 0, err
    assert "1 件の授与は、発行者が did:key だけで示されています" in out  # the plan says whom the import vouches for
    code, out, err = run_import(capsys, str(export), "--root", str(repo))
    assert code == 0, err
    assert (
        "1 award's issuer is identified by a did:key only: its signature proves the award unchanged, not who issued "
        "it; import it only if you trust where you got it from"
    ) in out
    site, award = imported_award(repo, doc["id"])
    assert award.imported_from.platform == "obf"
    assert award.identity_hash == sha256(OBF_EMAIL + OBF_SALT) and award.salt == OBF_SALT
    assert award.issued_on.isoformat() == "2025-11-08T08:38:36+00:00"
    badge = site.badges[award.badge]
    assert badge.name.all_languages("en") == "Test Badge" and badge.tags == ("Tag1", "Tag2")
    assert site.issuers[badge.issuer].name.all_languages("en") == "Kajaani Summer School"
    assert not any(OBF_EMAIL.encode() in body or b"Lauri" in body for body in files_of(repo).values())

    build_site(repo)
    hosted = repo / f"output/assertions/{award.id}.json"
    assert main(["verify", str(hosted), "--site", str(repo / "output"), "--email", OBF_EMAIL]) == 0
    assert main(["verify", str(hosted), "--site", str(repo / "output"), "--email", OBF_EMAIL_2]) == 1


@pytest.mark.parametrize("forgery", ["signed by another key", "a fragment naming another key"])
def test_an_obf_credential_not_signed_by_its_did_keys_own_key_is_refused_and_nothing_written(
    forgery, platforms, repo, tmp_path, capsys
):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from sitegen.openbadges.keys import public_multikey

    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    multibase, other_multibase = public_multikey(key.public_key()), public_multikey(other.public_key())
    did = f"did:key:{multibase}"
    # Both signed by the other key: one names the issuer's key (the signature does not match it), the other names
    # the other key under the issuer's DID (a did:key has one key: that is not it).
    method = f"{did}#{multibase}" if forgery == "signed by another key" else f"{did}#{other_multibase}"
    doc = obf_did_key_credential(platforms, did)
    export = obf_recipients(platforms, tmp_path, serve_obf_credential(platforms, doc, other, method))
    before = files_of(repo)

    code, _out, err = run_import(capsys, str(export), "--root", str(repo))
    assert code == 1 and "not imported: it does not verify" in err and "nothing was written" in err
    expected = {
        "signed by another key": "the signature does not match the credential",
        "a fragment naming another key": "a did:key has one key",
    }[forgery]
    assert expected in err
    assert files_of(repo) == before


def test_a_tampered_credential_is_refused(signed_site, repo, tmp_path, capsys):
    doc = json.loads((signed_site / f"output/credentials/{AWARD_ID}.json").read_text(encoding="utf-8"))
    doc["validFrom"] = "2020-01-01T00:00:00Z"
    forged = tmp_path / "forged-credential.json"
    forged.write_text(json.dumps(doc), encoding="utf-8")
    code, _out, err = run_import(capsys, str(forged), "--offline", str(signed_site / "output"), "--root", str(repo))
    assert code == 1 and "not imported: it does not verify" in err and "nothing was written" in err


def test_moodle_badges_of_one_site_share_one_issuer(platforms, repo, capsys):
    """Moodle gives each badge's issuer an id of its own (badge_json.php?id=N&action=0): one issuer all the same."""
    first = platforms.moodle()
    second_path = MOODLE_PATH.replace(MOODLE_HASH, "0" * 40)
    body = platforms.fixture("moodle/assertion.json").decode()
    for old, new in (("badge_json.php?id=7", "badge_json.php?id=8"), (MOODLE_HASH, "0" * 40)):
        body = body.replace(old, new)
    body = body.replace("情報リテラシー基礎", "情報リテラシー応用")
    badge = platforms.fixture("moodle/badge_json.json").decode().replace("badge_json.php?id=7", "badge_json.php?id=8")
    platforms.serve(
        "/moodle/badges/badge_json.php?id=8", badge.replace("情報リテラシー基礎", "情報リテラシー応用").encode()
    )
    issuer = platforms.fixture("moodle/issuer_json.json").decode().replace("id=7", "id=8")
    platforms.serve("/moodle/badges/badge_json.php?id=8&action=0&obversion=2", issuer.encode())
    second = platforms.serve(second_path, body.encode())
    assert run_import(capsys, first, "--root", str(repo))[0] == 0
    assert run_import(capsys, second, "--root", str(repo))[0] == 0  # a later run finds the issuer imported before
    site, first_award = imported_award(repo, first)
    _site, second_award = imported_award(repo, second)
    assert first_award.badge != second_award.badge
    assert site.badges[first_award.badge].issuer == site.badges[second_award.badge].issuer
    assert len(site.issuers) == 2  # `sitegen new`'s example organisation, and the university's centre


def test_a_revoked_award_published_stripped_imports_from_the_earners_copy(make_site, repo, tmp_path, capsys):
    from conftest import REVOKED_ID

    source = make_site()
    spring = source / "content/assertions/2026/spring.yaml"
    revoked_line = "    revoked: {on: 2026-05-01, reason: Awarded by mistake}\n"
    text = spring.read_text(encoding="utf-8")
    spring.write_text(text.replace(revoked_line, ""), encoding="utf-8")
    build_site(source)  # before the revocation: Bob saves his badge
    held = tmp_path / "bob.json"
    held.write_bytes((source / f"output/assertions/{REVOKED_ID}.json").read_bytes())
    spring.write_text(text, encoding="utf-8")
    build_site(source)  # revoked: the site publishes only that

    url = f"https://example.github.io/badges/assertions/{REVOKED_ID}.json"
    offline = ["--offline", str(source / "output"), "--include-revoked", "--root", str(repo)]
    code, _out, err = run_import(capsys, url, *offline)
    assert code == 1 and "publishes only that it was revoked; give the badge its earner holds" in err
    code, out, err = run_import(capsys, str(held), *offline)
    assert code == 0, err
    _site, award = imported_award(repo, url)
    assert award.revoked is not None and award.revoked.reason.all_languages("en") == "Awarded by mistake"
    assert award.identity_hash == identity_hash("bob@example.org") and award.salt == SALT


def test_an_email_published_in_plain_text_is_hashed_with_a_new_salt_and_never_stored(platforms, repo, capsys):
    platforms.plain("unused")
    doc = json.loads(platforms.fixture("openbadges/assertion.json", NAME="open", HASH=""))
    doc["recipient"] = {"type": "email", "hashed": False, "identity": "Open.Earner@example.org"}
    url = platforms.serve("/badges/a/open.json", json.dumps(doc).encode())
    code, out, err = run_import(capsys, url, "--root", str(repo))
    assert code == 0, err
    assert "1 recipient was published as a plain email: it is hashed with a new salt and not stored" in out
    _site, award = imported_award(repo, url)
    assert len(award.salt) == 32 and award.identity_hash == identity_hash("open.earner@example.org", award.salt)
    assert not any(b"earner@example.org" in body.lower() for body in files_of(repo).values())
