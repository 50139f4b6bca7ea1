"""`sitegen verify` catches forged badges, and a network failure is "could not be verified right now" (issue 13,
item 2).

A real signed site is built for https://127.0.0.1:PORT/badges and served over real TLS (so did:web resolves as on
GitHub Pages); every forgery is made with the real baking code from the site's own published files: another
badge's picture with a genuine award baked in, an embedded assertion naming another badge, date and recipient, a
credential whose achievement was edited. Each is checked over the network and offline against the built folder
(--site)."""

from __future__ import annotations

import io
import json
import shutil
import socket
import textwrap
from pathlib import Path

import pytest
from browser import free_port
from conftest import AWARD_ID, REVOKED_ID, identity_hash, png_bytes, write_files
from PIL import Image
from test_verify_binding import TlsServer, _certificate, site_files

from sitegen.build.pipeline import build_site
from sitegen.cli import main
from sitegen.openbadges import baking
from sitegen.openbadges.keys import generate
from sitegen.verify.fetch import Fetcher
from sitegen.verify.inputs import verify_file

STAR_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"  # the star award (an SVG badge; expired since 2026-01-15)
RED_ID = "3e0f5a1b-9c2d-4e7f-8a6b-5c4d3e2f1a0b"  # an award of the red badge, whose picture differs
CONFIRMS, PICTURE = "issuer's site confirms", "image matches the badge"


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    cert, key = _certificate(tmp_path_factory.mktemp("tls"))
    server = TlsServer(cert, key)
    yield cert, server
    server.stop()


@pytest.fixture(autouse=True)
def trust_test_certificate(tls, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(tls[0]))


@pytest.fixture(scope="module")
def built(tls, tmp_path_factory):
    """The signed site with one more badge, whose picture is red, built once for the site server's address."""
    _cert, server = tls
    base = f"{server.url}/badges"
    private, public = generate()
    files = site_files(base, public, None)
    files["content/images/red.png"] = png_bytes(color=(200, 30, 30))
    files["content/badgeclasses/red.yaml"] = textwrap.dedent("""\
        issuer: test-uni
        name: Red
        description: A red badge.
        image: images/red.png
        image_caption: A red square
        criteria: Be red.
        """)
    files["content/assertions/red.yaml"] = textwrap.dedent(f"""\
        badge: red
        issued_on: 2026-02-01
        awards:
          - id: {RED_ID}
            recipient: {{hash: "{identity_hash("erin@example.org")}", salt: "0123456789abcdef0123456789abcdef"}}
        """)
    root = write_files(tmp_path_factory.mktemp("forgeries"), files)
    assert build_site(root, environ={"SITEGEN_SIGNING_KEY": private}).signed
    return base, root / "output"


class Site:
    """One test's copy of the built site, served; `folder` is also what --site reads offline."""

    def __init__(self, base: str, folder: Path, scratch: Path):
        self.base, self.folder, self.scratch = base, folder, scratch

    def bytes(self, rel: str) -> bytes:
        return (self.folder / rel).read_bytes()

    def doc(self, rel: str) -> dict:
        return json.loads(self.bytes(rel))

    def url(self, rel: str) -> str:
        return f"{self.base}/{rel}"

    def file(self, name: str, data: bytes) -> Path:
        path = self.scratch / name
        path.write_bytes(data)
        return path


@pytest.fixture
def site(built, tls, tmp_path):
    base, output = built
    www = tmp_path / "www"
    shutil.copytree(output, www / "badges")
    tls[1].serve(www)
    (tmp_path / "hand").mkdir()
    return Site(base, www / "badges", tmp_path / "hand")


def ob2_baked(picture: bytes, assertion: dict | str, url: str) -> bytes:
    text = assertion if isinstance(assertion, str) else json.dumps(assertion)
    if picture.startswith(b"\x89PNG"):
        return baking.bake_png(picture, baking.OB2_PNG_KEYWORD, text)
    return baking.bake_ob2_svg(picture, url, text)


def ob3_baked(picture: bytes, credential: dict | str) -> bytes:
    text = credential if isinstance(credential, str) else json.dumps(credential)
    if picture.startswith(b"\x89PNG"):
        return baking.bake_png(picture, baking.OB3_PNG_KEYWORD, text)
    return baking.bake_svg(picture, baking.OB3_SVG_NAMESPACE, "credential", text)


