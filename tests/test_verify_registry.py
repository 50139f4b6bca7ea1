"""verify's registry of named checks: every finding code belongs to one check, and --json lists each check's verdict."""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

import pytest
from conftest import AWARD_ID, default_files
from helpers import build

from sitegen.build.pipeline import build_site
from sitegen.cli import main
from sitegen.diagnostics import CODES
from sitegen.openbadges.keys import generate
from sitegen.verify.checks import BY_NAME, CHECKS, INPUTS, VERDICTS
from sitegen.verify.inputs import verify_site

VERIFY = Path(__file__).resolve().parent.parent / "sitegen" / "verify"
# Result's methods that take a registered check's name as their first argument.
NAMING_A_CHECK = {"ran": 1, "skip": 0, "revoke": 0, "expire": 0, "started": 0}


def _verify_sources() -> list[tuple[str, ast.AST]]:
    return [(path.name, ast.parse(path.read_text(encoding="utf-8"))) for path in sorted(VERIFY.glob("*.py"))]


def raised_codes() -> dict[str, list[str]]:
    """Every code verify's modules can report (code -> where): literals passed as `code=`, and any string
    constant shaped like a verify code (a code kept in a variable first)."""
    found: dict[str, list[str]] = {}
    for name, tree in _verify_sources():
        if name == "checks.py":
            continue  # the declarations themselves
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("verify."):
                found.setdefault(node.value, []).append(f"{name}:{node.lineno}")
    return found


def test_every_finding_is_made_with_a_literal_code():
    for name, tree in _verify_sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("error", "warning") and name != "report.py":
                    codes = [kw.value for kw in node.keywords if kw.arg == "code"]
                    assert codes, f"{name}:{node.lineno}: a finding without code="
                    assert isinstance(codes[0], (ast.Constant, ast.Name)), f"{name}:{node.lineno}"


def test_every_code_a_check_can_raise_is_declared_by_exactly_one_check():
    declared = [code for check in CHECKS for code in check.codes]
    assert len(declared) == len(set(declared)), "a code declared by two checks"
    raised = raised_codes()
    assert set(raised) == set(declared), (
        f"raised but not declared: {sorted(set(raised) - set(declared))}; "
        f"declared but never raised: {sorted(set(declared) - set(raised))}"
    )
    # ... and every one is in the one registry of diagnostic codes, and every verify code there has a check
    assert set(declared) == {code for code in CODES if code.startswith("verify.")}


def test_the_one_status_code_of_old_is_now_several_codes_of_one_check():
    status = BY_NAME["status"]
    assert len(status.codes) >= 5 and all(code.startswith("verify.status.") for code in status.codes)


def test_check_names_are_unique_and_what_they_apply_to_is_known():
    names = [check.name for check in CHECKS]
    assert len(names) == len(set(names))
    for check in CHECKS:
        assert check.applies_to and set(check.applies_to) <= set(INPUTS), check.name
        assert check.codes and check.doc.strip(), check.name


def test_every_check_named_in_the_code_is_registered():
    for name, tree in _verify_sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                position = NAMING_A_CHECK.get(node.func.attr)
                if position is not None and len(node.args) > position:
                    arg = node.args[position]
                    if isinstance(arg, ast.Constant):
                        assert arg.value in BY_NAME, f"{name}:{node.lineno}: {arg.value!r} is no registered check"


# --- verdicts on real sites ---------------------------------------------------------------------------------


def verdicts(result) -> dict[str, str]:
    return {entry["name"]: entry["verdict"] for entry in result.verdicts()}


def failed(result) -> set[str]:
    return {name for name, verdict in verdicts(result).items() if verdict == "failed"}


def of(results, subject):
    return next(r for r in results if r.subject == subject)


@pytest.fixture
def ob2_site(make_site):
    root = make_site()
    assert build(root) == 0
    return root / "output"


