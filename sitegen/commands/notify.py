"""`sitegen notify`: tell the earners of their awards by email, and remind them before an award expires.

sitegen never stores an email: the recipients' spreadsheet (the one `sitegen issue` took, kept outside the
repository) is read again at the moment of sending, and each row's email is matched with the awards by hashing it
with each award's salt, as `issue` does. What was sent is kept in content/notified.yaml, a plain file of award
ids, kinds and days that is committed with the content, so that nobody's next run, on any machine, sends it again.

Only live awards are announced: the award's page and its JSON must answer 200 at base_url (a deploy may still be
running: --wait), and a revoked award is never announced.
"""

from __future__ import annotations

import os
import re
import smtplib
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

import jinja2
import yaml
from markupsafe import Markup

from sitegen.build.render import Renderer, TemplateProblem, linkedin_url, published_award
from sitegen.commands import mail
from sitegen.commands.authoring import (
    AuthoringError,
    _awards_to,
    _column_names,
    _hashed_awards,
    _read_table,
    _sheet_notes,
    _text,
)
from sitegen.content.site import load_site
from sitegen.diagnostics import Location, SitegenError
from sitegen.messages import _, ngettext
from sitegen.model import LANGUAGES, Award, Site
from sitegen.progress import N_, NO_PROGRESS, Progress
from sitegen.recipients import EMAIL
from sitegen.verify.fetch import Fetcher, FetchError

LEDGER = Path("content") / "notified.yaml"
LEDGER_HEADER = """\
# The awards whose recipients `sitegen notify` has told, so that nobody's next run tells them again.
# Written by sitegen after each message: award id, what was sent, the day (never an email address).
# Commit this file with the content. To send one again: sitegen notify --again AWARD-ID.
"""
ISSUED = "issued"
CHECK_STAGE = N_("Checking that the awards are online")
SEND_STAGE = N_("Sending messages")
WAIT_STEP = 10.0  # seconds between two looks at the site while waiting for a deploy
LOOKS_AT_ONCE = 8  # awards checked at the same time
# The `language` column: the words a spreadsheet may use for each language of the messages.
LANGUAGE_WORDS = {
    "ja": "ja",
    "jp": "ja",
    "japanese": "ja",
    "日本語": "ja",
    "en": "en",
    "english": "en",
    "英語": "en",
}