def verify(capsys, target, *options) -> tuple[int, dict]:
    """`sitegen verify TARGET --json`: the exit code and the one result."""
    capsys.readouterr()
    code = main(["verify", str(target), *map(str, options), "--json"])
    return code, json.loads(capsys.readouterr().out)["results"][0]


def verdicts(result: dict) -> dict[str, str]:
    return {check["name"]: check["verdict"] for check in result["checks"]}


def failed(result: dict) -> set[str]:
    return {name for name, verdict in verdicts(result).items() if verdict == "failed"}


def messages(result: dict, code: str) -> str:
    return " | ".join(f["message"] for f in result["findings"] if f["code"] == code)


WAYS = ["network", "offline"]  # verify fetches from the served site, or reads the built folder (--site)


def options(site: Site, way: str) -> list:
    return ["--site", site.folder] if way == "offline" else []


def in_hand(site: Site, rel: str, way: str) -> Path:
    """The file verified: in the built folder offline, a copy held elsewhere over the network (verify reads the
    built folder a file is in, as --site would)."""
    return site.folder / rel if way == "offline" else site.file(rel.replace("/", "-"), site.bytes(rel))


# --- (d) what is genuine stays valid, and says what was checked -------------------------------------------


@pytest.mark.parametrize("way", WAYS)
def test_genuine_baked_images_and_credentials_stay_valid_and_list_the_new_checks(site, capsys, way):
    for rel, status in (
        (f"assertions/{AWARD_ID}.png", "valid"),
        (f"credentials/{AWARD_ID}.png", "valid"),
        (f"assertions/{STAR_ID}.svg", "expired"),
        (f"credentials/{STAR_ID}.svg", "expired"),
        (f"assertions/{REVOKED_ID}.png", "revoked"),
    ):
        code, result = verify(capsys, in_hand(site, rel, way), *options(site, way))
        assert result["status"] == status, (rel, result["findings"])
        assert code == (0 if status == "valid" else 1)
        # A revoked award's hosted assertion is stripped: it names no badge image to compare with.
        picture = "skipped" if rel.startswith("assertions/") and status == "revoked" else "passed"
        assert verdicts(result)[CONFIRMS] == "passed" and verdicts(result)[PICTURE] == picture, rel
    for rel in (f"credentials/{AWARD_ID}.json", f"assertions/{AWARD_ID}.json"):  # a badge file in hand
        code, result = verify(capsys, in_hand(site, rel, way), *options(site, way))
        assert (code, result["status"], verdicts(result)[CONFIRMS]) == (0, "valid", "passed"), rel
        assert PICTURE not in verdicts(result)  # no picture in a JSON file


def test_genuine_badges_verify_by_url_with_the_new_checks(site, capsys):
    for rel in (f"assertions/{AWARD_ID}.png", f"credentials/{AWARD_ID}.png", f"credentials/{AWARD_ID}.json"):
        code, result = verify(capsys, site.url(rel))
        assert (code, result["status"]) == (0, "valid"), (rel, result["findings"])
        assert verdicts(result)[CONFIRMS] == "passed", rel
    assert verdicts(result := verify(capsys, site.url(f"credentials/{AWARD_ID}.png"))[1])[PICTURE] == "passed"


