"""Bitstring status lists (OB 3.0 revocation): the GZIP'd, base64url-encoded bits, written and read."""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from collections.abc import Iterable

from sitegen.messages import _


def encode_status_list(set_bits: Iterable[int], length: int = 131072) -> str:
    """Multibase base64url (no padding) of the gzipped bitstring; bit 0 is the first byte's highest bit.
    gzip's header carries no timestamp (mtime=0), so the same list always gives the same text."""
    bits = bytearray(length // 8)
    for index in set_bits:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def status_bit(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def decode_status_list(encoded) -> bytes:
    """The bits of an encodedList (multibase base64url of gzip), inflated no further than
    MAX_STATUS_LIST_BYTES: a list that inflates to more is refused, not read into memory."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise ValueError(_("encodedList must be multibase base64url (start with u)"))
    data = encoded[1:]
    try:
        packed = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    except (ValueError, binascii.Error) as exc:
        raise ValueError(_("encodedList is not base64url: {problem}").format(problem=exc)) from None
    inflater = zlib.decompressobj(wbits=31)  # gzip
    try:
        bits = inflater.decompress(packed, MAX_STATUS_LIST_BYTES)
    except zlib.error as exc:
        raise ValueError(_("encodedList is not gzip: {problem}").format(problem=exc)) from None
    if inflater.unconsumed_tail:
        raise ValueError(
            _("the list inflates to more than {size} MB: refused").format(size=MAX_STATUS_LIST_BYTES // (1024 * 1024))
        )
    if not inflater.eof:
        raise ValueError(_("encodedList is a truncated gzip stream"))
    return bits


# Bits a status list may hold once inflated: 16 million entries, far beyond the 131,072 of a sitegen list.
MAX_STATUS_LIST_BYTES = 2 * 1024 * 1024
