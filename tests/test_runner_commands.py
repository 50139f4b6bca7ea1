"""Content cannot speak to the CI runner: a YAML value printed by any command never starts a log line with a
workflow command (`::warning::`, `::add-mask::`, `::stop-commands::`, `##[error]`), whatever line break or
whitespace comes before it."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

PAYLOADS = [
    "\n::error::forged",
    "\r::add-mask::secret",
    "\n  \t::stop-commands::token",
    "\r\n##[warning]forged",
    "\n\u3000::notice::full-width space",
]
# How the runner reads a line (split at \r or \n): `::` after leading whitespace, `##[` anywhere.
COMMAND_LINE = re.compile(r"^\s*::|##\[")


def runner_commands(output: str) -> list[str]:
    return [line for line in re.split(r"\r\n|\r|\n", output) if COMMAND_LINE.search(line)]


def test_the_check_would_see_a_command():
    assert runner_commands("fine\r::add-mask::x\n") == ["::add-mask::x"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_content_value_becomes_a_runner_command(make_site, payload):
    quoted = payload.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    root = make_site({"content/badgeclasses/star.yaml": f'issuer: "nobody{quoted}"\nname: "Star{quoted}"\n'})
    done = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", "--root", str(root)],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert done.returncode == 1
    assert "nobody" in done.stderr  # the value is printed…
    assert not runner_commands(done.stdout + "\n" + done.stderr)  # …but cannot start a command
    assert payload.rsplit("]", 1)[-1].rsplit("::", 1)[-1] in done.stderr  # it is shown escaped, not dropped


def test_verify_json_stays_exact_json_with_a_command_in_a_value(make_site, tmp_path):
    import json

    root = make_site()
    assert subprocess.run([sys.executable, "-m", "sitegen", "build", "--root", str(root)]).returncode == 0
    named = tmp_path / "a##[warning]b.json"
    named.write_bytes(next((root / "output/assertions").glob("*.json")).read_bytes())
    done = subprocess.run(
        [sys.executable, "-m", "sitegen", "verify", "--json", str(named)],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    report = json.loads(done.stdout)  # still JSON, with the name exactly as it is
    assert any(str(named) in result["subject"] for result in report["results"])
    assert not runner_commands(done.stdout)
