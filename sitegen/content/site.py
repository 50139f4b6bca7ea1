"""The content stage as one call: the content repository's YAML loaded and checked into a `model.Site`."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sitegen.content.load import load_content
from sitegen.content.validate import AwardFileMemo, build_site_model
from sitegen.diagnostics import BuildError, Collector, Diagnostic
from sitegen.model import Site


def load_site(
    root: Path, base_url: str | None = None, memo: AwardFileMemo | None = None
) -> tuple[Site, list[Diagnostic]]:
    """The checked model of the content repository at `root`; BuildError lists every problem.

    `base_url` replaces site.yaml's for a build served somewhere else (the local preview). `memo`: the awards of
    award files unchanged since an earlier build (validate.AwardFileMemo)."""
    problems = Collector()
    docs = load_content(root, problems, awards_later=True)  # award files parsed one at a time, then let go
    site = build_site_model(root, docs, problems, memo)
    if problems.errors or site is None:
        raise BuildError(problems.items)
    if base_url is not None:
        site = dataclasses.replace(site, config=dataclasses.replace(site.config, base_url=base_url.rstrip("/")))
    return site, problems.warnings
