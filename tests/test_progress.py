"""Progress of long work as a user sees it: the real CLI in a subprocess building and verifying a scratch site of a
few hundred awards, its stderr read from a pipe (a CI log) or from a pseudo-terminal (a bar), with the "show
after" threshold lowered through the environment so that a small site shows its progress."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from conftest import default_files, identity_hash, write_files
from helpers import tree_bytes

from sitegen.cli_progress import ProgressLines, duration
from sitegen.commands.authoring import HOLDS_STAGE
from sitegen.messages import use_language
from sitegen.openbadges.keys import generate
from sitegen.status import draw_award_ids

AWARDS = 300
TOTAL = AWARDS + 3  # and the default site's three
SHOW_AT_ONCE = {"SITEGEN_PROGRESS_AFTER": "0", "SITEGEN_PROGRESS_EVERY": "0"}
BUILD_LINE = re.compile(r"^Writing award pages: (\d+) of 303 \((\d+)%\), [\d,]+/s(, about \d+ s left)?$")
BUILD_DONE = re.compile(r"^Writing award pages: 303 of 303 done in \d+ s$")
# Windows has no pseudo-terminals to test with (its console draws the same tqdm bar)
pseudo_terminal = pytest.mark.skipif(sys.platform == "win32", reason="no pseudo-terminal on Windows")


def scratch_site(root: Path, awards: int = AWARDS, site_options: str = "") -> Path:
    """The tests' default site and a cohort of `awards` more awards of one badge (ids drawn as `issue` draws them)."""
    rng = random.Random(awards)
    ids = draw_award_ids("test-uni", awards, new_id=lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4)))
    lines = ["badge: python-basics", "issued_on: 2026-04-01", "awards:"]
    for number, award_id in enumerate(ids):
        salt = f"{rng.getrandbits(128):032x}"
        lines += [
            f"  - id: {award_id}",
            f'    recipient: {{hash: "{identity_hash(f"l{number}@example.org", salt)}", salt: "{salt}"}}',
        ]
    files = default_files()
    files["content/site.yaml"] = textwrap.dedent(str(files["content/site.yaml"])) + site_options
    files["content/assertions/2026/cohort.yaml"] = "\n".join(lines) + "\n"
    return write_files(root, files)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return scratch_site(tmp_path_factory.mktemp("progress") / "site")


@pytest.fixture(scope="module")
def built(site, tmp_path_factory) -> Path:
    """The scratch site built once, quietly, for the verify tests."""
    output = tmp_path_factory.mktemp("built") / "output"
    result = sitegen("build", "--quiet", "--root", str(site), "--output", str(output))
    assert result.returncode == 0 and "Writing" not in result.stderr, result.stderr
    return output


def sitegen(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real command, its stderr a pipe (not a terminal), as in a CI job."""
    return subprocess.run(
        [sys.executable, "-m", "sitegen", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def on_terminal(*args: str, env: dict | None = None, columns: int = 120, rows: int = 30) -> tuple[str, str, int]:
    """The real command with its stderr on a pseudo-terminal (an interactive user): (stdout, what the terminal
    received, exit code)."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "sitegen", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
        env={**os.environ, **(env or {})},
    )
    os.close(follower)
    received = b""
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the command has closed the terminal
            break
        if not data:
            break
        received += data
    os.close(leader)
    assert process.stdout is not None
    stdout = process.stdout.read().decode("utf-8")
    return stdout, received.decode("utf-8"), process.wait(timeout=300)


def log_lines(stderr: str, stage: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(stage)]


def test_a_build_in_a_log_prints_plain_lines_every_tenth_and_one_at_the_end(site, tmp_path):
    result = sitegen("build", "--root", str(site), "--output", str(tmp_path / "out"), env=SHOW_AT_ONCE)
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr and "\x1b" not in result.stderr  # no bar drawing in a log
    lines = log_lines(result.stderr, "Writing award pages")
    assert BUILD_DONE.match(lines[-1]), lines
    matches = [BUILD_LINE.match(line) for line in lines[:-1]]
    done = [int(match.group(1)) for match in matches if match]
    assert len(done) == len(matches), lines
    assert len(done) >= 5, lines
    assert done == sorted(done) and done[-1] < TOTAL
    assert all(later - earlier >= TOTAL / 10 for earlier, later in zip(done, done[1:], strict=False)), done
    assert f"{TOTAL} award(s)" in result.stdout


