"""Build speed and memory on a synthetic site of N awards.

    python benchmarks/build_bench.py 10000               # unsigned: JSON + page + baked image per award
    python benchmarks/build_bench.py 10000 --signed      # + OB 3.0 credentials: cold, then warm (cached)
    python benchmarks/build_bench.py 10000 --jobs 1      # one worker process instead of one per core
    python benchmarks/build_bench.py 10000 --sandbox     # a theme template of the repository's own: every page
                                                         # renders in the theme sandbox (data only, budgets)

Generates a content repository in a temporary folder (same N, same content: a seeded random generator),
runs `sitegen build` there as a separate process, and prints awards/second, wall time, the build's peak
memory (RSS), and the output's size and file count. It runs the CLI only, as a user would.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sitegen.status import draw_award_ids

BADGES = ["python-basics", "data-literacy", "web-basics", "sql-basics", "research-ethics"]


def generate(
    root: Path,
    awards: int,
    signed: bool,
    baking: str = "files",
    award_pages: str = "one_language",
    sandbox: bool = False,
) -> dict:
    """Write the content repository; returns the environment the build needs (the signing key)."""
    rng = random.Random(awards)
    if sandbox:
        (root / "themes/default/templates").mkdir(parents=True, exist_ok=True)
        (root / "themes/default/templates/_unused.html").write_text("a template of the repository's own\n")
    content = root / "content"
    for folder in ("issuers", "badgeclasses", "assertions", "images"):
        (content / folder).mkdir(parents=True, exist_ok=True)
    env = {}
    site = "base_url: https://bench.example.org/badges\nname: {ja: ベンチマーク, en: Benchmark}\ndefault_language: ja\n"
    if baking != "files":
        site += f"baking: {baking}\n"
    if award_pages != "one_language":
        site += f"award_pages: {award_pages}\n"
    if signed:
        from sitegen.openbadges.keys import generate as generate_key

        private, public = generate_key()
        (root.parent / "bench-key.pem").write_text(private)
        env["SITEGEN_SIGNING_KEY_FILE"] = str(root.parent / "bench-key.pem")
        site += f"keys:\n  - id: bench\n    public_key: {public}\n"
    (content / "site.yaml").write_text(site, encoding="utf-8")
    (content / "issuers/bench-uni.yaml").write_text(
        "name: {ja: ベンチ大学, en: Bench University}\nurl: https://bench.example.org\nemail: b@bench.example.org\n",
        encoding="utf-8",
    )
    from PIL import Image

    for index, slug in enumerate(BADGES):
        image = Image.new("RGB", (256, 256), (40 * index, 90, 200 - 30 * index))
        pixels = image.load()
        for x in range(0, 256, 6):  # some texture, so the PNG is ~10 KB like a real badge
            for y in range(0, 256, 6):
                pixels[x, y] = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        image.save(content / f"images/{slug}.png", optimize=True)
        (content / f"badgeclasses/{slug}.yaml").write_text(
            f"issuer: bench-uni\nname: {{ja: バッジ {index}, en: Badge {index}}}\ndescription: A benchmark badge.\n"
            f"image: images/{slug}.png\nimage_caption: Badge {index}\ncriteria: |\n  - Do the thing\n  - Do it well\n"
            "tags: [bench]\nvalid_for: P2Y\n",
            encoding="utf-8",
        )
    # Award ids are drawn as `sitegen issue` draws them: plain random ids would collide in the status lists,
    # which the build refuses.
    ids = iter(draw_award_ids("bench-uni", awards, new_id=lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))))

    for start in range(0, awards, 1000):
        badge = BADGES[(start // 1000) % len(BADGES)]
        lines = [f"badge: {badge}", f"issued_on: 2026-0{1 + (start // 1000) % 9}-15", "awards:"]
        for _ in range(start, min(start + 1000, awards)):
            salt = f"{rng.getrandbits(128):032x}"
            digest = hashlib.sha256(f"learner{rng.getrandbits(64)}@example.org{salt}".encode()).hexdigest()
            lines += [f"  - id: {next(ids)}", f'    recipient: {{hash: "sha256${digest}", salt: "{salt}"}}']
        (content / f"assertions/cohort-{start // 1000:04d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return env


def build(root: Path, env: dict, jobs: int | None) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one `sitegen build` in its own process."""
    # Speed is measured here, not the GitHub Pages budget: a 100,000-award site with a baked image per award
    # is over 1 GB (the build would refuse it, as it should), so the benchmark lifts the limit.
    command = [sys.executable, "-m", "sitegen", "build", "--size-limit", str(10**12)]
    command += ["--jobs", str(jobs)] if jobs else []
    script = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
        "elapsed = time.perf_counter() - start\n"
        "print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(code)\n"
    )
    import os

    result = subprocess.run(
        [sys.executable, "-c", script, *command], cwd=root, capture_output=True, text=True, env={**os.environ, **env}
    )
    if result.returncode != 0:
        sys.exit(f"build failed:\n{result.stderr}")
    seconds, rss_kib = result.stdout.split()
    return float(seconds), int(rss_kib) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("awards", type=int)
    parser.add_argument("--signed", action="store_true", help="also sign OB 3.0 credentials (cold, then warm)")
    parser.add_argument("--jobs", type=int, help="worker processes (default: sitegen's, one per core)")
    parser.add_argument(
        "--baking",
        choices=["files", "browser"],
        default="files",
        help="site.yaml's baking: a baked image file per award (default), or baked by the pages",
    )
    parser.add_argument(
        "--award-pages",
        choices=["one_language", "every_language"],
        default="one_language",
        help="site.yaml's award_pages: one page per award (default), or one per language",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="give the repository a template of its own, so that pages render in the theme sandbox",
    )
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    root = base / "site"
    shutil.rmtree(root, ignore_errors=True)
    try:
        env = generate(root, args.awards, args.signed, args.baking, args.award_pages, args.sandbox)
        runs = [("cold", build(root, env, args.jobs))]
        if args.signed:
            runs.append(("warm", build(root, env, args.jobs)))
        files = [p for p in (root / "output").rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files) / 2**20
        jobs = args.jobs or "default"
        for label, (seconds, rss) in runs:
            print(
                f"{args.awards} awards, {'signed ' + label if args.signed else 'unsigned'}, jobs={jobs}, "
                f"baking={args.baking}, award_pages={args.award_pages}{', sandbox' if args.sandbox else ''}: "
                f"{seconds:.1f} s, {args.awards / seconds:,.0f} awards/s, peak RSS {rss:,.0f} MiB; "
                f"output {size:,.0f} MiB in {len(files):,} files"
            )
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
