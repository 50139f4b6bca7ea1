"""Read the content repository's YAML files, keeping the line number of every key and list item."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sitegen.content.yaml_mistakes import decoding_problem, explain, message, odd_key, yaml_lines
from sitegen.diagnostics import Collector, Location
from sitegen.messages import _

_BaseLoader: type[Any]
try:  # libyaml is many times faster; the pure-Python loader gives the same nodes and marks
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

# The first characters of a plain value that may make it something else than a string (true, 12, 2026-04-01,
# ~, …): a value starting otherwise is a string whatever follows, as PyYAML's resolver decides too.
_TYPED_STARTS = frozenset(_BaseLoader.yaml_implicit_resolvers)


class _Loader(_BaseLoader):
    def resolve(self, kind, value, implicit):
        # Most values and keys of an award file (names, ids, hashes) start with a letter that begins nothing
        # else, so they are answered without trying the patterns: this runs for each of 100,000s of values.
        if kind is yaml.ScalarNode and value and value[0] not in _TYPED_STARTS and not self.yaml_path_resolvers:
            return self.DEFAULT_SCALAR_TAG
        return super().resolve(kind, value, implicit)


_STR = "tag:yaml.org,2002:str"


class _Invalid:
    """Stands for a value that could not be read; it has been reported already."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID = _Invalid()


class LineDict(dict):
    """A YAML mapping that remembers where it and each of its keys stand (1-based lines and columns)."""

    # A large site has 100,000s of them, all held at once: no __dict__ each, and the keys' lines and columns
    # in one tuple, in the order of the keys (line and column of the first key, of the second, …).
    __slots__ = ("line", "column", "marks")
    line: int
    column: int
    marks: tuple[int, ...]

    def _position(self, key) -> int:
        for index, name in enumerate(self):
            if name == key:
                return index
        return -1

    def line_of(self, key) -> int:
        index = self._position(key)
        return self.marks[2 * index] if index >= 0 else self.line

    def column_of(self, key) -> int:
        index = self._position(key)
        return self.marks[2 * index + 1] if index >= 0 else self.column

    @property
    def lines(self) -> dict:
        return {key: self.marks[2 * index] for index, key in enumerate(self)}

    @property
    def columns(self) -> dict:
        return {key: self.marks[2 * index + 1] for index, key in enumerate(self)}


