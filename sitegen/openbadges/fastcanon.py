"""RDFC-1.0 canonical N-Quads of many documents of one shape, at the cost of one JSON-LD expansion per shape.

Three quarters of signing a credential with pyld is JSON-LD expansion, and every credential of a badge expands
alike: only its values differ (ids, dates, the recipient's hash and salt, the status index, evidence…). So each
string value is replaced by a unique placeholder IRI, the placeholder document (the *shape*) is turned into RDF by
pyld once, and each document of that shape gets that RDF with its own values put back where the placeholders
landed, then RDFC-1.0 canonicalisation (pyld's URDNA2015) of the result. The bytes are exactly pyld's:

- A placeholder that landed as a literal (a text, a date) takes the value as it is: pyld copies a string into a
  literal unchanged. One that landed as an IRI (an `id`, an `@id`-typed term) takes only a value pyld would copy
  unchanged too: an absolute http(s), urn or did IRI of plain characters. Anything else falls back.
- Where the shape's RDF holds a placeholder in any other way (inside a longer IRI or literal, as a graph name, not
  at all: a value JSON-LD dropped or transformed), the shape is not used: every document of it takes pyld's path,
  which also refuses what JSON-LD would drop.
- `type` and `@context` values, and the terms that name a vocabulary entry, are part of the shape, not values:
  JSON-LD maps them through the context.
- Numbers, booleans and null are part of the shape.
Tests compare this with pyld on generated documents; `sitegen build --check-signing` compares both on every
credential of a site.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from pyld import canon

from sitegen.messages import _
from sitegen.openbadges import jsonld
from sitegen.openbadges.keys import SigningError

# Values JSON-LD maps through the context (vocabulary terms), so they belong to the shape.
VERBATIM_KEYS = frozenset(
    {
        "@context",
        "type",
        "@type",
        "@language",
        "@direction",
        "achievementType",
        "identityType",
        "statusPurpose",
        "resultType",
        "targetType",
        "identifierType",
        "cryptosuite",
        "proofPurpose",
    }
)
# An IRI pyld keeps exactly as written (no base to resolve against, nothing to escape).
PLAIN_IRI = re.compile(r"^(?:https?://[^\x00-\x20<>\"{}|^`\\]+|(?:urn|did):[A-Za-z0-9][^\x00-\x20<>\"{}|^`\\]*)$")
MAX_SHAPES = 1024  # a cache, not a record: a site has a few shapes per badge


@dataclass(frozen=True)
class _Slot:
    triple: int  # index in the flattened triple list
    part: str  # "subject" or "object"
    value: int  # index of the document's value
    iri: bool


@dataclass(frozen=True)
class _Template:
    triples: tuple[tuple[str, dict], ...]  # (graph name, triple) as pyld's to_rdf gives them
    slots: tuple[tuple[_Slot, ...], ...]  # per triple, the values that go into it
    iri_values: frozenset[int]  # the values that must be plain IRIs
    constants: frozenset[str]  # the shape's own IRIs and literals (subjects and objects)


class CanonTemplates:
    """Canonical N-Quads by shape; `canonical()` returns None where only pyld's path can be sure.
    `lost_fields(document, expanded)` names what JSON-LD drops of a document: a shape that loses anything is
    left to pyld's path, which refuses it with the reason."""

    def __init__(self, lost_fields: Callable[[dict, list], list[str]]) -> None:
        self._lost_fields = lost_fields
        # A fresh marker per process: no content can know it, so no value can imitate a placeholder.
        self._marker = f"urn:x-sitegen-value:{secrets.token_hex(8)}:"
        self._templates: dict[str, _Template | None] = {}
        self.fast = 0  # documents canonicalised from a template
        self.slow = 0  # documents left to pyld

    def canonical(self, document: dict) -> str | None:
        shaped, values = self._shape(document)
        key = json.dumps(shaped, ensure_ascii=False, separators=(",", ":"))
        if key not in self._templates:
            if len(self._templates) >= MAX_SHAPES:
                self._templates.clear()
            self._templates[key] = self._template(shaped, len(values))
        template = self._templates[key]
        if template is None or any(not PLAIN_IRI.match(values[i]) for i in template.iri_values):
            self.slow += 1
            return None
        self.fast += 1
        return _canonical(_fill(template, values))

    def _shape(self, document: dict) -> tuple[object, list[str]]:
        values: list[str] = []
        marker = self._marker

        def walk(node, verbatim: bool):
            if isinstance(node, dict):
                return {key: walk(value, verbatim or key in VERBATIM_KEYS) for key, value in node.items()}
            if isinstance(node, list):
                return [walk(value, verbatim) for value in node]
            if isinstance(node, str) and not verbatim:
                values.append(node)
                return f"{marker}{len(values) - 1}"
            return node

        return walk(document, False), values

    def _template(self, shaped: object, count: int) -> _Template | None:
        """The RDF of a shape with where each value landed; None when a value did not land whole."""
        assert isinstance(shaped, dict)
        expanded = jsonld.expand(shaped)
        if self._lost_fields(shaped, expanded):
            return None
        dataset = jsonld.to_rdf(expanded)
        triples = [(graph, triple) for graph, graph_triples in dataset.items() for triple in graph_triples]
        marker = self._marker
        slots: list[_Slot] = []
        kinds: dict[int, bool] = {}
        for index, (graph, triple) in enumerate(triples):
            if marker in graph or marker in triple["predicate"]["value"]:
                return None
            for part in ("subject", "object"):
                term = triple[part]
                if marker in term.get("language", "") or marker in term.get("datatype", ""):
                    return None
                if marker not in term["value"]:
                    continue
                if term["type"] == "blank node" or not term["value"].startswith(marker):
                    return None
                number = term["value"][len(marker) :]
                if not number.isdigit() or int(number) >= count:
                    return None
                iri = term["type"] == "IRI"
                if kinds.setdefault(int(number), iri) != iri:
                    return None  # one value both an IRI and a literal
                slots.append(_Slot(index, part, int(number), iri))
        if len(kinds) != count:
            return None  # a value that did not reach the RDF
        per_triple = tuple(tuple(slot for slot in slots if slot.triple == index) for index in range(len(triples)))
        constants = frozenset(
            term["value"]
            for _, triple in triples
            for term in (triple["subject"], triple["object"])
            if term["type"] != "blank node" and marker not in term["value"]
        )
        return _Template(tuple(triples), per_triple, frozenset(n for n, iri in kinds.items() if iri), constants)


