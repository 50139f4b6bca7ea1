"""The benchmarks run (at a tiny N) and say what they claim; the README's scale figures are scale_bench.py's output;
and the sharding that docs/architecture.md ("Beyond one site") proposes rests on what a build really does."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))
from build_bench import generate  # noqa: E402

# Fixed build day and message language: the same bytes and the same words on any machine.
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1780000000", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "LANGUAGE": ""}


def run(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(BENCH / script), *args], capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=600
    )


def build(root: Path, env: dict) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", "-q"], cwd=root, env={**ENV, **env}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def files(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()}


# --- Beyond one site: builds sharded by award-id range ---------------------------------------------


def split_by_id(root: Path) -> tuple[str, str]:
    """Rewrite the synthetic site's awards as two cohort files by award-id range (ids below 8… and the rest),
    issued on different days, one award of the second revoked. Returns the two files' names."""
    cohort = root / "content/assertions/cohort-0000.yaml"
    entries = re.findall(r"^  - id: (\S+)\n(    recipient: .*)$", cohort.read_text(encoding="utf-8"), re.M)
    cohort.unlink()
    low = [e for e in entries if e[0] < "8"]
    high = [e for e in entries if e[0] >= "8"]
    assert low and len(high) > 1
    for name, day, part in (("ids-0-7.yaml", "2026-01-15", low), ("ids-8-f.yaml", "2026-03-15", high)):
        lines = ["badge: python-basics", f"issued_on: {day}", "awards:"]
        for number, (award_id, recipient) in enumerate(part):
            lines += [f"  - id: {award_id}", recipient]
            if name == "ids-8-f.yaml" and number == 0:
                lines.append("    revoked: {on: 2026-05-01, reason: A test revocation}")
        (root / "content/assertions" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "ids-0-7.yaml", "ids-8-f.yaml"


def per_award(path: str) -> str | None:
    """The award id a published path belongs to alone, if it does (assertions/{id}.*, credentials/{id}.*)."""
    match = re.fullmatch(r"(?:[a-z]{2}/)?(?:assertions|credentials)/([0-9a-f-]{36})\.[a-z]+", path)
    return match.group(1) if match else None


def test_builds_of_disjoint_award_ranges_give_the_full_builds_per_award_files(tmp_path):
    """Shards by award-id range: each shard's per-award files are byte for byte the full build's, the shards'
    per-award paths are disjoint and together they are all of the full build's; every other path is shared, and
    only the issuer's status and revocation lists depend on the other shard's awards: they must be built once,
    from all the awards (docs/architecture.md, "Beyond one site")."""
    full = tmp_path / "full"
    env = generate(full, 24, signed=True, baking="browser")
    low_file, high_file = split_by_id(full)
    shards = {}
    for name, keep in (("low", low_file), ("high", high_file)):
        shard = tmp_path / name
        shutil.copytree(full / "content", shard / "content")
        for other in (shard / "content/assertions").glob("*.yaml"):
            if other.name != keep:
                other.unlink()
        shards[name] = shard
    for root in (full, *shards.values()):
        build(root, env)
    whole = files(full / "output")
    low, high = files(shards["low"] / "output"), files(shards["high"] / "output")

    low_awards = {p for p in low if per_award(p)}
    high_awards = {p for p in high if per_award(p)}
    assert low_awards and high_awards and not low_awards & high_awards
    assert low_awards | high_awards == {p for p in whole if per_award(p)}
    assert all(low[p] == whole[p] for p in low_awards) and all(high[p] == whole[p] for p in high_awards)
    # A signed credential and its status entry are among them: the revoked one points into the same list.
    assert any(p.startswith("credentials/") for p in low_awards | high_awards)

    shared = set(low) - low_awards
    assert shared == set(high) - high_awards == set(whole) - low_awards - high_awards
    differing = sorted(p for p in shared if not low[p] == high[p] == whole[p])
    assert differing and all(re.fullmatch(r"(status|revocations)/bench-uni(-[\w-]+)?\.json", p) for p in differing), (
        differing
    )


# --- the benchmarks, at a tiny N ------------------------------------------------------------------------


def test_scale_bench_measures_builds_and_writes_the_readme_part_from_its_figures(tmp_path):
    readme, figures = tmp_path / "README.md", tmp_path / "scale-figures.json"
    readme.write_text("# Speed\n\n<!-- scale-figures:start -->\nold\n<!-- scale-figures:end -->\n\nafter\n")
    result = run(
        "scale_bench.py", "6", "12", "--side-by-side", "4", "--write-readme", "--readme", str(readme),
        "--figures", str(figures),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    saved = json.loads(figures.read_text(encoding="utf-8"))
    small, large = saved["runs"]
    assert (small["awards"], large["awards"]) == (6, 12)
    for measured in (small, large):
        assert measured["cold_s"] > 0 and measured["warm_plus_one_s"] > 0
        assert measured["cold_cpu_s"] > 0.3 and measured["warm_plus_one_cpu_s"] > 0.3  # a Python start-up at least
        # A real process tree was measured (a Python with sitegen loaded is tens of MiB), and the warm build
        # published one more award: its page, its OB 2.0 assertion and its credential.
        assert 20 < measured["peak_pss_mib"] <= measured["peak_mib"] < 2000
        assert measured["files_after_adding_one"] == measured["files"] + 3
        sizes = measured["bytes"]
        assert sizes["baked images"] == 0  # baking: browser
        assert sizes["award page (HTML)"] > sizes["OB 3.0 credential (JSON)"] > sizes["OB 2.0 assertion (JSON)"] > 0
    # Twice the awards: twice the per-award bytes, the same shared bytes (give or take a status list's bits).
    assert large["bytes"]["OB 3.0 credential (JSON)"] == pytest.approx(
        2 * small["bytes"]["OB 3.0 credential (JSON)"], 0.05
    )
    shared = "shared (assets, badges, issuers, status lists, indexes)"
    assert large["bytes"][shared] == pytest.approx(small["bytes"][shared], 0.02)

    text = readme.read_text(encoding="utf-8")
    assert text.startswith(
        "# Speed\n\n<!-- scale-figures:start -->\nMeasured by `python benchmarks/scale_bench.py 6 12"
    )
    assert text.endswith("<!-- scale-figures:end -->\n\nafter\n") and "\nold\n" not in text
    per_award_kb = sum(large["bytes"].values()) / 12 / 1024
    assert (
        f"| 12 | {large['cold_s']:.1f} s ({large['cold_cpu_s']:.1f} s) |" in text
        and f"| {per_award_kb:.1f} KB |" in text
    )
    assert "| award page (HTML) |" in text and "baked images" not in text
    assert "Growth: the cold build costs" in text and "awards (1.00× is linear)." in text
    assert "Signing the same 4 credentials three ways" in text and result.stdout.count("| 4 of 4 |") >= 2
    # The README part is the saved figures' rendering: --check says so, and says when it is not.
    check = ("--check", "--readme", str(readme), "--figures", str(figures))
    assert run("scale_bench.py", *check).returncode == 0
    readme.write_text(text.replace("| 12 | ", "| 13 | "))
    stale = run("scale_bench.py", *check)
    assert stale.returncode == 1 and "run scale_bench.py --write-readme" in stale.stdout


def test_sign_bench_signs_the_same_credentials_three_ways_to_the_published_proofs():
    result = run("sign_bench.py", "5")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "of 5 |" in line]
    signers = [row.split(" | ")[0].strip("| ") for row in rows]
    js_ready = shutil.which("node") and (BENCH / "js-signer/node_modules/@digitalbazaar/vc/package.json").is_file()
    if js_ready:
        assert signers == ["sitegen (fast path)", "plain pyld", "Digital Bazaar (JavaScript)"]
    else:
        assert signers == ["sitegen (fast path)", "plain pyld"] and "The JavaScript signer did not run" in result.stdout
    assert all(row.endswith("| 5 of 5 |") for row in rows)
    assert rows[0].split(" | ")[3] == "1.0×"


def test_sign_bench_reports_a_proof_that_differs():
    from sign_bench import Run, report

    published = ["zAAA", "zBBB"]
    lines, agree = report(
        [Run("sitegen (fast path)", 1.0, 0.5, published), Run("plain pyld", 4.0, 2.0, ["zAAA", "zCCC"])],
        published,
        None,
    )
    assert not agree
    assert lines[-1] == "| plain pyld | 0 | 1 | 4.0× | 1 of 2 |"


def test_the_readme_shows_the_saved_scale_figures():
    """The README's scale figures are benchmarks/scale-figures.json as scale_bench.py writes them, never edited."""
    result = run("scale_bench.py", "--check")
    assert result.returncode == 0, result.stdout
