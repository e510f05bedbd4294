"""Text as leadkit compares it: invisible characters gone, white space folded, case ignored.

A leaf: it imports nothing of leadkit, so params (which refuses colliding mapping keys)
and sources (which cleans every value) apply the very same rule.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Control (Cc) and format (Cf) characters print as nothing, or not at all: NUL, zero-width
# spaces and joiners, the BOM, soft hyphens, direction marks. White-space controls (tab,
# newline, CR, …) are not in this class: they fold into a space with other white space.
_RANGES = ((0x0, 0x8), (0xE, 0x1B), (0x7F, 0x84), (0x86, 0x9F), (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C),
           (0x6DD, 0x6DD), (0x70F, 0x70F), (0x890, 0x891), (0x8E2, 0x8E2), (0x180E, 0x180E), (0x200B, 0x200F),
           (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB),
           (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
           (0xE0001, 0xE0001), (0xE0020, 0xE007F))  # fmt: skip
# (listed, not computed: scanning every code point costs half a second at import; a test keeps it exact)
INVISIBLE = re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in _RANGES) + "]")


def visible(text: str) -> str:
    """``text`` in composed form (NFC) without invisible characters; white space is kept."""
    return unicodedata.normalize("NFC", INVISIBLE.sub("", text))


def key(value: object) -> str:
    """A status or label as a lookup key: case, runs of white space and invisible characters do not matter."""
    return " ".join(visible(str(value)).split()).casefold()


def collisions(keys: Iterable[object]) -> list[tuple[str, str]]:
    """Pairs of distinct keys of a mapping (or items of a list) that are one key under ``key``."""
    first: dict[str, str] = {}
    found: list[tuple[str, str]] = []
    for item in keys:
        text, folded = str(item), key(item)
        if folded in first:
            found.append((first[folded], text))
        else:
            first[folded] = text
    return found
