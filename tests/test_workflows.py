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


def tool(name: str) -> str:
    path = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return path


def test_workflows_match_the_github_schema():
    result = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_issue_form_matches_the_github_schema():
    form = REPO / ".github/ISSUE_TEMPLATE/badge-application.yml"
    result = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-issue-forms", str(form)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_pass_the_security_linter():
    result = subprocess.run([tool("zizmor"), "--offline", "--no-progress", str(REPO / ".github/workflows")],
                            capture_output=True, text=True)
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
                    command = step["run"].strip()
                    assert command == "pip install ." or command.startswith("sitegen "), command
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
