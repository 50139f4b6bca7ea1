"""Fetching for verify: HTTP(S) GETs with a size cap and a cache, or a built site's folder read as its URLs."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from pathlib import Path

from sitegen.messages import _

# What verify reads: a fetched document or image, or a file (the badge text inflated from a PNG chunk is capped
# by images.MAX_INFLATED_BYTES). A badge is a few kilobytes; anything beyond is refused instead of exhausting memory.
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024


class FetchError(Exception):
    pass


class Unreachable(FetchError):
    """No answer at all (DNS, a refused connection, a timeout, TLS): nothing is known about the document, so a
    badge that relies on it could not be verified right now. An HTTP error status is an answer, not this."""


class Fetcher:
    """GET with a cache. With `site_dir`, URLs under `base_url` are read from that folder (as GitHub Pages
    would serve it) and any other URL is refused: a built site is checked without a server or network."""

    def __init__(self, site_dir: Path | None = None, base_url: str | None = None, timeout: float = 15):
        self.site_dir = site_dir
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout = timeout
        self._cache: dict[str, tuple[int, bytes]] = {}
        self._unreachable: dict[str, Unreachable] = {}  # asked once: a timeout is not waited for twice

    def get(self, url: str) -> bytes:
        """The body of a 200 response; FetchError otherwise."""
        if url in self._unreachable:
            raise self._unreachable[url]
        if url not in self._cache:
            try:
                self._cache[url] = self._fetch(url)
            except Unreachable as exc:
                self._unreachable[url] = exc
                raise
        status, body = self._cache[url]
        if status != 200:
            raise FetchError(_("HTTP {status} for {url}").format(status=status, url=url))
        return body

    def _fetch(self, url: str) -> tuple[int, bytes]:
        url = url.split("#", 1)[0]
        if self.site_dir is not None:
            if not self.base_url or not url.startswith(self.base_url + "/"):
                raise FetchError(
                    _("{url} is not part of the site at {base_url} (not fetched)").format(
                        url=url, base_url=self.base_url
                    )
                )
            rel = url[len(self.base_url) + 1 :]
            path = self.site_dir / rel
            if not path.is_file() and (self.site_dir / (rel + ".html")).is_file():
                path = self.site_dir / (rel + ".html")
            if ".." in Path(rel).parts or not path.is_file():
                return 404, b""
            if path.stat().st_size > MAX_DOCUMENT_BYTES:
                raise FetchError(_too_large(url))
            return 200, path.read_bytes()
        if not url.startswith(("http://", "https://")):
            raise FetchError(_("cannot fetch {url}: only http(s) URLs").format(url=url))
        try:
            request = urllib.request.Request(
                url, headers={"Accept": "application/ld+json, application/json, image/png, image/svg+xml, */*"}
            )
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(MAX_DOCUMENT_BYTES + 1)
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise FetchError(_too_large(url))
                return response.status, body
        except urllib.error.HTTPError as exc:
            return exc.code, b""
        except http.client.InvalidURL as exc:  # a URL that cannot be sent is no network failure
            raise FetchError(_("cannot fetch {url!r}: {problem}").format(url=url, problem=exc)) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise Unreachable(_("could not reach {url}: {problem}").format(url=url, problem=reason)) from None
        except ValueError as exc:  # a URL that cannot be sent: an invalid host, characters outside ASCII
            raise FetchError(_("cannot fetch {url!r}: {problem}").format(url=url, problem=exc)) from None

    def get_json(self, url: str) -> dict:
        body = self.get(url)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise FetchError(_("{url} is not JSON (or nested too deeply to read)").format(url=url)) from None
        if not isinstance(data, dict):
            raise FetchError(_("{url} is not a JSON object").format(url=url))
        return data


def _too_large(url: str) -> str:
    return _("{url} is larger than {size} MB: not read").format(url=url, size=MAX_DOCUMENT_BYTES // 2**20)