class NotifyError(SitegenError):
    """Nothing can be sent: the request, the spreadsheet, the ledger or the mail server is wrong."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = problems or []


# --- the ledger ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    award: str
    kind: str  # "issued", or "expiring-30d": a reminder within that window
    day: date  # the day it was sent, in the site's time zone
    via: str | None = None  # "outbox": written as an .eml file for another mail system to send


class Ledger:
    """content/notified.yaml: one line per message sent, rewritten whole (atomically) after each one, so that a
    run stopped at any point leaves it recording exactly what was sent."""

    def __init__(self, root: Path):
        self.path = root / LEDGER
        self.entries: list[Entry] = self._read()

    def _read(self) -> list[Entry]:
        if not self.path.is_file():
            return []
        rel = LEDGER.as_posix()
        try:
            data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise NotifyError(
                _("{path} cannot be read ({reason}); restore it from Git").format(path=rel, reason=exc)
            ) from None
        entries = []
        for number, item in enumerate(data or [], 1):
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("award"), str)
                or not isinstance(item.get("kind"), str)
                or not isinstance(item.get("date"), date)
            ):
                raise NotifyError(
                    _("{path}: entry {number} is not like {{award: ID, kind: issued, date: 2026-04-01}}").format(
                        path=rel, number=number
                    )
                )
            entries.append(Entry(item["award"], item["kind"], item["date"], item.get("via")))
        return entries

    def has(self, award_id: str, kind: str) -> bool:
        return any(entry.award == award_id and entry.kind == kind for entry in self.entries)

    def record(self, entry: Entry) -> None:
        self.entries.append(entry)
        lines = [LEDGER_HEADER]
        for item in self.entries:
            via = f", via: {item.via}" if item.via else ""
            lines.append(f'- {{award: "{item.award}", kind: {item.kind}, date: {item.day.isoformat()}{via}}}\n')
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A new file renamed over the old one: the ledger is either the one before or the one after, never half.
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".notified-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
                file.write("".join(lines))
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


# --- what to send --------------------------------------------------------------------------------------------


def expiring_days(text: str) -> int:
    """The window of --expiring-within: "30d" (or "30"), or weeks as "4w"."""
    match = re.fullmatch(r"\s*(\d{1,4})\s*([dw]?)\s*", text.lower())
    if not match or int(match.group(1)) == 0:
        raise ValueError(text)
    return int(match.group(1)) * (7 if match.group(2) == "w" else 1)


def reminder_kind(days: int) -> str:
    return f"expiring-{days}d"


@dataclass(frozen=True)
class Notice:
    """One message to send: an award, to the email of the row that matched it."""

    award: Award
    email: str
    name: str | None  # the spreadsheet's name column: only in the message, never written anywhere
    languages: tuple[str, ...]
    kind: str
    row: Location


@dataclass
class Outcome:
    """What a run did, for the CLI to say: nothing is printed here."""

    notes: list[str] = field(default_factory=list)  # how the spreadsheet was read
    unmatched: list[str] = field(default_factory=list)  # rows that match no award, with their line: none sent
    skipped: list[str] = field(default_factory=list)  # revoked, expired or already notified: none sent
    not_live: list[str] = field(default_factory=list)  # not answering 200 at base_url (after --wait): none sent
    done: list[tuple[Notice, str, str]] = field(default_factory=list)  # (notice, subject, .eml file or "")
    failed: list[str] = field(default_factory=list)  # refused by the mail server
    already: int = 0  # messages the ledger says were sent before

    @property
    def ok(self) -> bool:
        return not (self.unmatched or self.not_live or self.failed)


def _row_languages(value: str, site: Site) -> tuple[str, ...] | None:
    """The languages of a row's message: its `language` cell, else the site's (the default language first)."""
    default = site.config.default_language
    if not value:
        return (default, *[lang for lang in LANGUAGES if lang != default])
    lang = LANGUAGE_WORDS.get(value.strip().lower())
    return (lang,) if lang else None


def plan(
    site: Site,
    path: Path,
    ledger: Ledger,
    outcome: Outcome,
    *,
    sheet: str | None,
    window: int | None,
    again: Sequence[str],
    now: datetime,
    shown: Callable[[str], str] = str,
) -> list[Notice]:
    """The messages a spreadsheet asks for: each row's awards not notified yet (of this kind)."""
    try:
        table = _read_table(path, sheet)
        header, _problems = _column_names(table, path, None)  # other columns (a mail merge's) are fine
    except AuthoringError as exc:
        raise NotifyError(str(exc), exc.problems) from None
    if table.problems:
        raise NotifyError(
            ngettext(
                "{count} problem in {path}; nothing was sent",
                "{count} problems in {path}; nothing was sent",
                len(table.problems),
            ).format(count=len(table.problems), path=path),
            table.problems,
        )
    outcome.notes.extend(_sheet_notes(path, table))
    kind = reminder_kind(window) if window else ISSUED
    hashed = _hashed_awards(list(site.awards))
    notices: list[Notice] = []
    matched: set[str] = set()
    for row in table.rows:
        cells = {key: _text(cell) for key, cell in zip(header, row.cells, strict=True)}
        email = cells.get("email", "")
        if not EMAIL.match(email):
            outcome.unmatched.append(
                _("{where}: '{email}' is not an email address").format(where=row.where, email=shown(email))
                if email
                else _("{where}: no email").format(where=row.where)
            )
            continue
        languages = _row_languages(cells.get("language", ""), site)
        if languages is None:
            outcome.unmatched.append(
                _("{where}: language must be ja or en, not '{value}'; nothing was sent to {email}").format(
                    where=row.where, value=cells.get("language"), email=shown(email)
                )
            )
            continue
        awards = sorted(_awards_to(email, hashed), key=lambda a: (a.issued_on, a.id))
        if not awards:
            outcome.unmatched.append(
                _("{where}: {email} holds no award of this site; nothing was sent").format(
                    where=row.where, email=shown(email)
                )
            )
            continue
        matched.update(award.id for award in awards)
        for award in awards:
            reason = _not_to_announce(award, window, now)
            if reason == "":
                continue  # not expiring within the window: nothing to remind of, nothing to say
            if reason:
                outcome.skipped.append(
                    _("{where}: award {award} is {reason}: not announced").format(
                        where=row.where, award=award.id, reason=reason
                    )
                )
                continue
            if ledger.has(award.id, kind) and award.id not in again:
                outcome.already += 1
                continue
            if any(notice.award.id == award.id for notice in notices):
                continue  # the same address on two rows: one message
            notices.append(Notice(award, email, cells.get("name") or None, languages, kind, row.where))
    unknown = [award_id for award_id in again if award_id not in matched]
    if unknown:
        raise NotifyError(
            _("--again {award}: no row of {path} holds this award; nothing was sent").format(
                award=", ".join(unknown), path=path
            )
        )
    return notices


