"""The one kind of problem report: registered codes, locations with lines and columns, the README's table."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest

from sitegen.content.images import ImageError
from sitegen.content.site import load_site
from sitegen.diagnostics import CODES, BuildError, Collector, Diagnostic, Location, known_code

REPO = Path(__file__).resolve().parent.parent
SITEGEN = REPO / "sitegen"
CODE_SHAPE = re.compile(r"^[a-z][a-z0-9]*(\.[a-z0-9][a-z0-9-]*)+$")
NOT_CODES = re.compile(r"\.(html|json|png|svg|yaml|yml|js|css|txt|xml|pem|der|jsonld|py)$")  # file names
AREAS = {code.split(".", 1)[0] for code in CODES}


def _codes_table():
    spec = importlib.util.spec_from_file_location("codes_table", REPO / "tools" / "codes_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_unregistered_code_is_refused_wherever_a_diagnostic_is_made():
    with pytest.raises(ValueError, match="unregistered diagnostic code 'content.unknwon-field'"):
        Diagnostic(Location("content/site.yaml", 3), "a message", "error", "content.unknwon-field")
    with pytest.raises(ValueError, match="unregistered"):
        Collector().error(Location("content/site.yaml", 3), "content.no-such-kind", "a message")
    with pytest.raises(ValueError, match="unregistered"):
        ImageError("a message", "image.too-big")
    with pytest.raises(ValueError, match="unregistered"):
        known_code("")
    assert known_code("content.yaml-syntax") == "content.yaml-syntax"


def test_every_code_is_documented_and_well_formed():
    for code, info in CODES.items():
        assert CODE_SHAPE.match(code), code
        assert info.severity in ("error", "warning", "note"), code
        assert info.commands and info.description.strip(), code
        assert "\n" not in info.description, code


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _code_arguments(node: ast.Call) -> list[ast.expr]:
    """The arguments in a code's place: Diagnostic(location, message, severity, code), Collector.error(location,
    code, message), _File.error(line, code, message), error_at(data, key, code, message), ImageError(message,
    code), known_code(code)."""
    positions = {"Diagnostic": 3, "error": 1, "warning": 1, "note": 1, "error_at": 2, "ImageError": 1, "known_code": 0}
    name = _call_name(node)
    found = [kw.value for kw in node.keywords if kw.arg == "code"]
    if name in positions and len(node.args) > positions[name]:
        found.append(node.args[positions[name]])
    return found


def used_codes() -> dict[str, str]:
    """Every code sitegen/ uses (code -> where): string literals in a code's place, and any literal shaped like a
    code of a registered area ('content.…', 'verify.…'), which catches a constant holding a code."""
    used: dict[str, str] = {}
    for path in sorted(SITEGEN.rglob("*.py")):
        if path.name == "diagnostics.py" and path.parent == SITEGEN:
            continue  # the registry itself
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                for arg in _code_arguments(node):
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and CODE_SHAPE.match(arg.value):
                        used.setdefault(arg.value, where)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if CODE_SHAPE.match(text) and text.split(".", 1)[0] in AREAS and not NOT_CODES.search(text):
                    used.setdefault(text, where)
    return used


def test_every_code_used_in_sitegen_is_registered():
    used = used_codes()
    assert {"content.unknown-field", "award.duplicate-id", "csv.unknown-column", "image.too-large"} <= set(used)
    unregistered = {code: where for code, where in used.items() if code not in CODES}
    assert unregistered == {}, "declare these in sitegen.diagnostics.CODES"


def test_the_readme_table_of_codes_matches_the_registry():
    table = _codes_table()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert table.current_section(readme) == table.section(), "run: python tools/codes_table.py"
    for code in CODES:
        assert f"| `{code}` |" in readme


def test_text_shows_path_and_line_and_json_adds_the_column():
    diagnostic = Diagnostic(Location("content/site.yaml", 3, 7), "a message", "error", "content.invalid-value")
    assert str(diagnostic) == "content/site.yaml:3: error: a message"
    assert str(Location("content/site.yaml")) == "content/site.yaml"
    assert diagnostic.to_dict() == {
        "severity": "error",
        "code": "content.invalid-value",
        "message": "a message",
        "path": "content/site.yaml",
        "line": 3,
        "column": 7,
    }


def test_diagnostics_sort_by_file_line_and_message_as_before_columns_existed():
    def at(column: int, message: str) -> Diagnostic:
        return Diagnostic(Location("a.yaml", 2, column), message, "error", "content.invalid-value")

    assert [d.message for d in sorted([at(1, "b"), at(9, "a")])] == ["a", "b"]


def _problems(root: Path) -> list[Diagnostic]:
    with pytest.raises(BuildError) as caught:
        load_site(root)
    return caught.value.diagnostics


def test_a_content_error_carries_its_code_line_and_column(make_site):
    root = make_site(
        {
            "content/issuers/test-uni.yaml": """\
                name: Test University
                url: https://uni.example.org
                email: badges@uni.example.org
                  colour: blue
                """,
            "content/badgeclasses/star.yaml": """\
                issuer: test-uni
                name: Star
                description: A star performer.
                image: images/star.svg
                image_caption: A blue circle
                criteria: Be a star.
                valid_for: P1Y
                shape: round
                """,
            "content/assertions/typo.yaml": """\
                badge: no-such-badge
                awards: []
                """,
        }
    )
    found = {(d.code, d.location) for d in _problems(root)}
    assert ("content.yaml-syntax", Location("content/issuers/test-uni.yaml", 4, 3)) in found
    assert ("content.unknown-field", Location("content/badgeclasses/star.yaml", 8, 1)) in found
    assert ("content.unknown-badge", Location("content/assertions/typo.yaml", 1, 1)) in found


def test_duplicate_award_ids_are_award_problems_at_the_list_item(make_site):
    root = make_site(
        {
            "content/assertions/again.yaml": """\
                badge: star
                issued_on: 2025-01-15
                awards:
                  - id: 7c9e6679-7425-40de-944b-e07fc1f90ae7
                    recipient: {hash: "sha256$%s", salt: "s"}
                """
            % ("0" * 64),
        }
    )
    duplicates = [d for d in _problems(root) if d.code == "award.duplicate-id"]
    assert len(duplicates) == 1
    assert duplicates[0].location.line == 4
    assert duplicates[0].severity == CODES["award.duplicate-id"].severity
    assert str(duplicates[0]).startswith("content/assertions/")
