"""Edit the content for people: award badges (one email, or a spreadsheet: sitegen/commands/spreadsheet.py) and
revoke awards; and find the awards of a spreadsheet's emails again (`sitegen recipients`), writing nothing.

The plaintext email is hashed here and never written anywhere; every row is checked before anything is
written, and existing files are edited as text so that their comments and layout survive.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from sitegen.commands.spreadsheet import Cell, SheetRow, SpreadsheetError, Table, read_table
from sitegen.content.site import load_site
from sitegen.diagnostics import BuildError, Diagnostic, Location, SitegenError
from sitegen.messages import _, ngettext
from sitegen.model import Award, Site
from sitegen.progress import N_, NO_PROGRESS, Progress
from sitegen.recipients import EMAIL, hash_email, normalise_email
from sitegen.status import draw_award_ids

CSV_COLUMNS = {"email", "name", "show_name", "evidence_url", "evidence_name", "narrative", "issued_on", "expires"}
COLUMN_ALIASES = {"consent": "show_name"}  # the consent to be named is what show_name records
TRUE_WORDS = {"1", "true", "yes", "y", "はい", "同意"}
FALSE_WORDS = {"", "0", "false", "no", "n", "いいえ"}


class AuthoringError(SitegenError):
    """A problem with the request; `problems` lists every bad row when there are several."""

    def __init__(self, message: str, problems: list[Diagnostic] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class Recipient:
    email: str  # only in memory, for the mail-merge list
    name: str | None = None
    show_name: bool = False
    evidence_url: str | None = None
    evidence_name: str | None = None
    narrative: str | None = None
    issued_on: date | None = None
    expires: date | None = None
    source: Location | None = None  # its CSV row, for messages


@dataclass(frozen=True)
class Issued:
    award_id: str
    email: str
    name: str | None  # as given, for the mail merge; written to the repository only with show_name
    page_url: str
    name_dropped: bool = False  # a name was given without the consent to be named, so it was not written
    source: Location | None = None  # the CSV row, for messages


def dropped_names_message(issued: list[Issued]) -> str | None:
    """What the CLI says when names were given without consent: they were left out of the repository."""
    dropped = [item for item in issued if item.name_dropped]
    if not dropped:
        return None
    rows = [str(item.source) for item in dropped if item.source]
    where = f" ({', '.join(rows[:5])}{'…' if len(rows) > 5 else ''})" if rows else ""
    return _(
        "note: the name of {count} recipient(s){where} was not written: a name enters the repository "
        "only when the recipient agreed to be named (--show-name, or show_name: yes in the CSV)"
    ).format(count=len(dropped), where=where)


def _yaml_string(text: str) -> str:
    """A JSON string is a valid YAML double-quoted scalar: safe for any text, in any language."""
    return json.dumps(text, ensure_ascii=False)


DAY = re.compile(r"^(\d{4})([-/])(\d{1,2})\2(\d{1,2})$")  # 2026-04-01, and 2026/4/1 as Japanese Excel writes it


def _parse_day(value: str) -> date:
    match = DAY.match(value.strip())
    if not match:
        raise ValueError(value)
    return date(int(match.group(1)), int(match.group(3)), int(match.group(4)))


def _text(cell: Cell) -> str:
    return cell.isoformat() if isinstance(cell, date) else cell.strip()


@dataclass(frozen=True)
class RecipientSheet:
    """The recipients of a spreadsheet, and what the CLI says about how it was read."""

    recipients: list[Recipient]
    notes: list[str]  # "read … as Shift_JIS (cp932)", rows of empty cells skipped


def _sheet_notes(path: Path, table: Table) -> list[str]:
    notes = [_("read {path} as {encoding}").format(path=path, encoding=table.read_as)]
    if table.blank_rows:
        rows = [str(where) for where in table.blank_rows]
        notes.append(
            ngettext(
                "skipped {count} row of empty cells ({rows}); delete it in the spreadsheet to silence this",
                "skipped {count} rows of empty cells ({rows}); delete them in the spreadsheet to silence this",
                len(rows),
            ).format(count=len(rows), rows=", ".join(rows[:5]) + ("…" if len(rows) > 5 else ""))
        )
    return notes


def _column_names(table: Table, path: Path, known: set[str] | None) -> tuple[list[str], list[Diagnostic]]:
    """The header's names as sitegen knows them (lower case, aliases resolved), and what is wrong with them
    (`known`: the columns allowed; None allows any)."""
    header = [COLUMN_ALIASES.get(name.lower(), name.lower()) for name in table.header]
    where = table.header_at or Location(str(path), 1)
    problems: list[Diagnostic] = []
    if "email" not in header:
        raise AuthoringError(
            _("{where}: the header row needs an 'email' column (columns: {columns})").format(
                where=where, columns=", ".join(sorted(CSV_COLUMNS))
            )
        )
    twice = sorted({name for name in header if name and header.count(name) > 1})
    if twice:
        problems.append(
            Diagnostic(
                where,
                _("the header row names a column more than once: {names}").format(names=", ".join(twice)),
                "error",
                "csv.unknown-column",
            )
        )
    unknown = [name for name in header if known is not None and name and name not in known]
    if known is not None and unknown:
        guesses = [difflib.get_close_matches(name, sorted(known), n=1) for name in unknown]
        hint = "; ".join(
            _("did you mean '{guess}' for '{name}'?").format(guess=guess[0], name=name)
            for name, guess in zip(unknown, guesses, strict=True)
            if guess
        )
        problems.append(
            Diagnostic(
                where,
                _("unknown column(s) {unknown} (columns: {columns})").format(
                    unknown=", ".join(unknown), columns=", ".join(sorted(CSV_COLUMNS))
                )
                + (f"; {hint}" if hint else ""),
                "error",
                "csv.unknown-column",
            )
        )
    return header, problems


def _read_table(path: Path, sheet: str | None) -> Table:
    try:
        return read_table(path, sheet)
    except SpreadsheetError as exc:
        raise AuthoringError(str(exc)) from None


def read_recipients(path: Path, sheet: str | None = None) -> RecipientSheet:
    """Rows of a recipients spreadsheet (a CSV, or a sheet of an .xlsx workbook; header row required); every
    bad row is reported with its line (its row in a workbook)."""
    table = _read_table(path, sheet)
    header, problems = _column_names(table, path, CSV_COLUMNS)
    problems = [*table.problems, *problems]
    rel = str(path)
    rows: list[Recipient] = []
    seen: dict[str, Location] = {}
    for sheet_row in table.rows:
        line = sheet_row.where
        cells = dict(zip(header, sheet_row.cells, strict=True))
        row = {key: _text(cell) for key, cell in cells.items()}
        bad = []
        email = row.get("email", "")
        if not EMAIL.match(email):
            bad.append(_("'{email}' is not an email address").format(email=email) if email else _("no email"))
        elif normalise_email(email) in seen:
            bad.append(_("the same email as {where}").format(where=_line_name(seen[normalise_email(email)])))
        else:
            seen[normalise_email(email)] = line
        consent = row.get("show_name", "").lower()
        if consent not in TRUE_WORDS | FALSE_WORDS:
            bad.append(_("show_name must be yes or no, not '{value}'").format(value=row.get("show_name")))
        if consent in TRUE_WORDS and not row.get("name"):
            bad.append(_("show_name is yes but there is no name"))
        if row.get("evidence_url") and not re.match(r"^https?://\S+$", row["evidence_url"]):
            bad.append(_("evidence_url must be an http(s) URL, not '{value}'").format(value=row["evidence_url"]))
        dates = {}
        for key in ("issued_on", "expires"):
            cell = cells.get(key, "")
            if isinstance(cell, date):
                dates[key] = cell
            elif row.get(key):
                try:
                    dates[key] = _parse_day(row[key])
                except ValueError:
                    bad.append(_day_problem(key, row[key]))
        if dates.get("expires") and dates.get("issued_on") and dates["expires"] <= dates["issued_on"]:
            bad.append(_("expires must be after issued_on"))
        problems.extend(Diagnostic(line, message, "error", "csv.invalid-row") for message in bad)
        if not bad:
            rows.append(
                Recipient(
                    email=email,
                    name=row.get("name") or None,
                    show_name=consent in TRUE_WORDS,
                    evidence_url=row.get("evidence_url") or None,
                    evidence_name=row.get("evidence_name") or None,
                    narrative=row.get("narrative") or None,
                    source=line,
                    **dates,
                )
            )
    if problems:
        problems.sort()  # by row: the table's own problems were found first
        raise AuthoringError(
            ngettext(
                "{count} problem in {path}; nothing was written",
                "{count} problems in {path}; nothing was written",
                len(problems),
            ).format(count=len(problems), path=rel),
            problems,
        )
    if not rows:
        raise AuthoringError(_("{path} has no recipients").format(path=rel))
    return RecipientSheet(rows, _sheet_notes(path, table))


def read_csv(path: Path) -> list[Recipient]:
    """The recipients of a CSV (see read_recipients)."""
    return read_recipients(path).recipients


def _line_name(where: Location) -> str:
    """How a message names another row: "line 4" of a CSV, "row 4" of a sheet."""
    if isinstance(where, SheetRow):
        return _("row {row}").format(row=where.line)
    return _("line {line}").format(line=where.line)


def _day_problem(key: str, value: str) -> str:
    if value.isdigit():  # Excel's serial number of a day, in a cell not formatted as a date
        return _(
            "{key} is the number {value}, not a date: format the cell as a date, or write it like 2026-04-01"
        ).format(key=key, value=value)
    return _("{key} must be a date like 2026-04-01, not '{value}'").format(key=key, value=value)


def _award_lines(award_id: str, recipient: Recipient, salt: str, indent: str) -> list[str]:
    lines = [
        f"{indent}- id: {award_id}",
        f'{indent}  recipient: {{hash: "{hash_email(recipient.email, salt)}", salt: "{salt}"}}',
    ]
    if recipient.issued_on:
        lines.append(f"{indent}  issued_on: {recipient.issued_on.isoformat()}")
    if recipient.expires:
        lines.append(f"{indent}  expires: {recipient.expires.isoformat()}")
    if recipient.name and recipient.show_name:  # a name is written only with the consent to show it
        lines.append(f"{indent}  name: {_yaml_string(recipient.name)}")
        lines.append(f"{indent}  show_name: true")
    if recipient.narrative:
        lines.append(f"{indent}  narrative: {_yaml_string(recipient.narrative)}")
    if recipient.evidence_url:
        name = f", name: {_yaml_string(recipient.evidence_name)}" if recipient.evidence_name else ""
        lines.append(f"{indent}  evidence: [{{url: {_yaml_string(recipient.evidence_url)}{name}}}]")
    return lines


def issue(
    root: Path,
    badge: str,
    recipients: list[Recipient],
    *,
    issued_on: date,
    target: Path | None = None,
    expires: date | None = None,
    again: bool = False,
    progress: Progress = NO_PROGRESS,
) -> tuple[Path, list[Issued]]:
    """Award `badge` to every recipient: a new file, or awards appended to `target` (a cohort file of that badge).

    The whole site is validated first, and again with the new awards before the file is kept. A recipient who
    already holds the badge (not revoked) is refused unless `again`: a CSV run twice must not award it twice.
    """
    root = root.absolute()
    site, _warnings = load_site(root)
    if badge not in site.badges:
        raise AuthoringError(_unknown_badge(site, badge))
    held = [] if again else already_held(site, badge, recipients, progress)
    if held:
        raise AuthoringError(
            _(
                "{count} recipient(s) already hold '{badge}'; nothing was written (--again awards it to them once more)"
            ).format(count=len(held), badge=badge),
            held,
        )
    assertions = root / "content" / "assertions"
    ids = new_award_ids(site, site.badges[badge].issuer, len(recipients))
    if target is None:
        target = assertions / f"{issued_on:%Y}" / f"{badge}-{ids[0][:8]}.yaml"
    target = target if target.is_absolute() else (root / target)
    if not target.resolve().is_relative_to(assertions.resolve()):
        raise AuthoringError(_("{path} is not under content/assertions/").format(path=target))
    newline = "\n"
    if target.exists():
        original_bytes = target.read_bytes()
        original, newline = _text_and_newline(original_bytes)
        indent = _check_appendable(original, badge, target)
        text = original if original.endswith("\n") else original + "\n"
    else:
        original, indent = None, "  "
        text = f"badge: {badge}\nissued_on: {issued_on.isoformat()}\n"
        if expires:
            text += f"expires: {expires.isoformat()}\n"
        text += "awards:\n"
    for award_id, recipient in zip(ids, recipients, strict=True):
        if original is not None:
            # The file's own defaults are another cohort's: write this request's dates on each award.
            recipient = Recipient(
                **{
                    **recipient.__dict__,
                    "issued_on": recipient.issued_on or issued_on,
                    "expires": recipient.expires or expires,
                }
            )
        text += "\n".join(_award_lines(award_id, recipient, secrets.token_hex(16), indent)) + "\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8", newline=newline)
    try:
        site, _warnings = load_site(root)
    except BuildError as exc:
        # Never leave the repository broken: put the file back as it was.
        if original is None:
            target.unlink()
        else:
            target.write_bytes(original_bytes)
        raise AuthoringError(
            _("the new award(s) would not build, so {file} was left as it was").format(file=target.name),
            exc.diagnostics,
        ) from None
    urls = site.urls
    issued = [
        Issued(
            award_id,
            r.email,
            r.name,
            urls.url(urls.assertion_page(award_id)),
            name_dropped=bool(r.name) and not r.show_name,
            source=r.source,
        )
        for award_id, r in zip(ids, recipients, strict=True)
    ]
    return target, issued


# Stages of the progress shown while every row is compared with every award of the badge.
HOLDS_STAGE = N_("Checking who holds the badge already")
MATCH_STAGE = N_("Matching emails with awards")


def _hashed_awards(awards: list[Award]) -> list[tuple[bytes, str, Award]]:
    """Each award's salt and digest, split once (they are compared with every email); content holds sha256 only."""
    return [
        (award.salt.encode("utf-8"), award.identity_hash.lower().removeprefix("sha256$"), award) for award in awards
    ]


