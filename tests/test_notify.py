"""sitegen notify against a real SMTP server (aiosmtpd on 127.0.0.1) and a built scratch site served over HTTP:
what arrives (recipients, subjects in both languages, links that resolve in the served site), the ledger, reminders,
--dry-run and --outbox."""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import textwrap
import threading
import urllib.parse
import urllib.request
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller
from browser import Server, free_port
from conftest import AWARD_ID, REVOKED_ID, SALT, default_files, identity_hash, write_files
from helpers import edit

from sitegen.build.pipeline import build_site
from sitegen.build.render import ThemeEnvironment
from sitegen.cli import main
from sitegen.commands import notify as notify_module

DAVE_ID = "3f2b8c1d-6a7e-4b9f-8c2d-1e0f9a8b7c6d"  # a star that expires in 20 days
ERIN_ID = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"  # wants her messages in Japanese
CAROL_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"  # expired in the scratch site
TODAY = date.today()


@pytest.fixture(autouse=True)
def not_in_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)  # the log of a CI run hides addresses (tests/test_notify_smtp.py)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The scratch site with two more awards, built for the address it is served at. The server serves a copy of
    output/ (`public`), so that a test can take an award offline for a moment."""
    port = free_port()
    root = tmp_path_factory.mktemp("notify-site")
    files = default_files()
    files["content/site.yaml"] = edit(
        textwrap.dedent(files["content/site.yaml"]), "https://example.github.io/badges", f"http://127.0.0.1:{port}"
    )
    files["content/assertions/2026/more.yaml"] = f"""\
        badge: star
        issued_on: {TODAY - timedelta(days=300)}
        awards:
          - id: {DAVE_ID}
            recipient: {{hash: "{identity_hash("dave@example.org")}", salt: "{SALT}"}}
            expires: {TODAY + timedelta(days=20)}
          - id: {ERIN_ID}
            recipient: {{hash: "{identity_hash("erin@example.org")}", salt: "{SALT}"}}
            expires: {TODAY + timedelta(days=200)}
        """
    write_files(root, files)
    build_site(root)
    public = root / "public"
    shutil.copytree(root / "output", public)
    server = Server(public, port)
    yield server, root
    server.stop()


@pytest.fixture
def root(site, tmp_path):
    """A fresh clone of the content repository for each test (its own ledger), for the same served site."""
    _server, source = site
    clone = tmp_path / "repo"
    shutil.copytree(source / "content", clone / "content")
    return clone


class Mailbox:
    """The SMTP handler: keeps what arrives; refuses the recipients in `refuse` as a real server would."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage, bytes]] = []
        self.refuse: set[str] = set()
        self.refuse_senders: set[str] = set()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if address in self.refuse_senders:
            return "553 5.7.1 Sender address rejected: not owned by user"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = bytes(envelope.content)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message, raw))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> email.message.EmailMessage:
        found = [message for rcpt, message, _raw in self.messages if rcpt == [address]]
        assert len(found) == 1, [rcpt for rcpt, _m, _r in self.messages]
        return found[0]

    @property
    def recipients(self) -> list[str]:
        return [rcpt[0] for rcpt, _message, _raw in self.messages]


@pytest.fixture
def smtp(monkeypatch):
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SITEGEN_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.delenv("SITEGEN_SMTP_PASSWORD", raising=False)
    yield mailbox
    controller.stop()


