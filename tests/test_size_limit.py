"""site.yaml's `size_limit`: GitHub Pages' 1 GB by default; a site served from a host without that limit (a bucket
behind a CDN) raises it, and the build, `sitegen check` and the messages follow it."""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest
from conftest import default_files

from sitegen.cli import main
from sitegen.content.options import parse_size


def site_yaml(extra: str) -> str:
    return textwrap.dedent(default_files()["content/site.yaml"]) + extra + "\n"


@pytest.mark.parametrize(
    "text, size",
    [("1GB", 10**9), ("20 GB", 20 * 10**9), ("1.5TB", 1_500_000_000_000), ("500mb", 5 * 10**8), ("123456", 123456)],
)
def test_sizes_are_read_in_decimal_units_as_github_counts_them(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "-1GB", "0", "1 GiB", "1e9", "GB"])
def test_what_is_not_a_size_is_refused(text):
    assert parse_size(text) is None


def test_the_default_is_github_pages_limit(make_site, capsys):
    root = make_site()
    assert main(["build", "--root", str(root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["size_limit"] == 10**9
    assert main(["build", "--root", str(root)]) == 0
    assert "% of the GitHub Pages limit)" in capsys.readouterr().out


def test_site_yaml_raises_the_limit_for_another_host(make_site, capsys):
    root = make_site({"content/site.yaml": site_yaml("size_limit: 20GB")})
    assert main(["build", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "of the size limit of 20,000 MB)" in out and "GitHub Pages" not in out


def test_a_site_over_the_limit_of_site_yaml_fails_and_keeps_the_output(make_site, capsys):
    root = make_site()
    assert main(["build", "--root", str(root)]) == 0
    capsys.readouterr()
    before = sorted(p.relative_to(root).as_posix() for p in (root / "output").rglob("*"))
    (root / "content/site.yaml").write_text(site_yaml("size_limit: 20KB"), encoding="utf-8")
    assert main(["build", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "over the size limit of 0 MB" in err and "build.too-large" not in err  # the code is in --json only
    assert sorted(p.relative_to(root).as_posix() for p in (root / "output").rglob("*")) == before
    # The command line's --size-limit wins over site.yaml (a one-off build, e.g. a benchmark).
    assert main(["build", "--root", str(root), "--size-limit", "2GB"]) == 0
    assert "of the size limit of 2,000 MB)" in capsys.readouterr().out


def test_a_wrong_size_limit_is_an_error_at_its_line(make_site, capsys):
    root = make_site({"content/site.yaml": site_yaml("size_limit: a lot")})
    assert main(["build", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    line = site_yaml("size_limit: a lot").splitlines().index("size_limit: a lot") + 1
    assert f"content/site.yaml:{line}: error: 'size_limit' must be a size like 1GB, 20GB or 1.5TB, not 'a lot'" in err
    with pytest.raises(SystemExit) as stopped:
        main(["build", "--root", str(root), "--size-limit", "huge"])
    assert stopped.value.code == 2
    assert "not a size (like 1GB, 20GB or 1.5TB): huge" in capsys.readouterr().err


def test_check_judges_a_pull_request_against_the_limit_of_site_yaml(make_site, capsys):
    root = make_site({"content/site.yaml": site_yaml("size_limit: 10KB")})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    code = main(["check", "--root", str(root)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "over the size limit of 0 MB" in out + err