def _awards_to(email: str, hashed: list[tuple[bytes, str, Award]]) -> list[Award]:
    """The awards whose recipient hash is of `email` with their salt."""
    data = normalise_email(email).encode("utf-8")
    return [award for salt, digest, award in hashed if hashlib.sha256(data + salt).hexdigest() == digest]


def already_held(
    site: Site, badge: str, recipients: list[Recipient], progress: Progress = NO_PROGRESS
) -> list[Diagnostic]:
    """Recipients who hold `badge` already: an award neither revoked nor expired whose hash is of their email
    and its salt."""
    # Every recipient against every holder, salts differing: about 0.4 µs a pair (1,000 × 10,000 in 4 s).
    now = datetime.now(timezone.utc)  # an expired award may be renewed
    held = _hashed_awards(
        [a for a in site.awards if a.badge == badge and not a.revoked and not (a.expires and a.expires <= now)]
    )
    problems = []
    progress.start(HOLDS_STAGE, len(recipients))
    for recipient in recipients:
        awards = _awards_to(recipient.email, held)
        if awards:
            award = awards[0]
            problems.append(
                Diagnostic(
                    recipient.source or Location("--email"),
                    _("{email} already holds '{badge}' (award {award}, {where})").format(
                        email=recipient.email, badge=badge, award=award.id, where=award.source
                    ),
                    "error",
                    "award.already-held",
                )
            )
        progress.advance()
    progress.finish()
    return problems


