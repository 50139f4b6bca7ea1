"""Reuse an award's files from the previous output when nothing that goes into them has changed.

Rendering, QR codes and credentials cost milliseconds per award; a rebuild that adds a few awards to a large
site should not pay them again. An award's files are hard-linked from the previous output (the same bytes,
no copy) when its fingerprint is unchanged. The fingerprint covers everything its files are made from: the
award, its status position, every issuer and badge (with their images), the site settings, the theme and
translation files, the keys, and sitegen itself (its version and every file of the package, so a change of
sitegen's code between releases counts too). Anything else changed means the award is rebuilt, and so does
an award whose files in output/ were edited or replaced by hand since (each record keeps their inode, size and
modification time).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sitegen import __version__
from sitegen.render import theme_dirs

CACHE_FILE = Path(".sitegen-cache") / "awards-v2.json"
PACKAGE_DIR = Path(__file__).parent  # code, default theme, locale, contexts


def site_fingerprint(root: Path, site, signing, jws_key) -> str:
    digest = hashlib.sha256()

    def add(*parts) -> None:
        for part in parts:
            digest.update(part if isinstance(part, bytes) else repr(part).encode("utf-8"))
            digest.update(b"\0")

    add(__version__, site.config)
    for issuer in site.issuers.values():
        add(issuer, issuer.image.data if issuer.image else b"")
    for badge in site.badges.values():
        add(badge, badge.image.data)
    for folder in [*theme_dirs(root, site.config.theme), PACKAGE_DIR]:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".pyc"):
            add(str(path.relative_to(folder)), path.read_bytes())
    add(signing and (signing.verification_method, signing.public_multikey))
    if jws_key is not None:
        from sitegen.jws import public_pem

        add(public_pem(jws_key))
    return digest.hexdigest()


def award_fingerprint(site_fingerprint: str, award, position) -> str:
    return hashlib.sha256(f"{site_fingerprint}\0{award!r}\0{position!r}".encode("utf-8")).hexdigest()


def load(root: Path, output: Path) -> dict[str, list]:
    """{award id: [fingerprint, proof cache key or None, stamp of its files]} of the build that wrote `output`,
    if it still stands."""
    try:
        data = json.loads((root / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("output") != str(output) or not output.is_dir():
        return {}
    records = data.get("awards")
    return records if isinstance(records, dict) else {}


def save(root: Path, output: Path, records: dict[str, list]) -> None:
    path = root / CACHE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"output": str(output), "awards": records}, sort_keys=True, separators=(",", ":")),
                   encoding="utf-8")
    tmp.replace(path)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
