"""Scale figures of a signed site with `baking: browser`, measured, and written into README.md by this script.

    python benchmarks/scale_bench.py 10000 100000                       # print the figures
    python benchmarks/scale_bench.py 10000 100000 --side-by-side 1000 --write-readme

For each N: a synthetic content repository of N awards (build_bench.py's generator: 5 badges, cohorts of 1,000,
ids drawn as `sitegen issue` draws them) with a signing key and `baking: browser`;
- cold: `sitegen build` with empty caches, one worker per core (the CLI's default);
- warm +1: one award added to the last cohort file, then `sitegen build` again (what a merge of one award does);
- peak memory: the most resident memory (RSS) the build's processes held at once, its workers included, and
  the same as PSS (pages shared by the workers counted once) (sampled from /proc every 0.1 s: Linux only);
- bytes per award by file type: the output's file sizes, shared files (assets, badge pages, status lists, …)
  spread over the awards.
`--side-by-side N` adds sign_bench.py's run (sitegen, plain pyld and Digital Bazaar's signer on N credentials).

`--write-readme` saves the measurements to benchmarks/scale-figures.json and rewrites README.md between
`<!-- scale-figures:start -->` and `<!-- scale-figures:end -->` from that file; `--check` only says whether the
README is what the file gives (the test suite checks it too). No figure is ever copied by hand.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tools"))
from build_bench import generate  # noqa: E402
from readme_markers import replace_between  # noqa: E402

from sitegen.status import draw_award_ids, status_position  # noqa: E402

FIGURES = HERE / "scale-figures.json"
README = ROOT / "README.md"
BEGIN = "<!-- scale-figures:start -->\n"
END = "<!-- scale-figures:end -->"
ISSUER = "bench-uni"  # build_bench.py's issuer
PAGES_LIMIT = 2**30  # GitHub Pages' published site limit, 1 GB

# Issue 17's targets, on the 2-core development machine.
TARGET_COLD_100K_S = 180
TARGET_WARM_S = 15
TARGET_PEAK_MIB = 500
TARGET_BYTES_PER_AWARD = 8 * 1024


# --- one build, timed, with the peak memory of its process tree ---------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue  # ended meanwhile
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of a process: PSS counts a page shared by n processes as 1/n, so PSS adds up across a tree
    whose workers share their parent's pages (fork), and RSS counts them in each."""
    found = {"Rss:": 0, "Pss:": 0}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.split(maxsplit=1)[0] in found:
                found[line.split()[0]] = int(line.split()[1])
    except OSError:
        pass  # ended meanwhile
    return found["Rss:"], found["Pss:"]


