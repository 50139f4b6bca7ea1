"""Badge SVGs: the bytes published are the bytes checked, and style sheets are checked as a browser reads them.

A badge SVG is served from the site's own origin, so whatever script it carries runs there. The build once
published from the first `<svg` in the file, which could sit in a comment, a processing instruction or a
DOCTYPE before the real root element, while the checker looked at the real one.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from xml.etree import ElementTree

import pytest
from helpers import build, edit

from sitegen.cli import main
from sitegen.content import images
from sitegen.openbadges import baking

CAROL_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
SVG_NS = "http://www.w3.org/2000/svg"
ROOT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="100" height="100">'
    b'<title>Star</title><rect width="9" height="9" fill="#0b5cad"/></svg>'
)
# What a browser would run if it were published: no byte pattern of the old check names it (no <script,
# no on…=, no javascript:), only the parsed check does (<a> and <set> are not drawing elements).
DECOY = (
    b'<svg xmlns="http://www.w3.org/2000/svg"><a><set attributeName="href" to="j&#97;vascript:alert(1)"/>'
    b'<rect width="9" height="9"/></a></svg>'
)

PUBLISHED_AS_ROOT = {
    "decoy in a comment": b"<!-- " + DECOY + b" -->\n" + ROOT,
    "decoy in a processing instruction": b"<?decoy " + DECOY + b" ?>\n" + ROOT,
    "decoy after an XML declaration and a comment": b'<?xml version="1.0"?>\n<!-- x --><!-- ' + DECOY + b" -->" + ROOT,
    "decoy in a comment after the root": ROOT + b"\n<!-- " + DECOY + b" -->\n",
    "a public DOCTYPE as drawing programs write it": (
        b'<?xml version="1.0" encoding="utf-8"?>\n<!-- Generator: Adobe Illustrator -->\n<!DOCTYPE svg PUBLIC '
        b'"-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' + ROOT
    ),
    "a UTF-8 byte order mark": b"\xef\xbb\xbf" + ROOT,
    "an ASCII file declared ISO-8859-1": b'<?xml version="1.0" encoding="ISO-8859-1"?>\n' + ROOT,
}


def errors_of(root, capsys) -> tuple[int, list[str]]:
    code = build(root)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return code, [line for line in captured.err.splitlines() if ": error: " in line]


def canonical(element) -> tuple:
    return (
        element.tag,
        sorted(element.attrib.items()),
        (element.text or "").strip(),
        [canonical(child) for child in element],
    )


@pytest.mark.parametrize("variant", sorted(PUBLISHED_AS_ROOT))
def test_the_published_svg_is_exactly_the_root_element_that_was_checked(make_site, variant):
    root = make_site({"content/images/star.svg": PUBLISHED_AS_ROOT[variant]})
    assert build(root) == 0
    published = (root / "output/badges/star.svg").read_bytes()
    assert published == ROOT + b"\n"
    # The baked copy: the same element, with the assertion spliced in as its first child and nothing else.
    baked = ElementTree.fromstring((root / f"output/assertions/{CAROL_ID}.svg").read_bytes())
    assert baked[0].tag == "{http://openbadges.org}assertion"
    baked.remove(baked[0])
    assert canonical(baked) == canonical(ElementTree.fromstring(ROOT))
    assert images._svg_problem(ElementTree.fromstring(published)) is None


REFUSED = {
    "decoy in a DOCTYPE's internal subset": (b"<!DOCTYPE svg [ <!-- " + DECOY + b" --> ]>\n" + ROOT, "DOCTYPE"),
    "an empty internal subset": (b"<!DOCTYPE svg []>" + ROOT, "DOCTYPE"),
    "entities": (b'<!DOCTYPE svg [<!ENTITY s "&#60;script&#62;">]>' + ROOT, "entities"),
    "a style sheet instruction": (b'<?xml-stylesheet type="text/css" href="#x"?>' + ROOT, "xml-stylesheet"),
    "a style sheet instruction inside": (
        edit(ROOT, b"<title>", b'<?xml-stylesheet href="#x"?><title>'),
        "xml-stylesheet",
    ),
    "UTF-16": (ROOT.decode().encode("utf-16"), "UTF-8"),
    "Latin-1 text declared Latin-1": (
        b'<?xml version="1.0" encoding="ISO-8859-1"?>' + edit(ROOT, b"Star", b"\xe9toile"),
        "UTF-8",
    ),
    "a prefixed root": (
        b'<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:rect width="9" height="9"/></s:svg>',
        "without a prefix",
    ),
    "an empty root": (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "empty"),
    "two roots": (ROOT + ROOT, "not well-formed"),
}


@pytest.mark.parametrize("variant", sorted(REFUSED))
def test_what_cannot_be_published_as_checked_is_refused(make_site, capsys, variant):
    data, reason = REFUSED[variant]
    code, errors = errors_of(make_site({"content/images/star.svg": data}), capsys)
    assert code == 1
    assert any(
        e.startswith("content/badgeclasses/star.yaml:4: error: image content/images/star.svg: ") and reason in e
        for e in errors
    ), errors


def svg_with(body: bytes) -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">' + body + b"</svg>"


STYLE_ATTACKS = {
    "import split by a comment": b'<style>@im<!-- -->port "https://e.example/x.css";</style>',
    "import split by a processing instruction": b'<style>@im<?x?>port "https://e.example/x.css";</style>',
    "import split by an element": b'<style>@im<desc/>port "https://e.example/x.css";</style>',
    "import after an element": b'<style>rect{}<g/>@import "https://e.example/x.css";</style>',
    "url split by CDATA": b"<style>rect{fill:ur<![CDATA[l(https://e.example/x)]]>}</style>",
    "url in CDATA": b"<style><![CDATA[rect{fill:url(https://e.example/x)}]]></style>",
    "import by character references": b'<style>&#64;im&#x70;ort "https://e.example/x.css";</style>',
    "url split over two style sheets": b"<style>rect{fill:ur</style><style>l(https://e.example/x)}</style>",
    "escape in a presentation attribute": b'<rect width="9" height="9" fill="\\75rl(https://e.example/x)"/>',
    "escape in a filter attribute": b'<rect width="9" height="9" filter="ur\\6c(https://e.example/x#f)"/>',
    "loading function in an attribute": b'<rect width="9" height="9" fill="image(https://e.example/x.png)"/>',
    "url in a cursor attribute": b'<rect width="9" height="9" cursor="url(https://e.example/c.cur), auto"/>',
    "url in a style attribute, referenced": b'<rect width="9" height="9" style="mask:&#x75;rl(https://e.example/m)"/>',
}


@pytest.mark.parametrize("variant", sorted(STYLE_ATTACKS))
def test_css_is_checked_as_the_browser_reads_it_however_it_is_split(make_site, capsys, variant):
    code, errors = errors_of(make_site({"content/images/star.svg": svg_with(STYLE_ATTACKS[variant])}), capsys)
    assert code == 1 and any(
        e.startswith("content/badgeclasses/star.yaml:4: error: image content/images/star.svg: SVG") for e in errors
    ), errors


def test_a_drawing_program_svg_with_metadata_styles_and_instructions_is_accepted_and_verifies(make_site):
    """What Inkscape and Illustrator write: a declaration, comments, a public DOCTYPE, RDF metadata with an
    XMP packet instruction, a CDATA style sheet with url(#id) and an embedded PNG."""
    import base64

    from conftest import png_bytes

    png = base64.b64encode(png_bytes(8)).decode()
    drawing = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!-- Created with Inkscape -->\n'
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" viewBox="0 0 10 10" data-note="a > b">\n'
        '  <metadata><?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><rdf:RDF/><?xpacket end="w"?></metadata>\n'
        '  <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>\n'
        "  <style><![CDATA[ .a { fill: url(#g) } /* a comment */ ]]></style>\n"
        '  <rect class="a" width="10" height="10"/>'
        f'<image width="2" height="2" xlink:href="data:image/png;base64,{png}"/>\n'
        "</svg>\n"
    ).encode()
    root = make_site({"content/images/star.svg": drawing})
    assert build(root) == 0
    published = (root / "output/badges/star.svg").read_bytes()
    assert published.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"') and published.endswith(b"</svg>\n")
    assert ElementTree.fromstring(published).get("data-note") == "a > b"
    baked = ElementTree.fromstring((root / f"output/assertions/{CAROL_ID}.svg").read_bytes())
    assert baked[0].tag == "{http://openbadges.org}assertion" and baked.get("data-note") == "a > b"
    assert (root / "output/badges/star.preview.png").read_bytes().startswith(images.PNG_SIGNATURE)  # link preview
    assert main(["verify", str(root / "output")]) == 0


