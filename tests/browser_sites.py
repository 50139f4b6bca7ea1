"""The scratch sites the browser tests serve, and the page fixture: shared by the page and verify tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from browser import Server, free_port
from conftest import default_files, write_files
from helpers import edit

from sitegen.build.pipeline import build_site
from sitegen.openbadges.keys import generate

CAROL_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The scratch site, built for the address it is served at, so the in-browser checks run for real."""
    port = free_port()
    root = tmp_path_factory.mktemp("site")
    files = default_files()
    site_yaml = edit(
        textwrap.dedent(files["content/site.yaml"]), "https://example.github.io/badges", f"http://127.0.0.1:{port}"
    )
    files["content/site.yaml"] = edit(site_yaml, "default_language: en", "default_language: ja")
    files["content/assertions/2026/spring.yaml"] = edit(
        files["content/assertions/2026/spring.yaml"], "name: Project", "name: {ja: 制作物, en: Project}"
    )
    write_files(root, files)
    build_site(root)
    server = Server(root / "output", port)
    yield server, root
    server.stop()


@pytest.fixture
def page(browser):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def panel_state(page) -> str:
    """The state the verification panel settles in (tests clear it before each new check)."""
    page.wait_for_function(
        "document.querySelector('.verify-panel').getAttribute('data-state') "
        "&& document.querySelector('.verify-panel').getAttribute('data-state') !== 'checking'"
    )
    return page.get_attribute(".verify-panel", "data-state")


@pytest.fixture(scope="module", params=["bitstring", "1edtech"])
def signed_served(tmp_path_factory, request):
    """A signed scratch site: award pages also check their OB 3.0 credential's status in the browser, with
    either status method."""
    yield from serve_signed(tmp_path_factory.mktemp("signed"), f"credential_status: {request.param}\n")


def serve_signed(root: Path, site_options: str):
    """The scratch site signed with a key of its own and `site_options` added to site.yaml, served for the
    address it is built for; yields (server, root)."""
    private, public = generate()
    port = free_port()
    files = default_files()
    files["content/site.yaml"] = (
        edit(
            textwrap.dedent(files["content/site.yaml"]), "https://example.github.io/badges", f"http://127.0.0.1:{port}"
        )
        + f"keys:\n  - id: key-1\n    public_key: {public}\n"
        + site_options
    )
    write_files(root, files)
    build_site(root, environ={"SITEGEN_SIGNING_KEY": private})
    server = Server(root / "output", port)
    yield server, root
    server.stop()
