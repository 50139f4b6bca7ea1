"""JSON-LD processing offline: the contexts ship inside the package and no other URL is ever loaded."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pyld import canon, context_resolver, jsonld

CONTEXTS_DIR = Path(__file__).parent / "contexts"
CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-v3p0-extensions.json",
}

# Contexts sitegen embeds in documents (an object in @context, not a URL): checkers accept exactly these.
EMBEDDED_CONTEXT_FILES = ("microcredential-embedded-v1.json",)


def embedded_context(file: str) -> dict:
    """One of sitegen's embedded contexts (a fresh object: callers may put it into documents)."""
    if file not in EMBEDDED_CONTEXT_FILES:
        raise ValueError(f"{file} is not one of sitegen's embedded contexts")
    return json.loads(_embedded_context_text(file))


@cache
def _embedded_context_text(file: str) -> str:
    return (CONTEXTS_DIR / file).read_text(encoding="utf-8")


@cache
def _embedded_contexts() -> tuple[dict, ...]:
    # Read once: verify compares every credential's embedded context with these (a site of 100,000 awards).
    return tuple(embedded_context(file) for file in EMBEDDED_CONTEXT_FILES)


def is_embedded_context(value: object) -> bool:
    """Whether `value` (an object of a document's @context) is one of sitegen's embedded contexts, exactly."""
    return isinstance(value, dict) and any(value == context for context in _embedded_contexts())


class OfflineLoaderError(jsonld.JsonLdError):
    pass


@cache
def _context(url: str) -> dict:
    return json.loads((CONTEXTS_DIR / CONTEXT_FILES[url]).read_text(encoding="utf-8"))


def document_loader(url: str, options=None) -> dict:
    """pyld's document loader: the bundled contexts, and nothing else (builds and tests never use the network)."""
    if url not in CONTEXT_FILES:
        raise OfflineLoaderError(
            f"refusing to load {url}: only the bundled JSON-LD contexts are available offline",
            "jsonld.LoadDocumentError",
            code="loading document failed",
        )
    return {"contextUrl": None, "documentUrl": url, "document": _context(url)}


# --- canonical N-Quads ---------------------------------------------------------------------------
# pyld escapes only \\ \t \n \r and " in literals and nothing in IRIs. RDFC-1.0 (and rdf-canonize, the
# reference implementation the verifiers use) escapes every control character: \b \t \n \f \r " \\ as
# ECHAR, the other U+0000–U+001F and U+007F as \uXXXX; in IRIs, U+0000–U+0020 and <>"{}|^`\ as \uXXXX.
# The escaping changes the hashes that name blank nodes, so the fix has to reach inside URDNA2015.

_LITERAL_ESCAPES = {code: f"\\u{code:04X}" for code in [*range(0x20), 0x7F]}
_LITERAL_ESCAPES.update(
    {
        ord("\b"): "\\b",
        ord("\t"): "\\t",
        ord("\n"): "\\n",
        ord("\f"): "\\f",
        ord("\r"): "\\r",
        ord('"'): '\\"',
        ord("\\"): "\\\\",
    }
)
_IRI_ESCAPES = {code: f"\\u{code:04X}" for code in [*range(0x21), *map(ord, '<>"{}|^`\\')]}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _term(term: dict) -> str:
    if term["type"] == "IRI":
        return "<" + term["value"].translate(_IRI_ESCAPES) + ">"
    return term["value"]  # a blank node label


def serialize_nquad(triple: dict, graph_name: str | None = None) -> str:
    """One canonical N-Quad, escaped as RDFC-1.0 says (pyld's own serializer escapes too little)."""
    obj = triple["object"]
    if obj["type"] == "literal":
        text = '"' + obj["value"].translate(_LITERAL_ESCAPES) + '"'
        if obj["datatype"] == _RDF_LANGSTRING:
            text += "@" + obj["language"] if obj.get("language") else ""
        elif obj["datatype"] != _XSD_STRING:
            text += "^^<" + obj["datatype"].translate(_IRI_ESCAPES) + ">"
    else:
        text = _term(obj)
    quad = f"{_term(triple['subject'])} {_term(triple['predicate'])} {text}"
    graph = triple.get("name", {"value": graph_name})["value"]
    if graph is not None:
        quad += " " + (graph if graph.startswith("_:") else "<" + graph.translate(_IRI_ESCAPES) + ">")
    return quad + " .\n"


def _install_canonical_serializer() -> None:
    canon.serialize_nquad = serialize_nquad


_install_canonical_serializer()


def _install_context_key_memo() -> None:
    """pyld keys its cache of embedded (type-scoped) contexts by their JCS serialisation, recomputed every
    time a scoped context applies: a third of the time of signing an Open Badges 3.0 credential. The
    contexts are the same objects every time, so remember each serialisation by the identity of the
    values (kept alive here, so an identity is never reused)."""
    original = context_resolver.canonicalize
    memo: dict[tuple, tuple[bytes, list]] = {}

    def canonicalize(obj):
        if not isinstance(obj, dict):
            return original(obj)
        key = tuple((k, id(v)) for k, v in obj.items())
        hit = memo.get(key)
        if hit is None:
            if len(memo) > 10_000:
                memo.clear()
            hit = memo[key] = (original(obj), list(obj.values()))
        return hit[0]

    context_resolver.canonicalize = canonicalize


_install_context_key_memo()

CANON_OPTIONS = {
    "algorithm": "URDNA2015",
    "format": "application/n-quads",
    "documentLoader": document_loader,
    "base": None,
}


def canonize(document: dict | list) -> str:
    """RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document (compact or expanded), offline."""
    return jsonld.normalize(document, dict(CANON_OPTIONS))


def to_rdf(document: dict | list) -> dict[str, list[dict]]:
    """The RDF dataset of a JSON-LD document, as `canonize` makes it before canonicalising (graph → triples)."""
    options = {key: value for key, value in CANON_OPTIONS.items() if key != "format"}
    return jsonld.to_rdf(document, {**options, "produceGeneralizedRdf": False})


def expand(document: dict) -> list:
    return jsonld.expand(document, {"documentLoader": document_loader, "base": None})
