"""Theme templates come from pull requests: they get data, never capabilities, and a page within a budget.

The walker test goes through everything a template can reach from each page's context, asking the sandbox
itself what it lets through; the attack tests are themes that try to read or write files or read the
environment, and themes that loop, recurse or make gigantic pages (also in the parallel award build).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import textwrap
import types
from pathlib import Path

import pytest
from conftest import AWARD_ID, default_files
from helpers import build, edit

from sitegen.build import render
from sitegen.build.pipeline import build_site
from sitegen.build.render import ThemeEnvironment, is_plain_data, is_pure_method, is_record_type
from sitegen.cli import main

SECRET = "top-secret-7f3a9c"  # in a file and in the environment; no attack may get it into a page or a message
# The functions a theme template may call besides methods of its data; a new one is a decision to review.
EXPECTED_FUNCTIONS = {
    *("range", "dict", "cycler", "joiner", "namespace", "_", "gettext", "ngettext", "media_kind", "data_path")
}


# --- everything reachable is data ------------------------------------------------------------------------------


def reachable_problems(env: ThemeEnvironment, roots: dict[str, object]) -> list[str]:
    """Every object a template can reach from `roots` through attributes and items the sandbox lets it read,
    that is neither plain data nor a function the sandbox lets it call that is a method of data or one of the
    expected globals. Returns where each was found."""
    functions = {id(value) for name, value in env.globals.items() if name in EXPECTED_FUNCTIONS}
    problems, seen, keep = [], set(), []
    stack = list(roots.items())
    while stack:
        where, value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        keep.append(value)  # ids stay unique while we walk
        if is_plain_data(value):
            pass
        elif callable(value) and env.is_safe_callable(value):
            if not (id(value) in functions or is_pure_method(value)):
                problems.append(f"{where}: callable {value!r}")
            continue  # its attributes are refused (checked below for a few)
        else:
            problems.append(f"{where}: {type(value).__module__}.{type(value).__qualname__}")
            continue
        if isinstance(value, (str, int, float, bytes, type(None))):
            continue  # their attributes are methods of the value (bound builtins) and numbers
        if isinstance(value, dict):
            stack += [(f"{where}[{key!r}]", item) for key, item in value.items()]
            stack += [(f"{where}.keys()", key) for key in value]
        elif isinstance(value, (list, tuple)):
            stack += [(f"{where}[{index}]", item) for index, item in enumerate(value)]
        for name in dir(value):
            try:
                attribute = getattr(value, name)
            except Exception:
                continue
            if env.is_safe_attribute(value, name, attribute):
                stack.append((f"{where}.{name}", attribute))
    return problems


def recorded_contexts(root: Path, monkeypatch) -> list[tuple[str, ThemeEnvironment, dict]]:
    """(template, environment, variables) of every page a build renders: each page kind with the variables
    render.py gives it, and the globals."""
    seen = []
    original = ThemeEnvironment.render_page

    def record(self, template, context):
        seen.append((template.name, self, dict(context)))
        return original(self, template, context)

    monkeypatch.setattr(ThemeEnvironment, "render_page", record)
    build_site(root, jobs=1)
    return seen


def test_every_object_a_template_can_reach_is_plain_data(make_site, monkeypatch):
    from sitegen.openbadges.keys import generate

    signed_like = f"keys:\n  - id: key-1\n    public_key: {generate()[1]}\n"
    site_yaml = (
        "base_url: https://example.github.io/badges\nname: {ja: テスト, en: Test}\ndefault_language: en\n"
        'timezone: "+09:00"\naward_pages: every_language\n' + signed_like
    )
    root = make_site({"themes/default/templates/_note.html": "a theme of its own", "content/site.yaml": site_yaml})
    pages = recorded_contexts(root, monkeypatch)
    kinds = {name for name, _env, _context in pages}
    assert {"index.html", "issuer.html", "badge.html", "award.html", "verify.html"} <= kinds
    problems = []
    for name, env, context in pages:
        functions = {key for key, value in env.globals.items() if callable(value)}
        assert functions == EXPECTED_FUNCTIONS, f"new functions for templates: {functions ^ EXPECTED_FUNCTIONS}"
        roots = {f"{name}: {key}": value for key, value in {**env.globals, **context}.items()}
        problems += reachable_problems(env, roots)
    assert problems == []


def test_the_walker_finds_a_path_or_an_object_with_methods_anywhere():
    """The walker fails on what the model held before (ImageFile.source, a Path) and on other objects."""
    env = ThemeEnvironment()
    env.allow_globals()

    class Tool:
        def run(self):
            return "ran"

    @dataclasses.dataclass(frozen=True)
    class Elsewhere:  # a frozen dataclass outside sitegen.model is not a record templates may see
        path: str = "x"

    for value in (
        Path("/etc"),
        {"a": [(1, Path("/"))]},
        Tool(),
        Elsewhere(),
        os.environ,
        types,
        open,
        (lambda: 1),
        dt.datetime.now,
    ):
        assert reachable_problems(env, {"x": value}), value
    assert not is_record_type(Elsewhere)
    assert reachable_problems(env, {"x": {"a": [1, "b", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)]}}) == []


def test_a_theme_never_sees_the_name_of_a_recipient_who_did_not_agree_to_show_it(make_site):
    spring = edit(
        textwrap.dedent(default_files()["content/assertions/2026/spring.yaml"]),
        "    evidence: [",
        "    name: Alice Private\n    evidence: [",
    )
    assert "Alice Private" in spring
    body = (
        "[{{ award.name }}] {% for a in site.awards %}{{ a.name }};{% endfor %} {{ site|pprint }} "
        "{{ [award]|map(attribute='name')|list }}"
    )
    root = attack_site(make_site, body)
    (root / "content/assertions/2026/spring.yaml").write_text(spring)
    assert build(root) == 0
    pages = "".join(p.read_text() for p in (root / "output").rglob("*.html"))
    assert "Alice Private" not in pages and "Carol Example;" in pages and "[None]" in pages


# --- attacks -------------------------------------------------------------------------------------------------

READ = "{secret}"
ATTACKS = {
    # attribute chains from the data
    "image source path": "{{{{ badge.image.source.read_text() }}}}",
    "parent of a path": "{{{{ (badge.image.source.parent.parent / 'secret.txt').read_text() }}}}",
    "class of a record": "{{{{ site.__class__.__init__.__globals__ }}}}",
    "method globals": "{{{{ site.badges_of.__globals__['Path']('{secret}').read_text() }}}}",
    "staticmethod globals": "{{{{ urls.badge_page.__globals__ }}}}",
    "bound method self": "{{{{ urls.url.__self__.__class__ }}}}",
    "method func": "{{{{ badge.name.get.__func__.__globals__ }}}}",
    "timezone": "{{{{ site.config.tz.__class__ }}}}",
    "date now": "{{{{ award.issued_on.now() }}}}",
    "date astimezone": "{{{{ award.issued_on.astimezone() }}}}",
    "date fromtimestamp": "{{{{ award.issued_on.fromtimestamp(0) }}}}",
    "subclasses": "{{{{ ().__class__.__base__.__subclasses__() }}}}",
    "dict type": "{{{{ dict.__base__.__subclasses__() }}}}",
    "dict view mapping": "{{{{ site.issuers.items().mapping }}}}",
    # |attr, map(attribute=), format strings
    "attr filter": "{{{{ (site|attr('__class__')) }}}}",
    "attr filter on image": "{{{{ badge.image|attr('source') }}}}",
    "map attribute": "{{{{ [site]|map(attribute='__class__')|list }}}}",
    "map attribute chain": "{{{{ [badge]|map(attribute='image.source')|first }}}}",
    "sort attribute": "{{{{ [urls, urls]|sort(attribute='__class__')|first }}}}",
    "map attr filter": "{{{{ [site]|map('attr', '__class__')|list }}}}",
    "selectattr": "{{{{ [site]|selectattr('__class__')|list }}}}",
    "sum attribute": "{{{{ [site]|sum(attribute='__class__.__name__') }}}}",
    "item syntax": "{{{{ site['__class__'] }}}}",
    "item of a record": "{{{{ badge['image']['source'] }}}}",
    "format string": "{{{{ '{{0.__class__.__init__.__globals__}}'.format(site) }}}}",
    "format map": "{{{{ '{{x.__class__}}'.format_map({{'x': site}}) }}}}",
    "markup format": "{{{{ ('{{0.image.source}}'|safe).format(badge) }}}}",
    "percent format": "{{{{ '%s'|format(badge.image.source) }}}}",
    # Jinja's own objects
    "loop": "{{% for x in [1] %}}{{{{ loop._iterable }}}}{{{{ loop.__class__ }}}}{{% endfor %}}",
    "cycler": "{{{{ cycler.__init__.__globals__.os.environ }}}}",
    "cycler instance": "{{% set c = cycler(1, 2) %}}{{{{ c.next.__func__.__globals__ }}}}",
    "joiner": "{{{{ joiner.__init__.__globals__['os'].environ['SANDBOX_SECRET'] }}}}",
    "namespace": "{{% set ns = namespace() %}}{{{{ ns.__init__.__globals__ }}}}",
    "namespace class": "{{{{ namespace.__init__.__globals__.os.system('touch {witness}') }}}}",
    "lipsum": "{{{{ lipsum.__globals__['os'].environ }}}}",
    "range": "{{{{ range.__globals__ }}}}",
    "self": "{{{{ self._TemplateReference__context.environment }}}}",
    "self block": "{{{{ self.main.__init__.__globals__ }}}}",
    "macro caller": (
        "{{% macro m() %}}{{{{ caller._func.__globals__['__builtins__']['open']('{witness}', 'w') }}}}"
        "{{% endmacro %}}{{% call m() %}}x{{% endcall %}}"
    ),
    "imported template": '{{% import "_badge_grid.html" as grid %}}{{{{ grid.__class__ }}}}',
    "super block": "{{{{ super._context }}}}",
    "macro func": "{{% macro m() %}}{{% endmacro %}}{{{{ m._environment }}}}",
    "gettext alias": "{{{{ _.__globals__['__builtins__'] }}}}",
    "gettext": "{{{{ gettext.__self__._catalog }}}}",
    "media_kind": "{{{{ media_kind.__globals__['i18n'] }}}}",
    # what filters return
    "generator frame": "{{{{ ([1]|map('string')).gi_frame.f_globals }}}}",
    "batch frame": "{{{{ (range(3)|batch(2)).gi_frame }}}}",
    "groupby": "{{% for g in site.badges.values()|groupby('issuer') %}}{{{{ g.list.__class__ }}}}{{% endfor %}}",
    "dictsort": "{{{{ (site.issuers|dictsort|first).__class__.__mro__ }}}}",
    "items filter": "{{{{ (site.issuers|items).__class__ }}}}",
    "filters of filters": "{{{{ (badge.name|text).__class__.__base__.__subclasses__() }}}}",
    # writing
    "write through globals": "{{% set _ = cycler.__init__.__globals__.os.system('touch {witness}') %}}",
    "open builtin": "{{{{ self.__init__.__globals__['__builtins__']['open']('{witness}', 'w').write('x') }}}}",
    "write text": "{{{{ badge.image.source.with_name('w').write_text('x') }}}}",
}


def attack_site(make_site, body: str) -> Path:
    award = '{% extends "base.html" %}{% block main %}\n' + body + "\n{% endblock %}\n"
    return make_site({"themes/default/templates/award.html": award})


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_a_theme_cannot_read_or_write_files_or_the_environment(name, make_site, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("SANDBOX_SECRET", SECRET)
    secret, witness = tmp_path / "secret.txt", tmp_path / "witness"
    secret.write_text(SECRET)
    root = attack_site(make_site, ATTACKS[name].format(secret=secret, witness=witness))
    code = build(root)
    captured = capsys.readouterr()
    assert code == 1, captured
    assert "Traceback" not in captured.out + captured.err and "internal error" not in captured.err
    assert "themes/default/templates/award.html:2: error: template error:" in captured.err, captured.err
    assert SECRET not in captured.out + captured.err
    assert not witness.exists() and not (root / "output").exists()


def test_the_default_theme_and_harmless_theme_code_still_work_in_the_sandbox(make_site):
    # adjacent string literals: one template, in lines short enough to read
    body = (
        """
{%- set ns = namespace(n=0) %}{% for b in site.badges.values()|sort(attribute='slug') %}{% set ns.n = ns.n + 1 %}
<p class="t">{{ loop.index }} {{ b.name|text }} {{ b.image.kind|upper }} {{ urls.url(urls.badge_page(b.slug)) }}</p>
{%- endfor %}
<p class="t">{{ ns.n }} {{ award.issued_on.year }} {{ award.issued_on.strftime('%Y-%m') }} """
        """{{ site.config.tz.utcoffset(None) }}
{{ '{0} {1.slug}'.format(badge.name.get('en'), issuer) }} {{ [badge]|map(attribute='image.kind')|join }}
{{ site.issuers.items()|list|length }} {{ cycler('a', 'b').next() }} {{ 2 ** 10 }} {{ 'ab' * 3 }}
{{ self.note() }} {{ _('Home') }} {{ media_kind('x.png') }} """
        """{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}c{% endcall %}</p>
{% endblock %}{% block note %}note{% endblock %}{% block x %}"""
    )
    root = attack_site(make_site, body)
    assert build(root) == 0
    text = (root / f"output/assertions/{AWARD_ID}.html").read_text()
    assert "1 Python Basics PNG https://example.github.io/badges/badges/python-basics.html" in text
    assert "2 2026 2026-04 9:00:00" in text and "Python Basics test-uni png" in text
    assert "a 1024 ababab" in text and "note Home image c" in text


# --- private keys in a theme ----------------------------------------------------------------------------------

PEM = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ\n-----END PRIVATE KEY-----\n"


@pytest.mark.parametrize(
    "rel,content",
    [
        ("themes/default/static/signing.pem", "not even a key"),
        ("themes/default/static/deploy.KEY", "x"),
        ("themes/default/static/fonts/cert.p12", "x"),
        ("themes/default/static/id_ed25519", "x"),  # the same names as `sitegen check` refuses anywhere
        ("themes/default/static/key.der", "x"),
        (
            "themes/default/static/jwk.json",
            '{"kty": "OKP", "d": "' + "nWGxne_9WmC6hEr0" + 'kuwsxERJxWl7MmkZcDusAxyuf2A"}',
        ),
        ("themes/default/static/notes.txt", "keep this: -----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n"),
        ("themes/default/static/site.css", "/* " + PEM + " */"),
        ("themes/custom/static/a/b.js", "// " + PEM),
    ],
)
def test_a_theme_never_publishes_a_private_key(rel, content, make_site, capsys):
    files = {rel: content}
    if rel.startswith("themes/custom/"):
        files["content/site.yaml"] = textwrap.dedent(default_files()["content/site.yaml"]) + "theme: custom\n"
    root = make_site(files)
    code = build(root)
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    assert any(line.startswith(f"{rel}: error: ") and ("key" in line) for line in captured.err.splitlines()), (
        captured.err
    )
    assert not (root / "output").exists()


@pytest.mark.parametrize("name", ["_key.html", "key.pem"])
def test_a_template_holding_a_private_key_cannot_be_included(name, make_site, capsys):
    body = PEM if name.endswith(".html") else "hello"
    root = make_site(
        {
            f"themes/default/templates/{name}": body,
            "themes/default/templates/index.html": f'{{% extends "base.html" %}}{{% block main %}}'
            f'{{% include "{name}" %}}{{% endblock %}}',
        }
    )
    code = build(root)
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    assert f"themes/default/templates/{name}: error: template error: " in captured.err, captured.err
    assert "BEGIN PRIVATE" not in captured.err and not (root / "output").exists()


# --- themes that loop, recurse or make gigantic pages ---------------------------------------------------------

AWARD_LINE_2 = "themes/default/templates/award.html:2: error: template error: "
RECURSES = "the templates call themselves without end"
# name: (award.html's body, the beginning of the one error, what it says)
LOOPS = {
    "nested loops": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        AWARD_LINE_2,
        "took over 1 s",
    ),
    "exponential macro": (
        "{% macro f(n) %}{% if n < 60 %}{{ f(n + 1) }}{{ f(n + 1) }}{% endif %}{% endmacro %}{{ f(0) }}",
        AWARD_LINE_2,
        "took over 1 s",
    ),
    "recursive macro": ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", AWARD_LINE_2, RECURSES),
    "recursive loop": ("{% for x in [[1]] recursive %}{{ loop([x]) }}{% endfor %}", AWARD_LINE_2, RECURSES),
    "recursive include": ('{% include "award.html" %}', "themes/default/templates/award.html:", RECURSES),
    "mutual include": (
        '{% include "_a.html" %}',
        (
            "themes/default/templates/_a.html:1: error: template error: ",
            "themes/default/templates/_b.html:2: error: template error: ",
        ),
        RECURSES,
    ),
    "gigantic page": (
        "{% for i in range(100000) %}{% for j in range(100000) %}" + "x" * 100 + "{% endfor %}{% endfor %}",
        AWARD_LINE_2,
        "took over 1 s",
    ),
    "one slow filter": ('{{ ("ab" * 2000000)|wordwrap(1)|length }}', AWARD_LINE_2, "took over 1 s"),
    "large page": (
        '{% for i in range(5) %}{{ "x" * 5000000 }}{% endfor %}',
        "themes/default/templates/award.html: error: template error: ",
        "the page is over 20 MB",
    ),
    "gigantic string": ('{{ "x" * 10000000000 }}', AWARD_LINE_2, "sequence of 10,000,000,000 items"),
    "gigantic number": ("{{ 10 ** 100000000 }}", AWARD_LINE_2, "'**' would make a number"),
    "gigantic padding": ('{{ "x"|center(3000000000) }}', AWARD_LINE_2, "needed over 512 MB of memory"),
    "gigantic padding at run time": (
        '{{ "x"|center(3000000000 + loop_count|default(0)) }}',
        AWARD_LINE_2,
        "needed over 512 MB of memory",
    ),
    "doubling": (
        '{% set ns = namespace(s="x" * 1000000) %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}',
        AWARD_LINE_2,
        "needed over 512 MB of memory",
    ),
}


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("name", sorted(LOOPS))
def test_a_theme_that_loops_is_a_clear_error_naming_the_template(name, jobs, make_site, capsys, monkeypatch):
    """Exit 1 with the template and line, also from the worker processes of the parallel award build."""
    body, where, says = LOOPS[name]
    # A short time budget where the test is about time, a long one where it is about memory or size.
    monkeypatch.setattr(render, "PAGE_TIME_BUDGET", 1.0 if "took over" in says else 60.0)
    root = attack_site(make_site, body)
    (root / "themes/default/templates/_a.html").write_text('{% include "_b.html" %}')
    (root / "themes/default/templates/_b.html").write_text('\n{% include "_a.html" %}')
    code = main(["build", "--root", str(root), "--jobs", str(jobs)])
    captured = capsys.readouterr()
    assert code == 1, captured.err
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    errors = [line for line in captured.err.splitlines() if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith(where) and says in errors[0], errors
    assert not (root / "output").exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_pages_each_within_their_budget_cannot_hold_the_build_for_hours(jobs, make_site, capsys, monkeypatch):
    """The pages of a process share a budget: a theme that takes just under a page's budget on every award."""
    monkeypatch.setattr(render, "BUILD_TIME_BUDGET", 0.02)
    monkeypatch.setattr(render, "PAGE_AVERAGE_BUDGET", 0.001)
    root = attack_site(make_site, "{% for i in range(100000) %}{% endfor %}" * 6)
    code = main(["build", "--root", str(root), "--jobs", str(jobs)])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err and "internal error" not in captured.err
    assert "the theme took" in captured.err and "over 1 ms a page" in captured.err, captured.err
    assert not (root / "output").exists()


