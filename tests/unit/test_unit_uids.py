"""lineagedb.core.uids: random and derived base62 uids, version suffixes."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineagedb.core import uids


@pytest.mark.parametrize("n", [1, 4, 12, 16, 20, 100])
def test_base62_has_the_asked_length_and_alphabet(n):
    uid = uids.base62(n)
    assert len(uid) == n
    assert set(uid) <= set(uids.BASE62)


def test_base62_alphabet_is_62_distinct_characters():
    assert len(set(uids.BASE62)) == 62
    assert uids.BASE62.isalnum() and uids.BASE62.isascii()


def test_base62_uses_every_character_about_equally():
    counts = Counter(uids.base62(62 * 1000))
    assert set(counts) == set(uids.BASE62)
    # a plain byte % 62 would give the first 8 characters 5/256 each instead of 4/256: 25% more
    first = sum(counts[c] for c in uids.BASE62[:8]) / 8
    rest = sum(counts[c] for c in uids.BASE62[8:]) / 54
    assert 0.9 < first / rest < 1.1


def test_base62_uids_do_not_repeat():
    assert len({uids.base62(16) for _ in range(2000)}) == 2000


@settings(deadline=None)
@given(st.text(max_size=50), st.integers(min_value=1, max_value=20))
def test_base62_from_text_is_deterministic_and_sized(text, n):
    uid = uids.base62_from_text(text, n)
    assert uid == uids.base62_from_text(text, n)
    assert len(uid) == n and set(uid) <= set(uids.BASE62)


def test_base62_from_text_differs_between_texts():
    assert uids.base62_from_text("CL:0000084", 12) != uids.base62_from_text("CL:0000236", 12)
    assert uids.base62_from_text("CL:0000084", 12).startswith(uids.base62_from_text("CL:0000084", 4))


@pytest.mark.parametrize(("index", "suffix"), [(0, "0000"), (1, "0001"), (61, "000z"), (62, "0010"),
                                               (62 ** 4 - 1, "zzzz")])
def test_version_suffix_known_values(index, suffix):
    assert uids.encode_version_suffix(index) == suffix
    assert uids.decode_version_suffix(suffix) == index


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=62 ** 4 - 1), st.integers(min_value=0, max_value=62 ** 4 - 1))
def test_version_suffixes_round_trip_and_sort_like_their_index(a, b):
    sa, sb = uids.encode_version_suffix(a), uids.encode_version_suffix(b)
    assert uids.decode_version_suffix(sa) == a
    # BASE62 is in ASCII order, so the string order of suffixes is the order of versions
    assert (sa < sb) == (a < b)
