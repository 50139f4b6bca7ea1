"""What a verification reports: the result of one badge, with every finding of every check that ran."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Finding:
    check: str  # a stable name, e.g. "assertion.id-matches-url"
    level: str  # "error" or "warning"
    message: str


@dataclass
class Result:
    subject: str  # the URL or file that was checked
    kind: str  # "ob2-hosted", "ob2-png", "ob2-svg", "ob3-credential", "ob3-png", "ob3-svg"
    findings: list[Finding] = field(default_factory=list)
    revoked: str | None = None  # the reason, when the issuer revoked it
    expired: str | None = None  # when it expired
    checked: list[str] = field(default_factory=list)  # names of the checks that ran

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def status(self) -> str:
        if self.errors:
            return "invalid"
        if self.revoked is not None:
            return "revoked"
        if self.expired is not None:
            return "expired"
        return "valid"

    def error(self, check: str, message: str) -> None:
        self.findings.append(Finding(check, "error", message))

    def warning(self, check: str, message: str) -> None:
        self.findings.append(Finding(check, "warning", message))

    def ran(self, check: str) -> None:
        self.checked.append(check)

    def to_dict(self) -> dict:
        return {
            "subject": self.subject,
            "kind": self.kind,
            "status": self.status,
            "revoked": self.revoked,
            "expired": self.expired,
            "findings": [asdict(f) for f in self.findings],
            "checked": self.checked,
        }


def _parse_datetime(value) -> datetime | None:
    if not isinstance(value, str) or not DATETIME.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d|[+-]\d\d)$")