@pytest.mark.parametrize(
    "body", ["{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}", "{% if 1 %}" * 2000 + "{% endif %}" * 2000]
)
def test_a_template_nested_too_deeply_to_compile_is_a_clear_error(body, make_site, capsys):
    root = attack_site(make_site, body)
    code = build(root)
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err and "internal error" not in captured.err
    assert (
        "themes/default/templates/award.html: error: template error: the template is nested too deeply" in captured.err
    ), captured.err


def test_a_template_that_extends_itself_is_a_clear_error(make_site, capsys):
    root = make_site({"themes/default/templates/index.html": '{% extends "index.html" %}'})
    code = build(root)
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err and "internal error" not in captured.err
    assert "themes/default/templates/index.html:1: error: template error: " in captured.err, captured.err


def test_an_error_in_the_signed_pages_only_is_a_clear_error_in_the_check_estimate(make_site):
    """The pull-request check sizes the signed site by rendering an award page as the deploy build would."""
    from sitegen.build.pipeline import signed_size_estimate
    from sitegen.content.site import load_site
    from sitegen.diagnostics import BuildError

    root = attack_site(make_site, "{% if credentials %}{{ 10 ** 100000000 }}{% endif %}")
    site, _ = load_site(root)
    with pytest.raises(BuildError) as raised:
        signed_size_estimate(root, site)
    assert str(raised.value.diagnostics[0]).startswith("themes/default/templates/award.html:2: error: template error")


@pytest.mark.parametrize(
    "body,says",
    [
        ("{{ 1 / 0 }}", "ZeroDivisionError: division by zero"),
        ("{{ 'a' + 1 }}", "TypeError: "),
        ("{{ award.issued_on|date|date }}", "AttributeError: "),
        ("{{ nothing_here }}", "'nothing_here' is undefined"),
        ('{% include "missing.html" %}', "missing.html"),
    ],
)
def test_any_error_in_a_theme_template_is_a_clear_error_naming_its_line(body, says, make_site, capsys):
    """A theme's mistake is not a bug in sitegen: exit 1 with the template and line, never an internal error."""
    for jobs in ("1", "2"):
        root = attack_site(make_site, body)
        code = main(["build", "--root", str(root), "--jobs", jobs])
        captured = capsys.readouterr()
        assert code == 1 and "internal error" not in captured.err and "Traceback" not in captured.err
        assert f"{AWARD_LINE_2}" in captured.err and says in captured.err, captured.err