class LineList(list):
    """A YAML sequence that remembers the line of each item."""

    __slots__ = ("line", "column", "lines")
    line: int
    column: int
    lines: list

    def line_of(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


@dataclass
class RawDoc:
    kind: str  # "site", "issuer", "badge" or "awards"
    path: Path  # absolute
    rel: str  # relative to the project root, for messages
    stem: str  # the file name without .yaml: the slug of issuers and badges
    data: object
    readable: bool = True  # False when the file could not be read or parsed (already reported)
    # An award file loaded with `awards_later`: its text, parsed by parse_later when its awards are checked, and
    # where its YAML problems stand among the others (an index into the collector's items).
    text: str | None = None
    problems_at: int = 0


def _at(rel: str, mark) -> Location:
    """Where a PyYAML mark points (its line and column are 0-based)."""
    return Location(rel, mark.line + 1, mark.column + 1)


def _convert(node, loader, rel: str, problems: Collector, seen: set[int], lines: list[str], keys: dict):
    """`keys`: each key's odd_key() answer, asked once per file (a large award file repeats a few keys)."""
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        # An alias (*name) reuses the node of its anchor: a few lines can nest them into billions of
        # values and hang the build. Content files need none: each list or mapping is read once.
        if id(node) in seen:
            problems.error(
                _at(rel, node.start_mark),
                "content.yaml-unsupported",
                _("YAML aliases of lists or mappings (*name) are not supported: write the value out"),
            )
            return INVALID
        seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        out = LineDict()
        out.line, out.column = node.start_mark.line + 1, node.start_mark.column + 1
        marks: list[int] = []
        for key_node, value_node in node.value:
            # Keys are names: YAML 1.1 would read `on:` (as in `revoked: {on: …}`) as the boolean true.
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                problems.error(
                    _at(rel, key_node.start_mark),
                    "content.yaml-unsupported",
                    _("unsupported key (use plain text keys)"),
                )
                continue
            key = sys.intern(key_node.value)  # one string for the same key in every award
            start = key_node.start_mark
            mistake = None
            if start.line == key_node.end_mark.line:
                mistake = keys[key] if key in keys else keys.setdefault(key, odd_key(key))
            if mistake:  # e.g. `　- id:` (full-width space): YAML reads a key; the writer meant a list item
                line, column = start.line + 1, start.column + 1 + mistake.column
                text = message(lines, line, column, mistake.what, mistake.fix)
                problems.error(Location(rel, line, column), "content.yaml-syntax", text)
                continue
            if key in out:
                problems.error(_at(rel, start), "content.duplicate-key", _("duplicate key '{key}'").format(key=key))
                continue
            if value_node.tag == _STR and type(value_node) is yaml.ScalarNode:  # most values: no call needed
                out[key] = value_node.value
            else:
                out[key] = _convert(value_node, loader, rel, problems, seen, lines, keys)
            marks += (start.line + 1, start.column + 1)
        out.marks = tuple(marks)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = LineList()
        items.line, items.column, items.lines = node.start_mark.line + 1, node.start_mark.column + 1, []
        for item in node.value:
            items.append(_convert(item, loader, rel, problems, seen, lines, keys))
            items.lines.append(item.start_mark.line + 1)
        return items
    if node.tag == _STR:  # the text as written: what the constructor would return, sooner
        return node.value
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:  # e.g. a date like 2026-02-30
        problems.error(
            _at(rel, node.start_mark),
            "content.invalid-value",
            _("invalid value '{value}': {reason}").format(value=node.value, reason=exc),
        )
        return INVALID


def parse_yaml(text: str, rel: str, problems: Collector):
    """Parse one YAML document into LineDict/LineList/scalars; report syntax errors as diagnostics."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _convert(node, loader, rel, problems, set(), yaml_lines(text), {})
    except yaml.MarkedYAMLError as exc:
        # PyYAML says where it got stuck, often a line after the mistake: find the mistake and explain it.
        found = explain(text, exc.problem, exc.problem_mark, exc.context, exc.context_mark)
        problems.error(Location(rel, found.line, found.column), "content.yaml-syntax", found.message)
    except yaml.YAMLError as exc:
        problems.error(Location(rel), "content.yaml-syntax", _("YAML error: {problem}").format(problem=exc))
    finally:
        loader.dispose()
    return None


KINDS = (("issuer", "issuers", False), ("badge", "badgeclasses", False), ("awards", "assertions", True))


def symbolic_links(root: Path) -> list[str]:
    """Symbolic links under content/ and themes/. They are refused: a pull request could point one at a file
    of the machine that builds (the deploy job holds the signing key) and have it read or published."""
    found, folders = [], [root / "content", root / "themes"]
    while folders:  # directory entries know whether they are links: no stat per file of a large site
        try:
            entries = list(os.scandir(folders.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink():
                found.append(_rel(root, Path(entry.path)))
            elif entry.is_dir():
                folders.append(Path(entry.path))
    return sorted(found)


def load_content(root: Path, problems: Collector, *, awards_later: bool = False) -> list[RawDoc]:
    """Every content file in a stable order: site.yaml, issuers, badge classes, then awards (recursive).

    `awards_later`: award files are read but not parsed yet (validate.build_site_model parses each when it
    checks its awards, then lets it go), so that a large site's YAML trees are never all held at once; their
    problems are then reported in the same order as if they had been parsed here."""
    content = root / "content"
    for rel in symbolic_links(root):
        problems.error(
            Location(rel),
            "content.symlink",
            _(
                "a symbolic link: content and theme files must be files of the repository itself "
                "(replace the link with the file)"
            ),
        )
    docs: list[RawDoc] = []
    site = content / "site.yaml"
    if not site.is_file():
        problems.error(
            Location("content/site.yaml"),
            "content.missing-file",
            _("missing: every site needs content/site.yaml (run `sitegen new` for an example)"),
        )
    else:
        docs.append(_read(root, site, "site", problems))
    for kind, folder, recursive in KINDS:
        base = content / folder
        if not base.is_dir():
            continue
        pattern = "**/*" if recursive else "*"
        for path in sorted(base.glob(pattern)):
            if path.suffix == ".yml":
                problems.error(
                    Location(_rel(root, path)),
                    "content.wrong-extension",
                    _("rename to .yaml: content files use the .yaml extension"),
                )
            if path.suffix != ".yaml" or not path.is_file():
                continue
            docs.append(_read(root, path, kind, problems, parse=not (awards_later and kind == "awards")))
    return docs


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _read(root: Path, path: Path, kind: str, problems: Collector, parse: bool = True) -> RawDoc:
    rel = _rel(root, path)
    decoded = True
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:  # e.g. saved by Excel or Notepad on Japanese Windows (Shift_JIS)
        line, column, words = decoding_problem(raw, exc.start)
        problems.error(Location(rel, line, column), "content.unreadable", words)
        text, decoded = "", False
    except OSError as exc:
        problems.error(Location(rel), "content.unreadable", _("cannot read: {reason}").format(reason=exc.strerror))
        text, decoded = "", False
    if "PRIVATE KEY-----" in text:
        problems.error(
            Location(rel, text[: text.index("PRIVATE KEY-----")].count("\n") + 1),
            "content.private-key",
            _(
                "this file holds a private key: remove it from the repository (and from its history), "
                "replace the key, and give the build the new one through SITEGEN_SIGNING_KEY"
            ),
        )
    if not parse:
        return RawDoc(kind, path, rel, path.stem, None, readable=decoded, text=text, problems_at=len(problems.items))
    before = len(problems.errors)
    data = parse_yaml(text, rel, problems) if text else None
    # A file that parsed is checked in full, even with a bad value in it (reported already, read as INVALID),
    # so that one run names every problem; only a syntax error leaves nothing to check.
    # A file that could not be read is reported once, as unreadable, never also as an empty one.
    readable = decoded and (data is not None or len(problems.errors) == before)
    return RawDoc(kind, path, rel, path.stem, data, readable=readable)


def parse_later(doc: RawDoc, problems: Collector) -> None:
    """Parse a file that load_content(awards_later=True) read, as load_content would have; its problems go to
    `problems` (the caller puts them at doc.problems_at)."""
    if doc.text is None:
        return
    data = parse_yaml(doc.text, doc.rel, problems) if doc.text else None
    doc.data, doc.text = data, None
    doc.readable = doc.readable and (data is not None or not problems.errors)