def test_baking_splices_into_the_element_the_check_examined():
    """bake_svg only accepts what prepare_svg returned: a document starting with its root's start tag."""
    prepared = images.prepare_svg(b"<!-- <svg> -->" + edit(ROOT, b'width="100"', b'data-x="&gt;>" width="100"'))
    baked = baking.bake_svg(prepared, baking.OB3_SVG_NAMESPACE, "credential", '{"x": "]]>"}')
    tree = ElementTree.fromstring(baked)
    assert tree.tag == f"{{{SVG_NS}}}svg" and tree.get("data-x") == ">>"
    assert baking.unbake_svg(baked) == {"credential": '{"x": "]]>"}'}
    with pytest.raises(images.ImageError):
        baking.bake_svg(b"<!-- <svg> -->" + ROOT, baking.OB3_SVG_NAMESPACE, "credential", "{}")


# A decoy a byte pattern cannot see (the script is escaped inside srcdoc) and Chromium runs if the file is
# published from the comment: it renders the part before the XML error, iframe included.
IFRAME_DECOY = (
    b'<svg xmlns="http://www.w3.org/2000/svg"><h:iframe xmlns:h="http://www.w3.org/1999/xhtml" '
    b"srcdoc=\"&lt;script&gt;parent.document.title='pwned'&lt;/script&gt;\"/></svg>"
)


