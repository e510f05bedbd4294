"""Text as leadkit compares it: invisible characters, white space and case never make two values."""

from __future__ import annotations

import unicodedata

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from leadkit.sources.cells import clean_text
from leadkit.text import INVISIBLE, collisions, key, visible

# What prints as nothing: NUL and other C0/C1 controls, zero-width space/joiners, BOM, soft hyphen, bidi marks.
INVISIBLES = st.sampled_from(["\x00", "\x01", "\x1b", "\x7f", "\x9f", "\u200b", "\u200c", "\u200d", "\ufeff",
                              "\u00ad", "\u200e", "\u200f", "\u202e", "\u2066", "\u2060"])  # fmt: skip
NAMES = st.text(alphabet=st.sampled_from("AaBbЁёОльгаІїЄє é-'."), min_size=1, max_size=12).filter(str.strip)


def test_the_listed_ranges_are_exactly_the_invisible_characters():
    expected = {
        chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in ("Cc", "Cf") and not chr(c).isspace()
    }
    matched = {chr(c) for c in range(0x110000) if INVISIBLE.fullmatch(chr(c))}
    assert matched == expected


def _sprinkle(draw: st.DrawFn, name: str) -> str:
    chars = list(name)
    for _ in range(draw(st.integers(1, 3))):
        chars.insert(draw(st.integers(0, len(chars))), draw(INVISIBLES))
    return "".join(chars)


@settings(max_examples=200, deadline=None)
@given(st.data(), NAMES)
def test_invisible_characters_never_make_a_second_value(data, name):
    dirty = _sprinkle(data.draw, name)
    assert visible(dirty) == unicodedata.normalize("NFC", name)
    assert key(dirty) == key(name)
    cleaned = clean_text(pd.Series([name, dirty, f"  {dirty}\t"], dtype="object"))
    assert cleaned.nunique() == 1


@given(NAMES)
def test_tabs_and_newlines_are_white_space_not_removed(name):
    assert clean_text(pd.Series([f"{name}\tX", f"{name}\nX", f"{name}  X"])).nunique() == 1


def test_composed_and_decomposed_letters_are_one_value():
    assert clean_text(pd.Series(["Пётр", "Пе\u0308тр"])).nunique() == 1


@given(NAMES, st.sampled_from(["upper", "lower", "spaced", "invisible"]))
def test_colliding_keys_are_found_in_pairs(name, how):
    other = {"upper": name.upper(), "lower": name.lower(), "spaced": f" {name} ", "invisible": f"{name}\u200b"}[how]
    if other == name:
        return
    assert collisions([name, "something else", other]) == [(name, other)]
