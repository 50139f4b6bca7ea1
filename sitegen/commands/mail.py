"""Email for `sitegen notify`: the MIME message, and the SMTP connection configured the usual way.

SITEGEN_SMTP_URL is `smtp://[user[:password]@]host[:port]` (STARTTLS whenever the server offers it) or
`smtps://…` (TLS from the start); the password may come from SITEGEN_SMTP_PASSWORD instead, so that it stays out
of the URL and the shell history. A password is never sent over a connection without TLS.
"""

from __future__ import annotations

import email.policy
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sitegen.diagnostics import SitegenError
from sitegen.messages import _

# 7-bit bodies (quoted-printable or base64, whichever is shorter) and RFC 2047 headers: every server relays
# them, whether or not it offers 8BITMIME or SMTPUTF8. CRLF line ends, as SMTP and .eml files have them.
POLICY = email.policy.SMTP.clone(cte_type="7bit")
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
TIMEOUT = 60  # seconds for the server to answer


class MailError(SitegenError):
    """The mail cannot be sent at all: SITEGEN_SMTP_URL is missing or wrong, or the server cannot be used."""


@dataclass(frozen=True)
class SmtpConfig:
    scheme: str  # smtp or smtps
    host: str
    port: int
    user: str | None
    password: str | None = None

    def __repr__(self) -> str:  # never show the password in a traceback or a log
        return f"SmtpConfig({self.scheme}://{self.user + '@' if self.user else ''}{self.host}:{self.port})"


def smtp_config(environ: Mapping[str, str]) -> SmtpConfig:
    """The SMTP server of SITEGEN_SMTP_URL (and SITEGEN_SMTP_PASSWORD)."""
    url = environ.get("SITEGEN_SMTP_URL", "").strip()
    if not url:
        raise MailError(
            _(
                "set SITEGEN_SMTP_URL to your mail server, like smtp://user@smtp.example.ac.jp:587 (and the "
                "password in SITEGEN_SMTP_PASSWORD), or use --outbox DIR to write the messages as .eml files"
            )
        )
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or port == -1:
        raise MailError(
            _("SITEGEN_SMTP_URL must be like smtp://host:587 or smtps://host:465, not '{url}'").format(
                url=f"{parts.scheme}://{parts.hostname or ''}"
            )
        )
    password = environ.get("SITEGEN_SMTP_PASSWORD") or (unquote(parts.password) if parts.password else None)
    return SmtpConfig(
        parts.scheme,
        parts.hostname,
        port or DEFAULT_PORTS[parts.scheme],
        unquote(parts.username) if parts.username else None,
        password,
    )


def compose(
    *,
    sender: Address,
    to: str,
    subject: str,
    text: str,
    html: str,
    languages: list[str],
    contact: str,
    domain: str,
) -> EmailMessage:
    """A message with a plain text part and its HTML alternative (UTF-8). `contact` is the mailto: URL of the
    issuer, given as the List-Unsubscribe contact and Reply-To; nothing in it tracks the reader."""
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = to
    message["Reply-To"] = sender.addr_spec
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(timezone.utc))
    message["Message-ID"] = make_msgid(domain=domain)
    message["Content-Language"] = ", ".join(languages)
    message["List-Unsubscribe"] = f"<{contact}>"
    message["Auto-Submitted"] = "auto-generated"  # no vacation replies to the issuer's address
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def write_eml(message: EmailMessage, path: Path) -> None:
    """A standard .eml file (RFC 5322, CRLF), as mail programs open and send it."""
    path.write_bytes(message.as_bytes(policy=POLICY))


class Sender:
    """One SMTP connection for a run: STARTTLS whenever offered, AUTH only over TLS."""

    def __init__(self, config: SmtpConfig):
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Sender:
        config = self.config
        context = ssl.create_default_context()
        try:
            if config.scheme == "smtps":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=TIMEOUT, context=context)
            else:
                smtp = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT)
            self.smtp = smtp
            smtp.ehlo()
            secure = config.scheme == "smtps"
            if not secure and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
                secure = True
            if config.user:
                if not secure:
                    raise MailError(
                        _(
                            "{host} offers no TLS (STARTTLS), so the password was not sent: use the server's "
                            "submission port (smtp://…:587) or smtps://…:465"
                        ).format(host=config.host)
                    )
                if config.password is None:
                    raise MailError(
                        _("SITEGEN_SMTP_URL names the user {user}: set the password in SITEGEN_SMTP_PASSWORD").format(
                            user=config.user
                        )
                    )
                smtp.login(config.user, config.password)
        except MailError:
            self.close()
            raise
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise MailError(
                _("{host} refused the user name or password ({reply})").format(host=config.host, reply=_reply(exc))
            ) from None
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            self.close()
            raise MailError(
                _("cannot use the mail server {host}:{port}: {reason}").format(
                    host=config.host, port=config.port, reason=_reply(exc)
                )
            ) from None
        return self

    def send(self, message: EmailMessage) -> None:
        """Send one message; smtplib's exceptions say why the server refused it."""
        assert self.smtp is not None
        self.smtp.send_message(message)

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def __exit__(self, *exc_info) -> None:
        self.close()


def _reply(exc: BaseException) -> str:
    """The server's own words of a refusal, or the system's."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(_reply_text(code, text) for code, text in exc.recipients.values())
    code = getattr(exc, "smtp_code", None)
    text = getattr(exc, "smtp_error", None)
    if isinstance(code, int) and text is not None:
        return _reply_text(code, text)
    return str(exc) or type(exc).__name__


def _reply_text(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {words}"


def refusal(exc: BaseException) -> str:
    """Why a message was not sent, in the server's words."""
    return _reply(exc)
