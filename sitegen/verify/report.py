"""What a verification reports: the result of one badge, with every finding and the verdict of every check."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sitegen.diagnostics import Diagnostic, Location
from sitegen.messages import _
from sitegen.verify.checks import CHECKS, check_named, check_of
from sitegen.verify.fetch import Unreachable

UNREACHABLE = "verify.document.unreachable"  # a network failure: the badge could not be verified right now


@dataclass(frozen=True)
class Finding(Diagnostic):
    """A diagnostic of verify. `check` is the step's stable name text output prints in brackets
    ("credential.status"); the code (one per kind of problem) names the registered check it belongs to."""

    check: str = ""

    def to_dict(self) -> dict:
        return {"check": self.check, "level": self.severity, "message": self.message, **super().to_dict()}


@dataclass
class Result:
    subject: str  # the URL or file that was checked
    kind: str  # "ob2-hosted", "ob2-png", "ob2-svg", "ob3-credential", "ob3-png", "ob3-svg"
    findings: list[Finding] = field(default_factory=list)
    revoked: str | None = None  # the reason, when the issuer revoked it
    expired: str | None = None  # when it expired
    checked: list[str] = field(default_factory=list)  # names of the steps that ran
    inputs: list[str] = field(default_factory=list)  # what was read: checks.INPUTS
    checks_run: list[str] = field(default_factory=list)  # registered checks that ran
    skipped: dict[str, str] = field(default_factory=dict)  # registered check -> why it did not run
    failed_by: dict[str, str] = field(default_factory=dict)  # check -> "revoked"/"expired" (no finding)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def unreachable(self) -> bool:
        """Whether every error is a network failure: nothing found is wrong, but not everything could be read."""
        return bool(self.errors) and all(f.code == UNREACHABLE for f in self.errors)

    @property
    def status(self) -> str:
        if self.unreachable:
            return "unverifiable"  # not "invalid": asked again later, the same badge may well verify
        if self.errors:
            return "invalid"
        if self.revoked is not None:
            return "revoked"
        if self.expired is not None:
            return "expired"
        return "valid"

    def error(self, step: str, message: str, *, code: str) -> None:
        self._add(step, message, "error", code)

    def fetch_failed(self, step: str, message: str, exc: Exception, *, code: str) -> None:
        """A document that could not be fetched: `code` when the site answered (a 404, not JSON), the network
        failure verify.document.unreachable when it did not (try again later)."""
        self.error(step, message, code=UNREACHABLE if isinstance(exc, Unreachable) else code)

    def warning(self, step: str, message: str, *, code: str) -> None:
        self._add(step, message, "warning", code)

    def _add(self, step: str, message: str, severity: str, code: str) -> None:
        self.started(check_of(code).name)
        self.findings.append(Finding(Location(self.subject), message, severity, code, step))  # type: ignore[arg-type]

    def read(self, what: str) -> None:
        """Record an input this result checks (checks.INPUTS): the checks that apply to it are listed."""
        if what not in self.inputs:
            self.inputs.append(what)

    def ran(self, step: str, check: str) -> None:
        """Record that `step` of the registered check `check` ran."""
        self.checked.append(step)
        self.started(check)

    def skip(self, check: str, reason: str) -> None:
        self.skipped.setdefault(check_named(check).name, reason)

    def revoke(self, check: str, reason: str) -> None:
        self.revoked = reason
        self.failed_by[check_named(check).name] = "revoked"

    def expire(self, check: str, when: str) -> None:
        self.expired = when
        self.failed_by[check_named(check).name] = "expired"

    def started(self, check: str) -> None:
        """Record that the registered check `check` ran (when no step of it is named)."""
        check = check_named(check).name
        if check not in self.checks_run:
            self.checks_run.append(check)

    def verdicts(self) -> list[dict]:
        """Every check that applies to what was read, or that ran, in registry order, with its verdict."""
        listed = []
        for check in CHECKS:
            applies = any(what in check.applies_to for what in self.inputs)
            if not applies and check.name not in self.checks_run and check.name not in self.skipped:
                continue
            findings = [f for f in self.findings if f.code in check.codes]
            entry: dict = {"name": check.name}
            if findings and all(f.code == UNREACHABLE for f in findings):
                entry["verdict"] = "unverifiable"
                entry["reason"] = _(
                    "could not be verified right now (a document could not be fetched): try again later"
                )
            elif any(f.severity == "error" for f in findings) or check.name in self.failed_by:
                entry["verdict"] = "failed"
                if check.name in self.failed_by:
                    entry["reason"] = self.failed_by[check.name]
            elif findings:
                entry["verdict"] = "warning"
            elif check.name in self.checks_run:
                entry["verdict"] = "passed"
            else:
                entry["verdict"] = "skipped"
                entry["reason"] = self.skipped.get(check.name) or (
                    _("not reached: a document could not be fetched right now")
                    if self.unreachable
                    else _("not reached: an earlier check failed")
                    if self.errors
                    else _("the issuer revoked the badge")
                    if self.revoked is not None
                    else _("nothing to check in this badge")
                )
            entry["findings"] = [f.to_dict() for f in findings]
            listed.append(entry)
        return listed

    def to_dict(self) -> dict:
        return {
            "subject": self.subject,
            "kind": self.kind,
            "status": self.status,
            "revoked": self.revoked,
            "expired": self.expired,
            "findings": [f.to_dict() for f in self.findings],
            "checked": self.checked,
            "checks": self.verdicts(),
        }


def parse_datetime(value) -> datetime | None:
    if not isinstance(value, str) or not DATETIME.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d|[+-]\d\d)$")