@pseudo_terminal
def test_a_build_on_a_terminal_draws_a_bar(site, tmp_path):
    stdout, terminal, code = on_terminal(
        "build", "--root", str(site), "--output", str(tmp_path / "out"), env=SHOW_AT_ONCE
    )
    assert code == 0, terminal
    assert f"{TOTAL} award(s)" in stdout
    frames = [frame for frame in re.split(r"[\r\n]+", terminal) if frame.startswith("Writing award pages:")]
    assert len(frames) >= 2, terminal  # drawn again in place as the work goes on
    last = frames[-1]
    # stage, percentage, the bar, done/total, time spent < time left, rate
    assert re.fullmatch(r"Writing award pages: 100%\|█+\| 303/303 \[\d\d:\d\d<\d\d:\d\d, +[\d.]+/s\] *", last), last
    assert len(last.rstrip()) <= 120  # the terminal's width
    assert re.search(r"Writing award pages: +\d+%\|█*[^|]* *\| \d+/303 \[", frames[0]), frames[0]


@pseudo_terminal
def test_the_bar_and_the_lines_speak_japanese(site, tmp_path):
    stdout, terminal, code = on_terminal(
        "--lang", "ja", "build", "--root", str(site), "--output", str(tmp_path / "bar"), env=SHOW_AT_ONCE
    )
    assert code == 0, terminal
    last = [frame for frame in re.split(r"[\r\n]+", terminal) if frame.startswith("授与ページの書き出し")][-1]
    assert re.fullmatch(
        r"授与ページの書き出し：100%\|█+\| 303/303（経過 \d\d:\d\d、残り \d\d:\d\d、 *[\d.]+/s） *", last
    )
    result = sitegen("--lang", "ja", "build", "--root", str(site), "--output", str(tmp_path / "log"), env=SHOW_AT_ONCE)
    lines = log_lines(result.stderr, "授与ページの書き出し")
    assert re.fullmatch(r"授与ページの書き出し：303 件中 \d+ 件（\d+%）、毎秒 [\d,]+ 件(、残り約 \d+ 秒)?", lines[0])
    assert re.fullmatch(r"授与ページの書き出し：303 件中 303 件を処理（\d+ 秒）", lines[-1])


@pseudo_terminal
def test_quiet_shows_no_progress(site, tmp_path):
    result = sitegen("build", "--quiet", "--root", str(site), "--output", str(tmp_path / "out"), env=SHOW_AT_ONCE)
    assert result.returncode == 0 and "Writing award pages" not in result.stderr
    stdout, terminal, code = on_terminal(
        "build", "-q", "--root", str(site), "--output", str(tmp_path / "out2"), env=SHOW_AT_ONCE
    )
    assert code == 0 and "Writing award pages" not in terminal and "%|" not in terminal


def test_build_json_stays_pure_json_on_stdout(site, tmp_path):
    result = sitegen("build", "--json", "--root", str(site), "--output", str(tmp_path / "out"), env=SHOW_AT_ONCE)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["awards"] == TOTAL  # the whole of stdout is the JSON object
    assert BUILD_DONE.match(log_lines(result.stderr, "Writing award pages")[-1])  # progress went to stderr


def test_verify_json_stays_pure_json_on_stdout(built):
    result = sitegen("verify", "--json", str(built), env=SHOW_AT_ONCE)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["counts"]["valid"] >= 2 * AWARDS and "invalid" not in report["counts"]
    assert log_lines(result.stderr, "Verifying the site's documents")


@pseudo_terminal
def test_small_work_shows_nothing(make_site, tmp_path):
    """Under the default threshold (2 s) nothing is shown: no flicker on a small site, on a terminal or in a log."""
    root = make_site()
    result = sitegen("build", "--root", str(root))
    assert result.returncode == 0 and result.stderr.strip().startswith("note:")  # the unsigned note, and only it
    assert "Writing award pages" not in result.stderr
    stdout, terminal, code = on_terminal("build", "--root", str(root))
    assert code == 0 and "Writing award pages" not in terminal and "%|" not in terminal
    result = sitegen("verify", str(root / "output"))
    assert result.returncode == 0 and result.stderr == ""


def test_verifying_a_folder_reports_its_documents(built):
    result = sitegen("verify", str(built), env=SHOW_AT_ONCE)
    assert result.returncode == 0, result.stdout
    # each award's hosted assertion and baked image, one document at a time
    documents = len([p for p in (built / "assertions").iterdir() if p.suffix in (".json", ".png", ".svg")])
    assert documents >= 2 * AWARDS
    lines = log_lines(result.stderr, "Verifying the site's documents")
    assert re.fullmatch(rf"Verifying the site's documents: {documents:,} of {documents:,} done in \d+ s", lines[-1])
    first = re.match(r"Verifying the site's documents: (\d+) of [\d,]+ \(\d+%\)", lines[0])
    # Counted as they are done: one by one in one process, a chunk at a time on several cores.
    assert first and 1 <= int(first.group(1)) < documents
    assert f"checked {documents + 3}: " in result.stdout  # and the issuer's profile and the two badges