def test_verify_json_lists_every_check_with_its_verdict(ob2_site, capsys):
    capsys.readouterr()
    assert main(["verify", str(ob2_site), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    results = report["results"]
    hosted = next(r for r in results if r["subject"] == f"assertions/{AWARD_ID}.json")
    assert {"subject", "kind", "status", "findings", "checked", "checks"} <= set(hosted)
    listed = {c["name"]: c for c in hosted["checks"]}
    assert all(c["verdict"] in VERDICTS and isinstance(c["findings"], list) for c in listed.values())
    for name in ("readable", "document format", "document id matches URL", "recipient", "issue date", "badge image"):
        assert listed[name]["verdict"] == "passed", listed[name]
    assert listed["revocation list"]["verdict"] == "passed"
    assert listed["expiry"] == {
        "name": "expiry",
        "verdict": "skipped",
        "reason": "the badge does not expire",
        "findings": [],
    }
    baked = next(r for r in results if r["subject"] == f"assertions/{AWARD_ID}.png")
    assert {c["name"]: c["verdict"] for c in baked["checks"]}["baked image"] == "passed"


def rewrite(path: Path, change) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def test_an_altered_id_fails_exactly_the_id_check(ob2_site):
    rewrite(ob2_site / f"assertions/{AWARD_ID}.json", lambda d: d.update(id=d["id"].replace("https", "http")))
    result = of(verify_site(ob2_site), f"assertions/{AWARD_ID}.json")
    assert failed(result) == {"document id matches URL"}
    [finding] = result.errors
    assert finding.check == "assertion.id-matches-url" and finding.code == "verify.document.id-mismatch"
    assert finding.location.path == f"assertions/{AWARD_ID}.json"


def test_a_revoked_badge_fails_the_revocation_list_check_without_a_finding(ob2_site):
    url = json.loads((ob2_site / f"assertions/{AWARD_ID}.json").read_text())["id"]
    rewrite(ob2_site / "revocations/test-uni.json", lambda d: d["revokedAssertions"].append({"id": url}))
    result = of(verify_site(ob2_site), f"assertions/{AWARD_ID}.json")
    assert result.status == "revoked" and failed(result) == {"revocation list"}


def test_a_wrong_email_fails_the_recipient_check(ob2_site, capsys):
    capsys.readouterr()
    path = ob2_site / f"assertions/{AWARD_ID}.png"
    assert main(["verify", str(path), "--site", str(ob2_site), "--email", "mallory@example.org", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    [result] = report["results"]
    assert {c["name"] for c in result["checks"] if c["verdict"] == "failed"} == {"recipient"}
    [finding] = [f for f in result["findings"] if f["level"] == "error"]
    assert finding["code"] == "verify.recipient.mismatch" and finding["check"] == "assertion.recipient-match"


def test_the_text_output_still_names_the_step(ob2_site, capsys):
    rewrite(ob2_site / "badges/python-basics.json", lambda d: d.update(type="Badge"))
    capsys.readouterr()
    assert main(["verify", str(ob2_site)]) != 0
    assert "error: [badge.type] type is 'Badge', expected BadgeClass" in capsys.readouterr().out


@pytest.fixture
def ob3_site(make_site):
    private, public = generate()
    site_yaml = textwrap.dedent(default_files()["content/site.yaml"]).rstrip("\n")
    site_yaml += f"\nkeys:\n  - id: key-1\n    public_key: {public}\n"
    root = make_site({"content/site.yaml": site_yaml})
    build_site(root, environ={"SITEGEN_SIGNING_KEY": private})
    return root / "output"


def test_a_forged_credential_fails_exactly_the_signature_check(ob3_site):
    subject = f"credentials/{AWARD_ID}.json"
    assert failed(of(verify_site(ob3_site), subject)) == set()
    assert verdicts(of(verify_site(ob3_site), subject))["status"] == "passed"
    rewrite(ob3_site / subject, lambda d: d["credentialSubject"]["achievement"].update(name="Something else"))
    result = of(verify_site(ob3_site), subject)
    assert failed(result) == {"signature"}
    assert {f.code for f in result.errors} == {"verify.signature.invalid"}
    assert {f.check for f in result.errors} == {"credential.proof"}  # the step text output prints, as before


def test_a_status_list_of_another_issuer_fails_the_status_check_only(ob3_site):
    subject = f"credentials/{AWARD_ID}.json"
    entry = json.loads((ob3_site / subject).read_text())["credentialStatus"]
    entry = entry[0] if isinstance(entry, list) else entry
    status_list = ob3_site / "status" / entry["statusListCredential"].rsplit("/", 1)[1]
    rewrite(status_list, lambda d: d.update(issuer="did:web:forger.example"))
    results = verify_site(ob3_site)
    assert failed(of(results, subject)) == {"status"}
    assert {f.code for f in of(results, subject).errors} == {"verify.status.wrong-list"}
    # the published list itself: its issuer check fails, and its proof no longer holds
    listed = of(results, f"status/{status_list.name}")
    assert "status list" in failed(listed)