def tree_memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of a process and all its descendants, now."""
    tree = _children()
    rss = pss = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        one_rss, one_pss = _memory_kib(current)
        rss, pss = rss + one_rss, pss + one_pss
        todo.extend(tree.get(current, []))
    return rss, pss


def timed_build(root: Path, env: dict) -> tuple[float, float, tuple[float, float]]:
    """(seconds, CPU seconds, (peak RSS, peak PSS) in MiB) of one `sitegen build` as a user runs it, its workers
    included.
    The CPU time says what the build costs when other work shares the machine and stretches the wall time."""
    # The Pages limit is the budget measured below, not a reason to stop the build here.
    command = [sys.executable, "-m", "sitegen", "build", "--quiet", "--size-limit", str(10**12)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=root, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak_rss = peak_pss = 0

    def sample() -> None:
        nonlocal peak_rss, peak_pss
        while process.poll() is None:
            rss, pss = tree_memory_kib(process.pid)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, errors = process.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    if process.returncode != 0:
        sys.exit(f"build failed:\n{errors}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the build and its workers, which it waited for
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, cpu, (peak_rss / 1024, peak_pss / 1024)


def add_one_award(root: Path) -> str:
    """Add one award to the last cohort file, as `sitegen issue` would (an id whose status position is free)."""
    cohort = sorted((root / "content/assertions").glob("cohort-*.yaml"))[-1]
    text = cohort.read_text(encoding="utf-8")
    existing = re.findall(r"^  - id: (\S+)$", "".join(p.read_text() for p in cohort.parent.glob("*.yaml")), re.M)
    taken = {status_position(ISSUER, award_id) for award_id in existing}
    (award_id,) = draw_award_ids(ISSUER, 1, taken, new_id=lambda: str(uuid.uuid4()))
    salt_and_hash = re.search(r"^    recipient: .*$", text, re.M)
    assert salt_and_hash, cohort
    cohort.write_text(text + f"  - id: {award_id}\n{salt_and_hash.group(0)}\n", encoding="utf-8")
    return award_id


# --- where the bytes go -----------------------------------------------------------------------------

KINDS = [
    "award page (HTML)",
    "OB 3.0 credential (JSON)",
    "OB 2.0 assertion (JSON)",
    "baked images",
    "shared (assets, badges, issuers, status lists, indexes)",
]


def kind_of(relative: str) -> str:
    folders, name = relative.rsplit("/", 1) if "/" in relative else ("", relative)
    folder = folders.split("/")[-1]
    if folder in ("assertions", "credentials"):
        if name.endswith(".html"):
            return KINDS[0]
        if name.endswith(".json"):
            return KINDS[1] if folder == "credentials" else KINDS[2]
        if name.endswith((".png", ".svg")):
            return KINDS[3]
    return KINDS[4]


def bytes_by_kind(output: Path) -> tuple[dict[str, int], int]:
    """Bytes per kind of file, and the number of files."""
    sizes = dict.fromkeys(KINDS, 0)
    files = 0
    for path in output.rglob("*"):
        if path.is_file():
            sizes[kind_of(path.relative_to(output).as_posix())] += path.stat().st_size
            files += 1
    return sizes, files


# --- measuring ---------------------------------------------------------------------------------------


def measure(awards: int) -> dict:
    base = Path(tempfile.mkdtemp(prefix="sitegen-scale-"))
    try:
        root = base / "site"
        env = generate(root, awards, signed=True, baking="browser")
        cold_s, cold_cpu, cold_peak = timed_build(root, env)
        sizes, files = bytes_by_kind(root / "output")
        add_one_award(root)
        warm_s, warm_cpu, warm_peak = timed_build(root, env)
        _, files_after = bytes_by_kind(root / "output")
        return {
            "awards": awards,
            "cold_s": round(cold_s, 2),
            "cold_cpu_s": round(cold_cpu, 2),
            "warm_plus_one_s": round(warm_s, 2),
            "warm_plus_one_cpu_s": round(warm_cpu, 2),
            "peak_mib": round(max(cold_peak[0], warm_peak[0])),
            "peak_pss_mib": round(max(cold_peak[1], warm_peak[1])),
            "bytes": sizes,
            "files": files,
            "files_after_adding_one": files_after,
        }
    finally:
        shutil.rmtree(base, ignore_errors=True)


def side_by_side(credentials: int) -> dict:
    from sign_bench import report
    from sign_bench import side_by_side as run

    runs, published, missing = run(credentials)
    lines, agree = report(runs, published, missing)
    return {"credentials": credentials, "table": lines, "all_agree": agree}


# --- the README's part ---------------------------------------------------------------------------------


def _mark(met: bool) -> str:
    return "met" if met else "**not met**"


def render(figures: dict | None) -> str:
    """The README's text between the markers, from the saved measurements."""
    if not figures:
        return "Not measured yet: `python benchmarks/scale_bench.py 10000 100000 --side-by-side 1000 --write-readme`.\n"
    runs = figures["runs"]
    lines = [
        f"Measured by `{figures['command']}` on {figures['date']} ({figures['machine']}); "
        "a signed site with `baking: browser`, builds with one worker per core:",
        "",
        "| awards | signed, cold (CPU time) | per award | warm, +1 award (CPU time) "
        "| peak memory, workers included: RSS (PSS) | output | per award |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        total = sum(run["bytes"].values())
        lines.append(
            f"| {run['awards']:,} | {run['cold_s']:.1f} s ({run['cold_cpu_s']:.1f} s) "
            f"| {1000 * run['cold_s'] / run['awards']:.2f} ms "
            f"| {run['warm_plus_one_s']:.1f} s ({run['warm_plus_one_cpu_s']:.1f} s) "
            f"| {run['peak_mib']:,} MiB ({run['peak_pss_mib']:,} MiB) "
            f"| {total / 2**20:,.0f} MiB, {run['files']:,} files | {total / run['awards'] / 1024:.1f} KB |"
        )
    largest = runs[-1]
    lines += ["", f"Where the bytes go at {largest['awards']:,} awards, per award:", ""]
    lines += ["| file type | bytes per award |", "|---|---|"]
    for kind, size in largest["bytes"].items():
        if size:
            lines.append(f"| {kind} | {size / largest['awards']:,.0f} |")
    per_award = sum(largest["bytes"].values()) / largest["awards"]
    lines += [
        "",
        f"Targets (issue 17), at {largest['awards']:,} awards: signed cold under {TARGET_COLD_100K_S} s "
        f"for 100,000 awards ({_cold_verdict(largest)}); warm +1 award under {TARGET_WARM_S} s "
        f"({_mark(all(r['warm_plus_one_s'] < TARGET_WARM_S for r in runs))}); peak memory under "
        f"{TARGET_PEAK_MIB} MiB ({_mark(all(r['peak_mib'] < TARGET_PEAK_MIB for r in runs))}); at most 8 KB per "
        f"award ({per_award / 1024:.1f} KB: {_mark(per_award <= TARGET_BYTES_PER_AWARD)}; "
        f"{PAGES_LIMIT / per_award:,.0f} awards fit in 1 GB).",
    ]
    if len(runs) > 1:
        small, large = runs[0], runs[-1]

        def growth(key: str) -> float:
            return (large[key] / large["awards"]) / (small[key] / small["awards"])

        lines.append(
            f"Growth: the cold build costs {growth('cold_s'):.2f}× as much time and {growth('cold_cpu_s'):.2f}× as "
            f"much CPU time per award at {large['awards']:,} as at {small['awards']:,} awards (1.00× is linear)."
        )
    if figures.get("side_by_side"):
        side = figures["side_by_side"]
        heading = f"Signing the same {side['credentials']:,} credentials three ways (`benchmarks/sign_bench.py`):"
        lines += ["", heading, ""]
        lines += side["table"]
        lines.append("")
        lines.append(
            "Every signer gave the proofValue the build published for every credential (RDFC-1.0 and Ed25519 are "
            "deterministic)."
            if side["all_agree"]
            else "**The signers disagree**: see the last column."
        )
    return "\n".join(lines) + "\n"


def _cold_verdict(run: dict) -> str:
    if run["awards"] >= 100_000:
        return _mark(run["cold_s"] * 100_000 / run["awards"] < TARGET_COLD_100K_S)
    estimate = run["cold_s"] * 100_000 / run["awards"]
    return f"not measured at 100,000; {estimate:.0f} s if linear"


def load_figures(path: Path = FIGURES) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("awards", type=int, nargs="*", help="site sizes to measure, smallest first")
    parser.add_argument("--side-by-side", type=int, metavar="N", help="also sign N credentials three ways")
    parser.add_argument("--write-readme", action="store_true", help="save the figures and write them into README")
    parser.add_argument("--check", action="store_true", help="only check that README.md shows the saved figures")
    parser.add_argument("--figures", type=Path, default=FIGURES, help=argparse.SUPPRESS)  # tests: a copy
    parser.add_argument("--readme", type=Path, default=README, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.check:
        current = args.readme.read_text(encoding="utf-8")
        if current != replace_between(current, BEGIN, END, render(load_figures(args.figures))):
            print(f"README.md's scale figures are not {args.figures.name}'s: run scale_bench.py --write-readme")
            return 1
        return 0
    if not args.awards:  # --write-readme alone: the README from the saved figures
        if not args.write_readme:
            parser.error("give the site sizes to measure, e.g. 10000 100000")
        figures = load_figures(args.figures)
        readme = args.readme.read_text(encoding="utf-8")
        args.readme.write_text(replace_between(readme, BEGIN, END, render(figures)), encoding="utf-8")
        return 0
    load = os.getloadavg()[0]
    runs = []
    for awards in sorted(args.awards):
        runs.append(measure(awards))
        print(json.dumps(runs[-1]), flush=True)
    figures = {
        "command": "python benchmarks/scale_bench.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "date": datetime.date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores, load average {load:.1f} at the start",
        "runs": runs,
        "side_by_side": side_by_side(args.side_by_side) if args.side_by_side else None,
    }
    text = render(figures)
    print(text)
    if args.write_readme:
        args.figures.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        readme = args.readme.read_text(encoding="utf-8")
        args.readme.write_text(replace_between(readme, BEGIN, END, text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