def write_csv(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "recipients.csv"  # outside the repository, as staff keep it
    path.write_text(textwrap.dedent(rows), encoding="utf-8")
    return path


def run(root: Path, csv: Path, *options: str) -> int:
    return main(["notify", "--csv", str(csv), "--root", str(root), "-q", *options])


def ledger(root: Path) -> list[dict]:
    path = root / "content" / "notified.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []


class Links(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.hrefs: list[str] = []
        self.sources: list[str] = []
        self.tags: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        values = dict(attrs)
        if values.get("href"):
            self.hrefs.append(values["href"])
        if values.get("src"):
            self.sources.append(values["src"])


def status_of(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def test_each_matched_award_is_announced_once_with_links_that_resolve(site, root, smtp, tmp_path, capsys):
    server, _source = site
    csv = write_csv(
        tmp_path,
        """\
        email,name,language
        Alice@Example.org,Alice Example,
        bob@example.org,,
        carol@example.org,,
        nobody@example.org,,
        erin@example.org,江里,ja
        """,
    )
    assert run(root, csv) == 1  # a row matched nothing: said, with its line, and nothing sent for it
    err = capsys.readouterr().err
    assert f"{csv}:5: nobody@example.org holds no award of this site; nothing was sent" in err
    assert f"{csv}:3: award {REVOKED_ID} is revoked: not announced" in err
    assert f"{csv}:4: award {CAROL_ID} is expired: not announced" in err
    assert sorted(smtp.recipients) == ["Alice@Example.org", "erin@example.org"]

    alice = smtp.to("Alice@Example.org")
    # Both of the site's languages, the default (en) first; the Japanese subject is RFC 2047-encoded on the wire.
    assert alice["Subject"] == (
        "You have earned the badge “Python Basics” from Test University / "
        "テスト大学 からバッジ「Python 基礎」が授与されました"
    )
    raw = next(raw for rcpt, _m, raw in smtp.messages if rcpt == ["Alice@Example.org"])
    header = raw.split(b"\r\n\r\n", 1)[0]
    assert header.isascii() and b"=?utf-8?" in header
    assert str(alice["From"]) == "Test University <badges@uni.example.org>"
    assert alice["List-Unsubscribe"] == "<mailto:badges@uni.example.org>"
    assert alice.get_content_type() == "multipart/alternative"
    text = alice.get_body(("plain",)).get_content()
    html = alice.get_body(("html",)).get_content()
    assert alice.get_body(("html",)).get_content_charset() == "utf-8"
    page = f"{server.url}/assertions/{AWARD_ID}.html"
    for words in ("Dear Alice Example,", "Test University has awarded you the badge “Python Basics”.", page):
        assert words in text
    assert "Alice Example 様" in text  # the Japanese half greets by the sheet's name too
    assert f"{page}?lang=ja" in text  # the page's own share link in Japanese
    assert f"{server.url}/assertions/{AWARD_ID}.png" in text  # the baked image to download
    assert "mailto:" not in text and "badges@uni.example.org" in text

    links = Links(html)
    # No tracking: the one image is the badge's own, nothing else is loaded from anywhere.
    assert set(links.sources) == {f"{server.url}/badges/python-basics.png"}
    assert not links.tags & {"script", "link", "iframe", "object", "form", "style"}
    status, image = status_of(f"{server.url}/badges/python-basics.png")
    assert status == 200 and image.startswith(b"\x89PNG")
    site_links = [href for href in links.hrefs if href.startswith(server.url)]
    assert page in site_links and f"{page}?lang=ja" in site_links
    for href in site_links:  # every link into the site resolves in the served build
        assert status_of(href)[0] == 200, href
    linkedin = [href for href in links.hrefs if href.startswith("https://www.linkedin.com/profile/add?")]
    assert len(linkedin) == 2 and "certId=" + AWARD_ID in linkedin[0]
    report = [href for href in links.hrefs if href.startswith("mailto:")]
    assert report and all(href.startswith("mailto:badges@uni.example.org?subject=") for href in report)
    assert all(AWARD_ID in urllib.parse.unquote(href) for href in report)

    erin = smtp.to("erin@example.org")  # the language column: her message in Japanese only
    assert erin["Subject"] == "テスト大学 からバッジ「Star」が授与されました"
    assert str(erin["From"]) == "テスト大学 <badges@uni.example.org>"
    erin_text = erin.get_body(("plain",)).get_content()
    assert "江里 様" in erin_text and "You have earned" not in erin_text and "有効期限" in erin_text

    # The ledger: ids, kinds and days, never an email.
    assert sorted(entry["award"] for entry in ledger(root)) == sorted([AWARD_ID, ERIN_ID])
    assert all(entry["kind"] == "issued" for entry in ledger(root))
    assert "@" not in (root / "content" / "notified.yaml").read_text(encoding="utf-8")

    # Any staff member's next run sends nothing again.
    smtp.messages.clear()
    assert run(root, csv) == 1
    assert smtp.messages == []
    assert "2 message(s) were sent before (content/notified.yaml): not sent again" in capsys.readouterr().err


def test_a_refused_recipient_mid_run_leaves_the_ledger_exact(root, smtp, tmp_path, capsys):
    csv = write_csv(
        tmp_path,
        """\
        email
        alice@example.org
        dave@example.org
        erin@example.org
        """,
    )
    smtp.refuse = {"dave@example.org"}
    assert run(root, csv) == 1
    err = capsys.readouterr().err
    assert f"{csv}:3: the mail server refused the message to dave@example.org (550 5.1.1 No such user here)" in err
    assert smtp.recipients == ["alice@example.org", "erin@example.org"]  # the others were still sent
    assert [entry["award"] for entry in ledger(root)] == [AWARD_ID, ERIN_ID]

    # The server takes Dave's now: only his is sent.
    smtp.refuse, smtp.messages = set(), []
    assert run(root, csv) == 0
    assert smtp.recipients == ["dave@example.org"]
    assert [entry["award"] for entry in ledger(root)] == [AWARD_ID, ERIN_ID, DAVE_ID]


def test_dry_run_sends_and_writes_nothing(root, smtp, tmp_path, capsys):
    csv = write_csv(tmp_path, "email\nalice@example.org\n")
    assert run(root, csv, "--dry-run") == 0
    out, err = capsys.readouterr()
    assert "would send to alice@example.org: You have earned the badge “Python Basics”" in out
    assert "dry run: 1 message(s) would be sent; nothing was sent or written" in err
    assert smtp.messages == [] and not (root / "content" / "notified.yaml").exists()


def test_outbox_writes_eml_files_that_parse_back(root, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("SITEGEN_SMTP_URL", raising=False)  # no mail server needed
    csv = write_csv(tmp_path, "email,language\nalice@example.org,日本語\n")
    outbox = tmp_path / "outbox"
    assert run(root, csv, "--outbox", str(outbox), "--from", "Badge Office <office@uni.example.org>") == 0
    files = sorted(outbox.iterdir())
    assert [file.name for file in files] == [f"{AWARD_ID}-issued.eml"]
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == "alice@example.org"
    assert str(message["From"]) == "Badge Office <office@uni.example.org>"
    assert message["Subject"] == "テスト大学 からバッジ「Python 基礎」が授与されました"
    assert message["Message-ID"].endswith("@uni.example.org>") and message["Date"]
    assert "Python 基礎" in message.get_body(("plain",)).get_content()
    assert '<section lang="ja">' in message.get_body(("html",)).get_content()
    assert ledger(root) == [{"award": AWARD_ID, "kind": "issued", "date": ledger(root)[0]["date"], "via": "outbox"}]
    assert f"wrote {files[0]} for alice@example.org" in capsys.readouterr().out


def test_an_award_not_online_yet_is_not_announced_until_it_is(site, root, smtp, tmp_path, capsys, monkeypatch):
    server, source = site
    public = source / "public"
    page = public / "assertions" / f"{AWARD_ID}.html"
    hidden = tmp_path / "page.html"
    shutil.move(page, hidden)  # the deploy has not published it yet
    csv = write_csv(tmp_path, "email\nalice@example.org\n")
    try:
        assert run(root, csv) == 1
        assert f"award {AWARD_ID} is not online yet (HTTP 404 for {server.url}/assertions/{AWARD_ID}.html)" in (
            capsys.readouterr().err
        )
        assert smtp.messages == [] and ledger(root) == []

        # --wait: it is published while notify waits.
        monkeypatch.setattr(notify_module, "WAIT_STEP", 0.2)
        restore = threading.Timer(0.5, shutil.move, (hidden, page))
        restore.start()
        assert run(root, csv, "--wait", "20") == 0
        restore.join()
    finally:
        if hidden.exists():
            shutil.move(hidden, page)
    assert smtp.recipients == ["alice@example.org"]


def test_reminders_before_expiry_once_per_window(site, root, smtp, tmp_path, capsys):
    server, _source = site
    csv = write_csv(tmp_path, "email\nalice@example.org\ndave@example.org\nerin@example.org\n")
    assert run(root, csv, "--expiring-within", "30d") == 0
    assert smtp.recipients == ["dave@example.org"]  # Alice's never expires, Erin's not within 30 days
    dave = smtp.to("dave@example.org")
    expires = TODAY + timedelta(days=20)
    assert dave["Subject"].startswith(f"Your badge “Star” expires on {expires:%B} {expires.day}, {expires.year} / ")
    text = dave.get_body(("plain",)).get_content()
    assert "To renew it, ask Test University (badges@uni.example.org): a renewal is a new award" in text
    assert "更新をご希望の場合は" in text
    assert f"{server.url}/assertions/{DAVE_ID}.html" in text
    assert ledger(root)[0]["kind"] == "expiring-30d"

    smtp.messages.clear()
    assert run(root, csv, "--expiring-within", "30d") == 0  # once per award and window
    assert smtp.messages == []
    assert run(root, csv, "--expiring-within", "60d") == 0  # another window: reminded again
    assert smtp.recipients == ["dave@example.org"]
    # The announcements are another kind: the reminders did not use them up.
    smtp.messages.clear()
    assert run(root, csv) == 0
    assert sorted(smtp.recipients) == ["alice@example.org", "dave@example.org", "erin@example.org"]


def test_again_resends_one_award(root, smtp, tmp_path, capsys):
    csv = write_csv(tmp_path, "email\nalice@example.org\nerin@example.org\n")
    assert run(root, csv) == 0
    smtp.messages.clear()
    assert run(root, csv, "--again", ERIN_ID) == 0
    assert smtp.recipients == ["erin@example.org"]
    assert [entry["award"] for entry in ledger(root)] == [AWARD_ID, ERIN_ID, ERIN_ID]
    assert run(root, csv, "--again", REVOKED_ID) == 1  # not an award of these rows: nothing sent
    assert "--again 0a1b2c3d" in capsys.readouterr().err
    assert len(smtp.messages) == 1


def test_no_password_without_tls(root, smtp, tmp_path, monkeypatch, capsys):
    url = os.environ["SITEGEN_SMTP_URL"]
    monkeypatch.setenv("SITEGEN_SMTP_URL", url.replace("smtp://", "smtp://office@"))
    monkeypatch.setenv("SITEGEN_SMTP_PASSWORD", "secret")
    csv = write_csv(tmp_path, "email\nalice@example.org\n")
    assert run(root, csv) == 1
    err = capsys.readouterr().err
    assert "127.0.0.1 offers no TLS (STARTTLS), so the password was not sent" in err
    assert "secret" not in err
    assert smtp.messages == [] and ledger(root) == []


def test_japanese_terminal_messages(root, smtp, tmp_path, capsys):
    csv = write_csv(tmp_path, "email\nalice@example.org\nnobody@example.org\n")
    assert main(["--lang", "ja", "notify", "--csv", str(csv), "--root", str(root), "--dry-run", "-q"]) == 1
    out, err = capsys.readouterr()
    assert "alice@example.org に送信予定：" in out
    assert f"{csv}:3：nobody@example.org はこのサイトのバッジを授与されていません" in err or (
        "nobody@example.org はこのサイトのバッジを授与されていません。何も送信していません" in err
    )


def test_the_sites_theme_words_its_own_messages(root, smtp, tmp_path):
    """A content repository's themes/default/mail/ overrides a template, rendered in the pages' sandbox."""
    write_files(
        root,
        {
            "themes/default/mail/issued_subject.txt": "{{ badge.name|text }} — {{ site.config.name|text }}\n",
            "content/site.yaml": (root / "content" / "site.yaml").read_text(encoding="utf-8"),
        },
    )
    csv = write_csv(tmp_path, "email,language\nalice@example.org,en\n")
    assert run(root, csv) == 0
    assert smtp.to("alice@example.org")["Subject"] == "Python Basics — Test University Badges"


def test_a_theme_cannot_reach_beyond_data(root, smtp, tmp_path, capsys):
    write_files(root, {"themes/default/mail/issued_subject.txt": "{{ ''.__class__.__mro__ }}\n"})
    csv = write_csv(tmp_path, "email\nalice@example.org\n")
    assert run(root, csv) == 1
    assert smtp.messages == [] and ledger(root) == []
    assert (
        "themes/default/mail/issued_subject.txt:1: the mail template failed: a template may not use '__class__' of a "
        "'str' object (templates get data only); nothing was sent" in capsys.readouterr().err
    )


def test_an_award_the_live_site_says_is_revoked_is_not_announced(site, root, smtp, tmp_path, capsys):
    """A clone that has not pulled the revocation yet: the published JSON is what counts."""
    server, source = site
    published = source / "public" / "assertions" / f"{AWARD_ID}.json"
    original = published.read_bytes()
    data = json.loads(original)
    published.write_text(json.dumps({**data, "revoked": True, "revocationReason": "Awarded by mistake"}))
    csv = write_csv(tmp_path, "email\nalice@example.org\nALICE@example.org\n")
    try:
        assert run(root, csv) == 1
    finally:
        published.write_bytes(original)
    assert f"{server.url}/assertions/{AWARD_ID}.json says it is revoked" in capsys.readouterr().err
    assert smtp.messages == [] and ledger(root) == []
    assert run(root, csv) == 0  # the same address on two rows: one message
    assert smtp.recipients == ["alice@example.org"]


def test_help_in_japanese(capsys):
    with pytest.raises(SystemExit):
        main(["--lang", "ja", "notify", "--help"])
    shown = "".join(capsys.readouterr().out.split())  # argparse wraps lines where the terminal ends
    for words in (
        "この日数以内に有効期限が切れる授与の受領者に再通知します",
        "送信する内容を表示します（送信も記録もしません）",
        "content/notified.yamlに記録されます",
    ):
        assert words in shown, words


def test_a_refused_sender_stops_the_run_before_anything_is_recorded(root, smtp, tmp_path, capsys):
    smtp.refuse_senders = {"badges@uni.example.org"}
    csv = write_csv(tmp_path, "email\nalice@example.org\nerin@example.org\n")
    assert run(root, csv) == 1
    err = capsys.readouterr().err
    assert "the mail server refused the sender badges@uni.example.org (553 5.7.1 Sender address rejected" in err
    assert "give --from an address it accepts" in err
    assert smtp.messages == [] and ledger(root) == []
    assert run(root, csv, "--from", "Badge Office <office@uni.example.org>") == 0
    assert sorted(smtp.recipients) == ["alice@example.org", "erin@example.org"]
    assert {str(message["From"]) for _rcpt, message, _raw in smtp.messages} == {"Badge Office <office@uni.example.org>"}


def test_every_object_a_mail_template_can_reach_is_plain_data(root, smtp, tmp_path, monkeypatch):
    """With templates of its own the repository's messages render in the pages' sandbox, and what notify gives them
    is data only (the globals are the pages', walked by tests/test_theme_sandbox.py)."""
    from test_theme_sandbox import reachable_problems

    write_files(root, {"themes/default/mail/_note.txt": "a theme of its own"})
    seen = []
    original = ThemeEnvironment.render_page

    def record(self, template, context):  # the real rendering, recording what it was given
        seen.append((template.name, self, dict(context)))
        return original(self, template, context)

    monkeypatch.setattr(ThemeEnvironment, "render_page", record)
    csv = write_csv(tmp_path, "email\nalice@example.org\n")
    assert run(root, csv) == 0
    assert {"issued_subject.txt", "issued.txt", "issued.html", "layout.html"} <= {name for name, _e, _c in seen}
    problems = []
    for name, env, context in seen:
        problems += reachable_problems(env, {f"{name}: {key}": value for key, value in context.items()})
    assert problems == []
    assert smtp.recipients == ["alice@example.org"]