def _not_to_announce(award: Award, window: int | None, now: datetime) -> str | None:
    """Why an award gets no message of this run (in words), "" for an award a reminder does not concern, or None."""
    if award.revoked:
        return _("revoked")
    if window is not None:  # a reminder: only awards that expire within the window
        if award.expires is None or not now < award.expires <= now + timedelta(days=window):
            return ""
    elif award.expires is not None and award.expires <= now:
        return _("expired")
    return None


# --- only live awards ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Live:
    credentials: bool  # the signed OB 3.0 credential answers too (a wallet can take it)


def _look(site: Site, award: Award) -> Live | str:
    """Whether the award's page and JSON answer 200 at base_url (and its JSON is not revoked), or why not."""
    urls = site.urls
    fetcher = Fetcher(timeout=20)  # a new one each look: it remembers its answers
    try:
        fetcher.get(urls.url(urls.assertion_page(award.id)))
        assertion = fetcher.get_json(urls.url(urls.assertion_json(award.id)))
    except FetchError as exc:
        return str(exc)
    if assertion.get("revoked") is True:
        return _("{url} says it is revoked").format(url=urls.url(urls.assertion_json(award.id)))
    try:
        fetcher.get_json(urls.url(urls.credential_json(award.id)))
    except FetchError:
        return Live(credentials=False)
    return Live(credentials=True)


def check_live(site: Site, awards: list[Award], wait: float, progress: Progress = NO_PROGRESS) -> dict[str, Live | str]:
    """Each award's Live, or why it is not live after waiting up to `wait` seconds for the deploy."""
    deadline = time.monotonic() + wait
    found: dict[str, Live | str] = {}
    pending = list({award.id: award for award in awards}.values())
    progress.start(CHECK_STAGE, len(pending))
    # A few requests at a time: a cohort of a thousand awards is three thousand requests to the site.
    with ThreadPoolExecutor(max_workers=LOOKS_AT_ONCE) as pool:
        while True:
            still = []
            for award, state in zip(pending, pool.map(lambda award: _look(site, award), pending), strict=True):
                found[award.id] = state
                if isinstance(state, Live):
                    progress.advance()
                else:
                    still.append(award)
            pending = still
            if not pending or time.monotonic() >= deadline:
                break
            time.sleep(min(WAIT_STEP, max(deadline - time.monotonic(), 0)))
    progress.finish()
    return found


# --- the messages --------------------------------------------------------------------------------------------


