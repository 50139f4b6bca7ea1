"""The commands as a user runs them: `sitegen --version`, `new`, and the preview server over real HTTP."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import AWARD_ID
from helpers import build, edit, read_json

from sitegen import __version__
from sitegen.cli import make_parser
from sitegen.commands.serve import PreviewServer


def run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "sitegen", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"sitegen {__version__}"


def test_new_scaffolds_a_site_that_builds_as_is(tmp_path):
    result = run_cli("new", "my-badges", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "my-badges"
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assertions = list((site / "output/assertions").glob("*.json"))
    assert len(assertions) == 1
    assert read_json(assertions[0])["recipient"]["hashed"] is True
    verified = run_cli("verify", "output", cwd=site)  # what the deploy workflow runs next
    assert verified.returncode == 0, verified.stdout
    assert "you@example.org" not in "".join(p.read_text() for p in (site / "content").rglob("*.yaml"))
    # Its award and those `sitegen issue` adds share the issuer's first status list.
    from sitegen.status import status_position

    assert status_position("example-org", assertions[0].stem).list_number == 1
    issued = run_cli("issue", "first-badge", "--email", "learner@example.org", cwd=site)
    assert issued.returncode == 0 and "award id: " in issued.stderr  # what `sitegen revoke` takes
    again = run_cli("new", "my-badges", cwd=tmp_path)
    assert again.returncode == 1 and "not empty" in again.stderr and "Traceback" not in again.stderr


def test_build_errors_exit_1_without_traceback_and_debug_shows_nothing_worse(make_site):
    root = make_site({"content/issuers/test-uni.yaml": "name: [\n"})
    result = run_cli("build", cwd=root)
    assert result.returncode == 1
    assert "content/issuers/test-uni.yaml:" in result.stderr and "Traceback" not in result.stderr


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def test_preview_serves_rebuilds_and_shows_errors_without_touching_output(make_site):
    root = make_site()
    assert build(root) == 0
    output_before = (root / "output/index.html").read_bytes()
    preview = PreviewServer(root, port=0)
    preview.start()
    try:
        status, body = fetch(preview.url)
        assert status == 200 and "Python Basics" in body and "/__sitegen/status" in body
        status, body = fetch(preview.url + f"assertions/{AWARD_ID}")  # GitHub Pages style, without .html
        assert status == 200 and "Python Basics" in body
        status, body = fetch(preview.url + f"assertions/{AWARD_ID}.json")
        # Built for the preview's address, so the pages' in-browser checks (id == URL) pass there too.
        assert json.loads(body)["id"] == preview.url + f"assertions/{AWARD_ID}.json"

        badge = root / "content/badgeclasses/python-basics.yaml"
        badge.write_text(edit(badge.read_text(), "name: {ja: Python 基礎, en: Python Basics}", "name: Python Zero"))
        _wait_for(lambda: "Python Zero" in fetch(preview.url)[1])

        (root / "content/issuers/test-uni.yaml").write_text("name: Test\n")
        _wait_for(lambda: fetch(preview.url)[0] == 500)
        status, body = fetch(preview.url + "badges/star.html")
        assert status == 500 and "content/issuers/test-uni.yaml:1: error: missing required field" in body
        assert json.loads(fetch(preview.url + "__sitegen/status")[1])["errors"]
    finally:
        preview.stop()
    assert (root / "output/index.html").read_bytes() == output_before


def _wait_for(condition, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("the preview did not rebuild in time")


def _assert_every_option_says_what_it_does(parser: argparse.ArgumentParser, command: str) -> None:
    for option in parser._actions:
        if isinstance(option, argparse._SubParsersAction):  # e.g. keys generate
            for listed in option._choices_actions:
                assert listed.help, f"{command} {listed.dest} has no line in --help"
                _assert_every_option_says_what_it_does(option.choices[listed.dest], f"{command} {listed.dest}")
        elif option.option_strings:
            assert option.help, f"{command} {'/'.join(option.option_strings)} says nothing in --help"


def test_every_command_is_documented_in_the_readme_and_in_its_help():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    table = readme.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    documented = {row.split("`")[1].split()[1] for row in table.splitlines() if row.startswith("| `sitegen ")}
    parser = make_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    overview = " ".join(parser.format_help().split())  # argparse wraps lines
    for listed in commands._choices_actions:
        name = listed.dest
        assert name in documented, f"sitegen {name} has no row in the README's table of commands"
        assert listed.help and " ".join(listed.help.split()) in overview, f"sitegen {name} has no line in --help"
        _assert_every_option_says_what_it_does(commands.choices[name], f"sitegen {name}")
    # and the table names no command that does not exist
    assert documented - set(commands.choices) <= {"--version"}, documented - set(commands.choices)


def test_new_where_it_cannot_write_is_a_clear_error(tmp_path):
    (tmp_path / "a-file").write_text("x")
    for target in ("a-file", "a-file/site"):
        result = run_cli("new", target, cwd=tmp_path)
        assert result.returncode == 1 and result.stderr.startswith("error:") and "Traceback" not in result.stderr


def test_a_port_that_is_taken_or_impossible_is_a_clear_error(make_site):
    import socket

    root = make_site()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run_cli("serve", "--port", str(taken.getsockname()[1]), cwd=root)
    assert result.returncode == 1 and "choose another port" in result.stderr and "internal error" not in result.stderr
    assert run_cli("serve", "--port", "99999", cwd=root).returncode == 2


def test_stopping_the_preview_with_sigterm_removes_its_temporary_folder(make_site, tmp_path):
    import os
    import signal

    from browser import free_port

    root, scratch, port = make_site(), tmp_path / "tmp", free_port()
    scratch.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", "--port", str(port)],
        cwd=root,
        env={**os.environ, "TMPDIR": str(scratch)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        while "previewing" not in process.stdout.readline():
            pass
        assert fetch(f"http://127.0.0.1:{port}/index.html")[0] == 200
        assert list(scratch.glob("sitegen-serve-*"))
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 130
    finally:
        process.kill()
    assert not list(scratch.glob("sitegen-serve-*"))