@dataclass(frozen=True)
class Found:
    """What `sitegen recipients` found: the mail-merge list again, and the rows that hold no award."""

    issued: list[Issued]
    not_found: list[str]  # one message per row, naming it
    notes: list[str]


def find_recipients(
    root: Path, badge: str, path: Path, *, sheet: str | None = None, progress: Progress = NO_PROGRESS
) -> Found:
    """The awards of `badge` to each email of a spreadsheet (as `issue --print-urls` listed them), found by hashing
    the email with each award's salt. Nothing is written anywhere."""
    site, _warnings = load_site(root.absolute())
    if badge not in site.badges:
        raise AuthoringError(_unknown_badge(site, badge))
    table = _read_table(path, sheet)
    header, _problems = _column_names(table, path, None)  # other columns (for the mail merge) are fine
    if table.problems:
        raise AuthoringError(
            ngettext("{count} problem in {path}", "{count} problems in {path}", len(table.problems)).format(
                count=len(table.problems), path=path
            ),
            table.problems,
        )
    hashed = _hashed_awards([a for a in site.awards if a.badge == badge])
    urls = site.urls
    issued: list[Issued] = []
    not_found: list[str] = []
    progress.start(MATCH_STAGE, len(table.rows))
    for row in table.rows:
        cells = {key: _text(cell) for key, cell in zip(header, row.cells, strict=True)}
        email = cells.get("email", "")
        awards = _awards_to(email, hashed) if EMAIL.match(email) else []
        current = sorted((a for a in awards if not a.revoked), key=lambda a: (a.issued_on, a.id))
        for award in current:
            name = cells.get("name") or award.name
            issued.append(Issued(award.id, email, name, urls.url(urls.assertion_page(award.id)), source=row.where))
        if not EMAIL.match(email):
            not_found.append(
                _("{where}: '{email}' is not an email address").format(where=row.where, email=email)
                if email
                else _("{where}: no email").format(where=row.where)
            )
        elif not awards:
            not_found.append(
                _("{where}: {email} holds no award of '{badge}'").format(where=row.where, email=email, badge=badge)
            )
        elif not current:
            not_found.append(
                _("{where}: the award of '{badge}' to {email} was revoked ({ids})").format(
                    where=row.where, badge=badge, email=email, ids=", ".join(a.id for a in awards)
                )
            )
        progress.advance()
    progress.finish()
    return Found(issued, not_found, _sheet_notes(path, table))