# Chromium in a process of its own: another module's session-wide Playwright may be running in this one, and
# two Playwright sync sessions cannot share a process.
CHROMIUM_CHECK = """
import json, sys
from playwright.sync_api import sync_playwright
from browser import CHROMIUM, CHROMIUM_ARGS
results = {}
with sync_playwright() as playwright:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    for url in sys.argv[1:]:
        page = chromium.new_page()
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url)
        page.wait_for_timeout(300)
        results[url] = {"title": page.title(), "dialogs": dialogs,
                        "root": page.evaluate("document.documentElement.localName"),
                        "iframes": page.evaluate("document.getElementsByTagNameNS('*', 'iframe').length")}
        page.close()
    chromium.close()
print(json.dumps(results))
"""


def in_chromium(urls: list[str]) -> dict:
    import json
    import subprocess
    import sys

    from browser import CHROMIUM

    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (scripts/install-test-browser.sh installs it)")
    pytest.importorskip("playwright.sync_api")
    done = subprocess.run(
        [sys.executable, "-c", CHROMIUM_CHECK, *urls],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(Path(__file__).parent),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_no_script_of_a_decoy_runs_in_chromium_on_the_published_images(make_site):
    """The issuer's image (no preview is drawn of it, so nothing else stumbled on the broken file it was
    published as) and a badge with its baked copy, opened in Chromium from the built site."""
    from browser import Server, free_port
    from conftest import default_files

    issuer = textwrap.dedent(default_files()["content/issuers/test-uni.yaml"]) + "image: images/logo.svg\n"
    decoyed = b"<!-- " + IFRAME_DECOY + b" -->\n" + ROOT
    root = make_site({"content/issuers/test-uni.yaml": issuer, "content/images/logo.svg": decoyed})
    server = Server(root / "output", free_port())

    def assert_no_script_ran(*rels: str) -> None:
        for url, page in in_chromium([f"{server.url}/{rel}" for rel in rels]).items():
            assert page["title"] != "pwned" and not page["dialogs"], url
            assert page["root"] == "svg" and page["iframes"] == 0, url  # the drawing itself, no XML error page

    try:
        assert build(root) == 0
        assert_no_script_ran("issuers/test-uni.svg")
        (root / "content/images/star.svg").write_bytes(decoyed)  # a badge: its preview is drawn, copies baked
        assert build(root) == 0
        assert_no_script_ran("badges/star.svg", f"assertions/{CAROL_ID}.svg")
    finally:
        server.stop()