def test_a_folder_of_genuine_badges_still_verifies(site, capsys):
    capsys.readouterr()
    assert main(["verify", str(site.folder), "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    images = [r for r in results if r["subject"].endswith((".png", ".svg"))]
    assert len(images) == 10
    for r in images:
        stripped = r["subject"].startswith("assertions/") and r["status"] == "revoked"
        assert verdicts(r)[PICTURE] == ("skipped" if stripped else "passed"), r["subject"]
    assert all(verdicts(r)[CONFIRMS] == "passed" for r in images)


def test_a_re_encoded_copy_of_the_badge_picture_still_matches(site, capsys):
    """A backpack may re-encode a PNG: the same pixels are the same picture. Other pixels are not."""
    credential = site.bytes(f"credentials/{AWARD_ID}.json").decode()
    for color, status in (((11, 92, 173), "valid"), ((11, 92, 174), "invalid")):
        buffer = io.BytesIO()
        Image.new("RGB", (64, 64), color).save(buffer, "PNG", compress_level=1)
        assert buffer.getvalue() != site.bytes("badges/python-basics.png")
        code, result = verify(capsys, site.file("copy.png", ob3_baked(buffer.getvalue(), credential)))
        assert result["status"] == status, result["findings"]
        assert verdicts(result)[PICTURE] == ("passed" if status == "valid" else "failed")


# --- (a) another badge's picture with a genuine award baked in ---------------------------------------------


@pytest.mark.parametrize("way", WAYS)
def test_another_badges_picture_with_a_genuine_award_baked_in_is_invalid(site, capsys, way):
    red = site.bytes("badges/red.png")
    star = site.bytes("badges/star.svg")
    other_star = star.replace(b'fill="#0b5cad"', b'fill="#c81e1e"')
    assert other_star != star
    forgeries = {
        "ob2 png": ob2_baked(red, site.bytes(f"assertions/{AWARD_ID}.json").decode(), ""),
        "ob3 png": ob3_baked(red, site.bytes(f"credentials/{AWARD_ID}.json").decode()),
        "ob2 svg": ob2_baked(
            other_star, site.bytes(f"assertions/{STAR_ID}.json").decode(), site.url(f"assertions/{STAR_ID}.json")
        ),
        "ob3 svg": ob3_baked(other_star, site.bytes(f"credentials/{STAR_ID}.json").decode()),
    }
    for name, image in forgeries.items():
        path = site.file(f"forged.{name[-3:]}", image)
        code, result = verify(capsys, path, *options(site, way))
        assert (code, result["status"]) == (1, "invalid"), name
        assert failed(result) - {"expiry"} == {PICTURE}, (name, result["findings"])  # the star award expired
        assert verdicts(result)[CONFIRMS] == "passed"  # the data is genuine: only the picture lies
        assert "the picture is not the image of the badge" in messages(result, "verify.image.not-the-badge")
    capsys.readouterr()
    assert main(["verify", str(path), *map(str, options(site, way))]) == 1
    out = capsys.readouterr().out
    assert out.startswith("INVALID") and "the picture is not the image of the badge" in out


# --- (b) an embedded OB 2.0 assertion that is not the one the issuer publishes ------------------------------


def edited_assertion(site: Site) -> dict:
    """Award A's assertion, re-pointed at another badge, backdated and re-addressed to mallory."""
    doc = site.doc(f"assertions/{AWARD_ID}.json")
    doc["badge"] = site.url("badges/red.json")
    doc["issuedOn"] = "2024-01-01T00:00:00+09:00"
    doc["recipient"]["identity"] = identity_hash("mallory@example.org")
    return doc


@pytest.mark.parametrize("way", WAYS)
def test_an_embedded_assertion_naming_another_badge_date_and_recipient_is_invalid(site, capsys, way):
    url = site.url(f"assertions/{AWARD_ID}.json")
    # In the badge's own picture only the data is wrong; in the other badge's picture (the one the edited data
    # names) the picture is not the badge the issuer's copy is of either.
    for picture, wrong in (("python-basics", {CONFIRMS}), ("red", {CONFIRMS, PICTURE})):
        path = site.file("edited.png", ob2_baked(site.bytes(f"badges/{picture}.png"), edited_assertion(site), url))
        code, result = verify(capsys, path, *options(site, way))
        assert (code, result["status"], failed(result)) == (1, "invalid", wrong), result["findings"]
        assert messages(result, "verify.baked.differs-from-hosted") == (
            f"the badge, issue date and recipient differ from the assertion the issuer publishes at {url}"
        )


def test_json_equal_means_equal_json_not_equal_python(site, capsys):
    """`true` is not `1` and a missing field is not `null`, though Python compares them equal."""
    for change in ({"recipient": {"hashed": 1}}, {"narrative": None}):
        doc = site.doc(f"assertions/{AWARD_ID}.json")
        for key, value in change.items():
            doc[key] = {**doc[key], **value} if isinstance(value, dict) else value
        path = site.file("subtle.png", ob2_baked(site.bytes("badges/python-basics.png"), doc, ""))
        code, result = verify(capsys, path)
        assert (code, failed(result)) == (1, {CONFIRMS}), change


def test_an_edited_assertion_in_a_json_file_is_invalid_too(site, capsys):
    path = site.file("edited.json", json.dumps(edited_assertion(site)).encode())
    code, result = verify(capsys, path)
    assert (code, result["status"], failed(result)) == (1, "invalid", {CONFIRMS})


def test_an_image_baked_before_its_award_was_revoked_is_revoked_not_forged(site, capsys):
    """Revoking adds `revoked` to the issuer's copy after the image was handed out: that is no forgery."""
    before = site.doc(f"assertions/{AWARD_ID}.json")  # as the revoked award's was: its copy is now stripped
    before["id"] = site.url(f"assertions/{REVOKED_ID}.json")
    before["recipient"]["identity"] = identity_hash("bob@example.org")
    before["image"] = site.url(f"assertions/{REVOKED_ID}.png")
    path = site.file("old.png", ob2_baked(site.bytes("badges/python-basics.png"), before, ""))
    code, result = verify(capsys, path)
    assert (code, result["status"], result["revoked"]) == (1, "revoked", "Awarded by mistake"), result["findings"]


# --- (c) an OB 3.0 image whose achievement was edited --------------------------------------------------------


@pytest.mark.parametrize("way", WAYS)
def test_an_ob3_image_whose_achievement_was_edited_is_invalid(site, capsys, way):
    credential = site.doc(f"credentials/{AWARD_ID}.json")
    credential["credentialSubject"]["achievement"]["name"] = "Python Mastery"
    path = site.file("edited.png", ob3_baked(site.bytes("badges/python-basics.png"), credential))
    code, result = verify(capsys, path, *options(site, way))
    assert (code, result["status"]) == (1, "invalid")
    assert {"signature", CONFIRMS} <= failed(result), result["findings"]
    assert messages(result, "verify.baked.differs-from-hosted") == (
        "the achievement differs from the credential the issuer publishes at "
        + site.url(f"credentials/{AWARD_ID}.json")
    )
    assert verdicts(result)[PICTURE] == "passed"  # the issuer's copy names this picture


# --- (e) no answer: could not be verified right now ---------------------------------------------------------


def test_a_badge_whose_site_refuses_connections_could_not_be_verified_right_now(site, capsys):
    closed = f"http://127.0.0.1:{free_port()}/badges"  # nothing listens there
    text = site.bytes(f"assertions/{AWARD_ID}.json").decode().replace(site.base, closed)
    path = site.file("elsewhere.png", ob2_baked(site.bytes("badges/python-basics.png"), text, ""))
    code, result = verify(capsys, path)
    assert (code, result["status"]) == (4, "unverifiable")
    assert verdicts(result)["readable"] == "unverifiable"
    assert all(f["code"] == "verify.document.unreachable" for f in result["findings"] if f["level"] == "error")
    capsys.readouterr()
    assert main(["verify", str(path)]) == 4
    out = capsys.readouterr().out
    assert "INVALID" not in out
    assert out.startswith("COULD NOT BE VERIFIED right now: ") and "try again later" in out
    assert "checked 1: 1 unverifiable" in out


def test_a_server_that_never_answers_is_a_timeout_not_a_forgery(site, capsys):
    with socket.socket() as silent:  # accepts connections (the backlog) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        base = f"http://127.0.0.1:{silent.getsockname()[1]}/badges"
        text = site.bytes(f"assertions/{AWARD_ID}.json").decode().replace(site.base, base)
        path = site.file("silent.png", ob2_baked(site.bytes("badges/python-basics.png"), text, ""))
        result = verify_file(path, Fetcher(timeout=0.5))
    assert result.status == "unverifiable", result.findings
    assert "could not reach" in result.findings[0].message


def test_a_certificate_that_cannot_be_checked_is_unverifiable_not_invalid(site, capsys, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE")  # the test certificate is then trusted by nobody
    code, result = verify(capsys, in_hand(site, f"credentials/{AWARD_ID}.png", "network"))
    assert (code, result["status"]) == (4, "unverifiable"), result["findings"]


# --- (f) an answer, even a 404, is no network failure --------------------------------------------------------


def test_a_badge_its_site_no_longer_publishes_stays_invalid(site, capsys):
    for rel, image in (
        (f"assertions/{AWARD_ID}.json", f"assertions/{AWARD_ID}.png"),
        (f"credentials/{AWARD_ID}.json", f"credentials/{AWARD_ID}.png"),
    ):
        held = site.file("held" + Path(image).suffix, site.bytes(image))
        (site.folder / rel).unlink()  # the issuer's site answers 404
        code, result = verify(capsys, held)
        assert (code, result["status"]) == (1, "invalid"), rel
        assert "HTTP 404" in messages(result, "verify.document.unreadable")
        assert verdicts(result)["readable"] == "failed"


def test_help_names_the_exit_code_a_script_may_retry_on(capsys):
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    assert "4 could not be verified right now" in " ".join(capsys.readouterr().out.split())