def test_issue_of_a_spreadsheet_reports_its_recipients(tmp_path):
    """`issue --csv` through the same display: the check of who holds the badge already, recipient by recipient;
    stdout keeps only the mail-merge list."""
    root = scratch_site(tmp_path / "site", 300)
    emails = [f"new{number}@example.org" for number in range(200)]
    (tmp_path / "cohort.csv").write_text("email\n" + "\n".join(emails) + "\n", encoding="utf-8")
    result = sitegen(
        "issue",
        "python-basics",
        "--csv",
        str(tmp_path / "cohort.csv"),
        "--print-urls",
        "--root",
        str(root),
        env=SHOW_AT_ONCE,
    )
    assert result.returncode == 0, result.stderr
    lines = log_lines(result.stderr, HOLDS_STAGE)
    assert re.fullmatch(rf"{HOLDS_STAGE}: 1 of 200 \(0%\), [\d,]+/s(, about \d+ s left)?", lines[0]), lines
    assert re.fullmatch(rf"{HOLDS_STAGE}: 200 of 200 done in \d+ s", lines[-1]), lines
    rows = result.stdout.splitlines()
    assert rows[0] == "email,name,award_id,award_url" and [row.split(",")[0] for row in rows[1:]] == emails


def test_a_signed_parallel_build_reports_its_workers_chunks_and_writes_the_same_site(tmp_path):
    """Forked workers write the awards: their chunks are counted as they finish; the site is the same bytes as a
    build nobody listened to (listening cuts the work into more chunks)."""
    private, public = generate()
    root = scratch_site(tmp_path / "site", 150, f"keys:\n  - id: key-1\n    public_key: {public}\n")
    env = {**SHOW_AT_ONCE, "SITEGEN_SIGNING_KEY": private}
    heard = sitegen("build", "--jobs", "2", "--root", str(root), "--output", str(tmp_path / "heard"), env=env)
    assert heard.returncode == 0, heard.stderr
    lines = log_lines(heard.stderr, "Signing credentials and writing award pages")
    assert re.fullmatch(r"Signing credentials and writing award pages: 153 of 153 done in \d+ s", lines[-1]), lines
    assert len(lines) >= 4, lines
    quiet = sitegen("build", "-q", "--jobs", "2", "--root", str(root), "--output", str(tmp_path / "quiet"), env=env)
    assert quiet.returncode == 0 and "Signing" not in quiet.stderr
    assert tree_bytes(tmp_path / "heard") == tree_bytes(tmp_path / "quiet")


def test_log_lines_come_at_most_every_15_seconds_and_every_tenth(capsys):
    """The rule of a CI log, on a clock the test turns: nothing before 2 s; then the rarer of 15 s and 10 %."""
    now = [0.0]
    lines = ProgressLines(sys.stderr, show_after=2.0, every=15.0, clock=lambda: now[0])
    lines.start("Writing award pages", 1000)
    for step in range(1, 1001):  # 32 awards a second (a tenth every 3 s): at 2 s, then 15 s later
        now[0] = step / 32
        lines.advance()
    assert capsys.readouterr().err.splitlines() == [
        "Writing award pages: 64 of 1,000 (6%), 32/s, about 29 s left",
        "Writing award pages: 544 of 1,000 (54%), 32/s, about 14 s left",
    ]
    lines.start("Verifying the site's documents", 100)  # a new stage: the first one's is over
    for _ in range(100):  # 1 document every 4 s: each 15 s is less than a tenth
        now[0] += 4
        lines.advance()
    lines.finish()
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "Writing award pages: 1,000 of 1,000 done in 31 s"
    # the first after 2 s (at 4 s), then whenever 15 s have passed since the last and 10 more are done
    assert [line.split(":")[1].split(" of")[0].strip() for line in err[1:-1]] == [
        "1",
        "11",
        "21",
        "31",
        "41",
        "51",
        "61",
        "71",
        "81",
        "91",
    ]
    assert err[-1] == "Verifying the site's documents: 100 of 100 done in 6 min 40 s"


def test_durations_in_both_languages():
    assert [duration(s) for s in (0.4, 59.6, 61, 3725)] == ["0 s", "1 min 0 s", "1 min 1 s", "62 min 5 s"]
    use_language("ja")
    assert duration(125) == "2 分 5 秒" and duration(42) == "42 秒"