def _fill(template: _Template, values: list[str]) -> dict[str, list[dict]]:
    """The shape's dataset with the document's values, as fresh dicts (canonicalisation changes its input).
    An RDF dataset is a set: where two values are the same IRI (two evidence entries with one URL), JSON-LD
    merges the nodes and their equal triples become one, so equal triples are kept once here too."""
    # Two triples can become one only where a value repeats another value or one of the shape's own (two equal
    # tags of one node, two evidence entries with one URL): only then are equal triples looked for.
    merges = len(set(values)) < len(values) or not template.constants.isdisjoint(values)
    dataset: dict[str, list[dict]] = {}
    seen: set[tuple] = set()
    for (graph, triple), slots in zip(template.triples, template.slots, strict=True):
        fresh = {part: dict(term) for part, term in triple.items()}
        for slot in slots:
            fresh[slot.part]["value"] = values[slot.value]
        if merges:  # only then can two triples become equal
            key = (graph, *(tuple(sorted(term.items())) for term in fresh.values()))
            if key in seen:
                continue
            seen.add(key)
        dataset.setdefault(graph, []).append(fresh)
    return dataset


def _canonical(dataset: dict[str, list[dict]]) -> str:
    return canon.URDNA2015().main(dataset, {"algorithm": "URDNA2015", "format": "application/n-quads"})


def utf8(canonical: str) -> bytes:
    """The canonical form as the bytes that are hashed; a lone surrogate (no UTF-8 for it) is refused."""
    try:
        return canonical.encode("utf-8")
    except UnicodeEncodeError:
        raise SigningError(
            _("refusing to sign: a text holds a lone surrogate (\\ud800-\\udfff), which is no character")
        ) from None
