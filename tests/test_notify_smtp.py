"""sitegen notify's mail server settings against real servers on 127.0.0.1: STARTTLS taken whenever offered and the
password sent only over TLS, smtps://, and a public CI log that shows no address in full; and, on a signed site,
the wallet's part of the message."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import shutil
import ssl

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from browser import free_port
from browser_sites import serve_signed
from conftest import AWARD_ID
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from test_notify import Mailbox, ledger, run, site, write_csv  # noqa: F401 (site: the served scratch site)

# The smtps server requires AUTH and, to aiosmtpd, no TLS (it tells only STARTTLS apart): its warning is moot.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture(autouse=True)
def not_in_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)  # the log of a CI run hides addresses: tests choose


@pytest.fixture
def root(site, tmp_path):  # noqa: F811
    _server, source = site
    clone = tmp_path / "repo"
    shutil.copytree(source / "content", clone / "content")
    return clone


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A certificate for 127.0.0.1 that the client trusts through SSL_CERT_FILE, as a real CA's would be."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return cert_file, context


class SecureMailbox(Mailbox):
    """Remembers, with each message, whether its session was encrypted and as whom it logged in."""

    def __init__(self):
        super().__init__()
        self.sessions: list[tuple[bool, bytes | None]] = []

    async def handle_DATA(self, server, session, envelope):
        self.sessions.append((session.ssl is not None, session.auth_data if session.authenticated else None))
        return await super().handle_DATA(server, session, envelope)


def office_only(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"office" and auth_data.password == b"p@ss word"
    return AuthResult(success=ok, auth_data=auth_data.login)


def test_starttls_is_used_when_offered_and_then_the_password(root, certificate, tmp_path, monkeypatch):
    cert_file, context = certificate
    mailbox = SecureMailbox()
    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,  # the server refuses anything before STARTTLS
        auth_required=True,
        authenticator=office_only,
    )
    controller.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
        monkeypatch.setenv("SITEGEN_SMTP_URL", f"smtp://office@127.0.0.1:{port}")
        monkeypatch.setenv("SITEGEN_SMTP_PASSWORD", "p@ss word")
        csv = write_csv(tmp_path, "email\nalice@example.org\n")
        assert run(root, csv) == 0
    finally:
        controller.stop()
    assert mailbox.recipients == ["alice@example.org"]
    assert mailbox.sessions == [(True, b"office")]
    assert [entry["award"] for entry in ledger(root)] == [AWARD_ID]


def test_smtps_with_the_password_in_the_url(root, certificate, tmp_path, monkeypatch):
    cert_file, context = certificate
    mailbox = SecureMailbox()
    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        ssl_context=context,  # TLS from the first byte
        auth_required=True,
        auth_require_tls=False,  # aiosmtpd tells only STARTTLS apart: this connection is TLS from its start
        authenticator=office_only,
    )
    controller.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
        monkeypatch.setenv("SITEGEN_SMTP_URL", f"smtps://office:p%40ss%20word@127.0.0.1:{port}")
        monkeypatch.delenv("SITEGEN_SMTP_PASSWORD", raising=False)
        csv = write_csv(tmp_path, "email\nalice@example.org\n")
        assert run(root, csv) == 0
    finally:
        controller.stop()
    # The server speaks TLS only (aiosmtpd's session.ssl tells STARTTLS alone): logged in, the message arrived.
    assert mailbox.recipients == ["alice@example.org"]
    assert [login for _starttls, login in mailbox.sessions] == [b"office"]


def test_a_certificate_the_machine_does_not_trust_stops_before_sending(
    root, certificate, tmp_path, monkeypatch, capsys
):
    _cert_file, context = certificate
    mailbox = SecureMailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, tls_context=context)
    controller.start()
    try:
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        monkeypatch.setenv("SITEGEN_SMTP_URL", f"smtp://127.0.0.1:{port}")
        csv = write_csv(tmp_path, "email\nalice@example.org\n")
        assert run(root, csv) == 1
    finally:
        controller.stop()
    assert f"cannot use the mail server 127.0.0.1:{port}" in capsys.readouterr().err
    assert mailbox.messages == [] and ledger(root) == []


def test_a_wrong_smtp_url_or_none_is_said_before_anything(root, tmp_path, monkeypatch, capsys):
    csv = write_csv(tmp_path, "email\nalice@example.org\n")
    monkeypatch.delenv("SITEGEN_SMTP_URL", raising=False)
    assert run(root, csv) == 1
    assert "set SITEGEN_SMTP_URL to your mail server" in capsys.readouterr().err
    monkeypatch.setenv("SITEGEN_SMTP_URL", "http://mail.example.org")
    assert run(root, csv) == 1
    assert "SITEGEN_SMTP_URL must be like smtp://host:587 or smtps://host:465" in capsys.readouterr().err
    assert ledger(root) == []


def test_a_ci_log_shows_no_address_in_full(root, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CI", "true")
    csv = write_csv(tmp_path, "email\nalice@example.org\nnobody@example.org\n")
    assert run(root, csv, "--dry-run") == 1
    out, err = capsys.readouterr()
    assert "would send to a…@example.org: " in out
    assert f"{csv}:3: n…@example.org holds no award of this site" in err
    assert "alice@" not in out + err and "nobody@" not in out + err


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    yield from serve_signed(tmp_path_factory.mktemp("signed-notify"), "")


def test_a_signed_site_tells_how_to_add_the_credential_to_a_wallet(signed, tmp_path, monkeypatch):
    server, source = signed
    root = tmp_path / "repo"
    shutil.copytree(source / "content", root / "content")
    monkeypatch.delenv("SITEGEN_SMTP_URL", raising=False)
    csv = write_csv(tmp_path, "email,language\nalice@example.org,en\n")
    assert run(root, csv, "--outbox", str(tmp_path / "out")) == 0
    message = email.message_from_bytes(
        (tmp_path / "out" / f"{AWARD_ID}-issued.eml").read_bytes(), policy=email.policy.default
    )
    text = message.get_body(("plain",)).get_content()
    credential = f"{server.url}/credentials/{AWARD_ID}.json"
    assert "Add to a wallet:" in text and "Learner Credential Wallet" in text and credential in text
    html = message.get_body(("html",)).get_content()
    assert f'href="{credential}"' in html
    assert text.count(credential) == 1
