"""Status list positions (Open Badges 3.0 revocation): where each credential's revocation bit is.

A credential's position in its issuer's status lists is signed into it, so it must never change: it is a
function of the issuer and the award id alone, never of the other awards. The index comes from a hash,
so it says nothing about issue order. `sitegen issue` draws ids until the position is free and in the
first list with room, so a small issuer's awards share one list (a verifier's fetch says little about
which credential it checks); a hand-written id that collides is a content error before it is published.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sitegen.model import Site

STATUS_LIST_LENGTH = 131072  # the minimum the Bitstring Status List spec allows, for group privacy
# The 1EdTech validator compares a status index with the list's length in bytes, so it rejects indexes of
# 16384 and above: indexes stay below that, and a list is filled to half of them before the next one.
STATUS_INDEX_RANGE = STATUS_LIST_LENGTH // 8
STATUS_LIST_FILL = STATUS_INDEX_RANGE // 2
STATUS_LISTS = 64  # per issuer; fixed for good, as positions depend on it (room for 500,000 awards)


@dataclass(frozen=True, order=True)
class StatusPosition:
    list_number: int  # 1-based: status/{issuer}-{n}.json
    index: int


def scattered_awards(site: Site) -> set[str]:
    """Awards in a status list while an earlier list of their issuer has room. `sitegen issue` never does this;
    hand-written ids do, and a list shared by few awards tells whoever watches its fetches which award is
    being checked."""
    lists: dict[str, dict[int, list[str]]] = {}
    for award in site.awards:
        position = site.status_position(award)
        lists.setdefault(site.badges[award.badge].issuer, {}).setdefault(position.list_number, []).append(award.id)
    scattered: set[str] = set()
    for by_number in lists.values():
        first_with_room = first_list_with_room({n: len(ids) for n, ids in by_number.items()})
        if first_with_room is not None:
            scattered.update(a for n, ids in by_number.items() if n > first_with_room for a in ids)
    return scattered


def first_list_with_room(filled: dict[int, int]) -> int | None:
    """The first of an issuer's status lists under half full (`filled`: list number → entries taken), or None."""
    return next((n for n in range(1, STATUS_LISTS + 1) if filled.get(n, 0) < STATUS_LIST_FILL), None)


def draw_award_ids(
    issuer_slug: str, count: int, taken: AbstractSet[StatusPosition] = frozenset(), new_id=lambda: str(uuid.uuid4())
) -> list[str]:
    """Award ids whose status list positions are free (not in `taken`), each in the issuer's first list
    with room: drawing until one lands there is what keeps every published position fixed for good.
    About STATUS_LISTS draws per id."""
    taken = set(taken)
    filled = Counter(position.list_number for position in taken)
    ids = []
    for _ in range(count):
        wanted = first_list_with_room(filled)  # None: every list half full, any free entry will do
        while True:
            candidate = new_id()
            position = status_position(issuer_slug, candidate)
            if position not in taken and wanted in (None, position.list_number):
                break
        taken.add(position)
        filled[position.list_number] += 1
        ids.append(candidate)
    return ids


def status_position(issuer_slug: str, award_id: str) -> StatusPosition:
    digest = hashlib.sha256(f"{issuer_slug}/{award_id}".encode()).digest()
    return StatusPosition(
        int.from_bytes(digest[:8], "big") % STATUS_LISTS + 1, int.from_bytes(digest[8:16], "big") % STATUS_INDEX_RANGE
    )
