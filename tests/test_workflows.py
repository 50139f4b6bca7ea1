"""The GitHub workflows and review aids: linted, pinned, least privilege, and thin (sitegen commands only)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / ".github/workflows").glob("*.yml"))
BIN = Path(sys.executable).parent
# The only installs a workflow may run: pinned, hash-checked dependencies, then sitegen itself without
# dependencies or an unpinned build backend (from the base branch's checkout in the pull-request check).
INSTALL_COMMANDS = {
    "pip install --require-hashes -r requirements/deploy.txt",
    "pip install --no-deps --no-build-isolation .",
    "pip install --require-hashes -r trusted/requirements/deploy.txt",
    "pip install --no-deps --no-build-isolation ./trusted",
}


def tool(name: str) -> str:
    path = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return path


def test_workflows_match_the_github_schema():
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_issue_form_matches_the_github_schema():
    form = REPO / ".github/ISSUE_TEMPLATE/badge-application.yml"
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-issue-forms", str(form)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_pass_the_security_linter():
    result = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", str(REPO / ".github/workflows")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_are_pinned_least_privilege_and_thin():
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text())
        assert workflow["permissions"] == {"contents": "read"}, path.name
        for job in workflow["jobs"].values():
            for step in job.get("steps", []):
                if "uses" in step:
                    assert re.match(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$", step["uses"]), step["uses"]
                if "run" in step:
                    for command in step["run"].strip().splitlines():
                        assert command in INSTALL_COMMANDS or command.startswith("sitegen "), command
    publish = yaml.safe_load((REPO / ".github/workflows/publish.yml").read_text())
    deploy = publish["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert publish["jobs"]["build"]["environment"] == "badge-signing"
    steps = " ".join(str(s.get("run", s.get("uses"))) for s in publish["jobs"]["build"]["steps"])
    assert "sitegen build --require-signing" in steps and "sitegen verify output" in steps
    assert "upload-pages-artifact" in steps and "deploy-pages" in str(deploy["steps"])


def test_review_aids_exist():
    owners = (REPO / ".github/CODEOWNERS").read_text()
    for path in ("/content/", "/content/site.yaml", "/.github/", "/themes/", "/sitegen/"):
        assert f"\n{path} " in owners  # everything that changes what is published needs a code owner's review
    template = (REPO / ".github/pull_request_template.md").read_text()
    assert "plaintext email" in template and "sitegen check" in template


def test_the_pull_request_check_runs_sitegen_from_the_base_branch_only():
    """A pull request's tree is data: its setup.py, pyproject.toml and sitegen/ must never run in the check."""
    workflow = yaml.safe_load((REPO / ".github/workflows/check.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert list(triggers) == ["pull_request"]  # not pull_request_target: no secrets, no write token
    steps = workflow["jobs"]["check"]["steps"]
    checkouts = {s["with"]["path"]: s["with"] for s in steps if s.get("uses", "").startswith("actions/checkout@")}
    assert checkouts["trusted"]["ref"] == "${{ github.base_ref }}"  # the base branch, not the merge commit
    assert "ref" not in checkouts["pull-request"]  # the pull request, checked out beside it
    assert all(c["persist-credentials"] is False for c in checkouts.values())
    runs = [line for s in steps if "run" in s for line in s["run"].strip().splitlines()]
    installs = [line for line in runs if line.startswith("pip ")]
    assert installs == [
        "pip install --require-hashes -r trusted/requirements/deploy.txt",
        "pip install --no-deps --no-build-isolation ./trusted",
    ]
    assert not any("pull-request" in line for line in installs)
    [command] = [line for line in runs if line.startswith("sitegen ")]
    assert command.startswith("sitegen check --root pull-request ")
    # Nothing else runs from the pull request's tree: no script, no `python …`, no working-directory in it.
    assert not any(s.get("working-directory") for s in steps)
    assert workflow["permissions"] == {"contents": "read"} and "permissions" not in workflow["jobs"]["check"]


def test_the_signing_job_installs_pinned_hash_checked_dependencies():
    publish = yaml.safe_load((REPO / ".github/workflows/publish.yml").read_text())
    runs = [line for s in publish["jobs"]["build"]["steps"] if "run" in s for line in s["run"].strip().splitlines()]
    assert runs[:2] == [
        "pip install --require-hashes -r requirements/deploy.txt",
        "pip install --no-deps --no-build-isolation .",
    ]
    assert not any(line.startswith("pip ") for line in runs[2:])


def _locked() -> dict[str, tuple[str, list[str]]]:
    """requirements/deploy.txt: name → (version, hashes)."""
    text = (REPO / "requirements/deploy.txt").read_text()
    locked = {}
    for block in re.split(r"\n(?=\S)", text):
        match = re.match(r"^([A-Za-z0-9._-]+)==(\S+)", block)
        if match:
            name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
            locked[name] = (match.group(2), re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return locked


def test_the_lock_file_pins_every_dependency_with_hashes():
    """Every dependency of sitegen, and theirs in turn (as installed here), is pinned with at least one hash;
    so is the build backend, which --no-build-isolation takes from the lock."""
    from importlib.metadata import PackageNotFoundError, requires

    from packaging.requirements import Requirement

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    locked = _locked()
    assert locked and all(hashes for _, hashes in locked.values()), "every entry needs --hash lines"
    text = (REPO / "requirements/deploy.txt").read_text()
    assert all(line.startswith(("#", " ", "\t")) or "==" in line for line in text.splitlines() if line.strip())
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    for needed in pyproject["build-system"]["requires"]:
        assert Requirement(needed).name.lower() in locked, needed
    todo = [Requirement(r) for r in pyproject["project"]["dependencies"]]
    seen = set()
    while todo:
        requirement = todo.pop()
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        if name in seen or (requirement.marker and not requirement.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        assert name in locked, f"{name} is a dependency but not in requirements/deploy.txt (pip-compile it again)"
        version = locked[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (name, version, str(requirement.specifier))
        try:
            todo += [Requirement(r) for r in requires(requirement.name) or []]
        except PackageNotFoundError:
            pass  # not installed here: its own dependencies are checked where it is


def test_codeowners_has_a_catch_all_rule_first():
    rules = [
        line.split()
        for line in (REPO / ".github/CODEOWNERS").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0][0] == "*" and len(rules[0]) > 1  # the last match wins: every other rule refines it
    assert all(len(rule) > 1 for rule in rules)  # no rule that takes the owners away
