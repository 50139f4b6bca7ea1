"""A build that fails because of the machine, or is killed, loses nothing: output/ is always a complete site
(the old one or the new one), what a killed build left is cleared by the next, and a full disk or a read-only
folder is a clear error (exit 1), never an internal error.

The full disk and the read-only folder are real: a small tmpfs mounted in a user and mount namespace of
`unshare`, which disappears with the test's shell."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import SALT, identity_hash
from helpers import build, edit, tree_bytes
from PIL import Image

from sitegen.status import draw_award_ids

SITEGEN = [sys.executable, "-m", "sitegen"]
LEFTOVER_PREFIXES = (".sitegen-build-", ".sitegen-old-")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(LEFTOVER_PREFIXES))


def cohort(count: int) -> str:
    """An award file of `count` awards, their ids drawn as `sitegen issue` draws them."""
    lines = ["badge: python-basics", "issued_on: 2026-04-01", "awards:"]
    for award_id in draw_award_ids(
        "test-uni", count, new_id=iter(f"{n:08x}-0000-4000-8000-{n:012x}" for n in range(1, 10**9)).__next__
    ):
        lines += [f"  - id: {award_id}", f'    recipient: {{hash: "{identity_hash()}", salt: "{SALT}"}}']
    return "\n".join(lines) + "\n"


def noise_png(size: int) -> bytes:
    """A PNG that does not compress: it takes about size*size*3 bytes on disk."""
    import io

    buffer = io.BytesIO()
    Image.frombytes("RGB", (size, size), os.urandom(size * size * 3)).save(buffer, "PNG")
    return buffer.getvalue()


# --- a build killed at any moment -----------------------------------------------------------------------

KILL_AFTER = textwrap.dedent("""\
    import os, sys
    from pathlib import Path
    import sitegen.build.write as write
    from sitegen.build.pipeline import build_site

    where = sys.argv[2]
    real_exchange, real_replace = write.exchange_folders, os.replace

    def exchange(a, b):
        if where == "no exchange":
            return False  # as on a system without an atomic exchange: two renames
        done = real_exchange(a, b)
        if where == "after exchange":
            os._exit(9)  # killed right after the swap, before the old site is removed
        return done

    renames = []

    def replace(a, b, **in_folders):
        real_replace(a, b, **in_folders)
        if in_folders:  # a cache file replaced in its folder (the build saves one before the swap)
            return
        renames.append(b)
        if where == "no exchange" and len(renames) == 1:
            os._exit(9)  # killed between the two renames: output/ is gone for a moment

    write.exchange_folders, write.os.replace = exchange, replace
    build_site(Path(sys.argv[1]))
    """)


@pytest.mark.parametrize("where", ["after exchange", "no exchange"])
def test_a_build_killed_during_the_swap_leaves_a_complete_site_and_the_next_build_clears_up(make_site, tmp_path, where):
    root = make_site()
    assert build(root) == 0
    old = tree_bytes(root / "output")
    make_site({"content/badgeclasses/star.yaml": None, "content/assertions/star-carol.yaml": None}, root=root)
    child = subprocess.run([*SITEGEN[:1], "-c", KILL_AFTER, str(root), where], capture_output=True)
    assert child.returncode == 9, child.stderr.decode()
    assert leftovers(root)  # the killed build's folders are still there
    assert build(root) == 0  # the next build clears them up
    assert not leftovers(root)
    new = tree_bytes(root / "output")
    assert new != old and "badges/star.html" in old and "badges/star.html" not in new
    if where == "no exchange":
        # Before that next build, output/ was missing; the build put the old site back before anything else.
        child = subprocess.run([*SITEGEN[:1], "-c", KILL_AFTER, str(root), where], capture_output=True)
        assert child.returncode == 9 and not (root / "output").exists()
        from sitegen.build.write import clear_leftovers

        clear_leftovers(root / "output")
        assert tree_bytes(root / "output") == new and not leftovers(root)


def test_a_build_killed_at_any_moment_leaves_the_old_site_or_the_new_one(make_site):
    root = make_site({"content/assertions/2026/spring.yaml": cohort(300)})
    badge = root / "content/badgeclasses/python-basics.yaml"
    versions = [badge.read_text(encoding="utf-8")]
    versions.append(edit(versions[0], "Writes small Python programs.", "Writes Python programs."))
    sites = []
    for version in versions:
        badge.write_text(version, encoding="utf-8")
        started = time.monotonic()
        assert subprocess.run([*SITEGEN, "build", "--root", str(root)], capture_output=True).returncode == 0
        duration = time.monotonic() - started
        sites.append(tree_bytes(root / "output"))
    assert sites[0] != sites[1]
    for attempt in range(12):
        # Each build replaces one complete site by the other; it is killed from its middle to after its end.
        badge.write_text(versions[attempt % 2], encoding="utf-8")
        process = subprocess.Popen(
            [*SITEGEN, "build", "--root", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(duration * (0.5 + attempt / 10))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert tree_bytes(root / "output") in sites, f"attempt {attempt}: output/ is neither site"
    assert build(root) == 0
    assert not leftovers(root)


def test_a_staging_folder_of_a_build_still_running_is_left_alone(make_site):
    root = make_site()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        running = root / f".sitegen-build-{sleeper.pid}-abc123"
        running.mkdir(parents=True)
        dead = root / ".sitegen-build-999999999-abc123"
        dead.mkdir()
        assert build(root) == 0
        assert running.is_dir() and not dead.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_an_output_that_is_a_link_is_replaced_not_written_through(make_site, tmp_path):
    root = make_site()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "output").symlink_to(elsewhere)
    assert build(root) == 0
    assert not (root / "output").is_symlink() and (root / "output/index.html").is_file()
    assert not any(elsewhere.iterdir()) and not leftovers(root)  # the link went, nothing was written through it


# --- the size limit, enforced as files are written ------------------------------------------------------


def test_the_size_limit_stops_a_parallel_build_as_it_writes(make_site, capsys):
    root = make_site({"content/assertions/2026/spring.yaml": cohort(400)})
    limit = 300_000  # a few dozen awards' files: the whole site is several MB
    seen = []

    # Watch the staging folders while the build runs: they never grow much past the limit.
    import threading

    stop = threading.Event()

    def watch():
        while not stop.is_set():
            for folder in root.glob(".sitegen-build-*"):
                try:
                    seen.append(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()))
                except OSError:
                    pass
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        from sitegen.cli import main

        code = main(["build", "--root", str(root), "--jobs", "2", "--size-limit", str(limit)])
    finally:
        stop.set()
        watcher.join()
    err = capsys.readouterr().err
    assert code == 1
    assert "over the size limit of 0 MB" in err and "baking: browser" in err
    assert "Traceback" not in err and "internal error" not in err
    assert not (root / "output").exists() and not leftovers(root)
    assert max(seen, default=0) < 2 * limit  # each worker stops at its first write past the shared budget


# --- a full disk, a read-only folder: real ones -------------------------------------------------------


def _namespaces_work(tmp_path: Path) -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    point = tmp_path / "probe"
    point.mkdir()
    probe = subprocess.run(
        [unshare, "-rm", "sh", "-c", f'mount -t tmpfs -o size=64k tmpfs "{point}"'], capture_output=True
    )
    return probe.returncode == 0


def run_on_small_disk(tmp_path: Path, script: str, size: str) -> subprocess.CompletedProcess:
    """Run `script` (sh) with $DISK a fresh tmpfs of `size`, $SITEGEN the command; its files vanish after."""
    if not _namespaces_work(tmp_path):
        pytest.skip("unshare cannot mount a tmpfs here (no user namespaces)")
    disk = tmp_path / "disk"
    disk.mkdir()
    env = dict(os.environ, DISK=str(disk), SITEGEN=" ".join(SITEGEN))
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", f'mount -t tmpfs -o size={size} tmpfs "$DISK" && {script}'],
        capture_output=True,
        text=True,
        env=env,
    )


def tree_digest(lines: str) -> list[str]:
    return sorted(line for line in lines.splitlines() if line)


def second_build_on_small_disk(tmp_path: Path, root: Path, between: str, size: str) -> str:
    """Build onto a tmpfs of `size`, run the shell commands `between`, build again: the second build must fail
    with exit 1 and a clear message (returned), keep the first build's output/ byte for byte and leave nothing
    behind."""
    report = tmp_path / "report"
    report.mkdir()
    digest = "find . -type f -exec sha256sum {} + | sort"
    script = f"""
        $SITEGEN build --root {root} --output "$DISK/out" > /dev/null 2>&1 || exit 90
        (cd "$DISK/out" && {digest}) > {report}/before
        {between}
        $SITEGEN build --root {root} --output "$DISK/out" 2> {report}/err
        echo $? > {report}/code
        (cd "$DISK/out" && {digest}) > {report}/after
        ls -a "$DISK" > {report}/listing
    """
    done = run_on_small_disk(tmp_path, script, size)
    assert done.returncode == 0, done.stderr
    err = (report / "err").read_text()
    assert (report / "code").read_text().strip() == "1", err
    assert "Traceback" not in err and "internal error" not in err
    assert tree_digest((report / "after").read_text()) == tree_digest((report / "before").read_text())
    assert not [name for name in (report / "listing").read_text().split() if name.startswith(LEFTOVER_PREFIXES)]
    return err


def test_a_full_disk_is_a_clear_error_and_the_previous_output_is_kept(make_site, tmp_path):
    root = make_site()
    # The first build fits; the second needs a second copy of the site and a large new badge image: no room.
    bigger = tmp_path / "bigger"
    bigger.mkdir()
    (bigger / "big.png").write_bytes(noise_png(160))
    (bigger / "big.yaml").write_text(
        "issuer: test-uni\nname: Big\ndescription: Big.\nimage: images/big.png\n"
        "image_caption: Noise\ncriteria: Be big.\n",
        encoding="utf-8",
    )
    err = second_build_on_small_disk(
        tmp_path,
        root,
        f"cp {bigger}/big.png {root}/content/images/big.png && "
        f"cp {bigger}/big.yaml {root}/content/badgeclasses/big.yaml",
        "800k",
    )
    assert "No space left on device" in err and "the disk is full" in err


def test_a_read_only_folder_is_a_clear_error_and_the_previous_output_is_kept(make_site, tmp_path):
    err = second_build_on_small_disk(tmp_path, make_site(), 'mount -o remount,ro "$DISK" || exit 91', "2m")
    assert "Read-only file system" in err and "choose another folder" in err