def _unknown_badge(site: Site, badge: str) -> str:
    known = sorted(site.badges)
    guess = difflib.get_close_matches(badge, known, n=1)
    message = _("unknown badge '{badge}' (badges: {badges})").format(
        badge=badge, badges=", ".join(known) or _("none yet")
    )
    return message + (_("; did you mean '{guess}'?").format(guess=guess[0]) if guess else "")


def new_award_ids(site: Site, issuer: str, count: int) -> list[str]:
    """Random award ids for the issuer that never share a status list entry with its awards (see
    model.draw_award_ids)."""
    return draw_award_ids(
        issuer, count, {site.status_position(a) for a in site.awards if site.badges[a.badge].issuer == issuer}
    )


def _check_appendable(text: str, badge: str, path: Path) -> str:
    """The indentation of the award list, if new awards can go at the end of this file."""
    if not re.search(rf"^badge:\s*{re.escape(badge)}\s*$", text, re.M):
        raise AuthoringError(_("{path} is not a file of badge '{badge}'").format(path=path, badge=badge))
    top_keys = re.findall(r"^([A-Za-z_]+):", text, re.M)
    if not top_keys or top_keys[-1] != "awards":
        raise AuthoringError(_("{path}: 'awards:' must be the last key of the file to append to it").format(path=path))
    item = re.search(r"^awards:\s*\n(?:\s*#.*\n)*( *)- ", text, re.M)
    return item.group(1) if item else "  "