class Composer:
    """Messages rendered from the theme's mail/ templates, in the same sandbox as the pages."""

    def __init__(self, root: Path, site: Site, sender: str | None):
        self.root, self.site = root, site
        self.sender = _sender(sender) if sender else None
        self._renderers: dict[str, Renderer] = {}

    def renderer(self, lang: str) -> Renderer:
        if lang not in self._renderers:
            self._renderers[lang] = Renderer(self.root, self.site, lang, folder="mail")
        return self._renderers[lang]

    def award_url(self, award: Award, lang: str) -> str:
        """The award page in `lang`, as the page's own share link gives it: its page in that language, or the one
        page with ?lang= (award_pages: one_language)."""
        urls = self.site.urls
        if self.site.config.award_pages == "every_language":
            return urls.url(self.renderer(lang).award_page_path(award))
        page = urls.url(urls.assertion_page(award.id))
        return page if lang == self.site.config.default_language else f"{page}?lang={lang}"

    def context(self, notice: Notice, lang: str, live: Live, window: int | None) -> dict:
        site, award = self.site, notice.award
        urls = site.urls
        badge = site.badges[award.badge]
        kind = badge.image.kind
        award_url = self.award_url(award, lang)
        return {
            "kind": "issued" if window is None else "expiring",
            "award": published_award(award),
            "badge": badge,
            "issuer": site.issuers[badge.issuer],
            "recipient_name": notice.name,
            "award_url": award_url,
            "linkedin": linkedin_url(site, award, lang, cert_url=award_url),
            "image": self.renderer(lang).share_image(badge),  # a PNG: mail programs show no SVG
            "image_caption": badge.image_caption.get(lang),
            "json_url": urls.url(urls.assertion_json(award.id)),
            "credential_url": urls.url(urls.credential_json(award.id)) if live.credentials else None,
            "baked_url": urls.url(urls.assertion_image(award.id, kind)) if site.config.baked_files else None,
            "baked_credential_url": (
                urls.url(urls.credential_image(award.id, kind))
                if site.config.baked_files and live.credentials
                else None
            ),
            "window_days": window,
        }

    def compose(self, notice: Notice, live: Live, window: int | None) -> EmailMessage:
        site, award = self.site, notice.award
        issuer = site.issuers[site.badges[award.badge].issuer]
        template = "issued" if window is None else "expiring"
        subjects, texts, sections = [], [], []
        for lang in notice.languages:
            renderer = self.renderer(lang)
            context = self.context(notice, lang, live, window)
            subject = renderer.render_mail(f"{template}_subject.txt", **context)
            subjects.append(" ".join(subject.split()))
            texts.append(renderer.render_mail(f"{template}.txt", **context).strip() + "\n")
            sections.append(Markup(renderer.render_mail(f"{template}.html", **context)))
        first = self.renderer(notice.languages[0])
        subject = " / ".join(subjects)
        html = first.render_mail(
            "layout.html", sections=sections, subject=subject, languages=list(notice.languages), issuer=issuer
        )
        sender = self.sender or Address(issuer.name.get(notice.languages[0]), addr_spec=issuer.email)
        # Short, to stay on one line: a folded List-Unsubscribe is RFC 2047-encoded, which mail programs misread.
        contact = f"mailto:{issuer.email}"
        return mail.compose(
            sender=sender,
            to=notice.email,
            subject=subject,
            text=("\n" + "-" * 40 + "\n\n").join(texts),
            html=html,
            languages=list(notice.languages),
            contact=contact,
            domain=sender.domain,
        )


def _sender(text: str) -> Address:
    name, address = parseaddr(text)
    if not EMAIL.match(address):
        raise NotifyError(
            _("--from must be an email address, like 'Badges <badges@example.ac.jp>', not '{value}'").format(value=text)
        )
    username, _at, domain = address.rpartition("@")
    return Address(name, username, domain)


def masked_email(address: str) -> str:
    """An address as a public log may show it: its first character and its domain (a…@example.org)."""
    user, at, domain = address.strip().rpartition("@")
    return f"{user[:1]}…@{domain}" if at else "…"


# --- the run -------------------------------------------------------------------------------------------------


