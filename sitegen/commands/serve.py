"""Local preview on 127.0.0.1: rebuild on every change into a temporary folder, never into output/.

Build errors are shown in the browser instead of the page; every page reloads itself after a rebuild.
"""

from __future__ import annotations

import html
import json
import shutil
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sitegen.build.pipeline import build_site
from sitegen.diagnostics import BuildError, SitegenError
from sitegen.messages import _, message_language

WATCHED = ("content", "themes")
STATUS_PATH = "/__sitegen/status"
RELOAD_SCRIPT = b"""<script>
(function () {
  var epoch = null;
  function poll() {
    fetch("%s").then(function (r) { return r.json(); }).then(function (s) {
      if (epoch !== null && s.epoch !== epoch) { location.reload(); return; }
      epoch = s.epoch; setTimeout(poll, 700);
    }).catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
</script>""" % STATUS_PATH.encode()


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """mtime and size of every watched file: a change in either means rebuild."""
    state = {}
    for folder in WATCHED:
        base = root / folder
        if base.is_dir():
            for path in base.rglob("*"):
                if path.is_file():
                    stat = path.stat()
                    state[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return state


class PreviewServer:
    def __init__(self, root: Path, port: int = 8000, log=lambda message: None):
        self.root = root.absolute()
        self.log = log
        self.workdir = Path(tempfile.mkdtemp(prefix="sitegen-serve-"))
        self.site_dir: Path | None = None
        self.errors: list[str] = []
        self.award_page: str | None = None  # one award's page, to show where to look
        self.epoch = 0
        self._seen: dict = {}
        self._lock = threading.Lock()
        handler = partial(_Handler, preview=self)
        try:
            self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        except (OSError, OverflowError) as exc:
            shutil.rmtree(self.workdir, ignore_errors=True)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise SitegenError(
                _("cannot preview on 127.0.0.1:{port}: {reason}; choose another port with --port").format(
                    port=port, reason=reason
                )
            ) from None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def rebuild(self) -> None:
        self._seen = snapshot(self.root)
        target = self.workdir / f"build-{self.epoch + 1}"
        try:
            # Built for the preview's own address, so that every id matches the URL it is served from
            # and the pages' checks pass as they will when deployed; unsigned (no keys are read).
            result = build_site(self.root, target, base_url=self.url.rstrip("/"), environ={})
        except BuildError as exc:
            with self._lock:
                self.errors = [str(d) for d in exc.diagnostics]
                self.epoch += 1
            self.log(
                _("build failed with {count} problem(s):").format(count=len(self.errors))
                + "\n"
                + "\n".join(self.errors)
            )
            return
        awards = [a for a in result.site.awards if not a.revoked] or list(result.site.awards)
        with self._lock:
            old, self.site_dir, self.errors = self.site_dir, target, []
            self.award_page = self.url + result.site.urls.assertion_page(awards[0].id) if awards else None
            self.epoch += 1
        self.log(_("rebuilt: {files} files").format(files=result.files))
        for warning in result.warnings:  # content warnings (an image without alt text) while editing
            self.log(str(warning))
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def rebuild_if_changed(self) -> bool:
        if snapshot(self.root) != self._seen:
            self.rebuild()
            return True
        return False

    def _watch(self) -> None:
        while not self._stopping.wait(0.5):
            try:
                self.rebuild_if_changed()
            except Exception as exc:  # keep previewing; the message is in the log
                self.log(_("rebuild failed: {kind}: {message}").format(kind=type(exc).__name__, message=exc))

    def start(self) -> None:
        self.rebuild()
        for target in (self.httpd.serve_forever, self._watch):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        shutil.rmtree(self.workdir, ignore_errors=True)


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, *args, preview: PreviewServer, **kwargs):
        self.preview = preview
        super().__init__(*args, directory=str(preview.workdir), **kwargs)

    def log_message(self, format, *args) -> None:  # quiet: the preview log shows builds, not requests
        pass

    def translate_path(self, path: str) -> str:
        site_dir = self.preview.site_dir or self.preview.workdir
        self.directory = str(site_dir)
        local = Path(super().translate_path(path))
        # GitHub Pages serves x.html for /x; do the same so that links behave as they will when deployed.
        if not local.exists() and local.with_name(local.name + ".html").is_file():
            return str(local.with_name(local.name + ".html"))
        return str(local)

    def do_GET(self) -> None:
        if self.path.split("?")[0] == STATUS_PATH:
            body = json.dumps({"epoch": self.preview.epoch, "errors": self.preview.errors}).encode()
            return self._send(200, "application/json", body)
        errors = self.preview.errors
        wants_page = self.path.split("?")[0].endswith((".html", "/")) or "." not in self.path.rsplit("/", 1)[-1]
        if errors and wants_page:
            return self._send(500, "text/html; charset=utf-8", _error_page(errors))
        if wants_page:
            local = Path(self.translate_path(self.path))
            if local.is_dir():
                local = local / "index.html"
            if local.is_file():
                body = local.read_bytes().replace(b"</body>", RELOAD_SCRIPT + b"\n</body>", 1)
                return self._send(200, "text/html; charset=utf-8", body)
        return super().do_GET()

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def _error_page(errors: list[str]) -> bytes:
    """The page shown instead of the site while it does not build, in the language of sitegen's messages."""
    items = "\n".join(f"<li><code>{html.escape(e)}</code></li>" for e in errors)
    title = html.escape(_("Build failed"))
    heading = html.escape(_("The site did not build"))
    advice = html.escape(_("Fix these problems and save; this page reloads by itself."))
    page = f"""<!doctype html><html lang="{message_language()}"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#1d2330}}h1{{color:#a4161a}}li{{margin:.4rem 0}}</style>
</head><body><h1>{heading}</h1><p>{advice}</p>
<ul>{items}</ul></body></html>"""
    return page.encode("utf-8").replace(b"</body>", RELOAD_SCRIPT + b"\n</body>", 1)


def serve(root: Path, port: int = 8000, log=lambda message: None) -> None:
    """Preview until interrupted (Ctrl-C)."""
    preview = PreviewServer(root, port, log)
    preview.start()
    log(
        _("previewing {folder} at {url} (Ctrl-C to stop; output/ is not touched)").format(
            folder=preview.root, url=preview.url
        )
    )
    if preview.award_page:
        log(_("an award page to look at: {url}").format(url=preview.award_page))
    try:
        while True:
            time.sleep(3600)
    finally:
        preview.stop()