def revoke(root: Path, award_id: str, *, reason: str, on: date) -> Path:
    """Mark an award revoked in its YAML file (the file is edited, never deleted)."""
    if not reason.strip():
        raise AuthoringError(_("a revocation needs a reason: it is published with the award"))
    site, _warnings = load_site(root)
    award = next((a for a in site.awards if a.id == award_id), None)
    if award is None:
        raise AuthoringError(_("no award with id {award}").format(award=award_id))
    if award.revoked:
        raise AuthoringError(
            _("award {award} was already revoked on {day}").format(award=award_id, day=f"{award.revoked.on:%Y-%m-%d}")
        )
    if on < award.issued_on.date():
        raise AuthoringError(
            _("award {award} was issued on {issued}; it cannot be revoked before that ({day})").format(
                award=award_id, issued=f"{award.issued_on:%Y-%m-%d}", day=f"{on:%Y-%m-%d}"
            )
        )
    rel = award.source.path
    path = root / rel
    original_bytes = path.read_bytes()
    original, newline = _text_and_newline(original_bytes)
    lines = original.splitlines(keepends=True)
    pattern = re.compile(rf"^(\s*)(- )?id:\s*['\"]?{re.escape(award_id)}['\"]?\s*$")
    for number, line in enumerate(lines):
        match = pattern.match(line)
        if match:
            indent = match.group(1) + ("  " if match.group(2) else "")
            lines.insert(
                number + 1, f"{indent}revoked: {{on: {on.isoformat()}, reason: {_yaml_string(reason.strip())}}}\n"
            )
            break
    else:
        raise AuthoringError(
            _("{path}: cannot find the line 'id: {award}' to edit; add revoked: {{on, reason}} by hand").format(
                path=rel, award=award_id
            )
        )
    path.write_text("".join(lines), encoding="utf-8", newline=newline)
    try:
        load_site(root)
    except BuildError:
        path.write_bytes(original_bytes)
        raise
    return path


def _text_and_newline(data: bytes) -> tuple[str, str]:
    """A YAML file's text with "\n" line ends, and the line end it uses: an edit keeps a file written on Windows
    (CRLF) in CRLF and one written elsewhere in LF, so a pull request shows only the lines that changed."""
    text = data.decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    return text.replace("\r\n", "\n"), newline