def notify(
    root: Path,
    path: Path,
    *,
    sheet: str | None = None,
    expiring_within: int | None = None,
    again: Sequence[str] = (),
    dry_run: bool = False,
    outbox: Path | None = None,
    sender: str | None = None,
    wait: float = 0,
    hide_emails: bool = False,
    environ: Mapping[str, str] = os.environ,
    progress: Progress = NO_PROGRESS,
) -> Outcome:
    """Send (or, with `outbox`, write as .eml; with `dry_run`, only list) one message per award of each row of
    the spreadsheet `path` not yet notified, recording each one sent in the ledger as soon as it is sent.
    `hide_emails`: messages show an address as a…@example.org (a CI log may be public)."""
    root = root.absolute()
    site, _warnings = load_site(root)
    ledger = Ledger(root)
    outcome = Outcome()
    now = datetime.now(site.config.tz)
    shown = masked_email if hide_emails else str
    notices = plan(site, path, ledger, outcome, sheet=sheet, window=expiring_within, again=again, now=now, shown=shown)
    composer = Composer(root, site, sender)
    config = None if dry_run or outbox is not None else mail.smtp_config(environ)  # a wrong URL: stop now
    if not notices:
        return outcome
    live = check_live(site, [notice.award for notice in notices], wait, progress)
    ready = []
    for notice in notices:
        state = live[notice.award.id]
        if isinstance(state, Live):
            ready.append((notice, state))
        else:
            outcome.not_live.append(
                _("{where}: award {award} is not online yet ({reason}); nothing was sent for it").format(
                    where=notice.row, award=notice.award.id, reason=state
                )
            )
    try:  # every message is made before any is sent: a theme's mistake sends nothing
        messages = [(notice, composer.compose(notice, state, expiring_within)) for notice, state in ready]
    except jinja2.TemplateError as exc:
        where = None
        if isinstance(exc, TemplateProblem) and exc.filename:
            file = Path(exc.filename)
            where = Location((file.relative_to(root) if file.is_relative_to(root) else file).as_posix(), exc.lineno)
        raise NotifyError(
            _("{where}: the mail template failed: {problem}; nothing was sent").format(
                where=where or _("a mail template"), problem=exc.message or type(exc).__name__
            )
        ) from None
    if dry_run:
        outcome.done.extend((notice, str(message["Subject"]), "") for notice, message in messages)
        return outcome
    if outbox is not None:
        outbox.mkdir(parents=True, exist_ok=True)
        for notice, message in messages:
            file = outbox / f"{notice.award.id}-{notice.kind}.eml"
            mail.write_eml(message, file)
            ledger.record(Entry(notice.award.id, notice.kind, now.date(), via="outbox"))
            outcome.done.append((notice, str(message["Subject"]), str(file)))
        return outcome
    assert config is not None
    progress.start(SEND_STAGE, len(messages))
    try:
        with mail.Sender(config) as connection:
            for notice, message in messages:
                try:
                    connection.send(message)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                    # This recipient only: the others are still sent, and the ledger does not name this one.
                    outcome.failed.append(
                        _("{where}: the mail server refused the message to {email} ({reply}); not recorded").format(
                            where=notice.row, email=shown(notice.email), reply=mail.refusal(exc)
                        )
                    )
                    continue
                except smtplib.SMTPSenderRefused as exc:  # it would refuse every message: stop
                    outcome.failed.append(
                        _(
                            "the mail server refused the sender {sender} ({reply}): give --from an address it "
                            "accepts (often the one you log in with); nothing more was sent"
                        ).format(sender=exc.sender, reply=mail.refusal(exc))
                    )
                    break
                except (smtplib.SMTPException, OSError) as exc:
                    outcome.failed.append(
                        _(
                            "the mail server stopped answering ({reason}): the ledger records what was sent; run the "
                            "same command again to send the rest"
                        ).format(reason=mail.refusal(exc))
                    )
                    break
                ledger.record(Entry(notice.award.id, notice.kind, now.date()))
                outcome.done.append((notice, str(message["Subject"]), ""))
                progress.advance()
    finally:
        progress.finish()
    return outcome
